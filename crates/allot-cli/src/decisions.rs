//! The review loop on the command line: `--decisions` (accept → the proposed rep, reject →
//! today's owner, pin → the named rep), `--previous` (the proposal: ties break toward it,
//! and the run lists what changed against it) and `--scope` (everything outside keeps its
//! previous rep; reps outside take nothing and are not held to the band). All become pins,
//! checked on the result and reported: decisions_applied.csv, changes_vs_previous.csv and
//! the counts in summary.json and report.md.

use std::collections::{BTreeMap, HashMap};

use allot_model::decisions::{Decision, Pin, PinWhy};
use allot_model::io::{self, DecisionRow};
use allot_model::plan::segment_key;
use allot_model::{Account, Issue, Plan, Problem, ReasonCode, Rep, RepIdx, Severity};
use serde::Serialize;

use crate::args::InputArgs;
use crate::failure::Failure;
use crate::load::{InputFile, sha256_file};
use crate::report::csv_out::{finish, writer};
use crate::report::{remove_stale, safe_cell, write_atomic};

/// A previous run's proposal: account_id → rep_id.
#[derive(Clone, Debug)]
pub struct Previous {
    /// The file as given.
    pub file: String,
    /// The rep it proposed for each account.
    pub rep_of: BTreeMap<String, String>,
    /// The proposal's reason code of each account, where it gave one allot knows.
    pub code_of: BTreeMap<String, ReasonCode>,
}

/// The decisions of a run, with the pin each became (same order).
#[derive(Clone, Debug)]
pub struct Decisions {
    /// The file as given.
    pub file: String,
    /// Rows as read.
    pub rows: Vec<DecisionRow>,
    /// The pin of each row.
    pub pins: Vec<Pin>,
}

/// What `--scope` kept out of the run.
#[derive(Clone, Debug, Serialize)]
pub struct Scope {
    /// The scope as given (`region=West`).
    pub scope: String,
    /// Accounts re-planned.
    pub accounts_in_scope: usize,
    /// Accounts kept with their previous rep.
    pub accounts_kept: usize,
    /// Accounts outside the scope re-planned anyway: no previous rep on the roster to keep.
    pub accounts_without_previous_rep: usize,
    /// Reps that may take accounts.
    pub reps_in_scope: usize,
    /// Reps whose book stays as it was.
    pub reps_kept: usize,
}

/// What `--decisions`, `--previous` and `--scope` bring to a run.
#[derive(Clone, Debug, Default)]
pub struct Review {
    /// The previous proposal, when given.
    pub previous: Option<Previous>,
    /// The decisions, when given.
    pub decisions: Option<Decisions>,
    /// The scope, when given.
    pub scope: Option<Scope>,
    /// Every pin: the decisions', then the scope's.
    pub all_pins: Vec<Pin>,
    /// Decision rows that cannot be read or resolved (fatal): they fail the run together with
    /// the problems the model finds in the rows that did resolve, so that one run lists
    /// every bad row.
    pub refused: Vec<Issue>,
}

impl Review {
    /// The pins the search must keep (decisions and scope).
    pub fn pins(&self) -> &[Pin] {
        &self.all_pins
    }
}

/// Counts for summary.json and report.md.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DecisionCounts {
    /// Accepted moves kept.
    pub accept: usize,
    /// Rejected moves: the account kept today's owner.
    pub reject: usize,
    /// Pins honoured.
    pub pin: usize,
    /// Decisions the result does not honour (always 0 for a feasible run: it is checked).
    pub not_honoured: usize,
    /// Accounts whose rep differs from the previous proposal (`--previous`).
    pub changed_vs_previous: Option<usize>,
    /// Of those, accounts no decision named (what else changed because of them).
    pub changed_without_decision: Option<usize>,
    /// What `--scope` kept out of the run.
    pub scope: Option<Scope>,
}

