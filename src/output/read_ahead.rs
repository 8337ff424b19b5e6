//! What a build reads of the previous build before it knows what it will render: the
//! manifest and the build cache beside the output, and a listing of the staging folder
//! (which the commit needs to find stale files). They depend on the output folder alone,
//! so a build reads them on threads of their own while the content loads. At 100,000
//! papers a daily build read the manifest and the cache for 0.25 s after its last
//! fingerprint, then waited at the commit for the walk of 100,000 folders, which it had
//! begun only then.

use std::path::Path;
use std::thread::JoinHandle;

use rustc_hash::FxHashMap;

use super::job_cache::Unchecked;
use super::listing::{Listing, list_ahead};
use super::lock::OutputLock;
use super::manifest::{Record, read_manifest};
use super::manifest_path;
use super::staging::Ahead;

/// The previous build's manifest and build cache, being read, and its staging folder,
/// being listed (see the module documentation). The output's lock keeps other builds from
/// writing any of them meanwhile.
pub struct ReadAhead {
    reading: Option<JoinHandle<Previous>>,
    listing: Option<Listing>,
}

/// The previous build's manifest and build cache, as read.
type Previous = (FxHashMap<String, Record>, Unchecked);

/// Reads the manifest and the build cache beside output folder `out`.
fn read_previous(out: &Path) -> Previous {
    (read_manifest(&manifest_path(out)), Unchecked::read(out))
}

impl ReadAhead {
    /// Starts reading what the previous build left beside the output `lock` holds, and
    /// listing its staging folder. Where no thread can be started, [`ReadAhead::finish`]
    /// reads them itself (and the staging folder is listed when the build stages).
    pub fn start(lock: &OutputLock) -> ReadAhead {
        let out = lock.output().to_path_buf();
        let listing = list_ahead(&out);
        let reading = std::thread::Builder::new()
            .name("read-ahead".into())
            .spawn(move || read_previous(&out))
            .ok();
        ReadAhead { reading, listing }
    }

    /// What the staging takes (see [`Staging::begin_with`](super::Staging)) and the build
    /// cache, for the build to check against its setup; once read (read now when no
    /// thread could read them).
    pub(crate) fn finish(self, lock: &OutputLock) -> (Ahead, Unchecked) {
        let read = self.reading.and_then(|reading| reading.join().ok());
        let (manifest, jobs) = read.unwrap_or_else(|| read_previous(lock.output()));
        let ahead = Ahead {
            manifest: Some(manifest),
            listing: self.listing,
        };
        (ahead, jobs)
    }
}
