//! The site as plain data. Papers, issues and tags refer to each other by index so that the
//! model can be rebuilt piecewise and shared across threads without lifetimes.

mod long_text;
mod record;
mod slug;
mod urls;

use chrono::{DateTime, NaiveDate, Utc};

pub use long_text::{LongText, TextStore};
pub use record::RawPaper;
pub use slug::{MAX_PAPER_SLUG_LEN, fold_title, short_hash, slug_or_hash, slugify};
pub use urls::{Links, display_date, issue_dir, page_path, paper_anchor, paper_dir, tag_dir, tag_page_path};

/// Abstracts are the bulk of a site's text; shared, they cost nothing to copy when the watch
/// loop reassembles the model.
pub type SharedText = std::sync::Arc<str>;

/// A list of names shared, not copied: watch mode assembles the site from its parsed files
/// on every save, and copying every author list (some run to a hundred names) was a large
/// part of that at 100,000 papers.
pub type SharedList = std::sync::Arc<[String]>;

/// A hash of some text, for change detection. The same for the same text in every
/// process, so caches on disk are keyed by it (parsed files, topic strengths).
pub fn text_hash(parts: &[&str]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = xxhash_rust::xxh3::Xxh3Default::new();
    parts.hash(&mut h);
    h.finish()
}

/// Whether a cache keyed by [`text_hash`] has outgrown a site of `papers`: the watch loop's
/// caches keep the old versions of edited papers, and start over past about twice the site.
pub fn cache_outgrown(entries: usize, papers: usize) -> bool {
    entries > 2 * papers + 64
}

/// The form of an arXiv id that duplicates are found by: `arXiv:2401.01234v2` and
/// `2401.01234` are the same paper.
pub fn arxiv_key(id: &str) -> String {
    let id = id.trim().to_ascii_lowercase();
    let id = id.strip_prefix("arxiv:").unwrap_or(&id).trim();
    match id.rfind('v') {
        Some(i) if i > 0 && id[i + 1..].chars().all(|c| c.is_ascii_digit()) && i + 1 < id.len() => id[..i].to_string(),
        _ => id.to_string(),
    }
}

/// Index of a paper in [`Site::papers`].
pub type PaperId = usize;
/// Index of an issue in [`Site::issues`].
pub type IssueId = usize;
/// Index of a tag in [`Site::tags`].
pub type TagId = usize;

/// One paper, with one page, however many issues it trended in.
#[derive(Debug, Clone)]
pub struct Paper {
    /// What its files say of it: the first file's record, with gaps filled from later
    /// sightings (see `content::assemble`). Its fields read as the paper's own
    /// (`paper.title`), through `Deref`.
    pub record: std::sync::Arc<RawPaper>,
    /// URL segment under `/papers/`; unique and stable across builds.
    pub slug: SharedText,
    /// Publication instant for feeds: the front matter's time when given, else a time from
    /// the paper's place in its first issue (see `content::assemble`).
    pub published: DateTime<Utc>,
    /// Tags after normalisation (explicit and automatic), strongest first.
    pub tags: Vec<TagId>,
    /// Every issue that lists it, oldest first.
    pub issues: Vec<IssueId>,
    /// The most similar papers, best first (filled by `related`).
    pub related: Vec<PaperId>,
}

/// A paper reads as its record: title, abstract, authors and links are the record's, and
/// only what a build decides (slug, feed time, tags, issues, related papers) is the paper's.
impl std::ops::Deref for Paper {
    type Target = RawPaper;

    fn deref(&self) -> &RawPaper {
        &self.record
    }
}

impl Paper {
    /// The abstract as safe HTML for its page.
    pub fn abstract_page_html(&self) -> std::borrow::Cow<'_, str> {
        match &self.abstract_html {
            Some(html) => html.read(),
            None => std::borrow::Cow::Owned(crate::text::paragraph_html(&self.abstract_text.read())),
        }
    }

    /// The abstract's plain text and its HTML for the page: the text is read once (a build
    /// keeps abstracts out of memory, see [`LongText`]).
    pub fn abstract_with_page_html(&self) -> (std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>) {
        let text = self.abstract_text.read();
        let html = match &self.abstract_html {
            Some(html) => html.read(),
            None => std::borrow::Cow::Owned(crate::text::paragraph_html(&text)),
        };
        (text, html)
    }

    /// The abstract as safe HTML for feeds (formulas as their source).
    pub fn feed_abstract_html(&self) -> String {
        match &self.abstract_feed_html {
            Some(html) => html.read().into_owned(),
            None => self.abstract_page_html().into_owned(),
        }
    }
}

