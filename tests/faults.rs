//! The fault suite of issue 21: what real deployments, editors and machines do to a build,
//! each reproduced on real files with the real binary (or the library, for watch mode).
//! Cases that need a file system of their own (a mount point, a full disk) mount a small
//! tmpfs when the tests run as root, as CI does, and say they are skipped otherwise.
//! The server's faults are in `tests/serve.rs`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use common::*;
use paperboy::live::LiveSite;

/// `days` digests of `per_day` papers whose titles start with `word`.
fn write_days(site: &TestSite, days: usize, per_day: usize, word: &str) {
    for d in 1..=days {
        let mut text = String::new();
        for i in 0..per_day {
            text.push_str(&format!("{word} paper {d} {i}\n{}\n", abstract_text(word)));
        }
        site.write(&format!("content/2026-10-{d:02}.txt"), text);
    }
}

/// What a clean build of the site's `content/` and `paperboy.toml` writes.
fn clean_build_of(site: &TestSite) -> Vec<(String, Vec<u8>)> {
    let clean = TestSite::new();
    for entry in walkdir::WalkDir::new(site.root().join("content"))
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(site.root()).unwrap();
            clean.write(rel.to_str().unwrap(), std::fs::read(entry.path()).unwrap());
        }
    }
    if let Ok(config) = std::fs::read(site.root().join("paperboy.toml")) {
        clean.write("paperboy.toml", config);
    }
    clean.build_ok(&[]);
    clean.snapshot()
}

fn paperboy(args: &[&str], root: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paperboy"));
    cmd.args(args).arg("--root").arg(root);
    cmd
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// One line on stderr, `error: ` then `expected` in it, exit status 1.
fn one_line_error(out: &Output, expected: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains(expected) && err.contains(" — "),
        "{err}"
    );
    err
}

/// Whether the tests run as root, who can mount a tmpfs.
fn is_root() -> bool {
    // SAFETY: `geteuid` has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A tmpfs of `size` mounted at `dir`, unmounted on drop; `None` (with a note) when this
/// process cannot mount.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        if !is_root() {
            eprintln!("skipped: mounting a tmpfs needs root (CI runs as root)");
            return None;
        }
        std::fs::create_dir_all(dir).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mount -t tmpfs failed here");
            return None;
        }
        Some(Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Case 1: two builds of changed content at once used to leave the old site, a mix, or an
/// error about the staging folder. Now the second waits for the first: both succeed and
/// the output is one whole site, the one a clean build gives.
#[test]
fn two_builds_at_once_leave_one_whole_site() {
    let site = TestSite::new();
    for round in 0..4 {
        let word = if round % 2 == 0 { "New" } else { "Old" };
        write_days(&site, 12, 30, word);
        let builds: Vec<Child> = (0..2)
            .map(|_| {
                paperboy(&["build"], site.root())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for build in builds {
            let out = build.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        assert!(
            site.snapshot() == clean_build_of(&site),
            "round {round} (the first on an empty folder): not the site of a clean build"
        );
        assert!(site.public().join("index.html").exists());
    }
}

/// A folder held by watch mode is refused at once, naming the process; once that process
/// is killed (no chance to clean up), its lock is free again.
#[test]
fn a_held_output_is_refused_naming_its_holder_and_a_killed_holder_frees_it() {
    let site = TestSite::new();
    write_days(&site, 2, 3, "Held");
    let mut watch = paperboy(&["watch"], site.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(watch.stdout.take().unwrap()));
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("watching for changes"), "{first}");
    let out = site.run(&["build"]);
    one_line_error(&out, &format!("in use by paperboy watch (pid {})", watch.id()));
    watch.kill().unwrap();
    watch.wait().unwrap();
    site.build_ok(&[]);
}

/// Case 2: an output that links to a web root used to be replaced by a folder (the web root
/// went stale), and the build after wrote into the web root in place. Now the web root is
/// staged beside itself and swapped, and the link stays.
#[test]
fn a_symlinked_output_is_swapped_where_it_points_and_stays_a_link() {
    let site = TestSite::new();
    let web = tempfile::tempdir().unwrap();
    let webroot = web.path().join("html");
    std::os::unix::fs::symlink(&webroot, site.public()).unwrap();
    for word in ["First", "Second"] {
        write_days(&site, 2, 3, word);
        site.build_ok(&[]);
        let link = std::fs::symlink_metadata(site.public()).unwrap();
        assert!(link.file_type().is_symlink(), "{word}: public/ is still the link");
        assert!(
            common::snapshot(&webroot) == clean_build_of(&site),
            "{word}: the web root holds the new site"
        );
    }
    assert!(web.path().join(".html.staging").is_dir(), "staged beside the web root");
    assert!(!site.root().join(".public.staging").exists());
    // The swap replaced the web root's folder as a whole: it is not written in place.
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
    let before = inode(&webroot);
    write_days(&site, 2, 3, "Third");
    site.build_ok(&[]);
    assert_ne!(inode(&webroot), before);
}

/// Case 3: a mount point cannot be renamed (`EBUSY`), so every build used to fail. Now it is
/// updated in place through the manifest, with a note that this is not atomic.
#[test]
fn a_mount_point_output_is_updated_in_place_with_a_note() {
    let site = TestSite::new();
    let Some(_mount) = Tmpfs::mount(&site.public(), "64m") else {
        return;
    };
    write_days(&site, 3, 4, "Mounted");
    site.write(
        "content/papers/gone.md",
        md_paper("Gone Soon", "2026-10-01", &[], "Body."),
    );
    let out = site.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("is a mount point") && stderr(&out).contains("not atomic"));
    std::fs::remove_file(site.root().join("content/papers/gone.md")).unwrap();
    write_days(&site, 3, 4, "Remounted");
    site.build_ok(&[]);
    assert!(
        site.snapshot() == clean_build_of(&site),
        "the mount holds exactly the new site"
    );
    let temporaries = walkdir::WalkDir::new(site.public())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".paperboy-new"))
        .count();
    assert_eq!(temporaries, 0);
}

