//! A build in progress: files land in a staging folder beside the output, which then replaces
//! the output in one atomic rename.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result};

use super::in_place::{is_same_file, same_content};
use super::manifest::{Record, read_manifest, write_manifest};
use super::{MARKER, Sink, manifest_path, remove_if_exists, staging_dir};

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
