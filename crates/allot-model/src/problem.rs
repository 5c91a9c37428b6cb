//! The validated, indexed [`Problem`]: what the engines see.
//!
//! [`Problem::build`] takes the rows as read, applies the cross-row checks (duplicate ids,
//! unknown owners and parents, parent cycles, segments, locks, families, eligibility), and
//! compiles the coverage model down to one core model: units (account families) to assign
//! to eligible reps, each unit×rep pair with a linear cost, reps with targets and
//! capacities. Once a `Problem` exists it is valid.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::geo::haversine_km;
use crate::ids::{AccountIdx, RepIdx, SegIdx, UnitIdx};
use crate::io::PairRow;
use crate::issue::{Issue, Severity};
use crate::plan::{Metric, Objective, Plan, UnknownOwner, segment_key};
use crate::rows::{Account, Rep, RepStatus};

/// A segment: its owner reps, its units and its totals.
#[derive(Clone, Debug)]
pub struct Segment {
    /// Canonical name (as the plan spells it, else as the data does).
    pub name: String,
    /// Accounts per rep from the plan, when given.
    pub ratio: Option<f64>,
    /// Active owner-role reps covering the segment, by rep_id.
    pub reps: Vec<RepIdx>,
    /// Units of the segment.
    pub units: Vec<UnitIdx>,
    /// Totals of potential, workload and accounts ([`Metric::slot`] order).
    pub total: [f64; 3],
}

/// Units in struct-of-arrays form, with their eligible reps as a compressed row list.
#[derive(Clone, Debug, Default)]
pub struct Units {
    /// Segment of each unit.
    pub segment: Vec<SegIdx>,
    /// Loads (potential, workload, accounts) of each unit.
    pub load: Vec<[f64; 3]>,
    /// The rep a locked unit must stay with.
    pub locked_to: Vec<Option<RepIdx>>,
    /// `members[member_start[u]..member_start[u + 1]]` are the accounts of unit `u`.
    pub member_start: Vec<u32>,
    /// Accounts of all units, unit after unit.
    pub members: Vec<AccountIdx>,
    /// `edge_start[u]..edge_start[u + 1]` are the pairs (edges) of unit `u`.
    pub edge_start: Vec<u32>,
    /// Rep of each pair.
    pub edge_rep: Vec<RepIdx>,
    /// Linear objective cost of each pair (disruption and compactness terms).
    pub edge_cost: Vec<f64>,
    /// Accounts of the unit that change owner if the unit goes to the pair's rep.
    pub edge_moved: Vec<u32>,
    /// Total pairs.csv cost of the unit's accounts with the pair's rep (empty without a
    /// pairs file; read it through [`Units::pair_cost`]).
    pub edge_pair_cost: Vec<f64>,
    /// Workload the unit puts on the pair's rep (pairs.csv workloads, else the accounts';
    /// empty without a pairs file; read it through [`Units::work`]).
    pub edge_work: Vec<f64>,
}

impl Units {
    /// Number of units.
    pub fn len(&self) -> usize {
        self.segment.len()
    }

    /// Whether there are no units.
    pub fn is_empty(&self) -> bool {
        self.segment.is_empty()
    }

    /// Accounts of a unit.
    pub fn members(&self, u: UnitIdx) -> &[AccountIdx] {
        let u = u.index();
        &self.members[self.member_start[u] as usize..self.member_start[u + 1] as usize]
    }

    /// Edge index range of a unit.
    pub fn edges(&self, u: UnitIdx) -> std::ops::Range<usize> {
        let u = u.index();
        self.edge_start[u] as usize..self.edge_start[u + 1] as usize
    }

    /// The edge of unit `u` to rep `r`, if `r` is eligible.
    pub fn edge_to(&self, u: UnitIdx, r: RepIdx) -> Option<usize> {
        self.edges(u).find(|&e| self.edge_rep[e] == r)
    }

    /// Workload unit `u` puts on the rep of its edge `e` (the unit's own without pairs file).
    #[inline]
    pub fn work(&self, u: UnitIdx, e: usize) -> f64 {
        self.edge_work
            .get(e)
            .copied()
            .unwrap_or(self.load[u.index()][1])
    }

    /// pairs.csv cost of edge `e` (0 without a pairs file).
    #[inline]
    pub fn pair_cost(&self, e: usize) -> f64 {
        self.edge_pair_cost.get(e).copied().unwrap_or(0.0)
    }
}

