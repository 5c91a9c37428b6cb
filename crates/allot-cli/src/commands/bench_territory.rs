//! `allot bench demo`, `allot bench scale` and `allot bench plan`: territory instances, allot
//! against the peer —
//! the plain MILP of the same model through HiGHS (no warm start, no decomposition help
//! beyond solving segment by segment), given `--peer-factor` times allot's time, measured in
//! the same run. Figures come from `allot_model::figures`, feasibility from the independent
//! checker.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::time::Instant;

use allot_model::check::check;
use allot_model::{Assignment, FileNames, Objective, Plan, Problem, RepIdx, SegIdx, figures, io};
use allot_opt::mip::{MipLimits, solve_mip};
use allot_opt::model::SegModel;
use allot_opt::{SearchContext, solve};

use crate::args::BenchArgs;
use crate::failure::Failure;
use allot_model::synth::{GenSpec, generate};

/// One scenario's result for one engine.
struct Result1 {
    feasible: bool,
    max_dev: (f64, f64),
    moves: usize,
    objective: Option<f64>,
    mean_km: Option<f64>,
    bound: Option<f64>,
    seconds: f64,
}

fn build(accounts: &str, reps: &str, plan: Plan) -> Result<Problem, Failure> {
    let a = io::read_accounts_from(
        Box::new(Cursor::new(accounts.as_bytes().to_vec())),
        "accounts.csv",
        &plan,
    )
    .map_err(|e| Failure::issues(&e))?;
    let r = io::read_reps_from(
        Box::new(Cursor::new(reps.as_bytes().to_vec())),
        "reps.csv",
        &plan,
    )
    .map_err(|e| Failure::issues(&e))?;
    let files = FileNames {
        accounts: "accounts.csv".into(),
        reps: "reps.csv".into(),
    };
    Ok(Problem::build(a.rows, r.rows, plan, &files)
        .map_err(|e| Failure::issues(&e))?
        .problem)
}

fn score(p: &Problem, a: &Assignment, bound: Option<f64>, seconds: f64) -> Result1 {
    let reps = a.account_reps(p);
    let f = figures(p, &reps);
    let map: BTreeMap<String, String> = p
        .accounts
        .iter()
        .zip(&reps)
        .filter_map(|(acc, r)| r.map(|r| (acc.id.clone(), p.reps[r.index()].id.clone())))
        .collect();
    let feasible = check(&p.accounts, &p.reps, &p.plan, &map).is_empty();
    let worst = |k: usize| {
        f.segments
            .iter()
            .map(|s| s.max_abs_deviation[k])
            .fold(0.0, f64::max)
            * 100.0
    };
    Result1 {
        feasible,
        max_dev: (worst(0), worst(1)),
        moves: f.moved_accounts,
        objective: allot_model::objective(p, a),
        mean_km: f.mean_km,
        bound,
        seconds,
    }
}

/// allot's portfolio under the plan's time limit.
fn run_allot(p: &Problem) -> Result<Result1, Failure> {
    let t = Instant::now();
    let ctx = SearchContext::from_plan(&p.plan);
    let out = solve(p, &ctx).map_err(|e| Failure {
        code: 4,
        message: e.to_string(),
    })?;
    Ok(score(
        p,
        &out.assignment,
        Some(out.bound),
        t.elapsed().as_secs_f64(),
    ))
}

/// The peer: each segment's plain MILP, no warm start, sharing `seconds` equally.
fn run_peer(p: &Problem, seconds: f64) -> Option<Result1> {
    let t = Instant::now();
    let mut unit_rep = vec![RepIdx(0); p.units.len()];
    let n = p.segments.len().max(1) as f64;
    let build = allot_opt::portfolio::build_of(p);
    for s in 0..p.segments.len() {
        let m = SegModel::new(p, SegIdx::from_usize(s), &build);
        let r = solve_mip(&m, None, MipLimits::timed(seconds / n, i32::MAX, false)).ok()?;
        let reps = r.rep_of?;
        for (u, &r) in reps.iter().enumerate() {
            unit_rep[m.units[u].index()] = m.reps[r as usize];
        }
    }
    Some(score(
        p,
        &Assignment { unit_rep },
        None,
        t.elapsed().as_secs_f64(),
    ))
}

fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs `allot bench demo`, `allot bench scale` or `allot bench plan`.
pub fn run(args: &BenchArgs) -> Result<std::process::ExitCode, Failure> {
    let mut scenarios = Vec::new();
    let label;
    if args.suite == "plan" {
        let (Some(a), Some(r), Some(pl)) = (&args.accounts, &args.reps, &args.plan) else {
            return Err(Failure::input(
                "allot bench plan needs --accounts, --reps and --plan",
            ));
        };
        let read = |p: &std::path::Path| {
            std::fs::read_to_string(p)
                .map_err(|e| Failure::input(format!("{}: cannot read: {e}", p.display())))
        };
        let flags = crate::args::SolverFlags {
            time_limit: Some(args.time_limit),
            seed: Some(args.seed),
            threads: Some(args.threads),
            work_limit: Some(0),
        };
        let plan = crate::load::read_plan(Some(pl), &flags)?;
        label = format!("{} / {} / {}", a.display(), r.display(), pl.display());
        let name = format!("{} ±{}%", plan.objective.name(), plan.balance.band_pct);
        let p = build(&read(a)?, &read(r)?, plan)?;
        scenarios.push(run_scenario(&p, name, args));
    } else {
        let (accounts, reps) = if args.suite == "demo" {
            label = "demo (5,125 accounts, 19 reps)".to_string();
            (
                super::demo::ACCOUNTS.to_string(),
                super::demo::REPS.to_string(),
            )
        } else {
            let g = generate(&GenSpec {
                accounts: args.n_accounts,
                reps: args.n_reps,
                seed: args.seed,
                ..GenSpec::default()
            });
            label = format!(
                "generated {} accounts × {} reps",
                args.n_accounts, args.n_reps
            );
            (g.accounts_csv, g.reps_csv)
        };
        for (name, objective, band) in [
            ("balance (min max deviation)", Objective::Redesign, 2.0),
            (
                "rebalance (fewest moves)",
                Objective::Rebalance,
                args.band_pct,
            ),
        ] {
            let mut plan = Plan {
                objective,
                ..Plan::default()
            };
            plan.disruption.weight = 0.0;
            plan.compactness.weight = 0.0;
            plan.balance.band_pct = band;
            plan.solver.time_limit_s = args.time_limit;
            plan.solver.seed = args.seed;
            plan.solver.threads = args.threads;
            let p = build(&accounts, &reps, plan)?;
            scenarios.push(run_scenario(&p, format!("{name} ±{band}%"), args));
        }
    }
    let scenarios: Vec<(String, Result1, Option<Result1>)> =
        scenarios.into_iter().collect::<Result<_, _>>()?;
    let mut s = format!(
        "\n{label}, seed {}, allot time limit {} s, peer = plain HiGHS MILP per segment given ×{}\n\n| scenario | engine | feasible | objective | lower bound | mean km | max dev potential % | max dev workload % | moves | s |\n|---|---|:---:|---:|---:|---:|---:|---:|---:|---:|\n",
        args.seed, args.time_limit, args.peer_factor
    );
    let opt = |x: Option<f64>, digits: usize| {
        x.map(|v| format!("{v:.digits$}"))
            .unwrap_or_else(|| "-".into())
    };
    for (name, ours, peer) in &scenarios {
        let row = |who: &str, r: &Result1| {
            format!(
                "| {name} | {who} | {} | {} | {} | {} | {:.3} | {:.3} | {} | {:.2} |\n",
                if r.feasible { "yes" } else { "no" },
                opt(r.objective, 4),
                opt(r.bound, 4),
                opt(r.mean_km, 2),
                r.max_dev.0,
                r.max_dev.1,
                r.moves,
                r.seconds
            )
        };
        s.push_str(&row("allot", ours));
        match peer {
            Some(p) => s.push_str(&row("HiGHS", p)),
            None if args.peer_factor > 0.0 => {
                s.push_str(&format!("| {name} | HiGHS | no solution | | | | | | | |\n"))
            }
            None => {}
        }
    }
    if let Some(mb) = peak_rss_mb() {
        s.push_str(&format!(
            "\npeak memory of the whole bench process: {mb:.0} MB\n"
        ));
    }
    print!("{s}");
    Ok(std::process::ExitCode::SUCCESS)
}

/// allot and (when asked) the peer on one problem.
fn run_scenario(
    p: &Problem,
    name: String,
    args: &BenchArgs,
) -> Result<(String, Result1, Option<Result1>), Failure> {
    let ours = run_allot(p)?;
    let peer = (args.peer_factor > 0.0)
        .then(|| run_peer(p, args.time_limit * args.peer_factor))
        .flatten();
    eprintln!("{name}: done");
    Ok((name, ours, peer))
}
