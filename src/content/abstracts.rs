//! Abstracts as a page shows them: safe HTML, with formulas as MathML, plus the plain text
//! that excerpts, tagging and search read. Digest abstracts are plain text; Markdown papers
//! bring Markdown, which may not smuggle raw HTML or script URLs into a page or a feed.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use super::inline;
use crate::text::math;
use crate::text::{
    clean_line, escape_into, has_url, href_encode, is_forbidden_char, is_safe_url, linkify_into, split_urls,
};

/// An abstract rendered three ways: page HTML, feed HTML (when it differs) and plain text.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// For pages: MathML for formulas.
    pub html: String,
    /// For feeds, when it differs from `html`: formulas as Unicode text (feed readers strip
    /// MathML).
    pub feed_html: Option<String>,
    /// For excerpts, search and tagging: formulas as Unicode text, their spaces
    /// non-breaking so that an excerpt never cuts inside one.
    pub text: String,
}

/// A formula as text: its Unicode reading when it converted to MathML, else its source
/// (the page shows the source too); spaces inside it non-breaking.
fn formula_text(latex: &str, display: bool, converted: bool) -> String {
    let text = if converted {
        math::to_unicode(latex)
    } else {
        math::source(latex, display)
    };
    text.replace(' ', "\u{a0}")
}

/// Punctuation a line must not start with, as it did after a formula: browsers break a
/// line after an inline `<math>` as readily as after a word, and "… for α ∈ [1,∞]" ended a
/// line with its full stop alone on the next.
const CLOSING: &[char] = &['.', ',', ';', ':', '!', '?', ')', ']'];
/// Brackets a line must not end with, before a formula.
const OPENING: &[char] = &['(', '['];

/// Writes a formula's MathML into `html`; an inline one in one unbreakable span with an
/// opening bracket that `html` ends with and the closing punctuation mark that `after`
/// (the text that follows) starts with. Returns the bytes of `after` written, which the
/// caller owes the other forms of the text.
fn bind_formula(html: &mut String, page: &str, display: bool, after: Option<&str>) -> usize {
    let opening = !display && html.ends_with(OPENING);
    let lead = after.filter(|a| !display && a.starts_with(CLOSING)).map_or(0, |_| 1);
    if !opening && lead == 0 {
        html.push_str(page);
        return 0;
    }
    let bracket = if opening { html.pop() } else { None };
    html.push_str("<span style=\"white-space:nowrap\">");
    html.extend(bracket);
    html.push_str(page);
    html.push_str(&after.unwrap_or_default()[..lead]);
    html.push_str("</span>");
    lead
}

/// Text outside formulas: text-mode LaTeX read, URLs linked, TeX typography, and with
/// `repair` lost LaTeX mended; into `html` and `plain`.
fn render_text(t: &str, opts: TextOptions, link: bool, html: &mut String, plain: &mut String) {
    let repair = opts.repair;
    let mut leaf = |t: &str, html: &mut String, plain: &mut String| {
        let mut piece = |piece: &str, is_url: bool| {
            if is_url {
                linkify_into(html, piece);
                plain.push_str(piece);
                return;
            }
            let piece = if opts.latex {
                inline::typography(piece)
            } else {
                std::borrow::Cow::Borrowed(piece)
            };
            if repair {
                math::repair_into(&piece, html, plain);
            } else {
                escape_into(html, &piece);
                plain.push_str(&piece);
            }
        };
        if link {
            for (p, is_url) in split_urls(t) {
                piece(p, is_url);
            }
        } else {
            piece(t, false);
        }
    };
    // Text-mode LaTeX needs a backslash; most text has none.
    if opts.latex && t.contains('\\') {
        inline::render(&inline::parse(t), html, plain, &mut leaf);
    } else {
        leaf(t, html, plain);
    }
}

