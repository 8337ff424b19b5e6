//! pulldown-latex's MathML made valid HTML: its output is what browsers render, but the Nu
//! Html Checker (MathML 3) rejects some of it, and pages must pass the checker. Each repair
//! here keeps what a browser shows.

use crate::text::escape::is_forbidden_char;

/// The renderer's MathML as a page can carry it: operators escaped, attributes apart, style
/// attributes on an `mstyle`, script elements with the children they take, and spaces as
/// spaces.
pub(super) fn valid_html(mathml: &str) -> String {
    no_escaped_spaces(spacing_before_scripts(style_attributes_apart(escape_operators(mathml))))
}

/// The renderer writes a control space (`\exists\ \lambda`) or `~` as the text `&nbsp;`
/// and then escapes it, so the page showed "&nbsp;" (5 abstracts of May 2026): a
/// non-breaking space it is.
fn no_escaped_spaces(out: String) -> String {
    if out.contains("&amp;nbsp;") {
        out.replace("&amp;nbsp;", "&#160;")
    } else {
        out
    }
}

/// Elements whose children are fixed in number (a base and its scripts), with that number.
const SCRIPTED: [(&str, usize); 6] = [
    ("msub", 2),
    ("msup", 2),
    ("msubsup", 3),
    ("munder", 2),
    ("mover", 2),
    ("munderover", 3),
];

/// The renderer puts an operator's leading space inside a script element whose base it is
/// (`\log^2` gives `<msup><mspace width="0.1667em" /><mi>log</mi><mn>2</mn></msup>`,
/// three children where `msup` takes two, which the Nu Html Checker rejects): the space
/// goes before the element instead, where it means the same. Only a space that is one
/// child too many moves (in `\,_i` the space is the base).
fn spacing_before_scripts(mut out: String) -> String {
    for (name, children) in SCRIPTED {
        let open = format!("<{name}><mspace");
        let mut from = 0;
        while let Some(found) = out[from..].find(&open) {
            let at = from + found;
            let inside = at + name.len() + 2;
            let Some(len) = out[inside..].find("/>") else {
                break;
            };
            let space_end = inside + len + 2;
            if count_children(&out[inside..]) == Some(children + 1) {
                let space = out[inside..space_end].to_string();
                out.replace_range(at..space_end, &format!("{space}<{name}>"));
            }
            from = at + 1;
        }
    }
    out
}

/// How many elements `children` starts with before the end tag that closes their parent,
/// or `None` when it does not read as markup.
fn count_children(children: &str) -> Option<usize> {
    let (mut depth, mut count) = (0usize, 0);
    let mut rest = children;
    while let Some(at) = rest.find('<') {
        let end = rest[at..].find('>')? + at;
        let tag = &rest[at + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('/') {
            if depth == 0 {
                return Some(count);
            }
            depth -= 1;
        } else {
            if depth == 0 {
                count += 1;
            }
            if !tag.ends_with('/') {
                depth += 1;
            }
        }
    }
    None
}

/// Attributes that the Nu Html Checker (MathML 3) allows only on `mstyle`, `mtable` and
/// `math`, though the renderer puts them on any element (`\displaystyle` gives `<mfrac
/// displaystyle="true" scriptlevel="0">`).
const STYLE_ATTRIBUTES: [&str; 2] = ["displaystyle", "scriptlevel"];

/// Moves [`STYLE_ATTRIBUTES`] off other elements into an `mstyle` around them, which means
/// the same to a browser and passes the checker. Expects `mathml` as
/// [`escape_operators`] leaves it: every `<` opens a tag, attributes apart.
fn style_attributes_apart(mathml: String) -> String {
    if !STYLE_ATTRIBUTES.iter().any(|a| mathml.contains(a)) {
        return mathml;
    }
    let mut out = String::with_capacity(mathml.len() + 64);
    // For each open element: whether an `mstyle` was opened around it.
    let mut open: Vec<bool> = Vec::new();
    let mut rest = mathml.as_str();
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let Some(len) = rest[at..].find('>') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let tag = &rest[at + 1..at + len];
        rest = &rest[at + len + 1..];
        if tag.starts_with('/') {
            out.push('<');
            out.push_str(tag);
            out.push('>');
            if open.pop() == Some(true) {
                out.push_str("</mstyle>");
            }
            continue;
        }
        let closed = tag.ends_with('/');
        let tag = tag.trim_end_matches('/').trim_end();
        let name = tag.split(' ').next().unwrap_or_default();
        let (mut kept, mut moved) = (String::from(name), String::new());
        for attribute in attributes(&tag[name.len()..]) {
            let key = attribute.split('=').next().unwrap_or_default();
            let into = match STYLE_ATTRIBUTES.contains(&key) && !matches!(name, "mstyle" | "mtable" | "math") {
                true => &mut moved,
                false => &mut kept,
            };
            into.push(' ');
            into.push_str(attribute);
        }
        let wrapped = !moved.is_empty();
        if wrapped {
            out.push_str("<mstyle");
            out.push_str(&moved);
            out.push('>');
        }
        out.push('<');
        out.push_str(&kept);
        out.push_str(if closed { "/>" } else { ">" });
        match closed {
            true if wrapped => out.push_str("</mstyle>"),
            true => {}
            false => open.push(wrapped),
        }
    }
    out.push_str(rest);
    out
}

