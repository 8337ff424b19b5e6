//! `/404.html`.

use anyhow::Result;
use tera::Context;

use crate::render::Renderer;

impl Renderer<'_> {
    /// The page a server sends for a path the site does not have. It has no canonical
    /// address (the templates then ask search engines not to index it): served at every
    /// missing path, it is no page of its own to send them to.
    pub(crate) fn not_found(&self) -> Result<Vec<u8>> {
        let mut meta = self.meta(
            format!("{} — {}", self.lang.word("not_found"), self.config.title),
            self.lang.word("meta_not_found").to_string(),
            "404.html",
        );
        meta.canonical.clear();
        self.render("404.html", Context::new(), meta)
    }
}
