//! The manifest beside an output folder (`.public.manifest`): each file's hash, length and
//! modification time, so that a rebuild knows unchanged files without reading them back.

use std::fs;
use std::path::Path;

use rustc_hash::FxHashMap;

use super::file_stat::FileStat;

/// One output file as a build left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) hash: u64,
    pub(crate) len: u64,
    pub(crate) mtime_ns: i64,
}

impl Record {
    pub(crate) fn new(hash: u64, len: usize, meta: &FileStat) -> Record {
        Record {
            hash,
            len: len as u64,
            mtime_ns: meta.mtime_ns,
        }
    }

    /// The file is still the one recorded: same length and modification time, to the
    /// nanosecond. That is `rsync`'s quick check, and it holds for another inode: a CI
    /// cache (`actions/cache` restores the output from a tar) and `cp -p` keep the times,
    /// so a daily build in CI does not read back the 1.8 GB of a 100,000-paper site to
    /// know it (3.1 s of its 6.4 s). A file written since, in place or renamed over, has
    /// its own time; only a copy made to look unchanged passes unread.
    pub(crate) fn matches(&self, meta: &FileStat) -> bool {
        meta.is_file && meta.len == self.len && meta.mtime_ns == self.mtime_ns
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
            let mut f = line.splitn(4, ' ');
            let hash = u64::from_str_radix(f.next()?, 16).ok()?;
            let len = f.next()?.parse().ok()?;
            let mtime_ns = f.next()?.parse().ok()?;
            let path = f.next()?.to_string();
            Some((path, Record { hash, len, mtime_ns }))
        })
        .collect()
}

/// Writes the manifest atomically (a temporary file renamed over it).
pub(crate) fn write_manifest(path: &Path, records: &mut [(String, Record)]) -> std::io::Result<()> {
    records.sort_by(|a, b| a.0.cmp(&b.0));
    super::side_file::replace_with(path, |out| {
        for (p, r) in records.iter() {
            writeln!(out, "{:016x} {} {} {p}", r.hash, r.len, r.mtime_ns)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_that_keeps_the_times_matches_and_a_file_written_since_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let (original, copy) = (dir.path().join("a.html"), dir.path().join("b.html"));
        fs::write(&original, "<p>one</p>").unwrap();
        let meta = fs::metadata(&original).unwrap();
        let record = Record::new(1, 10, &FileStat::of(&meta));
        assert!(record.matches(&FileStat::of(&meta)));
        // As `tar` and `cp -p` restore it: another inode, the same length and time.
        fs::write(&copy, "<p>one</p>").unwrap();
        let file = fs::File::options().write(true).open(&copy).unwrap();
        file.set_modified(meta.modified().unwrap()).unwrap();
        let restored = FileStat::at(&copy).unwrap();
        assert!(!restored.same_file(&FileStat::of(&meta)));
        assert!(
            record.matches(&restored),
            "a restored file is known by its length and time"
        );
        // Written again: its own time, even at the same length.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&copy, "<p>two</p>").unwrap();
        assert!(!record.matches(&FileStat::at(&copy).unwrap()));
        fs::write(&copy, "<p>three</p>").unwrap();
        file.set_modified(meta.modified().unwrap()).unwrap();
        assert!(!record.matches(&FileStat::at(&copy).unwrap()), "another length");
    }
}
