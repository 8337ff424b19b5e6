//! The site's files over HTTP: a request path is decoded once, checked (no `..`, no
//! backslash or NUL, no name longer than a file system allows, nothing reached through a
//! link that points out of the folder), taken under the base path, and handed to tower-http's
//! `ServeDir`. HTML gets the live-reload script appended as it streams, so that `HEAD` and
//! `Content-Length` tell the size actually sent and a page of any size is served.

use std::path::Path;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::StreamExt;
use futures_util::stream;
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use super::{AppState, SCRIPT_PATH};

/// What a path segment must have percent-encoded (RFC 3986 `pchar` keeps the rest), and
/// every byte of a non-ASCII character.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'/');
/// Longest file name most file systems take; a longer segment cannot name a file.
const MAX_NAME: usize = 255;
/// Longest path a request may name.
const MAX_PATH: usize = 4096;

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// A path under the output root (decoded, starting with `/`).
    Inside(String),
    /// The base path without its slash, or `/` under a base path: redirect here.
    Base,
    /// Outside the base path, or naming nothing a file could be: the 404 page.
    Nowhere,
    /// Trying to leave the output folder.
    Refused,
}

/// Where `raw` (a request path as sent) leads under `base` (the decoded base path, with
/// its trailing slash).
fn place(raw: &str, base: &str) -> Place {
    let Ok(decoded) = percent_decode_str(raw).decode_utf8() else {
        return Place::Nowhere;
    };
    if decoded.len() > MAX_PATH {
        return Place::Nowhere;
    }
    for segment in decoded.split('/') {
        if segment == ".." || segment.contains(['\\', '\0']) {
            return Place::Refused;
        }
        if segment.len() > MAX_NAME {
            return Place::Nowhere;
        }
    }
    let prefix = base.trim_end_matches('/');
    if !prefix.is_empty() && (decoded == prefix || decoded == "/") {
        return Place::Base;
    }
    match decoded.strip_prefix(prefix) {
        Some(rest) if rest.starts_with('/') => Place::Inside(rest.to_string()),
        _ => Place::Nowhere,
    }
}

/// `path` (decoded, `/`-separated) percent-encoded for a URI.
pub(super) fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Serves the output folder under the base path.
pub(super) async fn site_files(State(state): State<AppState>, request: Request) -> Response {
    let rest = match place(request.uri().path(), &state.base_path) {
        Place::Inside(rest) => rest,
        Place::Base => return Redirect::temporary(&encode_path(&state.base_path)).into_response(),
        Place::Refused => return StatusCode::FORBIDDEN.into_response(),
        Place::Nowhere => return not_found(&state, request).await,
    };
    if may_be_html(&rest) && !state.root.join("index.html").is_file() {
        return nothing_built(request.method() == Method::HEAD);
    }
    if let Ok(real) = state.root.join(rest.trim_start_matches('/')).canonicalize() {
        if !real.starts_with(&state.root) {
            return StatusCode::FORBIDDEN.into_response();
        }
    }
    let (mut parts, body) = request.into_parts();
    if may_be_html(&rest) {
        // The script changes the bytes sent, so ranges of the file would be wrong.
        parts.headers.remove(header::RANGE);
        parts.headers.remove(header::IF_RANGE);
    }
    let head = parts.method == Method::HEAD;
    parts.uri = match encode_path(&rest).parse() {
        Ok(uri) => uri,
        Err(_) => return not_found(&state, Request::from_parts(parts, body)).await,
    };
    let mut files = state.files.clone();
    match files.try_call(Request::from_parts(parts, body)).await {
        Ok(response) => with_script(response.map(Body::new), head),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The 404 page, with its status.
async fn not_found(state: &AppState, request: Request) -> Response {
    let head = request.method() == Method::HEAD;
    if !state.root.join("404.html").is_file() {
        return nothing_built(head);
    }
    let mut page = tower_http::services::ServeFile::new(state.root.join("404.html"));
    let mut response = match page.try_call(request).await {
        Ok(response) => with_script(response.map(Body::new), head),
        Err(_) => Response::new(Body::empty()),
    };
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// The answer to every page before a first good build (the first build failed): a page
/// whose live-reload script shows the error over it, and reloads when a save builds.
fn nothing_built(head: bool) -> Response {
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>paperboy serve: nothing built yet</title></head><body data-paperboy=\"nothing-built\">\
         <noscript><p>Nothing is built yet: the first build failed. Fix the error the terminal shows and reload.</p></noscript>\
         <script src=\"{SCRIPT_PATH}\" defer></script></body></html>"
    );
    let mut response = (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        if head { String::new() } else { page },
    )
        .into_response();
    if head {
        response.headers_mut().remove(header::CONTENT_LENGTH);
    }
    response
}

/// Whether a request path may be answered with HTML: a folder (its `index.html`), an
/// `.html` file, or a name without an extension.
fn may_be_html(rest: &str) -> bool {
    let name = rest.rsplit('/').next().unwrap_or("");
    match Path::new(name).extension() {
        None => true,
        Some(ext) => ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm"),
    }
}

/// Appends the live-reload script to an HTML response as it streams, with a length that
/// says so; `HEAD` gets the same headers and no body.
fn with_script(response: Response, head: bool) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html || response.status() == StatusCode::NOT_MODIFIED {
        return response;
    }
    let tag = format!("<script src=\"{SCRIPT_PATH}\" defer></script>");
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(header::ACCEPT_RANGES);
    parts.headers.remove(header::ETAG);
    let length = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    match length {
        Some(n) => {
            let total = HeaderValue::from(n + tag.len() as u64);
            parts.headers.insert(header::CONTENT_LENGTH, total);
        }
        None => {
            parts.headers.remove(header::CONTENT_LENGTH);
        }
    }
    if head {
        return Response::from_parts(parts, Body::empty());
    }
    // After `</html>`, browsers put a script at the end of the body.
    let tail = stream::once(async move { Ok(axum::body::Bytes::from(tag)) });
    let body = Body::from_stream(body.into_data_stream().chain(tail));
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_placed_under_the_base_path() {
        assert_eq!(place("/papers/x/", "/"), Place::Inside("/papers/x/".into()));
        assert_eq!(place("/%C3%BCber/a/", "/über/"), Place::Inside("/a/".into()));
        assert_eq!(place("/über", "/über/"), Place::Base);
        assert_eq!(place("/", "/:x/"), Place::Base);
        assert_eq!(place("/other/", "/digest/"), Place::Nowhere);
        assert_eq!(place("/digestx/", "/digest/"), Place::Nowhere);
        assert_eq!(place("/a/%2e%2e/b", "/"), Place::Refused);
        assert_eq!(place("/a%5cb", "/"), Place::Refused);
        assert_eq!(place(&format!("/{}", "a".repeat(256)), "/"), Place::Nowhere);
        assert_eq!(place("/%ff/", "/"), Place::Nowhere);
        assert_eq!(encode_path("/über/a b/"), "/%C3%BCber/a%20b/");
    }
}
