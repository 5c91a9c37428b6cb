//! Set-partitioning recombination for pure-cost segments: every rep's set of units in any
//! good solution seen (from the tabu search, or from the knapsack subproblems of a
//! Lagrangian relaxation) is a column; a small MILP picks one column per rep so that every
//! unit is covered exactly once, at least cost.

use std::collections::HashSet;

use good_lp::{Expression, ProblemVariables, SolverModel, highs, variable};

use crate::segment::SegModel;

/// A rep's set of movable units, within the rep's caps.
#[derive(Clone, Debug)]
pub struct Column {
    /// Local rep.
    pub rep: u32,
    /// Local units, sorted.
    pub units: Vec<u32>,
    /// Total pair cost of the units on the rep.
    pub cost: f64,
}

/// A deduplicated set of columns.
#[derive(Default)]
pub struct ColumnPool {
    /// The columns.
    pub cols: Vec<Column>,
    seen: HashSet<(u32, Vec<u32>)>,
}

impl ColumnPool {
    /// Adds a column unless it is already there; `units` sorted. Says whether it was new.
    pub fn add(&mut self, m: &SegModel, rep: u32, units: Vec<u32>) -> bool {
        if !self.seen.insert((rep, units.clone())) {
            return false;
        }
        let cost = units
            .iter()
            .map(|&u| {
                m.edge_to(u as usize, rep)
                    .map_or(f64::INFINITY, |e| m.edge_cost[e])
            })
            .sum();
        self.cols.push(Column { rep, units, cost });
        true
    }

    /// Adds every rep's units of a feasible solution (rep per unit).
    pub fn add_solution(&mut self, m: &SegModel, rep_of: &[u32], movable: &[bool]) {
        let mut on: Vec<Vec<u32>> = vec![Vec::new(); m.n_reps()];
        for (u, &r) in rep_of.iter().enumerate() {
            if movable[u] {
                on[r as usize].push(u as u32);
            }
        }
        for (r, units) in on.into_iter().enumerate() {
            self.add(m, r as u32, units);
        }
    }
}

/// Picks one column per rep covering every movable unit once at least cost, within
/// `time_limit` seconds, starting from `warm` (a rep per unit whose columns are in the
/// pool). Returns a rep per unit, or None when HiGHS found nothing.
pub fn recombine(
    m: &SegModel,
    pool: &ColumnPool,
    movable: &[bool],
    warm: Option<&[u32]>,
    time_limit: f64,
) -> Option<Vec<u32>> {
    let n = m.n_units();
    let mut vars = ProblemVariables::new();
    let y: Vec<_> = pool
        .cols
        .iter()
        .map(|_| vars.add(variable().binary()))
        .collect();
    let mut objective = Expression::with_capacity(y.len());
    for (c, &v) in pool.cols.iter().zip(&y) {
        objective.add_mul(c.cost, v);
    }
    let mut pb = vars.minimise(objective).using(highs);
    let mut cover: Vec<Expression> = (0..n).map(|_| Expression::default()).collect();
    let mut per_rep: Vec<Expression> = (0..m.n_reps()).map(|_| Expression::default()).collect();
    for (c, &v) in pool.cols.iter().zip(&y) {
        for &u in &c.units {
            cover[u as usize].add_mul(1.0, v);
        }
        per_rep[c.rep as usize].add_mul(1.0, v);
    }
    for (u, e) in cover.into_iter().enumerate() {
        if movable[u] {
            pb.add_constraint(e.eq(1.0));
        }
    }
    for e in per_rep {
        pb.add_constraint(e.leq(1.0));
    }
    let mut model = pb.try_into_inner().ok()?;
    model.make_quiet();
    model.try_set_option("time_limit", time_limit.max(0.01)).ok()?;
    model.try_set_option("threads", 1).ok()?;
    model.try_set_option("random_seed", 0).ok()?;
    model.try_set_option("mip_rel_gap", 1e-6).ok()?;
    if let Some(w) = warm {
        let mut on: Vec<Vec<u32>> = vec![Vec::new(); m.n_reps()];
        for (u, &r) in w.iter().enumerate() {
            if movable[u] {
                on[r as usize].push(u as u32);
            }
        }
        let values: Vec<f64> = pool
            .cols
            .iter()
            .map(|c| f64::from(u8::from(on[c.rep as usize] == c.units)))
            .collect();
        let _ = model.try_set_solution(Some(&values), None, None, None);
    }
    let solved = model.try_solve().ok()?;
    if solved.primal_solution_status() != highs::HighsSolutionStatus::Feasible {
        return None;
    }
    let sol = solved.get_solution();
    let mut rep_of = vec![u32::MAX; n];
    for (c, &x) in pool.cols.iter().zip(sol.columns()) {
        if x > 0.5 {
            for &u in &c.units {
                rep_of[u as usize] = c.rep;
            }
        }
    }
    Some(rep_of)
}
