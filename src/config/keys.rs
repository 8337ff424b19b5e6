//! Where a config value was written, and the nearest known key to a misspelt one: config
//! messages name `paperboy.toml:LINE` like content errors do.

use std::path::Path;

use super::CONFIG_FILE;
use crate::error::line_of_offset;

/// The config file's path and text, kept for messages about values found wrong after parsing
/// (a theme that does not exist, say).
#[derive(Debug, Clone, Default)]
pub struct ConfigSource {
    path: Option<std::path::PathBuf>,
    text: String,
}

impl ConfigSource {
    /// The source of a config read from `path`.
    pub(super) fn new(path: &Path, text: &str) -> Self {
        ConfigSource {
            path: Some(path.to_path_buf()),
            text: text.to_string(),
        }
    }

    /// `FILE:LINE` of `key` (dotted, e.g. `feeds.limit`), or `FILE` when the key is not
    /// written there, or a note that the default is in use when there is no file at all.
    pub fn locate(&self, key: &str) -> String {
        match &self.path {
            Some(path) => match key_line(&self.text, key) {
                Some(line) => format!("{}:{line}", path.display()),
                None => path.display().to_string(),
            },
            None => format!("{CONFIG_FILE} (default `{key}`)"),
        }
    }
}

/// Top-level keys, for suggesting the nearest one when a key is misspelt.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "author",
    "theme",
    "feeds",
    "feeds.limit",
    "feeds.issues",
    "feeds.issue_papers",
    "issues",
    "issues.per_page",
    "issues.repeats",
    "issues.again",
    "email",
    "email.papers",
    "build",
    "build.drafts",
    "build.future",
    "extra",
    "translations",
    "import",
    "import.strip_lines",
    "import.strip_prefixes",
    "import.repair_math",
    "import.latex",
    "tagging",
    "tagging.auto",
    "tagging.builtin_topics",
    "tagging.auto_for_explicit",
    "tagging.max_tags",
    "tagging.threshold",
    "tagging.title_weight",
    "tagging.max_abstract_mentions",
    "tagging.neighbours",
    "tagging.learned",
    "tagging.topic",
    "tagging.aliases",
    "tags",
    "tags.per_page",
];

/// A known key written under the wrong table (`theme` appended after `[feeds]` reads as
/// `feeds.theme`): where it belongs.
pub(super) fn misplaced(key: &str) -> Option<String> {
    let (table, name) = key.split_once('.')?;
    let name = name.rsplit('.').next().unwrap_or(name);
    if KNOWN_KEYS.contains(&name)
        && !name.contains('.')
        && KNOWN_KEYS.iter().all(|k| !k.starts_with(&format!("{name}.")))
    {
        return Some(format!(" — `{name}` is a top-level key: move it above `[{table}]`"));
    }
    let homes: Vec<String> = KNOWN_KEYS
        .iter()
        .filter_map(|k| k.split_once('.'))
        .filter(|&(t, n)| n == name && t != table)
        .map(|(t, _)| format!("`[{t}]`"))
        .collect();
    match homes.len() {
        0 => None,
        1 => Some(format!(" — `{name}` belongs in {}: move it under that table", homes[0])),
        _ => Some(format!(
            " — `{name}` belongs in {}: move it under one of them",
            homes.join(" or ")
        )),
    }
}

pub(super) fn nearest_key(key: &str) -> Option<&'static str> {
    KNOWN_KEYS
        .iter()
        .map(|k| (strsim::levenshtein(key, k), *k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}

/// The 1-based line where dotted `key` is set in TOML `text`, following `[table]` and
/// `[[array]]` headers and dotted keys; numeric path segments (array indexes) are skipped.
fn key_line(text: &str, key: &str) -> Option<usize> {
    let wanted: Vec<&str> = key.split('.').filter(|s| s.parse::<usize>().is_err()).collect();
    let mut table: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let full: Vec<String> = if let Some(header) = line.strip_prefix('[') {
            let header = header.trim_start_matches('[');
            let header = header.split(']').next().unwrap_or("");
            table = split_key(header);
            table.clone()
        } else if let Some((k, _)) = line.split_once('=') {
            table.iter().cloned().chain(split_key(k)).collect()
        } else {
            continue;
        };
        // A key's own line, or the first that sets something under it (`extras.tagline = …`
        // is where the unknown table `extras` is).
        if full.len() >= wanted.len() && full.iter().zip(&wanted).all(|(a, b)| a == b) {
            return Some(i + 1);
        }
    }
    None
}

