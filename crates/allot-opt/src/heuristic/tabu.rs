//! Tabu search for pure-cost segments (generalized assignment): shift and swap moves under
//! capacities relaxed by adaptive per-rep penalty weights.
//!
//! The search minimises cost + Σ_r α_r · overload_r with one weight per rep (as in Yagiura,
//! Ibaraki and Glover's GAP searches): the weights rise on the reps over a cap while the
//! walk is infeasible and fall on every rep while it is feasible (strategic oscillation),
//! so the walk crosses infeasible ground between good feasible solutions. Every iteration
//! takes the best admissible shift or swap (a move is tabu when it returns a unit to a rep
//! it left recently, unless it reaches a new best feasible solution). An infeasible walk
//! close to feasibility is repaired greedily on the side, to record the feasible solutions
//! it passes near; after a long stall the walk restarts from the best feasible solution
//! with a few random shifts. Moves are evaluated in O(1) from dense unit×rep tables and the
//! rep loads.
//!
//! Feasible solutions from elsewhere (the Lagrangian dives) are finished here too: a repair
//! by ejection chains, then a feasible descent and improving ejection chains and cyclic
//! exchanges ([`repair_and_polish`]).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::model::SegModel;

/// The units that can move: unlocked, with more than one edge.
fn movable_units(m: &SegModel) -> Vec<usize> {
    (0..m.n_units())
        .filter(|&u| !m.locked[u] && m.edges(u).len() > 1)
        .collect()
}

/// Work of one iteration, in move evaluations (for budgets).
pub fn iteration_work(m: &SegModel) -> usize {
    let n = m.n_units();
    m.n_pairs() + n * n / 2
}

/// The best solution a tabu search found.
#[derive(Clone, Debug)]
pub struct TabuResult {
    /// Local rep per unit.
    pub rep_of: Vec<u32>,
    /// Whether the stop condition cut the iterations short.
    pub cut_short: bool,
}

/// Dense tables of the model: cost and workload of every unit on every rep.
struct Tables {
    nr: usize,
    /// `cost[u * nr + r]`, ∞ when the pair is not allowed.
    cost: Vec<f64>,
    /// `work[u * nr + r]`.
    work: Vec<f64>,
    /// Accounts of each unit (the same on every rep).
    accounts: Vec<f64>,
    /// Caps per rep: workload, accounts.
    cap: Vec<[f64; 2]>,
}

impl Tables {
    /// Whether loads (workload, accounts) break a cap of rep `r`.
    #[inline]
    fn over(&self, r: usize, l0: f64, l1: f64) -> bool {
        l0 > self.cap[r][0] + 1e-9 || l1 > self.cap[r][1] + 1e-9
    }

    fn of(m: &SegModel) -> Tables {
        let nr = m.n_reps();
        let n = m.n_units();
        let mut cost = vec![f64::INFINITY; n * nr];
        let mut work = vec![0.0; n * nr];
        for u in 0..n {
            for e in m.edges(u) {
                let r = m.edge_rep[e] as usize;
                cost[u * nr + r] = m.edge_cost[e];
                work[u * nr + r] = m.pair_load(u, e)[1];
            }
        }
        Tables {
            nr,
            cost,
            work,
            accounts: m.load.iter().map(|l| l[2]).collect(),
            cap: (0..nr).map(|r| [m.cap[r][1], m.cap[r][2]]).collect(),
        }
    }
}

/// The walk's current solution: a rep per unit and the loads.
#[derive(Clone)]
struct Walk {
    rep_of: Vec<u32>,
    /// Workload and accounts per rep.
    load: Vec<[f64; 2]>,
    cost: f64,
}

impl Walk {
    fn new(t: &Tables, rep_of: Vec<u32>) -> Walk {
        let mut load = vec![[0.0; 2]; t.nr];
        let mut cost = 0.0;
        for (u, &r) in rep_of.iter().enumerate() {
            let r = r as usize;
            load[r][0] += t.work[u * t.nr + r];
            load[r][1] += t.accounts[u];
            cost += t.cost[u * t.nr + r];
        }
        Walk { rep_of, load, cost }
    }

