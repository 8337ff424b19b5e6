//! Reader features: search index, related papers, the daily-issue feeds, email-ready issues,
//! and sharing/discovery metadata, each checked on real builds.

mod common;

use common::*;

/// One term of a term shard: the word, how many terms back its previous stem mate is (0:
/// none), its stem when it is the first of its stem in the shard, and its papers (numbered
/// across the site) with whether the title uses it.
type Entry = (String, usize, Option<String>, Vec<(usize, bool)>);

/// Decodes the front-coded `terms` string of a term shard.
fn decode_terms(terms: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut prev = String::new();
    for entry in terms.split(';').filter(|e| !e.is_empty()) {
        let shared = usize::from_str_radix(&entry[..1], 36).unwrap();
        let (head, gaps) = entry[1..].split_once(':').unwrap();
        let (suffix, back, stem) = match (head.split_once('~'), head.split_once('!')) {
            (Some((suffix, back)), _) => (suffix, usize::from_str_radix(back, 36).unwrap(), None),
            (None, Some((suffix, stem))) => (suffix, 0, Some(stem)),
            (None, None) => (head, 0, None),
        };
        let word: String = prev.chars().take(shared).chain(suffix.chars()).collect();
        // `!Q REST`: the word's first Q characters, then REST; no mark: the word itself.
        let stem = match stem {
            Some(stem) => {
                let kept = usize::from_str_radix(&stem[..1], 36).unwrap();
                Some(word.chars().take(kept).chain(stem[1..].chars()).collect())
            }
            None if back == 0 => Some(word.clone()),
            None => None,
        };
        let mut id = 0;
        let papers = gaps
            .split(',')
            .map(|g| {
                let v = usize::from_str_radix(g, 36).unwrap();
                id += v / 2;
                (id, v % 2 == 1)
            })
            .collect();
        prev = word.clone();
        out.push((word, back, stem, papers));
    }
    out
}

/// A result as a document chunk describes it.
#[derive(Debug, Clone)]
struct Doc {
    title: String,
    slug: String,
    iso: String,
    date: String,
    tags: Vec<String>,
    abstract_text: String,
}

/// The search index as read from the files the head names.
struct SearchIndex {
    head: serde_json::Value,
    /// Per paper, in index order.
    docs: Vec<Doc>,
    /// Every word with its papers, in word order.
    terms: std::collections::BTreeMap<String, Vec<usize>>,
    /// Words whose title uses it, by word.
    titles: std::collections::BTreeMap<String, Vec<usize>>,
    /// Each word's stem, as its shard says: words of one stem are one group, across
    /// segments too.
    group: std::collections::BTreeMap<String, String>,
    /// Each shard's words.
    shards: Vec<Vec<String>>,
    /// Each file's size: head, shards, chunks.
    sizes: Vec<(String, usize)>,
}

