//! The validated, indexed [`Problem`]: what the engines see.
//!
//! [`Problem::build`] takes the rows as read and runs the build phases, one a module:
//! [`rows`] (canonical order, unique ids, segments, owners, locks, parents), [`families`]
//! (cycles, families, each family's segment and lock), [`eligibility`] (pairs.csv, and who
//! may cover each family, as shared classes rather than family × rep lists), then the
//! compaction here (accepted rows, segments, units, targets) and [`price`] (what a unit
//! costs on a rep under the plan's objective). The plan's rules come as
//! [`crate::constraint::Constraint`]s. Once a `Problem` exists it is valid.

mod eligibility;
mod families;
mod pins;
pub mod price;
mod rows;

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::constraint::Constraint;
use crate::ids::{AccountIdx, RepIdx, SegIdx, UnitIdx};
use crate::io::PairRow;
use crate::issue::{Issue, Severity};
use crate::plan::{Metric, Plan, segment_key};
use crate::rows::{Account, Rep};
pub use price::{CostTerms, Price};

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

/// Units (account families, assigned as one piece) in struct-of-arrays form.
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
    /// Eligibility class of each unit (see [`Classes`]).
    pub class: Vec<u32>,
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
}

/// Eligibility classes: units with the same eligible reps share one sorted rep list, so a
/// segment where any rep may take any unit stores its reps once, not once per unit.
#[derive(Clone, Debug, Default)]
pub struct Classes {
    /// `rep[start[c]..start[c + 1]]` are the eligible reps of class `c`, sorted.
    pub start: Vec<u32>,
    /// Reps of all classes, class after class.
    pub rep: Vec<RepIdx>,
}

impl Classes {
    /// Eligible reps of class `c`, sorted.
    pub fn reps(&self, c: u32) -> &[RepIdx] {
        let c = c as usize;
        &self.rep[self.start[c] as usize..self.start[c + 1] as usize]
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// Whether there is no class.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
    /// Units.
    pub units: Units,
    /// Who may cover each unit.
    pub classes: Classes,
    /// The rules the plan states over these rows; every objective keeps them all.
    pub constraints: Vec<Constraint>,
    /// Per-segment coefficients of the objective's linear terms (see [`price`]).
    pub costs: CostTerms,
    /// Objective weight of each metric's max deviation ([`Metric::slot`] order; 0 = not balanced).
    pub balance_weight: [f64; 3],
    /// Whether the balance band is a hard constraint (`[balance] hard`, every objective).
    pub band_is_hard: bool,
    /// pairs.csv by (account, rep): cost and workload; `None` when no pairs file was given.
    pub pairs: Option<HashMap<(AccountIdx, RepIdx), (f64, f64)>>,
    /// Accounts whose tier a trigger or the rules changed, or the hysteresis kept, in
    /// account order.
    pub tier_changes: Vec<(AccountIdx, crate::tiers::TierChange)>,
    /// Per unit: the rep a previous proposal gave it (`--previous`), when all its accounts
    /// had that rep and it may go there; empty without a proposal. Ties break toward it.
    pub unit_proposal: Vec<Option<RepIdx>>,
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
        Problem::build_pinned(accounts, reps, pairs, plan, files, refused_ids, &[])
    }

