//! Where formulas are in plain text: `$…$` and `$$…$$`, told apart from prices, and
//! LaTeX's own `\(…\)` and `\[…\]`, which some arXiv abstracts use instead.

/// A piece of plain text: prose or a `$`-delimited formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Text outside any formula.
    Text(&'a str),
    /// A formula without its delimiters.
    Math {
        /// The LaTeX between the delimiters.
        latex: &'a str,
        /// `$$…$$` or `\[…\]` rather than `$…$` or `\(…\)`.
        display: bool,
    },
}

/// Splits `$…$` and `$$…$$` out of plain text, with Pandoc's rules so that prices stay text:
/// an opening `$` is followed by a non-space, a closing `$` follows a non-space and is not
/// followed by a digit, and `\$` is a dollar sign; `$$` may have spaces inside. `\(…\)` and `\[…\]` are formulas too
/// (a lone `\(` is text): left as text, their backslashes went missing on the page and the
/// LaTeX inside showed raw. TeX ignores the spaces Pandoc refuses, and some authors write
/// them: `$ \alpha \in [0,\infty] $` is a formula too (see [`spaced_close`]). A formula
/// that is only text-mode markup (`$\textbf{MolSight}$`) is text (see [`text_only`]).
pub fn split_dollars(text: &str) -> Vec<Segment<'_>> {
    split_nested(text, 0)
}

/// How deep formulas inside text markup inside formulas are split out (see
/// [`push_formula`]): real abstracts nest once, and a hostile one must not exhaust the stack.
const MAX_NESTING: usize = 4;

