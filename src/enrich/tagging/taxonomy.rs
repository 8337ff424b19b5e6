//! The taxonomy compiled for matching: each topic's phrases (stemmed), acronyms and vetoes
//! as lookup tables, and the scoring that turns matches into a paper's topics.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context as _, Result};
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::learned::{DOUBT_RATIO, DOUBTS, Feature, GIVES, GIVES_ALONE, Learned, MIN_FEATURES, NEAR, TITLE_COUNT};
use crate::config::{TaggingConfig, TopicConfig};
use crate::enrich::lexicon::{Lexicon, Tokens, WordId};
use crate::model::{slug_or_hash, slugify};
use crate::text::words;

/// The built-in taxonomy, in the same format as `[[tagging.topic]]` in the config.
pub const BUILTIN_TAXONOMY: &str = include_str!("taxonomy.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    topic: Vec<TopicConfig>,
}

/// Where a phrase was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Abstract,
}

/// A compiled topic.
#[derive(Debug, Clone)]
struct Topic {
    slug: String,
    threshold: f64,
    abstract_weight: f64,
    /// Display form of each signal (phrases, then acronyms), for `--explain`.
    signals: Vec<String>,
    /// By signal, whether it only supports: it counts only beside a signal that does not.
    support: Vec<bool>,
    /// By signal, whether only its title mentions count.
    title_only: Vec<bool>,
    /// Topics (by number) this one gives when they have some support of their own.
    implies: Vec<usize>,
    /// Topics (by number) this one gives way to (see [`TopicConfig::yields_to`]).
    yields_to: Vec<usize>,
}

/// One signal's mentions in a paper: `(topic, signal)` → `(title, abstract)` mentions.
type Mentions = ((usize, usize), (usize, usize));

/// What a phrase or acronym means when it matches.
#[derive(Debug, Clone, Copy)]
struct Target {
    topic: usize,
    signal: usize,
    veto: bool,
}

/// The phrases that start with one stem. Common first words ("image", "3D", "visual") start
/// dozens of phrases: looked up by their second stem too, a word tries only the phrases that
/// can match, not all of them (most of tagging's time, before).
#[derive(Default)]
struct Starting {
    /// One-word phrases, with their place in the taxonomy.
    alone: Vec<(u32, Target)>,
    /// Longer phrases by their second stem id: place, the stem ids after the second, target.
    by_second: FxHashMap<u32, Vec<(u32, Vec<u32>, Target)>>,
}

/// Topics compiled into lookup tables: a word starts a phrase match with one hash lookup of its
/// stem id (see [`Matcher`] for how words get stem ids).
pub struct Taxonomy {
    topics: Vec<Topic>,
    /// Stem → id, for the stems that occur in phrases.
    stem_ids: HashMap<String, u32>,
    /// By first stem id, the phrases that start with it (stem ids are dense).
    phrases: Vec<Starting>,
    /// Acronym, case-sensitive → targets.
    acronyms: FxHashMap<String, Vec<Target>>,
    /// Normalised alias slug → tag slug.
    aliases: HashMap<String, String>,
    /// Tag slug → display name, for tags that are topics.
    names: HashMap<String, String>,
    /// The learned stage, when on: the model and, by model topic, the topic it gives (none
    /// for a built-in topic the site redefined, which its own phrases alone decide).
    learned: Option<(&'static Learned, Vec<Option<u16>>)>,
    pub(super) config: TaggingConfig,
}

/// A taxonomy's view of a [`Lexicon`]: phrase matching is array lookups by word number.
/// It grows with the lexicon ([`Matcher::extend`]), so that the watch loop looks at each
/// new word once. Valid for one taxonomy and one lexicon.
#[derive(Debug, Default)]
pub struct Matcher {
    /// By stem number in the lexicon, the stem id phrases know it by, or [`NO_STEM`].
    by_stem: Vec<u32>,
    /// By word number, the ids phrases know it by, or [`NO_STEM`]: its stem's (which phrase
    /// words in their plain form match) and its own derived form's (see [`derived_key`]).
    stems: Vec<[u32; 2]>,
    /// Words that are acronyms of some topic (or their plurals), with the acronym meant.
    acronyms: FxHashMap<WordId, Box<str>>,
    /// By word number, whether [`Matcher::acronyms`] has it: a lookup every word spares.
    is_acronym: Vec<bool>,
    /// By word number, how it reads next to an acronym in a hyphenated compound.
    names: Vec<NameLike>,
    /// By word number, its first letter in upper case, or 0 when it starts with no ASCII
    /// letter: the initials that spell a name a title coins (see [`Matcher::coined`]).
    initials: Vec<u8>,
    /// By word number, its stem's feature in the learned model, or [`NO_STEM`].
    features: Vec<u32>,
}

impl Matcher {
    /// Looks at the words and stems `lexicon` gained since the last call.
    pub fn extend(&mut self, tax: &Taxonomy, lexicon: &Lexicon) {
        self.by_stem.extend((self.by_stem.len()..lexicon.stem_count()).map(|s| {
            tax.stem_ids
                .get(lexicon.stem_text(s as u32))
                .copied()
                .unwrap_or(NO_STEM)
        }));
        let from = self.stems.len() as WordId;
        let by_stem = &self.by_stem;
        lexicon.grow(&mut self.stems, |id| {
            let stem = lexicon.stem(id);
            let lower = lexicon.text(lexicon.lower(id));
            [by_stem[stem as usize], tax.form_id(lower, lexicon.stem_text(stem))]
        });
        lexicon.grow(&mut self.names, |id| NameLike::of(lexicon.text(id)));
        lexicon.grow(&mut self.initials, |id| {
            let first = lexicon.text(id).bytes().next().filter(u8::is_ascii_alphabetic);
            first.map_or(0, |b| b.to_ascii_uppercase())
        });
        if let Some((model, _)) = tax.learned {
            lexicon.grow(&mut self.features, |id| {
                model.feature(lexicon.stem_text(lexicon.stem(id))).unwrap_or(NO_STEM)
            });
        }
        self.is_acronym.resize(lexicon.len(), false);
        let mut stemmer = None;
        for id in from..lexicon.len() as WordId {
            let word = lexicon.text(id);
            if lexicon.lower(id) == id || !word.bytes().any(|b| b.is_ascii_uppercase()) {
                continue;
            }
            if let Some(meant) = tax.acronym_meant(word) {
                self.acronyms.insert(id, meant.into());
                self.is_acronym[id as usize] = true;
                continue;
            }
            // A name compounded with what it is ("SocialMemBench", "TheraAgent") reads as
            // its last part that is a phrase word, when the whole word is nothing known. Not
            // as an acronym it ends with: "MedSAM", "GraphReAct" and "DIMoE" are new methods
            // built on one, as "CLIP-EBC" is (see `Matcher::in_name`).
            if self.stems[id as usize] != [NO_STEM; 2] {
                continue;
            }
            for tail in camel_tails(word) {
                let stemmer = stemmer.get_or_insert_with(|| Stemmer::create(Algorithm::English));
                let ids = tax.word_ids(&tail.to_lowercase(), stemmer);
                if ids != [NO_STEM; 2] {
                    self.stems[id as usize] = ids;
                    break;
                }
            }
        }
    }
}

/// The parts a camel-case compound ends with, longest first: "SocialMemBench" → "MemBench",
/// "Bench"; "VLMBench" → "Bench"; "Video2GUI" → "GUI". A part starts at a capital that
/// follows a small letter or a digit, or at a capital that starts a word after capitals.
fn camel_tails(word: &str) -> impl Iterator<Item = &str> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    (1..chars.len()).filter_map(move |i| {
        let (at, c) = chars[i];
        let before = chars[i - 1].1;
        let after = chars.get(i + 1).map(|&(_, c)| c);
        let starts = c.is_uppercase()
            && (before.is_lowercase()
                || before.is_ascii_digit()
                || (before.is_uppercase() && after.is_some_and(char::is_lowercase)));
        (starts && chars.len() - i >= 2).then(|| &word[at..])
    })
}

