//! Related papers: TF-IDF over title and abstract (stop words dropped, stems folded), with
//! candidates found through an inverted index so that the work grows with the postings of
//! each paper's most telling terms, not with the square of the corpus.
//!
//! Each paper is queried with its [`QUERY_TERMS`] heaviest terms; a term found in more than
//! [`max_df`] papers is too common to tell papers apart and is skipped as a query term. The
//! score is the dot product over the query terms of the two papers' normalized TF-IDF
//! vectors: the cosine similarity restricted to what makes the paper distinctive.

use std::borrow::Borrow;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::lexicon::{Inverted, Keyed, Lexicon, StemId, Tokens, remake_lists};
use crate::model::{PaperId, Site};
use crate::text::{LATEX_MACROS, SIMILARITY_STOP_WORDS};

/// Related papers listed per paper.
pub const RELATED: usize = 5;
/// Terms per paper used to look for neighbours.
pub const QUERY_TERMS: usize = 16;
/// Below this score two papers only share vocabulary by chance.
const MIN_SCORE: f32 = 0.05;

/// The papers most like each paper, best first; ties go to the earlier paper so that the
/// result does not depend on thread scheduling.
///
/// The watch loop keeps the last computation in `cache`: after an edit that keeps the
/// number of papers, only what the edited papers touch is computed again (see
/// [`State::update`]).
///
/// `tokens` holds, by paper, the words of every paper whose text `cache` does not know.
///
/// With `only_changed` (the site's papers hold the lists of the last computation, as in a
/// patched watch-mode save), only the lists that changed are returned.
pub(super) fn compute(
    site: &Site,
    cache: &mut TermCache,
    lexicon: &Lexicon,
    tokens: &[Option<Tokens>],
    only_changed: bool,
) -> Lists {
    let counted = count(site, cache, lexicon, tokens.par_iter());
    compute_counted(site, cache, lexicon, counted, only_changed)
}

/// Each paper's term counts, the one step of [`compute`] that reads the papers' words, so
/// that the words can go before the search ([`compute_counted`]) builds its vectors and
/// postings. (A one-off build goes further: see [`weights`].)
///
/// `tokens` gives each paper's words in paper order, borrowed or owned: a full watch-mode
/// rebuild hands them over, and each paper's words are freed once counted.
pub(super) fn count<T: Borrow<Option<Tokens>> + Send>(
    site: &Site,
    cache: &mut TermCache,
    lexicon: &Lexicon,
    tokens: impl IndexedParallelIterator<Item = T>,
) -> Counted {
    let n = site.papers.len();
    if n < 2 {
        cache.last = None;
        return Counted::default();
    }
    let texts: Vec<u64> = site.papers.iter().map(|p| p.text_hash).collect();
    // The last computation is updated only when it is of as many papers.
    let last = cache
        .last
        .take()
        .filter(|last| last.texts.len() == n && last.docs.len() == n);
    let docs = match &last {
        // A paper whose text did not change keeps its counts from the last computation, by
        // place: no lookup by text for the 100,000 papers a save did not touch.
        Some(last) => cache.docs(site, lexicon, tokens, |p| {
            (last.texts[p] == texts[p]).then(|| last.docs[p].clone())
        }),
        None => cache.docs(site, lexicon, tokens, |_| None),
    };
    Counted { texts, docs, last }
}

/// What [`count`] read of the papers' words, for [`compute_counted`].
#[derive(Default)]
pub(super) struct Counted {
    texts: Vec<u64>,
    docs: Vec<Arc<Vec<(TermId, f32)>>>,
    last: Option<State>,
}

/// [`compute`] from the term counts [`count`] gave.
pub(super) fn compute_counted(
    site: &Site,
    cache: &mut TermCache,
    lexicon: &Lexicon,
    counted: Counted,
    only_changed: bool,
) -> Lists {
    let n = site.papers.len();
    if n < 2 {
        return Lists::All(vec![Vec::new(); n]);
    }
    let Counted { texts, docs, last } = counted;
    let state = match last {
        Some(last) => last.update(texts, docs, lexicon),
        None => State::fresh(texts, docs, lexicon, cache.keep),
    };
    let ids = |best: &Best| best.iter().map(|&(_, o)| o as PaperId).collect();
    let lists = match &state.moved {
        Some(moved) if only_changed => Lists::Changed(moved.iter().map(|&p| (p, ids(&state.best[p]))).collect()),
        _ => Lists::All(state.best.iter().map(ids).collect()),
    };
    if cache.keep {
        cache.last = Some(state);
    }
    lists
}

