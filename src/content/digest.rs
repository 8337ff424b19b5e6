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
/// those are tolerated. Lines that do not pair up are errors, because guessing would silently
/// give every following paper the wrong abstract.
pub fn parse(text: &str, path: &Path, import: &ImportConfig) -> Result<Vec<DigestEntry>, Vec<ContentError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches(['\r', ' ', '\t'])))
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| (n, l.trim_start()))
        .peekable();

    // Page boilerplate can only come before the first paper.
    while lines
        .peek()
        .is_some_and(|(_, l)| import.strip_lines.iter().any(|b| b == l))
    {
        lines.next();
    }

    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut first = true;
    while let Some((title_line, raw_title)) = lines.next() {
        let mut title = raw_title;
        if first {
            first = false;
            for prefix in &import.strip_prefixes {
                if let Some(rest) = title.strip_prefix(prefix.as_str()) {
                    if !rest.trim().is_empty() {
                        title = rest.trim_start();
                        break;
                    }
                }
            }
        }
        if looks_like_abstract(title) {
            errors.push(ContentError::new(
                path,
                title_line,
                "expected a title but this line reads like an abstract — a title line is missing above it, or two abstracts follow each other",
            ));
            return Err(errors);
        }
        let Some((abstract_line, abstract_text)) = lines.next() else {
            errors.push(ContentError::new(
                path,
                title_line,
                format!(
                    "title `{}` has no abstract after it — add the abstract on the next line, or remove the title",
                    clip(title)
                ),
            ));
            break;
        };
        if looks_like_title(abstract_text) {
            errors.push(ContentError::new(
                path,
                abstract_line,
                format!(
                    "expected the abstract of `{}` but this line reads like a title — the abstract is missing above it",
                    clip(title)
                ),
            ));
            return Err(errors);
        }
        entries.push(DigestEntry {
            title: title.to_string(),
            abstract_text: abstract_text.to_string(),
            line: title_line,
        });
    }
    if errors.is_empty() { Ok(entries) } else { Err(errors) }
}

/// The issue date in a digest's path: `2026-11-26.txt`, `2026-11-26-evening.txt`, or
/// `2026/11/26.txt`.
pub fn date_from_path(path: &Path) -> Option<NaiveDate> {
    let stem = path.file_stem()?.to_str()?;
    if let Some(date) = stem
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        let rest = &stem[10..];
        if rest.is_empty() || rest.starts_with(['-', '_', '.']) {
            return Some(date);
        }
    }
    let day = stem;
    let month = path.parent()?.file_name()?.to_str()?;
    let year = path.parent()?.parent()?.file_name()?.to_str()?;
    if year.len() == 4 && month.len() == 2 && day.len() == 2 {
        return NaiveDate::parse_from_str(&format!("{year}-{month}-{day}"), "%Y-%m-%d").ok();
    }
    None
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
        parse(text, Path::new("d.txt"), &ImportConfig::default()).unwrap()
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
        let err = parse(&text, Path::new("d.txt"), &ImportConfig::default()).unwrap_err();
        assert_eq!(err[0].line, 3);
        assert!(err[0].message.contains("has no abstract"));
    }

    #[test]
    fn a_missing_title_is_caught_where_the_pairs_shift() {
        let long = ABSTRACT.repeat(3);
        let text = format!("First\n{long}\n{long}\nSecond");
        let err = parse(&text, Path::new("d.txt"), &ImportConfig::default()).unwrap_err();
        assert_eq!(err[0].line, 3, "{err:?}");
    }

    #[test]
    fn a_missing_abstract_is_caught() {
        let text = format!("First\nSecond\n{ABSTRACT}");
        let err = parse(&text, Path::new("d.txt"), &ImportConfig::default()).unwrap_err();
        assert_eq!(err[0].line, 2, "{err:?}");
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