fn split_key(key: &str) -> Vec<String> {
    key.split('.')
        .map(|part| part.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
        .collect()
}

pub(super) fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> anyhow::Error {
    let line = e.span().map_or(1, |span| line_of_offset(text, span.start));
    if let Some(hint) = table_defined_by_dotted_keys(text, line) {
        return anyhow::anyhow!("{}:{line}: {hint}", path.display());
    }
    let message = crate::error::plain_type_error(e.message(), text.lines().nth(line - 1));
    anyhow::anyhow!(
        "{}:{line}: {message} — fix the TOML syntax or the value's type",
        path.display()
    )
}

/// The duplicate that the starter config invites: it writes `feeds.limit = 50` (dotted, so
/// that lines added at the end stay top-level), and a `[feeds]` table added below then
/// defines `feeds` twice, which TOML only calls a "duplicate key".
fn table_defined_by_dotted_keys(text: &str, line: usize) -> Option<String> {
    let header = text.lines().nth(line.checked_sub(1)?)?.trim();
    let table = header.strip_prefix('[')?.strip_suffix(']')?.trim();
    if table.is_empty() || table.starts_with('[') {
        return None;
    }
    let dotted = format!("{table}.");
    let (at, earlier) = text
        .lines()
        .take(line - 1)
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with(&dotted))?;
    let key = earlier.split('=').next().unwrap_or(earlier).trim();
    Some(format!(
        "`[{table}]` is already defined by `{key}` on line {} — write the table's keys as `{table}.KEY = …` lines like it, or move `{key}` under `[{table}]`",
        at + 1
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_that_dotted_keys_already_define_is_told_so() {
        let text = "title = \"T\"\nfeeds.limit = 50\n\n[feeds]\nissues = 3\n";
        let e = toml::from_str::<toml::Table>(text).unwrap_err();
        let err = toml_error(Path::new("paperboy.toml"), text, &e).to_string();
        assert_eq!(
            err,
            "paperboy.toml:4: `[feeds]` is already defined by `feeds.limit` on line 2 — write the table's keys as `feeds.KEY = …` lines like it, or move `feeds.limit` under `[feeds]`"
        );
    }

    #[test]
    fn a_key_in_the_wrong_table_is_told_where_it_goes() {
        assert_eq!(
            misplaced("feeds.theme").as_deref(),
            Some(" — `theme` is a top-level key: move it above `[feeds]`")
        );
        assert_eq!(
            misplaced("feeds.per_page").as_deref(),
            Some(" — `per_page` belongs in `[issues]` or `[tags]`: move it under one of them")
        );
        assert_eq!(misplaced("feeds.nonsense"), None);
        assert_eq!(misplaced("title"), None);
    }

    #[test]
    fn keys_are_found_under_their_tables() {
        let text = "title = \"x\"\n\n[feeds]\n  limt = 3\n[[tagging.topic]]\nname = \"a\"\n[tags]\n\"per_page\" = 0\n";
        assert_eq!(key_line(text, "title"), Some(1));
        assert_eq!(key_line(text, "feeds.limt"), Some(4));
        assert_eq!(key_line(text, "feeds"), Some(3));
        assert_eq!(key_line(text, "tagging.topic.0.name"), Some(6));
        assert_eq!(key_line(text, "tags.per_page"), Some(8));
        assert_eq!(key_line(text, "theme"), None);
        // A table known only from a dotted key is where the key sets something under it.
        assert_eq!(key_line("title = \"x\"\nextras.tagline = \"y\"\n", "extras"), Some(2));
    }
}
