//! Tags. A scraped digest carries none, yet readers navigate and subscribe by topic, so
//! papers are tagged automatically from a taxonomy of topics (phrases that signal a topic,
//! phrases that veto it), merged with explicit tags from front matter, and every tag name is
//! normalised to one slug.
//!
//! Automatic tags come in three stages. The phrases of each paper give each topic a strength
//! ([`Taxonomy::strengths`]); a topic at its threshold is a tag. The learned stage gives the
//! built-in topics that the paper's words weigh for (`learned.rs`), named or not. Then each
//! paper looks at its nearest neighbours (the first related papers): a topic that two of
//! them carry and that the paper's own phrases half support is a tag too, and a paper that
//! would have no tag at all takes a topic three of them agree on. Phrases miss what a paper
//! does not spell out ("models" for "language models"); its words and its neighbours do not.

mod eval;
mod learned;
mod report;
mod stored;
mod taxonomy;

use std::cmp::Reverse;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

pub use eval::evaluate;
pub use learned::{Learned, stem_counts};
pub use report::{explain, report};
pub use stored::stored_key;
pub use taxonomy::{BUILTIN_TAXONOMY, Evidence, Hit, Learnt, Matcher, Strength, Taxonomy};

use super::lexicon::{Lexicon, Tokens};
use crate::model::{Paper, PaperId, Site, Tag, TagId};

/// Neighbours a paper consults: the first related papers.
const NEIGHBOURS: usize = 4;
// The neighbours that vote for a topic are kept as bits of a `u8`.
const _: () = assert!(NEIGHBOURS <= 8);
/// Neighbours that must carry a topic the paper's phrases half support...
const AGREE: usize = 2;
/// ...and the share of its threshold those phrases must reach.
const SUPPORT: f32 = 0.5;
/// Neighbours that must agree to tag a paper that has no tag otherwise.
const AGREE_UNTAGGED: usize = 3;

/// Each paper's topic strengths by paper text, kept across rebuilds in watch mode: an edit
/// reads only the papers whose text changed. Valid for one taxonomy.
#[derive(Debug, Default)]
pub struct TagCache(FxHashMap<u64, Arc<[Strength]>>);

impl TagCache {
    /// Whether the strengths of a paper with this text are known.
    pub fn has(&self, text_hash: u64) -> bool {
        self.0.contains_key(&text_hash)
    }

    /// Forgets everything when it holds far more papers than the site (old versions); says
    /// whether it did.
    pub fn trim(&mut self, papers: usize) -> bool {
        let outgrown = crate::model::cache_outgrown(self.0.len(), papers);
        if outgrown {
            self.0.clear();
        }
        outgrown
    }

    /// Every paper's strengths, read afresh: for reports that run once.
    pub fn of_site(site: &Site, tax: &Taxonomy) -> TagCache {
        let (lexicon, tokens) = Lexicon::of_papers(&site.papers);
        let mut cache = TagCache::default();
        gather(site, tax, &mut cache, &tax.matcher(&lexicon), &tokens);
        cache
    }

    /// The strengths of `paper`, which must have been gathered.
    fn of(&self, paper: &Paper) -> &[Strength] {
        &self.0[&paper.text_hash]
    }
}

/// Tags every paper of `site` from scratch with the papers' current related lists (empty
/// lists: the paper's own text decides): for callers that tag once (tests, fuzzing).
pub fn apply(site: &mut Site, tax: &Taxonomy) {
    let cache = TagCache::of_site(site, tax);
    assign(site, tax, &cache);
}

/// Reads the strengths of the papers not in `cache` from their words in `tokens` (by paper;
/// `Some` for every paper not in the cache), through `matcher`.
pub(super) fn gather(site: &Site, tax: &Taxonomy, cache: &mut TagCache, matcher: &Matcher, tokens: &[Option<Tokens>]) {
    let missing: Vec<(u64, Arc<[Strength]>)> = site
        .papers
        .par_iter()
        .zip(tokens)
        // A paper missing from the cache has words; asking only those is fewer lookups.
        .filter(|(p, tokens)| tokens.is_some() && !cache.has(p.text_hash))
        .map(|(p, tokens)| {
            let strengths = match tokens {
                _ if !tax.config.auto => Vec::new(),
                Some(tokens) => tax.strengths(matcher, tokens),
                None => panic!("no words for a paper missing from the tag cache"),
            };
            (p.text_hash, strengths.into())
        })
        .collect();
    cache.0.extend(missing);
}

