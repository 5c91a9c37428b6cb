//! `allot evaluate`: scores the current owners with the same figures and lists red flags.

use std::process::ExitCode;

use allot_model::check::check_with_pairs;
use allot_model::figures;
use allot_model::flags::Book;

use crate::args::{InputArgs, SolverFlags};
use crate::failure::Failure;
use crate::load::{load, read_plan};
use crate::report::flags;
use crate::report::summary::Summary;
use crate::report::write_reports;

/// Runs `allot evaluate`.
pub fn run(input: &InputArgs) -> Result<ExitCode, Failure> {
    let plan = read_plan(input.plan.as_deref(), &SolverFlags::default())?;
    let loaded = load(input, plan)?;
    let p = &loaded.built.problem;
    let refused = loaded.all_refused();
    // Current owners count where they may hold the account; elsewhere the account is uncovered.
    let today = p.current_owners();
    let f = figures(p, &today);
    let map = p
        .accounts
        .iter()
        .zip(&p.account_owner)
        .filter_map(|(a, r)| r.map(|r| (a.id.clone(), p.reps[r.index()].id.clone())))
        .collect();
    // Today's owners are scored against the rules they can break on their own; the band is
    // reported by the figures (every rep's deviation), not as a broken rule.
    let mut rules = p.plan.clone();
    rules.balance.hard = false;
    let violations = check_with_pairs(&p.accounts, &p.reps, &rules, &map, loaded.pairs.as_deref());
    let red = flags::of_run(&loaded, Book::Today, &f, &violations);
    let summary = Summary::of_figures(
        "evaluate",
        "evaluated",
        &loaded,
        &f,
        red,
        input.plan.as_ref(),
    );
    let run = crate::report::html::Run {
        account_rep: &today,
        codes: None,
        before: None,
        frontier_svg: None,
    };
    write_reports(
        &input.out,
        p,
        &f,
        &summary,
        &loaded.warnings,
        &refused,
        &run,
    )?;
    for s in &summary.segments {
        tracing::info!(
            "  {:<14} {:>3} reps {:>7} accounts  max dev potential {:>7.2}%  workload {:>7.2}%  within band: {}",
            s.name,
            s.reps,
            s.accounts,
            s.potential.max_abs_deviation_pct,
            s.workload.max_abs_deviation_pct,
            s.within_band
        );
    }
    for line in flags::lines(&summary.red_flags) {
        tracing::info!("{line}");
    }
    tracing::info!(
        "{} red flag(s); report in {}",
        summary.red_flags.len(),
        input.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
