//! `[tagging]`: how papers are tagged, and the topics a site adds to the built-in ones.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `[tagging]` in `paperboy.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct TaggingConfig {
    /// Tag papers from their text. Off: only explicit tags.
    pub auto: bool,
    /// Start from the built-in topics; the site's `topic` entries extend them (or replace one
    /// with the same slug). Off: only the site's own topics.
    pub builtin_topics: bool,
    /// Add automatic tags to papers that already have explicit ones.
    pub auto_for_explicit: bool,
    /// At most this many automatic tags per paper, strongest first.
    pub max_tags: usize,
    /// Score a topic needs, unless the topic sets its own.
    pub threshold: f64,
    /// Points for a phrase in the title; a phrase in the abstract scores 1 per mention.
    pub title_weight: f64,
    /// Let a paper take the topics its nearest related papers agree on when its own phrases
    /// half support them (or when it would have no tag at all).
    pub neighbours: bool,
    /// Give the built-in topics that a paper's words weigh for (the learned stage, see
    /// `enrich/tagging/learned.rs`), beside those its phrases give.
    pub learned: bool,
    /// Mentions of one phrase in the abstract that count, so that one repeated phrase
    /// cannot carry a topic alone.
    pub max_abstract_mentions: usize,
    /// The site's own topics.
    pub topic: Vec<TopicConfig>,
    /// Extra tag names that mean an existing tag: `"LLMs" = "large-language-models"`.
    pub aliases: BTreeMap<String, String>,
}

impl Default for TaggingConfig {
    fn default() -> Self {
        TaggingConfig {
            auto: true,
            builtin_topics: true,
            auto_for_explicit: true,
            max_tags: 5,
            threshold: 3.0,
            title_weight: 3.0,
            max_abstract_mentions: 2,
            neighbours: true,
            learned: true,
            topic: Vec::new(),
            aliases: BTreeMap::new(),
        }
    }
}

/// One topic as written in a taxonomy.
#[derive(Debug, Clone, Deserialize)]
pub struct TopicConfig {
    /// Display name of the tag.
    pub name: String,
    /// URL segment; the slug of `name` when not given.
    pub slug: Option<String>,
    /// Phrases that signal the topic: case-insensitive, whole words, stemmed.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Acronyms that signal the topic: whole words, case-sensitive (a plural `s` is allowed).
    #[serde(default)]
    pub acronyms: Vec<String>,
    /// Phrases that rule the topic out wherever they appear.
    #[serde(default)]
    pub veto: Vec<String>,
    /// Phrases or acronyms of this topic that add to its score only beside another of its
    /// signals: words the field uses but does not own ("GPT-4o" in a paper that merely
    /// calls it is not a paper about language models).
    #[serde(default)]
    pub support: Vec<String>,
    /// Phrases or acronyms of this topic that count only in a title: words that make the
    /// topic a paper's headline ("Efficient ...", "Fast ...") but that abstracts use of
    /// anything.
    #[serde(default)]
    pub title_only: Vec<String>,
    /// Slugs of topics this one brings along when their own phrases give them any support:
    /// image generation papers are vision papers, though they rarely say "image" three times.
    #[serde(default)]
    pub implies: Vec<String>,
    /// Slugs of topics this one gives way to: when the paper's own text gives any of them,
    /// it does not get this one, from its phrases, its words or its neighbours (what it
    /// implies is still given). Readers file a vision paper that runs a language model
    /// under vision, not under language models (in the hand-labelled real papers, 2 of 378
    /// vision papers carry both tags).
    #[serde(default)]
    pub yields_to: Vec<String>,
    /// Explicit tag names that mean this topic.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Score needed for this topic, overriding `[tagging] threshold`.
    pub threshold: Option<f64>,
    /// Points per abstract mention (default 1). Below 1 for topics whose words papers use
    /// in passing ("benchmark"), so that mostly a title makes the tag.
    pub abstract_weight: Option<f64>,
}
