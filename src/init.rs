//! `paperboy init`: a starter site that builds as is and shows the content formats, and on
//! request a workflow that publishes it.

use std::fs;
use std::path::Path;

use anyhow::{Context as _, Result};

const CONFIG: &str = r#"# paperboy site config. Every key is optional; the README lists them all.
title = "My Paper Digest"
description = "Research papers worth reading, one issue a day."
# Where the site is published: feeds, sitemaps and emails need absolute links. A path
# (https://example.org/digest/) works too. Until it is set, links point at this machine
# (right for a preview) and `paperboy build` says so; set it before you deploy.
# base_url = "https://example.org/"
language = "en"
theme = "default"        # or "newsletter", or a folder under themes/
# Tables' keys are written with dots, so that a line added at the end stays top-level.
feeds.limit = 50         # items per feed
issues.per_page = 100    # papers per issue page
# extra.tagline = "…"    # anything your theme reads, as site.extra.tagline
"#;

/// A GitHub Actions workflow that builds the site every day and on every push, and
/// publishes it with GitHub Pages (Settings → Pages → Source: GitHub Actions).
const PAGES_WORKFLOW: &str = r#"# Builds the site with paperboy and publishes it on GitHub Pages: on every push, every day
# after the crawler has run, and by hand. In the repository: Settings → Pages → Source:
# GitHub Actions.
name: Publish
on:
  push:
    branches: [main]
  schedule:
    - cron: "30 6 * * *"
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

env:
  # Where paperboy is installed from: its git repository. Set it: the install step stops,
  # saying so, while it is this placeholder.
  PAPERBOY_GIT: https://github.com/OWNER/paperboy

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Keep the paperboy binary and the build cache between runs
        uses: actions/cache@v4
        with:
          path: |
            ~/.cargo/bin/paperboy
            public
            .public.staging
            .public.manifest
            .public.jobs
            .public.parsed
            .public.topics
            .public.words
            .public.sealed-words
            .public.related
            .public.sealed
            .public.folders
            .public.staged-folders
          key: paperboy-${{ runner.os }}-${{ github.run_id }}
          restore-keys: paperboy-${{ runner.os }}-
      - name: Install paperboy
        run: |
          command -v paperboy && exit 0
          case "$PAPERBOY_GIT" in
            *OWNER*) echo "::error::Set PAPERBOY_GIT at the top of this workflow to the URL of paperboy's git repository"; exit 1 ;;
          esac
          cargo install --locked --git "$PAPERBOY_GIT" paperboy-digest
      - id: pages
        uses: actions/configure-pages@v5
      - name: Build
        run: paperboy build --base-url "${{ steps.pages.outputs.base_url }}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
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

/// Where `paperboy init --github-pages` writes its workflow.
pub const PAGES_WORKFLOW_PATH: &str = ".github/workflows/publish.yml";

/// Writes a starter site into `dir` (and, with `github_pages`, a workflow that publishes
/// it), refusing to overwrite an existing site.
pub fn init(dir: &Path, date: chrono::NaiveDate, github_pages: bool) -> Result<()> {
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
    if !dir.join(".gitignore").exists() {
        write(".gitignore", "/public\n/.public.*\n/.paperboy\n")?;
    }
    if github_pages {
        write(PAGES_WORKFLOW_PATH, PAGES_WORKFLOW)?;
    }
    Ok(())
}
