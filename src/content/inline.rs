//! Text-mode LaTeX in titles and plain-text abstracts: arXiv's own records keep `\emph{…}`,
//! `\textbf{…}`, `\href{url}{text}`, `{\em …}`, ``` ``quotes'' ```, `--` and `~`, which a
//! reader should see as emphasis, links and typography, never as backslashes.

use crate::text::math::to_unicode;
use crate::text::{escape_into, href_encode, is_safe_url};

/// A piece of text after its text-mode macros are read.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Inline {
    /// Text, still to be typeset (quotes, dashes) and linked.
    Text(String),
    Em(Vec<Inline>),
    Strong(Vec<Inline>),
    Code(String),
    /// A link whose target is safe (http, https, mailto, relative).
    Link(String, Vec<Inline>),
}

/// Reads the text-mode macros of `text`. Text without a backslash or a brace comes back as
/// one piece.
pub(super) fn parse(text: &str) -> Vec<Inline> {
    if !text.contains('\\') {
        return vec![Inline::Text(text.to_string())];
    }
    let mut chars = text.char_indices().peekable();
    let mut out = Vec::new();
    parse_into(text, &mut chars, &mut out, false);
    out
}

type Chars<'t> = std::iter::Peekable<std::str::CharIndices<'t>>;

/// Adds text to `out`, joined to the text before it: a macro read as text and the words
/// after it are one piece, so the repair of lost math sees both (`\mathbb{R}^d` reads ℝᵈ).
fn push_text(out: &mut Vec<Inline>, text: &str) {
    match out.last_mut() {
        Some(Inline::Text(last)) => last.push_str(text),
        _ => out.push(Inline::Text(text.to_string())),
    }
}

/// Reads into `out` up to the end, or up to the `}` that closes the group when `inside`.
fn parse_into(text: &str, chars: &mut Chars, out: &mut Vec<Inline>, inside: bool) {
    let mut buf = String::new();
    let flush = |buf: &mut String, out: &mut Vec<Inline>| {
        if !buf.is_empty() {
            push_text(out, &std::mem::take(buf));
        }
    };
    // Braces that are not a group of text-mode LaTeX (`{\em …}`) stay as they are: lost math
    // (`sqrt{T}`, `^{1/4}`) is mended later, and needs them.
    let mut literal = 0usize;
    while let Some((i, c)) = chars.next() {
        match c {
            '}' if literal > 0 => {
                literal -= 1;
                buf.push(c);
            }
            '}' if inside => break,
            '{' if starts_switch(&text[i + 1..]) => {
                flush(&mut buf, out);
                out.extend(group(text, chars));
            }
            '{' => {
                literal += 1;
                buf.push(c);
            }
            '\\' => {
                let name = command_name(chars);
                match name.as_str() {
                    "" => {}
                    // Escaped characters and a forced line break.
                    "%" | "&" | "#" | "_" | "$" | "{" | "}" => buf.push_str(&name),
                    "\\" | " " => buf.push(' '),
                    _ => {
                        flush(&mut buf, out);
                        command(&name, text, chars, out);
                    }
                }
            }
            c => buf.push(c),
        }
    }
    flush(&mut buf, out);
}

/// Text-mode commands with a braced argument that a group may open with.
const GROUP_COMMANDS: [&str; 14] = [
    "emph",
    "textit",
    "textsl",
    "textbf",
    "texttt",
    "textrm",
    "textsf",
    "textsc",
    "textup",
    "underline",
    "textcolor",
    "colorbox",
    "href",
    "url",
];

/// Whether a group is text-mode LaTeX: it opens with a style switch (`{\em word}`) or with
/// a text command (`{\textcolor{blue}{word}}`), so its braces are TeX's, not the text's.
fn starts_switch(rest: &str) -> bool {
    let command = || {
        GROUP_COMMANDS.iter().any(|c| {
            rest.strip_prefix('\\')
                .and_then(|r| r.strip_prefix(c))
                .is_some_and(|r| r.starts_with('{'))
        })
    };
    style_switch(rest) || command()
}

/// Whether `rest` (the text after a `{`) starts with a style switch: `\em`, `\it`, `\bf`,
/// `\tt` or `\sl`, then a space or the group's end. All are three bytes long.
pub(super) fn style_switch(rest: &str) -> bool {
    ["\\em", "\\it", "\\bf", "\\tt", "\\sl"]
        .iter()
        .any(|s| rest.strip_prefix(s).is_some_and(|r| r.starts_with([' ', '}'])))
}

