//! A test-only exact model of allot's problem, written from the raw input rows and the
//! README's rules, sharing no code with the product crates.
//!
//! It reads accounts.csv, reps.csv (our default headers), plan.toml (with the `toml` crate:
//! the keys the tests write) and optionally pairs.csv, builds the account families from
//! `parent_id`, derives segments from the plan's ordered rules, and states one MILP with
//! good_lp, solved by HiGHS directly:
//!
//! * a binary x\[family, rep\] for every eligible pair: an active owner-role rep of the
//!   family's segment whose `regions`/`industries` allow every member, within
//!   `[compactness] max_km` of every located member, listed in pairs.csv for every member
//!   when a pairs file is given; a locked family only on the rep it is locked to;
//! * every family on exactly one rep;
//! * per-rep caps (`max_accounts`, `max_workload`, `max_potential`);
//! * the hard balance band: every active owner rep within ±band of its target
//!   (segment total × fte / Σ fte) on each balanced metric;
//! * the disruption budget (`max_moves`, `max_moved_pct`) over all segments together;
//! * the objective: `rebalance` = accounts whose owner changes (the plan sets every
//!   secondary weight to 0, so this is allot's whole objective), `travel` = total
//!   great-circle km from rep home to account, `cost` = total pair cost.
//!
//! [`solve`] returns HiGHS's status, the optimum, HiGHS's dual bound and the assignment;
//! [`evaluate`] recomputes the objective and every rule of an assignment from the rows, so
//! the optimum is checked to be a feasible assignment with the claimed value.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use good_lp::{Expression, ProblemVariables, SolverModel, Variable, highs, variable};

/// One account row.
#[derive(Clone, Debug)]
pub struct Acc {
    /// account_id.
    pub id: String,
    /// employees, when given.
    pub employees: Option<f64>,
    /// potential, when given.
    pub potential: Option<f64>,
    /// workload (0 when empty).
    pub workload: f64,
    /// (lat, lon), when both given.
    pub coords: Option<(f64, f64)>,
    /// industry.
    pub industry: String,
    /// region.
    pub region: String,
    /// owner_id ("" = none).
    pub owner: String,
    /// parent_id ("" = none).
    pub parent: String,
    /// locked.
    pub locked: bool,
}

/// One rep row.
#[derive(Clone, Debug)]
pub struct Rep {
    /// rep_id.
    pub id: String,
    /// segment.
    pub segment: String,
    /// role ("" = owner).
    pub role: String,
    /// home (lat, lon).
    pub coords: Option<(f64, f64)>,
    /// fte share.
    pub fte: f64,
    /// caps.
    pub max_accounts: Option<f64>,
    /// caps.
    pub max_workload: Option<f64>,
    /// caps.
    pub max_potential: Option<f64>,
    /// allowed regions (empty = any).
    pub regions: Vec<String>,
    /// allowed industries (empty = any).
    pub industries: Vec<String>,
    /// status is active.
    pub active: bool,
}

impl Rep {
    /// Whether the rep takes accounts: active and of the owner role.
    fn takes(&self) -> bool {
        let r = self.role.trim().to_lowercase();
        self.active && (r.is_empty() || r == "ae" || r == "owner")
    }
}

/// A segment rule of the plan.
#[derive(Clone, Debug)]
pub struct Rule {
    /// name.
    pub name: String,
    /// employees ≥ this matches.
    pub employees_at_least: Option<f64>,
    /// potential ≥ this matches.
    pub potential_at_least: Option<f64>,
}

/// What the tests' plans say.
#[derive(Clone, Debug)]
pub struct PlanSpec {
    /// objective name.
    pub objective: String,
    /// ordered segment rules.
    pub rules: Vec<Rule>,
    /// band in percent.
    pub band_pct: f64,
    /// balanced metrics.
    pub metrics: Vec<String>,
    /// `[disruption] max_moves`.
    pub max_moves: Option<f64>,
    /// `[disruption] max_moved_pct`.
    pub max_moved_pct: Option<f64>,
    /// `[compactness] max_km`.
    pub max_km: Option<f64>,
}

