//! The words of the corpus, numbered once. Tagging, related papers and the search index all
//! read every paper's title and abstract word by word; each used to split, lower-case, look
//! up and stem the same words on its own, a third of a build's instructions. Now one pass
//! turns each paper into word numbers ([`Tokens`]), each distinct word is lower-cased and
//! stemmed once, and the three read what they need from arrays indexed by word number.
//!
//! Numbers depend on the order words were first seen (in watch mode, on the history of
//! edits), so nothing that decides the output may depend on them: consumers order by text
//! or by [`Lexicon::stem_hash`].

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::model::{Paper, PaperId};
use crate::text::{lowercased, words};

/// A word's number in a [`Lexicon`].
pub type WordId = u32;
/// A stem's number in a [`Lexicon`].
pub type StemId = u32;

/// Marks a stem not computed yet.
const PENDING: StemId = StemId::MAX;
/// Marks, in a paper's first pass, a word the lexicon did not know: the low bits index the
/// paper's list of new words.
const NEW: u32 = 1 << 31;

/// One distinct word as written (case kept).
#[derive(Debug)]
struct Entry {
    text: Box<str>,
    /// The entry of its lower-case form (itself when it has no capitals).
    lower: WordId,
    /// The stem of its lower-case form.
    stem: StemId,
}

/// Every word seen so far, with its lower-case form and stem.
#[derive(Debug)]
pub struct Lexicon {
    /// Which lexicon this is (see [`Lexicon::serial`]).
    serial: u64,
    ids: FxHashMap<Box<str>, WordId>,
    entries: Vec<Entry>,
    stem_ids: FxHashMap<Box<str>, StemId>,
    stems: Vec<Box<str>>,
    stem_hashes: Vec<u64>,
    /// Lower-case entries in byte order of their text, for the search index.
    sorted_lower: Vec<WordId>,
    /// Entries before this one have their stems and are in `sorted_lower`.
    finished: usize,
}

/// A paper's title and abstract as word numbers.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    ids: Vec<WordId>,
    title_len: usize,
    /// Positions `p` (in [`Tokens::all`]) where word `p` and word `p + 1` are one
    /// hyphenated compound ("1D-CNN", "LLM-based"), ascending; few per paper.
    joins: Vec<u32>,
}

impl Tokens {
    /// Words of the title.
    pub fn title(&self) -> &[WordId] {
        &self.ids[..self.title_len]
    }
    /// Words of the abstract.
    pub fn abstract_words(&self) -> &[WordId] {
        &self.ids[self.title_len..]
    }
    /// Title words, then abstract words.
    pub fn all(&self) -> &[WordId] {
        &self.ids
    }
    /// Whether word `p` (in [`Tokens::all`]) is joined to the next one by a hyphen.
    pub fn joined_to_next(&self, p: usize) -> bool {
        self.joins.binary_search(&(p as u32)).is_ok()
    }

    /// The positions joined to the next word, ascending (see [`Tokens::joined_to_next`]).
    pub(super) fn joins(&self) -> &[u32] {
        &self.joins
    }

    /// Words as stored (see `stored_words.rs`): `None` unless they are words a paper could
    /// have, title no longer than the whole and joins ascending inside it, each number below
    /// `words`.
    pub(super) fn from_parts(ids: Vec<WordId>, title_len: usize, joins: Vec<u32>, words: usize) -> Option<Tokens> {
        let n = ids.len();
        let valid = title_len <= n
            && ids.iter().all(|&id| (id as usize) < words)
            && joins.windows(2).all(|w| w[0] < w[1])
            && joins.last().is_none_or(|&j| (j as usize) + 1 < n);
        valid.then_some(Tokens { ids, title_len, joins })
    }

    /// Numbers the words as `numbers` says, by their number before: stored words read onto
    /// another file's lexicon (see `Lexicon::extend_with`).
    pub(super) fn renumber(&mut self, numbers: &[WordId]) {
        for id in &mut self.ids {
            *id = numbers[*id as usize];
        }
    }
}

/// A paper's words from the parallel pass: numbers, with [`NEW`] marking the indexes of
/// words the lexicon did not know yet.
struct Pass<'t> {
    ids: Vec<u32>,
    title_len: usize,
    joins: Vec<u32>,
    new: Vec<&'t str>,
}