fn read_index(site: &TestSite) -> SearchIndex {
    let head_text = site.read("search/index.json");
    let head: serde_json::Value = serde_json::from_str(&head_text).unwrap();
    assert_eq!(head["v"], paperboy::render::SEARCH_FORMAT);
    let mut index = SearchIndex {
        head: head.clone(),
        docs: Vec::new(),
        terms: Default::default(),
        titles: Default::default(),
        group: Default::default(),
        shards: Vec::new(),
        sizes: vec![("search/index.json".into(), head_text.len())],
    };
    // The live segment's shards, then the sealed segment's (older papers): a word in both
    // has the papers of each.
    for (list, prefix) in [("shards", "t-"), ("sealed", "s-")] {
        read_shards(site, &mut index, head[list].as_array().unwrap(), prefix);
    }
    let chunk = head["chunk"].as_u64().unwrap() as usize;
    assert_eq!(chunk, paperboy::render::DOCS_PER_CHUNK);
    assert_eq!(head["dir"].as_u64().unwrap() as usize, paperboy::render::CHUNKS_PER_DIR);
    let dirs = head["dirs"].as_str().unwrap();
    let mut hashes = String::new();
    for j in 0..dirs.len() / 8 {
        let name = format!("search/i-{}.json", &dirs[j * 8..j * 8 + 8]);
        let text = site.read(&name);
        index.sizes.push((name, text.len()));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let names = json["docs"].as_str().unwrap();
        assert!(
            names.len() / 8 == paperboy::render::CHUNKS_PER_DIR || j == dirs.len() / 8 - 1,
            "full directories but the last"
        );
        hashes.push_str(names);
    }
    for k in 0..hashes.len() / 8 {
        let name = format!("search/d-{}.json", &hashes[k * 8..k * 8 + 8]);
        let text = site.read(&name);
        index.sizes.push((name, text.len()));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let docs = json["docs"].as_array().unwrap();
        assert!(
            docs.len() == chunk || k == hashes.len() / 8 - 1,
            "full chunks but the last"
        );
        let str_of = |v: &serde_json::Value| v.as_str().unwrap().to_string();
        for d in docs {
            index.docs.push(Doc {
                title: str_of(&d[0]),
                slug: str_of(&d[1]),
                iso: str_of(&d[2]),
                date: str_of(&d[3]),
                tags: d[4].as_array().unwrap().iter().map(str_of).collect(),
                abstract_text: str_of(&d[5]),
            });
        }
    }
    assert_eq!(head["papers"].as_u64().unwrap() as usize, index.docs.len());
    let days: u64 = head["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap())
        .sum();
    assert_eq!(days as usize, index.docs.len(), "every paper has a day");
    index
}

/// Reads the term shards `shards` of the head (files `PREFIX-HASH.json`) into `index`.
fn read_shards(site: &TestSite, index: &mut SearchIndex, shards: &[serde_json::Value], prefix: &str) {
    for (k, shard) in shards.iter().enumerate() {
        let name = format!("search/{prefix}{}.json", shard[1].as_str().unwrap());
        let text = site.read(&name);
        index.sizes.push((name, text.len()));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let entries = decode_terms(json["terms"].as_str().unwrap());
        let words: Vec<String> = entries.iter().map(|e| e.0.clone()).collect();
        let mut sorted = words.clone();
        sorted.sort();
        assert_eq!(words, sorted, "words are sorted for prefix search");
        assert!(
            k == 0 || words[0] == shard[0].as_str().unwrap(),
            "the head names each shard's first word"
        );
        if let Some(next) = shards.get(k + 1) {
            assert!(
                words.last().unwrap().as_str() < next[0].as_str().unwrap(),
                "shards in word order"
            );
        }
        for (i, (word, back, stem, papers)) in entries.iter().enumerate() {
            let group = match stem {
                Some(stem) => stem.clone(),
                None => index.group[&words[i - back]].clone(),
            };
            // A word in both segments has one stem in both.
            assert_eq!(index.group.entry(word.clone()).or_insert(group.clone()), &group);
            let all = index.terms.entry(word.clone()).or_default();
            all.extend(papers.iter().map(|p| p.0));
            all.sort_unstable();
            let titled = index.titles.entry(word.clone()).or_default();
            titled.extend(papers.iter().filter(|p| p.1).map(|p| p.0));
            titled.sort_unstable();
        }
        index.shards.push(words);
    }
}

/// Every file under `public/search/` that is not the page, its script or the head: the parts
/// of the index.
fn index_parts(site: &TestSite) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(site.public().join("search"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| ["t-", "s-", "d-", "i-"].iter().any(|p| n.starts_with(p)))
        .collect()
}

#[test]
fn the_search_index_holds_every_word_its_stems_and_what_results_show() {
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
            "Grasping with 机器人 hands, \"quoted\" \\ and <b>bold</b>.",
        ),
    );
    site.build_ok(&[]);
    let index = read_index(&site);
    assert_eq!(index.docs.len(), 3);
    let lookup = |w: &str| -> Vec<String> {
        let ids = index.terms.get(w).cloned().unwrap_or_default();
        ids.iter().map(|&i| index.docs[i].title.clone()).collect()
    };
    let mut graph = lookup("graphs");
    graph.sort();
    assert_eq!(graph, vec!["Graph Neural Networks for Molecules", "Sparse Attention"]);
    assert_eq!(
        lookup("graph"),
        vec!["Graph Neural Networks for Molecules"],
        "title words count"
    );
    let graph_paper = index.docs.iter().position(|d| d.title.starts_with("Graph")).unwrap();
    assert_eq!(index.titles["graph"], vec![graph_paper], "marked as a title word");
    assert!(index.titles["graphs"].is_empty(), "graphs is in abstracts only");
    assert_eq!(index.group["graphs"], "graph", "graph and graphs share a stem");
    assert_eq!(index.group["graph"], "graph");
    assert_eq!(
        index.group["molecules"], "molecul",
        "a stem other than the word is written"
    );
    assert_ne!(index.group["graph"], index.group["grasping"]);
    assert_eq!(lookup("机器人"), vec!["Ünïcode Títle"]);
    assert_eq!(lookup("títle"), vec!["Ünïcode Títle"], "lower-cased, accents kept");
    assert_eq!(lookup("robotics"), vec!["Ünïcode Títle"], "tag names are words too");
    // Terms are lower-cased: "we" (a stop word), not "We", is what a lookup would find.
    for absent in ["the", "with", "mathcal", "we"] {
        assert!(lookup(absent).is_empty(), "{absent} is not a search term");
    }
    let stop: Vec<&str> = index.head["stop"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        stop.contains(&"the") && stop.contains(&"with"),
        "the head lists the words queries skip"
    );
    // Papers oldest first; each result's text, dates as pages show them, tags by name.
    let tagged = &index.docs[0];
    assert_eq!(tagged.title, "Ünïcode Títle");
    assert_eq!(
        (tagged.iso.as_str(), tagged.date.as_str()),
        ("2026-11-25", "25 November 2026")
    );
    assert!(tagged.tags.contains(&"Robotics".to_string()), "{:?}", tagged.tags);
    assert_eq!(
        tagged.abstract_text,
        "Grasping with 机器人 hands, \"quoted\" \\ and <b>bold</b>."
    );
    assert_eq!(index.head["days"], serde_json::json!([1, 2]));
    let page = site.read(&format!("papers/{}/index.html", tagged.slug));
    assert!(page.contains("Ünïcode Títle"));
    // The page and its script.
    let page = site.read("search/index.html");
    assert!(page.contains("id=\"search-q\"") && page.contains("<noscript>"));
    assert!(page.contains("src=\"/search/search.js\""));
    let script = site.read("search/search.js");
    assert!(script.contains("textContent") && !script.contains("innerHTML"));
}