/// Every paper's query and best matches, searched in the postings of the papers' unit
/// vectors, with those postings; queries and postings are kept only with `keep` (else
/// empty), for a next computation to update.
fn search_all(vectors: &[Vector], df: &[u32], lexicon: &Lexicon, keep: bool) -> (Postings, Vec<Vector>, Vec<Best>) {
    let n = vectors.len();
    let postings = Postings::new(vectors, df, n);
    let (queries, best): (Vec<_>, Vec<_>) = vectors
        .par_iter()
        .enumerate()
        .map(|(pid, v)| {
            let query = query(v, df, n, lexicon);
            let best = SCORES.with(|scores| search(&mut scores.borrow_mut(), pid, &query, &postings));
            (if keep { query } else { Vec::new() }, best)
        })
        .unzip();
    (if keep { postings } else { Postings::default() }, queries, best)
}

/// Every term's document frequency and idf, known before any paper is weighed: a one-off
/// build then turns each paper's words straight into the part of its vector that the
/// search reads (see [`weigh`]) and frees them, instead of holding every paper's full
/// term counts (0.9 GB at a million papers) beside its words.
pub(super) struct Weights {
    /// How many papers they were counted over.
    papers: usize,
    df: Vec<u32>,
    idf: Vec<f32>,
}

/// The [`Weights`] of the terms of `tokens`, every paper's words by paper (all present: a
/// one-off build reads every paper).
pub(super) fn weights(cache: &mut TermCache, lexicon: &Lexicon, tokens: &[Option<Tokens>]) -> Weights {
    cache.terms.extend(lexicon);
    let of = &cache.terms.of;
    let stems = lexicon.stem_count();
    let n = tokens.len();
    // One count per thread, not per rayon split: each is a number per stem.
    let slice = n.div_ceil(rayon::current_num_threads()).max(1);
    let df = tokens
        .par_chunks(slice)
        .map(|papers| {
            let mut df = vec![0u32; stems];
            // The last paper (of this slice) that counted each term: a term counts once per paper.
            let mut counted = vec![u32::MAX; stems];
            for (i, tokens) in papers.iter().enumerate() {
                let tokens = tokens.as_ref().expect("a one-off build has every paper's words");
                for &id in tokens.title().iter().chain(tokens.abstract_words()) {
                    let t = of[id as usize];
                    if t != NOT_A_TERM && counted[t as usize] != i as u32 {
                        counted[t as usize] = i as u32;
                        df[t as usize] += 1;
                    }
                }
            }
            df
        })
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
            a
        })
        .unwrap_or_else(|| vec![0; stems]);
    let idf = df.iter().map(|&d| idf(d, n)).collect();
    Weights { papers: n, df, idf }
}

/// A paper's unit TF-IDF vector, as [`State::fresh`] makes it, keeping only the terms the
/// search reads (see [`searchable`]): not those of no other paper, nor those of more than
/// [`max_df`] papers, which leaves a few percent of the entries.
pub(super) fn weigh(cache: &TermCache, lexicon: &Lexicon, weights: &Weights, tokens: &Tokens) -> Vector {
    let mut v = SCRATCH.with(|scratch| cache.terms.counts(lexicon, &mut scratch.borrow_mut(), tokens));
    normalize(&mut v, &weights.idf);
    v.retain(|&(t, _)| searchable(weights.df[t as usize], weights.papers));
    v.shrink_to_fit();
    v
}

/// [`compute`] for a one-off build, from every paper's [`weigh`]ed vector: the same lists.
pub(super) fn compute_weighed(lexicon: &Lexicon, weights: Weights, vectors: Vec<Vector>) -> Vec<Vec<PaperId>> {
    if vectors.len() < 2 {
        return vec![Vec::new(); vectors.len()];
    }
    let (_, _, best) = search_all(&vectors, &weights.df, lexicon, false);
    best.iter()
        .map(|b| b.iter().map(|&(_, o)| o as PaperId).collect())
        .collect()
}

/// A paper's best matches: score and paper, best first.
type Best = Vec<(f32, u32)>;

