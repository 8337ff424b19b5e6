//! End-to-end tests of `paperboy build` on real sites in temporary folders.

mod common;

use common::*;

const FIRST_TITLE: &str =
    "Regularization and Variance-Weighted Regression Achieves Minimax Optimality in Linear MDPs: Theory and Practice";

#[test]
fn the_sample_builds_a_complete_site() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", SAMPLE);
    site.write(
        "content/papers/tagged.md",
        md_paper("A Tagged Paper", "2026-11-26", &["Robotics", "RL"], "Body."),
    );
    let summary = site.build_ok(&[]);
    assert!(summary.contains("201 papers, 1 issue, "), "{summary}");

    let public = site.public();
    assert_eq!(count_named(&public.join("papers"), "index.html"), 201);
    assert_eq!(
        count_named(&public.join("issues"), "index.html"),
        4,
        "archive + one issue of 201 papers, 100 a page"
    );
    for f in [
        "index.html",
        "issues/index.html",
        "tags/index.html",
        "rss.xml",
        "atom.xml",
        "sitemap.xml",
        "404.html",
    ] {
        assert!(public.join(f).is_file(), "{f} missing");
    }
    let tag_dirs: Vec<_> = std::fs::read_dir(public.join("tags"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let tag_dirs: Vec<_> = tag_dirs.into_iter().filter(|p| p.is_dir()).collect();
    assert!(tag_dirs.len() >= 20, "{} tag folders", tag_dirs.len());
    for dir in &tag_dirs {
        for f in ["index.html", "rss.xml", "atom.xml"] {
            assert!(dir.join(f).is_file(), "{}/{f} missing", dir.display());
        }
    }
    assert!(public.join("tags/robotics/index.html").is_file());
    assert!(
        !public.join("tags/rl").exists(),
        "the explicit tag RL is an alias of reinforcement-learning"
    );

    // The first title comes out without the glued "Subscribe".
    let issue = site.read("issues/2026-11-26/index.html");
    let first = issue.find("class=\"paper-title\"").unwrap();
    assert!(
        issue[first..].contains(FIRST_TITLE),
        "first paper is not the expected one"
    );
    let home = site.read("index.html");
    assert!(
        !home.contains("SubscribeRegularization"),
        "glued prefix leaked into the home page"
    );
    assert!(
        !home.contains("Get trending papers"),
        "boilerplate leaked into the home page"
    );
    assert!(
        site.public()
            .join("papers/regularization-and-variance-weighted-regression-achieves-minimax-optimality-in/index.html")
            .is_file()
    );

    // Feeds: site feeds list the newest 50, in trending order.
    let rss = parse_feed(&site.read("rss.xml"));
    assert_eq!(rss.entries.len(), 50);
    assert_eq!(rss.entries[0].title.as_ref().unwrap().content, FIRST_TITLE);
    let atom = parse_feed(&site.read("atom.xml"));
    assert_eq!(atom.entries.len(), 50);
    assert!(atom.entries.iter().all(|e| e.links[0].href.starts_with("http")));
    let tag_feed = parse_feed(&site.read("tags/robotics/atom.xml"));
    let tagged = tag_feed
        .entries
        .iter()
        .find(|e| e.title.as_ref().unwrap().content == "A Tagged Paper")
        .unwrap();
    let terms: Vec<_> = tagged.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(terms, ["robotics", "reinforcement-learning"], "tags become categories");
}

#[test]
fn feed_limit_and_dates_come_from_content() {
    let site = TestSite::new();
    site.write("paperboy.toml", "[feeds]\nlimit = 3\n");
    site.write(
        "content/2026-11-24.txt",
        format!("Old One\n{}\nOld Two\n{}", abstract_text("a"), abstract_text("b")),
    );
    site.write(
        "content/2026-11-25.txt",
        format!("New One\n{}\nNew Two\n{}", abstract_text("c"), abstract_text("d")),
    );
    site.build_ok(&[]);
    let feed = parse_feed(&site.read("rss.xml"));
    let titles: Vec<_> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    assert_eq!(titles, ["New One", "New Two", "Old One"]);
    let rss = site.read("rss.xml");
    assert!(
        rss.contains("<lastBuildDate>Wed, 25 Nov 2026 00:59:59 +0000</lastBuildDate>"),
        "{rss}"
    );
    let atom = parse_feed(&site.read("atom.xml"));
    assert_eq!(atom.updated.unwrap().to_rfc3339(), "2026-11-25T00:59:59+00:00");
    // Every entry has its own time, from its place in its issue: the top paper latest.
    let times: Vec<String> = atom.entries.iter().map(|e| e.updated.unwrap().to_rfc3339()).collect();
    assert_eq!(
        times,
        [
            "2026-11-25T00:59:59+00:00",
            "2026-11-25T00:59:58+00:00",
            "2026-11-24T00:59:59+00:00"
        ]
    );
    // Archive newest first; issues link each other.
    let archive = site.read("issues/index.html");
    assert!(archive.find("2026-11-25").unwrap() < archive.find("2026-11-24").unwrap());
    let older = site.read("issues/2026-11-24/index.html");
    assert!(older.contains("href=\"/issues/2026-11-25/\""), "next issue link");
}

#[test]
fn untrusted_titles_are_text_in_html_and_well_formed_in_feeds() {
    let evil = r#"<script>alert(1)</script> & "x""#;
    let site = TestSite::new();
    site.write(
        "content/2026-11-26.txt",
        format!("{evil}\n{} Also ]]> and <b>bold</b> & co.", abstract_text("evil")),
    );
    site.write(
        "content/p.md",
        md_paper(
            &format!("{evil} (md)"),
            "2026-11-26",
            &["<img src=x onerror=alert(1)>"],
            "Body <script>alert(2)</script> ]]>",
        ),
    );
    site.build_ok(&[]);
    for page in ["index.html", "issues/2026-11-26/index.html", "tags/index.html"] {
        let html = site.read(page);
        assert!(!html.contains("<script>"), "{page} has a live script tag");
        assert!(!html.contains("<img"), "{page} has a live img tag");
    }
    let paper_dirs: Vec<_> = std::fs::read_dir(site.public().join("papers"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(paper_dirs.len(), 2);
    for dir in paper_dirs {
        let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
        assert!(!html.contains("<script>"), "{} has a live script tag", dir.display());
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt; &amp; &quot;x&quot;")
                || html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"),
            "title is not shown as text in {}",
            dir.display()
        );
    }
    // Every page, the hostile tag's own page among them, parsed as a browser would: nothing
    // that runs or fetches.
    let tag_dirs: Vec<String> = std::fs::read_dir(site.public().join("tags"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let hostile_tag = tag_dirs
        .iter()
        .find(|slug| {
            site.read(&format!("tags/{slug}/index.html"))
                .contains("&lt;img src=x onerror=alert(1)&gt;")
        })
        .unwrap_or_else(|| panic!("no tag page shows the hostile tag as text: {tag_dirs:?}"));
    let pages = html_files(&site.public());
    assert!(
        pages
            .iter()
            .any(|(rel, _)| rel == &format!("tags/{hostile_tag}/index.html"))
    );
    for (rel, html) in &pages {
        assert_inert(rel, html);
    }
    for feed in ["rss.xml", "atom.xml"] {
        let parsed = parse_feed(&site.read(feed));
        let titles: Vec<_> = parsed
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        assert!(titles.contains(&evil.to_string()), "{feed}: {titles:?}");
        assert!(titles.contains(&format!("{evil} (md)")), "{feed}: {titles:?}");
    }
}

#[test]
fn base_url_with_a_path_prefixes_every_link() {
    let site = TestSite::new();
    site.write("paperboy.toml", "base_url = \"https://example.org/digest/\"\n");
    site.write("content/2026-11-26.txt", format!("A Paper\n{}", abstract_text("x")));
    site.write("content/b.md", md_paper("B Paper", "2026-11-26", &["Topic"], "Body."));
    site.build_ok(&[]);
    for (rel, bytes) in site.snapshot() {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for attr in ["href=\"", "src=\""] {
            for (i, _) in html.match_indices(attr) {
                let url = &html[i + attr.len()..];
                if url.starts_with("http") || url.starts_with('#') {
                    continue;
                }
                assert!(
                    url.starts_with("/digest/"),
                    "{rel}: link outside the base path: {}",
                    &url[..40.min(url.len())]
                );
            }
        }
    }
    let feed = parse_feed(&site.read("atom.xml"));
    assert!(
        feed.entries
            .iter()
            .all(|e| e.links[0].href.starts_with("https://example.org/digest/papers/"))
    );
    assert!(
        site.read("sitemap.xml")
            .contains("<loc>https://example.org/digest/papers/a-paper/</loc>")
    );
    // The command line overrides the config.
    site.build_ok(&["--base-url", "https://other.example/x"]);
    assert!(site.read("index.html").contains("href=\"/x/issues/\""));
}

#[test]
fn messy_digests_are_tolerated() {
    let site = TestSite::new();
    let body = format!(
        "\u{feff}Get trending papers in your email inbox!\r\nSubscribeFirst Paper  \r\n\r\n{}   \r\n\r\n\r\nSecond Paper\r\n{}\r\n\r\n",
        abstract_text("one"),
        abstract_text("two")
    );
    site.write("content/2026/11/26.txt", body);
    let summary = site.build_ok(&[]);
    assert!(summary.contains("2 papers, 1 issue"), "{summary}");
    let issue = site.read("issues/2026-11-26/index.html");
    assert!(issue.contains(">First Paper</a>") && issue.contains(">Second Paper</a>"));
    assert!(!issue.contains('\r'));
}

#[test]
fn a_digest_that_does_not_pair_up_fails_and_keeps_the_old_site() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", format!("Good\n{}", abstract_text("x")));
    site.build_ok(&[]);
    let before = site.snapshot();
    let mtime = std::fs::metadata(site.public().join("index.html"))
        .unwrap()
        .modified()
        .unwrap();

    site.write(
        "content/2026-11-26.txt",
        format!("Good\n{}\nTitle Without Abstract\n", abstract_text("x")),
    );
    site.write(
        "content/2026-11-27.txt",
        format!("Fine\n{}\nAnother Title\nAnd Another", abstract_text("y")),
    );
    let err = site.build_err();
    assert!(
        err.contains("content/2026-11-26.txt:3: title `Title Without Abstract` has no abstract"),
        "{err}"
    );
    assert!(
        err.contains("content/2026-11-27.txt:4:"),
        "every broken file is reported: {err}"
    );
    assert_eq!(site.snapshot(), before, "public/ changed after a failed build");
    assert_eq!(
        std::fs::metadata(site.public().join("index.html"))
            .unwrap()
            .modified()
            .unwrap(),
        mtime
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        leftovers.iter().all(|n| !n.to_string_lossy().contains("staging")),
        "{leftovers:?}"
    );
}

#[test]
fn bad_front_matter_names_the_file_and_line() {
    let site = TestSite::new();
    site.write(
        "content/papers/bad.md",
        "+++\ntitle = \"T\"\ndate = 2026-11-26\ntags = \"x\"\n+++\nBody\n",
    );
    let err = site.build_err();
    assert!(
        err.contains("content/papers/bad.md:4: invalid TOML front matter"),
        "{err}"
    );
    site.write("content/papers/bad.md", "---\ntitle: T\n");
    let err = site.build_err();
    assert!(
        err.contains("content/papers/bad.md:1: front matter opened with `---` is never closed"),
        "{err}"
    );
    site.write("content/papers/bad.md", "+++\ntitle = \"T\"\n+++\nBody\n");
    let err = site.build_err();
    assert!(
        err.contains("content/papers/bad.md:1:") && err.contains("date"),
        "{err}"
    );
}

#[test]
fn a_digest_without_a_date_says_how_to_name_it() {
    let site = TestSite::new();
    site.write("content/today.txt", format!("A\n{}", abstract_text("x")));
    let err = site.build_err();
    assert!(err.contains("content/today.txt:1: no date in the file name"), "{err}");
    assert!(err.contains("2026-11-26.txt"), "{err}");
}

#[test]
fn duplicates_are_listed_once_per_issue_and_paged_once() {
    let site = TestSite::new();
    site.write(
        "content/2026-11-25.txt",
        format!(
            "Deep RL: A Survey\n{}\ndeep rl — a survey.\n{}\nOther Paper\n{}",
            abstract_text("a"),
            abstract_text("a"),
            abstract_text("b")
        ),
    );
    site.write(
        "content/2026-11-26.txt",
        format!("Deep  RL: a Survey\n{}", abstract_text("a")),
    );
    site.write(
        "content/x.md",
        "+++\ntitle = \"Arxiv Dup One\"\ndate = 2026-11-26\narxiv = \"2401.01234v2\"\n+++\nBody.\n",
    );
    site.write(
        "content/y.md",
        "+++\ntitle = \"Arxiv Dup, Retitled\"\ndate = 2026-11-26\narxiv = \"arXiv:2401.01234\"\n+++\nBody.\n",
    );
    let summary = site.build_ok(&[]);
    assert!(summary.contains("3 papers, 2 issues"), "{summary}");
    let first = site.read("issues/2026-11-25/index.html");
    assert_eq!(first.matches("href=\"/papers/deep-rl-a-survey/\"").count(), 1);
    let second = site.read("issues/2026-11-26/index.html");
    assert!(
        second.contains("href=\"/papers/deep-rl-a-survey/\""),
        "listed again in the second issue"
    );
    let paper = site.read("papers/deep-rl-a-survey/index.html");
    assert!(paper.contains("datetime=\"2026-11-25\"") && paper.contains("datetime=\"2026-11-26\""));
    assert_eq!(
        site.read("rss.xml").matches("<title>Deep RL: A Survey</title>").count(),
        1
    );
}

#[test]
fn colliding_and_symbol_slugs_stay_unique() {
    let site = TestSite::new();
    site.write(
        "content/2026-11-26.txt",
        format!(
            "Résumé Learning\n{}\nResume Learning?\n{}\n→ ★\n{}",
            abstract_text("a"),
            abstract_text("b"),
            abstract_text("c")
        ),
    );
    site.build_ok(&[]);
    let mut slugs: Vec<String> = std::fs::read_dir(site.public().join("papers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    slugs.sort();
    assert_eq!(slugs.len(), 3, "{slugs:?}");
    assert!(slugs.iter().all(|s| s.is_ascii() && !s.is_empty()), "{slugs:?}");
    assert!(slugs.contains(&"resume-learning".to_string()));
    assert!(slugs.iter().any(|s| s.starts_with("paper-")), "{slugs:?}");
}

#[test]
fn two_builds_in_different_folders_are_byte_identical() {
    let a = TestSite::new();
    let b = TestSite::new();
    let mut files: Vec<(String, String)> = vec![("content/2026-11-26.txt".into(), SAMPLE.into())];
    for i in 0..12 {
        files.push((
            format!("content/more/p{i:02}.md"),
            md_paper(
                &format!("Extra {i}"),
                &format!("2026-11-{:02}", 10 + i),
                &["Robotics"],
                "Body.",
            ),
        ));
        files.push((
            format!("content/2026-10-{:02}.txt", 10 + i),
            format!("Day Paper {i}\n{}\n", abstract_text("graphs")),
        ));
    }
    // Created in opposite orders, a second apart: file systems that list folders in creation
    // order (tmpfs) then list them differently.
    for (path, text) in &files {
        a.write(path, text);
    }
    a.build_ok(&[]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for (path, text) in files.iter().rev() {
        b.write(path, text);
    }
    b.build_ok(&[]);
    let listing = |site: &TestSite| -> Vec<std::ffi::OsString> {
        std::fs::read_dir(site.root().join("content/more"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect()
    };
    eprintln!("directory listings differ: {}", listing(&a) != listing(&b));
    let (sa, sb) = (a.snapshot(), b.snapshot());
    assert_eq!(sa.len(), sb.len());
    for ((pa, ba), (pb, bb)) in sa.iter().zip(&sb) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs between builds");
    }
}

#[test]
fn unchanged_files_keep_their_modification_time() {
    let site = TestSite::new();
    site.write(
        "content/2026-11-26.txt",
        format!("One\n{}\nTwo\n{}", abstract_text("a"), abstract_text("b")),
    );
    site.build_ok(&[]);
    // Backdated far behind the clock: a rewrite, however quick, gives a new time, and a
    // replacement a new inode.
    let page = site.public().join("papers/one/index.html");
    let before = backdate(&page);
    let other = backdate(&site.public().join("papers/two/index.html"));
    site.write(
        "content/2026-11-26.txt",
        format!("One\n{}\nTwo\n{} Changed.", abstract_text("a"), abstract_text("b")),
    );
    site.build_ok(&[]);
    assert_eq!(stamp(&page), before, "the unchanged page keeps its time and inode");
    assert!(site.read("papers/two/index.html").contains("Changed."));
    assert_ne!(
        stamp(&site.public().join("papers/two/index.html")),
        other,
        "the changed page is new"
    );
}

#[test]
fn themes_can_be_chosen_and_templates_overridden() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", format!("One\n{}", abstract_text("a")));
    site.write("paperboy.toml", "theme = \"newsletter\"\n");
    site.build_ok(&[]);
    assert!(site.read("index.html").contains("newsletter.css"));
    assert!(site.public().join("newsletter.css").is_file());

    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Custom {{ site.title }}</h1>{% endblock content %}",
    );
    site.build_ok(&[]);
    assert!(site.read("404.html").contains("<h1>Custom Trending Papers</h1>"));

    site.write("paperboy.toml", "theme = \"nope\"\n");
    let err = site.build_err();
    assert!(
        err.contains("theme `nope` does not exist") && err.contains("default, newsletter"),
        "{err}"
    );
}

#[test]
fn a_site_theme_folder_is_used() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", format!("One\n{}", abstract_text("a")));
    site.write("paperboy.toml", "theme = \"mine\"\n");
    for t in ["index", "issue", "paper", "archive", "tags", "tag", "404"] {
        site.write(
            &format!("themes/mine/templates/{t}.html"),
            format!("<p>{t}: {{{{ page.title }}}}</p>"),
        );
    }
    site.write("themes/mine/static/css/mine.css", "body{}");
    // What editors leave beside a theme's files is not part of it: a half-written swap
    // file would not compile as a template, and none belongs in the output.
    site.write("themes/mine/templates/.paper.html.swo", "{% if");
    site.write("themes/mine/templates/4913", "");
    site.write("themes/mine/static/css/.mine.css.kate-swp", "x");
    site.write("themes/mine/static/css/4913", "");
    site.build_ok(&[]);
    assert_eq!(
        site.read("papers/one/index.html"),
        "<p>paper: One — Trending Papers</p>"
    );
    assert!(site.public().join("css/mine.css").is_file());
    assert!(!site.public().join("css/4913").exists());
    assert!(!site.public().join("css/.mine.css.kate-swp").exists());
}

#[test]
fn static_files_and_generated_ones_of_the_same_name() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", format!("One\n{}", abstract_text("a")));
    site.build_ok(&[]);
    assert!(site.read("robots.txt").contains("Sitemap: "));
    // A site's own robots.txt replaces the generated one...
    site.write("static/robots.txt", "User-agent: *\nDisallow: /\n");
    // ...but no static file replaces a page or feed: the page is kept, and the build says so.
    site.write("static/rss.xml", "<rss/>");
    let out = site.run(&["build"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(site.read("robots.txt"), "User-agent: *\nDisallow: /\n");
    assert!(site.read("rss.xml").starts_with("<?xml"));
    assert!(
        err.contains("warning: the static file rss.xml (in static/ or the theme's static/) is also a page or feed the site writes, which is kept — rename or remove the static file"),
        "{err}"
    );
    assert!(!err.contains("robots.txt"), "{err}");
}

#[test]
fn a_site_template_that_nothing_uses_is_warned_of() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", format!("One\n{}", abstract_text("a")));
    site.write("templates/paper.htm", "<p>a typo</p>");
    site.write("templates/partials/note.html", "<i>used</i>");
    // Components are global: the file that defines one is used where it is called.
    site.write(
        "templates/components.html",
        "{% component card(title) %}<h2>{{ title }}</h2>{% endcomponent card %}",
    );
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}{% include \"partials/note.html\" %}{{ <card title={page.title}/> }}{% endblock %}",
    );
    let out = site.run(&["build"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: templates/paper.htm: no page is made from it and no template includes it"),
        "{err}"
    );
    for used in ["note.html", "components.html", "templates/404.html"] {
        assert!(!err.contains(used), "{err}");
    }
    let page = site.read("404.html");
    assert!(
        page.contains("<i>used</i>") && page.contains("<h2>Page not found"),
        "{page}"
    );
}

#[test]
fn init_writes_a_site_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("site");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .arg("init")
        .arg(&target)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args(["build", "--root"])
        .arg(&target)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 papers, 1 issue, "));
    // No placeholder address is deployed unnoticed: until the publisher sets base_url, the
    // build says where its links point.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("set base_url"), "{err}");
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .arg("init")
        .arg(&target)
        .output()
        .unwrap();
    assert!(!again.status.success(), "init must not overwrite a site");
}

#[test]
fn a_folder_of_foreign_files_is_not_replaced() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", format!("One\n{}", abstract_text("a")));
    site.write("public/precious.txt", "mine");
    let err = site.build_err();
    assert!(err.contains("did not write") && err.contains("--force"), "{err}");
    assert_eq!(site.read("precious.txt"), "mine");
    site.build_ok(&["--force"]);
    assert!(!site.public().join("precious.txt").exists());
}

#[test]
fn rebuilds_after_any_sequence_of_edits_equal_a_clean_build() {
    let versions = [
        vec![(
            "content/2026-11-25.txt",
            format!("One\n{}\nTwo\n{}", abstract_text("a"), abstract_text("b")),
        )],
        vec![
            (
                "content/2026-11-25.txt",
                format!("One\n{}\nThree\n{}", abstract_text("a"), abstract_text("c")),
            ),
            (
                "content/p.md",
                md_paper("Four", "2026-11-26", &["Robotics"], "Robot arms."),
            ),
        ],
        vec![("content/2026-11-25.txt", format!("One\n{} Edited.", abstract_text("a")))],
        vec![(
            "content/2026-11-25.txt",
            format!("One\n{}\nTwo\n{}", abstract_text("a"), abstract_text("b")),
        )],
    ];
    let site = TestSite::new();
    for files in &versions {
        let _ = std::fs::remove_dir_all(site.root().join("content"));
        let clean = TestSite::new();
        for (rel, text) in files {
            site.write(rel, text);
            clean.write(rel, text);
        }
        site.build_ok(&[]);
        clean.build_ok(&[]);
        let (a, b) = (site.snapshot(), clean.snapshot());
        let names = |s: &[(String, Vec<u8>)]| s.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
        assert_eq!(names(&a), names(&b));
        assert!(a == b, "a rebuild differs from a clean build");
    }
}

#[test]
fn big_tags_are_split_into_pages_that_stay_put_as_days_are_added() {
    let site = TestSite::new();
    site.write("paperboy.toml", "[tags]\nper_page = 2\n[tagging]\nauto = false\n");
    let paper = |i: usize| {
        site.write(
            &format!("content/p{i}.md"),
            md_paper(
                &format!("Paper {i}"),
                &format!("2026-11-{:02}", 10 + i),
                &["Robotics"],
                "Body.",
            ),
        );
    };
    (0..6).for_each(paper);
    site.build_ok(&[]);
    // Six papers, two a page, counted from the oldest: pages 1 and 2, then the front page.
    let front = site.read("tags/robotics/index.html");
    assert!(front.contains(">Paper 5</a>") && front.contains(">Paper 4</a>") && !front.contains(">Paper 3</a>"));
    assert!(front.contains("6 papers, newest first") && front.contains("reversed start=\"6\""));
    assert!(
        front.contains("href=\"/tags/robotics/page/2/\""),
        "link to the older page"
    );
    let oldest = site.read("tags/robotics/page/1/index.html");
    assert!(oldest.contains(">Paper 1</a>") && oldest.contains(">Paper 0</a>"));
    assert!(oldest.contains("rel=\"prev\" href=\"/tags/robotics/page/2/\"") && !oldest.contains("rel=\"next\""));
    assert!(oldest.contains("<title>Robotics, 10 November 2026 to 11 November 2026 (page 1)"));
    assert!(
        !oldest.contains("6 papers"),
        "an older page does not show what grows: {oldest}"
    );
    let second = site.read("tags/robotics/page/2/index.html");
    assert!(second.contains(">Paper 3</a>") && second.contains("reversed start=\"4\""));
    assert!(second.contains("rel=\"prev\" href=\"/tags/robotics/\""));
    assert!(!site.public().join("tags/robotics/page/3").exists());
    assert_eq!(
        parse_feed(&site.read("tags/robotics/atom.xml")).entries.len(),
        6,
        "feeds are not paginated"
    );

    // New days fill the front page, then open a page behind it; full pages are not touched.
    let inode = |rel: &str| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(site.public().join(rel)).unwrap());
    let kept = inode("tags/robotics/page/1/index.html");
    paper(6);
    site.build_ok(&[]);
    assert!(site.read("tags/robotics/index.html").contains(">Paper 4</a>"));
    assert_eq!(site.read("tags/robotics/page/2/index.html"), second);
    paper(7);
    site.build_ok(&[]);
    assert_eq!(site.read("tags/robotics/page/1/index.html"), oldest);
    assert_eq!(
        inode("tags/robotics/page/1/index.html"),
        kept,
        "a full older page is not rewritten"
    );
    let third = site.read("tags/robotics/page/3/index.html");
    assert!(third.contains(">Paper 5</a>") && third.contains(">Paper 4</a>") && third.contains("reversed start=\"6\""));
    assert!(
        site.read("tags/robotics/page/2/index.html")
            .contains("rel=\"prev\" href=\"/tags/robotics/page/3/\"")
    );

    std::fs::remove_file(site.root().join("content/p0.md")).unwrap();
    site.build_ok(&[]);
    assert!(
        !site.public().join("tags/robotics/page/3").exists(),
        "a page that no longer exists is removed"
    );
}

#[test]
fn a_hand_edited_output_file_is_restored_despite_the_manifest() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", format!("One\n{}", abstract_text("a")));
    site.build_ok(&[]);
    let manifest = std::fs::read_to_string(site.root().join(".public.manifest")).unwrap();
    assert!(manifest.lines().any(|l| l.ends_with(" index.html")), "{manifest}");
    let good = site.read("index.html");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(site.public().join("index.html"), good.replace("One", "Two")).unwrap();
    site.build_ok(&[]);
    assert_eq!(site.read("index.html"), good);
    // A stale or unreadable manifest only costs speed.
    site.write(".public.manifest", "garbage\nffff 1 2 3 index.html\n");
    std::fs::write(site.public().join("index.html"), "x").unwrap();
    site.build_ok(&[]);
    assert_eq!(site.read("index.html"), good);
}

