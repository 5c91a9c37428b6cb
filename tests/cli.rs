//! End-to-end tests of the `allot` binary: the demo, determinism, hand-made fixtures, the
//! capacity plan, rebalance, init, infeasibility and spreadsheet-safe CSV. Every solve is
//! checked by the independent checker in `common`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use common::*;

fn assert_files(out: &Path, names: &[&str]) {
    for n in names {
        assert!(
            out.join(n).is_file(),
            "{} is missing",
            out.join(n).display()
        );
    }
}

fn assert_no_temp_files(out: &Path) {
    let left: Vec<String> = std::fs::read_dir(out)
        .expect("output folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(
        left.is_empty(),
        "temporary files left in {}: {left:?}",
        out.display()
    );
    if out.join("crm").is_dir() {
        assert_no_temp_files(&out.join("crm"));
    }
}

fn status_ok(s: &serde_json::Value) {
    let st = s["status"].as_str().unwrap_or("");
    assert!(
        st == "optimal" || st == "feasible",
        "summary.json status {st:?}, expected optimal or feasible"
    );
}

#[test]
fn demo_runs_writes_every_output_and_passes_the_checker() {
    let dir = tempdir();
    let out = dir.path().join("demo");
    let o = run([
        "demo".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--time-limit".as_ref(),
        "5".as_ref(),
    ]);
    assert_code(&o, 0, "allot demo --time-limit 5");
    assert_files(
        &out,
        &[
            "input/accounts.csv",
            "input/reps.csv",
            "input/plan.toml",
            "plan.csv",
            "assignments.csv",
            "crm/salesforce_account_owner.csv",
            "crm/hubspot_companies.csv",
            "territories.geojson",
            "territories.csv",
            "summary.json",
            "report.md",
            "report.html",
        ],
    );
    for name in ["accounts.csv", "reps.csv", "plan.toml"] {
        assert_eq!(
            std::fs::read(out.join("input").join(name)).expect("copied input"),
            std::fs::read(demo_input(name)).expect("demo input"),
            "OUT/input/{name} is not a byte copy of data/demo/{name}"
        );
    }
    assert_no_temp_files(&out);
    assert_crlf(&out);
    assert_eq!(formula_cells(&out), Vec::<String>::new());

    let c = check(&Spec::new(
        &out.join("input/accounts.csv"),
        &out.join("input/reps.csv"),
        &out,
    ));
    status_ok(&c.summary);
    assert_eq!(c.summary["command"], "demo");
    assert_eq!(
        c.rows.len() + c.rejects.len(),
        5125,
        "demo has 5,125 account rows"
    );
    assert_eq!(c.summary["reps"], 19);
    for key in [
        "version",
        "objective",
        "lower_bound",
        "gap_abs",
        "gap_rel",
        "engine",
        "seed",
        "threads",
        "reproducible",
        "warnings",
        "mean_km",
        "red_flags",
        "inputs",
        "plan",
        "timings",
    ] {
        assert!(c.summary.get(key).is_some(), "summary.json lacks key {key}");
    }
    let lb = c.summary["lower_bound"].as_f64().expect("lower_bound");
    let obj = c.summary["objective"].as_f64().expect("objective");
    assert!(lb <= obj + 1e-9, "lower bound {lb} above objective {obj}");
    let inputs = c.summary["inputs"].as_array().expect("inputs");
    assert!(
        inputs
            .iter()
            .all(|i| i["sha256"].as_str().is_some_and(|h| h.len() == 64)),
        "every input has a sha256: {inputs:?}"
    );
    // plan.csv of the demo: one owner row per segment.
    let plan = read_csv(&out.join("plan.csv"));
    let segs: Vec<&str> = plan.records.iter().map(|r| r.get("segment")).collect();
    assert_eq!(segs, ["enterprise", "mid-market", "growth", "digital-led"]);
}

/// The data rows of a CSV file in a fixed pseudo-random order (header first).
fn shuffled_csv(src: &Path, dst: &Path, seed: u64) {
    let text = std::fs::read_to_string(src).expect("read csv");
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let mut x = seed;
    for i in (1..lines.len()).rev() {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lines.swap(i, (x >> 33) as usize % (i + 1));
    }
    let mut out = String::from(header);
    for l in lines {
        out.push('\n');
        out.push_str(l);
    }
    out.push('\n');
    std::fs::write(dst, out).expect("write csv");
}

