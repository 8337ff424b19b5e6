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

/// Runs `check` on every input of `target`. libFuzzer hands `&str` targets only valid UTF-8;
/// other inputs were never run, so they are skipped here too.
fn replay(target: &str, check: impl Fn(&str)) {
    for (name, bytes) in inputs(target) {
        eprintln!("{name}");
        if let Ok(text) = std::str::from_utf8(&bytes) {
            check(text);
        }
    }
}

#[test]
fn digest_inputs() {
    replay("digest", checks::digest);
}

#[test]
fn front_matter_inputs() {
    replay("front_matter", checks::front_matter);
}

#[test]
fn render_paper_inputs() {
    replay("render_paper", |t| {
        checks::render_paper(false, t);
        checks::render_paper(true, t);
    });
}

#[test]
fn math_inputs() {
    replay("math", checks::math);
}
