//! The portfolio: heuristics on every segment in parallel, then the exact MILP on the
//! segments small enough for it, under one deadline; the best solution of each segment
//! wins and the bounds add up to a bound on the whole.

use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use allot_model::constraint::Moved;
use allot_model::plan::EngineChoice;
use allot_model::{Assignment, Problem, RepIdx, SegIdx};

use serde::Serialize;

use crate::bound::segment_bound;
use crate::diagnose::{Binding, diagnose};
use crate::heuristic::solve_segment;
use crate::lns::LnsBudget;
use crate::mip::{MipStatus, solve_mip};
use crate::model::{Build, SegKind, SegModel, budget};
use crate::progress::{ProgressEvent, SegmentInfo};
use crate::{SearchContext, SolveError};

/// How a solve ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every segment proven optimal.
    Optimal,
    /// A feasible assignment, with a bound and a gap.
    Feasible,
    /// Some segment has no feasible assignment (proven, or none found with the band/caps).
    Infeasible,
    /// The time limit or a stop request came before any feasible solution.
    TimeLimit,
}

/// What happened on one segment.
#[derive(Clone, Debug, Serialize)]
pub struct SegmentOutcome {
    /// Segment name.
    pub name: String,
    /// Units (account families) and reps.
    pub units: usize,
    /// Reps taking accounts.
    pub reps: usize,
    /// Unit×rep pairs.
    pub pairs: usize,
    /// Segment status.
    pub status: Status,
    /// Engine whose solution was kept.
    pub engine: String,
    /// Objective of the kept solution.
    pub objective: f64,
    /// Proven lower bound.
    pub bound: f64,
    /// What the heuristic reached.
    pub heuristic_objective: f64,
    /// How the MILP ended, if it ran.
    pub milp: Option<String>,
    /// Caps and hard bands broken by the kept solution (0 = feasible), as a sum of relative excesses.
    pub violation: f64,
    /// Whether the segment is proven infeasible (by the exact MILP or a cheap check).
    pub proven_infeasible: bool,
    /// The binding constraint, when a cheap check proved infeasibility.
    pub diagnosis: Option<Binding>,
    /// Whether the segment lists every eligible pair (else candidates, with the rest
    /// priced on demand).
    pub complete: bool,
    /// Accounts and potential the kept solution moves.
    pub moved: Moved,
    /// Whether the kept solution breaks only the segment's share of a disruption budget
    /// (every per-rep row kept): the whole problem may still be within the budget.
    pub over_share: bool,
    /// Seconds spent.
    pub seconds: f64,
    /// Work units spent (counted in every run; limited only under a work limit).
    pub work: u64,
}

/// The result of [`solve`].
#[derive(Clone, Debug, Serialize)]
pub struct SolveOutcome {
    /// Overall status.
    pub status: Status,
    /// The assignment (always complete; check `status` before trusting it).
    #[serde(skip)]
    pub assignment: Assignment,
    /// Σ of segment objectives.
    pub objective: f64,
    /// Σ of segment bounds.
    pub bound: f64,
    /// objective − bound.
    pub gap_abs: f64,
    /// (objective − bound) / objective (0 when the objective is 0).
    pub gap_rel: f64,
    /// Engines used, e.g. "heuristic+milp".
    pub engine: String,
    /// A rule no assignment can keep across segments (a disruption budget), when proven.
    pub binding: Option<Binding>,
    /// Whether the same input, plan and seed are guaranteed to give this assignment again
    /// (false when a deadline or stop request cut a search short).
    pub reproducible: bool,
    /// Per segment.
    pub segments: Vec<SegmentOutcome>,
    /// Seconds spent solving.
    pub seconds: f64,
    /// Work units spent (Σ over segments).
    pub work: u64,
    /// The work limit the search ran under, if any.
    pub work_limit: Option<u64>,
}

/// Largest segment (unit×rep pairs) whose LP relaxation is solved for a bound.
const LP_BOUND_MAX_PAIRS: usize = 200_000;

/// Least share of the search time the segments small enough for the exact MILP get
/// together.
const EXACT_SHARE: f64 = 0.5;

/// Longest LP relaxation solved for a bound, in seconds.
const LP_BOUND_MAX_S: f64 = 5.0;

