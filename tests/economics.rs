//! Plan economics (`allot plan` with `[economics]` assumptions → economics.csv) and
//! scenarios (`allot compare` → compare.csv, compare.md, one folder per plan), end to end.
//!
//! Every figure is recomputed here from the raw CSV rows (read by the tests' own reader in
//! `common`) and the plan's numbers (read with the `toml` crate), never through product code:
//! segments by the plan's rules, white space, roster FTE, demand / capacity / expected ARR,
//! cost of sales with supporting roles shared by accounts, revenue per GTM dollar; for each
//! scenario of a comparison, headcount, potential per rep, balance per metric, moves against
//! the accounts' owner_id, mean km and the economics, against the scenario's own outputs
//! (which the independent checker verifies too).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;

// ---------------------------------------------------------------------------------------
// The plan's numbers, read with the toml crate
// ---------------------------------------------------------------------------------------

/// A segment rule with its ratio.
#[derive(Clone, Debug)]
struct SegRule {
    name: String,
    employees: Option<f64>,
    potential: Option<f64>,
    ratio: Option<f64>,
}

/// What the tests need of a plan.
#[derive(Clone, Debug)]
struct PlanNums {
    objective: String,
    band_pct: f64,
    hard: bool,
    metrics: Vec<String>,
    rules: Vec<SegRule>,
    /// Supporting roles: name, covered segments, ratio.
    roles: Vec<(String, Vec<String>, f64)>,
    /// `[economics.segments.<tier>]` by seg_key: key → number.
    econ: BTreeMap<String, BTreeMap<String, f64>>,
    /// `[economics.roles.<role>] loaded_cost` by lower-case role name.
    role_cost: BTreeMap<String, f64>,
}

