//! Deterministic synthetic corpora for the benchmark: realistic titles and abstracts
//! recombined from the sample corpus's own sentences, 20–50 papers per daily issue, a mix of
//! digest files and Markdown papers with explicit tags.
//!
//! cargo run --release --example corpusgen -- --papers N --out DIR [--seed S] [--md-share 0.3] [--real] [--hugo]
//!
//! `--real` writes a real-shaped corpus instead (see `corpusgen_real.rs`): real sentences,
//! authors and day sizes, as JSON Lines. `--hugo` also writes the same papers as a Hugo site
//! (DIR/hugo) for side-by-side timing.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

#[path = "corpusgen_real.rs"]
mod real;

const SAMPLE: &str = include_str!("../content/2026-11-26.txt");
const TAGS: &[&str] = &[
    "Reinforcement Learning",
    "LLMs",
    "Computer Vision",
    "Robotics",
    "Optimization",
    "Bandits",
    "Learning Theory",
    "Diffusion Models",
    "Graph Learning",
    "Alignment",
    "Medical AI",
    "NLP",
    "Federated Learning",
    "Privacy",
    "Security",
    "Fairness",
    "Interpretability",
    "Time Series",
];
const AUTHORS: &[&str] = &[
    "Ada Lovelace",
    "Alan Turing",
    "Grace Hopper",
    "Claude Shannon",
    "Emmy Noether",
    "John von Neumann",
    "Katherine Johnson",
    "Leslie Lamport",
    "Barbara Liskov",
    "Donald Knuth",
    "Frances Allen",
    "Edsger Dijkstra",
];

/// SplitMix64: tiny, fast, and the same sequence on every machine.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

struct Args {
    papers: usize,
    out: PathBuf,
    seed: u64,
    md_share: f64,
    real: bool,
    hugo: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        papers: 1000,
        out: PathBuf::from("bench-site"),
        seed: 1,
        md_share: 0.3,
        real: false,
        hugo: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--papers" => args.papers = val().parse().expect("--papers N"),
            "--out" => args.out = PathBuf::from(val()),
            "--seed" => args.seed = val().parse().expect("--seed N"),
            "--md-share" => args.md_share = val().parse().expect("--md-share 0.3"),
            "--real" => args.real = true,
            "--hugo" => args.hugo = true,
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

struct Paper {
    title: String,
    abstract_text: String,
    tags: Vec<&'static str>,
    authors: Vec<&'static str>,
    arxiv: String,
    markdown: bool,
}

fn main() {
    let args = parse_args();
    let lines: Vec<&str> = SAMPLE.lines().skip(2).collect();
    let titles: Vec<&str> = lines
        .iter()
        .step_by(2)
        .map(|t| t.trim_start_matches("Subscribe"))
        .collect();
    let abstracts: Vec<&str> = lines.iter().skip(1).step_by(2).copied().collect();
    let sentences: Vec<&str> = abstracts
        .iter()
        .flat_map(|a| a.split_inclusive(". "))
        .map(str::trim)
        .collect();
    let heads: Vec<&str> = titles.iter().map(|t| t.split(':').next().unwrap_or(t)).collect();
    let tails: Vec<&str> = titles
        .iter()
        .filter_map(|t| t.split_once(':').map(|(_, b)| b.trim()))
        .collect();

    let mut rng = Rng(args.seed);
    let end = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let _ = fs::remove_dir_all(&args.out);
    fs::create_dir_all(args.out.join("content")).unwrap();
    fs::write(
        args.out.join("paperboy.toml"),
        "title = \"Benchmark Digest\"\nbase_url = \"https://bench.example/\"\n",
    )
    .unwrap();
    if args.real {
        let pages = real::write(&args.out, args.papers, end, &mut rng);
        if args.hugo {
            write_hugo(&args.out.join("hugo"), &pages);
        }
        eprintln!("wrote {} real-shaped papers to {}", pages.len(), args.out.display());
        return;
    }
    let days = (args.papers / 35).max(1);
    let mut per_day: Vec<usize> = (0..days).map(|_| 20 + rng.below(31)).collect();
    let total: usize = per_day.iter().sum();
    let mut assigned = 0;
    for (i, c) in per_day.iter_mut().enumerate() {
        *c = if i + 1 == days {
            args.papers - assigned
        } else {
            (*c * args.papers / total).max(1)
        };
        assigned += *c;
    }

    let content = args.out.join("content");
    let mut n = 0usize;
    let mut hugo_pages = Vec::new();
    for (d, &count) in per_day.iter().enumerate() {
        let date = end - chrono::Days::new((days - 1 - d) as u64);
        let mut digest = String::from(
            "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\nSubscribe",
        );
        for _ in 0..count {
            n += 1;
            let head = *rng.pick(&heads[..]);
            let mut title = format!("{}{}: {head}", code_name(n), n % 97);
            if rng.chance(0.5) {
                let _ = write!(title, " — {}", rng.pick(&tails[..]));
            }
            let mut abstract_text = String::new();
            for _ in 0..(3 + rng.below(8)) {
                let sentence: &&str = rng.pick(&sentences[..]);
                abstract_text.push_str(sentence);
                abstract_text.push(' ');
            }
            let paper = Paper {
                title,
                abstract_text: abstract_text.trim_end().to_string(),
                tags: (0..1 + rng.below(3)).map(|_| *rng.pick(TAGS)).collect(),
                authors: (0..1 + rng.below(4)).map(|_| *rng.pick(AUTHORS)).collect(),
                arxiv: format!("{}{:02}.{:05}", date.format("%y"), date.format("%m"), n % 100_000),
                markdown: rng.chance(args.md_share),
            };
            if paper.markdown {
                let dir = content.join("papers").join(date.format("%Y").to_string());
                fs::create_dir_all(&dir).unwrap();
                fs::write(dir.join(format!("p{n:06}.md")), markdown(&paper, &date.to_string())).unwrap();
            } else {
                let _ = write!(digest, "{}\n{}\n", paper.title, paper.abstract_text);
            }
            if args.hugo {
                hugo_pages.push((n, date, paper));
            }
        }
        let dir = content.join(date.format("%Y/%m").to_string());
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("{}.txt", date.format("%d"))), digest.trim_end()).unwrap();
    }
    if args.hugo {
        write_hugo(&args.out.join("hugo"), &hugo_pages);
    }
    eprintln!("wrote {n} papers in {days} issues to {}", args.out.display());
}

