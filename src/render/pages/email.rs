//! An issue as email: one context for the self-contained `email.html` and its plain-text
//! twin `email.txt`. A real day of 500 papers does not fit in an email (Gmail clips a
//! message at about 102 KB), so the email holds the day's top papers, new ones first, and
//! links to the full issue.

use anyhow::Result;
use serde::Serialize;
use tera::Context;

use crate::model::{IssueId, issue_dir, paper_dir};
use crate::render::Renderer;
use crate::render::jobs::Files;
use crate::render::view::{EMAIL_EXCERPT, short_authors};
use crate::text::{excerpt, wrap, wrap_list};

/// The largest `email.html`, in bytes: under Gmail's clipping point with room to spare for
/// what a newsletter tool adds.
pub(crate) const EMAIL_MAX_BYTES: usize = 100_000;

impl Renderer<'_> {
    /// `email.html` and `email.txt` of issue `id`, in the forms the theme has templates
    /// for: the first `[email] papers`, fewer if the HTML would pass [`EMAIL_MAX_BYTES`].
    pub(crate) fn email_files(&self, id: IssueId) -> Result<Files> {
        let templates: Vec<&str> = ["email.html", "email.txt"]
            .into_iter()
            .filter(|t| self.theme.has_template(t))
            .collect();
        if templates.is_empty() {
            return Ok(Vec::new());
        }
        let dir = issue_dir(&self.site.issues[id].slug());
        let mut shown = self.config.email.papers.min(self.site.issues[id].papers.len()).max(1);
        loop {
            let ctx = self.email_context(id, shown);
            let files = templates
                .iter()
                .map(|name| Ok((format!("{dir}{name}"), self.render_template(name, &ctx)?)))
                .collect::<Result<Files>>()?;
            let html = files.iter().find(|f| f.0.ends_with(".html")).map_or(0, |f| f.1.len());
            if html <= EMAIL_MAX_BYTES || shown == 1 {
                return Ok(files);
            }
            // Papers take about the same room each: shrink in proportion, with a margin.
            shown = (shown * EMAIL_MAX_BYTES * 9 / 10 / html).clamp(1, shown - 1);
        }
    }

    /// What the issue's email templates see: one context serves both the self-contained
    /// `email.html` (inline styles, tables, absolute links) and its plain-text twin
    /// `email.txt` (wrapped at 72 columns). `shown` papers, in the issue's order.
    fn email_context(&self, id: IssueId, shown: usize) -> Context {
        #[derive(Serialize)]
        struct EmailPaper {
            /// Its place, right-aligned to the widest (" 9", "10"), so that the text
            /// after every number starts in one column.
            number: String,
            title: String,
            title_lines: Vec<String>,
            url: String,
            authors: String,
            author_lines: Vec<String>,
            excerpt: String,
            excerpt_lines: Vec<String>,
            tags: Vec<String>,
            tag_lines: Vec<String>,
            again: bool,
        }
        #[derive(Serialize)]
        struct Email {
            subject: String,
            date_display: String,
            url: String,
            count: usize,
            shown: usize,
            more: usize,
            new: usize,
            /// The spaces a paper's lines after its first start with: as wide as "10. ".
            indent: String,
            papers: Vec<EmailPaper>,
        }
        let issue = &self.site.issues[id];
        let order = self.issue_order(id);
        let digits = shown.min(order.len()).max(1).to_string().len();
        // Lines of 72 columns, numbers and indents included.
        let width = 72 - (digits + 2);
        let papers = order
            .iter()
            .take(shown)
            .enumerate()
            .map(|(i, &(pid, again))| {
                let p = &self.site.papers[pid];
                let excerpt = excerpt(&p.abstract_text.read(), EMAIL_EXCERPT);
                let tags: Vec<String> = p.tags.iter().map(|&t| self.site.tags[t].name.clone()).collect();
                let tag_names: Vec<&str> = tags.iter().map(String::as_str).collect();
                let tag_lines = match tags.is_empty() {
                    true => Vec::new(),
                    false => wrap_list(&tag_names, "[", "]", width),
                };
                let authors = short_authors(&p.authors);
                // Whole names, and "… and 5 more" kept together.
                let author_items: Vec<&str> = authors.split(", ").collect();
                EmailPaper {
                    number: format!("{:>digits$}", i + 1),
                    title: p.title.to_string(),
                    title_lines: wrap(&p.title, width),
                    url: self.links.abs(&paper_dir(&p.slug)),
                    author_lines: wrap_list(&author_items, "", "", width),
                    authors,
                    excerpt_lines: wrap(&excerpt, width),
                    excerpt,
                    tags,
                    tag_lines,
                    again,
                }
            })
            .collect::<Vec<_>>();
        let date_display = self.dates.display(issue.date);
        let email = Email {
            subject: format!("{} — {date_display}", self.config.title),
            date_display,
            url: self.links.abs(&issue_dir(&issue.slug())),
            count: issue.papers.len(),
            shown: papers.len(),
            more: issue.papers.len() - papers.len(),
            new: order.iter().filter(|(_, again)| !again).count(),
            indent: " ".repeat(digits + 2),
            papers,
        };
        let mut ctx = Context::new();
        ctx.insert("email", &email);
        ctx
    }
}
