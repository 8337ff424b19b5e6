//! Abstracts kept out of memory. A paper's abstract, as text and HTML, is most of what a
//! site holds for it (about 1.8 KB of the 4.7 KB per paper after loading), and a build
//! needs it a handful of times: for its words, its listings' excerpts, its own page, a feed.
//! A build therefore moves every abstract, as soon as its file is parsed, into a
//! [`TextStore`] (a file beside the output, `output/spill.rs`, or the parse cache entry the
//! file's papers were read from, `content/cache.rs`) and holds a [`LongText`] handle of 32
//! bytes in its place; the text is read back when a stage needs it.
//!
//! The model stays plain data: it knows a store of bytes, not where the bytes are. Watch
//! mode and `paperboy check` keep their abstracts in memory (a save re-reads few of them,
//! and its latency is the point), so a [`LongText`] is either.

use std::borrow::Cow;
use std::io;
use std::sync::Arc;

use super::SharedText;

/// Where texts moved out of memory are kept: written once, read any number of times, from
/// any thread.
pub trait TextStore: Send + Sync {
    /// Keeps `bytes`; where they start, for [`TextStore::read`].
    fn append(&self, bytes: &[u8]) -> io::Result<u64>;
    /// The `len` bytes kept at `at`.
    fn read(&self, at: u64, len: u32) -> io::Result<Vec<u8>>;
}

/// Text that may live in a [`TextStore`] instead of memory; [`LongText::read`] gives it back.
#[derive(Clone)]
pub enum LongText {
    /// In memory, shared.
    Held(SharedText),
    /// `len` bytes at `at` in a store.
    Stored {
        /// The store, kept alive while any handle to it is.
        store: Arc<dyn TextStore>,
        /// Byte offset.
        at: u64,
        /// Byte length.
        len: u32,
    },
}

impl LongText {
    /// The text, read back from its store when it is there.
    ///
    /// # Panics
    /// When the store cannot give it back. The store is this process's own unnamed file,
    /// written moments before, or a parse cache entry checked whole and held open since
    /// (see `content/cache.rs`), so that is a failing disk, or another program cutting a
    /// file beside the output during the build: the same class of fault as memory that
    /// cannot be paged in, which no stage could recover from either.
    pub fn read(&self) -> Cow<'_, str> {
        match self {
            LongText::Held(text) => Cow::Borrowed(text),
            LongText::Stored { store, at, len } => {
                let bytes = store.read(*at, *len).unwrap_or_else(|e| {
                    panic!(
                        "an abstract kept out of memory (in the build's own file or a parse cache entry) could not be read back: {e} — was a file beside the output changed during the build? Build again"
                    )
                });
                Cow::Owned(String::from_utf8(bytes).expect("a stored range holds the UTF-8 text written to it"))
            }
        }
    }

    /// Whether the text is kept in a store rather than in memory.
    pub fn is_stored(&self) -> bool {
        matches!(self, LongText::Stored { .. })
    }

    /// Moves each of `texts` held in memory into `store` (one write for all of them), and
    /// replaces it with its handle. On a write error every text stays in memory: the build
    /// then costs more memory, nothing else.
    pub fn store_all(texts: &mut [&mut LongText], store: &Arc<dyn TextStore>) -> io::Result<()> {
        let mut bytes = Vec::new();
        let mut ranges = Vec::with_capacity(texts.len());
        for text in texts.iter() {
            match &**text {
                LongText::Held(held) => {
                    let len = u32::try_from(held.len()).map_err(|_| io::Error::other("a text over 4 GB"))?;
                    ranges.push(Some((bytes.len() as u64, len)));
                    bytes.extend_from_slice(held.as_bytes());
                }
                LongText::Stored { .. } => ranges.push(None),
            }
        }
        if bytes.is_empty() {
            return Ok(());
        }
        let start = store.append(&bytes)?;
        for (text, range) in texts.iter_mut().zip(ranges) {
            if let Some((offset, len)) = range {
                **text = LongText::Stored {
                    store: Arc::clone(store),
                    at: start + offset,
                    len,
                };
            }
        }
        Ok(())
    }
}

impl From<String> for LongText {
    fn from(text: String) -> Self {
        LongText::Held(text.into())
    }
}

impl From<&str> for LongText {
    fn from(text: &str) -> Self {
        LongText::Held(text.into())
    }
}

impl From<SharedText> for LongText {
    fn from(text: SharedText) -> Self {
        LongText::Held(text)
    }
}

impl std::fmt::Debug for LongText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LongText::Held(text) => text.fmt(f),
            LongText::Stored { at, len, .. } => write!(f, "<{len} bytes at {at} in a store>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A store in memory, to test the handles without a file (the file's own tests are
    /// in `output/spill.rs`).
    #[derive(Default)]
    struct Bytes(Mutex<Vec<u8>>);

    impl TextStore for Bytes {
        fn append(&self, bytes: &[u8]) -> io::Result<u64> {
            let mut all = self.0.lock().unwrap();
            all.extend_from_slice(bytes);
            Ok((all.len() - bytes.len()) as u64)
        }

        fn read(&self, at: u64, len: u32) -> io::Result<Vec<u8>> {
            Ok(self.0.lock().unwrap()[at as usize..][..len as usize].to_vec())
        }
    }

    #[test]
    fn texts_read_back_as_written_and_are_stored_once() {
        let store: Arc<dyn TextStore> = Arc::new(Bytes::default());
        let originals = ["first — Δ", "", "third, longer: x^{1/2}"];
        let mut texts: Vec<LongText> = originals.iter().map(|t| LongText::from(*t)).collect();
        LongText::store_all(&mut texts.iter_mut().collect::<Vec<_>>(), &store).unwrap();
        assert!(texts.iter().all(LongText::is_stored));
        for (text, original) in texts.iter().zip(originals) {
            assert_eq!(text.read(), original);
        }
        let before = format!("{texts:?}");
        LongText::store_all(&mut texts.iter_mut().collect::<Vec<_>>(), &store).unwrap();
        assert_eq!(format!("{texts:?}"), before, "a stored text is not written again");
    }

    /// A store whose disk is full.
    struct Full;

    impl TextStore for Full {
        fn append(&self, _: &[u8]) -> io::Result<u64> {
            Err(io::Error::other("no space left on device"))
        }

        fn read(&self, _: u64, _: u32) -> io::Result<Vec<u8>> {
            unreachable!("nothing was stored")
        }
    }

    #[test]
    fn a_failed_write_leaves_every_text_in_memory() {
        let store: Arc<dyn TextStore> = Arc::new(Full);
        let mut a = LongText::from("one");
        let mut b = LongText::from("two");
        assert!(LongText::store_all(&mut [&mut a, &mut b], &store).is_err());
        assert!(!a.is_stored() && !b.is_stored());
        assert_eq!((a.read(), b.read()), ("one".into(), "two".into()));
    }

    #[test]
    fn a_handle_is_small() {
        // What a paper holds per abstract field instead of the text (the docs say 32).
        assert_eq!(std::mem::size_of::<LongText>(), 32);
    }

    #[test]
    fn nothing_to_write_leaves_texts_in_memory() {
        let store: Arc<dyn TextStore> = Arc::new(Bytes::default());
        let mut empty = LongText::from("");
        LongText::store_all(&mut [&mut empty], &store).unwrap();
        assert!(!empty.is_stored());
    }
}
