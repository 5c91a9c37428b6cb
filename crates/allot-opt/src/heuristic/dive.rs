//! Lagrangian diving for pure-cost segments (generalized assignment).
//!
//! Relaxing "every unit on exactly one rep" with one multiplier per unit leaves one 0-1
//! knapsack per rep (its units' reduced profits under its cap), solved exactly by dynamic
//! programming over integer capacities. Subgradient steps on the multipliers give a lower
//! bound far stronger than the LP's (the knapsacks pack exactly), and every knapsack solved
//! on the way is a well-packed territory for its rep.
//!
//! A dive fixes the territory the subgradient proposes most often (the column the
//! relaxation leans on; with many reps, several disjoint ones at a time), drops those reps
//! and their units, re-optimises the multipliers of the rest from where they were, and
//! repeats until every rep is fixed. The few units left
//! over are inserted greedily; a repair, a feasible descent and ejection chains finish the
//! solution. Successive dives draw among the frequent territories at random, so they
//! explore different fixings.
//!
//! Caps must be integral after scaling: each rep's one finite cap (workload or accounts) is
//! scaled to at most [`MAX_CAP`] steps, item weights rounded up and caps down, so a fixed
//! territory is always within its true cap. The bound is reported only when no rounding
//! was needed.

use std::collections::HashMap;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::model::SegModel;

/// Largest scaled capacity of a knapsack (dynamic-programming states per rep).
const MAX_CAP: f64 = 20_000.0;

/// Most dynamic-programming steps (items × capacity, over all reps) of one subgradient
/// iteration: beyond it a dive would take seconds per level.
const MAX_ITERATION_WORK: f64 = 2e7;

/// Subgradient iterations at the root (a cap; it stops when the step has shrunk away).
const ROOT_ITERATIONS: usize = 1_000;

/// Subgradient iterations after each fixing.
const LEVEL_ITERATIONS: usize = 40;

/// Step factor at the root.
const ROOT_STEP: f64 = 2.0;

/// Step factor after each fixing (the multipliers start close).
const LEVEL_STEP: f64 = 0.2;

/// Iterations without a better bound before the step halves, at the root.
const ROOT_PATIENCE: usize = 20;

/// The same after each fixing.
const LEVEL_PATIENCE: usize = 5;

/// Step factor below which the subgradient stops.
const MIN_STEP: f64 = 1e-4;

/// Levels a dive aims at: with more reps than this, a level fixes several territories.
const DIVE_LEVELS: usize = 12;

/// Random weight on a territory's frequency when a dive picks the one to fix (0 = always
/// the most frequent).
const PICK_NOISE: f64 = 1.0;

/// One knapsack item: a unit, its scaled weight on the rep, its cost there.
#[derive(Clone, Copy)]
struct Item {
    unit: u32,
    weight: u32,
    cost: f64,
}

/// The segment as knapsacks: per rep its items and its scaled cap (None = uncapped).
pub struct Knapsacks {
    items: Vec<Vec<Item>>,
    cap: Vec<Option<u32>>,
    /// Units that take part (not locked).
    pub free: Vec<bool>,
    /// Whether no weight or cap was rounded: the Lagrangian bound is then valid.
    pub exact: bool,
    /// Cost of the locked units (added to every bound).
    locked_cost: f64,
}

/// Scratch space of the dynamic programme.
#[derive(Default)]
struct Scratch {
    /// The items with a positive profit: (unit, weight, profit), lightest first.
    picked: Vec<(u32, u32, f64)>,
    /// Best profit within each capacity, up to the reach so far.
    value: Vec<f64>,
    /// The previous row's values, while a row is computed.
    old: Vec<f64>,
    /// Per item, from its row's start: 1 where the item is taken at that capacity.
    take: Vec<u8>,
    /// Per item: where its row starts in `take`, and the reach after it.
    rows: Vec<(usize, usize)>,
}

/// Each rep's capped resource and its scaled cap: what decides, before any item is built,
/// whether the segment makes knapsacks small enough.
struct Caps {
    /// Per rep: the capped resource (0 workload, 1 accounts) and its scale, or None.
    capped: Vec<Option<(usize, f64)>>,
    /// Per rep: the scaled cap (None = uncapped).
    cap: Vec<Option<u32>>,
    /// Whether no cap was rounded.
    exact: bool,
}

