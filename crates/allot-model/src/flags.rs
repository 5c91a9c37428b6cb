//! Red flags: what a sales leader should look at in a book of accounts, each with a stable
//! code, the figure that raised it and the threshold it crossed (`[red_flags]` in plan.toml).
//! The rules live here; the reports only print them.
//!
//! A flag is about one book: today's owners ([`Book::Today`]), the new assignment a solve
//! returns ([`Book::New`]), or the input rows and roster themselves ([`Book::Input`]).
//! `allot evaluate` judges today's book; the solving commands judge the new assignment, and
//! report the flags that only today's book can raise (accounts without an owner, families
//! split, owners covering another segment, attainment) as about today's book.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::check::{Rule, Violation};
use crate::figures::{Figures, money};
use crate::issue::Issue;
use crate::plan::{Metric, Rounding, segment_key};
use crate::problem::Problem;

/// Thresholds of the red flags: the `[red_flags]` table of plan.toml.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// `unowned_accounts` fires when more than this % of today's accounts have no owner on
    /// the roster.
    pub max_unowned_pct: f64,
    /// `potential_variance` fires when a segment's (max − min) / min of potential per FTE
    /// over its reps is above this %.
    pub max_potential_spread_pct: f64,
    /// `attainment_variance` fires when a segment's max / min quota attainment is above this.
    pub max_attainment_ratio: f64,
    /// `headcount_vs_ratio` fires when a segment's roster FTE is at least this many reps
    /// short of or over the headcount its ratio needs.
    pub headcount_tolerance_reps: f64,
    /// `heavy_churn` fires when more than this % of the owned accounts change owner.
    pub max_churn_pct: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            max_unowned_pct: 20.0,
            max_potential_spread_pct: 40.0,
            max_attainment_ratio: 2.0,
            headcount_tolerance_reps: 1.0,
            max_churn_pct: 25.0,
        }
    }
}

impl Thresholds {
    /// Checks the ranges: the key at fault and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        for (key, v) in [
            ("max_unowned_pct", self.max_unowned_pct),
            ("max_churn_pct", self.max_churn_pct),
        ] {
            if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
                return Err((key, format!("must be a percentage from 0 to 100, got {v}")));
            }
        }
        let s = self.max_potential_spread_pct;
        if !(s.is_finite() && s >= 0.0) {
            return Err(("max_potential_spread_pct", format!("must be ≥ 0, got {s}")));
        }
        let r = self.max_attainment_ratio;
        if !(r.is_finite() && r >= 1.0) {
            return Err((
                "max_attainment_ratio",
                format!("must be a ratio ≥ 1 (highest / lowest), got {r}"),
            ));
        }
        let h = self.headcount_tolerance_reps;
        if !(h.is_finite() && h > 0.0) {
            return Err(("headcount_tolerance_reps", format!("must be > 0, got {h}")));
        }
        Ok(())
    }
}

/// Stable code of a red flag (snake_case in summary.json).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// Today's accounts without an owner on the roster, in % of the accounts.
    UnownedAccounts,
    /// Account families whose members have different owners today.
    FamilySplit,
    /// Accounts owned today by an account owner of another segment.
    OwnerOtherSegment,
    /// Highest / lowest quota attainment of a segment's reps.
    AttainmentVariance,
    /// Roster FTE − the headcount a segment's (or role's) ratio needs.
    HeadcountVsRatio,
    /// (max − min) / min of potential per FTE over a segment's reps, in %.
    PotentialVariance,
    /// Reps outside the balance band on a metric; the farthest deviation in %.
    OutsideBand,
    /// A rep above a cap; the highest share of a cap used, in %.
    OverCapacity,
    /// Reps of a segment who hold no account.
    EmptyRep,
    /// Owned accounts that change owner, in %.
    HeavyChurn,
    /// Cases of one rule the book breaks (see [`Rule`]).
    BrokenRule,
    /// Input rows refused (rejects.csv).
    RefusedRows,
    /// Input rows used with a correction, and notes about whole files.
    InputCorrections,
}