impl Default for Lexicon {
    fn default() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Lexicon {
            serial: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            ids: FxHashMap::default(),
            entries: Vec::new(),
            stem_ids: FxHashMap::default(),
            stems: Vec::new(),
            stem_hashes: Vec::new(),
            sorted_lower: Vec::new(),
            finished: 0,
        }
    }
}

impl Lexicon {
    /// A number no other lexicon of this process has. Word numbers mean something only in
    /// the lexicon that gave them: what is kept across watch-mode saves in numbers (the
    /// search index's plan) is dropped when the watch loop starts a new lexicon.
    pub fn serial(&self) -> u64 {
        self.serial
    }

    /// Words in the lexicon (of every case).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no word was seen yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Stems in the lexicon.
    pub fn stem_count(&self) -> usize {
        self.stems.len()
    }

    /// A word as written.
    pub fn text(&self, id: WordId) -> &str {
        &self.entries[id as usize].text
    }

    /// The number of a word's lower-case form.
    pub fn lower(&self, id: WordId) -> WordId {
        self.entries[id as usize].lower
    }

    /// The stem of a word's lower-case form.
    pub fn stem(&self, id: WordId) -> StemId {
        self.entries[id as usize].stem
    }

    /// A stem's text.
    pub fn stem_text(&self, stem: StemId) -> &str {
        &self.stems[stem as usize]
    }

    /// A hash of a stem's text: an order of stems that does not depend on their numbers.
    pub fn stem_hash(&self, stem: StemId) -> u64 {
        self.stem_hashes[stem as usize]
    }

    /// The number of a word, as written, if it was seen.
    pub fn id(&self, word: &str) -> Option<WordId> {
        self.ids.get(word).copied()
    }

    /// The number of a stem, if some word seen has it.
    pub fn stem_id(&self, stem: &str) -> Option<StemId> {
        self.stem_ids.get(stem).copied()
    }

    /// Every lower-case word, in byte order.
    pub fn sorted_lower(&self) -> &[WordId] {
        &self.sorted_lower
    }

