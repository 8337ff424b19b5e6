//! The topic strengths of the last build, as bytes to keep beside the output (the pipeline
//! keeps them in `.public.topics`), so that a build in a new process reads the phrases of
//! new and edited papers only. Matching the taxonomy's phrases against every paper is most
//! of the tagging time: about half a second of a daily build at 100,000 papers, for a day
//! of 300.
//!
//! A paper's strengths depend only on this program, the `[tagging]` settings and the paper's
//! title and abstract, so an entry is keyed by the paper's text hash and the whole by a
//! hash of the other two ([`stored_key`]): strengths stored by another paperboy or for
//! another taxonomy read as none. They are trusted only when whole (the checksum matches).

use super::{Strength, TagCache};
use crate::config::TaggingConfig;
use crate::le_bytes::{Reader, Writer, checked};
use crate::model::Site;

/// First bytes of the file: its format, so that another version's file is not misread.
const MAGIC: &[u8] = b"paperboy topic strengths 2\n";

/// What stored strengths are valid for: this program, tagging with `config`.
pub fn stored_key(config: &TaggingConfig) -> u64 {
    use std::hash::Hasher;
    crate::config::program_hasher(config).finish()
}

impl TagCache {
    /// The strengths of the papers of `site`, as bytes to store for the next build (see
    /// [`stored_key`] for `key`).
    pub fn to_stored(&self, site: &Site, key: u64) -> Vec<u8> {
        encode(self, site, key)
    }

    /// Strengths stored by [`TagCache::to_stored`]: none when they were stored for another
    /// key; why not when `bytes` are not whole strengths of this format.
    pub fn from_stored(bytes: &[u8], key: u64) -> Result<TagCache, &'static str> {
        decode(bytes, key)
    }
}

/// The file's bytes: magic, key, entry count, entries (text hash, then each strength as
/// topic, ratio, veto and learned flag), and a checksum of all that. In site order, so that the same
/// site gives the same bytes.
fn encode(cache: &TagCache, site: &Site, key: u64) -> Vec<u8> {
    let mut w = Writer::with_capacity(MAGIC.len() + 24 + site.papers.len() * 40);
    w.0.extend_from_slice(MAGIC);
    w.u64(key);
    let count_at = w.0.len();
    w.u64(0);
    let mut seen = rustc_hash::FxHashSet::default();
    let mut count = 0u64;
    for paper in &site.papers {
        let Some(strengths) = cache.0.get(&paper.text_hash) else {
            continue;
        };
        // Two papers with the same text (a repeat under another id) need one entry.
        if !seen.insert(paper.text_hash) || strengths.len() > u16::MAX as usize {
            continue;
        }
        w.u64(paper.text_hash);
        w.u16(strengths.len() as u16);
        for s in strengths.iter() {
            w.u16(s.topic);
            w.u32(s.ratio.to_bits());
            w.bool(s.vetoed);
            w.bool(s.learned);
        }
        count += 1;
    }
    w.0[count_at..count_at + 8].copy_from_slice(&count.to_le_bytes());
    let sum = xxhash_rust::xxh3::xxh3_64(&w.0);
    w.u64(sum);
    w.0
}

/// The strengths in `bytes` when they were stored for `key`; empty for another key; why
/// not when they are not a whole file of this format.
fn decode(bytes: &[u8], key: u64) -> Result<TagCache, &'static str> {
    let body = checked(bytes, MAGIC, "is not a paperboy topic strengths file of this version")?;
    let mut r = Reader(body);
    if r.u64().ok_or(CUT_SHORT)? != key {
        return Ok(TagCache::default());
    }
    let cache = entries(&mut r, bytes.len()).ok_or(CUT_SHORT)?;
    if !r.is_empty() {
        return Err("is damaged (bytes after its last entry)");
    }
    Ok(cache)
}

/// Why a file whose checksum matched still does not read: it ends inside an entry.
const CUT_SHORT: &str = "is damaged (cut short)";

/// The entries [`encode`] wrote after the key; `None` when the bytes end inside one.
fn entries(r: &mut Reader, file_len: usize) -> Option<TagCache> {
    let count = r.u64()?;
    let mut cache = TagCache::default();
    cache.0.reserve(count.min(file_len as u64 / 10) as usize);
    let mut strengths = Vec::new();
    for _ in 0..count {
        let hash = r.u64()?;
        strengths.clear();
        for _ in 0..r.u16()? {
            strengths.push(Strength {
                topic: r.u16()?,
                ratio: f32::from_bits(r.u32()?),
                vetoed: r.u8()? != 0,
                learned: r.u8()? != 0,
            });
        }
        cache.0.insert(hash, strengths.as_slice().into());
    }
    Some(cache)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::enrich::Taxonomy;

    /// Four real-looking papers, tagged by the built-in taxonomy.
    fn tagged() -> (Site, TagCache) {
        use std::path::Path;
        let text = "Paper Zero\nWe train the policy with reinforcement learning.\nPaper One\nA vision transformer for image segmentation.\nPaper Two\nWe train the policy with reinforcement learning.\nPaper Three\nNothing here names a topic.\n";
        let file = crate::content::parse_text(text, Path::new("2026-01-01.txt"), &Config::default(), &mut |_| {});
        let site = crate::content::assemble([&file.expect("the digest parses")]);
        let tax = Taxonomy::new(&Config::default().tagging).expect("the built-in taxonomy loads");
        let cache = TagCache::of_site(&site, &tax);
        (site, cache)
    }

    #[test]
    fn strengths_come_back_as_stored_for_the_same_key_only() {
        let (site, cache) = tagged();
        let bytes = encode(&cache, &site, 7);
        let back = decode(&bytes, 7).expect("a whole file reads");
        assert!(
            cache.0.values().any(|s| s.iter().any(Strength::passes)),
            "some paper has a topic"
        );
        assert_eq!(back.0.len(), 4, "one entry per paper text");
        for paper in &site.papers {
            assert_eq!(back.0[&paper.text_hash], cache.0[&paper.text_hash]);
        }
        assert_eq!(encode(&back, &site, 7), bytes, "the same strengths give the same bytes");
        assert!(
            decode(&bytes, 8).expect("another key is whole too").0.is_empty(),
            "another key reads as nothing"
        );
    }

    #[test]
    fn a_damaged_file_is_never_read() {
        let (site, cache) = tagged();
        let bytes = encode(&cache, &site, 7);
        for cut in [0, 5, MAGIC.len() + 3, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut], 7).is_err(), "cut at {cut}");
        }
        for at in [MAGIC.len() + 2, bytes.len() / 2, bytes.len() - 12] {
            let mut changed = bytes.clone();
            changed[at] ^= 1;
            let why = decode(&changed, 7)
                .err()
                .unwrap_or_else(|| panic!("byte {at} changed is caught"));
            assert!(why.contains("damaged"), "{why}");
        }
        assert!(decode(b"{\"version\": 3}\n", 7).unwrap_err().contains("not a paperboy"));
    }

    #[test]
    fn another_taxonomy_has_another_key() {
        let config = Config::default().tagging;
        let other = TaggingConfig {
            max_tags: 1,
            ..config.clone()
        };
        assert_eq!(stored_key(&config), stored_key(&config.clone()));
        assert_ne!(stored_key(&config), stored_key(&other));
    }
}
