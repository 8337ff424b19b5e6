//! Reader features: search index, related papers, the daily-issue feeds, email-ready issues,
//! and sharing/discovery metadata, each checked on real builds.

mod common;

use common::*;

/// Decodes the front-coded `terms` string of a search index shard into `(word, papers)`.
fn decode_terms(terms: &str) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    let mut prev = String::new();
    for entry in terms.split(';').filter(|e| !e.is_empty()) {
        let shared = usize::from_str_radix(&entry[..1], 36).unwrap();
        let (suffix, gaps) = entry[1..].split_once(':').unwrap();
        let word: String = prev.chars().take(shared).chain(suffix.chars()).collect();
        let mut id = 0;
        let ids = gaps
            .split(',')
            .map(|g| {
                id += usize::from_str_radix(g, 36).unwrap();
                id
            })
            .collect();
        prev = word.clone();
        out.push((word, ids));
    }
    out
}

/// The search index as the browser joins it: `search/index.json` lists the shards.
struct SearchIndex {
    tags: Vec<String>,
    /// Per paper: title, slug, date, tag indexes.
    papers: Vec<(String, String, String, Vec<usize>)>,
    /// Every word with its papers (numbered across shards), in word order.
    terms: std::collections::BTreeMap<String, Vec<usize>>,
    /// Papers per shard, in order.
    shard_sizes: Vec<usize>,
    /// Bytes of the entry point and every shard.
    bytes: usize,
}

fn read_index(site: &TestSite) -> SearchIndex {
    let head_text = site.read("search/index.json");
    let head: serde_json::Value = serde_json::from_str(&head_text).unwrap();
    let mut index = SearchIndex {
        tags: Vec::new(),
        papers: Vec::new(),
        terms: Default::default(),
        shard_sizes: Vec::new(),
        bytes: head_text.len(),
    };
    for name in head["shards"].as_array().unwrap() {
        let text = site.read(&format!("search/{}", name.as_str().unwrap()));
        index.bytes += text.len();
        let shard: serde_json::Value = serde_json::from_str(&text).unwrap();
        let str_of = |v: &serde_json::Value| v.as_str().unwrap().to_string();
        index.tags = shard["tags"].as_array().unwrap().iter().map(str_of).collect();
        let dates: Vec<String> = shard["dates"].as_array().unwrap().iter().map(str_of).collect();
        let first = index.papers.len();
        let papers = shard["papers"].as_array().unwrap();
        index.shard_sizes.push(papers.len());
        for p in papers {
            let tags = p[3]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_u64().unwrap() as usize)
                .collect();
            index.papers.push((
                str_of(&p[0]),
                str_of(&p[1]),
                dates[p[2].as_u64().unwrap() as usize].clone(),
                tags,
            ));
        }
        let terms = decode_terms(shard["terms"].as_str().unwrap());
        let words: Vec<&str> = terms.iter().map(|(w, _)| w.as_str()).collect();
        let mut sorted = words.clone();
        sorted.sort();
        assert_eq!(words, sorted, "words are sorted for prefix search");
        for (word, ids) in terms {
            index
                .terms
                .entry(word)
                .or_default()
                .extend(ids.into_iter().map(|i| first + i));
        }
    }
    assert_eq!(head["papers"].as_u64().unwrap() as usize, index.papers.len());
    index
}

