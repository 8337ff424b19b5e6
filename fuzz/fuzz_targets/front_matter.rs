//! The Markdown paper parser (TOML and YAML front matter) on arbitrary text.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::front_matter(text));
