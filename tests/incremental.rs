//! The incremental rebuild behind `paperboy serve` and `paperboy watch`: after any sequence of
//! edits, the output is byte-identical to a clean build of the final content.

mod common;

use std::path::PathBuf;

use common::*;
use paperboy::live::LiveSite;
use paperboy::render::Job;

/// Applies `edit` to the site, tells the live site which paths changed, and compares its
/// output with a clean `paperboy build` of a copy of the site.
fn check(site: &TestSite, live: &mut LiveSite, changed: &[&str], what: &str) -> paperboy::live::RebuildReport {
    let paths: Vec<PathBuf> = changed.iter().map(|p| site.root().join(p)).collect();
    let report = live.apply(&paths).unwrap_or_else(|e| panic!("{what}: {e:#}"));
    let clean = TestSite::new();
    for entry in walkdir::WalkDir::new(site.root()).into_iter().filter_map(Result::ok) {
        let rel = entry.path().strip_prefix(site.root()).unwrap();
        let first = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        if entry.file_type().is_file() && !first.starts_with(".public") && first != "public" {
            clean.write(rel.to_str().unwrap(), std::fs::read(entry.path()).unwrap());
        }
    }
    clean.build_ok(&[]);
    let (a, b) = (site.snapshot(), clean.snapshot());
    let names = |s: &[(String, Vec<u8>)]| s.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "{what}: different files");
    for ((pa, ba), (_, bb)) in a.iter().zip(&b) {
        assert!(ba == bb, "{what}: {pa} differs from a clean build");
    }
    report
}

