//! Writing the site. Pages go to a staging folder beside the output, which then replaces the
//! output in one atomic rename, so a failed or killed build never leaves a half site.
//!
//! The staging folder is kept between builds (it holds the previous site after the swap) and
//! updated in place: a page whose bytes equal the live one is hard-linked from it (keeping
//! its modification time, so `rsync`-style deploys skip it), a page the staging folder already
//! holds is left alone, and only changed pages are written. Files are never written through
//! a hard link, so the live site is never touched before the swap.
//!
//! A manifest beside the output (`.public.manifest`) records each file's hash, length, inode
//! and modification time: a page whose hash matches and whose live file still has that
//! inode and time is known unchanged without reading it back (at 100,000 papers that is
//! 1.3 GB not read on a rebuild that changes nothing).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{ErrorKind, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result};

use crate::render::Sink;

/// Marks a folder as written by paperboy, so that a folder of someone else's files is never
/// replaced by mistake.
pub const MARKER: &str = ".paperboy-output";

/// A build in progress: pages land in `staging`; [`Staging::commit`] swaps it with the output.
pub struct Staging {
    out: PathBuf,
    staging: PathBuf,
    written: Mutex<Vec<(String, Record)>>,
    /// What the live site's files were when the previous build wrote them.
    previous: HashMap<String, Record>,
    /// Folders (relative) known to exist in `staging`, to spare a `mkdir` per file.
    dirs: Mutex<rustc_hash::FxHashSet<String>>,
    /// Whether there is a live site to compare with and link from.
    live: bool,
    /// Whether the staging folder holds a previous site (else every file is new).
    reused: bool,
}

/// One output file as a build left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Record {
    hash: u64,
    len: u64,
    ino: u64,
    mtime_ns: i64,
}

impl Record {
    fn new(hash: u64, len: usize, meta: &fs::Metadata) -> Record {
        Record {
            hash,
            len: len as u64,
            ino: meta.ino(),
            mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
        }
    }

    /// The file is still the one recorded: same inode, length and modification time.
    fn matches(&self, meta: &fs::Metadata) -> bool {
        meta.is_file()
            && meta.ino() == self.ino
            && meta.len() == self.len
            && meta.mtime() * 1_000_000_000 + meta.mtime_nsec() == self.mtime_ns
    }
}

/// The manifest of an output folder: a hidden sibling, outside the site, so that the site's
/// bytes stay the same whatever folder it is built in.
pub fn manifest_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "manifest")
}

/// `.NAME.SUFFIX` beside the output folder `NAME`.
fn hidden_sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    out.with_file_name(format!(".{name}.{suffix}"))
}

fn read_manifest(path: &Path) -> HashMap<String, Record> {
    let Ok(text) = fs::read_to_string(path) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| {
            let mut f = line.splitn(5, ' ');
            let hash = u64::from_str_radix(f.next()?, 16).ok()?;
            let len = f.next()?.parse().ok()?;
            let ino = f.next()?.parse().ok()?;
            let mtime_ns = f.next()?.parse().ok()?;
            let path = f.next()?.to_string();
            Some((
                path,
                Record {
                    hash,
                    len,
                    ino,
                    mtime_ns,
                },
            ))
        })
        .collect()
}

fn write_manifest(path: &Path, records: &mut [(String, Record)]) -> std::io::Result<()> {
    use std::fmt::Write as _;
    records.sort_by(|a, b| a.0.cmp(&b.0));
    let mut text = String::with_capacity(records.len() * 100);
    for (p, r) in records.iter() {
        let _ = writeln!(text, "{:016x} {} {} {} {p}", r.hash, r.len, r.ino, r.mtime_ns);
    }
    let tmp = path.with_extension("manifest.tmp");
    fs::write(&tmp, text)?;
    fs::rename(&tmp, path)
}

/// The staging folder that belongs to an output folder: a hidden sibling, on the same file
/// system so that the swap is a rename.
pub fn staging_dir(out: &Path) -> PathBuf {
    hidden_sibling(out, "staging")
}

