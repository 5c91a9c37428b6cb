//! The independent checker of `common` is not vacuous: on real runs of the binary it
//! recomputes the objective (every term, in every objective), mean km, CV, max/min ratio,
//! moves and the gap, and compares the lower bound with every feasible assignment it is
//! shown; each of those checks is then made to fail by tampering with one figure of
//! summary.json (or territories.csv) at a time, and every loop asserts how many cases it
//! tried.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// Two segments with every objective term at work: `field` (three reps with homes, one at
/// half time, a family, a lock, per-segment compactness weight) and `inside` (two reps, one
/// with an account cap, an account without coordinates); every account owned (the book is
/// feasible under a soft band) unless `white_space`, which adds an unowned `inside` account.
/// pairs.csv lists every pair of a segment with a cost, some with their own workload.
struct Instance {
    accounts: PathBuf,
    reps: PathBuf,
    pairs: PathBuf,
}

/// (id, segment, potential, workload, lat, lon, owner, parent, locked).
type Row = (
    &'static str,
    &'static str,
    u32,
    u32,
    Option<(f64, f64)>,
    &'static str,
    &'static str,
    bool,
);

const ACCOUNTS: [Row; 14] = [
    (
        "A01",
        "field",
        40000,
        40,
        Some((40.71, -74.00)),
        "F1",
        "",
        false,
    ),
    (
        "A02",
        "field",
        10000,
        15,
        Some((40.73, -73.90)),
        "F1",
        "A01",
        false,
    ),
    (
        "A03",
        "field",
        30000,
        25,
        Some((41.88, -87.63)),
        "F1",
        "",
        true,
    ),
    (
        "A04",
        "field",
        20000,
        30,
        Some((42.36, -71.06)),
        "F1",
        "",
        false,
    ),
    (
        "A05",
        "field",
        25000,
        20,
        Some((39.95, -75.17)),
        "F2",
        "",
        false,
    ),
    (
        "A06",
        "field",
        15000,
        10,
        Some((38.90, -77.04)),
        "F2",
        "",
        false,
    ),
    (
        "A07",
        "field",
        35000,
        35,
        Some((41.50, -81.69)),
        "F3",
        "",
        false,
    ),
    (
        "A08",
        "field",
        5000,
        5,
        Some((42.33, -83.05)),
        "F3",
        "",
        false,
    ),
    (
        "B01",
        "inside",
        12000,
        12,
        Some((34.05, -118.24)),
        "I1",
        "",
        false,
    ),
    (
        "B02",
        "inside",
        18000,
        9,
        Some((37.77, -122.42)),
        "I1",
        "",
        false,
    ),
    ("B03", "inside", 7000, 14, None, "I1", "", false),
    (
        "B04",
        "inside",
        9000,
        6,
        Some((45.52, -122.68)),
        "I2",
        "",
        false,
    ),
    (
        "B05",
        "inside",
        11000,
        11,
        Some((47.61, -122.33)),
        "I1",
        "",
        false,
    ),
    (
        "B06",
        "inside",
        4000,
        8,
        Some((36.17, -115.14)),
        "I2",
        "",
        false,
    ),
];

/// (id, segment, lat, lon, fte, max_accounts).
const REPS: [(&str, &str, f64, f64, &str, &str); 5] = [
    ("F1", "field", 40.71, -74.01, "1", ""),
    ("F2", "field", 39.95, -75.16, "1", ""),
    ("F3", "field", 41.88, -87.62, "0.5", ""),
    ("I1", "inside", 37.77, -122.41, "1", ""),
    ("I2", "inside", 45.52, -122.67, "1", "4"),
];

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

