//! The related lists of an archive's settled papers, as bytes to keep beside the output (the
//! pipeline keeps them in `.public.related`), so that a build in a new process searches only
//! the papers of the newest month and the few settled ones a new day can move. Searching
//! every paper was about half a second of CPU in a daily build at 100,000 papers.
//!
//! A settled paper lists settled papers only, by weights the settled papers alone give
//! (see `related.rs`, `Settled`), so its list depends on this program, the settled papers
//! (their texts, in order) and which of its terms are searched: a term is searched while
//! two to a bound of papers use it, and a new day can make a term the settled papers use
//! searchable or too common. The file is keyed by a hash of the first two, and holds the
//! terms that were searched (by stem hash) with the lists, so that a build searches again
//! exactly the settled papers using a term that changed. It is trusted only when whole
//! (its checksum matches) and every list names settled papers.
//!
//! It also holds what the lists were searched with that depends on the settled papers
//! alone: how many of them use each term, and each one's vector, cut to the terms few
//! enough of them use to be searched (see [`SettledVectors`]). A build that finds the file
//! holding then counts and weighs the words of the newest month's papers only: weighing
//! every paper again was a quarter of a second of a daily build at 100,000 papers.

use crate::le_bytes::{Reader, Writer, checked};

/// First bytes of the file: its format, so that another version's file is not misread.
const MAGIC: &[u8] = b"paperboy related lists 2\n";

/// The settled papers' related lists as a build left them (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLists {
    /// What the lists hold for: this program and the settled papers.
    pub(super) key: u64,
    /// The stem hashes of the settled papers' terms that were searched, sorted.
    pub(super) searched: Vec<u64>,
    /// Each settled paper's list, as places among the settled papers (in site order).
    pub(super) lists: Vec<Vec<u32>>,
    /// Every term the settled papers use, by stem hash (ascending), with how many of them
    /// use it.
    pub(super) df: Vec<(u64, u32)>,
    /// By settled place, the paper's vector entries that can be searched while these papers
    /// are settled.
    pub(super) vectors: SettledVectors,
}

/// The settled papers' vectors as a search could read them while the settled papers stay
/// the same: each paper's unit TF-IDF entries for the terms that no more settled papers use
/// than a query term may have (see `related.rs`, `Weights::may_be_searched`). Which of those are
/// searched still moves with each new day; the weights do not. About six entries per paper,
/// held flat: a list per paper was 100 MB at a million papers.
#[derive(Debug, Clone, Default)]
pub(super) struct SettledVectors {
    /// Where each paper's entries end in `hashes` and `weights`.
    ends: Vec<u32>,
    /// The entries' stem hashes, ascending within a paper.
    hashes: Vec<u64>,
    /// The entries' weights.
    weights: Vec<f32>,
}

impl SettledVectors {
    /// Adds the next paper's entries, in stem-hash order.
    pub(super) fn push(&mut self, entries: impl IntoIterator<Item = (u64, f32)>) {
        for (hash, weight) in entries {
            self.hashes.push(hash);
            self.weights.push(weight);
        }
        self.ends
            .push(u32::try_from(self.hashes.len()).expect("under 4 billion entries"));
    }

    /// How many papers' vectors it holds.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The entries of the paper at `place`: stem hash and weight.
    pub(super) fn get(&self, place: usize) -> impl Iterator<Item = (u64, f32)> + '_ {
        let at = self.range(place);
        self.hashes[at.clone()]
            .iter()
            .copied()
            .zip(self.weights[at].iter().copied())
    }

    /// Where the entries of the paper at `place` are among all entries.
    pub(super) fn range(&self, place: usize) -> std::ops::Range<usize> {
        let start = place.checked_sub(1).map_or(0, |p| self.ends[p] as usize);
        start..self.ends[place] as usize
    }

    /// Every paper's entries' stem hashes, one paper after the other.
    pub(super) fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// Every paper's entries' weights, one paper after the other.
    pub(super) fn weights(&self) -> &[f32] {
        &self.weights
    }
}

