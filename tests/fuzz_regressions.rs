//! Every input the fuzzers found a bug with (`fuzz/regressions/<target>/`), checked again
//! with the fuzz targets' own assertions, plus the seed corpus.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for folder in ["regressions", "seeds"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz")
            .join(folder)
            .join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    assert!(!out.is_empty());
    out
}

/// libFuzzer hands `&str` targets only valid UTF-8; other inputs were never run.
fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

#[test]
fn digest_inputs() {
    for (name, bytes) in inputs("digest") {
        eprintln!("{name}");
        if let Some(t) = text(&bytes) {
            checks::digest(t);
        }
    }
}

#[test]
fn front_matter_inputs() {
    for (name, bytes) in inputs("front_matter") {
        eprintln!("{name}");
        if let Some(t) = text(&bytes) {
            checks::front_matter(t);
        }
    }
}

#[test]
fn render_paper_inputs() {
    for (name, bytes) in inputs("render_paper") {
        eprintln!("{name}");
        if let Some(t) = text(&bytes) {
            checks::render_paper(false, t);
            checks::render_paper(true, t);
        }
    }
}

#[test]
fn math_inputs() {
    for (name, bytes) in inputs("math") {
        eprintln!("{name}");
        if let Some(t) = text(&bytes) {
            checks::math(t);
        }
    }
}
