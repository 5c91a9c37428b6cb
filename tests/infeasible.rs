//! Infeasible plans: exit 2, no assignments.csv, and a message that names the segment, the
//! binding constraint (capacity, locks, bands, disruption budget) and by how much it is
//! missed. Built from the tiny fixture with one change each.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The tiny fixture's file `name` with `from` replaced by `to` (which must occur), written
/// into `dir`.
fn tiny_with(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let text = read_text(&fixture(&format!("tiny/{name}")));
    assert!(text.contains(from), "tiny/{name} has no {from:?}");
    let path = dir.join(name);
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write input");
    path
}

/// Runs `command` and checks exit 2, no assignments.csv, status infeasible; returns stderr.
fn infeasible(command: &str, accounts: &Path, reps: &Path, plan: &Path, out: &Path) -> String {
    let o = run_solve(command, accounts, reps, Some(plan), out, &[]);
    assert_code(&o, 2, command);
    assert!(
        !out.join("assignments.csv").exists(),
        "no assignments.csv for an infeasible plan"
    );
    assert_eq!(summary(out)["status"], "infeasible");
    stderr(&o)
}

#[test]
fn capacity_short_names_the_segment_and_the_shortfall() {
    let dir = tempdir();
    let err = infeasible(
        "balance",
        &fixture("infeasible/accounts.csv"),
        &fixture("infeasible/reps.csv"),
        &fixture("infeasible/plan.toml"),
        &dir.path().join("out"),
    );
    assert!(
        err.contains("segment growth: capacity")
            && err.contains("add up to 4")
            && err.contains("6 accounts (2 short)"),
        "{err}"
    );
}

#[test]
fn locks_beyond_a_cap_name_the_rep_and_the_excess() {
    let dir = tempdir();
    // A04 is locked to R1; R1 may now hold no account at all.
    let reps = tiny_with(
        dir.path(),
        "reps.csv",
        "R1,Ada Park,mid-market,,40.7128,-74.0060,1,,",
        "R1,Ada Park,mid-market,,40.7128,-74.0060,1,0,",
    );
    let err = infeasible(
        "balance",
        &fixture("tiny/accounts.csv"),
        &reps,
        &fixture("tiny/plan.toml"),
        &dir.path().join("out"),
    );
    assert!(
        err.contains("segment mid-market: locks: 1 accounts are locked to R1")
            && err.contains("max_accounts is 0 (1 over)"),
        "{err}"
    );
}

#[test]
fn locks_beyond_the_band_name_the_rep_metric_and_excess() {
    let dir = tempdir();
    // A04 (locked to R1) now carries 200,000 of 470,000 potential: R1's target is 156,667.
    let accounts = tiny_with(
        dir.path(),
        "accounts.csv",
        "A04, Contoso Bank ,mid-market,600,30000",
        "A04, Contoso Bank ,mid-market,600,200000",
    );
    let err = infeasible(
        "rebalance",
        &accounts,
        &fixture("tiny/reps.csv"),
        &fixture("tiny/plan.toml"),
        &dir.path().join("out"),
    );
    assert!(
        err.contains("segment mid-market: locks: accounts locked to R1 already put it +27.66% from target on potential")
            && err.contains("±5.00% band (22.66 points over)"),
        "{err}"
    );
}

#[test]
fn a_disruption_budget_below_the_fewest_moves_is_proven_infeasible() {
    let dir = tempdir();
    // The tiny rebalance at ±5 % needs exactly 2 moves.
    let plan = |budget: u32| {
        let p = dir.path().join(format!("plan{budget}.toml"));
        let text = read_text(&fixture("tiny/plan.toml"));
        std::fs::write(&p, format!("{text}\n[disruption]\nmax_moves = {budget}\n"))
            .expect("write plan");
        p
    };
    let (a, r) = (fixture("tiny/accounts.csv"), fixture("tiny/reps.csv"));
    let err = infeasible("rebalance", &a, &r, &plan(1), &dir.path().join("out1"));
    assert!(
        err.contains("disruption budget: [disruption] max_moves = 1 lets 1 account move")
            && err.contains("moves fewer than 2 (1 over"),
        "{err}"
    );
    // A budget of 2 is met.
    let out = dir.path().join("out2");
    let o = run_solve("rebalance", &a, &r, Some(&plan(2)), &out, &[]);
    assert_code(&o, 0, "rebalance with max_moves = 2");
    let c = check(&Spec::new(&a, &r, &out).band(5.0).hard());
    assert_eq!(c.rows.iter().filter(|x| x.moved).count(), 2);
}
