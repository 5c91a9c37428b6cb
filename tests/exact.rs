//! allot's bounds and heuristics against exact optima at a size brute force cannot reach.
//!
//! Each case generates an instance of a few hundred accounts with `allot generate`, puts
//! its reps in one or two segments (reps.csv rewritten, the plan's rules to match), writes
//! a plan with a hard band and the objective under test (and, for `cost`, a pairs file),
//! and solves it twice:
//!
//! * with a test-only MILP ([`milp`]) written from the raw rows — not through allot's model
//!   code — solved by HiGHS to proven optimality (any other HiGHS status fails the test);
//!   its incumbent is re-evaluated from the rows (every rule, the objective);
//! * with `allot rebalance` / `allot balance` under a work limit (reproducible), whose
//!   output passes the independent checker of `tests/common`.
//!
//! Then summary.json's `lower_bound` must be ≤ the optimum, its `objective` must equal
//! what the exact model computes for allot's assignment, lie at or above HiGHS's dual
//! bound (else the exact model, not allot, is wrong) and within a stated tolerance of the
//! optimum. Every loop asserts how many instances it compared, and one test shows that the
//! comparison fails on a tampered summary and on the optimum of a wrong (relaxed) model.

mod common;
#[path = "exact/milp.rs"]
mod milp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{Rule as CheckRule, Spec, SplitMix, assert_code, check, run, run_solve, summary};

/// Work limit of every allot run (reproducible on any machine).
const WORK_LIMIT: &str = "1500000";

/// allot's objective may be at most this much (relative) above the exact optimum. Measured
/// at the work limit above: +0.0000 % on every case but four, which state their own
/// measurement and tolerance (the two disruption-budget cases, +0.877 % and +3.029 %;
/// `travel g340x12 leaving`, +0.133 %; `cost skew236x6 one`, +4.274 %). 0.1 % is one extra
/// move in up to 1,000 and catches any real loss.
const HEURISTIC_TOL: f64 = 0.001;

/// allot's lower bound may be at most this much (relative) below the exact optimum: a
/// bound that weakens is caught too. Measured: 0 %, 9.02 %, 3.71 %, 4.61 %, 3.97 %
/// (rebalance), 0.17 %, 1.64 %, 2.44 %, 0.25 % (travel), 0 %, 0.62 % (cost); the budget
/// cases and `cost skew236x6 one` have their own.
const BOUND_TOL: f64 = 0.10;

/// How a case puts reps into segments.
#[derive(Clone, Copy, Debug)]
enum Layout {
    /// Every rep in one segment `book`.
    One,
    /// enterprise + mid-market reps → `field` (accounts with ≥ 250 employees or ≥ 30,000
    /// potential), growth + digital-led → `inside` (the rest).
    Two,
}

/// One instance and plan.
#[derive(Clone, Debug)]
struct Case {
    name: &'static str,
    /// `allot generate` arguments (besides --out), separated by spaces.
    generate: &'static str,
    layout: Layout,
    objective: &'static str,
    band_pct: f64,
    metrics: &'static [&'static str],
    max_moves: Option<u64>,
    max_km: Option<f64>,
    /// Write a pairs file (3 reps per family, integer costs drawn from this seed).
    pairs: Option<u64>,
    /// Clear every `locked` cell (the generator locks some accounts far from their owner,
    /// which a travel cap would make infeasible).
    unlock: bool,
    /// Reps whose status becomes `leaving` (their accounts must move).
    leaving: &'static [&'static str],
    /// `[solver] milp_max_pairs` (0 = allot's exact MILP never runs: heuristics and bounds only).
    milp_max_pairs: u64,
    /// How far (relative) allot's objective may be above the optimum.
    heuristic_tol: f64,
    /// How far (relative) allot's lower bound may be below the optimum.
    bound_tol: f64,
}

impl Case {
    fn new(
        name: &'static str,
        generate: &'static str,
        layout: Layout,
        objective: &'static str,
    ) -> Case {
        Case {
            name,
            generate,
            layout,
            objective,
            band_pct: 5.0,
            metrics: &["workload"],
            max_moves: None,
            max_km: None,
            pairs: None,
            unlock: false,
            leaving: &[],
            milp_max_pairs: 1000,
            heuristic_tol: HEURISTIC_TOL,
            bound_tol: BOUND_TOL,
        }
    }

