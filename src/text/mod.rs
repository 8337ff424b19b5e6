//! Text: the leaf of the crate. Escaping, links, words, excerpts, stop words and math are
//! what every stage does to untrusted strings; these modules import nothing but each other.

mod escape;
mod excerpt;
mod links;
pub mod math;
mod stop_words;
mod words;

pub use escape::{clean_line, escape_html, escape_into, is_forbidden_char, paragraph_html};
pub use excerpt::{EXCERPT_MAX, excerpt, excerpt_source, wrap, wrap_list};
pub use links::{has_url, href_encode, is_safe_url, linkify_into, split_urls, url_encode};
pub use stop_words::{LATEX_MACROS, SEARCH_STOP_WORDS, SIMILARITY_STOP_WORDS};
pub use words::{Words, lowercased, words};
