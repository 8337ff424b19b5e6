//! What the fuzz targets assert, shared with `tests/fuzz_regressions.rs` so that every input
//! the fuzzers ever found is checked again by `cargo test`.

// Each target uses some of these; the replay test uses them all.
#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use scraper::Html;

use paperboy::config::{Config, ImportConfig};
use paperboy::content::{self, parse_digest, parse_front_matter};
use paperboy::enrich::{Taxonomy, apply_tags};
use paperboy::render::Renderer;
use paperboy::theme::Theme;

/// The digest parser: no panic; entries and errors point at real lines, errors fit on one.
pub fn digest(text: &str) {
    let lines = text.split('\n').count();
    match parse_digest(text, Path::new("2026-11-26.txt"), &ImportConfig::default(), &mut |_| {}) {
        Ok(entries) => {
            for e in entries {
                assert!((1..=lines).contains(&e.line), "line {} of {lines}", e.line);
                assert!(!e.title.trim().is_empty() && !e.abstract_text.trim().is_empty());
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in errors {
                assert!((1..=lines).contains(&e.line), "line {} of {lines}", e.line);
                assert!(!e.to_string().contains('\n'), "one line per error: {e}");
            }
        }
    }
}

/// The Markdown paper parser (TOML and YAML front matter): no panic, errors name a real line
/// and fit on one line, and a parsed paper has a title and an abstract.
pub fn front_matter(text: &str) {
    let lines = text.split('\n').count();
    let mut warnings = Vec::new();
    match parse_front_matter(text, Path::new("paper.md"), &mut |w| warnings.push(w)) {
        Ok(paper) => {
            assert!(!paper.title.trim().is_empty());
            assert!(!paper.body.trim().is_empty());
        }
        Err(e) => {
            assert!((1..=lines).contains(&e.line), "line {} of {lines}: {e}", e.line);
            assert!(!e.to_string().contains('\n'), "one line per error: {e}");
        }
    }
    for w in warnings {
        assert!(!w.contains('\n'), "one line per warning: {w}");
    }
}

struct Setup {
    config: Config,
    theme: Theme,
    taxonomy: Taxonomy,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let config = Config::default();
        let theme = Theme::load(Path::new("/nonexistent-site-root"), &config).expect("built-in theme");
        let taxonomy = Taxonomy::new(&config.tagging).expect("built-in taxonomy");
        Setup {
            config,
            theme,
            taxonomy,
        }
    })
}

/// The fuzzers' bytes as the `&str` targets read them: the longest valid UTF-8 prefix (what
/// `arbitrary` gives a `&str`). The targets and the regression replay both decode through
/// here, so a saved crash input means the same text to both.
pub fn text_of(data: &[u8]) -> &str {
    match std::str::from_utf8(data) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).expect("valid prefix"),
    }
}

/// The `render_paper` target's input: the first byte's low bit says Markdown (1) or digest
/// (0), the rest is the file's text ([`text_of`]), as `arbitrary` decodes `(bool, &str)`.
pub fn render_paper_bytes(data: &[u8]) -> bool {
    let as_markdown = data.first().is_some_and(|b| b & 1 == 1);
    render_paper(as_markdown, text_of(data.get(1..).unwrap_or_default()))
}

/// One content file loaded and rendered through every page and feed: no panic, no markup
/// injected into pages (see [`assert_inert_page`]), and no output path that could leave the
/// output folder. Returns whether the text loaded and was rendered (false: it was rejected
/// as content, correctly, with an error).
pub fn render_paper(as_markdown: bool, text: &str) -> bool {
    let s = setup();
    let name = if as_markdown { "paper.md" } else { "2026-11-26.txt" };
    let Ok(source) = content::parse_text(text, Path::new(name), &s.config, &mut |_| {}) else {
        return false;
    };
    let mut site = content::assemble([&source]);
    apply_tags(&mut site, &s.taxonomy);
    paperboy::enrich::apply_related(&mut site);
    let renderer = Renderer::new(&site, &s.config, &s.theme).expect("built-in templates compile");
    let mut pages = 0;
    for job in renderer.all_jobs() {
        for (path, bytes) in renderer.render_job(job).expect("built-in templates render") {
            assert!(
                !path.starts_with('/') && !path.split('/').any(|p| p == ".." || p.is_empty()),
                "{path}"
            );
            let text = String::from_utf8(bytes).expect("output is UTF-8");
            if path.ends_with(".html") {
                assert_inert_page(&path, &text);
                pages += 1;
            }
        }
    }
    assert!(pages > 0, "a loaded paper gives pages");
    true
}

/// Elements the built-in themes write, and what an abstract may hold (Markdown's prose and
/// tables, MathML). Anything else in a page is injected markup.
const PAGE_TAGS: &[&str] = &[
    "html",
    "head",
    "body",
    "meta",
    "link",
    "title",
    "main",
    "header",
    "footer",
    "nav",
    "section",
    "article",
    "aside",
    "div",
    "span",
    "p",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "time",
    "em",
    "strong",
    "b",
    "i",
    "del",
    "code",
    "pre",
    "blockquote",
    "hr",
    "br",
    "sup",
    "sub",
    "noscript",
    "label",
    "input",
    "img",
];

