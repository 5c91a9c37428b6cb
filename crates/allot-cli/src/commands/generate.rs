//! `allot generate`: writes a synthetic instance of the seed's mix.

use std::process::ExitCode;

use crate::args::GenerateArgs;
use crate::failure::Failure;
use crate::report::write_atomic;
use allot_model::synth::{GenSpec, generate, reps_at_seed_ratios};

/// The plan written beside generated data (and bundled with the demo).
pub const DEMO_PLAN: &str = include_str!("../../../../data/demo/plan.toml");

/// Runs `allot generate`.
pub fn run(args: &GenerateArgs) -> Result<ExitCode, Failure> {
    if args.n_accounts == 0 || args.n_reps == Some(0) {
        return Err(Failure::input(
            "--n-accounts and --n-reps must be at least 1",
        ));
    }
    let spec = spec_of(args);
    spec.validate()
        .map_err(|e| Failure::input(format!("allot generate: {e}")))?;
    let g = generate(&spec);
    write_atomic(&args.out, "accounts.csv", g.accounts_csv.as_bytes())?;
    write_atomic(&args.out, "reps.csv", g.reps_csv.as_bytes())?;
    write_atomic(&args.out, "plan.toml", DEMO_PLAN.as_bytes())?;
    eprintln!(
        "wrote {} accounts and {} reps to {}",
        spec.accounts,
        spec.reps,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The generator's spec from the flags: without --n-reps, the demo's 19 reps, or with
/// `--rep-mix ratio` the roster the seed ratios imply.
pub fn spec_of(args: &GenerateArgs) -> GenSpec {
    let reps = args.n_reps.unwrap_or(match args.rep_mix {
        allot_model::synth::RepMix::Ratio => reps_at_seed_ratios(args.n_accounts),
        allot_model::synth::RepMix::Demo => 19,
    });
    GenSpec {
        accounts: args.n_accounts,
        reps,
        seed: args.seed,
        geography: args.geography,
        shared_office: args.shared_office.clone(),
        rep_mix: args.rep_mix,
        owner_skew: args.owner_skew,
    }
}
