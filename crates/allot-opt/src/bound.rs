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
            let r = m.edge_rep[m.edge_start[u] as usize] as usize;
            for k in 0..3 {
                locked[r][k] += m.load[u][k];
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
                .map(|e| m.dev(m.edge_rep[e] as usize, k, m.load[u][k]))
                .fold(f64::INFINITY, f64::min);
            if best.is_finite() {
                lb = lb.max(best);
            }
        }
        balance += m.weight[k] * lb.max(0.0);
    }
    balance + linear
}