impl Caps {
    /// None when the model is not pure cost, when a rep has two finite caps or is already
    /// over one, when a free unit has no edge, or when one subgradient step would exceed
    /// [`MAX_ITERATION_WORK`].
    fn of(m: &SegModel) -> Option<Caps> {
        if m.kind != crate::model::SegKind::Gap {
            return None;
        }
        let nr = m.n_reps();
        let locked = m.locked_loads();
        let mut capped = vec![None; nr];
        let mut cap = vec![None; nr];
        let mut exact = true;
        for r in 0..nr {
            let (w, a) = (m.cap[r][1], m.cap[r][2]);
            let (k, room) = match (w.is_finite(), a.is_finite()) {
                (true, true) => return None,
                (true, false) => (0usize, w - locked[r][1]),
                (false, true) => (1usize, a - locked[r][2]),
                (false, false) => continue,
            };
            if room < 0.0 {
                return None;
            }
            let scale = if room > MAX_CAP { MAX_CAP / room } else { 1.0 };
            let scaled = room * scale;
            let c = (scaled + 1e-9).floor();
            exact &= (scaled - c).abs() < 1e-9;
            capped[r] = Some((k, scale));
            cap[r] = Some(c as u32);
        }
        let mut per_rep = vec![0.0f64; nr];
        for u in (0..m.n_units()).filter(|&u| !m.locked[u]) {
            if m.edges(u).is_empty() {
                return None;
            }
            for e in m.edges(u) {
                per_rep[m.edge_rep[e] as usize] += 1.0;
            }
        }
        let work: f64 = per_rep
            .iter()
            .zip(&cap)
            .map(|(n, c)| n * c.map_or(1.0, |c| f64::from(c) + 1.0))
            .sum();
        (work <= MAX_ITERATION_WORK).then_some(Caps { capped, cap, exact })
    }
}

impl Knapsacks {
    /// The knapsacks of `m`, or None when its caps do not make them (see [`Caps::of`]).
    pub fn of(m: &SegModel) -> Option<Knapsacks> {
        let Caps {
            capped,
            cap,
            mut exact,
        } = Caps::of(m)?;
        let mut items = vec![Vec::new(); m.n_reps()];
        let mut locked_cost = 0.0;
        for u in 0..m.n_units() {
            if m.locked[u] {
                locked_cost += m.edge_cost[m.edge_start[u] as usize];
                continue;
            }
            for e in m.edges(u) {
                let r = m.edge_rep[e] as usize;
                let weight = match capped[r] {
                    Some((k, scale)) => {
                        let w = m.pair_load(u, e)[1 + k] * scale;
                        let up = (w - 1e-9).ceil().max(0.0);
                        exact &= (w - up).abs() < 1e-9;
                        up.min(u32::MAX as f64) as u32
                    }
                    None => 0,
                };
                items[r].push(Item {
                    unit: u as u32,
                    weight,
                    cost: m.edge_cost[e],
                });
            }
        }
        for list in &mut items {
            list.sort_by_key(|it: &Item| (it.weight, it.unit));
        }
        Some(Knapsacks {
            items,
            cap,
            free: (0..m.n_units()).map(|u| !m.locked[u]).collect(),
            exact,
            locked_cost,
        })
    }

    /// Best knapsack of rep `r` under multipliers `mult` over the units `active` marks:
    /// (profit, units taken).
    ///
    /// Dynamic programme over capacities, items lightest first, each row computed from the
    /// previous one in a single branch-free pass (so it vectorises) and only up to the
    /// weight the items so far can reach.
    fn solve(&self, r: usize, mult: &[f64], active: &[bool], s: &mut Scratch) -> (f64, Vec<u32>) {
        s.picked.clear();
        s.picked.extend(
            self.items[r]
                .iter()
                .filter(|it| active[it.unit as usize] && mult[it.unit as usize] > it.cost)
                .map(|it| (it.unit, it.weight, mult[it.unit as usize] - it.cost)),
        );
        let Some(cap) = self.cap[r] else {
            let profit = s.picked.iter().map(|x| x.2).sum();
            return (profit, s.picked.iter().map(|x| x.0).collect());
        };
        let cap = cap as usize;
        s.value.clear();
        s.value.resize(cap + 1, 0.0);
        s.take.clear();
        s.rows.clear();
        let mut reach = 0usize;
        for &(_, w, p) in &s.picked {
            let w = w as usize;
            let start = s.take.len();
            if w > cap {
                s.rows.push((start, reach));
                continue;
            }
            let next = (reach + w).min(cap);
            let top = s.value[reach];
            s.value[reach + 1..=next].fill(top);
            s.old.clear();
            s.old.extend_from_slice(&s.value[..=next - w]);
            s.take.resize(start + next + 1, 0);
            let row = &mut s.take[start + w..=start + next];
            for ((dst, &src), t) in s.value[w..=next].iter_mut().zip(&s.old).zip(row) {
                let v = src + p;
                let better = v > *dst;
                *t = u8::from(better);
                *dst = if better { v } else { *dst };
            }
            reach = next;
            s.rows.push((start, reach));
        }
        let best = s.value[reach];
        let mut taken = Vec::new();
        let mut c = cap;
        for (&(unit, w, _), &(start, reach)) in s.picked.iter().zip(&s.rows).rev() {
            c = c.min(reach);
            let w = w as usize;
            if w <= c && s.take.get(start + c) == Some(&1) {
                taken.push(unit);
                c -= w;
            }
        }
        taken.sort_unstable();
        (best, taken)
    }
}