/// `\name` after its backslash: letters, or one other character.
fn command_name(chars: &mut Chars) -> String {
    let letters: String = chars
        .clone()
        .map(|(_, c)| c)
        .take_while(char::is_ascii_alphabetic)
        .collect();
    if letters.is_empty() {
        return chars.next().map(|(_, c)| c.to_string()).unwrap_or_default();
    }
    let mut len = letters.len();
    // A URL run into a command (`\noindenthttps://…`, from a real abstract) is not part of
    // its name: the command ends where the scheme starts.
    if chars.clone().nth(len).is_some_and(|(_, c)| c == ':')
        && let Some(scheme) = ["https", "http"]
            .iter()
            .find(|s| len > s.len() && letters.ends_with(*s))
    {
        len -= scheme.len();
    }
    for _ in 0..len {
        chars.next();
    }
    letters[..len].to_string()
}

/// A braced group, read as inline text (a style switch inside it, `{\em …}`, styles the
/// rest of the group).
fn group(text: &str, chars: &mut Chars) -> Vec<Inline> {
    let mut inner = Vec::new();
    parse_into(text, chars, &mut inner, true);
    inner
}

/// The braced argument after a command, read as inline text.
fn argument(text: &str, chars: &mut Chars) -> Option<Vec<Inline>> {
    while chars.peek().is_some_and(|(_, c)| *c == ' ') {
        chars.next();
    }
    if chars.peek().is_some_and(|(_, c)| *c == '{') {
        chars.next();
        let mut inner = Vec::new();
        parse_into(text, chars, &mut inner, true);
        Some(inner)
    } else {
        None
    }
}

/// The braced argument after a command, as raw text (a URL).
fn raw_argument(text: &str, chars: &mut Chars) -> Option<String> {
    if chars.peek().is_none_or(|(_, c)| *c != '{') {
        return None;
    }
    let (start, _) = chars.next()?;
    let mut depth = 1;
    for (i, c) in chars.by_ref() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(text[start + 1..i].to_string());
                }
            }
            _ => {}
        }
    }
    None
}

/// What a command stands for, pushed onto `out`.
fn command(name: &str, text: &str, chars: &mut Chars, out: &mut Vec<Inline>) {
    match name {
        "emph" | "textit" | "textsl" => out.push(Inline::Em(argument(text, chars).unwrap_or_default())),
        "textbf" => out.push(Inline::Strong(argument(text, chars).unwrap_or_default())),
        "texttt" => out.push(Inline::Code(plain(&argument(text, chars).unwrap_or_default()))),
        // Styles a page shows as plain text: small capitals and underlines name methods
        // (`\textsc{Veroic}`, `\underline{V}alue`), a glossary entry reads as its key
        // (`\gls{DRL}`), an ordinal's superscript as letters (`1\textsuperscript{st}`).
        "textsuperscript" | "textsubscript" => {
            let inner = argument(text, chars).unwrap_or_default();
            match inner.as_slice() {
                [Inline::Text(t)] => match crate::text::math::script_digits(t, name == "textsuperscript") {
                    Some(raised) => out.push(Inline::Text(raised)),
                    None => out.extend(inner),
                },
                _ => out.extend(inner),
            }
        }
        "textrm" | "textsf" | "textup" | "textnormal" | "textmd" | "textsc" | "underline" | "uline" | "mbox"
        | "text" | "gls" | "glspl" | "Gls" | "Glspl" | "acrshort" | "acrlong" | "acrfull" => {
            out.extend(argument(text, chars).unwrap_or_default())
        }
        // A colour is not carried over: its first argument goes, the text stays.
        "textcolor" | "colorbox" => {
            let _ = raw_argument(text, chars);
            out.extend(argument(text, chars).unwrap_or_default());
        }
        "href" => {
            let url = raw_argument(text, chars).unwrap_or_default();
            let label = argument(text, chars).unwrap_or_else(|| vec![Inline::Text(url.clone())]);
            out.push(link(url, label));
        }
        "url" => {
            let url = raw_argument(text, chars).unwrap_or_default();
            out.push(link(url.clone(), vec![Inline::Text(url)]));
        }
        // Switches: style the rest of their group (`{\em word}`).
        "em" | "it" | "sl" | "bf" | "tt" => {
            let mut rest = Vec::new();
            parse_rest(text, chars, &mut rest);
            out.push(match name {
                "bf" => Inline::Strong(rest),
                "tt" => Inline::Code(plain(&rest)),
                _ => Inline::Em(rest),
            });
        }
        // A citation reads as its keys in brackets, as a reference list's labels would:
        // dropped, "is known from \cite{CS24}, and" read "is known from , and".
        "cite" | "citep" | "citet" | "citealp" | "parencite" | "textcite" => {
            // A page number (`\citep[p.~5]{key}`) goes.
            while chars.peek().is_some_and(|&(_, c)| c == '[') {
                chars.find(|&(_, c)| c == ']');
            }
            let keys = raw_argument(text, chars).unwrap_or_default();
            let keys: Vec<&str> = keys.split(',').map(str::trim).filter(|k| !k.is_empty()).collect();
            if !keys.is_empty() {
                out.push(Inline::Text(format!("[{}]", keys.join(", "))));
            }
        }
        // Layout a paragraph of an abstract has no use for.
        "noindent" | "indent" | "par" | "smallskip" | "medskip" | "bigskip" | "hfill" | "vfill" | "centering"
        | "clearpage" | "newpage" => {}
        "newline" | "linebreak" | "quad" | "qquad" => out.push(Inline::Text(" ".into())),
        // References to what the page does not have: a figure, an equation, a label.
        "ref" | "eqref" | "label" => {
            let _ = argument(text, chars);
        }
        "footnote" => {
            let note = argument(text, chars).unwrap_or_default();
            out.push(Inline::Text(" (".into()));
            out.extend(note);
            out.push(Inline::Text(")".into()));
        }
        // A symbol written outside `$…$` (`\alpha`), or an author's own macro (`\method`),
        // which reads as its name; the `{}` that keeps TeX from eating the space after it
        // (`\method{} improves`) goes with it, and one with words in braces reads as them.
        other => other_command(other, text, chars, out),
    }
}

