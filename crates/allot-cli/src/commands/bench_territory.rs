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
    /// How the engine ended (optimal, feasible, time limit, …).
    status: String,
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
        status: String::new(),
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
    let mut r = score(
        p,
        &out.assignment,
        Some(out.bound),
        t.elapsed().as_secs_f64(),
    );
    r.status = format!("{:?}", out.status).to_lowercase();
    Ok(r)
}

/// The peer: each segment's plain MILP, no warm start, sharing `seconds` equally. Its
/// status is the worst of the segments' (optimal only when HiGHS proved every one) and its
/// bound the sum of HiGHS's dual bounds (over the model's listed pairs).
fn run_peer(p: &Problem, seconds: f64) -> Option<Result1> {
    use allot_opt::mip::MipStatus;
    let t = Instant::now();
    let mut unit_rep = vec![RepIdx(0); p.units.len()];
    let n = p.segments.len().max(1) as f64;
    let build = allot_opt::portfolio::build_of(p);
    let mut bound = 0.0;
    let mut worst = MipStatus::Optimal;
    let rank = |s: MipStatus| match s {
        MipStatus::Optimal => 0,
        MipStatus::NodeLimit => 1,
        MipStatus::TimeLimit => 2,
        MipStatus::Infeasible => 3,
    };
    let mut solved = true;
    for s in 0..p.segments.len() {
        let m = SegModel::new(p, SegIdx::from_usize(s), &build);
        let r = solve_mip(&m, None, MipLimits::timed(seconds / n, i32::MAX, false)).ok()?;
        if rank(r.status) > rank(worst) {
            worst = r.status;
        }
        bound += r.bound;
        match r.rep_of {
            Some(reps) => {
                for (u, &r) in reps.iter().enumerate() {
                    unit_rep[m.units[u].index()] = m.reps[r as usize];
                }
            }
            None => solved = false,
        }
    }
    let status = match worst {
        MipStatus::Optimal => "optimal",
        MipStatus::NodeLimit => "node limit",
        MipStatus::TimeLimit => "time limit",
        MipStatus::Infeasible => "infeasible",
    };
    let seconds = t.elapsed().as_secs_f64();
    let bound = bound.is_finite().then_some(bound);
    let mut r = if solved {
        score(p, &Assignment { unit_rep }, bound, seconds)
    } else {
        Result1 {
            status: String::new(),
            feasible: false,
            max_dev: (f64::NAN, f64::NAN),
            moves: 0,
            objective: None,
            mean_km: None,
            bound,
            seconds,
        }
    };
    r.status = if solved {
        status.to_string()
    } else {
        format!("no solution ({status})")
    };
    Some(r)
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
        "\n{label}, seed {}, allot time limit {} s, peer = plain HiGHS MILP per segment given ×{}\n\n| scenario | engine | status | feasible | objective | lower bound | mean km | max dev potential % | max dev workload % | moves | s |\n|---|---|---|:---:|---:|---:|---:|---:|---:|---:|---:|\n",
        args.seed, args.time_limit, args.peer_factor
    );
    let opt = |x: Option<f64>, digits: usize| {
        x.map(|v| format!("{v:.digits$}"))
            .unwrap_or_else(|| "-".into())
    };
    for (name, ours, peer) in &scenarios {
        let row = |who: &str, r: &Result1| {
            format!(
                "| {name} | {who} | {} | {} | {} | {} | {} | {:.3} | {:.3} | {} | {:.2} |\n",
                r.status,
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
                s.push_str(&format!("| {name} | HiGHS | failed | | | | | | | | |\n"))
            }
            None => {}
        }
    }
    if let Some(mb) = crate::report::summary::peak_rss_mb() {
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

/// The peer on the files of a benchmark figure under its plan, `seconds` shared equally
/// between the segments: its status, objective, bound and mean km.
pub fn peer_on_files(
    accounts: &std::path::Path,
    reps: &std::path::Path,
    plan: &std::path::Path,
    seconds: f64,
) -> Result<Option<super::bench_records::Peer>, Failure> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p)
            .map_err(|e| Failure::input(format!("{}: cannot read: {e}", p.display())))
    };
    let plan = crate::load::read_plan(Some(plan), &crate::args::SolverFlags::default())?;
    let p = build(&read(accounts)?, &read(reps)?, plan)?;
    Ok(run_peer(&p, seconds).map(|r| super::bench_records::Peer {
        status: r.status,
        objective: r.objective,
        bound: r.bound,
        mean_km: r.mean_km,
        seconds: r.seconds,
    }))
}
