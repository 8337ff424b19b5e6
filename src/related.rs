//! Related papers: TF-IDF over title and abstract (stop words dropped, stems folded), with
//! candidates found through an inverted index so that the work grows with the postings of
//! each paper's most telling terms, not with the square of the corpus.
//!
//! Each paper is queried with its [`QUERY_TERMS`] heaviest terms; a term found in more than
//! [`max_df`] papers is too common to tell papers apart and is skipped as a query term. The
//! score is the dot product over the query terms of the two papers' normalized TF-IDF
//! vectors: the cosine similarity restricted to what makes the paper distinctive.

use std::cmp::Ordering;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::markup;
use crate::model::{PaperId, Site};

/// Related papers listed per paper.
pub const RELATED: usize = 5;
/// Terms per paper used to look for neighbours.
pub const QUERY_TERMS: usize = 24;
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
pub fn compute(site: &Site) -> Vec<Vec<PaperId>> {
    let n = site.papers.len();
    if n < 2 {
        return vec![Vec::new(); n];
    }
    let stop: rustc_hash::FxHashSet<&str> = STOP_WORDS.iter().chain(markup::LATEX_MACROS).copied().collect();
    // Term frequencies per paper, with terms as dense ids.
    let docs: Vec<Vec<(String, f32)>> = site
        .papers
        .par_iter()
        .map_init(
            || rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English),
            |stemmer, p| term_counts(stemmer, &stop, &p.title, &p.abstract_text),
        )
        .collect();
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut df: Vec<u32> = Vec::new();
    let docs: Vec<Vec<(u32, f32)>> = docs
        .iter()
        .map(|terms| {
            terms
                .iter()
                .map(|(t, tf)| {
                    let next = ids.len() as u32;
                    let id = *ids.entry(t.as_str()).or_insert(next);
                    if id as usize == df.len() {
                        df.push(0);
                    }
                    df[id as usize] += 1;
                    (id, *tf)
                })
                .collect()
        })
        .collect();
    let idf: Vec<f32> = df.iter().map(|&d| ((n as f32 + 1.0) / (d as f32 + 0.5)).ln()).collect();
    // Normalized TF-IDF vectors, sorted by term id for merging.
    let vectors: Vec<Vec<(u32, f32)>> = docs
        .into_par_iter()
        .map(|terms| {
            let mut v: Vec<(u32, f32)> = terms
                .into_iter()
                .map(|(t, tf)| (t, (1.0 + tf.ln()) * idf[t as usize]))
                .collect();
            let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            v.sort_unstable_by_key(|&(t, _)| t);
            v
        })
        .collect();
    let max_df = max_df(n);
    let mut postings: Vec<Vec<(PaperId, f32)>> = vec![Vec::new(); df.len()];
    for (pid, v) in vectors.iter().enumerate() {
        for &(t, w) in v {
            if df[t as usize] as usize <= max_df {
                postings[t as usize].push((pid, w));
            }
        }
    }
    vectors
        .par_iter()
        .enumerate()
        .map_init(
            || vec![0f32; n],
            |scores, (pid, v)| {
                let mut query: Vec<(u32, f32)> = v
                    .iter()
                    .copied()
                    .filter(|&(t, _)| df[t as usize] as usize <= max_df && df[t as usize] > 1)
                    .collect();
                query.sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(Ordering::Equal).then(a.0.cmp(&b.0)));
                query.truncate(QUERY_TERMS);
                let mut touched: Vec<PaperId> = Vec::new();
                for &(t, w) in &query {
                    for &(other, ow) in &postings[t as usize] {
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
                best.sort_unstable_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(Ordering::Equal).then(a.1.cmp(&b.1)));
                best.truncate(RELATED);
                best.into_iter().map(|(_, o)| o).collect()
            },
        )
        .collect()
}

/// Fills `paper.related` for every paper.
pub fn apply(site: &mut Site) {
    let related = compute(site);
    for (p, r) in site.papers.iter_mut().zip(related) {
        p.related = r;
    }
}

/// Papers sharing a term beyond this many are not searched through that term: 2% of the
/// corpus, but never fewer than 50 so that small sites still find neighbours.
fn max_df(n: usize) -> usize {
    (n / 50).max(50)
}

fn term_counts(
    stemmer: &rust_stemmers::Stemmer,
    stop: &rustc_hash::FxHashSet<&str>,
    title: &str,
    abstract_text: &str,
) -> Vec<(String, f32)> {
    let mut counts: FxHashMap<String, f32> = FxHashMap::default();
    // A title word says more about the paper than an abstract word.
    for (text, weight) in [(title, 2.0), (abstract_text, 1.0)] {
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.chars().count() < 2 || word.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let lower = word.to_lowercase();
            if stop.contains(lower.as_str()) {
                continue;
            }
            *counts.entry(stemmer.stem(&lower).into_owned()).or_insert(0.0) += weight;
        }
    }
    let mut v: Vec<(String, f32)> = counts.into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latex_and_stop_words_are_not_terms() {
        let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
        let stop: rustc_hash::FxHashSet<&str> = STOP_WORDS.iter().chain(markup::LATEX_MACROS).copied().collect();
        let terms = term_counts(
            &stemmer,
            &stop,
            "The Graphs",
            "an varepsilon-optimal mathcal O graph of 2024",
        );
        let names: Vec<&str> = terms.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(names, vec!["graph", "optim"]);
        assert_eq!(terms[0].1, 3.0, "title weighs 2, abstract 1, stems folded");
    }

    #[test]
    fn the_query_skips_common_terms() {
        assert_eq!(max_df(100), 50);
        assert_eq!(max_df(100_000), 2000);
    }
}
