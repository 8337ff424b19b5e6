//! Tags: explicit ones from front matter, normalised to one slug per topic, and the tag
//! index that tag pages and per-tag feeds are built from.

use std::collections::BTreeMap;

use crate::model::{Site, Tag, TagId};
use crate::slug;

/// Fills `paper.tags` and `site.tags` from the papers' explicit tags. Tag names that
/// normalise to the same slug ("LLMs", "llms") are one tag, named as first written.
pub fn apply(site: &mut Site) {
    let mut index: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (id, paper) in site.papers.iter().enumerate() {
        for name in &paper.explicit_tags {
            let slug = slug::slugify(name);
            if slug.is_empty() {
                continue;
            }
            let entry = index.entry(slug).or_insert_with(|| (name.clone(), Vec::new()));
            if entry.1.last() != Some(&id) {
                entry.1.push(id);
            }
        }
    }
    site.tags = index
        .into_iter()
        .map(|(slug, (name, papers))| Tag { slug, name, papers })
        .collect();
    for paper in &mut site.papers {
        paper.tags.clear();
    }
    for (tag_id, tag) in site.tags.iter().enumerate() {
        for &p in &tag.papers {
            site.papers[p].tags.push(tag_id as TagId);
        }
    }
    let newest = site.papers_newest_first();
    let mut rank = vec![0; newest.len()];
    for (r, &id) in newest.iter().enumerate() {
        rank[id] = r;
    }
    for tag in &mut site.tags {
        tag.papers.sort_by_key(|&p| rank[p]);
    }
}