/// [`split_dollars`] for text at `depth` formulas inside another.
fn split_nested(text: &str, depth: usize) -> Vec<Segment<'_>> {
    // Most abstracts have no formula at all.
    if !text.contains('$') && !text.contains("\\(") && !text.contains("\\[") {
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
            let display = match bytes.get(i + 1) {
                Some(b'(') => Some(false),
                Some(b'[') => Some(true),
                _ => None,
            };
            let close = display.and_then(|display| find_bracket_close(bytes, i + 2, display));
            if let (Some(display), Some(end)) = (display, close) {
                if start < i {
                    out.push(Segment::Text(&text[start..i]));
                }
                push_formula(&mut out, &text[i + 2..end], display, depth);
                i = end + 2;
                start = i;
            } else {
                i += 2;
            }
            continue;
        }
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let display = bytes.get(i + 1) == Some(&b'$');
        let open = if display { 2 } else { 1 };
        let body = i + open;
        // Pandoc lets display math stand apart from its `$$` ("$$ x = 1 $$").
        if bytes.get(body).is_none_or(|b| !display && b.is_ascii_whitespace()) {
            match (!display).then(|| spaced_close(text, body)).flatten() {
                Some(end) => {
                    if start < i {
                        out.push(Segment::Text(&text[start..i]));
                    }
                    push_formula(&mut out, text[body..end].trim(), false, depth);
                    i = end + 1;
                    start = i;
                }
                None => i += open,
            }
            continue;
        }
        // A `$` whose pair holds a sentence was a price, or its own pair went missing
        // ("a $38\% relative reduction in false-positive artifacts ($\mathrm{Fa}$)"): it is
        // text, and the next `$` may open a formula.
        let formula_at = |&end: &usize| {
            let latex = &text[body..end];
            !latex.trim().is_empty() && (display || !reads_as_prose(latex))
        };
        match find_close(bytes, body, display).filter(formula_at) {
            Some(end) => {
                if start < i {
                    out.push(Segment::Text(&text[start..i]));
                }
                push_formula(&mut out, &text[body..end], display, depth);
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

/// Pushes a formula's segments: math, or the text it holds when it is text-mode markup
/// (see [`text_only`] and [`mostly_text`]). An inline formula's closing full stop or comma
/// (`$f(x).$`) goes after it, as text: inside, MathML spaced it as an operator ("f(x) .").
///
/// Text-mode markup may hold formulas of its own, as TeX allows
/// (`$\textbf{$\textit{80$\times$ lower}$}$`, a real abstract of May 2026): they are split
/// out of it in turn.
fn push_formula<'a>(out: &mut Vec<Segment<'a>>, latex: &'a str, display: bool, depth: usize) {
    if !display && (text_only(latex) || mostly_text(latex)) {
        let text = latex.trim();
        match text.contains('$') && depth < MAX_NESTING {
            // In braces of its own (`${\textbf{$\times$10}}$`), the braces go too.
            true => out.extend(split_nested(unbraced(text), depth + 1)),
            false => out.push(Segment::Text(text)),
        }
        return;
    }
    let trimmed = latex.trim_end();
    let mark = trimmed
        .len()
        .checked_sub(1)
        .filter(|&at| matches!(trimmed.as_bytes()[at], b'.' | b',') && at > 0 && !trimmed[..at].ends_with('\\'));
    match mark {
        Some(at) if !display => {
            out.push(Segment::Math {
                latex: &trimmed[..at],
                display,
            });
            out.push(Segment::Text(&trimmed[at..]));
        }
        _ => out.push(Segment::Math { latex, display }),
    }
}

/// Whether an inline formula is prose set in text commands (four words or more) with a few
/// symbols and no command between them, as a real abstract of May 2026 has it:
/// `$\textbf{Embedding-perturbed Exploration Preference Optimization (}E^2\textbf{PO)}$`.
/// As math, the words were one unbreakable run of bold math letters, wider than a phone;
/// as text they wrap, and the symbols read as text does.
fn mostly_text(latex: &str) -> bool {
    let (mut words, mut rest, mut at) = (0usize, 0usize, 0usize);
    const STYLES: [&str; 6] = ["textbf", "textit", "emph", "text", "textrm", "textsf"];
    while at < latex.len() {
        let tail = &latex[at..];
        let styled = leading_command(tail)
            .filter(|(name, _)| STYLES.contains(name))
            .and_then(|(_, rest)| Some((rest, after_group(rest)?)));
        match styled {
            Some((group, after)) => {
                let argument = &group[1..group.len() - after.len() - 1];
                words += argument
                    .split(|c: char| !c.is_alphabetic())
                    .filter(|w| w.chars().count() >= 2)
                    .count();
                at = latex.len() - after.len();
            }
            None => {
                let c = tail.chars().next().expect("not at the end");
                // A command between the words is math the text would lose (`\in`).
                if c == '\\' {
                    return false;
                }
                rest += usize::from(!c.is_whitespace());
                at += c.len_utf8();
            }
        }
    }
    words >= 4 && rest <= 8
}

/// Text-mode commands that authors put in formulas, with how many arguments they take.
const TEXT_COMMANDS: [(&str, usize); 11] = [
    ("textbf", 1),
    ("textit", 1),
    ("emph", 1),
    ("textsl", 1),
    ("text", 1),
    ("textrm", 1),
    ("textsf", 1),
    ("texttt", 1),
    ("textsc", 1),
    ("href", 2),
    ("url", 1),
];

/// Whether an inline formula is one text-mode command and nothing else:
/// `$\textbf{MolSight}$`, `$\textit{Winner-Takes-All}$`, `$\href{https://…}{here}$`.
/// Authors write these to get bold, italics or a link where arXiv shows no LaTeX; read as
/// math, the words became italic letters of a math font (which a page's find, copy and
/// screen readers do not read as the word) and a link became letters.
fn text_only(latex: &str) -> bool {
    let latex = latex.trim();
    // In braces of its own: `${\textbf{DIVER}}$`.
    if let Some(inner) = latex.strip_prefix('{')
        && after_group(latex) == Some("")
    {
        return text_only(&inner[..inner.len() - 1]);
    }
    let Some((name, mut rest)) = leading_command(latex) else {
        return false;
    };
    let Some(&(_, arguments)) = TEXT_COMMANDS.iter().find(|(n, _)| *n == name) else {
        return false;
    };
    for _ in 0..arguments {
        match after_group(rest.trim_start()) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.trim().is_empty()
}

/// The name of the command that `text` starts with (`\textbf{…}`: `textbf`), and the text
/// after the name.
fn leading_command(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('\\')?;
    let name = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
    Some(rest.split_at(name))
}

/// The text after the `{…}` group that `text` starts with (nested groups and `\{` inside).
fn after_group(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'{') {
        return None;
    }
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[i + 1..]);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where the `\)` (or with `display`, `\]`) that closes a formula starting at `from` is:
/// never at `from` itself (an empty formula is text).
fn find_bracket_close(bytes: &[u8], from: usize, display: bool) -> Option<usize> {
    let close = if display { b']' } else { b')' };
    let mut j = from;
    while j + 1 < bytes.len() {
        if bytes[j] == b'\\' {
            if bytes[j + 1] == close {
                return (j > from).then_some(j);
            }
            j += 2;
        } else {
            j += 1;
        }
    }
    None
}

/// `text` without the braces around it, when it is one `{…}` group.
fn unbraced(text: &str) -> &str {
    match text.strip_prefix('{') {
        Some(inner) if after_group(text) == Some("") => &inner[..inner.len() - 1],
        _ => text,
    }
}

/// How far past its opening `$` a formula of text markup is looked for formulas inside it
/// (see [`find_close`]): a markup formula is short, and the bound keeps a text of unclosed
/// `\text{` groups from being scanned to its end from each of its dollars.
const NESTED_SCAN: usize = 400;

/// Where the `$` (or with `display`, `$$`) that closes a formula whose body starts at `from`
/// is. A formula that opens with text markup (`$\textbf{…`) may hold formulas of its own, as
/// TeX reads it (`$\textbf{$\textit{80$\times$ lower}$}$`): a `$` inside a text-mode
/// command's argument does not close it, when a closing `$` is found that way near enough
/// and what it closes is text markup holding a formula. Otherwise, as for every other
/// formula, the next fitting `$` closes it: a price before prose markup
/// (`a $10 budget with \textbf{$k$=5} beats $O(n)$`) pairs as it always did.
fn find_close(bytes: &[u8], from: usize, display: bool) -> Option<usize> {
    let nested = (!display && opens_with_text_command(&bytes[from..]))
        .then(|| find_close_nested(bytes, from))
        .flatten()
        .filter(|&end| bytes[from..end].contains(&b'$'))
        .filter(|&end| {
            std::str::from_utf8(&bytes[from..end]).is_ok_and(|latex| text_only(latex) || mostly_text(latex))
        });
    nested.or_else(|| find_close_flat(bytes, from, display))
}

/// Whether a formula's body starts with a text-mode command's argument, maybe inside braces
/// of its own (`\textbf{`, `{\textit{`).
fn opens_with_text_command(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"{").unwrap_or(body);
    let Some(rest) = body.strip_prefix(b"\\") else {
        return false;
    };
    let name = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    rest.get(name) == Some(&b'{') && ends_with_text_command(&body[..=name])
}

