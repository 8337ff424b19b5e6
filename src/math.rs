//! Math in abstracts: `$…$` and `$$…$$` become MathML at build time (no JavaScript, no
//! fonts fetched), and scraped text whose `$` and `\` were lost gets a conservative repair.
//!
//! Pages get MathML; feeds get the LaTeX source as text, since feed readers strip MathML.
//! A formula that does not convert is shown as its source, never dropped.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

use crate::markup;

/// MathML for `latex`, or `None` when it does not parse (the caller shows the source).
pub fn to_mathml(latex: &str, display: bool) -> Option<String> {
    if latex.trim().is_empty() {
        return None;
    }
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(latex, &storage).collect();
    if events.iter().any(Result::is_err) {
        return None;
    }
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        ..RenderConfig::default()
    };
    let mut out = String::new();
    push_mathml(&mut out, events.into_iter(), config).ok()?;
    Some(escape_operators(&out))
}

/// The renderer writes operator characters as they are (`<mo><</mo>`): escape every `<`
/// that does not open one of its tags and every `&` that does not start an entity, and drop
/// characters that HTML forbids.
fn escape_operators(mathml: &str) -> String {
    let mut out = String::with_capacity(mathml.len() + 16);
    for (i, c) in mathml.char_indices() {
        let rest = &mathml[i + c.len_utf8()..];
        match c {
            '<' if !rest.starts_with(|n: char| n.is_ascii_alphabetic() || n == '/') => out.push_str("&lt;"),
            '&' if !is_entity(rest) => out.push_str("&amp;"),
            c if markup::is_forbidden_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

fn is_entity(rest: &str) -> bool {
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !name.is_empty() && rest[name.len()..].starts_with(';')
}

/// A formula for a page: MathML, or its source as code when it does not convert. The flag
/// says whether it converted (only then does the feed need its own form).
pub fn formula_html(latex: &str, display: bool) -> (String, bool) {
    match to_mathml(latex, display) {
        Some(mathml) => (mathml, true),
        None => {
            let mut code = String::from("<code class=\"math-source\">");
            markup::escape_into(&mut code, &source(latex, display));
            code.push_str("</code>");
            (code, false)
        }
    }
}

/// The formula as its author wrote it, delimiters included.
pub fn source(latex: &str, display: bool) -> String {
    if display {
        format!("$${latex}$$")
    } else {
        format!("${latex}$")
    }
}

/// A piece of plain text: prose or a `$`-delimited formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Text outside any formula.
    Text(&'a str),
    /// A formula without its delimiters.
    Math { latex: &'a str, display: bool },
}

/// Splits `$…$` and `$$…$$` out of plain text, with Pandoc's rules so that prices stay text:
/// an opening `$` is followed by a non-space, a closing `$` follows a non-space and is not
/// followed by a digit, and `\$` is a dollar sign.
pub fn split_dollars(text: &str) -> Vec<Segment<'_>> {
    // Most abstracts have no formula at all.
    if !text.contains('$') {
        return if text.is_empty() {
            Vec::new()
        } else {
            vec![Segment::Text(text)]
        };
    }
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let display = bytes.get(i + 1) == Some(&b'$');
        let open = if display { 2 } else { 1 };
        let body = i + open;
        if bytes.get(body).is_none_or(|b| b.is_ascii_whitespace()) {
            i += open;
            continue;
        }
        match find_close(bytes, body, display) {
            Some(end) => {
                if start < i {
                    out.push(Segment::Text(&text[start..i]));
                }
                out.push(Segment::Math {
                    latex: &text[body..end],
                    display,
                });
                i = end + open;
                start = i;
            }
            None => i += open,
        }
    }
    if start < text.len() {
        out.push(Segment::Text(&text[start..]));
    }
    out
}

fn find_close(bytes: &[u8], from: usize, display: bool) -> Option<usize> {
    let mut j = from;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'$' if display => {
                return (bytes.get(j + 1) == Some(&b'$')).then_some(j);
            }
            b'$' => {
                let before_ok = !bytes[j - 1].is_ascii_whitespace();
                let after_ok = !bytes.get(j + 1).is_some_and(u8::is_ascii_digit);
                return (before_ok && after_ok && j > from).then_some(j);
            }
            _ => j += 1,
        }
    }
    None
}