/// Case 4: a full disk used to leave a partial staging folder that kept the disk full, so
/// that even a small site failed next. Now a failed build removes what it staged.
#[test]
fn a_full_disk_is_left_as_it_was_found() {
    let site = TestSite::new();
    let disk = site.root().join("disk");
    let Some(_mount) = Tmpfs::mount(&disk, "3m") else {
        return;
    };
    let output = disk.join("public");
    let output_arg = output.to_str().unwrap();
    write_days(&site, 1, 3, "Small");
    site.build_ok(&["--output", output_arg]);
    let free = || {
        let out = Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(&disk)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse::<i64>()
            .unwrap()
    };
    let (before, small_site) = (free(), common::snapshot(&output));
    write_days(&site, 28, 40, "Large");
    let out = site.run(&["build", "--output", output_arg]);
    one_line_error(&out, "no space left on the device — free some space");
    assert!(
        !disk.join(".public.staging").exists(),
        "the partial staging folder is gone"
    );
    assert!((free() - before).abs() < 64 * 1024, "free space {before} → {}", free());
    assert!(common::snapshot(&output) == small_site, "the live site is untouched");
    for d in 2..=28 {
        std::fs::remove_file(site.root().join(format!("content/2026-10-{d:02}.txt"))).unwrap();
    }
    write_days(&site, 1, 4, "Small");
    site.build_ok(&["--output", output_arg]);
}

