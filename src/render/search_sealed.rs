//! The search index's sealed segment: the term shards of the settled papers (those published
//! before the newest month, at the start of the papers), kept apart from the shards of the
//! rest (the live segment). A day's papers use words of every shard, so one index rewrote
//! all its term shards every day (34 MB at 100,000 papers) and inverted every paper's words
//! to do it. The sealed segment changes when a month closes or an old paper is edited; a
//! daily build reads what it holds from `.public.sealed`, which the build that planned it
//! left, and neither makes nor inverts the settled papers' words.
//!
//! The browser fetches a shard of each segment for a query word (see `search.js`); a term
//! in both has each segment's papers, and a paper is in one.
//!
//! The file: a magic line; each shard's bytes, which are those of its file in the output;
//! then a table (the key ([`key`]), the papers, and per shard its first term, hash, length
//! and checksum), where it starts, and its checksum. A build writes the shards as it makes
//! them and checks the whole file once, a piece at a time, before trusting it; a shard's
//! bytes are read again (through the [`TextStore`] the pipeline gives) only when its file
//! must be written: a kept output has them already.

use std::hash::{Hash, Hasher};
use std::io::{self, Write};

use crate::model::{Site, TextStore};

const MAGIC: &[u8] = b"paperboy sealed search 1\n";

/// The largest table a file may have: a million papers' has about 5,000 shards.
const MAX_TABLE: usize = 64 << 20;

/// What the sealed segment of the first `papers` papers of `site` is made from: this
/// program (the index's format and words) and those papers' texts, in order.
pub fn key(site: &Site, papers: usize) -> u64 {
    let mut h = crate::config::program_hasher(&"sealed search");
    papers.hash(&mut h);
    for p in &site.papers[..papers] {
        p.text_hash.hash(&mut h);
    }
    h.finish()
}

/// One sealed shard as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredShard {
    /// Its first term (empty for the first shard), as the head lists it.
    pub first: String,
    /// Its hash, which names its file and is its job's fingerprint.
    pub hash: u64,
    offset: u64,
    len: u64,
    checksum: u64,
}

/// The sealed segment a build left (see the module's documentation).
pub struct StoredSealed {
    /// See [`key`].
    pub key: u64,
    /// How many papers it holds the words of.
    pub papers: usize,
    /// Its term shards, in term order.
    pub shards: Vec<StoredShard>,
    source: Box<dyn TextStore>,
    /// The file's path, for messages.
    name: String,
}

impl StoredSealed {
    /// The segment in `source` (`len` bytes) when it was made with `key` for `papers`
    /// papers (see [`key`]), checked whole a piece at a time (a million papers' segment is
    /// hundreds of megabytes); `None` when it was made for other papers (its shards are
    /// then not read at all); why it is not trusted (to warn) when it is not whole. Its
    /// shards are read again from `source` when they are written.
    pub fn open(
        source: Box<dyn TextStore>,
        name: String,
        len: u64,
        key: u64,
        papers: usize,
    ) -> Result<Option<StoredSealed>, String> {
        let shards = parse(&*source, len, (key, papers)).map_err(str::to_string)?;
        Ok(shards.map(|shards| StoredSealed {
            key,
            papers,
            shards,
            source,
            name,
        }))
    }

    /// The bytes of shard `k`, read again; an error when the file changed since it was
    /// checked (another process wrote it during the build).
    pub fn shard(&self, k: usize) -> anyhow::Result<Vec<u8>> {
        let s = &self.shards[k];
        let bytes = piece(&*self.source, s.offset, s.len as usize)?;
        if xxhash_rust::xxh3::xxh3_64(&bytes) != s.checksum {
            anyhow::bail!("{}: changed during the build — remove it and build again", self.name);
        }
        Ok(bytes)
    }
}

/// A shard to store: its first term, its hash and its bytes.
pub type ShardToStore = (String, u64, Vec<u8>);

