#!/usr/bin/env python3
"""check_feeds.py DIR BASE_URL [--w3c-level=A|AA] — every RSS/Atom/JSON feed under DIR through feedparser (the
parser most Python feed readers use) plus the structural rules of RSS 2.0, RFC 4287 and JSON
Feed 1.1 (feedparser 6.0 cannot read JSON Feed: those get the spec's rules only).

Every RSS and Atom feed also goes through the W3C Feed Validator (github.com/w3c/feedvalidator),
in-process at the online validator's level: an error or a warning fails (with
--w3c-level=A, only an error: the hostile fixture's titles are HTML-like text on purpose,
escaped, and the validator warns about any title that looks like markup). No package registry
has it, so its `feedvalidator` package is kept in scripts/w3c/ (MIT-style licence beside it).

Fails on: XML that is not well-formed, a bozo parse, a missing title/link/id/date on the feed
or an entry, relative links, duplicate ids, a self link that does not match the file's URL, a
W3C error or warning. Installs feedparser (and html5lib and rdflib, which the W3C validator
imports) into a venv under $CACHE when they are not importable.
"""
import email.utils
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

CACHE = os.environ.get("CACHE", os.path.expanduser("~/.cache/paperboy-ci"))


PIP_PKGS = ["feedparser==6.0.14", "html5lib==1.1", "rdflib==7.6.0"]
W3C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "w3c")


