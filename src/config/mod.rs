//! `paperboy.toml`: every key has a default so that a folder holding only `content/` builds.

mod keys;
mod tagging;

use std::path::Path;

use anyhow::{Context as _, Result};
use serde::Deserialize;

pub use keys::ConfigSource;
use keys::{misplaced, nearest_key, toml_error};
pub use tagging::{TaggingConfig, TopicConfig};

/// A hasher that has taken in this program's source and `settings`: where a cache beside
/// the output is valid for one program and some settings (the build cache, the parse
/// cache, the topic strengths), its key starts here, so that another paperboy or other
/// settings never read it.
pub fn program_hasher(settings: &impl std::fmt::Debug) -> xxhash_rust::xxh3::Xxh3Default {
    use std::hash::Hash;
    let mut h = xxhash_rust::xxh3::Xxh3Default::new();
    env!("PAPERBOY_SOURCE_HASH").hash(&mut h);
    format!("{settings:?}").hash(&mut h);
    h
}

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
    /// Name of the theme: a built-in one or a folder under `themes/` (a plain name, never a
    /// path: a theme's `static/` is copied into the site).
    pub theme: String,
    /// Feed settings.
    pub feeds: FeedsConfig,
    /// How scraped digest files are cleaned up before they are paired into papers.
    pub import: ImportConfig,
    /// Automatic tagging and tag names.
    pub tagging: TaggingConfig,
    /// Tag pages.
    pub tags: TagsConfig,
    /// Issue pages: long days, repeated days, papers trending again.
    pub issues: IssuesConfig,
    /// Email-ready issues.
    pub email: EmailConfig,
    /// What a build publishes: drafts and papers dated in the future.
    pub build: BuildConfig,
    /// Anything a theme wants: passed to templates as `site.extra`, never checked.
    pub extra: toml::Table,
    /// Words the themes show, over the built-in ones of `language` (keys as in
    /// `src/render/i18n/en.toml`).
    pub translations: std::collections::BTreeMap<String, String>,
    /// Where the settings came from, so that later errors about a value can name its line.
    #[serde(skip)]
    pub source: ConfigSource,
}
/// `[tags]`: how tag pages list their papers.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct TagsConfig {
    /// Papers per older tag page (pages are numbered from the oldest, so full ones never
    /// change; the front page holds the newest, up to twice this less one); 0 puts them all
    /// on one page.
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
    /// Feed readers poll often; bounding the item count keeps every poll cheap. The site
    /// feeds carry the newest papers: with real days of 300-500 papers, 50 is the top of
    /// one day, which suits a reader who follows the trending head; the issue feed carries
    /// whole days.
    pub limit: usize,
    /// Issues in the daily-issue feeds (`/issues/rss.xml`), newest first; 0 means no issue
    /// feeds at all.
    pub issues: usize,
    /// Papers (with their abstracts) in each item of the issue feeds; the item links to the
    /// rest. A real day of 500 papers in full is close to a megabyte per item.
    pub issue_papers: usize,
}

/// `[issues]`: how a day's issue is laid out.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct IssuesConfig {
    /// Papers per issue page (`/issues/DAY/`, `/issues/DAY/page/2/`, …); 0 puts them all on
    /// one page. A real day of 500 papers on one page is over 100,000 pixels tall.
    pub per_page: usize,
    /// A day whose papers all appeared in the issue before it (crawlers re-publish Friday's
    /// list on the weekend): `skip` it, or `keep` it as an issue marked "no new papers".
    pub repeats: Repeats,
    /// Papers that trended in an earlier issue: listed `after` the new ones, or `inline` in
    /// trending order; marked "trending again" either way.
    pub again: Again,
}

/// What to do with a day that repeats the issue before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Repeats {
    /// No issue, no feed item, no email.
    Skip,
    /// An issue page that says it has no new papers; not in the issue feeds.
    Keep,
}

/// Where papers seen in an earlier issue go in an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Again {
    /// After the day's new papers, under their own heading.
    After,
    /// Where the trending order puts them.
    Inline,
}

