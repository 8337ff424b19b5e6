//! The one driver of a build: load the setup (config, theme, taxonomy) → read the content →
//! enrich → render jobs → write. `paperboy build` runs it once; watch mode (`live/`) runs
//! the same steps over the parts an edit touched. Each step is a function here, so that the
//! order of the stages is written once.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::config::{Config, Overrides, TaggingConfig};
use crate::content;
use crate::enrich::{
    Derive, Enricher, Lexicon, Prepared, StoredLists, TagCache, Taxonomy, WordsStore, read_stored_words, stored_key,
};
use crate::error::warned;
use crate::model::{PaperId, Site, TextStore};
use crate::output::{
    CacheRead, DoneJobs, Holder, JobCache, JobFiles, Keepable, OutputLock, ReadAhead, SideFile, Sink, Spill, Staging,
    parse_cache_path, related_cache_path, sealed_search_path, sealed_words_path, topics_cache_path, words_cache_path,
};
use crate::phases::Phases;
use crate::render::search_sealed::{self, StoredSealed};
use crate::render::{Files, Job, RenderCache, Renderer};
use crate::theme::Theme;

/// What `paperboy build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Site root: holds `content/` and optionally `paperboy.toml`, `themes/`, `templates/`.
    pub root: PathBuf,
    /// Output folder; `root/public` when not given.
    pub output: Option<PathBuf>,
    /// What the command line says over `paperboy.toml` (`--config`, `--base-url`,
    /// `--drafts`, `--future`).
    pub overrides: Overrides,
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
    /// Jobs (a page with its feeds and further pages) rendered, of `jobs`; the others kept
    /// what the previous build wrote, their inputs unchanged (see `output/job_cache.rs`).
    pub rendered: usize,
    /// Jobs in the site.
    pub jobs: usize,
    /// Non-fatal problems (unknown config keys, an output updated in place, ...).
    pub warnings: Vec<String>,
    /// Wall time of the whole build.
    pub elapsed: Duration,
    /// Where the site was written.
    pub output: PathBuf,
    /// Bytes of abstracts the build wrote to its own file instead of holding them in memory
    /// (see `model/long_text.rs`); abstracts it left in parse cache entries are on disk too,
    /// and not counted.
    pub spilled: u64,
}

/// Files written, by kind, for the build summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// HTML pages written.
    pub pages: usize,
    /// RSS, Atom and JSON feeds written.
    pub feeds: usize,
    /// Other files (sitemap, static files, search index).
    pub other: usize,
}

impl Counts {
    /// Counts one file by its path.
    fn add(&mut self, path: &str) {
        if path.ends_with(".html") {
            self.pages += 1;
        } else if (path.ends_with(".xml") && !path.starts_with("sitemap")) || path.ends_with("feed.json") {
            self.feeds += 1;
        } else {
            self.other += 1;
        }
    }
}

/// What a site is built with besides its content: the config, the theme and the taxonomy.
/// A change to any of them (outside `content/`) replaces all three.
pub struct Setup {
    /// The site config, with command-line overrides applied.
    pub config: Config,
    /// The theme's templates and static files.
    pub theme: Theme,
    /// The topics papers are tagged with.
    pub taxonomy: Taxonomy,
}

impl Setup {
    /// Reads `paperboy.toml` (then `--base-url`), the theme and the taxonomy, with the
    /// warnings found on the way. Fails before any content is read.
    pub fn load(root: &Path, overrides: &Overrides) -> Result<(Setup, Vec<String>)> {
        let (config, mut warnings) = Config::load_with(root, overrides)?;
        let theme = Theme::load(root, &config).map_err(|e| warned(e, &warnings))?;
        warnings.extend(theme.notes.iter().cloned());
        let taxonomy = Taxonomy::new(&config.tagging).map_err(|e| warned(e, &warnings))?;
        Ok((
            Setup {
                config,
                theme,
                taxonomy,
            },
            warnings,
        ))
    }

