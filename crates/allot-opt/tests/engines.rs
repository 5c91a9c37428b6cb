//! Engine tests on tiny random problems: brute force proves the optimum; the exact MILP must
//! match it and prove it; the heuristic must stay within a measured tolerance.
//!
//! Every grade is independent of the product: feasibility (coverage, eligibility, locks,
//! families, caps, the hard band) and the objective of brute force's candidates and of
//! every engine's result are recomputed by this file's own code ([`grade`]) from the rows
//! and plan figures the test generates ([`Raw`]), not by allot's checker, figures or segment
//! models. The product is used only to solve, and to read which rep its answer gives each
//! account.

mod common;

use common::km;
use std::collections::BTreeMap;

use allot_model::plan::EngineChoice;
use allot_model::{
    Account, Assignment, FileNames, Metric, Objective, Plan, Problem, Rep, RepIdx, RepStatus,
};
use allot_opt::{SearchContext, Status, solve};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Tolerance of the heuristic against the proven optimum on these tiny problems:
/// objective ≤ optimum + HEURISTIC_TOL × (1 + optimum). Measured over the 120 seeds of the
/// two brute-force tests (redesign 0..60 and rebalance 100..160, 45 feasible each): the
/// heuristic reaches the optimum on all 90, the worst excess 4.4e-16 (rounding); 1e-9 only
/// absorbs rounding, so any suboptimal answer fails.
const HEURISTIC_TOL: f64 = 1e-9;

/// The instance as the test generates it: the rows and the plan's figures, which the
/// independent grader reads (it never looks at the [`Problem`] allot builds from them).
#[derive(Clone, Debug)]
struct Raw {
    accounts: Vec<Account>,
    reps: Vec<Rep>,
    objective: Objective,
    /// Hard band as a fraction, on potential and workload.
    band: f64,
    /// `[compactness] weight` (every rep has a home).
    compactness: f64,
    /// `[disruption] weight` (moved share of the owned accounts).
    disruption: f64,
}

/// Balanced metrics (weight 1 each) and their slots in [`Load`].
const METRICS: [(Metric, usize); 2] = [(Metric::Potential, 0), (Metric::Workload, 1)];

impl Raw {
    /// The plan stating exactly this file's figures.
    fn plan(&self) -> Plan {
        let mut plan = Plan {
            objective: self.objective,
            ..Plan::default()
        };
        plan.balance.band_pct = self.band * 100.0;
        plan.balance.hard = true;
        plan.balance.metrics = METRICS.iter().map(|(m, _)| *m).collect();
        plan.balance.weights = METRICS.iter().map(|(m, _)| (*m, 1.0)).collect();
        plan.compactness.weight = self.compactness;
        plan.compactness.max_km = None;
        plan.disruption.weight = self.disruption;
        plan.disruption.by_potential = false;
        plan.solver.time_limit_s = 60.0;
        plan.solver.threads = 2;
        plan
    }

    /// allot's problem built from the rows.
    fn problem(&self) -> Problem {
        let files = FileNames {
            accounts: "accounts.csv".into(),
            reps: "reps.csv".into(),
        };
        let built = Problem::build(
            self.accounts.clone(),
            self.reps.clone(),
            self.plan(),
            &files,
        )
        .expect("tiny instance builds");
        assert!(
            built.problem.accounts.len() == self.accounts.len(),
            "an account was refused"
        );
        built.problem
    }

    /// Families: each account with its topmost ancestor (ids), in account order.
    fn families(&self) -> Vec<Vec<usize>> {
        let pos: BTreeMap<&str, usize> = self
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        let root = |mut i: usize| {
            while let Some(&p) = self.accounts[i]
                .parent_id
                .as_deref()
                .and_then(|p| pos.get(p))
            {
                i = p;
            }
            i
        };
        let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..self.accounts.len() {
            by_root.entry(root(i)).or_default().push(i);
        }
        by_root.into_values().collect()
    }
}

