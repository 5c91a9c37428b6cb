//! Large-neighbourhood search with an exact repair: free a few hundred units, hold every
//! other unit where it is, and let the MILP re-optimise the freed units over all of the
//! segment's reps.
//!
//! Held units enter the sub-model as one locked pseudo-unit per rep carrying their summed
//! loads, so the sub-model's objective is the segment's own (balance maxima included) up to
//! a constant: a sub-solve never makes the solution worse. Each sub-solve is bounded by a
//! node limit, not the clock, and neighbourhoods come from a seeded generator, so the search
//! is reproducible; only the deadline (or a stop request) can cut it short.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use allot_model::UnitIdx;

use crate::SearchContext;
use crate::heuristic::job_seed;
use crate::mip::{MipStatus, solve_mip};
use crate::model::{SegKind, SegModel};

/// Budget of one LNS run.
#[derive(Clone, Copy, Debug)]
pub struct LnsBudget {
    /// Sub-solves to run.
    pub iterations: usize,
    /// Units freed per sub-solve.
    pub free_units: usize,
    /// Branch-and-bound nodes per sub-solve.
    pub node_limit: i32,
    /// Whether to search cores of the LP optimum (where no exact MILP of the whole segment
    /// follows).
    pub cores: bool,
}

/// What an LNS run did.
#[derive(Clone, Debug)]
pub struct LnsResult<'p> {
    /// Best solution (local rep per unit).
    pub rep_of: Vec<u32>,
    /// Its objective.
    pub objective: f64,
    /// Its violation (0 = feasible).
    pub violation: f64,
    /// Sub-solves that improved the solution.
    pub improvements: usize,
    /// Whether the deadline or a stop request ended the run early.
    pub cut_short: bool,
    /// The segment's LP relaxation bound, when the run solved it.
    pub lp_bound: Option<f64>,
    /// The LP relaxation's optimum over every allowed pair (values and reduced costs per
    /// edge), when the run solved it on a segment that lists them all.
    pub relaxation: Option<crate::fixing::Relaxation>,
    /// Whether the best solution is proven optimal for the whole segment.
    pub proven: bool,
    /// The segment with the lists pricing grew (on a segment that lists candidates): the
    /// relaxation's edges are its.
    pub grown: Option<SegModel<'p>>,
}

/// The sub-model of `m` in which only `free` units move; every other unit stays on its
/// rep in `rep_of`. Returns the sub-model and the warm start (sub-edge per sub-unit).
pub fn sub_model<'p>(m: &SegModel<'p>, rep_of: &[u32], free: &[usize]) -> (SegModel<'p>, Vec<u32>) {
    sub_model_within(m, rep_of, free, None)
}

