//! A site kept in memory between builds, for watch mode: an edit re-reads only the files
//! that changed, re-tags only papers whose text changed, and re-renders only the jobs whose
//! inputs changed (by fingerprint), writing only files whose bytes changed. A change to the
//! config, a theme or a template reloads everything. The output always equals what a clean
//! `paperboy build` of the same content writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::{CONFIG_FILE, Config, Overrides};
use crate::content::{self, CONTENT_DIR, SourceFile};
use crate::enrich::Enricher;
use crate::error::{ContentError, ContentErrors};
use crate::model::Site;
use crate::output::{Holder, InPlace, OutputLock, Sink, parse_cache_path, same_content};
use crate::phases::Phases;
use crate::pipeline::{self, Keyed, Setup};
use crate::render::{Files, Job, RenderCache, Renderer, SearchPlan};
use crate::theme::{OVERRIDES_DIR, STATIC_DIR, THEMES_DIR};

/// Rebuilds started and ended in this process, each counted at both: odd while one runs. A
/// server hands the memory rebuilds freed back to the OS only once they have stopped for a
/// while (`hand_back_idle_memory` in `main.rs`), so that the next save reuses memory the
/// process has touched instead of pages the kernel must zero again.
static ACTIVITY: AtomicU64 = AtomicU64::new(0);

/// A number that changes whenever a rebuild starts or ends, odd while one runs (see
/// [`ACTIVITY`]).
pub fn activity() -> u64 {
    ACTIVITY.load(Ordering::Relaxed)
}

/// Counts a rebuild's start in [`ACTIVITY`], and its end (however it ends) when dropped.
struct Busy;

impl Busy {
    fn start() -> Busy {
        ACTIVITY.fetch_add(1, Ordering::Relaxed);
        Busy
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        ACTIVITY.fetch_add(1, Ordering::Relaxed);
    }
}

/// What one rebuild did, for the one-line log.
#[derive(Debug, Clone, Default)]
pub struct RebuildReport {
    /// Whether everything was reloaded (config, theme or template change, or first build).
    pub full: bool,
    /// Jobs (pages with their feeds) rendered.
    pub rendered: usize,
    /// Files whose bytes changed and were written.
    pub written: usize,
    /// Files deleted because their page no longer exists.
    pub removed: usize,
    /// Papers in the site after the rebuild.
    pub papers: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Non-fatal problems.
    pub warnings: Vec<String>,
}

/// The site in memory, ready for piecewise rebuilds.
pub struct LiveSite {
    root: PathBuf,
    output: PathBuf,
    overrides: Overrides,
    setup: Option<Setup>,
    enricher: Enricher,
    summary_cache: RenderCache,
    /// The last rebuild's search index plan, which the next patches (its words are numbers
    /// in the enricher's lexicon).
    search_plan: Option<SearchPlan>,
    /// Parsed content files by path relative to the root.
    sources: BTreeMap<PathBuf, SourceFile>,
    /// Content files whose last version does not parse.
    broken: BTreeMap<PathBuf, Vec<ContentError>>,
    /// The model the last successful rebuild rendered, assembled from `sources` as they
    /// are: a save that changes no paper's place patches it (see [`content::Edits`]).
    /// Taken by every rebuild, and put back only by one that succeeds.
    site: Option<Site>,
    /// Job key → (fingerprint, files the job wrote).
    jobs: FxHashMap<String, (u64, Vec<String>)>,
    /// The last successful rebuild's jobs with their keys and fingerprints, as `jobs`
    /// holds them: a patched save that lists the same jobs reuses the keys.
    keyed: Option<Vec<Keyed>>,
    /// Whether the output holds a complete build (else the next build goes through staging).
    built: bool,
    /// The output, held from the first build on so that no `paperboy build` writes it meanwhile.
    lock: Option<OutputLock>,
    /// Whether the last full reload failed: the next change reloads everything again, so that
    /// a broken config or a vanished `content/` is never half applied.
    reload: bool,
}

impl LiveSite {
    /// A site at `root` writing to `output`; nothing is read until [`LiveSite::rebuild_all`].
    /// Paths are made absolute, to match what file events report.
    pub fn new(root: &Path, output: &Path, overrides: Overrides) -> Self {
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        LiveSite {
            root: absolute(root),
            output: absolute(output),
            overrides: Overrides {
                config: overrides.config.as_deref().map(absolute),
                ..overrides
            },
            setup: None,
            enricher: Enricher::default(),
            summary_cache: Default::default(),
            search_plan: None,
            site: None,
            sources: BTreeMap::new(),
            broken: BTreeMap::new(),
            jobs: FxHashMap::default(),
            keyed: None,
            built: false,
            lock: None,
            reload: true,
        }
    }

