//! Who may cover each family, without listing family × rep pairs: families with the same
//! eligible reps share one *class* (a sorted rep list), so a segment where any rep may take
//! any account holds one list of its reps, not one per account. Eligibility is the
//! segment's active owner-role reps whose regions and industries allow every member, or
//! with a pairs file the reps listed for every member; a locked family may only stay.

use rustc_hash::FxHashMap as HashMap;

use super::RefusedIds;
use super::families::Families;
use super::rows::Draft;
use crate::io::PairRow;
use crate::issue::{Issue, Severity};

/// pairs.csv rows by (account, rep) position in the draft: (cost, workload or the account's).
pub(super) type PairMap = HashMap<(usize, usize), (f64, Option<f64>)>;

/// The classes and each family's class.
pub(super) struct Classes {
    /// Eligible reps of each class (draft positions, sorted).
    pub reps: Vec<Vec<usize>>,
    /// Class of each family (meaningless for refused families).
    pub of_family: Vec<u32>,
}

/// Validates pairs.csv rows: each (account, rep) once, both known and accepted.
pub(super) fn read_pairs(
    d: &mut Draft<'_>,
    pairs: &Option<(&str, Vec<PairRow>)>,
    refused_ids: &RefusedIds,
) -> PairMap {
    let mut pair_of: PairMap = HashMap::default();
    let Some((pfile, rows)) = pairs else {
        return pair_of;
    };
    for row in rows {
        let refuse = |msg: String, column: &str| {
            Issue::row(
                Severity::Refused,
                pfile,
                row.line,
                column,
                &row.account_id,
                msg,
                "correct the pair or remove it",
            )
        };
        let a = d.acc_by_id.get(&row.account_id).copied();
        let r = d
            .rep_by_id
            .get(&row.rep_id)
            .copied()
            .filter(|&r| d.rep_ok[r]);
        match (a, r) {
            (None, _) => {
                let was_refused = refused_ids.accounts.contains(&row.account_id);
                d.ck.refused.push(refuse(
                    if was_refused {
                        format!(
                            "account {:?} was refused in the accounts file",
                            row.account_id
                        )
                    } else {
                        format!("account {:?} is not in the accounts file", row.account_id)
                    },
                    "account_id",
                ))
            }
            (_, None) => d.ck.refused.push(refuse(
                format!(
                    "rep {:?} is not an accepted rep of the reps file",
                    row.rep_id
                ),
                "rep_id",
            )),
            (Some(a), Some(r)) => {
                if let Some(first) = pair_of.insert((a, r), (row.cost, row.workload)) {
                    d.ck.refused.push(refuse(
                        format!(
                            "pair {} – {} is listed twice; the first row counts",
                            row.account_id, row.rep_id
                        ),
                        "rep_id",
                    ));
                    pair_of.insert((a, r), first);
                }
            }
        }
    }
    pair_of
}

/// Each family's eligible reps as a shared class; a family no rep may cover is refused
/// (every member, naming why).
pub(super) fn classes(
    d: &mut Draft<'_>,
    fam: &mut Families,
    pair_of: &PairMap,
    with_pairs: bool,
) -> Classes {
    let mut seg_reps: Vec<Vec<usize>> = vec![Vec::new(); d.seg_names.len()];
    for (i, s) in d.rep_seg.iter().enumerate() {
        if let Some(s) = s
            && d.takes_new(i)
        {
            seg_reps[*s].push(i);
        }
    }
    let mut class_of_list: HashMap<Vec<usize>, u32> = HashMap::default();
    let mut reps: Vec<Vec<usize>> = Vec::new();
    let mut of_family = Vec::with_capacity(fam.members.len());
    // Region and industry decide eligibility, and a CRM export has few distinct pairs of
    // them: each (segment, region, industry) is matched against the reps once.
    let mut by_key: HashMap<(usize, &str, &str), Vec<usize>> = HashMap::default();
    let (accounts, all_reps, ck) = (&d.accounts, &d.reps, &mut d.ck);
    for f in 0..fam.members.len() {
        let members = &fam.members[f];
        let el: Vec<usize> = match fam.lock[f] {
            Some(l) if fam.ok[f] => vec![l],
            _ => {
                let seg = fam.segment[f];
                let mut el: Option<Vec<usize>> = None;
                for &m in members {
                    let a = &accounts[m];
                    let key = (seg, a.region.as_str(), a.industry.as_str());
                    let list = by_key.entry(key).or_insert_with(|| {
                        seg_reps[seg]
                            .iter()
                            .copied()
                            .filter(|&r| all_reps[r].is_eligible(&a.region, &a.industry))
                            .collect()
                    });
                    el = Some(match el {
                        None => list.clone(),
                        Some(mut v) => {
                            v.retain(|r| list.binary_search(r).is_ok());
                            v
                        }
                    });
                }
                let mut el = el.unwrap_or_default();
                if with_pairs {
                    el.retain(|&r| members.iter().all(|&m| pair_of.contains_key(&(m, r))));
                }
                el
            }
        };
        if el.is_empty() && fam.ok[f] {
            let seg = &d.seg_names[fam.segment[f]];
            let (msg, hint) = if seg_reps[fam.segment[f]].is_empty() {
                (
                    format!("segment {seg:?} has accounts but no active rep"),
                    format!(
                        "add a rep with segment {seg:?} to the reps file, or change the segment rules"
                    ),
                )
            } else if with_pairs {
                (
                    format!(
                        "no active rep of segment {seg:?} is paired with this account (and its family) in the pairs file"
                    ),
                    "add a pair for one of the segment's reps, or check the ids".to_string(),
                )
            } else {
                (
                    format!(
                        "no active rep of segment {seg:?} may cover this account's region and industry"
                    ),
                    "widen a rep's regions or industries in the reps file".to_string(),
                )
            };
            for &m in members {
                ck.refuse_account(&accounts[m], "segment", msg.clone(), &hint);
            }
            fam.ok[f] = false;
        }
        let next = reps.len() as u32;
        let c = *class_of_list.entry(el).or_insert(next);
        if c == next {
            reps.push(Vec::new());
        }
        of_family.push(c);
    }
    // The lists were moved into the map's keys: put them back by class.
    for (list, c) in class_of_list {
        reps[c as usize] = list;
    }
    Classes { reps, of_family }
}
