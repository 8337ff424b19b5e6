//! Finding and reading content files: the walk of `content/`, decoding, and the parse of
//! each file in parallel.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use super::CONTENT_DIR;
use super::cache::{Lookup, ParseCache};
use super::source::{ContentKind, FileResult, SourceFile, parse_text, parse_text_after};
use crate::config::Config;
use crate::editor_files::is_editor_artefact;
use crate::error::{ContentError, line_of_offset};
use crate::model::{LongText, TextStore};

/// The error for a site without `content/`, the same from `build` and from watch mode.
pub fn missing_content_dir(root: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "{}: no content folder — create it and put digest files (2026-11-26.txt) or Markdown papers in it, or run `paperboy init`",
        root.join(CONTENT_DIR).display()
    )
}

/// Lists the content files under `root/content`, sorted so that every build sees the same
/// order whatever the file system returns, with warnings for what was skipped (links to
/// nothing, link loops). Hidden files and editor artefacts are skipped silently.
pub fn list_files(root: &Path) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let dir = root.join(CONTENT_DIR);
    if !dir.is_dir() {
        return Err(missing_content_dir(root));
    }
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    let walker = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_skipped(&e.file_name().to_string_lossy()));
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() && is_content_file(entry.path()) => {
                files.push(entry.path().to_path_buf());
            }
            Ok(_) => {}
            Err(e) => match skipped_link(&e, root) {
                Some(warning) => warnings.extend(warning),
                None => return Err(e).with_context(|| format!("cannot walk {}", dir.display())),
            },
        }
    }
    Ok((files, warnings))
}

/// Whether the walk of `content/` lists the file at `rel` (relative to the site root): a
/// content file with no hidden or editor-artefact name on its way. Watch mode asks this of
/// the paths it is told about, so that it reads what `build` reads.
pub fn is_walked(rel: &Path) -> bool {
    is_content_file(rel) && !rel.components().any(|c| is_skipped(&c.as_os_str().to_string_lossy()))
}

/// Hidden files and folders, and editor artefacts.
fn is_skipped(name: &str) -> bool {
    name.starts_with('.') || is_editor_artefact(name)
}

/// A walk error that is a link the walk can skip: `Some(None)` for one skipped silently
/// (hidden, an editor's lock file), `Some(Some(warning))` for one worth a word, `None` for a
/// real error.
fn skipped_link(e: &walkdir::Error, root: &Path) -> Option<Option<String>> {
    let path = e.path()?;
    let name = path.file_name()?.to_string_lossy();
    if is_skipped(&name) {
        return Some(None);
    }
    let shown = path.strip_prefix(root).unwrap_or(path).display();
    if e.loop_ancestor().is_some() {
        return Some(Some(format!(
            "{shown}: a link to a folder that holds it — skipped; remove the link"
        )));
    }
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && std::fs::metadata(path).is_err() {
        let target = std::fs::read_link(path).unwrap_or_default();
        return Some(Some(format!(
            "{shown}: a link to {}, which does not exist — skipped; restore its target or remove the link",
            target.display()
        )));
    }
    None
}

/// Whether a path is a digest, a Markdown paper or a JSON Lines file (others in `content/`
/// are ignored).
pub fn is_content_file(path: &Path) -> bool {
    ContentKind::of(path).is_some()
}

/// Reads and parses one content file. `display` is the path shown in messages.
pub fn read_file(
    path: &Path,
    display: &Path,
    config: &Config,
    warn: &mut dyn FnMut(String),
) -> Result<SourceFile, Vec<ContentError>> {
    read_file_after(path, display, config, warn, None)
}

/// [`read_file`] with the file's `previous` parse, for watch mode (see [`parse_text_after`]).
pub fn read_file_after(
    path: &Path,
    display: &Path,
    config: &Config,
    warn: &mut dyn FnMut(String),
    previous: Option<&SourceFile>,
) -> Result<SourceFile, Vec<ContentError>> {
    let bytes = read_bytes(path, display)?;
    parse_text_after(
        decode(&bytes, display).map_err(|e| vec![e])?,
        display,
        config,
        warn,
        previous,
    )
}

