//! Enriching the loaded model: automatic tags, related papers and the search index's
//! words, all three from one reading of each paper's words (see [`Lexicon`]).
//!
//! The watch loop keeps an [`Enricher`] across rebuilds: only papers whose text is new to
//! one of its caches are read again.

mod lexicon;
mod related;
mod search_words;
mod stored_related;
mod stored_words;
mod tagging;

pub use lexicon::{Inverted, Keyed, Lexicon, StemId, Tokens, WordId};
pub use related::{QUERY_TERMS, RELATED, TermCache, apply as apply_related};
pub use search_words::{CHANGED_MAX, Changed, Prepared, SearchWords, fresh_words};
pub use stored_related::StoredLists;
pub use stored_words::{Seed, WordsStore, read_stored_words, stored_words_key};
pub use tagging::{
    BUILTIN_TAXONOMY, Evidence, Hit, Learned, Learnt, Matcher, Strength, TagCache, Taxonomy, apply as apply_tags,
    evaluate as evaluate_tags, explain as explain_tags, report as tag_report, stem_counts as learned_stem_counts,
    stored_key,
};

use std::sync::Arc;

use rayon::prelude::*;

use crate::model::{Paper, PaperId, Site};
use crate::phases::Phases;

/// The lexicon and, by paper text, what was derived from it. Term counts and search words
/// are numbers in the lexicon, so they are kept or dropped with it.
#[derive(Default)]
pub struct Enricher {
    lexicon: Lexicon,
    /// The taxonomy's view of the lexicon, grown with it.
    matcher: Matcher,
    tags: TagCache,
    terms: TermCache,
    search: SearchWords,
    /// The papers whose record or tags the last [`Enricher::enrich`] changed, when it
    /// patched the model it enriched before (`None`: any paper may have changed).
    touched: Option<Vec<PaperId>>,
    /// The papers whose related list the last [`Enricher::enrich`] changed, when it patched
    /// the model and related papers were patched too (see [`Enricher::relisted`]).
    relisted: Option<Vec<PaperId>>,
    /// The words of a patched save, by paper, every entry `None` between saves (see
    /// [`Lexicon::tokenize_some`]).
    edited_tokens: Vec<Option<Tokens>>,
    /// Words an earlier build stored, by text, for the first enrichment to take instead of
    /// reading those papers again (see [`Enricher::seed_words`]).
    stored_tokens: Option<rustc_hash::FxHashMap<u64, Tokens>>,
    /// Where the first enrichment stores every paper's words for the next build.
    store_words: Option<Box<dyn WordsStore>>,
    /// The settled papers' related lists: stored by an earlier build before a one-off
    /// enrichment (see [`Enricher::seed_related`]), to store for the next one after it.
    related_lists: Option<StoredLists>,
    /// How many papers at the start a one-off enrichment makes no search words for: the
    /// last build stored their part of the index (see [`Enricher::seal_search`]).
    sealed_search: usize,
}

/// What [`Enricher::enrich`] derives beyond tags and related papers (which tagging needs:
/// a paper consults its neighbours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derive {
    /// Tags and related papers: every page, and `paperboy tags`.
    Related,
    /// Tags, related papers and search words: every page and the search index.
    Search,
}

/// Beyond this many distinct words the lexicon (and all it numbers) starts over, so that a
/// long watch session does not grow without bound.
const MAX_WORDS: usize = 4_000_000;

impl Enricher {
    /// For a single build: nothing needs keeping for a next one.
    pub fn once() -> Self {
        Enricher {
            terms: TermCache::once(),
            ..Enricher::default()
        }
    }

    /// Starts from the topic strengths an earlier build stored (see [`stored_key`]): a
    /// build in a new process then reads the phrases of new and edited papers only.
    pub fn seed_tags(&mut self, tags: TagCache) {
        self.tags = tags;
    }

    /// Starts from the words an earlier build stored (see `stored_words.rs`): a build in a
    /// new process then reads the words of new and edited papers only. Before the first
    /// enrichment only: the seed's lexicon replaces this one.
    pub fn seed_words(&mut self, seed: Seed) {
        debug_assert!(self.lexicon.is_empty(), "seeded before any enrichment");
        self.lexicon = seed.lexicon;
        self.stored_tokens = Some(seed.tokens);
    }

    /// Has the next enrichment store every paper's words in `store`, for the next build;
    /// [`Enricher::take_stored_words`] gives it back once staged.
    pub fn store_words(&mut self, store: Box<dyn WordsStore>) {
        self.store_words = Some(store);
    }

    /// The stored words, when the last enrichment staged them.
    pub fn take_stored_words(&mut self) -> Option<Box<dyn WordsStore>> {
        self.store_words.take()
    }

    /// Starts from the settled papers' related lists an earlier build stored (see
    /// `stored_related.rs`): a one-off build then searches only the papers of the newest
    /// month and the settled ones a new paper can move.
    pub fn seed_related(&mut self, lists: StoredLists) {
        self.related_lists = Some(lists);
    }

