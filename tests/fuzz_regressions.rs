//! Every input the fuzzers found a bug with (`fuzz/regressions/<target>/`), checked again
//! with the fuzz targets' own assertions, plus the seed corpus. Inputs are raw bytes decoded
//! by the same functions the targets call (`checks::text_of`, `checks::render_paper_bytes`),
//! so a saved crash input replays exactly as the fuzzer ran it.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

/// The inputs of `target` in `folder` (`regressions` or `seeds`), by name.
fn inputs_in(folder: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(folder)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.display().to_string(), std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Every saved input of `target`: at least one seed, so the replay cannot pass on nothing.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let seeds = inputs_in("seeds", target);
    assert!(!seeds.is_empty(), "no seeds for {target}");
    let mut all = inputs_in("regressions", target);
    all.extend(seeds);
    all
}

fn replay(target: &str, check: impl Fn(&[u8])) {
    for (name, bytes) in inputs(target) {
        eprintln!("{name}");
        check(&bytes);
    }
}

#[test]
fn digest_inputs() {
    replay("digest", |b| checks::digest(checks::text_of(b)));
}

#[test]
fn front_matter_inputs() {
    replay("front_matter", |b| checks::front_matter(checks::text_of(b)));
    assert!(
        !inputs_in("regressions", "front_matter").is_empty(),
        "the saved front-matter crash is replayed"
    );
}

#[test]
fn render_paper_inputs() {
    replay("render_paper", |b| {
        checks::render_paper_bytes(b);
    });
}

/// The seeds are where fuzzing starts: each must load and render, or the fuzzer starts
/// from inputs that never reach the page checks.
#[test]
fn every_render_paper_seed_reaches_rendering() {
    for (name, bytes) in inputs_in("seeds", "render_paper") {
        assert!(
            checks::render_paper_bytes(&bytes),
            "{name} is rejected before rendering"
        );
    }
}

#[test]
fn math_inputs() {
    replay("math", |b| checks::math(checks::text_of(b)));
}

/// The checks catch what they are for: injected handlers, script URLs and elements outside
/// the allow-list, in pages and in abstract HTML.
#[test]
fn the_checks_reject_injected_markup() {
    let page = |body: &str| format!("<!doctype html><html><head><title>t</title></head><body>{body}</body></html>");
    for bad in [
        "<p onclick=\"x()\">a</p>",
        "<a href=\"javascript:alert(1)\">a</a>",
        "<a href=\" JaVa&#x09;ScRipt:alert(1)\">a</a>",
        "<iframe src=\"https://e.org/\"></iframe>",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg><a href=\"x\">s</a></svg>",
    ] {
        let caught = std::panic::catch_unwind(|| checks::assert_inert_page("papers/x/index.html", &page(bad)));
        assert!(caught.is_err(), "not caught: {bad}");
    }
    checks::assert_inert_page("papers/x/index.html", &page("<p><a href=\"/papers/y/\">fine</a></p>"));
}