/// Reads `--previous`, `--decisions` and `--scope` and resolves them to pins (and marks the
/// reps outside the scope `frozen`); every decision row that cannot be read or resolved is
/// kept in [`Review::refused`], and fails the run (exit 1, naming file, row and column) once
/// the model has checked the rest.
pub fn read(
    input: &InputArgs,
    accounts: &[Account],
    reps: &mut [Rep],
    plan: &Plan,
) -> Result<(Review, Vec<InputFile>), Failure> {
    let mut review = Review::default();
    let mut files = Vec::new();
    if let Some(path) = &input.previous {
        let file = path.display().to_string();
        let read = io::read_previous(path, &file).map_err(|e| Failure::issues(&e))?;
        if !read.refused.is_empty() {
            return Err(Failure::issues(&read.refused));
        }
        files.push(InputFile {
            path: file.clone(),
            sha256: sha256_file(path),
            rows: read.rows.len(),
        });
        let mut rep_of = BTreeMap::new();
        let mut code_of = BTreeMap::new();
        let mut twice = Vec::new();
        for r in read.rows {
            if let Some(c) = ReasonCode::parse(&r.reason_code) {
                code_of.entry(r.account_id.clone()).or_insert(c);
            }
            match rep_of.entry(r.account_id) {
                std::collections::btree_map::Entry::Occupied(e) => twice.push(Issue::row(
                    Severity::Fatal,
                    &file,
                    r.line,
                    "account_id",
                    e.key(),
                    "the account appears twice in the previous assignment",
                    "give each account once (a run's assignments.csv does)",
                )),
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(r.rep_id);
                }
            }
        }
        if !twice.is_empty() {
            return Err(Failure::issues(&twice));
        }
        review.previous = Some(Previous {
            file,
            rep_of,
            code_of,
        });
    }
    if let Some(path) = &input.decisions {
        let file = path.display().to_string();
        let read = io::read_decisions(path, &file).map_err(|e| Failure::issues(&e))?;
        files.push(InputFile {
            path: file.clone(),
            sha256: sha256_file(path),
            rows: read.rows.len(),
        });
        let owner: HashMap<&str, Option<&str>> = accounts
            .iter()
            .map(|a| (a.id.as_str(), a.owner_id.as_deref()))
            .collect();
        let mut pins = Vec::with_capacity(read.rows.len());
        // Rows that cannot be read fail the run with those that cannot be resolved.
        let mut problems: Vec<Issue> = read
            .refused
            .iter()
            .cloned()
            .map(|mut i| {
                i.severity = Severity::Fatal;
                i
            })
            .collect();
        for row in &read.rows {
            let refuse = |column: &str, message: String, hint: &str| {
                Issue::row(
                    Severity::Fatal,
                    &file,
                    row.line,
                    column,
                    &row.account_id,
                    message,
                    hint,
                )
            };
            let (rep, column) = match row.decision {
                Decision::Pin => (Some(row.rep_id.clone()), "rep_id"),
                Decision::Reject => match owner.get(row.account_id.as_str()) {
                    None => {
                        problems.push(refuse(
                            "account_id",
                            format!(
                                "{:?} is not an account_id in the accounts file",
                                row.account_id
                            ),
                            "check the id against the accounts file (ids are matched exactly)",
                        ));
                        (None, "")
                    }
                    Some(None) => {
                        problems.push(refuse(
                            "decision",
                            "reject keeps today's owner, but the account has none (owner_id is empty)".into(),
                            "pin it to a rep instead",
                        ));
                        (None, "")
                    }
                    Some(Some(o)) => (Some((*o).to_string()), "decision"),
                },
                Decision::Accept => match &review.previous {
                    None => {
                        problems.push(refuse(
                            "decision",
                            "accept keeps the proposed rep, but no proposal was given".into(),
                            "give the proposal's assignments.csv with --previous",
                        ));
                        (None, "")
                    }
                    Some(prev) => match prev.rep_of.get(&row.account_id) {
                        None => {
                            problems.push(refuse(
                                "account_id",
                                format!(
                                    "{:?} is not in the proposal {}",
                                    row.account_id, prev.file
                                ),
                                "check the id, or pin the account to a rep",
                            ));
                            (None, "")
                        }
                        Some(r) => (Some(r.clone()), "decision"),
                    },
                },
            };
            if let Some(rep_id) = rep {
                pins.push(Pin {
                    account_id: row.account_id.clone(),
                    rep_id,
                    why: PinWhy::Decision(row.decision),
                    file: file.clone(),
                    line: row.line,
                    column,
                });
            }
        }
        problems.sort_by_key(|i| i.line);
        review.refused = problems;
        review.all_pins = pins.clone();
        review.decisions = Some(Decisions {
            file,
            rows: read.rows,
            pins,
        });
    }
    if let Some(text) = &input.scope {
        let (pins, scope) = scope(text, accounts, reps, plan, &review)?;
        review.all_pins.extend(pins);
        review.scope = Some(scope);
    }
    Ok((review, files))
}

