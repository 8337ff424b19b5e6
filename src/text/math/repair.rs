//! Mending scraped LaTeX whose `$` and `\` were lost (`varepsilon` → ε, `^{2}` →
//! superscript), only where the reading is unambiguous.

use crate::text::escape::escape_into;

/// Mends `text` (prose, no URLs) and appends it to `html` (escaped, super- and subscripts as
/// elements) and to `plain` (Unicode super- and subscripts where they exist).
pub fn repair_into(text: &str, html: &mut String, plain: &mut String) {
    for part in repair_text(text) {
        part.push_html(html);
        part.push_plain(plain);
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
            Part::Text(t) => escape_into(out, t),
            Part::Sup(t) => {
                out.push_str("<sup>");
                escape_into(out, t);
                out.push_str("</sup>");
            }
            Part::Sub(t) => {
                out.push_str("<sub>");
                escape_into(out, t);
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
        let (mut html, mut plain) = (String::new(), String::new());
        repair_into(text, &mut html, &mut plain);
        (html, plain)
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
}