impl Code {
    /// Every code, in report order.
    pub const ALL: [Code; 13] = [
        Code::UnownedAccounts,
        Code::FamilySplit,
        Code::OwnerOtherSegment,
        Code::AttainmentVariance,
        Code::HeadcountVsRatio,
        Code::PotentialVariance,
        Code::OutsideBand,
        Code::OverCapacity,
        Code::EmptyRep,
        Code::HeavyChurn,
        Code::BrokenRule,
        Code::RefusedRows,
        Code::InputCorrections,
    ];

    /// The code as summary.json writes it.
    pub fn name(self) -> &'static str {
        match self {
            Code::UnownedAccounts => "unowned_accounts",
            Code::FamilySplit => "family_split",
            Code::OwnerOtherSegment => "owner_other_segment",
            Code::AttainmentVariance => "attainment_variance",
            Code::HeadcountVsRatio => "headcount_vs_ratio",
            Code::PotentialVariance => "potential_variance",
            Code::OutsideBand => "outside_band",
            Code::OverCapacity => "over_capacity",
            Code::EmptyRep => "empty_rep",
            Code::HeavyChurn => "heavy_churn",
            Code::BrokenRule => "broken_rule",
            Code::RefusedRows => "refused_rows",
            Code::InputCorrections => "input_corrections",
        }
    }

    /// A short title for people.
    pub fn title(self) -> &'static str {
        match self {
            Code::UnownedAccounts => "Accounts without an owner",
            Code::FamilySplit => "Account families split",
            Code::OwnerOtherSegment => "Owners covering another segment",
            Code::AttainmentVariance => "Attainment variance",
            Code::HeadcountVsRatio => "Headcount vs ratio",
            Code::PotentialVariance => "Potential variance",
            Code::OutsideBand => "Outside the balance band",
            Code::OverCapacity => "Over capacity",
            Code::EmptyRep => "Reps without accounts",
            Code::HeavyChurn => "Heavy churn",
            Code::BrokenRule => "Rule broken",
            Code::RefusedRows => "Rows refused",
            Code::InputCorrections => "Input corrections",
        }
    }
}

/// Which book a flag is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Book {
    /// Today's owners (accounts.csv `owner_id`).
    Today,
    /// The new assignment the run returns.
    New,
    /// The input rows and the roster, whatever the assignment.
    Input,
}

impl Book {
    /// Words for people: "today's book", "the new assignment", "the input".
    pub fn label(self) -> &'static str {
        match self {
            Book::Today => "today's book",
            Book::New => "the new assignment",
            Book::Input => "the input",
        }
    }
}

/// Unit of a flag's figure and threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Percent (25.0 = 25 %).
    Percent,
    /// A ratio (2.5 = 2.5×).
    Ratio,
    /// Full-time equivalents (reps).
    Fte,
    /// A count (accounts, families, reps, rows, cases).
    Count,
}

/// One red flag.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RedFlag {
    /// Stable code.
    pub code: Code,
    /// Which book it is about.
    pub book: Book,
    /// The segment (for a supporting role: the segments it covers, joined by `+`).
    pub segment: Option<String>,
    /// The supporting role (`headcount_vs_ratio` of a `[[roles]]` entry).
    pub role: Option<String>,
    /// The rep (`over_capacity`).
    pub rep_id: Option<String>,
    /// The balanced metric (`outside_band`).
    pub metric: Option<Metric>,
    /// The rule (`broken_rule`).
    pub rule: Option<Rule>,
    /// The figure that raised the flag (`None` when unbounded: a smallest value of 0).
    pub figure: Option<f64>,
    /// The threshold it is compared with (see README: Red flags).
    pub threshold: f64,
    /// Unit of figure and threshold.
    pub unit: Unit,
    /// What it means, in words, naming the book.
    pub message: String,
}

