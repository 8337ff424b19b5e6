//! Writing the site. Pages go to a staging folder beside the output, which then replaces
//! the output in one atomic rename: a failed or killed build never leaves a half site, and
//! files whose bytes did not change are hard-linked from the old output, keeping their
//! modification time so that `rsync`-style deploys skip them.

use std::fs;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::render::Sink;

/// Marks a folder as written by paperboy, so that a folder of someone else's files is never
/// replaced by mistake.
pub const MARKER: &str = ".paperboy-output";

/// A build in progress: pages land in `staging`; [`Staging::commit`] swaps it with the output.
pub struct Staging {
    out: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl Staging {
    /// Prepares a fresh staging folder beside `out`. Refuses when `out` holds files that
    /// paperboy did not write, unless `force` is set.
    pub fn begin(out: &Path, force: bool) -> Result<Self> {
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).with_context(|| {
            format!(
                "{}: cannot create the output's parent folder — check permissions or pass another --output",
                parent.display()
            )
        })?;
        if out.exists() && !force && !out.join(MARKER).exists() && !is_empty_dir(out)? {
            anyhow::bail!(
                "{}: the output folder holds files that paperboy did not write — move them away, pick another --output, or pass --force to replace it",
                out.display()
            );
        }
        let staging = parent.join(format!(".{name}.staging"));
        if staging.exists() {
            // Left behind by a build that was killed: it was never the live site.
            fs::remove_dir_all(&staging).with_context(|| format!("cannot remove the stale {}", staging.display()))?;
        }
        fs::create_dir(&staging).with_context(|| {
            format!(
                "{}: cannot create the staging folder — check that {} is writable",
                staging.display(),
                parent.display()
            )
        })?;
        fs::write(
            staging.join(MARKER),
            b"This folder is written by paperboy; it replaces it on every build.\n",
        )?;
        Ok(Staging {
            out: out.to_path_buf(),
            staging,
            committed: false,
        })
    }

    /// Makes the staged site the live one, atomically where the OS allows it.
    pub fn commit(mut self) -> Result<()> {
        if self.out.exists() {
            match rustix::fs::renameat_with(
                rustix::fs::CWD,
                &self.staging,
                rustix::fs::CWD,
                &self.out,
                rustix::fs::RenameFlags::EXCHANGE,
            ) {
                Ok(()) => {}
                Err(_) => {
                    // File systems without RENAME_EXCHANGE: two renames, a tiny window.
                    let old = self.staging.with_extension("old");
                    let _ = fs::remove_dir_all(&old);
                    fs::rename(&self.out, &old).with_context(|| format!("cannot move {} aside", self.out.display()))?;
                    fs::rename(&self.staging, &self.out)
                        .with_context(|| format!("cannot move the new site to {}", self.out.display()))?;
                    fs::rename(&old, &self.staging)?;
                }
            }
            // `staging` now holds the previous site.
            fs::remove_dir_all(&self.staging)
                .with_context(|| format!("cannot remove the previous site at {}", self.staging.display()))?;
        } else {
            fs::rename(&self.staging, &self.out)
                .with_context(|| format!("cannot move the new site to {}", self.out.display()))?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

impl Sink for Staging {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let target = self.staging.join(path);
        let previous = self.out.join(path);
        if same_content(&previous, bytes) {
            if let Ok(()) = link_with_parents(&previous, &target) {
                return Ok(());
            }
        }
        write_with_parents(&target, bytes)
            .with_context(|| format!("{}: cannot write — check free space and permissions", target.display()))
    }
}

fn is_empty_dir(dir: &Path) -> Result<bool> {
    Ok(fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .next()
        .is_none())
}

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

fn link_with_parents(from: &Path, to: &Path) -> std::io::Result<()> {
    match fs::hard_link(from, to) {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            fs::create_dir_all(to.parent().expect("output paths have a parent"))?;
            fs::hard_link(from, to)
        }
        other => other,
    }
}

/// Writes a file, creating its folder on first need (most pages live in a folder of their own).
pub fn write_with_parents(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match fs::write(path, bytes) {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            fs::create_dir_all(path.parent().expect("output paths have a parent"))?;
            fs::write(path, bytes)
        }
        other => other,
    }
}
