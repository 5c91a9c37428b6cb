//! Failures that end a run, each with its exit code.

use std::fmt;

use allot_model::Issue;

/// Exit code: bad input or configuration.
pub const EXIT_INPUT: u8 = 1;
/// Exit code: infeasible.
pub const EXIT_INFEASIBLE: u8 = 2;
/// Exit code: time limit before any feasible solution.
pub const EXIT_TIME_LIMIT: u8 = 3;
/// Exit code: interrupted (SIGINT/SIGTERM), best solution written.
pub const EXIT_INTERRUPTED: u8 = 130;

/// A run that cannot complete, with the message for the user and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: u8,
    /// What went wrong and how to fix it (may span lines).
    pub message: String,
}

impl Failure {
    /// Bad input or configuration (exit 1).
    pub fn input(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_INPUT,
            message: message.into(),
        }
    }

    /// Every input issue, one per line (exit 1).
    pub fn issues(issues: &[Issue]) -> Failure {
        const SHOWN: usize = 50;
        let mut msg = format!("{} problem(s) in the input:", issues.len());
        for i in issues.iter().take(SHOWN) {
            msg.push_str("\n  ");
            msg.push_str(&i.to_string());
        }
        if issues.len() > SHOWN {
            msg.push_str(&format!("\n  … and {} more", issues.len() - SHOWN));
        }
        Failure::input(msg)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure {
            code: EXIT_INPUT,
            message: format!("{e:#}"),
        }
    }
}
