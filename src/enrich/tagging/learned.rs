//! The learned stage of tagging: word weights per built-in topic, so that a paper gets a
//! topic whose papers' words it uses even when it spells out none of the topic's phrases
//! ("semantic segmentation of LiDAR scans" never says "computer vision"). Phrases are
//! precise but a reader's topics are wider than any list of them; the weights carry what
//! the phrases' own papers have in common.
//!
//! The weights are a logistic model per topic over a paper's word stems, learned from a
//! month of real arXiv listings (May 2026), every one labelled by hand: the labels teach it
//! the 36 topics they cover, the built-in phrases' verdicts the newer topics no label names,
//! and the labels kept to measure the tagger are left out with their papers. Phrases alone
//! only teach the model what they already say; 6,500 hand labels teach it what readers see
//! that no phrase names. See `scripts/train_learned.py` to learn them again after the
//! phrases or labels change. They ship in the program (`learned.tsv`), so tagging stays
//! deterministic, offline and the same for a 300-paper site as for a 100,000-paper one; a
//! topic a site redefines is left to its own phrases.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::super::lexicon::{Lexicon, StemId, Tokens};

/// The built-in weights (see `scripts/train_learned.py`).
const BUILTIN_WEIGHTS: &str = include_str!("learned.tsv");

/// First line of a weights file: its format.
const HEADER: &str = "paperboy learned topics 1";

/// The probability from which the model gives a topic that the paper's phrases name at
/// all (a score above zero)...
pub(super) const GIVES: f32 = 0.5;

/// ...and one they never name: words alone must be surer. On the labelled fixtures one
/// threshold of 0.6 for both found fewer right tags and as many wrong ones; one of 0.5 gave
/// "diffusion" papers about control the vision tag.
pub(super) const GIVES_ALONE: f32 = 0.7;

/// The probability under which the model overrules phrases that only just name a topic
/// (see [`DOUBT_RATIO`]). Phrases are matched out of context: "dialogue" in a paper about
/// therapy, "agent" in a paper about coalitions of agents' internal states. Learned from
/// thousands of papers readers labelled, the model knows what the papers readers file under
/// a topic look like as a whole. Chosen on the half of the blind May labels that tunes
/// (`tests/fixtures/real-may-blind/labels-a.tsv`) with weights learned without them: 0.1
/// gave the best F1 there (precision 0.828 → 0.866, recall 0.843 → 0.822); 0.15 and 0.2 add
/// a little precision at a larger cost in recall, which the recall target cannot
/// spare.
pub(super) const DOUBTS: f32 = 0.1;

/// Phrases scoring at least this many times their topic's threshold stand whatever the
/// model says: a paper that names its topic again and again is about it.
pub(super) const DOUBT_RATIO: f64 = 2.0;

/// The probability from which `--explain` shows what the model makes of a topic it does
/// not give: a near miss worth a publisher's look.
pub(super) const NEAR: f32 = 0.25;

/// The fewest distinct known stems a paper needs for the model to read it: the weights were
/// learned from whole abstracts, and a title alone ("... of Large Vision-Language Models")
/// is too few words to weigh ("language" would make it a language-model paper).
pub(super) const MIN_FEATURES: usize = 25;

/// How many times a title word counts: a title names the subject.
pub(super) const TITLE_COUNT: u32 = 2;

/// Topic models over word stems: a paper's stems, each counted `1 + ln(count)` and
/// normalised to unit length, weighed per topic, plus the topic's bias, give the logit.
#[derive(Debug)]
pub struct Learned {
    /// By model topic: its slug and bias.
    topics: Vec<(String, f32)>,
    /// By model topic: whether readers' labels taught it well enough to doubt (see
    /// [`Learned::from_labels`]).
    labelled: Vec<bool>,
    /// Stem → feature number. Every stem the model was learned with is here, weighed or
    /// not: the length a paper is normalised by counts them all.
    vocab: FxHashMap<Box<str>, u32>,
    /// By feature, a row of its weight for every topic (0 where it has none): a paper's
    /// hundred stems are a hundred short rows added up, which the compiler vectorises (a
    /// list of the non-zero weights per stem took twice as long).
    weights: Vec<f32>,
}

