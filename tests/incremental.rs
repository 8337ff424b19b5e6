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
    assert_same_as_clean_build(site, what);
    report
}

/// Asserts that the site's output is byte for byte what a clean `paperboy build` of a copy of
/// its sources (content, config, templates: everything but the output and its siblings)
/// writes.
fn assert_same_as_clean_build(site: &TestSite, what: &str) {
    assert_same_as_clean_build_with(site, what, &[]);
}

/// [`assert_same_as_clean_build`], the clean build run with `args`.
fn assert_same_as_clean_build_with(site: &TestSite, what: &str, args: &[&str]) {
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
    clean.build_ok(args);
    let (a, b) = (site.snapshot(), clean.snapshot());
    let names = |s: &[(String, Vec<u8>)]| s.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "{what}: different files");
    for ((pa, ba), (_, bb)) in a.iter().zip(&b) {
        assert!(ba == bb, "{what}: {pa} differs from a clean build");
    }
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
            .filter(|j| {
                matches!(
                    j,
                    Job::SearchTerms(_) | Job::SearchSealed(_) | Job::SearchDocs(_) | Job::SearchDir(_)
                )
            })
            .map(|j| (j, renderer.fingerprint(j)))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (before, fp_before) = (search_parts(&site), fingerprints());
    // 41 days over two months: the older month's papers, 2,550 among them, are the sealed
    // segment's (see `render/search_sealed.rs`).
    assert!(fp_before.keys().filter(|j| matches!(j, Job::SearchSealed(_))).count() >= 2);
    assert!(fp_before.keys().any(|j| matches!(j, Job::SearchTerms(_))));
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
    site.write("content/2026-11-25.txt", digest(&["Alpha Paper", "Beta Paper"]));
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
    site.write("content/2026-11-26.txt", digest(&["Alpha Paper"]));
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

/// The real papers of the tagging fixture, as three days of JSON Lines: the first two make
/// the archive, the third is the day a publisher adds.
fn real_days() -> [(String, String); 3] {
    let all = include_str!("fixtures/real-dev/content/papers.jsonl");
    let lines: Vec<&str> = all.lines().collect();
    let day = |from: usize, to: usize| lines[from..to].join("\n") + "\n";
    [
        ("content/a.jsonl".into(), day(0, 150)),
        ("content/b.jsonl".into(), day(150, 250)),
        ("content/c.jsonl".into(), day(250, 300)),
    ]
}

/// A site of the first two real days, built once: the archive a new day joins. Returns the
/// third day's file (path and text).
fn two_days_built() -> (TestSite, (String, String)) {
    let site = TestSite::new();
    let [a, b, c] = real_days();
    site.write(&a.0, &a.1).write(&b.0, &b.1);
    site.build_ok(&[]);
    (site, c)
}

/// How many jobs a build's summary line says it did not render.
fn kept_jobs(stdout: &str) -> usize {
    stdout
        .split_once(" ms (")
        .and_then(|(_, rest)| rest.split_once(" of "))
        .map_or(0, |(n, _)| n.parse().unwrap())
}

