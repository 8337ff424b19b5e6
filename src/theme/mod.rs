//! Themes: Tera templates plus static files. The built-in themes are compiled into the
//! binary so `paperboy build` works in any folder; a site may bring its own theme under
//! `themes/<name>/` and override single templates in `templates/`.

use std::path::Path;

use anyhow::{Context as _, Result};
use include_dir::{Dir, include_dir};

use crate::config::Config;
use crate::editor_files::is_editor_artefact;

mod syntax;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes");

/// Folder under the site root for single-template overrides.
pub const OVERRIDES_DIR: &str = "templates";
/// Folder under the site root for site-local themes.
pub const THEMES_DIR: &str = "themes";
/// Folder under the site root whose files are copied to the output root as they are
/// (`CNAME`, `favicon.ico`, `.nojekyll`), over the theme's files of the same name.
pub const STATIC_DIR: &str = "static";

/// A theme's files, read into memory so that rendering never touches the disk.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Theme name, as configured.
    pub name: String,
    /// `(template name, source)`, e.g. `("paper.html", "...")`, overrides applied.
    pub templates: Vec<(String, String)>,
    /// `(path under the output root, bytes)` of static files.
    pub statics: Vec<(String, Vec<u8>)>,
    /// `(template name, where it was read from)`, so an error names the file to fix.
    pub origins: Vec<(String, String)>,
    /// Warnings about the theme: a template of the site's `templates/` that nothing uses.
    pub notes: Vec<String>,
}

/// The templates of the pages every site has; `search.html`, `email.html` and `email.txt`
/// are optional (a theme without them gets no search page or email issues).
pub const PAGE_TEMPLATES: [&str; 7] = [
    "index.html",
    "issue.html",
    "paper.html",
    "archive.html",
    "tags.html",
    "tag.html",
    "404.html",
];

/// Names of the themes built into the binary.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.dirs().filter_map(|d| d.path().file_name()?.to_str()).collect()
}

