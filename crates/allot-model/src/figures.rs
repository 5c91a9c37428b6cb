//! The figures of DESIGN.md, one definition used by every report and every engine's result.
//!
//! For rep j of a segment: target_j = segment total × fte_j / Σ fte of the segment's reps;
//! deviation_j = load_j / target_j − 1 for potential, workload and account count. A
//! segment's balance is max |deviation_j|; also the coefficient of variation and the
//! max/min ratio of fte-normalised loads. Disruption = accounts (and potential) whose owner
//! changes among accounts that had one. Compactness = mean great-circle km, rep home to account.

use serde::Serialize;

use crate::assignment::Assignment;
use crate::geo::haversine_km;
use crate::ids::{AccountIdx, RepIdx, UnitIdx};
use crate::plan::Metric;
use crate::problem::Problem;

/// Per-rep figures.
#[derive(Clone, Debug, Serialize)]
pub struct RepFigures {
    /// Accounts held.
    pub accounts: usize,
    /// Loads: potential, workload, accounts.
    pub load: [f64; 3],
    /// Targets: potential, workload, accounts.
    pub target: [f64; 3],
    /// load / target − 1 (0 where the target is 0).
    pub deviation: [f64; 3],
    /// Mean km from home to the rep's accounts that have coordinates.
    pub mean_km: Option<f64>,
    /// Highest share used of max_accounts or max_workload, when the rep has a cap.
    pub utilisation: Option<f64>,
}

/// Per-segment figures.
#[derive(Clone, Debug, Serialize)]
pub struct SegmentFigures {
    /// Segment name.
    pub name: String,
    /// Reps taking accounts.
    pub reps: usize,
    /// Accounts.
    pub accounts: usize,
    /// Totals: potential, workload, accounts.
    pub total: [f64; 3],
    /// Balance: max |deviation| per metric.
    pub max_abs_deviation: [f64; 3],
    /// Coefficient of variation of fte-normalised loads per metric.
    pub cv: [f64; 3],
    /// Max / min of fte-normalised loads per metric (`None` when a rep has none).
    pub max_min_ratio: [Option<f64>; 3],
    /// Whether every rep is within the plan's band on every balanced metric.
    pub within_band: bool,
    /// Accounts whose owner changes, among those that had one.
    pub moved_accounts: usize,
    /// Mean km from rep home to account (accounts with coordinates, reps with a home).
    pub mean_km: Option<f64>,
}

/// All figures of one assignment.
#[derive(Clone, Debug, Serialize)]
pub struct Figures {
    /// Per rep, indexed by [`RepIdx`].
    pub reps: Vec<RepFigures>,
    /// Per segment, indexed by segment.
    pub segments: Vec<SegmentFigures>,
    /// Accounts that had an owner.
    pub owned_accounts: usize,
    /// Accounts whose owner changes, among those that had one.
    pub moved_accounts: usize,
    /// Potential of the moved accounts.
    pub moved_potential: f64,
    /// Workload of the moved accounts (their own accounts.csv workload).
    pub moved_workload: f64,
    /// Mean km over all accounts with coordinates whose rep has a home.
    pub mean_km: Option<f64>,
    /// Accounts with no rep.
    pub unassigned: usize,
    /// Total pairs.csv cost of the assignment (when a pairs file was given).
    pub pair_cost: Option<f64>,
}

