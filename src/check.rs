//! `paperboy check`: the site built in memory, then checked the way a deploy would find it:
//! every internal link and `#anchor` resolves, every feed parses, every paper's own links
//! are well-formed http(s) URLs. Nothing is written.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use rustc_hash::FxHashMap;

use crate::config::Overrides;
use crate::model::Site;
use crate::output::Memory;
use crate::pipeline::{self, Loaded};
use crate::render::RenderCache;

/// What `paperboy check` found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Files the build made.
    pub files: usize,
    /// HTML pages among them.
    pub pages: usize,
    /// Feeds among them.
    pub feeds: usize,
    /// Internal links followed.
    pub links: usize,
    /// `FILE: what is wrong — what to do`, one per problem.
    pub problems: Vec<String>,
    /// Non-fatal problems of loading (unknown config keys, odd digest lines).
    pub warnings: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

/// Builds the site at `root` in memory and checks it.
pub fn check(root: &Path, overrides: &Overrides) -> Result<CheckReport> {
    let started = Instant::now();
    let Loaded {
        setup,
        site,
        warnings,
        lexicon,
        search_words,
        ..
    } = pipeline::load(root, overrides)?;
    let renderer = setup.renderer(&site, &mut RenderCache::default(), None, &lexicon, search_words)?;
    let memory = Memory::default();
    pipeline::render_jobs(&renderer, &renderer.all_jobs(), &memory, &|_, _| {}, &mut |_, _| {})?;
    let files = memory.into_files();
    let (base_url, base_path) = (setup.config.base_url(), setup.config.base_path());
    let mut problems = Vec::new();
    let links = check_links(&files, &base_url, &base_path, &mut problems);
    let feeds = check_feeds(&files, &mut problems);
    check_outbound(&site, &mut problems);
    Ok(CheckReport {
        files: files.len(),
        pages: files.keys().filter(|p| p.ends_with(".html")).count(),
        feeds,
        links,
        problems,
        warnings,
        elapsed: started.elapsed(),
    })
}

/// The values of `attr="…"` in an HTML page, unescaped.
fn attribute_values(html: &str, attr: &str) -> std::vec::IntoIter<String> {
    let needle = format!(" {attr}=\"");
    let values: Vec<String> = html
        .match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            let end = rest.find('"')?;
            Some(
                rest[..end]
                    .replace("&amp;", "&")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'"),
            )
        })
        .collect();
    values.into_iter()
}

/// Checks every `href` and `src` of every page that points inside the site; returns how
/// many it followed.
fn check_links(
    files: &BTreeMap<String, Vec<u8>>,
    base_url: &str,
    base_path: &str,
    problems: &mut Vec<String>,
) -> usize {
    let mut ids: FxHashMap<&str, Vec<String>> = FxHashMap::default();
    let mut followed = 0;
    let mut broken = Broken::default();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        for link in attribute_values(&html, "href").chain(attribute_values(&html, "src")) {
            let Some(target) = internal(&link, dir, base_url, base_path) else {
                continue;
            };
            followed += 1;
            let (file, fragment) = match target.split_once('#') {
                Some((f, frag)) => (f.to_string(), Some(frag.to_string())),
                None => (target, None),
            };
            let file = if file.is_empty() {
                path.clone()
            } else if file.ends_with('/') {
                format!("{file}index.html")
            } else {
                file
            };
            let Some(page) = files.get(&file).or_else(|| files.get(&format!("{file}/index.html"))) else {
                let line = line_of(&html, &link);
                broken.add(
                    format!("links to `{link}`, which the site does not have"),
                    "fix the template or the content that makes the link",
                    format!("{path}:{line}"),
                );
                continue;
            };
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                let known = ids
                    .entry(files.get_key_value(&file).map_or("", |(k, _)| k.as_str()))
                    .or_insert_with(|| attribute_values(&String::from_utf8_lossy(page), "id").collect());
                if !known.contains(&fragment) {
                    let line = line_of(&html, &link);
                    broken.add(
                        format!("links to `{link}`, but that page has no id `{fragment}`"),
                        "fix the anchor",
                        format!("{path}:{line}"),
                    );
                }
            }
        }
    }
    problems.extend(broken.lines());
    followed
}

/// Broken links grouped by what is wrong: a link a shared template makes is broken on every
/// page, and one line that says how many pages have it reads better than hundreds.
#[derive(Default)]
struct Broken {
    /// `(what is wrong, what to do, where: FILE:LINE of each page)`, in the order found.
    found: Vec<(String, &'static str, Vec<String>)>,
    /// Where each "what is wrong" is in `found`.
    at: FxHashMap<String, usize>,
}

impl Broken {
    /// Pages of one problem listed one by one; past it, one line says how many more.
    const LISTED: usize = 3;