    fn shift(&mut self, t: &Tables, u: usize, r2: usize) {
        let r1 = self.rep_of[u] as usize;
        self.load[r1][0] -= t.work[u * t.nr + r1];
        self.load[r1][1] -= t.accounts[u];
        self.load[r2][0] += t.work[u * t.nr + r2];
        self.load[r2][1] += t.accounts[u];
        self.cost += t.cost[u * t.nr + r2] - t.cost[u * t.nr + r1];
        self.rep_of[u] = r2 as u32;
    }

    fn fits(&self, t: &Tables, r: usize, add: [f64; 2]) -> bool {
        !t.over(r, self.load[r][0] + add[0], self.load[r][1] + add[1])
    }

    fn over_rep(&self, t: &Tables, r: usize) -> bool {
        !self.fits(t, r, [0.0, 0.0])
    }

    /// Greedy repair: while a rep is over a cap, shift the unit off it whose move to a rep
    /// with room costs least per unit of workload relieved. Says whether it got feasible.
    fn repair(&mut self, t: &Tables, movable: &[usize]) -> bool {
        let nr = t.nr;
        for _ in 0..movable.len() {
            let Some(r1) = (0..nr).find(|&r| self.over_rep(t, r)) else {
                return true;
            };
            let mut pick: Option<(f64, usize, usize)> = None;
            for &u in movable {
                if self.rep_of[u] as usize != r1 {
                    continue;
                }
                let row = u * nr;
                let relief = t.work[row + r1].max(1e-9);
                for r2 in 0..nr {
                    let c = t.cost[row + r2];
                    if r2 == r1
                        || c == f64::INFINITY
                        || !self.fits(t, r2, [t.work[row + r2], t.accounts[u]])
                    {
                        continue;
                    }
                    let score = (c - t.cost[row + r1]) / relief;
                    if pick.is_none_or(|p| score < p.0) {
                        pick = Some((score, u, r2));
                    }
                }
            }
            let Some((_, u, r2)) = pick else {
                return false;
            };
            self.shift(t, u, r2);
        }
        (0..nr).all(|r| !self.over_rep(t, r))
    }

    /// Feasible descent: improving shifts and swaps that keep every cap, until none is left.
    fn descend(&mut self, t: &Tables, movable: &[usize]) {
        let nr = t.nr;
        let mut improved = true;
        while improved {
            improved = false;
            for &u in movable {
                let row = u * nr;
                let r1 = self.rep_of[u] as usize;
                for r2 in 0..nr {
                    let c = t.cost[row + r2];
                    if r2 != r1
                        && c < t.cost[row + r1] - 1e-9
                        && self.fits(t, r2, [t.work[row + r2], t.accounts[u]])
                    {
                        self.shift(t, u, r2);
                        improved = true;
                        break;
                    }
                }
            }
            for (i, &u) in movable.iter().enumerate() {
                for &v in &movable[i + 1..] {
                    let (r1, r2) = (self.rep_of[u] as usize, self.rep_of[v] as usize);
                    if r1 == r2 {
                        continue;
                    }
                    let (ru, rv) = (u * nr, v * nr);
                    let dc = t.cost[ru + r2] + t.cost[rv + r1] - t.cost[ru + r1] - t.cost[rv + r2];
                    if dc >= -1e-9 || dc.is_nan() {
                        continue;
                    }
                    let a1 = [
                        t.work[rv + r1] - t.work[ru + r1],
                        t.accounts[v] - t.accounts[u],
                    ];
                    let a2 = [
                        t.work[ru + r2] - t.work[rv + r2],
                        t.accounts[u] - t.accounts[v],
                    ];
                    if self.fits(t, r1, a1) && self.fits(t, r2, a2) {
                        self.shift(t, u, r2);
                        self.shift(t, v, r1);
                        improved = true;
                    }
                }
            }
        }
    }

