//! Sharing a disruption budget between segments.
//!
//! A budget (`[disruption] max_moves`, `max_moved_pct`, `max_moved_potential_pct`,
//! `max_moved_workload_pct`) bounds a sum over every segment, but segments are solved
//! apart. Each segment first gets what it must move in any case — its units that cannot stay
//! with their owner (a leaving owner, an owner now in another segment) and what its
//! over-target reps must shed to reach the band ([`crate::bound::band_bound_with`]) — then
//! the rest of the budget in proportion to the plan's `segment_shares` above that (what
//! `allot frontier` saw each segment move unconstrained), else to its owned accounts (or
//! potential, or workload). When the musts alone exceed the budget, no assignment
//! can keep it: [`split`] says by how much.

use allot_model::Problem;
use allot_model::constraint::Measure;

use super::SegModel;

/// A budget that the segments' forced moves already exceed.
#[derive(Clone, Debug, PartialEq)]
pub struct Short {
    /// The plan key that states the budget.
    pub stated: String,
    /// What it counts.
    pub measure: Measure,
    /// The budget.
    pub limit: f64,
    /// The least any assignment keeping the other rules must move (a lower bound).
    pub least: f64,
    /// Of which: units whose owner cannot keep them (leaving, or in another segment).
    pub unkeepable: f64,
}

/// Largest segment (listed pairs) whose least moves come from an LP relaxation.
const LP_MAX_PAIRS: usize = 200_000;

/// Largest segment (listed pairs) whose least moves may come from the integer program
/// itself (its proven bound after at most [`EXACT_NODES`] nodes): whole units move, and a
/// share at a fractional LP least can be less than the segment must move.
const EXACT_MAX_PAIRS: usize = 5_000;

/// Branch-and-bound nodes of that integer program (a deterministic limit).
const EXACT_NODES: i32 = 100;

/// What a segment must move on a measure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Least {
    /// A proven lower bound on what any assignment within the segment's rows moves.
    pub least: f64,
    /// The part of it that units whose owner cannot keep them make up.
    pub unkeepable: f64,
    /// Whether the bound came from a fractional LP optimum on a segment small enough for
    /// [`integer_least`] to tighten it.
    pub refinable: bool,
}

/// The least segment `m` must move on `measure`. On a segment that lists every pair and is
/// small enough, the LP relaxation of "fewest moves within the rows"; else every unit at
/// least its cheapest pair's move, plus what hard bands force over-target reps to shed.
pub fn least_moved(m: &SegModel<'_>, measure: Measure) -> Least {
    if m.edge_moved.is_empty() {
        return Least {
            least: 0.0,
            unkeepable: 0.0,
            refinable: false,
        };
    }
    let (combinatorial, unkeepable) = least_moved_combinatorial(m, measure);
    let mut least = combinatorial;
    let mut refinable = false;
    if m.complete && m.n_pairs() <= LP_MAX_PAIRS {
        // An infeasible LP means the segment breaks its own rows whatever moves: that is
        // diagnosed by those rows, not blamed on the budget.
        if let Some(lp) = fewest_moves(m, measure, crate::mip::MipLimits::timed(5.0, 0, true)) {
            least = least.max(lp.bound);
            refinable = m.n_pairs() <= EXACT_MAX_PAIRS
                && lp
                    .lp_values
                    .as_ref()
                    .is_some_and(|v| v.iter().any(|x| (x - x.round()).abs() > 1e-6));
        }
    }
    Least {
        least: whole(least, measure),
        unkeepable,
        refinable,
    }
}

/// The integer program's bound on what segment `m` must move (after at most
/// [`EXACT_NODES`] nodes): dearer than [`least_moved`], for where whole units matter.
pub fn integer_least(m: &SegModel<'_>, measure: Measure) -> Option<f64> {
    let limits = crate::mip::MipLimits::timed(5.0, EXACT_NODES, false);
    fewest_moves(m, measure, limits).map(|r| whole(r.bound, measure))
}

/// Solves "fewest moves on `measure` within the segment's rows" under `limits`: None when
/// it fails or the rows cannot hold.
fn fewest_moves(
    m: &SegModel<'_>,
    measure: Measure,
    limits: crate::mip::MipLimits,
) -> Option<crate::mip::MipResult> {
    let k = measure.slot();
    let mut fewest = m.clone();
    fewest.edge_cost = m.edge_moved.iter().map(|x| x[k]).collect();
    fewest.weight = [0.0; 3];
    fewest.budgets.clear();
    fewest
        .constraints
        .retain(|c| !matches!(c, allot_model::Constraint::Budget(_)));
    crate::mip::solve_mip(&fewest, None, limits)
        .ok()
        .filter(|r| r.status != crate::mip::MipStatus::Infeasible && r.bound.is_finite())
}