def ensure_feedparser():
    try:
        import feedparser  # noqa: F401
        import html5lib  # noqa: F401
        import rdflib  # noqa: F401
        return
    except ImportError:
        pass
    venv = os.path.join(CACHE, "venv")
    py = os.path.join(venv, "bin", "python")
    if os.environ.get("PAPERBOY_CHECK_FEEDS_VENV"):
        sys.exit("check_feeds: feedparser, html5lib or rdflib still missing inside the venv")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    subprocess.check_call([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", *PIP_PKGS])
    os.environ["PAPERBOY_CHECK_FEEDS_VENV"] = "1"
    os.execv(py, [py] + sys.argv)


ATOM = "{http://www.w3.org/2005/Atom}"


def check(path, rel, base, level, failures):
    import feedparser

    def fail(msg):
        failures.append(f"{rel}: {msg}")

    if path.endswith(".json"):
        return check_json(path, rel, base, fail)
    # Read once: the three parsers below each take the bytes.
    with open(path, "rb") as f:
        data = f.read()
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        return fail(f"not well-formed XML: {e}")
    if root.tag not in ("rss", ATOM + "feed"):
        return  # sitemap and other XML: well-formedness is enough
    check_w3c(data, base + rel, level, fail)
    parsed = feedparser.parse(data)
    if parsed.bozo:
        fail(f"feedparser bozo: {parsed.bozo_exception}")
    if not parsed.version:
        fail("feedparser does not recognise the format")
    feed = parsed.feed
    for key in ("title", "link"):
        if not feed.get(key):
            fail(f"feed has no {key}")
    self_links = [l["href"] for l in feed.get("links", []) if l.get("rel") == "self"]
    if self_links != [base + rel]:
        fail(f"self link {self_links} is not {base + rel}")
    ids = set()
    for i, e in enumerate(parsed.entries):
        where = f"entry {i + 1}"
        for key in ("title", "link", "id"):
            if not e.get(key):
                fail(f"{where} has no {key}")
        if not (e.get("published_parsed") or e.get("updated_parsed")):
            fail(f"{where} has no parsable date")
        if not e.get("link", "").startswith(("http://", "https://")):
            fail(f"{where} link is not absolute: {e.get('link')}")
        if e.get("id") in ids:
            fail(f"{where} repeats id {e.get('id')}")
        ids.add(e.get("id"))
    if root.tag == "rss":
        channel = root.find("channel")
        for tag in ("title", "link", "description"):
            if channel.find(tag) is None:
                fail(f"channel has no <{tag}>")
        for tag in ("pubDate", "lastBuildDate"):
            node = channel.find(tag)
            if node is not None and email.utils.parsedate_tz(node.text) is None:
                fail(f"<{tag}> is not an RFC 822 date: {node.text}")
        for item in channel.findall("item"):
            if item.find("guid") is None:
                fail("an item has no <guid>")
    else:
        for tag in ("id", "title", "updated"):
            if root.find(ATOM + tag) is None:
                fail(f"feed has no <{tag}>")
        if root.find(ATOM + "author") is None and any(e.find(ATOM + "author") is None for e in root.findall(ATOM + "entry")):
            fail("neither the feed nor every entry has an <author>")
        for entry in root.findall(ATOM + "entry"):
            for tag in ("id", "title", "updated"):
                if entry.find(ATOM + tag) is None:
                    fail(f"an entry has no <{tag}>")
    return len(parsed.entries)


def check_w3c(data, url, level, fail):
    """The W3C Feed Validator on the feed `data` (bytes), published at `url`: what it reports at
    `level` fails ("AA", the online validator's: errors and warnings; "A": errors only)."""
    if W3C not in sys.path:
        sys.path.insert(0, W3C)
    import feedvalidator
    from feedvalidator import compatibility
    from feedvalidator.formatter.text_plain import Formatter
    from feedvalidator.logging import Error, Warning as W3CWarning

    try:
        events = feedvalidator.validateString(data, firstOccurrenceOnly=1, fallback="utf-8", base=url)["loggedEvents"]
    except feedvalidator.logging.ValidationFailure as failure:
        events = [failure.event]
    for event in getattr(compatibility, level)(events):
        if isinstance(event, (Error, W3CWarning)):
            kind = "error" if isinstance(event, Error) else "warning"
            fail(f"W3C Feed Validator {kind}: {Formatter([event])[0]}")


def check_json(path, rel, base, fail):
    """JSON Feed 1.1: feedparser 6.0 does not read JSON Feed (feed-rs does, in tests/reader.rs),
    so the spec's rules are checked by hand here."""
    import json

    with open(path, encoding="utf-8") as f:
        try:
            doc = json.load(f)
        except ValueError as e:
            return fail(f"not valid JSON: {e}")
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        fail(f"version is {doc.get('version')!r}")
    if not doc.get("title"):
        fail("feed has no title")
    if doc.get("feed_url") != base + rel:
        fail(f"feed_url {doc.get('feed_url')} is not {base + rel}")
    ids = set()
    for i, item in enumerate(doc.get("items", [])):
        if not item.get("id") or item["id"] in ids:
            fail(f"item {i + 1}: missing or repeated id")
        ids.add(item.get("id"))
        if not (item.get("content_html") or item.get("content_text")):
            fail(f"item {i + 1}: no content")
        if not str(item.get("url", "")).startswith(("http://", "https://")):
            fail(f"item {i + 1}: url is not absolute")
    for key in ("id", "url", "title", "date_published"):
        if any(not item.get(key) for item in doc.get("items", [])):
            fail(f"an item has no {key}")
    return len(doc.get("items", []))


def main():
    args = sys.argv[1:]
    level = "AA"
    if args and args[-1].startswith("--w3c-level="):
        level = args.pop().split("=", 1)[1]
    if len(args) != 2 or level not in ("A", "AA"):
        sys.exit("usage: check_feeds.py DIR BASE_URL [--w3c-level=A|AA]")
    ensure_feedparser()
    top, base = args[0], args[1].rstrip("/") + "/"
    failures, feeds = [], 0
    for dirpath, _, files in os.walk(top):
        for name in sorted(files):
            if name.endswith(".xml") or name == "feed.json":
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, top).replace(os.sep, "/")
                if check(path, rel, base, level, failures) is not None:
                    feeds += 1
    for f in failures:
        print(f)
    if failures or feeds == 0:
        print(f"check_feeds: FAIL — {len(failures)} problem(s) in {feeds} feed(s)")
        sys.exit(1)
    print(f"check_feeds: OK — {feeds} feeds parse cleanly (RSS/Atom in feedparser, JSON Feed by its spec) and RSS/Atom pass the W3C Feed Validator")


if __name__ == "__main__":
    main()
