//! Rendering: the model and the theme → files as bytes. Rendering never touches the disk:
//! [`Renderer::render_job`] returns a job's files and the pipeline decides where they go.
//!
//! Each kind of page lives in one module with the fingerprint of what it reads beside it
//! (`pages/`, `feeds/`, `sitemap`); `jobs.rs` lists the jobs and dispatches to them.

mod feeds;
mod filters;
mod i18n;
mod jobs;
mod pages;
mod search_index;
pub mod search_sealed;
mod sitemap;
mod summary_values;
mod view;

use std::sync::{Arc, OnceLock};

use anyhow::Result;
use rayon::prelude::*;
use tera::{Context, Tera, Value};

pub use i18n::languages;
pub use jobs::{Files, Job};
/// The search index's plan, which watch mode keeps from one rebuild to the next.
pub(crate) use search_index::Plan as SearchPlan;
pub use search_index::{
    CHUNKS_PER_DIR, DOCS_PER_CHUNK, FORMAT as SEARCH_FORMAT, SCRIPT as SEARCH_SCRIPT, SHARD_BYTES, SNIPPET_SOURCE_MAX,
    dirs_count, docs_count, docs_range,
};

use crate::config::Config;
use crate::enrich::{Lexicon, Prepared};
use crate::model::{Links, PaperId, Site, tag_dir};
use crate::theme::Theme;
use view::{DateForms, FeedLink, NameUrl, PageMeta};

/// What rendering derives from the theme and each paper and can keep across watch-mode
/// rebuilds: the compiled templates, and the papers' summaries (what of the `{title, url,
/// date, excerpt, tags}` that list pages show is made once: the excerpt) by fingerprint.
#[derive(Default)]
pub struct RenderCache {
    /// The compiled theme (with the config in its globals).
    tera: Option<std::sync::Arc<Tera>>,
    summaries: std::collections::HashMap<u64, view::Summary>,
    /// What the last renderer prepared per paper, which a patched save updates for the
    /// papers it touched (see [`Renderer::with_cache`]).
    last: Option<PerPaper>,
}

/// What a renderer prepares per paper, by paper id.
#[derive(Clone)]
struct PerPaper {
    /// Each paper's summary, made when a listing first shows the paper: a daily build
    /// renders the listings of a day, and making all 100,000 summaries read every abstract
    /// back from the spill file (0.1-0.2 s). Shared with the render cache, which keeps
    /// those made for the next save.
    summaries: Arc<Vec<OnceLock<view::Summary>>>,
    summary_fp: Arc<Vec<u64>>,
    full_fp: Arc<Vec<u64>>,
    /// What the sitemap shows of each paper.
    sitemap: Arc<Vec<sitemap::SitemapPaper>>,
}

impl PerPaper {
    /// Every paper's fingerprints, with the summaries in `cache` that still hold (the
    /// others are made on first use).
    fn of(site: &Site, cache: &mut RenderCache) -> PerPaper {
        let ((summary_fp, full_fp), sitemap): ((Vec<u64>, Vec<u64>), Vec<sitemap::SitemapPaper>) = site
            .papers
            .par_iter()
            .map(|p| (view::paper_fingerprints(site, p), sitemap::sitemap_paper(site, p)))
            .unzip();
        if crate::model::cache_outgrown(cache.summaries.len(), site.papers.len()) {
            cache.summaries.clear();
        }
        let summaries = summary_fp
            .iter()
            .map(|fp| {
                cache
                    .summaries
                    .get(fp)
                    .cloned()
                    .map_or_else(OnceLock::new, OnceLock::from)
            })
            .collect();
        PerPaper {
            summaries: Arc::new(summaries),
            summary_fp: Arc::new(summary_fp),
            full_fp: Arc::new(full_fp),
            sitemap: Arc::new(sitemap),
        }
    }

    /// Files the summaries made so far in `cache`, by fingerprint, for a next renderer
    /// that prepares every paper again.
    fn keep_summaries(&self, cache: &mut RenderCache) {
        for (fp, summary) in self.summary_fp.iter().zip(self.summaries.iter()) {
            if let Some(summary) = summary.get() {
                cache.summaries.entry(*fp).or_insert_with(|| summary.clone());
            }
        }
    }

