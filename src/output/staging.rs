//! A build in progress: files land in a staging folder beside the output, which then replaces
//! the output in one atomic rename; or, where the output cannot be swapped, beside their
//! final names in the output, renamed over the old files once everything is written.

use std::fs;
use std::io::{self, ErrorKind};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result};
use rustc_hash::{FxHashMap, FxHashSet};

use super::file_stat::{FileStat, Folder};
use super::in_place::{is_same_file, same_content};
use super::job_cache::{DoneJobs, job_cache_path};
use super::listing::{
    Listed, Listing, after_swap, before_swap, folder_key, list, list_in_background, list_recorded,
    lists_safely_while_written, record, split, staged_folders_path,
};
use super::lock::OutputLock;
use super::manifest::{Record, read_manifest, write_manifest};
use super::{Keepable, MARKER, Sink, hidden_sibling, manifest_path, remove_if_exists, staging_dir};

/// The lock file's name when it has to live inside the output (see `lock.rs`).
const INNER_LOCK: &str = ".paperboy.lock";
/// Suffix of a page written in place, before it is renamed over the old one.
const NEW_SUFFIX: &str = ".paperboy-new";

/// How the new site replaces the old one.
enum Mode {
    /// Written to `staging`, then swapped with the output in one rename.
    Swap {
        staging: PathBuf,
        /// Whether the staging folder holds a previous site (else every file is new).
        reused: bool,
    },
    /// Written into the output under temporary names, renamed into place at the end; `why`
    /// is the note the build prints.
    InPlace { why: String },
}

/// A build in progress: pages land in a staging folder (or beside their final names, see
/// [`Mode`]); [`Staging::commit`] makes them the live site. Dropped without a commit (a
/// failed build), it removes what it staged.
pub struct Staging<'a> {
    out: PathBuf,
    mode: Mode,
    written: Mutex<Vec<(String, Record)>>,
    /// Pages written under a temporary name in the output, to rename at the commit.
    pending: Mutex<Vec<String>>,
    /// What the live site's files were when the previous build wrote them.
    previous: FxHashMap<String, Record>,
    /// The folder (relative) the last file was written to, known to exist: files come in
    /// path order, so a folder's files follow one another and this spares a `mkdir` per
    /// file. A set of every folder spared a few more, but held a string per paper (100 MB
    /// at a million papers) where each new paper's folder needs its `mkdir` anyway.
    last_dir: Mutex<Option<String>>,
    /// Whether there is a live site to compare with and link from.
    live: bool,
    /// The live site's folder and the folder pages are staged in (the staging folder, or
    /// the output itself when it is updated in place), to look files up from.
    live_dir: Folder,
    staged_dir: Folder,
    /// The staging folder's files and folders as they were before this build wrote there,
    /// listed on a thread of its own while pages render (see [`list_in_background`]).
    listing: Option<Listing>,
    /// The folders of the staging folder whose entries this build changed, by the hash of
    /// their path: their times cannot vouch for them in the next record (see `listing.rs`).
    /// A hash that two paths share only costs the other folder a read.
    touched: Mutex<FxHashSet<u64>>,
    /// The permission bits of a file this build creates, when a staged page that nothing
    /// live shares may be written over rather than replaced (see [`rewrite_unshared`]).
    write_over: Option<u32>,
    /// Set by a successful commit; otherwise dropping cleans up.
    done: bool,
    _lock: &'a OutputLock,
}

impl<'a> Staging<'a> {
    /// Prepares to write the output that `lock` holds. Refuses when it holds files that
    /// paperboy did not write, unless `force` is set.
    pub fn begin(lock: &'a OutputLock, force: bool) -> Result<Self> {
        Staging::begin_with(lock, force, None)
    }

    /// [`Staging::begin`] with what was read of the previous build already: the manifest
    /// beside the output, and a listing of the staging folder under way (see
    /// [`ReadAhead`](super::ReadAhead)).
    pub(crate) fn begin_with(lock: &'a OutputLock, force: bool, ahead: Option<Ahead>) -> Result<Self> {
        let Ahead { manifest, listing } = ahead.unwrap_or_default();
        let out = lock.output().to_path_buf();
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
        remove_leftover_old(&out);
        let live = out.is_dir();
        let mode = match live.then(|| is_mount_root(&out)).flatten() {
            Some(why) => in_place(&out, why)?,
            None => match stage_beside(&out)? {
                Some(mode) => mode,
                None => in_place(&out, format!("{}: its parent folder is read-only", out.display()))?,
            },
        };
        let previous = if live {
            manifest.unwrap_or_else(|| read_manifest(&manifest_path(&out)))
        } else {
            FxHashMap::default()
        };
        let listing = match &mode {
            Mode::Swap { staging, reused: true } if lists_safely_while_written(staging) => {
                listing.or_else(|| list_in_background(&out, staging.clone()))
            }
            // A listing of a folder this build does not reuse, or a walk not to be trusted
            // here: its thread only reads, and is left to finish.
            _ => None,
        };
        let staged_dir = Folder::open(match &mode {
            Mode::Swap { staging, .. } => staging,
            Mode::InPlace { .. } => &out,
        });
        let write_over = match &mode {
            Mode::Swap { staging, reused: true } => may_write_over(staging),
            _ => None,
        };
        Ok(Staging {
            previous,
            write_over,
            live_dir: Folder::open(&out),
            staged_dir,
            out,
            listing,
            touched: Mutex::new(FxHashSet::default()),
            mode,
            written: Mutex::new(Vec::new()),
            pending: Mutex::new(Vec::new()),
            last_dir: Mutex::new(None),
            live,
            done: false,
            _lock: lock,
        })
    }

