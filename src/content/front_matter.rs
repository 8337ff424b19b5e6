//! Markdown papers: TOML (`+++`) or YAML (`---`) front matter, then the abstract.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;

use crate::error::{ContentError, line_of_offset};

/// A Markdown paper after its front matter is checked; the body is still Markdown.
#[derive(Debug, Clone)]
pub struct MarkdownPaper {
    /// Title from front matter.
    pub title: String,
    /// Calendar day the paper joins the issue of.
    pub date: NaiveDate,
    /// The instant for feeds.
    pub published: DateTime<Utc>,
    /// Explicit tags, as written.
    pub tags: Vec<String>,
    /// Author names.
    pub authors: Vec<String>,
    /// The paper's own page.
    pub url: Option<String>,
    /// arXiv identifier.
    pub arxiv: Option<String>,
    /// The abstract, in Markdown.
    pub body: String,
    /// Not published unless the build asks for drafts.
    pub draft: bool,
    /// The URL segment the paper asks for, over the one its title gives.
    pub slug: Option<String>,
    /// Old addresses of the paper (`old-slug`, `/papers/old-slug/`) that redirect to it.
    pub aliases: Vec<String>,
    /// Its PDF, when it is not arXiv's.
    pub pdf: Option<String>,
    /// Subject categories (`cs.CV`), shown on its page as a crawler's record shows them.
    pub categories: Vec<String>,
    /// A note on the paper ("12 pages, 5 figures"), as arXiv's comment.
    pub comment: Option<String>,
}

#[derive(Deserialize)]
struct FrontMatter {
    title: String,
    date: DateValue,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    authors: Vec<String>,
    url: Option<String>,
    arxiv: Option<String>,
    #[serde(default)]
    draft: bool,
    slug: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    pdf: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
    comment: Option<String>,
}

/// TOML has a native date type; YAML and quoted TOML give a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum DateValue {
    Text(String),
    Toml(toml::value::Datetime),
}

/// Splits front matter from the body and checks every field. `warn` receives unknown keys.
pub fn parse(text: &str, path: &Path, warn: &mut dyn FnMut(String)) -> Result<MarkdownPaper, ContentError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("").trim_end();
    let (fence, format) = match first {
        "+++" => ("+++", "TOML"),
        "---" => ("---", "YAML"),
        _ => {
            return Err(ContentError::new(
                path,
                1,
                "no front matter — start the file with a `+++` line, then `title = \"…\"` and `date = 2026-11-26`, then a closing `+++` line",
            ));
        }
    };
    let after_open = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = after_open;
    let mut close = None;
    for line in text[after_open..].split_inclusive('\n') {
        if line.trim_end() == fence {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((fm_end, body_start)) = close else {
        return Err(ContentError::new(
            path,
            1,
            format!("front matter opened with `{fence}` is never closed — add a `{fence}` line after the last field"),
        ));
    };
    let fm_text = &text[after_open..fm_end];
    // Line numbers inside the front matter start after the opening fence.
    let fm_line = |off: usize| line_of_offset(fm_text, off) + 1;

    let mut unknown: Vec<String> = Vec::new();
    let fm: FrontMatter = if format == "TOML" {
        let de = toml::Deserializer::parse(fm_text)
            .map_err(|e| fm_error(path, e.span().map_or(1, |s| fm_line(s.start)), e.message(), format))?;
        serde_ignored::deserialize(de, |key| unknown.push(key.to_string())).map_err(|e: toml::de::Error| {
            let line = if e.message().starts_with("missing field") {
                1
            } else {
                e.span().map_or(1, |s| fm_line(s.start))
            };
            let at = fm_text.lines().nth(line.saturating_sub(2));
            fm_error(path, line, &crate::error::plain_type_error(e.message(), at), format)
        })?
    } else {
        let de = serde_norway::Deserializer::from_str(fm_text);
        serde_ignored::deserialize(de, |key| unknown.push(key.to_string())).map_err(|e: serde_norway::Error| {
            let line = if e.to_string().starts_with("missing field") {
                1
            } else {
                // YAML counts a lone CR as a line break, the editor does not: go by position.
                // libyaml's index counts characters.
                e.location().map_or(1, |l| {
                    fm_line(fm_text.char_indices().nth(l.index()).map_or(fm_text.len(), |(b, _)| b))
                })
            };
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg);
            fm_error(path, line, &crate::error::plain_type_error(msg, None), format)
        })?
    };

    let field_line = |key: &str| {
        fm_text
            .lines()
            .position(|l| l.trim_start().starts_with(key))
            .map_or(1, |i| i + 2)
    };
    for key in unknown {
        warn(format!(
            "{}:{}: unknown front-matter key `{key}` is ignored — remove it, or check its spelling",
            path.display(),
            field_line(&key)
        ));
    }
    let title = fm.title.trim().to_string();
    if title.is_empty() {
        return Err(ContentError::new(
            path,
            field_line("title"),
            "title is empty — give the paper a title",
        ));
    }
    let date_text = match fm.date {
        DateValue::Text(s) => s,
        DateValue::Toml(d) => d.to_string(),
    };
    let Some((date, published)) = parse_date(date_text.trim()) else {
        return Err(ContentError::new(
            path,
            field_line("date"),
            format!("date `{date_text}` is not a date — write it as 2026-11-26 or 2026-11-26T09:30:00Z"),
        ));
    };
    let web_address = |key: &str, value: Option<String>| -> Result<Option<String>, ContentError> {
        let value = filled(value);
        if let Some(u) = &value {
            let lower = u.to_ascii_lowercase();
            if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                return Err(ContentError::new(
                    path,
                    field_line(key),
                    format!("{key} `{u}` is not a web address — write it as https://…, or remove it"),
                ));
            }
        }
        Ok(value)
    };
    let url = web_address("url", fm.url)?;
    let pdf = web_address("pdf", fm.pdf)?;
    let body = text[body_start..].trim().to_string();
    if body.is_empty() {
        return Err(ContentError::new(
            path,
            line_of_offset(text, body_start),
            "the abstract is empty — write the abstract after the front matter",
        ));
    }
    let trimmed = |list: Vec<String>| -> Vec<String> { list.into_iter().filter_map(|x| filled(Some(x))).collect() };
    Ok(MarkdownPaper {
        title,
        date,
        published,
        tags: trimmed(fm.tags),
        authors: trimmed(fm.authors),
        url,
        arxiv: filled(fm.arxiv),
        body,
        draft: fm.draft,
        slug: filled(fm.slug),
        pdf,
        categories: trimmed(fm.categories),
        comment: filled(fm.comment),
        aliases: fm.aliases,
    })
}

