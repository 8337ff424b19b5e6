//! The README's promises, checked: the config block shows the real defaults, and every
//! command and flag it shows exists in the binary.

use std::path::Path;
use std::process::Command;

const README: &str = include_str!("../README.md");

/// The fenced block of `lang` that follows the heading starting with `heading`.
fn block_after(heading: &str, lang: &str) -> &'static str {
    let at = README
        .find(heading)
        .unwrap_or_else(|| panic!("README lacks {heading:?}"));
    let fence = format!("```{lang}\n");
    let start = at + README[at..].find(&fence).expect("a fenced block") + fence.len();
    let end = start + README[start..].find("```").expect("a closed block");
    &README[start..end]
}

#[test]
fn the_config_block_shows_the_defaults() {
    let block = block_after("## Configuration", "toml");
    let (config, warnings) = paperboy::config::Config::parse(block, Path::new("README.md")).unwrap();
    assert!(
        warnings.is_empty(),
        "the README's config has unknown keys: {warnings:?}"
    );
    let default = paperboy::config::Config::default();
    // Everything but where the config was read from.
    let values = |c: &paperboy::config::Config| {
        let text = format!("{c:#?}");
        text[..text.find("    source: ").expect("a source field")].to_string()
    };
    assert_eq!(
        values(&config),
        values(&default),
        "a value in the README's config block is not the default"
    );
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "paperboy {args:?} --help failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn every_command_and_flag_the_readme_shows_exists() {
    let block = block_after("### The command line", "text");
    let global = help(&[]);
    for flag in ["--root", "--config", "-r", "-c"] {
        assert!(global.contains(flag), "global help lacks {flag}");
    }
    for line in block.lines().skip(1) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(command) = words.first() else { continue };
        let text = help(&[command]);
        // Flags on the line (`-o/--output`, `--drafts`), and for "same as build" the build flags.
        let mut flags: Vec<String> = words
            .iter()
            .flat_map(|w| w.trim_matches(|c| c == '[' || c == ']').split('/'))
            .filter(|f| f.starts_with('-'))
            .map(String::from)
            .collect();
        if line.contains("same as build") {
            flags.extend(["--output", "--base-url", "--drafts", "--future"].map(String::from));
        }
        for flag in flags {
            assert!(text.contains(&flag), "`paperboy {command}` has no {flag}:\n{text}");
        }
    }
}
