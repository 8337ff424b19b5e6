//! Live preview: watch mode keeps the site in memory and rebuilds only what an edit touched
//! ([`LiveSite`], [`watch()`]), and `paperboy serve` serves it with live reload ([`serve()`]).

mod rebuild;
mod serve;
mod watch;

pub use rebuild::{LiveSite, RebuildReport, activity};
pub use serve::{SERVE_DIR, ServeOptions, serve};
pub use watch::{MAX_BATCH, Outcome, QUIET, QUIET_AFTER_CLOSE, describe, next_batch, run, watch};
