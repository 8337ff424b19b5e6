//! LaTeX math as readable Unicode text, for the places that cannot show MathML: a page's
//! `<title>` and meta tags, feed titles and entries, plain-text email, search results and
//! excerpts. `$\mathbb{F}_q$` reads `𝔽_q`, `$O(n \log n)$` reads `O(n log n)`. A reading aid,
//! not a typesetter: unknown commands show their name.

use super::repair::{SUBSCRIPTS, SUPERSCRIPTS, script_capital, scripted};

/// `latex` (a formula's body, without its `$`) as one line of Unicode text.
pub fn to_unicode(latex: &str) -> String {
    // What the page's MathML mends, the text reads the same way (`\R` as ℝ, not "R").
    let mended = latex.contains('\\').then(|| super::mend::mend(latex)).flatten();
    let latex = mended.as_deref().unwrap_or(latex);
    let mut out = String::with_capacity(latex.len());
    let tokens = tokenize(latex);
    render(&tokens, &mut out);
    let folded: Vec<&str> = out.split_whitespace().collect();
    folded.join(" ")
}

/// A piece of LaTeX: a command, a group, a script, or text.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Command(String),
    Group(Vec<Token>),
    Sup,
    Sub,
    Space,
    Char(char),
}

fn tokenize(latex: &str) -> Vec<Token> {
    let mut chars = latex.chars().peekable();
    parse_group(&mut chars, false)
}

fn parse_group(chars: &mut std::iter::Peekable<std::str::Chars>, inside: bool) -> Vec<Token> {
    let mut out = Vec::new();
    while let Some(c) = chars.next() {
        match c {
            '}' if inside => return out,
            '{' => out.push(Token::Group(parse_group(chars, true))),
            '^' => out.push(Token::Sup),
            '_' => out.push(Token::Sub),
            '\\' => {
                let mut name = String::new();
                while let Some(&n) = chars.peek().filter(|n| n.is_ascii_alphabetic()) {
                    name.push(n);
                    chars.next();
                }
                if name.is_empty() {
                    // `\{`, `\,`, `\\`, `\ `: one character.
                    if let Some(n) = chars.next() {
                        name.push(n);
                    }
                }
                out.push(Token::Command(name));
            }
            c if c.is_whitespace() => {
                if out.last() != Some(&Token::Space) {
                    out.push(Token::Space);
                }
            }
            c => out.push(Token::Char(c)),
        }
    }
    out
}

/// Renders tokens; commands take their arguments from the tokens that follow.
fn render(tokens: &[Token], out: &mut String) {
    let mut i = 0;
    while i < tokens.len() {
        i = render_one(tokens, i, out);
    }
}

/// The next argument after position `i` (skipping spaces): its tokens, and where it ends.
fn argument(tokens: &[Token], mut i: usize) -> (Vec<Token>, usize) {
    while tokens.get(i) == Some(&Token::Space) {
        i += 1;
    }
    match tokens.get(i) {
        Some(Token::Group(inner)) => (inner.clone(), i + 1),
        Some(t) => (vec![t.clone()], i + 1),
        None => (Vec::new(), i),
    }
}

fn rendered(tokens: &[Token]) -> String {
    let mut s = String::new();
    render(tokens, &mut s);
    s.trim().to_string()
}

/// Renders the token at `i` (with its arguments) and returns the position after it.
fn render_one(tokens: &[Token], i: usize, out: &mut String) -> usize {
    match &tokens[i] {
        // An alignment point of `cases` or `aligned`: a space between the columns.
        Token::Char('&') => out.push(' '),
        Token::Char(c) => out.push(*c),
        Token::Space => out.push(' '),
        Token::Group(inner) => render(inner, out),
        Token::Sup | Token::Sub => {
            let (arg, next) = argument(tokens, i + 1);
            let table = if tokens[i] == Token::Sup {
                SUPERSCRIPTS
            } else {
                SUBSCRIPTS
            };
            let mark = if tokens[i] == Token::Sup { '^' } else { '_' };
            script(&rendered(&arg), table, mark, out);
            return next;
        }
        Token::Command(name) => return command(name, tokens, i + 1, out),
    }
    i + 1
}

