//! The build cache beside an output folder (`.public.jobs`): what the last build rendered,
//! as each job's fingerprint and the files it wrote. A build in a new process reads it to
//! render only the jobs whose inputs changed: a daily build that adds one day to a large
//! archive renders that day's pages, not the archive. The manifest beside it says whether
//! those files are still the ones written; the cache says whether they are still the ones
//! the current content would render.
//!
//! It is trusted only when it is whole and was written for the same program, config and
//! theme (the setup fingerprint in its header): anything else is ignored, and a damaged or
//! foreign cache is named in a warning. Like the manifest, it is removed before the output
//! is swapped and written after, so a killed build never leaves one that describes
//! another site.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::hidden_sibling;
use crate::le_bytes::Summed;

/// First line of a cache file: its format, so that another version's cache is not misread.
const HEADER: &str = "paperboy build cache 1";

/// The cache file of an output folder.
pub fn job_cache_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "jobs")
}

/// What the last build rendered: job key → (fingerprint, files written).
#[derive(Debug, Default)]
pub struct JobCache {
    jobs: FxHashMap<String, (u64, JobFiles)>,
}

/// The files one job wrote, as a build holds them until the cache is written. Nearly every
/// job writes one page, its key's `index.html`, whose path is not held a second time: a
/// million of them were 80 MB of a million-paper build's peak.
#[derive(Debug, Clone, PartialEq)]
pub enum JobFiles {
    /// `KEY` + `index.html` alone.
    Page,
    /// Anything else, in the order written.
    Listed(Vec<String>),
}

impl JobFiles {
    /// The files `paths` that the job `key` wrote.
    pub fn of(key: &str, mut paths: Vec<String>) -> JobFiles {
        match paths.as_slice() {
            [one] if is_page_of(key, one) => JobFiles::Page,
            _ => {
                paths.shrink_to_fit();
                JobFiles::Listed(paths)
            }
        }
    }

    /// The paths, for the job `key`.
    pub fn paths(&self, key: &str) -> Vec<String> {
        match self {
            JobFiles::Page => vec![format!("{key}index.html")],
            JobFiles::Listed(paths) => paths.clone(),
        }
    }
}

/// `n` as 16 lower-case hex digits, as `{n:016x}` writes it.
fn hex16(n: u64) -> [u8; 16] {
    let mut digits = [0; 16];
    for (i, d) in digits.iter_mut().enumerate() {
        *d = b"0123456789abcdef"[(n >> (60 - 4 * i)) as usize & 15];
    }
    digits
}

/// Whether `path` is the page of the job `key`.
fn is_page_of(key: &str, path: &str) -> bool {
    !key.is_empty() && path.strip_prefix(key) == Some("index.html")
}

/// Reading a cache: one to use, none, or one that was refused with a warning.
pub enum Read {
    /// Whole, and written with the current setup.
    Usable(JobCache),
    /// No cache, or one written with another program, config or theme: every job renders.
    Absent,
    /// Damaged or not a paperboy build cache: every job renders, and the build says why.
    Refused(String),
}

impl JobCache {
    /// Reads the cache of output folder `out`, valid only for `setup` (see
    /// [`crate::pipeline::Setup::fingerprint`]).
    pub fn read(out: &Path, setup: u64) -> Read {
        Unchecked::read(out).for_setup(setup)
    }

    /// The files `key` wrote, when its fingerprint was `fingerprint`.
    pub fn get(&self, key: &str, fingerprint: u64) -> Option<Vec<String>> {
        match self.jobs.get(key) {
            Some((fp, files)) if *fp == fingerprint => Some(files.paths(key)),
            _ => None,
        }
    }

    /// Records what job `key` wrote.
    pub fn insert(&mut self, key: String, fingerprint: u64, files: JobFiles) {
        self.jobs.insert(key, (fingerprint, files));
    }
}

/// What a build rendered or kept, job by job, in the order it wrote them: the next build's
/// [`JobCache`]. Kept as a list, not a map: the build renders its jobs in key order (see
/// `pipeline::publish`), the order the file lists them in, so the file is written without
/// sorting 117,000 keys or hashing them.
#[derive(Debug)]
pub struct DoneJobs {
    jobs: Vec<(String, u64, JobFiles)>,
    /// Whether the jobs came in key order, each once.
    in_order: bool,
}

