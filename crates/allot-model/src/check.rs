//! The independent feasibility checker.
//!
//! It re-derives everything from the rows (accounts, reps, plan) and an account → rep map,
//! sharing no code with the engines or with [`crate::Problem`]'s indexing: every account
//! exactly once, reps active and of the account's segment, eligibility, locks, families in
//! one piece, capacities, and (when asked) the balance bands.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use crate::plan::{Plan, segment_key};
use crate::rows::{Account, Rep, RepStatus};

/// Which rule an assignment breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// An account has no rep, or a rep is given for an unknown account.
    Coverage,
    /// The rep does not exist, is leaving or does not own accounts.
    Rep,
    /// The rep covers another segment.
    Segment,
    /// The rep's regions or industries exclude the account.
    Eligibility,
    /// A locked account left its owner.
    Lock,
    /// An account family is split.
    Family,
    /// max_accounts or max_workload exceeded.
    Capacity,
    /// A rep is outside the balance band.
    Band,
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// What breaks it.
    pub message: String,
}

/// Checks an assignment (account_id → rep_id) of `accounts` to `reps` under `plan`.
///
/// `bands`: also check every rep is within ±band_pct of target on the balanced metrics.
pub fn check(
    accounts: &[Account],
    reps: &[Rep],
    plan: &Plan,
    assignment: &BTreeMap<String, String>,
    bands: bool,
) -> Vec<Violation> {
    check_with_pairs(accounts, reps, plan, assignment, bands, None)
}

