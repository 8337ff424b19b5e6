//! The words of the last build, as bytes to keep beside the output (the pipeline keeps them
//! in `.public.words` and `.public.sealed-words`), so that a build in a new process reads
//! the words of new and edited papers only. Splitting, looking up and numbering every
//! paper's title and abstract was about 0.6 s of a daily build at 100,000 papers, for a day
//! of 300 new ones; reading the stored words back takes about 0.15 s.
//!
//! Two files: the sealed papers' words (the settled start of the archive, see
//! `Site::sealed_papers`), which a new day leaves as they are, and the other papers'. A
//! daily build rewrites only the second, a month of papers (storing every paper's words
//! again was 0.1 s and 90 MB a day at 100,000 papers); the first is written again when the
//! sealed papers change (once a month, or when one of them is edited or an older paper is
//! filed) or another paperboy runs.
//!
//! A paper's words depend only on this program and the paper's title and abstract, so an
//! entry is keyed by the paper's text hash and the whole by a hash of the program
//! ([`stored_words_key`]): words stored by another paperboy read as none. Each file also
//! holds the words themselves, those its papers use, in the order its numbers give; read
//! back, the sealed file's are numbered again in that order (see `Lexicon::replay`), so its
//! numbers hold, and the other file's are numbered after them. Numbers are free to differ
//! from a clean build's: nothing that decides the output depends on them (see
//! `lexicon.rs`). A file is trusted only when whole (its checksum matches) and every number
//! in it names one of its words.

use std::hash::{Hash, Hasher};
use std::io::{self, Read, Write};

use rustc_hash::{FxHashMap, FxHashSet};
use xxhash_rust::xxh3::Xxh3Default;

use super::lexicon::{Lexicon, Tokens, WordId};
use crate::le_bytes::Summed;
use crate::model::{Paper, Site};

/// First bytes of the file: what it is. Its format is the program's: the key after it
/// ([`stored_words_key`]) changes with every change to the source, so another version's
/// file reads as none, silently.
const MAGIC: &[u8] = b"paperboy words 1\n";

/// The most words or papers a read makes room for before it has them.
const RESERVE_MAX: u64 = 1 << 21;

/// The words a build read, as the next build can take them (see [`read_stored_words`]).
pub struct Seed {
    /// Every stored word, numbered as the stored papers' words are.
    pub(super) lexicon: Lexicon,
    /// Each stored paper's words, by the hash of its text.
    pub(super) tokens: FxHashMap<u64, Tokens>,
}

