//! Jobs: the units of rendering work. A full build renders all of them; watch mode renders
//! those whose fingerprint changed. Each job's fingerprint and output live beside its page
//! (`pages/`, `feeds/`, `sitemap`); this module lists the jobs and dispatches to them.
//!
//! Adding a kind of page: a variant here, its arms in the four `match`es below, and a module
//! that renders it and hashes what it reads.

use std::hash::{Hash, Hasher};

use anyhow::Result;

use super::Renderer;
use super::search_index::{dirs_count, docs_count};
use crate::model::{IssueId, PaperId, TagId, issue_dir, paper_dir, tag_dir};
use crate::theme::TemplateError;

/// One unit of rendering work; the incremental rebuild renders a subset of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Job {
    /// `/index.html`: the newest issue.
    Home,
    /// `/issues/index.html`.
    Archive,
    /// `/issues/YYYY-MM-DD/index.html`, and the issue's email.
    Issue(IssueId),
    /// `/papers/<slug>/index.html`.
    Paper(PaperId),
    /// `/tags/index.html`.
    TagIndex,
    /// `/tags/<slug>/index.html` (the tag's newest papers) and the tag's two feeds.
    Tag(TagId),
    /// Block K (from 0) of a tag's older pages, numbered from its oldest,
    /// [`TAG_PAGES_PER_JOB`] to a block: a topic on 40,000 papers has 400 pages (40 MB),
    /// rendered and written a block at a time, and a block of full pages never changes.
    TagPages(TagId, usize),
    /// `/rss.xml`, `/atom.xml` and `/feed.json`.
    SiteFeeds,
    /// `/issues/rss.xml`, `/issues/atom.xml` and `/issues/feed.json`: one item per issue.
    IssueFeeds,
    /// `/sitemap.xml` (the sitemap, or the index of its parts) and `/robots.txt`.
    Sitemap,
    /// `/sitemap-K.xml`: part K-1 of a sitemap past the protocol's 50,000 URLs.
    SitemapPart(usize),
    /// `/search/`: the page, the index's head and the script.
    Search,
    /// `/search/t-HASH.json`: term shard K of the search index.
    SearchTerms(usize),
    /// `/search/s-HASH.json`: term shard K of the search index's sealed segment.
    SearchSealed(usize),
    /// `/search/d-HASH.json`: document chunk K of the search index.
    SearchDocs(usize),
    /// `/search/i-HASH.json`: directory J of the search index's document chunks.
    SearchDir(usize),
    /// `/404.html`.
    NotFound,
    /// The theme's static files.
    Statics,
}

/// Output files of one job: `(path under the output root, bytes)`.
pub type Files = Vec<(String, Vec<u8>)>;

/// The hasher of fingerprints: fast, and the same in every process.
pub(crate) type Fingerprint = xxhash_rust::xxh3::Xxh3Default;

/// Pages rendered at a time when a whole site is written: enough to keep every core busy,
/// few enough that memory stays bounded at 100,000 papers.
const PAGES_IN_FLIGHT: usize = 256;

/// What a listing page weighs in [`PAGES_IN_FLIGHT`]. Issue and tag pages are 80-100 KB
/// against a paper page's 6 KB (100,000 papers): counted as one page each, a chunk of them
/// was 26 MB, and the four chunks in flight (rendering, two queued, writing) 100 MB of a
/// large build's peak.
const LISTING_WEIGHT: usize = 4;

/// Tag pages one job renders (a tag page lists 100 papers: about 100 KB of HTML).
pub(crate) const TAG_PAGES_PER_JOB: usize = 16;