    /// As [`Problem::build_after_reading`], with accounts pinned to reps (planner
    /// decisions, scope): each pin locks its account's family to its rep. A pin that cannot
    /// hold is a fatal issue naming its file, row and column.
    pub fn build_pinned(
        accounts: Vec<Account>,
        reps: Vec<Rep>,
        pairs: Option<(&str, Vec<PairRow>)>,
        plan: Plan,
        files: &FileNames,
        refused_ids: &RefusedIds,
        pins: &[crate::decisions::Pin],
    ) -> Result<Built, Vec<Issue>> {
        let mut d = rows::Draft::new(accounts, reps, &plan, files);
        d.unique_ids();
        d.segments();
        d.owners_locks_parents(refused_ids);
        families::refuse_cycles(&mut d);
        let mut fam = families::families(&mut d);
        let pair_of = eligibility::read_pairs(&mut d, &pairs, refused_ids);
        let with_pairs = pairs.is_some();
        let pin_problems = pins::apply(&d, &mut fam, pins, &pair_of, with_pairs);
        if !pin_problems.is_empty() {
            return Err(pin_problems);
        }
        let classes = eligibility::classes(&mut d, &mut fam, &pair_of, with_pairs);

        let mut fatal = Vec::new();
        if plan.strict && !d.ck.refused.is_empty() {
            fatal.append(&mut d.ck.refused.clone());
            for i in fatal.iter_mut() {
                i.hint = format!("{} (plan has strict = true)", i.hint);
            }
        }
        if !fam.ok.iter().any(|&k| k) {
            fatal.push(Issue::file(
                &files.accounts,
                "",
                "no usable account",
                "see the refused rows listed above",
            ));
        }
        if !fatal.is_empty() {
            return Err(fatal);
        }
        let rows::Draft {
            accounts,
            reps,
            ck,
            rep_ok,
            seg_names,
            rep_seg,
            owner,
            notes,
            tier_changes,
            ..
        } = d;
        let (refused, mut warnings) = (ck.refused, ck.warnings);
        let accepted = Accepted {
            accounts,
            reps,
            rep_ok,
            seg_names,
            rep_seg,
            owner,
            notes,
            tier_changes,
        };
        let problem = accepted.compact(plan, &fam, &classes, pair_of, with_pairs);
        problem.warn_about(&mut warnings, files);
        Ok(Built {
            problem,
            refused,
            warnings,
        })
    }