/// A command of no structure: a symbol or an author's macro (see [`command`]).
fn other_command(name: &str, text: &str, chars: &mut Chars, out: &mut Vec<Inline>) {
    let read = to_unicode(&format!("\\{name}"));
    let Some(next) = chars.peek().map(|&(i, _)| &text[i..]).filter(|t| t.starts_with('{')) else {
        return push_text(out, &read);
    };
    if next.starts_with("{}") {
        chars.next();
        chars.next();
    } else if read != name {
        // Math outside `$…$` with its argument: `\mathcal{O}` reads 𝒪, `\sqrt{T}` √T.
        if let Some(arg) = raw_argument(text, chars) {
            return push_text(out, &to_unicode(&format!("\\{name}{{{arg}}}")));
        }
    } else {
        // An author's style macro around words (`\tit{pairwise}`): the words. A name with
        // capitals is a name (`\ECUAS{n}`), and digits are a parameter (`\ding{51}`): both
        // keep their name.
        let inside = next[1..].find('}').map(|end| &next[1..=end]);
        let style =
            name.bytes().all(|b| b.is_ascii_lowercase()) && inside.is_some_and(|a| a.chars().any(char::is_alphabetic));
        if style && let Some(words) = argument(text, chars) {
            return out.extend(words);
        }
    }
    push_text(out, &read);
}

/// The rest of the current group, for a style switch; the closing brace is left for the
/// group to take.
fn parse_rest(text: &str, chars: &mut Chars, out: &mut Vec<Inline>) {
    let mut depth = 0usize;
    let start = chars.peek().map_or(text.len(), |&(i, _)| i);
    let mut end = text.len();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                end = i;
                break;
            }
            '}' => depth -= 1,
            _ => {}
        }
        chars.next();
    }
    let body = text[start..end].trim_start();
    out.extend(parse(body));
}

fn link(url: String, label: Vec<Inline>) -> Inline {
    let url = url.trim().to_string();
    if url.is_empty() || !is_safe_url(&url) {
        return Inline::Em(label).unstyled();
    }
    Inline::Link(url, label)
}

impl Inline {
    /// Its children as plain pieces, when a style or a link must be dropped.
    fn unstyled(self) -> Inline {
        match self {
            Inline::Em(children) | Inline::Strong(children) | Inline::Link(_, children) => {
                Inline::Text(plain(&children))
            }
            other => other,
        }
    }
}

/// The pieces as plain text, typography applied.
pub(super) fn plain(pieces: &[Inline]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Inline::Text(t) => out.push_str(&typography(t)),
            Inline::Code(c) => out.push_str(c),
            Inline::Em(c) | Inline::Strong(c) | Inline::Link(_, c) => out.push_str(&plain(c)),
        }
    }
    out
}

