//! Watching: file events from `content/`, `themes/`, `templates/` and the config, gathered
//! into batches (an editor's write-then-rename, or a `git checkout` of a thousand files, is
//! one batch), each applied to the [`LiveSite`] as one rebuild.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use notify::{RecursiveMode, Watcher};

use super::rebuild::{LiveSite, RebuildReport};
use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::theme::{OVERRIDES_DIR, STATIC_DIR, THEMES_DIR};

/// A batch ends after this long without a new event, once no file in it is still being
/// written...
pub const QUIET: Duration = Duration::from_millis(10);
/// ...or this long after it started, so a long stream of events (or a writer that keeps its
/// file open) cannot starve rebuilds.
pub const MAX_BATCH: Duration = Duration::from_millis(1000);
/// A batch whose last event closed a content file written in place (an editor's save, a
/// crawler appending a day) ends after this much quiet instead of [`QUIET`]: the close says
/// the writer is done, and the rest of [`QUIET`] was a tenth of a save's latency at 10,000
/// papers. A save that writes a temporary file and renames it ends with the rename, which
/// waits the full [`QUIET`].
pub const QUIET_AFTER_CLOSE: Duration = Duration::from_millis(2);

/// What the watcher saw happen to a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// It changed: renamed, removed, its metadata, or on a system that does not say when a
    /// writer is done.
    Changed(PathBuf),
    /// A writer created or wrote it and has not closed it yet: what is on disk may be half
    /// of what is coming (a program that truncates, then writes a megabyte).
    Writing(PathBuf),
    /// A writer closed it: it holds what was written.
    Written(PathBuf),
}

impl Seen {
    /// What the watcher reports for `kind`, or `None` for events that change nothing.
    /// Only Linux (inotify) reports the close of a written file; elsewhere every change is
    /// [`Seen::Changed`], and batches end by [`QUIET`] alone.
    fn of(kind: &notify::EventKind, path: PathBuf) -> Option<Seen> {
        use notify::EventKind::{Access, Create, Modify};
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind};
        let reports_close = cfg!(target_os = "linux");
        match kind {
            Access(AccessKind::Close(AccessMode::Write)) => Some(Seen::Written(path)),
            Access(_) => None,
            Create(CreateKind::File) | Modify(ModifyKind::Data(DataChange::Any | DataChange::Content))
                if reports_close =>
            {
                Some(Seen::Writing(path))
            }
            _ => Some(Seen::Changed(path)),
        }
    }
}

/// The outcome of one rebuild, for the log and for browsers.
pub enum Outcome {
    /// The site was rebuilt.
    Rebuilt(RebuildReport, Vec<PathBuf>),
    /// The rebuild failed; the last good site is still in place.
    Failed(String),
}

/// How long [`gather`] waits, and for what.
struct Limits<'a> {
    /// Quiet that ends a batch.
    quiet: Duration,
    /// Quiet that ends a batch whose last event closed a `settles` file.
    after_close: Duration,
    /// The longest a batch gathers.
    max_batch: Duration,
    /// Files worth waiting for while a writer holds them open.
    wanted: &'a dyn Fn(&Path) -> bool,
    /// Files whose close ends a save (content files, not an editor's temporary file).
    settles: &'a dyn Fn(&Path) -> bool,
}

/// Gathers events into batches: blocks for the first event, then takes more until the
/// events pause for [`QUIET`] ([`QUIET_AFTER_CLOSE`] after the close of a `settles` file)
/// with every `wanted` file written in the batch closed again, or the batch is
/// [`MAX_BATCH`] old. Only files the site reads are waited for: the output's lock file
/// beside the site stays open as long as the watch runs. Returns `None` when the sender is
/// gone.
pub fn next_batch(
    rx: &Receiver<Seen>,
    wanted: &dyn Fn(&Path) -> bool,
    settles: &dyn Fn(&Path) -> bool,
) -> Option<BTreeSet<PathBuf>> {
    let limits = Limits {
        quiet: QUIET,
        after_close: QUIET_AFTER_CLOSE,
        max_batch: MAX_BATCH,
        wanted,
        settles,
    };
    gather(rx, &limits)
}