    /// Removes what the previous site had and this one does not, then makes the new site the
    /// live one: in one atomic swap where the output allows it, else file by file. Returns
    /// notes for the user (why the update was not atomic).
    pub fn commit(self) -> Result<Vec<String>> {
        self.commit_with(exchange, None)
    }

    /// [`Staging::commit`], then records `cache` (what each job wrote, for `setup`) beside
    /// the new site, for the next build.
    pub fn commit_with_cache(self, cache: &DoneJobs, setup: u64) -> Result<Vec<String>> {
        self.commit_with(exchange, Some((cache, setup)))
    }

    /// [`Staging::commit`] with the swap as a parameter, so that tests can take the road of
    /// file systems without `RENAME_EXCHANGE`.
    fn commit_with(
        mut self,
        swap: fn(&Path, &Path) -> io::Result<()>,
        cache: Option<(&DoneJobs, u64)>,
    ) -> Result<Vec<String>> {
        // The swap renames both folders: from here on, files are looked up by name.
        self.live_dir.close();
        self.staged_dir.close();
        let mut records = std::mem::take(self.written.get_mut().expect("no writer panicked"));
        // Made only where stale files are looked for, and borrowed: a copy of every path was
        // 110 MB at a million papers, made when the build holds the most.
        let keep = || -> FxHashSet<&str> { records.iter().map(|(p, _)| p.as_str()).collect() };
        // Gone first: a build killed between the swap and the new manifest must not leave
        // the old one describing the new site (its checks would still catch most changes).
        let manifest = manifest_path(&self.out);
        let cache_file = job_cache_path(&self.out);
        remove_if_exists(&cache_file).with_context(|| format!("cannot remove {}", cache_file.display()))?;
        let mut touched = std::mem::take(self.touched.get_mut().expect("no writer panicked"));
        // What the swapped-in site's folders held, for the next build that stages it.
        let mut swapped_in = None;
        let notes = match &self.mode {
            Mode::Swap { staging, reused } => {
                // A fresh staging folder holds only what this build wrote: nothing is stale.
                let listed = if *reused {
                    let listed = match self.listing.take().and_then(|walk| walk.join().ok()?.ok()) {
                        Some(listed) => listed,
                        // Folder times vouch only on local file systems (see `listing.rs`).
                        None if lists_safely_while_written(staging) => {
                            list_recorded(staging, &staged_folders_path(&self.out))?
                        }
                        None => list(staging, None)?,
                    };
                    remove_listed(staging, &listed, &keep(), &mut touched)?;
                    listed
                } else {
                    Vec::new()
                };
                remove_if_exists(&manifest).with_context(|| format!("cannot remove {}", manifest.display()))?;
                if !self.out.exists() {
                    fs::rename(staging, &self.out)
                        .with_context(|| format!("cannot move the new site to {}", self.out.display()))?;
                    swapped_in = Some(listed);
                    Vec::new()
                } else if let Err(e) = swap_recorded(swap, staging, &self.out) {
                    move_in(staging, &self.out, &records)?;
                    remove_stale(&self.out, &keep())?;
                    vec![format!(
                        "{}: could not be swapped in one step ({}), so it was updated file by file — not atomic: a reader could briefly see old and new pages together",
                        self.out.display(),
                        swap_failure(&e)
                    )]
                } else {
                    swapped_in = Some(listed);
                    Vec::new()
                }
            }
            Mode::InPlace { why } => {
                let _ = remove_if_exists(&manifest);
                let pending = std::mem::take(self.pending.get_mut().expect("no writer panicked"));
                for path in &pending {
                    let target = self.out.join(path);
                    fs::rename(temporary(&target), &target).map_err(|e| cannot_write(&target, e))?;
                }
                remove_stale(&self.out, &keep())?;
                vec![format!(
                    "{why}, so it was updated in place: changed pages were written beside the old ones and renamed over them at the end — not atomic: a reader could briefly see old and new pages together"
                )]
            }
        };
        self.done = true;
        // Only a speed-up: a build without it reads the live files instead. The cache is
        // worth nothing without the manifest that vouches for its files.
        // Both at once: at 100,000 files each takes about 100 ms.
        let (wrote_manifest, wrote_cache) = rayon::join(
            || {
                let wrote = write_manifest(&manifest, &mut records).is_ok();
                // Also a speed-up only: without it the next build that stages this site
                // reads all its folders.
                if let Some(listed) = &swapped_in {
                    let _ = record(&self.out, &records, listed, &touched);
                }
                wrote
            },
            || cache.is_some_and(|(cache, setup)| cache.write(&self.out, setup).is_ok()),
        );
        if wrote_cache && !wrote_manifest {
            let _ = remove_if_exists(&cache_file);
        }
        Ok(notes)
    }
}