/// Longest exact measure of how close an infeasible segment's band can be met, seconds.
const DIAGNOSIS_MAX_S: f64 = 5.0;

/// Work units of that measure in a work-limited run: a node limit of this over the model's
/// columns (a node takes about 30 units a column: about a second on a 2-core machine).
const DIAGNOSIS_WORK: u64 = 1_000_000;

/// The core MILP gets this many times the plan's node limit.
const CORE_NODE_FACTOR: i32 = 4;

/// Branch-and-bound nodes of each large-neighbourhood step.
const LNS_NODE_LIMIT: i32 = 50;

/// Heuristic rounds per start for a segment of `n` units (more on small segments).
fn rounds_for(n: usize) -> usize {
    (100_000 / (n + 50)).clamp(30, 300)
}

/// Whether the large-neighbourhood search runs on a segment: on linear objectives (moves,
/// travel, pair cost), where exact re-optimisation of a few hundred units beats local
/// moves; min-max balance is the heuristic's strength.
fn lns_pays(m: &SegModel, ctx: &SearchContext) -> bool {
    ctx.lns_iterations > 0 && m.kind != SegKind::Balance
}

/// How the problem's segments are compiled for the engines.
pub fn build_of(p: &Problem) -> Build {
    Build {
        candidates: p.plan.solver.candidates,
        complete_pairs: p.plan.solver.complete_pairs,
    }
}

/// The least disruption, in `measure`, any assignment that keeps the problem's rules must
/// make (the sum over segments of a proven least, exact on small segments): where a
/// frontier starts. The problem needs a budget on `measure` (any that holds), so that its
/// models carry what each pair moves; without one it is 0.
pub fn least_disruption(p: &Problem, measure: allot_model::constraint::Measure) -> f64 {
    let build = build_of(p);
    (0..p.segments.len())
        .map(|s| {
            let m = SegModel::new(p, SegIdx::from_usize(s), &build);
            let l = budget::least_moved(&m, measure);
            match l
                .refinable
                .then(|| budget::integer_least(&m, measure))
                .flatten()
            {
                Some(x) => l.least.max(x),
                None => l.least,
            }
        })
        .sum()
}

/// Solves the problem under the context's deadline.
pub fn solve(p: &Problem, ctx: &SearchContext) -> Result<SolveOutcome, SolveError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(ctx.threads.max(1))
        .build()
        .map_err(|e| SolveError::Threads(e.to_string()))?;
    pool.install(|| solve_in_pool(p, ctx))
}

