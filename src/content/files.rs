//! Finding and reading content files: the walk of `content/`, decoding, and the parse of
//! each file in parallel.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use super::CONTENT_DIR;
use super::source::{ContentKind, FileResult, SourceFile, parse_text};
use crate::config::Config;
use crate::error::{ContentError, line_of_offset};

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
