// Screenshots for checking themes by eye: the home page, a paper page with math and the
// search page with results, in light and dark mode, 1280 and 390 pixels wide, for every
// built-in theme.
//
//   node tests/browser/screenshots.mjs PAPERBOY_BINARY OUT_DIR
//
// Builds the sample (plus one Markdown paper with formulas) per theme in OUT_DIR/site-THEME.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [binary, out] = process.argv.slice(2);
if (!binary || !out) {
  console.error("usage: screenshots.mjs PAPERBOY OUT_DIR");
  process.exit(2);
}

function serve(root) {
  const child = spawn(binary, ["serve", "--port", "0", "--root", root], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        const url = line.split(/\s+/).find((w) => w.startsWith("http://"));
        if (url) resolve({ child, url });
      });
    }
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

const MATH = `+++
title = "Regret Bounds with Formulas"
date = 2026-11-26
tags = ["Learning Theory"]
+++
We prove a regret of $\\mathcal{O}(d^{3/2}H^2\\sqrt{K})$ for linear MDPs, matching
$$\\Omega\\left(dH\\sqrt{K}\\right) \\le \\mathrm{Regret}(K) \\le \\tilde{O}\\left(\\frac{d^{3/2}H^2}{\\varepsilon}\\right)$$
up to logarithmic factors, and show that $\\frac{a}{b$ is kept as written.
`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  for (const theme of ["default", "newsletter"]) {
    const root = join(out, `site-${theme}`);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(join(root, "content", "papers"), { recursive: true });
    cpSync("content", join(root, "content"), { recursive: true });
    writeFileSync(join(root, "content", "papers", "math.md"), MATH);
    writeFileSync(join(root, "paperboy.toml"), `theme = "${theme}"\n`);
    const { child, url } = await serve(root);
    try {
      for (const scheme of ["light", "dark"]) {
        for (const width of [1280, 390]) {
          const page = await browser.newPage({ viewport: { width, height: 900 } });
          await page.emulateMedia({ colorScheme: scheme });
          const shots = [
            ["home", ""],
            ["paper-math", "papers/regret-bounds-with-formulas/"],
            ["search", "search/?q=distributional+reinforcement"],
          ];
          for (const [name, path] of shots) {
            await page.goto(url + path);
            if (name === "search") {
              await page.waitForSelector("#search-status[data-query]");
              // The first result focused, as the arrow key leaves it.
              await page.focus("#search-q");
              await page.keyboard.press("ArrowDown");
            }
            const file = join(out, `${theme}-${name}-${scheme}-${width}.png`);
            await page.screenshot({ path: file, fullPage: name === "search" });
            console.log(file);
          }
          await page.close();
        }
      }
    } finally {
      child.kill("SIGINT");
    }
  }
} finally {
  await browser.close();
}
