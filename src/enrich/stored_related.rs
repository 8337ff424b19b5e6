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

use crate::le_bytes::{Reader, Writer, checked};

/// First bytes of the file: its format, so that another version's file is not misread.
const MAGIC: &[u8] = b"paperboy related lists 1\n";

/// The settled papers' related lists as a build left them (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLists {
    /// What the lists hold for: this program and the settled papers.
    pub(super) key: u64,
    /// The stem hashes of the settled papers' terms that were searched, sorted.
    pub(super) searched: Vec<u64>,
    /// Each settled paper's list, as places among the settled papers (in site order).
    pub(super) lists: Vec<Vec<u32>>,
}

impl StoredLists {
    /// The bytes to store: magic, key, the searched terms, the lists (each a length and
    /// places), and a checksum of all that.
    pub fn to_bytes(&self) -> Vec<u8> {
        let places: usize = self.lists.iter().map(Vec::len).sum();
        let mut w = Writer::with_capacity(MAGIC.len() + 40 + self.searched.len() * 8 + self.lists.len() + places * 4);
        w.0.extend_from_slice(MAGIC);
        w.u64(self.key);
        w.u64(self.searched.len() as u64);
        self.searched.iter().for_each(|&h| w.u64(h));
        w.u64(self.lists.len() as u64);
        for list in &self.lists {
            w.0.push(u8::try_from(list.len()).expect("a related list is short"));
            list.iter().for_each(|&p| w.u32(p));
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
        if !stored.searched.is_sorted() {
            return Err("is damaged (its terms are out of order)");
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
    Some(StoredLists { key, searched, lists })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredLists {
        StoredLists {
            key: 7,
            searched: vec![3, 9, 40],
            lists: vec![vec![1, 2], vec![], vec![0, 1, 1, 0, 2]],
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
