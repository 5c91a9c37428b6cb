//! A solution under local search, with incremental evaluation of moves and swaps.
//!
//! The objective is Σ_m w_m · max_r |dev_{r,m}| + Σ pair costs + PENALTY · violation, where
//! the violation sums the relative excesses of every per-rep row (caps, hard bands) and of
//! the segment's disruption budgets. A move changes two reps, so its effect on each max is
//! read from the metric's three worst reps (kept up to date after every applied change):
//! evaluating a move costs O(metrics), not O(reps). A secondary score, Σ_m w_m Σ_r dev²,
//! breaks ties so the search can walk plateaus of the min-max objective.
//!
//! A solution is a rep per unit; each unit's [`Pair`] (cost, workload, moves) on its rep
//! is kept beside it, so a unit may sit on any allowed rep, listed or not. The three most
//! under-target reps of each metric are kept too: [`State::reach`] offers them to every
//! unit, so no eligible rep is out of reach of the search.

use allot_model::constraint::Moved;

use crate::model::{Pair, SegModel};

/// Scores of a solution: primary (objective + penalty) and the tie-breaking spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    /// Objective plus penalty × violation.
    pub primary: f64,
    /// Σ_m w_m Σ_r dev² (smaller is more even).
    pub spread: f64,
    /// The violation part (0 = every row kept).
    pub violation: f64,
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
    /// New violation.
    pub violation: f64,
}

const TOP: usize = 3;

/// The current solution of one segment and its running sums.
#[derive(Clone, Debug)]
pub struct State<'m> {
    /// The model.
    pub m: &'m SegModel<'m>,
    /// Local rep of each unit.
    pub rep_of: Vec<u32>,
    /// Each unit's pair on its rep.
    pub cur: Vec<Pair>,
    /// Units held by each rep (unordered).
    pub held: Vec<Vec<u32>>,
    /// Position of each unit in its rep's `held` list.
    pos: Vec<u32>,
    /// Loads per rep.
    pub load: Vec<[f64; 3]>,
    linear: f64,
    /// Moved accounts, potential and workload (read only when the segment has budgets).
    moved: Moved,
    violation: f64,
    /// Violation of each rep at the last refresh.
    rep_violation: Vec<f64>,
    budget_violation: f64,
    spread: f64,
    /// Per metric: the worst reps by |dev| (|dev|, rep), worst first.
    top: Vec<[(f64, u32); TOP]>,
    /// Per metric: the most under-target reps (dev, rep), lowest first.
    bottom: Vec<[(f64, u32); TOP]>,
    penalty: f64,
}

