//! Short forms of long text: excerpts for listings and feeds, and word wrap for plain-text
//! email.

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
    // A whole sentence that ends in the last third reads better than one cut mid-way.
    if let Some(stop) = last_sentence_end(cut, end * 2 / 3) {
        return cut[..stop].to_string();
    }
    let mut cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut,
    };
    // Not "… the existence and importance of…": a cut after a word that leads to the next.
    for _ in 0..3 {
        match cut.rsplit_once(' ') {
            Some((before, last))
                if before.len() > end / 2 && LEADING_WORDS.contains(&last.to_ascii_lowercase().as_str()) =>
            {
                cut = before.trim_end_matches([',', ';', ':', ' ']);
            }
            _ => break,
        }
    }
    let cut = cut.trim_end_matches([',', ';', ':', ' ', '.']);
    let mut out = String::with_capacity(cut.len() + 3);
    out.push_str(cut);
    out.push('…');
    out
}

/// Words that lead into the words after them: an excerpt does not end on one.
const LEADING_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "for", "with", "by", "from", "as", "at", "into",
    "via", "that", "which", "whose", "is", "are", "was", "were", "be", "its", "their", "our", "this", "these", "we",
];

/// The end (after its `.`, `?` or `!`) of the last sentence of `cut` that ends at byte
/// `from` or later, when the next one starts with a capital or a digit; not after an
/// abbreviation ("e.g.", "et al.", "Fig.") or an initial ("J. Smith").
fn last_sentence_end(cut: &str, from: usize) -> Option<usize> {
    let bytes = cut.as_bytes();
    (from.max(1)..bytes.len().saturating_sub(2)).rev().find_map(|i| {
        if !(matches!(bytes[i], b'.' | b'?' | b'!') && bytes[i + 1] == b' ') {
            return None;
        }
        // Both ASCII: `i + 2` starts a character.
        let next = cut[i + 2..].chars().next()?;
        if !(next.is_uppercase() || next.is_ascii_digit()) {
            return None;
        }
        let word = cut[..i].rsplit([' ', '(']).next().unwrap_or_default();
        let abbreviation = bytes[i] == b'.'
            && (word.chars().count() <= 1
                || word.contains('.')
                || [
                    "al", "vs", "Fig", "Figs", "Eq", "Eqs", "etc", "cf", "resp", "approx", "Sec", "No",
                ]
                .contains(&word));
        (!abbreviation).then_some(i + 1)
    })
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

/// [`wrap`] for a list, written `open` + items joined by ", " + `close`: lines break between
/// items, never inside one (a tag's name, an author's), unless an item alone is wider than a
/// line. "[Diffusion & Generative Models, 3D Vision & Neural" then "Rendering]" read as
/// two tags where there is one.
pub fn wrap_list(items: &[&str], open: &str, close: &str, width: usize) -> Vec<String> {
    let last = items.len().saturating_sub(1);
    let units: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let (before, after) = (if i == 0 { open } else { "" }, if i == last { close } else { "," });
            format!("{before}{item}{after}")
        })
        .collect();
    let chars = |w: &str| w.chars().count();
    let mut words: Vec<&str> = Vec::with_capacity(units.len());
    for unit in &units {
        match chars(unit) <= width {
            true => words.push(unit),
            false => words.extend(unit.split_whitespace()),
        }
    }
    wrap_words(words.into_iter(), chars, width)
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
    fn a_list_wraps_between_its_items() {
        // Real tags of a May 2026 paper, at the width of a two-digit email list.
        let tags = [
            "Diffusion & Generative Models",
            "Computer Vision",
            "3D Vision & Neural Rendering",
        ];
        let lines = wrap_list(&tags, "[", "]", 68);
        assert_eq!(
            lines,
            [
                "[Diffusion & Generative Models, Computer Vision,",
                "3D Vision & Neural Rendering]"
            ]
        );
        assert_eq!(
            wrap(
                "[Diffusion & Generative Models, Computer Vision, 3D Vision & Neural Rendering]",
                68
            )
            .len(),
            2
        );
        // An item wider than a line wraps inside itself, and nothing is lost.
        let long = "word ".repeat(20);
        let lines = wrap_list(&["a", long.trim(), "b"], "", "", 30);
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert_eq!(lines.join(" "), format!("a, {}, b", long.trim()));
    }

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
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("alpha beta gamma delta", 12), "alpha beta…");
        assert_eq!(excerpt("αβγδε ζηθ", 9), "αβγδε ζηθ");
        assert_eq!(excerpt("αβγδε, ζηθικ", 9), "αβγδε…");
    }

    #[test]
    fn excerpts_end_a_sentence_or_on_a_word_that_does_not_lead_on() {
        // Real abstracts of May 2026, at the email's 300 characters.
        let text = "Large language models are increasingly deployed as autonomous agents. We study how they plan over long horizons with tools, and find that most failures come from early commitments. We propose a method that revisits plans, and show that it improves success rates across four benchmarks by a wide margin.";
        assert_eq!(
            excerpt(text, 200),
            "Large language models are increasingly deployed as autonomous agents. We study how they plan over long horizons with tools, and find that most failures come from early commitments."
        );
        let text = "Accurate channel models matter for the design of wireless systems, yet measurements are costly and most simulators rely on ray tracing with simplified propagation models and the existence and importance of diffuse scattering";
        let cut = excerpt(text, 180);
        assert!(cut.ends_with("propagation models…"), "{cut}");
        // An abbreviation or an initial is not a sentence's end.
        let text = "Prior work (e.g. Transformers and RNNs) and results by Smith et al. Show gains on many tasks, and we extend them to graphs with millions of nodes and edges today";
        assert!(excerpt(text, 100).ends_with('…'));
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
