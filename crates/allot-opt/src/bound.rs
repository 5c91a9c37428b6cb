//! Cheap valid lower bounds on a segment's objective, for instances or runs without a MILP bound.
//!
//! Every bound here holds for the user's whole problem, not only for the pairs a segment
//! lists: where a segment lists candidates, each unit's unlisted pairs enter through
//! [`crate::model::Open::off_lb`] (a lower bound on what any of them costs) and its class
//! of eligible reps.
//!
//! Balance: a locked load already puts its rep at locked/target − 1, and every unit must
//! land somewhere, so max |dev_m| ≥ min over its eligible reps of (unit load / target − 1).
//! Pair costs: each unit pays at least its cheapest pair. The objective is a sum of these
//! terms, so the sum of their bounds is a bound.

use allot_model::Constraint;

use crate::model::SegModel;

/// Least cost of any allowed pair of unit `u`, listed or not.
pub fn cheapest_pair(m: &SegModel<'_>, u: usize) -> f64 {
    let listed = m
        .edges(u)
        .map(|e| m.edge_cost[e])
        .fold(f64::INFINITY, f64::min);
    match &m.open {
        Some(o) => listed.min(o.off_lb[u]),
        None => listed,
    }
}

/// A lower bound on the objective of any feasible solution of `m`, without a solver: the
/// objective's own terms ([`cheap_bound`]) plus what each rule forces (one arm a rule).
pub fn segment_bound(m: &SegModel<'_>) -> f64 {
    let mut forced_by_bands = false;
    for c in &m.constraints {
        match c {
            // These decide which pairs exist: [`cheap_bound`] only reads allowed pairs.
            Constraint::Coverage
            | Constraint::Eligibility
            | Constraint::Lock
            | Constraint::Family
            | Constraint::Travel { .. } => {}
            // Caps and budgets can only raise the optimum; no cheap amount is certain.
            Constraint::Cap(_) | Constraint::Budget(_) => {}
            // Hard bands force over- and under-target reps to shed and take units.
            Constraint::Band { .. } => forced_by_bands = true,
        }
    }
    let forced = if forced_by_bands { band_bound(m) } else { 0.0 };
    cheap_bound(m) + if forced.is_finite() { forced } else { 0.0 }
}

/// A lower bound from the objective's terms alone: each unit's cheapest allowed pair, and
/// the balance maxima that locks and indivisible units force.
pub fn cheap_bound(m: &SegModel<'_>) -> f64 {
    let linear: f64 = (0..m.n_units())
        .map(|u| cheapest_pair(m, u).min(1e300))
        .sum();
    let locked = m.locked_loads();
    let mut balance = 0.0;
    for &k in &m.metrics {
        if m.weight[k] == 0.0 {
            continue;
        }
        let mut lb: f64 = 0.0;
        for (r, l) in locked.iter().enumerate() {
            lb = lb.max(m.dev(r, k, l[k]));
        }
        for u in 0..m.n_units() {
            let listed = m
                .edges(u)
                .map(|e| m.dev(m.edge_rep[e] as usize, k, m.pair_load(u, e)[k]))
                .fold(f64::INFINITY, f64::min);
            // Unlisted eligible reps: the unit's load on them is its own (no pairs file
            // on a segment that lists candidates).
            let unlisted = match &m.open {
                Some(o) => o.least_dev(u, k, m.load[u][k]),
                None => f64::INFINITY,
            };
            let best = listed.min(unlisted);
            if best.is_finite() {
                lb = lb.max(best);
            }
        }
        balance += m.weight[k] * lb.max(0.0);
    }
    balance + linear
}

/// [`band_bound_with`] on the model's own pair costs.
pub fn band_bound(m: &SegModel<'_>) -> f64 {
    let cost = |e: usize| m.edge_cost[e];
    let off = |u: usize| match &m.open {
        Some(o) => o.off_lb[u],
        None => f64::INFINITY,
    };
    band_bound_with(m, &cost, &off)
}

