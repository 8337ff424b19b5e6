// What every browser test needs: the real `paperboy serve` on a free port, and a failure
// that marks the exit code and stops the test.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** Prints `message`, sets a failing exit code and throws, so the test stops here. */
export function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

/** Starts `binary serve --port 0` on `root` and resolves with {child, url} once it prints
 * its URL. */
export function serve(binary, root) {
  const child = spawn(binary, ["serve", "--port", "0", "--root", root], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("serve did not start")), 120000);
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