impl Instance {
    fn write(dir: &Path, white_space: bool) -> Instance {
        let mut a = String::from(
            "account_id,segment,potential,workload,lat,lon,owner_id,parent_id,locked\n",
        );
        let extra: Row = (
            "B07",
            "inside",
            6000,
            7,
            Some((33.45, -112.07)),
            "",
            "",
            false,
        );
        let rows = ACCOUNTS
            .iter()
            .chain(white_space.then_some(&extra))
            .collect::<Vec<_>>();
        for (id, seg, pot, work, at, owner, parent, locked) in &rows {
            let (lat, lon) = at.map_or((String::new(), String::new()), |(x, y)| {
                (x.to_string(), y.to_string())
            });
            writeln!(
                a,
                "{id},{seg},{pot},{work},{lat},{lon},{owner},{parent},{locked}"
            )
            .expect("format");
        }
        let mut r = String::from("rep_id,segment,lat,lon,fte,max_accounts\n");
        for (id, seg, lat, lon, fte, cap) in REPS {
            writeln!(r, "{id},{seg},{lat},{lon},{fte},{cap}").expect("format");
        }
        let mut p = String::from("account_id,rep_id,cost,workload\n");
        for (k, (id, seg, _, work, ..)) in rows.iter().enumerate() {
            for (j, (rep, rep_seg, ..)) in REPS.iter().enumerate() {
                if rep_seg != seg {
                    continue;
                }
                let cost = 3 + (7 * k + 5 * j) % 11;
                // Every third pair weighs its own workload.
                let w = if (k + j) % 3 == 0 {
                    (work + 2 + j as u32).to_string()
                } else {
                    String::new()
                };
                writeln!(p, "{id},{rep},{cost},{w}").expect("format");
            }
        }
        let inst = Instance {
            accounts: dir.join("accounts.csv"),
            reps: dir.join("reps.csv"),
            pairs: dir.join("pairs.csv"),
        };
        write(&inst.accounts, &a);
        write(&inst.reps, &r);
        write(&inst.pairs, &p);
        inst
    }

    /// Runs `allot balance` with `plan` (text) and the pairs; asserts exit 0.
    fn run(&self, dir: &Path, name: &str, plan: &str) -> PathBuf {
        let plan_path = dir.join(format!("{name}.toml"));
        write(&plan_path, plan);
        let out = dir.join(name);
        let pairs = self.pairs.to_string_lossy().into_owned();
        let o = run_solve(
            "balance",
            &self.accounts,
            &self.reps,
            Some(&plan_path),
            &out,
            &["--pairs", &pairs, "--time-limit", "10"],
        );
        assert_code(&o, 0, &format!("balance, plan {name}:\n{plan}"));
        out
    }

    fn spec(&self, out: &Path) -> Spec {
        Spec::new(&self.accounts, &self.reps, out)
            .metrics(&["potential", "workload", "accounts"])
            .band(10.0)
            .soft()
            .pairs(&self.pairs)
    }
}

