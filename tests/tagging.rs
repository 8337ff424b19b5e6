//! Automatic tagging on the sample corpus and through the config, driven through the library
//! and the real binary.

mod common;

use common::*;
use paperboy::model::Site;

fn load_sample(extra: &[(&str, &str)]) -> (TestSite, Site) {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", SAMPLE);
    for (rel, text) in extra {
        site.write(rel, text);
    }
    let loaded = paperboy::load(site.root(), None).expect("sample loads");
    (site, loaded.site)
}

fn tags_of<'a>(site: &'a Site, title_start: &str) -> Vec<&'a str> {
    let paper = site
        .papers
        .iter()
        .find(|p| p.title.starts_with(title_start))
        .unwrap_or_else(|| panic!("no paper titled {title_start}…"));
    paper.tags.iter().map(|&t| site.tags[t].slug.as_str()).collect()
}

#[test]
fn the_sample_is_tagged_broadly_but_not_by_one_catch_all() {
    let (_dir, site) = load_sample(&[]);
    let n = site.papers.len();
    let tagged = site.papers.iter().filter(|p| !p.tags.is_empty()).count();
    assert!(tagged * 100 >= n * 95, "only {tagged}/{n} papers got a tag");
    assert!(site.papers.iter().all(|p| p.tags.len() <= 5));
    for tag in &site.tags {
        assert!(
            tag.papers.len() * 100 <= n * 60,
            "{} covers {} of {n} papers",
            tag.slug,
            tag.papers.len()
        );
    }
    assert!(site.tags.len() >= 20, "only {} topics touched", site.tags.len());
}

/// Ten sample papers whose right tags were judged by reading them: each must get the tags
/// listed first and none of those listed second.
#[test]
fn ten_sample_papers_get_the_tags_a_reader_would_give() {
    let (_dir, site) = load_sample(&[]);
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "Virtual Prompt Injection",
            &["large-language-models", "security"],
            &["medical-ai", "reinforcement-learning"],
        ),
        (
            "Diffusion World Model",
            &["generative-models", "reinforcement-learning"],
            &["computer-vision"],
        ),
        (
            "Semi-Markov Offline Reinforcement Learning for Healthcare",
            &["reinforcement-learning", "medical-ai"],
            &[],
        ),
        (
            "No Token Left Behind",
            &["efficient-inference", "large-language-models"],
            &["security"],
        ),
        ("MOTIVE: A Drug-Target", &["graph-learning", "medical-ai"], &[]),
        (
            "Non-Stationary Dueling Bandits",
            &["bandits"],
            &["reinforcement-learning", "alignment"],
        ),
        (
            "Fair and efficient contribution valuation",
            &["federated-learning", "fairness"],
            &[],
        ),
        (
            "Challenging common interpretability",
            &["interpretability"],
            &["security", "benchmarks"],
        ),
        (
            "Teaching Large Language Models to Reason",
            &["large-language-models", "reinforcement-learning", "reasoning"],
            &[],
        ),
        (
            "On the Efficacy of Eviction Policy",
            &["efficient-inference", "large-language-models"],
            &["reinforcement-learning"],
        ),
        (
            "Optimistic Online Mirror Descent",
            &["online-learning", "optimization"],
            &["bandits"],
        ),
    ];
    for (title, want, not) in cases {
        let got = tags_of(&site, title);
        for w in *want {
            assert!(got.contains(w), "{title}: expected {w}, got {got:?}");
        }
        for n in *not {
            assert!(!got.contains(n), "{title}: must not get {n}, got {got:?}");
        }
    }
}

#[test]
fn explicit_tags_merge_with_automatic_ones_under_one_slug() {
    let (_dir, site) = load_sample(&[
        (
            "content/a.md",
            &md_paper("Plain Paper A", "2026-11-26", &["LLMs", "My Topic"], "Nothing to see."),
        ),
        (
            "content/b.md",
            &md_paper("Plain Paper B", "2026-11-26", &["Large Language Models"], "Nothing."),
        ),
        (
            "content/c.md",
            &md_paper("Plain Paper C", "2026-11-26", &["llm"], "Nothing."),
        ),
    ]);
    for t in ["Plain Paper A", "Plain Paper B", "Plain Paper C"] {
        assert_eq!(tags_of(&site, t)[0], "large-language-models", "{t}");
    }
    assert_eq!(tags_of(&site, "Plain Paper A"), ["large-language-models", "my-topic"]);
    let llm = site.tags.iter().find(|t| t.slug == "large-language-models").unwrap();
    assert_eq!(llm.name, "Large Language Models");
    assert!(!site.tags.iter().any(|t| t.slug == "llms" || t.slug == "llm"));
}

