//! Fingerprints follow what pages read: watch mode re-renders a job only when its
//! fingerprint changes, so an edit that changes a job's bytes but not its fingerprint would
//! leave a stale page served. Each edit below changes one thing a page can show; every job
//! whose files change must have a new fingerprint, and the failure names the job and the edit.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use paperboy::render::{Files, Renderer};

/// Every job of the site at `root`, by key: its fingerprint and its files.
fn jobs(root: &Path) -> BTreeMap<String, (u64, Files)> {
    let loaded = paperboy::load(root, &Default::default()).unwrap_or_else(|e| panic!("{e:#}"));
    let renderer = Renderer::new(&loaded.site, &loaded.setup.config, &loaded.setup.theme).unwrap();
    renderer
        .all_jobs()
        .into_iter()
        .map(|job| {
            (
                renderer.job_key(job),
                (renderer.fingerprint(job), renderer.render_job(job).unwrap()),
            )
        })
        .collect()
}

const DAY1: &str = "2026-11-24";
const DAY2: &str = "2026-11-25";
const DAY3: &str = "2026-11-26";

/// A digest of `titles`, each with an abstract about it.
fn digest(titles: &[&str]) -> String {
    titles
        .iter()
        .map(|t| format!("{t}\n{}\n", abstract_text(&t.to_lowercase())))
        .collect()
}

/// A site small enough to render often, with what pages can show: several issues, a paper
/// trending twice, Markdown papers with authors, links, arXiv ids, times and explicit tags,
/// tags spread over several pages, and feeds shorter than the site.
fn base_site() -> TestSite {
    let site = TestSite::new();
    site.write(
        "paperboy.toml",
        "title = \"Fingerprints\"\nbase_url = \"https://example.org/fp/\"\n[feeds]\nlimit = 4\nissues = 2\n[tags]\nper_page = 3\n",
    );
    site.write(
        &format!("content/{DAY1}.txt"),
        digest(&[
            "Reinforcement Learning for Robot Grasping",
            "Large Language Models as Judges",
            "Diffusion Models for Image Generation",
            "Graph Neural Networks at Scale",
        ]),
    );
    site.write(
        &format!("content/{DAY2}.txt"),
        digest(&[
            "Offline Reinforcement Learning with Language Models",
            "Vision Transformers for Medical Imaging",
            "Large Language Models as Judges",
            "Federated Learning under Privacy Constraints",
        ]),
    );
    site.write(
        &format!("content/{DAY3}.txt"),
        digest(&[
            "Quantized Large Language Models",
            "Policy Optimization for Robot Locomotion",
            "Retrieval-Augmented Generation for Question Answering",
        ]),
    );
    site.write(
        "content/papers/widgets.md",
        widgets(
            &["Ada Author"],
            "https://example.org/w",
            "2401.00001",
            &["Quantum Widgets"],
            DAY2,
            None,
        ),
    );
    site.write("content/papers/sprockets.md", sprockets("2402.00001"));
    site.write(
        "content/papers/gadgets.md",
        md_paper(
            "Gadgets for Reinforcement Learning",
            DAY3,
            &["Quantum Widgets", "Gadgets"],
            &abstract_text("gadgets"),
        ),
    );
    site
}

/// The Markdown paper that most edits change.
fn widgets(authors: &[&str], url: &str, arxiv: &str, tags: &[&str], date: &str, time: Option<&str>) -> String {
    let list = |v: &[&str]| v.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
    let date = match time {
        Some(t) => format!("{date}T{t}Z"),
        None => date.to_string(),
    };
    format!(
        "+++\ntitle = \"Widgets for Policy Optimization\"\ndate = {date}\nauthors = [{}]\nurl = {url:?}\narxiv = {arxiv:?}\ntags = [{}]\n+++\n{}\n",
        list(authors),
        list(tags),
        abstract_text("widgets")
    )
}

/// A Markdown paper known by its arXiv id alone.
fn sprockets(arxiv: &str) -> String {
    format!(
        "+++\ntitle = \"Sprockets for Language Models\"\ndate = {DAY1}\narxiv = {arxiv:?}\n+++\n{}\n",
        abstract_text("sprockets")
    )
}