/// A lower bound on the pair costs (`cost` per edge; `off(u)` bounds unit `u`'s unlisted
/// pairs from below) that hard bands force, beyond each unit's cheapest pair (0 without
/// hard bands).
///
/// Each unit has a home: the rep of its unique cheapest pair (its current owner, in
/// rebalance). Leaving home costs at least the gap to its second-cheapest pair. A rep whose
/// home load exceeds (1 + band) × target must shed the excess, and the cheapest way to shed
/// it is at least the fractional-knapsack optimum over its home units. Shedding sets of
/// different reps are disjoint, so these costs add up; on a segment that lists every pair
/// the same holds for reps below (1 − band) × target, which must take in units whose home
/// is elsewhere. The bound is the larger of the two sums. Returns ∞ when a rep cannot shed
/// or take in enough at all.
pub fn band_bound_with(
    m: &SegModel<'_>,
    cost: &dyn Fn(usize) -> f64,
    off: &dyn Fn(usize) -> f64,
) -> f64 {
    if !m.hard_band || m.metrics.is_empty() {
        return 0.0;
    }
    let n = m.n_units();
    let nr = m.n_reps();
    // Home rep and extra cost of leaving it, per unit.
    let mut home: Vec<Option<(usize, usize, f64)>> = Vec::with_capacity(n);
    for u in 0..n {
        let mut best = (f64::INFINITY, usize::MAX);
        let mut second = off(u);
        for e in m.edges(u) {
            let c = cost(e);
            if c < best.0 {
                second = second.min(best.0);
                best = (c, e);
            } else if c < second {
                second = c;
            }
        }
        // Unlisted pairs may be the cheapest: then the unit has no certain home.
        let unique = best.1 != usize::MAX && second > best.0 + 1e-12;
        home.push(unique.then(|| {
            let extra = if m.locked[u] {
                f64::INFINITY
            } else {
                second - best.0
            };
            (m.edge_rep[best.1] as usize, best.1, extra)
        }));
    }
    let mut home_load = vec![[0.0f64; 3]; nr];
    let mut by_rep: Vec<Vec<usize>> = vec![Vec::new(); nr];
    for (u, h) in home.iter().enumerate() {
        if let Some((r, e, _)) = *h {
            let l = m.pair_load(u, e);
            for k in 0..3 {
                home_load[r][k] += l[k];
            }
            by_rep[r].push(u);
        }
    }
    // Fractional knapsack: least cost of a set of (load, cost) items of total load ≥ need.
    let cover = |mut items: Vec<(f64, f64)>, need: f64| -> f64 {
        items.retain(|i| i.0 > 0.0);
        items.sort_by(|a, b| (a.1 / a.0).total_cmp(&(b.1 / b.0)));
        let mut left = need;
        let mut cost = 0.0;
        for (load, c) in items {
            if left <= 0.0 {
                break;
            }
            let take = load.min(left);
            cost += c * take / load;
            left -= take;
        }
        if left > 1e-9 * need.max(1.0) {
            f64::INFINITY
        } else {
            cost
        }
    };
    // Reps below the band on some metric, and (one pass over the pairs) the units each of
    // them may take in: eligible for r, home elsewhere (cost: leave home) or no home (free).
    // Only where every pair is listed: otherwise a unit may come from anywhere.
    let under: Vec<bool> = (0..nr)
        .map(|r| {
            m.complete
                && m.metrics.iter().any(|&k| {
                    let t = m.target[r][k];
                    t > 0.0 && (1.0 - m.band) * t - home_load[r][k] > 1e-9 * t
                })
        })
        .collect();
    let mut incoming: Vec<Vec<(usize, usize, f64)>> = vec![Vec::new(); nr];
    for u in 0..n {
        if m.locked[u] {
            // A locked unit never leaves its home rep, so it never comes in anywhere.
            continue;
        }
        for e in m.edges(u) {
            let r = m.edge_rep[e] as usize;
            if !under[r] {
                continue;
            }
            match home[u] {
                Some((h, _, _)) if h == r => {}
                Some((_, _, x)) => incoming[r].push((u, e, x)),
                None => incoming[r].push((u, e, 0.0)),
            }
        }
    }
    let mut shed = 0.0;
    let mut intake = 0.0;
    for r in 0..nr {
        let mut need_out: f64 = 0.0;
        let mut need_in: f64 = 0.0;
        for &k in &m.metrics {
            let t = m.target[r][k];
            if t <= 0.0 {
                continue;
            }
            let over = home_load[r][k] - (1.0 + m.band) * t;
            if over > 1e-9 * t {
                let items = by_rep[r]
                    .iter()
                    .filter_map(|&u| home[u].map(|(_, e, x)| (m.pair_load(u, e)[k], x)))
                    .filter(|i| i.1.is_finite())
                    .collect();
                need_out = need_out.max(cover(items, over));
            }
            let under = (1.0 - m.band) * t - home_load[r][k];
            if m.complete && under > 1e-9 * t {
                let items = incoming[r]
                    .iter()
                    .map(|&(u, e, x)| (m.pair_load(u, e)[k], x))
                    .collect();
                need_in = need_in.max(cover(items, under));
            }
        }
        shed += need_out;
        intake += need_in;
    }
    shed.max(intake)
}