    /// The config in force (after the last successful load).
    pub fn config(&self) -> Option<&Config> {
        self.setup.as_ref().map(|s| &s.config)
    }

    /// Whether a change to `path` requires reloading everything.
    pub fn is_setup_path(&self, path: &Path) -> bool {
        let config = self
            .overrides
            .config
            .clone()
            .unwrap_or_else(|| self.root.join(CONFIG_FILE));
        path == config
            || path.starts_with(self.root.join(THEMES_DIR))
            || path.starts_with(self.root.join(OVERRIDES_DIR))
            || path.starts_with(self.root.join(STATIC_DIR))
    }

    /// Whether a change to `path` matters at all.
    pub fn is_watched_path(&self, path: &Path) -> bool {
        self.is_setup_path(path) || path.starts_with(self.root.join(CONTENT_DIR))
    }

    /// Reloads config, theme and every content file, and re-renders everything.
    pub fn rebuild_all(&mut self) -> Result<RebuildReport> {
        let _busy = Busy::start();
        self.reload = true;
        let started = Instant::now();
        let (setup, mut warnings) = Setup::load(&self.root, &self.overrides)?;
        // Locked before anything is read: the caches beside the output are read through.
        if self.lock.is_none() {
            self.lock = Some(pipeline::lock_output(&self.root, &self.output, Holder::Watch)?);
        }
        let out = self.lock.as_ref().expect("locked above").output();
        let parse_cache = content::ParseCache::new(parse_cache_path(out), &setup.config.import);
        let stored = pipeline::StoredTopics::new(out, &setup.config.tagging);
        let topics = stored.read();
        let (parsed, walk_warnings) = content::read_all_cached(&self.root, &setup.config, Some(&parse_cache), None)?;
        warnings.extend(walk_warnings);
        self.sources.clear();
        self.broken.clear();
        for (display, result, w) in parsed {
            warnings.extend(w);
            match result {
                Ok(source) => {
                    self.sources.insert(display, source);
                }
                Err(e) => {
                    self.broken.insert(display, e);
                }
            }
        }
        self.setup = Some(setup);
        self.enricher.forget_tags();
        match topics {
            Ok(tags) => self.enricher.seed_tags(tags),
            Err(warning) => warnings.push(warning),
        }
        self.summary_cache = Default::default();
        self.search_plan = None;
        let mut report = self.render_changed(true, true, None)?;
        // Only speed-ups: what they fail to keep is read again next time.
        let _ = parse_cache.finish();
        if let Some(site) = &self.site {
            let mut stored = stored;
            if stored.stage(self.enricher.tags(), site).is_ok() {
                let _ = stored.commit();
            }
        }
        self.reload = false;
        report.full = true;
        warnings.append(&mut report.warnings);
        report.warnings = warnings;
        report.elapsed = started.elapsed();
        Ok(report)
    }

    /// Rehearses a save right after the first build, before watching starts: appends a word
    /// to one abstract in memory, rebuilds without writing, then undoes it the same way. The
    /// memory a save allocates is then memory the process has touched before, and the code
    /// it runs (tagging, related papers, a search shard, a paper page) has run once: on the
    /// development VM the first save was otherwise 1.5-2 times slower than the next ones.
    /// Costs about a tenth of the first build; nothing on disk changes.
    pub fn warm_up(&mut self) {
        let _busy = Busy::start();
        let Some(setup) = self.setup.as_ref().filter(|_| self.built && self.broken.is_empty()) else {
            return;
        };
        let repair_math = setup.config.import.repair_math;
        let Some((path, source)) = self.sources.iter().next_back() else {
            return;
        };
        let (path, mut edited) = (path.clone(), source.clone());
        let Some(paper) = edited.papers.first_mut() else {
            return;
        };
        *paper = paper
            .with_abstract(&format!("{} Warm.", paper.abstract_text.read()), repair_math)
            .into();
        let mut edits = content::Edits::default();
        let patches = edits.add_file(&source.papers, &edited.papers);
        let original = self.sources.insert(path.clone(), edited).expect("the file is loaded");
        let _ = self.render_changed(false, false, patches.then_some(&edits));
        let mut undo = content::Edits::default();
        let edited = self.sources.insert(path.clone(), original).expect("the file is loaded");
        let patches = undo.add_file(&edited.papers, &self.sources[&path].papers);
        let _ = self.render_changed(false, false, patches.then_some(&undo));
    }

