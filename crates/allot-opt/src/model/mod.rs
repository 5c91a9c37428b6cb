//! One segment's sub-model, with local dense indices: the core model every engine reads.
//!
//! Segments share no rep and no unit, so they are solved independently (and in parallel).
//! The plan's [`Constraint`]s compile into the model here, each by one arm of an
//! exhaustive `match`: pair filters (eligibility, locks, the travel cap) decide which
//! (unit, rep) pairs exist, per-rep rows (caps, bands) bound each rep's loads, and global
//! rows (disruption budgets) bound a sum over the segment. Every engine evaluates moves
//! and solutions through [`SegModel::violation`] and [`SegModel::evaluate`], so a rule
//! compiled here holds in every engine and every objective.
//!
//! Eligible pairs are listed explicitly (`edge_*`) when the segment is small enough; a
//! segment where thousands of reps may take any of a million units lists *candidates*
//! instead (owners and the nearest or a spread of reps: [`open`]), and prices any other
//! eligible pair on demand, so every eligible rep stays reachable and bounds stay true.

pub mod budget;
pub mod open;

use allot_model::constraint::{Measure, Moved};
use allot_model::{Constraint, Metric, Problem, RepIdx, SegIdx, UnitIdx};

pub use open::Open;

/// Which search a segment gets: decided once, from what it minimises and what binds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegKind {
    /// Minimise weighted max deviations (plus linear terms): the min-max heuristics.
    Balance,
    /// Minimise a linear cost (moves, travel, pair cost) under per-rep and global rows:
    /// a quick heuristic start, then exact re-optimisation of neighbourhoods (LNS).
    Linear,
    /// Minimise pair cost under caps only, small enough for dense unit × rep tables (the
    /// generalized assignment problem): tabu search, Lagrangian dives, a raced MILP.
    Gap,
}

/// A disruption budget's share for one segment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BudgetRow {
    /// What is counted.
    pub measure: Measure,
    /// Largest total the segment may move (its share of the budget).
    pub limit: f64,
    /// Largest total any assignment within the budget could move in this segment (the
    /// budget less what the other segments must move): what bounds may assume.
    pub bound_limit: f64,
}

/// A unit no eligible rep can take within the travel cap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stranded {
    /// The local unit.
    pub unit: usize,
    /// Its account farthest from the home of the eligible rep that comes nearest to them all.
    pub account: allot_model::AccountIdx,
    /// That account's distance from that home, km.
    pub km: f64,
}

/// A unit on a rep: what the pair costs and weighs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    /// Local rep.
    pub rep: u32,
    /// Linear objective cost.
    pub cost: f64,
    /// Workload the unit puts on the rep.
    pub work: f64,
    /// Accounts, potential and workload of the unit whose owner would change (only read
    /// when the segment has a disruption budget).
    pub moved: Moved,
}

/// Largest dense unit×rep table the generalized-assignment searches build (entries).
const GAP_MAX_DENSE: usize = 4_000_000;

/// Most units the generalized-assignment searches take: an iteration scans every swap.
const GAP_MAX_UNITS: usize = 5_000;

