//! The search index behind `/search/`: written at build time, queried in the browser by
//! `search.js` (shipped with the binary, no other host involved).
//!
//! Abstracts are not shipped: the index holds each paper's title, slug, date and tags, and
//! an inverted index from every word of titles and abstracts (lower-cased, stop words and
//! LaTeX macro names dropped) to the papers using it, as delta-encoded base-36 numbers. The
//! browser matches query words as prefixes of the sorted words, so `learn` finds
//! `learning` and `learned` without a stemmer in JavaScript.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::model::Site;

/// The browser side, served as `/search/search.js`.
pub const SCRIPT: &str = include_str!("search.js");

/// Words too common to narrow a search; a query made only of them matches titles instead.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "has", "have", "in", "is", "it", "its",
    "of", "on", "or", "that", "the", "their", "this", "to", "we", "which", "with", "our", "these", "this", "was",
    "were", "been", "also", "such", "than", "into", "both", "while", "however", "not", "but", "over", "via",
];

/// The id of every stop word in [`Words`]' dictionary: known, never indexed.
const STOP: u32 = u32::MAX;

/// Every word the index knows, numbered, with the numbers in the words' sort order.
#[derive(Debug, Default, Clone)]
struct Table {
    names: Vec<Box<str>>,
    /// Word numbers ordered by the words' bytes: the index lists words in this order.
    sorted: Vec<u32>,
}

/// Each paper's index words, kept across watch-mode rebuilds so that an edit re-reads only
/// the papers whose text changed: the index is then a merge of cached lists.
#[derive(Debug, Default)]
pub struct Words {
    ids: FxHashMap<Box<str>, u32>,
    table: Arc<Table>,
    /// Distinct word numbers by paper text hash.
    docs: FxHashMap<u64, Arc<[u32]>>,
}

/// What [`index`] needs from [`Words`] for one site: a snapshot, so that rendering can run
/// while the cache is updated for the next build.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    table: Arc<Table>,
    /// Per paper, its distinct word numbers.
    docs: Vec<Arc<[u32]>>,
}

impl Words {
    /// Brings the cache up to date with `site`: papers not seen before are split into words
    /// in parallel, then their new words are numbered.
    pub fn prepare(&mut self, site: &Site) -> Prepared {
        let n = site.papers.len();
        if self.docs.len() > 2 * n + 64 || self.ids.len() > 4_000_000 {
            *self = Words::default();
        }
        if self.ids.is_empty() {
            for &w in STOP_WORDS.iter().chain(crate::markup::LATEX_MACROS) {
                self.ids.insert(w.into(), STOP);
            }
        }
        let table = Arc::make_mut(&mut self.table);
        let first_new = table.names.len();
        let mut docs = Vec::with_capacity(n);
        // In chunks, so that the words of at most one chunk of papers wait to be numbered.
        // Words already numbered are looked up in parallel; only new ones are numbered one
        // by one. The first chunks are small: they teach the dictionary the common words
        // while few papers wait on the sequential part.
        let (mut from, mut size) = (0, 256);
        while from < n {
            let chunk = &site.papers[from..(from + size).min(n)];
            (from, size) = (from + chunk.len(), (size * 2).min(4096));
            let ids = &self.ids;
            let fresh: Vec<Option<PaperWords>> = chunk
                .par_iter()
                .map(|p| (!self.docs.contains_key(&p.text_hash)).then(|| paper_words(ids, p)))
                .collect();
            for (p, words) in chunk.iter().zip(fresh) {
                let doc = match words {
                    None => self.docs[&p.text_hash].clone(),
                    Some((known, new)) => {
                        let mut doc = known;
                        for w in new {
                            // Numbered by an earlier paper of this chunk, or now.
                            let id = match self.ids.get(&*w) {
                                Some(&id) => id,
                                None => {
                                    let id = table.names.len() as u32;
                                    let w: Box<str> = w.into();
                                    self.ids.insert(w.clone(), id);
                                    table.names.push(w);
                                    id
                                }
                            };
                            doc.push(id);
                        }
                        let doc: Arc<[u32]> = doc.into();
                        self.docs.insert(p.text_hash, doc.clone());
                        doc
                    }
                };
                docs.push(doc);
            }
        }
        if table.names.len() > first_new {
            let names = &table.names;
            let mut new: Vec<u32> = (first_new as u32..names.len() as u32).collect();
            new.par_sort_unstable_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
            table.sorted = merge_sorted(&table.sorted, &new, |a, b| names[a as usize] < names[b as usize]);
        }
        Prepared {
            table: self.table.clone(),
            docs,
        }
    }
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

/// A paper's words: numbers of known words, and words not numbered yet.
type PaperWords<'p> = (Vec<u32>, Vec<Cow<'p, str>>);

