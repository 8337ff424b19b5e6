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
use rustc_hash::FxHashMap;

use crate::lexicon::{Lexicon, StemId, Tokens};
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
///
/// A paper's list depends only on its query (its heaviest terms with their weights) and on
/// the postings of those terms, so the list is cached under a hash of exactly that: after an
/// edit, only papers whose query or whose query terms' postings changed are searched again.
///
/// `tokens` holds, by paper, the words of every paper whose text `cache` does not know.
pub fn compute(site: &Site, cache: &mut TermCache, lexicon: &Lexicon, tokens: &[Option<Tokens>]) -> Vec<Vec<PaperId>> {
    let n = site.papers.len();
    if n < 2 {
        return vec![Vec::new(); n];
    }
    let docs = cache.docs(site, lexicon, tokens);
    // Document frequencies and idf by term (stem number): array lookups instead of hashing
    // in the loops below.
    let terms = lexicon.stem_count();
    let mut df = vec![0u32; terms];
    for doc in &docs {
        for &(t, _) in doc.iter() {
            df[t as usize] += 1;
        }
    }
    let idf: Vec<f32> = df
        .iter()
        .map(|&d| {
            if d == 0 {
                0.0
            } else {
                ((n as f32 + 1.0) / (coarse(d) as f32 + 0.5)).ln()
            }
        })
        .collect();
    // Normalized TF-IDF vectors, in each paper's term order (by stem hash, which fixes the
    // order of float sums whatever ids the terms got).
    let vectors: Vec<Vec<(TermId, f32)>> = docs
        .into_par_iter()
        .map(|doc| {
            // A one-off build holds the only reference: the counts become the vector in place.
            let mut v = Arc::try_unwrap(doc).unwrap_or_else(|shared| (*shared).clone());
            v.iter_mut().for_each(|(t, w)| *w *= idf[*t as usize]);
            let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            v
        })
        .collect();
    // Postings of the terms that can tell papers apart, as one flat array by term.
    let max_df = max_df(n) as u32;
    let searchable = |t: TermId| (2..=max_df).contains(&df[t as usize]);
    let mut start = vec![0u32; terms + 1];
    for (t, &d) in df.iter().enumerate() {
        start[t + 1] = start[t] + if searchable(t as TermId) { d } else { 0 };
    }
    let mut fill = start.clone();
    let mut postings = vec![(0u32, 0f32); start[terms] as usize];
    for (pid, v) in vectors.iter().enumerate() {
        for &(t, w) in v {
            if searchable(t) {
                let slot = &mut fill[t as usize];
                postings[*slot as usize] = (pid as u32, w);
                *slot += 1;
            }
        }
    }
    let list = |t: TermId| &postings[start[t as usize] as usize..start[t as usize + 1] as usize];
    let list_hash: Vec<u64> = (0..terms as TermId)
        .into_par_iter()
        .map(|t| {
            let mut h = xxhash_rust::xxh3::Xxh3Default::new();
            for &(pid, w) in list(t) {
                h.update(&(u64::from(pid) << 32 | u64::from(w.to_bits())).to_le_bytes());
            }
            h.digest()
        })
        .collect();
    let hashes = |t: TermId| lexicon.stem_hash(t);
    let known = &cache.results;
    let found: Vec<(u64, Vec<PaperId>)> = vectors
        .par_iter()
        .enumerate()
        .map(|(pid, v)| {
            // The heaviest terms, ties broken by stem hash: picked in linear time, then only
            // those sorted.
            let mut heaviest: Vec<(f32, u64, TermId)> = v
                .iter()
                .filter(|&&(t, _)| searchable(t))
                .map(|&(t, w)| (w, hashes(t), t))
                .collect();
            let order = |a: &(f32, u64, TermId), b: &(f32, u64, TermId)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
            if heaviest.len() > QUERY_TERMS {
                heaviest.select_nth_unstable_by(QUERY_TERMS - 1, order);
                heaviest.truncate(QUERY_TERMS);
            }
            heaviest.sort_unstable_by(order);
            let mut key = xxhash_rust::xxh3::Xxh3Default::new();
            key.update(&(pid as u64).to_le_bytes());
            for &(w, hash, t) in &heaviest {
                key.update(&hash.to_le_bytes());
                key.update(&w.to_bits().to_le_bytes());
                key.update(&list_hash[t as usize].to_le_bytes());
            }
            let key = key.digest();
            if let Some(related) = known.get(&key) {
                return (key, related.clone());
            }
            let query: Vec<(TermId, f32)> = heaviest.iter().map(|&(w, _, t)| (t, w)).collect();
            (
                key,
                SCORES.with(|scores| search(&mut scores.borrow_mut(), n, pid, &query, &list)),
            )
        })
        .collect();
    if cache.keep {
        cache.results = found.iter().map(|(k, r)| (*k, r.clone())).collect();
    }
    found.into_iter().map(|(_, r)| r).collect()
}

