//! Related papers: TF-IDF over title and abstract (stop words dropped, stems folded), with
//! candidates found through an inverted index so that the work grows with the postings of
//! each paper's most telling terms, not with the square of the corpus.
//!
//! Each paper is queried with its [`QUERY_TERMS`] heaviest terms; a term found in more than
//! [`max_df`] papers is too common to tell papers apart and is skipped as a query term. The
//! score is the dot product over the query terms of the two papers' normalized TF-IDF
//! vectors: the cosine similarity restricted to what makes the paper distinctive.
//!
//! An archive's term weights come from its settled papers, and a settled paper's list holds
//! settled papers only (see [`Settled`]): a new day then moves the weight of no word they
//! use and joins none of their lists, so their pages, their tags and the tag and issue
//! pages that list them nearly always stay as they were until the month turns (a word that
//! a new paper makes searchable, or too common to search, can still move a settled list).
//! Papers of the newest month take in each new day.

use std::borrow::Borrow;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::lexicon::{Inverted, Keyed, Lexicon, StemId, Tokens, remake_lists};
use super::stored_related::{SettledVectors, StoredLists};
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
    let settled = Settled::of(site, cache.settled_min);
    // The last computation is updated only when it is of as many papers, weighed over the
    // same settled ones.
    let last = cache
        .last
        .take()
        .filter(|last| last.texts.len() == n && last.docs.len() == n && last.weights.settled == settled);
    let docs = match &last {
        // A paper whose text did not change keeps its counts from the last computation, by
        // place: no lookup by text for the 100,000 papers a save did not touch.
        Some(last) => cache.docs(site, lexicon, tokens, |p| {
            (last.texts[p] == texts[p]).then(|| last.docs[p].clone())
        }),
        None => cache.docs(site, lexicon, tokens, |_| None),
    };
    Counted {
        texts,
        docs,
        settled,
        last,
    }
}

/// What [`count`] read of the papers' words, for [`compute_counted`].
#[derive(Default)]
pub(super) struct Counted {
    texts: Vec<u64>,
    docs: Vec<Arc<Vec<(TermId, f32)>>>,
    settled: Settled,
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
    let Counted {
        texts,
        docs,
        settled,
        last,
    } = counted;
    let state = match last {
        Some(last) => last.update(texts, docs, lexicon),
        None => State::fresh(texts, docs, settled, lexicon, cache.keep),
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
/// empty), for a next computation to update. With `only`, the papers it does not flag are
/// not searched (their query and matches are left empty).
fn search_all(
    vectors: &[Vector],
    weights: &Weights,
    lexicon: &Lexicon,
    keep: bool,
    only: Option<&[bool]>,
) -> (Postings, Vec<Vector>, Vec<Best>) {
    let postings = Postings::new(vectors, weights);
    let (queries, best): (Vec<_>, Vec<_>) = vectors
        .par_iter()
        .enumerate()
        .map(|(pid, v)| {
            if only.is_some_and(|only| !only[pid]) {
                return (Vec::new(), Vec::new());
            }
            let query = query(v, weights, lexicon);
            let best = SCORES.with(|scores| search(&mut scores.borrow_mut(), pid, &query, &postings, &weights.settled));
            (if keep { query } else { Vec::new() }, best)
        })
        .unzip();
    (if keep { postings } else { Postings::default() }, queries, best)
}

/// Below this many settled papers, a site's term weights come from all its papers (see
/// [`Settled`]): the first months of a digest, and the few hundred papers that tags are
/// judged on, where a month's papers are most of what there is to learn from.
pub(super) const SETTLED_MIN: usize = 10_000;

/// The papers an archive's term weights are counted over: those published before the
/// month of its newest paper, once there are [`SETTLED_MIN`] of them.
///
/// Weights counted over every paper move with each new day: a term's frequency crosses a
/// step of [`coarse`], the vectors of its papers change, and near-tied lists reorder. At
/// 100,000 papers a day of 616 changed the lists of 11,374 old papers, three in four of
/// them without a new paper joining: through the weights alone. Counted over the settled
/// papers, the weight of every word they use holds for a month. A word no settled paper
/// uses is weighed by all its papers and still moves, as does the flag of a word that a
/// new paper uses a second time (now it can link two papers).
///
/// A settled paper also lists settled papers only ([`Settled::relates`]). Listed beside
/// every paper, a day of 616 new papers joined 2,671 old lists at 100,000 papers; through
/// their first neighbours those papers' automatic tags changed (see `enrich/tagging`), and
/// with them 159 blocks of tag pages and 98 issues that list them: 1.5 s of a daily build's
/// 2 s of rendering. An old page's related papers now take in newer papers once a month,
/// when the month turns: then the weights take in the month before, and most pages change
/// once. It depends on the papers alone, so a clean build and a daily one agree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Settled {
    /// By paper, whether it is settled; `None` while every paper weighs (too few settled).
    flags: Option<Vec<bool>>,
}

impl Settled {
    /// The settled papers of `site`, when there are at least `min` of them.
    fn of(site: &Site, min: usize) -> Settled {
        let Some(settled) = site.settled() else {
            return Settled::default();
        };
        let flags: Vec<bool> = settled.collect();
        let count = flags.iter().filter(|&&f| f).count();
        Settled {
            flags: (count >= min).then_some(flags),
        }
    }

    /// Whether paper `p` weighs the terms.
    fn weighs(&self, p: usize) -> bool {
        self.flags.as_ref().is_none_or(|f| f[p])
    }

    /// The papers paper `p` may list, as flags by paper, when it may not list every paper:
    /// a settled paper relates to settled papers only (see [`Settled`]).
    fn listable_by(&self, p: usize) -> Option<&[bool]> {
        self.flags.as_deref().filter(|f| f[p])
    }

    /// Whether paper `other` may be listed as related to paper `p` (see
    /// [`Settled::listable_by`]).
    fn relates(&self, p: usize, other: usize) -> bool {
        self.listable_by(p).is_none_or(|f| f[other])
    }

