//! Feeds: the site's (a paper per item), each tag's, and the daily issues' (an issue per
//! item), as RSS 2.0, Atom 1.0 and JSON Feed from one [`Feed`] value.

mod write;

use std::hash::Hash;

use chrono::{DateTime, Utc};

pub(crate) use write::{atom, json, rss};

use crate::model::{IssueId, Links, PaperId, Site, TagId, issue_dir, paper_dir, tag_dir};
use crate::render::Renderer;
use crate::render::i18n::Language;
use crate::render::jobs::{Files, Fingerprint};
use crate::render::view::{EMAIL_EXCERPT, short_authors};
use crate::text::{escape_html, excerpt};

/// One feed: its metadata and its items, newest first, already limited.
#[derive(Debug, Clone)]
pub(crate) struct Feed {
    /// Feed title.
    pub(crate) title: String,
    /// Feed subtitle.
    pub(crate) description: String,
    /// Feed-level author (Atom requires one).
    pub(crate) author: String,
    /// Language code.
    pub(crate) language: String,
    /// Output path of the HTML page the feed mirrors (`""` for the home page).
    pub(crate) html_rel: String,
    /// Output folder the feed files live in (`""` for the root).
    pub(crate) self_rel: String,
    /// Items, newest first.
    pub(crate) items: Vec<Item>,
}

/// One entry of a feed, whatever it stands for (a paper, a whole issue), so that RSS, Atom
/// and JSON Feed are written from the same data and cannot drift apart.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Plain-text title.
    pub(crate) title: String,
    /// Output path of the item's page, relative to the site root.
    pub(crate) rel: String,
    /// When it was published.
    pub(crate) published: DateTime<Utc>,
    /// The body as HTML.
    pub(crate) html: String,
    /// Plain-text summary (JSON Feed `summary`).
    pub(crate) summary: String,
    /// `(slug, display name)` of its tags.
    pub(crate) tags: Vec<(String, String)>,
    /// Author names.
    pub(crate) authors: crate::model::SharedList,
}

impl Item {
    /// A paper as a feed item.
    pub(crate) fn paper(site: &Site, id: PaperId) -> Item {
        let p = &site.papers[id];
        Item {
            title: p.title.to_string(),
            rel: paper_dir(&p.slug),
            published: p.published,
            html: p.feed_abstract_html(),
            summary: excerpt(&p.abstract_text.read(), 280),
            tags: p
                .tags
                .iter()
                .map(|&t| (site.tags[t].slug.clone(), site.tags[t].name.clone()))
                .collect(),
            authors: p.authors.clone(),
        }
    }
}

