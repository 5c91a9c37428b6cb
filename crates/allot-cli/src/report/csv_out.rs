//! assignments.csv, territories.csv, rejects.csv and plan.csv.

use allot_model::figures::Figures;
use allot_model::{Issue, Problem, ReasonCode, RepIdx};

use super::{pct, safe_cell};

/// A CSV writer with CRLF line ends (what Excel and CRM importers expect).
pub(crate) fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

/// The bytes written by `w`.
pub(crate) fn finish(w: csv::Writer<Vec<u8>>) -> anyhow::Result<Vec<u8>> {
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("writing CSV: {e}"))
}

/// Why each account sits where it does: its code (`codes`, see [`allot_model::reason_codes`])
/// and one sentence in words.
pub fn reasons(
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    codes: &[ReasonCode],
) -> Vec<(ReasonCode, String)> {
    let mut out = Vec::with_capacity(p.accounts.len());
    for (i, a) in p.accounts.iter().enumerate() {
        let u = p.account_unit[i];
        let prev = a.owner_id.as_deref().unwrap_or("");
        let segment = &p.segments[p.account_segment[i].index()].name;
        let to = account_rep[i]
            .map(|r| p.reps[r.index()].id.as_str())
            .unwrap_or("");
        let mut r = match codes[i] {
            ReasonCode::Locked => "locked to owner".to_string(),
            ReasonCode::WhiteSpace => "white space: assigned for balance".to_string(),
            ReasonCode::Kept => "kept with current owner".to_string(),
            ReasonCode::RepLeaving if p.account_owner[i].is_none() => {
                format!("moved: previous owner {prev} is not on the roster")
            }
            ReasonCode::RepLeaving => format!("moved: {prev} is leaving"),
            ReasonCode::TierChange => format!("moved: {prev} does not cover segment {segment}"),
            ReasonCode::Eligibility => {
                format!("moved: {prev} may not cover this account's region or industry")
            }
            ReasonCode::Compactness
                if p.account_owner[i].is_some_and(|o| !p.within_travel_cap(u, o)) =>
            {
                format!("moved: beyond the travel cap from {prev}'s home")
            }
            ReasonCode::Compactness => format!("moved to {to} for shorter travel"),
            ReasonCode::Family => format!("moved with its family to {to}"),
            ReasonCode::Capacity => format!("moved: {prev}'s book breaks a cap"),
            ReasonCode::NewRep => format!("moved to {to}'s new territory"),
            ReasonCode::Balance => "moved for balance".to_string(),
            ReasonCode::Decision if to != prev => format!("moved to {to} by a planner's decision"),
            ReasonCode::Decision => "kept by a planner's decision".to_string(),
        };
        let members = p.units.members(u);
        if members.len() > 1 {
            let head = &p.accounts[members[0].index()].id;
            if *head != a.id {
                r.push_str(&format!("; with its family ({head})"));
            } else {
                r.push_str(&format!("; heads a family of {}", members.len()));
            }
        }
        if !p.account_note[i].is_empty() {
            r.push_str("; ");
            r.push_str(&p.account_note[i]);
        }
        out.push((codes[i], r));
    }
    out
}

/// assignments.csv: one row per accepted account, by account_id (the same bytes whatever the
/// order of the input rows). Ids are written exactly as read; segment and reason are protected
/// with [`safe_cell`].
pub fn assignments(
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    codes: &[ReasonCode],
) -> anyhow::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record([
        "account_id",
        "rep_id",
        "previous_rep_id",
        "segment",
        "moved",
        "reason_code",
        "reason",
    ])?;
    let why = reasons(p, account_rep, codes);
    for (i, a) in p.accounts.iter().enumerate() {
        let rep = account_rep[i]
            .map(|r| p.reps[r.index()].id.as_str())
            .unwrap_or("");
        let prev = a.owner_id.as_deref().unwrap_or("");
        let moved = p.account_had_owner[i] && account_rep[i] != p.account_owner[i];
        w.write_record([
            a.id.clone(),
            rep.to_string(),
            prev.to_string(),
            safe_cell(&p.segments[p.account_segment[i].index()].name),
            moved.to_string(),
            why[i].0.as_str().to_string(),
            safe_cell(&why[i].1),
        ])?;
    }
    finish(w)
}