/// Vectors are equal when they hold the same entries with the very same weights, bit for
/// bit: what a file read back must give.
impl PartialEq for SettledVectors {
    fn eq(&self, other: &Self) -> bool {
        self.ends == other.ends
            && self.hashes == other.hashes
            && self
                .weights
                .iter()
                .map(|w| w.to_bits())
                .eq(other.weights.iter().map(|w| w.to_bits()))
    }
}

impl Eq for SettledVectors {}

impl StoredLists {
    /// The bytes to store: magic, key, the searched terms, the lists (each a length and
    /// places), the terms' counts, the vectors (each a length and entries), and a checksum
    /// of all that.
    pub fn to_bytes(&self) -> Vec<u8> {
        let places: usize = self.lists.iter().map(Vec::len).sum();
        let entries = self.vectors.hashes.len();
        let mut w = Writer::with_capacity(
            MAGIC.len()
                + 56
                + self.searched.len() * 8
                + self.lists.len() * 5
                + places * 4
                + self.df.len() * 12
                + entries * 12,
        );
        w.0.extend_from_slice(MAGIC);
        w.u64(self.key);
        w.u64(self.searched.len() as u64);
        self.searched.iter().for_each(|&h| w.u64(h));
        w.u64(self.lists.len() as u64);
        for list in &self.lists {
            w.0.push(u8::try_from(list.len()).expect("a related list is short"));
            list.iter().for_each(|&p| w.u32(p));
        }
        w.u64(self.df.len() as u64);
        for &(hash, count) in &self.df {
            w.u64(hash);
            w.u32(count);
        }
        w.u64(self.vectors.len() as u64);
        for place in 0..self.vectors.len() {
            w.u32(self.vectors.range(place).len() as u32);
            for (hash, weight) in self.vectors.get(place) {
                w.u64(hash);
                w.u32(weight.to_bits());
            }
        }
        let sum = xxhash_rust::xxh3::xxh3_64(&w.0);
        w.u64(sum);
        w.0
    }

    /// Lists stored by [`StoredLists::to_bytes`]; why not when `bytes` are not a whole file
    /// of this format.
    pub fn from_bytes(bytes: &[u8]) -> Result<StoredLists, &'static str> {
        let body = checked(bytes, MAGIC, "is not a paperboy related lists file of this version")?;
        let mut r = Reader(body);
        let stored = read(&mut r).ok_or("is damaged (cut short)")?;
        if !r.is_empty() {
            return Err("is damaged (bytes after its last list)");
        }
        let papers = stored.lists.len() as u64;
        if stored.lists.iter().flatten().any(|&p| u64::from(p) >= papers) {
            return Err("is damaged (a list names a paper it does not hold)");
        }
        let vectors = &stored.vectors;
        let ascending = |hashes: &[u64]| hashes.windows(2).all(|w| w[0] < w[1]);
        let vectors_ascend = (0..vectors.len()).all(|place| ascending(&vectors.hashes[vectors.range(place)]));
        let df_ascends = stored.df.windows(2).all(|w| w[0].0 < w[1].0);
        if !stored.searched.is_sorted() || !df_ascends || !vectors_ascend {
            return Err("is damaged (its terms are out of order)");
        }
        if vectors.len() != stored.lists.len() {
            return Err("is damaged (it holds vectors for other papers than its lists)");
        }
        Ok(stored)
    }
}

