//! Writing the site. Pages go to a staging folder beside the output, which then replaces the
//! output in one atomic rename, so a failed or killed build never leaves a half site.
//!
//! One writer at a time: an [`OutputLock`] beside the output. An output that is a symlink
//! (a web root elsewhere) is staged and swapped where the link points, and the link stays.
//! An output that cannot be swapped (a mount point, a folder whose parent is read-only, a
//! file system without `RENAME_EXCHANGE`) is updated in place: changed files are written
//! under temporary names first and renamed over the old ones only once every page rendered,
//! so only that last step is not atomic, and the build says so. A failed build removes what
//! it staged, so a full disk is left as it was found.
//!
//! The staging folder is kept between builds (it holds the previous site after the swap) and
//! updated in place: a page whose bytes equal the live one is hard-linked from it (keeping
//! its modification time, so `rsync`-style deploys skip it), a page the staging folder already
//! holds is left alone, and only changed pages are written. Files are never written through
//! a hard link, so the live site is never touched before the swap. Stale files of the
//! staging folder are found by listing it, where a record of its folders' times spares
//! reading the folders that nothing changed since (`listing.rs`).
//!
//! A manifest beside the output (`.public.manifest`) records each file's hash, length,
//! modification time and inode: a page whose hash matches and whose live file still has that
//! length and time (`rsync`'s quick check, which also holds for an output a CI cache restored
//! from a tar) is known unchanged without reading it back (at 100,000 papers that is 1.3 GB
//! not read on a rebuild that changes nothing). A staged file that is the very file recorded
//! (the same inode too: a link to it) vouches for itself, and the live one is not looked at.
//! A build cache beside it (`.public.jobs`, see `job_cache.rs`) records each job's
//! fingerprint, so that a build in a new process does not even render the pages whose
//! inputs did not change.

mod file_stat;
mod in_place;
mod job_cache;
mod listing;
mod lock;
mod manifest;
mod memory;
mod read_ahead;
mod side_file;
mod spill;
mod staging;

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

pub use in_place::{InPlace, same_content};
pub use job_cache::{DoneJobs, JobCache, JobFiles, Read as CacheRead, job_cache_path};
pub use lock::{Holder, OutputLock};
pub use memory::Memory;
pub use read_ahead::ReadAhead;
pub use side_file::SideFile;
pub use spill::Spill;
pub use staging::Staging;

/// Where rendered files go: a staging folder or the live output. Implementations must be
/// thread-safe: pages render in parallel.
pub trait Sink: Sync {
    /// Stores one output file; `path` is relative to the output root, `/`-separated.
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()>;

    /// The live file at `path` when it is still exactly what the previous build wrote
    /// there (or a staged file that is, which the new site takes instead), so that a job
    /// whose inputs did not change can keep it instead of rendering it again. Sinks without
    /// a previous build keep nothing. Called from the threads that render, so that the one
    /// writer thread does not look at every kept file again.
    fn can_keep(&self, _path: &str) -> Option<Keepable> {
        None
    }

    /// Keeps the live file at `path` in the new site, as [`Sink::can_keep`] found it.
    fn keep(&self, path: &str, _found: Keepable) -> Result<()> {
        anyhow::bail!("{path}: this output cannot keep files from a previous build")
    }
}

/// A live file that a job can keep, as [`Sink::can_keep`] found it: what the writer needs
/// to keep it without asking the file system again (a daily build keeps 100,000 files).
#[derive(Debug)]
pub struct Keepable {
    /// The file's hash, as the previous build recorded it.
    hash: u64,
    /// What it was when it was found unchanged.
    meta: file_stat::FileStat,
    /// Whether it is already where the new site needs it: the staging folder holds the
    /// recorded file (most often a link to the live one), or the output is updated in place.
    in_place: bool,
}

/// Marks a folder as written by paperboy, so that a folder of someone else's files is never
/// replaced by mistake.
pub const MARKER: &str = ".paperboy-output";

/// The manifest of an output folder: a hidden sibling, outside the site, so that the site's
/// bytes stay the same whatever folder it is built in.
pub fn manifest_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "manifest")
}

/// The parse cache of an output folder (see `content/cache.rs`): a hidden sibling, like the
/// manifest, kept with it between builds.
pub fn parse_cache_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "parsed")
}

/// The topic strengths of the last build (see `enrich/tagging/stored.rs`), a [`SideFile`]:
/// a hidden sibling like the parse cache, and like it only a speed-up.
pub fn topics_cache_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "topics")
}

/// The words of the last build (see `enrich/stored_words.rs`), a [`SideFile`] like the
/// topic strengths.
pub fn words_cache_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "words")
}

/// The sealed papers' words of the last build (see `enrich/stored_words.rs`), a
/// [`SideFile`] like the topic strengths.
pub fn sealed_words_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "sealed-words")
}

/// The settled papers' related lists of the last build (see `enrich/stored_related.rs`), a
/// [`SideFile`] like the topic strengths.
pub fn related_cache_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "related")
}

/// The search index's sealed segment of the last build (see `render/search_sealed.rs`), a
/// [`SideFile`] like the topic strengths.
pub fn sealed_search_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "sealed")
}

/// `.NAME.SUFFIX` beside the output folder `NAME`.
pub(crate) fn hidden_sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    out.with_file_name(format!(".{name}.{suffix}"))
}

/// The staging folder that belongs to an output folder: a hidden sibling, on the same file
/// system so that the swap is a rename.
pub fn staging_dir(out: &Path) -> PathBuf {
    hidden_sibling(out, "staging")
}

/// The folder an output path names, following symlinks: a `public` that links to a web root
/// is built beside the web root and swapped there, so the link keeps pointing at the live site
/// (replacing the link with a folder would leave the web root stale). Absolute, with the
/// parent's links resolved too, so that sibling names (staging, manifest, lock) are stable.
pub fn resolve_output(out: &Path) -> Result<PathBuf> {
    let mut path = std::path::absolute(out).with_context(|| format!("{}: not a usable path", out.display()))?;
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target =
                    fs::read_link(&path).with_context(|| format!("cannot read the link {}", path.display()))?;
                path = path.parent().map_or_else(|| target.clone(), |p| p.join(&target));
            }
            _ => return Ok(real_parent(path)),
        }
    }
    anyhow::bail!(
        "{}: too many levels of symbolic links — point --output at a folder",
        out.display()
    )
}

/// `path` with its parent's links and `..` resolved where the parent exists.
fn real_parent(path: PathBuf) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    match (path.parent().and_then(|p| p.canonicalize().ok()), path.file_name()) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => path,
    }
}

pub(crate) fn remove_if_exists(path: &Path) -> std::io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
