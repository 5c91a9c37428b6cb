//! What changed since the last plan: the roster (leavers, joiners, reps on leave or ramping,
//! FTE and segment changes) and the accounts' tiers (triggers, rules, hysteresis), as a
//! report.md section, tier_changes.csv and summary.json counts.

use std::fmt::Write;

use allot_model::figures::Figures;
use allot_model::roster::{RosterChanges, RosterEntry};
use allot_model::tiers::TierChange;
use allot_model::{Account, Problem};
use serde::Serialize;

use super::markdown::cell;
use super::safe_cell;

/// Tier changes in summary.json.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TierCounts {
    /// Accounts whose tier changes (a trigger fired, or the rules moved them clear of a
    /// threshold).
    pub changed: usize,
    /// Accounts the hysteresis kept in their tier although a rule or trigger pointed away.
    pub held: usize,
    /// Changed accounts per "from → to".
    pub by_move: std::collections::BTreeMap<String, usize>,
}

/// Counts the problem's tier changes.
pub fn tier_counts(p: &Problem) -> TierCounts {
    count_tiers(p.tier_changes.iter().map(|(_, c)| c))
}

/// Counts tier changes (changed, held, and changed per "from → to").
pub fn count_tiers<'a>(changes: impl Iterator<Item = &'a TierChange>) -> TierCounts {
    let mut t = TierCounts::default();
    for c in changes {
        if c.changed {
            t.changed += 1;
            *t.by_move
                .entry(format!("{} → {}", c.from, c.to))
                .or_default() += 1;
        } else {
            t.held += 1;
        }
    }
    t
}

/// tier_changes.csv of a problem (see [`tier_changes_rows_csv`]).
pub fn tier_changes_csv(p: &Problem) -> anyhow::Result<Vec<u8>> {
    tier_changes_rows_csv(
        p.tier_changes
            .iter()
            .map(|(a, c)| (&p.accounts[a.index()], c)),
    )
}

/// tier_changes.csv: account_id, name, from, to, changed, cause — one row per account whose
/// tier changed or was held, in the order given.
pub fn tier_changes_rows_csv<'a>(
    rows: impl Iterator<Item = (&'a Account, &'a TierChange)>,
) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["account_id", "name", "from", "to", "changed", "cause"])?;
    for (acc, c) in rows {
        w.write_record([
            acc.id.clone(),
            safe_cell(&acc.name),
            safe_cell(&c.from),
            safe_cell(&c.to),
            if c.changed { "true" } else { "false" }.to_string(),
            safe_cell(&c.cause),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// The report.md sections "Roster changes" and "Tier changes" (empty when nothing changed).
pub fn markdown(p: &Problem, roster: &RosterChanges, f: &Figures) -> String {
    let mut o = String::new();
    if !roster.is_empty() {
        let index = p.rep_index();
        let mut held = vec![0usize; p.reps.len()];
        for r in p.account_owner.iter().flatten() {
            held[r.index()] += 1;
        }
        let books = |e: &RosterEntry| -> String {
            match index.get(e.rep_id.as_str()) {
                Some(&r) => format!(
                    "{} accounts today → {} after",
                    held[r.index()],
                    f.reps[r.index()].accounts
                ),
                None => "refused in the reps file".into(),
            }
        };
        let _ = writeln!(o, "\n## Roster changes\n");
        if roster.previous_roster {
            let _ = writeln!(o, "Compared with the previous roster (--previous-reps).\n");
        }
        for (title, list) in [
            ("Leaving", &roster.leavers),
            ("Joining", &roster.joiners),
            ("On leave", &roster.on_leave),
            ("Ramping", &roster.ramping),
            ("FTE changes", &roster.fte_changes),
            ("Segment changes", &roster.segment_changes),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(o, "- **{title}** ({}):", list.len());
            for e in list {
                let _ = writeln!(
                    o,
                    "  - {} {} ({}): {}; {}",
                    cell(&e.rep_id),
                    cell(&e.name),
                    cell(&e.segment),
                    cell(&e.detail),
                    books(e)
                );
            }
        }
    }
    if !p.tier_changes.is_empty() {
        let t = tier_counts(p);
        let _ = writeln!(
            o,
            "\n## Tier changes\n\n{} accounts change tier; {} kept in their tier by the hysteresis ({}%). Every one is in tier_changes.csv.\n",
            t.changed, t.held, p.plan.tiers.hysteresis_pct
        );
        for (mv, n) in &t.by_move {
            let _ = writeln!(o, "- {}: {n}", cell(mv));
        }
        let shown: Vec<_> = p.tier_changes.iter().take(20).collect();
        if !shown.is_empty() {
            let _ = writeln!(
                o,
                "\n| account | name | from | to | why |\n|---|---|---|---|---|"
            );
            for (a, c) in shown {
                let acc = &p.accounts[a.index()];
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {} |",
                    cell(&acc.id),
                    cell(&acc.name),
                    cell(&c.from),
                    cell(&c.to),
                    cell(&c.cause)
                );
            }
            if p.tier_changes.len() > 20 {
                let _ = writeln!(
                    o,
                    "\n… and {} more in tier_changes.csv",
                    p.tier_changes.len() - 20
                );
            }
        }
    }
    o
}