/// The one character of a `{c}` that `text` starts with, when it is an accented letter or a
/// symbol: an ASCII letter or digit in braces is more likely lost math (`sqrt{T}`,
/// `mathcal{O}`), which the repair that comes after needs whole.
fn lone_in_braces(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('{')?;
    let c = inner.chars().next()?;
    let lone = inner[c.len_utf8()..].starts_with('}') && !matches!(c, '{' | '}') && !c.is_whitespace();
    (lone && !c.is_ascii_alphanumeric()).then(|| &inner[..c.len_utf8()])
}

/// TeX's typography in text: ``` ``quotes'' ``` and `` `single' `` quotes, `--` and `---`
/// dashes, `~` as a non-breaking space, `{,}` as a comma, and a letter in braces inside a
/// word as the letter.
pub(super) fn typography(text: &str) -> std::borrow::Cow<'_, str> {
    // Nearly every piece of text is left as it is: one vectorised search tells.
    let bytes = text.as_bytes();
    let applies = memchr::memchr3_iter(b'`', b'~', b'-', bytes)
        .any(|i| bytes[i] != b'-' || bytes.get(i + 1) == Some(&b'-'))
        || memchr::memmem::find(bytes, b"''").is_some()
        || memchr::memchr(b'{', bytes).is_some();
    if !applies {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        // TeX's thousands separator, outside math too: "10{,}412" reads "10,412".
        let (replacement, len): (&str, usize) = if rest.starts_with("{,}") {
            (",", 3)
        } else if let Some(inner) = lone_in_braces(rest).filter(|_| out.chars().last().is_some_and(char::is_alphabetic))
        {
            // A letter TeX needed braces for, inside a word: "Scheff{é}", "O{*}NET".
            out.push_str(inner);
            rest = &rest[inner.len() + 2..];
            continue;
        } else if rest.starts_with("---") {
            ("—", 3)
        } else if rest.starts_with("--") {
            ("–", 2)
        } else if rest.starts_with("``") {
            ("“", 2)
        } else if rest.starts_with("''") {
            ("”", 2)
        } else if c == '`' {
            ("‘", 1)
        } else if c == '~' {
            ("\u{a0}", 1)
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        };
        out.push_str(replacement);
        rest = &rest[len..];
    }
    std::borrow::Cow::Owned(out)
}

