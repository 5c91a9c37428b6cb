//! The constraint model end to end: every rule (caps on three metrics, hard bands, the
//! travel cap, disruption budgets, locks, families, eligibility) holds in every objective
//! (redesign, rebalance, travel, cost); the linear objectives reach the optimum that an
//! independent brute force finds on small territory-design cases; candidate lists never
//! decide the answer and never make a reported lower bound untrue; and an infeasible plan
//! names its binding rule with an amount.
//!
//! Every optimum here is recomputed in this file (enumeration, own great-circle and band
//! arithmetic); every output goes through the independent checker of `common`.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::*;

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

/// A seeded generator for the cases (SplitMix64, see `common`).
struct Rng(SplitMix);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(SplitMix(
            seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03,
        ))
    }

    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Relative closeness with an absolute floor of 1e-6.
fn near(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= 1e-6_f64.max(rel * a.abs().max(b.abs()))
}

/// Every assignment of `n` free items to `k` reps, visited as a digit vector.
fn for_each_assignment(n: usize, k: usize, mut f: impl FnMut(&[usize])) {
    let mut digits = vec![0usize; n];
    loop {
        f(&digits);
        let mut i = 0;
        loop {
            if i == n {
                return;
            }
            digits[i] += 1;
            if digits[i] < k {
                break;
            }
            digits[i] = 0;
            i += 1;
        }
    }
}

/// Whether integer load `load` is within ±`band_pct` % of the target `total × f / sum_f`,
/// in exact integer arithmetic: 100 |load·sum_f − total·f| ≤ band_pct·total·f.
fn within_band(load: i64, total: i64, f: i64, sum_f: i64, band_pct: i64) -> bool {
    100 * (load * sum_f - total * f).abs() <= band_pct * total * f
}

/// Whether some whole-number load sits exactly on a band edge of a rep (shares `f` of
/// `sum_f`): there a float comparison may go either way, so the generators avoid it.
fn band_edge(total: i64, f: i64, sum_f: i64, band_pct: i64) -> bool {
    [100 + band_pct, 100 - band_pct]
        .iter()
        .any(|m| (total * f * m) % (100 * sum_f) == 0)
}

/// Exit 0 or a failure with both streams.
fn assert_ok(o: &std::process::Output, what: &str) {
    assert_code(o, 0, what);
}