    /// A hash of everything pages depend on that job fingerprints leave out: this program's
    /// source, the config (but not today's date: what it changes, which papers are
    /// published, is in the model) and the theme. A build cache is valid for one setup.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut config = self.config.clone();
        config.build.today = None;
        config.source = Default::default();
        let mut h = crate::config::program_hasher(&config);
        self.theme.templates.hash(&mut h);
        self.theme.statics.hash(&mut h);
        h.finish()
    }

    /// What the theme's pages need derived from the papers: search words only when it has a
    /// search page.
    pub fn derive(&self) -> Derive {
        if self.theme.has_search_page() {
            Derive::Search
        } else {
            Derive::Related
        }
    }

    /// The renderer of `site` with this setup, reusing what `cache` keeps (see
    /// [`Renderer::with_cache`] for `touched`), and writing the search index from `words`
    /// when they were gathered.
    pub fn renderer<'a>(
        &'a self,
        site: &'a Site,
        cache: &mut RenderCache,
        touched: Option<&[PaperId]>,
        lexicon: &'a Lexicon,
        words: Option<Prepared>,
    ) -> Result<Renderer<'a>> {
        let renderer = Renderer::with_cache(site, &self.config, &self.theme, cache, touched)?;
        Ok(match words {
            Some(words) => renderer.with_search_words(lexicon, words),
            None => renderer,
        })
    }
}

/// Everything a build reads: setup and corpus, enriched. Fails before anything is written.
pub struct Loaded {
    /// Config, theme and taxonomy.
    pub setup: Setup,
    /// The enriched model.
    pub site: Site,
    /// Non-fatal problems found while loading.
    pub warnings: Vec<String>,
    /// Every word of the corpus, numbered.
    pub lexicon: Lexicon,
    /// Each paper's search words, when the theme has a search page.
    pub search_words: Option<Prepared>,
    /// The parse cache the content was read through, when there was one: pruned once the
    /// build succeeds.
    pub parse_cache: Option<content::ParseCache>,
    /// The topic strengths staged for the next build, when there is an output to keep
    /// them beside: put in place once the build succeeds.
    pub(crate) stored_topics: Option<StoredTopics>,
    /// The words staged for the next build, like the topic strengths.
    pub(crate) stored_words: Option<Box<dyn WordsStore>>,
    /// The settled papers' related lists staged for the next build, like the topic
    /// strengths.
    pub(crate) stored_related: Option<StoredRelated>,
    /// The search index's sealed segment the last build stored, when it holds for this
    /// site (the search words leave its papers out), and where the next is stored.
    pub(crate) sealed_search: Option<SealedSearch>,
    /// Bytes of abstracts kept in the build's spill file instead of memory (see
    /// `model/long_text.rs`), not counting those left in parse cache entries; 0 when there is
    /// no output to keep the file beside.
    pub spilled: u64,
}

/// Reads setup and content, and enriches the model (tags, related papers, search words).
pub fn load(root: &Path, overrides: &Overrides) -> Result<Loaded> {
    load_deriving(root, overrides, None, None, &mut Phases::new())
}

/// [`load`] with tags and related papers but no search words, for reports on tags.
pub fn load_tags(root: &Path, overrides: &Overrides, phases: &mut Phases) -> Result<Loaded> {
    load_deriving(root, overrides, Some(Derive::Related), None, phases)
}

