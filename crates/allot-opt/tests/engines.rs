//! Engine tests on tiny random problems: brute force proves the optimum; the exact MILP must
//! match it and prove it; the heuristic must stay within a stated tolerance; every result
//! passes the independent checker and every claimed figure is recomputed.

use std::collections::BTreeMap;

use allot_model::check::check;
use allot_model::plan::EngineChoice;
use allot_model::{
    Account, Assignment, FileNames, Objective, Plan, Problem, Rep, RepIdx, RepStatus, objective,
};
use allot_opt::{SearchContext, Status, solve};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Tolerance of the heuristic against the proven optimum on these tiny problems:
/// objective ≤ optimum × 1.10 + 0.002.
const HEURISTIC_REL: f64 = 0.10;
const HEURISTIC_ABS: f64 = 0.002;

fn account(i: usize, rng: &mut ChaCha8Rng) -> Account {
    Account {
        id: format!("A{i}"),
        name: String::new(),
        segment: Some("seg".into()),
        employees: None,
        potential: rng.random_range(1..100) as f64 * 1000.0,
        potential_given: true,
        workload: rng.random_range(1..40) as f64,
        lat: Some(40.0 + rng.random::<f64>()),
        lon: Some(-75.0 + rng.random::<f64>()),
        industry: ["Software", "Retail"][rng.random_range(0..2)].into(),
        region: String::new(),
        owner_id: None,
        parent_id: None,
        locked: false,
        line: i as u64 + 2,
    }
}

fn rep(i: usize) -> Rep {
    Rep {
        id: format!("R{i}"),
        name: String::new(),
        segment: "seg".into(),
        role: String::new(),
        lat: Some(40.5),
        lon: Some(-74.5 + i as f64 * 0.3),
        fte: 1.0,
        max_accounts: None,
        max_workload: None,
        max_potential: None,
        regions: Vec::new(),
        industries: Vec::new(),
        status: RepStatus::Active,
        line: i as u64 + 2,
    }
}

/// A random tiny instance: 5–8 accounts, 2–3 reps, owners, a family, maybe a lock, a cap, an
/// industry restriction, a half-time rep.
fn instance(seed: u64, objective: Objective) -> Problem {
    instance_sized(seed, objective, 5..9, 2..4)
}

/// A random instance with `accounts` accounts and `reps` reps (ranges), built like [`instance`].
fn instance_sized(
    seed: u64,
    objective: Objective,
    accounts: std::ops::Range<usize>,
    reps: std::ops::Range<usize>,
) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = rng.random_range(accounts);
    let nr = rng.random_range(reps);
    let mut reps: Vec<Rep> = (0..nr).map(rep).collect();
    let mut accounts: Vec<Account> = (0..n).map(|i| account(i, &mut rng)).collect();
    for a in accounts.iter_mut() {
        if rng.random_bool(0.7) {
            a.owner_id = Some(format!("R{}", rng.random_range(0..nr)));
        }
    }
    if rng.random_bool(0.6) {
        accounts[n - 1].parent_id = Some("A0".into());
        accounts[n - 1].owner_id = accounts[0].owner_id.clone();
    }
    if rng.random_bool(0.4) && accounts[1].owner_id.is_some() {
        accounts[1].locked = true;
    }
    if rng.random_bool(0.3) {
        reps[0].max_accounts = Some((n as u64).div_ceil(nr as u64) + 1);
    }
    if rng.random_bool(0.3) {
        reps[nr - 1].industries = vec!["Software".into(), "Retail".into()];
    }
    if rng.random_bool(0.3) {
        reps[1].fte = 0.5;
    }
    let mut plan = Plan {
        objective,
        ..Plan::default()
    };
    plan.balance.band_pct = 25.0;
    plan.compactness.weight = 0.001;
    plan.solver.time_limit_s = 60.0;
    plan.solver.threads = 2;
    let files = FileNames {
        accounts: "accounts.csv".into(),
        reps: "reps.csv".into(),
    };
    Problem::build(accounts, reps, plan, &files)
        .expect("tiny instance builds")
        .problem
}

fn account_map(p: &Problem, a: &Assignment) -> BTreeMap<String, String> {
    let reps = a.account_reps(p);
    p.accounts
        .iter()
        .zip(reps)
        .filter_map(|(acc, r)| r.map(|r| (acc.id.clone(), p.reps[r.index()].id.clone())))
        .collect()
}

