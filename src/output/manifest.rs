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

/// The records of the manifest at `path`; none when it is missing or unreadable (the next
/// build then compares files by content). Keyed with `FxHash`: the paths are our own, and
/// hashing 117,000 of them with SipHash was a third of reading a 100,000-paper manifest.
pub(crate) fn read_manifest(path: &Path) -> FxHashMap<String, Record> {
    let Ok(text) = fs::read_to_string(path) else {
        return FxHashMap::default();
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

/// Writes the manifest atomically (a temporary file renamed over it).
pub(crate) fn write_manifest(path: &Path, records: &mut [(String, Record)]) -> std::io::Result<()> {
    records.sort_by(|a, b| a.0.cmp(&b.0));
    super::side_file::replace_with(path, |out| {
        for (p, r) in records.iter() {
            writeln!(out, "{:016x} {} {} {} {p}", r.hash, r.len, r.ino, r.mtime_ns)?;
        }
        Ok(())
    })
}