/// A number with at least one digit in `s`.
fn has_number(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------
// a. Published-style territory-design cases against brute force
// ---------------------------------------------------------------------------------------

/// A territory-design case in the style of the published ones: zones with workloads,
/// three reps living in three office zones (locked to them), the other zones owned at random.
struct ZoneCase {
    seed: u64,
    /// (id, lat, lon, workload, owner rep index).
    zones: Vec<(String, f64, f64, i64, usize)>,
    /// Office zone of each rep.
    office: [usize; 3],
    band_pct: i64,
    /// Potential column: None = absent, Some = every zone 0.
    potential_column: bool,
    /// Latitude the planar projection of the pair costs is taken at.
    lat0: f64,
}

const REP_IDS: [&str; 4] = ["R1", "R2", "R3", "R4"];

fn zone_case(seed: u64) -> ZoneCase {
    let mut rng = Rng::new(1000 + seed);
    let z = 9 + rng.below(3) as usize;
    let lat0 = 33.0 + rng.unit() * 12.0;
    let lon0 = -110.0 + rng.unit() * 30.0;
    // ~300 km each way: 2.7° of latitude, 2.7°/cos(lat) of longitude.
    let dlon = 2.7 / lat0.to_radians().cos();
    let mut zones: Vec<(String, f64, f64, i64, usize)> = (0..z)
        .map(|i| {
            let lat = lat0 + rng.unit() * 2.7;
            let lon = lon0 + rng.unit() * dlon;
            let lat = (lat * 1e5).round() / 1e5;
            let lon = (lon * 1e5).round() / 1e5;
            let w = 5 + rng.below(36) as i64;
            (format!("Z{:02}", i + 1), lat, lon, w, rng.below(3) as usize)
        })
        .collect();
    // Three distinct office zones.
    let mut office = [usize::MAX; 3];
    for j in 0..3 {
        loop {
            let o = rng.below(z as u64) as usize;
            if !office.contains(&o) {
                office[j] = o;
                break;
            }
        }
        zones[office[j]].4 = j;
    }
    let band_pct = if rng.below(2) == 0 { 15 } else { 20 };
    let potential_column = rng.below(2) == 0;
    // No whole-number load exactly on a band edge.
    let free = (0..z).find(|i| !office.contains(i)).expect("a free zone");
    while band_edge(zones.iter().map(|x| x.3).sum(), 1, 3, band_pct) {
        zones[free].3 += 1;
    }
    ZoneCase {
        seed,
        zones,
        office,
        band_pct,
        potential_column,
        lat0,
    }
}

impl ZoneCase {
    fn rep_home(&self, j: usize) -> (f64, f64) {
        let o = &self.zones[self.office[j]];
        (o.1, o.2)
    }

    /// Writes accounts.csv and reps.csv into `dir`.
    fn write(&self, dir: &Path) -> (PathBuf, PathBuf) {
        let mut acc = String::from("account_id,segment,workload,lat,lon,owner_id,locked");
        if self.potential_column {
            acc.push_str(",potential");
        }
        acc.push('\n');
        for (i, (id, lat, lon, w, owner)) in self.zones.iter().enumerate() {
            let locked = self.office.contains(&i);
            write!(
                acc,
                "{id},field,{w},{lat},{lon},{},{locked}",
                REP_IDS[*owner]
            )
            .expect("format");
            if self.potential_column {
                acc.push_str(",0");
            }
            acc.push('\n');
        }
        let mut reps = String::from("rep_id,segment,lat,lon,fte\n");
        for (j, id) in REP_IDS.iter().take(3).enumerate() {
            let (lat, lon) = self.rep_home(j);
            writeln!(reps, "{id},field,{lat},{lon},1").expect("format");
        }
        let (a, r) = (dir.join("accounts.csv"), dir.join("reps.csv"));
        write(&a, &acc);
        write(&r, &reps);
        (a, r)
    }

    /// Planar Euclidean distance (km) of the equirectangular projection at `lat0`, as
    /// written to pairs.csv (4 decimals) and read back.
    fn planar_cost(&self, zone: usize, rep: usize) -> f64 {
        const R: f64 = 6371.0;
        let (lat, lon) = (self.zones[zone].1, self.zones[zone].2);
        let (hl, ho) = self.rep_home(rep);
        let x = (lon - ho).to_radians() * self.lat0.to_radians().cos() * R;
        let y = (lat - hl).to_radians() * R;
        let text = format!("{:.4}", (x * x + y * y).sqrt());
        text.parse().expect("a number")
    }

    fn write_pairs(&self, dir: &Path) -> PathBuf {
        let mut s = String::from("account_id,rep_id,cost\n");
        for (i, z) in self.zones.iter().enumerate() {
            for j in 0..3 {
                writeln!(s, "{},{},{:.4}", z.0, REP_IDS[j], self.planar_cost(i, j))
                    .expect("format");
            }
        }
        let p = dir.join("pairs.csv");
        write(&p, &s);
        p
    }

    /// The least total `cost(zone, rep)` over every assignment that keeps the office zones
    /// on their reps and every rep's workload within the band; None when none does.
    fn brute_force(&self, cost: impl Fn(usize, usize) -> f64) -> Option<f64> {
        let z = self.zones.len();
        let total: i64 = self.zones.iter().map(|x| x.3).sum();
        let free: Vec<usize> = (0..z).filter(|i| !self.office.contains(i)).collect();
        let mut best: Option<f64> = None;
        for_each_assignment(free.len(), 3, |digits| {
            let mut load = [0i64; 3];
            let mut c = 0.0;
            for (j, &o) in self.office.iter().enumerate() {
                load[j] += self.zones[o].3;
                c += cost(o, j);
            }
            for (k, &i) in free.iter().enumerate() {
                load[digits[k]] += self.zones[i].3;
                c += cost(i, digits[k]);
            }
            if load
                .iter()
                .all(|&l| within_band(l, total, 1, 3, self.band_pct))
                && best.is_none_or(|b| c < b)
            {
                best = Some(c);
            }
        });
        best
    }

    fn plan(&self, dir: &Path, objective: &str) -> PathBuf {
        let p = dir.join(format!("plan_{objective}.toml"));
        write(
            &p,
            &format!(
                "objective = \"{objective}\"\n[balance]\nband_pct = {}\nmetrics = [\"workload\"]\nhard = true\n",
                self.band_pct
            ),
        );
        p
    }

    fn describe(&self) -> String {
        format!(
            "zone case seed {} ({} zones, offices {:?}, band ±{}%, potential column {})",
            self.seed,
            self.zones.len(),
            self.office,
            self.band_pct,
            self.potential_column
        )
    }
}

#[test]
fn published_style_territory_cases_reach_the_brute_force_optimum() {
    const SEEDS: u64 = 40;
    let (mut feasible, mut infeasible) = (0, 0);
    for seed in 0..SEEDS {
        let case = zone_case(seed);
        let km = |i: usize, j: usize| {
            let z = &case.zones[i];
            great_circle_km(case.rep_home(j), (z.1, z.2))
        };
        let Some(opt_km) = case.brute_force(km) else {
            infeasible += 1;
            continue;
        };
        let opt_cost = case
            .brute_force(|i, j| case.planar_cost(i, j))
            .expect("the same constraints are feasible for the pair costs");
        feasible += 1;
        let what = case.describe();
        let dir = tempdir();
        let (accounts, reps) = case.write(dir.path());
        keep_inputs(&format!("zone-{seed}"), |keep| {
            case.write(keep);
            case.write_pairs(keep);
        });

        // --- travel
        let out = dir.path().join("out_travel");
        let plan = case.plan(dir.path(), "travel");
        let o = run_solve(
            "balance",
            &accounts,
            &reps,
            Some(&plan),
            &out,
            &["--time-limit", "10"],
        );
        assert_ok(&o, &format!("travel, {what}"));
        let c = check(
            &Spec::new(&accounts, &reps, &out)
                .band(case.band_pct as f64)
                .metrics(&["workload"])
                .hard()
                .objective("travel"),
        );
        let total: f64 = c
            .rows
            .iter()
            .map(|r| {
                let i = case
                    .zones
                    .iter()
                    .position(|z| z.0 == r.account)
                    .expect("a zone");
                let j = REP_IDS.iter().position(|x| *x == r.rep).expect("a rep");
                km(i, j)
            })
            .sum();
        assert!(
            near(total, opt_km, 1e-6),
            "travel, {what}: allot's territories total {total} km, the brute-force optimum is {opt_km} km\n{}",
            read_text(&out.join("assignments.csv"))
        );
        let s = &c.summary;
        assert_eq!(s["status"], "optimal", "travel, {what}: {s}");
        let lb = s["lower_bound"].as_f64().expect("summary.json lower_bound");
        assert!(
            lb <= opt_km + 1e-6,
            "travel, {what}: lower bound {lb} above the optimum {opt_km}"
        );

        // --- cost: planar distances as pair costs
        let pairs = case.write_pairs(dir.path());
        let out = dir.path().join("out_cost");
        let plan = case.plan(dir.path(), "cost");
        let pairs_arg = pairs.to_string_lossy().into_owned();
        let o = run_solve(
            "balance",
            &accounts,
            &reps,
            Some(&plan),
            &out,
            &["--time-limit", "10", "--pairs", &pairs_arg],
        );
        assert_ok(&o, &format!("cost, {what}"));
        let c = check(
            &Spec::new(&accounts, &reps, &out)
                .band(case.band_pct as f64)
                .metrics(&["workload"])
                .hard()
                .pairs(&pairs)
                .objective("cost"),
        );
        let s = &c.summary;
        for key in ["pair_cost", "objective"] {
            let x = s[key].as_f64().unwrap_or(f64::NAN);
            assert!(
                near(x, opt_cost, 1e-6),
                "cost, {what}: summary {key} = {x}, the brute-force optimum is {opt_cost}\n{}",
                read_text(&out.join("assignments.csv"))
            );
        }
        assert_eq!(s["status"], "optimal", "cost, {what}: {s}");
        let lb = s["lower_bound"].as_f64().expect("summary.json lower_bound");
        assert!(
            lb <= opt_cost + 1e-6,
            "cost, {what}: lower bound {lb} above the optimum {opt_cost}"
        );
    }
    // The cases are fixed by their seeds: brute force finds every one of them feasible.
    assert_eq!(
        (feasible, infeasible),
        (SEEDS, 0),
        "(feasible, infeasible) zone cases of {SEEDS}"
    );
    eprintln!(
        "zone cases: {feasible} feasible run in travel and cost, {infeasible} infeasible skipped"
    );
}

// ---------------------------------------------------------------------------------------
// b. Every rule in every objective, reproducibly
// ---------------------------------------------------------------------------------------

#[test]
fn every_rule_holds_in_every_objective() {
    let dir = tempdir();
    let gen_dir = dir.path().join("gen");
    let o = run([
        "generate",
        "--n-accounts",
        "3000",
        "--n-reps",
        "12",
        "--seed",
        "4",
        "--geography",
        "metro",
        "--out",
        gen_dir.to_str().expect("utf-8 path"),
    ]);
    assert_ok(&o, "generate");
    let accounts = gen_dir.join("accounts.csv");
    let reps_in = gen_dir.join("reps.csv");

    // Today's territories (allot evaluate): the rep most over its potential target gets a
    // max_potential cap of 1.01 × its target (tighter than the ±3 % band).
    let ev = dir.path().join("evaluate");
    let o = run_solve("evaluate", &accounts, &reps_in, None, &ev, &[]);
    assert_ok(&o, "evaluate");
    let terr = read_csv(&ev.join("territories.csv"));
    let (cap_rep, target, today) = terr
        .records
        .iter()
        .filter_map(|r| {
            let t: f64 = r.get("target_potential").trim().parse().ok()?;
            let p: f64 = r.get("potential").trim().parse().ok()?;
            (t > 0.0).then(|| (r.get("rep_id").to_string(), t, p))
        })
        .max_by(|a, b| (a.2 / a.1).total_cmp(&(b.2 / b.1)))
        .expect("territories.csv lists reps with a potential target");
    let cap = (1.01 * target).floor();
    assert!(
        today > cap,
        "{cap_rep} holds {today} today, under the cap {cap}: the cap would not bind"
    );
    let reps_text = read_text(&reps_in);
    let mut lines = reps_text.lines();
    let mut reps_csv = format!("{},max_potential\n", lines.next().expect("a header"));
    let mut capped = 0;
    for l in lines.filter(|l| !l.trim().is_empty()) {
        let is_cap = l.split(',').next() == Some(cap_rep.as_str());
        capped += usize::from(is_cap);
        writeln!(
            reps_csv,
            "{l},{}",
            if is_cap {
                cap.to_string()
            } else {
                String::new()
            }
        )
        .expect("format");
    }
    assert_eq!(capped, 1, "{cap_rep} is once in reps.csv");
    let reps = dir.path().join("reps.csv");
    write(&reps, &reps_csv);

    // The travel cap: just above the farthest any account is from its nearest eligible rep
    // of its segment (the segment as a checked run without cap and budget assigns it), so
    // that it binds: many accounts have an eligible rep of their segment beyond it. The few
    // accounts locked to an owner beyond the cap are unlocked (the other locks stay).
    let acc_rows = read_accounts(&accounts, &Columns::ours());
    let rep_rows = read_reps(&reps);
    let probe = dir.path().join("probe");
    let probe_plan = dir.path().join("probe.toml");
    write(
        &probe_plan,
        "objective = \"redesign\"\n[balance]\nband_pct = 3.0\n[solver]\ntime_limit_s = 5\n",
    );
    let o = run_solve("balance", &accounts, &reps, Some(&probe_plan), &probe, &[]);
    assert_ok(&o, "probe run (no travel cap, no budget)");
    let probe_check = check(&Spec::new(&accounts, &reps, &probe).band(3.0));
    let mut need_km = 0.0f64;
    let mut eligible_km: Vec<f64> = Vec::new();
    let mut placed = 0;
    for a in &acc_rows {
        let Some(p) = a.coords else { continue };
        placed += 1;
        let seg = &probe_check
            .rows
            .iter()
            .find(|r| r.account == a.id)
            .expect("every account assigned")
            .segment;
        let eligible: Vec<f64> = rep_rows
            .iter()
            .filter(|r| seg_key(&r.segment) == seg_key(seg) && r.eligible(&a.region, &a.industry))
            .filter_map(|r| r.coords.map(|h| great_circle_km(h, p)))
            .collect();
        need_km = need_km.max(eligible.iter().copied().fold(f64::INFINITY, f64::min));
        eligible_km.extend(eligible);
    }
    assert_eq!(
        (acc_rows.len(), placed),
        (3000, 3000),
        "(accounts, accounts with coordinates): the generator places every account"
    );
    assert!(
        need_km.is_finite(),
        "an account has no eligible rep with a home"
    );
    let max_km = (need_km * 1.01 / 10.0).ceil() * 10.0;
    let cut_pairs = eligible_km.iter().filter(|&&d| d > max_km).count();
    assert!(
        cut_pairs > 100,
        "max_km = {max_km} cuts only {cut_pairs} of the {} eligible account-rep pairs: it would hardly bind",
        eligible_km.len()
    );
    let far_lock = |a: &InAccount| {
        a.locked
            && a.coords.is_some_and(|p| {
                let owner = rep_rows
                    .iter()
                    .find(|r| r.id == a.owner)
                    .expect("locked owner");
                great_circle_km(owner.coords.expect("owner home"), p) > max_km
            })
    };
    let unlock: Vec<&str> = acc_rows
        .iter()
        .filter(|a| far_lock(a))
        .map(|a| a.id.as_str())
        .collect();
    let locks_kept = acc_rows.iter().filter(|a| a.locked).count() - unlock.len();
    assert!(locks_kept >= 5, "only {locks_kept} locks left to check");
    let accounts = {
        let path = dir.path().join("accounts.csv");
        let mut rdr = csv::Reader::from_path(&accounts).expect("generated accounts.csv");
        let headers = rdr.headers().expect("a header").clone();
        let id_col = headers
            .iter()
            .position(|h| h == "account_id")
            .expect("account_id");
        let lock_col = headers.iter().position(|h| h == "locked").expect("locked");
        let mut w = csv::Writer::from_path(&path).expect("write accounts.csv");
        w.write_record(&headers).expect("write");
        for rec in rdr.records() {
            let rec = rec.expect("a record");
            let cells: Vec<&str> = rec
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    if k == lock_col && unlock.contains(&&rec[id_col]) {
                        "false"
                    } else {
                        c
                    }
                })
                .collect();
            w.write_record(&cells).expect("write");
        }
        w.flush().expect("flush");
        path
    };
    let acc_rows = read_accounts(&accounts, &Columns::ours());
    // At most half of the owned accounts may move (travel and cost move ~56 % without it).
    let budget_pct = 50.0;

    let mut reproducible = Vec::new();
    let mut ran = Vec::new();
    for objective in ["redesign", "rebalance", "travel", "cost"] {
        let plan = dir.path().join(format!("plan_{objective}.toml"));
        write(
            &plan,
            &format!(
                "objective = \"{objective}\"\n\
                 [balance]\nband_pct = 3.0\nmetrics = [\"potential\", \"workload\"]\nhard = true\n\
                 [disruption]\nmax_moved_pct = {budget_pct}\n\
                 [compactness]\nmax_km = {max_km}\n\
                 [solver]\ntime_limit_s = 20\nseed = 1\n"
            ),
        );
        let what = format!("objective {objective}, max_km {max_km}, {cap_rep} max_potential {cap}");
        let mut outs = Vec::new();
        for k in 0..2 {
            let out = dir.path().join(format!("out_{objective}_{k}"));
            let o = run_solve("balance", &accounts, &reps, Some(&plan), &out, &[]);
            assert_ok(&o, &what);
            let c = check(
                &Spec::new(&accounts, &reps, &out)
                    .band(3.0)
                    .hard()
                    .max_km(max_km)
                    .max_moved_pct(budget_pct)
                    .objective(objective),
            );
            let held = c
                .rows
                .iter()
                .filter(|r| r.rep == cap_rep)
                .map(|r| {
                    acc_rows
                        .iter()
                        .find(|a| a.id == r.account)
                        .and_then(|a| a.potential)
                        .unwrap_or(0.0)
                })
                .sum::<f64>();
            assert!(
                held <= cap + 1e-6,
                "{what}: {cap_rep} holds {held} potential"
            );
            outs.push((out, c.summary["reproducible"].as_bool() == Some(true)));
        }
        ran.push(objective);
        if outs.iter().all(|x| x.1) {
            let a = std::fs::read(outs[0].0.join("assignments.csv")).expect("assignments.csv");
            let b = std::fs::read(outs[1].0.join("assignments.csv")).expect("assignments.csv");
            assert!(
                a == b,
                "{what}: two runs said reproducible but their assignments.csv differ"
            );
            reproducible.push(objective);
        }
    }
    assert_eq!(ran.len(), 4, "{ran:?}");
    assert!(
        reproducible.len() >= 2,
        "only {reproducible:?} said reproducible (need at least 2 of {ran:?})"
    );
    eprintln!(
        "every rule: {} objectives checked twice (max_km {max_km} cuts {cut_pairs} eligible pairs, {} far locks released, {locks_kept} kept; {cap_rep} capped at {cap}), byte-identical: {reproducible:?}",
        ran.len(),
        unlock.len()
    );
}