impl Item {
    /// A whole issue as one feed item: every paper with its abstract, for readers who want
    /// the digest once a day rather than paper by paper.
    pub(crate) fn issue(site: &Site, id: IssueId, papers: &[(PaperId, bool)], links: &Links, lang: &Language) -> Item {
        let issue = &site.issues[id];
        // Laid out as the email is: a numbered list of titles, authors, excerpts and tags,
        // scanned in a reader where 30 whole abstracts under 30 headings were a 50 KB wall.
        let mut html = String::with_capacity(papers.len() * 700);
        let mut tags: Vec<(String, String)> = Vec::new();
        let again_note = format!("<br><em>{}.</em>", escape_html(lang.word("trending_again_heading")));
        html.push_str("<ol>\n");
        for &(pid, again) in papers {
            let p = &site.papers[pid];
            let authors = short_authors(&p.authors);
            let tag_names: Vec<&str> = p.tags.iter().map(|&t| site.tags[t].name.as_str()).collect();
            html.push_str(&format!(
                "<li><p><a href=\"{}\"><strong>{}</strong></a>{}{}{}</p>\n<p>{}</p>\n{}</li>\n",
                escape_html(&links.abs(&paper_dir(&p.slug))),
                escape_html(&p.title),
                if again { again_note.as_str() } else { "" },
                if authors.is_empty() { "" } else { "<br>" },
                escape_html(&authors),
                escape_html(&excerpt(&p.abstract_text.read(), EMAIL_EXCERPT)),
                match tag_names.is_empty() {
                    true => String::new(),
                    false => format!("<p><small>{}</small></p>\n", escape_html(&tag_names.join(" · "))),
                },
            ));
            for &t in &p.tags {
                let tag = (site.tags[t].slug.clone(), site.tags[t].name.clone());
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        html.push_str("</ol>\n");
        let count = issue.papers.len();
        let url = links.abs(&issue_dir(&issue.slug()));
        if papers.len() < count {
            html.push_str(&format!(
                "<p><a href=\"{}\">{} {}</a></p>\n",
                escape_html(&url),
                count - papers.len(),
                escape_html(lang.word("more_papers_in_full_issue"))
            ));
        }
        let date = lang.date(issue.date);
        // A day of papers seen before says so in its title, as the email's header does: a
        // reader can skip a Saturday that repeats Friday but for three papers.
        let new = issue.papers.iter().filter(|&&p| site.is_new_in(p, id)).count();
        let title = match count {
            1 => lang.fill("feed_issue_title_one", &[("date", &date)]),
            _ if new < count => lang.fill(
                "feed_issue_title_new",
                &[
                    ("date", &date),
                    ("count", &count.to_string()),
                    ("new", &new.to_string()),
                ],
            ),
            _ => lang.fill("feed_issue_title", &[("date", &date), ("count", &count.to_string())]),
        };
        Item {
            title,
            rel: issue_dir(&issue.slug()),
            published: issue.date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc(),
            html,
            summary: papers
                .iter()
                .take(5)
                .map(|&(p, _)| site.papers[p].title.to_string())
                .collect::<Vec<_>>()
                .join(" · "),
            tags,
            authors: Default::default(),
        }
    }
}

impl Renderer<'_> {
    /// `/rss.xml`, `/atom.xml` and `/feed.json`.
    pub(crate) fn site_feed_files(&self) -> Files {
        let feed = self.site_feed();
        vec![
            ("rss.xml".into(), rss(&feed, &self.links)),
            ("atom.xml".into(), atom(&feed, &self.links)),
            ("feed.json".into(), json(&feed, &self.links)),
        ]
    }

    /// What the site feeds show: the newest papers in full.
    pub(crate) fn hash_site_feeds(&self, h: &mut Fingerprint) {
        for p in self.site.newest_papers(self.config.feeds.limit) {
            self.full_fp[p].hash(h);
        }
    }

    /// `/issues/rss.xml`, `/issues/atom.xml` and `/issues/feed.json`.
    pub(crate) fn issue_feed_files(&self) -> Files {
        // `[feeds] issues = 0`: no issue feeds, rather than empty ones dated 1970.
        if self.config.feeds.issues == 0 {
            return Vec::new();
        }
        let feed = self.issue_feed();
        vec![
            ("issues/rss.xml".into(), rss(&feed, &self.links)),
            ("issues/atom.xml".into(), atom(&feed, &self.links)),
            ("issues/feed.json".into(), json(&feed, &self.links)),
        ]
    }

    /// What the issue feeds show: the newest issues, their first papers in full.
    pub(crate) fn hash_issue_feeds(&self, h: &mut Fingerprint) {
        for i in self.issues_newest_first() {
            let new = self.new_papers(i).count();
            (self.site.issues[i].date, self.site.issues[i].papers.len(), new).hash(h);
            for (p, again) in self.issue_order(i).into_iter().take(self.config.feeds.issue_papers) {
                (self.full_fp[p], again).hash(h);
            }
        }
    }

    /// The site feed: the newest papers.
    fn site_feed(&self) -> Feed {
        let papers = self.site.newest_papers(self.config.feeds.limit);
        Feed {
            title: self.config.title.clone(),
            description: self.config.description.clone(),
            author: self.config.author().to_string(),
            language: self.config.language.clone(),
            html_rel: String::new(),
            self_rel: String::new(),
            items: papers.into_iter().map(|p| Item::paper(self.site, p)).collect(),
        }
    }

    /// The daily-issue feed: one item per issue, newest first.
    fn issue_feed(&self) -> Feed {
        Feed {
            title: self.lang.fill("feed_issues_title", &[("site", &self.config.title)]),
            description: self
                .lang
                .fill("feed_issues_description", &[("site", &self.config.title)]),
            author: self.config.author().to_string(),
            language: self.config.language.clone(),
            html_rel: "issues/".into(),
            self_rel: "issues/".into(),
            items: self
                .issues_newest_first()
                .map(|i| {
                    let mut order = self.issue_order(i);
                    order.truncate(self.config.feeds.issue_papers);
                    Item::issue(self.site, i, &order, &self.links, &self.lang)
                })
                .collect(),
        }
    }

    /// The issues the issue feeds hold, newest first; a day that only repeats the one
    /// before it is not news.
    fn issues_newest_first(&self) -> impl Iterator<Item = IssueId> {
        (0..self.site.issues.len())
            .rev()
            .filter(|&i| !self.site.issues[i].repeat)
            .take(self.config.feeds.issues)
    }

    /// The papers of a tag's feed, newest first: `[feeds] limit` of them, or every paper of
    /// the tag's newest day when it has more. Someone who follows a topic expects all of it:
    /// cut at 50, a reader of Computer Vision who checked every day never saw two thirds of
    /// a real month's vision papers (139 on one day).
    pub(crate) fn tag_feed_papers(&self, id: TagId) -> &[PaperId] {
        let papers = &self.site.tags[id].papers;
        let newest = papers.first().map(|&p| self.site.papers[p].date);
        let newest_day = papers
            .iter()
            .take_while(|&&p| Some(self.site.papers[p].date) == newest)
            .count();
        &papers[..self.config.feeds.limit.max(newest_day).min(papers.len())]
    }

    /// A tag's feed: its newest papers (see [`Renderer::tag_feed_papers`]).
    pub(crate) fn tag_feed(&self, id: TagId) -> Feed {
        let tag = &self.site.tags[id];
        let papers = self.tag_feed_papers(id).to_vec();
        Feed {
            title: format!("{} — {}", tag.name, self.config.title),
            description: self.lang.fill(
                "feed_tag_description",
                &[("tag", &tag.name), ("site", &self.config.title)],
            ),
            author: self.config.author().to_string(),
            language: self.config.language.clone(),
            html_rel: tag_dir(&tag.slug),
            self_rel: tag_dir(&tag.slug),
            items: papers.into_iter().map(|p| Item::paper(self.site, p)).collect(),
        }
    }
}
