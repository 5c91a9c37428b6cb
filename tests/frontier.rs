//! `allot frontier`, point by point against exact optima.
//!
//! Published balance-versus-disruption cases (zones × reps, a workload band, a distance per
//! zone) are not available offline, so [`zones`] writes look-alikes: a handful of sales
//! zones with a workload, a potential and a location, owned today by a skewed few of 3 reps
//! with homes of their own, optionally with a zone family, a locked zone, a white-space zone
//! and a capped rep. On those, brute force (every assignment of every zone family) gives
//! the exact best value at every budget; on a generated 40-account book, a test-only MILP
//! (tests/exact/milp.rs, plain HiGHS via good_lp, written from the raw rows) does. Every
//! point of every curve is compared and counted, and every point's assignment (from
//! frontier_assignments.csv) is re-evaluated from the raw rows: its moves, its value and
//! the rules it must keep.

mod common;
#[path = "exact/milp.rs"]
#[allow(dead_code)]
mod milp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{
    Rule as CheckRule, Spec, SplitMix, Table, assert_code, check, read_csv, read_text, run,
    run_solve, stderr, summary, tempdir,
};

/// The frontier's tie-break weight on the moved share while it minimises balance
/// (README, "allot frontier").
const TIE: f64 = 1e-4;

/// Work limit of every frontier run here (the whole curve; split per point).
const WORK: &str = "4000000";

/// Absolute tolerance on objective values compared with brute force.
const TOL: f64 = 1e-6;

/// A zones × reps look-alike.
#[derive(Clone, Copy, Debug)]
struct Zones {
    name: &'static str,
    zones: usize,
    reps: usize,
    seed: u64,
    /// Zones 1 and 2 form a family (zone 2's parent is zone 1).
    family: bool,
    /// The last zone is locked to its owner.
    locked: bool,
    /// One zone has no owner (white space).
    white: bool,
    /// The first rep may hold at most `zones / 2` accounts.
    cap: bool,
    /// Balance workload and potential (else workload only).
    two_metrics: bool,
    /// The band, percent.
    band_pct: f64,
}

impl Zones {
    const fn new(name: &'static str, zones: usize, seed: u64) -> Zones {
        Zones {
            name,
            zones,
            reps: 3,
            seed,
            family: false,
            locked: false,
            white: false,
            cap: false,
            two_metrics: false,
            band_pct: 10.0,
        }
    }
}

/// The brute-force cases: 7 to 10 zone families on 3 reps.
const CASES: [Zones; 4] = [
    Zones::new("z8 plain", 8, 11),
    Zones {
        family: true,
        locked: true,
        ..Zones::new("z10 family+lock", 10, 12)
    },
    Zones {
        white: true,
        cap: true,
        two_metrics: true,
        band_pct: 15.0,
        ..Zones::new("z9 white+cap, two metrics", 9, 13)
    },
    Zones {
        band_pct: 6.0,
        ..Zones::new("z9 narrow band", 9, 14)
    },
];

/// Writes accounts.csv, reps.csv and plan.toml of a zones case into `dir`.
fn zones(dir: &Path, z: &Zones) -> (PathBuf, PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).expect("case folder");
    let mut g = SplitMix(z.seed);
    let mut unit = || (g.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let mut acc = String::from(
        "account_id,name,employees,potential,workload,lat,lon,industry,region,owner_id,parent_id,locked\n",
    );
    for i in 0..z.zones {
        // Skewed ownership: rep 1 holds most zones today.
        let u = unit();
        let owner = if u < 0.6 {
            1
        } else if u < 0.85 {
            2
        } else {
            3
        };
        let owner = if z.white && i == 3 {
            String::new()
        } else {
            format!("R{owner}")
        };
        let parent = if z.family && i == 1 { "Z00" } else { "" };
        let locked = z.locked && i + 1 == z.zones;
        acc += &format!(
            "Z{i:02},Zone {i},100,{},{},{:.4},{:.4},Retail,Midwest,{owner},{parent},{locked}\n",
            (1000.0 + 9000.0 * unit()).round(),
            (20.0 + 100.0 * unit()).round(),
            41.0 + 3.0 * unit(),
            -90.0 + 4.0 * unit(),
        );
    }
    let mut reps = String::from(
        "rep_id,name,segment,role,lat,lon,fte,max_accounts,max_workload,regions,industries,status\n",
    );
    for r in 1..=z.reps {
        let cap = if z.cap && r == 1 {
            (z.zones / 2).to_string()
        } else {
            String::new()
        };
        reps += &format!(
            "R{r},Rep {r},book,,{:.4},{:.4},1,{cap},,,,active\n",
            41.5 + r as f64 * 0.7,
            -89.5 + r as f64 * 0.9
        );
    }
    let metrics = if z.two_metrics {
        "[\"workload\", \"potential\"]"
    } else {
        "[\"workload\"]"
    };
    let plan = format!(
        "[[segments]]\nname = \"book\"\n\n[balance]\nband_pct = {:?}\nhard = true\nmetrics = {metrics}\n\n\
         [solver]\nseed = 1\nthreads = 1\ntime_limit_s = 60\n",
        z.band_pct
    );
    let (a, r, p) = (
        dir.join("accounts.csv"),
        dir.join("reps.csv"),
        dir.join("plan.toml"),
    );
    std::fs::write(&a, acc).expect("write accounts.csv");
    std::fs::write(&r, reps).expect("write reps.csv");
    std::fs::write(&p, plan).expect("write plan.toml");
    (a, r, p)
}

/// One assignment, evaluated from the raw rows.
#[derive(Clone, Debug)]
struct Eval {
    /// Owned accounts whose owner changes.
    moves: f64,
    /// Their potential.
    moved_potential: f64,
    /// Their own workload.
    moved_workload: f64,
    /// Σ over balanced metrics of the worst |deviation| (a fraction).
    balance: f64,
    /// Total km from rep home to account.
    km: f64,
    /// Every rep within the band on every balanced metric.
    within_band: bool,
}