#[test]
fn the_search_index_holds_every_word_but_not_the_abstracts() {
    let site = TestSite::new();
    site.write(
        "content/2026-11-26.txt",
        "Graph Neural Networks for Molecules\nWe train message passing networks on molecular graphs with \\mathcal{O}(n) cost.\n\
         Sparse Attention\nTransformers with sparse attention scale to long documents, even graphs.\n",
    );
    site.write(
        "content/papers/tagged.md",
        md_paper(
            "Ünïcode Títle",
            "2026-11-25",
            &["Robotics"],
            "Grasping with 机器人 hands.",
        ),
    );
    site.build_ok(&[]);
    let index = read_index(&site);
    assert_eq!(index.papers.len(), 3);
    let lookup = |w: &str| -> Vec<String> {
        let ids = index.terms.get(w).cloned().unwrap_or_default();
        ids.iter().map(|&i| index.papers[i].0.clone()).collect()
    };
    let mut graph = lookup("graphs");
    graph.sort();
    assert_eq!(graph, vec!["Graph Neural Networks for Molecules", "Sparse Attention"]);
    assert_eq!(
        lookup("graph"),
        vec!["Graph Neural Networks for Molecules"],
        "title words count"
    );
    assert_eq!(lookup("机器人"), vec!["Ünïcode Títle"]);
    assert_eq!(lookup("títle"), vec!["Ünïcode Títle"], "lower-cased, accents kept");
    // Keys are lower-cased, so stop words are looked up lower-cased ("We" → "we").
    assert!(
        index.terms.keys().all(|w| *w == w.to_lowercase()),
        "every word is lower-cased"
    );
    assert_eq!(lookup("train"), vec!["Graph Neural Networks for Molecules"]);
    for absent in ["the", "with", "mathcal", "we"] {
        assert!(lookup(absent).is_empty(), "{absent} is not a search term");
    }
    // Not the abstracts: no file of the index holds a run of an abstract's words.
    let mut files = vec!["search/index.json".to_string()];
    let head: serde_json::Value = serde_json::from_str(&site.read("search/index.json")).unwrap();
    for name in head["shards"].as_array().unwrap() {
        files.push(format!("search/{}", name.as_str().unwrap()));
    }
    for file in &files {
        let text = site.read(file);
        for phrase in [
            "We train message passing",
            "message passing networks",
            "scale to long documents",
            "Grasping with",
            "with sparse attention",
        ] {
            assert!(!text.contains(phrase), "{file} holds abstract text {phrase:?}");
        }
    }
    // Tags by index; slugs give the URL.
    let tagged = index.papers.iter().find(|p| p.0 == "Ünïcode Títle").unwrap();
    assert_eq!(tagged.2, "2026-11-25");
    let tag_names: Vec<&str> = tagged.3.iter().map(|&t| index.tags[t].as_str()).collect();
    assert!(tag_names.contains(&"Robotics"), "{tag_names:?}");
    let slug = &tagged.1;
    assert!(site.public().join("papers").join(slug).join("index.html").exists());
    // The page and its script.
    let page = site.read("search/index.html");
    assert!(page.contains("id=\"search-q\"") && page.contains("<noscript>"));
    assert!(page.contains("src=\"/search/search.js\""));
    assert!(site.read("search/search.js").contains("textContent"));
}

#[test]
fn the_search_index_is_under_40_percent_of_the_text() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", SAMPLE);
    site.build_ok(&[]);
    let index = read_index(&site).bytes as f64;
    let text = SAMPLE.len() as f64;
    let ratio = index / text;
    eprintln!(
        "search index: {index} bytes, {:.1}% of the sample's {text} bytes",
        ratio * 100.0
    );
    assert!(ratio < 0.40, "{ratio}");
}

#[test]
fn the_search_index_is_split_into_shards_that_join_in_paper_order() {
    // 4,100 papers: two full shards and one of 100. Every paper has a word of its own.
    let site = TestSite::new();
    write_numbered_papers(&site, 41);
    site.build_ok(&[]);
    let index = read_index(&site);
    assert_eq!(index.shard_sizes, vec![2000, 2000, 100]);
    for n in [0, 1999, 2000, 2001, 3999, 4000, 4099] {
        let ids = &index.terms[&own_word(n)];
        assert_eq!(ids.len(), 1, "{}", own_word(n));
        assert_eq!(index.papers[ids[0]].0, format!("Paper {n} on {}", own_word(n)));
    }
    assert_eq!(
        index.terms["graphs"],
        (0..4100).collect::<Vec<_>>(),
        "a common word, across shards"
    );
}

