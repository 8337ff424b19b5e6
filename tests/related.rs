//! Related papers in watch mode reuse the last build's work (the lexicon, cached term counts,
//! the last computation's vectors, queries and scored lists, coarse document frequencies).
//! Whatever the edits, the lists must equal those of a build from scratch.

use std::path::Path;

use paperboy::config::Config;
use paperboy::content::{assemble, parse_text};
use paperboy::enrich::Taxonomy;
use paperboy::enrich::apply_related;
use paperboy::enrich::{Derive, Enricher};
use paperboy::model::Site;

/// A small deterministic generator (no dependency, same sequence everywhere).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// Words with a skewed distribution, so that document frequencies range from one paper to
/// most of them and edits move some across the coarse steps and the searchable band.
fn word(rng: &mut Lcg) -> String {
    let rank = rng.next(40).pow(2) + rng.next(40);
    format!("w{rank}x")
}

fn text(rng: &mut Lcg, words: usize) -> String {
    (0..words).map(|_| word(rng)).collect::<Vec<_>>().join(" ")
}

fn site_from(days: &[Vec<(String, String)>]) -> Site {
    let config = Config::default();
    let sources: Vec<_> = days
        .iter()
        .enumerate()
        .map(|(d, papers)| {
            let body: String = papers.iter().map(|(t, a)| format!("{t}\n{a}\n")).collect();
            let name = format!("2026-01-{:02}.txt", d + 1);
            parse_text(&body, Path::new(&name), &config, &mut |_| {}).expect("generated digests parse")
        })
        .collect();
    assemble(&sources)
}

fn lists(site: &Site) -> Vec<Vec<usize>> {
    site.papers.iter().map(|p| p.related.clone()).collect()
}

#[test]
fn cached_related_lists_equal_a_fresh_computation_after_every_edit() {
    let mut rng = Lcg(7);
    let mut days: Vec<Vec<(String, String)>> = (0..12)
        .map(|d| {
            (0..30)
                .map(|i| (format!("Paper {d} {i} {}", text(&mut rng, 4)), text(&mut rng, 60)))
                .collect()
        })
        .collect();
    // The watch loop's enricher: its lexicon, term counts and lists live across edits.
    let mut enricher = Enricher::default();
    let taxonomy = Taxonomy::new(&Default::default()).unwrap();
    let mut compared = 0;
    // Steps where the cache did the work: an edit searched few papers again, not all.
    let mut cached = 0;
    for step in 0..80 {
        let mut site = site_from(&days);
        enricher.enrich(&mut site, &taxonomy, Derive::Search, None, &mut paperboy::Phases::new());
        let searched = enricher
            .related_searched()
            .expect("the watch loop's enricher keeps its computation");
        let mut fresh = site_from(&days);
        apply_related(&mut fresh);
        assert_eq!(lists(&site), lists(&fresh), "step {step}");
        if step > 0 && lists(&site).iter().any(|l| !l.is_empty()) {
            compared += 1;
        }
        if step > 0 && searched < site.papers.len() / 4 {
            cached += 1;
        }
        // Edit one abstract (add words, drop words, rewrite it) or a title, edit two papers
        // at once, or now and then add or remove a paper.
        let d = rng.next(days.len());
        let i = rng.next(days[d].len());
        let abstract_ = &mut days[d][i].1;
        match rng.next(7) {
            0 => abstract_.push_str(&format!(" {}", text(&mut rng, 5))),
            1 => {
                let keep: Vec<&str> = abstract_.split(' ').skip(3).collect();
                *abstract_ = keep.join(" ");
            }
            2 => *abstract_ = text(&mut rng, 60),
            3 => days[d][i].0 = format!("Retitled {step} {}", text(&mut rng, 4)),
            4 => {
                abstract_.push_str(&format!(" {}", text(&mut rng, 3)));
                let other = rng.next(days.len());
                days[other][0].1.push_str(&format!(" {}", text(&mut rng, 3)));
            }
            5 => days[d].push((format!("Added {step} {}", text(&mut rng, 4)), text(&mut rng, 60))),
            _ => {
                days[d].remove(i);
            }
        }
    }
    assert!(compared > 50, "the edits were compared on sites with related papers");
    // Equal lists prove nothing about the cache if it was never used: most edits must have
    // been answered from it (a cache switched off searches every paper every time).
    // (15 of 79 here; with the cache off, 0.)
    assert!(cached >= 10, "only {cached} of 79 edits were answered from the cache");
}
