//! Red flags end to end: for every code the README documents, an input that makes it fire
//! and a clean one where nothing fires; each figure in summary.json is compared with the
//! value recomputed here from the raw CSV rows (not by the product's code), and report.md and
//! `allot evaluate`'s terminal output list every flag.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// The raw rows of one case's input, as this test reads them.
struct Raw {
    accounts: Vec<Record>,
    reps: Vec<Record>,
}

impl Raw {
    fn read(accounts: &Path, reps: &Path) -> Raw {
        Raw {
            accounts: read_csv(accounts).records,
            reps: read_csv(reps).records,
        }
    }

    fn rep(&self, id: &str) -> Option<&Record> {
        self.reps.iter().find(|r| r.get("rep_id").trim() == id)
    }

    fn fte(r: &Record) -> f64 {
        match r.get("fte").trim() {
            "" => 1.0,
            s => s.parse().expect("fte is a plain number in these cases"),
        }
    }

    fn active_owner(r: &Record) -> bool {
        let role = r.get("role").trim().to_lowercase();
        let status = r.get("status").trim().to_lowercase();
        (role.is_empty() || role == "ae" || role == "owner")
            && (status.is_empty() || status == "active")
    }

    /// Accounts that parse (every number cell a plain number).
    fn good_accounts(&self) -> impl Iterator<Item = &Record> {
        self.accounts.iter().filter(|a| {
            ["potential", "workload"]
                .iter()
                .all(|c| a.get(c).trim().is_empty() || a.get(c).trim().parse::<f64>().is_ok())
        })
    }

    fn potential(a: &Record) -> f64 {
        a.get("potential").trim().parse().unwrap_or(0.0)
    }

    /// Segment → active owner reps (ids, file order).
    fn owners_by_segment(&self) -> BTreeMap<String, Vec<&Record>> {
        let mut m: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
        for r in self.reps.iter().filter(|r| Raw::active_owner(r)) {
            m.entry(r.get("segment").trim().to_string())
                .or_default()
                .push(r);
        }
        m
    }

    /// rep id → (accounts, potential) held today.
    fn today(&self) -> BTreeMap<String, (usize, f64)> {
        let mut m: BTreeMap<String, (usize, f64)> = BTreeMap::new();
        for a in self.good_accounts() {
            let o = a.get("owner_id").trim();
            if !o.is_empty() {
                let e = m.entry(o.to_string()).or_default();
                e.0 += 1;
                e.1 += Raw::potential(a);
            }
        }
        m
    }

    /// Quota attainment as a fraction: `x%` is a percent; plain numbers are fractions unless
    /// one of the column's plain numbers is above 10.
    fn attainment(&self) -> BTreeMap<String, f64> {
        let plain_pct = self.reps.iter().any(|r| {
            let t = r.get("attainment").trim();
            !t.ends_with('%') && t.parse::<f64>().is_ok_and(|v| v > 10.0)
        });
        self.reps
            .iter()
            .filter_map(|r| {
                let t = r.get("attainment").trim();
                let v = if let Some(p) = t.strip_suffix('%') {
                    p.trim().parse::<f64>().ok()? / 100.0
                } else {
                    let v: f64 = t.parse().ok()?;
                    if plain_pct { v / 100.0 } else { v }
                };
                Some((r.get("rep_id").trim().to_string(), v))
            })
            .collect()
    }
}

/// (max − min) / min, or None when min is 0.
fn spread(values: &[f64]) -> Option<f64> {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    (lo > 0.0).then(|| (hi - lo) / lo)
}

// ---------------------------------------------------------------------------------------
// The recomputed figures, one function a code
// ---------------------------------------------------------------------------------------

fn unowned_pct(raw: &Raw, _: &Path) -> Vec<f64> {
    let all: Vec<&Record> = raw.good_accounts().collect();
    let unowned = all
        .iter()
        .filter(|a| raw.rep(a.get("owner_id").trim()).is_none())
        .count();
    vec![unowned as f64 * 100.0 / all.len() as f64]
}