#[test]
fn related_papers_find_near_duplicates() {
    let site = TestSite::new();
    let pairs = [
        (
            "Protein Folding with Diffusion Models",
            "We fold proteins with a diffusion model over backbone coordinates and side chains, sampling plausible structures. Folding accuracy beats prior protein structure predictors.",
            "Diffusion Sampling of Protein Backbones",
            "A diffusion model samples protein backbone coordinates; the folded structures match crystal structures. Side chains are packed afterwards for protein folding.",
        ),
        (
            "Quantum Error Correction on Surface Codes",
            "Surface codes protect logical qubits; we decode syndromes of surface code patches with a neural decoder and lower the logical error rate of quantum memories.",
            "Neural Decoders for Surface Code Syndromes",
            "A neural network decodes surface code syndrome measurements, reducing logical qubit error rates in quantum error correction experiments.",
        ),
        (
            "Rainfall Nowcasting from Radar Echoes",
            "Radar echo sequences predict rainfall in the next hour; our nowcasting network extrapolates precipitation fields from weather radar.",
            "Precipitation Nowcasting with Weather Radar",
            "We nowcast precipitation an hour ahead by extrapolating weather radar echoes with a convolutional network; rainfall forecasts improve.",
        ),
    ];
    let mut text = String::new();
    for (t1, a1, t2, a2) in &pairs {
        text.push_str(&format!("{t1}\n{a1}\n{t2}\n{a2}\n"));
    }
    for i in 0..6 {
        text.push_str(&format!(
            "Unrelated Paper {i} on Auctions\nMechanism design for auctions with budget constraints, revenue and welfare guarantees in setting {i}.\n"
        ));
    }
    site.write("content/2026-11-26.txt", text);
    site.build_ok(&[]);
    let related_of = |title: &str| -> Vec<String> {
        let slug = walkdir::WalkDir::new(site.public().join("papers"))
            .into_iter()
            .filter_map(Result::ok)
            .find(|e| {
                e.file_name() == "index.html"
                    && std::fs::read_to_string(e.path())
                        .unwrap()
                        .contains(&format!("<h1>{title}</h1>"))
            })
            .unwrap_or_else(|| panic!("no page for {title}"));
        let page = std::fs::read_to_string(slug.path()).unwrap();
        let section = page
            .split("<section class=\"related\"")
            .nth(1)
            .unwrap_or_else(|| panic!("{title}: no related section"))
            .split("</section>")
            .next()
            .unwrap()
            .to_string();
        section
            .split("<li><a href=\"")
            .skip(1)
            .map(|li| li.split('>').nth(1).unwrap().split("</a").next().unwrap().to_string())
            .collect()
    };
    for (t1, _, t2, _) in &pairs {
        assert_eq!(related_of(t1).first().map(String::as_str), Some(*t2), "{t1}");
        assert_eq!(related_of(t2).first().map(String::as_str), Some(*t1), "{t2}");
    }
    let auction = related_of("Unrelated Paper 0 on Auctions");
    assert!(!auction.is_empty(), "the auction papers are related to each other");
    assert!(auction.iter().all(|t| t.contains("Auctions")), "{auction:?}");
    assert!(auction.len() <= 5);
}

#[test]
fn the_daily_issue_feeds_carry_whole_issues() {
    let site = TestSite::new();
    site.write(
        "paperboy.toml",
        "base_url = \"https://example.org/d/\"\n[feeds]\nissues = 2\n",
    );
    for day in 23..=26 {
        site.write(
            &format!("content/2026-11-{day}.txt"),
            format!(
                "Paper A of day {day}\n{}\nPaper <B> of day {day}\n{}\n",
                abstract_text("graphs"),
                abstract_text("robots")
            ),
        );
    }
    site.build_ok(&[]);
    for name in ["issues/rss.xml", "issues/atom.xml", "issues/feed.json"] {
        let feed = parse_feed(&site.read(name));
        assert_eq!(feed.entries.len(), 2, "{name}: [feeds] issues = 2");
        let newest = &feed.entries[0];
        assert!(
            newest.title.as_ref().unwrap().content.contains("26 November 2026"),
            "{name}"
        );
        let link = &newest.links[0].href;
        assert_eq!(link, "https://example.org/d/issues/2026-11-26/", "{name}");
        let body = entry_html(newest);
        assert!(
            body.contains("Paper A of day 26") && body.contains("Paper &lt;B&gt; of day 26"),
            "{name}: {body}"
        );
        assert!(body.contains("https://example.org/d/papers/"), "absolute links: {body}");
        assert!(!body.contains("day 25"), "one issue per item");
    }
    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["feed_url"], "https://example.org/d/feed.json");
    assert_eq!(json["items"].as_array().unwrap().len(), 8);
    let home = site.read("index.html");
    assert!(home.contains("type=\"application/feed+json\"") && home.contains("href=\"/d/issues/rss.xml\""));
}

