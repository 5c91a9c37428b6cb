//! Cheap valid lower bounds on a segment's objective, for instances or runs without a MILP bound.
//!
//! Balance: a locked load already puts its rep at locked/target − 1, and every unit must
//! land somewhere, so max |dev_m| ≥ min over its eligible reps of (unit load / target − 1).
//! Pair costs: each unit pays at least its cheapest pair. The objective is a sum of these
//! terms, so the sum of their bounds is a bound.

use crate::segment::SegModel;

/// A lower bound on the objective of any feasible solution of `m`.
pub fn cheap_bound(m: &SegModel) -> f64 {
    let mut linear = 0.0;
    let mut locked = vec![[0.0; 3]; m.n_reps()];
    for u in 0..m.n_units() {
        linear += m
            .edges(u)
            .map(|e| m.edge_cost[e])
            .fold(f64::INFINITY, f64::min)
            .min(1e300);
        if m.locked[u] {
            let e = m.edge_start[u] as usize;
            let r = m.edge_rep[e] as usize;
            let l = m.pair_load(u, e);
            for k in 0..3 {
                locked[r][k] += l[k];
            }
        }
    }
    let mut balance = 0.0;
    for &k in &m.metrics {
        let mut lb: f64 = 0.0;
        for (r, l) in locked.iter().enumerate() {
            lb = lb.max(m.dev(r, k, l[k]));
        }
        for u in 0..m.n_units() {
            let best = m
                .edges(u)
                .map(|e| m.dev(m.edge_rep[e] as usize, k, m.pair_load(u, e)[k]))
                .fold(f64::INFINITY, f64::min);
            if best.is_finite() {
                lb = lb.max(best);
            }
        }
        balance += m.weight[k] * lb.max(0.0);
    }
    balance + linear
}

/// A reason why no assignment of `m` can be feasible, found without search: caps that add
/// up to less than the segment needs, or locked loads already beyond a hard band.
pub fn obvious_infeasibility(m: &SegModel) -> Option<String> {
    // Least each unit can weigh on whichever rep takes it.
    let total: [f64; 3] = std::array::from_fn(|k| {
        (0..m.n_units())
            .map(|u| {
                m.edges(u)
                    .map(|e| m.pair_load(u, e)[k])
                    .fold(f64::INFINITY, f64::min)
            })
            .filter(|x| x.is_finite())
            .sum()
    });
    let cap_accounts: f64 = m.max_accounts.iter().sum();
    if cap_accounts < total[2] {
        return Some(format!(
            "capacity: max_accounts add up to {cap_accounts} but the segment has {} accounts ({} short)",
            total[2],
            total[2] - cap_accounts
        ));
    }
    let cap_work: f64 = m.max_workload.iter().sum();
    if cap_work < total[1] * (1.0 - 1e-12) {
        return Some(format!(
            "capacity: max_workload adds up to {cap_work:.1} h but the segment needs {:.1} h ({:.1} h short)",
            total[1],
            total[1] - cap_work
        ));
    }
    let mut locked = vec![[0.0; 3]; m.n_reps()];
    for u in 0..m.n_units() {
        if m.locked[u] {
            let e = m.edge_start[u] as usize;
            let r = m.edge_rep[e] as usize;
            let l = m.pair_load(u, e);
            for k in 0..3 {
                locked[r][k] += l[k];
            }
        }
    }
    for (r, l) in locked.iter().enumerate() {
        if l[2] > m.max_accounts[r] || l[1] > m.max_workload[r] * (1.0 + 1e-12) {
            return Some(format!(
                "locks: accounts locked to local rep {r} exceed its cap"
            ));
        }
        if m.hard_band {
            for &k in &m.metrics {
                let d = m.dev(r, k, l[k]);
                if d > m.band + 1e-12 {
                    return Some(format!(
                        "locks: accounts locked to one rep already put it {:+.2}% from target, beyond the ±{:.2}% band",
                        d * 100.0,
                        m.band * 100.0
                    ));
                }
            }
        }
    }
    None
}