/// Computes every figure of an account → rep assignment (reps may be `None`, e.g. white space).
pub fn figures(p: &Problem, account_rep: &[Option<RepIdx>]) -> Figures {
    let nr = p.reps.len();
    let mut load = vec![[0.0f64; 3]; nr];
    let mut count = vec![0usize; nr];
    let mut km = vec![(0.0f64, 0usize); nr];
    let mut seg_moved = vec![0usize; p.segments.len()];
    let mut seg_km = vec![(0.0f64, 0usize); p.segments.len()];
    let (mut owned, mut moved, mut moved_pot, mut moved_work, mut unassigned) = (0, 0, 0.0, 0.0, 0);
    let mut pair_cost = 0.0;
    for (i, a) in p.accounts.iter().enumerate() {
        let rep = account_rep[i];
        let seg = p.account_segment[i].index();
        if p.account_had_owner[i] {
            owned += 1;
            if rep.is_none() || rep != p.account_owner[i] {
                moved += 1;
                moved_pot += a.potential;
                moved_work += a.workload;
                seg_moved[seg] += 1;
            }
        }
        let Some(r) = rep else {
            unassigned += 1;
            continue;
        };
        let pair = p
            .pairs
            .as_ref()
            .and_then(|m| m.get(&(AccountIdx::from_usize(i), r)));
        if let Some(&(c, _)) = pair {
            pair_cost += c;
        }
        let r = r.index();
        load[r][0] += a.potential;
        load[r][1] += pair.map_or(a.workload, |x| x.1);
        load[r][2] += 1.0;
        count[r] += 1;
        if let (Some(home), Some(at)) = (p.reps[r].coords(), a.coords()) {
            let d = haversine_km(home, at);
            km[r].0 += d;
            km[r].1 += 1;
            seg_km[seg].0 += d;
            seg_km[seg].1 += 1;
        }
    }
    let reps: Vec<RepFigures> = (0..nr)
        .map(|r| {
            let t = p.rep_target[r];
            let rep = &p.reps[r];
            let util = [
                rep.max_accounts
                    .map(|m| count[r] as f64 / (m.max(1) as f64)),
                rep.max_workload.map(|m| {
                    if m > 0.0 {
                        load[r][1] / m
                    } else {
                        f64::INFINITY
                    }
                }),
            ]
            .into_iter()
            .flatten()
            .reduce(f64::max);
            RepFigures {
                accounts: count[r],
                load: load[r],
                target: t,
                deviation: std::array::from_fn(|k| deviation(load[r][k], t[k])),
                mean_km: (km[r].1 > 0).then(|| km[r].0 / km[r].1 as f64),
                utilisation: util,
            }
        })
        .collect();
    let band = p.plan.balance.band();
    let segments = p
        .segments
        .iter()
        .enumerate()
        .map(|(s, seg)| {
            let mut max_abs = [0.0f64; 3];
            let mut cv = [0.0; 3];
            let mut ratio = [None; 3];
            for k in 0..3 {
                let norm: Vec<f64> = seg
                    .reps
                    .iter()
                    .map(|r| load[r.index()][k] / p.reps[r.index()].fte)
                    .collect();
                for r in &seg.reps {
                    max_abs[k] = max_abs[k].max(reps[r.index()].deviation[k].abs());
                }
                let n = norm.len() as f64;
                if n > 0.0 {
                    let mean = norm.iter().sum::<f64>() / n;
                    let var = norm.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
                    cv[k] = if mean > 0.0 { var.sqrt() / mean } else { 0.0 };
                    let (lo, hi) = norm.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
                        (lo.min(x), hi.max(x))
                    });
                    ratio[k] = (lo > 0.0).then(|| hi / lo);
                }
            }
            let within_band = p
                .plan
                .balance
                .metrics
                .iter()
                .all(|m| max_abs[m.slot()] <= band + 1e-9);
            SegmentFigures {
                name: seg.name.clone(),
                reps: seg.reps.len(),
                accounts: seg.total[2] as usize,
                total: seg.total,
                max_abs_deviation: max_abs,
                cv,
                max_min_ratio: ratio,
                within_band,
                moved_accounts: seg_moved[s],
                mean_km: (seg_km[s].1 > 0).then(|| seg_km[s].0 / seg_km[s].1 as f64),
            }
        })
        .collect();
    let (sum_km, n_km) = km.iter().fold((0.0, 0), |(s, n), (a, b)| (s + a, n + b));
    Figures {
        reps,
        segments,
        owned_accounts: owned,
        moved_accounts: moved,
        moved_potential: moved_pot,
        moved_workload: moved_work,
        mean_km: (n_km > 0).then(|| sum_km / n_km as f64),
        unassigned,
        pair_cost: p.pairs.as_ref().map(|_| pair_cost),
    }
}

/// load / target − 1, or 0 when the target is 0.
pub fn deviation(load: f64, target: f64) -> f64 {
    if target > 0.0 {
        load / target - 1.0
    } else {
        0.0
    }
}

/// The objective of a unit assignment: Σ over segments of Σ_m weight_m × max |dev_m|, plus
/// the linear pair costs. `None` when a unit sits with a rep it may not have.
pub fn objective(p: &Problem, a: &Assignment) -> Option<f64> {
    if !a.is_allowed(p) {
        return None;
    }
    let f = figures(p, &a.account_reps(p));
    let balance: f64 = f
        .segments
        .iter()
        .map(|s| {
            Metric::ALL
                .iter()
                .map(|m| p.balance_weight[m.slot()] * s.max_abs_deviation[m.slot()])
                .sum::<f64>()
        })
        .sum();
    let linear: f64 = (0..p.units.len())
        .map(|u| p.price(UnitIdx::from_usize(u), a.unit_rep[u]).cost)
        .sum();
    Some(balance + linear)
}

/// Money as a sales leader reads it: $950, $12.3K, $1.25M (a minus sign before the $).
pub fn money(x: f64) -> String {
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a >= 1e6 {
        format!("{sign}${:.2}M", a / 1e6)
    } else if a >= 1e3 {
        format!("{sign}${:.1}K", a / 1e3)
    } else {
        format!("{sign}${a:.0}")
    }
}
