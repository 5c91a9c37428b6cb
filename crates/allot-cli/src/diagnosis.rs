//! Words for the optimizer's infeasibility diagnoses ([`allot_opt::Binding`]): the rule,
//! the rep or account by its id, and by how much it is missed.

use allot_model::Problem;
use allot_model::constraint::Measure;
use allot_opt::Binding;

/// One number as people write it: whole numbers without decimals, others with two.
fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round())
    } else {
        format!("{x:.2}")
    }
}

/// A sentence saying which rule binds and by how much, naming ids from `p`.
pub fn words(p: &Problem, b: &Binding) -> String {
    match b {
        Binding::CapTotal { metric, caps, need } => {
            let what = match metric {
                allot_model::Metric::Accounts => format!("it has {} accounts", num(*need)),
                m => format!("its accounts need {} {}", num(*need), m.name()),
            };
            format!(
                "capacity: its reps' max_{} add up to {}, but {what} ({} short); raise the caps or add reps",
                metric.name(),
                num(*caps),
                num(need - caps)
            )
        }
        Binding::LockedOverCap {
            rep,
            metric,
            locked,
            cap,
        } => {
            let id = &p.reps[rep.index()].id;
            match metric {
                allot_model::Metric::Accounts => format!(
                    "locks: {} accounts are locked to {id}, whose max_accounts is {} ({} over); unlock some or raise the cap",
                    num(*locked),
                    num(*cap),
                    num(locked - cap)
                ),
                m => format!(
                    "locks: accounts locked to {id} need {} {}, its max_{} is {} ({} over); unlock some or raise the cap",
                    num(*locked),
                    m.name(),
                    m.name(),
                    num(*cap),
                    num(locked - cap)
                ),
            }
        }
        Binding::LockedOverBand {
            rep,
            metric,
            deviation,
            band,
        } => format!(
            "locks: accounts locked to {} already put it {:+.2}% from target on {}, beyond the ±{:.2}% band ({:.2} points over); unlock some or widen [balance] band_pct",
            p.reps[rep.index()].id,
            deviation * 100.0,
            metric.name(),
            band * 100.0,
            (deviation - band) * 100.0
        ),
        Binding::UnitOverBand {
            unit,
            metric,
            deviation,
            band,
        } => {
            let members = p.units.members(*unit);
            let head = &p.accounts[members[0].index()].id;
            let what = if members.len() > 1 {
                format!("the family of {head} ({} accounts)", members.len())
            } else {
                format!("account {head}")
            };
            format!(
                "band: {what} alone puts any rep it may go to at least {:+.2}% from target on {}, beyond the ±{:.2}% band ({:.2} points over); widen [balance] band_pct or split the family",
                deviation * 100.0,
                metric.name(),
                band * 100.0,
                (deviation - band) * 100.0
            )
        }
        Binding::BandOutOfReach {
            metric,
            least,
            band,
        } => format!(
            "band: no assignment keeps every rep within ±{:.2}% of target on {}; the closest any assignment gets is ±{:.2}% ({:.2} points over); widen [balance] band_pct to at least {:.2}, or set [balance] hard = false",
            band * 100.0,
            metric.name(),
            least * 100.0,
            (least - band) * 100.0,
            (least * 100.0 * 100.0).ceil() / 100.0
        ),
        Binding::Budget {
            stated,
            measure,
            limit,
            least,
            unkeepable,
        } => {
            let noun = match measure {
                Measure::Accounts if *limit == 1.0 => "account",
                Measure::Accounts => "accounts",
                Measure::Potential => "of potential",
                Measure::Workload => "of workload",
            };
            format!(
                "disruption budget: {stated} lets {} {noun} move, but no assignment within the bands and caps moves fewer than {} ({} over; {} of it is accounts whose owner cannot keep them); raise the budget or widen [balance] band_pct",
                num(*limit),
                num(*least),
                num(least - limit),
                num(*unkeepable)
            )
        }
        Binding::Travel {
            unit,
            account,
            nearest_km,
            max_km,
        } => {
            let members = p.units.members(*unit);
            let id = &p.accounts[account.index()].id;
            let who = if members.len() > 1 {
                let head = &p.accounts[members[0].index()].id;
                format!("account {id} (of the family of {head}, which goes to one rep)")
            } else {
                format!("account {id}")
            };
            format!(
                "travel cap: {who} is {nearest_km:.1} km from the nearest eligible rep's home, [compactness] max_km is {} ({:.1} km over); raise max_km or add a rep nearby",
                num(*max_km),
                nearest_km - max_km
            )
        }
    }
}