impl RedFlag {
    /// What the flag is about, for a report's reader: "today's book", "new assignment",
    /// "roster" (headcount) or "input files".
    pub fn scope(&self) -> &'static str {
        match (self.book, self.code) {
            (Book::Today, _) => "today's book",
            (Book::New, _) => "new assignment",
            (Book::Input, Code::HeadcountVsRatio) => "roster",
            (Book::Input, _) => "input files",
        }
    }

    fn new(code: Code, book: Book, figure: Option<f64>, threshold: f64, unit: Unit) -> RedFlag {
        RedFlag {
            code,
            book,
            segment: None,
            role: None,
            rep_id: None,
            metric: None,
            rule: None,
            figure,
            threshold,
            unit,
            message: String::new(),
        }
    }
}

/// One line of the capacity plan (as `allot plan` computes it) with a ratio.
#[derive(Clone, Debug, PartialEq)]
pub struct Headcount {
    /// Segment (for a supporting role: the segments it covers, joined by `+`).
    pub segment: String,
    /// `None` for the segment's account owners, else the supporting role.
    pub role: Option<String>,
    /// Accounts covered.
    pub accounts: usize,
    /// Accounts per rep.
    pub ratio: f64,
    /// accounts / ratio.
    pub fte_needed: f64,
    /// fte_needed rounded by the plan's `[capacity] rounding`.
    pub headcount_needed: f64,
    /// Active reps of the role on the roster.
    pub headcount_on_roster: usize,
    /// Their FTE.
    pub fte_on_roster: f64,
}

/// The book a run judges and what it knows about it.
pub struct Judged<'a> {
    /// [`Book::Today`] (`allot evaluate`) or [`Book::New`] (a solve).
    pub book: Book,
    /// Figures of that book.
    pub figures: &'a Figures,
    /// Rules the book breaks, from the independent checker.
    pub violations: &'a [Violation],
}

/// Every red flag of a run, in [`Code::ALL`] order, then segment and rep order.
pub fn red_flags(
    p: &Problem,
    judged: &Judged<'_>,
    headcount: &[Headcount],
    warnings: &[Issue],
    refused: &[Issue],
) -> Vec<RedFlag> {
    let t = &p.plan.red_flags;
    let mut out = Vec::new();
    out.extend(unowned_accounts(p, t));
    out.extend(family_split(p));
    out.extend(owner_other_segment(p));
    out.extend(attainment_variance(p, t));
    out.extend(headcount_vs_ratio(headcount, p.plan.capacity.rounding, t));
    out.extend(potential_variance(p, judged, t));
    out.extend(outside_band(p, judged));
    out.extend(over_capacity(p, judged));
    out.extend(empty_rep(p, judged));
    out.extend(heavy_churn(judged, t));
    out.extend(broken_rule(judged));
    out.extend(input_flags(warnings, refused));
    out
}

/// Accounts of today's book whose owner_id is empty or not a rep on the roster.
fn unowned_accounts(p: &Problem, t: &Thresholds) -> Option<RedFlag> {
    let n = p.accounts.len();
    let k = p.account_owner.iter().filter(|o| o.is_none()).count();
    if n == 0 {
        return None;
    }
    let share = k as f64 * 100.0 / n as f64;
    if share <= t.max_unowned_pct + 1e-9 {
        return None;
    }
    let mut f = RedFlag::new(
        Code::UnownedAccounts,
        Book::Today,
        Some(share),
        t.max_unowned_pct,
        Unit::Percent,
    );
    f.message = format!(
        "In today's book {share:.1}% of the accounts ({} of {}) have no owner on the roster (flagged above {}%)",
        count(k),
        count(n),
        num(t.max_unowned_pct)
    );
    Some(f)
}