/// Writes the file holding a sealed segment of `papers` papers made with `key` to `out`,
/// a shard at a time as `shards` gives them: a million papers' shards are hundreds of
/// megabytes, which a build should not hold.
pub fn write(
    out: &mut dyn Write,
    key: u64,
    papers: usize,
    shards: impl Iterator<Item = ShardToStore>,
) -> io::Result<()> {
    out.write_all(MAGIC)?;
    let mut head = Vec::new();
    head.extend_from_slice(&key.to_le_bytes());
    head.extend_from_slice(&(papers as u64).to_le_bytes());
    let mut entries = Vec::new();
    let (mut count, mut at) = (0u64, MAGIC.len() as u64);
    for (first, hash, bytes) in shards {
        out.write_all(&bytes)?;
        entries.extend_from_slice(&(first.len() as u64).to_le_bytes());
        entries.extend_from_slice(first.as_bytes());
        entries.extend_from_slice(&hash.to_le_bytes());
        entries.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        entries.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&bytes).to_le_bytes());
        count += 1;
        at += bytes.len() as u64;
    }
    head.extend_from_slice(&count.to_le_bytes());
    head.extend_from_slice(&entries);
    out.write_all(&head)?;
    out.write_all(&at.to_le_bytes())?;
    out.write_all(&xxhash_rust::xxh3::xxh3_64(&head).to_le_bytes())
}

/// [`write`] into memory.
pub fn encode(key: u64, papers: usize, shards: Vec<ShardToStore>) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, key, papers, shards.into_iter()).expect("writing to memory succeeds");
    out
}

/// The key, papers and shards of a whole file; why not when any part is missing, does not
/// add up, or fails its checksum.
fn parse(source: &dyn TextStore, len: u64, wanted: (u64, usize)) -> Result<Option<Vec<StoredShard>>, &'static str> {
    const CUT: &str = "is damaged (not a whole sealed search segment)";
    const SUM: &str = "is damaged (its checksum does not match)";
    let parts = parse_parts(source, len, wanted).ok_or(CUT)?;
    match parts {
        Parts::Whole(shards) => Ok(Some(shards)),
        Parts::Other => Ok(None),
        Parts::Changed => Err(SUM),
    }
}

/// What [`parse_parts`] found.
enum Parts {
    Whole(Vec<StoredShard>),
    /// Whole in its table, made for other papers.
    Other,
    /// Whole in length, with a checksum that does not match.
    Changed,
}

/// [`parse`]: `None` when a part is missing or does not add up. The file is the magic
/// line, the shards' bytes, the head (key, papers, count, and per shard its first term,
/// hash, length and checksum), where the head starts, and the head's checksum.
fn parse_parts(source: &dyn TextStore, len: u64, wanted: (u64, usize)) -> Option<Parts> {
    let len = usize::try_from(len).ok()?;
    if len < MAGIC.len() + 16 || piece(source, 0, MAGIC.len()).ok()? != MAGIC {
        return None;
    }
    let end = len - 16;
    let trailer = piece(source, end as u64, 16).ok()?;
    let u64_of =
        |bytes: &[u8], at: usize| -> Option<u64> { Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?)) };
    let head_at = usize::try_from(u64_of(&trailer, 0)?).ok()?;
    // A table holds about 50 bytes a shard: a damaged start must not have a build read
    // the whole file into memory.
    if head_at < MAGIC.len() || head_at > end || end - head_at > MAX_TABLE {
        return None;
    }
    let head = piece(source, head_at as u64, end - head_at).ok()?;
    if xxhash_rust::xxh3::xxh3_64(&head) != u64_of(&trailer, 8)? {
        return Some(Parts::Changed);
    }
    let mut at = 0;
    let next = |at: &mut usize| -> Option<u64> {
        let v = u64_of(&head, *at)?;
        *at += 8;
        Some(v)
    };
    let key = next(&mut at)?;
    let papers = usize::try_from(next(&mut at)?).ok()?;
    if (key, papers) != wanted {
        return Some(Parts::Other);
    }
    let count = usize::try_from(next(&mut at)?).ok()?;
    // Each shard takes at least 32 bytes of the head.
    if count == 0 || count > head.len() / 32 {
        return None;
    }
    let mut shards = Vec::with_capacity(count);
    let mut offset = MAGIC.len() as u64;
    for _ in 0..count {
        let len = usize::try_from(next(&mut at)?).ok()?;
        let first = std::str::from_utf8(head.get(at..at.checked_add(len)?)?)
            .ok()?
            .to_string();
        at += len;
        let (hash, len, checksum) = (next(&mut at)?, next(&mut at)?, next(&mut at)?);
        let body_end = offset.checked_add(len)?;
        if body_end > head_at as u64 {
            return None;
        }
        if checksum_of(source, offset, len)? != checksum {
            return Some(Parts::Changed);
        }
        shards.push(StoredShard {
            first,
            hash,
            offset,
            len,
            checksum,
        });
        offset = body_end;
    }
    (at == head.len() && offset == head_at as u64).then_some(Parts::Whole(shards))
}

