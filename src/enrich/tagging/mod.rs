//! Tags. A scraped digest carries none, yet readers navigate and subscribe by topic, so
//! papers are tagged automatically from a taxonomy of topics (phrases that signal a topic,
//! phrases that veto it), merged with explicit tags from front matter, and every tag name is
//! normalised to one slug.

mod report;
mod taxonomy;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

pub use report::{explain, report};
pub use taxonomy::{BUILTIN_TAXONOMY, Evidence, Hit, Matcher, Taxonomy};

use super::lexicon::{Lexicon, Tokens};
use crate::model::{Paper, Site, Tag};

/// The tag slugs of one paper: explicit ones first (as written, after aliases), then
/// automatic ones by strength.
fn paper_tags<'t>(
    paper: &Paper,
    tax: &Taxonomy,
    auto: &'t [String],
    slugs: &'t FxHashMap<String, String>,
) -> Vec<&'t str> {
    let mut tags: Vec<&str> = Vec::new();
    for name in &paper.explicit_tags {
        let s = slugs[name.as_str()].as_str();
        if !s.is_empty() && !tags.contains(&s) {
            tags.push(s);
        }
    }
    let config = &tax.config;
    if config.auto && (tags.is_empty() || config.auto_for_explicit) {
        for s in auto {
            if !tags.contains(&s.as_str()) {
                tags.push(s);
            }
        }
    }
    tags
}

/// Automatic tags by paper text, kept across rebuilds in watch mode: an edit re-tags only the
/// papers whose text changed. Valid for one taxonomy.
#[derive(Debug, Default)]
pub struct TagCache(FxHashMap<u64, Vec<String>>);

impl TagCache {
    /// Whether the automatic tags of a paper with this text are known.
    pub fn has(&self, text_hash: u64) -> bool {
        self.0.contains_key(&text_hash)
    }

    /// Forgets everything when it holds far more papers than the site (old versions).
    pub fn trim(&mut self, papers: usize) {
        if crate::model::cache_outgrown(self.0.len(), papers) {
            self.0.clear();
        }
    }
}

/// Fills `paper.tags` and `site.tags`. Tag pages list papers newest first; a tag's display
/// name is its topic's name, else the explicit name first written for it.
pub fn apply(site: &mut Site, tax: &Taxonomy) {
    let (lexicon, tokens) = Lexicon::of_papers(&site.papers);
    let matcher = tax.matcher(&lexicon);
    apply_cached(site, tax, &mut TagCache::default(), &matcher, &tokens);
}

/// [`apply`], computing automatic tags only for papers not in `cache`, from their words in
/// `tokens` (by paper; `Some` for every paper not in the cache), read through `matcher`.
pub(super) fn apply_cached(
    site: &mut Site,
    tax: &Taxonomy,
    cache: &mut TagCache,
    matcher: &Matcher,
    tokens: &[Option<Tokens>],
) {
    let missing: Vec<(u64, Vec<String>)> = site
        .papers
        .par_iter()
        .zip(tokens)
        .filter(|(p, _)| !cache.has(p.text_hash))
        .map(|(p, tokens)| {
            let tags = match tokens {
                _ if !tax.config.auto => Vec::new(),
                Some(tokens) => tax.tags_of(matcher, tokens),
                None => panic!("no words for a paper missing from the tag cache"),
            };
            (p.text_hash, tags)
        })
        .collect();
    cache.0.extend(missing);
    // A corpus uses few distinct tag names, each on many papers: normalise each once.
    let mut slugs: FxHashMap<String, String> = FxHashMap::default();
    for p in &site.papers {
        for name in &p.explicit_tags {
            if !slugs.contains_key(name.as_str()) {
                slugs.insert(name.clone(), tax.normalize(name));
            }
        }
    }
    let per_paper: Vec<Vec<&str>> = site
        .papers
        .par_iter()
        .map(|p| paper_tags(p, tax, &cache.0[&p.text_hash], &slugs))
        .collect();
    // Hashed while filling (tens of thousands of lookups), sorted once.
    let mut index: FxHashMap<&str, (String, Vec<usize>)> = FxHashMap::default();
    for (id, (paper, slugs)) in site.papers.iter().zip(&per_paper).enumerate() {
        for &s in slugs {
            let entry = index.entry(s).or_insert_with(|| {
                let name = tax.topic_name(s).map(str::to_string).unwrap_or_else(|| {
                    paper
                        .explicit_tags
                        .iter()
                        .find(|n| tax.normalize(n) == s)
                        .cloned()
                        .unwrap_or_else(|| s.to_string())
                });
                (name, Vec::new())
            });
            entry.1.push(id);
        }
    }
    let mut index: Vec<(&str, (String, Vec<usize>))> = index.into_iter().collect();
    index.sort_unstable_by_key(|&(slug, _)| slug);
    let tag_ids: FxHashMap<&str, usize> = index.iter().enumerate().map(|(i, &(s, _))| (s, i)).collect();
    for (paper, slugs) in site.papers.iter_mut().zip(&per_paper) {
        paper.tags = slugs.iter().map(|s| tag_ids[s]).collect();
    }
    site.tags = index
        .into_iter()
        .map(|(slug, (name, papers))| Tag {
            slug: slug.to_string(),
            name,
            papers,
        })
        .collect();
    let newest = site.papers_newest_first();
    let mut rank = vec![0; newest.len()];
    for (r, &id) in newest.iter().enumerate() {
        rank[id] = r;
    }
    for tag in &mut site.tags {
        tag.papers.sort_by_key(|&p| rank[p]);
    }
}
