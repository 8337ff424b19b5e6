//! `paperboy.toml`: every key has a default so that a folder holding only `content/` builds.

use std::path::Path;

use anyhow::{Context as _, Result};
use serde::Deserialize;

/// The name of the config file at the site root.
pub const CONFIG_FILE: &str = "paperboy.toml";

/// Site-wide settings, read once and shared by every stage of the build.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Shown in every page's `<title>` and as the feeds' title.
    pub title: String,
    /// Meta description of the home page and subtitle of the feeds.
    pub description: String,
    /// Where the site is published; feeds need absolute links, and its path prefixes every link.
    pub base_url: String,
    /// `lang` of every page and `language` of the RSS feeds.
    pub language: String,
    /// Atom requires an author for a feed; digests have none, so the site speaks for itself.
    pub author: String,
    /// Name of the theme: a built-in one or a folder under `themes/`.
    pub theme: String,
    /// Feed settings.
    pub feeds: FeedsConfig,
    /// How scraped digest files are cleaned up before they are paired into papers.
    pub import: ImportConfig,
    /// Automatic tagging and tag names.
    pub tagging: crate::tagging::TaggingConfig,
    /// Tag pages.
    pub tags: TagsConfig,
    /// Where the settings came from, so that later errors about a value can name its line.
    #[serde(skip)]
    pub source: ConfigSource,
}

/// The config file's path and text, kept for messages about values found wrong after parsing
/// (a theme that does not exist, say).
#[derive(Debug, Clone, Default)]
pub struct ConfigSource {
    path: Option<std::path::PathBuf>,
    text: String,
}

impl ConfigSource {
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

/// `[tags]`: how tag pages list their papers.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct TagsConfig {
    /// Papers per tag page, newest first; 0 puts them all on one page.
    pub per_page: usize,
}

impl Default for TagsConfig {
    fn default() -> Self {
        TagsConfig { per_page: 100 }
    }
}

/// Feed settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct FeedsConfig {
    /// Feed readers poll often; bounding the item count keeps every poll cheap.
    pub limit: usize,
    /// Issues in the daily-issue feeds (`/issues/rss.xml`): each item holds a whole issue,
    /// so a week of them is already a large document.
    pub issues: usize,
}

/// Boilerplate that scrapers leave at the top of digest files.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ImportConfig {
    /// Whole lines dropped when they open a digest file (before the first title).
    pub strip_lines: Vec<String>,
    /// Words glued to the front of the first title by the scraper (e.g. a "Subscribe" button).
    pub strip_prefixes: Vec<String>,
    /// Mend LaTeX that scraping stripped of `$` and `\` (`varepsilon` → ε, `^{2}` →
    /// superscript) where the reading is unambiguous.
    pub repair_math: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Trending Papers".into(),
            description: "A daily digest of trending research papers.".into(),
            base_url: "http://127.0.0.1:1111/".into(),
            language: "en".into(),
            author: String::new(),
            theme: "default".into(),
            feeds: FeedsConfig::default(),
            import: ImportConfig::default(),
            tagging: crate::tagging::TaggingConfig::default(),
            tags: TagsConfig::default(),
            source: ConfigSource::default(),
        }
    }
}

impl Default for FeedsConfig {
    fn default() -> Self {
        FeedsConfig { limit: 50, issues: 7 }
    }
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            strip_lines: vec![
                "Get trending papers in your email inbox once a day!".into(),
                "Get trending papers in your email inbox!".into(),
                "Subscribe".into(),
            ],
            strip_prefixes: vec!["Subscribe".into()],
            repair_math: true,
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
    "import",
    "import.strip_lines",
    "import.strip_prefixes",
    "import.repair_math",
    "tagging",
    "tagging.auto",
    "tagging.builtin_topics",
    "tagging.auto_for_explicit",
    "tagging.max_tags",
    "tagging.threshold",
    "tagging.title_weight",
    "tagging.max_abstract_mentions",
    "tagging.topic",
    "tagging.aliases",
    "tags",
    "tags.per_page",
];