/// The raw instance.
#[derive(Clone, Debug)]
pub struct Instance {
    /// accounts.csv rows.
    pub accounts: Vec<Acc>,
    /// reps.csv rows.
    pub reps: Vec<Rep>,
    /// plan.toml.
    pub plan: PlanSpec,
    /// pairs.csv: (account_id, rep_id) → cost.
    pub pairs: Option<HashMap<(String, String), f64>>,
}

fn table(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut rd = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers: Vec<String> = rd
        .headers()
        .expect("a header row")
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let rows = rd
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect();
    (headers, rows)
}

fn cell<'a>(headers: &[String], row: &'a csv::StringRecord, name: &str) -> &'a str {
    headers
        .iter()
        .position(|h| h == name)
        .and_then(|i| row.get(i))
        .map(str::trim)
        .unwrap_or("")
}

fn number(s: &str) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let v: f64 = s
        .parse()
        .unwrap_or_else(|_| panic!("not a plain number: {s:?}"));
    assert!(v.is_finite() && v >= 0.0, "not a number ≥ 0: {s:?}");
    Some(v)
}

fn coords(lat: &str, lon: &str) -> Option<(f64, f64)> {
    Some((number_signed(lat)?, number_signed(lon)?))
}

fn number_signed(s: &str) -> Option<f64> {
    (!s.is_empty()).then(|| s.parse().unwrap_or_else(|_| panic!("bad coordinate {s:?}")))
}

fn list(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads accounts.csv, reps.csv, plan.toml and (when given) pairs.csv.
pub fn read(accounts: &Path, reps: &Path, plan: &Path, pairs: Option<&Path>) -> Instance {
    let (h, rows) = table(accounts);
    let accounts: Vec<Acc> = rows
        .iter()
        .map(|r| {
            let c = |n: &str| cell(&h, r, n);
            Acc {
                id: c("account_id").to_string(),
                employees: number(c("employees")),
                potential: number(c("potential")),
                workload: number(c("workload")).unwrap_or(0.0),
                coords: coords(c("lat"), c("lon")),
                industry: c("industry").to_string(),
                region: c("region").to_string(),
                owner: c("owner_id").to_string(),
                parent: c("parent_id").to_string(),
                locked: matches!(c("locked").to_lowercase().as_str(), "true" | "1" | "yes"),
            }
        })
        .collect();
    let (h, rows) = table(reps);
    let reps: Vec<Rep> = rows
        .iter()
        .map(|r| {
            let c = |n: &str| cell(&h, r, n);
            let fte = match c("fte") {
                "" => 1.0,
                s if s.ends_with('%') => {
                    number(s.trim_end_matches('%')).expect("fte percent") / 100.0
                }
                s => number(s).expect("fte"),
            };
            Rep {
                id: c("rep_id").to_string(),
                segment: c("segment").to_string(),
                role: c("role").to_string(),
                coords: coords(c("lat"), c("lon")),
                fte,
                max_accounts: number(c("max_accounts")),
                max_workload: number(c("max_workload")),
                max_potential: number(c("max_potential")),
                regions: list(c("regions")),
                industries: list(c("industries")),
                active: !c("status").eq_ignore_ascii_case("leaving"),
            }
        })
        .collect();
    let text = std::fs::read_to_string(plan).expect("plan.toml");
    let t: toml::Table = text.parse().expect("plan.toml parses");
    let f = |v: Option<&toml::Value>| {
        v.map(|v| {
            v.as_float()
                .or_else(|| v.as_integer().map(|i| i as f64))
                .expect("a number")
        })
    };
    let empty = toml::Table::new();
    let section = |name: &str| t.get(name).and_then(|v| v.as_table()).unwrap_or(&empty);
    let rules = t
        .get("segments")
        .and_then(|v| v.as_array())
        .expect("the tests' plans list their segments")
        .iter()
        .map(|s| Rule {
            name: s["name"].as_str().expect("segment name").to_string(),
            employees_at_least: f(s.get("employees_at_least")),
            potential_at_least: f(s.get("potential_at_least")),
        })
        .collect();
    let balance = section("balance");
    assert!(
        balance
            .get("hard")
            .is_none_or(|v| v.as_bool() == Some(true)),
        "the exact model states the band as hard"
    );
    let plan = PlanSpec {
        objective: t
            .get("objective")
            .and_then(|v| v.as_str())
            .unwrap_or("redesign")
            .to_string(),
        rules,
        band_pct: f(balance.get("band_pct")).unwrap_or(2.0),
        metrics: balance
            .get("metrics")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .map(|m| m.as_str().expect("metric").to_string())
                    .collect()
            })
            .unwrap_or_else(|| vec!["potential".into(), "workload".into()]),
        max_moves: f(section("disruption").get("max_moves")),
        max_moved_pct: f(section("disruption").get("max_moved_pct")),
        max_km: f(section("compactness").get("max_km")),
    };
    let pairs = pairs.map(|p| {
        let (h, rows) = table(p);
        let mut m = HashMap::new();
        for r in &rows {
            let c = |n: &str| cell(&h, r, n);
            assert!(
                c("workload").is_empty(),
                "the exact model uses account workloads"
            );
            let prev = m.insert(
                (c("account_id").to_string(), c("rep_id").to_string()),
                c("cost").parse::<f64>().expect("pair cost"),
            );
            assert!(prev.is_none(), "a repeated pair");
        }
        m
    });
    Instance {
        accounts,
        reps,
        plan,
        pairs,
    }
}

