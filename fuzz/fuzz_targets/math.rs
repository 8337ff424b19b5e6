//! Scraped abstracts through formula detection, LaTeX-to-MathML and the repair.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::math(text));
