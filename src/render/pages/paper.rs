//! A paper's page: its abstract, authors, tags, issues, neighbours in its first issue and
//! related papers.

use std::hash::Hash;

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::model::{PaperId, Site, issue_dir, page_path, paper_anchor, paper_dir};
use crate::render::Renderer;
use crate::render::jobs::{Files, Fingerprint};
use crate::render::view::{OutLinks, title_html};
use crate::text::{escape_html, excerpt, href_encode, url_encode};

impl Renderer<'_> {
    /// `/papers/SLUG/`, and a redirect page at each of the paper's old addresses.
    pub(crate) fn paper_files(&self, id: PaperId) -> Result<Files> {
        let p = &self.site.papers[id];
        let mut files = vec![(format!("{}index.html", paper_dir(&p.slug)), self.paper(id)?)];
        let target = self.links.abs(&paper_dir(&p.slug));
        for alias in p.aliases.iter().filter(|a| **a != paper_dir(&p.slug)) {
            files.push((
                format!("{alias}index.html"),
                redirect_page(&target, &self.config.language),
            ));
        }
        Ok(files)
    }

    /// What a paper's page shows: the paper itself, its issues' dates, its neighbours'
    /// and related papers' summaries.
    pub(crate) fn hash_paper(&self, h: &mut Fingerprint, id: PaperId) {
        let site = self.site;
        let p = &site.papers[id];
        self.full_fp[id].hash(h);
        for &i in &p.issues {
            (site.issues[i].date, self.issue_page_of(i, id)).hash(h);
        }
        let (prev, next) = self.neighbours(id);
        (prev.map(|n| self.summary_fp[n]), next.map(|n| self.summary_fp[n])).hash(h);
        p.related.iter().for_each(|&r| self.summary_fp[r].hash(h));
    }

    /// After a patched save, by paper, whether its page may show something new (what
    /// [`Renderer::hash_paper`] reads): the papers the save touched or gave a new related
    /// list (`relisted`, `None` when any list may have changed), and when a touched paper's
    /// summary changed, the papers next to it in an issue and those that list it as
    /// related. `None` when any page may have changed. Fingerprinting 100,000 paper pages per save was most of what a save's
    /// fingerprints cost at that size.
    pub(crate) fn papers_to_check(&self, relisted: Option<&[PaperId]>) -> Option<Vec<bool>> {
        let (touched, moved, relisted) = (self.touched.as_ref()?, self.summaries_moved.as_ref()?, relisted?);
        let site = self.site;
        let mut check = vec![false; site.papers.len()];
        for &id in touched.iter().chain(relisted) {
            check[id] = true;
        }
        if moved.is_empty() {
            return Some(check);
        }
        for &id in moved {
            for &i in &site.papers[id].issues {
                let order = &site.issues[i].papers;
                for k in (0..order.len()).filter(|&k| order[k] == id) {
                    let before = k.checked_sub(1).map(|b| order[b]);
                    for n in before.into_iter().chain(order.get(k + 1).copied()) {
                        check[n] = true;
                    }
                }
            }
        }
        let mut moved = moved.clone();
        moved.sort_unstable();
        let lists: Vec<bool> = site
            .papers
            .par_iter()
            .map(|p| p.related.iter().any(|r| moved.binary_search(r).is_ok()))
            .collect();
        for (c, l) in check.iter_mut().zip(lists) {
            *c |= l;
        }
        Some(check)
    }

    /// The papers before and after `id` in its first issue, which its page links to.
    fn neighbours(&self, id: PaperId) -> (Option<PaperId>, Option<PaperId>) {
        let order = &self.site.issues[self.site.papers[id].issues[0]].papers;
        let pos = match self.places.get(id).map(|&k| k as usize) {
            Some(k) if order.get(k) == Some(&id) => k,
            _ => order.iter().position(|&x| x == id).unwrap_or(0),
        };
        let prev = pos.checked_sub(1).map(|k| order[k]);
        (prev, order.get(pos + 1).copied())
    }

    /// The page of one paper.
    fn paper(&self, id: PaperId) -> Result<Vec<u8>> {
        let p = &self.site.papers[id];
        let (prev, next) = self.neighbours(id);
        let neighbour = |n: Option<PaperId>| n.map(|n| self.summary(n, None));
        let (outbound, outbound_label) = match (&p.url, &p.arxiv) {
            (Some(url), _) => (href_encode(url), self.lang.word("read_the_paper").to_string()),
            (None, Some(id)) => {
                let id = id.trim_start_matches("arXiv:");
                (
                    format!("https://arxiv.org/abs/{}", href_encode(id)),
                    format!("arXiv:{id}"),
                )
            }
            (None, None) => (
                format!(
                    "https://arxiv.org/search/?query={}&searchtype=title",
                    url_encode(&p.title)
                ),
                self.lang.word("search_arxiv").to_string(),
            ),
        };
        #[derive(Serialize)]
        struct PaperView<'b> {
            title: &'b str,
            title_html: String,
            url: String,
            date: String,
            date_display: String,
            abstract_html: std::borrow::Cow<'b, str>,
            authors: &'b [String],
            /// A long author list split where the page folds it (see [`fold_authors`]).
            authors_first: &'b [String],
            authors_more: &'b [String],
            outbound: String,
            outbound_label: String,
            source_known: bool,
            arxiv: Option<&'b str>,
            abs_url: Option<String>,
            pdf_url: Option<String>,
            comment: Option<&'b str>,
            /// The source's subject categories (arXiv's `cs.CV`, ...), as given.
            categories: &'b [String],
            draft: bool,
            scheduled: bool,
        }
        let out = OutLinks::of(p);
        let (text, abstract_html) = p.abstract_with_page_html();
        let (authors_first, authors_more) = fold_authors(&p.authors);
        let mut ctx = Context::new();
        ctx.insert(
            "paper",
            &PaperView {
                title: &p.title,
                title_html: title_html(p),
                url: self.links.path(&paper_dir(&p.slug)),
                date: self.dates.iso(p.date),
                date_display: self.dates.display(p.date),
                abstract_html,
                authors: &p.authors,
                authors_first,
                authors_more,
                outbound,
                outbound_label,
                source_known: p.url.is_some() || p.arxiv.is_some(),
                arxiv: out.arxiv,
                abs_url: out.abs_url,
                pdf_url: out.pdf_url,
                comment: p.comment.as_deref(),
                categories: &p.categories,
                draft: p.draft,
                scheduled: self.config.build.today.is_some_and(|today| p.date > today),
            },
        );
        let tags: Vec<Value> = p.tags.iter().map(|&t| self.tag_links[t].clone()).collect();
        ctx.insert_value("tags", Value::from(tags));
        // Without counts: a paper's page need not change when its issue grows.
        #[derive(Serialize)]
        struct IssueRef {
            date: String,
            date_display: String,
            url: String,
        }
        let issues: Vec<IssueRef> = p
            .issues
            .iter()
            .map(|&i| {
                let day = self.site.issues[i].date;
                let date = self.dates.iso(day);
                let page = page_path(&issue_dir(&date), self.issue_page_of(i, id));
                IssueRef {
                    url: format!(
                        "{}#{}",
                        self.links.path(page.trim_end_matches("index.html")),
                        paper_anchor(&p.slug)
                    ),
                    date_display: self.dates.display(day),
                    date,
                }
            })
            .collect();
        ctx.insert("issues", &issues);
        ctx.insert_value("prev", neighbour(prev).unwrap_or(Value::none()));
        ctx.insert_value("next", neighbour(next).unwrap_or(Value::none()));
        ctx.insert_value("related", self.summaries_of(&p.related));
        let meta = self.meta(
            format!("{} — {}", p.title, self.config.title),
            excerpt(&text, 160),
            &paper_dir(&p.slug),
        );
        self.render("paper.html", ctx, meta)
    }
}