impl Renderer<'_> {
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
        jobs.extend((0..self.sitemap_parts()).map(Job::SitemapPart));
        jobs.extend((0..self.site.issues.len()).map(Job::Issue));
        jobs.extend((0..self.site.papers.len()).map(Job::Paper));
        for id in 0..self.site.tags.len() {
            jobs.push(Job::Tag(id));
            jobs.extend((0..self.tag_older_pages(id).div_ceil(TAG_PAGES_PER_JOB)).map(|k| Job::TagPages(id, k)));
        }
        if self.search_page {
            jobs.extend((0..self.search_plan().shard_count()).map(Job::SearchTerms));
            jobs.extend((0..self.search_plan().sealed_count()).map(Job::SearchSealed));
            jobs.extend((0..docs_count(self.site.papers.len())).map(Job::SearchDocs));
            jobs.extend((0..dirs_count(self.site.papers.len())).map(Job::SearchDir));
        }
        jobs
    }

    /// Splits `items` (each naming a job) into runs of about 256 pages (`PAGES_IN_FLIGHT`): a
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

    /// About how many paper pages' worth of bytes a job writes, to size the chunks in
    /// flight: a listing page (an issue's or a tag's) counts [`LISTING_WEIGHT`] pages.
    fn job_pages(&self, job: Job) -> usize {
        match job {
            Job::Tag(_) => 3 * LISTING_WEIGHT,
            Job::TagPages(id, k) => self.tag_block(id, k).len() * LISTING_WEIGHT,
            Job::Issue(id) => (self.issue_page_count(id) + 2) * LISTING_WEIGHT,
            // 50,000 URLs are 7 MB, a thousand paper pages' worth; weighed as a quarter of a
            // chunk, a few parts go together, and a watch-mode save that changes one part
            // and a few pages stays within one chunk (see `live/rebuild.rs`, `rewrite`).
            Job::SitemapPart(_) => PAGES_IN_FLIGHT / 4,
            _ => 1,
        }
    }

    /// A hash of everything a job's output depends on besides the config and the theme: the
    /// incremental rebuild re-renders a job only when this changes. Each page's hash is
    /// written beside the page; `fingerprints_follow_what_pages_read` (below) checks that
    /// whatever changes a page's bytes changes its fingerprint.
    pub fn fingerprint(&self, job: Job) -> u64 {
        let mut h = Fingerprint::new();
        std::mem::discriminant(&job).hash(&mut h);
        let h_ = &mut h;
        match job {
            Job::Home => self.hash_home(h_),
            Job::Archive => self.hash_archive(h_),
            Job::Issue(id) => self.hash_issue(h_, id),
            Job::Paper(id) => self.hash_paper(h_, id),
            Job::TagIndex => self.hash_tag_list(h_),
            Job::Tag(id) => self.hash_tag(h_, id),
            Job::TagPages(id, k) => self.hash_tag_block(h_, id, k),
            Job::SiteFeeds => self.hash_site_feeds(h_),
            Job::IssueFeeds => self.hash_issue_feeds(h_),
            Job::Sitemap => self.hash_sitemap(h_),
            Job::SitemapPart(k) => self.hash_sitemap_part(h_, k),
            Job::Search => self.hash_search_page(h_),
            Job::SearchTerms(k) => self.hash_search_terms(h_, k),
            Job::SearchSealed(k) => self.hash_search_sealed(h_, k),
            Job::SearchDocs(k) => self.hash_search_docs(h_, k),
            Job::SearchDir(j) => self.hash_search_dir(h_, j),
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
            Job::TagPages(id, k) => format!(
                "{}page/{:06}/",
                tag_dir(&self.site.tags[id].slug),
                k * TAG_PAGES_PER_JOB + 1
            ),
            Job::SiteFeeds => "rss.xml".into(),
            Job::IssueFeeds => "issues/rss.xml".into(),
            Job::Sitemap => "sitemap.xml".into(),
            Job::SitemapPart(k) => format!("sitemap-{:06}.xml", k + 1),
            Job::Search => "search/index.html".into(),
            // Part files are named by their hash; the key stays as they change.
            Job::SearchTerms(k) => format!("search/t/{k:06}"),
            Job::SearchSealed(k) => format!("search/s/{k:06}"),
            Job::SearchDocs(k) => format!("search/d/{k:06}"),
            Job::SearchDir(j) => format!("search/i/{j:06}"),
            Job::NotFound => "404.html".into(),
            Job::Statics => String::new(),
        }
    }

    /// The files of one job: `(path under the output root, bytes)`. A template error names
    /// the page, as one paper's data can break a template that renders every other paper.
    pub fn render_job(&self, job: Job) -> Result<Files> {
        self.render_job_files(job)
            .map_err(|e| match e.downcast::<TemplateError>() {
                Ok(error) => anyhow::Error::new(TemplateError {
                    page: Some(self.job_key(job)),
                    ..error
                }),
                Err(e) => e,
            })
    }

    fn render_job_files(&self, job: Job) -> Result<Files> {
        match job {
            Job::Home => Ok(vec![("index.html".into(), self.home()?)]),
            Job::Archive => Ok(vec![("issues/index.html".into(), self.archive()?)]),
            Job::Issue(id) => self.issue_files(id),
            Job::Paper(id) => self.paper_files(id),
            Job::TagIndex => Ok(vec![("tags/index.html".into(), self.tag_index()?)]),
            Job::Tag(id) => self.tag_files(id),
            Job::TagPages(id, k) => self.tag_page_files(id, k),
            Job::SiteFeeds => Ok(self.site_feed_files()),
            Job::IssueFeeds => Ok(self.issue_feed_files()),
            Job::Sitemap => Ok(self.sitemap_files()),
            Job::SitemapPart(k) => Ok(self.sitemap_part_files(k)),
            Job::Search => self.search_page_files(),
            Job::SearchTerms(k) => Ok(self.search_terms_files(k)),
            Job::SearchSealed(k) => self.search_sealed_files(k),
            Job::SearchDocs(k) => Ok(self.search_docs_files(k)),
            Job::SearchDir(j) => Ok(self.search_dir_files(j)),
            Job::NotFound => Ok(vec![("404.html".into(), self.not_found()?)]),
            Job::Statics => Ok(self
                .theme
                .statics
                .iter()
                .map(|(path, bytes)| (path.clone(), bytes.clone()))
                .collect()),
        }
    }
}
