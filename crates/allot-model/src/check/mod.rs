//! The independent feasibility checker.
//!
//! It re-derives everything from the rows (accounts, reps, plan, pairs) and an account →
//! rep map, sharing no code with the engines or with [`crate::Problem`]'s indexing. The
//! rules come from [`Constraint::stated`]; each is read by one function of [`rules`],
//! chosen by an exhaustive `match`, so a new rule cannot compile without its check.

mod facts;
mod rules;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::constraint::Constraint;
use crate::io::PairRow;
use crate::plan::Plan;
use crate::rows::{Account, Rep};

/// Which rule an assignment breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// An account has no rep, or a rep is given for an unknown account.
    Coverage,
    /// The rep does not exist, is leaving or does not own accounts.
    Rep,
    /// The rep covers another segment.
    Segment,
    /// The rep's regions or industries exclude the account, or the pair is not listed.
    Eligibility,
    /// A locked account left its owner.
    Lock,
    /// An account family is split.
    Family,
    /// max_accounts, max_workload or max_potential exceeded.
    Capacity,
    /// A rep is outside the balance band.
    Band,
    /// More moved than the disruption budget allows.
    Budget,
    /// An account is farther from its rep's home than the travel cap.
    Travel,
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// What breaks it.
    pub message: String,
}

/// Checks an assignment (account_id → rep_id) of `accounts` to `reps` against every rule
/// `plan` states (the balance band when `[balance] hard`).
pub fn check(
    accounts: &[Account],
    reps: &[Rep],
    plan: &Plan,
    assignment: &BTreeMap<String, String>,
) -> Vec<Violation> {
    check_with_pairs(accounts, reps, plan, assignment, None)
}

/// As [`check`], when a pairs file restricts the allowed (account, rep) pairs and gives
/// their workloads.
pub fn check_with_pairs(
    accounts: &[Account],
    reps: &[Rep],
    plan: &Plan,
    assignment: &BTreeMap<String, String>,
    pairs: Option<&[PairRow]>,
) -> Vec<Violation> {
    let facts = facts::Facts::new(accounts, reps, plan, assignment, pairs);
    let mut out = Vec::new();
    for c in Constraint::stated(plan, accounts, reps) {
        match &c {
            Constraint::Coverage => rules::coverage(&facts, &mut out),
            Constraint::Eligibility => rules::eligibility(&facts, &mut out),
            Constraint::Lock => rules::lock(&facts, &mut out),
            Constraint::Family => rules::family(&facts, &mut out),
            Constraint::Cap(m) => rules::cap(&facts, *m, &mut out),
            Constraint::Band { metric, band } => rules::band(&facts, *metric, *band, &mut out),
            Constraint::Budget(b) => rules::budget(&facts, b, &mut out),
            Constraint::Travel { max_km } => rules::travel(&facts, *max_km, &mut out),
        }
    }
    out
}
