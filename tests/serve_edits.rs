//! `paperboy serve` and `paperboy watch` end to end on edits `tests/serve.rs` does not make:
//! a site theme under `themes/`, a template override under `templates/`, and `paperboy.toml`;
//! and `paperboy watch` itself. The real binary, real HTTP, real file edits, each written as
//! editors do (a new file renamed over the old), never truncated in place, so the watcher can
//! never see a half-written file.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::*;

/// How long a rebuild may take before the test gives up: far beyond any real rebuild, so a
/// busy CI machine cannot fail it; no assertion is about speed.
const PATIENCE: Duration = Duration::from_secs(60);

struct Running {
    child: Child,
    log: Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `paperboy ARGS --root ROOT` and waits for a log line holding `ready`; returns the
/// lines logged until then, that one last.
fn spawn(site: &TestSite, args: &[&str], ready: &str) -> (Running, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args(args)
        .arg("--root")
        .arg(site.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, log) = channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = log.recv_timeout(Duration::from_millis(100)) {
            let done = line.contains(ready);
            seen.push(line);
            if done {
                return (Running { child, log }, seen);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("`{}` never printed {ready:?}:\n{}", args.join(" "), seen.join("\n"));
}

/// Writes `text` to `rel` the way editors save: a temporary file beside it, renamed over it.
fn save(site: &TestSite, rel: &str, text: &str) {
    let path = site.root().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let tmp = path.with_file_name(format!(".{}.saving", path.file_name().unwrap().to_string_lossy()));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

/// A raw HTTP/1.1 GET: (status, body).
fn get(addr: &str, path: &str) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return (0, String::new());
    };
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Polls `probe` until it returns true; fails with the process's log after [`PATIENCE`].
fn until(running: &Running, what: &str, probe: impl Fn() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !probe() {
        if Instant::now() > deadline {
            let log: Vec<String> = running.log.try_iter().collect();
            panic!("{what}: not seen\nlog:\n{}", log.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Copies the repository's default theme into the site as `themes/mine/`.
fn copy_default_theme(site: &TestSite) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    for entry in walkdir::WalkDir::new(&from).into_iter().map(|e| e.unwrap()) {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&from).unwrap();
            site.write(
                &format!("themes/mine/{}", rel.display()),
                std::fs::read(entry.path()).unwrap(),
            );
        }
    }
}

fn small_site() -> TestSite {
    let site = TestSite::new();
    site.write("content/2026-11-26.txt", digest(&["Alpha Paper", "Beta Paper"]));
    site
}

#[test]
fn serve_rebuilds_on_edits_to_the_theme_the_templates_and_the_config() {
    let site = small_site();
    copy_default_theme(&site);
    site.write("paperboy.toml", "theme = \"mine\"\ntitle = \"First Title\"\n");
    let (server, lines) = spawn(&site, &["serve", "--port", "0"], "http://");
    let url = lines
        .last()
        .unwrap()
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap();
    let rest = url.trim_start_matches("http://");
    let (addr, base) = rest.split_at(rest.find('/').unwrap());
    let page = |rel: &str| get(addr, &format!("{base}{rel}"));
    assert!(page("").1.contains("First Title"), "the site is served");
    assert!(!page("style.css").1.contains("/* edited theme */"));

    // themes/: the site theme's stylesheet and one of its templates.
    let css = std::fs::read_to_string(site.root().join("themes/mine/static/style.css")).unwrap();
    save(
        &site,
        "themes/mine/static/style.css",
        &format!("{css}\n/* edited theme */\n"),
    );
    until(&server, "the theme's edited stylesheet", || {
        page("style.css").1.contains("/* edited theme */")
    });
    let paper = std::fs::read_to_string(site.root().join("themes/mine/templates/paper.html")).unwrap();
    assert!(paper.contains("</h1>"), "the paper template has a heading");
    save(
        &site,
        "themes/mine/templates/paper.html",
        &paper.replacen("</h1>", "</h1><p class=\"edited-theme\">edited</p>", 1),
    );
    until(&server, "the theme's edited paper template", || {
        page("papers/alpha-paper/").1.contains("edited-theme")
    });

    // templates/: an override of one template, then its removal.
    save(
        &site,
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Lost in an override</h1>{% endblock content %}",
    );
    until(&server, "the overriding 404 template", || {
        page("404.html").1.contains("Lost in an override")
    });

    // paperboy.toml: the title everywhere, and a change of theme back to the built-in one.
    save(&site, "paperboy.toml", "theme = \"mine\"\ntitle = \"Second Title\"\n");
    until(&server, "the edited config's title", || {
        page("").1.contains("Second Title")
    });
    assert!(page("papers/alpha-paper/").1.contains("Second Title"));
    save(&site, "paperboy.toml", "title = \"Second Title\"\n");
    until(&server, "the built-in theme again", || {
        let (status, body) = page("papers/alpha-paper/");
        status == 200 && body.contains("Second Title") && !body.contains("edited-theme")
    });
    assert!(!page("style.css").1.contains("/* edited theme */"));
    // The preview never touched public/.
    assert!(!site.public().exists(), "serve wrote into public/");
}

#[test]
fn watch_rebuilds_public_on_every_save() {
    let site = small_site();
    let (watching, lines) = spawn(&site, &["watch"], "watching for changes");
    assert!(lines.last().unwrap().contains("Built 2 papers"), "{lines:?}");
    assert!(site.read("papers/alpha-paper/index.html").contains("Alpha Paper"));

    // A content edit: a paper added to the digest.
    save(
        &site,
        "content/2026-11-26.txt",
        &digest(&["Alpha Paper", "Beta Paper", "Gamma Paper"]),
    );
    until(&watching, "the added paper's page", || {
        site.public().join("papers/gamma-paper/index.html").exists()
    });
    // A config edit.
    save(&site, "paperboy.toml", "title = \"Watched Title\"\n");
    until(&watching, "the config's title", || {
        std::fs::read_to_string(site.public().join("index.html")).is_ok_and(|h| h.contains("Watched Title"))
    });
    // The watched output equals a clean build of the same files.
    let clean = TestSite::new();
    clean.write("paperboy.toml", "title = \"Watched Title\"\n");
    clean.write(
        "content/2026-11-26.txt",
        std::fs::read(site.root().join("content/2026-11-26.txt")).unwrap(),
    );
    clean.build_ok(&[]);
    // Let any rebuild still under way finish: the log's last line is a rebuild's.
    until(&watching, "a rebuild logged for the config", || {
        site.snapshot() == clean.snapshot()
    });
    // A bad edit is reported with its file and line, and the site stays as it was.
    let before = site.snapshot();
    save(&site, "content/2026-11-26.txt", "Dangling title\n");
    until(&watching, "an error naming the file", || {
        watching
            .log
            .try_iter()
            .any(|l| l.starts_with("error:") && l.contains("2026-11-26.txt:"))
    });
    assert!(site.snapshot() == before, "a failed rebuild left public/ as it was");
}

/// README: "Binding anything but loopback prints a warning".
#[test]
fn serve_warns_when_bound_beyond_loopback_and_only_then() {
    let site = small_site();
    let (wide, lines) = spawn(
        &site,
        &["serve", "--port", "0", "--bind", "0.0.0.0"],
        "WARNING: serving on 0.0.0.0",
    );
    let line = lines.last().unwrap();
    assert!(
        line.contains("--bind 127.0.0.1"),
        "the warning says how to keep it local: {line}"
    );
    drop(wide);
    // On loopback: the server starts (its address printed, after any warning: both go out
    // before it listens) and no warning came first.
    let (_local, lines) = spawn(&site, &["serve", "--port", "0"], "http://");
    assert!(!lines.iter().any(|l| l.contains("WARNING")), "{lines:?}");
}