    /// Applies changes to the given paths (absolute, as file events report them).
    /// Files whose last read failed are read again whatever changed, so that a transient
    /// error (too many open files) clears with the next save of any file, and a folder
    /// `content/` that vanished is the error `paperboy build` gives, not an empty site.
    pub fn apply(&mut self, changed: &[PathBuf]) -> Result<RebuildReport> {
        let _busy = Busy::start();
        if self.reload || self.setup.is_none() || changed.iter().any(|p| self.is_setup_path(p)) {
            return self.rebuild_all();
        }
        if !self.root.join(CONTENT_DIR).is_dir() {
            // Read everything again once it is back: the watch on it is gone too.
            self.reload = true;
            return Err(content::missing_content_dir(&self.root));
        }
        let started = Instant::now();
        let config = &self.setup.as_ref().expect("checked above").config;
        let mut warnings = Vec::new();
        let retry: Vec<PathBuf> = self
            .broken
            .keys()
            .map(|rel| self.root.join(rel))
            .filter(|p| !changed.contains(p))
            .collect();
        // What the saves changed, while it leaves every paper in its place.
        let mut edits = Some(content::Edits::default());
        for path in changed.iter().chain(&retry) {
            let rel = path.strip_prefix(&self.root).unwrap_or(path).to_path_buf();
            if path.is_dir() {
                edits = None;
                // A folder appeared (a checkout, a move): read every content file in it.
                for entry in walkdir::WalkDir::new(path)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_map(Result::ok)
                {
                    let file_rel = entry
                        .path()
                        .strip_prefix(&self.root)
                        .unwrap_or(entry.path())
                        .to_path_buf();
                    if entry.file_type().is_file() && content::is_walked(&file_rel) {
                        read_into(
                            &mut self.sources,
                            &mut self.broken,
                            entry.path(),
                            &file_rel,
                            config,
                            &mut warnings,
                        );
                    }
                }
            } else if path.is_file() {
                if content::is_walked(&rel) {
                    let before = self.sources.get(&rel).map(|s| s.papers.clone());
                    read_into(&mut self.sources, &mut self.broken, path, &rel, config, &mut warnings);
                    let after = self.sources.get(&rel);
                    let kept_places = match (&mut edits, before, after) {
                        (Some(edits), Some(before), Some(after)) => edits.add_file(&before, &after.papers),
                        _ => false,
                    };
                    if !kept_places {
                        edits = None;
                    }
                }
            } else {
                // Gone: a file, or a whole folder of them.
                edits = None;
                self.sources.retain(|k, _| !k.starts_with(&rel));
                self.broken.retain(|k, _| !k.starts_with(&rel));
            }
        }
        if std::env::var_os("PAPERBOY_TIMINGS").is_some() {
            eprintln!("timings: read changed files {} ms", started.elapsed().as_millis());
        }
        let mut report = self.render_changed(false, true, edits.as_ref())?;
        warnings.append(&mut report.warnings);
        report.warnings = warnings;
        report.elapsed = started.elapsed();
        Ok(report)
    }

