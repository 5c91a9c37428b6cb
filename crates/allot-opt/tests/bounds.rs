//! Every reported bound is a bound on the user's problem, also when a segment lists only
//! candidates: on mid-size instances the bound of a run with pruned lists (`candidates = 2`,
//! `complete_pairs = 0`) is compared with the optimum the exact MILP proves over every pair,
//! and the pruned run's assignment must pass the independent checker.

use std::collections::BTreeMap;

use allot_model::check::check;
use allot_model::plan::EngineChoice;
use allot_model::{Account, FileNames, Objective, Plan, Problem, Rep, RepStatus};
use allot_opt::{SearchContext, Status, solve};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A mid-size instance: `n` accounts around three cities, `reps` reps at those cities,
/// owners for most accounts, one segment.
fn instance(seed: u64, n: usize, reps: usize, objective: Objective, band: f64) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cities = [(40.7, -74.0), (41.9, -87.6), (42.4, -71.1)];
    let reps: Vec<Rep> = (0..reps)
        .map(|i| {
            let c = cities[i % cities.len()];
            Rep {
                id: format!("R{i:02}"),
                name: String::new(),
                segment: "field".into(),
                role: String::new(),
                lat: Some(c.0 + rng.random_range(-0.1..0.1)),
                lon: Some(c.1 + rng.random_range(-0.1..0.1)),
                fte: 1.0,
                max_accounts: None,
                max_workload: None,
                max_potential: None,
                regions: Vec::new(),
                industries: Vec::new(),
                status: RepStatus::Active,
                line: i as u64 + 2,
            }
        })
        .collect();
    let accounts: Vec<Account> = (0..n)
        .map(|i| {
            let c = cities[rng.random_range(0..cities.len())];
            Account {
                id: format!("A{i:04}"),
                name: String::new(),
                segment: Some("field".into()),
                employees: None,
                potential: rng.random_range(10..100) as f64 * 1000.0,
                potential_given: true,
                workload: rng.random_range(5..40) as f64,
                lat: Some(c.0 + rng.random_range(-0.8..0.8)),
                lon: Some(c.1 + rng.random_range(-0.8..0.8)),
                industry: String::new(),
                region: String::new(),
                owner_id: rng
                    .random_bool(0.8)
                    .then(|| format!("R{:02}", rng.random_range(0..reps.len()))),
                parent_id: None,
                locked: false,
                line: i as u64 + 2,
            }
        })
        .collect();
    let mut plan = Plan {
        objective,
        ..Plan::default()
    };
    plan.balance.band_pct = band;
    plan.solver.time_limit_s = 60.0;
    plan.solver.threads = 2;
    let files = FileNames {
        accounts: "accounts.csv".into(),
        reps: "reps.csv".into(),
    };
    Problem::build(accounts, reps, plan, &files)
        .expect("instance builds")
        .problem
}

fn solve_with(p: &Problem, edit: impl FnOnce(&mut Plan)) -> allot_opt::SolveOutcome {
    let mut p = p.clone();
    edit(&mut p.plan);
    let ctx = SearchContext::from_plan(&p.plan);
    solve(&p, &ctx).expect("solve runs")
}

fn assignment_map(p: &Problem, out: &allot_opt::SolveOutcome) -> BTreeMap<String, String> {
    p.accounts
        .iter()
        .zip(out.assignment.account_reps(p))
        .filter_map(|(a, r)| r.map(|r| (a.id.clone(), p.reps[r.index()].id.clone())))
        .collect()
}

#[test]
fn bounds_with_candidate_lists_stay_below_the_proven_optimum() {
    let mut compared = 0;
    for (seed, objective, band) in [
        (1, Objective::Travel, 10.0),
        (2, Objective::Travel, 5.0),
        (3, Objective::Rebalance, 10.0),
        (4, Objective::Rebalance, 5.0),
        (5, Objective::Travel, 15.0),
        (6, Objective::Rebalance, 15.0),
    ] {
        let p = instance(seed, 60, 6, objective, band);
        // The optimum over every pair, proven by the exact MILP.
        let exact = solve_with(&p, |plan| {
            plan.solver.engine = EngineChoice::Milp;
            plan.solver.milp_max_pairs = 1_000_000;
            plan.solver.milp_node_limit = 1_000_000;
        });
        if exact.status == Status::Infeasible {
            continue;
        }
        assert_eq!(exact.status, Status::Optimal, "seed {seed}: not proven");
        let opt = exact.objective;
        let pruned = solve_with(&p, |plan| {
            plan.solver.candidates = 2;
            plan.solver.complete_pairs = 0;
            plan.solver.time_limit_s = 2.0;
        });
        assert!(
            pruned.bound <= opt + 1e-6 * (1.0 + opt.abs()),
            "seed {seed} ({objective:?}): bound {} above the optimum {opt}",
            pruned.bound
        );
        if matches!(pruned.status, Status::Optimal | Status::Feasible) {
            let v = check(&p.accounts, &p.reps, &p.plan, &assignment_map(&p, &pruned));
            assert!(v.is_empty(), "seed {seed}: {v:?}");
            assert!(
                pruned.objective >= opt - 1e-6 * (1.0 + opt.abs()),
                "seed {seed}: {} below the optimum {opt}",
                pruned.objective
            );
            assert!(
                pruned.segments.iter().all(|s| !s.complete),
                "seed {seed}: the run was meant to list candidates only"
            );
        }
        compared += 1;
    }
    assert!(compared >= 4, "only {compared} feasible instances compared");
}