    /// A lexicon numbering `words` in their order, as [`Lexicon::insert`] numbered them in
    /// the lexicon they were stored from (see `stored_words.rs`): every lower-case form
    /// before the words that have it. `None` when they do not number that way (a damaged
    /// or foreign list).
    pub(super) fn replay<'w>(words: impl IntoIterator<Item = &'w str>) -> Option<Lexicon> {
        let mut lexicon = Lexicon::default();
        for (i, word) in words.into_iter().enumerate() {
            if lexicon.insert(word) as usize != i || lexicon.entries.len() != i + 1 {
                return None;
            }
        }
        lexicon.finish();
        Some(lexicon)
    }

    /// Adds `words` (another stored file's, in the order of its numbers), the new ones
    /// numbered after every word this lexicon has: each word's number here, by its number
    /// there.
    pub(super) fn extend_with<'w>(&mut self, words: impl IntoIterator<Item = &'w str>) -> Vec<WordId> {
        let numbers = words.into_iter().map(|word| self.insert(word)).collect();
        self.finish();
        numbers
    }

    /// The words of each `(title, abstract)` given, numbering words not seen before. `None`
    /// in, `None` out: the watch loop tokenizes only papers whose text changed.
    pub fn tokenize(&mut self, docs: &[Option<(&str, &str)>]) -> Vec<Option<Tokens>> {
        self.tokenize_read(docs.len(), |i| {
            docs[i].map(|(title, text)| (Cow::Borrowed(title), Cow::Borrowed(text)))
        })
    }

    /// [`Lexicon::tokenize`] of the `n` documents that `read` gives by number. Documents
    /// are read a chunk at a time, in parallel, so that an abstract kept on disk (see
    /// `model::LongText`) is in memory only while its chunk is numbered.
    fn tokenize_read<'d>(
        &mut self,
        n: usize,
        read: impl Fn(usize) -> Option<(Cow<'d, str>, Cow<'d, str>)> + Sync,
    ) -> Vec<Option<Tokens>> {
        let mut out = Vec::with_capacity(n);
        // In chunks, so that the words of at most one chunk wait to be numbered. Known words
        // are looked up in parallel; only new ones are numbered one by one. The first chunks
        // are small: they teach the lexicon the common words while few papers wait.
        let (mut from, mut size) = (0, 256);
        while from < n {
            let to = (from + size).min(n);
            let chunk: Vec<Option<(Cow<str>, Cow<str>)>> = (from..to).into_par_iter().map(&read).collect();
            (from, size) = (to, (size * 2).min(4096));
            let ids = &self.ids;
            let passes: Vec<Option<Pass>> = chunk
                .par_iter()
                .map(|doc| {
                    doc.as_ref()
                        .map(|(title, abstract_text)| first_pass(ids, title, abstract_text))
                })
                .collect();
            for pass in passes {
                out.push(pass.map(|pass| {
                    let numbers: Vec<WordId> = pass.new.iter().map(|w| self.insert(w)).collect();
                    let mut ids = pass.ids;
                    for id in &mut ids {
                        if *id & NEW != 0 {
                            *id = numbers[(*id & !NEW) as usize];
                        }
                    }
                    Tokens {
                        ids,
                        title_len: pass.title_len,
                        joins: pass.joins,
                    }
                }));
            }
        }
        self.finish();
        out
    }

    /// [`Lexicon::tokenize`] for the papers `need` picks; the others get `None`.
    pub fn tokenize_papers(&mut self, papers: &[Paper], need: impl Fn(&Paper) -> bool + Sync) -> Vec<Option<Tokens>> {
        self.tokenize_read(papers.len(), |i| need(&papers[i]).then(|| paper_text(&papers[i])))
    }

    /// [`Lexicon::tokenize_papers`], taking the words of a paper whose text `stored` holds
    /// from there instead of reading it (see `stored_words.rs`); `stored` must number words
    /// as this lexicon does.
    pub fn tokenize_papers_stored(
        &mut self,
        papers: &[Paper],
        need: impl Fn(&Paper) -> bool + Sync,
        stored: &mut FxHashMap<u64, Tokens>,
    ) -> Vec<Option<Tokens>> {
        let mut out: Vec<Option<Tokens>> = Vec::with_capacity(papers.len());
        let mut read = Vec::new();
        for (at, paper) in papers.iter().enumerate() {
            let tokens = match need(paper) {
                false => None,
                true => stored.remove(&paper.text_hash).or_else(|| {
                    read.push(at);
                    None
                }),
            };
            out.push(tokens);
        }
        let tokens = self.tokenize_read(read.len(), |i| Some(paper_text(&papers[read[i]])));
        for (at, tokens) in read.into_iter().zip(tokens) {
            out[at] = tokens;
        }
        out
    }

    /// [`Lexicon::tokenize_papers`] for the papers `ids` alone: a patched watch-mode save
    /// reads only the papers it edited. The words go into `out`, one entry per paper, which
    /// must hold `None` for every paper (as [`Lexicon::clear_some`] leaves it): kept from one
    /// save to the next, it spares allocating and zeroing an entry per paper (at 100,000
    /// papers, fresh pages were most of a save's words phase).
    pub fn tokenize_some(
        &mut self,
        papers: &[Paper],
        ids: &[PaperId],
        need: impl Fn(&Paper) -> bool,
        out: &mut Vec<Option<Tokens>>,
    ) {
        if out.len() != papers.len() {
            out.clear();
            out.resize_with(papers.len(), || None);
        }
        let read: Vec<PaperId> = ids.iter().copied().filter(|&id| need(&papers[id])).collect();
        let tokens = self.tokenize_read(read.len(), |i| Some(paper_text(&papers[read[i]])));
        for (id, tokens) in read.into_iter().zip(tokens) {
            out[id] = tokens;
        }
    }

    /// Empties the entries of `ids` in `tokens`, for the next [`Lexicon::tokenize_some`].
    pub fn clear_some(tokens: &mut [Option<Tokens>], ids: &[PaperId]) {
        for &id in ids {
            if let Some(entry) = tokens.get_mut(id) {
                *entry = None;
            }
        }
    }

    /// A lexicon of every paper's words, with each paper's tokens: for the one-off callers
    /// (a single step run on its own, tests).
    pub fn of_papers(papers: &[Paper]) -> (Lexicon, Vec<Option<Tokens>>) {
        let mut lexicon = Lexicon::default();
        let tokens = lexicon.tokenize_papers(papers, |_| true);
        (lexicon, tokens)
    }

    /// Brings `table`, indexed by word number, up to the lexicon's size: `value` is computed
    /// (in parallel) for each word added since the table last grew. Per-word tables of the
    /// steps that read the lexicon grow this way, so a watch-mode save looks at new words only.
    pub fn grow<T: Send>(&self, table: &mut Vec<T>, value: impl Fn(WordId) -> T + Sync + Send) {
        if table.len() >= self.len() {
            return;
        }
        let new: Vec<T> = (table.len() as WordId..self.len() as WordId)
            .into_par_iter()
            .map(value)
            .collect();
        table.extend(new);
    }

    /// The number of `word`, adding it (and its lower-case form) when new.
    fn insert(&mut self, word: &str) -> WordId {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let mut buf = String::new();
        let lower = lowercased(word, &mut buf);
        let id = self.entries.len() as WordId;
        if lower == word {
            self.push(word, id);
            return id;
        }
        let lower = match self.ids.get(lower) {
            // An entry's `lower` is always a lower-case entry.
            Some(&known) => self.entries[known as usize].lower,
            None => {
                self.push(lower, id);
                id
            }
        };
        let id = self.entries.len() as WordId;
        self.push(word, lower);
        id
    }

    fn push(&mut self, word: &str, lower: WordId) {
        let id = self.entries.len() as WordId;
        let text: Box<str> = word.into();
        self.ids.insert(text.clone(), id);
        self.entries.push(Entry {
            text,
            lower,
            stem: PENDING,
        });
    }

    /// Stems the new lower-case words (in parallel: stemming is the costly step) and files
    /// them in byte order.
    fn finish(&mut self) {
        let first = self.finished;
        if first == self.entries.len() {
            return;
        }
        let new_lower: Vec<WordId> = (first as WordId..self.entries.len() as WordId)
            .filter(|&id| self.entries[id as usize].lower == id)
            .collect();
        let entries = &self.entries;
        let stems: Vec<String> = new_lower
            .par_iter()
            .map_init(
                || rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English),
                |stemmer, &id| stemmer.stem(&entries[id as usize].text).into_owned(),
            )
            .collect();
        for (&id, stem) in new_lower.iter().zip(stems) {
            let stem_id = match self.stem_ids.get(stem.as_str()) {
                Some(&s) => s,
                None => {
                    let s = self.stems.len() as StemId;
                    self.stem_hashes.push(xxhash_rust::xxh3::xxh3_64(stem.as_bytes()));
                    let stem: Box<str> = stem.into();
                    self.stem_ids.insert(stem.clone(), s);
                    self.stems.push(stem);
                    s
                }
            };
            self.entries[id as usize].stem = stem_id;
        }
        for id in first..self.entries.len() {
            let lower = self.entries[id].lower as usize;
            self.entries[id].stem = self.entries[lower].stem;
        }
        let mut new_lower = new_lower;
        let entries = &self.entries;
        new_lower.par_sort_unstable_by(|&a, &b| entries[a as usize].text.cmp(&entries[b as usize].text));
        self.sorted_lower = merge_sorted(&self.sorted_lower, &new_lower, |a, b| {
            entries[a as usize].text < entries[b as usize].text
        });
        self.finished = self.entries.len();
    }
}

