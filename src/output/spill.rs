//! The file a build keeps its abstracts in while it runs (see `model/long_text.rs`): about
//! 180 MB at 100,000 papers that are then not the build's memory but the page cache's,
//! which the kernel can reclaim. It has no name (`O_TMPFILE` where the file system has it),
//! so it is gone when the process ends, however it ends, and nothing is left beside the
//! output. It lives on the output's disk, beside it: the place the build is known to be
//! allowed to write, and not `/tmp`, which is often memory itself.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes written once and read any number of times, from any thread. Each write takes its
/// own range of the file first, so writers and readers never wait on each other.
pub struct Spill {
    file: File,
    end: AtomicU64,
}

impl Spill {
    /// A spill file in the folder that holds output folder `out`.
    pub fn beside(out: &Path) -> io::Result<Spill> {
        let dir = match out.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        Ok(Spill {
            file: tempfile::tempfile_in(dir)?,
            end: AtomicU64::new(0),
        })
    }

    /// Writes `bytes` after everything written before; where they start.
    pub fn append(&self, bytes: &[u8]) -> io::Result<u64> {
        let at = self.end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        self.file.write_all_at(bytes, at)?;
        Ok(at)
    }

    /// The `len` bytes at `at`.
    pub fn read(&self, at: u64, len: u32) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0; len as usize];
        self.file.read_exact_at(&mut bytes, at)?;
        Ok(bytes)
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.end.load(Ordering::Relaxed)
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
}