// ---------------------------------------------------------------------------------------
// c. Candidate lists never decide the answer
// ---------------------------------------------------------------------------------------

/// A tiny one-segment instance: accounts with workload, coordinates, owners (some white
/// space, at most one locked) and reps of fte 1 or 0.5.
struct Tiny {
    seed: u64,
    /// (lat, lon, workload, owner rep index or None, locked).
    accounts: Vec<(f64, f64, i64, Option<usize>, bool)>,
    /// (lat, lon, fte in halves: 2 = 1.0, 1 = 0.5).
    reps: Vec<(f64, f64, i64)>,
    band_pct: i64,
}

fn tiny_case(seed: u64) -> Tiny {
    let mut rng = Rng::new(7_000 + seed);
    let n = 6 + rng.below(3) as usize;
    let k = 3 + rng.below(2) as usize;
    let (lat0, lon0) = (35.0 + rng.unit() * 10.0, -100.0 + rng.unit() * 20.0);
    let pt = |rng: &mut Rng| {
        let lat = lat0 + rng.unit() * 2.7;
        let lon = lon0 + rng.unit() * 3.5;
        ((lat * 1e5).round() / 1e5, (lon * 1e5).round() / 1e5)
    };
    let reps: Vec<(f64, f64, i64)> = (0..k)
        .map(|_| {
            let (lat, lon) = pt(&mut rng);
            (lat, lon, if rng.below(4) == 0 { 1 } else { 2 })
        })
        .collect();
    let mut locked_one = false;
    let mut accounts: Vec<(f64, f64, i64, Option<usize>, bool)> = (0..n)
        .map(|_| {
            let (lat, lon) = pt(&mut rng);
            let w = 1 + rng.below(20) as i64;
            let owner = (rng.below(6) != 0).then(|| rng.below(k as u64) as usize);
            let locked = owner.is_some() && !locked_one && rng.below(5) == 0;
            locked_one |= locked;
            (lat, lon, w, owner, locked)
        })
        .collect();
    let band_pct = 25;
    let sum_f: i64 = reps.iter().map(|r| r.2).sum();
    while reps
        .iter()
        .any(|r| band_edge(accounts.iter().map(|a| a.2).sum(), r.2, sum_f, band_pct))
    {
        accounts[0].2 += 1;
    }
    Tiny {
        seed,
        accounts,
        reps,
        band_pct,
    }
}

