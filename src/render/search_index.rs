//! The search index behind `/search/`: written at build time, queried in the browser by
//! `search.js` (shipped with the binary, no other host involved), which fetches only the
//! parts of the index a query needs.
//!
//! - `search/index.json`, the head (small, fetched first): the papers' days, the term
//!   shards by their first term, and the names of the directories of document chunks.
//! - `search/t-HASH.json`, term shards: every indexed word (lower-cased; stop words and
//!   LaTeX macro names dropped; words of tag names too) with the papers using it, the words
//!   split into shards of about [`SHARD_BYTES`] by their first letters. Words with the same
//!   stem are linked, so `proofs` also finds "proof" with no stemmer in the browser; words
//!   are kept whole so that prefixes and typos can be matched against them.
//! - `search/s-HASH.json`, the sealed segment's term shards (see `search_sealed.rs`): the
//!   same for the settled papers at the start of the archive, which `t-` shards then leave
//!   out. A term may be in both, with each segment's papers.
//! - `search/d-HASH.json`, document chunks of [`DOCS_PER_CHUNK`] papers: what a result
//!   shows (title, slug, dates, tags, the abstract for the snippet), fetched only for the
//!   results on screen.
//! - `search/i-HASH.json`, directories: the names of [`CHUNKS_PER_DIR`] document chunks
//!   each. Listing every chunk in the head would make the head grow with the archive (50 KB
//!   gzipped at 100,000 papers); a page of results reads a few directories instead.
//!
//! The parts are named by a hash of everything they are made from ([`Plan`]), so a browser
//! holding an old head never reads new parts under old names, and an edit renames (and
//! watch mode rewrites) only the parts it changed, and the head.

use std::collections::BTreeMap;
use std::hash::Hasher;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::enrich::{CHANGED_MAX, Lexicon, Prepared, WordId};
use crate::model::{PaperId, Site};
use crate::render::search_sealed::{ShardToStore, StoredSealed};

/// Sealed shards made at a time for the file that stores them: enough for every core, a
/// few megabytes.
const STORE_BATCH: usize = 32;
use crate::render::view::DateForms;
use crate::text::{LATEX_MACROS, SEARCH_STOP_WORDS, lowercased, words};

/// The browser side, served as `/search/search.js`.
pub const SCRIPT: &str = include_str!("search.js");

/// The index format, written into the head and into every part's hash: a new format
/// renames every part.
pub const FORMAT: u32 = 5;

/// Papers per document chunk. A page of ten results fetches up to ten chunks, so chunks
/// are small (about 3.5 KB gzipped with whole abstracts), yet not one file per paper:
/// 17,000 files at 100,000 papers.
pub const DOCS_PER_CHUNK: usize = 6;

/// Document chunks per directory: 2 KB of names (1.4 KB gzipped), for 1,536 papers.
pub const CHUNKS_PER_DIR: usize = 256;

/// About how many bytes a term shard holds (between half and twice this, 20–25 KB
/// gzipped): small enough that a query's shards stay a small download, few enough that the
/// head stays small (about 55 shards at 10,000 papers, 400 at 100,000).
pub const SHARD_BYTES: usize = 48 * 1024;

/// [`SHARD_BYTES`] of the live segment's shards when there is a sealed segment (see
/// `search_sealed.rs`).
pub(crate) const LIVE_SHARD_BYTES: usize = SHARD_BYTES / 4;

/// The longest abstract a document chunk carries for the snippet, in characters (arXiv
/// allows 1,920).
pub const SNIPPET_SOURCE_MAX: usize = 2000;

/// How many document chunks the index of `papers` papers has.
pub fn docs_count(papers: usize) -> usize {
    papers.div_ceil(DOCS_PER_CHUNK)
}

/// Positions of the papers in document chunk `k`.
pub fn docs_range(k: usize, papers: usize) -> Range<usize> {
    let from = (k * DOCS_PER_CHUNK).min(papers);
    from..(from + DOCS_PER_CHUNK).min(papers)
}

/// Output path of the term shard with hash `hash`.
pub(crate) fn terms_path(hash: u64) -> String {
    format!("search/t-{}.json", name_hash(hash))
}

/// Output path of the sealed segment's term shard with hash `hash`.
pub(crate) fn sealed_path(hash: u64) -> String {
    format!("search/s-{}.json", name_hash(hash))
}

/// Output path of the document chunk with hash `hash`.
pub(crate) fn docs_path(hash: u64) -> String {
    format!("search/d-{}.json", name_hash(hash))
}

/// How many directories of document chunks the index of `papers` papers has.
pub fn dirs_count(papers: usize) -> usize {
    docs_count(papers).div_ceil(CHUNKS_PER_DIR)
}

/// Output path of the directory with hash `hash`.
pub(crate) fn dir_path(hash: u64) -> String {
    format!("search/i-{}.json", name_hash(hash))
}

/// A hash as 8 base-36 digits (41 bits): the part of a file name that changes with it.
fn name_hash(hash: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut n = hash % 36u64.pow(8);
    let mut out = [b'0'; 8];
    for d in out.iter_mut().rev() {
        *d = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(out.to_vec()).expect("ASCII digits")
}

/// Papers by word, for one slice of the papers: every word's list in one byte array, each
/// entry `paper << 1 | in_title` written as the gap from the word's previous paper (from 0
/// for its first), doubled, plus the title bit, in LEB128. Most gaps fit a byte: at a
/// million papers the lists take about 0.2 GB instead of 0.5 GB at four bytes an entry,
/// and a build holds them from planning until the last search shard is written.
struct Inversion {
    start: Vec<usize>,
    bytes: Vec<u8>,
}

impl Inversion {
    fn new(docs: &[Arc<[u32]>], words: usize, first: usize) -> Inversion {
        let mut start = vec![0usize; words + 1];
        coded_entries(docs, first, words, |w, coded| start[w + 1] += leb128_len(coded));
        for w in 0..words {
            start[w + 1] += start[w];
        }
        let mut bytes = vec![0u8; start[words]];
        let mut fill = start.clone();
        coded_entries(docs, first, words, |w, coded| {
            fill[w] = write_leb128(&mut bytes, fill[w], coded)
        });
        Inversion { start, bytes }
    }

    /// A word's papers; none for a word numbered after the inversion was made.
    fn of(&self, w: WordId) -> Piece<'_> {
        Piece::Coded(match self.start.get(w as usize + 1) {
            Some(&end) => &self.bytes[self.start[w as usize]..end],
            None => &[],
        })
    }

    /// Inverts the papers `segment` of `docs` in one slice per thread, up to [`MAX_SLICES`].
    fn all(docs: &[Arc<[u32]>], words: usize, segment: Range<usize>) -> Vec<Inversion> {
        let first = segment.start;
        let docs = &docs[segment];
        let slices = rayon::current_num_threads().min(MAX_SLICES);
        let slice = docs.len().div_ceil(slices).max(1);
        docs.par_chunks(slice)
            .enumerate()
            .map(|(i, docs)| Inversion::new(docs, words, first + i * slice))
            .collect()
    }
}

/// At most this many slices of papers are inverted apart: each holds an offset per word of
/// the lexicon (millions of words in a large site) for as long as the plan lives.
const MAX_SLICES: usize = 8;

/// Calls `each(word, coded)` for every entry of `docs` (papers from `first` on), in paper
/// order, where `coded` is the gap from the word's previous paper (from 0), doubled, plus
/// the title bit.
fn coded_entries(docs: &[Arc<[u32]>], first: usize, words: usize, mut each: impl FnMut(usize, u32)) {
    let mut previous = vec![0u32; words];
    for (d, doc) in docs.iter().enumerate() {
        let paper = (first + d) as u32;
        for &e in doc.iter() {
            let w = (e >> 1) as usize;
            each(w, (paper - previous[w]) << 1 | (e & 1));
            previous[w] = paper;
        }
    }
}

/// Bytes of `value` in LEB128: seven bits a byte, the last byte's high bit clear.
fn leb128_len(value: u32) -> usize {
    (32 - (value | 1).leading_zeros() as usize).div_ceil(7)
}

/// Writes `value` in LEB128 into `bytes` at `at`; returns where the next value goes.
fn write_leb128(bytes: &mut [u8], mut at: usize, mut value: u32) -> usize {
    while value >= 0x80 {
        bytes[at] = value as u8 | 0x80;
        value >>= 7;
        at += 1;
    }
    bytes[at] = value as u8;
    at + 1
}

/// Part of a word's papers, entries `paper << 1 | in_title` in ascending order: a list as
/// it is (a tag word's, or a word's patched in watch mode), or an inversion's coded run.
#[derive(Debug, Clone, Copy)]
enum Piece<'p> {
    List(&'p [u32]),
    Coded(&'p [u8]),
}

impl<'p> Piece<'p> {
    fn is_empty(self) -> bool {
        match self {
            Piece::List(list) => list.is_empty(),
            Piece::Coded(bytes) => bytes.is_empty(),
        }
    }

    /// How many entries: a coded entry ends with the one byte whose high bit is clear.
    fn len(self) -> usize {
        match self {
            Piece::List(list) => list.len(),
            Piece::Coded(bytes) => bytes.iter().filter(|&&b| b < 0x80).count(),
        }
    }

    fn entries(self) -> Entries<'p> {
        Entries {
            piece: self,
            at: 0,
            paper: 0,
        }
    }
}

/// The entries of a [`Piece`], decoded as they are read.
struct Entries<'p> {
    piece: Piece<'p>,
    at: usize,
    /// The last paper decoded.
    paper: u32,
}

impl Iterator for Entries<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self.piece {
            Piece::List(list) => {
                let e = *list.get(self.at)?;
                self.at += 1;
                Some(e)
            }
            Piece::Coded(bytes) => {
                let (mut coded, mut shift) = (0u32, 0);
                loop {
                    let b = *bytes.get(self.at)?;
                    self.at += 1;
                    coded |= u32::from(b & 0x7f) << shift;
                    if b < 0x80 {
                        break;
                    }
                    shift += 7;
                }
                self.paper += coded >> 1;
                Some(self.paper << 1 | (coded & 1))
            }
        }
    }
}