/// Every paper's strengths and rule topics, by paper: looked up in the [`TagCache`] and
/// filtered once per paper, since the neighbour stage reads each paper's as its own and as
/// up to [`NEIGHBOURS`] others' (hash lookups and filtering were most of that stage's time).
pub(crate) struct Strengths<'c> {
    of: Vec<&'c [Strength]>,
    rules: Vec<Vec<u16>>,
}

impl<'c> Strengths<'c> {
    /// The strengths of every paper of `site`, which must have been gathered into `cache`.
    pub(crate) fn of(site: &Site, cache: &'c TagCache, tax: &Taxonomy) -> Self {
        let (of, rules) = site.papers.par_iter().map(|p| Self::one(p, cache, tax)).unzip();
        Strengths { of, rules }
    }

    /// The strengths of the papers `ids` alone (the others read as none): for a patch
    /// that revisits a few papers.
    fn of_some(site: &Site, cache: &'c TagCache, tax: &Taxonomy, ids: &[PaperId]) -> Self {
        let n = site.papers.len();
        let (mut of, mut rules) = (vec![&[][..]; n], vec![Vec::new(); n]);
        for &id in ids {
            (of[id], rules[id]) = Self::one(&site.papers[id], cache, tax);
        }
        Strengths { of, rules }
    }

    /// One paper's strengths, and the topics its own text gives (phrases, learned words).
    fn one(paper: &Paper, cache: &'c TagCache, tax: &Taxonomy) -> (&'c [Strength], Vec<u16>) {
        let strengths = cache.of(paper);
        let rules = strengths
            .iter()
            .filter(|s| s.passes())
            .take(tax.config.max_tags)
            .map(|s| s.topic)
            .collect();
        (strengths, rules)
    }

    /// The automatic tags of paper `id` by its own text: topics that pass, strongest first.
    fn rule_topics(&self, id: PaperId) -> &[u16] {
        &self.rules[id]
    }
}

/// The topics paper `id` takes from its neighbours, each with the neighbours that carry it:
/// see the module documentation. `untagged` says the paper has no tag otherwise.
pub(crate) fn neighbour_topics(
    site: &Site,
    strengths: &Strengths,
    tax: &Taxonomy,
    id: PaperId,
    untagged: bool,
) -> Vec<(u16, Vec<PaperId>)> {
    let related = &site.papers[id].related;
    neighbour_votes(site, strengths, tax, id, untagged)
        .into_iter()
        .map(|(topic, voters)| {
            let ids = (0..NEIGHBOURS).filter(|i| voters & (1 << i) != 0).map(|i| related[i]);
            (topic, ids.collect())
        })
        .collect()
}

/// [`neighbour_topics`] with the neighbours that carry each topic as a bit set of their
/// places in the related list: no list per topic and paper, as every paper is asked.
fn neighbour_votes(site: &Site, strengths: &Strengths, tax: &Taxonomy, id: PaperId, untagged: bool) -> Vec<(u16, u8)> {
    let own = strengths.of[id];
    let mut votes: Vec<(u16, u8)> = Vec::new();
    for (i, &n) in site.papers[id].related.iter().take(NEIGHBOURS).enumerate() {
        for &topic in strengths.rule_topics(n) {
            match votes.iter_mut().find(|v| v.0 == topic) {
                Some(v) => v.1 |= 1 << i,
                None => votes.push((topic, 1 << i)),
            }
        }
    }
    let strength = |topic: u16| own.iter().find(|s| s.topic == topic);
    let count = |voters: u8| voters.count_ones() as usize;
    votes.retain(|&(topic, voters)| match strength(topic) {
        Some(s) if s.vetoed || s.passes() => false,
        Some(s) => count(voters) >= AGREE && s.ratio >= SUPPORT || untagged && count(voters) >= AGREE_UNTAGGED,
        None => untagged && count(voters) >= AGREE_UNTAGGED,
    });
    // The paper's own support first, then how many neighbours agree, then the slug.
    let ratio = |topic: u16| strength(topic).map_or(0.0, |s| s.ratio);
    votes.sort_by(|a, b| {
        ratio(b.0)
            .total_cmp(&ratio(a.0))
            .then(count(b.1).cmp(&count(a.1)))
            .then_with(|| tax.slug_of(a.0).cmp(tax.slug_of(b.0)))
    });
    if untagged {
        votes.truncate(1);
    }
    votes
}

