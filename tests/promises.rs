//! README promises that no other test kept: each test names the promise it keeps (see
//! `tests/README.md` for the whole table).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;

const HOSTILE: &str = "<script>alert(1)</script> & \"q\" 'a' <img src=x onerror=alert(2)>";

/// The site's URLs of every page on disk (`…/index.html` → `…/`), but the 404 page,
/// redirects and the `page/N/` continuations, which the sitemap does not list.
fn page_urls(site: &TestSite, base: &str) -> BTreeSet<String> {
    html_files(&site.public())
        .into_iter()
        .filter(|(rel, html)| {
            rel.ends_with("index.html") && !rel.contains("/page/") && !html.contains("http-equiv=\"refresh\"")
        })
        .map(|(rel, _)| format!("{base}{}", rel.trim_end_matches("index.html")))
        .collect()
}

fn sitemap_urls(site: &TestSite) -> BTreeSet<String> {
    let xml = site.read("sitemap.xml");
    let urls: BTreeSet<String> = xml
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap().replace("&amp;", "&"))
        .collect();
    assert!(!urls.is_empty(), "an empty sitemap: {xml}");
    urls
}

/// README: "/sitemap.xml … every page with lastmod", the search page among them.
#[test]
fn the_sitemap_lists_every_page_the_search_page_included() {
    let site = TestSite::new();
    site.write("paperboy.toml", "base_url = \"https://example.org/d/\"\n");
    site.write("content/2026-11-26.txt", SAMPLE);
    site.write(
        "content/p.md",
        md_paper("Tagged", "2026-11-25", &["Robotics"], "Robots."),
    );
    site.build_ok(&[]);
    let base = "https://example.org/d/";
    let (pages, listed) = (page_urls(&site, base), sitemap_urls(&site));
    assert!(pages.len() > 200, "{} pages", pages.len());
    assert!(
        listed.contains("https://example.org/d/search/"),
        "no /search/ in the sitemap"
    );
    assert_eq!(
        pages.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "pages missing from the sitemap"
    );
    assert_eq!(
        listed.difference(&pages).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "sitemap URLs with no page"
    );
    let xml = site.read("sitemap.xml");
    assert_eq!(
        xml.matches("<url>").count(),
        xml.matches("<lastmod>").count(),
        "every URL has lastmod"
    );
}

/// README: "optionally search.html … a theme without them simply gets no search page".
#[test]
fn a_theme_without_search_html_gets_no_search_page() {
    let site = TestSite::new();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    let mut copied = 0;
    for entry in walkdir::WalkDir::new(&from).into_iter().map(|e| e.unwrap()) {
        let rel = entry.path().strip_prefix(&from).unwrap().to_string_lossy().into_owned();
        if entry.file_type().is_file() && rel != "templates/search.html" {
            site.write(&format!("themes/plain/{rel}"), std::fs::read(entry.path()).unwrap());
            copied += 1;
        }
    }
    assert!(copied > 5);
    site.write(
        "paperboy.toml",
        "theme = \"plain\"\nbase_url = \"https://example.org/\"\n",
    );
    site.write("content/2026-11-26.txt", format!("A Paper\n{}", abstract_text("a")));
    site.build_ok(&[]);
    assert!(
        site.public().join("papers/a-paper/index.html").exists(),
        "the site is built"
    );
    assert!(
        !site.public().join("search").exists(),
        "a search page or index without search.html"
    );
    assert!(!sitemap_urls(&site).iter().any(|u| u.contains("/search/")));
    // The same site with the built-in theme has one: the test above is not vacuous.
    site.write("paperboy.toml", "base_url = \"https://example.org/\"\n");
    site.build_ok(&[]);
    assert!(site.public().join("search/index.html").exists());
}

/// README: "config values are escaped everywhere (pages, attributes, feeds, sitemap)".
#[test]
fn config_values_are_escaped_everywhere() {
    let site = TestSite::new();
    let toml_str = |s: &str| format!("{s:?}");
    site.write(
        "paperboy.toml",
        format!(
            "title = {}\ndescription = {}\nauthor = {}\nbase_url = \"https://example.org/a&b/\"\n",
            toml_str(&format!("Site {HOSTILE}")),
            toml_str(&format!("Desc {HOSTILE}")),
            toml_str(&format!("Author {HOSTILE}")),
        ),
    );
    site.write("content/2026-11-26.txt", format!("A Paper\n{}", abstract_text("a")));
    site.build_ok(&[]);
    for (rel, html) in html_files(&site.public()) {
        assert_inert(&rel, &html);
        if !rel.ends_with("email.html") {
            let doc = scraper::Html::parse_document(&html);
            let title: String = doc
                .select(&scraper::Selector::parse("title").unwrap())
                .next()
                .unwrap_or_else(|| panic!("{rel}: no <title>"))
                .text()
                .collect();
            assert!(title.contains(&format!("Site {HOSTILE}")), "{rel}: title {title:?}");
        }
    }
    for name in [
        "rss.xml",
        "atom.xml",
        "feed.json",
        "issues/rss.xml",
        "issues/atom.xml",
        "issues/feed.json",
    ] {
        let feed = parse_feed(&site.read(name));
        let title = feed.title.as_ref().unwrap().content.clone();
        assert!(title.contains(&format!("Site {HOSTILE}")), "{name}: {title:?}");
    }
    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(json["title"], format!("Site {HOSTILE}"));
    assert!(
        sitemap_urls(&site)
            .iter()
            .all(|u| u.starts_with("https://example.org/a&b/"))
    );
    let text = site.read("issues/2026-11-26/email.txt");
    assert!(
        text.contains(&format!("Site {HOSTILE}")),
        "plain text keeps the words: {text}"
    );
}

