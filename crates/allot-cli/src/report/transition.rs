//! transition.csv (`--effective DATE`): when each change of owner takes effect. An account
//! with an open opportunity closing on or after the effective date keeps its owner (one who
//! stays: not leaving) until the first boundary (month or quarter start) after the close
//! date; every other change happens on the effective date. A family moves on one date: the
//! latest of its members'.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use allot_model::{Problem, RepIdx};

use super::csv_out::{finish, writer};
use super::{remove_stale, write_atomic};
use crate::args::Boundary;

/// Counts for summary.json and report.md.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TransitionCounts {
    /// The effective date.
    pub effective_date: String,
    /// Changes of owner (and white space assigned) listed.
    pub changes: usize,
    /// Of those, held past the effective date by an open opportunity (or its family's).
    pub deferred: usize,
    /// The last date any change takes effect.
    pub last_date: String,
}

/// The first boundary strictly after `d`.
pub fn next_boundary(d: NaiveDate, b: Boundary) -> NaiveDate {
    let (y, m) = (d.year(), d.month());
    let (y, m) = match b {
        Boundary::Month => {
            if m == 12 {
                (y + 1, 1)
            } else {
                (y, m + 1)
            }
        }
        Boundary::Quarter => {
            let next = (m - 1) / 3 * 3 + 4;
            if next > 12 { (y + 1, 1) } else { (y, next) }
        }
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// One row: the date the account changes owner and why then.
struct Row {
    account: usize,
    date: NaiveDate,
    reason: String,
}

/// The change date of every account that changes owner (or is white space assigned).
fn rows(
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    effective: NaiveDate,
    b: Boundary,
) -> Vec<Row> {
    let changes = |i: usize| account_rep[i].is_some() && account_rep[i] != p.account_owner[i];
    // Each account's own date, then its family's (the latest of the members that change).
    let own: Vec<Option<(NaiveDate, String)>> = (0..p.accounts.len())
        .map(|i| {
            if !changes(i) {
                return None;
            }
            let s = &p.accounts[i].signals;
            // Only an owner who stays can hold a deal: white space and a leaver's accounts
            // change on the effective date.
            let held = p.account_owner[i].is_some_and(|o| p.reps[o.index()].status.holds_book());
            let open = s.open_opportunity.filter(|_| held);
            Some(match (open, s.close_date) {
                (Some(true), Some(close)) if close >= effective => (
                    next_boundary(close, b),
                    format!("open opportunity closes {close}: moves at the next boundary"),
                ),
                (Some(true), Some(close)) => (
                    effective,
                    format!("open opportunity's close date {close} is before the effective date"),
                ),
                (Some(true), None) => (
                    next_boundary(effective, b),
                    "open opportunity without close_date: moves at the first boundary after the effective date".into(),
                ),
                _ if p.account_owner[i].is_none() => (effective, "white space assigned".into()),
                _ => (effective, "effective date".into()),
            })
        })
        .collect();
    let mut out = Vec::new();
    for u in 0..p.units.len() {
        let members = p.units.members(allot_model::UnitIdx::from_usize(u));
        let latest = members
            .iter()
            .filter_map(|a| own[a.index()].as_ref().map(|o| (o.0, a.index())))
            .max();
        let Some((date, by)) = latest else {
            continue;
        };
        for a in members {
            let i = a.index();
            let Some((mine, why)) = &own[i] else {
                continue;
            };
            let reason = if *mine < date {
                format!(
                    "with its family: {} holds it ({})",
                    p.accounts[by].id,
                    own[by].as_ref().map_or("", |o| o.1.as_str())
                )
            } else {
                why.clone()
            };
            out.push(Row {
                account: i,
                date,
                reason,
            });
        }
    }
    out.sort_by(|a, b| p.accounts[a.account].id.cmp(&p.accounts[b.account].id));
    out
}

/// Writes transition.csv (account_id, from, to, effective_date, reason) and returns its
/// counts; without `--effective`, removes a stale copy.
pub fn write(
    out: &std::path::Path,
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    effective: Option<NaiveDate>,
    b: Boundary,
) -> anyhow::Result<Option<TransitionCounts>> {
    let Some(effective) = effective else {
        remove_stale(out, "transition.csv");
        return Ok(None);
    };
    let rows = rows(p, account_rep, effective, b);
    let mut w = writer();
    w.write_record(["account_id", "from", "to", "effective_date", "reason"])?;
    let rep = |r: Option<RepIdx>| r.map_or("", |r| p.reps[r.index()].id.as_str());
    for r in &rows {
        w.write_record([
            p.accounts[r.account].id.as_str(),
            rep(p.account_owner[r.account]),
            rep(account_rep[r.account]),
            r.date.to_string().as_str(),
            super::safe_cell(&r.reason).as_str(),
        ])?;
    }
    write_atomic(out, "transition.csv", &finish(w)?)?;
    Ok(Some(TransitionCounts {
        effective_date: effective.to_string(),
        changes: rows.len(),
        deferred: rows.iter().filter(|r| r.date > effective).count(),
        last_date: rows
            .iter()
            .map(|r| r.date)
            .max()
            .unwrap_or(effective)
            .to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn boundaries_are_the_next_month_or_quarter_start() {
        assert_eq!(
            next_boundary(d(2027, 3, 14), Boundary::Month),
            d(2027, 4, 1)
        );
        assert_eq!(
            next_boundary(d(2027, 12, 31), Boundary::Month),
            d(2028, 1, 1)
        );
        assert_eq!(next_boundary(d(2027, 4, 1), Boundary::Month), d(2027, 5, 1));
        assert_eq!(
            next_boundary(d(2027, 3, 14), Boundary::Quarter),
            d(2027, 4, 1)
        );
        assert_eq!(
            next_boundary(d(2027, 4, 1), Boundary::Quarter),
            d(2027, 7, 1)
        );
        assert_eq!(
            next_boundary(d(2027, 11, 2), Boundary::Quarter),
            d(2028, 1, 1)
        );
    }
}
