//! The exact engine: one segment as a MILP, modelled with good_lp and solved by HiGHS.
//!
//! Binary x[u,r] for each free unit and listed pair, continuous t_m ≥ 0 for each balanced
//! metric; minimise Σ w_m t_m + Σ pair costs. Each of the model's constraints adds its rows
//! (one arm each of an exhaustive `match`): coverage Σ_r x[u,r] = 1; caps load ≤ cap;
//! bands (1 − t_m)·target ≤ load ≤ (1 + t_m)·target with t_m ≤ band; budgets Σ moved·x ≤
//! limit; eligibility, locks, families and the travel cap decide which x exist. Locked units
//! are constants. The model is built with good_lp and handed to HiGHS directly so that the
//! warm start, a deterministic node limit and the MIP dual bound are available.

use allot_model::Constraint;
use allot_model::constraint::Moved;
use good_lp::{Expression, ProblemVariables, SolverModel, Variable, highs, variable};

use crate::model::SegModel;
use crate::work;

/// How a MILP solve ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MipStatus {
    /// Proven optimal (within HiGHS's gap tolerances).
    Optimal,
    /// Stopped at the node limit: the incumbent is reproducible.
    NodeLimit,
    /// Stopped at the time limit: the incumbent depends on machine speed.
    TimeLimit,
    /// Proven infeasible.
    Infeasible,
}

/// The result of a MILP solve of one segment.
#[derive(Clone, Debug)]
pub struct MipResult {
    /// How it ended.
    pub status: MipStatus,
    /// Best solution found (local rep per unit), if any.
    pub rep_of: Option<Vec<u32>>,
    /// Objective of that solution, as HiGHS computed it.
    pub objective: Option<f64>,
    /// Proven lower bound on the segment's objective.
    pub bound: f64,
    /// LP relaxation only: the value of every edge in the LP optimum (locked edges 1).
    pub lp_values: Option<Vec<f64>>,
    /// LP relaxation only: the reduced cost of every edge in the LP optimum (locked edges 0):
    /// a solution that sets an edge at 0 in the LP to 1 costs at least the bound plus it.
    pub lp_reduced: Option<Vec<f64>>,
    /// LP relaxation only: the row duals, to price pairs the model does not list.
    pub lp_duals: Option<Duals>,
}

/// The slack variables of soft rows: per rep and metric (over, under), per budget row.
#[derive(Default)]
struct Slacks {
    rep: Vec<[[Variable; 2]; 3]>,
    moved: Vec<Variable>,
}

/// What a row of the model is (for its dual).
#[derive(Clone, Copy, Debug)]
enum Row {
    /// A unit's coverage row.
    Unit(usize),
    /// A rep's row (band side or cap) on a metric.
    Rep(usize, usize),
    /// A budget row on a moved measure.
    Moved(usize),
}

/// The LP relaxation's row duals, summed by what they price: the reduced cost of a pair
/// (unit u on rep r, cost c, loads l, moves v) is c − unit[u] − Σ_k l_k·rep[r][k] −
/// Σ_k v_k·moved[k].
#[derive(Clone, Debug)]
pub struct Duals {
    /// Per unit: the dual of its coverage row (0 for locked units).
    pub unit: Vec<f64>,
    /// Per rep and metric: the sum of the duals of its band and cap rows on the metric.
    pub rep: Vec<[f64; 3]>,
    /// Per moved measure (accounts, potential, workload): the sum of the budget rows' duals.
    pub moved: Moved,
}

impl Duals {
    /// Reduced cost of unit `u` on pair `p` (with `load` its loads on that rep).
    pub fn reduced_cost(&self, u: usize, p: &crate::model::Pair, load: &[f64; 3]) -> f64 {
        let r = p.rep as usize;
        p.cost
            - self.unit[u]
            - (0..3).map(|k| load[k] * self.rep[r][k]).sum::<f64>()
            - (0..3).map(|k| p.moved[k] * self.moved[k]).sum::<f64>()
    }
}

/// Limits of one MILP solve.
#[derive(Clone, Copy, Debug)]
pub struct MipLimits {
    /// Seconds.
    pub time_limit: f64,
    /// Branch-and-bound nodes (deterministic).
    pub node_limit: i32,
    /// Solve the LP relaxation instead (x in [0, 1]): a valid lower bound, no assignment.
    pub relax: bool,
    /// Work units the solve may use (a work-limited run), enforced through HiGHS's
    /// simplex iteration and node limits; `None` leaves only the other limits.
    pub work: Option<u64>,
    /// Whether HiGHS runs its primal heuristics (sub-MIPs that no node or iteration limit
    /// bounds); off where only the bound matters and the solve must end on its limits.
    pub heuristics: bool,
}

