//! The search index's words: each paper's distinct words, lower-cased, without stop words
//! and LaTeX macro names, read from the lexicon beside tagging and related papers. The index
//! itself is written by the renderer (`render::search_index`).

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::lexicon::{Lexicon, Tokens, WordId};
use crate::model::Site;
use crate::text::{LATEX_MACROS, SEARCH_STOP_WORDS};

/// Each paper's index words, kept across watch-mode rebuilds so that an edit re-reads only
/// the papers whose text changed. Words are numbers of lower-case words in one [`Lexicon`]:
/// the cache is valid with the lexicon it was filled from.
#[derive(Debug, Default)]
pub struct SearchWords {
    /// Distinct word numbers by paper text hash.
    docs: FxHashMap<u64, Arc<[WordId]>>,
    /// By word number in the lexicon, the lower-case word it is indexed as, or
    /// [`NOT_INDEXED`]; grown with the lexicon.
    indexed: Vec<WordId>,
}

/// What the index's shards are written from besides the site and the lexicon: per paper,
/// its distinct words.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    docs: Vec<Arc<[WordId]>>,
}

impl Prepared {
    /// Per paper, its distinct index words, ascending.
    pub fn docs(&self) -> &[Arc<[WordId]>] {
        &self.docs
    }
}

/// Marks a word that is not indexed.
const NOT_INDEXED: WordId = WordId::MAX;

impl SearchWords {
    /// Whether the words of a paper with this text are known.
    pub fn has(&self, text_hash: u64) -> bool {
        self.docs.contains_key(&text_hash)
    }

    /// Forgets the papers when it holds far more than the site has (old versions).
    pub fn trim(&mut self, papers: usize) {
        if crate::model::cache_outgrown(self.docs.len(), papers) {
            self.docs.clear();
        }
    }

    /// Looks at the words `lexicon` gained since the last call.
    fn extend(&mut self, lexicon: &Lexicon) {
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
    /// and LaTeX macro names. `tokens` holds, by paper, the words of every paper this cache
    /// does not know.
    pub fn prepare(&mut self, site: &Site, lexicon: &Lexicon, tokens: &[Option<Tokens>]) -> Prepared {
        self.extend(lexicon);
        let indexed = &self.indexed;
        let docs: Vec<(Arc<[WordId]>, bool)> = site
            .papers
            .par_iter()
            .zip(tokens)
            .map(|(p, tokens)| match self.docs.get(&p.text_hash) {
                Some(doc) => (doc.clone(), false),
                None => {
                    let tokens = tokens.as_ref().expect("words of a paper missing from the search cache");
                    let mut doc: Vec<WordId> = tokens
                        .all()
                        .iter()
                        .map(|&id| indexed[id as usize])
                        .filter(|&w| w != NOT_INDEXED)
                        .collect();
                    doc.sort_unstable();
                    doc.dedup();
                    (doc.into(), true)
                }
            })
            .collect();
        for (p, (doc, fresh)) in site.papers.iter().zip(&docs) {
            if *fresh {
                self.docs.insert(p.text_hash, doc.clone());
            }
        }
        Prepared {
            docs: docs.into_iter().map(|(doc, _)| doc).collect(),
        }
    }
}

/// Every paper's search words from scratch, for callers without a lexicon at hand.
pub fn fresh_words(site: &Site) -> (Lexicon, Prepared) {
    let (lexicon, tokens) = Lexicon::of_papers(&site.papers);
    let prepared = SearchWords::default().prepare(site, &lexicon, &tokens);
    (lexicon, prepared)
}
