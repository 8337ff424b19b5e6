//! Merging parsed files into the site: issues by day, each paper once however many files and
//! days list it, and slugs that never clash.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rustc_hash::{FxHashMap, FxHashSet};

use super::source::{RawPaper, SourceFile};
use crate::config::{Config, Repeats};
use crate::model::{Issue, Paper, PaperId, Site, short_hash};

/// Merges parsed files into issues and unique papers. Digest files of one day form one
/// issue, in file-name order; Markdown papers of that day follow, by time then path.
/// A paper seen again keeps its first page and date and is listed in every issue. Reads
/// the files without taking them: the watch loop keeps them for the next rebuild.
pub fn assemble<'a>(sources: impl IntoIterator<Item = &'a SourceFile>) -> Site {
    assemble_with(sources, &Rules::default())
}

/// What a build publishes of what the files hold.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// What to do about a day that only repeats the issue before it: crawlers re-publish
    /// Friday's list on Saturday and Sunday, and each would otherwise go out as a new issue,
    /// feed item and email.
    pub repeats: Repeats,
    /// Publish papers marked as drafts.
    pub drafts: bool,
    /// Publish nothing dated after this day (scheduled papers), when given.
    pub until: Option<NaiveDate>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            repeats: Repeats::Skip,
            drafts: true,
            until: None,
        }
    }
}

impl Rules {
    /// The rules of a config: `[issues] repeats`, `[build] drafts` and `future`.
    pub fn of(config: &Config) -> Rules {
        Rules {
            repeats: config.issues.repeats,
            drafts: config.build.drafts,
            until: (!config.build.future).then_some(config.build.today).flatten(),
        }
    }

    fn publishes(&self, paper: &RawPaper) -> bool {
        (self.drafts || !paper.draft) && self.until.is_none_or(|day| paper.date <= day)
    }
}

/// The key that puts content files in file-name order: folder, then the name without its
/// extension, then the extension. Whole paths would put `2026-11-26-evening.txt` before
/// `2026-11-26.txt` (`-` sorts before `.`), and the README promises that an evening file is
/// appended to its day.
fn file_order(
    path: &std::path::Path,
) -> (
    Option<&std::path::Path>,
    Option<&std::ffi::OsStr>,
    Option<&std::ffi::OsStr>,
) {
    (path.parent(), path.file_stem(), path.extension())
}

/// [`assemble`] with the rules of a build.
pub fn assemble_with<'a>(sources: impl IntoIterator<Item = &'a SourceFile>, rules: &Rules) -> Site {
    let repeats = rules.repeats;
    let mut sources: Vec<&SourceFile> = sources.into_iter().collect();
    // File-name order, whatever order the files were listed or parsed in.
    sources.sort_by(|a, b| file_order(&a.path).cmp(&file_order(&b.path)));
    type Day<'a> = (Vec<&'a Arc<RawPaper>>, Vec<&'a Arc<RawPaper>>);
    let mut by_day: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    for source in sources {
        for paper in source.papers.iter().filter(|p| rules.publishes(p)) {
            let day = by_day.entry(paper.date).or_default();
            if source.ordered {
                day.0.push(paper)
            } else {
                day.1.push(paper)
            }
        }
    }
    let mut site = Site::default();
    let total: usize = by_day.values().map(|(d, m)| d.len() + m.len()).sum();
    site.papers.reserve(total);
    let mut by_arxiv: FxHashMap<&str, PaperId> = FxHashMap::default();
    let mut by_title: FxHashMap<&str, PaperId> = FxHashMap::with_capacity_and_hasher(total, Default::default());
    // The papers of the last issue that was not a repeat.
    let mut last_new: FxHashSet<PaperId> = FxHashSet::default();
    for (date, (digest_papers, mut md_papers)) in by_day {
        md_papers.sort_by(|a, b| a.published.cmp(&b.published).then_with(|| a.source.cmp(&b.source)));
        let issue_id = site.issues.len();
        let mut issue = Issue {
            date,
            papers: Vec::new(),
            repeat: false,
        };
        let mut listed: FxHashSet<PaperId> = FxHashSet::default();
        for raw in digest_papers.into_iter().chain(md_papers) {
            let arxiv_key = raw.arxiv_key.as_deref();
            let existing = arxiv_key
                .and_then(|k| by_arxiv.get(k))
                .or_else(|| by_title.get(&*raw.title_key))
                .copied();
            let id = match existing {
                Some(id) => {
                    merge_into(&mut site.papers[id], raw);
                    id
                }
                None => {
                    let id = site.papers.len();
                    let mut paper = new_paper(raw);
                    paper.published = listing_time(&paper, issue.papers.len());
                    site.papers.push(paper);
                    id
                }
            };
            if let Some(k) = arxiv_key {
                by_arxiv.entry(k).or_insert(id);
            }
            by_title.entry(&raw.title_key).or_insert(id);
            if listed.insert(id) {
                issue.papers.push(id);
                site.papers[id].issues.push(issue_id);
            }
        }
        issue.repeat = !last_new.is_empty() && issue.papers.iter().all(|p| last_new.contains(p));
        if issue.repeat && repeats == Repeats::Skip {
            for &p in &issue.papers {
                site.papers[p].issues.pop();
            }
            continue;
        }
        if !issue.repeat {
            last_new = listed;
        }
        site.issues.push(issue);
    }
    assign_slugs(&mut site);
    site
}

