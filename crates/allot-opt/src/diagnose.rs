//! Why a segment has no feasible assignment, as data: the binding rule and by how much.
//!
//! [`diagnose`] reads the segment's constraints with an exhaustive `match`: each rule has a
//! cheap proof that it cannot hold (caps that add up to less than the segment needs, locks
//! beyond a cap or the band, a unit too large for the band on every eligible rep, accounts
//! beyond the travel cap of every eligible rep). Budgets are diagnosed across segments when
//! they are shared ([`crate::model::budget`]). The CLI turns a [`Binding`] into words.

use allot_model::constraint::Measure;
use allot_model::{AccountIdx, Constraint, Metric, RepIdx, UnitIdx};
use serde::Serialize;

use crate::model::SegModel;

/// The rule that makes a segment infeasible, with the amounts that prove it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "binding", rename_all = "snake_case")]
pub enum Binding {
    /// The reps' caps on a metric add up to less than the segment's units need.
    CapTotal {
        /// The capped metric.
        metric: Metric,
        /// Σ of the reps' caps.
        caps: f64,
        /// What the units need at least.
        need: f64,
    },
    /// Accounts locked to a rep already exceed its cap.
    LockedOverCap {
        /// The rep.
        rep: RepIdx,
        /// The capped metric.
        metric: Metric,
        /// The locked load.
        locked: f64,
        /// The cap.
        cap: f64,
    },
    /// Accounts locked to a rep already put it beyond the band.
    LockedOverBand {
        /// The rep.
        rep: RepIdx,
        /// The banded metric.
        metric: Metric,
        /// Its deviation from target with the locked accounts alone (a fraction).
        deviation: f64,
        /// The band (a fraction).
        band: f64,
    },
    /// A unit (an account family) alone puts every rep it may go to beyond the band.
    UnitOverBand {
        /// The unit.
        unit: UnitIdx,
        /// The banded metric.
        metric: Metric,
        /// The least deviation it causes on any eligible rep (a fraction).
        deviation: f64,
        /// The band (a fraction).
        band: f64,
    },
    /// No assignment keeps every rep within the band on a metric: the least largest
    /// deviation any assignment reaches is beyond it (proven by the exact MILP).
    BandOutOfReach {
        /// The banded metric.
        metric: Metric,
        /// The least largest |deviation| any assignment within the other rules reaches.
        least: f64,
        /// The band (a fraction).
        band: f64,
    },
    /// The accounts that must move exceed a disruption budget.
    Budget {
        /// The plan key that states the budget.
        stated: String,
        /// What the budget counts.
        measure: Measure,
        /// The budget.
        limit: f64,
        /// The least any assignment must move.
        least: f64,
        /// Of which: accounts whose owner cannot keep them (leaving, another segment).
        unkeepable: f64,
    },
    /// A unit's accounts are farther than the travel cap from every eligible rep's home.
    Travel {
        /// The unit.
        unit: UnitIdx,
        /// Its account that is too far: the farthest from the eligible rep nearest to them all.
        account: AccountIdx,
        /// That account's distance from that rep's home, km.
        nearest_km: f64,
        /// The cap.
        max_km: f64,
    },
}