/// Pins every account outside `--scope` to its previous rep and freezes the reps outside.
fn scope(
    text: &str,
    accounts: &[Account],
    reps: &mut [Rep],
    plan: &Plan,
    review: &Review,
) -> Result<(Vec<Pin>, Scope), Failure> {
    const KEYS: &str = "region=, segment=, rep=, manager=, district= or sales_region=";
    let Some((key, values)) = text.split_once('=') else {
        return Err(Failure::input(format!(
            "--scope {text:?}: write KEY=VALUE, with KEY one of {KEYS} (e.g. --scope region=West)"
        )));
    };
    let key = key.trim().to_ascii_lowercase();
    let values: Vec<String> = values
        .split(',')
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Err(Failure::input(format!(
            "--scope {text:?}: no value after '='"
        )));
    }
    let is_in = |v: &str| values.iter().any(|x| *x == v.trim().to_lowercase());
    let previous = |a: &Account| -> Option<String> {
        match &review.previous {
            Some(p) => p.rep_of.get(&a.id).cloned(),
            None => a.owner_id.clone(),
        }
    };
    let rep_at: HashMap<&str, usize> = reps
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut rep_in = vec![false; reps.len()];
    let account_in: Vec<bool> = match key.as_str() {
        "region" => {
            let inside: Vec<bool> = accounts.iter().map(|a| is_in(&a.region)).collect();
            for (a, &inside) in accounts.iter().zip(&inside) {
                if let Some(&r) = inside
                    .then(|| previous(a))
                    .flatten()
                    .and_then(|p| rep_at.get(p.as_str()))
                {
                    rep_in[r] = true;
                }
            }
            for (r, rep) in reps.iter().enumerate() {
                if rep.regions.iter().any(|x| is_in(x)) {
                    rep_in[r] = true;
                }
            }
            inside
        }
        "segment" => {
            for (r, rep) in reps.iter().enumerate() {
                rep_in[r] = values
                    .iter()
                    .any(|v| segment_key(v) == segment_key(&rep.segment));
            }
            accounts
                .iter()
                .map(|a| {
                    plan.segment_for(a)
                        .is_some_and(|s| values.iter().any(|v| segment_key(v) == segment_key(&s)))
                })
                .collect()
        }
        "rep" | "manager" | "district" | "sales_region" => {
            for (r, rep) in reps.iter().enumerate() {
                rep_in[r] = match key.as_str() {
                    "rep" => is_in(&rep.id),
                    "manager" => is_in(&rep.manager_id),
                    "district" => is_in(&rep.district),
                    _ => is_in(&rep.sales_region),
                };
            }
            accounts
                .iter()
                .map(|a| {
                    previous(a)
                        .and_then(|p| rep_at.get(p.as_str()))
                        .is_some_and(|&r| rep_in[r])
                })
                .collect()
        }
        _ => {
            return Err(Failure::input(format!(
                "--scope {text:?}: unknown key {key:?}; use {KEYS}"
            )));
        }
    };
    if !account_in.iter().any(|&x| x) {
        return Err(Failure::input(format!(
            "--scope {text}: no account is in this scope; check the value against the {} column",
            match key.as_str() {
                "region" => "accounts' region",
                "segment" => "plan's segments (or the accounts' segment",
                "rep" => "reps' rep_id",
                "manager" => "reps' manager_id",
                "district" => "reps' district",
                _ => "reps' sales_region",
            }
        )));
    }
    let decided: HashMap<&str, &Pin> = review
        .pins()
        .iter()
        .map(|p| (p.account_id.as_str(), p))
        .collect();
    let source = review.previous.as_ref().map_or_else(
        || "owner_id (--scope)".to_string(),
        |p| format!("{} (--scope)", p.file),
    );
    let mut pins = Vec::new();
    let mut problems = Vec::new();
    let mut without = 0;
    for (a, &inside) in accounts.iter().zip(&account_in) {
        if inside {
            continue;
        }
        if let Some(pin) = decided.get(a.id.as_str()) {
            problems.push(Issue::row(
                Severity::Fatal,
                &pin.file,
                pin.line,
                "account_id",
                &a.id,
                format!(
                    "{} is outside --scope {text}: it keeps its previous rep",
                    a.id
                ),
                "drop the decision, or widen the scope",
            ));
            continue;
        }
        let keep = previous(a).filter(|p| {
            rep_at
                .get(p.as_str())
                .is_some_and(|&r| reps[r].status.holds_book() && reps[r].is_owner_role())
        });
        match keep {
            Some(rep_id) => pins.push(Pin {
                account_id: a.id.clone(),
                rep_id,
                why: PinWhy::OutOfScope,
                file: source.clone(),
                line: 0,
                column: "scope",
            }),
            None => without += 1,
        }
    }
    if !problems.is_empty() {
        return Err(Failure::issues(&problems));
    }
    for (r, rep) in reps.iter_mut().enumerate() {
        rep.frozen = !rep_in[r];
    }
    let info = Scope {
        scope: text.to_string(),
        accounts_in_scope: account_in.iter().filter(|&&x| x).count(),
        accounts_kept: pins.len(),
        accounts_without_previous_rep: without,
        reps_in_scope: rep_in.iter().filter(|&&x| x).count(),
        reps_kept: rep_in.iter().filter(|&&x| !x).count(),
    };
    Ok((pins, info))
}

