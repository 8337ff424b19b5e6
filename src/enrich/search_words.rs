//! The search index's words: each paper's distinct words, lower-cased, without stop words
//! and LaTeX macro names, each marked when the title has it, read from the lexicon beside
//! tagging and related papers. The index itself is written by the renderer
//! (`render::search_index`).

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::lexicon::{Lexicon, Tokens, WordId};
use crate::model::{Paper, PaperId, Site};
use crate::text::{LATEX_MACROS, SEARCH_STOP_WORDS};

/// Each paper's index words, kept across watch-mode rebuilds so that an edit re-reads only
/// the papers whose text changed. Words are numbers of lower-case words in one [`Lexicon`]:
/// the cache is valid with the lexicon it was filled from.
#[derive(Debug, Default)]
pub struct SearchWords {
    /// Distinct words by paper text hash (see [`Prepared::docs`]).
    docs: FxHashMap<u64, Arc<[u32]>>,
    /// By word number in the lexicon, the lower-case word it is indexed as, or
    /// [`NOT_INDEXED`]; grown with the lexicon.
    indexed: Vec<WordId>,
    /// The last words handed out, which the next call compares with (or patches in place:
    /// once the index is planned, nothing else holds them).
    last: Option<Arc<Vec<Arc<[u32]>>>>,
    /// How many times words were handed out (see [`Prepared::serial`]).
    serial: u64,
}

/// What the index is written from besides the site and the lexicon: per paper, its
/// distinct words, and which of them changed since the last time.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    docs: Arc<Vec<Arc<[u32]>>>,
    serial: u64,
    changed: Option<Changed>,
    sealed: usize,
}

/// The papers whose words changed since the words a cache handed out before.
#[derive(Debug, Clone)]
pub struct Changed {
    /// The [`Prepared::serial`] of those words.
    pub base: u64,
    /// The papers, ascending, each with its words then.
    pub papers: Vec<(u32, Arc<[u32]>)>,
}

/// Beyond this many papers with new words, [`Prepared::changed`] does not list them: a plan
/// is not patched for that many.
pub const CHANGED_MAX: usize = 64;

impl Prepared {
    /// Per paper, its distinct index words, ascending, each as `word << 1 | in_title`: the
    /// word's number in the lexicon (its lower-case form), and 1 when the title uses it.
    pub fn docs(&self) -> &[Arc<[u32]>] {
        &self.docs
    }

    /// Which words these are: each call of [`SearchWords::prepare`] numbers its result.
    pub fn serial(&self) -> u64 {
        self.serial
    }

    /// How many papers at the start have no words here, though they have some: those of
    /// the search index's sealed segment, which the last build stored (see
    /// `render/search_sealed.rs`). None but in a one-off build told so.
    pub fn sealed(&self) -> usize {
        self.sealed
    }

    /// The papers whose words changed since the words numbered [`Changed::base`], same
    /// papers in the same places; `None` when the papers are not those or more than
    /// [`CHANGED_MAX`] changed. The search plan patches itself with them (watch mode) and
    /// need not keep every paper's words to compare.
    pub fn changed(&self) -> Option<&Changed> {
        self.changed.as_ref()
    }
}

/// Marks a word that is not indexed.
const NOT_INDEXED: WordId = WordId::MAX;

impl SearchWords {
    /// Whether the words of a paper with this text are known.
    pub fn has(&self, text_hash: u64) -> bool {
        self.docs.contains_key(&text_hash)
    }

    /// Forgets the papers when it holds far more than the site has (old versions); says
    /// whether it did.
    pub fn trim(&mut self, papers: usize) -> bool {
        let outgrown = crate::model::cache_outgrown(self.docs.len(), papers);
        if outgrown {
            self.docs.clear();
        }
        outgrown
    }

    /// Forgets the last words handed out (a rebuild without a search index): the next call
    /// cannot patch them.
    pub fn forget_last(&mut self) {
        self.last = None;
    }

    /// Looks at the words `lexicon` gained since the last call.
    pub(super) fn extend(&mut self, lexicon: &Lexicon) {
        static STOP: std::sync::LazyLock<rustc_hash::FxHashSet<&str>> =
            std::sync::LazyLock::new(|| SEARCH_STOP_WORDS.iter().chain(LATEX_MACROS).copied().collect());
        let stop = &*STOP;
        lexicon.grow(&mut self.indexed, |id| {
            let lower = lexicon.lower(id);
            let skip = lexicon.text(id).len() == 1 || stop.contains(lexicon.text(lower));
            if skip { NOT_INDEXED } else { lower }
        });
    }

