//! Digest files: the raw scraped form, alternating title and abstract lines.

use std::path::Path;

use chrono::NaiveDate;

use crate::config::ImportConfig;
use crate::error::ContentError;

/// One title/abstract pair, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestEntry {
    /// Title with boilerplate stripped.
    pub title: String,
    /// Abstract text (plain, one paragraph).
    pub abstract_text: String,
    /// 1-based line of the title.
    pub line: usize,
}

/// Splits a digest into papers. Scrapers produce BOMs, CRLF, trailing spaces and blank lines;
/// those are tolerated. Lines pair strictly: title, abstract, title, abstract. A pair that
/// reads the wrong way round (a short abstract without a full stop, a very long title) is a
/// warning; pairs that keep reading the wrong way round from one point on mean a line was
/// lost there and every following paper would get the wrong abstract: that is an error
/// naming the line where it starts.
pub fn parse(
    text: &str,
    path: &Path,
    import: &ImportConfig,
    warn: &mut dyn FnMut(String),
) -> Result<Vec<DigestEntry>, Vec<ContentError>> {
    let lines = content_lines(text, import);
    let pairs: Vec<Pair> = lines
        .chunks(2)
        .map(|c| Pair {
            title: c[0],
            abstract_: c.get(1).copied(),
        })
        .collect();
    let mut entries = Vec::with_capacity(pairs.len());
    for (i, pair) in pairs.iter().enumerate() {
        let (title_line, title) = pair.title;
        let Some((abstract_line, abstract_text)) = pair.abstract_ else {
            return Err(vec![ContentError::new(
                path,
                title_line,
                format!(
                    "title `{}` has no abstract after it — add the abstract on the next line, or remove the title",
                    clip(title)
                ),
            )]);
        };
        if let Some(odd) = pair.oddity() {
            // One odd pair is a real paper with a short abstract or a long title; the rest
            // of the file reading the wrong way round too is a lost line.
            let shifted = pairs
                .get(i + 1)
                .is_none_or(|next| next.abstract_.is_none() || next.oddity().is_some());
            let (line, message) = match odd {
                Oddity::TitleReadsLikeAbstract => (
                    title_line,
                    "expected a title but this line reads like an abstract".to_string(),
                ),
                Oddity::AbstractReadsLikeTitle => (
                    abstract_line,
                    format!(
                        "expected the abstract of `{}` but this line reads like a title",
                        clip(title)
                    ),
                ),
            };
            // At the end nothing follows to tell; a title slot holding an abstract is still
            // telling (titles are never that long), and so is an "abstract" of a few words.
            let last = i + 1 == pairs.len();
            let telling = match odd {
                Oddity::TitleReadsLikeAbstract => true,
                Oddity::AbstractReadsLikeTitle => abstract_text.split_whitespace().count() < 8,
            };
            if (shifted && !last) || (last && telling) {
                let fix = match odd {
                    Oddity::TitleReadsLikeAbstract => "a title line is missing above it",
                    Oddity::AbstractReadsLikeTitle => "the abstract is missing above it",
                };
                let after = if last { "" } else { ", and so does every pair after it" };
                return Err(vec![ContentError::new(
                    path,
                    line,
                    format!(
                        "{message}{after} — {fix}, so the titles and abstracts from here on are swapped; restore the lost line"
                    ),
                )]);
            }
            warn(format!(
                "{}:{line}: {message} — check that the pair is right; it is kept as it is",
                path.display()
            ));
        }
        entries.push(DigestEntry {
            title: title.to_string(),
            abstract_text: abstract_text.to_string(),
            line: title_line,
        });
    }
    Ok(entries)
}

