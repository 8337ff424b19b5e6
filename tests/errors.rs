//! The error catalogue: every way content, config or a template can be wrong, one test each.
//! Each asserts the one-line `error: FILE:LINE: what — what to do` message, a non-zero exit
//! without a panic, and that the previous `public/` survives byte for byte.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

/// A site that built once; `fails` then breaks it and checks the failure.
fn built_site() -> TestSite {
    let site = TestSite::new();
    site.write(
        "content/2026-11-26.txt",
        format!("Good Paper\n{}\n", abstract_text("graphs")),
    );
    site.build_ok(&[]);
    site
}

/// Runs a build that must fail, and checks that stderr holds `expected` (in order, all on one
/// `error:` line), that nothing panicked, and that `public/` is exactly what it was.
fn fails(site: &TestSite, expected: &[&str]) -> String {
    let before = site.snapshot();
    let out = site.run(&["build"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "exit status; stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.lines()
            .all(|l| l.starts_with("error: ") || l.starts_with("warning: ")),
        "every line is one message: {err}"
    );
    let line = err
        .lines()
        .find(|l| l.contains(expected[0]))
        .unwrap_or_else(|| panic!("no line holds {:?}:\n{err}", expected[0]));
    let mut rest = line;
    for part in expected {
        let at = rest
            .find(part)
            .unwrap_or_else(|| panic!("{part:?} missing (or out of order) in:\n{line}"));
        rest = &rest[at + part.len()..];
    }
    assert!(line.contains(" — "), "says what to do: {line}");
    assert_eq!(site.snapshot(), before, "public/ changed after a failed build");
    err
}

#[test]
fn invalid_utf8_names_the_byte_offset() {
    let site = built_site();
    site.write(
        "content/2026-11-27.txt",
        b"Title\nAbstract with a Latin-1 caf\xe9 in it. More words here.\n".as_slice(),
    );
    fails(&site, &["content/2026-11-27.txt:2: invalid UTF-8 at byte 33", "iconv"]);
}

#[test]
fn a_title_without_an_abstract() {
    let site = built_site();
    site.write(
        "content/2026-11-27.txt",
        format!("Paired\n{}\nLonely Title\n", abstract_text("x")),
    );
    fails(
        &site,
        &[
            "content/2026-11-27.txt:3: title `Lonely Title` has no abstract",
            "add the abstract",
        ],
    );
}

#[test]
fn several_broken_files_are_all_reported() {
    let site = built_site();
    site.write("content/2026-11-27.txt", "Lonely Title\n");
    site.write("content/2026-11-28.txt", b"T\n\xff\n".as_slice());
    site.write("content/papers/a.md", "+++\ntitle = \"A\"\n+++\nBody\n");
    let err = fails(&site, &["content/2026-11-27.txt:1:"]);
    assert!(err.contains("content/2026-11-28.txt:2: invalid UTF-8"), "{err}");
    assert!(err.contains("content/papers/a.md:1:"), "{err}");
    assert!(err.contains("3 content error(s)"), "{err}");
}

#[test]
fn an_empty_title() {
    let site = built_site();
    site.write(
        "content/papers/a.md",
        "+++\ntitle = \"   \"\ndate = 2026-11-26\n+++\nBody\n",
    );
    fails(
        &site,
        &["content/papers/a.md:2: title is empty", "give the paper a title"],
    );
}

#[test]
fn an_empty_abstract() {
    let site = built_site();
    site.write(
        "content/papers/a.md",
        "+++\ntitle = \"T\"\ndate = 2026-11-26\n+++\n  \n\t\n",
    );
    fails(
        &site,
        &["content/papers/a.md:5: the abstract is empty", "write the abstract"],
    );
}

#[test]
fn a_missing_date() {
    let site = built_site();
    site.write("content/papers/a.md", "---\ntitle: T\n---\nBody\n");
    fails(&site, &["content/papers/a.md:1:", "date"]);
}

#[test]
fn a_digest_name_without_a_date() {
    let site = built_site();
    site.write("content/latest.txt", format!("T\n{}\n", abstract_text("x")));
    fails(
        &site,
        &["content/latest.txt:1: no date in the file name", "2026-11-26.txt"],
    );
    // A name shaped like a date that no calendar has is told so, in either layout.
    std::fs::remove_file(site.root().join("content/latest.txt")).unwrap();
    site.write("content/2026-02-30.txt", format!("T\n{}\n", abstract_text("x")));
    fails(
        &site,
        &[
            "content/2026-02-30.txt:1: `2026-02-30` in the file name is not a calendar date",
            "2026-11-26.txt",
        ],
    );
    std::fs::remove_file(site.root().join("content/2026-02-30.txt")).unwrap();
    site.write("content/2026/13/01.txt", format!("T\n{}\n", abstract_text("x")));
    fails(
        &site,
        &["content/2026/13/01.txt:1: `2026/13/01` in the file name is not a calendar date"],
    );
}

#[test]
fn an_unparsable_date() {
    let site = built_site();
    site.write(
        "content/papers/a.md",
        "+++\ntitle = \"T\"\ndate = \"last tuesday\"\n+++\nBody\n",
    );
    fails(
        &site,
        &["content/papers/a.md:3: date `last tuesday` is not a date", "2026-11-26"],
    );
    site.write("content/papers/a.md", "---\ntitle: T\ndate: 2026-02-30\n---\nBody\n");
    fails(&site, &["content/papers/a.md:3:", "date"]);
}

#[test]
fn unterminated_front_matter() {
    let site = built_site();
    site.write("content/papers/a.md", "+++\ntitle = \"T\"\ndate = 2026-11-26\nBody\n");
    fails(
        &site,
        &["content/papers/a.md:1: front matter opened with `+++` is never closed"],
    );
}

#[test]
fn invalid_front_matter_syntax() {
    let site = built_site();
    site.write(
        "content/papers/a.md",
        "+++\ntitle = \"T\"\ndate = 2026-11-26\nauthors = [\"A\", \n+++\nBody\n",
    );
    fails(&site, &["content/papers/a.md:", "invalid TOML front matter"]);
    site.write(
        "content/papers/a.md",
        "---\ntitle: T\ndate: 2026-11-26\n  tags: [a\n---\nBody\n",
    );
    fails(&site, &["content/papers/a.md:", "invalid YAML front matter"]);
}

#[test]
fn a_wrong_type_in_front_matter() {
    let site = built_site();
    site.write(
        "content/papers/a.md",
        "+++\ntitle = \"T\"\ndate = 2026-11-26\ntags = \"x\"\n+++\nBody\n",
    );
    fails(
        &site,
        &[
            "content/papers/a.md:4: invalid TOML front matter",
            "`tags`: wrong type: text \"x\", expected a list",
            "(lists of text)",
        ],
    );
    site.write(
        "content/papers/a.md",
        "---\ntitle: T\ndate: 2026-11-26\nauthors: 5\n---\nBody\n",
    );
    fails(&site, &["content/papers/a.md:4: invalid YAML front matter: authors"]);
}

#[test]
fn unknown_config_keys_warn_with_the_nearest_key() {
    let site = built_site();
    site.write("paperboy.toml", "title = \"T\"\n\n[feeds]\nlimt = 3\n");
    let out = site.run(&["build"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: ")
            && err.contains("paperboy.toml:4: unknown key `feeds.limt` is ignored — did you mean `feeds.limit`?"),
        "{err}"
    );
}

#[test]
fn a_config_syntax_error() {
    let site = built_site();
    site.write("paperboy.toml", "title = \"T\"\nlanguage = en\n");
    fails(&site, &["paperboy.toml:2:", "fix the TOML syntax"]);
    site.write("paperboy.toml", "title = \"T\"\n[feeds]\nlimit = \"ten\"\n");
    fails(&site, &["paperboy.toml:3:", "expected"]);
    site.write("paperboy.toml", "\nbase_url = \"example.org\"\n");
    fails(&site, &["paperboy.toml:2: base_url `example.org` is not an absolute"]);
}

#[test]
fn a_theme_that_does_not_exist() {
    let site = built_site();
    site.write("paperboy.toml", "title = \"T\"\ntheme = \"fancy\"\n");
    fails(
        &site,
        &[
            "paperboy.toml:2: theme `fancy` does not exist",
            "default, newsletter",
            "themes/fancy",
        ],
    );
}

#[test]
fn a_theme_without_every_page_template() {
    let site = built_site();
    site.write("paperboy.toml", "theme = \"mine\"\n");
    site.write("themes/mine/static/style.css", "body{}");
    fails(
        &site,
        &[
            "themes/mine/templates/: theme `mine` has no templates/ folder",
            "copy them",
        ],
    );
    for t in ["index", "issue", "paper", "tags", "404"] {
        site.write(&format!("themes/mine/templates/{t}.html"), "<!DOCTYPE html>\n");
    }
    // Every missing one at once, not the first that rendering meets.
    fails(
        &site,
        &["themes/mine/templates/: theme `mine` has no archive.html, tag.html — every theme needs"],
    );
    // The site's own templates/ count.
    site.write("templates/archive.html", "<!DOCTYPE html>\n");
    site.write("templates/tag.html", "<!DOCTYPE html>\n");
    site.build_ok(&[]);
}

#[test]
fn a_template_that_is_not_utf8() {
    let site = built_site();
    site.write(
        "templates/404.html",
        b"{% extends \"base.html\" %}\n{% block content %}\nCaf\xe9\n{% endblock %}\n",
    );
    fails(
        &site,
        &["templates/404.html:3: not valid UTF-8 (byte 50 of the file) — save the template as UTF-8"],
    );
}

#[test]
fn a_template_syntax_error() {
    let site = built_site();
    site.write(
        "templates/paper.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ paper.title </h1>\n{% endblock %}\n",
    );
    fails(&site, &["templates/paper.html:", "fix the template"]);
    site.write(
        "templates/paper.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{% if paper %}\n{% endblock %}\n",
    );
    fails(&site, &["templates/paper.html:4:", "fix the template"]);
    // Left open at the end of the file: Tera points past the last line, we name the tag.
    site.write(
        "templates/paper.html",
        "{% extends \"base.html\" %}\n{# {% for x in y %} #}\n{% block content %}\n{% if paper %}{% endif %}\n",
    );
    fails(
        &site,
        &["templates/paper.html:3: `{% block %}` is never closed by an `{% endblock %}` — fix the template"],
    );
}

#[test]
fn a_failed_build_still_gives_the_warnings_that_explain_it() {
    // The typo'd table is why the template finds nothing: its warning must not vanish with
    // the build, and it names the line.
    let site = built_site();
    site.write("paperboy.toml", "title = \"T\"\nextras.tagline = \"Daily\"\n");
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}{{ site.extra.tagline }}{% endblock %}\n",
    );
    let err = fails(&site, &["templates/404.html:1:", "tagline", "fix the template"]);
    let warning = "warning: paperboy.toml:2: unknown key `extras` is ignored — did you mean `extra`?";
    assert!(err.starts_with(warning), "{err}");
    // And beside content errors, which stop the build earlier.
    site.write("content/2026-11-27.txt", "Title only\n");
    let err = fails(&site, &["content/2026-11-27.txt:"]);
    assert!(err.starts_with(warning), "{err}");
}

