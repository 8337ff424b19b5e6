//! Abstracts → safe HTML. Titles and abstracts are untrusted: plain text is escaped, and
//! Markdown may not smuggle raw HTML or script URLs into a page or a feed.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// Escapes text for HTML element content and attribute values alike.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(&mut out, text);
    out
}

pub fn escape_into(out: &mut String, text: &str) {
    // Runs of ordinary characters are copied whole: most of an abstract needs no escape.
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        let (replacement, len) = if b.is_ascii() {
            match b {
                b'&' => ("&amp;", 1),
                b'<' => ("&lt;", 1),
                b'>' => ("&gt;", 1),
                b'"' => ("&quot;", 1),
                b'\'' => ("&#39;", 1),
                b'\t' | b'\n' | b'\r' => {
                    i += 1;
                    continue;
                }
                0..0x20 | 0x7f => ("", 1),
                _ => {
                    i += 1;
                    continue;
                }
            }
        } else {
            let c = text[i..].chars().next().expect("at a char boundary");
            if !is_forbidden_char(c) {
                i += c.len_utf8();
                continue;
            }
            ("", c.len_utf8())
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        i += len;
        start = i;
    }
    out.push_str(&text[start..]);
}

/// Characters that XML 1.0 forbids (C0 controls but tab and newlines) or that HTML calls parse
/// errors (C1 controls, noncharacters); scraped text sometimes carries them.
pub fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{fdd0}'..='\u{fdef}')
        || (c as u32) & 0xfffe == 0xfffe
}