/// One feature of a paper: its number in the model and how often the paper uses it.
pub(super) type Feature = (u32, u32);

impl Learned {
    /// The built-in model (parsed once; a test keeps the file valid).
    pub fn builtin() -> &'static Learned {
        static MODEL: OnceLock<Learned> = OnceLock::new();
        MODEL.get_or_init(|| Learned::parse(BUILTIN_WEIGHTS).expect("the built-in learned weights are valid"))
    }

    /// Reads a weights file: the header, then a `topic<TAB>slug<TAB>bias[<TAB>labelled]` line
    /// per topic (numbered from 0 in that order; `labelled` when readers' labels taught it
    /// well enough to doubt the phrases), then a `stem<TAB>word[<TAB>topic:weight ...]` line
    /// per stem of the vocabulary, with its weights by topic number.
    pub fn parse(text: &str) -> Result<Learned, String> {
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, HEADER)) => {}
            _ => return Err(format!("the first line is not `{HEADER}`")),
        }
        let mut model = Learned {
            topics: Vec::new(),
            labelled: Vec::new(),
            vocab: FxHashMap::default(),
            weights: Vec::new(),
        };
        for (n, line) in lines {
            let bad = || format!("line {}: `{line}` is not a weights line", n + 1);
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                // Rows are as long as the topics before them: every topic comes first.
                ["topic", slug, bias, from @ ..] if model.vocab.is_empty() && matches!(from, [] | ["labelled"]) => {
                    model.topics.push((slug.to_string(), bias.parse().map_err(|_| bad())?));
                    model.labelled.push(!from.is_empty());
                }
                ["stem", word, weights @ ..] if weights.len() <= 1 && !model.vocab.contains_key(*word) => {
                    let topics = model.topics.len();
                    let mut row = vec![0.0; topics];
                    for pair in weights.iter().flat_map(|w| w.split(' ')) {
                        let (topic, value) = pair.split_once(':').ok_or_else(bad)?;
                        let topic: usize = topic.parse().ok().filter(|&t| t < topics).ok_or_else(bad)?;
                        row[topic] = value.parse().map_err(|_| bad())?;
                    }
                    model.vocab.insert((*word).into(), model.vocab.len() as u32);
                    model.weights.extend(row);
                }
                _ => return Err(bad()),
            }
        }
        Ok(model)
    }

    /// Whether readers' labels taught model topic `m`, from at least 50 papers, rather than
    /// the phrases' own verdicts. Only such a topic may doubt the phrases (see [`DOUBTS`]): a
    /// topic learned from the verdicts knows what the phrases match, not what readers file
    /// under it (readers' legal, education and driving papers were doubted with the rest when
    /// it did), and a topic that few labelled papers taught gives its real papers low
    /// probabilities (the sample's learning-theory, online-learning and bandit papers, of
    /// topics that 14–32 of the 6,500 labelled papers carry, lost those tags). On half A of
    /// the blind May labels the 50-paper bar moved precision by −0.002 and recall by +0.004.
    pub fn from_labels(&self, m: usize) -> bool {
        self.labelled.get(m).copied().unwrap_or(false)
    }

    /// The model's topics, by their slugs, in model order.
    pub fn slugs(&self) -> impl Iterator<Item = &str> {
        self.topics.iter().map(|(s, _)| s.as_str())
    }

    /// How many features (stems) the model knows.
    pub fn features(&self) -> usize {
        self.vocab.len()
    }

    /// The feature number of a stem, if the model knows it.
    pub fn feature(&self, stem: &str) -> Option<u32> {
        self.vocab.get(stem).copied()
    }

    /// Each model topic's probability for a paper with `features` (each feature once).
    pub fn probabilities(&self, features: &[Feature]) -> Vec<f32> {
        let mut logits: Vec<f32> = self.topics.iter().map(|t| t.1).collect();
        for (feature, x) in weighed(features) {
            for (logit, w) in logits.iter_mut().zip(self.row(feature)) {
                *logit += w * x;
            }
        }
        logits.into_iter().map(sigmoid).collect()
    }

    /// The weights of `feature`, by topic.
    fn row(&self, feature: u32) -> &[f32] {
        let n = self.topics.len();
        &self.weights[feature as usize * n..][..n]
    }

    /// The words that weigh most for model topic `topic` in a paper with `features`, with
    /// what each adds to the logit, strongest first: for `paperboy tags --explain`.
    pub fn reasons(&self, features: &[Feature], topic: u16, names: impl Fn(u32) -> String) -> Vec<(String, f32)> {
        let mut out: Vec<(u32, f32)> = weighed(features)
            .map(|(feature, x)| (feature, self.row(feature)[usize::from(topic)] * x))
            .filter(|r| r.1 > 0.0)
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.into_iter().map(|(f, w)| (names(f), w)).collect()
    }
}

