//! The search index's words: each paper's distinct words, lower-cased, without stop words
//! and LaTeX macro names, each marked when the title has it, read from the lexicon beside
//! tagging and related papers. The index itself is written by the renderer
//! (`render::search_index`).

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
    /// Distinct words by paper text hash (see [`Prepared::docs`]).
    docs: FxHashMap<u64, Arc<[u32]>>,
    /// By word number in the lexicon, the lower-case word it is indexed as, or
    /// [`NOT_INDEXED`]; grown with the lexicon.
    indexed: Vec<WordId>,
}

/// What the index is written from besides the site and the lexicon: per paper, its
/// distinct words.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    docs: Vec<Arc<[u32]>>,
}

impl Prepared {
    /// Per paper, its distinct index words, ascending, each as `word << 1 | in_title`: the
    /// word's number in the lexicon (its lower-case form), and 1 when the title uses it.
    pub fn docs(&self) -> &[Arc<[u32]>] {
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

    /// Forgets the papers when it holds far more than the site has (old versions); says
    /// whether it did.
    pub fn trim(&mut self, papers: usize) -> bool {
        let outgrown = crate::model::cache_outgrown(self.docs.len(), papers);
        if outgrown {
            self.docs.clear();
        }
        outgrown
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
    /// and LaTeX macro names, marked when in the title. `tokens` holds, by paper, the words
    /// of every paper this cache does not know.
    pub fn prepare(&mut self, site: &Site, lexicon: &Lexicon, tokens: &[Option<Tokens>]) -> Prepared {
        self.extend(lexicon);
        let indexed = &self.indexed;
        let docs: Vec<(Arc<[u32]>, bool)> = site
            .papers
            .par_iter()
            .zip(tokens)
            .map(|(p, tokens)| match self.docs.get(&p.text_hash) {
                Some(doc) => (doc.clone(), false),
                None => {
                    let tokens = tokens.as_ref().expect("words of a paper missing from the search cache");
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
