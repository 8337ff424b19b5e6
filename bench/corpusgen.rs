//! Deterministic synthetic corpora for the benchmark: realistic titles and abstracts
//! recombined from the sample corpus's own sentences, 20–50 papers per daily issue, a mix of
//! digest files and Markdown papers with explicit tags.
//!
//! cargo run --release --example corpusgen -- --papers N --out DIR [--seed S] [--md-share 0.3] [--hugo]
//!
//! `--hugo` also writes the same papers as a Hugo site (DIR/hugo) for side-by-side timing.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

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
    hugo: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        papers: 1000,
        out: PathBuf::from("bench-site"),
        seed: 1,
        md_share: 0.3,
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
    let _ = fs::remove_dir_all(&args.out);
    fs::create_dir_all(&content).unwrap();
    fs::write(
        args.out.join("paperboy.toml"),
        "title = \"Benchmark Digest\"\nbase_url = \"https://bench.example/\"\n",
    )
    .unwrap();
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

/// The same corpus as a Hugo site with a page per paper, per issue and per tag, and RSS for
/// the site and every tag (Hugo's equivalent of paperboy's output).
fn write_hugo(dir: &Path, pages: &[(usize, chrono::NaiveDate, Paper)]) {
    let content = dir.join("content/papers");
    fs::create_dir_all(&content).unwrap();
    fs::write(
        dir.join("hugo.toml"),
        "baseURL = \"https://bench.example/\"\ntitle = \"Benchmark Digest\"\ndisableKinds = [\"robotsTXT\"]\n\
         [taxonomies]\ntag = \"tags\"\nissue = \"issues\"\n\
         [outputs]\nhome = [\"HTML\", \"RSS\", \"Atom\"]\nterm = [\"HTML\", \"RSS\", \"Atom\"]\n\
         [outputFormats.Atom]\nmediaType = \"application/atom+xml\"\nbaseName = \"atom\"\nisPlainText = false\n\
         [mediaTypes.\"application/atom+xml\"]\nsuffixes = [\"xml\"]\n\
         [services.rss]\nlimit = 50\n",
    )
    .unwrap();
    let layouts = dir.join("layouts/_default");
    fs::create_dir_all(&layouts).unwrap();
    let base = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/tags/\">Tags</a></nav>";
    fs::write(
        layouts.join("single.html"),
        format!("{base}<h1>{{{{ .Title }}}}</h1><p>{{{{ .Date.Format \"2006-01-02\" }}}}</p><ul>{{{{ range .Params.tags }}}}<li><a href=\"/tags/{{{{ . | urlize }}}}/\">{{{{ . }}}}</a></li>{{{{ end }}}}</ul>{{{{ .Content }}}}</body></html>"),
    )
    .unwrap();
    let list_page = format!(
        "{base}<h1>{{{{ .Title }}}}</h1><ol>{{{{ range .Pages }}}}<li><a href=\"{{{{ .RelPermalink }}}}\">{{{{ .Title }}}}</a> {{{{ .Summary }}}}</li>{{{{ end }}}}</ol></body></html>"
    );
    fs::write(layouts.join("list.html"), &list_page).unwrap();
    fs::write(layouts.join("terms.html"), &list_page).unwrap();
    fs::write(layouts.join("index.html"), &list_page).unwrap();
    fs::write(
        layouts.join("list.atom.xml"),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{{ .Title }}</title><id>{{ .Permalink }}</id><updated>{{ now.Format \"2006-01-02T15:04:05Z07:00\" }}</updated>{{ range first 50 .Pages }}<entry><title>{{ .Title }}</title><id>{{ .Permalink }}</id><link href=\"{{ .Permalink }}\"/><updated>{{ .Date.Format \"2006-01-02T15:04:05Z07:00\" }}</updated><content type=\"html\">{{ .Content | html }}</content></entry>{{ end }}</feed>",
    )
    .unwrap();
    for (n, date, p) in pages {
        let fm = format!(
            "+++\ntitle = {}\ndate = {date}\ntags = [{}]\nissues = [\"{date}\"]\n+++\n{}\n",
            toml_str(&p.title),
            list(&p.tags),
            p.abstract_text
        );
        fs::write(content.join(format!("p{n:06}.md")), fm).unwrap();
    }
}
