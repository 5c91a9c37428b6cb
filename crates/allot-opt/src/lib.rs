//! allot's engines: they turn a validated [`allot_model::Problem`] into an
//! [`allot_model::Assignment`] with its objective, a proven lower bound and the gap.
//!
//! Segments are independent sub-models ([`model::SegModel`]) solved in parallel; the plan's
//! constraints compile into each ([`model`]), and every engine keeps them all. Each
//! segment's kind, decided once, picks its search: min-max balance gets the multi-start
//! heuristic ([`heuristic`]); linear objectives start from the LP relaxation (over every
//! pair: [`pricing`] grows candidate lists until it is), search cores and neighbourhoods
//! exactly ([`lns`]) and finish with reduced-cost fixing ([`fixing`]); generalized
//! assignment gets tabu search and Lagrangian dives. Where the segment is small enough, the
//! exact MILP ([`mip`], good_lp + HiGHS) starts from the best found and either proves it
//! optimal, improves it, or at least supplies a dual bound. Infeasible and time-limit
//! results are a [`Status`] of the outcome (with the binding rule as data: [`diagnose`]),
//! not an error.
//!
//! ```no_run
//! # fn demo(problem: &allot_model::Problem) -> Result<(), allot_opt::SolveError> {
//! let ctx = allot_opt::SearchContext::from_plan(&problem.plan);
//! let outcome = allot_opt::solve(problem, &ctx)?;
//! println!("{:?}: objective {} (bound {})", outcome.status, outcome.objective, outcome.bound);
//! # Ok(()) }
//! ```

pub mod bound;
pub mod diagnose;
pub mod fixing;
pub mod heuristic;
pub mod lns;
pub mod mip;
pub mod model;
pub mod portfolio;
pub mod pricing;
pub mod progress;
pub mod work;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use allot_model::Plan;

pub use diagnose::Binding;
pub use portfolio::least_disruption;
pub use portfolio::{SegmentOutcome, SegmentResult, SolveOutcome, Status, solve, solve_model};
pub use progress::{Observer, Progress, ProgressEvent, SegmentInfo};

/// Randomness, clock, threads and the stop request, handed to every engine.
#[derive(Clone, Debug)]
pub struct SearchContext {
    /// Master seed.
    pub seed: u64,
    /// When the search must end.
    pub deadline: Instant,
    /// When the search began.
    pub started: Instant,
    /// Worker threads (≥ 1).
    pub threads: usize,
    /// Set from outside (e.g. on SIGINT) to stop with the best found so far.
    pub stop: Arc<AtomicBool>,
    /// Branch-and-bound node limit of each exact solve.
    pub milp_node_limit: i32,
    /// Keep only reproducible results: an exact solve stopped by the clock gives its bound,
    /// not its incumbent.
    pub deterministic: bool,
    /// Large-neighbourhood steps per segment (0 = none).
    pub lns_iterations: usize,
    /// Units freed per large-neighbourhood step.
    pub lns_free_units: usize,
    /// Set when an exact solve racing the search proved its segment optimal.
    pub solved: Option<Arc<AtomicBool>>,
    /// Time added to `deadline` while the search runs (nanoseconds): a segment gets the time
    /// the others leave when they end and nothing is left to start.
    pub extra: Option<Arc<AtomicU64>>,
    /// The work budget of this search, when the run is work-limited (`--work-limit`): the
    /// search then stops on spent work, and the clock is only a safety valve.
    pub work: Option<Arc<work::Meter>>,
    /// Who is told of the search's progress (a display or a log), if anyone; it never
    /// changes the search.
    pub progress: Option<Progress>,
}

impl SearchContext {
    /// A context from the plan's solver settings, starting now. The search deadline keeps a
    /// reserve of 3 % of the time limit (at most 1.5 s) for the work that always finishes
    /// after it (a start's repair and last pass, collecting the segments), so that the solve
    /// ends within the limit.
    pub fn from_plan(plan: &Plan) -> SearchContext {
        let threads = match plan.solver.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let now = Instant::now();
        SearchContext {
            seed: plan.solver.seed,
            deadline: now + Duration::from_secs_f64(search_time(plan.solver.time_limit_s)),
            started: now,
            threads,
            stop: Arc::new(AtomicBool::new(false)),
            milp_node_limit: i32::try_from(plan.solver.milp_node_limit).unwrap_or(i32::MAX),
            deterministic: plan.solver.deterministic,
            lns_iterations: plan.solver.lns_iterations,
            lns_free_units: plan.solver.lns_free_units,
            solved: None,
            extra: None,
            work: (plan.solver.work_limit > 0)
                .then(|| Arc::new(work::Meter::new(plan.solver.work_limit))),
            progress: None,
        }
    }

    /// As [`SearchContext::from_plan`] for a run that began at `begun` (reading the input
    /// counts against the time limit) and needs `after_s` seconds once the search ends
    /// (checking and writing): the search gets what is left of the limit.
    pub fn from_plan_within(plan: &Plan, begun: Instant, after_s: f64) -> SearchContext {
        let mut ctx = SearchContext::from_plan(plan);
        let limit = (search_time(plan.solver.time_limit_s) - after_s.max(0.0)).max(0.0);
        ctx.deadline = begun + Duration::from_secs_f64(limit);
        ctx
    }

