// Headless-browser test of /search/: Debian's chromium, driven by playwright-core, against the
// real `paperboy serve`. Types queries key by key and checks what a reader would see.
//
//   node tests/browser/search.mjs PAPERBOY_BINARY SITE_ROOT [QUERY EXPECTED_TITLE]...
//
// An expected title of `*` only times the query.
//
// Exits non-zero on the first failed check. Prints the in-page search time of every query.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const [binary, root, ...pairs] = process.argv.slice(2);
if (!binary || !root || pairs.length % 2 !== 0) {
  console.error("usage: search.mjs PAPERBOY SITE_ROOT [QUERY TITLE]...");
  process.exit(2);
}
const LIMIT_MS = Number(process.env.SEARCH_LIMIT_MS || 50);

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
    // A title of "*" only times the query (a broad one, say).
    if (title !== "*") {
      await page.waitForFunction(
        (t) => [...document.querySelectorAll("#search-results a")].some((a) => a.textContent === t),
        title,
        { timeout: 5000 },
      ).catch(() => fail(`query ${JSON.stringify(query)} did not list ${JSON.stringify(title)}`));
    }
    const ms = Number(await page.getAttribute("#search-status", "data-ms"));
    const status = await page.textContent("#search-status");
    const first = await page.textContent("#search-results li:first-child a");
    console.log(`${JSON.stringify(query)}: ${ms.toFixed(2)} ms — ${status} First: ${first}`);
    times.push(ms);
    if (ms > LIMIT_MS) fail(`query ${JSON.stringify(query)} took ${ms} ms (limit ${LIMIT_MS})`);
    if (!new URL(page.url()).searchParams.get("q")) fail("the query is not kept in the address");
  }

  // A link in the results leads to the paper.
  await page.click("#search-results li:first-child a");
  await page.waitForSelector("h1");
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