/// Families (accounts assigned as one unit) whose members have two or more different
/// non-empty owner_id values today.
fn family_split(p: &Problem) -> Option<RedFlag> {
    let mut split: Vec<(String, usize, BTreeSet<&str>)> = Vec::new();
    for u in 0..p.units.len() {
        let members = p.units.members(crate::ids::UnitIdx::from_usize(u));
        if members.len() < 2 {
            continue;
        }
        let owners: BTreeSet<&str> = members
            .iter()
            .filter_map(|a| p.accounts[a.index()].owner_id.as_deref())
            .collect();
        if owners.len() >= 2 {
            // The family's head: a member whose parent is not in the family.
            let ids: BTreeSet<&str> = members
                .iter()
                .map(|a| p.accounts[a.index()].id.as_str())
                .collect();
            let head = members
                .iter()
                .map(|a| &p.accounts[a.index()])
                .filter(|a| a.parent_id.as_deref().is_none_or(|x| !ids.contains(x)))
                .map(|a| a.id.as_str())
                .min()
                .or_else(|| ids.first().copied())
                .unwrap_or_default();
            split.push((head.to_string(), members.len(), owners));
        }
    }
    if split.is_empty() {
        return None;
    }
    split.sort();
    let accounts: usize = split.iter().map(|s| s.1).sum();
    let shown: Vec<String> = split
        .iter()
        .take(3)
        .map(|(head, _, owners)| {
            format!(
                "the family of {head} ({})",
                owners.iter().copied().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    let mut f = RedFlag::new(
        Code::FamilySplit,
        Book::Today,
        Some(split.len() as f64),
        0.0,
        Unit::Count,
    );
    f.message = format!(
        "In today's book {} account {} ({} accounts) {} split between reps: {}{}",
        count(split.len()),
        plural(split.len(), "family", "families"),
        count(accounts),
        plural(split.len(), "is", "are"),
        shown.join("; "),
        more(split.len(), 3)
    );
    Some(f)
}

/// Accounts owned today by an account owner (owner role, active or leaving) whose segment
/// is not the account's (its family's) segment.
fn owner_other_segment(p: &Problem) -> Option<RedFlag> {
    // rep → (its segment, account segment → accounts).
    let mut by_rep: BTreeMap<&str, (&str, BTreeMap<&str, usize>)> = BTreeMap::new();
    let mut total = 0;
    let seg_keys: Vec<String> = p.segments.iter().map(|s| segment_key(&s.name)).collect();
    // Each account owner's segment key (None for supporting roles).
    let rep_keys: Vec<Option<String>> = p
        .reps
        .iter()
        .map(|r| r.is_owner_role().then(|| segment_key(&r.segment)))
        .collect();
    for (i, owner) in p.account_owner.iter().enumerate() {
        let Some(r) = owner else { continue };
        let rep = &p.reps[r.index()];
        let s = p.account_segment[i].index();
        let seg = &p.segments[s].name;
        if rep_keys[r.index()]
            .as_ref()
            .is_some_and(|k| *k != seg_keys[s])
        {
            total += 1;
            *by_rep
                .entry(&rep.id)
                .or_insert((&rep.segment, BTreeMap::new()))
                .1
                .entry(seg)
                .or_default() += 1;
        }
    }
    if total == 0 {
        return None;
    }
    let shown: Vec<String> = by_rep
        .iter()
        .take(3)
        .map(|(id, (own, segs))| {
            let held: Vec<String> = segs
                .iter()
                .map(|(s, n)| format!("{n} {s} {}", plural(*n, "account", "accounts")))
                .collect();
            format!("{id} ({own}) holds {}", held.join(" and "))
        })
        .collect();
    let mut f = RedFlag::new(
        Code::OwnerOtherSegment,
        Book::Today,
        Some(total as f64),
        0.0,
        Unit::Count,
    );
    f.message = format!(
        "In today's book {} {} owned by reps of another segment: {}{}",
        count(total),
        plural(total, "account is", "accounts are"),
        shown.join("; "),
        more(by_rep.len(), 3)
    );
    Some(f)
}

/// The lowest and highest of (rep, value) pairs (the first rep in id order on ties).
/// A rep id with a value.
type Named<'a> = (&'a str, f64);

fn extremes<'a>(values: &[Named<'a>]) -> Option<(Named<'a>, Named<'a>)> {
    let mut it = values.iter().copied();
    let first = it.next()?;
    Some(it.fold((first, first), |(lo, hi), x| {
        (
            if x.1 < lo.1 { x } else { lo },
            if x.1 > hi.1 { x } else { hi },
        )
    }))
}