/// One change to the site's content, named for the failure message.
struct Edit {
    name: &'static str,
    apply: fn(&TestSite),
}

const EDITS: &[Edit] = &[
    Edit {
        name: "retitle a paper",
        apply: |s| {
            let text = s.read_source(&format!("content/{DAY2}.txt"));
            s.write(
                &format!("content/{DAY2}.txt"),
                text.replace(
                    "Vision Transformers for Medical Imaging",
                    "Vision Transformers for Medical Scans",
                ),
            );
        },
    },
    Edit {
        name: "rewrite the start of an abstract",
        apply: |s| {
            let text = s.read_source(&format!("content/{DAY1}.txt"));
            s.write(
                &format!("content/{DAY1}.txt"),
                text.replacen(
                    "We study graph neural networks at scale in depth.",
                    "We revisit graph neural networks at scale.",
                    1,
                ),
            );
        },
    },
    Edit {
        name: "add a sentence at the end of an abstract",
        apply: |s| {
            let text = s.read_source(&format!("content/{DAY3}.txt"));
            let long = "Experiments on standard benchmarks confirm the gains.";
            let at = text.find(long).unwrap() + long.len();
            s.write(
                &format!("content/{DAY3}.txt"),
                format!(
                    "{} A further sentence that no excerpt reaches.{}",
                    &text[..at],
                    &text[at..]
                ),
            );
        },
    },
    Edit {
        name: "add an author",
        apply: |s| {
            s.write(
                "content/papers/widgets.md",
                widgets(
                    &["Ada Author", "Bo Writer"],
                    "https://example.org/w",
                    "2401.00001",
                    &["Quantum Widgets"],
                    DAY2,
                    None,
                ),
            );
        },
    },
    Edit {
        name: "change a paper's link",
        apply: |s| {
            s.write(
                "content/papers/widgets.md",
                widgets(
                    &["Ada Author"],
                    "https://example.org/v2",
                    "2401.00001",
                    &["Quantum Widgets"],
                    DAY2,
                    None,
                ),
            );
        },
    },
    Edit {
        name: "change a paper's arXiv id",
        apply: |s| {
            s.write("content/papers/sprockets.md", sprockets("2402.00009"));
        },
    },
    Edit {
        name: "add an explicit tag",
        apply: |s| {
            s.write(
                "content/papers/widgets.md",
                widgets(
                    &["Ada Author"],
                    "https://example.org/w",
                    "2401.00001",
                    &["Quantum Widgets", "Gizmos"],
                    DAY2,
                    None,
                ),
            );
        },
    },
    Edit {
        name: "rename a tag (same slug, new display name)",
        apply: |s| {
            s.write(
                "content/papers/widgets.md",
                widgets(
                    &["Ada Author"],
                    "https://example.org/w",
                    "2401.00001",
                    &["Quantum WIDGETS"],
                    DAY2,
                    None,
                ),
            );
            s.write(
                "content/papers/gadgets.md",
                md_paper(
                    "Gadgets for Reinforcement Learning",
                    DAY3,
                    &["Quantum WIDGETS", "Gadgets"],
                    &abstract_text("gadgets"),
                ),
            );
        },
    },
    Edit {
        name: "move a paper to another day",
        apply: |s| {
            s.write(
                "content/papers/widgets.md",
                widgets(
                    &["Ada Author"],
                    "https://example.org/w",
                    "2401.00001",
                    &["Quantum Widgets"],
                    DAY1,
                    None,
                ),
            );
        },
    },
    Edit {
        name: "give a paper a publication time",
        apply: |s| {
            s.write(
                "content/papers/widgets.md",
                widgets(
                    &["Ada Author"],
                    "https://example.org/w",
                    "2401.00001",
                    &["Quantum Widgets"],
                    DAY2,
                    Some("09:30:00"),
                ),
            );
        },
    },
    Edit {
        name: "swap two papers in an issue",
        apply: |s| {
            s.write(
                &format!("content/{DAY1}.txt"),
                digest(&[
                    "Reinforcement Learning for Robot Grasping",
                    "Diffusion Models for Image Generation",
                    "Large Language Models as Judges",
                    "Graph Neural Networks at Scale",
                ]),
            );
        },
    },
    Edit {
        name: "add a paper to the newest issue",
        apply: |s| {
            let text = s.read_source(&format!("content/{DAY3}.txt"));
            s.write(
                &format!("content/{DAY3}.txt"),
                format!("{text}{}", digest(&["Bandit Algorithms for Recommendation"])),
            );
        },
    },
    Edit {
        name: "remove a paper",
        apply: |s| {
            std::fs::remove_file(s.root().join("content/papers/gadgets.md")).unwrap();
        },
    },
    Edit {
        name: "a paper trends again",
        apply: |s| {
            let text = s.read_source(&format!("content/{DAY3}.txt"));
            s.write(
                &format!("content/{DAY3}.txt"),
                format!("{text}{}", digest(&["Diffusion Models for Image Generation"])),
            );
        },
    },
    Edit {
        name: "add an issue",
        apply: |s| {
            s.write(
                "content/2026-11-27.txt",
                digest(&[
                    "Speech Recognition with Transformers",
                    "Causal Inference for Treatment Effects",
                ]),
            );
        },
    },
];

