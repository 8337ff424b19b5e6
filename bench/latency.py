#!/usr/bin/env python3
"""Watch-mode latency: start `paperboy serve`, append a sentence to the last paper of FILE,
and time until the server tells open pages to reload (its files are then written; the
script checks that the paper's page, fetched over HTTP, shows the sentence). Prints median and max over
several edits, 3 s apart as a person saves. FILE may be a digest (.txt), a Markdown paper or a JSON Lines file (then
the abstract of its last paper is edited, in that paper's first record: a repeat sighting only fills gaps). Usage: latency.py PAPERBOY SITE_ROOT FILE [ROUNDS];
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


def first_sighting(lines):
    """Index of the record that gives the last paper of a JSON Lines file its text.

    Crawlers list a paper again on later days; paperboy keeps the first record's text and
    a repeat only fills fields the first left empty, so an edit must go to the first."""
    last = json.loads(lines[-1])
    key = last.get("arxiv") or last.get("id") or last["title"]
    for i, line in enumerate(lines):
        if line.strip():
            record = json.loads(line)
            if (record.get("arxiv") or record.get("id") or record["title"]) == key:
                return i
    return len(lines) - 1


def last_title(path, at=None):
    """The title of the paper last in `path` (for JSON Lines, of record `at`: see `edited`)."""
    text = open(path, encoding="utf-8").read()
    if path.endswith(".jsonl"):
        lines = text.splitlines()
        return json.loads(lines[first_sighting(lines) if at is None else at])["title"]
    if path.endswith(".md"):
        return re.search(r'^title\s*=\s*"(.*)"\s*$', text, re.M).group(1).replace('\\"', '"')
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-2].removeprefix("Subscribe")


def edited(path, text, at=None):
    """The contents of `path` with `text` added to the end of its last paper, as an editor
    would save them. For JSON Lines, `at` is the record to edit (found by `first_sighting`
    when not given; the timed loop finds it once, since reading every record is not part of
    a save)."""
    content = open(path, encoding="utf-8").read()
    if not path.endswith(".jsonl"):
        return content + " " + text
    lines = content.splitlines()
    if at is None:
        at = first_sighting(lines)
    record = json.loads(lines[at])
    record["abstract"] += " " + text
    lines[at] = json.dumps(record, ensure_ascii=False)
    return "\n".join(lines) + "\n"


def save(path, content):
    with open(path, "w", encoding="utf-8") as f:
        f.write(content)


def main():
    if sys.argv[1] == "--append":
        save(sys.argv[2], edited(sys.argv[2], sys.argv[3]))
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
        # The record to edit, found once: reading every record is not part of a save.
        at = None
        if path.endswith(".jsonl"):
            at = first_sighting(open(path, encoding="utf-8").read().splitlines())
        title = last_title(path, at)
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
            # The edit is made before the clock starts: the save is the write, and reading a
            # big JSON Lines file in Python took longer than paperboy's rebuild.
            content = edited(path, marker, at)
            start = time.perf_counter()
            save(path, content)
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