/// Papers by word for the words whose papers changed since the inversions were made.
type Patched = FxHashMap<WordId, Vec<u32>>;

/// Once this many words have patched lists, the next plan inverts every paper again, so
/// that patches do not pile up over a long session.
const PATCH_WORDS: usize = 50_000;

/// Where a term's text and papers come from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    /// A word of titles and abstracts: its papers are in the inversions.
    Word(WordId),
    /// A word of a tag name: its text and papers (merged with the word's, when titles or
    /// abstracts use it too) are in [`Plan::tag_terms`].
    Tag(u32),
}

/// A word of tag names, and the papers it finds.
#[derive(Debug, Clone, PartialEq)]
struct TagTerm {
    text: String,
    /// The tags' papers and, when titles or abstracts use the word too, the word's.
    papers: Vec<u32>,
    /// That word, then.
    word: Option<WordId>,
    /// The tags' papers as collected (see [`tag_words`]), which tell the next watch-mode
    /// plan whether they changed.
    input: Vec<u32>,
}

/// One term of the index.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Term {
    source: Source,
    /// A hash of the term's stem: terms with the same one are linked.
    stem: u64,
}

/// The whole index, planned: its terms in byte order with their papers, the shards they
/// are split into, and the hash of each part (which names it and is its job's fingerprint).
/// Built once per build (or patched per watch-mode rebuild, see [`Plan::after`]); only the
/// parts whose hash changed are then rendered.
///
/// The terms are those of the papers of [`Plan::segment`]: all of them, or those after the
/// sealed segment, whose terms are planned apart (see [`Sealed`]).
pub(crate) struct Plan {
    /// The papers whose words the terms hold.
    segment: Range<usize>,
    /// The sealed segment's terms, for the plan of the whole index.
    sealed: Sealed,
    /// Papers by word, one inversion per slice of the papers, in paper order.
    inversions: Vec<Inversion>,
    /// Papers by word for the words whose papers changed since the inversions were made,
    /// in place of the inversions' lists (watch mode).
    patched: Patched,
    /// The words planned from ([`Prepared::serial`]): the next watch-mode save's words
    /// say which papers changed since them (see [`Prepared::changed`]).
    words: u64,
    /// The lexicon (see [`Lexicon::serial`]) whose word numbers the plan holds.
    lexicon: u64,
    /// Tag-name words.
    tag_terms: Vec<TagTerm>,
    terms: Vec<Term>,
    /// Per term: about how many bytes it takes in its shard, where its stem's last term
    /// is, and the hash of its text (what [`split`] reads; a patched plan keeps them and
    /// sizes again only the terms whose papers changed).
    sizes: Vec<usize>,
    reach: Vec<u32>,
    cuts: Vec<u64>,
    /// Each shard's terms.
    shards: Vec<Range<usize>>,
    /// Per shard, the hash of what it holds.
    pub(crate) shard_hashes: Vec<u64>,
    /// Per document chunk, the hash of what it holds.
    pub(crate) doc_hashes: Vec<u64>,
    /// Per directory, the hash of the names it holds.
    pub(crate) dir_hashes: Vec<u64>,
    /// `search/index.json`.
    pub(crate) head: Vec<u8>,
    /// How many shards kept their hash from the last save's plan without hashing their
    /// terms again (none in a build): what tells a test that a save was patched.
    kept_shards: usize,
}

/// The terms of the sealed segment (see `search_sealed.rs`) of a plan of the whole index.
pub(crate) enum Sealed {
    /// No segment: the site has too few settled papers, or this is the segment's own plan.
    None,
    /// Planned from the settled papers' words.
    Planned(Box<Plan>),
    /// As the build that planned it stored it.
    Stored(Arc<StoredSealed>),
}

impl Plan {
    /// Plans the index of `site` from each paper's words. The words of the first papers
    /// may be left out ([`Prepared::sealed`]) when `stored` holds their sealed segment.
    pub(crate) fn new(site: &Site, lexicon: &Lexicon, prepared: &Prepared, stored: Option<Arc<StoredSealed>>) -> Plan {
        let sealed = match stored.filter(|s| s.papers == prepared.sealed() && s.papers > 0) {
            Some(stored) => Sealed::Stored(stored),
            None => {
                assert_eq!(
                    prepared.sealed(),
                    0,
                    "the words of sealed papers left out without their segment"
                );
                Plan::plan_sealed(site, lexicon, prepared, site.sealed_papers())
            }
        };
        Plan::with_sealed(site, lexicon, prepared, sealed)
    }

    /// The plan of the terms of the first `papers` papers, or [`Sealed::None`] for none.
    fn plan_sealed(site: &Site, lexicon: &Lexicon, prepared: &Prepared, papers: usize) -> Sealed {
        if papers == 0 {
            return Sealed::None;
        }
        Sealed::Planned(Box::new(Plan::of_segment(site, lexicon, prepared, 0..papers, None)))
    }

    /// The plan of the whole index, with the terms of the papers after `sealed`'s.
    fn with_sealed(site: &Site, lexicon: &Lexicon, prepared: &Prepared, sealed: Sealed) -> Plan {
        let segment = sealed.papers()..site.papers.len();
        Plan::of_segment(site, lexicon, prepared, segment, Some(sealed))
    }

    /// The plan of the terms of the papers of `segment`, inverted from `prepared` (see
    /// [`Plan::of_postings`] for `sealed`).
    fn of_segment(
        site: &Site,
        lexicon: &Lexicon,
        prepared: &Prepared,
        segment: Range<usize>,
        sealed: Option<Sealed>,
    ) -> Plan {
        let inversions = Inversion::all(prepared.docs(), lexicon.len(), segment.clone());
        let no_patches = FxHashMap::default();
        let mut plan = Plan::of_postings(site, lexicon, inversions, no_patches, None, &[], segment, sealed);
        plan.words = prepared.serial();
        plan
    }

    /// [`Plan::new`] for watch mode, given the last save's plan (used only if made with the
    /// same lexicon).
    /// When the papers are those it planned with the words of a few of them changed (an
    /// edit), it patches the papers of those words instead of inverting every paper again,
    /// and keeps the hashes of the shards none of whose terms changed: inverting and hashing
    /// everything was a third of a save. The plan keeps the papers' words for the next save.
    ///
    /// `touched` says that `site` is the model `previous` was planned for, with only these
    /// papers' records or tags changed since: the other document chunks keep their hashes.
    pub(crate) fn after(
        previous: Option<Plan>,
        site: &Site,
        lexicon: &Lexicon,
        prepared: &Prepared,
        touched: Option<&[PaperId]>,
    ) -> Plan {
        let sealed_count = site.sealed_papers();
        let previous = previous.filter(|p| {
            p.lexicon == lexicon.serial() && p.segment == (sealed_count..site.papers.len()) && p.sealed.can_patch()
        });
        let Some(mut previous) = previous else {
            return Plan::new(site, lexicon, prepared, None);
        };
        let sealed = match std::mem::replace(&mut previous.sealed, Sealed::None) {
            Sealed::Planned(plan) => match plan.patched(site, lexicon, prepared, None) {
                Some(plan) => Sealed::Planned(Box::new(plan)),
                None => return Plan::new(site, lexicon, prepared, None),
            },
            _ => Sealed::None,
        };
        match previous.patched(site, lexicon, prepared, Some((sealed, touched))) {
            Some(plan) => plan,
            None => Plan::new(site, lexicon, prepared, None),
        }
    }

    /// This plan patched for `prepared` (see [`Plan::patch`]); `None` when that is not a
    /// patch. `top` gives the plan of the whole index its sealed segment and the papers
    /// whose document chunks changed.
    fn patched(
        self,
        site: &Site,
        lexicon: &Lexicon,
        prepared: &Prepared,
        top: Option<(Sealed, Option<&[PaperId]>)>,
    ) -> Option<Plan> {
        let segment = self.segment.clone();
        let (inversions, patched, mut earlier) = self.patch(prepared)?;
        let (sealed, touched) = match top {
            Some((sealed, touched)) => (Some(sealed), touched),
            None => (None, None),
        };
        if touched.is_none() {
            earlier.doc_hashes.clear();
        }
        let mut plan = Plan::of_postings(
            site,
            lexicon,
            inversions,
            patched,
            Some(earlier),
            touched.unwrap_or_default(),
            segment,
            sealed,
        );
        plan.words = prepared.serial();
        Some(plan)
    }

    /// The postings once the papers' words went from those of this plan to `prepared`'s,
    /// and what of this plan the next may keep; `None` when that is not a patch: words not
    /// changed from this plan's (papers added, removed or reordered, many edited), or
    /// patches piled up.
    fn patch(self, prepared: &Prepared) -> Option<(Vec<Inversion>, Patched, Earlier)> {
        let changed = prepared.changed().filter(|c| c.base == self.words)?;
        if self.patched.len() > PATCH_WORDS || changed.papers.len() > CHANGED_MAX {
            return None;
        }
        let docs = prepared.docs();
        // The changed papers of this plan's segment.
        let segment = self.segment.start as u32..self.segment.end as u32;
        let changed: Vec<&(u32, Arc<[u32]>)> = changed.papers.iter().filter(|(i, _)| segment.contains(i)).collect();
        let papers: Vec<u32> = changed.iter().map(|&&(i, _)| i).collect();
        // The words whose entry a changed paper gained, lost or flagged otherwise.
        let words: FxHashSet<WordId> = changed
            .iter()
            .flat_map(|(i, was)| symmetric_difference(was, &docs[*i as usize]))
            .map(|e| e >> 1)
            .collect();
        let mut flips = Vec::new();
        let lists: Vec<(WordId, Vec<u32>)> = words
            .iter()
            .map(|&w| {
                let (list, was_used) = self.repost(w, &papers, docs);
                // A word used before and after (or neither) leaves the terms as they were.
                if was_used == list.is_empty() {
                    flips.push((w, was_used));
                }
                (w, list)
            })
            .collect();
        flips.sort_unstable();
        let Plan {
            inversions,
            mut patched,
            terms,
            tag_terms,
            sizes,
            reach,
            cuts,
            shards,
            shard_hashes,
            doc_hashes,
            ..
        } = self;
        patched.extend(lists);
        let earlier = Earlier {
            terms,
            tag_terms,
            sizes,
            reach,
            cuts,
            shards,
            shard_hashes,
            doc_hashes,
            words,
            flips,
        };
        Some((inversions, patched, earlier))
    }

