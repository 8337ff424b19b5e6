//! Killed builds. A build is timed first, then killed at points spread across that time:
//! `public/` must always be the complete old site or the complete new one, never a mix, at
//! least one kill must land while pages were being written (the staging folder holds new
//! pages but the swap has not happened), and the next build must succeed.

mod common;

use std::process::{Command, Stdio};
use std::time::Instant;

use common::*;

fn day(d: usize, n: usize, word: &str) -> String {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!("{word} paper {d} {i}\n{}\n", abstract_text(word)));
    }
    text
}

fn write_days(site: &TestSite, word: &str) {
    for d in 1..=20 {
        site.write(&format!("content/2026-10-{d:02}.txt"), day(d, 40, word));
    }
}

/// Whether any file under `dir` holds `needle`.
fn holds(dir: &std::path::Path, needle: &[u8]) -> bool {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .any(|e| std::fs::read(e.path()).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle)))
}

#[test]
fn kills_spread_across_a_build_leave_the_old_site_or_the_new_one() {
    let site = TestSite::new();
    write_days(&site, "Old");
    site.build_ok(&[]);
    let old = site.snapshot();
    assert!(
        old.len() > 800,
        "a site large enough to take a while: {} files",
        old.len()
    );

    let new = {
        let clean = TestSite::new();
        write_days(&clean, "New");
        clean.build_ok(&[]);
        clean.snapshot()
    };
    assert!(new != old);
    let staging = site.root().join(".public.staging");

    // How long the build to be killed takes here (old site in place, new content), so that
    // the kills land across it whatever the machine's speed. Only to place the kills: no
    // assertion depends on it.
    // The old site live and no new page anywhere, the staging folder included (it keeps the
    // previous site between builds), then the new content written: the state each kill
    // starts from, so that new pages in the staging folder can only be the killed build's.
    let reset = || {
        write_days(&site, "Old");
        for _ in 0..3 {
            site.build_ok(&[]);
            if !holds(&staging, b"New paper") {
                break;
            }
        }
        assert!(
            !holds(&staging, b"New paper"),
            "the staging folder still holds new pages"
        );
        assert!(site.snapshot() == old, "a build after a kill restores the old site");
        write_days(&site, "New");
    };
    let measure = || {
        reset();
        let started = Instant::now();
        site.build_ok(&[]);
        let took = started.elapsed();
        assert!(site.snapshot() == new);
        took
    };
    let mut took = measure();
    eprintln!("a build takes {took:?}");

    let (mut left_old, mut left_new, mut mid_write) = (0, 0, 0);
    // Up to three passes of nine kills, at 5% to 95% of the build; a pass that finds no
    // kill mid-write measures again (the machine's load changes).
    for pass in 0..3 {
        for tenth in 0..10u32 {
            reset();
            let delay = took.mul_f64((f64::from(tenth) + 0.5) / 10.0);
            let mut child = Command::new(env!("CARGO_BIN_EXE_paperboy"))
                .args(["build", "--root"])
                .arg(site.root())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            let _ = child.kill();
            child.wait().unwrap();
            let now = site.snapshot();
            if now == old {
                left_old += 1;
                // Killed before the swap; if the staging folder already holds new pages,
                // the kill landed while the build was writing.
                if holds(&staging, b"New paper") {
                    mid_write += 1;
                }
            } else {
                assert!(
                    now == new,
                    "killed at {delay:?} of {took:?}: neither the old site nor the new one"
                );
                left_new += 1;
            }
        }
        eprintln!("pass {pass}: old {left_old}, new {left_new}, mid-write {mid_write}");
        if mid_write > 0 {
            break;
        }
        took = measure();
    }
    assert!(
        mid_write > 0,
        "no kill landed while pages were written (old {left_old}, new {left_new})"
    );
    // After a kill, a build completes the new site.
    reset();
    site.build_ok(&[]);
    assert!(site.snapshot() == new);
}
