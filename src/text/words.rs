//! Words: how tagging, related papers and search split text, and lower-case it.

/// The words of `text`: maximal runs of letters and digits, in any script. Tagging, related
/// papers and search all split every abstract this way; this reads ASCII a byte at a time
/// instead of decoding and classifying every character.
pub fn words(text: &str) -> Words<'_> {
    Words { text, pos: 0 }
}

/// Iterator of [`words`].
pub struct Words<'a> {
    text: &'a str,
    pos: usize,
}

/// Byte classes for [`Words`]: ASCII letters and digits, other ASCII, and the bytes of
/// non-ASCII characters (classified per character).
const WORD: u8 = 1;
const NOT_WORD: u8 = 0;
const NON_ASCII: u8 = 2;
static BYTE_CLASS: [u8; 256] = {
    let mut table = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = if (b as u8).is_ascii_alphanumeric() {
            WORD
        } else {
            NOT_WORD
        };
        b += 1;
    }
    table
};

impl Words<'_> {
    /// Moves past characters while `in_word(c) == want`.
    fn skip(&mut self, want: bool) {
        let bytes = self.text.as_bytes();
        let class = if want { WORD } else { NOT_WORD };
        let mut pos = self.pos;
        loop {
            while pos < bytes.len() && BYTE_CLASS[bytes[pos] as usize] == class {
                pos += 1;
            }
            if pos == bytes.len() || BYTE_CLASS[bytes[pos] as usize] != NON_ASCII {
                break;
            }
            let c = self.text[pos..].chars().next().expect("at a char boundary");
            if c.is_alphanumeric() != want {
                break;
            }
            pos += c.len_utf8();
        }
        self.pos = pos;
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        self.skip(false);
        let start = self.pos;
        self.skip(true);
        (self.pos > start).then(|| &self.text[start..self.pos])
    }
}

/// `word` lower-cased: `word` itself when it is lower-case already, as nearly every word
/// is, else its lower-case form written into `buf` (ASCII without going through
/// `char::to_lowercase`). The lexicon lower-cases every distinct word this way.
#[inline]
pub fn lowercased<'a>(word: &'a str, buf: &'a mut String) -> &'a str {
    if word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        return word;
    }
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(word.chars().flat_map(char::to_lowercase));
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        let text = "  Über-fast, x2 GPU's naïve 東京 ε-net…é ";
        let split: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        assert_eq!(words(text).collect::<Vec<_>>(), split);
        assert_eq!(
            split,
            ["Über", "fast", "x2", "GPU", "s", "naïve", "東京", "ε", "net", "é"]
        );
        assert_eq!(words("").count(), 0);
        assert_eq!(words(" ,. ").count(), 0);
    }
}
