//! paperboy: a static site generator for trending-papers digests.
//!
//! The pipeline runs one way, and the modules are its stages, lowest first:
//!
//! - [`text`], [`error`], [`phases`], [`memory`], [`le_bytes`]: leaves: escaping, words,
//!   excerpts, math; content errors; timings; handing freed memory back between stages; the
//!   records of the files a build keeps for the next one.
//! - [`config`], [`model`]: `paperboy.toml`, and the site as plain data with its URL scheme.
//! - [`theme`], [`content`]: templates and static files; the corpus read into a [`model::Site`].
//! - [`enrich`]: tags, related papers and search words, from one reading of each paper's words.
//! - [`render`]: the model and the theme → files as bytes, never touching the disk.
//! - [`output`]: the only place that writes the output folder (staging, swap, manifest).
//! - [`pipeline`]: the one driver that runs the stages in order, for `build` and for watch mode.
//! - [`check`]: the site built in memory and checked as a deploy would find it.
//! - [`live`]: watch mode and the preview server; [`init`]: a starter site.
//!
//! `tests/layering.rs` checks that every import points down this list.

#![warn(missing_docs, unreachable_pub)]

pub mod check;
pub mod config;
pub mod content;
pub mod editor_files;
pub mod enrich;
pub mod error;
pub mod init;
pub mod le_bytes;
pub mod live;
pub mod memory;
pub mod model;
pub mod output;
pub mod phases;
pub mod pipeline;
pub mod render;
pub mod text;
pub mod theme;

pub use check::{CheckReport, check};
pub use error::{ContentError, ContentErrors};
pub use phases::Phases;
pub use pipeline::{BuildOptions, BuildReport, Loaded, build, build_with_progress, load, load_tags};