    /// Warnings about the built problem: metrics a segment cannot be balanced on, reps
    /// without a home where the objective measures distance.
    fn warn_about(&self, warnings: &mut Vec<Issue>, files: &FileNames) {
        for s in &self.segments {
            for m in &self.plan.balance.metrics {
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
        let distance = self.plan.objective == crate::plan::Objective::Travel
            || self.plan.compactness.max_km.is_some();
        if distance {
            for (i, r) in self.reps.iter().enumerate() {
                if self.rep_segment[i].is_some() && r.coords().is_none() {
                    warnings.push(Issue::row(
                        Severity::Warning,
                        &files.reps,
                        r.line,
                        "lat",
                        &r.id,
                        "the rep has no home coordinates: distances to it are not measured (they count as 0 km and the travel cap does not apply)".to_string(),
                        "fill in lat and lon",
                    ));
                }
            }
        }
    }

    /// Breaks ties toward a previous proposal (`rep_of`: account_id → rep_id): a unit whose
    /// accounts the proposal gave one rep it may still go to prefers that rep, by less than
    /// half a move over a whole segment ([`price::OFF_PROPOSAL`]).
    pub fn set_proposal(&mut self, rep_of: &dyn Fn(&str) -> Option<String>) {
        let by_id: HashMap<&str, RepIdx> = self
            .reps
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), RepIdx::from_usize(i)))
            .collect();
        let mut proposal = Vec::with_capacity(self.units.len());
        for u in 0..self.units.len() {
            let u = UnitIdx::from_usize(u);
            let mut reps = self.units.members(u).iter().map(|a| {
                rep_of(&self.accounts[a.index()].id).and_then(|id| by_id.get(id.as_str()).copied())
            });
            let first = reps.next().flatten();
            let same = first.is_some() && reps.all(|r| r == first);
            proposal.push(first.filter(|&r| same && self.allowed(u, r)));
        }
        self.unit_proposal = proposal;
        self.set_objective_terms();
    }

    /// Compiles the plan's objective into balance weights and per-segment cost coefficients.
    ///
    /// Call again after changing `plan` (e.g. a command-line override of the objective).
    pub fn set_objective_terms(&mut self) {
        let (costs, balance) = CostTerms::of(self);
        self.costs = costs;
        self.balance_weight = balance;
        self.band_is_hard = self.plan.balance.hard;
        self.constraints = Constraint::stated(&self.plan, &self.accounts, &self.reps);
    }

    /// Eligible reps of unit `u` (its lock's rep when locked), sorted.
    pub fn eligible(&self, u: UnitIdx) -> &[RepIdx] {
        self.classes.reps(self.units.class[u.index()])
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

/// The accepted rows after validation, ready to be indexed.
struct Accepted {
    accounts: Vec<Account>,
    reps: Vec<Rep>,
    rep_ok: Vec<bool>,
    seg_names: Vec<String>,
    rep_seg: Vec<Option<usize>>,
    owner: Vec<Option<usize>>,
    notes: Vec<String>,
    tier_changes: Vec<(usize, crate::tiers::TierChange)>,
}

impl Accepted {
    /// Compacts the accepted rows into the problem: reps and accounts renumbered, segments
    /// that hold accounts (plan order), one unit per accepted family, targets, pairs.
    fn compact(
        self,
        plan: Plan,
        fam: &families::Families,
        classes: &eligibility::Classes,
        pair_of: eligibility::PairMap,
        with_pairs: bool,
    ) -> Problem {
        let Accepted {
            accounts,
            reps,
            rep_ok,
            seg_names,
            rep_seg,
            owner,
            mut notes,
            tier_changes,
        } = self;
        let active_owner =
            |i: usize| rep_ok[i] && reps[i].status.holds_book() && reps[i].is_owner_role();
        let mut new_rep = vec![None; reps.len()];
        let mut kept_reps = Vec::new();
        for (i, r) in reps.iter().enumerate() {
            if rep_ok[i] {
                new_rep[i] = Some(RepIdx::from_usize(kept_reps.len()));
                kept_reps.push(r.clone());
            }
        }
        let mut keep_account = vec![false; accounts.len()];
        for (f, members) in fam.members.iter().enumerate() {
            if fam.ok[f] {
                for &m in members {
                    keep_account[m] = true;
                }
            }
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

        // Segments that hold accounts, in plan order; their active owner-role reps.
        let mut seg_map: Vec<Option<SegIdx>> = vec![None; seg_names.len()];
        for (f, _) in fam.members.iter().enumerate() {
            if fam.ok[f] {
                seg_map[fam.segment[f]] = Some(SegIdx(0));
            }
        }
        let mut segments: Vec<Segment> = Vec::new();
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
                    reps: (0..reps.len())
                        .filter(|&i| rep_seg[i] == Some(s) && active_owner(i))
                        .filter_map(|i| new_rep[i])
                        .collect(),
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

        // Classes, renumbered to the accepted reps; then units.
        let mut cls = Classes {
            start: vec![0],
            rep: Vec::new(),
        };
        for list in &classes.reps {
            cls.rep.extend(list.iter().filter_map(|&r| new_rep[r]));
            cls.start.push(cls.rep.len() as u32);
        }
        let mut units = Units {
            member_start: vec![0],
            ..Units::default()
        };
        let mut account_segment = vec![SegIdx(0); kept_accounts.len()];
        let mut account_unit = vec![UnitIdx(0); kept_accounts.len()];
        for (f, members) in fam.members.iter().enumerate() {
            if !fam.ok[f] {
                continue;
            }
            let u = UnitIdx::from_usize(units.len());
            let seg = seg_map[fam.segment[f]].unwrap_or_default();
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
            units.locked_to.push(fam.lock[f].and_then(|l| new_rep[l]));
            units.class.push(classes.of_family[f]);
            let s = &mut segments[seg.index()];
            s.units.push(u);
            for k in 0..3 {
                s.total[k] += load[k];
            }
        }

        // Targets: segment total × fte / Σ fte of the segment's reps. A rep on leave keeps
        // their book (every unit of it is locked to them): it is their target, and the others
        // share the rest.
        let mut rep_target = vec![[0.0; 3]; kept_reps.len()];
        for (u, lock) in units.locked_to.iter().enumerate() {
            if let Some(r) = lock.filter(|r| !kept_reps[r.index()].takes_new()) {
                for k in 0..3 {
                    rep_target[r.index()][k] += units.load[u][k];
                }
            }
        }
        for s in &segments {
            let takes = |r: &&RepIdx| kept_reps[r.index()].takes_new();
            let fte: f64 = s
                .reps
                .iter()
                .filter(takes)
                .map(|r| kept_reps[r.index()].fte)
                .sum();
            let mut rest = s.total;
            for r in s.reps.iter().filter(|r| !takes(r)) {
                for k in 0..3 {
                    rest[k] -= rep_target[r.index()][k];
                }
            }
            if fte > 0.0 {
                for r in s.reps.iter().filter(takes) {
                    let share = kept_reps[r.index()].fte / fte;
                    for k in 0..3 {
                        rep_target[r.index()][k] = rest[k].max(0.0) * share;
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
            classes: cls,
            constraints: Vec::new(),
            costs: CostTerms::default(),
            balance_weight: [0.0; 3],
            band_is_hard: false,
            pairs: pairs_map,
            tier_changes: tier_changes
                .into_iter()
                .filter_map(|(i, c)| Some((new_acc[i]?, c)))
                .collect(),
            unit_proposal: Vec::new(),
        };
        problem.set_objective_terms();
        problem
    }
}