/// The decided accounts (by position in `p.accounts`) with their pin.
fn decided<'a>(p: &Problem, pins: &'a [Pin]) -> Vec<(usize, &'a Pin)> {
    // Every run checks its decisions: without any, no index of 1,000,000 account ids.
    if pins.is_empty() {
        return Vec::new();
    }
    let by_id: HashMap<&str, usize> = p
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    pins.iter()
        .filter_map(|pin| by_id.get(pin.account_id.as_str()).map(|&i| (i, pin)))
        .collect()
}

/// Every decision (and scope pin) the assignment does not keep, and every account a rep
/// outside the scope gained, in words (empty when all hold).
pub fn broken(p: &Problem, account_rep: &[Option<RepIdx>], review: &Review) -> Vec<String> {
    let pinned: std::collections::HashSet<&str> = review
        .pins()
        .iter()
        .map(|p| p.account_id.as_str())
        .collect();
    let gained = (0..p.accounts.len()).filter_map(|i| {
        let r = account_rep[i]?;
        let rep = &p.reps[r.index()];
        (rep.frozen && !pinned.contains(p.accounts[i].id.as_str())).then(|| {
            format!(
                "{} went to {}, who is outside the scope",
                p.accounts[i].id, rep.id
            )
        })
    });
    decided(p, review.pins())
        .into_iter()
        .filter(|(i, pin)| {
            account_rep[*i].map(|r| p.reps[r.index()].id.as_str()) != Some(&pin.rep_id)
        })
        .map(|(i, pin)| {
            format!(
                "{}: the account ended with {}",
                pin.describe(),
                account_rep[i].map_or("no rep", |r| p.reps[r.index()].id.as_str())
            )
        })
        .chain(gained)
        .collect()
}

/// Marks the accounts a planner decided `decision` in the reason codes, and the accounts
/// of their family that moved with them (the pin, not their owner's eligibility, moved them).
pub fn mark_codes(
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    review: &Review,
    codes: &mut [ReasonCode],
) {
    for (i, pin) in decided(p, review.pins()) {
        // Outside the scope an account keeps its proposed rep, and why the proposal put it
        // there (the search only kept it: its own reason would be invented).
        if pin.why == PinWhy::OutOfScope {
            if let Some(c) = review
                .previous
                .as_ref()
                .and_then(|prev| prev.code_of.get(&p.accounts[i].id))
            {
                codes[i] = *c;
            }
            continue;
        }
        if matches!(pin.why, PinWhy::Decision(_)) {
            codes[i] = ReasonCode::Decision;
            for a in p.units.members(p.account_unit[i]) {
                let j = a.index();
                if p.account_had_owner[j] && account_rep[j] != p.account_owner[j] {
                    codes[j] = ReasonCode::Decision;
                }
            }
        }
    }
}