/// Per segment: highest / lowest quota attainment of its active account owners that have
/// one (at least two of them); measured on today's territories.
fn attainment_variance(p: &Problem, t: &Thresholds) -> Vec<RedFlag> {
    let mut out = Vec::new();
    for seg in &p.segments {
        let values: Vec<(&str, f64)> = seg
            .reps
            .iter()
            .filter_map(|r| {
                let rep = &p.reps[r.index()];
                rep.attainment.map(|a| (rep.id.as_str(), a))
            })
            .collect();
        if values.len() < 2 {
            continue;
        }
        let Some((lo, hi)) = extremes(&values) else {
            continue;
        };
        if hi.1 <= 0.0 {
            continue;
        }
        let ratio = (lo.1 > 0.0).then(|| hi.1 / lo.1);
        if ratio.is_some_and(|r| r <= t.max_attainment_ratio + 1e-9) {
            continue;
        }
        let mut f = RedFlag::new(
            Code::AttainmentVariance,
            Book::Today,
            ratio,
            t.max_attainment_ratio,
            Unit::Ratio,
        );
        f.segment = Some(seg.name.clone());
        f.message = format!(
            "{}: quota attainment on today's territories ranges from {}% ({}) to {}% ({}), {} apart (flagged above {}×)",
            seg.name,
            num(lo.1 * 100.0),
            lo.0,
            num(hi.1 * 100.0),
            hi.0,
            ratio.map_or_else(|| "unboundedly".to_string(), |r| format!("{r:.2}×")),
            num(t.max_attainment_ratio)
        );
        out.push(f);
    }
    out
}

/// Per line of the capacity plan: roster FTE − the headcount the ratio needs (accounts /
/// ratio, rounded by the plan's policy); flagged at `headcount_tolerance_reps` or more.
fn headcount_vs_ratio(rows: &[Headcount], rounding: Rounding, t: &Thresholds) -> Vec<RedFlag> {
    let mut out = Vec::new();
    for h in rows {
        let gap = h.fte_on_roster - h.headcount_needed;
        if gap.abs() < t.headcount_tolerance_reps - 1e-9 {
            continue;
        }
        let mut f = RedFlag::new(
            Code::HeadcountVsRatio,
            Book::Input,
            Some(gap),
            t.headcount_tolerance_reps,
            Unit::Fte,
        );
        f.segment = Some(h.segment.clone());
        f.role = h.role.clone();
        let who = match &h.role {
            None => h.segment.clone(),
            Some(r) => format!("{r} ({})", h.segment),
        };
        let rounded = match rounding {
            Rounding::Ceil => "rounded up",
            Rounding::Round => "rounded",
            Rounding::Floor => "rounded down",
        };
        f.message = format!(
            "{who}: {} FTE on the roster ({}) for {} accounts; at {} accounts per rep the plan needs {} ({:.2} FTE, {rounded}): {} {} (flagged at {} or more)",
            num(h.fte_on_roster),
            reps(h.headcount_on_roster as f64),
            count(h.accounts),
            num(h.ratio),
            reps(h.headcount_needed),
            h.fte_needed,
            reps(gap.abs()),
            if gap < 0.0 { "short" } else { "over" },
            reps(t.headcount_tolerance_reps)
        );
        out.push(f);
    }
    out
}

