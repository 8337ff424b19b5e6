//! The parse cache beside an output folder (`.public.parsed/`): each content file's papers
//! as a build parsed them, so that a build in a new process parses only the files that
//! changed. A daily build reads a year of JSON Lines files it parsed yesterday; turning
//! their LaTeX, Markdown and text into a model again costs more than the new day's pages.
//!
//! An entry is named by a hash of the program, the `[import]` settings, the file's path
//! and its bytes, so an entry can only ever describe the file as it is now: an edit, a
//! rename, another paperboy or another `[import]` misses and parses afresh. An entry is
//! trusted only when it is whole (its checksum matches); a damaged one is named in a
//! warning and parsed again. A build removes the entries that no content file used, and a
//! failed build the entries it wrote (a build that failed on a full disk must not keep the
//! disk full).
//!
//! This is the one thing loading writes, and only beside the output, under the output's
//! lock: never the content, never the output.

use std::fs;
use std::io::{self, Read as _};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate};
use rustc_hash::FxHashSet;

use super::source::{RawPaper, SourceFile};
use crate::config::ImportConfig;
use crate::le_bytes::{Reader, Writer};
use crate::model::{LongText, TextStore};

/// First bytes of an entry: its format, so that another version's entry is not misread.
const MAGIC: &[u8] = b"paperboy parse cache 2\n";
/// Extension of entry files; anything else in the folder is left alone.
const EXT: &str = "parsed";
/// The most entries a build holds open to read their abstracts from (see
/// [`ParseCache::texts_in_entries`]): a day's file each, a year's worth, and never more than
/// a quarter of the files the process may open (256 of the usual 1,024). Entries past it
/// give their abstracts to memory, and the build moves them to its own file as before.
const MAX_OPEN_ENTRIES: usize = 400;

/// A file parsed by an earlier build, with the warnings its parse gave.
pub(super) type Cached = (SourceFile, Vec<String>);

/// What the cache holds for a file.
pub(super) enum Lookup {
    /// Parsed before, exactly as it is now.
    Hit(Box<Cached>),
    /// Never parsed with this program and `[import]`, or not in its current form.
    Miss,
    /// An entry that is not whole: the warning that says so (the file is parsed again).
    Damaged(String),
}

/// The parse cache of one build: where entries live, what they are valid for, and which
/// entries this build used (the others are pruned once it succeeds).
pub struct ParseCache {
    dir: PathBuf,
    setup: u64,
    used: Mutex<FxHashSet<u128>>,
    /// Entries this build wrote, removed again unless it succeeds.
    stored: Mutex<Vec<u128>>,
    /// How many entries a hit may leave its abstracts in (see
    /// [`ParseCache::texts_in_entries`]), and how many entries are held open for that.
    max_open: usize,
    open_entries: AtomicUsize,
    done: bool,
}

impl ParseCache {
    /// The cache in `dir`, valid for this program reading files with `import`.
    pub fn new(dir: PathBuf, import: &ImportConfig) -> Self {
        use std::hash::Hasher;
        let h = crate::config::program_hasher(import);
        ParseCache {
            dir,
            setup: h.finish(),
            used: Mutex::new(FxHashSet::default()),
            stored: Mutex::new(Vec::new()),
            max_open: 0,
            open_entries: AtomicUsize::new(0),
            done: false,
        }
    }

    /// Leaves the abstracts of the files found in the cache in their entries, read back from
    /// there when a stage needs them, for a build that keeps abstracts out of memory anyway
    /// (see `model/long_text.rs`): copying them out of the entry into memory and on into the
    /// build's own file was a quarter of a second of CPU in a daily build at 100,000 papers,
    /// for abstracts already on disk. An entry is checked whole when it is read, as before,
    /// and held open: an entry replaced or removed meanwhile is still read as it was (only
    /// another program writing into it in place, under the output's lock, could change it).
    pub fn texts_in_entries(mut self, yes: bool) -> Self {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
        let quarter = limit.map_or(usize::MAX, |files| usize::try_from(files / 4).unwrap_or(usize::MAX));
        self.max_open = if yes { MAX_OPEN_ENTRIES.min(quarter) } else { 0 };
        self
    }

