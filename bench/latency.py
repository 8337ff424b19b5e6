#!/usr/bin/env python3
"""Watch-mode latency: start `paperboy serve`, append a sentence to the last paper of FILE,
and time until the server tells open pages to reload (its files are then written; the
script checks that the paper's page, fetched over HTTP, shows the sentence). Prints median and max over
several edits, 3 s apart as a person saves. FILE may be a digest (.txt), a Markdown paper or a JSON Lines file (then its
last record's abstract is edited). Usage: latency.py PAPERBOY SITE_ROOT FILE [ROUNDS];
latency.py --append FILE TEXT only makes that edit."""
import json
import html
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

# Seconds between one edit's reload and the next edit.
PAUSE = 3.0


def last_title(path):
    text = open(path, encoding="utf-8").read()
    if path.endswith(".jsonl"):
        return json.loads(text.splitlines()[-1])["title"]
    if path.endswith(".md"):
        return re.search(r'^title\s*=\s*"(.*)"\s*$', text, re.M).group(1).replace('\\"', '"')
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-2].removeprefix("Subscribe")


def append(path, text):
    """Adds `text` to the end of the paper last in `path`, as an editor would save it."""
    if path.endswith(".jsonl"):
        lines = open(path, encoding="utf-8").read().splitlines()
        record = json.loads(lines[-1])
        record["abstract"] += " " + text
        lines[-1] = json.dumps(record, ensure_ascii=False)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    else:
        with open(path, "a", encoding="utf-8") as f:
            f.write(" " + text)


def main():
    if sys.argv[1] == "--append":
        append(sys.argv[2], sys.argv[3])
        return
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
        if not date_page:
            # Big days list only their first papers on the issue page: ask the sitemap.
            slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
            # Past 50,000 pages the sitemap is an index of sitemaps: read each.
            origin = url.split("/", 3)[0] + "//" + url.split("/", 3)[2]
            maps = [url + "sitemap.xml"]
            while maps and not date_page:
                sitemap = urllib.request.urlopen(maps.pop(0)).read().decode()
                if "<sitemapindex" in sitemap:
                    maps += [origin + p for p in re.findall(r"<loc>https?://[^/<]+(/[^<]*)</loc>", sitemap)]
                    continue
                m = re.search(r"<loc>https?://[^/<]+(/[^<]*papers/" + re.escape(slug) + r"[^<]*)</loc>", sitemap)
                date_page = m and m.group(1)
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
            append(path, marker)
            event = events.get(timeout=30)
            elapsed = (time.perf_counter() - start) * 1000
            assert event == "reload", f"expected a reload, got {event}"
            body = urllib.request.urlopen(page_url).read().decode()
            assert marker in body, "the page was not rebuilt before the reload event"
            times.append(elapsed)
            # Saves come seconds apart when a person edits: a server that hands memory back
            # between them pays for it on the next save, which back-to-back edits would hide.
            time.sleep(PAUSE)
        each = ", ".join(f"{t:.0f}" for t in times)
        print(f"save → reload sent: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms over {rounds} edits ({each} ms)")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
