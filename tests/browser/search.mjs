// Headless-browser test of /search/: Debian's chromium, driven by playwright-core, against the
// real `paperboy serve`. Types queries key by key and checks what a reader would see.
//
//   node tests/browser/search.mjs PAPERBOY_BINARY SITE_ROOT [OPTION]... [QUERY EXPECTED_TITLE]...
//
// An expected title of `*` only times the query. Options:
//
//   --recall QUERY=REGEX  every paper with a word (of its title, abstract or tags) matching
//                         REGEX (whole word, lower case) must be among QUERY's results;
//                         prints recall and precision against that set
//   --hostile TEXT        the results of a query for TEXT must be text: no element but the
//                         ones search.js draws, no script run
//   --order Q=T1|T2|...   the results of query Q must begin with exactly these titles, in
//                         this order (the README's ranking rules)
//   --exactly Q=T1|T2|... the results of query Q must be these titles and no others, in
//                         this order (every word of a query must match)
//   --measure Q1,Q2,...   for each query, in a fresh browser context: bytes fetched (raw and
//                         gzipped) until its first results are drawn, bytes of a second
//                         query, time to the first results, and the time of the query again
//   --max-first-kb N      a measured query of one word may fetch at most N KB (gzipped)
//                         before its first results
//   --snippet Q=TITLE=W   the result of query Q titled TITLE must show a snippet that marks W
//                         (the word typed, though other forms of it come first)
//
// Exits non-zero on the first failed check. Prints the in-page search time of every query.
import { chromium } from "playwright-core";
import { fail, serve } from "./harness.mjs";
import { counter, paperWords, papersOnDisk, relevant } from "./measure.mjs";

const args = process.argv.slice(2);
const [binary, root] = args;
const recalls = [], hostile = [], orders = [], snippets = [], pairs = [];
let measure = [], maxFirstKb = Infinity;
for (let i = 2; i < args.length; i++) {
  if (args[i] === "--recall") recalls.push(args[++i].split(/=(.*)/s).slice(0, 2));
  else if (args[i] === "--hostile") hostile.push(args[++i]);
  else if (args[i] === "--order") orders.push([...args[++i].split(/=(.*)/s).slice(0, 2), false]);
  else if (args[i] === "--exactly") orders.push([...args[++i].split(/=(.*)/s).slice(0, 2), true]);
  else if (args[i] === "--measure") measure = args[++i].split(",");
  else if (args[i] === "--max-first-kb") maxFirstKb = Number(args[++i]);
  else if (args[i] === "--snippet") snippets.push(args[++i].split("="));
  else pairs.push(args[i]);
}
if (!binary || !root || pairs.length % 2 !== 0) {
  console.error("usage: search.mjs PAPERBOY SITE_ROOT [--recall Q=RE] [--hostile TEXT] [--order Q=T1|T2] [--exactly Q=T1|T2] [--measure Q,...] [QUERY TITLE]...");
  process.exit(2);
}
// Generous: a typed query may wait for the shards and chunks it needs, on slow CI machines.
const LIMIT_MS = Number(process.env.SEARCH_LIMIT_MS || 1000);

/** Waits until the search page has answered `query` (the status names it). */
async function answered(page, query) {
  await page.waitForFunction(
    (q) => document.getElementById("search-status").getAttribute("data-query") === q,
    query,
    { timeout: 30000 },
  );
}

