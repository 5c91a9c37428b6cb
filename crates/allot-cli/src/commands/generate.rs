//! `allot generate`: writes a synthetic instance of the seed's mix.

use std::process::ExitCode;

use crate::args::GenerateArgs;
use crate::failure::Failure;
use crate::generate::{GenSpec, generate};
use crate::report::write_atomic;

/// The plan written beside generated data (and bundled with the demo).
pub const DEMO_PLAN: &str = include_str!("../../../../data/demo/plan.toml");

/// Runs `allot generate`.
pub fn run(args: &GenerateArgs) -> Result<ExitCode, Failure> {
    if args.n_accounts == 0 || args.n_reps == 0 {
        return Err(Failure::input(
            "--n-accounts and --n-reps must be at least 1",
        ));
    }
    let g = generate(&GenSpec {
        accounts: args.n_accounts,
        reps: args.n_reps,
        seed: args.seed,
    });
    write_atomic(&args.out, "accounts.csv", g.accounts_csv.as_bytes())?;
    write_atomic(&args.out, "reps.csv", g.reps_csv.as_bytes())?;
    write_atomic(&args.out, "plan.toml", DEMO_PLAN.as_bytes())?;
    eprintln!(
        "wrote {} accounts and {} reps to {}",
        args.n_accounts,
        args.n_reps,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
