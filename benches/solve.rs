//! Criterion benches: reading + building the problem vs solving it (heuristic engine), on
//! generated instances of the demo's mix at several sizes.

#![allow(missing_docs)] // criterion_group! generates undocumented functions
use std::io::Cursor;

use allot_model::plan::EngineChoice;
use allot_model::synth::{GenSpec, generate};
use allot_model::{FileNames, Plan, Problem, io};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn build(accounts: &str, reps: &str, plan: &Plan) -> Problem {
    let a = io::read_accounts_from(
        Box::new(Cursor::new(accounts.as_bytes().to_vec())),
        "accounts.csv",
        plan,
    )
    .expect("generated accounts read");
    let r = io::read_reps_from(
        Box::new(Cursor::new(reps.as_bytes().to_vec())),
        "reps.csv",
        plan,
    )
    .expect("generated reps read");
    let files = FileNames {
        accounts: "accounts.csv".into(),
        reps: "reps.csv".into(),
    };
    Problem::build(a.rows, r.rows, plan.clone(), &files)
        .expect("generated problem builds")
        .problem
}

fn benches(c: &mut Criterion) {
    let mut plan = Plan::default();
    plan.solver.engine = EngineChoice::Heuristic;
    plan.solver.time_limit_s = 60.0;
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    for (n, reps) in [(1_000usize, 8usize), (5_125, 19), (20_000, 60)] {
        let g = generate(&GenSpec {
            accounts: n,
            reps,
            seed: 1,
            ..GenSpec::default()
        });
        group.bench_with_input(BenchmarkId::new("read+build", n), &g, |b, g| {
            b.iter(|| build(&g.accounts_csv, &g.reps_csv, &plan))
        });
        let p = build(&g.accounts_csv, &g.reps_csv, &plan);
        group.bench_with_input(BenchmarkId::new("solve-heuristic", n), &p, |b, p| {
            b.iter(|| {
                let ctx = allot_opt::SearchContext::from_plan(&p.plan);
                allot_opt::solve(p, &ctx).expect("solve runs")
            })
        });
    }
    group.finish();
}

criterion_group!(solve, benches);
criterion_main!(solve);