/// Enumerates every unit → rep assignment; returns the best feasible objective (by the
/// model's definition and the independent checker), or None when none is feasible.
fn brute_force(p: &Problem) -> Option<f64> {
    let nu = p.units.len();
    let nr = p.reps.len();
    let mut best: Option<f64> = None;
    let mut idx = vec![0usize; nu];
    loop {
        let a = Assignment {
            unit_rep: idx.iter().map(|&r| RepIdx::from_usize(r)).collect(),
        };
        if check(&p.accounts, &p.reps, &p.plan, &account_map(p, &a)).is_empty()
            && let Some(obj) = objective(p, &a)
        {
            best = Some(best.map_or(obj, |b: f64| b.min(obj)));
        }
        let mut k = 0;
        loop {
            if k == nu {
                return best;
            }
            idx[k] += 1;
            if idx[k] < nr {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
    }
}

fn run(p: &Problem, engine: EngineChoice, threads: usize) -> allot_opt::SolveOutcome {
    let mut p = p.clone();
    p.plan.solver.engine = engine;
    p.plan.solver.threads = threads;
    let ctx = SearchContext::from_plan(&p.plan);
    solve(&p, &ctx).expect("solve runs")
}

fn assert_claims(p: &Problem, out: &allot_opt::SolveOutcome) {
    let violations = check(
        &p.accounts,
        &p.reps,
        &p.plan,
        &account_map(p, &out.assignment),
    );
    assert!(violations.is_empty(), "infeasible result: {violations:?}");
    let recomputed = objective(p, &out.assignment).expect("every unit on an eligible rep");
    assert!(
        (recomputed - out.objective).abs() < 1e-9,
        "claimed objective {} but it is {recomputed}",
        out.objective
    );
    assert!(
        out.bound <= out.objective + 1e-9,
        "bound {} above objective {}",
        out.bound,
        out.objective
    );
}

fn exact_and_heuristic(seed: u64, objective: Objective) {
    let p = instance(seed, objective);
    let Some(opt) = brute_force(&p) else {
        let out = run(&p, EngineChoice::Auto, 2);
        assert_eq!(
            out.status,
            Status::Infeasible,
            "seed {seed}: brute force finds no feasible assignment"
        );
        return;
    };
    let exact = run(&p, EngineChoice::Milp, 1);
    assert_claims(&p, &exact);
    assert!(
        (exact.objective - opt).abs() < 1e-6,
        "seed {seed}: MILP {} vs optimum {opt}",
        exact.objective
    );
    assert!(
        exact.bound <= opt + 1e-6,
        "seed {seed}: bound {} above the optimum {opt}",
        exact.bound
    );
    assert_eq!(exact.status, Status::Optimal, "seed {seed}");

    let heur = run(&p, EngineChoice::Heuristic, 2);
    assert_claims(&p, &heur);
    assert!(
        heur.bound <= opt + 1e-6,
        "seed {seed}: heuristic-run bound {} above the optimum {opt}",
        heur.bound
    );
    assert!(
        heur.objective <= opt * (1.0 + HEURISTIC_REL) + HEURISTIC_ABS,
        "seed {seed}: heuristic {} vs optimum {opt}",
        heur.objective
    );
}

#[test]
fn exact_matches_brute_force_redesign() {
    for seed in 0..60 {
        exact_and_heuristic(seed, Objective::Redesign);
    }
}

#[test]
fn exact_matches_brute_force_rebalance() {
    for seed in 100..160 {
        exact_and_heuristic(seed, Objective::Rebalance);
    }
}

#[test]
fn same_seed_same_assignment_at_any_thread_count() {
    for seed in 0..5 {
        let p = instance(seed, Objective::Redesign);
        let a = run(&p, EngineChoice::Auto, 1);
        let b = run(&p, EngineChoice::Auto, 2);
        let c = run(&p, EngineChoice::Auto, 2);
        assert!(a.reproducible && b.reproducible);
        assert_eq!(a.assignment, b.assignment, "seed {seed}");
        assert_eq!(b.assignment, c.assignment, "seed {seed}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Whatever the instance, a heuristic result that claims feasibility passes the checker,
    /// and one that found nothing (the heuristics alone cannot prove infeasibility) is on an
    /// instance where brute force finds nothing either.
    #[test]
    fn heuristic_results_are_feasible(seed in 1000u64..100_000) {
        let p = instance(seed, Objective::Redesign);
        let out = run(&p, EngineChoice::Heuristic, 2);
        match out.status {
            Status::Optimal | Status::Feasible => assert_claims(&p, &out),
            Status::Infeasible | Status::TimeLimit => prop_assert!(
                brute_force(&p).is_none(),
                "heuristic found nothing ({:?}) on a feasible instance",
                out.status
            ),
        }
    }
}

/// The O(1) move and swap evaluation agrees with a full recomputation after the change.
#[test]
fn incremental_evaluation_matches_full_recomputation() {
    use allot_opt::heuristic::state::State;
    use allot_opt::model::SegModel;
    for seed in 0..40 {
        let p = instance(
            seed,
            if seed % 2 == 0 {
                Objective::Redesign
            } else {
                Objective::Rebalance
            },
        );
        let m = SegModel::new(
            &p,
            allot_model::SegIdx(0),
            &allot_opt::portfolio::build_of(&p),
        );
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let start: Vec<u32> = (0..m.n_units())
            .map(|u| m.edge_rep[m.edges(u).start])
            .collect();
        let mut st = State::new(&m, start);
        for _ in 0..50 {
            let u = rng.random_range(0..m.n_units());
            let e = m.edges(u).start + rng.random_range(0..m.edges(u).len());
            if m.edge_rep[e] == st.rep_of[u] {
                continue;
            }
            let to = m.pair(u, e);
            let predicted = st.eval_move(u, &to);
            st.apply_move(u, to);
            let fresh = State::new(&m, st.rep_of.clone()).score();
            assert!(
                (predicted.primary - fresh.primary).abs() < 1e-7 * (1.0 + fresh.primary.abs()),
                "seed {seed}: move predicted {} got {}",
                predicted.primary,
                fresh.primary
            );
            let (obj, viol) = m.evaluate(&st.rep_of);
            assert!((obj - st.objective()).abs() < 1e-9 && (viol - st.violation()).abs() < 1e-9);
            // A swap with another unit of another rep, when both may cross.
            let v = rng.random_range(0..m.n_units());
            let (a, b) = (st.rep_of[u], st.rep_of[v]);
            if let (Some(pu), Some(pv)) = (m.pair_to(u, b), m.pair_to(v, a))
                && a != b
            {
                let predicted = st.eval_swap(u, &pu, v, &pv);
                st.apply_many(&[(u, pu), (v, pv)]);
                let fresh = State::new(&m, st.rep_of.clone()).score();
                assert!(
                    (predicted.primary - fresh.primary).abs() < 1e-7 * (1.0 + fresh.primary.abs()),
                    "seed {seed}: swap"
                );
            }
        }
    }
}

/// The large-neighbourhood search never makes a solution worse, keeps it feasible (by the
/// independent checker) and reports the objective the model gives it.
#[test]
fn large_neighbourhood_search_improves_and_stays_feasible() {
    use allot_model::SegIdx;
    use allot_opt::heuristic::solve_segment;
    use allot_opt::lns::{LnsBudget, improve};
    use allot_opt::model::SegModel;
    let mut improved = 0;
    for seed in 0..12 {
        for goal in [Objective::Rebalance, Objective::Cost] {
            let p = instance_sized(seed, goal, 30..45, 3..5);
            let ctx = SearchContext::from_plan(&p.plan);
            for s in 0..p.segments.len() {
                let m = SegModel::new(
                    &p,
                    SegIdx::from_usize(s),
                    &allot_opt::portfolio::build_of(&p),
                );
                let h = solve_segment(&m, &ctx, 1, 0);
                let budget = LnsBudget {
                    iterations: 20,
                    free_units: 8,
                    node_limit: 50,
                    cores: true,
                };
                let r = improve(&m, &h.rep_of, &ctx, budget);
                let (obj, viol) = m.evaluate(&r.rep_of);
                assert!(
                    (obj - r.objective).abs() < 1e-9,
                    "seed {seed}: claimed objective"
                );
                assert_eq!(viol, r.violation, "seed {seed}: claimed violation");
                assert!(
                    r.violation < h.violation - 1e-12
                        || (r.violation <= h.violation + 1e-12
                            && r.objective <= h.objective + 1e-9),
                    "seed {seed}: LNS made it worse"
                );
                improved += usize::from(r.improvements > 0);
                if r.violation == 0.0 && p.segments.len() == 1 {
                    let mut unit_rep = vec![RepIdx(0); p.units.len()];
                    for (u, &r) in r.rep_of.iter().enumerate() {
                        unit_rep[m.units[u].index()] = m.reps[r as usize];
                    }
                    let a = Assignment { unit_rep };
                    let violations = check(&p.accounts, &p.reps, &p.plan, &account_map(&p, &a));
                    assert!(violations.is_empty(), "seed {seed}: {violations:?}");
                    let full = objective(&p, &a).expect("every unit on an eligible rep");
                    assert!(
                        (full - r.objective).abs() < 1e-6,
                        "seed {seed}: {full} vs {}",
                        r.objective
                    );
                }
            }
        }
    }
    assert!(
        improved > 0,
        "the search never improved a one-start heuristic"
    );
}
