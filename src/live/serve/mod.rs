//! `paperboy serve`: builds into a preview folder of its own ([`SERVE_DIR`]), serves it over
//! HTTP, rebuilds on every change, and tells open browser tabs to reload (server-sent
//! events). The preview is built for the address it is served on, so it never goes to the
//! site's `public/`, which stays what `paperboy build` wrote and safe to deploy.
//!
//! The server answers only requests addressed to it by a name that cannot be rebound (an IP
//! address, `localhost`, or this machine's name when bound beyond loopback), so that a web
//! page whose DNS name is made to point at 127.0.0.1 cannot read the preview.

mod files;
mod listen;

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast;
use tower_http::services::{ServeDir, ServeFile};

use super::rebuild::LiveSite;
use super::watch::{self, Outcome};
use crate::config::Overrides;

const EVENTS_PATH: &str = "/__paperboy/events";
const SCRIPT_PATH: &str = "/__paperboy/livereload.js";
const SCRIPT: &str = include_str!("livereload.js");

/// Where `serve` builds unless told otherwise: not `public/`, because the preview links to
/// `127.0.0.1`, and a `public/` left so by a preview would deploy a site that links to
/// localhost (`hugo server` keeps its preview in memory for the same reason).
pub const SERVE_DIR: &str = ".paperboy/serve";

/// What `paperboy serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Site root.
    pub root: PathBuf,
    /// Output folder (default: `root/.paperboy/serve`, see [`SERVE_DIR`]).
    pub output: Option<PathBuf>,
    /// Address to listen on; loopback unless the user insists.
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Open the site in a browser once it is served.
    pub open: bool,
    /// What the command line says over `paperboy.toml`; without a `--base-url`, links
    /// point at the address served.
    pub overrides: Overrides,
}

/// A message to every open page.
#[derive(Debug, Clone)]
enum Message {
    Reload,
    BuildError(String),
    Shutdown,
}

#[derive(Clone)]
struct AppState {
    tx: broadcast::Sender<Message>,
    /// The current build error, shown to pages that connect while the site is broken.
    error: Arc<Mutex<Option<String>>>,
    /// Canonical output folder, for the containment check.
    root: PathBuf,
    /// The decoded base path, with its trailing slash.
    base_path: String,
    /// The output folder's files.
    files: ServeDir<tower_http::set_status::SetStatus<ServeFile>>,
    /// Host names requests may carry besides IP addresses and `localhost`.
    hosts: Arc<Vec<String>>,
}

/// Builds, serves and watches until Ctrl-C (or SIGTERM).
pub fn serve(options: ServeOptions) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(run(options));
    // Blocking file reads of clients that are gone are not waited for.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    result
}

async fn run(options: ServeOptions) -> Result<()> {
    if !options.bind.is_loopback() {
        eprintln!(
            "WARNING: serving on {} — anyone who can reach this machine can read the site. Use --bind 127.0.0.1 to keep it local.",
            options.bind
        );
    }
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(options.bind, options.port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}:{} — pick another --port",
                options.bind, options.port
            )
        })?;
    let addr = listener.local_addr()?;
    // Pages link root-relative under the base path, and feeds absolutely: build for the
    // address actually served, keeping the configured path.
    let base_path = crate::config::Config::load_with(&options.root, &options.overrides)
        .map(|(c, _)| c.base_path())
        .unwrap_or_else(|_| "/".into());
    let output = options.output.clone().unwrap_or_else(|| options.root.join(SERVE_DIR));
    let watching = watch::watch(&options.root)?;
    // The path as configured, so that the preview's links read as the built site's do; the
    // address printed and redirected to is the same path as a valid URL.
    let served_base = files::encode_path(&percent_decoded(&base_path));
    let base_url = (options.overrides.base_url.clone()).unwrap_or_else(|| format!("http://{addr}{base_path}"));
    let overrides = Overrides {
        base_url: Some(base_url),
        ..options.overrides.clone()
    };
    let mut live = LiveSite::new(&options.root, &output, overrides);
    let error = Arc::new(Mutex::new(None));
    match live.rebuild_all() {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            println!("Built {} papers in {} ms", report.papers, report.elapsed.as_millis());
        }
        Err(e) => {
            for w in crate::error::warnings_before(&e) {
                eprintln!("warning: {w}");
            }
            report_error(&crate::error::error_lines(&e), &error, &output)
        }
    }
    std::fs::create_dir_all(&output).with_context(|| format!("cannot create {}", output.display()))?;
    let root = output
        .canonicalize()
        .with_context(|| format!("cannot open {}", output.display()))?;
    let (tx, _) = broadcast::channel(64);
    let state = AppState {
        tx: tx.clone(),
        error: error.clone(),
        root: root.clone(),
        base_path: percent_decoded(&base_path),
        files: ServeDir::new(&root)
            .append_index_html_on_directories(true)
            .redirect_path_prefix(served_base.trim_end_matches('/'))
            .not_found_service(ServeFile::new(root.join("404.html"))),
        hosts: Arc::new(allowed_hosts(options.bind)),
    };
    let app = router(state);

    let watch_root = options.root.clone();
    let watch_tx = tx.clone();
    let watch_output = output.clone();
    let (warm_tx, warm_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // On the thread that rebuilds, whose allocator keeps what it frees; and before
        // saying it serves, as a save made right away would wait for it.
        live.warm_up();
        let _ = warm_tx.send(());
        let result = watch::run(&mut live, &watch_root, watching, |outcome| match outcome {
            Outcome::Rebuilt(report, changed) => {
                println!("{}", watch::describe(&report, &changed, &watch_root));
                *error.lock().expect("not poisoned") = None;
                let _ = watch_tx.send(Message::Reload);
            }
            Outcome::Failed(text) => {
                report_error(&text, &error, &watch_output);
                let _ = watch_tx.send(Message::BuildError(text));
            }
        });
        if let Err(e) = result {
            eprintln!("error: the watcher stopped: {e:#}");
        }
    });

    let _ = warm_rx.recv();
    let url = format!("http://{addr}{served_base}");
    println!("Serving {} at {url} (Ctrl-C to stop)", output.display());
    if options.open {
        let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
        let _ = std::process::Command::new(opener).arg(&url).spawn();
    }

    listen::serve_connections(listener, app, async move {
        stop_signal().await;
        println!("Stopping.");
        // Event streams never end by themselves; ending them lets the connections close.
        let _ = tx.send(Message::Shutdown);
    })
    .await;
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn stop_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

