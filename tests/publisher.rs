//! The publisher's path, as a Zola or Hugo user walks it: a site's own `static/`, drafts
//! and scheduled papers, `[extra]` for themes, `paperboy check`, the command line's
//! conventions, interface words in another language, stable URLs, and the deploy
//! workflow `init` writes. Each test drives the real binary on a real site folder.

mod common;

use std::process::Command;

use common::*;

/// A site of one digest day and one Markdown paper, with a deployable `base_url`.
fn site() -> TestSite {
    let site = TestSite::new();
    site.write("paperboy.toml", "base_url = \"https://example.org/\"\n");
    site.write("content/2026-11-26.txt", digest(&["Alpha Paper", "Beta Paper"]));
    site
}

fn paperboy(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_localhost_base_url_is_named_in_one_warning() {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", digest(&["Alpha Paper"]));
    let out = site.run(&["build"]);
    assert!(out.status.success());
    let warnings: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.contains("base_url"))
        .map(String::from)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("127.0.0.1") && warnings[0].contains("set base_url"),
        "{}",
        warnings[0]
    );
    // A real address, given on the command line or in the config, is quiet.
    let out = site.run(&["build", "--base-url", "https://example.org/"]);
    assert!(!stderr(&out).contains("base_url"), "{}", stderr(&out));
}

#[test]
fn the_sites_static_files_reach_the_root_over_the_themes() {
    let site = site();
    site.write("static/CNAME", "papers.example.org\n");
    site.write("static/img/logo.svg", "<svg/>");
    site.write("static/style.css", "body{color:red}");
    site.build_ok(&[]);
    assert_eq!(site.read("CNAME"), "papers.example.org\n");
    assert_eq!(site.read("img/logo.svg"), "<svg/>");
    assert_eq!(
        site.read("style.css"),
        "body{color:red}",
        "the site's file wins over the theme's"
    );
    // Removing it brings the theme's back.
    std::fs::remove_file(site.root().join("static/style.css")).unwrap();
    site.build_ok(&[]);
    assert!(site.read("style.css").len() > 1000, "the theme's stylesheet is back");
}

#[test]
fn drafts_and_future_papers_wait_unless_asked_for() {
    let site = site();
    site.write(
        "content/papers/draft.md",
        "+++\ntitle = \"Draft Paper\"\ndate = 2026-11-26\ndraft = true\n+++\nNot ready.\n",
    );
    site.write(
        "content/papers/later.md",
        md_paper("Later Paper", "2099-01-01", &[], "From the future."),
    );
    let build = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_paperboy"));
        cmd.arg("build").args(args).arg("--root").arg(site.root());
        cmd.env("PAPERBOY_TODAY", "2026-12-01");
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    build(&[]);
    assert!(site.public().join("papers/alpha-paper/index.html").exists());
    assert!(
        !site.public().join("papers/draft-paper").exists(),
        "a draft was published"
    );
    assert!(
        !site.public().join("papers/later-paper").exists(),
        "a future paper was published"
    );
    assert!(!site.public().join("issues/2099-01-01").exists());
    assert!(
        !site.read("index.html").contains("2099"),
        "the future day leads the home page"
    );
    assert!(!site.read("rss.xml").contains("Draft Paper"));

    build(&["--drafts", "--future"]);
    let draft = site.read("papers/draft-paper/index.html");
    assert!(draft.contains("Draft: this paper is not published"), "no draft banner");
    let later = site.read("papers/later-paper/index.html");
    assert!(
        later.contains("Scheduled: this paper is published on"),
        "no scheduled banner"
    );
    assert!(site.public().join("issues/2099-01-01/index.html").exists());

    // The config can say the same, and the date that counts as today moves with the clock.
    site.write(
        "paperboy.toml",
        "base_url = \"https://example.org/\"\n[build]\ndrafts = true\n",
    );
    build(&[]);
    assert!(site.public().join("papers/draft-paper/index.html").exists());
    assert!(!site.public().join("papers/later-paper").exists());
}

#[test]
fn extra_reaches_templates_and_a_key_in_the_wrong_table_says_where_it_goes() {
    let site = site();
    site.write(
        "paperboy.toml",
        "base_url = \"https://example.org/\"\n[feeds]\nlimit = 10\ntheme = \"newsletter\"\n[extra]\nbanner = \"Hello <readers>\"\n",
    );
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"banner\">{{ site.extra.banner }}</p>{% endblock content %}",
    );
    let out = site.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("move it above `[feeds]`"), "{err}");
    assert!(!err.contains("extra"), "[extra] is not unknown: {err}");
    assert!(
        site.read("404.html")
            .contains("<p id=\"banner\">Hello &lt;readers&gt;</p>"),
        "site.extra.banner, escaped"
    );
}