/// A segment compiled for the engines: local reps `0..reps.len()`, local units
/// `0..units.len()`, each unit's listed pairs as a compressed list of local edges.
#[derive(Clone, Debug)]
pub struct SegModel<'p> {
    /// The segment in the problem.
    pub seg: SegIdx,
    /// Segment name.
    pub name: String,
    /// Which search the segment gets.
    pub kind: SegKind,
    /// Local rep → problem rep.
    pub reps: Vec<RepIdx>,
    /// Target per local rep and metric.
    pub target: Vec<[f64; 3]>,
    /// Cap per local rep and metric (∞ when none): potential, workload, accounts.
    pub cap: Vec<[f64; 3]>,
    /// Local unit → problem unit.
    pub units: Vec<UnitIdx>,
    /// Load (potential, workload, accounts) per local unit.
    pub load: Vec<[f64; 3]>,
    /// Whether the unit is locked (it then has exactly one edge).
    pub locked: Vec<bool>,
    /// `edge_start[u]..edge_start[u + 1]` are unit `u`'s edges.
    pub edge_start: Vec<u32>,
    /// Local rep of each edge.
    pub edge_rep: Vec<u32>,
    /// Linear cost of each edge.
    pub edge_cost: Vec<f64>,
    /// Workload the unit puts on the edge's rep, when pairs have their own workloads (empty
    /// when every pair weighs its unit's workload; read it through [`SegModel::pair_load`]).
    pub edge_work: Vec<f64>,
    /// Moved accounts, potential and workload of each edge (empty without a disruption budget).
    pub edge_moved: Vec<Moved>,
    /// Objective weight of each metric's max |deviation| (0 = not balanced).
    pub weight: [f64; 3],
    /// Metric slots that are balanced or banded (and have a positive segment total).
    pub metrics: Vec<usize>,
    /// Band as a fraction.
    pub band: f64,
    /// Whether the band is a hard constraint.
    pub hard_band: bool,
    /// Disruption budgets (this segment's share of each).
    pub budgets: Vec<BudgetRow>,
    /// The rules the model holds (read by the MILP and the diagnosis).
    pub constraints: Vec<Constraint>,
    /// Whether the edges list every allowed pair (else [`SegModel::open`] prices the rest).
    pub complete: bool,
    /// Pricing of the eligible pairs the edges do not list.
    pub open: Option<Open<'p>>,
    /// Units no eligible rep can take within the travel cap (each lists its first eligible
    /// rep anyway, so that the engines run; the segment is infeasible).
    pub stranded: Vec<Stranded>,
}

/// How a segment model is built.
#[derive(Clone, Debug)]
pub struct Build {
    /// Most reps listed per unit beyond its owners when the segment is too large to list
    /// every eligible pair (0 = list them all).
    pub candidates: usize,
    /// Largest number of eligible pairs a segment lists in full.
    pub complete_pairs: usize,
}