    /// Assembles the model from the sources (or patches the last one with `edits`, the
    /// records the sources changed since it, when given), renders the jobs whose
    /// fingerprint changed (or all of them), writes their files and deletes files of pages
    /// that are gone. Without `write` (a rehearsal, see [`LiveSite::warm_up`]) it only
    /// renders, and records the jobs as if written: the caller puts the sources back as
    /// they are on disk and rehearses again.
    fn render_changed(&mut self, all_jobs: bool, write: bool, edits: Option<&content::Edits>) -> Result<RebuildReport> {
        if !self.broken.is_empty() {
            self.site = None;
            let errors: Vec<ContentError> = self.broken.values().flatten().cloned().collect();
            return Err(ContentErrors(errors).into());
        }
        let setup = self.setup.as_ref().expect("loaded before rendering");
        let mut phases = Phases::new();
        let mut last = self.site.take();
        // The papers whose record a patch replaced.
        let edited = match (&mut last, edits) {
            (Some(site), Some(edits)) => content::patch(site, edits),
            _ => None,
        };
        let mut site = match last {
            Some(site) if edited.is_some() => site,
            last => {
                // Freeing a model takes a while at scale and nobody waits for it.
                if let Some(last) = last {
                    pipeline::free_in_background(last);
                }
                content::assemble_with(self.sources.values(), &content::Rules::of(&setup.config))
            }
        };
        phases.mark("assemble");
        let words = self.enricher.enrich(
            &mut site,
            &setup.taxonomy,
            setup.derive(),
            edited.as_deref(),
            &mut phases,
        );
        let renderer = setup
            .renderer(
                &site,
                &mut self.summary_cache,
                self.enricher.touched(),
                self.enricher.lexicon(),
                words,
            )?
            .after_search_plan(self.search_plan.take());
        phases.mark("prepare");
        // Listing the jobs plans the search index.
        let all = renderer.all_jobs();
        phases.mark("search plan");
        // A patched save that kept every tag lists the jobs of the last rebuild under the
        // same keys: it keeps them, and compares fingerprints by place. At 100,000 papers,
        // making 120,000 keys and looking each up took most of this phase.
        let patched = !all_jobs && self.enricher.touched().is_some();
        let (keyed, same_jobs, changed) = match self.keyed.take() {
            Some(mut keyed)
                if patched && keyed.len() == all.len() && keyed.iter().zip(&all).all(|(k, j)| k.2 == *j) =>
            {
                // Paper pages that cannot show anything new keep their fingerprints.
                let check = renderer.papers_to_check(self.enricher.relisted());
                let changed: Vec<bool> = keyed
                    .par_iter_mut()
                    .map(|(_, fp, job)| {
                        if let (Job::Paper(id), Some(check)) = (*job, &check)
                            && !check[id]
                        {
                            return false;
                        }
                        let new = renderer.fingerprint(*job);
                        std::mem::replace(fp, new) != new
                    })
                    .collect();
                (keyed, true, changed)
            }
            _ => {
                let keyed = pipeline::keyed_jobs(&renderer, &all);
                let changed = keyed
                    .iter()
                    .map(|(key, fp, _)| all_jobs || self.jobs.get(key).map(|j| j.0) != Some(*fp))
                    .collect();
                (keyed, false, changed)
            }
        };
        let todo: Vec<&Keyed> = keyed
            .iter()
            .zip(&changed)
            .filter(|(_, c)| **c)
            .map(|(k, _)| k)
            .collect();
        phases.mark("fingerprint");
        let mut report = RebuildReport {
            rendered: todo.len(),
            papers: site.papers.len(),
            ..Default::default()
        };
        if !self.built {
            // The first build goes through staging with `paperboy build`'s renderer: all or
            // nothing, rendered in chunks so that the whole site's bytes are never in memory
            // at once, and written by one thread while the next chunk renders.
            self.jobs.clear();
            let mut jobs: Vec<Keyed> = todo.iter().map(|&k| k.clone()).collect();
            let by_job: FxHashMap<Job, (&String, u64)> = todo.iter().map(|(key, fp, job)| (*job, (key, *fp))).collect();
            let lock = self
                .lock
                .as_ref()
                .expect("rebuild_all locks the output before the first build");
            let table = &mut self.jobs;
            let setup_fp = setup.fingerprint();
            let published = pipeline::publish(
                &renderer,
                &mut jobs,
                pipeline::Destination {
                    lock,
                    ahead: None,
                    force: false,
                },
                setup_fp,
                &|_, _| {},
                Some(&mut |job, paths| {
                    let (key, fp) = by_job[&job];
                    table.insert(key.clone(), (fp, paths));
                }),
            );
            match published {
                Ok(published) => {
                    let counts = published.counts;
                    report.written = counts.pages + counts.feeds + counts.other;
                    report.rendered = published.rendered;
                    report.warnings.extend(published.notes);
                }
                Err(e) => {
                    self.jobs.clear();
                    return Err(e);
                }
            }
            self.built = true;
        } else {
            let output = self
                .lock
                .as_ref()
                .expect("rebuild_all locks the output before the first build")
                .output();
            rewrite(
                &mut self.jobs,
                write.then_some(output),
                &renderer,
                (&keyed, same_jobs),
                &todo,
                &mut report,
                &mut phases,
            )?;
        }
        phases.mark("write");
        self.keyed = Some(keyed);
        self.search_plan = renderer.into_search_plan();
        self.site = Some(site);
        phases.report();
        Ok(report)
    }
}