fn families_split(raw: &Raw, _: &Path) -> Vec<f64> {
    let parent: BTreeMap<&str, &str> = raw
        .accounts
        .iter()
        .map(|a| (a.get("account_id").trim(), a.get("parent_id").trim()))
        .collect();
    fn root<'a>(parent: &BTreeMap<&'a str, &'a str>, mut id: &'a str) -> &'a str {
        while let Some(p) = parent.get(id).filter(|p| !p.is_empty()) {
            id = p;
        }
        id
    }
    let mut owners: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for a in &raw.accounts {
        let o = a.get("owner_id").trim();
        let e = owners
            .entry(root(&parent, a.get("account_id").trim()))
            .or_default();
        if !o.is_empty() {
            e.insert(o);
        }
    }
    vec![owners.values().filter(|o| o.len() >= 2).count() as f64]
}

fn other_segment_accounts(raw: &Raw, _: &Path) -> Vec<f64> {
    let n = raw
        .accounts
        .iter()
        .filter(|a| {
            raw.rep(a.get("owner_id").trim())
                .is_some_and(|r| r.get("segment").trim() != a.get("segment").trim())
        })
        .count();
    vec![n as f64]
}

fn attainment_ratio(raw: &Raw, _: &Path) -> Vec<f64> {
    let att = raw.attainment();
    raw.owners_by_segment()
        .values()
        .filter_map(|reps| {
            let v: Vec<f64> = reps
                .iter()
                .filter_map(|r| att.get(r.get("rep_id").trim()).copied())
                .collect();
            let (lo, hi) = (
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(0.0, f64::max),
            );
            (v.len() >= 2 && hi / lo > 2.0).then(|| hi / lo)
        })
        .collect()
}

/// The headcount case's plan: segment `s` at 1.5 accounts per rep, role CSM at 4 (a
/// half-time rep makes roster FTE and heads differ).
fn headcount_gap(raw: &Raw, _: &Path) -> Vec<f64> {
    let accounts = raw.good_accounts().count() as f64;
    let owners: f64 = raw.owners_by_segment()["s"]
        .iter()
        .map(|r| Raw::fte(r))
        .sum();
    let csm: f64 = raw
        .reps
        .iter()
        .filter(|r| r.get("role").trim().eq_ignore_ascii_case("csm"))
        .map(Raw::fte)
        .sum();
    vec![
        owners - (accounts / 1.5).ceil(),
        csm - (accounts / 4.0).ceil(),
    ]
}

fn potential_spread_pct(raw: &Raw, _: &Path) -> Vec<f64> {
    let today = raw.today();
    raw.owners_by_segment()
        .values()
        .filter_map(|reps| {
            let per_fte: Vec<f64> = reps
                .iter()
                .map(|r| today.get(r.get("rep_id").trim()).map_or(0.0, |t| t.1) / Raw::fte(r))
                .collect();
            spread(&per_fte).map(|s| s * 100.0).filter(|s| *s > 40.0)
        })
        .collect()
}

fn worst_potential_deviation_pct(raw: &Raw, _: &Path) -> Vec<f64> {
    let today = raw.today();
    let mut out = Vec::new();
    for (seg, reps) in raw.owners_by_segment() {
        let total: f64 = raw
            .good_accounts()
            .filter(|a| a.get("segment").trim() == seg)
            .map(Raw::potential)
            .sum();
        let fte: f64 = reps.iter().map(|r| Raw::fte(r)).sum();
        let worst = reps
            .iter()
            .map(|r| {
                let load = today.get(r.get("rep_id").trim()).map_or(0.0, |t| t.1);
                (load / (total * Raw::fte(r) / fte) - 1.0).abs()
            })
            .fold(0.0, f64::max);
        if worst > 0.02 + 1e-9 {
            out.push(worst * 100.0);
        }
    }
    out
}

fn capacity_used_pct(raw: &Raw, _: &Path) -> Vec<f64> {
    let today = raw.today();
    raw.reps
        .iter()
        .filter_map(|r| {
            let cap: f64 = r.get("max_accounts").trim().parse().ok()?;
            let held = today.get(r.get("rep_id").trim()).map_or(0, |t| t.0) as f64;
            (held > cap).then(|| held * 100.0 / cap)
        })
        .collect()
}

fn empty_reps(raw: &Raw, _: &Path) -> Vec<f64> {
    let today = raw.today();
    raw.owners_by_segment()
        .values()
        .map(|reps| {
            reps.iter()
                .filter(|r| !today.contains_key(r.get("rep_id").trim()))
                .count() as f64
        })
        .filter(|n| *n > 0.0)
        .collect()
}