/// The lines that hold papers, with their 1-based numbers: blank lines and the page
/// boilerplate before the first paper dropped, and the scraper's prefix (a "Subscribe"
/// button) taken off the first title.
fn content_lines<'t>(text: &'t str, import: &ImportConfig) -> Vec<(usize, &'t str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<(usize, &str)> = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches(['\r', ' ', '\t'])))
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| (n, l.trim_start()))
        .skip_while(|(_, l)| import.strip_lines.iter().any(|b| b == l))
        .collect();
    if let Some((_, first)) = lines.first_mut() {
        for prefix in &import.strip_prefixes {
            if let Some(rest) = first.strip_prefix(prefix.as_str()) {
                if !rest.trim().is_empty() {
                    *first = rest.trim_start();
                    break;
                }
            }
        }
    }
    lines
}

/// Two lines that should be a title and its abstract.
struct Pair<'t> {
    title: (usize, &'t str),
    abstract_: Option<(usize, &'t str)>,
}

/// How a pair reads the wrong way round.
#[derive(Debug, Clone, Copy)]
enum Oddity {
    TitleReadsLikeAbstract,
    AbstractReadsLikeTitle,
}

impl Pair<'_> {
    fn oddity(&self) -> Option<Oddity> {
        if looks_like_abstract(self.title.1) {
            return Some(Oddity::TitleReadsLikeAbstract);
        }
        match self.abstract_ {
            Some((_, a)) if looks_like_title(a) => Some(Oddity::AbstractReadsLikeTitle),
            _ => None,
        }
    }
}

/// The issue date in a digest's path: `2026-11-26.txt`, `2026-11-26-evening.txt`, or
/// `2026/11/26.txt`.
pub fn date_from_path(path: &Path) -> Option<NaiveDate> {
    let (date, _) = written_date(path)?;
    NaiveDate::parse_from_str(&date, "%Y-%m-%d").ok()
}

/// The date a digest file's name was meant to give when it gives none: text written like
/// one (`2026-02-30`, `2026/13/01`) that is no calendar date, as written, for the error.
pub(super) fn misdated(path: &Path) -> Option<String> {
    written_date(path)
        .filter(|_| date_from_path(path).is_none())
        .map(|(_, written)| written)
}

/// The date a digest's path is named by, as `YYYY-MM-DD` digits, whether or not the
/// calendar has it, with how the path writes it: the stem's first ten characters (followed
/// by nothing or by `-`, `_` or `.`), or the `YYYY/MM/DD` of its folders and stem.
fn written_date(path: &Path) -> Option<(String, String)> {
    let shaped = |d: &str| {
        let b = d.as_bytes();
        b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            })
    };
    let stem = path.file_stem()?.to_str()?;
    if let Some(date) = stem.get(..10).filter(|d| shaped(d)) {
        let rest = &stem[10..];
        if rest.is_empty() || rest.starts_with(['-', '_', '.']) {
            return Some((date.to_string(), date.to_string()));
        }
    }
    let month = path.parent()?.file_name()?.to_str()?;
    let year = path.parent()?.parent()?.file_name()?.to_str()?;
    let date = format!("{year}-{month}-{stem}");
    shaped(&date).then(|| (date, format!("{year}/{month}/{stem}")))
}

/// A title is one phrase; an abstract is several sentences. Thresholds are far from both
/// (titles in the sample are at most 163 characters, abstracts at least 584).
fn looks_like_abstract(line: &str) -> bool {
    let len = line.chars().count();
    len > 400 || (len > 200 && sentence_breaks(line) >= 2)
}

fn looks_like_title(line: &str) -> bool {
    let len = line.chars().count();
    len < 120 && sentence_breaks(line) == 0 && !line.ends_with(['.', '!', '?'])
}

/// Counts `. X` — a full stop, a space, then a capital — as a sentence break.
fn sentence_breaks(line: &str) -> usize {
    let b = line.as_bytes();
    b.windows(3)
        .filter(|w| matches!(w[0], b'.' | b'!' | b'?') && w[1] == b' ' && w[2].is_ascii_uppercase())
        .count()
}

fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABSTRACT: &str = "We study a problem. We show a result that holds in general. Experiments confirm it.";

    fn parse_ok(text: &str) -> Vec<DigestEntry> {
        parse(text, Path::new("d.txt"), &ImportConfig::default(), &mut |_| {}).unwrap()
    }

    fn parse_err(text: &str) -> Vec<ContentError> {
        parse(text, Path::new("d.txt"), &ImportConfig::default(), &mut |_| {}).unwrap_err()
    }

    #[test]
    fn strips_boilerplate_and_glued_subscribe() {
        let text = format!(
            "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\nSubscribeA Title\n{ABSTRACT}"
        );
        let e = parse_ok(&text);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].title, "A Title");
        assert_eq!(e[0].line, 3);
    }

    #[test]
    fn tolerates_bom_crlf_trailing_space_and_blank_lines() {
        let text = format!("\u{feff}First  \r\n{ABSTRACT} \r\n\r\n\r\nSecond\r\n\r\n{ABSTRACT}\r\n");
        let e = parse_ok(&text);
        assert_eq!(
            e.iter().map(|e| e.title.as_str()).collect::<Vec<_>>(),
            ["First", "Second"]
        );
        assert_eq!(e[1].line, 5);
        assert_eq!(e[1].abstract_text, ABSTRACT);
    }

    #[test]
    fn a_title_without_abstract_names_its_line() {
        let text = format!("First\n{ABSTRACT}\nLonely title");
        let err = parse_err(&text);
        assert_eq!(err[0].line, 3);
        assert!(err[0].message.contains("has no abstract"));
    }

    #[test]
    fn a_missing_title_is_caught_where_the_pairs_shift() {
        let long = ABSTRACT.repeat(3);
        let text = format!("First\n{long}\n{long}\nSecond");
        let err = parse_err(&text);
        assert_eq!(err[0].line, 3, "{err:?}");
    }

    #[test]
    fn a_missing_abstract_is_caught() {
        let text = format!("First\nSecond\n{ABSTRACT}");
        let err = parse_err(&text);
        assert_eq!(err[0].line, 2, "{err:?}");
    }

    #[test]
    fn a_short_abstract_without_a_full_stop_is_a_warning_not_an_error() {
        // Real: content/2025-06-05.txt:18 of a year of arXiv listings.
        let short =
            "This is the final remark on the replies received to my target paper in the Italian Journal of Linguistics";
        let text = format!("First\n{ABSTRACT}\nA Reply to the Replies\n{short}\nThird\n{ABSTRACT}\n");
        let mut warnings = Vec::new();
        let e = parse(&text, Path::new("d.txt"), &ImportConfig::default(), &mut |w| {
            warnings.push(w)
        })
        .unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[1].abstract_text, short);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("d.txt:4: expected the abstract of `A Reply to the Replies`"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_lost_abstract_in_the_middle_is_caught_where_the_shift_starts() {
        let papers: Vec<String> = (1..=6)
            .map(|i| format!("Title number {i}\n{ABSTRACT} Paper {i}."))
            .collect();
        let mut lines: Vec<String> = papers.join("\n").lines().map(String::from).collect();
        lines.remove(5); // the abstract of the third paper (lines 5 and 6)
        let err = parse_err(&lines.join("\n"));
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].line, 6, "{err:?}");
        assert!(err[0].message.contains("Title number 3"), "{}", err[0].message);
        assert!(err[0].message.contains("every pair after it"), "{}", err[0].message);
    }

    #[test]
    fn dates_come_from_names_or_folders() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26);
        assert_eq!(date_from_path(Path::new("content/2026-11-26.txt")), d);
        assert_eq!(date_from_path(Path::new("content/2026-11-26-evening.txt")), d);
        assert_eq!(date_from_path(Path::new("content/2026/11/26.txt")), d);
        assert_eq!(date_from_path(Path::new("content/papers.txt")), None);
        assert_eq!(date_from_path(Path::new("content/2026-13-45.txt")), None);
    }
}
