//! The review loop end to end (`--decisions`, `--previous`, `--scope`): every decision kind
//! honoured on the tiny fixture and on a generated book, each refusal named by file, row and
//! column, an infeasible decision set naming its rows, the tie-break toward the proposal and
//! the scope's isolation. Every solver run passes the independent checker, which recomputes
//! the pins, the frozen reps' targets, the off-proposal term of the objective and the review
//! outputs (decisions_applied.csv, changes_vs_previous.csv, summary.json `decisions`) from
//! the raw rows.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;

/// A path as a command-line argument.
fn arg(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Writes decisions.csv (account_id, decision, rep_id, note) with `rows`.
fn write_decisions(path: &Path, rows: &[[&str; 4]]) {
    let mut text = String::from("account_id,decision,rep_id,note\n");
    for r in rows {
        text += &format!("{},{},{},{}\n", r[0], r[1], r[2], r[3]);
    }
    std::fs::write(path, text).expect("write decisions.csv");
}

/// account_id → rep_id of an assignments.csv.
fn reps_of(path: &Path) -> BTreeMap<String, String> {
    read_csv(path)
        .records
        .iter()
        .map(|r| (r.get("account_id").to_string(), r.get("rep_id").to_string()))
        .collect()
}

/// Accounts whose rep differs between two assignment files (the same accounts in both).
fn differ(a: &Path, b: &Path) -> usize {
    let (x, y) = (reps_of(a), reps_of(b));
    assert_eq!(
        x.keys().collect::<Vec<_>>(),
        y.keys().collect::<Vec<_>>(),
        "{} and {} list different accounts",
        a.display(),
        b.display()
    );
    x.iter().filter(|(k, v)| y[*k] != **v).count()
}

/// owner_id by account_id, from the raw accounts.csv.
fn owners(accounts: &Path) -> BTreeMap<String, String> {
    read_csv(accounts)
        .records
        .iter()
        .map(|r| {
            (
                r.get("account_id").trim().to_string(),
                r.get("owner_id").trim().to_string(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The tiny fixture
// ---------------------------------------------------------------------------------------

/// `allot balance` on tiny into `out` with `extra` flags.
fn tiny(out: &Path, extra: &[&str]) -> std::process::Output {
    run_fixture("balance", "tiny", out, extra)
}

/// The proposal on tiny (a plain balance run, checked), as its assignments.csv.
fn tiny_proposal(dir: &Path) -> PathBuf {
    let out = dir.join("proposal");
    assert_code(&tiny(&out, &[]), 0, "tiny proposal");
    check(&Spec::of_fixture("tiny", &out).band(5.0));
    out.join("assignments.csv")
}

#[test]
fn tiny_every_decision_kind_is_honoured() {
    let dir = tempdir();
    let proposal = tiny_proposal(dir.path());
    let proposed = reps_of(&proposal);
    // The plan below is feasible at ±5 % only with A05 on R3 (R1 keeps A04 and A07, R2
    // takes the A01 family): the proposal must have put it there.
    assert_eq!(proposed["A05"], "R3", "tiny proposal: {proposed:?}");
    let decisions = dir.path().join("decisions.csv");
    write_decisions(
        &decisions,
        &[
            ["A05", "Approved", "", "ok by the VP"],
            ["A07", "keep", "", "relationship"],
            ["A06", "assign", "R3", ""],
            // A family member: A01 and A03 go with it.
            ["A02", "pin", "R2", "=SUM(A1)"],
        ],
    );
    let out = dir.path().join("run");
    let o = tiny(
        &out,
        &["--previous", arg(&proposal), "--decisions", arg(&decisions)],
    );
    assert_code(&o, 0, "tiny with decisions");
    let c = check(
        &Spec::of_fixture("tiny", &out)
            .band(5.0)
            .previous_assignment(&proposal)
            .decisions(&decisions),
    );
    // Where each decision puts the account, from the raw rows: accept → the proposal's rep,
    // reject → owner_id, pin → rep_id; the family of A02 with it.
    let owner = owners(&fixture("tiny/accounts.csv"));
    let want = [
        ("A05", proposed["A05"].as_str()),
        ("A07", owner["A07"].as_str()),
        ("A06", "R3"),
        ("A02", "R2"),
        ("A01", "R2"),
        ("A03", "R2"),
    ];
    for (a, r) in want {
        assert_eq!(c.rep_of(a), r, "{a}");
    }
    for a in ["A05", "A07", "A06", "A02"] {
        let row = c.rows.iter().find(|x| x.account == a).expect("row");
        assert_eq!(row.reason_code, "decision", "{a}");
    }
    // decisions_applied.csv, cell by cell.
    let t = read_csv(&out.join("decisions_applied.csv"));
    let got: Vec<Vec<&str>> = t
        .records
        .iter()
        .map(|r| {
            [
                "row",
                "account_id",
                "decision",
                "rep_id",
                "proposed_rep_id",
                "owner_id",
                "honoured",
                "note",
            ]
            .iter()
            .map(|h| r.get(h))
            .collect()
        })
        .collect();
    let want: Vec<Vec<&str>> = vec![
        vec![
            "2",
            "A05",
            "accept",
            "R3",
            "R3",
            "R1",
            "true",
            "ok by the VP",
        ],
        vec![
            "3",
            "A07",
            "reject",
            "R1",
            &proposed["A07"],
            "R1",
            "true",
            "relationship",
        ],
        vec!["4", "A06", "pin", "R3", &proposed["A06"], "R1", "true", ""],
        vec![
            "5",
            "A02",
            "pin",
            "R2",
            &proposed["A02"],
            "R1",
            "true",
            "'=SUM(A1)",
        ],
    ];
    assert_eq!(got, want);
    let d = &c.summary["decisions"];
    assert_eq!(
        (
            d["accept"].as_u64(),
            d["reject"].as_u64(),
            d["pin"].as_u64()
        ),
        (Some(1), Some(1), Some(2)),
        "{d}"
    );
    assert_eq!(d["not_honoured"].as_u64(), Some(0), "{d}");
    // changes_vs_previous.csv lists every account off the proposal.
    let changed = differ(&proposal, &out.join("assignments.csv"));
    assert!(changed >= 3, "the A01 family moved to R2: {changed}");
    assert_eq!(
        read_csv(&out.join("changes_vs_previous.csv")).records.len(),
        changed
    );
    assert_eq!(c.review.changed_vs_previous, changed);
}

#[test]
fn infeasible_decisions_name_their_rows() {
    let dir = tempdir();
    let decisions = dir.path().join("decisions.csv");
    write_decisions(
        &decisions,
        &[
            ["A05", "reject", "", ""],
            ["A06", "reject", "", ""],
            ["A07", "reject", "", ""],
            ["A11", "pin", "R1", ""],
        ],
    );
    let out = dir.path().join("run");
    let o = tiny(&out, &["--decisions", arg(&decisions)]);
    assert_code(&o, 2, "R1 holds 130 % of its target with these decisions");
    let e = stderr(&o);
    let name = arg(&decisions);
    let rows = [
        "row 2 (reject A05 → R1)",
        "row 3 (reject A06 → R1)",
        "row 4 (reject A07 → R1)",
        "row 5 (pin A11 → R1)",
    ];
    for r in rows {
        assert!(e.contains(&format!("{name} {r}")), "{r} not named:\n{e}");
    }
    assert!(!out.join("assignments.csv").exists());
    assert!(!out.join("decisions_applied.csv").exists());
}

/// tiny with an enterprise account and rep (R4), a leaving rep (R5), a rep on leave (R6)
/// and a rep who may cover only CA (R7), into `dir`; returns (accounts, reps).
fn tiny_variant(dir: &Path) -> (PathBuf, PathBuf) {
    let a = dir.join("accounts.csv");
    let r = dir.join("reps.csv");
    let mut accounts = read_text(&fixture("tiny/accounts.csv"));
    accounts += "A13,Big Corp,enterprise,5000,200000,40,40.71,-74.00,Software,NY,R4,,false\n";
    std::fs::write(&a, accounts).expect("write accounts");
    let mut reps = read_text(&fixture("tiny/reps.csv"));
    reps += "R4,Dee Roy,enterprise,,40.71,-74.00,1,,,,,active\n";
    reps += "R5,Eve Lam,mid-market,,40.71,-74.00,1,,,,,leaving\n";
    reps += "R6,Fay Oz,mid-market,,40.71,-74.00,1,,,,,on_leave\n";
    reps += "R7,Gus Poe,mid-market,,34.05,-118.24,1,,,CA,,active\n";
    std::fs::write(&r, reps).expect("write reps");
    (a, r)
}

#[test]
fn every_refused_decision_names_file_row_and_column() {
    let dir = tempdir();
    let (va, vr) = tiny_variant(dir.path());
    let proposal = tiny_proposal(dir.path());
    let tiny_files = (fixture("tiny/accounts.csv"), fixture("tiny/reps.csv"));
    // (what, decision rows, on the variant, with --previous, refused row, column, words)
    type Case<'a> = (
        &'a str,
        Vec<[&'a str; 4]>,
        bool,
        bool,
        u64,
        &'a str,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "unknown account",
            vec![["A99", "pin", "R1", ""]],
            false,
            false,
            2,
            "account_id",
            "not an account_id",
        ),
        (
            "unknown rep",
            vec![["A05", "pin", "R9", ""]],
            false,
            false,
            2,
            "rep_id",
            "not a rep_id",
        ),
        (
            "rep of another segment",
            vec![["A05", "pin", "R4", ""]],
            true,
            false,
            2,
            "rep_id",
            "segment",
        ),
        (
            "leaving rep",
            vec![["A05", "pin", "R5", ""]],
            true,
            false,
            2,
            "rep_id",
            "leaving",
        ),
        (
            "rep on leave",
            vec![["A05", "pin", "R6", ""]],
            true,
            false,
            2,
            "rep_id",
            "on_leave",
        ),
        (
            "rep whose regions exclude the account",
            vec![["A05", "pin", "R7", ""]],
            true,
            false,
            2,
            "rep_id",
            "may not cover",
        ),
        (
            "family pinned two ways",
            vec![["A01", "pin", "R1", ""], ["A02", "pin", "R2", ""]],
            false,
            false,
            3,
            "rep_id",
            "also pinned",
        ),
        (
            "decided twice",
            vec![["A05", "reject", "", ""], ["A05", "reject", "", ""]],
            false,
            false,
            3,
            "decision",
            "decided twice",
        ),
        (
            "accept without --previous",
            vec![["A05", "accept", "", ""]],
            false,
            false,
            2,
            "decision",
            "no proposal",
        ),
        (
            "accept of an account the proposal lacks",
            vec![["A13", "accept", "", ""]],
            true,
            true,
            2,
            "account_id",
            "not in the proposal",
        ),
        (
            "reject of an account without owner",
            vec![["A11", "reject", "", ""]],
            false,
            false,
            2,
            "decision",
            "has none",
        ),
        (
            "a word that is no decision",
            vec![["A05", "maybe", "", ""]],
            false,
            false,
            2,
            "decision",
            "is not a decision",
        ),
        (
            "a pin without rep_id",
            vec![["A05", "pin", "", ""]],
            false,
            false,
            2,
            "rep_id",
            "needs the rep_id",
        ),
    ];
    let mut tried = 0;
    for (i, (what, rows, variant, previous, row, column, words)) in cases.iter().enumerate() {
        let decisions = dir.path().join(format!("decisions{i}.csv"));
        write_decisions(&decisions, rows);
        let (a, r) = if *variant {
            (&va, &vr)
        } else {
            (&tiny_files.0, &tiny_files.1)
        };
        let out = dir.path().join(format!("out{i}"));
        let mut extra = vec!["--decisions", arg(&decisions)];
        if *previous {
            extra.extend(["--previous", arg(&proposal)]);
        }
        let o = run_solve(
            "balance",
            a,
            r,
            Some(&fixture("tiny/plan.toml")),
            &out,
            &extra,
        );
        assert_code(&o, 1, what);
        let e = stderr(&o);
        let at = format!("{}: row {row}, column {column}", arg(&decisions));
        assert!(e.contains(&at), "{what}: {at:?} not in\n{e}");
        assert!(e.contains(words), "{what}: {words:?} not in\n{e}");
        assert!(!out.join("assignments.csv").exists(), "{what}");
        tried += 1;
    }
    assert_eq!(tried, 13);

    // One run names every bad row: a row the file cannot resolve (unknown account, a word
    // that is no decision) and rows only the roster and families refuse (another segment's
    // rep, a leaving rep), with a good row between them.
    let decisions = dir.path().join("decisions_all.csv");
    write_decisions(
        &decisions,
        &[
            ["A99", "pin", "R1", ""],
            ["A05", "pin", "R4", ""],
            ["A06", "reject", "", ""],
            ["A07", "pin", "R5", ""],
            ["A08", "maybe", "", ""],
        ],
    );
    let out = dir.path().join("out_all");
    let o = run_solve(
        "balance",
        &va,
        &vr,
        Some(&fixture("tiny/plan.toml")),
        &out,
        &["--decisions", arg(&decisions)],
    );
    assert_code(&o, 1, "four bad rows");
    let e = stderr(&o);
    let mut named = 0;
    for (row, column) in [
        (2, "account_id"),
        (3, "rep_id"),
        (5, "rep_id"),
        (6, "decision"),
    ] {
        let at = format!("{}: row {row}, column {column}", arg(&decisions));
        assert!(e.contains(&at), "{at:?} not in\n{e}");
        named += 1;
    }
    assert_eq!(named, 4);
    assert!(
        !e.contains(&format!("{}: row 4,", arg(&decisions))),
        "the good row is not refused:\n{e}"
    );
}

// ---------------------------------------------------------------------------------------
// A generated book
// ---------------------------------------------------------------------------------------

/// A generated book (900 accounts, 14 reps) and its plan as a rebalance at ±`band` %.
fn book(dir: &Path, band: f64) -> Generated {
    let g = generated(dir, 900, 14, 7);
    with_band(&g, dir, band)
}

/// `g` with its plan as a rebalance at ±`band` % (written to `dir`).
fn with_band(g: &Generated, dir: &Path, band: f64) -> Generated {
    let (a, r, p) = g.clone();
    let plan = dir.join(format!("rebalance{band}.toml"));
    let text = read_text(&p)
        .replace("objective = \"redesign\"", "objective = \"rebalance\"")
        .replace("band_pct = 2.0", &format!("band_pct = {band:.1}"));
    assert!(text.contains("objective = \"rebalance\""), "{text}");
    assert!(text.contains(&format!("band_pct = {band:.1}")), "{text}");
    std::fs::write(&plan, text).expect("write plan");
    (a, r, plan)
}

/// `allot rebalance` of `g` (reps `reps`) into `out` with `extra`, with a work limit.
fn rebalance(g: &Generated, reps: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--work-limit", "3000000"];
    args.extend_from_slice(extra);
    run_solve("rebalance", &g.0, reps, Some(&g.2), out, &args)
}

/// The proposal on the book: a checked rebalance, as its assignments.csv.
fn propose(g: &Generated, dir: &Path, band: f64) -> PathBuf {
    let out = dir.join("proposal");
    assert_code(&rebalance(g, &g.1, &out, &[]), 0, "proposal");
    check(
        &Spec::new(&g.0, &g.1, &out)
            .band(band)
            .objective("rebalance"),
    );
    out.join("assignments.csv")
}

/// Three decisions on the proposal, chosen from the raw rows: accept and reject two moves
/// made for balance (account without family), and pin a family head with children to
/// another rep of its segment whose regions allow it. Returns the rows.
fn three_decisions(g: &Generated, proposal: &Path) -> Vec<[String; 4]> {
    let t = read_csv(proposal);
    let accounts = read_csv(&g.0);
    let parents: BTreeSet<String> = accounts
        .records
        .iter()
        .map(|r| r.get("parent_id").trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let child: BTreeSet<String> = accounts
        .records
        .iter()
        .filter(|r| !r.get("parent_id").trim().is_empty())
        .map(|r| r.get("account_id").trim().to_string())
        .collect();
    let single = |id: &str| !parents.contains(id) && !child.contains(id);
    let moves: Vec<&Record> = t
        .records
        .iter()
        .filter(|r| r.get("reason_code") == "balance" && single(r.get("account_id")))
        .collect();
    assert!(
        moves.len() >= 2,
        "the proposal moved {} for balance",
        moves.len()
    );
    let reps = read_reps(&g.1);
    let head = t
        .records
        .iter()
        .find(|r| parents.contains(r.get("account_id")) && r.get("segment") == "digital-led")
        .expect("a digital-led family in the generated book");
    let other = reps
        .iter()
        .find(|x| x.segment == "digital-led" && x.id != head.get("rep_id") && x.regions.is_empty())
        .expect("another digital-led rep");
    vec![
        [
            moves[0].get("account_id").into(),
            "accept".into(),
            String::new(),
            "agreed".into(),
        ],
        [
            moves[1].get("account_id").into(),
            "reject".into(),
            String::new(),
            "keep the relationship".into(),
        ],
        [
            head.get("account_id").into(),
            "pin".into(),
            other.id.clone(),
            "family to a new rep".into(),
        ],
    ]
}

fn write_rows(path: &Path, rows: &[[String; 4]]) {
    let rows: Vec<[&str; 4]> = rows
        .iter()
        .map(|r| [r[0].as_str(), &r[1], &r[2], &r[3]])
        .collect();
    write_decisions(path, &rows);
}

#[test]
fn generated_book_decisions_and_the_tie_break() {
    let dir = tempdir();
    let g = book(dir.path(), 10.0);
    let proposal = propose(&g, dir.path(), 10.0);
    let rows = three_decisions(&g, &proposal);
    let decisions = dir.path().join("decisions.csv");
    write_rows(&decisions, &rows);

    // 1. The three decisions with the proposal: each honoured (the checker, from the raw
    // rows), and the objective carries the tie-break term for families off the proposal.
    let out = dir.path().join("decided");
    let o = rebalance(
        &g,
        &g.1,
        &out,
        &["--previous", arg(&proposal), "--decisions", arg(&decisions)],
    );
    assert_code(&o, 0, "decisions with --previous");
    let c = check(
        &Spec::new(&g.0, &g.1, &out)
            .band(10.0)
            .objective("rebalance")
            .previous_assignment(&proposal)
            .decisions(&decisions),
    );
    let with_previous = c.review.changed_vs_previous;
    assert_eq!(
        with_previous,
        differ(&proposal, &out.join("assignments.csv"))
    );
    assert!(
        c.review.off_units > 0 && c.review.off_cost > 1e-4,
        "families off the proposal: {} costing {}",
        c.review.off_units,
        c.review.off_cost
    );
    let objective = c.summary["objective"].as_f64().expect("objective");
    assert!(
        (objective - c.objective.expect("recomputed")).abs() < 1e-6,
        "the checker's objective includes the term and agrees"
    );

    // 2. The same constraints without --previous (the accept as a pin to the proposed rep):
    // nothing breaks ties toward the proposal.
    let proposed = reps_of(&proposal);
    let mut as_pins = rows.clone();
    as_pins[0][1] = "pin".into();
    as_pins[0][2] = proposed[&as_pins[0][0]].clone();
    let pins = dir.path().join("pins.csv");
    write_rows(&pins, &as_pins);
    let out2 = dir.path().join("no_previous");
    let o = rebalance(&g, &g.1, &out2, &["--decisions", arg(&pins)]);
    assert_code(&o, 0, "decisions without --previous");
    check(
        &Spec::new(&g.0, &g.1, &out2)
            .band(10.0)
            .objective("rebalance")
            .decisions(&pins),
    );
    let without_previous = differ(&proposal, &out2.join("assignments.csv"));
    eprintln!(
        "accounts changed against the proposal with 3 decisions: {with_previous} with --previous, {without_previous} without"
    );
    assert!(
        with_previous <= without_previous,
        "the tie-break should not add changes: {with_previous} vs {without_previous}"
    );

    // 3. --previous alone reproduces the proposal with few changes.
    let out3 = dir.path().join("previous_only");
    let o = rebalance(&g, &g.1, &out3, &["--previous", arg(&proposal)]);
    assert_code(&o, 0, "--previous alone");
    let c3 = check(
        &Spec::new(&g.0, &g.1, &out3)
            .band(10.0)
            .objective("rebalance")
            .previous_assignment(&proposal),
    );
    let alone = c3.review.changed_vs_previous;
    eprintln!("--previous alone: {alone} of 900 accounts differ from the proposal");
    assert!(alone <= 9, "{alone} accounts changed with --previous alone");
    assert_eq!(c3.summary["decisions"]["changed_without_decision"], alone);
}

#[test]
fn the_checker_fails_a_run_against_other_decisions() {
    // The checker must be able to fail: the tiny run with its decisions, checked against a
    // decision it did not make, and without the proposal its objective term came from.
    let dir = tempdir();
    let proposal = tiny_proposal(dir.path());
    let decisions = dir.path().join("decisions.csv");
    write_decisions(&decisions, &[["A06", "pin", "R3", ""]]);
    let out = dir.path().join("run");
    let o = tiny(
        &out,
        &["--previous", arg(&proposal), "--decisions", arg(&decisions)],
    );
    assert_code(&o, 0, "tiny pin");
    let spec = Spec::of_fixture("tiny", &out).band(5.0);
    check(
        &spec
            .clone()
            .previous_assignment(&proposal)
            .decisions(&decisions),
    );
    let other = dir.path().join("other.csv");
    write_decisions(&other, &[["A06", "pin", "R2", ""]]);
    let p = check_problems(
        &spec
            .clone()
            .previous_assignment(&proposal)
            .decisions(&other),
    );
    assert!(
        p.iter()
            .any(|m| m.contains("A06") && m.contains("ended with")),
        "{p:?}"
    );
    let p = check_problems(&spec.decisions(&decisions));
    assert!(
        p.iter()
            .any(|m| m.contains("changes_vs_previous.csv exists")),
        "{p:?}"
    );
}

// ---------------------------------------------------------------------------------------
// --scope
// ---------------------------------------------------------------------------------------

/// The generated reps.csv with a manager_id column: M1 for odd rep numbers, M2 for even.
fn with_managers(src: &Path, dst: &Path) {
    let t = read_csv(src);
    let mut text = t.headers.join(",") + ",manager_id\n";
    for r in &t.records {
        let cells: Vec<&str> = t.headers.iter().map(|h| r.get(h)).collect();
        let n: u32 = r.get("rep_id")[1..].parse().expect("rep number");
        text += &format!("{},M{}\n", cells.join(","), 2 - n % 2);
    }
    std::fs::write(dst, text).expect("write reps");
}

/// Books by rep_id of an assignment (account_id → rep_id).
fn books(of: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut b: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, r) in of {
        b.entry(r.clone()).or_default().insert(a.clone());
    }
    b
}

/// Runs a scoped rebalance, checks it, and asserts from the raw rows that the accounts
/// outside keep their previous rep byte for byte, that `frozen` reps (when the test knows
/// them) end with exactly their previous book, and that the figures cover every account.
fn scoped(
    g: &Generated,
    reps: &Path,
    dir: &Path,
    scope: &str,
    previous: Option<&Path>,
    frozen: &[&str],
    band: f64,
) -> Checked {
    let out = dir.join(scope.replace(['=', ','], "_"));
    let mut extra = vec!["--scope", scope];
    if let Some(p) = previous {
        extra.extend(["--previous", arg(p)]);
    }
    let o = rebalance(g, reps, &out, &extra);
    assert_code(&o, 0, scope);
    let mut spec = Spec::new(&g.0, reps, &out)
        .band(band)
        .objective("rebalance")
        .scope(scope);
    if let Some(p) = previous {
        spec = spec.previous_assignment(p);
    }
    let c = check(&spec);
    let before: BTreeMap<String, String> = match previous {
        Some(p) => reps_of(p),
        None => owners(&g.0),
    };
    let after = reps_of(&out.join("assignments.csv"));
    let sc = &c.summary["decisions"]["scope"];
    let inside = sc["accounts_in_scope"].as_u64().expect("accounts_in_scope") as usize;
    let kept = sc["accounts_kept"].as_u64().expect("accounts_kept") as usize;
    let without = sc["accounts_without_previous_rep"]
        .as_u64()
        .expect("accounts_without_previous_rep") as usize;
    assert!(inside > 0 && kept > 0, "{scope}: {sc}");
    assert_eq!(inside + kept + without, 900, "{scope}: {sc}");
    // Accounts whose rep changed are all inside, or outside without a rep to keep.
    let changed = after.iter().filter(|(a, r)| before[*a] != **r).count();
    assert!(
        changed <= inside + without,
        "{scope}: {changed} changed, {inside} inside"
    );
    let (b0, b1) = (books(&before), books(&after));
    for r in frozen {
        assert_eq!(
            b0.get(*r),
            b1.get(*r),
            "{scope}: frozen rep {r}'s book changed"
        );
    }
    if !frozen.is_empty() {
        assert_eq!(
            sc["reps_kept"].as_u64(),
            Some(frozen.len() as u64),
            "{scope}: {sc}"
        );
    }
    assert_eq!(c.summary["accounts"].as_u64(), Some(900));
    let total: u64 = c.summary["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .map(|s| s["accounts"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, 900, "{scope}: figures cover every account");
    c
}

#[test]
fn scope_isolates_what_is_outside() {
    let dir = tempdir();
    let g0 = generated(dir.path(), 900, 14, 7);
    let g = with_band(&g0, dir.path(), 25.0);
    let proposal = propose(&g, dir.path(), 25.0);
    // Inside a region the reps keep their accounts elsewhere: the band must be wide.
    let wide = with_band(&g0, dir.path(), 50.0);
    let managed = dir.path().join("reps_managed.csv");
    with_managers(&g.1, &managed);
    let reps = read_reps(&g.1);
    let ids = |f: &dyn Fn(&InRep) -> bool| -> Vec<String> {
        reps.iter().filter(|r| f(r)).map(|r| r.id.clone()).collect()
    };
    let not_growth = ids(&|r| r.segment != "growth");
    let not_listed = ids(&|r| !["R12", "R13"].contains(&r.id.as_str()));
    let even = ids(&|r| r.id[1..].parse::<u32>().expect("number") % 2 == 0);
    let as_str = |v: &[String]| v.iter().map(String::as_str).collect::<Vec<_>>().join(" ");
    type Case<'a> = (
        &'a str,
        &'a Generated,
        &'a Path,
        Option<&'a Path>,
        String,
        f64,
    );
    let cases: Vec<Case> = vec![
        (
            "segment=growth",
            &g,
            &g.1,
            Some(&proposal),
            as_str(&not_growth),
            25.0,
        ),
        ("region=CA,WA", &wide, &g.1, None, String::new(), 50.0),
        (
            "rep=R12,R13",
            &g,
            &g.1,
            Some(&proposal),
            as_str(&not_listed),
            25.0,
        ),
        ("manager=M1", &g, &managed, None, as_str(&even), 25.0),
    ];
    let mut tried = 0;
    for (scope, g, reps, previous, frozen, band) in &cases {
        let frozen: Vec<&str> = frozen.split_whitespace().collect();
        scoped(g, reps, dir.path(), scope, *previous, &frozen, *band);
        tried += 1;
    }
    assert_eq!(tried, 4);
}

#[test]
fn a_bad_scope_is_refused() {
    let dir = tempdir();
    let t = (fixture("tiny/accounts.csv"), fixture("tiny/reps.csv"));
    let cases = [
        ("color=red", "unknown key"),
        ("West", "KEY=VALUE"),
        ("region=", "no value"),
        ("region=Atlantis", "no account is in this scope"),
        ("manager=M1", "no account is in this scope"),
    ];
    let mut tried = 0;
    for (i, (scope, words)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        let o = run_solve(
            "balance",
            &t.0,
            &t.1,
            Some(&fixture("tiny/plan.toml")),
            &out,
            &["--scope", scope],
        );
        assert_code(&o, 1, scope);
        let e = stderr(&o);
        assert!(e.contains("--scope") && e.contains(words), "{scope}: {e}");
        tried += 1;
    }
    assert_eq!(tried, 5);
    // A decision on an account outside the scope names its row.
    let decisions = dir.path().join("decisions.csv");
    write_decisions(&decisions, &[["A08", "reject", "", ""]]);
    let out = dir.path().join("outside");
    let o = tiny(&out, &["--scope", "rep=R1", "--decisions", arg(&decisions)]);
    assert_code(&o, 1, "decision outside the scope");
    let e = stderr(&o);
    let at = format!("{}: row 2, column account_id", arg(&decisions));
    assert!(e.contains(&at) && e.contains("outside --scope"), "{e}");
}
