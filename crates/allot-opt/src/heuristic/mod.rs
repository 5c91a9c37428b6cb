//! Parallel multi-start heuristic: construction, local search and ruin-and-recreate rounds.
//!
//! Each start has its own generator seeded from (master seed, segment, start index) and a
//! fixed amount of work, so the result is the same at any thread count; the best start
//! wins, ties broken by start index. A deadline or stop request ends the rounds early (the
//! outcome then says it may not repeat exactly).

pub mod construct;
pub mod dive;
pub mod improve;
pub mod ruin;
pub mod state;
pub mod tabu;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::SearchContext;
use crate::model::{SegKind, SegModel};
use construct::{Construct, construct};
use improve::{local_search, local_search_over};
use ruin::ruin_recreate;
use state::{Score, State};

/// The best solution of a heuristic run on one segment.
#[derive(Clone, Debug)]
pub struct HeuristicResult {
    /// Local rep per unit.
    pub rep_of: Vec<u32>,
    /// Objective (without penalty).
    pub objective: f64,
    /// Total violation of caps and hard bands (0 = feasible).
    pub violation: f64,
    /// Whether a deadline or stop request cut the work short.
    pub cut_short: bool,
    /// Which start won.
    pub start: usize,
    /// A lower bound on the segment's objective the search proved on the way (the
    /// Lagrangian bound of a generalized assignment), if any.
    pub bound: Option<f64>,
}