impl Drop for Staging<'_> {
    /// A build that did not commit removes what it staged: a build that failed on a full disk
    /// must not keep the disk full. The staging folder is only a cache of the previous site.
    fn drop(&mut self) {
        if let Some(walk) = self.listing.take() {
            let _ = walk.join();
        }
        if self.done {
            return;
        }
        match &self.mode {
            Mode::Swap { staging, .. } => {
                let _ = fs::remove_dir_all(staging);
            }
            Mode::InPlace { .. } => {
                for path in self.pending.get_mut().expect("no writer panicked").iter() {
                    let _ = fs::remove_file(temporary(&self.out.join(path)));
                }
            }
        }
    }
}

impl Staging<'_> {
    /// Where a changed page is written before the commit.
    fn target(&self, path: &str) -> PathBuf {
        match &self.mode {
            Mode::Swap { staging, .. } => staging.join(path),
            Mode::InPlace { .. } => temporary(&self.out.join(path)),
        }
    }

    /// Creates the folder of `path` (relative, `/`-separated) in `target`'s tree, unless the
    /// file before was written to it.
    fn ensure_parent(&self, path: &str, file: &Path) -> io::Result<()> {
        let (folder, _) = split(path);
        let mut last = self.last_dir.lock().expect("no writer panicked");
        if last.as_deref() != Some(folder) {
            let mut touched = self.touched.lock().expect("no writer panicked");
            make_folder(folder, file.parent().expect("output paths have a parent"), &mut touched)?;
            let known = last.get_or_insert_with(String::new);
            known.clear();
            known.push_str(folder);
        }
        Ok(())
    }

    /// Whether the live file at `path`, found as `meta`, already holds `bytes` (known from
    /// the manifest, or read back and compared).
    fn unchanged_live(&self, path: &str, meta: &FileStat, bytes: &[u8], hash: u64) -> bool {
        let known = self
            .previous
            .get(path)
            .filter(|r| r.len == bytes.len() as u64 && r.hash == hash);
        match known {
            Some(r) if r.matches(meta) => true,
            _ => same_content(&self.out.join(path), bytes),
        }
    }

    /// Makes room for the records of about `files` files: grown a doubling at a time, the
    /// list of what a million-paper build wrote was last doubled near the end of the build,
    /// briefly holding 170 MB for 60.
    pub fn expect_files(&self, files: usize) {
        let mut written = self.written.lock().expect("no writer panicked");
        let held = written.len();
        written.reserve(files.saturating_sub(held));
    }

    /// Whether the staged file at `path` is the file `live` describes (a link to it).
    fn staged_is(&self, path: &str, live: &FileStat) -> bool {
        self.staged_dir.stat(path).is_ok_and(|staged| staged.same_file(live))
    }

    fn record(&self, path: &str, hash: u64, len: usize, meta: &FileStat) {
        let mut written = self.written.lock().expect("no writer panicked");
        written.push((path.to_string(), Record::new(hash, len, meta)));
    }
}