impl<'p> SegModel<'p> {
    /// Compiles segment `seg` of the problem.
    pub fn new(p: &'p Problem, seg: SegIdx, build: &Build) -> SegModel<'p> {
        let s = &p.segments[seg.index()];
        let nr = s.reps.len();
        let mut m = SegModel {
            seg,
            name: s.name.clone(),
            kind: SegKind::Linear,
            target: s.reps.iter().map(|r| p.rep_target[r.index()]).collect(),
            cap: vec![[f64::INFINITY; 3]; nr],
            reps: s.reps.clone(),
            units: s.units.clone(),
            load: s.units.iter().map(|u| p.units.load[u.index()]).collect(),
            locked: s
                .units
                .iter()
                .map(|u| p.units.locked_to[u.index()].is_some())
                .collect(),
            edge_start: vec![0],
            edge_rep: Vec::new(),
            edge_cost: Vec::new(),
            edge_work: Vec::new(),
            edge_moved: Vec::new(),
            weight: p.balance_weight,
            metrics: Vec::new(),
            band: p.plan.balance.band(),
            hard_band: false,
            budgets: Vec::new(),
            constraints: p.constraints.clone(),
            complete: true,
            open: None,
            stranded: Vec::new(),
        };
        let mut banded = [false; 3];
        let mut max_km = None;
        for c in &p.constraints {
            match c {
                // Structure of the model: one unit a family, one pair of each unit taken,
                // pairs only where eligible; a locked unit's class is its lock's rep.
                Constraint::Coverage
                | Constraint::Eligibility
                | Constraint::Lock
                | Constraint::Family => {}
                Constraint::Cap(metric) => {
                    for (r, rep) in s.reps.iter().enumerate() {
                        if let Some(c) = p.reps[rep.index()].cap(*metric) {
                            m.cap[r][metric.slot()] = c;
                        }
                    }
                }
                Constraint::Band { metric, band } => {
                    banded[metric.slot()] = true;
                    m.band = *band;
                }
                // The whole budget for now: [`budget::split`] shares it between segments.
                Constraint::Budget(b) => m.budgets.push(BudgetRow {
                    measure: b.measure,
                    limit: b.limit,
                    bound_limit: b.limit,
                }),
                Constraint::Travel { max_km: km } => max_km = Some(*km),
            }
        }
        m.metrics = Metric::ALL
            .iter()
            .map(|k| k.slot())
            .filter(|&k| (m.weight[k] > 0.0 || banded[k]) && s.total[k] > 0.0)
            .collect();
        m.hard_band = m.metrics.iter().any(|&k| banded[k]);
        open::list_pairs(&mut m, p, build, max_km);
        m.kind = m.decide_kind(p);
        m
    }

    /// The search this segment gets (see [`SegKind`]).
    fn decide_kind(&self, p: &Problem) -> SegKind {
        let min_max =
            !p.plan.objective.is_linear() && self.metrics.iter().any(|&k| self.weight[k] > 0.0);
        if min_max {
            SegKind::Balance
        } else if self.is_pure_cost()
            && self.complete
            && self.cap.iter().all(|c| c[0] == f64::INFINITY)
            && self.n_units() <= GAP_MAX_UNITS
            && self.n_units() * self.n_reps() <= GAP_MAX_DENSE
        {
            SegKind::Gap
        } else {
            SegKind::Linear
        }
    }

    /// Whether a bound computed with the model's budget rows holds for the user's problem
    /// (each row's share is all the segment could ever move).
    pub fn budgets_bound_exactly(&self) -> bool {
        self.budgets.iter().all(|b| b.limit >= b.bound_limit)
    }

    /// Whether the segment minimises a linear cost under caps only: no balanced or banded
    /// metric and no budget.
    pub fn is_pure_cost(&self) -> bool {
        self.metrics.is_empty() && self.budgets.is_empty()
    }

    /// A generalized assignment problem as a segment: `n_units` units, reps with workload
    /// caps, and the allowed pairs `(unit, rep, cost, workload)`; minimise total pair cost.
    /// Pairs must be grouped by unit in increasing unit order.
    pub fn from_pairs(
        name: &str,
        n_units: usize,
        caps: &[f64],
        pairs: &[(usize, usize, f64, f64)],
    ) -> SegModel<'static> {
        let mut edge_start = vec![0u32];
        let (mut edge_rep, mut edge_cost, mut edge_work) = (Vec::new(), Vec::new(), Vec::new());
        let mut next = 0usize;
        for u in 0..n_units {
            while next < pairs.len() && pairs[next].0 == u {
                let (_, r, c, w) = pairs[next];
                edge_rep.push(r as u32);
                edge_cost.push(c);
                edge_work.push(w);
                next += 1;
            }
            edge_start.push(edge_rep.len() as u32);
        }
        let mean_work = |u: usize| {
            let r = edge_start[u] as usize..edge_start[u + 1] as usize;
            let n = r.len().max(1) as f64;
            edge_work[r].iter().sum::<f64>() / n
        };
        let mut m = SegModel {
            seg: SegIdx(0),
            name: name.to_string(),
            kind: SegKind::Linear,
            reps: (0..caps.len()).map(RepIdx::from_usize).collect(),
            target: vec![[0.0; 3]; caps.len()],
            cap: caps
                .iter()
                .map(|&c| [f64::INFINITY, c, f64::INFINITY])
                .collect(),
            units: (0..n_units).map(UnitIdx::from_usize).collect(),
            load: (0..n_units).map(|u| [0.0, mean_work(u), 1.0]).collect(),
            locked: vec![false; n_units],
            edge_start,
            edge_rep,
            edge_cost,
            edge_work,
            edge_moved: Vec::new(),
            weight: [0.0; 3],
            metrics: Vec::new(),
            band: 0.0,
            hard_band: false,
            budgets: Vec::new(),
            constraints: vec![
                Constraint::Coverage,
                Constraint::Eligibility,
                Constraint::Cap(Metric::Workload),
            ],
            complete: true,
            open: None,
            stranded: Vec::new(),
        };
        m.kind = if n_units <= GAP_MAX_UNITS && n_units * caps.len() <= GAP_MAX_DENSE {
            SegKind::Gap
        } else {
            SegKind::Linear
        };
        m
    }

