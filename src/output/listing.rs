//! Listing the staging folder that a build reuses. The folder holds the site of two builds
//! ago plus whatever was put into it while it was live (pages saved by hand, `gzip -k`
//! copies, Pagefind's index): the commit removes every entry the new site does not hold, so
//! it needs all of them. Walking the 100,000 folders of a 100,000-paper site took about a
//! second of system time, most of a daily build's cost on two cores.
//!
//! `.public.folders` turns most of that walk into one `stat` per folder. When a build swaps
//! its staging folder in, it records, for each folder this build neither wrote into nor
//! removed from, the folder's modification time as the listing saw it and the entries the
//! folder holds. At the next swap that record becomes `.public.staged-folders`, the record
//! of the staging folder. Adding, removing or renaming an entry sets a folder's time,
//! whoever does it, so when that site is staged again (two builds later) a folder whose time
//! is still the recorded one holds exactly the recorded entries and is not read; any other
//! folder is read as before. A file rewritten in place keeps its folder's time, but every
//! staged file a build keeps is checked on its own (`staging.rs`).
//!
//! A time vouches only once it has settled: a file system's clock moves in steps of a few
//! milliseconds, so an entry added in the step that set the recorded time would not change
//! it. Folders changed in the two seconds before the listing are recorded without a time.
//! The file is checked only for damage: each folder proves itself against the disk, so a
//! stale or swapped record (a killed build, an older paperboy run in between, a CI cache
//! restored from a tar, which keeps the times) costs a read of the folders it got wrong,
//! never a stale page published. Only a tool that puts entries into a folder and then sets
//! the folder's time back to the recorded nanosecond could hide them.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write as _};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, Result};
use rustc_hash::{FxHashMap, FxHashSet};
use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags};

use super::manifest::Record;
use super::{MARKER, hidden_sibling, staging_dir};
use crate::le_bytes::{self, Reader};

/// The first bytes of `.public.folders`, with its version.
const MAGIC: &[u8] = b"paperboy folders 1\n";

/// How long a folder's time must have stood before the listing for it to vouch for the
/// folder's entries (see the module documentation).
const SETTLE: Duration = Duration::from_secs(2);

/// `.public.folders`, the record of the live folder, beside output folder `out`.
pub(crate) fn folders_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "folders")
}

/// `.public.staged-folders`, the record of the staging folder, beside output folder `out`.
pub(crate) fn staged_folders_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "staged-folders")
}

/// `.public.swapping-folders`: the live folder's record, set aside during a swap.
fn swapping_folders_path(out: &Path) -> PathBuf {
    hidden_sibling(out, "swapping-folders")
}

/// Before a swap: the staging folder's record goes (that folder, changed by this build,
/// is about to go live and gets a new one), and the live folder's is set aside, to become
/// the staging folder's once the folders have traded places ([`after_swap`]). A build
/// killed in between leaves no record describing the other folder, only one set aside,
/// which the next swap replaces.
pub(crate) fn before_swap(out: &Path) -> io::Result<()> {
    super::remove_if_exists(&staged_folders_path(out))?;
    match fs::rename(folders_path(out), swapping_folders_path(out)) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => super::remove_if_exists(&swapping_folders_path(out)),
        other => other,
    }
}

