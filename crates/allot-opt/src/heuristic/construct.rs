//! Greedy construction: locked units first, then the largest units first, each to the
//! eligible rep it leaves least above target (the emptiest), capacities and pair costs
//! counted. On a segment that lists candidates, the currently emptiest reps of each metric
//! are offered to every unit beside its list. A start may instead keep every unit on its
//! cheapest pair (its current owner) and let the local search repair the rows.

use std::collections::BTreeSet;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::model::{Pair, SegModel};

/// How a start builds its first solution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Construct {
    /// Largest units first to the emptiest eligible rep.
    Greedy,
    /// Every unit on its cheapest pair.
    Cheapest,
}

/// Reps ordered by deviation on one metric, lowest first (f64 bits of a non-negative
/// shifted deviation keep the order).
type ByDev = BTreeSet<(u64, u32)>;

fn dev_key(d: f64) -> u64 {
    // Deviations are ≥ −1; shifted they are ≥ 0, where the bit order is the number order.
    (d + 2.0).max(0.0).to_bits()
}

/// Emptiest reps the construction offers each unit beside its list, per metric.
const EMPTIEST: usize = 3;

/// Builds a full solution (a local rep per unit). `noise` > 0 perturbs the size order.
pub fn construct(m: &SegModel<'_>, how: Construct, noise: f64, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let n = m.n_units();
    crate::work::add(m.n_pairs() as u64);
    if how == Construct::Cheapest {
        return m.cheapest();
    }
    let mut rep_of = vec![u32::MAX; n];
    let total: [f64; 3] =
        std::array::from_fn(|k| m.load.iter().map(|l| l[k]).sum::<f64>().max(1e-12));
    let mut load = vec![[0.0; 3]; m.n_reps()];
    let mut order: Vec<(f64, usize)> = Vec::with_capacity(n);
    for u in 0..n {
        if m.locked[u] {
            let e = m.edge_start[u] as usize;
            rep_of[u] = m.edge_rep[e];
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
    // On a segment that lists candidates: the reps by deviation, per metric.
    let open = m.open.is_some();
    let mut by_dev: Vec<ByDev> = Vec::new();
    if open {
        for &k in &m.metrics {
            by_dev.push(
                (0..m.n_reps())
                    .filter(|&r| m.target[r][k] > 0.0)
                    .map(|r| (dev_key(m.dev(r, k, load[r][k])), r as u32))
                    .collect(),
            );
        }
    }
    let score_of = |load: &[[f64; 3]], u: usize, p: &Pair| {
        let r = p.rep as usize;
        let mut l = load[r];
        let add = m.load_on(u, p);
        for k in 0..3 {
            l[k] += add[k];
        }
        let mut score = p.cost;
        for &k in &m.metrics {
            score += m.weight[k].max(1e-6) * m.dev(r, k, l[k]);
        }
        score + penalty * (m.violation(r, &l) - m.violation(r, &load[r]))
    };
    let mut extra: Vec<Pair> = Vec::with_capacity(EMPTIEST * 3);
    for (_, u) in order {
        let mut best = (f64::INFINITY, m.pair(u, m.edge_start[u] as usize));
        for e in m.edges(u) {
            let p = m.pair(u, e);
            let s = score_of(&load, u, &p);
            if s < best.0 {
                best = (s, p);
            }
        }
        if open {
            extra.clear();
            for set in &by_dev {
                for &(_, r) in set.iter().take(EMPTIEST) {
                    if m.edge_to(u, r).is_none()
                        && let Some(p) = m.pair_to(u, r)
                    {
                        extra.push(p);
                    }
                }
            }
            for p in &extra {
                let s = score_of(&load, u, p);
                if s < best.0 {
                    best = (s, *p);
                }
            }
        }
        let p = best.1;
        let r = p.rep as usize;
        rep_of[u] = p.rep;
        let before = load[r];
        let l = m.load_on(u, &p);
        for k in 0..3 {
            load[r][k] += l[k];
        }
        for (i, &k) in m.metrics.iter().enumerate() {
            if open && m.target[r][k] > 0.0 {
                by_dev[i].remove(&(dev_key(m.dev(r, k, before[k])), p.rep));
                by_dev[i].insert((dev_key(m.dev(r, k, load[r][k])), p.rep));
            }
        }
    }
    rep_of
}
