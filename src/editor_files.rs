//! The files editors leave beside the ones they edit, which no part of a site is made of.

/// What is left beside files being edited, never a site's own: Emacs's lock links (`.#NAME`),
/// auto-saves (`#NAME#`) and backups (`NAME~`), Vim's swap files (`.NAME.swp`, `.swo`,
/// `.swn`, `.swx`) and its write test (`4913`), Kate's `.kate-swp`, JetBrains' `___jb_tmp___`
/// and `___jb_old___`, LibreOffice's `.~lock.NAME#`, `.bak`, `.orig`, `.rej`, `.tmp` and
/// `.DS_Store`. The walk of `content/` and the reading of a theme skip them silently, dangling or
/// not, and watch mode does not rebuild for them.
pub fn is_editor_artefact(name: &str) -> bool {
    const SUFFIXES: [&str; 12] = [
        "~",
        ".swp",
        ".swo",
        ".swn",
        ".swx",
        ".kate-swp",
        "___jb_tmp___",
        "___jb_old___",
        ".bak",
        ".orig",
        ".rej",
        ".tmp",
    ];
    name.starts_with(".#")
        || name.starts_with(".~lock.")
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || name == ".DS_Store"
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}