/// Loads, deriving what `derive` says, or what the theme's pages need. With the `output`
/// a build writes, it reads through the caches beside it (parsed files, topic strengths).
fn load_deriving(
    root: &Path,
    overrides: &Overrides,
    derive: Option<Derive>,
    output: Option<&Path>,
    phases: &mut Phases,
) -> Result<Loaded> {
    let (setup, mut warnings) = Setup::load(root, overrides)?;
    let spill = match output.map(Spill::beside) {
        Some(Ok(spill)) => Some(Arc::new(spill)),
        // Only memory: a build that cannot make the file holds its abstracts as before.
        Some(Err(e)) => {
            warnings.push(format!(
                "cannot keep abstracts out of memory ({e}) — this build holds them in memory: the same site, more memory"
            ));
            None
        }
        None => None,
    };
    // Abstracts found in the parse cache stay there when the build keeps them out of memory.
    let parse_cache = output.map(|out| {
        content::ParseCache::new(parse_cache_path(out), &setup.config.import).texts_in_entries(spill.is_some())
    });
    let store = spill.clone().map(|spill| spill as Arc<dyn TextStore>);
    let (mut site, content_warnings) = content::load_cached(root, &setup.config, parse_cache.as_ref(), store.as_ref())
        .map_err(|e| warned(e, &warnings))?;
    warnings.extend(content_warnings);
    if let Some(spill) = spill.as_ref().filter(|spill| spill.failed()) {
        warnings.push(format!(
            "writing abstracts out of memory failed after {} MB (is the output's disk full?) — the rest are held in memory: the same site, more memory",
            spill.len() / 1_000_000
        ));
    }
    phases.mark("read+parse");
    // Parsing freed every file's text and the abstracts it spilled.
    crate::memory::hand_back();
    let mut enricher = Enricher::once();
    let mut stored_topics = output.map(|out| StoredTopics::new(out, &setup.config.tagging));
    if let Some(stored) = &stored_topics {
        match stored.read() {
            Ok(tags) => enricher.seed_tags(tags),
            Err(warning) => warnings.push(warning),
        }
        phases.mark("stored topics");
    }
    if let Some(out) = output {
        let mut stored = StoredWords::new(out);
        let (seed, refused) = stored.read();
        warnings.extend(refused);
        if let Some(seed) = seed {
            enricher.seed_words(seed);
        }
        enricher.store_words(Box::new(stored));
        phases.mark("stored words");
    }
    let mut stored_related = output.map(StoredRelated::new);
    if let Some(stored) = &stored_related {
        match stored.read() {
            Ok(Some(lists)) => enricher.seed_related(lists),
            Ok(None) => {}
            Err(warning) => warnings.push(warning),
        }
    }
    let derive = derive.unwrap_or_else(|| setup.derive());
    let sealed_search = output.map(|out| {
        let mut sealed = SealedSearch::new(out);
        if derive == Derive::Search {
            match sealed.read(&site) {
                Ok(papers) => enricher.seal_search(papers),
                Err(warning) => warnings.push(warning),
            }
        }
        sealed
    });
    let search_words = enricher.enrich(&mut site, &setup.taxonomy, derive, None, phases);
    let stored_words = enricher.take_stored_words();
    // Only a speed-up, like the strengths below.
    stored_related = stored_related.and_then(|mut stored| {
        let lists = enricher.take_related_lists()?;
        stored.file.stage(&lists.to_bytes()).ok().map(|_| stored)
    });
    if let Some(stored) = &mut stored_topics {
        // Only a speed-up: a build that cannot store them reads every paper next time.
        if stored.stage(enricher.tags(), &site).is_err() {
            stored_topics = None;
        }
    }
    Ok(Loaded {
        setup,
        site,
        warnings,
        lexicon: enricher.into_lexicon(),
        search_words,
        parse_cache,
        stored_topics,
        stored_words,
        stored_related,
        sealed_search,
        spilled: spill.map_or(0, |spill| spill.len()),
    })
}

/// The search index's sealed segment kept beside an output folder (see
/// `render/search_sealed.rs`).
pub(crate) struct SealedSearch {
    file: SideFile,
    /// What the last build stored, when it holds for this build's site.
    stored: Option<Arc<StoredSealed>>,
}

impl SealedSearch {
    /// The one beside output folder `out`.
    fn new(out: &Path) -> Self {
        SealedSearch {
            file: SideFile::new(sealed_search_path(out)),
            stored: None,
        }
    }

    /// Takes what the last build stored when it was made from the papers `site` seals:
    /// returns how many papers that is (0: none taken); the warning to print when the file
    /// is damaged.
    fn read(&mut self, site: &Site) -> Result<usize, String> {
        let papers = site.sealed_papers();
        if papers == 0 {
            return Ok(0);
        }
        let refused = |why: &str| refused(&self.file, why, "makes every paper's search words afresh");
        let cannot = |e: std::io::Error| refused(&format!("cannot be read ({e})"));
        let Some(file) = self.file.open().map_err(cannot)? else {
            return Ok(0);
        };
        let stored = self
            .open_stored(file.into_inner(), site, papers)
            .map_err(|why| refused(&why))?;
        self.stored = stored.map(Arc::new);
        Ok(self.stored.as_ref().map_or(0, |s| s.papers))
    }

    /// Stages the sealed segment `renderer` planned, when it planned one instead of taking
    /// the stored one, for [`SealedSearch::commit`] once the build succeeds; how many
    /// papers it holds (none when there was nothing to stage).
    fn stage(&mut self, renderer: &Renderer, site: &Site) -> std::io::Result<Option<usize>> {
        let Some((papers, shards)) = renderer.sealed_search_to_store() else {
            return Ok(None);
        };
        let key = search_sealed::key(site, papers);
        self.file
            .stage_with(|out| search_sealed::write(out, key, papers, shards))?;
        Ok(Some(papers))
    }