/// After a swap (`swapped`) the record set aside is the staging folder's; after a failed
/// one it is the live folder's again.
pub(crate) fn after_swap(out: &Path, swapped: bool) -> io::Result<()> {
    let to = if swapped {
        staged_folders_path(out)
    } else {
        folders_path(out)
    };
    match fs::rename(swapping_folders_path(out), to) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// A file or folder of a staging folder, relative to it, as a listing found it.
pub(crate) struct Listed {
    /// Relative path; not always UTF-8 (such a name is never one this build produced).
    pub(crate) rel: PathBuf,
    pub(crate) depth: usize,
    pub(crate) dir: bool,
    /// A folder's modification time when its entries were listed (or found recorded),
    /// once settled: the time the next record may vouch with.
    pub(crate) settled_ns: Option<u64>,
}

/// A listing of the staging folder under way on a thread of its own.
pub(crate) type Listing = std::thread::JoinHandle<Result<Vec<Listed>>>;

/// Lists staging folder `staging` of output `out` on a thread of its own, so that the
/// commit knows its stale files without listing the folder then. What the build writes
/// meanwhile is in its own list of files, so an entry the listing sees or misses either way
/// stays. No thread when one cannot be started (the commit then lists the folder itself).
pub(crate) fn list_in_background(out: &Path, staging: PathBuf) -> Option<Listing> {
    let record = staged_folders_path(out);
    std::thread::Builder::new()
        .name("staging listing".into())
        .spawn(move || list_recorded(&staging, &record))
        .ok()
}

/// Starts listing the staging folder of `out` on a thread of its own when a build will
/// reuse it ([`Staging::begin`](super::Staging::begin) reuses a staging folder that
/// paperboy made), before the build loads its content: a build that renders few pages
/// otherwise waited for the listing at the commit.
pub(crate) fn list_ahead(out: &Path) -> Option<Listing> {
    let staging = staging_dir(out);
    (out.is_dir() && staging.join(MARKER).is_file() && lists_safely_while_written(&staging))
        .then(|| list_in_background(out, staging))
        .flatten()
}

/// Whether a folder's file system lists every entry that existed before a listing and was
/// not touched during it exactly once, while other entries of the same folders are created
/// and removed, and keeps folder times as changes set them: local file systems do (POSIX
/// `readdir`); NFS and some FUSE file systems can skip entries then (and a skipped stale
/// page would be published), an NFS client serves folder times from a cache, and some FUSE
/// file systems do not keep them. Elsewhere the commit reads every folder itself, after the
/// writer is done.
pub(crate) fn lists_safely_while_written(dir: &Path) -> bool {
    const LOCAL: [i64; 8] = [
        0xEF53,      // ext2, ext3, ext4
        0x0102_1994, // tmpfs
        0x5846_5342, // xfs
        0x9123_683E, // btrfs
        0xF2F5_2010, // f2fs
        0x2FC1_2FC1, // zfs
        0x794C_7630, // overlayfs (containers)
        0x8584_58F6, // ramfs
    ];
    // `f_type` is an i64 on x86-64 Linux but narrower elsewhere.
    #[allow(clippy::useless_conversion)]
    rustix::fs::statfs(dir).is_ok_and(|fs| LOCAL.contains(&i64::from(fs.f_type)))
}

/// Every file and folder under `staging`, each folder after its contents, reading only the
/// folders that `record` cannot vouch for.
pub(crate) fn list_recorded(staging: &Path, record: &Path) -> Result<Vec<Listed>> {
    let bytes = fs::read(record).unwrap_or_default();
    let table = le_bytes::checked(&bytes, MAGIC, "").ok().and_then(Table::parse);
    list(staging, table.as_ref())
}

/// Every file and folder under `root`, relative to it, each folder after its contents;
/// folders that `table` vouches for are not read.
pub(crate) fn list(root: &Path, table: Option<&Table<'_>>) -> Result<Vec<Listed>> {
    let fd = rustix::fs::open(
        root,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io::Error::from)
    .with_context(|| format!("cannot list {}", root.display()))?;
    let settled_before = SystemTime::now()
        .checked_sub(SETTLE)
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    let mut walk = Walk {
        root: &fd,
        table,
        settled_before,
        listed: Vec::new(),
    };
    walk.folder(&mut Vec::new(), 0, None)
        .with_context(|| format!("cannot list {}", root.display()))?;
    Ok(walk.listed)
}

/// What a listing found where it looked for a folder: a name listed as a folder can be
/// gone, or something else, by the time it is opened.
enum Found {
    /// A folder, listed, with its settled time.
    Folder(Option<u64>),
    Gone,
    NotAFolder,
}

/// One listing in progress.
struct Walk<'a, 't> {
    root: &'a OwnedFd,
    table: Option<&'a Table<'t>>,
    settled_before: u64,
    listed: Vec<Listed>,
}

impl Walk<'_, '_> {
    /// Lists the folder at `rel` (empty for the root; `recorded` is its time, when found
    /// vouched for) and everything under it; returns its settled time.
    fn folder(&mut self, rel: &mut Vec<u8>, depth: usize, recorded: Option<u64>) -> io::Result<Found> {
        let Some((_, table)) = recorded.zip(self.table) else {
            return self.read_folder(rel, depth);
        };
        let key = std::str::from_utf8(rel).expect("recorded paths are UTF-8");
        let entries = table.folders[key].1.iter().map(|&(n, d)| (n.as_bytes(), d));
        self.children(rel, depth, entries)?;
        Ok(Found::Folder(recorded.filter(|&t| t <= self.settled_before)))
    }

    /// Reads the folder at `rel` from the disk and lists what it holds.
    fn read_folder(&mut self, rel: &mut Vec<u8>, depth: usize) -> io::Result<Found> {
        let at = if rel.is_empty() {
            OsStr::new(".")
        } else {
            OsStr::from_bytes(rel)
        };
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NOFOLLOW;
        let fd = match rustix::fs::openat(self.root, at, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => return Ok(Found::Gone),
            Err(rustix::io::Errno::NOTDIR) => return Ok(Found::NotAFolder),
            Err(e) => return Err(e.into()),
        };
        // The time before the entries: an entry added after it changes the time again.
        let time = mtime_ns(&rustix::fs::fstat(&fd)?);
        let mut entries = Vec::new();
        for entry in Dir::read_from(&fd)? {
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let dir = match entry.file_type() {
                FileType::Unknown => rustix::fs::statat(&fd, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW)
                    .is_ok_and(|s| FileType::from_raw_mode(s.st_mode) == FileType::Directory),
                kind => kind == FileType::Directory,
            };
            entries.push((name.to_vec(), dir));
        }
        drop(fd);
        self.children(rel, depth, entries)?;
        Ok(Found::Folder(Some(time).filter(|&t| t <= self.settled_before)))
    }

    /// Lists `entries` of the folder at `rel`: files as they are, folders after their own
    /// contents.
    fn children<N: AsRef<[u8]>>(
        &mut self,
        rel: &mut Vec<u8>,
        depth: usize,
        entries: impl IntoIterator<Item = (N, bool)>,
    ) -> io::Result<()> {
        let base = rel.len();
        for (name, dir) in entries {
            if base > 0 {
                rel.push(b'/');
            }
            rel.extend_from_slice(name.as_ref());
            let (dir, settled_ns) = if dir {
                let recorded = self.vouched(rel);
                match self.folder(rel, depth + 1, recorded)? {
                    Found::Folder(time) => (true, time),
                    Found::NotAFolder => (false, None),
                    Found::Gone => {
                        rel.truncate(base);
                        continue;
                    }
                }
            } else {
                (false, None)
            };
            self.listed.push(Listed {
                rel: PathBuf::from(OsStr::from_bytes(rel)),
                depth: depth + 1,
                dir,
                settled_ns,
            });
            rel.truncate(base);
        }
        Ok(())
    }

    /// The recorded time of the folder at `rel`, when the folder still has it.
    fn vouched(&self, rel: &[u8]) -> Option<u64> {
        let key = std::str::from_utf8(rel).ok()?;
        let recorded = self.table?.folders.get(key)?.0;
        let now = rustix::fs::statat(self.root, OsStr::from_bytes(rel), AtFlags::SYMLINK_NOFOLLOW).ok()?;
        (FileType::from_raw_mode(now.st_mode) == FileType::Directory && mtime_ns(&now) == recorded).then_some(recorded)
    }
}

/// A folder's modification time in nanoseconds, as the record keeps it.
fn mtime_ns(stat: &rustix::fs::Stat) -> u64 {
    super::file_stat::FileStat::from_stat(stat).mtime_ns as u64
}

/// A site folder as a build recorded it: the folders it vouches for, each with its time
/// and its entries (name, and whether a folder).
pub(crate) struct Table<'a> {
    folders: FxHashMap<&'a str, (u64, Entries<'a>)>,
}

