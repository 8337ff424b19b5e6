//! The `paperboy` command line: parse arguments, call the library, print results.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

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
///
/// The delay is long, not infinite (-1): freed memory is then still marked to be purged, so
/// that where a stage drops a large working set the library can hand it back
/// ([`collect_everywhere`], through `paperboy::memory`): at a million papers the peak was
/// the sum of the stages' working sets instead of the largest.
///
/// Only for commands that end: `serve` and `watch` [`hand_back_idle_memory`] instead.
fn keep_freed_memory() {
    // SAFETY: called in `main` before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, HOLD_PURGE_DELAY_MS) };
    paperboy::memory::set_hand_back(collect_everywhere);
    without_huge_pages();
}

/// Asks Linux for ordinary 4 KiB pages instead of transparent huge pages, for commands that
/// end. mimalloc marks its arenas for huge pages, so each first touch of a 2 MiB stretch
/// zeroes all of it, and each purge of part of one ([`collect_everywhere`]) splits it. A
/// daily build (one day added to 100,000 papers, in a new process) spent a sixth of its CPU
/// in the kernel zeroing huge pages; with 4 KiB pages it took 2.8-2.9 s against 3.2-3.9 s
/// (system time 1.5 s against 2.2-3.0 s, 40-70 MB less peak memory; four alternated pairs),
/// and a clean build was no slower. With nothing changed it was the same after the same
/// pause (2.3-2.6 s both), and 0.2 s slower right after another build. `serve` keeps huge
/// pages: it holds the whole model between saves, and a save read through it faster with
/// them (47-54 ms against 55-60 ms at 100,000 papers).
///
/// Where the system refuses (an old kernel), the build runs as before.
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

/// Purges the freed memory of every thread that allocates: each rayon thread and this one.
fn collect_everywhere() {
    let collect = || {
        // SAFETY: `mi_collect` only frees this thread's unused allocator pages.
        unsafe { libmimalloc_sys::mi_collect(true) }
    };
    rayon::broadcast(|_| collect());
    collect();
}

/// How often `serve` and `watch` look at whether to hand freed memory back to the OS.
const HAND_BACK_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// How long after the last rebuild `serve` and `watch` hold on to the memory it freed.
const HOLD_AFTER_REBUILD: std::time::Duration = std::time::Duration::from_secs(10);

/// mimalloc's purge delay while freed memory is held, in ms: long enough that only a forced
/// collection ([`collect_everywhere`]) purges, yet positive, so that freed memory
/// is still marked to be purged (with -1 it never is, not even by a forced collection).
const HOLD_PURGE_DELAY_MS: std::ffi::c_long = 60_000;

/// For `serve` and `watch`, which run for hours: mimalloc purges freed memory only when the
/// thread that freed it allocates again, and the build threads sit idle between saves, so a
/// rebuild or a burst of connections kept its memory for as long as the server ran (a
/// 10,000-paper site: 254 MB idle, 335 MB after three bursts of 500 requests and 250 event
/// streams, and never back). Every two seconds each rayon thread and this one collect
/// (`mi_collect(true)`): the same site then idles at about 170 MB and is at or below that
/// 20 s after the bursts.
///
/// Except within [`HOLD_AFTER_REBUILD`] of a rebuild: handed back between two saves, the
/// memory came back as pages the kernel zeroed again (a sixth of a save's CPU time), and
/// the save → reload time at 10,000 papers was 120-138 ms against 75-91 ms held (medians of
/// three runs of 8 edits each, alternated).
fn hand_back_idle_memory() {
    // SAFETY: called in `main` before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, HOLD_PURGE_DELAY_MS) };
    let spawned = std::thread::Builder::new().name("memory".into()).spawn(move || {
        let (mut seen, mut since) = (paperboy::live::activity(), std::time::Instant::now());
        loop {
            std::thread::sleep(HAND_BACK_EVERY);
            let now = paperboy::live::activity();
            if now != seen {
                (seen, since) = (now, std::time::Instant::now());
            }
            if now % 2 == 0 && since.elapsed() >= HOLD_AFTER_REBUILD {
                collect_everywhere();
            }
        }
    });
    // Without the thread the server works; it only keeps more memory.
    drop(spawned);
}

/// The version, with the commit it was built from when built from a git checkout.
const VERSION: &str = env!("PAPERBOY_VERSION");

