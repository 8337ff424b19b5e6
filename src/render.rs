//! Rendering: the model and the theme → pages as bytes. Rendering never reads the disk;
//! pages go to a [`Sink`], which decides whether they land in a folder or in memory.

use std::hash::{Hash, Hasher};

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera, Value};

use crate::config::Config;
use crate::feeds;
use crate::markup;
use crate::model::{IssueId, PaperId, Site, TagId};
use crate::search;
use crate::sitemap;
use crate::theme::Theme;

/// Where rendered pages go. Implementations must be thread-safe: pages render in parallel.
pub trait Sink: Sync {
    /// Stores one output file; `path` is relative to the output root, `/`-separated.
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()>;
}

/// One unit of rendering work; the incremental rebuild renders a subset of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Job {
    /// `/index.html`: the newest issue.
    Home,
    /// `/issues/index.html`.
    Archive,
    /// `/issues/YYYY-MM-DD/index.html`.
    Issue(IssueId),
    /// `/papers/<slug>/index.html`.
    Paper(PaperId),
    /// `/tags/index.html`.
    TagIndex,
    /// `/tags/<slug>/index.html` and its two feeds.
    Tag(TagId),
    /// `/rss.xml`, `/atom.xml` and `/feed.json`.
    SiteFeeds,
    /// `/issues/rss.xml`, `/issues/atom.xml` and `/issues/feed.json`: one item per issue.
    IssueFeeds,
    /// `/sitemap.xml` and `/robots.txt`.
    Sitemap,
    /// `/search/`: the page, the index's entry point and the script.
    Search,
    /// `/search/index-K.json`: shard K of the search index.
    SearchShard(usize),
    /// `/404.html`.
    NotFound,
    /// The theme's static files.
    Statics,
}

/// What rendering derives from the theme and each paper and can keep across watch-mode
/// rebuilds: the compiled templates, and the summaries (the `{title, url, date, excerpt,
/// tags}` that list pages show) by fingerprint.
#[derive(Default)]
pub struct RenderCache {
    /// The compiled theme (with the config in its globals).
    tera: Option<std::sync::Arc<Tera>>,
    summaries: std::collections::HashMap<u64, Value>,
}

/// Output files of one job: `(path under the output root, bytes)`.
pub type Files = Vec<(String, Vec<u8>)>;

/// Counts for the build summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// HTML pages written.
    pub pages: usize,
    /// RSS and Atom files written.
    pub feeds: usize,
    /// Other files (sitemap, static files).
    pub other: usize,
}

/// A theme compiled once, plus everything about the site that every page shares.
pub struct Renderer<'a> {
    tera: std::sync::Arc<Tera>,
    site: &'a Site,
    config: &'a Config,
    theme: &'a Theme,
    links: Links,
    /// Per paper, the summary that issue, tag and home pages list; built once, shared by all.
    summaries: Vec<Value>,
    /// Per tag, `{name, url}`.
    tag_links: Vec<Value>,
    /// The site's feeds, which every page's head links to.
    feed_links: Vec<Value>,
    /// Per paper, a hash of what its summary shows, and of everything its page and feed
    /// entries show: the inputs of [`Renderer::fingerprint`].
    summary_fp: Vec<u64>,
    full_fp: Vec<u64>,
    /// The search index, or what the search job builds it from.
    search: SearchInput<'a>,
    /// Every issue date's ISO and display forms: chrono parses its format pattern on every
    /// call, and nearly every page shows dates.
    dates: DateForms,
}

/// ISO (`2026-11-26`) and display ("26 November 2026") forms of dates, formatted once.
#[derive(Default)]
struct DateForms(rustc_hash::FxHashMap<chrono::NaiveDate, (String, String)>);

impl DateForms {
    fn of(site: &Site) -> Self {
        DateForms(
            site.issues
                .iter()
                .map(|i| (i.date, (i.date.format("%Y-%m-%d").to_string(), display_date(i.date))))
                .collect(),
        )
    }

    fn iso(&self, date: chrono::NaiveDate) -> String {
        self.0
            .get(&date)
            .map_or_else(|| date.format("%Y-%m-%d").to_string(), |d| d.0.clone())
    }

    fn display(&self, date: chrono::NaiveDate) -> String {
        self.0.get(&date).map_or_else(|| display_date(date), |d| d.1.clone())
    }
}

/// What the search shards are written from.
enum SearchInput<'a> {
    /// Nothing given: the first shard job reads every paper's words, for all of them.
    Fresh(std::sync::OnceLock<(crate::lexicon::Lexicon, search::Prepared)>),
    /// The words the build already read.
    Words(&'a crate::lexicon::Lexicon, search::Prepared),
}