#[test]
fn shuffled_input_rows_give_byte_identical_assignments() {
    let dir = tempdir();
    let mut outs = Vec::new();
    for (i, seed) in [0u64, 11, 12].iter().enumerate() {
        let (accounts, reps) = if i == 0 {
            (demo_input("accounts.csv"), demo_input("reps.csv"))
        } else {
            let a = dir.path().join(format!("accounts{i}.csv"));
            let r = dir.path().join(format!("reps{i}.csv"));
            shuffled_csv(&demo_input("accounts.csv"), &a, *seed);
            shuffled_csv(&demo_input("reps.csv"), &r, *seed + 100);
            (a, r)
        };
        let out = dir.path().join(format!("run{i}"));
        let o = run_solve(
            "rebalance",
            &accounts,
            &reps,
            Some(&demo_input("plan.toml")),
            &out,
            &["--seed", "3", "--time-limit", "60"],
        );
        assert_code(
            &o,
            0,
            &format!("rebalance demo, rows shuffled with seed {seed}"),
        );
        assert_eq!(summary(&out)["reproducible"], true, "run {i} reproducible");
        outs.push(out);
    }
    assert_ne!(
        std::fs::read(dir.path().join("accounts1.csv")).expect("shuffled"),
        std::fs::read(demo_input("accounts.csv")).expect("demo"),
        "the shuffle changed nothing"
    );
    let first = std::fs::read(outs[0].join("assignments.csv")).expect("assignments.csv");
    for out in &outs[1..] {
        let other = std::fs::read(out.join("assignments.csv")).expect("assignments.csv");
        assert!(
            other == first,
            "assignments.csv differs when the input rows are shuffled ({} vs {})",
            outs[0].display(),
            out.display()
        );
    }
    check(&Spec::new(
        &dir.path().join("accounts1.csv"),
        &dir.path().join("reps1.csv"),
        &outs[1],
    ));
}

#[test]
fn same_seed_gives_byte_identical_assignments_at_1_and_2_threads() {
    let dir = tempdir();
    let mut runs = Vec::new();
    for (i, threads) in ["1", "2", "2"].iter().enumerate() {
        let out = dir.path().join(format!("run{i}-t{threads}"));
        let o = run_solve(
            "balance",
            &demo_input("accounts.csv"),
            &demo_input("reps.csv"),
            Some(&demo_input("plan.toml")),
            &out,
            // A generous limit: the run ends when its deterministic work is done (a few
            // seconds); the limit only guards against a slow machine cutting the search.
            &["--seed", "7", "--time-limit", "60", "--threads", threads],
        );
        assert_code(&o, 0, &format!("balance demo --seed 7 --threads {threads}"));
        let s = summary(&out);
        assert_eq!(s["seed"], 7, "summary.json seed");
        runs.push((threads.to_string(), out, s));
    }
    check(&Spec::new(
        &demo_input("accounts.csv"),
        &demo_input("reps.csv"),
        &runs[0].1,
    ));

    // Byte comparison first, so that the failure message says both things.
    let first = std::fs::read(runs[0].1.join("assignments.csv")).expect("assignments.csv");
    let mut differences = Vec::new();
    for (threads, out, _) in &runs[1..] {
        let other = std::fs::read(out.join("assignments.csv")).expect("assignments.csv");
        if other != first {
            let a = String::from_utf8_lossy(&first);
            let b = String::from_utf8_lossy(&other);
            let diff: Vec<String> = a
                .lines()
                .zip(b.lines())
                .filter(|(x, y)| x != y)
                .take(5)
                .map(|(x, y)| format!("    {x}  vs  {y}"))
                .collect();
            differences.push(format!(
                "assignments.csv at --threads 1 and at --threads {threads} ({}) differ; first \
                 differing rows:\n{}",
                out.display(),
                diff.join("\n")
            ));
        }
    }
    let not_reproducible: Vec<String> = runs
        .iter()
        .enumerate()
        .filter(|(_, (_, _, s))| s["reproducible"] != serde_json::Value::Bool(true))
        .map(|(i, (threads, _, s))| {
            let segs: Vec<String> = s["segments"]
                .as_array()
                .map(|v| v.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|g| {
                    format!(
                        "{} (status {}, engine {}, milp {})",
                        g["name"], g["solve"]["status"], g["solve"]["engine"], g["solve"]["milp"]
                    )
                })
                .collect();
            format!(
                "run {i} at --threads {threads}: reproducible = {}; segments: {}",
                s["reproducible"],
                segs.join(", ")
            )
        })
        .collect();
    assert!(
        not_reproducible.is_empty() && differences.is_empty(),
        "same input, plan and seed 7 must give the same assignment, and summary.json must say \
         reproducible = true.\n{}\n{}\nassignments.csv identical across the 3 runs: {}",
        not_reproducible.join("\n"),
        differences.join("\n"),
        differences.is_empty()
    );
}