fn solve_in_pool(p: &Problem, ctx: &SearchContext) -> Result<SolveOutcome, SolveError> {
    let t0 = Instant::now();
    let engine = p.plan.solver.engine;
    let build = build_of(p);
    let mut models: Vec<SegModel> = (0..p.segments.len())
        .map(|s| SegModel::new(p, SegIdx::from_usize(s), &build))
        .collect();
    let short = budget::split(p, &mut models).err();
    let starts = if engine.heuristics_allowed() {
        p.plan.solver.starts
    } else {
        1
    };
    // Large segments get fewer starts (at least two: one from the current owners, one from
    // scratch) so that the work fits the time limit on a small machine.
    let starts_for = |n: usize| {
        if n <= 20_000 {
            starts
        } else {
            (starts * 20_000 / n).max(2).min(starts)
        }
    };
    let lns: Vec<bool> = models
        .iter()
        .map(|m| engine.heuristics_allowed() && engine.milp_allowed() && lns_pays(m, ctx))
        .collect();
    let milp_ok: Vec<bool> = models
        .iter()
        .map(|m| {
            engine.milp_allowed()
                && (engine == EngineChoice::Milp || m.n_pairs() <= p.plan.solver.milp_max_pairs)
        })
        .collect();
    // Every segment gets an exact solve (small ones) or an LP bound (the rest), within the
    // share of the time its deadline gives it.
    // Under a work limit each segment gets a fixed part of it (∝ √units), whatever the
    // threads and the clock; else the time is shared out as segments start.
    let shares = TimeShares::new(&models, &milp_ok, ctx);
    let work_limit = ctx.work_left();
    let seg_work: Vec<u64> = match work_limit {
        Some(w) => {
            let total: f64 = shares.weight.iter().sum();
            shares
                .weight
                .iter()
                .map(|x| (w as f64 * x / total.max(1e-12)) as u64)
                .collect()
        }
        None => vec![0; models.len()],
    };
    if let Some(p) = &ctx.progress {
        p.emit(&ProgressEvent::Built {
            segments: models
                .iter()
                .map(|m| SegmentInfo {
                    name: m.name.clone(),
                    units: m.n_units(),
                    reps: m.n_reps(),
                })
                .collect(),
        });
    }
    let solve_one = |i: usize| {
        let m = &models[i];
        let t = Instant::now();
        let mut seg_ctx = ctx.with_work(seg_work[i]);
        if !ctx.is_work_limited() {
            (seg_ctx.deadline, seg_ctx.extra) = shares.begin(i);
        }
        if let Some(p) = &ctx.progress {
            p.emit(&ProgressEvent::Started { segment: i });
            seg_ctx.progress = Some(p.for_segment(i));
        }
        let ctx = &seg_ctx;
        // On segments the neighbourhood search can cover, it does the real work and a
        // quick start will do (on those whose LP relaxation it rounds, the quickest); on
        // huge ones the heuristic keeps its full effort.
        let quick = lns[i] && m.n_units() <= 20_000;
        let lp_led = lns[i] && m.kind == SegKind::Linear && crate::lns::rounds_lp(m);
        let rounds = if !engine.heuristics_allowed() {
            0
        } else if lp_led {
            // Its solutions come from rounding the LP relaxation: a light first one will do.
            0
        } else if quick {
            (rounds_for(m.n_units()) / 8).max(20)
        } else {
            rounds_for(m.n_units())
        };
        let starts = if lp_led {
            1
        } else if quick {
            2
        } else if m.hard_band && m.n_units() > 20_000 {
            // Rebalance at scale: the start that keeps every unit with its owner and repairs
            // the bands wins on moves; a start from scratch only takes time from it.
            1
        } else {
            starts_for(m.n_units())
        };
        let race = milp_ok[i] && races(m, lns[i]);
        let r = ctx.metered(|| {
            race_cold_milp(m, ctx, race, |ctx| {
                let h = heuristic_phase(m, ctx, starts, rounds, lns[i]);
                let h_secs = t.elapsed().as_secs_f64();
                finish_segment(m, &h, h_secs, milp_ok[i] && !race, lns[i], ctx)
            })
        });
        shares.end(i);
        r.map(|mut r| {
            r.outcome.work = ctx.work_used().unwrap_or(0);
            if let Some(p) = &ctx.progress {
                p.finished(&r.outcome);
            }
            r
        })
    };
    // The exact MILPs first, smallest first (a proof hands its unused time on), then the
    // largest searches, so that they start at once and the small ones fill the gaps;
    // results do not depend on this order.
    let mut order: Vec<usize> = (0..models.len()).collect();
    order.sort_by_key(|&i| {
        let n = models[i].n_units() as i64;
        (!milp_ok[i], if milp_ok[i] { n } else { -n }, i)
    });
    let slots: Vec<Mutex<Option<Result<SegmentResult, SolveError>>>> =
        models.iter().map(|_| Mutex::new(None)).collect();
    rayon::scope_fifo(|s| {
        for &i in &order {
            let (solve_one, slots) = (&solve_one, &slots);
            s.spawn_fifo(move |_| {
                let r = solve_one(i);
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(r);
                }
            });
        }
    });
    let outcomes: Vec<Result<SegmentResult, SolveError>> = slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(SolveError::Threads("a segment task failed".into())))
        })
        .collect();

    let mut unit_rep = vec![RepIdx(0); p.units.len()];
    let mut segments = Vec::new();
    let mut reproducible = true;
    for (m, o) in models.iter().zip(outcomes) {
        let SegmentResult {
            outcome: out,
            rep_of,
            cut_short: cut,
        } = o?;
        reproducible &= !cut;
        for (u, &r) in rep_of.iter().enumerate() {
            unit_rep[m.units[u].index()] = m.reps[r as usize];
        }
        segments.push(out);
    }
    settle_budget_shares(p, &mut segments);
    if ctx.is_work_limited() {
        // Work decides where every search ends: only the clock (the safety valve) or a stop
        // request can make the result depend on the machine.
        reproducible = !ctx.clock_cut();
    }
    let work: u64 = segments.iter().map(|s| s.work).sum();
    let objective: f64 = segments.iter().map(|s| s.objective).sum();
    let bound: f64 = segments.iter().map(|s| s.bound).sum();
    let binding = short.map(|b| Binding::Budget {
        stated: b.stated,
        measure: b.measure,
        limit: b.limit,
        least: b.least,
        unkeepable: b.unkeepable,
    });
    let status = if binding.is_some() || segments.iter().any(|s| s.status == Status::Infeasible) {
        Status::Infeasible
    } else if segments.iter().any(|s| s.status == Status::TimeLimit) {
        Status::TimeLimit
    } else if segments.iter().all(|s| s.status == Status::Optimal) {
        Status::Optimal
    } else {
        Status::Feasible
    };
    let mut engines: Vec<&str> = Vec::new();
    for s in &segments {
        let e = if s.engine.starts_with("milp") {
            "milp"
        } else {
            "heuristic"
        };
        if !engines.contains(&e) {
            engines.push(e);
        }
    }
    let gap_abs = (objective - bound).max(0.0);
    Ok(SolveOutcome {
        status,
        assignment: Assignment { unit_rep },
        objective,
        bound,
        gap_abs,
        gap_rel: if objective.abs() > 1e-12 {
            gap_abs / objective.abs()
        } else {
            0.0
        },
        engine: engines.join("+"),
        binding,
        reproducible,
        segments,
        seconds: t0.elapsed().as_secs_f64(),
        work,
        work_limit,
    })
}