/// The `name="value"` attributes of a tag's inside (after its name).
fn attributes(inside: &str) -> impl Iterator<Item = &str> {
    let mut rest = inside.trim_start();
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = match rest.find('"') {
            // The value's closing quote ends the attribute.
            Some(q) => rest[q + 1..].find('"').map_or(rest.len(), |c| q + 1 + c + 1),
            None => rest.len(),
        };
        let attribute = &rest[..end];
        rest = rest[end..].trim_start();
        Some(attribute)
    })
}

/// The renderer writes operator characters as they are (`<mo><</mo>`): escape every `<`
/// that does not open one of its tags and every `&` that does not start an entity, and drop
/// characters that HTML forbids. It also runs some attributes together (`\big(` gives
/// `stretchy="true"minsize="1.2em"`, which the Nu Html Checker rejects): a space goes
/// between them.
fn escape_operators(mathml: &str) -> String {
    let mut out = String::with_capacity(mathml.len() + 16);
    let (mut in_tag, mut in_value, mut value_closed) = (false, false, false);
    for (i, c) in mathml.char_indices() {
        let rest = &mathml[i + c.len_utf8()..];
        if in_tag && value_closed && c.is_ascii_alphabetic() {
            out.push(' ');
        }
        value_closed = false;
        match c {
            '<' if !rest.starts_with(|n: char| n.is_ascii_alphabetic() || n == '/') => out.push_str("&lt;"),
            '<' => {
                in_tag = true;
                out.push(c);
            }
            '"' if in_tag => {
                value_closed = in_value;
                in_value = !in_value;
                out.push(c);
            }
            '>' if in_tag && !in_value => {
                in_tag = false;
                out.push(c);
            }
            '&' if !is_entity(rest) => out.push_str("&amp;"),
            c if is_forbidden_char(c) => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::math::to_mathml;

    /// From a real abstract (arXiv 2605, `\[ X_{t+1} = π\big(F(f(X_t))\big), \]`).
    #[test]
    fn attributes_run_together_are_set_apart_and_operators_escaped() {
        let mathml = to_mathml("X_{t+1} = π\\big(F(f(X_t))\\big) < 1", true).unwrap();
        assert!(
            mathml.contains("stretchy=\"true\" minsize=\"1.2em\" maxsize=\"1.2em\""),
            "{mathml}"
        );
        assert!(
            !mathml.contains("\"minsize") && !mathml.contains("\"maxsize"),
            "{mathml}"
        );
        assert!(mathml.contains("<mo>&lt;</mo>"), "{mathml}");
    }

    /// From a real abstract (May 2026): "∃&nbsp;λ-constacyclic" showed on the page.
    #[test]
    fn a_control_space_is_a_space_not_its_escaped_entity() {
        let mathml = to_mathml("\\exists\\ \\lambda\\text{-constacyclic} \\iff a~b", true).unwrap();
        assert!(!mathml.contains("&amp;nbsp;"), "{mathml}");
        assert!(mathml.contains("&#160;"), "{mathml}");
    }

    /// From a real abstract (arXiv 2605, `\log^2`).
    #[test]
    fn an_operators_space_goes_before_its_scripts() {
        let mathml = to_mathml("\\overline{m}^{5/3} \\log^2 \\overline{m}", false).unwrap();
        assert!(!mathml.contains("<msup><mspace"), "{mathml}");
        assert!(
            mathml.contains("<mspace width=\"0.1667em\" /><msup><mi>log</mi><mn>2</mn></msup>"),
            "{mathml}"
        );
        // A space that is the base stays one.
        let base = "<math><msub><mspace width=\"1em\" /><mi>i</mi></msub></math>";
        assert_eq!(spacing_before_scripts(base.to_string()), base);
        assert_eq!(
            count_children("<mi>a</mi><mrow><mi>b</mi><mspace /></mrow></msub>"),
            Some(2)
        );
    }

    /// From a real abstract (arXiv 2605, `\Theta\left(\sqrt{\frac{n}{\log n}}\right)`
    /// under `\displaystyle`).
    #[test]
    fn style_attributes_move_to_an_mstyle_around_their_element() {
        let mathml = to_mathml(
            "\\displaystyle \\frac{a}{b} + \\textstyle \\Theta\\left(x\\right)",
            false,
        )
        .unwrap();
        let misplaced = mathml
            .split('<')
            .filter(|tag| !tag.starts_with("mstyle") && !tag.starts_with("math"))
            .any(|tag| {
                STYLE_ATTRIBUTES
                    .iter()
                    .any(|a| tag.split('>').next().unwrap().contains(a))
            });
        assert!(!misplaced, "{mathml}");
        assert!(
            mathml.contains("<mstyle displaystyle=\"true\" scriptlevel=\"0\"><mfrac>"),
            "{mathml}"
        );
        assert_eq!(
            mathml.matches("<mstyle").count(),
            mathml.matches("</mstyle>").count(),
            "{mathml}"
        );
        assert_eq!(
            style_attributes_apart(
                "<math><mi displaystyle=\"true\" mathvariant=\"normal\">Θ</mi><mspace scriptlevel=\"0\" width=\"1em\"/></math>"
                    .to_string()
            ),
            "<math><mstyle displaystyle=\"true\"><mi mathvariant=\"normal\">Θ</mi></mstyle><mstyle scriptlevel=\"0\"><mspace width=\"1em\"/></mstyle></math>"
        );
    }
}