fn percent_decoded(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

/// Logs a failed build and keeps its text for the pages' overlay. `output` says whether
/// there is a good build to keep serving.
fn report_error(text: &str, error: &Mutex<Option<String>>, output: &Path) {
    for line in text.lines() {
        eprintln!("error: {line}");
    }
    if output.join("index.html").is_file() {
        eprintln!("(serving the last good build until the next good save)");
    } else {
        eprintln!("(nothing is built yet: the preview shows this error until a save builds)");
    }
    *error.lock().expect("not poisoned") = Some(text.to_string());
}

/// The routes: live-reload endpoints, then the output folder under the base path.
fn router(state: AppState) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .route(SCRIPT_PATH, get(script))
        .fallback(files::site_files)
        .layer(middleware::from_fn(no_store))
        .layer(middleware::from_fn_with_state(state.clone(), check_host))
        .with_state(state)
}

/// Host names that requests may carry besides IP addresses and `localhost`: this
/// machine's name when the server listens beyond loopback (`--bind 0.0.0.0`).
fn allowed_hosts(bind: IpAddr) -> Vec<String> {
    if bind.is_loopback() {
        return Vec::new();
    }
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let name = name.trim().to_ascii_lowercase();
    if name.is_empty() {
        Vec::new()
    } else {
        vec![format!("{name}.local"), name]
    }
}

/// Whether a `Host` header names this server in a way no other site can: an IP address
/// (a page can only have one as its origin when it is really served from there),
/// `localhost` and its subdomains (always loopback), or a name in `extra`.
fn host_allowed(host: &str, extra: &[String]) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => return v6.split(']').next().is_some_and(|a| a.parse::<IpAddr>().is_ok()),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.parse::<IpAddr>().is_ok() || name == "localhost" || name.ends_with(".localhost") || extra.contains(&name)
}

/// Refuses requests whose `Host` could belong to another site (DNS rebinding): 403.
async fn check_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("\u{0}"));
    match host {
        Some(host) if !host_allowed(host, &state.hosts) => (
            StatusCode::FORBIDDEN,
            "paperboy serve answers only to IP addresses and localhost — open the address it printed\n",
        )
            .into_response(),
        _ => next.run(request).await,
    }
}

/// Tells browsers not to cache: every response may change with the next save.
async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}

/// Server-sent events: `reload` after a good rebuild, `build-error` with the messages after
/// a failed one (also sent on connect while the site is broken), `ok` on connect otherwise.
async fn events(State(state): State<AppState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let first = match state.error.lock().expect("not poisoned").clone() {
        Some(text) => Event::default().event("build-error").data(text),
        None => Event::default().event("ok").data("ok"),
    };
    let rx = state.tx.subscribe();
    let updates = stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(Message::Reload) => return Some((Ok(Event::default().event("reload").data("reload")), rx)),
                Ok(Message::BuildError(text)) => {
                    return Some((Ok(Event::default().event("build-error").data(text)), rx));
                }
                Ok(Message::Shutdown) | Err(broadcast::error::RecvError::Closed) => return None,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
            }
        }
    });
    Sse::new(stream::once(async move { Ok(first) }).chain(updates)).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_no_other_site_can_have_are_let_in() {
        let extra = vec!["box".to_string()];
        for ok in [
            "127.0.0.1:1111",
            "localhost:80",
            "LOCALHOST",
            "a.localhost:9",
            "[::1]:1111",
            "10.0.0.2",
            "box:1",
        ] {
            assert!(host_allowed(ok, &extra), "{ok}");
        }
        for bad in [
            "attacker.example",
            "attacker.example:1111",
            "localhost.attacker.example",
            "[evil]:1",
            "box",
        ] {
            assert!(!host_allowed(bad, &[]), "{bad}");
        }
    }
}