/// The instance as brute force sees it: families on eligible reps.
struct Brute {
    inst: milp::Instance,
    fam: milp::Families,
    rep_ix: BTreeMap<String, usize>,
}

impl Brute {
    fn new(accounts: &Path, reps: &Path, plan: &Path) -> Brute {
        let inst = milp::read(accounts, reps, plan, None);
        let fam = milp::families(&inst);
        assert_eq!(fam.seg_reps.len(), 1, "one segment");
        let rep_ix = inst
            .reps
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        Brute { inst, fam, rep_ix }
    }

    /// Owned accounts (those with an owner on the roster).
    fn owned(&self) -> f64 {
        self.fam.owned as f64
    }

    /// Evaluates account → rep index; `None` when a rule breaks (family split, a lock, an
    /// ineligible rep, a cap).
    fn eval(&self, rep_of: &[usize]) -> Option<Eval> {
        let inst = &self.inst;
        let mut load = vec![[0.0f64; 3]; inst.reps.len()];
        let (mut moves, mut moved_pot, mut moved_work, mut km) = (0.0, 0.0, 0.0, 0.0);
        for (i, a) in inst.accounts.iter().enumerate() {
            let j = rep_of[i];
            let r = &inst.reps[j];
            load[j][0] += a.potential.unwrap_or(0.0);
            load[j][1] += a.workload;
            load[j][2] += 1.0;
            if !a.owner.is_empty() && a.owner != r.id {
                moves += 1.0;
                moved_pot += a.potential.unwrap_or(0.0);
                moved_work += a.workload;
            }
            if let (Some(h), Some(c)) = (r.coords, a.coords) {
                km += milp::km(h, c);
            }
        }
        for (f, ms) in self.fam.members.iter().enumerate() {
            let j = rep_of[ms[0]];
            if ms.iter().any(|&m| rep_of[m] != j) || !self.fam.eligible[f].contains(&j) {
                return None;
            }
        }
        for (j, r) in inst.reps.iter().enumerate() {
            let over = |cap: Option<f64>, x: f64| cap.is_some_and(|c| x > c + 1e-9);
            if over(r.max_accounts, load[j][2])
                || over(r.max_workload, load[j][1])
                || over(r.max_potential, load[j][0])
            {
                return None;
            }
        }
        let reps = &self.fam.seg_reps[0];
        let fte: f64 = reps.iter().map(|&j| inst.reps[j].fte).sum();
        let (mut balance, mut within) = (0.0, true);
        for m in &inst.plan.metrics {
            let k = match m.as_str() {
                "potential" => 0,
                "workload" => 1,
                _ => 2,
            };
            let mut worst = 0.0f64;
            for &j in reps {
                let target = self.fam.seg_total[0][k] * inst.reps[j].fte / fte;
                let d = if target > 0.0 {
                    load[j][k] / target - 1.0
                } else {
                    0.0
                };
                worst = worst.max(d.abs());
            }
            balance += worst;
            within &= worst <= inst.plan.band_pct / 100.0 + 1e-9;
        }
        Some(Eval {
            moves,
            moved_potential: moved_pot,
            moved_workload: moved_work,
            balance,
            km,
            within_band: within,
        })
    }

    /// Every assignment of every family to an eligible rep, evaluated (those that keep the
    /// rules).
    fn all(&self) -> Vec<Eval> {
        let n = self.fam.members.len();
        let mut pick = vec![0usize; n];
        let mut rep_of = vec![0usize; self.inst.accounts.len()];
        let mut out = Vec::new();
        loop {
            for (f, ms) in self.fam.members.iter().enumerate() {
                for &m in ms {
                    rep_of[m] = self.fam.eligible[f][pick[f]];
                }
            }
            if let Some(e) = self.eval(&rep_of) {
                out.push(e);
            }
            let mut f = 0;
            loop {
                if f == n {
                    return out;
                }
                pick[f] += 1;
                if pick[f] < self.fam.eligible[f].len() {
                    break;
                }
                pick[f] = 0;
                f += 1;
            }
        }
    }

    /// The frontier's balance objective of an evaluated assignment.
    fn balance_objective(&self, e: &Eval) -> f64 {
        e.balance + TIE * e.moves / self.owned().max(1.0)
    }

    /// An assignment of frontier_assignments.csv column `col` as rep indices per account.
    fn assignment(&self, table: &Table, col: &str) -> Vec<usize> {
        let by_id: BTreeMap<&str, &str> = table
            .records
            .iter()
            .map(|r| (r.get("account_id"), r.get(col)))
            .collect();
        self.inst
            .accounts
            .iter()
            .map(|a| {
                let rep = by_id
                    .get(a.id.as_str())
                    .unwrap_or_else(|| panic!("{col}: no row for account {}", a.id));
                *self
                    .rep_ix
                    .get(*rep)
                    .unwrap_or_else(|| panic!("{col}: account {} on unknown rep {rep:?}", a.id))
            })
            .collect()
    }
}

/// The budget of a frontier.csv row in its measure (∞ on the unconstrained point).
fn budget_of(r: &common::Record) -> f64 {
    if r.get("budget_key") == "none" {
        f64::INFINITY
    } else {
        num(r.get("budget"))
    }
}

fn num(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("not a number in frontier.csv: {s:?}"))
}

