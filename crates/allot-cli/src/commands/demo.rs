//! `allot demo`: the whole pipeline on the bundled data/demo instance.

use std::process::ExitCode;

use crate::args::{DemoArgs, InputArgs};
use crate::failure::Failure;
use crate::report::write_atomic;

/// The bundled demo accounts and reps (also benchmarked by `allot bench demo`).
pub(crate) const ACCOUNTS: &str = include_str!("../../../../data/demo/accounts.csv");
pub(crate) const REPS: &str = include_str!("../../../../data/demo/reps.csv");
const PLAN: &str = include_str!("../../../../data/demo/plan.toml");

/// Runs `allot demo`: writes the demo inputs to `OUT/input/`, prints the capacity plan,
/// then balances and writes every output to `OUT/`.
pub fn run(args: &DemoArgs) -> Result<ExitCode, Failure> {
    let input_dir = args.out.join("input");
    write_atomic(&input_dir, "accounts.csv", ACCOUNTS.as_bytes())?;
    write_atomic(&input_dir, "reps.csv", REPS.as_bytes())?;
    write_atomic(&input_dir, "plan.toml", PLAN.as_bytes())?;
    let input = InputArgs {
        accounts: input_dir.join("accounts.csv"),
        reps: input_dir.join("reps.csv"),
        plan: Some(input_dir.join("plan.toml")),
        pairs: None,
        previous_reps: None,
        decisions: None,
        previous: None,
        scope: None,
        effective: None,
        boundary: crate::args::Boundary::Month,
        out: args.out.clone(),
    };
    tracing::info!("== capacity plan ==");
    super::capacity::run(&input)?;
    tracing::info!("== balance ==");
    let plan = crate::load::read_plan(input.plan.as_deref(), &args.solver)?;
    let code = super::balance::solve_and_write(&input, plan, "demo")?;
    tracing::info!(
        "open {} in a browser for the report (or {})",
        args.out.join("report.html").display(),
        args.out.join("report.md").display()
    );
    Ok(code)
}
