//! The `allot` command line: clap commands, output files (CSV, JSON, Markdown) and exit
//! codes. Library crates never print; this one talks to the terminal. `main` delegates to
//! [`run`], which turns arguments into a run and a [`std::process::ExitCode`].

pub mod args;
pub mod commands;
pub mod decisions;
pub mod diagnosis;
pub mod failure;
pub mod load;
pub mod progress;
pub mod report;
pub mod signals;
pub mod term;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use failure::Failure;

/// Entry point of the binary: parses arguments, runs, prints failures, returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(failure::EXIT_INPUT)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if let Err(e) = term::init(cli.quiet, cli.log_format) {
        eprintln!("error: {e}");
        return ExitCode::from(failure::EXIT_INPUT);
    }
    match run(&cli) {
        Ok(code) => code,
        Err(f) => {
            tracing::error!(code = f.code, "{f}");
            ExitCode::from(f.code)
        }
    }
}

/// Runs one command.
pub fn run(cli: &Cli) -> Result<ExitCode, Failure> {
    match &cli.command {
        Command::Demo(a) => commands::demo::run(a),
        Command::Balance(a) => commands::balance::run_solve(a, None, "balance"),
        Command::Rebalance(a) => {
            commands::balance::run_solve(a, Some(allot_model::Objective::Rebalance), "rebalance")
        }
        Command::Plan(a) => commands::capacity::run(a),
        Command::Evaluate(a) => commands::evaluate::run(a),
        Command::Compare(a) => commands::compare::run(a),
        Command::Frontier(a) => commands::frontier::run(a),
        Command::Generate(a) => commands::generate::run(a),
        Command::Init(a) => commands::init::run(a),
        Command::Bench(a) => commands::bench::run(a),
        Command::Completions(a) => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            clap_complete::generate(a.shell, &mut cmd, "allot", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}