/// Per segment with two or more reps: (max − min) / min of potential per FTE over its
/// active account owners, in the judged book.
fn potential_variance(p: &Problem, j: &Judged<'_>, t: &Thresholds) -> Vec<RedFlag> {
    let mut out = Vec::new();
    for seg in &p.segments {
        if seg.reps.len() < 2 {
            continue;
        }
        let values: Vec<(&str, f64)> = seg
            .reps
            .iter()
            .map(|r| {
                let rep = &p.reps[r.index()];
                (rep.id.as_str(), j.figures.reps[r.index()].load[0] / rep.fte)
            })
            .collect();
        let Some((lo, hi)) = extremes(&values) else {
            continue;
        };
        if hi.1 <= 0.0 {
            continue;
        }
        let spread = (lo.1 > 0.0).then(|| (hi.1 - lo.1) * 100.0 / lo.1);
        if spread.is_some_and(|s| s <= t.max_potential_spread_pct + 1e-9) {
            continue;
        }
        let mut f = RedFlag::new(
            Code::PotentialVariance,
            j.book,
            spread,
            t.max_potential_spread_pct,
            Unit::Percent,
        );
        f.segment = Some(seg.name.clone());
        f.message = format!(
            "{}: potential per FTE ranges from {} ({}) to {} ({}) in {}, {} (flagged above {}%)",
            seg.name,
            money(lo.1),
            lo.0,
            money(hi.1),
            hi.0,
            j.book.label(),
            spread.map_or_else(
                || "an unbounded spread".to_string(),
                |s| format!("a {s:.1}% spread")
            ),
            num(t.max_potential_spread_pct)
        );
        out.push(f);
    }
    out
}

/// Per segment and balanced metric: the reps outside ±band_pct of target; the figure is
/// the farthest |deviation| in %.
fn outside_band(p: &Problem, j: &Judged<'_>) -> Vec<RedFlag> {
    let band = p.plan.balance.band();
    let mut out = Vec::new();
    for seg in &p.segments {
        for m in &p.plan.balance.metrics {
            let k = m.slot();
            let outside: Vec<(&str, f64)> = seg
                .reps
                .iter()
                .map(|r| {
                    (
                        p.reps[r.index()].id.as_str(),
                        j.figures.reps[r.index()].deviation[k],
                    )
                })
                .filter(|(_, d)| d.abs() > band + 1e-9)
                .collect();
            let Some(worst) = outside
                .iter()
                .copied()
                .reduce(|a, b| if b.1.abs() > a.1.abs() { b } else { a })
            else {
                continue;
            };
            let mut f = RedFlag::new(
                Code::OutsideBand,
                j.book,
                Some(worst.1.abs() * 100.0),
                p.plan.balance.band_pct,
                Unit::Percent,
            );
            f.segment = Some(seg.name.clone());
            f.metric = Some(*m);
            let band_pct = num(p.plan.balance.band_pct);
            f.message = if seg.reps.len() == 1 {
                format!(
                    "{}: its one rep, {}, is {:+.1}% from target on {} in {} (band ±{band_pct}%)",
                    seg.name,
                    worst.0,
                    worst.1 * 100.0,
                    m.name(),
                    j.book.label()
                )
            } else {
                format!(
                    "{}: {} of {} reps {} outside ±{band_pct}% of target on {} in {}; the farthest is {} at {:+.1}%",
                    seg.name,
                    outside.len(),
                    seg.reps.len(),
                    plural(outside.len(), "is", "are"),
                    m.name(),
                    j.book.label(),
                    worst.0,
                    worst.1 * 100.0
                )
            };
            out.push(f);
        }
    }
    out
}

