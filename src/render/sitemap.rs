//! `sitemap.xml`: every page, so search engines find papers that are no longer on the
//! home page. Small and flat enough that a hand-written writer is the clearest.

use std::fmt::Write as _;
use std::hash::Hash;

use crate::model::{Links, Site, issue_dir, paper_dir, tag_dir};
use crate::render::Renderer;
use crate::render::jobs::{Files, Fingerprint};
use crate::text::escape_html;

impl Renderer<'_> {
    /// `/sitemap.xml` and `/robots.txt`.
    pub(crate) fn sitemap_files(&self) -> Files {
        vec![
            ("sitemap.xml".into(), render(self.site, &self.links)),
            ("robots.txt".into(), robots(&self.links)),
        ]
    }

    /// What the sitemap shows: every page and its last change.
    pub(crate) fn hash_sitemap(&self, h: &mut Fingerprint) {
        let site = self.site;
        site.issues.iter().map(|i| i.date).for_each(|d| d.hash(h));
        for p in &site.papers {
            (&p.slug, p.issues.last().map(|&i| site.issues[i].date)).hash(h);
        }
        for t in &site.tags {
            (&t.slug, t.papers.first().map(|&p| site.papers[p].date)).hash(h);
        }
    }
}

/// The sitemap document. `lastmod` is the newest paper date a page lists.
fn render(site: &Site, links: &Links) -> Vec<u8> {
    let mut out = String::with_capacity(256 + site.papers.len() * 120);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let newest = site.issues.last().map(|i| i.date.to_string());
    let mut url = |rel: &str, lastmod: Option<&str>| {
        let _ = write!(out, "  <url><loc>{}</loc>", escape_html(&links.abs(rel)));
        if let Some(d) = lastmod {
            let _ = write!(out, "<lastmod>{d}</lastmod>");
        }
        out.push_str("</url>\n");
    };
    url("", newest.as_deref());
    url("issues/", newest.as_deref());
    url("tags/", newest.as_deref());
    for issue in &site.issues {
        let d = issue.slug();
        url(&issue_dir(&d), Some(&d));
    }
    for p in &site.papers {
        // A paper's page lists every issue it trended in, so it changes with the last one.
        let last = p.issues.last().map_or(p.date, |&i| site.issues[i].date);
        url(&paper_dir(&p.slug), Some(&last.to_string()));
    }
    for t in &site.tags {
        let d = t.papers.first().map(|&p| site.papers[p].date.to_string());
        url(&tag_dir(&t.slug), d.as_deref());
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// `robots.txt`: everything may be crawled, and the sitemap is where to start.
fn robots(links: &Links) -> Vec<u8> {
    format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", links.abs("sitemap.xml")).into_bytes()
}
