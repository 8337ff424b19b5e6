//! The digest parser on arbitrary text.
#![no_main]

#[path = "../checks.rs"]
mod checks;

// Raw bytes, decoded by `checks` so that `tests/fuzz_regressions.rs` replays a saved input
// exactly as this target read it.
libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::digest(checks::text_of(data)));
