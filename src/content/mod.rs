//! Loading: walk `content/`, parse every file in parallel, and assemble the [`Site`] model.
//! Loading reads the disk and never writes it, but for its own parse cache beside the output
//! (`cache.rs`).

mod abstracts;
mod assemble;
mod cache;
mod digest;
mod files;
mod front_matter;
mod inline;
mod jsonl;
mod source;
mod split_groups;

use std::path::Path;

use anyhow::Result;

pub use abstracts::{Rendered, TextOptions, markdown_to_html, render_plain, render_plain_with, render_title};
pub use assemble::{Edits, Rules, assemble, assemble_with, patch};
pub use cache::{ParseCache, ReadOnlyFile};
pub use digest::{DigestEntry, date_from_path, parse as parse_digest};
pub use files::{
    ReadFile, decode, is_content_file, is_walked, list_files, missing_content_dir, read_all, read_all_cached,
    read_file, read_file_after,
};
pub use front_matter::{MarkdownPaper, parse as parse_front_matter};
pub use jsonl::JsonPaper;
pub use source::{ContentKind, FileResult, RawPaper, SourceFile, parse_text, parse_text_after};

use crate::config::Config;
use crate::error::ContentErrors;
use crate::model::Site;

/// The folder under the site root that holds the corpus.
pub const CONTENT_DIR: &str = "content";

/// Loads the whole corpus: all files in parallel, every error collected.
pub fn load(root: &Path, config: &Config) -> Result<(Site, Vec<String>)> {
    load_cached(root, config, None, None)
}

/// [`load`], taking the files that `cache` holds from it instead of parsing them, with
/// abstracts kept in `spill` (see [`read_all_cached`]).
pub fn load_cached(
    root: &Path,
    config: &Config,
    cache: Option<&ParseCache>,
    spill: Option<&std::sync::Arc<dyn crate::model::TextStore>>,
) -> Result<(Site, Vec<String>)> {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    let (parsed, mut warnings) = read_all_cached(root, config, cache, spill)?;
    for (_, result, w) in parsed {
        warnings.extend(w);
        match result {
            Ok(source) => sources.push(source),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(ContentErrors(errors).into());
    }
    Ok((assemble_with(&sources, &Rules::of(config)), warnings))
}