/// The `len` bytes of `source` at `at`.
fn piece(source: &dyn TextStore, at: u64, len: usize) -> io::Result<Vec<u8>> {
    let len = u32::try_from(len).map_err(|_| io::Error::other("a piece past 4 GB"))?;
    source.read(at, len)
}

/// The checksum of the `len` bytes of `source` at `at`, read a megabyte at a time.
fn checksum_of(source: &dyn TextStore, at: u64, len: u64) -> Option<u64> {
    const PIECE: u64 = 1 << 20;
    let mut h = xxhash_rust::xxh3::Xxh3Default::new();
    let mut done = 0;
    while done < len {
        let n = PIECE.min(len - done);
        h.update(&piece(source, at + done, n as usize).ok()?);
        done += n;
    }
    Some(h.digest())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        encode(
            7,
            2_500,
            vec![
                (String::new(), 1, b"{\"v\":4,\"terms\":\"0a:1\"}\n".to_vec()),
                ("model".into(), 2, b"{\"v\":4,\"terms\":\"0model:2\"}\n".to_vec()),
            ],
        )
    }

    /// Bytes that another process may change.
    pub(crate) struct Shared(pub(crate) std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl TextStore for Shared {
        fn append(&self, _bytes: &[u8]) -> io::Result<u64> {
            Err(io::Error::other("only read"))
        }

        fn read(&self, at: u64, len: u32) -> io::Result<Vec<u8>> {
            let bytes = self.0.lock().unwrap();
            let piece = bytes.get(at as usize..at as usize + len as usize);
            piece.map(<[u8]>::to_vec).ok_or(io::ErrorKind::UnexpectedEof.into())
        }
    }

    #[test]
    fn a_stored_segment_reads_back_and_its_shards_again() {
        let bytes = std::sync::Arc::new(std::sync::Mutex::new(sample()));
        let len = sample().len() as u64;
        let other =
            StoredSealed::open(Box::new(Shared(bytes.clone())), ".public.sealed".into(), len, 7, 2_400).unwrap();
        assert!(other.is_none(), "made for other papers");
        let stored = StoredSealed::open(Box::new(Shared(bytes.clone())), ".public.sealed".into(), len, 7, 2_500)
            .unwrap()
            .unwrap();
        assert_eq!((stored.key, stored.papers, stored.shards.len()), (7, 2_500, 2));
        assert_eq!(stored.shards[1].first, "model");
        assert_eq!(stored.shard(1).unwrap(), b"{\"v\":4,\"terms\":\"0model:2\"}\n");
        // Rewritten since: the shard is refused, not published.
        let at = sample().windows(7).position(|w| w == b"model:2").unwrap() + 6;
        bytes.lock().unwrap()[at] = b'3';
        let err = stored.shard(1).unwrap_err().to_string();
        assert!(err.contains(".public.sealed: changed during the build"), "{err}");
    }

    fn parse(bytes: &[u8]) -> Result<Vec<StoredShard>, &'static str> {
        let source = Shared(std::sync::Arc::new(std::sync::Mutex::new(bytes.to_vec())));
        super::parse(&source, bytes.len() as u64, (7, 2_500))?.ok_or("made for other papers")
    }

    #[test]
    fn any_damage_is_refused() {
        let whole = sample();
        assert!(parse(&whole).is_ok());
        for at in 0..whole.len() {
            let mut damaged = whole.clone();
            damaged[at] ^= 0x20;
            assert!(parse(&damaged).is_err(), "byte {at} flipped");
        }
        for len in 0..whole.len() {
            assert!(parse(&whole[..len]).is_err(), "cut at {len}");
        }
        let mut longer = whole.clone();
        longer.push(b'\n');
        assert!(parse(&longer).is_err(), "a byte more");
        // A changed byte of a shard is told apart from a file cut short.
        let mut changed = whole.clone();
        changed[MAGIC.len() + 5] ^= 0x01;
        assert_eq!(parse(&changed).unwrap_err(), "is damaged (its checksum does not match)");
    }
}