/// Renders styled pieces as HTML; `text` renders each text piece (linking, escaping,
/// mending lost LaTeX) into the HTML and the plain text.
pub(super) fn render(
    pieces: &[Inline],
    html: &mut String,
    plain_out: &mut String,
    text: &mut dyn FnMut(&str, &mut String, &mut String),
) {
    for piece in pieces {
        match piece {
            Inline::Text(t) => text(t, html, plain_out),
            Inline::Code(c) => {
                html.push_str("<code>");
                escape_into(html, c);
                html.push_str("</code>");
                plain_out.push_str(c);
            }
            Inline::Em(children) | Inline::Strong(children) => {
                let tag = if matches!(piece, Inline::Em(_)) { "em" } else { "strong" };
                html.push_str(&format!("<{tag}>"));
                render(children, html, plain_out, text);
                html.push_str(&format!("</{tag}>"));
            }
            Inline::Link(url, children) => {
                html.push_str("<a href=\"");
                escape_into(html, &href_encode(url));
                html.push_str("\">");
                // The label as text: nothing inside a link is linked or styled again.
                let label = plain(children);
                escape_into(html, &label);
                plain_out.push_str(&label);
                html.push_str("</a>");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros_become_structure() {
        assert_eq!(
            parse(r"We call it \emph{fast} and {\em very} \textbf{bold}."),
            vec![
                Inline::Text("We call it ".into()),
                Inline::Em(vec![Inline::Text("fast".into())]),
                Inline::Text(" and ".into()),
                Inline::Em(vec![Inline::Text("very".into())]),
                Inline::Text(" ".into()),
                Inline::Strong(vec![Inline::Text("bold".into())]),
                Inline::Text(".".into()),
            ]
        );
        assert_eq!(
            parse(r"Code at \href{https://x.org/a_b}{our site} and \url{https://y.org}."),
            vec![
                Inline::Text("Code at ".into()),
                Inline::Link("https://x.org/a_b".into(), vec![Inline::Text("our site".into())]),
                Inline::Text(" and ".into()),
                Inline::Link("https://y.org".into(), vec![Inline::Text("https://y.org".into())]),
                Inline::Text(".".into()),
            ]
        );
        assert_eq!(plain(&parse(r"\href{javascript:alert(1)}{click}")), "click");
        assert_eq!(
            plain(&parse(r"We propose \method, 50\% faster~\cite{x}.")),
            "We propose method, 50% faster\u{a0}[x]."
        );
        assert_eq!(plain(&parse(r"a \alpha-level test")), "a α-level test");
        // From a real abstract of May 2026 (arXiv 2605, EFX for chores).
        assert_eq!(
            plain(&parse(
                r"is known from \cite{CS24}, and \citep[p.~5]{a, b}\cite{} transfers"
            )),
            "is known from [CS24], and [a, b] transfers"
        );
        // From real abstracts of May 2026.
        assert_eq!(
            plain(&parse(
                r"\system{} abstracts AIGC; AgroVG contains 10{,}071 pairs and \method{}."
            )),
            "system abstracts AIGC; AgroVG contains 10,071 pairs and method."
        );
        assert_eq!(
            plain(&parse(r"labels in {yes, partial, no}")),
            "labels in {yes, partial, no}"
        );
        assert_eq!(
            plain(&parse(r"we study TSA with \tit{pairwise} keys and Lehmann--Scheff{é}")),
            "we study TSA with pairwise keys and Lehmann–Scheffé"
        );
        assert_eq!(
            plain(&parse(r"\ECUAS{n}: a family of metrics, \ding{51} marks")),
            "ECUAS{n}: a family of metrics, ding{51} marks"
        );
        assert_eq!(
            plain(&parse(
                r"a cost of \mathcal{O}(n), \sqrt{T} regret and \hat{x} in \mathbb{R}^d"
            )),
            "a cost of 𝒪(n), √T regret and x\u{302} in ℝ^d"
        );
    }

    #[test]
    fn styles_a_page_cannot_show_leave_their_text() {
        // Sentences of real arXiv listings (May 2026).
        assert_eq!(
            plain(&parse(
                r"Risk-aware \textbf{I}nference \textbf{C}ontrol (\textsc{Veroic}), a framework"
            )),
            "Risk-aware Inference Control (Veroic), a framework"
        );
        assert_eq!(
            plain(&parse(
                r"Negative Guidance By \underline{V}alue \underline{S}ign \underline{F}lip"
            )),
            "Negative Guidance By Value Sign Flip"
        );
        assert_eq!(
            plain(&parse(
                r"\textbf{55.5} EPDMS on NAVSIM-v2 {\textcolor{blue}{\textit{navhard}}}, respectively"
            )),
            "55.5 EPDMS on NAVSIM-v2 navhard, respectively"
        );
        assert_eq!(
            plain(&parse(
                r"an event-based \gls{DRL} approach, ranked 1\textsuperscript{st}"
            )),
            "an event-based DRL approach, ranked 1st"
        );
    }

    #[test]
    fn raised_and_lowered_digits_are_unicode_scripts() {
        // Titles of real arXiv listings (May 2026): the digit is part of the name, as
        // `T$^2$PO` is T²PO.
        assert_eq!(
            plain(&parse(r"M\textsuperscript{4}Fuse: Lightweight State-Space MoE")),
            "M⁴Fuse: Lightweight State-Space MoE"
        );
        assert_eq!(
            plain(&parse(
                r"DiM\textsuperscript{3}: Bridging Multilingual and Multimodal Models"
            )),
            "DiM³: Bridging Multilingual and Multimodal Models"
        );
        assert_eq!(plain(&parse(r"CO\textsubscript{2} emissions")), "CO₂ emissions");
        // Letters stay plain: an ordinal, or a raised word.
        assert_eq!(
            plain(&parse(r"ranked 2\textsuperscript{nd}, x\textsubscript{max}")),
            "ranked 2nd, xmax"
        );
    }

    #[test]
    fn typography_of_tex() {
        assert_eq!(
            typography("``quoted'' -- and --- see~Fig. `a'"),
            "“quoted” – and — see\u{a0}Fig. ‘a'"
        );
        // From a real abstract (May 2026), with no other LaTeX in it.
        assert_eq!(
            typography("the same 10{,}412 3D CT scans"),
            "the same 10,412 3D CT scans"
        );
        assert_eq!(
            typography("the O{*}NET database, K in {6}, {a, b}, sqrt{T}"),
            "the O*NET database, K in {6}, {a, b}, sqrt{T}"
        );
        assert_eq!(typography("plain"), "plain");
    }
}
