//! The search index behind `/search/`: written at build time, queried in the browser by
//! `search.js` (shipped with the binary, no other host involved).
//!
//! Abstracts are not shipped: the index holds each paper's title, slug, date and tags, and
//! an inverted index from every word of titles and abstracts (lower-cased, stop words and
//! LaTeX macro names dropped) to the papers using it, as delta-encoded base-36 numbers. The
//! browser matches query words as prefixes of the sorted words, so `learn` finds
//! `learning` and `learned` without a stemmer in JavaScript.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::model::Site;

/// The browser side, served as `/search/search.js`.
pub const SCRIPT: &str = include_str!("search.js");

/// Words too common to narrow a search; a query made only of them matches titles instead.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "has", "have", "in", "is", "it", "its",
    "of", "on", "or", "that", "the", "their", "this", "to", "we", "which", "with", "our", "these", "this", "was",
    "were", "been", "also", "such", "than", "into", "both", "while", "however", "not", "but", "over", "via",
];

#[derive(Serialize)]
struct Index<'a> {
    /// Format version, for caches.
    v: u32,
    /// Tag display names; papers refer to them by position.
    tags: Vec<&'a str>,
    /// Distinct issue dates; papers refer to them by position.
    dates: Vec<String>,
    /// `[title, slug, date index, [tag indexes]]` per paper.
    papers: Vec<(&'a str, &'a str, usize, Vec<usize>)>,
    /// The inverted index as one string, entries in word order joined by `;`. An entry is
    /// `P SUFFIX : GAPS`: the word is the previous word's first `P` characters (one base-36
    /// digit) followed by `SUFFIX` (front coding: sorted words share long prefixes), and
    /// `GAPS` are the papers using it, ascending, as base-36 differences joined by `,`.
    terms: String,
}

/// The index as compact JSON. Words are stored in full (not stemmed) so that the browser
/// can match prefixes of what the reader types.
pub fn index(site: &Site) -> Vec<u8> {
    let stop: rustc_hash::FxHashSet<&str> = STOP_WORDS.iter().chain(crate::markup::LATEX_MACROS).copied().collect();
    let mut dates: Vec<String> = Vec::new();
    let mut date_ids: BTreeMap<chrono::NaiveDate, usize> = BTreeMap::new();
    // Word → id, ids → papers; sorted once at the end (a BTreeMap per word was the slow part).
    let mut ids: FxHashMap<String, usize> = FxHashMap::default();
    let mut lists: Vec<Vec<usize>> = Vec::new();
    let mut lower = String::new();
    let mut papers = Vec::with_capacity(site.papers.len());
    for (id, p) in site.papers.iter().enumerate() {
        let date = *date_ids.entry(p.date).or_insert_with(|| {
            dates.push(p.date.to_string());
            dates.len() - 1
        });
        papers.push((&*p.title, p.slug.as_str(), date, p.tags.clone()));
        for text in [&*p.title, &*p.abstract_text] {
            for word in text.split(|c: char| !c.is_alphanumeric()) {
                if word.is_empty() || (word.len() == 1 && word.is_ascii()) {
                    continue;
                }
                crate::markup::lowercase_into(&mut lower, word);
                if stop.contains(lower.as_str()) {
                    continue;
                }
                let w = match ids.get(lower.as_str()) {
                    Some(&w) => w,
                    None => {
                        ids.insert(lower.clone(), lists.len());
                        lists.push(Vec::new());
                        lists.len() - 1
                    }
                };
                let list = &mut lists[w];
                if list.last() != Some(&id) {
                    list.push(id);
                }
            }
        }
    }
    let mut words: Vec<(String, Vec<usize>)> = ids
        .into_iter()
        .map(|(w, i)| (w, std::mem::take(&mut lists[i])))
        .collect();
    words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut terms = String::with_capacity(words.len() * 12);
    let mut previous: &str = "";
    for (word, ids) in &words {
        if !terms.is_empty() {
            terms.push(';');
        }
        let shared = previous
            .chars()
            .zip(word.chars())
            .take_while(|(a, b)| a == b)
            .count()
            .min(35);
        push_base36(&mut terms, shared);
        terms.extend(word.chars().skip(shared));
        terms.push(':');
        let mut prev = 0;
        for (i, &id) in ids.iter().enumerate() {
            if i > 0 {
                terms.push(',');
            }
            push_base36(&mut terms, id - prev);
            prev = id;
        }
        previous = word;
    }
    let index = Index {
        v: 1,
        tags: site.tags.iter().map(|t| t.name.as_str()).collect(),
        dates,
        papers,
        terms,
    };
    let mut out = serde_json::to_vec(&index).expect("the index always serializes");
    out.push(b'\n');
    out
}

fn push_base36(out: &mut String, mut n: usize) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[n % 36];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_base36() {
        let mut s = String::new();
        for n in [0, 35, 36, 1295, 1296] {
            push_base36(&mut s, n);
            s.push(' ');
        }
        assert_eq!(s, "0 z 10 zz 100 ");
    }

    #[test]
    fn words_are_front_coded_with_gaps() {
        let text = "Graph nets\nGraphs of graph. And of graph.\nGraphene\nGraph sheets. Of sheets.\n";
        let config = crate::config::Config::default();
        let path = std::path::Path::new("2026-11-26.txt");
        let file = crate::content::parse_text(text, path, &config, &mut |_| {}).unwrap();
        let site = crate::content::assemble(vec![file]);
        let json: serde_json::Value = serde_json::from_slice(&index(&site)).unwrap();
        assert_eq!(json["terms"], "0graph:0,1;5ene:1;5s:0;0nets:0;0sheets:1");
    }
}
