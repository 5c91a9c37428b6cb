//! `--pairs`: allot as a generalized assignment solver. The first problem of OR-Library
//! gap1 (c515-1: 5 agents, 15 jobs, published optimum 261) is written as accounts, reps and
//! pairs CSV files; `allot balance --pairs` with `objective = "cost"` must return a
//! feasible assignment of cost 261, checked here from the raw matrices.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Costs c[i][j], resource use a[i][j], capacities b[i].
type Gap = (Vec<Vec<i64>>, Vec<Vec<i64>>, Vec<i64>);

/// Reads the first problem of `../shared/bench/gap/gap1.txt`. The file is test data that is
/// always present in CI: a missing file fails the test instead of skipping it.
fn gap1_first() -> Gap {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gap/gap1.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "test data {} is missing or unreadable ({e}); it ships in ../shared/bench/gap",
            path.display()
        )
    });
    let v: Vec<i64> = text
        .split_whitespace()
        .map(|t| t.parse().expect("integer"))
        .collect();
    let (m, n) = (v[1] as usize, v[2] as usize);
    let mut at = 3;
    let mut matrix = || {
        let rows: Vec<Vec<i64>> = (0..m)
            .map(|i| v[at + i * n..at + (i + 1) * n].to_vec())
            .collect();
        at += m * n;
        rows
    };
    let c = matrix();
    let a = matrix();
    let b = v[at..at + m].to_vec();
    (c, a, b)
}

/// Runs `allot balance` on accounts.csv, reps.csv and pairs.csv of `d` (plus `extra`
/// arguments), asserts exit 0 and returns the output folder.
fn balance_with_pairs(d: &Path, extra: &[&std::ffi::OsStr]) -> std::path::PathBuf {
    let out = d.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_allot"))
        .arg("balance")
        .args(extra)
        .arg("--accounts")
        .arg(d.join("accounts.csv"))
        .arg("--reps")
        .arg(d.join("reps.csv"))
        .arg("--pairs")
        .arg(d.join("pairs.csv"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("allot runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[test]
fn pairs_make_allot_a_generalized_assignment_solver() {
    let (c, a, b) = gap1_first();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let (m, n) = (b.len(), c[0].len());
    let mut accounts = String::from("account_id,segment\n");
    for j in 0..n {
        accounts.push_str(&format!("J{j},gap\n"));
    }
    let mut reps = String::from("rep_id,segment,max_workload\n");
    for (i, cap) in b.iter().enumerate() {
        reps.push_str(&format!("A{i},gap,{cap}\n"));
    }
    let mut pairs = String::from("account_id,rep_id,cost,workload\n");
    for j in 0..n {
        for i in 0..m {
            pairs.push_str(&format!("J{j},A{i},{},{}\n", c[i][j], a[i][j]));
        }
    }
    std::fs::write(d.join("accounts.csv"), accounts).unwrap();
    std::fs::write(d.join("reps.csv"), reps).unwrap();
    std::fs::write(d.join("pairs.csv"), pairs).unwrap();
    std::fs::write(
        d.join("plan.toml"),
        "objective = \"cost\"\n[solver]\ntime_limit_s = 60\n",
    )
    .unwrap();
    let out = balance_with_pairs(d, &["--plan".as_ref(), d.join("plan.toml").as_os_str()]);

    // Independent check from the raw matrices.
    let mut rdr = csv::Reader::from_path(out.join("assignments.csv")).unwrap();
    let mut agent_of: BTreeMap<usize, usize> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let j: usize = rec[0].trim_start_matches('J').parse().unwrap();
        let i: usize = rec[1].trim_start_matches('A').parse().unwrap();
        assert!(agent_of.insert(j, i).is_none(), "job {j} twice");
    }
    assert_eq!(agent_of.len(), n, "every job exactly once");
    let mut used = vec![0i64; m];
    let mut cost = 0;
    for (&j, &i) in &agent_of {
        used[i] += a[i][j];
        cost += c[i][j];
    }
    for i in 0..m {
        assert!(used[i] <= b[i], "agent {i} uses {} of {}", used[i], b[i]);
    }
    assert_eq!(cost, 261, "published optimum of c515-1");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["pair_cost"].as_f64(), Some(261.0));
    assert_eq!(summary["status"], "optimal");
    assert!((summary["objective"].as_f64().unwrap() - 261.0).abs() < 1e-6);
}

#[test]
fn bad_pair_rows_are_refused_naming_file_row_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("accounts.csv"),
        "account_id,segment,potential,workload\nX1,s,10,1\nX2,s,10,1\nX3,s,10,1\n",
    )
    .unwrap();
    std::fs::write(d.join("reps.csv"), "rep_id,segment\nR1,s\nR2,s\n").unwrap();
    std::fs::write(
        d.join("pairs.csv"),
        "account_id,rep_id,cost,workload\nX1,R1,1,1\nX1,R9,1,1\nX2,R2,abc,1\nX2,R1,2,\nX2,R1,3,\nX3,R2,-1,2\nX9,R1,1,1\n",
    )
    .unwrap();
    // Three accounts on two reps cannot sit within ±2 %: the band is a target here.
    std::fs::write(d.join("plan.toml"), "[balance]\nhard = false\n").unwrap();
    let plan = d.join("plan.toml");
    let out = balance_with_pairs(
        d,
        &[
            "--time-limit".as_ref(),
            "5".as_ref(),
            "--plan".as_ref(),
            plan.as_os_str(),
        ],
    );
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    let rows: Vec<&str> = rejects.lines().skip(1).collect();
    let has = |row: &str, column: &str| {
        rows.iter().any(|l| {
            l.contains("pairs.csv") && l.contains(&format!(",{row},")) && l.contains(column)
        })
    };
    assert!(has("3", "rep_id"), "unknown rep R9: {rejects}");
    assert!(has("4", "cost"), "cost abc: {rejects}");
    assert!(has("6", "rep_id"), "duplicate pair X2–R1: {rejects}");
    assert!(has("8", "account_id"), "unknown account X9: {rejects}");
    // Only listed pairs are used: X1 → R1, X2 → R1 (cost 2), X3 → R2 (a negative cost is allowed).
    let assignments = std::fs::read_to_string(out.join("assignments.csv")).unwrap();
    for (acc, rep) in [("X1", "R1"), ("X2", "R1"), ("X3", "R2")] {
        assert!(
            assignments
                .lines()
                .any(|l| l.starts_with(&format!("{acc},{rep},"))),
            "{acc} → {rep}: {assignments}"
        );
    }
}