/// An abstract rendered three ways: page HTML, feed HTML (when it differs) and plain text.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// For pages: MathML for formulas.
    pub html: String,
    /// For feeds, when it differs from `html`: formulas as their source.
    pub feed_html: Option<String>,
    /// For excerpts, search and tagging.
    pub text: String,
}

/// A scraped abstract (one paragraph of plain text): formulas to MathML, bare URLs linked,
/// and, with `repair`, lost LaTeX mended where that is unambiguous.
pub fn render_plain(text: &str, repair: bool) -> Rendered {
    let mut html = String::with_capacity(text.len() + 16);
    let mut feed = String::new();
    let mut plain = String::with_capacity(text.len());
    let mut has_math = false;
    html.push_str("<p>");
    for segment in split_dollars(text) {
        match segment {
            Segment::Text(t) => {
                let start = html.len();
                for (piece, is_url) in markup::split_urls(t) {
                    if is_url || !repair {
                        markup::linkify_into(&mut html, piece);
                        plain.push_str(piece);
                    } else {
                        for part in repair_text(piece) {
                            part.push_html(&mut html);
                            part.push_plain(&mut plain);
                        }
                    }
                }
                feed.push_str(&html[start..]);
            }
            Segment::Math { latex, display } => {
                let src = source(latex, display);
                let (page, converted) = formula_html(latex, display);
                has_math |= converted;
                html.push_str(&page);
                markup::escape_into(&mut feed, &src);
                plain.push_str(&src);
            }
        }
    }
    html.push_str("</p>");
    Rendered {
        feed_html: has_math.then(|| format!("<p>{feed}</p>")),
        html,
        text: plain,
    }
}

/// A piece of repaired text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Sup(String),
    Sub(String),
}

impl Part {
    fn push_html(&self, out: &mut String) {
        match self {
            Part::Text(t) => markup::escape_into(out, t),
            Part::Sup(t) => {
                out.push_str("<sup>");
                markup::escape_into(out, t);
                out.push_str("</sup>");
            }
            Part::Sub(t) => {
                out.push_str("<sub>");
                markup::escape_into(out, t);
                out.push_str("</sub>");
            }
        }
    }

    /// Unicode super/subscripts when every character has one, else `^(…)` / `_(…)`.
    fn push_plain(&self, out: &mut String) {
        let (t, table, mark) = match self {
            Part::Text(t) => {
                out.push_str(t);
                return;
            }
            Part::Sup(t) => (t, SUPERSCRIPTS, '^'),
            Part::Sub(t) => (t, SUBSCRIPTS, '_'),
        };
        let mapped: Option<String> = t
            .chars()
            .map(|c| table.iter().find(|(from, _)| *from == c).map(|(_, to)| *to))
            .collect();
        match mapped {
            Some(m) => out.push_str(&m),
            None if t.chars().count() == 1 => {
                out.push(mark);
                out.push_str(t);
            }
            None => {
                out.push(mark);
                out.push('(');
                out.push_str(t);
                out.push(')');
            }
        }
    }
}

