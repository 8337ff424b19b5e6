//! Helpers for driving the real `paperboy` binary on sites in temporary folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The sample corpus shipped in the repo.
pub const SAMPLE: &str = include_str!("../../content/2026-11-26.txt");

/// A site in a temporary folder, deleted on drop.
pub struct TestSite {
    pub dir: tempfile::TempDir,
}

impl TestSite {
    pub fn new() -> Self {
        TestSite {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Writes `text` to `rel` under the site root, creating folders. Saved as editors save
    /// (a temporary file renamed over the old one), so that a watcher never reads a file
    /// truncated but not yet written; the temporary name ends in `~`, which watchers skip.
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let tmp = path.with_file_name(format!(".{}.saving~", path.file_name().unwrap().to_string_lossy()));
        if std::fs::write(&tmp, text.as_ref()).is_ok() && std::fs::rename(&tmp, &path).is_ok() {
            return self;
        }
        // A folder the test made read-only: write in place.
        let _ = std::fs::remove_file(&tmp);
        std::fs::write(path, text).unwrap();
        self
    }

    /// Runs `paperboy ARGS --root ROOT` for the subcommand in `args[0]`.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_paperboy"));
        cmd.args(args).arg("--root").arg(self.root());
        cmd.output().expect("run paperboy")
    }