    /// The deadline with the time added since the search began.
    pub fn effective_deadline(&self) -> Instant {
        match &self.extra {
            Some(x) => self.deadline + Duration::from_nanos(x.load(Ordering::Relaxed)),
            None => self.deadline,
        }
    }

    /// Whether to stop now (work spent, deadline passed or stop requested).
    pub fn should_stop(&self) -> bool {
        self.clock_cut()
            || self
                .solved
                .as_ref()
                .is_some_and(|s| s.load(Ordering::Relaxed))
            || self.work.as_ref().is_some_and(|m| m.spent())
    }

    /// Whether the clock or a stop request ends the search now (what makes a result
    /// depend on the machine).
    pub fn clock_cut(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || Instant::now() >= self.effective_deadline()
    }

    /// Whether the search is work-limited.
    pub fn is_work_limited(&self) -> bool {
        self.work.is_some()
    }

    /// Work units left, when work-limited.
    pub fn work_left(&self) -> Option<u64> {
        self.work.as_ref().map(|m| {
            m.charge_tally();
            m.left()
        })
    }

    /// Work units used, when work-limited.
    pub fn work_used(&self) -> Option<u64> {
        self.work.as_ref().map(|m| {
            m.charge_tally();
            m.used()
        })
    }

    /// A context for a search that runs beside others (or as a phase of this one) with a
    /// budget of its own of `limit` units; the same context when the run is not
    /// work-limited. Charge what it used back with [`SearchContext::absorb`].
    pub fn with_work(&self, limit: u64) -> SearchContext {
        let mut c = self.clone();
        if self.work.is_some() {
            c.work = Some(Arc::new(work::Meter::new(limit)));
        }
        c
    }

    /// Runs `f` (a task rayon may run on any thread) so that exactly the work it counts is
    /// charged to this context's meter, whatever else the thread runs around it.
    pub fn metered<R>(&self, f: impl FnOnce() -> R) -> R {
        let (r, counted) = work::isolated(f);
        if let Some(m) = &self.work {
            m.charge(counted);
        }
        r
    }

    /// A phase that may use `share` of what is left: of the work when work-limited, else
    /// of the time (its deadline is `share` of the time left from now).
    pub fn share(&self, share: f64) -> SearchContext {
        match self.work_left() {
            Some(left) => self.with_work((share * left as f64) as u64),
            None => {
                let mut c = self.clone();
                c.deadline = Instant::now() + Duration::from_secs_f64(share * self.remaining_s());
                c
            }
        }
    }

    /// Charges this search with the work a child context (from [`SearchContext::with_work`]
    /// or [`SearchContext::share`]) used; call it on the thread that ran the child, after it.
    pub fn absorb(&self, child: &SearchContext) {
        if let (Some(me), Some(c)) = (&self.work, &child.work)
            && !Arc::ptr_eq(me, c)
        {
            c.charge_tally();
            me.charge(c.used());
        }
    }

    /// Whether there is budget left for another engine: work units when work-limited, else
    /// a useful amount of time.
    pub fn has_budget(&self) -> bool {
        match self.work_left() {
            Some(left) => left > 0 && !self.clock_cut(),
            None => self.remaining_s() > 0.05,
        }
    }

    /// Limits of an exact solve that may use `share` of what is left, at most `cap_s`
    /// seconds when the run is time-limited; when work-limited, `share` of the work left
    /// with the clock only as the safety valve.
    pub fn mip_limits(
        &self,
        share: f64,
        cap_s: f64,
        node_limit: i32,
        relax: bool,
    ) -> mip::MipLimits {
        match self.work_left() {
            Some(left) => mip::MipLimits {
                time_limit: self.remaining_s(),
                node_limit,
                relax,
                work: Some((share * left as f64) as u64),
                heuristics: true,
            },
            None => mip::MipLimits {
                time_limit: (share * self.remaining_s()).min(cap_s),
                node_limit,
                relax,
                work: None,
                heuristics: true,
            },
        }
    }

    /// Reports a solution of the current segment to the observer, if any (only a segment-wide
    /// improvement is passed on).
    pub fn report(&self, objective: f64, violation: f64) {
        if let Some(p) = &self.progress {
            p.offer(objective, violation);
        }
    }

    /// Reports a proven lower bound on the current segment to the observer, if any.
    pub fn report_bound(&self, bound: f64) {
        if let Some(p) = &self.progress {
            p.offer_bound(bound);
        }
    }

    /// Seconds left before the deadline.
    pub fn remaining_s(&self) -> f64 {
        self.effective_deadline()
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
    }
}

/// Seconds of search within a time limit: the limit less the wrap-up reserve.
fn search_time(limit: f64) -> f64 {
    let limit = if limit.is_finite() {
        limit.max(0.0)
    } else {
        1e9
    };
    limit - (0.03 * limit).min(1.5)
}

/// A failure of the machinery (not of the instance).
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// The MILP backend failed.
    #[error("MILP backend: {0}")]
    Backend(String),
    /// The thread pool could not be built.
    #[error("thread pool: {0}")]
    Threads(String),
}
