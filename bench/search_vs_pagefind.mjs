// paperboy's search and Pagefind's, side by side in headless Chromium, on the same built
// site served by one static server over loopback. A measurement for the README and issue
// notes, not a test: bench/search_vs_pagefind.sh prepares the site and runs this.
//
//   node bench/search_vs_pagefind.mjs SITE_DIR QUERY=REGEX...
//   ENGINES=paperboy,pagefind (the default) to run one only
//
// SITE_DIR holds paperboy's output with Pagefind's index in SITE_DIR/pagefind and the page
// SITE_DIR/pf-search.html (written by the .sh). For each query, in a fresh browser context
// per engine: bytes before the first page of results is drawn (each response gzipped, as a
// server that compresses would send it; Pagefind's index files are gzipped already), time
// from navigation and of the query itself, bytes of a second query, the query's time once
// everything it needs is loaded, and recall against the papers that have a word matching
// REGEX (read from paperboy's document chunks on disk). Pagefind tells a result's paper only
// once its fragment is fetched, so recall is not counted past 20,000 results.
import { createServer } from "node:http";
import { readFileSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { createRequire } from "node:module";
import { counter, paperWords, papersOnDisk, relevant } from "../tests/browser/measure.mjs";

const require = createRequire(new URL("../tests/browser/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const [site, ...specs] = process.argv.slice(2);
const queries = specs.map((s) => s.split(/=(.*)/s).slice(0, 2));

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm" };
const server = createServer((req, res) => {
  let path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (path.endsWith("/")) path += "index.html";
  const file = join(site, path);
  try {
    if (!statSync(file).isFile()) throw new Error("not a file");
    res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
    res.end(readFileSync(file));
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/`;

// Every paper, in paperboy's index order.
const papers = papersOnDisk(join(site, "search"));
const bySlug = new Map(papers.map((d, i) => [d[1], i]));
const words = paperWords(papers);

const engines = {
  paperboy: {
    path: (q) => `search/?q=${encodeURIComponent(q)}`,
    async answered(page, q) {
      await page.waitForFunction((q) => document.getElementById("search-status").getAttribute("data-query") === q, q, { timeout: 60000 });
      return Number(await page.getAttribute("#search-status", "data-ms"));
    },
    async again(page, q) {
      await page.fill("#search-q", "");
      await this.answered(page, "");
      await page.fill("#search-q", q);
      return this.answered(page, q);
    },
    next: async (page, q) => { await page.fill("#search-q", q); },
    hits: (page) => page.evaluate(() => Array.from(document.getElementById("search-form").paperboyHits)),
  },
  pagefind: {
    path: (q) => `pf-search.html?q=${encodeURIComponent(q)}`,
    async answered(page, q) {
      await page.waitForFunction((q) => document.getElementById("status").getAttribute("data-query") === q, q, { timeout: 120000 });
      return Number(await page.getAttribute("#status", "data-ms"));
    },
    async again(page, q) {
      await page.evaluate((q) => window.run(q), q);
      return this.answered(page, q);
    },
    next: (page, q) => page.evaluate((q) => { window.run(q); }, q),
    async hits(page) {
      if (await page.evaluate(() => window.lastResults.length) > 20000) return null;
      const urls = await page.evaluate(async () => Promise.all(window.lastResults.map(async (r) => (await r.data()).url)));
      return urls.map((u) => bySlug.get(decodeURIComponent(u.split("/").filter(Boolean).pop())));
    },
  },
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => (n / 1024).toFixed(1);
const summary = {};
try {
  const only = (process.env.ENGINES || "paperboy,pagefind").split(",");
  for (const [name, engine] of Object.entries(engines).filter(([n]) => only.includes(n))) {
    const rows = [];
    for (let i = 0; i < queries.length; i++) {
      const [q, source] = queries[i];
      const next = queries[(i + 1) % queries.length][0];
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on("pageerror", (e) => console.error(`${name}: ${e.message}`));
      const first = counter(page);
      const started = Date.now();
      await page.goto(url + engine.path(q));
      const ms = await engine.answered(page, q);
      const fromNavigation = Date.now() - started;
      const bytes = await first();
      const hits = await engine.hits(page);
      const counted = hits !== null;
      const wanted = relevant(words, source);
      const found = counted ? new Set(hits.filter((p) => wanted.has(p))).size : NaN;
      const second = counter(page);
      await engine.next(page, next);
      await engine.answered(page, next);
      const bytes2 = await second();
      const warm = [];
      for (let k = 0; k < 3; k++) warm.push(await engine.again(page, q));
      rows.push({ q, bytes: bytes.gzip, requests: bytes.requests, fromNavigation, ms, second: bytes2.gzip, warm: median(warm), recall: wanted.size ? found / wanted.size : 1, relevant: wanted.size, hits: counted ? hits.length : NaN });
      console.log(`${name.padEnd(8)} ${JSON.stringify(q).padEnd(30)} first: ${kb(bytes.gzip).padStart(6)} KB in ${String(bytes.requests).padStart(2)} requests, ` +
        `${String(fromNavigation).padStart(4)} ms from navigation (query ${ms.toFixed(0)} ms); second query ${kb(bytes2.gzip)} KB; ` +
        `loaded: ${median(warm).toFixed(1)} ms; recall ${counted ? found : "not counted"}/${wanted.size} of ${counted ? hits.length : "over 20,000"} results`);
      await context.close();
    }
    summary[name] = {
      firstKb: kb(median(rows.map((r) => r.bytes))),
      firstKbMax: kb(Math.max(...rows.map((r) => r.bytes))),
      secondKb: kb(median(rows.map((r) => r.second))),
      queryMs: median(rows.map((r) => r.warm)).toFixed(1),
      firstQueryMs: `${median(rows.map((r) => r.ms)).toFixed(0)}–${Math.max(...rows.map((r) => r.ms)).toFixed(0)}`,
      fromNavigationMs: median(rows.map((r) => r.fromNavigation)),
      recall: Object.fromEntries(rows.map((r) => [r.q, `${r.recall.toFixed(2)} (${r.relevant})`])),
    };
  }
  console.log(JSON.stringify(summary, null, 1));
} finally {
  await browser.close();
  server.close();
}