/// A plan with every term of the objective: balance on three metrics with their own
/// weights, disruption, compactness (a segment's own weight) and pair cost; a soft band.
/// `measure` is what disruption counts ("accounts", "potential", "workload"; potential is
/// stated the old way, `by_potential = true`).
fn plan(objective: &str, measure: &str) -> String {
    let counts = match measure {
        "accounts" => "by_potential = false".to_string(),
        "potential" => "by_potential = true".to_string(),
        m => format!("measure = \"{m}\""),
    };
    format!(
        "objective = \"{objective}\"\n\
         [[segments]]\nname = \"field\"\ncompactness = 0.5\n\
         [[segments]]\nname = \"inside\"\n\
         [balance]\nband_pct = 10.0\nhard = false\n\
         metrics = [\"potential\", \"workload\", \"accounts\"]\n\
         weights = {{ potential = 1.0, workload = 0.5, accounts = 0.25 }}\n\
         [disruption]\nweight = 0.2\n{counts}\n\
         [compactness]\nweight = 0.1\n\
         [pairs]\nweight = 0.001\n\
         [solver]\nseed = 1\n"
    )
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

/// A copy of the output folder `good` with summary.json edited by `edit`.
fn tampered(good: &Path, to: &Path, edit: impl FnOnce(&mut Value)) -> PathBuf {
    copy_dir(good, to);
    let mut s = summary(to);
    edit(&mut s);
    write(
        &to.join("summary.json"),
        &serde_json::to_string_pretty(&s).expect("JSON"),
    );
    to.to_path_buf()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

/// Asserts that some problem contains `needle`.
fn assert_caught(problems: &[String], needle: &str, what: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "{what}: the checker missed it (expected a problem containing {needle:?}); it found {problems:#?}"
    );
}

type Edit = Box<dyn Fn(&mut Value)>;

#[test]
fn each_tampered_figure_of_summary_json_is_caught() {
    let dir = tempdir();
    let inst = Instance::write(dir.path(), false);
    let good = inst.run(dir.path(), "good", &plan("redesign", "accounts"));
    let c = check(&inst.spec(&good).objective("redesign"));
    assert!(c.limitations.is_empty(), "{:?}", c.limitations);
    let book = c.book.objective.unwrap_or_else(|| {
        panic!(
            "the book keeps every rule of this instance, yet: {:?}",
            c.book.infeasible
        )
    });
    let obj = f(&c.summary["objective"]);
    assert!(
        c.objective
            .is_some_and(|x| (x - obj).abs() <= 1e-9 * obj.abs().max(1.0)),
        "recomputed {:?} vs reported {obj}",
        c.objective
    );
    // Every term is at work in this run.
    let seg = |s: &Value, name: &str| -> usize {
        s["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .position(|x| x["name"] == name)
            .unwrap_or_else(|| panic!("no segment {name}"))
    };
    let s = &c.summary;
    let field = seg(s, "field");
    assert!(c.moved > 0 || obj > 0.0, "a run with nothing to score");
    assert!(f(&s["pair_cost"]) > 0.0 && f(&s["mean_km"]) > 0.0);

    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "objective up by 1e-5 relative",
            Box::new(|s| s["objective"] = (f(&s["objective"]) * (1.0 + 1e-5)).into()),
            "summary.json objective =",
        ),
        (
            "a segment's solve.objective",
            Box::new(move |s| {
                let x = &mut s["segments"][field]["solve"]["objective"];
                *x = (f(x) + 1e-4).into();
            }),
            "field: solve.objective",
        ),
        (
            "lower bound above the objective",
            Box::new(|s| s["lower_bound"] = (f(&s["objective"]) + 0.01).into()),
            "above the objective",
        ),
        (
            "lower bound above the current owners' book",
            Box::new(move |s| s["lower_bound"] = (book + 0.01).into()),
            "the current owners' book",
        ),
        (
            "mean_km",
            Box::new(|s| s["mean_km"] = (f(&s["mean_km"]) + 0.5).into()),
            "summary.json mean_km",
        ),
        (
            "a segment's mean_km",
            Box::new(move |s| {
                let x = &mut s["segments"][field]["mean_km"];
                *x = (f(x) * 1.001).into();
            }),
            "field: mean_km",
        ),
        (
            "potential CV",
            Box::new(move |s| {
                let x = &mut s["segments"][field]["potential"]["cv"];
                *x = (f(x) + 0.001).into();
            }),
            "field: potential.cv",
        ),
        (
            "account-count CV",
            Box::new(move |s| {
                let x = &mut s["segments"][field]["account_count"]["cv"];
                *x = (f(x) * 0.99).into();
            }),
            "field: account_count.cv",
        ),
        (
            "workload max/min ratio",
            Box::new(move |s| {
                let x = &mut s["segments"][field]["workload"]["max_min_ratio"];
                *x = (f(x) * 1.001).into();
            }),
            "field: workload.max_min_ratio",
        ),
        (
            "max/min ratio missing",
            Box::new(move |s| s["segments"][field]["potential"]["max_min_ratio"] = Value::Null),
            "field: potential.max_min_ratio",
        ),
        (
            "gap_abs",
            Box::new(|s| s["gap_abs"] = (f(&s["gap_abs"]) + 0.001).into()),
            "gap_abs",
        ),
        (
            "gap_rel",
            Box::new(|s| s["gap_rel"] = (f(&s["gap_rel"]) + 0.001).into()),
            "gap_rel",
        ),
        (
            "moved share",
            Box::new(|s| {
                let x = &mut s["moves"]["moved_pct"];
                *x = (f(x) + 1.0).into();
            }),
            "moves.moved_pct",
        ),
        (
            "pair cost",
            Box::new(|s| s["pair_cost"] = (f(&s["pair_cost"]) + 1.0).into()),
            "summary.json pair_cost",
        ),
        // The plan as applied drives every term: changing one coefficient of it (not the
        // objective) makes the recomputed objective differ from the reported one.
        (
            "plan: a balance weight",
            Box::new(|s| s["plan"]["balance"]["weights"]["workload"] = 0.6.into()),
            "summary.json objective =",
        ),
        (
            "plan: the disruption weight",
            Box::new(|s| s["plan"]["disruption"]["weight"] = 0.3.into()),
            "summary.json objective =",
        ),
        (
            "plan: the compactness weight (the inside segment's)",
            Box::new(|s| s["plan"]["compactness"]["weight"] = 0.2.into()),
            "inside: solve.objective",
        ),
        (
            "plan: a segment's compactness weight",
            Box::new(|s| {
                let segs = s["plan"]["segments"].as_array_mut().expect("plan segments");
                let field = segs
                    .iter_mut()
                    .find(|x| x["name"] == "field")
                    .expect("field rule");
                field["compactness"] = 0.6.into();
            }),
            "field: solve.objective",
        ),
        (
            "plan: the pairs weight",
            Box::new(|s| s["plan"]["pairs"]["weight"] = 0.002.into()),
            "summary.json objective =",
        ),
    ];
    let mut tried = 0;
    for (i, (what, edit, needle)) in cases.iter().enumerate() {
        let out = tampered(&good, &dir.path().join(format!("t{i}")), edit);
        let problems = check_problems(&inst.spec(&out));
        assert_caught(&problems, needle, what);
        tried += 1;
    }
    assert_eq!(tried, 19, "tampered cases tried");

    // territories.csv: a rep's mean km off by more than its printed precision.
    let out = dir.path().join("territories");
    copy_dir(&good, &out);
    let p = out.join("territories.csv");
    let t = read_csv(&p);
    let text = read_text(&p);
    let rec = &t.records[0];
    let cell = rec.get("mean_km");
    let bumped = format!("{:.1}", cell.parse::<f64>().expect("mean_km") + 0.1);
    let line = text.lines().nth(1).expect("a rep row");
    let new_line = line.replacen(&format!(",{cell},"), &format!(",{bumped},"), 1);
    assert_ne!(
        line, new_line,
        "mean_km cell {cell:?} not found in {line:?}"
    );
    write(&p, &text.replacen(line, &new_line, 1));
    assert_caught(
        &check_problems(&inst.spec(&out)),
        ": mean_km =",
        "territories.csv mean_km",
    );
}