fn account(i: usize, rng: &mut ChaCha8Rng) -> Account {
    Account {
        id: format!("A{i}"),
        name: String::new(),
        segment: Some("seg".into()),
        employees: None,
        potential: rng.random_range(1..100) as f64 * 1000.0,
        potential_given: true,
        workload: rng.random_range(1..40) as f64,
        lat: Some(40.0 + rng.random::<f64>()),
        lon: Some(-75.0 + rng.random::<f64>()),
        industry: ["Software", "Retail"][rng.random_range(0..2)].into(),
        region: String::new(),
        owner_id: None,
        parent_id: None,
        locked: false,
        previous_segment: None,
        signals: Default::default(),
        line: i as u64 + 2,
    }
}

fn rep(i: usize) -> Rep {
    Rep {
        id: format!("R{i}"),
        name: String::new(),
        segment: "seg".into(),
        role: String::new(),
        lat: Some(40.5),
        lon: Some(-74.5 + i as f64 * 0.3),
        fte: 1.0,
        max_accounts: None,
        max_workload: None,
        max_potential: None,
        attainment: None,
        regions: Vec::new(),
        industries: Vec::new(),
        status: RepStatus::Active,
        manager_id: String::new(),
        district: String::new(),
        sales_region: String::new(),
        frozen: false,
        line: i as u64 + 2,
    }
}

/// A random tiny instance: 5–8 accounts, 2–3 reps, owners, a family, maybe a lock, a cap, an
/// industry restriction, a half-time rep.
fn instance(seed: u64, objective: Objective) -> Raw {
    instance_sized(seed, objective, 5..9, 2..4)
}

/// A random instance with `accounts` accounts and `reps` reps (ranges), built like [`instance`].
fn instance_sized(
    seed: u64,
    objective: Objective,
    accounts: std::ops::Range<usize>,
    reps: std::ops::Range<usize>,
) -> Raw {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = rng.random_range(accounts);
    let nr = rng.random_range(reps);
    let mut reps: Vec<Rep> = (0..nr).map(rep).collect();
    let mut accounts: Vec<Account> = (0..n).map(|i| account(i, &mut rng)).collect();
    for a in accounts.iter_mut() {
        if rng.random_bool(0.7) {
            a.owner_id = Some(format!("R{}", rng.random_range(0..nr)));
        }
    }
    if rng.random_bool(0.6) {
        accounts[n - 1].parent_id = Some("A0".into());
        accounts[n - 1].owner_id = accounts[0].owner_id.clone();
    }
    if rng.random_bool(0.4) && accounts[1].owner_id.is_some() {
        accounts[1].locked = true;
    }
    if rng.random_bool(0.3) {
        reps[0].max_accounts = Some((n as u64).div_ceil(nr as u64) + 1);
    }
    if rng.random_bool(0.3) {
        reps[nr - 1].industries = vec!["Software".into(), "Retail".into()];
    }
    if rng.random_bool(0.3) {
        reps[1].fte = 0.5;
    }
    Raw {
        accounts,
        reps,
        objective,
        band: 0.25,
        compactness: 0.001,
        disruption: 0.01,
    }
}

