//! The issue pages: the home page (the newest issue), the archive and each issue's page,
//! with the hashes of what each reads.

use std::hash::Hash;

use anyhow::Result;
use tera::Context;

use crate::model::{IssueId, display_date, issue_dir};
use crate::render::Renderer;
use crate::render::jobs::{Files, Fingerprint};
use crate::render::view::IssueLink;

impl Renderer<'_> {
    /// An issue as listings link to it.
    pub(crate) fn issue_link(&self, id: IssueId) -> IssueLink {
        let issue = &self.site.issues[id];
        let date = self.dates.iso(issue.date);
        IssueLink {
            url: self.links.path(&issue_dir(&date)),
            date_display: self.dates.display(issue.date),
            date,
            count: issue.papers.len(),
        }
    }

    /// What [`Renderer::issue_link`] shows.
    pub(crate) fn hash_issue_link(&self, h: &mut Fingerprint, id: IssueId) {
        let issue = &self.site.issues[id];
        (issue.date, issue.papers.len()).hash(h);
    }

    /// An issue's papers and its neighbours, as its page and the home page show them.
    fn issue_context(&self, id: IssueId) -> Context {
        let issue = &self.site.issues[id];
        let mut ctx = Context::new();
        ctx.insert("issue", &self.issue_link(id));
        ctx.insert_value("papers", self.summaries_of(&issue.papers));
        ctx.insert("prev_issue", &id.checked_sub(1).map(|i| self.issue_link(i)));
        ctx.insert(
            "next_issue",
            &(id + 1 < self.site.issues.len()).then(|| self.issue_link(id + 1)),
        );
        ctx
    }

    /// What [`Renderer::issue_context`] shows.
    fn hash_issue_context(&self, h: &mut Fingerprint, id: IssueId) {
        self.hash_issue_link(h, id);
        for &p in &self.site.issues[id].papers {
            self.summary_fp[p].hash(h);
        }
        id.checked_sub(1).map(|i| self.hash_issue_link(h, i)).hash(h);
        (id + 1 < self.site.issues.len())
            .then(|| self.hash_issue_link(h, id + 1))
            .hash(h);
    }

    /// `/`: the newest issue, the latest issues and every tag.
    pub(crate) fn home(&self) -> Result<Vec<u8>> {
        let mut ctx = match self.site.issues.len() {
            0 => Context::new(),
            n => self.issue_context(n - 1),
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

    /// `/issues/`: every issue, newest first.
    pub(crate) fn archive(&self) -> Result<Vec<u8>> {
        let issues: Vec<IssueLink> = (0..self.site.issues.len()).rev().map(|i| self.issue_link(i)).collect();
        let mut ctx = Context::new();
        ctx.insert("issues", &issues);
        let meta = self.meta(
            format!("All issues — {}", self.config.title),
            format!("Every issue of {}, newest first.", self.config.title),
            "issues/",
        );
        self.render("archive.html", ctx, meta)
    }

    /// What [`Renderer::archive`] shows.
    pub(crate) fn hash_archive(&self, h: &mut Fingerprint) {
        (0..self.site.issues.len()).for_each(|i| self.hash_issue_link(h, i));
    }

    /// An issue's page, and its email in the forms the theme has templates for.
    pub(crate) fn issue_files(&self, id: IssueId) -> Result<Files> {
        let dir = issue_dir(&self.site.issues[id].slug());
        let mut files = vec![(format!("{dir}index.html"), self.issue(id)?)];
        let templates = ["email.html", "email.txt"]
            .into_iter()
            .filter(|t| self.theme.has_template(t));
        let mut email = None;
        for name in templates {
            let ctx = email.get_or_insert_with(|| self.email_context(id));
            files.push((format!("{dir}{name}"), self.render_template(name, ctx)?));
        }
        Ok(files)
    }

    /// What an issue's page and email show (the email's longer excerpts are within what a
    /// paper's summary hash covers).
    pub(crate) fn hash_issue(&self, h: &mut Fingerprint, id: IssueId) {
        self.hash_issue_context(h, id);
    }

    /// `/issues/DAY/`: one issue in trending order.
    fn issue(&self, id: IssueId) -> Result<Vec<u8>> {
        let issue = &self.site.issues[id];
        let ctx = self.issue_context(id);
        let meta = self.meta(
            format!("{} — {}", display_date(issue.date), self.config.title),
            format!(
                "{} papers trending on {}.",
                issue.papers.len(),
                display_date(issue.date)
            ),
            &issue_dir(&issue.slug()),
        );
        self.render("issue.html", ctx, meta)
    }
}
