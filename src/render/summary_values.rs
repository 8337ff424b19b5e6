//! Papers' summary values, made once per build and shared by every listing that shows them.
//!
//! A paper is listed about ten times in a build: on its issue, its tags' pages, and the pages
//! of its neighbours and of the papers it is related to. Made afresh each time (a map of
//! eleven values, its URLs formatted), summaries were 15% of a 100,000-paper build's CPU.
//! A summary value is one `Arc`, so a kept one is shared at the cost of a counter. Keeping
//! every paper's costs about 1.5 KB a paper (151 MB at 100,000 papers), 1.5 GB at a
//! million, so the slots are bounded: each paper has one, shared with the papers whose id is a multiple of
//! [`MAX_SLOTS`] away, and a paper whose slot holds another is made again.

use std::sync::Mutex;

use tera::Value;

use crate::model::PaperId;

/// At most this many summaries are kept: every paper of a site of up to 131,072 papers, and
/// about 200 MB at a million.
const MAX_SLOTS: usize = 1 << 17;

/// One build's summary values, by paper (see the module's note).
pub(crate) struct SummaryValues {
    slots: Vec<Mutex<Option<(PaperId, Value)>>>,
}

impl SummaryValues {
    /// Slots for a site of `papers` papers.
    pub(crate) fn for_papers(papers: usize) -> Self {
        SummaryValues {
            slots: (0..papers.min(MAX_SLOTS)).map(|_| Mutex::new(None)).collect(),
        }
    }

    /// Paper `id`'s summary: the one kept, or `make`'s, then kept. `make` must give the same
    /// value for the same paper throughout the build (a renderer's summaries do: the site
    /// does not change under it).
    pub(crate) fn get(&self, id: PaperId, make: impl FnOnce() -> Value) -> Value {
        let Some(slot) = self.slots.get(id % self.slots.len().max(1)) else {
            return make();
        };
        if let Some((held, value)) = &*slot.lock().expect("nothing panics holding a slot") {
            if *held == id {
                return value.clone();
            }
        }
        // Made outside the lock: two threads making the same summary at once make equal ones.
        let value = make();
        *slot.lock().expect("nothing panics holding a slot") = Some((id, value.clone()));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_is_made_once_while_its_slot_holds_it() {
        let values = SummaryValues::for_papers(4);
        let mut made = 0;
        for _ in 0..3 {
            let v = values.get(2, || {
                made += 1;
                Value::from("two")
            });
            assert_eq!(v.as_str(), Some("two"));
        }
        assert_eq!(made, 1);
    }

    #[test]
    fn papers_that_share_a_slot_get_their_own_summaries() {
        let values = SummaryValues::for_papers(MAX_SLOTS + 10);
        let (a, b) = (3, 3 + MAX_SLOTS);
        assert_eq!(values.get(a, || Value::from("a")).as_str(), Some("a"));
        assert_eq!(values.get(b, || Value::from("b")).as_str(), Some("b"));
        let mut made = 0;
        let again = values.get(a, || {
            made += 1;
            Value::from("a")
        });
        assert_eq!(
            (again.as_str(), made),
            (Some("a"), 1),
            "b took a's slot: a is made again"
        );
    }

    #[test]
    fn a_site_without_papers_keeps_nothing() {
        let values = SummaryValues::for_papers(0);
        assert_eq!(values.get(7, || Value::from("x")).as_str(), Some("x"));
    }
}