    /// The key of the file at `rel` (relative to the site root) holding `bytes`.
    pub fn key(&self, rel: &Path, bytes: &[u8]) -> u128 {
        let mut h = xxhash_rust::xxh3::Xxh3Default::new();
        h.update(&self.setup.to_le_bytes());
        h.update(rel.as_os_str().as_encoded_bytes());
        h.update(&[0]);
        h.update(bytes);
        h.digest128()
    }

    fn entry(&self, key: u128) -> PathBuf {
        self.dir.join(format!("{key:032x}.{EXT}"))
    }

    /// What the cache holds for `key`, the file at `rel`; marks the entry used.
    pub(super) fn lookup(&self, key: u128, rel: &Path) -> Lookup {
        self.used.lock().expect("no reader panicked").insert(key);
        let path = self.entry(key);
        let Ok(mut file) = fs::File::open(&path) else {
            return Lookup::Miss;
        };
        let mut bytes = Vec::new();
        if file.read_to_end(&mut bytes).is_err() {
            return Lookup::Miss;
        }
        let texts = (self.max_open > 0 && self.open_entries.fetch_add(1, Ordering::Relaxed) < self.max_open)
            .then(|| Arc::new(ReadOnlyFile(file)) as Arc<dyn TextStore>);
        match decode(&bytes, key, rel, texts.as_ref()) {
            Some(cached) => Lookup::Hit(Box::new(cached)),
            None => Lookup::Damaged(format!(
                "{}: a damaged parse cache entry — ignored: {} is parsed again and the entry rewritten",
                path.display(),
                rel.display()
            )),
        }
    }

    /// Records how the file `key` parsed, for the next build. Written to a temporary name
    /// and renamed, so a killed build leaves no half entry under a real name. Only a
    /// speed-up: a failure to write is not an error.
    pub fn store(&self, key: u128, file: &SourceFile, warnings: &[String]) {
        let bytes = encode(key, file, warnings);
        let path = self.entry(key);
        let tmp = path.with_extension(format!("{EXT}.tmp{}", std::process::id()));
        let written = fs::create_dir_all(&self.dir)
            .and_then(|()| fs::write(&tmp, &bytes))
            .and_then(|()| fs::rename(&tmp, &path));
        match written {
            Ok(()) => self.stored.lock().expect("no reader panicked").push(key),
            Err(_) => {
                let _ = fs::remove_file(&tmp);
            }
        }
    }

    /// Keeps what this build wrote, and removes the entries (and leftover temporary files)
    /// that it did not use: files since edited or deleted. Call it once the build succeeded.
    pub fn finish(mut self) -> io::Result<()> {
        self.done = true;
        let used = self.used.lock().expect("no reader panicked");
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let keep = name
                .strip_suffix(&format!(".{EXT}"))
                .and_then(|hex| u128::from_str_radix(hex, 16).ok())
                .is_some_and(|key| used.contains(&key));
            if !keep && (name.ends_with(&format!(".{EXT}")) || name.contains(&format!(".{EXT}.tmp"))) {
                fs::remove_file(entry.path())?;
            }
        }
        Ok(())
    }
}

impl Drop for ParseCache {
    /// A build that failed removes the entries it wrote: the disk is left as it was found.
    fn drop(&mut self) {
        if !self.done {
            let stored = std::mem::take(self.stored.get_mut().expect("no reader panicked"));
            for key in stored {
                let _ = fs::remove_file(self.entry(key));
            }
            // Only when empty: a first build that failed leaves no folder behind either.
            let _ = fs::remove_dir(&self.dir);
        }
    }
}

/// An entry's bytes: magic, key, the file, its warnings, and a checksum of all before it.
fn encode(key: u128, file: &SourceFile, warnings: &[String]) -> Vec<u8> {
    let mut w = Writer::with_capacity(4096 + file.papers.len() * 2048);
    w.0.extend_from_slice(MAGIC);
    w.0.extend_from_slice(&key.to_le_bytes());
    w.bool(file.ordered);
    w.strs(warnings);
    w.u64(file.papers.len() as u64);
    for paper in &file.papers {
        write_paper(&mut w, paper);
    }
    w.u64(file.records.len() as u64);
    for &record in &file.records {
        w.u64(record);
    }
    let sum = xxhash_rust::xxh3::xxh3_64(&w.0);
    w.u64(sum);
    w.0
}

