//! Related papers: TF-IDF over title and abstract (stop words dropped, stems folded), with
//! candidates found through an inverted index so that the work grows with the postings of
//! each paper's most telling terms, not with the square of the corpus.
//!
//! Each paper is queried with its [`QUERY_TERMS`] heaviest terms; a term found in more than
//! [`max_df`] papers is too common to tell papers apart and is skipped as a query term. The
//! score is the dot product over the query terms of the two papers' normalized TF-IDF
//! vectors: the cosine similarity restricted to what makes the paper distinctive.

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::markup;
use crate::model::{PaperId, Site};

/// Related papers listed per paper.
pub const RELATED: usize = 5;
/// Terms per paper used to look for neighbours.
pub const QUERY_TERMS: usize = 16;
/// Below this score two papers only share vocabulary by chance.
const MIN_SCORE: f32 = 0.05;

/// Words too common in any English text (and in every abstract) to say what a paper is about.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "across",
    "after",
    "again",
    "against",
    "all",
    "also",
    "although",
    "among",
    "an",
    "and",
    "another",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "due",
    "during",
    "each",
    "either",
    "enable",
    "enables",
    "et",
    "etc",
    "even",
    "every",
    "few",
    "for",
    "from",
    "further",
    "furthermore",
    "given",
    "had",
    "has",
    "have",
    "having",
    "here",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "less",
    "many",
    "may",
    "might",
    "more",
    "moreover",
    "most",
    "much",
    "must",
    "new",
    "no",
    "nor",
    "not",
    "novel",
    "of",
    "often",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "paper",
    "per",
    "propose",
    "proposed",
    "provide",
    "provides",
    "rather",
    "recent",
    "recently",
    "results",
    "same",
    "several",
    "should",
    "show",
    "shows",
    "significantly",
    "since",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "therefore",
    "these",
    "they",
    "this",
    "those",
    "through",
    "thus",
    "to",
    "two",
    "under",
    "up",
    "upon",
    "us",
    "use",
    "used",
    "uses",
    "using",
    "various",
    "via",
    "was",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "work",
    "would",
    "yet",
    "you",
    "your",
    "approach",
    "method",
    "methods",
    "based",
    "existing",
    "state",
    "art",
    "achieve",
    "achieves",
    "demonstrate",
    "first",
    "study",
    "present",
    "introduce",
    "task",
    "tasks",
];

/// The papers most like each paper, best first; ties go to the earlier paper so that the
/// result does not depend on thread scheduling.
pub fn compute(site: &Site, cache: &mut TermCache) -> Vec<Vec<PaperId>> {
    let n = site.papers.len();
    if n < 2 {
        return vec![Vec::new(); n];
    }
    let stop: FxHashSet<&str> = STOP_WORDS.iter().chain(markup::LATEX_MACROS).copied().collect();
    // Term frequencies per paper; a term is the 64-bit hash of its stem, so that papers are
    // read in parallel without a shared dictionary. Papers whose text is unchanged since the
    // last build in this process reuse their counts.
    let docs: Vec<Arc<Vec<(Term, f32)>>> = site
        .papers
        .par_iter()
        .map(|p| match cache.0.get(&p.text_hash) {
            Some(terms) => terms.clone(),
            None => {
                Arc::new(STEMS.with(|stems| term_counts(&mut stems.borrow_mut(), &stop, &p.title, &p.abstract_text)))
            }
        })
        .collect();
    if cache.0.len() > 2 * n + 64 {
        cache.0.clear();
    }
    for (p, terms) in site.papers.iter().zip(&docs) {
        cache.0.entry(p.text_hash).or_insert_with(|| terms.clone());
    }
    let mut df: FxHashMap<Term, u32> = FxHashMap::default();
    for terms in &docs {
        for &(t, _) in terms.iter() {
            *df.entry(t).or_insert(0) += 1;
        }
    }
    let idf = |t: Term| ((n as f32 + 1.0) / (df[&t] as f32 + 0.5)).ln();
    // Normalized TF-IDF vectors.
    let vectors: Vec<Vec<(Term, f32)>> = docs
        .par_iter()
        .map(|terms| {
            let mut v: Vec<(Term, f32)> = terms.iter().map(|&(t, tf)| (t, (1.0 + tf.ln()) * idf(t))).collect();
            let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            v
        })
        .collect();
    let max_df = max_df(n);
    let mut postings: FxHashMap<Term, Vec<(PaperId, f32)>> = FxHashMap::default();
    for (pid, v) in vectors.iter().enumerate() {
        for &(t, w) in v {
            let d = df[&t] as usize;
            if d > 1 && d <= max_df {
                postings.entry(t).or_default().push((pid, w));
            }
        }
    }
    vectors
        .par_iter()
        .enumerate()
        .map(|(pid, v)| {
            SCORES.with(|scores| {
                let mut scores = scores.borrow_mut();
                if scores.len() != n {
                    *scores = vec![0f32; n];
                }
                let mut query: Vec<(Term, f32)> = v.iter().copied().filter(|(t, _)| postings.contains_key(t)).collect();
                query.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                query.truncate(QUERY_TERMS);
                let mut touched: Vec<PaperId> = Vec::new();
                for (t, w) in &query {
                    for &(other, ow) in &postings[t] {
                        if other != pid {
                            if scores[other] == 0.0 {
                                touched.push(other);
                            }
                            scores[other] += w * ow;
                        }
                    }
                }
                let mut best: Vec<(f32, PaperId)> = touched
                    .iter()
                    .map(|&o| (std::mem::take(&mut scores[o]), o))
                    .filter(|&(s, _)| s >= MIN_SCORE)
                    .collect();
                best.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                best.truncate(RELATED);
                best.into_iter().map(|(_, o)| o).collect()
            })
        })
        .collect()
}

