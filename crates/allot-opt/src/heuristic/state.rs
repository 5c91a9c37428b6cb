//! A solution under local search, with incremental evaluation of moves and swaps.
//!
//! The objective is Σ_m w_m · max_r |dev_{r,m}| + Σ pair costs + PENALTY · violation. A move
//! changes two reps, so its effect on each max is read from the metric's three worst reps
//! (kept up to date after every applied change): evaluating a move costs O(metrics), not
//! O(reps). A secondary score, Σ_m w_m Σ_r dev², breaks ties so the search can walk
//! plateaus of the min-max objective.

use crate::segment::SegModel;

/// Scores of a solution: primary (objective + penalty) and the tie-breaking spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    /// Objective plus penalty × violation.
    pub primary: f64,
    /// Σ_m w_m Σ_r dev² (smaller is more even).
    pub spread: f64,
}

impl Score {
    /// Whether `self` is strictly better than `other` (lexicographic, with tolerances).
    #[inline]
    pub fn better_than(&self, other: &Score) -> bool {
        let tol = 1e-12 * (1.0 + other.primary.abs());
        self.primary < other.primary - tol
            || (self.primary <= other.primary + tol && self.spread < other.spread - 1e-15)
    }
}

/// A change of score: what applying a move would do.
#[derive(Clone, Copy, Debug)]
pub struct Delta {
    /// New primary score.
    pub primary: f64,
    /// Change of the spread.
    pub spread: f64,
}

const TOP: usize = 3;

/// The current solution of one segment and its running sums.
#[derive(Clone, Debug)]
pub struct State<'m> {
    /// The model.
    pub m: &'m SegModel,
    /// Edge used by each unit.
    pub edge_of: Vec<u32>,
    /// Units held by each rep (unordered).
    pub held: Vec<Vec<u32>>,
    /// Position of each unit in its rep's `held` list.
    pos: Vec<u32>,
    /// Loads per rep.
    pub load: Vec<[f64; 3]>,
    linear: f64,
    violation: f64,
    /// Violation of each rep at the last refresh.
    rep_violation: Vec<f64>,
    spread: f64,
    /// Per metric: the worst reps by |dev| (|dev|, rep), worst first.
    top: Vec<[(f64, u32); TOP]>,
    penalty: f64,
}

