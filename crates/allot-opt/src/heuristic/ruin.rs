//! Ruin and recreate: lift a few units (some from the worst reps, some at random) and put
//! them back greedily, largest first.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::state::State;

/// Probability of placing a unit on its second-best pair.
const BLINK: f64 = 0.1;

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
        // Best insertion, except that with a small probability ("blink") the best is passed
        // over for the runner-up: the recreate explores instead of repeating itself.
        let first = m.pair(u, m.edge_start[u] as usize);
        let mut best = (f64::INFINITY, first);
        let mut second = best;
        for p in st.moves(u) {
            let s = st.eval_place(u, &p);
            if s < best.0 {
                second = best;
                best = (s, p);
            } else if s < second.0 {
                second = (s, p);
            }
        }
        let pick = if second.0.is_finite() && rng.random::<f64>() < BLINK {
            second.1
        } else {
            best.1
        };
        st.place(u, pick);
    }
    st.settle();
    lifted
}
