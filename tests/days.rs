//! Real days: long issues split into pages, days that repeat the day before, papers trending
//! again, authors and arXiv links in listings, bounded feeds, archive rows.

mod common;

use common::*;

/// A JSON Lines record of paper `n`, listed on `date`.
fn record(n: usize, date: &str) -> String {
    format!(
        "{{\"id\": \"2605.{n:05}\", \"date\": \"{date}\", \"title\": \"Paper Number {n} on Graph Neural Networks\", \"authors\": [\"Ada One\", \"Bo Two\", \"Cy Three\", \"Di Four\", \"Ed Five\"], \"pdf\": \"https://arxiv.org/pdf/2605.{n:05}v1\", \"abstract\": \"We study graph neural networks, case {n}. The method scales. Experiments confirm it.\"}}\n"
    )
}

/// Papers `range` listed on `date`.
fn day(range: std::ops::Range<usize>, date: &str) -> String {
    range.map(|n| record(n, date)).collect()
}

#[test]
fn a_long_day_is_split_into_pages_with_the_issues_linked_at_the_top() {
    let site = TestSite::new();
    site.write(
        "content/a.jsonl",
        day(0..10, "2026-05-04") + &day(10..260, "2026-05-05") + &day(260..270, "2026-05-06"),
    );
    site.build_ok(&[]);
    let first = site.read("issues/2026-05-05/index.html");
    let (top, _) = first.split_once("<ol class=\"papers\"").unwrap();
    assert!(
        top.contains("href=\"/issues/2026-05-04/\"") && top.contains("href=\"/issues/2026-05-06/\""),
        "prev and next before the list"
    );
    // A long day's next page is linked before the list too, not only after its 100 papers.
    assert!(top.contains("href=\"/issues/2026-05-05/page/2/\""), "{top}");
    assert_eq!(first.matches("class=\"paper-item\"").count(), 100);
    assert!(first.contains("Page 1 of 3") && first.contains("href=\"/issues/2026-05-05/page/2/\""));
    let last = site.read("issues/2026-05-05/page/3/index.html");
    assert_eq!(last.matches("class=\"paper-item\"").count(), 50);
    assert!(
        last.contains("<ol class=\"papers\" style=\"--digits: 3\" start=\"201\">"),
        "numbers go on across pages"
    );
    assert!(!site.public().join("issues/2026-05-05/page/4").exists());
    // The home page is the newest issue's first page.
    site.write("paperboy.toml", "[issues]\nper_page = 0\n");
    site.build_ok(&[]);
    assert_eq!(
        site.read("issues/2026-05-05/index.html")
            .matches("class=\"paper-item\"")
            .count(),
        250
    );
    assert!(
        !site.public().join("issues/2026-05-05/page").exists(),
        "pages of the old layout are gone"
    );
}

#[test]
fn a_day_that_repeats_the_day_before_is_not_a_new_issue() {
    let site = TestSite::new();
    // Friday, then the crawler's copies on Saturday and Sunday, then Monday.
    site.write(
        "content/a.jsonl",
        day(0..5, "2026-06-26") + &day(0..5, "2026-06-27") + &day(1..4, "2026-06-28") + &day(3..8, "2026-06-29"),
    );
    site.build_ok(&[]);
    assert!(!site.public().join("issues/2026-06-27").exists());
    assert!(!site.public().join("issues/2026-06-28").exists());
    let monday = site.read("issues/2026-06-29/index.html");
    assert!(monday.contains("3 new, 2 trending again"), "{monday}");
    let issues_feed = parse_feed(&site.read("issues/atom.xml"));
    assert_eq!(issues_feed.entries.len(), 2);
    // A day with papers seen before says how many are new, as the email does.
    let titles: Vec<String> = issues_feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    assert_eq!(
        titles,
        [
            "29 June 2026: 5 trending papers, 3 new",
            "26 June 2026: 5 trending papers"
        ]
    );
    // Kept and marked instead, and still out of the issue feeds.
    site.write("paperboy.toml", "[issues]\nrepeats = \"keep\"\n");
    site.build_ok(&[]);
    let saturday = site.read("issues/2026-06-27/index.html");
    assert!(saturday.contains("No new papers"), "{saturday}");
    assert!(site.read("issues/index.html").contains("no new papers"));
    assert_eq!(parse_feed(&site.read("issues/atom.xml")).entries.len(), 2);
}