/// Grades an account_id → rep_id assignment from the rows alone: the rules it breaks (empty
/// = feasible) and its objective by the README's definitions — redesign: Σ metrics max
/// |deviation| + disruption weight × moved share of the owned accounts + compactness weight
/// × mean km / 100; rebalance: moved accounts + 0.01 × the same balance and compactness
/// terms; cost: the pair cost (no pairs file here: 0); travel: total km.
fn grade(raw: &Raw, map: &BTreeMap<String, String>) -> (Vec<String>, f64) {
    let mut v = Vec::new();
    let rep_of = |id: &str| raw.reps.iter().position(|r| r.id == id);
    let takes = |r: &Rep| r.status == RepStatus::Active && r.role.is_empty() && r.segment == "seg";
    let fte_sum: f64 = raw.reps.iter().filter(|r| takes(r)).map(|r| r.fte).sum();
    let mut total = [0.0f64; 3];
    let mut load = vec![[0.0f64; 3]; raw.reps.len()];
    let (mut owned, mut moved, mut km_sum, mut located) = (0.0, 0.0, 0.0, 0.0);
    if map.len() != raw.accounts.len() {
        v.push(format!(
            "{} accounts assigned of {}",
            map.len(),
            raw.accounts.len()
        ));
    }
    for a in &raw.accounts {
        total[0] += a.potential;
        total[1] += a.workload;
        total[2] += 1.0;
        if a.lat.is_some() && a.lon.is_some() {
            located += 1.0;
        }
        if a.owner_id.is_some() {
            owned += 1.0;
        }
        let Some(rid) = map.get(&a.id) else {
            v.push(format!("{} unassigned", a.id));
            continue;
        };
        let Some(j) = rep_of(rid) else {
            v.push(format!("{} on unknown rep {rid}", a.id));
            continue;
        };
        let r = &raw.reps[j];
        if !takes(r) {
            v.push(format!(
                "{} on {rid}, who takes no accounts of its segment",
                a.id
            ));
        }
        let allows = |list: &[String], x: &str| {
            list.is_empty() || list.iter().any(|y| y.eq_ignore_ascii_case(x))
        };
        if !allows(&r.industries, &a.industry) || !allows(&r.regions, &a.region) {
            v.push(format!("{} not eligible for {rid}", a.id));
        }
        if a.locked && a.owner_id.as_deref() != Some(rid.as_str()) {
            v.push(format!(
                "{} is locked to {:?} but on {rid}",
                a.id, a.owner_id
            ));
        }
        if let Some(p) = &a.parent_id
            && map.get(p) != Some(rid)
        {
            v.push(format!(
                "{} on {rid}, its parent {p} on {:?}",
                a.id,
                map.get(p)
            ));
        }
        if a.owner_id.as_ref().is_some_and(|o| o != rid) {
            moved += 1.0;
        }
        if let (Some(la), Some(lo), Some(rla), Some(rlo)) = (a.lat, a.lon, r.lat, r.lon) {
            km_sum += km((rla, rlo), (la, lo));
        }
        load[j][0] += a.potential;
        load[j][1] += a.workload;
        load[j][2] += 1.0;
    }
    let mut max_dev = [0.0f64; 3];
    for (j, r) in raw.reps.iter().enumerate() {
        if let Some(m) = r.max_accounts
            && load[j][2] > m as f64
        {
            v.push(format!("{} holds {} accounts, cap {m}", r.id, load[j][2]));
        }
        if let Some(m) = r.max_workload
            && load[j][1] > m + 1e-9
        {
            v.push(format!("{} holds workload {}, cap {m}", r.id, load[j][1]));
        }
        if let Some(m) = r.max_potential
            && load[j][0] > m + 1e-9
        {
            v.push(format!("{} holds potential {}, cap {m}", r.id, load[j][0]));
        }
        if !takes(r) {
            continue;
        }
        for k in 0..3 {
            let target = total[k] * r.fte / fte_sum;
            let dev = if target > 0.0 {
                load[j][k] / target - 1.0
            } else {
                0.0
            };
            max_dev[k] = max_dev[k].max(dev.abs());
        }
    }
    for (m, k) in METRICS {
        if max_dev[k] > raw.band + 1e-9 {
            v.push(format!(
                "{m:?}: max deviation {} beyond the hard band {}",
                max_dev[k], raw.band
            ));
        }
    }
    let balance: f64 = METRICS.iter().map(|&(_, k)| max_dev[k]).sum();
    let compact = raw.compactness * km_sum / f64::max(located, 1.0) / 100.0;
    let objective = match raw.objective {
        Objective::Redesign => balance + raw.disruption * moved / f64::max(owned, 1.0) + compact,
        Objective::Rebalance => moved + 0.01 * (balance + compact),
        Objective::Cost => 0.0,
        Objective::Travel => km_sum,
    };
    (v, objective)
}

/// allot's answer as account_id → rep_id.
fn account_map(p: &Problem, a: &Assignment) -> BTreeMap<String, String> {
    let reps = a.account_reps(p);
    p.accounts
        .iter()
        .zip(reps)
        .filter_map(|(acc, r)| r.map(|r| (acc.id.clone(), p.reps[r.index()].id.clone())))
        .collect()
}