/// A folder's entries: each name, and whether it is a folder.
type Entries<'a> = Vec<(&'a str, bool)>;

impl<'a> Table<'a> {
    /// Reads a record's body (see [`record`]); `None` when it is not whole.
    fn parse(body: &'a [u8]) -> Option<Table<'a>> {
        let mut r = Reader(body);
        let mut folders = FxHashMap::default();
        while !r.is_empty() {
            let path = name(&mut r)?;
            let time = r.u64()?;
            let count = r.u32()? as usize;
            let mut entries = Vec::with_capacity(count.min(r.remaining()));
            for _ in 0..count {
                entries.push((name(&mut r)?, r.bool()?));
            }
            folders.insert(path, (time, entries));
        }
        Some(Table { folders })
    }
}

/// A name or path of a record: its length in a u32, then its bytes.
fn name<'a>(r: &mut Reader<'a>) -> Option<&'a str> {
    let len = r.u32()? as usize;
    std::str::from_utf8(r.take(len)?).ok()
}

fn write_name(out: &mut impl io::Write, name: &str) -> io::Result<()> {
    out.write_all(&(name.len() as u32).to_le_bytes())?;
    out.write_all(name.as_bytes())
}

/// `path`'s folder and name (the folder of a top-level name is "").
pub(crate) fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// How the folders a build changed are named (see [`record`]): by the hash of the path. A
/// hash two paths share only costs the other folder a read.
pub(crate) fn folder_key(rel: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(rel)
}