/// A page that sends readers (and search engines, by its canonical link) to `target`: what
/// an old address of a paper serves, so that links to it keep working.
fn redirect_page(target: &str, language: &str) -> Vec<u8> {
    let target = escape_html(target);
    let language = escape_html(language);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{language}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved</title>\n<link rel=\"canonical\" href=\"{target}\">\n<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n<meta name=\"robots\" content=\"noindex\">\n</head>\n<body>\n<p>This paper has moved to <a href=\"{target}\">{target}</a>.</p>\n</body>\n</html>\n"
    )
    .into_bytes()
}

/// Per paper, its place in the first issue that lists it: what `Renderer::neighbours`
/// reads. Looking each paper up in its issue was most of a save's fingerprints at 100,000
/// papers (a scan of a 400-paper day per paper).
pub(crate) fn first_places(site: &Site) -> Vec<u32> {
    let mut places = vec![u32::MAX; site.papers.len()];
    // A paper's issues are listed oldest first, so its first issue is the first to list
    // it (and `neighbours` checks the place before it trusts it).
    for issue in &site.issues {
        for (k, &p) in issue.papers.iter().enumerate() {
            if places[p] == u32::MAX {
                places[p] = k as u32;
            }
        }
    }
    places
}

/// A paper page shows at most this many authors before it folds the rest...
const AUTHORS_SHOWN: usize = 10;
/// ...once there are more than this many: a team paper lists 200 names, a screen and a half
/// on a phone before its abstract, and folding two names would only hide them.
const AUTHORS_FOLDED_OVER: usize = 12;

/// The authors a paper page shows, and those it folds away (none for a short list).
fn fold_authors(authors: &[String]) -> (&[String], &[String]) {
    match authors.len() > AUTHORS_FOLDED_OVER {
        true => authors.split_at(AUTHORS_SHOWN),
        false => (authors, &[]),
    }
}