    /// The entries of word `w` once `papers` (sorted) have the words of `docs`: this plan's
    /// entries of other papers, and theirs anew; with whether the word was used before.
    fn repost(&self, w: WordId, papers: &[u32], docs: &[Arc<[u32]>]) -> (Vec<u32>, bool) {
        let before = self.word_postings(w);
        let was_used = before.iter().any(|s| !s.is_empty());
        let mut list: Vec<u32> = before
            .into_iter()
            .flat_map(Piece::entries)
            .filter(|&e| papers.binary_search(&(e >> 1)).is_err())
            .collect();
        for &i in papers {
            let doc = &docs[i as usize];
            if let Ok(at) = doc.binary_search_by_key(&w, |&e| e >> 1) {
                list.push(i << 1 | (doc[at] & 1));
            }
        }
        list.sort_unstable();
        (list, was_used)
    }

    /// Plans the terms of the papers of `segment` from their postings; `earlier` is what a
    /// previous plan may lend. With `sealed` (the plan of the whole index), the words of
    /// tag names and the document chunks too: with `earlier`'s document hashes (of the same
    /// site), only the chunks of `touched` papers are hashed again.
    #[allow(clippy::too_many_arguments)]
    fn of_postings(
        site: &Site,
        lexicon: &Lexicon,
        inversions: Vec<Inversion>,
        patched: Patched,
        mut earlier: Option<Earlier>,
        touched: &[PaperId],
        segment: Range<usize>,
        sealed: Option<Sealed>,
    ) -> Plan {
        let whole = sealed.is_some();
        let mut plan = Plan {
            segment,
            sealed: sealed.unwrap_or(Sealed::None),
            inversions,
            patched,
            words: 0,
            lexicon: lexicon.serial(),
            tag_terms: Vec::new(),
            terms: Vec::new(),
            sizes: Vec::new(),
            reach: Vec::new(),
            cuts: Vec::new(),
            shards: Vec::new(),
            shard_hashes: Vec::new(),
            doc_hashes: Vec::new(),
            dir_hashes: Vec::new(),
            head: Vec::new(),
            kept_shards: 0,
        };
        // Tag names find papers of every segment: their words are terms of the whole index.
        let by_tag_word = match whole {
            true => tag_words(site),
            false => BTreeMap::new(),
        };
        // Sized by the segment's papers alone: a sealed segment's shards end where they did
        // when the next day's papers come.
        let papers = plan.segment.len();
        let size = |plan: &Plan, t: &Term| plan.text(t, lexicon).len() + 2 + posting_bytes(&plan.postings(t), papers);
        // With the terms of `earlier`, the terms whose papers may have changed (by index,
        // ascending); `None` when every term is sized and hashed anew.
        let reused = earlier
            .as_mut()
            .filter(|e| e.same_tag_words(&by_tag_word))
            .and_then(|e| e.term_edits(lexicon).map(|edits| (e, edits)));
        // Where each term of `earlier` is in this plan, when words came into or went out of use.
        let mut moved_to = None;
        let dirty = match reused {
            Some((earlier, edits)) => {
                plan.keep_terms(by_tag_word, earlier);
                if !edits.is_empty() {
                    moved_to = Some(plan.edit_terms(&edits, lexicon));
                }
                let dirty = plan.dirty_terms(earlier, lexicon);
                if let Some(dirty) = &dirty {
                    for &i in dirty {
                        plan.sizes[i] = size(&plan, &plan.terms[i]);
                    }
                }
                dirty
            }
            None => {
                plan.collect_terms(by_tag_word, lexicon);
                None
            }
        };
        if dirty.is_none() {
            plan.sizes = plan.terms.par_iter().map(|t| size(&plan, t)).collect();
        }
        if plan.reach.len() != plan.terms.len() {
            (plan.reach, plan.cuts) = split_inputs(&plan.terms, |t| plan.text(t, lexicon));
        }
        // Beside a sealed segment a query word fetches a shard of each: the live segment's,
        // a month of papers, are cut smaller so that the two weigh about what one did.
        let target = match plan.sealed {
            Sealed::None => SHARD_BYTES,
            _ => LIVE_SHARD_BYTES,
        };
        plan.shards = split(&plan.sizes, &plan.reach, &plan.cuts, target);
        let kept = match (&earlier, &dirty) {
            (Some(earlier), Some(dirty)) => earlier.kept_hashes(dirty, moved_to.as_deref()),
            _ => FxHashMap::default(),
        };
        plan.shard_hashes = plan
            .shards
            .par_iter()
            .map(|range| match kept.get(&(range.start, range.end)) {
                Some(&hash) => hash,
                None => plan.hash_shard(range.clone(), lexicon),
            })
            .collect();
        plan.kept_shards = plan
            .shards
            .iter()
            .filter(|r| kept.contains_key(&(r.start, r.end)))
            .count();
        if !whole {
            return plan;
        }
        let chunks = docs_count(site.papers.len());
        plan.doc_hashes = match earlier {
            Some(Earlier { doc_hashes, .. }) if doc_hashes.len() == chunks => {
                let mut hashes = doc_hashes;
                for k in touched.iter().map(|&p| p / DOCS_PER_CHUNK) {
                    hashes[k] = hash_docs(site, k);
                }
                hashes
            }
            _ => (0..chunks).into_par_iter().map(|k| hash_docs(site, k)).collect(),
        };
        plan.dir_hashes = plan
            .doc_hashes
            .chunks(CHUNKS_PER_DIR)
            .map(|names| {
                let mut h = xxhash_rust::xxh3::Xxh3Default::new();
                h.write_u32(FORMAT);
                for &name in names {
                    h.write(name_hash(name).as_bytes());
                }
                h.finish()
            })
            .collect();
        plan.head = plan.head(site, lexicon);
        plan
    }

