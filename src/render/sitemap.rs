//! `sitemap.xml`: every page, so search engines find papers that are no longer on the
//! home page. Small and flat enough that a hand-written writer is the clearest. Past the
//! protocol's limits, `sitemap.xml` is an index of `sitemap-1.xml`, `sitemap-2.xml`, …,
//! each its own job: a million papers' sitemap is 150 MB, which a single job held whole
//! while the build was at its peak, and a daily build rewrites only the parts that changed.

use std::fmt::Write as _;
use std::hash::Hash;
use std::ops::Range;

use chrono::NaiveDate;

use crate::model::{Issue, Links, MAX_PAPER_SLUG_LEN, Paper, Site, Tag, issue_dir, paper_dir, tag_dir};
use crate::render::Renderer;
use crate::render::jobs::{Files, Fingerprint};
use crate::text::escape_html;

/// The sitemap protocol's limits per file: 50,000 URLs and 50 MB.
const MAX_URLS: usize = 50_000;
const MAX_BYTES: usize = 50 * 1024 * 1024;

const HEAD: &str =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
const TAIL: &str = "</urlset>\n";
/// A URL line's bytes besides its location: `  <url><loc>`, `</loc><lastmod>`, the date,
/// `</lastmod></url>` and the line break.
const LINE_EXTRA: usize = 12 + 15 + 10 + 16 + 1;

/// The crawlers' file, written unless a static file of that name replaces it.
const ROBOTS: &str = "robots.txt";

impl Renderer<'_> {
    /// `/sitemap.xml` (every page, or the index of the parts when they do not fit in one
    /// file) and `/robots.txt`, unless the site or its theme brings its own (`static/robots.txt`:
    /// a publisher who keeps crawlers out of a staging site, or some of them out of all).
    pub(crate) fn sitemap_files(&self) -> Files {
        let pages = self.sitemap_pages();
        let sitemap = match pages.parts() {
            1 => urlset(pages.entries(0..pages.len()), &self.links),
            parts => index((0..parts).map(|k| pages.newest(pages.part(k))), &self.links),
        };
        let mut files = vec![("sitemap.xml".into(), sitemap)];
        if !self.theme.statics.iter().any(|(path, _)| path == ROBOTS) {
            files.push((ROBOTS.into(), robots(&self.links)));
        }
        files
    }

    /// `/sitemap-K.xml`: part `k` (from 0; K is `k + 1`) of a sitemap too large for one file.
    pub(crate) fn sitemap_part_files(&self, k: usize) -> Files {
        let pages = self.sitemap_pages();
        vec![(part_name(k), urlset(pages.entries(pages.part(k)), &self.links))]
    }

    /// How many `sitemap-K.xml` parts the sitemap has: none while one file holds it.
    pub(crate) fn sitemap_parts(&self) -> usize {
        match self.sitemap_pages().parts() {
            1 => 0,
            parts => parts,
        }
    }

    /// What `sitemap.xml` shows: every page and its last change, or when it is an index,
    /// how many parts there are and the last change in each.
    pub(crate) fn hash_sitemap(&self, h: &mut Fingerprint) {
        let pages = self.sitemap_pages();
        match pages.parts() {
            1 => pages.hash(h, 0..pages.len()),
            parts => (0..parts).for_each(|k| pages.newest(pages.part(k)).hash(h)),
        }
    }

    /// What part `k` of the sitemap shows.
    pub(crate) fn hash_sitemap_part(&self, h: &mut Fingerprint, k: usize) {
        let pages = self.sitemap_pages();
        pages.hash(h, pages.part(k));
    }

    fn sitemap_pages(&self) -> Pages<'_> {
        let per_part = *self.sitemap_per_part.get_or_init(|| per_part(self.site, &self.links));
        Pages::new(self.site, self.search_page, per_part, &self.sitemap_papers)
    }
}

/// What the sitemap shows of a paper: a hash of its path with its last change, and that
/// date. Made with the paper's other fingerprints and kept across watch-mode saves (see
/// `PerPaper` in `render/mod.rs`), so that fingerprinting a part of 50,000 papers reads a
/// slice instead of each paper's slug and issues, a pointer chase over the model: 9-10 ms
/// of every save at 100,000 papers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SitemapPaper {
    hash: u64,
    lastmod: NaiveDate,
}

/// The [`SitemapPaper`] of `p`.
pub(crate) fn sitemap_paper(site: &Site, p: &Paper) -> SitemapPaper {
    let lastmod = paper_lastmod(site, p);
    let mut h = xxhash_rust::xxh3::Xxh3Default::new();
    (&p.slug, lastmod).hash(&mut h);
    SitemapPaper {
        hash: std::hash::Hasher::finish(&h),
        lastmod,
    }
}

