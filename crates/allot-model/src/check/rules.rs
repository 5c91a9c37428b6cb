//! One check a rule: each reads the [`Facts`] and appends what breaks the rule.

use rustc_hash::FxHashMap as HashMap;

use super::facts::{Facts, owns_accounts, takes_accounts};
use super::{Rule, Violation};
use crate::constraint::Budget;
use crate::geo::haversine_km;
use crate::plan::{Metric, segment_key};
use crate::rows::{Rep, RepStatus};

fn push(out: &mut Vec<Violation>, rule: Rule, message: String) {
    out.push(Violation { rule, message });
}

/// Every accepted account on exactly one rep; no rep for an unknown account.
pub(super) fn coverage(f: &Facts<'_>, out: &mut Vec<Violation>) {
    for id in f.given.keys() {
        if !f.account.contains_key(id.as_str()) {
            push(
                out,
                Rule::Coverage,
                format!("assignment names unknown account {id}"),
            );
        }
    }
    for a in f.accounts {
        if !f.rep_of.contains_key(a.id.as_str()) {
            push(out, Rule::Coverage, format!("account {} has no rep", a.id));
        }
    }
}

/// Each account's rep exists, is active, owns accounts, covers the account's segment, and
/// (unless the account is locked to it) its regions, industries and the pairs file allow it.
pub(super) fn eligibility(f: &Facts<'_>, out: &mut Vec<Violation>) {
    let allowed = |list: &[String], val: &str| {
        list.is_empty()
            || list
                .iter()
                .any(|x| x.trim().to_lowercase() == val.trim().to_lowercase())
    };
    // Whether a rep may cover a (region, industry): asked once per distinct triple.
    let mut memo: HashMap<(&str, &str, &str), bool> = HashMap::default();
    for (fi, members) in f.families.iter().enumerate() {
        let seg = &f.family_segment[fi];
        let locked = f.family_lock[fi].is_some();
        for a in members {
            let Some(&rid) = f.rep_of.get(a.id.as_str()) else {
                continue;
            };
            let Some(r) = f.rep.get(rid) else {
                push(
                    out,
                    Rule::Rep,
                    format!("account {} goes to unknown rep {rid}", a.id),
                );
                continue;
            };
            if r.status == RepStatus::Leaving {
                push(
                    out,
                    Rule::Rep,
                    format!("account {} goes to {rid}, who is leaving", a.id),
                );
            } else if !r.status.takes_new() && a.owner_id.as_deref() != Some(rid) {
                push(
                    out,
                    Rule::Rep,
                    format!(
                        "account {} goes to {rid}, who is on leave and takes no new accounts",
                        a.id
                    ),
                );
            }
            if !owns_accounts(r) {
                push(
                    out,
                    Rule::Rep,
                    format!(
                        "account {} goes to {rid}, whose role {:?} owns no accounts",
                        a.id, r.role
                    ),
                );
            }
            if segment_key(&r.segment) != *seg {
                push(
                    out,
                    Rule::Segment,
                    format!(
                        "account {} (segment {seg}) goes to {rid} of segment {}",
                        a.id, r.segment
                    ),
                );
            }
            if locked {
                continue;
            }
            if let Some(p) = &f.pairs
                && !p.contains_key(&(a.id.as_str(), rid))
            {
                push(
                    out,
                    Rule::Eligibility,
                    format!(
                        "account {} goes to {rid}, a pair the pairs file does not list",
                        a.id
                    ),
                );
            }
            let ok = *memo
                .entry((rid, a.region.as_str(), a.industry.as_str()))
                .or_insert_with(|| {
                    allowed(&r.regions, &a.region) && allowed(&r.industries, &a.industry)
                });
            if !ok {
                push(
                    out,
                    Rule::Eligibility,
                    format!(
                        "account {} ({}, {}) is outside {rid}'s regions/industries",
                        a.id, a.region, a.industry
                    ),
                );
            }
        }
    }
}

/// A locked account stays with its (active) owner.
pub(super) fn lock(f: &Facts<'_>, out: &mut Vec<Violation>) {
    for (fi, members) in f.families.iter().enumerate() {
        let Some(o) = f.family_lock[fi] else { continue };
        for a in members {
            if let Some(&rid) = f.rep_of.get(a.id.as_str())
                && rid != o.id
            {
                push(
                    out,
                    Rule::Lock,
                    format!("account {} is locked to {} but goes to {rid}", a.id, o.id),
                );
            }
        }
    }
}

