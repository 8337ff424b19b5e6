//! The search page and the parts of its index (planned and written by
//! [`crate::render::search_index`]).

use std::hash::Hash;

use anyhow::Result;
use tera::Context;

use crate::enrich::fresh_words;
use crate::render::jobs::{Files, Fingerprint};
use crate::render::search_index::{Plan, SCRIPT, dir_path, docs, docs_path, sealed_path, terms_path};
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
            ("search/index.json".into(), self.search_plan().head.clone()),
            ("search/search.js".into(), SCRIPT.as_bytes().to_vec()),
        ])
    }

    /// What the index's head shows: the names of every part (which change with them), the
    /// papers' days.
    pub(crate) fn hash_search_page(&self, h: &mut Fingerprint) {
        if self.search_page {
            self.search_plan().head.hash(h);
        }
    }

    /// The index, planned on first use (see [`Plan`]).
    pub(crate) fn search_plan(&self) -> &Plan {
        self.search_plan.get_or_init(|| match &self.search {
            SearchInput::Words(lexicon, words) => {
                let words = words.lock().expect("not poisoned").take().expect("planned once");
                match &self.search_previous {
                    Some(previous) => {
                        let previous = previous.lock().expect("not poisoned").take();
                        Plan::after(previous, self.site, lexicon, &words, self.touched.as_deref())
                    }
                    None => Plan::new(self.site, lexicon, &words, self.search_sealed.clone()),
                }
            }
            SearchInput::Fresh(once) => {
                let (lexicon, words) = fresh_words(self.site);
                let plan = Plan::new(self.site, &lexicon, &words, None);
                once.set(lexicon).expect("planned once");
                plan
            }
        })
    }

    /// The sealed segment of the search index this build planned (see
    /// [`Plan::sealed_to_store`]); none without a search page.
    pub(crate) fn sealed_search_to_store(
        &self,
    ) -> Option<(
        usize,
        impl Iterator<Item = crate::render::search_sealed::ShardToStore> + '_,
    )> {
        if !self.search_page {
            return None;
        }
        self.search_plan().sealed_to_store(self.search_lexicon())
    }

    /// Takes the search index's sealed segment from `stored`, which this build just stored
    /// from its own plan (see [`search_index::Plan::take_stored_sealed`]).
    pub(crate) fn take_stored_sealed(&mut self, stored: std::sync::Arc<crate::render::search_sealed::StoredSealed>) {
        if let Some(plan) = self.search_plan.get_mut() {
            plan.take_stored_sealed(stored);
        }
    }

    /// The lexicon the plan's words are numbers in.
    fn search_lexicon(&self) -> &crate::enrich::Lexicon {
        match &self.search {
            SearchInput::Words(lexicon, _) => lexicon,
            SearchInput::Fresh(once) => {
                self.search_plan();
                once.get().expect("filled by the plan")
            }
        }
    }

    /// Term shard `k` of the search index.
    pub(crate) fn search_terms_files(&self, k: usize) -> Files {
        let plan = self.search_plan();
        vec![(terms_path(plan.shard_hashes[k]), plan.shard(k, self.search_lexicon()))]
    }

    /// A term shard's hash covers its terms and their papers.
    pub(crate) fn hash_search_terms(&self, h: &mut Fingerprint, k: usize) {
        self.search_plan().shard_hashes[k].hash(h);
    }

    /// Term shard `k` of the search index's sealed segment.
    pub(crate) fn search_sealed_files(&self, k: usize) -> Result<Files> {
        let plan = self.search_plan();
        let bytes = plan.sealed_shard(k, self.search_lexicon())?;
        Ok(vec![(sealed_path(plan.sealed_hash(k)), bytes)])
    }

    /// A sealed term shard's hash covers its terms and their papers.
    pub(crate) fn hash_search_sealed(&self, h: &mut Fingerprint, k: usize) {
        self.search_plan().sealed_hash(k).hash(h);
    }

    /// Document chunk `k` of the search index.
    pub(crate) fn search_docs_files(&self, k: usize) -> Files {
        let plan = self.search_plan();
        vec![(docs_path(plan.doc_hashes[k]), docs(self.site, k, &self.dates))]
    }

    /// A document chunk's hash covers what it shows of its papers.
    pub(crate) fn hash_search_docs(&self, h: &mut Fingerprint, k: usize) {
        self.search_plan().doc_hashes[k].hash(h);
    }

    /// Directory `j` of the search index's document chunks.
    pub(crate) fn search_dir_files(&self, j: usize) -> Files {
        let plan = self.search_plan();
        vec![(dir_path(plan.dir_hashes[j]), plan.dir(j))]
    }

    /// A directory's hash covers the names it lists.
    pub(crate) fn hash_search_dir(&self, h: &mut Fingerprint, j: usize) {
        self.search_plan().dir_hashes[j].hash(h);
    }
}
