// Headless-browser test of the error overlay of `paperboy serve`: an open page shows a bad
// edit's `file:line` error over the last good page, drawn as text, and hides it when the
// file is fixed. Debian's chromium, driven by playwright-core, against the real binary.
//
//   node tests/browser/overlay.mjs PAPERBOY_BINARY SITE_ROOT [SCREENSHOT_DIR]
//
// SITE_ROOT is edited (a file is added under content/papers/ and removed again): pass a
// scratch copy. Exits non-zero on the first failed check.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { fail, serve } from "./harness.mjs";

const [binary, root, shots] = process.argv.slice(2);
if (!binary || !root) {
  console.error("usage: overlay.mjs PAPERBOY SITE_ROOT [SCREENSHOT_DIR]");
  process.exit(2);
}

// An invalid date whose error quotes markup: the overlay must show it as characters.
const broken = "+++\ntitle = \"Broken\"\ndate = \"<img src=x onerror=alert(1)>\"\n+++\nBody.\n";
const file = `${root}/content/papers/overlay-broken.md`;

const { child, url } = await serve(binary, root);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  for (const [name, viewport, scheme] of [
    ["desktop-light", { width: 1280, height: 800 }, "light"],
    ["phone-dark", { width: 390, height: 844 }, "dark"],
  ]) {
    const page = await browser.newPage({ viewport, colorScheme: scheme });
    page.on("dialog", (d) => fail(`a dialog opened: ${d.message()}`));
    page.on("pageerror", (e) => fail(`script error: ${e.message}`));
    await page.goto(url);
    const heading = await page.textContent("h1");
    // The event stream is open once the server has counted this page's connection; a short
    // wait for it is enough, as the overlay check below waits for the event itself.
    await page.waitForFunction(() => performance.getEntriesByType("resource").some((r) => r.name.includes("/__paperboy/")));
    await page.waitForTimeout(300);

    mkdirSync(`${root}/content/papers`, { recursive: true });
    writeFileSync(file, broken);
    const alert = await page.waitForSelector("[role=alert]", { timeout: 30000 });
    const text = await alert.textContent();
    if (!/overlay-broken\.md:\d+/.test(text)) fail(`the overlay does not name the file and line: ${JSON.stringify(text)}`);
    if (!text.includes("<img src=x onerror=alert(1)>")) fail(`the error's markup is not shown as text: ${JSON.stringify(text)}`);
    const inside = await page.$$eval("[role=alert] *", (els) => els.map((e) => e.tagName.toLowerCase()));
    const odd = inside.filter((t) => !["h2", "pre", "p"].includes(t));
    if (odd.length) fail(`the overlay drew elements from the error text: ${odd.join(", ")}`);
    if ((await page.textContent("h1")) !== heading) fail("the last good page is not kept under the overlay");
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: `${shots}/overlay-${name}.png` });
    }
    console.log(`${name}: overlay shown: ${JSON.stringify(text.split("\n").find((l) => l.includes("overlay-broken.md")))}`);

    rmSync(file);
    await page.waitForFunction(() => !document.querySelector("[role=alert]"), null, { timeout: 30000 });
    console.log(`${name}: overlay gone after the fix`);
    await page.close();
  }
} finally {
  await browser.close();
  child.kill();
}