/// How plain text is read: whether lost LaTeX is mended (`[import] repair_math`) and
/// text-mode LaTeX and TeX typography are read (`[import] latex`).
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// Mend LaTeX that lost its `$` and `\\`.
    pub repair: bool,
    /// Read `\\emph{…}`, ``` ``quotes'' ```, `--` and the like.
    pub latex: bool,
}

/// A scraped abstract (one paragraph of plain text): formulas to MathML, text-mode LaTeX to
/// markup, bare URLs linked, and, with `repair`, lost LaTeX mended where that is
/// unambiguous.
pub fn render_plain(text: &str, repair: bool) -> Rendered {
    render_plain_with(text, TextOptions { repair, latex: true })
}

/// [`render_plain`] with every option.
pub fn render_plain_with(text: &str, opts: TextOptions) -> Rendered {
    let mut html = String::with_capacity(text.len() + 16);
    let mut feed = String::new();
    let mut plain = String::with_capacity(text.len());
    html.push_str("<p>");
    let mut out = Forms {
        html: &mut html,
        plain: &mut plain,
        feed: Some(&mut feed),
    };
    let has_math = render_inline(text, opts, true, &mut out);
    html.push_str("</p>");
    Rendered {
        feed_html: has_math.then(|| format!("<p>{feed}</p>")),
        html,
        text: plain,
    }
}

/// Where [`render_inline`] writes: the page's HTML, the plain text, and for an abstract,
/// the feed's HTML (formulas as their text, for readers that show no MathML).
struct Forms<'a> {
    html: &'a mut String,
    plain: &'a mut String,
    feed: Option<&'a mut String>,
}

/// Renders one line of plain text (an abstract with `links`, or a title) into `out`: text
/// through [`render_text`], each formula bound to the punctuation around it. A title's
/// plain form reads a formula's no-break spaces as spaces; an abstract's keeps them, and
/// its feed form has them as spaces. Returns whether a formula became MathML.
fn render_inline(text: &str, opts: TextOptions, links: bool, out: &mut Forms) -> bool {
    let mut has_math = false;
    let segments = math::split_dollars(text);
    let texts = super::split_groups::unsplit(&segments);
    // Bytes of the next text that went into the page with the formula before it.
    let mut written = 0;
    for (k, segment) in segments.iter().enumerate() {
        match *segment {
            math::Segment::Text(_) => {
                let start = out.html.len();
                render_text(
                    &texts[k][std::mem::take(&mut written)..],
                    opts,
                    links,
                    out.html,
                    out.plain,
                );
                if let Some(feed) = out.feed.as_deref_mut() {
                    feed.push_str(&out.html[start..]);
                }
            }
            math::Segment::Math { latex, display } => {
                let (page, converted) = math::formula_html(latex, display);
                has_math |= converted;
                let after = next_text(&segments, &texts, k);
                written = bind_formula(out.html, &page, display, after);
                let text = formula_text(latex, display, converted);
                let lead = &after.unwrap_or_default()[..written];
                match out.feed.as_deref_mut() {
                    Some(feed) => {
                        escape_into(feed, &text.replace('\u{a0}', " "));
                        feed.push_str(lead);
                        out.plain.push_str(&text);
                    }
                    None => out.plain.push_str(&text.replace('\u{a0}', " ")),
                }
                out.plain.push_str(lead);
            }
        }
    }
    has_math
}

/// The text right after segment `k` (as `texts` has it), if text follows it.
fn next_text<'t>(segments: &[math::Segment], texts: &'t [std::borrow::Cow<str>], k: usize) -> Option<&'t str> {
    match segments.get(k + 1) {
        Some(math::Segment::Text(_)) => Some(&texts[k + 1]),
        _ => None,
    }
}

/// A title in its two forms: plain Unicode text (formulas read as text), for everything
/// that cannot show markup, and HTML (formulas as MathML, emphasis), when it differs from
/// the escaped text.
pub fn render_title(title: &str, opts: TextOptions) -> (String, Option<String>) {
    let mut html = String::with_capacity(title.len());
    let mut plain = String::with_capacity(title.len());
    let mut out = Forms {
        html: &mut html,
        plain: &mut plain,
        feed: None,
    };
    render_inline(title, opts, false, &mut out);
    let plain = clean_line(&plain);
    let mut escaped = String::with_capacity(plain.len());
    escape_into(&mut escaped, &plain);
    let html = (html != escaped).then_some(html);
    (plain, html)
}