/// What [`StoredLists::to_bytes`] wrote after the magic; `None` when the bytes end early.
/// Counts are checked against the bytes left before anything is reserved for them.
fn read(r: &mut Reader) -> Option<StoredLists> {
    let key = r.u64()?;
    let terms = r.u64()?;
    if terms > r.remaining() as u64 / 8 {
        return None;
    }
    let searched = (0..terms).map(|_| r.u64()).collect::<Option<Vec<u64>>>()?;
    let papers = r.u64()?;
    if papers > r.remaining() as u64 {
        return None;
    }
    let mut lists = Vec::with_capacity(papers as usize);
    for _ in 0..papers {
        let len = r.u8()?;
        lists.push((0..len).map(|_| r.u32()).collect::<Option<Vec<u32>>>()?);
    }
    let terms = r.u64()?;
    if terms > r.remaining() as u64 / 12 {
        return None;
    }
    let df = (0..terms)
        .map(|_| Some((r.u64()?, r.u32()?)))
        .collect::<Option<Vec<(u64, u32)>>>()?;
    let papers = r.u64()?;
    if papers > r.remaining() as u64 / 4 {
        return None;
    }
    let mut vectors = SettledVectors::default();
    for _ in 0..papers {
        let len = r.u32()?;
        if u64::from(len) > r.remaining() as u64 / 12 {
            return None;
        }
        let entries = (0..len)
            .map(|_| Some((r.u64()?, f32::from_bits(r.u32()?))))
            .collect::<Option<Vec<(u64, f32)>>>()?;
        vectors.push(entries);
    }
    Some(StoredLists {
        key,
        searched,
        lists,
        df,
        vectors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredLists {
        let mut vectors = SettledVectors::default();
        vectors.push([(3, 0.5), (40, 0.25)]);
        vectors.push([]);
        vectors.push([(9, 1.0)]);
        StoredLists {
            key: 7,
            searched: vec![3, 9, 40],
            lists: vec![vec![1, 2], vec![], vec![0, 1, 1, 0, 2]],
            df: vec![(3, 2), (9, 1), (40, 3), (41, 300)],
            vectors,
        }
    }

    #[test]
    fn lists_read_back_as_stored() {
        let bytes = sample().to_bytes();
        assert_eq!(StoredLists::from_bytes(&bytes).unwrap(), sample());
        assert_eq!(bytes, sample().to_bytes(), "the same lists, the same bytes");
    }

    #[test]
    fn a_damaged_file_is_refused_whatever_the_damage() {
        let bytes = sample().to_bytes();
        for cut in 0..bytes.len() {
            assert!(StoredLists::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for at in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x10;
            assert!(StoredLists::from_bytes(&flipped).is_err(), "flipped at {at}");
        }
    }

    #[test]
    fn a_whole_file_whose_terms_are_out_of_order_or_vectors_missing_is_refused() {
        let mut unsorted = sample();
        unsorted.vectors = SettledVectors::default();
        unsorted.vectors.push([(40, 0.5), (3, 0.25)]);
        unsorted.vectors.push([]);
        unsorted.vectors.push([]);
        let err = StoredLists::from_bytes(&unsorted.to_bytes()).unwrap_err();
        assert!(err.contains("out of order"), "{err}");
        let mut unsorted = sample();
        unsorted.df.swap(0, 1);
        let err = StoredLists::from_bytes(&unsorted.to_bytes()).unwrap_err();
        assert!(err.contains("out of order"), "{err}");
        let mut short = sample();
        short.vectors = SettledVectors::default();
        short.vectors.push([(3, 0.5)]);
        let err = StoredLists::from_bytes(&short.to_bytes()).unwrap_err();
        assert!(err.contains("other papers"), "{err}");
    }

    #[test]
    fn a_whole_file_that_names_a_paper_it_lacks_is_refused() {
        let mut lists = sample();
        lists.lists[0].push(3);
        let err = StoredLists::from_bytes(&lists.to_bytes()).unwrap_err();
        assert!(err.contains("does not hold"), "{err}");
        let mut counts = sample().to_bytes();
        // The number of terms, past what the file holds, with a checksum that matches.
        let at = MAGIC.len() + 8;
        counts[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        let end = counts.len() - 8;
        let sum = xxhash_rust::xxh3::xxh3_64(&counts[..end]);
        counts[end..].copy_from_slice(&sum.to_le_bytes());
        assert!(StoredLists::from_bytes(&counts).unwrap_err().contains("cut short"));
    }
}
