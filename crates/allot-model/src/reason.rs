//! Why each account sits where it does, as a code a CRM admin can filter on: what kept it
//! or what forced its move (a move a cap forced is `capacity`, not `balance`). The CLI
//! words each code; `assignments.csv` carries both.

use crate::figures::Figures;
use crate::problem::Problem;
use crate::rows::RepStatus;
use crate::{Objective, RepIdx};

/// What kept an account with its owner or moved it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReasonCode {
    /// Stayed with its owner (a rep on leave keeps theirs).
    Kept,
    /// Locked to its owner.
    Locked,
    /// Had no owner.
    WhiteSpace,
    /// Its owner is leaving or not on the roster.
    RepLeaving,
    /// Went to a new rep (status `new`, or no book today): their territory.
    NewRep,
    /// Moved so that the reps' loads meet the balance band (or the objective).
    Balance,
    /// Its owner's book broke a cap (max_accounts, max_workload, max_potential).
    Capacity,
    /// Its owner may not cover its region or industry (or pairs.csv lists no such pair).
    Eligibility,
    /// Its owner covers another tier (segment) than the account's.
    TierChange,
    /// Beyond the travel cap from its owner's home, or moved to shorten travel.
    Compactness,
    /// Moved with its account family (another member's owner took the family).
    Family,
    /// A planner's decision (decisions.csv).
    Decision,
}

impl ReasonCode {
    /// Every code.
    pub const ALL: [ReasonCode; 12] = [
        ReasonCode::Kept,
        ReasonCode::Locked,
        ReasonCode::WhiteSpace,
        ReasonCode::RepLeaving,
        ReasonCode::NewRep,
        ReasonCode::Balance,
        ReasonCode::Capacity,
        ReasonCode::Eligibility,
        ReasonCode::TierChange,
        ReasonCode::Compactness,
        ReasonCode::Family,
        ReasonCode::Decision,
    ];

    /// The code of an assignments.csv cell (`None` for anything else).
    pub fn parse(s: &str) -> Option<ReasonCode> {
        let s = s.trim();
        ReasonCode::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The code as written in assignments.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::Kept => "kept",
            ReasonCode::Locked => "locked",
            ReasonCode::WhiteSpace => "white_space",
            ReasonCode::RepLeaving => "rep_leaving",
            ReasonCode::NewRep => "new_rep",
            ReasonCode::Balance => "balance",
            ReasonCode::Capacity => "capacity",
            ReasonCode::Eligibility => "eligibility",
            ReasonCode::TierChange => "tier_change",
            ReasonCode::Compactness => "compactness",
            ReasonCode::Family => "family",
            ReasonCode::Decision => "decision",
        }
    }
}

/// The reason code of every account under `account_rep` (indexed like `p.accounts`);
/// `now` are the figures of the current owners' book (`figures(p, &p.current_owners())`).
pub fn reason_codes(p: &Problem, account_rep: &[Option<RepIdx>], now: &Figures) -> Vec<ReasonCode> {
    let nr = p.reps.len();
    // Each owner's current book: over a cap, out of the band, or none at all.
    let mut book = vec![[0.0f64; 3]; nr];
    for (i, a) in p.accounts.iter().enumerate() {
        if let Some(o) = p.account_owner[i] {
            let l = &mut book[o.index()];
            l[0] += a.potential;
            l[1] += a.workload;
            l[2] += 1.0;
        }
    }
    let over_cap = |r: RepIdx| {
        let (rep, l) = (&p.reps[r.index()], book[r.index()]);
        let over = |cap: Option<f64>, x: f64| cap.is_some_and(|c| x > c + 1e-9);
        over(rep.max_potential, l[0])
            || over(rep.max_workload, l[1])
            || over(rep.max_accounts.map(|c| c as f64), l[2])
    };
    let band = p.plan.balance.band();
    let within_band = |r: RepIdx| {
        p.plan
            .balance
            .metrics
            .iter()
            .all(|m| now.reps[r.index()].deviation[m.slot()].abs() <= band + 1e-9)
    };
    let travel_led = p.plan.objective == Objective::Travel;
    let mut out = Vec::with_capacity(p.accounts.len());
    for i in 0..p.accounts.len() {
        let u = p.account_unit[i];
        let (new, old) = (account_rep[i], p.account_owner[i]);
        let code = if p.units.locked_to[u.index()].is_some() && new == old {
            // Locked by the file, or kept by a rep on leave.
            if p.units
                .members(u)
                .iter()
                .any(|a| p.accounts[a.index()].locked)
            {
                ReasonCode::Locked
            } else {
                ReasonCode::Kept
            }
        } else if !p.account_had_owner[i] {
            ReasonCode::WhiteSpace
        } else if new == old {
            ReasonCode::Kept
        } else {
            match old {
                None => ReasonCode::RepLeaving,
                Some(o) if p.reps[o.index()].status == RepStatus::Leaving => ReasonCode::RepLeaving,
                Some(o) if p.rep_segment[o.index()] != Some(p.account_segment[i]) => {
                    ReasonCode::TierChange
                }
                Some(o) if !p.within_travel_cap(u, o) => ReasonCode::Compactness,
                Some(o) if !p.allowed(u, o) => ReasonCode::Eligibility,
                Some(_)
                    if p.units
                        .members(u)
                        .iter()
                        .any(|a| new.is_some() && p.account_owner[a.index()] == new) =>
                {
                    ReasonCode::Family
                }
                Some(o) if over_cap(o) => ReasonCode::Capacity,
                Some(_)
                    if new.is_some_and(|n| {
                        book[n.index()][2] == 0.0 || p.reps[n.index()].status == RepStatus::New
                    }) =>
                {
                    ReasonCode::NewRep
                }
                Some(o) if travel_led && within_band(o) => ReasonCode::Compactness,
                Some(_) => ReasonCode::Balance,
            }
        };
        out.push(code);
    }
    out
}
