//! `allot init`: writes the commented default plan.

use std::process::ExitCode;

use crate::args::InitArgs;
use crate::failure::Failure;

/// Runs `allot init`.
pub fn run(args: &InitArgs) -> Result<ExitCode, Failure> {
    if args.out.exists() && !args.force {
        return Err(Failure::input(format!(
            "{} exists; pass --force to overwrite it",
            args.out.display()
        )));
    }
    let dir = args
        .out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = args
        .out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("plan.toml");
    crate::report::write_atomic(dir, name, allot_model::plan::COMMENTED_PLAN.as_bytes())?;
    tracing::info!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