/// Builds in a new process, which must succeed: what it printed on stdout and stderr.
fn build_output(site: &TestSite, what: &str) -> (String, String) {
    let out = site.run(&["build"]);
    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn inode(path: &std::path::Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
}

#[test]
fn a_day_added_in_a_new_process_renders_only_what_changed_and_equals_a_clean_build() {
    let site = TestSite::new();
    let [a, b, c] = real_days();
    site.write(&a.0, &a.1).write(&b.0, &b.1);
    let first = site.build_ok(&[]);
    assert_eq!(kept_jobs(&first), 0, "nothing to keep on a first build: {first}");
    assert!(
        site.root().join(".public.jobs").is_file(),
        "the build cache is written beside the output"
    );
    // A page the new day cannot change: the search page's script is the theme's.
    let unchanged = site.public().join("404.html");
    let before = inode(&unchanged);
    site.write(&c.0, &c.1);
    let second = site.build_ok(&[]);
    let kept = kept_jobs(&second);
    assert!(kept > 100, "a new day keeps most of the archive's pages: {second}");
    assert_eq!(inode(&unchanged), before, "a kept page is the same file, not a rewrite");
    assert_same_as_clean_build(&site, "a day added in a new process");
    // And again with nothing new: every job is kept, and the site stays the same.
    let third = site.build_ok(&[]);
    assert!(
        third.contains(&format!(
            "({kept_total} of {kept_total} jobs",
            kept_total = kept_jobs(&third)
        )),
        "{third}"
    );
    assert_same_as_clean_build(&site, "a build with nothing new");
}

#[test]
fn a_config_or_theme_change_in_a_new_process_renders_everything_again() {
    let (site, _) = two_days_built();
    site.write("paperboy.toml", "title = \"Another title\"\n");
    let out = site.build_ok(&[]);
    assert_eq!(kept_jobs(&out), 0, "a config change keeps no page: {out}");
    assert_same_as_clean_build(&site, "a config change");
    site.build_ok(&[]);
    let footer = "{% extends \"base.html\" %}{% block content %}<p>Nothing here, sorry.</p>{% endblock %}";
    site.write("templates/404.html", footer);
    let out = site.build_ok(&[]);
    assert_eq!(kept_jobs(&out), 0, "a template change keeps no page: {out}");
    assert!(site.read("404.html").contains("Nothing here, sorry."));
    assert_same_as_clean_build(&site, "a template change");
    let out = site.build_ok(&["--base-url", "https://example.org/digest/"]);
    assert_eq!(kept_jobs(&out), 0, "another --base-url keeps no page: {out}");
    assert_same_as_clean_build_with(
        &site,
        "another base URL",
        &["--base-url", "https://example.org/digest/"],
    );
}

#[test]
fn a_damaged_or_foreign_cache_is_ignored_with_a_warning_and_never_trusted() {
    let (site, c) = two_days_built();
    let cache = site.root().join(".public.jobs");
    let build = |what: &str| build_output(&site, what);
    // A cache cut short (a full disk, a copy interrupted).
    let text = std::fs::read(&cache).unwrap();
    std::fs::write(&cache, &text[..text.len() / 2]).unwrap();
    site.write(&c.0, &c.1);
    let (out, err) = build("a damaged cache");
    assert!(
        err.contains(".public.jobs: is damaged") && err.contains("ignored"),
        "{err}"
    );
    assert_eq!(kept_jobs(&out), 0, "{out}");
    assert_same_as_clean_build(&site, "a damaged cache");
    // One byte changed inside: the checksum catches it.
    let mut text = std::fs::read(&cache).unwrap();
    let at = text.len() / 2;
    text[at] = if text[at] == b'0' { b'1' } else { b'0' };
    std::fs::write(&cache, &text).unwrap();
    let (out, err) = build("a changed cache");
    assert!(err.contains("checksum does not match"), "{err}");
    assert_eq!(kept_jobs(&out), 0, "{out}");
    // Someone else's file under that name.
    std::fs::write(&cache, "{\"version\": 3}\n{}\n").unwrap();
    let (out, err) = build("a foreign cache");
    assert!(
        err.contains("not a paperboy build cache") && err.contains("ignored"),
        "{err}"
    );
    assert_eq!(kept_jobs(&out), 0, "{out}");
    assert_same_as_clean_build(&site, "a foreign cache");
    // A whole cache, but a page edited by hand since: the cache vouches for its inputs, the
    // manifest for the file, and the file no longer is what the build wrote.
    let (_, err) = build("a good cache");
    assert!(
        !err.contains(".public.jobs"),
        "a cache this build wrote is taken: {err}"
    );
    let page = site.public().join("issues/index.html");
    std::fs::write(&page, "defaced").unwrap();
    let (out, _) = build("a page edited by hand");
    assert!(kept_jobs(&out) > 0, "{out}");
    assert_same_as_clean_build(&site, "a page edited by hand");
}

#[test]
fn an_output_restored_from_a_ci_cache_keeps_its_pages() {
    // A copy (`cp -r`): every file has a new inode and time, so the manifest cannot vouch
    // for them by their metadata; their bytes still can.
    a_day_joins_a_restored_output(false);
}

#[test]
fn an_output_restored_with_its_times_is_known_without_reading_it_back() {
    // `actions/cache` restores the output from a tar, which keeps each file's modification
    // time: length and time vouch for a file, as in `rsync`'s quick check.
    let site = a_day_joins_a_restored_output(true);
    // What shows that kept files are not read back: a file forged to look unchanged (its
    // length and time as recorded, other bytes) is kept as it is. Any edit that is not
    // made to deceive gives the file its own time, and the next build rewrites it.
    let page = site.public().join("404.html");
    let good = std::fs::read(&page).unwrap();
    let time = std::fs::metadata(&page).unwrap().modified().unwrap();
    let forged: Vec<u8> = good.iter().map(|&b| if b == b'a' { b'e' } else { b }).collect();
    assert_ne!(forged, good);
    std::fs::write(&page, &forged).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&page)
        .unwrap()
        .set_modified(time)
        .unwrap();
    site.build_ok(&[]);
    assert_eq!(std::fs::read(&page).unwrap(), forged, "trusted by length and time");
    std::fs::write(&page, &forged).unwrap();
    site.build_ok(&[]);
    assert_eq!(
        std::fs::read(&page).unwrap(),
        good,
        "an edit with its own time is rewritten"
    );
}

/// The two real days built, the output restored as [`restore_output`] does, then the third
/// day added and built: its pages kept, the site as a clean build makes it.
fn a_day_joins_a_restored_output(keep_times: bool) -> TestSite {
    let (site, c) = two_days_built();
    restore_output(&site, keep_times);
    site.write(&c.0, &c.1);
    let out = site.build_ok(&[]);
    assert!(kept_jobs(&out) > 100, "{out}");
    assert_same_as_clean_build(&site, &format!("an output restored (times kept: {keep_times})"));
    site
}

/// Replaces the site's output with a copy of it, file by file (new inodes), and without
/// its staging folder, as a CI cache restores it: with each file's modification time when
/// `keep_times` (`tar`, `cp -p`), else with new ones (`cp -r`).
fn restore_output(site: &TestSite, keep_times: bool) {
    let (from, to) = (site.public(), site.root().join("restored"));
    for entry in walkdir::WalkDir::new(&from).into_iter().map(Result::unwrap) {
        let target = to.join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::write(&target, std::fs::read(entry.path()).unwrap()).unwrap();
            if keep_times {
                let time = entry.metadata().unwrap().modified().unwrap();
                let file = std::fs::File::options().write(true).open(&target).unwrap();
                file.set_modified(time).unwrap();
            }
        }
    }
    std::fs::remove_dir_all(&from).unwrap();
    std::fs::rename(&to, &from).unwrap();
    let _ = std::fs::remove_dir_all(site.root().join(".public.staging"));
}

/// Sets every folder under `dir` an hour back, as the day between two daily builds does:
/// a folder's time then vouches for what it holds (`.public.folders`).
fn age_folders(dir: &std::path::Path) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(dir).into_iter().map(Result::unwrap) {
        if entry.file_type().is_dir() {
            std::fs::File::open(entry.path())
                .unwrap()
                .set_modified(hour_ago)
                .unwrap();
        }
    }
}