/// [`sub_model`] in which the freed units may only go to the reps `allowed` marks (their
/// own rep is always kept). The sub-model lists every freed unit's listed pairs and its
/// current pair; held units enter as one locked pseudo-unit per rep. Map the sub-solution
/// back by position: the sub-model's unit `i` is `free[i]`.
pub fn sub_model_within<'p>(
    m: &SegModel<'p>,
    rep_of: &[u32],
    free: &[usize],
    allowed: Option<&[bool]>,
) -> (SegModel<'p>, Vec<u32>) {
    let nr = m.n_reps();
    let mut is_free = vec![false; m.n_units()];
    for &u in free {
        is_free[u] = true;
    }
    let crate::model::Totals {
        load: held,
        linear: held_cost,
        moved: held_moved,
        ..
    } = m.totals(rep_of, |u| !is_free[u]);
    let per_edge_work = !m.edge_work.is_empty();
    let with_moved = !m.budgets.is_empty();
    let mut sub = SegModel {
        seg: m.seg,
        name: m.name.clone(),
        kind: m.kind,
        reps: m.reps.clone(),
        target: m.target.clone(),
        cap: m.cap.clone(),
        units: Vec::new(),
        load: Vec::new(),
        locked: Vec::new(),
        edge_start: vec![0],
        edge_rep: Vec::new(),
        edge_cost: Vec::new(),
        edge_work: Vec::new(),
        edge_moved: Vec::new(),
        weight: m.weight,
        metrics: m.metrics.clone(),
        band: m.band,
        hard_band: m.hard_band,
        budgets: m.budgets.clone(),
        constraints: m.constraints.clone(),
        complete: true,
        open: None,
        stranded: Vec::new(),
    };
    let push = |sub: &mut SegModel<'p>, p: &crate::model::Pair| {
        sub.edge_rep.push(p.rep);
        sub.edge_cost.push(p.cost);
        if per_edge_work {
            sub.edge_work.push(p.work);
        }
        if with_moved {
            sub.edge_moved.push(p.moved);
        }
    };
    let mut warm = Vec::with_capacity(free.len() + nr);
    for &u in free {
        let cur = rep_of[u];
        let mut at = None;
        for e in m.edges(u) {
            let r = m.edge_rep[e];
            if allowed.is_some_and(|a| !a[r as usize]) && r != cur {
                continue;
            }
            if r == cur {
                at = Some(sub.edge_rep.len());
            }
            push(&mut sub, &m.pair(u, e));
        }
        if at.is_none()
            && let Some(p) = m.pair_to(u, cur)
        {
            // A unit on a rep its list does not hold keeps that pair.
            at = Some(sub.edge_rep.len());
            push(&mut sub, &p);
        }
        warm.push(at.unwrap_or(*sub.edge_start.last().unwrap_or(&0) as usize) as u32);
        sub.edge_start.push(sub.edge_rep.len() as u32);
        sub.load.push(m.load[u]);
        sub.locked.push(false);
    }
    for (r, h) in held.iter().enumerate() {
        warm.push(sub.edge_rep.len() as u32);
        sub.edge_rep.push(r as u32);
        // The first pseudo-unit carries the held units' cost and moves, so objectives and
        // budgets compare.
        sub.edge_cost.push(if r == 0 { held_cost } else { 0.0 });
        if per_edge_work {
            sub.edge_work.push(h[1]);
        }
        if with_moved {
            sub.edge_moved
                .push(if r == 0 { held_moved } else { [0.0; 3] });
        }
        sub.edge_start.push(sub.edge_rep.len() as u32);
        sub.load.push(*h);
        sub.locked.push(true);
    }
    sub.units = vec![UnitIdx(0); sub.load.len()];
    (sub, warm)
}

/// The units with more than one pair a solution better than `upper` may use.
fn core_units(m: &SegModel<'_>, lp: &crate::fixing::Relaxation, upper: f64) -> Vec<usize> {
    let keep = crate::fixing::core_edges(m, lp, upper);
    (0..m.n_units())
        .filter(|&u| !m.locked[u] && m.edges(u).filter(|&e| keep[e]).count() > 1)
        .collect()
}

/// Whether (violation, objective) `a` is strictly better than `b`.
fn better(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 < b.0 - 1e-12 || (a.0 <= b.0 + 1e-12 && a.1 < b.1 - 1e-9 * (1.0 + b.1.abs()))
}

/// The best solution of a run, with its exact objective and violation.
struct Incumbent {
    rep_of: Vec<u32>,
    objective: f64,
    violation: f64,
}

impl Incumbent {
    fn new(m: &SegModel, rep_of: Vec<u32>) -> Incumbent {
        let (objective, violation) = m.evaluate(&rep_of);
        Incumbent {
            rep_of,
            objective,
            violation,
        }
    }

    /// Takes `cand` when it is strictly better (evaluated in full); says whether it did.
    fn offer(&mut self, m: &SegModel, cand: Vec<u32>) -> bool {
        let (o, v) = m.evaluate(&cand);
        if better((v, o), (self.violation, self.objective)) {
            *self = Incumbent {
                rep_of: cand,
                objective: o,
                violation: v,
            };
            true
        } else {
            false
        }
    }
}

/// What a neighbourhood draw needs about each unit, computed once per run.
struct UnitFacts {
    /// Cost of the unit's cheapest edge.
    cheapest: Vec<f64>,
    /// max(potential, workload) relative to the segment's mean unit.
    size: Vec<f64>,
    /// Unlocked with more than one edge.
    movable: Vec<bool>,
}