/// One run of subgradient steps over the reps and units still open.
struct Subgradient<'a> {
    k: &'a Knapsacks,
    reps: &'a [usize],
    active: &'a [bool],
    stop: &'a dyn Fn() -> bool,
}

/// What a subgradient run found: the best bound of the open part, and how often each
/// (rep, territory) came up in the second half of the run.
struct Run {
    bound: f64,
    counts: HashMap<(u32, Vec<u32>), usize>,
}

impl Subgradient<'_> {
    /// Steps from `mult` (left at the best multipliers found) towards the target `target`
    /// (an upper bound on the open part's cost).
    fn run(
        &self,
        mult: &mut [f64],
        target: f64,
        iterations: usize,
        mut step: f64,
        patience: usize,
        s: &mut Scratch,
    ) -> Run {
        let n = mult.len();
        let mut best = (f64::NEG_INFINITY, mult.to_vec());
        let mut counts = HashMap::new();
        let mut since = 0;
        let mut cover = vec![0i32; n];
        for it in 0..iterations {
            if (self.stop)() {
                break;
            }
            // Each rep's knapsack reads every unit.
            crate::work::add((n * self.reps.len()) as u64);
            cover.iter_mut().for_each(|c| *c = 0);
            let mut l: f64 = (0..n).filter(|&u| self.active[u]).map(|u| mult[u]).sum();
            let mut territories = Vec::with_capacity(self.reps.len());
            for &r in self.reps {
                let (profit, taken) = self.k.solve(r, mult, self.active, s);
                l -= profit;
                for &u in &taken {
                    cover[u as usize] += 1;
                }
                territories.push((r as u32, taken));
            }
            if l > best.0 + 1e-9 * (1.0 + l.abs()) {
                best = (l, mult.to_vec());
                since = 0;
            } else {
                since += 1;
                if since > patience {
                    step /= 2.0;
                    since = 0;
                }
            }
            let norm: f64 = (0..n)
                .filter(|&u| self.active[u])
                .map(|u| f64::from(1 - cover[u]).powi(2))
                .sum();
            // Every open unit covered once: these territories solve the open part, and
            // they outweigh whatever was counted before.
            let weight = if norm == 0.0 { iterations + 1 } else { 1 };
            if norm == 0.0 || 2 * it >= iterations {
                for t in territories {
                    *counts.entry(t).or_insert(0) += weight;
                }
            }
            if norm == 0.0 || step < MIN_STEP {
                break;
            }
            let t = step * (target - l).max(1e-6 * (1.0 + l.abs())) / norm;
            for u in (0..n).filter(|&u| self.active[u]) {
                mult[u] += t * f64::from(1 - cover[u]);
            }
        }
        mult.copy_from_slice(&best.1);
        Run {
            bound: best.0,
            counts,
        }
    }
}

/// Lagrangian diving over one segment: the root relaxation, then dives on demand.
pub struct Diver<'a> {
    m: &'a SegModel<'a>,
    k: Knapsacks,
    root: Vec<f64>,
    /// The root's Lagrangian bound on the segment's cost (valid when the knapsacks are
    /// exact).
    pub bound: f64,
    scratch: Scratch,
}