/// What a paper's words are read from: its title and its abstract's plain text.
fn paper_text(paper: &Paper) -> (Cow<'_, str>, Cow<'_, str>) {
    (Cow::Borrowed(&*paper.title), paper.abstract_text.read())
}

/// A paper's words looked up in `ids`; words it does not know are listed once each.
fn first_pass<'t>(ids: &FxHashMap<Box<str>, WordId>, title: &'t str, abstract_text: &'t str) -> Pass<'t> {
    let mut pass = Pass {
        ids: Vec::with_capacity(256),
        title_len: 0,
        joins: Vec::new(),
        new: Vec::new(),
    };
    for (field, text) in [title, abstract_text].into_iter().enumerate() {
        // Where the previous word of this field ended, to see a hyphen between two words.
        let mut last_end: Option<usize> = None;
        for word in words(text) {
            let start = word.as_ptr() as usize - text.as_ptr() as usize;
            if last_end.is_some_and(|end| start == end + 1 && text.as_bytes()[end] == b'-') {
                pass.joins.push(pass.ids.len() as u32 - 1);
            }
            last_end = Some(start + word.len());
            let id = match ids.get(word) {
                Some(&id) => id,
                None => {
                    // New words are few once the common ones are known.
                    let at = match pass.new.iter().position(|w| *w == word) {
                        Some(at) => at,
                        None => {
                            pass.new.push(word);
                            pass.new.len() - 1
                        }
                    };
                    NEW | at as u32
                }
            };
            pass.ids.push(id);
        }
        if field == 0 {
            pass.title_len = pass.ids.len();
        }
    }
    pass
}

