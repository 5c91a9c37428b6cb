//! Plan economics: the `[economics]` assumptions of the plan (deal size, win rate, quota,
//! loaded cost) and the figures `allot plan` derives from them per tier — demand, capacity
//! and expected ARR, cost of sales, revenue per GTM dollar — with today's white space.
//!
//! Definitions (README, "Plan economics"), per tier (segment) with n accounts:
//! - demand ARR = n × win_rate × avg_deal_size (one opportunity per account per year);
//! - capacity ARR = roster FTE of the tier's owner reps × quota;
//! - expected ARR = min(demand ARR, capacity ARR);
//! - cost of sales = owner roster FTE × the tier's loaded_cost + for every supporting role
//!   covering the tier, its roster FTE × its loaded_cost × the tier's share of the accounts
//!   the role covers (an even share when those tiers have no accounts);
//! - revenue per GTM dollar = expected ARR / cost of sales;
//! - white space = accounts whose owner_id is empty or is not a rep_id of reps.csv; its
//!   count and its share of the tier's potential.
//!
//! A figure whose inputs the plan does not state is `None` (never a made-up default), and
//! [`EconomicsReport::notes`] says which key would fill it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::plan::{Plan, PlanError, segment_key};
use crate::rows::{Account, Rep, RepStatus};

/// The `[economics]` table: productivity and cost assumptions, by tier and by supporting role.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Economics {
    /// `[economics.segments.<tier>]`: assumptions of a tier's owner reps (AEs).
    pub segments: BTreeMap<String, SegmentEconomics>,
    /// `[economics.roles.<role>]`: assumptions of a supporting role of `[[roles]]`.
    pub roles: BTreeMap<String, RoleEconomics>,
}

/// Assumptions of one tier's owner reps; each is optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentEconomics {
    /// Average first-year ARR of a won deal, in money.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avg_deal_size: Option<f64>,
    /// Share of opportunities won, 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub win_rate: Option<f64>,
    /// ARR quota of one full-time owner rep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<f64>,
    /// Yearly loaded cost (salary, commission, benefits, overhead) of one full-time owner rep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded_cost: Option<f64>,
}

/// Assumptions of one supporting role.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoleEconomics {
    /// Yearly loaded cost of one full-time rep of the role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded_cost: Option<f64>,
}

impl Economics {
    /// Whether the plan states no assumption at all (then no economics are shown).
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty() && self.roles.is_empty()
    }

    /// The assumptions of a tier, matched by [`segment_key`].
    pub fn segment(&self, name: &str) -> Option<&SegmentEconomics> {
        self.segments
            .iter()
            .find(|(k, _)| segment_key(k) == segment_key(name))
            .map(|(_, v)| v)
    }

    /// The assumptions of a supporting role, matched ignoring case and surrounding spaces.
    pub fn role(&self, name: &str) -> Option<&RoleEconomics> {
        self.roles
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name.trim()))
            .map(|(_, v)| v)
    }

    /// Checks ranges and names: tiers must be `[[segments]]` of the plan, roles `[[roles]]`
    /// of the plan, win_rate in 0..=1, money ≥ 0.
    pub fn validate(&self, plan: &Plan, file: &str) -> Result<(), PlanError> {
        let bad = |field: String, message: String| {
            Err(PlanError::Invalid {
                file: file.to_string(),
                field,
                message,
            })
        };
        let mut seen = BTreeSet::new();
        for (name, e) in &self.segments {
            let key = format!("economics.segments.{}", quoted_key(name));
            if !plan
                .segments
                .iter()
                .any(|s| segment_key(&s.name) == segment_key(name))
            {
                let names: Vec<&str> = plan.segments.iter().map(|s| s.name.as_str()).collect();
                return bad(
                    key,
                    format!(
                        "{name:?} is not a segment of the plan; the segments are {}",
                        names.join(", ")
                    ),
                );
            }
            if !seen.insert(segment_key(name)) {
                return bad(key, format!("segment {name:?} is given twice"));
            }
            if let Some(w) = e.win_rate
                && !(w.is_finite() && (0.0..=1.0).contains(&w))
            {
                return bad(
                    format!("{key}.win_rate"),
                    format!("must be a share from 0 to 1 (25 % = 0.25), got {w}"),
                );
            }
            for (field, v) in [
                ("avg_deal_size", e.avg_deal_size),
                ("quota", e.quota),
                ("loaded_cost", e.loaded_cost),
            ] {
                if let Some(v) = v
                    && !(v.is_finite() && v >= 0.0)
                {
                    return bad(
                        format!("{key}.{field}"),
                        format!("must be an amount of money ≥ 0, got {v}"),
                    );
                }
            }
        }
        let mut seen = BTreeSet::new();
        for (name, e) in &self.roles {
            let key = format!("economics.roles.{}", quoted_key(name));
            if !plan
                .roles
                .iter()
                .any(|r| r.name.trim().eq_ignore_ascii_case(name.trim()))
            {
                return bad(
                    key,
                    format!(
                        "{name:?} is not a [[roles]] name of the plan (the owner reps' cost goes in [economics.segments.<tier>] loaded_cost)"
                    ),
                );
            }
            if !seen.insert(name.trim().to_ascii_lowercase()) {
                return bad(key, format!("role {name:?} is given twice"));
            }
            if let Some(v) = e.loaded_cost
                && !(v.is_finite() && v >= 0.0)
            {
                return bad(
                    format!("{key}.loaded_cost"),
                    format!("must be an amount of money ≥ 0, got {v}"),
                );
            }
        }
        Ok(())
    }
}