    /// Every term in byte order: the indexed words that some paper uses, and the words of
    /// tag names, which find the tag's papers.
    fn collect_terms(&mut self, by_tag_word: BTreeMap<String, Vec<u32>>, lexicon: &Lexicon) {
        let (inversions, patched) = (&self.inversions, &self.patched);
        let lists = |w: WordId| word_lists(inversions, patched, w);
        let used = |w: WordId| lists(w).iter().any(|s| !s.is_empty());
        let mut words = lexicon.sorted_lower().iter().copied().filter(|&w| used(w)).peekable();
        let mut tags = by_tag_word.into_iter().peekable();
        loop {
            let take_word = match (words.peek(), tags.peek()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(&w), Some((t, _))) => lexicon.text(w) < t.as_str(),
            };
            if take_word {
                let w = words.next().expect("peeked");
                let stem = lexicon.stem_hash(lexicon.stem(w));
                self.terms.push(Term {
                    source: Source::Word(w),
                    stem,
                });
                continue;
            }
            let (text, input) = tags.next().expect("peeked");
            let word = words.next_if(|&w| lexicon.text(w) == text);
            let tag_term = TagTerm {
                papers: tag_term_papers(input.clone(), word, lists),
                text,
                word,
                input,
            };
            let stem = match word {
                Some(w) => lexicon.stem_hash(lexicon.stem(w)),
                None => xxhash_rust::xxh3::xxh3_64(tag_stem(&tag_term.text).as_bytes()),
            };
            self.terms.push(Term {
                source: Source::Tag(self.tag_terms.len() as u32),
                stem,
            });
            self.tag_terms.push(tag_term);
        }
    }

    /// The terms of `earlier`, which are this plan's too (see [`Earlier::same_terms`]): only
    /// the papers of tag words whose tags or word changed are collected again. Walking every word of the lexicon was
    /// most of a patched plan at 100,000 papers.
    fn keep_terms(&mut self, by_tag_word: BTreeMap<String, Vec<u32>>, earlier: &mut Earlier) {
        let (inversions, patched) = (&self.inversions, &self.patched);
        let lists = |w: WordId| word_lists(inversions, patched, w);
        self.terms = std::mem::take(&mut earlier.terms);
        self.sizes = std::mem::take(&mut earlier.sizes);
        self.reach = std::mem::take(&mut earlier.reach);
        self.cuts = std::mem::take(&mut earlier.cuts);
        let by_tag_word: Vec<(String, Vec<u32>)> = by_tag_word.into_iter().collect();
        self.tag_terms = by_tag_word
            .into_par_iter()
            .zip(&earlier.tag_terms)
            .map(|((text, input), was)| {
                let same = input == was.input && was.word.is_none_or(|w| !earlier.words.contains(&w));
                TagTerm {
                    papers: if same {
                        was.papers.clone()
                    } else {
                        tag_term_papers(input.clone(), was.word, lists)
                    },
                    text,
                    word: was.word,
                    input,
                }
            })
            .collect();
    }

    /// The terms (kept from `earlier`, see [`Plan::keep_terms`]) whose papers may have
    /// changed since: those of the words the edit touched and the tag terms whose papers
    /// differ, by index, ascending. Looking each up by its text spares a pass over every
    /// term (sizing and comparing 300,000 terms was most of a patched plan at 100,000
    /// papers). `None` if one is not found: then every term is sized again.
    fn dirty_terms(&self, earlier: &Earlier, lexicon: &Lexicon) -> Option<Vec<usize>> {
        let find = |text: &str| find_term(&self.terms, &self.tag_terms, lexicon, text).ok();
        let mut dirty = Vec::with_capacity(earlier.words.len());
        for &w in &earlier.words {
            if earlier.flips.binary_search(&(w, true)).is_ok() {
                // Out of use: no longer a term.
                continue;
            }
            dirty.push(find(lexicon.text(w))?);
        }
        for (now, was) in self.tag_terms.iter().zip(&earlier.tag_terms) {
            if now != was {
                dirty.push(find(&now.text)?);
            }
        }
        dirty.sort_unstable();
        dirty.dedup();
        Some(dirty)
    }

    /// Applies `edits` (see [`Earlier::term_edits`]) to the terms kept from the last plan,
    /// with their sizes (an inserted term's is left to [`Plan::dirty_terms`]), stem reach
    /// and text hashes; returns where each earlier term now is (`u32::MAX`: removed). A
    /// word coming into use shifts every term after it, and planning all 300,000 terms
    /// anew for it was most of such a save at 100,000 papers.
    fn edit_terms(&mut self, edits: &[TermEdit], lexicon: &Lexicon) -> Vec<u32> {
        let n = self.terms.len();
        let grown = n + edits.len();
        let mut terms = Vec::with_capacity(grown);
        let (mut sizes, mut reach, mut cuts) = (
            Vec::with_capacity(grown),
            Vec::with_capacity(grown),
            Vec::with_capacity(grown),
        );
        let mut moved_to = Vec::with_capacity(n);
        let mut stems = FxHashSet::default();
        let mut edits = edits.iter().peekable();
        for i in 0..=n {
            while let Some(&&TermEdit::Insert(_, w)) = edits.peek().filter(|e| e.at() == i) {
                edits.next();
                let stem = lexicon.stem_hash(lexicon.stem(w));
                stems.insert(stem);
                terms.push(Term {
                    source: Source::Word(w),
                    stem,
                });
                sizes.push(0);
                reach.push(0);
                cuts.push(xxhash_rust::xxh3::xxh3_64(lexicon.text(w).as_bytes()));
            }
            if i == n {
                break;
            }
            if edits.next_if(|e| **e == TermEdit::Remove(i)).is_some() {
                stems.insert(self.terms[i].stem);
                moved_to.push(u32::MAX);
                continue;
            }
            moved_to.push(terms.len() as u32);
            terms.push(self.terms[i]);
            sizes.push(self.sizes[i]);
            reach.push(self.reach[i]);
            cuts.push(self.cuts[i]);
        }
        // A stem's reach is its last term: shifted like the terms, and found again for the
        // stems that gained or lost one.
        for (r, t) in reach.iter_mut().zip(&terms) {
            if !stems.contains(&t.stem) {
                *r = moved_to[*r as usize];
            }
        }
        let mut last: FxHashMap<u64, u32> = FxHashMap::default();
        for (j, t) in terms.iter().enumerate().filter(|(_, t)| stems.contains(&t.stem)) {
            last.insert(t.stem, j as u32);
        }
        for (r, t) in reach.iter_mut().zip(&terms) {
            if let Some(&j) = last.get(&t.stem) {
                *r = j;
            }
        }
        (self.terms, self.sizes, self.reach, self.cuts) = (terms, sizes, reach, cuts);
        moved_to
    }

    fn text<'s>(&'s self, t: &Term, lexicon: &'s Lexicon) -> &'s str {
        term_text(t, &self.tag_terms, lexicon)
    }

    /// A term's stem, as [`Plan::collect_terms`] hashed it.
    fn stem_text<'s>(&'s self, t: &Term, lexicon: &'s Lexicon) -> std::borrow::Cow<'s, str> {
        match t.source {
            Source::Word(w) => lexicon.stem_text(lexicon.stem(w)).into(),
            Source::Tag(i) => match &self.tag_terms[i as usize] {
                TagTerm { word: Some(w), .. } => lexicon.stem_text(lexicon.stem(*w)).into(),
                TagTerm { text, .. } => tag_stem(text).into(),
            },
        }
    }

    /// A term's papers as `paper << 1 | in_title`, ascending, in pieces.
    fn postings(&self, t: &Term) -> Vec<Piece<'_>> {
        match t.source {
            Source::Word(w) => self.word_postings(w),
            Source::Tag(i) => vec![Piece::List(&self.tag_terms[i as usize].papers)],
        }
    }

    /// A word's papers, as [`Plan::postings`] gives them.
    fn word_postings(&self, w: WordId) -> Vec<Piece<'_>> {
        word_lists(&self.inversions, &self.patched, w)
    }

    /// The hash of a shard: its terms, their links and papers, and the format.
    fn hash_shard(&self, range: Range<usize>, lexicon: &Lexicon) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3Default::new();
        h.write_u32(FORMAT);
        for (i, back) in links(&self.terms[range.clone()]) {
            let t = &self.terms[range.start + i];
            h.write(self.text(t, lexicon).as_bytes());
            h.write_u8(0xff);
            h.write_u32(back);
            let mut n = 0;
            let mut buf = [0u8; 4096];
            let mut held = 0;
            for e in self.postings(t).into_iter().flat_map(Piece::entries) {
                if held == buf.len() {
                    h.write(&buf);
                    held = 0;
                }
                buf[held..held + 4].copy_from_slice(&e.to_le_bytes());
                held += 4;
                n += 1;
            }
            h.write(&buf[..held]);
            h.write_usize(n);
        }
        h.finish()
    }

    /// How many term shards there are.
    pub(crate) fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// Per term shard, its first term (empty for the first) and its hash.
    fn shard_list<'s>(&'s self, lexicon: &'s Lexicon) -> impl Iterator<Item = (&'s str, u64)> + 's {
        self.shards
            .iter()
            .zip(&self.shard_hashes)
            .enumerate()
            .map(|(k, (range, &hash))| {
                let first = match k {
                    0 => "",
                    _ => self.text(&self.terms[range.start], lexicon),
                };
                (first, hash)
            })
    }

    /// How many term shards the sealed segment has (none without one).
    pub(crate) fn sealed_count(&self) -> usize {
        match &self.sealed {
            Sealed::None => 0,
            Sealed::Planned(plan) => plan.shard_count(),
            Sealed::Stored(stored) => stored.shards.len(),
        }
    }

    /// The hash of the sealed segment's term shard `k`.
    pub(crate) fn sealed_hash(&self, k: usize) -> u64 {
        match &self.sealed {
            Sealed::None => unreachable!("no sealed segment"),
            Sealed::Planned(plan) => plan.shard_hashes[k],
            Sealed::Stored(stored) => stored.shards[k].hash,
        }
    }

    /// The sealed segment's term shard `k`, as [`Plan::shard`] writes one.
    pub(crate) fn sealed_shard(&self, k: usize, lexicon: &Lexicon) -> anyhow::Result<Vec<u8>> {
        match &self.sealed {
            Sealed::None => unreachable!("no sealed segment"),
            Sealed::Planned(plan) => Ok(plan.shard(k, lexicon)),
            Sealed::Stored(stored) => stored.shard(k),
        }
    }

    /// Takes the sealed segment from `stored`, the file this build just stored from this
    /// plan's own sealed shards (see [`Plan::sealed_to_store`]): its pages then read the
    /// shards from there instead of making each a second time, and the planned terms are
    /// freed. Nothing changes unless `stored` holds the same shards.
    pub(crate) fn take_stored_sealed(&mut self, stored: Arc<StoredSealed>) {
        let Sealed::Planned(plan) = &self.sealed else {
            return;
        };
        let same = stored.shards.len() == plan.shard_count()
            && stored
                .shards
                .iter()
                .zip(&plan.shard_hashes)
                .all(|(s, &hash)| s.hash == hash);
        if same {
            self.sealed = Sealed::Stored(stored);
        }
    }

    /// The sealed segment this plan planned, for the next build to take (see
    /// `search_sealed.rs`): its papers, and its shards, made a few at a time as they are
    /// taken. `None` when it has none or took it from the last build.
    pub(crate) fn sealed_to_store<'s>(
        &'s self,
        lexicon: &'s Lexicon,
    ) -> Option<(usize, impl Iterator<Item = ShardToStore> + 's)> {
        let Sealed::Planned(plan) = &self.sealed else {
            return None;
        };
        let firsts: Vec<(String, u64)> = plan.shard_list(lexicon).map(|(f, h)| (f.to_string(), h)).collect();
        let n = firsts.len();
        let shards = (0..n).step_by(STORE_BATCH).flat_map(move |start| {
            (start..(start + STORE_BATCH).min(n))
                .into_par_iter()
                .map(|k| (firsts[k].0.clone(), firsts[k].1, plan.shard(k, lexicon)))
                .collect::<Vec<_>>()
        });
        Some((plan.segment.len(), shards))
    }

    /// Term shard `k` as JSON: `{"v":5,"terms":"…"}`, the shard's terms in byte order
    /// joined by `;`. A term is `P SUFFIX [~BACK] : PAPERS`:
    ///
    /// - the word is the previous word's first `P` characters (one base-36 digit) followed
    ///   by `SUFFIX` (front coding: sorted words share long prefixes);
    /// - `~BACK`, when present, links it to the term `BACK` places before it (base 36),
    ///   which has the same stem;
    /// - `!Q REST`, on the first term of a stem in the shard (one without `~BACK`) whose
    ///   stem is not the word itself: the stem is the word's first `Q` characters (one
    ///   base-36 digit) followed by `REST`. A segment without a query word finds the forms
    ///   the word's stem has there, which the other segment's forms need not lead to
    ///   ("quantizing" in the newest month for "quantized" in older papers);
    /// - `PAPERS` are the papers using it, ascending, as base-36 numbers joined by `,`: each
    ///   is twice the difference from the previous paper (from 0 for the first), plus 1 when
    ///   the title uses the word.
    pub(crate) fn shard(&self, k: usize, lexicon: &Lexicon) -> Vec<u8> {
        let range = self.shards[k].clone();
        let terms = &self.terms[range.clone()];
        let mut out: Vec<u8> = Vec::with_capacity(SHARD_BYTES * 2);
        out.extend_from_slice(b"{\"v\":");
        out.extend_from_slice(itoa::Buffer::new().format(FORMAT).as_bytes());
        out.extend_from_slice(b",\"terms\":\"");
        let mut previous = "";
        for (i, back) in links(terms) {
            let t = &terms[i];
            let word = self.text(t, lexicon);
            if i > 0 {
                out.push(b';');
            }
            // Words are letters and digits, and the rest is `;:,~!`: nothing JSON escapes.
            push_front_coded(&mut out, previous, word);
            if back > 0 {
                out.push(b'~');
                push_base36(&mut out, back as usize);
            } else {
                let stem = self.stem_text(t, lexicon);
                if stem != word {
                    out.push(b'!');
                    push_front_coded(&mut out, word, &stem);
                }
            }
            out.push(b':');
            let mut prev = 0;
            let mut first = true;
            for e in self.postings(t).into_iter().flat_map(Piece::entries) {
                if !first {
                    out.push(b',');
                }
                first = false;
                let paper = e >> 1;
                push_base36(&mut out, ((paper - prev) * 2 + (e & 1)) as usize);
                prev = paper;
            }
            previous = word;
        }
        out.extend_from_slice(b"\"}\n");
        out
    }

    /// The head, `search/index.json`:
    ///
    /// - `v`: the format; `papers`: how many; `chunk`: papers per document chunk;
    /// - `days`: how many papers each day has, oldest first (papers are numbered by day,
    ///   so this gives every paper's day, which orders results);
    /// - `stop`: the words left out of the index, which queries skip;
    /// - `shards`: per term shard, `[first term, hash]`, in term order: shard `k` holds
    ///   the terms from its first up to the next shard's; the file is `t-HASH.json`;
    /// - `sealed`: the same for the term shards of the sealed segment (the papers before
    ///   `shards`' papers; empty when there is none); the file is `s-HASH.json`;
    /// - `dirs`: the hashes of the directories, 8 characters each, in paper order; a
    ///   directory's file is `i-HASH.json`, and `dir` says how many chunks each names.
    fn head(&self, site: &Site, lexicon: &Lexicon) -> Vec<u8> {
        let mut out = Vec::with_capacity(1024 + self.dir_hashes.len() * 8 + self.shards.len() * 24);
        let mut digits = itoa::Buffer::new();
        out.extend_from_slice(b"{\"v\":");
        out.extend_from_slice(digits.format(FORMAT).as_bytes());
        out.extend_from_slice(b",\"papers\":");
        out.extend_from_slice(digits.format(site.papers.len()).as_bytes());
        out.extend_from_slice(b",\"chunk\":");
        out.extend_from_slice(digits.format(DOCS_PER_CHUNK).as_bytes());
        out.extend_from_slice(b",\"dir\":");
        out.extend_from_slice(digits.format(CHUNKS_PER_DIR).as_bytes());
        out.extend_from_slice(b",\"days\":[");
        let mut run = 0;
        for (i, p) in site.papers.iter().enumerate() {
            run += 1;
            if site.papers.get(i + 1).is_none_or(|next| next.date != p.date) {
                if out.last() != Some(&b'[') {
                    out.push(b',');
                }
                out.extend_from_slice(digits.format(run).as_bytes());
                run = 0;
            }
        }
        out.extend_from_slice(b"],\"stop\":[");
        let mut stop: Vec<&str> = SEARCH_STOP_WORDS.to_vec();
        stop.sort_unstable();
        stop.dedup();
        for (i, w) in stop.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json_str(&mut out, w);
        }
        out.extend_from_slice(b"],\"shards\":[");
        push_shards(&mut out, self.shard_list(lexicon));
        out.extend_from_slice(b"],\"sealed\":[");
        match &self.sealed {
            Sealed::None => {}
            Sealed::Planned(plan) => push_shards(&mut out, plan.shard_list(lexicon)),
            Sealed::Stored(stored) => push_shards(&mut out, stored.shards.iter().map(|s| (s.first.as_str(), s.hash))),
        }
        out.extend_from_slice(b"],\"dirs\":\"");
        for &h in &self.dir_hashes {
            out.extend_from_slice(name_hash(h).as_bytes());
        }
        out.extend_from_slice(b"\"}\n");
        out
    }

    /// Directory `j` as JSON: `{"v":3,"docs":"…"}`, the hashes of its document chunks,
    /// 8 characters each; a chunk's file is `d-HASH.json`.
    pub(crate) fn dir(&self, j: usize) -> Vec<u8> {
        let names = self
            .doc_hashes
            .chunks(CHUNKS_PER_DIR)
            .nth(j)
            .expect("a directory of the plan");
        let mut out = Vec::with_capacity(32 + names.len() * 8);
        out.extend_from_slice(b"{\"v\":");
        out.extend_from_slice(itoa::Buffer::new().format(FORMAT).as_bytes());
        out.extend_from_slice(b",\"docs\":\"");
        for &h in names {
            out.extend_from_slice(name_hash(h).as_bytes());
        }
        out.extend_from_slice(b"\"}\n");
        out
    }
}