    /// Each paper's distinct index words: lower-cased, without one-letter words, stop words
    /// and LaTeX macro names, marked when in the title. `tokens` holds, by paper, the words
    /// of every paper this cache does not know.
    ///
    /// `edited` says that `site` is the model of the last call with only these papers'
    /// records replaced since (a patched watch-mode save): only they are looked at, and the
    /// last words are patched in place (at 100,000 papers, a lookup and a shared pointer
    /// per paper was a tenth of a save).
    pub fn prepare(
        &mut self,
        site: &Site,
        lexicon: &Lexicon,
        tokens: &[Option<Tokens>],
        edited: Option<&[PaperId]>,
    ) -> Prepared {
        self.extend(lexicon);
        let n = site.papers.len();
        let last = self.last.take().filter(|last| last.len() == n);
        let base = self.serial;
        let (docs, changed) = match (last, edited) {
            (Some(mut docs), Some(edited)) => {
                let changed: Vec<(u32, Arc<[u32]>)> = {
                    let list = Arc::make_mut(&mut docs);
                    let mut changed = Vec::new();
                    for &id in edited {
                        let doc = self.doc(&site.papers[id], &tokens[id]);
                        self.docs
                            .entry(site.papers[id].text_hash)
                            .or_insert_with(|| doc.clone());
                        if !Arc::ptr_eq(&doc, &list[id]) {
                            changed.push((id as u32, std::mem::replace(&mut list[id], doc)));
                        }
                    }
                    changed.sort_unstable_by_key(|c| c.0);
                    changed
                };
                (docs, Some(changed))
            }
            (last, _) => {
                let fresh: Vec<Arc<[u32]>> = site
                    .papers
                    .par_iter()
                    .zip(tokens)
                    .map(|(p, tokens)| self.doc(p, tokens))
                    .collect();
                for ((p, tokens), doc) in site.papers.iter().zip(tokens).zip(&fresh) {
                    if tokens.is_some() && !self.docs.contains_key(&p.text_hash) {
                        self.docs.insert(p.text_hash, doc.clone());
                    }
                }
                // The papers whose words are not the same shared list as last time (the
                // cache hands out one per text).
                let changed = last.and_then(|last| {
                    let mut changed = Vec::new();
                    for (i, (was, now)) in last.iter().zip(&fresh).enumerate() {
                        if !Arc::ptr_eq(was, now) {
                            if changed.len() == CHANGED_MAX {
                                return None;
                            }
                            changed.push((i as u32, was.clone()));
                        }
                    }
                    Some(changed)
                });
                (Arc::new(fresh), changed)
            }
        };
        let changed = changed.filter(|c| c.len() <= CHANGED_MAX);
        self.serial += 1;
        self.last = Some(docs.clone());
        Prepared {
            docs,
            serial: self.serial,
            changed: changed.map(|papers| Changed { base, papers }),
            sealed: 0,
        }
    }

    /// Hands out every paper's words, made one by one with [`SearchWords::doc`] by a
    /// one-off build, as [`SearchWords::prepare`] would: nothing is kept, as no next call
    /// compares with them or patches them. The first `sealed` papers' were not made (see
    /// [`Prepared::sealed`]).
    pub(super) fn hand_out(&mut self, docs: Vec<Arc<[u32]>>, sealed: usize) -> Prepared {
        self.serial += 1;
        self.last = None;
        Prepared {
            docs: Arc::new(docs),
            serial: self.serial,
            changed: None,
            sealed,
        }
    }

    /// A paper's words: the cache's list for its text, or one made from `tokens` (after
    /// [`SearchWords::extend`] with their lexicon).
    pub(super) fn doc(&self, p: &Paper, tokens: &Option<Tokens>) -> Arc<[u32]> {
        if let Some(doc) = self.docs.get(&p.text_hash) {
            return doc.clone();
        }
        let tokens = tokens.as_ref().expect("words of a paper missing from the search cache");
        let indexed = &self.indexed;
        let title = tokens.title().len();
        let mut doc: Vec<u32> = tokens
            .all()
            .iter()
            .enumerate()
            .map(|(at, &id)| (indexed[id as usize], at < title))
            .filter(|&(w, _)| w != NOT_INDEXED)
            .map(|(w, in_title)| w << 1 | u32::from(in_title))
            .collect();
        // Sorted, a title occurrence follows the word's other ones: keep the last.
        doc.sort_unstable();
        doc.reverse();
        doc.dedup_by_key(|e| *e >> 1);
        doc.reverse();
        doc.into()
    }
}

/// Every paper's search words from scratch, for callers without a lexicon at hand.
pub fn fresh_words(site: &Site) -> (Lexicon, Prepared) {
    let (lexicon, tokens) = Lexicon::of_papers(&site.papers);
    let prepared = SearchWords::default().prepare(site, &lexicon, &tokens, None);
    (lexicon, prepared)
}
