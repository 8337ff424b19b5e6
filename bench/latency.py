#!/usr/bin/env python3
"""Watch-mode latency: start `paperboy serve`, append a sentence to the last paper of FILE,
and time until the server tells open pages to reload (its files are then written; the
script checks that the paper's page, fetched over HTTP, shows the sentence). Prints median and max over
several edits. Usage: latency.py PAPERBOY SITE_ROOT FILE [ROUNDS]"""
import html
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request


def last_title(path):
    text = open(path, encoding="utf-8").read()
    if path.endswith(".md"):
        return re.search(r'^title\s*=\s*"(.*)"\s*$', text, re.M).group(1).replace('\\"', '"')
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-2].removeprefix("Subscribe")


def main():
    paperboy, root, path = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 7
    server = subprocess.Popen([paperboy, "serve", "--port", "0", "--root", root],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = None
        for line in server.stdout:
            m = re.search(r"(http://\S+)", line)
            if "Serving" in line and m:
                url = m.group(1)
                break
        title = last_title(path)
        date_page = None
        # Find the paper's URL from the issue pages of the home page and archive.
        archive = urllib.request.urlopen(url + "issues/").read().decode()
        key = html.escape(title[:40], quote=False)
        for issue in re.findall(r'href="(/[^"]*issues/\d{4}-\d\d-\d\d/)"', archive):
            page = urllib.request.urlopen(url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + issue).read().decode()
            m = re.search(r'href="([^"]*/papers/[^"]+/)">' + re.escape(key), page)
            if m:
                date_page = m.group(1)
                break
        assert date_page, f"cannot find the page of {title!r}"
        page_url = url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + date_page
        # Listen like an open browser tab: the server sends `reload` once the rebuilt files
        # are written. Polling the page instead would compete with the rebuild for the CPU.
        events = queue.Queue()

        def listen():
            stream = urllib.request.urlopen(url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/__paperboy/events")
            for raw in stream:
                line = raw.decode().strip()
                if line.startswith("event:"):
                    events.put(line.split(":", 1)[1].strip())

        threading.Thread(target=listen, daemon=True).start()
        assert events.get(timeout=10) == "ok", "the event stream did not start"
        times = []
        for i in range(rounds):
            marker = f"Benchmark marker {time.time_ns()}."
            start = time.perf_counter()
            with open(path, "a", encoding="utf-8") as f:
                f.write(" " + marker)
            event = events.get(timeout=30)
            elapsed = (time.perf_counter() - start) * 1000
            assert event == "reload", f"expected a reload, got {event}"
            body = urllib.request.urlopen(page_url).read().decode()
            assert marker in body, "the page was not rebuilt before the reload event"
            times.append(elapsed)
            time.sleep(0.3)
        each = ", ".join(f"{t:.0f}" for t in times)
        print(f"save → reload sent: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms over {rounds} edits ({each} ms)")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
