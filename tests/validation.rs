//! Input validation end to end: every fixture under tests/fixtures/bad has exactly one
//! defect. Without `strict`, the bad row goes to rejects.csv naming the right column and
//! the rest is assigned (checked by the independent checker); with `strict = true` the run
//! fails with exit 1 naming file, row and column. File-level problems fail with exit 1 and
//! name the file (and the column when one is missing). No run may panic.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Which input file carries the defect.
#[derive(Clone, Copy, Debug)]
enum Which {
    Accounts,
    Reps,
}

/// One row-level defect: the file, and the (row, column) pairs it must refuse.
struct Case {
    which: Which,
    file: &'static str,
    refused: &'static [(u64, &'static str)],
}

/// How many row-level cases [`CASES`] lists (checked when compiling); the loops below assert
/// that they ran them all.
const ROW_CASES: usize = 22;
const _: () = assert!(CASES.len() == ROW_CASES);

const CASES: &[Case] = &[
    Case {
        which: Which::Accounts,
        file: "accounts_not_a_number.csv",
        refused: &[(4, "potential")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_nan.csv",
        refused: &[(6, "workload")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_inf.csv",
        refused: &[(8, "employees")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_negative.csv",
        refused: &[(3, "potential")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_lat_out_of_range.csv",
        refused: &[(9, "lat")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_lon_out_of_range.csv",
        refused: &[(8, "lon")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_duplicate_id.csv",
        refused: &[(9, "account_id")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_unknown_owner.csv",
        refused: &[(6, "owner_id")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_unknown_parent.csv",
        refused: &[(3, "parent_id")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_self_parent.csv",
        refused: &[(9, "parent_id")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_parent_cycle.csv",
        refused: &[(6, "parent_id"), (8, "parent_id")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_locked_no_owner.csv",
        refused: &[(9, "locked")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_segment_without_rep.csv",
        refused: &[(9, "segment")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_lat_200.csv",
        refused: &[(6, "lat")],
    },
    Case {
        which: Which::Accounts,
        file: "accounts_long_field.csv",
        refused: &[(4, "name")],
    },
    Case {
        // Excel "CSV" in a European locale: UTF-8 BOM, CRLF, ';' delimiter, decimal commas,
        // a quoted name with a line break; B07 (spreadsheet row 8) has text as potential.
        which: Which::Accounts,
        file: "accounts_excel_semicolon.csv",
        refused: &[(8, "potential")],
    },
    Case {
        // B07's name opens a quote it never closes: B08 is swallowed into it.
        which: Which::Accounts,
        file: "accounts_unclosed_quote.csv",
        refused: &[(8, "name")],
    },
    Case {
        which: Which::Reps,
        file: "reps_fte_zero.csv",
        refused: &[(5, "fte")],
    },
    Case {
        which: Which::Reps,
        file: "reps_duplicate_id.csv",
        refused: &[(6, "rep_id")],
    },
    Case {
        which: Which::Reps,
        file: "reps_segment_without_accounts.csv",
        refused: &[(6, "segment")],
    },
    Case {
        which: Which::Reps,
        file: "reps_negative_cap.csv",
        refused: &[(4, "max_accounts")],
    },
    Case {
        which: Which::Reps,
        file: "reps_lat_out_of_range.csv",
        refused: &[(3, "lat")],
    },
];

fn bad(name: &str) -> PathBuf {
    fixture(&format!("bad/{name}"))
}

fn inputs(case: &Case) -> (PathBuf, PathBuf) {
    match case.which {
        Which::Accounts => (bad(case.file), bad("reps.csv")),
        Which::Reps => (bad("accounts.csv"), bad(case.file)),
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

/// Runs `allot balance` on the valid base of the bad fixtures.
fn balance_bad_base(out: &Path, extra: &[&str]) -> std::process::Output {
    run_solve(
        "balance",
        &bad("accounts.csv"),
        &bad("reps.csv"),
        Some(&bad("plan.toml")),
        out,
        extra,
    )
}

#[test]
fn base_instance_of_the_bad_fixtures_is_valid() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let o = balance_bad_base(&out, &[]);
    assert_code(&o, 0, "balance the valid base instance");
    assert!(
        !out.join("rejects.csv").exists(),
        "the base instance has no bad row"
    );
    let c = check(&Spec::new(&bad("accounts.csv"), &bad("reps.csv"), &out).soft());
    assert_eq!(c.rows.len(), 8);
}

/// One bad-fixture case as run: its inputs, output folder and the process output.
struct CaseRun {
    accounts: PathBuf,
    reps: PathBuf,
    out: PathBuf,
    output: std::process::Output,
}

impl CaseRun {
    /// The input file that carries the defect.
    fn defect(&self, case: &Case) -> &PathBuf {
        match case.which {
            Which::Accounts => &self.accounts,
            Which::Reps => &self.reps,
        }
    }
}

/// Runs `allot balance` on a case with the given plan of the bad fixtures; records a failure
/// and returns None when the exit code is not `want`.
fn run_case(
    case: &Case,
    dir: &Path,
    plan: &str,
    want: i32,
    failures: &mut Vec<String>,
) -> Option<CaseRun> {
    let (accounts, reps) = inputs(case);
    let out = dir.join(case.file);
    let output = run_solve("balance", &accounts, &reps, Some(&bad(plan)), &out, &[]);
    if code(&output) != want {
        failures.push(format!(
            "{}: exit {}, expected {want}\n{}",
            case.file,
            code(&output),
            stderr(&output)
        ));
        return None;
    }
    Some(CaseRun {
        accounts,
        reps,
        out,
        output,
    })
}

/// Runs every row-level case without strict; collects every failure before failing, so one
/// product bug does not hide the others.
#[test]
fn bad_rows_go_to_rejects_and_the_rest_is_assigned() {
    let dir = tempdir();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in CASES {
        let Some(r) = run_case(case, dir.path(), "plan.toml", 0, &mut failures) else {
            continue;
        };
        checked += 1;
        let (accounts, reps, defect, out) = (&r.accounts, &r.reps, r.defect(case), &r.out);
        let rejects = read_rejects(out);
        let mut got: Vec<(String, u64, String)> = rejects
            .iter()
            .map(|r| (file_name(Path::new(&r.file)), r.row, r.column.clone()))
            .collect();
        got.sort();
        let mut missing = Vec::new();
        for (row, col) in case.refused {
            let hit = rejects.iter().any(|r| {
                names_file(&r.file, defect)
                    && r.row == *row
                    && r.column.split([';', ' ', '[']).any(|c| c.trim() == *col)
            });
            if !hit {
                missing.push(format!("row {row} column {col}"));
            }
        }
        if !missing.is_empty() {
            failures.push(format!(
                "{}: rejects.csv lacks {}; it has {got:?}",
                case.file,
                missing.join(", ")
            ));
        }
        for r in &rejects {
            if r.hint.trim().len() < 10 || r.reason.trim().is_empty() {
                failures.push(format!(
                    "{}: rejects.csv row {} ({}) lacks a reason or a fix hint: {:?} / {:?}",
                    case.file, r.row, r.column, r.reason, r.hint
                ));
            }
        }
        if rejects.len() != case.refused.len() {
            failures.push(format!(
                "{}: exactly {} row(s) have the defect, but rejects.csv refuses {}: {got:?}",
                case.file,
                case.refused.len(),
                rejects.len()
            ));
        }
        let result = std::panic::catch_unwind(|| check(&Spec::new(accounts, reps, out).soft()));
        if let Err(e) = result {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: checker: {msg}", case.file));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(checked, ROW_CASES, "row-level cases run to the end");
}

#[test]
fn strict_plan_fails_on_any_bad_row_naming_file_row_and_column() {
    let dir = tempdir();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in CASES {
        let Some(r) = run_case(case, dir.path(), "plan_strict.toml", 1, &mut failures) else {
            continue;
        };
        checked += 1;
        let (defect, out, o) = (r.defect(case), &r.out, &r.output);
        let err = stderr(o);
        let name = file_name(defect);
        for (row, col) in case.refused {
            let named = err
                .lines()
                .any(|l| l.contains(&name) && l.contains(&format!("row {row}")) && l.contains(col));
            if !named {
                failures.push(format!(
                    "{}: stderr has no line naming {name}, row {row} and column {col}:\n{err}",
                    case.file
                ));
            }
        }
        if out.join("assignments.csv").exists() {
            failures.push(format!(
                "{}: strict failure wrote assignments.csv",
                case.file
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(checked, ROW_CASES, "row-level cases run to the end");
}

/// A file-level problem: inputs, plan, and what stderr must name.
struct FileCase {
    what: &'static str,
    accounts: PathBuf,
    reps: PathBuf,
    plan: PathBuf,
    names: Vec<String>,
}

fn file_cases() -> Vec<FileCase> {
    let c = |what, a: &str, r: &str, p: &str, names: &[&str]| FileCase {
        what,
        accounts: bad(a),
        reps: bad(r),
        plan: bad(p),
        names: names.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        c(
            "accounts.csv without an account_id column",
            "accounts_missing_id_column.csv",
            "reps.csv",
            "plan.toml",
            &["accounts_missing_id_column.csv", "account_id"],
        ),
        c(
            "reps.csv without a segment column",
            "accounts.csv",
            "reps_missing_segment_column.csv",
            "plan.toml",
            &["reps_missing_segment_column.csv", "segment"],
        ),
        c(
            "empty accounts file",
            "accounts_empty.csv",
            "reps.csv",
            "plan.toml",
            &["accounts_empty.csv"],
        ),
        c(
            "empty reps file",
            "accounts.csv",
            "reps_empty.csv",
            "plan.toml",
            &["reps_empty.csv"],
        ),
        c(
            "header-only accounts file",
            "accounts_header_only.csv",
            "reps.csv",
            "plan.toml",
            &["accounts_header_only.csv"],
        ),
        c(
            "header-only reps file",
            "accounts.csv",
            "reps_header_only.csv",
            "plan.toml",
            &["reps_header_only.csv"],
        ),
        c(
            "misspelt plan key",
            "accounts.csv",
            "reps.csv",
            "plan_bad_key.toml",
            &["plan_bad_key.toml", "time_limt_s"],
        ),
        c(
            "accounts file that does not exist",
            "no_such_accounts.csv",
            "reps.csv",
            "plan.toml",
            &["no_such_accounts.csv"],
        ),
        c(
            "plan file that does not exist",
            "accounts.csv",
            "reps.csv",
            "no_such_plan.toml",
            &["no_such_plan.toml"],
        ),
    ]
}

#[test]
fn file_level_problems_exit_1_naming_file_and_column() {
    let dir = tempdir();
    let mut failures = Vec::new();
    let (mut runs, mut checked) = (0, 0);
    let cases = file_cases();
    assert_eq!(cases.len(), 9, "file-level cases");
    for (i, case) in cases.iter().enumerate() {
        for plan in [case.plan.clone(), bad("plan_strict.toml")] {
            // A case about the plan file runs with its own plan only.
            if plan != case.plan && case.what.contains("plan") {
                continue;
            }
            runs += 1;
            let out = dir.path().join(format!("case{i}-{}", file_name(&plan)));
            let o = run_solve(
                "balance",
                &case.accounts,
                &case.reps,
                Some(&plan),
                &out,
                &[],
            );
            let err = stderr(&o);
            if code(&o) != 1 {
                failures.push(format!(
                    "{} ({}): exit {}, expected 1\n{err}",
                    case.what,
                    file_name(&plan),
                    code(&o)
                ));
                continue;
            }
            for n in &case.names {
                if !err.contains(n.as_str()) {
                    failures.push(format!("{}: stderr does not name {n}:\n{err}", case.what));
                }
            }
            if out.join("assignments.csv").exists() {
                failures.push(format!("{}: wrote assignments.csv", case.what));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    // 7 cases with their plan and the strict plan, the 2 plan-file cases with theirs only.
    assert_eq!((runs, checked), (16, 16), "(runs, runs checked to the end)");
}

/// `plan`, `evaluate` and `rebalance` see the same bad files: they may refuse them (exit 1)
/// or go on (exit 0), but never panic or crash.
#[test]
fn no_command_panics_on_any_bad_fixture() {
    let dir = tempdir();
    let mut pairs: Vec<(PathBuf, PathBuf)> = CASES.iter().map(inputs).collect();
    pairs.extend(file_cases().into_iter().map(|c| (c.accounts, c.reps)));
    assert_eq!(pairs.len(), ROW_CASES + 9, "row-level and file-level cases");
    let mut failures = Vec::new();
    let mut runs = 0;
    for (i, (accounts, reps)) in pairs.iter().enumerate() {
        for command in ["plan", "evaluate", "rebalance"] {
            for plan in [bad("plan.toml"), bad("plan_strict.toml")] {
                runs += 1;
                let out = dir
                    .path()
                    .join(format!("{command}-{i}-{}", file_name(&plan)));
                let o = run_solve(command, accounts, reps, Some(&plan), &out, &[]);
                // run() already failed the test on a panic; anything but 0 / 1 / 2 is wrong here.
                if ![0, 1, 2].contains(&code(&o)) {
                    failures.push(format!(
                        "{command} {} {} ({}): exit {}\n{}",
                        file_name(accounts),
                        file_name(reps),
                        file_name(&plan),
                        code(&o),
                        stderr(&o)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(
        runs,
        (ROW_CASES + 9) * 3 * 2,
        "runs: every case, command and plan"
    );
}

/// A pairs file with one defect per bad row: each goes to rejects.csv naming the pairs
/// file, its row and column with a hint; the good pairs still carry every account.
#[test]
fn bad_pair_rows_go_to_rejects_and_every_account_is_still_assigned() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let o = balance_bad_base(
        &out,
        &["--pairs", bad("pairs.csv").to_str().expect("utf-8 path")],
    );
    assert_code(&o, 0, "balance with a pairs file holding bad rows");
    let rejects = read_rejects(&out);
    let mut got: Vec<(u64, String)> = rejects
        .iter()
        .filter(|r| names_file(&r.file, &bad("pairs.csv")))
        .map(|r| (r.row, r.column.clone()))
        .collect();
    got.sort();
    let want: Vec<(u64, String)> = [
        (17, "account_id"), // unknown account
        (18, "rep_id"),     // unknown rep
        (19, "cost"),       // NaN
        (20, "cost"),       // text
        (21, "workload"),   // negative
        (22, "rep_id"),     // the pair B01 – M1 again
    ]
    .iter()
    .map(|(r, c)| (*r, c.to_string()))
    .collect();
    assert_eq!(got, want, "refused pair rows (row, column)");
    assert_eq!(rejects.len(), want.len(), "only pair rows are refused");
    for r in &rejects {
        assert!(r.hint.trim().len() >= 10, "row {} has no fix hint", r.row);
    }
    let c = check(
        &Spec::new(&bad("accounts.csv"), &bad("reps.csv"), &out)
            .pairs(&bad("pairs.csv"))
            .soft(),
    );
    assert_eq!(c.rows.len(), 8, "every account is assigned");
}