/// A family's accounts all go to one rep.
pub(super) fn family(f: &Facts<'_>, out: &mut Vec<Violation>) {
    for members in &f.families {
        let reps: Vec<Option<&str>> = members
            .iter()
            .map(|a| f.rep_of.get(a.id.as_str()).copied())
            .collect();
        if reps.windows(2).any(|w| w[0] != w[1]) {
            push(
                out,
                Rule::Family,
                format!(
                    "family of {} is split across reps {:?}",
                    members[0].id, reps
                ),
            );
        }
    }
}

/// No rep above its cap on metric `m`.
pub(super) fn cap(f: &Facts<'_>, m: Metric, out: &mut Vec<Violation>) {
    for r in f.reps {
        let Some(cap) = r.cap(m) else { continue };
        let load = f.load.get(r.id.as_str()).map_or(0.0, |l| l[slot(m)]);
        if load > cap * (1.0 + 1e-9) + 1e-9 {
            push(
                out,
                Rule::Capacity,
                format!("{} holds {} {load}, max_{} {cap}", r.id, m.name(), m.name()),
            );
        }
    }
}

/// Index of a metric in the facts' load triples (potential, workload, accounts).
fn slot(m: Metric) -> usize {
    match m {
        Metric::Potential => 0,
        Metric::Workload => 1,
        Metric::Accounts => 2,
    }
}

/// Every rep that takes accounts within ±`band` of its target on metric `m`: target = the
/// segment's total × the rep's fte / Σ fte of the segment's reps that take accounts. A rep
/// on leave keeps their book as their target: it leaves the total and the fte sum.
pub(super) fn band(f: &Facts<'_>, m: Metric, band: f64, out: &mut Vec<Violation>) {
    let mut seg_total: HashMap<&str, [f64; 3]> = HashMap::default();
    for a in f.accounts {
        let e = seg_total
            .entry(f.segment_of[a.id.as_str()].as_str())
            .or_default();
        e[0] += a.potential;
        e[1] += a.workload;
        e[2] += 1.0;
    }
    let balanced = |r: &&Rep| takes_accounts(r) && r.takes_new();
    for r in f
        .reps
        .iter()
        .filter(|r| takes_accounts(r) && !r.takes_new())
    {
        let seg = segment_key(&r.segment);
        if let (Some(t), Some(l)) = (seg_total.get_mut(seg.as_str()), f.load.get(r.id.as_str())) {
            for k in 0..3 {
                t[k] -= l[k];
            }
        }
    }
    let mut seg_fte: HashMap<String, f64> = HashMap::default();
    for r in f.reps.iter().filter(balanced) {
        *seg_fte.entry(segment_key(&r.segment)).or_default() += r.fte;
    }
    for r in f.reps.iter().filter(balanced) {
        let seg = segment_key(&r.segment);
        let Some(total) = seg_total.get(seg.as_str()) else {
            continue;
        };
        let target = total[slot(m)] * r.fte / seg_fte[&seg];
        let load = f.load.get(r.id.as_str()).map_or(0.0, |l| l[slot(m)]);
        if target > 0.0 && (load / target - 1.0).abs() > band + 1e-9 {
            push(
                out,
                Rule::Band,
                format!(
                    "{} is at {:+.3}% of target on {}, band ±{}%",
                    r.id,
                    (load / target - 1.0) * 100.0,
                    m.name(),
                    band * 100.0
                ),
            );
        }
    }
}

/// The accounts that had an owner and now have another rep stay within the budget.
pub(super) fn budget(f: &Facts<'_>, b: &Budget, out: &mut Vec<Violation>) {
    let mut moved = 0.0;
    for a in f.accounts {
        let Some(owner) = a.owner_id.as_deref() else {
            continue;
        };
        if f.rep_of.get(a.id.as_str()).is_some_and(|&r| r != owner) {
            moved += b.measure.of(a);
        }
    }
    if moved > b.limit * (1.0 + 1e-9) + 1e-9 {
        push(
            out,
            Rule::Budget,
            format!(
                "{moved} {} moved, {} allows {}",
                b.measure.noun(),
                b.stated,
                b.limit
            ),
        );
    }
}

/// No account with coordinates farther than `max_km` from its rep's home.
pub(super) fn travel(f: &Facts<'_>, max_km: f64, out: &mut Vec<Violation>) {
    for a in f.accounts {
        let (Some(lat), Some(lon)) = (a.lat, a.lon) else {
            continue;
        };
        let Some(r) = f.rep_of.get(a.id.as_str()).and_then(|r| f.rep.get(r)) else {
            continue;
        };
        let (Some(hl), Some(ho)) = (r.lat, r.lon) else {
            continue;
        };
        let km = haversine_km((hl, ho), (lat, lon));
        if km > max_km + 1e-6 {
            push(
                out,
                Rule::Travel,
                format!(
                    "account {} is {km:.1} km from {}'s home, max_km {max_km}",
                    a.id, r.id
                ),
            );
        }
    }
}