/// One line of plain text: the characters that would make a feed or page invalid removed,
/// and every run of whitespace (line breaks too) folded into one space, with none at the
/// ends. One pass, as it runs on every title and abstract of every build.
pub fn clean_line(text: &str) -> String {
    // Most lines are clean already: printable ASCII, single spaces, none at the ends.
    let bytes = text.as_bytes();
    let clean = bytes.iter().all(|b| (0x20..=0x7e).contains(b))
        && bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && !text.contains("  ");
    if clean {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    let mut rest = text;
    while !rest.is_empty() {
        // Printable ASCII but the space needs no check: copied a run at a time.
        let run = rest
            .bytes()
            .position(|b| !(0x21..=0x7e).contains(&b))
            .unwrap_or(rest.len());
        if run > 0 {
            if space {
                out.push(' ');
                space = false;
            }
            out.push_str(&rest[..run]);
            rest = &rest[run..];
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        rest = &rest[c.len_utf8()..];
        // Before the whitespace test: a vertical tab is dropped, not read as a space.
        if c == '\r' || is_forbidden_char(c) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

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
        match s.find(['{', '}']) {
            Some(cut) if cut > 0 => {
                out.push((&s[..cut], true));
                out.extend(split_urls(&s[cut..]));
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

fn url_finder() -> linkify::LinkFinder {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    finder.url_must_have_scheme(true);
    finder
}

/// Link targets that cannot run script: web, mail, and relative links.
fn is_safe_url(url: &str) -> bool {
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

/// A Markdown abstract → (safe HTML, plain text). Raw HTML is shown as text, links with
/// script-capable schemes lose their link, and bare URLs become links.
pub fn markdown_to_html(markdown: &str) -> crate::math::Rendered {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_MATH;
    let mut events: Vec<Event> = Vec::new();
    // Where formulas went, and their source, to write the feed's form afterwards.
    let mut formulas: Vec<(usize, String)> = Vec::new();
    let mut plain = String::new();
    let mut link_depth = 0usize;
    let mut dropped: Vec<bool> = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => {
                plain.push_str(&raw);
                events.push(Event::Text(raw));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let safe = is_safe_url(&dest_url);
                dropped.push(!safe);
                link_depth += 1;
                if safe {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                link_depth = link_depth.saturating_sub(1);
                if !dropped.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) if !is_safe_url(&dest_url) => {
                events.push(Event::Text(CowStr::from(format!("[image: {dest_url}]"))));
                dropped.push(true);
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                dropped.push(false);
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                if !dropped.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Image));
                }
            }
            Event::Text(text) if link_depth == 0 => {
                plain.push_str(&text);
                push_linkified(&mut events, text);
            }
            Event::Text(text) => {
                plain.push_str(&text);
                events.push(Event::Text(text));
            }
            Event::Code(code) => {
                plain.push_str(&code);
                events.push(Event::Code(code));
            }
            Event::InlineMath(latex) => push_formula(&mut events, &mut plain, &mut formulas, &latex, false),
            Event::DisplayMath(latex) => push_formula(&mut events, &mut plain, &mut formulas, &latex, true),
            Event::SoftBreak | Event::HardBreak => {
                plain.push(' ');
                events.push(event);
            }
            Event::End(TagEnd::Paragraph) => {
                plain.push(' ');
                events.push(event);
            }
            other => events.push(other),
        }
    }
    let write = |events: Vec<Event>| {
        let mut html = String::with_capacity(markdown.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        let mut html = if html.chars().any(is_forbidden_char) {
            html.chars().filter(|&c| !is_forbidden_char(c)).collect()
        } else {
            html
        };
        html.truncate(html.trim_end().len());
        html
    };
    let feed_html = (!formulas.is_empty()).then(|| {
        let mut feed = events.clone();
        for (at, src) in &formulas {
            feed[*at] = Event::Text(CowStr::from(src.clone()));
        }
        write(feed)
    });
    crate::math::Rendered {
        html: write(events),
        feed_html,
        text: clean_line(&plain),
    }
}

/// A formula as MathML (or its source, when it does not convert), remembered in `formulas`
/// so that the feed's form can show the source instead.
fn push_formula(
    events: &mut Vec<Event<'_>>,
    plain: &mut String,
    formulas: &mut Vec<(usize, String)>,
    latex: &str,
    display: bool,
) {
    let src = crate::math::source(latex, display);
    plain.push_str(&src);
    let (html, _) = crate::math::formula_html(latex, display);
    formulas.push((events.len(), src));
    events.push(Event::InlineHtml(CowStr::from(html)));
}

fn push_linkified<'a>(events: &mut Vec<Event<'a>>, text: CowStr<'a>) {
    if url_finder().links(&text).next().is_none() {
        events.push(Event::Text(text));
        return;
    }
    for (piece, is_url) in split_urls(&text) {
        let s = piece.to_string();
        if is_url {
            events.push(Event::Start(Tag::Link {
                link_type: pulldown_cmark::LinkType::Autolink,
                dest_url: CowStr::from(href_encode(&s)),
                title: CowStr::from(""),
                id: CowStr::from(""),
            }));
            events.push(Event::Text(CowStr::from(s)));
            events.push(Event::End(TagEnd::Link));
        } else {
            events.push(Event::Text(CowStr::from(s)));
        }
    }
}

/// The longest excerpt any page shows, in characters: the content loader hashes what
/// excerpts up to this long read, once per paper.
pub const EXCERPT_MAX: usize = 300;

/// The part of `text` that [`excerpt`] with at most `max` characters reads: its first
/// `max + 1` characters.
pub fn excerpt_source(text: &str, max: usize) -> &str {
    if text.len() > max + 1 && text.as_bytes()[..=max + 1].is_ascii() {
        return &text[..=max];
    }
    match text.char_indices().nth(max + 1) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// The first sentences of `text`, cut at a word, at most about `max` characters.
pub fn excerpt(text: &str, max: usize) -> String {
    // The `max`th character starts at byte `max` when the text is ASCII that far.
    let end = if text.len() > max && text.as_bytes()[..=max].is_ascii() {
        max
    } else {
        match text.char_indices().nth(max) {
            Some((end, _)) => end,
            None => return text.to_string(),
        }
    };
    let cut = &text[..end];
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut,
    };
    let cut = cut.trim_end_matches([',', ';', ':', ' ', '.']);
    let mut out = String::with_capacity(cut.len() + 3);
    out.push_str(cut);
    out.push('…');
    out
}

/// LaTeX macro names that scraped abstracts hold as plain words (`varepsilon-optimal`,
/// `mathcal{O}`): markup, never vocabulary for search or related papers. Only names that are
/// not also English words (`log`, `text`, `sim` are left alone).
pub const LATEX_MACROS: &[&str] = &[
    "mathcal",
    "mathbb",
    "mathbf",
    "mathrm",
    "mathsf",
    "mathit",
    "mathfrak",
    "mathop",
    "varepsilon",
    "textbf",
    "textit",
    "emph",
    "frac",
    "sqrt",
    "cdot",
    "cdots",
    "ldots",
    "leq",
    "geq",
    "neq",
    "infty",
    "operatorname",
    "widetilde",
    "widehat",
    "overline",
];

/// The words of `text`: maximal runs of letters and digits, in any script. Tagging, related
/// papers and search all split every abstract this way; this reads ASCII a byte at a time
/// instead of decoding and classifying every character.
pub fn words(text: &str) -> Words<'_> {
    Words { text, pos: 0 }
}

/// Iterator of [`words`].
pub struct Words<'a> {
    text: &'a str,
    pos: usize,
}

/// Byte classes for [`Words`]: ASCII letters and digits, other ASCII, and the bytes of
/// non-ASCII characters (classified per character).
const WORD: u8 = 1;
const NOT_WORD: u8 = 0;
const NON_ASCII: u8 = 2;
static BYTE_CLASS: [u8; 256] = {
    let mut table = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = if (b as u8).is_ascii_alphanumeric() {
            WORD
        } else {
            NOT_WORD
        };
        b += 1;
    }
    table
};

