//! `sitemap.xml`: every page, so search engines find papers that are no longer on the
//! home page. Small and flat enough that a hand-written writer is the clearest.

use std::fmt::Write as _;
use std::hash::Hash;

use chrono::NaiveDate;

use crate::model::{Links, Site, issue_dir, paper_dir, tag_dir};
use crate::render::Renderer;
use crate::render::jobs::{Files, Fingerprint};
use crate::text::escape_html;

/// The sitemap protocol's limits per file: 50,000 URLs and 50 MB.
const MAX_URLS: usize = 50_000;
const MAX_BYTES: usize = 50 * 1024 * 1024;

impl Renderer<'_> {
    /// `/sitemap.xml` (a sitemap index past the protocol's limits, with `sitemap-N.xml`
    /// beside it) and `/robots.txt`.
    pub(crate) fn sitemap_files(&self) -> Files {
        let mut files = sitemaps(entries(self.site, self.search_page), &self.links, MAX_URLS, MAX_BYTES);
        files.push(("robots.txt".into(), robots(&self.links)));
        files
    }

    /// What the sitemap shows: every page and its last change.
    pub(crate) fn hash_sitemap(&self, h: &mut Fingerprint) {
        let site = self.site;
        self.search_page.hash(h);
        site.issues.iter().map(|i| i.date).for_each(|d| d.hash(h));
        for p in &site.papers {
            (&p.slug, p.issues.last().map(|&i| site.issues[i].date)).hash(h);
        }
        for t in &site.tags {
            (&t.slug, t.papers.first().map(|&p| site.papers[p].date)).hash(h);
        }
    }
}

/// Every page as `(output path, last change)`, made as the sitemap is written: at a million
/// papers a list of them all was 150 MB, held while the build was at its peak. `lastmod`
/// is the newest paper date a page lists.
fn entries(site: &Site, search_page: bool) -> impl Iterator<Item = (String, Option<NaiveDate>)> + '_ {
    let newest = site.issues.last().map(|i| i.date);
    let sections = ["", "issues/", "tags/", "search/"]
        .into_iter()
        .filter(move |&dir| search_page || dir != "search/")
        .map(move |dir| (dir.to_string(), newest));
    let issues = site
        .issues
        .iter()
        .map(|issue| (issue_dir(&issue.slug()), Some(issue.date)));
    // A paper's page lists every issue it trended in, so it changes with the last one.
    let papers = site.papers.iter().map(|p| {
        let last = p.issues.last().map_or(p.date, |&i| site.issues[i].date);
        (paper_dir(&p.slug), Some(last))
    });
    let tags = site
        .tags
        .iter()
        .map(|t| (tag_dir(&t.slug), t.papers.first().map(|&p| site.papers[p].date)));
    sections.chain(issues).chain(papers).chain(tags)
}

/// `sitemap.xml` alone while the pages fit in one file; else `sitemap-1.xml`, … of at most
/// `max_urls` URLs and `max_bytes` bytes each, and `sitemap.xml` as their index.
fn sitemaps(
    entries: impl IntoIterator<Item = (String, Option<NaiveDate>)>,
    links: &Links,
    max_urls: usize,
    max_bytes: usize,
) -> Files {
    const HEAD: &str =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    const TAIL: &str = "</urlset>\n";
    let mut parts: Vec<(String, Option<NaiveDate>)> = Vec::new();
    let mut part = String::from(HEAD);
    let (mut urls, mut newest) = (0, None::<NaiveDate>);
    for (rel, lastmod) in entries {
        let mut line = format!("  <url><loc>{}</loc>", escape_html(&links.abs(&rel)));
        if let Some(d) = lastmod {
            let _ = write!(line, "<lastmod>{d}</lastmod>");
        }
        line.push_str("</url>\n");
        if urls > 0 && (urls == max_urls || part.len() + line.len() + TAIL.len() > max_bytes) {
            part.push_str(TAIL);
            parts.push((std::mem::replace(&mut part, String::from(HEAD)), newest.take()));
            urls = 0;
        }
        part.push_str(&line);
        urls += 1;
        newest = newest.max(lastmod);
    }
    part.push_str(TAIL);
    if parts.is_empty() {
        return vec![("sitemap.xml".into(), part.into_bytes())];
    }
    parts.push((part, newest));
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut files = Vec::with_capacity(parts.len() + 1);
    for (k, (xml, lastmod)) in parts.into_iter().enumerate() {
        let name = format!("sitemap-{}.xml", k + 1);
        let _ = write!(index, "  <sitemap><loc>{}</loc>", escape_html(&links.abs(&name)));
        if let Some(d) = lastmod {
            let _ = write!(index, "<lastmod>{d}</lastmod>");
        }
        index.push_str("</sitemap>\n");
        files.push((name, xml.into_bytes()));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".into(), index.into_bytes()));
    files
}

/// `robots.txt`: everything may be crawled, and the sitemap is where to start.
fn robots(links: &Links) -> Vec<u8> {
    format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", links.abs("sitemap.xml")).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn entries(n: usize) -> Vec<(String, Option<NaiveDate>)> {
        (0..n)
            .map(|i| {
                (
                    format!("papers/p{i}/"),
                    NaiveDate::from_ymd_opt(2026, 1, i as u32 % 28 + 1),
                )
            })
            .collect()
    }

    #[test]
    fn one_sitemap_while_the_pages_fit() {
        let files = sitemaps(entries(3), &Links::new(&Config::default()), 3, MAX_BYTES);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap.xml");
        assert_eq!(String::from_utf8_lossy(&files[0].1).matches("<url>").count(), 3);
    }

    #[test]
    fn past_the_limits_an_index_lists_the_parts() {
        let links = Links::new(&Config::default());
        let files = sitemaps(entries(7), &links, 3, MAX_BYTES);
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            names,
            ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
        );
        let index = String::from_utf8_lossy(&files[0].1);
        assert!(index.contains("<sitemapindex"), "{index}");
        assert!(
            index.contains("<loc>http://127.0.0.1:1111/sitemap-3.xml</loc><lastmod>2026-01-07</lastmod>"),
            "{index}"
        );
        let counts: Vec<usize> = files[1..]
            .iter()
            .map(|f| String::from_utf8_lossy(&f.1).matches("<url>").count())
            .collect();
        assert_eq!(counts, [3, 3, 1]);
        // The byte limit splits too: each part stays under it.
        let files = sitemaps(entries(7), &links, 100, 400);
        assert!(files.len() > 2);
        assert!(
            files[1..].iter().all(|f| f.1.len() <= 400),
            "{:?}",
            files.iter().map(|f| f.1.len()).collect::<Vec<_>>()
        );
    }
}