    fn band(mut self, pct: f64, metrics: &'static [&'static str]) -> Case {
        self.band_pct = pct;
        self.metrics = metrics;
        self
    }

    fn max_moves(mut self, m: u64) -> Case {
        self.max_moves = Some(m);
        self
    }

    fn max_km(mut self, km: f64) -> Case {
        self.max_km = Some(km);
        self.unlock = true;
        self
    }

    fn leaving(mut self, reps: &'static [&'static str]) -> Case {
        self.leaving = reps;
        self
    }

    fn pairs(mut self, seed: u64) -> Case {
        self.pairs = Some(seed);
        self
    }

    fn no_exact(mut self) -> Case {
        self.milp_max_pairs = 0;
        self
    }

    fn tolerances(mut self, heuristic: f64, bound: f64) -> Case {
        self.heuristic_tol = heuristic;
        self.bound_tol = bound;
        self
    }

    fn rules(&self) -> Vec<CheckRule> {
        match self.layout {
            Layout::One => vec![CheckRule {
                name: "book".into(),
                employees_at_least: None,
                potential_at_least: None,
            }],
            Layout::Two => vec![
                CheckRule {
                    name: "field".into(),
                    employees_at_least: Some(250.0),
                    potential_at_least: Some(30_000.0),
                },
                CheckRule {
                    name: "inside".into(),
                    employees_at_least: None,
                    potential_at_least: None,
                },
            ],
        }
    }
}

/// The input files of a prepared case.
struct Files {
    accounts: PathBuf,
    reps: PathBuf,
    plan: PathBuf,
    pairs: Option<PathBuf>,
}

/// A seeded generator (SplitMix64, see `common`) for the pairs file.
struct Mix(SplitMix);

impl Mix {
    fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n as u64) as usize
    }
}

/// Copies a CSV file, letting `edit` change each data row (cells by position, headers
/// given).
fn rewrite_rows(from: &Path, to: &Path, mut edit: impl FnMut(&mut [String], &[String])) {
    let mut rd = csv::Reader::from_path(from).expect("a generated file");
    let headers: Vec<String> = rd
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let mut wr = csv::Writer::from_path(to).expect("write a CSV file");
    wr.write_record(&headers).expect("write");
    for rec in rd.records() {
        let mut row: Vec<String> = rec.expect("a row").iter().map(str::to_string).collect();
        edit(&mut row, &headers);
        wr.write_record(&row).expect("write");
    }
    wr.flush().expect("flush");
}

