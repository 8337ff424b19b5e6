//! paperboy: a static site generator for trending-papers digests.
//!
//! The pipeline runs one way: [`content::load`] reads the corpus into a [`model::Site`],
//! [`enrich`] adds tags, related papers and search words (reading each paper's words once,
//! through a [`lexicon`]), [`render::Renderer`] turns it into bytes, and [`output`] is the
//! only place that writes to the output folder.

pub mod config;
pub mod content;
pub mod enrich;
pub mod error;
pub mod feeds;
pub mod init;
pub mod lexicon;
pub mod markup;
pub mod math;
pub mod model;
pub mod output;
pub mod rebuild;
pub mod related;
pub mod render;
pub mod search;
pub mod serve;
pub mod sitemap;
pub mod slug;
pub mod tagging;
pub mod theme;
pub mod watch;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::config::Config;
use crate::model::Site;
use crate::render::{Counts, Renderer};
use crate::theme::Theme;

/// What `paperboy build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Site root: holds `content/` and optionally `paperboy.toml`, `themes/`, `templates/`.
    pub root: PathBuf,
    /// Output folder; `root/public` when not given.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from the config (e.g. for a preview deploy).
    pub base_url: Option<String>,
    /// Replace an output folder that holds files paperboy did not write.
    pub force: bool,
}

/// The outcome of a build, for the one-line summary.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Unique papers.
    pub papers: usize,
    /// Digest issues.
    pub issues: usize,
    /// Tags.
    pub tags: usize,
    /// Files written, by kind.
    pub counts: Counts,
    /// Non-fatal problems (unknown config keys, ...).
    pub warnings: Vec<String>,
    /// Wall time of the whole build.
    pub elapsed: Duration,
    /// Where the site was written.
    pub output: PathBuf,
}

/// Everything a build reads: config, corpus and theme. Fails before anything is written.
pub struct Loaded {
    /// The site config, with command-line overrides applied.
    pub config: Config,
    /// The enriched model.
    pub site: Site,
    /// The theme's templates and static files.
    pub theme: Theme,
    /// Non-fatal problems found while loading.
    pub warnings: Vec<String>,
    /// Every word of the corpus, numbered.
    pub lexicon: lexicon::Lexicon,
    /// Each paper's search words, when the theme has a search page.
    pub search_words: Option<search::Prepared>,
}

/// Reads config, content and theme, and enriches the model (tags, related papers).
pub fn load(root: &Path, base_url: Option<&str>) -> Result<Loaded> {
    load_timed(root, base_url, &mut Phases::new())
}

/// [`load`], marking its phases.
pub fn load_timed(root: &Path, base_url: Option<&str>, phases: &mut Phases) -> Result<Loaded> {
    load_deriving(root, base_url, None, phases)
}

/// [`load_timed`] with tags but no related papers or search words, for reports on tags.
pub fn load_tags(root: &Path, phases: &mut Phases) -> Result<Loaded> {
    load_deriving(root, None, Some(enrich::Derive::Tags), phases)
}

/// Loads, deriving what `derive` says, or what the theme's pages need.
fn load_deriving(
    root: &Path,
    base_url: Option<&str>,
    derive: Option<enrich::Derive>,
    phases: &mut Phases,
) -> Result<Loaded> {
    let (config, mut warnings) = Config::load_with_base_url(root, base_url)?;
    let theme = Theme::load(root, &config)?;
    let taxonomy = tagging::Taxonomy::new(&config.tagging)?;
    let (mut site, content_warnings) = content::load(root, &config)?;
    warnings.extend(content_warnings);
    phases.mark("read+parse");
    let mut enricher = enrich::Enricher::once();
    let derive = derive.unwrap_or_else(|| enrich::Derive::for_theme(&theme));
    let search_words = enricher.enrich(&mut site, &taxonomy, derive, phases);
    Ok(Loaded {
        config,
        site,
        theme,
        warnings,
        lexicon: enricher.into_lexicon(),
        search_words,
    })
}

/// An error as the user should see it: content errors one per line, anything else as its
/// chain of causes on one line.
pub fn error_lines(e: &anyhow::Error) -> String {
    if let Some(errors) = e.downcast_ref::<error::ContentErrors>() {
        return errors.0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n");
    }
    e.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": ")
}

