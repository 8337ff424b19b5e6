//! JSON Lines papers (`*.jsonl`): one record per line, as daily arXiv crawlers and the arXiv
//! API write them. Crawlers name the same fields differently, so several names are read
//! for each (`abstract` or `summary`, `url` or `abs`, `arxiv` or `id`); unknown fields are
//! ignored. The file's order is the trending order.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::front_matter::parse_date;
use crate::error::ContentError;

/// One record after its fields are checked; the abstract is still plain text with `$…$`.
#[derive(Debug, Clone)]
pub struct JsonPaper {
    /// 1-based line of the record.
    pub line: usize,
    /// Title.
    pub title: String,
    /// The abstract (`abstract` or `summary`).
    pub abstract_text: String,
    /// Issue day: the record's `date`, else the file name's.
    pub date: NaiveDate,
    /// The instant for feeds.
    pub published: DateTime<Utc>,
    /// Author names (`authors` as a list, or one string of names separated by commas and
    /// "and").
    pub authors: Vec<String>,
    /// arXiv identifier (`arxiv` or `id`).
    pub arxiv: Option<String>,
    /// The paper's page (`url` or `abs`).
    pub url: Option<String>,
    /// The PDF (`pdf`).
    pub pdf: Option<String>,
    /// arXiv's categories (`categories`, a list or a space-separated string).
    pub categories: Vec<String>,
    /// arXiv's comment ("12 pages, 4 figures").
    pub comment: Option<String>,
    /// Explicit tags.
    pub tags: Vec<String>,
}

/// The fields paperboy reads, each as whatever JSON the line holds; checked one by one so
/// that an error names the field. Other fields are skipped unparsed.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Record {
    title: Option<Value>,
    #[serde(rename = "abstract")]
    abstract_: Option<Value>,
    summary: Option<Value>,
    authors: Option<Value>,
    date: Option<Value>,
    id: Option<Value>,
    arxiv: Option<Value>,
    url: Option<Value>,
    abs: Option<Value>,
    pdf: Option<Value>,
    categories: Option<Value>,
    comment: Option<Value>,
    tags: Option<Value>,
}

/// The records of a JSON Lines file: each non-blank line with its 1-based number.
pub(super) fn lines(text: &str) -> Vec<(usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect()
}

/// The record on line `line` of the file at `path`, whose name gives `file_date`.
pub(super) fn parse_line(
    json: &str,
    line: usize,
    file_date: Option<NaiveDate>,
    path: &Path,
) -> Result<JsonPaper, ContentError> {
    record(json, line, file_date).map_err(|what| ContentError::new(path, line, what))
}

/// One record, or `what is wrong — what to do`.
fn record(json: &str, line: usize, file_date: Option<NaiveDate>) -> Result<JsonPaper, String> {
    let record: Record = serde_json::from_str(json).map_err(|e| {
        let what = e.to_string();
        let what = what.split(" at line ").next().unwrap_or(&what);
        format!(
            "not a JSON object ({what}, column {}) — each line must be one record like {{\"title\": \"…\", \"abstract\": \"…\", \"date\": \"2026-11-26\"}}",
            e.column()
        )
    })?;
    let title = text_field(&record.title, "title")?.unwrap_or_default();
    if title.trim().is_empty() {
        return Err("the record has no `title` — every paper needs a title".into());
    }
    let abstract_text = match text_field(&record.abstract_, "abstract")? {
        Some(a) => a,
        None => text_field(&record.summary, "summary")?.unwrap_or_default(),
    };
    if abstract_text.trim().is_empty() {
        return Err("the record has no `abstract` (or `summary`) — every paper needs its abstract".into());
    }
    let (date, published) = match text_field(&record.date, "date")? {
        Some(d) => parse_date(d.trim()).ok_or_else(|| {
            format!("field `date`: `{d}` is not a date — write it as 2026-11-26 or 2026-11-26T09:30:00Z")
        })?,
        None => {
            let d = file_date.ok_or(
                "the record has no `date` and the file name holds none — add \"date\": \"2026-11-26\" to each record, or name the file by its day (2026-11-26.jsonl)",
            )?;
            (d, d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
        }
    };
    let arxiv = match text_field(&record.arxiv, "arxiv")? {
        Some(a) => Some(a),
        None => text_field(&record.id, "id")?,
    };
    let url = match text_field(&record.url, "url")? {
        Some(u) => Some(u),
        None => text_field(&record.abs, "abs")?,
    };
    Ok(JsonPaper {
        line,
        title,
        abstract_text,
        date,
        published,
        authors: names(&record.authors)?,
        arxiv: arxiv.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
        url: url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()),
        pdf: text_field(&record.pdf, "pdf")?
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty()),
        categories: list_field(&record.categories, "categories", ' ')?,
        comment: text_field(&record.comment, "comment")?.filter(|c| !c.trim().is_empty()),
        tags: list_field(&record.tags, "tags", ',')?,
    })
}