/// A paper's page lists every issue it trended in, so it changes with the last one.
fn paper_lastmod(site: &Site, p: &Paper) -> NaiveDate {
    p.issues.last().map_or(p.date, |&i| site.issues[i].date)
}

/// Pages per sitemap file: the protocol's 50,000 URLs, fewer when URLs are so long that
/// 50,000 could pass 50 MB.
///
/// No paper's slug is longer than [`MAX_PAPER_SLUG_LEN`]: when even that length gives
/// 50,000 URLs a file (any address up to about 300 bytes), no slug is read. Reading them
/// all is a pointer chase over the whole model: 27–37 ms of every watch-mode save at
/// 100,000 papers, a third of it.
fn per_part(site: &Site, links: &Links) -> usize {
    let dir = paper_dir("").len();
    if per_part_for(site, links, dir + escaped_len_bound(MAX_PAPER_SLUG_LEN)) == MAX_URLS {
        return MAX_URLS;
    }
    let longest_paper = site.papers.iter().map(|p| dir + escaped_len(&p.slug)).max();
    per_part_for(site, links, longest_paper.unwrap_or(0))
}

/// [`per_part`] when the longest paper page's path takes `longest_paper` bytes.
fn per_part_for(site: &Site, links: &Links, longest_paper: usize) -> usize {
    let longest_path = [
        Some(longest_paper),
        site.tags.iter().map(|t| tag_dir("").len() + escaped_len(&t.slug)).max(),
        Some(issue_dir("YYYY-MM-DD").len()),
        Some("search/".len()),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0);
    let line = LINE_EXTRA + escape_html(&links.abs("")).len() + longest_path;
    ((MAX_BYTES - HEAD.len() - TAIL.len()) / line).clamp(1, MAX_URLS)
}

/// A bound on a slug's bytes in the sitemap. Slugs are letters, digits and hyphens, which
/// escaping leaves alone; were one not, each of its bytes is counted as six (`&quot;`).
fn escaped_len(slug: &str) -> usize {
    match slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        true => slug.len(),
        false => escaped_len_bound(slug.len()),
    }
}

/// The most bytes `len` bytes of a slug can take once escaped.
fn escaped_len_bound(len: usize) -> usize {
    6 * len
}

/// The name of part `k` (from 0).
fn part_name(k: usize) -> String {
    format!("sitemap-{}.xml", k + 1)
}

