//! The review loop in the independent checker: `--previous`, `--decisions` and `--scope`
//! read from the raw files (no code shared with the product), the pins they make, the
//! proposal each family may still follow, and their outputs (decisions_applied.csv,
//! changes_vs_previous.csv, summary.json `decisions`) recomputed from the raw rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::{Assigned, InAccount, InRep, Input, Spec, escaped, read_csv, seg_key};

/// One row of decisions.csv as the checker reads it.
#[derive(Clone, Debug)]
pub(super) struct DecisionIn {
    /// Line in the file (header = 1).
    pub line: u64,
    /// account_id.
    pub account: String,
    /// accept, reject or pin.
    pub kind: &'static str,
    /// Where the decision says the account ends: accept → the proposal's rep, reject →
    /// owner_id, pin → rep_id.
    pub want: String,
    /// The note as read.
    pub note: String,
}

/// What `--scope` selects, recomputed from the raw rows.
#[derive(Clone, Debug)]
pub(super) struct ScopeIn {
    /// The scope as given.
    pub text: String,
    /// Per accepted account (by account_id order): inside the scope.
    pub account_in: Vec<bool>,
    /// Per accepted rep: inside the scope (may take accounts).
    pub rep_in: Vec<bool>,
    /// Accounts outside kept with their previous rep (an active owner-role rep).
    pub kept: usize,
    /// Accounts outside without such a rep (placed by the run, never on a rep outside).
    pub without: usize,
}

/// The review inputs of a run.
#[derive(Clone, Debug, Default)]
pub(super) struct Review {
    /// `--previous`: account_id → rep_id.
    pub prev: Option<BTreeMap<String, String>>,
    /// decisions.csv rows, in file order.
    pub decisions: Vec<DecisionIn>,
    /// `--scope`.
    pub scope: Option<ScopeIn>,
    /// Every pin: (account index, rep_id) — decisions, then the scope's.
    pub pins: Vec<(usize, String)>,
    /// Problems found while reading (a run that should have failed).
    pub problems: Vec<String>,
}

/// README: the decision words and their synonyms, any case.
fn kind(word: &str) -> Option<&'static str> {
    match word.trim().to_lowercase().as_str() {
        "accept" | "accepted" | "approve" | "approved" | "yes" | "y" => Some("accept"),
        "reject" | "rejected" | "decline" | "declined" | "keep" | "no" | "n" => Some("reject"),
        "pin" | "pinned" | "assign" | "move" => Some("pin"),
        _ => None,
    }
}

/// The previous rep of an account: the proposal's with `--previous`, else owner_id.
fn previous_of<'a>(prev: Option<&'a BTreeMap<String, String>>, a: &'a InAccount) -> &'a str {
    match prev {
        Some(p) => p.get(&a.id).map_or("", String::as_str),
        None => a.owner.as_str(),
    }
}

/// Reads the review inputs of `spec` against the accepted accounts (by account_id) and
/// reps; `own` is each account's own segment key.
pub(super) fn read(
    spec: &Spec,
    acc: &[InAccount],
    reps: &[InRep],
    rep_idx: &HashMap<String, usize>,
    own: &[String],
) -> Review {
    let mut rv = Review::default();
    let at: HashMap<&str, usize> = acc
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    if let Some(path) = &spec.previous {
        let t = read_csv(path);
        let mut prev = BTreeMap::new();
        for r in &t.records {
            let (a, rep) = (r.get("account_id").trim(), r.get("rep_id").trim());
            if prev.insert(a.to_string(), rep.to_string()).is_some() {
                rv.problems.push(format!(
                    "{} line {}: {a} twice in the previous assignment, but the run went on",
                    path.display(),
                    r.line
                ));
            }
        }
        rv.prev = Some(prev);
    }
    if let Some(path) = &spec.decisions {
        for r in &read_csv(path).records {
            let account = r.get("account_id").trim().to_string();
            let Some(k) = kind(r.get("decision")) else {
                rv.problems.push(format!(
                    "decisions.csv line {}: decision {:?} is not one, but the run went on",
                    r.line,
                    r.get("decision")
                ));
                continue;
            };
            let Some(&i) = at.get(account.as_str()) else {
                rv.problems.push(format!(
                    "decisions.csv line {}: {account:?} is not an accepted account, but the run went on",
                    r.line
                ));
                continue;
            };
            let want = match k {
                "accept" => rv
                    .prev
                    .as_ref()
                    .and_then(|p| p.get(&account))
                    .cloned()
                    .unwrap_or_default(),
                "reject" => acc[i].owner.clone(),
                _ => r.get("rep_id").trim().to_string(),
            };
            if want.is_empty() {
                rv.problems.push(format!(
                    "decisions.csv line {}: {k} {account} names no rep (no proposal, no owner or no rep_id), but the run went on",
                    r.line
                ));
            }
            rv.pins.push((i, want.clone()));
            rv.decisions.push(DecisionIn {
                line: r.line,
                account,
                kind: k,
                want,
                note: r.get("note").trim().to_string(),
            });
        }
    }
    if let Some(text) = &spec.scope {
        rv.scope = scope(text, acc, reps, rep_idx, own, &mut rv);
    }
    rv
}

