//! Shared by the fuzz targets: fixed valid inputs, and reading + building with the same
//! accounting checks as crates/allot-model/tests/no_panic.rs.

#![allow(dead_code)]

use std::io::Cursor;

use allot_model::problem::RefusedIds;
use allot_model::{FileNames, Plan, Problem, io};

pub const TINY_ACCOUNTS: &[u8] = include_bytes!("../../tests/fixtures/tiny/accounts.csv");
pub const TINY_REPS: &[u8] = include_bytes!("../../tests/fixtures/tiny/reps.csv");
pub const SF_ACCOUNTS: &[u8] = include_bytes!("../../tests/fixtures/salesforce/accounts.csv");
pub const SF_REPS: &[u8] = include_bytes!("../../tests/fixtures/salesforce/reps.csv");
pub const SF_PLAN: &str = include_str!("../../tests/fixtures/salesforce/plan.toml");

pub const ACCOUNTS: &str = "accounts.csv";
pub const REPS: &str = "reps.csv";
pub const PAIRS: &str = "pairs.csv";

pub fn salesforce_plan() -> Plan {
    Plan::from_toml(SF_PLAN, "plan.toml").expect("the salesforce fixture plan is valid")
}

fn source(bytes: &[u8]) -> Box<dyn std::io::Read> {
    Box::new(Cursor::new(bytes.to_vec()))
}

/// Reads the three files as the CLI does and builds the problem. Every account row must end
/// up accepted or refused exactly once; every pairs-file refusal must name a row the reader
/// accepted.
pub fn read_and_build(accounts: &[u8], reps: &[u8], pairs: Option<&[u8]>, plan: &Plan) {
    let a = io::read_accounts_from(source(accounts), ACCOUNTS, plan);
    let r = io::read_reps_from(source(reps), REPS, plan);
    let p = pairs.map(|p| io::read_pairs_from(source(p), PAIRS, plan));
    for e in [
        a.as_ref().err(),
        r.as_ref().err(),
        p.as_ref().and_then(|p| p.as_ref().err()),
    ]
    .into_iter()
    .flatten()
    {
        assert!(!e.is_empty(), "an Err must say why");
    }
    let (Ok(a), Ok(r)) = (a, r) else { return };
    let p = match p {
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => return,
        None => None,
    };
    let n_accounts = a.rows.len() + a.refused.len();
    let ids = |refused: &[allot_model::Issue]| {
        refused
            .iter()
            .filter(|i| !i.id.is_empty())
            .map(|i| i.id.clone())
            .collect()
    };
    let refused_ids = RefusedIds {
        accounts: ids(&a.refused),
        reps: ids(&r.refused),
    };
    let files = FileNames {
        accounts: ACCOUNTS.into(),
        reps: REPS.into(),
    };
    let pair_rows = p.as_ref().map(|p| p.rows.clone());
    let n_pairs = pair_rows.as_ref().map_or(0, Vec::len);
    let Ok(built) = Problem::build_after_reading(
        a.rows,
        r.rows,
        pair_rows.map(|rows| (PAIRS, rows)),
        plan.clone(),
        &files,
        &refused_ids,
    ) else {
        return;
    };
    let refused_accounts = built.refused.iter().filter(|i| i.file == ACCOUNTS).count();
    assert_eq!(
        built.problem.accounts.len() + refused_accounts + a.refused.len(),
        n_accounts,
        "an account row was lost or counted twice"
    );
    let refused_pairs = built.refused.iter().filter(|i| i.file == PAIRS).count();
    assert!(refused_pairs <= n_pairs, "more pairs refused than read");
    if let Some(map) = &built.problem.pairs {
        assert!(map.len() + refused_pairs <= n_pairs);
        assert!(map.values().all(|(c, w)| c.is_finite() && w.is_finite()));
    }
    // The figures of the built problem must be finite.
    for t in &built.problem.rep_target {
        assert!(t.iter().all(|x| x.is_finite()), "rep target {t:?}");
    }
}