/// Brute-force optima of a tiny instance.
struct TinyOptimum {
    /// Least total km.
    km: f64,
    /// Least moved owned accounts.
    moves: usize,
    /// Least moves + 0.01 × max |workload deviation| (the rebalance objective).
    rebalance: f64,
}

impl Tiny {
    fn km(&self, i: usize, j: usize) -> f64 {
        let (a, r) = (&self.accounts[i], &self.reps[j]);
        great_circle_km((r.0, r.1), (a.0, a.1))
    }

    fn brute_force(&self) -> Option<TinyOptimum> {
        let (n, k) = (self.accounts.len(), self.reps.len());
        let total: i64 = self.accounts.iter().map(|a| a.2).sum();
        let sum_f: i64 = self.reps.iter().map(|r| r.2).sum();
        let mut best: Option<TinyOptimum> = None;
        for_each_assignment(n, k, |to| {
            if self
                .accounts
                .iter()
                .zip(to)
                .any(|(a, &j)| a.4 && a.3 != Some(j))
            {
                return;
            }
            let mut load = vec![0i64; k];
            for (a, &j) in self.accounts.iter().zip(to) {
                load[j] += a.2;
            }
            if !(0..k).all(|j| within_band(load[j], total, self.reps[j].2, sum_f, self.band_pct)) {
                return;
            }
            let km: f64 = (0..n).map(|i| self.km(i, to[i])).sum();
            let moves = self
                .accounts
                .iter()
                .zip(to)
                .filter(|(a, j)| a.3.is_some_and(|o| o != **j))
                .count();
            let dev = (0..k)
                .map(|j| {
                    let t = total as f64 * self.reps[j].2 as f64 / sum_f as f64;
                    (load[j] as f64 / t - 1.0).abs()
                })
                .fold(0.0, f64::max);
            let reb = moves as f64 + 0.01 * dev;
            let b = best.get_or_insert(TinyOptimum {
                km,
                moves,
                rebalance: reb,
            });
            b.km = b.km.min(km);
            b.moves = b.moves.min(moves);
            b.rebalance = b.rebalance.min(reb);
        });
        best
    }