/// Whole accounts move: a bound on moved accounts rounds up.
fn whole(least: f64, measure: Measure) -> f64 {
    if measure == Measure::Accounts {
        (least - 1e-6).ceil().max(0.0)
    } else {
        least
    }
}

/// The most any one unit of `m` moves on `measure` (its whole owned measure).
fn largest_unit(m: &SegModel<'_>, measure: Measure) -> f64 {
    let k = measure.slot();
    (0..m.n_units())
        .map(|u| {
            m.edges(u)
                .filter_map(|e| m.edge_moved.get(e).map(|x| x[k]))
                .fold(0.0, f64::max)
        })
        .fold(0.0, f64::max)
}

fn least_moved_combinatorial(m: &SegModel<'_>, measure: Measure) -> (f64, f64) {
    let k = measure.slot();
    let floor: f64 = (0..m.n_units())
        .map(|u| {
            m.edges(u)
                .map(|e| m.edge_moved[e][k])
                .fold(f64::INFINITY, f64::min)
        })
        .filter(|x| x.is_finite())
        .sum();
    let cost = |e: usize| m.edge_moved[e][k];
    // An unlisted pair moves the unit's whole owned measure: at least its most moving
    // listed pair.
    let off = |u: usize| {
        if m.complete {
            f64::INFINITY
        } else {
            m.edges(u).map(|e| m.edge_moved[e][k]).fold(0.0, f64::max)
        }
    };
    let shed = crate::bound::band_bound_with(m, &cost, &off);
    (floor + if shed.is_finite() { shed } else { 0.0 }, floor)
}

/// Shares every budget of the problem between `models` (their budget rows, in the order
/// of the problem's budget constraints). Errs with the first budget the segments' forced
/// moves exceed.
pub fn split(p: &Problem, models: &mut [SegModel<'_>]) -> Result<(), Short> {
    let budgets: Vec<&allot_model::constraint::Budget> = p
        .constraints
        .iter()
        .filter_map(|c| match c {
            allot_model::Constraint::Budget(b) => Some(b),
            _ => None,
        })
        .collect();
    for (i, b) in budgets.iter().enumerate() {
        let mut forced: Vec<Least> = models.iter().map(|m| least_moved(m, b.measure)).collect();
        let mut least: f64 = forced.iter().map(|f| f.least).sum();
        // A budget that the LP leasts fit within about one unit per segment: a share at a
        // fractional least may be less than whole units need, so the small segments get
        // their integer least (a slack that large covers any segment's rounding). Below
        // the LP leasts the budget cannot hold anyway.
        let rounding: f64 = models.iter().map(|m| largest_unit(m, b.measure)).sum();
        if (0.0..rounding).contains(&(b.limit - least)) {
            for (f, m) in forced.iter_mut().zip(models.iter()) {
                if f.refinable
                    && let Some(x) = integer_least(m, b.measure)
                {
                    f.least = f.least.max(x);
                }
            }
            least = forced.iter().map(|f| f.least).sum();
        }
        if least > b.limit * (1.0 + 1e-9) + 1e-9 || least.is_nan() {
            return Err(Short {
                stated: b.stated.clone(),
                measure: b.measure,
                limit: b.limit,
                least,
                unkeepable: forced.iter().map(|f| f.unkeepable).sum(),
            });
        }
        // The plan's segment shares above what each segment must move, else its owned measure.
        let stated: Vec<f64> = models
            .iter()
            .zip(&forced)
            .map(|(m, f)| {
                let key = allot_model::plan::segment_key(&m.name);
                let share = p
                    .plan
                    .disruption
                    .segment_shares
                    .iter()
                    .find(|(k, _)| allot_model::plan::segment_key(k) == key)
                    .map_or(0.0, |(_, v)| *v);
                (share - f.least).max(0.0)
            })
            .collect();
        let weights: Vec<f64> = if stated.iter().sum::<f64>() > 0.0 {
            stated
        } else {
            models
                .iter()
                .map(|m| {
                    (0..m.n_units())
                        .map(|u| {
                            m.edges(u)
                                .map(|e| m.edge_moved.get(e).map_or(0.0, |x| x[b.measure.slot()]))
                                .fold(0.0, f64::max)
                        })
                        .sum::<f64>()
                })
                .collect()
        };
        let total: f64 = weights.iter().sum();
        let slack = b.limit - least;
        for (s, m) in models.iter_mut().enumerate() {
            let weight = if total > 0.0 {
                weights[s] / total
            } else {
                1.0 / forced.len() as f64
            };
            let share = forced[s].least + slack * weight;
            if let Some(row) = m.budgets.get_mut(i) {
                // Whole accounts: a share of accounts is rounded down (the rest is slack).
                row.limit = match b.measure {
                    Measure::Accounts => (share + 1e-9).floor().max(forced[s].least.ceil()),
                    Measure::Potential | Measure::Workload => share,
                };
                row.bound_limit = b.limit - (least - forced[s].least);
            }
        }
    }
    Ok(())
}