/// The negated form of relation `c`, where Unicode has one (`≡` → `≢`).
fn negated(c: char) -> Option<char> {
    const PAIRS: [(char, char); 22] = [
        ('=', '≠'),
        ('≡', '≢'),
        ('∈', '∉'),
        ('∋', '∌'),
        ('⊂', '⊄'),
        ('⊃', '⊅'),
        ('⊆', '⊈'),
        ('⊇', '⊉'),
        ('∼', '≁'),
        ('~', '≁'),
        ('≃', '≄'),
        ('≅', '≇'),
        ('≈', '≉'),
        ('<', '≮'),
        ('>', '≯'),
        ('≤', '≰'),
        ('≥', '≱'),
        ('∣', '∤'),
        ('|', '∤'),
        ('∃', '∄'),
        ('≺', '⊀'),
        ('≻', '⊁'),
    ];
    PAIRS.iter().find(|p| p.0 == c).map(|p| p.1)
}

/// `text` as Unicode super- or subscripts when every character has one, else `^x` or
/// `^(…)` (`_x`, `_(…)`).
fn script(text: &str, table: &[(char, char)], mark: char, out: &mut String) {
    match scripted(text, table) {
        Some(m) if !m.is_empty() => out.push_str(&m),
        _ if text.chars().count() <= 1 => {
            out.push(mark);
            out.push_str(text);
        }
        _ => {
            out.push(mark);
            out.push('(');
            out.push_str(text);
            out.push(')');
        }
    }
}

/// A command and its arguments from position `next`; returns the position after them.
fn command(name: &str, tokens: &[Token], next: usize, out: &mut String) -> usize {
    if let Some(symbol) = symbol(name) {
        // An operator's name is a word: `C\log(T)` reads "C log(T)", not "Clog(T)".
        if symbol.len() > 1 && symbol.bytes().all(|b| b.is_ascii_alphabetic()) {
            space_after_word(out);
        }
        out.push_str(symbol);
        return next;
    }
    match name {
        // `\not\equiv` reads "≢", `\not=` "≠"; a relation with no negated character of its
        // own takes the combining stroke.
        "not" => {
            let (arg, after) = argument(tokens, next);
            let relation = rendered(&arg);
            let mut chars = relation.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => match negated(c) {
                    Some(n) => out.push(n),
                    None => {
                        out.push(c);
                        out.push('\u{338}');
                    }
                },
                _ => out.push_str(&relation),
            }
            after
        }
        // `a \equiv b \pmod{n}` reads "a ≡ b (mod n)", `a \bmod n` "a mod n".
        "pmod" => {
            let (arg, after) = argument(tokens, next);
            space_after_word(out);
            out.push_str(&format!("(mod {})", rendered(&arg)));
            after
        }
        "bmod" | "mod" => {
            out.push_str(" mod ");
            next
        }
        // An environment's name is not text: `\begin{cases}` reads as what it holds.
        "begin" | "end" => {
            out.push(' ');
            argument(tokens, next).1
        }
        // A new row, with its optional spacing (`\\[1mm]`).
        "\\" => {
            let ended = out.trim_end().ends_with([',', ';', '.']);
            out.push_str(if ended { " " } else { "; " });
            skip_bracketed(tokens, next)
        }
        // Delimiter sizes: the delimiter that follows is output as it is.
        "left" | "right" | "big" | "Big" | "bigg" | "Bigg" | "bigl" | "bigr" | "Bigl" | "Bigr" | "middle" => next,
        "frac" | "dfrac" | "tfrac" | "cfrac" => {
            let (num, after) = argument(tokens, next);
            let (den, after) = argument(tokens, after);
            let (num, den) = (rendered(&num), rendered(&den));
            let wrap = |s: &str| {
                if s.chars().count() > 1 && s.chars().any(|c| !c.is_alphanumeric()) {
                    format!("({s})")
                } else {
                    s.to_string()
                }
            };
            out.push_str(&format!("{}/{}", wrap(&num), wrap(&den)));
            after
        }
        "sqrt" => {
            let (arg, after) = argument(tokens, next);
            let inner = rendered(&arg);
            out.push('√');
            if inner.chars().count() > 1 {
                out.push_str(&format!("({inner})"));
            } else {
                out.push_str(&inner);
            }
            after
        }
        "mathbb" | "mathcal" | "mathscr" | "mathfrak" => {
            let (arg, after) = argument(tokens, next);
            let inner = rendered(&arg);
            for c in inner.chars() {
                let styled = match name {
                    "mathbb" => double_struck(c),
                    "mathcal" | "mathscr" => script_capital(c),
                    _ => None,
                };
                out.push(styled.unwrap_or(c));
            }
            after
        }
        "hat" | "widehat" | "tilde" | "widetilde" | "bar" | "overline" | "vec" | "dot" | "ddot" => {
            let (arg, after) = argument(tokens, next);
            let combining = match name {
                "hat" | "widehat" => '\u{302}',
                "tilde" | "widetilde" => '\u{303}',
                "bar" | "overline" => '\u{304}',
                "vec" => '\u{20d7}',
                "dot" => '\u{307}',
                _ => '\u{308}',
            };
            let inner = rendered(&arg);
            out.push_str(&inner);
            if inner.chars().count() == 1 {
                out.push(combining);
            }
            after
        }
        // Fonts and text: their argument as it is.
        "mathbf" | "mathrm" | "mathit" | "mathsf" | "mathtt" | "mathnormal" | "boldsymbol" | "bm" | "text"
        | "textrm" | "textit" | "textbf" | "textsf" | "texttt" | "operatorname" | "mbox" | "emph" => {
            let (arg, after) = argument(tokens, next);
            render(&arg, out);
            after
        }
        // Spacing.
        "," | ";" | ":" | " " | "quad" | "qquad" | "enspace" => {
            out.push(' ');
            next
        }
        "!" | "displaystyle" | "textstyle" | "scriptstyle" | "limits" | "nolimits" => next,
        // `\{`, `\%`, `\$`, …: the character itself.
        other if other.chars().count() == 1 => {
            out.push_str(other);
            next
        }
        // An unknown command reads as its name.
        other => {
            space_after_word(out);
            out.push_str(other);
            next
        }
    }
}

