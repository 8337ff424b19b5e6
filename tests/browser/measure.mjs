// What the search tests and bench/search_vs_pagefind.mjs both measure: bytes a page fetches,
// and every paper of a built site as its search index holds them (read from the files, not
// through search.js).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

/** Responses seen by `page` from now on: call the result to get {requests, raw, gzip}. */
export function counter(page) {
  const bodies = [];
  const onResponse = (r) => {
    // The preview server's reload stream never ends (and is not part of a built site).
    if ((r.headers()["content-type"] || "").startsWith("text/event-stream")) return;
    bodies.push(r.body().catch(() => Buffer.alloc(0)));
  };
  page.on("response", onResponse);
  return async () => {
    page.off("response", onResponse);
    const got = await Promise.all(bodies);
    // What a server that gzips would send: each body gzipped, unless that is no smaller.
    return {
      requests: got.length,
      raw: got.reduce((n, b) => n + b.length, 0),
      gzip: got.reduce((n, b) => n + Math.min(b.length, gzipSync(b, { level: 6 }).length), 0),
    };
  };
}

/** Every paper in index order, `[title, slug, ISO date, date, [tags], abstract]`, from the
 * search index in the folder `dir` (a built site's `search/`). */
export function papersOnDisk(dir) {
  const read = (name) => JSON.parse(readFileSync(`${dir}/${name}`, "utf8"));
  const head = read("index.json");
  const papers = [];
  for (let j = 0; j < head.dirs.length / 8; j++) {
    const names = read(`i-${head.dirs.substr(j * 8, 8)}.json`).docs;
    for (let k = 0; k < names.length / 8; k++) papers.push(...read(`d-${names.substr(k * 8, 8)}.json`).docs);
  }
  return papers;
}

/** The lower-case words of each paper's title, tags and abstract. */
export function paperWords(papers) {
  return papers.map((d) => new Set(`${d[0]} ${d[4].join(" ")} ${d[5]}`.toLowerCase().split(/[^\p{L}\p{N}]+/u)));
}

/** The papers (by position) with a word matching `source`, a regular expression for the
 * whole word. */
export function relevant(words, source) {
  const re = new RegExp(`^(?:${source})$`, "u");
  const out = new Set();
  words.forEach((ws, p) => { for (const w of ws) if (re.test(w)) { out.add(p); break; } });
  return out;
}
