//! The `paperboy` command line: parse arguments, call the library, print results.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder.
    Build {
        /// Site root (holds content/ and paperboy.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder [default: ROOT/public].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Override base_url from the config.
        #[arg(long)]
        base_url: Option<String>,
        /// Replace an output folder that holds files paperboy did not write.
        #[arg(long)]
        force: bool,
    },
    /// Write a starter site into DIR.
    Init {
        /// Folder to create the site in.
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            force,
        } => build(paperboy::BuildOptions {
            root,
            output,
            base_url,
            force,
        }),
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
    let report = paperboy::build(&options)?;
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

/// One line per problem; content errors already carry `file:line: what — what to do`.
fn print_error(e: &anyhow::Error) {
    if let Some(errors) = e.downcast_ref::<paperboy::error::ContentErrors>() {
        for err in &errors.0 {
            eprintln!("error: {err}");
        }
        eprintln!(
            "error: the build stopped with {} content error(s); nothing was written",
            errors.0.len()
        );
        return;
    }
    let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    eprintln!("error: {}", chain.join(": "));
}