#[test]
fn papers_trending_again_are_marked_and_listed_after_the_new_ones() {
    let site = TestSite::new();
    site.write("content/a.jsonl", day(0..3, "2026-06-01") + &day(2..6, "2026-06-02"));
    site.build_ok(&[]);
    let page = site.read("issues/2026-06-02/index.html");
    let again = page.find("Trending again</h2>").expect("a section for repeats");
    let repeat = page.find("Paper Number 2 on").unwrap();
    assert!(repeat > again, "the repeat comes after the new papers");
    assert!(
        !page.contains("trending again</span>"),
        "under its heading, a repeat needs no badge"
    );
    for n in 3..6 {
        assert!(page.find(&format!("Paper Number {n} on")).unwrap() < again);
    }
    site.write("paperboy.toml", "[issues]\nagain = \"inline\"\n");
    site.build_ok(&[]);
    let page = site.read("issues/2026-06-02/index.html");
    assert!(!page.contains("Trending again</h2>"));
    assert!(
        page.find("Paper Number 2 on").unwrap() < page.find("Paper Number 3 on").unwrap(),
        "trending order"
    );
    assert_eq!(page.matches("trending again</span>").count(), 1);
}

#[test]
fn a_tag_feed_holds_every_paper_of_its_newest_day() {
    let site = TestSite::new();
    // Every paper is on graph neural networks: 60 on Monday, 70 on Tuesday.
    site.write(
        "content/a.jsonl",
        day(0..60, "2026-05-04") + &day(60..130, "2026-05-05"),
    );
    site.build_ok(&[]);
    let feed = parse_feed(&site.read("tags/graph-learning/atom.xml"));
    assert_eq!(feed.entries.len(), 70, "the whole newest day, past [feeds] limit");
    // A small newest day: the limit's 50 newest papers, reaching into the day before.
    site.write("content/a.jsonl", day(0..60, "2026-05-04") + &day(60..70, "2026-05-05"));
    site.build_ok(&[]);
    let feed = parse_feed(&site.read("tags/graph-learning/rss.xml"));
    assert_eq!(feed.entries.len(), 50);
    // The site feed keeps its limit.
    assert_eq!(parse_feed(&site.read("atom.xml")).entries.len(), 50);
}

/// The issue links of paper `n`'s page, each checked to land on a page that lists it.
fn issue_links_land_on_the_paper(site: &TestSite, n: usize) -> Vec<String> {
    let slug = format!("paper-number-{n}-on-graph-neural-networks");
    let page = site.read(&format!("papers/{slug}/index.html"));
    let links: Vec<String> = page
        .split("href=\"/issues/")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(link, _)| link.to_string()))
        .filter(|link| link.contains('#'))
        .collect();
    for link in &links {
        let (path, anchor) = link.split_once('#').unwrap();
        assert_eq!(anchor, format!("p-{slug}"), "{link}");
        let listing = site.read(&format!("issues/{path}index.html"));
        assert!(
            listing.contains(&format!("id=\"{anchor}\"")),
            "{link} does not list paper {n}"
        );
    }
    links
}

#[test]
fn a_paper_page_links_the_page_of_each_issue_that_lists_it() {
    let site = TestSite::new();
    // Five papers of Monday trend again at the top of a 255-paper Tuesday.
    site.write(
        "content/a.jsonl",
        day(0..10, "2026-05-04") + &day(0..5, "2026-05-05") + &day(10..260, "2026-05-05"),
    );
    site.build_ok(&[]);
    // Repeats are listed after the 250 new papers: on page 3.
    assert_eq!(
        issue_links_land_on_the_paper(&site, 0),
        [
            "2026-05-04/#p-paper-number-0-on-graph-neural-networks",
            "2026-05-05/page/3/#p-paper-number-0-on-graph-neural-networks"
        ]
    );
    assert_eq!(
        issue_links_land_on_the_paper(&site, 209),
        ["2026-05-05/page/2/#p-paper-number-209-on-graph-neural-networks"]
    );
    // In trending order they head page 1, and the papers after them move down.
    site.write("paperboy.toml", "[issues]\nagain = \"inline\"\n");
    site.build_ok(&[]);
    assert_eq!(
        issue_links_land_on_the_paper(&site, 0)[1],
        "2026-05-05/#p-paper-number-0-on-graph-neural-networks"
    );
    assert_eq!(
        issue_links_land_on_the_paper(&site, 209),
        ["2026-05-05/page/3/#p-paper-number-209-on-graph-neural-networks"]
    );
    for n in (10..260).step_by(7) {
        issue_links_land_on_the_paper(&site, n);
    }
}

/// A team paper of May 2026 listed 207 names, the second of them ":": its page folded
/// nothing, a screen and a half of names on a phone before the abstract.
#[test]
fn a_long_author_list_is_folded_on_its_page_and_punctuation_is_no_author() {
    let site = TestSite::new();
    let record = |title: &str, names: usize| {
        let mut authors: Vec<String> = (0..names).map(|i| format!("Author Number{i}")).collect();
        authors.insert(1, ":".into());
        serde_json::json!({"id": format!("2605.{names:05}"), "date": "2026-06-01", "title": title,
            "authors": authors, "abstract": "We study graph neural networks. The method scales."})
        .to_string()
    };
    site.write(
        "content/a.jsonl",
        format!("{}\n{}\n", record("A Team Paper", 206), record("A Lab Paper", 12)),
    );
    site.build_ok(&[]);
    let team = site.read("papers/a-team-paper/index.html");
    let shown = team.split_once("<details>").unwrap().0;
    assert!(shown.contains("Author Number0, Author Number1,") && shown.contains("Author Number9</p>"));
    assert!(!shown.contains("Author Number10"), "ten names before the fold");
    assert!(team.contains("<summary>and 196 more</summary>"), "{team}");
    assert!(
        team.contains("Author Number10, ") && team.contains("Author Number205</p>"),
        "every name is still there"
    );
    assert!(
        !team.contains(", :,") && !team.contains(":, Author"),
        "\":\" is no author"
    );
    let lab = site.read("papers/a-lab-paper/index.html");
    assert!(
        !lab.contains("<details>") && lab.contains("Author Number11</p>"),
        "twelve names fold nothing"
    );
}