const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle km (haversine) between two (lat, lon) points in degrees.
pub fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let s1 = ((p2 - p1) / 2.0).sin();
    let s2 = ((b.1 - a.1).to_radians() / 2.0).sin();
    let h = s1 * s1 + p1.cos() * p2.cos() * s2 * s2;
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The instance as families on eligible reps.
#[derive(Clone, Debug)]
pub struct Families {
    /// Members of each family (indices into `accounts`).
    pub members: Vec<Vec<usize>>,
    /// Eligible reps of each family (indices into `reps`).
    pub eligible: Vec<Vec<usize>>,
    /// Active owner-role reps of each segment.
    pub seg_reps: Vec<Vec<usize>>,
    /// Per segment: total potential, workload, accounts.
    pub seg_total: Vec<[f64; 3]>,
    /// Accounts with an owner.
    pub owned: usize,
}

fn rep_index(inst: &Instance) -> HashMap<&str, usize> {
    inst.reps
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect()
}

/// Families (parent_id chains to the topmost ancestor), their segments (the lock's, else
/// the earliest rule any member matches) and eligible reps.
pub fn families(inst: &Instance) -> Families {
    let acc_ix: HashMap<&str, usize> = inst
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let rep_ix = rep_index(inst);
    let n = inst.accounts.len();
    let top = |mut i: usize| {
        let mut steps = 0;
        while let Some(&p) = acc_ix.get(inst.accounts[i].parent.as_str()) {
            i = p;
            steps += 1;
            assert!(steps <= n, "a parent cycle");
        }
        i
    };
    let mut fam_of_root: BTreeMap<usize, usize> = BTreeMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for i in 0..n {
        let r = top(i);
        let next = members.len();
        let f = *fam_of_root.entry(r).or_insert(next);
        if f == next {
            members.push(Vec::new());
        }
        members[f].push(i);
    }
    let rule_of = |a: &Acc| {
        inst.plan
            .rules
            .iter()
            .position(|r| {
                let none = r.employees_at_least.is_none() && r.potential_at_least.is_none();
                let e = matches!((r.employees_at_least, a.employees), (Some(t), Some(v)) if v >= t);
                let p = matches!((r.potential_at_least, a.potential), (Some(t), Some(v)) if v >= t);
                none || e || p
            })
            .unwrap_or_else(|| panic!("{}: no segment rule matches", a.id))
    };
    let seg_of_name = |s: &str| {
        inst.plan
            .rules
            .iter()
            .position(|r| r.name.eq_ignore_ascii_case(s.trim()))
    };
    let ns = inst.plan.rules.len();
    let mut seg_reps = vec![Vec::new(); ns];
    for (j, r) in inst.reps.iter().enumerate() {
        if r.takes() {
            let s = seg_of_name(&r.segment)
                .unwrap_or_else(|| panic!("rep {} is in no segment of the plan", r.id));
            seg_reps[s].push(j);
        }
    }
    let mut eligible = Vec::new();
    let mut seg_total = vec![[0.0; 3]; ns];
    for ms in &members {
        // The lock: a locked member whose owner is an active owner-role rep.
        let mut lock: Option<usize> = None;
        for &m in ms {
            let a = &inst.accounts[m];
            if a.locked {
                let &o = rep_ix
                    .get(a.owner.as_str())
                    .unwrap_or_else(|| panic!("{} is locked without an owner", a.id));
                if inst.reps[o].takes() {
                    assert!(lock.is_none_or(|l| l == o), "a family locked to two reps");
                    lock = Some(o);
                }
            }
        }
        let s = match lock {
            Some(l) => seg_of_name(&inst.reps[l].segment).expect("lock's segment"),
            None => ms
                .iter()
                .map(|&m| rule_of(&inst.accounts[m]))
                .min()
                .expect("a member"),
        };
        let candidates: Vec<usize> = match lock {
            Some(l) => vec![l],
            None => seg_reps[s].clone(),
        };
        let allowed = |j: usize| {
            let r = &inst.reps[j];
            ms.iter().all(|&m| {
                let a = &inst.accounts[m];
                let ok = |l: &[String], v: &str| {
                    l.is_empty() || l.iter().any(|x| x.eq_ignore_ascii_case(v.trim()))
                };
                let place =
                    lock.is_some() || (ok(&r.regions, &a.region) && ok(&r.industries, &a.industry));
                let paired = inst
                    .pairs
                    .as_ref()
                    .is_none_or(|p| p.contains_key(&(a.id.clone(), r.id.clone())));
                let near = match (inst.plan.max_km, a.coords, r.coords) {
                    (Some(cap), Some(x), Some(y)) => km(x, y) <= cap,
                    _ => true,
                };
                place && (paired || lock.is_some()) && near
            })
        };
        let el: Vec<usize> = candidates.into_iter().filter(|&j| allowed(j)).collect();
        assert!(
            !el.is_empty(),
            "family of {} has no eligible rep (the tests' instances avoid refusals)",
            inst.accounts[ms[0]].id
        );
        for &m in ms {
            let a = &inst.accounts[m];
            seg_total[s][0] += a.potential.unwrap_or(0.0);
            seg_total[s][1] += a.workload;
            seg_total[s][2] += 1.0;
        }
        eligible.push(el);
    }
    let owned = inst.accounts.iter().filter(|a| !a.owner.is_empty()).count();
    Families {
        members,
        eligible,
        seg_reps,
        seg_total,
        owned,
    }
}

