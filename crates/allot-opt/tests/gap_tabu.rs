//! The generalized-assignment path: the tabu search, the Lagrangian dives and their bound,
//! and the race with the cold MILP, on tiny tight instances whose optimum brute force
//! proves. Feasibility and cost are recomputed from the raw pair rows, sharing no code with
//! the engines.

use allot_opt::heuristic::dive::{Diver, dive_search};
use allot_opt::heuristic::tabu::tabu_search;
use allot_opt::mip::{MipLimits, solve_mip};
use allot_opt::model::SegModel;
use allot_opt::{SearchContext, Status, solve_model};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A tight random instance (type D style: cheap pairs are heavy): units, caps, and the
/// pair rows (unit, rep, cost, workload), every pair allowed.
struct Gap {
    n: usize,
    caps: Vec<f64>,
    pairs: Vec<(usize, usize, f64, f64)>,
}

fn instance(seed: u64, n: usize, reps: usize) -> Gap {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut pairs = Vec::new();
    let mut work_sum = vec![0.0; reps];
    for u in 0..n {
        for r in 0..reps {
            let w = f64::from(rng.random_range(1..=100u32));
            let c = 111.0 - w + f64::from(rng.random_range(-10..=10i32));
            pairs.push((u, r, c, w));
            work_sum[r] += w;
        }
    }
    let caps = work_sum
        .iter()
        .map(|s| (0.8 * s / reps as f64).floor())
        .collect();
    Gap { n, caps, pairs }
}

/// Cost of a rep-per-unit assignment, or None when it breaks a cap (from the raw rows).
fn checked_cost(g: &Gap, rep_of: &[usize]) -> Option<f64> {
    assert_eq!(rep_of.len(), g.n, "every unit assigned once");
    let mut load = vec![0.0; g.caps.len()];
    let mut cost = 0.0;
    for &(u, r, c, w) in &g.pairs {
        if rep_of[u] == r {
            load[r] += w;
            cost += c;
        }
    }
    load.iter()
        .zip(&g.caps)
        .all(|(l, c)| *l <= *c + 1e-9)
        .then_some(cost)
}

fn brute_force(g: &Gap) -> Option<f64> {
    let reps = g.caps.len();
    let mut best: Option<f64> = None;
    let mut rep_of = vec![0usize; g.n];
    for code in 0..reps.pow(g.n as u32) {
        let mut x = code;
        for r in rep_of.iter_mut() {
            *r = x % reps;
            x /= reps;
        }
        if let Some(c) = checked_cost(g, &rep_of) {
            best = Some(best.map_or(c, |b: f64| b.min(c)));
        }
    }
    best
}

fn reps_of(_m: &SegModel, reps: &[u32]) -> Vec<usize> {
    reps.iter().map(|&r| r as usize).collect()
}

/// Checks a solution against the brute-force optimum from the raw rows: every cap kept,
/// not below the optimum, within 2% of it. Says whether it is optimal.
fn near_optimum(g: &Gap, m: &SegModel, reps: &[u32], opt: f64, what: &str) -> bool {
    let cost =
        checked_cost(g, &reps_of(m, reps)).unwrap_or_else(|| panic!("{what}: a broken solution"));
    assert!(cost >= opt - 1e-9, "{what}: {cost} below the optimum {opt}");
    assert!(
        cost <= opt * 1.02 + 1e-9,
        "{what}: {cost} is more than 2% above the optimum {opt}"
    );
    cost <= opt + 1e-9
}

/// Exactly `feasible` instances tried (the seeds are fixed, so is the number of feasible
/// ones), the optimum reached on 90% of them.
fn assert_mostly_optimal(optimal: usize, tried: usize, feasible: usize) {
    assert_eq!(tried, feasible, "feasible instances tried");
    assert!(
        optimal * 10 >= tried * 9,
        "optimum on {optimal} of {tried} instances only"
    );
}

#[test]
fn tabu_search_finds_the_brute_force_optimum_on_tiny_tight_instances() {
    let mut optimal = 0;
    let mut tried = 0;
    for seed in 0..20 {
        let g = instance(seed, 9, 3);
        let Some(opt) = brute_force(&g) else { continue };
        tried += 1;
        let m = SegModel::from_pairs("tiny", g.n, &g.caps, &g.pairs);
        // Start from every unit on its cheapest rep: infeasible on these instances.
        let start: Vec<u32> = (0..g.n)
            .map(|u| {
                m.edges(u)
                    .min_by(|&a, &b| m.edge_cost[a].total_cmp(&m.edge_cost[b]))
                    .unwrap() as u32
            })
            .collect();
        let start = m.reps_of(&start);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let r = tabu_search(&m, &start, &mut rng, 20_000, &|| false);
        if near_optimum(&g, &m, &r.rep_of, opt, &format!("seed {seed}, tabu search")) {
            optimal += 1;
        }
        // Same seed, same iterations: the same solution.
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let again = tabu_search(&m, &start, &mut rng, 20_000, &|| false);
        assert_eq!(again.rep_of, r.rep_of, "seed {seed}: not reproducible");
    }
    // Every one of the 20 seeds gives a feasible instance.
    assert_mostly_optimal(optimal, tried, 20);
}