    /// Stages the sealed segment `renderer` planned before its pages render, and takes it
    /// back from the staged file: the pages then read the shards from there. A clean
    /// build, or the first of a month, made every sealed shard twice, once for its page and
    /// once for the file (1.6 s at a million papers). Nothing when there is none to store,
    /// or the staged file cannot be read back (the shards are then made twice, as before).
    fn store_before_rendering(&mut self, renderer: &mut Renderer, site: &Site) {
        let Ok(Some(papers)) = self.stage(renderer, site) else {
            return;
        };
        let Ok(file) = self.file.open_staged() else {
            return;
        };
        if let Ok(Some(stored)) = self.open_stored(file, site, papers) {
            renderer.take_stored_sealed(Arc::new(stored));
        }
    }

    /// The segment in `file` (this side file, stored or staged) when it holds the first
    /// `papers` papers of `site`, checked whole; why it is not trusted when it is not.
    fn open_stored(&self, file: std::fs::File, site: &Site, papers: usize) -> Result<Option<StoredSealed>, String> {
        let len = file.metadata().map_err(|e| format!("cannot be read ({e})"))?.len();
        let name = self.file.path().display().to_string();
        let key = search_sealed::key(site, papers);
        StoredSealed::open(Box::new(content::ReadOnlyFile(file)), name, len, key, papers)
    }

    /// Puts the staged segment in place.
    fn commit(self) -> std::io::Result<()> {
        self.file.commit()
    }
}

/// The topic strengths kept beside an output folder (see `enrich/tagging/stored.rs`).
pub(crate) struct StoredTopics {
    file: SideFile,
    key: u64,
}

impl StoredTopics {
    /// Those beside output folder `out`, for tagging with `config`.
    pub(crate) fn new(out: &Path, config: &TaggingConfig) -> Self {
        StoredTopics {
            file: SideFile::new(topics_cache_path(out)),
            key: stored_key(config),
        }
    }

    /// What the last build stored: none when there is nothing or it is another taxonomy's;
    /// the warning to print when it is damaged.
    pub(crate) fn read(&self) -> Result<TagCache, String> {
        let refused = |why: &str| refused(&self.file, why, "reads every paper's topics afresh");
        match self.file.read() {
            Ok(Some(bytes)) => TagCache::from_stored(&bytes, self.key).map_err(&refused),
            Ok(None) => Ok(TagCache::default()),
            Err(e) => Err(refused(&format!("cannot be read ({e})"))),
        }
    }

    /// Writes the strengths of the papers of `site` under a temporary name, for
    /// [`StoredTopics::commit`] to put in place once the build succeeds.
    pub(crate) fn stage(&mut self, tags: &TagCache, site: &Site) -> std::io::Result<()> {
        self.file.stage(&tags.to_stored(site, self.key))
    }

    /// Puts the staged strengths in place.
    pub(crate) fn commit(self) -> std::io::Result<()> {
        self.file.commit()
    }
}

/// The warning for a side file that a build does not trust: why, and what the build does
/// instead (`this build …`).
fn refused(file: &SideFile, why: &str, instead: &str) -> String {
    format!(
        "{}: {why} — ignored: this build {instead} and stores them again",
        file.path().display()
    )
}

/// The settled papers' related lists kept beside an output folder (see
/// `enrich/stored_related.rs`).
pub(crate) struct StoredRelated {
    file: SideFile,
}

impl StoredRelated {
    /// Those beside output folder `out`.
    fn new(out: &Path) -> Self {
        StoredRelated {
            file: SideFile::new(related_cache_path(out)),
        }
    }

    /// What the last build stored (whether it still holds is the enricher's to say); the
    /// warning to print when it is damaged.
    fn read(&self) -> Result<Option<StoredLists>, String> {
        let refused = |why: &str| refused(&self.file, why, "searches every paper's related papers afresh");
        match self.file.read() {
            Ok(Some(bytes)) => StoredLists::from_bytes(&bytes).map(Some).map_err(refused),
            Ok(None) => Ok(None),
            Err(e) => Err(refused(&format!("cannot be read ({e})"))),
        }
    }