/// Budgets are shared between segments, but only their sum is the user's rule: a segment
/// over its share while the segments together stay within every budget is feasible.
fn settle_budget_shares(p: &Problem, segments: &mut [SegmentOutcome]) {
    if !segments.iter().any(|s| s.over_share) {
        return;
    }
    let within = p.constraints.iter().all(|c| match c {
        allot_model::Constraint::Budget(b) => {
            let k = b.measure.slot();
            let moved: f64 = segments.iter().map(|s| s.moved[k]).sum();
            moved <= b.limit * (1.0 + 1e-12) + 1e-9
        }
        _ => true,
    });
    if within {
        for s in segments.iter_mut().filter(|s| s.over_share) {
            s.over_share = false;
            s.violation = 0.0;
            s.proven_infeasible = false;
            s.diagnosis = None;
            s.status = Status::Feasible;
        }
    }
}

/// Splits the time limit between the segments as they start. A segment's deadline is its
/// start plus its share (∝ √units) of the machine time left over all threads, less what the
/// segments already running hold; a segment that ends early frees its time for the rest.
struct TimeShares<'c> {
    ctx: &'c SearchContext,
    /// Each segment's weight (√units).
    weight: Vec<f64>,
    /// Whether the segment gets the exact MILP (it then has a floor on its share).
    exact: Vec<bool>,
    /// The whole search time, seconds.
    total: f64,
    state: Mutex<ShareState>,
}

struct ShareState {
    /// Deadlines of the segments running now.
    running: Vec<Option<Instant>>,
    /// Total weight of the segments not yet started.
    unstarted: f64,
    /// Exact-MILP segments not yet started.
    unstarted_exact: usize,
    /// Time added to each segment's deadline (nanoseconds), shared with its search.
    extra: Vec<Arc<AtomicU64>>,
}

