//! Themes: Tera templates plus static files. The built-in themes are compiled into the
//! binary so `paperboy build` works in any folder; a site may bring its own theme under
//! `themes/<name>/` and override single templates in `templates/`.

use std::path::Path;

use anyhow::{Context as _, Result};
use include_dir::{Dir, include_dir};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes");

/// Folder under the site root for single-template overrides.
pub const OVERRIDES_DIR: &str = "templates";
/// Folder under the site root for site-local themes.
pub const THEMES_DIR: &str = "themes";

/// A theme's files, read into memory so that rendering never touches the disk.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Theme name, as configured.
    pub name: String,
    /// `(template name, source)`, e.g. `("paper.html", "...")`, overrides applied.
    pub templates: Vec<(String, String)>,
    /// `(path under the output root, bytes)` of static files.
    pub statics: Vec<(String, Vec<u8>)>,
}

/// Names of the themes built into the binary.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.dirs().filter_map(|d| d.path().file_name()?.to_str()).collect()
}

impl Theme {
    /// Reads theme `name` for the site at `root`: the site's own `themes/<name>` first, then
    /// the built-in one; then the site's `templates/*.html` replace the theme's of that name.
    pub fn load(root: &Path, name: &str) -> Result<Theme> {
        let mut theme = Theme {
            name: name.to_string(),
            ..Theme::default()
        };
        let local = root.join(THEMES_DIR).join(name);
        if local.is_dir() {
            read_dir_into(&local.join("templates"), &mut theme.templates, |b| {
                String::from_utf8(b).map_err(|e| anyhow::anyhow!("{e}"))
            })?;
            read_dir_into(&local.join("static"), &mut theme.statics, Ok)?;
        } else if let Some(dir) = BUILTIN.get_dir(name) {
            for file in files_under(dir) {
                let rel = file.path().strip_prefix(dir.path()).unwrap_or(file.path());
                let rel_str = rel.to_string_lossy().replace('\\', "/");
                if let Some(t) = rel_str.strip_prefix("templates/") {
                    let text = file.contents_utf8().context("built-in template is not UTF-8")?;
                    theme.templates.push((t.to_string(), text.to_string()));
                } else if let Some(s) = rel_str.strip_prefix("static/") {
                    theme.statics.push((s.to_string(), file.contents().to_vec()));
                }
            }
        } else {
            anyhow::bail!(
                "theme `{name}` does not exist — use one of the built-in themes ({}) or create {}",
                builtin_names().join(", "),
                local.display()
            );
        }
        let mut overrides = Vec::new();
        read_dir_into(&root.join(OVERRIDES_DIR), &mut overrides, |b| {
            String::from_utf8(b).map_err(|e| anyhow::anyhow!("{e}"))
        })?;
        for (name, text) in overrides {
            match theme.templates.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = text,
                None => theme.templates.push((name, text)),
            }
        }
        theme.templates.sort();
        theme.statics.sort();
        Ok(theme)
    }
}

fn files_under<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        out.extend(files_under(sub));
    }
    out
}

/// Reads every file under `dir` (if it exists) as `(relative path, T)`.
fn read_dir_into<T>(dir: &Path, out: &mut Vec<(String, T)>, convert: impl Fn(Vec<u8>) -> Result<T>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let bytes = std::fs::read(entry.path()).with_context(|| format!("cannot read {}", entry.path().display()))?;
        let value = convert(bytes).with_context(|| {
            format!(
                "{}:1: not valid UTF-8 — save the template as UTF-8",
                entry.path().display()
            )
        })?;
        out.push((rel.to_string_lossy().replace('\\', "/"), value));
    }
    Ok(())
}