impl Theme {
    /// Reads theme `name` for the site at `root`: the site's own `themes/<name>` first, then
    /// the built-in one; then the site's `templates/*.html` replace the theme's of that name.
    pub fn load(root: &Path, config: &Config) -> Result<Theme> {
        let name = config.theme.as_str();
        let mut theme = Theme {
            name: name.to_string(),
            ..Theme::default()
        };
        let local = root.join(THEMES_DIR).join(name);
        if local.is_dir() {
            let dir = local.join("templates");
            read_dir_into(&dir, root, &mut theme.templates, String::from_utf8)?;
            // Named from the site root, as content errors name their files.
            let shown = Path::new(THEMES_DIR).join(name).join("templates");
            for (t, _) in &theme.templates {
                theme.origins.push((t.clone(), shown.join(t).display().to_string()));
            }
            read_dir_into(&local.join("static"), root, &mut theme.statics, Ok)?;
        } else if let Some(dir) = BUILTIN.get_dir(name) {
            for file in files_under(dir) {
                let rel = file.path().strip_prefix(dir.path()).unwrap_or(file.path());
                let rel_str = rel.to_string_lossy().replace('\\', "/");
                if let Some(t) = rel_str.strip_prefix("templates/") {
                    let text = file.contents_utf8().context("built-in template is not UTF-8")?;
                    theme.templates.push((t.to_string(), text.to_string()));
                    theme
                        .origins
                        .push((t.to_string(), format!("(built-in theme `{name}`) templates/{t}")));
                } else if let Some(s) = rel_str.strip_prefix("static/") {
                    theme.statics.push((s.to_string(), file.contents().to_vec()));
                }
            }
        } else {
            anyhow::bail!(
                "{}: theme `{name}` does not exist — use one of the built-in themes ({}) or create {}",
                config.source.locate("theme"),
                builtin_names().join(", "),
                Path::new(THEMES_DIR).join(name).display()
            );
        }
        let mut overrides = Vec::new();
        // Templates the site adds rather than replaces: partials, or names mistyped.
        let mut added = Vec::new();
        let dir = root.join(OVERRIDES_DIR);
        read_dir_into(&dir, root, &mut overrides, String::from_utf8)?;
        for (name, text) in overrides {
            let origin = Path::new(OVERRIDES_DIR).join(&name).display().to_string();
            match theme.origins.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = origin,
                None => theme.origins.push((name.clone(), origin)),
            }
            match theme.templates.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = text,
                None => {
                    added.push(name.clone());
                    theme.templates.push((name, text));
                }
            }
        }
        theme.notes = theme.unused(&added);
        let mut site_statics = Vec::new();
        read_dir_into(&root.join(STATIC_DIR), root, &mut site_statics, Ok)?;
        for (path, bytes) in site_statics {
            match theme.statics.iter_mut().find(|(p, _)| *p == path) {
                Some(slot) => slot.1 = bytes,
                None => theme.statics.push((path, bytes)),
            }
        }
        theme.templates.sort();
        theme.statics.sort();
        if local.is_dir() {
            theme.check_pages_are_there(&local)?;
        }
        Ok(theme)
    }

    /// Of the templates the site's `templates/` added (`added`), those that no page is
    /// rendered from, that no template names (`{% include "…" %}`, `{% extends "…" %}`) and
    /// that define no component: a mistyped name (`paper.htm`) or a page the site expected
    /// to get (`about.html`) would otherwise change nothing, in silence.
    fn unused(&self, added: &[String]) -> Vec<String> {
        let named = |name: &str| {
            self.templates.iter().any(|(n, text)| {
                n != name && (text.contains(&format!("\"{name}\"")) || text.contains(&format!("'{name}'")))
            })
        };
        // Components are global: a file of them is used wherever one is called.
        let defines_components = |name: &str| {
            self.source(name)
                .is_some_and(|text| text.contains("{% component") || text.contains("{%- component"))
        };
        let optional = ["search.html", "email.html", "email.txt"];
        added
            .iter()
            .filter(|name| !PAGE_TEMPLATES.contains(&name.as_str()) && !optional.contains(&name.as_str()) && !named(name) && !defines_components(name))
            .map(|name| {
                format!(
                    "{}: no page is made from it and no template includes it, so it changes nothing — the templates a site can replace are {}, base.html, {} (and the partials they include)",
                    Path::new(OVERRIDES_DIR).join(name).display(),
                    PAGE_TEMPLATES.join(", "),
                    optional.join(", ")
                )
            })
            .collect()
    }

    /// A site's own theme has every page's template, or the build stops before rendering
    /// with all the missing ones named (rendering would name the first it met, without
    /// saying where it was looked for).
    fn check_pages_are_there(&self, dir: &Path) -> Result<()> {
        let missing: Vec<&str> = PAGE_TEMPLATES.into_iter().filter(|t| !self.has_template(t)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        let shown = Path::new(THEMES_DIR).join(&self.name).join("templates");
        let what = if !dir.join("templates").is_dir() {
            "has no templates/ folder".to_string()
        } else if missing.len() == PAGE_TEMPLATES.len() {
            "has no page templates".to_string()
        } else {
            format!("has no {}", missing.join(", "))
        };
        anyhow::bail!(
            "{}/: theme `{}` {what} — every theme needs {}: copy them from a built-in theme ({}: themes/ in paperboy's repository) or put them in the site's templates/",
            shown.display(),
            self.name,
            PAGE_TEMPLATES.join(", "),
            builtin_names().join(", ")
        )
    }

    /// Whether the theme has `name`: optional pages (email, search) are only written by
    /// themes that provide them, so a site theme from before they existed still builds.
    pub fn has_template(&self, name: &str) -> bool {
        self.templates.iter().any(|(n, _)| n == name)
    }

    /// Whether the site has a search page (and so a search index): the one place that
    /// decides it, for the jobs, the search job and what enrichment gathers.
    pub fn has_search_page(&self) -> bool {
        self.has_template("search.html")
    }

    /// Turns a Tera error into `FILE:LINE: what is wrong — fix the template`, naming the file
    /// the template was read from (the override, the site theme or the built-in theme).
    pub fn template_error(&self, e: &tera::Error) -> anyhow::Error {
        let (name, line, what) = match (report_of(e), e.kind()) {
            (Some(r), _) => (r.filename().to_string(), r.span().start_line, self.quoted(r)),
            (None, tera::ErrorKind::MissingParent { current, parent }) => {
                let line = self.line_mentioning(current, parent);
                (
                    current.clone(),
                    line,
                    format!("extends `{parent}`, which is not a template of this theme"),
                )
            }
            (None, _) => parse_report(&error_chain(e)),
        };
        let text = self.source(&name);
        let (line, what) = text.map_or((line, what.clone()), |t| syntax::explain(t, line, &what));
        let origin = self.origins.iter().find(|(n, _)| *n == name).map(|(_, o)| o.as_str());
        let place = match (origin, line) {
            (Some(o), l) if l > 0 => format!("{o}:{l}"),
            (Some(o), _) => o.to_string(),
            (None, _) if !name.is_empty() => format!("template {name}"),
            (None, _) => format!("theme `{}`", self.name),
        };
        anyhow::Error::new(TemplateError {
            place,
            what,
            page: None,
        })
    }

    /// A report's message, with the expression it is about when the message leaves it out:
    /// "expected `string` but got `none`" says little until it reads `paper.comment | upper`.
    fn quoted(&self, r: &tera::ReportError) -> String {
        let what = shortened(&one_line(r.message()));
        let expression = self
            .source(r.filename())
            .and_then(|t| enclosing_tag(t, r.span().range.start));
        // The interface words: a theme's own word is added in the config, not the template.
        if expression.is_some_and(|x| x.starts_with("t.")) && what.contains("is not defined") {
            let word = what.split('`').nth(1).unwrap_or("the_word");
            return format!(
                "the interface words `t` have no `{word}` (add `{word} = \"…\"` under [translations] in paperboy.toml; the built-in words are in src/render/i18n/en.toml of paperboy's repository)"
            );
        }
        match expression {
            Some(x) if !x.is_empty() && x.len() <= 80 && !x.contains('\n') && !what.contains(x) => {
                format!("{what} (in `{x}`)")
            }
            _ => what,
        }
    }
}