/// When a paper was published, for feeds: the time its source gives, or, for a paper known
/// only by its day (published at midnight), a time from its place in the issue: the top
/// paper at 23:59:59, the next a second earlier, and so on. Feed entries then have distinct
/// times that do not change as the day's issue grows, and readers sort them in trending
/// order.
fn listing_time(paper: &Paper, position: usize) -> DateTime<Utc> {
    let midnight = paper.date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
    if paper.published != midnight {
        return paper.published;
    }
    let last_second = 24 * 60 * 60 - 1;
    midnight + chrono::Duration::seconds(last_second - position.min(last_second as usize) as i64)
}

fn new_paper(raw: &Arc<RawPaper>) -> Paper {
    Paper {
        record: raw.clone(),
        // The base slug until clashes are resolved in `assign_slugs`.
        slug: raw.slug_base.clone(),
        published: raw.published,
        tags: Vec::new(),
        issues: Vec::new(),
        related: Vec::new(),
    }
}

/// A later sighting of a known paper may know more about it (a Markdown file with authors
/// for a paper first scraped bare); it fills gaps but never replaces what is there. The
/// paper's record is copied only when something changes (duplicates are few).
fn merge_into(paper: &mut Paper, raw: &RawPaper) {
    let record = &*paper.record;
    let fills = record.authors.is_empty() && !raw.authors.is_empty()
        || record.url.is_none() && raw.url.is_some()
        || record.arxiv.is_none() && raw.arxiv.is_some()
        || record.pdf.is_none() && raw.pdf.is_some()
        || record.categories.is_empty() && !raw.categories.is_empty()
        || record.comment.is_none() && raw.comment.is_some()
        || record.draft && !raw.draft
        || raw.aliases.iter().any(|a| !record.aliases.contains(a))
        || raw.explicit_tags.iter().any(|t| !record.explicit_tags.contains(t));
    if !fills {
        return;
    }
    let paper = Arc::make_mut(&mut paper.record);
    if paper.authors.is_empty() {
        paper.authors = raw.authors.clone();
    }
    if paper.url.is_none() {
        paper.url = raw.url.clone();
    }
    if paper.arxiv.is_none() {
        paper.arxiv = raw.arxiv.clone();
    }
    if paper.pdf.is_none() {
        paper.pdf = raw.pdf.clone();
    }
    if paper.categories.is_empty() {
        paper.categories = raw.categories.clone();
    }
    if paper.comment.is_none() {
        paper.comment = raw.comment.clone();
    }
    // Published anywhere is published.
    paper.draft &= raw.draft;
    for alias in &raw.aliases {
        if !paper.aliases.contains(alias) {
            paper.aliases.push(alias.clone());
        }
    }
    for tag in &raw.explicit_tags {
        if !paper.explicit_tags.contains(tag) {
            paper.explicit_tags.push(tag.clone());
        }
    }
}

/// Slugs come from titles; a clash (two titles that fold to the same ASCII) gets a suffix
/// from a hash of the title, so the suffix does not depend on which paper came first.
fn assign_slugs(site: &mut Site) {
    // Usually no two titles clash, and every paper keeps its base slug.
    let mut bases: FxHashSet<&str> = FxHashSet::with_capacity_and_hasher(site.papers.len(), Default::default());
    if site.papers.iter().all(|p| bases.insert(&p.slug)) {
        return;
    }
    let mut used: FxHashSet<String> = FxHashSet::with_capacity_and_hasher(site.papers.len(), Default::default());
    for paper in &mut site.papers {
        let base = paper.slug.clone();
        let mut candidate = base.to_string();
        if used.contains(&candidate) {
            candidate = format!("{base}-{}", short_hash(&paper.title));
            let mut n = 2;
            while used.contains(&candidate) {
                candidate = format!("{base}-{}-{n}", short_hash(&paper.title));
                n += 1;
            }
        }
        used.insert(candidate.clone());
        paper.slug = candidate.into();
    }
}
