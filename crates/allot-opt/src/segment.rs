//! One segment's sub-model, with local dense indices: the core model every engine reads.
//!
//! Segments share no rep and no unit, so they are solved independently (and in parallel).

use allot_model::{Problem, RepIdx, SegIdx, UnitIdx};

/// A segment compiled for the engines: local reps `0..reps.len()`, local units
/// `0..units.len()`, each unit's eligible pairs as a compressed list of local edges.
#[derive(Clone, Debug)]
pub struct SegModel {
    /// The segment in the problem.
    pub seg: SegIdx,
    /// Segment name.
    pub name: String,
    /// Local rep → problem rep.
    pub reps: Vec<RepIdx>,
    /// Target per local rep and metric.
    pub target: Vec<[f64; 3]>,
    /// Cap on accounts per local rep (∞ when none).
    pub max_accounts: Vec<f64>,
    /// Cap on workload per local rep (∞ when none).
    pub max_workload: Vec<f64>,
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
    /// Objective weight of each metric's max |deviation| (0 = not balanced).
    pub weight: [f64; 3],
    /// Metric slots that are balanced or banded.
    pub metrics: Vec<usize>,
    /// Band as a fraction.
    pub band: f64,
    /// Whether the band is a hard constraint.
    pub hard_band: bool,
}

impl SegModel {
    /// Compiles segment `seg` of the problem.
    pub fn new(p: &Problem, seg: SegIdx) -> SegModel {
        let s = &p.segments[seg.index()];
        let mut local_rep = vec![u32::MAX; p.reps.len()];
        for (i, r) in s.reps.iter().enumerate() {
            local_rep[r.index()] = i as u32;
        }
        let mut edge_start = vec![0u32];
        let mut edge_rep = Vec::new();
        let mut edge_cost = Vec::new();
        let mut edge_work = Vec::new();
        // Per-pair workloads only come with a pairs file; without one a unit weighs the same
        // on every rep and the list stays empty (a fifth of the model's memory at scale).
        let per_edge_work = !p.units.edge_work.is_empty();
        let mut load = Vec::with_capacity(s.units.len());
        let mut locked = Vec::with_capacity(s.units.len());
        for &u in &s.units {
            for e in p.units.edges(u) {
                let r = local_rep[p.units.edge_rep[e].index()];
                if r != u32::MAX {
                    edge_rep.push(r);
                    edge_cost.push(p.units.edge_cost[e]);
                    if per_edge_work {
                        edge_work.push(p.units.work(u, e));
                    }
                }
            }
            edge_start.push(edge_rep.len() as u32);
            load.push(p.units.load[u.index()]);
            locked.push(p.units.locked_to[u.index()].is_some());
        }
        let metrics: Vec<usize> = p.balanced_metrics().map(|m| m.slot()).collect();
        SegModel {
            seg,
            name: s.name.clone(),
            target: s.reps.iter().map(|r| p.rep_target[r.index()]).collect(),
            max_accounts: s
                .reps
                .iter()
                .map(|r| {
                    p.reps[r.index()]
                        .max_accounts
                        .map_or(f64::INFINITY, |m| m as f64)
                })
                .collect(),
            max_workload: s
                .reps
                .iter()
                .map(|r| p.reps[r.index()].max_workload.unwrap_or(f64::INFINITY))
                .collect(),
            reps: s.reps.clone(),
            units: s.units.clone(),
            load,
            locked,
            edge_start,
            edge_rep,
            edge_cost,
            edge_work,
            weight: p.balance_weight,
            metrics,
            band: p.plan.balance.band(),
            hard_band: p.band_is_hard,
        }
    }