/// A file held open as a store that is only read: a parse cache entry, for the abstracts
/// in it (see [`ParseCache::texts_in_entries`]); the stored sealed search segment, for its
/// shards (see `render/search_sealed.rs`).
pub struct ReadOnlyFile(pub fs::File);

impl TextStore for ReadOnlyFile {
    fn append(&self, _bytes: &[u8]) -> io::Result<u64> {
        Err(io::Error::other("a file held open to read is only read"))
    }

    fn read(&self, at: u64, len: u32) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0; len as usize];
        self.0.read_exact_at(&mut bytes, at)?;
        Ok(bytes)
    }
}

/// Where the abstracts of an entry being decoded stay: in memory, or in the entry itself,
/// whose bytes start at `base`.
struct Texts<'a> {
    entry: Option<&'a Arc<dyn TextStore>>,
    base: usize,
}

impl Texts<'_> {
    /// `text`, a slice of the entry's bytes, as a paper holds it.
    fn long(&self, text: &str) -> Option<LongText> {
        Some(match self.entry {
            Some(store) => LongText::Stored {
                store: store.clone(),
                at: (text.as_ptr() as usize - self.base) as u64,
                len: u32::try_from(text.len()).ok()?,
            },
            None => text.into(),
        })
    }
}

/// The file an entry holds, when it is whole and was written for `key`; its abstracts left
/// in the entry when `entry` is the entry held open.
fn decode(bytes: &[u8], key: u128, rel: &Path, entry: Option<&Arc<dyn TextStore>>) -> Option<Cached> {
    let texts = Texts {
        entry,
        base: bytes.as_ptr() as usize,
    };
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if xxhash_rust::xxh3::xxh3_64(body) != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut r = Reader(body.strip_prefix(MAGIC)?);
    if r.take(16)? != key.to_le_bytes() {
        return None;
    }
    let ordered = r.bool()?;
    let warnings = r.strs()?;
    let source: std::sync::Arc<Path> = rel.into();
    let count = r.u64()?;
    // A paper takes more than 64 bytes: a damaged count cannot allocate more than the entry.
    let mut papers = Vec::with_capacity(count.min(r.remaining() as u64 / 64) as usize);
    for _ in 0..count {
        papers.push(std::sync::Arc::new(read_paper(&mut r, &source, &texts)?));
    }
    let count = r.u64()?;
    let records = (0..count).map(|_| r.u64()).collect::<Option<Vec<u64>>>()?;
    r.is_empty().then_some(())?;
    Some((
        SourceFile {
            path: rel.to_path_buf(),
            papers,
            ordered,
            records,
        },
        warnings,
    ))
}

/// Every field, named: a field added to [`RawPaper`] does not compile here until the cache
/// holds it.
fn write_paper(w: &mut Writer, p: &RawPaper) {
    let RawPaper {
        title,
        title_html,
        abstract_html,
        abstract_feed_html,
        abstract_text,
        text_hash,
        html_hash,
        excerpt_hash,
        title_key,
        slug_base,
        date,
        published,
        explicit_tags,
        authors,
        url,
        arxiv,
        arxiv_key,
        pdf,
        categories,
        comment,
        draft,
        aliases,
        source: _,
        line,
    } = p;
    w.str(title);
    w.opt(title_html.as_deref());
    w.opt(abstract_html.as_ref().map(LongText::read).as_deref());
    w.opt(abstract_feed_html.as_ref().map(LongText::read).as_deref());
    w.str(&abstract_text.read());
    w.u64(*text_hash);
    w.u64(*html_hash);
    w.u64(*excerpt_hash);
    w.str(title_key);
    w.str(slug_base);
    w.u64(i64::from(chrono::Datelike::num_days_from_ce(date)) as u64);
    w.u64(published.timestamp() as u64);
    w.u64(u64::from(published.timestamp_subsec_nanos()));
    w.strs(explicit_tags);
    w.strs(authors);
    w.opt(url.as_deref());
    w.opt(arxiv.as_deref());
    w.opt(arxiv_key.as_deref());
    w.opt(pdf.as_deref());
    w.strs(categories);
    w.opt(comment.as_deref());
    w.bool(*draft);
    w.strs(aliases);
    w.u64(*line as u64);
}

