//! Greedy construction: locked units first, then the largest units first, each to the
//! eligible rep it leaves least above target (the emptiest), capacities and pair costs
//! counted. In rebalance mode a start may instead keep every unit on its cheapest pair
//! (its current owner) and let the local search repair the bands.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::segment::SegModel;

/// How a start builds its first solution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Construct {
    /// Largest units first to the emptiest eligible rep.
    Greedy,
    /// Every unit on its cheapest pair.
    Cheapest,
}

/// Builds a full solution (an edge per unit). `noise` > 0 perturbs the size order.
pub fn construct(m: &SegModel, how: Construct, noise: f64, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let n = m.n_units();
    let mut edge_of = vec![u32::MAX; n];
    if how == Construct::Cheapest {
        for (u, slot) in edge_of.iter_mut().enumerate() {
            let best = m
                .edges(u)
                .min_by(|&a, &b| m.edge_cost[a].total_cmp(&m.edge_cost[b]))
                .unwrap_or(m.edge_start[u] as usize);
            *slot = best as u32;
        }
        return edge_of;
    }
    let total: [f64; 3] =
        std::array::from_fn(|k| m.load.iter().map(|l| l[k]).sum::<f64>().max(1e-12));
    let mut load = vec![[0.0; 3]; m.n_reps()];
    let mut order: Vec<(f64, usize)> = Vec::with_capacity(n);
    for u in 0..n {
        if m.locked[u] {
            let e = m.edge_start[u] as usize;
            edge_of[u] = e as u32;
            let r = m.edge_rep[e] as usize;
            let l = m.pair_load(u, e);
            for k in 0..3 {
                load[r][k] += l[k];
            }
            continue;
        }
        if m.metrics.is_empty() {
            // Pure cost (generalized assignment): most regret first — the units that lose
            // most if their cheapest pair is taken.
            let mut c: Vec<f64> = m.edges(u).map(|e| m.edge_cost[e]).collect();
            c.sort_by(f64::total_cmp);
            let regret = if c.len() > 1 {
                c[1] - c[0]
            } else {
                f64::MAX / 4.0
            };
            let mut key = regret + 1e-9 * m.load[u][1];
            if noise > 0.0 {
                key *= 1.0 + noise * rng.random::<f64>();
            }
            order.push((key, u));
            continue;
        }
        let mut size: f64 = m
            .metrics
            .iter()
            .map(|&k| m.weight[k].max(1e-3) * m.load[u][k] / total[k])
            .sum();
        if noise > 0.0 {
            size *= 1.0 + noise * rng.random::<f64>();
        }
        order.push((size, u));
    }
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let penalty = 1e4 * (n as f64 + 1.0);
    for (_, u) in order {
        let mut best = (f64::INFINITY, m.edge_start[u] as usize);
        for e in m.edges(u) {
            let r = m.edge_rep[e] as usize;
            let mut l = load[r];
            let add = m.pair_load(u, e);
            for k in 0..3 {
                l[k] += add[k];
            }
            let mut score = m.edge_cost[e];
            for &k in &m.metrics {
                score += m.weight[k].max(1e-6) * m.dev(r, k, l[k]);
            }
            score += penalty * (m.violation(r, &l) - m.violation(r, &load[r]));
            if score < best.0 {
                best = (score, e);
            }
        }
        let e = best.1;
        edge_of[u] = e as u32;
        let r = m.edge_rep[e] as usize;
        let l = m.pair_load(u, e);
        for k in 0..3 {
            load[r][k] += l[k];
        }
    }
    edge_of
}