/// Whatever order the file system lists files in, the site is the same: the library is
/// handed the parsed files in two different orders and every rendered file must match.
#[test]
fn file_order_does_not_change_the_site() {
    use paperboy::{config::Config, content, enrich, render::Renderer, theme::Theme};
    let config = Config::default();
    let mut sources = vec![
        content::parse_text(
            SAMPLE,
            std::path::Path::new("content/2026-11-26.txt"),
            &config,
            &mut |_| {},
        )
        .unwrap(),
    ];
    for i in 0..8 {
        let text = md_paper(&format!("Extra {i}"), "2026-11-26", &["Robotics"], "Body about robots.");
        let path = format!("content/p{i}.md");
        sources.push(content::parse_text(&text, std::path::Path::new(&path), &config, &mut |_| {}).unwrap());
        let digest = format!("Evening Paper {i}\n{}\n", abstract_text("graphs"));
        let path = format!("content/2026-11-26-evening-{i}.txt");
        sources.push(content::parse_text(&digest, std::path::Path::new(&path), &config, &mut |_| {}).unwrap());
    }
    let theme = Theme::load(std::path::Path::new("/nonexistent"), &config).unwrap();
    let taxonomy = enrich::Taxonomy::new(&config.tagging).unwrap();
    let render = |sources: Vec<content::SourceFile>| {
        let mut site = content::assemble(&sources);
        enrich::apply_tags(&mut site, &taxonomy);
        paperboy::enrich::apply_related(&mut site);
        let renderer = Renderer::new(&site, &config, &theme).unwrap();
        let mut files: Vec<(String, Vec<u8>)> = renderer
            .all_jobs()
            .into_iter()
            .flat_map(|j| renderer.render_job(j).unwrap())
            .collect();
        files.sort();
        files
    };
    let forward = render(sources.clone());
    sources.reverse();
    sources.swap(1, 5);
    let shuffled = render(sources);
    assert_eq!(forward.len(), shuffled.len());
    for (a, b) in forward.iter().zip(&shuffled) {
        assert!(a == b, "{} differs with another file order", a.0);
    }
}

