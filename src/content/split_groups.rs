//! Text-mode groups that a formula splits: `\emph{Calibrated Accuracy ($\mathrm{Cal}$)}`,
//! `\textbf{79$\times$}`, `\scalebox{0.65}{$Θ(n)$}`. The formula is cut out of the text first
//! (see `text::math::split_dollars`), which leaves the group's opening in one piece of text
//! and its closing brace in a later one: the page showed the style cut short and a stray
//! `}` after the formula (18 abstracts of a month of real listings). Such a group loses its
//! opening (`\emph{`, `\scalebox{0.65}{`, `{\em`) and its closing brace: the words and the
//! formula read as plain text. Groups that close in their own piece of text, and literal
//! braces, are left to the text-mode reader (`inline.rs`).

use std::borrow::Cow;

use crate::text::math::Segment;

/// The bytes of a group's opening that go when a formula splits the group (`\emph{`,
/// `\scalebox{0.65}{`, `{\em`); none for a literal brace, which stays.
type Opening = Option<(usize, usize)>;

/// Each segment's text once the groups that formulas split are undone (an empty string for a
/// formula). Borrowed, and so the same bytes, where nothing was undone.
pub(super) fn unsplit<'a>(segments: &[Segment<'a>]) -> Vec<Cow<'a, str>> {
    let as_is = |s: &Segment<'a>| match *s {
        Segment::Text(text) => Cow::Borrowed(text),
        Segment::Math { .. } => Cow::Borrowed(""),
    };
    // Most abstracts have no formula, and so nothing to undo: no scan of their text.
    if !segments.iter().any(|s| matches!(s, Segment::Math { .. })) {
        return segments.iter().map(as_is).collect();
    }
    let mut cuts: Vec<Vec<(usize, usize)>> = vec![Vec::new(); segments.len()];
    // Groups still open after the pieces read so far: their piece, and their opening's bytes
    // when it is a command's (a literal brace has none).
    let mut open: Vec<(usize, Opening)> = Vec::new();
    for (k, segment) in segments.iter().enumerate() {
        let Segment::Text(text) = *segment else {
            continue;
        };
        // Groups opened in this piece: their opening's bytes when it is a command's, and the
        // command's start when it may take another argument after the group.
        let mut local: Vec<(Opening, Option<usize>)> = Vec::new();
        let bytes = text.as_bytes();
        // Where the command whose argument may come next started.
        let mut command: Option<usize> = None;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => {
                    let name = bytes[i + 1..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
                    command = (name > 0).then_some(i);
                    // An escaped character (`\{`, `\}`, `\\`) is skipped with its backslash.
                    i += 1 + name.max(1);
                    continue;
                }
                b'{' => {
                    let switch = super::inline::style_switch(&text[i + 1..]);
                    let opening = match (switch, command) {
                        // The brace and the switch (`{\\em`).
                        (true, _) => Some((i, i + 4)),
                        (false, Some(start)) => Some((start, i + 1)),
                        (false, None) => None,
                    };
                    local.push((opening, command));
                    command = None;
                }
                b'}' => {
                    command = None;
                    match local.pop() {
                        // Closed in its own piece: its command may take another argument.
                        Some((_, of)) => command = of.filter(|_| bytes.get(i + 1) == Some(&b'{')),
                        None => {
                            if let Some((from, Some(opening))) = open.pop() {
                                cuts[from].push(opening);
                                cuts[k].push((i, i + 1));
                            }
                        }
                    }
                }
                _ => command = None,
            }
            i += 1;
        }
        open.extend(local.into_iter().map(|(opening, _)| (k, opening)));
    }
    segments
        .iter()
        .zip(cuts)
        .map(|(segment, mut cuts)| match *segment {
            Segment::Text(text) if !cuts.is_empty() => {
                cuts.sort_unstable();
                let mut out = String::with_capacity(text.len());
                let mut at = 0;
                for (from, to) in cuts {
                    out.push_str(&text[at..from.max(at)]);
                    at = at.max(to);
                }
                out.push_str(&text[at..]);
                Cow::Owned(out)
            }
            _ => as_is(segment),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::math::split_dollars;

    /// The pieces of text of `text` once split groups are undone, formulas as `[f]`.
    fn pieces(text: &str) -> String {
        let segments = split_dollars(text);
        let texts = unsplit(&segments);
        segments
            .iter()
            .zip(&texts)
            .map(|(s, t)| match s {
                Segment::Text(_) => t.to_string(),
                Segment::Math { .. } => "[f]".to_string(),
            })
            .collect()
    }

    #[test]
    fn a_group_a_formula_splits_loses_its_opening_and_its_brace() {
        // Real abstracts of May 2026.
        assert_eq!(
            pieces(r"we propose \emph{Calibrated Accuracy ($\mathrm{Cal}$)}, which jointly rewards"),
            "we propose Calibrated Accuracy ([f]), which jointly rewards"
        );
        assert_eq!(pieces(r"is \textbf{79$\times$} faster"), "is 79[f] faster");
        assert_eq!(
            pieces(r"delay scale as \scalebox{0.65}{$\textstyle Θ(n)$}, where $n$ is"),
            "delay scale as [f], where [f] is"
        );
        assert_eq!(
            pieces(r"\emph{minimizes both storage $α$ and repair bandwidth $d β_{\mathsf{q}}$} when"),
            "minimizes both storage [f] and repair bandwidth [f] when"
        );
        assert_eq!(pieces(r"a {\em fast $x$ code} here"), "a  fast [f] code here");
        assert_eq!(pieces(r"\textbf{\emph{A $x$ B}} C"), "A [f] B C");
    }

    #[test]
    fn other_braces_are_left_to_the_text_reader() {
        for text in [
            r"a \emph{closed} group, then $x$ and \textbf{another}",
            r"labels in {$a$, $b$, no} stay literal",
            r"escaped \{$x$\} braces",
            r"\emph{never closed $x$ at all",
            r"a stray $x$} brace stays",
            r"\href{https://x.org}{a link} and $x$",
        ] {
            let segments = split_dollars(text);
            let texts = unsplit(&segments);
            assert!(texts.iter().all(|t| matches!(t, Cow::Borrowed(_))), "{text}: {texts:?}");
        }
    }

    #[test]
    fn the_page_shows_no_stray_brace() {
        let r = super::super::abstracts::render_plain(
            r"We propose \emph{Calibrated Accuracy ($\mathrm{Cal}$)}, which rewards abstention.",
            true,
        );
        assert!(!r.html.contains('}'), "{}", r.html);
        assert!(r.html.starts_with("<p>We propose Calibrated Accuracy "), "{}", r.html);
        assert!(!r.text.contains(['{', '}', '\\']), "{}", r.text);
    }
}