/// A TOML key as the user would write it (bare when it can be).
fn quoted_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

/// The economics of one tier. Money figures are `None` when an input is not stated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierEconomics {
    /// Tier (segment) name.
    pub segment: String,
    /// Accounts of the tier (each account's own segment, as in plan.csv).
    pub accounts: usize,
    /// Their potential.
    pub potential: f64,
    /// White space: accounts without a rep of reps.csv as owner today.
    pub white_space_accounts: usize,
    /// Potential of the white-space accounts.
    pub white_space_potential: f64,
    /// The assumptions stated for the tier (all `None` when none are).
    pub assumptions: SegmentEconomics,
    /// FTE of the active owner reps of the tier on the roster.
    pub roster_fte: f64,
    /// accounts × win_rate × avg_deal_size.
    pub demand_arr: Option<f64>,
    /// roster_fte × quota.
    pub capacity_arr: Option<f64>,
    /// min(demand_arr, capacity_arr).
    pub expected_arr: Option<f64>,
    /// roster_fte × loaded_cost.
    pub owner_cost: Option<f64>,
    /// Σ over the supporting roles covering the tier: roster FTE × loaded cost × tier share.
    pub support_cost: Option<f64>,
    /// owner_cost + support_cost.
    pub cost_of_sales: Option<f64>,
    /// expected_arr / cost_of_sales (`None` when the cost is 0).
    pub revenue_per_gtm_dollar: Option<f64>,
}

impl TierEconomics {
    /// White-space potential as a share of the tier's potential (`None` when it has none).
    pub fn white_space_share(&self) -> Option<f64> {
        share(self.white_space_potential, self.potential)
    }
}

/// The totals over all tiers. A money total is stated only when every tier with accounts or
/// owner reps has that figure (a partial sum would understate it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EconomicsTotals {
    /// Accounts.
    pub accounts: usize,
    /// Potential.
    pub potential: f64,
    /// White-space accounts.
    pub white_space_accounts: usize,
    /// White-space potential.
    pub white_space_potential: f64,
    /// Σ owner roster FTE.
    pub roster_fte: f64,
    /// Σ demand ARR.
    pub demand_arr: Option<f64>,
    /// Σ capacity ARR.
    pub capacity_arr: Option<f64>,
    /// Σ expected ARR.
    pub expected_arr: Option<f64>,
    /// Σ cost of sales.
    pub cost_of_sales: Option<f64>,
    /// Σ expected ARR / Σ cost of sales.
    pub revenue_per_gtm_dollar: Option<f64>,
}

impl EconomicsTotals {
    /// White-space potential as a share of all potential.
    pub fn white_space_share(&self) -> Option<f64> {
        share(self.white_space_potential, self.potential)
    }
}

/// The economics of a plan on a set of rows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EconomicsReport {
    /// Whether the plan states any `[economics]` assumption.
    pub stated: bool,
    /// One row per tier, in the plan's order (then tiers named only by the data).
    pub tiers: Vec<TierEconomics>,
    /// Totals.
    pub total: EconomicsTotals,
    /// Which figures are not shown and the key that would fill them (only when `stated`).
    pub notes: Vec<String>,
}

fn share(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| part / whole)
}

