//! `paperboy serve` end to end: the real binary on a free port, real HTTP, real file edits.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::*;

struct Server {
    child: Child,
    addr: String,
    base: String,
    /// The folder the preview is built in, as the server said.
    output: PathBuf,
    log: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(site: &TestSite) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paperboy"));
    command.args(["serve", "--port", "0", "--root"]).arg(site.root());
    start_command(command)
}

/// `paperboy serve` with at most `files` open file descriptors.
fn start_with_fd_limit(site: &TestSite, files: u32) -> Server {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -n {files} && exec \"$0\" serve --port 0 --root \"$1\""))
        .arg(env!("CARGO_BIN_EXE_paperboy"))
        .arg(site.root());
    start_command(command)
}

fn start_command(mut command: Command) -> Server {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
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
            if let Some((output, url)) = line.strip_prefix("Serving ").and_then(|l| l.split_once(" at http://")) {
                let url = url.split_whitespace().next().unwrap();
                let (addr, path) = url.split_at(url.find('/').unwrap());
                return Server {
                    child,
                    addr: addr.to_string(),
                    base: path.to_string(),
                    output: PathBuf::from(output),
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

/// A raw request (`head` is the request line and headers, without the blank line); the
/// status, the response's headers (lower-case names) and its body.
fn request(addr: &str, head: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "{head}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let headers = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, headers, response[split + 4..].to_vec())
}

/// A response header's value.
fn header(headers: &str, name: &str) -> Option<String> {
    headers
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_string))
}

/// Stops the server with Ctrl-C (SIGINT) and checks that it exits cleanly within `limit`.
fn stop(server: &mut Server, limit: Duration) {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "serve exited with {status}");
            return;
        }
        assert!(Instant::now() < deadline, "serve did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    }
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
    site.write("content/2026-11-26.txt", digest(&["Alpha Paper", "Beta Paper"]));
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
fn a_first_build_that_fails_shows_its_error_not_a_blank_page() {
    let site = sample_site();
    site.write("paperboy.toml", "titel = \"Typo\"\n");
    site.write("content/2026-11-27.txt", "Dangling Title\n");
    let server = start(&site);
    // Every page, and the 404 page, is one that carries the live-reload script: it shows
    // the error over the page and reloads once a save builds.
    for path in ["/", "/papers/alpha-paper/", "/no-such-page"] {
        let (status, body) = get(&server.addr, path);
        assert_eq!(status, 404, "{path}");
        assert!(
            body.contains("Nothing is built yet") && body.contains("/__paperboy/livereload.js"),
            "{path}: {body}"
        );
    }
    let sse = events(&server);
    assert!(expect_event(&sse, "build-error").contains("content/2026-11-27.txt:1:"));
    std::fs::remove_file(site.root().join("content/2026-11-27.txt")).unwrap();
    expect_event(&sse, "reload");
    wait_for(&server, "/papers/alpha-paper/", "the fix", |s, _| s == 200);
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_still_being_written_is_not_built_half_written() {
    // A program that truncates a file, then takes its time writing it (a crawler, an editor
    // on a slow disk): the server waits for the close, not for a pause in the events.
    let site = sample_site();
    let server = start(&site);
    let sse = events(&server);
    expect_event(&sse, "ok");
    let mut file = std::fs::File::create(site.root().join("content/2026-11-26.txt")).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    write!(file, "Alpha Paper\n{}\n", abstract_text("alpha")).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    write!(file, "Slow Paper\n{}", abstract_text("slow")).unwrap();
    drop(file);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let line = sse
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("no `reload` event");
        assert_ne!(line, "event: build-error", "built the file before it was written");
        if line == "event: reload" {
            break;
        }
    }
    wait_for(&server, "/papers/slow-paper/", "slow write", |s, _| s == 200);
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

    stop(&mut server, Duration::from_secs(10));
}

/// Case 10: a client that sent half a request line held its connection for over 70 s, and
/// Ctrl-C waited for it. Headers must now arrive within seconds, and a shutdown does not
/// wait for stuck clients.
#[test]
fn slow_and_stuck_clients_neither_hold_the_server_nor_its_shutdown() {
    let site = sample_site();
    let mut server = start(&site);
    let slow: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"GET / HT").unwrap();
            s
        })
        .collect();
    assert_eq!(get(&server.addr, "/").0, 200, "others are served meanwhile");
    for mut s in slow {
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let started = Instant::now();
        let mut buf = [0; 64];
        let n = s.read(&mut buf).unwrap_or(0);
        assert!(
            started.elapsed() < Duration::from_secs(50),
            "the server closed a half request ({n} bytes back)"
        );
    }
    let _stuck: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"GET / HT").unwrap();
            s
        })
        .collect();
    let _events = events(&server);
    stop(&mut server, Duration::from_secs(20));
}