/// One page the sitemap lists.
enum Page<'s> {
    /// The home page and the sections' front pages.
    Section(&'static str),
    Issue(&'s Issue),
    /// A paper, with what its fingerprint holds of it: the sitemap writes the date it hashed.
    Paper(&'s Paper, SitemapPaper),
    Tag(&'s Tag),
}

/// Every page, in the sitemap's order (papers oldest first, issues, tags, sections), by
/// place: a part lists a range of places without making the pages before it. A new day's
/// papers come after every other paper, so mostly the parts from the one they land in
/// change (and the part of an old paper that trends again):
/// with the sections or the issues first, each day moved every paper by a place, and a
/// daily build rewrote all the parts (15 MB at 100,000 papers, 150 MB at a million).
struct Pages<'s> {
    site: &'s Site,
    /// By paper, what the sitemap shows of it.
    papers: &'s [SitemapPaper],
    sections: Vec<&'static str>,
    /// Pages per part (see [`per_part`]).
    per_part: usize,
}

impl<'s> Pages<'s> {
    fn new(site: &'s Site, search_page: bool, per_part: usize, papers: &'s [SitemapPaper]) -> Pages<'s> {
        debug_assert_eq!(papers.len(), site.papers.len());
        let sections: Vec<&'static str> = ["", "issues/", "tags/", "search/"]
            .into_iter()
            .filter(|&dir| search_page || dir != "search/")
            .collect();
        Pages {
            site,
            papers,
            sections,
            per_part,
        }
    }

    fn len(&self) -> usize {
        self.sections.len() + self.site.issues.len() + self.site.papers.len() + self.site.tags.len()
    }

    /// Parts the sitemap needs (1 when it fits in one file).
    fn parts(&self) -> usize {
        self.len().div_ceil(self.per_part).max(1)
    }

    /// The places of part `k`, one of [`Pages::parts`].
    fn part(&self, k: usize) -> Range<usize> {
        debug_assert!(k < self.parts(), "part {k} of {}", self.parts());
        (k * self.per_part).min(self.len())..((k + 1) * self.per_part).min(self.len())
    }

    /// The pages at `places`.
    fn pages(&self, places: Range<usize>) -> impl Iterator<Item = Page<'s>> + '_ {
        let site = self.site;
        let mut offset = 0;
        let mut local = |n: usize| {
            let (lo, hi) = (places.start.saturating_sub(offset), places.end.saturating_sub(offset));
            offset += n;
            lo.min(n)..hi.min(n)
        };
        let papers = local(site.papers.len());
        let issues = local(site.issues.len());
        let tags = local(site.tags.len());
        let sections = local(self.sections.len());
        let sections = self.sections[sections].iter().map(|&dir| Page::Section(dir));
        site.papers[papers.clone()]
            .iter()
            .zip(&self.papers[papers])
            .map(|(p, &s)| Page::Paper(p, s))
            .chain(site.issues[issues].iter().map(Page::Issue))
            .chain(site.tags[tags].iter().map(Page::Tag))
            .chain(sections)
    }

    /// `(output path, last change)` of the pages at `places`, made as the sitemap is
    /// written. `lastmod` is the newest paper date a page lists.
    fn entries(&self, places: Range<usize>) -> impl Iterator<Item = (String, Option<NaiveDate>)> + '_ {
        self.pages(places).map(|page| {
            let path = match &page {
                Page::Section(dir) => dir.to_string(),
                Page::Issue(issue) => issue_dir(&issue.slug()),
                Page::Paper(p, _) => paper_dir(&p.slug),
                Page::Tag(t) => tag_dir(&t.slug),
            };
            (path, self.lastmod(&page))
        })
    }

    fn lastmod(&self, page: &Page) -> Option<NaiveDate> {
        let site = self.site;
        match page {
            Page::Section(_) => site.issues.last().map(|i| i.date),
            Page::Issue(issue) => Some(issue.date),
            Page::Paper(_, s) => Some(s.lastmod),
            Page::Tag(t) => t.papers.first().map(|&p| site.papers[p].date),
        }
    }

    /// The last change of any page at `places`.
    fn newest(&self, places: Range<usize>) -> Option<NaiveDate> {
        let (papers, rest) = self.split_papers(places);
        let papers = self.papers[papers].iter().map(|p| p.lastmod).max();
        let rest = self.pages(rest).filter_map(|page| self.lastmod(&page)).max();
        papers.max(rest)
    }

    /// Hashes what the pages at `places` show in the sitemap.
    fn hash(&self, h: &mut Fingerprint, places: Range<usize>) {
        (places.len(), self.per_part).hash(h);
        let (papers, rest) = self.split_papers(places);
        for paper in &self.papers[papers] {
            paper.hash.hash(h);
        }
        for page in self.pages(rest) {
            match &page {
                Page::Section(dir) => dir.hash(h),
                Page::Issue(issue) => issue.date.hash(h),
                Page::Paper(..) => unreachable!("papers come first and are split off"),
                Page::Tag(t) => t.slug.hash(h),
            }
            self.lastmod(&page).hash(h);
        }
    }

    /// The papers' places among `places` (papers come first), and the other places.
    fn split_papers(&self, places: Range<usize>) -> (Range<usize>, Range<usize>) {
        let papers = self.site.papers.len();
        let (start, end) = (places.start.min(papers), places.end.min(papers));
        (start..end, end.max(places.start)..places.end)
    }
}