#[test]
fn a_staged_site_is_cleaned_of_what_others_wrote_into_it_while_it_was_live() {
    let (site, c) = two_days_built();
    let staged = site.root().join(".public.staging");
    // Each of the two site folders is listed once with settled times, and recorded; the
    // staging folder is then the one recorded two builds ago, vouched for by its times.
    site.build_ok(&[]);
    age_folders(&staged);
    site.build_ok(&[]);
    age_folders(&staged);
    site.build_ok(&[]);
    assert!(site.root().join(".public.folders").is_file());
    // What other tools do to a live site: compressed copies beside pages (`gzip -k`), a
    // page saved by hand through a rename, a folder of their own.
    let pages: Vec<PathBuf> = std::fs::read_dir(site.public().join("papers"))
        .unwrap()
        .map(|e| e.unwrap().path().join("index.html"))
        .take(3)
        .collect();
    std::fs::write(site.public().join("index.html.gz"), "gz").unwrap();
    std::fs::write(pages[0].with_extension("html.gz"), "gz").unwrap();
    let saved = pages[1].with_extension("tmp");
    std::fs::write(&saved, "<p>edited by hand</p>").unwrap();
    std::fs::rename(&saved, &pages[1]).unwrap();
    std::fs::create_dir_all(site.public().join("papers/pagefind/fragment")).unwrap();
    std::fs::write(site.public().join("papers/pagefind/fragment/a.pf"), "pf").unwrap();
    // The new day swaps that site out; the build after it stages it again.
    site.write(&c.0, &c.1);
    site.build_ok(&[]);
    assert_same_as_clean_build(&site, "a day added beside a vouched staging folder");
    site.build_ok(&[]);
    assert_same_as_clean_build(&site, "the site that others wrote into, staged again");
}