/// A paper's terms with their weights, in stem-hash order: its counts, its vector, or its
/// query.
type Vector = Vec<(TermId, f32)>;

/// Related papers by paper, as [`compute`] gives them.
pub(super) enum Lists {
    /// Every paper's list, by paper.
    All(Vec<Vec<PaperId>>),
    /// The lists that changed since the last computation, with their paper.
    Changed(Vec<(PaperId, Vec<PaperId>)>),
}

/// Everything one computation derived, by paper position, kept so that the next one can
/// redo only what an edit touched.
#[derive(Debug)]
struct State {
    /// Text hash of each paper: a paper whose text hash changed is the edit.
    texts: Vec<u64>,
    /// Term counts of each paper (shared with the cache; empty in a one-off build).
    docs: Vec<Arc<Vec<(TermId, f32)>>>,
    /// Document frequency and idf by term.
    df: Vec<u32>,
    idf: Vec<f32>,
    /// Normalized TF-IDF vectors, in each paper's term order (by stem hash, which fixes
    /// the order of float sums whatever numbers the terms got).
    vectors: Vec<Vec<(TermId, f32)>>,
    /// Each paper's query: its heaviest searchable terms, heaviest first (empty in a
    /// one-off build).
    queries: Vec<Vec<(TermId, f32)>>,
    best: Vec<Best>,
    /// The postings the lists were searched in (empty in a one-off build).
    postings: Postings,
    /// Papers by query term, once an update made them (see [`Inverted::patched`]).
    asking: Option<Inverted>,
    /// Papers searched from scratch to get here: all of them, or few after an edit.
    searched: usize,
    /// The papers whose list the last update changed (`None`: computed afresh).
    moved: Option<Vec<PaperId>>,
}

impl State {
    /// Computes everything from the term counts.
    fn fresh(texts: Vec<u64>, docs: Vec<Arc<Vec<(TermId, f32)>>>, lexicon: &Lexicon, keep: bool) -> State {
        let n = texts.len();
        let terms = lexicon.stem_count();
        let mut df = vec![0u32; terms];
        for doc in &docs {
            for &(t, _) in doc.iter() {
                df[t as usize] += 1;
            }
        }
        let idf: Vec<f32> = df.iter().map(|&d| idf(d, n)).collect();
        let kept = if keep { docs.clone() } else { Vec::new() };
        let vectors: Vec<Vec<(TermId, f32)>> = docs
            .into_par_iter()
            .map(|doc| {
                // A one-off build holds the only reference: the counts become the vector in place.
                let mut v = Arc::try_unwrap(doc).unwrap_or_else(|shared| (*shared).clone());
                normalize(&mut v, &idf);
                v
            })
            .collect();
        let (postings, queries, best) = search_all(&vectors, &df, lexicon, keep);
        State {
            texts,
            docs: kept,
            df,
            idf,
            vectors,
            queries,
            best,
            postings,
            asking: None,
            searched: n,
            moved: None,
        }
    }

