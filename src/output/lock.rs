//! One writer per output folder: a lock file beside it (`.public.lock`) held with `flock`.
//! Two builds of the same output at once used to interleave their staging folders and swaps
//! and leave a mix of both sites. The kernel drops a `flock` when its process dies, so a
//! lock left by a killed build is free again at once; the file itself only names the holder.

use std::fs;
use std::io::{ErrorKind, Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use rustix::fs::{FlockOperation, flock};

use super::{hidden_sibling, resolve_output};

/// Who holds an output folder, as written into its lock file for a second writer to name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// `paperboy build`: done soon, so a second writer waits for it.
    Build,
    /// Watch mode (`paperboy watch`, `paperboy serve`): holds the folder until stopped, so a
    /// second writer fails at once instead of waiting for nothing.
    Watch,
}

impl Holder {
    fn word(self) -> &'static str {
        match self {
            Holder::Build => "build",
            Holder::Watch => "watch",
        }
    }
}

/// How long a build waits for another build of the same output before giving up.
const PATIENCE: Duration = Duration::from_secs(600);
/// How often a waiting build tries the lock again.
const POLL: Duration = Duration::from_millis(50);

/// The right to write one output folder, until dropped.
#[derive(Debug)]
pub struct OutputLock {
    /// The output folder, links followed: where the site really goes.
    out: PathBuf,
    /// The locked file; `None` where the file system has no `flock` (then nothing is locked).
    _file: Option<fs::File>,
}

impl OutputLock {
    /// Locks the output folder `out` (following a symlink to where it points). When another
    /// build holds it, calls `waiting` with a line naming it and waits for it to finish; when a
    /// watch holds it, or the wait runs out, fails with a one-line error naming the holder.
    pub fn acquire(out: &Path, holder: Holder, waiting: &dyn Fn(&str)) -> Result<OutputLock> {
        let out = resolve_output(out)?;
        let Some(mut file) = open_lock_file(&out)? else {
            return Ok(OutputLock { out, _file: None });
        };
        let started = Instant::now();
        let mut told = false;
        loop {
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => break,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                // No locks on this file system (some network mounts): go on unlocked.
                Err(_) => return Ok(OutputLock { out, _file: None }),
            }
            let (other, other_kind) = holder_of(&mut file);
            if other_kind == Some(Holder::Watch) {
                anyhow::bail!(
                    "{}: in use by {other} — stop it first, or write to another --output",
                    out.display()
                );
            }
            if started.elapsed() > PATIENCE {
                anyhow::bail!(
                    "{}: still in use by {other} after {} s — wait for it to finish, or stop it",
                    out.display(),
                    PATIENCE.as_secs()
                );
            }
            if !told {
                waiting(&format!(
                    "{}: in use by {other}; waiting for it to finish",
                    out.display()
                ));
                told = true;
            }
            std::thread::sleep(POLL);
        }
        let note = format!("{} {}\n", std::process::id(), holder.word());
        // Only a name for others' messages: the lock is the flock, not this text.
        // From the start: waiting read the old note and left the position at its end.
        let _ = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(note.as_bytes()));
        Ok(OutputLock { out, _file: Some(file) })
    }

    /// The output folder with links followed: where staging, swap and manifest happen.
    pub fn output(&self) -> &Path {
        &self.out
    }
}

/// The lock file beside `out`, or inside it when its parent is read-only (a web root whose
/// parent belongs to someone else). `None` when neither can be written: the build then finds
/// out what it can write on its own, and says so.
fn open_lock_file(out: &Path) -> Result<Option<fs::File>> {
    let open = |path: &Path| {
        fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
    };
    let beside = hidden_sibling(out, "lock");
    if let Some(parent) = beside.parent() {
        fs::create_dir_all(parent).with_context(|| {
            format!(
                "{}: cannot create the output's parent folder — check that it is a writable folder, or pass another --output",
                parent.display()
            )
        })?;
    }
    match open(&beside) {
        Ok(file) => Ok(Some(file)),
        Err(e) if matches!(e.kind(), ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem) => {
            Ok(open(&out.join(".paperboy.lock")).ok())
        }
        Err(e) => Err(e).with_context(|| format!("{}: cannot create the lock file", beside.display())),
    }
}

/// `paperboy build (pid 123)` from a lock file, and the holder's kind when the file says.
fn holder_of(file: &mut fs::File) -> (String, Option<Holder>) {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    let mut words = text.split_whitespace();
    let (pid, word) = (words.next(), words.next());
    let kind = match word {
        Some("build") => Some(Holder::Build),
        Some("watch") => Some(Holder::Watch),
        _ => None,
    };
    match (pid, word) {
        (Some(pid), Some(word)) => (format!("paperboy {word} (pid {pid})"), kind),
        _ => ("another paperboy process".to_string(), kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_holding_the_folder_is_named_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let held = OutputLock::acquire(&out, Holder::Watch, &|_| {}).unwrap();
        let started = Instant::now();
        let err = OutputLock::acquire(&out, Holder::Build, &|_| panic!("does not wait for a watch"))
            .unwrap_err()
            .to_string();
        assert!(started.elapsed() < PATIENCE);
        let pid = std::process::id();
        assert!(err.contains(&format!("in use by paperboy watch (pid {pid})")), "{err}");
        drop(held);
        OutputLock::acquire(&out, Holder::Build, &|_| {}).unwrap();
    }

    #[test]
    fn a_second_build_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let held = OutputLock::acquire(&out, Holder::Build, &|_| {}).unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(held);
        });
        let told = std::sync::Mutex::new(String::new());
        let second =
            OutputLock::acquire(&out, Holder::Build, &|line| *told.lock().unwrap() = line.to_string()).unwrap();
        release.join().unwrap();
        assert!(told.into_inner().unwrap().contains("waiting for it to finish"));
        // The note a waiting build leaves names it cleanly for the next one (it once began
        // with as many NUL bytes as the note it had read).
        let note = fs::read_to_string(hidden_sibling(&second.out, "lock")).unwrap();
        assert_eq!(note, format!("{} build\n", std::process::id()));
    }
}