/// From assignments.csv of the run against owner_id of the raw rows.
fn moved_pct(raw: &Raw, out: &Path) -> Vec<f64> {
    let new: BTreeMap<String, String> = read_csv(&out.join("assignments.csv"))
        .records
        .iter()
        .map(|r| (r.get("account_id").to_string(), r.get("rep_id").to_string()))
        .collect();
    let owned: Vec<&Record> = raw
        .accounts
        .iter()
        .filter(|a| !a.get("owner_id").trim().is_empty())
        .collect();
    let moved = owned
        .iter()
        .filter(|a| {
            new.get(a.get("account_id").trim()).map(String::as_str)
                != Some(a.get("owner_id").trim())
        })
        .count();
    vec![moved as f64 * 100.0 / owned.len() as f64]
}

fn ineligible_owned(raw: &Raw, _: &Path) -> Vec<f64> {
    let n = raw
        .accounts
        .iter()
        .filter(|a| {
            raw.rep(a.get("owner_id").trim()).is_some_and(|r| {
                let regions: Vec<&str> = r
                    .get("regions")
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect();
                !regions.is_empty() && !regions.contains(&a.get("region").trim())
            })
        })
        .count();
    vec![n as f64]
}

fn bad_rows(raw: &Raw, _: &Path) -> Vec<f64> {
    vec![(raw.accounts.len() - raw.good_accounts().count()) as f64]
}

/// The corrections case: locked accounts whose owner is leaving (the lock is released).
fn released_locks(raw: &Raw, _: &Path) -> Vec<f64> {
    let n = raw
        .accounts
        .iter()
        .filter(|a| a.get("locked").trim() == "true")
        .filter(|a| {
            raw.rep(a.get("owner_id").trim())
                .is_some_and(|r| r.get("status").trim() == "leaving")
        })
        .count();
    vec![n as f64]
}

// ---------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------

/// One input: accounts.csv, reps.csv, plan.toml.
#[derive(Clone)]
struct Input {
    accounts: String,
    reps: String,
    plan: String,
}

const ACCOUNTS_HEADER: &str =
    "account_id,segment,potential,workload,region,owner_id,parent_id,locked\n";

/// The clean book: one segment `s`, two reps with two accounts of 100 potential and 10
/// hours each — balanced, owned, no family, nothing to flag.
fn clean() -> Input {
    Input {
        accounts: format!(
            "{ACCOUNTS_HEADER}A1,s,100,10,NY,R1,,\nA2,s,100,10,NY,R1,,\nA3,s,100,10,NY,R2,,\nA4,s,100,10,NY,R2,,\n"
        ),
        reps: "rep_id,segment,role,fte,max_accounts,regions,status,attainment\nR1,s,,1,,,,\nR2,s,,1,,,,\n"
            .into(),
        plan: String::new(),
    }
}

impl Input {
    fn accounts(mut self, from: &str, to: &str) -> Input {
        assert!(self.accounts.contains(from), "{from:?} not in accounts");
        self.accounts = self.accounts.replacen(from, to, 1);
        self
    }

    fn add_accounts(mut self, rows: &str) -> Input {
        self.accounts.push_str(rows);
        self
    }

    fn reps(mut self, from: &str, to: &str) -> Input {
        assert!(self.reps.contains(from), "{from:?} not in reps");
        self.reps = self.reps.replacen(from, to, 1);
        self
    }

    fn add_reps(mut self, rows: &str) -> Input {
        self.reps.push_str(rows);
        self
    }

    fn plan(mut self, text: &str) -> Input {
        self.plan = text.to_string();
        self
    }

    fn write(&self, dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
        std::fs::create_dir_all(dir).expect("case folder");
        let files = (
            dir.join("accounts.csv"),
            dir.join("reps.csv"),
            dir.join("plan.toml"),
        );
        std::fs::write(&files.0, &self.accounts).expect("write accounts");
        std::fs::write(&files.1, &self.reps).expect("write reps");
        std::fs::write(&files.2, &self.plan).expect("write plan");
        files
    }
}