/// The `$` closing an inline formula of text markup whose body starts at `from`, where
/// dollars inside text-mode arguments open formulas of their own; none within
/// [`NESTED_SCAN`] bytes.
fn find_close_nested(bytes: &[u8], from: usize) -> Option<usize> {
    // The braces open since `from`, each marked when it holds a text-mode argument, and how
    // many of them do.
    let (mut groups, mut text_groups): (Vec<bool>, usize) = (Vec::new(), 0);
    let mut j = from;
    while j < bytes.len().min(from + NESTED_SCAN) {
        match bytes[j] {
            b'\\' => j += 2,
            b'{' => {
                let text = ends_with_text_command(&bytes[from..j]);
                text_groups += usize::from(text);
                groups.push(text);
                j += 1;
            }
            b'}' => {
                text_groups -= usize::from(groups.pop() == Some(true));
                j += 1;
            }
            b'$' if text_groups > 0 => j += 1,
            b'$' => return (j > from).then_some(j),
            _ => j += 1,
        }
    }
    None
}

/// The next `$` (or with `display`, `$$`) that can close a formula whose body starts at
/// `from`.
fn find_close_flat(bytes: &[u8], from: usize, display: bool) -> Option<usize> {
    let mut j = from;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'$' if display => {
                return (bytes.get(j + 1) == Some(&b'$')).then_some(j);
            }
            b'$' => {
                // TeX ignores a space before the closing `$` ("$8 \times $ magnification");
                // Pandoc refuses it so that "$5 and $ 10" stays text: allowed when the body is
                // surely LaTeX.
                let before_ok =
                    !bytes[j - 1].is_ascii_whitespace() || std::str::from_utf8(&bytes[from..j]).is_ok_and(has_macro);
                let after_ok = !bytes.get(j + 1).is_some_and(u8::is_ascii_digit)
                    || std::str::from_utf8(&bytes[from..j]).is_ok_and(is_operator);
                return (before_ok && after_ok && j > from).then_some(j);
            }
            _ => j += 1,
        }
    }
    None
}

