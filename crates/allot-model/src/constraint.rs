//! The constraint model: every rule a plan and its rows can state, as data.
//!
//! A [`Constraint`] is read in several places, each an exhaustive `match` without a
//! catch-all arm, so a new rule does not compile until every reading exists:
//! - [`crate::check`]: the independent checker's verdict on an assignment (one function a rule);
//! - `allot_opt::model`: how the rule enters a segment's model (a pair filter, a per-rep row
//!   or a global row), which the heuristics' move evaluation reads;
//! - `allot_opt::mip`: its rows in the MILP;
//! - `allot_opt::bound`: what it adds to a lower bound;
//! - `allot_opt::diagnose`: the proof, with amounts, that it cannot hold.
//!
//! Objectives only say what to minimise: every stated constraint holds in every objective.

use serde::{Deserialize, Serialize};

use crate::plan::{Metric, Plan};
use crate::rows::{Account, Rep};

/// What a disruption budget counts (also the plan's `[disruption] measure`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Accounts whose owner changes (among accounts that had one).
    #[default]
    Accounts,
    /// Potential of those accounts.
    Potential,
    /// Workload of those accounts (their own accounts.csv workload, whoever takes them).
    Workload,
}

/// Moved totals, one slot per [`Measure`] in [`Measure::ALL`] order.
pub type Moved = [f64; 3];

impl Measure {
    /// Every measure, in slot order.
    pub const ALL: [Measure; 3] = [Measure::Accounts, Measure::Potential, Measure::Workload];

    /// What one unit of the measure is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Measure::Accounts => "accounts",
            Measure::Potential => "potential",
            Measure::Workload => "workload",
        }
    }

    /// Position of the measure in a [`Moved`] array.
    pub fn slot(self) -> usize {
        match self {
            Measure::Accounts => 0,
            Measure::Potential => 1,
            Measure::Workload => 2,
        }
    }

    /// What one account adds to the measure when its owner changes.
    pub fn of(self, a: &Account) -> f64 {
        match self {
            Measure::Accounts => 1.0,
            Measure::Potential => a.potential,
            Measure::Workload => a.workload,
        }
    }
}

/// A disruption budget: the moved measure stays at or below `limit`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Budget {
    /// What is counted.
    pub measure: Measure,
    /// Largest allowed total.
    pub limit: f64,
    /// The plan key that states it, for messages (e.g. `[disruption] max_moves = 500`).
    pub stated: String,
}

/// One rule an assignment must keep.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Constraint {
    /// Every accepted account goes to exactly one rep.
    Coverage,
    /// An account goes only to an active owner-role rep of its segment whose regions and
    /// industries allow it, and (with a pairs file) to a listed pair.
    Eligibility,
    /// A locked account stays with its owner.
    Lock,
    /// An account family (parent_id hierarchy) goes to one rep.
    Family,
    /// No rep above its own cap on the metric (`max_potential`, `max_workload`,
    /// `max_accounts` in reps.csv).
    Cap(Metric),
    /// Every rep within ±`band` (a fraction) of its target on the metric.
    Band {
        /// The balanced metric.
        metric: Metric,
        /// Half-width of the band as a fraction (0.02 = ±2 %).
        band: f64,
    },
    /// The disruption budget.
    Budget(Budget),
    /// No account farther than `max_km` from its rep's home (where both have coordinates).
    Travel {
        /// The cap in great-circle km.
        max_km: f64,
    },
}

impl Constraint {
    /// The rules `plan` states over these rows (the accepted accounts and the roster), in
    /// a fixed order: the structural rules, caps, bands, budgets, the travel cap.
    pub fn stated(plan: &Plan, accounts: &[Account], reps: &[Rep]) -> Vec<Constraint> {
        let mut out = vec![
            Constraint::Coverage,
            Constraint::Eligibility,
            Constraint::Lock,
            Constraint::Family,
        ];
        for m in Metric::ALL {
            if reps.iter().any(|r| r.cap(m).is_some()) {
                out.push(Constraint::Cap(m));
            }
        }
        if plan.balance.hard {
            for &metric in &plan.balance.metrics {
                out.push(Constraint::Band {
                    metric,
                    band: plan.balance.band(),
                });
            }
        }
        let d = &plan.disruption;
        let owned = accounts.iter().filter(|a| a.owner_id.is_some()).count() as f64;
        let owned_total = |m: Measure| -> f64 {
            accounts
                .iter()
                .filter(|a| a.owner_id.is_some())
                .map(|a| m.of(a))
                .sum()
        };
        if let Some(n) = d.max_moves {
            out.push(Constraint::Budget(Budget {
                measure: Measure::Accounts,
                limit: n as f64,
                stated: format!("[disruption] max_moves = {n}"),
            }));
        }
        if let Some(pct) = d.max_moved_pct {
            out.push(Constraint::Budget(Budget {
                measure: Measure::Accounts,
                // Whole accounts: the largest count within the share.
                limit: (pct / 100.0 * owned + 1e-9).floor(),
                stated: format!("[disruption] max_moved_pct = {pct}"),
            }));
        }
        if let Some(pct) = d.max_moved_potential_pct {
            out.push(Constraint::Budget(Budget {
                measure: Measure::Potential,
                limit: pct / 100.0 * owned_total(Measure::Potential),
                stated: format!("[disruption] max_moved_potential_pct = {pct}"),
            }));
        }
        if let Some(pct) = d.max_moved_workload_pct {
            out.push(Constraint::Budget(Budget {
                measure: Measure::Workload,
                limit: pct / 100.0 * owned_total(Measure::Workload),
                stated: format!("[disruption] max_moved_workload_pct = {pct}"),
            }));
        }
        if let Some(max_km) = plan.compactness.max_km {
            out.push(Constraint::Travel { max_km });
        }
        out
    }

    /// Short name of the rule, as in reports and summary.json.
    pub fn name(&self) -> &'static str {
        match self {
            Constraint::Coverage => "coverage",
            Constraint::Eligibility => "eligibility",
            Constraint::Lock => "lock",
            Constraint::Family => "family",
            Constraint::Cap(_) => "cap",
            Constraint::Band { .. } => "band",
            Constraint::Budget(_) => "budget",
            Constraint::Travel { .. } => "travel",
        }
    }

    /// The rule as the user stated it, for messages.
    pub fn describe(&self) -> String {
        match self {
            Constraint::Coverage => "every account on exactly one rep".into(),
            Constraint::Eligibility => {
                "accounts only to eligible reps (segment, role, regions, industries, pairs)".into()
            }
            Constraint::Lock => "locked accounts stay with their owner".into(),
            Constraint::Family => "account families on one rep".into(),
            Constraint::Cap(m) => format!("reps within max_{}", m.name()),
            Constraint::Band { metric, band } => {
                format!(
                    "every rep within ±{}% of target on {}",
                    band * 100.0,
                    metric.name()
                )
            }
            Constraint::Budget(b) => b.stated.clone(),
            Constraint::Travel { max_km } => {
                format!("[compactness] max_km = {max_km}: no account farther from its rep's home")
            }
        }
    }
}