/// Computes the economics and white space of `plan` on account and rep rows (rows as read;
/// each account in its own segment, as the capacity plan counts it).
pub fn economics(plan: &Plan, accounts: &[Account], reps: &[Rep]) -> EconomicsReport {
    let roster_ids: BTreeSet<&str> = reps.iter().map(|r| r.id.as_str()).collect();
    let mut order: Vec<String> = plan.segments.iter().map(|s| s.name.clone()).collect();
    // Per tier key: accounts, potential, white-space accounts, white-space potential.
    let mut per: BTreeMap<String, (usize, f64, usize, f64)> = BTreeMap::new();
    for a in accounts {
        let Some(seg) = plan.segment_for(a) else {
            continue;
        };
        if !order.iter().any(|o| segment_key(o) == segment_key(&seg)) {
            order.push(seg.clone());
        }
        let e = per.entry(segment_key(&seg)).or_default();
        e.0 += 1;
        e.1 += a.potential;
        let owned = a
            .owner_id
            .as_deref()
            .is_some_and(|o| roster_ids.contains(o));
        if !owned {
            e.2 += 1;
            e.3 += a.potential;
        }
    }
    let active = |r: &&Rep| r.status == RepStatus::Active;
    let owner_fte = |seg: &str| -> f64 {
        reps.iter()
            .filter(active)
            .filter(|r| r.is_owner_role() && segment_key(&r.segment) == segment_key(seg))
            .map(|r| r.fte)
            .fold(0.0, |a, b| a + b)
    };
    let stated = !plan.economics.is_empty();
    let mut notes = Vec::new();
    let mut note = |s: String| {
        if stated && !notes.contains(&s) {
            notes.push(s);
        }
    };
    // Supporting-role cost per tier key: Some(cost) or None when a covering role has no cost.
    let mut support: BTreeMap<String, Option<f64>> = BTreeMap::new();
    for role in &plan.roles {
        let mut keys: Vec<String> = Vec::new();
        for c in &role.covers {
            let k = segment_key(c);
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        if keys.is_empty() {
            continue;
        }
        let fte: f64 = reps
            .iter()
            .filter(active)
            .filter(|r| r.role.trim().eq_ignore_ascii_case(role.name.trim()))
            .map(|r| r.fte)
            .fold(0.0, |a, b| a + b);
        let cost = plan.economics.role(&role.name).and_then(|e| e.loaded_cost);
        if cost.is_none() {
            note(format!(
                "cost of sales of {} not shown: set [economics.roles.{}] loaded_cost",
                role.covers.join(", "),
                quoted_key(&role.name)
            ));
        }
        let covered: usize = keys.iter().map(|k| per.get(k).map_or(0, |e| e.0)).sum();
        for k in &keys {
            let share = if covered > 0 {
                per.get(k).map_or(0, |e| e.0) as f64 / covered as f64
            } else {
                1.0 / keys.len() as f64
            };
            let slot = support.entry(k.clone()).or_insert(Some(0.0));
            *slot = match (*slot, cost) {
                (Some(s), Some(c)) => Some(s + fte * c * share),
                _ => None,
            };
        }
    }
    let mut tiers = Vec::new();
    for name in &order {
        let key = segment_key(name);
        let (n, pot, ws, ws_pot) = per.get(&key).copied().unwrap_or_default();
        let e = plan.economics.segment(name).cloned().unwrap_or_default();
        let fte = owner_fte(name);
        let demand = match (e.win_rate, e.avg_deal_size) {
            (Some(w), Some(d)) => Some(n as f64 * w * d),
            _ => None,
        };
        let capacity = e.quota.map(|q| fte * q);
        let expected = match (demand, capacity) {
            (Some(d), Some(c)) => Some(d.min(c)),
            _ => None,
        };
        let owner_cost = e.loaded_cost.map(|c| fte * c);
        // Without any assumption nothing is costed (not even a role-less 0).
        let support_cost = support
            .get(&key)
            .copied()
            .unwrap_or(Some(0.0))
            .filter(|_| stated);
        let cost = match (owner_cost, support_cost) {
            (Some(o), Some(s)) => Some(o + s),
            _ => None,
        };
        let rpd = match (expected, cost) {
            (Some(x), Some(c)) if c > 0.0 => Some(x / c),
            _ => None,
        };
        if stated && (n > 0 || fte > 0.0) {
            let missing: Vec<&str> = [
                ("avg_deal_size", e.avg_deal_size.is_none()),
                ("win_rate", e.win_rate.is_none()),
                ("quota", e.quota.is_none()),
                ("loaded_cost", e.loaded_cost.is_none()),
            ]
            .into_iter()
            .filter(|(_, m)| *m)
            .map(|(k, _)| k)
            .collect();
            if !missing.is_empty() {
                let mut hidden = Vec::new();
                if demand.is_none() {
                    hidden.push("demand");
                }
                if capacity.is_none() {
                    hidden.push("capacity");
                }
                if expected.is_none() {
                    hidden.push("expected ARR");
                }
                if owner_cost.is_none() {
                    hidden.push("cost of sales");
                }
                note(format!(
                    "{name}: {} not shown: set {} in [economics.segments.{}]",
                    hidden.join(", "),
                    missing.join(", "),
                    quoted_key(name)
                ));
            }
            if cost == Some(0.0) {
                note(format!(
                    "{name}: revenue per GTM dollar not shown: its cost of sales is 0"
                ));
            }
        }
        tiers.push(TierEconomics {
            segment: name.clone(),
            accounts: n,
            potential: pot,
            white_space_accounts: ws,
            white_space_potential: ws_pot,
            assumptions: e,
            roster_fte: fte,
            demand_arr: demand,
            capacity_arr: capacity,
            expected_arr: expected,
            owner_cost,
            support_cost,
            cost_of_sales: cost,
            revenue_per_gtm_dollar: rpd,
        });
    }
    // Tiers that count: with accounts, owner reps or a share of a supporting role's cost (an
    // empty, unstaffed tier adds nothing, so its missing assumptions hide no total).
    let counted: Vec<&TierEconomics> = tiers
        .iter()
        .filter(|t| t.accounts > 0 || t.roster_fte > 0.0 || t.support_cost.is_some_and(|c| c > 0.0))
        .collect();
    let sum = |f: fn(&TierEconomics) -> Option<f64>| -> Option<f64> {
        if counted.is_empty() {
            return None;
        }
        counted.iter().map(|t| f(t)).sum::<Option<f64>>()
    };
    let expected = sum(|t| t.expected_arr);
    let cost = sum(|t| t.cost_of_sales);
    let total = EconomicsTotals {
        accounts: tiers.iter().map(|t| t.accounts).sum(),
        potential: tiers.iter().fold(0.0, |a, t| a + t.potential),
        white_space_accounts: tiers.iter().map(|t| t.white_space_accounts).sum(),
        white_space_potential: tiers.iter().fold(0.0, |a, t| a + t.white_space_potential),
        roster_fte: tiers.iter().fold(0.0, |a, t| a + t.roster_fte),
        demand_arr: sum(|t| t.demand_arr),
        capacity_arr: sum(|t| t.capacity_arr),
        expected_arr: expected,
        cost_of_sales: cost,
        revenue_per_gtm_dollar: match (expected, cost) {
            (Some(x), Some(c)) if c > 0.0 => Some(x / c),
            _ => None,
        },
    };
    EconomicsReport {
        stated,
        tiers,
        total,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, seg: &str, potential: f64, owner: Option<&str>) -> Account {
        Account {
            id: id.into(),
            name: String::new(),
            segment: Some(seg.into()),
            employees: None,
            potential,
            potential_given: true,
            workload: 0.0,
            lat: None,
            lon: None,
            industry: String::new(),
            region: String::new(),
            owner_id: owner.map(str::to_string),
            parent_id: None,
            locked: false,
            previous_segment: None,
            signals: Default::default(),
            line: 2,
        }
    }

    fn plan(text: &str) -> Plan {
        Plan::from_toml(text, "plan.toml").expect("plan parses")
    }

    const TWO_TIERS: &str = r#"
[[segments]]
name = "enterprise"
employees_at_least = 1000
ratio = 2
[[segments]]
name = "smb"
ratio = 4
[[roles]]
name = "CSM"
covers = ["enterprise", "smb"]
ratio = 10
"#;

    fn reps() -> Vec<Rep> {
        let text = "rep_id,segment,role,fte,status\nE1,enterprise,,1,active\nE2,enterprise,,0.5,active\nE3,enterprise,,1,leaving\nS1,smb,,1,active\nC1,enterprise,CSM,1,active\nC2,smb,CSM,0.5,active\n";
        crate::io::read_reps_from(
            Box::new(std::io::Cursor::new(text.to_string())),
            "reps.csv",
            &Plan::default(),
        )
        .expect("reps read")
        .rows
    }

    fn accounts() -> Vec<Account> {
        vec![
            account("A1", "enterprise", 100.0, Some("E1")),
            account("A2", "enterprise", 300.0, None),
            account("A3", "enterprise", 600.0, Some("GONE")),
            account("A4", "smb", 10.0, Some("S1")),
            account("A5", "smb", 30.0, Some("E3")),
        ]
    }

    #[test]
    fn no_assumptions_no_money_and_no_notes() {
        let r = economics(&plan(TWO_TIERS), &accounts(), &reps());
        assert!(!r.stated);
        assert!(r.notes.is_empty());
        let e = &r.tiers[0];
        assert_eq!((e.accounts, e.white_space_accounts), (3, 2));
        assert_eq!(e.white_space_share(), Some(0.9));
        assert_eq!(
            r.tiers[1].white_space_accounts, 0,
            "a leaving rep still owns"
        );
        assert_eq!(e.demand_arr, None);
        assert_eq!(e.cost_of_sales, None);
        assert_eq!(r.total.expected_arr, None);
        assert_eq!(r.total.white_space_accounts, 2);
    }

    #[test]
    fn figures_follow_the_definitions() {
        let text = format!(
            "{TWO_TIERS}
[economics.segments.enterprise]
avg_deal_size = 1000
win_rate = 0.5
quota = 1000
loaded_cost = 400
[economics.segments.smb]
avg_deal_size = 100
win_rate = 0.25
quota = 1000
loaded_cost = 100
[economics.roles.csm]
loaded_cost = 200
"
        );
        let r = economics(&plan(&text), &accounts(), &reps());
        let (e, s) = (&r.tiers[0], &r.tiers[1]);
        assert_eq!(e.roster_fte, 1.5);
        assert_eq!(e.demand_arr, Some(1500.0));
        assert_eq!(e.capacity_arr, Some(1500.0));
        assert_eq!(e.expected_arr, Some(1500.0));
        // CSM: 1.5 FTE × 200 = 300, split 3:2 by accounts.
        assert_eq!(e.support_cost, Some(180.0));
        assert_eq!(e.cost_of_sales, Some(600.0 + 180.0));
        assert_eq!(s.demand_arr, Some(50.0));
        assert_eq!(s.expected_arr, Some(50.0));
        assert_eq!(s.cost_of_sales, Some(100.0 + 120.0));
        assert_eq!(r.total.expected_arr, Some(1550.0));
        assert_eq!(r.total.cost_of_sales, Some(1000.0));
        assert_eq!(r.total.revenue_per_gtm_dollar, Some(1.55));
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    #[test]
    fn a_missing_role_cost_hides_cost_of_sales_and_says_which_key() {
        let text = format!(
            "{TWO_TIERS}
[economics.segments.enterprise]
loaded_cost = 400
"
        );
        let r = economics(&plan(&text), &accounts(), &reps());
        assert_eq!(r.tiers[0].owner_cost, Some(600.0));
        assert_eq!(r.tiers[0].cost_of_sales, None);
        assert!(
            r.notes
                .iter()
                .any(|n| n.contains("[economics.roles.CSM] loaded_cost")),
            "{:?}",
            r.notes
        );
        assert!(
            r.notes.iter().any(|n| n.starts_with("smb: ")
                && n.contains("quota")
                && n.contains("[economics.segments.smb]")),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        for (extra, key) in [
            (
                "[economics.segments.enterprise]\nwin_rate = 25\n",
                "economics.segments.enterprise.win_rate",
            ),
            (
                "[economics.segments.smb]\nquota = -1\n",
                "economics.segments.smb.quota",
            ),
            (
                "[economics.segments.gold]\nquota = 1\n",
                "economics.segments.gold",
            ),
            (
                "[economics.roles.SE]\nloaded_cost = 1\n",
                "economics.roles.SE",
            ),
            (
                "[economics.roles.CSM]\nloaded_cost = -5\n",
                "economics.roles.CSM.loaded_cost",
            ),
        ] {
            let e = Plan::from_toml(&format!("{TWO_TIERS}{extra}"), "p.toml").unwrap_err();
            let s = e.to_string();
            assert!(s.starts_with("p.toml: ") && s.contains(key), "{s}");
        }
        let e = Plan::from_toml(
            &format!("{TWO_TIERS}[economics.segments.enterprise]\nwinrate = 0.2\n"),
            "p.toml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("winrate"), "{e}");
    }
}