struct Case {
    code: &'static str,
    command: &'static str,
    /// The book its flags are about.
    book: &'static str,
    /// The default threshold.
    threshold: f64,
    unit: &'static str,
    fires: Input,
    quiet: Input,
    figures: fn(&Raw, &Path) -> Vec<f64>,
}

fn cases() -> Vec<Case> {
    let case = |code, command, book, threshold, unit, fires, quiet, figures| Case {
        code,
        command,
        book,
        threshold,
        unit,
        fires,
        quiet,
        figures,
    };
    vec![
        case(
            "unowned_accounts",
            "evaluate",
            "today",
            20.0,
            "percent",
            clean().add_accounts("U1,s,100,10,NY,,,\nU2,s,100,10,NY,,,\n"),
            clean(),
            unowned_pct as fn(&Raw, &Path) -> Vec<f64>,
        ),
        case(
            "family_split",
            "evaluate",
            "today",
            0.0,
            "count",
            clean().accounts("A3,s,100,10,NY,R2,,", "A3,s,100,10,NY,R2,A2,"),
            clean(),
            families_split,
        ),
        case(
            "owner_other_segment",
            "evaluate",
            "today",
            0.0,
            "count",
            clean()
                .add_accounts("B1,t,100,10,NY,R3,,\nB2,t,100,10,NY,R1,,\n")
                .add_reps("R3,t,,1,,,,\n"),
            clean(),
            other_segment_accounts,
        ),
        case(
            "attainment_variance",
            "evaluate",
            "today",
            2.0,
            "ratio",
            clean().reps("R1,s,,1,,,,\nR2,s,,1,,,,", "R1,s,,1,,,,130%\nR2,s,,1,,,,0.6"),
            clean().reps("R1,s,,1,,,,\nR2,s,,1,,,,", "R1,s,,1,,,,100%\nR2,s,,1,,,,0.9"),
            attainment_ratio,
        ),
        case(
            "headcount_vs_ratio",
            "evaluate",
            "input",
            1.0,
            "fte",
            clean().reps("R2,s,,1,", "R2,s,,0.5,").plan(
                "[[segments]]\nname = \"s\"\nratio = 1.5\n\n[[roles]]\nname = \"CSM\"\ncovers = [\"s\"]\nratio = 4\n",
            ),
            clean().add_reps("C1,s,CSM,1,,,,\n").plan(
                "[[segments]]\nname = \"s\"\nratio = 2\n\n[[roles]]\nname = \"CSM\"\ncovers = [\"s\"]\nratio = 4\n",
            ),
            headcount_gap,
        ),
        case(
            "potential_variance",
            "evaluate",
            "today",
            40.0,
            "percent",
            // R1 at half time: 400 per FTE against R2's 200 (equal books).
            clean().reps("R1,s,,1,", "R1,s,,0.5,"),
            clean(),
            potential_spread_pct,
        ),
        case(
            "outside_band",
            "evaluate",
            "today",
            2.0,
            "percent",
            clean().accounts("A4,s,100,", "A4,s,120,"),
            clean().accounts("A4,s,100,", "A4,s,104,"),
            worst_potential_deviation_pct,
        ),
        case(
            "over_capacity",
            "evaluate",
            "today",
            100.0,
            "percent",
            clean().reps("R1,s,,1,,", "R1,s,,1,1,"),
            clean().reps("R1,s,,1,,", "R1,s,,1,2,"),
            capacity_used_pct,
        ),
        case(
            "empty_rep",
            "evaluate",
            "today",
            0.0,
            "count",
            clean().add_reps("R3,s,,1,,,,\n"),
            clean(),
            empty_reps,
        ),
        case(
            "heavy_churn",
            "balance",
            "new",
            25.0,
            "percent",
            clean()
                .accounts("A3,s,100,10,NY,R2", "A3,s,100,10,NY,R1")
                .accounts("A4,s,100,10,NY,R2", "A4,s,100,10,NY,R1"),
            clean(),
            moved_pct,
        ),
        case(
            "broken_rule",
            "evaluate",
            "today",
            0.0,
            "count",
            clean()
                .reps("R2,s,,1,,,", "R2,s,,1,,NY,")
                .accounts("A4,s,100,10,NY", "A4,s,100,10,CA"),
            clean().reps("R2,s,,1,,,", "R2,s,,1,,NY,"),
            ineligible_owned,
        ),
        case(
            "refused_rows",
            "evaluate",
            "input",
            0.0,
            "count",
            clean().add_accounts("A9,s,lots,10,NY,R1,,\n"),
            clean(),
            bad_rows,
        ),
        case(
            "input_corrections",
            "evaluate",
            "input",
            0.0,
            "count",
            clean()
                .add_accounts("L1,s,100,10,NY,R9,,true\n")
                .add_reps("R9,s,,1,,,leaving,\n"),
            clean(),
            released_locks,
        ),
    ]
}

