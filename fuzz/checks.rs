//! What the fuzz targets assert, shared with `tests/fuzz_regressions.rs` so that every input
//! the fuzzers ever found is checked again by `cargo test`.

use std::path::Path;
use std::sync::OnceLock;

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

/// One content file loaded and rendered through every page and feed: no panic, no markup
/// injected into pages (only the search page may load a script, its own), and no output path that
/// could leave the output folder.
pub fn render_paper(as_markdown: bool, text: &str) {
    let s = setup();
    let name = if as_markdown { "paper.md" } else { "2026-11-26.txt" };
    let Ok(source) = content::parse_text(text, Path::new(name), &s.config, &mut |_| {}) else {
        return;
    };
    let mut site = content::assemble([&source]);
    apply_tags(&mut site, &s.taxonomy);
    paperboy::enrich::apply_related(&mut site);
    let renderer = Renderer::new(&site, &s.config, &s.theme).expect("built-in templates compile");
    for job in renderer.all_jobs() {
        for (path, bytes) in renderer.render_job(job).expect("built-in templates render") {
            assert!(
                !path.starts_with('/') && !path.split('/').any(|p| p == ".." || p.is_empty()),
                "{path}"
            );
            let text = String::from_utf8(bytes).expect("output is UTF-8");
            if !path.ends_with(".html") {
                continue;
            }
            let scripts = text.to_ascii_lowercase().matches("<script").count();
            let allowed = usize::from(path == "search/index.html");
            assert!(scripts <= allowed, "{path} has a script:\n{text}");
        }
    }
}

/// Elements that abstract HTML may hold: prose markup and MathML. Anything else in the
/// output of arbitrary text would be injected markup.
const ALLOWED_TAGS: &[&str] = &[
    "p",
    "a",
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

/// Scraped text through formula detection, MathML and the LaTeX repair: no panic, and every
/// `<` in the HTML opens or closes an allowed element.
pub fn math(text: &str) {
    let rendered = paperboy::content::render_plain(text, true);
    for html in [Some(&rendered.html), rendered.feed_html.as_ref()]
        .into_iter()
        .flatten()
    {
        for tag in html.split('<').skip(1) {
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            assert!(ALLOWED_TAGS.contains(&name.as_str()), "<{tag:.40} in {html}");
        }
    }
}