    /// A generalized assignment problem as a segment: `n_units` units, reps with workload
    /// caps, and the allowed pairs `(unit, rep, cost, workload)`; minimise total pair cost.
    /// Pairs must be grouped by unit in increasing unit order.
    pub fn from_pairs(
        name: &str,
        n_units: usize,
        caps: &[f64],
        pairs: &[(usize, usize, f64, f64)],
    ) -> SegModel {
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
        SegModel {
            seg: SegIdx(0),
            name: name.to_string(),
            reps: (0..caps.len()).map(RepIdx::from_usize).collect(),
            target: vec![[0.0; 3]; caps.len()],
            max_accounts: vec![f64::INFINITY; caps.len()],
            max_workload: caps.to_vec(),
            units: (0..n_units).map(UnitIdx::from_usize).collect(),
            load: (0..n_units).map(|u| [0.0, mean_work(u), 1.0]).collect(),
            locked: vec![false; n_units],
            edge_start,
            edge_rep,
            edge_cost,
            edge_work,
            weight: [0.0; 3],
            metrics: Vec::new(),
            band: 0.0,
            hard_band: false,
        }
    }

    /// Loads (potential, workload, accounts) that unit `u` puts on the rep of edge `e`.
    #[inline]
    pub fn pair_load(&self, u: usize, e: usize) -> [f64; 3] {
        let l = &self.load[u];
        [l[0], self.edge_work.get(e).copied().unwrap_or(l[1]), l[2]]
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

    /// The edge of unit `u` to local rep `r`, if the pair is allowed.
    pub fn edge_to(&self, u: usize, r: u32) -> Option<usize> {
        self.edges(u).find(|&e| self.edge_rep[e] == r)
    }

    /// The edge of every unit to its rep in `rep_of` (a unit's first edge when the pair is
    /// not allowed).
    pub fn edges_to(&self, rep_of: &[u32]) -> Vec<u32> {
        rep_of
            .iter()
            .enumerate()
            .map(|(u, &r)| self.edge_or_first(u, r) as u32)
            .collect()
    }

    /// [`SegModel::edge_to`], or the unit's first edge when the pair is not allowed.
    pub fn edge_or_first(&self, u: usize, r: u32) -> usize {
        self.edge_to(u, r).unwrap_or(self.edge_start[u] as usize)
    }

    /// Number of unit×rep pairs.
    pub fn n_pairs(&self) -> usize {
        self.edge_rep.len()
    }

    /// Relative deviation of a load from a rep's target (0 when the target is 0).
    #[inline]
    pub fn dev(&self, r: usize, m: usize, load: f64) -> f64 {
        let t = self.target[r][m];
        if t > 0.0 { load / t - 1.0 } else { 0.0 }
    }

    /// How far a rep's loads break its caps and (when hard) the band, as a sum of relative excesses.
    #[inline]
    pub fn violation(&self, r: usize, load: &[f64; 3]) -> f64 {
        let mut v = 0.0;
        if !self.hard_band
            && self.max_accounts[r] == f64::INFINITY
            && self.max_workload[r] == f64::INFINITY
        {
            return 0.0;
        }
        if load[2] > self.max_accounts[r] {
            v += (load[2] - self.max_accounts[r]) / self.max_accounts[r].max(1.0);
        }
        if load[1] > self.max_workload[r] * (1.0 + 1e-12) {
            v += (load[1] - self.max_workload[r]) / self.max_workload[r].max(1e-9);
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

    /// Exact objective and violation of a full solution (edge per unit); the reference
    /// against which the incremental evaluation is tested.
    pub fn evaluate(&self, edge_of: &[u32]) -> (f64, f64) {
        let mut load = vec![[0.0; 3]; self.n_reps()];
        let mut linear = 0.0;
        for (u, &e) in edge_of.iter().enumerate() {
            let r = self.edge_rep[e as usize] as usize;
            let l = self.pair_load(u, e as usize);
            for k in 0..3 {
                load[r][k] += l[k];
            }
            linear += self.edge_cost[e as usize];
        }
        let mut balance = 0.0;
        for &m in &self.metrics {
            let worst = (0..self.n_reps())
                .map(|r| self.dev(r, m, load[r][m]).abs())
                .fold(0.0, f64::max);
            balance += self.weight[m] * worst;
        }
        let violation = (0..self.n_reps())
            .map(|r| self.violation(r, &load[r]))
            .sum();
        (balance + linear, violation)
    }
}