/// A paper written by [`write_paper`].
fn read_paper(r: &mut Reader, source: &std::sync::Arc<Path>, texts: &Texts) -> Option<RawPaper> {
    // An absent text is `Some(None)`; a text the entry cannot hold is `None` (damage).
    let long = |text: Option<&str>| match text {
        Some(text) => texts.long(text).map(Some),
        None => Some(None),
    };
    Some(RawPaper {
        title: shared(r)?,
        title_html: r.opt()?.map(Into::into),
        abstract_html: long(r.opt()?)?,
        abstract_feed_html: long(r.opt()?)?,
        abstract_text: texts.long(r.str()?)?,
        text_hash: r.u64()?,
        html_hash: r.u64()?,
        excerpt_hash: r.u64()?,
        title_key: shared(r)?,
        slug_base: shared(r)?,
        date: NaiveDate::from_num_days_from_ce_opt(i32::try_from(r.u64()? as i64).ok()?)?,
        published: DateTime::from_timestamp(r.u64()? as i64, u32::try_from(r.u64()?).ok()?)?,
        explicit_tags: r.strs()?,
        authors: r.strs()?.into(),
        url: r.opt()?.map(Into::into),
        arxiv: r.opt()?.map(Into::into),
        arxiv_key: r.opt()?.map(Into::into),
        pdf: r.opt()?.map(Into::into),
        categories: r.strs()?.into(),
        comment: r.opt()?.map(Into::into),
        draft: r.bool()?,
        aliases: r.strs()?,
        source: source.clone(),
        line: usize::try_from(r.u64()?).ok()?,
    })
}