    /// Relative overload summed over reps and resources (0 = feasible).
    fn overload(&self, t: &Tables) -> f64 {
        let mut v = 0.0;
        for (l, c) in self.load.iter().zip(&t.cap) {
            for k in 0..2 {
                if l[k] > c[k] + 1e-9 {
                    v += (l[k] - c[k]) / c[k].max(1e-9);
                }
            }
        }
        v
    }
}

/// Weight factor of a rep over its cap, per iteration of an infeasible walk.
const UP: f64 = 1.003;

/// Weight divisor of every rep, per iteration of a feasible walk.
const DOWN: f64 = 1.005;

/// Iterations without a new best before a restart, per unit (at least `MIN_STALL`).
const STALL_PER_UNIT: usize = 5;

/// Fewest iterations without a new best before a restart.
const MIN_STALL: usize = 2_000;

/// Restarts in a row without a new best after which the search ends.
const IDLE_RESTARTS: usize = 30;

/// Tabu tenure as a share of √(units × reps).
const TENURE: f64 = 0.1;

/// Share of the units a restart shifts at random.
const KICK: f64 = 0.05;

/// Overloaded reps up to which an infeasible walk is repaired on the side.
const REPAIR_REPS: usize = 3;

/// A repaired solution within this share of the best is polished by a feasible descent.
const DESCEND_MARGIN: f64 = 0.01;

/// Feasible solutions found: the best, and the best of the current episode (since the
/// last restart).
#[derive(Default)]
struct Found {
    best: Option<(f64, Vec<u32>)>,
    episode: Option<(f64, Vec<u32>)>,
}

impl Found {
    /// Records a feasible solution; says whether it is a new overall best.
    fn offer(&mut self, cost: f64, rep_of: &[u32]) -> bool {
        let better = |b: &Option<(f64, Vec<u32>)>| {
            b.as_ref()
                .is_none_or(|b| cost < b.0 - 1e-9 * (1.0 + b.0.abs()))
        };
        if better(&self.episode) {
            self.episode = Some((cost, rep_of.to_vec()));
        }
        if better(&self.best) {
            self.best = Some((cost, rep_of.to_vec()));
            return true;
        }
        false
    }

    /// Cost a solution must beat to be this episode's best.
    fn episode_cost(&self) -> f64 {
        self.episode.as_ref().map_or(f64::INFINITY, |e| e.0)
    }

    /// Ends the episode.
    fn end_episode(&mut self) {
        self.episode = None;
    }
}

