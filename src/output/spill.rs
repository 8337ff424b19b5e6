//! The file a build keeps its abstracts in while it runs (see `model/long_text.rs`): about
//! 180 MB at 100,000 papers that are then not the build's memory but the page cache's,
//! which the kernel can reclaim. It has no name (`O_TMPFILE` where the file system has it),
//! so it is gone when the process ends, however it ends, and nothing is left beside the
//! output. It lives in the folder that holds the output, where the staging folder and the
//! caches live too, and not in `/tmp`, which is often memory itself.
//!
//! It is only a saving: the first write that fails (a full disk) stops all spilling, so
//! that the abstracts still to come do not take the last of the disk the output needs, and
//! the papers not spilled keep their abstracts in memory.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Bytes written once and read any number of times, from any thread. Each write takes its
/// own range of the file first, so writers and readers never wait on each other.
pub struct Spill {
    file: File,
    /// Where the next write goes: every range handed out, written or not.
    end: AtomicU64,
    /// Bytes written and readable.
    written: AtomicU64,
    /// A write failed: no more are tried.
    failed: AtomicBool,
}

impl Spill {
    /// A spill file in the folder that holds output folder `out`; the error names the
    /// folder.
    pub fn beside(out: &Path) -> io::Result<Spill> {
        let dir = match out.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let file =
            tempfile::tempfile_in(dir).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
        Ok(Spill {
            file,
            end: AtomicU64::new(0),
            written: AtomicU64::new(0),
            failed: AtomicBool::new(false),
        })
    }

    /// Writes `bytes` after everything written before; where they start. After one failed
    /// write, every later one fails at once.
    pub fn append(&self, bytes: &[u8]) -> io::Result<u64> {
        if self.failed.load(Ordering::Relaxed) {
            return Err(io::Error::other("an earlier write to the spill file failed"));
        }
        let at = self.end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if let Err(e) = self.file.write_all_at(bytes, at) {
            self.failed.store(true, Ordering::Relaxed);
            return Err(e);
        }
        self.written.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(at)
    }

    /// The `len` bytes at `at`.
    pub fn read(&self, at: u64, len: u32) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0; len as usize];
        self.file.read_exact_at(&mut bytes, at)?;
        Ok(bytes)
    }

    /// Bytes written so far (and readable).
    pub fn len(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Whether a write failed (the papers after it kept their abstracts in memory).
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_from_many_threads_read_back_and_leave_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let spill = Spill::beside(&out).unwrap();
        let texts: Vec<String> = (0..64)
            .map(|i| format!("abstract {i} — Δ {}", "x".repeat(i * 37)))
            .collect();
        let placed: Vec<(u64, u32)> = std::thread::scope(|s| {
            let handles: Vec<_> = texts
                .chunks(8)
                .map(|chunk| {
                    let spill = &spill;
                    s.spawn(move || {
                        chunk
                            .iter()
                            .map(|t| (spill.append(t.as_bytes()).unwrap(), t.len() as u32))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        for (text, (at, len)) in texts.iter().zip(placed) {
            assert_eq!(spill.read(at, len).unwrap(), text.as_bytes());
        }
        assert_eq!(spill.len(), texts.iter().map(|t| t.len() as u64).sum::<u64>());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the file has no name"
        );
    }

    #[test]
    fn a_read_past_the_end_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::beside(&dir.path().join("public")).unwrap();
        let at = spill.append(b"short").unwrap();
        assert!(spill.read(at, 6).is_err());
    }

    #[test]
    fn after_a_failed_write_no_other_is_tried() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("read-only");
        std::fs::write(&path, b"").unwrap();
        // A file opened for reading: every write fails, as on a full disk.
        let spill = Spill {
            file: File::open(&path).unwrap(),
            end: AtomicU64::new(0),
            written: AtomicU64::new(0),
            failed: AtomicBool::new(false),
        };
        assert!(spill.append(b"first").is_err());
        assert!(spill.failed());
        let second = spill.append(b"second").unwrap_err();
        assert!(second.to_string().contains("earlier write"), "{second}");
        assert_eq!(spill.len(), 0, "nothing readable was written");
    }
}