impl<'a> Diver<'a> {
    /// Solves the root relaxation of `m` with subgradient steps aimed at `upper` (the cost
    /// of a known solution). None when the model does not take the form of knapsacks.
    pub fn new(m: &'a SegModel<'a>, upper: f64, stop: &dyn Fn() -> bool) -> Option<Diver<'a>> {
        let k = Knapsacks::of(m)?;
        let n = m.n_units();
        // Start from each unit's second-cheapest cost: the price of its best alternative.
        let mut mult = vec![0.0; n];
        for (u, x) in mult.iter_mut().enumerate().filter(|(u, _)| k.free[*u]) {
            let mut c: Vec<f64> = m.edges(u).map(|e| m.edge_cost[e]).collect();
            c.sort_by(f64::total_cmp);
            *x = c.get(1).or(c.first()).copied().unwrap_or(0.0);
        }
        let reps: Vec<usize> = (0..m.n_reps()).collect();
        let mut scratch = Scratch::default();
        let sg = Subgradient {
            k: &k,
            reps: &reps,
            active: &k.free,
            stop,
        };
        let target = upper - k.locked_cost;
        let run = sg.run(
            &mut mult,
            target,
            ROOT_ITERATIONS,
            ROOT_STEP,
            ROOT_PATIENCE,
            &mut scratch,
        );
        if !run.bound.is_finite() {
            return None;
        }
        let bound = run.bound + k.locked_cost;
        Some(Diver {
            m,
            k,
            root: mult,
            bound,
            scratch,
        })
    }

    /// One dive aimed at `upper`: a rep per unit, with the units the fixed territories left
    /// over placed greedily (the result may break a cap).
    pub fn dive(&mut self, upper: f64, rng: &mut ChaCha8Rng, stop: &dyn Fn() -> bool) -> Vec<u32> {
        let m = self.m;
        let nr = m.n_reps();
        let mut mult = self.root.clone();
        let mut active = self.k.free.clone();
        let mut reps: Vec<usize> = (0..nr).collect();
        let mut rep_of: Vec<Option<u32>> = vec![None; m.n_units()];
        let mut fixed_cost = self.k.locked_cost;
        for u in (0..m.n_units()).filter(|&u| m.locked[u]) {
            rep_of[u] = Some(m.edge_rep[m.edge_start[u] as usize]);
        }
        let mut first = true;
        while !reps.is_empty() && active.iter().any(|&a| a) {
            let sg = Subgradient {
                k: &self.k,
                reps: &reps,
                active: &active,
                stop,
            };
            // The root's multipliers already fit the first level: a short run there only
            // gathers the territories.
            let (iterations, step) = if first {
                (LEVEL_ITERATIONS / 2, LEVEL_STEP / 4.0)
            } else {
                (LEVEL_ITERATIONS, LEVEL_STEP)
            };
            first = false;
            let run = sg.run(
                &mut mult,
                upper - fixed_cost,
                iterations,
                step,
                LEVEL_PATIENCE,
                &mut self.scratch,
            );
            let mut counts: Vec<((u32, Vec<u32>), usize)> = run.counts.into_iter().collect();
            if counts.is_empty() {
                break;
            }
            // A fixed order before the random draw, so that a seed repeats.
            counts.sort_unstable();
            let mut scored: Vec<(f64, (u32, Vec<u32>))> = counts
                .into_iter()
                .map(|(key, c)| (c as f64 * (1.0 + PICK_NOISE * rng.random::<f64>()), key))
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            // With many reps left, several territories (disjoint, on distinct reps) are
            // fixed at once, so that a dive takes about `DIVE_LEVELS` levels.
            let per_level = reps.len().div_ceil(DIVE_LEVELS);
            let mut fixed = 0;
            for (_, (r, units)) in scored {
                if fixed == per_level {
                    break;
                }
                if !reps.contains(&(r as usize)) || units.iter().any(|&u| !active[u as usize]) {
                    continue;
                }
                for &u in &units {
                    rep_of[u as usize] = Some(r);
                    active[u as usize] = false;
                    fixed_cost += m.edge_to(u as usize, r).map_or(0.0, |e| m.edge_cost[e]);
                }
                reps.retain(|&x| x != r as usize);
                fixed += 1;
            }
        }
        place_left_over(m, rep_of)
    }
}

/// Places every unit without a rep on the cheapest rep with room for it (or, when none
/// has room, the one it overloads least), largest units first.
fn place_left_over(m: &SegModel, rep_of: Vec<Option<u32>>) -> Vec<u32> {
    let nr = m.n_reps();
    let mut load = vec![[0.0f64; 2]; nr];
    for (u, r) in rep_of.iter().enumerate() {
        if let Some(r) = r {
            let e = m.edge_or_first(u, *r);
            let l = m.pair_load(u, e);
            load[*r as usize][0] += l[1];
            load[*r as usize][1] += l[2];
        }
    }
    let mut left: Vec<usize> = (0..m.n_units()).filter(|&u| rep_of[u].is_none()).collect();
    let size = |u: usize| {
        m.edges(u)
            .map(|e| m.pair_load(u, e)[1])
            .fold(f64::INFINITY, f64::min)
    };
    left.sort_by(|&a, &b| size(b).total_cmp(&size(a)).then(a.cmp(&b)));
    let mut out: Vec<u32> = rep_of.iter().map(|r| r.unwrap_or(0)).collect();
    for u in left {
        let over = |e: usize| {
            let r = m.edge_rep[e] as usize;
            let l = m.pair_load(u, e);
            let w = (load[r][0] + l[1] - m.cap[r][1]).max(0.0);
            let a = (load[r][1] + l[2] - m.cap[r][2]).max(0.0);
            w + a
        };
        let best = m
            .edges(u)
            .min_by(|&a, &b| {
                over(a)
                    .total_cmp(&over(b))
                    .then(m.edge_cost[a].total_cmp(&m.edge_cost[b]))
                    .then(a.cmp(&b))
            })
            .unwrap_or(m.edge_start[u] as usize);
        let r = m.edge_rep[best] as usize;
        let l = m.pair_load(u, best);
        load[r][0] += l[1];
        load[r][1] += l[2];
        out[u] = r as u32;
    }
    out
}

