//! An issue as email: one context for the self-contained `email.html` and its plain-text
//! twin `email.txt`.

use serde::Serialize;
use tera::Context;

use crate::model::{IssueId, display_date, issue_dir, paper_dir};
use crate::render::Renderer;
use crate::render::view::EMAIL_EXCERPT;
use crate::text::{excerpt, wrap};

impl Renderer<'_> {
    /// What the issue's email templates see: one context serves both the self-contained
    /// `email.html` (inline styles, tables, absolute links) and its plain-text twin
    /// `email.txt` (wrapped at 72 columns).
    pub(crate) fn email_context(&self, id: IssueId) -> Context {
        #[derive(Serialize)]
        struct EmailPaper {
            title: String,
            title_lines: Vec<String>,
            url: String,
            excerpt: String,
            excerpt_lines: Vec<String>,
            tags: Vec<String>,
            tag_lines: Vec<String>,
        }
        #[derive(Serialize)]
        struct Email {
            subject: String,
            date_display: String,
            url: String,
            count: usize,
            papers: Vec<EmailPaper>,
        }
        let issue = &self.site.issues[id];
        let papers = issue
            .papers
            .iter()
            .map(|&pid| {
                let p = &self.site.papers[pid];
                let excerpt = excerpt(&p.abstract_text, EMAIL_EXCERPT);
                let tags: Vec<String> = p.tags.iter().map(|&t| self.site.tags[t].name.clone()).collect();
                let tag_lines = if tags.is_empty() {
                    Vec::new()
                } else {
                    wrap(&format!("[{}]", tags.join(", ")), 69)
                };
                EmailPaper {
                    title: p.title.to_string(),
                    title_lines: wrap(&p.title, 67),
                    url: self.links.abs(&paper_dir(&p.slug)),
                    excerpt_lines: wrap(&excerpt, 69),
                    excerpt,
                    tags,
                    tag_lines,
                }
            })
            .collect();
        let date_display = display_date(issue.date);
        let email = Email {
            subject: format!("{} — {date_display}", self.config.title),
            date_display,
            url: self.links.abs(&issue_dir(&issue.slug())),
            count: issue.papers.len(),
            papers,
        };
        let mut ctx = Context::new();
        ctx.insert("email", &email);
        ctx
    }
}