impl Matcher {
    /// Whether the acronym at word `i` of a field (`ids`, starting at `offset` in the paper's
    /// tokens) is part of a hyphenated name rather than the acronym itself: followed by
    /// another acronym or a code ("CLIP-EBC", "CNN-LSTM" are other methods), or qualified by
    /// a code before it ("1D-CNN" is a signal model). "LLM-based", "GPT-4", "ViT-B" and
    /// "FlowErase-RL" keep their acronym.
    fn in_name(&self, tokens: &Tokens, ids: &[WordId], offset: usize, i: usize) -> bool {
        let joined_before = i > 0 && tokens.joined_to_next(offset + i - 1);
        let joined_after = i + 1 < ids.len() && tokens.joined_to_next(offset + i);
        (joined_before && self.names[ids[i - 1] as usize] == NameLike::Code)
            || (joined_after && self.names[ids[i + 1] as usize] != NameLike::Word)
    }
}

impl Matcher {
    /// The acronym that a title coins as the paper's own name: it opens the title, and the
    /// initials of a run of the title's later words spell it ("SLAM: Structural Linguistic
    /// Activation Marking for Language Models", "SAM: State-Adaptive Memory for
    /// Long-Horizon Reasoning Agent", real titles of May 2026). That name is the paper's
    /// method, not the field's acronym (SLAM and SAM are vision's), so none of its mentions
    /// count.
    fn coined(&self, title: &[WordId]) -> Option<&str> {
        let (&first, rest) = title.split_first()?;
        let acronym = self.acronyms.get(&first)?;
        let letters: Vec<u8> = acronym
            .bytes()
            .filter(u8::is_ascii_alphabetic)
            .map(|b| b.to_ascii_uppercase())
            .collect();
        if letters.len() < 2 {
            return None;
        }
        let spelled = rest.windows(letters.len()).any(|run| {
            run.iter()
                .map(|&id| self.initials[id as usize])
                .eq(letters.iter().copied())
        });
        spelled.then_some(&**acronym)
    }
}

/// How a word reads beside an acronym it is hyphenated to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameLike {
    /// A word, a number or a single letter ("based", "4", "B").
    Word,
    /// Two capitals or more: another acronym ("EBC", "LSTM").
    Acronym,
    /// Letters and digits mixed: a code or a dimension ("1D", "4o").
    Code,
}

impl NameLike {
    fn of(word: &str) -> NameLike {
        if word.chars().count() < 2 {
            return NameLike::Word;
        }
        let digits = word.bytes().any(|b| b.is_ascii_digit());
        if digits && word.chars().any(char::is_alphabetic) {
            NameLike::Code
        } else if word.bytes().filter(u8::is_ascii_uppercase).count() >= 2 {
            NameLike::Acronym
        } else {
            NameLike::Word
        }
    }
}

/// A paper's words in a lexicon of its own, for the functions that take text.
fn one_paper(title: &str, abstract_text: &str) -> (Lexicon, Tokens) {
    let mut lexicon = Lexicon::default();
    let tokens = lexicon.tokenize(&[Some((title, abstract_text))]).pop().flatten();
    (lexicon, tokens.expect("one paper in, one out"))
}

/// One signal's contribution to a topic's score, for `paperboy tags --explain`.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The phrase or acronym as written in the taxonomy.
    pub signal: String,
    /// Mentions in the title.
    pub title: usize,
    /// Mentions in the abstract.
    pub abstract_mentions: usize,
    /// Points it contributes.
    pub points: f64,
    /// It only supports the topic: it counts only beside another of its signals.
    pub support: bool,
}

/// A topic's evidence in one paper.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Tag slug of the topic.
    pub slug: String,
    /// Sum of the hits' points.
    pub score: f64,
    /// Score needed.
    pub threshold: f64,
    /// Veto phrase that ruled the topic out, if any.
    pub vetoed_by: Option<String>,
    /// The topic (slug) that gives this one though its score is under the threshold.
    pub implied_by: Option<String>,
    /// The topic (slug) this one gave way to (see [`TopicConfig::yields_to`]), if any.
    pub yielded_to: Option<String>,
    /// The learned stage's probability for the topic when it overrules the phrases (see
    /// `learned.rs`, `DOUBTS`).
    pub doubted: Option<f32>,
    /// What matched.
    pub hits: Vec<Hit>,
    /// What the learned stage makes of the topic, when it nearly gives it or does.
    pub learned: Option<Learnt>,
}

/// The learned stage's view of one topic in one paper, for `--explain`.
#[derive(Debug, Clone, PartialEq)]
pub struct Learnt {
    /// The model's probability for the topic.
    pub probability: f32,
    /// The probability that gives the topic to this paper (see `learned.rs`).
    pub needed: f32,
    /// The words that weigh most for the topic, with what each adds to the logit.
    pub words: Vec<(String, f32)>,
}

impl Learnt {
    /// Whether the learned stage gives the topic.
    pub fn gives(&self) -> bool {
        self.probability >= self.needed
    }
}

/// What the learned stage reads of one topic in one paper, before `--explain` names words.
struct Reading {
    /// The topic, by taxonomy index.
    topic: usize,
    /// The topic's number in the model.
    model: u16,
    probability: f32,
    /// The probability that gives the topic to this paper.
    needed: f32,
}

impl Reading {
    fn gives(&self) -> bool {
        self.probability >= self.needed
    }
}

impl Evidence {
    /// Whether the topic is given.
    pub fn passes(&self) -> bool {
        self.vetoed_by.is_none()
            && self.yielded_to.is_none()
            && self.doubted.is_none()
            && (self.score >= self.threshold
                || self.implied_by.is_some()
                || self.learned.as_ref().is_some_and(Learnt::gives))
    }
}

/// How strongly a paper's phrases point to one topic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strength {
    /// The topic, by its number in the taxonomy.
    pub topic: u16,
    /// Score over the topic's threshold: 1 or more gives the tag.
    pub ratio: f32,
    /// A veto phrase rules the topic out, or a topic it gives way to (see
    /// [`TopicConfig::yields_to`]), or the learned stage overrules its phrases (see
    /// [`Evidence::doubted`]); the paper's neighbours cannot give it either.
    pub vetoed: bool,
    /// The learned stage gives the topic (see `learned.rs`).
    pub learned: bool,
}

impl Strength {
    /// Whether the paper's own text gives the tag: its phrases, or its words through the
    /// learned stage.
    pub fn passes(&self) -> bool {
        !self.vetoed && (self.ratio >= 1.0 || self.learned)
    }
}

/// Stem ids: every stem that occurs in some phrase has an id; any other word is [`NO_STEM`].
const NO_STEM: u32 = u32::MAX;

/// The stems of a phrase's words, as the taxonomy's phrases are matched.
fn stems_of(phrase: &str, stemmer: &Stemmer) -> Vec<String> {
    words(phrase)
        .map(|w| {
            let lower = w.to_lowercase();
            let stem = stemmer.stem(&lower);
            derived_key(&lower, &stem).unwrap_or_else(|| stem.into_owned())
        })
        .collect()
}

/// How a phrase word is matched: written plain ("agent", "model", "segmented"), by its stem,
/// so that every form of the word matches ("agents", "agentic"); written in a derived form
/// ("helpfulness", "explainability", "generative"), by that form less a plural, so that the
/// stem's other words do not: the stemmer strips derivations that change what a word means
/// to a reader ("help", "explaining", "generation"). This is the key of a derived word, or
/// `None` for a plain one (matched by `stem`); it starts with `=` so that it can never equal
/// a stem. Text words get the same key, beside their stem.
fn derived_key(lower: &str, stem: &str) -> Option<String> {
    (!is_inflection_of(lower, stem)).then(|| format!("={}", derived_form(lower)))
}

/// Whether `lower` is `stem` plus an inflection: nothing, `s`, `es`, `e`, `ed`, `ing`, a
/// doubled last consonant before `ed`/`ing` ("embedding"), or `y` where the stemmer wrote
/// `i` ("study", "studying").
fn is_inflection_of(lower: &str, stem: &str) -> bool {
    const ENDINGS: [&str; 8] = ["", "s", "es", "e", "ed", "ing", "ings", "'s"];
    if let Some(rest) = lower.strip_prefix(stem) {
        if ENDINGS.contains(&rest) {
            return true;
        }
        let last = stem.chars().last();
        return rest.chars().next() == last && ["ed", "ing", "ings"].contains(&&rest[last.map_or(0, char::len_utf8)..]);
    }
    stem.strip_suffix('i').is_some_and(|base| {
        lower
            .strip_prefix(base)
            .is_some_and(|rest| ["y", "ying", "ys"].contains(&rest))
    })
}

