//! `/404.html`.

use anyhow::Result;
use tera::Context;

use crate::render::Renderer;

impl Renderer<'_> {
    /// The page a server sends for a path the site does not have.
    pub(crate) fn not_found(&self) -> Result<Vec<u8>> {
        let meta = self.meta(
            format!("{} — {}", self.lang.word("not_found"), self.config.title),
            self.lang.word("meta_not_found").to_string(),
            "404.html",
        );
        self.render("404.html", Context::new(), meta)
    }
}