    /// `paperboy build`, asserting success.
    pub fn build_ok(&self, extra: &[&str]) -> String {
        let mut args = vec!["build"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "build failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `paperboy build`, asserting failure; returns stderr.
    pub fn build_err(&self) -> String {
        let out = self.run(&["build"]);
        assert!(
            !out.status.success(),
            "build should fail but printed:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// Reads an output file as text.
    pub fn read(&self, rel: &str) -> String {
        let path = self.public().join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Every output file, relative path → bytes, sorted.
    pub fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        snapshot(&self.public())
    }
}

pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Count of output files under `dir` whose name is `name`.
pub fn count_named(dir: &Path, name: &str) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() == name)
        .count()
}

/// A plausible abstract: several sentences, so the digest parser sees an abstract.
pub fn abstract_text(topic: &str) -> String {
    format!(
        "We study {topic} in depth. Our method improves on prior work in several settings. Experiments on standard benchmarks confirm the gains."
    )
}

/// A Markdown paper with TOML front matter.
pub fn md_paper(title: &str, date: &str, tags: &[&str], body: &str) -> String {
    let tags: Vec<String> = tags.iter().map(|t| format!("{t:?}")).collect();
    format!(
        "+++\ntitle = {title:?}\ndate = {date}\ntags = [{}]\n+++\n{body}\n",
        tags.join(", ")
    )
}

/// Parses a feed with the `feed-rs` crate, as a feed reader would.
pub fn parse_feed(xml: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("feed does not parse: {e}\n{xml}"))
}

/// The HTML body of a feed entry, wherever the format keeps it (content or summary).
pub fn entry_html(entry: &feed_rs::model::Entry) -> String {
    entry
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
        .expect("the entry has a body")
}

/// A word (letters only) that only paper `n` of [`write_numbered_papers`] uses.
pub fn own_word(n: usize) -> String {
    let mut n = n + 1;
    let mut w = String::from("q");
    while n > 0 {
        w.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    w
}

/// A digest of `titles`, each followed by an abstract about its first word (`Alpha Paper`:
/// [`abstract_text`]`("alpha")`): the small sites most tests build.
pub fn digest(titles: &[&str]) -> String {
    titles
        .iter()
        .map(|t| {
            format!(
                "{t}\n{}",
                abstract_text(&t.split(' ').next().unwrap_or("").to_lowercase())
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The digest of day `day` (from 0): papers `100 * day` to `100 * day + 99`, in paper order.
pub fn numbered_digest(day: usize) -> (String, String) {
    let mut text = String::new();
    for n in day * 100..day * 100 + 100 {
        text.push_str(&format!(
            "Paper {n} on {}\nWe study graphs and {} closely.\n",
            own_word(n),
            own_word(n)
        ));
    }
    (
        format!("content/2026/{:02}/{:02}.txt", day / 28 + 1, day % 28 + 1),
        text,
    )
}

/// Writes `days` digests of 100 papers each ([`numbered_digest`]), for sites large enough to
/// split the search index.
pub fn write_numbered_papers(site: &TestSite, days: usize) {
    for day in 0..days {
        let (path, text) = numbered_digest(day);
        site.write(&path, text);
    }
}

/// Every HTML file under `dir`, as (relative path, text); asserts there is at least one, so a
/// loop over them cannot pass on an empty folder.
pub fn html_files(dir: &Path) -> Vec<(String, String)> {
    let files: Vec<(String, String)> = snapshot(dir)
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".html"))
        .map(|(rel, bytes)| (rel, String::from_utf8(bytes).expect("UTF-8 HTML")))
        .collect();
    assert!(!files.is_empty(), "no HTML files under {}", dir.display());
    files
}

/// Parses `html` as a browser would (html5ever) and asserts nothing in it can run: no
/// `<script>` but the search page's own, no `on*` handler, no `javascript:` URL, and no
/// element that fetches or embeds (`img`, `iframe`, `object`, `embed`, …).
pub fn assert_inert(rel: &str, html: &str) {
    let doc = scraper::Html::parse_document(html);
    for node in doc.root_element().descendants() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        let name = el.name();
        if name == "script" {
            assert!(
                rel.ends_with("search/index.html") && el.attr("src").is_some_and(|s| s.ends_with("/search/search.js")),
                "{rel}: a <script> element"
            );
        }
        let search_form = name == "form" && rel.ends_with("search/index.html");
        assert!(
            search_form
                || ![
                    "img", "iframe", "object", "embed", "frame", "form", "base", "svg", "video", "audio"
                ]
                .contains(&name),
            "{rel}: an injected <{name}> element"
        );
        for (attr, value) in el.attrs() {
            assert!(
                !attr.to_ascii_lowercase().starts_with("on"),
                "{rel}: <{name} {attr}=…> is an event handler"
            );
            let url: String = value
                .chars()
                .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
                .collect::<String>()
                .to_ascii_lowercase();
            assert!(
                !(url.starts_with("javascript:") || url.starts_with("vbscript:") || url.starts_with("data:text/html")),
                "{rel}: <{name} {attr}=\"{value}\"> runs script"
            );
        }
    }
}

/// A file's identity and modification time: equal before and after a build only if the
/// build left the file alone (a rewrite makes a new time; a replacement, a new inode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub ino: u64,
    pub modified: std::time::SystemTime,
}

/// A time no build writes: 2001-09-09, far behind the clock, so that a rewrite within one
/// timestamp tick of the file system still shows.
pub fn long_ago() -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000)
}

pub fn stamp(path: &Path) -> Stamp {
    use std::os::unix::fs::MetadataExt as _;
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Stamp {
        ino: meta.ino(),
        modified: meta.modified().unwrap(),
    }
}

/// Sets `path`'s modification time to [`long_ago`] (without touching its bytes) and returns
/// its stamp.
pub fn backdate(path: &Path) -> Stamp {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(long_ago()).unwrap();
    drop(file);
    let s = stamp(path);
    assert_eq!(s.modified, long_ago());
    s
}

/// Backdates every file under `dir` (at least one) and returns their stamps, sorted by path.
pub fn backdate_all(dir: &Path) -> Vec<(PathBuf, Stamp)> {
    let mut out: Vec<(PathBuf, Stamp)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), backdate(e.path())))
        .collect();
    assert!(!out.is_empty(), "no files under {}", dir.display());
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The stamps of every file under `dir`, sorted by path.
pub fn stamps(dir: &Path) -> Vec<(PathBuf, Stamp)> {
    let mut out: Vec<(PathBuf, Stamp)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), stamp(e.path())))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
