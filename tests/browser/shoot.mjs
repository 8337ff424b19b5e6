// Screenshots of built pages for checking by eye, at desktop and phone width, light and
// dark: node tests/browser/shoot.mjs PUBLIC_DIR OUT_DIR PATH[=NAME] ...
// Serves PUBLIC_DIR on loopback (the site must be built with base_url at the root).
import { createServer } from "node:http";
import { readFileSync, statSync, mkdirSync } from "node:fs";
import { join, extname } from "node:path";
import { chromium } from "playwright-core";

const [root, out, ...pages] = process.argv.slice(2);
if (!root || !out || pages.length === 0) {
  console.error("usage: shoot.mjs PUBLIC_DIR OUT_DIR PATH[=NAME] ...");
  process.exit(2);
}
const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".xml": "application/xml" };
const server = createServer((req, res) => {
  let path = join(root, decodeURIComponent(new URL(req.url, "http://x").pathname));
  try {
    if (statSync(path).isDirectory()) path = join(path, "index.html");
    res.writeHead(200, { "content-type": types[extname(path)] || "application/octet-stream" });
    res.end(readFileSync(path));
  } catch {
    res.writeHead(404);
    res.end("not found");
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}`;
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
for (const spec of pages) {
  const [path, name = path.replace(/[^a-z0-9]+/gi, "-")] = spec.split("=");
  for (const [label, width, height] of [["desktop", 1280, 1600], ["phone", 390, 1400]]) {
    for (const scheme of ["light", "dark"]) {
      const page = await browser.newPage({ viewport: { width, height } });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(base + path);
      const file = join(out, `${name}-${label}-${scheme}.png`);
      await page.screenshot({ path: file });
      console.log(file);
      await page.close();
    }
  }
}
await browser.close();
server.close();
