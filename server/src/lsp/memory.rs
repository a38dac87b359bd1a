//! Giving freed memory back to the system once the server is idle.
//!
//! Parsing and analysing allocate on tokio's worker threads and the parse
//! threads, so glibc spreads the heap over several arenas; what an analysis
//! frees stays mapped in them, and the resident size of a server with many
//! documents open ends up a third above what it holds (measured with
//! `tests/bench/lsp-memory`). `malloc_trim` returns those pages; it walks the
//! heap (about a millisecond), so it runs only when no analysis has started
//! for a moment.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long the server must be idle before the heap is trimmed.
const IDLE: Duration = Duration::from_millis(500);

/// Counts analyses, so a trim waits for the last one.
#[derive(Default)]
pub struct Trimmer {
    generation: AtomicU64,
}

impl Trimmer {
    /// Called after an analysis: trims the heap if no other analysis starts
    /// within [`IDLE`].
    pub fn after_analysis(self: &Arc<Self>) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let trimmer = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(IDLE).await;
            if trimmer.generation.load(Ordering::SeqCst) == generation {
                trim();
            }
        });
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: `malloc_trim` only releases free memory of the allocator's own
    // arenas; it takes the arena locks and is safe to call from any thread.
    #[allow(unsafe_code)]
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