fn fm_error(path: &Path, line: usize, message: &str, format: &str) -> ContentError {
    let message = message.trim().trim_end_matches('.').replace('\n', " ");
    ContentError::new(
        path,
        line,
        format!(
            "invalid {format} front matter: {message} — fields are title (text), date (2026-11-26), tags, authors, aliases (lists of text), url, arxiv, slug (text), draft (true/false)"
        ),
    )
}

/// `YYYY-MM-DD`, RFC 3339, or a date-time without offset (taken as UTC).
/// A front-matter value without its surrounding blanks, and none when that leaves nothing.
fn filled(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

pub(super) fn parse_date(s: &str) -> Option<(NaiveDate, DateTime<Utc>)> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some((d, d.and_hms_opt(0, 0, 0)?.and_utc()));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some((dt.date_naive(), dt.with_timezone(&Utc)));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some((dt.date(), dt.and_utc()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<MarkdownPaper, ContentError> {
        parse(text, Path::new("p.md"), &mut |_| {})
    }

    #[test]
    fn toml_front_matter_with_native_date() {
        let p = parse_str("+++\ntitle = \"T\"\ndate = 2026-11-26\ntags = [\"RL\"]\n+++\nBody.\n").unwrap();
        assert_eq!(p.title, "T");
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
        assert_eq!(p.tags, ["RL"]);
        assert_eq!(p.body, "Body.");
    }

    #[test]
    fn a_paper_written_by_hand_has_what_a_crawler_record_has() {
        let text = "---\ntitle: T\ndate: 2026-11-26\npdf: https://example.org/t.pdf\ncategories: [cs.RO, \" \"]\ncomment: \" 12 pages \"\n---\nBody.\n";
        let p = parse_str(text).unwrap();
        assert_eq!(p.pdf.as_deref(), Some("https://example.org/t.pdf"));
        assert_eq!(p.categories, ["cs.RO"]);
        assert_eq!(p.comment.as_deref(), Some("12 pages"));
        let e = parse_str("+++\ntitle = \"T\"\ndate = 2026-11-26\n\npdf = \"t.pdf\"\n+++\nBody.\n").unwrap_err();
        assert_eq!(e.line, 5);
        assert!(
            e.message.starts_with("pdf `t.pdf` is not a web address"),
            "{}",
            e.message
        );
    }

    #[test]
    fn toml_offset_datetime_keeps_its_local_day() {
        let p = parse_str("+++\ntitle = \"T\"\ndate = 2026-11-26T23:30:00-05:00\n+++\nBody.\n").unwrap();
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
        assert_eq!(p.published.to_rfc3339(), "2026-11-27T04:30:00+00:00");
    }

    #[test]
    fn yaml_front_matter() {
        let p = parse_str("---\ntitle: T\ndate: 2026-11-26\nauthors: [A, B]\n---\nBody.\n").unwrap();
        assert_eq!(p.authors, ["A", "B"]);
    }

    #[test]
    fn wrong_type_names_its_line() {
        let e = parse_str("+++\ntitle = \"T\"\ndate = 2026-11-26\ntags = \"x\"\n+++\nBody.\n").unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        let e = parse_str("---\ntitle: T\ndate: 2026-11-26\ntags: x\n---\nBody.\n").unwrap_err();
        assert_eq!(e.line, 4, "{e}");
    }

    #[test]
    fn unterminated_and_missing_fields() {
        assert!(
            parse_str("+++\ntitle = \"T\"\n")
                .unwrap_err()
                .message
                .contains("never closed")
        );
        let e = parse_str("+++\ndate = 2026-11-26\n+++\nBody\n").unwrap_err();
        assert!(e.message.contains("title"), "{e}");
        let e = parse_str("+++\ntitle = \"T\"\ndate = \"yesterday\"\n+++\nBody\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(parse_str("Body only").unwrap_err().message.contains("no front matter"));
    }
}