const SUPERSCRIPTS: &[(char, char)] = &[
    ('0', '⁰'),
    ('1', '¹'),
    ('2', '²'),
    ('3', '³'),
    ('4', '⁴'),
    ('5', '⁵'),
    ('6', '⁶'),
    ('7', '⁷'),
    ('8', '⁸'),
    ('9', '⁹'),
    ('+', '⁺'),
    ('-', '⁻'),
    ('=', '⁼'),
    ('(', '⁽'),
    (')', '⁾'),
    ('n', 'ⁿ'),
    ('i', 'ⁱ'),
    ('*', '*'),
];
const SUBSCRIPTS: &[(char, char)] = &[
    ('0', '₀'),
    ('1', '₁'),
    ('2', '₂'),
    ('3', '₃'),
    ('4', '₄'),
    ('5', '₅'),
    ('6', '₆'),
    ('7', '₇'),
    ('8', '₈'),
    ('9', '₉'),
    ('+', '₊'),
    ('-', '₋'),
    ('=', '₌'),
    ('(', '₍'),
    (')', '₎'),
    ('a', 'ₐ'),
    ('e', 'ₑ'),
    ('o', 'ₒ'),
    ('x', 'ₓ'),
    ('i', 'ᵢ'),
    ('j', 'ⱼ'),
    ('k', 'ₖ'),
    ('n', 'ₙ'),
    ('t', 'ₜ'),
];

/// Macro names that lost their backslash and are never English words, with what they meant.
const LOST_MACROS: &[(&str, &str)] = &[
    ("varepsilon", "ε"),
    ("vartheta", "ϑ"),
    ("varphi", "φ"),
    ("varrho", "ϱ"),
    ("varsigma", "ς"),
    ("varpi", "ϖ"),
];

/// `mathcal{X}`: the script capitals (several live in the Letterlike Symbols block).
fn script_capital(c: char) -> Option<char> {
    let special = match c {
        'B' => 'ℬ',
        'E' => 'ℰ',
        'F' => 'ℱ',
        'H' => 'ℋ',
        'I' => 'ℐ',
        'L' => 'ℒ',
        'M' => 'ℳ',
        'R' => 'ℛ',
        'A'..='Z' => char::from_u32(0x1D49C + (c as u32 - 'A' as u32))?,
        _ => return None,
    };
    Some(special)
}

