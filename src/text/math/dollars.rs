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
/// them: `$ \alpha \in [0,\infty] $` is a formula too (see [`spaced_close`]).
pub fn split_dollars(text: &str) -> Vec<Segment<'_>> {
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
                out.push(Segment::Math {
                    latex: &text[i + 2..end],
                    display,
                });
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
                    out.push(Segment::Math {
                        latex: text[body..end].trim(),
                        display: false,
                    });
                    i = end + 1;
                    start = i;
                }
                None => i += open,
            }
            continue;
        }
        match find_close(bytes, body, display).filter(|&end| !text[body..end].trim().is_empty()) {
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
                let after_ok = !bytes.get(j + 1).is_some_and(u8::is_ascii_digit)
                    || std::str::from_utf8(&bytes[from..j]).is_ok_and(is_operator);
                return (before_ok && after_ok && j > from).then_some(j);
            }
            _ => j += 1,
        }
    }
    None
}

/// Where the `$` closing a formula that opened with a space (`$ \alpha \in [0,\infty] $`)
/// is, when its body is surely LaTeX: a macro (`\` and a letter) in it, not a number first
/// (a price: "$ 5 and $ 10"), on one line, no longer than a formula, and no digit after
/// the closing `$`.
fn spaced_close(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut j = from;
    while j < bytes.len() && j - from <= 300 {
        match bytes[j] {
            b'\\' => j += 2,
            b'\n' => return None,
            b'$' => {
                let body = text[from..j].trim();
                let macro_in = body
                    .as_bytes()
                    .windows(2)
                    .any(|w| w[0] == b'\\' && w[1].is_ascii_alphabetic());
                let price = body.starts_with(|c: char| c.is_ascii_digit());
                let digit_after = bytes.get(j + 1).is_some_and(u8::is_ascii_digit);
                return (macro_in && !price && !digit_after && bytes.get(j + 1) != Some(&b'$')).then_some(j);
            }
            _ => j += 1,
        }
    }
    None
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
                    latex: "λ_0\\ne0,",
                    display: false
                },
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
