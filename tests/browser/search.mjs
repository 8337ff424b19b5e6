// Headless-browser test of /search/: Debian's chromium, driven by playwright-core, against the
// real `paperboy serve`. Types queries key by key and checks what a reader would see.
//
//   node tests/browser/search.mjs PAPERBOY_BINARY SITE_ROOT [QUERY EXPECTED]...
//
// EXPECTED is a title the results must list; `=T1|T2|…` the exact results, in order (ranking,
// and every word must match); `~TEXT` a result whose title contains TEXT, drawn as text (a
// hostile title's markup); `*` any results, only timed.
//
// After every query, every result is checked to be drawn as text: only the elements
// search.js creates, no handler attributes, each link's text the title the index holds for
// its paper.
//
// Exits non-zero on the first failed check. Prints the in-page search time of every query;
// SEARCH_LIMIT_MS, when set, fails a slower query (speed is measured in the benchmark, not
// here: CI hardware varies).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const [binary, root, ...pairs] = process.argv.slice(2);
if (!binary || !root || pairs.length % 2 !== 0) {
  console.error("usage: search.mjs PAPERBOY SITE_ROOT [QUERY TITLE]...");
  process.exit(2);
}
const LIMIT_MS = process.env.SEARCH_LIMIT_MS ? Number(process.env.SEARCH_LIMIT_MS) : Infinity;

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

/** Starts `paperboy serve --port 0` and resolves with its URL once it prints it. */
function serve() {
  const child = spawn(binary, ["serve", "--port", "0", "--root", root], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("serve did not start")), 60000);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        const url = line.split(/\s+/).find((w) => w.startsWith("http://"));
        if (url) {
          clearTimeout(timer);
          resolve({ child, url });
        }
      });
    }
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

const { child, url } = await serve();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
  ],
});
try {
  const page = await browser.newPage();
  const foreign = [];
  const origin = new URL(url).origin;
  page.on("request", (r) => { if (new URL(r.url()).origin !== origin) foreign.push(r.url()); });
  page.on("dialog", (d) => fail(`a dialog opened: ${d.message()}`));
  page.on("pageerror", (e) => fail(`script error: ${e.message}`));

  await page.goto(`${url}search/`);
  await page.waitForSelector("#search-form[data-ready=true]", { timeout: 20000 });
  const count = await page.evaluate(async () => (await (await fetch(document.getElementById("search-form").dataset.index)).json()).papers);
  console.log(`index loaded: ${count} papers`);

  const times = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const [query, title] = [pairs[i], pairs[i + 1]];
    await page.fill("#search-q", "");
    await page.type("#search-q", query, { delay: 5 });
    // Results are drawn once the status names the query's matches (or says none match).
    const expectation = title.startsWith("=")
      ? { exact: title.slice(1).split("|") }
      : title.startsWith("~")
        ? { contains: title.slice(1) }
        : title === "*" ? { any: true } : { listed: title };
    await page.waitForFunction(
      (e) => {
        const got = [...document.querySelectorAll("#search-results li > a")].map((a) => a.textContent);
        if (e.exact) return got.length === e.exact.length && got.every((t, i) => t === e.exact[i]);
        if (e.contains) return got.some((t) => t.includes(e.contains));
        if (e.listed) return got.includes(e.listed);
        return got.length > 0;
      },
      expectation,
      { timeout: 30000 },
    ).catch(async () => {
      const got = await page.$$eval("#search-results li > a", (as) => as.map((a) => a.textContent));
      fail(`query ${JSON.stringify(query)}: expected ${JSON.stringify(title)}, got ${JSON.stringify(got.slice(0, 10))}`);
    });
    // Drawn as text: only what search.js creates, no handlers, titles as the index has them.
    const problems = await page.evaluate(async () => {
      const form = document.getElementById("search-form");
      const head = await (await fetch(form.dataset.index)).json();
      const titles = new Map();
      for (const name of head.shards) {
        const shard = await (await fetch(new URL(name, new URL(form.dataset.index, location.href)))).json();
        for (const p of shard.papers) titles.set(p[1], p[0]);
      }
      const out = [];
      for (const el of document.querySelectorAll("#search-results *")) {
        if (!["LI", "A", "SPAN", "TIME"].includes(el.tagName)) out.push(`a <${el.tagName}> in the results`);
        for (const attr of el.attributes) if (/^on/i.test(attr.name)) out.push(`${el.tagName} ${attr.name}`);
      }
      for (const a of document.querySelectorAll("#search-results li > a")) {
        const slug = new URL(a.href).pathname.split("/").filter(Boolean).pop();
        if (titles.get(slug) !== a.textContent) out.push(`${slug}: shown ${JSON.stringify(a.textContent)}`);
      }
      return out;
    });
    if (problems.length) fail(`query ${JSON.stringify(query)}: ${problems.join("; ")}`);
    const ms = Number(await page.getAttribute("#search-status", "data-ms"));
    const status = await page.textContent("#search-status");
    const first = await page.textContent("#search-results li:first-child a");
    console.log(`${JSON.stringify(query)}: ${ms.toFixed(2)} ms — ${status} First: ${first}`);
    times.push(ms);
    if (ms > LIMIT_MS) fail(`query ${JSON.stringify(query)} took ${ms} ms (limit ${LIMIT_MS})`);
    if (!new URL(page.url()).searchParams.get("q")) fail("the query is not kept in the address");
  }

  // A link in the results leads to the paper: a paper's address, and the page's heading
  // is the title that was clicked (the search page's own h1 would not do).
  const clicked = await page.textContent("#search-results li:first-child a");
  await Promise.all([page.waitForURL(/\/papers\/[^/]+\/$/, { timeout: 30000 }), page.click("#search-results li:first-child a")]);
  const norm = (t) => (t || "").replace(/\s+/g, " ").trim();
  const heading = await page.textContent("h1");
  if (norm(heading) !== norm(clicked)) fail(`the first result ${JSON.stringify(clicked)} led to a page titled ${JSON.stringify(heading)}`);
  console.log(`followed the first result to ${new URL(page.url()).pathname}`);

  // Nothing typed: no results, a hint. A word nobody uses: says so.
  await page.goto(`${url}search/?q=zzzyqxv`);
  await page.waitForSelector("#search-form[data-ready=true]");
  const none = await page.textContent("#search-status");
  if (!/No paper matches/.test(none)) fail(`no-match message: ${none}`);

  // Without JavaScript, the page says what to do.
  const plain = await browser.newPage({ javaScriptEnabled: false });
  await plain.goto(`${url}search/`);
  const noscript = await plain.evaluate(() => document.querySelector("noscript")?.textContent || "");
  if (!/needs JavaScript/.test(noscript)) fail("no <noscript> advice");

  if (foreign.length) fail(`requests to other hosts: ${foreign.join(", ")}`);
  if (times.length) console.log(`slowest query: ${Math.max(...times).toFixed(2)} ms over ${times.length} queries`);
} finally {
  await browser.close();
  child.kill("SIGINT");
}
