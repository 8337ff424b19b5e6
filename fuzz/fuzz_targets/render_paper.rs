//! One paper from arbitrary text (as a digest or a Markdown file), loaded and rendered
//! through every page and feed.
#![no_main]

#[path = "../checks.rs"]
mod checks;

// Raw bytes, decoded by `checks` so that `tests/fuzz_regressions.rs` replays a saved input
// exactly as this target read it.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::render_paper_bytes(data);
});
