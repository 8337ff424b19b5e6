//! The issue pages: the home page (the newest issue), the archive and each issue's pages,
//! with the hashes of what each reads. A real day has 300-500 papers, so an issue is split
//! into pages of `[issues] per_page`, and papers that trended before are marked (and by
//! default listed after the day's new ones).

use std::hash::Hash;

use anyhow::Result;
use tera::{Context, Value};

use crate::config::Again;
use crate::model::{IssueId, PaperId, Site, issue_dir, page_path};
use crate::render::Renderer;
use crate::render::jobs::{Files, Fingerprint};
use crate::render::view::{IssueLink, Pager};

/// Titles an archive row shows of its issue's new papers.
const FIRST_TITLES: usize = 3;

impl Renderer<'_> {
    /// An issue as listings link to it.
    pub(crate) fn issue_link(&self, id: IssueId) -> IssueLink {
        let issue = &self.site.issues[id];
        let date = self.dates.iso(issue.date);
        let new: Vec<PaperId> = self.new_papers(id).collect();
        IssueLink {
            url: self.links.path(&issue_dir(&date)),
            date_display: self.dates.display(issue.date),
            weekday: self.lang.weekday(issue.date).to_string(),
            date,
            count: issue.papers.len(),
            new: new.len(),
            repeat: issue.repeat,
            first_titles: new
                .iter()
                .take(FIRST_TITLES)
                .map(|&p| self.site.papers[p].title.to_string())
                .collect(),
        }
    }

    /// The papers of issue `id` that trend for the first time, in trending order.
    pub(crate) fn new_papers(&self, id: IssueId) -> impl Iterator<Item = PaperId> + '_ {
        self.site.issues[id]
            .papers
            .iter()
            .copied()
            .filter(move |&p| self.site.is_new_in(p, id))
    }

    /// What [`Renderer::issue_link`] shows.
    pub(crate) fn hash_issue_link(&self, h: &mut Fingerprint, id: IssueId) {
        let issue = &self.site.issues[id];
        (issue.date, issue.papers.len(), issue.repeat).hash(h);
        let new: Vec<PaperId> = self.new_papers(id).collect();
        new.len().hash(h);
        for &p in new.iter().take(FIRST_TITLES) {
            self.summary_fp[p].hash(h);
        }
    }

    /// An issue's papers in the order its pages list them, each with whether it trended
    /// before: the new ones first (`[issues] again = "after"`), or all in trending order.
    pub(crate) fn issue_order(&self, id: IssueId) -> Vec<(PaperId, bool)> {
        let mut order: Vec<(PaperId, bool)> = self.site.issues[id]
            .papers
            .iter()
            .map(|&p| (p, !self.site.is_new_in(p, id)))
            .collect();
        if self.config.issues.again == Again::After {
            order.sort_by_key(|&(_, again)| again);
        }
        order
    }

    /// The page (from 1) of issue `issue` that lists paper `id`: what a paper's page links
    /// to, so that a reader of a 400-paper day lands where the paper is, not on page 1.
    pub(crate) fn issue_page_of(&self, issue: IssueId, id: PaperId) -> usize {
        let per_page = self.config.issues.per_page;
        let papers = &self.site.issues[issue].papers;
        if per_page == 0 || papers.len() <= per_page {
            return 1;
        }
        if let Some(&place) = self.listed.get(id).filter(|&&k| k != u32::MAX) {
            if self.site.is_new_in(id, issue) {
                return place as usize / per_page + 1;
            }
        }
        // Listed again: rare, and found in the issue's order.
        let place = self.issue_order(issue).iter().position(|&(p, _)| p == id).unwrap_or(0);
        place / per_page + 1
    }

    /// How many pages issue `id` has.
    pub(crate) fn issue_page_count(&self, id: IssueId) -> usize {
        match self.config.issues.per_page {
            0 => 1,
            n => self.site.issues[id].papers.len().div_ceil(n).max(1),
        }
    }

    /// Page `number` (from 1) of issue `id`: its papers and its neighbours, as the issue's
    /// pages and the home page show them.
    fn issue_context(&self, id: IssueId, number: usize) -> Context {
        let order = self.issue_order(id);
        let per_page = match self.config.issues.per_page {
            0 => order.len().max(1),
            n => n,
        };
        let total = self.issue_page_count(id);
        let start = ((number - 1) * per_page).min(order.len());
        let page = &order[start..(start + per_page).min(order.len())];
        let again_flagged = |p: PaperId| self.summary(p, Some(("again", Value::from(true))));
        let (mut papers, mut again) = (Vec::new(), Vec::new());
        for &(p, is_again) in page {
            match (is_again, self.config.issues.again) {
                (false, _) => papers.push(self.summary(p, None)),
                (true, Again::Inline) => papers.push(again_flagged(p)),
                (true, Again::After) => again.push(again_flagged(p)),
            }
        }
        let dir = issue_dir(&self.site.issues[id].slug());
        let page_url = |n: usize| self.links.path(&page_path(&dir, n).replace("index.html", ""));
        let mut ctx = Context::new();
        ctx.insert("issue", &self.issue_link(id));
        ctx.insert_value("papers", Value::from(papers));
        ctx.insert_value("again", Value::from(again));
        ctx.insert(
            "pager",
            &Pager {
                number,
                total,
                first: start + 1,
                prev: (number > 1).then(|| page_url(number - 1)),
                next: (number < total).then(|| page_url(number + 1)),
            },
        );
        ctx.insert("prev_issue", &id.checked_sub(1).map(|i| self.issue_link(i)));
        ctx.insert(
            "next_issue",
            &(id + 1 < self.site.issues.len()).then(|| self.issue_link(id + 1)),
        );
        ctx
    }

    /// What [`Renderer::issue_context`] shows, for every page of the issue.
    fn hash_issue_context(&self, h: &mut Fingerprint, id: IssueId) {
        self.hash_issue_link(h, id);
        for (p, again) in self.issue_order(id) {
            (self.summary_fp[p], again).hash(h);
        }
        id.checked_sub(1).map(|i| self.hash_issue_link(h, i)).hash(h);
        (id + 1 < self.site.issues.len())
            .then(|| self.hash_issue_link(h, id + 1))
            .hash(h);
    }

    /// `/`: the first page of the newest issue, the latest issues and every tag.
    pub(crate) fn home(&self) -> Result<Vec<u8>> {
        let mut ctx = match self.site.issues.len() {
            0 => Context::new(),
            n => self.issue_context(n - 1, 1),
        };
        let recent: Vec<IssueLink> = (0..self.site.issues.len())
            .rev()
            .take(10)
            .map(|i| self.issue_link(i))
            .collect();
        ctx.insert("recent_issues", &recent);
        ctx.insert_value("tags", self.tag_list());
        let meta = self.meta(self.config.title.clone(), self.config.description.clone(), "");
        self.render("index.html", ctx, meta)
    }

    /// What [`Renderer::home`] shows.
    pub(crate) fn hash_home(&self, h: &mut Fingerprint) {
        if let Some(last) = self.site.issues.len().checked_sub(1) {
            self.hash_issue_context(h, last);
        }
        for i in (0..self.site.issues.len()).rev().take(10) {
            self.hash_issue_link(h, i);
        }
        self.hash_tag_list(h);
    }

    /// `/issues/`: every issue, newest first, with its weekday, its new papers and their
    /// first titles.
    pub(crate) fn archive(&self) -> Result<Vec<u8>> {
        let issues: Vec<IssueLink> = (0..self.site.issues.len()).rev().map(|i| self.issue_link(i)).collect();
        let mut ctx = Context::new();
        ctx.insert("issues", &issues);
        let meta = self.meta(
            format!("{} — {}", self.lang.word("all_issues"), self.config.title),
            self.lang.fill("meta_all_issues", &[("site", &self.config.title)]),
            "issues/",
        );
        self.render("archive.html", ctx, meta)
    }

    /// What [`Renderer::archive`] shows.
    pub(crate) fn hash_archive(&self, h: &mut Fingerprint) {
        (0..self.site.issues.len()).for_each(|i| self.hash_issue_link(h, i));
    }

    /// An issue's pages, and its email in the forms the theme has templates for.
    pub(crate) fn issue_files(&self, id: IssueId) -> Result<Files> {
        let dir = issue_dir(&self.site.issues[id].slug());
        let mut files = Vec::with_capacity(self.issue_page_count(id) + 2);
        for number in 1..=self.issue_page_count(id) {
            files.push((page_path(&dir, number), self.issue(id, number)?));
        }
        files.extend(self.email_files(id)?);
        Ok(files)
    }

    /// What an issue's pages and email show (the email's longer excerpts are within what a
    /// paper's summary hash covers).
    pub(crate) fn hash_issue(&self, h: &mut Fingerprint, id: IssueId) {
        self.hash_issue_context(h, id);
    }

    /// `/issues/DAY/` and `/issues/DAY/page/N/`.
    fn issue(&self, id: IssueId, number: usize) -> Result<Vec<u8>> {
        let issue = &self.site.issues[id];
        let ctx = self.issue_context(id, number);
        let total = self.issue_page_count(id);
        let day = self.dates.display(issue.date);
        let title = match total {
            1 => format!("{day} — {}", self.config.title),
            _ => {
                let page = self.lang.fill(
                    "title_page",
                    &[
                        ("title", &day),
                        ("number", &number.to_string()),
                        ("total", &total.to_string()),
                    ],
                );
                format!("{page} — {}", self.config.title)
            }
        };
        let rel = page_path(&issue_dir(&issue.slug()), number).replace("index.html", "");
        let count = issue.papers.len().to_string();
        let description = self.lang.fill("meta_issue", &[("count", &count), ("day", &day)]);
        let meta = self.meta(title, description, &rel);
        self.render("issue.html", ctx, meta)
    }
}

/// Per paper, its place in the order its first issue's pages list it (see
/// [`Renderer::issue_order`]), `u32::MAX` for a paper no issue lists: what a paper's page
/// links to, found for every paper in one pass over the issues instead of one scan of a
/// 400-paper day per paper (45 ms of a 100,000-paper build's fingerprints).
pub(crate) fn first_listed(site: &Site, again: Again) -> Vec<u32> {
    let mut listed = vec![u32::MAX; site.papers.len()];
    for (id, issue) in site.issues.iter().enumerate() {
        // New papers come first when repeats go after them.
        let mut next = 0u32;
        for &p in &issue.papers {
            if site.is_new_in(p, id) {
                listed[p] = next;
                next += 1;
            } else if again == Again::Inline {
                next += 1;
            }
        }
    }
    listed
}