#[test]
fn a_long_day_is_emailed_in_under_100_kb() {
    // 500 papers with long abstracts and long author lists, and room for all of them asked
    // for: the email still fits, and says how many it leaves out.
    let site = TestSite::new();
    site.write(
        "paperboy.toml",
        "base_url = \"https://example.org/\"\n[email]\npapers = 500\n",
    );
    let abstract_ = "We study a problem of considerable length and consequence. ".repeat(12);
    let mut lines = String::new();
    for i in 0..500 {
        let authors: Vec<String> = (0..30).map(|a| format!("\"Author {a} Surname{i}\"")).collect();
        lines.push_str(&format!(
            "{{\"id\": \"2605.{i:05}\", \"date\": \"2026-05-05\", \"title\": \"A Long Title About Topic Number {i} and Its Many Consequences\", \"authors\": [{}], \"abstract\": \"{abstract_}\"}}\n",
            authors.join(", ")
        ));
    }
    site.write("content/2026-05-05.jsonl", lines);
    site.build_ok(&[]);
    let html = site.read("issues/2026-05-05/email.html");
    assert!(html.len() <= 100_000, "{} bytes", html.len());
    let shown = html.matches("<h2 ").count();
    assert!(shown >= 20, "only {shown} papers");
    assert!(
        html.contains(&format!("{} more papers in the full issue", 500 - shown)),
        "says how many are left out"
    );
    assert!(
        html.contains("Author 0 Surname0, Author 1 Surname0, … and 28 more"),
        "authors shortened"
    );
}

#[test]
fn email_issues_are_self_contained() {
    let site = TestSite::new();
    site.write("paperboy.toml", "base_url = \"https://example.org/\"\n");
    site.write("content/2026-11-26.txt", SAMPLE);
    site.build_ok(&[]);
    for theme in ["default", "newsletter"] {
        if theme == "newsletter" {
            site.write(
                "paperboy.toml",
                "base_url = \"https://example.org/\"\ntheme = \"newsletter\"\n",
            );
            site.build_ok(&[]);
        }
        let html = site.read("issues/2026-11-26/email.html");
        let lower = html.to_ascii_lowercase();
        for banned in ["<style", "<link", "<script", " src=", "class=", "url(", "@import"] {
            assert!(!lower.contains(banned), "{theme}: email.html holds {banned}");
        }
        for href in html.split("href=\"").skip(1) {
            assert!(
                href.starts_with("https://example.org/"),
                "{theme}: relative or foreign link {href:.60}"
            );
        }
        assert!(html.contains("<table role=\"presentation\""));
        assert_eq!(
            html.matches("<h2 ").count(),
            50,
            "{theme}: the top papers ([email] papers)"
        );
        assert!(
            html.contains("150 more papers in the full issue"),
            "{theme}: a link to the rest"
        );
        assert!(html.len() <= 100_000, "{theme}: {} bytes", html.len());
        assert!(html.contains("style=\""));

        let text = site.read("issues/2026-11-26/email.txt");
        assert!(!text.contains('<') || text.contains("<1"), "{theme}: plain text");
        assert!(text.contains("1. Regularization and Variance-Weighted Regression"));
        assert!(text.contains("50. ") && !text.contains("51. "));
        assert!(text.contains("150 more in the full issue: https://example.org/issues/2026-11-26/"));
        for line in text.lines() {
            assert!(
                line.chars().count() <= 72 || !line.trim().contains(' '),
                "{theme}: long line {line:?}"
            );
        }
    }
}