    /// Has a one-off enrichment make no search words for the first `papers` papers: the
    /// search index's sealed segment, which the last build stored, holds them (see
    /// `render/search_sealed.rs`).
    pub fn seal_search(&mut self, papers: usize) {
        self.sealed_search = papers;
    }

    /// The settled papers' related lists the last one-off enrichment computed, to store for
    /// the next build; none on a site with too few settled papers.
    pub fn take_related_lists(&mut self) -> Option<StoredLists> {
        self.related_lists.take()
    }

    /// The topic strengths read so far, by paper text: what a build stores for the next.
    pub fn tags(&self) -> &TagCache {
        &self.tags
    }

    /// Forgets the automatic tags, which belong to one taxonomy (the config changed).
    pub fn forget_tags(&mut self) {
        self.tags = TagCache::default();
        self.matcher = Matcher::default();
    }

    /// The papers whose record or tags the last enrichment changed, when it patched the
    /// model before it; `None` when any paper's may have changed. What a renderer must
    /// prepare again (see `Renderer::with_cache`).
    pub fn touched(&self) -> Option<&[PaperId]> {
        self.touched.as_deref()
    }

    /// The papers whose related list the last enrichment changed, when it patched the model
    /// before it (see [`Enricher::touched`]): their pages list other papers now. `None`
    /// when every list was computed anew (any may have changed).
    pub fn relisted(&self) -> Option<&[PaperId]> {
        self.relisted.as_deref()
    }

    /// The words read so far.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// How many papers the last related-papers computation searched from scratch (see
    /// [`TermCache::searched`]).
    pub fn related_searched(&self) -> Option<usize> {
        self.terms.searched()
    }

    /// Consumes the enricher for its lexicon, which the search job of a build needs.
    pub fn into_lexicon(self) -> Lexicon {
        self.lexicon
    }

    /// Fills every paper's tags, related papers and the site's tags. With [`Derive::Search`]
    /// (the theme has a search page) it also gathers each paper's search words, beside the
    /// related-papers search, for the search index's shards.
    ///
    /// `edited` says that `site` is the model this enricher enriched last, with the records
    /// of these papers replaced since (see `content::patch`): the neighbour stage then
    /// revisits only the papers those edits can reach.
    pub fn enrich(
        &mut self,
        site: &mut Site,
        tax: &Taxonomy,
        derive: Derive,
        edited: Option<&[PaperId]>,
        phases: &mut Phases,
    ) -> Option<Prepared> {
        let search = derive == Derive::Search;
        let n = site.papers.len();
        let reset = self.lexicon.len() > MAX_WORDS;
        if reset {
            // Stored words are numbered in the lexicon that goes.
            self.stored_tokens = None;
            self.lexicon = Lexicon::default();
            self.matcher = Matcher::default();
            self.terms.clear();
            self.search = SearchWords::default();
        }
        // Every cache is trimmed, whatever the others did.
        let trimmed = [self.tags.trim(n), self.terms.trim(n), self.search.trim(n)].contains(&true);
        let (tags, terms, words) = (&self.tags, &self.terms, &self.search);
        let need = |p: &Paper| !tags.has(p.text_hash) || !terms.has(p.text_hash) || (search && !words.has(p.text_hash));
        // After a patched save every other paper's text is in every cache: the last
        // enrichment of this model put it there (100,000 lookups were 10-30 ms of a save).
        let patched = edited.filter(|_| !reset && !trimmed);
        let tokens = match patched {
            Some(edited) => {
                let mut tokens = std::mem::take(&mut self.edited_tokens);
                self.lexicon.tokenize_some(&site.papers, edited, need, &mut tokens);
                tokens
            }
            None => match self.stored_tokens.take() {
                Some(mut stored) => self.lexicon.tokenize_papers_stored(&site.papers, need, &mut stored),
                None => self.lexicon.tokenize_papers(&site.papers, need),
            },
        };
        phases.mark("words");
        if let Some(mut store) = self.store_words.take() {
            // Only a speed-up: a build that cannot store them reads those papers next time.
            if tokens.iter().all(Option::is_some)
                && stored_words::stage(&mut *store, &self.lexicon, site, &tokens).is_ok()
            {
                self.store_words = Some(store);
            }
            phases.mark("store words");
        }
        self.matcher.extend(tax, &self.lexicon);
        tagging::gather(site, tax, &mut self.tags, &self.matcher, &tokens);
        phases.mark("tag");
        let site_ref = &*site;
        let (search_words, related) = match patched {
            None if !self.terms.keeps() => self.search_and_relate_once(site_ref, tokens, search),
            _ => self.search_and_relate(site_ref, tokens, search, patched, edited.is_some()),
        };
        // Papers whose neighbours (the first related papers) changed.
        let mut moved: Vec<PaperId> = Vec::new();
        let mut give = |id: PaperId, paper: &mut Paper, related: Vec<PaperId>| {
            if edited.is_some() && !tagging::same_neighbours(&paper.related, &related) {
                moved.push(id);
            }
            paper.related = related;
        };
        match related {
            related::Lists::All(lists) => {
                self.relisted = None;
                for (id, (paper, related)) in site.papers.iter_mut().zip(lists).enumerate() {
                    give(id, paper, related);
                }
            }
            related::Lists::Changed(lists) => {
                self.relisted = Some(lists.iter().map(|(id, _)| *id).collect());
                for (id, related) in lists {
                    give(id, &mut site.papers[id], related);
                }
            }
        }
        phases.mark("related");
        let retagged = edited.and_then(|edited| tagging::assign_patched(site, tax, &self.tags, edited, &moved));
        self.touched = match (edited, retagged) {
            (Some(edited), Some(mut retagged)) => {
                retagged.extend(edited);
                retagged.sort_unstable();
                retagged.dedup();
                Some(retagged)
            }
            _ => {
                tagging::assign(site, tax, &self.tags);
                None
            }
        };
        phases.mark("neighbours");
        search_words
    }