/// The counts, for a run whose assignment is `account_rep`.
pub fn counts(
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    review: &Review,
) -> Option<DecisionCounts> {
    if review.decisions.is_none() && review.previous.is_none() && review.scope.is_none() {
        return None;
    }
    let mut c = DecisionCounts {
        scope: review.scope.clone(),
        ..DecisionCounts::default()
    };
    let rep_id = |i: usize| account_rep[i].map_or("", |r| p.reps[r.index()].id.as_str());
    let decided = decided(p, review.pins());
    for (i, pin) in &decided {
        if rep_id(*i) != pin.rep_id {
            c.not_honoured += 1;
            continue;
        }
        match pin.why {
            PinWhy::Decision(Decision::Accept) => c.accept += 1,
            PinWhy::Decision(Decision::Reject) => c.reject += 1,
            PinWhy::Decision(Decision::Pin) => c.pin += 1,
            PinWhy::OutOfScope => {}
        }
    }
    if let Some(prev) = &review.previous {
        let named: std::collections::HashSet<usize> = decided
            .iter()
            .filter(|(_, pin)| matches!(pin.why, PinWhy::Decision(_)))
            .map(|(i, _)| *i)
            .collect();
        let changed: Vec<usize> = changed(p, account_rep, prev);
        c.changed_without_decision = Some(changed.iter().filter(|i| !named.contains(i)).count());
        c.changed_vs_previous = Some(changed.len());
    }
    Some(c)
}

/// Accounts whose rep differs from the proposal's (accounts the proposal lacks included).
fn changed(p: &Problem, account_rep: &[Option<RepIdx>], prev: &Previous) -> Vec<usize> {
    (0..p.accounts.len())
        .filter(|&i| {
            let now = account_rep[i].map(|r| p.reps[r.index()].id.as_str());
            prev.rep_of.get(&p.accounts[i].id).map(String::as_str) != now
        })
        .collect()
}

/// Writes decisions_applied.csv and changes_vs_previous.csv (or removes stale copies).
pub fn write(
    out: &std::path::Path,
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    codes: &[ReasonCode],
    review: &Review,
) -> anyhow::Result<()> {
    let rep_id = |i: usize| account_rep[i].map_or("", |r| p.reps[r.index()].id.as_str());
    let proposed = |id: &str| {
        review
            .previous
            .as_ref()
            .and_then(|prev| prev.rep_of.get(id))
            .map_or("", String::as_str)
    };
    match &review.decisions {
        Some(d) => {
            let at: HashMap<&str, usize> = p
                .accounts
                .iter()
                .enumerate()
                .map(|(i, a)| (a.id.as_str(), i))
                .collect();
            let mut w = writer();
            w.write_record([
                "row",
                "account_id",
                "decision",
                "rep_id",
                "proposed_rep_id",
                "owner_id",
                "honoured",
                "note",
            ])?;
            for (row, pin) in d.rows.iter().zip(&d.pins) {
                let i = at[row.account_id.as_str()];
                let now = rep_id(i);
                w.write_record([
                    row.line.to_string().as_str(),
                    row.account_id.as_str(),
                    row.decision.name(),
                    now,
                    proposed(&row.account_id),
                    p.accounts[i].owner_id.as_deref().unwrap_or(""),
                    if now == pin.rep_id { "true" } else { "false" },
                    safe_cell(&row.note).as_str(),
                ])?;
            }
            write_atomic(out, "decisions_applied.csv", &finish(w)?)?;
        }
        None => remove_stale(out, "decisions_applied.csv"),
    }
    match &review.previous {
        Some(prev) => {
            let named: std::collections::HashSet<usize> = decided(p, review.pins())
                .iter()
                .filter(|(_, pin)| matches!(pin.why, PinWhy::Decision(_)))
                .map(|(i, _)| *i)
                .collect();
            let mut w = writer();
            w.write_record([
                "account_id",
                "proposed_rep_id",
                "rep_id",
                "decided",
                "reason_code",
            ])?;
            for i in changed(p, account_rep, prev) {
                let a = &p.accounts[i].id;
                w.write_record([
                    a.as_str(),
                    proposed(a),
                    rep_id(i),
                    if named.contains(&i) { "true" } else { "false" },
                    codes[i].as_str(),
                ])?;
            }
            write_atomic(out, "changes_vs_previous.csv", &finish(w)?)?;
        }
        None => remove_stale(out, "changes_vs_previous.csv"),
    }
    Ok(())
}