impl UnitFacts {
    fn of(m: &SegModel) -> UnitFacts {
        let n = m.n_units();
        let mut mean = [0.0f64; 2];
        for l in &m.load {
            for k in 0..2 {
                mean[k] += l[k].abs() / n.max(1) as f64;
            }
        }
        UnitFacts {
            cheapest: (0..n)
                .map(|u| {
                    m.edges(u)
                        .map(|e| m.edge_cost[e])
                        .fold(f64::INFINITY, f64::min)
                })
                .collect(),
            size: m
                .load
                .iter()
                .map(|l| {
                    (0..2)
                        .map(|k| l[k].abs() / mean[k].max(1e-12))
                        .fold(0.0, f64::max)
                })
                .collect(),
            movable: (0..n)
                .map(|u| !m.locked[u] && m.edges(u).len() > 1)
                .collect(),
        }
    }
}

/// Chooses the units to free: those on a few random reps, preferring units off their
/// cheapest edge and big units. The flag says the draw is every movable unit.
fn neighbourhood(
    m: &SegModel,
    facts: &UnitFacts,
    rep_of: &[u32],
    size: usize,
    rng: &mut ChaCha8Rng,
) -> (Vec<usize>, bool) {
    let nr = m.n_reps();
    let mut on_rep: Vec<Vec<usize>> = vec![Vec::new(); nr];
    for (u, &r) in rep_of.iter().enumerate() {
        if facts.movable[u] {
            on_rep[r as usize].push(u);
        }
    }
    let movable: usize = on_rep.iter().map(Vec::len).sum();
    if movable <= size {
        return (on_rep.concat(), true);
    }
    // Pick reps at random until they hold enough units (at least two reps when possible).
    let mut reps: Vec<usize> = (0..nr).collect();
    reps.shuffle(rng);
    let mut pool = Vec::new();
    for (taken, &r) in reps.iter().enumerate() {
        if taken >= 2 && pool.len() >= size {
            break;
        }
        pool.extend_from_slice(&on_rep[r]);
    }
    if pool.len() <= size {
        return (pool, false);
    }
    // Units off their cheapest edge first (they are what a better solution may undo), then
    // a size-biased sample of the rest.
    let (mut chosen, mut rest): (Vec<usize>, Vec<usize>) = pool.into_iter().partition(|&u| {
        m.pair_to(u, rep_of[u])
            .is_none_or(|p| p.cost > facts.cheapest[u] + 1e-12)
    });
    if chosen.len() > size / 2 {
        chosen.shuffle(rng);
        chosen.truncate(size / 2);
    }
    rest.sort_by(|&a, &b| facts.size[b].total_cmp(&facts.size[a]).then(a.cmp(&b)));
    let mut picked = vec![false; rest.len()];
    let want = size - chosen.len();
    let mut n = 0;
    let mut tries = 0;
    while n < want && tries < want * 20 {
        tries += 1;
        let x: f64 = rng.random();
        let i = ((x * x * rest.len() as f64) as usize).min(rest.len() - 1);
        if !picked[i] {
            picked[i] = true;
            chosen.push(rest[i]);
            n += 1;
        }
    }
    chosen.sort_unstable();
    (chosen, false)
}

/// A generalized-assignment neighbourhood: every movable unit of a few random reps, free to
/// move among those reps only (a small exact sub-problem that holds every chain and cycle
/// of moves between them). Returns the units and the reps' mask.
fn rep_neighbourhood(
    m: &SegModel,
    facts: &UnitFacts,
    rep_of: &[u32],
    size: usize,
    rng: &mut ChaCha8Rng,
) -> (Vec<usize>, Vec<bool>) {
    let nr = m.n_reps();
    let mut count = vec![0usize; nr];
    for (u, &r) in rep_of.iter().enumerate() {
        if facts.movable[u] {
            count[r as usize] += 1;
        }
    }
    let mut reps: Vec<usize> = (0..nr).collect();
    reps.shuffle(rng);
    let mut mask = vec![false; nr];
    let mut held = 0;
    for (taken, &r) in reps.iter().enumerate() {
        if taken >= 2 && held >= size {
            break;
        }
        mask[r] = true;
        held += count[r];
    }
    let free = (0..m.n_units())
        .filter(|&u| facts.movable[u] && mask[rep_of[u] as usize])
        .collect();
    (free, mask)
}

/// Largest segment (pairs) whose LP relaxation guides a first neighbourhood.
const RINS_MAX_PAIRS: usize = 100_000;

/// Branch-and-bound nodes of each core MILP of the search from the LP optimum.
const CORE_NODE_LIMIT: i32 = 300;

/// Largest share of the time left one core MILP may take.
const CORE_TIME_SHARE: f64 = 0.3;

