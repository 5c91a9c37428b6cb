//! Local search: best-improving moves of each unit, then swaps that involve the worst reps.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::state::{Score, State};
use crate::model::Pair;

/// How hard a swap phase looks: units of each worst rep tried, partners tried per unit.
#[derive(Clone, Copy, Debug)]
pub struct SwapEffort {
    /// Units of a worst rep tried per swap phase.
    pub units: usize,
    /// Random partners tried per unit.
    pub partners: usize,
}

/// Thorough swaps, for full local searches.
pub const FULL_SWAPS: SwapEffort = SwapEffort {
    units: 96,
    partners: 48,
};
/// Light swaps, for the local search after a ruin.
pub const LIGHT_SWAPS: SwapEffort = SwapEffort {
    units: 12,
    partners: 16,
};

/// Largest unit list whose first pass runs even past the deadline.
const MANDATORY_PASS_MAX: usize = 20_000;

/// Runs move and swap passes until a pass improves nothing, `max_passes` is reached or
/// `stop()` says so. Returns whether anything improved.
pub fn local_search(
    st: &mut State<'_>,
    rng: &mut ChaCha8Rng,
    max_passes: usize,
    stop: &dyn Fn() -> bool,
) -> bool {
    let free: Vec<usize> = (0..st.m.n_units()).filter(|&u| !st.m.locked[u]).collect();
    local_search_over(st, rng, &free, &free, max_passes, FULL_SWAPS, stop)
}

/// Local search whose move phase visits only `units` (e.g. those a ruin just re-inserted);
/// swap partners are drawn from `free`.
pub fn local_search_over(
    st: &mut State<'_>,
    rng: &mut ChaCha8Rng,
    units: &[usize],
    free: &[usize],
    max_passes: usize,
    effort: SwapEffort,
    stop: &dyn Fn() -> bool,
) -> bool {
    let mut free_order: Vec<usize> = units.to_vec();
    // Feasibility first: its first step (or pass) always runs, even past the deadline, and
    // so does one full pass on a segment small enough for it to be quick: a start cut short
    // must still hand back a repaired, locally improved solution, without overrunning the
    // limit on a huge segment.
    let mut any = repair(st, units, stop);
    let first_pass_free = units.len() <= MANDATORY_PASS_MAX;
    for pass in 0..max_passes {
        if (pass > 0 || !first_pass_free) && stop() {
            break;
        }
        let mut improved = false;
        free_order.shuffle(rng);
        for &u in &free_order {
            if let Some(p) = best_move(st, u, st.score()) {
                st.apply_move(u, p);
                improved = true;
            }
        }
        improved |= swap_pass(st, rng, units, free, effort);
        any |= improved;
        if !improved {
            break;
        }
    }
    any
}

/// The best move of unit `u` (listed pairs and the under-target reps it does not list)
/// when it beats `best`.
#[inline]
fn best_move(st: &State<'_>, u: usize, mut best: Score) -> Option<Pair> {
    let cur = st.rep_of[u];
    let mut found = None;
    for p in st.moves(u) {
        if p.rep == cur {
            continue;
        }
        let s = st.eval_move(u, &p);
        if s.better_than(&best) {
            best = s;
            found = Some(p);
        }
    }
    found
}

/// The swap of units `u` and `v` (of different reps, each allowed on the other's rep) when
/// it beats `best`, which it then becomes.
#[inline]
fn try_swap(st: &State<'_>, u: usize, v: usize, best: &mut Score) -> Option<[(usize, Pair); 2]> {
    let (a, b) = (st.rep_of[u], st.rep_of[v]);
    if a == b {
        return None;
    }
    let (pu, pv) = (st.pair_to(u, b)?, st.pair_to(v, a)?);
    let s = st.eval_swap(u, &pu, v, &pv);
    if s.better_than(best) {
        *best = s;
        Some([(u, pu), (v, pv)])
    } else {
        None
    }
}

/// Segments with at most this many free units get the full swap neighbourhood.
const FULL_SWAP_MAX: usize = 1500;

/// Swaps. On balance segments the first unit comes from the reps that set a max deviation;
/// on pure-cost segments it is any of `units`. The partner is every free unit on small
/// segments, else `effort.partners` random ones.
fn swap_pass(
    st: &mut State<'_>,
    rng: &mut ChaCha8Rng,
    units: &[usize],
    free: &[usize],
    effort: SwapEffort,
) -> bool {
    let m = st.m;
    if free.len() < 2 || m.n_reps() < 2 {
        return false;
    }
    let mut firsts: Vec<usize> = if m.metrics.is_empty() {
        units.to_vec()
    } else {
        let mut worst_reps: Vec<usize> = Vec::new();
        for &k in &m.metrics {
            let w = (0..m.n_reps())
                .max_by(|&a, &b| {
                    m.dev(a, k, st.load[a][k])
                        .abs()
                        .total_cmp(&m.dev(b, k, st.load[b][k]).abs())
                })
                .unwrap_or(0);
            if !worst_reps.contains(&w) {
                worst_reps.push(w);
            }
        }
        worst_reps
            .iter()
            .flat_map(|&w| st.held[w].iter().map(|&u| u as usize))
            .filter(|&u| !m.locked[u])
            .collect()
    };
    firsts.shuffle(rng);
    firsts.truncate(effort.units.max(if free.len() <= FULL_SWAP_MAX {
        units.len()
    } else {
        0
    }));
    let full = free.len() <= FULL_SWAP_MAX;
    let mut improved = false;
    for u in firsts {
        let mut best = st.score();
        let mut best_pair = None;
        if full {
            for &v in free {
                if let Some(pair) = try_swap(st, u, v, &mut best) {
                    best_pair = Some(pair);
                }
            }
        } else {
            for _ in 0..effort.partners {
                let v = free[rng.random_range(0..free.len())];
                if let Some(pair) = try_swap(st, u, v, &mut best) {
                    best_pair = Some(pair);
                }
            }
        }
        if let Some(changes) = best_pair {
            st.apply_many(&changes);
            improved = true;
        }
    }
    improved
}

