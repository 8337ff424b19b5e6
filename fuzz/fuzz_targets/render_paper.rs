//! One paper from arbitrary text (as a digest or a Markdown file), loaded and rendered
//! through every page and feed.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|input: (bool, &str)| checks::render_paper(input.0, input.1));