impl Words<'_> {
    /// Moves past characters while `in_word(c) == want`.
    fn skip(&mut self, want: bool) {
        let bytes = self.text.as_bytes();
        let class = if want { WORD } else { NOT_WORD };
        let mut pos = self.pos;
        loop {
            while pos < bytes.len() && BYTE_CLASS[bytes[pos] as usize] == class {
                pos += 1;
            }
            if pos == bytes.len() || BYTE_CLASS[bytes[pos] as usize] != NON_ASCII {
                break;
            }
            let c = self.text[pos..].chars().next().expect("at a char boundary");
            if c.is_alphanumeric() != want {
                break;
            }
            pos += c.len_utf8();
        }
        self.pos = pos;
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        self.skip(false);
        let start = self.pos;
        self.skip(true);
        (self.pos > start).then(|| &self.text[start..self.pos])
    }
}

/// `word` lower-cased: `word` itself when it is lower-case already, as nearly every word
/// is, else its lower-case form written into `buf` (ASCII without going through
/// `char::to_lowercase`). The lexicon lower-cases every distinct word this way.
#[inline]
pub fn lowercased<'a>(word: &'a str, buf: &'a mut String) -> &'a str {
    if word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        return word;
    }
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(word.chars().flat_map(char::to_lowercase));
    }
    buf
}

/// Greedy word wrap for plain-text email: lines of at most `width` characters, except a
/// single word longer than that (a URL), which keeps its own line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    // Nearly all text is ASCII: split on bytes and count bytes, with the same notion of
    // whitespace as `split_whitespace` (ASCII's part of Unicode White_Space).
    if text.is_ascii() {
        let bytes = text.as_bytes();
        let space = |b: u8| matches!(b, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | b' ');
        let mut at = 0;
        let words = std::iter::from_fn(|| {
            while at < bytes.len() && space(bytes[at]) {
                at += 1;
            }
            let start = at;
            while at < bytes.len() && !space(bytes[at]) {
                at += 1;
            }
            (at > start).then(|| &text[start..at])
        });
        wrap_words(words, str::len, width)
    } else {
        wrap_words(text.split_whitespace(), |w| w.chars().count(), width)
    }
}