    /// Puts the staged lists in place.
    pub(crate) fn commit(self) -> std::io::Result<()> {
        self.file.commit()
    }
}

/// The words kept beside an output folder (see `enrich/stored_words.rs`): the sealed
/// papers' and the others'.
struct StoredWords {
    sealed: SideFile,
    file: SideFile,
    /// Which sealed papers' words the sealed file held when read.
    sealed_tag: Option<u64>,
}

impl StoredWords {
    /// Those beside output folder `out`.
    fn new(out: &Path) -> Self {
        StoredWords {
            sealed: SideFile::new(sealed_words_path(out)),
            file: SideFile::new(words_cache_path(out)),
            sealed_tag: None,
        }
    }

    /// What the last build stored: none when there is nothing or another paperboy stored
    /// it; a warning for each file that is damaged (the other is still taken).
    fn read(&mut self) -> (Option<crate::enrich::Seed>, Vec<String>) {
        let mut warnings = Vec::new();
        let refused = |file: &SideFile, why: &str| refused(file, why, "reads the words of the papers it held afresh");
        let mut seed = match open_side_file(&self.sealed).and_then(|file| match file {
            Some((file, len)) => read_stored_words(file, len),
            None => Ok(None),
        }) {
            Ok(Some((seed, tag))) => {
                self.sealed_tag = Some(tag);
                Some(seed)
            }
            Ok(None) => None,
            Err(why) => {
                warnings.push(refused(&self.sealed, &why));
                None
            }
        };
        let read = open_side_file(&self.file).and_then(|file| match (file, seed.as_mut()) {
            (None, _) => Ok(()),
            (Some((file, len)), Some(seed)) => seed.add_stored(file, len),
            (Some((file, len)), None) => {
                seed = read_stored_words(file, len)?.map(|(seed, _)| seed);
                Ok(())
            }
        });
        if let Err(why) = read {
            warnings.push(refused(&self.file, &why));
        }
        (seed, warnings)
    }
}

/// A side file opened to read, with its length; `None` when there is none.
fn open_side_file(file: &SideFile) -> Result<Option<(impl std::io::Read, u64)>, String> {
    match file.open() {
        Ok(Some(reader)) => {
            let len = reader.get_ref().metadata().map_or(0, |m| m.len());
            Ok(Some((reader, len)))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(format!("cannot be read ({e})")),
    }
}

impl WordsStore for StoredWords {
    fn sealed(&self) -> Option<u64> {
        self.sealed_tag
    }

    fn stage_sealed(
        &mut self,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.sealed.stage_with(write)
    }

    fn stage(&mut self, write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>) -> std::io::Result<()> {
        self.file.stage_with(write)
    }

    fn commit(self: Box<Self>) -> std::io::Result<()> {
        let StoredWords { sealed, file, .. } = *self;
        sealed.commit()?;
        file.commit()
    }
}

/// Builds the site: load, render into a staging folder, then swap it in.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    build_with_progress(options, &|_, _| {})
}