/// Runs the tabu search from `start` (a local rep per unit) for at most `iterations` iterations (or until `stop`)
/// and returns the best feasible solution found (the least overloaded one when none was).
pub fn tabu_search(
    m: &SegModel,
    start: &[u32],
    rng: &mut ChaCha8Rng,
    iterations: usize,
    stop: &dyn Fn() -> bool,
) -> TabuResult {
    let n = m.n_units();
    let nr = m.n_reps();
    let t = Tables::of(m);
    let rep_of: Vec<u32> = start.to_vec();
    let movable = movable_units(m);
    let mut w = Walk::new(&t, rep_of);
    if movable.is_empty() || nr < 2 {
        return TabuResult {
            rep_of: start.to_vec(),
            cut_short: false,
        };
    }
    // Initial weights: a unit of overload costs about as much as the mean pair cost per
    // unit of resource, so that cost and capacity weigh alike at the start.
    let mut scale = [0.0f64; 2];
    let mut cost_sum = 0.0;
    for &u in &movable {
        for e in m.edges(u) {
            let r = m.edge_rep[e] as usize;
            scale[0] += t.work[u * nr + r].abs();
            scale[1] += t.accounts[u].abs();
            cost_sum += m.edge_cost[e].abs();
        }
    }
    let base: [f64; 2] = [0, 1].map(|k| (cost_sum / scale[k].max(1e-9)).max(1e-6));
    let alpha_min = [base[0] * 1e-2, base[1] * 1e-2];
    let alpha_max = [base[0] * 1e4, base[1] * 1e4];
    let mut alpha = vec![base; nr];
    let pen = |alpha: &[[f64; 2]], r: usize, l0: f64, l1: f64| -> f64 {
        let c = &t.cap[r];
        alpha[r][0] * (l0 - c[0]).max(0.0) + alpha[r][1] * (l1 - c[1]).max(0.0)
    };

    let mut tabu_until = vec![0usize; n * nr];
    let tenure_base = ((n as f64 * nr as f64).sqrt() * TENURE).max(1.0) as usize;
    let stall = (STALL_PER_UNIT * n).max(MIN_STALL);

    let mut pool = Found::default();
    if (0..nr).all(|r| !w.over_rep(&t, r)) {
        pool.offer(w.cost, &w.rep_of);
    }
    let mut least_over = (f64::INFINITY, f64::INFINITY, w.rep_of.clone());
    let mut since_best = 0usize;
    let mut cut_short = false;
    let mut idle_restarts = 0usize;
    let mut on_rep: Vec<Vec<usize>> = vec![Vec::new(); nr];
    let mut rep_pen = vec![0.0f64; nr];
    let mut rep_over = vec![false; nr];
    let per_iteration = iteration_work(m) as u64;
    for it in 1..=iterations {
        if stop() {
            cut_short = true;
            break;
        }
        crate::work::add(per_iteration);
        let best_cost = pool.best.as_ref().map_or(f64::INFINITY, |b| b.0);
        for r in 0..nr {
            rep_pen[r] = pen(&alpha, r, w.load[r][0], w.load[r][1]);
            rep_over[r] = t.over(r, w.load[r][0], w.load[r][1]);
            on_rep[r].clear();
        }
        for &u in &movable {
            on_rep[w.rep_of[u] as usize].push(u);
        }
        let n_over = rep_over.iter().filter(|&&b| b).count();
        // Best admissible move: (delta, u, r_u, v, r_v) with v = usize::MAX for a shift.
        let mut best = (f64::INFINITY, 0usize, 0usize, usize::MAX, 0usize);
        let admissible = |tabu: bool, over_after: usize, new_cost: f64| {
            !tabu || (over_after == 0 && new_cost < best_cost - 1e-9)
        };
        // Shifts.
        for &u in &movable {
            let r1 = w.rep_of[u] as usize;
            let row = u * nr;
            let l1 = [
                w.load[r1][0] - t.work[row + r1],
                w.load[r1][1] - t.accounts[u],
            ];
            let p1 = pen(&alpha, r1, l1[0], l1[1]) - rep_pen[r1];
            let o1 = t.over(r1, l1[0], l1[1]);
            let c1 = t.cost[row + r1];
            for r2 in 0..nr {
                let c2 = t.cost[row + r2];
                if r2 == r1 || c2 == f64::INFINITY {
                    continue;
                }
                let dc = c2 - c1;
                if dc + p1 - rep_pen[r2] >= best.0 {
                    continue;
                }
                let l2 = [
                    w.load[r2][0] + t.work[row + r2],
                    w.load[r2][1] + t.accounts[u],
                ];
                let delta = dc + p1 + pen(&alpha, r2, l2[0], l2[1]) - rep_pen[r2];
                if delta >= best.0 {
                    continue;
                }
                let over_after = n_over + usize::from(o1) + usize::from(t.over(r2, l2[0], l2[1]))
                    - usize::from(rep_over[r1])
                    - usize::from(rep_over[r2]);
                if admissible(tabu_until[row + r2] > it, over_after, w.cost + dc) {
                    best = (delta, u, r2, usize::MAX, 0);
                }
            }
        }
        // Swaps, rep pair by rep pair.
        for r1 in 0..nr {
            for r2 in r1 + 1..nr {
                let floor = -rep_pen[r1] - rep_pen[r2];
                for &u in &on_rep[r1] {
                    let ru = u * nr;
                    let cu2 = t.cost[ru + r2];
                    if cu2 == f64::INFINITY {
                        continue;
                    }
                    let du = cu2 - t.cost[ru + r1];
                    for &v in &on_rep[r2] {
                        let rv = v * nr;
                        let cv1 = t.cost[rv + r1];
                        if cv1 == f64::INFINITY {
                            continue;
                        }
                        let dc = du + cv1 - t.cost[rv + r2];
                        if dc + floor >= best.0 {
                            continue;
                        }
                        let l1 = [
                            w.load[r1][0] - t.work[ru + r1] + t.work[rv + r1],
                            w.load[r1][1] - t.accounts[u] + t.accounts[v],
                        ];
                        let l2 = [
                            w.load[r2][0] - t.work[rv + r2] + t.work[ru + r2],
                            w.load[r2][1] - t.accounts[v] + t.accounts[u],
                        ];
                        let delta = dc
                            + pen(&alpha, r1, l1[0], l1[1])
                            + pen(&alpha, r2, l2[0], l2[1])
                            + floor;
                        if delta >= best.0 {
                            continue;
                        }
                        let over_after = n_over
                            + usize::from(t.over(r1, l1[0], l1[1]))
                            + usize::from(t.over(r2, l2[0], l2[1]))
                            - usize::from(rep_over[r1])
                            - usize::from(rep_over[r2]);
                        let tabu = tabu_until[ru + r2] > it || tabu_until[rv + r1] > it;
                        if admissible(tabu, over_after, w.cost + dc) {
                            best = (delta, u, r2, v, r1);
                        }
                    }
                }
            }
        }
        if best.0 == f64::INFINITY {
            // Everything is tabu: let the bans lapse.
            tabu_until.iter_mut().for_each(|x| *x = (*x).min(it));
            continue;
        } else {
            let (_, u, ru, v, rv) = best;
            tabu_until[u * nr + w.rep_of[u] as usize] =
                it + tenure_base + rng.random_range(0..=tenure_base);
            w.shift(&t, u, ru);
            if v != usize::MAX {
                tabu_until[v * nr + w.rep_of[v] as usize] =
                    it + tenure_base + rng.random_range(0..=tenure_base);
                w.shift(&t, v, rv);
            }
        }
        // Adapt the weights: up on the reps over a cap while the solution is infeasible,
        // down on every rep while it is feasible (so the share of feasible steps does not
        // fall with the number of reps).
        let n_over_now = (0..nr).filter(|&r| w.over_rep(&t, r)).count();
        let feasible_now = n_over_now == 0;
        for r in 0..nr {
            let l = w.load[r];
            for k in 0..2 {
                if feasible_now {
                    alpha[r][k] = (alpha[r][k] / DOWN).max(alpha_min[k]);
                } else if l[k] > t.cap[r][k] + 1e-9 {
                    alpha[r][k] = (alpha[r][k] * UP).min(alpha_max[k]);
                }
            }
        }
        since_best += 1;
        if feasible_now {
            if pool.offer(w.cost, &w.rep_of) {
                since_best = 0;
                idle_restarts = 0;
            }
        } else {
            if pool.best.is_none() {
                let over = w.overload(&t);
                if (over, w.cost) < (least_over.0, least_over.1) {
                    least_over = (over, w.cost, w.rep_of.clone());
                }
            }
            // Near a feasible solution: repair a copy, and keep it when it is a new best
            // of this episode.
            let bar = pool.episode_cost();
            if n_over_now <= REPAIR_REPS && w.cost < bar {
                let mut c = w.clone();
                if c.repair(&t, &movable) && c.cost < bar * (1.0 + DESCEND_MARGIN) {
                    c.descend(&t, &movable);
                    if c.cost < bar - 1e-9 * (1.0 + bar.abs()) && pool.offer(c.cost, &c.rep_of) {
                        since_best = 0;
                        idle_restarts = 0;
                    }
                }
            }
        }
        if since_best > stall {
            // Restart from the best feasible solution, shaken by a few random shifts; end
            // when restarts keep finding nothing (once a feasible solution is known).
            since_best = 0;
            idle_restarts += 1;
            if idle_restarts > IDLE_RESTARTS && pool.best.is_some() {
                break;
            }
            pool.end_episode();
            let mut from = pool
                .best
                .as_ref()
                .map_or_else(|| least_over.2.clone(), |b| b.1.clone());
            let kicks = ((movable.len() as f64 * KICK) as usize).max(2);
            for _ in 0..kicks {
                let u = movable[rng.random_range(0..movable.len())];
                let es = m.edges(u);
                from[u] = m.edge_rep[rng.random_range(es)];
            }
            w = Walk::new(&t, from);
            alpha.iter_mut().for_each(|a| *a = base);
            tabu_until.iter_mut().for_each(|x| *x = 0);
        }
    }
    let rep_of = pool.best.map_or(least_over.2, |b| b.1);
    TabuResult { rep_of, cut_short }
}