/// Term counts by paper text hash, kept across rebuilds in watch mode.
#[derive(Debug, Default)]
pub struct TermCache(FxHashMap<u64, Arc<Vec<(Term, f32)>>>);

/// A term: the hash of a stem.
type Term = u64;

thread_local! {
    /// One stemmer and word cache per thread, kept across builds (watch mode).
    static STEMS: std::cell::RefCell<Stems> = std::cell::RefCell::new(Stems::new());
    /// One score accumulator per thread (all zero between papers).
    static SCORES: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A stemmer with a cache per thread: words repeat (Zipf), stemming them does not need to.
struct Stems {
    stemmer: rust_stemmers::Stemmer,
    cache: FxHashMap<String, Term>,
    lower: String,
}

impl Stems {
    fn new() -> Self {
        Stems {
            stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English),
            cache: FxHashMap::default(),
            lower: String::new(),
        }
    }

    /// The term of `word`, or `None` for a stop word.
    fn term(&mut self, word: &str, stop: &FxHashSet<&str>) -> Option<Term> {
        markup::lowercase_into(&mut self.lower, word);
        if let Some(&t) = self.cache.get(self.lower.as_str()) {
            return (t != STOP).then_some(t);
        }
        let t = if stop.contains(self.lower.as_str()) {
            STOP
        } else {
            xxhash_rust::xxh3::xxh3_64(self.stemmer.stem(&self.lower).as_bytes())
        };
        if self.cache.len() > 500_000 {
            self.cache.clear();
        }
        self.cache.insert(self.lower.clone(), t);
        (t != STOP).then_some(t)
    }
}

/// Marks stop words in the cache (a stem hashing to it is as likely as any collision).
const STOP: Term = 0;

/// Fills `paper.related` for every paper.
pub fn apply(site: &mut Site) {
    apply_cached(site, &mut TermCache::default());
}

/// [`apply`], reusing the term counts of papers whose text did not change: the watch loop
/// keeps one cache across rebuilds.
pub fn apply_cached(site: &mut Site, cache: &mut TermCache) {
    let related = compute(site, cache);
    for (p, r) in site.papers.iter_mut().zip(related) {
        p.related = r;
    }
}

/// Papers sharing a term beyond this many are not searched through that term: 2% of the
/// corpus, but never fewer than 50 so that small sites still find neighbours, and never more
/// than 400, which bounds the work per paper at `QUERY_TERMS` × 400 score updates.
fn max_df(n: usize) -> usize {
    (n / 50).clamp(50, 400)
}

fn term_counts(stems: &mut Stems, stop: &FxHashSet<&str>, title: &str, abstract_text: &str) -> Vec<(Term, f32)> {
    let mut counts: FxHashMap<Term, f32> = FxHashMap::default();
    // A title word says more about the paper than an abstract word.
    for (text, weight) in [(title, 2.0), (abstract_text, 1.0)] {
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.chars().nth(1).is_none() || word.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            if let Some(t) = stems.term(word, stop) {
                *counts.entry(t).or_insert(0.0) += weight;
            }
        }
    }
    let mut v: Vec<(Term, f32)> = counts.into_iter().collect();
    v.sort_unstable_by_key(|&(t, _)| t);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latex_and_stop_words_are_not_terms() {
        let mut stems = Stems::new();
        let stop: FxHashSet<&str> = STOP_WORDS.iter().chain(markup::LATEX_MACROS).copied().collect();
        let terms = term_counts(
            &mut stems,
            &stop,
            "The Graphs",
            "an varepsilon-optimal mathcal O graph of 2024",
        );
        let hash = |s: &str| xxhash_rust::xxh3::xxh3_64(s.as_bytes());
        let mut expected = vec![(hash("graph"), 3.0), (hash("optim"), 1.0)];
        expected.sort_by_key(|e| e.0);
        assert_eq!(terms, expected, "title weighs 2, abstract 1, stems folded");
    }

    #[test]
    fn the_query_skips_common_terms() {
        assert_eq!(max_df(100), 50);
        assert_eq!(max_df(10_000), 200);
        assert_eq!(max_df(100_000), 400);
    }
}