/// Decodes and parses one content file's bytes.
fn parse_bytes(
    bytes: &[u8],
    display: &Path,
    config: &Config,
    warn: &mut dyn FnMut(String),
) -> Result<SourceFile, Vec<ContentError>> {
    parse_text(decode(bytes, display).map_err(|e| vec![e])?, display, config, warn)
}

fn read_bytes(path: &Path, display: &Path) -> Result<Vec<u8>, Vec<ContentError>> {
    std::fs::read(path).map_err(|e| {
        vec![ContentError::new(
            display,
            1,
            format!("cannot read the file: {e} — check its permissions"),
        )]
    })
}

/// [`read_file`] through a parse cache: a file parsed before, as it is now, is taken from
/// the cache; another is parsed and stored in it.
fn read_file_cached(path: &Path, display: &Path, config: &Config, cache: &ParseCache) -> ReadFile {
    let mut warnings = Vec::new();
    let bytes = match read_bytes(path, display) {
        Ok(bytes) => bytes,
        Err(e) => return (display.to_path_buf(), Err(e), warnings),
    };
    let key = cache.key(display, &bytes);
    match cache.lookup(key, display) {
        Lookup::Hit(cached) => {
            let (source, warnings) = *cached;
            return (display.to_path_buf(), Ok(source), warnings);
        }
        Lookup::Damaged(why) => warnings.push(why),
        Lookup::Miss => {}
    }
    let mut parse_warnings = Vec::new();
    let result = parse_bytes(&bytes, display, config, &mut |w| parse_warnings.push(w));
    if let Ok(source) = &result {
        cache.store(key, source, &parse_warnings);
    }
    warnings.extend(parse_warnings);
    (display.to_path_buf(), result, warnings)
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

/// One content file read: its path relative to the root, the outcome, its warnings.
pub type ReadFile = (PathBuf, FileResult, Vec<String>);

/// Reads and parses every content file in parallel: a [`ReadFile`] per file, in path order,
/// and the walk's warnings. Shared by full builds and the watch loop's reloads.
pub fn read_all(root: &Path, config: &Config) -> Result<(Vec<ReadFile>, Vec<String>)> {
    read_all_cached(root, config, None, None)
}

/// [`read_all`], taking the files that `cache` holds from it instead of parsing them, and
/// moving each file's abstracts into `spill` as soon as it is read, so that the texts of
/// every file are never in memory at once.
pub fn read_all_cached(
    root: &Path,
    config: &Config,
    cache: Option<&ParseCache>,
    spill: Option<&Arc<dyn TextStore>>,
) -> Result<(Vec<ReadFile>, Vec<String>)> {
    let (files, walk_warnings) = list_files(root)?;
    let parsed = files
        .par_iter()
        .map(|path| {
            let display = path.strip_prefix(root).unwrap_or(path).to_path_buf();
            let (display, mut result, warnings) = match cache {
                Some(cache) => read_file_cached(path, &display, config, cache),
                None => {
                    let mut warnings = Vec::new();
                    let result = read_file(path, &display, config, &mut |w| warnings.push(w));
                    (display, result, warnings)
                }
            };
            if let (Some(spill), Ok(source)) = (spill, &mut result) {
                spill_papers(source, spill);
            }
            (display, result, warnings)
        })
        .collect();
    Ok((parsed, walk_warnings))
}

/// Moves the abstracts of a file just read into `spill`, a write per [`SPILL_CHUNK`] papers.
/// Papers whose write fails keep their abstracts in memory: the build costs more memory,
/// nothing else.
fn spill_papers(source: &mut SourceFile, spill: &Arc<dyn TextStore>) {
    for chunk in source.papers.chunks_mut(SPILL_CHUNK) {
        let mut texts: Vec<&mut LongText> = chunk
            .iter_mut()
            .flat_map(|paper| Arc::make_mut(paper).long_texts_mut())
            .collect();
        if LongText::store_all(&mut texts, spill).is_err() {
            return;
        }
    }
}

/// Papers whose abstracts go to the spill file in one write: a day's file in a few writes,
/// and never a whole large file's text in one more buffer.
const SPILL_CHUNK: usize = 256;