/// Elements only the search page has: its form, its own script and its "more results" button.
const SEARCH_PAGE_TAGS: &[&str] = &["form", "script", "button"];

/// Attributes that hold a URL.
const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "srcset",
];

/// A URL a browser would run as script (after it drops whitespace and control characters
/// and ignores case, as browsers do).
fn runs_script(url: &str) -> bool {
    let url: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect::<String>()
        .to_ascii_lowercase();
    url.starts_with("javascript:") || url.starts_with("vbscript:") || url.starts_with("data:")
}

/// Checks every element of parsed HTML: in `allowed`, no `on*` handler, no script URL.
fn assert_inert(where_: &str, doc: &Html, allowed: &dyn Fn(&str) -> bool) {
    let mut elements = 0;
    for node in doc.root_element().descendants() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        elements += 1;
        let name = el.name();
        assert!(allowed(name), "{where_}: element <{name}> is not allowed");
        for (attr, value) in el.attrs() {
            assert!(
                !attr.to_ascii_lowercase().starts_with("on"),
                "{where_}: <{name} {attr}=…> is an event handler"
            );
            if URL_ATTRS.contains(&attr.to_ascii_lowercase().as_str()) {
                assert!(!runs_script(value), "{where_}: <{name} {attr}=\"{value}\">");
            }
        }
        if name == "img" {
            let src = el.attr("src").unwrap_or_default();
            assert!(
                src.starts_with("https://") || src.starts_with("http://") || !src.contains(':'),
                "{where_}: <img src=\"{src}\">"
            );
        }
    }
    assert!(elements > 0, "{where_}: no elements parsed");
}

/// A page parsed as a browser would (html5ever): only allowed elements, no handler, no
/// script URL, a script only on the search page, its own, and a style sheet only in an
/// email, the theme's dark colours.
pub fn assert_inert_page(path: &str, html: &str) {
    let doc = Html::parse_document(html);
    let search = path == "search/index.html";
    let email = path.ends_with("email.html");
    assert_inert(path, &doc, &|name| {
        PAGE_TAGS.contains(&name)
            || ALLOWED_TAGS.contains(&name)
            || (search && SEARCH_PAGE_TAGS.contains(&name))
            || (email && name == "style")
    });
    for node in doc.root_element().descendants() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        if el.name() == "script" {
            assert!(
                el.attr("src").is_some_and(|s| s.ends_with("/search/search.js")),
                "{path}: a script that is not the search page's own"
            );
        }
        if el.name() == "style" {
            let sheet: String = node
                .descendants()
                .filter_map(|n| n.value().as_text().map(|t| t.to_string()))
                .collect();
            assert!(
                sheet.trim_start().starts_with("@media (prefers-color-scheme: dark)") && !sheet.contains('<'),
                "{path}: a style sheet that is not the theme's dark colours: {sheet:.80}"
            );
        }
    }
}

/// Elements that abstract HTML may hold: prose markup and MathML. Anything else in the
/// output of arbitrary text would be injected markup.
const ALLOWED_TAGS: &[&str] = &[
    "p",
    "a",
    // LaTeX `\emph`, `\textit`, `\textbf` in abstracts (`content/inline.rs`); the first
    // nightly run of the math target stopped on an `<em>` missing from this list.
    "em",
    "strong",
    // An inline formula bound to its punctuation (`content/abstracts.rs`), with that style
    // and no other attribute in an abstract (checked in `math`); the math target stopped
    // on it.
    "span",
    "sup",
    "sub",
    "code",
    "math",
    "mi",
    "mn",
    "mo",
    "ms",
    "mrow",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mtext",
    "mover",
    "munder",
    "munderover",
    "mspace",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "mtable",
    "mtr",
    "mtd",
    "merror",
    "semantics",
    "annotation",
    "mmultiscripts",
    "mprescripts",
    "none",
];

/// Scraped text through formula detection, MathML and the LaTeX repair: no panic, and the
/// HTML, parsed as a browser would, holds only allowed elements, no handler and no script
/// URL.
pub fn math(text: &str) {
    let rendered = paperboy::content::render_plain(text, true);
    for html in [Some(&rendered.html), rendered.feed_html.as_ref()]
        .into_iter()
        .flatten()
    {
        let doc = Html::parse_fragment(html);
        // `parse_fragment` wraps the fragment in an `<html>` element of its own.
        assert_inert(html, &doc, &|name| name == "html" || ALLOWED_TAGS.contains(&name));
        for node in doc.root_element().descendants() {
            if let Some(el) = node.value().as_element()
                && el.name() == "span"
            {
                let attrs: Vec<(&str, &str)> = el.attrs().collect();
                assert_eq!(
                    attrs,
                    [("style", "white-space:nowrap")],
                    "{html}: a span is a formula's binding"
                );
            }
        }
    }
}
