// paperboy search. /search/index.json (written at build time) describes an index in parts;
// a query fetches only the term shards of its words, then the document chunks of the
// results on screen (search_index.rs describes the formats). No other host is involved.
// Results are built from DOM text nodes only, so no title or abstract can inject markup.
"use strict";
(function () {
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list) return;
  var base = form.getAttribute("data-base") || "/";
  var headUrl = new URL(form.getAttribute("data-index"), window.location.href);
  var more = document.getElementById("search-more");
  if (!more) {
    more = document.createElement("button");
    more.type = "button";
    more.id = "search-more";
    list.after(more);
  }
  more.hidden = true;

  // The words shown, from the page's `data-t-*` attributes (the site's language), with
  // English for a theme whose search page has none; `{name}` placeholders filled.
  function say(key, english, values) {
    var text = form.getAttribute("data-t-" + key) || english;
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  }
  if (!more.textContent) more.textContent = say("more", "More results");

  var FORMAT = 5;
  var PAGE = 10; // results drawn at a time
  var PHRASE_WINDOW = PAGE; // first results re-ranked when query words stand side by side
  var MAX_PREFIX_WORDS = 400; // words a prefix stands for, the first in order
  var MAX_PREFIX_SHARDS = 2; // shards a prefix is looked up in
  var TYPO_MIN = 5; // shortest word matched with a typo
  // Points a query word gives a paper, by how it matched: the word as typed (or a word it
  // begins) first, title hits first among those; then other forms of the word (same stem);
  // then words one typo away. PHRASE: for query words side by side in the paper.
  var EXACT = 30, PREFIX = 28, STEM = 10, TYPO = 1, TITLE = 10, TYPO_TITLE = 1, PHRASE = 3;
  var SUFFIXES = [["ies", "y"], ["ied", "y"], ["ing", ""], ["ing", "e"], ["ed", ""], ["ed", "e"], ["es", ""], ["s", ""], ["ly", ""]];

  var head = null; // the parsed head (see useHead)
  var shards = new Map(); // file name → promise of an unpacked shard
  var chunks = new Map(); // file name → promise of a chunk's documents
  var dirs = new Map(); // file name → promise of a directory's chunk names
  var seq = 0; // number of the latest query: answers to older ones are dropped
  var shown = null; // the query on screen: {words, hits, matched, docs, drawn}

  // Math's styled letters and raised or lowered digits as plain ones (ℬ³-Net is typed
  // "b3-net"): the table of `plain_char` in src/text/words.rs, which the index was folded with.
  var LETTERLIKE = { "ℂ": "C", "ℭ": "C", "ℊ": "g", "ℋ": "H", "ℌ": "H", "ℍ": "H", "ℎ": "h", "ℐ": "I", "ℑ": "I",
    "ℒ": "L", "ℓ": "l", "ℕ": "N", "ℙ": "P", "ℚ": "Q", "ℛ": "R", "ℜ": "R", "ℝ": "R", "ℤ": "Z", "ℨ": "Z", "ℬ": "B",
    "ℯ": "e", "ℰ": "E", "ℱ": "F", "ℳ": "M", "ℴ": "o", "\u00b2": "2", "\u00b3": "3", "\u00b9": "1", "\u2070": "0" };
  var STYLED = /[\u00b2\u00b3\u00b9\u2070-\u2089\u2102-\u2134\u{1d400}-\u{1d6a5}\u{1d7ce}-\u{1d7ff}]/gu;
  function plainChar(c) {
    var code = c.codePointAt(0);
    if (LETTERLIKE[c]) return LETTERLIKE[c];
    if (code >= 0x2074 && code <= 0x2079) return String(code - 0x2070);
    if (code >= 0x2080 && code <= 0x2089) return String(code - 0x2080);
    if (code >= 0x1d400 && code <= 0x1d6a3) {
      var n = (code - 0x1d400) % 52;
      return String.fromCharCode(n < 26 ? 65 + n : 97 + n - 26);
    }
    if (code === 0x1d6a4) return "i";
    if (code === 0x1d6a5) return "j";
    if (code >= 0x1d7ce) return String((code - 0x1d7ce) % 10);
    return c;
  }
  function lower(text) { return text.replace(STYLED, plainChar).toLowerCase(); }
  function words(text) {
    return lower(text).split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 0; });
  }

  // Strings compared by code point, as Rust orders them (UTF-16 order differs only past
  // U+D7FF).
  function less(a, b) {
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i++) {
      var x = a.charCodeAt(i), y = b.charCodeAt(i);
      if (x === y) continue;
      if (x >= 0xd800 && y >= 0xd800) { x = a.codePointAt(i); y = b.codePointAt(i); }
      return (x >= 0xd800 && x < 0xe000 ? x + 0x10000 : x) < (y >= 0xd800 && y < 0xe000 ? y + 0x10000 : y);
    }
    return a.length < b.length;
  }
  var AFTER_ALL = "\u{10ffff}";

  // The first `n` characters (code points, as Rust counts) of `s`.
  function firstChars(s, n) {
    var i = 0;
    while (n > 0 && i < s.length) {
      var c = s.charCodeAt(i);
      i += c >= 0xd800 && c < 0xdc00 ? 2 : 1;
      n--;
    }
    return s.slice(0, i);
  }

  // Parts are named by their contents and never change; the head is checked with the server
  // each time, and read again from it (`fresh`) when a part it names has gone.
  function fetchJson(url, fresh) {
    return fetch(url, { cache: fresh ? "reload" : url === headUrl ? "no-cache" : "default" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status + " for " + url);
      return r.json();
    });
  }

  function useHead(data) {
    if (data.v !== FORMAT) throw new Error("index format " + data.v + ", expected " + FORMAT);
    var day = new Int32Array(data.papers), dayStart = [], p = 0;
    data.days.forEach(function (n, d) {
      dayStart.push(p);
      for (var i = 0; i < n; i++) day[p++] = d;
    });
    head = {
      stop: new Set(data.stop),
      papers: data.papers, chunk: data.chunk, dir: data.dir, day: day, dayStart: dayStart, dirs: data.dirs,
      // The live segment's term shards, then the sealed segment's (older papers), if any.
      segments: [segment(data.shards, "t-")].concat(data.sealed.length ? [segment(data.sealed, "s-")] : []),
    };
    shards.clear();
    chunks.clear();
    dirs.clear();
  }

  // A segment's term shards: their first terms, and their files.
  function segment(list, prefix) {
    return {
      firsts: list.map(function (s) { return s[0]; }),
      names: list.map(function (s) { return prefix + s[1] + ".json"; }),
    };
  }

  // The index of the shard of segment `seg` whose terms would hold `term`.
  function shardOf(seg, term) {
    var lo = 0, hi = seg.firsts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (less(term, seg.firsts[mid])) hi = mid - 1; else lo = mid;
    }
    return lo;
  }

  // Undoes the front coding of a shard's terms (see search_index.rs); postings are decoded
  // when first used.
  function unpack(data) {
    var entries = data.terms ? data.terms.split(";") : [];
    var n = entries.length, ws = new Array(n), ps = new Array(n), stems = new Array(n), group = new Int32Array(n);
    var prev = "";
    for (var i = 0; i < n; i++) {
      var e = entries[i], colon = e.indexOf(":"), tilde = e.indexOf("~"), bang = e.indexOf("!");
      if (tilde > colon) tilde = -1;
      if (bang > colon) bang = -1;
      var end = tilde >= 0 ? tilde : bang >= 0 ? bang : colon;
      prev = firstChars(prev, parseInt(e.charAt(0), 36)) + e.slice(1, end);
      ws[i] = prev;
      ps[i] = e.slice(colon + 1);
      group[i] = tilde >= 0 ? group[i - parseInt(e.slice(tilde + 1, colon), 36)] : i;
      if (tilde >= 0) stems[i] = stems[group[i]];
      else if (bang >= 0) stems[i] = firstChars(prev, parseInt(e.charAt(bang + 1), 36)) + e.slice(bang + 2, colon);
      else stems[i] = prev;
    }
    var members = new Map();
    for (var j = 0; j < n; j++) {
      if (group[j] !== j) {
        if (!members.has(group[j])) members.set(group[j], [group[j]]);
        members.get(group[j]).push(j);
      }
    }
    return { words: ws, postings: ps, stems: stems, group: group, members: members, decoded: new Map() };
  }

  function loadShard(seg, k) {
    return once(shards, seg.names[k], unpack);
  }

  // Fetches `name` once; a failed fetch is tried again next time.
  function once(cache, name, read) {
    if (!cache.has(name)) {
      var got = fetchJson(new URL(name, headUrl)).then(function (data) {
        if (data.v !== FORMAT) throw new Error("stale index part " + name);
        return read(data);
      });
      got.catch(function () { cache.delete(name); });
      cache.set(name, got);
    }
    return cache.get(name);
  }

  // Directory `j`: the names of its document chunks.
  function loadDir(j) {
    return once(dirs, "i-" + head.dirs.substr(j * 8, 8) + ".json", function (data) { return data.docs; });
  }

  // Document chunk `k`, through the directory that names it.
  function loadChunk(k) {
    var j = Math.floor(k / head.dir);
    return loadDir(j)
      .then(function (names) {
        var at = (k - j * head.dir) * 8;
        return once(chunks, "d-" + names.substr(at, 8) + ".json", function (data) { return data.docs; });
      });
  }

  // A term's papers, each `paper * 2 + (1 if the title uses it)`.
  function postings(shard, i) {
    var got = shard.decoded.get(i);
    if (got) return got;
    var parts = shard.postings[i].split(","), out = new Int32Array(parts.length), paper = 0;
    for (var k = 0; k < parts.length; k++) {
      var v = parseInt(parts[k], 36);
      paper += v >> 1;
      out[k] = paper * 2 + (v & 1);
    }
    shard.decoded.set(i, out);
    return out;
  }

  // First position whose word is not below `w`.
  function lowerBound(ws, w) {
    var lo = 0, hi = ws.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (less(ws[mid], w)) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function find(shard, w) {
    var i = lowerBound(shard.words, w);
    return i < shard.words.length && shard.words[i] === w ? i : -1;
  }

  // Whether `a` and `b` are one edit apart: a letter added, dropped, changed, or two
  // neighbours swapped.
  function oneEdit(a, b) {
    var la = a.length, lb = b.length;
    if (Math.abs(la - lb) > 1 || a === b) return false;
    var i = 0;
    while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
    if (la === lb) {
      if (a.slice(i + 1) === b.slice(i + 1)) return true;
      return a.charAt(i) === b.charAt(i + 1) && a.charAt(i + 1) === b.charAt(i) && a.slice(i + 2) === b.slice(i + 2);
    }
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  // The terms a query word stands for, as [shard, term, points] (points without the title
  // bonus): the word itself and the words sharing its stem; words it begins; and, when the
  // index does not have the word, the stems of its forms without a common suffix and words
  // one typo away. Each segment of the index is looked in; a segment without the word
  // looks up the forms the others link to it (or, when none has it, its own fallbacks);
  // then every segment looks up the stems the others found that it did not, so that a form
  // only one segment has ("quantizing" in the newest month for "quantized" in older
  // papers) is found as one index would find it. Fetches the shards it needs.
  function expand(w) {
    var segments = head.segments;
    return Promise.all(segments.map(function (seg) { return expandIn(seg, w); })).then(function (parts) {
      var forms = new Set(), anywhere = false;
      parts.forEach(function (part) {
        if (part.at >= 0) anywhere = true;
        part.forms.forEach(function (f) { forms.add(f); });
      });
      var more = segments.map(function (seg, i) {
        if (parts[i].at >= 0) return Promise.resolve([]);
        return anywhere ? lookUp(seg, Array.from(forms)) : fallbacks(seg, w);
      });
      return Promise.all(more).then(function (extra) {
        var bySeg = parts.map(function (part, i) { return part.found.concat(extra[i]); });
        var mates = segments.map(function (seg, i) { return withStems(seg, stemsMissing(bySeg, i)); });
        return Promise.all(mates).then(function (last) {
          var found = parts.map(function (part) { return part.found; });
          return [].concat.apply([], found.concat(extra, last));
        });
      });
    });
  }

  // The stems of the forms found in segments other than `i` that segment `i`'s finds do
  // not have with as many points (a stem found in a segment brings its whole group there),
  // each with the points its forms get: STEM, or TYPO when only a word one typo away led
  // to it.
  function stemsMissing(bySeg, i) {
    var have = new Map(), want = new Map();
    var points = function (f) { return f[2] === TYPO ? TYPO : STEM; };
    bySeg[i].forEach(function (f) {
      var stem = f[0].stems[f[1]];
      if (f[2] !== PREFIX && (have.get(stem) || 0) < points(f)) have.set(stem, points(f));
    });
    bySeg.forEach(function (found, j) {
      if (j === i) return;
      found.forEach(function (f) {
        if (f[2] === PREFIX) return;
        var stem = f[0].stems[f[1]], p = points(f);
        if ((have.get(stem) || 0) < p && (want.get(stem) || 0) < p) want.set(stem, p);
      });
    });
    return want;
  }

  // The terms of segment `seg` whose stem is a key of `want` (stem → points). A segment
  // keeps a stem's terms in one shard; they begin with the stem, or with it but for its
  // last letter ("capability" for "capabl"), or with a "y" for its last "i" or "ie"
  // ("study" for "studi", "dying" for "die"). The shards those would be in are read, and
  // the next when it begins among them.
  function withStems(seg, want) {
    if (!want.size) return Promise.resolve([]);
    var need = new Set();
    want.forEach(function (points, stem) {
      var n = Array.from(stem).length, start = n > 1 ? firstChars(stem, n - 1) : stem;
      var anchors = [stem, start];
      if (n > 1 && stem.endsWith("i")) anchors.push(start + "y");
      if (n > 2 && stem.endsWith("ie")) anchors.push(firstChars(stem, n - 2) + "y");
      anchors.forEach(function (a) {
        var k = shardOf(seg, a);
        need.add(k);
        if (k + 1 < seg.firsts.length && seg.firsts[k + 1].startsWith(a === stem ? start : a)) need.add(k + 1);
      });
    });
    var ks = Array.from(need);
    return Promise.all(ks.map(function (k) { return loadShard(seg, k); })).then(function (loaded) {
      var found = [];
      loaded.forEach(function (shard) {
        shard.stems.forEach(function (stem, i) {
          if (want.has(stem)) found.push([shard, i, want.get(stem)]);
        });
      });
      return found;
    });
  }

  // What expand finds in one segment: what it found, where the word is in its shard (-1: not
  // there), and the word's forms there (its stem's terms).
  function expandIn(seg, w) {
    var k0 = shardOf(seg, w);
    var need = [k0];
    if (w.length >= 2) {
      var upper = w + AFTER_ALL;
      for (var k = k0 + 1; k < seg.firsts.length && need.length < MAX_PREFIX_SHARDS && less(seg.firsts[k], upper); k++) need.push(k);
    }
    return Promise.all(need.map(function (k) { return loadShard(seg, k); })).then(function (loaded) {
      var found = [], forms = [];
      var at = find(loaded[0], w);
      if (at >= 0) {
        addGroup(found, loaded[0], at, STEM);
        found.push([loaded[0], at, EXACT]);
        found.forEach(function (f) { forms.push(f[0].words[f[1]]); });
      }
      if (w.length >= 2) {
        var n = 0;
        loaded.forEach(function (shard) {
          for (var i = lowerBound(shard.words, w); i < shard.words.length && n < MAX_PREFIX_WORDS && shard.words[i].startsWith(w); i++, n++) {
            if (shard.words[i] !== w) found.push([shard, i, PREFIX]);
          }
        });
      }
      return { found: found, at: at, forms: forms };
    });
  }

  // Stem group members of term `at` of `shard`, with `points`.
  function addGroup(found, shard, at, points) {
    var group = shard.members.get(shard.group[at]);
    if (group) group.forEach(function (i) { if (i !== at) found.push([shard, i, points]); });
  }

  // `w` without a common suffix ("jailbreaking" → "jailbreak", "proofs" → "proof").
  function baseForms(w) {
    var bases = [];
    SUFFIXES.forEach(function (s) {
      if (w.length - s[0].length >= 3 && w.endsWith(s[0])) bases.push(w.slice(0, w.length - s[0].length) + s[1]);
    });
    return bases;
  }

  // The terms of segment `seg` that are one of `words`, with their stems, as forms of a
  // query word (STEM points).
  function lookUp(seg, words) {
    var ks = Array.from(new Set(words.map(function (b) { return shardOf(seg, b); })));
    return Promise.all(ks.map(function (k) { return loadShard(seg, k); })).then(function (loaded) {
      var found = [];
      words.forEach(function (b) {
        var shard = loaded[ks.indexOf(shardOf(seg, b))], at = find(shard, b);
        if (at >= 0) {
          found.push([shard, at, STEM]);
          addGroup(found, shard, at, STEM);
        }
      });
      return found;
    });
  }

  // For a word the index does not have, in segment `seg`: its forms without a common
  // suffix, with their stems, and, for words of TYPO_MIN letters or more, the terms one
  // typo away (with their stems) in the shards around the word that share its first three
  // letters.
  function fallbacks(seg, w) {
    var k0 = shardOf(seg, w);
    var need = new Set();
    if (w.length >= TYPO_MIN) {
      var stem3 = firstChars(w, 3), upper = stem3 + AFTER_ALL;
      need.add(k0);
      if (k0 > 0 && less(stem3, seg.firsts[k0])) need.add(k0 - 1);
      if (k0 + 1 < seg.firsts.length && less(seg.firsts[k0 + 1], upper)) need.add(k0 + 1);
    }
    var ks = Array.from(need);
    return Promise.all([lookUp(seg, baseForms(w))].concat(ks.map(function (k) { return loadShard(seg, k); }))).then(function (loaded) {
      var found = loaded[0];
      loaded.slice(1).forEach(function (shard) {
        var ws = shard.words;
        for (var i = 0; i < ws.length; i++) {
          if (oneEdit(w, ws[i])) {
            found.push([shard, i, TYPO]);
            addGroup(found, shard, i, TYPO);
          }
        }
      });
      return found;
    });
  }

  // Ranks the papers matching every word: points (title hits first, typos last), then
  // newer days, then the order within a day (the digest's).
  function rank(expanded) {
    var n = head.papers;
    var total = new Uint16Array(n), count = new Uint8Array(n), best = new Uint8Array(n);
    var first = null;
    var matched = [];
    expanded.forEach(function (found, q) {
      var touched = [];
      var terms = new Set();
      found.forEach(function (f) {
        var shard = f[0], i = f[1], points = f[2];
        terms.add(shard.words[i]);
        var titled = points === TYPO ? points + TYPO_TITLE : points + TITLE;
        var ps = postings(shard, i);
        for (var k = 0; k < ps.length; k++) {
          var p = ps[k] >> 1, s = ps[k] & 1 ? titled : points;
          if (best[p] === 0) touched.push(p);
          if (s > best[p]) best[p] = s;
        }
      });
      touched.forEach(function (p) {
        if (count[p] === q) {
          total[p] += best[p];
          count[p] = q + 1;
        }
        best[p] = 0;
      });
      if (q === 0) first = touched;
      matched.push(terms);
    });
    var keys = [];
    var all = expanded.length;
    first.forEach(function (p) {
      if (count[p] !== all) return;
      var d = head.day[p];
      keys.push(total[p] * 1e12 + d * 1e6 + (999999 - (p - head.dayStart[d])));
    });
    var sorted = Float64Array.from(keys).sort();
    var hits = new Array(sorted.length);
    for (var i = 0; i < sorted.length; i++) {
      var key = sorted[sorted.length - 1 - i];
      var day = Math.floor(key / 1e6) % 1e6;
      hits[i] = head.dayStart[day] + 999999 - (key % 1e6);
    }
    return { hits: hits, matched: matched };
  }

  // The documents of `papers`, fetched by chunk.
  function documents(papers) {
    var ks = Array.from(new Set(papers.map(function (p) { return Math.floor(p / head.chunk); })));
    return Promise.all(ks.map(loadChunk)).then(function (got) {
      var byK = new Map();
      ks.forEach(function (k, i) { byK.set(k, got[i]); });
      var out = new Map();
      papers.forEach(function (p) {
        var k = Math.floor(p / head.chunk);
        out.set(p, byK.get(k)[p - k * head.chunk]);
      });
      return out;
    });
  }

  // Lower-case words of `text` with their places.
  function tokens(text) {
    var out = [], re = /[\p{L}\p{N}]+/gu, m;
    while ((m = re.exec(text))) out.push([lower(m[0]), m.index, m.index + m[0].length]);
    return out;
  }

  // Points for query words found side by side, in order, in the title or the abstract.
  function phrasePoints(doc, matched) {
    var points = 0;
    [doc[0], doc[5]].forEach(function (text) {
      var ts = tokens(text);
      for (var q = 0; q + 1 < matched.length; q++) {
        for (var i = 0; i + 1 < ts.length; i++) {
          if (matched[q].has(ts[i][0]) && matched[q + 1].has(ts[i + 1][0])) {
            points += PHRASE;
            break;
          }
        }
      }
    });
    return points;
  }

  function run() {
    var q = input.value;
    var url = new URL(window.location.href);
    if (q) url.searchParams.set("q", q); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    query(q, false);
  }

  function query(q, retried) {
    var mine = ++seq;
    var started = performance.now();
    var qs = words(q).filter(function (w) { return !head.stop.has(w); });
    if (qs.length === 0) {
      shown = null;
      list.textContent = "";
      more.hidden = true;
      status.textContent = words(q).length ? say("common", "“{query}” is too common to search for: add a word.", { query: q }) : say("type", "Type a word of a title, an abstract or a tag.");
      done(q, started);
      return Promise.resolve();
    }
    status.setAttribute("aria-busy", "true");
    return Promise.all(qs.map(expand))
      .then(function (expanded) {
        if (mine !== seq) return;
        var ranked = rank(expanded);
        var state = { query: q, words: qs, hits: ranked.hits, matched: ranked.matched, drawn: 0 };
        var lead = qs.length > 1 ? ranked.hits.slice(0, PHRASE_WINDOW) : [];
        return documents(lead).then(function (docs) {
          if (mine !== seq) return;
          if (lead.length > 1) {
            var bonus = new Map();
            lead.forEach(function (p, i) { bonus.set(p, [phrasePoints(docs.get(p), ranked.matched), i]); });
            lead.sort(function (a, b) { return bonus.get(b)[0] - bonus.get(a)[0] || bonus.get(a)[1] - bonus.get(b)[1]; });
            for (var i = 0; i < lead.length; i++) state.hits[i] = lead[i];
          }
          shown = state;
          list.textContent = "";
          return page(mine).then(function () { if (mine === seq) done(q, started); });
        });
      })
      .catch(function (e) {
        if (mine !== seq) return;
        if (!retried) {
          // A deploy may have replaced the index since the head was read: read it again.
          return fetchJson(headUrl, true).then(function (data) {
            useHead(data);
            return query(q, true);
          });
        }
        throw e;
      })
      .catch(function (e) {
        if (mine !== seq) return;
        status.removeAttribute("aria-busy");
        status.textContent = say("failed", "The search index could not be loaded ({error}).", { error: e.message });
      });
  }

  function done(q, started) {
    status.removeAttribute("aria-busy");
    status.setAttribute("data-ms", (performance.now() - started).toFixed(2));
    status.setAttribute("data-query", q);
    form.paperboyHits = shown ? shown.hits : [];
  }

  // Draws the next page of the results on screen.
  function page(mine) {
    var state = shown;
    var papers = state.hits.slice(state.drawn, state.drawn + PAGE);
    return documents(papers).then(function (docs) {
      if (mine !== seq) return;
      var highlight = new Set();
      state.matched.forEach(function (terms) { terms.forEach(function (t) { highlight.add(t); }); });
      var typed = new Set(state.words);
      papers.forEach(function (p) { list.appendChild(result(docs.get(p), highlight, typed)); });
      state.drawn += papers.length;
      var n = state.hits.length;
      more.hidden = state.drawn >= n;
      if (n === 0) status.textContent = say("none", "No paper matches “{query}”.", { query: state.query });
      else status.textContent = (n === 1 ? say("one", "1 paper matches") : say("many", "{count} papers match", { count: n })) +
        (n > state.drawn ? say("shown", "; the first {shown} are shown.", { shown: state.drawn }) : ".");
    });
  }

  // `text` with the words in `highlight` marked.
  function marked(parent, text, highlight, from, to) {
    var at = from;
    tokens(text.slice(from, to)).forEach(function (t) {
      if (!highlight.has(t[0])) return;
      parent.appendChild(document.createTextNode(text.slice(at, from + t[1])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(from + t[1], from + t[2]);
      parent.appendChild(mark);
      at = from + t[2];
    });
    parent.appendChild(document.createTextNode(text.slice(at, to)));
  }

  // About 240 characters of the abstract around the first word typed, or else around the
  // first highlighted word: a word typed in full ("all") is what the reader looks for, not
  // the first word it is also the start of ("allocation").
  function snippet(text, highlight, typed) {
    var p = document.createElement("p");
    p.className = "search-snippet";
    var ts = tokens(text), start = 0, at = -1, i;
    for (i = 0; i < ts.length && at < 0; i++) if (typed.has(ts[i][0])) at = i;
    for (i = 0; i < ts.length && at < 0; i++) if (highlight.has(ts[i][0])) at = i;
    if (at >= 0 && ts[at][1] > 70) {
      start = ts[at][1] - 70;
      var space = text.indexOf(" ", start);
      start = space >= 0 && space < ts[at][1] ? space + 1 : ts[at][1];
    }
    var end = Math.min(text.length, start + 240);
    if (end < text.length) {
      var last = text.lastIndexOf(" ", end);
      if (last > start) end = last;
    }
    if (start > 0) p.appendChild(document.createTextNode("… "));
    marked(p, text, highlight, start, end);
    if (end < text.length) p.appendChild(document.createTextNode(" …"));
    return p;
  }

  // One result: [title, slug, ISO date, date as shown, [tags], abstract].
  function result(doc, highlight, typed) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = base + "papers/" + encodeURIComponent(doc[1]) + "/";
    marked(a, doc[0], highlight, 0, doc[0].length);
    li.appendChild(a);
    var meta = document.createElement("span");
    meta.className = "search-meta";
    var date = document.createElement("time");
    date.textContent = doc[3];
    date.setAttribute("datetime", doc[2]);
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(date);
    if (doc[4].length) meta.appendChild(document.createTextNode(" · " + doc[4].join(", ")));
    li.appendChild(meta);
    if (doc[5]) li.appendChild(snippet(doc[5], highlight, typed));
    return li;
  }

  // Arrow keys move between the box and the results; Escape goes back to the box.
  function links() { return Array.from(list.querySelectorAll("a")); }
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && links().length) {
      e.preventDefault();
      links()[0].focus();
    }
  });
  list.addEventListener("keydown", function (e) {
    var all = links(), i = all.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === "ArrowDown" && i + 1 < all.length) all[i + 1].focus();
    else if (e.key === "ArrowDown" && !more.hidden) more.focus();
    else if (e.key === "ArrowUp" && i > 0) all[i - 1].focus();
    else if (e.key === "ArrowUp" || e.key === "Escape") input.focus();
    else return;
    e.preventDefault();
  });
  more.addEventListener("click", function () {
    if (!shown) return;
    var next = shown.drawn;
    page(seq).then(function () {
      var all = links();
      if (all[next]) all[next].focus();
    });
  });

  status.textContent = say("loading", "Loading the index…");
  fetchJson(headUrl, false)
    .then(function (data) {
      useHead(data);
      var q = new URL(window.location.href).searchParams.get("q");
      if (q) input.value = q;
      input.addEventListener("input", run);
      form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
      form.setAttribute("data-ready", "true");
      // The newest papers' directory (1-2 KB): newer papers rank first among equals, so
      // most first pages need it.
      if (head.dirs.length) loadDir(head.dirs.length / 8 - 1).catch(function () {});
      return query(input.value, false);
    })
    .catch(function (e) {
      status.textContent = say("failed", "The search index could not be loaded ({error}).", { error: e.message });
    });
})();