/// Merges two lists sorted by `less` into one.
fn merge_sorted(a: &[u32], b: &[u32], less: impl Fn(u32, u32) -> bool) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if less(b[j], a[i]) {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// A document as the keys [`Inverted`] lists it under.
pub trait Keyed {
    /// The document's keys.
    fn keys(&self) -> impl Iterator<Item = u32> + '_;
}

/// Distinct word numbers.
impl Keyed for std::sync::Arc<[WordId]> {
    fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.iter().copied()
    }
}

/// Weighted stems.
impl Keyed for Vec<(StemId, f32)> {
    fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.iter().map(|&(t, _)| t)
    }
}

/// Lists laid end to end, key `k`'s at `entries[start[k]..start[k + 1]]` (an inverted
/// index's layout), written into `out` for `keys` keys with the lists of the `touched` keys
/// (ascending) made again by `remake(key, old list, out)` and every other run copied as it
/// is: what patching an index after a few documents changed costs, instead of a scattered
/// write of every entry. Keys past the old `start` had empty lists.
pub(super) fn remake_lists<E: Copy>(
    start: &[u32],
    entries: &[E],
    touched: &[usize],
    keys: usize,
    out: &mut Vec<E>,
    mut remake: impl FnMut(usize, &[E], &mut Vec<E>),
) {
    let old_keys = start.len().saturating_sub(1);
    let was = |k: usize| start.get(k.min(old_keys)).copied().unwrap_or(0) as usize;
    let mut next = 0;
    for &k in touched {
        out.extend_from_slice(&entries[was(next)..was(k)]);
        remake(k, &entries[was(k)..was(k + 1)], out);
        next = k + 1;
    }
    out.extend_from_slice(&entries[was(next)..was(keys.max(old_keys))]);
}

/// Documents by key (a word or stem number), built by counting sort: every key's list in
/// one flat array, each list ascending as documents are numbered in order.
#[derive(Debug, PartialEq)]
pub struct Inverted {
    start: Vec<u32>,
    docs: Vec<u32>,
}

impl Inverted {
    /// Lists `docs`, numbered from `first`, under each of their keys (below `keys`).
    pub fn new<D: Keyed>(docs: &[D], keys: usize, first: u32) -> Inverted {
        let mut start = vec![0u32; keys + 1];
        for key in docs.iter().flat_map(D::keys) {
            start[key as usize + 1] += 1;
        }
        for k in 0..keys {
            start[k + 1] += start[k];
        }
        let mut fill = start.clone();
        let mut listed = vec![0u32; start[keys] as usize];
        for (d, doc) in docs.iter().enumerate() {
            for key in doc.keys() {
                listed[fill[key as usize] as usize] = first + d as u32;
                fill[key as usize] += 1;
            }
        }
        Inverted { start, docs: listed }
    }

    /// The index once the documents `changed` (ascending) went from the keys `before` to
    /// their keys in `docs`, with `keys` keys now (never fewer than before): the lists of
    /// the keys those documents had or have are made again, every other run is copied as
    /// it is. Inverting every document again was most of a watch-mode save's related
    /// papers at 100,000 papers, for the few whose keys changed.
    pub fn patched<D: Keyed>(self, docs: &[D], changed: &[u32], before: &[Vec<u32>], keys: usize) -> Inverted {
        let old_keys = self.start.len() - 1;
        let mut count: Vec<i64> = vec![0; keys];
        // Each touched key with the changed documents it now lists, ascending.
        let mut added: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        for (&d, was) in changed.iter().zip(before) {
            for &k in was {
                count[k as usize] -= 1;
                added.entry(k).or_default();
            }
            for k in docs[d as usize].keys() {
                count[k as usize] += 1;
                added.entry(k).or_default().push(d);
            }
        }
        let mut touched: Vec<usize> = added.keys().map(|&k| k as usize).collect();
        touched.sort_unstable();
        let was = |k: usize| self.start[k.min(old_keys)] as usize;
        let mut start = vec![0u32; keys + 1];
        for k in 0..keys {
            let len = (was(k + 1) - was(k)) as i64 + count[k];
            start[k + 1] = start[k] + len as u32;
        }
        let mut listed = Vec::with_capacity(start[keys] as usize);
        remake_lists(&self.start, &self.docs, &touched, keys, &mut listed, |k, old, out| {
            let from = out.len();
            out.extend(old.iter().copied().filter(|d| changed.binary_search(d).is_err()));
            out.extend_from_slice(&added[&(k as u32)]);
            out[from..].sort_unstable();
        });
        Inverted { start, docs: listed }
    }