/// Enumerates every family → rep assignment of the rows; returns the best objective of a
/// feasible one by [`grade`], or None when none is feasible.
fn brute_force(raw: &Raw) -> Option<f64> {
    let fams = raw.families();
    let (nf, nr) = (fams.len(), raw.reps.len());
    let mut best: Option<f64> = None;
    let mut idx = vec![0usize; nf];
    loop {
        let mut map = BTreeMap::new();
        for (f, members) in fams.iter().enumerate() {
            for &i in members {
                map.insert(raw.accounts[i].id.clone(), raw.reps[idx[f]].id.clone());
            }
        }
        let (broken, obj) = grade(raw, &map);
        if broken.is_empty() {
            best = Some(best.map_or(obj, |b: f64| b.min(obj)));
        }
        let mut k = 0;
        loop {
            if k == nf {
                return best;
            }
            idx[k] += 1;
            if idx[k] < nr {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
    }
}

fn run(p: &Problem, engine: EngineChoice, threads: usize) -> allot_opt::SolveOutcome {
    let mut p = p.clone();
    p.plan.solver.engine = engine;
    p.plan.solver.threads = threads;
    let ctx = SearchContext::from_plan(&p.plan);
    solve(&p, &ctx).expect("solve runs")
}

/// The result is feasible and worth what it claims, by [`grade`]; its bound is below it.
fn assert_claims(raw: &Raw, p: &Problem, out: &allot_opt::SolveOutcome) {
    let (broken, value) = grade(raw, &account_map(p, &out.assignment));
    assert!(broken.is_empty(), "infeasible result: {broken:?}");
    assert!(
        (value - out.objective).abs() < 1e-9 * (1.0 + value.abs()),
        "claimed objective {} but it is {value}",
        out.objective
    );
    assert!(
        out.bound <= out.objective + 1e-9,
        "bound {} above objective {}",
        out.bound,
        out.objective
    );
}

/// What one brute-force case showed: None when infeasible, else the heuristic's excess
/// over the optimum (absolute, relative).
fn exact_and_heuristic(seed: u64, objective: Objective) -> Option<(f64, f64)> {
    let raw = instance(seed, objective);
    let p = raw.problem();
    let Some(opt) = brute_force(&raw) else {
        let out = run(&p, EngineChoice::Auto, 2);
        assert_eq!(
            out.status,
            Status::Infeasible,
            "seed {seed}: brute force finds no feasible assignment"
        );
        return None;
    };
    let exact = run(&p, EngineChoice::Milp, 1);
    assert_claims(&raw, &p, &exact);
    assert!(
        (exact.objective - opt).abs() < 1e-6,
        "seed {seed}: MILP {} vs optimum {opt}",
        exact.objective
    );
    assert!(
        exact.bound <= opt + 1e-6,
        "seed {seed}: bound {} above the optimum {opt}",
        exact.bound
    );
    assert_eq!(exact.status, Status::Optimal, "seed {seed}");

    let heur = run(&p, EngineChoice::Heuristic, 2);
    assert_claims(&raw, &p, &heur);
    assert!(
        heur.bound <= opt + 1e-6,
        "seed {seed}: heuristic-run bound {} above the optimum {opt}",
        heur.bound
    );
    let excess = heur.objective - opt;
    assert!(
        heur.objective <= opt + HEURISTIC_TOL * (1.0 + opt.abs()),
        "seed {seed}: heuristic {} vs optimum {opt}",
        heur.objective
    );
    Some((excess, excess / opt.max(1e-12)))
}

/// Runs the seeds; asserts how many were tried and how many were feasible.
fn brute_force_seeds(seeds: std::ops::Range<u64>, objective: Objective, feasible: usize) {
    let (mut tried, mut solved) = (0, 0);
    let (mut worst_abs, mut worst_rel) = (0.0f64, 0.0f64);
    for seed in seeds.clone() {
        tried += 1;
        if let Some((a, r)) = exact_and_heuristic(seed, objective) {
            solved += 1;
            worst_abs = worst_abs.max(a);
            worst_rel = worst_rel.max(r);
        }
    }
    eprintln!(
        "{objective:?}: {solved} feasible of {tried}; worst excess {worst_abs} ({worst_rel})"
    );
    assert_eq!(tried, seeds.end - seeds.start);
    assert_eq!(solved, feasible, "feasible instances among seeds {seeds:?}");
}

#[test]
fn exact_matches_brute_force_redesign() {
    brute_force_seeds(0..60, Objective::Redesign, 45);
}

#[test]
fn exact_matches_brute_force_rebalance() {
    brute_force_seeds(100..160, Objective::Rebalance, 45);
}

/// The grade is not vacuous: an optimal assignment with a family split, a locked account
/// moved, a rep over its cap or everything on one rep (outside the band) is refused.
#[test]
fn the_grade_catches_broken_rules() {
    let mut caught = 0;
    for seed in 0..60 {
        let raw = instance(seed, Objective::Redesign);
        let p = raw.problem();
        let out = run(&p, EngineChoice::Milp, 1);
        if out.status != Status::Optimal {
            continue;
        }
        let good = account_map(&p, &out.assignment);
        assert!(grade(&raw, &good).0.is_empty(), "seed {seed}");
        let other = |rep: &str| {
            raw.reps
                .iter()
                .find(|r| r.id != rep)
                .map(|r| r.id.clone())
                .expect("two reps")
        };
        // (what, the word the grade must name, the assignment)
        let mut broken: Vec<(&str, &str, BTreeMap<String, String>)> = Vec::new();
        let last = raw.accounts.last().expect("accounts");
        if last.parent_id.is_some() {
            let mut m = good.clone();
            m.insert(last.id.clone(), other(&good[&last.id]));
            broken.push(("family split", "parent", m));
        }
        if raw.accounts[1].locked {
            let mut m = good.clone();
            m.insert("A1".into(), other(&good["A1"]));
            broken.push(("lock broken", "locked", m));
        }
        if let Some(cap) = raw.reps[0].max_accounts {
            let mut m = good.clone();
            for (i, (_, r)) in m.iter_mut().enumerate() {
                if (i as u64) <= cap {
                    *r = "R0".into();
                }
            }
            broken.push(("cap exceeded", "cap", m));
        }
        let all_on_one: BTreeMap<String, String> =
            good.keys().map(|a| (a.clone(), "R0".to_string())).collect();
        broken.push(("everything on R0", "band", all_on_one));
        for (what, word, m) in broken {
            let (v, _) = grade(&raw, &m);
            assert!(
                v.iter().any(|x| x.contains(word)),
                "seed {seed}: {what} not named by the grade: {v:?}"
            );
            caught += 1;
        }
    }
    assert_eq!(caught, 83, "broken assignments caught");
}

#[test]
fn same_seed_same_assignment_at_any_thread_count() {
    for seed in 0..5 {
        let p = instance(seed, Objective::Redesign).problem();
        let a = run(&p, EngineChoice::Auto, 1);
        let b = run(&p, EngineChoice::Auto, 2);
        let c = run(&p, EngineChoice::Auto, 2);
        assert!(a.reproducible && b.reproducible);
        assert_eq!(a.assignment, b.assignment, "seed {seed}");
        assert_eq!(b.assignment, c.assignment, "seed {seed}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Whatever the instance, a heuristic result that claims feasibility is feasible and
    /// worth its claim by the independent grade, and one that found nothing (the heuristics
    /// alone cannot prove infeasibility) is on an instance where brute force finds nothing
    /// either.
    #[test]
    fn heuristic_results_are_feasible(seed in 1000u64..100_000) {
        let raw = instance(seed, Objective::Redesign);
        let p = raw.problem();
        let out = run(&p, EngineChoice::Heuristic, 2);
        match out.status {
            Status::Optimal | Status::Feasible => assert_claims(&raw, &p, &out),
            Status::Infeasible | Status::TimeLimit => prop_assert!(
                brute_force(&raw).is_none(),
                "heuristic found nothing ({:?}) on a feasible instance",
                out.status
            ),
        }
    }
}

/// The O(1) move and swap evaluation agrees with a full recomputation after the change.
#[test]
fn incremental_evaluation_matches_full_recomputation() {
    use allot_opt::heuristic::state::State;
    use allot_opt::model::SegModel;
    for seed in 0..40 {
        let p = instance(
            seed,
            if seed % 2 == 0 {
                Objective::Redesign
            } else {
                Objective::Rebalance
            },
        )
        .problem();
        let m = SegModel::new(
            &p,
            allot_model::SegIdx(0),
            &allot_opt::portfolio::build_of(&p),
        );
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let start: Vec<u32> = (0..m.n_units())
            .map(|u| m.edge_rep[m.edges(u).start])
            .collect();
        let mut st = State::new(&m, start);
        for _ in 0..50 {
            let u = rng.random_range(0..m.n_units());
            let e = m.edges(u).start + rng.random_range(0..m.edges(u).len());
            if m.edge_rep[e] == st.rep_of[u] {
                continue;
            }
            let to = m.pair(u, e);
            let predicted = st.eval_move(u, &to);
            st.apply_move(u, to);
            let fresh = State::new(&m, st.rep_of.clone()).score();
            assert!(
                (predicted.primary - fresh.primary).abs() < 1e-7 * (1.0 + fresh.primary.abs()),
                "seed {seed}: move predicted {} got {}",
                predicted.primary,
                fresh.primary
            );
            let (obj, viol) = m.evaluate(&st.rep_of);
            assert!((obj - st.objective()).abs() < 1e-9 && (viol - st.violation()).abs() < 1e-9);
            // A swap with another unit of another rep, when both may cross.
            let v = rng.random_range(0..m.n_units());
            let (a, b) = (st.rep_of[u], st.rep_of[v]);
            if let (Some(pu), Some(pv)) = (m.pair_to(u, b), m.pair_to(v, a))
                && a != b
            {
                let predicted = st.eval_swap(u, &pu, v, &pv);
                st.apply_many(&[(u, pu), (v, pv)]);
                let fresh = State::new(&m, st.rep_of.clone()).score();
                assert!(
                    (predicted.primary - fresh.primary).abs() < 1e-7 * (1.0 + fresh.primary.abs()),
                    "seed {seed}: swap"
                );
            }
        }
    }
}

/// The large-neighbourhood search never makes a solution worse, keeps it feasible (by the
/// independent [`grade`]) and reports the objective the model gives it (which [`grade`]
/// recomputes from the rows).
#[test]
fn large_neighbourhood_search_improves_and_stays_feasible() {
    use allot_model::SegIdx;
    use allot_opt::heuristic::solve_segment;
    use allot_opt::lns::{LnsBudget, improve};
    use allot_opt::model::SegModel;
    let (mut improved, mut searched, mut graded) = (0, 0, 0);
    for seed in 0..12 {
        for goal in [Objective::Rebalance, Objective::Cost] {
            let raw = instance_sized(seed, goal, 30..45, 3..5);
            let p = raw.problem();
            let ctx = SearchContext::from_plan(&p.plan);
            for s in 0..p.segments.len() {
                let m = SegModel::new(
                    &p,
                    SegIdx::from_usize(s),
                    &allot_opt::portfolio::build_of(&p),
                );
                let h = solve_segment(&m, &ctx, 1, 0);
                let budget = LnsBudget {
                    iterations: 20,
                    free_units: 8,
                    node_limit: 50,
                    cores: true,
                };
                let r = improve(&m, &h.rep_of, &ctx, budget);
                let (obj, viol) = m.evaluate(&r.rep_of);
                assert!(
                    (obj - r.objective).abs() < 1e-9,
                    "seed {seed}: claimed objective"
                );
                assert_eq!(viol, r.violation, "seed {seed}: claimed violation");
                assert!(
                    r.violation < h.violation - 1e-12
                        || (r.violation <= h.violation + 1e-12
                            && r.objective <= h.objective + 1e-9),
                    "seed {seed}: LNS made it worse"
                );
                improved += usize::from(r.improvements > 0);
                searched += 1;
                if r.violation == 0.0 && p.segments.len() == 1 {
                    graded += 1;
                    let mut unit_rep = vec![RepIdx(0); p.units.len()];
                    for (u, &r) in r.rep_of.iter().enumerate() {
                        unit_rep[m.units[u].index()] = m.reps[r as usize];
                    }
                    let a = Assignment { unit_rep };
                    let (violations, full) = grade(&raw, &account_map(&p, &a));
                    assert!(violations.is_empty(), "seed {seed}: {violations:?}");
                    assert!(
                        (full - r.objective).abs() < 1e-6,
                        "seed {seed}: {full} vs {}",
                        r.objective
                    );
                }
            }
        }
    }
    eprintln!("LNS: {searched} searched, {graded} graded, {improved} improved");
    assert_eq!((searched, graded), (24, 24), "segments searched and graded");
    assert!(
        improved > 0,
        "the search never improved a one-start heuristic"
    );
}
