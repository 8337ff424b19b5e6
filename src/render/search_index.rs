//! The search index behind `/search/`: written at build time, queried in the browser by
//! `search.js` (shipped with the binary, no other host involved).
//!
//! Abstracts are not shipped: the index holds each paper's title, slug, date and tags, and
//! an inverted index from every word of titles and abstracts (lower-cased, stop words and
//! LaTeX macro names dropped) to the papers using it, as delta-encoded base-36 numbers. The
//! browser matches query words as prefixes of the sorted words, so `learn` finds
//! `learning` and `learned` without a stemmer in JavaScript. The index is split into
//! shards of [`SHARD_PAPERS`] papers, listed by `search/index.json`.

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::enrich::{Inverted, Lexicon, Prepared, WordId};
use crate::model::Site;

/// The browser side, served as `/search/search.js`.
pub const SCRIPT: &str = include_str!("search.js");

/// Papers per shard of the index. An edit in watch mode rebuilds and rewrites only its
/// paper's shard (about 0.9 MB at this size) instead of the whole index (4.3 MB at 10,000
/// papers, 40 MB at 100,000), and the browser fetches the shards side by side. Each shard
/// repeats the words its papers share with other shards: about 2% more bytes in all.
pub const SHARD_PAPERS: usize = 2000;

/// How many shards the index of `papers` papers has.
pub fn shard_count(papers: usize) -> usize {
    papers.div_ceil(SHARD_PAPERS)
}

/// Positions of the papers in shard `k` of a site of `papers` papers.
pub fn shard_range(k: usize, papers: usize) -> std::ops::Range<usize> {
    let from = (k * SHARD_PAPERS).min(papers);
    from..(from + SHARD_PAPERS).min(papers)
}

/// Output path of shard `k`.
pub fn shard_path(k: usize) -> String {
    format!("search/index-{k}.json")
}

/// The index's entry point, `search/index.json`: `v` (format version), the number of
/// `papers`, and the `shards` to fetch, relative to it, in paper order.
pub(super) fn head(site: &Site) -> Vec<u8> {
    let shards: Vec<String> = (0..shard_count(site.papers.len()))
        .map(|k| format!("\"index-{k}.json\""))
        .collect();
    format!(
        "{{\"v\":2,\"papers\":{},\"shards\":[{}]}}\n",
        site.papers.len(),
        shards.join(",")
    )
    .into_bytes()
}