/// A template that does not compile or render: `FILE:LINE: what is wrong — fix the
/// template`, and the page being rendered when it was one page's data that broke it.
#[derive(Debug)]
pub struct TemplateError {
    /// The template's file and line, as the user would open it.
    pub place: String,
    /// What is wrong.
    pub what: String,
    /// The page (its folder or file under the output) being rendered, when known.
    pub page: Option<String>,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let TemplateError { place, what, page } = self;
        match page {
            Some(page) => write!(f, "{place}: {what}, rendering {page} — fix the template"),
            None => write!(f, "{place}: {what} — fix the template"),
        }
    }
}

impl std::error::Error for TemplateError {}

impl Theme {
    fn line_mentioning(&self, template: &str, needle: &str) -> usize {
        self.source(template)
            .and_then(|text| text.lines().position(|l| l.contains(needle)))
            .map_or(0, |i| i + 1)
    }

    /// The text of template `name`, overrides applied.
    fn source(&self, name: &str) -> Option<&str> {
        self.templates.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str())
    }
}

/// Tera's "Available fields: a, b, …" cut to its first few names: the interface words
/// alone are a hundred, a line of 1.7 KB.
fn shortened(what: &str) -> String {
    const SHOWN: usize = 12;
    let Some((head, fields)) = what.split_once("Available fields: ") else {
        return what.to_string();
    };
    let names: Vec<&str> = fields.split(", ").collect();
    if names.len() <= SHOWN {
        return what.to_string();
    }
    format!(
        "{head}Available fields: {}, … ({} more)",
        names[..SHOWN].join(", "),
        names.len() - SHOWN
    )
}

/// The inside of the `{{ … }}` or `{% … %}` of `text` that holds byte `at`: Tera's span
/// points at one part of an expression (`paper` of `paper.comment | upper`).
fn enclosing_tag(text: &str, at: usize) -> Option<&str> {
    let before = text.get(..at)?;
    let open = before.rfind("{{").max(before.rfind("{%"))?;
    let close = if text[open..].starts_with("{{") { "}}" } else { "%}" };
    let inner = &text[open + 2..];
    let end = inner.find(close)?;
    (open + 2 + end >= at).then(|| inner[..end].trim_matches(|c: char| c == '-' || c.is_whitespace()))
}

/// Some Tera errors (unknown filters, tests, includes) only come as rendered reports:
/// `error: WHAT` then `--> NAME:LINE:COL`. Takes the first one apart.
fn parse_report(text: &str) -> (String, usize, String) {
    let what = text
        .split("error: ")
        .nth(1)
        .and_then(|rest| rest.split("-->").next())
        .map_or_else(|| one_line(text), one_line);
    let at = text
        .split("--> ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next());
    let mut parts = at.unwrap_or("").rsplitn(3, ':');
    let _col = parts.next();
    let line = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
    let name = parts.next().unwrap_or("").to_string();
    (name, line, what)
}

/// The part of a Tera error that points into a template, however deep it is nested.
fn report_of(e: &tera::Error) -> Option<&tera::ReportError> {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => std::error::Error::source(e)?
            .downcast_ref::<tera::Error>()
            .and_then(report_of),
    }
}

fn error_chain(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn files_under<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        out.extend(files_under(sub));
    }
    out
}

/// Reads every file under `dir` (if it exists) as `(relative path, T)`.
fn read_dir_into<T>(
    dir: &Path,
    root: &Path,
    out: &mut Vec<(String, T)>,
    convert: impl Fn(Vec<u8>) -> std::result::Result<T, std::string::FromUtf8Error>,
) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        if !entry.file_type().is_file() || is_editor_artefact(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let bytes = std::fs::read(entry.path()).with_context(|| format!("cannot read {}", entry.path().display()))?;
        let value = convert(bytes).map_err(|e| {
            // Named from the site root, at the line of the first byte that is not UTF-8.
            let shown = entry.path().strip_prefix(root).unwrap_or(entry.path());
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            anyhow::anyhow!(
                "{}:{line}: not valid UTF-8 (byte {} of the file) — save the template as UTF-8",
                shown.display(),
                at + 1
            )
        })?;
        out.push((rel.to_string_lossy().replace('\\', "/"), value));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_of_fields_are_cut() {
        let many: Vec<String> = (0..20).map(|i| format!("f{i}")).collect();
        let what = format!("Field `x` is not defined. Available fields: {}", many.join(", "));
        assert_eq!(
            shortened(&what),
            "Field `x` is not defined. Available fields: f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, … (8 more)"
        );
        let few = "Field `x` is not defined. Available fields: a, b";
        assert_eq!(shortened(few), few);
    }
}