/// As [`check`], when a pairs file restricts the allowed (account, rep) pairs and gives their
/// workloads.
pub fn check_with_pairs<'a>(
    accounts: &'a [Account],
    reps: &'a [Rep],
    plan: &Plan,
    assignment: &BTreeMap<String, String>,
    bands: bool,
    pairs: Option<&[crate::io::PairRow]>,
) -> Vec<Violation> {
    let pair: Option<HashMap<(&str, &str), Option<f64>>> = pairs.map(|rows| {
        let mut m = HashMap::default();
        for p in rows {
            m.entry((p.account_id.as_str(), p.rep_id.as_str()))
                .or_insert(p.workload);
        }
        m
    });
    let mut out = Vec::new();
    let mut v = |rule: Rule, message: String| out.push(Violation { rule, message });
    let rep: HashMap<&str, &Rep> = reps.iter().map(|r| (r.id.as_str(), r)).collect();
    let rep_seg: HashMap<&str, String> = reps
        .iter()
        .map(|r| (r.id.as_str(), segment_key(&r.segment)))
        .collect();
    let acc: HashMap<&str, &Account> = accounts.iter().map(|a| (a.id.as_str(), a)).collect();

    for id in assignment.keys() {
        if !acc.contains_key(id.as_str()) {
            v(
                Rule::Coverage,
                format!("assignment names unknown account {id}"),
            );
        }
    }

    // Each account's own segment, then its family's: the member segment earliest in the plan
    // (segments the plan does not list come after, in order of appearance).
    let mut order: Vec<String> = plan.segments.iter().map(|s| segment_key(&s.name)).collect();
    // Segment key → its position in `order`; each account's own segment as that position.
    let mut key_pos: HashMap<String, usize> = order
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), i))
        .collect();
    // The plan's rules hold the first positions of `order`: a ruled account needs no new key.
    let rule_pos: Vec<usize> = plan
        .segments
        .iter()
        .map(|r| key_pos[&segment_key(&r.name)])
        .collect();
    let own: HashMap<&str, usize> = accounts
        .iter()
        .map(|a| {
            let key = match &a.segment {
                Some(s) => segment_key(s),
                None => {
                    let rule = plan.segments.iter().position(|r| {
                        let any = r.employees_at_least.is_some() || r.potential_at_least.is_some();
                        let e = r
                            .employees_at_least
                            .zip(a.employees)
                            .is_some_and(|(t, e)| e >= t);
                        let p = r
                            .potential_at_least
                            .filter(|_| a.potential_given)
                            .is_some_and(|t| a.potential >= t);
                        !any || e || p
                    });
                    match rule {
                        Some(i) => return (a.id.as_str(), rule_pos[i]),
                        None => String::new(),
                    }
                }
            };
            let next = order.len();
            let pos = *key_pos.entry(key.clone()).or_insert(next);
            if pos == next {
                order.push(key);
            }
            (a.id.as_str(), pos)
        })
        .collect();
    let root_of = |id: &'a str| -> &'a str {
        let mut cur = id;
        let mut steps = 0;
        while let Some(p) = acc.get(cur).and_then(|a| a.parent_id.as_deref()) {
            if !acc.contains_key(p) || steps > accounts.len() {
                break;
            }
            cur = p;
            steps += 1;
        }
        cur
    };
    // Families in order of first appearance (hashed, not sorted: 1M accounts stay quick).
    let mut family_of_root: HashMap<&str, usize> = HashMap::default();
    let mut family: Vec<Vec<&Account>> = Vec::new();
    for a in accounts {
        let next = family.len();
        let f = *family_of_root.entry(root_of(&a.id)).or_insert(next);
        if f == next {
            family.push(Vec::new());
        }
        family[f].push(a);
    }
    drop(family_of_root);
    let assignment: HashMap<&str, &String> =
        assignment.iter().map(|(a, r)| (a.as_str(), r)).collect();

    let mut per_rep: HashMap<&str, (u64, f64, f64)> = HashMap::default();
    let mut seg_of_account: HashMap<&str, String> =
        HashMap::with_capacity_and_hasher(accounts.len(), Default::default());
    // Whether a rep may cover a (region, industry): asked once per distinct triple.
    let mut allowed_memo: HashMap<(&str, &str, &str), bool> = HashMap::default();
    for members in &family {
        let mut seg = members
            .iter()
            .map(|a| own[a.id.as_str()])
            .min()
            .map(|i| order[i].clone())
            .unwrap_or_default();
        let locked_owner = members.iter().find_map(|a| {
            let o = rep.get(a.owner_id.as_deref()?)?;
            (a.locked && o.status == RepStatus::Active).then_some(*o)
        });
        if let Some(o) = locked_owner {
            seg = segment_key(&o.segment);
        }
        let reps_used: Vec<Option<&String>> = members
            .iter()
            .map(|a| assignment.get(a.id.as_str()).copied())
            .collect();
        if reps_used.windows(2).any(|w| w[0] != w[1]) {
            v(
                Rule::Family,
                format!(
                    "family of {} is split across reps {:?}",
                    members[0].id, reps_used
                ),
            );
        }
        for a in members {
            seg_of_account.insert(a.id.as_str(), seg.clone());
            let Some(&rid) = assignment.get(a.id.as_str()) else {
                v(Rule::Coverage, format!("account {} has no rep", a.id));
                continue;
            };
            let Some(r) = rep.get(rid.as_str()) else {
                v(
                    Rule::Rep,
                    format!("account {} goes to unknown rep {rid}", a.id),
                );
                continue;
            };
            if r.status != RepStatus::Active {
                v(
                    Rule::Rep,
                    format!("account {} goes to {rid}, who is leaving", a.id),
                );
            }
            let owner_role = r.role.trim().is_empty()
                || r.role.trim().eq_ignore_ascii_case("ae")
                || r.role.trim().eq_ignore_ascii_case("owner");
            if !owner_role {
                v(
                    Rule::Rep,
                    format!(
                        "account {} goes to {rid}, whose role {:?} owns no accounts",
                        a.id, r.role
                    ),
                );
            }
            if rep_seg[r.id.as_str()] != seg {
                v(
                    Rule::Segment,
                    format!(
                        "account {} (segment {seg}) goes to {rid} of segment {}",
                        a.id, r.segment
                    ),
                );
            }
            let allowed = |list: &[String], val: &str| {
                list.is_empty()
                    || list
                        .iter()
                        .any(|x| x.trim().to_lowercase() == val.trim().to_lowercase())
            };
            let eligible = *allowed_memo
                .entry((r.id.as_str(), a.region.as_str(), a.industry.as_str()))
                .or_insert_with(|| {
                    allowed(&r.regions, &a.region) && allowed(&r.industries, &a.industry)
                });
            let listed = pair.as_ref().map(|m| m.get(&(a.id.as_str(), rid.as_str())));
            if locked_owner.is_none() && matches!(listed, Some(None)) {
                v(
                    Rule::Eligibility,
                    format!(
                        "account {} goes to {rid}, a pair the pairs file does not list",
                        a.id
                    ),
                );
            }
            let workload = match listed {
                Some(Some(Some(w))) => *w,
                _ => a.workload,
            };
            if locked_owner.is_none() && !eligible {
                v(
                    Rule::Eligibility,
                    format!(
                        "account {} ({}, {}) is outside {rid}'s regions/industries",
                        a.id, a.region, a.industry
                    ),
                );
            }
            if let Some(o) = locked_owner
                && o.id != *rid
            {
                v(
                    Rule::Lock,
                    format!("account {} is locked to {} but goes to {rid}", a.id, o.id),
                );
            }
            let e = per_rep.entry(r.id.as_str()).or_default();
            e.0 += 1;
            e.1 += workload;
            e.2 += a.potential;
        }
    }
    for r in reps {
        let (n, w, _) = per_rep.get(r.id.as_str()).copied().unwrap_or_default();
        if let Some(m) = r.max_accounts
            && n > m
        {
            v(
                Rule::Capacity,
                format!("{} holds {n} accounts, max_accounts {m}", r.id),
            );
        }
        if let Some(m) = r.max_workload
            && w > m * (1.0 + 1e-9) + 1e-9
        {
            v(
                Rule::Capacity,
                format!("{} holds workload {w}, max_workload {m}", r.id),
            );
        }
    }
    if bands {
        let band = plan.balance.band_pct / 100.0;
        let mut seg_total: HashMap<String, (f64, f64, f64)> = HashMap::default();
        for a in accounts {
            let e = seg_total
                .entry(seg_of_account[a.id.as_str()].clone())
                .or_default();
            e.0 += a.potential;
            e.1 += a.workload;
            e.2 += 1.0;
        }
        let mut seg_fte: HashMap<String, f64> = HashMap::default();
        let takes = |r: &Rep| {
            r.status == RepStatus::Active
                && (r.role.trim().is_empty()
                    || r.role.trim().eq_ignore_ascii_case("ae")
                    || r.role.trim().eq_ignore_ascii_case("owner"))
        };
        for r in reps.iter().filter(|r| takes(r)) {
            *seg_fte.entry(segment_key(&r.segment)).or_default() += r.fte;
        }
        for r in reps.iter().filter(|r| takes(r)) {
            let seg = segment_key(&r.segment);
            let Some(&(tp, tw, tn)) = seg_total.get(&seg) else {
                continue;
            };
            let share = r.fte / seg_fte[&seg];
            let (n, w, pot) = per_rep.get(r.id.as_str()).copied().unwrap_or_default();
            for m in &plan.balance.metrics {
                let (load, total) = match m.name() {
                    "potential" => (pot, tp),
                    "workload" => (w, tw),
                    _ => (n as f64, tn),
                };
                let target = total * share;
                if target > 0.0 && (load / target - 1.0).abs() > band + 1e-9 {
                    v(
                        Rule::Band,
                        format!(
                            "{} is at {:+.3}% of target on {}, band ±{}%",
                            r.id,
                            (load / target - 1.0) * 100.0,
                            m.name(),
                            plan.balance.band_pct
                        ),
                    );
                }
            }
        }
    }
    out
}