/// Runs `allot frontier` with `extra` arguments and returns frontier.csv and
/// frontier_assignments.csv.
fn frontier(a: &Path, r: &Path, p: &Path, out: &Path, extra: &[&str]) -> (Table, Table) {
    let mut args = vec!["--work-limit", WORK];
    args.extend_from_slice(extra);
    let o = run_solve("frontier", a, r, Some(p), out, &args);
    assert_code(&o, 0, "allot frontier");
    (
        read_csv(&out.join("frontier.csv")),
        read_csv(&out.join("frontier_assignments.csv")),
    )
}

/// Which value the curve minimises.
#[derive(Clone, Copy, PartialEq)]
enum Y {
    Balance,
    Travel,
}

/// Compares every point of a curve with brute force; returns how many were compared.
fn compare_with_brute_force(
    name: &str,
    b: &Brute,
    csv: &Table,
    asg: &Table,
    y: Y,
    by_potential: bool,
) -> usize {
    let all = b.all();
    assert!(
        !all.is_empty(),
        "{name}: brute force found no feasible assignment"
    );
    let x = |e: &Eval| {
        if by_potential {
            e.moved_potential
        } else {
            e.moves
        }
    };
    let value = |e: &Eval| match y {
        Y::Balance => Some(b.balance_objective(e)),
        Y::Travel => e.within_band.then_some(e.km),
    };
    // The curve starts at the least any assignment with a value must move (exact here).
    let least = all
        .iter()
        .filter(|e| value(e).is_some())
        .map(x)
        .fold(f64::INFINITY, f64::min);
    if let Some(first) = csv
        .records
        .first()
        .filter(|r| r.get("budget_key") != "none")
    {
        assert!(
            (num(first.get("budget")) - least).abs() <= 1e-6 * least.max(1.0),
            "{name}: the curve starts at budget {}, the least any assignment moves is {least}",
            first.get("budget")
        );
    }
    let mut compared = 0;
    let mut last: Option<f64> = None;
    for r in &csv.records {
        let budget = budget_of(r);
        let exact = all
            .iter()
            .filter(|e| x(e) <= budget * (1.0 + 1e-12) + 1e-9)
            .filter_map(value)
            .fold(f64::INFINITY, f64::min);
        let status = r.get("status");
        let point = r.get("point");
        if exact.is_infinite() {
            assert_eq!(
                status, "infeasible",
                "{name} point {point}: no assignment keeps budget {budget}, yet status {status}"
            );
            compared += 1;
            continue;
        }
        assert!(
            status == "optimal",
            "{name} point {point} (budget {budget}): status {status}, expected a proven optimum {exact}"
        );
        let obj = num(r.get("objective"));
        let lb = num(r.get("lower_bound"));
        assert!(
            (obj - exact).abs() <= TOL * exact.abs().max(1.0),
            "{name} point {point} (budget {budget}): objective {obj}, exact optimum {exact}"
        );
        assert!(
            lb <= exact + TOL * exact.abs().max(1.0),
            "{name} point {point}: lower bound {lb} above the optimum {exact}"
        );
        // The point's assignment, re-evaluated from the raw rows.
        let rep_of = b.assign_col(asg, point);
        let e = b.eval(&rep_of).unwrap_or_else(|| {
            panic!("{name} point {point}: the assignment breaks a family, lock, eligibility or cap")
        });
        assert!(
            x(&e) <= budget * (1.0 + 1e-12) + 1e-9,
            "{name} point {point}: moves {} over budget {budget}",
            x(&e)
        );
        assert_eq!(num(r.get("moves")), e.moves, "{name} point {point}: moves");
        assert!(
            (num(r.get("moved_potential")) - e.moved_potential).abs() <= 0.01,
            "{name} point {point}: moved_potential"
        );
        let mine = value(&e).unwrap_or_else(|| panic!("{name} point {point}: outside the band"));
        assert!(
            (mine - obj).abs() <= TOL * obj.abs().max(1.0),
            "{name} point {point}: frontier.csv objective {obj}, recomputed {mine}"
        );
        assert!(
            (num(r.get("balance_pct")) - 100.0 * e.balance).abs() <= 1e-3,
            "{name} point {point}: balance_pct"
        );
        assert!(
            (num(r.get("total_km")) - e.km).abs() <= 1e-2,
            "{name} point {point}: total_km"
        );
        assert_eq!(
            r.get("within_band") == "true",
            e.within_band,
            "{name} point {point}: within_band"
        );
        if let Some(l) = last {
            assert!(
                obj <= l + TOL,
                "{name} point {point}: {obj} worse than a smaller budget's {l}"
            );
        }
        last = Some(obj);
        compared += 1;
    }
    compared
}

impl Brute {
    fn assign_col(&self, asg: &Table, point: &str) -> Vec<usize> {
        self.assignment(asg, &format!("point_{point}"))
    }
}

#[test]
fn balance_curve_matches_brute_force_on_zones_cases() {
    let dir = tempdir();
    let mut compared = 0;
    let mut cases = 0;
    for z in &CASES {
        let d = dir.path().join(z.name.replace([' ', ',', '+'], "_"));
        let (a, r, p) = zones(&d, z);
        let (csv, asg) = frontier(&a, &r, &p, &d.join("out"), &[]);
        assert!(
            csv.records.len() >= 3,
            "{}: {} points",
            z.name,
            csv.records.len()
        );
        let b = Brute::new(&a, &r, &p);
        compared += compare_with_brute_force(z.name, &b, &csv, &asg, Y::Balance, false);
        cases += 1;
    }
    assert_eq!(cases, CASES.len());
    assert!(compared >= 3 * CASES.len(), "compared {compared} points");
    eprintln!("balance: {compared} points compared with brute force over {cases} cases");
}