/// Mends scraped LaTeX in prose, only where the reading is unambiguous: `varepsilon` → ε,
/// `mathcal{O}` / `mathcal O` → 𝒪, `^{…}` / `_{…}` → super/subscript (and `^2` after a
/// letter, digit or bracket), `sim` before a number → ∼, `times` between numbers → ×,
/// `\%` → %. Unknown words are left alone.
fn repair_text(text: &str) -> Vec<Part> {
    // Most abstracts need nothing. A quick look for what each rule needs to apply, with
    // `sim` and `times` (common inside English words) only at a word's start before a
    // number.
    let at_word_start = |i: usize| !text[..i].chars().next_back().is_some_and(char::is_alphabetic);
    let number_at = |i: usize| {
        let after = text[i..].strip_prefix(' ').unwrap_or(&text[i..]);
        after.starts_with(|c: char| c.is_ascii_digit())
    };
    let before_number = |word: &str| {
        text.match_indices(word)
            .any(|(i, _)| at_word_start(i) && number_at(i + word.len()))
    };
    let may_need = text.contains(['^', '_', '\\'])
        || LOST_MACROS.iter().any(|(name, _)| text.contains(name))
        || text.match_indices("mathcal").any(|(i, _)| at_word_start(i))
        || before_number("sim")
        || before_number("times");
    if !may_need {
        return vec![Part::Text(text.to_string())];
    }
    let mut parts: Vec<Part> = Vec::new();
    let mut plain = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    // Positions are bytes. Every rule starts at an ASCII character, so rules test bytes and
    // decode characters only around a match.
    let char_at = |i: usize| text.get(i..).and_then(|r| r.chars().next());
    let alphabetic_before = |i: usize| match i.checked_sub(1).map(|j| bytes[j]) {
        None => false,
        Some(b) if b.is_ascii() => b.is_ascii_alphabetic(),
        Some(_) => text[..i].chars().next_back().is_some_and(char::is_alphabetic),
    };
    // Every rule below starts at one of these (`mathcal`, `sim` and `times` at a word's start
    // only); the text between is copied a run at a time.
    let starts_rule = |i: usize| match bytes[i] {
        b'\\' | b'v' | b'^' | b'_' => true,
        b'm' | b's' | b't' => !alphabetic_before(i),
        _ => false,
    };
    let mut k = 0;
    while k < bytes.len() {
        if !starts_rule(k) {
            let from = k;
            k += 1;
            while k < bytes.len() && !starts_rule(k) {
                k += 1;
            }
            plain.push_str(&text[from..k]);
            continue;
        }
        let c = bytes[k] as char;
        let rest = &text[k..];
        let word_start = !alphabetic_before(k);
        // `\%`, `\&`, `\#`, `\_`, `\$`: escaped characters.
        if c == '\\' && bytes.get(k + 1).is_some_and(|n| b"%&#_$".contains(n)) {
            plain.push(bytes[k + 1] as char);
            k += 2;
            continue;
        }
        if let Some((name, symbol)) = LOST_MACROS.iter().find(|(name, _)| rest.starts_with(name)) {
            plain.push_str(symbol);
            k += name.len();
            continue;
        }
        if word_start && rest.starts_with("mathcal") {
            let after = k + "mathcal".len();
            let mut next = text[after..].chars();
            let (letter, skip) = match (next.next(), next.next(), next.next()) {
                (Some('{'), Some(l), Some('}')) => (Some(l), 2 + l.len_utf8()),
                (Some(' '), Some(l), next) if !next.is_some_and(char::is_alphanumeric) => (Some(l), 1 + l.len_utf8()),
                _ => (None, 0),
            };
            if let Some(s) = letter.and_then(script_capital) {
                plain.push(s);
                k = after + skip;
                continue;
            }
        }
        if (c == '^' || c == '_') && k > 0 {
            let prev = text[..k].chars().next_back();
            let script = if bytes.get(k + 1) == Some(&b'{') {
                braced(text, k + 1)
            } else if c == '^'
                && prev.is_some_and(|p| p.is_alphanumeric() || p == ')')
                && bytes.get(k + 1).is_some_and(u8::is_ascii_alphanumeric)
            {
                Some((k + 2, (bytes[k + 1] as char).to_string()))
            } else {
                None
            };
            if let Some((end, body)) = script {
                let inner: String = repair_text(&body)
                    .iter()
                    .map(|p| {
                        let mut s = String::new();
                        p.push_plain(&mut s);
                        s
                    })
                    .collect();
                if !plain.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut plain)));
                }
                parts.push(if c == '^' { Part::Sup(inner) } else { Part::Sub(inner) });
                k = end;
                continue;
            }
        }
        if word_start && rest.starts_with("sim") {
            let mut n = k + 3;
            if bytes.get(n) == Some(&b' ') {
                n += 1;
            }
            if bytes.get(n).is_some_and(u8::is_ascii_digit) && !char_at(k + 3).is_some_and(char::is_alphabetic) {
                plain.push('∼');
                k = n;
                continue;
            }
        }
        if word_start && rest.starts_with("times") && !char_at(k + 5).is_some_and(char::is_alphabetic) {
            let digit_before = plain.trim_end().ends_with(|d: char| d.is_ascii_digit());
            let mut n = k + 5;
            if bytes.get(n) == Some(&b' ') {
                n += 1;
            }
            if digit_before && bytes.get(n).is_some_and(u8::is_ascii_digit) {
                let trimmed = plain.trim_end().len();
                plain.truncate(trimmed);
                plain.push('×');
                k = n;
                continue;
            }
        }
        plain.push(c);
        k += 1;
    }
    if !plain.is_empty() {
        parts.push(Part::Text(plain));
    }
    parts
}