/// [`next_batch`] with its limits as parameters, so that tests can use limits generous
/// enough that a busy machine cannot split a batch they mean to be one.
fn gather(rx: &Receiver<Seen>, limits: &Limits) -> Option<BTreeSet<PathBuf>> {
    let first = rx.recv().ok()?;
    let started = Instant::now();
    let mut batch = BTreeSet::new();
    // Files a writer still holds open: reading them now could see a truncated half.
    let mut open = BTreeSet::new();
    // Whether the last event closed a file that ends a save.
    let mut settled = false;
    let mut take = |seen: Seen, open: &mut BTreeSet<PathBuf>, settled: &mut bool| {
        *settled = false;
        match seen {
            Seen::Changed(path) => {
                batch.insert(path);
            }
            Seen::Writing(path) => {
                if (limits.wanted)(&path) {
                    open.insert(path.clone());
                }
                batch.insert(path);
            }
            Seen::Written(path) => {
                open.remove(&path);
                *settled = (limits.settles)(&path);
                batch.insert(path);
            }
        }
    };
    take(first, &mut open, &mut settled);
    loop {
        let left = limits.max_batch.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        let quiet = if settled { limits.after_close } else { limits.quiet };
        let wait = if open.is_empty() { quiet.min(left) } else { left };
        match rx.recv_timeout(wait) {
            Ok(seen) => take(seen, &mut open, &mut settled),
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    if std::env::var_os("PAPERBOY_TIMINGS").is_some() {
        let micros = started.elapsed().as_micros();
        eprintln!("timings: gathered {} paths in {micros} µs", batch.len());
    }
    Some(batch)
}

/// Starts watching the site at `root`; events arrive on the returned channel.
/// Keep the watcher alive for as long as events are wanted.
pub fn watch(root: &Path) -> Result<(notify::RecommendedWatcher, Receiver<Seen>)> {
    let root = std::path::absolute(root)?;
    let root = root.as_path();
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            for path in event.paths {
                if let Some(seen) = Seen::of(&event.kind, path) {
                    let _ = tx.send(seen);
                }
            }
        }
    })
    .context("cannot start watching files")?;
    // The root itself only for the config file (its other entries include the output).
    watcher
        .watch(root, RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch {}", root.display()))?;
    for dir in [CONTENT_DIR, THEMES_DIR, OVERRIDES_DIR, STATIC_DIR] {
        let path = root.join(dir);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
    }
    Ok((watcher, rx))
}

/// Rebuilds on every batch of relevant changes, forever; `report` hears each outcome.
/// Errors in content or templates never stop the loop. `watching` comes from [`watch`],
/// started before the first build so that no edit made meanwhile is missed.
pub fn run(
    live: &mut LiveSite,
    root: &Path,
    watching: (notify::RecommendedWatcher, Receiver<Seen>),
    mut report: impl FnMut(Outcome),
) -> Result<()> {
    let root = std::path::absolute(root)?;
    let (mut watcher, rx) = watching;
    let config = root.join(CONFIG_FILE);
    let content = root.join(CONTENT_DIR);
    let settles = |p: &Path| p.strip_prefix(&root).is_ok_and(crate::content::is_walked) && p.starts_with(&content);
    while let Some(batch) = next_batch(&rx, &|p| site_reads(live, &config, p), &settles) {
        let changed: Vec<PathBuf> = batch.into_iter().filter(|p| site_reads(live, &config, p)).collect();
        // A themes/, templates/ or static/ folder created after start needs a watch of its own.
        for dir in [THEMES_DIR, OVERRIDES_DIR, CONTENT_DIR, STATIC_DIR] {
            let path = root.join(dir);
            if changed.contains(&path) && path.is_dir() {
                let _ = watcher.watch(&path, RecursiveMode::Recursive);
            }
        }
        if changed.is_empty() {
            continue;
        }
        match live.apply(&changed) {
            Ok(r) => report(Outcome::Rebuilt(r, changed)),
            Err(e) => report(Outcome::Failed(crate::error::error_lines(&e))),
        }
    }
    Ok(())
}

/// Whether a change to `path` can change the site: a file or folder the site is built from,
/// or the config (`config`), but not an editor's temporary file.
fn site_reads(live: &LiveSite, config: &Path, path: &Path) -> bool {
    (live.is_watched_path(path) || path == config) && !is_temporary(path)
}

/// Editors' swap, lock and backup files (`.x.swp`, `.#x`, `x~`, `4913`) are not content.
fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| crate::editor_files::is_editor_artefact(&n.to_string_lossy()))
}

/// The one-line log of a rebuild: what changed, files written, milliseconds.
pub fn describe(report: &RebuildReport, changed: &[PathBuf], root: &Path) -> String {
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let names: Vec<String> = changed
        .iter()
        .filter(|p| !is_renamed_away(p, changed, &root))
        .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
        .collect();
    let what = match names.len() {
        0 => "start".to_string(),
        1..=3 => names.join(", "),
        n => format!("{}, … ({n} paths)", names[..2].join(", ")),
    };
    format!(
        "{} {what}: {} {} rendered, {} written, {} removed in {} ms",
        if report.full {
            "rebuilt all after"
        } else {
            "rebuilt after"
        },
        report.rendered,
        if report.rendered == 1 { "page" } else { "pages" },
        report.written,
        report.removed,
        report.elapsed.as_millis()
    )
}