fn metric_slot(m: &str) -> usize {
    match m {
        "potential" => 0,
        "workload" => 1,
        "accounts" => 2,
        other => panic!("unknown metric {other:?}"),
    }
}

/// Accounts of family `f` whose owner is not rep `j`, its km to `j` and its pair cost.
fn pair_terms(inst: &Instance, fam: &Families, f: usize, j: usize) -> (f64, f64, f64) {
    let r = &inst.reps[j];
    let mut moved = 0.0;
    let mut dist = 0.0;
    let mut cost = 0.0;
    for &m in &fam.members[f] {
        let a = &inst.accounts[m];
        if !a.owner.is_empty() && a.owner != r.id {
            moved += 1.0;
        }
        if let (Some(x), Some(y)) = (a.coords, r.coords) {
            dist += km(x, y);
        }
        if let Some(p) = &inst.pairs {
            // A locked account may sit on a pair the file does not list: it costs nothing.
            cost += p.get(&(a.id.clone(), r.id.clone())).copied().unwrap_or(0.0);
        }
    }
    (moved, dist, cost)
}

fn loads(inst: &Instance, fam: &Families, f: usize) -> [f64; 3] {
    let mut l = [0.0; 3];
    for &m in &fam.members[f] {
        let a = &inst.accounts[m];
        l[0] += a.potential.unwrap_or(0.0);
        l[1] += a.workload;
        l[2] += 1.0;
    }
    l
}

/// The value of the plan's objective for pair (f, j).
fn pair_cost(inst: &Instance, fam: &Families, f: usize, j: usize) -> f64 {
    let (moved, dist, cost) = pair_terms(inst, fam, f, j);
    match inst.plan.objective.as_str() {
        "rebalance" => moved,
        "travel" => dist,
        "cost" => cost,
        other => panic!("the exact model does not state objective {other:?}"),
    }
}