/// `[email]`: the email-ready issues.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct EmailConfig {
    /// At most this many papers per email; the email links to the full issue. Emails are
    /// also kept under 100 KB whatever this says: Gmail clips a message at about 102 KB.
    pub papers: usize,
}

/// `[build]`: what a build publishes. `--drafts` and `--future` turn these on for one run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BuildConfig {
    /// Publish papers marked `draft = true`.
    pub drafts: bool,
    /// Publish papers (and issues) dated after today.
    pub future: bool,
    /// Today, for `future`: the local date, or `PAPERBOY_TODAY` (YYYY-MM-DD) for builds
    /// that must not depend on the clock.
    #[serde(skip)]
    pub today: Option<chrono::NaiveDate>,
}

/// What the command line says over `paperboy.toml`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `-c/--config`: the config file, when it is not `ROOT/paperboy.toml`.
    pub config: Option<std::path::PathBuf>,
    /// `-u/--base-url`: where this build is published.
    pub base_url: Option<String>,
    /// `--drafts`: publish drafts too.
    pub drafts: bool,
    /// `--future`: publish papers dated after today too.
    pub future: bool,
}

impl Default for IssuesConfig {
    fn default() -> Self {
        IssuesConfig {
            per_page: 100,
            repeats: Repeats::Skip,
            again: Again::After,
        }
    }
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig { papers: 50 }
    }
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
    /// Read text-mode LaTeX in titles and abstracts (`\emph{…}`, `\href{…}{…}`,
    /// ``` ``quotes'' ```, `--`, `~`), as arXiv's own records keep it.
    pub latex: bool,
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
            tagging: TaggingConfig::default(),
            tags: TagsConfig::default(),
            issues: IssuesConfig::default(),
            email: EmailConfig::default(),
            build: BuildConfig::default(),
            extra: toml::Table::new(),
            translations: Default::default(),
            source: ConfigSource::default(),
        }
    }
}

impl Default for FeedsConfig {
    fn default() -> Self {
        FeedsConfig {
            limit: 50,
            issues: 7,
            issue_papers: 30,
        }
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
            latex: true,
        }
    }
}

/// Why `url` cannot be a site's `base_url` (`what is wrong — what to do`), if it cannot: the
/// command line checks `--base-url` with it as it parses, the config its key.
pub fn check_base_url(url: &str) -> std::result::Result<(), String> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!(
            "base_url `{url}` is not an absolute http(s) URL — write it like `https://example.org/digest/`"
        ));
    }
    if url.contains(['?', '#']) {
        return Err(format!(
            "base_url `{url}` has a query or a fragment, which every link would then end in — remove what follows `?` or `#`"
        ));
    }
    let host = url
        .split_once("://")
        .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
    if host.is_empty() || url.contains(char::is_whitespace) {
        return Err(format!(
            "base_url `{url}` has no host or holds spaces — write it like `https://example.org/digest/`"
        ));
    }
    Ok(())
}

impl Config {
    /// Reads `root/paperboy.toml`, or the defaults when there is none.
    /// Unknown keys are returned as warnings rather than errors: a typo should not stop a
    /// preview, but it must not go unnoticed either.
    pub fn load(root: &Path) -> Result<(Config, Vec<String>)> {
        Self::load_with(root, &Overrides::default())
    }