/// [`build`], calling `progress(done, total)` as jobs are written (the command line draws
/// a progress bar with it).
pub fn build_with_progress(options: &BuildOptions, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<BuildReport> {
    let started = Instant::now();
    let mut phases = Phases::new();
    let output = options.output.clone().unwrap_or_else(|| options.root.join("public"));
    // Before reading anything: a build that waited for another reads the content as it is
    // once that one is done.
    let lock = lock_output(&options.root, &output, Holder::Build)?;
    let ahead = ReadAhead::start(&lock);
    let Loaded {
        setup,
        site,
        warnings,
        lexicon,
        search_words,
        parse_cache,
        stored_topics,
        stored_words,
        stored_related,
        mut sealed_search,
        spilled,
    } = load_deriving(
        &options.root,
        &options.overrides,
        None,
        Some(lock.output()),
        &mut phases,
    )?;
    let mut warnings = warnings;
    // What the content and config gave: said again if the build fails.
    let given = warnings.len();
    if setup.config.is_local() {
        warnings.push(format!(
            "base_url is {}, this machine: feeds, canonical links, the sitemap and emails point there — set base_url in paperboy.toml (or pass --base-url) before you deploy",
            setup.config.base_url
        ));
    }
    let mut renderer = setup
        .renderer(&site, &mut RenderCache::default(), None, &lexicon, search_words)
        .map_err(|e| warned(e, &warnings[..given]))?
        .with_sealed_search(sealed_search.as_mut().and_then(|s| s.stored.take()));
    phases.mark("prepare");
    // Listing the jobs plans the search index (its parts are rendered with the pages).
    let jobs = renderer.all_jobs();
    if let Some(sealed) = sealed_search.as_mut() {
        sealed.store_before_rendering(&mut renderer, &site);
    }
    phases.mark("search plan");
    // Planning inverted the papers' search words and freed them.
    crate::memory::hand_back();
    let mut jobs = keyed_jobs(&renderer, &jobs);
    phases.mark("fingerprint");
    let setup_fp = setup.fingerprint();
    let published = publish(
        &renderer,
        &mut jobs,
        Destination {
            lock: &lock,
            ahead: Some(ahead),
            force: options.force,
        },
        setup_fp,
        progress,
        None,
    )
    .map_err(|e| warned(e, &warnings[..given]))?;
    warnings.extend(published.notes);
    if let Some(cache) = parse_cache {
        // Only a speed-up: stale entries left behind cost disk, not correctness.
        let _ = cache.finish();
    }
    if let Some(stored) = stored_topics {
        let _ = stored.commit();
    }
    if let Some(stored) = stored_words {
        let _ = stored.commit();
    }
    if let Some(stored) = stored_related {
        let _ = stored.commit();
    }
    if let Some(mut sealed) = sealed_search {
        // Only a speed-up: a build that cannot store it makes every paper's words next time.
        if sealed.stage(&renderer, &site).is_ok() {
            let _ = sealed.commit();
        }
    }
    let counts = published.counts;
    phases.mark("render+write+swap");
    phases.report();
    let report = BuildReport {
        papers: site.papers.len(),
        issues: site.issues.len(),
        tags: site.tags.len(),
        counts,
        rendered: published.rendered,
        jobs: jobs.len(),
        warnings,
        elapsed: started.elapsed(),
        output,
        spilled,
    };
    drop(renderer);
    free_in_background((site, lexicon, jobs));
    Ok(report)
}

/// Frees `what` on a thread of its own: a 100,000-paper model is millions of allocations,
/// about 0.2 s to free on one thread, which the command line would wait for before it
/// exits. When no thread can be started, `what` is freed here (the failed spawn drops it).
pub(crate) fn free_in_background<T: Send + 'static>(what: T) {
    let _ = std::thread::Builder::new().spawn(move || drop(what));
}

/// A job with its key (its main output path) and fingerprint.
pub type Keyed = (String, u64, Job);

/// Keys and fingerprints of `jobs`, in parallel.
pub fn keyed_jobs(renderer: &Renderer, jobs: &[Job]) -> Vec<Keyed> {
    jobs.par_iter()
        .map(|&job| (renderer.job_key(job), renderer.fingerprint(job), job))
        .collect()
}

/// What [`publish`] did.
pub struct Published {
    /// Files in the new site, by kind.
    pub counts: Counts,
    /// Jobs rendered; the others kept the files of the previous build.
    pub rendered: usize,
    /// Notes for the user: how the output was replaced when it could not be atomically, a
    /// build cache that was refused.
    pub notes: Vec<String>,
}

