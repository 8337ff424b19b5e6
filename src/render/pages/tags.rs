//! The tag index and each tag's pages (paginated) and feeds.

use std::hash::Hash;

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::model::{PaperId, TagId, tag_dir, tag_page_path};
use crate::render::Renderer;
use crate::render::feeds::{atom, rss};
use crate::render::jobs::{Files, Fingerprint, TAG_PAGES_PER_JOB};
use crate::render::view::FeedLink;

impl Renderer<'_> {
    /// Every tag with its paper count, by name as a reader looks for it (slugs can differ
    /// from names: `nlp` is "Natural Language Processing").
    pub(crate) fn tag_list(&self) -> Value {
        #[derive(Serialize)]
        struct TagItem<'b> {
            name: &'b str,
            url: String,
            /// The tag's feeds: the index is where the footer's "topic feeds" leads.
            rss: String,
            atom: String,
            count: usize,
        }
        let mut tags: Vec<&crate::model::Tag> = self.site.tags.iter().collect();
        tags.sort_by_cached_key(|t| (t.name.to_lowercase(), t.slug.clone()));
        let items: Vec<Value> = tags
            .into_iter()
            .map(|t| {
                let dir = tag_dir(&t.slug);
                let [rss, atom] = self.tag_feed_urls(&dir);
                Value::from_serializable(&TagItem {
                    name: &t.name,
                    url: self.links.path(&dir),
                    rss,
                    atom,
                    count: t.papers.len(),
                })
            })
            .collect();
        Value::from(items)
    }

    /// The URLs of the RSS and Atom feeds of the tag whose folder is `dir`: where its pages
    /// and the tag index link them.
    fn tag_feed_urls(&self, dir: &str) -> [String; 2] {
        ["rss.xml", "atom.xml"].map(|feed| self.links.path(&format!("{dir}{feed}")))
    }

    /// What [`Renderer::tag_list`] shows.
    pub(crate) fn hash_tag_list(&self, h: &mut Fingerprint) {
        for t in &self.site.tags {
            (&t.slug, &t.name, t.papers.len()).hash(h);
        }
    }

    /// `/tags/`.
    pub(crate) fn tag_index(&self) -> Result<Vec<u8>> {
        let mut ctx = Context::new();
        ctx.insert_value("tags", self.tag_list());
        let meta = self.meta(
            format!("{} — {}", self.lang.word("tags"), self.config.title),
            self.lang.fill("meta_tags", &[("site", &self.config.title)]),
            "tags/",
        );
        self.render("tags.html", ctx, meta)
    }

    /// A tag's pages and its RSS and Atom feeds.
    pub(crate) fn tag_files(&self, id: TagId) -> Result<Files> {
        let dir = tag_dir(&self.site.tags[id].slug);
        let mut files = vec![(format!("{dir}index.html"), self.tag_page(id, TagPage::Front)?)];
        let feed = self.tag_feed(id);
        files.push((format!("{dir}rss.xml"), rss(&feed, &self.links)));
        files.push((format!("{dir}atom.xml"), atom(&feed, &self.links)));
        Ok(files)
    }

    /// What a tag's front page and feeds show: its newest papers' summaries, how many it has,
    /// and the newest papers in full for the feeds.
    pub(crate) fn hash_tag(&self, h: &mut Fingerprint, id: TagId) {
        let tag = &self.site.tags[id];
        (&tag.slug, &tag.name, tag.papers.len(), self.tag_older_pages(id)).hash(h);
        for &p in self.tag_papers(id, TagPage::Front) {
            self.summary_fp[p].hash(h);
        }
        for &p in self.tag_feed_papers(id) {
            self.full_fp[p].hash(h);
        }
    }

    /// What block `k` of a tag's older pages shows: their papers' summaries, and whether the
    /// newest of them links to the front page. Nothing that grows with the tag: a full page
    /// keeps its fingerprint, so a new day does not render it again.
    pub(crate) fn hash_tag_block(&self, h: &mut Fingerprint, id: TagId, k: usize) {
        let tag = &self.site.tags[id];
        (&tag.slug, &tag.name).hash(h);
        for number in self.tag_block(id, k) {
            (number, number == self.tag_older_pages(id)).hash(h);
            // A summary's hash covers its paper's date (the page's day headings); reading
            // each date from its record was most of a save's fingerprints at 100,000 papers.
            for &p in self.tag_papers(id, TagPage::Older(number)) {
                self.summary_fp[p].hash(h);
            }
        }
    }

    /// How many older pages a tag has besides its front page. They are numbered from the
    /// oldest and each holds `[tags] per_page` papers, so a full page never changes when new
    /// papers arrive (a daily build at 100,000 papers rewrote every page of every tag when
    /// pages were counted from the newest); the front page takes the rest, `per_page` to
    /// twice that less one. 0 when the tag fits on its front page or `per_page` is 0.
    pub(crate) fn tag_older_pages(&self, id: TagId) -> usize {
        match self.config.tags.per_page {
            0 => 0,
            n => (self.site.tags[id].papers.len() / n).saturating_sub(1),
        }
    }

    /// The papers of one of a tag's pages, newest first.
    fn tag_papers(&self, id: TagId, page: TagPage) -> &[PaperId] {
        let papers = &self.site.tags[id].papers;
        let n = papers.len();
        let per_page = self.config.tags.per_page;
        match page {
            TagPage::Front => &papers[..n - self.tag_older_pages(id) * per_page],
            TagPage::Older(number) => &papers[n - number * per_page..n - (number - 1) * per_page],
        }
    }

    /// The older pages (numbered from 1, the oldest) of block `k` (see [`crate::render::Job::TagPages`]).
    pub(crate) fn tag_block(&self, id: TagId, k: usize) -> std::ops::Range<usize> {
        let older = self.tag_older_pages(id);
        (k * TAG_PAGES_PER_JOB + 1)..((k + 1) * TAG_PAGES_PER_JOB).min(older) + 1
    }

    /// The older pages of block `k` of a tag's list, with their paths.
    pub(crate) fn tag_page_files(&self, id: TagId, k: usize) -> Result<Files> {
        let dir = tag_dir(&self.site.tags[id].slug);
        let numbers: Vec<usize> = self.tag_block(id, k).collect();
        numbers
            .par_iter()
            .map(|&number| Ok((tag_page_path(&dir, number), self.tag_page(id, TagPage::Older(number))?)))
            .collect()
    }

    /// One page of a tag's list. An older page shows nothing that changes as the tag grows
    /// (no paper count, no page total; its papers are numbered from the tag's oldest), see
    /// [`Renderer::hash_tag_block`].
    fn tag_page(&self, id: TagId, page: TagPage) -> Result<Vec<u8>> {
        let tag = &self.site.tags[id];
        let dir = tag_dir(&tag.slug);
        let older = self.tag_older_pages(id);
        let papers = self.tag_papers(id, page);
        let page_url = |n: usize| self.links.path(&older_page_dir(&dir, n));
        let front_url = self.links.path(&dir);
        // Position of the page's newest paper, counted from the tag's oldest.
        let (number, top, newer, rel) = match page {
            TagPage::Front => (older + 1, tag.papers.len(), None, dir.clone()),
            TagPage::Older(n) => {
                let newer = if n == older { front_url.clone() } else { page_url(n + 1) };
                (
                    n,
                    n * self.config.tags.per_page.max(1),
                    Some(newer),
                    older_page_dir(&dir, n),
                )
            }
        };
        let previous_page = number - 1;
        let [rss, atom] = self.tag_feed_urls(&dir);
        let view = TagView {
            name: &tag.name,
            url: front_url,
            rss,
            atom,
            count: matches!(page, TagPage::Front).then_some(tag.papers.len()),
        };
        let (title, description, range) = self.tag_page_words(id, page, papers, number);
        let mut meta = self.meta(title, description, &rel);
        // The tag's own feeds first: readers subscribe to the first feed a page names.
        let own = [
            ("RSS", &view.rss, "application/rss+xml"),
            ("Atom", &view.atom, "application/atom+xml"),
        ];
        meta.feeds.splice(
            0..0,
            own.map(|(label, url, kind)| {
                Value::from_serializable(&FeedLink {
                    title: format!("{} ({label})", tag.name),
                    url: url.clone(),
                    kind,
                })
            }),
        );
        let pager = TagPager {
            number,
            newest: matches!(page, TagPage::Front),
            first: top,
            range,
            prev: newer,
            next: (previous_page >= 1).then(|| page_url(previous_page)),
        };
        let mut ctx = Context::new();
        ctx.insert("tag", &view);
        ctx.insert("pager", &pager);
        ctx.insert_value("papers", self.summaries_of(papers));
        self.render("tag.html", ctx, meta)
    }

    /// What one page of a tag's list says of itself: its title and description, and on an
    /// older page the dates its `papers` span (it names no count or total, which change as
    /// the tag grows).
    fn tag_page_words(
        &self,
        id: TagId,
        page: TagPage,
        papers: &[PaperId],
        number: usize,
    ) -> (String, String, Option<String>) {
        let tag = &self.site.tags[id];
        if let TagPage::Front = page {
            let count = tag.papers.len().to_string();
            return (
                format!("{} — {}", tag.name, self.config.title),
                self.lang.fill("meta_tag", &[("count", &count), ("tag", &tag.name)]),
                None,
            );
        }
        let dates = |i: usize| self.dates.display(self.site.papers[papers[i]].date);
        let (from, to) = (dates(papers.len() - 1), dates(0));
        let span = if from == to {
            to
        } else {
            self.lang.fill("date_span", &[("from", &from), ("to", &to)])
        };
        let number = number.to_string();
        let title = self.lang.fill(
            "title_tag_span",
            &[("title", &tag.name), ("span", &span), ("number", &number)],
        );
        (
            format!("{title} — {}", self.config.title),
            self.lang.fill("meta_tag_span", &[("tag", &tag.name), ("span", &span)]),
            Some(self.lang.fill("tag_span", &[("span", &span)])),
        )
    }
}