impl<'m> State<'m> {
    /// Builds the state of a full solution.
    pub fn new(m: &'m SegModel, edge_of: Vec<u32>) -> State<'m> {
        let nr = m.n_reps();
        let mut load = vec![[0.0; 3]; nr];
        let mut held = vec![Vec::new(); nr];
        let mut pos = vec![0u32; m.n_units()];
        let mut linear = 0.0;
        for (u, &e) in edge_of.iter().enumerate() {
            let r = m.edge_rep[e as usize] as usize;
            let l = m.pair_load(u, e as usize);
            for k in 0..3 {
                load[r][k] += l[k];
            }
            pos[u] = held[r].len() as u32;
            held[r].push(u as u32);
            linear += m.edge_cost[e as usize];
        }
        let penalty = 1e4 * (m.n_units() as f64 + 1.0);
        let mut s = State {
            m,
            edge_of,
            held,
            pos,
            load,
            linear,
            violation: 0.0,
            rep_violation: vec![0.0; m.n_reps()],
            spread: 0.0,
            top: vec![[(0.0, u32::MAX); TOP]; 3],
            penalty,
        };
        s.refresh();
        s
    }

    /// Sets the weight of a unit of violation (strategic oscillation lowers it to cross
    /// infeasible ground, and raises it to come back).
    pub fn set_penalty(&mut self, penalty: f64) {
        self.penalty = penalty;
    }

    /// The weight of a unit of violation.
    pub fn penalty(&self) -> f64 {
        self.penalty
    }

    /// Recomputes the running sums from the loads (after each applied change, and to bound drift).
    fn refresh(&mut self) {
        let m = self.m;
        for r in 0..m.n_reps() {
            self.rep_violation[r] = m.violation(r, &self.load[r]);
        }
        self.violation = self.rep_violation.iter().sum();
        self.spread = 0.0;
        for &k in &m.metrics {
            let mut top = [(0.0, u32::MAX); TOP];
            for r in 0..m.n_reps() {
                let d = m.dev(r, k, self.load[r][k]);
                self.spread += m.weight[k] * d * d;
                let a = d.abs();
                if a > top[TOP - 1].0 || top[TOP - 1].1 == u32::MAX {
                    let mut i = TOP - 1;
                    top[i] = (a, r as u32);
                    while i > 0 && (top[i - 1].1 == u32::MAX || top[i].0 > top[i - 1].0) {
                        top.swap(i, i - 1);
                        i -= 1;
                    }
                }
            }
            self.top[k] = top;
        }
    }

    /// Max |dev| of metric `k` over the reps other than `a` and `b`.
    #[inline]
    fn worst_other(&self, k: usize, a: usize, b: usize) -> f64 {
        for &(d, r) in &self.top[k] {
            if r == u32::MAX {
                return 0.0;
            }
            if r as usize != a && r as usize != b {
                return d;
            }
        }
        // Fewer than three reps, or all of the top are a and b: the max among the rest is
        // not tracked, so fall back to a scan (only with ≤ 3 reps or ties).
        (0..self.m.n_reps())
            .filter(|&r| r != a && r != b)
            .map(|r| self.m.dev(r, k, self.load[r][k]).abs())
            .fold(0.0, f64::max)
    }

    /// Current score.
    pub fn score(&self) -> Score {
        Score {
            primary: self.objective() + self.penalty * self.violation,
            spread: self.spread,
        }
    }

    /// Current objective (without penalty).
    pub fn objective(&self) -> f64 {
        let balance: f64 = self
            .m
            .metrics
            .iter()
            .map(|&k| self.m.weight[k] * self.top[k][0].0)
            .sum();
        balance + self.linear
    }

    /// Current total violation (0 = feasible).
    pub fn violation(&self) -> f64 {
        self.violation
    }

    /// Score after rep `a`'s load changes by `-da` and rep `b`'s by `+db`, plus `dlinear`.
    #[inline]
    fn eval_two(&self, a: usize, b: usize, da: [f64; 3], db: [f64; 3], dlinear: f64) -> Delta {
        let m = self.m;
        let mut la = self.load[a];
        let mut lb = self.load[b];
        for k in 0..3 {
            la[k] -= da[k];
            lb[k] += db[k];
        }
        let mut balance = 0.0;
        let mut dspread = 0.0;
        for &k in &m.metrics {
            let (oa, ob) = (m.dev(a, k, self.load[a][k]), m.dev(b, k, self.load[b][k]));
            let (na, nb) = (m.dev(a, k, la[k]), m.dev(b, k, lb[k]));
            dspread += m.weight[k] * (na * na + nb * nb - oa * oa - ob * ob);
            let worst = self.worst_other(k, a, b).max(na.abs()).max(nb.abs());
            balance += m.weight[k] * worst;
        }
        let dviol = m.violation(a, &la) + m.violation(b, &lb)
            - self.rep_violation[a]
            - self.rep_violation[b];
        let violation = (self.violation + dviol).max(0.0);
        Delta {
            primary: balance + self.linear + dlinear + self.penalty * violation,
            spread: dspread,
        }
    }

    /// Score if unit `u` moved to edge `e`.
    #[inline]
    pub fn eval_move(&self, u: usize, e: usize) -> Score {
        let m = self.m;
        let e0 = self.edge_of[u] as usize;
        let (a, b) = (m.edge_rep[e0] as usize, m.edge_rep[e] as usize);
        let d = self.eval_two(
            a,
            b,
            m.pair_load(u, e0),
            m.pair_load(u, e),
            m.edge_cost[e] - m.edge_cost[e0],
        );
        Score {
            primary: d.primary,
            spread: self.spread + d.spread,
        }
    }

    /// Score if unit `u` took edge `eu` and unit `v` took edge `ev` (a swap between their reps).
    #[inline]
    pub fn eval_swap(&self, u: usize, eu: usize, v: usize, ev: usize) -> Score {
        let m = self.m;
        let (eu0, ev0) = (self.edge_of[u] as usize, self.edge_of[v] as usize);
        let a = m.edge_rep[eu0] as usize;
        let b = m.edge_rep[ev0] as usize;
        // Rep a loses u (at its pair) and gains v; rep b loses v and gains u.
        let (u0, u1, v0, v1) = (
            m.pair_load(u, eu0),
            m.pair_load(u, eu),
            m.pair_load(v, ev0),
            m.pair_load(v, ev),
        );
        let da: [f64; 3] = std::array::from_fn(|k| u0[k] - v1[k]);
        let db: [f64; 3] = std::array::from_fn(|k| u1[k] - v0[k]);
        let dlin = m.edge_cost[eu] + m.edge_cost[ev] - m.edge_cost[eu0] - m.edge_cost[ev0];
        let d = self.eval_two(a, b, da, db, dlin);
        Score {
            primary: d.primary,
            spread: self.spread + d.spread,
        }
    }

    fn detach(&mut self, u: usize) {
        let m = self.m;
        let e = self.edge_of[u] as usize;
        let r = m.edge_rep[e] as usize;
        let l = m.pair_load(u, e);
        for k in 0..3 {
            self.load[r][k] -= l[k];
        }
        self.linear -= m.edge_cost[e];
        let p = self.pos[u] as usize;
        let last = *self.held[r].last().unwrap_or(&0);
        self.held[r].swap_remove(p);
        if last as usize != u {
            self.pos[last as usize] = p as u32;
        }
    }

    fn attach(&mut self, u: usize, e: usize) {
        let m = self.m;
        let r = m.edge_rep[e] as usize;
        let l = m.pair_load(u, e);
        for k in 0..3 {
            self.load[r][k] += l[k];
        }
        self.linear += m.edge_cost[e];
        self.edge_of[u] = e as u32;
        self.pos[u] = self.held[r].len() as u32;
        self.held[r].push(u as u32);
    }

    /// Moves unit `u` to edge `e`.
    pub fn apply_move(&mut self, u: usize, e: usize) {
        self.detach(u);
        self.attach(u, e);
        self.refresh();
    }

    /// Moves several units at once (a swap, or a ruin-and-recreate), refreshing once.
    pub fn apply_many(&mut self, changes: &[(usize, usize)]) {
        for &(u, _) in changes {
            self.detach(u);
        }
        for &(u, e) in changes {
            self.attach(u, e);
        }
        self.refresh();
    }

    /// Removes a unit without placing it (ruin); `place` puts it back.
    pub fn lift(&mut self, u: usize) {
        self.detach(u);
    }

    /// Greedy insertion cost of a lifted unit `u` on edge `e`: the pair cost, the rep's
    /// signed deviations after taking the unit (fill the emptiest rep first) and the penalty.
    pub fn eval_place(&self, u: usize, e: usize) -> f64 {
        let m = self.m;
        let r = m.edge_rep[e] as usize;
        let mut l = self.load[r];
        let add = m.pair_load(u, e);
        for (k, x) in l.iter_mut().enumerate() {
            *x += add[k];
        }
        let mut score = m.edge_cost[e];
        for &k in &m.metrics {
            score += m.weight[k] * m.dev(r, k, l[k]);
        }
        score + self.penalty * (m.violation(r, &l) - m.violation(r, &self.load[r]))
    }

    /// Places a lifted unit on edge `e`.
    pub fn place(&mut self, u: usize, e: usize) {
        self.attach(u, e);
    }

    /// Recomputes the cached sums after a batch of `lift`/`place`.
    pub fn settle(&mut self) {
        self.refresh();
    }
}
