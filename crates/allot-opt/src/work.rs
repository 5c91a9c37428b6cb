//! Deterministic work counting for `--work-limit`: the engines count what they do in work
//! units, and a search under a work limit stops when its units are spent, not when the
//! clock says, so the same input, plan, seed and limit give the same answer on any machine,
//! at any load and thread count.
//!
//! One work unit is one evaluation of a candidate move (an account family to a rep, or a
//! swap of two) by a local search. The other engines are counted in the same currency:
//! a tabu-search iteration counts the moves it scans, a construction or a Lagrangian dive
//! step counts the pairs it reads, a simplex iteration counts the LP's rows, and a
//! branch-and-bound node counts the model's columns (see [`LP_ITERATION`], [`NODE`]).
//!
//! Engines add to a per-thread tally ([`add`]); a search's [`Meter`] takes the tally when it
//! asks whether to stop, so the count never depends on what other threads do. Work that
//! runs in parallel gets a meter of its own with a fixed part of the budget
//! ([`crate::SearchContext::with_work`]), and the parent is charged what it used after the
//! join.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

thread_local! {
    static TALLY: Cell<u64> = const { Cell::new(0) };
}

/// Counts `n` work units done on this thread (taken by the next [`Meter::charge_tally`]).
#[inline]
pub fn add(n: u64) {
    TALLY.with(|c| c.set(c.get().saturating_add(n)));
}

/// Takes this thread's tally, leaving it empty.
pub(crate) fn take() -> u64 {
    TALLY.with(|c| c.replace(0))
}

/// Work units a simplex iteration counts per row of its LP.
pub const LP_ITERATION: u64 = 1;

/// Work units a branch-and-bound node counts per column of its model, for its node limit
/// (the solve itself is charged its LP iterations).
pub const NODE: u64 = 1;

/// A budget of work units and what was used of it. Each meter is used by one search at a
/// time (one thread), so its count is a function of the search alone.
#[derive(Debug)]
pub struct Meter {
    used: AtomicU64,
    limit: u64,
}

impl Meter {
    /// A fresh meter allowing `limit` units.
    pub fn new(limit: u64) -> Meter {
        Meter {
            used: AtomicU64::new(0),
            limit,
        }
    }

    /// Units used so far.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Units allowed.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Units left (0 once spent).
    pub fn left(&self) -> u64 {
        self.limit.saturating_sub(self.used())
    }

    /// Adds `n` used units.
    pub fn charge(&self, n: u64) {
        self.used.fetch_add(n, Ordering::Relaxed);
    }

    /// Moves this thread's tally onto the meter.
    pub fn charge_tally(&self) {
        self.charge(take());
    }

    /// Whether the budget is spent (after taking this thread's tally).
    pub fn spent(&self) -> bool {
        self.charge_tally();
        self.used() >= self.limit
    }
}

/// Runs `f` with an empty tally and returns what it counted, leaving the caller's tally as
/// it was: for work a thread may run while it waits for another (work stealing), so that
/// nobody is charged for work that is not theirs.
pub fn isolated<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let saved = take();
    let r = f();
    let counted = take();
    add(saved);
    (r, counted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meter_takes_only_its_threads_tally_and_isolated_work_keeps_its_own() {
        let m = Meter::new(10);
        add(4);
        let ((), inner) = isolated(|| add(100));
        assert_eq!(inner, 100);
        assert!(!m.spent());
        assert_eq!(m.used(), 4);
        std::thread::spawn(|| add(1000)).join().expect("thread");
        add(6);
        assert!(m.spent());
        assert_eq!(m.used(), 10);
        assert_eq!(m.left(), 0);
    }
}