#[test]
fn travel_curve_matches_brute_force_on_zones_cases() {
    let dir = tempdir();
    let mut compared = 0;
    let mut forced = 0;
    for z in &CASES {
        let d = dir.path().join(z.name.replace([' ', ',', '+'], "_"));
        let (a, r, p) = zones(&d, z);
        let (csv, asg) = frontier(&a, &r, &p, &d.join("out"), &["--metric", "travel"]);
        // The bands cannot be met with few moves on skewed books: the curve starts at the
        // least they need (checked against brute force below), so no point is infeasible.
        assert!(
            csv.records.iter().all(|r| r.get("status") != "infeasible"),
            "{}: an infeasible point",
            z.name
        );
        forced += usize::from(num(csv.records[0].get("budget")) > 0.0);
        let b = Brute::new(&a, &r, &p);
        compared += compare_with_brute_force(z.name, &b, &csv, &asg, Y::Travel, false);
    }
    assert!(compared >= 3 * CASES.len(), "compared {compared} points");
    assert!(
        forced >= 1,
        "no case where the bands force moves: the cases no longer test that case"
    );
    eprintln!(
        "travel: {compared} points compared with brute force ({forced} curves start above 0)"
    );
}

/// `[disruption] measure = "potential"` and `"workload"`: the budgets are stated on that
/// measure, the x axis counts it, and every point is the exact best balance (with the
/// tie-break on the moved share of that measure) among assignments within the budget.
#[test]
fn potential_and_workload_measure_curves_match_brute_force() {
    let dir = tempdir();
    let mut compared = 0;
    let mut curves = 0;
    for (z, measure) in [
        (&CASES[1], "potential"),
        (&CASES[1], "workload"),
        (&CASES[2], "workload"),
    ] {
        let name = format!("{} by {measure}", z.name);
        let d = dir.path().join(name.replace([' ', ',', '+'], "_"));
        let (a, r, p) = zones(&d, z);
        let text = read_text(&p) + &format!("\n[disruption]\nmeasure = \"{measure}\"\n");
        std::fs::write(&p, text).expect("write plan");
        let (csv, asg) = frontier(&a, &r, &p, &d.join("out"), &["--points", "6"]);
        let key = format!("max_moved_{measure}_pct = ");
        assert!(
            csv.records
                .iter()
                .take(csv.records.len() - 1)
                .all(|r| r.get("budget_key").starts_with(&key)),
            "{name}: budgets are stated on {measure}"
        );
        let b = Brute::new(&a, &r, &p);
        let of = |e: &Eval| {
            if measure == "potential" {
                e.moved_potential
            } else {
                e.moved_workload
            }
        };
        let owned: f64 = b
            .inst
            .accounts
            .iter()
            .filter(|a| !a.owner.is_empty())
            .map(|a| {
                if measure == "potential" {
                    a.potential.unwrap_or(0.0)
                } else {
                    a.workload
                }
            })
            .sum();
        let all = b.all();
        let mut last = f64::INFINITY;
        let mut points = 0;
        for r in &csv.records {
            let point = r.get("point");
            let budget = budget_of(r);
            // Tie-break on the moved share of the measure, not of accounts.
            let exact = all
                .iter()
                .filter(|e| of(e) <= budget + 1e-6)
                .map(|e| e.balance + TIE * of(e) / owned)
                .fold(f64::INFINITY, f64::min);
            if exact.is_infinite() {
                assert_eq!(r.get("status"), "infeasible", "{name} point {point}");
                points += 1;
                continue;
            }
            let obj = num(r.get("objective"));
            assert_eq!(r.get("status"), "optimal", "{name} point {point}");
            assert!(
                (obj - exact).abs() <= TOL,
                "{name} point {point}: {obj} vs exact {exact}"
            );
            assert!(
                num(r.get("lower_bound")) <= exact + TOL,
                "{name} point {point}: bound above the optimum"
            );
            let e = b
                .eval(&b.assign_col(&asg, point))
                .unwrap_or_else(|| panic!("{name} point {point}: the assignment breaks a rule"));
            assert!(
                of(&e) <= budget + 1e-6,
                "{name} point {point}: {measure} moved {} over budget {budget}",
                of(&e)
            );
            if let Some(pct) = r.get("budget_key").strip_prefix(&key) {
                let stated = num(pct) / 100.0 * owned;
                assert!(
                    (stated - budget).abs() <= 1e-6 * owned.max(1.0),
                    "{name} point {point}: {key}{pct} is {stated} of {measure}, budget {budget}"
                );
            }
            assert!(
                (num(r.get("moved_workload")) - e.moved_workload).abs() <= 0.01
                    && (num(r.get("moved_potential")) - e.moved_potential).abs() <= 0.01
                    && num(r.get("moves")) == e.moves,
                "{name} point {point}: moved figures"
            );
            assert!(
                obj <= last + TOL,
                "{name} point {point}: {obj} worse than a smaller budget's {last}"
            );
            last = obj;
            points += 1;
        }
        assert_eq!(points, csv.records.len(), "{name}");
        assert!(points >= 3, "{name}: {points} points");
        compared += points;
        curves += 1;
    }
    assert_eq!(curves, 3);
    eprintln!("potential/workload measures: {compared} points compared over {curves} curves");
}

#[test]
fn tiny_fixture_curve_is_exact_monotone_with_knee() {
    let dir = tempdir();
    // The fixture with its one segment named as a rule, so that the exact model reads it.
    let a = common::fixture("tiny/accounts.csv");
    let r = common::fixture("tiny/reps.csv");
    let p = dir.path().join("plan.toml");
    std::fs::write(
        &p,
        read_text(&common::fixture("tiny/plan.toml")).replace(
            "[balance]",
            "[[segments]]\nname = \"mid-market\"\n\n[balance]",
        ),
    )
    .expect("write plan");
    let b = Brute::new(&a, &r, &p);
    let mut compared = 0;
    for (y, metric) in [(Y::Balance, "balance"), (Y::Travel, "travel")] {
        let out = dir.path().join(metric);
        let (csv, asg) = frontier(&a, &r, &p, &out, &["--metric", metric]);
        compared += compare_with_brute_force(metric, &b, &csv, &asg, y, false);
        assert_knee_and_dominance(&csv);
    }
    // Balance from 0 moves; travel from the 2 moves the ±5 % bands need.
    assert!(compared >= 4, "compared {compared}");
}