/// A string read into the model's shared form.
fn shared(r: &mut Reader) -> Option<crate::model::SharedText> {
    r.str().map(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// Every file of the real fixture and the hostile one, parsed, through the cache and back.
    #[test]
    fn entries_read_back_as_the_files_parsed() {
        let config = Config::default();
        let dir = tempfile::tempdir().unwrap();
        let cache = ParseCache::new(dir.path().join("parsed"), &config.import);
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut seen = 0;
        for site in ["real-dev", "hostile"] {
            let (files, _) = super::super::list_files(&root.join(site)).unwrap();
            for path in files {
                let rel = path.strip_prefix(root.join(site)).unwrap();
                let bytes = fs::read(&path).unwrap();
                let mut warnings = Vec::new();
                let Ok(parsed) = super::super::read_file(&path, rel, &config, &mut |w| warnings.push(w)) else {
                    continue;
                };
                let key = cache.key(rel, &bytes);
                assert!(matches!(cache.lookup(key, rel), Lookup::Miss));
                cache.store(key, &parsed, &warnings);
                let Lookup::Hit(back) = cache.lookup(key, rel) else {
                    panic!("{}: not read back", rel.display())
                };
                assert_eq!(format!("{:?}", back.0), format!("{parsed:?}"), "{}", rel.display());
                assert_eq!(back.1, warnings);
                seen += parsed.papers.len();
            }
        }
        assert!(seen > 300, "the fixtures hold papers: {seen}");
    }

    #[test]
    fn abstracts_stay_in_the_entries_they_were_read_from_up_to_a_budget() {
        let config = Config::default();
        let dir = tempfile::tempdir().unwrap();
        let mut cache = ParseCache::new(dir.path().join("parsed"), &config.import).texts_in_entries(true);
        assert!(cache.max_open > 0);
        cache.max_open = 1;
        let days = ["content/2026-05-01.txt", "content/2026-05-02.txt"];
        let text = "Title one\nAn abstract about $x^2$ and **more**.\n";
        let mut hits = Vec::new();
        for day in days {
            let rel = Path::new(day);
            let parsed = super::super::parse_text(text, rel, &config, &mut |_| {}).unwrap();
            let key = cache.key(rel, text.as_bytes());
            cache.store(key, &parsed, &[]);
            let Lookup::Hit(back) = cache.lookup(key, rel) else {
                panic!("{day}: not read back")
            };
            let (got, want) = (&back.0.papers[0], &parsed.papers[0]);
            assert_eq!(got.abstract_text.read(), want.abstract_text.read(), "{day}");
            let read = |text: &Option<LongText>| text.as_ref().map(|t| t.read().into_owned());
            assert!(read(&want.abstract_html).is_some() && read(&want.abstract_feed_html).is_some());
            assert_eq!(read(&got.abstract_html), read(&want.abstract_html), "{day}");
            assert_eq!(read(&got.abstract_feed_html), read(&want.abstract_feed_html), "{day}");
            hits.push((back.0, cache.entry(key)));
        }
        let stored = |file: &SourceFile| file.papers[0].abstract_text.is_stored();
        assert!(stored(&hits[0].0), "the first entry holds its abstracts");
        assert!(!stored(&hits[1].0), "past the budget, abstracts are read into memory");
        let before = hits[0].0.papers[0].abstract_text.read().into_owned();
        fs::remove_file(&hits[0].1).unwrap();
        assert_eq!(
            hits[0].0.papers[0].abstract_text.read(),
            before,
            "an entry removed meanwhile is still read as it was"
        );
        let plain = ParseCache::new(dir.path().join("parsed"), &config.import);
        let rel = Path::new(days[1]);
        let Lookup::Hit(back) = plain.lookup(plain.key(rel, text.as_bytes()), rel) else {
            panic!("not read back")
        };
        assert!(!stored(&back.0), "only a build that asks leaves abstracts in entries");
    }

    #[test]
    fn a_failed_build_removes_what_it_stored() {
        let config = Config::default();
        let dir = tempfile::tempdir().unwrap();
        let rel = Path::new("content/2026-05-01.txt");
        let text = "Title one\nAn abstract about things.\n";
        let parsed = super::super::parse_text(text, rel, &config, &mut |_| {}).unwrap();
        let cache = ParseCache::new(dir.path().join("parsed"), &config.import);
        let key = cache.key(rel, text.as_bytes());
        cache.store(key, &parsed, &[]);
        let entry = cache.entry(key);
        assert!(entry.exists());
        drop(cache);
        assert!(!entry.exists(), "a build that did not finish leaves no entry");
        assert!(!dir.path().join("parsed").exists(), "nor the folder it made");
        let cache = ParseCache::new(dir.path().join("parsed"), &config.import);
        cache.store(key, &parsed, &[]);
        let _ = cache.lookup(key, rel);
        cache.finish().unwrap();
        assert!(entry.exists(), "a finished build keeps what it used");
    }

    #[test]
    fn damaged_entries_are_refused_and_unused_ones_pruned() {
        let config = Config::default();
        let dir = tempfile::tempdir().unwrap();
        let cache = ParseCache::new(dir.path().join("parsed"), &config.import);
        let rel = Path::new("content/2026-05-01.txt");
        let text = "Title one\nAn abstract about $x^2$ and more.\n";
        let parsed = super::super::parse_text(text, rel, &config, &mut |_| {}).unwrap();
        let key = cache.key(rel, text.as_bytes());
        cache.store(key, &parsed, &[]);
        let entry = cache.entry(key);
        let whole = fs::read(&entry).unwrap();
        for cut in [whole.len() - 1, whole.len() / 2, 3] {
            fs::write(&entry, &whole[..cut]).unwrap();
            assert!(matches!(cache.lookup(key, rel), Lookup::Damaged(_)), "cut at {cut}");
        }
        let mut flipped = whole.clone();
        flipped[MAGIC.len() + 20] ^= 1;
        fs::write(&entry, &flipped).unwrap();
        assert!(matches!(cache.lookup(key, rel), Lookup::Damaged(_)));
        assert_ne!(key, cache.key(Path::new("content/2026-05-02.txt"), text.as_bytes()));
        let other = ParseCache::new(
            dir.path().join("parsed"),
            &ImportConfig {
                latex: !config.import.latex,
                ..config.import.clone()
            },
        );
        assert_ne!(key, other.key(rel, text.as_bytes()), "another [import] is another key");
        other.finish().unwrap();
        assert!(!entry.exists(), "an entry no build used is pruned");
    }
}