impl Sink for Staging<'_> {
    fn can_keep(&self, path: &str) -> Option<Keepable> {
        let record = self.previous.get(path).filter(|_| self.live)?;
        // The staged file is what the swap makes live. When it is the very file recorded (a
        // file two builds left alone is one file linked into both folders), the live file
        // need not be looked at: one `stat` instead of two for nearly every kept file. A
        // staging folder made by this build holds no file yet.
        let staged = match self.mode {
            Mode::Swap { reused: true, .. } => self.staged_dir.stat(path).ok(),
            _ => None,
        };
        if let Some(staged) = staged.filter(|staged| record.is(staged)) {
            return Some(Keepable {
                hash: record.hash,
                meta: staged,
                in_place: true,
            });
        }
        let meta = self.live_dir.stat(path).ok()?;
        // Same length but another time: a copy that did not keep the times (`cp -r`), or
        // a file written again. Read it back: still cheaper than rendering, and the new
        // manifest records it as it is now.
        let same = record.matches(&meta)
            || (meta.is_file
                && meta.len == record.len
                && fs::read(self.out.join(path)).is_ok_and(|bytes| xxhash_rust::xxh3::xxh3_64(&bytes) == record.hash));
        if !same {
            return None;
        }
        // The staged file as found above: a link to the live one is already in place.
        let in_place = match self.mode {
            Mode::Swap { .. } => staged.is_some_and(|staged| staged.same_file(&meta)),
            Mode::InPlace { .. } => true,
        };
        Some(Keepable {
            hash: record.hash,
            meta,
            in_place,
        })
    }

    fn keep(&self, path: &str, found: Keepable) -> Result<()> {
        let live = self.out.join(path);
        let changed = || {
            anyhow::anyhow!(
                "{}: changed while the site was being built — build again",
                live.display()
            )
        };
        match self.mode {
            Mode::Swap { .. } if !found.in_place => {
                let target = self.target(path);
                let fail = |e| cannot_write(&target, e);
                remove_if_exists(&target).map_err(fail)?;
                self.ensure_parent(path, &target).map_err(fail)?;
                fs::hard_link(&live, &target).map_err(|e| match e.kind() {
                    ErrorKind::NotFound => changed(),
                    _ => fail(e),
                })?;
                // The file linked must be the one found unchanged, not one put there since.
                if !self.staged_is(path, &found.meta) {
                    return Err(changed());
                }
            }
            Mode::Swap { .. } => {}
            // Nothing to link: the file stays where it is, and must still be there.
            Mode::InPlace { .. } => {
                if !self.live_dir.stat(path).is_ok_and(|now| now.same_file(&found.meta)) {
                    return Err(changed());
                }
            }
        }
        self.record(path, found.hash, found.meta.len as usize, &found.meta);
        Ok(())
    }

    fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let target = self.target(path);
        let fail = |e| cannot_write(&target, e);
        let hash = xxhash_rust::xxh3::xxh3_64(bytes);
        // The live file, asked once: whether it already holds `bytes`, else whether the
        // staged file is a link to it.
        let live = self.live.then(|| self.live_dir.stat(path).ok()).flatten();
        let unchanged = live.filter(|meta| self.unchanged_live(path, meta, bytes, hash));
        if let Some(live_meta) = unchanged {
            if let Mode::Swap { .. } = self.mode {
                if !self.staged_is(path, &live_meta) {
                    remove_if_exists(&target).map_err(fail)?;
                    self.ensure_parent(path, &target).map_err(fail)?;
                    fs::hard_link(self.out.join(path), &target).map_err(fail)?;
                }
            }
            self.record(path, hash, bytes.len(), &live_meta);
            return Ok(());
        }
        if let Mode::Swap { reused: true, .. } = self.mode {
            // A staged link to the live file (the page did not change in the last build) is
            // known from one `stat`, as cheap as opening it would be.
            let shares_live = live.is_some_and(|live| self.staged_is(path, &live));
            let over = self.write_over.filter(|_| !shares_live);
            if let Some(meta) = over
                .map(|mode| rewrite_unshared(&target, bytes, mode))
                .transpose()
                .map_err(fail)?
                .flatten()
            {
                self.record(path, hash, bytes.len(), &meta);
                return Ok(());
            }
        }
        // Never write through a link that the live site shares: replace the file instead. A
        // new staging folder without a live site holds nothing to replace (a clean build's
        // 117,000 failed removals were a path walk each).
        if self.live || !matches!(self.mode, Mode::Swap { reused: false, .. }) {
            remove_if_exists(&target).map_err(fail)?;
        }
        self.ensure_parent(path, &target).map_err(fail)?;
        let mut file = fs::File::create(&target).map_err(fail)?;
        std::io::Write::write_all(&mut file, bytes).map_err(fail)?;
        self.record(path, hash, bytes.len(), &FileStat::of(&file.metadata().map_err(fail)?));
        if let Mode::InPlace { .. } = self.mode {
            self.pending.lock().expect("no writer panicked").push(path.to_string());
        }
        Ok(())
    }
}

/// Gives the staged file at `target` the content `bytes` where it is the only name of its
/// file (nothing live links to it: the version of two builds ago of a page that changed
/// since), a plain file of this user with the permissions a new file gets (`mode`), and
/// says what the file is then; `None` when there is no such file (it is then replaced).
/// Written over rather than replaced: a daily build changes many of the same pages every
/// day (the home page, the feeds, the newest tag and issue pages: about 170 files at
/// 100,000 papers), and a file removed and created anew costs a removal, a new inode and a
/// new folder entry. On ext4 without a journal a new inode is a search past every inode
/// freed in the last few minutes, about 150 µs a file when builds follow one another. A
/// file that already holds `bytes` is left as it is. Not followed through a symbolic link,
/// and a file that cannot be read is replaced.
fn rewrite_unshared(target: &Path, bytes: &[u8], mode: u32) -> io::Result<Option<FileStat>> {
    use std::io::Read as _;
    use std::os::unix::fs::{FileExt as _, MetadataExt as _, OpenOptionsExt as _};
    let opened = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(target);
    // Missing, a link, a folder, a file this user may not write: replaced instead.
    let Ok(mut file) = opened else {
        return Ok(None);
    };
    let Ok(meta) = file.metadata() else {
        return Ok(None);
    };
    let ours = meta.is_file()
        && meta.nlink() == 1
        && meta.mode() & 0o7777 == mode
        && meta.uid() == rustix::process::geteuid().as_raw();
    if !ours {
        return Ok(None);
    }
    if meta.len() == bytes.len() as u64 {
        let mut existing = Vec::with_capacity(bytes.len());
        match file.read_to_end(&mut existing) {
            Ok(_) if existing == bytes => return Ok(Some(FileStat::of(&meta))),
            Ok(_) => {}
            Err(_) => return Ok(None),
        }
    }
    file.write_all_at(bytes, 0)?;
    file.set_len(bytes.len() as u64)?;
    Ok(Some(FileStat::of(&file.metadata()?)))
}

/// How long a staging folder must have been out of the live site before its files are
/// written over: a reader that opened one while it was live (a slow download, a server's
/// cache of open files, nginx's for 60 s by default) must not see it change under it.
const WRITE_OVER_AFTER: std::time::Duration = std::time::Duration::from_secs(120);

