//! One content file parsed into papers: what a digest or a Markdown paper yields before
//! papers from every file are merged.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;

use super::abstracts::{Rendered, TextOptions, markdown_to_html, render_plain, render_plain_with, render_title};
use super::{digest, front_matter, jsonl};
use crate::config::{Config, ImportConfig};
use crate::error::ContentError;
pub use crate::model::RawPaper;
use crate::model::{SharedList, arxiv_key, fold_title, slug_or_hash, slugify, text_hash};
use crate::text::{EXCERPT_MAX, clean_line, excerpt_source, paragraph_html};

impl RawPaper {
    /// A paper with no metadata beyond its text; the keys and hashes that later stages
    /// look up are computed here, once, while files are parsed in parallel.
    pub fn new(
        (title, title_html): (String, Option<String>),
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
            title_html: title_html.map(Into::into),
            abstract_html: (html != paragraph_html(&text)).then(|| html.into()),
            abstract_feed_html: feed_html.map(Into::into),
            abstract_text: text.into(),
            date,
            published,
            explicit_tags: Vec::new(),
            authors: SharedList::default(),
            url: None,
            arxiv: None,
            arxiv_key: None,
            pdf: None,
            categories: SharedList::default(),
            comment: None,
            draft: false,
            aliases: Vec::new(),
            source,
            line,
        }
    }
}

impl RawPaper {
    /// Sets the arXiv id and the key duplicates are found by.
    pub fn set_arxiv(&mut self, arxiv: Option<String>) {
        self.arxiv_key = arxiv.as_deref().map(|a| arxiv_key(a).into());
        self.arxiv = arxiv.map(Into::into);
    }