/// Appends `[first term, hash]` per shard, joined by commas.
fn push_shards<'s>(out: &mut Vec<u8>, shards: impl Iterator<Item = (&'s str, u64)>) {
    for (k, (first, hash)) in shards.enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"[\"");
        out.extend_from_slice(first.as_bytes());
        out.extend_from_slice(b"\",\"");
        out.extend_from_slice(name_hash(hash).as_bytes());
        out.extend_from_slice(b"\"]");
    }
}

impl Sealed {
    /// How many papers the segment holds the words of.
    fn papers(&self) -> usize {
        match self {
            Sealed::None => 0,
            Sealed::Planned(plan) => plan.segment.len(),
            Sealed::Stored(stored) => stored.papers,
        }
    }

    /// Whether a plan with it can be patched: not when it was stored (its words are
    /// not in memory).
    fn can_patch(&self) -> bool {
        !matches!(self, Sealed::Stored(_))
    }
}

/// Every word of tag names that the index holds, with the papers of its tags (no title
/// flag), unsorted.
fn tag_words(site: &Site) -> BTreeMap<String, Vec<u32>> {
    let mut by_tag_word: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut buf = String::new();
    for tag in &site.tags {
        for word in words(&tag.name) {
            let word = lowercased(word, &mut buf);
            if word.chars().nth(1).is_none() || SEARCH_STOP_WORDS.contains(&word) || LATEX_MACROS.contains(&word) {
                continue;
            }
            by_tag_word
                .entry(word.to_string())
                .or_default()
                .extend(tag.papers.iter().map(|&p| (p as u32) << 1));
        }
    }
    by_tag_word
}

/// A tag word's papers: its tags' (sorted here), and those of the same `word` of titles and
/// abstracts, if any.
fn tag_term_papers<'p>(
    mut papers: Vec<u32>,
    word: Option<WordId>,
    lists: impl Fn(WordId) -> Vec<Piece<'p>>,
) -> Vec<u32> {
    papers.sort_unstable();
    papers.dedup();
    match word {
        Some(w) => union(&papers, lists(w).into_iter().flat_map(Piece::entries)),
        None => papers,
    }
}

/// A term's text: the lexicon's word, or the tag word's (from `tag_terms`, the plan's).
fn term_text<'s>(t: &Term, tag_terms: &'s [TagTerm], lexicon: &'s Lexicon) -> &'s str {
    match t.source {
        Source::Word(w) => lexicon.text(w),
        Source::Tag(i) => &tag_terms[i as usize].text,
    }
}

/// The stem of a word of tag names that no title or abstract uses (the lexicon stems the
/// others).
fn tag_stem(text: &str) -> String {
    rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English)
        .stem(text)
        .into_owned()
}

/// Where the term with `text` is in `terms` (in byte order), or where it would go.
fn find_term(terms: &[Term], tag_terms: &[TagTerm], lexicon: &Lexicon, text: &str) -> Result<usize, usize> {
    terms.binary_search_by(|t| term_text(t, tag_terms, lexicon).cmp(text))
}

/// The entries of two ascending lists that are in one but not the other.
fn symmetric_difference<'l>(a: &'l [u32], b: &'l [u32]) -> impl Iterator<Item = u32> + 'l {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        loop {
            match (a.get(i), b.get(j)) {
                (None, None) => return None,
                (Some(&x), Some(&y)) if x == y => (i, j) = (i + 1, j + 1),
                (Some(&x), Some(&y)) if x < y => {
                    i += 1;
                    return Some(x);
                }
                (Some(&x), None) => {
                    i += 1;
                    return Some(x);
                }
                (_, Some(&y)) => {
                    j += 1;
                    return Some(y);
                }
            }
        }
    })
}

/// A word's papers in pieces: its patched list, or its list in each inversion.
fn word_lists<'p>(inversions: &'p [Inversion], patched: &'p Patched, w: WordId) -> Vec<Piece<'p>> {
    match patched.get(&w) {
        Some(list) => vec![Piece::List(list)],
        None => inversions.iter().map(|s| s.of(w)).collect(),
    }
}

/// What a watch-mode plan keeps of the last save's: its terms and shards, and which words'
/// papers changed since.
struct Earlier {
    terms: Vec<Term>,
    tag_terms: Vec<TagTerm>,
    sizes: Vec<usize>,
    reach: Vec<u32>,
    cuts: Vec<u64>,
    shards: Vec<Range<usize>>,
    shard_hashes: Vec<u64>,
    /// Hashes of the document chunks, by chunk; empty when the papers may have changed
    /// beyond the words.
    doc_hashes: Vec<u64>,
    words: FxHashSet<WordId>,
    /// The words that came into use (no paper used them before) or went out of it (their
    /// last use was dropped), with whether they were used before, ascending.
    flips: Vec<(WordId, bool)>,
}

/// A change to the terms of the last plan, at a term's index in it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TermEdit {
    /// A word that came into use, before the term at this index (or last).
    Insert(usize, WordId),
    /// The term at this index, a word that went out of use.
    Remove(usize),
}