    fn write(&self, dir: &Path) -> (PathBuf, PathBuf) {
        let mut acc = String::from("account_id,segment,workload,lat,lon,owner_id,locked\n");
        for (i, a) in self.accounts.iter().enumerate() {
            writeln!(
                acc,
                "A{},field,{},{},{},{},{}",
                i + 1,
                a.2,
                a.0,
                a.1,
                a.3.map_or("", |o| REP_IDS[o]),
                a.4
            )
            .expect("format");
        }
        let mut reps = String::from("rep_id,segment,lat,lon,fte\n");
        for (j, r) in self.reps.iter().enumerate() {
            let fte = if r.2 == 2 { "1" } else { "0.5" };
            writeln!(reps, "{},field,{},{},{fte}", REP_IDS[j], r.0, r.1).expect("format");
        }
        let (a, r) = (dir.join("accounts.csv"), dir.join("reps.csv"));
        write(&a, &acc);
        write(&r, &reps);
        (a, r)
    }
}

#[test]
fn candidate_lists_never_decide_the_answer() {
    const SEEDS: u64 = 40;
    let mut feasible = 0usize;
    let mut infeasible = 0usize;
    let (mut refused, mut compared) = (0usize, 0usize);
    let mut reached = [0usize; 2];
    let mut missed: Vec<String> = Vec::new();
    for seed in 0..SEEDS {
        let case = tiny_case(seed);
        let opt = case.brute_force();
        let dir = tempdir();
        let (accounts, reps) = case.write(dir.path());
        keep_inputs(&format!("tiny-{seed}"), |keep| {
            case.write(keep);
        });
        let files = format!(
            "seed {}: accounts.csv\n{}reps.csv\n{}",
            case.seed,
            read_text(&accounts),
            read_text(&reps)
        );
        match &opt {
            Some(_) => feasible += 1,
            None => infeasible += 1,
        }
        for (slot, objective) in ["travel", "rebalance"].into_iter().enumerate() {
            let plan = dir.path().join(format!("plan_{objective}.toml"));
            write(
                &plan,
                &format!(
                    "objective = \"{objective}\"\n\
                     [balance]\nband_pct = {}\nmetrics = [\"workload\"]\nhard = true\n\
                     [disruption]\nweight = 0.0\n\
                     [solver]\ncandidates = 1\ncomplete_pairs = 0\n",
                    case.band_pct
                ),
            );
            let out = dir.path().join(format!("out_{objective}"));
            let o = run_solve(
                "balance",
                &accounts,
                &reps,
                Some(&plan),
                &out,
                &["--time-limit", "10"],
            );
            let what = format!("{objective}, tiny case {files}");
            let Some(opt) = &opt else {
                assert!(
                    matches!(code(&o), 2 | 3),
                    "{what}: no assignment keeps the band (brute force), but allot exited {}\n{}",
                    code(&o),
                    stderr(&o)
                );
                assert!(
                    !out.join("assignments.csv").exists(),
                    "{what}: assignments.csv written for an infeasible case"
                );
                refused += 1;
                continue;
            };
            compared += 1;
            assert_ok(&o, &what);
            let c = check(
                &Spec::new(&accounts, &reps, &out)
                    .band(case.band_pct as f64)
                    .metrics(&["workload"])
                    .hard()
                    .objective(objective),
            );
            let s = &c.summary;
            let obj = s["objective"].as_f64().expect("summary.json objective");
            let lb = s["lower_bound"].as_f64().expect("summary.json lower_bound");
            let (value, best, bound_max) = if objective == "travel" {
                (obj, opt.km, opt.km)
            } else {
                assert!(
                    obj >= opt.rebalance - 1e-6,
                    "{what}: objective {obj} below the brute-force optimum {}",
                    opt.rebalance
                );
                (c.moved as f64, opt.moves as f64, opt.rebalance)
            };
            assert!(
                value >= best - 1e-6,
                "{what}: allot's {value} is below the brute-force optimum {best}: the checker or the brute force is wrong"
            );
            assert!(
                lb <= bound_max + 1e-6,
                "{what}: lower bound {lb} is above the brute-force optimum {bound_max}: not a bound"
            );
            if near(value, best, 1e-9) {
                reached[slot] += 1;
            } else {
                missed.push(format!(
                    "seed {seed} {objective}: {value} vs optimum {best}"
                ));
            }
        }
    }
    // The cases are fixed by their seeds: brute force finds 33 feasible and 7 infeasible, so
    // both the optimum comparison and the exit-2/3 path run, in both objectives.
    assert_eq!(
        (feasible, infeasible),
        (33, 7),
        "(feasible, infeasible) tiny cases of {SEEDS}"
    );
    assert_eq!(
        (compared, refused),
        (2 * 33, 2 * 7),
        "(runs compared with the optimum, infeasible runs checked)"
    );
    for (slot, name) in ["travel", "rebalance"].iter().enumerate() {
        assert!(
            reached[slot] * 5 >= feasible * 4,
            "{name}: allot reached the brute-force optimum on {} of {feasible} feasible cases (< 80 %): {missed:?} (ALLOT_DUMP_CASES=DIR keeps the inputs)",
            reached[slot]
        );
    }
    eprintln!(
        "candidate lists: {feasible} feasible tiny cases (optimum reached: travel {}, rebalance {}), {infeasible} infeasible; missed {missed:?}",
        reached[0], reached[1]
    );
}

