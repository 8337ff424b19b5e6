//! `paperboy tags --eval LABELS.tsv`: the site's automatic tags scored against tags chosen
//! by hand, so that a publisher can tune a taxonomy on their own papers (and we tune the
//! built-in one on real ones) by numbers rather than by anecdote.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use rustc_hash::FxHashMap;

use super::report::{doubt, learnt};
use super::{Strengths, TagCache, Taxonomy, neighbour_topics};
use crate::model::{PaperId, Site, arxiv_key};

/// One labelled paper: its id as the file writes it, the line, and its topics.
struct Label {
    id: String,
    line: usize,
    topics: BTreeSet<String>,
}

/// Reads `id<TAB>topics[<TAB>anything]` lines; topics are comma-separated slugs, possibly
/// none. A first line whose id is `id` is a header; blank lines and `#` comments are skipped.
fn parse_labels(text: &str, path: &Path) -> Result<Vec<Label>> {
    let mut labels = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t');
        let id = fields.next().unwrap_or("").trim();
        if id.is_empty() || (labels.is_empty() && id == "id") {
            continue;
        }
        let Some(topics) = fields.next() else {
            anyhow::bail!(
                "{}:{line_no}: expected `id<TAB>topics`, found no tab — separate the paper's id from its comma-separated topics with a tab",
                path.display()
            );
        };
        labels.push(Label {
            id: id.to_string(),
            line: line_no,
            topics: topics
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
        });
    }
    Ok(labels)
}

/// Counts of one topic, or of all of them.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The report of `paperboy tags --eval`: micro precision, recall and F1 over (paper, topic)
/// pairs, coverage, a table per topic, the most frequent wrong and missed topics, and with
/// `explain` every wrong or missed tag with the phrases that fired or the neighbours that
/// gave it. Only `topics` are scored (by default, those the labels use): a tag outside
/// them is neither right nor wrong.
pub fn evaluate(
    site: &Site,
    tax: &Taxonomy,
    labels: &str,
    labels_path: &Path,
    topics: Option<&[String]>,
    explain: bool,
) -> Result<String> {
    let labels = parse_labels(labels, labels_path)?;
    let scored: BTreeSet<String> = match topics {
        Some(t) => t.iter().cloned().collect(),
        None => labels.iter().flat_map(|l| l.topics.iter().cloned()).collect(),
    };
    let papers = papers_by_id(site);
    let mut out = String::new();
    let mut missing = Vec::new();
    let mut total = Counts::default();
    let mut per_topic: BTreeMap<&str, Counts> = scored.iter().map(|t| (t.as_str(), Counts::default())).collect();
    let (mut found, mut covered) = (0, 0);
    let mut errors: Vec<(PaperId, String, bool)> = Vec::new();
    for label in &labels {
        let Some(id) = paper_named(&papers, &label.id) else {
            missing.push(format!("{} (line {})", label.id, label.line));
            continue;
        };
        found += 1;
        let given: BTreeSet<&str> = site.papers[id]
            .tags
            .iter()
            .map(|&t| site.tags[t].slug.as_str())
            .collect();
        covered += usize::from(!given.is_empty());
        for topic in &scored {
            let (want, have) = (label.topics.contains(topic), given.contains(topic.as_str()));
            let c = per_topic.get_mut(topic.as_str()).expect("every scored topic has a row");
            match (want, have) {
                (true, true) => (c.tp, total.tp) = (c.tp + 1, total.tp + 1),
                (false, true) => {
                    (c.fp, total.fp) = (c.fp + 1, total.fp + 1);
                    errors.push((id, topic.clone(), false));
                }
                (true, false) => {
                    (c.fn_, total.fn_) = (c.fn_ + 1, total.fn_ + 1);
                    errors.push((id, topic.clone(), true));
                }
                (false, false) => {}
            }
        }
    }
    let _ = writeln!(
        out,
        "{found} of {} labelled papers found in the site; {} topics scored",
        labels.len(),
        scored.len()
    );
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "not found (by arXiv id or slug): {}{}",
            missing.iter().take(10).cloned().collect::<Vec<_>>().join(", "),
            if missing.len() > 10 { ", …" } else { "" }
        );
    }
    let unknown: Vec<&str> = scored
        .iter()
        .filter(|t| tax.topic_name(t).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let _ = writeln!(
            out,
            "labels use topics the taxonomy does not have: {}",
            unknown.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\nprecision {:.3}  recall {:.3}  F1 {:.3}  coverage {:.3} ({covered} of {found} papers tagged)\ntp {}  fp {}  fn {}\n",
        total.precision(),
        total.recall(),
        total.f1(),
        ratio(covered, found),
        total.tp,
        total.fp,
        total.fn_
    );
    topic_table(&mut out, &per_topic);
    most_frequent(&mut out, &per_topic);
    if explain {
        explain_errors(&mut out, site, tax, &errors);
    }
    Ok(out)
}