    /// The state after some papers' texts changed (same number of papers), equal to
    /// [`State::fresh`] on the new texts. Only papers whose vector changed (the edited
    /// ones, and those using a term whose idf moved) are weighed and searched again, with
    /// papers whose query changed. Every other paper keeps its scores against unchanged
    /// papers and only scores the changed ones, unless one of those left a full list:
    /// the paper that was sixth is unknown, so that paper is searched again.
    fn update(mut self, texts: Vec<u64>, docs: Vec<Arc<Vec<(TermId, f32)>>>, lexicon: &Lexicon) -> State {
        let n = texts.len();
        let edited: Vec<usize> = (0..n).filter(|&p| self.texts[p] != texts[p]).collect();
        if edited.is_empty() {
            self.searched = 0;
            self.moved = Some(Vec::new());
            return self;
        }
        if edited.len() > n / 8 || self.docs.is_empty() {
            return State::fresh(texts, docs, lexicon, true);
        }
        let terms = lexicon.stem_count();
        self.df.resize(terms, 0);
        self.idf.resize(terms, 0.0);
        // Frequencies before the edit of every term the edited papers had or have.
        let mut was: FxHashMap<TermId, u32> = FxHashMap::default();
        // How many edited papers use each of those terms now.
        let mut edited_uses: FxHashMap<TermId, u32> = FxHashMap::default();
        for &p in &edited {
            for &(t, _) in self.docs[p].iter() {
                let d = &mut self.df[t as usize];
                was.entry(t).or_insert(*d);
                *d -= 1;
            }
            for &(t, _) in docs[p].iter() {
                let d = &mut self.df[t as usize];
                was.entry(t).or_insert(*d);
                *d += 1;
                *edited_uses.entry(t).or_default() += 1;
            }
        }
        let mut reweighed: FxHashSet<TermId> = FxHashSet::default();
        let mut reflagged: FxHashSet<TermId> = FxHashSet::default();
        for (&t, &old) in &was {
            let new = self.df[t as usize];
            let weight = idf(new, n);
            if weight.to_bits() != self.idf[t as usize].to_bits() {
                self.idf[t as usize] = weight;
                reweighed.insert(t);
            }
            if searchable(old, n) != searchable(new, n) {
                reflagged.insert(t);
            }
        }
        self.texts = texts;
        self.docs = docs;
        // Which papers need a new vector (dirty) or a new query (requery): those using a
        // term reweighed or reflagged. A term's other papers are in its list of the last
        // postings when it had one; only the terms without one (too common, or used by
        // one paper then) are looked for in every paper. A save that brought in a word no
        // paper used (its weight changes from nothing) scanned all 100,000 papers for it.
        let mut dirty = vec![false; n];
        let mut requery = vec![false; n];
        let others = |t: TermId| self.df[t as usize] > edited_uses.get(&t).copied().unwrap_or(0);
        let (mut scan_weight, mut scan_flag) = (FxHashSet::default(), FxHashSet::default());
        for (terms, marks, scan) in [
            (&reweighed, &mut dirty, &mut scan_weight),
            (&reflagged, &mut requery, &mut scan_flag),
        ] {
            for &t in terms.iter().filter(|&&t| others(t)) {
                if searchable(was[&t], n) {
                    for &(p, _) in self.postings.list(t) {
                        marks[p as usize] = true;
                    }
                } else {
                    scan.insert(t);
                }
            }
        }
        if !scan_weight.is_empty() || !scan_flag.is_empty() {
            (&mut dirty, &mut requery, &self.docs)
                .into_par_iter()
                .for_each(|(d, r, doc)| {
                    *d |= doc.iter().any(|(t, _)| scan_weight.contains(t));
                    *r |= doc.iter().any(|(t, _)| scan_flag.contains(t));
                });
        }
        for &p in &edited {
            dirty[p] = true;
        }
        let changed: Vec<usize> = (0..n).filter(|&p| dirty[p]).collect();
        if changed.len() > n / 8 {
            return State::fresh(self.texts, self.docs, lexicon, true);
        }
        let mut before = Vec::with_capacity(changed.len());
        for &p in &changed {
            let mut v = (*self.docs[p]).clone();
            normalize(&mut v, &self.idf);
            before.push(std::mem::replace(&mut self.vectors[p], v));
        }
        if !reflagged.is_empty() || !self.postings.patch(&changed, &before, &self.vectors, &self.df, n) {
            self.postings.fill(&self.vectors, &self.df, n);
        }
        let postings = &self.postings;
        // Papers searched from scratch: those with a new vector or a new query, and those
        // that lose a changed paper from a full list.
        let (df, vectors) = (&self.df, &self.vectors);
        // The query terms of the papers that may get a new query, as they were.
        let asked: Vec<(u32, Vec<TermId>)> = (0..n)
            .filter(|&p| dirty[p] || requery[p])
            .map(|p| (p as u32, self.queries[p].keys().collect()))
            .collect();
        let full: Vec<bool> = (0..n)
            .into_par_iter()
            .zip(&mut self.queries)
            .zip(&self.best)
            .map(|((p, q), best)| {
                if dirty[p] || requery[p] {
                    let new = query(&vectors[p], df, n, lexicon);
                    let moved = dirty[p] || new != *q;
                    *q = new;
                    if moved {
                        return true;
                    }
                }
                best.len() == RELATED && best.iter().any(|&(_, o)| dirty[o as usize])
            })
            .collect();
        // Every other paper sharing a query term with a changed paper scores it.
        let (requeried, before): (Vec<u32>, Vec<Vec<TermId>>) = asked
            .into_iter()
            .filter(|(p, was)| !self.queries[*p as usize].keys().eq(was.iter().copied()))
            .unzip();
        let asking = match self.asking.take() {
            Some(asking) if asking.keys() <= terms => asking.patched(&self.queries, &requeried, &before, terms),
            _ => Inverted::new(&self.queries, terms, 0),
        };
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for &c in &changed {
            for &(t, _) in &self.vectors[c] {
                pairs.extend(
                    asking
                        .of(t)
                        .iter()
                        .filter(|&&p| !full[p as usize])
                        .map(|&p| (p, c as u32)),
                );
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut scoring: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (p, c) in pairs {
            scoring[p as usize].push(c);
        }
        self.searched = full.iter().filter(|&&f| f).count();
        let (queries, hashes) = (&self.queries, |t: TermId| lexicon.stem_hash(t));
        let same = |a: &Best, b: &Best| a.iter().map(|e| e.1).eq(b.iter().map(|e| e.1));
        let moved: Vec<bool> = self
            .best
            .par_iter_mut()
            .enumerate()
            .zip(scoring)
            .map(|((p, best), scoring)| {
                if full[p] {
                    let new = SCORES.with(|scores| search(&mut scores.borrow_mut(), p, &queries[p], postings));
                    !same(&std::mem::replace(best, new), best)
                } else if best.iter().any(|&(_, o)| dirty[o as usize]) || !scoring.is_empty() {
                    let old = best.clone();
                    best.retain(|&(_, o)| !dirty[o as usize]);
                    for c in scoring {
                        let s = score(&queries[p], &vectors[c as usize], hashes);
                        if s >= MIN_SCORE {
                            best.push((s, c));
                        }
                    }
                    best.sort_unstable_by(better);
                    best.truncate(RELATED);
                    !same(&old, best)
                } else {
                    false
                }
            })
            .collect();
        self.moved = Some((0..n).filter(|&p| moved[p]).collect());
        self.asking = Some(asking);
        self
    }
}

/// The inverse document frequency of a term found in `df` of `n` papers.
fn idf(df: u32, n: usize) -> f32 {
    if df == 0 {
        0.0
    } else {
        ((n as f32 + 1.0) / (coarse(df) as f32 + 0.5)).ln()
    }
}

/// Turns term counts into a unit TF-IDF vector, in place.
fn normalize(v: &mut [(TermId, f32)], idf: &[f32]) {
    v.iter_mut().for_each(|(t, w)| *w *= idf[*t as usize]);
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w /= norm);
    }
}

