//! The digest cache on disk: image reference → (digest, fetched-at).
//!
//! One JSON file. Reading never fails: a missing or corrupt file is an empty
//! cache (and is overwritten by the next write). Writes go to a temporary file
//! in the same directory that is then renamed over the cache, so readers never
//! see a half-written file.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The file name inside [`super::Options::cache_dir`].
pub const CACHE_FILE: &str = "registry-digests.json";
const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    digest: String,
    /// Unix seconds.
    fetched_at: u64,
}

#[derive(Debug)]
pub(crate) struct DigestCache {
    path: PathBuf,
    ttl: Duration,
}

impl DigestCache {
    pub(crate) fn new(dir: &Path, ttl: Duration) -> Self {
        Self {
            path: dir.join(CACHE_FILE),
            ttl,
        }
    }

    /// The digest cached for `key`, if it was fetched less than ttl ago.
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        let now = unix_now();
        let entry = self.load().entries.remove(key)?;
        self.is_fresh(&entry, now).then_some(entry.digest)
    }

    /// Records `digest` for `key`; drops entries that have expired.
    /// A cache that cannot be written is not an error: the lookup still worked.
    pub(crate) fn put(&self, key: &str, digest: &str) {
        let now = unix_now();
        let mut file = self.load();
        file.version = VERSION;
        file.entries.retain(|_, entry| self.is_fresh(entry, now));
        file.entries.insert(
            key.to_owned(),
            Entry {
                digest: digest.to_owned(),
                fetched_at: now,
            },
        );
        // Ignored on purpose: see above.
        let _ = self.store(&file);
    }

    fn is_fresh(&self, entry: &Entry, now: u64) -> bool {
        // An entry from the future (clock moved back) is not trusted.
        now.checked_sub(entry.fetched_at)
            .is_some_and(|age| Duration::from_secs(age) < self.ttl)
    }

    fn load(&self) -> CacheFile {
        fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|file| file.version == VERSION)
            .unwrap_or_default()
    }

    fn store(&self, file: &CacheFile) -> std::io::Result<()> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = self.path.parent().unwrap_or_else(|| Path::new("."));
        fs::create_dir_all(dir)?;
        let temp = dir.join(format!(
            ".{CACHE_FILE}.{}.{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = (|| {
            let mut out = fs::File::create(&temp)?;
            out.write_all(&serde_json::to_vec_pretty(file).map_err(std::io::Error::other)?)?;
            out.sync_all()?;
            fs::rename(&temp, &self.path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
