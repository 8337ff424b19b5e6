//! The tag index and each tag's pages (paginated) and feeds.

use std::hash::Hash;

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::model::{PaperId, TagId, page_path, tag_dir};
use crate::render::Renderer;
use crate::render::feeds::{atom, rss};
use crate::render::jobs::{Files, Fingerprint, TAG_PAGES_PER_JOB};
use crate::render::view::{FeedLink, Pager};

impl Renderer<'_> {
    /// Every tag with its paper count, by name as a reader looks for it (slugs can differ
    /// from names: `nlp` is "Natural Language Processing").
    pub(crate) fn tag_list(&self) -> Value {
        #[derive(Serialize)]
        struct TagItem<'b> {
            name: &'b str,
            url: String,
            count: usize,
        }
        let mut tags: Vec<&crate::model::Tag> = self.site.tags.iter().collect();
        tags.sort_by_cached_key(|t| (t.name.to_lowercase(), t.slug.clone()));
        let items: Vec<Value> = tags
            .into_iter()
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
        let mut files = self.tag_page_files(id, 0)?;
        let feed = self.tag_feed(id);
        files.push((format!("{dir}rss.xml"), rss(&feed, &self.links)));
        files.push((format!("{dir}atom.xml"), atom(&feed, &self.links)));
        Ok(files)
    }

    /// What a tag's pages and feeds show: its papers' summaries, and the newest papers in
    /// full for the feeds.
    pub(crate) fn hash_tag(&self, h: &mut Fingerprint, id: TagId) {
        let tag = &self.site.tags[id];
        (&tag.slug, &tag.name, tag.papers.len()).hash(h);
        for (i, &p) in tag.papers.iter().enumerate() {
            self.summary_fp[p].hash(h);
            if i < self.config.feeds.limit {
                self.full_fp[p].hash(h);
            }
        }
    }

    /// How many pages a tag's list takes: all its papers on one page, or `[tags] per_page` a
    /// page (a big topic on one page would be megabytes of HTML).
    pub(crate) fn tag_page_count(&self, id: TagId) -> usize {
        match self.config.tags.per_page {
            0 => 1,
            n => self.site.tags[id].papers.len().div_ceil(n).max(1),
        }
    }

    /// The page numbers (from 1) of block `k` of a tag's pages (see [`crate::render::Job::TagPages`]).
    pub(crate) fn tag_block(&self, id: TagId, k: usize) -> std::ops::Range<usize> {
        let total = self.tag_page_count(id);
        (k * TAG_PAGES_PER_JOB + 1).min(total + 1)..((k + 1) * TAG_PAGES_PER_JOB + 1).min(total + 1)
    }

    /// The pages of block `k` of a tag's list, with their paths.
    pub(crate) fn tag_page_files(&self, id: TagId, k: usize) -> Result<Files> {
        let dir = tag_dir(&self.site.tags[id].slug);
        let block = self.tag_block(id, k);
        let pages = self.tag_pages(id, block.clone())?;
        Ok(block.map(|number| page_path(&dir, number)).zip(pages).collect())
    }

    /// The pages numbered `numbers` (from 1) of a tag's list.
    fn tag_pages(&self, id: TagId, numbers: std::ops::Range<usize>) -> Result<Vec<Vec<u8>>> {
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
        let page_url = |n: usize| self.links.path(&page_path(&dir, n).replace("index.html", ""));
        chunks[numbers.start - 1..numbers.end - 1]
            .par_iter()
            .enumerate()
            .map(|(i, papers)| {
                let i = i + numbers.start - 1;
                let number = i + 1;
                let rel = page_path(&dir, number).replace("index.html", "");
                let title = if number == 1 {
                    format!("{} — {}", tag.name, self.config.title)
                } else {
                    let page = self.lang.fill(
                        "title_page",
                        &[
                            ("title", &tag.name),
                            ("number", &number.to_string()),
                            ("total", &total.to_string()),
                        ],
                    );
                    format!("{page} — {}", self.config.title)
                };
                let mut meta = self.meta(
                    title,
                    self.lang.fill(
                        "meta_tag",
                        &[("count", &tag.papers.len().to_string()), ("tag", &tag.name)],
                    ),
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
                let pager = Pager {
                    number,
                    total,
                    first: i * per_page + 1,
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
}