/// A reason why no assignment of `m` can be feasible, found without search.
pub fn diagnose(m: &SegModel<'_>) -> Option<Binding> {
    let locked = m.locked_loads();
    for c in &m.constraints {
        let found = match c {
            // Every unit has at least one listed pair, locks have one, families are units.
            Constraint::Coverage | Constraint::Eligibility | Constraint::Family => None,
            // A lock against a cap or the band is diagnosed by that rule.
            Constraint::Lock => None,
            Constraint::Cap(metric) => cap_binding(m, *metric, &locked),
            Constraint::Band { metric, band } => band_binding(m, *metric, *band, &locked),
            // Shared between segments: diagnosed when the budget is split.
            Constraint::Budget(_) => None,
            Constraint::Travel { max_km } => m.stranded.first().map(|s| Binding::Travel {
                unit: m.units[s.unit],
                account: s.account,
                nearest_km: s.km,
                max_km: *max_km,
            }),
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Caps that add up to less than the units need, or locks beyond a cap.
fn cap_binding(m: &SegModel<'_>, metric: Metric, locked: &[[f64; 3]]) -> Option<Binding> {
    let k = metric.slot();
    for (r, l) in locked.iter().enumerate() {
        let cap = m.cap[r][k];
        if l[k] > cap * (1.0 + 1e-12) + 1e-12 {
            return Some(Binding::LockedOverCap {
                rep: m.reps[r],
                metric,
                locked: l[k],
                cap,
            });
        }
    }
    let caps: f64 = m.cap.iter().map(|c| c[k]).sum();
    if !caps.is_finite() {
        return None;
    }
    // The least each unit can weigh on whichever rep takes it.
    let need: f64 = (0..m.n_units())
        .map(|u| {
            m.edges(u)
                .map(|e| m.pair_load(u, e)[k])
                .fold(f64::INFINITY, f64::min)
        })
        .filter(|x| x.is_finite())
        .sum();
    (caps < need * (1.0 - 1e-12)).then_some(Binding::CapTotal { metric, caps, need })
}

/// Locks beyond the band, or a unit too large for the band on every eligible rep.
fn band_binding(
    m: &SegModel<'_>,
    metric: Metric,
    band: f64,
    locked: &[[f64; 3]],
) -> Option<Binding> {
    let k = metric.slot();
    if !m.hard_band || !m.metrics.contains(&k) {
        return None;
    }
    for (r, l) in locked.iter().enumerate() {
        let d = m.dev(r, k, l[k]);
        if d > band + 1e-12 {
            return Some(Binding::LockedOverBand {
                rep: m.reps[r],
                metric,
                deviation: d,
                band,
            });
        }
    }
    for u in (0..m.n_units()).filter(|&u| !m.locked[u]) {
        let listed = m
            .edges(u)
            .map(|e| m.dev(m.edge_rep[e] as usize, k, m.pair_load(u, e)[k]))
            .fold(f64::INFINITY, f64::min);
        let least = match &m.open {
            Some(o) => listed.min(o.least_dev(u, k, m.load[u][k])),
            None => listed,
        };
        if least.is_finite() && least > band + 1e-12 {
            return Some(Binding::UnitOverBand {
                unit: m.units[u],
                metric,
                deviation: least,
                band,
            });
        }
    }
    None
}

/// Largest segment (listed pairs) whose band is measured exactly by [`band_out_of_reach`].
const REACH_MAX_PAIRS: usize = 5_000;

/// Which banded metric no assignment can keep within the band, and how close the best
/// comes: for each banded metric, the exact MILP of "least largest |deviation| on this
/// metric, every other rule kept (the other bands too)". Only on segments that list every
/// pair and are small enough; `None` when each is within reach or unknown. The solves share
/// `seconds`, and `work` units when given (a work-limited run: then they repeat exactly).
pub fn band_out_of_reach(m: &SegModel<'_>, seconds: f64, work: Option<u64>) -> Option<Binding> {
    if !m.hard_band || !m.complete || m.n_pairs() > REACH_MAX_PAIRS {
        return None;
    }
    let banded: Vec<Metric> = m
        .constraints
        .iter()
        .filter_map(|c| match c {
            Constraint::Band { metric, .. } if m.metrics.contains(&metric.slot()) => Some(*metric),
            _ => None,
        })
        .collect();
    for &metric in &banded {
        let k = metric.slot();
        let mut reach = m.clone();
        reach.edge_cost.iter_mut().for_each(|c| *c = 0.0);
        reach.weight = [0.0; 3];
        reach.weight[k] = 1.0;
        // This metric's band becomes what is measured; the others stay hard.
        reach
            .constraints
            .retain(|c| !matches!(c, Constraint::Band { metric: x, .. } if *x == metric));
        // Under a work limit HiGHS's primal heuristics are off: they run sub-MIPs no limit
        // bounds, and only the bound decides here.
        let limits = crate::mip::MipLimits {
            work: work.map(|w| w / banded.len() as u64),
            heuristics: work.is_none(),
            ..crate::mip::MipLimits::timed(seconds / banded.len() as f64, REACH_NODE_LIMIT, false)
        };
        let Ok(r) = crate::mip::solve_mip(&reach, None, limits) else {
            continue;
        };
        // Only a proven optimum (or a bound beyond the band) says no assignment reaches it.
        let least = match r.status {
            crate::mip::MipStatus::Optimal => r.objective.unwrap_or(0.0),
            _ => r.bound,
        };
        if least.is_finite() && least > m.band + 1e-9 {
            return Some(Binding::BandOutOfReach {
                metric,
                least,
                band: m.band,
            });
        }
    }
    None
}

/// Branch-and-bound nodes of each measure of how close the band can be met.
const REACH_NODE_LIMIT: i32 = 5_000;