/// Whether `before` ends with a command whose one argument TeX reads as text (`\textbf`):
/// one of those [`text_only`] reads as text.
fn ends_with_text_command(before: &[u8]) -> bool {
    let name = before.iter().rev().take_while(|b| b.is_ascii_alphabetic()).count();
    let at = before.len() - name;
    at > 0
        && before[at - 1] == b'\\'
        && TEXT_COMMANDS
            .iter()
            .any(|&(command, arguments)| arguments == 1 && command != "url" && command.as_bytes() == &before[at..])
}

/// Where the `$` closing a formula that opened with a space (`$ \alpha \in [0,\infty] $`)
/// is, when its body is surely LaTeX: a command in it (see [`has_macro`]), not a number and
/// words (a price: "$ 5 and $ 10"), on one line, no longer than a formula, and no digit
/// after the closing `$`.
fn spaced_close(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut j = from;
    while j < bytes.len() && j - from <= 300 {
        match bytes[j] {
            b'\\' => j += 2,
            b'\n' => return None,
            b'$' => {
                let body = text[from..j].trim();
                // A number first is a price ("$ 5 \emph{only}, then $ 10") unless nothing
                // but LaTeX follows it ("$ 2.9\%$", "$ [\![256, 2]\!] $").
                let price = body.starts_with(|c: char| c.is_ascii_digit()) && has_words(body);
                let digit_after = bytes.get(j + 1).is_some_and(u8::is_ascii_digit);
                return (has_macro(body) && !price && !digit_after && bytes.get(j + 1) != Some(&b'$')).then_some(j);
            }
            _ => j += 1,
        }
    }
    None
}

