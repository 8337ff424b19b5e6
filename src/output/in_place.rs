//! Writing into the live output one file at a time, for the watch loop.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result};

use super::file_stat::FileStat;
use super::{Sink, remove_if_exists};

/// True when `path` is a file holding exactly `bytes`.
pub fn same_content(path: &Path, bytes: &[u8]) -> bool {
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    match file.metadata() {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {}
        _ => return false,
    }
    let mut existing = Vec::with_capacity(bytes.len());
    file.read_to_end(&mut existing).is_ok() && existing == bytes
}

/// Whether `path` is the file `meta` describes (a hard link to it).
pub(crate) fn is_same_file(meta: &FileStat, path: &Path) -> bool {
    FileStat::at(path).is_ok_and(|b| meta.same_file(&b))
}

/// Writes into a live output folder one file at a time, for the watch loop: each file is
/// written to a temporary name and renamed into place, so a server reading the folder never
/// sees half a file, and a file whose bytes did not change is not touched.
pub struct InPlace {
    out: PathBuf,
    written: Mutex<Vec<String>>,
}

impl InPlace {
    /// Writes into `out`, which must exist.
    pub fn new(out: &Path) -> Self {
        InPlace {
            out: out.to_path_buf(),
            written: Mutex::new(Vec::new()),
        }
    }

    /// Paths that were actually rewritten (their bytes changed).
    pub fn into_written(self) -> Vec<String> {
        self.written.into_inner().expect("no writer panicked")
    }

    /// Deletes output files that no longer exist in the site, and folders left empty.
    pub fn remove(&self, paths: &[String]) -> Result<()> {
        for path in paths {
            let file = self.out.join(path);
            remove_if_exists(&file).with_context(|| format!("cannot remove {}", file.display()))?;
            let mut dir = file.parent();
            while let Some(d) = dir.filter(|d| *d != self.out) {
                if fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        Ok(())
    }
}

impl Sink for InPlace {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let target = self.out.join(path);
        if same_content(&target, bytes) {
            return Ok(());
        }
        let io = || format!("{}: cannot write — check free space and permissions", target.display());
        let parent = target.parent().expect("output paths have a parent");
        fs::create_dir_all(parent).with_context(io)?;
        let tmp = parent.join(format!(
            ".{}.paperboy-tmp",
            target.file_name().expect("a file").to_string_lossy()
        ));
        fs::write(&tmp, bytes).with_context(io)?;
        fs::rename(&tmp, &target).with_context(io)?;
        self.written.lock().expect("no writer panicked").push(path.to_string());
        Ok(())
    }
}