/// The distinct index words of a paper's title and abstract, lower-cased: the numbers of
/// words `ids` knows (ascending), then the words it does not (in order of first use).
/// Stop words are in `ids` as [`STOP`], so one lookup per word tells both.
fn paper_words<'p>(ids: &FxHashMap<Box<str>, u32>, p: &'p crate::model::Paper) -> PaperWords<'p> {
    let mut known: Vec<u32> = Vec::with_capacity(128);
    let mut new: Vec<Cow<'p, str>> = Vec::new();
    let mut lower = String::new();
    for text in [&*p.title, &*p.abstract_text] {
        for word in crate::markup::words(text) {
            if word.len() == 1 {
                continue;
            }
            let w = crate::markup::lowercased(word, &mut lower);
            match ids.get(w) {
                Some(&STOP) => {}
                Some(&id) => known.push(id),
                // New words are few once the common ones are numbered. Most words are
                // lower-case already, and come back as themselves: borrowed, not copied.
                None if !new.iter().any(|n| n == w) => new.push(if std::ptr::eq(w, word) {
                    Cow::Borrowed(word)
                } else {
                    Cow::Owned(w.to_string())
                }),
                None => {}
            }
        }
    }
    known.sort_unstable();
    known.dedup();
    (known, new)
}

/// The index as compact JSON:
///
/// - `v`: format version, for caches;
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
pub fn index(site: &Site, prepared: &Prepared) -> Vec<u8> {
    let mut dates: Vec<String> = Vec::new();
    let mut date_ids: BTreeMap<chrono::NaiveDate, usize> = BTreeMap::new();
    let mut papers = Vec::with_capacity(site.papers.len());
    for p in &site.papers {
        let date = *date_ids.entry(p.date).or_insert_with(|| {
            dates.push(p.date.to_string());
            dates.len() - 1
        });
        papers.push((&*p.title, p.slug.as_str(), date, &p.tags[..]));
    }
    // Papers by word, as one flat array: papers are visited in order, so each word's
    // list ascends.
    let table = &prepared.table;
    let mut start = vec![0u32; table.names.len() + 1];
    for doc in &prepared.docs {
        for &w in doc.iter() {
            start[w as usize + 1] += 1;
        }
    }
    for w in 0..table.names.len() {
        start[w + 1] += start[w];
    }
    let mut fill = start.clone();
    let mut lists = vec![0u32; start[table.names.len()] as usize];
    for (id, doc) in prepared.docs.iter().enumerate() {
        for &w in doc.iter() {
            lists[fill[w as usize] as usize] = id as u32;
            fill[w as usize] += 1;
        }
    }
    // Emitted in parallel slices of the word list; each slice front-codes its first word
    // against the word before it, so the joined string is the same as one pass would give.
    let live: Vec<u32> = table
        .sorted
        .iter()
        .copied()
        .filter(|&w| start[w as usize] < start[w as usize + 1])
        .collect();
    let slice = live.len().div_ceil(rayon::current_num_threads() * 4).max(1);
    let parts: Vec<Vec<u8>> = live
        .par_chunks(slice)
        .enumerate()
        .map(|(i, words)| {
            let mut out: Vec<u8> = Vec::with_capacity(words.len() * 40);
            let mut previous: &str = if i == 0 {
                ""
            } else {
                &table.names[live[i * slice - 1] as usize]
            };
            for &w in words {
                let word = &*table.names[w as usize];
                if !out.is_empty() {
                    out.push(b';');
                }
                let shared = common_prefix_chars(previous, word).min(35);
                push_base36(&mut out, shared);
                let suffix = word.char_indices().nth(shared).map_or("", |(at, _)| &word[at..]);
                out.extend_from_slice(suffix.as_bytes());
                out.push(b':');
                let mut prev = 0;
                for (k, &id) in lists[start[w as usize] as usize..start[w as usize + 1] as usize]
                    .iter()
                    .enumerate()
                {
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
    let mut out: Vec<u8> = Vec::with_capacity(parts.iter().map(Vec::len).sum::<usize>() + papers.len() * 120);
    out.extend_from_slice(b"{\"v\":1,\"tags\":[");
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
    let mut digits = itoa::Buffer::new();
    for (i, (title, slug, date, tags)) in papers.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        json_str(&mut out, title);
        out.push(b',');
        json_str(&mut out, slug);
        out.push(b',');
        out.extend_from_slice(digits.format(*date).as_bytes());
        out.extend_from_slice(b",[");
        for (k, t) in tags.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.extend_from_slice(digits.format(*t).as_bytes());
        }
        out.extend_from_slice(b"]]");
    }
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
        let site = crate::content::assemble(vec![file]);
        let prepared = Words::default().prepare(&site);
        let json: serde_json::Value = serde_json::from_slice(&index(&site, &prepared)).unwrap();
        assert_eq!(json["terms"], "0graph:0,1;5ene:1;5s:0;0nets:0;0sheets:1");
    }
}
