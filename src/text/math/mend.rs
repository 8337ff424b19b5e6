//! Formulas that use what pulldown-latex does not know, rewritten into what it does. Authors
//! define their own macros in preambles that abstracts never carry (`\R`, `\F_q`, `\PG(1,q)`)
//! and use commands from packages pulldown-latex leaves out (`\mathscr`, `\smash`, `\mbox`,
//! `\unicode`). One such command made a whole formula fail, and the reader saw its source:
//! 38 formulas of the real May 2026 listings, of which 36 convert now (the other two came
//! from one abstract whose dollars are nested, which `dollars.rs` now splits as TeX does).
//!
//! Only a formula that failed is mended, so a formula that converts is never changed.

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use pulldown_latex::{Parser, Storage};

/// Size commands: they change nothing a reader of one formula needs, and inside `\text`
/// they fail.
const SIZES: &[&str] = &[
    "tiny",
    "scriptsize",
    "footnotesize",
    "small",
    "normalsize",
    "large",
    "Large",
    "LARGE",
    "huge",
    "Huge",
];

/// Letters that name number sets and fields when an author defines them as macros (`\R` for
/// ℝ, `\F_q` for 𝔽_q): shown double-struck. Any other unknown macro shows as its name.
const NUMBER_SETS: &[&str] = &["R", "N", "Z", "Q", "C", "F"];

/// `latex` with every command pulldown-latex does not know replaced (see the module
/// documentation); `None` when nothing changed, so there is nothing to try again.
pub(super) fn mend(latex: &str) -> Option<String> {
    let mut out = String::with_capacity(latex.len() + 16);
    let mut rest = latex;
    let mut changed = false;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let name_len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        if name_len == 0 {
            // `\\`, `\{`, `\,` and the like: kept, with the character they escape.
            let escaped = after.chars().next().map_or(0, char::len_utf8);
            out.push_str(&rest[at..at + 1 + escaped]);
            rest = &after[escaped..];
            continue;
        }
        let name = &after[..name_len];
        let tail = &after[name_len..];
        let (replacement, consumed) = replace(name, tail);
        match replacement {
            Some(text) => {
                changed = true;
                out.push_str(&text);
                rest = &tail[consumed..];
            }
            None => {
                out.push('\\');
                out.push_str(name);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// What command `name` (followed by `tail`) becomes, and how many bytes of `tail` that
/// takes along; `None` to keep it.
fn replace(name: &str, tail: &str) -> (Option<String>, usize) {
    match name {
        "unicode" => match braced(tail).and_then(|(body, len)| code_point(body).map(|c| (c, len))) {
            Some((c, len)) => (Some(c.to_string()), len),
            None => (None, 0),
        },
        "mbox" | "hbox" => (Some("\\text".to_string()), 0),
        _ if SIZES.contains(&name) => (Some(String::new()), usize::from(tail.starts_with(' '))),
        "smash" => {
            let optional = tail
                .strip_prefix('[')
                .and_then(|t| t.find(']'))
                .map_or(0, |close| close + 2);
            (Some(String::new()), optional)
        }
        "mathscr" if !known(name) => (Some("\\mathcal".to_string()), 0),
        _ if known(name) => (None, 0),
        _ if NUMBER_SETS.contains(&name) => (Some(format!("\\mathbb{{{name}}}")), 0),
        _ => (Some(format!("\\operatorname{{{name}}}")), 0),
    }
}

/// The body of the `{…}` that `text` starts with, and the bytes up to its closing brace.
fn braced(text: &str) -> Option<(&str, usize)> {
    let body = text.strip_prefix('{')?;
    let close = body.find('}')?;
    Some((&body[..close], close + 2))
}

/// `x2013` (hexadecimal, as MathJax writes it) or `8211` (decimal) as a character.
fn code_point(body: &str) -> Option<char> {
    let body = body.trim();
    let value = match body.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => body.parse().ok()?,
    };
    char::from_u32(value).filter(|c| !c.is_control())
}

/// Whether pulldown-latex knows command `name`: it alone parses without an "unknown
/// primitive" error (a missing argument is another error, and means it is known). Asked
/// once per name and thread.
fn known(name: &str) -> bool {
    thread_local! {
        static KNOWN: RefCell<FxHashMap<String, bool>> = RefCell::new(FxHashMap::default());
    }
    KNOWN.with(|cache| {
        if let Some(&known) = cache.borrow().get(name) {
            return known;
        }
        let storage = Storage::new();
        let source = format!("\\{name}");
        let known = !Parser::new(&source, &storage)
            .filter_map(Result::err)
            .any(|e| e.to_string().contains("unknown primitive"));
        cache.borrow_mut().insert(name.to_string(), known);
        known
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_macros_and_missing_packages_become_what_converts() {
        // Each from a formula of the real May 2026 listings that showed as its source.
        let cases = [
            ("\\F_q", "\\mathbb{F}_q"),
            ("\\R^2", "\\mathbb{R}^2"),
            ("\\PG(1,q)", "\\operatorname{PG}(1,q)"),
            ("\\unicode{x2013}", "\u{2013}"),
            ("ψ_{\\mbox{\\tiny b}}", "ψ_{\\text{b}}"),
            ("\\smash{\\tilde{O}(dH^2\\sqrt{T})}", "{\\tilde{O}(dH^2\\sqrt{T})}"),
            ("u \\in \\mathscr{A}", "u \\in \\mathcal{A}"),
        ];
        for (latex, mended) in cases {
            assert_eq!(mend(latex).as_deref(), Some(mended), "{latex}");
            assert!(super::super::to_mathml(latex, false).is_some(), "{latex} converts");
        }
    }

    #[test]
    fn known_commands_and_escapes_are_left_alone() {
        assert_eq!(mend("\\frac{a}{b} \\leq \\mathbb{R}"), None);
        assert_eq!(mend("a \\, b \\\\ c \\{d\\}"), None);
        assert_eq!(mend("\\unicode{nothing}"), None, "not a character: the source is shown");
    }
}