impl Config {
    /// Reads `root/paperboy.toml`, or the defaults when there is none.
    /// Unknown keys are returned as warnings rather than errors: a typo should not stop a
    /// preview, but it must not go unnoticed either.
    pub fn load(root: &Path) -> Result<(Config, Vec<String>)> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Config::default(), Vec::new()));
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        Self::parse(&text, &path)
    }

    /// [`Config::load`], then the `--base-url` flag, which wins over the file.
    pub fn load_with_base_url(root: &Path, base_url: Option<&str>) -> Result<(Config, Vec<String>)> {
        let (mut config, warnings) = Self::load(root)?;
        if let Some(url) = base_url {
            config.base_url = url.to_string();
            config.validate_base_url("--base-url")?;
        }
        Ok((config, warnings))
    }

    /// Parses config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<(Config, Vec<String>)> {
        let mut unknown = Vec::new();
        let de = toml::Deserializer::parse(text).map_err(|e| toml_error(path, text, &e))?;
        let mut config: Config = serde_ignored::deserialize(de, |key| unknown.push(key.to_string()))
            .map_err(|e| toml_error(path, text, &e))?;
        config.source = ConfigSource {
            path: Some(path.to_path_buf()),
            text: text.to_string(),
        };
        let warnings = unknown
            .into_iter()
            .map(|key| {
                let hint = nearest_key(&key)
                    .map(|k| format!(" — did you mean `{k}`?"))
                    .unwrap_or_else(|| " — remove it".to_string());
                format!("{}: unknown key `{key}` is ignored{hint}", config.source.locate(&key))
            })
            .collect();
        config.validate()?;
        Ok((config, warnings))
    }

    fn validate(&self) -> Result<()> {
        self.validate_base_url(&self.source.locate("base_url"))?;
        if self.feeds.limit == 0 {
            anyhow::bail!(
                "{}: [feeds] limit must be at least 1 — remove it to get the default of 50",
                self.source.locate("feeds.limit")
            );
        }
        Ok(())
    }

    /// Feeds need absolute links, so the base URL must be an absolute http(s) URL.
    /// `origin` says where the value came from (`paperboy.toml:3`, `--base-url`).
    pub fn validate_base_url(&self, origin: &str) -> Result<()> {
        let url = self.base_url.as_str();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            anyhow::bail!(
                "{origin}: base_url `{url}` is not an absolute http(s) URL — write it like `https://example.org/digest/`"
            );
        }
        Ok(())
    }

    /// The base URL with exactly one trailing slash, so that joining never doubles or drops one.
    pub fn base_url(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }

    /// The path part of `base_url` (`/digest/` for `https://example.org/digest/`): every
    /// root-relative link in pages starts with it so the site works under a sub-path.
    pub fn base_path(&self) -> String {
        let after_scheme = self.base_url.split_once("://").map_or("", |(_, rest)| rest);
        let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
        let path = path.trim_matches('/');
        if path.is_empty() {
            "/".to_string()
        } else {
            format!("/{path}/")
        }
    }

    /// The feed author: the configured one, else the site title.
    pub fn author(&self) -> &str {
        if self.author.trim().is_empty() {
            &self.title
        } else {
            &self.author
        }
    }
}

fn nearest_key(key: &str) -> Option<&'static str> {
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
        if full.len() == wanted.len() && full.iter().zip(&wanted).all(|(a, b)| a == b) {
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

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> anyhow::Error {
    let line = e
        .span()
        .map_or(1, |span| crate::error::line_of_offset(text, span.start));
    anyhow::anyhow!(
        "{}:{line}: {} — fix the TOML syntax or the value's type",
        path.display(),
        e.message()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_follows_base_url() {
        let mut c = Config {
            base_url: "https://example.org/digest".into(),
            ..Config::default()
        };
        assert_eq!(c.base_path(), "/digest/");
        assert_eq!(c.base_url(), "https://example.org/digest/");
        c.base_url = "https://example.org".into();
        assert_eq!(c.base_path(), "/");
    }

    #[test]
    fn unknown_keys_warn_with_a_suggestion() {
        let (_, warnings) = Config::parse("titel = \"x\"\n", Path::new("paperboy.toml")).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("did you mean `title`"), "{}", warnings[0]);
    }

    #[test]
    fn wrong_type_names_the_line() {
        let err = Config::parse("title = \"x\"\n[feeds]\nlimit = \"ten\"\n", Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("p.toml:3:"), "{err}");
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
        let (_, warnings) = Config::parse(text, Path::new("p.toml")).unwrap();
        assert!(
            warnings[0].starts_with("p.toml:4: unknown key `feeds.limt`"),
            "{warnings:?}"
        );
    }
}