#[test]
fn an_undefined_variable_in_a_template() {
    let site = built_site();
    site.write(
        "themes/mine/templates/paper.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>\n{{ paper.no_such_field.x }}\n{% endblock %}\n",
    );
    site.write(
        "themes/mine/templates/base.html",
        "<!DOCTYPE html>\n{% block content %}{% endblock %}\n",
    );
    for t in ["index", "issue", "archive", "tags", "tag", "404"] {
        site.write(&format!("themes/mine/templates/{t}.html"), "<!DOCTYPE html>\n");
    }
    site.write("paperboy.toml", "theme = \"mine\"\n");
    fails(
        &site,
        &[
            "themes/mine/templates/paper.html:4:",
            "no_such_field",
            "rendering papers/good-paper/",
            "fix the template",
        ],
    );
    // A word the interface words lack is added in the config: the error says so, without
    // listing the hundred words there are.
    site.write(
        "themes/mine/templates/paper.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ t.my_word }}</p>\n{% endblock %}\n",
    );
    let err = fails(
        &site,
        &[
            "themes/mine/templates/paper.html:3: the interface words `t` have no `my_word`",
            "under [translations] in paperboy.toml",
        ],
    );
    assert!(err.len() < 600, "{err}");
    // A message that leaves out what it is about quotes the template's expression.
    site.write(
        "themes/mine/templates/paper.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ paper.comment | upper }}</p>\n{% endblock %}\n",
    );
    fails(
        &site,
        &[
            "themes/mine/templates/paper.html:3:",
            "expected `string`",
            "(in `paper.comment | upper`), rendering papers/good-paper/",
        ],
    );
    site.write(
        "templates/index.html",
        "{% extends \"base.html\" %}\n{% block content %}{{ paper | nofilter }}{% endblock %}\n",
    );
    site.write("themes/mine/templates/paper.html", "<!DOCTYPE html>\n");
    fails(&site, &["templates/index.html:2: Unknown filter `nofilter`"]);
}