/// Where a build keeps its papers' words for the next build (the pipeline's files beside
/// the output): written once every paper's words are read, kept only if the build succeeds.
pub trait WordsStore: Send {
    /// Which sealed papers' words the store holds already (see [`sealed_words_tag`]); the
    /// build writes them only when its own sealed papers differ.
    fn sealed(&self) -> Option<u64>;
    /// Writes the bytes `write` gives for the sealed papers where they wait for
    /// [`WordsStore::commit`].
    fn stage_sealed(&mut self, write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()>;
    /// Writes the bytes `write` gives for the other papers where they wait for
    /// [`WordsStore::commit`].
    fn stage(&mut self, write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()>;
    /// Keeps the staged bytes: the build succeeded.
    fn commit(self: Box<Self>) -> io::Result<()>;
}

/// What stored words are valid for: this program.
pub fn stored_words_key() -> u64 {
    crate::config::program_hasher(&"words").finish()
}

/// Which papers the sealed words file of `site` holds: the first `papers`, by their texts.
/// Not a validity key (the program's is, and every entry is keyed by its text): it tells a
/// build whether the sealed file it found is the one it would write.
pub(super) fn sealed_words_tag(site: &Site, papers: usize) -> u64 {
    let mut h = Xxh3Default::new();
    papers.hash(&mut h);
    for p in &site.papers[..papers] {
        p.text_hash.hash(&mut h);
    }
    // 0 marks the file of the papers that are not sealed.
    h.finish().max(1)
}

/// Writes the words of `site`'s papers (`tokens`, by paper) to `store`: the sealed papers'
/// only when the store does not hold them already.
pub(super) fn stage(
    store: &mut dyn WordsStore,
    lexicon: &Lexicon,
    site: &Site,
    tokens: &[Option<Tokens>],
) -> io::Result<()> {
    let key = stored_words_key();
    let sealed = site.sealed_papers();
    let tag = sealed_words_tag(site, sealed);
    let (old, new) = site.papers.split_at(sealed);
    let (old_tokens, new_tokens) = tokens.split_at(sealed);
    if store.sealed() != Some(tag) {
        store.stage_sealed(&mut |out| encode(out, key, tag, lexicon, old, old_tokens))?;
    }
    store.stage(&mut |out| encode(out, key, 0, lexicon, new, new_tokens))
}

/// The words stored in `input` (of `len` bytes) by this program, with the tag they were
/// stored under (see [`sealed_words_tag`]; 0 for the papers that were not sealed): none
/// when another program stored them; why not (`is damaged (...)`, `cannot be read (...)`)
/// when they are not whole words of this format.
pub fn read_stored_words(input: impl Read, len: u64) -> Result<Option<(Seed, u64)>, String> {
    let replay = |words: &[String]| Lexicon::replay(words.iter().map(String::as_str));
    let Some(read) = decode(input, len, stored_words_key(), replay).map_err(why)? else {
        return Ok(None);
    };
    let lexicon = read.numbered.ok_or("is damaged (its words do not number as stored)")?;
    Ok(Some((
        Seed {
            lexicon,
            tokens: read.tokens,
        },
        read.tag,
    )))
}

impl Seed {
    /// Adds the words stored in `input` (of `len` bytes) by this program, numbering the
    /// words this seed does not have after its own; why not, as [`read_stored_words`] says,
    /// leaving the seed as it was.
    pub fn add_stored(&mut self, input: impl Read, len: u64) -> Result<(), String> {
        let Some(read) = decode(input, len, stored_words_key(), |_| ()).map_err(why)? else {
            return Ok(());
        };
        let numbers = self.lexicon.extend_with(read.words.iter().map(String::as_str));
        for (hash, mut paper) in read.tokens {
            paper.renumber(&numbers);
            self.tokens.entry(hash).or_insert(paper);
        }
        Ok(())
    }
}

/// The words of a [`Damage`].
fn why(damage: Damage) -> String {
    match damage {
        Damage::Io(e) => format!("cannot be read ({e})"),
        Damage::Format(why) => why.to_string(),
    }
}

/// The file: magic, key, tag (see [`sealed_words_tag`]), the words (count, then each as length and UTF-8), the papers
/// (count, then each as text hash, title length, word count, word numbers, join count,
/// joins), and a checksum of all that. Only the words the papers use, with their
/// lower-case forms, in the order of their numbers, numbered afresh from 0: a word of a
/// paper gone since is not carried from build to build. Papers in site order, one entry
/// per text, so that the same site gives the same bytes.
fn encode(
    out: &mut dyn Write,
    key: u64,
    tag: u64,
    lexicon: &Lexicon,
    papers: &[Paper],
    tokens: &[Option<Tokens>],
) -> io::Result<()> {
    let mut w = Summed::new(out);
    w.write_all(MAGIC)?;
    w.write_all(&key.to_le_bytes())?;
    w.write_all(&tag.to_le_bytes())?;
    let mut used = vec![false; lexicon.len()];
    for id in tokens.iter().flatten().flat_map(Tokens::all) {
        used[*id as usize] = true;
        used[lexicon.lower(*id) as usize] = true;
    }
    let mut number = vec![WordId::MAX; lexicon.len()];
    let mut count: WordId = 0;
    for (id, _) in used.iter().enumerate().filter(|(_, used)| **used) {
        number[id] = count;
        count += 1;
    }
    w.write_all(&u64::from(count).to_le_bytes())?;
    for (id, _) in used.iter().enumerate().filter(|(_, used)| **used) {
        let text = lexicon.text(id as WordId).as_bytes();
        w.write_all(&(text.len() as u32).to_le_bytes())?;
        w.write_all(text)?;
    }
    let mut seen = FxHashSet::default();
    let entries: Vec<(u64, &Tokens)> = papers
        .iter()
        .zip(tokens)
        .filter_map(|(paper, tokens)| Some((paper.text_hash, tokens.as_ref()?)))
        .filter(|(hash, _)| seen.insert(*hash))
        .collect();
    w.write_all(&(entries.len() as u64).to_le_bytes())?;
    let mut buf = Vec::new();
    for (hash, tokens) in entries {
        buf.clear();
        buf.extend_from_slice(&hash.to_le_bytes());
        buf.extend_from_slice(&(tokens.title().len() as u32).to_le_bytes());
        buf.extend_from_slice(&(tokens.all().len() as u32).to_le_bytes());
        for &id in tokens.all() {
            buf.extend_from_slice(&number[id as usize].to_le_bytes());
        }
        buf.extend_from_slice(&(tokens.joins().len() as u32).to_le_bytes());
        for &j in tokens.joins() {
            buf.extend_from_slice(&j.to_le_bytes());
        }
        w.write_all(&buf)?;
    }
    w.write_sum()
}

/// Why stored words were not taken.
enum Damage {
    Io(io::Error),
    Format(&'static str),
}

impl From<io::Error> for Damage {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::UnexpectedEof => Damage::Format("is damaged (cut short)"),
            _ => Damage::Io(e),
        }
    }
}

/// A reader that hashes what comes through it, and knows how much of the file is left:
/// every count is checked against that before anything is allocated for it, so a damaged
/// count costs a warning, never memory the file cannot fill.
struct SummedRead<R> {
    inner: R,
    sum: Xxh3Default,
    /// Bytes of the file not read yet (the checksum's 8 included).
    left: u64,
}

impl<R: Read> Read for SummedRead<R> {
    fn read(&mut self, bytes: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(bytes)?;
        self.sum.update(&bytes[..n]);
        self.left = self.left.saturating_sub(n as u64);
        Ok(n)
    }
}

impl<R: Read> SummedRead<R> {
    /// Fails unless `count` items of at least `each` bytes fit in what is left.
    fn fits(&self, count: u64, each: u64) -> Result<(), Damage> {
        match count.checked_mul(each) {
            Some(bytes) if bytes <= self.left => Ok(()),
            _ => Err(Damage::Format("is damaged (a count past its end)")),
        }
    }

