//! Math in abstracts: `$…$`, `$$…$$`, `\(…\)` and `\[…\]` become MathML at build time (no
//! JavaScript, no fonts fetched), and scraped text whose `$` and `\` were lost gets a
//! conservative repair.
//!
//! Pages get MathML; feeds get the LaTeX source as text, since feed readers strip MathML.
//! A formula that does not convert is shown as its source, never dropped.

mod dollars;
mod mathml;
mod mend;
mod repair;
mod unicode;

pub use dollars::{Segment, split_dollars};
pub use repair::repair_into;
pub use unicode::to_unicode;

/// `text` raised (`sup`) or lowered with Unicode's script digits, when it is only digits and
/// the signs that have script forms: `M\textsuperscript{4}Fuse` is the name M⁴Fuse, as
/// `M$^4$Fuse` is. Letters stay as they are (`None`): an ordinal's `st` reads better plain
/// than as small raised letters, and most letters have no lowered form.
pub fn script_digits(text: &str, sup: bool) -> Option<String> {
    let table = if sup { repair::SUPERSCRIPTS } else { repair::SUBSCRIPTS };
    let numeric = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || "+-=()".contains(c));
    numeric.then(|| repair::scripted(text, table)).flatten()
}

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

use super::escape::escape_into;

/// MathML for `latex`, or `None` when it does not parse (the caller shows the source). A
/// formula that fails is tried once more with the commands pulldown-latex does not know
/// rewritten (`mend.rs`).
pub fn to_mathml(latex: &str, display: bool) -> Option<String> {
    convert(latex, display).or_else(|| convert(&mend::mend(latex)?, display))
}

fn convert(latex: &str, display: bool) -> Option<String> {
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
    Some(mathml::valid_html(&out))
}

/// A formula for a page: MathML, or its source as code when it does not convert. The flag
/// says whether it converted (only then does the feed need its own form).
pub fn formula_html(latex: &str, display: bool) -> (String, bool) {
    match to_mathml(latex, display) {
        Some(mathml) => (mathml, true),
        None => {
            let mut code = String::from("<code class=\"math-source\">");
            escape_into(&mut code, &source(latex, display));
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
