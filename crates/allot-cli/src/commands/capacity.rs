//! `allot plan`: the coverage and capacity plan — FTE and headcount each segment (and each
//! supporting role) needs at its accounts-per-rep ratio, against the roster.

use std::collections::BTreeMap;
use std::process::ExitCode;

use allot_model::economics::{EconomicsReport, economics};
use allot_model::plan::segment_key;
use allot_model::{FileNames, Plan, io};

use crate::args::{InputArgs, SolverFlags};
use crate::failure::Failure;
use crate::report::csv_out::{PlanRow, plan_csv};
use crate::report::write_atomic;

/// Computes the capacity plan from account rows and rep rows.
pub fn capacity_rows(
    plan: &Plan,
    accounts: &[allot_model::Account],
    reps: &[allot_model::Rep],
) -> Vec<PlanRow> {
    // Accounts and potential per segment (own segment; families do not change headcount much).
    let mut order: Vec<String> = plan.segments.iter().map(|s| s.name.clone()).collect();
    let mut per: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for a in accounts {
        let Some(seg) = plan.segment_for(a) else {
            continue;
        };
        let key = segment_key(&seg);
        if !per.contains_key(&key) && !order.iter().any(|o| segment_key(o) == key) {
            order.push(seg.clone());
        }
        let e = per.entry(key).or_default();
        e.0 += 1;
        e.1 += a.potential;
    }
    // Every rep who holds a book counts: on leave, new and ramping too.
    let active = |r: &&allot_model::Rep| r.status.holds_book();
    let mut rows = Vec::new();
    for name in &order {
        let (n, pot) = per.get(&segment_key(name)).copied().unwrap_or_default();
        let ratio = plan
            .segments
            .iter()
            .find(|s| segment_key(&s.name) == segment_key(name))
            .and_then(|s| s.ratio);
        let roster: Vec<&allot_model::Rep> = reps
            .iter()
            .filter(active)
            .filter(|r| r.is_owner_role() && segment_key(&r.segment) == segment_key(name))
            .collect();
        rows.push(row(plan, name, "owner", n, pot, ratio, &roster));
    }
    for role in &plan.roles {
        let keys: Vec<String> = role.covers.iter().map(|c| segment_key(c)).collect();
        let (n, pot) = keys
            .iter()
            .filter_map(|k| per.get(k))
            .fold((0, 0.0), |(a, b), (c, d)| (a + c, b + d));
        let roster: Vec<&allot_model::Rep> = reps
            .iter()
            .filter(active)
            .filter(|r| r.role.trim().eq_ignore_ascii_case(role.name.trim()))
            .collect();
        rows.push(row(
            plan,
            &role.covers.join("+"),
            &role.name,
            n,
            pot,
            Some(role.ratio),
            &roster,
        ));
    }
    rows
}

/// The lines of the capacity plan that have a ratio, for the `headcount_vs_ratio` red flag.
pub fn headcount_lines(rows: &[PlanRow]) -> Vec<allot_model::flags::Headcount> {
    rows.iter()
        .filter_map(|r| {
            Some(allot_model::flags::Headcount {
                segment: r.segment.clone(),
                role: (r.role != "owner").then(|| r.role.clone()),
                accounts: r.accounts,
                ratio: r.ratio?,
                fte_needed: r.fte_needed?,
                headcount_needed: r.headcount_needed?,
                headcount_on_roster: r.headcount_on_roster,
                fte_on_roster: r.fte_on_roster,
            })
        })
        .collect()
}

fn row(
    plan: &Plan,
    segment: &str,
    role: &str,
    n: usize,
    pot: f64,
    ratio: Option<f64>,
    roster: &[&allot_model::Rep],
) -> PlanRow {
    let fte = ratio.map(|r| n as f64 / r);
    let head = fte.map(|f| plan.capacity.rounding.apply(f));
    PlanRow {
        segment: segment.to_string(),
        role: role.to_string(),
        accounts: n,
        potential: pot,
        ratio,
        fte_needed: fte,
        headcount_needed: head,
        headcount_on_roster: roster.len(),
        fte_on_roster: roster.iter().fold(0.0, |a, r| a + r.fte),
        gap: head.map(|h| roster.len() as f64 - h),
    }
}