/// The permissions a new file of this process gets, when the staging folder `staging` left
/// the live site long enough ago that its files may be written over (see
/// [`WRITE_OVER_AFTER`]); the swap that made it the staging folder renamed it, which set its
/// change time. `None` when either cannot be known.
fn may_write_over(staging: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt as _;
    let meta = fs::metadata(staging).ok()?;
    let swapped = std::time::UNIX_EPOCH + std::time::Duration::new(meta.ctime().try_into().ok()?, 0);
    std::time::SystemTime::now()
        .duration_since(swapped)
        .is_ok_and(|age| age >= WRITE_OVER_AFTER)
        .then(new_file_mode)
        .flatten()
}

/// The permissions a file created with the default mode gets: 0o666 less the umask, read
/// from `/proc` (setting the umask to learn it would race other threads' files).
fn new_file_mode() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let umask = status.lines().find_map(|line| line.strip_prefix("Umask:"))?;
    Some(0o666 & !u32::from_str_radix(umask.trim(), 8).ok()?)
}

/// The one-line error for a file that could not be written, saying what to do.
fn cannot_write(path: &Path, e: io::Error) -> anyhow::Error {
    let what = match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => {
            "no space left on the device — free some space and build again (what this build staged was removed)"
        }
        _ => "cannot write — check free space and permissions",
    };
    anyhow::Error::new(e).context(format!("{}: {what}", path.display()))
}

/// `swap`s the staging folder and the output, and their folders' records with them (see
/// `listing.rs`). The records are only a speed-up: failing to move one costs reads.
fn swap_recorded(swap: fn(&Path, &Path) -> io::Result<()>, staging: &Path, out: &Path) -> io::Result<()> {
    let _ = before_swap(out);
    let swapped = swap(staging, out);
    let _ = after_swap(out, swapped.is_ok());
    swapped
}

/// `RENAME_EXCHANGE`: the two folders trade places in one step.
fn exchange(staging: &Path, out: &Path) -> io::Result<()> {
    rustix::fs::renameat_with(
        rustix::fs::CWD,
        staging,
        rustix::fs::CWD,
        out,
        rustix::fs::RenameFlags::EXCHANGE,
    )
    .map_err(io::Error::from)
}

/// Why a swap failed, in words.
fn swap_failure(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => "this file system cannot exchange folders".into(),
        Some(libc::EBUSY) => "it is busy: a mount point?".into(),
        _ => e.to_string(),
    }
}

/// The staging folder beside `out`, or `None` when `out`'s parent cannot be written (then
/// the output is updated in place).
fn stage_beside(out: &Path) -> Result<Option<Mode>> {
    let staging = staging_dir(out);
    // An empty one is what a build killed right after creating it leaves behind.
    if staging.exists() && !staging.join(MARKER).exists() && !is_empty_dir(&staging)? {
        anyhow::bail!(
            "{}: exists but was not made by paperboy — move it away so the build can stage the site there",
            staging.display()
        );
    }
    let reused = staging.exists();
    match fs::create_dir_all(&staging) {
        Err(e) if out.is_dir() && matches!(e.kind(), ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem) => {
            return Ok(None);
        }
        other => other.with_context(|| {
            format!(
                "{}: cannot create the staging folder — check that its parent folder is writable",
                staging.display()
            )
        })?,
    }
    write_marker(&staging)?;
    Ok(Some(Mode::Swap { staging, reused }))
}

/// Updates `out` in place, saying `why`.
fn in_place(out: &Path, why: String) -> Result<Mode> {
    write_marker(out)?;
    Ok(Mode::InPlace { why })
}

/// Writes the marker unless it is already there as written. A build killed while writing
/// it leaves it empty in a staging folder that the next build reuses and publishes.
fn write_marker(dir: &Path) -> Result<()> {
    const TEXT: &[u8] = b"Written by paperboy, which replaces this folder on every build.\n";
    let marker = dir.join(MARKER);
    if fs::read(&marker).ok().as_deref() != Some(TEXT) {
        fs::write(&marker, TEXT).with_context(|| format!("{}: cannot write", marker.display()))?;
    }
    Ok(())
}

/// Why `out` cannot be renamed, when it is a mount point (a container volume): `rename`
/// fails on one with `EBUSY`.
fn is_mount_root(out: &Path) -> Option<String> {
    use rustix::fs::{AtFlags, StatxAttributes, StatxFlags};
    let statx = rustix::fs::statx(
        rustix::fs::CWD,
        out,
        AtFlags::NO_AUTOMOUNT | AtFlags::SYMLINK_NOFOLLOW,
        StatxFlags::empty(),
    );
    let mount_root = match statx {
        Ok(s) if s.stx_attributes_mask.contains(StatxAttributes::MOUNT_ROOT) => {
            s.stx_attributes.contains(StatxAttributes::MOUNT_ROOT)
        }
        // Older kernels: a mount point's device differs from its parent's.
        _ => {
            use std::os::unix::fs::MetadataExt;
            let dev = |p: &Path| fs::metadata(p).map(|m| m.dev()).ok();
            out.parent().is_some_and(|p| dev(p) != dev(out))
        }
    };
    mount_root.then(|| format!("{}: is a mount point", out.display()))
}

/// A page's temporary name in the output: hidden, beside its final name.
fn temporary(target: &Path) -> PathBuf {
    let name = target.file_name().expect("a file").to_string_lossy();
    target.with_file_name(format!(".{name}{NEW_SUFFIX}"))
}