/// The automatic tag slugs of paper `id`: its phrases' topics, then its neighbours'.
fn auto_tags<'t>(
    site: &Site,
    strengths: &Strengths,
    tax: &'t Taxonomy,
    id: PaperId,
    has_explicit: bool,
) -> Vec<&'t str> {
    let config = &tax.config;
    if !config.auto || (has_explicit && !config.auto_for_explicit) {
        return Vec::new();
    }
    let mut topics: Vec<u16> = strengths.rule_topics(id).to_vec();
    if config.neighbours {
        let untagged = topics.is_empty() && !has_explicit;
        topics.extend(
            neighbour_votes(site, strengths, tax, id, untagged)
                .into_iter()
                .map(|(t, _)| t),
        );
    }
    topics.truncate(config.max_tags);
    topics.into_iter().map(|t| tax.slug_of(t)).collect()
}

/// The tag slugs of one paper: explicit ones first (as written, after aliases), then
/// automatic ones.
fn paper_tags<'t>(explicit: &[String], auto: Vec<&'t str>, slugs: &'t FxHashMap<String, String>) -> Vec<&'t str> {
    let mut tags: Vec<&str> = Vec::new();
    for name in explicit {
        let s = slugs[name.as_str()].as_str();
        if !s.is_empty() && !tags.contains(&s) {
            tags.push(s);
        }
    }
    for s in auto {
        if !tags.contains(&s) {
            tags.push(s);
        }
    }
    tags
}

/// Fills `paper.tags` and `site.tags` from the strengths in `cache` (gathered for every
/// paper) and each paper's related papers. Tag pages list papers newest first; a tag's
/// display name is its topic's name, else the explicit name first written for it.
pub(super) fn assign(site: &mut Site, tax: &Taxonomy, cache: &TagCache) {
    // A corpus uses few distinct tag names, each on many papers: normalise each once.
    let mut slugs: FxHashMap<String, String> = FxHashMap::default();
    for p in &site.papers {
        for name in &p.explicit_tags {
            if !slugs.contains_key(name.as_str()) {
                slugs.insert(name.clone(), tax.normalize(name));
            }
        }
    }
    let site_ref = &*site;
    let strengths = Strengths::of(site_ref, cache, tax);
    let per_paper: Vec<Vec<&str>> = (0..site.papers.len())
        .into_par_iter()
        .map(|id| {
            let paper = &site_ref.papers[id];
            let auto = auto_tags(site_ref, &strengths, tax, id, !paper.explicit_tags.is_empty());
            paper_tags(&paper.explicit_tags, auto, &slugs)
        })
        .collect();
    let (tags, paper_tags) = index_tags(site, tax, &per_paper);
    for (paper, ids) in site.papers.iter_mut().zip(paper_tags) {
        paper.tags = ids;
    }
    site.tags = tags;
}

/// Whether two related lists give a paper the same neighbours.
pub(super) fn same_neighbours(a: &[PaperId], b: &[PaperId]) -> bool {
    a.iter().take(NEIGHBOURS).eq(b.iter().take(NEIGHBOURS))
}