/// Recomputes `dominated` and `knee` of frontier.csv by the README's rules.
fn assert_knee_and_dominance(csv: &Table) -> usize {
    let pts: Vec<(usize, f64, f64)> = csv
        .records
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r.get("status"), "optimal" | "feasible"))
        .map(|(i, r)| (i, num(r.get("moves")), num(r.get("objective"))))
        .collect();
    let eq = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    let mut on = Vec::new();
    for &(i, x, y) in &pts {
        let dominated = pts.iter().any(|&(k, xk, yk)| {
            k != i
                && (xk < x || eq(xk, x))
                && (yk < y || eq(yk, y))
                && (!eq(xk, x) || !eq(yk, y) || k < i)
        });
        assert_eq!(
            csv.records[i].get("dominated") == "true",
            dominated,
            "point {}: dominated flag",
            csv.records[i].get("point")
        );
        if !dominated {
            on.push((i, x, y));
        }
    }
    for r in &csv.records {
        if !matches!(r.get("status"), "optimal" | "feasible") {
            assert_eq!(r.get("dominated"), "false");
            assert_eq!(r.get("knee"), "false");
        }
    }
    let knees: Vec<usize> = csv
        .records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.get("knee") == "true")
        .map(|(i, _)| i)
        .collect();
    if on.is_empty() {
        assert!(knees.is_empty());
        return 0;
    }
    assert_eq!(knees.len(), 1, "one knee");
    on.sort_by(|a, b| a.1.total_cmp(&b.1));
    let expected = if on.len() < 3 {
        on.iter()
            .min_by(|a, b| a.2.total_cmp(&b.2))
            .expect("a point")
            .0
    } else {
        let (x0, x1) = (on[0].1, on[on.len() - 1].1);
        let ylo = on.iter().map(|p| p.2).fold(f64::INFINITY, f64::min);
        let yhi = on.iter().map(|p| p.2).fold(f64::NEG_INFINITY, f64::max);
        let n = |v: f64, lo: f64, hi: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
        let (ax, ay) = (0.0, n(on[0].2, ylo, yhi));
        let (bx, by) = (1.0, n(on[on.len() - 1].2, ylo, yhi));
        let mut best = (on[0].0, -1.0);
        for &(i, x, y) in &on {
            let (px, py) = (n(x, x0, x1), n(y, ylo, yhi));
            // Distance from the chord (cross product over its length).
            let d = ((bx - ax) * (py - ay) - (by - ay) * (px - ax)).abs()
                / ((bx - ax) * (bx - ax) + (by - ay) * (by - ay)).sqrt();
            if d > best.1 + 1e-12 {
                best = (i, d);
            }
        }
        best.0
    };
    assert_eq!(
        knees[0], expected,
        "the knee is not where the README's rule puts it"
    );
    on.len()
}

/// A generated book in one segment (reps.csv rewritten, the plan's rules to match).
fn generated_book(
    dir: &Path,
    accounts: usize,
    reps: usize,
    seed: u64,
    band: f64,
) -> (PathBuf, PathBuf, PathBuf) {
    let g = dir.join("gen");
    let o = run([
        "generate",
        "--n-accounts",
        &accounts.to_string(),
        "--n-reps",
        &reps.to_string(),
        "--owner-skew",
        "4",
        "--seed",
        &seed.to_string(),
        "--out",
        g.to_str().expect("utf-8"),
    ]);
    assert_code(&o, 0, "allot generate");
    let a = dir.join("accounts.csv");
    // No locks (a lock far from home can make the travel band impossible).
    let text = read_text(&g.join("accounts.csv"));
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let h = rd.headers().expect("header").clone();
    let li = h.iter().position(|c| c == "locked").expect("locked column");
    let mut w = csv::Writer::from_path(&a).expect("write accounts");
    w.write_record(&h).expect("write");
    for rec in rd.records() {
        let mut row: Vec<String> = rec.expect("row").iter().map(str::to_string).collect();
        row[li] = "false".into();
        w.write_record(&row).expect("write");
    }
    w.flush().expect("flush");
    let r = dir.join("reps.csv");
    let text = read_text(&g.join("reps.csv"));
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let h = rd.headers().expect("header").clone();
    let si = h
        .iter()
        .position(|c| c == "segment")
        .expect("segment column");
    let mut w = csv::Writer::from_path(&r).expect("write reps");
    w.write_record(&h).expect("write");
    for rec in rd.records() {
        let mut row: Vec<String> = rec.expect("row").iter().map(str::to_string).collect();
        row[si] = "book".into();
        w.write_record(&row).expect("write");
    }
    w.flush().expect("flush");
    let p = dir.join("plan.toml");
    std::fs::write(
        &p,
        format!(
            "[[segments]]\nname = \"book\"\n\n[balance]\nband_pct = {band:?}\nhard = true\nmetrics = [\"workload\"]\n\n\
             [solver]\nseed = 1\nthreads = 1\ntime_limit_s = 60\n"
        ),
    )
    .expect("write plan");
    (a, r, p)
}