/// `.public.old`, which builds before the in-place road kept between two renames, and
/// never removed when killed there.
fn remove_leftover_old(out: &Path) {
    let old = hidden_sibling(out, "old");
    if old.join(MARKER).exists() {
        let _ = fs::remove_dir_all(&old);
    }
}

/// Moves every page that differs from the live one from `staging` into `out`, each with one
/// rename (a copy when they are on different file systems): `out` never goes missing.
fn move_in(staging: &Path, out: &Path, records: &[(String, Record)]) -> Result<()> {
    for (path, _) in records {
        let (from, to) = (staging.join(path), out.join(path));
        let meta = FileStat::at(&from).with_context(|| format!("cannot read {}", from.display()))?;
        if is_same_file(&meta, &to) {
            continue;
        }
        let fail = |e| cannot_write(&to, e);
        fs::create_dir_all(to.parent().expect("output paths have a parent")).map_err(fail)?;
        if let Err(e) = fs::rename(&from, &to) {
            if e.raw_os_error() != Some(libc::EXDEV) {
                return Err(fail(e));
            }
            let tmp = temporary(&to);
            fs::copy(&from, &tmp).map_err(fail)?;
            fs::rename(&tmp, &to).map_err(fail)?;
        }
    }
    Ok(())
}

fn is_empty_dir(dir: &Path) -> Result<bool> {
    Ok(fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .next()
        .is_none())
}

/// What [`Staging::begin_with`] can be given of the previous build, read ahead.
#[derive(Default)]
pub(crate) struct Ahead {
    /// The manifest beside the output.
    pub(crate) manifest: Option<FxHashMap<String, Record>>,
    /// The staging folder being listed (see [`list_ahead`]).
    pub(crate) listing: Option<Listing>,
}

/// Deletes files (and then empty folders) under `root` that this build did not produce,
/// pages left under a temporary name by a killed build included.
fn remove_stale(root: &Path, keep: &FxHashSet<&str>) -> Result<()> {
    remove_listed(root, &list(root, None)?, keep, &mut FxHashSet::default())
}

/// Creates folder `abs` (relative to the site: `rel`) and the missing folders above it,
/// noting in `touched` the folder (a file goes into it) and each folder that gains one.
fn make_folder(rel: &str, abs: &Path, touched: &mut FxHashSet<u64>) -> io::Result<()> {
    touched.insert(folder_key(rel.as_bytes()));
    let created = match fs::create_dir(abs) {
        Ok(()) => true,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => false,
        Err(e) if e.kind() == ErrorKind::NotFound && !rel.is_empty() => {
            let up = abs.parent().expect("a folder under the root has a parent");
            make_folder(split(rel).0, up, touched)?;
            match fs::create_dir(abs) {
                Err(e) if e.kind() != ErrorKind::AlreadyExists => return Err(e),
                _ => true,
            }
        }
        Err(e) => return Err(e),
    };
    if created && !rel.is_empty() {
        touched.insert(folder_key(split(rel).0.as_bytes()));
    }
    Ok(())
}

/// The folder of relative path `rel`, as bytes ("" at the top).
fn parent_of(rel: &Path) -> &[u8] {
    rel.parent().map_or(&[][..], |p| p.as_os_str().as_bytes())
}