/// Per rep above a cap (max_accounts, max_workload, max_potential): the highest share of a
/// cap used, in % (`None` when a cap of 0 is used at all).
fn over_capacity(p: &Problem, j: &Judged<'_>) -> Vec<RedFlag> {
    let mut out = Vec::new();
    for (r, rep) in p.reps.iter().enumerate() {
        let fr = &j.figures.reps[r];
        let uses = [
            (
                "max_accounts",
                rep.max_accounts.map(|c| c as f64),
                fr.accounts as f64,
            ),
            ("max_workload", rep.max_workload, fr.load[1]),
            ("max_potential", rep.max_potential, fr.load[0]),
        ];
        let mut worst: Option<(&str, f64, f64, Option<f64>)> = None;
        for (name, cap, load) in uses {
            let Some(cap) = cap else { continue };
            if load <= cap * (1.0 + 1e-9) {
                continue;
            }
            let share = (cap > 0.0).then(|| load * 100.0 / cap);
            let better = match worst {
                None => true,
                Some((_, _, _, w)) => match (share, w) {
                    (None, _) => w.is_some(),
                    (Some(_), None) => false,
                    (Some(s), Some(w)) => s > w,
                },
            };
            if better {
                worst = Some((name, cap, load, share));
            }
        }
        let Some((name, cap, load, share)) = worst else {
            continue;
        };
        let mut f = RedFlag::new(Code::OverCapacity, j.book, share, 100.0, Unit::Percent);
        f.segment = Some(rep.segment.clone());
        f.rep_id = Some(rep.id.clone());
        let (held, limit) = if name == "max_potential" {
            (money(load), money(cap))
        } else {
            (num(load), num(cap))
        };
        let what = match name {
            "max_accounts" => "accounts",
            "max_workload" => "hours of workload",
            _ => "of potential",
        };
        f.message = format!(
            "{} ({}) holds {held} {what} in {}, over the {name} cap of {limit} ({})",
            rep.id,
            rep.segment,
            j.book.label(),
            share.map_or_else(|| "a cap of 0".to_string(), |s| format!("{s:.1}% of it")),
        );
        out.push(f);
    }
    out
}

/// Per segment: its active account owners who hold no account in the judged book.
fn empty_rep(p: &Problem, j: &Judged<'_>) -> Vec<RedFlag> {
    let mut out = Vec::new();
    for seg in &p.segments {
        let empty: Vec<&str> = seg
            .reps
            .iter()
            .filter(|r| j.figures.reps[r.index()].accounts == 0)
            .map(|r| p.reps[r.index()].id.as_str())
            .collect();
        if empty.is_empty() {
            continue;
        }
        let mut f = RedFlag::new(
            Code::EmptyRep,
            j.book,
            Some(empty.len() as f64),
            0.0,
            Unit::Count,
        );
        f.segment = Some(seg.name.clone());
        f.message = format!(
            "{}: {} of {} reps {} no account in {}: {}{}",
            seg.name,
            empty.len(),
            seg.reps.len(),
            plural(empty.len(), "holds", "hold"),
            j.book.label(),
            empty
                .iter()
                .take(10)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            more(empty.len(), 10)
        );
        out.push(f);
    }
    out
}

/// The share of owned accounts whose owner changes in the new assignment.
fn heavy_churn(j: &Judged<'_>, t: &Thresholds) -> Option<RedFlag> {
    let f = j.figures;
    if j.book != Book::New || f.owned_accounts == 0 {
        return None;
    }
    let share = f.moved_accounts as f64 * 100.0 / f.owned_accounts as f64;
    if share <= t.max_churn_pct + 1e-9 {
        return None;
    }
    let mut flag = RedFlag::new(
        Code::HeavyChurn,
        Book::New,
        Some(share),
        t.max_churn_pct,
        Unit::Percent,
    );
    flag.message = format!(
        "In the new assignment {share:.1}% of the owned accounts ({} of {}) change owner (flagged above {}%): plan the hand-over",
        count(f.moved_accounts),
        count(f.owned_accounts),
        num(t.max_churn_pct)
    );
    Some(flag)
}

