//! Readable ASCII URL segments. URLs are kept by feed readers and search engines, so a slug
//! depends only on the text it names, never on build order or the clock.

/// Longest slug, in bytes, before it is cut at a word boundary.
const MAX_LEN: usize = 80;

/// The longest slug a paper can have, in bytes: a cut slug (or `paper-<hash>`), plus what
/// tells clashing titles apart (`-<hash>-<n>`, see `content::assemble`). The sitemap sizes
/// its parts by it without reading every paper's slug.
pub const MAX_PAPER_SLUG_LEN: usize = MAX_LEN + "-".len() + 8 + "-".len() + 20;

/// `"Attention Is All You Need!"` → `"attention-is-all-you-need"`. Non-ASCII letters are
/// transliterated (`"Über"` → `"uber"`); what cannot be transliterated is dropped.
/// Returns an empty string when nothing usable is left; see [`slug_or_hash`].
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.len() > MAX_LEN {
        let cut = slug[..MAX_LEN].rfind('-').unwrap_or(MAX_LEN);
        slug.truncate(cut);
    }
    slug
}

/// A slug that is never empty: text with nothing to transliterate (emoji, symbols) gets
/// `prefix-<hash>`, where the hash is of the text so it stays the same across builds.
pub fn slug_or_hash(text: &str, prefix: &str) -> String {
    let slug = slugify(text);
    if slug.is_empty() {
        format!("{prefix}-{}", short_hash(text))
    } else {
        slug
    }
}

/// Eight hex digits of a stable 64-bit FNV-1a hash: the standard library's hasher is seeded
/// per process, which would make slugs change between builds.
pub fn short_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", (h >> 32) as u32 ^ h as u32)
}

/// The key under which two titles count as the same paper: letters and digits only,
/// lower-cased, so case, spacing and punctuation differences do not split a paper in two.
pub fn fold_title(title: &str) -> String {
    title
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_ascii() {
        assert_eq!(slugify("Attention Is All You Need!"), "attention-is-all-you-need");
        assert_eq!(slugify("  Über  die Welt: α-β "), "uber-die-welt-a-b");
        assert_eq!(slugify("<script>alert(1)</script>"), "script-alert-1-script");
    }

    #[test]
    fn long_slugs_are_cut_at_a_word() {
        let s = slugify(&"word ".repeat(40));
        assert!(s.len() <= MAX_LEN && !s.ends_with('-'), "{s}");
    }

    #[test]
    fn symbol_only_titles_get_a_stable_slug() {
        assert_eq!(slugify("🚀"), "rocket", "emoji transliterate to words");
        let a = slug_or_hash("→ ★ ¿", "paper");
        assert!(a.starts_with("paper-") && a.len() == 14, "{a}");
        assert_eq!(a, slug_or_hash("→ ★ ¿", "paper"));
        assert_ne!(a, slug_or_hash("→ ★", "paper"));
    }

    #[test]
    fn folding_ignores_case_space_and_punctuation() {
        assert_eq!(fold_title("Deep RL: A Survey"), fold_title("deep  rl — a survey."));
    }
}