/// Units an ejection chain moves at most.
const CHAIN_DEPTH: usize = 4;

/// Next steps an ejection chain tries from each unit (the cheapest ones).
const CHAIN_WIDTH: usize = 8;

/// Feasible ejection chains and cyclic exchanges: a unit moves to another rep, which
/// sheds one of its units to make room, which moves on, and so on, until a rep with room
/// (a chain) or the first rep (a cycle) takes the last one. Depth-first over the
/// [`CHAIN_WIDTH`] cheapest next steps, at most [`CHAIN_DEPTH`] units moved. Applies the
/// first chain that lowers the cost and says whether it found one.
fn chain_step(t: &Tables, w: &mut Walk, movable: &[usize], stop: &dyn Fn() -> bool) -> bool {
    let on_rep = units_on_reps(t, w, movable);
    let mut chain = Chain::new(t, w, &on_rep, Goal::Improve);
    for &j1 in movable {
        if stop() {
            return false;
        }
        if chain.start(j1, w.rep_of[j1] as usize) {
            let path = std::mem::take(&mut chain.path);
            for (u, r) in path {
                w.shift(t, u, r);
            }
            return true;
        }
    }
    false
}

/// Relieves overloaded reps by the cheapest ejection chains: a unit leaves the rep (enough
/// to bring it within its caps) and moves on, shedding units on its way, until a rep with
/// room takes the last one. Stops when no overloaded rep has such a chain.
fn chain_repair(t: &Tables, w: &mut Walk, movable: &[usize], stop: &dyn Fn() -> bool) {
    let nr = t.nr;
    for _ in 0..movable.len() {
        let Some(r0) = (0..nr).find(|&r| w.over_rep(t, r)) else {
            return;
        };
        if stop() {
            return;
        }
        let on_rep = units_on_reps(t, w, movable);
        let mut chain = Chain::new(t, w, &on_rep, Goal::Cheapest(None));
        for &x in &on_rep[r0] {
            let row = x * nr;
            let (l0, l1) = (
                w.load[r0][0] - t.work[row + r0],
                w.load[r0][1] - t.accounts[x],
            );
            if !t.over(r0, l0, l1) {
                chain.start(x, r0);
            }
        }
        let Goal::Cheapest(Some((_, path))) = chain.goal else {
            return;
        };
        for (u, r) in path {
            w.shift(t, u, r);
        }
    }
}