#[test]
fn pages_carry_sharing_and_discovery_metadata() {
    let site = TestSite::new();
    site.write("paperboy.toml", "base_url = \"https://example.org/digest/\"\n");
    site.write(
        "content/2026-11-26.txt",
        format!("A \"Quoted\" <Title>\n{}\n", abstract_text("x")),
    );
    site.build_ok(&[]);
    for entry in walkdir::WalkDir::new(site.public()).into_iter().filter_map(Result::ok) {
        let path = entry.path();
        if path.file_name().is_none_or(|n| n != "index.html") {
            continue;
        }
        let page = std::fs::read_to_string(path).unwrap();
        let rel = path
            .parent()
            .unwrap()
            .strip_prefix(site.public())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let url = if rel.is_empty() {
            "https://example.org/digest/".to_string()
        } else {
            format!("https://example.org/digest/{rel}/")
        };
        assert!(
            page.contains(&format!("<link rel=\"canonical\" href=\"{url}\">")),
            "{rel}"
        );
        assert!(
            page.contains(&format!("<meta property=\"og:url\" content=\"{url}\">")),
            "{rel}"
        );
        for tag in ["og:title", "og:description", "og:site_name", "og:type"] {
            assert!(page.contains(&format!("property=\"{tag}\"")), "{rel}: {tag}");
        }
        for tag in ["twitter:card", "twitter:title", "twitter:description"] {
            assert!(page.contains(&format!("name=\"{tag}\"")), "{rel}: {tag}");
        }
        let kind = if rel.starts_with("papers/") {
            "article"
        } else {
            "website"
        };
        assert!(
            page.contains(&format!("<meta property=\"og:type\" content=\"{kind}\">")),
            "{rel}"
        );
    }
    let paper = walkdir::WalkDir::new(site.public().join("papers"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name() == "index.html")
        .unwrap();
    let page = std::fs::read_to_string(paper.path()).unwrap();
    assert!(
        page.contains("content=\"A &quot;Quoted&quot; &lt;Title&gt; — Trending Papers\""),
        "escaped in attributes"
    );
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/digest/sitemap.xml\n"
    );
    let sitemap = site.read("sitemap.xml");
    let urls = sitemap.matches("<url>").count();
    assert!(urls >= 6, "the sitemap lists the pages: {sitemap}");
    assert!(
        sitemap.contains("<loc>https://example.org/digest/search/</loc>"),
        "the search page is in the sitemap: {sitemap}"
    );
    assert_eq!(urls, sitemap.matches("<lastmod>2026-11-26</lastmod>").count());
}

#[test]
fn math_is_mathml_on_pages_and_unicode_in_feeds() {
    let site = TestSite::new();
    site.write(
        "content/papers/math.md",
        md_paper(
            "Bounds",
            "2026-11-26",
            &[],
            "We prove $\\mathcal{O}(n^2)$ and $$\\sum_i x_i \\le 1$$ but $\\frac{a}{b$ fails.",
        ),
    );
    site.write(
        "content/2026-11-26.txt",
        "Scraped Bounds\nAn varepsilon-optimal policy with mathcal{O}(d^{3/2}H^2K) regret, gaining sim13 points on 3 times 4 grids; also $x^2$.\n",
    );
    site.build_ok(&[]);
    let page = |slug: &str| site.read(&format!("papers/{slug}/index.html"));
    let md = page("bounds");
    assert!(md.contains("<math display=\"inline\"><mrow><mi>𝒪</mi></mrow>"), "{md}");
    assert!(md.contains("<math display=\"block\">"), "{md}");
    assert!(md.contains("$\\frac{a}{b$"), "a failed formula shows its source: {md}");
    let scraped = page("scraped-bounds");
    for repaired in [
        "ε-optimal",
        "𝒪(d<sup>3/2</sup>H<sup>2</sup>K)",
        "∼13 points",
        "3×4 grids",
        "<math display=\"inline\"><msup>",
    ] {
        assert!(scraped.contains(repaired), "{repaired} missing: {scraped}");
    }
    for name in ["rss.xml", "atom.xml"] {
        let feed = parse_feed(&site.read(name));
        for entry in &feed.entries {
            let body = entry_html(entry);
            // Feed readers strip MathML: feeds read the formulas as Unicode text.
            assert!(!body.contains("<math"), "{name}: {body}");
            assert!(body.contains("𝒪(n²)") || body.contains("x²"), "{name}: {body}");
            assert!(!body.contains("$x^2$") && !body.contains("\\mathcal"), "{name}: {body}");
        }
    }
    let words: Vec<String> = read_index(&site).terms.into_keys().collect();
    for macro_name in ["mathcal", "varepsilon", "frac"] {
        assert!(
            !words.contains(&macro_name.to_string()),
            "{macro_name} is a search term"
        );
    }
    assert!(words.contains(&"optimal".to_string()));
}
