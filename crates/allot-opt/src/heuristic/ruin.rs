//! Ruin and recreate: lift a few units (some from the worst reps, some at random) and put
//! them back greedily, largest first.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::state::State;

/// Lifts up to `k` free units and re-inserts them greedily.
pub fn ruin_recreate(
    st: &mut State<'_>,
    rng: &mut ChaCha8Rng,
    free: &[usize],
    k: usize,
) -> Vec<usize> {
    let m = st.m;
    if free.is_empty() {
        return Vec::new();
    }
    let mut lifted: Vec<usize> = Vec::with_capacity(k);
    // Half from the rep with the largest |deviation| on a random balanced metric.
    if let Some(&metric) = m.metrics.get(
        rng.random_range(0..m.metrics.len().max(1))
            .min(m.metrics.len().saturating_sub(1)),
    ) {
        let w = (0..m.n_reps())
            .max_by(|&a, &b| {
                m.dev(a, metric, st.load[a][metric])
                    .abs()
                    .total_cmp(&m.dev(b, metric, st.load[b][metric]).abs())
            })
            .unwrap_or(0);
        let held: Vec<u32> = st.held[w].clone();
        for _ in 0..k / 2 {
            if held.is_empty() {
                break;
            }
            let u = held[rng.random_range(0..held.len())] as usize;
            if !m.locked[u] && !lifted.contains(&u) {
                lifted.push(u);
            }
        }
    }
    while lifted.len() < k.min(free.len()) {
        let u = free[rng.random_range(0..free.len())];
        if !lifted.contains(&u) {
            lifted.push(u);
        }
    }
    for &u in &lifted {
        st.lift(u);
    }
    lifted.sort_by(|&a, &b| {
        let size = |u: usize| {
            m.metrics
                .iter()
                .map(|&x| m.load[u][x] * m.weight[x])
                .sum::<f64>()
                + m.load[u][2] * 1e-9
        };
        size(b).total_cmp(&size(a)).then(a.cmp(&b))
    });
    for &u in &lifted {
        let mut best = (f64::INFINITY, m.edge_start[u] as usize);
        for e in m.edges(u) {
            let s = st.eval_place(u, e) + 1e-9 * rng.random::<f64>();
            if s < best.0 {
                best = (s, e);
            }
        }
        st.place(u, best.1);
    }
    st.settle();
    lifted
}
