//! `corpusgen --real`: a real-shaped corpus. Real abstracts are longer than the sample's,
//! author lists run to a hundred names, a day holds 190–820 listings and weekends repeat
//! Friday's: all of which the synthetic corpus understates. This one draws every sentence,
//! title tail, author list and category from 300 real arXiv papers kept in the repository
//! (`tests/fixtures/real-dev`), and day sizes from a real month of listings (May 2026), and
//! writes one JSON Lines file per day, as crawlers do.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use chrono::{Datelike as _, Weekday};

use super::{Paper, Rng, code_name};

const SOURCE: &str = include_str!("../tests/fixtures/real-dev/content/papers.jsonl");

/// New listings per weekday in May 2026 (`../shared/corpus/real-month`).
const WEEKDAY_SIZES: &[usize] = &[
    314, 188, 616, 243, 265, 447, 465, 639, 481, 372, 274, 300, 822, 370, 385, 270, 796, 410, 532, 569, 443,
];

/// One real paper, the source of the parts of generated ones.
struct Source {
    title: &'static str,
    authors: Vec<&'static str>,
    categories: Vec<&'static str>,
    sentences: usize,
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn strings(v: &serde_json::Value) -> Vec<&'static str> {
    v.as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str()).map(leak).collect())
        .unwrap_or_default()
}

fn split_sentences(text: &'static str) -> Vec<&'static str> {
    text.split_inclusive(". ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Writes `papers` real-shaped papers under `out/content`, ending on `end`; returns them
/// with their dates (for `--hugo`).
pub fn write(
    out: &Path,
    papers: usize,
    end: chrono::NaiveDate,
    rng: &mut Rng,
) -> Vec<(usize, chrono::NaiveDate, Paper)> {
    let mut sources = Vec::new();
    let mut sentences = Vec::new();
    for line in SOURCE.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("the real-dev fixture is JSON Lines");
        let abstract_text = leak(v["abstract"].as_str().unwrap_or_default());
        let own = split_sentences(abstract_text);
        sources.push(Source {
            title: leak(v["title"].as_str().unwrap_or_default()),
            authors: strings(&v["authors"]),
            categories: strings(&v["categories"]),
            sentences: own.len().max(3),
        });
        sentences.extend(own);
    }
    let days = plan_days(papers, end, rng);
    let content = out.join("content");
    let mut all = Vec::new();
    let (mut n, mut month, mut in_month) = (0usize, String::new(), 0usize);
    let mut friday: Vec<usize> = Vec::new();
    for (date, count) in days {
        let mut listing = Vec::new();
        if is_weekend(date) {
            // arXiv announces nothing at weekends; listing pages repeat Friday's papers.
            listing = friday.clone();
        } else {
            for _ in 0..count {
                n += 1;
                let ym = date.format("%y%m").to_string();
                if ym != month {
                    (month, in_month) = (ym, 0);
                }
                in_month += 1;
                let s = rng.pick(&sources[..]);
                let tail = s.title.split_once(": ").map_or(s.title, |(_, t)| t);
                let mut abstract_text = String::new();
                for _ in 0..s.sentences {
                    let _ = write!(abstract_text, "{} ", rng.pick(&sentences[..]));
                }
                let other = rng.pick(&sources[..]);
                all.push((
                    n,
                    date,
                    Paper {
                        title: format!("{}{}: {tail}", code_name(n), n % 97),
                        abstract_text: abstract_text.trim_end().to_string(),
                        tags: s.categories.clone(),
                        authors: if rng.chance(0.5) {
                            s.authors.clone()
                        } else {
                            other.authors.clone()
                        },
                        arxiv: format!("{month}.{in_month:05}"),
                        markdown: false,
                    },
                ));
                listing.push(all.len() - 1);
            }
            if date.weekday() == Weekday::Fri {
                friday = listing.clone();
            }
        }
        if listing.is_empty() {
            continue;
        }
        let mut jsonl = String::new();
        for &i in &listing {
            let (_, _, p) = &all[i];
            let record = serde_json::json!({
                "id": p.arxiv,
                "date": date.to_string(),
                "title": p.title,
                "authors": p.authors,
                "categories": p.tags,
                "abstract": p.abstract_text,
            });
            jsonl.push_str(&record.to_string());
            jsonl.push('\n');
        }
        let dir = content.join(date.format("%Y/%m").to_string());
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("{}.jsonl", date.format("%d"))), jsonl).unwrap();
    }
    all
}

/// Days ending on `end`, each with its number of new papers (weekends have none of their
/// own), adding up to `papers`.
fn plan_days(papers: usize, end: chrono::NaiveDate, rng: &mut Rng) -> Vec<(chrono::NaiveDate, usize)> {
    let mut days = Vec::new();
    let (mut left, mut date) = (papers, end);
    while left > 0 {
        let count = if is_weekend(date) {
            0
        } else {
            (*rng.pick(WEEKDAY_SIZES)).min(left)
        };
        left -= count;
        days.push((date, count));
        date = date.pred_opt().unwrap();
    }
    // A weekend at the start would repeat a Friday that is not there.
    while days.last().is_some_and(|&(_, c)| c == 0) {
        days.pop();
    }
    days.reverse();
    days
}

/// arXiv announces nothing on Saturdays and Sundays.
fn is_weekend(date: chrono::NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}