/// README: "titles, abstracts, authors, tags … are escaped everywhere": the tag, issue and
/// home pages, the JSON Feed, the email issue and the search files, for hostile text.
#[test]
fn hostile_text_is_text_on_every_page_feed_email_and_search_file() {
    let site = TestSite::new();
    site.write("paperboy.toml", "base_url = \"https://example.org/\"\n");
    let title = format!("Title {HOSTILE}");
    let tag = format!("Tag {HOSTILE}");
    site.write(
        "content/papers/p.md",
        format!(
            "+++\ntitle = {title:?}\ndate = 2026-11-26\ntags = [{tag:?}]\nauthors = [{:?}]\n+++\nAbstract {HOSTILE} here.\n",
            format!("Author {HOSTILE}")
        ),
    );
    site.build_ok(&[]);
    let pages = html_files(&site.public());
    let kinds = [
        "index.html",
        "issues/2026-11-26/index.html",
        "tags/index.html",
        "issues/2026-11-26/email.html",
    ];
    for kind in kinds {
        assert!(pages.iter().any(|(rel, _)| rel == kind), "{kind} was not built");
    }
    assert!(
        pages
            .iter()
            .any(|(rel, _)| rel.starts_with("tags/") && rel != "tags/index.html")
    );
    for (rel, html) in &pages {
        assert_inert(rel, html);
    }
    // Shown as the very text, on the pages that list the paper.
    for rel in [
        "index.html",
        "issues/2026-11-26/index.html",
        "issues/2026-11-26/email.html",
    ] {
        let doc = scraper::Html::parse_document(&site.read(rel));
        let text: String = doc.root_element().text().collect();
        assert!(text.contains(&title), "{rel}: the title is not shown as text");
    }
    let tag_page = pages.iter().find(|(rel, html)| {
        rel.starts_with("tags/") && rel.ends_with("/index.html") && rel != "tags/index.html" && {
            let doc = scraper::Html::parse_document(html);
            doc.root_element().text().collect::<String>().contains(&tag)
        }
    });
    assert!(tag_page.is_some(), "no tag page shows the tag as text");
    // Every feed, the daily issues' included: each entry's HTML is inert, and the issue
    // feed's digest of the day shows the title as text (a mutation test found this feed's
    // title unchecked).
    let mut entries = 0;
    for file in walkdir::WalkDir::new(site.public()).into_iter().map(Result::unwrap) {
        let rel = file
            .path()
            .strip_prefix(site.public())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let name = file.file_name().to_string_lossy();
        let is_feed = (name.ends_with(".xml") && name != "sitemap.xml") || name == "feed.json";
        if !is_feed || rel.starts_with("search/") {
            continue;
        }
        for entry in parse_feed(&site.read(&rel)).entries {
            // Summaries may be plain text (JSON Feed's always are): only HTML is parsed.
            let bodies = (entry.content.iter())
                .filter(|c| c.content_type.to_string().starts_with("text/html"))
                .filter_map(|c| c.body.clone());
            let summaries = (entry.summary.iter())
                .filter(|s| s.content_type.to_string().starts_with("text/html"))
                .map(|s| s.content.clone());
            for html in bodies.chain(summaries) {
                assert_inert(&rel, &html);
                entries += 1;
            }
        }
    }
    assert!(entries >= 6, "only {entries} feed entries with HTML were checked");
    let issues: serde_json::Value = serde_json::from_str(&site.read("issues/feed.json")).unwrap();
    let digest = issues["items"][0]["content_html"].as_str().unwrap_or_default();
    let shown: String = scraper::Html::parse_fragment(digest).root_element().text().collect();
    assert!(
        shown.contains(&title),
        "the issue feed does not show the title as text: {digest}"
    );
    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    let item = &json["items"][0];
    assert_eq!(item["title"], title.as_str());
    let content = item["content_html"].as_str().unwrap_or_default();
    assert!(!content.contains("<script") && !content.contains("<img"), "{content}");
    // The plain-text email wraps at 72 columns: compare the words.
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = site.read("issues/2026-11-26/email.txt");
    assert!(words(&text).contains(&words(&title)), "{text}");
    // The search index is JSON holding the title as a string; search.js draws it with
    // textContent only (tests/browser/search.mjs checks the drawing).
    // Results' text is in the document chunks, `d-HASH.json`: `[title, slug, ISO date,
    // date, [tags], abstract]` per paper.
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(site.public().join("search")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("d-") {
            let chunk: serde_json::Value = serde_json::from_str(&site.read(&format!("search/{name}"))).unwrap();
            docs.extend(chunk["docs"].as_array().unwrap().iter().cloned());
        }
    }
    let doc = docs
        .iter()
        .find(|d| d[0] == title.as_str())
        .unwrap_or_else(|| panic!("no document chunk holds the title: {docs:?}"));
    assert!(doc[4].as_array().unwrap().iter().any(|t| t == tag.as_str()), "{doc:?}");
    let js = site.read("search/search.js");
    assert!(js.contains("textContent") && !js.contains("innerHTML") && !js.contains("insertAdjacentHTML"));
}