    fn u32(&mut self) -> io::Result<u32> {
        let mut b = [0; 4];
        self.read_exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> io::Result<u64> {
        let mut b = [0; 8];
        self.read_exact(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// `n` numbers, when what is left of the file can hold them.
    fn u32s(&mut self, n: u32, buf: &mut Vec<u8>) -> Result<Vec<u32>, Damage> {
        self.fits(u64::from(n), 4)?;
        buf.resize(n as usize * 4, 0);
        self.read_exact(buf)?;
        Ok(buf
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }
}

/// A words file read whole: what `number` made of its words (on a thread of its own while
/// the papers were read), the words, each paper's words by text hash, and its tag.
struct Decoded<T> {
    numbered: T,
    words: Vec<String>,
    tokens: FxHashMap<u64, Tokens>,
    tag: u64,
}

/// The words in `file` (of `len` bytes) when stored for `key`; none for another key.
fn decode<T: Send>(
    file: impl Read,
    len: u64,
    key: u64,
    number: impl Fn(&[String]) -> T + Sync,
) -> Result<Option<Decoded<T>>, Damage> {
    let mut r = SummedRead {
        inner: file,
        sum: Xxh3Default::new(),
        left: len,
    };
    let mut magic = [0; MAGIC.len()];
    if r.read_exact(&mut magic).is_err() || magic != MAGIC {
        return Err(Damage::Format("is not a paperboy words file of this version"));
    }
    if r.u64()? != key {
        return Ok(None);
    }
    let tag = r.u64()?;
    let count = r.u64()?;
    // A word is its length and at least one byte.
    r.fits(count, 5)?;
    // Room made ahead for at most as many as a large site has: a count that fits the file
    // can still ask for five times its size in strings, before the checksum is known.
    let mut words = Vec::with_capacity(count.min(RESERVE_MAX) as usize);
    let mut buf = Vec::new();
    for _ in 0..count {
        let n = r.u32()?;
        if n == 0 {
            return Err(Damage::Format("is damaged (an empty word)"));
        }
        r.fits(u64::from(n), 1)?;
        buf.resize(n as usize, 0);
        r.read_exact(&mut buf)?;
        words.push(String::from_utf8(buf.clone()).map_err(|_| Damage::Format("is damaged (not UTF-8)"))?);
    }
    // The words are numbered on a thread of their own while the papers are read.
    let (tokens, numbered) = std::thread::scope(|scope| {
        let (words, number) = (&words, &number);
        let beside = std::thread::Builder::new().spawn_scoped(scope, move || number(words));
        let tokens = read_papers(&mut r, words.len());
        let numbered = match beside {
            Ok(thread) => thread.join().expect("numbering words does not panic"),
            Err(_) => number(words),
        };
        (tokens, numbered)
    });
    let tokens = tokens?;
    let sum = r.sum.digest();
    let mut stored = [0; 8];
    r.inner.read_exact(&mut stored)?;
    if u64::from_le_bytes(stored) != sum {
        return Err(Damage::Format("is damaged (its checksum does not match)"));
    }
    if r.inner.read(&mut [0])? != 0 {
        return Err(Damage::Format("is damaged (bytes after its checksum)"));
    }
    Ok(Some(Decoded {
        numbered,
        words,
        tokens,
        tag,
    }))
}

/// The papers' entries of a words file, each paper's numbers below `words`.
fn read_papers(r: &mut SummedRead<impl Read>, words: usize) -> Result<FxHashMap<u64, Tokens>, Damage> {
    let papers = r.u64()?;
    // An entry is at least its hash and three counts.
    r.fits(papers, 20)?;
    let mut tokens = FxHashMap::default();
    tokens.reserve(papers.min(RESERVE_MAX) as usize);
    let mut buf = Vec::new();
    for _ in 0..papers {
        let hash = r.u64()?;
        let title_len = r.u32()? as usize;
        let n = r.u32()?;
        let ids = r.u32s(n, &mut buf)?;
        let joins = r.u32()?;
        let joins = r.u32s(joins, &mut buf)?;
        let paper = Tokens::from_parts(ids, title_len, joins, words)
            .ok_or(Damage::Format("is damaged (a paper's words do not read)"))?;
        tokens.insert(hash, paper);
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Papers of one digest file, one per `(title, abstract)`.
    fn papers(texts: &[(&str, &str)]) -> Vec<Paper> {
        let body: String = texts.iter().map(|(title, text)| format!("{title}\n{text}\n")).collect();
        let config = crate::config::Config::default();
        let file = crate::content::parse_text(&body, std::path::Path::new("2026-01-05.txt"), &config, &mut |_| {})
            .expect("the digest parses");
        let site = crate::content::assemble(std::iter::once(&file));
        assert_eq!(site.papers.len(), texts.len());
        site.papers
    }

    fn stored(papers: &[Paper]) -> Vec<u8> {
        let (lexicon, tokens) = Lexicon::of_papers(papers);
        let mut bytes = Vec::new();
        encode(&mut bytes, 7, 0, &lexicon, papers, &tokens).unwrap();
        bytes
    }

    /// The seed stored in `bytes` for `key`, as a build reads the sealed file.
    fn decode(bytes: &[u8], len: u64, key: u64) -> Result<Option<Seed>, Damage> {
        let replay = |words: &[String]| Lexicon::replay(words.iter().map(String::as_str));
        let Some(read) = super::decode(bytes, len, key, replay)? else {
            return Ok(None);
        };
        let lexicon = read
            .numbered
            .ok_or(Damage::Format("its words do not number as stored"))?;
        Ok(Some(Seed {
            lexicon,
            tokens: read.tokens,
        }))
    }

    fn words(lexicon: &Lexicon, tokens: &Tokens) -> Vec<String> {
        tokens.all().iter().map(|&id| lexicon.text(id).to_string()).collect()
    }

    /// `after`, read back into `seed`, is `before` as `lexicon` read it: the same words, title
    /// length and joins, each word with the same lower-case form and stem.
    fn assert_same_words(seed: &Lexicon, after: &Tokens, lexicon: &Lexicon, before: &Tokens) {
        assert_eq!(words(seed, after), words(lexicon, before));
        assert_eq!(after.title().len(), before.title().len());
        assert_eq!(after.joins(), before.joins());
        for &id in after.all() {
            let old = lexicon.id(seed.text(id)).unwrap();
            assert_eq!(seed.text(seed.lower(id)), lexicon.text(lexicon.lower(old)));
            assert_eq!(seed.stem_text(seed.stem(id)), lexicon.stem_text(lexicon.stem(old)));
        }
    }

    /// Read back, each paper has the same words (as text: numbers may differ), title and
    /// hyphen joins; a paper gone from the site takes its words with it.
    #[test]
    fn words_read_back_as_they_were_read() {
        let site = papers(&[
            ("Deep RL-based Control", "We train deep agents. DEEP nets, 1D-CNN."),
            ("Gone", "Zyzzyva appears only here."),
            ("Graph nets", "Message-passing graph networks over Deep graphs."),
        ]);
        // The lexicon knows all three papers' words; the site stored keeps two of them.
        let (lexicon, tokens) = Lexicon::of_papers(&site);
        let kept = [site[0].clone(), site[2].clone()];
        let tokens_kept = vec![tokens[0].clone(), tokens[2].clone()];
        let mut bytes = Vec::new();
        encode(&mut bytes, 7, 0, &lexicon, &kept, &tokens_kept).unwrap();
        let seed = decode(&bytes[..], bytes.len() as u64, 7).ok().flatten().expect("whole");
        assert!(seed.lexicon.id("Zyzzyva").is_none(), "words of papers gone are dropped");
        for (paper, before) in kept.iter().zip(&tokens_kept) {
            let before = before.as_ref().unwrap();
            assert_same_words(&seed.lexicon, &seed.tokens[&paper.text_hash], &lexicon, before);
        }
    }

    /// The sealed papers' file and the others', read one onto the other, give each paper
    /// the words one file gives it: the second file's words are numbered after the first's,
    /// the words both have once. A damaged second file leaves the seed as it was.
    #[test]
    fn two_files_read_one_onto_the_other_give_the_words_of_one() {
        let site = papers(&[
            ("Deep RL-based Control", "We train deep agents. DEEP nets, 1D-CNN."),
            ("Graph nets", "Message-passing graph networks over Deep graphs."),
            ("Zyzzyva Deep", "Zyzzyva and DEEP graphs only here, Message-passing."),
        ]);
        let (lexicon, tokens) = Lexicon::of_papers(&site);
        let file = |papers: &[Paper], tokens: &[Option<Tokens>], tag: u64| {
            let mut bytes = Vec::new();
            encode(&mut bytes, stored_words_key(), tag, &lexicon, papers, tokens).unwrap();
            bytes
        };
        let sealed = file(&site[..1], &tokens[..1], 9);
        let live = file(&site[1..], &tokens[1..], 0);
        let (mut seed, tag) = read_stored_words(&sealed[..], sealed.len() as u64).unwrap().unwrap();
        assert_eq!(tag, 9);
        let known = seed.lexicon.len();
        let mut damaged = live.clone();
        let at = damaged.len() / 2;
        damaged[at] ^= 1;
        assert!(seed.add_stored(&damaged[..], damaged.len() as u64).is_err());
        assert_eq!(seed.tokens.len(), 1, "a damaged file adds no paper");
        seed.add_stored(&live[..], live.len() as u64).unwrap();
        assert!(
            seed.lexicon.len() > known,
            "the second file's own words are numbered after"
        );
        let mut again = std::collections::HashSet::new();
        for (paper, before) in site.iter().zip(&tokens) {
            let after = &seed.tokens[&paper.text_hash];
            assert_same_words(&seed.lexicon, after, &lexicon, before.as_ref().unwrap());
            again.extend(after.all().iter().map(|&id| seed.lexicon.text(id).to_string()));
        }
        assert!(
            again.contains("Deep") && again.contains("deep"),
            "words of both files, once"
        );
        assert!(seed.lexicon.id("Deep").is_some_and(|id| (id as usize) < known));
    }

    /// Any damage is refused, never trusted or a panic: every truncation, and a flipped
    /// byte anywhere; another program's words read as none.
    #[test]
    fn damaged_words_are_refused_and_another_programs_read_as_none() {
        let site = papers(&[("Deep RL-based Control", "We train deep agents over graphs.")]);
        let bytes = stored(&site);
        assert!(matches!(decode(&bytes[..], bytes.len() as u64, 8), Ok(None)));
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], cut as u64, 7).is_err(), "cut at {cut}");
        }
        for at in MAGIC.len() + 8..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x40;
            assert!(decode(&bad[..], bad.len() as u64, 7).is_err(), "flipped at {at}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer[..], longer.len() as u64, 7).is_err());
    }

    /// A count that the file cannot hold is refused before anything is allocated for it,
    /// even with a checksum that matches; a word of any length reads back.
    #[test]
    fn counts_past_the_end_are_refused_and_long_words_read_back() {
        let mut bytes = MAGIC.to_vec();
        bytes.extend(7u64.to_le_bytes());
        bytes.extend(0u64.to_le_bytes());
        bytes.extend((u64::MAX / 4).to_le_bytes());
        bytes.extend(xxhash_rust::xxh3::xxh3_64(&bytes).to_le_bytes());
        let Err(Damage::Format(why)) = decode(&bytes[..], bytes.len() as u64, 7) else {
            panic!("a count of 2^62 words was not refused");
        };
        assert!(why.contains("count past its end"), "{why}");
        let long = "a".repeat(70_000);
        let site = papers(&[("Long words", &format!("A sequence {long} of letters."))]);
        let bytes = stored(&site);
        let seed = decode(&bytes[..], bytes.len() as u64, 7).ok().flatten().expect("whole");
        assert!(seed.lexicon.id(&long).is_some());
    }
}