#[test]
fn travel_curve_matches_highs_on_a_generated_book() {
    let dir = tempdir();
    let (a, r, p) = generated_book(dir.path(), 40, 3, 5, 10.0);
    let (csv, asg) = frontier(
        &a,
        &r,
        &p,
        &dir.path().join("out"),
        &["--metric", "travel", "--points", "7"],
    );
    let inst = milp::read(&a, &r, &p, None);
    let mut compared = 0;
    let mut feasible = 0;
    for row in &csv.records {
        let point = row.get("point");
        let mut q = inst.clone();
        q.plan.objective = "travel".into();
        q.plan.max_moves = (row.get("budget_key") != "none").then(|| num(row.get("budget")));
        match milp::solve(&q) {
            Err(e) => {
                assert_eq!(row.get("status"), "infeasible", "point {point}: HiGHS: {e}");
            }
            Ok(x) => {
                assert_eq!(
                    x.status,
                    highs::HighsModelStatus::Optimal,
                    "point {point}: HiGHS did not prove"
                );
                assert_eq!(
                    row.get("status"),
                    "optimal",
                    "point {point}: HiGHS optimum {}",
                    x.objective
                );
                let obj = num(row.get("objective"));
                assert!(
                    (obj - x.objective).abs() <= 1e-6 * x.objective.max(1.0),
                    "point {point}: allot {obj}, HiGHS {}",
                    x.objective
                );
                // allot's assignment, re-evaluated by the exact model's own rule code.
                let mine: BTreeMap<String, String> = asg
                    .records
                    .iter()
                    .map(|r| {
                        (
                            r.get("account_id").to_string(),
                            r.get(&format!("point_{point}")).to_string(),
                        )
                    })
                    .collect();
                let (value, broken) = milp::evaluate(&q, &mine);
                assert!(broken.is_empty(), "point {point}: {broken:?}");
                assert!(
                    (value - obj).abs() <= 1e-6 * obj.max(1.0),
                    "point {point}: {value} vs {obj}"
                );
                feasible += 1;
            }
        }
        compared += 1;
    }
    assert_eq!(compared, csv.records.len());
    assert!(
        compared >= 4 && feasible >= 2,
        "compared {compared}, feasible {feasible}"
    );
    assert_knee_and_dominance(&csv);
}

#[test]
fn pick_writes_the_points_full_output_set_which_passes_the_checker() {
    let dir = tempdir();
    let (a, r, p) = generated_book(dir.path(), 60, 4, 8, 10.0);
    let out = dir.path().join("out");
    let (csv, asg) = frontier(&a, &r, &p, &out, &["--points", "5", "--pick", "3"]);
    let row = &csv.records[2];
    assert_eq!(row.get("point"), "3");
    let dir3 = out.join("point-3");
    for f in [
        "assignments.csv",
        "territories.csv",
        "summary.json",
        "report.md",
        "report.html",
        "plan.toml",
    ] {
        assert!(dir3.join(f).exists(), "point-3/{f} missing");
    }
    let budget = num(row.get("budget")) as u64;
    let mut spec = Spec::new(&a, &r, &dir3);
    spec.rules = vec![CheckRule {
        name: "book".into(),
        employees_at_least: None,
        potential_at_least: None,
    }];
    spec.band_pct = 10.0;
    spec.metrics = vec!["workload".into()];
    spec.hard_band = false;
    spec.max_moves = Some(budget);
    check(&spec);
    // The same assignment as the curve's point (work-limited: the same solve).
    let written = read_csv(&dir3.join("assignments.csv"));
    let col = format!(
        "point_{}",
        row.get("from_point")
            .parse::<usize>()
            .map_or("3".to_string(), |k| k.to_string())
    );
    let curve: BTreeMap<&str, &str> = asg
        .records
        .iter()
        .map(|r| (r.get("account_id"), r.get(&col)))
        .collect();
    let mut same = 0;
    for w in &written.records {
        assert_eq!(
            curve.get(w.get("account_id")),
            Some(&w.get("rep_id")),
            "account {}",
            w.get("account_id")
        );
        same += 1;
    }
    assert_eq!(same, curve.len());
    let s = summary(&dir3);
    assert_eq!(
        s["moves"]["moved_accounts"].as_f64(),
        Some(num(row.get("moves"))),
        "summary.json moves"
    );
    // The point's report.html carries the curve with this point ringed (one ring, at the
    // point's moves), and frontier.html's chart has no such ring.
    let html = read_text(&dir3.join("report.html"));
    assert!(
        html.contains("<section id=\"frontier\">") && html.contains("this plan (point 3)"),
        "point-3/report.html has no frontier chart with the point"
    );
    assert_eq!(
        html.matches("class=\"picked\"").count(),
        1,
        "one picked ring"
    );
    assert!(
        html.contains(&format!("point 3: {} moves", row.get("moves"))),
        "the chart names point 3 with its moves"
    );
    assert!(
        !read_text(&out.join("frontier.html")).contains("class=\"picked\""),
        "frontier.html rings no picked point"
    );
    // And the point can be reproduced directly: allot balance with the point's plan.
    let again = dir.path().join("again");
    let o = run_solve(
        "balance",
        &a,
        &r,
        Some(&dir3.join("plan.toml")),
        &again,
        &[],
    );
    assert_code(&o, 0, "allot balance --plan point-3/plan.toml");
    assert_eq!(
        read_text(&again.join("assignments.csv")),
        read_text(&dir3.join("assignments.csv"))
    );
}

#[test]
fn rebalance_max_moves_flag_overrides_the_plan() {
    let dir = tempdir();
    let (a, r, p) = generated_book(dir.path(), 60, 4, 9, 25.0);
    let out = dir.path().join("out");
    let o = run_solve(
        "rebalance",
        &a,
        &r,
        Some(&p),
        &out,
        &["--max-moves", "4", "--work-limit", "2000000"],
    );
    let mut spec = Spec::new(&a, &r, &out);
    spec.rules = vec![CheckRule {
        name: "book".into(),
        employees_at_least: None,
        potential_at_least: None,
    }];
    spec.band_pct = 25.0;
    spec.metrics = vec!["workload".into()];
    spec.max_moves = Some(4);
    let s = summary(&out);
    assert_eq!(
        s["plan"]["disruption"]["max_moves"].as_u64(),
        Some(4),
        "summary.json plan states the flag's budget"
    );
    if common::code(&o) == 0 {
        check(&spec);
    } else {
        assert_code(&o, 2, "rebalance within 4 moves");
        assert!(stderr(&o).contains("max_moves = 4"), "{}", stderr(&o));
    }
}

