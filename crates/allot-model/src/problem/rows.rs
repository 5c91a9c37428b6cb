//! The first build phases: rows in canonical order, unique ids, each account's own
//! segment, reps' segments, owners, parents and locks. Each phase refuses the rows it
//! cannot use (a row is refused once, for its first problem) and warns about corrections.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{FileNames, RefusedIds};
use crate::issue::{Issue, Severity};
use crate::plan::{Plan, UnknownOwner, segment_key};
use crate::rows::{Account, Rep, RepStatus};

/// Refusals and warnings collected by the phases.
pub(super) struct Checks<'a> {
    pub files: &'a FileNames,
    pub refused: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl Checks<'_> {
    pub fn refuse_account(&mut self, a: &Account, column: &str, message: String, hint: &str) {
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

    pub fn warn_account(&mut self, a: &Account, column: &str, message: String, hint: &str) {
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

    pub fn refuse_rep(&mut self, r: &Rep, column: &str, message: String, hint: &str) {
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

/// The rows under validation, indexed by their position in canonical (id) order.
pub(super) struct Draft<'a> {
    pub plan: &'a Plan,
    pub accounts: Vec<Account>,
    pub reps: Vec<Rep>,
    pub ck: Checks<'a>,
    /// Position of each rep id (the first row with the id).
    pub rep_by_id: HashMap<String, usize>,
    /// Whether each rep row is accepted.
    pub rep_ok: Vec<bool>,
    /// Position of each account id (the first row with the id).
    pub acc_by_id: HashMap<String, usize>,
    /// Whether each account row is still accepted.
    pub alive: Vec<bool>,
    /// Segment names: the plan's, then names only the data gives.
    pub seg_names: Vec<String>,
    /// Each account's own segment (before families and locks).
    pub own_segment: Vec<Option<usize>>,
    /// Each rep's segment.
    pub rep_seg: Vec<Option<usize>>,
    /// Each account's owner on the roster.
    pub owner: Vec<Option<usize>>,
    /// What was corrected on each account.
    pub notes: Vec<String>,
    /// Rep ids refused here or while reading.
    pub refused_rep_ids: HashSet<String>,
    /// Accounts whose tier a trigger or the rules changed (or the hysteresis kept).
    pub tier_changes: Vec<(usize, crate::tiers::TierChange)>,
}

impl<'a> Draft<'a> {
    /// Puts the rows in canonical order: the same rows in any order give the same problem,
    /// hence the same assignment (a stable sort keeps duplicate ids in file order: the
    /// first one counts).
    pub fn new(
        mut accounts: Vec<Account>,
        mut reps: Vec<Rep>,
        plan: &'a Plan,
        files: &'a FileNames,
    ) -> Draft<'a> {
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        reps.sort_by(|a, b| a.id.cmp(&b.id));
        let (na, nr) = (accounts.len(), reps.len());
        Draft {
            plan,
            accounts,
            reps,
            ck: Checks {
                files,
                refused: Vec::new(),
                warnings: Vec::new(),
            },
            rep_by_id: HashMap::default(),
            rep_ok: vec![true; nr],
            acc_by_id: HashMap::with_capacity_and_hasher(na, Default::default()),
            alive: vec![true; na],
            seg_names: Vec::new(),
            own_segment: vec![None; na],
            rep_seg: vec![None; nr],
            owner: vec![None; na],
            notes: vec![String::new(); na],
            refused_rep_ids: HashSet::default(),
            tier_changes: Vec::new(),
        }
    }

    /// Whether rep `i` holds a book: accepted, not leaving and of an owner role (a rep on
    /// leave keeps theirs but takes no new account, see [`Draft::takes_new`]).
    pub fn active_owner(&self, i: usize) -> bool {
        self.rep_ok[i] && self.reps[i].status.holds_book() && self.reps[i].is_owner_role()
    }

    /// Whether rep `i` may take accounts it does not hold (holds a book, not on leave).
    pub fn takes_new(&self, i: usize) -> bool {
        self.active_owner(i) && self.reps[i].takes_new()
    }

    /// Refuses repeated rep and account ids (the first row counts).
    pub fn unique_ids(&mut self) {
        let (by_id, repeats) = first_rows(&self.reps, |r| &r.id);
        self.rep_by_id = by_id;
        for (i, first) in repeats {
            let r = &self.reps[i];
            self.ck.refuse_rep(
                r,
                "rep_id",
                format!(
                    "duplicate rep_id {:?} (first at row {})",
                    r.id, self.reps[first].line
                ),
                "give each rep one row",
            );
            self.rep_ok[i] = false;
        }
        let (by_id, repeats) = first_rows(&self.accounts, |a| &a.id);
        self.acc_by_id = by_id;
        for (i, first) in repeats {
            let a = &self.accounts[i];
            self.ck.refuse_account(
                a,
                "account_id",
                format!(
                    "duplicate account_id {:?} (first at row {})",
                    a.id, self.accounts[first].line
                ),
                "remove the repeated row",
            );
            self.alive[i] = false;
        }
    }

    /// Each account's own segment (its cell, else the first matching rule), then each rep's:
    /// a rep's segment must hold accounts (supporting roles may cover any plan segment).
    pub fn segments(&mut self) {
        let plan = self.plan;
        self.seg_names = plan.segments.iter().map(|s| s.name.clone()).collect();
        let mut seg_by_key: HashMap<String, usize> = self
            .seg_names
            .iter()
            .enumerate()
            .map(|(i, n)| (segment_key(n), i))
            .collect();
        for (i, a) in self.accounts.iter().enumerate() {
            if !self.alive[i] {
                continue;
            }
            if let Some(prev) = a.previous_segment.as_deref()
                && !plan.has_segment(prev)
            {
                self.ck.warn_account(
                    a,
                    "previous_segment",
                    format!(
                        "{prev:?} is not a segment of the plan: the segment rules decide the tier"
                    ),
                    "name the plan's segments in previous_segment, or leave it empty",
                );
            }
            let resolved = crate::tiers::resolve(plan, a);
            self.own_segment[i] = match resolved.segment {
                Some(name) => {
                    let key = segment_key(&name);
                    let next = self.seg_names.len();
                    let s = *seg_by_key.entry(key).or_insert(next);
                    if s == next {
                        self.seg_names.push(name);
                    }
                    Some(s)
                }
                None => {
                    self.ck.refuse_account(
                        a,
                        "segment",
                        "no segment rule matches: the account has no employees or potential that any rule accepts".into(),
                        "fill in employees or potential, or end the plan's [[segments]] with a rule that has no condition",
                    );
                    self.alive[i] = false;
                    None
                }
            };
            if let Some(c) = resolved.change {
                self.tier_changes.push((i, c));
            }
        }
        let mut seg_has_accounts = vec![false; self.seg_names.len()];
        for (i, s) in self.own_segment.iter().enumerate() {
            if let (true, Some(s)) = (self.alive[i], s) {
                seg_has_accounts[*s] = true;
            }
        }
        for (i, r) in self.reps.iter().enumerate() {
            if !self.rep_ok[i] {
                continue;
            }
            match seg_by_key.get(&segment_key(&r.segment)) {
                Some(&s) if seg_has_accounts[s] || !r.is_owner_role() => self.rep_seg[i] = Some(s),
                _ => {
                    let with: Vec<&str> = self
                        .seg_names
                        .iter()
                        .enumerate()
                        .filter(|(s, _)| seg_has_accounts[*s])
                        .map(|(_, n)| n.as_str())
                        .collect();
                    self.ck.refuse_rep(
                        r,
                        "segment",
                        format!("no account is in segment {:?}", r.segment),
                        &format!("segments with accounts: {}", with.join(", ")),
                    );
                    self.rep_ok[i] = false;
                }
            }
        }
    }

    /// Owners (on the roster, refused, or unknown), locks (released when the owner cannot
    /// keep the account) and parents (known, not the account itself).
    pub fn owners_locks_parents(&mut self, refused_ids: &RefusedIds) {
        let plan = self.plan;
        self.refused_rep_ids = self
            .reps
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.rep_ok[*i])
            .map(|(_, r)| r.id.clone())
            .chain(refused_ids.reps.iter().cloned())
            .collect();
        for i in 0..self.accounts.len() {
            if !self.alive[i] {
                continue;
            }
            let a = &self.accounts[i];
            if let Some(o) = &a.owner_id {
                match self.rep_by_id.get(o) {
                    Some(&r) if self.rep_ok[r] => self.owner[i] = Some(r),
                    _ if self.refused_rep_ids.contains(o.as_str()) => {
                        self.ck.warn_account(
                            a,
                            "owner_id",
                            format!("owner {o:?} was refused in the reps file; the account gets a new owner"),
                            "fix the rep's row to keep the account with them",
                        );
                        self.notes[i] = format!("previous owner {o} refused in reps file");
                    }
                    _ if plan.validation.unknown_owner == UnknownOwner::Reassign => {
                        self.ck.warn_account(
                            a,
                            "owner_id",
                            format!(
                                "owner {o:?} is not on the roster; the account gets a new owner"
                            ),
                            "",
                        );
                        self.notes[i] = format!("previous owner {o} not on roster");
                    }
                    _ => {
                        self.ck.refuse_account(
                            a,
                            "owner_id",
                            format!("owner {o:?} is not a rep_id in the reps file"),
                            "add the rep to reps.csv, clear owner_id to treat the account as white space, or set [validation] unknown_owner = \"reassign\"",
                        );
                        self.alive[i] = false;
                    }
                }
            }
            if a.locked && self.alive[i] {
                self.lock(i);
            }
            // A row is refused once, for its first problem.
            let a = &self.accounts[i];
            if let Some(p) = a.parent_id.as_ref().filter(|_| self.alive[i]) {
                if *p == a.id {
                    self.ck.refuse_account(
                        a,
                        "parent_id",
                        "the account is its own parent".into(),
                        "clear parent_id or point it to the real parent",
                    );
                    self.alive[i] = false;
                } else if !self.acc_by_id.contains_key(p) && refused_ids.accounts.contains(p) {
                    self.ck.warn_account(
                        a,
                        "parent_id",
                        format!("parent {p:?} was refused; the account heads a family of its own"),
                        "",
                    );
                } else if !self.acc_by_id.contains_key(p) {
                    self.ck.refuse_account(
                        a,
                        "parent_id",
                        format!("parent {p:?} is not an account_id in the file"),
                        "add the parent account to the export, or clear parent_id",
                    );
                    self.alive[i] = false;
                }
            }
        }
    }

    /// A locked account keeps its lock only with an active account-owning owner.
    fn lock(&mut self, i: usize) {
        let a = &self.accounts[i];
        match self.owner[i] {
            None if a
                .owner_id
                .as_deref()
                .is_some_and(|o| self.refused_rep_ids.contains(o)) =>
            {
                let o = a.owner_id.as_deref().unwrap_or_default();
                self.ck.warn_account(
                    a,
                    "locked",
                    format!("locked to {o:?}, whose row in the reps file was refused: the lock is released"),
                    "fix the rep's row to keep the lock",
                );
                self.notes[i].push_str("; lock released");
            }
            None => {
                self.ck.refuse_account(
                    a,
                    "locked",
                    "locked, but owned by no rep on the roster".into(),
                    "set owner_id to the rep it is locked to, or set locked to false",
                );
                self.alive[i] = false;
            }
            Some(r) if self.reps[r].status == RepStatus::Leaving => {
                self.ck.warn_account(
                    a,
                    "locked",
                    format!(
                        "locked to {:?}, who is leaving: the lock is released",
                        self.reps[r].id
                    ),
                    "",
                );
                self.notes[i] = format!("lock released: {} is leaving", self.reps[r].id);
            }
            Some(r) if !self.reps[r].is_owner_role() => {
                self.ck.refuse_account(
                    a,
                    "locked",
                    format!(
                        "locked to {:?}, whose role {:?} does not own accounts",
                        self.reps[r].id, self.reps[r].role
                    ),
                    "lock the account to its account executive",
                );
                self.alive[i] = false;
            }
            Some(_) => {}
        }
    }

    /// The parent of account `i` among the rows, if any.
    pub fn parent_of(&self, i: usize) -> Option<usize> {
        self.accounts[i]
            .parent_id
            .as_ref()
            .and_then(|p| self.acc_by_id.get(p).copied())
    }
}

/// The position of the first row of each id, and each later row with an id seen before
/// (its position, the first's).
fn first_rows<T>(
    rows: &[T],
    id: impl Fn(&T) -> &String,
) -> (HashMap<String, usize>, Vec<(usize, usize)>) {
    let mut by_id: HashMap<String, usize> =
        HashMap::with_capacity_and_hasher(rows.len(), Default::default());
    let mut repeats = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match by_id.get(id(row)) {
            Some(&first) => repeats.push((i, first)),
            None => {
                by_id.insert(id(row).clone(), i);
            }
        }
    }
    (by_id, repeats)
}