/// One digest issue: the papers that trended on one day, in trending order.
#[derive(Debug, Clone)]
pub struct Issue {
    /// The day; also its URL (`/issues/YYYY-MM-DD/`).
    pub date: NaiveDate,
    /// Papers in the order of the file (the trending order), duplicates removed.
    pub papers: Vec<PaperId>,
    /// Every paper of the day was in the issue before it (kept as a marked repeat; see
    /// `[issues] repeats`).
    pub repeat: bool,
}

impl Issue {
    /// URL segment and display form of the date.
    pub fn slug(&self) -> String {
        self.date.format("%Y-%m-%d").to_string()
    }
}

impl Site {
    /// Whether paper `p` is listed in issue `id` for the first time (else it is trending
    /// again).
    pub fn is_new_in(&self, p: PaperId, id: IssueId) -> bool {
        self.papers[p].issues.first() == Some(&id)
    }
}

/// A topic that papers are filed under, with a page and its own feeds.
#[derive(Debug, Clone)]
pub struct Tag {
    /// URL segment under `/tags/`.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Papers, newest first.
    pub papers: Vec<PaperId>,
}

/// Everything the renderer needs, loaded and enriched; rendering never reads the disk.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Ordered by first appearance: oldest issue first, then trending order.
    pub papers: Vec<Paper>,
    /// Oldest first.
    pub issues: Vec<Issue>,
    /// Ordered by slug.
    pub tags: Vec<Tag>,
}

impl Site {
    /// Paper ids newest first: later issues first, trending order within an issue.
    pub fn papers_newest_first(&self) -> Vec<PaperId> {
        self.newest_papers(usize::MAX)
    }

    /// The first `limit` of [`Site::papers_newest_first`], without sorting the rest: the
    /// site feeds of a watch-mode save at 100,000 papers sorted them all (a few ms).
    pub fn newest_papers(&self, limit: usize) -> Vec<PaperId> {
        let mut keyed: Vec<(std::cmp::Reverse<NaiveDate>, PaperId)> = self
            .papers
            .iter()
            .enumerate()
            .map(|(id, p)| (std::cmp::Reverse(p.date), id))
            .collect();
        if limit < keyed.len() {
            keyed.select_nth_unstable(limit);
            keyed.truncate(limit);
        }
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, id)| id).collect()
    }

    /// Whether each paper is settled: published before the month of the newest paper. A
    /// new day changes nothing a settled paper decides alone (its related papers among the
    /// settled ones, its part of the search index); `None` for a site without papers.
    pub fn settled(&self) -> Option<impl Iterator<Item = bool> + '_> {
        use chrono::Datelike;
        let month = self
            .papers
            .iter()
            .map(|p| p.published.date_naive())
            .max()
            .and_then(|newest| newest.with_day(1))?;
        Some(self.papers.iter().map(move |p| p.published.date_naive() < month))
    }

    /// How many papers at the start are sealed: settled, up to the first that is not, when
    /// there are [`SEALED_MIN`] of them. What a new day leaves alone of what the build
    /// stores beside the output: the search index's sealed segment, the sealed papers'
    /// words. An old paper filed after the newest month's (an unusual layout) ends them.
    pub fn sealed_papers(&self) -> usize {
        let count = self.settled().map_or(0, |settled| settled.take_while(|&s| s).count());
        if count >= SEALED_MIN { count } else { 0 }
    }
}

/// Fewer settled papers than this are not sealed apart (see [`Site::sealed_papers`]): the
/// search reader's second request per word would save a daily build little.
pub const SEALED_MIN: usize = 2_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arxiv_ids_normalise() {
        assert_eq!(arxiv_key("arXiv:2401.01234v2"), "2401.01234");
        assert_eq!(arxiv_key("2401.01234"), "2401.01234");
        assert_eq!(arxiv_key("hep-th/9901001v1"), "hep-th/9901001");
    }

    #[test]
    fn newest_papers_are_the_head_of_the_full_order() {
        let config = crate::config::Config::default();
        let day = |date: &str, n: usize| {
            let body: String = (0..n).map(|p| format!("Paper {date} {p}\nAbstract {p}.\n")).collect();
            let path = format!("{date}.txt");
            crate::content::parse_text(&body, std::path::Path::new(&path), &config, &mut |_| {}).expect("parses")
        };
        let files = [day("2026-01-03", 4), day("2026-01-01", 7), day("2026-01-02", 5)];
        let site = crate::content::assemble(files.iter());
        let mut expected: Vec<PaperId> = (0..site.papers.len()).collect();
        expected.sort_by(|&a, &b| site.papers[b].date.cmp(&site.papers[a].date).then(a.cmp(&b)));
        assert_eq!(site.papers[expected[0]].date.to_string(), "2026-01-03");
        assert_eq!(site.papers_newest_first(), expected);
        for limit in [0, 1, 4, 5, 15, 16, 100] {
            assert_eq!(site.newest_papers(limit), expected[..limit.min(16)], "limit {limit}");
        }
    }
}