impl Default for DoneJobs {
    fn default() -> Self {
        DoneJobs::with_capacity(0)
    }
}

impl DoneJobs {
    /// An empty list with room for `jobs` jobs: grown one doubling at a time, a million
    /// jobs' list was briefly held twice.
    pub fn with_capacity(jobs: usize) -> DoneJobs {
        DoneJobs {
            jobs: Vec::with_capacity(jobs),
            in_order: true,
        }
    }

    /// Records what job `key` wrote when its fingerprint was `fingerprint`.
    pub fn push(&mut self, key: String, fingerprint: u64, files: JobFiles) {
        self.in_order &= self.jobs.last().is_none_or(|(last, ..)| *last < key);
        self.jobs.push((key, fingerprint, files));
    }

    /// The jobs in key order, each key once (the last recorded): as pushed when they came
    /// in order, else sorted.
    fn in_key_order(&self) -> Vec<&(String, u64, JobFiles)> {
        let mut jobs: Vec<&(String, u64, JobFiles)> = self.jobs.iter().collect();
        if !self.in_order {
            jobs.reverse();
            jobs.sort_by(|a, b| a.0.cmp(&b.0));
            jobs.dedup_by(|later, first| later.0 == first.0);
        }
        jobs
    }

    /// Writes the cache as its file holds it, for `setup`, to `out`; jobs in key order, so
    /// that the same build writes the same bytes. A file name with a tab or a line break
    /// cannot be written in this format: its job is left out, and renders every time.
    fn write_to(&self, setup: u64, out: &mut dyn io::Write) -> io::Result<()> {
        // The cache's last line is the hash of the lines before it.
        let mut body = Summed::new(out);
        writeln!(body, "{HEADER}\nsetup {setup:016x}")?;
        let plain = |s: &str| memchr::memchr3(b'\t', b'\n', b'\r', s.as_bytes()).is_none();
        // A line at a time, by hand: `write!` per field was half the time of writing 117,000.
        let mut line = Vec::new();
        for (key, fp, files) in self.in_key_order() {
            // A page's path is its key and `index.html`: plain when the key is.
            let plain_files = match files {
                JobFiles::Page => true,
                JobFiles::Listed(paths) => paths.iter().all(|f| plain(f)),
            };
            if !plain(key) || !plain_files {
                continue;
            }
            line.clear();
            line.extend_from_slice(&hex16(*fp));
            line.push(b'\t');
            line.extend_from_slice(key.as_bytes());
            match files {
                JobFiles::Page => {
                    line.push(b'\t');
                    line.extend_from_slice(key.as_bytes());
                    line.extend_from_slice(b"index.html");
                }
                JobFiles::Listed(paths) => {
                    for path in paths {
                        line.push(b'\t');
                        line.extend_from_slice(path.as_bytes());
                    }
                }
            }
            line.push(b'\n');
            body.write_all(&line)?;
        }
        let (out, sum) = body.finish()?;
        writeln!(out, "end {sum:016x}")
    }

    /// Writes the cache of output folder `out` atomically (a temporary file renamed over it).
    pub fn write(&self, out: &Path, setup: u64) -> io::Result<()> {
        super::side_file::replace_with(&job_cache_path(out), |file| self.write_to(setup, file))
    }
}

/// A cache as read from its file, before the build knows its setup: a build reads it
/// while the content loads (see `output::ReadAhead`), and only then checks what it was
/// written for.
pub(crate) struct Unchecked(Result<Option<(u64, JobCache)>, String>);

impl Unchecked {
    /// Reads and parses the cache of output folder `out`, for whatever setup it names.
    pub(crate) fn read(out: &Path) -> Unchecked {
        let path = job_cache_path(out);
        let refused = |why: &str| {
            Unchecked(Err(format!(
                "{}: {why} — ignored: this build renders every page and writes a new cache",
                path.display()
            )))
        };
        let text = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Unchecked(Ok(None)),
            Err(e) => return refused(&format!("cannot be read ({e})")),
        };
        let Ok(text) = String::from_utf8(text) else {
            return refused("is not a paperboy build cache (not text)");
        };
        match parse(&text) {
            Ok(read) => Unchecked(Ok(Some(read))),
            Err(why) => refused(why),
        }
    }

    /// The cache when it was written for `setup`.
    pub(crate) fn for_setup(self, setup: u64) -> Read {
        match self.0 {
            Ok(Some((written_for, cache))) if written_for == setup => Read::Usable(cache),
            Ok(_) => Read::Absent,
            Err(why) => Read::Refused(why),
        }
    }
}

