//! Parallel multi-start heuristic: construction, local search and ruin-and-recreate rounds.
//!
//! Each start has its own generator seeded from (master seed, segment, start index) and a
//! fixed amount of work, so the result is the same at any thread count; the best start
//! wins, ties broken by start index. A deadline or stop request ends the rounds early (the
//! outcome then says it may not repeat exactly).

pub mod construct;
pub mod improve;
pub mod ruin;
pub mod state;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::SearchContext;
use crate::segment::SegModel;
use construct::{Construct, construct};
use improve::{local_search, local_search_over};
use ruin::ruin_recreate;
use state::{Score, State};

/// The best solution of a heuristic run on one segment.
#[derive(Clone, Debug)]
pub struct HeuristicResult {
    /// Edge per local unit.
    pub edge_of: Vec<u32>,
    /// Objective (without penalty).
    pub objective: f64,
    /// Total violation of caps and hard bands (0 = feasible).
    pub violation: f64,
    /// Whether a deadline or stop request cut the work short.
    pub cut_short: bool,
    /// Which start won.
    pub start: usize,
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
    let results: Vec<HeuristicResult> = (0..starts.max(1))
        .into_par_iter()
        .map(|s| one_start(m, ctx, s, rounds))
        .collect();
    let mut best: Option<HeuristicResult> = None;
    let mut cut = false;
    for r in results {
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

fn key(r: &HeuristicResult) -> Score {
    Score {
        primary: r.objective + 1e4 * (1.0 + r.edge_of.len() as f64) * r.violation,
        spread: 0.0,
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
    let edge_of = construct(m, how, noise, &mut rng);
    let mut st = State::new(m, edge_of);
    let stop = || ctx.should_stop();
    local_search(&mut st, &mut rng, 50, &stop);
    let free: Vec<usize> = (0..m.n_units()).filter(|&u| !m.locked[u]).collect();
    let mut best_edges = st.edge_of.clone();
    let mut best_score = st.score();
    let mut cut = false;
    let k_max = (free.len() / 4).clamp(free.len().min(4), 30).max(1);
    let patience = (rounds / 4).max(20);
    let mut since_best = 0;
    for round in 0..rounds {
        if ctx.should_stop() {
            cut = true;
            break;
        }
        if since_best > patience {
            break;
        }
        let current = st.score();
        let saved = st.edge_of.clone();
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
        if now.better_than(&best_score) {
            best_score = now;
            best_edges.clone_from(&st.edge_of);
            since_best = 0;
        } else {
            // Threshold acceptance: allow a slightly worse solution early on.
            let tau = 0.02 * (1.0 - round as f64 / rounds as f64);
            if now.primary > current.primary * (1.0 + tau) + 1e-12 {
                st = State::new(m, saved);
            }
        }
    }
    let mut st = State::new(m, best_edges);
    local_search(&mut st, &mut rng, 50, &stop);
    if ctx.should_stop() {
        cut = true;
    }
    HeuristicResult {
        objective: st.objective(),
        violation: st.violation(),
        edge_of: st.edge_of,
        cut_short: cut,
        start,
    }
}