/// Renders `jobs` into a staging folder beside the output that `lock` holds and swaps it in:
/// all or nothing. A job whose fingerprint is the one the build cache beside the output
/// recorded for `setup` (see [`Setup::fingerprint`]), and whose files are still as that
/// build left them, keeps them instead of rendering. `written(job, paths)`, when given, is
/// called as each job's files are staged. The jobs' keys move into the new build cache
/// (they are 100,000 strings in a large build): `jobs` is left sorted by key, with empty
/// keys.
pub fn publish(
    renderer: &Renderer,
    jobs: &mut [Keyed],
    to: Destination,
    setup: u64,
    progress: &(dyn Fn(usize, usize) + Sync),
    mut written: Option<&mut (dyn FnMut(Job, Vec<String>) + Send)>,
) -> Result<Published> {
    let Destination { lock, ahead, force } = to;
    let (ahead, cache_read) = match ahead.map(|ahead| ahead.finish(lock)) {
        Some((ahead, jobs)) => (Some(ahead), jobs.for_setup(setup)),
        None => (None, JobCache::read(lock.output(), setup)),
    };
    let staging = Staging::begin_with(lock, force, ahead)?;
    // Most jobs write one file; issues, tags and feeds a few.
    staging.expect_files(jobs.len() + jobs.len() / 8);
    let mut notes = Vec::new();
    let previous = match cache_read {
        CacheRead::Usable(cache) => cache,
        CacheRead::Absent => JobCache::default(),
        CacheRead::Refused(why) => {
            notes.push(why);
            JobCache::default()
        }
    };
    // In key order, the order files are written in (see `render_jobs_reusing`): a job is
    // then known by its place, with no map from job to place (70 MB at a million papers).
    jobs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // Each rendered or kept job's place in `jobs`, and its files.
    let mut done: Vec<(usize, JobFiles)> = Vec::with_capacity(jobs.len());
    // Static files that a page or feed writes over: the page wins, and the user hears of it.
    let statics: FxHashSet<&str> = renderer.static_paths().collect();
    let mut shadowed = std::collections::BTreeSet::new();
    let (counts, rendered) = {
        let reuse = |at: usize| -> Option<Vec<(String, Keepable)>> {
            let (key, fp, _) = &jobs[at];
            let files = previous.get(key, *fp)?;
            files
                .into_iter()
                .map(|f| {
                    let found = staging.can_keep(&f)?;
                    Some((f, found))
                })
                .collect()
        };
        let plain: Vec<Job> = jobs.iter().map(|k| k.2).collect();
        render_jobs_reusing(renderer, plain, &staging, &reuse, progress, &mut |at, job, paths| {
            if job != Job::Statics {
                shadowed.extend(paths.iter().filter(|p| statics.contains(p.as_str())).cloned());
            }
            if let Some(written) = written.as_mut() {
                written(job, paths.clone());
            }
            done.push((at, JobFiles::of(&jobs[at].0, paths)));
        })?
    };
    for path in shadowed {
        notes.push(format!(
            "the static file {path} (in static/ or the theme's static/) is also a page or feed the site writes, which is kept — rename or remove the static file"
        ));
    }
    // Freed beside the commit: 117,000 keys and paths took 20 ms to free on this thread.
    free_in_background(previous);
    let mut cache = DoneJobs::with_capacity(done.len());
    for (i, files) in done {
        cache.push(std::mem::take(&mut jobs[i].0), jobs[i].1, files);
    }
    notes.extend(staging.commit_with_cache(&cache, setup)?);
    Ok(Published {
        counts,
        rendered,
        notes,
    })
}

/// Where [`publish`] writes: the output that `lock` holds.
pub struct Destination<'a> {
    /// The output's lock, held for the whole build.
    pub lock: &'a OutputLock,
    /// The previous build's manifest and build cache, when a one-off build started reading
    /// them while its content loaded (watch mode reads them as it publishes).
    pub ahead: Option<ReadAhead>,
    /// Replace an output folder that paperboy did not write.
    pub force: bool,
}

/// Checks where the output of the site at `root` goes, then locks it for `holder`: a
/// second build waits for the first (saying so on stderr), and a folder held by watch mode
/// is refused naming its process.
pub fn lock_output(root: &Path, output: &Path, holder: Holder) -> Result<OutputLock> {
    check_output_place(root, output)?;
    OutputLock::acquire(output, holder, &|line| eprintln!("note: {line}"))
}

/// Refuses an output folder inside what the build reads (`content/`, `themes/`,
/// `templates/`, `static/`), where the next build would read its own output as content, or
/// one that holds them, which a build would replace.
fn check_output_place(root: &Path, output: &Path) -> Result<()> {
    let out = crate::output::resolve_output(output)?;
    for dir in [
        content::CONTENT_DIR,
        crate::theme::THEMES_DIR,
        crate::theme::OVERRIDES_DIR,
        crate::theme::STATIC_DIR,
    ] {
        let source = crate::output::resolve_output(&root.join(dir))?;
        if out.starts_with(&source) {
            anyhow::bail!(
                "{}: the output folder is inside {}, which the build reads — pick an --output outside content/, themes/, templates/ and static/",
                output.display(),
                source.display()
            );
        }
        if source.starts_with(&out) && source.exists() {
            anyhow::bail!(
                "{}: the output folder holds {}, which a build would replace — pick an --output beside it, like {}",
                output.display(),
                source.display(),
                root.join("public").display()
            );
        }
    }
    Ok(())
}

