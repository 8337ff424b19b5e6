//! Times the search index of a site on its own: planning it (inverting every paper's words,
//! splitting the terms into shards, hashing every part) and rendering every part, on all
//! cores, as `paperboy build` does inside its render phase. Prints the sizes too.
//!
//! cargo run --release --example search_index -- SITE_ROOT

use std::time::Instant;

use paperboy::render::{Job, Renderer};
use rayon::prelude::*;

fn main() -> anyhow::Result<()> {
    let root = std::env::args().nth(1).expect("usage: search_index SITE_ROOT");
    let loaded = paperboy::load(std::path::Path::new(&root), &Default::default())?;
    let words = loaded.search_words.clone().expect("the theme has a search page");
    let renderer = Renderer::new(&loaded.site, &loaded.setup.config, &loaded.setup.theme)?
        .with_search_words(&loaded.lexicon, words);
    // The plan is made on first use: by listing the jobs.
    let started = Instant::now();
    let jobs: Vec<Job> = renderer
        .all_jobs()
        .into_iter()
        .filter(|j| {
            matches!(
                j,
                Job::Search | Job::SearchTerms(_) | Job::SearchSealed(_) | Job::SearchDocs(_)
            )
        })
        .collect();
    let planned = started.elapsed();
    let sizes: Vec<(usize, usize)> = jobs
        .par_iter()
        .map(|&job| {
            let files = renderer.render_job(job).expect("renders");
            let json = files.iter().filter(|(p, _)| p.ends_with(".json"));
            (json.clone().count(), json.map(|(_, b)| b.len()).sum())
        })
        .collect();
    let total = started.elapsed();
    let (files, bytes) = sizes.iter().fold((0, 0), |a, s| (a.0 + s.0, a.1 + s.1));
    println!(
        "search index of {} papers: {} ms (plan {} ms, parts {} ms) on {} threads; {files} files, {:.1} MB",
        loaded.site.papers.len(),
        total.as_millis(),
        planned.as_millis(),
        (total - planned).as_millis(),
        rayon::current_num_threads(),
        bytes as f64 / 1e6
    );
    Ok(())
}