/// Shard `k` of the index (papers `k * SHARD_PAPERS` onwards) as compact JSON, complete in
/// itself, with paper numbers counted from the shard's first paper:
///
/// - `tags`: tag display names, which papers refer to by position;
/// - `dates`: distinct issue dates, which papers refer to by position;
/// - `papers`: `[title, slug, date index, [tag indexes]]` per paper;
/// - `terms`: the inverted index as one string, entries in word order joined by `;`. An
///   entry is `P SUFFIX : GAPS`: the word is the previous word's first `P` characters (one
///   base-36 digit) followed by `SUFFIX` (front coding: sorted words share long prefixes),
///   and `GAPS` are the papers using it, ascending, as base-36 differences joined by `,`.
///
/// Words are stored in full (not stemmed) so that the browser can match prefixes of what
/// the reader types.
pub(super) fn shard(site: &Site, lexicon: &Lexicon, prepared: &Prepared, k: usize) -> Vec<u8> {
    let range = shard_range(k, site.papers.len());
    let papers = &site.papers[range.clone()];
    let by_word = PapersByWord::new(&prepared.docs()[range], lexicon.len());
    // Emitted in parallel slices of the word list; each slice front-codes its first word
    // against the word before it, so the joined string is the same as one pass would give.
    let live: Vec<u32> = lexicon
        .sorted_lower()
        .iter()
        .copied()
        .filter(|&w| by_word.has(w))
        .collect();
    let slice = live.len().div_ceil(rayon::current_num_threads() * 4).max(1);
    let parts: Vec<Vec<u8>> = live
        .par_chunks(slice)
        .enumerate()
        .map(|(i, words)| {
            let mut out: Vec<u8> = Vec::with_capacity(words.len() * 40);
            let mut previous: &str = if i == 0 { "" } else { lexicon.text(live[i * slice - 1]) };
            for &w in words {
                let word = lexicon.text(w);
                if !out.is_empty() {
                    out.push(b';');
                }
                let shared = common_prefix_chars(previous, word).min(35);
                push_base36(&mut out, shared);
                let suffix = word.char_indices().nth(shared).map_or("", |(at, _)| &word[at..]);
                out.extend_from_slice(suffix.as_bytes());
                out.push(b':');
                let mut prev = 0;
                for (k, id) in by_word.papers(w).enumerate() {
                    if k > 0 {
                        out.push(b',');
                    }
                    push_base36(&mut out, (id - prev) as usize);
                    prev = id;
                }
                previous = word;
            }
            out
        })
        .collect();
    // Written by hand: serde's escaping loop costs more than the rest of the index, and
    // almost no title needs escaping.
    let mut dates: Vec<String> = Vec::new();
    let mut date_ids: FxHashMap<chrono::NaiveDate, usize> = FxHashMap::default();
    let size = parts.iter().map(Vec::len).sum::<usize>() + papers.len() * 160;
    let mut out: Vec<u8> = Vec::with_capacity(size + 4096);
    let mut paper_list: Vec<u8> = Vec::with_capacity(papers.len() * 160);
    let mut digits = itoa::Buffer::new();
    for p in papers {
        let date = *date_ids.entry(p.date).or_insert_with(|| {
            dates.push(p.date.to_string());
            dates.len() - 1
        });
        if !paper_list.is_empty() {
            paper_list.push(b',');
        }
        paper_list.push(b'[');
        json_str(&mut paper_list, &p.title);
        paper_list.push(b',');
        json_str(&mut paper_list, &p.slug);
        paper_list.push(b',');
        paper_list.extend_from_slice(digits.format(date).as_bytes());
        paper_list.extend_from_slice(b",[");
        for (k, t) in p.tags.iter().enumerate() {
            if k > 0 {
                paper_list.push(b',');
            }
            paper_list.extend_from_slice(digits.format(*t).as_bytes());
        }
        paper_list.extend_from_slice(b"]]");
    }
    out.extend_from_slice(b"{\"v\":2,\"tags\":[");
    for (i, tag) in site.tags.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(&mut out, &tag.name);
    }
    out.extend_from_slice(b"],\"dates\":[");
    for (i, date) in dates.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(&mut out, date);
    }
    out.extend_from_slice(b"],\"papers\":[");
    out.extend_from_slice(&paper_list);
    // Words are letters and digits, and the rest is `;:,`: nothing JSON escapes.
    out.extend_from_slice(b"],\"terms\":\"");
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        out.extend_from_slice(part);
    }
    out.extend_from_slice(b"\"}\n");
    out
}

/// For each word number, the papers whose docs hold it, ascending: one [`Inverted`] per
/// slice of papers, built in parallel; a word's papers are its lists in slice order.
struct PapersByWord {
    slices: Vec<Inverted>,
}

impl PapersByWord {
    fn new(docs: &[Arc<[WordId]>], words: usize) -> PapersByWord {
        let slice = docs.len().div_ceil(rayon::current_num_threads()).max(1);
        let slices = docs
            .par_chunks(slice)
            .enumerate()
            .map(|(i, docs)| Inverted::new(docs, words, (i * slice) as u32))
            .collect();
        PapersByWord { slices }
    }

    fn has(&self, w: WordId) -> bool {
        self.slices.iter().any(|s| !s.of(w).is_empty())
    }

    fn papers(&self, w: WordId) -> impl Iterator<Item = u32> + '_ {
        self.slices.iter().flat_map(move |s| s.of(w).iter().copied())
    }
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
    fn gaps_are_base36() {
        let mut s = Vec::new();
        for n in [0, 35, 36, 1295, 1296] {
            push_base36(&mut s, n);
            s.push(b' ');
        }
        assert_eq!(s, b"0 z 10 zz 100 ");
    }

    #[test]
    fn words_are_front_coded_with_gaps() {
        let text = "Graph nets\nGraphs of graph. And of graph.\nGraphene\nGraph sheets. Of sheets.\n";
        let config = crate::config::Config::default();
        let path = std::path::Path::new("2026-11-26.txt");
        let file = crate::content::parse_text(text, path, &config, &mut |_| {}).unwrap();
        let site = crate::content::assemble([&file]);
        let (lexicon, words) = fresh_words(&site);
        let json: serde_json::Value = serde_json::from_slice(&shard(&site, &lexicon, &words, 0)).unwrap();
        assert_eq!(json["terms"], "0graph:0,1;5ene:1;5s:0;0nets:0;0sheets:1");
        let head: serde_json::Value = serde_json::from_slice(&head(&site)).unwrap();
        assert_eq!(head["shards"], serde_json::json!(["index-0.json"]));
    }
}