#[test]
fn the_race_with_the_cold_milp_proves_the_optimum() {
    let mut tried = 0;
    for seed in 100..106 {
        let g = instance(seed, 8, 3);
        let Some(opt) = brute_force(&g) else { continue };
        tried += 1;
        let m = SegModel::from_pairs("tiny", g.n, &g.caps, &g.pairs);
        let mut plan = allot_model::Plan::default();
        plan.solver.seed = seed;
        plan.solver.time_limit_s = 10.0;
        plan.solver.threads = 2;
        let ctx = SearchContext::from_plan(&plan);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let r = pool.install(|| solve_model(&m, &ctx, 2, true)).unwrap();
        let cost = checked_cost(&g, &reps_of(&m, &r.rep_of))
            .unwrap_or_else(|| panic!("seed {seed}: broken solution"));
        assert!(
            (cost - opt).abs() < 1e-9,
            "seed {seed}: {cost} vs optimum {opt}"
        );
        assert!(
            (r.outcome.objective - cost).abs() < 1e-9,
            "claimed objective"
        );
        assert_eq!(r.outcome.status, Status::Optimal, "seed {seed}");
        assert!(r.outcome.bound <= opt + 1e-9, "bound above the optimum");
    }
    assert_eq!(
        tried, 6,
        "feasible instances of seeds 100..106 (all of them)"
    );
}

/// A search context that stops after the work of `iterations` tabu iterations on `m`
/// (a work limit: the result does not depend on the machine's speed).
fn after_work(m: &SegModel, iterations: u64) -> SearchContext {
    let mut plan = allot_model::Plan::default();
    plan.solver.time_limit_s = 1e6;
    plan.solver.work_limit = iterations * allot_opt::heuristic::tabu::iteration_work(m) as u64;
    SearchContext::from_plan(&plan)
}

#[test]
fn the_lagrangian_bound_is_valid_and_at_least_the_lp_bound() {
    let mut tried = 0;
    for seed in 200..230 {
        let mut g = instance(seed, 8, 3);
        // Some instances with an uncapped rep (its knapsack takes every profitable unit).
        if seed % 5 == 0 {
            g.caps[2] = f64::INFINITY;
        }
        let Some(opt) = brute_force(&g) else { continue };
        tried += 1;
        let m = SegModel::from_pairs("tiny", g.n, &g.caps, &g.pairs);
        let diver = Diver::new(&m, opt, &|| false).expect("integral caps make knapsacks");
        assert!(
            diver.bound <= opt + 1e-6,
            "seed {seed}: Lagrangian bound {} above the optimum {opt}",
            diver.bound
        );
        let limits = MipLimits::timed(10.0, 0, true);
        let lp = solve_mip(&m, None, limits).unwrap().bound;
        assert!(
            diver.bound >= lp - 0.005 * lp.abs() - 1e-6,
            "seed {seed}: Lagrangian bound {} well below the LP bound {lp}",
            diver.bound
        );
    }
    assert_eq!(
        tried, 29,
        "feasible instances of seeds 200..230 (all but one)"
    );
}

#[test]
fn dives_return_checked_solutions_near_the_optimum_and_repeat() {
    let mut optimal = 0;
    let mut tried = 0;
    for seed in 300..320 {
        let g = instance(seed, 9, 3);
        let Some(opt) = brute_force(&g) else { continue };
        tried += 1;
        let m = SegModel::from_pairs("tiny", g.n, &g.caps, &g.pairs);
        let start: Vec<u32> = (0..g.n).map(|u| m.edge_start[u]).collect();
        let start = m.reps_of(&start);
        let run = || {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            dive_search(&m, &start, &mut rng, &after_work(&m, 5_000)).expect("knapsacks")
        };
        let r = run();
        let bound = r.bound.expect("integral caps: the bound is reported");
        assert!(
            bound <= opt + 1e-6,
            "seed {seed}: bound {bound} above {opt}"
        );
        if near_optimum(&g, &m, &r.rep_of, opt, &format!("seed {seed}, dives")) {
            optimal += 1;
        }
        assert_eq!(run().rep_of, r.rep_of, "seed {seed}: not reproducible");
    }
    // Every one of the 20 seeds gives a feasible instance.
    assert_mostly_optimal(optimal, tried, 20);
}

#[test]
fn dives_on_a_type_d_instance_stay_feasible_and_close_to_their_bound() {
    // 20 reps × 100 units, as tight as OR-Library's type D: the dives must return a
    // solution that passes the raw check, within 1% of their own Lagrangian bound.
    let g = instance(7, 100, 20);
    let m = SegModel::from_pairs("d20100-like", g.n, &g.caps, &g.pairs);
    let start: Vec<u32> = (0..g.n).map(|u| m.edge_start[u]).collect();
    let start = m.reps_of(&start);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let r = dive_search(&m, &start, &mut rng, &after_work(&m, 20_000)).expect("knapsacks");
    let bound = r.bound.expect("bound");
    let cost = checked_cost(&g, &reps_of(&m, &r.rep_of)).expect("a feasible solution");
    assert!(cost >= bound - 1e-6, "cost {cost} below the bound {bound}");
    assert!(
        cost <= bound * 1.01,
        "cost {cost} more than 1% above the bound {bound}"
    );
}

#[test]
fn fractional_workloads_give_dives_but_no_bound() {
    // Workloads with cents: the knapsacks round them up (territories stay within caps) and
    // the Lagrangian value is no longer a proof, so no bound is reported.
    let mut g = instance(400, 9, 3);
    for p in &mut g.pairs {
        p.3 += 0.37;
    }
    g.caps.iter_mut().for_each(|c| *c += 0.5);
    let m = SegModel::from_pairs("cents", g.n, &g.caps, &g.pairs);
    let start: Vec<u32> = (0..g.n).map(|u| m.edge_start[u]).collect();
    let start = m.reps_of(&start);
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let r = dive_search(&m, &start, &mut rng, &after_work(&m, 3_000)).expect("knapsacks");
    assert!(r.bound.is_none(), "a bound from rounded knapsacks");
    let opt = brute_force(&g).expect("instance 400 with cents is feasible (brute force)");
    let cost = checked_cost(&g, &reps_of(&m, &r.rep_of)).expect("a feasible solution");
    assert!(cost >= opt - 1e-9);
}