/// A progress bar on a terminal for builds that take more than about a second; nothing
/// when stderr is not a terminal (CI logs, pipes) or the build is quick.
struct Progress {
    started: Instant,
    bar: std::sync::Mutex<Option<indicatif::ProgressBar>>,
    enabled: bool,
}

impl Progress {
    fn new(started: Instant) -> Self {
        use std::io::IsTerminal;
        Progress {
            started,
            bar: std::sync::Mutex::new(None),
            enabled: std::io::stderr().is_terminal(),
        }
    }

    fn update(&self, done: usize, total: usize) {
        if !self.enabled || self.started.elapsed() < Duration::from_millis(800) {
            return;
        }
        let mut bar = self.bar.lock().expect("not poisoned");
        let bar = bar.get_or_insert_with(|| {
            let style = indicatif::ProgressStyle::with_template("Building {bar:40} {pos}/{len}  {elapsed}")
                .expect("a valid template");
            indicatif::ProgressBar::new(total as u64).with_style(style)
        });
        bar.set_position(done as u64);
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.lock().expect("not poisoned").take() {
            bar.finish_and_clear();
        }
    }
}

/// Phase timings, printed on stderr when `PAPERBOY_TIMINGS` is set: the benchmark reads
/// them to report tagging and rendering separately.
pub struct Phases {
    enabled: bool,
    last: Instant,
    last_cpu: Duration,
    /// Per phase: name, wall time, CPU time of the whole process (all threads).
    marks: Vec<(&'static str, Duration, Duration)>,
}

impl Default for Phases {
    fn default() -> Self {
        Self::new()
    }
}

impl Phases {
    /// Starts the clock.
    pub fn new() -> Self {
        Phases {
            enabled: std::env::var_os("PAPERBOY_TIMINGS").is_some(),
            last: Instant::now(),
            last_cpu: process_cpu_time(),
            marks: Vec::new(),
        }
    }
    /// Ends the phase `name`.
    pub fn mark(&mut self, name: &'static str) {
        let (now, cpu) = (Instant::now(), process_cpu_time());
        self.marks
            .push((name, now - self.last, cpu.saturating_sub(self.last_cpu)));
        (self.last, self.last_cpu) = (now, cpu);
    }
    /// Prints the phases when asked to.
    pub fn report(&self) {
        if self.enabled {
            let parts: Vec<String> = self
                .marks
                .iter()
                .map(|(n, wall, cpu)| format!("{n} {} ms (cpu {})", wall.as_millis(), cpu.as_millis()))
                .collect();
            // Peak memory so far, where the OS tells it (Linux).
            let peak = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
                    line.split_whitespace().nth(1)?.parse::<u64>().ok()
                })
                .map(|kb| format!(", peak RSS {} MB", kb / 1024))
                .unwrap_or_default();
            eprintln!("timings: {}{peak}", parts.join(", "));
        }
    }
}

/// CPU time of all the process's threads so far: a phase whose CPU time is not about
/// twice its wall time on two cores leaves a core idle.
fn process_cpu_time() -> Duration {
    // Through libc, not rustix: rustix reads the vDSO itself, which crashes under valgrind.
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec to write to; the clock id is a constant.
    if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Builds the site: load, render into a staging folder, then swap it in.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let mut phases = Phases::new();
    let loaded = load_timed(&options.root, options.base_url.as_deref(), &mut phases)?;
    let mut renderer = Renderer::new(&loaded.site, &loaded.config, &loaded.theme)?;
    if let Some(words) = loaded.search_words {
        renderer = renderer.with_search_words(&loaded.lexicon, words);
    }
    phases.mark("prepare");
    let output = options.output.clone().unwrap_or_else(|| options.root.join("public"));
    let staging = output::Staging::begin(&output, options.force)?;
    let progress = Progress::new(started);
    let counts = renderer.render_jobs(
        &renderer.all_jobs(),
        &staging,
        &|done, total| progress.update(done, total),
        &mut |_, _| {},
    )?;
    progress.finish();
    phases.mark("render+write");
    staging.commit()?;
    phases.mark("swap");
    phases.report();
    Ok(BuildReport {
        papers: loaded.site.papers.len(),
        issues: loaded.site.issues.len(),
        tags: loaded.site.tags.len(),
        counts,
        warnings: loaded.warnings,
        elapsed: started.elapsed(),
        output,
    })
}