impl MipLimits {
    /// Limits by the clock and a node count alone (no work limit).
    pub fn timed(time_limit: f64, node_limit: i32, relax: bool) -> MipLimits {
        MipLimits {
            time_limit,
            node_limit,
            relax,
            work: None,
            heuristics: true,
        }
    }
}

/// Solves segment `m` exactly over its listed pairs, starting from `warm` (an edge per
/// unit) when given.
pub fn solve_mip(
    m: &SegModel,
    warm: Option<&[u32]>,
    limits: MipLimits,
) -> Result<MipResult, String> {
    solve(m, warm, limits, false).map(|(r, _)| r)
}

/// The LP relaxation of `m` with every rep row and budget row made soft: a violation costs
/// far more than any assignment, so the LP always has a solution, and when it breaks no
/// row it is the LP optimum (its duals price unlisted pairs even when the listed ones
/// alone cannot keep the rows). Returns the result and the total violation (0 = the
/// rows hold).
pub fn solve_soft_lp(m: &SegModel, limits: MipLimits) -> Result<(MipResult, f64), String> {
    let limits = MipLimits {
        relax: true,
        node_limit: 0,
        ..limits
    };
    solve(m, None, limits, true)
}

/// How much a unit of relative violation of a soft row costs, in units of the largest
/// total cost any assignment can have.
const SOFT_PENALTY: f64 = 1e3;

