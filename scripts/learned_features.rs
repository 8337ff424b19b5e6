//! Writes what the learned tagging stage learns from (see `src/enrich/tagging/learned.rs`):
//! for each paper of a site, its arXiv id or slug, the topics its phrases give and its word
//! stems with their counts, read exactly as a build reads them. `scripts/train_learned.py`
//! learns the weights from it.
//!
//! Usage: `cargo run --release --example learned_features -- SITE_ROOT OUT.tsv`. The topics
//! are the phrases' verdicts alone, every topic that passes: not the learned stage's own
//! (which would learn from itself), not the neighbours', not explicit tags, and not cut to
//! `max_tags`, whatever the site's config says. The site's own `[[tagging.topic]]` entries
//! still count, as they do in its builds.

use std::io::Write as _;

use paperboy::enrich::{Lexicon, Taxonomy, learned_stem_counts};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, out] = args.as_slice() else {
        anyhow::bail!("usage: learned_features SITE_ROOT OUT.tsv");
    };
    let loaded = paperboy::load_tags(
        std::path::Path::new(root),
        &paperboy::config::Overrides::default(),
        &mut paperboy::Phases::new(),
    )?;
    let phrases = Taxonomy::new(&paperboy::config::TaggingConfig {
        learned: false,
        ..loaded.setup.config.tagging.clone()
    })?;
    let site = &loaded.site;
    let abstracts: Vec<String> = site
        .papers
        .iter()
        .map(|p| p.abstract_text.read().into_owned())
        .collect();
    let docs: Vec<Option<(&str, &str)>> = site
        .papers
        .iter()
        .zip(&abstracts)
        .map(|(p, a)| Some((&*p.title, a.as_str())))
        .collect();
    let mut lexicon = Lexicon::default();
    let tokens = lexicon.tokenize(&docs);
    let matcher = phrases.matcher(&lexicon);
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    for (paper, tokens) in site.papers.iter().zip(tokens) {
        let tokens = tokens.expect("every paper is tokenized");
        let id = paper.arxiv.as_deref().unwrap_or(&paper.slug);
        let topics: Vec<&str> = phrases
            .strengths(&matcher, &tokens)
            .iter()
            .filter(|s| s.passes())
            .map(|s| phrases.slug_of(s.topic))
            .collect();
        let stems: Vec<String> = learned_stem_counts(&lexicon, &tokens)
            .into_iter()
            .map(|(s, c)| format!("{}:{c}", lexicon.stem_text(s)))
            .collect();
        writeln!(file, "{id}\t{}\t{}", topics.join(","), stems.join(" "))?;
    }
    file.flush()?;
    Ok(())
}