#[test]
fn config_switches_control_automatic_tags() {
    let paper = md_paper(
        "Deep Reinforcement Learning for Robots",
        "2026-11-26",
        &["Mine"],
        "A policy gradient study.",
    );
    let (_d, site) = load_sample(&[
        ("content/p.md", &paper),
        ("paperboy.toml", "[tagging]\nauto_for_explicit = false\n"),
    ]);
    assert_eq!(tags_of(&site, "Deep Reinforcement Learning for Robots"), ["mine"]);
    assert!(
        !tags_of(&site, "Diffusion World Model").is_empty(),
        "papers without explicit tags still get automatic ones"
    );

    let (_d, site) = load_sample(&[("content/p.md", &paper), ("paperboy.toml", "[tagging]\nauto = false\n")]);
    assert_eq!(site.tags.len(), 1, "only the explicit tag is left");

    let own = "[tagging]\nbuiltin_topics = false\n[[tagging.topic]]\nname = \"Robots\"\nphrases = [\"robot\"]\n[tagging.aliases]\n\"Mine\" = \"robots\"\n";
    let (_d, site) = load_sample(&[("content/p.md", &paper), ("paperboy.toml", own)]);
    assert_eq!(tags_of(&site, "Deep Reinforcement Learning for Robots"), ["robots"]);
    assert!(
        site.tags.iter().all(|t| t.slug == "robots"),
        "no built-in topic is used"
    );
}

#[test]
fn every_tag_gets_a_page_and_two_feeds() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", SAMPLE);
    site.build_ok(&[]);
    let index = site.read("tags/index.html");
    let loaded = paperboy::load(site.root(), None).unwrap();
    for tag in &loaded.site.tags {
        assert!(
            index.contains(&format!("href=\"/tags/{}/\"", tag.slug)),
            "{} not in the tag index",
            tag.slug
        );
        let feed = parse_feed(&site.read(&format!("tags/{}/atom.xml", tag.slug)));
        assert_eq!(feed.entries.len(), tag.papers.len().min(50), "{}", tag.slug);
        parse_feed(&site.read(&format!("tags/{}/rss.xml", tag.slug)));
    }
    let rl = parse_feed(&site.read("tags/reinforcement-learning/rss.xml"));
    assert!(
        rl.entries
            .iter()
            .all(|e| e.categories.iter().any(|c| c.term == "Reinforcement Learning"))
    );
}

#[test]
fn the_tags_command_reports_counts_untagged_papers_and_explanations() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", SAMPLE);
    let out = site.run(&["tags"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("reinforcement-learning"), "{text}");
    assert!(text.contains("papers with no tag"), "{text}");

    let out = site.run(&["tags", "--explain", "diffusion-world-model"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("generative-models  score") && text.contains("`diffusion`"),
        "{text}"
    );

    let out = site.run(&["tags", "--explain", "no-such-paper"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no paper has the slug `no-such-paper`"));
}

#[test]
fn the_fast_tagger_agrees_with_the_explanation() {
    let (_dir, site) = load_sample(&[]);
    let tax = paperboy::enrich::Taxonomy::new(&Default::default()).unwrap();
    for p in &site.papers {
        let explained: Vec<String> = tax
            .evidence(&p.title, &p.abstract_text)
            .into_iter()
            .filter(|e| e.passes())
            .take(5)
            .map(|e| e.slug)
            .collect();
        assert_eq!(tax.auto_tags(&p.title, &p.abstract_text), explained, "{}", p.title);
        // The build reads words through one lexicon for the whole corpus: same verdicts.
        if p.explicit_tags.is_empty() {
            let built: Vec<&str> = p.tags.iter().map(|&t| site.tags[t].slug.as_str()).collect();
            assert_eq!(built, explained, "{}", p.title);
        }
    }
}