/** Checks what a result shows and the keyboard and paging around it, on a page with results. */
async function checkResults(page) {
  // Results carry a snippet and a date as pages show it; marks are the matched words.
  const item = await page.$eval("#search-results li", (li) => ({
    date: li.querySelector("time")?.textContent || "",
    iso: li.querySelector("time")?.getAttribute("datetime") || "",
    snippet: li.querySelector(".search-snippet")?.textContent || "",
    marks: [...li.querySelectorAll("mark")].map((m) => m.textContent),
  }));
  if (!/^\d{1,2} [A-Z][a-z]+ \d{4}$/.test(item.date) || !/^\d{4}-\d\d-\d\d$/.test(item.iso)) fail(`result date: ${JSON.stringify(item)}`);
  if (item.snippet.length < 20) fail(`no snippet: ${JSON.stringify(item)}`);
  if (!item.marks.length) fail(`nothing highlighted: ${JSON.stringify(item)}`);

  // Keyboard: down from the box to the first result, down to the second, Escape back.
  await page.focus("#search-q");
  await page.keyboard.press("ArrowDown");
  const firstHref = await page.getAttribute("#search-results li:first-child a", "href");
  if (await page.evaluate(() => document.activeElement.getAttribute("href")) !== firstHref) fail("ArrowDown does not reach the first result");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Escape");
  if (await page.evaluate(() => document.activeElement.id) !== "search-q") fail("Escape does not return to the box");

  // A link in the results leads to the paper: the address changes to the link's, and the
  // page's heading is the result's title (the search page has an h1 of its own).
  const first = await page.$eval("#search-results li:first-child a", (a) => ({ href: a.href, title: a.textContent }));
  await Promise.all([page.waitForURL(first.href), page.click("#search-results li:first-child a")]);
  const heading = (await page.textContent("h1")).trim();
  if (heading !== first.title.trim()) fail(`the first result leads to ${JSON.stringify(heading)}, not ${JSON.stringify(first.title)}`);
  console.log(`followed the first result to ${new URL(page.url()).pathname}`);
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const { child, url } = await serve(binary, root);
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

  const loading = counter(page);
  await page.goto(`${url}search/`);
  await page.waitForSelector("#search-form[data-ready=true]", { timeout: 30000 });
  await answered(page, "");
  const loaded = await loading();
  const count = await page.evaluate(async () => (await (await fetch(document.getElementById("search-form").dataset.index)).json()).papers);
  console.log(`index head loaded: ${count} papers; ${loaded.requests} requests, ${kb(loaded.gzip)} gzipped before any query`);

  const times = [];
  let broadest = null, most = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const [query, title] = [pairs[i], pairs[i + 1]];
    await page.fill("#search-q", "");
    await page.type("#search-q", query, { delay: 5 });
    await answered(page, query);
    if (title !== "*") {
      const titles = await page.$$eval("#search-results li > a", (as) => as.map((a) => a.textContent));
      if (!titles.includes(title)) fail(`query ${JSON.stringify(query)} did not list ${JSON.stringify(title)} first page: ${JSON.stringify(titles)}`);
    }
    const ms = Number(await page.getAttribute("#search-status", "data-ms"));
    const status = await page.textContent("#search-status");
    const first = await page.textContent("#search-results li:first-child a").catch(() => "(none)");
    console.log(`${JSON.stringify(query)}: ${ms.toFixed(2)} ms — ${status} First: ${first}`);
    times.push(ms);
    const hits = await page.evaluate(() => document.getElementById("search-form").paperboyHits.length);
    if (hits > most) [broadest, most] = [query, hits];
    if (ms > LIMIT_MS) fail(`query ${JSON.stringify(query)} took ${ms} ms (limit ${LIMIT_MS})`);
    if (!new URL(page.url()).searchParams.get("q")) fail("the query is not kept in the address");
  }
  // More results: the query with the most hits shows the next page on request.
  if (most > 10) {
    await page.fill("#search-q", broadest);
    await answered(page, broadest);
    const shown = await page.$$eval("#search-results li", (l) => l.length);
    if (!(await page.isVisible("#search-more"))) fail(`${most} results of ${JSON.stringify(broadest)} and no "More results"`);
    await page.click("#search-more");
    await page.waitForFunction((n) => document.querySelectorAll("#search-results li").length > n, shown);
    console.log(`more results of ${JSON.stringify(broadest)}: ${shown} → ${await page.$$eval("#search-results li", (l) => l.length)}`);
  }
  // The first query with a title to find is typed again, to check what its results show.
  const titled = pairs.findIndex((t, i) => i % 2 === 1 && t !== "*");
  if (titled > 0) {
    await page.fill("#search-q", pairs[titled - 1]);
    await answered(page, pairs[titled - 1]);
    await checkResults(page);
  }

  if (recalls.length) {
    const words = paperWords(papersOnDisk(`${root}/.paperboy/serve/search`));
    for (const [query, source] of recalls) {
      const wanted = relevant(words, source);
      await page.goto(`${url}search/?q=${encodeURIComponent(query)}`);
      await answered(page, query);
      const hits = await page.evaluate(() => Array.from(document.getElementById("search-form").paperboyHits));
      const found = hits.filter((p) => wanted.has(p)).length;
      const recall = wanted.size ? found / wanted.size : 1;
      const precision = hits.length ? found / hits.length : 1;
      console.log(`recall ${JSON.stringify(query)} (${source}): ${found}/${wanted.size} = ${recall.toFixed(2)}, precision ${precision.toFixed(2)} of ${hits.length} results`);
      if (recall < 1) fail(`recall of ${JSON.stringify(query)} is ${recall.toFixed(3)}`);
    }
  }

  for (const text of hostile) {
    await page.goto(`${url}search/?q=${encodeURIComponent(text)}`);
    await answered(page, text);
    const drawn = await page.$$eval("#search-results *", (els) => els.map((e) => e.tagName.toLowerCase()));
    const odd = drawn.filter((t) => !["li", "a", "span", "time", "p", "mark"].includes(t));
    if (odd.length) fail(`hostile text drew elements: ${odd.join(", ")}`);
    const titles = await page.$$eval("#search-results li > a", (as) => as.map((a) => a.textContent));
    if (!titles.some((t) => /[<>]/.test(t))) fail(`no hostile title drawn as text for ${JSON.stringify(text)}: ${JSON.stringify(titles)}`);
    console.log(`hostile ${JSON.stringify(text)}: ${titles.length} titles drawn as text, e.g. ${JSON.stringify(titles.find((t) => /[<>]/.test(t)))}`);
  }

  for (const [query, title, word] of snippets) {
    await page.goto(`${url}search/?q=${encodeURIComponent(query)}`);
    await answered(page, query);
    const items = await page.$$eval("#search-results li", (lis) => lis.map((li) => ({
      title: li.querySelector("a")?.textContent || "",
      marks: [...li.querySelectorAll(".search-snippet mark")].map((m) => m.textContent.toLowerCase()),
    })));
    const item = items.find((i) => i.title === title);
    if (!item) fail(`query ${JSON.stringify(query)} did not list ${JSON.stringify(title)}`);
    if (!item.marks.includes(word)) fail(`the snippet of ${JSON.stringify(title)} for ${JSON.stringify(query)} marks ${JSON.stringify(item.marks)}, not ${JSON.stringify(word)}`);
    console.log(`snippet ${JSON.stringify(query)}: ${JSON.stringify(title)} marks ${JSON.stringify(item.marks)}`);
  }

  for (const [query, list, whole] of orders) {
    const expected = list.split("|");
    await page.goto(`${url}search/?q=${encodeURIComponent(query)}`);
    await answered(page, query);
    const titles = await page.$$eval("#search-results li > a", (as) => as.map((a) => a.textContent));
    const head = whole ? titles : titles.slice(0, expected.length);
    if (JSON.stringify(head) !== JSON.stringify(expected)) {
      fail(`query ${JSON.stringify(query)} ranked ${JSON.stringify(titles)}, expected ${JSON.stringify(expected)}${whole ? " and nothing else" : " first"}`);
    }
    console.log(`order ${JSON.stringify(query)}: ${head.join(" > ")}`);
  }

  if (measure.length) {
    const cold = [], warm = [];
    for (let i = 0; i < measure.length; i++) {
      const q = measure[i], next = measure[(i + 1) % measure.length];
      const context = await browser.newContext();
      const p = await context.newPage();
      p.on("pageerror", (e) => fail(`script error: ${e.message}`));
      const first = counter(p);
      await p.goto(`${url}search/?q=${encodeURIComponent(q)}`);
      await answered(p, q);
      const bytes = await first();
      const sinceStart = await p.evaluate(() => performance.now());
      const ms = Number(await p.getAttribute("#search-status", "data-ms"));
      const hits = await p.evaluate(() => document.getElementById("search-form").paperboyHits.length);
      const second = counter(p);
      await p.fill("#search-q", next);
      await answered(p, next);
      const bytes2 = await second();
      // The same query again, everything it needs fetched: the time of the search itself.
      await p.fill("#search-q", "");
      await answered(p, "");
      await p.fill("#search-q", q);
      await answered(p, q);
      const again = Number(await p.getAttribute("#search-status", "data-ms"));
      cold.push(ms);
      warm.push(again);
      if (!/\s/.test(q.trim()) && bytes.gzip > maxFirstKb * 1024) fail(`${JSON.stringify(q)} fetched ${kb(bytes.gzip)} before its first results (at most ${maxFirstKb} KB)`);
      console.log(`measure ${JSON.stringify(q)}: ${hits} results; before the first: ${bytes.requests} requests, ${kb(bytes.gzip)} gzipped (${kb(bytes.raw)} raw), ` +
        `${sinceStart.toFixed(0)} ms from navigation, query ${ms.toFixed(1)} ms; then ${JSON.stringify(next)}: ${kb(bytes2.gzip)} gzipped; again: ${again.toFixed(1)} ms`);
      await context.close();
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`measure: median query once loaded ${median(warm).toFixed(1)} ms; first query median ${median(cold).toFixed(1)} ms, max ${Math.max(...cold).toFixed(1)} ms`);
  }

  // Nothing typed: no results, a hint. A word nobody uses: says so.
  await page.goto(`${url}search/?q=zzzyqxv`);
  await answered(page, "zzzyqxv");
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