    /// How many keys the index has lists for.
    pub fn keys(&self) -> usize {
        self.start.len() - 1
    }

    /// The documents under `key`, ascending.
    pub fn of(&self, key: u32) -> &[u32] {
        &self.docs[self.start[key as usize] as usize..self.start[key as usize + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patched_index_is_the_index_made_again() {
        // Documents of weighted keys; each round changes a few, some to keys never used.
        let doc = |seed: u32, keys: u32| -> Vec<(StemId, f32)> {
            let mut v: Vec<StemId> = (0..6).map(|k| (seed * 7 + k * k * 3) % keys).collect();
            v.sort_unstable();
            v.dedup();
            v.into_iter().map(|k| (k, 1.0)).collect()
        };
        let mut docs: Vec<Vec<(StemId, f32)>> = (0..50).map(|d| doc(d, 40)).collect();
        let mut index = Inverted::new(&docs, 40, 0);
        for (round, keys) in [(1u32, 40usize), (2, 40), (3, 45), (4, 45), (5, 60)] {
            let changed: Vec<u32> = vec![round, 7 + round, 30, 49];
            let before: Vec<Vec<u32>> = changed.iter().map(|&d| docs[d as usize].keys().collect()).collect();
            for &d in &changed {
                docs[d as usize] = doc(d * 13 + round * 101, keys as u32);
            }
            index = index.patched(&docs, &changed, &before, keys);
            let fresh = Inverted::new(&docs, keys, 0);
            assert_eq!(
                (&index.start, &index.docs),
                (&fresh.start, &fresh.docs),
                "round {round}"
            );
        }
    }

    #[test]
    fn words_share_their_lower_case_form_and_stem() {
        let mut lex = Lexicon::default();
        let tokens = lex.tokenize(&[Some(("Graphs of graph", "GRAPHS, Graphs")), None]);
        assert!(tokens[1].is_none());
        let t = tokens[0].as_ref().unwrap();
        let text: Vec<&str> = t.all().iter().map(|&id| lex.text(id)).collect();
        assert_eq!(text, ["Graphs", "of", "graph", "GRAPHS", "Graphs"]);
        assert_eq!(t.title().len(), 3);
        assert_eq!(t.abstract_words().len(), 2);
        let graphs = lex.id("graphs").expect("the lower-case form is a word too");
        assert_eq!(lex.lower(t.all()[0]), graphs);
        assert_eq!(lex.lower(t.all()[3]), graphs);
        assert_eq!(
            lex.stem(t.all()[0]),
            lex.stem(t.all()[2]),
            "graphs and graph stem alike"
        );
        let sorted: Vec<&str> = lex.sorted_lower().iter().map(|&id| lex.text(id)).collect();
        assert_eq!(sorted, ["graph", "graphs", "of"]);
    }

    #[test]
    fn a_lower_case_word_outside_ascii_is_its_own_lower_case_form() {
        let mut lex = Lexicon::default();
        lex.tokenize(&[Some(("naïve Naïve", ""))]);
        assert_eq!(lex.len(), 2);
        let naive = lex.id("naïve").unwrap();
        assert_eq!(lex.lower(naive), naive);
        assert_eq!(lex.lower(lex.id("Naïve").unwrap()), naive);
    }

    #[test]
    fn a_second_pass_numbers_only_new_words_and_keeps_the_order() {
        let mut lex = Lexicon::default();
        lex.tokenize(&[Some(("beta alpha", ""))]);
        let before = lex.len();
        let tokens = lex.tokenize(&[Some(("alpha Gamma", ""))]);
        assert_eq!(lex.len(), before + 2, "Gamma and gamma are new");
        let ids = tokens[0].as_ref().unwrap().all().to_vec();
        assert_eq!(ids[0], lex.id("alpha").unwrap());
        let sorted: Vec<&str> = lex.sorted_lower().iter().map(|&id| lex.text(id)).collect();
        assert_eq!(sorted, ["alpha", "beta", "gamma"]);
    }
}
