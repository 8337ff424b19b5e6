//! The crate's layering, checked on its source: each stage imports only the stages below
//! it (see the code map in `ARCHITECTURE.md`), so that data flows one way and a reader can
//! find every feature from the tree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module (a file or a folder under `src/`), lowest first, with the modules
/// it may import. `lib` and `main` are the front door and the command line.
const LAYERS: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("error", &[]),
    ("phases", &[]),
    ("memory", &[]),
    ("le_bytes", &[]),
    ("editor_files", &[]),
    ("output", &["le_bytes"]),
    ("config", &["error"]),
    ("model", &["config", "text"]),
    ("theme", &["config", "editor_files"]),
    (
        "content",
        &["config", "editor_files", "error", "le_bytes", "model", "text"],
    ),
    ("enrich", &["config", "le_bytes", "memory", "model", "phases", "text"]),
    ("render", &["config", "enrich", "model", "text", "theme"]),
    (
        "pipeline",
        &[
            "config", "content", "enrich", "error", "memory", "model", "output", "phases", "render", "theme",
        ],
    ),
    ("check", &["config", "error", "model", "output", "pipeline", "render"]),
    (
        "live",
        &[
            "config",
            "content",
            "editor_files",
            "enrich",
            "error",
            "model",
            "output",
            "phases",
            "pipeline",
            "render",
            "theme",
        ],
    ),
    ("init", &["config"]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The top-level module a source file belongs to: `src/render/pages/paper.rs` → `render`.
fn layer_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// The code of a file without comments and without its unit tests (which sit at the end,
/// after `#[cfg(test)]`, and may build fixtures with any stage).
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap();
    text.lines()
        .map(|l| l.split("//").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of code names through `crate::`: `crate::model::Site`,
/// `crate::{config, model::Site}`.
fn crate_imports(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for part in group.split(',') {
                let name = ident(part.trim());
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

fn allowed() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    LAYERS
        .iter()
        .map(|(layer, deps)| (*layer, deps.iter().copied().collect()))
        .collect()
}

#[test]
fn the_layers_are_listed_lowest_first() {
    // Each layer may import only layers listed before it: the list is a topological order,
    // so the allowed imports cannot form a circle.
    for (i, (layer, deps)) in LAYERS.iter().enumerate() {
        for dep in *deps {
            let at = LAYERS.iter().position(|(l, _)| l == dep);
            assert!(
                at.is_some_and(|at| at < i),
                "{layer} may import {dep}, which is not below it"
            );
        }
    }
}

#[test]
fn every_import_points_down() {
    let allowed = allowed();
    let mut problems = Vec::new();
    let files = rust_files(&src());
    assert!(files.len() > 40, "found only {} source files", files.len());
    for file in files {
        let layer = layer_of(&file);
        if layer == "lib" || layer == "main" {
            continue;
        }
        let Some(may) = allowed.get(layer.as_str()) else {
            problems.push(format!("{}: module `{layer}` is not in LAYERS", file.display()));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for import in crate_imports(&code(&text)) {
            if import != layer && !may.contains(import.as_str()) {
                problems.push(format!("{}: `{layer}` imports `crate::{import}`", file.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "imports that do not point down:\n{}",
        problems.join("\n")
    );
}

#[test]
fn only_the_command_line_uses_live_and_nothing_below_pipeline_writes() {
    for file in rust_files(&src()) {
        let layer = layer_of(&file);
        let code = code(&std::fs::read_to_string(&file).unwrap());
        if layer != "live" && layer != "main" && layer != "lib" {
            assert!(!code.contains("crate::live"), "{} imports live/", file.display());
        }
        // Rendering computes bytes; only `output` (and loading, which reads) touches files.
        if layer == "render" || layer == "enrich" || layer == "model" || layer == "text" {
            for io in ["std::fs", "fs::", "File::", "walkdir", "OpenOptions"] {
                assert!(!code.contains(io), "{} uses `{io}`", file.display());
            }
        }
    }
}

#[test]
fn the_checker_sees_imports() {
    // The parser above must find what it is meant to find, or the checks pass vacuously.
    let found = crate_imports("use crate::model::Site;\nuse crate::{config::Config, text};\nx(crate::render::Job)");
    assert_eq!(
        found,
        BTreeSet::from(["config", "model", "render", "text"].map(String::from))
    );
    assert_eq!(
        crate_imports(&code("use crate::a; // crate::b\n#[cfg(test)]\nuse crate::c;")),
        BTreeSet::from(["a".to_string()])
    );
}