/// A derived word as its forms share it: less a plural ("explanations" → "explanation"), an
/// adverb's `ly` ("clinically" → "clinical"), and with `y` spelt `i` ("modality" and
/// "modalities" → "modaliti").
fn derived_form(lower: &str) -> String {
    if let Some(base) = lower.strip_suffix("ies").filter(|b| b.len() > 1) {
        return format!("{base}i");
    }
    if let Some(base) = lower.strip_suffix("ly").filter(|b| b.len() > 4) {
        return base.to_string();
    }
    if let Some(base) = lower.strip_suffix('y') {
        return format!("{base}i");
    }
    let plural = lower.len() > 3 && lower.ends_with('s') && !["ss", "us", "is"].iter().any(|e| lower.ends_with(e));
    if plural {
        return lower[..lower.len() - 1].to_string();
    }
    lower.to_string()
}

impl Taxonomy {
    /// Compiles the taxonomy a config asks for: the built-in topics (unless switched off)
    /// extended or overridden by the site's own.
    pub fn new(config: &TaggingConfig) -> Result<Self> {
        let mut topics: Vec<TopicConfig> = Vec::new();
        if config.builtin_topics {
            let file: TaxonomyFile = toml::from_str(BUILTIN_TAXONOMY).context("the built-in taxonomy is invalid")?;
            topics = file.topic;
        }
        for own in &config.topic {
            let own_slug = topic_slug(own);
            match topics.iter_mut().find(|t| topic_slug(t) == own_slug) {
                Some(slot) => *slot = own.clone(),
                None => topics.push(own.clone()),
            }
        }
        let stemmer = Stemmer::create(Algorithm::English);
        let mut tax = Taxonomy {
            topics: Vec::new(),
            stem_ids: HashMap::new(),
            phrases: Vec::new(),
            acronyms: FxHashMap::default(),
            aliases: HashMap::new(),
            names: HashMap::new(),
            learned: None,
            config: config.clone(),
        };
        // Each phrase's place in the taxonomy, which orders phrases of one length.
        let mut place = 0u32;
        for (topic_id, t) in topics.iter().enumerate() {
            let slug = topic_slug(t);
            if slug.is_empty() {
                anyhow::bail!(
                    "[tagging] topic `{}` has no usable slug — give it a name with letters or a `slug`",
                    t.name
                );
            }
            if t.phrases.is_empty() && t.acronyms.is_empty() {
                anyhow::bail!(
                    "[tagging] topic `{}` has no phrases or acronyms — add some, or remove the topic",
                    t.name
                );
            }
            let mut signals = Vec::new();
            let mut seen: Vec<(Vec<u32>, bool, usize)> = Vec::new();
            // Every phrase and acronym as written → its signal, for `support`.
            let mut named: Vec<(&String, usize)> = Vec::new();
            for (list, veto) in [(&t.phrases, false), (&t.veto, true)] {
                for phrase in list {
                    let stems: Vec<u32> = stems_of(phrase, &stemmer)
                        .into_iter()
                        .map(|st| {
                            let next = tax.stem_ids.len() as u32;
                            *tax.stem_ids.entry(st).or_insert(next)
                        })
                        .collect();
                    let Some((first, rest)) = stems.split_first() else {
                        anyhow::bail!(
                            "[tagging] topic `{}`: phrase `{phrase}` has no words — remove it",
                            t.name
                        );
                    };
                    // "robot", "robots" and "robotics" stem alike: one signal, counted once.
                    let known = seen.iter().find(|s| s.0 == stems && s.1 == veto).map(|s| s.2);
                    if !veto {
                        named.push((phrase, known.unwrap_or(signals.len())));
                    }
                    if known.is_some() {
                        continue;
                    }
                    seen.push((stems.clone(), veto, signals.len()));
                    let target = Target {
                        topic: topic_id,
                        signal: signals.len(),
                        veto,
                    };
                    signals.push(phrase.clone());
                    place += 1;
                    let first = *first as usize;
                    if tax.phrases.len() <= first {
                        tax.phrases.resize_with(first + 1, Starting::default);
                    }
                    let starting = &mut tax.phrases[first];
                    match rest.split_first() {
                        None => starting.alone.push((place, target)),
                        Some((second, after)) => {
                            starting
                                .by_second
                                .entry(*second)
                                .or_default()
                                .push((place, after.to_vec(), target))
                        }
                    }
                }
            }
            for acronym in &t.acronyms {
                let target = Target {
                    topic: topic_id,
                    signal: signals.len(),
                    veto: false,
                };
                named.push((acronym, signals.len()));
                signals.push(acronym.clone());
                tax.acronyms.entry(acronym.clone()).or_default().push(target);
            }
            for alias in t.aliases.iter().chain([&t.name]) {
                tax.aliases.insert(slugify(alias), slug.clone());
            }
            let flags = |key: &str, list: &[String]| -> Result<Vec<bool>> {
                let mut flags = vec![false; signals.len()];
                for s in list {
                    let Some(&(_, i)) = named.iter().find(|n| n.0 == s) else {
                        anyhow::bail!(
                            "[tagging] topic `{}`: {key} `{s}` is not one of its phrases or acronyms — add it to them, or remove it",
                            t.name
                        );
                    };
                    flags[i] = true;
                }
                Ok(flags)
            };
            let support = flags("support", &t.support)?;
            let title_only = flags("title_only", &t.title_only)?;
            tax.names.insert(slug.clone(), t.name.clone());
            tax.topics.push(Topic {
                slug,
                threshold: t.threshold.unwrap_or(config.threshold),
                abstract_weight: t.abstract_weight.unwrap_or(1.0),
                signals,
                support,
                title_only,
                implies: Vec::new(),
                yields_to: Vec::new(),
            });
        }
        for (topic_id, t) in topics.iter().enumerate() {
            let resolve = |key: &str, slugs: &[String]| -> Result<Vec<usize>> {
                slugs
                    .iter()
                    .map(|slug| {
                        tax.topics.iter().position(|x| &x.slug == slug).with_context(|| {
                            format!(
                                "[tagging] topic `{}`: {key} `{slug}`, which is no topic's slug — write the slug of a topic, or remove it",
                                t.name
                            )
                        })
                    })
                    .collect()
            };
            let implies = resolve("implies", &t.implies)?;
            let yields_to = resolve("yields_to", &t.yields_to)?;
            tax.topics[topic_id].implies = implies;
            tax.topics[topic_id].yields_to = yields_to;
        }
        refuse_mutual_yields(&tax.topics, &topics)?;
        for (alias, target) in &config.aliases {
            tax.aliases.insert(slugify(alias), slugify(target));
        }
        if config.builtin_topics && config.learned {
            let own: Vec<String> = config.topic.iter().map(topic_slug).collect();
            let model = Learned::builtin();
            let topic_of = model
                .slugs()
                .map(|slug| {
                    let redefined = own.iter().any(|o| o == slug);
                    let topic = tax.topics.iter().position(|t| t.slug == slug);
                    topic.filter(|_| !redefined).map(|t| t as u16)
                })
                .collect();
            tax.learned = Some((model, topic_of));
        }
        Ok(tax)
    }

    /// The topics the learned stage overrules in a paper (see `DOUBTS` in `learned.rs`):
    /// those its phrases name at all (`scores`) but score under `DOUBT_RATIO` times their
    /// threshold (`ratio`, an implied topic's being 1), and which the model, having read the
    /// paper (`readings`), finds unlikely. When the text gives a paper topics (those not
    /// `vetoed` that its phrases or its words give, before doubt) and the model doubts them
    /// all, the strongest stands: a paper keeps its surest tag. Topics no phrase names are left
    /// alone: the model gives those or not. So are the topics the model learned from the
    /// phrases' verdicts rather than from readers' labels (see [`Learned::from_labels`]).
    /// Both [`Taxonomy::evidence`] and [`Taxonomy::strengths`] decide through here, so that
    /// `--explain` and the build agree.
    fn doubted(
        &self,
        readings: &[Reading],
        scores: &[(usize, f64)],
        ratio: impl Fn(usize) -> Option<f64>,
        vetoed: impl Fn(usize) -> bool,
    ) -> Vec<usize> {
        let mut doubted: Vec<usize> = readings
            .iter()
            .filter(|r| r.probability < DOUBTS && ratio(r.topic).is_some_and(|q| q < DOUBT_RATIO))
            .filter(|r| {
                self.learned
                    .as_ref()
                    .is_some_and(|(model, _)| model.from_labels(usize::from(r.model)))
            })
            .map(|r| r.topic)
            .collect();
        if doubted.is_empty() {
            return doubted;
        }
        let given: Vec<usize> = scores
            .iter()
            .map(|s| s.0)
            .filter(|&t| ratio(t).is_some_and(|q| q >= 1.0))
            .chain(readings.iter().filter(|r| r.gives()).map(|r| r.topic))
            .filter(|&t| !vetoed(t))
            .collect();
        if !given.is_empty() && given.iter().all(|t| doubted.contains(t)) {
            let surest = given.iter().copied().max_by(|&a, &b| {
                let (ra, rb) = (ratio(a).unwrap_or(0.0), ratio(b).unwrap_or(0.0));
                ra.total_cmp(&rb)
                    .then_with(|| self.topics[b].slug.cmp(&self.topics[a].slug))
            });
            doubted.retain(|&t| Some(t) != surest);
        }
        doubted
    }

