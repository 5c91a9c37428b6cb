//! Pins (planner decisions, scope) become family locks before eligibility: a pinned
//! family may only go to its pin's rep. A pin that cannot hold — unknown or refused
//! account, a rep who is not on the roster, leaving or on leave, of another segment, not
//! allowed to cover the account, or a family pinned two ways — is a fatal issue naming the
//! pin's file, row and column, never silently dropped.

use rustc_hash::FxHashMap as HashMap;

use super::eligibility::PairMap;
use super::families::Families;
use super::rows::Draft;
use crate::decisions::{Pin, PinWhy};
use crate::issue::{Issue, Severity};

/// Applies `pins` to the families' locks; returns every pin that cannot hold.
pub(super) fn apply(
    d: &Draft<'_>,
    fam: &mut Families,
    pins: &[Pin],
    pair_of: &PairMap,
    with_pairs: bool,
) -> Vec<Issue> {
    let mut fatal = Vec::new();
    if pins.is_empty() {
        return fatal;
    }
    let mut family_of = vec![usize::MAX; d.accounts.len()];
    for (f, ms) in fam.members.iter().enumerate() {
        for &m in ms {
            family_of[m] = f;
        }
    }
    // The first pin of each family, and each account's first pin.
    let mut by_family: HashMap<usize, (usize, &Pin)> = HashMap::default();
    let mut by_account: HashMap<&str, &Pin> = HashMap::default();
    for p in pins {
        let refuse_at = |column: &str, message: String, hint: &str| {
            Issue::row(
                Severity::Fatal,
                &p.file,
                p.line,
                column,
                &p.account_id,
                message,
                hint,
            )
        };
        let refuse = |message: String, hint: &str| refuse_at(p.column, message, hint);
        if let Some(first) = by_account.insert(p.account_id.as_str(), p) {
            fatal.push(refuse(
                format!(
                    "{} is decided twice (also {})",
                    p.account_id,
                    first.describe()
                ),
                "keep one decision per account",
            ));
            continue;
        }
        // An unknown or refused account is the account_id cell's fault, whatever the decision.
        let Some(&i) = d.acc_by_id.get(&p.account_id) else {
            fatal.push(refuse_at(
                "account_id",
                format!(
                    "{:?} is not an account_id in the accounts file",
                    p.account_id
                ),
                "check the id against the accounts file (ids are matched exactly)",
            ));
            continue;
        };
        if !d.alive[i] || family_of[i] == usize::MAX || !fam.ok[family_of[i]] {
            fatal.push(refuse_at(
                "account_id",
                format!("account {:?} was refused (see rejects.csv)", p.account_id),
                "fix the account's row, or drop the decision",
            ));
            continue;
        }
        let f = family_of[i];
        let Some(&r) = d.rep_by_id.get(&p.rep_id) else {
            fatal.push(refuse(
                format!("{:?} is not a rep_id in the reps file", p.rep_id),
                "check the id against the reps file",
            ));
            continue;
        };
        let members = &fam.members[f];
        let owns_all = members.iter().all(|&m| d.owner[m] == Some(r));
        let rep = &d.reps[r];
        // A rep outside the scope keeps the previous book it is pinned to.
        let status_ok = d.takes_new(r)
            || (owns_all && d.active_owner(r))
            || (p.why == PinWhy::OutOfScope && d.active_owner(r));
        if !d.rep_ok[r] {
            fatal.push(refuse(
                format!("rep {:?} was refused (see rejects.csv)", p.rep_id),
                "fix the rep's row, or drop the decision",
            ));
            continue;
        }
        if !status_ok {
            let why = if !rep.is_owner_role() {
                format!(
                    "rep {:?} has role {:?}, which holds no accounts",
                    p.rep_id, rep.role
                )
            } else {
                format!(
                    "rep {:?} is {} and takes no new accounts",
                    p.rep_id,
                    rep.status.name()
                )
            };
            fatal.push(refuse(why, "pin the account to an active account owner"));
            continue;
        }
        let seg = fam.segment[f];
        if d.rep_seg[r] != Some(seg) {
            fatal.push(refuse(
                format!(
                    "rep {:?} covers {}, but the account{} is in segment {:?}",
                    p.rep_id,
                    d.rep_seg[r]
                        .map(|s| format!("segment {:?}", d.seg_names[s]))
                        .unwrap_or_else(|| "no segment".into()),
                    if members.len() > 1 {
                        " (with its family)"
                    } else {
                        ""
                    },
                    d.seg_names[seg]
                ),
                "pin it to a rep of its segment, or change its segment in the accounts file",
            ));
            continue;
        }
        if let Some(&m) = members
            .iter()
            .find(|&&m| !rep.is_eligible(&d.accounts[m].region, &d.accounts[m].industry))
        {
            let a = &d.accounts[m];
            fatal.push(refuse(
                format!(
                    "rep {:?} may not cover {} (region {:?}, industry {:?})",
                    p.rep_id,
                    if m == i {
                        "the account".to_string()
                    } else {
                        format!("{:?} of its family", a.id)
                    },
                    a.region,
                    a.industry
                ),
                "pin it to a rep whose regions and industries allow it, or widen the rep's",
            ));
            continue;
        }
        if with_pairs && let Some(&m) = members.iter().find(|&&m| !pair_of.contains_key(&(m, r))) {
            fatal.push(refuse(
                format!(
                    "the pairs file has no pair ({:?}, {:?})",
                    d.accounts[m].id, p.rep_id
                ),
                "add the pair to the pairs file, or pin to a paired rep",
            ));
            continue;
        }
        if let Some(l) = fam.lock[f].filter(|&l| l != r) {
            let how = if members.iter().any(|&m| d.accounts[m].locked) {
                "locked (locked column)"
            } else {
                "kept by its owner on leave"
            };
            fatal.push(refuse(
                format!(
                    "the account{} is {how} with {:?}",
                    if members.len() > 1 { "'s family" } else { "" },
                    d.reps[l].id
                ),
                "drop the decision, or unlock the account in the accounts file",
            ));
            continue;
        }
        if let Some((other_rep, other)) = by_family.get(&f) {
            if *other_rep != r {
                fatal.push(refuse(
                    format!(
                        "the account's family is also pinned to {:?} by {}",
                        other.rep_id,
                        other.describe()
                    ),
                    "a family is assigned as one unit: decide its accounts alike",
                ));
            }
            continue;
        }
        by_family.insert(f, (r, p));
    }
    if fatal.is_empty() {
        for (f, (r, _)) in by_family {
            fam.lock[f] = Some(r);
        }
    }
    fatal
}