/// Case 6: an Emacs lock file (a link to nowhere) used to stop `build`. Editor artefacts are
/// skipped silently, other links to nothing with a warning, in `build` and in watch mode.
#[test]
fn editor_artefacts_are_skipped_and_dangling_links_warned_about() {
    let site = TestSite::new();
    site.write("paperboy.toml", "base_url = \"https://example.org/\"\n");
    write_days(&site, 1, 2, "Edited");
    let content = site.root().join("content");
    std::os::unix::fs::symlink("me@host.4242:1700000000", content.join(".#2026-10-01.txt")).unwrap();
    std::os::unix::fs::symlink("me@host.4242:1700000000", content.join("#2026-10-02.txt#")).unwrap();
    site.write("content/2026-10-01.txt~", "Old Title\nan old backup\n");
    site.write("content/.2026-10-01.txt.swp", b"\x00\x01vim swap".as_slice());
    site.write("content/notes.md.orig", "not content");
    std::os::unix::fs::symlink("moved-away.md", content.join("paper.md")).unwrap();
    let out = site.run(&["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.lines().count(), 1, "one warning, for the real dangling link: {err}");
    assert!(
        err.contains("warning: content/paper.md: a link to moved-away.md, which does not exist — skipped"),
        "{err}"
    );
    let built = site.snapshot();
    let preview = TestSite::new();
    let mut live = LiveSite::new(site.root(), &preview.root().join("out"), Default::default());
    let report = live.rebuild_all().unwrap();
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(
        common::snapshot(&preview.root().join("out")) == built,
        "watch mode reads what build reads"
    );
}

/// Case 7: outputs in odd places. An output inside `content/` was read back as content by
/// the next build; `--output content --force` moved the content aside.
#[test]
fn outputs_in_or_around_the_sources_are_refused() {
    let site = TestSite::new();
    write_days(&site, 1, 2, "Placed");
    let content_before = common::snapshot(&site.root().join("content"));
    for (args, expected) in [
        (vec!["--output", "content/out"], "is inside"),
        (vec!["--output", "content", "--force"], "is inside"),
        (vec!["--output", "."], "holds"),
    ] {
        let mut all = vec!["build"];
        all.extend(args.iter().copied());
        let out = paperboy(&all, site.root()).current_dir(site.root()).output().unwrap();
        one_line_error(&out, expected);
    }
    assert!(common::snapshot(&site.root().join("content")) == content_before);
    assert!(!site.root().join(".content.staging").exists());
}

/// Case 7, config: a theme path, a base URL with a query or fragment, and `feeds.issues = 0`.
#[test]
fn config_values_that_escape_or_mislead_are_refused_and_zero_issues_means_no_issue_feeds() {
    let site = TestSite::new();
    write_days(&site, 2, 2, "Configured");
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("templates")).unwrap();
    for (config, expected) in [
        (
            "title = \"t\"\ntheme = \"../../x\"\n",
            "paperboy.toml:2: theme `../../x` is not a theme name",
        ),
        (
            &format!("theme = \"{}\"\n", outside.path().display()),
            "is not a theme name",
        ),
        (
            "base_url = \"https://example.org/d/?utm=1\"\n",
            "paperboy.toml:1: base_url",
        ),
        (
            "base_url = \"https://example.org/d/#top\"\n",
            "has a query or a fragment",
        ),
    ] {
        site.write("paperboy.toml", config);
        one_line_error(&site.run(&["build"]), expected);
    }
    site.write("paperboy.toml", "title = \"t\"\n");
    // On the command line it is a usage error, said as the parser says its own.
    let out = site.run(&["build", "--base-url", "https://example.org/?x"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: invalid value 'https://example.org/?x' for '--base-url <BASE_URL>': base_url")
            && err.contains("has a query or a fragment"),
        "{err}"
    );
    site.write("paperboy.toml", "[feeds]\nissues = 0\n");
    site.build_ok(&[]);
    assert!(!site.public().join("issues/rss.xml").exists());
    assert!(!site.public().join("issues/atom.xml").exists());
    assert!(
        !site.read("index.html").contains("issues/rss.xml"),
        "no link to a feed that is not there"
    );
    assert!(site.public().join("rss.xml").exists());
}

/// Case 8: `content/` moved away while watching used to publish an empty site. Now it is the
/// error `build` gives, the site stays, and its return rebuilds the site.
#[test]
fn a_vanished_content_folder_is_an_error_and_its_return_recovers() {
    let site = TestSite::new();
    write_days(&site, 3, 3, "Vanishing");
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    live.rebuild_all().unwrap();
    let before = site.snapshot();
    let (content, aside) = (site.root().join("content"), site.root().join("content-aside"));
    std::fs::rename(&content, &aside).unwrap();
    let err = format!("{:#}", live.apply(std::slice::from_ref(&content)).unwrap_err());
    assert!(err.contains("no content folder"), "{err}");
    // The watch holds public/; a build elsewhere says what the watch said.
    let elsewhere = tempfile::tempdir().unwrap();
    let build = site.run(&["build", "--output", elsewhere.path().join("out").to_str().unwrap()]);
    one_line_error(&build, "no content folder");
    assert!(site.snapshot() == before, "the last good site is kept");
    // An edit elsewhere while it is gone changes nothing either.
    site.write("paperboy.toml", "title = \"Still gone\"\n");
    assert!(live.apply(&[site.root().join("paperboy.toml")]).is_err());
    assert!(site.snapshot() == before);
    std::fs::rename(&aside, &content).unwrap();
    write_days(&site, 3, 3, "Returned");
    live.apply(std::slice::from_ref(&content)).unwrap();
    assert!(site.snapshot() == clean_build_of(&site));
}

/// Case 9: a file whose read failed kept its error until it was saved again, whatever else
/// changed. Errors are now recomputed on every rebuild: the failed file is read again.
#[test]
fn a_read_error_is_recomputed_on_the_next_rebuild() {
    let site = TestSite::new();
    write_days(&site, 2, 2, "Read");
    site.write("content/papers/a.md", md_paper("Paper A", "2026-10-01", &[], "Body A."));
    let mut live = LiveSite::new(site.root(), &site.public(), Default::default());
    live.rebuild_all().unwrap();
    let a = site.root().join("content/papers/a.md");
    site.write("content/papers/a.md", b"+++\ntitle = \"caf\xe9\"\n".as_slice());
    assert!(live.apply(std::slice::from_ref(&a)).is_err());
    // The file is right again, but no event says so (as after a failed read, the file
    // itself did not change): the next edit of another file must not repeat the error.
    site.write(
        "content/papers/a.md",
        md_paper("Paper A", "2026-10-01", &[], "Body A again."),
    );
    site.write("content/papers/b.md", md_paper("Paper B", "2026-10-02", &[], "Body B."));
    live.apply(&[site.root().join("content/papers/b.md")]).unwrap();
    assert!(site.snapshot() == clean_build_of(&site));
}

/// Case 5 (file systems without `RENAME_EXCHANGE`) is a unit test in `src/output/staging.rs`,
/// where the swap can be made to fail; here, what it leaves behind in older versions
/// (`.public.old`) is removed by the next build.
#[test]
fn a_leftover_old_folder_is_removed() {
    let site = TestSite::new();
    write_days(&site, 1, 2, "Left");
    site.build_ok(&[]);
    let old = site.root().join(".public.old");
    std::fs::create_dir(&old).unwrap();
    std::fs::write(old.join(".paperboy-output"), "").unwrap();
    std::fs::write(old.join("index.html"), "an old site").unwrap();
    site.build_ok(&[]);
    assert!(!old.exists());
}
