//! `allot evaluate`: scores the current owners with the same figures and lists red flags.

use std::process::ExitCode;

use allot_model::check::check;
use allot_model::figures;

use crate::args::{InputArgs, SolverFlags};
use crate::failure::Failure;
use crate::load::{load, plan_input, read_plan};
use crate::report::summary::{Summary, Timings, moves, red_flags, segments};
use crate::report::{csv_out, markdown, remove_stale, write_atomic};

/// Runs `allot evaluate`.
pub fn run(input: &InputArgs) -> Result<ExitCode, Failure> {
    let plan = read_plan(input.plan.as_deref(), &SolverFlags::default())?;
    let loaded = load(input, plan)?;
    let p = &loaded.built.problem;
    let mut refused = loaded.refused.clone();
    refused.extend(loaded.built.refused.iter().cloned());
    // Current owners count where they may hold the account; elsewhere the account is uncovered.
    let current: Vec<_> = p
        .account_owner
        .iter()
        .map(|o| o.filter(|r| p.rep_segment[r.index()].is_some()))
        .collect();
    let f = figures(p, &current);
    let map = p
        .accounts
        .iter()
        .zip(&p.account_owner)
        .filter_map(|(a, r)| r.map(|r| (a.id.clone(), p.reps[r.index()].id.clone())))
        .collect();
    let mut flags = red_flags(p, &f, &loaded.warnings, &refused);
    flags.extend(crate::report::summary::violation_flags(&check(
        &p.accounts,
        &p.reps,
        &p.plan,
        &map,
        false,
    )));
    let summary = Summary {
        version: env!("CARGO_PKG_VERSION").to_string(),
        command: "evaluate".into(),
        status: "evaluated".into(),
        objective: None,
        lower_bound: None,
        gap_abs: None,
        gap_rel: None,
        engine: None,
        seed: p.plan.solver.seed,
        threads: 0,
        reproducible: true,
        accounts: p.accounts.len(),
        reps: p.reps.len(),
        refused_rows: refused.len(),
        warnings: loaded.warnings.len(),
        moves: moves(&f),
        mean_km: f.mean_km,
        segments: segments(&f, None),
        red_flags: flags,
        inputs: loaded
            .inputs
            .iter()
            .cloned()
            .chain(plan_input(input.plan.as_ref()))
            .collect(),
        plan: p.plan.clone(),
        timings: Timings {
            read_s: loaded.read_s,
            ..Timings::default()
        },
    };
    let out = &input.out;
    write_atomic(out, "territories.csv", &csv_out::territories(p, &f)?)?;
    if refused.is_empty() {
        remove_stale(out, "rejects.csv");
    } else {
        write_atomic(out, "rejects.csv", &csv_out::rejects(&refused)?)?;
    }
    write_atomic(
        out,
        "report.md",
        markdown::render(p, &f, &summary, &loaded.warnings, None).as_bytes(),
    )?;
    write_atomic(
        out,
        "summary.json",
        &serde_json::to_vec_pretty(&summary).map_err(anyhow::Error::from)?,
    )?;
    for s in &summary.segments {
        eprintln!(
            "  {:<14} {:>3} reps {:>7} accounts  max dev potential {:>7.2}%  workload {:>7.2}%  within band: {}",
            s.name,
            s.reps,
            s.accounts,
            s.potential.max_abs_deviation_pct,
            s.workload.max_abs_deviation_pct,
            s.within_band
        );
    }
    eprintln!(
        "{} red flag(s); report in {}",
        summary.red_flags.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
