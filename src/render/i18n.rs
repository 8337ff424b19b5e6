//! The words the themes show and the dates they print, in the site's `language`: English
//! and French are built in, and `[translations]` in `paperboy.toml` replaces any word (or
//! adds words a theme of its own uses). Templates read the words as `t.<key>`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::Config;

/// A built-in language file.
#[derive(Deserialize)]
struct File {
    months: [String; 12],
    weekdays: [String; 7],
    date: String,
    words: BTreeMap<String, String>,
}

const BUILT_IN: &[(&str, &str)] = &[
    ("en", include_str!("i18n/en.toml")),
    ("fr", include_str!("i18n/fr.toml")),
];

/// The languages with built-in words.
pub fn languages() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(code, _)| *code).collect()
}

/// One language's words and date forms.
pub(crate) struct Language {
    file: File,
}

impl Language {
    /// The language of `config`: its built-in words by `language` (`fr-CA` → `fr`; an
    /// unknown one → English), with `[translations]` over them.
    pub(crate) fn of(config: &Config) -> Language {
        let code = config
            .language
            .split(['-', '_'])
            .next()
            .unwrap_or("en")
            .to_ascii_lowercase();
        let text = BUILT_IN
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(BUILT_IN[0].1, |(_, t)| *t);
        let mut file: File = toml::from_str(text).expect("the built-in language files are valid");
        for (key, word) in &config.translations {
            file.words.insert(key.clone(), word.clone());
        }
        Language { file }
    }

    /// The words, for templates.
    pub(crate) fn words(&self) -> &BTreeMap<String, String> {
        &self.file.words
    }

    /// One word by its key (the key itself when the language has none).
    pub(crate) fn word<'a>(&'a self, key: &'a str) -> &'a str {
        self.file.words.get(key).map_or(key, String::as_str)
    }

    /// One word with its `{name}` placeholders filled: `fill("meta_tag", &[("count", "3"),
    /// ("tag", "Robotics")])`. Sentences are whole patterns, not glued pieces, so that a
    /// language can put the parts in its own order.
    pub(crate) fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.word(key).to_string();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// "26 November 2026", "26 novembre 2026".
    pub(crate) fn date(&self, date: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        self.file
            .date
            .replace("{day}", &date.day().to_string())
            .replace("{month}", &self.file.months[date.month0() as usize])
            .replace("{year}", &date.year().to_string())
    }

    /// "Thursday", "jeudi".
    pub(crate) fn weekday(&self, date: chrono::NaiveDate) -> &str {
        use chrono::Datelike;
        &self.file.weekdays[date.weekday().num_days_from_monday() as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_english_word() {
        let english = Language::of(&Config::default());
        for code in languages() {
            let config = Config {
                language: code.to_string(),
                ..Config::default()
            };
            let lang = Language::of(&config);
            let missing: Vec<&String> = english
                .words()
                .keys()
                .filter(|k| !lang.words().contains_key(*k))
                .collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
        }
    }

    #[test]
    fn dates_read_in_the_language() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let fr = Config {
            language: "fr-CA".into(),
            ..Config::default()
        };
        assert_eq!(Language::of(&Config::default()).date(day), "26 November 2026");
        assert_eq!(Language::of(&fr).date(day), "26 novembre 2026");
        assert_eq!(Language::of(&fr).weekday(day), "jeudi");
    }
}
