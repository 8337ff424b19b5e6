//! Files a build keeps beside the output for the next build. [`SideFile`] (the topic
//! strengths) is read at the start, written under a temporary name once computed, and put
//! in place only when the build succeeds, so that a failed build leaves the last good one
//! (and nothing else); [`replace_with`] (the manifest, the build cache) puts a file in place
//! in one step.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One such file of a build in progress.
pub struct SideFile {
    path: PathBuf,
    /// Whether this build wrote it under the temporary name.
    staged: bool,
}

impl SideFile {
    /// The file at `path`, beside the output.
    pub fn new(path: PathBuf) -> Self {
        SideFile { path, staged: false }
    }

    /// Where it lives, for messages about it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the last successful build left; `None` when there is nothing.
    pub fn read(&self) -> io::Result<Option<Vec<u8>>> {
        match fs::read(&self.path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes what this build leaves, under the temporary name.
    pub fn stage(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.staged = true;
        fs::write(temporary(&self.path), bytes)
    }

    /// What the last successful build left, to read as a stream (a million papers' words
    /// are most of a gigabyte, which a build should not hold twice); `None` when there is
    /// nothing.
    pub fn open(&self) -> io::Result<Option<io::BufReader<fs::File>>> {
        match fs::File::open(&self.path) {
            Ok(file) => Ok(Some(io::BufReader::with_capacity(1 << 16, file))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// [`SideFile::stage`] of the bytes `write` gives, through a buffer.
    pub fn stage_with(&mut self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        self.staged = true;
        let file = fs::File::create(temporary(&self.path))?;
        let mut out = io::BufWriter::with_capacity(1 << 16, file);
        write(&mut out)?;
        out.into_inner().map_err(io::IntoInnerError::into_error).map(drop)
    }

    /// The file as this build staged it, to read back.
    pub fn open_staged(&self) -> io::Result<fs::File> {
        fs::File::open(temporary(&self.path))
    }

    /// Puts the staged bytes in place: the build succeeded.
    pub fn commit(mut self) -> io::Result<()> {
        if self.staged {
            fs::rename(temporary(&self.path), &self.path)?;
            self.staged = false;
        }
        Ok(())
    }
}

impl Drop for SideFile {
    /// A build that failed leaves nothing of its own behind.
    fn drop(&mut self) {
        if self.staged {
            let _ = fs::remove_file(temporary(&self.path));
        }
    }
}

/// Replaces the file at `path` with the bytes `write` gives in one step: written under the
/// temporary name, then renamed over it, so a reader (or a build killed halfway) sees the
/// old file or the new one, never a part. A failed write leaves no temporary file behind.
/// The bytes go through a buffer: the manifest and the build cache of a million-paper site
/// are about 100 MB of text each, which a build no longer holds whole.
pub(crate) fn replace_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let tmp = temporary(path);
    let written = fs::File::create(&tmp)
        .and_then(|file| {
            let mut out = io::BufWriter::with_capacity(1 << 16, file);
            write(&mut out)?;
            out.into_inner().map_err(io::IntoInnerError::into_error).map(drop)
        })
        .and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

fn temporary(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_bytes_are_in_place_only_once_committed() {
        let dir = std::env::temp_dir().join(format!("paperboy-side-file-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".public.topics");
        let mut failed = SideFile::new(path.clone());
        assert_eq!(failed.read().unwrap(), None);
        failed.stage(b"one").unwrap();
        drop(failed);
        assert!(
            !path.exists() && !temporary(&path).exists(),
            "a failed build leaves nothing"
        );
        let mut done = SideFile::new(path.clone());
        done.stage(b"two").unwrap();
        done.commit().unwrap();
        let mut failed = SideFile::new(path.clone());
        failed.stage(b"three").unwrap();
        drop(failed);
        assert_eq!(SideFile::new(path).read().unwrap().as_deref(), Some(&b"two"[..]));
        assert!(!temporary(&dir.join(".public.topics")).exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_replaced_file_is_whole_and_a_failed_one_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("paperboy-replace-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".public.manifest");
        let replace = |path: &Path, bytes: &[u8]| replace_with(path, |out| out.write_all(bytes));
        replace(&path, b"first").unwrap();
        replace(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        // A folder where the file should be: the rename fails, the temporary file goes.
        let blocked = dir.join(".public.jobs");
        fs::create_dir_all(blocked.join("inside")).unwrap();
        assert!(replace(&blocked, b"x").is_err());
        // A write that fails part way (a full disk): the old file stays whole.
        let failing = replace_with(&path, |out| {
            out.write_all(b"thi")?;
            Err(io::Error::other("no space left"))
        });
        assert!(failing.is_err());
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [".public.jobs", ".public.manifest"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