trait ReadSource {
    fn read_source(&self, rel: &str) -> String;
}

impl ReadSource for TestSite {
    fn read_source(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap()
    }
}

#[test]
fn fingerprints_follow_what_pages_read() {
    let before = jobs(base_site().root());
    assert!(before.len() > 30, "only {} jobs", before.len());
    let mut problems = Vec::new();
    for edit in EDITS {
        let site = base_site();
        (edit.apply)(&site);
        let after = jobs(site.root());
        let mut changed = 0;
        for (key, (fp, files)) in &after {
            let Some((old_fp, old_files)) = before.get(key) else {
                continue;
            };
            if files != old_files {
                changed += 1;
                if fp == old_fp {
                    let paths: Vec<&str> = files
                        .iter()
                        .filter(|f| !old_files.contains(f))
                        .map(|f| f.0.as_str())
                        .collect();
                    problems.push(format!(
                        "`{}`: job `{key}` wrote different files ({}) with the same fingerprint — its fingerprint must hash what changed",
                        edit.name,
                        paths.join(", ")
                    ));
                }
            }
        }
        // Not vacuous: every edit changes some page that existed before it.
        assert!(changed > 0, "`{}` changed no job's files", edit.name);
    }
    assert!(
        problems.is_empty(),
        "stale pages in watch mode:\n{}",
        problems.join("\n")
    );
}

#[test]
fn an_unchanged_site_keeps_every_fingerprint() {
    // The other half of the contract: fingerprints depend on content, not on the process.
    let (a, b) = (jobs(base_site().root()), jobs(base_site().root()));
    assert_eq!(a.len(), b.len());
    for (key, (fp, files)) in &a {
        assert_eq!(Some(fp), b.get(key).map(|x| &x.0), "{key}");
        assert_eq!(Some(files), b.get(key).map(|x| &x.1), "{key}");
    }
}

#[test]
fn a_block_of_older_tag_pages_notices_a_page_opening_after_it() {
    // Tag pages are rendered 16 to a job, numbered from the oldest. When the 17th older page
    // opens, block 0 keeps its 16 pages but its newest one links to page 17 instead of the
    // front page: its fingerprint must see that.
    let site = TestSite::new();
    site.write("paperboy.toml", "[tags]\nper_page = 1\n[tagging]\nauto = false\n");
    let paper = |i: usize| {
        let day = format!("2026-10-{:02}", i + 1);
        site.write(
            &format!("content/p{i}.md"),
            md_paper(&format!("Paper {i}"), &day, &["Robotics"], "Body."),
        );
    };
    (0..17).for_each(paper);
    let before = jobs(site.root());
    paper(17);
    let after = jobs(site.root());
    let key = "tags/robotics/page/000001/";
    let (old, new) = (&before[key], &after[key]);
    assert_eq!(old.1.len(), 16, "block 0 holds 16 pages before and after");
    assert!(old.1 != new.1, "page 16 now links to page 17");
    assert_ne!(old.0, new.0, "{key}: different files, same fingerprint");
    assert!(after.contains_key("tags/robotics/page/000017/"));
}