/// Scores every paper sharing a query term with paper `pid` and keeps the best few, by
/// score and then the earlier paper. `scores` is all zero between calls.
fn search<'p>(
    scores: &mut Vec<f32>,
    n: usize,
    pid: PaperId,
    query: &[(TermId, f32)],
    list: &impl Fn(TermId) -> &'p [(u32, f32)],
) -> Vec<PaperId> {
    if scores.len() != n {
        *scores = vec![0f32; n];
    }
    let mut touched: Vec<u32> = Vec::new();
    for &(t, w) in query {
        for &(other, ow) in list(t) {
            if other as usize != pid {
                let s = &mut scores[other as usize];
                if *s == 0.0 {
                    touched.push(other);
                }
                *s += w * ow;
            }
        }
    }
    let mut best: Vec<(f32, u32)> = Vec::with_capacity(RELATED + 1);
    let better = |a: &(f32, u32), b: &(f32, u32)| a.0.total_cmp(&b.0).reverse().then(a.1.cmp(&b.1));
    for &o in &touched {
        let s = std::mem::take(&mut scores[o as usize]);
        if s < MIN_SCORE {
            continue;
        }
        let entry = (s, o);
        if best.len() == RELATED && better(&entry, &best[RELATED - 1]).is_ge() {
            continue;
        }
        let at = best.partition_point(|b| better(b, &entry).is_lt());
        best.insert(at, entry);
        best.truncate(RELATED);
    }
    best.into_iter().map(|(_, o)| o as PaperId).collect()
}

/// A document frequency rounded down to its three leading bits (1–8 exact, then steps of
/// an eighth to a quarter of the value). idf barely moves within a step, and an edit that
/// moves a term's frequency by one rarely changes its idf, so the papers using the term
/// keep their vectors and their cached lists.
fn coarse(df: u32) -> u32 {
    let bits = 32 - df.leading_zeros();
    let drop = bits.saturating_sub(3);
    df >> drop << drop
}

/// Per-paper term counts, kept across rebuilds in watch mode so that an edit re-reads only
/// the papers whose text changed. Terms are stem numbers of one [`Lexicon`]: the cache is
/// valid with the lexicon it was filled from.
#[derive(Debug)]
pub struct TermCache {
    /// Whether to keep anything for a next build (a one-off build frees it all at once).
    keep: bool,
    /// Per paper text hash, its terms (sorted by stem hash) with `1 + ln(count)`.
    docs: FxHashMap<u64, Arc<Vec<(TermId, f32)>>>,
    /// Related lists by hash of what they were computed from (see [`compute`]).
    results: FxHashMap<u64, Vec<PaperId>>,
    /// Which of the lexicon's words are terms.
    terms: Terms,
}

impl Default for TermCache {
    fn default() -> Self {
        TermCache {
            keep: true,
            docs: FxHashMap::default(),
            results: FxHashMap::default(),
            terms: Terms::default(),
        }
    }
}

impl TermCache {
    /// A cache for one build, which keeps nothing.
    pub fn once() -> Self {
        TermCache {
            keep: false,
            ..TermCache::default()
        }
    }

    /// Whether the terms of a paper with this text are known.
    pub fn has(&self, text_hash: u64) -> bool {
        self.docs.contains_key(&text_hash)
    }

    /// Forgets the papers when it holds far more than the site has (old versions).
    pub fn trim(&mut self, papers: usize) {
        if self.docs.len() > 2 * papers + 64 {
            self.docs.clear();
            self.results.clear();
        }
    }

    /// Forgets everything (the lexicon its terms number starts over).
    pub fn clear(&mut self) {
        self.docs.clear();
        self.results.clear();
        self.terms = Terms::default();
    }

    /// Every paper's term counts, counting in parallel the papers not seen before.
    fn docs(&mut self, site: &Site, lexicon: &Lexicon, tokens: &[Option<Tokens>]) -> Vec<Arc<Vec<(TermId, f32)>>> {
        self.terms.extend(lexicon);
        let terms = &self.terms;
        let fresh: Vec<Option<Vec<(TermId, f32)>>> = site
            .papers
            .par_iter()
            .zip(tokens)
            .map(|(p, tokens)| {
                (!self.docs.contains_key(&p.text_hash)).then(|| {
                    let tokens = tokens.as_ref().expect("words of a paper missing from the term cache");
                    SCRATCH.with(|scratch| terms.counts(lexicon, &mut scratch.borrow_mut(), tokens))
                })
            })
            .collect();
        site.papers
            .iter()
            .zip(fresh)
            .map(|(p, counts)| match counts {
                None => self.docs[&p.text_hash].clone(),
                Some(counts) => {
                    let doc = Arc::new(counts);
                    if self.keep {
                        self.docs.insert(p.text_hash, doc.clone());
                    }
                    doc
                }
            })
            .collect()
    }
}

