//! What a file says of a paper.

use chrono::{DateTime, NaiveDate, Utc};

use super::{LongText, SharedList, SharedText};

/// A paper as read from one file, before duplicates are merged: everything a build does not
/// change. A [`Paper`] shares its record with the parsed file, so watch mode, which
/// assembles the site from its parsed files on every save, copies one pointer per paper.
#[derive(Debug, Clone)]
pub struct RawPaper {
    /// Title as plain text (formulas read as Unicode).
    pub title: SharedText,
    /// Title as HTML, when it holds formulas or emphasis.
    pub title_html: Option<SharedText>,
    /// Safe HTML of the abstract, when it differs from [`paragraph_html`] of the text: most
    /// do not, and 100,000 abstracts held twice cost 100 MB.
    pub abstract_html: Option<LongText>,
    /// The abstract's HTML for feeds, when it differs (formulas as source, not MathML).
    pub abstract_feed_html: Option<LongText>,
    /// Plain text of the abstract.
    pub abstract_text: LongText,
    /// Hash of title and plain abstract: what automatic tags depend on.
    pub text_hash: u64,
    /// Hash of the abstract's HTML.
    pub html_hash: u64,
    /// Hash of the start of the abstract that excerpts read (see
    /// [`crate::text::EXCERPT_MAX`]): what listings depend on, so that an edit further on
    /// leaves them alone.
    pub excerpt_hash: u64,
    /// The title folded for duplicate detection.
    pub title_key: SharedText,
    /// The slug the title asks for (before clashes are resolved).
    pub slug_base: SharedText,
    /// Day of the issue it belongs to.
    pub date: NaiveDate,
    /// Instant for feeds.
    pub published: DateTime<Utc>,
    /// Tags from front matter or the record, as written.
    pub explicit_tags: Vec<String>,
    /// Authors.
    pub authors: SharedList,
    /// Outbound link.
    pub url: Option<SharedText>,
    /// arXiv id; set with [`RawPaper::set_arxiv`], which keeps `arxiv_key` in step.
    pub arxiv: Option<SharedText>,
    /// The arXiv id normalised for duplicate detection (no prefix, no version).
    pub arxiv_key: Option<SharedText>,
    /// The PDF, when the source names it.
    pub pdf: Option<SharedText>,
    /// arXiv's categories, when the source has them (never used for tagging: tags come from
    /// the text, as a reader sees it).
    pub categories: SharedList,
    /// arXiv's comment ("12 pages, 4 figures").
    pub comment: Option<SharedText>,
    /// Marked `draft = true`: published only when the build asks for drafts.
    pub draft: bool,
    /// Old addresses that redirect to the paper, as output folders (`papers/old-slug/`).
    pub aliases: Vec<String>,
    /// Source file, relative to the site root.
    pub source: std::sync::Arc<std::path::Path>,
    /// 1-based line of the title.
    pub line: usize,
}

impl RawPaper {
    /// The abstract as text and HTML: what a build keeps out of memory (see
    /// [`super::TextStore`]).
    pub fn long_texts_mut(&mut self) -> impl Iterator<Item = &mut LongText> {
        std::iter::once(&mut self.abstract_text)
            .chain(self.abstract_html.as_mut())
            .chain(self.abstract_feed_html.as_mut())
    }
}