/// The movable units on each rep.
fn units_on_reps(t: &Tables, w: &Walk, movable: &[usize]) -> Vec<Vec<usize>> {
    let mut on_rep = vec![Vec::new(); t.nr];
    for &u in movable {
        on_rep[w.rep_of[u] as usize].push(u);
    }
    on_rep
}

/// The depth-first search of an ejection chain from one first unit.
struct Chain<'a> {
    t: &'a Tables,
    w: &'a Walk,
    on_rep: &'a [Vec<usize>],
    /// The first unit and the rep it left.
    first: (usize, usize),
    /// Moves so far: (unit, new rep).
    path: Moves,
    /// Reps the chain has touched.
    used: Vec<bool>,
    /// What the search is after.
    goal: Goal,
}

/// Shifts in order: (unit, new rep).
type Moves = Vec<(usize, usize)>;

/// What a chain search is after.
enum Goal {
    /// The first chain that lowers the cost.
    Improve,
    /// Every chain, keeping the cheapest found so far (a repair).
    Cheapest(Option<(f64, Moves)>),
}

impl<'a> Chain<'a> {
    fn new(t: &'a Tables, w: &'a Walk, on_rep: &'a [Vec<usize>], goal: Goal) -> Chain<'a> {
        Chain {
            t,
            w,
            on_rep,
            first: (0, 0),
            path: Vec::new(),
            used: vec![false; t.nr],
            goal,
        }
    }

    /// Searches the chains that begin with unit `x` leaving rep `r`; says whether one was
    /// found (in [`Goal::Improve`], it is left in `path`).
    fn start(&mut self, x: usize, r: usize) -> bool {
        self.first = (x, r);
        self.path.clear();
        self.used.iter_mut().for_each(|u| *u = false);
        self.used[r] = true;
        self.extend(x, -self.t.cost[x * self.t.nr + r])
    }

    /// Unit `u` has left its rep and must go somewhere; `g` is the cost change so far.
    fn extend(&mut self, u: usize, g: f64) -> bool {
        let (t, w) = (self.t, self.w);
        let nr = t.nr;
        let row = u * nr;
        let (j1, a1) = self.first;
        // Close: u onto a rep with room (a chain), or onto the first rep (a cycle).
        for r in 0..nr {
            let cu = t.cost[row + r];
            let cycle = r == a1 && !self.path.is_empty();
            let limit = match &self.goal {
                Goal::Improve => -1e-9,
                Goal::Cheapest(None) => f64::INFINITY,
                Goal::Cheapest(Some((c, _))) => *c - 1e-9,
            };
            if cu == f64::INFINITY || (self.used[r] && !cycle) || g + cu >= limit {
                continue;
            }
            let (mut l0, mut l1) = (w.load[r][0] + t.work[row + r], w.load[r][1] + t.accounts[u]);
            if r == a1 {
                l0 -= t.work[j1 * nr + a1];
                l1 -= t.accounts[j1];
            }
            if !t.over(r, l0, l1) {
                self.path.push((u, r));
                if matches!(self.goal, Goal::Improve) {
                    return true;
                }
                self.goal = Goal::Cheapest(Some((g + cu, self.path.clone())));
                self.path.pop();
            }
        }
        if self.path.len() + 1 >= CHAIN_DEPTH {
            return false;
        }
        // Extend: u onto rep r, which sheds v to make room; the cheapest steps first.
        let mut steps: Vec<(f64, usize, usize)> = Vec::new();
        for r in (0..nr).filter(|&r| !self.used[r] && t.cost[row + r] < f64::INFINITY) {
            for &v in &self.on_rep[r] {
                let l0 = w.load[r][0] + t.work[row + r] - t.work[v * nr + r];
                let l1 = w.load[r][1] + t.accounts[u] - t.accounts[v];
                if !t.over(r, l0, l1) {
                    steps.push((t.cost[row + r] - t.cost[v * nr + r], r, v));
                }
            }
        }
        steps.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        for &(d, r, v) in steps.iter().take(CHAIN_WIDTH) {
            self.used[r] = true;
            self.path.push((u, r));
            if self.extend(v, g + d) {
                return true;
            }
            self.path.pop();
            self.used[r] = false;
        }
        false
    }
}

/// Repairs a rep-per-unit assignment greedily (largest relief per cost first), then
/// improves it by feasible descent and ejection chains until none improves. Returns a
/// rep per unit, or None when the repair cannot reach every cap. A stop request ends the
/// chains early.
pub fn repair_and_polish(
    m: &SegModel,
    rep_of: Vec<u32>,
    stop: &dyn Fn() -> bool,
) -> Option<Vec<u32>> {
    let t = Tables::of(m);
    let movable = movable_units(m);
    let mut w = Walk::new(&t, rep_of);
    chain_repair(&t, &mut w, &movable, stop);
    if !w.repair(&t, &movable) {
        return None;
    }
    w.descend(&t, &movable);
    while chain_step(&t, &mut w, &movable, stop) {
        w.descend(&t, &movable);
    }
    Some(w.rep_of)
}