    /// How many papers weigh the terms, of `n`.
    fn count(&self, n: usize) -> usize {
        self.flags.as_ref().map_or(n, |f| f.iter().filter(|&&f| f).count())
    }
}

/// Every term's document frequency and idf, known before any paper is weighed: a one-off
/// build then turns each paper's words straight into the part of its vector that the
/// search reads (see [`weigh`]) and frees them, instead of holding every paper's full
/// term counts (0.9 GB at a million papers) beside its words. Watch mode keeps them in its
/// [`State`] and moves the counts of the papers an edit touched.
#[derive(Debug)]
pub(super) struct Weights {
    /// How many papers the weights speak for: the settled ones, or all.
    papers: usize,
    /// Papers using each term, over the whole site: how long its postings are.
    df: Vec<u32>,
    /// Settled papers using each term, when the settled papers weigh.
    settled_df: Option<Vec<u32>>,
    /// The papers that weigh.
    settled: Settled,
    /// Each term's idf (see [`Weights::basis`]).
    idf: Vec<f32>,
}

/// How many papers use each term, over all papers and over the settled ones (left empty
/// when the settled papers do not weigh): what [`Weights::new`] is made from, counted the
/// same way by a one-off build ([`weights`]) and by watch mode ([`State::fresh`]).
struct DocFreq {
    df: Vec<u32>,
    settled_df: Vec<u32>,
}

impl DocFreq {
    fn new(terms: usize, settles: bool) -> DocFreq {
        DocFreq {
            df: vec![0; terms],
            settled_df: vec![0; if settles { terms } else { 0 }],
        }
    }

    /// A paper's use of term `t` (the caller counts each term once per paper); `weighs`
    /// says the paper is settled and the settled papers weigh.
    fn add(&mut self, t: usize, weighs: bool) {
        self.df[t] += 1;
        if weighs {
            self.settled_df[t] += 1;
        }
    }

    /// The counts of the settled papers alone, as stored (see [`StoredLists::df`]).
    fn of_settled(terms: usize, counts: &[(TermId, u32)]) -> DocFreq {
        let mut freq = DocFreq::new(terms, true);
        for &(t, count) in counts {
            freq.df[t as usize] = count;
            freq.settled_df[t as usize] = count;
        }
        freq
    }

    /// The counts of two sets of papers, together.
    fn merge(mut self, other: DocFreq) -> DocFreq {
        self.df.iter_mut().zip(other.df).for_each(|(a, b)| *a += b);
        self.settled_df
            .iter_mut()
            .zip(other.settled_df)
            .for_each(|(a, b)| *a += b);
        self
    }
}

impl Weights {
    /// Weights from each term's frequency over all papers and over the settled ones.
    fn new(n: usize, freq: DocFreq, settled: Settled) -> Weights {
        let DocFreq { df, settled_df } = freq;
        let mut weights = Weights {
            papers: settled.count(n),
            settled_df: settled.flags.is_some().then_some(settled_df),
            df,
            settled,
            idf: Vec::new(),
        };
        weights.idf = (0..weights.df.len()).map(|t| weights.weight(t)).collect();
        weights
    }

    /// The frequency a term is weighed by: over the settled papers when they use it, else
    /// over all (a word new this month).
    fn basis(&self, t: usize) -> u32 {
        match &self.settled_df {
            Some(settled) if settled[t] > 0 => settled[t],
            _ => self.df[t],
        }
    }

    /// The idf of term `t` from its counts now.
    fn weight(&self, t: usize) -> f32 {
        idf(self.basis(t), self.papers)
    }

    /// Whether term `t` can tell papers apart: used by another paper, and by no more than
    /// [`max_df`] of the papers that weigh. Its postings hold every paper using it, so a
    /// word rare among the settled papers and everywhere this month is not searched past
    /// twice that: the work per query term stays bounded.
    fn searchable(&self, t: TermId) -> bool {
        let (t, most) = (t as usize, max_df(self.papers));
        (2..=2 * most as u32).contains(&self.df[t]) && self.basis(t) as usize <= most
    }

    /// Whether term `t` is few enough of the papers that weigh to be searched, whatever
    /// new papers do: its weight fixes that, and a settled paper's weights hold for a month
    /// (see [`SettledVectors`]).
    fn may_be_searched(&self, t: TermId) -> bool {
        self.basis(t as usize) as usize <= max_df(self.papers)
    }

    /// Makes room for terms new to the lexicon.
    fn resize(&mut self, terms: usize) {
        self.df.resize(terms, 0);
        if let Some(settled) = &mut self.settled_df {
            settled.resize(terms, 0);
        }
        self.idf.resize(terms, 0.0);
    }