#[derive(Parser)]
#[command(
    name = "paperboy",
    version = VERSION,
    about = "Build a trending-papers digest site from scraped digests, JSON Lines records and Markdown papers",
    after_help = "Exit status: 0 on success, 1 when content, config or templates are wrong (each problem named FILE:LINE), 2 when the command line is."
)]
struct Cli {
    /// Site root (holds content/ and paperboy.toml).
    #[arg(short, long, global = true, default_value = ".")]
    root: PathBuf,
    /// Config file [default: ROOT/paperboy.toml].
    #[arg(short, long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// What a build publishes; shared by the commands that build.
#[derive(clap::Args)]
struct BuildArgs {
    /// Where the site is published, over base_url in the config.
    #[arg(short = 'u', long, value_parser = base_url_arg)]
    base_url: Option<String>,
    /// Publish papers marked `draft = true` too.
    #[arg(long)]
    drafts: bool,
    /// Publish papers dated after today too.
    #[arg(long)]
    future: bool,
}

impl BuildArgs {
    fn overrides(&self, config: &Option<PathBuf>) -> paperboy::config::Overrides {
        paperboy::config::Overrides {
            config: config.clone(),
            base_url: self.base_url.clone(),
            drafts: self.drafts,
            future: self.future,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder.
    Build {
        /// Output folder [default: ROOT/public].
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        args: BuildArgs,
        /// Replace an output folder that holds files paperboy did not write.
        #[arg(long)]
        force: bool,
    },
    /// Build, serve the site on localhost, and rebuild and reload the browser on every change.
    Serve {
        /// Preview folder [default: ROOT/.paperboy/serve]. Never the build's output folder:
        /// the preview's links point at this machine.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        args: BuildArgs,
        /// Address to listen on. Anything but loopback exposes the site to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Port to listen on (0 picks a free one).
        #[arg(short, long, default_value_t = 1111)]
        port: u16,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Build, then rebuild on every change, without a server.
    Watch {
        /// Output folder [default: ROOT/public].
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        args: BuildArgs,
    },
    /// Build in memory and check the result (internal links and anchors, feeds, the papers'
    /// own links) without writing anything.
    Check {
        #[command(flatten)]
        args: BuildArgs,
    },
    /// Show tags and their counts, untagged papers, or why a paper got its tags.
    Tags {
        /// Explain the tags of the paper with this slug or arXiv id; with --eval, explain every
        /// wrong or missed tag.
        #[arg(long, value_name = "SLUG", num_args = 0..=1)]
        explain: Option<Option<String>>,
        /// Score the automatic tags against hand-chosen ones: a file of `id<TAB>topics`
        /// lines (id: the paper's arXiv id or slug; topics: comma-separated tag slugs).
        #[arg(long, value_name = "LABELS.tsv")]
        eval: Option<PathBuf>,
        /// With --eval: the topics to score (comma-separated slugs) [default: those the labels use].
        #[arg(long, value_name = "SLUGS", value_delimiter = ',', requires = "eval")]
        topics: Option<Vec<String>>,
    },
    /// Write a starter site into DIR (default: the current folder).
    Init {
        /// Folder to create the site in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also write a GitHub Actions workflow that builds and deploys to GitHub Pages.
        #[arg(long)]
        github_pages: bool,
    },
    /// Print a completion script for a shell: `paperboy completions bash > …`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve { .. } | Command::Watch { .. }) {
        hand_back_idle_memory();
    } else {
        keep_freed_memory();
    }
    let (root, config) = (cli.root, cli.config);
    let result = match cli.command {
        Command::Build { output, args, force } => build(paperboy::BuildOptions {
            root,
            output,
            overrides: args.overrides(&config),
            force,
        }),
        Command::Serve {
            output,
            args,
            bind,
            port,
            open,
        } => paperboy::live::serve(paperboy::live::ServeOptions {
            overrides: args.overrides(&config),
            output: output.map(|o| preview_folder(&root, o)),
            root,
            bind,
            port,
            open,
        }),
        Command::Watch { output, args } => watch(&root, output, args.overrides(&config)),
        Command::Check { args } => check(&root, args.overrides(&config)),
        Command::Tags { explain, eval, topics } => tags(&root, &config, explain, eval, topics),
        Command::Init { dir, github_pages } => {
            if root != std::path::Path::new(".") {
                usage_error(format!(
                    "init makes the site in the folder it is given, not in --root — run `paperboy init {}`",
                    root.display()
                ));
            }
            init(&dir, github_pages)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "paperboy", &mut std::io::stdout());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            print_error(&e);
            ExitCode::FAILURE
        }
    }
}

fn init(dir: &std::path::Path, github_pages: bool) -> anyhow::Result<()> {
    paperboy::init::init(dir, chrono::Local::now().date_naive(), github_pages)?;
    let at = if dir == std::path::Path::new(".") {
        String::new()
    } else {
        format!(" --root {}", dir.display())
    };
    if at.is_empty() {
        println!("Created a site in the current folder. Next:");
    } else {
        println!("Created a site in {}. Next:", dir.display());
    }
    println!("  paperboy serve{at}    preview it at http://127.0.0.1:1111/ as you edit");
    println!("  paperboy build{at}    build it into public/ (set base_url in paperboy.toml first)");
    Ok(())
}

fn check(root: &std::path::Path, overrides: paperboy::config::Overrides) -> anyhow::Result<()> {
    let report = paperboy::check(root, &overrides)?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    for p in &report.problems {
        eprintln!("error: {p}");
    }
    if !report.problems.is_empty() {
        anyhow::bail!("the check found {} problem(s)", report.problems.len());
    }
    println!(
        "Checked {} files ({} pages, {} feeds, {} links) in {} ms: no problems",
        report.files,
        report.pages,
        report.feeds,
        report.links,
        report.elapsed.as_millis()
    );
    Ok(())
}

fn build(options: paperboy::BuildOptions) -> anyhow::Result<()> {
    let progress = Progress::new(std::time::Instant::now());
    let report = paperboy::build_with_progress(&options, &|done, total| progress.update(done, total));
    progress.finish();
    let report = report?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    let kept = match report.jobs - report.rendered {
        0 => String::new(),
        kept => format!(
            " ({kept} of {} jobs unchanged since the last build, not rendered)",
            report.jobs
        ),
    };
    println!(
        "Built {} papers, {} {}, {} tags: {} pages, {} feeds in {} ms{kept} → {}",
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

fn watch(
    root: &std::path::Path,
    output: Option<PathBuf>,
    overrides: paperboy::config::Overrides,
) -> anyhow::Result<()> {
    let output = output.unwrap_or_else(|| root.join("public"));
    let watching = paperboy::live::watch(root)?;
    let mut live = paperboy::live::LiveSite::new(root, &output, overrides);
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
    config: &Option<PathBuf>,
    explain: Option<Option<String>>,
    eval: Option<PathBuf>,
    topics: Option<Vec<String>>,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    // Said before the site loads, which takes seconds at archive scale.
    if eval.is_none() && matches!(explain, Some(None)) {
        usage_error("--explain needs a paper's slug, or --eval LABELS.tsv to explain the wrong tags".into())
    }
    let mut phases = paperboy::Phases::new();
    let overrides = paperboy::config::Overrides {
        config: config.clone(),
        ..Default::default()
    };
    let loaded = paperboy::load_tags(root, &overrides, &mut phases)?;
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
        (None, Some(slug)) => {
            let slug = slug.expect("--explain without a slug or --eval is refused above");
            paperboy::enrich::explain_tags(site, taxonomy, &slug)?
        }
        (None, None) => paperboy::enrich::tag_report(site),
    };
    print!("{text}");
    Ok(())
}

/// A mistake in the command line that the parser cannot see: said as the parser says its
/// own (with the usage), and exit status 2.
fn usage_error(message: String) -> ! {
    Cli::command()
        .error(clap::error::ErrorKind::ArgumentConflict, message)
        .exit()
}

/// `--base-url` as the command line parses it: a URL a site can be published at.
fn base_url_arg(url: &str) -> Result<String, String> {
    paperboy::config::check_base_url(url).map(|()| url.to_string())
}

/// The folder `serve -o` names, unless it is the build's output folder, where the preview's
/// `127.0.0.1` links would be deployed.
fn preview_folder(root: &std::path::Path, output: PathBuf) -> PathBuf {
    let public = root.join("public");
    let same = match (std::fs::canonicalize(&output), std::fs::canonicalize(&public)) {
        (Ok(a), Ok(b)) => a == b,
        _ => std::path::absolute(&output).ok() == std::path::absolute(&public).ok(),
    };
    if same {
        usage_error(format!(
            "serve -o {}: that is the build's output folder, and the preview's links point at this machine — leave out -o (the preview goes to .paperboy/serve/) or name another folder",
            output.display()
        ));
    }
    output
}

/// One line per problem; content errors already carry `file:line: what — what to do`.
fn print_error(e: &anyhow::Error) {
    for w in paperboy::error::warnings_before(e) {
        eprintln!("warning: {w}");
    }
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

    #[cfg(target_os = "linux")]
    #[test]
    fn commands_that_end_run_without_transparent_huge_pages() {
        // The flag belongs to the process and is inherited by children; the test binary runs
        // nothing that wants huge pages.
        super::without_huge_pages();
        assert_eq!(rustix::thread::transparent_huge_pages_are_disabled().ok(), Some(true));
    }
}
