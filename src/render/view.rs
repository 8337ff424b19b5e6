//! The view model: what templates see besides each page's own data. Dates formatted once,
//! the `{name, url}` of tags and feeds, each paper's summary (what listings show), and the
//! hashes that say when a summary or a paper's page must change.

use std::hash::{Hash, Hasher};

use serde::Serialize;
use tera::Value;

use super::i18n::Language;
use crate::config::Config;
use crate::model::{Links, Paper, Site, display_date, paper_anchor, paper_dir};
use crate::text::{EXCERPT_MAX, escape_html, excerpt, href_encode};

/// Characters of the abstract in a paper's summary (issue and tag listings)...
pub(crate) const LIST_EXCERPT: usize = 240;
/// ...and in an issue's email.
pub(crate) const EMAIL_EXCERPT: usize = 300;
// Listings are fingerprinted by what excerpts this long read.
const _: () = assert!(LIST_EXCERPT <= EXCERPT_MAX && EMAIL_EXCERPT <= EXCERPT_MAX);

/// ISO (`2026-11-26`) and display ("26 November 2026") forms of dates, formatted once:
/// chrono parses its format pattern on every call, and nearly every page shows dates.
#[derive(Default)]
pub(crate) struct DateForms(rustc_hash::FxHashMap<chrono::NaiveDate, (String, String)>);

impl DateForms {
    /// The forms of every issue date of `site`, in `lang`.
    pub(crate) fn of(site: &Site, lang: &Language) -> Self {
        DateForms(
            site.issues
                .iter()
                .map(|i| (i.date, (i.date.format("%Y-%m-%d").to_string(), lang.date(i.date))))
                .collect(),
        )
    }

    /// `2026-11-26`.
    pub(crate) fn iso(&self, date: chrono::NaiveDate) -> String {
        self.0
            .get(&date)
            .map_or_else(|| date.format("%Y-%m-%d").to_string(), |d| d.0.clone())
    }

    /// "26 November 2026".
    pub(crate) fn display(&self, date: chrono::NaiveDate) -> String {
        self.0.get(&date).map_or_else(|| display_date(date), |d| d.1.clone())
    }
}

/// A tag's `{name, url}`, as every page that lists tags shows it.
#[derive(Serialize)]
pub(crate) struct NameUrl<'a> {
    pub(crate) name: &'a str,
    pub(crate) url: String,
}

/// A feed a page's head links to.
#[derive(Serialize)]
pub(crate) struct FeedLink {
    pub(crate) title: String,
    pub(crate) url: String,
    pub(crate) kind: &'static str,
}

/// What every page's template sees as `page`.
pub(crate) struct PageMeta {
    pub(crate) title: String,
    pub(crate) description: String,
    /// The page's absolute URL; empty for the 404 page, which has none.
    pub(crate) canonical: String,
    /// [`FeedLink`]s, as template values.
    pub(crate) feeds: Vec<Value>,
    /// Open Graph type: `article` for a paper, `website` for the rest.
    pub(crate) kind: &'static str,
}

/// An issue as listings link to it.
#[derive(Serialize)]
pub(crate) struct IssueLink {
    pub(crate) date: String,
    pub(crate) date_display: String,
    /// "Thursday".
    pub(crate) weekday: String,
    pub(crate) url: String,
    /// Papers listed.
    pub(crate) count: usize,
    /// Papers listed for the first time.
    pub(crate) new: usize,
    /// The day only repeats the issue before it.
    pub(crate) repeat: bool,
    /// The first titles of its new papers.
    pub(crate) first_titles: Vec<String>,
}

/// The pager of a listing split into pages (an issue, a tag).
#[derive(Serialize)]
pub(crate) struct Pager {
    /// This page, from 1.
    pub(crate) number: usize,
    pub(crate) total: usize,
    /// The position of the page's first paper in the whole listing, from 1 (numbered lists
    /// go on from page to page).
    pub(crate) first: usize,
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
}

/// The keys of a paper's summary, in the order templates iterate them.
const SUMMARY_KEYS: [&str; 12] = [
    "title",
    "title_html",
    "url",
    "anchor",
    "date",
    "date_display",
    "excerpt",
    "authors",
    "arxiv",
    "abs_url",
    "pdf_url",
    "tags",
];

/// A paper's summary: the `{title, url, date, date_display, excerpt, tags, ...}` that
/// issue, tag and home pages and related-paper lists show. Only the excerpt is held, made
/// once per paper, across watch-mode saves: it is read from the abstract, which a build
/// keeps on disk. The rest is made from the paper ([`Summary::value_with`]) and kept for
/// the rest of one build, within a bound (see `summary_values.rs`). Shared: the render
/// cache and each renderer hold the same excerpts.
#[derive(Clone)]
pub(crate) struct Summary(Value);

/// What [`Summary::value_with`] makes a summary's values from, the same for every paper.
pub(crate) struct SummaryForms<'r> {
    pub(crate) links: &'r Links,
    pub(crate) dates: &'r DateForms,
    /// Per tag, `{name, url}`.
    pub(crate) tag_links: &'r [Value],
}

