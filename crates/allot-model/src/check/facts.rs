//! What every rule check needs, derived once from the raw rows: families, each account's
//! segment and lock, the assignment, and the loads per rep.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use crate::io::PairRow;
use crate::plan::{Plan, segment_key};
use crate::rows::{Account, Rep};

/// The rows, the assignment and what follows from them.
pub(super) struct Facts<'a> {
    pub accounts: &'a [Account],
    pub reps: &'a [Rep],
    /// The assignment as given.
    pub given: &'a BTreeMap<String, String>,
    /// Rep by id.
    pub rep: HashMap<&'a str, &'a Rep>,
    /// Account by id.
    pub account: HashMap<&'a str, &'a Account>,
    /// Families: members, by first appearance of their root.
    pub families: Vec<Vec<&'a Account>>,
    /// Segment key of each family (its members' earliest in the plan, or its lock's).
    pub family_segment: Vec<String>,
    /// The active rep each family is locked to.
    pub family_lock: Vec<Option<&'a Rep>>,
    /// Rep id of each assigned account.
    pub rep_of: HashMap<&'a str, &'a str>,
    /// Segment key of each account (its family's).
    pub segment_of: HashMap<&'a str, String>,
    /// Listed pairs (account, rep) → workload (`None` = the account's), with a pairs file.
    pub pairs: Option<HashMap<(&'a str, &'a str), Option<f64>>>,
    /// Loads per rep id: potential, workload (the pair's when listed), accounts.
    pub load: HashMap<&'a str, [f64; 3]>,
}

/// Whether a rep's role owns accounts (empty, "ae" or "owner").
pub(super) fn owns_accounts(r: &Rep) -> bool {
    let role = r.role.trim();
    role.is_empty() || role.eq_ignore_ascii_case("ae") || role.eq_ignore_ascii_case("owner")
}

/// Whether a rep holds a book: not leaving, and of an owner role.
pub(super) fn takes_accounts(r: &Rep) -> bool {
    r.status.holds_book() && owns_accounts(r)
}

impl<'a> Facts<'a> {
    pub fn new(
        accounts: &'a [Account],
        reps: &'a [Rep],
        plan: &'a Plan,
        given: &'a BTreeMap<String, String>,
        pairs: Option<&'a [PairRow]>,
    ) -> Facts<'a> {
        let pairs: Option<HashMap<(&str, &str), Option<f64>>> = pairs.map(|rows| {
            let mut m = HashMap::default();
            for p in rows {
                m.entry((p.account_id.as_str(), p.rep_id.as_str()))
                    .or_insert(p.workload);
            }
            m
        });
        let rep: HashMap<&str, &Rep> = reps.iter().map(|r| (r.id.as_str(), r)).collect();
        let account: HashMap<&str, &Account> =
            accounts.iter().map(|a| (a.id.as_str(), a)).collect();

        // Each account's own segment, as a position in the plan's order (segments the plan
        // does not list come after, in order of appearance).
        let mut order: Vec<String> = plan.segments.iter().map(|s| segment_key(&s.name)).collect();
        let mut key_pos: HashMap<String, usize> = order
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        let own: HashMap<&str, usize> = accounts
            .iter()
            .map(|a| {
                // The segment cell, else the rules and tier triggers (crate::tiers).
                let key = crate::tiers::resolve(plan, a)
                    .segment
                    .map(|s| segment_key(&s))
                    .unwrap_or_default();
                let next = order.len();
                let pos = *key_pos.entry(key.clone()).or_insert(next);
                if pos == next {
                    order.push(key);
                }
                (a.id.as_str(), pos)
            })
            .collect();

        // Families: accounts under the same topmost known ancestor.
        let root_of = |id: &'a str| -> &'a str {
            let mut cur = id;
            let mut steps = 0;
            while let Some(p) = account.get(cur).and_then(|a| a.parent_id.as_deref()) {
                if !account.contains_key(p) || steps > accounts.len() {
                    break;
                }
                cur = p;
                steps += 1;
            }
            cur
        };
        let mut family_of_root: HashMap<&str, usize> = HashMap::default();
        let mut families: Vec<Vec<&Account>> = Vec::new();
        for a in accounts {
            let next = families.len();
            let f = *family_of_root.entry(root_of(&a.id)).or_insert(next);
            if f == next {
                families.push(Vec::new());
            }
            families[f].push(a);
        }
        drop(family_of_root);

        let mut family_segment = Vec::with_capacity(families.len());
        let mut family_lock = Vec::with_capacity(families.len());
        let mut segment_of: HashMap<&str, String> =
            HashMap::with_capacity_and_hasher(accounts.len(), Default::default());
        for members in &families {
            let mut seg = members
                .iter()
                .map(|a| own[a.id.as_str()])
                .min()
                .map(|i| order[i].clone())
                .unwrap_or_default();
            let locked = members.iter().find_map(|a| {
                let o = rep.get(a.owner_id.as_deref()?)?;
                (a.locked && o.status.holds_book()).then_some(*o)
            });
            if let Some(o) = locked {
                seg = segment_key(&o.segment);
            }
            for a in members {
                segment_of.insert(a.id.as_str(), seg.clone());
            }
            family_segment.push(seg);
            family_lock.push(locked);
        }

        let rep_of: HashMap<&str, &str> = given
            .iter()
            .map(|(a, r)| (a.as_str(), r.as_str()))
            .collect();
        let mut load: HashMap<&str, [f64; 3]> = HashMap::default();
        for a in accounts {
            let Some(&r) = rep_of.get(a.id.as_str()) else {
                continue;
            };
            let Some(rr) = rep.get(r) else { continue };
            let listed = pairs.as_ref().and_then(|m| m.get(&(a.id.as_str(), r)));
            let workload = match listed {
                Some(Some(w)) => *w,
                _ => a.workload,
            };
            let l = load.entry(rr.id.as_str()).or_default();
            l[0] += a.potential;
            l[1] += workload;
            l[2] += 1.0;
        }
        Facts {
            accounts,
            reps,
            given,
            rep,
            account,
            families,
            family_segment,
            family_lock,
            rep_of,
            segment_of,
            pairs,
            load,
        }
    }
}