impl Staging {
    /// Prepares the staging folder beside `out`. Refuses when `out` holds files that paperboy
    /// did not write, unless `force` is set.
    pub fn begin(out: &Path, force: bool) -> Result<Self> {
        let out = if out.is_absolute() {
            out.to_path_buf()
        } else {
            std::env::current_dir()?.join(out)
        };
        let parent = out
            .parent()
            .context("the output folder cannot be the file system root")?;
        fs::create_dir_all(parent).with_context(|| {
            format!(
                "{}: cannot create the output's parent folder — check that it is a writable folder, or pass another --output",
                parent.display()
            )
        })?;
        if out.exists() && !out.is_dir() {
            anyhow::bail!(
                "{}: is a file, not a folder — move it away or pass another --output",
                out.display()
            );
        }
        if out.exists() && !force && !out.join(MARKER).exists() && !is_empty_dir(&out)? {
            anyhow::bail!(
                "{}: the output folder holds files that paperboy did not write — move them away, pick another --output, or pass --force to replace it",
                out.display()
            );
        }
        let staging = staging_dir(&out);
        // An empty one is what a build killed right after creating it leaves behind.
        if staging.exists() && !staging.join(MARKER).exists() && !is_empty_dir(&staging)? {
            anyhow::bail!(
                "{}: exists but was not made by paperboy — move it away so the build can stage the site there",
                staging.display()
            );
        }
        let reused = staging.exists();
        fs::create_dir_all(&staging).with_context(|| {
            format!(
                "{}: cannot create the staging folder — check that {} is writable",
                staging.display(),
                parent.display()
            )
        })?;
        let marker = staging.join(MARKER);
        if !marker.exists() {
            fs::write(
                &marker,
                b"Written by paperboy, which replaces this folder on every build.\n",
            )
            .with_context(|| format!("{}: cannot write", marker.display()))?;
        }
        let live = out.is_dir();
        let previous = if live {
            read_manifest(&manifest_path(&out))
        } else {
            HashMap::new()
        };
        Ok(Staging {
            previous,
            out,
            staging,
            written: Mutex::new(Vec::new()),
            dirs: Mutex::new(rustc_hash::FxHashSet::default()),
            live,
            reused,
        })
    }

    /// Removes what the previous site had and this one does not, then makes the staged site
    /// the live one, atomically where the OS allows it.
    pub fn commit(self) -> Result<()> {
        let mut records = self.written.into_inner().expect("no writer panicked");
        if self.reused {
            // A fresh staging folder holds only what this build wrote: nothing can be stale.
            let written: HashSet<String> = records.iter().map(|(p, _)| p.clone()).collect();
            remove_stale(&self.staging, &written)?;
        }
        // Gone first: a build killed between the swap and the new manifest must not leave
        // the old one describing the new site (its checks would still catch most changes).
        let manifest = manifest_path(&self.out);
        remove_if_exists(&manifest).with_context(|| format!("cannot remove {}", manifest.display()))?;
        if self.out.exists() {
            let exchanged = rustix::fs::renameat_with(
                rustix::fs::CWD,
                &self.staging,
                rustix::fs::CWD,
                &self.out,
                rustix::fs::RenameFlags::EXCHANGE,
            );
            if exchanged.is_err() {
                // File systems without RENAME_EXCHANGE: two renames, a tiny window.
                let old = self.staging.with_extension("old");
                let _ = fs::remove_dir_all(&old);
                fs::rename(&self.out, &old).with_context(|| format!("cannot move {} aside", self.out.display()))?;
                fs::rename(&self.staging, &self.out)
                    .with_context(|| format!("cannot move the new site to {}", self.out.display()))?;
                fs::rename(&old, &self.staging)?;
            }
        } else {
            fs::rename(&self.staging, &self.out)
                .with_context(|| format!("cannot move the new site to {}", self.out.display()))?;
        }
        // Only a speed-up: a build without it reads the live files instead.
        let _ = write_manifest(&manifest, &mut records);
        Ok(())
    }
}

impl Staging {
    /// Creates the folder of `path` (relative, `/`-separated) in `target`'s tree once.
    fn ensure_parent(&self, path: &str, file: &Path) -> std::io::Result<()> {
        // Keyed by the relative folder as text: hashing `Path`s goes component by component.
        let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
        let mut dirs = self.dirs.lock().expect("no writer panicked");
        if !dirs.contains(folder) {
            fs::create_dir_all(file.parent().expect("output paths have a parent"))?;
            dirs.insert(folder.to_string());
        }
        Ok(())
    }
}