/// Rules the judged book breaks, one flag per rule with the count and the first cases.
/// Judging today's book, the rules with a flag of their own (coverage, family, segment,
/// capacity) are not repeated.
fn broken_rule(j: &Judged<'_>) -> Vec<RedFlag> {
    let own_flag = |r: Rule| {
        j.book == Book::Today
            && matches!(
                r,
                Rule::Coverage | Rule::Family | Rule::Segment | Rule::Capacity
            )
    };
    let mut by_rule: Vec<(Rule, Vec<&str>)> = Vec::new();
    for v in j.violations.iter().filter(|v| !own_flag(v.rule)) {
        match by_rule.iter_mut().find(|(r, _)| *r == v.rule) {
            Some((_, list)) => list.push(&v.message),
            None => by_rule.push((v.rule, vec![&v.message])),
        }
    }
    by_rule
        .into_iter()
        .map(|(rule, list)| {
            let mut f = RedFlag::new(
                Code::BrokenRule,
                j.book,
                Some(list.len() as f64),
                0.0,
                Unit::Count,
            );
            f.rule = Some(rule);
            f.message = format!(
                "{} {} the {} rule in {}: {}{}",
                list.len(),
                plural(list.len(), "case breaks", "cases break"),
                rule_name(rule),
                j.book.label(),
                list.iter().take(3).copied().collect::<Vec<_>>().join("; "),
                more(list.len(), 3)
            );
            f
        })
        .collect()
}

/// Refused rows and corrections of the input.
fn input_flags(warnings: &[Issue], refused: &[Issue]) -> Vec<RedFlag> {
    let mut out = Vec::new();
    if !refused.is_empty() {
        let mut f = RedFlag::new(
            Code::RefusedRows,
            Book::Input,
            Some(refused.len() as f64),
            0.0,
            Unit::Count,
        );
        f.message = format!(
            "{} input {} refused: see rejects.csv",
            refused.len(),
            plural(refused.len(), "row was", "rows were")
        );
        out.push(f);
    }
    if !warnings.is_empty() {
        let rows = warnings.iter().filter(|w| w.line > 0).count();
        let notes = warnings.len() - rows;
        let mut f = RedFlag::new(
            Code::InputCorrections,
            Book::Input,
            Some(warnings.len() as f64),
            0.0,
            Unit::Count,
        );
        let mut parts = Vec::new();
        if rows > 0 {
            parts.push(format!(
                "{rows} input {} used with a correction",
                plural(rows, "row was", "rows were")
            ));
        }
        if notes > 0 {
            parts.push(format!(
                "{notes} {} about a whole file",
                plural(notes, "note", "notes")
            ));
        }
        f.message = format!("{}: see “Input corrections”", parts.join(" and "));
        out.push(f);
    }
    out
}

/// The rule's name as summary.json writes it.
fn rule_name(r: Rule) -> &'static str {
    match r {
        Rule::Coverage => "coverage",
        Rule::Rep => "rep",
        Rule::Segment => "segment",
        Rule::Eligibility => "eligibility",
        Rule::Lock => "lock",
        Rule::Family => "family",
        Rule::Capacity => "capacity",
        Rule::Band => "band",
        Rule::Budget => "budget",
        Rule::Travel => "travel",
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn more(n: usize, shown: usize) -> String {
    if n > shown {
        format!("; … {} more", n - shown)
    } else {
        String::new()
    }
}

/// A number with at most two decimals and no trailing zeros (4 → "4", 4.5 → "4.5").
fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// A count with thousands separators (3500 → "3,500").
fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number of reps: "1 rep", "1.5 reps", "1,041 reps".
fn reps(x: f64) -> String {
    let n = if x.fract() == 0.0 && (0.0..1e15).contains(&x) {
        count(x as usize)
    } else {
        num(x)
    };
    format!("{n} {}", if x == 1.0 { "rep" } else { "reps" })
}

#[cfg(test)]
mod tests;