/// The folder of older page `n` of the tag whose folder is `dir`, as links name it.
fn older_page_dir(dir: &str, n: usize) -> String {
    tag_page_path(dir, n).replace("index.html", "")
}

/// One page of a tag's list: the front page (`/tags/<slug>/`, the newest papers) or older
/// page N (`/tags/<slug>/page/N/`, N from 1 for the oldest).
#[derive(Clone, Copy)]
enum TagPage {
    Front,
    Older(usize),
}

/// What `tag.html` gets as `tag`.
#[derive(Serialize)]
struct TagView<'b> {
    name: &'b str,
    /// The front page.
    url: String,
    rss: String,
    atom: String,
    /// The tag's papers; on the front page only (older pages do not change as it grows).
    count: Option<usize>,
}

/// What `tag.html` gets as `pager`.
#[derive(Serialize)]
struct TagPager {
    /// This page's number, from 1 for the oldest; the front page's is the highest.
    number: usize,
    /// This is the front page.
    newest: bool,
    /// The number of the page's first (newest) paper, counted from the tag's oldest: lists
    /// count down (`<ol reversed>`), so a paper keeps its number from day to day.
    first: usize,
    /// On an older page: "Papers from 2 May 2026 to 9 May 2026, newest first".
    range: Option<String>,
    /// The page of newer papers.
    prev: Option<String>,
    /// The page of older papers.
    next: Option<String>,
}