    /// `self`, prepared for the site before a patched save, with the papers `touched`
    /// prepared again: a save then costs what it touched, not a hash of every paper. With
    /// the papers whose summary changed.
    fn patched(mut self, site: &Site, touched: &[PaperId], cache: &mut RenderCache) -> (PerPaper, Vec<PaperId>) {
        let (summaries, summary_fp, full_fp, sitemap) = (
            Arc::make_mut(&mut self.summaries),
            Arc::make_mut(&mut self.summary_fp),
            Arc::make_mut(&mut self.full_fp),
            Arc::make_mut(&mut self.sitemap),
        );
        let mut moved = Vec::new();
        for &id in touched {
            let paper = &site.papers[id];
            let (summary, full) = view::paper_fingerprints(site, paper);
            if summary_fp[id] != summary {
                moved.push(id);
                summaries[id] = cache
                    .summaries
                    .get(&summary)
                    .cloned()
                    .map_or_else(OnceLock::new, OnceLock::from);
            }
            (summary_fp[id], full_fp[id]) = (summary, full);
            sitemap[id] = sitemap::sitemap_paper(site, paper);
        }
        if crate::model::cache_outgrown(cache.summaries.len(), site.papers.len()) {
            cache.summaries.clear();
        }
        (self, moved)
    }
}

/// A theme compiled once, plus everything about the site that every page shares.
pub struct Renderer<'a> {
    tera: std::sync::Arc<Tera>,
    site: &'a Site,
    config: &'a Config,
    theme: &'a Theme,
    links: Links,
    /// Whether the theme has a search page (and so the site a search index).
    search_page: bool,
    /// Per paper, what of the summary that issue, tag and home pages list is made once (see
    /// [`view::Summary`]); shared by all.
    summaries: Arc<Vec<OnceLock<view::Summary>>>,
    /// Per paper, the summary value listings show, made on first use (see
    /// [`summary_values`]).
    summary_values: summary_values::SummaryValues,
    /// Per tag, `{name, url}`.
    tag_links: Vec<Value>,
    /// The site's feeds, which every page's head links to.
    feed_links: Vec<Value>,
    /// Per paper, a hash of what its summary shows, and of everything its page and feed
    /// entries show: the inputs of [`Renderer::fingerprint`].
    summary_fp: Arc<Vec<u64>>,
    full_fp: Arc<Vec<u64>>,
    /// Per paper, what the sitemap shows of it (see [`sitemap::SitemapPaper`]).
    sitemap_papers: Arc<Vec<sitemap::SitemapPaper>>,
    /// Per paper, its place in its first issue (see [`pages::first_places`]).
    places: Vec<u32>,
    /// Per paper, its place in its first issue's pages (see [`pages::first_listed`]).
    listed: Vec<u32>,
    /// What the search index is written from.
    search: SearchInput<'a>,
    /// The search index, planned on first use.
    search_plan: std::sync::OnceLock<search_index::Plan>,
    /// Pages per sitemap file, found on first use (each part's job and fingerprint asks;
    /// an address longer than about 300 bytes makes it read every slug).
    sitemap_per_part: std::sync::OnceLock<usize>,
    /// Watch mode only (`None` in a build): the last save's plan, taken when this one is
    /// planned from it (see [`Renderer::after_search_plan`]).
    search_previous: Option<std::sync::Mutex<Option<search_index::Plan>>>,
    /// The sealed segment of the search index the last build stored, which the words
    /// given leave out (see `search_sealed.rs`).
    search_sealed: Option<Arc<search_sealed::StoredSealed>>,
    /// The papers a patched save touched (see [`Renderer::with_cache`]); `None` when any
    /// paper may have changed.
    touched: Option<Vec<PaperId>>,
    /// With `touched`: those of its papers whose summary changed.
    summaries_moved: Option<Vec<PaperId>>,
    /// Every issue date's ISO and display forms.
    dates: DateForms,
    /// The words and date forms of the site's language.
    lang: i18n::Language,
}