/// Whether a term found in `df` of `n` papers can tell papers apart.
fn searchable(df: u32, n: usize) -> bool {
    (2..=max_df(n) as u32).contains(&df)
}

/// A paper's [`QUERY_TERMS`] heaviest searchable terms, heaviest first, ties broken by stem
/// hash: picked in linear time, then only those sorted.
fn query(v: &[(TermId, f32)], df: &[u32], n: usize, lexicon: &Lexicon) -> Vec<(TermId, f32)> {
    let mut heaviest: Vec<(f32, u64, TermId)> = v
        .iter()
        .filter(|&&(t, _)| searchable(df[t as usize], n))
        .map(|&(t, w)| (w, lexicon.stem_hash(t), t))
        .collect();
    let order = |a: &(f32, u64, TermId), b: &(f32, u64, TermId)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if heaviest.len() > QUERY_TERMS {
        heaviest.select_nth_unstable_by(QUERY_TERMS - 1, order);
        heaviest.truncate(QUERY_TERMS);
    }
    heaviest.sort_unstable_by(order);
    heaviest.into_iter().map(|(w, _, t)| (t, w)).collect()
}

/// The score of a paper with this query against one vector, summed in query order like
/// [`search`] does, so that both give the same float.
fn score(query: &[(TermId, f32)], vector: &[(TermId, f32)], hash: impl Fn(TermId) -> u64) -> f32 {
    let mut s = 0f32;
    for &(t, w) in query {
        let h = hash(t);
        let from = vector.partition_point(|&(o, _)| hash(o) < h);
        let same = vector[from..].iter().take_while(|&&(o, _)| hash(o) == h);
        if let Some(&(_, ow)) = same.into_iter().find(|&&(o, _)| o == t) {
            s += w * ow;
        }
    }
    s
}

/// Better match first: higher score, then the earlier paper.
fn better(a: &(f32, u32), b: &(f32, u32)) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).reverse().then(a.1.cmp(&b.1))
}

