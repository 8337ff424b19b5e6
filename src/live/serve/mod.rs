//! `paperboy serve`: builds, serves the output over HTTP, rebuilds on every change, and
//! tells open browser tabs to reload (server-sent events). Files are served by tower-http's
//! `ServeDir`; around it, a guard keeps every request inside the output folder (no `..`, no
//! symlinks pointing out), and HTML responses get a small live-reload script.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
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
    base_path: String,
}

/// Builds, serves and watches until Ctrl-C.
pub fn serve(options: ServeOptions) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(options))
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
        Err(e) => report_error(&crate::error::error_lines(&e), &error),
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
        base_path: base_path.clone(),
    };
    let app = router(state, &root, &base_path);

    let watch_root = options.root.clone();
    let watch_tx = tx.clone();
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
                report_error(&text, &error);
                let _ = watch_tx.send(Message::BuildError(text));
            }
        });
        if let Err(e) = result {
            eprintln!("error: the watcher stopped: {e:#}");
        }
    });

    let _ = warm_rx.recv();
    let url = format!("http://{addr}{base_path}");
    println!("Serving {} at {url} (Ctrl-C to stop)", output.display());
    if options.open {
        let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
        let _ = std::process::Command::new(opener).arg(&url).spawn();
    }

    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            println!("Stopping.");
            // Event streams never end by themselves; ending them lets the server stop.
            let _ = tx.send(Message::Shutdown);
        })
        .await
        .context("the server stopped")?;
    Ok(())
}

fn report_error(text: &str, error: &Mutex<Option<String>>) {
    for line in text.lines() {
        eprintln!("error: {line}");
    }
    eprintln!("(serving the last good build until the next good save)");
    *error.lock().expect("not poisoned") = Some(text.to_string());
}

/// The routes: live-reload endpoints, then the output folder under the base path.
fn router(state: AppState, root: &Path, base_path: &str) -> Router {
    let files = ServeDir::new(root)
        .append_index_html_on_directories(true)
        .not_found_service(ServeFile::new(root.join("404.html")));
    let mut app = Router::new()
        .route(EVENTS_PATH, get(events))
        .route(SCRIPT_PATH, get(script));
    if base_path == "/" {
        app = app.fallback_service(files);
    } else {
        let prefix = base_path.trim_end_matches('/').to_string();
        let target = base_path.to_string();
        app = app
            .nest_service(&prefix, files)
            .route("/", get(move || async move { Redirect::temporary(&target) }))
            .fallback_service(
                ServeDir::new(root.join("404.html")).not_found_service(ServeFile::new(root.join("404.html"))),
            );
    }
    app.layer(middleware::from_fn_with_state(state.clone(), inject_script))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Refuses requests that would leave the output folder: `..` (plain or percent-encoded),
/// backslashes, NUL, and paths whose real location (after symlinks) is outside it.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let raw = request.uri().path();
    if raw.starts_with("/__paperboy/") {
        return next.run(request).await;
    }
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    let inside = decoded
        .strip_prefix(state.base_path.trim_end_matches('/'))
        .unwrap_or(&decoded);
    let mut path = state.root.clone();
    for segment in inside.split('/') {
        match segment {
            "" | "." => {}
            ".." => return StatusCode::FORBIDDEN.into_response(),
            s if s.contains(['\\', '\0']) => return StatusCode::FORBIDDEN.into_response(),
            s => path.push(s),
        }
    }
    if let Ok(real) = path.canonicalize() {
        if !real.starts_with(&state.root) {
            return StatusCode::FORBIDDEN.into_response();
        }
    }
    next.run(request).await
}

/// Adds the live-reload script to HTML responses, and tells browsers not to cache.
async fn inject_script(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let tag = format!("<script src=\"{SCRIPT_PATH}\" defer></script>");
    let mut html = String::from_utf8_lossy(&bytes).into_owned();
    match html.rfind("</body>") {
        Some(i) => html.insert_str(i, &tag),
        None => html.push_str(&tag),
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
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
