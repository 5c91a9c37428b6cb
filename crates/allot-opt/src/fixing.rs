//! Reduced-cost fixing and the core MILP: an exact finish for linear segments.
//!
//! Let z be the LP relaxation's optimum over every allowed pair and d_e the reduced cost of
//! pair e. By LP duality every integer solution x costs at least z + Σ_{e at 0} d_e·x_e +
//! Σ_{e at 1} (−d_e)·(1 − x_e), each term ≥ 0. So a solution better than an incumbent of
//! cost U never uses a pair at 0 with z + d_e > U, nor leaves a pair at 1 with z − d_e > U:
//! those pairs are fixed. On the segments allot meets the LP is nearly integral and U close
//! to z, so most units keep one pair and the *core* that is left — every pair a better
//! solution could use — is a small MILP. Solved to optimality it proves the incumbent (or
//! its improvement) optimal for the whole segment; stopped early, min(its bound, U) is
//! still a bound on the whole segment.

use crate::mip::{MipLimits, MipStatus, solve_mip};
use crate::model::SegModel;

/// The LP relaxation's optimum over every allowed pair of a segment.
#[derive(Clone, Debug)]
pub struct Relaxation {
    /// Value of each edge.
    pub values: Vec<f64>,
    /// Reduced cost of each edge.
    pub reduced: Vec<f64>,
    /// The LP optimum (a lower bound on the segment).
    pub bound: f64,
    /// Every allowed pair with a reduced cost up to this is listed (∞ when every pair
    /// is): fixing against an incumbent within it of the bound is exact.
    pub exact_to: f64,
}

impl Relaxation {
    /// Whether fixing against a solution of cost `upper` sees every pair it may keep.
    pub fn exact_for(&self, upper: f64) -> bool {
        upper - self.bound <= self.exact_to + 1e-9 * (1.0 + upper.abs())
    }
}

/// What the core MILP did.
#[derive(Clone, Debug)]
pub struct CoreResult {
    /// A solution at least as good as the incumbent (local rep per unit), when found.
    pub rep_of: Option<Vec<u32>>,
    /// A lower bound on the whole segment.
    pub bound: f64,
    /// Whether the bound is the optimum (the core was solved to optimality).
    pub proven: bool,
    /// Pairs in the core.
    pub pairs: usize,
    /// Whether the clock (not the node limit) stopped it.
    pub clock_stopped: bool,
}

/// Largest core (units with a choice) solved exactly: beyond it a node-limited solve
/// rarely closes and takes seconds.
const CORE_MAX_FREE: usize = 400;

/// Units of a model that have more than one pair.
fn free_units(m: &SegModel<'_>) -> usize {
    (0..m.n_units()).filter(|&u| !m.locked[u]).count()
}

/// Slack on the fixing test, relative to the incumbent, against rounding in the LP.
const FIX_TOLERANCE: f64 = 1e-7;

/// The edges a solution better than `upper` may use.
pub fn core_edges(m: &SegModel<'_>, lp: &Relaxation, upper: f64) -> Vec<bool> {
    let tol = FIX_TOLERANCE * (1.0 + upper.abs());
    let mut keep = vec![false; m.n_pairs()];
    for u in 0..m.n_units() {
        let edges = m.edges(u);
        if m.locked[u] {
            keep[edges.start] = true;
            continue;
        }
        // A pair at its upper bound whose leaving costs more than the gap: the unit stays.
        let stays = edges
            .clone()
            .find(|&e| lp.values[e] > 1.0 - 1e-9 && lp.bound - lp.reduced[e] > upper + tol);
        match stays {
            Some(e) => keep[e] = true,
            None => {
                for e in edges {
                    keep[e] = lp.values[e] > 1e-9 || lp.bound + lp.reduced[e] <= upper + tol;
                }
            }
        }
    }
    keep
}