/// Runs `allot plan`.
pub fn run(input: &InputArgs) -> Result<ExitCode, Failure> {
    let plan = read_plan_only(input)?;
    let (rows, econ) = write_plan_outputs(input, &plan)?;
    let rounding = rounding_name(&plan);
    print!("{}", table(&rows, &rounding));
    print!("{}", crate::report::economics::table(&econ));
    for n in &econ.notes {
        tracing::info!("note: {n}");
    }
    tracing::info!(
        "wrote {} and {}",
        input.out.join("plan.csv").display(),
        input.out.join("economics.csv").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The rounding policy's name, as plan.csv states it.
fn rounding_name(plan: &Plan) -> String {
    format!("{:?}", plan.capacity.rounding).to_lowercase()
}

/// Reads the rows under `plan`, writes plan.csv, economics.csv and rejects.csv (or removes a
/// stale one) to `input.out`, and returns the capacity rows and the economics. Shared by
/// `plan`, `demo` and `compare`.
pub fn write_plan_outputs(
    input: &InputArgs,
    plan: &Plan,
) -> Result<(Vec<PlanRow>, EconomicsReport), Failure> {
    let files = FileNames {
        accounts: input.accounts.display().to_string(),
        reps: input.reps.display().to_string(),
    };
    let accounts = io::read_accounts(&input.accounts, &files.accounts, plan)
        .map_err(|e| Failure::issues(&e))?;
    let reps = io::read_reps(&input.reps, &files.reps, plan).map_err(|e| Failure::issues(&e))?;
    let mut refused = accounts.refused.clone();
    refused.extend(reps.refused.iter().cloned());
    if plan.strict && !refused.is_empty() {
        return Err(Failure::issues(&refused));
    }
    let rows = capacity_rows(plan, &accounts.rows, &reps.rows);
    write_tier_changes(&input.out, plan, &accounts.rows)?;
    let econ = economics(plan, &accounts.rows, &reps.rows);
    write_atomic(
        &input.out,
        "plan.csv",
        &plan_csv(&rows, &rounding_name(plan))?,
    )?;
    write_atomic(
        &input.out,
        "economics.csv",
        &crate::report::economics::csv(&econ)?,
    )?;
    if refused.is_empty() {
        crate::report::remove_stale(&input.out, "rejects.csv");
    } else {
        write_atomic(
            &input.out,
            "rejects.csv",
            &crate::report::csv_out::rejects(&refused)?,
        )?;
        tracing::info!(
            "{} row(s) refused; see {}",
            refused.len(),
            input.out.join("rejects.csv").display()
        );
    }
    Ok((rows, econ))
}

/// Lists who changes tier and why (tier_changes.csv, a line per move on stderr).
fn write_tier_changes(
    out: &std::path::Path,
    plan: &Plan,
    accounts: &[allot_model::Account],
) -> Result<(), Failure> {
    let mut sorted: Vec<&allot_model::Account> = accounts.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let changes: Vec<(&allot_model::Account, allot_model::tiers::TierChange)> = sorted
        .into_iter()
        .filter_map(|a| Some((a, allot_model::tiers::resolve(plan, a).change?)))
        .collect();
    if changes.is_empty() {
        crate::report::remove_stale(out, "tier_changes.csv");
        return Ok(());
    }
    let bytes =
        crate::report::changes::tier_changes_rows_csv(changes.iter().map(|(a, c)| (*a, c)))?;
    write_atomic(out, "tier_changes.csv", &bytes)?;
    let t = crate::report::changes::count_tiers(changes.iter().map(|(_, c)| c));
    tracing::info!(
        "{} account(s) change tier, {} kept in their tier by the hysteresis; see {}",
        t.changed,
        t.held,
        out.join("tier_changes.csv").display()
    );
    for (mv, n) in &t.by_move {
        tracing::info!("  {mv}: {n}");
    }
    Ok(())
}

fn read_plan_only(input: &InputArgs) -> Result<Plan, Failure> {
    crate::load::read_plan(input.plan.as_deref(), &SolverFlags::default())
}

/// The capacity plan as a text table.
pub fn table(rows: &[PlanRow], rounding: &str) -> String {
    let mut s = format!(
        "{:<24} {:<8} {:>9} {:>14} {:>7} {:>10} {:>9} {:>8} {:>6}\n",
        "segment",
        "role",
        "accounts",
        "potential",
        "ratio",
        "fte_needed",
        "headcount",
        "roster",
        "gap"
    );
    let total_pot: f64 = rows
        .iter()
        .filter(|r| r.role == "owner")
        .map(|r| r.potential)
        .sum();
    for r in rows {
        s.push_str(&format!(
            "{:<24} {:<8} {:>9} {:>14.0} {:>7} {:>10} {:>9} {:>8} {:>6}\n",
            r.segment,
            r.role,
            r.accounts,
            r.potential,
            r.ratio
                .map(|x| format!("{x}"))
                .unwrap_or_else(|| "-".into()),
            r.fte_needed
                .map(|x| format!("{x:.2}"))
                .unwrap_or_else(|| "-".into()),
            r.headcount_needed
                .map(|x| format!("{x:.0}"))
                .unwrap_or_else(|| "-".into()),
            r.headcount_on_roster,
            r.gap
                .map(|x| format!("{x:+.0}"))
                .unwrap_or_else(|| "-".into()),
        ));
    }
    s.push_str(&format!(
        "total potential ${:.1}M; headcount rounded by {rounding}; gap = roster − needed\n",
        total_pot / 1e6
    ));
    s
}
