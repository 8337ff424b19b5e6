//! Tera's parser reports a tag left open where it gives up, not where the tag is: "Unexpected
//! end of input" on the line after the file's last, or "Unknown tag" at the `{% endblock %}`
//! that met an `{% if %}` still open. A theme author needs the tag to close and its line;
//! these read the template's own tags to say so.

/// Tags that hold a body and need their `{% end… %}` (a `{% set %}` only in its capturing
/// form, without `=`).
const PAIRED: [&str; 6] = ["if", "for", "block", "filter", "component", "set"];

/// One `{% … %}` tag: the line it starts on and its first word.
#[derive(Clone, Copy)]
struct Tag<'a> {
    line: usize,
    word: &'a str,
}

/// Tera's message made exact, as `(line, what is wrong)`, when it is one of the two that
/// point away from the mistake, or Tera's own otherwise.
pub(super) fn explain(text: &str, line: usize, what: &str) -> (usize, String) {
    let tags = tags(text);
    if what.contains("end of input") {
        return match open_before(&tags, tags.len()).pop() {
            Some(open) => (
                open.line,
                format!("`{{% {0} %}}` is never closed by an `{{% end{0} %}}`", open.word),
            ),
            None => (line.min(text.lines().count().max(1)), what.to_string()),
        };
    }
    if what.contains("but expected identifier") && what.contains('(') {
        // `truncate(80)`: Tera 2 takes every argument by name.
        return (
            line,
            format!(
                "{what}: filters, tests and functions take their arguments by name, `truncate(length=80)`, `is divisible_by(divisor=3)`"
            ),
        );
    }
    if what.contains("Unknown tag") {
        if let Some(at) = tags.iter().position(|t| t.line == line) {
            return (line, unknown_tag(&tags, at).unwrap_or_else(|| what.to_string()));
        }
    }
    (line, what.to_string())
}

/// Why the tag at `at` is not one Tera expects there.
fn unknown_tag(tags: &[Tag], at: usize) -> Option<String> {
    let word = tags[at].word;
    if matches!(word, "macro" | "endmacro" | "import") {
        return Some(format!(
            "`{{% {word} %}}` is Tera 1's, and Tera 2 has no macros: write a `{{% component %}}` instead"
        ));
    }
    let closes = word.strip_prefix("end")?;
    let open = open_before(tags, at);
    Some(match open.last() {
        Some(inner) => format!(
            "`{{% {word} %}}` comes before the `{{% end{0} %}}` of the `{{% {0} %}}` on line {1}",
            inner.word, inner.line
        ),
        None if PAIRED.contains(&closes) => {
            format!("`{{% {word} %}}` closes nothing: no `{{% {closes} %}}` is open here")
        }
        None => return None,
    })
}

/// The tags still open when `tags[end]` is reached, outermost first. An `{% end… %}` closes
/// the innermost tag of its kind and whatever it holds.
fn open_before<'a>(tags: &[Tag<'a>], end: usize) -> Vec<Tag<'a>> {
    let mut open: Vec<Tag> = Vec::new();
    for tag in &tags[..end] {
        if let Some(kind) = tag.word.strip_prefix("end") {
            if let Some(i) = open.iter().rposition(|t| t.word == kind) {
                open.truncate(i);
            }
        } else if PAIRED.contains(&tag.word) {
            open.push(*tag);
        }
    }
    open
}

/// Every `{% … %}` tag of `text` that opens or closes something, in order; comments and
/// `{% raw %}` bodies hold none. A `{% set x = … %}` is left out: it holds no body.
fn tags(text: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut line = 1;
    let mut in_raw = false;
    while let Some((before, kind, inner, after)) = next_tag(rest) {
        line += before.matches('\n').count();
        let body = inner.trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word = body.split_whitespace().next().unwrap_or("");
        if kind == '%' && (!in_raw || word == "endraw") {
            in_raw = word == "raw";
            let holds_nothing = matches!(word, "raw" | "endraw") || (word == "set" && body.contains('='));
            if !holds_nothing {
                out.push(Tag { line, word });
            }
        }
        line += inner.matches('\n').count();
        rest = after;
    }
    out
}

/// Splits `text` at its first `{% … %}` or `{# … #}`: what comes before, `%` or `#`, the
/// tag's inside, and what follows. `None` when no tag starts, or the first never ends.
fn next_tag(text: &str) -> Option<(&str, char, &str, &str)> {
    let at = match (text.find("{%"), text.find("{#")) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let kind = if text[at..].starts_with("{%") { '%' } else { '#' };
    let close = if kind == '%' { "%}" } else { "#}" };
    let body = &text[at + 2..];
    let end = body.find(close)?;
    Some((&text[..at], kind, &body[..end], &body[end + 2..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_open_at_the_end_is_named_where_it_opens() {
        let text = "{% block a %}\n{# {% for x in y %} #}\n{% raw %}{% if %}{% endraw %}\n{% if b %}\n";
        assert_eq!(
            explain(text, 5, "Unexpected end of input"),
            (4, "`{% if %}` is never closed by an `{% endif %}`".to_string())
        );
    }

    #[test]
    fn an_end_tag_met_while_another_is_open_names_the_open_one() {
        let text = "{% block a %}\n{% set x = 1 %}\n{% if b %}\n{% for c in d %}{% endfor %}\n{% endblock %}\n";
        assert_eq!(
            explain(text, 5, "Unknown tag"),
            (
                5,
                "`{% endblock %}` comes before the `{% endif %}` of the `{% if %}` on line 3".to_string()
            )
        );
        assert_eq!(
            explain("{% endif %}\n", 1, "Unknown tag"),
            (
                1,
                "`{% endif %}` closes nothing: no `{% if %}` is open here".to_string()
            )
        );
        assert!(
            explain("{% macro m() %}{% endmacro %}\n", 1, "Unknown tag")
                .1
                .contains("component")
        );
        assert_eq!(explain("{% frobnicate %}\n", 1, "Unknown tag").1, "Unknown tag");
        let (_, what) = explain("x", 1, "Found integer but expected identifier. (in `x | truncate(2)`)");
        assert!(what.ends_with("take their arguments by name, `truncate(length=80)`, `is divisible_by(divisor=3)`"));
    }
}