/// The cache in `text` with the setup it was written for; the reason when it is not a
/// whole cache.
fn parse(text: &str) -> Result<(u64, JobCache), &'static str> {
    let body_end = text
        .trim_end_matches('\n')
        .rfind('\n')
        .map(|i| i + 1)
        .ok_or("is damaged (too short)")?;
    let (body, last) = text.split_at(body_end);
    if !body.starts_with(&format!("{HEADER}\n")) {
        return Err("is not a paperboy build cache of this version");
    }
    let sum = last
        .trim_end()
        .strip_prefix("end ")
        .and_then(|s| u64::from_str_radix(s, 16).ok())
        .ok_or("is damaged (no end line: a write was cut short?)")?;
    if sum != xxhash_rust::xxh3::xxh3_64(body.as_bytes()) {
        return Err("is damaged (its checksum does not match)");
    }
    let mut lines = body.lines().skip(1);
    let written_for = lines
        .next()
        .and_then(|l| l.strip_prefix("setup "))
        .and_then(|s| u64::from_str_radix(s, 16).ok())
        .ok_or("is damaged (no setup line)")?;
    let mut cache = JobCache::default();
    for line in lines {
        let mut fields = line.split('\t');
        let fp = fields
            .next()
            .and_then(|s| u64::from_str_radix(s, 16).ok())
            .ok_or("is damaged (a line without a fingerprint)")?;
        let key = fields.next().ok_or("is damaged (a line without a job)")?;
        let files = match (fields.next(), fields.clone().next()) {
            (Some(one), None) if is_page_of(key, one) => JobFiles::Page,
            (first, _) => JobFiles::Listed(first.into_iter().chain(fields).map(str::to_string).collect()),
        };
        cache.insert(key.to_string(), fp, files);
    }
    Ok((written_for, cache))
}

#[cfg(test)]
mod tests {
    use super::*;

    impl DoneJobs {
        /// The bytes [`DoneJobs::write`] puts in the file.
        fn to_text(&self, setup: u64) -> String {
            let mut bytes = Vec::new();
            self.write_to(setup, &mut bytes).unwrap();
            String::from_utf8(bytes).unwrap()
        }
    }

    /// Jobs recorded out of key order, as no build records them.
    fn sample() -> DoneJobs {
        let mut cache = DoneJobs::default();
        let mut insert = |key: &str, fp, files: &[&str]| {
            let files = JobFiles::of(key, files.iter().map(|f| f.to_string()).collect());
            cache.push(key.into(), fp, files);
        };
        insert("papers/a/", 7, &["papers/a/index.html"]);
        insert("rss.xml", 9, &["rss.xml", "atom.xml", "feed.json"]);
        insert("Statics", 1, &[]);
        insert("papers/b/", 5, &["papers/b/index.html", "papers/old-b/index.html"]);
        insert("issues/x/", 4, &["issues/y/index.html"]);
        cache
    }

    #[test]
    fn a_cache_reads_back_as_written_for_its_setup_only() {
        let text = sample().to_text(42);
        let (written_for, cache) = parse(&text).unwrap();
        assert_eq!(written_for, 42);
        assert_eq!(cache.get("rss.xml", 9).unwrap().len(), 3);
        assert_eq!(cache.get("Statics", 1).unwrap().len(), 0);
        assert_eq!(cache.get("papers/a/", 7).unwrap(), ["papers/a/index.html"]);
        assert_eq!(
            cache.get("papers/b/", 5).unwrap(),
            ["papers/b/index.html", "papers/old-b/index.html"]
        );
        assert_eq!(cache.get("issues/x/", 4).unwrap(), ["issues/y/index.html"]);
        assert!(
            text.contains("\tpapers/a/\tpapers/a/index.html\n"),
            "a page is written out in full"
        );
        assert!(cache.get("rss.xml", 8).is_none(), "another fingerprint is a miss");
        assert!(
            matches!(Unchecked(Ok(Some((42, cache)))).for_setup(43), Read::Absent),
            "another setup is no cache"
        );
        assert_eq!(text, sample().to_text(42), "the same cache, the same bytes");
    }

