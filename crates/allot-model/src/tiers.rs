//! Tier triggers with hysteresis: an account's tier from its previous tier
//! (`previous_segment`), the plan's segment rules and its upgrade/downgrade triggers.
//!
//! Without a previous tier (or one the plan does not name) the rules decide, then the first trigger from that tier that fires
//! moves it. With one, the account starts there and
//! - the rules move it only when it is clear of every rule threshold by `hysteresis_pct`
//!   (thresholds scaled by 1 − h and 1 + h both give the same tier), and not while a trigger
//!   into its previous tier would still fire within the margin (a tier a trigger gave is kept);
//! - then the first trigger from its tier (or from `any`) that fires moves it, unless a
//!   trigger back would fire within the margin.
//!
//! "Within the margin" moves a trigger's threshold by h × |threshold| towards firing. So an
//! account promoted at ARR ≥ $35K stays promoted until ARR falls below $31.5K (h = 10 %),
//! and an account near a threshold does not flip every quarter.

use serde::{Deserialize, Serialize};

use crate::plan::{Plan, segment_key};
use crate::rows::Account;

/// The tier triggers of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tiers {
    /// Margin around every threshold, percent: an account this close keeps its tier.
    pub hysteresis_pct: f64,
    /// Ordered triggers; the first that fires for an account's tier moves it.
    pub triggers: Vec<Trigger>,
}

impl Default for Tiers {
    fn default() -> Self {
        Tiers {
            hysteresis_pct: 10.0,
            triggers: Vec::new(),
        }
    }
}

/// An account field a trigger reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// `arr` column.
    Arr,
    /// `engaged_stakeholders` column.
    EngagedStakeholders,
    /// `months_inactive` column.
    MonthsInactive,
    /// `health_score` column (may be negative).
    HealthScore,
    /// `potential` column.
    Potential,
    /// `employees` column.
    Employees,
    /// `workload` column.
    Workload,
}

impl Field {
    /// The column name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Arr => "arr",
            Field::EngagedStakeholders => "engaged_stakeholders",
            Field::MonthsInactive => "months_inactive",
            Field::HealthScore => "health_score",
            Field::Potential => "potential",
            Field::Employees => "employees",
            Field::Workload => "workload",
        }
    }

    /// The account's value (`None` when the cell is empty).
    pub fn of(self, a: &Account) -> Option<f64> {
        match self {
            Field::Arr => a.signals.arr,
            Field::EngagedStakeholders => a.signals.engaged_stakeholders,
            Field::MonthsInactive => a.signals.months_inactive,
            Field::HealthScore => a.signals.health_score,
            Field::Potential => a.potential_given.then_some(a.potential),
            Field::Employees => a.employees,
            Field::Workload => Some(a.workload),
        }
    }
}

/// One trigger: accounts of tier `from` (or `any`) go to `to` when `field` is at least
/// `at_least`, or below `below`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// Tier the trigger applies to, or `"any"`.
    pub from: String,
    /// Tier it moves accounts to (a `[[segments]]` name).
    pub to: String,
    /// The account field it reads.
    pub field: Field,
    /// Fires when the field is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    /// Fires when the field is below this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
}

impl Trigger {
    fn applies_from(&self, tier: &str) -> bool {
        self.from.trim().eq_ignore_ascii_case("any") || segment_key(&self.from) == segment_key(tier)
    }

    /// Whether it fires on the account, its threshold moved by `margin` × |threshold|
    /// towards firing.
    fn fires(&self, a: &Account, margin: f64) -> bool {
        let Some(v) = self.field.of(a) else {
            return false;
        };
        match (self.at_least, self.below) {
            (Some(t), _) => v >= t - margin * t.abs(),
            (None, Some(t)) => v < t + margin * t.abs(),
            (None, None) => false,
        }
    }

