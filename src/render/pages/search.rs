//! The search page and the index's shards (written by [`crate::render::search_index`]).

use std::hash::Hash;

use anyhow::Result;
use tera::Context;

use crate::enrich::fresh_words;
use crate::render::jobs::{Files, Fingerprint};
use crate::render::search_index::{SCRIPT, head, shard, shard_path, shard_range};
use crate::render::{Renderer, SearchInput};

impl Renderer<'_> {
    /// `/search/`: the page, the index's head and the script; nothing when the theme has no
    /// search page.
    pub(crate) fn search_page_files(&self) -> Result<Files> {
        if !self.search_page {
            return Ok(Vec::new());
        }
        let meta = self.meta(
            format!("{} — {}", self.lang.word("search"), self.config.title),
            self.lang.fill("meta_search", &[("site", &self.config.title)]),
            "search/",
        );
        Ok(vec![
            (
                "search/index.html".into(),
                self.render("search.html", Context::new(), meta)?,
            ),
            ("search/index.json".into(), head(self.site)),
            ("search/search.js".into(), SCRIPT.as_bytes().to_vec()),
        ])
    }

    /// What the search page and the index's head show: how many papers there are.
    pub(crate) fn hash_search_page(&self, h: &mut Fingerprint) {
        self.site.papers.len().hash(h);
    }

    /// Shard `k` of the search index.
    pub(crate) fn search_shard_files(&self, k: usize) -> Files {
        let (lexicon, words) = match &self.search {
            SearchInput::Words(lexicon, words) => (*lexicon, words),
            SearchInput::Fresh(once) => {
                let (lexicon, words) = once.get_or_init(|| fresh_words(self.site));
                (lexicon, words)
            }
        };
        vec![(shard_path(k), shard(self.site, lexicon, words, k))]
    }

    /// A shard holds every word of its papers' titles and abstracts, and every tag.
    pub(crate) fn hash_search_shard(&self, h: &mut Fingerprint, k: usize) {
        for t in &self.site.tags {
            (&t.slug, &t.name).hash(h);
        }
        self.full_fp[shard_range(k, self.site.papers.len())].hash(h);
    }
}
