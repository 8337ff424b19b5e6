//! Loading: walk `content/`, parse every file in parallel, and assemble the [`Site`] model.
//! Loading reads the disk and never writes it.

pub mod digest;
pub mod markdown;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::Config;
use crate::error::{ContentError, ContentErrors, line_of_offset};
use crate::markup;
use crate::model::{Issue, Paper, PaperId, SharedText, Site, text_hash};
use crate::slug;

/// The folder under the site root that holds the corpus.
pub const CONTENT_DIR: &str = "content";

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
    /// See [`Paper::text_hash`].
    pub text_hash: u64,
    /// See [`Paper::html_hash`].
    pub html_hash: u64,
    /// See [`Paper::excerpt_hash`].
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
        abstract_: crate::math::Rendered,
        date: NaiveDate,
        published: DateTime<Utc>,
        source: std::sync::Arc<Path>,
        line: usize,
    ) -> Self {
        let crate::math::Rendered { html, feed_html, text } = abstract_;
        RawPaper {
            title_key: slug::fold_title(&title).into(),
            slug_base: slug::slug_or_hash(&title, "paper").into(),
            text_hash: text_hash(&[&title, &text]),
            html_hash: text_hash(&[&html, feed_html.as_deref().unwrap_or("")]),
            excerpt_hash: text_hash(&[crate::markup::excerpt_source(&text, crate::markup::EXCERPT_MAX)]),
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
        let abstract_ = crate::math::render_plain(&markup::clean_line(text), repair_math);
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

/// Lists the content files under `root/content`, sorted so that every build sees the same
/// order whatever the file system returns.
pub fn list_files(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join(CONTENT_DIR);
    if !dir.is_dir() {
        anyhow::bail!(
            "{}: no content folder — create it and put digest files (2026-11-26.txt) or Markdown papers in it, or run `paperboy init`",
            dir.display()
        );
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.with_context(|| format!("cannot walk {}", dir.display()))?;
        if entry.file_type().is_file() && is_content_file(entry.path()) {
            files.push(entry.path().to_path_buf());
        }
    }
    Ok(files)
}

/// Whether a path is a digest or Markdown paper (others in `content/` are ignored).
pub fn is_content_file(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("txt" | "md"))
}

/// Reads and parses one content file. `display` is the path shown in messages.
pub fn read_file(
    path: &Path,
    display: &Path,
    config: &Config,
    warn: &mut dyn FnMut(String),
) -> Result<SourceFile, Vec<ContentError>> {
    let bytes = std::fs::read(path).map_err(|e| {
        vec![ContentError::new(
            display,
            1,
            format!("cannot read the file: {e} — check its permissions"),
        )]
    })?;
    let text = decode(&bytes, display).map_err(|e| vec![e])?;
    parse_text(text, display, config, warn)
}

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
                let abstract_ =
                    crate::math::render_plain(&markup::clean_line(&e.abstract_text), config.import.repair_math);
                RawPaper::new(
                    markup::clean_line(&e.title),
                    abstract_,
                    date,
                    published,
                    source.clone(),
                    e.line,
                )
            })
            .collect()
    } else {
        let md = markdown::parse(text, display, warn).map_err(|e| vec![e])?;
        let mut paper = RawPaper::new(
            markup::clean_line(&md.title),
            markup::markdown_to_html(&md.body),
            md.date,
            md.published,
            source,
            1,
        );
        paper.tags = md
            .tags
            .iter()
            .map(|t| markup::clean_line(t))
            .filter(|t| !t.is_empty())
            .collect();
        paper.authors = md.authors.iter().map(|a| markup::clean_line(a)).collect();
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

/// UTF-8 or a precise error: scraped files in legacy encodings are common, and the byte
/// offset lets the user find the culprit with a hex editor.
pub fn decode<'a>(bytes: &'a [u8], display: &Path) -> Result<&'a str, ContentError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let line = line_of_offset(std::str::from_utf8(&bytes[..offset]).unwrap_or(""), offset);
        ContentError::new(
            display,
            line,
            format!("invalid UTF-8 at byte {offset} — re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"),
        )
    })
}