    /// Counts paper `p`'s use of term `t` in (`by` 1) or out (`by` -1).
    fn count(&mut self, t: TermId, p: usize, by: i32) {
        let t = t as usize;
        self.df[t] = self.df[t]
            .checked_add_signed(by)
            .expect("a paper counted out was counted in");
        if let Some(settled) = &mut self.settled_df
            && self.settled.weighs(p)
        {
            settled[t] = settled[t]
                .checked_add_signed(by)
                .expect("a paper counted out was counted in");
        }
    }
}

/// The [`Weights`] of the terms of `tokens`, every paper's words by paper (all present: a
/// one-off build reads every paper), weighed over the settled papers of `site`.
///
/// With `stored` holding for these settled papers (see [`StoredLists::df`]), their counts
/// are taken from it and only the other papers' words are counted; the stored vectors'
/// terms then come back too, in this lexicon's numbers (see [`Carried::new`]).
pub(super) fn weights(
    site: &Site,
    cache: &mut TermCache,
    lexicon: &Lexicon,
    tokens: &[Option<Tokens>],
    stored: Option<&StoredLists>,
) -> (Weights, Option<Vec<TermId>>) {
    cache.terms.extend(lexicon);
    let settled = Settled::of(site, cache.settled_min);
    let stems = lexicon.stem_count();
    let n = tokens.len();
    let settles = settled.flags.is_some();
    let held = stored
        .filter(|stored| settles && holds(stored, settled_key(site, &settled), settled.count(n)))
        .and_then(|stored| stored_terms(lexicon, stored));
    let start = match &held {
        Some((df, _)) => DocFreq::of_settled(stems, df),
        None => DocFreq::new(stems, settles),
    };
    // One count per thread, not per rayon split: each is a number per stem.
    let slice = n.div_ceil(rayon::current_num_threads()).max(1);
    let of = &cache.terms.of;
    let freq = tokens
        .par_chunks(slice)
        .enumerate()
        .map(|(chunk, papers)| {
            let mut freq = DocFreq::new(stems, settles);
            // The last paper (of this slice) that counted each term: a term counts once per paper.
            let mut counted = vec![u32::MAX; stems];
            for (i, tokens) in papers.iter().enumerate() {
                let p = chunk * slice + i;
                let weighs = settles && settled.weighs(p);
                if weighs && held.is_some() {
                    continue;
                }
                let tokens = tokens.as_ref().expect("a one-off build has every paper's words");
                for &id in tokens.title().iter().chain(tokens.abstract_words()) {
                    let t = of[id as usize];
                    if t != NOT_A_TERM && counted[t as usize] != i as u32 {
                        counted[t as usize] = i as u32;
                        freq.add(t as usize, weighs);
                    }
                }
            }
            freq
        })
        .reduce_with(DocFreq::merge);
    let freq = match freq {
        Some(counted) => start.merge(counted),
        None => start,
    };
    let (_, ids) = held.unzip();
    (Weights::new(n, freq, settled), ids)
}

/// Whether `stored` was made for the settled papers whose [`settled_key`] is `key` and
/// holds a list for each of the `settled` ones: the one check for the lists, the counts and
/// the vectors alike.
fn holds(stored: &StoredLists, key: u64, settled: usize) -> bool {
    stored.key == key && stored.lists.len() == settled
}

/// The hash that stored lists must carry to hold for the settled papers of `site`: this
/// program's, with the settled papers' texts in order (see [`Carried`]).
fn settled_key(site: &Site, settled: &Settled) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::config::program_hasher(&"related lists");
    let flags = settled.flags.as_deref().unwrap_or_default();
    flags.iter().filter(|&&f| f).count().hash(&mut h);
    for (paper, _) in site.papers.iter().zip(flags).filter(|&(_, &f)| f) {
        paper.text_hash.hash(&mut h);
    }
    h.finish()
}

/// Terms with how many papers use each.
type TermCounts = Vec<(TermId, u32)>;

/// The stored counts of the settled papers' terms, and their vectors' terms, in
/// `lexicon`'s numbers; `None` when they do not add up (the stored file is then not
/// trusted): a term not in the lexicon (this build read every settled paper's words, so it
/// would be a foreign file), a count past the settled papers, or a term in more vectors
/// than its count (the postings are sized by the counts).
fn stored_terms(lexicon: &Lexicon, stored: &StoredLists) -> Option<(TermCounts, Vec<TermId>)> {
    let by_hash: FxHashMap<u64, TermId> = (0..lexicon.stem_count() as TermId)
        .map(|t| (lexicon.stem_hash(t), t))
        .collect();
    let papers = stored.lists.len();
    let df = stored
        .df
        .iter()
        .map(|&(hash, count)| Some((*by_hash.get(&hash)?, count)).filter(|_| count as usize <= papers))
        .collect::<Option<Vec<_>>>()?;
    let ids = stored
        .vectors
        .hashes()
        .iter()
        .map(|hash| by_hash.get(hash).copied())
        .collect::<Option<Vec<_>>>()?;
    let mut left = vec![0u32; lexicon.stem_count()];
    df.iter().for_each(|&(t, count)| left[t as usize] = count);
    for &t in &ids {
        left[t as usize] = left[t as usize].checked_sub(1)?;
    }
    Some((df, ids))
}

/// A paper's unit TF-IDF vector, as [`State::fresh`] makes it, keeping only the terms the
/// search reads (see [`Weights::searchable`]): not those of no other paper, nor the too
/// common ones, which leaves a few percent of the entries. With whether the paper uses one
/// of the terms `flipped` flags (see [`Carried::flipped`]), searched or not.
pub(super) fn weigh(
    cache: &TermCache,
    lexicon: &Lexicon,
    weights: &Weights,
    tokens: &Tokens,
    flipped: Option<&[bool]>,
) -> (Vector, bool) {
    let (v, uses_flipped) = weigh_whole(cache, lexicon, weights, tokens, flipped);
    (searched(v, weights), uses_flipped)
}

/// [`weigh`] for a settled paper whose vector is to be stored: also the entries that
/// can be searched while the settled papers stay the same (see [`SettledVectors`]).
fn weigh_settled(
    cache: &TermCache,
    lexicon: &Lexicon,
    weights: &Weights,
    tokens: &Tokens,
    flipped: Option<&[bool]>,
) -> (Vector, bool, Vector) {
    let (mut v, uses_flipped) = weigh_whole(cache, lexicon, weights, tokens, flipped);
    v.retain(|&(t, _)| weights.may_be_searched(t));
    // Held for every settled paper until the build stores them: without their room for
    // every term of the paper, six entries instead of a hundred.
    v.shrink_to_fit();
    (searched(v.clone(), weights), uses_flipped, v)
}

/// A paper's whole unit vector (every term), with whether it uses a `flipped` term.
fn weigh_whole(
    cache: &TermCache,
    lexicon: &Lexicon,
    weights: &Weights,
    tokens: &Tokens,
    flipped: Option<&[bool]>,
) -> (Vector, bool) {
    let mut v = SCRATCH.with(|scratch| cache.terms.counts(lexicon, &mut scratch.borrow_mut(), tokens));
    let uses_flipped = flipped.is_some_and(|flipped| v.iter().any(|&(t, _)| flipped[t as usize]));
    normalize(&mut v, &weights.idf);
    (v, uses_flipped)
}

/// The entries of vector `v` that the search reads now.
fn searched(mut v: Vector, weights: &Weights) -> Vector {
    v.retain(|&(t, _)| weights.searchable(t));
    v.shrink_to_fit();
    v
}