#[test]
fn the_index_is_split_into_parts_a_query_fetches_few_of() {
    // 4,100 papers, each with a word of its own and two words all share.
    let site = TestSite::new();
    write_numbered_papers(&site, 41);
    site.build_ok(&[]);
    let index = read_index(&site);
    assert_eq!(index.docs.len(), 4100);
    for n in [0, 1999, 2000, 4099] {
        let ids = &index.terms[&own_word(n)];
        assert_eq!(ids.len(), 1, "{}", own_word(n));
        assert_eq!(index.docs[ids[0]].title, format!("Paper {n} on {}", own_word(n)));
    }
    assert_eq!(index.terms["graphs"], (0..4100).collect::<Vec<_>>(), "a common word");
    assert!(index.shards.len() >= 2, "{} term shards", index.shards.len());
    let chunks = 4100usize.div_ceil(paperboy::render::DOCS_PER_CHUNK);
    let dirs = chunks.div_ceil(paperboy::render::CHUNKS_PER_DIR);
    assert!(dirs >= 2);
    assert_eq!(index.sizes.len(), 1 + index.shards.len() + dirs + chunks);
    // The head is small, and so is each part: a query reads the head, a shard per word, and
    // a directory and a chunk per result shown.
    let head = index.sizes[0].1;
    assert!(head < 9 * dirs + 100 * index.shards.len() + 2000, "head: {head} bytes");
    for (name, size) in &index.sizes[1..] {
        assert!(
            *size <= 2 * paperboy::render::SHARD_BYTES + 4096,
            "{name}: {size} bytes"
        );
    }
    // Nothing else is in the folder: parts are named by hash, and a build leaves no others.
    let listed: std::collections::BTreeSet<String> = index.sizes[1..]
        .iter()
        .map(|(n, _)| n.trim_start_matches("search/").to_string())
        .collect();
    assert_eq!(index_parts(&site), listed);
    // The same content gives the same names.
    let before = index_parts(&site);
    site.build_ok(&[]);
    assert_eq!(index_parts(&site), before);
}