/// URL building in one place, so that a `base_url` with a path works everywhere.
#[derive(Debug, Clone)]
pub struct Links {
    /// Absolute base URL with a trailing slash.
    pub base_url: String,
    /// Path of the base URL with leading and trailing slashes (`/` or `/digest/`).
    pub base_path: String,
}

impl Links {
    /// Builds links from the config.
    pub fn new(config: &Config) -> Self {
        Links {
            base_url: config.base_url(),
            base_path: config.base_path(),
        }
    }
    /// Root-relative link to an output path (`papers/x/` → `/digest/papers/x/`).
    pub fn path(&self, rel: &str) -> String {
        format!("{}{rel}", self.base_path)
    }
    /// Absolute URL of an output path, for feeds, canonical links and the sitemap.
    pub fn abs(&self, rel: &str) -> String {
        format!("{}{rel}", self.base_url)
    }
}

/// Output path of a paper's page, without `index.html`.
pub fn paper_dir(slug: &str) -> String {
    format!("papers/{slug}/")
}
/// Output path of an issue's page, without `index.html`.
pub fn issue_dir(date: &str) -> String {
    format!("issues/{date}/")
}
/// Output path of page `number` (from 1) of a tag whose folder is `dir`.
pub fn tag_page_path(dir: &str, number: usize) -> String {
    if number == 1 {
        format!("{dir}index.html")
    } else {
        format!("{dir}page/{number}/index.html")
    }
}

/// Output path of a tag's page, without `index.html`.
pub fn tag_dir(slug: &str) -> String {
    format!("tags/{slug}/")
}

#[derive(Serialize)]
struct NameUrl<'a> {
    name: &'a str,
    url: String,
}

#[derive(Serialize)]
struct FeedLink {
    title: String,
    url: String,
    kind: &'static str,
}

/// What every page's template sees as `page`.
struct PageMeta {
    title: String,
    description: String,
    canonical: String,
    /// [`FeedLink`]s, as template values.
    feeds: Vec<Value>,
    /// Open Graph type: `article` for a paper, `website` for the rest.
    kind: &'static str,
}

#[derive(Serialize)]
struct IssueLink {
    date: String,
    date_display: String,
    url: String,
    count: usize,
}

