//! The `paperboy` command line: parse arguments, call the library, print results.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A build makes millions of small allocations from two threads (words, values for the
/// templates, page buffers); mimalloc serves them in a third less time than glibc's
/// allocator: 10.0 s → 7.0 s for 100,000 papers, for 90 MB more peak memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (the Rust bindings do not name it);
/// a test checks that it still is.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tells mimalloc to keep freed memory instead of handing it back to the OS. A build frees
/// and reallocates its page buffers and template values all the time; handed back, that
/// memory came back as fresh pages the kernel had to zero again: 130 MB purged and refaulted
/// in a 10,000-paper build, and a fifth of its system time (mean of 12 builds, 0.35 → 0.28 s).
/// Peak memory does not change: the process ends soon after its peak, and `serve` reuses
/// what it keeps.
fn keep_freed_memory() {
    // SAFETY: called first thing in `main`, before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

#[derive(Parser)]
#[command(
    name = "paperboy",
    version,
    about = "Build a trending-papers digest site from scraped digests and Markdown papers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the site is and where it goes; shared by the commands that build.
#[derive(clap::Args)]
struct SiteArgs {
    /// Site root (holds content/ and paperboy.toml).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output folder [default: ROOT/public].
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder.
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Override base_url from the config.
        #[arg(long)]
        base_url: Option<String>,
        /// Replace an output folder that holds files paperboy did not write.
        #[arg(long)]
        force: bool,
    },
    /// Build, serve the site on localhost, and rebuild and reload the browser on every change.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// Address to listen on. Anything but loopback exposes the site to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Build, then rebuild on every change, without a server.
    Watch {
        #[command(flatten)]
        site: SiteArgs,
        /// Override base_url from the config.
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Show tags and their counts, untagged papers, or why a paper got its tags.
    Tags {
        /// Site root (holds content/ and paperboy.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Explain the tags of the paper with this slug; with --eval, explain every wrong or
        /// missed tag.
        #[arg(long, value_name = "SLUG", num_args = 0..=1)]
        explain: Option<Option<String>>,
        /// Score the automatic tags against hand-chosen ones: a file of `id<TAB>topics`
        /// lines (id: the paper's arXiv id or slug; topics: comma-separated tag slugs).
        #[arg(long, value_name = "LABELS.tsv")]
        eval: Option<PathBuf>,
        /// With --eval: the topics to score (comma-separated slugs) [default: those the labels use].
        #[arg(long, value_name = "SLUGS", value_delimiter = ',')]
        topics: Option<Vec<String>>,
    },
    /// Write a starter site into DIR.
    Init {
        /// Folder to create the site in.
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build {
            site: SiteArgs { root, output },
            base_url,
            force,
        } => build(paperboy::BuildOptions {
            root,
            output,
            base_url,
            force,
        }),
        Command::Serve {
            site: SiteArgs { root, output },
            bind,
            port,
            open,
        } => paperboy::live::serve(paperboy::live::ServeOptions {
            root,
            output,
            bind,
            port,
            open,
        }),
        Command::Watch {
            site: SiteArgs { root, output },
            base_url,
        } => watch(&root, output, base_url),
        Command::Tags {
            root,
            explain,
            eval,
            topics,
        } => tags(&root, explain, eval, topics),
        Command::Init { dir } => paperboy::init::init(&dir, chrono::Local::now().date_naive()).map(|()| {
            println!(
                "Created a site in {}. Build it with: paperboy build --root {}",
                dir.display(),
                dir.display()
            );
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            print_error(&e);
            ExitCode::FAILURE
        }
    }
}

fn build(options: paperboy::BuildOptions) -> anyhow::Result<()> {
    let progress = Progress::new(std::time::Instant::now());
    let report = paperboy::build_with_progress(&options, &|done, total| progress.update(done, total));
    progress.finish();
    let report = report?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "Built {} papers, {} {}, {} tags: {} pages, {} feeds in {} ms → {}",
        report.papers,
        report.issues,
        if report.issues == 1 { "issue" } else { "issues" },
        report.tags,
        report.counts.pages,
        report.counts.feeds,
        report.elapsed.as_millis(),
        report.output.display()
    );
    Ok(())
}

/// A progress bar on a terminal for builds that take more than about a second; nothing
/// when stderr is not a terminal (CI logs, pipes) or the build is quick.
struct Progress {
    started: std::time::Instant,
    bar: std::sync::Mutex<Option<indicatif::ProgressBar>>,
    enabled: bool,
}

impl Progress {
    fn new(started: std::time::Instant) -> Self {
        use std::io::IsTerminal;
        Progress {
            started,
            bar: std::sync::Mutex::new(None),
            enabled: std::io::stderr().is_terminal(),
        }
    }

    fn update(&self, done: usize, total: usize) {
        if !self.enabled || self.started.elapsed() < std::time::Duration::from_millis(800) {
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

fn watch(root: &std::path::Path, output: Option<PathBuf>, base_url: Option<String>) -> anyhow::Result<()> {
    let output = output.unwrap_or_else(|| root.join("public"));
    let watching = paperboy::live::watch(root)?;
    let mut live = paperboy::live::LiveSite::new(root, &output, base_url);
    match live.rebuild_all() {
        Ok(r) => {
            live.warm_up();
            println!(
                "Built {} papers in {} ms; watching for changes (Ctrl-C to stop)",
                r.papers,
                r.elapsed.as_millis()
            )
        }
        Err(e) => print_error(&e),
    }
    paperboy::live::run(&mut live, root, watching, |outcome| match outcome {
        paperboy::live::Outcome::Rebuilt(report, changed) => {
            println!("{}", paperboy::live::describe(&report, &changed, root))
        }
        paperboy::live::Outcome::Failed(text) => {
            for line in text.lines() {
                eprintln!("error: {line}");
            }
        }
    })
}

fn tags(
    root: &std::path::Path,
    explain: Option<Option<String>>,
    eval: Option<PathBuf>,
    topics: Option<Vec<String>>,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let mut phases = paperboy::Phases::new();
    let loaded = paperboy::load_tags(root, &mut phases)?;
    phases.report();
    let (site, taxonomy) = (&loaded.site, &loaded.setup.taxonomy);
    let text = match (eval, explain) {
        (Some(labels), explain) => {
            let text = std::fs::read_to_string(&labels).with_context(|| {
                format!(
                    "cannot read {} — give a file of `id<TAB>topics` lines",
                    labels.display()
                )
            })?;
            paperboy::enrich::evaluate_tags(site, taxonomy, &text, &labels, topics.as_deref(), explain.is_some())?
        }
        (None, Some(Some(slug))) => paperboy::enrich::explain_tags(site, taxonomy, &slug)?,
        (None, Some(None)) => {
            anyhow::bail!("--explain needs a paper's slug, or --eval LABELS.tsv to explain the wrong tags")
        }
        (None, None) => paperboy::enrich::tag_report(site),
    };
    print!("{text}");
    Ok(())
}

/// One line per problem; content errors already carry `file:line: what — what to do`.
fn print_error(e: &anyhow::Error) {
    for line in paperboy::error::report_lines(e) {
        eprintln!("error: {line}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_we_set() {
        // mimalloc's documented default purge delay is 1000 ms in this version; another value
        // means the option numbers moved and `keep_freed_memory` sets the wrong one.
        let default = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(default, 1000);
    }
}