impl TermEdit {
    fn at(&self) -> usize {
        match *self {
            TermEdit::Insert(at, _) | TermEdit::Remove(at) => at,
        }
    }
}

impl Earlier {
    /// Whether the next plan has the same words in tag names.
    fn same_tag_words(&self, by_tag_word: &BTreeMap<String, Vec<u32>>) -> bool {
        by_tag_word.len() == self.tag_terms.len()
            && by_tag_word.keys().zip(&self.tag_terms).all(|(text, t)| *text == t.text)
    }

    /// How the words that came into or went out of use change the terms: sorted by index
    /// (insertions at an index first, by text). `None` when one is also a word of a tag
    /// name, whose term stays but changes how it is made: the terms are then collected anew.
    fn term_edits(&self, lexicon: &Lexicon) -> Option<Vec<TermEdit>> {
        let mut edits = Vec::with_capacity(self.flips.len());
        for &(w, was_used) in &self.flips {
            let found = find_term(&self.terms, &self.tag_terms, lexicon, lexicon.text(w));
            edits.push(match (found, was_used) {
                (Err(at), false) => TermEdit::Insert(at, w),
                (Ok(at), true) if self.terms[at].source == Source::Word(w) => TermEdit::Remove(at),
                _ => return None,
            });
        }
        edits.sort_by(|a, b| {
            let key = |e: &TermEdit| match *e {
                TermEdit::Insert(at, w) => (at, 0, lexicon.text(w)),
                TermEdit::Remove(at) => (at, 1, ""),
            };
            key(a).cmp(&key(b))
        });
        Some(edits)
    }

    /// The hashes a plan can keep, by shard: a shard the earlier plan had too (the same
    /// terms, wherever `moved_to` put them, and nothing inserted between them) with none
    /// of the `dirty` terms (ascending, by index in the new plan) in it.
    fn kept_hashes(&self, dirty: &[usize], moved_to: Option<&[u32]>) -> FxHashMap<(usize, usize), u64> {
        self.shards
            .iter()
            .zip(&self.shard_hashes)
            .filter(|(range, _)| !range.is_empty())
            .filter_map(|(range, &hash)| {
                let range = match moved_to {
                    None => range.clone(),
                    Some(to) => {
                        let (start, last) = (to[range.start], to[range.end - 1]);
                        let whole = start != u32::MAX && last != u32::MAX;
                        let same = whole && (last - start) as usize == range.len() - 1;
                        let gone = range.clone().any(|i| to[i] == u32::MAX);
                        if !same || gone {
                            return None;
                        }
                        start as usize..last as usize + 1
                    }
                };
                let first = dirty.partition_point(|&i| i < range.start);
                dirty
                    .get(first)
                    .is_none_or(|&i| i >= range.end)
                    .then_some(((range.start, range.end), hash))
            })
            .collect()
    }
}

/// The union of a tag's papers (without title flags) and a word's (with them), both
/// ascending: each paper once, with the word's flag.
fn union(tagged: &[u32], word: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut out = Vec::with_capacity(tagged.len());
    let mut tagged = tagged.iter().copied().peekable();
    for e in word {
        while let Some(t) = tagged.next_if(|&t| t >> 1 < e >> 1) {
            out.push(t);
        }
        tagged.next_if(|&t| t >> 1 == e >> 1);
        out.push(e);
    }
    out.extend(tagged);
    out
}

/// Per term of a shard, its position and how many places back the previous term with
/// the same stem is (0: none in the shard).
fn links(terms: &[Term]) -> impl Iterator<Item = (usize, u32)> + '_ {
    let mut last: FxHashMap<u64, usize> = FxHashMap::default();
    terms.iter().enumerate().map(move |(i, t)| {
        let back = last.insert(t.stem, i).map_or(0, |j| (i - j) as u32);
        (i, back)
    })
}

/// What [`split`] reads of the terms besides their sizes: per term, the index of its stem's
/// last term, and the hash of its text. They change only with the terms.
fn split_inputs<'t>(terms: &'t [Term], text: impl Fn(&'t Term) -> &'t str + Sync) -> (Vec<u32>, Vec<u64>) {
    let mut last: FxHashMap<u64, u32> = FxHashMap::default();
    for (i, t) in terms.iter().enumerate() {
        last.insert(t.stem, i as u32);
    }
    let reach = terms.iter().map(|t| last[&t.stem]).collect();
    let cuts = terms
        .par_iter()
        .map(|t| xxhash_rust::xxh3::xxh3_64(text(t).as_bytes()))
        .collect();
    (reach, cuts)
}

/// Splits terms (in byte order, with their sizes in bytes and [`split_inputs`]) into shards of about
/// `target` bytes, never between two terms with the same stem. Where a shard ends depends
/// only on the terms near its end, not on everything before it: after half the size, a
/// shard ends before a term whose text hashes to a multiple of a power of two chosen for
/// the average term size (or at twice the size). An edit that changes some terms then
/// moves no boundary but maybe the nearest, and the other shards keep their names.
fn split(sizes: &[usize], reach: &[u32], cuts: &[u64], target: usize) -> Vec<Range<usize>> {
    if sizes.is_empty() {
        // One empty shard: the browser always has a shard to look in.
        return std::iter::once(0..0).collect();
    }
    let total: usize = sizes.iter().sum();
    let average = (total / sizes.len()).max(1);
    let min = target / 2;
    let wanted_terms = ((target - min) / average).max(1);
    let bits = (wanted_terms as f64).log2().round() as u32;
    let mask = (1u64 << bits.min(40)) - 1;
    let mut shards = Vec::new();
    let (mut start, mut size, mut far) = (0, 0, 0);
    for i in 0..sizes.len() {
        let free = far < i;
        if free && size >= min && (size >= 2 * target || cuts[i] & mask == 0) {
            shards.push(start..i);
            (start, size) = (i, 0);
        }
        size += sizes[i];
        far = far.max(reach[i] as usize);
    }
    shards.push(start..sizes.len());
    shards
}

/// About how many bytes a term's papers take in a shard: a comma and the digits of the
/// average gap, each.
fn posting_bytes(pieces: &[Piece], papers: usize) -> usize {
    let n: usize = pieces.iter().map(|p| p.len()).sum();
    let gap = 2 * papers / n.max(1);
    n * match gap {
        0..36 => 2,
        36..1296 => 3,
        1296..46656 => 4,
        _ => 5,
    }
}

/// The hash of document chunk `k`: everything it shows of its papers, and the format.
fn hash_docs(site: &Site, k: usize) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3Default::new();
    h.write_u32(FORMAT);
    h.write_usize(k);
    for p in &site.papers[docs_range(k, site.papers.len())] {
        // The text hash covers the title and the abstract.
        h.write_u64(p.text_hash);
        h.write(p.slug.as_bytes());
        h.write_u8(0xff);
        h.write_i32(chrono::Datelike::num_days_from_ce(&p.date));
        for &t in &p.tags {
            h.write(site.tags[t].name.as_bytes());
            h.write_u8(0xff);
        }
        h.write_u8(0xfe);
    }
    h.finish()
}

/// Document chunk `k` as JSON: `{"v":3,"docs":[…]}`, per paper `[title, slug, ISO date,
/// date as pages show it, [tag names], abstract]` (the abstract as plain text, at most
/// [`SNIPPET_SOURCE_MAX`] characters).
pub(crate) fn docs(site: &Site, k: usize, dates: &DateForms) -> Vec<u8> {
    let papers = &site.papers[docs_range(k, site.papers.len())];
    let mut out = Vec::with_capacity(papers.len() * 1600);
    out.extend_from_slice(b"{\"v\":");
    out.extend_from_slice(itoa::Buffer::new().format(FORMAT).as_bytes());
    out.extend_from_slice(b",\"docs\":[");
    for (i, p) in papers.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        json_str(&mut out, &p.title);
        out.push(b',');
        json_str(&mut out, &p.slug);
        out.push(b',');
        json_str(&mut out, &dates.iso(p.date));
        out.push(b',');
        json_str(&mut out, &dates.display(p.date));
        out.extend_from_slice(b",[");
        for (j, &t) in p.tags.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            json_str(&mut out, &site.tags[t].name);
        }
        out.extend_from_slice(b"],");
        let text = p.abstract_text.read();
        let text: &str = &text;
        let cut = match text.len() > SNIPPET_SOURCE_MAX {
            true => text
                .char_indices()
                .nth(SNIPPET_SOURCE_MAX)
                .map_or(text, |(at, _)| &text[..at]),
            false => text,
        };
        json_str(&mut out, cut);
        out.push(b']');
    }
    out.extend_from_slice(b"]}\n");
    out
}

/// Appends `s` as a JSON string, as serde_json would write it.
fn json_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(out, s).expect("writing to memory succeeds");
    }
}

/// `text` as how many of `base`'s first characters it begins with (one base-36 digit, at
/// most 35) and the rest of it: a shard's words after the word before them, and stems
/// after their word.
fn push_front_coded(out: &mut Vec<u8>, base: &str, text: &str) {
    let shared = common_prefix_chars(base, text).min(35);
    push_base36(out, shared);
    let rest = text.char_indices().nth(shared).map_or("", |(at, _)| &text[at..]);
    out.extend_from_slice(rest.as_bytes());
}

/// How many leading characters two words share.
fn common_prefix_chars(a: &str, b: &str) -> usize {
    let bytes = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    // Back to a character boundary: the words may differ inside a multi-byte character.
    let mut end = bytes;
    while !b.is_char_boundary(end) {
        end -= 1;
    }
    if b[..end].is_ascii() {
        end
    } else {
        b[..end].chars().count()
    }
}

