//! Handing the memory a stage freed back to the OS before the next stage allocates its own.
//!
//! A one-off build keeps freed memory to reuse it (see `keep_freed_memory` in `main.rs`),
//! which is right for the millions of small allocations that come and go within a stage.
//! Between stages it is not: the words, then related papers' vectors and postings, then the
//! listings' summaries and the search plan are each a working set of their own, of sizes
//! the next stage does not reuse, so the peak was the sum of the stages instead of the
//! largest. At a million papers, handing back after the words and after related papers
//! took the peak from 5.7 GB to 5.1 GB, for no measurable time.
//!
//! The library does not know the binary's allocator: the binary says how to hand back
//! ([`set_hand_back`]), and stages say when ([`hand_back`]). Without it (tests, other
//! embedders) [`hand_back`] does nothing.

use std::sync::OnceLock;

static HAND_BACK: OnceLock<fn()> = OnceLock::new();

/// Sets how the allocator hands freed memory back; only the first call counts.
pub fn set_hand_back(how: fn()) {
    let _ = HAND_BACK.set(how);
}

/// Called where a stage has just dropped a large working set: the memory goes back to the
/// OS instead of waiting for allocations of its size that will not come.
pub fn hand_back() {
    if let Some(how) = HAND_BACK.get() {
        how();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    fn count() {
        CALLS.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn stages_hand_back_the_way_the_binary_set_and_only_that_one() {
        super::hand_back();
        assert_eq!(CALLS.load(Ordering::SeqCst), 0, "nothing set: nothing called");
        super::set_hand_back(count);
        super::set_hand_back(|| panic!("a second setting is ignored"));
        super::hand_back();
        super::hand_back();
        assert_eq!(CALLS.load(Ordering::SeqCst), 2);
    }
}