/// Human form of a date: "26 November 2026".
pub fn display_date(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

impl<'a> Renderer<'a> {
    /// Compiles the theme's templates and prepares the shared per-paper data.
    pub fn new(site: &'a Site, config: &'a Config, theme: &'a Theme) -> Result<Self> {
        Self::with_cache(site, config, theme, &mut RenderCache::default())
    }

    /// [`Renderer::new`], reusing the paper summaries in `cache` that are still current (the
    /// watch loop keeps one across rebuilds; it is valid for one config and theme).
    pub fn with_cache(site: &'a Site, config: &'a Config, theme: &'a Theme, cache: &mut RenderCache) -> Result<Self> {
        let links = Links::new(config);
        let dates = DateForms::of(site);
        let tera = match &cache.tera {
            Some(tera) => tera.clone(),
            None => {
                let mut tera = Tera::new();
                tera.add_raw_templates(theme.templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
                    .map_err(|e| theme.template_error(&e))?;
                tera.global_context().insert("site", &site_view(config, &links));
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
            ("daily issues, RSS", "issues/rss.xml", "application/rss+xml"),
        ]
        .into_iter()
        .map(|(label, rel, kind)| {
            Value::from_serializable(&FeedLink {
                title: format!("{} ({label})", config.title),
                url: links.path(rel),
                kind,
            })
        })
        .collect();
        let (summary_fp, full_fp): (Vec<u64>, Vec<u64>) =
            site.papers.par_iter().map(|p| paper_fingerprints(site, p)).unzip();
        let missing: Vec<(u64, Value)> = site
            .papers
            .par_iter()
            .zip(&summary_fp)
            .filter(|(_, fp)| !cache.summaries.contains_key(fp))
            .map(|(p, &fp)| {
                #[derive(Serialize)]
                struct Summary<'b> {
                    title: &'b str,
                    url: String,
                    date: String,
                    date_display: String,
                    excerpt: String,
                }
                let mut v = Value::from_serializable(&Summary {
                    title: &p.title,
                    url: links.path(&paper_dir(&p.slug)),
                    date: dates.iso(p.date),
                    date_display: dates.display(p.date),
                    excerpt: markup::excerpt(&p.abstract_text, LIST_EXCERPT),
                });
                let tags: Vec<Value> = p.tags.iter().map(|&t| tag_links[t].clone()).collect();
                insert_value(&mut v, "tags", Value::from(tags));
                (fp, v)
            })
            .collect();
        if crate::model::cache_outgrown(cache.summaries.len() + missing.len(), site.papers.len()) {
            cache.summaries.clear();
        }
        cache.summaries.extend(missing);
        let summaries = summary_fp.iter().map(|fp| cache.summaries[fp].clone()).collect();
        Ok(Renderer {
            tera,
            site,
            config,
            theme,
            links,
            summaries,
            tag_links,
            feed_links,
            summary_fp,
            full_fp,
            search: SearchInput::Fresh(std::sync::OnceLock::new()),
            dates,
        })
    }

    /// Builds the search index from words already read (see [`search::Words::prepare`]).
    pub fn with_search_words(mut self, lexicon: &'a crate::lexicon::Lexicon, words: search::Prepared) -> Self {
        self.search = SearchInput::Words(lexicon, words);
        self
    }

    /// Every job of a full build.
    pub fn all_jobs(&self) -> Vec<Job> {
        let mut jobs = vec![
            Job::Home,
            Job::Archive,
            Job::TagIndex,
            Job::SiteFeeds,
            Job::IssueFeeds,
            Job::Sitemap,
            Job::Search,
            Job::NotFound,
            Job::Statics,
        ];
        jobs.extend((0..self.site.issues.len()).map(Job::Issue));
        jobs.extend((0..self.site.papers.len()).map(Job::Paper));
        jobs.extend((0..self.site.tags.len()).map(Job::Tag));
        if self.theme.has_template("search.html") {
            jobs.extend((0..search::shard_count(self.site.papers.len())).map(Job::SearchShard));
        }
        jobs
    }

    /// Renders `jobs` in parallel and hands the files to `sink` from one writer thread, in
    /// path order: file systems create a folder's entries fastest one at a time and in order,
    /// and rendering (a small share of a build) overlaps with writing. Memory stays bounded:
    /// at most a few chunks of pages are in flight. The first error stops the build.
    /// `progress(done, total)` is called after each chunk is written, and `written(job,
    /// paths)` after each job's files are (the watch loop records them).
    pub fn render_jobs(
        &self,
        jobs: &[Job],
        sink: &dyn Sink,
        progress: &(dyn Fn(usize, usize) + Sync),
        written: &mut (dyn FnMut(Job, Vec<String>) + Send),
    ) -> Result<Counts> {
        let total = jobs.len();
        let mut jobs = jobs.to_vec();
        jobs.sort_by_cached_key(|&job| self.job_key(job));
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(Job, Files)>>(2);
        std::thread::scope(|scope| {
            let writer = scope.spawn(move || -> Result<Counts> {
                let mut counts = Counts::default();
                let mut done = 0;
                for chunk in rx {
                    done += chunk.len();
                    for (job, files) in chunk {
                        let mut paths = Vec::with_capacity(files.len());
                        for (path, bytes) in files {
                            if path.ends_with(".html") {
                                counts.pages += 1;
                            } else if (path.ends_with(".xml") && path != "sitemap.xml") || path.ends_with("feed.json") {
                                counts.feeds += 1;
                            } else {
                                counts.other += 1;
                            }
                            sink.put(&path, &bytes)?;
                            paths.push(path);
                        }
                        written(job, paths);
                    }
                    progress(done, total);
                }
                Ok(counts)
            });
            let rendered = self
                .chunks_by_pages(&jobs, |&job| job)
                .into_iter()
                .try_for_each(|chunk| -> Result<()> {
                    let files: Vec<(Job, Files)> = chunk
                        .par_iter()
                        .map(|&job| Ok((job, self.render_job(job)?)))
                        .collect::<Result<_>>()?;
                    // A closed channel means the writer failed; its error is reported below.
                    let _ = tx.send(files);
                    Ok(())
                });
            drop(tx);
            let written = writer.join().expect("the writer thread does not panic");
            rendered?;
            written
        })
    }

    /// Splits `items` (each naming a job) into runs of about [`PAGES_IN_FLIGHT`] pages: a
    /// tag with thousands of papers has as many pages, and a chunk holding every tag at once
    /// was the peak of a large build's memory.
    pub fn chunks_by_pages<'j, T>(&self, items: &'j [T], job: impl Fn(&T) -> Job) -> Vec<&'j [T]> {
        let mut chunks = Vec::new();
        let (mut begin, mut weight) = (0, 0);
        for (i, item) in items.iter().enumerate() {
            weight += self.job_pages(job(item));
            if weight >= PAGES_IN_FLIGHT || i + 1 == items.len() {
                chunks.push(&items[begin..=i]);
                (begin, weight) = (i + 1, 0);
            }
        }
        chunks
    }

    /// About how many pages a job writes, to size the chunks in flight.
    fn job_pages(&self, job: Job) -> usize {
        match job {
            Job::Tag(id) => match self.config.tags.per_page {
                0 => 3,
                n => self.site.tags[id].papers.len().div_ceil(n) + 2,
            },
            Job::Issue(_) => 3,
            _ => 1,
        }
    }

    /// A hash of everything a job's output depends on besides the config and the theme: the
    /// incremental rebuild re-renders a job only when this changes. It must mirror what the
    /// page functions below read; `tests/watch.rs` checks that rebuilds equal clean builds.
    pub fn fingerprint(&self, job: Job) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3Default::new();
        let site = self.site;
        let issue_link = |h: &mut xxhash_rust::xxh3::Xxh3Default, id: IssueId| {
            let issue = &site.issues[id];
            (issue.date, issue.papers.len()).hash(h);
        };
        let tag_list = |h: &mut xxhash_rust::xxh3::Xxh3Default| {
            for t in &site.tags {
                (&t.slug, &t.name, t.papers.len()).hash(h);
            }
        };
        let issue_context = |h: &mut xxhash_rust::xxh3::Xxh3Default, id: IssueId| {
            issue_link(h, id);
            for &p in &site.issues[id].papers {
                self.summary_fp[p].hash(h);
            }
            id.checked_sub(1).map(|i| issue_link(h, i)).hash(h);
            (id + 1 < site.issues.len()).then(|| issue_link(h, id + 1)).hash(h);
        };
        std::mem::discriminant(&job).hash(&mut h);
        match job {
            Job::Home => {
                if let Some(last) = site.issues.len().checked_sub(1) {
                    issue_context(&mut h, last);
                }
                for i in (0..site.issues.len()).rev().take(10) {
                    issue_link(&mut h, i);
                }
                tag_list(&mut h);
            }
            Job::Archive => (0..site.issues.len()).for_each(|i| issue_link(&mut h, i)),
            Job::Issue(id) => issue_context(&mut h, id),
            Job::Paper(id) => {
                let p = &site.papers[id];
                self.full_fp[id].hash(&mut h);
                for &i in &p.issues {
                    site.issues[i].date.hash(&mut h);
                }
                let order = &site.issues[p.issues[0]].papers;
                let pos = order.iter().position(|&x| x == id).unwrap_or(0);
                let prev = pos
                    .checked_sub(1)
                    .and_then(|i| order.get(i))
                    .map(|&n| self.summary_fp[n]);
                let next = order.get(pos + 1).map(|&n| self.summary_fp[n]);
                (prev, next).hash(&mut h);
                p.related.iter().for_each(|&r| self.summary_fp[r].hash(&mut h));
            }
            Job::TagIndex => tag_list(&mut h),
            Job::Tag(id) => {
                let tag = &site.tags[id];
                (&tag.slug, &tag.name, tag.papers.len()).hash(&mut h);
                for (i, &p) in tag.papers.iter().enumerate() {
                    self.summary_fp[p].hash(&mut h);
                    if i < self.config.feeds.limit {
                        self.full_fp[p].hash(&mut h);
                    }
                }
            }
            Job::SiteFeeds => {
                for p in site.papers_newest_first().into_iter().take(self.config.feeds.limit) {
                    self.full_fp[p].hash(&mut h);
                }
            }
            Job::IssueFeeds => {
                for i in self.issues_newest_first() {
                    site.issues[i].date.hash(&mut h);
                    site.issues[i].papers.iter().for_each(|&p| self.full_fp[p].hash(&mut h));
                }
            }
            Job::Sitemap => {
                site.issues.iter().map(|i| i.date).for_each(|d| d.hash(&mut h));
                for p in &site.papers {
                    (&p.slug, p.issues.last().map(|&i| site.issues[i].date)).hash(&mut h);
                }
                for t in &site.tags {
                    (&t.slug, t.papers.first().map(|&p| site.papers[p].date)).hash(&mut h);
                }
            }
            Job::Search => site.papers.len().hash(&mut h),
            // A shard holds every word of its papers' titles and abstracts, and every tag.
            Job::SearchShard(k) => {
                for t in &site.tags {
                    (&t.slug, &t.name).hash(&mut h);
                }
                self.full_fp[search::shard_range(k, site.papers.len())].hash(&mut h);
            }
            Job::NotFound | Job::Statics => {}
        }
        h.finish()
    }

    /// Sort key of a job: its main output path, unique per job.
    pub fn job_key(&self, job: Job) -> String {
        match job {
            Job::Home => "index.html".into(),
            Job::Archive => "issues/index.html".into(),
            Job::Issue(id) => issue_dir(&self.site.issues[id].slug()),
            Job::Paper(id) => paper_dir(&self.site.papers[id].slug),
            Job::TagIndex => "tags/index.html".into(),
            Job::Tag(id) => tag_dir(&self.site.tags[id].slug),
            Job::SiteFeeds => "rss.xml".into(),
            Job::IssueFeeds => "issues/rss.xml".into(),
            Job::Sitemap => "sitemap.xml".into(),
            Job::Search => "search/index.html".into(),
            Job::SearchShard(k) => search::shard_path(k),
            Job::NotFound => "404.html".into(),
            Job::Statics => String::new(),
        }
    }

    /// The files of one job: `(path under the output root, bytes)`.
    pub fn render_job(&self, job: Job) -> Result<Files> {
        let mut files = Vec::with_capacity(1);
        let mut page = |path: &str, bytes: Vec<u8>| -> Result<()> {
            files.push((path.to_string(), bytes));
            Ok(())
        };
        match job {
            Job::Home => page("index.html", self.home()?)?,
            Job::Archive => page("issues/index.html", self.archive()?)?,
            Job::Issue(id) => {
                let dir = issue_dir(&self.site.issues[id].slug());
                page(&format!("{dir}index.html"), self.issue(id)?)?;
                let templates = ["email.html", "email.txt"]
                    .into_iter()
                    .filter(|t| self.theme.has_template(t));
                let mut email = None;
                for name in templates {
                    let ctx = email.get_or_insert_with(|| self.email_context(id));
                    page(&format!("{dir}{name}"), self.render_template(name, ctx)?)?;
                }
            }
            Job::Paper(id) => {
                let slug = &self.site.papers[id].slug;
                page(&format!("{}index.html", paper_dir(slug)), self.paper(id)?)?
            }
            Job::TagIndex => page("tags/index.html", self.tag_index()?)?,
            Job::Tag(id) => {
                let tag = &self.site.tags[id];
                let dir = tag_dir(&tag.slug);
                for (number, bytes) in self.tag_pages(id)?.into_iter().enumerate() {
                    page(&tag_page_path(&dir, number + 1), bytes)?;
                }
                let feed = self.tag_feed(id);
                page(&format!("{dir}rss.xml"), feeds::rss(&feed, &self.links))?;
                page(&format!("{dir}atom.xml"), feeds::atom(&feed, &self.links))?;
            }
            Job::SiteFeeds => {
                let feed = self.site_feed();
                page("rss.xml", feeds::rss(&feed, &self.links))?;
                page("atom.xml", feeds::atom(&feed, &self.links))?;
                page("feed.json", feeds::json(&feed, &self.links))?;
            }
            Job::IssueFeeds => {
                let feed = self.issue_feed();
                page("issues/rss.xml", feeds::rss(&feed, &self.links))?;
                page("issues/atom.xml", feeds::atom(&feed, &self.links))?;
                page("issues/feed.json", feeds::json(&feed, &self.links))?;
            }
            Job::Sitemap => {
                page("sitemap.xml", sitemap::render(self.site, &self.links))?;
                page("robots.txt", sitemap::robots(&self.links))?;
            }
            Job::Search => {
                if self.theme.has_template("search.html") {
                    let meta = self.meta(
                        format!("Search — {}", self.config.title),
                        format!("Search every paper in {} by title, abstract or tag.", self.config.title),
                        "search/",
                    );
                    page("search/index.html", self.render("search.html", Context::new(), meta)?)?;
                    page("search/index.json", search::head(self.site))?;
                    page("search/search.js", search::SCRIPT.as_bytes().to_vec())?;
                }
            }
            Job::SearchShard(k) => {
                let (lexicon, words) = match &self.search {
                    SearchInput::Words(lexicon, words) => (*lexicon, words),
                    SearchInput::Fresh(once) => {
                        let (lexicon, words) = once.get_or_init(|| search::fresh_words(self.site));
                        (lexicon, words)
                    }
                };
                page(&search::shard_path(k), search::shard(self.site, lexicon, words, k))?;
            }
            Job::NotFound => page("404.html", self.not_found()?)?,
            Job::Statics => {
                for (path, bytes) in &self.theme.statics {
                    page(path, bytes.clone())?;
                }
            }
        }
        Ok(files)
    }

    fn meta(&self, title: String, description: String, rel: &str) -> PageMeta {
        PageMeta {
            title,
            description,
            canonical: self.links.abs(rel),
            feeds: self.feed_links.clone(),
            kind: if rel.starts_with("papers/") {
                "article"
            } else {
                "website"
            },
        }
    }

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

    fn summaries_of(&self, ids: &[PaperId]) -> Value {
        Value::from(ids.iter().map(|&id| self.summaries[id].clone()).collect::<Vec<_>>())
    }

    fn issue_link(&self, id: IssueId) -> IssueLink {
        let issue = &self.site.issues[id];
        let date = self.dates.iso(issue.date);
        IssueLink {
            url: self.links.path(&issue_dir(&date)),
            date_display: self.dates.display(issue.date),
            date,
            count: issue.papers.len(),
        }
    }

    fn issue_context(&self, id: IssueId) -> Context {
        let issue = &self.site.issues[id];
        let mut ctx = Context::new();
        ctx.insert("issue", &self.issue_link(id));
        ctx.insert_value("papers", self.summaries_of(&issue.papers));
        ctx.insert("prev_issue", &id.checked_sub(1).map(|i| self.issue_link(i)));
        ctx.insert(
            "next_issue",
            &(id + 1 < self.site.issues.len()).then(|| self.issue_link(id + 1)),
        );
        ctx
    }

    fn home(&self) -> Result<Vec<u8>> {
        let mut ctx = match self.site.issues.len() {
            0 => Context::new(),
            n => self.issue_context(n - 1),
        };
        let recent: Vec<IssueLink> = (0..self.site.issues.len())
            .rev()
            .take(10)
            .map(|i| self.issue_link(i))
            .collect();
        ctx.insert("recent_issues", &recent);
        ctx.insert_value("tags", self.tag_list());
        let meta = self.meta(self.config.title.clone(), self.config.description.clone(), "");
        self.render("index.html", ctx, meta)
    }

    fn archive(&self) -> Result<Vec<u8>> {
        let issues: Vec<IssueLink> = (0..self.site.issues.len()).rev().map(|i| self.issue_link(i)).collect();
        let mut ctx = Context::new();
        ctx.insert("issues", &issues);
        let meta = self.meta(
            format!("All issues — {}", self.config.title),
            format!("Every issue of {}, newest first.", self.config.title),
            "issues/",
        );
        self.render("archive.html", ctx, meta)
    }

    fn issue(&self, id: IssueId) -> Result<Vec<u8>> {
        let issue = &self.site.issues[id];
        let ctx = self.issue_context(id);
        let meta = self.meta(
            format!("{} — {}", display_date(issue.date), self.config.title),
            format!(
                "{} papers trending on {}.",
                issue.papers.len(),
                display_date(issue.date)
            ),
            &issue_dir(&issue.slug()),
        );
        self.render("issue.html", ctx, meta)
    }

    /// What the issue's email templates see: one context serves both the self-contained
    /// `email.html` (inline styles, tables, absolute links) and its plain-text twin
    /// `email.txt` (wrapped at 72 columns).
    fn email_context(&self, id: IssueId) -> Context {
        #[derive(Serialize)]
        struct EmailPaper {
            title: String,
            title_lines: Vec<String>,
            url: String,
            excerpt: String,
            excerpt_lines: Vec<String>,
            tags: Vec<String>,
            tag_lines: Vec<String>,
        }
        #[derive(Serialize)]
        struct Email {
            subject: String,
            date_display: String,
            url: String,
            count: usize,
            papers: Vec<EmailPaper>,
        }
        let issue = &self.site.issues[id];
        let papers = issue
            .papers
            .iter()
            .map(|&pid| {
                let p = &self.site.papers[pid];
                let excerpt = markup::excerpt(&p.abstract_text, EMAIL_EXCERPT);
                let tags: Vec<String> = p.tags.iter().map(|&t| self.site.tags[t].name.clone()).collect();
                let tag_lines = if tags.is_empty() {
                    Vec::new()
                } else {
                    markup::wrap(&format!("[{}]", tags.join(", ")), 69)
                };
                EmailPaper {
                    title: p.title.to_string(),
                    title_lines: markup::wrap(&p.title, 67),
                    url: self.links.abs(&paper_dir(&p.slug)),
                    excerpt_lines: markup::wrap(&excerpt, 69),
                    excerpt,
                    tags,
                    tag_lines,
                }
            })
            .collect();
        let date_display = display_date(issue.date);
        let email = Email {
            subject: format!("{} — {date_display}", self.config.title),
            date_display,
            url: self.links.abs(&issue_dir(&issue.slug())),
            count: issue.papers.len(),
            papers,
        };
        let mut ctx = Context::new();
        ctx.insert("email", &email);
        ctx
    }

    fn paper(&self, id: PaperId) -> Result<Vec<u8>> {
        let p = &self.site.papers[id];
        let first_issue = p.issues[0];
        let order = &self.site.issues[first_issue].papers;
        let pos = order.iter().position(|&x| x == id).unwrap_or(0);
        let neighbour = |i: Option<usize>| i.and_then(|i| order.get(i)).map(|&n| self.summaries[n].clone());
        let (outbound, outbound_label) = match (&p.url, &p.arxiv) {
            (Some(url), _) => (markup::href_encode(url), "Read the paper".to_string()),
            (None, Some(id)) => {
                let id = id.trim_start_matches("arXiv:");
                (
                    format!("https://arxiv.org/abs/{}", markup::href_encode(id)),
                    format!("arXiv:{id}"),
                )
            }
            (None, None) => (
                format!(
                    "https://arxiv.org/search/?query={}&searchtype=title",
                    url_encode(&p.title)
                ),
                "Search arXiv for this title".to_string(),
            ),
        };
        #[derive(Serialize)]
        struct PaperView<'b> {
            title: &'b str,
            url: String,
            date: String,
            date_display: String,
            abstract_html: &'b str,
            authors: &'b [String],
            outbound: String,
            outbound_label: String,
            source_known: bool,
        }
        let mut ctx = Context::new();
        ctx.insert(
            "paper",
            &PaperView {
                title: &p.title,
                url: self.links.path(&paper_dir(&p.slug)),
                date: self.dates.iso(p.date),
                date_display: self.dates.display(p.date),
                abstract_html: &p.abstract_html,
                authors: &p.authors,
                outbound,
                outbound_label,
                source_known: p.url.is_some() || p.arxiv.is_some(),
            },
        );
        let tags: Vec<Value> = p.tags.iter().map(|&t| self.tag_links[t].clone()).collect();
        ctx.insert_value("tags", Value::from(tags));
        // Without counts: a paper's page need not change when its issue grows.
        #[derive(Serialize)]
        struct IssueRef {
            date: String,
            date_display: String,
            url: String,
        }
        let issues: Vec<IssueRef> = p
            .issues
            .iter()
            .map(|&i| {
                let IssueLink {
                    date,
                    date_display,
                    url,
                    ..
                } = self.issue_link(i);
                IssueRef {
                    date,
                    date_display,
                    url,
                }
            })
            .collect();
        ctx.insert("issues", &issues);
        ctx.insert_value("prev", neighbour(pos.checked_sub(1)).unwrap_or(Value::none()));
        ctx.insert_value("next", neighbour(Some(pos + 1)).unwrap_or(Value::none()));
        ctx.insert_value("related", self.summaries_of(&p.related));
        let meta = self.meta(
            format!("{} — {}", p.title, self.config.title),
            markup::excerpt(&p.abstract_text, 160),
            &paper_dir(&p.slug),
        );
        self.render("paper.html", ctx, meta)
    }

    fn tag_list(&self) -> Value {
        #[derive(Serialize)]
        struct TagItem<'b> {
            name: &'b str,
            url: String,
            count: usize,
        }
        let items: Vec<Value> = self
            .site
            .tags
            .iter()
            .map(|t| {
                Value::from_serializable(&TagItem {
                    name: &t.name,
                    url: self.links.path(&tag_dir(&t.slug)),
                    count: t.papers.len(),
                })
            })
            .collect();
        Value::from(items)
    }

    fn tag_index(&self) -> Result<Vec<u8>> {
        let mut ctx = Context::new();
        ctx.insert_value("tags", self.tag_list());
        let meta = self.meta(
            format!("Tags — {}", self.config.title),
            format!("Every topic in {}, with its number of papers.", self.config.title),
            "tags/",
        );
        self.render("tags.html", ctx, meta)
    }

    /// A tag's pages: all its papers on one page, or `[tags] per_page` a page (a big topic
    /// on one page would be megabytes of HTML).
    fn tag_pages(&self, id: TagId) -> Result<Vec<Vec<u8>>> {
        let tag = &self.site.tags[id];
        let dir = tag_dir(&tag.slug);
        #[derive(Serialize)]
        struct TagView<'b> {
            name: &'b str,
            url: String,
            rss: String,
            atom: String,
            count: usize,
        }
        let view = TagView {
            name: &tag.name,
            url: self.links.path(&dir),
            rss: self.links.path(&format!("{dir}rss.xml")),
            atom: self.links.path(&format!("{dir}atom.xml")),
            count: tag.papers.len(),
        };
        let per_page = match self.config.tags.per_page {
            0 => tag.papers.len().max(1),
            n => n,
        };
        let chunks: Vec<&[PaperId]> = if tag.papers.is_empty() {
            vec![&[]]
        } else {
            tag.papers.chunks(per_page).collect()
        };
        let total = chunks.len();
        let page_url = |n: usize| self.links.path(&tag_page_path(&dir, n).replace("index.html", ""));
        chunks
            .par_iter()
            .enumerate()
            .map(|(i, papers)| {
                let number = i + 1;
                let rel = tag_page_path(&dir, number).replace("index.html", "");
                let title = if number == 1 {
                    format!("{} — {}", tag.name, self.config.title)
                } else {
                    format!("{} (page {number} of {total}) — {}", tag.name, self.config.title)
                };
                let mut meta = self.meta(
                    title,
                    format!("{} papers tagged {}, newest first.", tag.papers.len(), tag.name),
                    &rel,
                );
                meta.feeds.push(Value::from_serializable(&FeedLink {
                    title: format!("{} (RSS)", tag.name),
                    url: view.rss.clone(),
                    kind: "application/rss+xml",
                }));
                meta.feeds.push(Value::from_serializable(&FeedLink {
                    title: format!("{} (Atom)", tag.name),
                    url: view.atom.clone(),
                    kind: "application/atom+xml",
                }));
                #[derive(Serialize)]
                struct Pager {
                    number: usize,
                    total: usize,
                    prev: Option<String>,
                    next: Option<String>,
                }
                let pager = Pager {
                    number,
                    total,
                    prev: (number > 1).then(|| page_url(number - 1)),
                    next: (number < total).then(|| page_url(number + 1)),
                };
                let mut ctx = Context::new();
                ctx.insert("tag", &view);
                ctx.insert("pager", &pager);
                ctx.insert_value("papers", self.summaries_of(papers));
                self.render("tag.html", ctx, meta)
            })
            .collect()
    }

    fn not_found(&self) -> Result<Vec<u8>> {
        let meta = self.meta(
            format!("Page not found — {}", self.config.title),
            "This page does not exist.".to_string(),
            "404.html",
        );
        self.render("404.html", Context::new(), meta)
    }

    fn site_feed(&self) -> feeds::Feed {
        let mut papers = self.site.papers_newest_first();
        papers.truncate(self.config.feeds.limit);
        feeds::Feed {
            title: self.config.title.clone(),
            description: self.config.description.clone(),
            author: self.config.author().to_string(),
            language: self.config.language.clone(),
            html_rel: String::new(),
            self_rel: String::new(),
            items: papers.into_iter().map(|p| feeds::Item::paper(self.site, p)).collect(),
        }
    }

    /// The daily-issue feed: one item per issue, newest first.
    fn issue_feed(&self) -> feeds::Feed {
        feeds::Feed {
            title: format!("{} — daily issues", self.config.title),
            description: format!(
                "Every issue of {}, one item per issue with all its papers.",
                self.config.title
            ),
            author: self.config.author().to_string(),
            language: self.config.language.clone(),
            html_rel: "issues/".into(),
            self_rel: "issues/".into(),
            items: self
                .issues_newest_first()
                .map(|i| feeds::Item::issue(self.site, i, &self.links))
                .collect(),
        }
    }

    fn issues_newest_first(&self) -> impl Iterator<Item = IssueId> {
        (0..self.site.issues.len()).rev().take(self.config.feeds.issues)
    }

    fn tag_feed(&self, id: TagId) -> feeds::Feed {
        let tag = &self.site.tags[id];
        let mut papers = tag.papers.clone();
        papers.truncate(self.config.feeds.limit);
        feeds::Feed {
            title: format!("{} — {}", tag.name, self.config.title),
            description: format!("Papers tagged {} in {}.", tag.name, self.config.title),
            author: self.config.author().to_string(),
            language: self.config.language.clone(),
            html_rel: tag_dir(&tag.slug),
            self_rel: tag_dir(&tag.slug),
            items: papers.into_iter().map(|p| feeds::Item::paper(self.site, p)).collect(),
        }
    }
}