#[test]
fn tiny_fixture_balances_and_passes_the_checker() {
    let dir = tempdir();
    let out = dir.path().join("tiny");
    let o = run_fixture("balance", "tiny", &out, &[]);
    assert_code(&o, 0, "balance tiny");
    assert_files(
        &out,
        &[
            "assignments.csv",
            "territories.csv",
            "summary.json",
            "report.md",
        ],
    );
    assert!(!out.join("rejects.csv").exists(), "tiny has no bad row");
    assert_crlf(&out);
    let c = check(&Spec::of_fixture("tiny", &out).band(5.0));
    status_ok(&c.summary);
    assert_eq!(c.summary["command"], "balance");
    assert_eq!(c.rows.len(), 12);
    // The lock and the family, spelled out (the checker checks them too).
    assert_eq!(c.rep_of("A04"), "R1", "A04 is locked to R1");
    assert_eq!(c.rep_of("A02"), c.rep_of("A01"), "family A01-A03");
    assert_eq!(c.rep_of("A03"), c.rep_of("A01"), "family A01-A03");
    // White space: the two unowned accounts are not counted as moves.
    assert_eq!(c.owned, 10);
    // Trimmed cells: " R1 " is R1, " 30000 " is 30000.
    let a05 = c.rows.iter().find(|r| r.account == "A05").expect("A05");
    assert_eq!(a05.previous, "R1");
    // A perfectly balanced answer exists (100k / 100 h each): the band of 5 % must be met.
    let seg = &c.summary["segments"][0];
    assert_eq!(
        seg["within_band"], true,
        "tiny can be balanced exactly: {seg}"
    );
}

#[test]
fn rebalance_tiny_stays_in_the_band_with_the_fewest_moves() {
    // R1 holds 140k of 300k (target 100k ± 5 %): it must shed 35k..45k. Its movable units are
    // the A01 family (40k, 3 accounts), A05 (30k), A06 (20k), A07 (20k); A04 is locked. No
    // single account sheds enough, so the fewest moves is 2 (e.g. A06 + A07, or A05 + A06
    // with white space A12 going to R1); the white space (A11, A12) moves nobody.
    let dir = tempdir();
    let out = dir.path().join("rebalance");
    let o = run_fixture("rebalance", "tiny", &out, &[]);
    assert_code(&o, 0, "rebalance tiny");
    let c = check(&Spec::of_fixture("tiny", &out).band(5.0).hard());
    status_ok(&c.summary);
    assert_eq!(c.summary["command"], "rebalance");
    assert_eq!(c.summary["segments"][0]["within_band"], true);
    assert_eq!(c.moved, 2, "fewest moves is 2; rows: {:#?}", c.rows);
    assert_eq!(c.summary["moves"]["moved_accounts"], 2);
    let moved: Vec<&str> = c
        .rows
        .iter()
        .filter(|r| r.moved)
        .map(|r| r.account.as_str())
        .collect();
    assert!(
        moved.iter().all(|a| ["A05", "A06", "A07"].contains(a)),
        "only R1's single accounts should move, moved {moved:?}"
    );
    let mut stayed = 0;
    for r in c.rows.iter().filter(|r| !r.moved && !r.previous.is_empty()) {
        assert_eq!(
            r.rep, r.previous,
            "{} was not moved but changed rep",
            r.account
        );
        stayed += 1;
    }
    // 12 accounts: 2 white space (A11, A12), 2 moved, the other 8 stay with their owner.
    assert_eq!(stayed, 8, "owned accounts that did not move");
}