/// Loads the whole corpus: all files in parallel, every error collected.
pub fn load(root: &Path, config: &Config) -> Result<(Site, Vec<String>)> {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for (_, result, w) in read_all(root, config)? {
        warnings.extend(w);
        match result {
            Ok(source) => sources.push(source),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(ContentErrors(errors).into());
    }
    Ok((assemble(&sources), warnings))
}

/// Reads and parses every content file in parallel: `(path relative to root, outcome,
/// warnings)` per file, in path order. Shared by full builds and the watch loop's reloads.
pub fn read_all(root: &Path, config: &Config) -> Result<Vec<(PathBuf, FileResult, Vec<String>)>> {
    let files = list_files(root)?;
    Ok(files
        .par_iter()
        .map(|path| {
            let display = path.strip_prefix(root).unwrap_or(path).to_path_buf();
            let mut warnings = Vec::new();
            let result = read_file(path, &display, config, &mut |w| warnings.push(w));
            (display, result, warnings)
        })
        .collect())
}

/// Merges parsed files into issues and unique papers. Digest files of one day form one
/// issue, in file-name order; Markdown papers of that day follow, by time then path.
/// A paper seen again keeps its first page and date and is listed in every issue. Reads
/// the files without taking them: the watch loop keeps them for the next rebuild.
pub fn assemble<'a>(sources: impl IntoIterator<Item = &'a SourceFile>) -> Site {
    let mut sources: Vec<&SourceFile> = sources.into_iter().collect();
    // File-name order, whatever order the files were listed or parsed in.
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    type Day<'a> = (Vec<&'a RawPaper>, Vec<&'a RawPaper>);
    let mut by_day: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    for source in sources {
        for paper in &source.papers {
            let day = by_day.entry(paper.date).or_default();
            if source.is_digest {
                day.0.push(paper)
            } else {
                day.1.push(paper)
            }
        }
    }
    let mut site = Site::default();
    let total: usize = by_day.values().map(|(d, m)| d.len() + m.len()).sum();
    site.papers.reserve(total);
    let mut by_arxiv: FxHashMap<&str, PaperId> = FxHashMap::default();
    let mut by_title: FxHashMap<&str, PaperId> = FxHashMap::with_capacity_and_hasher(total, Default::default());
    for (date, (digest_papers, mut md_papers)) in by_day {
        md_papers.sort_by(|a, b| a.published.cmp(&b.published).then_with(|| a.source.cmp(&b.source)));
        let issue_id = site.issues.len();
        let mut issue = Issue {
            date,
            papers: Vec::new(),
        };
        for raw in digest_papers.into_iter().chain(md_papers) {
            let arxiv_key = raw.arxiv_key.as_deref();
            let existing = arxiv_key
                .and_then(|k| by_arxiv.get(k))
                .or_else(|| by_title.get(&*raw.title_key))
                .copied();
            let id = match existing {
                Some(id) => {
                    merge_into(&mut site.papers[id], raw);
                    id
                }
                None => {
                    let id = site.papers.len();
                    site.papers.push(new_paper(raw));
                    id
                }
            };
            if let Some(k) = arxiv_key {
                by_arxiv.entry(k).or_insert(id);
            }
            by_title.entry(&raw.title_key).or_insert(id);
            if !issue.papers.contains(&id) {
                issue.papers.push(id);
                site.papers[id].issues.push(issue_id);
            }
        }
        site.issues.push(issue);
    }
    assign_slugs(&mut site);
    site
}

fn new_paper(raw: &RawPaper) -> Paper {
    Paper {
        // The base slug until clashes are resolved in `assign_slugs`.
        slug: String::from(&*raw.slug_base),
        title: raw.title.clone(),
        abstract_html: raw.abstract_html.clone(),
        abstract_feed_html: raw.abstract_feed_html.clone(),
        abstract_text: raw.abstract_text.clone(),
        text_hash: raw.text_hash,
        html_hash: raw.html_hash,
        excerpt_hash: raw.excerpt_hash,
        date: raw.date,
        published: raw.published,
        explicit_tags: raw.tags.clone(),
        tags: Vec::new(),
        authors: raw.authors.clone(),
        url: raw.url.clone(),
        arxiv: raw.arxiv.clone(),
        source: raw.source.clone(),
        line: raw.line,
        issues: Vec::new(),
        related: Vec::new(),
    }
}

/// A later sighting of a known paper may know more about it (a Markdown file with authors
/// for a paper first scraped bare); it fills gaps but never replaces what is there.
fn merge_into(paper: &mut Paper, raw: &RawPaper) {
    if paper.authors.is_empty() {
        paper.authors = raw.authors.clone();
    }
    if paper.url.is_none() {
        paper.url = raw.url.clone();
    }
    if paper.arxiv.is_none() {
        paper.arxiv = raw.arxiv.clone();
    }
    for tag in &raw.tags {
        if !paper.explicit_tags.contains(tag) {
            paper.explicit_tags.push(tag.clone());
        }
    }
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

/// Slugs come from titles; a clash (two titles that fold to the same ASCII) gets a suffix
/// from a hash of the title, so the suffix does not depend on which paper came first.
fn assign_slugs(site: &mut Site) {
    // Usually no two titles clash, and every paper keeps its base slug.
    let mut bases: FxHashSet<&str> = FxHashSet::with_capacity_and_hasher(site.papers.len(), Default::default());
    if site.papers.iter().all(|p| bases.insert(&p.slug)) {
        return;
    }
    let mut used: FxHashSet<String> = FxHashSet::with_capacity_and_hasher(site.papers.len(), Default::default());
    for paper in &mut site.papers {
        let base = std::mem::take(&mut paper.slug);
        let mut candidate = base.clone();
        if used.contains(&candidate) {
            candidate = format!("{base}-{}", slug::short_hash(&paper.title));
            let mut n = 2;
            while used.contains(&candidate) {
                candidate = format!("{base}-{}-{n}", slug::short_hash(&paper.title));
                n += 1;
            }
        }
        used.insert(candidate.clone());
        paper.slug = candidate;
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