/// The paper `name` names in `papers` (from [`papers_by_id`]): by its arXiv id, with or
/// without `arXiv:` and version, else by its slug. Labels and `--explain` name papers alike.
pub(super) fn paper_named(papers: &FxHashMap<String, PaperId>, name: &str) -> Option<PaperId> {
    papers.get(&arxiv_key(name)).or_else(|| papers.get(name)).copied()
}

/// Papers by normalised arXiv id and by slug.
pub(super) fn papers_by_id(site: &Site) -> FxHashMap<String, PaperId> {
    let mut by_id = FxHashMap::default();
    for (id, p) in site.papers.iter().enumerate() {
        if let Some(a) = &p.arxiv {
            by_id.insert(arxiv_key(a), id);
        }
        by_id.insert(p.slug.to_string(), id);
    }
    by_id
}

fn topic_table(out: &mut String, per_topic: &BTreeMap<&str, Counts>) {
    let mut rows: Vec<(&&str, &Counts)> = per_topic.iter().collect();
    rows.sort_by_key(|(slug, c)| (std::cmp::Reverse(c.tp + c.fn_), **slug));
    let _ = writeln!(
        out,
        "{:<32} {:>8} {:>7} {:>5} {:>5} {:>5} {:>9} {:>7}",
        "topic", "labelled", "tagged", "tp", "fp", "fn", "precision", "recall"
    );
    for (slug, c) in rows {
        let _ = writeln!(
            out,
            "{:<32} {:>8} {:>7} {:>5} {:>5} {:>5} {:>9.2} {:>7.2}",
            slug,
            c.tp + c.fn_,
            c.tp + c.fp,
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall()
        );
    }
}

fn most_frequent(out: &mut String, per_topic: &BTreeMap<&str, Counts>) {
    for (what, count) in [
        ("wrong tags", (|c: &Counts| c.fp) as fn(&Counts) -> usize),
        ("missed tags", |c: &Counts| c.fn_),
    ] {
        let mut rows: Vec<(&str, usize)> = per_topic
            .iter()
            .map(|(s, c)| (*s, count(c)))
            .filter(|r| r.1 > 0)
            .collect();
        rows.sort_by_key(|&(s, n)| (std::cmp::Reverse(n), s));
        let list: Vec<String> = rows.iter().take(8).map(|(s, n)| format!("{s} {n}")).collect();
        let _ = writeln!(out, "\nmost frequent {what}: {}", list.join(", "));
    }
}

/// Every wrong and missed tag, with what fired (or nearly did).
fn explain_errors(out: &mut String, site: &Site, tax: &Taxonomy, errors: &[(PaperId, String, bool)]) {
    let cache = TagCache::of_site(site, tax);
    let strengths = Strengths::of(site, &cache, tax);
    let _ = writeln!(out, "\nwrong (+) and missed (-) tags, with the evidence:");
    for (id, topic, missed) in errors {
        let p = &site.papers[*id];
        let why = match tax
            .evidence(&p.title, &p.abstract_text.read())
            .into_iter()
            .find(|e| &e.slug == topic)
        {
            Some(e) => {
                let hits: Vec<String> = e
                    .hits
                    .iter()
                    .map(|h| format!("`{}` title x{} abstract x{}", h.signal, h.title, h.abstract_mentions))
                    .collect();
                let veto = match (e.vetoed_by, e.yielded_to, e.doubted, e.implied_by) {
                    (Some(v), _, _, _) => format!(", vetoed by `{v}`"),
                    (None, Some(to), _, _) => format!(", gives way to `{to}`"),
                    (None, None, Some(p), implied) => {
                        format!(", {}", doubt(p, e.score >= e.threshold || implied.is_some()))
                    }
                    (None, None, None, Some(by)) => format!(", implied by `{by}`"),
                    (None, None, None, None) => String::new(),
                };
                let learned = match &e.learned {
                    Some(l) => format!("; learned {}", learnt(l)),
                    None => String::new(),
                };
                let hits = if hits.is_empty() {
                    "no phrase matched".to_string()
                } else {
                    hits.join(", ")
                };
                format!("score {:.1}/{:.1}{veto}: {hits}{learned}", e.score, e.threshold)
            }
            None => "no phrase matched".to_string(),
        };
        let like = neighbour_topics(site, &strengths, tax, *id, false)
            .into_iter()
            .chain(neighbour_topics(site, &strengths, tax, *id, true))
            .find(|(t, _)| tax.slug_of(*t) == topic)
            .map(|(_, voters)| {
                let names: Vec<&str> = voters.iter().map(|&v| &*site.papers[v].title).collect();
                format!("; like: {}", names.join(" | "))
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} {topic}  {}  ({}:{})\n    {why}{like}",
            if *missed { '-' } else { '+' },
            p.title,
            p.source.display(),
            p.line
        );
    }
}
