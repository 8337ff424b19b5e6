// paperboy search: queries the shards that /search/index.json lists (written at build time)
// in the browser.
// Results are built with textContent only, so no title can inject markup.
"use strict";
(function () {
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list) return;
  var base = form.getAttribute("data-base") || "/";
  // Papers of every shard in order, each [title, slug, date, [tag indexes]]; the shards'
  // sorted words and postings, with the number of their first paper.
  var index = null;
  var MAX_RESULTS = 50;
  var MAX_PREFIX_WORDS = 400;

  function words(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 0; });
  }

  // Undoes the front coding of a shard's `terms` (see search.rs) into sorted words and
  // their postings.
  function unpack(terms, first) {
    var entries = terms ? terms.split(";") : [];
    var ws = new Array(entries.length), ps = new Array(entries.length);
    var prev = "";
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i];
      var colon = e.indexOf(":");
      var shared = parseInt(e.charAt(0), 36);
      // Characters, not UTF-16 units: Rust counted chars.
      prev = Array.from(prev).slice(0, shared).join("") + e.slice(1, colon);
      ws[i] = prev;
      ps[i] = e.slice(colon + 1);
    }
    return { words: ws, postings: ps, first: first, decoded: new Map() };
  }

  // Papers (numbered across shards) of a shard's `i`th word.
  function postings(shard, i) {
    var got = shard.decoded.get(i);
    if (got) return got;
    var out = [];
    var prev = 0;
    var parts = shard.postings[i].split(",");
    for (var k = 0; k < parts.length; k++) {
      prev += parseInt(parts[k], 36);
      out.push(shard.first + prev);
    }
    shard.decoded.set(i, out);
    return out;
  }

  // First index whose word is >= w (the words are sorted by code point, as Rust sorts them).
  function lowerBound(ws, w) {
    var lo = 0, hi = ws.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (ws[mid] < w) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // Papers matching one query word: words it begins (or equals, for one letter) and tags
  // whose name has a word beginning with it.
  // A prefix stands for at most MAX_PREFIX_WORDS distinct words, the first in order, across
  // the shards.
  function matching(w) {
    var found = new Set();
    var candidates = [];
    index.shards.forEach(function (shard) {
      var i = lowerBound(shard.words, w);
      for (var n = 0; i < shard.words.length && shard.words[i].startsWith(w) && n < MAX_PREFIX_WORDS; i++, n++) {
        candidates.push(shard.words[i]);
      }
    });
    candidates.sort();
    var chosen = new Set();
    for (var c = 0; c < candidates.length && chosen.size < MAX_PREFIX_WORDS; c++) chosen.add(candidates[c]);
    index.shards.forEach(function (shard) {
      for (var i = lowerBound(shard.words, w); i < shard.words.length && chosen.has(shard.words[i]); i++) {
        if (w.length > 1 || shard.words[i] === w) postings(shard, i).forEach(function (p) { found.add(p); });
      }
    });
    index.tags.forEach(function (name, t) {
      if (words(name).some(function (x) { return x.startsWith(w); })) {
        index.tagPapers[t].forEach(function (p) { found.add(p); });
      }
    });
    return found;
  }

  function search(query) {
    var qs = words(query);
    if (qs.length === 0) return [];
    var sets = qs.map(matching);
    sets.sort(function (a, b) { return a.size - b.size; });
    var hits = [];
    sets[0].forEach(function (p) {
      for (var k = 1; k < sets.length; k++) if (!sets[k].has(p)) return;
      hits.push(p);
    });
    var scored = hits.map(function (p) {
      var tw = index.titleWords[p];
      var score = 0;
      qs.forEach(function (q) {
        if (tw.indexOf(q) >= 0) score += 6;
        else if (tw.some(function (t) { return t.startsWith(q); })) score += 4;
        else score += 1;
      });
      return [score, index.papers[p][2], p];
    });
    scored.sort(function (a, b) {
      return b[0] - a[0] || (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0) || a[2] - b[2];
    });
    return scored.map(function (s) { return s[2]; });
  }

  function show(query) {
    var started = performance.now();
    var hits = search(query);
    var ms = performance.now() - started;
    list.textContent = "";
    hits.slice(0, MAX_RESULTS).forEach(function (p) {
      var paper = index.papers[p];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = base + "papers/" + paper[1] + "/";
      a.textContent = paper[0];
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "search-meta";
      var date = document.createElement("time");
      date.textContent = paper[2];
      date.setAttribute("datetime", paper[2]);
      date.style.whiteSpace = "nowrap";
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(date);
      var tags = paper[3].map(function (t) { return index.tags[t]; });
      if (tags.length) meta.appendChild(document.createTextNode(" · " + tags.join(", ")));
      li.appendChild(meta);
      list.appendChild(li);
    });
    status.setAttribute("data-ms", ms.toFixed(2));
    if (words(query).length === 0) status.textContent = "Type a word of a title, an abstract or a tag.";
    else if (hits.length === 0) status.textContent = "No paper matches “" + query + "”.";
    else status.textContent = hits.length + (hits.length === 1 ? " paper matches" : " papers match") +
      (hits.length > MAX_RESULTS ? "; the best " + MAX_RESULTS + " are shown." : ".");
  }

  function run() {
    var q = input.value;
    var url = new URL(window.location.href);
    if (q) url.searchParams.set("q", q); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    show(q);
  }

  function fetchJson(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status + " for " + url);
      return r.json();
    });
  }

  // Joins the shards (fetched side by side) into one index, numbering papers across them.
  function join(shards) {
    var joined = { tags: [], papers: [], shards: [], tagPapers: [], titleWords: [] };
    shards.forEach(function (shard) {
      var first = joined.papers.length;
      joined.tags = shard.tags;
      shard.papers.forEach(function (p) {
        joined.papers.push([p[0], p[1], shard.dates[p[2]], p[3]]);
      });
      joined.shards.push(unpack(shard.terms, first));
    });
    joined.tagPapers = joined.tags.map(function () { return []; });
    joined.papers.forEach(function (p, i) { p[3].forEach(function (t) { joined.tagPapers[t].push(i); }); });
    joined.titleWords = joined.papers.map(function (p) { return words(p[0]); });
    return joined;
  }

  status.textContent = "Loading the index…";
  var head = new URL(form.getAttribute("data-index"), window.location.href);
  fetchJson(head)
    .then(function (data) {
      return Promise.all(data.shards.map(function (name) { return fetchJson(new URL(name, head)); }));
    })
    .then(function (shards) {
      index = join(shards);
      var q = new URL(window.location.href).searchParams.get("q");
      if (q) input.value = q;
      input.addEventListener("input", run);
      form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
      show(input.value);
      form.setAttribute("data-ready", "true");
    })
    .catch(function (e) {
      status.textContent = "The search index could not be loaded (" + e.message + ").";
    });
})();