    #[test]
    fn jobs_are_written_in_key_order_however_they_were_recorded() {
        let keys = |text: &str| -> Vec<String> {
            text.lines()
                .skip(2)
                .filter_map(|l| Some(l.split('\t').nth(1)?.to_string()))
                .collect()
        };
        let mut shuffled = sample();
        shuffled.push("papers/a/".into(), 8, JobFiles::Page);
        let text = shuffled.to_text(42);
        assert_eq!(
            keys(&text),
            ["Statics", "issues/x/", "papers/a/", "papers/b/", "rss.xml"]
        );
        let (_, read) = parse(&text).unwrap();
        assert!(
            read.get("papers/a/", 7).is_none(),
            "a job recorded twice keeps its last entry"
        );
        assert!(read.get("papers/a/", 8).is_some());
        // In order, as a build records them: the same bytes as sorted.
        let mut ordered = DoneJobs::with_capacity(6);
        for (key, fp, files) in [
            ("Statics", 1, JobFiles::Listed(vec![])),
            (
                "issues/x/",
                4,
                JobFiles::of("issues/x/", vec!["issues/y/index.html".into()]),
            ),
            ("papers/a/", 8, JobFiles::Page),
            (
                "papers/b/",
                5,
                JobFiles::Listed(vec!["papers/b/index.html".into(), "papers/old-b/index.html".into()]),
            ),
            (
                "rss.xml",
                9,
                JobFiles::Listed(vec!["rss.xml".into(), "atom.xml".into(), "feed.json".into()]),
            ),
        ] {
            ordered.push(key.into(), fp, files);
        }
        assert!(ordered.in_order);
        assert_eq!(ordered.to_text(42), text);
        assert!(!sample().in_order, "jobs pushed out of order are known to be");
        let mut twice = DoneJobs::with_capacity(2);
        twice.push("a/".into(), 1, JobFiles::Page);
        twice.push("a/".into(), 2, JobFiles::Page);
        assert!(!twice.in_order, "a key pushed twice is out of order");
        assert_eq!(twice.in_key_order().len(), 1);
        assert_eq!(twice.in_key_order()[0].1, 2, "the last entry of a key is kept");
    }

    /// The file's format, spelt out: a change to it must be a change of `HEADER`.
    #[test]
    fn the_file_holds_what_it_always_held() {
        let body = "paperboy build cache 1\nsetup 000000000000002a\n\
            0000000000000001\tStatics\n\
            0000000000000004\tissues/x/\tissues/y/index.html\n\
            0000000000000007\tpapers/a/\tpapers/a/index.html\n\
            0000000000000005\tpapers/b/\tpapers/b/index.html\tpapers/old-b/index.html\n\
            0000000000000009\trss.xml\trss.xml\tatom.xml\tfeed.json\n";
        let end = format!("end {:016x}\n", xxhash_rust::xxh3::xxh3_64(body.as_bytes()));
        assert_eq!(sample().to_text(42), format!("{body}{end}"));
    }

    #[test]
    fn fingerprints_are_written_as_format_writes_them() {
        for n in [0, 7, 0x0123_4567_89ab_cdef, u64::MAX, 1 << 63] {
            assert_eq!(hex16(n), *format!("{n:016x}").as_bytes());
        }
    }

    #[test]
    fn damaged_or_foreign_caches_are_refused() {
        let text = sample().to_text(42);
        let cut = &text[..text.len() - 30];
        assert!(parse(cut).unwrap_err().contains("damaged"));
        let flipped = text.replacen("papers/a/index.html", "papers/b/index.html", 1);
        assert!(parse(&flipped).unwrap_err().contains("checksum"));
        assert!(parse("<html>\nnot a cache\n").unwrap_err().contains("not a paperboy"));
        let other_version = text.replacen("cache 1", "cache 0", 1);
        assert!(parse(&other_version).is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn names_that_the_format_cannot_hold_are_left_out() {
        let mut cache = sample();
        cache.push("odd".into(), 3, JobFiles::of("odd", vec!["a\tb.html".into()]));
        cache.push("odd\tkey/".into(), 3, JobFiles::Page);
        let (_, read) = parse(&cache.to_text(1)).unwrap();
        assert!(read.get("odd", 3).is_none());
        assert!(read.get("odd\tkey/", 3).is_none());
        assert!(read.get("papers/a/", 7).is_some());
    }
}