/// The papers of each searchable term with their weights, as one flat array by term.
#[derive(Debug, Default)]
struct Postings {
    papers: usize,
    start: Vec<u32>,
    entries: Vec<(u32, f32)>,
    /// The entries before the last patch, whose memory the next patch writes into.
    spare: Vec<(u32, f32)>,
}

impl Postings {
    fn new(vectors: &[Vec<(TermId, f32)>], df: &[u32], n: usize) -> Postings {
        let mut postings = Postings::default();
        postings.fill(vectors, df, n);
        postings
    }

    /// Lists the papers of `vectors` again, in the memory the last lists used: the watch
    /// loop does this on every save, and fresh memory is slow to come by on some VMs.
    fn fill(&mut self, vectors: &[Vec<(TermId, f32)>], df: &[u32], n: usize) {
        let terms = df.len();
        let start = &mut self.start;
        start.clear();
        start.resize(terms + 1, 0);
        for (t, &d) in df.iter().enumerate() {
            start[t + 1] = start[t] + if searchable(d, n) { d } else { 0 };
        }
        let mut fill = start.clone();
        self.entries.clear();
        self.entries.resize(start[terms] as usize, (0, 0.0));
        for (pid, v) in vectors.iter().enumerate() {
            for &(t, w) in v {
                if searchable(df[t as usize], n) {
                    let slot = &mut fill[t as usize];
                    self.entries[*slot as usize] = (pid as u32, w);
                    *slot += 1;
                }
            }
        }
        self.papers = vectors.len();
    }

    /// The postings once the papers `changed` (sorted) went from the vectors `before` to
    /// theirs in `vectors`, no term having become searchable or stopped being: the lists of
    /// the terms those papers had or have are merged again, every other run is copied as it
    /// is. Filling every list was a scattered write of each posting, most of a save's
    /// related-papers time at 100,000 papers. False (then fill) if the counts disagree.
    fn patch(
        &mut self,
        changed: &[usize],
        before: &[Vec<(TermId, f32)>],
        vectors: &[Vec<(TermId, f32)>],
        df: &[u32],
        n: usize,
    ) -> bool {
        // Each touched term with the entries the changed papers now give it.
        let mut touched: FxHashMap<TermId, Vec<(u32, f32)>> = FxHashMap::default();
        for old in before {
            for &(t, _) in old {
                touched.entry(t).or_default();
            }
        }
        for &p in changed {
            for &(t, w) in &vectors[p] {
                let entries = touched.entry(t).or_default();
                if searchable(df[t as usize], n) {
                    entries.push((p as u32, w));
                }
            }
        }
        let mut order: Vec<usize> = touched.keys().map(|&t| t as usize).collect();
        order.sort_unstable();
        let terms = df.len();
        let mut start = vec![0u32; terms + 1];
        for (t, &d) in df.iter().enumerate() {
            start[t + 1] = start[t] + if searchable(d, n) { d } else { 0 };
        }
        let mut entries = std::mem::take(&mut self.spare);
        entries.clear();
        entries.reserve(start[terms] as usize);
        remake_lists(
            &self.start,
            &self.entries,
            &order,
            terms,
            &mut entries,
            |t, old, out| {
                if searchable(df[t], n) {
                    let from = out.len();
                    out.extend(
                        old.iter()
                            .copied()
                            .filter(|(p, _)| changed.binary_search(&(*p as usize)).is_err()),
                    );
                    out.extend_from_slice(&touched[&(t as TermId)]);
                    out[from..].sort_unstable_by_key(|e| e.0);
                }
            },
        );
        if entries.len() != start[terms] as usize {
            self.spare = entries;
            return false;
        }
        self.spare = std::mem::replace(&mut self.entries, entries);
        self.start = start;
        self.papers = vectors.len();
        true
    }

    fn list(&self, t: TermId) -> &[(u32, f32)] {
        &self.entries[self.start[t as usize] as usize..self.start[t as usize + 1] as usize]
    }
}