/// README `--scope`: which accounts and reps are inside, and the pins of the accounts outside.
fn scope(
    text: &str,
    acc: &[InAccount],
    reps: &[InRep],
    rep_idx: &HashMap<String, usize>,
    own: &[String],
    rv: &mut Review,
) -> Option<ScopeIn> {
    let (key, values) = text.split_once('=')?;
    let key = key.trim().to_lowercase();
    let values: Vec<String> = values
        .split(',')
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .collect();
    let is_in = |v: &str| values.contains(&v.trim().to_lowercase());
    let prev = rv.prev.as_ref();
    let held_by = |a: &InAccount| rep_idx.get(previous_of(prev, a)).copied();
    let mut rep_in = vec![false; reps.len()];
    let account_in: Vec<bool> = match key.as_str() {
        "region" => {
            let inside: Vec<bool> = acc.iter().map(|a| is_in(&a.region)).collect();
            for (a, &x) in acc.iter().zip(&inside) {
                if let Some(r) = held_by(a).filter(|_| x) {
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
            let keys: BTreeSet<String> = values.iter().map(|v| seg_key(v)).collect();
            for (r, rep) in reps.iter().enumerate() {
                rep_in[r] = keys.contains(&seg_key(&rep.segment));
            }
            own.iter().map(|s| keys.contains(s)).collect()
        }
        "rep" | "manager" | "district" | "sales_region" => {
            for (r, rep) in reps.iter().enumerate() {
                rep_in[r] = is_in(match key.as_str() {
                    "rep" => &rep.id,
                    "manager" => &rep.manager,
                    "district" => &rep.district,
                    _ => &rep.sales_region,
                });
            }
            acc.iter()
                .map(|a| held_by(a).is_some_and(|r| rep_in[r]))
                .collect()
        }
        _ => {
            rv.problems.push(format!(
                "--scope {text}: an unknown key, but the run went on"
            ));
            return None;
        }
    };
    let decided: BTreeSet<usize> = rv.pins.iter().map(|p| p.0).collect();
    let (mut kept, mut without) = (0, 0);
    for (i, a) in acc.iter().enumerate() {
        if account_in[i] {
            continue;
        }
        if decided.contains(&i) {
            rv.problems.push(format!(
                "{} is decided but outside --scope {text}, and the run went on",
                a.id
            ));
            continue;
        }
        match held_by(a).filter(|&r| reps[r].active && reps[r].owner_role()) {
            Some(r) => {
                kept += 1;
                rv.pins.push((i, reps[r].id.clone()));
            }
            None => without += 1,
        }
    }
    Some(ScopeIn {
        text: text.to_string(),
        account_in,
        rep_in,
        kept,
        without,
    })
}

/// Per family (root): the rep the proposal gave every account of it, when the family may
/// still go there — its pin, lock or keep if it has one; else an active owner-role rep of
/// its segment that takes new accounts, may cover every member (regions, industries,
/// pairs) — and every located member is within the travel cap of that rep's home.
pub(super) fn proposal(
    inp: &Input,
    prev: &BTreeMap<String, String>,
    max_km: Option<f64>,
) -> HashMap<usize, usize> {
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..inp.acc.len() {
        members.entry(inp.fam[i]).or_default().push(i);
    }
    let mut out = HashMap::new();
    for (f, ms) in members {
        let ids: Vec<&str> = ms
            .iter()
            .map(|&m| prev.get(&inp.acc[m].id).map_or("", String::as_str))
            .collect();
        let first = ids[0];
        if first.is_empty() || ids.iter().any(|x| *x != first) {
            continue;
        }
        let Some(&r) = inp.rep_idx.get(first) else {
            continue;
        };
        let rep = &inp.reps[r];
        let within = match (max_km, rep.coords) {
            (Some(cap), Some(home)) => ms.iter().all(|&m| {
                inp.acc[m]
                    .coords
                    .is_none_or(|p| super::great_circle_km(home, p) <= cap + 1e-6)
            }),
            _ => true,
        };
        let fixed = inp
            .fam_pin
            .get(&f)
            .or_else(|| inp.fam_lock.get(&f))
            .map(|id| inp.rep_idx[id])
            .or_else(|| inp.kept_by(ms[0]));
        let may = match fixed {
            Some(x) => x == r,
            None => {
                rep.active
                    && !rep.on_leave
                    && !rep.frozen
                    && rep.owner_role()
                    && seg_key(&rep.segment) == inp.seg_of[ms[0]]
                    && ms.iter().all(|&m| {
                        rep.eligible(&inp.acc[m].region, &inp.acc[m].industry)
                            && (inp.pairs.is_none() || inp.pair(m, &rep.id).is_some())
                    })
            }
        };
        if within && may {
            out.insert(f, r);
        }
    }
    out
}

/// What the review outputs say, recomputed: counts for the tests.
#[derive(Clone, Debug, Default)]
pub struct ReviewFigs {
    /// Accounts whose rep differs from the proposal (`--previous`).
    pub changed_vs_previous: usize,
    /// Of those, accounts no decision names.
    pub changed_without_decision: usize,
    /// Families off the proposal that could have followed it.
    pub off_units: usize,
    /// Their objective term.
    pub off_cost: f64,
}

/// Checks decisions_applied.csv, changes_vs_previous.csv and summary.json `decisions`
/// against the raw rows and the run's assignment (`rows`, by account_id), and that every
/// decided account and the accounts outside the scope ended where they must.
pub(super) fn outputs(
    spec: &Spec,
    inp: &Input,
    rv: &Review,
    rows: &[Assigned],
    s: &Value,
    figs: &mut ReviewFigs,
) -> Vec<String> {
    let mut v = Vec::new();
    let out = &spec.out;
    let rep_of: HashMap<&str, &Assigned> = rows.iter().map(|r| (r.account.as_str(), r)).collect();
    let final_rep = |id: &str| rep_of.get(id).map_or("", |r| r.rep.as_str());
    let proposed = |id: &str| {
        rv.prev
            .as_ref()
            .and_then(|p| p.get(id))
            .map_or("", String::as_str)
    };
    // Every decided account, and every account of its family, ends where the decision says.
    for d in &rv.decisions {
        let Some(i) = inp.acc.iter().position(|a| a.id == d.account) else {
            continue;
        };
        for (j, a) in inp.acc.iter().enumerate() {
            if inp.fam[j] == inp.fam[i] && final_rep(&a.id) != d.want {
                v.push(format!(
                    "decisions.csv line {} ({} {} → {}): {} ended with {:?}",
                    d.line,
                    d.kind,
                    d.account,
                    d.want,
                    if j == i {
                        "the account".to_string()
                    } else {
                        format!("{} of its family", a.id)
                    },
                    final_rep(&a.id)
                ));
            }
        }
    }
    // Outside the scope: exactly the previous rep; a rep outside gains nothing.
    if let Some(sc) = &rv.scope {
        for (i, a) in inp.acc.iter().enumerate() {
            if sc.account_in[i] {
                continue;
            }
            let before = previous_of(rv.prev.as_ref(), a);
            let keeps = inp
                .rep_idx
                .get(before)
                .is_some_and(|&r| inp.reps[r].active && inp.reps[r].owner_role());
            if keeps && final_rep(&a.id) != before {
                v.push(format!(
                    "{} is outside --scope {} but moved from its previous rep {before} to {:?}",
                    a.id,
                    sc.text,
                    final_rep(&a.id)
                ));
            }
        }
        for (r, rep) in inp.reps.iter().enumerate() {
            if sc.rep_in[r] {
                continue;
            }
            for (i, a) in inp.acc.iter().enumerate() {
                if final_rep(&a.id) == rep.id && inp.kept_by(i) != Some(r) {
                    v.push(format!(
                        "{} went to {}, a rep outside --scope {} who was not pinned it",
                        a.id, rep.id, sc.text
                    ));
                }
            }
        }
    }

    // decisions_applied.csv.
    let applied = out.join("decisions_applied.csv");
    if spec.decisions.is_some() {
        if applied.exists() {
            let t = read_csv(&applied);
            let headers = [
                "row",
                "account_id",
                "decision",
                "rep_id",
                "proposed_rep_id",
                "owner_id",
                "honoured",
                "note",
            ];
            if t.headers != headers {
                v.push(format!(
                    "decisions_applied.csv header {:?}, expected {headers:?}",
                    t.headers
                ));
            }
            let owner: HashMap<&str, &str> = inp
                .acc
                .iter()
                .map(|a| (a.id.as_str(), a.owner.as_str()))
                .collect();
            let want: Vec<Vec<String>> = rv
                .decisions
                .iter()
                .map(|d| {
                    vec![
                        d.line.to_string(),
                        d.account.clone(),
                        d.kind.to_string(),
                        final_rep(&d.account).to_string(),
                        proposed(&d.account).to_string(),
                        owner
                            .get(d.account.as_str())
                            .copied()
                            .unwrap_or("")
                            .to_string(),
                        "true".to_string(),
                        escaped(&d.note),
                    ]
                })
                .collect();
            let got: Vec<Vec<String>> = t
                .records
                .iter()
                .map(|r| headers.iter().map(|h| r.get(h).to_string()).collect())
                .collect();
            if got != want {
                v.push(format!(
                    "decisions_applied.csv has {got:?}, the checker expects {want:?}"
                ));
            }
        } else {
            v.push("decisions_applied.csv is missing (the run had --decisions)".into());
        }
    } else if applied.exists() {
        v.push("decisions_applied.csv exists without --decisions".into());
    }

    // changes_vs_previous.csv: every account whose rep differs from the proposal.
    let changes = out.join("changes_vs_previous.csv");
    let decided: BTreeSet<&str> = rv.decisions.iter().map(|d| d.account.as_str()).collect();
    let changed: Vec<&Assigned> = rows
        .iter()
        .filter(|r| rv.prev.is_some() && r.rep != proposed(&r.account))
        .collect();
    figs.changed_vs_previous = changed.len();
    figs.changed_without_decision = changed
        .iter()
        .filter(|r| !decided.contains(r.account.as_str()))
        .count();
    if rv.prev.is_some() {
        if changes.exists() {
            let t = read_csv(&changes);
            let headers = [
                "account_id",
                "proposed_rep_id",
                "rep_id",
                "decided",
                "reason_code",
            ];
            if t.headers != headers {
                v.push(format!(
                    "changes_vs_previous.csv header {:?}, expected {headers:?}",
                    t.headers
                ));
            }
            let want: Vec<Vec<String>> = changed
                .iter()
                .map(|r| {
                    vec![
                        r.account.clone(),
                        proposed(&r.account).to_string(),
                        r.rep.clone(),
                        decided.contains(r.account.as_str()).to_string(),
                        r.reason_code.clone(),
                    ]
                })
                .collect();
            let got: Vec<Vec<String>> = t
                .records
                .iter()
                .map(|r| headers.iter().map(|h| r.get(h).to_string()).collect())
                .collect();
            if got != want {
                let first = got
                    .iter()
                    .zip(&want)
                    .position(|(a, b)| a != b)
                    .unwrap_or(got.len().min(want.len()));
                v.push(format!(
                    "changes_vs_previous.csv has {} rows, the checker expects {}; first difference at data row {}: {:?} vs {:?}",
                    got.len(),
                    want.len(),
                    first + 1,
                    got.get(first),
                    want.get(first)
                ));
            }
        } else {
            v.push("changes_vs_previous.csv is missing (the run had --previous)".into());
        }
    } else if changes.exists() {
        v.push("changes_vs_previous.csv exists without --previous".into());
    }

    // summary.json `decisions`.
    let d = &s["decisions"];
    let any = spec.previous.is_some() || spec.decisions.is_some() || spec.scope.is_some();
    if !any {
        if !d.is_null() {
            v.push(format!(
                "summary.json decisions = {d}, expected null without --previous/--decisions/--scope"
            ));
        }
        return v;
    }
    let count = |k: &str| rv.decisions.iter().filter(|x| x.kind == k).count() as u64;
    let mut want = vec![
        ("accept", Value::from(count("accept"))),
        ("reject", Value::from(count("reject"))),
        ("pin", Value::from(count("pin"))),
        ("not_honoured", Value::from(0u64)),
    ];
    if rv.prev.is_some() {
        want.push((
            "changed_vs_previous",
            Value::from(figs.changed_vs_previous as u64),
        ));
        want.push((
            "changed_without_decision",
            Value::from(figs.changed_without_decision as u64),
        ));
    } else {
        want.push(("changed_vs_previous", Value::Null));
        want.push(("changed_without_decision", Value::Null));
    }
    for (k, w) in &want {
        if d[*k] != *w {
            v.push(format!(
                "summary.json decisions.{k} = {}, the checker expects {w}",
                d[*k]
            ));
        }
    }
    match &rv.scope {
        Some(sc) => {
            let want = [
                ("scope", Value::from(sc.text.clone())),
                (
                    "accounts_in_scope",
                    Value::from(sc.account_in.iter().filter(|&&x| x).count() as u64),
                ),
                ("accounts_kept", Value::from(sc.kept as u64)),
                (
                    "accounts_without_previous_rep",
                    Value::from(sc.without as u64),
                ),
                (
                    "reps_in_scope",
                    Value::from(sc.rep_in.iter().filter(|&&x| x).count() as u64),
                ),
                (
                    "reps_kept",
                    Value::from(sc.rep_in.iter().filter(|&&x| !x).count() as u64),
                ),
            ];
            for (k, w) in want {
                if d["scope"][k] != w {
                    v.push(format!(
                        "summary.json decisions.scope.{k} = {}, the checker expects {w}",
                        d["scope"][k]
                    ));
                }
            }
        }
        None if !d["scope"].is_null() => v.push(format!(
            "summary.json decisions.scope = {}, expected null without --scope",
            d["scope"]
        )),
        None => {}
    }
    v
}