#[test]
fn the_parse_cache_serves_unchanged_files_and_never_a_stale_or_damaged_entry() {
    let site = TestSite::new();
    let [a, b, c] = real_days();
    site.write(&a.0, &a.1).write(&b.0, &b.1);
    site.write(
        "content/note.md",
        "---\ntitle: A note with an odd key\ndate: 2026-05-02\nmood: sunny\n---\nSome abstract text here.\n",
    );
    let entries = || -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(site.root().join(".public.parsed"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    let build = |what: &str| build_output(&site, what).1;
    let first = build("first build");
    assert_eq!(entries().len(), 3, "one entry per content file");
    // A file read from the cache warns as its parse did.
    let again = build("nothing changed");
    assert!(first.contains("unknown front-matter key `mood`"), "{first}");
    assert!(again.contains("unknown front-matter key `mood`"), "{again}");
    // An edited file is parsed again: its old entry no longer matches, and is removed.
    let before = entries();
    site.write(&b.0, b.1.replacen("\"title\": \"", "\"title\": \"Edited: ", 1));
    build("an edited file");
    assert_eq!(entries().len(), 3, "the edited file's old entry is pruned");
    assert_ne!(entries(), before);
    assert_same_as_clean_build(&site, "an edited file");
    // A damaged entry is named and not trusted.
    for entry in entries() {
        let bytes = std::fs::read(&entry).unwrap();
        std::fs::write(&entry, &bytes[..bytes.len() - 3]).unwrap();
    }
    site.write(&c.0, &c.1);
    let err = build("damaged entries");
    assert!(
        err.contains("a damaged parse cache entry") && err.contains("parsed again"),
        "{err}"
    );
    assert_same_as_clean_build(&site, "damaged parse cache entries");
    assert!(!build("entries rewritten").contains("damaged"));
    // A deleted file's entry goes with it.
    std::fs::remove_file(site.root().join(&a.0)).unwrap();
    build("a deleted file");
    assert_eq!(entries().len(), 3);
    assert_same_as_clean_build(&site, "a deleted file");
}

#[test]
fn a_json_lines_file_saved_again_gives_the_output_of_a_clean_build() {
    // Watch mode takes the papers of unchanged lines from the file's last parse: an edited
    // record, a record added on top (every line below moves) and a removed one must all
    // show as a clean build shows them.
    let site = TestSite::new();
    let [(path, day), ..] = real_days();
    site.write(&path, &day);
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    live.rebuild_all().unwrap();
    let mut lines: Vec<String> = day.lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen("\"abstract\": \"", "\"abstract\": \"Revised. ", 1);
    assert!(lines[3].contains("Revised. "), "the fixture's records have abstracts");
    site.write(&path, lines.join("\n") + "\n");
    check(&site, &mut live, &[&path], "an abstract edited");
    let mut record: serde_json::Value = serde_json::from_str(&lines[5]).unwrap();
    record["categories"] = serde_json::json!(["cs.XX", "<b>eess.IV</b>"]);
    lines[5] = record.to_string();
    site.write(&path, lines.join("\n") + "\n");
    assert!(check(&site, &mut live, &[&path], "a record's categories changed").written > 0);
    let shown: Vec<String> = html_files(&site.public())
        .into_iter()
        .filter(|(_, html)| html.contains("cs.XX"))
        .map(|(rel, html)| {
            assert!(
                html.contains("arXiv categories: cs.XX, &lt;b&gt;eess.IV&lt;/b&gt;"),
                "{rel}: categories shown as text"
            );
            rel
        })
        .collect();
    assert_eq!(
        shown.len(),
        1,
        "only the paper's own page names its categories: {shown:?}"
    );
    let first = lines.remove(10);
    lines.insert(0, first);
    lines.remove(20);
    site.write(&path, lines.join("\n") + "\n");
    check(
        &site,
        &mut live,
        &[&path],
        "a record moved to the top and another removed",
    );
}

#[test]
fn an_edit_to_a_paper_listed_on_two_days_gives_the_output_of_a_clean_build() {
    // Watch mode patches its last model when a save moves no paper (see
    // `content::Edits`); a repeated paper's record may be its first sighting's, or a merge
    // with a later one that filled a gap: every case must still show what a clean build
    // shows.
    let site = TestSite::new();
    let [(path, day), ..] = real_days();
    let records: Vec<serde_json::Value> = day.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut repeats: Vec<serde_json::Value> = records[..3].to_vec();
    for r in &mut repeats {
        r["date"] = "2026-12-01".into();
    }
    // The first sighting of the third lacks a comment its repeat brings.
    repeats[2]["comment"] = "Accepted at a workshop.".into();
    let lines = |records: &[serde_json::Value]| records.iter().map(|r| r.to_string() + "\n").collect::<String>();
    let (mut first, mut later) = (records.clone(), repeats.clone());
    first[2].as_object_mut().unwrap().remove("comment");
    site.write(&path, lines(&first));
    site.write("content/later.jsonl", lines(&later));
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    live.rebuild_all().unwrap();
    let revise = |r: &mut serde_json::Value, word: &str| {
        r["abstract"] = format!("{word} {}", r["abstract"].as_str().unwrap()).into();
    };
    revise(&mut first[0], "Revised.");
    site.write(&path, lines(&first));
    check(&site, &mut live, &[&path], "the first sighting of a repeat edited");
    revise(&mut later[0], "Ignored.");
    site.write("content/later.jsonl", lines(&later));
    check(&site, &mut live, &["content/later.jsonl"], "a later sighting edited");
    revise(&mut first[2], "Merged.");
    site.write(&path, lines(&first));
    check(&site, &mut live, &[&path], "a sighting merged with a later one edited");
    later[1]["authors"] = serde_json::json!([]);
    first[1]["authors"] = serde_json::json!([]);
    site.write(&path, lines(&first));
    check(&site, &mut live, &[&path], "a paper's authors removed");
    later[1]["authors"] = serde_json::json!(["A. Later"]);
    site.write("content/later.jsonl", lines(&later));
    check(
        &site,
        &mut live,
        &["content/later.jsonl"],
        "a later sighting fills the gap",
    );
    revise(&mut first[5], "Plain.");
    site.write(&path, lines(&first));
    check(&site, &mut live, &[&path], "a paper listed once edited");
    // A paper that trends again on a later day: its page, and its sitemap date, move on.
    let later_day = || {
        site.read("sitemap.xml")
            .matches("<lastmod>2026-12-01</lastmod>")
            .count()
    };
    let before = later_day();
    let mut again = records[6].clone();
    again["date"] = "2026-12-01".into();
    later.push(again);
    site.write("content/later.jsonl", lines(&later));
    check(
        &site,
        &mut live,
        &["content/later.jsonl"],
        "an older paper listed again",
    );
    assert!(
        later_day() > before,
        "the repeated paper's sitemap date is the later day's"
    );
    later.pop();
    site.write("content/later.jsonl", lines(&later));
    check(&site, &mut live, &["content/later.jsonl"], "that repeat removed");
}

#[test]
fn an_edit_that_changes_tags_gives_the_output_of_a_clean_build() {
    // A save that moves no paper re-tags only the papers it reaches (the edited one and
    // those it is a neighbour of) and patches the tag lists: a topic gained, a new tag, a
    // tag whose last paper leaves, and the neighbours' second-stage tags must all match a
    // clean build.
    let site = TestSite::new();
    let [(path, day), ..] = real_days();
    site.write(&path, &day);
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    live.rebuild_all().unwrap();
    let mut records: Vec<serde_json::Value> = day.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let original = records[7]["abstract"].as_str().unwrap().to_string();
    let save = |records: &[serde_json::Value]| {
        site.write(&path, records.iter().map(|r| r.to_string() + "\n").collect::<String>());
    };
    // The paper's own topics replaced by one other papers carry, then by topics no other
    // paper of the day has, then back: tags gained and lost, a tag new to the site and a
    // tag that loses its only paper.
    let reinforcement = "We train the policy with reinforcement learning and Q-learning; reinforcement learning with Q-learning and a policy gradient beats policy gradient baselines.";
    let games = "Clients train a shared model by federated learning; federated learning reaches a Nash equilibrium, and game theory explains the Nash equilibrium of the game.";
    for (i, text) in [reinforcement, games, &original, reinforcement].into_iter().enumerate() {
        records[7]["abstract"] = text.into();
        save(&records);
        check(&site, &mut live, &[&path], &format!("topic edit {i}"));
    }
    let tags_page = site.public().join("tags/index.html");
    assert!(tags_page.exists(), "the site has a tag index");
}

#[test]
fn edits_on_a_site_of_950_real_papers_give_the_output_of_a_clean_build() {
    // On a site this size an edit is patched all the way: related papers update only the
    // lists it moves, and only the paper pages that can show something new are
    // fingerprinted again (on the small sites above, related papers start afresh). Each
    // edit changes what other pages show of the edited paper: its authors, the start of
    // its abstract (its excerpt, on its neighbours' and referrers' pages), its words.
    let site = TestSite::new();
    // A theme may show more of the papers a page lists than the built-in ones (titles).
    let page = include_str!("../themes/default/templates/paper.html")
        .replace(
            "{{ r.title_html | safe }}</a>",
            "{{ r.title_html | safe }}</a> {{ r.authors }}: {{ r.excerpt }}",
        )
        .replace(
            "{{ next.title_html | safe }}",
            "{{ next.title_html | safe }} {{ next.excerpt }}",
        )
        .replace(
            "{{ prev.title_html | safe }}",
            "{{ prev.title_html | safe }} {{ prev.authors }}",
        );
    assert!(
        page.contains("{{ r.excerpt }}") && page.contains("{{ next.excerpt }}"),
        "the theme's page changed"
    );
    site.write("templates/paper.html", page);
    let may = include_str!("fixtures/real-may/content/papers.jsonl");
    site.write(
        "content/dev.jsonl",
        include_str!("fixtures/real-dev/content/papers.jsonl"),
    );
    site.write("content/may.jsonl", may);
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    live.rebuild_all().unwrap();
    let mut lines: Vec<String> = may.lines().map(str::to_string).collect();
    let edits: [(usize, &str, &str, &str); 4] = [
        (
            300,
            "\"authors\": [\"",
            "\"authors\": [\"Ada Lovelace\", \"",
            "an author added",
        ),
        (
            301,
            "\"abstract\": \"",
            "\"abstract\": \"Graph neural networks for protein folding. ",
            "an abstract's start",
        ),
        (
            302,
            "\"abstract\": \"",
            "\"abstract\": \"Reinforcement learning agents. ",
            "another abstract's start",
        ),
        (300, "\"Ada Lovelace\", ", "", "the author removed again"),
    ];
    let mut patched = 0;
    for (line, from, to, what) in edits {
        assert!(lines[line].contains(from), "{what}: the fixture's record has it");
        lines[line] = lines[line].replacen(from, to, 1);
        site.write("content/may.jsonl", lines.join("\n") + "\n");
        let report = check(&site, &mut live, &["content/may.jsonl"], what);
        patched += usize::from(report.rendered < 200);
    }
    // Another paper's title said again and again: the two papers list each other now,
    // and so may their neighbours.
    let field = |line: &str, key: &str| {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        record[key].as_str().unwrap().to_string()
    };
    let mut record: serde_json::Value = serde_json::from_str(&lines[303]).unwrap();
    record["abstract"] = format!(
        "{} {}",
        field(&lines[303], "abstract"),
        field(&lines[40], "title").repeat(3)
    )
    .into();
    lines[303] = record.to_string();
    site.write("content/may.jsonl", lines.join("\n") + "\n");
    let report = check(&site, &mut live, &["content/may.jsonl"], "another paper's title added");
    patched += usize::from(report.rendered < 200);
    assert!(patched >= 4, "edits were patched, not rebuilt whole ({patched} of 5)");
}

#[test]
fn stored_topic_strengths_serve_the_next_build_and_are_never_trusted_when_damaged() {
    let site = a_day_joins_the_side_file(".public.topics");
    // Another taxonomy: the stored strengths are another's, and tags follow the new one.
    site.write("paperboy.toml", "[tagging]\nmax_tags = 1\nthreshold = 6.0\n");
    site.build_ok(&[]);
    assert_same_as_clean_build(&site, "another taxonomy");
    assert_a_damaged_side_file_is_never_trusted(&site, ".public.topics");
}

#[test]
fn stored_words_serve_the_next_build_and_are_never_trusted_when_damaged() {
    let site = a_day_joins_the_side_file(".public.words");
    // An edit that removes a word from the site, and one that brings a new word.
    let [a, _, _] = real_days();
    let edited =
        a.1.replacen("reinforcement", "zyzzyvas", 1)
            .replacen("Transformer", "Trans-former", 1);
    assert_ne!(edited, a.1);
    site.write(&a.0, &edited);
    site.build_ok(&[]);
    assert_same_as_clean_build(&site, "papers edited with stored words");
    assert_a_damaged_side_file_is_never_trusted(&site, ".public.words");
}

/// The archive of two real days, built, then the third day added: the file a build keeps
/// beside the output for the next (`name`) is there after the first build and grows with
/// the new day's papers, and the site is a clean build's. Returns the site.
fn a_day_joins_the_side_file(name: &str) -> TestSite {
    let (site, c) = two_days_built();
    let stored = site.root().join(name);
    let size = || std::fs::metadata(&stored).map_or(0, |m| m.len());
    let first = size();
    assert!(first > 0, "a build stores {name} beside the output");
    site.write(&c.0, &c.1);
    site.build_ok(&[]);
    assert!(size() > first, "the new day's papers join {name}");
    assert_same_as_clean_build(&site, &format!("a day added with {name}"));
    site
}

/// A file a build keeps beside the output for the next (`name`, checksummed), cut short or
/// with one byte changed: each build names it in a warning, gives the site of a clean build
/// and stores it whole again. A build that fails after staging it leaves the last good one.
fn assert_a_damaged_side_file_is_never_trusted(site: &TestSite, name: &str) {
    let stored = site.root().join(name);
    let build = |what: &str| build_output(site, what).1;
    let bytes = std::fs::read(&stored).unwrap();
    std::fs::write(&stored, &bytes[..bytes.len() / 2]).unwrap();
    let err = build("cut short");
    assert!(
        err.contains(&format!("{name}: is damaged")) && err.contains("ignored"),
        "{err}"
    );
    assert_same_as_clean_build(site, &format!("{name} cut short"));
    assert!(
        !build("stored again").contains(name),
        "the next build stores a whole file"
    );
    let mut bytes = std::fs::read(&stored).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x40;
    std::fs::write(&stored, &bytes).unwrap();
    // Named as damaged either way: by its checksum, or by a part that no longer reads
    // (which of the two depends on where the byte falls).
    let changed = build("one byte changed");
    assert!(
        changed.contains(&format!("{name}: is damaged")) && changed.contains("ignored"),
        "{changed}"
    );
    assert_same_as_clean_build(site, &format!("a changed byte in {name}"));
    // A build that fails after the words and tags are read leaves no half-stored file
    // behind. (A variable the page does not have fails when the page renders.)
    let before = std::fs::read(&stored).unwrap();
    site.write("templates/404.html", "{{ no_such_variable.field }}");
    let failed = site.run(&["build"]);
    assert!(String::from_utf8_lossy(&failed.stderr).contains("no_such_variable"));
    assert!(!site.root().join(format!("{name}.tmp")).exists());
    assert_eq!(
        std::fs::read(&stored).unwrap(),
        before,
        "the last good build's {name} stays"
    );
    std::fs::remove_file(site.root().join("templates/404.html")).unwrap();
}

/// The entries of a stored words file (see `src/enrich/stored_words.rs`): where each paper's
/// text hash is, in file order.
fn stored_word_entries(bytes: &[u8]) -> Vec<usize> {
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    // Past the magic, the program's key and the tag.
    let mut at = b"paperboy words 1\n".len() + 16;
    let words = u64_at(at);
    at += 8;
    for _ in 0..words {
        at += 4 + u32_at(at);
    }
    let papers = u64_at(at);
    at += 8;
    let mut entries = Vec::new();
    for _ in 0..papers {
        entries.push(at);
        let n = u32_at(at + 12);
        at += 16 + 4 * n;
        at += 4 + 4 * u32_at(at);
    }
    assert_eq!(at + 8, bytes.len(), "the file is read to its checksum");
    entries
}

#[test]
fn a_build_takes_the_stored_words_instead_of_reading_the_papers_again() {
    let (site, _) = two_days_built();
    let stored = site.root().join(".public.words");
    let mut bytes = std::fs::read(&stored).unwrap();
    // Every paper is stored under the text of the next: a build that takes the stored
    // words gives each paper another's words, and the site changes.
    let entries = stored_word_entries(&bytes);
    let hashes: Vec<[u8; 8]> = entries
        .iter()
        .map(|&at| bytes[at..at + 8].try_into().unwrap())
        .collect();
    for (i, &at) in entries.iter().enumerate() {
        bytes[at..at + 8].copy_from_slice(&hashes[(i + 1) % hashes.len()]);
    }
    let body = bytes.len() - 8;
    let sum = xxhash_rust::xxh3::xxh3_64(&bytes[..body]).to_le_bytes();
    bytes[body..].copy_from_slice(&sum);
    std::fs::write(&stored, bytes).unwrap();
    let honest = site.snapshot();
    site.build_ok(&[]);
    assert!(site.snapshot() != honest, "the stored words were taken");
    std::fs::remove_file(&stored).unwrap();
    site.build_ok(&[]);
    assert_same_as_clean_build(&site, "without stored words");
}

#[test]
fn a_build_takes_the_stored_strengths_of_its_taxonomy_without_reading_phrases_again() {
    let (site, _) = two_days_built();
    let tagged_rl = || {
        let pages = html_files(&site.public().join("papers"));
        let rl = pages
            .iter()
            .filter(|(_, html)| html.contains("href=\"/tags/reinforcement-learning/\""));
        (rl.count(), pages.len())
    };
    let (rl, papers) = tagged_rl();
    assert!(rl > 0 && rl < papers, "{rl} of {papers}");
    // Strengths stored for this program and taxonomy that say every paper is about the
    // built-in taxonomy's first topic, reinforcement learning: the build takes them.
    let loaded = paperboy::pipeline::load(site.root(), &Default::default()).unwrap();
    let mut bytes = b"paperboy topic strengths 2\n".to_vec();
    bytes.extend(paperboy::enrich::stored_key(&loaded.setup.config.tagging).to_le_bytes());
    bytes.extend((loaded.site.papers.len() as u64).to_le_bytes());
    for paper in &loaded.site.papers {
        bytes.extend(paper.text_hash.to_le_bytes());
        bytes.extend(1u16.to_le_bytes());
        bytes.extend(0u16.to_le_bytes());
        bytes.extend(9f32.to_bits().to_le_bytes());
        bytes.extend([0, 0]); // neither vetoed nor given by the learned stage
    }
    bytes.extend(xxhash_rust::xxh3::xxh3_64(&bytes).to_le_bytes());
    std::fs::write(site.root().join(".public.topics"), bytes).unwrap();
    site.build_ok(&[]);
    assert_eq!(tagged_rl(), (papers, papers), "every paper takes the stored topic");
    // Without them, the phrases are read again.
    std::fs::remove_file(site.root().join(".public.topics")).unwrap();
    site.build_ok(&[]);
    assert_eq!(tagged_rl(), (rl, papers));
}

#[test]
fn watch_mode_starts_from_the_caches_beside_its_output_and_keeps_them() {
    let site = TestSite::new();
    let [a, b, c] = real_days();
    site.write(&a.0, &a.1).write(&b.0, &b.1);
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    live.rebuild_all().unwrap();
    drop(live);
    assert!(site.root().join(".public.parsed").is_dir(), "the parse cache is kept");
    let topics = site.root().join(".public.topics");
    assert!(topics.is_file(), "the topic strengths are kept");
    // A new session reads them: a day added meanwhile, and damaged strengths, named.
    site.write(&c.0, &c.1);
    let bytes = std::fs::read(&topics).unwrap();
    std::fs::write(&topics, &bytes[..bytes.len() - 1]).unwrap();
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    let report = live.rebuild_all().unwrap();
    assert!(
        report.warnings.iter().any(|w| w.contains(".public.topics: is damaged")),
        "{:?}",
        report.warnings
    );
    drop(live);
    assert_same_as_clean_build(&site, "a watch session started from kept caches");
    let report = LiveSite::new(site.root(), &site.public(), Default::default())
        .rebuild_all()
        .unwrap();
    assert!(
        !report.warnings.iter().any(|w| w.contains(".public.topics")),
        "stored again whole"
    );
}

/// Where each list of a stored related lists file starts (see
/// `src/enrich/stored_related.rs`): its length byte, in file order; and where each weight
/// of the stored vectors is.
fn stored_related_layout(bytes: &[u8]) -> (Vec<usize>, Vec<usize>) {
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let mut at = b"paperboy related lists 2\n".len() + 8;
    at += 8 + 8 * u64_at(at);
    let papers = u64_at(at);
    at += 8;
    let mut lists = Vec::with_capacity(papers);
    for _ in 0..papers {
        lists.push(at);
        at += 1 + 4 * bytes[at] as usize;
    }
    // The terms' counts: a stem hash and a count each.
    at += 8 + 12 * u64_at(at);
    assert_eq!(u64_at(at), papers, "a vector per list");
    at += 8;
    let mut weights = Vec::new();
    for _ in 0..papers {
        let entries = u32_at(at);
        at += 4;
        for _ in 0..entries {
            weights.push(at + 8);
            at += 12;
        }
    }
    assert_eq!(at + 8, bytes.len(), "the file is read to its checksum");
    (lists, weights)
}

/// Writes `bytes` to `path` with their checksum mended: a whole file, as a build would
/// trust it.
fn write_summed(path: &std::path::Path, mut bytes: Vec<u8>) {
    let body = bytes.len() - 8;
    let sum = xxhash_rust::xxh3::xxh3_64(&bytes[..body]).to_le_bytes();
    bytes[body..].copy_from_slice(&sum);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_settled_archive_takes_its_stored_related_lists_and_never_damaged_ones() {
    let (site, (path, text)) = settled_archive();
    site.build_ok(&[]);
    site.write(&path, text);
    site.build_ok(&[]);
    let stored = site.root().join(".public.related");
    let honest_bytes = std::fs::read(&stored).expect("a settled archive stores its settled papers' lists");
    let mut bytes = honest_bytes.clone();
    // Every settled list, reversed: a build that takes the stored lists shows them so, and
    // the settled papers' pages change.
    let (lists, weights) = stored_related_layout(&bytes);
    assert!(lists.len() >= 10_000, "{} lists", lists.len());
    for &at in &lists {
        let n = bytes[at] as usize;
        let entries: Vec<[u8; 4]> = (0..n)
            .map(|i| bytes[at + 1 + 4 * i..at + 5 + 4 * i].try_into().unwrap())
            .collect();
        for (i, entry) in entries.iter().rev().enumerate() {
            bytes[at + 1 + 4 * i..at + 5 + 4 * i].copy_from_slice(entry);
        }
    }
    write_summed(&stored, bytes);
    let papers = site.public().join("papers");
    let honest = html_files(&papers);
    site.build_ok(&[]);
    assert!(html_files(&papers) != honest, "the stored lists were taken");
    // Every stored vector weighing nothing: the papers of the newest month, searched
    // against them, then find no settled paper like them.
    let mut bytes = honest_bytes;
    assert!(weights.len() >= 10_000, "{} stored weights", weights.len());
    for &at in &weights {
        bytes[at..at + 4].copy_from_slice(&0f32.to_bits().to_le_bytes());
    }
    write_summed(&stored, bytes);
    site.build_ok(&[]);
    assert!(html_files(&papers) != honest, "the stored vectors were taken");
    std::fs::remove_file(&stored).unwrap();
    site.build_ok(&[]);
    assert!(html_files(&papers) == honest, "searched afresh without them");
    assert_a_damaged_side_file_is_never_trusted(&site, ".public.related");
}

#[test]
fn a_settled_archive_keeps_its_sealed_parts_and_never_a_damaged_one() {
    use std::os::unix::fs::MetadataExt;
    let (site, (path, text)) = settled_archive();
    site.build_ok(&[]);
    let stored = site.root().join(".public.sealed");
    let inode = std::fs::metadata(&stored)
        .expect("a settled archive stores its sealed search segment")
        .ino();
    let words = site.root().join(".public.sealed-words");
    let size = |name: &str| std::fs::metadata(site.root().join(name)).unwrap().len();
    assert!(
        size(".public.sealed-words") > 10 * size(".public.words"),
        "January's words are sealed, February's two days are not"
    );
    let words_inode = std::fs::metadata(&words).unwrap().ino();
    let live_words = std::fs::read(site.root().join(".public.words")).unwrap();
    let before = search_parts(&site);
    let sealed: Vec<&String> = before.keys().filter(|name| name.starts_with("s-")).collect();
    assert!(sealed.len() > 3, "{} sealed shards", sealed.len());
    // A day added: the sealed shards are kept, the stored segment taken as it is (not
    // stored again), and the output is a clean build's.
    site.write(&path, text);
    site.build_ok(&[]);
    let after = search_parts(&site);
    for name in &sealed {
        assert_eq!(before[*name], after[*name], "{name} kept");
    }
    assert_eq!(
        std::fs::metadata(&stored).unwrap().ino(),
        inode,
        "taken, not stored again"
    );
    // The sealed papers' words too; the others' are stored again, with the new day.
    assert_eq!(
        std::fs::metadata(&words).unwrap().ino(),
        words_inode,
        "sealed words kept"
    );
    assert_ne!(std::fs::read(site.root().join(".public.words")).unwrap(), live_words);
    assert_same_as_clean_build(&site, "a day added to a sealed search segment");
    // A sealed shard gone from the output is written again from the stored segment.
    let gone = site.public().join("search").join(sealed[0]);
    std::fs::remove_file(&gone).unwrap();
    site.build_ok(&[]);
    assert!(gone.exists(), "{} written again", sealed[0]);
    assert_eq!(
        std::fs::metadata(&stored).unwrap().ino(),
        inode,
        "from the stored segment"
    );
    assert_same_as_clean_build(&site, "a sealed shard written again");
    assert_a_damaged_side_file_is_never_trusted(&site, ".public.sealed");
    assert_a_damaged_side_file_is_never_trusted(&site, ".public.sealed-words");
    // A sealed paper edited: the sealed papers are others now, and their words are stored
    // again (the tag says which papers a sealed file holds). A build that stages them and
    // then fails leaves the last good build's files, whole.
    let words_inode = std::fs::metadata(&words).unwrap().ino();
    let last_good = (std::fs::read(&words).unwrap(), std::fs::read(&stored).unwrap());
    let january = site.root().join("content/2026-01-05.jsonl");
    let edited = std::fs::read_to_string(&january)
        .unwrap()
        .replacen("Copy zq", "Edited copy zq", 1);
    site.write("content/2026-01-05.jsonl", edited);
    site.write("templates/404.html", "{{ no_such_variable.field }}");
    assert!(!site.run(&["build"]).status.success());
    assert_eq!(
        std::fs::read(&words).unwrap(),
        last_good.0,
        "a failed build keeps the sealed words"
    );
    assert_eq!(
        std::fs::read(&stored).unwrap(),
        last_good.1,
        "and the sealed search segment"
    );
    std::fs::remove_file(site.root().join("templates/404.html")).unwrap();
    site.build_ok(&[]);
    assert_ne!(
        std::fs::metadata(&words).unwrap().ino(),
        words_inode,
        "sealed words stored again"
    );
    assert_ne!(std::fs::read(&words).unwrap(), last_good.0);
    assert_same_as_clean_build(&site, "a sealed paper edited");
    assert_the_init_workflow_keeps_every_side_file(&site);
}

/// The side files a settled archive's builds leave beside `public/` (every kind there is,
/// besides the lock) are the ones `paperboy init --github-pages`'s workflow keeps between
/// runs and `docs/deploy.md` lists: a side file the workflow forgets costs every daily
/// build of a publisher what it saves.
fn assert_the_init_workflow_keeps_every_side_file(site: &TestSite) {
    let mut left: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public.") && name != ".public.lock")
        .collect();
    left.sort();
    assert!(left.len() >= 10, "{left:?}");
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args(["init", "--github-pages"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let workflow = std::fs::read_to_string(dir.path().join(".github/workflows/publish.yml")).unwrap();
    let yaml: serde_norway::Value = serde_norway::from_str(&workflow).unwrap();
    let steps = yaml["jobs"]["build"]["steps"].as_sequence().unwrap();
    let cached: Vec<&str> = steps
        .iter()
        .filter_map(|step| step["with"]["path"].as_str())
        .flat_map(str::lines)
        .map(str::trim)
        .collect();
    let mut kept: Vec<String> = cached
        .iter()
        .filter(|path| path.starts_with(".public."))
        .map(|path| path.to_string())
        .collect();
    kept.sort();
    assert_eq!(kept, left, "the init workflow caches what a build leaves");
    assert!(cached.contains(&"public"));
    let deploy = include_str!("../docs/deploy.md");
    for name in &left {
        assert!(deploy.contains(&format!("`{name}")), "docs/deploy.md lists {name}");
    }
}

/// An archive past the settled threshold of related papers (10,000 papers published before
/// its newest month; see `enrich/related.rs`): 10,200 January papers made from the real
/// fixtures (each its own id and title; each copy of a fixture's abstract ends in words of
/// its own, so no two papers are the same) and February's first two days. Returns the site
/// and February's third day (path and text): copies of the first 100 January papers, each
/// the best match of its original.
fn settled_archive() -> (TestSite, (String, String)) {
    let records: Vec<serde_json::Value> = include_str!("fixtures/real-dev/content/papers.jsonl")
        .lines()
        .chain(include_str!("fixtures/real-may/content/papers.jsonl").lines())
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // Paper `k` of the archive, with the id and title of paper `as_k`.
    let paper = |k: usize, as_k: usize, date: &str| {
        let mut record = records[k % records.len()].clone();
        let copy = k / records.len();
        let title = format!("{} (part {as_k})", record["title"].as_str().unwrap());
        let text = format!(
            "{} Copy zq{copy}alpha zq{copy}beta.",
            record["abstract"].as_str().unwrap()
        );
        record["id"] = format!("2601.{as_k:05}").into();
        record["date"] = date.into();
        record["title"] = title.into();
        record["abstract"] = text.into();
        format!("{record}\n")
    };
    let site = TestSite::new();
    let mut k = 0;
    let mut day = |date: &str, papers: usize| {
        let text: String = (k..k + papers).map(|k| paper(k, k, date)).collect();
        site.write(&format!("content/{date}.jsonl"), text);
        k += papers;
    };
    for d in 1..=20 {
        day(&format!("2026-01-{d:02}"), 510);
    }
    day("2026-02-02", 100);
    day("2026-02-03", 100);
    let date = "2026-02-04";
    let copies = (0..100).map(|j| paper(j, k + j, date)).collect();
    (site, (format!("content/{date}.jsonl"), copies))
}

#[test]
fn a_settled_archive_takes_a_new_day_and_edits_as_a_clean_build() {
    let (site, (path, text)) = settled_archive();
    site.build_ok(&[]);
    site.write(&path, text);
    let out = site.build_ok(&[]);
    let total: usize = out
        .split_once(" of ")
        .and_then(|(_, rest)| rest.split_once(" jobs"))
        .map(|(n, _)| n.parse().unwrap())
        .unwrap_or_else(|| panic!("{out}"));
    // The day renders what February and the site's own pages show.
    let rendered = total - kept_jobs(&out);
    assert!(rendered < 1_000, "{rendered} of {total} jobs rendered: {out}");
    // The copies are their originals' best matches, yet no settled paper lists them.
    for (path, html) in html_files(&site.public().join("papers")) {
        if html.contains("datetime=\"2026-01-") {
            assert!(!html.contains("February 2026"), "{path} lists a paper of February");
        }
    }
    assert_same_as_clean_build(&site, "a day added to a settled archive");
    // Watch mode patches an edit to a settled paper (each check is a clean build of 10,300
    // papers: one edit only).
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    live.rebuild_all().unwrap();
    {
        let (file, what) = ("content/2026-01-07.jsonl", "a settled paper's abstract");
        let text = std::fs::read_to_string(site.root().join(file)).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let (from, to) = (
            "\"abstract\":\"",
            "\"abstract\":\"Graph neural networks for protein folding. ",
        );
        assert!(lines[3].contains(from), "{what}: {}", lines[3]);
        lines[3] = lines[3].replacen(from, to, 1);
        site.write(file, lines.join("\n") + "\n");
        let report = check(&site, &mut live, &[file], what);
        assert!(
            (1..200).contains(&report.rendered),
            "{what}: {} jobs rendered",
            report.rendered
        );
    }
}