fn solve(
    m: &SegModel,
    warm: Option<&[u32]>,
    limits: MipLimits,
    soft: bool,
) -> Result<(MipResult, f64), String> {
    let mut vars = ProblemVariables::new();
    // Columns are created in the order variables are added: col index = creation order.
    let mut col_of_edge: Vec<Option<usize>> = vec![None; m.n_pairs()];
    let mut x: Vec<Option<Variable>> = vec![None; m.n_pairs()];
    let mut ncols = 0usize;
    let nr = m.n_reps();
    let locked_load = m.locked_loads();
    let mut constant = 0.0;
    for u in 0..m.n_units() {
        if m.locked[u] {
            constant += m.edge_cost[m.edge_start[u] as usize];
            continue;
        }
        for e in m.edges(u) {
            let def = if limits.relax {
                variable().min(0.0).max(1.0)
            } else {
                variable().binary()
            };
            x[e] = Some(vars.add(def));
            col_of_edge[e] = Some(ncols);
            ncols += 1;
        }
    }
    let mut t: Vec<(usize, Variable, usize)> = Vec::new();
    for &k in &m.metrics {
        let banded = m
            .constraints
            .iter()
            .any(|c| matches!(c, Constraint::Band { metric, .. } if metric.slot() == k));
        let def = if m.hard_band && banded {
            variable().min(0.0).max(m.band)
        } else {
            variable().min(0.0)
        };
        t.push((k, vars.add(def), ncols));
        ncols += 1;
    }
    let mut objective = Expression::with_capacity(ncols);
    for (k, tv, _) in &t {
        objective.add_mul(m.weight[*k], *tv);
    }
    // Soft rows: one slack per rep row side (and per budget row), priced so that any
    // violation costs more than every assignment.
    let mut slacks = Slacks::default();
    let slack_start = ncols;
    if soft {
        let cost_range: f64 = 1.0
            + (0..m.n_units())
                .map(|u| m.edges(u).map(|e| m.edge_cost[e].abs()).fold(0.0, f64::max))
                .sum::<f64>()
            + m.weight.iter().sum::<f64>();
        let mut add = |scale: f64, objective: &mut Expression| {
            let v = vars.add(variable().min(0.0));
            objective.add_mul(SOFT_PENALTY * cost_range / scale.max(1e-9), v);
            v
        };
        slacks.rep = (0..nr)
            .map(|r| {
                std::array::from_fn(|k| {
                    let scale = m.target[r][k]
                        .max(if m.cap[r][k].is_finite() {
                            m.cap[r][k]
                        } else {
                            0.0
                        })
                        .max(1.0);
                    [add(scale, &mut objective), add(scale, &mut objective)]
                })
            })
            .collect();
        slacks.moved = m
            .budgets
            .iter()
            .map(|b| add(b.limit.max(1.0), &mut objective))
            .collect();
        ncols += 6 * nr + m.budgets.len();
    }
    for (e, xe) in x.iter().enumerate() {
        if let Some(xe) = xe
            && m.edge_cost[e] != 0.0
        {
            objective.add_mul(m.edge_cost[e], *xe);
        }
    }
    let mut pb = vars.minimise(objective).using(highs);
    let mut rep_load: Vec<[Expression; 3]> = (0..nr)
        .map(|_| std::array::from_fn(|_| Expression::default()))
        .collect();
    let mut moved: [Expression; 3] = std::array::from_fn(|_| Expression::default());
    // Only the measures a budget counts get a row.
    let budgeted: [bool; 3] =
        std::array::from_fn(|k| m.budgets.iter().any(|b| b.measure.slot() == k));
    let mut locked_moved = [0.0; 3];
    let mut coverage = Vec::new();
    for u in 0..m.n_units() {
        if m.locked[u] {
            if let Some(x) = m.edge_moved.get(m.edge_start[u] as usize) {
                for k in 0..3 {
                    locked_moved[k] += x[k];
                }
            }
            continue;
        }
        let mut one = Expression::with_capacity(m.edges(u).len());
        for e in m.edges(u) {
            let Some(xe) = x[e] else { continue };
            one.add_mul(1.0, xe);
            let r = m.edge_rep[e] as usize;
            let l = m.pair_load(u, e);
            for k in 0..3 {
                if l[k] != 0.0 {
                    rep_load[r][k].add_mul(l[k], xe);
                }
            }
            if let Some(mv) = m.edge_moved.get(e) {
                for k in 0..3 {
                    if budgeted[k] && mv[k] != 0.0 {
                        moved[k].add_mul(mv[k], xe);
                    }
                }
            }
        }
        coverage.push(one);
    }
    // What each row is, in the order HiGHS numbers them (for the LP's duals).
    let mut rows: Vec<Row> = Vec::new();
    let free_units: Vec<usize> = (0..m.n_units()).filter(|&u| !m.locked[u]).collect();
    let mut budget_no = 0;
    for c in &m.constraints {
        match c {
            Constraint::Coverage => {
                for (one, &u) in coverage.drain(..).zip(&free_units) {
                    pb.add_constraint(one.eq(1.0));
                    rows.push(Row::Unit(u));
                }
            }
            // Only the allowed pairs have a variable; a locked unit is a constant; a family
            // is one unit.
            Constraint::Eligibility
            | Constraint::Lock
            | Constraint::Family
            | Constraint::Travel { .. } => {}
            Constraint::Cap(metric) => {
                let k = metric.slot();
                for r in 0..nr {
                    if m.cap[r][k].is_finite() {
                        let mut load = rep_load[r][k].clone();
                        if let Some(s) = slacks.rep.get(r) {
                            load.add_mul(-1.0, s[k][0]);
                        }
                        pb.add_constraint(load.leq(m.cap[r][k] - locked_load[r][k]));
                        rows.push(Row::Rep(r, k));
                    }
                }
            }
            Constraint::Band { metric, .. } => {
                // The deviation rows of a banded metric; its t_m is capped at the band.
                let Some((k, tv, _)) = t.iter().find(|(k, _, _)| *k == metric.slot()) else {
                    continue;
                };
                band_rows(
                    &mut pb,
                    &mut rows,
                    m,
                    &rep_load,
                    &locked_load,
                    *k,
                    *tv,
                    &slacks,
                );
            }
            Constraint::Budget(_) => {
                if let Some(b) = m.budgets.get(budget_no) {
                    let k = b.measure.slot();
                    let mut row = moved[k].clone();
                    if let Some(&s) = slacks.moved.get(budget_no) {
                        row.add_mul(-1.0, s);
                    }
                    pb.add_constraint(row.leq(b.limit - locked_moved[k]));
                    rows.push(Row::Moved(k));
                }
                budget_no += 1;
            }
        }
    }
    // Balanced metrics without a band still measure their deviation.
    for (k, tv, _) in &t {
        let banded = m
            .constraints
            .iter()
            .any(|c| matches!(c, Constraint::Band { metric, .. } if metric.slot() == *k));
        if !banded {
            band_rows(
                &mut pb,
                &mut rows,
                m,
                &rep_load,
                &locked_load,
                *k,
                *tv,
                &slacks,
            );
        }
    }
    let mut model = pb
        .try_into_inner()
        .map_err(|e| format!("building the HiGHS model: {e}"))?;
    model.make_quiet();
    let fail = |name: &str| format!("setting HiGHS option {name} failed");
    model
        .try_set_option("time_limit", limits.time_limit.max(0.01))
        .map_err(|_| fail("time_limit"))?;
    // A work limit becomes HiGHS's own deterministic limits: simplex iterations (each
    // counting the LP's rows) and branch-and-bound nodes (as many as the work covers at
    // its columns a node); the solve is charged its LP iterations.
    let (iteration_work, node_work) = (
        work::LP_ITERATION * (rows.len() as u64).max(1),
        work::NODE * (ncols as u64).max(1),
    );
    let mut node_limit = limits.node_limit;
    if let Some(w) = limits.work {
        let iterations = i32::try_from(w / iteration_work).unwrap_or(i32::MAX).max(1);
        model
            .try_set_option("simplex_iteration_limit", iterations)
            .map_err(|_| fail("simplex_iteration_limit"))?;
        if !limits.relax {
            node_limit = node_limit.min(i32::try_from(w / node_work).unwrap_or(i32::MAX).max(1));
        }
    }
    model
        .try_set_option("mip_max_nodes", node_limit)
        .map_err(|_| fail("mip_max_nodes"))?;
    model
        .try_set_option("threads", 1)
        .map_err(|_| fail("threads"))?;
    model
        .try_set_option("random_seed", 0)
        .map_err(|_| fail("random_seed"))?;
    model
        .try_set_option("mip_rel_gap", 1e-6)
        .map_err(|_| fail("mip_rel_gap"))?;
    model
        .try_set_option("mip_abs_gap", 1e-9)
        .map_err(|_| fail("mip_abs_gap"))?;
    if !limits.heuristics && !limits.relax {
        model
            .try_set_option("mip_heuristic_effort", 0.0)
            .map_err(|_| fail("mip_heuristic_effort"))?;
    }
    if warm.is_some() && !limits.relax {
        // A neighbourhood of allot's own search, with an incumbent in hand: HiGHS's search
        // for a first solution and its own neighbourhood sub-MIPs only cost time.
        for name in [
            "mip_heuristic_run_feasibility_jump",
            "mip_heuristic_run_rins",
            "mip_heuristic_run_rens",
        ] {
            model.try_set_option(name, false).map_err(|_| fail(name))?;
        }
    }
    if let Some(w) = warm.filter(|_| !limits.relax) {
        let mut values = vec![0.0; ncols];
        let mut load = vec![[0.0; 3]; nr];
        for (u, &e) in w.iter().enumerate() {
            let r = m.edge_rep[e as usize] as usize;
            let l = m.pair_load(u, e as usize);
            for k in 0..3 {
                load[r][k] += l[k];
            }
            if let Some(c) = col_of_edge[e as usize] {
                values[c] = 1.0;
            }
        }
        for (k, _, c) in &t {
            values[*c] = (0..nr)
                .map(|r| m.dev(r, *k, load[r][*k]).abs())
                .fold(0.0, f64::max);
        }
        let _ = model.try_set_solution(Some(&values), None, None, None);
    }
    let solved = model
        .try_solve()
        .map_err(|e| format!("HiGHS failed: {e:?}"))?;
    // For a MILP, HiGHS reports the LP iterations of the whole search.
    work::add(solved.simplex_iteration_count().max(0) as u64 * iteration_work);
    use highs::HighsModelStatus as S;
    let status = match solved.status() {
        S::Optimal => MipStatus::Optimal,
        S::Infeasible => MipStatus::Infeasible,
        S::ReachedTimeLimit => MipStatus::TimeLimit,
        S::ReachedIterationLimit | S::ReachedSolutionLimit => MipStatus::NodeLimit,
        other => {
            // HiGHS reports a node limit as "solution limit" in some versions; anything else is a failure.
            return Err(format!("HiGHS ended with status {other:?}"));
        }
    };
    let bound_raw = solved
        .double_info_value(c"mip_dual_bound")
        .unwrap_or(f64::NEG_INFINITY);
    let has_solution = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
    if limits.relax {
        // The LP optimum bounds every integer solution from below.
        let optimal = status == MipStatus::Optimal;
        let bound = if optimal {
            solved.objective_value() + constant
        } else {
            f64::NEG_INFINITY
        };
        let mut lp_slack = 0.0;
        let (lp_values, lp_reduced, lp_duals) = if optimal {
            let sol = solved.get_solution();
            lp_slack = sol.columns()[slack_start..ncols.min(sol.columns().len())]
                .iter()
                .sum();
            let (cols, duals) = (sol.columns(), sol.dual_columns());
            let mut row_duals = Duals {
                unit: vec![0.0; m.n_units()],
                rep: vec![[0.0; 3]; nr],
                moved: [0.0; 3],
            };
            for (row, &y) in rows.iter().zip(sol.dual_rows()) {
                match *row {
                    Row::Unit(u) => row_duals.unit[u] += y,
                    Row::Rep(r, k) => row_duals.rep[r][k] += y,
                    Row::Moved(k) => row_duals.moved[k] += y,
                }
            }
            (
                Some(
                    (0..m.n_pairs())
                        .map(|e| col_of_edge[e].map_or(1.0, |c| cols[c]))
                        .collect(),
                ),
                Some(
                    (0..m.n_pairs())
                        .map(|e| col_of_edge[e].map_or(0.0, |c| duals[c]))
                        .collect(),
                ),
                Some(row_duals),
            )
        } else {
            (None, None, None)
        };
        let slack: f64 = lp_slack;
        return Ok((
            MipResult {
                status,
                rep_of: None,
                objective: None,
                bound,
                lp_values,
                lp_reduced,
                lp_duals,
            },
            slack,
        ));
    }
    let (rep_of, objective) = if has_solution && status != MipStatus::Infeasible {
        let sol = solved.get_solution();
        let cols = sol.columns();
        let mut rep_of = vec![0u32; m.n_units()];
        for (u, slot) in rep_of.iter_mut().enumerate() {
            let e = if m.locked[u] {
                m.edge_start[u] as usize
            } else {
                m.edges(u)
                    .max_by(|&a, &b| {
                        let va = col_of_edge[a].map_or(0.0, |c| cols[c]);
                        let vb = col_of_edge[b].map_or(0.0, |c| cols[c]);
                        va.total_cmp(&vb).then(b.cmp(&a))
                    })
                    .unwrap_or(m.edge_start[u] as usize)
            };
            *slot = m.edge_rep[e];
        }
        (Some(rep_of), Some(solved.objective_value() + constant))
    } else {
        (None, None)
    };
    let bound = if status == MipStatus::Optimal {
        objective.unwrap_or(f64::INFINITY).min(bound_raw + constant)
    } else if bound_raw.is_finite() {
        bound_raw + constant
    } else {
        f64::NEG_INFINITY
    };
    Ok((
        MipResult {
            status,
            rep_of,
            objective,
            bound,
            lp_values: None,
            lp_reduced: None,
            lp_duals: None,
        },
        0.0,
    ))
}

