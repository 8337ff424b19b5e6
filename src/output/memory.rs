//! A site kept in memory: for `paperboy check`, which builds without writing anything.

use std::collections::BTreeMap;
use std::sync::Mutex;

use anyhow::Result;

use super::Sink;

/// Every file put, by path.
#[derive(Debug, Default)]
pub struct Memory {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Memory {
    /// The files, by path (relative to the output root, `/`-separated).
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().expect("no writer panicked")
    }
}

impl Sink for Memory {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.files
            .lock()
            .expect("no writer panicked")
            .insert(path.to_string(), bytes.to_vec());
        Ok(())
    }
}