/// Band and cap rows of rep `j`: (metric slot, lower, upper).
fn rep_rows(inst: &Instance, fam: &Families, j: usize) -> Vec<(usize, f64, f64)> {
    let r = &inst.reps[j];
    let mut rows = Vec::new();
    if !r.takes() {
        return rows;
    }
    let s = fam
        .seg_reps
        .iter()
        .position(|l| l.contains(&j))
        .expect("segment of an active rep");
    let fte_sum: f64 = fam.seg_reps[s].iter().map(|&k| inst.reps[k].fte).sum();
    let b = inst.plan.band_pct / 100.0;
    for m in &inst.plan.metrics {
        let k = metric_slot(m);
        let target = fam.seg_total[s][k] * r.fte / fte_sum;
        rows.push((k, target * (1.0 - b), target * (1.0 + b)));
    }
    for (k, cap) in [
        (0, r.max_potential),
        (1, r.max_workload),
        (2, r.max_accounts),
    ] {
        if let Some(c) = cap {
            rows.push((k, f64::NEG_INFINITY, if k == 2 { c.floor() } else { c }));
        }
    }
    rows
}

/// The move budget in accounts, when the plan states one.
fn budget(inst: &Instance, fam: &Families) -> Option<f64> {
    let pct = inst
        .plan
        .max_moved_pct
        .map(|p| (p / 100.0 * fam.owned as f64 + 1e-9).floor());
    match (inst.plan.max_moves, pct) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What HiGHS proved.
#[derive(Clone, Debug)]
pub struct Exact {
    /// HiGHS's model status.
    pub status: highs::HighsModelStatus,
    /// The optimum (objective of the incumbent).
    pub objective: f64,
    /// HiGHS's dual bound.
    pub dual_bound: f64,
    /// account_id → rep_id of the incumbent.
    pub assignment: BTreeMap<String, String>,
    /// Binary variables of the model.
    pub binaries: usize,
}

/// Builds the MILP and solves it with HiGHS (one thread, fixed seed, gap 0 up to 1e-9
/// relative). Returns `Err` when HiGHS fails or finds no solution.
pub fn solve(inst: &Instance) -> Result<Exact, String> {
    let fam = families(inst);
    let mut vars = ProblemVariables::new();
    let mut x: Vec<Vec<(usize, Variable)>> = Vec::new();
    for f in 0..fam.members.len() {
        x.push(
            fam.eligible[f]
                .iter()
                .map(|&j| (j, vars.add(variable().binary())))
                .collect(),
        );
    }
    let binaries = x.iter().map(Vec::len).sum();
    let mut objective = Expression::from(0.0);
    for (f, xs) in x.iter().enumerate() {
        for &(j, v) in xs {
            objective += pair_cost(inst, &fam, f, j) * v;
        }
    }
    let mut model = vars.minimise(objective).using(highs);
    for xs in &x {
        let one: Expression = xs.iter().map(|&(_, v)| v).sum();
        model.add_constraint(one.eq(1.0));
    }
    let fam_loads: Vec<[f64; 3]> = (0..fam.members.len())
        .map(|f| loads(inst, &fam, f))
        .collect();
    for j in 0..inst.reps.len() {
        for (k, lo, hi) in rep_rows(inst, &fam, j) {
            let mut e = Expression::from(0.0);
            for (f, xs) in x.iter().enumerate() {
                for &(jj, v) in xs {
                    if jj == j {
                        e += fam_loads[f][k] * v;
                    }
                }
            }
            if lo > f64::NEG_INFINITY {
                model.add_constraint(e.clone().geq(lo));
            }
            model.add_constraint(e.leq(hi));
        }
    }
    if let Some(b) = budget(inst, &fam) {
        let mut e = Expression::from(0.0);
        for (f, xs) in x.iter().enumerate() {
            for &(j, v) in xs {
                e += pair_terms(inst, &fam, f, j).0 * v;
            }
        }
        model.add_constraint(e.leq(b));
    }
    let mut m = model.into_inner();
    for (k, v) in [("mip_rel_gap", 1e-9), ("mip_abs_gap", 1e-7)] {
        m.try_set_option(k, v).map_err(|e| format!("{k}: {e:?}"))?;
    }
    m.try_set_option("threads", 1)
        .map_err(|e| format!("threads: {e:?}"))?;
    m.try_set_option("random_seed", 0)
        .map_err(|e| format!("random_seed: {e:?}"))?;
    m.try_set_option("output_flag", false)
        .map_err(|e| format!("output_flag: {e:?}"))?;
    let solved = m.try_solve().map_err(|e| format!("HiGHS failed: {e:?}"))?;
    let status = solved.status();
    if solved.primal_solution_status() != highs::HighsSolutionStatus::Feasible {
        return Err(format!("HiGHS found no solution (status {status:?})"));
    }
    let sol = solved.get_solution();
    let cols = sol.columns();
    let mut assignment = BTreeMap::new();
    let mut col = 0;
    for (f, xs) in x.iter().enumerate() {
        let mut chosen = None;
        for &(j, _) in xs {
            if cols[col] > 0.5 {
                chosen = Some(j);
            }
            col += 1;
        }
        let j = chosen.ok_or_else(|| format!("family {f} on no rep"))?;
        for &m in &fam.members[f] {
            assignment.insert(inst.accounts[m].id.clone(), inst.reps[j].id.clone());
        }
    }
    Ok(Exact {
        status,
        objective: solved.objective_value(),
        dual_bound: solved
            .double_info_value(c"mip_dual_bound")
            .map_err(|e| format!("mip_dual_bound: {e:?}"))?,
        assignment,
        binaries,
    })
}

/// Recomputes the plan's objective of `assignment` (account_id → rep_id) from the rows and
/// lists every rule it breaks (coverage, eligibility, families, caps, band, budget).
pub fn evaluate(inst: &Instance, assignment: &BTreeMap<String, String>) -> (f64, Vec<String>) {
    let fam = families(inst);
    let rep_ix = rep_index(inst);
    let mut v = Vec::new();
    let mut total = 0.0;
    let mut load = vec![[0.0; 3]; inst.reps.len()];
    let mut moved = 0.0;
    for (f, ms) in fam.members.iter().enumerate() {
        let reps: Vec<Option<&String>> = ms
            .iter()
            .map(|&m| assignment.get(&inst.accounts[m].id))
            .collect();
        let Some(Some(first)) = reps.first() else {
            v.push(format!("{} is not assigned", inst.accounts[ms[0]].id));
            continue;
        };
        if reps.iter().any(|r| *r != Some(*first)) {
            v.push(format!("family of {} split", inst.accounts[ms[0]].id));
            continue;
        }
        let Some(&j) = rep_ix.get(first.as_str()) else {
            v.push(format!("unknown rep {first}"));
            continue;
        };
        if !fam.eligible[f].contains(&j) {
            v.push(format!(
                "family of {} on ineligible {first}",
                inst.accounts[ms[0]].id
            ));
        }
        total += pair_cost(inst, &fam, f, j);
        moved += pair_terms(inst, &fam, f, j).0;
        let l = loads(inst, &fam, f);
        for k in 0..3 {
            load[j][k] += l[k];
        }
    }
    if assignment.len() != inst.accounts.len() {
        v.push(format!(
            "{} accounts assigned, {} in the file",
            assignment.len(),
            inst.accounts.len()
        ));
    }
    for j in 0..inst.reps.len() {
        for (k, lo, hi) in rep_rows(inst, &fam, j) {
            let tol = 1e-9 * hi.abs().max(1.0);
            if load[j][k] < lo - tol || load[j][k] > hi + tol {
                v.push(format!(
                    "{}: metric {k} load {} outside [{lo}, {hi}]",
                    inst.reps[j].id, load[j][k]
                ));
            }
        }
        if !inst.reps[j].takes() && load[j][2] > 0.0 {
            v.push(format!("{} takes no accounts", inst.reps[j].id));
        }
    }
    if let Some(b) = budget(inst, &fam)
        && moved > b
    {
        v.push(format!("{moved} moves over the budget {b}"));
    }
    (total, v)
}
