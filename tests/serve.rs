//! `paperboy serve` end to end: the real binary on a free port, real HTTP, real file edits.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::*;

struct Server {
    child: Child,
    addr: String,
    base: String,
    log: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(site: &TestSite) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args(["serve", "--port", "0", "--root"])
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
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(line) = log.recv_timeout(Duration::from_millis(100)) {
            if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                let rest = url.trim_start_matches("http://");
                let (addr, path) = rest.split_at(rest.find('/').unwrap());
                return Server {
                    child,
                    addr: addr.to_string(),
                    base: path.to_string(),
                    log,
                };
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("serve did not report its address");
}

/// A raw HTTP/1.1 GET, so that paths are sent exactly as written (`..` included).
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
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

/// Polls until `check` holds for the page at `path`, or fails after a while.
fn wait_for(server: &Server, path: &str, what: &str, check: impl Fn(u16, &str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, body) = get(&server.addr, path);
        if check(status, &body) {
            return;
        }
        if Instant::now() > deadline {
            let log: Vec<String> = server.log.try_iter().collect();
            panic!("{what}: {path} answered {status}\nserver log:\n{}", log.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Server-sent events, line by line.
fn events(server: &Server) -> Receiver<String> {
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    write!(
        stream,
        "GET /__paperboy/events HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    )
    .unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn expect_event(rx: &Receiver<String>, event: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            if line == format!("event: {event}") {
                return rx.recv_timeout(Duration::from_secs(5)).unwrap_or_default();
            }
        }
    }
    panic!("no `{event}` event");
}

fn sample_site() -> TestSite {
    let site = TestSite::new();
    site.write(
        "content/2026-11-26.txt",
        format!(
            "Alpha Paper\n{}\nBeta Paper\n{}",
            abstract_text("alpha"),
            abstract_text("beta")
        ),
    );
    site.write(
        "content/papers/g.md",
        md_paper("Gamma Paper", "2026-11-26", &["Robotics"], "Original gamma body."),
    );
    site
}

#[test]
fn edits_are_served_without_a_restart_and_pages_are_told_to_reload() {
    let site = sample_site();
    let server = start(&site);
    let (status, home) = get(&server.addr, "/");
    assert_eq!(status, 200);
    assert!(
        home.contains("/__paperboy/livereload.js"),
        "served pages get the reload script"
    );
    assert!(
        !std::fs::read_to_string(site.root().join(".paperboy/serve/index.html"))
            .unwrap()
            .contains("livereload"),
        "the built files never do"
    );
    let sse = events(&server);
    expect_event(&sse, "ok");

    site.write(
        "content/papers/g.md",
        md_paper("Gamma Paper", "2026-11-26", &["Robotics"], "Edited gamma body."),
    );
    wait_for(&server, "/papers/gamma-paper/", "edit", |s, b| {
        s == 200 && b.contains("Edited gamma body.")
    });
    expect_event(&sse, "reload");

    site.write(
        "content/papers/d.md",
        md_paper("Delta Paper", "2026-11-27", &[], "Delta body."),
    );
    wait_for(&server, "/papers/delta-paper/", "add", |s, _| s == 200);
    wait_for(&server, "/issues/2026-11-27/", "new issue", |s, b| {
        s == 200 && b.contains("Delta Paper")
    });

    std::fs::rename(
        site.root().join("content/papers/d.md"),
        site.root().join("content/papers/delta.md"),
    )
    .unwrap();
    site.write(
        "content/papers/delta.md",
        md_paper("Delta Renamed", "2026-11-27", &[], "Delta body."),
    );
    wait_for(&server, "/papers/delta-renamed/", "rename", |s, _| s == 200);
    wait_for(&server, "/papers/delta-paper/", "old slug gone", |s, b| {
        s == 404 && b.contains("Page not found")
    });

    std::fs::remove_file(site.root().join("content/papers/delta.md")).unwrap();
    wait_for(&server, "/papers/delta-renamed/", "delete", |s, _| s == 404);
    wait_for(&server, "/issues/2026-11-27/", "empty issue gone", |s, _| s == 404);
}

#[test]
fn a_broken_edit_shows_an_error_and_the_next_good_save_recovers() {
    let site = sample_site();
    let server = start(&site);
    let sse = events(&server);
    expect_event(&sse, "ok");

    site.write(
        "content/2026-11-26.txt",
        format!("Alpha Paper\n{}\nDangling Title", abstract_text("alpha")),
    );
    let message = expect_event(&sse, "build-error");
    assert!(message.contains("content/2026-11-26.txt:3:"), "{message}");
    let (status, body) = get(&server.addr, "/papers/beta-paper/");
    assert!(
        status == 200 && body.contains("Beta Paper"),
        "the last good site is still served"
    );

    // A page opened now learns about the error at once.
    let late = events(&server);
    assert!(expect_event(&late, "build-error").contains("Dangling Title"));

    site.write(
        "content/2026-11-26.txt",
        format!(
            "Alpha Paper\n{}\nFixed Paper\n{}",
            abstract_text("alpha"),
            abstract_text("f")
        ),
    );
    expect_event(&sse, "reload");
    wait_for(&server, "/papers/fixed-paper/", "fix", |s, _| s == 200);
}

#[test]
fn nothing_outside_the_output_folder_is_reachable() {
    let site = sample_site();
    site.write("secret.txt", "top secret");
    let server = start(&site);
    wait_for(&server, "/", "start", |s, _| s == 200);
    // The preview links to 127.0.0.1: it is built beside public/, never into it.
    assert!(!site.public().exists(), "serve wrote into public/");
    let served = site.root().join(".paperboy/serve");
    std::os::unix::fs::symlink(site.root().join("secret.txt"), served.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(site.root(), served.join("up")).unwrap();
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/papers/../../secret.txt",
        "/..%2fsecret.txt",
        "/leak.txt",
        "/up/secret.txt",
        "//etc/passwd",
        "/%5c..%5csecret.txt",
    ] {
        let (status, body) = get(&server.addr, path);
        assert!(status == 403 || status == 404, "{path} answered {status}");
        assert!(!body.contains("top secret"), "{path} leaked the file");
    }
    // A malformed request does not stop the server.
    let mut raw = TcpStream::connect(&server.addr).unwrap();
    raw.write_all(b"\x00\x01GARBAGE \xff\r\n\r\n").unwrap();
    drop(raw);
    assert_eq!(get(&server.addr, "/").0, 200);
    let (status, _) = get(&server.addr, "/style.css");
    assert_eq!(status, 200);
}

#[test]
fn a_base_url_path_is_honoured_and_ctrl_c_stops_cleanly() {
    let site = sample_site();
    site.write("paperboy.toml", "base_url = \"https://example.org/digest/\"\n");
    let mut server = start(&site);
    assert_eq!(server.base, "/digest/");
    let (status, body) = get(&server.addr, "/digest/");
    assert_eq!(status, 200);
    assert!(body.contains("href=\"/digest/papers/alpha-paper/\""));
    assert_eq!(get(&server.addr, "/digest/papers/alpha-paper/").0, 200);
    assert_eq!(get(&server.addr, "/papers/alpha-paper/").0, 404);
    let feed = get(&server.addr, "/digest/atom.xml").1;
    assert!(
        feed.contains(&format!("http://{}/digest/papers/alpha-paper/", server.addr)),
        "feeds point at the local server"
    );

    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "serve exited with {status}");
            break;
        }
        assert!(Instant::now() < deadline, "serve did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    }
}