/// Scores every paper sharing a query term with paper `pid` and keeps the best few, by
/// score and then the earlier paper. `scores` is all zero between calls.
fn search(scores: &mut Vec<f32>, pid: usize, query: &[(TermId, f32)], postings: &Postings) -> Best {
    if scores.len() < postings.papers {
        *scores = vec![0f32; postings.papers];
    }
    let mut touched: Vec<u32> = Vec::new();
    for &(t, w) in query {
        for &(other, ow) in postings.list(t) {
            if other as usize != pid {
                let s = &mut scores[other as usize];
                if *s == 0.0 {
                    touched.push(other);
                }
                *s += w * ow;
            }
        }
    }
    let mut best: Best = Vec::with_capacity(RELATED + 1);
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
    best
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
    /// The last computation, which the next one updates (see [`compute`]).
    last: Option<State>,
    /// Which of the lexicon's words are terms.
    terms: Terms,
}

impl Default for TermCache {
    fn default() -> Self {
        TermCache {
            keep: true,
            docs: FxHashMap::default(),
            last: None,
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

    /// Forgets the papers when it holds far more than the site has (old versions); says
    /// whether it did.
    pub fn trim(&mut self, papers: usize) -> bool {
        let outgrown = crate::model::cache_outgrown(self.docs.len(), papers);
        if outgrown {
            self.docs.clear();
            self.last = None;
        }
        outgrown
    }

    /// How many papers the last computation searched from scratch (all of them in a fresh
    /// one, few after an edit); `None` before the first. Lets tests see the cache at work.
    pub fn searched(&self) -> Option<usize> {
        self.last.as_ref().map(|s| s.searched)
    }

    /// Whether it keeps what it computes for a next build (watch mode), or is for one build.
    pub fn keeps(&self) -> bool {
        self.keep
    }

    /// Forgets everything (the lexicon its terms number starts over).
    pub fn clear(&mut self) {
        self.docs.clear();
        self.last = None;
        self.terms = Terms::default();
    }

    /// Every paper's term counts, counting in parallel the papers not seen before. `known`
    /// gives the counts of a paper by its place when the caller has them.
    fn docs<T: Borrow<Option<Tokens>> + Send>(
        &mut self,
        site: &Site,
        lexicon: &Lexicon,
        tokens: impl IndexedParallelIterator<Item = T>,
        known: impl Fn(usize) -> Option<Arc<Vec<(TermId, f32)>>>,
    ) -> Vec<Arc<Vec<(TermId, f32)>>> {
        self.terms.extend(lexicon);
        let terms = &self.terms;
        let fresh: Vec<Option<Vec<(TermId, f32)>>> = site
            .papers
            .par_iter()
            .zip(tokens)
            .map(|(p, tokens)| {
                let tokens: &Option<Tokens> = tokens.borrow();
                // A paper missing from the cache has words: only those are looked up.
                (tokens.is_some() && !self.docs.contains_key(&p.text_hash)).then(|| {
                    let tokens = tokens.as_ref().expect("words of a paper missing from the term cache");
                    SCRATCH.with(|scratch| terms.counts(lexicon, &mut scratch.borrow_mut(), tokens))
                })
            })
            .collect();
        site.papers
            .iter()
            .zip(fresh)
            .enumerate()
            .map(|(place, (p, counts))| match counts {
                None => known(place).unwrap_or_else(|| self.docs[&p.text_hash].clone()),
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
            std::sync::LazyLock::new(|| SIMILARITY_STOP_WORDS.iter().chain(LATEX_MACROS).copied().collect());
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
pub(super) fn apply_cached(site: &mut Site, cache: &mut TermCache, lexicon: &Lexicon, tokens: &[Option<Tokens>]) {
    let Lists::All(related) = compute(site, cache, lexicon, tokens, false) else {
        unreachable!("every list was asked for");
    };
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
    fn an_edit_searches_few_papers_again() {
        let config = crate::config::Config::default();
        let word = |i: usize| format!("w{}x", (i * 7919) % 400);
        let digest = |extra: &str| {
            let body: String = (0..300)
                .map(|p| {
                    let words: Vec<String> = (0..40).map(|k| word(p * 13 + k * k)).collect();
                    let more = if p == 17 { extra } else { "" };
                    format!("Paper {p} {}\n{}{more}\n", word(p), words.join(" "))
                })
                .collect();
            let file = crate::content::parse_text(&body, std::path::Path::new("2026-01-01.txt"), &config, &mut |_| {});
            crate::content::assemble([&file.expect("the digest parses")])
        };
        let (before, after) = (digest(""), digest(" w5x w77x w123x"));
        let mut cache = TermCache::default();
        let mut lexicon = Lexicon::default();
        let mut check = |site: &Site| {
            let tokens = lexicon.tokenize_papers(&site.papers, |p| !cache.has(p.text_hash));
            let Lists::All(lists) = compute(site, &mut cache, &lexicon, &tokens, false) else {
                unreachable!()
            };
            let (fresh_lexicon, fresh_tokens) = Lexicon::of_papers(&site.papers);
            let Lists::All(fresh) = compute(site, &mut TermCache::once(), &fresh_lexicon, &fresh_tokens, false) else {
                unreachable!()
            };
            assert_eq!(lists, fresh);
            // A one-off build weighs each paper as it hands its words over: the same lists.
            let (weights, vectors) = weigh_all(&fresh_lexicon, &fresh_tokens);
            assert_eq!(compute_weighed(&fresh_lexicon, weights, vectors), fresh);
            // The postings an edit patched are those a fill gives.
            let state = cache.last.as_ref().expect("kept");
            let filled = Postings::new(&state.vectors, &state.df, site.papers.len());
            assert_eq!(
                (&state.postings.start, &state.postings.entries),
                (&filled.start, &filled.entries)
            );
            // So are the papers by query term an edit patched.
            if let Some(asking) = &state.asking {
                assert_eq!(asking, &Inverted::new(&state.queries, asking.keys(), 0));
            }
            state.searched
        };
        check(&before);
        let searched = check(&after);
        assert!(searched < 30, "{searched} of 300 papers searched again after one edit");
        // More edits: a word dropped again, a word new to the corpus, many words, and back.
        check(&digest(" w5x"));
        check(&digest(" w5x qqnovelqq"));
        // A word said again and again: the paper asks for it now (a new query).
        check(&digest(&" w9x".repeat(30)));
        check(&digest(&" w11x".repeat(30)));
        check(&digest(&(0..60).map(|k| format!(" w{k}x")).collect::<String>()));
        check(&before);
    }

    /// Every paper's vector as a one-off build weighs it, with the weights.
    fn weigh_all(lexicon: &Lexicon, tokens: &[Option<Tokens>]) -> (Weights, Vec<Vector>) {
        let mut once = TermCache::once();
        let weights = weights(&mut once, lexicon, tokens);
        let vectors = tokens
            .iter()
            .map(|t| weigh(&once, lexicon, &weights, t.as_ref().expect("every paper read")))
            .collect();
        (weights, vectors)
    }

    #[test]
    fn a_one_off_build_keeps_only_the_searched_terms() {
        let config = crate::config::Config::default();
        // "Widget" is in every paper and "gadget" in half of them, too many to search, but
        // a gadget still weighs in its papers' vectors; the other words are in a few.
        let body: String = (0..120)
            .map(|p| {
                let (a, b, c, d) = (p % 30, p % 17, p % 23, p % 11);
                let gadget = if p % 2 == 0 {
                    " The gadget, gadget and gadget."
                } else {
                    ""
                };
                format!(
                    "Study {p} of w{a}x\nWe look at the widget through w{b}x, then relate w{c}x to w{d}x.{gadget}\n"
                )
            })
            .collect();
        let file = crate::content::parse_text(&body, std::path::Path::new("2026-01-01.txt"), &config, &mut |_| {});
        let site = crate::content::assemble([&file.expect("the digest parses")]);
        let (lexicon, tokens) = Lexicon::of_papers(&site.papers);
        let Lists::All(fresh) = compute(&site, &mut TermCache::once(), &lexicon, &tokens, false) else {
            unreachable!()
        };
        let (weights, vectors) = weigh_all(&lexicon, &tokens);
        let common = ["widget", "gadget"].map(|w| lexicon.stem(lexicon.id(w).expect("a word")));
        let searched = |v: &Vector| !v.is_empty() && v.iter().all(|(t, _)| !common.contains(t));
        assert!(vectors.iter().all(searched));
        assert!(fresh.iter().all(|list| list.len() == RELATED));
        assert_eq!(compute_weighed(&lexicon, weights, vectors), fresh);
    }

    #[test]
    fn frequencies_are_coarsened_to_three_bits() {
        let steps: Vec<u32> = [1, 2, 7, 8, 9, 15, 16, 17, 31, 100, 1000].map(coarse).to_vec();
        assert_eq!(steps, [1, 2, 7, 8, 8, 14, 16, 16, 28, 96, 896]);
    }
}