/// A term: the number of a stem in the [`Lexicon`].
type TermId = StemId;

/// Marks a word that is not a term.
const NOT_A_TERM: TermId = TermId::MAX;

thread_local! {
    /// One count per term, all zero between papers, and the terms touched.
    static SCRATCH: std::cell::RefCell<(Vec<f32>, Vec<TermId>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    /// One score accumulator per thread (all zero between papers).
    static SCORES: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Which words are terms: by word number, the term, or [`NOT_A_TERM`] for stop words,
/// one-letter words and numbers. Grows with the lexicon ([`Terms::extend`]).
#[derive(Debug, Default)]
struct Terms {
    of: Vec<TermId>,
}

impl Terms {
    /// Looks at the words `lexicon` gained since the last call.
    fn extend(&mut self, lexicon: &Lexicon) {
        static STOP: std::sync::LazyLock<rustc_hash::FxHashSet<&str>> =
            std::sync::LazyLock::new(|| STOP_WORDS.iter().chain(markup::LATEX_MACROS).copied().collect());
        let stop = &*STOP;
        lexicon.grow(&mut self.of, |id| {
            let text = lexicon.text(id);
            let skip = text.chars().nth(1).is_none()
                || text.bytes().all(|b| b.is_ascii_digit())
                || stop.contains(lexicon.text(lexicon.lower(id)));
            if skip { NOT_A_TERM } else { lexicon.stem(id) }
        });
    }

    /// A paper's terms, sorted by stem hash, with `1 + ln(count)`; a title word counts
    /// twice, as it says more about the paper than an abstract word.
    fn counts(
        &self,
        lexicon: &Lexicon,
        (counts, touched): &mut (Vec<f32>, Vec<TermId>),
        tokens: &Tokens,
    ) -> Vec<(TermId, f32)> {
        if counts.len() != lexicon.stem_count() {
            *counts = vec![0.0; lexicon.stem_count()];
        }
        touched.clear();
        for (ids, weight) in [(tokens.title(), 2.0), (tokens.abstract_words(), 1.0)] {
            for &id in ids {
                let t = self.of[id as usize];
                if t == NOT_A_TERM {
                    continue;
                }
                let c = &mut counts[t as usize];
                if *c == 0.0 {
                    touched.push(t);
                }
                *c += weight;
            }
        }
        let mut v: Vec<(u64, TermId, f32)> = touched
            .iter()
            .map(|&t| {
                (
                    lexicon.stem_hash(t),
                    t,
                    1.0 + std::mem::take(&mut counts[t as usize]).ln(),
                )
            })
            .collect();
        v.sort_unstable_by_key(|&(hash, _, _)| hash);
        v.into_iter().map(|(_, t, w)| (t, w)).collect()
    }
}

/// Fills `paper.related` for every paper.
pub fn apply(site: &mut Site) {
    let (lexicon, tokens) = Lexicon::of_papers(&site.papers);
    apply_cached(site, &mut TermCache::once(), &lexicon, &tokens);
}

/// [`apply`], reusing the term counts of papers whose text did not change: the watch loop
/// keeps one cache (and its lexicon) across rebuilds.
pub fn apply_cached(site: &mut Site, cache: &mut TermCache, lexicon: &Lexicon, tokens: &[Option<Tokens>]) {
    let related = compute(site, cache, lexicon, tokens);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latex_and_stop_words_are_not_terms() {
        let mut lexicon = Lexicon::default();
        let doc = ("The Graphs", "an varepsilon-optimal mathcal O graph of 2024");
        let tokens = lexicon.tokenize(&[Some(doc)]).pop().flatten().unwrap();
        let mut terms = Terms::default();
        terms.extend(&lexicon);
        let terms = terms.counts(&lexicon, &mut Default::default(), &tokens);
        let named: Vec<(&str, f32)> = terms.iter().map(|&(t, w)| (lexicon.stem_text(t), w)).collect();
        let hash = |s: &str| xxhash_rust::xxh3::xxh3_64(s.as_bytes());
        let mut expected = vec![("graph", 1.0 + 3f32.ln()), ("optim", 1.0)];
        expected.sort_by_key(|e| hash(e.0));
        assert_eq!(named, expected, "title weighs 2, abstract 1, stems folded");
    }

    #[test]
    fn the_query_skips_common_terms() {
        assert_eq!(max_df(100), 50);
        assert_eq!(max_df(10_000), 200);
        assert_eq!(max_df(100_000), 400);
    }

    #[test]
    fn frequencies_are_coarsened_to_three_bits() {
        let steps: Vec<u32> = [1, 2, 7, 8, 9, 15, 16, 17, 31, 100, 1000].map(coarse).to_vec();
        assert_eq!(steps, [1, 2, 7, 8, 8, 14, 16, 16, 28, 96, 896]);
    }
}
