//! `paperboy tags`: what the tags cover, and why a paper got its tags.

use anyhow::{Context as _, Result};

use super::eval::{paper_named, papers_by_id};
use super::learned::{DOUBT_RATIO, DOUBTS};
use super::{Learnt, Strengths, TagCache, Taxonomy, neighbour_topics};
use crate::model::{Paper, Site, Tag};

/// `paperboy tags`: each tag with its paper count (largest first), then the papers with no
/// tag, so a site owner sees at a glance what the taxonomy covers and what it misses.
pub fn report(site: &Site) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let total = site.papers.len().max(1);
    let mut tags: Vec<&Tag> = site.tags.iter().collect();
    tags.sort_by(|a, b| b.papers.len().cmp(&a.papers.len()).then_with(|| a.slug.cmp(&b.slug)));
    let _ = writeln!(out, "{} tags over {} papers", tags.len(), site.papers.len());
    for t in &tags {
        let share = 100.0 * t.papers.len() as f64 / total as f64;
        let _ = writeln!(
            out,
            "{:>6}  {:>5.1}%  {:<32}  {}",
            t.papers.len(),
            share,
            t.slug,
            t.name
        );
    }
    let untagged: Vec<&Paper> = site.papers.iter().filter(|p| p.tags.is_empty()).collect();
    let noun = if untagged.len() == 1 { "paper" } else { "papers" };
    let _ = writeln!(out, "\n{} {noun} with no tag", untagged.len());
    for p in untagged {
        let _ = writeln!(out, "  {}  ({}:{})", p.slug, p.source.display(), p.line);
    }
    out
}

/// What the learned stage makes of a topic, as `--explain` says it: the probability, the
/// one needed when it falls short, and the words that weigh most.
pub(super) fn learnt(l: &Learnt) -> String {
    let list: Vec<String> = l.words.iter().take(8).map(|(w, x)| format!("`{w}` +{x:.2}")).collect();
    let short = if l.gives() {
        String::new()
    } else {
        format!(" (needs {:.2})", l.needed)
    };
    format!("p = {:.2}{short} from {}", l.probability, list.join(", "))
}

/// Why the learned stage overruled a topic's phrases (see `DOUBTS` in `learned.rs`), as
/// `--explain` says it. Under the threshold the phrases would not give it anyway, but the
/// doubt also keeps the paper's neighbours from giving it, which is what a publisher
/// wondering why the neighbours did not needs to read.
pub(super) fn doubt(probability: f32, reached: bool) -> String {
    let doubted = format!("doubted by the learned stage (p = {probability:.2}, under {DOUBTS:.2}");
    if reached {
        format!("{doubted}; phrases under {DOUBT_RATIO}× the threshold)")
    } else {
        format!("below threshold, and {doubted}): neighbours cannot give it")
    }
}

/// `paperboy tags --explain SLUG`: which phrases gave which topic what score, and which
/// neighbours gave the topics the phrases alone did not. The paper can also be named by its
/// arXiv id, as `--eval` labels name it: that is what a publisher has at hand.
pub fn explain(site: &Site, tax: &Taxonomy, slug: &str) -> Result<String> {
    use std::fmt::Write as _;
    let id = paper_named(&papers_by_id(site), slug).with_context(|| {
        format!("no paper has the slug or arXiv id `{slug}` — the slug is the last part of its URL, /papers/<slug>/")
    })?;
    let paper = &site.papers[id];
    let mut out = String::new();
    let _ = writeln!(out, "{}\n  {}:{}", paper.title, paper.source.display(), paper.line);
    if !paper.explicit_tags.is_empty() {
        let _ = writeln!(out, "explicit tags: {}", paper.explicit_tags.join(", "));
    }
    let tags: Vec<&str> = paper.tags.iter().map(|&t| site.tags[t].slug.as_str()).collect();
    let _ = writeln!(
        out,
        "tags: {}",
        if tags.is_empty() {
            "(none)".to_string()
        } else {
            tags.join(", ")
        }
    );
    let evidence = tax.evidence(&paper.title, &paper.abstract_text.read());
    if evidence.is_empty() {
        let _ = writeln!(out, "\nno topic phrase matched");
    }
    // Why a topic the text gives is not among the paper's tags.
    let cut = if !paper.explicit_tags.is_empty() && !tax.config.auto_for_explicit {
        "passes, but not kept: the paper has explicit tags and `auto_for_explicit` is off".to_string()
    } else {
        format!(
            "passes, but not kept: a paper keeps its {} strongest automatic tags (`max_tags`)",
            tax.config.max_tags
        )
    };
    for e in evidence {
        let ruled_out = match (&e.vetoed_by, &e.yielded_to, e.doubted) {
            (Some(v), _, _) => Some(format!("vetoed by `{v}`")),
            (None, Some(to), _) => Some(format!("gives way to `{to}`")),
            (None, None, Some(p)) => Some(doubt(p, e.score >= e.threshold || e.implied_by.is_some())),
            (None, None, None) => None,
        };
        let verdict = match (ruled_out, e.passes()) {
            (Some(why), _) => why,
            (None, true) if !tags.contains(&e.slug.as_str()) => cut.clone(),
            (None, true) => match (&e.implied_by, &e.learned) {
                (Some(by), _) => format!("given: `{by}` implies it"),
                (None, Some(l)) if e.score < e.threshold => {
                    format!("given by its words (learned, p = {:.2})", l.probability)
                }
                _ => "given".to_string(),
            },
            (None, false) => "below threshold".to_string(),
        };
        let _ = writeln!(
            out,
            "\n{}  score {:.1} / {:.1}  {verdict}",
            e.slug, e.score, e.threshold
        );
        if let Some(l) = &e.learned {
            let _ = writeln!(out, "    learned: {}", learnt(l));
        }
        for h in e.hits {
            let _ = writeln!(
                out,
                "    {:<36} title x{}  abstract x{}  = {:.1}{}",
                format!("`{}`", h.signal),
                h.title,
                h.abstract_mentions,
                h.points,
                if h.support {
                    "  (supporting: counts beside another phrase)"
                } else {
                    ""
                }
            );
        }
    }
    if tax.config.neighbours {
        let cache = TagCache::of_site(site, tax);
        let strengths = Strengths::of(site, &cache, tax);
        let given = |t: u16| tags.contains(&tax.slug_of(t));
        // The tagger's own rule: a paper no phrase tags, and that has no explicit tag, may
        // take the topic three neighbours agree on.
        let untagged = strengths.rule_topics(id).is_empty() && paper.explicit_tags.is_empty();
        for (topic, voters) in neighbour_topics(site, &strengths, tax, id, untagged) {
            if !given(topic) {
                continue;
            }
            let names: Vec<&str> = voters.iter().map(|&v| &*site.papers[v].title).collect();
            let _ = writeln!(
                out,
                "\n{}  given by neighbours{}\n    like: {}",
                tax.slug_of(topic),
                if untagged { " (no phrase gave a tag)" } else { "" },
                names.join(" | ")
            );
        }
    }
    Ok(out)
}