/// [`compute`] for a one-off build, from every paper's [`weigh`]ed vector: the same lists.
/// With `carried`, the settled papers that `search` does not flag take their stored lists
/// instead of a search (see [`Carried`]), and the lists to store come back.
pub(super) fn compute_weighed(
    lexicon: &Lexicon,
    weights: Weights,
    vectors: Vec<Vector>,
    carried: Option<(Carried, Vec<bool>)>,
) -> (Vec<Vec<PaperId>>, Option<StoredLists>) {
    if vectors.len() < 2 {
        return (vec![Vec::new(); vectors.len()], None);
    }
    let only = carried.as_ref().map(|(_, search)| search.as_slice());
    let (_, _, best) = search_all(&vectors, &weights, lexicon, false, only);
    let mut lists: Vec<Vec<PaperId>> = best
        .iter()
        .map(|b| b.iter().map(|&(_, o)| o as PaperId).collect())
        .collect();
    let stored = carried.and_then(|(carried, search)| carried.finish(&mut lists, &search));
    (lists, stored)
}

/// The related lists of an archive's settled papers, carried from the last build's
/// [`StoredLists`] into this one's, and on to the next (see `stored_related.rs`).
///
/// A settled paper's list depends on the settled papers alone (their texts and order) and
/// on which of its terms are searched ([`Weights::searchable`]): its vector, its query and
/// every candidate's weights come from those. Stored for the same settled papers, a list
/// therefore holds unless the paper uses a term that a newer paper made searchable (a
/// second paper using it) or too common to search: only those are searched again.
pub(super) struct Carried {
    /// What the lists hold for: this program and the settled papers (see [`settled_key`]).
    key: u64,
    /// The settled papers in site order: the paper a stored place names.
    settled: Vec<u32>,
    /// By paper, its place among the settled papers (`u32::MAX` for the others).
    place: Vec<u32>,
    /// The stem hashes of the settled papers' terms searched now, sorted.
    searched: Vec<u64>,
    /// By term, whether it is searched now and was not when the lists were stored, or the
    /// other way round; `None` when no stored lists hold (every paper is searched).
    flipped: Option<Vec<bool>>,
    /// The stored lists that hold.
    stored: Option<StoredLists>,
    /// The terms of the stored vectors in this lexicon's numbers, entry by entry, when the
    /// stored lists hold and [`weights`] took their counts.
    stored_terms: Option<Vec<TermId>>,
    /// The settled papers' term counts to store next, when not the stored ones.
    df: Vec<(u64, u32)>,
    /// The settled papers' vectors to store next, when not the stored ones (see
    /// [`Carried::take_vectors`]).
    vectors: SettledVectors,
}

impl Carried {
    /// What carries over for the papers of `site` weighed by `weights`, from `stored`, whose
    /// vectors' terms [`weights`] found as `stored_terms`; `None` when the settled papers do
    /// not weigh (too few of them: every paper's list can change with each new one).
    pub(super) fn new(
        site: &Site,
        lexicon: &Lexicon,
        weights: &Weights,
        stored: Option<StoredLists>,
        stored_terms: Option<Vec<TermId>>,
    ) -> Option<Carried> {
        let (flags, settled_df) = (weights.settled.flags.as_ref()?, weights.settled_df.as_ref()?);
        let settled: Vec<u32> = (0..flags.len() as u32).filter(|&p| flags[p as usize]).collect();
        let mut place = vec![u32::MAX; flags.len()];
        for (i, &p) in settled.iter().enumerate() {
            place[p as usize] = i as u32;
        }
        let key = settled_key(site, &weights.settled);
        let stored = stored.filter(|s| holds(s, key, settled.len()));
        let stored_terms = stored_terms.filter(|_| stored.is_some());
        let mut flipped = stored.as_ref().map(|_| vec![false; settled_df.len()]);
        let (mut searched, mut df) = (Vec::new(), Vec::new());
        for (t, &count) in settled_df.iter().enumerate().filter(|&(_, &df)| df > 0) {
            let (now, hash) = (weights.searchable(t as TermId), lexicon.stem_hash(t as StemId));
            if now {
                searched.push(hash);
            }
            if stored_terms.is_none() {
                df.push((hash, count));
            }
            if let (Some(flipped), Some(stored)) = (&mut flipped, &stored) {
                flipped[t] = now != stored.searched.binary_search(&hash).is_ok();
            }
        }
        searched.sort_unstable();
        df.sort_unstable();
        Some(Carried {
            key,
            settled,
            place,
            searched,
            flipped,
            stored,
            stored_terms,
            df,
            vectors: SettledVectors::default(),
        })
    }

    /// By term, whether its searching changed since the lists were stored (see
    /// [`weigh`]); `None` when no stored lists hold.
    pub(super) fn flipped(&self) -> Option<&[bool]> {
        self.flipped.as_deref()
    }

    /// Whether paper `p` must be searched: unless it is settled, lists were stored for it,
    /// and it uses no term whose searching changed (`uses_flipped`).
    pub(super) fn searches(&self, p: usize, uses_flipped: bool) -> bool {
        self.flipped.is_none() || self.place[p] == u32::MAX || uses_flipped
    }

    /// Paper `p`'s searched vector and whether it uses a flipped term (see [`weigh`]): for a
    /// settled paper, from the stored vectors when they hold, else weighed from `tokens`
    /// with the entries to store (see [`SettledVectors`]).
    pub(super) fn weigh(
        &self,
        p: usize,
        cache: &TermCache,
        lexicon: &Lexicon,
        weights: &Weights,
        tokens: &Tokens,
    ) -> (Vector, bool, Option<Vector>) {
        let place = self.place[p];
        match &self.stored_terms {
            _ if place == u32::MAX => {
                let (v, uses_flipped) = weigh(cache, lexicon, weights, tokens, self.flipped());
                (v, uses_flipped, None)
            }
            Some(terms) => {
                let vectors = &self.stored.as_ref().expect("stored terms are of stored lists").vectors;
                let at = vectors.range(place as usize);
                let v: Vector = terms[at.clone()]
                    .iter()
                    .copied()
                    .zip(vectors.weights()[at].iter().copied())
                    .collect();
                let uses_flipped = self.flipped().is_some_and(|f| v.iter().any(|&(t, _)| f[t as usize]));
                (searched(v, weights), uses_flipped, None)
            }
            None => {
                let (v, uses_flipped, kept) = weigh_settled(cache, lexicon, weights, tokens, self.flipped());
                (v, uses_flipped, Some(kept))
            }
        }
    }

