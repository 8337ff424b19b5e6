//! URLs in text: bare URLs become links, link targets that could run script are refused,
//! and what goes into an `href` or a query string is encoded.

use super::escape::escape_into;

/// Plain text into HTML with bare URLs made links (escaped, encoded).
pub fn linkify_into(out: &mut String, text: &str) {
    for (piece, is_url) in split_urls(text) {
        if is_url {
            out.push_str("<a href=\"");
            escape_into(out, &href_encode(piece));
            out.push_str("\">");
            escape_into(out, piece);
            out.push_str("</a>");
        } else {
            escape_into(out, piece);
        }
    }
}

/// Splits text into `(piece, is_url)`. Scraped LaTeX leaves `\href{url}{url}` as
/// `url{url}`, so a URL also ends at a brace.
pub fn split_urls(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    for span in url_finder().spans(text) {
        let s = span.as_str();
        if span.kind().is_none() {
            out.push((s, false));
            continue;
        }
        // A word run into a URL ("available athttps://github.com/…", as a real abstract
        // has it) is not its scheme: the link starts at `http`.
        if let Some(at) = s.find("://")
            && let Some(scheme) = ["https", "http"].iter().find(|x| at > x.len() && s[..at].ends_with(*x))
        {
            let cut = at - scheme.len();
            out.push((&s[..cut], false));
            out.extend(split_urls(&s[cut..]));
            continue;
        }
        match s.find(['{', '}']) {
            Some(cut) if cut > 0 => {
                let (url, rest) = s.split_at(cut);
                out.push((url, true));
                // `\href{url}{url}` that lost its command: the label says the URL again.
                let rest = rest
                    .strip_prefix('{')
                    .and_then(|r| r.strip_prefix(url))
                    .and_then(|r| r.strip_prefix('}'))
                    .unwrap_or(rest);
                out.extend(split_urls(rest));
            }
            _ => out.push((s, true)),
        }
    }
    out
}

/// Percent-encodes the characters that URLs may not carry raw (spaces, quotes, braces,
/// non-ASCII), so that `href` values stay valid.
pub fn href_encode(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Whether `text` holds a URL with a scheme: most text has none and is copied as it is.
pub fn has_url(text: &str) -> bool {
    url_finder().links(text).next().is_some()
}

fn url_finder() -> linkify::LinkFinder {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    finder.url_must_have_scheme(true);
    finder
}

/// Link targets that cannot run script: web, mail, and relative links.
pub fn is_safe_url(url: &str) -> bool {
    let lower: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            // A colon after a path separator is part of a relative path, not a scheme.
            if lower[..colon].contains(['/', '?', '#']) {
                return true;
            }
            matches!(&lower[..colon], "http" | "https" | "mailto")
        }
    }
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