impl<'m> State<'m> {
    /// Builds the state of a full solution (a local rep per unit; a unit on a rep it may
    /// not have is put on its first listed pair).
    pub fn new(m: &'m SegModel<'m>, rep_of: Vec<u32>) -> State<'m> {
        let nr = m.n_reps();
        let mut load = vec![[0.0; 3]; nr];
        let mut held = vec![Vec::new(); nr];
        let mut pos = vec![0u32; m.n_units()];
        let mut linear = 0.0;
        let mut moved = [0.0; 3];
        let mut cur = Vec::with_capacity(m.n_units());
        let mut reps = rep_of;
        for (u, r) in reps.iter_mut().enumerate() {
            let p = m
                .pair_to(u, *r)
                .unwrap_or_else(|| m.pair(u, m.edge_start[u] as usize));
            *r = p.rep;
            let l = m.load_on(u, &p);
            let rr = p.rep as usize;
            for k in 0..3 {
                load[rr][k] += l[k];
            }
            pos[u] = held[rr].len() as u32;
            held[rr].push(u as u32);
            linear += p.cost;
            for k in 0..3 {
                moved[k] += p.moved[k];
            }
            cur.push(p);
        }
        let penalty = 1e4 * (m.n_units() as f64 + 1.0);
        let mut s = State {
            m,
            rep_of: reps,
            cur,
            held,
            pos,
            load,
            linear,
            moved,
            violation: 0.0,
            rep_violation: vec![0.0; m.n_reps()],
            budget_violation: 0.0,
            spread: 0.0,
            top: vec![[(0.0, u32::MAX); TOP]; 3],
            bottom: vec![[(0.0, u32::MAX); TOP]; 3],
            penalty,
        };
        s.refresh();
        s
    }

    /// The solution's reps and pairs, to [`State::restore`] later.
    pub fn snapshot(&self) -> (Vec<u32>, Vec<Pair>) {
        (self.rep_of.clone(), self.cur.clone())
    }

    /// Goes back to a solution from [`State::snapshot`] (the penalty stays).
    pub fn restore(&mut self, (rep_of, cur): (Vec<u32>, Vec<Pair>)) {
        let m = self.m;
        for h in self.held.iter_mut() {
            h.clear();
        }
        for l in self.load.iter_mut() {
            *l = [0.0; 3];
        }
        self.linear = 0.0;
        self.moved = [0.0; 3];
        for (u, p) in cur.iter().enumerate() {
            let r = p.rep as usize;
            let l = m.load_on(u, p);
            for k in 0..3 {
                self.load[r][k] += l[k];
            }
            self.pos[u] = self.held[r].len() as u32;
            self.held[r].push(u as u32);
            self.linear += p.cost;
            for k in 0..3 {
                self.moved[k] += p.moved[k];
            }
        }
        self.rep_of = rep_of;
        self.cur = cur;
        self.refresh();
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
        self.budget_violation = m.budget_violation(&self.moved);
        self.violation = self.rep_violation.iter().sum::<f64>() + self.budget_violation;
        self.spread = 0.0;
        for &k in &m.metrics {
            let mut top = [(0.0, u32::MAX); TOP];
            let mut bottom = [(f64::INFINITY, u32::MAX); TOP];
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
                if m.target[r][k] > 0.0 && d < bottom[TOP - 1].0 {
                    let mut i = TOP - 1;
                    bottom[i] = (d, r as u32);
                    while i > 0 && bottom[i].0 < bottom[i - 1].0 {
                        bottom.swap(i, i - 1);
                        i -= 1;
                    }
                }
            }
            self.top[k] = top;
            self.bottom[k] = bottom;
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
            violation: self.violation,
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

    /// Score after rep `a`'s load changes by `-da` and rep `b`'s by `+db`, plus `dlinear`
    /// and `dmoved`.
    #[inline]
    fn eval_two(
        &self,
        a: usize,
        b: usize,
        da: [f64; 3],
        db: [f64; 3],
        dlinear: f64,
        dmoved: Moved,
    ) -> Delta {
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
        let mut dviol = m.violation(a, &la) + m.violation(b, &lb)
            - self.rep_violation[a]
            - self.rep_violation[b];
        if !m.budgets.is_empty() {
            let moved: Moved = std::array::from_fn(|k| self.moved[k] + dmoved[k]);
            dviol += m.budget_violation(&moved) - self.budget_violation;
        }
        let violation = (self.violation + dviol).max(0.0);
        Delta {
            primary: balance + self.linear + dlinear + self.penalty * violation,
            spread: dspread,
            violation,
        }
    }

    /// Score if unit `u` moved to pair `to`.
    #[inline]
    pub fn eval_move(&self, u: usize, to: &Pair) -> Score {
        crate::work::add(1);
        let m = self.m;
        let from = &self.cur[u];
        let (a, b) = (from.rep as usize, to.rep as usize);
        let d = self.eval_two(
            a,
            b,
            m.load_on(u, from),
            m.load_on(u, to),
            to.cost - from.cost,
            std::array::from_fn(|k| to.moved[k] - from.moved[k]),
        );
        Score {
            primary: d.primary,
            spread: self.spread + d.spread,
            violation: d.violation,
        }
    }

    /// Score if unit `u` took pair `pu` (on `v`'s rep) and unit `v` took pair `pv` (on
    /// `u`'s rep): a swap.
    #[inline]
    pub fn eval_swap(&self, u: usize, pu: &Pair, v: usize, pv: &Pair) -> Score {
        crate::work::add(1);
        let m = self.m;
        let (u0, v0) = (&self.cur[u], &self.cur[v]);
        let a = u0.rep as usize;
        let b = v0.rep as usize;
        // Rep a loses u (at its pair) and gains v; rep b loses v and gains u.
        let (lu0, lu1, lv0, lv1) = (
            m.load_on(u, u0),
            m.load_on(u, pu),
            m.load_on(v, v0),
            m.load_on(v, pv),
        );
        let da: [f64; 3] = std::array::from_fn(|k| lu0[k] - lv1[k]);
        let db: [f64; 3] = std::array::from_fn(|k| lu1[k] - lv0[k]);
        let dlin = pu.cost + pv.cost - u0.cost - v0.cost;
        let dmoved = std::array::from_fn(|k| pu.moved[k] + pv.moved[k] - u0.moved[k] - v0.moved[k]);
        let d = self.eval_two(a, b, da, db, dlin, dmoved);
        Score {
            primary: d.primary,
            spread: self.spread + d.spread,
            violation: d.violation,
        }
    }

    fn detach(&mut self, u: usize) {
        let m = self.m;
        let p = self.cur[u];
        let r = p.rep as usize;
        let l = m.load_on(u, &p);
        for k in 0..3 {
            self.load[r][k] -= l[k];
        }
        self.linear -= p.cost;
        for k in 0..3 {
            self.moved[k] -= p.moved[k];
        }
        let at = self.pos[u] as usize;
        let last = *self.held[r].last().unwrap_or(&0);
        self.held[r].swap_remove(at);
        if last as usize != u {
            self.pos[last as usize] = at as u32;
        }
    }

    fn attach(&mut self, u: usize, p: Pair) {
        let m = self.m;
        let r = p.rep as usize;
        let l = m.load_on(u, &p);
        for k in 0..3 {
            self.load[r][k] += l[k];
        }
        self.linear += p.cost;
        for k in 0..3 {
            self.moved[k] += p.moved[k];
        }
        self.rep_of[u] = p.rep;
        self.cur[u] = p;
        self.pos[u] = self.held[r].len() as u32;
        self.held[r].push(u as u32);
    }

    /// Moves unit `u` to pair `p`.
    pub fn apply_move(&mut self, u: usize, p: Pair) {
        self.detach(u);
        self.attach(u, p);
        self.refresh();
    }

    /// Moves several units at once (a swap, or a ruin-and-recreate), refreshing once.
    pub fn apply_many(&mut self, changes: &[(usize, Pair)]) {
        for &(u, _) in changes {
            self.detach(u);
        }
        for &(u, p) in changes {
            self.attach(u, p);
        }
        self.refresh();
    }

    /// Removes a unit without placing it (ruin); `place` puts it back.
    pub fn lift(&mut self, u: usize) {
        self.detach(u);
    }

    /// Greedy insertion cost of a lifted unit `u` on pair `p`: the pair cost, the rep's
    /// signed deviations after taking the unit (fill the emptiest rep first) and the penalty.
    pub fn eval_place(&self, u: usize, p: &Pair) -> f64 {
        crate::work::add(1);
        let m = self.m;
        let r = p.rep as usize;
        let mut l = self.load[r];
        let add = m.load_on(u, p);
        for (k, x) in l.iter_mut().enumerate() {
            *x += add[k];
        }
        let mut score = p.cost;
        for &k in &m.metrics {
            score += m.weight[k] * m.dev(r, k, l[k]);
        }
        let mut dviol = m.violation(r, &l) - m.violation(r, &self.load[r]);
        if !m.budgets.is_empty() {
            let moved: Moved = std::array::from_fn(|k| self.moved[k] + p.moved[k]);
            dviol += m.budget_violation(&moved) - m.budget_violation(&self.moved);
        }
        score + self.penalty * dviol
    }

    /// Places a lifted unit on pair `p`.
    pub fn place(&mut self, u: usize, p: Pair) {
        self.attach(u, p);
    }

    /// Recomputes the cached sums after a batch of `lift`/`place`.
    pub fn settle(&mut self) {
        self.refresh();
    }

    /// Pairs of unit `u` toward the most under-target reps of each metric that its list
    /// does not hold (on a segment that lists candidates; none otherwise).
    pub fn reach(&self, u: usize) -> impl Iterator<Item = Pair> + '_ {
        let m = self.m;
        let open = m.open.is_some() && !m.locked[u];
        let cur = self.rep_of[u];
        m.metrics
            .iter()
            .filter(move |_| open)
            .flat_map(move |&k| self.bottom[k].iter())
            .filter(move |&&(_, r)| r != u32::MAX && r != cur)
            .filter(move |&&(_, r)| m.edge_to(u, r).is_none())
            .filter_map(move |&(_, r)| m.open.as_ref().and_then(|o| o.price(m, u, r)))
    }

    /// Every pair unit `u` may move to that the search looks at: its listed pairs, then
    /// the under-target reps it does not list.
    pub fn moves(&self, u: usize) -> impl Iterator<Item = Pair> + '_ {
        let m = self.m;
        m.edges(u).map(move |e| m.pair(u, e)).chain(self.reach(u))
    }

    /// The pair of unit `u` on rep `r`, if allowed.
    #[inline]
    pub fn pair_to(&self, u: usize, r: u32) -> Option<Pair> {
        self.m.pair_to(u, r)
    }

    /// Moved accounts, potential and workload of the solution.
    pub fn moved(&self) -> Moved {
        self.moved
    }
}