fn push_base36(out: &mut Vec<u8>, n: usize) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n < 36 {
        out.push(DIGITS[n]);
        return;
    }
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    let mut n = n;
    while n > 0 {
        i -= 1;
        buf[i] = DIGITS[n % 36];
        n /= 36;
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::fresh_words;

    #[test]
    fn an_inversion_decodes_to_the_papers_of_each_word() {
        // Word w is used by every paper a multiple of GAPS[w] apart, in the title by odd
        // papers: gaps of one to three LEB128 bytes, and a slice that starts far in (its
        // first gaps take five).
        const GAPS: [u32; 5] = [1, 127, 128, 16_384, 20_000];
        let first = 150_000_000;
        let papers = 60_000u32;
        let docs: Vec<Arc<[u32]>> = (0..papers)
            .map(|d| {
                let paper = first + d;
                let words = (0..GAPS.len() as u32).filter(|&w| paper % GAPS[w as usize] == 0);
                words.map(|w| w << 1 | (paper & 1)).collect()
            })
            .collect();
        let inversion = Inversion::new(&docs, GAPS.len() + 1, first as usize);
        for (w, gap) in GAPS.iter().enumerate() {
            let want: Vec<u32> = (first..first + papers)
                .filter(|p| p % gap == 0)
                .map(|p| p << 1 | (p & 1))
                .collect();
            let piece = inversion.of(w as WordId);
            assert_eq!(piece.entries().collect::<Vec<u32>>(), want, "gap {gap}");
            assert_eq!(piece.len(), want.len());
        }
        assert!(inversion.of(GAPS.len() as WordId).is_empty());
        assert!(inversion.of(99).is_empty(), "a word newer than the inversion");
        // One byte an entry where papers are close, after a first gap of 150,000,000 (five).
        assert_eq!(
            inversion.of(0).len() + 4,
            match inversion.of(0) {
                Piece::Coded(bytes) => bytes.len(),
                Piece::List(_) => unreachable!(),
            }
        );
    }

    #[test]
    fn gaps_are_base36() {
        let mut s = Vec::new();
        for n in [0, 35, 36, 1295, 1296] {
            push_base36(&mut s, n);
            s.push(b' ');
        }
        assert_eq!(s, b"0 z 10 zz 100 ");
        assert_eq!(name_hash(0), "00000000");
        assert_eq!(name_hash(36u64.pow(8) + 35), "0000000z");
    }

    #[test]
    fn words_are_front_coded_with_title_flags_and_stem_links() {
        let text = "Graph nets\nGraphs of graph. And of graph.\nGraphene\nGraph sheets. Of sheets.\n";
        let config = crate::config::Config::default();
        let path = std::path::Path::new("2026-11-26.txt");
        let file = crate::content::parse_text(text, path, &config, &mut |_| {}).unwrap();
        let site = crate::content::assemble([&file]);
        let (lexicon, words) = fresh_words(&site);
        let plan = Plan::new(&site, &lexicon, &words, None);
        assert_eq!(plan.shard_count(), 1);
        let json: serde_json::Value = serde_json::from_slice(&plan.shard(0, &lexicon)).unwrap();
        // graph: paper 0 (title) and 1 (abstract); graphene: paper 1 (title); graphs: paper
        // 0 (abstract), linked to graph, 2 terms back; nets, paper 0 (title); sheets: 1.
        // Stems other than the word follow the first term of theirs: graphen, net, sheet.
        assert_eq!(json["terms"], "0graph:1,2;5ene!7:3;5s~2:0;0nets!3:1;0sheets!5:2");
        let head: serde_json::Value = serde_json::from_slice(&plan.head).unwrap();
        assert_eq!(head["shards"][0][0], "");
        assert_eq!(head["days"], serde_json::json!([2]));
        assert_eq!(head["dirs"].as_str().unwrap().len(), 8);
        let dir: serde_json::Value = serde_json::from_slice(&plan.dir(0)).unwrap();
        assert_eq!(dir["docs"].as_str().unwrap().len(), 8);
    }

    #[test]
    fn the_stems_of_tag_words_are_written_like_the_stems_of_text_words() {
        let (mut lexicon, mut words) = Default::default();
        let text = "Graph nets\nStudies of graphs.\n";
        let tags: &[(&str, &[usize])] = &[("Robotics", &[0]), ("Graphing", &[1])];
        let (_, plan, _) = plans(text, tags, &mut lexicon, &mut words, None, None);
        let json: serde_json::Value = serde_json::from_slice(&plan.shard(0, &lexicon)).unwrap();
        let terms = json["terms"].as_str().unwrap();
        let entries: Vec<&str> = terms.split(';').collect();
        let has = |start: &str| entries.iter().any(|e| e.starts_with(start));
        // Words only tag names have are stemmed as text words are: "robotics" carries its
        // stem ("robot"), and "graphing" is linked to "graph".
        assert!(has("0robotics!5:"), "{terms}");
        assert!(has("5ing~"), "{terms}");
        assert!(has("0studies!5:"), "the lexicon's stem, studi: {terms}");
    }

    /// A digest of `n` papers whose words come from a vocabulary of 4,000, some shared
    /// stems among them, so that the index has several shards.
    fn digest(n: usize, edit: impl Fn(usize, String) -> String) -> String {
        let word = |k: usize| format!("{}{}", ["graph", "flow", "token", "vision"][k % 4], k / 4 % 1000);
        let mut text = String::new();
        for i in 0..n {
            let title: Vec<String> = (0..4).map(|j| word(i * 7 + j * 13)).collect();
            let abstract_: Vec<String> = (0..30).map(|j| word(i * 31 + j * 17 + i % 5)).collect();
            text += &format!("{}\n{}.\n", title.join(" "), edit(i, abstract_.join(" ")));
        }
        text
    }

    /// The plan watch mode makes of `text` with `tags` (name, papers) after `previous`, and
    /// a fresh one. `edited`: the papers a patched save says it edited (the words of the
    /// others are not looked at), else every paper's words are compared with the last.
    fn plans(
        text: &str,
        tags: &[(&str, &[usize])],
        lexicon: &mut Lexicon,
        words: &mut crate::enrich::SearchWords,
        previous: Option<Plan>,
        edited: Option<&[usize]>,
    ) -> (Plan, Plan, Site) {
        let config = crate::config::Config::default();
        let path = std::path::Path::new("2026-11-26.txt");
        let mut site =
            crate::content::assemble([&crate::content::parse_text(text, path, &config, &mut |_| {}).unwrap()]);
        site.tags = tags
            .iter()
            .map(|(name, papers)| crate::model::Tag {
                slug: crate::model::slugify(name),
                name: name.to_string(),
                papers: papers.to_vec(),
            })
            .collect();
        let tokens = lexicon.tokenize_papers(&site.papers, |p| !words.has(p.text_hash));
        let prepared = words.prepare(&site, lexicon, &tokens, edited);
        let after = Plan::after(previous, &site, lexicon, &prepared, None);
        let fresh = Plan::new(&site, lexicon, &prepared, None);
        (after, fresh, site)
    }

    fn assert_same(after: &Plan, fresh: &Plan, lexicon: &Lexicon, what: &str) {
        assert_eq!(after.terms, fresh.terms, "{what}");
        assert_eq!(
            (&after.sizes, &after.reach, &after.cuts),
            (&fresh.sizes, &fresh.reach, &fresh.cuts),
            "{what}"
        );
        assert_eq!(after.shard_hashes, fresh.shard_hashes, "{what}");
        assert_eq!(after.doc_hashes, fresh.doc_hashes, "{what}");
        assert_eq!(after.head, fresh.head, "{what}");
        for k in 0..fresh.shard_count() {
            assert_eq!(after.shard(k, lexicon), fresh.shard(k, lexicon), "{what}: shard {k}");
        }
    }

    /// Every term's papers (paper → whether a title uses the term) in term shards as
    /// written, a term in several shards (segments) having the papers of each.
    fn postings_of(shards: impl Iterator<Item = Vec<u8>>) -> BTreeMap<String, BTreeMap<u32, bool>> {
        let mut out: BTreeMap<String, BTreeMap<u32, bool>> = BTreeMap::new();
        for bytes in shards {
            let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let mut previous = String::new();
            for entry in json["terms"].as_str().unwrap().split(';').filter(|e| !e.is_empty()) {
                let (word, papers) = entry.split_once(':').unwrap();
                let word = word.split('~').next().unwrap();
                let shared = usize::from_str_radix(&word[..1], 36).unwrap();
                previous = previous[..shared].to_string() + &word[1..];
                let mut paper = 0;
                for gap in papers.split(',') {
                    let v = u32::from_str_radix(gap, 36).unwrap();
                    paper += v >> 1;
                    *out.entry(previous.clone()).or_default().entry(paper).or_default() |= v & 1 == 1;
                }
            }
        }
        out
    }

    /// Papers `0..n` of [`digest`] `total`, in a digest file of `date`.
    fn digest_part(total: usize, papers: Range<usize>, date: &str) -> crate::content::SourceFile {
        let text = digest(total, |_, a| a);
        let lines: Vec<&str> = text.lines().skip(2 * papers.start).take(2 * papers.len()).collect();
        let path = std::path::PathBuf::from(format!("{date}.txt"));
        crate::content::parse_text(&(lines.join("\n") + "\n"), &path, &Default::default(), &mut |_| {}).unwrap()
    }

    #[test]
    fn a_sealed_segment_and_the_live_one_hold_the_whole_index_between_them() {
        let october = digest_part(2_400, 0..2_100, "2026-10-15");
        let november = digest_part(2_400, 2_100..2_300, "2026-11-26");
        let mut site = crate::content::assemble([&october, &november]);
        // Tags of sealed and live papers, with a word the papers use and words they do not.
        site.tags = [
            ("Graph0 Learning", vec![1, 2, 2_200]),
            ("Quantum Stuff", vec![4, 2_250]),
        ]
        .into_iter()
        .map(|(name, papers)| crate::model::Tag {
            slug: crate::model::slugify(name),
            name: name.to_string(),
            papers,
        })
        .collect();
        assert_eq!(site.sealed_papers(), 2_100);
        let (lexicon, words) = fresh_words(&site);
        let plan = Plan::new(&site, &lexicon, &words, None);
        assert!(
            plan.sealed_count() > 3 && plan.shard_count() > 1,
            "{} {}",
            plan.sealed_count(),
            plan.shard_count()
        );
        let whole = Plan::with_sealed(&site, &lexicon, &words, Sealed::None);
        assert_eq!(whole.sealed_count(), 0);
        let live = (0..plan.shard_count()).map(|k| plan.shard(k, &lexicon));
        let sealed = (0..plan.sealed_count()).map(|k| plan.sealed_shard(k, &lexicon).unwrap());
        let terms = postings_of(live.chain(sealed));
        assert_eq!(
            terms,
            postings_of((0..whole.shard_count()).map(|k| whole.shard(k, &lexicon)))
        );
        assert!(terms["quantum"].contains_key(&4) && terms["quantum"].contains_key(&2_250));
        let head: serde_json::Value = serde_json::from_slice(&plan.head).unwrap();
        assert_eq!(head["sealed"].as_array().unwrap().len(), plan.sealed_count());
        assert_eq!(head["sealed"][0][0], "");

        // Stored and read back, the segment gives the same head and shards.
        let (papers, shards) = plan.sealed_to_store(&lexicon).unwrap();
        let shards: Vec<ShardToStore> = shards.collect();
        assert_eq!(papers, 2_100);
        let key = crate::render::search_sealed::key(&site, papers);
        let bytes = crate::render::search_sealed::encode(key, papers, shards);
        let source = crate::render::search_sealed::tests::Shared(Arc::new(std::sync::Mutex::new(bytes.clone())));
        let stored = StoredSealed::open(Box::new(source), "sealed".into(), bytes.len() as u64, key, papers);
        let stored = Arc::new(stored.unwrap().unwrap());
        let from_file = Plan::with_sealed(&site, &lexicon, &words, Sealed::Stored(stored.clone()));
        assert!(from_file.head == plan.head);
        for k in 0..plan.sealed_count() {
            assert_eq!(from_file.sealed_hash(k), plan.sealed_hash(k));
            assert_eq!(
                from_file.sealed_shard(k, &lexicon).unwrap(),
                plan.sealed_shard(k, &lexicon).unwrap()
            );
        }
        assert!(from_file.sealed_to_store(&lexicon).is_none(), "nothing new to store");
        // A plan that just stored its segment takes it back: the same index, read from
        // the file, and nothing left to store.
        let mut taken = Plan::new(&site, &lexicon, &words, None);
        assert!(matches!(taken.sealed, Sealed::Planned(_)));
        taken.take_stored_sealed(stored.clone());
        assert!(matches!(taken.sealed, Sealed::Stored(_)), "taken");
        assert!(taken.head == plan.head);
        for k in 0..plan.sealed_count() {
            assert_eq!(
                taken.sealed_shard(k, &lexicon).unwrap(),
                plan.sealed_shard(k, &lexicon).unwrap()
            );
        }
        assert!(taken.sealed_to_store(&lexicon).is_none());

        // A day later, with words of its own, the sealed segment is the same.
        let next = digest_part(2_400, 2_300..2_400, "2026-11-27");
        let site = crate::content::assemble([&october, &november, &next]);
        let (lexicon, words) = fresh_words(&site);
        let later = Plan::new(&site, &lexicon, &words, None);
        assert_eq!(later.sealed_count(), plan.sealed_count());
        for k in 0..plan.sealed_count() {
            assert_eq!(later.sealed_hash(k), plan.sealed_hash(k), "sealed shard {k}");
        }
    }

    /// Tags whose names have a word the papers use ("graph0") and words they do not.
    const TAGS: &[(&str, &[usize])] = &[("Graph0 Learning", &[1, 2, 3]), ("Quantum Stuff", &[4, 800])];

    #[test]
    fn a_plan_patched_after_edits_equals_a_fresh_plan() {
        let (mut lexicon, mut words) = Default::default();
        let text = digest(1500, |_, a| a);
        let (plan, fresh, _) = plans(&text, TAGS, &mut lexicon, &mut words, None, None);
        assert!(fresh.shard_count() > 3, "{}", fresh.shard_count());
        assert_same(&plan, &fresh, &lexicon, "first plan");
        // An edit: a word never seen before, a word dropped and one added.
        let edited = digest(1500, |i, a| match i {
            700 => a.replacen("graph", "brandnew graph", 1),
            701 => a.split_once(' ').unwrap().1.to_string() + " flow0",
            _ => a,
        });
        let (plan, fresh, _) = plans(&edited, TAGS, &mut lexicon, &mut words, Some(plan), Some(&[700, 701]));
        assert!(!plan.patched.is_empty(), "the edit was patched in, not planned anew");
        assert!(
            plan.kept_shards > 0,
            "a new word moves the terms after it, which keep their shards"
        );
        assert_same(&plan, &fresh, &lexicon, "an edit");
        // A second edit on the patched plan, which undoes part of the first.
        let again = digest(1500, |i, a| if i == 701 { a + " vision3" } else { a });
        let (plan, fresh, _) = plans(&again, TAGS, &mut lexicon, &mut words, Some(plan), Some(&[700, 701]));
        assert!(!plan.patched.is_empty());
        assert!(plan.kept_shards > 0, "a word out of use moves the terms after it back");
        assert_same(&plan, &fresh, &lexicon, "a second edit");
        // A word of a tag name comes into use: its term stays and is made otherwise.
        let quantum = digest(1500, |i, a| if i == 701 { a + " vision3 quantum" } else { a });
        let (plan, fresh, _) = plans(&quantum, TAGS, &mut lexicon, &mut words, Some(plan), Some(&[701]));
        assert_same(&plan, &fresh, &lexicon, "a tag's word used");
        let (plan, fresh, _) = plans(&again, TAGS, &mut lexicon, &mut words, Some(plan), Some(&[701]));
        assert_same(&plan, &fresh, &lexicon, "a tag's word out of use");
        // An edit that uses no new word and drops none: the terms stay, the shards of the
        // words whose papers changed are hashed again, the others keep their hashes.
        let moved = digest(1500, |i, a| match i {
            701 => a + " graph0",
            702 => a + " vision3",
            _ => a,
        });
        let terms = plan.terms.clone();
        let (plan, fresh, _) = plans(&moved, TAGS, &mut lexicon, &mut words, Some(plan), None);
        assert_eq!(plan.terms, terms, "the same terms");
        assert_same(&plan, &fresh, &lexicon, "words moved between papers");
        // A tag gains a paper: the same terms, a tag word's papers changed.
        let retagged: &[(&str, &[usize])] = &[("Graph0 Learning", &[1, 2, 3, 900]), TAGS[1]];
        let (plan, fresh, _) = plans(&moved, retagged, &mut lexicon, &mut words, Some(plan), None);
        assert_eq!(plan.terms, terms, "the same terms");
        assert_same(&plan, &fresh, &lexicon, "a tag's papers changed");
        // Two papers swapped, and a word of an abstract put in a title too (its flag).
        let mut lines: Vec<String> = moved.lines().map(str::to_string).collect();
        lines.swap(10, 12);
        lines.swap(11, 13);
        let first = lines[41].split(' ').next().unwrap().to_string();
        lines[40] = format!("{} {first}", lines[40]);
        let swapped = lines.join("\n") + "\n";
        let (plan, fresh, _) = plans(&swapped, TAGS, &mut lexicon, &mut words, Some(plan), None);
        assert!(!plan.patched.is_empty());
        assert_same(&plan, &fresh, &lexicon, "papers swapped, a title flag");
        // A paper added moves every paper after it: planned anew, the same.
        let added = format!("Fresh paper\nAbout graph0 and brandnew things.\n{swapped}");
        let (plan, fresh, _) = plans(&added, TAGS, &mut lexicon, &mut words, Some(plan), None);
        assert!(plan.patched.is_empty(), "planned anew");
        assert_same(&plan, &fresh, &lexicon, "a paper added");
    }

    #[test]
    fn a_plan_is_not_patched_across_lexicons() {
        // Watch mode starts a new lexicon past a size: the same numbers then name other
        // words. Papers read in another order number the same words otherwise, with every
        // number still in use.
        let (mut lexicon, mut words) = Default::default();
        let text = digest(40, |_, a| a);
        let (plan, _, _) = plans(&text, &[], &mut lexicon, &mut words, None, None);
        let reversed: Vec<&str> = text.lines().collect();
        let reversed: String = reversed.chunks(2).rev().map(|p| p.join("\n") + "\n").collect();
        let (mut lexicon, mut words) = Default::default();
        let (plan, fresh, _) = plans(&reversed, &[], &mut lexicon, &mut words, Some(plan), None);
        assert_same(&plan, &fresh, &lexicon, "a new lexicon");
    }

    #[test]
    fn shards_end_where_the_terms_say_and_never_inside_a_stem() {
        let terms: Vec<Term> = (0..20000u32)
            .map(|w| Term {
                source: Source::Word(w),
                stem: u64::from(w / 3),
            })
            .collect();
        let texts: Vec<String> = (0..20000).map(|w| format!("w{w:05}")).collect();
        let sizes = vec![40; terms.len()];
        let text = |t: &Term| match t.source {
            Source::Word(w) => texts[w as usize].as_str(),
            Source::Tag(_) => unreachable!(),
        };
        let (reach, cuts) = split_inputs(&terms, text);
        let shards = split(&sizes, &reach, &cuts, SHARD_BYTES);
        assert!(shards.len() > 5, "{}", shards.len());
        for s in &shards {
            assert_eq!(s.start % 3, 0, "a stem's terms stay together");
            let bytes = s.len() * 40;
            assert!(bytes <= 2 * SHARD_BYTES + 200, "{bytes}");
        }
        // Bigger terms at the start move the first boundary at most: later shards stay.
        let mut grown = sizes.clone();
        grown[10] += 400;
        let again = split(&grown, &reach, &cuts, SHARD_BYTES);
        assert_eq!(shards[2..], again[again.len() - (shards.len() - 2)..]);
    }
}