fn read_plan_nums(path: &Path) -> PlanNums {
    let v: toml::Value = toml::from_str(&read_text(path))
        .unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()));
    let num = |x: &toml::Value| -> f64 {
        x.as_float()
            .or_else(|| x.as_integer().map(|i| i as f64))
            .unwrap_or_else(|| panic!("{x:?} is not a number"))
    };
    let rules = match v.get("segments").and_then(|s| s.as_array()) {
        Some(list) => list
            .iter()
            .map(|s| SegRule {
                name: s["name"].as_str().expect("segment name").to_string(),
                employees: s.get("employees_at_least").map(num),
                potential: s.get("potential_at_least").map(num),
                ratio: s.get("ratio").map(num),
            })
            .collect(),
        // The documented default rules and ratios.
        None => default_rules()
            .into_iter()
            .zip([22.0, 75.0, 225.0, 800.0])
            .map(|(r, ratio)| SegRule {
                name: r.name,
                employees: r.employees_at_least,
                potential: r.potential_at_least,
                ratio: Some(ratio),
            })
            .collect(),
    };
    let roles = v
        .get("roles")
        .and_then(|r| r.as_array())
        .map(|list| {
            list.iter()
                .map(|r| {
                    (
                        r["name"].as_str().expect("role name").to_string(),
                        r["covers"]
                            .as_array()
                            .expect("covers")
                            .iter()
                            .map(|c| c.as_str().expect("covered segment").to_string())
                            .collect(),
                        num(&r["ratio"]),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut econ = BTreeMap::new();
    let mut role_cost = BTreeMap::new();
    if let Some(e) = v.get("economics") {
        if let Some(t) = e.get("segments").and_then(|s| s.as_table()) {
            for (seg, keys) in t {
                let m: BTreeMap<String, f64> = keys
                    .as_table()
                    .expect("economics table")
                    .iter()
                    .map(|(k, x)| (k.clone(), num(x)))
                    .collect();
                econ.insert(seg_key(seg), m);
            }
        }
        if let Some(t) = e.get("roles").and_then(|s| s.as_table()) {
            for (role, keys) in t {
                if let Some(c) = keys.get("loaded_cost") {
                    role_cost.insert(role.to_lowercase(), num(c));
                }
            }
        }
    }
    let balance = v.get("balance");
    PlanNums {
        objective: v
            .get("objective")
            .and_then(|o| o.as_str())
            .unwrap_or("redesign")
            .to_string(),
        band_pct: balance
            .and_then(|b| b.get("band_pct"))
            .map(num)
            .unwrap_or(2.0),
        hard: balance
            .and_then(|b| b.get("hard"))
            .and_then(|h| h.as_bool())
            .unwrap_or(true),
        metrics: balance
            .and_then(|b| b.get("metrics"))
            .and_then(|m| m.as_array())
            .map(|m| {
                m.iter()
                    .map(|x| x.as_str().expect("metric").to_string())
                    .collect()
            })
            .unwrap_or_else(|| vec!["potential".into(), "workload".into()]),
        rules,
        roles,
        econ,
        role_cost,
    }
}

/// An account's own segment (its segment cell, else the first matching rule), as seg_key.
fn own_segment(a: &InAccount, rules: &[SegRule]) -> String {
    if let Some(s) = &a.segment {
        return seg_key(s);
    }
    rules
        .iter()
        .find(|r| {
            (r.employees.is_none() && r.potential.is_none())
                || matches!((r.employees, a.employees), (Some(t), Some(e)) if e >= t)
                || matches!((r.potential, a.potential), (Some(t), Some(p)) if p >= t)
        })
        .map(|r| seg_key(&r.name))
        .expect("every test plan has a catch-all rule")
}

// ---------------------------------------------------------------------------------------
// Economics, recomputed
// ---------------------------------------------------------------------------------------

/// One tier's economics as the README defines them.
#[derive(Clone, Debug)]
struct Tier {
    key: String,
    accounts: usize,
    potential: f64,
    ws_accounts: usize,
    ws_potential: f64,
    roster_fte: f64,
    demand: Option<f64>,
    capacity: Option<f64>,
    expected: Option<f64>,
    owner_cost: Option<f64>,
    support_cost: Option<f64>,
    cost: Option<f64>,
    per_dollar: Option<f64>,
}

/// Totals: sums over the tiers with accounts or owner reps, when each has the figure.
#[derive(Clone, Debug)]
struct Totals {
    accounts: usize,
    potential: f64,
    ws_accounts: usize,
    ws_potential: f64,
    roster_fte: f64,
    demand: Option<f64>,
    capacity: Option<f64>,
    expected: Option<f64>,
    cost: Option<f64>,
    per_dollar: Option<f64>,
}

fn owner_fte(reps: &[InRep], seg: &str) -> f64 {
    reps.iter()
        .filter(|r| r.active && r.owner_role() && seg_key(&r.segment) == seg)
        .map(|r| r.fte)
        .fold(0.0, |a, b| a + b)
}

fn tiers(accounts: &[InAccount], reps: &[InRep], plan: &PlanNums) -> (Vec<Tier>, Totals) {
    let rep_ids: BTreeSet<&str> = reps.iter().map(|r| r.id.as_str()).collect();
    let stated = !plan.econ.is_empty() || !plan.role_cost.is_empty();
    let keys: Vec<String> = plan.rules.iter().map(|r| seg_key(&r.name)).collect();
    let mut out = Vec::new();
    for key in &keys {
        let mine: Vec<&InAccount> = accounts
            .iter()
            .filter(|a| own_segment(a, &plan.rules) == *key)
            .collect();
        let ws: Vec<&&InAccount> = mine
            .iter()
            .filter(|a| a.owner.is_empty() || !rep_ids.contains(a.owner.as_str()))
            .collect();
        let n = mine.len();
        let fte = owner_fte(reps, key);
        let e = plan.econ.get(key);
        let get = |k: &str| e.and_then(|m| m.get(k)).copied();
        let demand = get("win_rate")
            .zip(get("avg_deal_size"))
            .map(|(w, d)| n as f64 * w * d);
        let capacity = get("quota").map(|q| fte * q);
        let expected = demand.zip(capacity).map(|(d, c)| d.min(c));
        let owner_cost = get("loaded_cost").map(|c| fte * c);
        // Supporting roles covering the tier: their FTE × cost × the tier's share of accounts.
        let mut support = if stated { Some(0.0) } else { None };
        for (role, covers, _) in &plan.roles {
            let cov: Vec<String> = covers.iter().map(|c| seg_key(c)).collect();
            if !cov.contains(key) {
                continue;
            }
            let role_fte: f64 = reps
                .iter()
                .filter(|r| r.active && r.role.eq_ignore_ascii_case(role))
                .map(|r| r.fte)
                .sum();
            let covered = accounts
                .iter()
                .filter(|a| cov.contains(&own_segment(a, &plan.rules)))
                .count();
            let share = n as f64 / covered as f64;
            support = match (support, plan.role_cost.get(&role.to_lowercase())) {
                (Some(s), Some(c)) => Some(s + role_fte * c * share),
                _ => None,
            };
        }
        let cost = owner_cost.zip(support).map(|(o, s)| o + s);
        out.push(Tier {
            key: key.clone(),
            accounts: n,
            potential: mine.iter().map(|a| a.potential.unwrap_or(0.0)).sum(),
            ws_accounts: ws.len(),
            ws_potential: ws.iter().map(|a| a.potential.unwrap_or(0.0)).sum(),
            roster_fte: fte,
            demand,
            capacity,
            expected,
            owner_cost,
            support_cost: support,
            cost,
            per_dollar: expected.zip(cost.filter(|c| *c > 0.0)).map(|(x, c)| x / c),
        });
    }
    let all = |f: fn(&Tier) -> Option<f64>| -> Option<f64> {
        out.iter()
            .filter(|t| t.accounts > 0 || t.roster_fte > 0.0)
            .map(f)
            .collect::<Option<Vec<f64>>>()
            .map(|v| v.iter().sum())
    };
    let (expected, cost) = (all(|t| t.expected), all(|t| t.cost));
    let totals = Totals {
        accounts: out.iter().map(|t| t.accounts).sum(),
        potential: out.iter().map(|t| t.potential).sum(),
        ws_accounts: out.iter().map(|t| t.ws_accounts).sum(),
        ws_potential: out.iter().map(|t| t.ws_potential).sum(),
        roster_fte: out.iter().map(|t| t.roster_fte).sum(),
        demand: all(|t| t.demand),
        capacity: all(|t| t.capacity),
        expected,
        cost,
        per_dollar: expected.zip(cost.filter(|c| *c > 0.0)).map(|(x, c)| x / c),
    };
    (out, totals)
}

/// A printed figure against its recomputed value: empty exactly when there is none, else
/// equal within the printed precision.
fn assert_cell(cell: &str, want: Option<f64>, decimals: i32, what: &str) {
    match want {
        None => assert_eq!(cell, "", "{what}: expected no figure, got {cell:?}"),
        Some(w) => {
            let got: f64 = cell
                .parse()
                .unwrap_or_else(|_| panic!("{what}: {cell:?} is not a number (expected {w})"));
            let tol = 0.5 * 10f64.powi(-decimals) + 1e-9 * w.abs();
            assert!(
                (got - w).abs() <= tol,
                "{what}: printed {cell}, recomputed {w}"
            );
        }
    }
}

/// Checks economics.csv of `out` against the recomputed tiers; returns the rows checked.
fn assert_economics_csv(out: &Path, tiers: &[Tier], t: &Totals) -> usize {
    let csv = read_csv(&out.join("economics.csv"));
    assert_eq!(
        csv.headers,
        [
            "segment",
            "accounts",
            "potential",
            "white_space_accounts",
            "white_space_potential",
            "white_space_potential_pct",
            "avg_deal_size",
            "win_rate",
            "quota",
            "loaded_cost",
            "roster_fte",
            "demand_arr",
            "capacity_arr",
            "expected_arr",
            "owner_cost",
            "support_cost",
            "cost_of_sales",
            "revenue_per_gtm_dollar"
        ]
    );
    assert_eq!(
        csv.records.len(),
        tiers.len() + 1,
        "one row per tier + total"
    );
    for (row, tier) in csv.records.iter().zip(tiers) {
        let seg = row.get("segment");
        assert_eq!(seg_key(seg), tier.key, "tier order");
        let w = |c: &str| format!("economics.csv {seg} {c}");
        assert_eq!(
            row.get("accounts"),
            tier.accounts.to_string(),
            "{}",
            w("accounts")
        );
        assert_cell(
            row.get("potential"),
            Some(tier.potential),
            2,
            &w("potential"),
        );
        assert_eq!(
            row.get("white_space_accounts"),
            tier.ws_accounts.to_string(),
            "{}",
            w("white_space_accounts")
        );
        assert_cell(
            row.get("white_space_potential"),
            Some(tier.ws_potential),
            2,
            &w("white_space_potential"),
        );
        assert_cell(
            row.get("white_space_potential_pct"),
            (tier.potential > 0.0).then(|| tier.ws_potential * 100.0 / tier.potential),
            2,
            &w("white_space_potential_pct"),
        );
        assert_cell(
            row.get("roster_fte"),
            Some(tier.roster_fte),
            2,
            &w("roster_fte"),
        );
        assert_cell(row.get("demand_arr"), tier.demand, 2, &w("demand_arr"));
        assert_cell(
            row.get("capacity_arr"),
            tier.capacity,
            2,
            &w("capacity_arr"),
        );
        assert_cell(
            row.get("expected_arr"),
            tier.expected,
            2,
            &w("expected_arr"),
        );
        assert_cell(row.get("owner_cost"), tier.owner_cost, 2, &w("owner_cost"));
        assert_cell(
            row.get("support_cost"),
            tier.support_cost,
            2,
            &w("support_cost"),
        );
        assert_cell(row.get("cost_of_sales"), tier.cost, 2, &w("cost_of_sales"));
        assert_cell(
            row.get("revenue_per_gtm_dollar"),
            tier.per_dollar,
            4,
            &w("revenue_per_gtm_dollar"),
        );
    }
    let total = csv.records.last().expect("total row");
    assert_eq!(total.get("segment"), "total");
    assert_eq!(total.get("accounts"), t.accounts.to_string());
    assert_eq!(total.get("white_space_accounts"), t.ws_accounts.to_string());
    assert_cell(
        total.get("potential"),
        Some(t.potential),
        2,
        "total potential",
    );
    assert_cell(
        total.get("white_space_potential"),
        Some(t.ws_potential),
        2,
        "total white space",
    );
    assert_cell(
        total.get("white_space_potential_pct"),
        Some(t.ws_potential * 100.0 / t.potential),
        2,
        "total white space %",
    );
    assert_cell(
        total.get("roster_fte"),
        Some(t.roster_fte),
        2,
        "total roster",
    );
    assert_cell(total.get("demand_arr"), t.demand, 2, "total demand");
    assert_cell(total.get("capacity_arr"), t.capacity, 2, "total capacity");
    assert_cell(total.get("expected_arr"), t.expected, 2, "total expected");
    assert_cell(total.get("cost_of_sales"), t.cost, 2, "total cost of sales");
    assert_cell(
        total.get("revenue_per_gtm_dollar"),
        t.per_dollar,
        4,
        "total revenue per GTM dollar",
    );
    csv.records.len()
}

fn run_plan(accounts: &Path, reps: &Path, plan: &Path, out: &Path) -> std::process::Output {
    run([
        "plan".as_ref(),
        "--accounts".as_ref(),
        accounts.as_os_str(),
        "--reps".as_ref(),
        reps.as_os_str(),
        "--plan".as_ref(),
        plan.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
}

fn scenario_plan(name: &str) -> PathBuf {
    root().join("data/demo/scenarios").join(name)
}

// ---------------------------------------------------------------------------------------
// allot plan: economics
// ---------------------------------------------------------------------------------------

#[test]
fn plan_economics_on_the_demo_match_the_rows_and_the_plan() {
    let dir = tempdir();
    let out = dir.path().join("plan");
    let plan_path = scenario_plan("baseline.toml");
    let o = run_plan(
        &demo_input("accounts.csv"),
        &demo_input("reps.csv"),
        &plan_path,
        &out,
    );
    assert_code(&o, 0, "allot plan with economics");
    assert!(!out.join("rejects.csv").exists(), "the demo has no bad row");
    let plan = read_plan_nums(&plan_path);
    assert_eq!(plan.econ.len(), 4, "the baseline states all four tiers");
    for (tier, keys) in &plan.econ {
        assert_eq!(keys.len(), 4, "{tier}: deal size, win rate, quota, cost");
    }
    let accounts = read_accounts(&demo_input("accounts.csv"), &Columns::ours());
    let reps = read_reps(&demo_input("reps.csv"));
    assert_eq!(accounts.len(), 5125);
    let (t, totals) = tiers(&accounts, &reps, &plan);
    assert!(
        totals.ws_accounts > 0,
        "the demo has white space (accounts without an owner)"
    );
    assert!(
        t.iter()
            .any(|x| x.expected.is_some() && x.expected == x.capacity && x.capacity < x.demand),
        "some tier is bound by capacity: {t:?}"
    );
    assert!(
        t.iter()
            .any(|x| x.expected.is_some() && x.expected == x.demand && x.demand < x.capacity),
        "some tier is bound by demand: {t:?}"
    );
    assert_eq!(assert_economics_csv(&out, &t, &totals), 5);
    // The assumptions are echoed as given.
    let csv = read_csv(&out.join("economics.csv"));
    for row in csv.records.iter().take(4) {
        let e = &plan.econ[&seg_key(row.get("segment"))];
        for k in ["avg_deal_size", "win_rate", "quota", "loaded_cost"] {
            assert_cell(row.get(k), Some(e[k]), 2, &format!("echo of {k}"));
        }
    }
    // plan.csv and economics.csv agree on the roster.
    let pc = read_csv(&out.join("plan.csv"));
    for (p, e) in pc.records.iter().zip(&csv.records) {
        assert_eq!(p.get("segment"), e.get("segment"));
        assert_eq!(p.get("fte_on_roster"), e.get("roster_fte"));
    }
    let text = stdout(&o);
    assert!(
        text.contains("economics (per year)") && text.contains("white space"),
        "the economics table is printed:\n{text}"
    );
    let total_line = text
        .lines()
        .skip_while(|l| !l.starts_with("economics (per year)"))
        .find(|l| l.starts_with("total "))
        .unwrap_or_else(|| panic!("no total line in:\n{text}"));
    let rpd = format!("{:.2}", totals.per_dollar.expect("total revenue per $"));
    assert!(
        total_line.contains(&rpd),
        "total line states revenue per GTM dollar {rpd}: {total_line}"
    );
}

#[test]
fn supporting_role_costs_are_shared_by_accounts() {
    let dir = tempdir();
    // The demo roster plus CSMs: 1 + 0.5 FTE active, one leaving (not costed).
    let reps = dir.path().join("reps.csv");
    let mut text = read_text(&demo_input("reps.csv"));
    text.push_str("C01,Casey CSM,enterprise,CSM,40.7128,-74.0060,1,,,,,active\n");
    text.push_str("C02,Cory CSM,mid-market,csm,41.8781,-87.6298,0.5,,,,,active\n");
    text.push_str("C03,Cleo CSM,mid-market,CSM,41.8781,-87.6298,1,,,,,leaving\n");
    std::fs::write(&reps, text).expect("write reps");
    let plan_path = dir.path().join("roles.toml");
    let mut plan_text = read_text(&scenario_plan("baseline.toml"));
    plan_text.push_str(
        "\n[[roles]]\nname = \"CSM\"\ncovers = [\"enterprise\", \"mid-market\"]\nratio = 40\n\n[economics.roles.CSM]\nloaded_cost = 150000\n",
    );
    std::fs::write(&plan_path, plan_text).expect("write plan");
    let out = dir.path().join("out");
    let o = run_plan(&demo_input("accounts.csv"), &reps, &plan_path, &out);
    assert_code(&o, 0, "allot plan with a CSM role");
    let plan = read_plan_nums(&plan_path);
    assert_eq!(plan.roles.len(), 1);
    let accounts = read_accounts(&demo_input("accounts.csv"), &Columns::ours());
    let reps = read_reps(&reps);
    let (t, totals) = tiers(&accounts, &reps, &plan);
    // By hand: 1.5 active CSM FTE × 150,000 split by the accounts of the two tiers.
    let (ent, mid) = (&t[0], &t[1]);
    let share = ent.accounts as f64 / (ent.accounts + mid.accounts) as f64;
    assert_cell(
        &format!("{:.2}", ent.support_cost.expect("enterprise support")),
        Some(1.5 * 150_000.0 * share),
        2,
        "enterprise CSM cost by hand",
    );
    assert_eq!(t[2].support_cost, Some(0.0), "growth has no CSM");
    assert_eq!(assert_economics_csv(&out, &t, &totals), 5);
    // Support costs add up to the role's whole cost.
    let csv = read_csv(&out.join("economics.csv"));
    let support: f64 = csv
        .records
        .iter()
        .take(4)
        .map(|r| r.get("support_cost").parse::<f64>().expect("support cost"))
        .sum();
    assert!(
        (support - 225_000.0).abs() < 0.02,
        "support costs {support}"
    );
}

#[test]
fn missing_assumptions_give_no_invented_figures() {
    let dir = tempdir();
    // 1. The demo plan states no economics: white space only, no money, no notes.
    let out = dir.path().join("none");
    let plan_path = demo_input("plan.toml");
    let o = run_plan(
        &demo_input("accounts.csv"),
        &demo_input("reps.csv"),
        &plan_path,
        &out,
    );
    assert_code(&o, 0, "allot plan without economics");
    let plan = read_plan_nums(&plan_path);
    assert!(plan.econ.is_empty() && plan.role_cost.is_empty());
    let accounts = read_accounts(&demo_input("accounts.csv"), &Columns::ours());
    let reps = read_reps(&demo_input("reps.csv"));
    let (t, totals) = tiers(&accounts, &reps, &plan);
    assert!(t.iter().all(|x| x.demand.is_none() && x.cost.is_none()));
    assert_eq!(assert_economics_csv(&out, &t, &totals), 5);
    let csv = read_csv(&out.join("economics.csv"));
    let money = [
        "avg_deal_size",
        "win_rate",
        "quota",
        "loaded_cost",
        "demand_arr",
        "capacity_arr",
        "expected_arr",
        "owner_cost",
        "support_cost",
        "cost_of_sales",
        "revenue_per_gtm_dollar",
    ];
    let mut cells = 0;
    for r in &csv.records {
        for c in money {
            assert_eq!(r.get(c), "", "{} {c} without assumptions", r.get("segment"));
            cells += 1;
        }
    }
    assert_eq!(cells, 5 * money.len());
    assert!(
        !stdout(&o).contains("economics (per year)"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("white space"), "{}", stdout(&o));
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));

    // 2. Only enterprise demand is stated: that one figure, nothing else, and notes naming
    // the keys that would fill the rest.
    let partial = dir.path().join("partial.toml");
    std::fs::write(
        &partial,
        format!(
            "{}\n[economics.segments.enterprise]\nwin_rate = 0.2\navg_deal_size = 50000\n",
            read_text(&plan_path)
        ),
    )
    .expect("write plan");
    let out = dir.path().join("partial");
    let o = run_plan(
        &demo_input("accounts.csv"),
        &demo_input("reps.csv"),
        &partial,
        &out,
    );
    assert_code(&o, 0, "allot plan with partial economics");
    let plan = read_plan_nums(&partial);
    let (t, totals) = tiers(&accounts, &reps, &plan);
    assert_eq!(t[0].demand, Some(t[0].accounts as f64 * 0.2 * 50_000.0));
    assert!(t.iter().all(|x| x.expected.is_none() && x.cost.is_none()));
    assert!(totals.expected.is_none() && totals.demand.is_none());
    assert_eq!(assert_economics_csv(&out, &t, &totals), 5);
    let err = stderr(&o);
    for needle in [
        "[economics.segments.enterprise]",
        "quota",
        "loaded_cost",
        "[economics.segments.digital-led]",
    ] {
        assert!(err.contains(needle), "the notes name {needle}:\n{err}");
    }
}

#[test]
fn bad_economics_exit_1_naming_the_plan_file_and_key() {
    let dir = tempdir();
    let base = read_text(&demo_input("plan.toml"));
    let cases = [
        (
            "[economics.segments.enterprise]\nwin_rate = 1.5\n",
            "economics.segments.enterprise.win_rate",
        ),
        (
            "[economics.segments.growth]\nwin_rate = -0.1\n",
            "economics.segments.growth.win_rate",
        ),
        (
            "[economics.segments.mid-market]\nloaded_cost = -1\n",
            "economics.segments.mid-market.loaded_cost",
        ),
        (
            "[economics.segments.enterprise]\nquota = nan\n",
            "economics.segments.enterprise.quota",
        ),
        (
            "[economics.segments.smb]\nquota = 1\n",
            "economics.segments.smb",
        ),
        (
            "[economics.roles.SE]\nloaded_cost = 1\n",
            "economics.roles.SE",
        ),
        ("[economics.segments.growth]\nwinrate = 0.2\n", "winrate"),
    ];
    let mut tried = 0;
    for (i, (extra, key)) in cases.iter().enumerate() {
        let plan = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&plan, format!("{base}\n{extra}")).expect("write plan");
        let out = dir.path().join(format!("out{i}"));
        let o = run_plan(
            &demo_input("accounts.csv"),
            &demo_input("reps.csv"),
            &plan,
            &out,
        );
        assert_code(&o, 1, &format!("bad economics {extra:?}"));
        let err = stderr(&o);
        assert!(
            err.contains(&plan.display().to_string()) && err.contains(key),
            "the message names {} and {key}:\n{err}",
            plan.display()
        );
        assert!(!out.join("economics.csv").exists(), "nothing written");
        tried += 1;
    }
    assert_eq!(tried, cases.len());
}

// ---------------------------------------------------------------------------------------
// allot compare
// ---------------------------------------------------------------------------------------

fn run_compare(
    plans: &[&Path],
    accounts: &Path,
    reps: &Path,
    out: &Path,
    work: &str,
) -> std::process::Output {
    let mut args: Vec<std::ffi::OsString> = vec!["compare".into()];
    args.extend(plans.iter().map(|p| p.as_os_str().to_owned()));
    for (flag, v) in [
        ("--accounts", accounts.as_os_str()),
        ("--reps", reps.as_os_str()),
        ("--out", out.as_os_str()),
    ] {
        args.push(flag.into());
        args.push(v.to_owned());
    }
    args.extend([
        "--work-limit".into(),
        work.into(),
        "--threads".into(),
        "2".into(),
    ]);
    run(args)
}

/// What a scenario's row must say, recomputed.
struct Expect<'a> {
    plan: &'a Path,
    folder: &'a str,
    status: &'a str,
    exit: u8,
}

/// Checks one compare.csv row against the scenario's folder and the raw rows.
fn assert_scenario(
    row: &Record,
    out: &Path,
    e: &Expect,
    accounts_path: &Path,
    cols: &Columns,
    reps_path: &Path,
) {
    let dir = out.join(e.folder);
    let w = |c: &str| format!("compare.csv {} {c}", e.folder);
    assert_eq!(row.get("scenario"), e.folder);
    assert_eq!(row.get("plan"), e.plan.display().to_string());
    assert_eq!(row.get("status"), e.status, "{}", w("status"));
    assert_eq!(
        row.get("exit_code"),
        e.exit.to_string(),
        "{}",
        w("exit_code")
    );
    let plan = read_plan_nums(e.plan);
    assert_eq!(row.get("objective"), plan.objective, "{}", w("objective"));
    let accounts = read_accounts(accounts_path, cols);
    let reps = read_reps(reps_path);

    // Headcount per role: accounts of the own segment / ratio, and the roster's FTE.
    for r in &plan.rules {
        let k = seg_key(&r.name);
        let n = accounts
            .iter()
            .filter(|a| own_segment(a, &plan.rules) == k)
            .count();
        assert_cell(
            row.get(&format!("fte_needed_{}", r.name)),
            r.ratio.map(|x| n as f64 / x),
            2,
            &w(&format!("fte_needed_{}", r.name)),
        );
        assert_cell(
            row.get(&format!("roster_fte_{}", r.name)),
            Some(owner_fte(&reps, &k)),
            2,
            &w(&format!("roster_fte_{}", r.name)),
        );
    }
    // Economics of the plan.
    let (_, totals) = tiers(&accounts, &reps, &plan);
    assert_cell(
        row.get("expected_arr"),
        totals.expected,
        2,
        &w("expected_arr"),
    );
    assert_cell(
        row.get("cost_of_sales"),
        totals.cost,
        2,
        &w("cost_of_sales"),
    );
    assert_cell(
        row.get("revenue_per_gtm_dollar"),
        totals.per_dollar,
        4,
        &w("revenue_per_gtm_dollar"),
    );
    assert_cell(row.get("band_pct"), Some(plan.band_pct), 2, &w("band_pct"));
    assert_eq!(row.get("balanced_metrics"), plan.metrics.join(";"));

    let s = summary(&dir);
    assert_eq!(s["status"], e.status, "{} summary.json status", e.folder);
    let solved = e.status == "optimal" || e.status == "feasible";
    let result_cols = [
        "potential_per_rep",
        "within_band",
        "moved_accounts",
        "owned_accounts",
        "moved_pct",
        "mean_km",
    ];
    if !solved {
        assert!(
            !dir.join("assignments.csv").exists(),
            "{}: no assignments.csv without an assignment",
            e.folder
        );
        for c in result_cols {
            assert_eq!(row.get(c), "", "{}", w(c));
        }
        for m in &plan.metrics {
            assert_eq!(row.get(&format!("max_dev_{m}_pct")), "");
        }
        assert!(!row.get("message").is_empty(), "{}", w("message"));
        return;
    }
    assert_eq!(row.get("message"), "", "{}", w("message"));
    // The independent checker verifies the scenario's own outputs from the raw rows.
    let mut spec = Spec::new(accounts_path, reps_path, &dir)
        .columns(cols.clone())
        .band(plan.band_pct)
        .metrics(&plan.metrics.iter().map(String::as_str).collect::<Vec<_>>())
        .objective(&plan.objective);
    spec.rules = plan
        .rules
        .iter()
        .map(|r| Rule {
            name: r.name.clone(),
            employees_at_least: r.employees,
            potential_at_least: r.potential,
        })
        .collect();
    if !plan.hard {
        spec = spec.soft();
    }
    check(&spec);
    assert!(!dir.join("rejects.csv").exists(), "no refused rows");

    // Moves: assignments.csv against the accounts' owner_id.
    let by_id: BTreeMap<&str, &InAccount> = accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let assigned = read_csv(&dir.join("assignments.csv"));
    assert_eq!(
        assigned.records.len(),
        accounts.len(),
        "every account assigned"
    );
    let (mut owned, mut moved) = (0usize, 0usize);
    let mut load: BTreeMap<String, [f64; 3]> = BTreeMap::new();
    let mut seg_of_assigned: BTreeSet<String> = BTreeSet::new();
    let (mut km, mut km_n) = (0.0, 0usize);
    let rep_by_id: BTreeMap<&str, &InRep> = reps.iter().map(|r| (r.id.as_str(), r)).collect();
    for r in &assigned.records {
        let id = unescaped(r.get("account_id"));
        let rep = unescaped(r.get("rep_id"));
        let a = by_id[id.as_str()];
        if !a.owner.is_empty() {
            owned += 1;
            if a.owner != rep {
                moved += 1;
            }
        }
        let l = load.entry(rep.clone()).or_insert([0.0; 3]);
        l[0] += a.potential.unwrap_or(0.0);
        l[1] += a.workload;
        l[2] += 1.0;
        seg_of_assigned.insert(seg_key(r.get("segment")));
        if let (Some(at), Some(home)) = (a.coords, rep_by_id[rep.as_str()].coords) {
            km += great_circle_km(home, at);
            km_n += 1;
        }
    }
    assert_eq!(
        row.get("owned_accounts"),
        owned.to_string(),
        "{}",
        w("owned")
    );
    assert_eq!(
        row.get("moved_accounts"),
        moved.to_string(),
        "{}",
        w("moved")
    );
    assert_cell(
        row.get("moved_pct"),
        Some(moved as f64 * 100.0 / owned as f64),
        2,
        &w("moved_pct"),
    );
    assert_cell(
        row.get("mean_km"),
        (km_n > 0).then(|| km / km_n as f64),
        1,
        &w("mean_km"),
    );
    // Balance: every active owner rep of a segment with accounts; target by FTE share.
    let takers: Vec<&InRep> = reps
        .iter()
        .filter(|r| r.active && r.owner_role() && seg_of_assigned.contains(&seg_key(&r.segment)))
        .collect();
    let total_pot: f64 = load.values().map(|l| l[0]).sum();
    assert_cell(
        row.get("potential_per_rep"),
        Some(total_pot / takers.len() as f64),
        2,
        &w("potential_per_rep"),
    );
    let mut max_dev = [0.0f64; 3];
    for seg in &seg_of_assigned {
        let mine: Vec<&&InRep> = takers
            .iter()
            .filter(|r| seg_key(&r.segment) == *seg)
            .collect();
        let fte: f64 = mine.iter().map(|r| r.fte).sum();
        let mut tot = [0.0; 3];
        for r in &mine {
            let l = load.get(&r.id).copied().unwrap_or([0.0; 3]);
            for k in 0..3 {
                tot[k] += l[k];
            }
        }
        for r in &mine {
            let l = load.get(&r.id).copied().unwrap_or([0.0; 3]);
            for k in 0..3 {
                let target = tot[k] * r.fte / fte;
                let dev = if target > 0.0 {
                    l[k] / target - 1.0
                } else {
                    0.0
                };
                max_dev[k] = max_dev[k].max(dev.abs());
            }
        }
    }
    let slot = |m: &str| match m {
        "potential" => 0,
        "workload" => 1,
        _ => 2,
    };
    for m in &plan.metrics {
        assert_cell(
            row.get(&format!("max_dev_{m}_pct")),
            Some(max_dev[slot(m)] * 100.0),
            2,
            &w(&format!("max_dev_{m}_pct")),
        );
    }
    let within = plan
        .metrics
        .iter()
        .all(|m| max_dev[slot(m)] <= plan.band_pct / 100.0 + 1e-9);
    assert_eq!(
        row.get("within_band"),
        within.to_string(),
        "{}",
        w("within_band")
    );
    // The scenario folder has the full outputs of a balance run and of the capacity plan.
    for f in [
        "assignments.csv",
        "territories.csv",
        "summary.json",
        "report.md",
        "plan.csv",
        "economics.csv",
    ] {
        assert!(dir.join(f).is_file(), "{} lacks {f}", dir.display());
    }
}

#[test]
fn compare_on_the_demo_matches_each_scenario_and_repeats() {
    let dir = tempdir();
    let out = dir.path().join("cmp");
    let (a, b) = (
        scenario_plan("baseline.toml"),
        scenario_plan("fewest_moves.toml"),
    );
    let accounts = demo_input("accounts.csv");
    let reps = demo_input("reps.csv");
    let o = run_compare(&[&a, &b], &accounts, &reps, &out, "2000000");
    assert_code(&o, 0, "allot compare on the demo");
    let csv = read_csv(&out.join("compare.csv"));
    assert_eq!(csv.records.len(), 2, "one row per scenario");
    let mut checked = 0;
    for (row, (plan, folder)) in csv
        .records
        .iter()
        .zip([(&a, "baseline"), (&b, "fewest_moves")])
    {
        let status = summary(&out.join(folder))["status"]
            .as_str()
            .expect("status")
            .to_string();
        assert!(
            status == "optimal" || status == "feasible",
            "{folder}: {status}"
        );
        assert_scenario(
            row,
            &out,
            &Expect {
                plan,
                folder,
                status: &status,
                exit: 0,
            },
            &accounts,
            &Columns::ours(),
            &reps,
        );
        checked += 1;
    }
    assert_eq!(checked, 2);
    // The scenarios differ where their plans do.
    let (r0, r1) = (&csv.records[0], &csv.records[1]);
    assert_ne!(
        r0.get("fte_needed_digital-led"),
        r1.get("fte_needed_digital-led")
    );
    assert_ne!(r0.get("objective"), r1.get("objective"));
    let text = stdout(&o);
    assert!(
        text.starts_with("scenario") && text.contains("baseline") && text.contains("fewest_moves"),
        "the table is printed:\n{text}"
    );
    let md = read_text(&out.join("compare.md"));
    assert!(md.contains("## Scenarios"), "{md}");
    assert!(md.contains("| **baseline** | **fewest_moves** |"), "{md}");
    assert!(md.contains("revenue per GTM dollar"), "{md}");
    // Deterministic under a work limit: a second run writes the same bytes.
    let again = dir.path().join("again");
    let o = run_compare(&[&a, &b], &accounts, &reps, &again, "2000000");
    assert_code(&o, 0, "allot compare again");
    for f in [
        "compare.csv",
        "compare.md",
        "baseline/assignments.csv",
        "fewest_moves/assignments.csv",
    ] {
        let first = std::fs::read(out.join(f)).expect("first");
        let second = std::fs::read(again.join(f)).expect("second");
        assert_eq!(first, second, "{f} differs between two runs");
    }
}

#[test]
fn compare_on_a_salesforce_export_reports_every_scenario_and_the_broken_one() {
    let dir = tempdir();
    let base = fixture("salesforce/plan.toml");
    let base_text = read_text(&base);
    assert!(base_text.contains("hard = false"), "fixture plan changed");
    // Same file name as the fixture's plan: it must get its own folder.
    std::fs::create_dir_all(dir.path().join("variant")).expect("mkdir");
    let variant = dir.path().join("variant/plan.toml");
    std::fs::write(
        &variant,
        format!(
            "{}\n[[roles]]\nname = \"CSM\"\ncovers = [\"enterprise\", \"mid-market\"]\nratio = 40\n\n\
             [economics.segments.enterprise]\navg_deal_size = 80000\nwin_rate = 0.3\nquota = 600000\nloaded_cost = 250000\n\
             [economics.segments.mid-market]\navg_deal_size = 25000\nwin_rate = 0.25\nquota = 500000\nloaded_cost = 180000\n\
             [economics.segments.growth]\navg_deal_size = 9000\nwin_rate = 0.2\nquota = 400000\nloaded_cost = 130000\n\
             [economics.segments.digital-led]\navg_deal_size = 3000\nwin_rate = 0.15\nquota = 300000\nloaded_cost = 90000\n\
             [economics.roles.CSM]\nloaded_cost = 140000\n",
            base_text.replace("hard = false", "hard = false\nband_pct = 10.0")
        ),
    )
    .expect("write variant");
    let tight = dir.path().join("tight.toml");
    std::fs::write(
        &tight,
        base_text.replace("hard = false", "hard = true\nband_pct = 0.5"),
    )
    .expect("write tight");
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        format!("{base_text}\n[economics.segments.enterprise]\nwin_rate = 2\n"),
    )
    .expect("write broken");
    let accounts = fixture("salesforce/accounts.csv");
    let reps = fixture("salesforce/reps.csv");
    let cols = Columns::salesforce("ARR_Potential__c", "Effort_Hours__c");
    let out = dir.path().join("cmp");
    let o = run_compare(
        &[&base, &variant, &tight, &broken],
        &accounts,
        &reps,
        &out,
        "2000000",
    );
    // Worst scenario: the broken plan (exit 1) before the infeasible one (exit 2).
    assert_code(&o, 1, "compare with a broken plan");
    let csv = read_csv(&out.join("compare.csv"));
    assert_eq!(csv.records.len(), 4);
    let folders: Vec<&str> = csv.records.iter().map(|r| r.get("scenario")).collect();
    assert_eq!(folders, ["plan", "plan-2", "tight", "broken"]);
    for (i, f) in ["plan", "plan-2"].iter().enumerate() {
        let status = summary(&out.join(f))["status"]
            .as_str()
            .expect("status")
            .to_string();
        assert_scenario(
            &csv.records[i],
            &out,
            &Expect {
                plan: if i == 0 { &base } else { &variant },
                folder: f,
                status: &status,
                exit: 0,
            },
            &accounts,
            &cols,
            &reps,
        );
    }
    // The variant states economics with a costed CSM (an active one on the roster).
    let v = &csv.records[1];
    assert!(!v.get("revenue_per_gtm_dollar").is_empty(), "{v:?}");
    assert_cell(v.get("roster_fte_CSM"), Some(1.0), 2, "CSM roster");
    assert_eq!(
        csv.records[0].get("cost_of_sales"),
        "",
        "no assumptions in the fixture plan"
    );
    assert_scenario(
        &csv.records[2],
        &out,
        &Expect {
            plan: &tight,
            folder: "tight",
            status: "infeasible",
            exit: 2,
        },
        &accounts,
        &cols,
        &reps,
    );
    let b = &csv.records[3];
    assert_eq!(b.get("status"), "bad_input");
    assert_eq!(b.get("exit_code"), "1");
    assert!(
        b.get("message").contains(&broken.display().to_string())
            && b.get("message")
                .contains("economics.segments.enterprise.win_rate"),
        "the row names the plan and the key: {:?}",
        b.get("message")
    );
    assert!(
        !out.join("broken").exists(),
        "a plan that cannot be read writes no folder"
    );
    assert!(
        stderr(&o).contains("economics.segments.enterprise.win_rate"),
        "{}",
        stderr(&o)
    );
    let md = read_text(&out.join("compare.md"));
    assert!(md.contains("## Scenarios without an assignment"), "{md}");
    assert!(
        md.contains("**tight**") && md.contains("**broken**"),
        "{md}"
    );

    // Without the broken plan the worst is the infeasible one: exit 2.
    let out2 = dir.path().join("cmp2");
    let o = run_compare(&[&base, &tight], &accounts, &reps, &out2, "2000000");
    assert_code(&o, 2, "compare with an infeasible plan");
    let csv = read_csv(&out2.join("compare.csv"));
    let statuses: Vec<&str> = csv.records.iter().map(|r| r.get("status")).collect();
    assert_eq!(statuses.len(), 2);
    assert_eq!(statuses[1], "infeasible");
}