/// While caps, hard bands or budgets are broken: apply the move (else the swap) that
/// lowers the violation and scores best over all `units` (steepest descent, so that the
/// fewest changes restore feasibility) on scopes up to [`REPAIR_STEEPEST_MAX`] units; on
/// larger ones, passes that move each unit to its best violation-lowering pair. Ends when
/// nothing lowers the violation, after [`REPAIR_MAX_STEPS`] changes per unit of the scope,
/// or — after a first step or pass — when `stop()` says so.
fn repair(st: &mut State<'_>, units: &[usize], stop: &dyn Fn() -> bool) -> bool {
    if units.len() > REPAIR_MAX_UNITS {
        // On huge segments the move passes (first improvement) do the repair instead.
        return false;
    }
    if units.len() > REPAIR_STEEPEST_MAX {
        return repair_by_passes(st, units, stop);
    }
    let mut any = false;
    let mut steps = 0;
    while st.violation() > 0.0
        && !(steps > 0 && stop())
        && steps < REPAIR_MAX_STEPS * units.len().max(1)
    {
        steps += 1;
        let now = st.violation();
        let lowers = |s: &Score| s.violation < now - 1e-12;
        let mut best: Option<Score> = None;
        let mut chosen = None;
        for &u in units {
            let cur = st.rep_of[u];
            for p in st.moves(u) {
                if p.rep == cur {
                    continue;
                }
                let s = st.eval_move(u, &p);
                if lowers(&s) && best.is_none_or(|b| s.better_than(&b)) {
                    best = Some(s);
                    chosen = Some((u, p));
                }
            }
        }
        if let Some((u, p)) = chosen {
            st.apply_move(u, p);
            any = true;
            continue;
        }
        if !repair_swap(st, units) {
            break;
        }
        any = true;
    }
    any
}

/// Repair passes: each unit in turn to its best-scoring pair that lowers the violation.
fn repair_by_passes(st: &mut State<'_>, units: &[usize], stop: &dyn Fn() -> bool) -> bool {
    let mut any = false;
    for pass in 0..REPAIR_MAX_STEPS {
        if st.violation() <= 0.0 || (pass > 0 && stop()) {
            break;
        }
        let start = st.violation();
        for &u in units {
            let now = st.violation();
            if now <= 0.0 {
                break;
            }
            let cur = st.rep_of[u];
            let mut best: Option<Score> = None;
            let mut chosen = None;
            for p in st.moves(u) {
                if p.rep == cur {
                    continue;
                }
                let s = st.eval_move(u, &p);
                if s.violation < now - 1e-12 && best.is_none_or(|b| s.better_than(&b)) {
                    best = Some(s);
                    chosen = Some(p);
                }
            }
            if let Some(p) = chosen {
                st.apply_move(u, p);
                any = true;
            }
        }
        if st.violation() >= start - 1e-12 {
            if !repair_swap(st, units) {
                break;
            }
            any = true;
        }
    }
    any
}

/// The swap between two units of different reps that lowers the violation most (scored as
/// a whole); says whether it applied one.
fn repair_swap(st: &mut State<'_>, units: &[usize]) -> bool {
    let now = st.violation();
    let mut best_swap = None;
    let mut best = st.score();
    best.primary = f64::INFINITY;
    let pairs = units.len() * units.len();
    let step = (pairs / REPAIR_SWAP_PAIRS).max(1);
    let mut i = 0usize;
    while i < pairs {
        let (u, v) = (units[i / units.len()], units[i % units.len()]);
        i += step;
        if u < v {
            let mut trial = best;
            if let Some(pair) = try_swap(st, u, v, &mut trial)
                && trial.violation < now - 1e-12
            {
                best = trial;
                best_swap = Some(pair);
            }
        }
    }
    match best_swap {
        Some(changes) => {
            st.apply_many(&changes);
            true
        }
        None => false,
    }
}

/// Most repair steps per unit of its scope (steepest descent), or passes (larger scopes).
const REPAIR_MAX_STEPS: usize = 2;

/// Largest scope (units) repaired by steepest descent.
const REPAIR_STEEPEST_MAX: usize = 1_000;

/// Largest scope (units) the steepest-descent repair scans.
const REPAIR_MAX_UNITS: usize = 5_000;

/// Unit pairs examined per repair swap step (all of them on small segments).
const REPAIR_SWAP_PAIRS: usize = 20_000;