/// The codes of the README's red-flag table (rows starting with "| `code` |" under
/// "### Red flags").
fn readme_codes() -> BTreeSet<String> {
    let text = read_text(&root().join("README.md"));
    let section = text
        .split("\n### Red flags")
        .nth(1)
        .expect("README has a ### Red flags section");
    let section = section.split("\n#").next().unwrap_or_default();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

fn flags_of<'a>(s: &'a Value, code: &str) -> Vec<&'a Value> {
    s["red_flags"]
        .as_array()
        .expect("red_flags is a list")
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// The "## Red flags" section of report.md.
fn report_flags(out: &Path) -> String {
    let md = read_text(&out.join("report.md"));
    let tail = md
        .split("\n## Red flags\n")
        .nth(1)
        .expect("report.md has a Red flags section");
    tail.split("\n## ")
        .next()
        .unwrap_or_default()
        .split("\n---")
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn run_case(command: &str, input: &Input, dir: &Path) -> (std::process::Output, Value) {
    let (a, r, p) = input.write(dir);
    let out = dir.join("out");
    let extra: &[&str] = if command == "evaluate" {
        &[]
    } else {
        &["--time-limit", "20"]
    };
    let o = run_solve(command, &a, &r, Some(&p), &out, extra);
    assert_code(&o, 0, &format!("{command} in {}", dir.display()));
    let s = summary(&out);
    (o, s)
}

#[test]
fn every_red_flag_fires_with_its_figure_and_a_clean_book_raises_none() {
    let dir = tempdir();
    let cases = cases();
    let mut tried = BTreeSet::new();
    for c in &cases {
        // The flag fires, with the figure recomputed from the raw rows.
        let case_dir = dir.path().join(c.code);
        let (o, s) = run_case(c.command, &c.fires, &case_dir);
        let raw = Raw::read(&case_dir.join("accounts.csv"), &case_dir.join("reps.csv"));
        let want = (c.figures)(&raw, &case_dir.join("out"));
        let got = flags_of(&s, c.code);
        assert!(
            !want.is_empty(),
            "{}: the recomputation finds nothing to flag",
            c.code
        );
        assert_eq!(
            got.len(),
            want.len(),
            "{}: {} flag(s) in summary.json, {} recomputed {want:?}: {:#}",
            c.code,
            got.len(),
            want.len(),
            s["red_flags"]
        );
        let report = report_flags(&case_dir.join("out"));
        for (flag, want) in got.iter().zip(&want) {
            let figure = flag["figure"].as_f64().unwrap_or(f64::NAN);
            assert!(
                (figure - want).abs() < 1e-9 * want.abs().max(1.0),
                "{}: figure {figure}, recomputed {want}: {flag:#}",
                c.code
            );
            assert_eq!(flag["book"], c.book, "{}: book: {flag:#}", c.code);
            assert_eq!(flag["threshold"].as_f64(), Some(c.threshold), "{}", c.code);
            assert_eq!(flag["unit"], c.unit, "{}", c.code);
            let message = flag["message"].as_str().expect("a message");
            assert!(!message.is_empty(), "{}", c.code);
            assert!(
                report.contains(message),
                "{}: report.md does not list {message:?}:\n{report}",
                c.code
            );
            if c.command == "evaluate" {
                assert!(
                    stderr(&o).contains(&format!("red flag {} (", c.code))
                        && stderr(&o).contains(message),
                    "{}: evaluate does not print it:\n{}",
                    c.code,
                    stderr(&o)
                );
            }
        }
        // The clean input raises no flag at all, and the report says so.
        let quiet_dir = dir.path().join(format!("{}-quiet", c.code));
        let (o, s) = run_case(c.command, &c.quiet, &quiet_dir);
        assert_eq!(
            s["red_flags"],
            Value::Array(Vec::new()),
            "{}: the clean input raised flags",
            c.code
        );
        assert_eq!(report_flags(&quiet_dir.join("out")), "None.", "{}", c.code);
        assert!(
            !stderr(&o).contains("red flag "),
            "{}: {}",
            c.code,
            stderr(&o)
        );
        tried.insert(c.code.to_string());
    }
    assert_eq!(cases.len(), 13, "cases run");
    assert_eq!(tried.len(), 13, "distinct codes tried");
    assert_eq!(
        tried,
        readme_codes(),
        "every red flag the README documents has a case, and no other"
    );
}

#[test]
fn the_demo_is_one_digital_led_rep_short() {
    let dir = tempdir();
    let out = dir.path().join("eval");
    let o = run_solve(
        "evaluate",
        &demo_input("accounts.csv"),
        &demo_input("reps.csv"),
        Some(&demo_input("plan.toml")),
        &out,
        &[],
    );
    assert_code(&o, 0, "evaluate the demo");
    // Recompute from the raw rows: digital-led = no earlier rule matches (the demo plan's
    // thresholds), 800 accounts per rep, rounded up; roster FTE of active digital-led owners.
    let raw = Raw::read(&demo_input("accounts.csv"), &demo_input("reps.csv"));
    let num = |a: &Record, c: &str| a.get(c).trim().parse::<f64>().unwrap_or(-1.0);
    let digital = raw
        .accounts
        .iter()
        .filter(|a| {
            let (e, p) = (num(a, "employees"), num(a, "potential"));
            !(e >= 50.0 || p >= 10_000.0)
        })
        .count() as f64;
    let roster: f64 = raw.owners_by_segment()["digital-led"]
        .iter()
        .map(|r| Raw::fte(r))
        .sum();
    let want = roster - (digital / 800.0).ceil();
    assert_eq!(want, -1.0, "the demo's digital-led tier is one rep short");
    let s = summary(&out);
    let h = flags_of(&s, "headcount_vs_ratio");
    let digital_led: Vec<&&Value> = h.iter().filter(|f| f["segment"] == "digital-led").collect();
    assert_eq!(digital_led.len(), 1, "{:#}", s["red_flags"]);
    assert_eq!(digital_led[0]["figure"].as_f64(), Some(want));
    assert_eq!(digital_led[0]["book"], "input");
    assert!(stderr(&o).contains("red flag headcount_vs_ratio (roster): digital-led"));
    // The other tiers are within a rep of their ratio: not flagged.
    assert_eq!(h.len(), 1, "{h:#?}");

    // The demo itself (a solve) reports it too: its report is not "None".
    let demo = dir.path().join("demo");
    let o = run([
        "demo".as_ref(),
        "--out".as_ref(),
        demo.as_os_str(),
        "--time-limit".as_ref(),
        "5".as_ref(),
    ]);
    assert_code(&o, 0, "allot demo");
    let report = report_flags(&demo);
    assert!(
        report.starts_with("- **Headcount vs ratio** (roster): digital-led"),
        "{report}"
    );
    assert_eq!(
        flags_of(&summary(&demo), "headcount_vs_ratio")[0]["figure"].as_f64(),
        Some(want)
    );
}

#[test]
fn a_solve_judges_the_new_assignment_and_names_todays_book_for_the_input_flags() {
    // Today: two unowned accounts (2 of 6), the A2–A3 family split between R1 and R2, R2
    // far under target. The new assignment balances within ±2 % and keeps families whole.
    let input = clean()
        .accounts("A3,s,100,10,NY,R2,,", "A3,s,100,10,NY,R2,A2,")
        .add_accounts("U1,s,100,10,NY,,,\nU2,s,100,10,NY,,,\n");
    let dir = tempdir();
    let (_, today) = run_case("evaluate", &input, &dir.path().join("evaluate"));
    for code in ["unowned_accounts", "family_split", "outside_band"] {
        assert!(!flags_of(&today, code).is_empty(), "evaluate flags {code}");
    }
    let (_, new) = run_case("balance", &input, &dir.path().join("balance"));
    let codes: Vec<(&str, &str)> = new["red_flags"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default(),
                f["book"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [("unowned_accounts", "today"), ("family_split", "today")],
        "{:#}",
        new["red_flags"]
    );
    let raw = Raw::read(
        &dir.path().join("balance/accounts.csv"),
        &dir.path().join("balance/reps.csv"),
    );
    assert_eq!(
        flags_of(&new, "unowned_accounts")[0]["figure"].as_f64(),
        Some(unowned_pct(&raw, dir.path())[0])
    );
    let report = report_flags(&dir.path().join("balance/out"));
    assert!(
        report.contains("(today's book): In today's book"),
        "{report}"
    );
}

#[test]
fn attainment_is_read_through_the_column_mapping_and_bad_values_are_refused() {
    let dir = tempdir();
    // A mapped header, plain percents (above 10): 150 / 50 = 3×.
    let input = clean()
        .reps("attainment\n", "Quota_Attainment__c\n")
        .reps("R1,s,,1,,,,\nR2,s,,1,,,,", "R1,s,,1,,,,150\nR2,s,,1,,,,50")
        .plan("[columns.reps]\nattainment = \"Quota_Attainment__c\"\n");
    let (_, s) = run_case("evaluate", &input, &dir.path().join("mapped"));
    let f = flags_of(&s, "attainment_variance");
    assert_eq!(f.len(), 1, "{:#}", s["red_flags"]);
    assert_eq!(f[0]["figure"].as_f64(), Some(3.0));
    assert_eq!(f[0]["segment"], "s");

    // A bad value refuses the rep row, naming file, row and column.
    let input = clean().reps("R2,s,,1,,,,", "R2,s,,1,,,,about 80");
    let case = dir.path().join("bad");
    let (_, s) = run_case("evaluate", &input, &case);
    let rejects = read_rejects(&case.join("out"));
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert!(
        names_file(&rejects[0].file, &case.join("reps.csv")),
        "{rejects:?}"
    );
    assert_eq!(rejects[0].row, 3);
    assert_eq!(rejects[0].column, "attainment");
    assert_eq!(
        flags_of(&s, "refused_rows")[0]["figure"].as_f64(),
        Some(1.0)
    );

    // Strict: the same row fails the run with exit 1, naming the column.
    let strict = input.plan("strict = true\n");
    let (a, r, p) = strict.write(&dir.path().join("strict"));
    let o = run_solve(
        "evaluate",
        &a,
        &r,
        Some(&p),
        &dir.path().join("strict/out"),
        &[],
    );
    assert_code(&o, 1, "strict evaluate with a bad attainment");
    assert!(stderr(&o).contains("attainment"), "{}", stderr(&o));
}

#[test]
fn thresholds_come_from_the_plan() {
    // 2 of 6 unowned is 33.3 %: flagged at the default 20 %, not with max_unowned_pct = 40.
    let input = clean().add_accounts("U1,s,100,10,NY,,,\nU2,s,100,10,NY,,,\n");
    let dir = tempdir();
    let (_, s) = run_case("evaluate", &input, &dir.path().join("default"));
    assert_eq!(flags_of(&s, "unowned_accounts").len(), 1);
    let (_, s) = run_case(
        "evaluate",
        &input.clone().plan("[red_flags]\nmax_unowned_pct = 40\n"),
        &dir.path().join("raised"),
    );
    assert!(
        flags_of(&s, "unowned_accounts").is_empty(),
        "{:#}",
        s["red_flags"]
    );
    assert_eq!(
        s["plan"]["red_flags"]["max_unowned_pct"].as_f64(),
        Some(40.0)
    );
    // A bad threshold is a bad plan: exit 1 naming the key.
    let (a, r, p) = input
        .plan("[red_flags]\nmax_attainment_ratio = 0.5\n")
        .write(&dir.path().join("bad"));
    let o = run_solve(
        "evaluate",
        &a,
        &r,
        Some(&p),
        &dir.path().join("bad/out"),
        &[],
    );
    assert_code(&o, 1, "a ratio below 1");
    assert!(
        stderr(&o).contains("red_flags.max_attainment_ratio"),
        "{}",
        stderr(&o)
    );
}