impl Summary {
    /// The summary of paper `p` as templates see it, with one more key when `extra` says
    /// (an issue marks papers seen on an earlier day).
    pub(crate) fn value_with(&self, p: &Paper, forms: &SummaryForms, extra: Option<(&'static str, Value)>) -> Value {
        let text = |s: Option<String>| s.map_or_else(Value::none, Value::from);
        let links_out = OutLinks::of(p);
        let title = Value::from(&*p.title);
        let html = title_html(p);
        // Most titles are their own HTML: one string serves both.
        let title_html = if title.as_str() == Some(html.as_str()) {
            title.clone()
        } else {
            Value::from(html)
        };
        let tags: Vec<Value> = p.tags.iter().map(|&t| forms.tag_links[t].clone()).collect();
        let values = [
            title,
            title_html,
            Value::from(forms.links.path(&paper_dir(&p.slug))),
            Value::from(paper_anchor(&p.slug)),
            Value::from(forms.dates.iso(p.date)),
            Value::from(forms.dates.display(p.date)),
            self.0.clone(),
            Value::from(short_authors(&p.authors)),
            links_out.arxiv.map_or_else(Value::none, Value::from),
            text(links_out.abs_url),
            text(links_out.pdf_url),
            Value::from(tags),
        ];
        let mut map = tera::Map::with_capacity(SUMMARY_KEYS.len() + usize::from(extra.is_some()));
        for (key, value) in SUMMARY_KEYS.iter().zip(values) {
            map.insert((*key).into(), value);
        }
        if let Some((key, value)) = extra {
            map.insert(key.into(), value);
        }
        Value::from(map)
    }
}

/// The summary of paper `p`: its excerpt.
pub(crate) fn summary(p: &Paper) -> Summary {
    Summary(Value::from(excerpt(&p.abstract_text.read(), LIST_EXCERPT)))
}

/// Where a paper is outside the site: its arXiv id, its abstract page and its PDF, each
/// when known (an arXiv id gives both pages).
pub(crate) struct OutLinks<'p> {
    pub(crate) arxiv: Option<&'p str>,
    pub(crate) abs_url: Option<String>,
    pub(crate) pdf_url: Option<String>,
}

impl<'p> OutLinks<'p> {
    pub(crate) fn of(p: &'p Paper) -> Self {
        let arxiv = p.arxiv.as_deref().map(|a| a.trim_start_matches("arXiv:"));
        let on_arxiv = |kind: &str| arxiv.map(|id| format!("https://arxiv.org/{kind}/{}", href_encode(id)));
        OutLinks {
            arxiv,
            abs_url: p.url.as_deref().map(href_encode).or_else(|| on_arxiv("abs")),
            pdf_url: p.pdf.as_deref().map(href_encode).or_else(|| on_arxiv("pdf")),
        }
    }
}

/// A paper's title as HTML: with MathML when it holds formulas, else the escaped text.
pub(crate) fn title_html(p: &Paper) -> String {
    match &p.title_html {
        Some(html) => html.to_string(),
        None => escape_html(&p.title),
    }
}

/// "A. One, B. Two, … and 14 more": how listings show a long author list (the paper's page
/// shows it whole).
pub(crate) fn short_authors(authors: &[String]) -> String {
    match authors.len() {
        // Four names are about as short as two and "… and 2 more".
        0..=4 => authors.join(", "),
        n => format!("{}, {}, … and {} more", authors[0], authors[1], n - 2),
    }
}

/// Hashes of what a paper's summary shows (and the email, which shows a little more of the
/// abstract) and of everything about it that pages and feeds show. The summary reads only
/// the start of the abstract, so a sentence added at its end re-renders the paper's page
/// and feeds, not every listing it is in.
pub(crate) fn paper_fingerprints(site: &Site, p: &Paper) -> (u64, u64) {
    let mut h = xxhash_rust::xxh3::Xxh3Default::new();
    (&p.title, &p.title_html, &p.slug, p.date, p.excerpt_hash).hash(&mut h);
    (&p.authors, &p.url, &p.arxiv, &p.pdf).hash(&mut h);
    for &t in &p.tags {
        (&site.tags[t].slug, &site.tags[t].name).hash(&mut h);
    }
    let summary = h.finish();
    (
        p.text_hash,
        p.html_hash,
        p.published,
        &p.comment,
        &p.categories,
        p.draft,
        &p.aliases,
    )
        .hash(&mut h);
    (summary, h.finish())
}

/// What every template sees as `site`.
pub(crate) fn site_view(config: &Config, links: &Links) -> impl Serialize {
    #[derive(Serialize)]
    struct SiteView {
        title: String,
        description: String,
        base_url: String,
        base_path: String,
        language: String,
        rss_url: String,
        atom_url: String,
        extra: toml::Table,
    }
    SiteView {
        title: config.title.clone(),
        description: config.description.clone(),
        base_url: links.base_url.clone(),
        base_path: links.base_path.clone(),
        language: config.language.clone(),
        rss_url: links.path("rss.xml"),
        atom_url: links.path("atom.xml"),
        extra: config.extra.clone(),
    }
}
