//! What a unit costs on a rep: the objective's linear terms, one definition for every
//! engine, bound and report.
//!
//! A pair (unit, rep) has a disruption (accounts, potential or workload of the unit whose
//! owner would change), a distance (Σ great-circle km from the rep's home to the unit's accounts
//! that have coordinates), a pairs.csv cost and a workload. The objective turns them into a
//! cost with per-segment coefficients ([`CostTerms`]):
//! - `redesign`: disruption weight × moved share of the segment's owned accounts (or
//!   potential, or workload) + compactness weight × km / (the segment's accounts with coordinates) / 100
//!   + pairs weight × pair cost (the balance maxima come on top);
//! - `rebalance`: moved accounts + 0.01 × the redesign's compactness term + pairs weight ×
//!   pair cost (and 0.01 × the balance maxima); in a field segment (compactness weight > 0)
//!   a rep with status `new` who has a home also costs [`NEW_REP_KM`] / (the segment's
//!   accounts with coordinates) per km, so that their book is carved near home (all of it
//!   together is worth less than one move);
//! - `cost`: the pair cost; `travel`: the km (+ pairs weight × pair cost).

use crate::constraint::{Measure, Moved};
use crate::geo::haversine_km;
use crate::ids::{RepIdx, UnitIdx};
use crate::plan::{Objective, Plan};

use super::Problem;

/// Per-segment coefficients of the linear terms.
#[derive(Clone, Debug, Default)]
pub struct CostTerms {
    /// Per segment: cost of one moved account (or one moved unit of potential or workload).
    pub moved: Vec<f64>,
    /// What disruption counts.
    pub measure: Measure,
    /// Per segment: cost of one km from rep home to account.
    pub km: Vec<f64>,
    /// Cost of one unit of pairs.csv cost.
    pub pair: f64,
    /// Per rep: cost of one km on top of the segment's (new reps under `rebalance`).
    pub rep_km: Vec<f64>,
    /// Per segment: cost of a unit away from the rep a previous proposal gave it
    /// (`--previous`): all of them together cost less than half a move, so it only breaks
    /// ties toward the proposal (see [`OFF_PROPOSAL`]).
    pub off_proposal: Vec<f64>,
}

/// What leaving the previous proposal costs at most over a whole segment, in moves (or,
/// without a disruption term, in objective units × 1e-6): a tie-break, never a move.
pub const OFF_PROPOSAL: f64 = 0.5;

/// Under `rebalance`, what a new rep's km cost at most adds up to over a segment whose every
/// account sat at the antipode (20,038 km): less than one move, so it only breaks ties.
pub const NEW_REP_KM: f64 = 0.5 / 20_038.0;

/// Everything about a unit on a rep.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Price {
    /// Linear objective cost.
    pub cost: f64,
    /// Workload the unit puts on the rep (its pairs.csv workloads, else its own).
    pub work: f64,
    /// What the unit moves if it goes there: accounts whose owner would change, their
    /// potential and their workload ([`Measure::slot`] order).
    pub moved: Moved,
}

impl CostTerms {
    /// The coefficients the plan's objective gives each segment of `p`, and the balance
    /// weights ([`crate::Metric::slot`] order).
    pub(super) fn of(p: &Problem) -> (CostTerms, [f64; 3]) {
        let plan: &Plan = &p.plan;
        let ns = p.segments.len();
        let measure = plan.disruption.measure();
        // Per segment: owned accounts, and the owned total of the measure.
        let (mut owned, mut owned_measure, mut with_coords) =
            (vec![0.0f64; ns], vec![0.0f64; ns], vec![0.0f64; ns]);
        for (i, a) in p.accounts.iter().enumerate() {
            let s = p.account_segment[i].index();
            if p.account_had_owner[i] {
                owned[s] += 1.0;
                owned_measure[s] += measure.of(a);
            }
            if a.coords().is_some() {
                with_coords[s] += 1.0;
            }
        }
        // Compactness only where every rep of the segment has a home.
        let compact: Vec<f64> = p
            .segments
            .iter()
            .map(|s| {
                if s.reps.iter().all(|r| p.reps[r.index()].coords().is_some()) {
                    plan.compactness_weight(&s.name)
                } else {
                    0.0
                }
            })
            .collect();
        let per_km = |s: usize| compact[s] / with_coords[s].max(1.0) / 100.0;
        let share = |s: usize| match measure {
            Measure::Accounts => 1.0 / owned[s].max(1.0),
            Measure::Potential | Measure::Workload => 1.0 / owned_measure[s].max(1e-9),
        };
        let mut w = [0.0; 3];
        for m in &plan.balance.metrics {
            w[m.slot()] = plan.balance.weight(*m);
        }
        let (moved, km, pair, balance): (Vec<f64>, Vec<f64>, f64, [f64; 3]) = match plan.objective {
            Objective::Redesign => (
                (0..ns).map(|s| plan.disruption.weight * share(s)).collect(),
                (0..ns).map(per_km).collect(),
                plan.pairs.weight,
                w,
            ),
            Objective::Rebalance => (
                // In accounts: a moved share of the owned accounts, times their number.
                (0..ns).map(|s| share(s) * owned[s].max(1.0)).collect(),
                (0..ns).map(|s| 0.01 * per_km(s)).collect(),
                plan.pairs.weight,
                w.map(|x| 0.01 * x),
            ),
            Objective::Cost => (vec![0.0; ns], vec![0.0; ns], 1.0, [0.0; 3]),
            Objective::Travel => (vec![0.0; ns], vec![1.0; ns], plan.pairs.weight, [0.0; 3]),
        };
        let rep_km = p
            .reps
            .iter()
            .enumerate()
            .map(|(r, rep)| match (plan.objective, p.rep_segment[r]) {
                (Objective::Rebalance, Some(s))
                    if rep.status == crate::rows::RepStatus::New
                        && rep.coords().is_some()
                        && compact[s.index()] > 0.0 =>
                {
                    NEW_REP_KM / with_coords[s.index()].max(1.0)
                }
                _ => 0.0,
            })
            .collect();
        let off_proposal = if p.unit_proposal.is_empty() {
            Vec::new()
        } else {
            (0..ns)
                .map(|s| {
                    // One average owned account moved, in objective units.
                    let one_move = match measure {
                        Measure::Accounts => moved[s],
                        Measure::Potential | Measure::Workload => {
                            moved[s] * owned_measure[s] / owned[s].max(1.0)
                        }
                    };
                    let base = if one_move > 0.0 { one_move } else { 1e-6 };
                    OFF_PROPOSAL * base / (p.segments[s].units.len().max(1) as f64)
                })
                .collect()
        };
        (
            CostTerms {
                moved,
                measure,
                km,
                pair,
                rep_km,
                off_proposal,
            },
            balance,
        )
    }
}