/// A pronounceable, unique model name per paper ("Lumora", "Kavex") so titles stay distinct.
fn code_name(mut n: usize) -> String {
    const C: &[u8] = b"bcdfghklmnprstvz";
    const V: &[u8] = b"aeiou";
    let mut s = String::new();
    loop {
        s.push(C[n % C.len()] as char);
        n /= C.len();
        s.push(V[n % V.len()] as char);
        n /= V.len();
        if n == 0 {
            break;
        }
    }
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn list(items: &[&str]) -> String {
    items.iter().map(|s| toml_str(s)).collect::<Vec<_>>().join(", ")
}

fn markdown(p: &Paper, date: &str) -> String {
    format!(
        "+++\ntitle = {}\ndate = {date}\ntags = [{}]\nauthors = [{}]\narxiv = \"{}\"\n+++\n{}\n",
        toml_str(&p.title),
        list(&p.tags),
        list(&p.authors),
        p.arxiv,
        p.abstract_text
    )
}

/// The same corpus as a Hugo site that renders what paperboy's default theme renders, with
/// Hugo's own features: a page per paper (head metadata, issue, authors, tags, abstract,
/// arXiv link, previous/next), a page per issue, tag pages of 100 papers, a tag index, RSS and
/// Atom for the site and every tag, a JSON search index, sitemap, robots.txt and 404. Left
/// out: related papers (Hugo's `.Related` took 28 s at 10,000 papers, ten times the rest of
/// the build) and paperboy's email pages; Hugo also writes RSS and Atom for every issue,
/// which paperboy does not.
fn write_hugo(dir: &Path, pages: &[(usize, chrono::NaiveDate, Paper)]) {
    let content = dir.join("content/papers");
    fs::create_dir_all(&content).unwrap();
    for (path, text) in HUGO_FILES {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    for (n, date, p) in pages {
        let fm = format!(
            "+++\ntitle = {}\ndate = {date}\ntags = [{}]\nissues = [\"{date}\"]\nauthors = [{}]\narxiv = \"{}\"\n+++\n{}\n",
            toml_str(&p.title),
            list(&p.tags),
            list(&p.authors),
            p.arxiv,
            p.abstract_text
        );
        fs::write(content.join(format!("p{n:06}.md")), fm).unwrap();
    }
}

/// Config and templates of the Hugo site, mirroring `themes/default`.
const HUGO_FILES: &[(&str, &str)] = &[
    (
        "hugo.toml",
        r##"baseURL = "https://bench.example/"
title = "Benchmark Digest"
languageCode = "en"
paginate = 100
enableRobotsTXT = true
[params]
description = "A daily digest of trending research papers."
[taxonomies]
tag = "tags"
issue = "issues"
[outputs]
home = ["HTML", "RSS", "Atom", "JSON"]
term = ["HTML", "RSS", "Atom"]
[outputFormats.Atom]
mediaType = "application/atom+xml"
baseName = "atom"
isPlainText = false
[mediaTypes."application/atom+xml"]
suffixes = ["xml"]
[services.rss]
limit = 50
"##,
    ),
    (
        "layouts/_default/baseof.html",
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} — {{ site.Title }}</title>
{{ $d := site.Params.description }}{{ if .IsPage }}{{ $d = .Summary | plainify | htmlUnescape | truncate 160 }}{{ end -}}
<meta name="description" content="{{ $d }}">
<link rel="canonical" href="{{ .Permalink }}">
<meta property="og:type" content="{{ if .IsPage }}article{{ else }}website{{ end }}">
<meta property="og:site_name" content="{{ site.Title }}">
<meta property="og:title" content="{{ .Title }} — {{ site.Title }}">
<meta property="og:description" content="{{ $d }}">
<meta property="og:url" content="{{ .Permalink }}">
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="{{ .Title }} — {{ site.Title }}">
<meta name="twitter:description" content="{{ $d }}">
<link rel="alternate" type="application/rss+xml" title="{{ site.Title }} (RSS)" href="/index.xml">
<link rel="alternate" type="application/atom+xml" title="{{ site.Title }} (Atom)" href="/atom.xml">
<link rel="stylesheet" href="/style.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site-header"><div class="wrap"><a class="brand" href="/">{{ site.Title }}</a>
<nav aria-label="Site"><ul><li><a href="/">Latest</a></li><li><a href="/issues/">Archive</a></li><li><a href="/tags/">Tags</a></li><li><a href="/search/">Search</a></li><li><a href="/index.xml">RSS</a></li><li><a href="/atom.xml">Atom</a></li></ul></nav></div></header>
<main id="main" class="wrap">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer"><div class="wrap"><p>{{ site.Params.description }}</p><p>Subscribe: <a href="/index.xml">RSS</a> · <a href="/atom.xml">Atom</a> · <a href="/tags/">topic feeds</a></p></div></footer>
</body>
</html>
"##,
    ),
    (
        "layouts/_default/single.html",
        r##"{{ define "main" }}<article class="paper">
<header>
<h1>{{ .Title }}</h1>
<p class="meta">Trending on {{ range .Params.issues }}<a href="/issues/{{ . }}/"><time datetime="{{ $.Date.Format "2006-01-02" }}">{{ $.Date.Format "2 January 2006" }}</time></a>{{ end }}</p>
{{ with .Params.authors }}<p class="authors">{{ delimit . ", " }}</p>{{ end }}
<ul class="tags" aria-label="Tags">{{ range .Params.tags }}<li><a href="/tags/{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>
</header>
<section class="abstract" aria-label="Abstract">{{ .Content }}</section>
<p class="outbound"><a href="https://arxiv.org/abs/{{ .Params.arxiv }}" rel="noopener">arXiv:{{ .Params.arxiv }}</a></p>
<nav class="pager" aria-label="Papers">{{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">← {{ .Title }}</a>{{ else }}<span></span>{{ end }}{{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }} →</a>{{ end }}</nav>
</article>{{ end }}
"##,
    ),
    (
        "layouts/_default/list.html",
        r##"{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $p := .Paginate .Pages }}<ol class="papers">
{{ range $p.Pages }}<li class="paper-item"><h2 class="paper-title"><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p><ul class="tags" aria-label="Tags">{{ range .Params.tags }}<li><a href="/tags/{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul><p class="excerpt">{{ .Summary | plainify | htmlUnescape | truncate 240 }}</p></li>
{{ end }}</ol>
{{ template "_internal/pagination.html" . }}{{ end }}
"##,
    ),
    (
        "layouts/_default/terms.html",
        r##"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul class="tag-cloud">{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> <span class="count">{{ .Count }}</span></li>
{{ end }}</ul>{{ end }}
"##,
    ),
    (
        "layouts/_default/list.atom.xml",
        r##"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{{ .Title }} — {{ site.Title }}</title><id>{{ .Permalink }}</id><link rel="self" href="{{ .Permalink }}atom.xml"/><updated>{{ with first 1 .RegularPages }}{{ (index . 0).Date.Format "2006-01-02T15:04:05Z07:00" }}{{ end }}</updated>{{ range first 50 .RegularPages }}
<entry><title>{{ .Title }}</title><id>{{ .Permalink }}</id><link href="{{ .Permalink }}"/><updated>{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}</updated>{{ range .Params.authors }}<author><name>{{ . }}</name></author>{{ end }}{{ range .Params.tags }}<category term="{{ . }}"/>{{ end }}<content type="html">{{ .Content | html }}</content></entry>{{ end }}
</feed>
"##,
    ),
    (
        "layouts/index.html",
        r##"{{ define "main" }}{{ $latest := index (site.Taxonomies.issues.ByCount) 0 }}<h1>Latest papers</h1>
<ol class="papers">{{ range first 50 site.RegularPages.ByDate.Reverse }}<li class="paper-item"><h2 class="paper-title"><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><ul class="tags" aria-label="Tags">{{ range .Params.tags }}<li><a href="/tags/{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul><p class="excerpt">{{ .Summary | plainify | htmlUnescape | truncate 240 }}</p></li>
{{ end }}</ol>
<aside class="more"><h2>Topics</h2><ul class="tag-cloud">{{ range site.Taxonomies.tags.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> <span class="count">{{ .Count }}</span></li>{{ end }}</ul></aside>{{ end }}
"##,
    ),
    (
        "layouts/index.json",
        r##"[{{ range $i, $p := site.RegularPages }}{{ if $i }},{{ end }}{"t":{{ $p.Title | jsonify }},"u":{{ $p.RelPermalink | jsonify }},"w":{{ $p.Plain | jsonify }}}{{ end }}]
"##,
    ),
    (
        "layouts/404.html",
        r##"{{ define "main" }}<h1>Page not found</h1><p><a href="/">Back to the latest issue</a></p>{{ end }}
"##,
    ),
];
