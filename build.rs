//! The built-in themes are embedded with `include_dir!`, which cargo does not track:
//! rebuild when anything under `themes/` changes. `--version` names the commit a binary was
//! built from, when it was built from a git checkout. `PAPERBOY_SOURCE_HASH` is a hash of
//! the sources (uncommitted edits included): a build cache written by another program is
//! never trusted.
use std::hash::{Hash, Hasher};
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=themes");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for part in ["src", "themes", "build.rs", "Cargo.toml", "Cargo.lock"] {
        hash_tree(Path::new(part), &mut hasher);
    }
    println!("cargo:rustc-env=PAPERBOY_SOURCE_HASH={:016x}", hasher.finish());
    println!("cargo:rerun-if-changed=.git/HEAD");
    let version = env!("CARGO_PKG_VERSION");
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|c| !c.is_empty());
    let full = match commit {
        Some(c) => format!("{version} ({c})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=PAPERBOY_VERSION={full}");
}

/// Hashes the files under `path` (or the file), names and bytes, in name order.
fn hash_tree(path: &Path, hasher: &mut impl Hasher) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            hash_tree(&entry, hasher);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        path.hash(hasher);
        bytes.hash(hasher);
    }
}