/// [`assign`] for a site that holds its last assignment, after the records of `edited`
/// changed and the neighbours of `moved` did: only the papers whose own text or
/// neighbours' topics changed are tagged again, and the tags' lists are patched. At
/// 100,000 papers tagging every paper and indexing the tags again took 80 ms of a save.
/// Returns the papers whose tags changed, or `None`, with nothing changed, when a tag
/// would appear or vanish: then assign all.
pub(super) fn assign_patched(
    site: &mut Site,
    tax: &Taxonomy,
    cache: &TagCache,
    edited: &[PaperId],
    moved: &[PaperId],
) -> Option<Vec<PaperId>> {
    let dirty = reached(site, edited, moved);
    if dirty.is_empty() {
        return Some(Vec::new());
    }
    let mut needed = dirty.clone();
    for &id in &dirty {
        needed.extend(site.papers[id].related.iter().take(NEIGHBOURS));
    }
    needed.sort_unstable();
    needed.dedup();
    let strengths = Strengths::of_some(site, cache, tax, &needed);
    let mut slugs: FxHashMap<String, String> = FxHashMap::default();
    for &id in &dirty {
        for name in &site.papers[id].explicit_tags {
            slugs.entry(name.clone()).or_insert_with(|| tax.normalize(name));
        }
    }
    let tag_ids: FxHashMap<&str, TagId> = site
        .tags
        .iter()
        .enumerate()
        .map(|(i, t)| (t.slug.as_str(), i))
        .collect();
    let mut changes: Vec<(PaperId, Vec<TagId>)> = Vec::new();
    for &id in &dirty {
        let paper = &site.papers[id];
        let auto = auto_tags(site, &strengths, tax, id, !paper.explicit_tags.is_empty());
        let slugs = paper_tags(&paper.explicit_tags, auto, &slugs);
        let ids = slugs
            .iter()
            .map(|s| tag_ids.get(s).copied())
            .collect::<Option<Vec<TagId>>>()?;
        if ids != paper.tags {
            changes.push((id, ids));
        }
    }
    if empties_a_tag(site, &changes) {
        return None;
    }
    let retagged = changes.iter().map(|(id, _)| *id).collect();
    for (id, tags) in changes {
        let old = std::mem::replace(&mut site.papers[id].tags, tags);
        let (papers, index) = (&site.papers, &mut site.tags);
        // Tag lists are newest first: later days first, then the site's order.
        let place = |list: &[PaperId]| {
            list.binary_search_by_key(&(Reverse(papers[id].date), id), |&p| (Reverse(papers[p].date), p))
        };
        for &t in old.iter().filter(|t| !papers[id].tags.contains(t)) {
            if let Ok(at) = place(&index[t].papers) {
                index[t].papers.remove(at);
            }
        }
        for &t in papers[id].tags.iter().filter(|t| !old.contains(t)) {
            if let Err(at) = place(&index[t].papers) {
                index[t].papers.insert(at, id);
            }
        }
    }
    Some(retagged)
}

/// The papers whose tags edits can change: the edited, those whose neighbours changed,
/// and those with an edited paper among their neighbours. In site order.
fn reached(site: &Site, edited: &[PaperId], moved: &[PaperId]) -> Vec<PaperId> {
    let mut dirty: Vec<PaperId> = edited.iter().chain(moved).copied().collect();
    if !edited.is_empty() {
        let edited: rustc_hash::FxHashSet<PaperId> = edited.iter().copied().collect();
        dirty.extend(
            site.papers
                .iter()
                .enumerate()
                .filter(|(_, p)| p.related.iter().take(NEIGHBOURS).any(|r| edited.contains(r)))
                .map(|(id, _)| id),
        );
    }
    dirty.sort_unstable();
    dirty.dedup();
    dirty
}

