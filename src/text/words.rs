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
/// `char::to_lowercase`), with math's styled letters and raised or lowered digits as plain
/// ones ([`plain_char`]). The lexicon lower-cases every distinct word this way.
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
        buf.extend(word.chars().map(plain_char).flat_map(char::to_lowercase));
    }
    buf
}

/// The plain letter or digit that a styled one stands for: math's script, bold,
/// double-struck and other letters and digits (`$\mathcal{B}^{3}$-Net` is shown as
/// ℬ³-Net) and raised or lowered digits (T²PO). Titles name methods this way, and a reader
/// types the name as "B3-Net" or "T2PO": tagging, related papers and search read the
/// plain form. These are the characters Unicode's compatibility mapping (NFKC) takes to a
/// single ASCII letter or digit, but for Greek (kept as it is). `search.js` folds a query
/// with the same table (`plain`), so both must change together.
pub(crate) fn plain_char(c: char) -> char {
    let code = c as u32;
    let letter = |n: u32| char::from(if n < 26 { b'A' + n as u8 } else { b'a' + (n - 26) as u8 });
    match c {
        '\u{b2}' => '2',
        '\u{b3}' => '3',
        '\u{b9}' => '1',
        '\u{2070}' => '0',
        '\u{2074}'..='\u{2079}' => char::from(b'4' + (code - 0x2074) as u8),
        '\u{2080}'..='\u{2089}' => char::from(b'0' + (code - 0x2080) as u8),
        // Letterlike Symbols: the letters that the styled alphabets below leave out.
        'ℂ' | 'ℭ' => 'C',
        'ℊ' => 'g',
        'ℋ' | 'ℌ' | 'ℍ' => 'H',
        'ℎ' => 'h',
        'ℐ' | 'ℑ' => 'I',
        'ℒ' => 'L',
        'ℓ' => 'l',
        'ℕ' => 'N',
        'ℙ' => 'P',
        'ℚ' => 'Q',
        'ℛ' | 'ℜ' | 'ℝ' => 'R',
        'ℤ' | 'ℨ' => 'Z',
        'ℬ' => 'B',
        'ℯ' => 'e',
        'ℰ' => 'E',
        'ℱ' => 'F',
        'ℳ' => 'M',
        'ℴ' => 'o',
        // Mathematical Alphanumeric Symbols: thirteen alphabets of A-Z then a-z, the
        // dotless i and j, (Greek,) and five sets of digits.
        '\u{1d400}'..='\u{1d6a3}' => letter((code - 0x1d400) % 52),
        '\u{1d6a4}' => 'i',
        '\u{1d6a5}' => 'j',
        '\u{1d7ce}'..='\u{1d7ff}' => char::from(b'0' + ((code - 0x1d7ce) % 10) as u8),
        _ => c,
    }
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

    #[test]
    fn styled_letters_and_digits_read_as_plain_ones() {
        // Names from titles of real arXiv listings (May 2026), as their LaTeX is shown.
        let mut buf = String::new();
        let plain: Vec<String> = ["ℬ³", "T²PO", "𝒜²", "ℝ", "𝐱₁", "𝔼", "𝟙", "A²TGPO", "ε", "Über"]
            .iter()
            .map(|w| lowercased(w, &mut buf).to_string())
            .collect();
        assert_eq!(plain, ["b3", "t2po", "a2", "r", "x1", "e", "1", "a2tgpo", "ε", "über"]);
        // Every styled Latin letter and digit of the math block folds to ASCII.
        for code in (0x1d400..=0x1d6a5).chain(0x1d7ce..=0x1d7ff) {
            if let Some(c) = char::from_u32(code) {
                assert!(plain_char(c).is_ascii_alphanumeric(), "{c} U+{code:X}");
            }
        }
        assert_eq!(plain_char('𝐀'), 'A');
        assert_eq!(plain_char('𝐳'), 'z');
        assert_eq!(plain_char('𝚣'), 'z');
        assert_eq!(plain_char('𝟗'), '9');
        assert_eq!(plain_char('𝟿'), '9');
    }
}
