//! The manifest beside an output folder (`.public.manifest`): each file's hash, length,
//! modification time and inode, so that a rebuild knows unchanged files without reading
//! them back.

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
    /// The file's inode number when it was recorded (see [`Record::is`]).
    pub(crate) ino: u64,
}

/// The manifest's first line: its format. A manifest without it (an older paperboy's) is
/// not read, which costs one build the reading back of files it keeps.
const HEADER: &str = "# paperboy manifest 2";

impl Record {
    pub(crate) fn new(hash: u64, len: usize, meta: &FileStat) -> Record {
        Record {
            hash,
            len: len as u64,
            mtime_ns: meta.mtime_ns,
            ino: meta.ino(),
        }
    }

    /// The file is the very one recorded, unchanged: the same inode, length and time. What
    /// a staged file must be to be kept without looking at the live one (see
    /// `Staging::can_keep`): the staging folder holds the site of two builds ago, and on a
    /// file system with coarse times a page rewritten at the same length in the next second
    /// can share its old copy's time. It can share its inode too (a staged page nothing
    /// live shares is written over), but then it is no longer the live file recorded: a
    /// staged file has a live file's inode only while it is a link to it.
    pub(crate) fn is(&self, meta: &FileStat) -> bool {
        self.matches(meta) && meta.ino() == self.ino
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
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return FxHashMap::default();
    }
    lines
        .filter_map(|line| {
            let mut f = line.splitn(5, ' ');
            let hash = u64::from_str_radix(f.next()?, 16).ok()?;
            let len = f.next()?.parse().ok()?;
            let mtime_ns = f.next()?.parse().ok()?;
            let ino = f.next()?.parse().ok()?;
            let path = f.next()?.to_string();
            Some((
                path,
                Record {
                    hash,
                    len,
                    mtime_ns,
                    ino,
                },
            ))
        })
        .collect()
}

/// Writes the manifest atomically (a temporary file renamed over it).
pub(crate) fn write_manifest(path: &Path, records: &mut [(String, Record)]) -> std::io::Result<()> {
    records.sort_by(|a, b| a.0.cmp(&b.0));
    super::side_file::replace_with(path, |out| {
        writeln!(out, "{HEADER}")?;
        for (p, r) in records.iter() {
            writeln!(out, "{:016x} {} {} {} {p}", r.hash, r.len, r.mtime_ns, r.ino)?;
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
        assert!(
            record.is(&FileStat::of(&meta)) && !record.is(&restored),
            "but is not that file"
        );
        // Written again: its own time, even at the same length.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&copy, "<p>two</p>").unwrap();
        assert!(!record.matches(&FileStat::at(&copy).unwrap()));
        fs::write(&copy, "<p>three</p>").unwrap();
        file.set_modified(meta.modified().unwrap()).unwrap();
        assert!(!record.matches(&FileStat::at(&copy).unwrap()), "another length");
    }

    #[test]
    fn a_manifest_reads_back_as_written_and_an_older_one_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.manifest");
        let record = Record {
            hash: 0xabc,
            len: 10,
            mtime_ns: 1_700_000_000_000_000_001,
            ino: 42,
        };
        let mut records = vec![
            ("b/index.html".to_string(), record),
            ("a page.html".to_string(), record),
        ];
        write_manifest(&path, &mut records).unwrap();
        let read = read_manifest(&path);
        assert_eq!(read.len(), 2);
        assert_eq!(read["a page.html"], record, "a path with a space");
        // An older paperboy's line: no inode, no header.
        fs::write(&path, "0000000000000abc 10 1700000000000000001 2026 index.html\n").unwrap();
        assert!(read_manifest(&path).is_empty());
    }
}