    /// Every topic the learned stage reads in a paper with `features` whose phrases gave
    /// `scores`. None when the stage is off or the paper too short to read.
    fn learned_probabilities(&self, features: &[Feature], scores: &[(usize, f64)]) -> Vec<Reading> {
        let Some((model, topic_of)) = self.learned.as_ref().filter(|_| features.len() >= MIN_FEATURES) else {
            return Vec::new();
        };
        let named = |t: usize| scores.iter().any(|s| s.0 == t && s.1 > 0.0);
        model
            .probabilities(features)
            .into_iter()
            .zip(topic_of)
            .enumerate()
            .filter_map(|(m, (probability, t))| {
                let topic = usize::from((*t)?);
                Some(Reading {
                    topic,
                    model: m as u16,
                    probability,
                    needed: if named(topic) { GIVES } else { GIVES_ALONE },
                })
            })
            .collect()
    }

    /// A paper's features in the learned model, read through `m`.
    fn features(&self, m: &Matcher, tokens: &Tokens) -> Vec<Feature> {
        thread_local! {
            /// By feature, its place in the paper's list plus one (0: not in it yet), reset
            /// after each paper: the words are counted in place instead of sorted.
            static PLACES: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let Some((model, _)) = self.learned else {
            return Vec::new();
        };
        let of = |w: &WordId| m.features[*w as usize];
        let title = tokens.title().iter().map(|w| (of(w), TITLE_COUNT));
        let rest = tokens.abstract_words().iter().map(|w| (of(w), 1));
        PLACES.with_borrow_mut(|places| {
            places.resize(model.features(), 0);
            let mut all: Vec<Feature> = Vec::new();
            for (feature, count) in title.chain(rest).filter(|f| f.0 != NO_STEM) {
                match places[feature as usize] {
                    0 => {
                        all.push((feature, count));
                        places[feature as usize] = all.len() as u32;
                    }
                    at => all[at as usize - 1].1 += count,
                }
            }
            for &(feature, _) in &all {
                places[feature as usize] = 0;
            }
            all
        })
    }

    /// The acronym a word written with capitals means: itself, or, with a plural `s`, the
    /// acronym before it. The plural only of acronyms with two capitals: "LLMs", but "Adams"
    /// is a name, not two Adam optimisers.
    fn acronym_meant<'w>(&self, word: &'w str) -> Option<&'w str> {
        let meant = word
            .strip_suffix('s')
            .filter(|a| self.acronyms.contains_key(*a) && a.bytes().filter(u8::is_ascii_uppercase).count() >= 2)
            .unwrap_or(word);
        self.acronyms.contains_key(meant).then_some(meant)
    }

    /// The ids phrases know a lower-case word by (as [`Matcher`] keeps them), for a word
    /// the lexicon has not stemmed.
    fn word_ids(&self, lower: &str, stemmer: &Stemmer) -> [u32; 2] {
        let stem = stemmer.stem(lower);
        [
            self.stem_ids.get(&*stem).copied().unwrap_or(NO_STEM),
            self.form_id(lower, &stem),
        ]
    }

    /// The id phrases know a word's derived form by (see [`derived_key`]), or [`NO_STEM`].
    fn form_id(&self, lower: &str, stem: &str) -> u32 {
        derived_key(lower, stem)
            .and_then(|key| self.stem_ids.get(&key).copied())
            .unwrap_or(NO_STEM)
    }

    /// The slug a tag name files under, after aliases: "LLMs" → `large-language-models`.
    /// A name with nothing to transliterate ("ع", an emoji) gets `tag-<hash>` rather than
    /// being dropped.
    pub fn normalize(&self, name: &str) -> String {
        let s = slug_or_hash(name, "tag");
        self.aliases.get(&s).cloned().unwrap_or(s)
    }

    /// Mentions per `(topic, signal)` as `(title, abstract)`, and the vetoes that matched.
    fn count(&self, m: &Matcher, tokens: &Tokens) -> (Vec<Mentions>, Vec<(usize, usize)>) {
        // A paper has few, so a Vec.
        let mut counts: Vec<Mentions> = Vec::new();
        let mut vetoes: Vec<(usize, usize)> = Vec::new();
        let mut covered = vec![0usize; self.topics.len()];
        let mut stems: Vec<[u32; 2]> = Vec::new();
        // (length, which of the word's ids, place in the taxonomy, target)
        let mut found: Vec<(usize, usize, u32, &Target)> = Vec::new();
        let coined = m.coined(tokens.title());
        for (field, ids, offset) in [
            (Field::Title, tokens.title(), 0),
            (Field::Abstract, tokens.abstract_words(), tokens.title().len()),
        ] {
            stems.clear();
            stems.extend(ids.iter().map(|&id| m.stems[id as usize]));
            // Per topic, the token index up to which a phrase of it already matched, so that
            // an acronym inside it does not count again...
            covered.iter_mut().for_each(|c| *c = 0);
            // ...and, across topics, up to which the longest phrase matched so far claims its
            // words: inside "vision-language model", "language model" does not count.
            let mut claimed = 0;
            for (i, (&id, &stem)) in ids.iter().zip(&stems).enumerate() {
                let mut record = |target: &Target, len: usize| {
                    if target.veto {
                        if !vetoes.iter().any(|v| v.0 == target.topic) {
                            vetoes.push((target.topic, target.signal));
                        }
                        return;
                    }
                    if i < covered[target.topic] {
                        return;
                    }
                    covered[target.topic] = i + len;
                    let key = (target.topic, target.signal);
                    let slot = match counts.iter().position(|c| c.0 == key) {
                        Some(p) => &mut counts[p].1,
                        None => {
                            counts.push((key, (0, 0)));
                            &mut counts.last_mut().expect("just pushed").1
                        }
                    };
                    match field {
                        Field::Title => slot.0 += 1,
                        Field::Abstract => slot.1 += 1,
                    }
                };
                let free = i >= claimed;
                // Phrases that match here, from either of the word's ids, longest first.
                found.clear();
                for (k, first) in stem.iter().enumerate().filter(|&(_, &s)| s != NO_STEM) {
                    let Some(starting) = self.phrases.get(*first as usize) else {
                        continue;
                    };
                    found.extend(starting.alone.iter().map(|(place, target)| (1, k, *place, target)));
                    let Some(next) = stems.get(i + 1) else {
                        continue;
                    };
                    let seconds = next
                        .iter()
                        .enumerate()
                        .filter(|&(j, &s)| s != NO_STEM && (j == 0 || s != next[0]));
                    for (_, second) in seconds {
                        for (place, after, target) in starting.by_second.get(second).into_iter().flatten() {
                            let matches = after.len() < stems.len() - i - 1
                                && after.iter().zip(&stems[i + 2..]).all(|(want, got)| got.contains(want));
                            if matches {
                                found.push((after.len() + 2, k, *place, target));
                            }
                        }
                    }
                }
                // Longest first; then as the taxonomy lists them, as one list per first word did.
                found.sort_unstable_by_key(|f| (std::cmp::Reverse(f.0), f.1, f.2));
                // The first phrase that matches sets the length that counts; phrases of other
                // topics just as long count too ("point cloud" in two topics). Vetoes apply
                // wherever they match.
                let mut longest = 0;
                for &(len, _, _, target) in &found {
                    if !target.veto && (!free || (longest > 0 && len < longest)) {
                        continue;
                    }
                    if !target.veto {
                        longest = len;
                    }
                    record(target, len);
                }
                if longest > 0 {
                    claimed = i + longest;
                }
                let acronym = (free && m.is_acronym[id as usize])
                    .then(|| m.acronyms.get(&id))
                    .flatten();
                if let Some(acronym) = acronym {
                    if coined != Some(&**acronym) && !m.in_name(tokens, ids, offset, i) {
                        for target in &self.acronyms[&**acronym] {
                            record(target, 1);
                        }
                    }
                }
            }
        }
        (counts, vetoes)
    }

    /// Points for `t` title and `a` abstract mentions of one signal of `topic`.
    fn points(&self, topic: usize, signal: usize, t: usize, a: usize) -> f64 {
        let topic = &self.topics[topic];
        let a = if topic.title_only[signal] { 0 } else { a };
        t as f64 * self.config.title_weight + a.min(self.config.max_abstract_mentions) as f64 * topic.abstract_weight
    }

    /// Whether signal `signal` of `topic` only supports (see [`TopicConfig::support`]).
    fn supports(&self, topic: usize, signal: usize) -> bool {
        self.topics[topic].support[signal]
    }

    /// Per topic with a hit in `counts`, its score: every hit's points, except that
    /// supporting signals count only when some other signal of the topic matched.
    fn scores(&self, counts: &[Mentions]) -> Vec<(usize, f64)> {
        // (topic, own points, supporting points)
        let mut sums: Vec<(usize, f64, f64)> = Vec::new();
        for &((topic, signal), (t, a)) in counts {
            let points = self.points(topic, signal, t, a);
            let slot = match sums.iter().position(|s| s.0 == topic) {
                Some(p) => &mut sums[p],
                None => {
                    sums.push((topic, 0.0, 0.0));
                    sums.last_mut().expect("just pushed")
                }
            };
            if self.supports(topic, signal) {
                slot.2 += points;
            } else {
                slot.1 += points;
            }
        }
        sums.into_iter()
            .map(|(topic, own, support)| (topic, if own > 0.0 { own + support } else { 0.0 }))
            .collect()
    }

    /// Topics given by implication, with the topic that implies each: a topic that passes
    /// (`scores`, not `vetoed`) gives each topic it implies whose own score is above zero.
    fn implications(&self, scores: &[(usize, f64)], vetoed: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
        let score = |t: usize| scores.iter().find(|s| s.0 == t).map_or(0.0, |s| s.1);
        let mut out: Vec<(usize, usize)> = Vec::new();
        for &(t, s) in scores {
            if s < self.topics[t].threshold || vetoed(t) {
                continue;
            }
            for &j in &self.topics[t].implies {
                let sj = score(j);
                if sj > 0.0 && sj < self.topics[j].threshold && !vetoed(j) && !out.iter().any(|o| o.0 == j) {
                    out.push((j, t));
                }
            }
        }
        out
    }

    /// Topics that give way to another, each with the first topic it gives way to (see
    /// [`TopicConfig::yields_to`]): every topic that yields to a topic the paper's own text
    /// gives (`given`, asked before any topic gives way, so the order of topics does not
    /// matter). Such a topic is ruled out as a veto rules it out, so its neighbours cannot
    /// give it either.
    fn yielded(&self, given: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
        self.topics
            .iter()
            .enumerate()
            .filter_map(|(t, topic)| topic.yields_to.iter().find(|&&y| given(y)).map(|&y| (t, y)))
            .collect()
    }

    /// Every topic's evidence in a paper, strongest first (topics with no hit are left out).
    pub fn evidence(&self, title: &str, abstract_text: &str) -> Vec<Evidence> {
        let (lexicon, tokens) = one_paper(title, abstract_text);
        let matcher = self.matcher(&lexicon);
        let (counts, vetoes) = self.count(&matcher, &tokens);
        let scores = self.scores(&counts);
        let implied = self.implications(&scores, |t| vetoes.iter().any(|v| v.0 == t));
        let features = self.features(&matcher, &tokens);
        let readings = self.learned_probabilities(&features, &scores);
        // Ratios as [`Taxonomy::strengths`] has them: an implied topic scores its threshold.
        let ratio = |t: usize| {
            let implied = implied.iter().any(|i| i.0 == t);
            scores
                .iter()
                .find(|s| s.0 == t)
                .map(|s| if implied { 1.0 } else { s.1 / self.topics[t].threshold })
        };
        let vetoed = |t: usize| vetoes.iter().any(|v| v.0 == t);
        let doubted = self.doubted(&readings, &scores, ratio, vetoed);
        // The topics the stage gives, those it nearly gives and those it overrules: what a
        // publisher tuning the taxonomy wants to see beside the phrases.
        let learned: Vec<&Reading> = readings
            .iter()
            .filter(|l| l.probability >= NEAR || doubted.contains(&l.topic))
            .collect();
        let yielded = self.yielded(|t| {
            !vetoed(t)
                && !doubted.contains(&t)
                && (scores.iter().any(|s| s.0 == t && s.1 >= self.topics[t].threshold)
                    || implied.iter().any(|i| i.0 == t)
                    || learned.iter().any(|l| l.topic == t && l.gives()))
        });
        let mut by_topic: BTreeMap<usize, Vec<Hit>> = BTreeMap::new();
        for l in &learned {
            by_topic.entry(l.topic).or_default();
        }
        for ((topic, signal), (t, a)) in counts {
            let unsupported = self.supports(topic, signal) && scores.iter().any(|s| s.0 == topic && s.1 == 0.0);
            by_topic.entry(topic).or_default().push(Hit {
                signal: self.topics[topic].signals[signal].clone(),
                title: t,
                abstract_mentions: a,
                points: if unsupported {
                    0.0
                } else {
                    self.points(topic, signal, t, a)
                },
                support: self.supports(topic, signal),
            });
        }
        let mut out: Vec<Evidence> = by_topic
            .into_iter()
            .map(|(topic, mut hits)| {
                hits.sort_by(|a, b| b.points.total_cmp(&a.points).then_with(|| a.signal.cmp(&b.signal)));
                let t = &self.topics[topic];
                Evidence {
                    slug: t.slug.clone(),
                    // `+ 0.0`: the sum of no hits is -0.0, which reads "-0.0".
                    score: hits.iter().map(|h| h.points).sum::<f64>() + 0.0,
                    threshold: t.threshold,
                    vetoed_by: vetoes.iter().find(|v| v.0 == topic).map(|&(_, s)| t.signals[s].clone()),
                    implied_by: implied
                        .iter()
                        .find(|i| i.0 == topic)
                        .map(|&(_, by)| self.topics[by].slug.clone()),
                    yielded_to: yielded
                        .iter()
                        .find(|y| y.0 == topic)
                        .map(|&(_, to)| self.topics[to].slug.clone()),
                    doubted: doubted
                        .contains(&topic)
                        .then(|| readings.iter().find(|r| r.topic == topic).map(|r| r.probability))
                        .flatten(),
                    learned: learned.iter().find(|l| l.topic == topic).map(|l| Learnt {
                        probability: l.probability,
                        needed: l.needed,
                        words: self.learned_reasons(&features, l.model, &lexicon, &tokens),
                    }),
                    hits,
                }
            })
            .collect();
        // Ranked as [`Taxonomy::strengths`] ranks: an implied topic scores its threshold.
        let rank = |e: &Evidence| match e.implied_by {
            Some(_) => e.threshold,
            None => e.score,
        };
        out.sort_by(|a, b| rank(b).total_cmp(&rank(a)).then_with(|| a.slug.cmp(&b.slug)));
        out
    }

    /// The automatic tags of a paper: topics that pass, strongest first, at most `max_tags`.
    /// Same verdicts as [`Taxonomy::evidence`], without building the explanation.
    pub fn auto_tags(&self, title: &str, abstract_text: &str) -> Vec<String> {
        let (lexicon, tokens) = one_paper(title, abstract_text);
        self.tags_of(&self.matcher(&lexicon), &tokens)
    }

    /// [`Taxonomy::auto_tags`] of a paper already in words.
    pub fn tags_of(&self, m: &Matcher, tokens: &Tokens) -> Vec<String> {
        self.strengths(m, tokens)
            .iter()
            .filter(|s| s.passes())
            .take(self.config.max_tags)
            .map(|s| self.topics[s.topic as usize].slug.clone())
            .collect()
    }

    /// Every topic a paper's phrases point to, with its score against its threshold,
    /// strongest first (ties by slug); vetoed topics are listed as such, and topics the
    /// learned stage gives are marked (with the score their phrases give). This runs for every
    /// paper of every build; the tags follow from it ([`Strength::passes`]) and from the
    /// paper's neighbours (see `super::assign`).
    pub fn strengths(&self, m: &Matcher, tokens: &Tokens) -> Vec<Strength> {
        let (counts, vetoes) = self.count(m, tokens);
        let mut scores = self.scores(&counts);
        for (j, _) in self.implications(&scores, |t| vetoes.iter().any(|v| v.0 == t)) {
            let slot = scores
                .iter_mut()
                .find(|s| s.0 == j)
                .expect("an implied topic has a score");
            slot.1 = self.topics[j].threshold;
        }
        let readings = self.learned_probabilities(&self.features(m, tokens), &scores);
        let learned: Vec<usize> = readings.iter().filter(|r| r.gives()).map(|r| r.topic).collect();
        let ratio = |t: usize| scores.iter().find(|s| s.0 == t).map(|s| s.1 / self.topics[t].threshold);
        let doubted = self.doubted(&readings, &scores, ratio, |t| vetoes.iter().any(|v| v.0 == t));
        let vetoed = |t: usize| vetoes.iter().any(|v| v.0 == t) || doubted.contains(&t);
        // Given as [`Strength::passes`] decides it, in the same `f32` ratio: the topics
        // others give way to are tags.
        let yielded = self.yielded(|t| {
            !vetoed(t)
                && (learned.contains(&t)
                    || scores
                        .iter()
                        .any(|s| s.0 == t && (s.1 / self.topics[t].threshold) as f32 >= 1.0))
        });
        for &topic in vetoes
            .iter()
            .map(|v| &v.0)
            .chain(&learned)
            .chain(yielded.iter().map(|y| &y.0))
        {
            if !scores.iter().any(|s| s.0 == topic) {
                scores.push((topic, 0.0));
            }
        }
        scores.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.topics[a.0].slug.cmp(&self.topics[b.0].slug))
        });
        scores
            .into_iter()
            .map(|(topic, score)| Strength {
                topic: topic as u16,
                ratio: (score / self.topics[topic].threshold) as f32,
                vetoed: vetoed(topic) || yielded.iter().any(|y| y.0 == topic),
                learned: learned.contains(&topic),
            })
            .collect()
    }

    /// The words of a paper (`lexicon`, `tokens`) that weigh most for model topic `m`.
    fn learned_reasons(&self, features: &[Feature], m: u16, lexicon: &Lexicon, tokens: &Tokens) -> Vec<(String, f32)> {
        let Some((model, _)) = self.learned else {
            return Vec::new();
        };
        // A feature reads as the first word of the paper with its stem.
        let name = |f: u32| {
            tokens
                .all()
                .iter()
                .map(|&w| lexicon.lower(w))
                .find(|&w| model.feature(lexicon.stem_text(lexicon.stem(w))) == Some(f))
                .map_or_else(String::new, |w| lexicon.text(w).to_string())
        };
        model.reasons(features, m, name)
    }

    /// The slug of topic number `topic` (as [`Strength::topic`] numbers them).
    pub fn slug_of(&self, topic: u16) -> &str {
        &self.topics[topic as usize].slug
    }

    /// The taxonomy's view of `lexicon`'s words, for [`Taxonomy::tags_of`].
    pub fn matcher(&self, lexicon: &Lexicon) -> Matcher {
        let mut m = Matcher::default();
        m.extend(self, lexicon);
        m
    }

    /// Display name of a tag that is a topic.
    pub fn topic_name(&self, slug: &str) -> Option<&str> {
        self.names.get(slug).map(String::as_str)
    }

    /// Number of topics.
    pub fn len(&self) -> usize {
        self.topics.len()
    }

    /// Whether there are no topics.
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }
}