/// Removes the decision outputs of an earlier run (a run without an assignment).
pub fn remove(out: &std::path::Path) {
    remove_stale(out, "decisions_applied.csv");
    remove_stale(out, "changes_vs_previous.csv");
}

/// Why a run with decisions found no assignment: the decided accounts whose reps end
/// outside the band or over a cap in the best attempt, by name.
pub fn suspects(p: &Problem, f: &allot_model::Figures, review: &Review) -> Option<String> {
    let band = p.plan.balance.band();
    let out_of_band = |r: usize| {
        p.plan.balance.metrics.iter().any(|m| {
            let k = m.slot();
            f.reps[r].target[k] > 0.0 && f.reps[r].deviation[k].abs() > band + 1e-9
        }) || f.reps[r].utilisation.is_some_and(|u| u > 1.0 + 1e-9)
    };
    let by_rep: HashMap<&str, usize> = p
        .reps
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let decisions: Vec<&Pin> = review
        .pins()
        .iter()
        .filter(|pin| matches!(pin.why, PinWhy::Decision(_)))
        .collect();
    let named: Vec<String> = decisions
        .iter()
        .filter(|pin| {
            by_rep
                .get(pin.rep_id.as_str())
                .is_some_and(|&r| out_of_band(r))
        })
        .take(10)
        .map(|pin| pin.describe())
        .collect();
    let mut lines = Vec::new();
    if !decisions.is_empty() {
        lines.push(if named.is_empty() {
            format!(
                "{} decision(s) were kept as fixed; none of their reps ended outside the band, so they may not be the cause",
                decisions.len()
            )
        } else {
            format!(
                "the decisions that fill reps outside the band or over a cap in the best attempt: {}; drop or change them, or widen the band",
                named.join("; ")
            )
        });
    }
    if let Some(sc) = &review.scope {
        let inside_out: Vec<&str> = p
            .reps
            .iter()
            .enumerate()
            .filter(|(r, rep)| !rep.frozen && out_of_band(*r))
            .map(|(_, rep)| rep.id.as_str())
            .take(10)
            .collect();
        lines.push(format!(
            "with --scope {} only the {} accounts inside move; the accounts of in-scope reps outside it stay, so the band may be out of reach{}: widen the scope or the band",
            sc.scope,
            sc.accounts_in_scope,
            if inside_out.is_empty() {
                String::new()
            } else {
                format!(" (reps in scope outside the band: {})", inside_out.join(", "))
            }
        ));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// One terminal line: the scope, the decisions honoured and what else changed against the
/// proposal.
pub fn line(c: &DecisionCounts) -> String {
    let mut s = format!(
        "decisions honoured: {} accept, {} reject, {} pin",
        c.accept, c.reject, c.pin
    );
    if let Some(sc) = &c.scope {
        s = format!(
            "scope {}: {} accounts and {} reps re-planned, {} accounts and {} reps kept as they were{}; {s}",
            sc.scope,
            sc.accounts_in_scope,
            sc.reps_in_scope,
            sc.accounts_kept,
            sc.reps_kept,
            if sc.accounts_without_previous_rep > 0 {
                format!(
                    " ({} outside it had no rep to keep and were placed too)",
                    sc.accounts_without_previous_rep
                )
            } else {
                String::new()
            }
        );
    }
    if let (Some(all), Some(other)) = (c.changed_vs_previous, c.changed_without_decision) {
        s.push_str(&format!(
            "; {all} account(s) differ from the proposal, {other} of them without a decision (changes_vs_previous.csv)"
        ));
    }
    s
}
