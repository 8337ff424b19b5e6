//! `paperboy init`: a starter site that builds as is and shows both content formats.

use std::fs;
use std::path::Path;

use anyhow::{Context as _, Result};

const CONFIG: &str = r#"# paperboy site config. Every key is optional.
title = "My Paper Digest"
description = "Research papers worth reading, one issue a day."
# Where the site is published; feeds need absolute links. A path (…/digest/) works too.
base_url = "https://example.org/"
language = "en"
theme = "default"   # or "newsletter", or a folder under themes/

[feeds]
limit = 50          # items per feed
"#;

const DIGEST: &str = "Get trending papers in your email inbox once a day!
Get trending papers in your email inbox!
SubscribeA Starter Title: How Scraped Digests Become Pages
Each digest file is one issue: its name gives the date, and its lines alternate between a paper's title and its abstract. Boilerplate at the top, like the subscribe banner above, is stripped. Replace this file with your own scraped digest.
Deep Reinforcement Learning for Tidy Static Sites
We study how a reinforcement learning agent could keep a static site tidy. The policy is rewarded for short build times and penalised for broken links. Experiments on a small corpus show that the agent learns to keep pages valid.
";

const PAPER: &str = r#"+++
title = "Markdown Papers Carry Their Own Metadata"
date = 2026-11-26
tags = ["Site Building"]
authors = ["Ada Example", "Grace Sample"]
url = "https://example.org/papers/markdown"
+++
A Markdown paper has front matter with a title, a date, tags, authors and a link; its body is
the abstract, written in *Markdown*.

It joins the digest issue of its date.
"#;

/// Writes a starter site into `dir`, refusing to overwrite an existing site.
pub fn init(dir: &Path, date: chrono::NaiveDate) -> Result<()> {
    if dir.join(crate::config::CONFIG_FILE).exists() {
        anyhow::bail!(
            "{}: already holds a paperboy site — pick an empty folder, or edit the site that is there",
            dir.display()
        );
    }
    let write = |rel: &str, text: &str| -> Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("{}: cannot create folder", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("{}: cannot write", path.display()))
    };
    write(crate::config::CONFIG_FILE, CONFIG)?;
    write(&format!("content/{}.txt", date.format("%Y-%m-%d")), DIGEST)?;
    write(
        "content/papers/markdown-papers.md",
        &PAPER.replace("2026-11-26", &date.format("%Y-%m-%d").to_string()),
    )?;
    Ok(())
}