/// README: the default theme makes "no requests to other hosts"; nor does the newsletter
/// theme. Every URL a page loads by itself (stylesheets, scripts, images, frames, fonts)
/// is on the site.
#[test]
fn no_theme_makes_requests_to_other_hosts() {
    for theme in ["default", "newsletter"] {
        let site = TestSite::new();
        site.write(
            "paperboy.toml",
            format!("theme = \"{theme}\"\nbase_url = \"https://example.org/d/\"\n"),
        );
        site.write("content/2026-11-26.txt", SAMPLE);
        site.build_ok(&[]);
        let pages = html_files(&site.public());
        let mut loads = 0;
        for (rel, html) in &pages {
            let doc = scraper::Html::parse_document(html);
            let fetched = scraper::Selector::parse("link[href], script[src], img[src], iframe[src], source[src], video[src], audio[src], object[data], embed[src]").unwrap();
            for el in doc.select(&fetched) {
                let v = el.value();
                if v.name() == "link"
                    && !matches!(
                        v.attr("rel"),
                        Some("stylesheet" | "icon" | "preload" | "modulepreload" | "manifest")
                    )
                {
                    continue; // canonical, alternate: links, not loads
                }
                let url = v.attr("href").or(v.attr("src")).or(v.attr("data")).unwrap();
                loads += 1;
                assert!(
                    url.starts_with("/d/") || url.starts_with("https://example.org/d/"),
                    "{theme}: {rel} loads {url}"
                );
            }
            for style in doc.select(&scraper::Selector::parse("style").unwrap()) {
                let css: String = style.text().collect();
                assert!(
                    !css.contains("@import") && !css.contains("url(http"),
                    "{theme}: {rel}: {css}"
                );
            }
            for el in doc.select(&scraper::Selector::parse("[style]").unwrap()) {
                let css = el.value().attr("style").unwrap();
                assert!(!css.contains("url("), "{theme}: {rel}: style {css}");
            }
        }
        assert!(loads >= pages.len(), "{theme}: the pages' stylesheets were found");
        for css in walkdir::WalkDir::new(site.public()).into_iter().map(|e| e.unwrap()) {
            if css.path().extension().is_some_and(|e| e == "css" || e == "js") {
                let text = std::fs::read_to_string(css.path()).unwrap();
                assert!(
                    !text.contains("@import") && !text.contains("url(http") && !text.contains("://"),
                    "{theme}: {} reaches another host",
                    css.path().display()
                );
            }
        }
    }
}

/// README: "`2026-11-26-evening.txt` (same issue, appended in file-name order)". Sorting
/// sources by whole path put the evening papers first (`-` sorts before `.`).
#[test]
fn an_evening_file_is_appended_to_its_days_issue() {
    let site = TestSite::new();
    site.write(
        "content/2026-11-26.txt",
        format!(
            "Morning One\n{}\nMorning Two\n{}",
            abstract_text("a"),
            abstract_text("b")
        ),
    );
    site.write(
        "content/2026-11-26-evening.txt",
        format!(
            "Evening One\n{}\nEvening Two\n{}",
            abstract_text("c"),
            abstract_text("d")
        ),
    );
    site.build_ok(&[]);
    let issue = site.read("issues/2026-11-26/index.html");
    let at = |t: &str| {
        issue
            .find(&format!(">{t}<"))
            .unwrap_or_else(|| panic!("{t} is not in the issue"))
    };
    let order = ["Morning One", "Morning Two", "Evening One", "Evening Two"].map(at);
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert_eq!(
        count_named(&site.public().join("issues"), "index.html"),
        2,
        "one issue and the archive"
    );
}

/// README: "Automatic tags come from a taxonomy of topics; 49 are built in".
#[test]
fn the_readme_counts_the_built_in_topics() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let said: usize = readme
        .split("a taxonomy of topics; ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the README says how many topics are built in");
    let taxonomy = paperboy::enrich::Taxonomy::new(&Default::default()).unwrap();
    assert_eq!(taxonomy.len(), said, "the README says {said} topics");
}