    /// The config for a run: the file (`ROOT/paperboy.toml`, or `--config`, which must
    /// exist), then the command line's overrides, which win.
    pub fn load_with(root: &Path, overrides: &Overrides) -> Result<(Config, Vec<String>)> {
        let path = overrides.config.clone().unwrap_or_else(|| root.join(CONFIG_FILE));
        // Messages name the file as content errors name theirs: from the site root, unless
        // `--config` named it, as typed.
        let shown = match overrides.config {
            Some(_) => path.as_path(),
            None => Path::new(CONFIG_FILE),
        };
        let (mut config, warnings) = match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, shown)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && overrides.config.is_none() => {
                (Config::default(), Vec::new())
            }
            Err(e) => {
                let what = match overrides.config {
                    Some(_) => "check the path given to --config",
                    None => "make it readable",
                };
                anyhow::bail!("cannot read {}: {e} — {what}", path.display());
            }
        };
        if let Some(url) = &overrides.base_url {
            config.base_url = url.to_string();
            config.validate_base_url("--base-url")?;
        }
        config.build.drafts |= overrides.drafts;
        config.build.future |= overrides.future;
        config.build.today = Some(today()?);
        Ok((config, warnings))
    }

    /// Parses config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<(Config, Vec<String>)> {
        let mut unknown = Vec::new();
        let de = toml::Deserializer::parse(text).map_err(|e| toml_error(path, text, &e))?;
        let mut config: Config = serde_ignored::deserialize(de, |key| unknown.push(key.to_string()))
            .map_err(|e| toml_error(path, text, &e))?;
        config.source = ConfigSource::new(path, text);
        let warnings = unknown
            .into_iter()
            .map(|key| {
                let hint = misplaced(&key)
                    .or_else(|| nearest_key(&key).map(|k| format!(" — did you mean `{k}`?")))
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
        self.validate_theme_name()
    }

    /// A theme is a name, looked up under `themes/` and among the built-in themes: a path
    /// (`../../x`, `/srv/x`) would copy some other folder's `static/` into the site.
    fn validate_theme_name(&self) -> Result<()> {
        let name = self.theme.as_str();
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && !name.contains(['/', '\\', '\0'])
            && !Path::new(name).is_absolute();
        if !plain {
            anyhow::bail!(
                "{}: theme `{name}` is not a theme name — name a folder under themes/ (e.g. `theme = \"mine\"` for themes/mine/) or a built-in theme",
                self.source.locate("theme")
            );
        }
        Ok(())
    }

    /// Feeds need absolute links, so the base URL must be an absolute http(s) URL.
    /// `origin` says where the value came from (`paperboy.toml:3`, `--base-url`).
    pub fn validate_base_url(&self, origin: &str) -> Result<()> {
        check_base_url(&self.base_url).map_err(|why| anyhow::anyhow!("{origin}: {why}"))
    }

    /// The base URL with exactly one trailing slash, so that joining never doubles or drops one.
    pub fn base_url(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }

    /// Whether `base_url` points at this machine (`localhost`, `127.x`, `[::1]`, `0.0.0.0`):
    /// right for a preview, wrong for a site that is deployed, whose feeds, canonical links,
    /// sitemap and emails would all point back at the reader's own machine.
    pub fn is_local(&self) -> bool {
        let after_scheme = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, rest)| rest);
        let authority = after_scheme.split('/').next().unwrap_or("");
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => authority.split(':').next().unwrap_or(""),
        };
        let host = host.to_ascii_lowercase();
        host == "localhost"
            || host.ends_with(".localhost")
            || host.starts_with("127.")
            || host == "::1"
            || host == "0.0.0.0"
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

/// Today's date: `PAPERBOY_TODAY` when set (reproducible builds, tests), else the local
/// clock's.
fn today() -> Result<chrono::NaiveDate> {
    match std::env::var("PAPERBOY_TODAY") {
        Ok(day) => chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
            .with_context(|| format!("PAPERBOY_TODAY `{day}` is not a date — write it as 2026-11-26")),
        Err(_) => Ok(chrono::Local::now().date_naive()),
    }
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
    fn local_base_urls_are_recognised() {
        let local = |url: &str| {
            Config {
                base_url: url.into(),
                ..Config::default()
            }
            .is_local()
        };
        assert!(local("http://127.0.0.1:1111/") && local("http://localhost/x/") && local("http://[::1]:8080/"));
        assert!(local("http://0.0.0.0:1111") && local("http://app.localhost/"));
        assert!(
            !local("https://example.org/")
                && !local("https://localhost.example.org/")
                && !local("https://127example.org/")
        );
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
    fn an_unknown_key_names_its_line_under_its_table() {
        let text = "title = \"x\"\n\n[feeds]\n  limt = 3\n[[tagging.topic]]\nname = \"a\"\n[tags]\n\"per_page\" = 0\n";
        let (_, warnings) = Config::parse(text, Path::new("p.toml")).unwrap();
        assert!(
            warnings[0].starts_with("p.toml:4: unknown key `feeds.limt`"),
            "{warnings:?}"
        );
    }
}