    /// The same segment with only the edges `keep` marks (each unit keeps at least one);
    /// a unit left with one edge is fixed there (locked: a constant of the MILP).
    pub fn restricted(&self, keep: &[bool]) -> SegModel<'p> {
        let mut r = SegModel {
            edge_start: vec![0],
            edge_rep: Vec::new(),
            edge_cost: Vec::new(),
            edge_work: Vec::new(),
            edge_moved: Vec::new(),
            open: None,
            complete: true,
            ..self.clone_without_edges()
        };
        for u in 0..self.n_units() {
            for e in self.edges(u) {
                if keep[e] {
                    r.edge_rep.push(self.edge_rep[e]);
                    r.edge_cost.push(self.edge_cost[e]);
                    if let Some(&w) = self.edge_work.get(e) {
                        r.edge_work.push(w);
                    }
                    if let Some(&x) = self.edge_moved.get(e) {
                        r.edge_moved.push(x);
                    }
                }
            }
            r.edge_start.push(r.edge_rep.len() as u32);
            if r.edges(u).len() == 1 {
                r.locked[u] = true;
            }
        }
        r
    }

    /// The same segment listing also `extra` (unit, pair), grouped by unit in increasing
    /// unit order: each unit's new pairs come after its listed ones. The open pricing stays.
    pub fn with_pairs(&self, extra: impl IntoIterator<Item = (usize, Pair)>) -> SegModel<'p> {
        let mut g = SegModel {
            edge_start: vec![0],
            open: self.open.clone(),
            complete: self.complete,
            ..self.clone_without_edges()
        };
        let work = !self.edge_work.is_empty();
        let mut extra = extra.into_iter().peekable();
        for u in 0..self.n_units() {
            for e in self.edges(u) {
                g.push_pair(&self.pair(u, e), work);
            }
            while let Some((_, p)) = extra.next_if(|x| x.0 == u) {
                g.push_pair(&p, work);
            }
            g.edge_start.push(g.edge_rep.len() as u32);
        }
        g
    }

    /// Appends a pair to the edge lists (its unit's `edge_start` entry comes after);
    /// `work`: the lists carry per-pair workloads.
    fn push_pair(&mut self, p: &Pair, work: bool) {
        self.edge_rep.push(p.rep);
        self.edge_cost.push(p.cost);
        if work {
            self.edge_work.push(p.work);
        }
        if !self.budgets.is_empty() {
            self.edge_moved.push(p.moved);
        }
    }

    /// A copy of everything but the edge lists (left empty) and the open pricing.
    fn clone_without_edges(&self) -> SegModel<'p> {
        SegModel {
            seg: self.seg,
            name: self.name.clone(),
            kind: self.kind,
            reps: self.reps.clone(),
            target: self.target.clone(),
            cap: self.cap.clone(),
            units: self.units.clone(),
            load: self.load.clone(),
            locked: self.locked.clone(),
            edge_start: Vec::new(),
            edge_rep: Vec::new(),
            edge_cost: Vec::new(),
            edge_work: Vec::new(),
            edge_moved: Vec::new(),
            weight: self.weight,
            metrics: self.metrics.clone(),
            band: self.band,
            hard_band: self.hard_band,
            budgets: self.budgets.clone(),
            constraints: self.constraints.clone(),
            complete: self.complete,
            open: None,
            stranded: self.stranded.clone(),
        }
    }

    /// Loads (potential, workload, accounts) that unit `u` puts on the rep of edge `e`.
    #[inline]
    pub fn pair_load(&self, u: usize, e: usize) -> [f64; 3] {
        let l = &self.load[u];
        [l[0], self.edge_work.get(e).copied().unwrap_or(l[1]), l[2]]
    }

    /// Loads that unit `u` puts on the rep of pair `p`.
    #[inline]
    pub fn load_on(&self, u: usize, p: &Pair) -> [f64; 3] {
        let l = &self.load[u];
        [l[0], p.work, l[2]]
    }

    /// The pair of unit `u`'s edge `e`.
    #[inline]
    pub fn pair(&self, u: usize, e: usize) -> Pair {
        Pair {
            rep: self.edge_rep[e],
            cost: self.edge_cost[e],
            work: self.edge_work.get(e).copied().unwrap_or(self.load[u][1]),
            moved: self.edge_moved.get(e).copied().unwrap_or([0.0; 3]),
        }
    }

    /// Unit `u` on local rep `r`: its edge, else (on a segment that lists candidates) the
    /// priced eligible pair; `None` when the pair is not allowed.
    pub fn pair_to(&self, u: usize, r: u32) -> Option<Pair> {
        match self.edge_to(u, r) {
            Some(e) => Some(self.pair(u, e)),
            None => self.open.as_ref()?.price(self, u, r),
        }
    }

    /// Loads that locked units already put on each rep.
    pub fn locked_loads(&self) -> Vec<[f64; 3]> {
        let mut locked = vec![[0.0; 3]; self.n_reps()];
        for u in (0..self.n_units()).filter(|&u| self.locked[u]) {
            let e = self.edge_start[u] as usize;
            let l = self.pair_load(u, e);
            let r = self.edge_rep[e] as usize;
            for k in 0..3 {
                locked[r][k] += l[k];
            }
        }
        locked
    }

    /// Number of local units.
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    /// Number of local reps.
    pub fn n_reps(&self) -> usize {
        self.reps.len()
    }

    /// Edge range of a local unit.
    #[inline]
    pub fn edges(&self, u: usize) -> std::ops::Range<usize> {
        self.edge_start[u] as usize..self.edge_start[u + 1] as usize
    }

    /// The edge of unit `u` to local rep `r`, if the pair is listed.
    pub fn edge_to(&self, u: usize, r: u32) -> Option<usize> {
        self.edges(u).find(|&e| self.edge_rep[e] == r)
    }

    /// The edge of every unit to its rep in `rep_of` (a unit's first edge when the pair is
    /// not listed).
    pub fn edges_to(&self, rep_of: &[u32]) -> Vec<u32> {
        rep_of
            .iter()
            .enumerate()
            .map(|(u, &r)| self.edge_or_first(u, r) as u32)
            .collect()
    }

    /// The local rep of every edge in `edge_of`.
    pub fn reps_of(&self, edge_of: &[u32]) -> Vec<u32> {
        edge_of.iter().map(|&e| self.edge_rep[e as usize]).collect()
    }

    /// [`SegModel::edge_to`], or the unit's first edge when the pair is not listed.
    pub fn edge_or_first(&self, u: usize, r: u32) -> usize {
        self.edge_to(u, r).unwrap_or(self.edge_start[u] as usize)
    }

    /// Every unit on its cheapest listed pair.
    pub fn cheapest(&self) -> Vec<u32> {
        (0..self.n_units())
            .map(|u| {
                let e = self
                    .edges(u)
                    .min_by(|&a, &b| self.edge_cost[a].total_cmp(&self.edge_cost[b]))
                    .unwrap_or(self.edge_start[u] as usize);
                self.edge_rep[e]
            })
            .collect()
    }

    /// Number of listed unit×rep pairs.
    pub fn n_pairs(&self) -> usize {
        self.edge_rep.len()
    }

    /// Relative deviation of a load from a rep's target (0 when the target is 0).
    #[inline]
    pub fn dev(&self, r: usize, m: usize, load: f64) -> f64 {
        let t = self.target[r][m];
        if t > 0.0 { load / t - 1.0 } else { 0.0 }
    }

    /// Whether rep `r` has any per-rep row (a cap, or the hard band).
    #[inline]
    pub fn has_rows(&self, r: usize) -> bool {
        self.hard_band || self.cap[r].iter().any(|c| c.is_finite())
    }

    /// How far a rep's loads break its caps and (when hard) the band, as a sum of relative excesses.
    #[inline]
    pub fn violation(&self, r: usize, load: &[f64; 3]) -> f64 {
        if !self.has_rows(r) {
            return 0.0;
        }
        let mut v = 0.0;
        let cap = &self.cap[r];
        if load[2] > cap[2] {
            v += (load[2] - cap[2]) / cap[2].max(1.0);
        }
        if load[1] > cap[1] * (1.0 + 1e-12) {
            v += (load[1] - cap[1]) / cap[1].max(1e-9);
        }
        if load[0] > cap[0] * (1.0 + 1e-12) {
            v += (load[0] - cap[0]) / cap[0].max(1e-9);
        }
        if self.hard_band {
            for &m in &self.metrics {
                let d = self.dev(r, m, load[m]).abs();
                if d > self.band + 1e-12 {
                    v += d - self.band;
                }
            }
        }
        v
    }

    /// How far moved totals break the segment's budgets, as a sum of relative excesses.
    #[inline]
    pub fn budget_violation(&self, moved: &Moved) -> f64 {
        self.budgets
            .iter()
            .map(|b| {
                let x = moved[b.measure.slot()];
                if x > b.limit * (1.0 + 1e-12) + 1e-9 {
                    (x - b.limit) / b.limit.max(1.0)
                } else {
                    0.0
                }
            })
            .sum()
    }

    /// Loads per rep, linear cost and moves of the units of `rep_of` that `take` selects,
    /// and how many of them sit on a rep they may not have.
    pub fn totals(&self, rep_of: &[u32], take: impl Fn(usize) -> bool) -> Totals {
        let mut t = Totals {
            load: vec![[0.0; 3]; self.n_reps()],
            ..Totals::default()
        };
        for (u, &r) in rep_of.iter().enumerate() {
            if !take(u) {
                continue;
            }
            let Some(p) = self.pair_to(u, r) else {
                t.forbidden += 1.0;
                continue;
            };
            let l = self.load_on(u, &p);
            for k in 0..3 {
                t.load[r as usize][k] += l[k];
            }
            t.linear += p.cost;
            for k in 0..3 {
                t.moved[k] += p.moved[k];
            }
        }
        t
    }

    /// Exact objective and violation of a full solution (local rep per unit); the
    /// reference against which the incremental evaluation is tested. A unit on a rep it
    /// may not have counts as a violation of 1.
    pub fn evaluate(&self, rep_of: &[u32]) -> (f64, f64) {
        let Totals {
            load,
            linear,
            moved,
            forbidden,
        } = self.totals(rep_of, |_| true);
        let mut balance = 0.0;
        for &m in &self.metrics {
            let worst = (0..self.n_reps())
                .map(|r| self.dev(r, m, load[r][m]).abs())
                .fold(0.0, f64::max);
            balance += self.weight[m] * worst;
        }
        let violation = (0..self.n_reps())
            .map(|r| self.violation(r, &load[r]))
            .sum::<f64>()
            + self.budget_violation(&moved)
            + forbidden;
        (balance + linear, violation)
    }
}

/// What a set of units puts on the reps.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    /// Loads per local rep.
    pub load: Vec<[f64; 3]>,
    /// Σ pair costs.
    pub linear: f64,
    /// Moved accounts, potential and workload.
    pub moved: Moved,
    /// Units on a rep they may not have.
    pub forbidden: f64,
}