impl<'c> TimeShares<'c> {
    fn new(models: &[SegModel], exact: &[bool], ctx: &'c SearchContext) -> TimeShares<'c> {
        let weight: Vec<f64> = models
            .iter()
            .map(|m| (m.n_units().max(1) as f64).sqrt())
            .collect();
        TimeShares {
            ctx,
            exact: exact.to_vec(),
            total: ctx.remaining_s(),
            state: Mutex::new(ShareState {
                running: vec![None; models.len()],
                unstarted: weight.iter().sum(),
                unstarted_exact: exact.iter().filter(|&&b| b).count(),
                extra: models.iter().map(|_| Arc::new(AtomicU64::new(0))).collect(),
            }),
            weight,
        }
    }

    /// Deadline of segment `i`, which starts now, and the time its deadline may gain.
    fn begin(&self, i: usize) -> (Instant, Option<Arc<AtomicU64>>) {
        let Ok(mut st) = self.state.lock() else {
            return (self.ctx.deadline, None);
        };
        let now = Instant::now();
        let left = |d: &Instant| d.saturating_duration_since(now).as_secs_f64();
        let remaining = left(&self.ctx.deadline);
        let held: f64 = st.running.iter().flatten().map(left).sum();
        let capacity = (self.ctx.threads as f64 * remaining - held).max(0.0);
        let mut share = capacity * self.weight[i] / st.unstarted.max(1e-12);
        if self.exact[i] {
            // A segment small enough for the exact MILP gets the time to run it, leaving
            // as much to each exact one still to come.
            share = share.max(EXACT_SHARE * self.total / st.unstarted_exact.max(1) as f64);
            st.unstarted_exact = st.unstarted_exact.saturating_sub(1);
        }
        let share = share.min(remaining);
        st.unstarted = (st.unstarted - self.weight[i]).max(0.0);
        let deadline = now + std::time::Duration::from_secs_f64(share);
        st.running[i] = Some(deadline);
        self.release(&st);
        (deadline, Some(st.extra[i].clone()))
    }

    /// Segment `i` is done: its time goes back to the others.
    fn end(&self, i: usize) {
        if let Ok(mut st) = self.state.lock() {
            st.running[i] = None;
            self.release(&st);
        }
    }

    /// Once every segment has started, nothing waits for the time the running ones do not
    /// use: each may run to the deadline (one segment a thread).
    fn release(&self, st: &ShareState) {
        if st.unstarted > 1e-12 {
            return;
        }
        for (j, d) in st.running.iter().enumerate() {
            if let Some(d) = d {
                let gain = self.ctx.deadline.saturating_duration_since(*d);
                st.extra[j].store(gain.as_nanos() as u64, Ordering::Relaxed);
            }
        }
    }
}

/// A segment's kept solution and what happened.
#[derive(Clone, Debug)]
pub struct SegmentResult {
    /// Figures of the solve.
    pub outcome: SegmentOutcome,
    /// Local rep per unit.
    pub rep_of: Vec<u32>,
    /// Whether a deadline or stop request cut the search (the result may not repeat).
    pub cut_short: bool,
}

/// Solves one segment model on its own: heuristic starts, then (when `milp`) the exact
/// MILP warm-started from the heuristic with the time left. Used by `allot bench`.
pub fn solve_model(
    m: &SegModel,
    ctx: &SearchContext,
    starts: usize,
    milp: bool,
) -> Result<SegmentResult, SolveError> {
    let t = Instant::now();
    let lns = milp && lns_pays(m, ctx);
    let race = milp && races(m, lns);
    race_cold_milp(m, ctx, race, |ctx| {
        let h = heuristic_phase(m, ctx, starts, rounds_for(m.n_units()), lns);
        finish_segment(m, &h, t.elapsed().as_secs_f64(), milp && !race, lns, ctx)
    })
}

/// Whether a segment races a cold MILP beside its heuristics: a generalized-assignment
/// segment (the tabu search's ground) when the exact engines are in use.
fn races(m: &SegModel, lns: bool) -> bool {
    lns && m.kind == SegKind::Gap
}

/// Runs `search` and, when `race` (see [`races`]), the plain MILP of the segment
/// from scratch on another thread for the whole time; keeps the better solution and the
/// better bound. On generalized assignment HiGHS's own search finds solutions the
/// heuristics miss, and a warm start would steer it into the heuristics' basin.
fn race_cold_milp(
    m: &SegModel,
    ctx: &SearchContext,
    race: bool,
    search: impl FnOnce(&SearchContext) -> Result<SegmentResult, SolveError> + Send,
) -> Result<SegmentResult, SolveError> {
    if !race || ctx.should_stop() {
        return search(ctx);
    }
    // Under a work limit each side gets half of it and the search runs its part whatever
    // the MILP finds (so that nothing depends on which thread is faster); else the search
    // ends as soon as the MILP proves the segment optimal.
    let solved = Arc::new(AtomicBool::new(false));
    let half = ctx.work_left().map(|w| w / 2);
    let mut search_ctx = half.map_or_else(|| ctx.clone(), |w| ctx.with_work(w));
    let cold_ctx = half.map_or_else(|| ctx.clone(), |w| ctx.with_work(w));
    if !ctx.is_work_limited() {
        search_ctx.solved = Some(solved.clone());
    }
    // The limit is read when the MILP starts: on a single thread it runs after the search.
    let cold = || {
        cold_ctx.metered(|| {
            (cold_ctx.has_budget() && !cold_ctx.should_stop()).then(|| {
                let limits = cold_ctx.mip_limits(1.0, f64::INFINITY, i32::MAX, false);
                let r = solve_mip(m, None, limits);
                if r.as_ref().is_ok_and(|r| r.status == MipStatus::Optimal) {
                    solved.store(true, Ordering::Relaxed);
                }
                r
            })
        })
    };
    let (ours, cold) = rayon::join(|| search_ctx.metered(|| search(&search_ctx)), cold);
    ctx.absorb(&search_ctx);
    ctx.absorb(&cold_ctx);
    let mut ours = ours?;
    let Some(Ok(cold)) = cold else {
        return Ok(ours);
    };
    let out = &mut ours.outcome;
    out.milp = Some(format!("{:?} (cold, beside the heuristics)", cold.status).to_lowercase());
    if cold.status == MipStatus::Infeasible {
        out.proven_infeasible = true;
        if out.violation > 0.0 {
            out.status = Status::Infeasible;
        }
        return Ok(ours);
    }
    if cold.bound.is_finite() {
        out.bound = out.bound.max(cold.bound.min(out.objective));
    }
    let proved = cold.status == MipStatus::Optimal;
    if let Some(reps) = cold.rep_of {
        let (obj, viol) = m.evaluate(&reps);
        // A proven optimum is kept even when the search tied it: HiGHS's answer repeats,
        // the search's (cut short by the proof) may not.
        if viol < out.violation - 1e-12
            || (viol <= out.violation + 1e-12 && obj < out.objective - 1e-12)
            || (proved && viol == 0.0 && obj <= out.objective + 1e-9 * (1.0 + obj.abs()))
        {
            if proved {
                ours.cut_short = false;
            }
            // A clock-stopped MILP's incumbent may not repeat: the run says so.
            ours.cut_short |= cold.status == MipStatus::TimeLimit;
            ours.rep_of = reps;
            out.objective = obj;
            out.violation = viol;
            out.engine = "milp (cold)".into();
            out.bound = out.bound.min(obj);
            ctx.report(obj, viol);
        }
    }
    let proved = proved && out.violation == 0.0;
    if proved {
        out.bound = out.objective;
    }
    if out.violation == 0.0 {
        out.status = if out.objective - out.bound <= 1e-9 * (1.0 + out.objective.abs()) {
            Status::Optimal
        } else {
            Status::Feasible
        };
    }
    Ok(ours)
}

/// Share of a pure-cost segment's time its tabu search gets when the exact
/// large-neighbourhood search follows.
const TABU_SHARE: f64 = 0.3;

/// The same share when Lagrangian dives apply: they find what the LNS would, and more.
const DIVE_SHARE: f64 = 0.85;

/// The heuristic starts of a segment. On pure-cost segments the tabu search would use all
/// the time it is given; when the exact neighbourhood search follows, it gets a share.
fn heuristic_phase(
    m: &SegModel,
    ctx: &SearchContext,
    starts: usize,
    rounds: usize,
    lns_follows: bool,
) -> crate::heuristic::HeuristicResult {
    if lns_follows && m.kind == SegKind::Gap {
        let share = if crate::heuristic::dive::applies(m) {
            DIVE_SHARE
        } else {
            TABU_SHARE
        };
        let c = ctx.share(share);
        let r = solve_segment(m, &c, starts, rounds);
        ctx.absorb(&c);
        return r;
    }
    solve_segment(m, ctx, starts, rounds)
}

/// Runs the MILP on a segment when allowed, and keeps the better of it and the heuristic.
fn finish_segment(
    m: &SegModel,
    h: &crate::heuristic::HeuristicResult,
    h_secs: f64,
    use_milp: bool,
    use_lns: bool,
    ctx: &SearchContext,
) -> Result<SegmentResult, SolveError> {
    let t = Instant::now();
    let mut best = h.rep_of.clone();
    let mut objective = h.objective;
    let mut violation = h.violation;
    let mut lns_cut = false;
    let mut lns_lp: Option<f64> = None;
    let mut relaxation = None;
    let mut grown = None;
    let mut lns_proved = false;
    let mut engine_name = "heuristic".to_string();
    if use_lns && !ctx.should_stop() {
        let budget = LnsBudget {
            iterations: ctx.lns_iterations,
            free_units: ctx.lns_free_units,
            node_limit: LNS_NODE_LIMIT,
            cores: !use_milp,
        };
        let r = crate::lns::improve(m, &best, ctx, budget);
        lns_cut = r.cut_short;
        lns_lp = r.lp_bound;
        relaxation = r.relaxation;
        grown = r.grown;
        lns_proved = r.proven;
        if r.improvements > 0 {
            best = r.rep_of;
            objective = r.objective;
            violation = r.violation;
            engine_name = "heuristic+lns".into();
        }
    }
    // From here on the segment as the search left it: with the lists pricing grew.
    let m = grown.as_ref().unwrap_or(m);
    let mut bound = segment_bound(m);
    if let Some(b) = lns_lp {
        bound = bound.max(b);
    }
    if let Some(b) = h.bound {
        bound = bound.max(b);
    }
    ctx.report_bound(bound);
    // An exact solve over the listed pairs bounds the user's problem only when they are all
    // of them and each budget row is all the segment could move.
    let exact_bounds = m.complete && m.budgets_bound_exactly();
    let mut milp_note = None;
    let mut proven_infeasible = false;
    // HiGHS proved the kept solution optimal (within its gap tolerances), or the
    // neighbourhood search's core did.
    let mut milp_proved = lns_proved && violation == 0.0;
    if milp_proved {
        bound = objective;
    }
    let has_budget = ctx.has_budget();
    let mut clock_stopped = false;
    let stopped = ctx.stop.load(std::sync::atomic::Ordering::Relaxed);
    if !use_milp
        && lns_lp.is_none()
        && exact_bounds
        && has_budget
        && !stopped
        && m.n_pairs() <= LP_BOUND_MAX_PAIRS
    {
        // HiGHS cannot be interrupted from here: keep the bound's LP short so that a stop
        // request is honoured within a few seconds.
        let limits = ctx.mip_limits(1.0, LP_BOUND_MAX_S, 0, true);
        if let Ok(r) = solve_mip(m, None, limits)
            && r.bound.is_finite()
        {
            bound = bound.max(r.bound);
        }
    }
    if use_milp && has_budget && !stopped {
        // Bigger models get fewer nodes, so that the node limit (deterministic) rather than
        // the clock ends the search.
        let scale = (1000.0 / m.n_pairs().max(1000) as f64).max(0.05);
        let node_limit = ((ctx.milp_node_limit as f64 * scale) as i32).max(20);
        let limits = ctx.mip_limits(1.0, f64::INFINITY, node_limit, false);
        let listed = (0..m.n_units()).all(|u| m.edge_to(u, best[u]).is_some());
        let warm_edges = m.edges_to(&best);
        let warm = (violation == 0.0 && listed).then_some(warm_edges.as_slice());
        let r = solve_mip(m, warm, limits).map_err(SolveError::Backend)?;
        milp_note = Some(format!("{:?}", r.status).to_lowercase());
        match r.status {
            MipStatus::Infeasible => proven_infeasible = exact_bounds,
            MipStatus::Optimal | MipStatus::NodeLimit => {
                if let Some(reps) = r.rep_of {
                    let (obj, viol) = m.evaluate(&reps);
                    let better = viol < violation - 1e-12
                        || (viol <= violation + 1e-12 && obj < objective - 1e-12);
                    let optimal = r.status == MipStatus::Optimal && exact_bounds;
                    if better {
                        best = reps;
                        objective = obj;
                        violation = viol;
                        engine_name = "milp".into();
                        milp_proved = optimal && viol == 0.0;
                    } else {
                        engine_name = "heuristic (milp-verified)".into();
                        milp_proved = optimal && violation == 0.0 && obj >= objective - 1e-9;
                    }
                }
            }
            MipStatus::TimeLimit => {
                // The incumbent depends on machine speed: by default keep only the bound;
                // when the plan allows it, keep a better incumbent and say the run may not repeat.
                clock_stopped = true;
                if !ctx.deterministic
                    && let Some(reps) = r.rep_of
                {
                    let (obj, viol) = m.evaluate(&reps);
                    if viol < violation - 1e-12
                        || (viol <= violation + 1e-12 && obj < objective - 1e-12)
                    {
                        best = reps;
                        objective = obj;
                        violation = viol;
                        engine_name = "milp (time limit)".into();
                    }
                }
            }
        }
        if r.bound.is_finite() && exact_bounds {
            bound = bound.max(r.bound);
        }
        ctx.report(objective, violation);
        ctx.report_bound(bound.min(objective));
    }
    // A linear segment whose LP relaxation the search solved over every pair: the core
    // that reduced-cost fixing leaves, solved exactly, proves the best optimal (or finds
    // a better one).
    if let Some(lp) = relaxation.as_ref()
        && m.kind == SegKind::Linear
        && violation == 0.0
        && !milp_proved
        && objective - bound > 1e-9 * (1.0 + objective.abs())
        && ctx.has_budget()
        && !ctx.stop.load(std::sync::atomic::Ordering::Relaxed)
    {
        let node_limit = ctx.milp_node_limit.saturating_mul(CORE_NODE_FACTOR);
        let limits = ctx.mip_limits(1.0, f64::INFINITY, node_limit, false);
        if let Some(c) = crate::fixing::solve_core(m, lp, &best, objective, limits) {
            milp_note = Some(format!(
                "core of {} pairs: {}",
                c.pairs,
                if c.proven { "optimal" } else { "stopped" }
            ));
            clock_stopped |= c.clock_stopped;
            if let Some(reps) = c.rep_of {
                let (obj, viol) = m.evaluate(&reps);
                if viol == 0.0 && obj < objective - 1e-9 * (1.0 + objective.abs()) {
                    best = reps;
                    objective = obj;
                    engine_name = format!("{engine_name}+core");
                }
            }
            bound = bound.max(c.bound.min(objective));
            milp_proved |= c.proven;
            ctx.report(objective, violation);
            ctx.report_bound(bound);
        }
    }
    let mut diagnosis = diagnose(m);
    if diagnosis.is_none() && violation > 0.0 {
        // How close the band can be met, measured exactly on small segments. Under a work
        // limit it gets a fixed amount of work of its own (the clock is the valve) and, as a
        // report on the search rather than part of it, it is not counted.
        let (seconds, work) = if ctx.is_work_limited() {
            (ctx.remaining_s(), Some(DIAGNOSIS_WORK))
        } else {
            (DIAGNOSIS_MAX_S.min(ctx.remaining_s().max(1.0)), None)
        };
        diagnosis =
            crate::work::isolated(|| crate::diagnose::band_out_of_reach(m, seconds, work)).0;
    }
    if !m.stranded.is_empty() {
        // A unit kept a pair beyond the travel cap only so that the engines could run.
        proven_infeasible = true;
    } else if violation > 0.0 && !proven_infeasible {
        proven_infeasible = diagnosis.is_some();
    } else if violation == 0.0 {
        diagnosis = None;
    }
    let status = if violation > 0.0 || !m.stranded.is_empty() {
        if proven_infeasible {
            Status::Infeasible
        } else {
            Status::TimeLimit
        }
    } else if milp_proved || objective - bound <= 1e-9 * (1.0 + objective.abs()) {
        Status::Optimal
    } else {
        Status::Feasible
    };
    let totals = m.totals(&best, |_| true);
    let rows_violation: f64 = (0..m.n_reps())
        .map(|r| m.violation(r, &totals.load[r]))
        .sum::<f64>()
        + totals.forbidden;
    let over_share = violation > 0.0
        && rows_violation == 0.0
        && m.stranded.is_empty()
        && m.budget_violation(&totals.moved) > 0.0;
    let out = SegmentOutcome {
        moved: totals.moved,
        over_share,
        name: m.name.clone(),
        units: m.n_units(),
        reps: m.n_reps(),
        pairs: m.n_pairs(),
        status,
        engine: engine_name,
        objective,
        bound: bound.min(objective),
        heuristic_objective: h.objective,
        milp: milp_note,
        violation,
        proven_infeasible,
        diagnosis,
        complete: m.complete,
        seconds: h_secs + t.elapsed().as_secs_f64(),
        work: 0,
    };
    Ok(SegmentResult {
        outcome: out,
        rep_of: best,
        cut_short: h.cut_short || lns_cut || clock_stopped,
    })
}
