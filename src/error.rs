//! Errors in content that a site owner must fix: each names a file and a line.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one content file. Loading collects all of them so that a single build
/// reports every broken file, not just the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    /// The file, as the user would type it (relative to the site root where possible).
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// `what is wrong — what to do`.
    pub message: String,
}

impl ContentError {
    /// Builds an error for `path:line`.
    pub fn new(path: &Path, line: usize, message: impl Into<String>) -> Self {
        ContentError {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

impl std::error::Error for ContentError {}

/// All the content errors of one build; the build stops before anything is written.
#[derive(Debug)]
pub struct ContentErrors(pub Vec<ContentError>);

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                write!(f, "error: ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentErrors {}

/// The 1-based line that holds byte `offset` of `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}