/// Position of column `name`.
fn col(headers: &[String], name: &str) -> usize {
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// Generates the instance, rewrites the reps' segments, writes plan.toml (and pairs.csv).
fn prepare(case: &Case, dir: &Path) -> Files {
    let gen_dir = dir.join("gen");
    let mut args: Vec<String> = vec!["generate".into()];
    args.extend(case.generate.split_whitespace().map(String::from));
    args.push("--out".into());
    args.push(gen_dir.display().to_string());
    let out = run(&args);
    assert_code(&out, 0, &format!("{}: generate", case.name));

    let accounts = dir.join("accounts.csv");
    rewrite_rows(&gen_dir.join("accounts.csv"), &accounts, |row, h| {
        if case.unlock {
            row[col(h, "locked")] = "false".into();
        }
    });
    let reps = dir.join("reps.csv");
    rewrite_rows(&gen_dir.join("reps.csv"), &reps, |row, h| {
        let seg = col(h, "segment");
        row[seg] = match (case.layout, row[seg].as_str()) {
            (Layout::One, _) => "book",
            (Layout::Two, "enterprise" | "mid-market") => "field",
            (Layout::Two, _) => "inside",
        }
        .into();
        if case.leaving.contains(&row[col(h, "rep_id")].as_str()) {
            row[col(h, "status")] = "leaving".into();
        }
    });

    let mut plan = format!("objective = \"{}\"\n\n", case.objective);
    for r in case.rules() {
        plan += &format!("[[segments]]\nname = \"{}\"\n", r.name);
        if let Some(e) = r.employees_at_least {
            plan += &format!("employees_at_least = {e}\n");
        }
        if let Some(p) = r.potential_at_least {
            plan += &format!("potential_at_least = {p}\n");
        }
        plan += "\n";
    }
    let metrics: Vec<String> = case.metrics.iter().map(|m| format!("\"{m}\"")).collect();
    plan += &format!(
        "[balance]\nband_pct = {:?}\nhard = true\nmetrics = [{}]\n\
         weights = {{ potential = 0.0, workload = 0.0, accounts = 0.0 }}\n\n",
        case.band_pct,
        metrics.join(", ")
    );
    plan += "[disruption]\nweight = 0.0\n";
    if let Some(m) = case.max_moves {
        plan += &format!("max_moves = {m}\n");
    }
    plan += "\n[compactness]\nweight = 0.0\n";
    if let Some(km) = case.max_km {
        plan += &format!("max_km = {km:?}\n");
    }
    plan += &format!(
        "\n[solver]\nseed = 1\nthreads = 1\ntime_limit_s = 120\nmilp_max_pairs = {}\n",
        case.milp_max_pairs
    );
    let plan_path = dir.join("plan.toml");
    std::fs::write(&plan_path, plan).expect("write plan.toml");

    let pairs = case.pairs.map(|seed| {
        let inst = milp::read(&accounts, &reps, &plan_path, None);
        let fam = milp::families(&inst);
        let mut mix = Mix(SplitMix(seed));
        let path = dir.join("pairs.csv");
        let mut wr = csv::Writer::from_path(&path).expect("write pairs.csv");
        wr.write_record(["account_id", "rep_id", "cost", "workload"])
            .expect("write");
        for (f, ms) in fam.members.iter().enumerate() {
            // The root's owner when eligible, then random eligible reps, 3 in all.
            let mut el = fam.eligible[f].clone();
            let mut chosen = Vec::new();
            let owner = &inst.accounts[ms[0]].owner;
            if let Some(p) = el.iter().position(|&j| inst.reps[j].id == *owner) {
                chosen.push(el.swap_remove(p));
            }
            while chosen.len() < 3 && !el.is_empty() {
                let k = mix.below(el.len());
                chosen.push(el.swap_remove(k));
            }
            for &m in ms {
                for &j in &chosen {
                    let cost = 1 + mix.below(100);
                    wr.write_record([
                        inst.accounts[m].id.as_str(),
                        inst.reps[j].id.as_str(),
                        &cost.to_string(),
                        "",
                    ])
                    .expect("write");
                }
            }
        }
        wr.flush().expect("flush");
        path
    });
    Files {
        accounts,
        reps,
        plan: plan_path,
        pairs,
    }
}

/// What one comparison measured.
#[derive(Clone, Debug)]
struct Outcome {
    /// The exact optimum (HiGHS's incumbent, proven optimal).
    optimum: f64,
    /// HiGHS's dual bound (≤ the optimum, within 1e-9 relative).
    dual_bound: f64,
    /// allot's summary.json `lower_bound`.
    lower_bound: f64,
    /// allot's summary.json `objective`.
    objective: f64,
}

/// The comparison: the bound at or below the optimum (and at most `bound_tol` below it),
/// allot's objective at or above the dual bound and at most `rel_tol` above the optimum.
fn compare(o: &Outcome, rel_tol: f64, bound_tol: f64) -> Result<(), String> {
    let eps = 1e-6 * (1.0 + o.optimum.abs());
    if o.lower_bound > o.optimum + eps {
        return Err(format!(
            "allot's lower bound {} is above the exact optimum {}",
            o.lower_bound, o.optimum
        ));
    }
    if o.objective < o.dual_bound - eps {
        return Err(format!(
            "allot's objective {} is below the proven optimum (dual bound {}): the exact model is wrong",
            o.objective, o.dual_bound
        ));
    }
    if o.objective > o.optimum * (1.0 + rel_tol) + eps {
        return Err(format!(
            "allot's objective {} is more than {:.3} % above the optimum {}",
            o.objective,
            rel_tol * 100.0,
            o.optimum
        ));
    }
    if o.lower_bound < o.optimum * (1.0 - bound_tol) - eps {
        return Err(format!(
            "allot's lower bound {} is more than {:.3} % below the optimum {}",
            o.lower_bound,
            bound_tol * 100.0,
            o.optimum
        ));
    }
    Ok(())
}

/// allot's assignment: account_id → rep_id.
fn assignments(out: &Path) -> BTreeMap<String, String> {
    let mut rd = csv::Reader::from_path(out.join("assignments.csv")).expect("assignments.csv");
    let h = rd.headers().expect("header").clone();
    let col = |n: &str| h.iter().position(|x| x == n).expect("a column");
    let (a, r) = (col("account_id"), col("rep_id"));
    rd.records()
        .map(|rec| {
            let rec = rec.expect("a row");
            (rec[a].to_string(), rec[r].to_string())
        })
        .collect()
}

/// Solves one case both ways, checks allot's output, and returns the measured figures and
/// the instance as the exact model read it.
fn measure(case: &Case) -> (Outcome, milp::Instance) {
    let tmp = common::tempdir();
    let files = prepare(case, tmp.path());
    let inst = milp::read(
        &files.accounts,
        &files.reps,
        &files.plan,
        files.pairs.as_deref(),
    );

    let t = Instant::now();
    let exact = milp::solve(&inst).unwrap_or_else(|e| panic!("{}: exact model: {e}", case.name));
    let milp_s = t.elapsed().as_secs_f64();
    assert_eq!(
        exact.status,
        highs::HighsModelStatus::Optimal,
        "{}: HiGHS did not prove optimality",
        case.name
    );
    let (value, broken) = milp::evaluate(&inst, &exact.assignment);
    assert!(
        broken.is_empty(),
        "{}: the exact incumbent breaks rules: {broken:?}",
        case.name
    );
    assert!(
        (value - exact.objective).abs() <= 1e-6 * (1.0 + value.abs()),
        "{}: exact incumbent is worth {value}, HiGHS says {}",
        case.name,
        exact.objective
    );

    let command = if case.objective == "rebalance" {
        "rebalance"
    } else {
        "balance"
    };
    let out = tmp.path().join("out");
    let mut extra = vec!["--work-limit", WORK_LIMIT];
    let pairs_arg;
    if let Some(p) = &files.pairs {
        pairs_arg = p.display().to_string();
        extra.extend(["--pairs", pairs_arg.as_str()]);
    }
    let t = Instant::now();
    let res = run_solve(
        command,
        &files.accounts,
        &files.reps,
        Some(&files.plan),
        &out,
        &extra,
    );
    let allot_s = t.elapsed().as_secs_f64();
    assert_code(&res, 0, case.name);
    let mut spec = Spec::new(&files.accounts, &files.reps, &out)
        .band(case.band_pct)
        .metrics(case.metrics)
        .hard()
        .objective(case.objective);
    spec.rules = case.rules();
    if let Some(m) = case.max_moves {
        spec = spec.max_moves(m);
    }
    if let Some(km) = case.max_km {
        spec = spec.max_km(km);
    }
    if let Some(p) = &files.pairs {
        spec = spec.pairs(p);
    }
    check(&spec);
    let s = summary(&out);
    assert_eq!(
        s["reproducible"].as_bool(),
        Some(true),
        "{}: the work limit should decide the run",
        case.name
    );
    let objective = s["objective"].as_f64().expect("summary objective");
    let lower_bound = s["lower_bound"].as_f64().expect("summary lower_bound");
    let (theirs, broken) = milp::evaluate(&inst, &assignments(&out));
    assert!(
        broken.is_empty(),
        "{}: allot's assignment breaks rules of the exact model: {broken:?}",
        case.name
    );
    assert!(
        (theirs - objective).abs() <= 1e-6 * (1.0 + theirs.abs()),
        "{}: allot says {objective}, its assignment is worth {theirs}",
        case.name
    );
    let o = Outcome {
        optimum: exact.objective,
        dual_bound: exact.dual_bound,
        lower_bound,
        objective,
    };
    eprintln!(
        "{:<28} {:>5} binaries  exact {:>12.4} (dual {:>12.4}, {:.2} s)  allot {:>12.4} bound {:>12.4} ({} {:.2} s)  heuristic {:+.4} %  bound {:+.4} %",
        case.name,
        exact.binaries,
        o.optimum,
        o.dual_bound,
        milp_s,
        o.objective,
        o.lower_bound,
        s["status"].as_str().unwrap_or("?"),
        allot_s,
        (o.objective / o.optimum - 1.0) * 100.0,
        (o.lower_bound / o.optimum - 1.0) * 100.0
    );
    (o, inst)
}

/// Runs every case, asserts the comparison on each and the number compared.
fn compare_all(cases: &[Case], expected: usize) {
    let mut compared = 0;
    let mut failures = Vec::new();
    for case in cases {
        let (o, _) = measure(case);
        if let Err(e) = compare(&o, case.heuristic_tol, case.bound_tol) {
            failures.push(format!("{}: {e}", case.name));
        }
        compared += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(compared, expected, "instances compared");
}

fn rebalance_cases() -> Vec<Case> {
    vec![
        Case::new(
            "rebalance g400x12 two",
            "--n-accounts 400 --n-reps 12 --seed 2",
            Layout::Two,
            "rebalance",
        ),
        Case::new(
            "rebalance metro300x10 one",
            "--n-accounts 300 --n-reps 10 --seed 4 --geography metro",
            Layout::One,
            "rebalance",
        ),
        Case::new(
            "rebalance skew300x10 one",
            "--n-accounts 300 --n-reps 10 --seed 5 --owner-skew 8",
            Layout::One,
            "rebalance",
        )
        .no_exact(),
        Case::new(
            "rebalance metro300x10 pot",
            "--n-accounts 300 --n-reps 10 --seed 4 --geography metro",
            Layout::One,
            "rebalance",
        )
        .band(5.0, &["potential", "workload"]),
        // A roster change: R03 leaves, its accounts must move.
        Case::new(
            "rebalance metro377x6 leaving",
            "--n-accounts 377 --n-reps 6 --seed 21 --geography metro",
            Layout::Two,
            "rebalance",
        )
        .band(8.0, &["potential", "workload"])
        .leaving(&["R03"]),
        // Leave and join on a skewed book: two reps leave, one joins (status new), as
        // `allot generate --leavers --joiners` writes them.
        Case::new(
            "rebalance skew400x12 leave-join",
            "--n-accounts 400 --n-reps 12 --seed 11 --skew 8 --leavers 2 --joiners 1",
            Layout::Two,
            "rebalance",
        )
        .band(10.0, &["workload"]),
    ]
}

fn travel_cases() -> Vec<Case> {
    vec![
        Case::new(
            "travel g400x12 two",
            "--n-accounts 400 --n-reps 12 --seed 2",
            Layout::Two,
            "travel",
        ),
        Case::new(
            "travel metro300x10 one",
            "--n-accounts 300 --n-reps 10 --seed 4 --geography metro",
            Layout::One,
            "travel",
        )
        .no_exact(),
        Case::new(
            "travel skew300x10 budget",
            "--n-accounts 300 --n-reps 10 --seed 5 --owner-skew 8",
            Layout::Two,
            "travel",
        )
        .max_moves(120)
        // One budget for both segments: allot shares it out before the search (README,
        // "a budget is shared between segments"), the exact model does not. Measured:
        // allot +0.877 % above the optimum, its bound 15.15 % below.
        .tolerances(0.01, 0.16),
        Case::new(
            "travel metro300x10 cap",
            "--n-accounts 300 --n-reps 10 --seed 4 --geography metro",
            Layout::One,
            "travel",
        )
        .max_km(1400.0),
        Case::new(
            "travel g340x12 leaving",
            "--n-accounts 340 --n-reps 12 --seed 20",
            Layout::One,
            "travel",
        )
        .band(8.0, &["potential", "workload"])
        .leaving(&["R03"])
        .no_exact()
        // Measured: +0.133 % above the optimum, bound 0.25 % below.
        .tolerances(0.002, BOUND_TOL),
        Case::new(
            "travel g295x6 budget",
            "--n-accounts 295 --n-reps 6 --seed 35",
            Layout::Two,
            "travel",
        )
        .band(8.0, &["potential", "workload"])
        .max_moves(60)
        .no_exact()
        // The shared budget again (see above). Measured: +3.029 % above the optimum, the
        // bound 18.39 % below.
        .tolerances(0.032, 0.19),
    ]
}

fn cost_cases() -> Vec<Case> {
    vec![
        Case::new(
            "cost g300x10 two",
            "--n-accounts 300 --n-reps 10 --seed 7",
            Layout::Two,
            "cost",
        )
        .pairs(1),
        Case::new(
            "cost metro300x10 one",
            "--n-accounts 300 --n-reps 10 --seed 8 --geography metro",
            Layout::One,
            "cost",
        )
        .pairs(2)
        .band(10.0, &["workload"])
        .no_exact(),
        // The hardest of a sweep of 72 instances (seeds 20..44, all three objectives):
        // pair costs under two-sided bands on potential and workload. Measured: +4.274 %
        // above the optimum (8,100 against 7,768), the bound 10.39 % below.
        Case::new(
            "cost skew236x6 one",
            "--n-accounts 236 --n-reps 6 --seed 28 --owner-skew 8",
            Layout::One,
            "cost",
        )
        .band(8.0, &["potential", "workload"])
        .pairs(0x9a26_eab5_776c_c2e1)
        .tolerances(0.045, 0.11),
    ]
}

#[test]
fn rebalance_moves_and_bounds_against_the_exact_optimum() {
    compare_all(&rebalance_cases(), 6);
}

#[test]
fn travel_km_and_bounds_against_the_exact_optimum() {
    compare_all(&travel_cases(), 6);
}

#[test]
fn pair_cost_and_bounds_against_the_exact_optimum() {
    compare_all(&cost_cases(), 3);
}

/// The comparison is not vacuous: a tampered summary (bound above the optimum, objective
/// far above it or below the proven optimum) fails it, and so does the optimum of a wrong
/// exact model (the band widened to ±50 %) against allot's real figures.
#[test]
fn the_comparison_fails_on_a_wrong_bound_or_a_wrong_optimum() {
    let case = &rebalance_cases()[0];
    let (o, inst) = measure(case);
    compare(&o, case.heuristic_tol, case.bound_tol).expect("the real comparison passes");
    let mut tried = 0;
    for (what, tampered, expect) in [
        (
            "bound above the optimum",
            Outcome {
                lower_bound: o.optimum + 1.0,
                ..o.clone()
            },
            "lower bound",
        ),
        (
            "objective 1 % above the optimum",
            Outcome {
                objective: o.optimum * 1.01,
                ..o.clone()
            },
            "above the optimum",
        ),
        (
            "objective below the proven optimum",
            Outcome {
                objective: o.dual_bound - 1.0,
                ..o.clone()
            },
            "below the proven optimum",
        ),
        (
            "bound far below the optimum",
            Outcome {
                lower_bound: o.optimum * (1.0 - 2.0 * case.bound_tol),
                ..o.clone()
            },
            "below the optimum",
        ),
    ] {
        match compare(&tampered, case.heuristic_tol, case.bound_tol) {
            Err(e) => assert!(e.contains(expect), "{what}: {e}"),
            Ok(()) => panic!("{what}: the comparison passed {tampered:?}"),
        }
        tried += 1;
    }
    assert_eq!(tried, 4);

    // The wrong model: the same rows with the band at ±50 %, a relaxation whose optimum
    // is below the real one; allot's (real, proven) bound is above it.
    let mut wrong = inst.clone();
    wrong.plan.band_pct = 50.0;
    let w = milp::solve(&wrong).expect("the relaxed model solves");
    assert_eq!(w.status, highs::HighsModelStatus::Optimal);
    assert!(
        w.objective < o.optimum - 0.5,
        "the relaxation should move fewer accounts: {} vs {}",
        w.objective,
        o.optimum
    );
    let against_wrong = Outcome {
        optimum: w.objective,
        dual_bound: w.dual_bound,
        ..o
    };
    let e = compare(&against_wrong, case.heuristic_tol, case.bound_tol)
        .expect_err("allot's figures against a wrong optimum");
    assert!(e.contains("lower bound"), "{e}");
}
