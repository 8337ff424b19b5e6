//! The URL scheme in one place: where each page lives under the output root, and how links
//! to it are written, so that a `base_url` with a path works everywhere (pages, feeds,
//! sitemap, emails) and no stage spells a path of its own.

use crate::config::Config;

/// URL building in one place, so that a `base_url` with a path works everywhere.
#[derive(Debug, Clone)]
pub struct Links {
    /// Absolute base URL with a trailing slash.
    pub base_url: String,
    /// Path of the base URL with leading and trailing slashes (`/` or `/digest/`).
    pub base_path: String,
}

impl Links {
    /// Builds links from the config.
    pub fn new(config: &Config) -> Self {
        Links {
            base_url: config.base_url(),
            base_path: config.base_path(),
        }
    }
    /// Root-relative link to an output path (`papers/x/` → `/digest/papers/x/`).
    pub fn path(&self, rel: &str) -> String {
        format!("{}{rel}", self.base_path)
    }
    /// Absolute URL of an output path, for feeds, canonical links and the sitemap.
    pub fn abs(&self, rel: &str) -> String {
        format!("{}{rel}", self.base_url)
    }
}

/// Output path of a paper's page, without `index.html`.
pub fn paper_dir(slug: &str) -> String {
    format!("papers/{slug}/")
}
/// The fragment that names a paper where a page lists it (the `id` of its list item), so
/// that a link from the paper's page lands on it in a long issue.
pub fn paper_anchor(slug: &str) -> String {
    format!("p-{slug}")
}
/// Output path of an issue's page, without `index.html`.
pub fn issue_dir(date: &str) -> String {
    format!("issues/{date}/")
}
/// Output path of page `number` (from 1) of an issue whose folder is `dir`.
pub fn page_path(dir: &str, number: usize) -> String {
    if number == 1 {
        format!("{dir}index.html")
    } else {
        format!("{dir}page/{number}/index.html")
    }
}

/// Output path of a tag's older page `number` (from 1, the oldest; the newest papers are on
/// the tag's front page, [`tag_dir`]).
pub fn tag_page_path(dir: &str, number: usize) -> String {
    format!("{dir}page/{number}/index.html")
}

/// Output path of a tag's page, without `index.html`.
pub fn tag_dir(slug: &str) -> String {
    format!("tags/{slug}/")
}

/// Human form of a date: "26 November 2026".
pub fn display_date(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}