/// Local-search passes that repair and polish the rounded LP optimum.
const LP_POLISH_PASSES: usize = 10;

/// Pairs pricing may always add to list every pair a better solution may use.
const WIDEN_MIN: usize = 20_000;

/// Whether the search starts from the segment's LP relaxation (rounded, its fractional
/// units placed exactly, then a RINS neighbourhood): on linear objectives small enough.
pub fn rounds_lp(m: &SegModel<'_>) -> bool {
    m.kind != SegKind::Balance && m.n_pairs() <= RINS_MAX_PAIRS
}

/// Branch-and-bound nodes of the LP-guided step.
const RINS_NODE_LIMIT: i32 = 1;

/// Largest LP-guided neighbourhood (units) solved exactly.
const RINS_MAX_UNITS: usize = 600;

/// Share of the time left the LP-guided step of a pure-cost segment may take.
const RINS_TIME_SHARE: f64 = 0.15;

/// How far a linear segment's neighbourhoods may grow, in multiples of the plan's size.
const LINEAR_GROWTH: usize = 2;

/// Smallest neighbourhood the adaptive size may shrink to.
const MIN_FREE: usize = 12;

/// Largest share of a pure-cost segment's movable units one step frees.
const PURE_COST_FREE: f64 = 0.4;

/// Improves a solution of `m` by repeated exact re-optimisation of random neighbourhoods.
///
/// The neighbourhood grows by a fifth after a sub-solve HiGHS proves optimal and shrinks by
/// a fifth after one the node limit stops, so each step stays cheap and exact; the run ends
/// after `budget.iterations` steps or when a whole round of steps (`stall`) finds nothing.
/// On pure-cost models (generalized assignment) a step frees the units of a few reps among
/// those reps only, starting small and growing by half after each fruitless round.
pub fn improve<'p>(
    m: &SegModel<'p>,
    start: &[u32],
    ctx: &SearchContext,
    budget: LnsBudget,
) -> LnsResult<'p> {
    // A segment that lists candidates: its lists grow until the LP over them is the LP over
    // every allowed pair, and the search runs on the grown lists.
    if m.open.is_some()
        && rounds_lp(m)
        && !ctx.should_stop()
        && let Some(mut priced) = crate::pricing::price_out(m, ctx)
    {
        // Fixing against the start sees every pair it may keep once those within the gap
        // are listed; without a feasible start a small segment lists every pair.
        let (start_obj, start_viol) = priced.model.evaluate(start);
        let gap = if start_viol == 0.0 {
            start_obj - priced.lp.bound
        } else {
            f64::INFINITY
        };
        let growth = priced.model.n_pairs().max(WIDEN_MIN);
        crate::pricing::widen(&mut priced, gap, growth);
        let lp = priced.lp.clone();
        let mut r = improve_on(&priced.model, start, ctx, budget, Some(lp));
        r.grown = Some(priced.model);
        return r;
    }
    improve_on(m, start, ctx, budget, None)
}

