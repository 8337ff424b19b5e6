//! The manifest beside an output folder (`.public.manifest`): each file's hash, length, inode
//! and modification time, so that a rebuild knows unchanged files without reading them back.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use rustc_hash::FxHashMap;

/// One output file as a build left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) hash: u64,
    pub(crate) len: u64,
    pub(crate) ino: u64,
    pub(crate) mtime_ns: i64,
}

impl Record {
    pub(crate) fn new(hash: u64, len: usize, meta: &fs::Metadata) -> Record {
        Record {
            hash,
            len: len as u64,
            ino: meta.ino(),
            mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
        }
    }

    /// The file is still the one recorded: same inode, length and modification time.
    pub(crate) fn matches(&self, meta: &fs::Metadata) -> bool {
        meta.is_file()
            && meta.ino() == self.ino
            && meta.len() == self.len
            && meta.mtime() * 1_000_000_000 + meta.mtime_nsec() == self.mtime_ns
    }
}

/// A folder as the file system knows it (device, inode): which folder a manifest describes.
/// The swap moves folders by name, so a name alone says nothing about what is in it.
pub(crate) type FolderId = (u64, u64);

/// The identity of the folder at `path`, if there is one.
pub(crate) fn folder_id(path: &Path) -> Option<FolderId> {
    fs::metadata(path)
        .ok()
        .filter(|m| m.is_dir())
        .map(|m| (m.dev(), m.ino()))
}

/// A manifest as read: the folder it was written for (manifests before that was recorded
/// say nothing) and its records.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    pub(crate) folder: Option<FolderId>,
    pub(crate) records: FxHashMap<String, Record>,
}

/// The first line of a manifest that names its folder; it parses as no record, so older
/// builds read such a manifest as before.
const FOLDER_LINE: &str = "#folder ";

/// The manifest at `path`; empty when it is missing or unreadable (the next build then
/// compares files by content). Keyed with `FxHash`: the paths are our own, and hashing
/// 117,000 of them with SipHash was a third of reading a 100,000-paper manifest.
pub(crate) fn read_manifest(path: &Path) -> Manifest {
    let Ok(text) = fs::read_to_string(path) else {
        return Manifest::default();
    };
    let folder = text
        .lines()
        .next()
        .and_then(|line| line.strip_prefix(FOLDER_LINE))
        .and_then(parse_folder);
    let records = text
        .lines()
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
        .collect();
    Manifest { folder, records }
}

fn parse_folder(text: &str) -> Option<FolderId> {
    let (dev, ino) = text.trim().split_once(' ')?;
    Some((dev.parse().ok()?, ino.parse().ok()?))
}

/// Writes the manifest of the folder `folder` atomically (a temporary file renamed over it).
pub(crate) fn write_manifest(
    path: &Path,
    folder: Option<FolderId>,
    records: &mut [(String, Record)],
) -> std::io::Result<()> {
    records.sort_by(|a, b| a.0.cmp(&b.0));
    super::side_file::replace_with(path, |out| {
        if let Some((dev, ino)) = folder {
            writeln!(out, "{FOLDER_LINE}{dev} {ino}")?;
        }
        for (p, r) in records.iter() {
            writeln!(out, "{:016x} {} {} {} {p}", r.hash, r.len, r.ino, r.mtime_ns)?;
        }
        Ok(())
    })
}

/// Seals the output folder `folder` at `seal`: nothing but the build that wrote its
/// manifest has written to it since. Whatever writes to the live folder afterwards (watch
/// mode) breaks the seal first, with [`unseal`].
pub(crate) fn seal(seal: &Path, folder: FolderId) -> std::io::Result<()> {
    super::side_file::replace_with(seal, |out| writeln!(out, "{} {}", folder.0, folder.1))
}

/// Whether the seal at `seal` is whole and names `folder`.
pub(crate) fn is_sealed(seal: &Path, folder: FolderId) -> bool {
    fs::read_to_string(seal).ok().as_deref().and_then(parse_folder) == Some(folder)
}