#[test]
fn work_limited_curve_is_identical_at_one_and_two_threads() {
    let dir = tempdir();
    let (a, r, p) = generated_book(dir.path(), 300, 6, 3, 5.0);
    let mut files = Vec::new();
    for (threads, jobs) in [("1", "1"), ("2", "2"), ("2", "1")] {
        let out = dir.path().join(format!("t{threads}j{jobs}"));
        frontier(
            &a,
            &r,
            &p,
            &out,
            &["--threads", threads, "--jobs", jobs, "--points", "5"],
        );
        files.push((
            read_text(&out.join("frontier.csv")),
            read_text(&out.join("frontier_assignments.csv")),
            read_text(&out.join("frontier.md")),
        ));
    }
    assert_eq!(files.len(), 3);
    for f in &files[1..] {
        assert_eq!(f.0, files[0].0, "frontier.csv differs");
        assert_eq!(f.1, files[0].1, "frontier_assignments.csv differs");
        assert_eq!(f.2, files[0].2, "frontier.md differs");
    }
    let csv = read_csv(&dir.path().join("t1j1/frontier.csv"));
    assert!(csv.records.iter().all(|r| r.get("reproducible") == "true"));
    // Monotone: a larger budget never gives a worse value.
    let values: Vec<f64> = csv
        .records
        .iter()
        .map(|r| num(r.get("objective")))
        .collect();
    assert!(
        values.windows(2).all(|w| w[1] <= w[0] + 1e-12),
        "{values:?}"
    );
    assert_knee_and_dominance(&csv);
}

#[test]
fn demo_frontier_runs() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let o = run_solve(
        "frontier",
        &common::demo_input("accounts.csv"),
        &common::demo_input("reps.csv"),
        Some(&common::demo_input("plan.toml")),
        &out,
        &["--work-limit", "18000000", "--points", "6"],
    );
    assert_code(&o, 0, "frontier on the demo");
    let csv = read_csv(&out.join("frontier.csv"));
    assert_eq!(csv.records.len(), 6, "6 points");
    assert_eq!(csv.records[0].get("moves"), "0");
    assert_eq!(csv.records[5].get("budget_key"), "none");
    let values: Vec<f64> = csv
        .records
        .iter()
        .map(|r| num(r.get("objective")))
        .collect();
    assert!(
        values.windows(2).all(|w| w[1] <= w[0] + 1e-12),
        "{values:?}"
    );
    for r in &csv.records {
        assert!(
            num(r.get("moves")) <= budget_of(r),
            "point {}",
            r.get("point")
        );
        let lb = num(r.get("lower_bound"));
        assert!(lb <= num(r.get("objective")) + 1e-9);
    }
    assert!(assert_knee_and_dominance(&csv) > 0, "points on the curve");
    let html = read_text(&out.join("frontier.html"));
    assert!(
        html.contains("<svg") && html.contains("class=\"knee\""),
        "chart with the knee"
    );
    assert!(read_text(&out.join("frontier.md")).contains("**knee**"));
}

#[test]
fn bad_frontier_requests_fail_clearly() {
    let dir = tempdir();
    let a = common::fixture("tiny/accounts.csv");
    let r = common::fixture("tiny/reps.csv");
    let p = common::fixture("tiny/plan.toml");
    let out = dir.path().join("out");
    let o = run_solve("frontier", &a, &r, Some(&p), &out, &["--pick", "0"]);
    assert_code(&o, 1, "--pick 0");
    assert!(stderr(&o).contains("--pick"), "{}", stderr(&o));
    let o = run_solve(
        "frontier",
        &a,
        &r,
        Some(&p),
        &out,
        &["--pick", "99", "--work-limit", WORK],
    );
    assert_code(&o, 1, "--pick 99");
    assert!(stderr(&o).contains("--pick 99"), "{}", stderr(&o));
    let o = run_solve("frontier", &a, &r, Some(&p), &out, &["--points", "1"]);
    assert_code(&o, 1, "--points 1");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[disruption]\nby_potential = true\nmeasure = \"accounts\"\n",
    )
    .expect("write");
    let o = run_solve("frontier", &a, &r, Some(&bad), &out, &[]);
    assert_code(&o, 1, "contradicting measure");
    assert!(stderr(&o).contains("disruption.measure"), "{}", stderr(&o));
    std::fs::write(&bad, "[disruption]\nmeasure = \"revenue\"\n").expect("write");
    let o = run_solve("frontier", &a, &r, Some(&bad), &out, &[]);
    assert_code(&o, 1, "unknown measure");
    assert!(stderr(&o).contains("measure"), "{}", stderr(&o));
    // The workload measure, stated against by_potential, and a budget share over 100 %.
    let mut tried = 0;
    for (text, words) in [
        (
            "[disruption]\nby_potential = true\nmeasure = \"workload\"\n",
            "\"workload\" contradicts by_potential = true",
        ),
        (
            "[disruption]\nmax_moved_workload_pct = 150\n",
            "disruption.max_moved_workload_pct",
        ),
        (
            "[disruption]\nsegment_shares = { mid-market = -3 }\n",
            "disruption.segment_shares",
        ),
    ] {
        std::fs::write(&bad, text).expect("write");
        let o = run_solve("balance", &a, &r, Some(&bad), &out, &[]);
        assert_code(&o, 1, text);
        assert!(
            stderr(&o).contains(words),
            "{words:?} not in {}",
            stderr(&o)
        );
        tried += 1;
    }
    assert_eq!(tried, 3);
}