    /// Takes the settled papers' vectors to store from `kept` (by paper, as
    /// [`Carried::weigh`] gave them), unless the stored ones hold.
    pub(super) fn take_vectors(&mut self, kept: &mut [Option<Vector>], lexicon: &Lexicon) {
        if self.stored_terms.is_some() {
            return;
        }
        for &p in &self.settled {
            let v = kept[p as usize].take().expect("every settled paper was weighed");
            self.vectors.push(v.into_iter().map(|(t, w)| (lexicon.stem_hash(t), w)));
        }
    }

    /// Gives the settled papers that were not searched (`search`) their stored lists, and
    /// returns the lists to store for the next build; none when a settled paper lists
    /// another paper (which [`Settled::relates`] rules out).
    fn finish(self, lists: &mut [Vec<PaperId>], search: &[bool]) -> Option<StoredLists> {
        if let Some(stored) = &self.stored {
            for (i, &p) in self.settled.iter().enumerate() {
                if !search[p as usize] {
                    lists[p as usize] = stored.lists[i]
                        .iter()
                        .map(|&o| self.settled[o as usize] as PaperId)
                        .collect();
                }
            }
        }
        let new_lists = self
            .settled
            .iter()
            .map(|&p| {
                lists[p as usize]
                    .iter()
                    .map(|&o| Some(self.place[o]).filter(|&at| at != u32::MAX))
                    .collect()
            })
            .collect::<Option<Vec<Vec<u32>>>>()?;
        let (df, vectors) = match (self.stored_terms, self.stored) {
            (Some(_), Some(stored)) => (stored.df, stored.vectors),
            _ => (self.df, self.vectors),
        };
        Some(StoredLists {
            key: self.key,
            searched: self.searched,
            lists: new_lists,
            df,
            vectors,
        })
    }
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
    /// Document frequencies and idf by term.
    weights: Weights,
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
    fn fresh(
        texts: Vec<u64>,
        docs: Vec<Arc<Vec<(TermId, f32)>>>,
        settled: Settled,
        lexicon: &Lexicon,
        keep: bool,
    ) -> State {
        let n = texts.len();
        let terms = lexicon.stem_count();
        let settles = settled.flags.is_some();
        let mut freq = DocFreq::new(terms, settles);
        for (p, doc) in docs.iter().enumerate() {
            let weighs = settles && settled.weighs(p);
            doc.iter().for_each(|&(t, _)| freq.add(t as usize, weighs));
        }
        let weights = Weights::new(n, freq, settled);
        let idf = &weights.idf;
        let kept = if keep { docs.clone() } else { Vec::new() };
        let vectors: Vec<Vec<(TermId, f32)>> = docs
            .into_par_iter()
            .map(|doc| {
                // A one-off build holds the only reference: the counts become the vector in place.
                let mut v = Arc::try_unwrap(doc).unwrap_or_else(|shared| (*shared).clone());
                normalize(&mut v, idf);
                v
            })
            .collect();
        let (postings, queries, best) = search_all(&vectors, &weights, lexicon, keep, None);
        State {
            texts,
            docs: kept,
            weights,
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
            let settled = std::mem::take(&mut self.weights.settled);
            return State::fresh(texts, docs, settled, lexicon, true);
        }
        let terms = lexicon.stem_count();
        self.weights.resize(terms);
        // Whether each term the edited papers had or have was searchable before the edit.
        let mut was: FxHashMap<TermId, bool> = FxHashMap::default();
        // How many edited papers use each of those terms now.
        let mut edited_uses: FxHashMap<TermId, u32> = FxHashMap::default();
        for &p in &edited {
            for &(t, _) in self.docs[p].iter() {
                was.entry(t).or_insert_with(|| self.weights.searchable(t));
                self.weights.count(t, p, -1);
            }
            for &(t, _) in docs[p].iter() {
                was.entry(t).or_insert_with(|| self.weights.searchable(t));
                self.weights.count(t, p, 1);
                *edited_uses.entry(t).or_default() += 1;
            }
        }
        let mut reweighed: FxHashSet<TermId> = FxHashSet::default();
        let mut reflagged: FxHashSet<TermId> = FxHashSet::default();
        for (&t, &old) in &was {
            let weight = self.weights.weight(t as usize);
            if weight.to_bits() != self.weights.idf[t as usize].to_bits() {
                self.weights.idf[t as usize] = weight;
                reweighed.insert(t);
            }
            if old != self.weights.searchable(t) {
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
        let others = |t: TermId| self.weights.df[t as usize] > edited_uses.get(&t).copied().unwrap_or(0);
        let (mut scan_weight, mut scan_flag) = (FxHashSet::default(), FxHashSet::default());
        for (terms, marks, scan) in [
            (&reweighed, &mut dirty, &mut scan_weight),
            (&reflagged, &mut requery, &mut scan_flag),
        ] {
            for &t in terms.iter().filter(|&&t| others(t)) {
                if was[&t] {
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
            let settled = std::mem::take(&mut self.weights.settled);
            return State::fresh(self.texts, self.docs, settled, lexicon, true);
        }
        let mut before = Vec::with_capacity(changed.len());
        for &p in &changed {
            let mut v = (*self.docs[p]).clone();
            normalize(&mut v, &self.weights.idf);
            before.push(std::mem::replace(&mut self.vectors[p], v));
        }
        if !reflagged.is_empty() || !self.postings.patch(&changed, &before, &self.vectors, &self.weights) {
            self.postings.fill(&self.vectors, &self.weights);
        }
        let postings = &self.postings;
        // Papers searched from scratch: those with a new vector or a new query, and those
        // that lose a changed paper from a full list.
        let (weights, vectors, settled) = (&self.weights, &self.vectors, &self.weights.settled);
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
                    let new = query(&vectors[p], weights, lexicon);
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
                        .filter(|&&p| !full[p as usize] && settled.relates(p as usize, c))
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
                    let new = SCORES.with(|scores| search(&mut scores.borrow_mut(), p, &queries[p], postings, settled));
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

/// The inverse document frequency of a term found in `df` of `n` papers; never below 0,
/// which a word new this month could reach, weighed by more papers than the settled ones.
fn idf(df: u32, n: usize) -> f32 {
    if df == 0 {
        0.0
    } else {
        ((n as f32 + 1.0) / (coarse(df) as f32 + 0.5)).ln().max(0.0)
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

/// A paper's [`QUERY_TERMS`] heaviest searchable terms, heaviest first, ties broken by stem
/// hash: picked in linear time, then only those sorted.
fn query(v: &[(TermId, f32)], weights: &Weights, lexicon: &Lexicon) -> Vec<(TermId, f32)> {
    let mut heaviest: Vec<(f32, u64, TermId)> = v
        .iter()
        .filter(|&&(t, _)| weights.searchable(t))
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
    fn new(vectors: &[Vec<(TermId, f32)>], weights: &Weights) -> Postings {
        let mut postings = Postings::default();
        postings.fill(vectors, weights);
        postings
    }

    /// Where each searchable term's list starts, and where the last one ends.
    fn starts(weights: &Weights, start: &mut Vec<u32>) {
        let terms = weights.df.len();
        start.clear();
        start.resize(terms + 1, 0);
        for t in 0..terms {
            let len = if weights.searchable(t as TermId) {
                weights.df[t]
            } else {
                0
            };
            start[t + 1] = start[t] + len;
        }
    }

    /// Lists the papers of `vectors` again, in the memory the last lists used: the watch
    /// loop does this on every save, and fresh memory is slow to come by on some VMs.
    fn fill(&mut self, vectors: &[Vec<(TermId, f32)>], weights: &Weights) {
        let terms = weights.df.len();
        Postings::starts(weights, &mut self.start);
        let mut fill = self.start.clone();
        self.entries.clear();
        self.entries.resize(self.start[terms] as usize, (0, 0.0));
        for (pid, v) in vectors.iter().enumerate() {
            for &(t, w) in v {
                if weights.searchable(t) {
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
        weights: &Weights,
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
                if weights.searchable(t) {
                    entries.push((p as u32, w));
                }
            }
        }
        let mut order: Vec<usize> = touched.keys().map(|&t| t as usize).collect();
        order.sort_unstable();
        let terms = weights.df.len();
        let mut start = Vec::new();
        Postings::starts(weights, &mut start);
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
                if weights.searchable(t as TermId) {
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

/// Scores every paper sharing a query term with paper `pid` that it may relate to (see
/// [`Settled::relates`]) and keeps the best few, by score and then the earlier paper.
/// `scores` is all zero between calls.
fn search(scores: &mut Vec<f32>, pid: usize, query: &[(TermId, f32)], postings: &Postings, settled: &Settled) -> Best {
    if scores.len() < postings.papers {
        *scores = vec![0f32; postings.papers];
    }
    // Looked up once per paper, not per candidate.
    let only_settled = settled.listable_by(pid);
    let mut touched: Vec<u32> = Vec::new();
    for &(t, w) in query {
        for &(other, ow) in postings.list(t) {
            if other as usize != pid && only_settled.is_none_or(|f| f[other as usize]) {
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
    /// Settled papers needed before they alone weigh the terms ([`SETTLED_MIN`]; tests
    /// lower it).
    settled_min: usize,
}

impl Default for TermCache {
    fn default() -> Self {
        TermCache {
            keep: true,
            docs: FxHashMap::default(),
            last: None,
            terms: Terms::default(),
            settled_min: SETTLED_MIN,
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

    /// A site of one digest file per `(date, body)`.
    fn site_of(days: &[(&str, String)]) -> Site {
        let config = crate::config::Config::default();
        let files: Vec<_> = days
            .iter()
            .map(|(date, body)| {
                let path = format!("{date}.txt");
                crate::content::parse_text(body, std::path::Path::new(&path), &config, &mut |_| {})
                    .expect("the digest parses")
            })
            .collect();
        crate::content::assemble(files.iter())
    }

    /// Computes the lists of `site` through `cache` (updating the last computation) and
    /// checks them against a fresh computation and a one-off build's, and the patched
    /// postings and query index against fresh ones. Returns the papers searched again.
    fn check_against_fresh(site: &Site, cache: &mut TermCache, lexicon: &mut Lexicon) -> usize {
        let tokens = lexicon.tokenize_papers(&site.papers, |p| !cache.has(p.text_hash));
        let Lists::All(lists) = compute(site, cache, lexicon, &tokens, false) else {
            unreachable!()
        };
        let (fresh_lexicon, fresh_tokens) = Lexicon::of_papers(&site.papers);
        let mut once = TermCache::once();
        once.settled_min = cache.settled_min;
        let Lists::All(fresh) = compute(site, &mut once, &fresh_lexicon, &fresh_tokens, false) else {
            unreachable!()
        };
        assert_eq!(lists, fresh);
        // A one-off build weighs each paper as it hands its words over: the same lists.
        let (weights, vectors) = weigh_all(site, cache.settled_min, &fresh_lexicon, &fresh_tokens);
        assert_eq!(compute_weighed(&fresh_lexicon, weights, vectors, None).0, fresh);
        // The postings an edit patched are those a fill gives.
        let state = cache.last.as_ref().expect("kept");
        let filled = Postings::new(&state.vectors, &state.weights);
        assert_eq!(
            (&state.postings.start, &state.postings.entries),
            (&filled.start, &filled.entries)
        );
        // So are the papers by query term an edit patched.
        if let Some(asking) = &state.asking {
            assert_eq!(asking, &Inverted::new(&state.queries, asking.keys(), 0));
        }
        state.searched
    }

    /// A made-up word: `w<k>x`, from a vocabulary of 400.
    fn word(i: usize) -> String {
        format!("w{}x", (i * 7919) % 400)
    }

    /// A digest of `papers` papers numbered from `first`, with `extra` after paper 17's
    /// abstract.
    fn digest(first: usize, papers: usize, extra: &str) -> String {
        (first..first + papers)
            .map(|p| {
                let words: Vec<String> = (0..40).map(|k| word(p * 13 + k * k)).collect();
                let more = if p == 17 { extra } else { "" };
                format!("Paper {p} {}\n{}{more}\n", word(p), words.join(" "))
            })
            .collect()
    }

    #[test]
    fn an_edit_searches_few_papers_again() {
        let day = |extra: &str| site_of(&[("2026-01-01", digest(0, 300, extra))]);
        let (before, after) = (day(""), day(" w5x w77x w123x"));
        let mut cache = TermCache::default();
        let mut lexicon = Lexicon::default();
        let mut check = |site: &Site| check_against_fresh(site, &mut cache, &mut lexicon);
        check(&before);
        let searched = check(&after);
        assert!(searched < 30, "{searched} of 300 papers searched again after one edit");
        // More edits: a word dropped again, a word new to the corpus, many words, and back.
        check(&day(" w5x"));
        check(&day(" w5x qqnovelqq"));
        // A word said again and again: the paper asks for it now (a new query).
        check(&day(&" w9x".repeat(30)));
        check(&day(&" w11x".repeat(30)));
        check(&day(&(0..60).map(|k| format!(" w{k}x")).collect::<String>()));
        check(&before);
    }

    /// An archive of 300 settled papers (January) and 40 of its newest month (February),
    /// with `extra` after paper 17 (settled) and the February papers of `newest` after them.
    fn archive(extra: &str, newest: &str) -> Site {
        site_of(&[
            ("2026-01-10", digest(0, 300, extra)),
            ("2026-02-03", digest(300, 40, "") + newest),
        ])
    }

    #[test]
    fn an_archive_is_weighed_by_its_settled_papers_and_edits_agree() {
        let site = archive("", "");
        assert_eq!(Settled::of(&site, 100).count(site.papers.len()), 300);
        assert_eq!(Settled::of(&site, 301), Settled::default(), "too few settled papers");
        let mut cache = TermCache {
            settled_min: 100,
            ..TermCache::default()
        };
        let mut lexicon = Lexicon::default();
        // Two more February papers, the words after them in their abstracts.
        let february = |a: &str, b: &str| {
            format!(
                "A February paper\nWe look at w5x and w6x {a} in turn, then at the rest.\n\
                 Another February paper\nWe look at w7x and w8x {b} in turn, then at the rest.\n"
            )
        };
        let month = february("qqmonthqq", "qqmonthqq");
        let copy = digest(17, 1, "").lines().nth(1).expect("an abstract").to_string();
        let total = archive("", &month).papers.len();
        let mut check = |extra: &str, newest: &str| {
            let searched = check_against_fresh(&archive(extra, newest), &mut cache, &mut lexicon);
            // Each edit is patched in, not computed afresh.
            (searched < total).then_some(()).ok_or(searched)
        };
        let _ = check("", &month);
        let edits = [
            // A settled paper's edit moves the weights of its words.
            (" w5x w77x w123x", month.clone()),
            // A word of this month only, now in a settled paper too: weighed by the settled
            // paper alone, and back.
            (" qqmonthqq", month.clone()),
            ("", month.clone()),
            // A word of one settled paper, now in a paper of the month: searchable, weighed
            // as before.
            (" qqrareqq", month.clone()),
            (" qqrareqq", february("qqmonthqq qqrareqq", "qqmonthqq")),
            // A word of this month that loses its second paper: no longer searchable.
            (" qqrareqq", february("qqmonthqq qqrareqq", "")),
            ("", month.clone()),
            // A paper of the month in a settled paper's words: not on a settled list.
            ("", february("qqmonthqq", &format!("qqmonthqq {copy}"))),
            ("", month.clone()),
        ];
        for (extra, newest) in edits {
            assert_eq!(check(extra, &newest), Ok(()), "{extra:?}, {newest:?}");
        }
    }

    #[test]
    fn a_new_paper_of_the_month_changes_no_settled_list() {
        // The new paper uses words of many settled papers. Weighed over every paper, their
        // frequencies move and lists it does not join reorder; listed beside every paper, it
        // joins old lists. (A word that a new paper makes searchable can still change a
        // settled list: see `Settled`.)
        let words: Vec<String> = (0..40).map(|k| word(1000 + k * 7)).collect();
        let newest = format!("A February paper {}\n{}\n", word(1001), words.join(" "));
        let (before, after) = (archive("", ""), archive("", &newest));
        let lists = |site: &Site, settled_min: usize| {
            let mut cache = TermCache::once();
            cache.settled_min = settled_min;
            let (lexicon, tokens) = Lexicon::of_papers(&site.papers);
            let Lists::All(lists) = compute(site, &mut cache, &lexicon, &tokens, false) else {
                unreachable!()
            };
            lists
        };
        let settled = Settled::of(&after, 100);
        let old = |p: &PaperId| settled.weighs(*p);
        let (was, now) = (lists(&before, 100), lists(&after, 100));
        for p in (0..after.papers.len()).filter(old) {
            assert!(now[p].iter().all(old), "settled paper {p} lists a paper of the month");
            assert_eq!(was[p], now[p], "settled paper {p}'s list changed");
        }
        assert!(
            (0..after.papers.len()).any(|p| !old(&p) && !now[p].iter().all(old)),
            "papers of the month list one another"
        );
        assert!(
            (0..after.papers.len()).any(|p| !old(&p) && now[p].iter().any(old)),
            "papers of the month list settled papers"
        );
        // Weighed and listed over every paper, the new day reaches old lists.
        let (was, now) = (lists(&before, usize::MAX), lists(&after, usize::MAX));
        assert!((0..before.papers.len()).filter(old).any(|p| was[p] != now[p]));
    }

    /// A one-off build's lists of `site` in a new process (a lexicon of its own), carried
    /// from `stored`: the lists, what to store next, and how many papers it searched.
    fn carried(site: &Site, stored: Option<StoredLists>) -> (Vec<Vec<PaperId>>, StoredLists, usize) {
        let (lexicon, tokens) = Lexicon::of_papers(&site.papers);
        let mut once = TermCache::once();
        once.settled_min = 100;
        let (weights, stored_terms) = weights(site, &mut once, &lexicon, &tokens, stored.as_ref());
        let mut carried =
            Carried::new(site, &lexicon, &weights, stored, stored_terms).expect("the settled papers weigh");
        let (mut vectors, mut uses, mut kept) = (Vec::new(), Vec::new(), Vec::new());
        for (p, t) in tokens.iter().enumerate() {
            let (v, u, k) = carried.weigh(p, &once, &lexicon, &weights, t.as_ref().expect("every paper read"));
            vectors.push(v);
            uses.push(u);
            kept.push(k);
        }
        carried.take_vectors(&mut kept, &lexicon);
        let search: Vec<bool> = (0..vectors.len()).map(|p| carried.searches(p, uses[p])).collect();
        let searched = search.iter().filter(|&&s| s).count();
        let (lists, stored) = compute_weighed(&lexicon, weights, vectors, Some((carried, search)));
        (lists, stored.expect("settled papers list settled papers"), searched)
    }

    #[test]
    fn settled_lists_carried_from_the_last_build_are_those_a_search_finds() {
        // 300 settled papers, 40 of them using `qqcommonqq` (searchable: 40 settled papers
        // are under the bound of 50), thrice, so that it links them, and one `qqrareqq`
        // (used by no other: not searchable).
        let with = |text: String, papers: std::ops::Range<usize>, word: &str| -> String {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            papers.for_each(|p| lines[2 * p + 1].push_str(&format!(" {word}")));
            lines.join("\n") + "\n"
        };
        let settled = with(digest(0, 300, " qqrareqq"), 0..40, "qqcommonqq qqcommonqq qqcommonqq");
        // A month of 80 papers, `common` of them using `qqcommonqq` and `rare` `qqrareqq`.
        let site = |common: usize, rare: usize| {
            let month = with(
                with(digest(300, 80, ""), 0..common, "qqcommonqq"),
                40..40 + rare,
                "qqrareqq",
            );
            site_of(&[("2026-01-10", settled.clone()), ("2026-02-03", month)])
        };
        let fresh = |site: &Site| {
            let (lexicon, tokens) = Lexicon::of_papers(&site.papers);
            let (weights, vectors) = weigh_all(site, 100, &lexicon, &tokens);
            compute_weighed(&lexicon, weights, vectors, None).0
        };
        let first = site(10, 0);
        let (lists, mut stored, searched) = carried(&first, None);
        assert!(
            stored.vectors.len() == 300 && !stored.df.is_empty(),
            "the settled papers' terms are stored"
        );
        assert_eq!((lists.clone(), searched), (fresh(&first), first.papers.len()));
        let mut last = lists;
        // Nothing changes whether a term is searched: the month alone is searched. Then 70
        // more papers of the month make `qqcommonqq` too common (more than twice the bound
        // of papers), and a paper of the month `qqrareqq` searchable; then both go back.
        for (common, rare, settled_searched) in [(10, 0, 0), (80, 0, 40), (80, 1, 1), (10, 0, 40)] {
            let site = site(common, rare);
            let (lists, next, searched) = carried(&site, Some(stored));
            let (_, afresh, _) = carried(&site, None);
            assert_eq!(
                (&next.df, &next.vectors),
                (&afresh.df, &afresh.vectors),
                "the stored terms are those a build without them weighs"
            );
            let expected = fresh(&site);
            assert_eq!(
                lists, expected,
                "{common} papers of the month with the common word, {rare} with the rare one"
            );
            assert_eq!(searched, 80 + settled_searched, "{common}, {rare}");
            let moved = (0..300).filter(|&p| last[p] != lists[p]).count();
            assert!(moved <= settled_searched, "{moved} settled lists moved");
            if settled_searched > 0 {
                assert!(
                    moved > 0,
                    "a change in what is searched moves settled lists ({common}, {rare})"
                );
            }
            (stored, last) = (next, lists);
        }
        // Counts that do not add up (a term in more stored vectors than its count, which
        // sizes its postings) are not taken: every paper is weighed again.
        let site = site(10, 0);
        let (_, afresh, _) = carried(&site, None);
        stored.df.iter_mut().for_each(|(_, count)| *count = 1);
        let (lists, next, searched) = carried(&site, Some(stored));
        assert_eq!(lists, fresh(&site));
        assert_eq!((&next.df, &next.vectors), (&afresh.df, &afresh.vectors));
        assert_eq!(searched, 80, "the stored lists still hold");
    }

    /// Every paper's vector as a one-off build weighs it, with the weights.
    fn weigh_all(
        site: &Site,
        settled_min: usize,
        lexicon: &Lexicon,
        tokens: &[Option<Tokens>],
    ) -> (Weights, Vec<Vector>) {
        let mut once = TermCache::once();
        once.settled_min = settled_min;
        let (weights, _) = weights(site, &mut once, lexicon, tokens, None);
        let vectors = tokens
            .iter()
            .map(|t| weigh(&once, lexicon, &weights, t.as_ref().expect("every paper read"), None).0)
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
        let (weights, vectors) = weigh_all(&site, SETTLED_MIN, &lexicon, &tokens);
        let common = ["widget", "gadget"].map(|w| lexicon.stem(lexicon.id(w).expect("a word")));
        let searched = |v: &Vector| !v.is_empty() && v.iter().all(|(t, _)| !common.contains(t));
        assert!(vectors.iter().all(searched));
        assert!(fresh.iter().all(|list| list.len() == RELATED));
        assert_eq!(compute_weighed(&lexicon, weights, vectors, None).0, fresh);
    }

    #[test]
    fn frequencies_are_coarsened_to_three_bits() {
        let steps: Vec<u32> = [1, 2, 7, 8, 9, 15, 16, 17, 31, 100, 1000].map(coarse).to_vec();
        assert_eq!(steps, [1, 2, 7, 8, 8, 14, 16, 16, 28, 96, 896]);
    }
}