    /// The same paper with another abstract, given as plain text and read as a digest's
    /// would be: for edits made in memory (the watch loop's rehearsal).
    pub fn with_abstract(&self, text: &str, repair_math: bool) -> RawPaper {
        let abstract_ = render_plain(&clean_line(text), repair_math);
        RawPaper {
            explicit_tags: self.explicit_tags.clone(),
            authors: self.authors.clone(),
            url: self.url.clone(),
            arxiv: self.arxiv.clone(),
            arxiv_key: self.arxiv_key.clone(),
            pdf: self.pdf.clone(),
            categories: self.categories.clone(),
            comment: self.comment.clone(),
            draft: self.draft,
            aliases: self.aliases.clone(),
            slug_base: self.slug_base.clone(),
            ..RawPaper::new(
                (self.title.to_string(), self.title_html.as_deref().map(String::from)),
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
    /// Papers in file order; Markdown files hold one. Shared with the site's papers.
    pub papers: Papers,
    /// Whether its papers are a list in trending order (a digest or a JSON Lines file), which
    /// comes before the day's Markdown papers.
    pub ordered: bool,
    /// For a JSON Lines file, a hash of each paper's line, so that watch mode parses only
    /// the lines a save changed (see [`parse_text_after`]); empty for other files.
    pub records: Vec<u64>,
}

/// One file's outcome: its papers, or every error found in it.
pub type FileResult = Result<SourceFile, Vec<ContentError>>;

/// The kinds of content file, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    /// `*.txt`: a scraped digest, title and abstract lines.
    Digest,
    /// `*.md`: one paper, front matter and abstract.
    Markdown,
    /// `*.jsonl`: one JSON record per paper.
    JsonLines,
}

impl ContentKind {
    /// The kind of `path`, or `None` for files that are not content.
    pub fn of(path: &Path) -> Option<ContentKind> {
        match path.extension()?.to_str()? {
            "txt" => Some(ContentKind::Digest),
            "md" => Some(ContentKind::Markdown),
            "jsonl" => Some(ContentKind::JsonLines),
            _ => None,
        }
    }
}

/// Parses the text of one content file; the kind comes from the extension.
pub fn parse_text(
    text: &str,
    display: &Path,
    config: &Config,
    warn: &mut dyn FnMut(String),
) -> Result<SourceFile, Vec<ContentError>> {
    parse_text_after(text, display, config, warn, None)
}

/// [`parse_text`] for a file whose `previous` parse (with the same config) is at hand, as
/// in watch mode: a JSON Lines file takes the papers of lines that have not changed from
/// it instead of parsing them again. A crawler rewrites a whole day's file (1 MB, 600
/// papers) to change one record; parsing all of it was a fifth of a save at 10,000 papers.
pub fn parse_text_after(
    text: &str,
    display: &Path,
    config: &Config,
    warn: &mut dyn FnMut(String),
    previous: Option<&SourceFile>,
) -> Result<SourceFile, Vec<ContentError>> {
    let source: std::sync::Arc<Path> = display.into();
    let kind = ContentKind::of(display).unwrap_or(ContentKind::Digest);
    let (papers, records) = match kind {
        ContentKind::Digest => {
            let papers = digest_papers(text, &source, config, warn)?;
            (papers.into_iter().map(Arc::new).collect(), Vec::new())
        }
        ContentKind::Markdown => (vec![Arc::new(markdown_paper(text, &source, config, warn)?)], Vec::new()),
        // Records a save left unchanged are shared with the last parse.
        ContentKind::JsonLines => json_papers(text, &source, config, previous)?,
    };
    Ok(SourceFile {
        path: display.to_path_buf(),
        papers,
        ordered: kind != ContentKind::Markdown,
        records,
    })
}

fn digest_papers(
    text: &str,
    source: &std::sync::Arc<Path>,
    config: &Config,
    warn: &mut dyn FnMut(String),
) -> Result<Vec<RawPaper>, Vec<ContentError>> {
    let Some(date) = digest::date_from_path(source) else {
        const NAMES: &str =
            "name digest files by their issue date: 2026-11-26.txt, 2026-11-26-evening.txt or 2026/11/26.txt";
        let what = match digest::misdated(source) {
            Some(d) => format!("`{d}` in the file name is not a calendar date — {NAMES}"),
            None => format!("no date in the file name — {NAMES}"),
        };
        return Err(vec![ContentError::new(source, 1, what)]);
    };
    let entries = digest::parse(text, source, &config.import, warn)?;
    if entries.is_empty() {
        return Err(vec![ContentError::new(
            source,
            1,
            "this digest holds no papers — add title and abstract lines, or delete the file",
        )]);
    }
    let published = date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
    Ok(entries
        .into_iter()
        .map(|e| {
            let abstract_ = render_plain_with(&clean_line(&e.abstract_text), text_options(&config.import));
            RawPaper::new(
                render_title(&clean_line(&e.title), text_options(&config.import)),
                abstract_,
                date,
                published,
                source.clone(),
                e.line,
            )
        })
        .collect())
}

fn markdown_paper(
    text: &str,
    source: &std::sync::Arc<Path>,
    config: &Config,
    warn: &mut dyn FnMut(String),
) -> Result<RawPaper, Vec<ContentError>> {
    let md = front_matter::parse(text, source, warn).map_err(|e| vec![e])?;
    let mut paper = RawPaper::new(
        render_title(
            &clean_line(&md.title),
            TextOptions {
                repair: false,
                ..text_options(&config.import)
            },
        ),
        markdown_to_html(&md.body),
        md.date,
        md.published,
        source.clone(),
        1,
    );
    paper.explicit_tags = clean_list(&md.tags);
    paper.authors = clean_authors(&md.authors).into();
    paper.url = md.url.map(Into::into);
    paper.pdf = md.pdf.map(Into::into);
    paper.categories = md.categories.into();
    paper.comment = md.comment.map(|c| clean_line(&c).into());
    paper.set_arxiv(md.arxiv);
    paper.draft = md.draft;
    if let Some(slug) = &md.slug {
        let clean = slugify(slug);
        if clean.is_empty() {
            return Err(vec![ContentError::new(
                source,
                1,
                format!("slug `{slug}` has no letters or digits — write it like `my-paper`, or remove it"),
            )]);
        }
        paper.slug_base = clean.into();
    }
    paper.aliases = md
        .aliases
        .iter()
        .map(|a| alias_dir(a).ok_or_else(|| vec![ContentError::new(source, 1, format!("alias `{a}` is not a path on this site — write an old slug (`old-title`) or path (`/papers/old-title/`)"))]))
        .collect::<Result<_, _>>()?;
    Ok(paper)
}

/// A file's papers, each shared between its parse and the site.
type Papers = Vec<Arc<RawPaper>>;

/// The papers of a JSON Lines file, and the hash of each one's line; a line whose hash
/// `previous` knows takes that paper (with its new line number) instead of being parsed.
fn json_papers(
    text: &str,
    source: &std::sync::Arc<Path>,
    config: &Config,
    previous: Option<&SourceFile>,
) -> Result<(Papers, Vec<u64>), Vec<ContentError>> {
    let known: rustc_hash::FxHashMap<u64, &Arc<RawPaper>> = previous
        .map(|p| p.records.iter().copied().zip(&p.papers).collect())
        .unwrap_or_default();
    let file_date = digest::date_from_path(source);
    let results: Vec<Result<(Arc<RawPaper>, u64), ContentError>> = jsonl::lines(text)
        .into_par_iter()
        .map(|(line, json)| {
            let hash = xxhash_rust::xxh3::xxh3_64(json.as_bytes());
            if let Some(&paper) = known.get(&hash) {
                // The same record, shared, unless it moved to another line.
                let paper = match paper.line == line {
                    true => paper.clone(),
                    false => Arc::new(RawPaper {
                        line,
                        ..(**paper).clone()
                    }),
                };
                return Ok((paper, hash));
            }
            let r = jsonl::parse_line(json, line, file_date, source)?;
            Ok((Arc::new(json_paper(r, source, config)), hash))
        })
        .collect();
    let mut papers = Vec::with_capacity(results.len());
    let mut records = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok((paper, hash)) => {
                papers.push(paper);
                records.push(hash);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if papers.is_empty() {
        return Err(vec![ContentError::new(
            source,
            1,
            "this JSON Lines file holds no papers — add one record per line, or delete the file",
        )]);
    }
    Ok((papers, records))
}

/// The paper of one JSON Lines record.
fn json_paper(r: jsonl::JsonPaper, source: &std::sync::Arc<Path>, config: &Config) -> RawPaper {
    let abstract_ = render_plain_with(&clean_line(&r.abstract_text), text_options(&config.import));
    let mut paper = RawPaper::new(
        render_title(&clean_line(&r.title), text_options(&config.import)),
        abstract_,
        r.date,
        r.published,
        source.clone(),
        r.line,
    );
    paper.explicit_tags = clean_list(&r.tags);
    paper.authors = clean_authors(&r.authors).into();
    paper.url = r.url.map(Into::into);
    paper.pdf = r.pdf.map(Into::into);
    paper.categories = r.categories.into();
    paper.comment = r.comment.map(|c| clean_line(&c).into());
    paper.set_arxiv(r.arxiv);
    paper
}

/// The output folder an alias names: a bare slug is a paper's old slug, a path is a path
/// under the site; `None` for what cannot be a path here (`..`, a URL, nothing).
fn alias_dir(alias: &str) -> Option<String> {
    let alias = alias.trim();
    if alias.contains("://") || alias.contains('\\') || alias.is_empty() {
        return None;
    }
    let parts: Vec<&str> = alias.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() || parts.iter().any(|p| *p == ".." || *p == "." || p.contains(['?', '#'])) {
        return None;
    }
    let dir = if parts.len() == 1 && !alias.starts_with('/') {
        format!("papers/{}/", parts[0])
    } else {
        format!("{}/", parts.join("/"))
    };
    Some(dir)
}

/// Names and tags as one clean line each, empty ones dropped.
fn clean_list(items: &[String]) -> Vec<String> {
    items.iter().map(|t| clean_line(t)).filter(|t| !t.is_empty()).collect()
}

/// Author names as [`clean_list`] leaves them, less any without a letter or a digit:
/// arXiv's listing of a team paper reads "MiniMax, :, Aili Chen, …", and the ":" is no one.
fn clean_authors(names: &[String]) -> Vec<String> {
    let mut names = clean_list(names);
    names.retain(|name| name.chars().any(char::is_alphanumeric));
    names
}

/// How titles and abstracts of digests and JSON Lines records are read, by `[import]`.
fn text_options(import: &ImportConfig) -> TextOptions {
    TextOptions {
        repair: import.repair_math,
        latex: import.latex,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_author_of_punctuation_alone_is_no_one() {
        let names: Vec<String> = ["MiniMax", ":", " Aili  Chen ", "—", "", "李华", "3M"]
            .map(String::from)
            .into();
        assert_eq!(clean_authors(&names), ["MiniMax", "Aili Chen", "李华", "3M"]);
    }

    fn record(title: &str, abstract_: &str) -> String {
        format!(
            "{{\"title\": \"{title}\", \"abstract\": \"{abstract_}\", \"authors\": [\"Ada Author\"], \"arxiv\": \"2605.0{}\"}}\n",
            title.len()
        )
    }

    #[test]
    fn a_json_lines_file_parsed_after_its_previous_version_equals_a_fresh_parse() {
        let config = Config::default();
        let path = Path::new("content/2026-05-05.jsonl");
        let first = [
            record("Graph nets", "About $x^2$ graphs."),
            record("Diffusion", "About noise."),
            record("Agents", "About tools."),
        ]
        .concat();
        let mut previous = parse_text(&first, path, &config, &mut |_| {}).unwrap();
        assert_eq!(previous.records.len(), 3);
        // A record edited, one added above the others (every line moves), one kept as it was.
        let second = [
            record("Robots", "About arms."),
            record("Graph nets", "About $x^2$ graphs."),
            record("Diffusion", "About less noise."),
            record("Agents", "About tools."),
        ]
        .concat();
        let fresh = parse_text(&second, path, &config, &mut |_| {}).unwrap();
        let after = parse_text_after(&second, path, &config, &mut |_| {}, Some(&previous)).unwrap();
        assert_eq!(format!("{:?}", after.papers), format!("{:?}", fresh.papers));
        assert_eq!(after.records, fresh.records);
        assert_eq!(after.papers[3].line, 4, "a kept paper takes its new line");
        // Kept lines are taken from the previous parse, not parsed again.
        Arc::make_mut(&mut previous.papers[2]).comment = Some("taken, not parsed".into());
        let after = parse_text_after(&second, path, &config, &mut |_| {}, Some(&previous)).unwrap();
        assert_eq!(after.papers[3].comment.as_deref(), Some("taken, not parsed"));
        assert_eq!(after.papers[2].comment, None, "an edited line is parsed");
    }
}