// ---------------------------------------------------------------------------------------
// d. Binding rules are named with amounts
// ---------------------------------------------------------------------------------------

/// Runs `balance` with `plan` and checks exit 2, no assignments.csv, status infeasible;
/// returns stderr.
fn infeasible_run(accounts: &Path, reps: &Path, plan: &Path, out: &Path, what: &str) -> String {
    let o = run_solve(
        "balance",
        accounts,
        reps,
        Some(plan),
        out,
        &["--time-limit", "10"],
    );
    assert_code(&o, 2, what);
    assert!(
        !out.join("assignments.csv").exists(),
        "{what}: assignments.csv written for an infeasible plan"
    );
    assert_eq!(summary(out)["status"], "infeasible", "{what}");
    stderr(&o)
}

/// The tiny fixture's file `name` with `from` replaced by `to`, written into `dir`.
fn tiny_with(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let text = read_text(&fixture(&format!("tiny/{name}")));
    assert!(text.contains(from), "tiny/{name} has no {from:?}");
    let path = dir.join(name);
    write(&path, &text.replacen(from, to, 1));
    path
}

const OBJECTIVES: [&str; 4] = ["redesign", "rebalance", "travel", "cost"];

#[test]
fn binding_rules_are_named_with_amounts() {
    let mut cases = 0;

    // 1. Travel cap: A5 is far from both reps' homes.
    {
        let dir = tempdir();
        let accounts = dir.path().join("accounts.csv");
        let reps = dir.path().join("reps.csv");
        let acc = [
            ("A1", 40.1, -75.1, 10),
            ("A2", 40.9, -79.9, 10),
            ("A3", 40.2, -75.3, 10),
            ("A4", 41.1, -80.2, 10),
            ("A5", 45.0, -70.0, 10),
        ];
        let homes = [("R1", 40.0, -75.0), ("R2", 41.0, -80.0)];
        let mut a = String::from("account_id,segment,workload,lat,lon\n");
        for (id, lat, lon, w) in acc {
            writeln!(a, "{id},field,{w},{lat},{lon}").expect("format");
        }
        let mut r = String::from("rep_id,segment,lat,lon\n");
        for (id, lat, lon) in homes {
            writeln!(r, "{id},field,{lat},{lon}").expect("format");
        }
        write(&accounts, &a);
        write(&reps, &r);
        let max_km = 300.0;
        let nearest = homes
            .iter()
            .map(|h| great_circle_km((h.1, h.2), (45.0, -70.0)))
            .fold(f64::INFINITY, f64::min);
        for (id, lat, lon, _) in &acc[..4] {
            let d = homes
                .iter()
                .map(|h| great_circle_km((h.1, h.2), (*lat, *lon)))
                .fold(f64::INFINITY, f64::min);
            assert!(d < max_km, "{id} must be within reach");
        }
        // The amounts must not sit on a rounding edge of one decimal.
        for x in [nearest, nearest - max_km] {
            let f = (x * 10.0).fract();
            assert!((f - 0.5).abs() > 1e-6, "{x} rounds ambiguously");
        }
        for objective in OBJECTIVES {
            let plan = dir.path().join(format!("plan_{objective}.toml"));
            write(
                &plan,
                &format!(
                    "objective = \"{objective}\"\n[balance]\nmetrics = [\"workload\"]\nband_pct = 100.0\n[compactness]\nmax_km = {max_km}\n"
                ),
            );
            let what = format!("travel cap, objective {objective}");
            let err = infeasible_run(&accounts, &reps, &plan, &dir.path().join(objective), &what);
            let want = format!(
                "travel cap: account A5 is {nearest:.1} km from the nearest eligible rep's home, [compactness] max_km is 300 ({:.1} km over)",
                nearest - max_km
            );
            assert!(err.contains(&want), "{what}: expected {want:?} in\n{err}");
            cases += 1;
        }
    }

    // 2. One account alone beyond the band: A10 with workload 500 of 750 (target 250).
    {
        let dir = tempdir();
        let accounts = tiny_with(
            dir.path(),
            "accounts.csv",
            "A10,Adventure Works,mid-market,700,50000,50,",
            "A10,Adventure Works,mid-market,700,50000,500,",
        );
        let total: f64 = read_accounts(&accounts, &Columns::ours())
            .iter()
            .map(|a| a.workload)
            .sum();
        assert_eq!(total, 750.0);
        let dev = 500.0 / (total / 3.0) - 1.0;
        let want_dev = format!("at least {:+.2}% from target on workload", dev * 100.0);
        let want_over = format!("({:.2} points over)", (dev - 0.05) * 100.0);
        for objective in OBJECTIVES {
            let plan = dir.path().join(format!("plan_{objective}.toml"));
            let text = read_text(&fixture("tiny/plan.toml"));
            write(&plan, &format!("objective = \"{objective}\"\n{text}"));
            let what = format!("unit over the band, objective {objective}");
            let err = infeasible_run(
                &accounts,
                &fixture("tiny/reps.csv"),
                &plan,
                &dir.path().join(objective),
                &what,
            );
            assert!(
                err.contains("band: account A10 alone puts any rep it may go to")
                    && err.contains(&want_dev)
                    && err.contains(&want_over),
                "{what}: expected the band rule, {want_dev:?} and {want_over:?} in\n{err}"
            );
            cases += 1;
        }
    }

    // 3. A disruption budget below the 2 moves the ±5 % bands force on the tiny fixture,
    // as max_moves = 1 and as max_moved_pct = 10 (10 % of the 10 owned accounts).
    {
        let dir = tempdir();
        let (a, r) = (fixture("tiny/accounts.csv"), fixture("tiny/reps.csv"));
        for objective in OBJECTIVES {
            for (key, value, stated) in [
                (
                    "max_moves",
                    "1",
                    "[disruption] max_moves = 1 lets 1 account move",
                ),
                ("max_moved_pct", "10.0", "lets 1 account move"),
            ] {
                let plan = dir.path().join(format!("plan_{objective}_{key}.toml"));
                let text = read_text(&fixture("tiny/plan.toml"));
                write(
                    &plan,
                    &format!(
                        "objective = \"{objective}\"\n{text}\n[disruption]\n{key} = {value}\n"
                    ),
                );
                let what = format!("budget {key} = {value}, objective {objective}");
                let err = infeasible_run(
                    &a,
                    &r,
                    &plan,
                    &dir.path().join(format!("{objective}_{key}")),
                    &what,
                );
                assert!(
                    err.contains("disruption budget:")
                        && err.contains(key)
                        && err.contains(stated)
                        && err.contains("moves fewer than 2 (1 over"),
                    "{what}: expected the budget rule with {stated:?} and 'moves fewer than 2 (1 over' in\n{err}"
                );
                cases += 1;
            }
        }
    }

    // 3b. The same bands against a budget on moved workload: none of it may move.
    {
        let dir = tempdir();
        let (a, r) = (fixture("tiny/accounts.csv"), fixture("tiny/reps.csv"));
        for objective in OBJECTIVES {
            let plan = dir.path().join(format!("plan_{objective}_workload.toml"));
            let text = read_text(&fixture("tiny/plan.toml"));
            write(
                &plan,
                &format!(
                    "objective = \"{objective}\"\n{text}\n[disruption]\nmeasure = \"workload\"\nmax_moved_workload_pct = 0\n"
                ),
            );
            let what = format!("budget max_moved_workload_pct = 0, objective {objective}");
            let err = infeasible_run(
                &a,
                &r,
                &plan,
                &dir.path().join(format!("{objective}_workload")),
                &what,
            );
            assert!(
                err.contains("disruption budget: [disruption] max_moved_workload_pct = 0 lets 0 of workload move, but no assignment")
                    && err.contains(" over;"),
                "{what}: expected the workload budget rule in\n{err}"
            );
            cases += 1;
        }
    }

    // 4. max_potential caps adding up to less than the segment's potential.
    {
        let dir = tempdir();
        let text = read_text(&fixture("tiny/reps.csv"));
        let mut reps_csv = String::new();
        for (i, l) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
            let extra = if i == 0 { "max_potential" } else { "90000" };
            writeln!(reps_csv, "{l},{extra}").expect("format");
        }
        let reps = dir.path().join("reps.csv");
        write(&reps, &reps_csv);
        let accounts = fixture("tiny/accounts.csv");
        let total: f64 = read_accounts(&accounts, &Columns::ours())
            .iter()
            .map(|a| a.potential.unwrap_or(0.0))
            .sum();
        let caps = 3.0 * 90000.0;
        assert!(total > caps, "the caps must fall short");
        let want = format!(
            "capacity: its reps' max_potential add up to {caps}, but its accounts need {total} potential ({} short)",
            total - caps
        );
        for objective in OBJECTIVES {
            let plan = dir.path().join(format!("plan_{objective}.toml"));
            let base = read_text(&fixture("tiny/plan.toml"));
            write(&plan, &format!("objective = \"{objective}\"\n{base}"));
            let what = format!("max_potential caps, objective {objective}");
            let err = infeasible_run(&accounts, &reps, &plan, &dir.path().join(objective), &what);
            assert!(
                err.contains(&want) && has_number(&err),
                "{what}: expected {want:?} in\n{err}"
            );
            cases += 1;
        }
    }

    assert_eq!(cases, 4 + 4 + 8 + 4 + 4, "cases run");
}