/// A file that an editor or `sed -i` wrote and renamed over its neighbour in the same
/// save: gone now, not content, with a file beside it in the batch that is there. Naming
/// it would tell the user about a file they never had.
fn is_renamed_away(path: &Path, changed: &[PathBuf], root: &Path) -> bool {
    !path.exists()
        && !path.strip_prefix(root).is_ok_and(crate::content::is_walked)
        && changed
            .iter()
            .any(|q| q != path && q.parent() == path.parent() && q.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::sync_channel;

    /// Limits far above any scheduling delay: a batch these tests mean to be one cannot be
    /// split by a busy machine. (The product's own limits are milliseconds.)
    const SLOW_QUIET: Duration = Duration::from_millis(500);
    const NEVER: Duration = Duration::from_secs(600);

    /// [`gather`] with one quiet limit for every event.
    fn gather_with(
        rx: &Receiver<Seen>,
        quiet: Duration,
        max_batch: Duration,
        wanted: &dyn Fn(&Path) -> bool,
    ) -> Option<BTreeSet<PathBuf>> {
        let limits = Limits {
            quiet,
            after_close: quiet,
            max_batch,
            wanted,
            settles: &|_| false,
        };
        gather(rx, &limits)
    }

    #[test]
    fn a_closed_content_file_ends_its_batch_sooner_than_a_rename() {
        // The writer closes day.jsonl and goes quiet: the batch ends after the short limit.
        // A temporary file's close is not the end of a save: its rename still comes.
        let limits = Limits {
            quiet: Duration::from_secs(2),
            after_close: Duration::from_millis(20),
            max_batch: NEVER,
            wanted: &|_| true,
            settles: &|p| p.extension().is_some_and(|e| e == "jsonl"),
        };
        let (tx, rx) = sync_channel(0);
        let sender = std::thread::spawn(move || {
            tx.send(Seen::Writing(PathBuf::from("content/day.jsonl"))).unwrap();
            tx.send(Seen::Written(PathBuf::from("content/day.jsonl"))).unwrap();
            std::thread::sleep(Duration::from_secs(3));
            tx.send(Seen::Written(PathBuf::from("content/.day.jsonl.tmp"))).unwrap();
            std::thread::sleep(Duration::from_millis(300));
            tx.send(Seen::Changed(PathBuf::from("content/day.jsonl"))).unwrap();
        });
        let started = Instant::now();
        let batch = gather(&rx, &limits).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "waited the full quiet limit"
        );
        assert_eq!(batch, BTreeSet::from([PathBuf::from("content/day.jsonl")]));
        let batch = gather(&rx, &limits).unwrap();
        assert_eq!(
            batch,
            BTreeSet::from([
                PathBuf::from("content/.day.jsonl.tmp"),
                PathBuf::from("content/day.jsonl")
            ]),
            "the rename ended the temporary file's batch"
        );
        sender.join().unwrap();
    }

    #[test]
    fn a_burst_of_events_is_one_batch_and_a_late_event_another() {
        // A rendezvous channel: each send returns only once `gather` has taken the event, so
        // all 1,000 arrive while the first batch is being gathered.
        let (tx, rx) = sync_channel(0);
        let sender = std::thread::spawn(move || {
            for i in 0..1000 {
                tx.send(Seen::Changed(PathBuf::from(format!("content/{i}.md"))))
                    .unwrap();
            }
            std::thread::sleep(SLOW_QUIET * 4);
            tx.send(Seen::Changed(PathBuf::from("content/late.md"))).unwrap();
        });
        let first = gather_with(&rx, SLOW_QUIET, NEVER, &|_| true).unwrap();
        assert_eq!(first.len(), 1000);
        assert!(!first.contains(Path::new("content/late.md")));
        assert_eq!(
            gather_with(&rx, SLOW_QUIET, NEVER, &|_| true).unwrap(),
            BTreeSet::from([PathBuf::from("content/late.md")])
        );
        sender.join().unwrap();
        assert!(
            gather_with(&rx, SLOW_QUIET, NEVER, &|_| true).is_none(),
            "the sender is gone"
        );
    }

    #[test]
    fn a_write_then_rename_is_one_batch() {
        // The first send returns once batching has started (rendezvous); the rename's event
        // then arrives during the batch, as an editor's would.
        let (tx, rx) = sync_channel(0);
        let sender = std::thread::spawn(move || {
            tx.send(Seen::Written(PathBuf::from("content/.p.md.tmp"))).unwrap();
            tx.send(Seen::Changed(PathBuf::from("content/p.md"))).unwrap();
            // Hold the channel open: the batch must end by the quiet limit, not by hang-up.
            std::thread::sleep(SLOW_QUIET * 4);
        });
        let batch = gather_with(&rx, SLOW_QUIET, NEVER, &|_| true).unwrap();
        assert_eq!(
            batch,
            BTreeSet::from([PathBuf::from("content/.p.md.tmp"), PathBuf::from("content/p.md")])
        );
        sender.join().unwrap();
    }

    #[test]
    fn a_stream_that_never_pauses_is_cut_at_the_batch_limit() {
        // Events keep coming with no pause; the batch still ends, so rebuilds are not starved.
        let (tx, rx) = sync_channel(0);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let sender = std::thread::spawn(move || {
            let mut i = 0u64;
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                if tx
                    .send(Seen::Changed(PathBuf::from(format!("content/{i}.md"))))
                    .is_err()
                {
                    break;
                }
                i += 1;
            }
        });
        let batch = gather_with(&rx, NEVER, Duration::from_millis(200), &|_| true).unwrap();
        assert!(!batch.is_empty());
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        drop(rx);
        sender.join().unwrap();
    }

    #[test]
    fn a_batch_waits_for_the_writer_to_close_its_file() {
        // A program truncates a big file, then writes it over 3 quiet limits; the batch must
        // not end while the file is half-written, and ends once it is closed.
        let (tx, rx) = sync_channel(0);
        let quiet = Duration::from_millis(100);
        let sender = std::thread::spawn(move || {
            tx.send(Seen::Writing(PathBuf::from("content/day.jsonl"))).unwrap();
            std::thread::sleep(quiet * 3);
            tx.send(Seen::Written(PathBuf::from("content/day.jsonl"))).unwrap();
            std::thread::sleep(quiet * 20);
            tx.send(Seen::Changed(PathBuf::from("content/late.md"))).unwrap();
        });
        let started = Instant::now();
        let batch = gather_with(&rx, quiet, NEVER, &|_| true).unwrap();
        assert!(
            started.elapsed() >= quiet * 3,
            "the batch ended before the file was closed"
        );
        assert_eq!(batch, BTreeSet::from([PathBuf::from("content/day.jsonl")]));
        assert_eq!(
            gather_with(&rx, quiet, NEVER, &|_| true).unwrap(),
            BTreeSet::from([PathBuf::from("content/late.md")])
        );
        sender.join().unwrap();
    }

    #[test]
    fn a_file_left_open_delays_the_batch_only_up_to_its_limit() {
        let (tx, rx) = sync_channel(0);
        let sender = std::thread::spawn(move || {
            tx.send(Seen::Writing(PathBuf::from("content/log.jsonl"))).unwrap();
            std::thread::sleep(Duration::from_secs(3));
        });
        let started = Instant::now();
        let batch = gather_with(&rx, Duration::from_millis(10), Duration::from_millis(300), &|_| true).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "waited for a close that never came"
        );
        assert_eq!(batch.len(), 1);
        sender.join().unwrap();
    }

    #[test]
    fn a_file_the_site_does_not_read_is_not_waited_for() {
        // The output's lock file beside the site is created and held open for as long as
        // the watch runs: a batch that saw it must still end by the quiet limit.
        let (tx, rx) = sync_channel(0);
        let sender = std::thread::spawn(move || {
            tx.send(Seen::Writing(PathBuf::from(".public.lock"))).unwrap();
            std::thread::sleep(Duration::from_secs(3));
        });
        let started = Instant::now();
        let wanted = |p: &Path| p.starts_with("content");
        let batch = gather_with(&rx, Duration::from_millis(10), NEVER, &wanted).unwrap();
        assert!(started.elapsed() < Duration::from_secs(3), "waited for the lock file");
        assert_eq!(batch, BTreeSet::from([PathBuf::from(".public.lock")]));
        sender.join().unwrap();
    }

    #[test]
    fn the_log_names_the_saved_file_not_the_one_renamed_over_it() {
        // `sed -i` writes `content/sedXXXXXX` and renames it over the file it edits.
        let root = std::env::temp_dir().join(format!("paperboy-describe-{}", std::process::id()));
        let content = root.join("content");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::write(content.join("2026-12-01.txt"), "T\nA\n").unwrap();
        let report = RebuildReport::default();
        let saved = [content.join("2026-12-01.txt"), content.join("sedbwO1La")];
        let line = describe(&report, &saved, &root);
        assert!(line.starts_with("rebuilt after content/2026-12-01.txt: "), "{line}");
        // A content file that is gone was deleted: it is named, alone or not.
        let deleted = [content.join("2026-11-30.txt"), content.join("2026-12-01.txt")];
        let line = describe(&report, &deleted, &root);
        assert!(
            line.contains("content/2026-11-30.txt, content/2026-12-01.txt:"),
            "{line}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