/// [`remove_stale`] over a listing of `root` (see [`list`]): deletes the listed files that
/// this build did not produce, then the listed folders left holding nothing. Only folders
/// that hold nothing this build kept are tried for removal (a site of 100,000 papers has as
/// many folders, nearly all still full): one flag per depth says whether the folder being
/// finished keeps something, and a folder filled since the listing refuses to be removed,
/// as it should.
fn remove_listed(root: &Path, listed: &[Listed], keep: &FxHashSet<&str>, touched: &mut FxHashSet<u64>) -> Result<()> {
    let mut holds = vec![false];
    for entry in listed {
        if holds.len() <= entry.depth {
            holds.resize(entry.depth + 1, false);
        }
        let produced = |rel: &str| rel == MARKER || rel == INNER_LOCK || keep.contains(rel);
        let stays = if entry.dir {
            let keeps = std::mem::take(&mut holds[entry.depth]);
            let stays = keeps || fs::remove_dir(root.join(&entry.rel)).is_err();
            if !stays {
                touched.insert(folder_key(entry.rel.as_os_str().as_bytes()));
                touched.insert(folder_key(parent_of(&entry.rel)));
            } else if !keeps {
                // Not removed (not writable, a mount point, filled since): no folder above
                // it may be recorded without it, or it would never be listed again.
                for folder in entry.rel.ancestors() {
                    touched.insert(folder_key(folder.as_os_str().as_bytes()));
                }
            }
            stays
        } else if !entry.rel.to_str().is_some_and(produced) {
            let path = root.join(&entry.rel);
            touched.insert(folder_key(parent_of(&entry.rel)));
            remove_if_exists(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            false
        } else {
            true
        };
        if stays {
            holds[entry.depth - 1] = true;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Holder;
    use crate::output::listing::vouched_live_folders;

    fn build(out: &Path, files: &[(&str, &str)], swap: fn(&Path, &Path) -> io::Result<()>) -> Vec<String> {
        let lock = OutputLock::acquire(out, Holder::Build, &|_| {}).unwrap();
        let staging = Staging::begin(&lock, false).unwrap();
        for (path, text) in files {
            staging.put(path, text.as_bytes()).unwrap();
        }
        staging.commit_with(swap, None).unwrap()
    }

    /// [`build`], as long after the last swap as writing over staged files asks.
    fn build_later(out: &Path, files: &[(&str, &str)]) {
        let lock = OutputLock::acquire(out, Holder::Build, &|_| {}).unwrap();
        let mut staging = Staging::begin(&lock, false).unwrap();
        if let Mode::Swap { reused: true, .. } = staging.mode {
            staging.write_over = new_file_mode();
        }
        for (path, text) in files {
            staging.put(path, text.as_bytes()).unwrap();
        }
        staging.commit_with(exchange, None).unwrap();
    }

    fn no_exchange(_: &Path, _: &Path) -> io::Result<()> {
        Err(io::Error::from_raw_os_error(libc::EINVAL))
    }

    /// A page that changes build after build is written over its version of two builds ago
    /// in the staging folder (no new file), but not right after the swap that took it out
    /// of the live site, and never where a staged file is a link to the live one or is not
    /// a plain file: the live site never changes under its readers.
    #[test]
    fn a_staged_file_is_written_over_only_where_nothing_live_shares_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staged = staging_dir(&out);
        let read = |file: &fs::File| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut &*file, &mut text).unwrap();
            text
        };
        build(&out, &[("a.html", "one"), ("b.html", "same")], exchange);
        build(&out, &[("a.html", "two"), ("b.html", "same")], exchange);
        // Right after a swap, the staging folder's own a.html is replaced, not written over.
        let old_a = fs::File::open(staged.join("a.html")).unwrap();
        build(&out, &[("a.html", "three"), ("b.html", "same")], exchange);
        assert_eq!(read(&old_a), "one", "replaced: a reader of the old site may hold it");
        // Later, the staging folder's own a.html ("two", no longer live) is written over.
        let old_a = fs::File::open(staged.join("a.html")).unwrap();
        let live_a = fs::File::open(out.join("a.html")).unwrap();
        build_later(&out, &[("a.html", "four!"), ("b.html", "same")]);
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "four!");
        assert_eq!(read(&old_a), "four!", "written over, not made anew");
        assert_eq!(read(&live_a), "three", "the page that was live is untouched");
        // b.html is one file linked into both folders: a change must not write through.
        let live_b = out.join("b.html");
        let held = fs::File::open(&live_b).unwrap();
        build_later(&out, &[("a.html", "four!"), ("b.html", "new")]);
        assert_eq!(fs::read_to_string(&live_b).unwrap(), "new");
        assert_eq!(read(&held), "same", "the live file was replaced, not written through");
        // A staged symbolic link is replaced, not followed to the file it names.
        let elsewhere = dir.path().join("elsewhere.html");
        fs::write(&elsewhere, "outside").unwrap();
        fs::remove_file(staged.join("a.html")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, staged.join("a.html")).unwrap();
        build_later(&out, &[("a.html", "5"), ("b.html", "new")]);
        assert_eq!(fs::read_to_string(&elsewhere).unwrap(), "outside");
        assert!(
            !fs::symlink_metadata(out.join("a.html"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // Shorter content leaves no tail of the longer one.
        build_later(&out, &[("a.html", "6"), ("b.html", "new")]);
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "6");
    }

    /// A reused staging folder holds the site of two builds ago: what this build does not
    /// produce goes, folders and all, whether the background listing or the commit's own
    /// walk finds it.
    #[test]
    fn stale_files_of_a_reused_staging_folder_are_removed_with_their_folders() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let files = |root: &Path| -> Vec<String> {
            let mut v: Vec<String> = walkdir::WalkDir::new(root)
                .min_depth(1)
                .into_iter()
                .map(|e| {
                    e.unwrap()
                        .path()
                        .strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            v.sort();
            v
        };
        build(
            &out,
            &[("a.html", "1"), ("b/c/d.html", "x"), ("keep/k.html", "k")],
            exchange,
        );
        build(&out, &[("a.html", "2"), ("keep/k.html", "k")], exchange);
        build(
            &out,
            &[("a.html", "3"), ("e/f.html", "y"), ("keep/k.html", "k")],
            exchange,
        );
        assert_eq!(
            files(&out),
            [MARKER, "a.html", "e", "e/f.html", "keep", "keep/k.html"],
            "the site of two builds ago, cleaned"
        );
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "3");
    }

    /// Sets every folder under `dir` (and `dir`) an hour back, as the day between two
    /// daily builds does: a time that recent changes have not just set has settled.
    fn age_folders(dir: &Path) {
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for entry in walkdir::WalkDir::new(dir) {
            let entry = entry.unwrap();
            if entry.file_type().is_dir() {
                fs::File::open(entry.path()).unwrap().set_modified(hour_ago).unwrap();
            }
        }
    }

    fn modified(path: &Path) -> std::time::SystemTime {
        fs::metadata(path).unwrap().modified().unwrap()
    }

    /// The record beside the output vouches for a staged folder by its time: a folder that
    /// something wrote into while it was live is read again and cleaned; a folder whose
    /// time stands is not read (only a time set back by hand could hide an entry, which
    /// this test does to show it); and a folder a build changed is not vouched for next.
    #[test]
    fn a_staged_folder_is_read_again_only_when_its_time_changed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staged = dir.path().join(".public.staging");
        let site = [("a/x.html", "x"), ("b/y.html", "y"), ("c/z.html", "z")];
        build(&out, &site, exchange);
        build(&out, &site, exchange);
        // Each of the two folders is listed once with settled times, and recorded.
        age_folders(&staged);
        build(&out, &site, exchange);
        age_folders(&staged);
        build(&out, &site, exchange);
        assert_eq!(vouched_live_folders(&out), ["a", "b", "c"]);
        // The staging folder holds the site recorded two builds ago. Other tools wrote
        // into it while it was live:
        fs::write(staged.join("b/y.html.gz"), "gz").unwrap();
        let time = modified(&staged.join("c"));
        fs::write(staged.join("c/z.html.gz"), "gz").unwrap();
        fs::File::open(staged.join("c")).unwrap().set_modified(time).unwrap();
        build(
            &out,
            &[("a/x.html", "x2"), ("b/y.html", "y"), ("c/z.html", "z")],
            exchange,
        );
        assert!(!out.join("b/y.html.gz").exists(), "a folder whose time changed is read");
        assert!(
            out.join("c/z.html.gz").exists(),
            "a folder whose time stands is taken from the record, unread"
        );
        assert_eq!(fs::read_to_string(out.join("a/x.html")).unwrap(), "x2");
        assert_eq!(
            vouched_live_folders(&out),
            ["c"],
            "folders this build wrote into or cleaned are not vouched for"
        );
    }

    /// A stale folder that cannot be removed (here: it holds what the listing missed)
    /// stays, and so must its entry in every folder above it: none of them is recorded, so
    /// the next build that stages the site reads them again.
    #[test]
    fn a_stale_folder_that_stays_keeps_the_folders_above_it_unrecorded() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/g")).unwrap();
        fs::write(dir.path().join("a/g/unlisted"), "x").unwrap();
        let folder = |rel: &str, depth| Listed {
            rel: PathBuf::from(rel),
            depth,
            dir: true,
            settled_ns: Some(1),
        };
        let mut touched = FxHashSet::default();
        remove_listed(
            dir.path(),
            &[folder("a/g", 2), folder("a", 1)],
            &FxHashSet::default(),
            &mut touched,
        )
        .unwrap();
        assert!(dir.path().join("a/g").is_dir());
        for rel in ["a/g", "a", ""] {
            assert!(touched.contains(&folder_key(rel.as_bytes())), "{rel:?} is not recorded");
        }
    }

    /// File systems without `RENAME_EXCHANGE` used to take two renames, with no output at
    /// all between them, and a `.public.old` that a kill there left forever.
    #[test]
    fn without_rename_exchange_the_output_is_updated_in_place_and_never_missing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        build(
            &out,
            &[("index.html", "old"), ("a/gone.html", "gone"), ("same.css", "s")],
            exchange,
        );
        let same_inode = |p: &str| std::os::unix::fs::MetadataExt::ino(&fs::metadata(out.join(p)).unwrap());
        let before = same_inode("same.css");
        fs::create_dir(dir.path().join(".public.old")).unwrap();
        fs::write(dir.path().join(".public.old").join(MARKER), "").unwrap();
        let notes = build(
            &out,
            &[("index.html", "new"), ("b/added.html", "added"), ("same.css", "s")],
            no_exchange,
        );
        assert!(
            notes[0].contains("cannot exchange folders") && notes[0].contains("not atomic"),
            "{notes:?}"
        );
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert_eq!(fs::read_to_string(out.join("b/added.html")).unwrap(), "added");
        assert!(!out.join("a").exists(), "stale pages and their folders are removed");
        assert_eq!(same_inode("same.css"), before, "unchanged files are not touched");
        assert!(
            !dir.path().join(".public.old").exists(),
            "the old road's leftovers are cleaned up"
        );
        // The next build, with the swap back, starts from that state.
        build(&out, &[("index.html", "newer"), ("same.css", "s")], exchange);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "newer");
        assert!(!out.join("b").exists());
    }

    /// A build killed between creating the marker and writing it left it empty; the next
    /// build reused that staging folder and published the empty marker.
    #[test]
    fn a_reused_staging_folder_gets_its_marker_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        build(&out, &[("index.html", "old")], exchange);
        let staging = dir.path().join(".public.staging");
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join(MARKER), "").unwrap();
        build(&out, &[("index.html", "new")], exchange);
        let marker = fs::read_to_string(out.join(MARKER)).unwrap();
        assert!(marker.starts_with("Written by paperboy"), "{marker:?}");
    }

    #[test]
    fn a_build_that_does_not_commit_removes_what_it_staged() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        build(&out, &[("index.html", "old")], exchange);
        let lock = OutputLock::acquire(&out, Holder::Build, &|_| {}).unwrap();
        let staging = Staging::begin(&lock, false).unwrap();
        staging.put("big.html", "x".repeat(10_000).as_bytes()).unwrap();
        drop(staging);
        assert!(!dir.path().join(".public.staging").exists());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
    }
}