/// Refuses a topic that yields to itself, or two topics that yield to each other: a paper
/// that gives both would get neither, which no one means.
fn refuse_mutual_yields(topics: &[Topic], configs: &[TopicConfig]) -> Result<()> {
    for (a, topic) in topics.iter().enumerate() {
        for &b in &topic.yields_to {
            if b == a {
                anyhow::bail!(
                    "[tagging] topic `{}`: yields_to names the topic itself — remove `{}` from its yields_to",
                    configs[a].name,
                    topic.slug
                );
            }
            if topics[b].yields_to.contains(&a) {
                anyhow::bail!(
                    "[tagging] topics `{}` and `{}` yield to each other, so a paper that gives both gets neither — keep one of the two yields_to entries",
                    configs[a].name,
                    configs[b].name
                );
            }
        }
    }
    Ok(())
}

fn topic_slug(t: &TopicConfig) -> String {
    slugify(t.slug.as_deref().unwrap_or(&t.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tax_with(topics: &str) -> Taxonomy {
        let config: TaggingConfig = toml::from_str(&format!("builtin_topics = false\n{topics}")).unwrap();
        Taxonomy::new(&config).unwrap()
    }

    const RL: &str = r#"
[[topic]]
name = "Reinforcement Learning"
phrases = ["reinforcement learning", "policy"]
acronyms = ["RL", "MDP"]
veto = ["eviction policy"]
"#;

    #[test]
    fn supporting_signals_count_only_beside_another() {
        let tax = tax_with(
            r#"
[[topic]]
name = "LLMs"
phrases = ["language model", "llama"]
acronyms = ["SFT"]
support = ["llama", "SFT"]
"#,
        );
        assert!(
            tax.auto_tags("Llama for Pathology", "We apply SFT to Llama.")
                .is_empty()
        );
        let e = &tax.evidence("Llama for Pathology", "We apply SFT to Llama.")[0];
        assert_eq!((e.score, e.passes()), (0.0, false));
        assert!(e.hits.iter().all(|h| h.support && h.points == 0.0), "{e:?}");
        // One abstract mention of the topic's own phrase (1 point) lets the title's "Llama"
        // (3) count.
        assert_eq!(tax.auto_tags("Llama for Pathology", "A language model."), ["llms"]);
    }

    #[test]
    fn a_topic_brings_along_what_it_implies_when_that_has_points_of_its_own() {
        let tax = tax_with(
            r#"
[[topic]]
name = "Generative"
phrases = ["diffusion model"]
implies = ["vision"]

[[topic]]
name = "Vision"
phrases = ["image"]
veto = ["image of a molecule"]
"#,
        );
        assert_eq!(
            tax.auto_tags("A Diffusion Model", "Tested on image data."),
            ["generative", "vision"]
        );
        let e = tax.evidence("A Diffusion Model", "Tested on image data.");
        assert_eq!(e[1].implied_by.as_deref(), Some("generative"));
        assert!(e[1].passes());
        // No point of its own, or a veto: not implied.
        assert_eq!(tax.auto_tags("A Diffusion Model", "Tested on text."), ["generative"]);
        assert_eq!(
            tax.auto_tags("A Diffusion Model", "The image of a molecule."),
            ["generative"]
        );
    }

    /// Language models that give way to vision.
    const YIELDING: &str = r#"
[[topic]]
name = "Language Models"
phrases = ["language model"]
yields_to = ["vision"]

[[topic]]
name = "Vision"
phrases = ["image"]
"#;

    #[test]
    fn a_topic_gives_way_to_a_topic_it_yields_to_in_every_stage() {
        let tax = tax_with(YIELDING);
        assert_eq!(tax.auto_tags("Pruning a Language Model", ""), ["language-models"]);
        assert_eq!(tax.auto_tags("Image Captions from a Language Model", ""), ["vision"]);
        let e = tax.evidence("Image Captions from a Language Model", "");
        let lm = e.iter().find(|e| e.slug == "language-models").unwrap();
        assert_eq!(lm.yielded_to.as_deref(), Some("vision"));
        assert!(!lm.passes());
        // Ruled out like a veto, so that neighbours cannot give it back; with no points of
        // its own too.
        let strengths_of = |title: &str| {
            let (lexicon, tokens) = one_paper(title, "");
            let m = tax.matcher(&lexicon);
            tax.strengths(&m, &tokens)
        };
        for title in ["Image Captions from a Language Model", "Image Captions"] {
            let lm = strengths_of(title)
                .into_iter()
                .find(|s| tax.slug_of(s.topic) == "language-models");
            assert!(lm.is_some_and(|s| s.vetoed), "{title}");
        }
    }

    #[test]
    fn a_paper_whose_every_tag_the_learned_stage_doubts_keeps_its_surest() {
        let tax = Taxonomy::new(&Default::default()).unwrap();
        let topic = |slug: &str| tax.topics.iter().position(|t| t.slug == slug).unwrap();
        let (a, b, c) = (topic("agents"), topic("large-language-models"), topic("benchmarks"));
        let (model, _) = tax.learned.as_ref().unwrap();
        let reading = |topic: usize, probability| Reading {
            topic,
            model: model.slugs().position(|s| s == tax.topics[topic].slug).unwrap() as u16,
            probability,
            needed: GIVES,
        };
        // `nlp` is given by its words alone: the model is sure of it.
        let nlp = || reading(topic("nlp"), 0.9);
        let readings = [reading(a, 0.05), reading(b, 0.05), reading(c, 0.01)];
        let scores = [(a, 4.5), (b, 3.6), (c, 1.5)];
        let ratio = |t: usize| scores.iter().find(|s| s.0 == t).map(|s| s.1 / 3.0);
        let none = |_| false;
        // The text gives two topics and the model doubts both: the surer stands; the other
        // falls, and so does the one under its threshold (its neighbours cannot give it).
        assert_eq!(tax.doubted(&readings, &scores, ratio, none), vec![b, c]);
        // With a third topic given (by its words, say), both fall.
        let with_nlp = [reading(a, 0.05), reading(b, 0.05), reading(c, 0.01), nlp()];
        assert_eq!(tax.doubted(&with_nlp, &scores, ratio, none), vec![a, b, c]);
        // A vetoed topic is not given: the other is then the surest, and stands.
        assert_eq!(tax.doubted(&readings, &scores, ratio, |t| t == a), vec![a, c]);
        // Phrases that name a topic twice over stand, and so does a topic the model finds
        // likely enough.
        let strong = |t: usize| if t == b { Some(DOUBT_RATIO) } else { ratio(t) };
        let likely = [reading(a, DOUBTS), reading(b, 0.05), reading(c, 0.01), nlp()];
        assert_eq!(tax.doubted(&with_nlp, &scores, strong, none), vec![a, c]);
        assert_eq!(tax.doubted(&likely, &scores, ratio, none), vec![b, c]);
        // A topic learned from the phrases' own verdicts never doubts them.
        let d = topic("legal");
        assert!(!model.from_labels(usize::from(reading(d, 0.0).model)));
        let legal = [reading(d, 0.01), reading(b, 0.05), nlp()];
        let scores = [(d, 3.6), (b, 3.6)];
        let ratio = |t: usize| scores.iter().find(|s| s.0 == t).map(|s| s.1 / 3.0);
        assert_eq!(tax.doubted(&legal, &scores, ratio, none), vec![b]);
        // Nor does a topic that few labelled papers taught (online learning: 14 of 6,500).
        let e = topic("online-learning");
        assert!(!model.from_labels(usize::from(reading(e, 0.0).model)));
        assert!(model.from_labels(usize::from(reading(b, 0.0).model)));
    }

    #[test]
    fn a_topic_given_by_implication_gives_way_too() {
        let reasoning =
            "[[topic]]\nname = \"Reasoning\"\nphrases = [\"chain of thought\"]\nimplies = [\"language-models\"]\n";
        let tax = tax_with(&format!("{reasoning}{YIELDING}"));
        let text = "We prompt a language model.";
        assert_eq!(
            tax.auto_tags("Chain of Thought Prompting", text),
            ["language-models", "reasoning"]
        );
        assert_eq!(
            tax.auto_tags("Chain of Thought for Image Questions", text),
            ["reasoning", "vision"]
        );
        let e = tax.evidence("Chain of Thought for Image Questions", text);
        let lm = e.iter().find(|e| e.slug == "language-models").unwrap();
        assert_eq!(
            (lm.implied_by.as_deref(), lm.yielded_to.as_deref()),
            (Some("reasoning"), Some("vision"))
        );
        assert!(!lm.passes());
    }

    #[test]
    fn a_topic_yields_only_to_other_topics_that_do_not_yield_back() {
        let err = refused("[[topic]]\nname = \"LLM\"\nphrases = [\"llm\"]\nyields_to = [\"vison\"]");
        assert!(
            err.contains("topic `LLM`: yields_to `vison`, which is no topic's slug"),
            "{err}"
        );
        let err = refused("[[topic]]\nname = \"LLM\"\nphrases = [\"llm\"]\nyields_to = [\"llm\"]");
        assert!(err.contains("topic `LLM`: yields_to names the topic itself"), "{err}");
        let err = refused(
            "[[topic]]\nname = \"A\"\nphrases = [\"a\"]\nyields_to = [\"b\"]\n[[topic]]\nname = \"B\"\nphrases = [\"b\"]\nyields_to = [\"a\"]",
        );
        assert!(err.contains("topics `A` and `B` yield to each other"), "{err}");
    }

    /// The error a taxonomy of `topics` alone is refused with.
    fn refused(topics: &str) -> String {
        let config: TaggingConfig = toml::from_str(&format!("builtin_topics = false\n{topics}")).unwrap();
        Taxonomy::new(&config)
            .err()
            .expect("the taxonomy is refused")
            .to_string()
    }

    #[test]
    fn an_implied_topic_must_exist() {
        let err = refused("[[topic]]\nname = \"Generative\"\nphrases = [\"diffusion\"]\nimplies = [\"vison\"]");
        assert!(
            err.contains("topic `Generative`: implies `vison`, which is no topic's slug"),
            "{err}"
        );
    }

    #[test]
    fn a_support_signal_must_be_one_of_the_topics_own() {
        let err = refused(
            "[[topic]]\nname = \"LLMs\"\nphrases = [\"language model\", \"language models\"]\nsupport = [\"language models\", \"gpt\"]",
        );
        assert!(
            err.contains("topic `LLMs`: support `gpt` is not one of its phrases or acronyms"),
            "{err}"
        );
    }

    #[test]
    fn a_title_hit_alone_passes_but_one_abstract_mention_does_not() {
        let tax = tax_with(RL);
        assert_eq!(
            tax.auto_tags("Reinforcement Learning for X", "Nothing related."),
            ["reinforcement-learning"]
        );
        assert!(
            tax.auto_tags("Something", "Unlike reinforcement learning, we do Y.")
                .is_empty()
        );
        assert_eq!(
            tax.auto_tags(
                "Something",
                "Reinforcement learning is hard. We study reinforcement learning and a policy."
            ),
            ["reinforcement-learning"]
        );
    }

    #[test]
    fn one_repeated_phrase_is_capped() {
        let tax = tax_with(RL);
        let text = "policy ".repeat(10);
        let e = &tax.evidence("x", &text)[0];
        assert_eq!(e.score, 2.0);
        assert!(!e.passes());
    }

    #[test]
    fn stems_fold_plurals() {
        let tax = tax_with(RL);
        assert_eq!(tax.auto_tags("Policies Everywhere", ""), ["reinforcement-learning"]);
        let tax = tax_with("[[topic]]\nname = \"Transformers\"\nphrases = [\"transformer\"]\n");
        assert_eq!(tax.auto_tags("Transformers Are Fast", ""), ["transformers"]);
    }

    #[test]
    fn acronyms_are_case_sensitive_whole_words() {
        let tax = tax_with(RL);
        assert_eq!(tax.auto_tags("Offline RL at Scale", ""), ["reinforcement-learning"]);
        assert_eq!(
            tax.auto_tags("Linear MDPs", ""),
            ["reinforcement-learning"],
            "plural acronym"
        );
        assert!(tax.auto_tags("Rl and url and CURL and rlhf", "").is_empty());
    }

    #[test]
    fn vetoes_win() {
        let tax = tax_with(RL);
        let e = &tax.evidence("Eviction Policy for Caches", "")[0];
        assert_eq!(e.vetoed_by.as_deref(), Some("eviction policy"));
        assert!(tax.auto_tags("Eviction Policy for Caches", "").is_empty());
    }

    #[test]
    fn thresholds_can_be_raised_per_topic() {
        let tax = tax_with("[[topic]]\nname = \"B\"\nphrases = [\"benchmark\"]\nthreshold = 4.0\n");
        assert!(tax.auto_tags("A Benchmark", "").is_empty());
        assert_eq!(tax.auto_tags("A Benchmark", "The benchmark is new."), ["b"]);
    }

    #[test]
    fn at_most_max_tags_strongest_first() {
        let mut topics = String::new();
        for i in 0..8 {
            topics.push_str(&format!("[[topic]]\nname = \"T{i}\"\nphrases = [\"w{i}\"]\n"));
        }
        let tax = tax_with(&topics);
        let tags = tax.auto_tags("w0 w1 w2 w3 w4 w5 w6 w7", "w7 w7 w6");
        assert_eq!(tags.len(), 5);
        assert_eq!(tags[..2], ["t7", "t6"]);
    }

    #[test]
    fn aliases_fold_names_into_one_tag() {
        let config: TaggingConfig = toml::from_str("[aliases]\n\"Large Language Models\" = \"llm\"\n").unwrap();
        let tax = Taxonomy::new(&config).unwrap();
        assert_eq!(tax.normalize("LLMs"), "large-language-models", "built-in alias");
        let config: TaggingConfig = toml::from_str("builtin_topics = false\n[aliases]\n\"LLMs\" = \"llm\"\n").unwrap();
        let tax = Taxonomy::new(&config).unwrap();
        assert_eq!(tax.normalize("LLMs"), "llm");
        assert_eq!(tax.normalize("llm"), "llm");
    }

    #[test]
    fn the_builtin_taxonomy_is_broad() {
        let tax = Taxonomy::new(&TaggingConfig::default()).unwrap();
        assert!(tax.len() >= 25, "{}", tax.len());
    }

    #[test]
    fn site_topics_extend_and_override_the_builtin_ones() {
        let config: TaggingConfig = toml::from_str(
            "[[topic]]\nname = \"Quantum ML\"\nphrases = [\"quantum\"]\n[[topic]]\nname = \"Robotics\"\nphrases = [\"robot arm\"]\n",
        )
        .unwrap();
        let tax = Taxonomy::new(&config).unwrap();
        assert_eq!(tax.auto_tags("Quantum Kernels", ""), ["quantum-ml"]);
        assert!(
            tax.auto_tags("Robotic Grasping", "").is_empty(),
            "the built-in Robotics was replaced"
        );
        assert_eq!(tax.auto_tags("A Robot Arm", ""), ["robotics"]);
    }

    #[test]
    fn a_phrase_in_a_derived_form_does_not_match_the_rest_of_its_stem() {
        // Real titles of May 2026. The stemmer reads "helpfulness" and "Help" alike, and
        // "generative" and "generation".
        let tax = tax_with(
            "[[topic]]\nname = \"Alignment\"\nphrases = [\"helpfulness\"]\n\
             [[topic]]\nname = \"Generative\"\nphrases = [\"generative model\"]\n",
        );
        assert!(
            tax.auto_tags(
                "When Does a Neural Receiver Help? Calibration-Drift Benchmarking for 5G/6G NR",
                ""
            )
            .is_empty()
        );
        assert_eq!(
            tax.auto_tags("Balancing Helpfulness and Harmlessness in Preference Data", ""),
            ["alignment"]
        );
        assert!(
            tax.auto_tags("A Generation Model for Relightable Urban Scenes", "")
                .is_empty()
        );
        assert_eq!(tax.auto_tags("Generative Models of Molecules", ""), ["generative"]);
    }

    #[test]
    fn a_phrase_in_its_plain_form_matches_every_form_of_the_word() {
        let tax = tax_with("[[topic]]\nname = \"Agents\"\nphrases = [\"agent\"]\n");
        for title in [
            "Agentic Retrieval for Enterprise Search",
            "Self-Evolving Agents for Video Temporal Grounding",
            "An Agent That Plans",
        ] {
            assert_eq!(tax.auto_tags(title, ""), ["agents"], "{title}");
        }
        // A derived word keeps its forms: plurals, adverbs, y/ies.
        assert_eq!(derived_form("explanations"), derived_form("explanation"));
        assert_eq!(derived_form("clinically"), derived_form("clinical"));
        assert_eq!(derived_form("modalities"), derived_form("modality"));
    }

    #[test]
    fn title_only_signals_count_in_the_title_alone() {
        let tax = tax_with(
            "[[topic]]\nname = \"Efficiency\"\nphrases = [\"efficient\", \"latency\"]\ntitle_only = [\"efficient\"]\n",
        );
        let abstract_text = "An efficient method. Efficient in practice. It also cuts latency.";
        assert!(tax.auto_tags("Steering Vectors", abstract_text).is_empty());
        assert_eq!(tax.auto_tags("Efficient Steering Vectors", ""), ["efficiency"]);
        let config: TaggingConfig = toml::from_str(
            "builtin_topics = false\n[[topic]]\nname = \"E\"\nphrases = [\"efficient\"]\ntitle_only = [\"fast\"]\n",
        )
        .unwrap();
        let err = Taxonomy::new(&config).err().unwrap().to_string();
        assert!(err.contains("title_only `fast` is not one of its phrases"), "{err}");
    }

    #[test]
    fn the_builtin_taxonomy_leaves_names_and_wireless_fairness_alone() {
        let tax = Taxonomy::new(&TaggingConfig::default()).unwrap();
        let tags = tax.auto_tags(
            "CAB: Accelerating Flow and Diffusion Sampling via Rectification and Corrected Adams-Bashforth",
            "",
        );
        assert!(!tags.contains(&"optimization".to_string()), "{tags:?}");
        let tags = tax.auto_tags(
            "Achieving α-Fairness in Clustered Cell-Free Networking: A Tight Relaxation Approach",
            "We study max-min fairness and proportional fairness of user rates in cell-free massive MIMO.",
        );
        assert!(!tags.contains(&"fairness".to_string()), "{tags:?}");
        assert_eq!(
            tax.auto_tags("Adam Converges Faster with Warmup", "")[0],
            "optimization"
        );
    }

    #[test]
    fn a_camel_case_name_reads_as_the_phrase_word_it_ends_with() {
        assert_eq!(camel_tails("SocialMemBench").collect::<Vec<_>>(), ["MemBench", "Bench"]);
        assert_eq!(camel_tails("VLMBench").collect::<Vec<_>>(), ["Bench"]);
        assert_eq!(camel_tails("Video2GUI").collect::<Vec<_>>(), ["GUI"]);
        assert_eq!(camel_tails("benchmark").count(), 0);
        let tax = Taxonomy::new(&TaggingConfig::default()).unwrap();
        // Real titles of May 2026, labelled Benchmarks by hand.
        for title in [
            "AssemblyBench: Physics-Aware Assembly of Complex Industrial Objects",
            "SocialMemBench: Are AI Memory Systems Ready for Social Group Settings?",
        ] {
            assert!(tax.auto_tags(title, "").contains(&"benchmarks".to_string()), "{title}");
        }
        // An acronym at the end of a name is a method built on it, not the acronym.
        let tags = tax.auto_tags("GraphReAct: Reasoning and Acting for Multi-step Graph Inference", "");
        assert!(!tags.contains(&"agents".to_string()), "{tags:?}");
        let tags = tax.auto_tags(
            "DIMoE-Adapters: Dynamic Expert Evolution for Continual Learning in Vision-Language Models",
            "",
        );
        assert!(!tags.contains(&"deep-learning".to_string()), "{tags:?}");
    }

    #[test]
    fn every_learned_topic_is_a_built_in_topic() {
        // A model learned before a topic was renamed would silently lose it.
        let tax = Taxonomy::new(&TaggingConfig::default()).unwrap();
        let (model, topic_of) = tax.learned.as_ref().expect("on by default");
        for (slug, topic) in model.slugs().zip(topic_of) {
            assert!(topic.is_some(), "the learned topic `{slug}` is no built-in topic");
        }
        assert!(topic_of.len() >= 40, "{}", topic_of.len());
    }

    #[test]
    fn tagging_reads_a_paper_as_the_learned_weights_were_learned_from() {
        // `stem_counts` is what `scripts/learned_features.rs` hands the training; the
        // matcher's features are what tagging weighs. Two readings of one thing: they agree.
        let tax = Taxonomy::new(&TaggingConfig::default()).unwrap();
        let (lexicon, tokens) = one_paper(
            "Segmenting Tree Rings in Images",
            "We segment tree rings in cross-sectional images; the rings are detected, and each image is measured.",
        );
        let mut read = tax.features(&tax.matcher(&lexicon), &tokens);
        read.sort_unstable();
        let (model, _) = tax.learned.expect("on by default");
        let mut learned: Vec<Feature> = super::super::learned::stem_counts(&lexicon, &tokens)
            .into_iter()
            .filter_map(|(stem, count)| Some((model.feature(lexicon.stem_text(stem))?, count)))
            .collect();
        learned.sort_unstable();
        assert!(read.len() > 5, "{read:?}");
        assert_eq!(read, learned);
    }
}