/// Pages rendered at a time when a whole site is written: enough to keep every core busy,
/// few enough that memory stays bounded at 100,000 papers.
const PAGES_IN_FLIGHT: usize = 256;

/// Characters of the abstract in a paper's summary (issue and tag listings)...
const LIST_EXCERPT: usize = 240;
/// ...and in an issue's email.
const EMAIL_EXCERPT: usize = 300;
// Listings are fingerprinted by what excerpts this long read.
const _: () = assert!(LIST_EXCERPT <= markup::EXCERPT_MAX && EMAIL_EXCERPT <= markup::EXCERPT_MAX);

/// Hashes of what a paper's summary shows (and the email, which shows a little more of the
/// abstract) and of everything about it that pages and feeds show. The summary reads only
/// the start of the abstract, so a sentence added at its end re-renders the paper's page
/// and feeds, not every listing it is in.
fn paper_fingerprints(site: &Site, p: &crate::model::Paper) -> (u64, u64) {
    let mut h = xxhash_rust::xxh3::Xxh3Default::new();
    (&p.title, &p.slug, p.date, p.excerpt_hash).hash(&mut h);
    for &t in &p.tags {
        (&site.tags[t].slug, &site.tags[t].name).hash(&mut h);
    }
    let summary = h.finish();
    (p.text_hash, p.html_hash, &p.authors, &p.url, &p.arxiv, p.published).hash(&mut h);
    (summary, h.finish())
}

fn insert_value(map_value: &mut Value, key: &'static str, v: Value) {
    if let Some(map) = map_value.as_map().cloned() {
        let mut map = map;
        map.insert(key.into(), v);
        *map_value = Value::from(map);
    }
}

/// What every template sees as `site`.
fn site_view(config: &Config, links: &Links) -> impl Serialize {
    #[derive(Serialize)]
    struct SiteView {
        title: String,
        description: String,
        base_url: String,
        base_path: String,
        language: String,
        rss_url: String,
        atom_url: String,
    }
    SiteView {
        title: config.title.clone(),
        description: config.description.clone(),
        base_url: links.base_url.clone(),
        base_path: links.base_path.clone(),
        language: config.language.clone(),
        rss_url: links.path("rss.xml"),
        atom_url: links.path("atom.xml"),
    }
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