/// Solves the core of `m` (the pairs a solution better than `best`, of cost `upper`, may
/// use) within `limits`, warm-started from `best`.
pub fn solve_core(
    m: &SegModel<'_>,
    lp: &Relaxation,
    best: &[u32],
    upper: f64,
    limits: MipLimits,
) -> Option<CoreResult> {
    let keep = core_edges(m, lp, upper);
    let core = m.restricted(&keep);
    if free_units(&core) > CORE_MAX_FREE {
        return None;
    }
    let warm: Option<Vec<u32>> = (0..core.n_units())
        .map(|u| core.edge_to(u, best[u]).map(|e| e as u32))
        .collect();
    let r = solve_mip(&core, warm.as_deref(), limits).ok()?;
    // Only when the core holds every pair a better solution may use does it say anything
    // about the whole segment beyond the LP bound.
    let exact = lp.exact_for(upper);
    let proven = exact && r.status == MipStatus::Optimal;
    let bound = match r.status {
        _ if !exact => lp.bound,
        // No solution better than the incumbent exists anywhere.
        MipStatus::Infeasible => upper,
        _ if proven => r.objective.unwrap_or(upper).min(upper),
        _ => r.bound.min(upper),
    };
    Some(CoreResult {
        rep_of: r.rep_of,
        bound,
        proven: proven || (exact && r.status == MipStatus::Infeasible),
        pairs: core.n_pairs(),
        clock_stopped: r.status == MipStatus::TimeLimit,
    })
}

/// What [`core_search`] found.
#[derive(Clone, Debug)]
pub struct CoreSearch {
    /// The best solution found (local rep per unit), when any.
    pub rep_of: Option<Vec<u32>>,
    /// Its objective (∞ without one).
    pub objective: f64,
    /// Whether it is proven optimal for the whole segment.
    pub proven: bool,
    /// Whether a clock (not a node limit) stopped a solve.
    pub clock_stopped: bool,
}

/// First threshold of [`core_search`] above the LP optimum, relative to it.
const FIRST_GAP: f64 = 1e-5;

/// Growth of the threshold after a core without a solution below it.
const GAP_GROWTH: f64 = 4.0;

/// Finds a near-optimal solution from the LP optimum: the core of pairs whose reduced cost
/// is at most δ holds every solution within δ of the LP bound, so a core MILP whose optimum
/// is within δ has found the segment's optimum. δ starts tiny and grows until a core
/// solve finds a solution (or reaches `upper`, the incumbent's cost, where the core holds
/// every improving solution). Each core MILP gets `node_limit` nodes and `share` of what
/// the search has left (time, or work when work-limited).
pub fn core_search(
    m: &SegModel<'_>,
    lp: &Relaxation,
    upper: f64,
    node_limit: i32,
    ctx: &crate::SearchContext,
    share: f64,
) -> CoreSearch {
    let z = lp.bound;
    let mut found = CoreSearch {
        rep_of: None,
        objective: upper,
        proven: false,
        clock_stopped: false,
    };
    let mut delta = FIRST_GAP * (1.0 + z.abs());
    loop {
        let best = found.objective;
        let threshold = (z + delta).min(best);
        if !ctx.has_budget() || best - z <= 1e-9 * (1.0 + best.abs()) {
            return found;
        }
        let keep = core_edges(m, lp, threshold);
        let core = m.restricted(&keep);
        if free_units(&core) > CORE_MAX_FREE {
            // Wider cores only get harder: the neighbourhood search goes on from here.
            return found;
        }
        let limits = ctx.mip_limits(share, f64::INFINITY, node_limit, false);
        let Ok(r) = solve_mip(&core, None, limits) else {
            return found;
        };
        found.clock_stopped |= r.status == MipStatus::TimeLimit;
        if let (Some(reps), Some(obj)) = (r.rep_of, r.objective)
            && obj < found.objective - 1e-9 * (1.0 + obj.abs())
        {
            let (obj, viol) = m.evaluate(&reps);
            if viol == 0.0 && obj < found.objective {
                found.objective = obj;
                found.rep_of = Some(reps);
            }
        }
        let exact = lp.exact_for(threshold);
        match r.status {
            // The core holds every solution of cost ≤ threshold: an optimum within it is
            // the segment's.
            MipStatus::Optimal
                if exact && found.objective <= threshold + 1e-9 * (1.0 + threshold.abs()) =>
            {
                found.proven = true;
                return found;
            }
            MipStatus::Infeasible | MipStatus::Optimal if threshold >= found.objective => {
                // Nothing better than the incumbent exists (when the core holds every pair
                // a better solution could use).
                found.proven = exact;
                return found;
            }
            // A solution: the neighbourhood search takes it from here (a wider core is
            // harder to close).
            _ if found.rep_of.is_some() => return found,
            MipStatus::Infeasible | MipStatus::Optimal => delta *= GAP_GROWTH,
            MipStatus::NodeLimit | MipStatus::TimeLimit => {
                if threshold >= found.objective {
                    return found;
                }
                delta *= GAP_GROWTH;
            }
        }
    }
}