#[test]
fn listings_show_authors_and_links_and_paper_pages_show_them_all() {
    let site = TestSite::new();
    site.write("content/a.jsonl", day(0..2, "2026-06-01"));
    site.write(
        "content/b.md",
        "+++\ntitle = \"Both a Link and an Id\"\ndate = 2026-06-01\nurl = \"https://example.org/paper\"\narxiv = \"2606.00001\"\n+++\nWe study graph neural networks. The method scales. Experiments confirm it.\n",
    );
    site.build_ok(&[]);
    let issue = site.read("issues/2026-06-01/index.html");
    assert!(issue.contains("Ada One, Bo Two, … and 3 more"), "shortened authors");
    assert!(issue.contains("href=\"https://arxiv.org/abs/2605.00000\">arXiv:2605.00000</a>"));
    assert!(issue.contains("href=\"https://arxiv.org/pdf/2605.00000v1\">PDF</a>"));
    // RSS readers show dc:creator as the byline, shortened as listings show authors.
    let rss = parse_feed(&site.read("rss.xml"));
    let bylines: Vec<String> = rss
        .entries
        .iter()
        .filter_map(|e| e.authors.first().and_then(|a| a.name.clone()))
        .collect();
    assert!(
        bylines.iter().any(|b| b == "Ada One, Bo Two, … and 3 more"),
        "{bylines:?}"
    );
    let paper = site.read("papers/paper-number-0-on-graph-neural-networks/index.html");
    assert!(
        paper.contains("Ada One, Bo Two, Cy Three, Di Four, Ed Five"),
        "the whole list"
    );
    let both = site.read("papers/both-a-link-and-an-id/index.html");
    assert!(
        both.contains("arXiv:2606.00001") && both.contains("href=\"https://example.org/paper\""),
        "url and id both shown"
    );
}

#[test]
fn tag_pages_show_excerpts_and_the_other_tags_only() {
    let site = TestSite::new();
    site.write("content/a.jsonl", day(0..3, "2026-06-01"));
    site.build_ok(&[]);
    let tag = site.read("tags/graph-learning/index.html");
    assert!(
        tag.contains("class=\"excerpt\">We study graph neural networks"),
        "excerpts"
    );
    let list = tag.split_once("<ol class=\"papers\"").unwrap().1;
    assert!(
        !list.contains("href=\"/tags/graph-learning/\""),
        "the browsed tag is not repeated"
    );
}

#[test]
fn the_archive_shows_weekday_new_papers_and_first_titles() {
    let site = TestSite::new();
    site.write("content/a.jsonl", day(0..3, "2026-06-01") + &day(2..8, "2026-06-02"));
    site.build_ok(&[]);
    let archive = site.read("issues/index.html");
    assert!(archive.contains("Tuesday, 2 June 2026"), "{archive}");
    assert!(archive.contains("5 new of 6 papers"), "{archive}");
    assert!(
        archive.contains("Paper Number 3 on Graph Neural Networks · Paper Number 4 on"),
        "first new titles"
    );
}

#[test]
fn issue_feed_items_hold_the_top_papers_and_link_the_rest() {
    let site = TestSite::new();
    site.write("content/a.jsonl", day(0..80, "2026-06-01"));
    site.build_ok(&[]);
    let feed = parse_feed(&site.read("issues/atom.xml"));
    let html = entry_html(&feed.entries[0]);
    // As the email lays them out: numbered, with authors and excerpts, not whole abstracts.
    assert_eq!(html.matches("<li>").count(), 30);
    assert!(html.contains("<br>Ada One, Bo Two, … and 3 more</p>"), "{html:.400}");
    assert!(html.len() < 30 * 700, "{} bytes", html.len());
    assert!(html.contains("50 more papers in the full issue"), "{html:.200}");
}

#[test]
fn the_sitemap_lists_the_search_page() {
    let site = TestSite::new();
    site.write("content/a.jsonl", day(0..3, "2026-06-01"));
    site.build_ok(&[]);
    assert!(
        site.read("sitemap.xml")
            .contains("<loc>http://127.0.0.1:1111/search/</loc>")
    );
}