/// A `<urlset>` of `entries`.
fn urlset(entries: impl Iterator<Item = (String, Option<NaiveDate>)>, links: &Links) -> Vec<u8> {
    let mut xml = String::from(HEAD);
    for (rel, lastmod) in entries {
        let _ = write!(xml, "  <url><loc>{}</loc>", escape_html(&links.abs(&rel)));
        if let Some(d) = lastmod {
            let _ = write!(xml, "<lastmod>{d}</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str(TAIL);
    xml.into_bytes()
}

/// The `<sitemapindex>` of parts whose last changes are `newest`.
fn index(newest: impl Iterator<Item = Option<NaiveDate>>, links: &Links) -> Vec<u8> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (k, lastmod) in newest.enumerate() {
        let _ = write!(xml, "  <sitemap><loc>{}</loc>", escape_html(&links.abs(&part_name(k))));
        if let Some(d) = lastmod {
            let _ = write!(xml, "<lastmod>{d}</lastmod>");
        }
        xml.push_str("</sitemap>\n");
    }
    xml.push_str("</sitemapindex>\n");
    xml.into_bytes()
}

/// `robots.txt`: everything may be crawled, and the sitemap is where to start.
fn robots(links: &Links) -> Vec<u8> {
    format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", links.abs("sitemap.xml")).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// Seven papers over seven days (a digest file per day), tagged with nothing.
    fn site() -> Site {
        site_of_days(7)
    }

    /// A paper a day for `days` days of January (at most 9).
    fn site_of_days(days: usize) -> Site {
        let config = Config::default();
        let files: Vec<_> = (1..=days)
            .map(|day| {
                let text = format!("Paper number {day}\nAn abstract about graphs, day {day}.\n");
                let path = format!("2026-01-0{day}.txt");
                crate::content::parse_text(&text, std::path::Path::new(&path), &config, &mut |_| {}).unwrap()
            })
            .collect();
        crate::content::assemble(&files)
    }

    /// What the sitemap shows of each paper of `site`, as a renderer prepares it.
    fn sitemap_papers(site: &Site) -> Vec<SitemapPaper> {
        site.papers.iter().map(|p| sitemap_paper(site, p)).collect()
    }

    fn count(xml: &[u8]) -> usize {
        String::from_utf8_lossy(xml).matches("<url>").count()
    }

    #[test]
    fn one_sitemap_while_the_pages_fit() {
        let site = site();
        let links = Links::new(&Config::default());
        let papers = sitemap_papers(&site);
        let pages = Pages::new(&site, false, per_part(&site, &links), &papers);
        assert_eq!((pages.len(), pages.parts()), (3 + 7 + 7, 1));
        let xml = urlset(pages.entries(0..pages.len()), &links);
        assert_eq!(count(&xml), 17);
        let xml = String::from_utf8(xml).unwrap();
        assert!(
            xml.contains("<loc>http://127.0.0.1:1111/issues/2026-01-07/</loc><lastmod>2026-01-07</lastmod>"),
            "{xml}"
        );
        assert!(xml.ends_with("</url>\n</urlset>\n"), "{xml}");
    }

    #[test]
    fn past_the_limits_an_index_lists_the_parts() {
        let site = site();
        let links = Links::new(&Config::default());
        let papers = sitemap_papers(&site);
        let pages = Pages::new(&site, true, 5, &papers);
        assert_eq!(pages.parts(), 4);
        // Every page once, in order, whichever part it falls in.
        let whole: Vec<_> = pages.entries(0..pages.len()).collect();
        let parts: Vec<_> = (0..4).flat_map(|k| pages.entries(pages.part(k))).collect();
        assert_eq!(whole, parts);
        let counts: Vec<usize> = (0..4)
            .map(|k| count(&urlset(pages.entries(pages.part(k)), &links)))
            .collect();
        assert_eq!(counts, [5, 5, 5, 3]);
        let xml = index((0..4).map(|k| pages.newest(pages.part(k))), &links);
        let xml = String::from_utf8(xml).unwrap();
        assert!(xml.contains("<sitemapindex"), "{xml}");
        // Part 1 holds the papers of days 1 to 5, part 3 the issues of days 4 to 7 and a
        // section: each part's date is its own newest page's.
        assert!(
            xml.contains("<loc>http://127.0.0.1:1111/sitemap-1.xml</loc><lastmod>2026-01-05</lastmod>"),
            "{xml}"
        );
        assert!(
            xml.contains("<loc>http://127.0.0.1:1111/sitemap-3.xml</loc><lastmod>2026-01-07</lastmod>"),
            "{xml}"
        );
        assert_eq!(xml.matches("<sitemap>").count(), 4);
    }

    #[test]
    fn every_page_is_in_exactly_one_part_papers_first() {
        let mut site = site();
        for (slug, papers) in [("alpha", vec![6, 0]), ("beta", vec![3])] {
            site.tags.push(Tag {
                slug: slug.into(),
                name: slug.into(),
                papers,
            });
        }
        let papers = sitemap_papers(&site);
        let pages = Pages::new(&site, true, 4, &papers);
        assert_eq!((pages.len(), pages.parts()), (7 + 7 + 2 + 4, 5));
        let listed: Vec<String> = (0..pages.parts())
            .flat_map(|k| pages.entries(pages.part(k)).map(|(path, _)| path))
            .collect();
        let mut expected: Vec<String> = site.papers.iter().map(|p| paper_dir(&p.slug)).collect();
        expected.extend(site.issues.iter().map(|i| issue_dir(&i.slug())));
        expected.extend(["alpha", "beta"].map(tag_dir));
        expected.extend(["", "issues/", "tags/", "search/"].map(String::from));
        assert_eq!(listed, expected, "papers oldest first, then issues, tags and sections");
        // A tag's last change is its newest paper's date.
        let tags: Vec<_> = pages.entries(14..16).collect();
        assert_eq!(tags[0].1, Some(site.papers[6].date));
        assert_eq!(tags[1].1, Some(site.papers[3].date));
    }

    #[test]
    fn a_part_is_fingerprinted_by_the_pages_it_lists() {
        use std::hash::Hasher as _;
        // Parts of five places: papers 0-6, issues 7-13, sections 14-17.
        let hashes = |site: &Site| -> Vec<u64> {
            let papers = sitemap_papers(site);
            let pages = Pages::new(site, true, 5, &papers);
            (0..pages.parts())
                .map(|k| {
                    let mut h = Fingerprint::new();
                    pages.hash(&mut h, pages.part(k));
                    h.finish()
                })
                .collect()
        };
        let site = site();
        let before = hashes(&site);
        assert_eq!(before.len(), 4);
        // The first paper (place 0, part 1) gets another address: only part 1 changes.
        let mut moved = site.clone();
        moved.papers[0].slug = "another-address".into();
        let after = hashes(&moved);
        assert_ne!(after[0], before[0]);
        assert_eq!(&after[1..], &before[1..]);
        // A paper of day 6 (place 5) seen again on day 7 changes its part's dates, not the
        // others.
        let mut again = site.clone();
        let last = again.issues.len() - 1;
        again.papers[5].issues.push(last);
        let after = hashes(&again);
        assert_eq!((after[0], after[2], after[3]), (before[0], before[2], before[3]));
        assert_ne!(after[1], before[1]);
        // A new day's paper lands after the others (place 7, part 2): part 1 stays.
        let after = hashes(&site_of_days(8));
        assert_eq!(after[0], before[0]);
        assert_ne!(after[1], before[1]);
    }

    #[test]
    fn parts_sized_without_reading_slugs_are_those_sized_by_reading_every_slug() {
        // The longest slugs a paper can have, with a character escaping would lengthen (no
        // slug has one, but the bound allows for it), for every address length around the
        // one where the bound stops giving 50,000 URLs a file.
        let mut site = site();
        for (n, paper) in site.papers.iter_mut().enumerate() {
            paper.slug = format!("{}&", "s".repeat(MAX_PAPER_SLUG_LEN - n - 1)).into();
        }
        let dir = paper_dir("").len();
        let longest = site.papers.iter().map(|p| dir + escaped_len(&p.slug)).max().unwrap();
        let mut split = false;
        for extra in (0..1400).step_by(7) {
            let config = Config {
                base_url: format!("https://example.org/{}/", "a".repeat(extra)),
                ..Config::default()
            };
            let links = Links::new(&config);
            let exact = per_part_for(&site, &links, longest);
            assert_eq!(per_part(&site, &links), exact, "address of {extra} more bytes");
            split |= exact < MAX_URLS;
        }
        assert!(split, "the addresses reach lengths that make parts smaller");
    }

    #[test]
    fn long_addresses_make_smaller_parts() {
        let site = site();
        let links = Links::new(&Config::default());
        assert_eq!(per_part(&site, &links), MAX_URLS);
        // A long address alone does not split a sitemap that fits: 50,000 lines of 600
        // bytes are 30 MB.
        let config = Config {
            base_url: format!("https://example.org/{}/", "a".repeat(500)),
            ..Config::default()
        };
        assert_eq!(per_part(&site, &Links::new(&config)), MAX_URLS);
        let config = Config {
            base_url: format!("https://example.org/{}/", "a".repeat(3000)),
            ..Config::default()
        };
        let links = Links::new(&config);
        let papers = sitemap_papers(&site);
        let pages = Pages::new(&site, true, per_part(&site, &links), &papers);
        assert!(pages.per_part < MAX_URLS / 2, "{}", pages.per_part);
        // A part as full as it may be of lines as long as the longest stays under 50 MB.
        let xml = String::from_utf8(urlset(pages.entries(0..pages.len()), &links)).unwrap();
        let longest = xml
            .lines()
            .filter(|l| l.contains("<url>"))
            .map(|l| l.len() + 1)
            .max()
            .unwrap();
        assert!(longest > 2000);
        assert!(HEAD.len() + pages.per_part * longest + TAIL.len() <= MAX_BYTES);
    }
}
