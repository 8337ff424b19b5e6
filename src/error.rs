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
    /// Builds an error for `path:line`. The message is kept to one line whatever it quotes
    /// (a YAML value can span lines): control characters are written as escapes, so every
    /// error stays one `FILE:LINE: what — what to do` line that tools and people can read.
    pub fn new(path: &Path, line: usize, message: impl Into<String>) -> Self {
        let message: String = message.into();
        let message = if message.contains(char::is_control) {
            message
                .chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        } else {
            message
        };
        ContentError {
            path: path.to_path_buf(),
            line,
            message,
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

/// A failed build's error with the warnings the build gave before it failed. The warning is
/// often the explanation (`unknown key `extras` — did you mean `extra`?` beside a template
/// that finds no `extra.logo`), so it must not vanish with the build.
#[derive(Debug)]
pub struct Warned {
    /// The warnings, in the order the build gave them.
    pub warnings: Vec<String>,
    /// What stopped the build.
    pub error: anyhow::Error,
}

impl fmt::Display for Warned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", error_lines(&self.error))
    }
}

impl std::error::Error for Warned {}

/// `error` carrying `warnings` (unchanged when there are none).
pub fn warned(error: anyhow::Error, warnings: &[String]) -> anyhow::Error {
    if warnings.is_empty() || error.is::<Warned>() {
        return error;
    }
    anyhow::Error::new(Warned {
        warnings: warnings.to_vec(),
        error,
    })
}

/// The warnings a failed build gave before it failed (see [`Warned`]).
pub fn warnings_before(e: &anyhow::Error) -> &[String] {
    e.downcast_ref::<Warned>().map_or(&[], |w| &w.warnings)
}

/// What stopped the build, without the warnings beside it.
fn cause(e: &anyhow::Error) -> &anyhow::Error {
    e.downcast_ref::<Warned>().map_or(e, |w| &w.error)
}

/// A TOML or YAML parser's type error in the words of the file's author, not of the Rust
/// types behind it: `invalid type: string "x", expected a sequence` reads `wrong type:
/// text "x", expected a list`, `expected usize` `expected a whole number`. `line` is the
/// text of the line the error points at: a `key = value` line names its key first, where the
/// parser did not (TOML leaves it out, YAML puts it in).
pub fn plain_type_error(message: &str, line: Option<&str>) -> String {
    const WORDS: [(&str, &str); 8] = [
        ("invalid type: ", "wrong type: "),
        ("string \"", "text \""),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected a table"),
        ("expected a string", "expected text"),
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("expected a borrowed string", "expected text"),
    ];
    let mut out = message.to_string();
    for (from, to) in WORDS {
        out = out.replace(from, to);
    }
    for int in ["usize", "u64", "u32", "u16", "u8", "isize", "i64", "i32", "i16", "i8"] {
        out = out.replace(&format!("expected {int}"), "expected a whole number");
    }
    let key = line.and_then(|l| l.split_once('=')).map(|(k, _)| k.trim()).filter(|k| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    });
    match key {
        Some(key) if out.starts_with("wrong type") => format!("`{key}`: {out}"),
        _ => out,
    }
}

/// The 1-based line that holds byte `offset` of `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// An error as the user should see it: content errors one per line, anything else as its
/// chain of causes on one line. Watch mode shows this over the page.
pub fn error_lines(e: &anyhow::Error) -> String {
    let e = cause(e);
    if let Some(errors) = e.downcast_ref::<ContentErrors>() {
        return errors.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n");
    }
    e.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": ")
}

/// What a failed command prints, one line each (the caller prefixes `error: `): every
/// content error, then how many there were and that nothing was written; or the error's
/// chain of causes on one line.
pub fn report_lines(e: &anyhow::Error) -> Vec<String> {
    let e = cause(e);
    match e.downcast_ref::<ContentErrors>() {
        Some(errors) => errors
            .0
            .iter()
            .map(|e| e.to_string())
            .chain([format!(
                "the build stopped with {} content error(s); nothing was written",
                errors.0.len()
            )])
            .collect(),
        None => vec![error_lines(e)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_read_in_the_authors_words() {
        assert_eq!(
            plain_type_error("invalid type: string \"x\", expected a sequence", Some("tags = \"x\"")),
            "`tags`: wrong type: text \"x\", expected a list"
        );
        assert_eq!(
            plain_type_error(
                "invalid type: string \"fifty\", expected usize",
                Some("  limit = \"fifty\"")
            ),
            "`limit`: wrong type: text \"fifty\", expected a whole number"
        );
        // YAML names the field itself; a syntax error is left as it is.
        assert_eq!(
            plain_type_error("tags: invalid type: string \"x\", expected a sequence", Some("tags: x")),
            "tags: wrong type: text \"x\", expected a list"
        );
        assert_eq!(plain_type_error("expected `=`", Some("title")), "expected `=`");
    }

    #[test]
    fn a_quoted_value_with_line_breaks_stays_on_one_line() {
        let e = ContentError::new(
            Path::new("paper.md"),
            3,
            "date `09:30:'\"\n[ady ]\r\tBody` is not a date",
        );
        assert_eq!(
            e.to_string(),
            "paper.md:3: date `09:30:'\"\\n[ady ]\\r\\tBody` is not a date"
        );
    }
}
