//! Mending scraped LaTeX whose `$` and `\` were lost (`varepsilon` → ε, `^{2}` →
//! superscript), only where the reading is unambiguous.

use memchr::memmem::Finder;

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
        match scripted(t, table) {
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

/// `text` in the script forms of `table` ([`SUPERSCRIPTS`] or [`SUBSCRIPTS`]), when every
/// character has one.
pub(super) fn scripted(text: &str, table: &[(char, char)]) -> Option<String> {
    text.chars()
        .map(|c| table.iter().find(|(from, _)| *from == c).map(|(_, to)| *to))
        .collect()
}

/// Characters with a Unicode superscript form (every lower-case letter but q, most capitals).
pub(super) const SUPERSCRIPTS: &[(char, char)] = &[
    // A raised ring is a degree: `360^\circ` reads 360°, not 360^∘.
    ('∘', '°'),
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
    ('*', '*'),
    ('A', 'ᴬ'),
    ('B', 'ᴮ'),
    ('D', 'ᴰ'),
    ('E', 'ᴱ'),
    ('G', 'ᴳ'),
    ('H', 'ᴴ'),
    ('I', 'ᴵ'),
    ('J', 'ᴶ'),
    ('K', 'ᴷ'),
    ('L', 'ᴸ'),
    ('M', 'ᴹ'),
    ('N', 'ᴺ'),
    ('O', 'ᴼ'),
    ('P', 'ᴾ'),
    ('R', 'ᴿ'),
    ('T', 'ᵀ'),
    ('U', 'ᵁ'),
    ('V', 'ⱽ'),
    ('W', 'ᵂ'),
    ('a', 'ᵃ'),
    ('b', 'ᵇ'),
    ('c', 'ᶜ'),
    ('d', 'ᵈ'),
    ('e', 'ᵉ'),
    ('f', 'ᶠ'),
    ('g', 'ᵍ'),
    ('h', 'ʰ'),
    ('i', 'ⁱ'),
    ('j', 'ʲ'),
    ('k', 'ᵏ'),
    ('l', 'ˡ'),
    ('m', 'ᵐ'),
    ('n', 'ⁿ'),
    ('o', 'ᵒ'),
    ('p', 'ᵖ'),
    ('r', 'ʳ'),
    ('s', 'ˢ'),
    ('t', 'ᵗ'),
    ('u', 'ᵘ'),
    ('v', 'ᵛ'),
    ('w', 'ʷ'),
    ('x', 'ˣ'),
    ('y', 'ʸ'),
    ('z', 'ᶻ'),
];
/// Characters with a Unicode subscript form.
pub(super) const SUBSCRIPTS: &[(char, char)] = &[
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
    ('h', 'ₕ'),
    ('i', 'ᵢ'),
    ('j', 'ⱼ'),
    ('k', 'ₖ'),
    ('l', 'ₗ'),
    ('m', 'ₘ'),
    ('n', 'ₙ'),
    ('o', 'ₒ'),
    ('p', 'ₚ'),
    ('r', 'ᵣ'),
    ('s', 'ₛ'),
    ('t', 'ₜ'),
    ('u', 'ᵤ'),
    ('v', 'ᵥ'),
    ('x', 'ₓ'),
];

/// Symbols raised with `^` whose macro lost its backslash (`Var^star`, `A^top`): after a
/// caret these names are never words.
const RAISED_SYMBOLS: &[(&str, &str)] = &[
    ("star", "⋆"),
    ("prime", "′"),
    ("top", "⊤"),
    ("dagger", "†"),
    ("ast", "∗"),
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

/// What [`repair_text`] looks for before it reads an abstract closely, built once
/// (building the searches for every abstract was 1% of a clean build's CPU).
struct QuickLook {
    sim: Finder<'static>,
    times: Finder<'static>,
    mathcal: Finder<'static>,
    /// The [`LOST_MACROS`].
    lost: Vec<Finder<'static>>,
}

static QUICK_LOOK: std::sync::LazyLock<QuickLook> = std::sync::LazyLock::new(|| QuickLook {
    sim: Finder::new("sim"),
    times: Finder::new("times"),
    mathcal: Finder::new("mathcal"),
    lost: LOST_MACROS.iter().map(|(name, _)| Finder::new(name)).collect(),
});

/// `mathcal{X}`: the script capitals (several live in the Letterlike Symbols block).
pub(super) fn script_capital(c: char) -> Option<char> {
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
    let mended = mend_words(text, false);
    let text: &str = &mended;
    // Most abstracts need nothing. A quick look for what each rule needs to apply, with
    // `sim` and `times` (common inside English words) only at a word's start before a
    // number.
    let at_word_start = |i: usize| !text[..i].chars().next_back().is_some_and(char::is_alphabetic);
    let number_at = |i: usize| {
        let after = text[i..].strip_prefix(' ').unwrap_or(&text[i..]);
        after.starts_with(|c: char| c.is_ascii_digit())
    };
    // `memmem` looks with SIMD: `str` searches here were 3% of a clean build's CPU.
    let bytes = text.as_bytes();
    let look = &*QUICK_LOOK;
    let before_number = |finder: &Finder<'static>| {
        let len = finder.needle().len();
        finder.find_iter(bytes).any(|i| at_word_start(i) && number_at(i + len))
    };
    let may_need = memchr::memchr3(b'^', b'_', b'\\', bytes).is_some()
        || look.lost.iter().any(|name| name.find(bytes).is_some())
        || look.mathcal.find_iter(bytes).any(at_word_start)
        || before_number(&look.sim)
        || before_number(&look.times);
    if !may_need {
        return vec![Part::Text(text.to_string())];
    }
    let mut parts: Vec<Part> = Vec::new();
    let mut plain = String::with_capacity(text.len());
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
            // What the script attaches to: the character before it, or before one space
            // (`sigma ^2` lost its `\` and kept LaTeX's space).
            let mut prev = text[..k].chars().next_back();
            let spaced = prev == Some(' ');
            if spaced {
                prev = text[..k - 1].chars().next_back();
            }
            let base = prev.is_some_and(|p| p.is_alphanumeric() || matches!(p, ')' | '*' | '}'));
            // A bare script is a number (`^10`), `*`, one letter standing alone (`x_i`,
            // `n^d`, but not `snake_case`), or a raised symbol whose macro lost its `\`
            // (`Var^star`, `A^top`).
            let digits = bytes[k + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            let lost_symbol = (c == '^' && base && !spaced)
                .then(|| {
                    RAISED_SYMBOLS.iter().find(|(name, _)| {
                        rest[1..].starts_with(name)
                            && !bytes.get(k + 1 + name.len()).is_some_and(u8::is_ascii_alphanumeric)
                    })
                })
                .flatten();
            let bare = match bytes.get(k + 1) {
                _ if digits > 0 => Some(k + 1 + digits),
                Some(b'*') if c == '^' => Some(k + 2),
                Some(n) if n.is_ascii_alphabetic() && !bytes.get(k + 2).is_some_and(u8::is_ascii_alphanumeric) => {
                    Some(k + 2)
                }
                _ => None,
            };
            let script = if let Some((name, symbol)) = lost_symbol {
                Some((k + 1 + name.len(), (*symbol).to_string()))
            } else if bytes.get(k + 1) == Some(&b'{') && (!spaced || base) {
                braced(text, k + 1)
            } else {
                bare.filter(|_| base).map(|end| (end, text[k + 1..end].to_string()))
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
                if spaced && plain.ends_with(' ') {
                    plain.pop();
                }
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

/// Greek letter names, as scraping leaves `\alpha` when it loses the backslash.
const GREEK: &[(&str, &str)] = &[
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ε"),
    ("zeta", "ζ"),
    ("eta", "η"),
    ("theta", "θ"),
    ("iota", "ι"),
    ("kappa", "κ"),
    ("lambda", "λ"),
    ("mu", "μ"),
    ("nu", "ν"),
    ("xi", "ξ"),
    ("pi", "π"),
    ("rho", "ρ"),
    ("sigma", "σ"),
    ("tau", "τ"),
    ("upsilon", "υ"),
    ("phi", "φ"),
    ("chi", "χ"),
    ("psi", "ψ"),
    ("omega", "ω"),
    ("Gamma", "Γ"),
    ("Delta", "Δ"),
    ("Theta", "Θ"),
    ("Lambda", "Λ"),
    ("Xi", "Ξ"),
    ("Pi", "Π"),
    ("Sigma", "Σ"),
    ("Upsilon", "Υ"),
    ("Phi", "Φ"),
    ("Psi", "Ψ"),
    ("Omega", "Ω"),
];

/// Macro names that are never English words, whatever surrounds them.
const SYMBOLS: &[(&str, &str)] = &[
    ("geq", "≥"),
    ("leq", "≤"),
    ("neq", "≠"),
    ("infty", "∞"),
    ("cdot", "·"),
    ("cdots", "⋯"),
    ("ldots", "…"),
    ("propto", "∝"),
    ("rightarrow", "→"),
    ("Rightarrow", "⇒"),
    ("mapsto", "↦"),
    ("nabla", "∇"),
    ("forall", "∀"),
    ("otimes", "⊗"),
    ("oplus", "⊕"),
];

/// Font macros whose braced argument is math: `mathsf{Var}` reads `Var`.
const FONTS: &[&str] = &[
    "mathsf",
    "mathrm",
    "mathbf",
    "mathit",
    "mathtt",
    "mathbb",
    "boldsymbol",
    "operatorname",
    "text",
    "textrm",
];

/// Every name [`mend_word`] looks at as a whole word.
static MACRO_NAMES: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> = std::sync::LazyLock::new(|| {
    let words = [
        "Big",
        "big",
        "Bigg",
        "bigg",
        "Bigl",
        "Bigr",
        "bigl",
        "bigr",
        "sqrt",
        "frac",
        "mathcal",
        "widetilde",
        "widehat",
        "overline",
        "tilde",
        "hat",
        "bar",
    ];
    GREEK
        .iter()
        .map(|(n, _)| *n)
        .chain(SYMBOLS.iter().map(|(n, _)| *n))
        .chain(FONTS.iter().copied())
        .chain(words)
        .collect()
});

/// For each first byte, the lengths (as bits) of the names in [`MACRO_NAMES`] that start
/// with it.
static NAME_SHAPES: std::sync::LazyLock<[u16; 128]> = std::sync::LazyLock::new(|| {
    let mut shapes = [0u16; 128];
    for name in MACRO_NAMES.iter() {
        shapes[name.as_bytes()[0] as usize & 127] |= 1 << name.len().min(15);
    }
    shapes
});

/// Mends macro names that lost their backslash, where they cannot be English words:
/// `left(`/`right)` pairs and `Big(` become brackets, `geq` ≥, `sqrt{T}` √T, `frac{a}{b}`
/// a/b, `mathsf{X}` X, `widetilde O` Õ, and a Greek name becomes its letter where math
/// surrounds it (`Omega(dM)`, `tau^2`, `psi geq`, inside `left(…right)`), never in prose
/// ("Delta Airlines", "the beta distribution"). In `math` (a macro's argument) Greek names
/// always convert.
fn mend_words(text: &str, math: bool) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut k, mut copied, mut depth) = (0, 0, 0usize);
    let mut changed = false;
    while k < bytes.len() {
        if !bytes[k].is_ascii_alphabetic() || (k > 0 && bytes[k - 1].is_ascii_alphabetic()) {
            k += 1;
            continue;
        }
        let end = k + bytes[k..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
        let run = &text[k..end];
        // Nearly every word is prose: its first letter and length, then one lookup, rule it
        // out.
        let glued = run.as_bytes()[run.len() - 1] == b't' && (run.ends_with("left") || run.ends_with("right"));
        let maybe = run.len() < 16 && NAME_SHAPES[bytes[k] as usize & 127] & (1 << run.len()) != 0;
        if !(glued || maybe && MACRO_NAMES.contains(run)) {
            k = end;
            continue;
        }
        let ctx = Context {
            text,
            start: k,
            end,
            math: math || depth > 0,
        };
        if let Some((replacement, next, opened)) = mend_word(run, &ctx) {
            out.push_str(&text[copied..k]);
            out.push_str(&replacement);
            depth = match opened {
                Some(true) => depth + 1,
                Some(false) => depth.saturating_sub(1),
                None => depth,
            };
            (copied, k, changed) = (next, next, true);
        } else {
            k = end;
        }
    }
    if !changed {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Where a run of letters stands in its text.
struct Context<'t> {
    text: &'t str,
    start: usize,
    end: usize,
    /// Inside math already (a macro's argument, `left(…right)`).
    math: bool,
}

impl Context<'_> {
    fn before(&self) -> Option<u8> {
        self.start.checked_sub(1).map(|i| self.text.as_bytes()[i])
    }
    fn after(&self) -> Option<u8> {
        self.text.as_bytes().get(self.end).copied()
    }
    /// The word after one space, or the characters there.
    fn next_token(&self) -> &str {
        let rest = self.text[self.end..].strip_prefix(' ').unwrap_or("");
        rest.split(' ').next().unwrap_or("")
    }
    fn previous_token(&self) -> &str {
        let head = self.text[..self.start].strip_suffix(' ').unwrap_or("");
        head.rsplit(' ').next().unwrap_or("")
    }
    /// Whether math surrounds the run: a script, a bracket or a relation right beside it.
    fn mathy(&self) -> bool {
        let relation = |t: &str| {
            matches!(t, "=" | "<" | ">" | "\\leq" | "\\geq")
                || SYMBOLS.iter().any(|(n, _)| *n == t)
                || t.starts_with("left")
        };
        self.math
            || self.before().is_some_and(|b| b"({[^_=<>+*/|".contains(&b))
            || self.after().is_some_and(|b| b"^_({[)}]".contains(&b))
            || relation(self.next_token())
            || self.next_token().starts_with(['^', '_'])
            || relation(self.previous_token())
    }
}

/// The mended form of `run` in its context, with the byte where the text goes on and
/// whether it opened (`Some(true)`) or closed a `left(…right)` pair.
fn mend_word(run: &str, ctx: &Context) -> Option<(String, usize, Option<bool>)> {
    let after = ctx.after();
    let opener = |b: Option<u8>| b.is_some_and(|b| b"([{|".contains(&b));
    let closer = |b: Option<u8>| b.is_some_and(|b| b")]}|".contains(&b));
    // `left(` and `right)`, glued to what precedes them (`Oleft(`, `epsilonright)`).
    for (suffix, open) in [("left", true), ("right", false)] {
        let Some(head) = run.strip_suffix(suffix) else {
            continue;
        };
        if (open && !opener(after)) || (!open && (!closer(after) || !ctx.math)) {
            continue;
        }
        let mut out = String::new();
        if !head.is_empty() {
            let inner = Context {
                end: ctx.start + head.len(),
                math: true,
                ..*ctx
            };
            match greek(head).filter(|_| head.len() >= 2) {
                Some(g) => out.push_str(g),
                None => out.push_str(&mend_word(head, &inner).map_or_else(|| head.to_string(), |m| m.0)),
            }
        }
        return Some((out, ctx.end, Some(open)));
    }
    if matches!(run, "Big" | "big" | "Bigg" | "bigg" | "Bigl" | "Bigr" | "bigl" | "bigr")
        && (opener(after) || closer(after))
    {
        return Some((String::new(), ctx.end, None));
    }
    let whole = ctx.before().is_none_or(|b| !b.is_ascii_alphabetic()) && after.is_none_or(|b| !b.is_ascii_alphabetic());
    if !whole {
        return None;
    }
    if let Some((_, symbol)) = SYMBOLS.iter().find(|(n, _)| *n == run) {
        return Some((symbol.to_string(), ctx.end, None));
    }
    if let Some(g) = greek(run).filter(|_| ctx.mathy() || (run == "epsilon" && after == Some(b'-'))) {
        return Some((g.to_string(), ctx.end, None));
    }
    let text = ctx.text;
    match run {
        "sqrt" => {
            if after == Some(b'{') {
                let (end, body) = braced(text, ctx.end)?;
                let inner = mend_words(&body, true);
                let root = if inner.chars().count() > 1 {
                    format!("√({inner})")
                } else {
                    format!("√{inner}")
                };
                return Some((root, end, None));
            }
            if after == Some(b'(') {
                return Some(("√".into(), ctx.end, None));
            }
            let next = ctx.next_token();
            let operand: String = next.chars().take_while(|c| c.is_alphanumeric()).collect();
            (!operand.is_empty()).then(|| (format!("√{operand}"), ctx.end + 1 + operand.len(), None))
        }
        "frac" => {
            let digits = &text.as_bytes()[ctx.end..];
            if digits.len() >= 2 && digits[0].is_ascii_digit() && digits[1].is_ascii_digit() {
                return Some((
                    format!("{}/{}", digits[0] as char, digits[1] as char),
                    ctx.end + 2,
                    None,
                ));
            }
            let (mid, num) = braced(text, ctx.end)?;
            let (end, den) = braced(text, mid)?;
            let part = |s: &str| {
                let s = mend_words(s, true).into_owned();
                if s.chars().count() > 1 && s.chars().any(|c| !c.is_alphanumeric()) {
                    format!("({s})")
                } else {
                    s
                }
            };
            Some((format!("{}/{}", part(&num), part(&den)), end, None))
        }
        "widetilde" | "widehat" | "overline" | "tilde" | "hat" | "bar" => {
            let combining = match run {
                "widetilde" | "tilde" => '\u{303}',
                "widehat" | "hat" => '\u{302}',
                _ => '\u{304}',
            };
            let (end, body) = match after {
                Some(b'{') => braced(text, ctx.end)?,
                // `widetilde O`: only the wide ones, never English words, take a bare letter.
                Some(b' ') if run.starts_with("wide") || run == "overline" => {
                    let next = ctx.next_token();
                    let letter: String = next.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
                    (letter.len() == 1).then_some((ctx.end + 2, letter))?
                }
                _ => return None,
            };
            let mut body = mend_words(&body, true).into_owned();
            if body.chars().count() == 1 {
                body.push(combining);
            }
            Some((body, end, None))
        }
        font if (FONTS.contains(&font) || font == "mathcal") && after == Some(b'{') => {
            let (end, body) = braced(text, ctx.end)?;
            // `mathcal{O}` alone is the older rule's, below.
            if font == "mathcal" && body.chars().count() == 1 {
                return None;
            }
            let body = mend_words(&body, true);
            let styled: String = match font {
                "mathbb" => body.chars().map(|c| double_struck(c).unwrap_or(c)).collect(),
                "mathcal" => body.chars().map(|c| script_capital(c).unwrap_or(c)).collect(),
                _ => body.into_owned(),
            };
            Some((styled, end, None))
        }
        _ => None,
    }
}

fn greek(word: &str) -> Option<&'static str> {
    GREEK.iter().find(|(name, _)| *name == word).map(|(_, g)| *g)
}

/// `mathbb{R}`: the double-struck capitals.
fn double_struck(c: char) -> Option<char> {
    Some(match c {
        'C' => 'ℂ',
        'N' => 'ℕ',
        'Q' => 'ℚ',
        'R' => 'ℝ',
        'Z' => 'ℤ',
        'A'..='Z' => char::from_u32(0x1D538 + (c as u32 - 'A' as u32))?,
        _ => return None,
    })
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
                "an O(mathsf{Var^star M Gamma}) bound, and Var^star is a variance",
                "an O(Var<sup>⋆</sup> M Γ) bound, and Var<sup>⋆</sup> is a variance",
                "an O(Var^⋆ M Γ) bound, and Var^⋆ is a variance",
            ),
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
            "a ^star with nothing raised, and x^stars",
            "sim-to-real transfer",
            "the 2 times we tried",
        ] {
            let (html, plain) = repaired(text);
            assert_eq!(plain, text, "{text}");
            assert!(!html.contains("<su"), "{text}: {html}");
        }
    }
}
