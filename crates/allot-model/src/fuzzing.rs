//! The bodies of the fuzz targets, one function per target taking the raw input bytes.
//!
//! `fuzz/fuzz_targets/<name>.rs` (libFuzzer, nightly) is a one-line call to the function of
//! the same name, and `crates/allot-model/tests/fuzz_stable.rs` (stable, part of `cargo
//! test`) runs the same functions on deterministic mutations of `fuzz/corpus/<name>/`. A
//! function returns when the input is handled (accepted, or refused with a reason) and panics
//! when a property breaks: every refusal says why, every account row is accepted or refused
//! exactly once, no more pairs are kept or refused than were read, every figure of the built
//! problem is finite. It returns how many problems it built from the input, so that a caller
//! can tell inputs that reached the build from inputs the readers refused.
//!
//! Not part of the library's API: hidden from the docs, may change at any time.

use std::io::Cursor;
use std::sync::OnceLock;

use crate::problem::RefusedIds;
use crate::{FileNames, Issue, Plan, Problem, io};

const TINY_ACCOUNTS: &[u8] = include_bytes!("../../../tests/fixtures/tiny/accounts.csv");
const TINY_REPS: &[u8] = include_bytes!("../../../tests/fixtures/tiny/reps.csv");
const SF_ACCOUNTS: &[u8] = include_bytes!("../../../tests/fixtures/salesforce/accounts.csv");
const SF_REPS: &[u8] = include_bytes!("../../../tests/fixtures/salesforce/reps.csv");
const SF_PLAN: &str = include_str!("../../../tests/fixtures/salesforce/plan.toml");

const ACCOUNTS: &str = "accounts.csv";
const REPS: &str = "reps.csv";
const PAIRS: &str = "pairs.csv";
const PLAN: &str = "plan.toml";

/// A target: takes the input bytes, returns how many problems it built from them.
pub type Target = fn(&[u8]) -> usize;

/// Every target as (name, function): the names of `fuzz/fuzz_targets/*.rs`.
pub const TARGETS: [(&str, Target); 4] = [
    ("accounts_csv", accounts_csv),
    ("reps_csv", reps_csv),
    ("pairs_csv", pairs_csv),
    ("plan_toml", plan_toml),
];

/// The bytes as accounts.csv, with the tiny reps and default plan, then with the Salesforce
/// reps and plan. Returns how many problems were built (0, 1 or 2).
pub fn accounts_csv(data: &[u8]) -> usize {
    read_and_build(data, TINY_REPS, None, &Plan::default())
        + read_and_build(data, SF_REPS, None, salesforce_plan())
}

/// The bytes as reps.csv, with the tiny accounts and default plan, then with the Salesforce
/// accounts and plan. Returns how many problems were built (0, 1 or 2).
pub fn reps_csv(data: &[u8]) -> usize {
    read_and_build(TINY_ACCOUNTS, data, None, &Plan::default())
        + read_and_build(SF_ACCOUNTS, data, None, salesforce_plan())
}

/// The bytes as pairs.csv, with the tiny accounts and reps, under the default and a strict
/// plan. Returns how many problems were built (0, 1 or 2).
pub fn pairs_csv(data: &[u8]) -> usize {
    let strict = Plan {
        strict: true,
        ..Plan::default()
    };
    read_and_build(TINY_ACCOUNTS, TINY_REPS, Some(data), &Plan::default())
        + read_and_build(TINY_ACCOUNTS, TINY_REPS, Some(data), &strict)
}

/// The bytes (lossy UTF-8) as plan.toml; a plan that parses must validate again and build
/// the tiny instance (or refuse it with a reason), a refusal must name the file. Returns how
/// many problems were built (0 or 1).
pub fn plan_toml(data: &[u8]) -> usize {
    let text = String::from_utf8_lossy(data);
    match Plan::from_toml(&text, PLAN) {
        Ok(plan) => {
            plan.validate(PLAN)
                .expect("from_toml returned a plan that does not validate");
            read_and_build(TINY_ACCOUNTS, TINY_REPS, None, &plan)
        }
        Err(e) => {
            assert!(
                e.to_string().starts_with(PLAN),
                "error does not name the file: {e}"
            );
            0
        }
    }
}

/// The plan of the Salesforce fixture, parsed once.
fn salesforce_plan() -> &'static Plan {
    static PLAN_SF: OnceLock<Plan> = OnceLock::new();
    PLAN_SF.get_or_init(|| {
        Plan::from_toml(SF_PLAN, PLAN).expect("the salesforce fixture plan is valid")
    })
}

fn source(bytes: &[u8]) -> Box<dyn std::io::Read> {
    Box::new(Cursor::new(bytes.to_vec()))
}

/// Reads the three files as the CLI does and builds the problem; 1 when a problem was built,
/// 0 when a reader or the build refused the input. Every account row must end up accepted
/// or refused exactly once; no more pairs may be kept or refused than were read.
fn read_and_build(accounts: &[u8], reps: &[u8], pairs: Option<&[u8]>, plan: &Plan) -> usize {
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
    let (Ok(a), Ok(r)) = (a, r) else { return 0 };
    let p = match p {
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => return 0,
        None => None,
    };
    let n_accounts = a.rows.len() + a.refused.len();
    let ids = |refused: &[Issue]| {
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
        return 0;
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
    1
}
