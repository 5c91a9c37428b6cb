//! Account families: parent cycles are refused, every account joins the family of its
//! topmost accepted ancestor, and each family gets one segment and at most one lock.

use rustc_hash::FxHashMap as HashMap;

use super::rows::Draft;
use crate::rows::RepStatus;

/// The families of the accepted accounts.
pub(super) struct Families {
    /// Members of each family (positions in the draft), in order of their first member.
    pub members: Vec<Vec<usize>>,
    /// Segment of each family.
    pub segment: Vec<usize>,
    /// The active rep each family is locked to.
    pub lock: Vec<Option<usize>>,
    /// Whether the family is accepted.
    pub ok: Vec<bool>,
}

/// Refuses the accounts on a parent cycle (following parent_id comes back to them).
pub(super) fn refuse_cycles(d: &mut Draft<'_>) {
    let n = d.accounts.len();
    let mut on_cycle = vec![false; n];
    // 0 = unvisited, 1 = on current path, 2 = done.
    let mut state = vec![0u8; n];
    let mut path = Vec::new();
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut cur = Some(start);
        path.clear();
        while let Some(c) = cur {
            match state[c] {
                0 => {
                    state[c] = 1;
                    path.push(c);
                    cur = d.parent_of(c).filter(|&p| p != c);
                }
                1 => {
                    if let Some(pos) = path.iter().position(|&x| x == c) {
                        for &x in &path[pos..] {
                            on_cycle[x] = true;
                        }
                    }
                    break;
                }
                _ => break,
            }
        }
        for &x in &path {
            state[x] = 2;
        }
    }
    for i in 0..n {
        if on_cycle[i] && d.alive[i] {
            d.ck.refuse_account(
                &d.accounts[i],
                "parent_id",
                "the account is on a parent cycle (following parent_id comes back to it)".into(),
                "clear parent_id on one account of the cycle",
            );
            d.alive[i] = false;
        }
    }
}

/// Groups the accepted accounts into families: root = the topmost accepted ancestor
/// reached through accepted links; children of a refused account head a family of their
/// own (with a warning). A family whose locks disagree is refused whole; a family takes
/// the segment of its lock, else its members' earliest in the plan.
pub(super) fn families(d: &mut Draft<'_>) -> Families {
    let n = d.accounts.len();
    let mut root = vec![usize::MAX; n];
    for i in 0..n {
        if !d.alive[i] || root[i] != usize::MAX {
            continue;
        }
        let mut chain = vec![i];
        let mut cur = i;
        let r = loop {
            match d.parent_of(cur) {
                Some(p) if d.alive[p] && p != cur => {
                    if root[p] != usize::MAX {
                        break root[p];
                    }
                    chain.push(p);
                    cur = p;
                }
                Some(p) if p != cur && !d.alive[p] => {
                    let parent = d.accounts[p].id.clone();
                    d.ck.warn_account(
                        &d.accounts[cur],
                        "parent_id",
                        format!(
                            "parent {parent:?} was refused; the account heads a family of its own"
                        ),
                        "",
                    );
                    break cur;
                }
                _ => break cur,
            }
        };
        for c in chain {
            root[c] = r;
        }
    }

    // Families in order of their first member (by account_id).
    let mut family_of_root: HashMap<usize, usize> = HashMap::default();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for i in 0..n {
        if !d.alive[i] {
            continue;
        }
        let f = *family_of_root.entry(root[i]).or_insert_with(|| {
            members.push(Vec::new());
            members.len() - 1
        });
        members[f].push(i);
    }

    let mut segment = Vec::with_capacity(members.len());
    let mut lock = Vec::with_capacity(members.len());
    let mut ok = vec![true; members.len()];
    for (f, ms) in members.iter().enumerate() {
        let mut l: Option<usize> = None;
        let mut conflict = false;
        for &m in ms {
            if d.accounts[m].locked
                && let Some(o) = d.owner[m]
                && d.reps[o].status.holds_book()
            {
                match l {
                    None => l = Some(o),
                    Some(x) if x != o => conflict = true,
                    _ => {}
                }
            }
        }
        // A rep on leave keeps their book: a family all of whose accounts they own stays
        // with them as if locked; one they share with others moves as one unit.
        if l.is_none() && !conflict {
            l = kept_on_leave(d, ms);
        }
        if conflict {
            for &m in ms {
                d.ck.refuse_account(
                    &d.accounts[m],
                    "locked",
                    "its account family has accounts locked to different reps".into(),
                    "lock the family's accounts to one rep (a family is always assigned as one unit)",
                );
            }
            ok[f] = false;
        }
        let mut seg = ms
            .iter()
            .filter_map(|&m| d.own_segment[m])
            .min()
            .unwrap_or(0);
        let lock_seg = l.and_then(|l| d.rep_seg[l]);
        if let Some(s) = lock_seg {
            seg = s;
        }
        if ok[f] {
            for &m in ms {
                if d.own_segment[m] == Some(seg) {
                    continue;
                }
                let why = if lock_seg == Some(seg) {
                    "locked owner's segment"
                } else {
                    "family's segment"
                };
                let note = format!(
                    "segment {} → {} ({why})",
                    d.own_segment[m]
                        .map(|s| d.seg_names[s].as_str())
                        .unwrap_or("?"),
                    d.seg_names[seg]
                );
                if d.notes[m].is_empty() {
                    d.notes[m] = note;
                } else {
                    d.notes[m] = format!("{}; {note}", d.notes[m]);
                }
            }
        }
        segment.push(seg);
        lock.push(l);
    }
    Families {
        members,
        segment,
        lock,
        ok,
    }
}

/// The rep on leave who owns every account of the family, if any; notes a family they
/// share with other owners or white space (it moves, since they take no new account).
fn kept_on_leave(d: &mut super::rows::Draft<'_>, ms: &[usize]) -> Option<usize> {
    let on_leave = |o: usize| d.reps[o].status == RepStatus::OnLeave;
    let first = ms
        .iter()
        .find_map(|&m| d.owner[m].filter(|&o| on_leave(o)))?;
    if ms.iter().all(|&m| d.owner[m] == Some(first)) {
        return Some(first);
    }
    let id = d.reps[first].id.clone();
    for &m in ms {
        let note = format!(
            "{id} is on leave but shares the account family with other owners: it moves as one unit"
        );
        if d.notes[m].is_empty() {
            d.notes[m] = note;
        }
    }
    None
}