/// What the search index is written from.
enum SearchInput<'a> {
    /// Nothing given: the index's plan reads every paper's words, into this lexicon.
    Fresh(std::sync::OnceLock<Lexicon>),
    /// The words the build already read; the plan takes them (and frees them once it has
    /// inverted them).
    Words(&'a Lexicon, std::sync::Mutex<Option<Prepared>>),
}

impl<'a> Renderer<'a> {
    /// Compiles the theme's templates and prepares the shared per-paper data.
    pub fn new(site: &'a Site, config: &'a Config, theme: &'a Theme) -> Result<Self> {
        Self::with_cache(site, config, theme, &mut RenderCache::default(), None)
    }

    /// The paths of the theme's and the site's static files, as the output holds them.
    pub fn static_paths(&self) -> impl Iterator<Item = &str> {
        self.theme.statics.iter().map(|(path, _)| path.as_str())
    }

    /// [`Renderer::new`], reusing the paper summaries in `cache` that are still current (the
    /// watch loop keeps one across rebuilds; it is valid for one config and theme).
    ///
    /// `touched` says that `site` is the model `cache` last prepared, with only these
    /// papers' records or tags changed since (a patched watch-mode save): only they are
    /// prepared again.
    pub fn with_cache(
        site: &'a Site,
        config: &'a Config,
        theme: &'a Theme,
        cache: &mut RenderCache,
        touched: Option<&[PaperId]>,
    ) -> Result<Self> {
        let links = Links::new(config);
        let lang = i18n::Language::of(config);
        let dates = DateForms::of(site, &lang);
        let tera = match &cache.tera {
            Some(tera) => tera.clone(),
            None => {
                let mut tera = Tera::new();
                tera.register_filter("group_by", filters::group_by);
                tera.add_raw_templates(theme.templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
                    .map_err(|e| theme.template_error(&e))?;
                tera.global_context().insert("site", &view::site_view(config, &links));
                tera.global_context().insert("t", lang.words());
                let tera = std::sync::Arc::new(tera);
                cache.tera = Some(tera.clone());
                tera
            }
        };
        let tag_links: Vec<Value> = site
            .tags
            .iter()
            .map(|t| {
                Value::from_serializable(&NameUrl {
                    name: &t.name,
                    url: links.path(&tag_dir(&t.slug)),
                })
            })
            .collect();
        let feed_links = [
            ("RSS", "rss.xml", "application/rss+xml"),
            ("Atom", "atom.xml", "application/atom+xml"),
            ("JSON Feed", "feed.json", "application/feed+json"),
            (lang.word("feed_link_issues"), "issues/rss.xml", "application/rss+xml"),
        ]
        .into_iter()
        .filter(|(_, rel, _)| config.feeds.issues > 0 || !rel.starts_with("issues/"))
        .map(|(label, rel, kind)| {
            Value::from_serializable(&FeedLink {
                title: format!("{} ({label})", config.title),
                url: links.path(rel),
                kind,
            })
        })
        .collect();
        let (per_paper, summaries_moved) = match (touched, cache.last.take()) {
            (Some(ids), Some(last)) if last.summary_fp.len() == site.papers.len() => {
                let (per_paper, moved) = last.patched(site, ids, cache);
                (per_paper, Some(moved))
            }
            (_, last) => {
                if let Some(last) = last {
                    last.keep_summaries(cache);
                }
                (PerPaper::of(site, cache), None)
            }
        };
        cache.last = Some(per_paper.clone());
        let PerPaper {
            summaries,
            summary_fp,
            full_fp,
            sitemap: sitemap_papers,
        } = per_paper;
        Ok(Renderer {
            tera,
            site,
            config,
            theme,
            links,
            search_page: theme.has_search_page(),
            summaries,
            summary_values: summary_values::SummaryValues::for_papers(site.papers.len()),
            tag_links,
            feed_links,
            summary_fp,
            full_fp,
            sitemap_papers,
            places: pages::first_places(site),
            listed: pages::first_listed(site, config.issues.again),
            search: SearchInput::Fresh(std::sync::OnceLock::new()),
            search_plan: std::sync::OnceLock::new(),
            sitemap_per_part: std::sync::OnceLock::new(),
            search_previous: None,
            search_sealed: None,
            touched: touched.map(<[PaperId]>::to_vec),
            summaries_moved,
            dates,
            lang,
        })
    }

    /// Builds the search index from words already read (see [`crate::enrich::SearchWords`]).
    pub fn with_search_words(mut self, lexicon: &'a Lexicon, words: Prepared) -> Self {
        self.search = SearchInput::Words(lexicon, std::sync::Mutex::new(Some(words)));
        self
    }

    /// Takes the search index's sealed segment from `stored`, which the last build left:
    /// the words given leave out its papers' (see [`Prepared::sealed`]).
    pub fn with_sealed_search(mut self, stored: Option<Arc<search_sealed::StoredSealed>>) -> Self {
        self.search_sealed = stored;
        self
    }

    /// Plans the search index by patching `previous`, the last watch-mode save's plan (made
    /// with the same lexicon), where it can (see [`search_index::Plan::after`]); the plan is
    /// then kept for [`Renderer::into_search_plan`].
    pub(crate) fn after_search_plan(mut self, previous: Option<search_index::Plan>) -> Self {
        self.search_previous = Some(std::sync::Mutex::new(previous));
        self
    }

    /// The search index's plan, if one was made, for the next watch-mode save.
    pub(crate) fn into_search_plan(self) -> Option<search_index::Plan> {
        self.search_plan.into_inner()
    }

    /// The head metadata of the page at output path `rel`.
    fn meta(&self, title: String, description: String, rel: &str) -> PageMeta {
        let mut feeds = self.feed_links.clone();
        // A page's own feed first: readers subscribe to the first feed a page names. The
        // issues' feed is the last of the site's, when there is one.
        if rel.starts_with("issues/") && self.config.feeds.issues > 0 {
            feeds.rotate_right(1);
        }
        PageMeta {
            title,
            description,
            canonical: self.links.abs(rel),
            feeds,
            kind: if rel.starts_with("papers/") {
                "article"
            } else {
                "website"
            },
        }
    }

    /// A page: `template` with `ctx` and the page's head metadata.
    fn render(&self, template: &str, mut ctx: Context, meta: PageMeta) -> Result<Vec<u8>> {
        // Built by hand: the feed links are shared values, not serialized again per page.
        let PageMeta {
            title,
            description,
            canonical,
            feeds,
            kind,
        } = meta;
        let mut page = tera::Map::default();
        page.insert("title".into(), title.into());
        page.insert("description".into(), description.into());
        page.insert("canonical".into(), canonical.into());
        page.insert("feeds".into(), feeds.into());
        page.insert("kind".into(), kind.into());
        ctx.insert_value("page", page.into());
        self.render_template(template, &ctx)
    }

    /// `template` with `ctx`, template errors naming the theme file and line.
    fn render_template(&self, template: &str, ctx: &Context) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(8 * 1024);
        self.tera
            .render_to(template, ctx, &mut out)
            .map_err(|e| self.theme.template_error(&e))?;
        Ok(out)
    }

    /// The summaries of `ids`, for a listing.
    fn summaries_of(&self, ids: &[PaperId]) -> Value {
        Value::from(ids.iter().map(|&id| self.summary(id, None)).collect::<Vec<_>>())
    }

    /// The summary of paper `id` as templates see it, with one more key when `extra` says.
    fn summary(&self, id: PaperId, extra: Option<(&'static str, Value)>) -> Value {
        let make = |extra| {
            let forms = view::SummaryForms {
                links: &self.links,
                dates: &self.dates,
                tag_links: &self.tag_links,
            };
            let paper = &self.site.papers[id];
            self.summaries[id]
                .get_or_init(|| view::summary(paper))
                .value_with(paper, &forms, extra)
        };
        match extra {
            // Rare (a paper listed again in a later issue): made each time.
            Some(_) => make(extra),
            None => self.summary_values.get(id, || make(None)),
        }
    }
}