    /// Search words (with `search`) and related papers, for an enricher that keeps them for
    /// the next rebuild: every paper's words are read by both, then kept for the papers of
    /// a patched save (`patched`) or freed.
    fn search_and_relate(
        &mut self,
        site: &Site,
        tokens: Vec<Option<Tokens>>,
        search: bool,
        patched: Option<&[PaperId]>,
        only_changed: bool,
    ) -> (Option<Prepared>, related::Lists) {
        let search_words = match search {
            true => Some(self.search.prepare(site, &self.lexicon, &tokens, patched)),
            false => {
                self.search.forget_last();
                None
            }
        };
        let counted = match patched {
            Some(edited) => {
                let counted = related::count(site, &mut self.terms, &self.lexicon, tokens.par_iter());
                let mut tokens = tokens;
                Lexicon::clear_some(&mut tokens, edited);
                self.edited_tokens = tokens;
                counted
            }
            None => related::count(site, &mut self.terms, &self.lexicon, tokens.into_par_iter()),
        };
        let related = related::compute_counted(site, &mut self.terms, &self.lexicon, counted, only_changed);
        (search_words, related)
    }

    /// [`Enricher::search_and_relate`] for a one-off build, in one pass that frees each
    /// paper's words as soon as its search words and its related-papers vector are made
    /// from them. Made one after the other, the words, the search words and the term counts
    /// were 3.8 GB held together at a million papers, the peak of the build.
    fn search_and_relate_once(
        &mut self,
        site: &Site,
        tokens: Vec<Option<Tokens>>,
        search: bool,
    ) -> (Option<Prepared>, related::Lists) {
        let stored = self.related_lists.take();
        let (weights, stored_terms) = related::weights(site, &mut self.terms, &self.lexicon, &tokens, stored.as_ref());
        if search {
            self.search.extend(&self.lexicon);
        }
        let mut carried = related::Carried::new(site, &self.lexicon, &weights, stored, stored_terms);
        let (words, terms, lexicon) = (&self.search, &self.terms, &self.lexicon);
        let vector = |p: usize, tokens: &Option<Tokens>| {
            let tokens = tokens.as_ref().expect("a one-off build has every paper's words");
            match &carried {
                Some(carried) => carried.weigh(p, terms, lexicon, &weights, tokens),
                None => {
                    let (v, uses_flipped) = related::weigh(terms, lexicon, &weights, tokens, None);
                    (v, uses_flipped, None)
                }
            }
        };
        let papers = site.papers.par_iter().zip(tokens.into_par_iter()).enumerate();
        let sealed = std::mem::take(&mut self.sealed_search).min(site.papers.len());
        let none: Arc<[u32]> = Arc::from([]);
        let (docs, weighed): (Vec<Arc<[u32]>>, Vec<_>) = match search {
            true => papers
                .map(|(i, (p, tokens))| {
                    let doc = match i < sealed {
                        true => none.clone(),
                        false => words.doc(p, &tokens),
                    };
                    (doc, vector(i, &tokens))
                })
                .unzip(),
            false => (Vec::new(), papers.map(|(i, (_, tokens))| vector(i, &tokens)).collect()),
        };
        crate::memory::hand_back();
        // A one-off enricher never handed words out before: there is nothing to forget.
        let search_words = search.then(|| self.search.hand_out(docs, sealed));
        let (vectors, (uses_flipped, mut kept)): (Vec<_>, (Vec<bool>, Vec<_>)) =
            weighed.into_iter().map(|(v, uses, keep)| (v, (uses, keep))).unzip();
        let carried = carried.take().map(|mut carried| {
            carried.take_vectors(&mut kept, &self.lexicon);
            drop(kept);
            let search: Vec<bool> = (0..vectors.len())
                .map(|p| carried.searches(p, uses_flipped[p]))
                .collect();
            (carried, search)
        });
        let (related, stored) = related::compute_weighed(&self.lexicon, weights, vectors, carried);
        self.related_lists = stored;
        // The vectors and their postings are gone.
        crate::memory::hand_back();
        (search_words, related::Lists::All(related))
    }
}