/// A family out of reach: the travel-cap message must not say that the account it names
/// is farther than it is. Here A1 is next to R1's home but its child A5 is far from both
/// homes: the message may name A5 with its distance, or the family of A1.
#[test]
fn travel_cap_on_a_family_states_a_true_distance() {
    let dir = tempdir();
    let accounts = dir.path().join("accounts.csv");
    let reps = dir.path().join("reps.csv");
    write(
        &accounts,
        "account_id,segment,workload,lat,lon,parent_id\n\
         A1,field,10,40.1,-75.1,\nA2,field,10,40.9,-79.9,\nA3,field,10,40.2,-75.3,\n\
         A4,field,10,41.1,-80.2,\nA5,field,10,45.0,-70.0,A1\n",
    );
    write(
        &reps,
        "rep_id,segment,lat,lon\nR1,field,40.0,-75.0\nR2,field,41.0,-80.0\n",
    );
    let homes = [(40.0, -75.0), (41.0, -80.0)];
    // The family (A1, A5) on a rep is as far as its farthest member.
    let family_km = homes
        .iter()
        .map(|&h| great_circle_km(h, (40.1, -75.1)).max(great_circle_km(h, (45.0, -70.0))))
        .fold(f64::INFINITY, f64::min);
    let a1_km = homes
        .iter()
        .map(|&h| great_circle_km(h, (40.1, -75.1)))
        .fold(f64::INFINITY, f64::min);
    assert!(a1_km < 300.0 && family_km > 300.0);
    let plan = dir.path().join("plan.toml");
    write(
        &plan,
        "[balance]\nmetrics = [\"workload\"]\nband_pct = 100.0\n[compactness]\nmax_km = 300\n",
    );
    let err = infeasible_run(
        &accounts,
        &reps,
        &plan,
        &dir.path().join("out"),
        "family out of reach",
    );
    let d = format!("{family_km:.1} km");
    let names_member = err.contains(&format!("travel cap: account A5 is {d}"))
        || err.contains(&format!(
            "travel cap: account A5 (of the family of A1, which goes to one rep) is {d}"
        ));
    let names_family = err.contains("travel cap: the family of A1") && err.contains(&d);
    assert!(
        names_member || names_family,
        "expected 'travel cap: account A5 is {d} …' or 'travel cap: the family of A1 … {d}' \
         (A1 itself is {a1_km:.1} km from R1's home), got:\n{err}"
    );
}

/// `ALLOT_DUMP_CASES=DIR` keeps a copy of a case's inputs in `DIR/NAME/` for replaying a miss.
fn keep_inputs(name: &str, write: impl FnOnce(&Path)) {
    if let Some(d) = std::env::var_os("ALLOT_DUMP_CASES") {
        let keep = Path::new(&d).join(name);
        std::fs::create_dir_all(&keep).expect("dump folder");
        write(&keep);
    }
}