/// A space before a word that would otherwise run into the letter or digit before it.
fn space_after_word(out: &mut String) {
    if out.chars().next_back().is_some_and(char::is_alphanumeric) {
        out.push(' ');
    }
}

/// The position after an optional `[…]` at `i`, or `i` when there is none.
fn skip_bracketed(tokens: &[Token], i: usize) -> usize {
    if tokens.get(i) != Some(&Token::Char('[')) {
        return i;
    }
    match tokens[i..].iter().position(|t| *t == Token::Char(']')) {
        Some(k) => i + k + 1,
        None => i,
    }
}

/// What a symbol command stands for.
fn symbol(name: &str) -> Option<&'static str> {
    Some(match name {
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "delta" => "δ",
        "epsilon" | "varepsilon" => "ε",
        "zeta" => "ζ",
        "eta" => "η",
        "theta" => "θ",
        "vartheta" => "ϑ",
        "iota" => "ι",
        "kappa" => "κ",
        "lambda" => "λ",
        "mu" => "μ",
        "nu" => "ν",
        "xi" => "ξ",
        "pi" => "π",
        "varpi" => "ϖ",
        "rho" => "ρ",
        "varrho" => "ϱ",
        "sigma" => "σ",
        "varsigma" => "ς",
        "tau" => "τ",
        "upsilon" => "υ",
        "phi" | "varphi" => "φ",
        "chi" => "χ",
        "psi" => "ψ",
        "omega" => "ω",
        "Gamma" => "Γ",
        "Delta" => "Δ",
        "Theta" => "Θ",
        "Lambda" => "Λ",
        "Xi" => "Ξ",
        "Pi" => "Π",
        "Sigma" => "Σ",
        "Upsilon" => "Υ",
        "Phi" => "Φ",
        "Psi" => "Ψ",
        "Omega" => "Ω",
        "ell" => "ℓ",
        "infty" => "∞",
        "leq" | "le" | "leqslant" => "≤",
        "geq" | "ge" | "geqslant" => "≥",
        "neq" | "ne" => "≠",
        "approx" => "≈",
        "sim" => "∼",
        "simeq" => "≃",
        "cong" => "≅",
        "equiv" => "≡",
        "propto" => "∝",
        "ll" => "≪",
        "gg" => "≫",
        "times" => "×",
        "cdot" => "·",
        "cdots" => "⋯",
        "ldots" | "dots" => "…",
        "pm" => "±",
        "mp" => "∓",
        "div" => "÷",
        "ast" => "∗",
        "star" => "⋆",
        "circ" => "∘",
        "bullet" => "•",
        "to" | "rightarrow" => "→",
        "leftarrow" | "gets" => "←",
        "Rightarrow" | "implies" => "⇒",
        "Leftarrow" => "⇐",
        "leftrightarrow" => "↔",
        "Leftrightarrow" | "iff" => "⇔",
        "mapsto" => "↦",
        "in" => "∈",
        "notin" => "∉",
        "ni" => "∋",
        "subset" => "⊂",
        "subseteq" => "⊆",
        "supset" => "⊃",
        "supseteq" => "⊇",
        "cup" => "∪",
        "cap" => "∩",
        "setminus" => "∖",
        "emptyset" | "varnothing" => "∅",
        "forall" => "∀",
        "exists" => "∃",
        "neg" | "lnot" => "¬",
        "wedge" | "land" => "∧",
        "vee" | "lor" => "∨",
        "oplus" => "⊕",
        "otimes" => "⊗",
        "nabla" => "∇",
        "partial" => "∂",
        "sum" => "∑",
        "prod" => "∏",
        "int" => "∫",
        "oint" => "∮",
        "top" => "⊤",
        "bot" | "perp" => "⊥",
        "dagger" => "†",
        "prime" => "′",
        "mid" => "∣",
        "|" | "Vert" => "‖",
        "vert" => "|",
        "langle" => "⟨",
        "rangle" => "⟩",
        "lfloor" => "⌊",
        "rfloor" => "⌋",
        "lceil" => "⌈",
        "rceil" => "⌉",
        "log" => "log",
        "ln" => "ln",
        "exp" => "exp",
        "sin" => "sin",
        "cos" => "cos",
        "tan" => "tan",
        "max" => "max",
        "min" => "min",
        "sup" => "sup",
        "inf" => "inf",
        "lim" => "lim",
        "arg" => "arg",
        "argmax" => "argmax",
        "argmin" => "argmin",
        "det" => "det",
        "Pr" => "Pr",
        "deg" => "deg",
        "dim" => "dim",
        "ker" => "ker",
        "poly" => "poly",
        "polylog" => "polylog",
        _ => return None,
    })
}