/// Case 10: 370 stuck sockets under `ulimit -n 256` stopped the server answering. With at
/// most half its file descriptors for connections, it answers again as soon as the stuck
/// ones time out, and never runs out.
#[test]
fn a_connection_cap_keeps_the_server_answering_when_descriptors_are_few() {
    let site = sample_site();
    let server = start_with_fd_limit(&site, 64);
    let _stuck: Vec<TcpStream> = (0..100)
        .filter_map(|_| {
            let mut s = TcpStream::connect(&server.addr).ok()?;
            let _ = s.write_all(b"GET / HT");
            Some(s)
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answered = TcpStream::connect(&server.addr).is_ok_and(|mut s| {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(s, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            let mut head = [0; 12];
            s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
        });
        if answered {
            break;
        }
        assert!(Instant::now() < deadline, "the server stopped answering");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Case 11: a base path with a segment starting with `:` or `*` made `serve` panic, and a
/// non-ASCII one gave 404 for everything. Any path `build` accepts is served.
#[test]
fn every_base_url_path_that_builds_is_served() {
    for (path, encoded) in [("/:x/", "/:x/"), ("/*y/", "/*y/"), ("/über/", "/%C3%BCber/")] {
        let site = sample_site();
        site.write("paperboy.toml", format!("base_url = \"https://example.org{path}\"\n"));
        let server = start(&site);
        let (status, home) = get(&server.addr, &server.base);
        assert_eq!(status, 200, "{path}: its home page");
        let paper = format!("{}papers/alpha-paper/", server.base);
        assert!(
            home.contains(&format!("href=\"{paper}\"")) || home.contains("papers/alpha-paper/"),
            "{path}"
        );
        assert_eq!(get(&server.addr, &paper).0, 200, "{path}: a page");
        let (status, headers, _) = request(&server.addr, &format!("GET / HTTP/1.1\r\nHost: {}", server.addr));
        assert_eq!(status, 307, "{path}: / redirects to the base path");
        let location = header(&headers, "location").unwrap_or_default();
        assert!(
            location.eq_ignore_ascii_case(encoded) || location == path,
            "{path}: {location}"
        );
        let (status, headers, _) = request(
            &server.addr,
            &format!("GET {} HTTP/1.1\r\nHost: localhost", paper.trim_end_matches('/')),
        );
        assert_eq!(status, 307, "{path}: a folder without its slash redirects");
        assert!(
            header(&headers, "location")
                .unwrap_or_default()
                .ends_with("papers/alpha-paper/"),
            "{headers}"
        );
    }
}

/// Case 12: `HEAD /` gave the script's length, and a range of a page was cut from the page
/// with the script in it and a wrong `Content-Range`. Pages are now sent whole, with the
/// length of what is sent; other files keep their ranges.
#[test]
fn head_and_range_tell_the_truth_about_pages() {
    let site = sample_site();
    let server = start(&site);
    let host = format!("Host: {}", server.addr);
    let (status, get_headers, page) = request(&server.addr, &format!("GET / HTTP/1.1\r\n{host}"));
    assert_eq!(status, 200);
    let (status, head_headers, body) = request(&server.addr, &format!("HEAD / HTTP/1.1\r\n{host}"));
    assert_eq!(status, 200);
    assert!(body.is_empty());
    let sent = page.len().to_string();
    assert_eq!(
        header(&head_headers, "content-length").as_deref(),
        Some(sent.as_str()),
        "{head_headers}"
    );
    assert_eq!(header(&get_headers, "content-length").as_deref(), Some(sent.as_str()));
    assert!(String::from_utf8_lossy(&page).contains("/__paperboy/livereload.js"));
    let (status, headers, ranged) = request(&server.addr, &format!("GET / HTTP/1.1\r\n{host}\r\nRange: bytes=0-99"));
    assert_eq!(
        (status, ranged.len()),
        (200, page.len()),
        "a page is sent whole: {headers}"
    );
    assert!(header(&headers, "accept-ranges").is_none());
    let (status, _, css) = request(
        &server.addr,
        &format!("GET /style.css HTTP/1.1\r\n{host}\r\nRange: bytes=0-9"),
    );
    assert_eq!((status, css.len()), (206, 10), "other files keep their ranges");
}

/// Case 13: a page over 64 MB, and any path segment of 256 bytes or more, gave 500.
#[test]
fn huge_pages_stream_and_unrepresentable_paths_are_not_found() {
    let site = sample_site();
    let server = start(&site);
    let long = format!("/{}/", "a".repeat(300));
    for path in [long.as_str(), "/%ff%fe/", "/papers/%C3/"] {
        let (status, body) = get(&server.addr, path);
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("Page not found"), "{path}: the 404 page");
    }
    let big = 65 * 1024 * 1024 + 7;
    let mut html = b"<!DOCTYPE html><html><body>".to_vec();
    html.resize(big - b"</body></html>".len(), b'x');
    html.extend_from_slice(b"</body></html>");
    std::fs::write(server.output.join("big.html"), &html).unwrap();
    let (status, headers, body) = request(
        &server.addr,
        &format!("GET /big.html HTTP/1.1\r\nHost: {}", server.addr),
    );
    assert_eq!(status, 200);
    assert!(
        body.len() > big && body.starts_with(b"<!DOCTYPE html>"),
        "{} bytes",
        body.len()
    );
    assert_eq!(header(&headers, "content-length"), Some(body.len().to_string()));
}

/// Case 14: any `Host` was served, event stream included, so a page on a rebound DNS name
/// could read the preview. Only names no other site can have are answered.
#[test]
fn requests_for_other_hosts_are_refused() {
    let site = sample_site();
    let server = start(&site);
    let port = server.addr.rsplit(':').next().unwrap();
    for path in ["/", "/papers/alpha-paper/", "/__paperboy/events", "/style.css"] {
        for host in [
            "attacker.example",
            &format!("attacker.example:{port}"),
            "localhost.attacker.example",
        ] {
            let (status, _, body) = request(&server.addr, &format!("GET {path} HTTP/1.1\r\nHost: {host}"));
            assert_eq!(status, 403, "{host}{path}");
            assert!(!String::from_utf8_lossy(&body).contains("Alpha"), "{host}{path}");
        }
    }
    for host in [
        format!("localhost:{port}"),
        server.addr.clone(),
        format!("127.0.0.2:{port}"),
    ] {
        let (status, _, _) = request(&server.addr, &format!("GET / HTTP/1.1\r\nHost: {host}"));
        assert_eq!(status, 200, "{host}");
    }
}

/// Resident and peak memory of a process, in kB, from `/proc`.
fn memory_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        let line = status.lines().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Case 15: serve kept the memory of its first build and of every connection burst for as
/// long as it ran. Now idle memory is handed back: resident memory falls well below the
/// build's peak, and a burst of requests does not leave it higher.
#[test]
fn memory_is_handed_back_after_the_build_and_after_bursts() {
    let site = TestSite::new();
    for d in 1..=10 {
        let mut day = String::new();
        for i in 0..200 {
            day.push_str(&format!(
                "Paper {d} {i} on topic {}\nWe study problem {i} of day {d} with method {}. {}\n",
                i % 37,
                i * d % 53,
                abstract_text(&format!("subject {}", (i * 7 + d) % 101))
            ));
        }
        site.write(&format!("content/2026-10-{d:02}.txt"), day);
    }
    let server = start(&site);
    let pid = server.child.id();
    let settled = |what: &str, limit: &dyn Fn(u64, u64) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (rss, peak) = memory_kb(pid);
            if limit(rss, peak) {
                return rss;
            }
            assert!(Instant::now() < deadline, "{what}: {rss} kB resident, peak {peak} kB");
            std::thread::sleep(Duration::from_millis(250));
        }
    };
    let idle = settled("after the first build", &|rss, peak| rss * 10 <= peak * 8);
    let pages: Vec<String> = (0..200)
        .map(|i| format!("/papers/paper-1-{i}-on-topic-{}/", i % 37))
        .collect();
    assert_eq!(get(&server.addr, &pages[5]).0, 200, "the burst asks for real pages");
    for _ in 0..3 {
        let workers: Vec<_> = pages
            .chunks(10)
            .map(|chunk| {
                let (addr, chunk) = (server.addr.clone(), chunk.to_vec());
                std::thread::spawn(move || {
                    for path in &chunk {
                        assert_eq!(get(&addr, path).0, 200, "{path}");
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
    }
    // A burst leaves the runtime's threads some memory: +3 to +12 MB over idle at this
    // size, measured 10 times, even with every tokio worker collecting whenever it parks;
    // the old bound (a tenth + 4 MB) failed two clean CI runs. What must not come back is
    // a burst kept whole on top of a build kept whole: the check above, and this bound.
    settled("after three bursts of 200 requests", &|rss, _| {
        rss <= idle + idle / 4 + 4096
    });
}