/// A Markdown abstract → (safe HTML, plain text). Raw HTML is shown as text, links with
/// script-capable schemes lose their link, and bare URLs become links.
pub fn markdown_to_html(markdown: &str) -> Rendered {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_MATH;
    let mut events: Vec<Event> = Vec::new();
    // Where formulas went, and their source, to write the feed's form afterwards.
    let mut formulas: Vec<Formula> = Vec::new();
    let mut plain = String::new();
    let mut link_depth = 0usize;
    let mut dropped: Vec<bool> = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => {
                plain.push_str(&raw);
                events.push(Event::Text(raw));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let safe = is_safe_url(&dest_url);
                dropped.push(!safe);
                link_depth += 1;
                if safe {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                link_depth = link_depth.saturating_sub(1);
                if !dropped.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) if !is_safe_url(&dest_url) => {
                events.push(Event::Text(CowStr::from(format!("[image: {dest_url}]"))));
                dropped.push(true);
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                dropped.push(false);
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                if !dropped.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Image));
                }
            }
            Event::Text(text) if link_depth == 0 => {
                plain.push_str(&text);
                push_linkified(&mut events, text);
            }
            Event::Text(text) => {
                plain.push_str(&text);
                events.push(Event::Text(text));
            }
            Event::Code(code) => {
                plain.push_str(&code);
                events.push(Event::Code(code));
            }
            Event::InlineMath(latex) => push_formula(&mut events, &mut plain, &mut formulas, &latex, false),
            Event::DisplayMath(latex) => push_formula(&mut events, &mut plain, &mut formulas, &latex, true),
            Event::SoftBreak | Event::HardBreak => {
                plain.push(' ');
                events.push(event);
            }
            Event::End(TagEnd::Paragraph) => {
                plain.push(' ');
                events.push(event);
            }
            other => events.push(other),
        }
    }
    let write = |events: Vec<Event>| {
        let mut html = String::with_capacity(markdown.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        let mut html = if html.chars().any(is_forbidden_char) {
            html.chars().filter(|&c| !is_forbidden_char(c)).collect()
        } else {
            html
        };
        html.truncate(html.trim_end().len());
        html
    };
    let feed_html = (!formulas.is_empty()).then(|| {
        let mut feed = events.clone();
        for f in &formulas {
            feed[f.at] = Event::Text(CowStr::from(f.text.clone()));
        }
        write(feed)
    });
    bind_formulas(&mut events, &formulas);
    Rendered {
        html: write(events),
        feed_html,
        text: clean_line(&plain),
    }
}

/// A formula of a Markdown abstract: where its event is, its Unicode reading for the feed,
/// and whether it is displayed.
struct Formula {
    at: usize,
    text: String,
    display: bool,
}

/// A formula as MathML (or its source, when it does not convert), remembered in `formulas`
/// so that the feed's form can show its Unicode reading instead.
fn push_formula(
    events: &mut Vec<Event<'_>>,
    plain: &mut String,
    formulas: &mut Vec<Formula>,
    latex: &str,
    display: bool,
) {
    let (html, converted) = math::formula_html(latex, display);
    let text = formula_text(latex, display, converted);
    plain.push_str(&text);
    formulas.push(Formula {
        at: events.len(),
        text: text.replace('\u{a0}', " "),
        display,
    });
    events.push(Event::InlineHtml(CowStr::from(html)));
}