#[test]
fn a_theme_that_loops_over_a_map_gets_the_same_order_every_build() {
    // Template maps are hash maps unless Tera keeps their order; with a random hash seed
    // per process, a loop over one would list its keys differently on every build.
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", SAMPLE);
    site.write(
        "templates/404.html",
        "{% for key, value in page %}{{ key }} {% endfor %}| {% for key, value in site %}{{ key }} {% endfor %}",
    );
    let mut seen = Vec::new();
    for _ in 0..4 {
        site.build_ok(&[]);
        seen.push(std::fs::read_to_string(site.public().join("404.html")).unwrap());
    }
    assert!(
        seen[0].starts_with("title description canonical feeds kind |"),
        "{}",
        seen[0]
    );
    assert!(seen.iter().all(|s| *s == seen[0]), "{seen:?}");
}

/// A build keeps its abstracts in a spill file beside the output, not in memory (see
/// `model/long_text.rs`), and the site it writes is, byte for byte, the one rendered from
/// abstracts held in memory (as `paperboy check` and watch mode hold them). Real papers:
/// LaTeX, Markdown emphasis and HTML abstracts go through the file and back.
#[test]
fn a_build_keeps_abstracts_on_disk_and_writes_what_memory_renders() {
    let site = TestSite::new();
    site.write(
        "content/papers.jsonl",
        include_str!("fixtures/real-dev/content/papers.jsonl"),
    );
    let report = paperboy::build(&paperboy::BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    })
    .unwrap();
    let held = paperboy::load(site.root(), &Default::default()).unwrap();
    assert_eq!(held.spilled, 0, "no output, nothing spilled");
    assert!(held.site.papers.iter().all(|p| !p.abstract_text.is_stored()));
    // The real abstracts have formulas: HTML and feed HTML of their own go through the file too.
    let with = |field: fn(&paperboy::model::Paper) -> bool| held.site.papers.iter().filter(|p| field(p)).count();
    assert!(with(|p| p.abstract_html.is_some()) > 10 && with(|p| p.abstract_feed_html.is_some()) > 10);
    // Loading with a store moves every one of them there.
    let store: std::sync::Arc<dyn paperboy::model::TextStore> =
        std::sync::Arc::new(paperboy::output::Spill::beside(&site.public()).unwrap());
    let config = paperboy::config::Config::default();
    let (stored, _) = paperboy::content::load_cached(site.root(), &config, None, Some(&store)).unwrap();
    for p in &stored.papers {
        assert!(p.abstract_text.is_stored(), "{}", p.title);
        assert!(
            p.abstract_html
                .iter()
                .chain(&p.abstract_feed_html)
                .all(|t| t.is_stored()),
            "{}",
            p.title
        );
    }
    let text_bytes: u64 = held
        .site
        .papers
        .iter()
        .map(|p| p.abstract_text.read().len() as u64)
        .sum();
    assert!(
        report.spilled >= text_bytes && text_bytes > 300 * 500,
        "spilled {} bytes, abstracts hold {text_bytes}",
        report.spilled
    );
    let renderer = held
        .setup
        .renderer(
            &held.site,
            &mut Default::default(),
            None,
            &held.lexicon,
            held.search_words,
        )
        .unwrap();
    let memory = paperboy::output::Memory::default();
    paperboy::pipeline::render_jobs(&renderer, &renderer.all_jobs(), &memory, &|_, _| {}, &mut |_, _| {}).unwrap();
    let rendered = memory.into_files();
    // The marker that says paperboy wrote the folder is the build's, not a page.
    let written: Vec<(String, Vec<u8>)> = site
        .snapshot()
        .into_iter()
        .filter(|(path, _)| path != ".paperboy-output")
        .collect();
    let only_written: Vec<&str> = written
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| !rendered.contains_key(*p))
        .collect();
    assert!(
        only_written.is_empty() && written.len() == rendered.len(),
        "files differ: {only_written:?}, {} written, {} rendered",
        written.len(),
        rendered.len()
    );
    for (path, bytes) in &written {
        assert!(rendered[path] == *bytes, "{path} differs from the in-memory rendering");
    }
    // The file has no name: nothing is left beside the output.
    let beside: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with(".public") && name != "public" && name != "content")
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
}