/// The validated problem.
#[derive(Clone, Debug)]
pub struct Problem {
    /// The plan, with command-line overrides applied.
    pub plan: Plan,
    /// Accepted accounts, by account_id (whatever the order of the file).
    pub accounts: Vec<Account>,
    /// Accepted reps, by rep_id (whatever the order of the roster).
    pub reps: Vec<Rep>,
    /// Segments, in plan order, then segments only the data names.
    pub segments: Vec<Segment>,
    /// Segment of each account (the family's).
    pub account_segment: Vec<SegIdx>,
    /// Unit of each account.
    pub account_unit: Vec<UnitIdx>,
    /// Current owner of each account when that owner is on the roster.
    pub account_owner: Vec<Option<RepIdx>>,
    /// Whether the account had an owner (on the roster or not): it counts for disruption.
    pub account_had_owner: Vec<bool>,
    /// What was corrected on the account (segment taken from family, lock released, …).
    pub account_note: Vec<String>,
    /// Target per rep and metric (0 for reps that take no accounts).
    pub rep_target: Vec<[f64; 3]>,
    /// Segment whose accounts each rep owns (`None` for leaving or supporting-role reps).
    pub rep_segment: Vec<Option<SegIdx>>,
    /// Units and their eligible pairs.
    pub units: Units,
    /// Objective weight of each metric's max deviation ([`Metric::slot`] order; 0 = not balanced).
    pub balance_weight: [f64; 3],
    /// Whether the balance band is a hard constraint (rebalance).
    pub band_is_hard: bool,
    /// pairs.csv by (account, rep): cost and workload; `None` when no pairs file was given.
    pub pairs: Option<HashMap<(AccountIdx, RepIdx), (f64, f64)>>,
}

/// A problem together with what the checks refused and warned about.
#[derive(Debug)]
pub struct Built {
    /// The valid problem.
    pub problem: Problem,
    /// Refused rows (reps and accounts), one issue each.
    pub refused: Vec<Issue>,
    /// Rows used with a correction.
    pub warnings: Vec<Issue>,
}

/// Ids of rows refused while reading (bad values), so that rows pointing at them are told
/// apart from rows pointing at ids that do not exist.
#[derive(Clone, Debug, Default)]
pub struct RefusedIds {
    /// account_ids of refused account rows.
    pub accounts: HashSet<String>,
    /// rep_ids of refused rep rows.
    pub reps: HashSet<String>,
}

/// Names of the input files, for messages.
#[derive(Clone, Debug)]
pub struct FileNames {
    /// accounts.csv as given.
    pub accounts: String,
    /// reps.csv as given.
    pub reps: String,
}

struct Checks<'a> {
    files: &'a FileNames,
    refused: Vec<Issue>,
    warnings: Vec<Issue>,
}

impl Checks<'_> {
    fn refuse_account(&mut self, a: &Account, column: &str, message: String, hint: &str) {
        self.refused.push(Issue::row(
            Severity::Refused,
            &self.files.accounts,
            a.line,
            column,
            &a.id,
            message,
            hint,
        ));
    }

    fn warn_account(&mut self, a: &Account, column: &str, message: String, hint: &str) {
        self.warnings.push(Issue::row(
            Severity::Warning,
            &self.files.accounts,
            a.line,
            column,
            &a.id,
            message,
            hint,
        ));
    }

    fn refuse_rep(&mut self, r: &Rep, column: &str, message: String, hint: &str) {
        self.refused.push(Issue::row(
            Severity::Refused,
            &self.files.reps,
            r.line,
            column,
            &r.id,
            message,
            hint,
        ));
    }
}

/// Keeps at most `k` eligible reps of a family (0 = all): its current owners first, then the
/// reps whose home is nearest the family's centroid (a deterministic spread when the family
/// has no coordinates). Candidate lists keep the pair count linear in the accounts at scale.
fn prune_candidates(
    el: Vec<usize>,
    members: &[usize],
    accounts: &[Account],
    reps: &[Rep],
    owner: &[Option<usize>],
    k: usize,
    family: usize,
) -> Vec<usize> {
    if k == 0 || el.len() <= k {
        return el;
    }
    let coords: Vec<(f64, f64)> = members
        .iter()
        .filter_map(|&m| accounts[m].coords())
        .collect();
    let centroid = (!coords.is_empty()).then(|| {
        let n = coords.len() as f64;
        (
            coords.iter().map(|c| c.0).sum::<f64>() / n,
            coords.iter().map(|c| c.1).sum::<f64>() / n,
        )
    });
    // Rank by an equirectangular distance (same order as great-circle at these ranges,
    // far cheaper), and select the k best without sorting the rest.
    let cos_lat = centroid.map_or(1.0, |c| c.0.to_radians().cos());
    let mut ranked: Vec<(u8, f64, usize)> = el
        .iter()
        .map(|&r| {
            let owns = members.iter().any(|&m| owner[m] == Some(r));
            let d = match (centroid, reps[r].coords()) {
                (Some(c), Some(h)) => {
                    let dlat = c.0 - h.0;
                    let mut dlon = c.1 - h.1;
                    if dlon > 180.0 {
                        dlon -= 360.0;
                    } else if dlon < -180.0 {
                        dlon += 360.0;
                    }
                    let dlon = dlon * cos_lat;
                    dlat * dlat + dlon * dlon
                }
                (None, _) => {
                    // No coordinates: a fixed pseudo-random order per family.
                    let x = (family as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                        ^ (r as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                    (x >> 11) as f64
                }
                (Some(_), None) => f64::INFINITY,
            };
            (u8::from(!owns), d, r)
        })
        .collect();
    let order = |a: &(u8, f64, usize), b: &(u8, f64, usize)| {
        a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2))
    };
    ranked.select_nth_unstable_by(k - 1, order);
    ranked.truncate(k);
    // Collected into a fresh allocation: an in-place collect would keep the capacity of
    // `ranked` (all eligible reps) alive for every family.
    let mut keep: Vec<usize> = Vec::with_capacity(k);
    keep.extend(ranked.iter().map(|x| x.2));
    keep.sort_unstable();
    keep
}