/// [`bind_formula`] for the page's events of a Markdown abstract: each inline formula takes
/// the opening bracket of the text before it and the punctuation mark of the text after.
fn bind_formulas(events: &mut [Event<'_>], formulas: &[Formula]) {
    for f in formulas.iter().filter(|f| !f.display) {
        let text = |at: Option<usize>| match at.and_then(|at| events.get(at)) {
            Some(Event::Text(t)) => Some(t.to_string()),
            _ => None,
        };
        let (before, after) = (text(f.at.checked_sub(1)), text(Some(f.at + 1)));
        let Event::InlineHtml(page) = &events[f.at] else {
            continue;
        };
        let bracket = before
            .as_deref()
            .and_then(|t| t.chars().last())
            .filter(|c| OPENING.contains(c));
        let mut html: String = bracket.into_iter().collect();
        let lead = bind_formula(&mut html, page, false, after.as_deref());
        events[f.at] = Event::InlineHtml(CowStr::from(html));
        if let (Some(before), Some(_)) = (before, bracket) {
            events[f.at - 1] = Event::Text(CowStr::from(before[..before.len() - 1].to_string()));
        }
        if let Some(after) = after.filter(|_| lead > 0) {
            events[f.at + 1] = Event::Text(CowStr::from(after[lead..].to_string()));
        }
    }
}

fn push_linkified<'a>(events: &mut Vec<Event<'a>>, text: CowStr<'a>) {
    if !has_url(&text) {
        events.push(Event::Text(text));
        return;
    }
    for (piece, is_url) in split_urls(&text) {
        let s = piece.to_string();
        if is_url {
            events.push(Event::Start(Tag::Link {
                link_type: pulldown_cmark::LinkType::Autolink,
                dest_url: CowStr::from(href_encode(&s)),
                title: CowStr::from(""),
                id: CowStr::from(""),
            }));
            events.push(Event::Text(CowStr::from(s)));
            events.push(Event::End(TagEnd::Link));
        } else {
            events.push(Event::Text(CowStr::from(s)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_keeps_the_punctuation_around_it_on_its_line() {
        let r = render_plain("for every ($x$), and $y$. Then $$z$$.", true);
        let (x, y, z) = (
            math::formula_html("x", false).0,
            math::formula_html("y", false).0,
            math::formula_html("z", true).0,
        );
        let bound = |inner: &str| format!("<span style=\"white-space:nowrap\">{inner}</span>");
        assert_eq!(
            r.html,
            format!(
                "<p>for every {}, and {} Then {z}.</p>",
                bound(&format!("({x})")),
                bound(&format!("{y}.")),
            )
        );
        assert_eq!(r.text, "for every (x), and y. Then z.");
        assert_eq!(r.feed_html.as_deref(), Some("<p>for every (x), and y. Then z.</p>"));
        // A Markdown abstract's formulas too.
        let md = markdown_to_html("For every ($x$), and $y$. Then:\n\n$$z$$");
        assert_eq!(
            md.html,
            format!(
                "<p>For every {}, and {} Then:</p>\n<p>{z}</p>",
                bound(&format!("({x})")),
                bound(&format!("{y}."))
            )
        );
        assert_eq!(
            md.feed_html.as_deref(),
            Some("<p>For every (x), and y. Then:</p>\n<p>z</p>")
        );
        let (plain, html) = render_title(
            "Bounds for $n$: a note",
            TextOptions {
                repair: true,
                latex: true,
            },
        );
        assert_eq!(plain, "Bounds for n: a note");
        let n = math::formula_html("n", false).0;
        assert_eq!(
            html.as_deref(),
            Some(format!("Bounds for {} a note", bound(&format!("{n}:"))).as_str())
        );
    }

    #[test]
    fn text_is_escaped_and_urls_linked() {
        let html = render_plain("Code at https://example.org/x?a=1&b=2. <b>bold</b>", true).html;
        assert_eq!(
            html,
            "<p>Code at <a href=\"https://example.org/x?a=1&amp;b=2\">https://example.org/x?a=1&amp;b=2</a>. &lt;b&gt;bold&lt;/b&gt;</p>"
        );
    }

    #[test]
    fn urls_stop_at_latex_braces() {
        // `\href{url}{url}` that lost its command shows the URL once.
        let html = render_plain("Code: https://github.com/a/b{https://github.com/a/b}.", true).html;
        assert_eq!(
            html,
            "<p>Code: <a href=\"https://github.com/a/b\">https://github.com/a/b</a>.</p>"
        );
        let text = render_plain("Code: https://github.com/a/b{https://github.com/a/b}.", true).text;
        assert_eq!(text, "Code: https://github.com/a/b.");
        // Another label stays: it is not the URL said twice.
        let html = render_plain("Code: https://github.com/a/b{here}.", true).html;
        assert_eq!(
            html,
            "<p>Code: <a href=\"https://github.com/a/b\">https://github.com/a/b</a>{here}.</p>"
        );
    }

    #[test]
    fn markdown_cannot_smuggle_html_or_script_urls() {
        let Rendered { html, text, .. } = markdown_to_html(
            "Hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b](JaVa\tScript:x) [c](https://ok.org)",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(html.contains("<a href=\"https://ok.org\">c</a>"), "{html}");
        assert!(text.contains("<script>"), "plain text keeps the words: {text}");
    }

    #[test]
    fn markdown_keeps_paragraphs_and_links_bare_urls() {
        let Rendered { html, text, .. } = markdown_to_html("One http://a.org/x.\n\nTwo.");
        assert_eq!(
            html,
            "<p>One <a href=\"http://a.org/x\">http://a.org/x</a>.</p>\n<p>Two.</p>"
        );
        assert_eq!(text, "One http://a.org/x. Two.");
    }

    #[test]
    fn formulas_become_mathml_and_failures_stay_source() {
        let r = render_plain("Let $x^2 < y$ and $\\frac{a}{$ hold.", false);
        assert!(
            r.html
                .contains("<math display=\"inline\"><msup><mi>x</mi><mn>2</mn></msup>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<mo>&lt;</mo>"), "{}", r.html);
        for hostile in ["$<script>$", "$a<b$", "$\\text{</math><b>}$", "$x & y$", "$\\&$"] {
            let html = render_plain(hostile, false).html;
            assert!(
                !html.contains("<script") && !html.contains("<b>") && !html.contains("<b$"),
                "{hostile}: {html}"
            );
        }
        assert!(
            r.html.contains("<code class=\"math-source\">$\\frac{a}{$</code>"),
            "{}",
            r.html
        );
        // Feeds and plain text read the formula as Unicode (a formula that did not convert
        // keeps its source); an excerpt cannot cut inside it.
        let feed = r.feed_html.unwrap();
        assert!(!feed.contains("<math") && feed.contains("x² &lt; y"), "{feed}");
        assert_eq!(r.text, "Let x²\u{a0}<\u{a0}y and $\\frac{a}{$ hold.");
    }

    const OPTS: TextOptions = TextOptions {
        repair: false,
        latex: true,
    };

    #[test]
    fn titles_have_a_text_and_an_html_form() {
        let (text, html) = render_title("Sorting in $O(n \\log n)$ over $\\mathbb{F}_q$", OPTS);
        assert_eq!(text, "Sorting in O(n log n) over 𝔽_q");
        let html = html.unwrap();
        assert!(
            html.starts_with("Sorting in <math") && html.contains("<mi>log</mi>"),
            "{html}"
        );
        assert_eq!(
            render_title("A <b>plain</b> title", OPTS),
            ("A <b>plain</b> title".to_string(), None)
        );
        let (text, html) = render_title("A \\emph{new} view", OPTS);
        assert_eq!(text, "A new view");
        assert_eq!(html.as_deref(), Some("A <em>new</em> view"));
    }

    /// Real abstracts and a title of May 2026 that wrap bold, italics or a link in dollars.
    #[test]
    fn a_formula_of_text_markup_alone_reads_as_text() {
        let r = render_plain(
            "We present $\\textbf{MolSight}$, the first study. Code is at $\\href{https://github.com/b/gcpo}{this}$.",
            true,
        );
        assert_eq!(
            r.html,
            "<p>We present <strong>MolSight</strong>, the first study. Code is at <a href=\"https://github.com/b/gcpo\">this</a>.</p>"
        );
        assert_eq!(r.text, "We present MolSight, the first study. Code is at this.");
        assert_eq!(r.feed_html, None, "no formula is left for the feed to show as text");
        let (text, html) = render_title("Breaking $\\textit{Winner-Takes-All}$: Cooperative", OPTS);
        assert_eq!(text, "Breaking Winner-Takes-All: Cooperative");
        assert_eq!(html.as_deref(), Some("Breaking <em>Winner-Takes-All</em>: Cooperative"));
    }

    /// Real abstracts of May 2026: a URL run into the word or the command before it.
    #[test]
    fn a_url_run_into_a_word_or_a_command_links_from_its_scheme() {
        let r = render_plain(
            "Code is available athttps://github.com/AIM-SCU/CRAFT and \\noindenthttps://x.org/r/C-3CE/ too.",
            true,
        );
        assert_eq!(
            r.html,
            "<p>Code is available at<a href=\"https://github.com/AIM-SCU/CRAFT\">https://github.com/AIM-SCU/CRAFT</a> and <a href=\"https://x.org/r/C-3CE/\">https://x.org/r/C-3CE/</a> too.</p>"
        );
        assert_eq!(render_plain("\\noindent We show", true).text, " We show");
    }

    #[test]
    fn text_mode_latex_becomes_markup() {
        let r = render_plain(
            "We call it \\emph{fast}, see \\href{https://x.org/a}{our code} and ``this'' -- 50\\% better~\\cite{k}.",
            true,
        );
        assert_eq!(
            r.html,
            "<p>We call it <em>fast</em>, see <a href=\"https://x.org/a\">our code</a> and “this” – 50% better\u{a0}[k].</p>"
        );
        assert_eq!(
            r.text,
            "We call it fast, see our code and “this” – 50% better\u{a0}[k]."
        );
    }

    #[test]
    fn lost_latex_in_real_abstracts_is_mended() {
        // Real sentences of the sample, whose `$` and `\` were lost in scraping.
        let cases = [
            (
                "achieves Oleft(Delta^{1/4}T^{3/4}right) regret",
                "achieves O(Δ<sup>1/4</sup>T<sup>3/4</sup>) regret",
            ),
            (
                "where psi geq Omegaleft(epsilonright) is a parameter",
                "where ψ ≥ Ω(ε) is a parameter",
            ),
            ("for any 1 leq m leq d function", "for any 1 ≤ m ≤ d function"),
            (
                "an 𝒪(sqrt K) regret and 0 < delta < frac12 here",
                "an 𝒪(√K) regret and 0 &lt; δ &lt; 1/2 here",
            ),
            (
                "a regret of widetilde O(tau SAK), minimax",
                "a regret of O\u{303}(τ SAK), minimax",
            ),
            (
                "an O(mathsf{Var^star M Gamma S A K}) regret bound",
                "an O(Var<sup>⋆</sup> M Γ S A K) regret bound",
            ),
            (
                "the variance sigma ^2 and A^*_r and F_1-score",
                "the variance σ<sup>2</sup> and A<sup>*</sup><sub>r</sub> and F<sub>1</sub>-score",
            ),
        ];
        for (text, html) in cases {
            let r = render_plain(text, true);
            assert_eq!(r.html, format!("<p>{html}</p>"), "{text}");
        }
        // English stays English.
        for text in [
            "the left (green) and right panels",
            "from left to right)",
            "Delta Airlines and the beta distribution",
            "sim-to-real transfer in Omega-3 and Sigma-Delta modulators",
            "snake_case names and a ^ caret",
        ] {
            let r = render_plain(text, true);
            assert_eq!(r.text, text, "{text}");
        }
    }
}