#[test]
fn every_objective_is_recomputed_and_a_wrong_value_is_caught() {
    let dir = tempdir();
    let inst = Instance::write(dir.path(), false);
    let runs = [
        ("redesign", "accounts"),
        ("redesign", "potential"),
        ("redesign", "workload"),
        ("rebalance", "accounts"),
        ("rebalance", "workload"),
        ("travel", "accounts"),
        ("cost", "accounts"),
    ];
    let mut tried = 0;
    for (objective, measure) in runs {
        let name = format!("{objective}-{measure}");
        let out = inst.run(dir.path(), &name, &plan(objective, measure));
        let spec = inst.spec(&out).objective(objective);
        let c = check(&spec);
        assert!(c.limitations.is_empty(), "{name}: {:?}", c.limitations);
        let obj = f(&c.summary["objective"]);
        let mine = c.objective.expect("recomputed");
        assert!(
            (mine - obj).abs() <= 1e-9 * obj.abs().max(1.0),
            "{name}: recomputed {mine}, reported {obj}"
        );
        // The book keeps every rule here: the bound is compared with it.
        let book = c
            .book
            .objective
            .unwrap_or_else(|| panic!("{name}: book {:?}", c.book.infeasible));
        assert!(f(&c.summary["lower_bound"]) <= book + 1e-6, "{name}");
        let wrong = tampered(&out, &dir.path().join(format!("{name}-wrong")), |s| {
            s["objective"] = (obj + 1e-5 * obj.abs().max(1.0)).into()
        });
        assert_caught(
            &check_problems(&inst.spec(&wrong).objective(objective)),
            "summary.json objective =",
            &name,
        );
        // The test's own statement of the objective is checked against the plan as applied.
        let other = if objective == "cost" {
            "travel"
        } else {
            "cost"
        };
        assert_caught(
            &check_problems(&inst.spec(&out).objective(other)),
            "plan.objective",
            &name,
        );
        tried += 1;
    }
    assert_eq!(tried, runs.len());
}