/// Every unit on its largest edge in an LP solution (`values` per edge); ties go to the
/// first edge.
pub fn round_lp(m: &SegModel, values: &[f64]) -> Vec<u32> {
    (0..m.n_units())
        .map(|u| {
            m.edges(u)
                .max_by(|&a, &b| values[a].total_cmp(&values[b]).then(b.cmp(&a)))
                .unwrap_or(m.edge_start[u] as usize) as u32
        })
        .collect()
}

/// The deviation rows of metric `k` for every rep with a target:
/// (1 − t)·target ≤ load ≤ (1 + t)·target.
#[allow(clippy::too_many_arguments)]
fn band_rows<M: SolverModel>(
    pb: &mut M,
    rows: &mut Vec<Row>,
    m: &SegModel<'_>,
    rep_load: &[[Expression; 3]],
    locked_load: &[[f64; 3]],
    k: usize,
    tv: Variable,
    slacks: &Slacks,
) {
    for r in 0..m.n_reps() {
        let target = m.target[r][k];
        if target <= 0.0 {
            continue;
        }
        let rest = target - locked_load[r][k];
        let mut upper = rep_load[r][k].clone();
        upper.add_mul(-target, tv);
        let mut lower = rep_load[r][k].clone();
        lower.add_mul(target, tv);
        if let Some(s) = slacks.rep.get(r) {
            upper.add_mul(-1.0, s[k][0]);
            lower.add_mul(1.0, s[k][1]);
        }
        pb.add_constraint(upper.leq(rest));
        pb.add_constraint(lower.geq(rest));
        rows.push(Row::Rep(r, k));
        rows.push(Row::Rep(r, k));
    }
}