#[test]
fn with_leavers_the_curve_starts_at_the_forced_moves_and_a_picked_point_passes_the_checker() {
    let dir = tempdir();
    let g = dir.path().join("gen");
    let o = run([
        "generate",
        "--n-accounts",
        "300",
        "--n-reps",
        "6",
        "--leavers",
        "1",
        "--out",
        g.to_str().expect("utf-8"),
    ]);
    assert_code(&o, 0, "allot generate --leavers 1");
    let (a, r, p, prev) = (
        g.join("accounts.csv"),
        g.join("reps.csv"),
        g.join("plan.toml"),
        g.join("reps_previous.csv"),
    );
    // Accounts of the leaving rep, from the raw rows: they must move at every point.
    let reps = read_csv(&r);
    let leaving: Vec<&str> = reps
        .records
        .iter()
        .filter(|x| x.get("status") == "leaving")
        .map(|x| x.get("rep_id"))
        .collect();
    assert_eq!(leaving.len(), 1, "one leaver");
    let forced = read_csv(&a)
        .records
        .iter()
        .filter(|x| x.get("owner_id") == leaving[0])
        .count();
    assert!(forced > 0, "the leaver owns accounts");
    let out = dir.path().join("out");
    let prev_s = prev.to_str().expect("utf-8");
    let (csv, _) = frontier(
        &a,
        &r,
        &p,
        &out,
        &["--previous-reps", prev_s, "--points", "4", "--pick", "2"],
    );
    // 0 moves cannot keep a leaver's accounts: the curve starts at exactly those.
    assert_eq!(
        num(csv.records[0].get("budget")),
        forced as f64,
        "the first budget is the leaver's accounts"
    );
    assert_eq!(num(csv.records[0].get("moves")), forced as f64);
    let mut checked = 0;
    for row in &csv.records {
        assert!(
            matches!(row.get("status"), "optimal" | "feasible"),
            "point {}",
            row.get("point")
        );
        assert!(
            num(row.get("moves")) >= forced as f64,
            "point {}: fewer moves than the leaver's accounts",
            row.get("point")
        );
        checked += 1;
    }
    assert_eq!(checked, csv.records.len());
    let mut spec = Spec::new(&a, &r, &out.join("point-2")).previous_reps(&prev);
    spec.hard_band = false;
    spec.max_moves = Some(num(csv.records[1].get("budget")) as u64);
    check(&spec);
}

/// Segments are solved apart: every point's plan shares its budget out in proportion to
/// what each segment moved unconstrained (`[disruption] segment_shares`, recomputed here
/// from the raw rows and the unconstrained point's assignment), and the picked point,
/// written with that plan, keeps its budget.
#[test]
fn a_multi_segment_budget_is_shared_by_what_each_segment_moves_unconstrained() {
    let dir = tempdir();
    let g = dir.path().join("gen");
    let o = run([
        "generate",
        "--n-accounts",
        "800",
        "--owner-skew",
        "4",
        "--out",
        g.to_str().expect("utf-8"),
    ]);
    assert_code(&o, 0, "allot generate");
    let (a, r, p) = (
        g.join("accounts.csv"),
        g.join("reps.csv"),
        g.join("plan.toml"),
    );
    let out = dir.path().join("out");
    let (csv, asg) = frontier(&a, &r, &p, &out, &["--points", "3", "--pick", "2"]);
    assert_eq!(csv.records.len(), 3, "three points");
    let last = csv.records[2].get("point");
    // Per segment (as point-2/assignments.csv names each account's), the owned accounts the
    // unconstrained point moves.
    let owner: BTreeMap<String, String> = read_csv(&a)
        .records
        .iter()
        .map(|x| {
            (
                x.get("account_id").to_string(),
                x.get("owner_id").to_string(),
            )
        })
        .collect();
    let segment: BTreeMap<String, String> = read_csv(&out.join("point-2/assignments.csv"))
        .records
        .iter()
        .map(|x| {
            (
                x.get("account_id").to_string(),
                x.get("segment").to_string(),
            )
        })
        .collect();
    let mut moved: BTreeMap<String, f64> = segment.values().map(|s| (s.clone(), 0.0)).collect();
    for row in &asg.records {
        let id = row.get("account_id");
        let o = &owner[id];
        if !o.is_empty() && row.get(&format!("point_{last}")) != o {
            *moved.get_mut(&segment[id]).expect("segment") += 1.0;
        }
    }
    assert!(moved.len() >= 2, "a multi-segment book: {moved:?}");
    let plan: toml::Value =
        toml::from_str(&read_text(&out.join("point-2/plan.toml"))).expect("point-2/plan.toml");
    let shares = plan["disruption"]["segment_shares"]
        .as_table()
        .expect("[disruption] segment_shares in the point's plan");
    let mut compared = 0;
    for (name, want) in &moved {
        let got = shares
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_float().or(v.as_integer().map(|i| i as f64)))
            .unwrap_or_else(|| panic!("no share for segment {name}: {shares:?}"));
        assert!(
            (got - want).abs() < 1e-9,
            "{name}: share {got}, moved {want}"
        );
        compared += 1;
    }
    assert_eq!(compared, moved.len());
    // The picked point keeps its budget, checked from the raw rows.
    let budget = num(csv.records[1].get("budget")) as u64;
    let mut spec = Spec::new(&a, &r, &out.join("point-2"));
    spec.hard_band = false;
    spec.max_moves = Some(budget);
    let c = check(&spec);
    assert!(c.moved as u64 <= budget, "{} moves over {budget}", c.moved);
}