    /// "arr 36,000 ≥ 35,000".
    fn describe(&self, a: &Account) -> String {
        let v = self.field.of(a).unwrap_or(f64::NAN);
        match (self.at_least, self.below) {
            (Some(t), _) => format!("{} {} ≥ {}", self.field.name(), num(v), num(t)),
            (_, Some(t)) => format!("{} {} < {}", self.field.name(), num(v), num(t)),
            _ => String::new(),
        }
    }
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

impl Tiers {
    /// Checks the triggers against the plan's segments: `(field, message)` of the first problem.
    pub fn validate(&self, plan: &Plan) -> Result<(), (String, String)> {
        let h = self.hysteresis_pct;
        if !(h.is_finite() && (0.0..100.0).contains(&h)) {
            return Err((
                "tiers.hysteresis_pct".into(),
                format!("must be a percentage from 0 to below 100, got {h}"),
            ));
        }
        let known = |name: &str| {
            plan.segments
                .iter()
                .any(|s| segment_key(&s.name) == segment_key(name))
        };
        let names: Vec<&str> = plan.segments.iter().map(|s| s.name.as_str()).collect();
        for (i, t) in self.triggers.iter().enumerate() {
            let at = |k: &str| format!("tiers.triggers[{i}].{k}");
            if !known(&t.to) {
                return Err((
                    at("to"),
                    format!(
                        "{:?} is not a segment of the plan (segments: {}); add a [[segments]] entry for it",
                        t.to,
                        names.join(", ")
                    ),
                ));
            }
            if !t.from.trim().eq_ignore_ascii_case("any") && !known(&t.from) {
                return Err((
                    at("from"),
                    format!(
                        "{:?} is neither \"any\" nor a segment of the plan ({})",
                        t.from,
                        names.join(", ")
                    ),
                ));
            }
            if segment_key(&t.from) == segment_key(&t.to) {
                return Err((at("to"), "a trigger must lead to another tier".into()));
            }
            match (t.at_least, t.below) {
                (Some(v), None) | (None, Some(v)) if v.is_finite() => {}
                (Some(_), Some(_)) => {
                    return Err((
                        at("at_least"),
                        "give either at_least or below, not both (write two triggers)".into(),
                    ));
                }
                (None, None) => {
                    return Err((at("at_least"), "give at_least or below".into()));
                }
                _ => return Err((at("at_least"), "the threshold must be a number".into())),
            }
        }
        Ok(())
    }
}

/// An account's tier and, when it changed (or was kept by the hysteresis), why.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resolved {
    /// The tier; `None` when no rule matches and there is no previous tier.
    pub segment: Option<String>,
    /// What moved it off its previous tier (or off the rules' tier), or kept it.
    pub change: Option<TierChange>,
}

/// A tier change (or a change the hysteresis held back) for the reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierChange {
    /// Tier before: the previous tier, else the rules' tier.
    pub from: String,
    /// Tier after (equal to `from` when held).
    pub to: String,
    /// Whether the tier changes (false: the hysteresis kept it).
    pub changed: bool,
    /// Why, for a reader: the trigger and the figure, or the rule.
    pub cause: String,
}

