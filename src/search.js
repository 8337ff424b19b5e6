// paperboy search: queries /search/index.json (written at build time) in the browser.
// Results are built with textContent only, so no title can inject markup.
"use strict";
(function () {
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list) return;
  var base = form.getAttribute("data-base") || "/";
  var index = null;
  var decoded = new Map();
  var tagPapers = null;
  var titleWords = null;
  var MAX_RESULTS = 50;
  var MAX_PREFIX_WORDS = 400;

  function words(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 0; });
  }

  // Undoes the front coding of `terms` (see search.rs) into sorted `words` and `postings`.
  function unpack(terms) {
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
    index.words = ws;
    index.postings = ps;
  }

  function postings(i) {
    var got = decoded.get(i);
    if (got) return got;
    var out = [];
    var prev = 0;
    var parts = index.postings[i].split(",");
    for (var k = 0; k < parts.length; k++) {
      prev += parseInt(parts[k], 36);
      out.push(prev);
    }
    decoded.set(i, out);
    return out;
  }

  // First index whose word is >= w (the words are sorted by code point, as Rust sorts them).
  function lowerBound(w) {
    var lo = 0, hi = index.words.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (index.words[mid] < w) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // Papers matching one query word: words it begins (or equals, for one letter) and tags
  // whose name has a word beginning with it.
  function matching(w) {
    var found = new Set();
    var i = lowerBound(w);
    var n = 0;
    while (i < index.words.length && index.words[i].startsWith(w) && n < MAX_PREFIX_WORDS) {
      if (w.length > 1 || index.words[i] === w) postings(i).forEach(function (p) { found.add(p); });
      i++; n++;
    }
    index.tags.forEach(function (name, t) {
      if (words(name).some(function (x) { return x.startsWith(w); })) {
        tagPapers[t].forEach(function (p) { found.add(p); });
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
      var tw = titleWords[p];
      var score = 0;
      qs.forEach(function (q) {
        if (tw.indexOf(q) >= 0) score += 6;
        else if (tw.some(function (t) { return t.startsWith(q); })) score += 4;
        else score += 1;
      });
      return [score, index.dates[index.papers[p][2]], p];
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
      date.textContent = index.dates[paper[2]];
      date.setAttribute("datetime", index.dates[paper[2]]);
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

  status.textContent = "Loading the index…";
  fetch(form.getAttribute("data-index"))
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then(function (data) {
      index = data;
      unpack(index.terms);
      tagPapers = index.tags.map(function () { return []; });
      index.papers.forEach(function (p, i) { p[3].forEach(function (t) { tagPapers[t].push(i); }); });
      titleWords = index.papers.map(function (p) { return words(p[0]); });
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