/// Each feature with its value in the model's input: `1 + ln(count)`, over the length of
/// them all.
fn weighed(features: &[Feature]) -> impl Iterator<Item = (u32, f32)> + '_ {
    let value = |count: u32| 1.0 + (count as f32).ln();
    let norm = features.iter().map(|&(_, c)| value(c) * value(c)).sum::<f32>().sqrt();
    features.iter().map(move |&(f, c)| (f, value(c) / norm))
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// A paper's stems with how often they occur, title words counting [`TITLE_COUNT`] times,
/// as the model reads a paper: the input of learning and of tagging alike.
pub fn stem_counts(lexicon: &Lexicon, tokens: &Tokens) -> Vec<(StemId, u32)> {
    let title = tokens.title().iter().map(|&w| (lexicon.stem(w), TITLE_COUNT));
    let rest = tokens.abstract_words().iter().map(|&w| (lexicon.stem(w), 1));
    let mut all: Vec<(StemId, u32)> = title.chain(rest).collect();
    all.sort_unstable_by_key(|s| s.0);
    all.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        if same {
            kept.1 += next.1;
        }
        same
    });
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "paperboy learned topics 1\ntopic\tvision\t-2\ntopic\tspeech\t-2\nstem\tpixel\t0:5\nstem\tspeech\t1:5\nstem\tthe\n";

    #[test]
    fn a_papers_words_give_the_topics_they_weigh_for() {
        let m = Learned::parse(SMALL).unwrap();
        let (pixel, speech, the) = (
            m.feature("pixel").unwrap(),
            m.feature("speech").unwrap(),
            m.feature("the").unwrap(),
        );
        let p = m.probabilities(&[(pixel, 3)]);
        assert!(p[0] > GIVES && p[1] < GIVES, "{p:?}");
        // Words the model knows but does not weigh dilute the others.
        let diluted = m.probabilities(&[(pixel, 1), (the, 20)]);
        assert!(diluted[0] < p[0], "{diluted:?}");
        let both = m.probabilities(&[(pixel, 1), (speech, 1)]);
        assert!(both[0] > GIVES && both[1] > GIVES, "{both:?}");
        let why = m.reasons(&[(pixel, 1), (speech, 1)], 0, |f| f.to_string());
        assert_eq!(why.len(), 1);
    }

    #[test]
    fn a_damaged_weights_file_is_refused() {
        assert!(Learned::parse("weights 1\n").is_err());
        assert!(Learned::parse(&SMALL.replace("pixel\t0:5", "pixel\t2:5")).is_err());
        assert!(Learned::parse(&SMALL.replace("pixel\t0:5", "pixel\t0:five")).is_err());
        assert!(Learned::parse(&SMALL.replace("pixel\t0:5", "pixel\t0:5\t1:5")).is_err());
        // A stem twice, or a topic after the stems, would misplace every row after it.
        assert!(Learned::parse(&format!("{SMALL}stem\tpixel\t1:5\n")).is_err());
        assert!(Learned::parse(&format!("{SMALL}topic\tmaths\t-2\n")).is_err());
    }

    #[test]
    fn the_built_in_weights_are_valid() {
        let m = Learned::builtin();
        assert!(m.slugs().any(|s| s == "computer-vision"));
        assert!(m.feature("segment").is_some());
    }
}
