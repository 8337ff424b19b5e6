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
    let loaded = paperboy::load(site.root(), &Default::default()).expect("sample loads");
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
        // Healthcare is this paper's motivation and its method general offline RL: the
        // learned stage doubts Medical AI (p 0.02) though the title names healthcare. A
        // reader might give it; the doubt is a measured trade (see `DOUBTS` in
        // `learned.rs`), so the test asks for neither.
        (
            "Semi-Markov Offline Reinforcement Learning for Healthcare",
            &["reinforcement-learning"],
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
            // "Fair" here is a fair reward for each party's data (Shapley values), which
            // the learned stage doubts as Fairness (p 0.08): readers filed bias and equity
            // there. Either reading is defensible, so the test asks for neither.
            "Fair and efficient contribution valuation",
            &["federated-learning"],
            &[],
        ),
        // An evaluation study of explanations ("we empirically evaluate ... through a large
        // scale human-subjects experiment"): Benchmarks & Evaluation is a reader's tag too,
        // by the labelling conventions, and the weights learned from labels give it.
        (
            "Challenging common interpretability",
            &["interpretability"],
            &["security", "large-language-models"],
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
    let loaded = paperboy::load(site.root(), &Default::default()).unwrap();
    for tag in &loaded.site.tags {
        assert!(
            index.contains(&format!("href=\"/tags/{}/\"", tag.slug)),
            "{} not in the tag index",
            tag.slug
        );
        let feed = parse_feed(&site.read(&format!("tags/{}/atom.xml", tag.slug)));
        // One day of papers: a tag's feed holds all of its newest day.
        assert_eq!(feed.entries.len(), tag.papers.len(), "{}", tag.slug);
        // Readers subscribe to the first feed a page names: the tag's own.
        let page = site.read(&format!("tags/{}/index.html", tag.slug));
        let first = page.split("<link rel=\"alternate\"").nth(1).unwrap_or_default();
        assert!(
            first.contains(&format!("href=\"/tags/{}/rss.xml\"", tag.slug)),
            "{}: {first}",
            tag.slug
        );
        parse_feed(&site.read(&format!("tags/{}/rss.xml", tag.slug)));
    }
    for page in ["issues/index.html", "issues/2026-11-26/index.html"] {
        let first = site
            .read(page)
            .split("<link rel=\"alternate\"")
            .nth(1)
            .unwrap_or_default()
            .to_string();
        assert!(first.contains("href=\"/issues/rss.xml\""), "{page}: {first}");
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
    assert!(String::from_utf8_lossy(&out.stderr).contains("no paper has the slug or arXiv id `no-such-paper`"));
}

#[test]
fn the_fast_tagger_agrees_with_the_explanation() {
    let (_dir, site) = load_sample(&[]);
    let tax = paperboy::enrich::Taxonomy::new(&Default::default()).unwrap();
    for p in &site.papers {
        let explained: Vec<String> = tax
            .evidence(&p.title, &p.abstract_text.read())
            .into_iter()
            .filter(|e| e.passes())
            .take(5)
            .map(|e| e.slug)
            .collect();
        assert_eq!(
            tax.auto_tags(&p.title, &p.abstract_text.read()),
            explained,
            "{}",
            p.title
        );
        // The build reads words through one lexicon for the whole corpus: same verdicts by
        // phrases, then what the neighbours add.
        if p.explicit_tags.is_empty() {
            let built: Vec<&str> = p.tags.iter().map(|&t| site.tags[t].slug.as_str()).collect();
            assert!(
                built.iter().zip(&explained).all(|(b, e)| b == e) && built.len() >= explained.len(),
                "{}: {built:?} {explained:?}",
                p.title
            );
        }
    }
}

/// The built-in 36 topics that `tests/fixtures/real-dev/labels.tsv` was labelled with; new
/// topics are neither right nor wrong there.
const LABELLED_TOPICS: &str = "agents,alignment,bandits,bayesian,benchmarks,causal-inference,code-generation,computer-vision,deep-learning,efficient-inference,fairness,federated-learning,finance,game-theory,generative-models,graph-learning,interpretability,large-language-models,learning-theory,medical-ai,meta-learning,multi-agent,nlp,online-learning,optimization,privacy,reasoning,recommender-systems,reinforcement-learning,retrieval,robotics,security,speech-audio,statistics,time-series,vision-language-models";

/// `paperboy tags --eval` of `labels` in fixture `fixture`: the headline numbers.
fn eval_labels(fixture: &str, labels: &str, extra: &[&str]) -> (f64, f64, f64, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args(["tags", "--root"])
        .arg(&root)
        .arg("--eval")
        .arg(root.join(labels))
        .args(["--topics", LABELLED_TOPICS])
        .args(extra)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let number = |key: &str| -> f64 {
        let at = text
            .find(&format!("{key} "))
            .unwrap_or_else(|| panic!("no {key} in:\n{text}"));
        text[at + key.len() + 1..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (number("precision"), number("recall"), number("coverage"), text)
}

/// Scores `labels` of `fixture` (every one of its `papers` found) and holds the figures to
/// their floors: precision, recall, coverage.
fn assert_floors(fixture: &str, labels: &str, papers: usize, floors: (f64, f64, f64)) {
    let (precision, recall, coverage, text) = eval_labels(fixture, labels, &[]);
    assert!(
        text.starts_with(&format!("{papers} of {papers} labelled papers found")),
        "{text}"
    );
    assert!(precision >= floors.0, "precision {precision}\n{text}");
    assert!(recall >= floors.1, "recall {recall}\n{text}");
    assert!(coverage >= floors.2, "coverage {coverage}\n{text}");
}

#[test]
fn the_builtin_taxonomy_tags_real_papers_as_their_readers_do() {
    // 300 real arXiv papers labelled by hand, blind to any tagger. The floors are what the
    // built-in taxonomy reaches today, less a little: tuning that loses ground fails here.
    assert_floors("real-dev", "labels.tsv", 300, (0.90, 0.84, 0.97));
}

#[test]
fn the_builtin_taxonomy_holds_its_ground_beyond_the_dev_fixture() {
    // 500 more real papers, labelled blind by other hands (see the fixture's README). The
    // dev fixture above is what the taxonomy is tuned on; these floors (today's figures less
    // a little) catch a rule that fits it and loses elsewhere. The fixture's held-out labels
    // stay out of every test: they measure, they do not steer.
    assert_floors("real-may", "labels-tuned.tsv", 500, (0.86, 0.76, 0.95));
}

#[test]
fn the_builtin_taxonomy_holds_its_ground_on_two_thousand_blind_papers() {
    // 2,000 papers of May 2026 labelled blind by eight more readers (see the fixture's
    // README), scored in one site. Half A may be read to find rules, so it has floors
    // (today's figures less a little); half B measures and stays out of every test.
    assert_floors("real-may-blind", "labels-a.tsv", 1000, (0.82, 0.74, 0.95));
}

/// What `paperboy tags --explain ID` prints for `site`, which must succeed.
fn explained(site: &TestSite, id: &str) -> String {
    let out = site.run(&["tags", "--explain", id]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The block of `--explain` output (`text`) about topic `slug`, which must be there.
fn explain_block<'t>(text: &'t str, slug: &str) -> &'t str {
    text.split("\n\n")
        .find(|block| block.starts_with(&format!("{slug} ")))
        .unwrap_or_else(|| panic!("no {slug} block in:\n{text}"))
}

/// A real paper (May 2026, in `tests/fixtures/real-may`, labelled computer vision by its
/// reader) whose vision phrases fall short of the threshold: its words say the rest.
const TREE_RINGS: (&str, &str) = (
    "TRAS: An Interactive Software for Tracing Tree Ring Cross Sections",
    "Tree ring marking remains a key step in dendrometry and dendrochronology, but it is often performed manually, making the process time-consuming, subjective, and difficult to scale to large image datasets. We present the Tree Ring Analyzer Suite (TRAS), an open-source graphical software for automatic delineation, manual correction, and measurement of tree rings in wood cross-sectional images. TRAS integrates three complementary detection algorithms: the classical image-processing method CS-TRD and two deep-learning approaches, DeepCS-TRD and INBD. The interface allows users to refine automatic detections, remove false positives, and manually add missing rings. It also computes dendrochronological metrics such as earlywood and latewood areas, ring perimeter, equivalent ring width, and custom path-based ring-width measurements. TRAS was evaluated on 18 expertly annotated Pinus taeda L. cross-section images. DeepCS-TRD achieved the best automatic detection performance, with an F-score of 81.0% and precision of 86.4%. Automatic detection reduced the required manual correction effort to approximately 20% of ring boundaries. For one-dimensional ring-width measurements, TRAS showed excellent agreement with CooRecorder ($r > 0.99$). Common detection errors, such as jump propagation or false positives near knots, were easily corrected through the postprocessing interface. TRAS provides a flexible and reproducible solution for tree-ring analysis on Windows, macOS, and Linux. Code is available at the https://hmarichal93.github.io/tras.",
);

#[test]
fn the_learned_stage_gives_a_topic_that_a_papers_words_carry_and_says_which() {
    let (title, abstract_text) = TREE_RINGS;
    let learned = paperboy::enrich::Taxonomy::new(&Default::default()).unwrap();
    assert_tags(&learned, title, abstract_text, &["computer-vision"], &[]);
    let phrases_only = paperboy::enrich::Taxonomy::new(&paperboy::config::TaggingConfig {
        learned: false,
        ..Default::default()
    })
    .unwrap();
    assert_tags(&phrases_only, title, abstract_text, &[], &["computer-vision"]);
    // A site that redefines a topic decides it by its own phrases alone.
    let redefined: paperboy::config::TaggingConfig =
        toml::from_str("[[topic]]\nname = \"Computer Vision\"\nphrases = [\"optical flow\"]\n").unwrap();
    let redefined = paperboy::enrich::Taxonomy::new(&redefined).unwrap();
    assert_tags(&redefined, title, abstract_text, &[], &["computer-vision"]);
    // `--explain` names the stage and the words that weighed.
    let site = TestSite::new();
    let paper =
        serde_json::json!({"id": "2605.08025", "date": "2026-05-11", "title": title, "abstract": abstract_text});
    site.write("content/papers.jsonl", format!("{paper}\n"));
    let text = explained(&site, "2605.08025");
    let vision = explain_block(&text, "computer-vision");
    assert!(vision.contains("given by its words (learned, p = 0."), "{vision}");
    assert!(
        vision.contains("learned: p = 0.") && vision.contains("`image` +"),
        "{vision}"
    );
}

#[test]
fn a_language_model_tag_gives_way_to_vision_and_explain_says_so() {
    // A real paper of the dev fixture, labelled reasoning and vision-language models by its
    // reader: its phrases name Large Language Models ("CoT", "chain-of-thought"), which gives
    // way to its vision topic, and explain says so.
    let fixture = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-dev/content/papers.jsonl"),
    )
    .unwrap();
    let line = fixture
        .lines()
        .find(|l| l.contains(r#""id": "2605.11856""#))
        .expect("UniVLR is in the dev fixture");
    let site = TestSite::new();
    site.write("content/papers.jsonl", format!("{line}\n"));
    let text = explained(&site, "2605.11856");
    assert!(
        text.contains("\ntags: reasoning, vision-language-models, computer-vision\n"),
        "{text}"
    );
    let llm = explain_block(&text, "large-language-models");
    assert!(llm.contains("gives way to `computer-vision`"), "{llm}");
}

/// The line of a paper of the tuning half of the blind May labels
/// (`tests/fixtures/real-may-blind/labels-a.tsv`; half B is never read paper by paper).
fn blind_tuning_paper(id: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-may-blind");
    let labels = std::fs::read_to_string(root.join("labels-a.tsv")).unwrap();
    assert!(
        labels.lines().any(|l| l.starts_with(&format!("{id}\t"))),
        "{id} is not in half A"
    );
    let papers = std::fs::read_to_string(root.join("content/papers.jsonl")).unwrap();
    let line = papers.lines().find(|l| l.contains(&format!(r#""id": "{id}""#)));
    line.unwrap_or_else(|| panic!("{id} is not in the fixture")).to_string()
}

#[test]
fn the_learned_stage_overrules_phrases_that_only_just_name_a_topic() {
    let tax = paperboy::enrich::Taxonomy::new(&Default::default()).unwrap();
    let text_of = |line: &str| {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        (
            v["title"].as_str().unwrap().to_string(),
            v["abstract"].as_str().unwrap().to_string(),
        )
    };
    // Sparse autoencoders of language models set beside brain recordings: the title's "LLM
    // Alignment" and the abstract's "brain" reach the thresholds of Alignment and Medical
    // AI, which the model, having read the whole abstract, finds unlikely (p 0.01 and
    // 0.04). Its reader gave neither.
    let brains = blind_tuning_paper("2605.23035");
    let (title, abstract_text) = text_of(&brains);
    assert_tags(
        &tax,
        &title,
        &abstract_text,
        &["interpretability", "large-language-models"],
        &["alignment", "medical-ai"],
    );
    let evidence = tax.evidence(&title, &abstract_text);
    let alignment = evidence.iter().find(|e| e.slug == "alignment").unwrap();
    assert!(alignment.score >= alignment.threshold, "{alignment:?}");
    assert!(
        alignment.doubted.is_some_and(|p| p < 0.1) && !alignment.passes(),
        "{alignment:?}"
    );
    // The same weights without the doubt would give both: the phrases alone do.
    let phrases_only = paperboy::enrich::Taxonomy::new(&paperboy::config::TaggingConfig {
        learned: false,
        ..Default::default()
    })
    .unwrap();
    assert_tags(&phrases_only, &title, &abstract_text, &["alignment", "medical-ai"], &[]);
    // A topic the site defines is left to its phrases: the model does not know it.
    let redefined: paperboy::config::TaggingConfig =
        toml::from_str("[[topic]]\nname = \"Alignment\"\nphrases = [\"llm alignment\"]\n").unwrap();
    let redefined = paperboy::enrich::Taxonomy::new(&redefined).unwrap();
    assert_tags(&redefined, &title, &abstract_text, &["alignment"], &["medical-ai"]);
    // The guard for phrases at twice the threshold, and the rule that a paper keeps its
    // surest tag, are tested on the rule itself in taxonomy.rs:
    // `a_paper_whose_every_tag_the_learned_stage_doubts_keeps_its_surest`.
    // `--explain` says why.
    let site = TestSite::new();
    site.write("content/papers.jsonl", format!("{brains}\n"));
    let text = explained(&site, "2605.23035");
    let block = explain_block(&text, "alignment");
    assert!(
        block.contains("doubted by the learned stage (p = 0.0") && block.contains("under 2× the threshold"),
        "{block}"
    );
}

#[test]
fn explain_says_when_a_topic_the_text_gives_is_cut_from_the_tags() {
    let site = TestSite::new();
    site.write(
        "content/papers.jsonl",
        concat!(
            r#"{"id": "2601.00001", "date": "2026-01-05", "title": "Deep Reinforcement Learning for Robot Grasping", "abstract": "We train a policy with reinforcement learning. A robot grasps objects. Experiments confirm it."}"#,
            "\n"
        ),
    );
    site.write("paperboy.toml", "[tagging]\nmax_tags = 1\n");
    let text = explained(&site, "2601.00001");
    assert!(text.contains("\ntags: robotics\n"), "{text}");
    assert!(text.contains("\nrobotics  score 8.0 / 3.0  given\n"), "{text}");
    assert!(
        text.contains(
            "\nreinforcement-learning  score 4.0 / 3.0  passes, but not kept: a paper keeps its 1 strongest automatic tags (`max_tags`)\n"
        ),
        "{text}"
    );
}

#[test]
fn tags_eval_explains_every_wrong_and_missed_tag() {
    let (_, _, _, text) = eval_labels("real-dev", "labels.tsv", &["--explain"]);
    let table = text
        .lines()
        .find(|l| l.starts_with("computer-vision "))
        .expect("a row per topic");
    assert_eq!(table.split_whitespace().nth(1), Some("148"), "labelled count: {table}");
    assert!(text.contains("most frequent wrong tags: "), "{text}");
    assert!(text.contains("most frequent missed tags: "), "{text}");
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("+ ") || l.starts_with("- "))
        .collect();
    let (fp, fn_) = (
        errors.iter().filter(|l| l.starts_with('+')).count(),
        errors.iter().filter(|l| l.starts_with('-')).count(),
    );
    assert!(
        text.contains(&format!("fp {fp}  fn {fn_}")),
        "one explained line per error:\n{text}"
    );
    assert!(text.contains("no phrase matched") && text.contains("score "), "{text}");
}

#[test]
fn labels_and_explain_find_papers_by_arxiv_id_or_slug_and_bad_lines_are_named() {
    let site = TestSite::new();
    site.write(
        "content/papers.jsonl",
        concat!(
            r#"{"id": "2601.00001v2", "date": "2026-01-05", "title": "Deep Reinforcement Learning for Robot Grasping", "abstract": "We train a policy with reinforcement learning. A robot grasps objects. Experiments confirm it."}"#,
            "\n",
            r#"{"date": "2026-01-05", "title": "Large Language Models as Judges", "abstract": "We evaluate large language models as judges. They agree with people. Results hold."}"#,
            "\n"
        ),
    );
    site.write(
        "labels.tsv",
        "id\ttopics\n2601.00001\treinforcement-learning,robotics\nlarge-language-models-as-judges\tnlp\nmissing-paper\tnlp\n",
    );
    let out = site.run(&["tags", "--eval", &site.root().join("labels.tsv").to_string_lossy()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.starts_with("2 of 3 labelled papers found"), "{text}");
    assert!(text.contains("missing-paper (line 4)"), "{text}");
    assert!(text.contains("fn 1"), "nlp is missed: {text}");
    site.write("bad.tsv", "2601.00001 reinforcement-learning\n");
    let out = site.run(&["tags", "--eval", &site.root().join("bad.tsv").to_string_lossy()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("bad.tsv:1: expected `id<TAB>topics`"), "{err}");
    // `--explain` finds a paper by its arXiv id too, with or without the version.
    for id in ["2601.00001", "arXiv:2601.00001v2"] {
        let text = explained(&site, id);
        assert!(
            text.starts_with("Deep Reinforcement Learning for Robot Grasping"),
            "{text}"
        );
    }
}

/// Asserts that the taxonomy `tax` gives a paper of `title` and `abstract_text` every topic
/// of `given` and none of `not_given`.
fn assert_tags(tax: &paperboy::enrich::Taxonomy, title: &str, abstract_text: &str, given: &[&str], not_given: &[&str]) {
    let t = tax.auto_tags(title, abstract_text);
    for topic in given {
        assert!(t.iter().any(|x| x == topic), "{title}: {topic} missing from {t:?}");
    }
    for topic in not_given {
        assert!(!t.iter().any(|x| x == topic), "{title}: {topic} in {t:?}");
    }
}

#[test]
fn known_false_tags_stay_fixed() {
    let tax = paperboy::enrich::Taxonomy::new(&Default::default()).unwrap();
    // A longer phrase of any topic claims its words: a vision-language model is not also a
    // "language model" (real title).
    assert_tags(
        &tax,
        "Rethinking Post-Unlearning Behavior of Large Vision-Language Models",
        "",
        &["vision-language-models"],
        &["large-language-models"],
    );
    // A vision paper that runs a language model is a vision paper: Large Language Models
    // gives way to vision topics (real titles and sentences; hand labels put 2 of 378
    // vision papers under both). A yield rules the topic out as a veto does, whichever stage
    // gave it; explain says so: see `a_language_model_tag_gives_way_to_vision_and_explain_says_so`.
    assert_tags(
        &tax,
        "CoReVAD: A Contextual Reasoning Framework for Training-Free Video Anomaly Detection",
        "Recent advances in Vision-Language Models (VLMs) have enabled both anomaly detection and human-interpretable reasoning. However, many VLM-based approaches still require additional training steps (e.g., instruction tuning or verbalized learning) or external Large Language Models (LLMs), incurring further training costs and inference overhead.",
        &["computer-vision", "vision-language-models"],
        &["large-language-models"],
    );
    // Retrieval implies the language-model tag here; it gives way all the same.
    assert_tags(
        &tax,
        "Zero-Shot Satellite Image Retrieval through Joint Embeddings: Application to Crisis Response",
        "Rather than training a joint encoder, we generate language descriptions for a 100k proxy subset of global Sentinel-2 tiles and optimise the description-generation prompt with a large language model, so that distances in the resulting text-embedding space correlate with distances in the frozen visual-embedding space.",
        &["computer-vision"],
        &["large-language-models"],
    );
    // ...while a paper about language models keeps its tag (real title).
    assert_tags(
        &tax,
        "Does RAG Know When Retrieval Is Wrong? Diagnosing Context Compliance under Knowledge Conflict in Large Language Models",
        "",
        &["large-language-models"],
        &[],
    );
    // A mesh is also what engineers solve on: "mesh" counts for 3D vision and for vision
    // only beside another of their phrases (real titles and sentences of May 2026)...
    assert_tags(
        &tax,
        "Marking strategies for adaptive mesh refinement: An efficiency-focused benchmark study for steady solid and fluid mechanics problems",
        "Adaptive mesh refinement (AMR) is indispensable for efficient finite element analyses. However, its performance depends not only on the refinement itself but also on strategy to mark elements for refinement and the way it is tuned.",
        &[],
        &["3d-vision", "computer-vision"],
    );
    assert_tags(
        &tax,
        "Crash Assessment via Mesh-Based Graph Neural Networks and Physics-Aware Attention",
        "The proposed architectures combine local mesh message passing, geometry-aware global attention and physics-aware losses.",
        &[],
        &["3d-vision"],
    );
    // ...while recovering a human mesh is a 3D vision task by name.
    assert_tags(
        &tax,
        "DanceHMR: Hand-Aware Whole-Body Human Mesh Recovery from Monocular Videos",
        "Monocular video human mesh recovery is essential for digital humans, avatar animation, and embodied simulation, where both temporal stability and expressive whole-body motion are required.",
        &["3d-vision"],
        &[],
    );
    // An acronym inside a hyphenated name is that name (real title and sentence).
    assert_tags(
        &tax,
        "Car Object Counting and Position Estimation via Extension of the CLIP-EBC Framework",
        "In this paper, we investigate the applicability of the CLIP-EBC framework, originally designed for crowd counting, to car object counting using the CARPK dataset.",
        &[],
        &["vision-language-models"],
    );
    assert_tags(
        &tax,
        "Deep Learning Based Modulation Classification for Wireless Receivers",
        "We classify the modulation of received signals with a 1D-CNN trained on raw IQ samples of the channel.",
        &[],
        &["computer-vision"],
    );
    // A title that coins an acronym as its own name, spelled by its words, is not the
    // field's acronym, in the title or the abstract (real titles and sentences).
    assert_tags(
        &tax,
        "SLAM: Structural Linguistic Activation Marking for Language Models",
        "We introduce SLAM, a watermark that marks the structural linguistic activations of a language model.",
        &["large-language-models"],
        &["computer-vision", "3d-vision"],
    );
    assert_tags(
        &tax,
        "ADS: Random Sampling of Occupancy Functions using Adaptive Delaunay Scaffolding",
        "",
        &[],
        &["autonomous-driving"],
    );
    // ...while a title that opens with the field's acronym keeps it (real title).
    assert_tags(
        &tax,
        "SAM 3D Animal: Promptable Animal 3D Reconstruction from Images in the Wild",
        "",
        &["computer-vision"],
        &[],
    );
    // ...but a method named after the acronym keeps it (real title).
    assert_tags(
        &tax,
        "FlowErase-RL: Rethinking Concept Erasure as Reward Optimization in Flow Matching Models",
        "",
        &["reinforcement-learning"],
        &[],
    );
    // "code-mixed" text is not code generation (real sentence).
    assert_tags(
        &tax,
        "Hope Speech Detection in Tulu",
        "We trained an XLM-RoBERTa-based text classification system for detecting hope speech in code-mixed Tulu social media comments.",
        &[],
        &["code-generation"],
    );
    // Aligning feature distributions with MMD is not AI alignment (real sentence).
    assert_tags(
        &tax,
        "Knowledge Distillation for Compact Classifiers",
        "To enhance knowledge transfer, we incorporate Maximum Mean Discrepancy (MMD) into the distillation process to align feature distributions between the teacher and student models.",
        &[],
        &["alignment"],
    );
    // "Lightweight" says what a method is like, not that it is about efficient inference:
    // it counts only beside a phrase that is (real title and sentence).
    assert_tags(
        &tax,
        "AgentDoG 1.5: A Lightweight and Scalable Alignment Framework for AI Agent Safety and Security",
        "To tackle these emerging threats, we propose a lightweight and scalable agent safety alignment framework.",
        &[],
        &["efficient-inference"],
    );
    assert_tags(
        &tax,
        "Lightweight Quantized Detectors for Edge Devices",
        "We quantize a lightweight detector to 4 bits for edge devices.",
        &["efficient-inference"],
        &[],
    );
    // A feedforward reconstruction is a vision method, not a paper about deep learning
    // (real title).
    assert_tags(
        &tax,
        "Ground4D: Spatially-Grounded Feedforward 4D Reconstruction for Unstructured Off-Road Scenes",
        "",
        &[],
        &["deep-learning"],
    );
    // On-policy self-distillation is distillation, not reinforcement learning (real title
    // and sentence).
    assert_tags(
        &tax,
        "Learn where to Click from Yourself: On-Policy Self-Distillation for GUI Grounding",
        "These limitations make on-policy self-distillation (OPSD), which provides dense token-level supervision from a single rollout, a promising alternative.",
        &[],
        &["reinforcement-learning"],
    );
    // "Counterfactual" data or credit is not causal inference, knowledge distillation to
    // transfer skills is not efficient inference: both count only beside their topic's
    // other phrases (real titles and sentences).
    assert_tags(
        &tax,
        "Chartographer: Counterfactual Chart Generation for Evaluating Vision-Language Models",
        "To strictly evaluate visual reasoning, we propose counterfactual charts where the chart-question task remains fixed, but underlying chart and the corresponding answer are varied.",
        &[],
        &["causal-inference"],
    );
    assert_tags(
        &tax,
        "Multi-Dataset Cross-Domain Knowledge Distillation for Unified Medical Image Segmentation, Classification, and Detection",
        "Our approach employs a teacher-student paradigm in which a joint teacher model aggregates domain-invariant representations learned from diverse source datasets, while a task-specific student model is trained via multi-level knowledge distillation.",
        &[],
        &["efficient-inference"],
    );
    // Vision words that other fields use too count for Computer Vision only beside a vision
    // word: "anomaly detection" of graphs or time series, "perception" of listeners; and
    // "face" only in a title, since abstracts use the verb ("user-facing", "models face").
    // Real titles and sentences of May 2026; their blind labels gave none of them vision.
    assert_tags(
        &tax,
        "TERGAD: Structure-Aware Text-Enhanced Representations for Graph Anomaly Detection",
        "Graph Anomaly Detection (GAD) aims to identify atypical graph entities, such as nodes, edges, or substructures, that deviate significantly from the majority.",
        &[],
        &["computer-vision"],
    );
    assert_tags(
        &tax,
        "HATS: An Open data set Integrating Human Perception Applied to the Evaluation of Automatic Speech Recognition Metrics",
        "In this paper, we firstly present Human Assessed Transcription Side-by-side (HATS), an original French manually annotated data set in terms of human perception of transcription errors produced by various ASR systems.",
        &["speech-audio"],
        &["computer-vision"],
    );
    assert_tags(
        &tax,
        "Leading Across the Spectrum of Human-AI Relationships: A Conceptual Framework for Increasingly Heterogeneous Teams",
        "A decision may look human-led after AI has set the frame, or appear automated while human judgment still carries decisive force. This paper offers a leadership-facing spectrum to see those relationships within a bounded mandate. The spectrum asks where leadership work occurs: who frames the problem, who redirects the work, and who can answer for what follows.",
        &[],
        &["computer-vision"],
    );
    // Beside a vision word they still count ("images" brings in the title's "anomaly
    // detection"), and a face in a title is a vision subject on its own.
    assert_tags(
        &tax,
        "Mahalanobis PatchCore: Covariance-Aware and Streaming-Compatible Industrial Anomaly Detection",
        "Industrial visual anomaly detection is usually one-class: normal images are abundant, while defects are rare, heterogeneous, and often unavailable during system design.",
        &["computer-vision"],
        &[],
    );
    assert_tags(
        &tax,
        "Towards High Fidelity Face Swapping: A Comprehensive Survey and New Benchmark",
        "In this paper, we present a comprehensive survey and benchmark.",
        &["computer-vision"],
        &[],
    );
}

#[test]
fn phrases_of_the_real_stream_reach_their_topics() {
    let tax = paperboy::enrich::Taxonomy::new(&Default::default()).unwrap();
    let tags = |title: &str, abstract_text: &str| tax.auto_tags(title, abstract_text);
    // An LLM multi-agent system is about agents as well as about several of them; the
    // longer phrase must not take "multi-agent" from either topic (real title and sentence).
    assert_tags(
        &tax,
        "Agent Capsules: Quality-Gated Granularity Control for Multi-Agent LLM Pipelines",
        "A multi-agent pipeline with N agents typically issues N LLM calls per run.",
        &["agents", "multi-agent"],
        &[],
    );
    // Spatial reasoning is reasoning (real title).
    assert_tags(
        &tax,
        "Distilling 3D Spatial Reasoning into a Lightweight Vision-Language Model with CoT",
        "",
        &["reasoning"],
        &[],
    );
    // A search agent is retrieval (real title).
    assert_tags(
        &tax,
        "OpenSeeker-v2: Pushing the Limits of Search Agents with Informative and High-Difficulty Trajectories",
        "",
        &["retrieval"],
        &[],
    );
    // Shared tasks and claim verification are language processing (real titles).
    for title in [
        "Caraman at SemEval-2026 Task 8: Three-Stage Multi-Turn Retrieval with Query Rewriting, Hybrid Search, and Cross-Encoder Reranking",
        "Evidence Absence Is Not Evidence Insufficiency: Diagnosing NEI Construction Artifacts in Fact Verification",
    ] {
        let t = tags(title, "");
        assert!(t.contains(&"nlp".to_string()), "{title}: {t:?}");
    }
}

#[test]
fn supporting_words_and_implied_topics_on_real_sentences() {
    let tax = paperboy::enrich::Taxonomy::new(&Default::default()).unwrap();
    // (title, abstract, topic, whether it is given): real titles and sentences, shortened.
    let cases = [
        // Model names support a topic but do not make it: a vision paper that compares
        // against GPT-4o and Claude is not about language models...
        (
            "Describe Anything in Medical Images",
            "We propose MedDAM, a framework leveraging large vision-language models for region-specific captioning in medical images. We evaluate Claude, GPT-4o and Llama as baselines.",
            "large-language-models",
            false,
        ),
        // ...one that says what it studies is.
        (
            "How Small Can Language Models Go for Merchant Data?",
            "We fine-tune Llama and Qwen models with LoRA.",
            "large-language-models",
            true,
        ),
        // "3D" alone is not vision, "adversarial" alone is not security, "programming" alone
        // is not code, "markets" alone is not game theory.
        (
            "Uncertain Mode Surfaces in 3D Symmetric Second-Order Tensor Field Ensembles",
            "The analysis of 3D symmetric second-order tensor fields often relies on topological features such as degenerate tensor lines.",
            "computer-vision",
            false,
        ),
        (
            "A Generative Adversarial Graph Neural Network for Synthetic Time Series Data",
            "Generating synthetic data for financial time series poses challenges. Generative Adversarial Networks (GANs) have exhibited considerable potential.",
            "security",
            false,
        ),
        (
            "A Constraint Programming Approach for n-Day Lookahead Playoff Clinching",
            "We investigate playoff clinching in the National Hockey League.",
            "code-generation",
            false,
        ),
        (
            "Visibility graphs can make money in financial markets",
            "We propose the Visibility Graphs Relative Strength Index (VGRSI), based on backward visibility relations in the price of a financial instrument.",
            "game-theory",
            false,
        ),
        // An image generation paper is a vision paper, though it says "image" once.
        (
            "Probability-Conserving Flow Guidance",
            "Diffusion and flow-based generative models dominate visual synthesis. Across image generation benchmarks, AdaMaG improves realism.",
            "computer-vision",
            true,
        ),
        // Coding theory and argumentation have topics of their own.
        (
            "Locally Repairable Codes with Availability via Elliptic Function Fields",
            "In this paper, we focus on the construction of locally repairable codes with one or two recovering sets via elliptic function fields.",
            "wireless",
            true,
        ),
        (
            "Splitting Assumption-Based Argumentation Frameworks",
            "In knowledge representation and reasoning, a key strategy to address computational intractability is to optimise reasoning over a given knowledge base.",
            "logic",
            true,
        ),
        // "Graph" heads a graph learning paper when its abstract says so too...
        (
            "GraphReAct: Reasoning and Acting for Multi-step Graph Inference",
            "Reasoning-acting frameworks enhance large language models. However, extending this paradigm to graph learning remains underexplored.",
            "graph-learning",
            true,
        ),
        // ...but a graph of knowledge, or "graph" in an abstract only, is not one.
        (
            "Better Later Than Sooner: Neuro-Symbolic Knowledge Graph Construction via Ontology-grounded Post-extraction Correction",
            "Retrieval-augmented generation has become the dominant approach to QA, with recent graph-based variants addressing part of these issues by organizing knowledge.",
            "graph-learning",
            false,
        ),
        // Words with another sense count only beside a signal of the topic: a conformal map
        // is geometry, a contract is also an economist's, a memory or motion "bank" and
        // "trading X for Y" are not finance (real titles and sentences of May 2026)...
        (
            "Conformal tubular parameterization and toroidal bending of tube-like surfaces",
            "In this work, we propose a conformal parameterization framework for open tube-like surfaces with two boundary components.",
            "statistics",
            false,
        ),
        (
            "Online Contract Selection for Continual Coverage",
            "Motivated by applications where a system must remain operational via continual procurement of contracts, we study two online contract selection problems under uncertain prices.",
            "legal",
            false,
        ),
        (
            "Recall to Predict: Grounding Motion Forecasting in Interpretable Motion Bank",
            "Motion forecasting often requires trading interpretability for predictive accuracy. We propose a framework that grounds predictions in a comprehensive \"motion bank\".",
            "finance",
            false,
        ),
        (
            "PTCG-Bench: Can LLM Agents Master Pokémon Trading Card Game?",
            "We present PTCG-Bench, a benchmark built on the Pokémon Trading Card Game.",
            "finance",
            false,
        ),
        // ...while a phrase of the topic decides.
        (
            "Moira: Language-driven Hierarchical Reinforcement Learning for Pair Trading",
            "We study this challenge through pair trading, a domain where high-level choices constrain downstream actions.",
            "finance",
            true,
        ),
        (
            "The Alpha Illusion: Reported Alpha from LLM Trading Agents Should Not Be Treated as Deployment Evidence",
            "End-to-end LLM trading agents have moved quickly from research curiosity to a small ecosystem of named systems.",
            "finance",
            true,
        ),
        (
            "Conformal Prediction Sets for Open-Ended Question Answering",
            "We calibrate the sets with split conformal prediction.",
            "statistics",
            true,
        ),
        // A longer phrase of another topic claimed "medical" ("medical image" is vision's),
        // and "diagnostic" is also what a method for models is (real titles of May 2026)...
        (
            "USEMA: a Scalable Efficient Mamba Like Attention for Medical Image Segmentation",
            "Accurate medical image segmentation is an integral part of the medical image analysis pipeline.",
            "medical-ai",
            true,
        ),
        (
            "CounterCount: A Diagnostic Framework for Counting Bias in Vision Language Models",
            "Vision-Language Models (VLMs) excel at multimodal reasoning, yet it remains unclear whether their answers are grounded in visual evidence.",
            "medical-ai",
            false,
        ),
        // ...as "human motion" and "3D scene" claimed generation's words.
        (
            "ScaleMoGen: Autoregressive Next-Scale Prediction for Human Motion Generation",
            "We present ScaleMoGen, a scale-wise autoregressive framework for text-driven human motion generation.",
            "generative-models",
            true,
        ),
        (
            "Sat3DGen: Comprehensive Street-Level 3D Scene Generation from Single Satellite Image",
            "Generating a street-level 3D scene from a single satellite image is a crucial yet challenging task.",
            "generative-models",
            true,
        ),
        // An urban scene is not remote sensing by itself.
        (
            "SRUG: Shadow-Guided Relightable Urban Scene with Generation Model",
            "Creating relightable urban scenes from images or videos is widely useful but highly ill-posed.",
            "remote-sensing",
            false,
        ),
        // Heart and brain signals are time series.
        (
            "EVL-ECG: Efficient ECG Interpretation With Multi-Aspect Heterogeneous Knowledge Distillation",
            "High-fidelity ECG interpretation is increasingly reliant on massive foundation models.",
            "time-series",
            true,
        ),
    ];
    for (title, abstract_text, topic, given) in cases {
        let t = tax.auto_tags(title, abstract_text);
        assert_eq!(t.iter().any(|s| s == topic), given, "{title}: {t:?}");
    }
}

#[test]
fn a_paper_its_phrases_miss_takes_the_topic_its_neighbours_agree_on() {
    let site = TestSite::new();
    let paper = |title: &str, body: &str| {
        format!("{title}\n{body} We report results on several datasets. The approach is simple and effective.\n")
    };
    let mut digest = String::new();
    for i in 0..4 {
        digest.push_str(&paper(
            &format!("Diffusion Models for Backbone Sampling {i}"),
            "We train diffusion models that sample backbones with a network over residue geometry and torsion angles.",
        ));
    }
    digest.push_str(&paper(
        "Sampling Backbones from Residue Geometry",
        "We sample backbones with a network over residue geometry and torsion angles.",
    ));
    site.write("content/2026-01-05.txt", digest);
    // The neighbours alone: the learned stage would give the topic from the words too.
    site.write("paperboy.toml", "[tagging]\nlearned = false\n");
    site.build_ok(&[]);
    let page = site.read("papers/sampling-backbones-from-residue-geometry/index.html");
    assert!(
        page.contains("Diffusion &amp; Generative Models"),
        "the neighbours' topic"
    );
    let out = site.run(&["tags", "--explain", "sampling-backbones-from-residue-geometry"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("generative-models  given by neighbours"), "{text}");
    assert!(text.contains("like: Diffusion Models for Backbone Sampling"), "{text}");
    // Switched off, the phrases alone decide.
    site.write("paperboy.toml", "[tagging]\nlearned = false\nneighbours = false\n");
    site.build_ok(&[]);
    let page = site.read("papers/sampling-backbones-from-residue-geometry/index.html");
    assert!(
        !page.contains("Diffusion &amp; Generative Models"),
        "no neighbours, no tag"
    );
}

#[test]
fn the_tag_index_lists_tags_by_name() {
    let (site, _) = load_sample(&[]);
    site.build_ok(&[]);
    let page = site.read("tags/index.html");
    let names: Vec<String> = page
        .split("<li><a href=\"/tags/")
        .skip(1)
        .filter(|li| li.contains("class=\"count\""))
        .map(|li| li.split('>').nth(1).unwrap().split('<').next().unwrap().to_lowercase())
        .collect();
    assert!(names.len() >= 20, "{names:?}");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // The footer's "topic feeds" leads here: each tag's feeds are linked, and exist.
    let items: Vec<&str> = page
        .split("<li><a href=\"/tags/")
        .skip(1)
        .filter(|li| li.contains("class=\"count\""))
        .collect();
    assert_eq!(items.len(), names.len());
    for item in &items {
        let slug = item.split('/').next().unwrap();
        for feed in ["rss.xml", "atom.xml"] {
            assert!(item.contains(&format!("href=\"/tags/{slug}/{feed}\"")), "{item}");
            assert!(
                site.public().join(format!("tags/{slug}/{feed}")).is_file(),
                "{slug}/{feed}"
            );
        }
    }
}

/// `tags --explain` names each topic its neighbours gave once, and the rule for papers no
/// phrase tags only for such a paper (a real paper of May 2026 that its phrases tag, and
/// that its neighbours give one more topic).
#[test]
fn explain_names_each_neighbour_topic_once() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-may");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args(["tags", "--root"])
        .arg(&root)
        .args(["--explain", "2605.02308"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let given: Vec<&str> = text.lines().filter(|l| l.contains("given by neighbours")).collect();
    assert!(!given.is_empty(), "{text}");
    let mut topics: Vec<&str> = given.iter().map(|l| l.split_whitespace().next().unwrap()).collect();
    let n = topics.len();
    topics.sort();
    topics.dedup();
    assert_eq!(topics.len(), n, "a topic named twice: {text}");
    assert!(!text.contains("no phrase gave a tag"), "{text}");
}
