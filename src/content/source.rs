//! One content file parsed into papers: what a digest or a Markdown paper yields before
//! papers from every file are merged.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use super::abstracts::{Rendered, markdown_to_html, render_plain};
use super::{digest, front_matter};
use crate::config::Config;
use crate::error::ContentError;
use crate::model::{SharedText, fold_title, slug_or_hash, text_hash};
use crate::text::{EXCERPT_MAX, clean_line, excerpt_source};

/// A paper as read from one file, before duplicates are merged.
#[derive(Debug, Clone)]
pub struct RawPaper {
    /// Cleaned title.
    pub title: SharedText,
    /// Safe HTML of the abstract.
    pub abstract_html: SharedText,
    /// The abstract's HTML for feeds, when it differs (formulas as source, not MathML).
    pub abstract_feed_html: Option<SharedText>,
    /// Plain text of the abstract.
    pub abstract_text: SharedText,
    /// See [`crate::model::Paper::text_hash`].
    pub text_hash: u64,
    /// See [`crate::model::Paper::html_hash`].
    pub html_hash: u64,
    /// See [`crate::model::Paper::excerpt_hash`].
    pub excerpt_hash: u64,
    /// The title folded for duplicate detection.
    pub title_key: SharedText,
    /// The slug the title asks for (before clashes are resolved).
    pub slug_base: SharedText,
    /// Day of the issue it belongs to.
    pub date: NaiveDate,
    /// Instant for feeds.
    pub published: DateTime<Utc>,
    /// Explicit tags.
    pub tags: Vec<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Outbound link.
    pub url: Option<String>,
    /// arXiv id.
    pub arxiv: Option<String>,
    /// The arXiv id normalised for duplicate detection (no prefix, no version).
    pub arxiv_key: Option<SharedText>,
    /// Source file, relative to the site root.
    pub source: std::sync::Arc<Path>,
    /// 1-based line of the title.
    pub line: usize,
}

impl RawPaper {
    /// A paper with no metadata beyond its text; the keys and hashes that later stages
    /// look up are computed here, once, while files are parsed in parallel.
    pub fn new(
        title: String,
        abstract_: Rendered,
        date: NaiveDate,
        published: DateTime<Utc>,
        source: std::sync::Arc<Path>,
        line: usize,
    ) -> Self {
        let Rendered { html, feed_html, text } = abstract_;
        RawPaper {
            title_key: fold_title(&title).into(),
            slug_base: slug_or_hash(&title, "paper").into(),
            text_hash: text_hash(&[&title, &text]),
            html_hash: text_hash(&[&html, feed_html.as_deref().unwrap_or("")]),
            excerpt_hash: text_hash(&[excerpt_source(&text, EXCERPT_MAX)]),
            title: title.into(),
            abstract_html: html.into(),
            abstract_feed_html: feed_html.map(Into::into),
            abstract_text: text.into(),
            date,
            published,
            tags: Vec::new(),
            authors: Vec::new(),
            url: None,
            arxiv: None,
            arxiv_key: None,
            source,
            line,
        }
    }
}

impl RawPaper {
    /// The same paper with another abstract, given as plain text and read as a digest's
    /// would be: for edits made in memory (the watch loop's rehearsal).
    pub fn with_abstract(&self, text: &str, repair_math: bool) -> RawPaper {
        let abstract_ = render_plain(&clean_line(text), repair_math);
        RawPaper {
            tags: self.tags.clone(),
            authors: self.authors.clone(),
            url: self.url.clone(),
            arxiv: self.arxiv.clone(),
            arxiv_key: self.arxiv_key.clone(),
            ..RawPaper::new(
                self.title.to_string(),
                abstract_,
                self.date,
                self.published,
                self.source.clone(),
                self.line,
            )
        }
    }
}

/// What one content file yields.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root.
    pub path: PathBuf,
    /// Papers in file order; Markdown files hold one.
    pub papers: Vec<RawPaper>,
    /// Whether it is a digest (one issue, trending order) or a single Markdown paper.
    pub is_digest: bool,
}

/// One file's outcome: its papers, or every error found in it.
pub type FileResult = Result<SourceFile, Vec<ContentError>>;

/// Parses the text of one content file; the kind comes from the extension.
pub fn parse_text(
    text: &str,
    display: &Path,
    config: &Config,
    warn: &mut dyn FnMut(String),
) -> Result<SourceFile, Vec<ContentError>> {
    let is_digest = display.extension().is_some_and(|e| e == "txt");
    let source: std::sync::Arc<Path> = display.into();
    let papers = if is_digest {
        let Some(date) = digest::date_from_path(display) else {
            return Err(vec![ContentError::new(
                display,
                1,
                "no date in the file name — name digest files by their issue date: 2026-11-26.txt, 2026-11-26-evening.txt or 2026/11/26.txt",
            )]);
        };
        let entries = digest::parse(text, display, &config.import)?;
        if entries.is_empty() {
            return Err(vec![ContentError::new(
                display,
                1,
                "this digest holds no papers — add title and abstract lines, or delete the file",
            )]);
        }
        let published = date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
        entries
            .into_iter()
            .map(|e| {
                let abstract_ = render_plain(&clean_line(&e.abstract_text), config.import.repair_math);
                RawPaper::new(clean_line(&e.title), abstract_, date, published, source.clone(), e.line)
            })
            .collect()
    } else {
        let md = front_matter::parse(text, display, warn).map_err(|e| vec![e])?;
        let mut paper = RawPaper::new(
            clean_line(&md.title),
            markdown_to_html(&md.body),
            md.date,
            md.published,
            source,
            1,
        );
        paper.tags = md
            .tags
            .iter()
            .map(|t| clean_line(t))
            .filter(|t| !t.is_empty())
            .collect();
        paper.authors = md.authors.iter().map(|a| clean_line(a)).collect();
        paper.url = md.url;
        paper.arxiv_key = md.arxiv.as_deref().map(|a| normalize_arxiv(a).into());
        paper.arxiv = md.arxiv;
        vec![paper]
    };
    Ok(SourceFile {
        path: display.to_path_buf(),
        papers,
        is_digest,
    })
}

/// `arXiv:2401.01234v2` and `2401.01234` are the same paper.
fn normalize_arxiv(id: &str) -> String {
    let id = id.trim().to_ascii_lowercase();
    let id = id.strip_prefix("arxiv:").unwrap_or(&id).trim();
    match id.rfind('v') {
        Some(i) if i > 0 && id[i + 1..].chars().all(|c| c.is_ascii_digit()) && i + 1 < id.len() => id[..i].to_string(),
        _ => id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arxiv_ids_normalise() {
        assert_eq!(normalize_arxiv("arXiv:2401.01234v2"), "2401.01234");
        assert_eq!(normalize_arxiv("2401.01234"), "2401.01234");
        assert_eq!(normalize_arxiv("hep-th/9901001v1"), "hep-th/9901001");
    }
}
