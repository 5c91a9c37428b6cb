//! Progress of a running search for a display or a log: an optional observer on the
//! [`crate::SearchContext`], told when a segment starts, when its best solution or its
//! bound improves, and when it ends. Observing never changes the search: the observer is
//! called only on improvement (never per move), reads no clock or counter the search
//! reads, and is shared by every worker thread.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::portfolio::{SegmentOutcome, Status};

/// What a segment is, as the search starts.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentInfo {
    /// Segment name.
    pub name: String,
    /// Units (account families) to place.
    pub units: usize,
    /// Reps taking accounts.
    pub reps: usize,
}

/// One report of a running search.
#[derive(Clone, Debug, PartialEq)]
pub enum ProgressEvent {
    /// The segment models are built; the search starts on these segments (by index).
    Built {
        /// Every segment, in index order.
        segments: Vec<SegmentInfo>,
    },
    /// A segment's search began.
    Started {
        /// Segment index.
        segment: usize,
    },
    /// A segment's best solution or its proven lower bound improved.
    Improved {
        /// Segment index.
        segment: usize,
        /// Objective of the best solution found so far, if any.
        objective: Option<f64>,
        /// Caps and hard bands it breaks (0 = feasible), as a sum of relative excesses.
        violation: Option<f64>,
        /// Best proven lower bound so far, if any.
        bound: Option<f64>,
        /// Seconds since the segment started.
        elapsed_s: f64,
    },
    /// A segment's search ended.
    Finished {
        /// Segment index.
        segment: usize,
        /// How it ended.
        status: Status,
        /// Objective of the kept solution.
        objective: f64,
        /// Proven lower bound.
        bound: f64,
        /// Caps and hard bands broken by the kept solution (0 = feasible).
        violation: f64,
        /// Work units spent.
        work: u64,
        /// Seconds spent.
        seconds: f64,
    },
}

/// The observer a display or log hands the search; called from any worker thread.
pub type Observer = Arc<dyn Fn(&ProgressEvent) + Send + Sync>;

/// The observer and, inside a segment's search, that segment's best so far (shared by the
/// segment's parallel starts, so that only a segment-wide improvement is reported).
#[derive(Clone)]
pub struct Progress {
    observer: Observer,
    segment: Option<Arc<Track>>,
}

/// One segment's best solution and bound as reported so far.
struct Track {
    index: usize,
    started: Instant,
    best: Mutex<Best>,
}

#[derive(Default)]
struct Best {
    /// (objective, violation) of the best solution reported.
    solution: Option<(f64, f64)>,
    /// The best bound reported.
    bound: Option<f64>,
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Progress")
            .field("segment", &self.segment.as_ref().map(|t| t.index))
            .finish_non_exhaustive()
    }
}

/// Whether (objective, violation) `a` beats `b`: less violation first, then a lower
/// objective (by more than a relative 1e-9).
fn better(a: (f64, f64), b: (f64, f64)) -> bool {
    if a.1 < b.1 - 1e-12 {
        return true;
    }
    a.1 <= b.1 + 1e-12 && a.0 < b.0 - 1e-9 * (1.0 + b.0.abs())
}

impl Progress {
    /// Progress reported to `observer`.
    pub fn new(observer: Observer) -> Progress {
        Progress {
            observer,
            segment: None,
        }
    }

    /// Hands `event` to the observer.
    pub fn emit(&self, event: &ProgressEvent) {
        (self.observer)(event);
    }

    /// The same observer inside segment `index`'s search (which starts now).
    pub fn for_segment(&self, index: usize) -> Progress {
        Progress {
            observer: self.observer.clone(),
            segment: Some(Arc::new(Track {
                index,
                started: Instant::now(),
                best: Mutex::new(Best::default()),
            })),
        }
    }

    /// A solution of the current segment was found: reported when it beats the best so far.
    pub fn offer(&self, objective: f64, violation: f64) {
        let Some(t) = &self.segment else { return };
        if !objective.is_finite() || !violation.is_finite() {
            return;
        }
        let Ok(mut b) = t.best.lock() else { return };
        if b.solution
            .is_some_and(|s| !better((objective, violation), s))
        {
            return;
        }
        b.solution = Some((objective, violation));
        self.improved(t, &b);
    }

    /// A lower bound on the current segment was proven: reported when it beats the best so far.
    pub fn offer_bound(&self, bound: f64) {
        let Some(t) = &self.segment else { return };
        if !bound.is_finite() {
            return;
        }
        let Ok(mut b) = t.best.lock() else { return };
        if b.bound.is_some_and(|x| bound <= x + 1e-9 * (1.0 + x.abs())) {
            return;
        }
        b.bound = Some(bound);
        self.improved(t, &b);
    }

    /// The current segment's search ended with `outcome`.
    pub fn finished(&self, outcome: &SegmentOutcome) {
        let Some(t) = &self.segment else { return };
        self.emit(&ProgressEvent::Finished {
            segment: t.index,
            status: outcome.status,
            objective: outcome.objective,
            bound: outcome.bound,
            violation: outcome.violation,
            work: outcome.work,
            seconds: outcome.seconds,
        });
    }

    fn improved(&self, t: &Track, b: &Best) {
        self.emit(&ProgressEvent::Improved {
            segment: t.index,
            objective: b.solution.map(|s| s.0),
            violation: b.solution.map(|s| s.1),
            bound: b.bound,
            elapsed_s: t.started.elapsed().as_secs_f64(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorder() -> (Progress, Arc<Mutex<Vec<ProgressEvent>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let p = Progress::new(Arc::new(move |e: &ProgressEvent| {
            s.lock().expect("lock").push(e.clone());
        }));
        (p, seen)
    }

    fn objectives(seen: &Mutex<Vec<ProgressEvent>>) -> Vec<(Option<f64>, Option<f64>)> {
        seen.lock()
            .expect("lock")
            .iter()
            .filter_map(|e| match e {
                ProgressEvent::Improved {
                    objective, bound, ..
                } => Some((*objective, *bound)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn only_improvements_are_reported() {
        let (p, seen) = recorder();
        // Outside a segment nothing is reported.
        p.offer(1.0, 0.0);
        assert!(seen.lock().expect("lock").is_empty());
        let s = p.for_segment(2);
        s.offer(10.0, 0.5); // first: reported although broken
        s.offer(12.0, 0.0); // feasible beats broken
        s.offer(12.0, 0.0); // a tie: not reported
        s.offer(11.0, 0.1); // broken again: not reported
        s.offer(9.0, 0.0); // better
        s.offer_bound(5.0);
        s.offer_bound(4.0); // weaker bound: not reported
        s.offer(f64::NAN, 0.0); // not a number: not reported
        assert_eq!(
            objectives(&seen),
            vec![
                (Some(10.0), None),
                (Some(12.0), None),
                (Some(9.0), None),
                (Some(9.0), Some(5.0)),
            ]
        );
        assert!(
            seen.lock()
                .expect("lock")
                .iter()
                .all(|e| matches!(e, ProgressEvent::Improved { segment: 2, .. }))
        );
    }
}