/// The body of the braces opening at byte `open`, and the byte after the closing one;
/// `None` when unclosed, empty or longer than 40 characters.
fn braced(text: &str, open: usize) -> Option<(usize, String)> {
    let mut depth = 0;
    let mut body = String::new();
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return (!body.is_empty()).then_some((open + i + 1, body));
                }
            }
            _ => {}
        }
        body.push(c);
        if body.chars().count() > 40 {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(text: &str) -> (String, String) {
        let r = render_plain(text, true);
        (
            r.html.trim_start_matches("<p>").trim_end_matches("</p>").to_string(),
            r.text,
        )
    }

    #[test]
    fn repair_starts_only_at_the_characters_it_skips_to() {
        // `repair_text` passes over every other character unread.
        assert!(LOST_MACROS.iter().all(|(name, _)| name.starts_with('v')));
        assert_eq!(
            repaired("a varepsilon^{2} x_{i} $ \\% mathcal{O} sim 3, 2 times 4").0,
            "a ε<sup>2</sup> x<sub>i</sub> $ % 𝒪 ∼3, 2×4"
        );
    }

    #[test]
    fn repair_pairs() {
        let cases = [
            (
                "an varepsilon-optimal policy",
                "an ε-optimal policy",
                "an ε-optimal policy",
            ),
            (
                "mathcal{O}(d^{3/2}H^2K)",
                "𝒪(d<sup>3/2</sup>H<sup>2</sup>K)",
                "𝒪(d^(3/2)H²K)",
            ),
            (
                "mathcal O(K^{8/9}) regret",
                "𝒪(K<sup>8/9</sup>) regret",
                "𝒪(K^(8/9)) regret",
            ),
            ("(sim13 points)", "(∼13 points)", "(∼13 points)"),
            ("a 3 times 4 grid", "a 3×4 grid", "a 3×4 grid"),
            ("by 40\\% and", "by 40% and", "by 40% and"),
            (
                "x_{t+1} and O(varepsilon^{-2})",
                "x<sub>t+1</sub> and O(ε<sup>-2</sup>)",
                "xₜ₊₁ and O(ε⁻²)",
            ),
        ];
        for (input, html, text) in cases {
            assert_eq!(repaired(input), (html.to_string(), text.to_string()), "{input}");
        }
    }

    #[test]
    fn unknown_and_english_words_are_left_alone() {
        for text in [
            "we simulate similar times to 4 others",
            "several times faster",
            "mathcal is a word here",
            "snake_case names and a ^ caret",
            "sim-to-real transfer",
            "the 2 times we tried",
        ] {
            let (html, plain) = repaired(text);
            assert_eq!(plain, text, "{text}");
            assert!(!html.contains("<su"), "{text}: {html}");
        }
    }

    #[test]
    fn dollars_are_math_only_when_they_look_like_math() {
        assert_eq!(
            split_dollars("costs $5 and $10, but $x^2$ and $$\\sum_i x_i$$ here"),
            vec![
                Segment::Text("costs $5 and $10, but "),
                Segment::Math {
                    latex: "x^2",
                    display: false
                },
                Segment::Text(" and "),
                Segment::Math {
                    latex: "\\sum_i x_i",
                    display: true
                },
                Segment::Text(" here"),
            ]
        );
        assert_eq!(split_dollars("a $ b $ c"), vec![Segment::Text("a $ b $ c")]);
        assert_eq!(split_dollars("\\$x$ y"), vec![Segment::Text("\\$x$ y")]);
    }

    #[test]
    fn formulas_become_mathml_and_failures_stay_source() {
        let r = render_plain("Let $x^2 < y$ and $\\frac{a}{$ hold.", false);
        assert!(
            r.html
                .contains("<math display=\"inline\"><msup><mi>x</mi><mn>2</mn></msup>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<mo>&lt;</mo>"), "{}", r.html);
        for hostile in ["$<script>$", "$a<b$", "$\\text{</math><b>}$", "$x & y$", "$\\&$"] {
            let html = render_plain(hostile, false).html;
            assert!(
                !html.contains("<script") && !html.contains("<b>") && !html.contains("<b$"),
                "{hostile}: {html}"
            );
        }
        assert!(
            r.html.contains("<code class=\"math-source\">$\\frac{a}{$</code>"),
            "{}",
            r.html
        );
        let feed = r.feed_html.unwrap();
        assert!(!feed.contains("<math") && feed.contains("$x^2 &lt; y$"), "{feed}");
        assert_eq!(r.text, "Let $x^2 < y$ and $\\frac{a}{$ hold.");
    }
}
