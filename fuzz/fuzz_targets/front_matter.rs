//! The Markdown paper parser (TOML and YAML front matter) on arbitrary text.
#![no_main]

#[path = "../checks.rs"]
mod checks;

// Raw bytes, decoded by `checks` so that `tests/fuzz_regressions.rs` replays a saved input
// exactly as this target read it.
libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::front_matter(checks::text_of(data)));