#[test]
fn hostile_text_in_the_index_is_escaped_json() {
    let site = TestSite::new();
    // Backslashes here are JSON's business, not LaTeX's: `\back` would read as a macro.
    site.write("paperboy.toml", "[import]\nlatex = false\n");
    site.write(
        "content/papers/hostile.md",
        md_paper(
            "</script><img src=x onerror=alert(1)> \"quotes\" \\back\\slash",
            "2026-11-26",
            &["<b>Tag</b>"],
            "Abstract with \"quotes\", \\backslashes\\, and </script> tags.",
        ),
    );
    site.build_ok(&[]);
    let index = read_index(&site);
    let doc = &index.docs[0];
    assert!(
        doc.title
            .starts_with("</script><img src=x onerror=alert(1)> \"quotes\" \\back\\slash")
    );
    assert!(
        doc.abstract_text.contains("\"quotes\", \\backslashes"),
        "{}",
        doc.abstract_text
    );
    assert!(doc.abstract_text.contains("</script> tags"), "{}", doc.abstract_text);
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
            .unwrap_or("")
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
    assert!(!auction.is_empty(), "the auction papers have related papers");
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
        for banned in ["<link", "<script", " src=", "url(", "@import"] {
            assert!(!lower.contains(banned), "{theme}: email.html holds {banned}");
        }
        // Mail clients drop style sheets at will: the light look is inline on every
        // element, and the one style sheet holds nothing but the dark colours of the
        // clients that honour them.
        assert_eq!(lower.matches("<style").count(), 1, "{theme}: one style sheet");
        let sheet = &lower[lower.find("<style>").unwrap() + 7..lower.find("</style>").unwrap()];
        assert!(
            sheet.trim_start().starts_with("@media (prefers-color-scheme: dark) {") && sheet.trim_end().ends_with('}'),
            "{theme}: the style sheet is only the dark scheme: {sheet}"
        );
        assert_eq!(
            sheet.matches(';').count(),
            sheet.matches("!important;").count(),
            "{theme}: {sheet}"
        );
        assert!(html.contains("<meta name=\"color-scheme\" content=\"light dark\">"));
        for tag in html.split('<').filter(|t| t.contains(" class=\"")) {
            assert!(
                tag.contains(" style=\""),
                "{theme}: a class without its light look inline: <{tag:.80}"
            );
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
        // Numbers right-aligned, and every line of a paper under the start of its title:
        // "10." is a column wider than "9.".
        assert!(text.contains("\n 9. ") && text.contains("\n10. "), "{theme}: {text}");
        assert!(
            !text.lines().any(|l| l.starts_with("   ") && !l.starts_with("    ")),
            "{theme}: a paper's lines start under its title"
        );
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
    assert!(sitemap.matches("<url>").count() > 3, "{sitemap}");
    assert_eq!(
        sitemap.matches("<url>").count(),
        sitemap.matches("<lastmod>2026-11-26</lastmod>").count()
    );
    assert!(
        sitemap.contains("<loc>https://example.org/digest/search/</loc>"),
        "{sitemap}"
    );
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