/// Renders `todo` and writes what changed into the live `output` (when given), deleting the
/// files of pages that are gone; `jobs` is the job table to update. Everything is rendered
/// before anything is written, so a template error leaves the site as it was. Up to one
/// chunk of pages ([`Renderer::chunks_by_pages`]) is kept from rendering to writing; more
/// (a config or theme change) would hold the whole site in memory (about 1.5 GB at 100,000
/// papers), so those are rendered twice instead: in chunks, to learn which jobs' files
/// differ from the live output, then those jobs again, chunk by chunk, to write them.
/// `keyed` holds every job of the site, and whether they are the jobs `jobs` holds (then
/// no job is gone).
fn rewrite(
    jobs: &mut FxHashMap<String, (u64, Vec<String>)>,
    output: Option<&Path>,
    renderer: &Renderer,
    (keyed, same_jobs): (&[Keyed], bool),
    todo: &[&Keyed],
    report: &mut RebuildReport,
    phases: &mut Phases,
) -> Result<()> {
    /// What the first rendering of a job leaves for the write.
    enum Pending {
        /// Its files, kept (everything fits in one chunk).
        Kept(Files),
        /// Some file differs from the live output: render it again to write it.
        Differs,
        /// Nothing to write.
        Same,
    }
    let chunks = renderer.chunks_by_pages(todo, |(_, _, job)| *job);
    let keep = chunks.len() <= 1;
    // Per job: its key, fingerprint and paths, and what is left to write.
    let mut rendered: Vec<(&Keyed, Vec<String>, Pending)> = Vec::with_capacity(todo.len());
    for chunk in &chunks {
        let part: Vec<_> = chunk
            .par_iter()
            .map(|&keyed| -> Result<_> {
                let files = renderer.render_job(keyed.2)?;
                let paths = files.iter().map(|(p, _)| p.clone()).collect();
                let pending = match output {
                    _ if keep => Pending::Kept(files),
                    Some(out) if files.iter().any(|(p, b)| !same_content(&out.join(p), b)) => Pending::Differs,
                    _ => Pending::Same,
                };
                Ok((keyed, paths, pending))
            })
            .collect::<Result<_>>()?;
        rendered.extend(part);
    }
    phases.mark("render");
    let mut stale: Vec<String> = Vec::new();
    if !same_jobs && (jobs.len() != keyed.len() || keyed.iter().any(|(k, _, _)| !jobs.contains_key(k))) {
        let live: FxHashSet<&str> = keyed.iter().map(|(k, _, _)| k.as_str()).collect();
        jobs.retain(|key, (_, files)| {
            let keep = live.contains(key.as_str());
            if !keep {
                stale.append(files);
            }
            keep
        });
    }
    let mut produced: FxHashSet<&str> = FxHashSet::default();
    for ((key, fp, _), paths, _) in &rendered {
        produced.extend(paths.iter().map(String::as_str));
        if let Some((_, old)) = jobs.insert(key.clone(), (*fp, paths.clone())) {
            stale.extend(old);
        }
    }
    stale.retain(|p| !produced.contains(p.as_str()));
    let Some(output) = output else {
        return Ok(());
    };
    let sink = InPlace::new(output);
    // Most of these files are unchanged and only read back to compare: in parallel.
    let written = if keep {
        rendered
            .par_iter()
            .flat_map(|(_, _, pending)| match pending {
                Pending::Kept(files) => files.par_iter(),
                _ => [].par_iter(),
            })
            .try_for_each(|(path, bytes)| sink.put(path, bytes))
    } else {
        let again: Vec<&Keyed> = rendered
            .iter()
            .filter(|r| matches!(r.2, Pending::Differs))
            .map(|r| r.0)
            .collect();
        renderer
            .chunks_by_pages(&again, |(_, _, job)| *job)
            .into_iter()
            .try_for_each(|chunk| {
                chunk.par_iter().try_for_each(|(_, _, job)| {
                    renderer
                        .render_job(*job)?
                        .iter()
                        .try_for_each(|(path, bytes)| sink.put(path, bytes))
                })
            })
    };
    if let Err(e) = written.and_then(|()| sink.remove(&stale)) {
        // The job table already describes this build: forget it, so that the next
        // rebuild renders and compares every page instead of trusting a half write.
        jobs.clear();
        return Err(e);
    }
    report.removed = stale.len();
    report.written = sink.into_written().len();
    Ok(())
}

fn read_into(
    sources: &mut BTreeMap<PathBuf, SourceFile>,
    broken: &mut BTreeMap<PathBuf, Vec<ContentError>>,
    abs: &Path,
    rel: &Path,
    config: &Config,
    warnings: &mut Vec<String>,
) {
    match content::read_file_after(abs, rel, config, &mut |w| warnings.push(w), sources.get(rel)) {
        Ok(source) => {
            broken.remove(rel);
            sources.insert(rel.to_path_buf(), source);
        }
        Err(e) => {
            sources.remove(rel);
            broken.insert(rel.to_path_buf(), e);
        }
    }
}
