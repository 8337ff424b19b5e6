//! Escaping and cleaning untrusted text: titles, abstracts, authors and tags come from
//! scrapers and must never break out of an element, an attribute or a feed.

/// Escapes text for HTML element content and attribute values alike.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(&mut out, text);
    out
}

/// Plain text as one HTML paragraph: what most abstracts render to, so that a paper keeps
/// its abstract's HTML only when it differs from this (formulas, links, emphasis).
pub fn paragraph_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 7);
    out.push_str("<p>");
    escape_into(&mut out, text);
    out.push_str("</p>");
    out
}

/// [`escape_html`] into an existing buffer, so that page writers append without a copy.
pub fn escape_into(out: &mut String, text: &str) {
    // Runs of ordinary characters are copied whole: most of an abstract needs no escape, and
    // a table says which bytes need a second look (6% of a clean build's CPU went to a
    // test of every byte by kind).
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let Some(at) = bytes[i..].iter().position(|&b| LOOK[b as usize]) else {
            break;
        };
        i += at;
        let (replacement, len) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&#39;", 1),
            0..0x20 | 0x7f => ("", 1),
            _ => {
                let c = text[i..].chars().next().expect("a lead byte is a char boundary");
                if !is_forbidden_char(c) {
                    i += c.len_utf8();
                    continue;
                }
                ("", c.len_utf8())
            }
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        i += len;
        start = i;
    }
    out.push_str(&text[start..]);
}

/// The bytes [`escape_into`] stops at: the five it escapes, the C0 controls but tab and
/// newlines, DEL, and the lead bytes of the only characters beyond ASCII that
/// [`is_forbidden_char`] can refuse (C1 controls start with `C2`, noncharacters with `EF`
/// or `F0`–`F4`).
static LOOK: [bool; 256] = {
    let mut look = [false; 256];
    let mut b = 0;
    while b < 256 {
        look[b] = matches!(
            b as u8,
            b'&' | b'<' | b'>' | b'"' | b'\'' | 0x7f | 0xc2 | 0xef | 0xf0..=0xf4
        ) || (b < 0x20 && !matches!(b as u8, b'\t' | b'\n' | b'\r'));
        b += 1;
    }
    look
};

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
        && memchr::memmem::find(bytes, b"  ").is_none();
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

#[cfg(test)]
mod tests {
    #[test]
    fn plain_text_is_one_escaped_paragraph() {
        assert_eq!(
            super::paragraph_html("a < b & \"c\""),
            "<p>a &lt; b &amp; &quot;c&quot;</p>"
        );
    }

    use super::*;

    #[test]
    fn escaping_keeps_the_text_between_replacements() {
        assert_eq!(
            escape_html("é<b x=\"1\">&'\u{0}ü"),
            "é&lt;b x=&quot;1&quot;&gt;&amp;&#39;ü"
        );
        assert_eq!(escape_html("plain"), "plain");
    }

    /// What [`escape_into`] must do, a character at a time.
    fn escape_by_char(text: &str) -> String {
        text.chars()
            .map(|c| match c {
                '&' => "&amp;".to_string(),
                '<' => "&lt;".to_string(),
                '>' => "&gt;".to_string(),
                '"' => "&quot;".to_string(),
                '\'' => "&#39;".to_string(),
                c if is_forbidden_char(c) => String::new(),
                c => c.to_string(),
            })
            .collect()
    }

    #[test]
    fn the_byte_table_stops_at_every_character_that_needs_it() {
        let ranges = [
            0..0x800,
            0xd7f0..0xd800,
            0xe000..0xe010,
            0xfdc0..0xfe10,
            0xfff0..0x1_0000,
            0x1_fff0..0x2_0010,
            0x10_fff0..0x11_0000,
        ];
        let chars: Vec<char> = ranges.into_iter().flatten().filter_map(char::from_u32).collect();
        for c in &chars {
            for text in [c.to_string(), format!("ab{c}cd{c}"), format!("{c}é&")] {
                assert_eq!(escape_html(&text), escape_by_char(&text), "U+{:04X}", *c as u32);
            }
        }
        let all: String = chars.iter().collect();
        assert_eq!(escape_html(&all), escape_by_char(&all));
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
}