/// The account's tier under the plan's rules and triggers (see the module documentation).
/// A `segment` cell wins over everything.
pub fn resolve(plan: &Plan, a: &Account) -> Resolved {
    if let Some(s) = &a.segment {
        return Resolved {
            segment: Some(plan.segment_name(s)),
            change: None,
        };
    }
    let h = plan.tiers.hysteresis_pct / 100.0;
    let triggers = &plan.tiers.triggers;
    let rules = plan.rule_for(a, 1.0).map(|r| r.name.clone());
    let prev = a
        .previous_segment
        .as_deref()
        .filter(|p| plan.has_segment(p))
        .map(|p| plan.segment_name(p));
    let same = |x: &str, y: &str| segment_key(x) == segment_key(y);
    // A trigger from `from` (or any) into `to` that fires within the margin.
    let pulls = |from: &str, to: &str| {
        triggers
            .iter()
            .find(|t| t.applies_from(from) && same(&t.to, to) && t.fires(a, h))
    };
    let mut change = None;
    let mut tier = match (prev, rules) {
        (None, None) => return Resolved::default(),
        (None, Some(d)) => d,
        (Some(p), rules) => {
            let clear = |d: &String| {
                let name = |scale: f64| plan.rule_for(a, scale).map(|r| r.name.clone());
                name(1.0 - h).as_ref() == Some(d) && name(1.0 + h).as_ref() == Some(d)
            };
            match rules {
                Some(d) if !same(&d, &p) && clear(&d) => match pulls(&d, &p) {
                    Some(t) => {
                        change = Some(TierChange {
                            from: p.clone(),
                            to: p.clone(),
                            changed: false,
                            cause: format!(
                                "kept: the rules say {d}, but the trigger {} → {} still holds within {}% ({})",
                                t.from,
                                t.to,
                                plan.tiers.hysteresis_pct,
                                t.describe(a)
                            ),
                        });
                        p
                    }
                    None => {
                        change = Some(TierChange {
                            from: p.clone(),
                            to: d.clone(),
                            changed: true,
                            cause: format!("segment rules: {}", rule_figures(a)),
                        });
                        d
                    }
                },
                Some(d) if !same(&d, &p) => {
                    change = Some(TierChange {
                        from: p.clone(),
                        to: p.clone(),
                        changed: false,
                        cause: format!(
                            "kept: the rules say {d}, but within {}% of a rule threshold ({})",
                            plan.tiers.hysteresis_pct,
                            rule_figures(a)
                        ),
                    });
                    p
                }
                _ => p,
            }
        }
    };
    for t in triggers {
        if !t.applies_from(&tier) || same(&t.to, &tier) || !t.fires(a, 0.0) {
            continue;
        }
        let to = plan.segment_name(&t.to);
        if let Some(back) = pulls(&to, &tier) {
            change = Some(TierChange {
                from: tier.clone(),
                to: tier.clone(),
                changed: false,
                cause: format!(
                    "kept: {} → {} fires ({}), but {} → {} would send it back within {}%",
                    t.from,
                    t.to,
                    t.describe(a),
                    back.from,
                    back.to,
                    plan.tiers.hysteresis_pct
                ),
            });
            break;
        }
        let from = change
            .as_ref()
            .filter(|c| c.changed)
            .map_or_else(|| tier.clone(), |c| c.from.clone());
        change = Some(TierChange {
            changed: !same(&from, &to),
            from,
            to: to.clone(),
            cause: format!("trigger {} → {}: {}", t.from, t.to, t.describe(a)),
        });
        tier = to;
        break;
    }
    Resolved {
        segment: Some(tier),
        change,
    }
}