/// Whether folder `folder` is `ancestor` or lies under it.
fn is_within(folder: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || folder
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Records the site that a swap just made live, beside output `out` (after
/// [`after_swap`]): for each folder that `listed` found settled and this build left alone
/// (not in `touched`), its time and its entries, which are the files of `records` (sorted
/// by path, as the manifest sorts them) and the folders that hold them. Written as it goes:
/// at a million papers the record is about 100 MB.
pub(crate) fn record(
    out: &Path,
    records: &[(String, Record)],
    listed: &[Listed],
    touched: &FxHashSet<u64>,
) -> io::Result<()> {
    let times: FxHashMap<&str, u64> = listed
        .iter()
        .filter(|l| l.dir)
        .filter_map(|l| Some((l.rel.to_str()?, l.settled_ns?)))
        .filter(|(rel, _)| !touched.contains(&folder_key(rel.as_bytes())))
        .collect();
    super::side_file::replace_with(&folders_path(out), |file| {
        let mut summed = le_bytes::Summed::new(file);
        summed.write_all(MAGIC)?;
        let mut emit = |folder: &str, entries: &[(&str, bool)]| -> io::Result<()> {
            let Some(&time) = times.get(folder).filter(|_| !folder.is_empty()) else {
                return Ok(());
            };
            write_name(&mut summed, folder)?;
            summed.write_all(&time.to_le_bytes())?;
            summed.write_all(&(entries.len() as u32).to_le_bytes())?;
            for &(name, dir) in entries {
                write_name(&mut summed, name)?;
                summed.write_all(&[u8::from(dir)])?;
            }
            Ok(())
        };
        // The folders open from the root down to the last file's: in path order a folder's
        // files and folders come together, so each is finished once the walk leaves it.
        let mut open: Vec<(&str, Vec<(&str, bool)>)> = vec![("", Vec::new())];
        for (path, _) in records {
            let (folder, file) = split(path);
            while !is_within(folder, open.last().expect("the root stays open").0) {
                let (done, entries) = open.pop().expect("the root stays open");
                emit(done, &entries)?;
            }
            loop {
                let (top, entries) = open.last_mut().expect("the root stays open");
                if *top == folder {
                    entries.push((file, false));
                    break;
                }
                let start = if top.is_empty() { 0 } else { top.len() + 1 };
                let end = folder[start..].find('/').map_or(folder.len(), |i| start + i);
                entries.push((&folder[start..end], true));
                open.push((&folder[..end], Vec::new()));
            }
        }
        while let Some((done, entries)) = open.pop() {
            emit(done, &entries)?;
        }
        summed.write_sum()
    })
}

/// The folders that the record beside `out` vouches for in the live folder, sorted.
#[cfg(test)]
pub(crate) fn vouched_live_folders(out: &Path) -> Vec<String> {
    let bytes = fs::read(folders_path(out)).unwrap();
    let body = le_bytes::checked(&bytes, MAGIC, "").unwrap();
    let mut folders: Vec<String> = Table::parse(body)
        .unwrap()
        .folders
        .keys()
        .map(|k| k.to_string())
        .collect();
    folders.sort();
    folders
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site's files, as the manifest records them (what is recorded of each is not read).
    fn files(paths: &[&str]) -> Vec<(String, Record)> {
        let record = Record {
            hash: 0,
            len: 0,
            mtime_ns: 0,
            ino: 0,
        };
        paths.iter().map(|p| (p.to_string(), record)).collect()
    }

    fn folder(rel: &str, settled_ns: Option<u64>) -> Listed {
        Listed {
            rel: PathBuf::from(rel),
            depth: rel.split('/').count(),
            dir: true,
            settled_ns,
        }
    }

    /// A folder this build wrote into or cleaned, or one whose time had not settled when
    /// listed, is not vouched for; the last record of the live folder passes to the
    /// staging folder, which it now is.
    #[test]
    fn the_record_vouches_for_settled_folders_the_build_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let records = files(&["a/x.html", "b/y.html", "c/d/z.html", "e/w.html"]);
        let listed = [
            folder("a", Some(1)),
            folder("b", Some(2)),
            folder("c/d", Some(3)),
            folder("c", Some(4)),
            folder("e", None),
        ];
        let touched: FxHashSet<u64> = [folder_key(b"a")].into_iter().collect();
        record(&out, &records, &listed, &touched).unwrap();
        assert_eq!(vouched_live_folders(&out), ["b", "c", "c/d"]);
        let first = fs::read(folders_path(&out)).unwrap();
        let table = Table::parse(le_bytes::checked(&first, MAGIC, "").unwrap()).unwrap();
        assert_eq!(table.folders["c"], (4, vec![("d", true)]));
        assert_eq!(table.folders["c/d"], (3, vec![("z.html", false)]));
        assert_eq!(table.folders["b"], (2, vec![("y.html", false)]));
        // At the swap the live folder's record becomes the staging folder's.
        before_swap(&out).unwrap();
        assert!(!folders_path(&out).exists() && !staged_folders_path(&out).exists());
        after_swap(&out, true).unwrap();
        assert_eq!(fs::read(staged_folders_path(&out)).unwrap(), first);
        record(&out, &records[..1], &[], &FxHashSet::default()).unwrap();
        assert_eq!(vouched_live_folders(&out), Vec::<String>::new());
        // A swap that fails puts the live folder's record back; the staging folder's goes.
        let second = fs::read(folders_path(&out)).unwrap();
        before_swap(&out).unwrap();
        after_swap(&out, false).unwrap();
        assert_eq!(fs::read(folders_path(&out)).unwrap(), second);
        assert!(!staged_folders_path(&out).exists());
    }

    /// A recorded folder that is gone, or is a file now, never fails the listing (only a
    /// folder time set back could make a record say so).
    #[test]
    fn a_recorded_folder_that_is_gone_or_a_file_is_listed_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let (out, staging) = (dir.path().join("public"), dir.path().join("staging"));
        fs::create_dir_all(staging.join("a")).unwrap();
        fs::write(staging.join("a/c"), "now a file").unwrap();
        let time = mtime_ns(&rustix::fs::stat(staging.join("a")).unwrap());
        let records = files(&["a/b/x.html", "a/c/y.html"]);
        record(&out, &records, &[folder("a", Some(time))], &FxHashSet::default()).unwrap();
        let listed = list_recorded(&staging, &folders_path(&out)).unwrap();
        let found: Vec<(String, bool)> = listed
            .iter()
            .map(|l| (l.rel.to_string_lossy().into_owned(), l.dir))
            .collect();
        assert_eq!(found, [("a/c".to_string(), false), ("a".to_string(), true)]);
    }

    /// A damaged record is no record: every folder is read.
    #[test]
    fn a_damaged_record_vouches_for_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("staging");
        fs::create_dir_all(staging.join("a")).unwrap();
        fs::write(staging.join("a/x.html"), "x").unwrap();
        fs::write(staging.join("a/extra.gz"), "x").unwrap();
        let record = dir.path().join("record");
        fs::write(&record, b"paperboy folders 1\nnot a record").unwrap();
        let listed = list_recorded(&staging, &record).unwrap();
        let mut names: Vec<_> = listed.iter().map(|l| l.rel.to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, ["a", "a/extra.gz", "a/x.html"]);
    }
}