#[test]
fn the_bound_is_compared_with_each_feasible_assignment_shown() {
    let dir = tempdir();
    // With a white-space account in `inside`, the book is feasible in `field` only.
    let inst = Instance::write(dir.path(), true);
    let travel = inst.run(dir.path(), "travel", &plan("travel", "accounts"));
    let redesign = inst.run(dir.path(), "redesign", &plan("redesign", "accounts"));
    let given = redesign.join("assignments.csv");
    let c = check(&inst.spec(&travel).also_feasible(&given));
    assert!(c.limitations.is_empty(), "{:?}", c.limitations);
    assert!(c.book.objective.is_none(), "B07 has no owner");
    assert!(
        c.book.feasible.contains_key("field"),
        "the book keeps every rule in field: {:?}",
        c.book.infeasible
    );
    assert!(
        c.book.infeasible["inside"]
            .iter()
            .any(|w| w.contains("B07: no rep")),
        "{:?}",
        c.book.infeasible
    );
    // The redesign run's territories under the travel objective: total km + 0.001 × cost.
    // The redesign run's territories scored under the travel plan, from the rows here:
    // total km + 0.001 × total pair cost.
    let given_obj: f64 = {
        let accounts = read_accounts(&inst.accounts, &Columns::ours());
        let reps = read_reps(&inst.reps);
        let pairs = read_csv(&inst.pairs);
        read_csv(&given)
            .records
            .iter()
            .map(|r| {
                let (a, rep) = (r.get("account_id"), r.get("rep_id"));
                let at = accounts.iter().find(|x| x.id == a).expect("account").coords;
                let home = reps.iter().find(|x| x.id == rep).expect("rep").coords;
                let km = at.zip(home).map_or(0.0, |(p, h)| great_circle_km(h, p));
                let cost: f64 = pairs
                    .records
                    .iter()
                    .find(|x| x.get("account_id") == a && x.get("rep_id") == rep)
                    .and_then(|x| x.get("cost").parse().ok())
                    .expect("a listed pair with a cost");
                km + 0.001 * cost
            })
            .sum()
    };
    let travel_obj = f(&c.summary["objective"]);
    assert!(
        given_obj >= travel_obj - 1e-6,
        "the travel run ({travel_obj} km) beats the redesign run's territories ({given_obj})"
    );

    let mut tried = 0;
    // The bound above the given assignment's objective.
    let out = tampered(&travel, &dir.path().join("above-given"), |s| {
        s["lower_bound"] = (given_obj + 1.0).into()
    });
    assert_caught(
        &check_problems(&inst.spec(&out).also_feasible(&given)),
        "the objective of the feasible assignment",
        "bound above a given feasible assignment",
    );
    tried += 1;
    // The bound above the run's assignment with the book in `field`.
    let mixed: f64 = {
        let field = c.summary["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .find(|x| x["name"] == "field")
            .expect("field");
        let run = f(&field["solve"]["objective"]);
        travel_obj - run + c.book.feasible["field"].min(run)
    };
    let out = tampered(&travel, &dir.path().join("above-mixed"), |s| {
        s["lower_bound"] = (mixed + 1.0).into()
    });
    assert_caught(
        &check_problems(&inst.spec(&out)),
        "with the current owners' book in segments",
        "bound above the run with the book in field",
    );
    tried += 1;
    // An assignment that is not feasible is refused as such: a family split, a lock broken.
    for (what, account, rep, needle) in [
        ("family split", "A02", "F2", "family split"),
        ("lock broken", "A03", "F3", "locked to F1"),
    ] {
        let bad = dir.path().join(format!("{account}.csv"));
        let text = read_text(&given);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let row = lines
            .iter_mut()
            .find(|l| l.starts_with(&format!("{account},")))
            .expect("the account's row");
        let mut cells: Vec<String> = row.split(',').map(str::to_string).collect();
        let other = if cells[1] == rep { "F1" } else { rep };
        cells[1] = other.to_string();
        *row = cells.join(",");
        write(&bad, &lines.join("\n"));
        let problems = check_problems(&inst.spec(&travel).also_feasible(&bad));
        assert_caught(
            &problems,
            "was given as a feasible assignment but breaks",
            what,
        );
        assert_caught(&problems, needle, what);
        tried += 1;
    }
    assert_eq!(tried, 4);
}

#[test]
fn what_the_checker_cannot_recompute_is_stated() {
    let dir = tempdir();
    let good = dir.path().join("tiny");
    let o = run_fixture("balance", "tiny", &good, &[]);
    assert_code(&o, 0, "balance tiny");
    let c = check(&Spec::of_fixture("tiny", &good).band(5.0));
    assert!(c.limitations.is_empty(), "{:?}", c.limitations);
    // The book of tiny has white space and is outside the band: not compared, and why.
    assert!(c.book.objective.is_none());
    let why = &c.book.infeasible["mid-market"];
    assert!(
        why.iter().any(|w| w.contains("A11: no rep")),
        "tiny's book: {why:?}"
    );

    let mut tried = 0;
    // An objective the checker does not know: a stated limitation, not a silent pass.
    let out = tampered(&good, &dir.path().join("unknown"), |s| {
        s["plan"]["objective"] = "fairness".into()
    });
    let (c, problems) = check_all(&Spec::of_fixture("tiny", &out).band(5.0));
    assert!(c.objective.is_none());
    assert!(
        c.limitations
            .iter()
            .any(|l| l.contains("\"fairness\" is not one the checker knows")),
        "{:?} / {problems:?}",
        c.limitations
    );
    tried += 1;
    // No plan at all: a problem.
    let out = tampered(&good, &dir.path().join("no-plan"), |s| {
        s.as_object_mut().expect("object").remove("plan");
    });
    assert_caught(
        &check_problems(&Spec::of_fixture("tiny", &out).band(5.0)),
        "no `plan` object",
        "summary.json without the plan",
    );
    tried += 1;
    assert_eq!(tried, 2);
}

// ---------------------------------------------------------------------------------------
// Two definitions the checker found undocumented (now in the README's Figures): both are
// recomputed from the raw rows like every other term.
// ---------------------------------------------------------------------------------------

/// README (Figures): the compactness term counts only in a segment where every rep has a
/// home; a segment with a homeless rep has none.
#[test]
fn no_compactness_term_where_a_rep_has_no_home() {
    let dir = tempdir();
    let inst = Instance::write(dir.path(), false);
    let text = read_text(&inst.reps).replace("F3,field,41.88,-87.62", "F3,field,,");
    write(&inst.reps, &text);
    let out = inst.run(dir.path(), "homeless", &plan("redesign", "accounts"));
    check(&inst.spec(&out).objective("redesign"));
}

/// README (Figures): with `[disruption] by_potential = true`, `rebalance` counts the moved
/// share of the owned potential × the owned accounts.
#[test]
fn rebalance_by_potential_counts_moved_potential_in_account_units() {
    let dir = tempdir();
    let inst = Instance::write(dir.path(), false);
    // A hard ±30 % band forces moves (the book is outside it).
    let text = plan("rebalance", "potential")
        .replace("hard = false", "hard = true")
        .replace("band_pct = 10.0", "band_pct = 30.0");
    let out = inst.run(dir.path(), "rebalance-potential", &text);
    let c = check(&inst.spec(&out).band(30.0).hard().objective("rebalance"));
    assert!(c.moved > 0, "no move to count");
}

/// README (Figures, the constraint model): with `measure = "workload"`, `rebalance` moves
/// the least workload it can; a `max_moved_workload_pct` budget at that least binds
/// `redesign` (which moves more without it), the run keeps it, and the checker, reading the
/// budget from the plan as applied, catches a summary that states a tighter one.
#[test]
fn workload_budget_binds_is_kept_and_a_breach_is_caught() {
    let dir = tempdir();
    let inst = Instance::write(dir.path(), false);
    // A hard ±30 % band forces moves (the book is outside it).
    let hard = |objective: &str, extra: &str| {
        plan(objective, "workload")
            .replace("hard = false", "hard = true")
            .replace("band_pct = 10.0", "band_pct = 30.0")
            .replace("[compactness]", &format!("{extra}\n[compactness]"))
    };
    let spec = |out: &Path, objective: &str| inst.spec(out).band(30.0).hard().objective(objective);
    let moved_work = |c: &Checked| f(&c.summary["moves"]["moved_workload"]);
    let owned_work: f64 = ACCOUNTS
        .iter()
        .filter(|a| !a.5.is_empty())
        .map(|a| f64::from(a.3))
        .sum();

    let least = check(&spec(
        &inst.run(dir.path(), "least", &hard("rebalance", "")),
        "rebalance",
    ));
    let free = check(&spec(
        &inst.run(dir.path(), "free", &hard("redesign", "")),
        "redesign",
    ));
    let (w_least, w_free) = (moved_work(&least), moved_work(&free));
    assert!(
        w_least > 0.0 && w_free > w_least + 1e-9,
        "the case must force moves and redesign must move more workload than rebalance: {w_least} vs {w_free}"
    );

    let pct = w_least / owned_work * 100.0 + 1e-9;
    let out = inst.run(
        dir.path(),
        "budget",
        &hard("redesign", &format!("max_moved_workload_pct = {pct}")),
    );
    let c = check(&spec(&out, "redesign"));
    assert!(
        moved_work(&c) <= w_least + 1e-6,
        "moved workload {} over the budget {w_least}",
        moved_work(&c)
    );
    assert!(
        f(&c.summary["objective"]) >= f(&free.summary["objective"]) - 1e-9,
        "a binding budget cannot improve the objective"
    );
    let wrong = tampered(&out, &dir.path().join("budget-wrong"), |s| {
        s["plan"]["disruption"]["max_moved_workload_pct"] = (pct / 2.0).into()
    });
    assert_caught(
        &check_problems(&spec(&wrong, "redesign")),
        "over the budget max_moved_workload_pct",
        "tighter workload budget",
    );
}