fn wrap_words<'t>(words: impl Iterator<Item = &'t str>, chars: impl Fn(&str) -> usize, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::with_capacity(width + 8);
    let mut len = 0;
    for word in words {
        let n = chars(word);
        if len > 0 && len + 1 + n > width {
            lines.push(std::mem::replace(&mut line, String::with_capacity(width + 8)));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += n;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_whole() {
        assert_eq!(wrap("aa bb cc dd", 5), vec!["aa bb", "cc dd"]);
        assert_eq!(
            wrap("x https://example.org/long/url y", 6),
            vec!["x", "https://example.org/long/url", "y"]
        );
        assert!(wrap("  ", 10).is_empty());
        assert_eq!(wrap("αβγ δεζ", 7), vec!["αβγ δεζ"]);
        assert_eq!(
            wrap("a\x0Bb\tc  d", 80),
            vec!["a b c d"],
            "ASCII whitespace as split_whitespace"
        );
    }

    #[test]
    fn text_is_escaped_and_urls_linked() {
        let html = crate::math::render_plain("Code at https://example.org/x?a=1&b=2. <b>bold</b>", true).html;
        assert_eq!(
            html,
            "<p>Code at <a href=\"https://example.org/x?a=1&amp;b=2\">https://example.org/x?a=1&amp;b=2</a>. &lt;b&gt;bold&lt;/b&gt;</p>"
        );
    }

    #[test]
    fn urls_stop_at_latex_braces() {
        let html = crate::math::render_plain("Code: https://github.com/a/b{https://github.com/a/b}.", true).html;
        assert_eq!(
            html,
            "<p>Code: <a href=\"https://github.com/a/b\">https://github.com/a/b</a>{<a href=\"https://github.com/a/b\">https://github.com/a/b</a>}.</p>"
        );
    }

    #[test]
    fn markdown_cannot_smuggle_html_or_script_urls() {
        let crate::math::Rendered { html, text, .. } = markdown_to_html(
            "Hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b](JaVa\tScript:x) [c](https://ok.org)",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(html.contains("<a href=\"https://ok.org\">c</a>"), "{html}");
        assert!(text.contains("<script>"), "plain text keeps the words: {text}");
    }

    #[test]
    fn markdown_keeps_paragraphs_and_links_bare_urls() {
        let crate::math::Rendered { html, text, .. } = markdown_to_html("One http://a.org/x.\n\nTwo.");
        assert_eq!(
            html,
            "<p>One <a href=\"http://a.org/x\">http://a.org/x</a>.</p>\n<p>Two.</p>"
        );
        assert_eq!(text, "One http://a.org/x. Two.");
    }

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        let text = "  Über-fast, x2 GPU's naïve 東京 ε-net…é ";
        let split: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        assert_eq!(words(text).collect::<Vec<_>>(), split);
        assert_eq!(
            split,
            ["Über", "fast", "x2", "GPU", "s", "naïve", "東京", "ε", "net", "é"]
        );
        assert_eq!(words("").count(), 0);
        assert_eq!(words(" ,. ").count(), 0);
    }

    #[test]
    fn escaping_keeps_the_text_between_replacements() {
        assert_eq!(
            escape_html("é<b x=\"1\">&'\u{0}ü"),
            "é&lt;b x=&quot;1&quot;&gt;&amp;&#39;ü"
        );
        assert_eq!(escape_html("plain"), "plain");
    }

    #[test]
    fn lines_are_cleaned_in_one_pass() {
        assert_eq!(clean_line("  a\tb \n\n c  "), "a b c");
        // Dropped, not read as spaces: carriage returns and forbidden controls.
        assert_eq!(clean_line("ab\rc\u{b}d\u{0}e\u{85}f\u{fffe}"), "abcdef");
        assert_eq!(clean_line("α\u{2003}β\u{a0}γ"), "α β γ");
        assert_eq!(clean_line(""), "");
        assert_eq!(clean_line("clean, as is"), "clean, as is");
        assert_eq!(clean_line("two  spaces "), "two spaces");
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("alpha beta gamma delta", 12), "alpha beta…");
        assert_eq!(excerpt("αβγδε ζηθ", 9), "αβγδε ζηθ");
        assert_eq!(excerpt("αβγδε, ζηθικ", 9), "αβγδε…");
    }

    #[test]
    fn an_excerpt_reads_only_its_source() {
        let texts = [
            "short",
            "alpha beta gamma delta",
            "αβγδε ζηθ",
            "αβγδε, ζηθικ",
            "abcdefghij",
            "abcdefghijk",
            "ab cd ef gh ij kl",
        ];
        for text in texts {
            for max in 0..14 {
                let source = excerpt_source(text, max);
                assert!(text.starts_with(source));
                assert_eq!(excerpt(source, max), excerpt(text, max), "{text:?} {max}");
            }
        }
        assert_eq!(excerpt_source("abcdefghijk", 9), "abcdefghij");
        assert_eq!(excerpt_source("αβγδεζηθικλ", 9), "αβγδεζηθικ");
    }
}