/// Renders `jobs` in parallel and hands the files to `sink` from one writer thread, in
/// path order: file systems create a folder's entries fastest one at a time and in order,
/// and rendering (a small share of a build) overlaps with writing. Memory stays bounded:
/// at most a few chunks of pages are in flight. The first error stops the build.
/// `progress(done, total)` is called after each chunk is written, and `written(job,
/// paths)` after each job's files are (the watch loop records them).
pub fn render_jobs(
    renderer: &Renderer,
    jobs: &[Job],
    sink: &dyn Sink,
    progress: &(dyn Fn(usize, usize) + Sync),
    written: &mut (dyn FnMut(Job, Vec<String>) + Send),
) -> Result<Counts> {
    let mut jobs = jobs.to_vec();
    jobs.sort_by_cached_key(|&job| renderer.job_key(job));
    Ok(
        render_jobs_reusing(renderer, jobs, sink, &|_| None, progress, &mut |_, job, paths| {
            written(job, paths)
        })?
        .0,
    )
}

/// A job's output on its way to the writer: rendered, or the files of the previous build
/// that it keeps.
enum Output {
    Rendered(Files),
    Kept(Vec<(String, Keepable)>),
}

/// [`render_jobs`] for `jobs` in the order of their keys, where `reuse(at)` names the files
/// the job at place `at` keeps from the previous build instead of rendering (see
/// [`Sink::keep`]), and `written(at, job, paths)` is called once its files are written.
/// Returns the counts and how many jobs rendered.
fn render_jobs_reusing(
    renderer: &Renderer,
    jobs: Vec<Job>,
    sink: &dyn Sink,
    reuse: &(dyn Fn(usize) -> Option<Vec<(String, Keepable)>> + Sync),
    progress: &(dyn Fn(usize, usize) + Sync),
    written: &mut (dyn FnMut(usize, Job, Vec<String>) + Send),
) -> Result<(Counts, usize)> {
    let total = jobs.len();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(usize, Job, Output)>>(2);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> Result<(Counts, usize)> {
            let (mut counts, mut rendered) = (Counts::default(), 0);
            let mut done = 0;
            for chunk in rx {
                done += chunk.len();
                for (at, job, output) in chunk {
                    let paths = match output {
                        Output::Rendered(files) => {
                            rendered += 1;
                            let mut paths = Vec::with_capacity(files.len());
                            for (path, bytes) in files {
                                sink.put(&path, &bytes)?;
                                paths.push(path);
                            }
                            paths
                        }
                        Output::Kept(files) => {
                            let mut paths = Vec::with_capacity(files.len());
                            for (path, found) in files {
                                sink.keep(&path, found)?;
                                paths.push(path);
                            }
                            paths
                        }
                    };
                    paths.iter().for_each(|p| counts.add(p));
                    written(at, job, paths);
                }
                progress(done, total);
            }
            Ok((counts, rendered))
        });
        let mut first = 0;
        let rendered = renderer
            .chunks_by_pages(&jobs, |&job| job)
            .into_iter()
            .try_for_each(|chunk| -> Result<()> {
                let files: Vec<(usize, Job, Output)> = chunk
                    .par_iter()
                    .enumerate()
                    .map(|(i, &job)| match reuse(first + i) {
                        Some(paths) => Ok((first + i, job, Output::Kept(paths))),
                        None => Ok((first + i, job, Output::Rendered(renderer.render_job(job)?))),
                    })
                    .collect::<Result<_>>()?;
                first += chunk.len();
                // A closed channel means the writer failed; its error is reported below.
                let _ = tx.send(files);
                Ok(())
            });
        drop(tx);
        let written = writer.join().expect("the writer thread does not panic");
        rendered?;
        written
    })
}

/// A build's abstracts go to a file beside its output (see `model/long_text.rs`).
impl TextStore for Spill {
    fn append(&self, bytes: &[u8]) -> std::io::Result<u64> {
        Spill::append(self, bytes)
    }

    fn read(&self, at: u64, len: u32) -> std::io::Result<Vec<u8>> {
        Spill::read(self, at, len)
    }
}
