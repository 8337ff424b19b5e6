//! `docs/templates.md` says what every template is given. Here every template of a site is
//! one that prints its whole context, and the page is checked against what they printed: each
//! template's variables are exactly the ones its section lists, and every field of every
//! value is named somewhere on the page. A field added to a view without a word in the
//! reference fails here, as does a variable the reference promises and no template gets.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;

/// Each template, and a page of the test site made from it.
const PAGES: [(&str, &str); 12] = [
    ("index.html", "index.html"),
    ("issue.html", "issues/2026-11-27/index.html"),
    ("issue.html", "issues/2026-11-27/page/2/index.html"),
    ("paper.html", "papers/a-paper-with-everything/index.html"),
    ("archive.html", "issues/index.html"),
    ("tags.html", "tags/index.html"),
    ("tag.html", "tags/robotics/index.html"),
    ("tag.html", "tags/robotics/page/1/index.html"),
    ("404.html", "404.html"),
    ("search.html", "search/index.html"),
    ("email.html", "issues/2026-11-27/email.html"),
    ("email.txt", "issues/2026-11-27/email.txt"),
];

/// A template that prints each variable but the interface words as `@@name=value`.
const DUMP: &str = "{% for k in __tera_context | keys %}{% if k != \"t\" %}@@{{ k }}={{ __tera_context | get(key=k) }}\n{% endif %}{% endfor %}";

fn reference() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/templates.md")).unwrap()
}

/// A site whose pages have every kind of value: two issues of two pages, a paper listed
/// again, one with every field, a tag with older pages.
fn dumping_site() -> TestSite {
    let site = TestSite::new();
    site.write(
        "paperboy.toml",
        "theme = \"dump\"\n[issues]\nper_page = 2\n[tags]\nper_page = 1\n[extra]\nnote = \"x\"\n",
    );
    site.write("content/2026-11-26.txt", digest(&["Alpha Paper", "Beta Paper"]));
    site.write("content/2026-11-27.txt", digest(&["Gamma Paper", "Alpha Paper"]));
    site.write(
        "content/crawl.jsonl",
        "{\"id\": \"2611.01234\", \"date\": \"2026-11-27\", \"title\": \"A Paper With Everything\", \"authors\": [\"Ada Lovelace\", \"Alan Turing\"], \"categories\": [\"cs.RO\"], \"comment\": \"12 pages\", \"abstract\": \"An abstract about robots with $x^2$.\"}\n",
    );
    for (i, day) in ["2026-11-26", "2026-11-27"].into_iter().enumerate() {
        site.write(
            &format!("content/papers/robot-{i}.md"),
            md_paper(&format!("Robot Paper {i}"), day, &["Robotics"], "Robots."),
        );
    }
    for name in [
        "index", "issue", "paper", "archive", "tags", "tag", "404", "search", "email",
    ] {
        site.write(&format!("themes/dump/templates/{name}.html"), DUMP);
    }
    site.write("themes/dump/templates/email.txt", DUMP);
    site.build_ok(&[]);
    site
}

/// The printed variables of one page: name → value as printed.
fn variables(text: &str) -> BTreeMap<String, String> {
    text.replace("&quot;", "\"")
        .split("@@")
        .filter_map(|part| part.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_end().to_string()))
        .collect()
}

/// The keys of the maps in a printed value (`"name": …`).
fn fields(value: &str, out: &mut BTreeSet<String>) {
    let re = regex::Regex::new(r#""([a-z_0-9]+)": "#).unwrap();
    out.extend(re.captures_iter(value).map(|c| c[1].to_string()));
}

/// The variables a section of the reference lists (its table's first column), for the
/// sections whose heading names `template`, and the two sections every page shares.
fn documented(reference: &str, template: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for section in reference.split("\n## ").skip(1) {
        let heading = section.lines().next().unwrap_or("");
        let shared =
            heading == "Every template" || (heading.starts_with("Every page") && !template.starts_with("email"));
        if !shared && !heading.contains(&format!("`{template}`")) {
            continue;
        }
        // The section's own table, not its subsections'.
        let own = section.split("\n### ").next().unwrap_or("");
        for row in own.lines().filter(|l| l.starts_with("| `")) {
            let name = row.trim_start_matches("| `").split('`').next().unwrap_or("");
            out.insert(name.to_string());
        }
    }
    out
}

/// Every word inside backticks on the page: `{name, url}` names `name` and `url`.
fn named(reference: &str) -> BTreeSet<String> {
    reference
        .split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|code| code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_reference_lists_every_variable_and_field_templates_get() {
    let site = dumping_site();
    let reference = reference();
    let named = named(&reference);
    let mut problems = Vec::new();
    for (template, page) in PAGES {
        let printed = variables(&site.read(page));
        let mut got: BTreeSet<String> = printed.keys().cloned().collect();
        got.insert("t".to_string());
        let listed = documented(&reference, template);
        for missing in got.difference(&listed) {
            problems.push(format!(
                "{template} gets `{missing}` ({page}), which its section does not list"
            ));
        }
        for promised in listed.difference(&got) {
            problems.push(format!(
                "{template}'s section lists `{promised}`, which it does not get ({page})"
            ));
        }
        let mut keys = BTreeSet::new();
        for (name, value) in &printed {
            // `site.extra` is the site's own table: its keys are the publisher's.
            let value = if name == "site" {
                value.split("\"extra\"").next().unwrap_or("")
            } else {
                value
            };
            fields(value, &mut keys);
        }
        for key in keys.difference(&named) {
            problems.push(format!(
                "{template} has a field `{key}` ({page}) that the reference never names"
            ));
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "docs/templates.md is out of date:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_site_the_check_reads_has_every_kind_of_value() {
    // The check above is only as good as the pages it reads: they must hold the values that
    // are sometimes absent.
    let site = dumping_site();
    let issue = variables(&site.read("issues/2026-11-27/page/2/index.html"));
    assert!(issue["again"].contains("\"again\": true"), "a paper listed again");
    assert!(issue["prev_issue"].contains("\"weekday\""), "an issue before");
    let paper = variables(&site.read("papers/a-paper-with-everything/index.html"));
    assert!(paper["paper"].contains("\"comment\": \"12 pages\""));
    assert!(!paper["related"].trim_matches(['[', ']']).is_empty(), "related papers");
    let older = variables(&site.read("tags/robotics/page/1/index.html"));
    assert!(older["pager"].contains("\"range\": \"") && older["tag"].contains("\"count\": "));
    assert!(variables(&site.read("index.html"))["site"].contains("\"note\": \"x\""));
}