#[test]
fn check_passes_a_good_site_and_names_a_broken_link() {
    let site = site();
    let out = site.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no problems"));
    assert!(!site.public().exists(), "check wrote files");

    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<a href=\"{{ site.base_path }}nowhere/\">x</a><a href=\"#missing\">y</a>{% endblock content %}",
    );
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("404.html") && err.contains("nowhere/"), "{err}");
    assert!(err.contains("#missing"), "{err}");
    // Each problem names the page and the line of the page that holds the link, which the
    // built page shows.
    site.build_ok(&[]);
    let page = site.read("404.html");
    for link in ["nowhere/", "#missing"] {
        let line = page
            .lines()
            .position(|l| l.contains(link))
            .expect("the page holds the link")
            + 1;
        let expected = format!("error: 404.html:{line}: links to `");
        assert!(
            err.lines().any(|l| l.starts_with(&expected) && l.contains(link)),
            "{expected}…{link}: {err}"
        );
    }

    // A link every paper's page has is one line, with how many pages have it.
    let day: String = (0..5)
        .map(|i| format!("Paper {i}\n{}\n", abstract_text(&format!("p{i}"))))
        .collect();
    site.write("content/2026-11-27.txt", day);
    site.write(
        "templates/paper.html",
        "{% extends \"base.html\" %}{% block content %}<a href=\"{{ site.base_path }}gone/\">x</a>{% endblock content %}",
    );
    let err = stderr(&site.run(&["check"]));
    let gone: Vec<&str> = err.lines().filter(|l| l.contains("gone/")).collect();
    assert_eq!(gone.len(), 1, "{err}");
    assert!(
        gone[0].starts_with("error: papers/")
            && gone[0].contains("which the site does not have; 6 other pages have the same link (from a template they share?) — fix the template"),
        "{err}"
    );
}

#[test]
fn command_line_conventions_hold() {
    let site = site();
    let elsewhere = tempfile::tempdir().unwrap();
    let config = elsewhere.path().join("other.toml");
    std::fs::write(
        &config,
        "base_url = \"https://other.example/\"\ntitle = \"Other Title\"\n",
    )
    .unwrap();
    let out_dir = elsewhere.path().join("site-out");
    // Global -r and -c before the subcommand, -o after it.
    let out = paperboy(&[
        "-r",
        site.root().to_str().unwrap(),
        "-c",
        config.to_str().unwrap(),
        "build",
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let home = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(home.contains("Other Title") && home.contains("https://other.example/"));
    assert!(!site.public().exists());

    let version = String::from_utf8_lossy(&paperboy(&["--version"]).stdout).into_owned();
    assert!(version.starts_with("paperboy "), "{version}");
    for shell in ["bash", "zsh", "fish"] {
        let out = paperboy(&["completions", shell]);
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("paperboy"));
    }
    // Exit codes: 2 for usage, 1 for a content or config error.
    assert_eq!(paperboy(&["build", "--no-such-flag"]).status.code(), Some(2));
    site.write("paperboy.toml", "title = [\n");
    assert_eq!(site.run(&["build"]).status.code(), Some(1));
}

#[test]
fn init_defaults_to_the_current_folder_and_writes_a_workflow_that_parses() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args(["init", "--github-pages"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("paperboy.toml").exists());
    let workflow = std::fs::read_to_string(dir.path().join(".github/workflows/publish.yml")).unwrap();
    let yaml: serde_norway::Value = serde_norway::from_str(&workflow).expect("the workflow is YAML");
    let steps = yaml["jobs"]["build"]["steps"].as_sequence().expect("build steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs.iter().any(|r| r.contains("paperboy build")), "{runs:?}");
    assert!(yaml["jobs"]["deploy"]["steps"].as_sequence().is_some());
    // Until PAPERBOY_GIT is set, the install step stops and says what to set, rather than
    // failing in `cargo install` on a repository that does not exist.
    let install = steps
        .iter()
        .find(|s| s["name"].as_str() == Some("Install paperboy"))
        .and_then(|s| s["run"].as_str())
        .expect("an install step");
    let placeholder = yaml["env"]["PAPERBOY_GIT"]
        .as_str()
        .expect("PAPERBOY_GIT is set in env");
    let nothing_installed = tempfile::tempdir().unwrap();
    let out = Command::new("/bin/bash")
        .args(["-c", install])
        .env("PATH", nothing_installed.path())
        .env("PAPERBOY_GIT", placeholder)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("::error::Set PAPERBOY_GIT"));
    let ignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert!(ignore.contains("/public") && ignore.contains("/.paperboy"));
    // The starter site builds as written.
    let out = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .arg("build")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn french_sites_read_french_words_and_dates() {
    let site = site();
    site.write(
        "paperboy.toml",
        "base_url = \"https://example.org/\"\nlanguage = \"fr\"\n[translations]\nlatest = \"À la une\"\n",
    );
    site.build_ok(&[]);
    let issue = site.read("issues/2026-11-26/index.html");
    assert!(issue.contains("<html lang=\"fr\""));
    assert!(issue.contains("26 novembre 2026"), "French date");
    assert!(!issue.contains("26 November 2026"));
    let home = site.read("index.html");
    assert!(home.contains("À la une"), "[translations] wins");
    assert!(site.read("issues/rss.xml").contains("26 novembre 2026"));
    for english in ["Related papers", "Trending on", "All issues", "Skip to content"] {
        for page in ["index.html", "issues/index.html", "papers/alpha-paper/index.html"] {
            assert!(!site.read(page).contains(english), "{page} still says {english:?}");
        }
    }
}

#[test]
fn slugs_hold_urls_and_aliases_redirect() {
    let site = site();
    site.write(
        "content/papers/typo.md",
        "+++\ntitle = \"Fixed Title\"\ndate = 2026-11-26\nslug = \"stable-name\"\naliases = [\"fxied-title\", \"/old/place/\"]\n+++\nBody.\n",
    );
    site.build_ok(&[]);
    assert!(site.read("papers/stable-name/index.html").contains("Fixed Title"));
    assert!(!site.public().join("papers/fixed-title").exists());
    for alias in ["papers/fxied-title/index.html", "old/place/index.html"] {
        let page = site.read(alias);
        assert!(
            page.contains("https://example.org/papers/stable-name/"),
            "{alias} does not point at the paper:\n{page}"
        );
        assert!(page.contains("http-equiv=\"refresh\""), "{alias}");
    }
}