#[test]
fn salesforce_export_is_read_through_the_preset() {
    let dir = tempdir();
    let out = dir.path().join("sf");
    let o = run_fixture("balance", "salesforce", &out, &[]);
    assert_code(&o, 0, "balance salesforce");
    assert!(
        !out.join("rejects.csv").exists(),
        "the export has no bad row"
    );
    let c = check(
        &Spec::of_fixture("salesforce", &out)
            .columns(Columns::salesforce("ARR_Potential__c", "Effort_Hours__c"))
            .soft(),
    );
    status_ok(&c.summary);
    assert_eq!(c.rows.len(), 41);
    // Tiers by hand: 6 enterprise + 1 small child of Acme; 8 mid-market + 1 small child of
    // Pied Piper; 12 growth; 13 digital-led (one with no data at all).
    let expected: BTreeMap<String, usize> = [
        ("digital-led", 13),
        ("enterprise", 7),
        ("growth", 12),
        ("mid-market", 9),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(c.segment_counts, expected);
    // Potential and workload come from the custom fields.
    let seg = |name: &str| {
        c.summary["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("segment {name} missing from summary.json"))
    };
    assert_eq!(
        seg("enterprise")["potential"]["total"].as_f64(),
        Some(795_000.0)
    );
    assert_eq!(
        seg("mid-market")["potential"]["total"].as_f64(),
        Some(406_999.0)
    );
    assert_eq!(seg("enterprise")["workload"]["total"].as_f64(), Some(344.0));
    // Eligibility and roster changes, spelled out.
    assert_ne!(
        c.rep_of("0015E00001ENT003"),
        "005E1",
        "005E1 covers CA and WA only"
    );
    assert_eq!(
        c.rep_of("0015E00001ENT007"),
        c.rep_of("0015E00001ENT001"),
        "family"
    );
    assert_eq!(
        c.rep_of("0015E00001MID009"),
        c.rep_of("0015E00001MID002"),
        "family"
    );
    for r in &c.rows {
        assert_ne!(r.rep, "005L1", "{} went to a leaving rep", r.account);
        assert_ne!(r.rep, "005C1", "{} went to a CSM", r.account);
    }
}

#[test]
fn plan_worked_example_gives_the_documented_fte() {
    // 75 / 350 / 1,200 / 3,500 accounts averaging $150K / $55K / $18K / $6K potential at the
    // default ratios 22 / 75 / 225 / 800: FTE 3.41 / 4.67 / 5.33 / 4.38, $73.1M in total.
    let dir = tempdir();
    let tiers = [
        ("enterprise", 75usize, 150_000i64, 40_000i64),
        ("mid-market", 350, 55_000, 15_000),
        ("growth", 1200, 18_000, 5_000),
        ("digital-led", 3500, 6_000, 2_000),
    ];
    let mut acc = String::from("account_id,name,segment,potential,workload\n");
    let mut id = 0;
    for (seg, n, avg, spread) in tiers {
        for i in 0..n {
            // Pairs avg-spread, avg+spread; an odd count ends on avg: the mean is exact.
            let p = if n % 2 == 1 && i == n - 1 {
                avg
            } else if i % 2 == 0 {
                avg - spread
            } else {
                avg + spread
            };
            id += 1;
            writeln!(acc, "P{id:05},Account {id},{seg},{p},{}", 1 + i % 7).expect("write");
        }
    }
    let mut reps = String::from("rep_id,name,segment,role,fte,status\n");
    for (seg, count) in [
        ("enterprise", 4),
        ("mid-market", 5),
        ("growth", 6),
        ("digital-led", 4),
    ] {
        for k in 0..count {
            writeln!(reps, "{seg}-{k},Rep {k},{seg},,1,active").expect("write");
        }
    }
    let a = dir.path().join("accounts.csv");
    let r = dir.path().join("reps.csv");
    std::fs::write(&a, acc).expect("write accounts");
    std::fs::write(&r, reps).expect("write reps");
    let out = dir.path().join("out");
    let o = run([
        "plan".as_ref(),
        "--accounts".as_ref(),
        a.as_os_str(),
        "--reps".as_ref(),
        r.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_code(&o, 0, "allot plan");
    let t = read_csv(&out.join("plan.csv"));
    assert_eq!(
        t.headers,
        [
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
            "gap"
        ]
    );
    let owners: Vec<&Record> = t
        .records
        .iter()
        .filter(|r| r.get("role") == "owner")
        .collect();
    let got: Vec<(String, String, String)> = owners
        .iter()
        .map(|r| {
            (
                r.get("segment").to_string(),
                r.get("accounts").to_string(),
                r.get("fte_needed").to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("enterprise", "75", "3.41"),
        ("mid-market", "350", "4.67"),
        ("growth", "1200", "5.33"),
        ("digital-led", "3500", "4.38"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
    let pot: Vec<f64> = owners
        .iter()
        .map(|r| r.get("potential").parse().expect("potential is a number"))
        .collect();
    assert_eq!(
        pot,
        [11_250_000.0, 19_250_000.0, 21_600_000.0, 21_000_000.0]
    );
    assert_eq!(pot.iter().sum::<f64>(), 73_100_000.0);
    let heads: Vec<&str> = owners.iter().map(|r| r.get("headcount_needed")).collect();
    assert_eq!(heads, ["4", "5", "6", "5"], "ceil rounding");
    let gaps: Vec<&str> = owners.iter().map(|r| r.get("gap")).collect();
    assert_eq!(
        gaps,
        ["0", "0", "0", "-1"],
        "roster 4/5/6/4 vs needed 4/5/6/5"
    );
    assert!(
        stdout(&o).contains("73.1"),
        "the table states the total $73.1M:\n{}",
        stdout(&o)
    );
}

#[test]
fn init_writes_a_plan_that_balance_accepts_and_refuses_to_overwrite() {
    let dir = tempdir();
    let plan = dir.path().join("plan.toml");
    let o = run(["init".as_ref(), "--out".as_ref(), plan.as_os_str()]);
    assert_code(&o, 0, "allot init");
    let text = read_text(&plan);
    for key in [
        "objective",
        "strict",
        "[balance]",
        "band_pct",
        "[solver]",
        "time_limit_s",
        "[[segments]]",
    ] {
        assert!(text.contains(key), "the written plan lacks {key}");
    }

    let out = dir.path().join("out");
    let o = run_solve(
        "balance",
        &fixture("tiny/accounts.csv"),
        &fixture("tiny/reps.csv"),
        Some(&plan),
        &out,
        &["--time-limit", "2"],
    );
    assert_code(&o, 0, "balance with the plan allot init wrote");
    check(&Spec::of_fixture("tiny", &out));

    std::fs::write(&plan, "# mine\n").expect("write");
    let o = run(["init".as_ref(), "--out".as_ref(), plan.as_os_str()]);
    assert_code(&o, 1, "allot init over an existing file");
    assert_eq!(
        read_text(&plan),
        "# mine\n",
        "init overwrote the file without --force"
    );
    assert!(
        stderr(&o).contains("plan.toml"),
        "the refusal names the file:\n{}",
        stderr(&o)
    );
    let o = run([
        "init".as_ref(),
        "--out".as_ref(),
        plan.as_os_str(),
        "--force".as_ref(),
    ]);
    assert_code(&o, 0, "allot init --force");
    assert_eq!(
        read_text(&plan),
        text,
        "--force writes the same commented plan"
    );
}

#[test]
fn capacity_short_of_the_accounts_is_infeasible_with_exit_2() {
    let dir = tempdir();
    let out = dir.path().join("out");
    // A good earlier run into the same folder: its assignments.csv and rejects.csv must not
    // survive the infeasible run (a scheduler would load stale owners).
    let o = run_fixture("balance", "injection", &out, &[]);
    assert_code(&o, 0, "earlier run");
    assert!(out.join("assignments.csv").exists() && out.join("rejects.csv").exists());
    let o = run_fixture("balance", "infeasible", &out, &[]);
    assert_code(&o, 2, "6 accounts, max_accounts 2 + 2");
    let err = stderr(&o);
    assert!(
        err.contains("capacity"),
        "stderr names the binding constraint:\n{err}"
    );
    assert!(err.contains("growth"), "stderr names the segment:\n{err}");
    assert!(
        !out.join("assignments.csv").exists(),
        "no assignments.csv when infeasible (a stale one must be removed)"
    );
    assert!(
        !out.join("rejects.csv").exists(),
        "stale rejects.csv of an earlier run left in the output folder"
    );
    let s = summary(&out);
    assert_eq!(s["status"], "infeasible");
}

#[test]
fn text_cells_that_look_like_formulas_get_an_apostrophe() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let o = run_fixture("balance", "injection", &out, &[]);
    assert_code(&o, 0, "balance injection fixture");
    // Every name-like cell (names, segments, reasons, columns, messages) is protected...
    assert_eq!(formula_cells(&out), Vec::<String>::new());

    // ...but ids are written exactly as read, so a CRM update matches its records.
    let a = read_csv(&out.join("assignments.csv"));
    let ids: Vec<&str> = a.records.iter().map(|r| r.get("account_id")).collect();
    // By account_id: "+" < "-" < "=" < "@" < "A".
    assert_eq!(ids, ["+A2", "-A3", "=A1", "@A4", "A5"]);
    let a1 = &a.records[2];
    assert_eq!(a1.get("previous_rep_id"), "=R1");
    assert_eq!(a.records[3].get("previous_rep_id"), "=R1");
    assert!(
        a.records
            .iter()
            .all(|r| ["=R1", "R2"].contains(&r.get("rep_id"))),
        "rep ids: {:?}",
        a.records
            .iter()
            .map(|r| r.get("rep_id"))
            .collect::<Vec<_>>()
    );
    assert!(a.records.iter().any(|r| r.get("rep_id") == "=R1"));

    let t = read_csv(&out.join("territories.csv"));
    let r1 = &t.records[0];
    assert_eq!(r1.get("rep_id"), "=R1");
    assert_eq!(r1.get("name"), "'=HYPERLINK(\"x\")");
    assert_eq!(t.records[1].get("name"), "'-Minus Name");

    let rj = read_csv(&out.join("rejects.csv"));
    assert_eq!(rj.records.len(), 1, "one bad row");
    assert_eq!(rj.records[0].get("id"), "=BAD");
    assert_eq!(rj.records[0].get("column"), "potential");

    check(&Spec::of_fixture("injection", &out));

    // The review loop's files too: a rebalance against that run as the proposal, with a
    // decision whose note is a formula, a manager and district named like formulas, and a
    // transition date.
    let reps = dir.path().join("reps.csv");
    let mut text = String::new();
    for (k, l) in read_text(&fixture("injection/reps.csv"))
        .lines()
        .enumerate()
    {
        let extra = if k == 0 {
            "manager_id,district"
        } else {
            "=M1,@North"
        };
        text += &format!("{l},{extra}\n");
    }
    std::fs::write(&reps, text).expect("write reps.csv");
    let decisions = dir.path().join("decisions.csv");
    std::fs::write(
        &decisions,
        "account_id,decision,rep_id,note\n-A3,pin,R2,\"=HYPERLINK(\"\"http://x\"\")\"\n",
    )
    .expect("write decisions.csv");
    let review = dir.path().join("review");
    let previous = out.join("assignments.csv");
    let o = run_solve(
        "rebalance",
        &fixture("injection/accounts.csv"),
        &reps,
        Some(&fixture("injection/plan.toml")),
        &review,
        &[
            "--previous",
            previous.to_str().expect("utf-8 path"),
            "--decisions",
            decisions.to_str().expect("utf-8 path"),
            "--effective",
            "2027-02-01",
        ],
    );
    assert_code(
        &o,
        0,
        "rebalance with the review loop on the injection fixture",
    );
    let mut written = 0;
    for name in CSV_OUTPUTS {
        written += usize::from(review.join(name).exists());
    }
    for name in [
        "decisions_applied.csv",
        "changes_vs_previous.csv",
        "transition.csv",
        "hierarchy.csv",
    ] {
        assert!(review.join(name).exists(), "{name} not written");
    }
    assert!(written >= 8, "{written} CSV outputs");
    assert_eq!(formula_cells(&review), Vec::<String>::new());
    let d = read_csv(&review.join("decisions_applied.csv"));
    assert_eq!(d.records[0].get("account_id"), "-A3", "ids as read");
    assert_eq!(d.records[0].get("note"), "'=HYPERLINK(\"http://x\")");
    let h = read_text(&review.join("hierarchy.csv"));
    assert!(h.contains("'=M1") && h.contains("'@North"), "{h}");
}

#[test]
fn evaluate_scores_the_current_owners() {
    let dir = tempdir();
    let out = dir.path().join("eval");
    let o = run([
        "evaluate".as_ref(),
        "--accounts".as_ref(),
        fixture("tiny/accounts.csv").as_os_str(),
        "--reps".as_ref(),
        fixture("tiny/reps.csv").as_os_str(),
        "--plan".as_ref(),
        fixture("tiny/plan.toml").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_code(&o, 0, "evaluate tiny");
    assert_files(&out, &["territories.csv", "summary.json", "report.md"]);
    let s = summary(&out);
    assert_eq!(s["status"], "evaluated");
    // Current books: R1 140k (7 accounts), R2 70k (2), R3 50k (1); A11, A12 unowned.
    let t = read_csv(&out.join("territories.csv"));
    let got: Vec<(String, String, String)> = t
        .records
        .iter()
        .map(|r| {
            (
                r.get("rep_id").to_string(),
                r.get("accounts").to_string(),
                r.get("potential").to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("R1", "7", "140000.00"),
        ("R2", "2", "70000.00"),
        ("R3", "1", "50000.00"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
    // Targets count every accepted account of the segment (300k / 3 reps).
    assert_eq!(t.records[0].get("target_potential"), "100000.00");
    assert_eq!(t.records[0].get("deviation_potential_pct"), "40.00");
}

#[test]
fn generated_instance_balances_and_passes_the_checker() {
    let dir = tempdir();
    let gen_dir = dir.path().join("gen");
    let o = run([
        "generate".as_ref(),
        "--n-accounts".as_ref(),
        "2000".as_ref(),
        "--n-reps".as_ref(),
        "8".as_ref(),
        "--seed".as_ref(),
        "3".as_ref(),
        "--out".as_ref(),
        gen_dir.as_os_str(),
    ]);
    assert_code(&o, 0, "allot generate");
    assert_files(&gen_dir, &["accounts.csv", "reps.csv", "plan.toml"]);
    let out = dir.path().join("out");
    let o = run_solve(
        "balance",
        &gen_dir.join("accounts.csv"),
        &gen_dir.join("reps.csv"),
        Some(&gen_dir.join("plan.toml")),
        &out,
        &["--time-limit", "3"],
    );
    assert_code(&o, 0, "balance a generated instance");
    let s = summary(&out);
    let plan = &s["plan"]["balance"];
    let band = plan["band_pct"].as_f64().expect("band_pct");
    let metrics: Vec<String> = plan["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .map(|m| m.as_str().expect("metric").to_string())
        .collect();
    let mut spec = Spec::new(
        &gen_dir.join("accounts.csv"),
        &gen_dir.join("reps.csv"),
        &out,
    )
    .band(band);
    spec.metrics = metrics;
    let c = check(&spec);
    assert_eq!(c.rows.len() + c.rejects.len(), 2000);
}

/// Rewrites OUT/assignments.csv through `edit` (rows without the header).
fn edit_assignments(out: &Path, edit: impl FnOnce(&mut Vec<Vec<String>>)) {
    let p = out.join("assignments.csv");
    let mut rdr = csv::Reader::from_path(&p).expect("assignments.csv");
    let header: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows: Vec<Vec<String>> = rdr
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect();
    edit(&mut rows);
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_path(&p)
        .expect("write assignments.csv");
    w.write_record(&header).expect("write");
    for r in rows {
        w.write_record(&r).expect("write");
    }
    w.flush().expect("flush");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        if e.path().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

/// The checker must not be vacuous: each tampering of a good output is caught.
#[test]
fn checker_catches_tampered_outputs() {
    let dir = tempdir();
    let good = dir.path().join("good");
    let o = run_fixture("balance", "tiny", &good, &[]);
    assert_code(&o, 0, "balance tiny");
    let spec = |out: &Path| Spec::of_fixture("tiny", out).band(5.0);
    check(&spec(&good));
    let rep_of = |rows: &Vec<Vec<String>>, id: &str| {
        rows.iter()
            .find(|r| r[0] == id)
            .map(|r| r[1].clone())
            .expect("row")
    };
    let other = |rep: &str| if rep == "R1" { "R2" } else { "R1" }.to_string();

    type Tamper = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Tamper, &str)> = vec![
        (
            "locked account moved",
            Box::new(|out: &Path| {
                edit_assignments(out, |rows| {
                    let r = rows.iter_mut().find(|r| r[0] == "A04").expect("A04");
                    r[1] = "R2".into();
                })
            }),
            "locked",
        ),
        (
            "family split",
            Box::new(move |out: &Path| {
                edit_assignments(out, |rows| {
                    let head = rep_of(rows, "A01");
                    let r = rows.iter_mut().find(|r| r[0] == "A03").expect("A03");
                    r[1] = other(&head);
                })
            }),
            "family split",
        ),
        (
            "row dropped",
            Box::new(|out: &Path| edit_assignments(out, |rows| rows.retain(|r| r[0] != "A12"))),
            "has 11 rows",
        ),
        (
            "unknown rep",
            Box::new(|out: &Path| {
                edit_assignments(out, |rows| {
                    let r = rows.iter_mut().find(|r| r[0] == "A11").expect("A11");
                    r[1] = "R9".into();
                })
            }),
            "not an accepted rep",
        ),
        (
            "account id given an apostrophe",
            Box::new(|out: &Path| {
                edit_assignments(out, |rows| {
                    let r = rows.iter_mut().find(|r| r[0] == "A05").expect("A05");
                    r[0] = "'A05".into();
                })
            }),
            "\"'A05\"",
        ),
        (
            "previous owner given an apostrophe",
            Box::new(|out: &Path| {
                edit_assignments(out, |rows| {
                    let r = rows.iter_mut().find(|r| r[0] == "A05").expect("A05");
                    r[2] = format!("'{}", r[2]);
                })
            }),
            "previous",
        ),
        (
            "territory load edited",
            Box::new(|out: &Path| {
                let p = out.join("territories.csv");
                let text = read_text(&p);
                let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
                let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
                cells[6] = "1.00".into();
                lines[1] = cells.join(",");
                std::fs::write(&p, lines.join("\r\n")).expect("write");
            }),
            ": potential =",
        ),
        (
            "summary moves edited",
            Box::new(|out: &Path| {
                let mut s = summary(out);
                let m = s["moves"]["moved_accounts"].as_u64().expect("moved");
                s["moves"]["moved_accounts"] = (m + 1).into();
                std::fs::write(out.join("summary.json"), s.to_string()).expect("write");
            }),
            "moves.moved_accounts",
        ),
    ];
    for (i, (what, tamper, needle)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("tampered{i}"));
        copy_dir(&good, &out);
        tamper(&out);
        let spec = spec(&out);
        let result = std::panic::catch_unwind(|| check(&spec));
        let msg = match result {
            Ok(_) => panic!("the checker missed: {what}"),
            Err(e) => e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        };
        assert!(
            msg.contains(needle),
            "{what}: expected {needle:?} in:\n{msg}"
        );
    }
}

/// The fixture `tests/fixtures/reasons`: one account (or group) per cause a move can have.
fn reasons_spec(out: &Path) -> Spec {
    Spec::new(
        &fixture("reasons/accounts.csv"),
        &fixture("reasons/reps.csv"),
        out,
    )
    .band(30.0)
    .metrics(&["accounts"])
    .max_km(500.0)
    .objective("rebalance")
}

#[test]
fn every_reason_code_names_what_kept_or_moved_the_account() {
    let dir = tempdir();
    let out = dir.path().join("reasons");
    let o = run_solve(
        "rebalance",
        &fixture("reasons/accounts.csv"),
        &fixture("reasons/reps.csv"),
        Some(&fixture("reasons/plan.toml")),
        &out,
        &["--work-limit", "2000000"],
    );
    assert_code(&o, 0, "rebalance on tests/fixtures/reasons");
    let c = check(&reasons_spec(&out));
    let at = read_csv(&out.join("assignments.csv"));
    let code: BTreeMap<String, String> = at
        .records
        .iter()
        .map(|r| {
            (
                r.get("account_id").to_string(),
                r.get("reason_code").to_string(),
            )
        })
        .collect();
    assert_eq!(code.len(), 30, "every account of the fixture is assigned");
    assert_eq!(c.rows.len(), 30);
    // What the rows force, account by account.
    for (id, want) in [
        ("a01", "locked"),
        ("a02", "white_space"),
        ("a03", "rep_leaving"),
        ("a04", "rep_leaving"),
        ("a05", "tier_change"),
        ("a06", "eligibility"),
        ("m1", "compactness"),
        ("m4", "compactness"),
    ] {
        assert_eq!(code[id], want, "{id}");
    }
    let count = |ids: &[&str], want: &str| ids.iter().filter(|id| code[**id] == want).count();
    // R2 (max 3 accounts) owned six: three leave it for its cap, three stay.
    let r2 = ["a07", "a08", "a09", "a10", "a13", "a14"];
    assert_eq!(count(&r2, "capacity"), 3, "{code:?}");
    assert_eq!(count(&r2, "kept"), 3, "{code:?}");
    // a11 (R1) and a12 (R6) are one family: one of them follows the other.
    assert_eq!(count(&["a11", "a12"], "family"), 1, "{code:?}");
    assert_eq!(count(&["a11", "a12"], "kept"), 1, "{code:?}");
    // N2 has no book: the band gives it two of N1's four.
    assert_eq!(count(&["n1", "n2", "n3", "n4"], "new_rep"), 2, "{code:?}");
    // Z1 holds six of eight: moves for the band alone.
    let z = ["z1", "z2", "z3", "z4", "z5", "z6", "z7", "z8"];
    assert!(count(&z, "balance") >= 1, "{code:?}");
    let seen: BTreeSet<&str> = code.values().map(String::as_str).collect();
    let all: BTreeSet<&str> = REASON_CODES.iter().copied().collect();
    let missing: Vec<&&str> = all.difference(&seen).collect();
    assert_eq!(
        missing,
        vec![&"decision"],
        "every code but decision (planner decisions are not built yet) appears"
    );

    // The checker's reason-code checks can fail: a wrong code is caught.
    let text = read_text(&out.join("assignments.csv"));
    for (from, to, what) in [
        (
            ",R1,R1,field,false,locked,",
            ",R1,R1,field,false,kept,",
            "a01 locked",
        ),
        (
            ",M2,M1,metro,true,compactness,",
            ",M2,M1,metro,true,capacity,",
            "m1 capacity",
        ),
        (
            ",R1,R9,field,true,rep_leaving,",
            ",R1,R9,field,true,balance,",
            "a04 balance",
        ),
    ] {
        assert!(text.contains(from), "{what}: {from} not in assignments.csv");
        std::fs::write(out.join("assignments.csv"), text.replacen(from, to, 1))
            .expect("tamper assignments.csv");
        let problems = check_problems(&reasons_spec(&out));
        assert!(
            problems.iter().any(|p| p.contains("reason_code")),
            "{what}: the checker missed a wrong reason code: {problems:?}"
        );
    }
}