/// Whether giving the papers of `changes` their new tags leaves some tag with no paper.
fn empties_a_tag(site: &Site, changes: &[(PaperId, Vec<TagId>)]) -> bool {
    let mut sizes: FxHashMap<TagId, usize> = FxHashMap::default();
    for (id, new) in changes {
        let old = &site.papers[*id].tags;
        for t in old.iter().filter(|t| !new.contains(t)) {
            *sizes.entry(*t).or_insert(site.tags[*t].papers.len()) -= 1;
        }
        for t in new.iter().filter(|t| !old.contains(t)) {
            *sizes.entry(*t).or_insert(site.tags[*t].papers.len()) += 1;
        }
    }
    sizes.values().any(|&n| n == 0)
}

/// The site's tags, ordered by slug, each with its papers newest first; and each paper's
/// tags as indexes into them.
fn index_tags(site: &Site, tax: &Taxonomy, per_paper: &[Vec<&str>]) -> (Vec<Tag>, Vec<Vec<usize>>) {
    // Hashed while filling (tens of thousands of lookups), sorted once.
    let mut index: FxHashMap<&str, (String, Vec<usize>)> = FxHashMap::default();
    for (id, (paper, slugs)) in site.papers.iter().zip(per_paper).enumerate() {
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
    let paper_tags = per_paper
        .iter()
        .map(|slugs| slugs.iter().map(|s| tag_ids[s]).collect())
        .collect();
    let newest = site.papers_newest_first();
    let mut rank = vec![0; newest.len()];
    for (r, &id) in newest.iter().enumerate() {
        rank[id] = r;
    }
    let tags = index
        .into_iter()
        .map(|(slug, (name, mut papers))| {
            papers.sort_by_key(|&p| rank[p]);
            Tag {
                slug: slug.to_string(),
                name,
                papers,
            }
        })
        .collect();
    (tags, paper_tags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, TaggingConfig};

    /// A day of five papers: the first as `first` says, the second with no topic of its
    /// own, two on reinforcement learning and one on music.
    fn site(first: &str) -> Site {
        let rl = "We train the policy with reinforcement learning and Q-learning; reinforcement learning with Q-learning wins.";
        let text = format!(
            "Paper Zero\n{first}\nPaper One\nWe study a method and report results.\nPaper Two\n{rl}\nPaper Three\n{rl}\nPaper Four\nWe compose music with chords.\n"
        );
        let file = crate::content::parse_text(
            &text,
            std::path::Path::new("2026-01-01.txt"),
            &Config::default(),
            &mut |_| {},
        );
        let mut site = crate::content::assemble([&file.expect("the digest parses")]);
        // Fixed neighbours, the same before and after the edit: paper one consults the
        // edited paper and two others.
        for (id, paper) in site.papers.iter_mut().enumerate() {
            paper.related = (0..5).filter(|&o| o != id).collect();
        }
        site
    }

    #[test]
    fn a_patch_reaches_the_papers_that_have_the_edited_one_as_neighbour() {
        let tax = Taxonomy::new(&TaggingConfig::default()).unwrap();
        let mut patched = site("We study robots at home.");
        let before = TagCache::of_site(&patched, &tax);
        assign(&mut patched, &tax, &before);
        let one = |site: &Site| {
            site.papers[1]
                .tags
                .iter()
                .map(|&t| site.tags[t].slug.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            one(&patched),
            Vec::<String>::new(),
            "two neighbours on a topic do not tag an untagged paper"
        );
        // Paper zero now carries the topic too: paper one's three neighbours agree.
        let edited =
            site("We train a policy with reinforcement learning and Q-learning; reinforcement learning again.");
        patched.papers[0].record = edited.papers[0].record.clone();
        let cache = TagCache::of_site(&patched, &tax);
        assert_eq!(
            assign_patched(&mut patched, &tax, &cache, &[0], &[]),
            Some(vec![0, 1, 4])
        );
        let mut fresh = edited;
        assign(&mut fresh, &tax, &cache);
        assert_eq!(one(&fresh), ["reinforcement-learning"]);
        let tags = |site: &Site| {
            format!(
                "{:?} {:?}",
                site.tags,
                site.papers.iter().map(|p| &p.tags).collect::<Vec<_>>()
            )
        };
        assert_eq!(tags(&patched), tags(&fresh));
    }
}