/// A text field: a string (or a number, for ids written bare), or absent / null.
fn text_field(value: &Option<Value>, name: &str) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!(
            "field `{name}` must be text, not {} — write it as \"{name}\": \"…\"",
            kind(other)
        )),
    }
}

/// A list of strings, or one string split at `separator`.
fn list_field(value: &Option<Value>, name: &str, separator: char) -> Result<Vec<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(separator)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()),
        Some(Value::Array(items)) => items
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                Value::String(s) => Ok(s.trim().to_string()),
                other => Err(format!(
                    "field `{name}` must be a list of text, but holds {} — write it as [\"…\", \"…\"]",
                    kind(other)
                )),
            })
            .filter(|s| !matches!(s, Ok(s) if s.is_empty()))
            .collect(),
        Some(other) => Err(format!(
            "field `{name}` must be a list of text, not {} — write it as [\"…\", \"…\"]",
            kind(other)
        )),
    }
}

/// Authors: a list of names, or one string "A. Author, B. Author and C. Author". A list
/// item may also be an object with a `name`, as the arXiv API's JSON has it.
fn names(value: &Option<Value>) -> Result<Vec<String>, String> {
    if let Some(Value::String(s)) = value {
        return Ok(s
            .split(',')
            .flat_map(|part| part.split(" and "))
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect());
    }
    if let Some(Value::Array(items)) = value {
        let named = items.iter().map(|v| match v {
            Value::Object(o) => o.get("name").cloned().unwrap_or(Value::Null),
            other => other.clone(),
        });
        return list_field(&Some(Value::Array(named.collect())), "authors", ',');
    }
    list_field(value, "authors", ',')
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Result<JsonPaper, String> {
        record(line, 1, NaiveDate::from_ymd_opt(2026, 11, 26))
    }

    #[test]
    fn arxiv_crawler_records_are_read() {
        let p = one(r#"{"id": "2604.27073", "date": "2026-05-01", "title": "On Coded Caching", "authors": ["Yinbin Ma", "Daniela Tuninetti"], "categories": ["cs.IT"], "abstract": "Coded caching is a technique."}"#).unwrap();
        assert_eq!(p.title, "On Coded Caching");
        assert_eq!(p.arxiv.as_deref(), Some("2604.27073"));
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2026, 5, 1).unwrap());
        assert_eq!(p.authors, ["Yinbin Ma", "Daniela Tuninetti"]);
        assert_eq!(p.categories, ["cs.IT"]);
    }

    #[test]
    fn other_crawlers_field_names_are_read() {
        let p = one(r#"{"title": "T", "summary": "S.", "abs": "https://arxiv.org/abs/1", "pdf": "https://arxiv.org/pdf/1", "comment": "9 pages", "authors": "A. One, B. Two and C. Three", "categories": "cs.CV cs.AI", "extra": {"nested": [1, 2]}}"#).unwrap();
        assert_eq!(p.abstract_text, "S.");
        assert_eq!(p.url.as_deref(), Some("https://arxiv.org/abs/1"));
        assert_eq!(p.pdf.as_deref(), Some("https://arxiv.org/pdf/1"));
        assert_eq!(p.comment.as_deref(), Some("9 pages"));
        assert_eq!(p.authors, ["A. One", "B. Two", "C. Three"]);
        assert_eq!(p.categories, ["cs.CV", "cs.AI"]);
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), "the file's day");
        let p =
            one(r#"{"title": "T", "abstract": "A.", "authors": [{"name": "A. One"}, {"name": "B. Two"}]}"#).unwrap();
        assert_eq!(p.authors, ["A. One", "B. Two"]);
    }

    #[test]
    fn errors_name_the_field_and_what_to_do() {
        let e = one(r#"{"title": "T", "abstract": "A.", "authors": 5}"#).unwrap_err();
        assert!(e.contains("`authors`") && e.contains("not a number"), "{e}");
        let e = one(r#"{"title": ["T"], "abstract": "A."}"#).unwrap_err();
        assert!(e.contains("`title` must be text"), "{e}");
        let e = one(r#"{"abstract": "A."}"#).unwrap_err();
        assert!(e.contains("no `title`"), "{e}");
        let e = one(r#"{"title": "T", "abstract": "A.", "date": "May 5"}"#).unwrap_err();
        assert!(e.contains("`date`") && e.contains("2026-11-26"), "{e}");
        let e = one(r#"{"title": "T", "abstract": "A.""#).unwrap_err();
        assert!(e.starts_with("not a JSON object") && e.contains("column"), "{e}");
        let e = record(r#"{"title": "T", "abstract": "A."}"#, 1, None).unwrap_err();
        assert!(e.contains("no `date`"), "{e}");
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let text = "{\"title\": \"T\", \"abstract\": \"A.\"}\n\n{\"title\": 1\n{\"abstract\": \"A.\"}\n";
        let config = crate::config::Config::default();
        let errors =
            crate::content::parse_text(text, Path::new("content/2026-11-26.jsonl"), &config, &mut |_| {}).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4]);
        assert!(errors[0].to_string().starts_with("content/2026-11-26.jsonl:3: "));
    }
}