impl Sink for Staging {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let target = self.staging.join(path);
        let io = || format!("{}: cannot write — check free space and permissions", target.display());
        let hash = xxhash_rust::xxh3::xxh3_64(bytes);
        let record = |meta: fs::Metadata| {
            let mut written = self.written.lock().expect("no writer panicked");
            written.push((path.to_string(), Record::new(hash, bytes.len(), &meta)));
        };
        if self.live {
            let live = self.out.join(path);
            let known = self
                .previous
                .get(path)
                .filter(|r| r.len == bytes.len() as u64 && r.hash == hash);
            let live_meta = fs::metadata(&live).ok();
            let unchanged = match (known, &live_meta) {
                (Some(r), Some(m)) if r.matches(m) => true,
                _ => live_meta.is_some() && same_content(&live, bytes),
            };
            if unchanged {
                let live_meta = live_meta.expect("the live file exists");
                if !is_same_file(&live_meta, &target) {
                    remove_if_exists(&target).with_context(io)?;
                    self.ensure_parent(path, &target).with_context(io)?;
                    fs::hard_link(&live, &target).with_context(io)?;
                }
                record(live_meta);
                return Ok(());
            }
            let shares_live = live_meta.as_ref().is_some_and(|m| is_same_file(m, &target));
            if self.reused && !shares_live && same_content(&target, bytes) {
                record(fs::metadata(&target).with_context(io)?);
                return Ok(());
            }
        }
        if self.reused {
            // Never write through a link that the live site shares: replace the file instead.
            remove_if_exists(&target).with_context(io)?;
        }
        self.ensure_parent(path, &target).with_context(io)?;
        let mut file = fs::File::create(&target).with_context(io)?;
        std::io::Write::write_all(&mut file, bytes).with_context(io)?;
        record(file.metadata().with_context(io)?);
        Ok(())
    }
}

fn is_empty_dir(dir: &Path) -> Result<bool> {
    Ok(fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .next()
        .is_none())
}

/// Deletes files (and then empty folders) under `root` that this build did not produce.
fn remove_stale(root: &Path, keep: &HashSet<String>) -> Result<()> {
    let mut dirs = Vec::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1).contents_first(true) {
        let entry = entry.with_context(|| format!("cannot walk {}", root.display()))?;
        let rel = entry.path().strip_prefix(root).expect("walk stays under root");
        let rel = rel.to_string_lossy();
        if entry.file_type().is_dir() {
            dirs.push(entry.into_path());
        } else if rel != MARKER && !keep.contains(rel.as_ref()) {
            fs::remove_file(entry.path()).with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    for dir in dirs {
        // Fails, as intended, on folders that still hold files.
        let _ = fs::remove_dir(&dir);
    }
    Ok(())
}

/// True when `path` is a file holding exactly `bytes`.
pub fn same_content(path: &Path, bytes: &[u8]) -> bool {
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    match file.metadata() {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {}
        _ => return false,
    }
    let mut existing = Vec::with_capacity(bytes.len());
    file.read_to_end(&mut existing).is_ok() && existing == bytes
}

/// Whether `path` is the file `meta` describes (a hard link to it).
fn is_same_file(meta: &fs::Metadata, path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|b| meta.dev() == b.dev() && meta.ino() == b.ino())
}

fn remove_if_exists(path: &Path) -> std::io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Writes into a live output folder one file at a time, for the watch loop: each file is
/// written to a temporary name and renamed into place, so a server reading the folder never
/// sees half a file, and a file whose bytes did not change is not touched.
pub struct InPlace {
    out: PathBuf,
    written: Mutex<Vec<String>>,
}

impl InPlace {
    /// Writes into `out`, which must exist.
    pub fn new(out: &Path) -> Self {
        InPlace {
            out: out.to_path_buf(),
            written: Mutex::new(Vec::new()),
        }
    }

    /// Paths that were actually rewritten (their bytes changed).
    pub fn into_written(self) -> Vec<String> {
        self.written.into_inner().expect("no writer panicked")
    }

    /// Deletes output files that no longer exist in the site, and folders left empty.
    pub fn remove(&self, paths: &[String]) -> Result<()> {
        for path in paths {
            let file = self.out.join(path);
            remove_if_exists(&file).with_context(|| format!("cannot remove {}", file.display()))?;
            let mut dir = file.parent();
            while let Some(d) = dir.filter(|d| *d != self.out) {
                if fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        Ok(())
    }
}

impl Sink for InPlace {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let target = self.out.join(path);
        if same_content(&target, bytes) {
            return Ok(());
        }
        let io = || format!("{}: cannot write — check free space and permissions", target.display());
        let parent = target.parent().expect("output paths have a parent");
        fs::create_dir_all(parent).with_context(io)?;
        let tmp = parent.join(format!(
            ".{}.paperboy-tmp",
            target.file_name().expect("a file").to_string_lossy()
        ));
        fs::write(&tmp, bytes).with_context(io)?;
        fs::rename(&tmp, &target).with_context(io)?;
        self.written.lock().expect("no writer panicked").push(path.to_string());
        Ok(())
    }
}