/// Whether a formula's body reads as a sentence: four words or more of two letters or more
/// in a row, outside braces (`\text{for all }` is the author's) and not command names. A
/// formula names things with single letters and commands; one that runs over words is a
/// `$` paired with the wrong one, and as math its words became a run of italic letters.
fn reads_as_prose(body: &str) -> bool {
    const WORDS: usize = 4;
    let bytes = body.as_bytes();
    let (mut depth, mut run, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphabetic() {
            let len = bytes[i..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
            let command = i > 0 && bytes[i - 1] == b'\\';
            if depth == 0 && !command && len >= 2 {
                run += 1;
                if run >= WORDS {
                    return true;
                }
            } else {
                run = 0;
            }
            i += len;
            continue;
        }
        match b {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            // Words go on across spaces and hyphens ("false-positive artifacts").
            b' ' | b'-' => {}
            _ => run = 0,
        }
        i += 1;
    }
    false
}

/// Whether `body` holds a LaTeX command: a backslash before a letter (`\times`) or before
/// the punctuation of TeX's spacing and escapes (`\%`, `\!`, `\,`).
fn has_macro(body: &str) -> bool {
    body.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\\' && (w[1].is_ascii_alphabetic() || b"%!,;:{}|".contains(&w[1])))
}

/// Whether `body` has a word of two letters or more outside command names: prose ("then",
/// "only"), as a price's text has and a formula of numbers and commands has not.
fn has_words(body: &str) -> bool {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let command = bytes[i] == b'\\';
        if command {
            i += 1;
        }
        let run = bytes[i..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
        if !command && run >= 2 {
            return true;
        }
        i += run.max(1);
    }
    false
}

/// Whether a formula's body is one operator, as in "$\\sim$10x", "$≈$150,000" or "8$×$8":
/// a number may follow its closing `$`, which Pandoc's rule refuses so that prices stay
/// text. A price never looks like this: the text after its `$` starts with a digit.
fn is_operator(body: &str) -> bool {
    let body = body.strip_prefix('{').and_then(|b| b.strip_suffix('}')).unwrap_or(body);
    if body.is_empty() || body.len() > 16 {
        return false;
    }
    match body.strip_prefix('\\') {
        Some(name) => !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic()),
        None => body
            .chars()
            .all(|c| !c.is_alphanumeric() && !c.is_whitespace() && c != '$'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // From a real abstract (arXiv 2605): display math set apart from its dollars.
        assert_eq!(
            split_dollars("the closed form $$ p_C = \\frac{1}{N}, $$ with"),
            vec![
                Segment::Text("the closed form "),
                Segment::Math {
                    latex: " p_C = \\frac{1}{N}, ",
                    display: true
                },
                Segment::Text(" with"),
            ]
        );
        assert_eq!(split_dollars("$$ $$"), vec![Segment::Text("$$ $$")], "nothing inside");
        assert_eq!(split_dollars("\\$x$ y"), vec![Segment::Text("\\$x$ y")]);
    }

    /// From real abstracts of May 2026: an operator between dollars before a number. The
    /// `$` after "≈" was refused, so the formula ran on to the next `$` and took the prose
    /// between them: "$≈[150,000 images, an 8]×$8" in italics.
    #[test]
    fn an_operator_before_a_number_is_a_formula_and_prices_stay_text() {
        let math = |latex| Segment::Math { latex, display: false };
        assert_eq!(
            split_dollars("comprising $≈$150,000 images, an 8$×$8 grid, a $\\sim$10x penalty"),
            vec![
                Segment::Text("comprising "),
                math("≈"),
                Segment::Text("150,000 images, an 8"),
                math("×"),
                Segment::Text("8 grid, a "),
                math("\\sim"),
                Segment::Text("10x penalty"),
            ]
        );
        assert_eq!(
            split_dollars("of ${∼}$493k frames"),
            vec![Segment::Text("of "), math("{∼}"), Segment::Text("493k frames")]
        );
        for text in ["costs $5 and $10 now", "from $x$5", "a $-5$5 swing", "$US$5"] {
            assert!(
                split_dollars(text).iter().all(|s| !matches!(s, Segment::Math { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn a_formula_inside_text_markup_inside_a_formula_is_split_out_in_turn() {
        // A real abstract of May 2026: TeX reads the inner dollars inside `\textbf{…}` and
        // `\textit{…}` as formulas of their own; paired flat, the page showed the source.
        assert_eq!(
            split_dollars("top two on $\\textbf{all 10}$, at $\\textbf{$\\textit{80$\\times$ lower}$}$ FLOPs"),
            vec![
                Segment::Text("top two on "),
                Segment::Text("\\textbf{all 10}"),
                Segment::Text(", at "),
                Segment::Text("\\textbf{"),
                Segment::Text("\\textit{80"),
                Segment::Math {
                    latex: "\\times",
                    display: false
                },
                Segment::Text(" lower}"),
                Segment::Text("}"),
                Segment::Text(" FLOPs"),
            ]
        );
        // Nested past the bound, the innermost markup stays text, and the stack is spared.
        let deep = format!("{}x{}", "$\\text{".repeat(20), "}$".repeat(20));
        let split = split_dollars(&deep);
        assert!(split.len() <= 2 * MAX_NESTING + 1, "{split:?}");
        assert!(
            matches!(split[MAX_NESTING], Segment::Text(t) if t.starts_with("\\text{$\\text{")),
            "{split:?}"
        );
        let deeper = format!("{}x{}", "$\\text{".repeat(100_000), "}$".repeat(100_000));
        assert!(!split_dollars(&deeper).is_empty());
        // Dollars before prose markup pair as they always did: the formulas after them stay.
        let last = |text| split_dollars(text).pop().unwrap();
        let math = |latex| Segment::Math { latex, display: false };
        assert_eq!(last("A $10 budget with \\textbf{$k$=5} beats $O(n)$"), math("O(n)"));
        assert_eq!(
            last("saves $5 per query; \\emph{with $n$ samples} we get $x$"),
            math("x")
        );
        assert_eq!(last("$5 and \\textbf{$x$} then $y$ and $z$"), math("z"));
        // In braces of its own, the braces go with the markup.
        assert_eq!(
            split_dollars("${\\textbf{$\\times$10}}$"),
            vec![Segment::Text("\\textbf{"), math("\\times"), Segment::Text("10}")]
        );
        // Braces that are not a text command's argument still end at the next dollar.
        assert_eq!(
            split_dollars("a $x^{2$ and $y$"),
            vec![
                Segment::Text("a "),
                Segment::Math {
                    latex: "x^{2",
                    display: false
                },
                Segment::Text(" and "),
                Segment::Math {
                    latex: "y",
                    display: false
                },
            ]
        );
    }

    #[test]
    fn a_formula_with_spaces_inside_its_dollars_is_one_when_it_holds_latex() {
        let math = |latex| Segment::Math { latex, display: false };
        // Real abstracts of May 2026.
        assert_eq!(
            split_dollars("for every order $ α\\in [0,\\infty] $, the Rényi entropy"),
            vec![
                Segment::Text("for every order "),
                math("α\\in [0,\\infty]"),
                Segment::Text(", the Rényi entropy")
            ]
        );
        assert_eq!(
            split_dollars("up to 11.97\\% AUC on $ \\text{BOVText}_{\\text{SOT}} $. Overall"),
            vec![
                Segment::Text("up to 11.97\\% AUC on "),
                math("\\text{BOVText}_{\\text{SOT}}"),
                Segment::Text(". Overall")
            ]
        );
        // Prices, and spaced dollars without LaTeX, stay text.
        for text in [
            "costs $ 5 \\emph{only}, then $ 10",
            "a $ x $ here",
            "from $ \\alpha $5 up",
            "$ \\alpha\nand $",
        ] {
            assert_eq!(split_dollars(text), vec![Segment::Text(text)], "{text}");
        }
    }

    /// Real abstracts of May 2026 that wrap bold, italics or a link in dollars: text, not
    /// math letters. Math that only starts with such a command stays math.
    #[test]
    fn a_formula_of_text_markup_alone_is_text() {
        assert_eq!(
            split_dollars("We present $\\textbf{MolSight}$, the first; see $\\href{https://x.org/a_b}{this}$."),
            vec![
                Segment::Text("We present "),
                Segment::Text("\\textbf{MolSight}"),
                Segment::Text(", the first; see "),
                Segment::Text("\\href{https://x.org/a_b}{this}"),
                Segment::Text("."),
            ]
        );
        assert_eq!(
            split_dollars("Breaking $\\textit{Winner-Takes-All}$: a $ \\text{SOTA} $ result, ${\\textbf{DIVER}}$"),
            vec![
                Segment::Text("Breaking "),
                Segment::Text("\\textit{Winner-Takes-All}"),
                Segment::Text(": a "),
                Segment::Text("\\text{SOTA}"),
                Segment::Text(" result, "),
                Segment::Text("{\\textbf{DIVER}}"),
            ]
        );
        for latex in [
            "\\textbf{x}^2",
            "{\\textbf{x}}^2",
            "{x}",
            "\\mathbf{x}",
            "\\text{ReLU}(x)",
            "\\textbf{a}\\textbf{b}",
            "\\href{u}",
        ] {
            let text = format!("a ${latex}$ b");
            assert_eq!(
                split_dollars(&text)[1],
                Segment::Math { latex, display: false },
                "{text}"
            );
        }
        assert!(matches!(
            split_dollars("$$\\textbf{x}$$")[0],
            Segment::Math { display: true, .. }
        ));
    }

    /// Real abstracts of May 2026 with a space inside a dollar: TeX reads them as formulas,
    /// and the page showed their dollars.
    #[test]
    fn a_space_before_a_closing_dollar_or_a_number_first_is_a_formula_when_the_rest_is_latex() {
        let math = |latex| Segment::Math { latex, display: false };
        assert_eq!(
            split_dollars(
                "an improvement of $ 2.9\\%$ in accuracy, an $8 \\times $ magnification, a T$\\times $V grid"
            ),
            vec![
                Segment::Text("an improvement of "),
                math("2.9\\%"),
                Segment::Text(" in accuracy, an "),
                math("8 \\times "),
                Segment::Text(" magnification, a T"),
                math("\\times "),
                Segment::Text("V grid"),
            ]
        );
        assert_eq!(
            split_dollars("codes $ [\\![256, 2 ]\\!] $ and"),
            vec![
                Segment::Text("codes "),
                math("[\\![256, 2 ]\\!]"),
                Segment::Text(" and")
            ]
        );
        for text in [
            "costs $5 and $ 10",
            "from $\\alpha $5 up",
            "it is $ 5 \\% of the $ total",
        ] {
            assert!(
                split_dollars(text).iter().all(|s| !matches!(s, Segment::Math { .. })),
                "{text}"
            );
        }
    }

    /// From a real abstract of May 2026 whose author left out a `$`: the formula that took
    /// the sentence up to the next `$` read as a run of italic letters.
    #[test]
    fn a_dollar_whose_pair_holds_a_sentence_is_text() {
        assert_eq!(
            split_dollars("a $38\\% relative reduction in false-positive artifacts ($\\mathrm{Fa}$) compared"),
            vec![
                Segment::Text("a $38\\% relative reduction in false-positive artifacts ("),
                Segment::Math {
                    latex: "\\mathrm{Fa}",
                    display: false
                },
                Segment::Text(") compared"),
            ]
        );
        for latex in [
            "p(y \\mid x, \\theta)",
            "\\text{for all } i \\in \\text{the training set}",
            "a b c d e f",
            "\\mathrm{softmax}(QK^\\top / \\sqrt{d})",
            "O(n \\log n)",
        ] {
            let text = format!("so ${latex}$ here");
            assert_eq!(
                split_dollars(&text)[1],
                Segment::Math { latex, display: false },
                "{text}"
            );
        }
    }

    /// Real abstracts of May 2026: a formula that ends a sentence inside its dollars, and
    /// prose set in text commands.
    #[test]
    fn closing_punctuation_leaves_the_formula_and_prose_in_text_commands_is_text() {
        let math = |latex| Segment::Math { latex, display: false };
        assert_eq!(
            split_dollars("associated to $f(x).$ Then $a, b,$ and $x\\,$ and $$y.$$"),
            vec![
                Segment::Text("associated to "),
                math("f(x)"),
                Segment::Text("."),
                Segment::Text(" Then "),
                math("a, b"),
                Segment::Text(","),
                Segment::Text(" and "),
                math("x\\,"),
                Segment::Text(" and "),
                Segment::Math {
                    latex: "y.",
                    display: true
                },
            ]
        );
        let latex = "\\textbf{Embedding-perturbed Exploration Preference Optimization (}E^2\\textbf{PO)}";
        assert_eq!(
            split_dollars(&format!("we propose ${latex}$, a")),
            vec![Segment::Text("we propose "), Segment::Text(latex), Segment::Text(", a")]
        );
        for latex in [
            "\\text{if } x > 0 \\text{ and } y < 1",
            "\\textbf{6.28}\\times",
            "\\mathrm{SNR} = \\text{signal over noise power} + n_0 + n_1 + n_2",
        ] {
            assert_eq!(split_dollars(&format!("a ${latex}$ b"))[1], math(latex), "{latex}");
        }
    }

    /// From a real abstract (arXiv 2605, skew polycyclic codes), which mixes both kinds.
    #[test]
    fn latex_brackets_are_math_too() {
        assert_eq!(
            split_dollars("when \\( f(x)\\) is \\(x^{np^s}-λ\\), where $λ_0\\ne0,$ and \\[ n=1,2 \\]."),
            vec![
                Segment::Text("when "),
                Segment::Math {
                    latex: " f(x)",
                    display: false
                },
                Segment::Text(" is "),
                Segment::Math {
                    latex: "x^{np^s}-λ",
                    display: false
                },
                Segment::Text(", where "),
                Segment::Math {
                    latex: "λ_0\\ne0",
                    display: false
                },
                Segment::Text(","),
                Segment::Text(" and "),
                Segment::Math {
                    latex: " n=1,2 ",
                    display: true
                },
                Segment::Text("."),
            ]
        );
        for text in ["a lone \\( stays", "empty \\(\\) stays", "closed wrong \\(x\\] stays"] {
            assert_eq!(split_dollars(text), vec![Segment::Text(text)], "{text}");
        }
    }
}