/// territories.csv: one row per rep with loads, targets, deviations, distance and utilisation.
pub fn territories(p: &Problem, f: &Figures) -> anyhow::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record([
        "rep_id",
        "name",
        "segment",
        "status",
        "fte",
        "accounts",
        "potential",
        "workload",
        "target_accounts",
        "target_potential",
        "target_workload",
        "deviation_accounts_pct",
        "deviation_potential_pct",
        "deviation_workload_pct",
        "mean_km",
        "utilisation_pct",
        "within_band",
    ])?;
    let band = p.plan.balance.band();
    for (r, rep) in p.reps.iter().enumerate() {
        let fr = &f.reps[r];
        let takes = p.rep_segment[r].is_some();
        let within = !takes
            || p.plan
                .balance
                .metrics
                .iter()
                .all(|m| fr.deviation[m.slot()].abs() <= band + 1e-9);
        let opt = |x: Option<f64>, d: usize| x.map(|v| format!("{v:.d$}")).unwrap_or_default();
        w.write_record([
            rep.id.clone(),
            safe_cell(&rep.name),
            safe_cell(&rep.segment),
            rep.status.name().into(),
            format!("{}", rep.fte),
            fr.accounts.to_string(),
            format!("{:.2}", fr.load[0]),
            format!("{:.2}", fr.load[1]),
            format!("{:.2}", fr.target[2]),
            format!("{:.2}", fr.target[0]),
            format!("{:.2}", fr.target[1]),
            if takes {
                pct(fr.deviation[2])
            } else {
                String::new()
            },
            if takes {
                pct(fr.deviation[0])
            } else {
                String::new()
            },
            if takes {
                pct(fr.deviation[1])
            } else {
                String::new()
            },
            opt(fr.mean_km, 1),
            opt(fr.utilisation.map(|u| u * 100.0), 1),
            within.to_string(),
        ])?;
    }
    finish(w)
}

/// rejects.csv: every refused row with file, row, column and reason.
pub fn rejects(refused: &[Issue]) -> anyhow::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(["file", "row", "id", "column", "reason", "hint"])?;
    // File by file, in row order (the checks find problems in several passes).
    let mut files: Vec<&str> = Vec::new();
    for i in refused {
        if !files.contains(&i.file.as_str()) {
            files.push(&i.file);
        }
    }
    let mut sorted: Vec<&Issue> = refused.iter().collect();
    sorted.sort_by_key(|i| (files.iter().position(|f| *f == i.file), i.line));
    for i in sorted {
        w.write_record([
            safe_cell(&i.file),
            i.line.to_string(),
            i.id.clone(),
            safe_cell(&i.column),
            safe_cell(&i.message),
            safe_cell(&i.hint),
        ])?;
    }
    finish(w)
}

/// One row of the capacity plan.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PlanRow {
    /// Segment (or supporting role) name.
    pub segment: String,
    /// "owner" for a segment's account executives, else the supporting role.
    pub role: String,
    /// Accounts covered.
    pub accounts: usize,
    /// Their potential.
    pub potential: f64,
    /// Accounts per rep.
    pub ratio: Option<f64>,
    /// accounts / ratio.
    pub fte_needed: Option<f64>,
    /// fte_needed rounded by the plan's policy.
    pub headcount_needed: Option<f64>,
    /// Active reps of the role on the roster.
    pub headcount_on_roster: usize,
    /// Their FTE.
    pub fte_on_roster: f64,
    /// headcount_on_roster − headcount_needed (negative = short).
    pub gap: Option<f64>,
}

/// plan.csv.
pub fn plan_csv(rows: &[PlanRow], rounding: &str) -> anyhow::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record([
        "segment",
        "role",
        "accounts",
        "potential",
        "ratio",
        "fte_needed",
        "headcount_needed",
        "rounding",
        "headcount_on_roster",
        "fte_on_roster",
        "gap",
    ])?;
    let o = |x: Option<f64>, d: usize| x.map(|v| format!("{v:.d$}")).unwrap_or_default();
    for r in rows {
        w.write_record([
            safe_cell(&r.segment),
            safe_cell(&r.role),
            r.accounts.to_string(),
            format!("{:.2}", r.potential),
            o(r.ratio, 2),
            o(r.fte_needed, 2),
            o(r.headcount_needed, 0),
            rounding.to_string(),
            r.headcount_on_roster.to_string(),
            format!("{:.2}", r.fte_on_roster),
            o(r.gap, 0),
        ])?;
    }
    finish(w)
}