#[test]
fn an_output_folder_that_cannot_be_written() {
    let site = built_site();
    site.write("blocker", "a file where a folder should be");
    let blocked = site.root().join("blocker").join("public");
    let out = site.run(&["build", "--output", blocked.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("blocker") && err.contains(" — "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let file_out = site.root().join("blocker");
    let out = site.run(&["build", "--output", file_out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("blocker: is a file, not a folder — move it away"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&file_out).unwrap(),
        "a file where a folder should be"
    );
}

/// Kills builds at many points of their run: `public/` is always either the complete old site
/// or the complete new one, never a mix, and the next build succeeds.
#[test]
fn a_killed_build_never_leaves_half_a_site() {
    let site = TestSite::new();
    let day = |d: usize, n: usize, word: &str| {
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&format!("{word} paper {d} {i}\n{}\n", abstract_text(word)));
        }
        text
    };
    for d in 1..=20 {
        site.write(&format!("content/2026-10-{d:02}.txt"), day(d, 40, "Old"));
    }
    site.build_ok(&[]);
    let old = site.snapshot();
    for d in 1..=20 {
        site.write(&format!("content/2026-10-{d:02}.txt"), day(d, 40, "New"));
    }
    let mut outcomes = (0, 0);
    for delay_ms in [0u64, 5, 10, 20, 40, 80, 120, 200] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_paperboy"))
            .args(["build", "--root"])
            .arg(site.root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        let now = site.snapshot();
        if now == old {
            outcomes.0 += 1;
        } else {
            let new_site = TestSite::new();
            for d in 1..=20 {
                new_site.write(&format!("content/2026-10-{d:02}.txt"), day(d, 40, "New"));
            }
            new_site.build_ok(&[]);
            let fresh = new_site.snapshot();
            assert!(
                now == fresh,
                "killed after {delay_ms} ms: a mixed site; differing files: {:?}",
                differing(&now, &fresh, &old)
            );
            outcomes.1 += 1;
            // Go back to the old site for the next round.
            for d in 1..=20 {
                site.write(&format!("content/2026-10-{d:02}.txt"), day(d, 40, "Old"));
            }
            site.build_ok(&[]);
            assert!(site.snapshot() == old);
            for d in 1..=20 {
                site.write(&format!("content/2026-10-{d:02}.txt"), day(d, 40, "New"));
            }
        }
    }
    eprintln!("kills that left the old site, the new site: {outcomes:?}");
    assert!(
        outcomes.0 > 0,
        "every kill came too late to test anything: {outcomes:?}"
    );
    site.build_ok(&[]);
    assert!(site.snapshot() != old);
}

/// Names of the files where `now` differs from `fresh`, each marked by whether it matches
/// the old site, so a failure says which part of the output was mixed.
fn differing(now: &[(String, Vec<u8>)], fresh: &[(String, Vec<u8>)], old: &[(String, Vec<u8>)]) -> Vec<String> {
    let map = |s: &[(String, Vec<u8>)]| -> std::collections::BTreeMap<String, Vec<u8>> { s.iter().cloned().collect() };
    let (now, fresh, old) = (map(now), map(fresh), map(old));
    let mut names: Vec<&String> = now.keys().chain(fresh.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| now.get(*n) != fresh.get(*n))
        .map(|n| {
            let state = match now.get(n) {
                None => "missing",
                Some(b) if old.get(n) == Some(b) => "old",
                Some(_) => "other",
            };
            format!("{n} ({state})")
        })
        .take(12)
        .collect()
}

#[test]
fn unknown_front_matter_keys_warn_on_their_line() {
    let site = built_site();
    site.write(
        "content/papers/a.md",
        "+++\ntitle = \"T\"\ndate = 2026-11-26\nauthor = \"Me\"\n+++\nBody\n",
    );
    let out = site.run(&["build"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: content/papers/a.md:4: unknown front-matter key `author` is ignored"),
        "{err}"
    );
}

/// A build killed between creating the staging folder and marking it leaves it empty; the
/// next build must adopt it rather than refuse (the kill test above found this).
#[test]
fn an_empty_staging_folder_is_adopted() {
    let site = built_site();
    let _ = std::fs::remove_dir_all(site.root().join(".public.staging"));
    std::fs::create_dir(site.root().join(".public.staging")).unwrap();
    site.build_ok(&[]);
    std::fs::write(site.root().join(".public.staging/foreign.txt"), "x").unwrap();
    std::fs::remove_file(site.root().join(".public.staging/.paperboy-output")).unwrap();
    let err = site.build_err();
    assert!(err.contains("exists but was not made by paperboy"), "{err}");
}

/// Every error names its file the same way, from the site root, wherever the command runs
/// and however `--root` is spelled: content, config and a theme's template alike.
#[test]
fn errors_name_files_from_the_site_root() {
    let site = built_site();
    let parent = site.root().parent().expect("a test site has a parent");
    let name = site.root().file_name().expect("a test site has a name");
    let build = |expected: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_paperboy"))
            .current_dir(parent)
            .arg("build")
            .arg("--root")
            .arg(name)
            .output()
            .expect("run paperboy");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.starts_with(&format!("error: {expected}")), "{err}");
    };
    site.write("content/notes.txt", "Title only\n");
    build("content/notes.txt:1: no date in the file name");
    std::fs::remove_file(site.root().join("content/notes.txt")).unwrap();
    site.write("paperboy.toml", "title = \"T\"\ntitle = \"U\"\n");
    build("paperboy.toml:2: duplicate key");
    site.write("paperboy.toml", "title = \"T\"\ntheme = \"mine\"\n");
    build("paperboy.toml:2: theme `mine` does not exist");
    for t in ["issue", "paper", "archive", "tags", "tag", "404"] {
        site.write(&format!("themes/mine/templates/{t}.html"), "<!DOCTYPE html>\n");
    }
    site.write("themes/mine/templates/index.html", "{{ nope( }}\n");
    build("themes/mine/templates/index.html:1:");
}

/// Mistakes in the command line that the parser cannot see alone are usage errors too: exit
/// status 2, one message, and nothing built or served.
#[test]
fn command_line_mistakes_exit_2() {
    let site = built_site();
    let before = site.snapshot();
    for (args, expected) in [
        (
            &["build", "--base-url", "notaurl"][..],
            "is not an absolute http(s) URL",
        ),
        (&["tags", "--explain"], "--explain needs a paper's slug"),
        (&["tags", "--topics", "nlp"], "--eval"),
        (&["init", "elsewhere"], "not in --root"),
    ] {
        let out = site.run(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: ") && err.contains(expected), "{args:?}: {err}");
    }
    // `serve` into the build's output folder, however it is spelled: refused before it
    // builds or listens (a server that started would be killed, and the test fail).
    let public = site.public();
    for output in [public.clone(), public.join("."), site.root().join("content/../public")] {
        let mut serve = Command::new(env!("CARGO_BIN_EXE_paperboy"))
            .args(["serve", "--port", "0", "-o"])
            .arg(&output)
            .arg("--root")
            .arg(site.root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run paperboy");
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = serve.try_wait().unwrap() {
                break Some(status);
            }
            if started.elapsed() > Duration::from_secs(20) {
                serve.kill().unwrap();
                serve.wait().unwrap();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut serve.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(
            status.and_then(|s| s.code()),
            Some(2),
            "serve -o {}: {err}",
            output.display()
        );
        assert!(err.contains("that is the build's output folder"), "{err}");
    }
    // Said before the site loads: a broken content file is not even read.
    site.write("content/notes.txt", "Title only\n");
    let out = site.run(&["tags", "--explain"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--explain needs a paper's slug") && !err.contains("notes.txt"),
        "{err}"
    );
    std::fs::remove_file(site.root().join("content/notes.txt")).unwrap();
    assert_eq!(site.snapshot(), before, "public/ changed");
    assert!(!site.root().join("elsewhere").exists(), "init wrote a site");
    assert!(!site.root().join(".paperboy").exists(), "serve built a preview");
}