impl Problem {
    /// Accounts of unit `u` whose owner changes if it goes to `r`, their potential and
    /// their workload ([`Measure::slot`] order).
    pub fn moved(&self, u: UnitIdx, r: RepIdx) -> Moved {
        let mut moved = [0.0; 3];
        for a in self.units.members(u) {
            let i = a.index();
            if self.account_had_owner[i] && self.account_owner[i] != Some(r) {
                for m in Measure::ALL {
                    moved[m.slot()] += m.of(&self.accounts[i]);
                }
            }
        }
        moved
    }

    /// Σ great-circle km from `r`'s home to the accounts of `u` with coordinates (0 when
    /// the rep has no home).
    pub fn km(&self, u: UnitIdx, r: RepIdx) -> f64 {
        let Some(home) = self.reps[r.index()].coords() else {
            return 0.0;
        };
        self.units
            .members(u)
            .iter()
            .filter_map(|a| self.accounts[a.index()].coords())
            .map(|at| haversine_km(home, at))
            .sum()
    }

    /// Whether every account of `u` with coordinates is within the travel cap of `r`'s
    /// home (always, without a cap or a home).
    pub fn within_travel_cap(&self, u: UnitIdx, r: RepIdx) -> bool {
        let (Some(max_km), Some(home)) =
            (self.plan.compactness.max_km, self.reps[r.index()].coords())
        else {
            return true;
        };
        self.units
            .members(u)
            .iter()
            .filter_map(|a| self.accounts[a.index()].coords())
            .all(|at| haversine_km(home, at) <= max_km + 1e-6)
    }

    /// Whether unit `u` may go to rep `r`: eligible (class, lock) and within the travel cap.
    pub fn allowed(&self, u: UnitIdx, r: RepIdx) -> bool {
        self.eligible(u).binary_search(&r).is_ok() && self.within_travel_cap(u, r)
    }

    /// The pair cost and workload of `u` on `r` from pairs.csv (Σ over its accounts; the
    /// account's own workload where the row gives none); `(0, own workload)` without a pairs file.
    pub fn pair_terms(&self, u: UnitIdx, r: RepIdx) -> (f64, f64) {
        let Some(pairs) = &self.pairs else {
            return (0.0, self.units.load[u.index()][1]);
        };
        let (mut c, mut w) = (0.0, 0.0);
        for a in self.units.members(u) {
            match pairs.get(&(*a, r)) {
                Some(&(pc, pw)) => {
                    c += pc;
                    w += pw;
                }
                None => w += self.accounts[a.index()].workload,
            }
        }
        (c, w)
    }

    /// Everything about unit `u` on rep `r`: the objective's linear cost, the workload and
    /// the disruption.
    pub fn price(&self, u: UnitIdx, r: RepIdx) -> Price {
        let s = self.units.segment[u.index()].index();
        let t = &self.costs;
        let moved = self.moved(u, r);
        let (pair, work) = self.pair_terms(u, r);
        let mut cost = t.pair * pair;
        cost += t.moved[s] * moved[t.measure.slot()];
        if let Some(Some(pr)) = self.unit_proposal.get(u.index())
            && *pr != r
        {
            cost += t.off_proposal.get(s).copied().unwrap_or(0.0);
        }
        let per_km = t.km[s] + t.rep_km.get(r.index()).copied().unwrap_or(0.0);
        if per_km != 0.0 {
            cost += per_km * self.km(u, r);
        }
        Price { cost, work, moved }
    }
}