/// `\mathbb{X}`: the double-struck letters (several live in the Letterlike Symbols block).
fn double_struck(c: char) -> Option<char> {
    Some(match c {
        'C' => 'ℂ',
        'H' => 'ℍ',
        'N' => 'ℕ',
        'P' => 'ℙ',
        'Q' => 'ℚ',
        'R' => 'ℝ',
        'Z' => 'ℤ',
        'A'..='Z' => char::from_u32(0x1D538 + (c as u32 - 'A' as u32))?,
        '1' => '𝟙',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_read_as_unicode() {
        let cases = [
            (r"O(n \log n)", "O(n log n)"),
            (r"\mathbb{F}_q", "𝔽_q"),
            (r"\F_q \unicode{x2013} \PG(1,q)", "𝔽_q – PG(1,q)"),
            (r"ψ_{\mbox{\tiny b}} \smash{\tilde{O}(d)}", "ψ_b O\u{303}(d)"),
            (r"\mathbb{R}^d", "ℝᵈ"),
            (r"\mathcal{O}(d^{3/2}H^2)", "𝒪(d^(3/2)H²)"),
            (r"x_{t+1} \leq \varepsilon^{-2}", "xₜ₊₁ ≤ ε⁻²"),
            (r"\tilde{O}(\sqrt{T})", "O\u{303}(√T)"),
            (r"\frac{1}{2}", "1/2"),
            (r"360^\circ", "360°"),
            (r"90^{\circ} \text{ and } 2^{\circ n}", "90° and 2^(∘ n)"),
            (r"\frac{a+b}{c}", "(a+b)/c"),
            (r"\left( \frac{\alpha}{\beta} \right)", "( α/β )"),
            (r"\sum_{i=1}^{n} x_i", "∑ᵢ₌₁ⁿ xᵢ"),
            (r"\text{softmax}(z)", "softmax(z)"),
            (r"\mycommand x", "mycommand x"),
            (r"a \, b \; c", "a b c"),
            // Operator names and moduli from real abstracts of May 2026.
            (r"\mathcal{O}(C\log(T))", "𝒪(C log(T))"),
            (r"\sqrt{n\log\log n}", "√(n log log n)"),
            (r"p \equiv 1 \pmod{3}", "p ≡ 1 (mod 3)"),
            (r"a \bmod n", "a mod n"),
            // Negated relations (a real abstract of May 2026 had `\not\equiv`).
            (r"p^n-1 \not\equiv 2 \pmod{3}", "pⁿ-1 ≢ 2 (mod 3)"),
            (r"a \not= b, x \not\in S", "a ≠ b, x ∉ S"),
            (r"u \not\perp v", "u ⊥\u{338} v"),
            (
                r"d = \begin{cases} q-1, & m=1,\\[1mm] q, & m>1 \end{cases}",
                "d = q-1, m=1, q, m>1",
            ),
        ];
        for (latex, text) in cases {
            assert_eq!(to_unicode(latex), text, "{latex}");
        }
    }

    #[test]
    fn broken_latex_still_reads() {
        for latex in [r"\frac{a}{", r"x^", r"\sqrt", "}}{{", r"\\", ""] {
            let _ = to_unicode(latex);
        }
        assert_eq!(to_unicode(r"\frac{a}{"), "a/");
    }
}