/// [`improve`] on `m`, from its LP relaxation `given` (over every allowed pair) when the
/// caller already solved it.
fn improve_on<'p>(
    m: &SegModel<'p>,
    start: &[u32],
    ctx: &SearchContext,
    budget: LnsBudget,
    given: Option<crate::fixing::Relaxation>,
) -> LnsResult<'p> {
    let mut rng = ChaCha8Rng::seed_from_u64(job_seed(ctx.seed ^ 0x4C4E_5300, m.seg.0 as u64, 0));
    let mut incumbent = Incumbent::new(m, start.to_vec());
    let mut improvements = 0;
    let mut cut_short = false;
    let facts = UnitFacts::of(m);
    let movable = facts.movable.iter().filter(|&&b| b).count();
    // Rebalance on a small segment: at most half of it at a time rather than the whole (the
    // whole is the full MILP, slow under hard bands even at a few hundred pairs).
    let pure_cost = m.is_pure_cost();
    let max_free = if m.hard_band && movable <= 2 * budget.free_units {
        movable / 2
    } else if pure_cost {
        (movable as f64 * PURE_COST_FREE) as usize
    } else if m.kind == SegKind::Linear {
        // Steps that prove their neighbourhood optimal grow it, up to this.
        LINEAR_GROWTH * budget.free_units
    } else {
        budget.free_units
    }
    .max(MIN_FREE);
    // Pure-cost steps are cheap: they start small and grow when a round finds nothing.
    let mut size = if pure_cost {
        MIN_FREE.min(max_free) as f64
    } else {
        max_free.min(budget.free_units) as f64
    };
    let stall = (2 * m.n_reps()).clamp(10, 60);
    let mut since = 0;
    let mut last = false;
    // Rebalance and cost models: the first steps round the LP optimum and free the
    // units on which it and the start disagree (a RINS neighbourhood). With few reps (or few
    // capacity rows) the LP optimum is nearly integral, so this is where the optimum lies.
    let mut lp_bound = None;
    let mut relaxation = None;
    let mut proven = false;
    let mut rins: Option<Vec<usize>> = None;
    if rounds_lp(m) && !ctx.should_stop() {
        let lp = match given {
            Some(lp) => Some(lp),
            None => {
                let limits = ctx.mip_limits(1.0, f64::INFINITY, 0, true);
                solve_mip(m, None, limits).ok().and_then(|r| {
                    Some(crate::fixing::Relaxation {
                        values: r.lp_values?,
                        reduced: r.lp_reduced?,
                        bound: r.bound,
                        // Over the listed pairs: all of them when the segment lists all.
                        exact_to: if m.complete {
                            f64::INFINITY
                        } else {
                            f64::NEG_INFINITY
                        },
                    })
                })
            }
        };
        if let Some(lp) = lp {
            let values = lp.values.clone();
            // A bound on the user's problem when the LP is over every allowed pair (and
            // each budget row is all the segment could move).
            if lp.exact_to >= 0.0 && m.budgets_bound_exactly() && lp.bound.is_finite() {
                lp_bound = Some(lp.bound);
                ctx.report_bound(lp.bound);
                relaxation = Some(lp);
            }
            // LP rounding: every unit on its LP edge, and the few fractional ones (with few
            // reps, at most about one per band row) placed exactly by a small MILP.
            let lp_edge = crate::mip::round_lp(m, &values);
            let lp_reps = m.reps_of(&lp_edge);
            let frac: Vec<usize> = (0..m.n_units())
                .filter(|&u| facts.movable[u] && values[lp_edge[u] as usize] < 1.0 - 1e-6)
                .collect();
            if frac.len() <= RINS_MAX_UNITS {
                let (sub, _) = sub_model(m, &lp_reps, &frac);
                let limits = ctx.mip_limits(1.0, f64::INFINITY, budget.node_limit, false);
                if let Ok(r) = solve_mip(&sub, None, limits)
                    && r.status != MipStatus::TimeLimit
                    && let Some(sub_reps) = r.rep_of
                {
                    let mut cand = lp_reps.clone();
                    for (&u, &r) in frac.iter().zip(&sub_reps) {
                        cand[u] = r;
                    }
                    if incumbent.offer(m, cand) {
                        improvements += 1;
                        ctx.report(incumbent.objective, incumbent.violation);
                    }
                }
            }
            // From the LP optimum: cores of the pairs with small reduced costs, solved
            // exactly, widened until one holds a solution.
            if let Some(lp) = relaxation.as_ref().filter(|_| budget.cores) {
                let c = crate::fixing::core_search(
                    m,
                    lp,
                    incumbent.objective,
                    CORE_NODE_LIMIT,
                    ctx,
                    CORE_TIME_SHARE,
                );
                cut_short |= c.clock_stopped;
                if let Some(reps) = c.rep_of
                    && incumbent.offer(m, reps)
                {
                    improvements += 1;
                    ctx.report(incumbent.objective, incumbent.violation);
                }
                proven = c.proven;
            }
            // The rounded LP optimum breaks a few rows by a little: the local search repairs
            // it (the fewest, cheapest changes) and polishes it.
            if !proven {
                let mut st = crate::heuristic::state::State::new(m, lp_reps.clone());
                let stop = || ctx.should_stop();
                crate::heuristic::improve::local_search(&mut st, &mut rng, LP_POLISH_PASSES, &stop);
                if incumbent.offer(m, st.rep_of) {
                    improvements += 1;
                    ctx.report(incumbent.objective, incumbent.violation);
                }
            }
            let value_of = |u: usize, r: u32| m.edge_to(u, r).map_or(0.0, |e| values[e]);
            let free: Vec<usize> = (0..m.n_units())
                .filter(|&u| facts.movable[u] && value_of(u, incumbent.rep_of[u]) < 1.0 - 1e-6)
                .collect();
            if incumbent.violation == 0.0 && !free.is_empty() && free.len() <= RINS_MAX_UNITS {
                rins = Some(free);
            }
        }
    }
    for _ in 0..budget.iterations {
        if last || proven {
            break;
        }
        if ctx.should_stop() {
            cut_short = true;
            break;
        }
        // A broken solution keeps searching until the budget or the deadline.
        if since >= stall && incumbent.violation == 0.0 {
            if pure_cost && size < max_free as f64 {
                size = (size * 1.5).min(max_free as f64);
                since = 0;
            } else {
                break;
            }
        }
        since += 1;
        let lp_guided = rins.is_some();
        let mut allowed = None;
        // With the LP relaxation over every pair, draws come from the core: the units a
        // better solution may move (reduced-cost fixing keeps more than one pair of theirs).
        let core = relaxation
            .as_ref()
            .map(|lp| core_units(m, lp, incumbent.objective));
        let (free, whole) = match rins.take() {
            Some(free) => (free, false),
            None if core.is_some() => {
                let mut core = core.unwrap_or_default();
                if core.len() <= size as usize {
                    (core, true)
                } else {
                    core.shuffle(&mut rng);
                    core.truncate(size as usize);
                    core.sort_unstable();
                    (core, false)
                }
            }
            None if pure_cost => {
                let (free, reps) =
                    rep_neighbourhood(m, &facts, &incumbent.rep_of, size as usize, &mut rng);
                allowed = Some(reps);
                (free, false)
            }
            None => neighbourhood(m, &facts, &incumbent.rep_of, size as usize, &mut rng),
        };
        if free.is_empty() {
            break;
        }
        // A neighbourhood of every movable unit is the full MILP: one step says it all.
        last = whole;
        let (sub, warm) = sub_model_within(m, &incumbent.rep_of, &free, allowed.as_deref());
        // On generalized assignment HiGHS's root node alone can take seconds on the LP-guided
        // neighbourhood: it gets a share of the time, and the rep-subset steps the rest.
        let (share, node_limit) = if lp_guided {
            (RINS_TIME_SHARE, RINS_NODE_LIMIT)
        } else {
            (1.0, budget.node_limit)
        };
        let limits = ctx.mip_limits(share, f64::INFINITY, node_limit, false);
        let warm = (incumbent.violation == 0.0).then_some(warm.as_slice());
        let Ok(r) = solve_mip(&sub, warm, limits) else {
            continue;
        };
        match r.status {
            MipStatus::Optimal if !pure_cost => size = (size * 1.2).min(max_free as f64),
            MipStatus::Optimal => {}
            MipStatus::NodeLimit => size = (size * 0.8).max(MIN_FREE as f64),
            MipStatus::TimeLimit => {}
            MipStatus::Infeasible => {}
        }
        // A capped LP-guided step may stop on its clock: its incumbent is still a solution,
        // and the search goes on (the run is marked as not reproducible).
        let capped = lp_guided && !ctx.should_stop();
        let step_cut = r.status == MipStatus::TimeLimit;
        cut_short |= step_cut;
        let end = step_cut && !capped;
        if end && ctx.deterministic {
            break;
        }
        let Some(sub_reps) = r.rep_of else { continue };
        let moved: Vec<(usize, u32)> = free
            .iter()
            .copied()
            .zip(sub_reps.iter().copied())
            .filter(|&(u, r)| r != incumbent.rep_of[u])
            .collect();
        if moved.is_empty() {
            // The warm start came back unchanged: nothing to evaluate on the whole segment.
            if end {
                break;
            }
            continue;
        }
        let mut cand = incumbent.rep_of.clone();
        for &(u, r) in &moved {
            cand[u] = r;
        }
        if incumbent.offer(m, cand) {
            improvements += 1;
            ctx.report(incumbent.objective, incumbent.violation);
            since = 0;
        }
        if end {
            break;
        }
    }
    LnsResult {
        lp_bound,
        relaxation,
        proven,
        grown: None,
        rep_of: incumbent.rep_of,
        objective: incumbent.objective,
        violation: incumbent.violation,
        improvements,
        cut_short,
    }
}