impl Problem {
    /// Validates the rows against each other and builds the indexed problem.
    ///
    /// Returns every fatal problem at once when the run cannot go on (no accounts, no reps,
    /// or — when the plan is strict — any refused row).
    pub fn build(
        accounts: Vec<Account>,
        reps: Vec<Rep>,
        plan: Plan,
        files: &FileNames,
    ) -> Result<Built, Vec<Issue>> {
        Problem::build_after_reading(accounts, reps, None, plan, files, &RefusedIds::default())
    }

    /// As [`Problem::build`], knowing which account ids were already refused while reading:
    /// a child of such an account heads a family of its own (with a warning) instead of being
    /// refused for an unknown parent.
    pub fn build_after_reading(
        accounts: Vec<Account>,
        reps: Vec<Rep>,
        pairs: Option<(&str, Vec<PairRow>)>,
        plan: Plan,
        files: &FileNames,
        refused_ids: &RefusedIds,
    ) -> Result<Built, Vec<Issue>> {
        // Canonical order: the same rows in any order give the same problem, hence the same
        // assignment (a stable sort keeps duplicate ids in file order: the first one counts).
        let mut accounts = accounts;
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        let mut reps = reps;
        reps.sort_by(|a, b| a.id.cmp(&b.id));
        let mut ck = Checks {
            files,
            refused: Vec::new(),
            warnings: Vec::new(),
        };

        // Reps: unique ids.
        let mut rep_by_id: HashMap<String, usize> = HashMap::default();
        let mut rep_ok = vec![true; reps.len()];
        for (i, r) in reps.iter().enumerate() {
            if let Some(&first) = rep_by_id.get(&r.id) {
                ck.refuse_rep(
                    r,
                    "rep_id",
                    format!(
                        "duplicate rep_id {:?} (first at row {})",
                        r.id, reps[first].line
                    ),
                    "give each rep one row",
                );
                rep_ok[i] = false;
            } else {
                rep_by_id.insert(r.id.clone(), i);
            }
        }

        // Accounts: unique ids.
        let mut acc_by_id: HashMap<String, usize> =
            HashMap::with_capacity_and_hasher(accounts.len(), Default::default());
        let mut alive = vec![true; accounts.len()];
        for (i, a) in accounts.iter().enumerate() {
            if let Some(&first) = acc_by_id.get(&a.id) {
                ck.refuse_account(
                    a,
                    "account_id",
                    format!(
                        "duplicate account_id {:?} (first at row {})",
                        a.id, accounts[first].line
                    ),
                    "remove the repeated row",
                );
                alive[i] = false;
            } else {
                acc_by_id.insert(a.id.clone(), i);
            }
        }

        // Segments: plan order, then names the data gives that the plan does not.
        let mut seg_names: Vec<String> = plan.segments.iter().map(|s| s.name.clone()).collect();
        let mut seg_by_key: HashMap<String, usize> = seg_names
            .iter()
            .enumerate()
            .map(|(i, n)| (segment_key(n), i))
            .collect();
        let mut own_segment: Vec<Option<usize>> = vec![None; accounts.len()];
        for (i, a) in accounts.iter().enumerate() {
            if !alive[i] {
                continue;
            }
            own_segment[i] = match &a.segment {
                Some(name) => {
                    let key = segment_key(name);
                    let next = seg_names.len();
                    let s = *seg_by_key.entry(key).or_insert(next);
                    if s == next {
                        seg_names.push(name.trim().to_string());
                    }
                    Some(s)
                }
                None => {
                    let potential = a.potential_given.then_some(a.potential);
                    let s = plan
                        .segments
                        .iter()
                        .position(|rule| rule.matches(a.employees, potential));
                    if s.is_none() {
                        ck.refuse_account(
                            a,
                            "segment",
                            "no segment rule matches: the account has no employees or potential that any rule accepts".into(),
                            "fill in employees or potential, or end the plan's [[segments]] with a rule that has no condition",
                        );
                        alive[i] = false;
                    }
                    s
                }
            };
        }

        // Reps: segment must exist and hold accounts; only active owner-role reps take accounts.
        let mut seg_has_accounts = vec![false; seg_names.len()];
        for (i, s) in own_segment.iter().enumerate() {
            if let (true, Some(s)) = (alive[i], s) {
                seg_has_accounts[*s] = true;
            }
        }
        let mut rep_seg: Vec<Option<usize>> = vec![None; reps.len()];
        for (i, r) in reps.iter().enumerate() {
            if !rep_ok[i] {
                continue;
            }
            match seg_by_key.get(&segment_key(&r.segment)) {
                Some(&s) if seg_has_accounts[s] || !r.is_owner_role() => rep_seg[i] = Some(s),
                _ => {
                    let with: Vec<&str> = seg_names
                        .iter()
                        .enumerate()
                        .filter(|(s, _)| seg_has_accounts[*s])
                        .map(|(_, n)| n.as_str())
                        .collect();
                    ck.refuse_rep(
                        r,
                        "segment",
                        format!("no account is in segment {:?}", r.segment),
                        &format!("segments with accounts: {}", with.join(", ")),
                    );
                    rep_ok[i] = false;
                }
            }
        }
        let active_owner =
            |i: usize| rep_ok[i] && reps[i].status == RepStatus::Active && reps[i].is_owner_role();

        // Owners and parents.
        let mut refused_rep_ids: HashMap<&str, ()> = reps
            .iter()
            .enumerate()
            .filter(|(i, _)| !rep_ok[*i])
            .map(|(_, r)| (r.id.as_str(), ()))
            .collect();
        for id in &refused_ids.reps {
            refused_rep_ids.insert(id.as_str(), ());
        }
        let mut owner: Vec<Option<usize>> = vec![None; accounts.len()];
        let mut notes: Vec<String> = vec![String::new(); accounts.len()];
        for (i, a) in accounts.iter().enumerate() {
            if !alive[i] {
                continue;
            }
            if let Some(o) = &a.owner_id {
                match rep_by_id.get(o) {
                    Some(&r) if rep_ok[r] => owner[i] = Some(r),
                    _ if refused_rep_ids.contains_key(o.as_str()) => {
                        ck.warn_account(
                            a,
                            "owner_id",
                            format!("owner {o:?} was refused in the reps file; the account gets a new owner"),
                            "fix the rep's row to keep the account with them",
                        );
                        notes[i] = format!("previous owner {o} refused in reps file");
                    }
                    _ if plan.validation.unknown_owner == UnknownOwner::Reassign => {
                        ck.warn_account(
                            a,
                            "owner_id",
                            format!(
                                "owner {o:?} is not on the roster; the account gets a new owner"
                            ),
                            "",
                        );
                        notes[i] = format!("previous owner {o} not on roster");
                    }
                    _ => {
                        ck.refuse_account(
                            a,
                            "owner_id",
                            format!("owner {o:?} is not a rep_id in the reps file"),
                            "add the rep to reps.csv, clear owner_id to treat the account as white space, or set [validation] unknown_owner = \"reassign\"",
                        );
                        alive[i] = false;
                    }
                }
            }
            if a.locked && alive[i] {
                match owner[i] {
                    None if a
                        .owner_id
                        .as_deref()
                        .is_some_and(|o| refused_rep_ids.contains_key(o)) =>
                    {
                        let o = a.owner_id.as_deref().unwrap_or_default();
                        ck.warn_account(
                            a,
                            "locked",
                            format!("locked to {o:?}, whose row in the reps file was refused: the lock is released"),
                            "fix the rep's row to keep the lock",
                        );
                        notes[i].push_str("; lock released");
                    }
                    None => {
                        ck.refuse_account(
                            a,
                            "locked",
                            "locked, but owned by no rep on the roster".into(),
                            "set owner_id to the rep it is locked to, or set locked to false",
                        );
                        alive[i] = false;
                    }
                    Some(r) if reps[r].status == RepStatus::Leaving => {
                        ck.warn_account(
                            a,
                            "locked",
                            format!(
                                "locked to {:?}, who is leaving: the lock is released",
                                reps[r].id
                            ),
                            "",
                        );
                        notes[i] = format!("lock released: {} is leaving", reps[r].id);
                    }
                    Some(r) if !reps[r].is_owner_role() => {
                        ck.refuse_account(
                            a,
                            "locked",
                            format!(
                                "locked to {:?}, whose role {:?} does not own accounts",
                                reps[r].id, reps[r].role
                            ),
                            "lock the account to its account executive",
                        );
                        alive[i] = false;
                    }
                    Some(_) => {}
                }
            }
            // A row is refused once, for its first problem.
            if let Some(p) = a.parent_id.as_ref().filter(|_| alive[i]) {
                if *p == a.id {
                    ck.refuse_account(
                        a,
                        "parent_id",
                        "the account is its own parent".into(),
                        "clear parent_id or point it to the real parent",
                    );
                    alive[i] = false;
                } else if !acc_by_id.contains_key(p) && refused_ids.accounts.contains(p) {
                    ck.warn_account(
                        a,
                        "parent_id",
                        format!("parent {p:?} was refused; the account heads a family of its own"),
                        "",
                    );
                } else if !acc_by_id.contains_key(p) {
                    ck.refuse_account(
                        a,
                        "parent_id",
                        format!("parent {p:?} is not an account_id in the file"),
                        "add the parent account to the export, or clear parent_id",
                    );
                    alive[i] = false;
                }
            }
        }
        // Parent cycles: walk up from each account; an account that reaches itself is on a cycle.
        let parent_of = |i: usize| -> Option<usize> {
            accounts[i]
                .parent_id
                .as_ref()
                .and_then(|p| acc_by_id.get(p).copied())
        };
        let mut on_cycle = vec![false; accounts.len()];
        {
            // 0 = unvisited, 1 = on current path, 2 = done.
            let mut state = vec![0u8; accounts.len()];
            let mut path = Vec::new();
            for start in 0..accounts.len() {
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
                            cur = parent_of(c).filter(|&p| p != c);
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
        }
        for i in 0..accounts.len() {
            if on_cycle[i] && alive[i] {
                ck.refuse_account(
                    &accounts[i],
                    "parent_id",
                    "the account is on a parent cycle (following parent_id comes back to it)"
                        .into(),
                    "clear parent_id on one account of the cycle",
                );
                alive[i] = false;
            }
        }

        // Families: root = the topmost alive ancestor reached through alive links. Children of
        // a refused account start a family of their own (with a warning).
        let mut root = vec![usize::MAX; accounts.len()];
        for i in 0..accounts.len() {
            if !alive[i] || root[i] != usize::MAX {
                continue;
            }
            let mut chain = vec![i];
            let mut cur = i;
            let r = loop {
                match parent_of(cur) {
                    Some(p) if alive[p] && p != cur => {
                        if root[p] != usize::MAX {
                            break root[p];
                        }
                        chain.push(p);
                        cur = p;
                    }
                    Some(p) if p != cur && !alive[p] => {
                        if !on_cycle[cur] {
                            ck.warn_account(
                                &accounts[cur],
                                "parent_id",
                                format!("parent {:?} was refused; the account heads a family of its own", accounts[p].id),
                                "",
                            );
                        }
                        break cur;
                    }
                    _ => break cur,
                }
            };
            for c in chain {
                root[c] = r;
            }
        }

        // Group families in order of their first member (by account_id).
        let mut family_of_root: HashMap<usize, usize> = HashMap::default();
        let mut families: Vec<Vec<usize>> = Vec::new();
        for i in 0..accounts.len() {
            if !alive[i] {
                continue;
            }
            let f = *family_of_root.entry(root[i]).or_insert_with(|| {
                families.push(Vec::new());
                families.len() - 1
            });
            families[f].push(i);
        }

        // Family segment and lock; a family whose locks disagree is refused whole.
        let mut fam_seg: Vec<usize> = Vec::with_capacity(families.len());
        let mut fam_lock: Vec<Option<usize>> = Vec::with_capacity(families.len());
        let mut fam_ok = vec![true; families.len()];
        for (f, members) in families.iter().enumerate() {
            let mut lock: Option<usize> = None;
            let mut conflict = false;
            for &m in members {
                if accounts[m].locked
                    && let Some(o) = owner[m]
                    && reps[o].status == RepStatus::Active
                {
                    match lock {
                        None => lock = Some(o),
                        Some(l) if l != o => conflict = true,
                        _ => {}
                    }
                }
            }
            if conflict {
                for &m in members {
                    ck.refuse_account(
                        &accounts[m],
                        "locked",
                        "its account family has accounts locked to different reps".into(),
                        "lock the family's accounts to one rep (a family is always assigned as one unit)",
                    );
                }
                fam_ok[f] = false;
            }
            let mut seg = members
                .iter()
                .filter_map(|&m| own_segment[m])
                .min()
                .unwrap_or(0);
            if let Some(l) = lock
                && let Some(s) = rep_seg[l]
                && s != seg
            {
                seg = s;
            }
            for &m in members {
                if own_segment[m] != Some(seg) && fam_ok[f] {
                    let why = if lock.is_some() && rep_seg[lock.unwrap_or(0)] == Some(seg) {
                        "locked owner's segment"
                    } else {
                        "family's segment"
                    };
                    let note = format!(
                        "segment {} → {} ({why})",
                        own_segment[m].map(|s| seg_names[s].as_str()).unwrap_or("?"),
                        seg_names[seg]
                    );
                    if notes[m].is_empty() {
                        notes[m] = note;
                    } else {
                        notes[m] = format!("{}; {note}", notes[m]);
                    }
                }
            }
            fam_seg.push(seg);
            fam_lock.push(lock);
        }

        // Pairs: each (account, rep) once, both known; then only listed pairs are allowed.
        let mut pair_of: HashMap<(usize, usize), (f64, Option<f64>)> = HashMap::default();
        if let Some((pfile, rows)) = &pairs {
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
                let a = acc_by_id.get(&row.account_id).copied();
                let r = rep_by_id.get(&row.rep_id).copied().filter(|&r| rep_ok[r]);
                match (a, r) {
                    (None, _) => ck.refused.push(refuse(
                        if refused_ids.accounts.contains(&row.account_id) {
                            format!(
                                "account {:?} was refused in the accounts file",
                                row.account_id
                            )
                        } else {
                            format!("account {:?} is not in the accounts file", row.account_id)
                        },
                        "account_id",
                    )),
                    (_, None) => ck.refused.push(refuse(
                        format!(
                            "rep {:?} is not an accepted rep of the reps file",
                            row.rep_id
                        ),
                        "rep_id",
                    )),
                    (Some(a), Some(r)) => {
                        if let Some(first) = pair_of.insert((a, r), (row.cost, row.workload)) {
                            ck.refused.push(refuse(
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
        }
        let with_pairs = pairs.is_some();

        // Eligible reps per family.
        let mut seg_reps: Vec<Vec<usize>> = vec![Vec::new(); seg_names.len()];
        for (i, s) in rep_seg.iter().enumerate() {
            if let Some(s) = s
                && active_owner(i)
            {
                seg_reps[*s].push(i);
            }
        }
        let mut fam_eligible: Vec<Vec<usize>> = Vec::with_capacity(families.len());
        // Region and industry decide eligibility, and a CRM export has few distinct pairs of
        // them: each (segment, region, industry) is matched against the reps once.
        let mut eligible_by_key: HashMap<(usize, &str, &str), Vec<usize>> = HashMap::default();
        for (f, members) in families.iter().enumerate() {
            let el: Vec<usize> = match fam_lock[f] {
                Some(l) if fam_ok[f] => vec![l],
                _ => {
                    let seg = fam_seg[f];
                    let mut el: Option<Vec<usize>> = None;
                    for &m in members {
                        let a = &accounts[m];
                        let list = eligible_by_key
                            .entry((seg, a.region.as_str(), a.industry.as_str()))
                            .or_insert_with(|| {
                                seg_reps[seg]
                                    .iter()
                                    .copied()
                                    .filter(|&r| reps[r].is_eligible(&a.region, &a.industry))
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
            let el = prune_candidates(
                el,
                members,
                &accounts,
                &reps,
                &owner,
                plan.solver.candidates,
                f,
            );
            if el.is_empty() && fam_ok[f] {
                let seg = &seg_names[fam_seg[f]];
                let (msg, hint) = if seg_reps[fam_seg[f]].is_empty() {
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
                fam_ok[f] = false;
            }
            fam_eligible.push(el);
        }
        drop(eligible_by_key);

        // Compact the accepted rows into the problem.
        let mut new_rep = vec![None; reps.len()];
        let mut kept_reps = Vec::new();
        for (i, r) in reps.iter().enumerate() {
            if rep_ok[i] {
                new_rep[i] = Some(RepIdx::from_usize(kept_reps.len()));
                kept_reps.push(r.clone());
            }
        }
        let mut keep_account = vec![false; accounts.len()];
        for (f, members) in families.iter().enumerate() {
            if fam_ok[f] {
                for &m in members {
                    keep_account[m] = true;
                }
            }
        }

        let files_fatal = |msg: &str, hint: &str, file: &str| Issue::file(file, "", msg, hint);
        let mut fatal = Vec::new();
        if plan.strict && !ck.refused.is_empty() {
            fatal.append(&mut ck.refused.clone());
            for i in fatal.iter_mut() {
                i.hint = format!("{} (plan has strict = true)", i.hint);
            }
        }
        if !keep_account.iter().any(|&k| k) {
            fatal.push(files_fatal(
                "no usable account",
                "see the refused rows listed above",
                &files.accounts,
            ));
        }
        if !fatal.is_empty() {
            return Err(fatal);
        }

        let mut new_acc = vec![None; accounts.len()];
        let mut kept_accounts = Vec::new();
        let mut account_owner = Vec::new();
        let mut account_had_owner = Vec::new();
        let mut account_note = Vec::new();
        for (i, a) in accounts.into_iter().enumerate() {
            if keep_account[i] {
                new_acc[i] = Some(AccountIdx::from_usize(kept_accounts.len()));
                account_owner.push(owner[i].and_then(|o| new_rep[o]));
                account_had_owner.push(a.owner_id.is_some());
                account_note.push(std::mem::take(&mut notes[i]));
                kept_accounts.push(a);
            }
        }

        // Segments that hold accounts, in plan order.
        let mut seg_map: Vec<Option<SegIdx>> = vec![None; seg_names.len()];
        let mut segments: Vec<Segment> = Vec::new();
        for (f, _) in families.iter().enumerate() {
            if fam_ok[f] && seg_map[fam_seg[f]].is_none() {
                seg_map[fam_seg[f]] = Some(SegIdx(0));
            }
        }
        for (s, name) in seg_names.iter().enumerate() {
            if seg_map[s].is_some() {
                seg_map[s] = Some(SegIdx::from_usize(segments.len()));
                segments.push(Segment {
                    name: name.clone(),
                    ratio: plan
                        .segments
                        .iter()
                        .find(|r| segment_key(&r.name) == segment_key(name))
                        .and_then(|r| r.ratio),
                    reps: seg_reps[s].iter().filter_map(|&r| new_rep[r]).collect(),
                    units: Vec::new(),
                    total: [0.0; 3],
                });
            }
        }
        let rep_segment: Vec<Option<SegIdx>> = (0..reps.len())
            .filter(|&i| rep_ok[i])
            .map(|i| {
                if active_owner(i) {
                    rep_seg[i].and_then(|s| seg_map[s])
                } else {
                    None
                }
            })
            .collect();

        // Units.
        let mut units = Units {
            member_start: vec![0],
            edge_start: vec![0],
            ..Units::default()
        };
        let mut account_segment = vec![SegIdx(0); kept_accounts.len()];
        let mut account_unit = vec![UnitIdx(0); kept_accounts.len()];
        let mut moved_rep: Vec<u32> = Vec::new();
        for (f, members) in families.iter().enumerate() {
            if !fam_ok[f] {
                continue;
            }
            let u = UnitIdx::from_usize(units.len());
            let seg = seg_map[fam_seg[f]].unwrap_or_default();
            let mut load = [0.0; 3];
            for &m in members {
                let a = new_acc[m].unwrap_or_default();
                units.members.push(a);
                account_segment[a.index()] = seg;
                account_unit[a.index()] = u;
                let acc = &kept_accounts[a.index()];
                load[0] += acc.potential;
                load[1] += acc.workload;
                load[2] += 1.0;
            }
            units.member_start.push(units.members.len() as u32);
            units.segment.push(seg);
            units.load.push(load);
            units.locked_to.push(fam_lock[f].and_then(|l| new_rep[l]));
            let s = &mut segments[seg.index()];
            s.units.push(u);
            for k in 0..3 {
                s.total[k] += load[k];
            }
            for &r in &fam_eligible[f] {
                let rep = new_rep[r].unwrap_or_default();
                units.edge_rep.push(rep);
                let moved = units
                    .members(u)
                    .iter()
                    .filter(|&&a| {
                        account_had_owner[a.index()] && account_owner[a.index()] != Some(rep)
                    })
                    .count() as u32;
                moved_rep.push(moved);
                let (mut pc, mut pw) = (0.0, 0.0);
                for &m in members {
                    let own = kept_accounts[new_acc[m].unwrap_or_default().index()].workload;
                    match pair_of.get(&(m, r)) {
                        Some(&(c, w)) => {
                            pc += c;
                            pw += w.unwrap_or(own);
                        }
                        None => pw += own,
                    }
                }
                if with_pairs {
                    units.edge_pair_cost.push(pc);
                    units.edge_work.push(pw);
                }
            }
            units.edge_start.push(units.edge_rep.len() as u32);
        }
        units.edge_moved = moved_rep;

        // Targets: segment total × fte / Σ fte of the segment's reps.
        let mut rep_target = vec![[0.0; 3]; kept_reps.len()];
        for s in &segments {
            let fte: f64 = s.reps.iter().map(|r| kept_reps[r.index()].fte).sum();
            if fte > 0.0 {
                for r in &s.reps {
                    let share = kept_reps[r.index()].fte / fte;
                    for k in 0..3 {
                        rep_target[r.index()][k] = s.total[k] * share;
                    }
                }
            }
        }

        let pairs_map = with_pairs.then(|| {
            pair_of
                .iter()
                .filter_map(|(&(a, r), &(c, w))| {
                    let (na, nr) = (new_acc[a]?, new_rep[r]?);
                    Some((
                        (na, nr),
                        (c, w.unwrap_or(kept_accounts[na.index()].workload)),
                    ))
                })
                .collect()
        });
        let mut problem = Problem {
            plan,
            accounts: kept_accounts,
            reps: kept_reps,
            segments,
            account_segment,
            account_unit,
            account_owner,
            account_had_owner,
            account_note,
            rep_target,
            rep_segment,
            units,
            balance_weight: [0.0; 3],
            band_is_hard: false,
            pairs: pairs_map,
        };
        problem.set_objective_terms();
        let mut warnings = ck.warnings;
        for s in &problem.segments {
            for m in &problem.plan.balance.metrics {
                if s.total[m.slot()] <= 0.0 {
                    warnings.push(Issue::row(
                        Severity::Warning,
                        &files.accounts,
                        0,
                        m.name(),
                        "",
                        format!(
                            "segment {:?} has no {}: it is not balanced on it",
                            s.name,
                            m.name()
                        ),
                        "",
                    ));
                }
            }
        }
        Ok(Built {
            problem,
            refused: ck.refused,
            warnings,
        })
    }

    /// Compiles the plan's objective into balance weights and per-pair linear costs.
    ///
    /// Call again after changing `plan` (e.g. a command-line override of the objective).
    pub fn set_objective_terms(&mut self) {
        let plan = &self.plan;
        let mut w = [0.0; 3];
        if plan.objective != Objective::Cost {
            for m in &plan.balance.metrics {
                w[m.slot()] = plan.balance.weight(*m);
            }
        }
        // Normalisers per segment, so each segment's objective is scale-free: moved share of
        // the segment's owned accounts (or potential), mean km over its accounts with coordinates.
        let ns = self.segments.len();
        let (mut owned_accounts, mut owned_potential, mut with_coords) =
            (vec![0.0f64; ns], vec![0.0f64; ns], vec![0.0f64; ns]);
        for (i, a) in self.accounts.iter().enumerate() {
            let s = self.account_segment[i].index();
            if self.account_had_owner[i] {
                owned_accounts[s] += 1.0;
                owned_potential[s] += a.potential;
            }
            if a.coords().is_some() {
                with_coords[s] += 1.0;
            }
        }
        let owned_accounts: Vec<f64> = owned_accounts.into_iter().map(|x| x.max(1.0)).collect();
        let owned_potential: Vec<f64> = owned_potential.into_iter().map(|x| x.max(1e-9)).collect();
        let with_coords: Vec<f64> = with_coords.into_iter().map(|x| x.max(1.0)).collect();
        let seg_compact: Vec<f64> = self
            .segments
            .iter()
            .map(|s| {
                let all_homes = s
                    .reps
                    .iter()
                    .all(|r| self.reps[r.index()].coords().is_some());
                if all_homes {
                    plan.compactness_weight(&s.name)
                } else {
                    0.0
                }
            })
            .collect();
        let pair_scale = match plan.objective {
            Objective::Cost => 1.0,
            _ => plan.pairs.weight,
        };
        let (move_scale, compact_scale, balance_scale) = match plan.objective {
            Objective::Redesign => (plan.disruption.weight, 1.0, 1.0),
            Objective::Rebalance => (1.0, 0.01, 0.01),
            Objective::Cost => (0.0, 0.0, 0.0),
        };
        let mut cost = vec![0.0; self.units.edge_rep.len()];
        for u in 0..self.units.len() {
            let uu = UnitIdx::from_usize(u);
            let seg = self.units.segment[u].index();
            for e in self.units.edges(uu) {
                let rep = self.units.edge_rep[e];
                let mut c = 0.0;
                // Disruption.
                let moved_share = if plan.disruption.by_potential {
                    self.units
                        .members(uu)
                        .iter()
                        .filter(|a| {
                            self.account_had_owner[a.index()]
                                && self.account_owner[a.index()] != Some(rep)
                        })
                        .map(|a| self.accounts[a.index()].potential)
                        .sum::<f64>()
                        / owned_potential[seg]
                } else {
                    self.units.edge_moved[e] as f64 / owned_accounts[seg]
                };
                c += match plan.objective {
                    Objective::Rebalance => moved_share * owned_accounts[seg],
                    _ => move_scale * moved_share,
                };
                // Compactness: mean km over accounts with coordinates, per 100 km.
                if seg_compact[seg] > 0.0
                    && let Some(home) = self.reps[rep.index()].coords()
                {
                    let km: f64 = self
                        .units
                        .members(uu)
                        .iter()
                        .filter_map(|a| self.accounts[a.index()].coords())
                        .map(|p| haversine_km(home, p))
                        .sum();
                    c += compact_scale * seg_compact[seg] * km / with_coords[seg] / 100.0;
                }
                cost[e] = c + pair_scale * self.units.pair_cost(e);
            }
        }
        self.units.edge_cost = cost;
        self.balance_weight = w.map(|x| x * balance_scale);
        self.band_is_hard = plan.objective == Objective::Rebalance;
    }

    /// The metrics the plan balances.
    pub fn balanced_metrics(&self) -> impl Iterator<Item = Metric> + '_ {
        Metric::ALL.into_iter().filter(|m| {
            self.balance_weight[m.slot()] > 0.0
                || (self.band_is_hard && self.plan.balance.metrics.contains(m))
        })
    }

    /// Today's owner of each account where that owner may hold accounts (an active owner-role
    /// rep); `None` for white space and for owners who are leaving.
    pub fn current_owners(&self) -> Vec<Option<RepIdx>> {
        self.account_owner
            .iter()
            .map(|o| o.filter(|r| self.rep_segment[r.index()].is_some()))
            .collect()
    }

    /// Looks up an accepted rep by id.
    pub fn rep_index(&self) -> BTreeMap<&str, RepIdx> {
        self.reps
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), RepIdx::from_usize(i)))
            .collect()
    }
}