/// The parts of the search index in the output: file name → modification time.
fn search_parts(site: &TestSite) -> std::collections::BTreeMap<String, std::time::SystemTime> {
    std::fs::read_dir(site.public().join("search"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

#[test]
fn an_edit_rewrites_only_the_search_index_parts_it_changed() {
    let site = TestSite::new();
    write_numbered_papers(&site, 41);
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    live.rebuild_all().unwrap();
    let fingerprints = || {
        let loaded = paperboy::load(site.root(), &Default::default()).unwrap();
        let renderer =
            paperboy::render::Renderer::new(&loaded.site, &loaded.setup.config, &loaded.setup.theme).unwrap();
        renderer
            .all_jobs()
            .into_iter()
            .filter(|j| matches!(j, Job::SearchTerms(_) | Job::SearchDocs(_) | Job::SearchDir(_)))
            .map(|j| (j, renderer.fingerprint(j)))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (before, fp_before) = (search_parts(&site), fingerprints());
    assert!(fp_before.keys().filter(|j| matches!(j, Job::SearchTerms(_))).count() >= 2);
    std::thread::sleep(std::time::Duration::from_millis(20));
    // Paper 2,550 drops the word "closely" and gains "trees".
    let (path, text) = numbered_digest(25);
    let own = own_word(2550);
    site.write(
        &path,
        text.replace(
            &format!("We study graphs and {own} closely."),
            &format!("We study graphs and {own} trees."),
        ),
    );
    assert!(
        std::fs::read_to_string(site.root().join(&path))
            .unwrap()
            .contains("trees")
    );
    let report = check(&site, &mut live, &[&path], "edit a paper");
    let after = search_parts(&site);
    let gone: Vec<&String> = before.keys().filter(|n| !after.contains_key(*n)).collect();
    let new: Vec<&String> = after.keys().filter(|n| !before.contains_key(*n)).collect();
    let rewritten: Vec<&String> = after
        .iter()
        .filter(|(n, t)| before.get(*n).is_some_and(|b| b != *t))
        .map(|(n, _)| n)
        .collect();
    // Its document chunk and the directory naming it, the shards of "closely" and "trees"
    // (one or two), and the head.
    assert_eq!(rewritten, vec!["index.json"], "only the head is rewritten in place");
    assert_eq!(gone.len(), new.len(), "{gone:?} → {new:?}");
    assert!((3..=4).contains(&new.len()), "{gone:?} → {new:?}");
    assert_eq!(new.iter().filter(|n| n.starts_with("d-")).count(), 1, "{new:?}");
    assert_eq!(new.iter().filter(|n| n.starts_with("i-")).count(), 1, "{new:?}");
    assert!(report.removed >= gone.len(), "stale parts removed");
    // Only those parts are rendered again, not just written again.
    let fp_after = fingerprints();
    let changed: Vec<&Job> = fp_after
        .iter()
        .filter(|(j, fp)| fp_before.get(*j) != Some(*fp))
        .map(|(j, _)| j)
        .collect();
    assert_eq!(changed.len(), new.len(), "{changed:?}");
    assert!(changed.contains(&&Job::SearchDocs(2550 / paperboy::render::DOCS_PER_CHUNK)));
}

#[test]
fn every_edit_gives_the_output_of_a_clean_build() {
    let site = TestSite::new();
    site.write(
        "content/2026-11-25.txt",
        format!(
            "Alpha Paper\n{}\nBeta Paper\n{}",
            abstract_text("alpha"),
            abstract_text("beta")
        ),
    );
    site.write("content/2026-11-26.txt", SAMPLE);
    site.write(
        "content/papers/m.md",
        md_paper("Gamma Robots", "2026-11-26", &["Robotics"], "Robot arms grasp."),
    );
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    let first = live.rebuild_all().unwrap();
    assert!(first.full && first.written > 200);
    // The watch loop's warm-up (an edit of the last file's first abstract, rehearsed in
    // memory and undone) changes nothing on disk; the edits below then compare with clean
    // builds, so its bookkeeping is checked too.
    let before = backdate_all(&site.public());
    live.warm_up();
    assert!(stamps(&site.public()) == before, "the warm-up wrote or removed files");

    // Editing one abstract re-renders a handful of jobs, not the site.
    site.write(
        "content/papers/m.md",
        md_paper("Gamma Robots", "2026-11-26", &["Robotics"], "Robot arms grasp better."),
    );
    let r = check(&site, &mut live, &["content/papers/m.md"], "edit an abstract");
    assert!(r.rendered < 20, "{} jobs re-rendered for one abstract", r.rendered);
    assert!(r.written >= 1 && r.written < 15, "{} files written", r.written);

    // A sentence added past what listings show still reaches the paper's page and search.
    let long = [
        abstract_text("robots"),
        abstract_text("arms"),
        abstract_text("grasping"),
    ]
    .join(" ");
    site.write(
        "content/papers/m.md",
        md_paper("Gamma Robots", "2026-11-26", &["Robotics"], &long),
    );
    check(&site, &mut live, &["content/papers/m.md"], "lengthen an abstract");
    site.write(
        "content/papers/m.md",
        md_paper(
            "Gamma Robots",
            "2026-11-26",
            &["Robotics"],
            &format!("{long} Zygomorphic arms."),
        ),
    );
    check(&site, &mut live, &["content/papers/m.md"], "add a sentence at the end");

    site.write(
        "content/papers/m.md",
        md_paper(
            "Gamma Robots Renamed",
            "2026-11-26",
            &["Robotics", "New Tag"],
            "Robot arms.",
        ),
    );
    check(&site, &mut live, &["content/papers/m.md"], "retitle and retag a paper");

    site.write(
        "content/papers/n.md",
        md_paper(
            "Delta",
            "2026-11-27",
            &[],
            "A new day with reinforcement learning policies.",
        ),
    );
    check(&site, &mut live, &["content/papers/n.md"], "add a paper on a new day");

    std::fs::rename(
        site.root().join("content/papers/n.md"),
        site.root().join("content/papers/renamed.md"),
    )
    .unwrap();
    check(
        &site,
        &mut live,
        &["content/papers/n.md", "content/papers/renamed.md"],
        "rename a file",
    );

    std::fs::remove_file(site.root().join("content/2026-11-25.txt")).unwrap();
    check(&site, &mut live, &["content/2026-11-25.txt"], "delete a digest");

    std::fs::remove_dir_all(site.root().join("content/papers")).unwrap();
    check(&site, &mut live, &["content/papers"], "delete a folder");

    site.write(
        "content/more/a.md",
        md_paper("Epsilon", "2026-11-26", &["Robotics"], "Body."),
    );
    site.write("content/more/b.md", md_paper("Zeta", "2026-11-24", &[], "Body."));
    check(&site, &mut live, &["content/more"], "add a folder");

    site.write("paperboy.toml", "title = \"Renamed Site\"\n[feeds]\nlimit = 5\n");
    let r = check(&site, &mut live, &["paperboy.toml"], "change the config");
    assert!(r.full);

    // A full rebuild goes through staging: unchanged files are linked, keeping their time.
    let page = site.public().join("papers/epsilon/index.html");
    let page_time = backdate(&page);
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Lost</h1>{% endblock content %}",
    );
    check(&site, &mut live, &["templates/404.html"], "override a template");
    assert_eq!(stamp(&page), page_time, "linked, not rewritten: same time and inode");

    // A template that fails while pages render leaves the site as it was.
    let before = site.snapshot();
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}{{ missing.field }}{% endblock content %}",
    );
    assert!(live.apply(&[site.root().join("templates/404.html")]).is_err());
    assert!(
        site.snapshot() == before,
        "a failed full rebuild must not touch the output"
    );
}

#[test]
fn a_broken_edit_keeps_the_last_good_site_and_a_fix_recovers() {
    let site = TestSite::new();
    site.write(
        "content/2026-11-26.txt",
        format!("Alpha Paper\n{}", abstract_text("alpha")),
    );
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    live.rebuild_all().unwrap();
    let before = site.snapshot();

    site.write(
        "content/2026-11-26.txt",
        format!("Alpha Paper\n{}\nDangling title", abstract_text("alpha")),
    );
    let err = live.apply(&[site.root().join("content/2026-11-26.txt")]).unwrap_err();
    assert!(format!("{err:#}").contains("content/2026-11-26.txt:3:"), "{err:#}");
    assert_eq!(site.snapshot(), before, "a failed rebuild must not touch the output");

    site.write(
        "content/2026-11-26.txt",
        format!(
            "Alpha Paper\n{}\nBeta Paper\n{}",
            abstract_text("alpha"),
            abstract_text("b")
        ),
    );
    check(&site, &mut live, &["content/2026-11-26.txt"], "fix the digest");
}