fn rule_figures(a: &Account) -> String {
    let mut parts = Vec::new();
    if let Some(e) = a.employees {
        parts.push(format!("employees {}", num(e)));
    }
    if a.potential_given {
        parts.push(format!("potential {}", num(a.potential)));
    }
    if parts.is_empty() {
        "no employees or potential".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(triggers: &str) -> Plan {
        let text = format!(
            "[[segments]]\nname = \"enterprise\"\nemployees_at_least = 1000\n\
             [[segments]]\nname = \"mid-market\"\nemployees_at_least = 250\n\
             [[segments]]\nname = \"growth\"\nemployees_at_least = 50\n\
             [[segments]]\nname = \"digital-led\"\n\
             [[segments]]\nname = \"retention\"\n{triggers}"
        );
        Plan::from_toml(&text, "plan.toml").expect("plan parses")
    }

    fn account(employees: f64, prev: Option<&str>, arr: Option<f64>) -> Account {
        Account {
            id: "A1".into(),
            name: String::new(),
            segment: None,
            employees: Some(employees),
            potential: 0.0,
            potential_given: false,
            workload: 0.0,
            lat: None,
            lon: None,
            industry: String::new(),
            region: String::new(),
            owner_id: None,
            parent_id: None,
            locked: false,
            previous_segment: prev.map(str::to_string),
            signals: crate::rows::Signals {
                arr,
                ..Default::default()
            },
            line: 2,
        }
    }

    const UP: &str = "[[tiers.triggers]]\nfrom = \"growth\"\nto = \"mid-market\"\nfield = \"arr\"\nat_least = 35000\n";

    #[test]
    fn a_promoted_account_is_not_sent_back_near_the_threshold() {
        let p = plan(UP);
        // Quarter 1: growth by the rules, ARR crosses $35K → mid-market.
        let r = resolve(&p, &account(100.0, Some("growth"), Some(36_000.0)));
        assert_eq!(r.segment.as_deref(), Some("mid-market"));
        assert!(r.change.as_ref().is_some_and(|c| c.changed));
        // Quarter 2: ARR dips to $34K; the rules say growth, the trigger holds within 10 %.
        let r = resolve(&p, &account(100.0, Some("mid-market"), Some(34_000.0)));
        assert_eq!(r.segment.as_deref(), Some("mid-market"));
        assert!(r.change.as_ref().is_some_and(|c| !c.changed));
        // Quarter 3: ARR falls to $30K, beyond the margin → back to growth.
        let r = resolve(&p, &account(100.0, Some("mid-market"), Some(30_000.0)));
        assert_eq!(r.segment.as_deref(), Some("growth"));
    }

    #[test]
    fn rules_move_an_account_only_clear_of_a_threshold() {
        let p = plan("");
        // 260 employees: mid-market by the rules, but within 10 % of 250 → stays growth.
        let r = resolve(&p, &account(260.0, Some("growth"), None));
        assert_eq!(r.segment.as_deref(), Some("growth"));
        let r = resolve(&p, &account(400.0, Some("growth"), None));
        assert_eq!(r.segment.as_deref(), Some("mid-market"));
        // Without a previous tier the rules decide as written.
        let r = resolve(&p, &account(260.0, None, None));
        assert_eq!(r.segment.as_deref(), Some("mid-market"));
    }

    #[test]
    fn opposite_triggers_on_one_threshold_leave_a_dead_band() {
        let down = "[[tiers.triggers]]\nfrom = \"mid-market\"\nto = \"growth\"\nfield = \"arr\"\nbelow = 35000\n";
        let p = plan(&format!("{UP}{down}"));
        let tier = |prev: &str, arr: f64| {
            resolve(&p, &account(100.0, Some(prev), Some(arr)))
                .segment
                .unwrap()
        };
        assert_eq!(
            tier("growth", 36_000.0),
            "growth",
            "within the margin of the way back"
        );
        assert_eq!(tier("growth", 40_000.0), "mid-market");
        assert_eq!(tier("mid-market", 34_000.0), "mid-market");
        assert_eq!(tier("mid-market", 30_000.0), "growth");
    }

    #[test]
    fn bad_triggers_name_their_key() {
        for (text, key) in [
            (
                "[[tiers.triggers]]\nfrom = \"growth\"\nto = \"nowhere\"\nfield = \"arr\"\nat_least = 1\n",
                "to",
            ),
            (
                "[[tiers.triggers]]\nfrom = \"growth\"\nto = \"mid-market\"\nfield = \"arr\"\n",
                "at_least",
            ),
            (
                "[[tiers.triggers]]\nfrom = \"nowhere\"\nto = \"mid-market\"\nfield = \"arr\"\nbelow = 3\n",
                "from",
            ),
        ] {
            let e = Plan::from_toml(&plan_text(text), "plan.toml").unwrap_err();
            assert!(e.to_string().contains(key), "{e}");
        }
    }

    fn plan_text(triggers: &str) -> String {
        format!("[[segments]]\nname = \"growth\"\n[[segments]]\nname = \"mid-market\"\n{triggers}")
    }
}