/// Whether dives apply to `m`: a pure-cost segment whose caps make knapsacks small enough.
pub fn applies(m: &SegModel) -> bool {
    Caps::of(m).is_some()
}

/// Largest share of the dives' time the root relaxation takes.
const ROOT_SHARE: f64 = 0.35;

/// Tabu-search iterations after each dive, per unit (at least [`DIVE_TABU_MIN`]).
const DIVE_TABU_PER_UNIT: usize = 20;

/// Fewest tabu-search iterations after a dive.
const DIVE_TABU_MIN: usize = 2_000;

/// Dives in a row without a better solution after which the search ends.
const IDLE_DIVES: usize = 100;

/// What a run of dives found.
pub struct DiveResult {
    /// The best solution (a local rep per unit): the start's when no dive beat it.
    pub rep_of: Vec<u32>,
    /// The root's Lagrangian bound, when the knapsacks are exact.
    pub bound: Option<f64>,
}

/// Dives from the root relaxation of `m` until the context says stop (the root takes at
/// most [`ROOT_SHARE`] of what it has left), until the bound proves the best optimal, or
/// after [`IDLE_DIVES`] dives in a row find nothing better; each finished by a repair, ejection
/// chains and a short tabu search, keeping the best solution (starting from `start`).
/// None when the segment's caps do not make knapsacks.
pub fn dive_search(
    m: &SegModel,
    start: &[u32],
    rng: &mut ChaCha8Rng,
    ctx: &crate::SearchContext,
) -> Option<DiveResult> {
    let stop = &|| ctx.should_stop();
    let (obj, violation) = m.evaluate(start);
    let mut best = (violation, obj, start.to_vec());
    // Aim the subgradient at the start's cost (a little above it when that is broken).
    let upper = if violation == 0.0 {
        obj
    } else {
        obj + 0.01 * obj.abs() + 1.0
    };
    let root = ctx.share(ROOT_SHARE);
    let root_stop = || root.should_stop();
    let diver = Diver::new(m, upper, &root_stop);
    ctx.absorb(&root);
    let mut diver = diver?;
    // With whole-number costs every solution costs a whole number: the bound rounds up.
    let integral = m.edge_cost.iter().all(|c| c.fract() == 0.0);
    let bound = diver.k.exact.then(|| {
        if integral {
            (diver.bound - 1e-6).ceil()
        } else {
            diver.bound
        }
    });
    if let Some(b) = bound {
        ctx.report_bound(b);
    }
    let iterations = (DIVE_TABU_PER_UNIT * m.n_units()).max(DIVE_TABU_MIN);
    let proven = |best: &(f64, f64, Vec<u32>)| {
        best.0 == 0.0 && bound.is_some_and(|b| best.1 - b <= 1e-9 * (1.0 + best.1.abs()))
    };
    let mut idle = 0;
    while !stop() && idle < IDLE_DIVES && !proven(&best) {
        idle += 1;
        let aim = if best.0 == 0.0 { best.1 } else { upper };
        let rep_of = diver.dive(aim, rng, stop);
        // When the greedy repair fails, the tabu search (which walks through broken
        // solutions) repairs instead.
        let repaired =
            crate::heuristic::tabu::repair_and_polish(m, rep_of.clone(), stop).unwrap_or(rep_of);
        let r = crate::heuristic::tabu::tabu_search(m, &repaired, rng, iterations, stop);
        let (o, v) = m.evaluate(&r.rep_of);
        if (v, o) < (best.0, best.1 - 1e-9 * (1.0 + best.1.abs())) {
            ctx.report(o, v);
            best = (v, o, r.rep_of);
            idle = 0;
        }
    }
    Some(DiveResult {
        rep_of: best.2,
        bound,
    })
}