    fn add(&mut self, what: String, to_do: &'static str, place: String) {
        match self.at.get(&what) {
            Some(&i) => self.found[i].2.push(place),
            None => {
                self.at.insert(what.clone(), self.found.len());
                self.found.push((what, to_do, vec![place]));
            }
        }
    }

    fn lines(self) -> Vec<String> {
        let mut out = Vec::new();
        for (what, to_do, places) in self.found {
            if places.len() <= Self::LISTED {
                out.extend(places.iter().map(|place| format!("{place}: {what} — {to_do}")));
            } else {
                let others = places.len() - 1;
                out.push(format!(
                    "{}: {what}; {others} other pages have the same link (from a template they share?) — {to_do}",
                    places[0]
                ));
            }
        }
        out
    }
}

/// The line of `html` where `link` first appears (as written, or with `&` escaped), for
/// the problem's `FILE:LINE`; 1 when it cannot be found.
fn line_of(html: &str, link: &str) -> usize {
    let at = html.find(link).or_else(|| html.find(&link.replace('&', "&amp;")));
    at.map_or(1, |at| crate::error::line_of_offset(html, at))
}

/// The output path a link points to, when it points inside the site.
fn internal(link: &str, dir: &str, base_url: &str, base_path: &str) -> Option<String> {
    if link.starts_with('#') {
        return Some(link.to_string());
    }
    if let Some(rest) = link.strip_prefix(base_url) {
        return Some(rest.to_string());
    }
    if link.contains("://") || link.starts_with("mailto:") || link.starts_with("data:") || link.starts_with("//") {
        return None;
    }
    if let Some(rest) = link.strip_prefix(base_path) {
        return Some(rest.to_string());
    }
    if link.starts_with('/') {
        // Root-relative but outside the base path: the site cannot have it.
        return Some(format!("\u{0}{link}"));
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in link.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." => {}
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Parses every feed: RSS and Atom with the crates that write them, JSON Feed as JSON with
/// its version. Returns how many feeds there are.
fn check_feeds(files: &BTreeMap<String, Vec<u8>>, problems: &mut Vec<String>) -> usize {
    let mut feeds = 0;
    for (path, bytes) in files {
        let result = if path.ends_with("rss.xml") {
            rss::Channel::read_from(&bytes[..])
                .map(|_| ())
                .map_err(|e| e.to_string())
        } else if path.ends_with("atom.xml") {
            atom_syndication::Feed::read_from(&bytes[..])
                .map(|_| ())
                .map_err(|e| e.to_string())
        } else if path.ends_with("feed.json") {
            serde_json::from_slice::<serde_json::Value>(bytes)
                .map_err(|e| e.to_string())
                .and_then(|v| match v["version"].as_str() {
                    Some(version) if version.starts_with("https://jsonfeed.org/version/") => Ok(()),
                    _ => Err("no JSON Feed version".to_string()),
                })
        } else {
            continue;
        };
        feeds += 1;
        if let Err(e) = result {
            problems.push(format!(
                "{path}: the feed does not parse ({e}) — fix the template or report a bug"
            ));
        }
    }
    feeds
}

/// Every paper's own page and PDF must be an absolute http(s) URL with a host.
fn check_outbound(site: &Site, problems: &mut Vec<String>) {
    for p in &site.papers {
        for (what, url) in [("url", &p.url), ("pdf", &p.pdf)] {
            let Some(url) = url else { continue };
            let host = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))
                .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
            let ok = host.is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace))
                && !url.contains(char::is_whitespace);
            if !ok {
                problems.push(format!(
                    "{}:{}: `{what}` `{url}` is not an absolute http(s) URL — write it like https://arxiv.org/abs/2401.01234",
                    p.source.display(),
                    p.line
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_against_the_page_and_the_base() {
        let (url, path) = ("https://example.org/d/", "/d/");
        assert_eq!(
            internal("/d/papers/x/", "issues/2026-01-01", url, path).as_deref(),
            Some("papers/x/")
        );
        assert_eq!(
            internal("https://example.org/d/rss.xml", "", url, path).as_deref(),
            Some("rss.xml")
        );
        assert_eq!(internal("../x/", "papers/a", url, path).as_deref(), Some("papers/x/"));
        assert_eq!(internal("https://arxiv.org/abs/1", "", url, path), None);
        assert_eq!(internal("#top", "", url, path).as_deref(), Some("#top"));
        assert!(internal("/elsewhere/", "", url, path).unwrap().starts_with('\u{0}'));
    }

    #[test]
    fn attributes_are_read_and_unescaped() {
        let html = r#"<a href="/a?x=1&amp;y=2">a</a><img src="/i.png"><p id="x">"#;
        assert_eq!(attribute_values(html, "href").collect::<Vec<_>>(), ["/a?x=1&y=2"]);
        assert_eq!(attribute_values(html, "src").collect::<Vec<_>>(), ["/i.png"]);
        assert_eq!(attribute_values(html, "id").collect::<Vec<_>>(), ["x"]);
    }
}