/// Mixes the master seed with a segment and a start index (splitmix64).
pub fn job_seed(seed: u64, segment: u64, start: u64) -> u64 {
    let mut z = seed
        ^ segment.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ start.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs `starts` independent starts in parallel and returns the best.
pub fn solve_segment(
    m: &SegModel,
    ctx: &SearchContext,
    starts: usize,
    rounds: usize,
) -> HeuristicResult {
    // A start that would begin after the deadline or a stop request is skipped (the first
    // always runs, so that there is a solution).
    // Under a work limit each start gets an equal part of it, whichever thread runs it.
    let starts = starts.max(1);
    let per_start = ctx.work_left().map(|w| w / starts as u64);
    let results: Vec<Option<(HeuristicResult, SearchContext)>> = (0..starts)
        .into_par_iter()
        .map(|s| {
            let c = per_start.map_or_else(|| ctx.clone(), |w| ctx.with_work(w));
            let begin = s == 0
                || if c.is_work_limited() {
                    !c.clock_cut()
                } else {
                    !c.should_stop()
                };
            begin.then(|| {
                let r = c.metered(|| one_start(m, &c, s, rounds));
                c.report(r.objective, r.violation);
                (r, c)
            })
        })
        .collect();
    let mut best: Option<HeuristicResult> = None;
    let mut cut = results.iter().any(Option::is_none);
    for (r, c) in results.into_iter().flatten() {
        ctx.absorb(&c);
        cut |= r.cut_short;
        let better = match &best {
            None => true,
            Some(b) => key(&r).better_than(&key(b)),
        };
        if better {
            best = Some(r);
        }
    }
    let mut best = best.unwrap_or_else(|| one_start(m, ctx, 0, 0));
    best.cut_short = cut;
    best
}

/// Move evaluations a tabu-search start may make (a fixed budget, so that the result does
/// not depend on machine speed unless the deadline cuts it).
const TABU_WORK: usize = 3_000_000_000;

/// Every unit on its largest edge in the LP relaxation's optimum (None when the LP fails).
fn lp_rounding(m: &SegModel, ctx: &SearchContext) -> Option<Vec<u32>> {
    let limits = ctx.mip_limits(1.0, LP_START_MAX_S, 0, true);
    let values = crate::mip::solve_mip(m, None, limits).ok()?.lp_values?;
    Some(m.reps_of(&crate::mip::round_lp(m, &values)))
}

/// Share of the first start's time its tabu search from the LP optimum takes when
/// Lagrangian dives follow (they take the rest); without dives it takes half.
const LP_TABU_SHARE_BEFORE_DIVES: f64 = 0.25;

/// Local-search passes of a start without rounds.
const LIGHT_PASSES: usize = 3;

/// Longest LP relaxation solved for a tabu search's start, seconds.
const LP_START_MAX_S: f64 = 2.0;

fn key(r: &HeuristicResult) -> Score {
    Score {
        primary: r.objective + 1e4 * (1.0 + r.rep_of.len() as f64) * r.violation,
        spread: 0.0,
        violation: r.violation,
    }
}

fn one_start(m: &SegModel, ctx: &SearchContext, start: usize, rounds: usize) -> HeuristicResult {
    let mut rng = ChaCha8Rng::seed_from_u64(job_seed(ctx.seed, m.seg.0 as u64, start as u64));
    // Even starts keep every unit on its cheapest pair (its current owner) and repair from
    // there; odd starts build from scratch. Later starts perturb the construction order.
    let how = if start % 2 == 0 {
        Construct::Cheapest
    } else {
        Construct::Greedy
    };
    let noise = if start < 2 { 0.0 } else { 0.3 };
    let rep_of = construct(m, how, noise, &mut rng);
    let mut st = State::new(m, rep_of);
    let stop = || ctx.should_stop();
    // A start without rounds only hands a first solution to the search that follows.
    let passes = if rounds == 0 { LIGHT_PASSES } else { 50 };
    local_search(&mut st, &mut rng, passes, &stop);
    ctx.report(st.objective(), st.violation());
    if m.kind == SegKind::Gap {
        // Generalized assignment: the tabu search does the work, then a last local pass.
        let per_iter = tabu::iteration_work(m);
        let iterations = (TABU_WORK / per_iter.max(1)).clamp(1_000, 1_000_000);
        // The first start walks from the rounded LP optimum (with many reps per unit the
        // optimum lies close to it), then dives from the Lagrangian relaxation when the
        // caps make knapsacks, or else walks from its construction; the other starts walk
        // from their construction.
        let mut bound = None;
        let r = match (start == 0).then(|| lp_rounding(m, ctx)).flatten() {
            Some(lp) => {
                let share = if dive::applies(m) {
                    LP_TABU_SHARE_BEFORE_DIVES
                } else {
                    0.5
                };
                let first = ctx.share(share);
                let first_stop = || first.should_stop();
                let a = tabu::tabu_search(m, &lp, &mut rng, iterations / 2, &first_stop);
                let first_cut = first.clock_cut();
                ctx.absorb(&first);
                // With knapsack-shaped caps, Lagrangian dives from there take the rest.
                if let Some(d) = dive::dive_search(m, &a.rep_of, &mut rng, ctx) {
                    bound = d.bound;
                    let mut st = State::new(m, d.rep_of);
                    if !ctx.should_stop() {
                        local_search(&mut st, &mut rng, 50, &stop);
                    }
                    return HeuristicResult {
                        objective: st.objective(),
                        violation: st.violation(),
                        rep_of: st.rep_of,
                        cut_short: true,
                        start,
                        bound,
                    };
                }
                let b = tabu::tabu_search(m, &st.rep_of, &mut rng, iterations / 2, &stop);
                let (oa, ob) = (m.evaluate(&a.rep_of), m.evaluate(&b.rep_of));
                let cut = a.cut_short && ctx.should_stop() || b.cut_short;
                let mut best = if (ob.1, ob.0) < (oa.1, oa.0) { b } else { a };
                best.cut_short = cut || first_cut;
                best
            }
            None => tabu::tabu_search(m, &st.rep_of, &mut rng, iterations, &stop),
        };
        let mut st = State::new(m, r.rep_of);
        let mut cut = r.cut_short;
        if !ctx.should_stop() {
            local_search(&mut st, &mut rng, 50, &stop);
        }
        cut |= ctx.should_stop();
        return HeuristicResult {
            objective: st.objective(),
            violation: st.violation(),
            rep_of: st.rep_of,
            cut_short: cut,
            start,
            bound,
        };
    }
    let free: Vec<usize> = (0..m.n_units()).filter(|&u| !m.locked[u]).collect();
    // Pure-cost models (generalized assignment) search with strategic oscillation: the
    // penalty of a unit of violation falls while the search stays feasible and rises while
    // it does not, so that it can cross infeasible ground between good feasible solutions.
    let oscillate = m.metrics.is_empty();
    let hard_penalty = st.penalty();
    let cost_scale = m.edge_cost.iter().map(|c| c.abs()).sum::<f64>() / m.n_pairs().max(1) as f64;
    let (low, high) = (cost_scale.max(1e-9), hard_penalty);
    let mut penalty = (cost_scale * 10.0).clamp(low, high);
    let rounds = if oscillate { rounds * 10 } else { rounds };
    let true_key = |st: &State<'_>| (st.violation() > 0.0, st.violation(), st.objective());
    let better_key = |a: (bool, f64, f64), b: (bool, f64, f64)| match (a.0, b.0) {
        (false, true) => true,
        (true, false) => false,
        (true, true) => a.1 < b.1 - 1e-12,
        (false, false) => a.2 < b.2 - 1e-9 * (1.0 + b.2.abs()),
    };
    let mut best_reps = st.rep_of.clone();
    let mut best_pairs = st.cur.clone();
    let mut best_score = st.score();
    let mut best_key = true_key(&st);
    let mut best_violation = st.violation();
    let mut cut = false;
    let k_max = (free.len() / 4).clamp(free.len().min(4), 30).max(1);
    let patience = (rounds / 4).max(20);
    let mut since_best = 0;
    if oscillate {
        st.set_penalty(penalty);
    }
    for round in 0..rounds {
        if ctx.should_stop() {
            cut = true;
            break;
        }
        // Patience runs out only on a feasible solution: a broken one keeps searching.
        if since_best > patience && best_violation == 0.0 {
            break;
        }
        let current = st.score();
        let saved = st.snapshot();
        let k = rng.random_range(1..=k_max);
        let lifted = ruin_recreate(&mut st, &mut rng, &free, k);
        local_search_over(
            &mut st,
            &mut rng,
            &lifted,
            &free,
            3,
            improve::LIGHT_SWAPS,
            &stop,
        );
        let now = st.score();
        since_best += 1;
        let improved = if oscillate {
            let key = true_key(&st);
            let b = better_key(key, best_key);
            if b {
                best_key = key;
            }
            b
        } else {
            now.better_than(&best_score)
        };
        if improved {
            ctx.report(st.objective(), st.violation());
            best_violation = st.violation();
            best_score = now;
            best_reps.clone_from(&st.rep_of);
            best_pairs.clone_from(&st.cur);
            since_best = 0;
        } else {
            // Threshold acceptance: allow a slightly worse solution early on.
            let tau = 0.02 * (1.0 - round as f64 / rounds as f64);
            if now.primary > current.primary + tau * current.primary.abs() + 1e-12 {
                st.restore(saved);
                if oscillate {
                    st.set_penalty(penalty);
                }
            }
        }
        if oscillate {
            penalty = if st.violation() > 0.0 {
                penalty * 1.3
            } else {
                penalty / 1.1
            };
            penalty = penalty.clamp(low, high);
            st.set_penalty(penalty);
        }
    }
    st.restore((best_reps, best_pairs));
    // The best was already repaired and locally searched; polish it only with time left
    // (and not on a light start, whose search comes after).
    if ctx.should_stop() {
        cut = true;
    } else if rounds > 0 {
        local_search(&mut st, &mut rng, 50, &stop);
        cut |= ctx.should_stop();
    }
    HeuristicResult {
        objective: st.objective(),
        violation: st.violation(),
        rep_of: st.rep_of,
        cut_short: cut,
        start,
        bound: None,
    }
}
