//! The plan (`plan.toml`): coverage model, balance goals, solver settings and column mapping.
//!
//! Every field has a default, so an empty file is a valid plan. Unknown keys are refused so
//! that a typo cannot silently fall back to a default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What the optimizer is asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// Best balance (weighted max deviation), then disruption and compactness terms.
    #[default]
    Redesign,
    /// Every rep inside the balance bands with the fewest moves, then best balance.
    Rebalance,
    /// Least total pairs.csv cost within the bands and caps (the generalized assignment
    /// problem when no band is stated).
    Cost,
    /// Least total great-circle distance from rep home to account, within the bands and caps.
    Travel,
}

impl Objective {
    /// Lower-case name, as in the plan.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Redesign => "redesign",
            Objective::Rebalance => "rebalance",
            Objective::Cost => "cost",
            Objective::Travel => "travel",
        }
    }

    /// Whether the objective is a linear sum over pairs (no max-deviation term to minimise):
    /// bands and caps are then side constraints of a min-cost assignment.
    pub fn is_linear(self) -> bool {
        match self {
            Objective::Redesign => false,
            Objective::Rebalance | Objective::Cost | Objective::Travel => true,
        }
    }
}

/// A load measured per rep and balanced against a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// ARR potential.
    Potential,
    /// Workload (hours per year).
    Workload,
    /// Number of accounts.
    Accounts,
}

impl Metric {
    /// All metrics, in the order of [`Metric::slot`].
    pub const ALL: [Metric; 3] = [Metric::Potential, Metric::Workload, Metric::Accounts];

    /// Position of the metric in per-metric arrays (`[f64; 3]`).
    pub fn slot(self) -> usize {
        match self {
            Metric::Potential => 0,
            Metric::Workload => 1,
            Metric::Accounts => 2,
        }
    }

    /// Lower-case name, as in the plan and the reports.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Potential => "potential",
            Metric::Workload => "workload",
            Metric::Accounts => "accounts",
        }
    }
}

/// How fractional FTE needs are turned into headcount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Rounding {
    /// Round up (never understaff).
    #[default]
    Ceil,
    /// Round to nearest.
    Round,
    /// Round down.
    Floor,
}

impl Rounding {
    /// Applies the policy to a fractional FTE need.
    pub fn apply(self, fte: f64) -> f64 {
        // Guard against 3.0000000001 turning into 4 through float noise.
        let fte = (fte * 1e9).round() / 1e9;
        match self {
            Rounding::Ceil => fte.ceil(),
            Rounding::Round => fte.round(),
            Rounding::Floor => fte.floor(),
        }
    }
}

/// Which engine the portfolio may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    /// Heuristics first, then the exact MILP where the instance is small enough.
    #[default]
    Auto,
    /// Heuristics only.
    Heuristic,
    /// The exact MILP only (warm-started by a greedy construction).
    Milp,
}

impl EngineChoice {
    /// Whether the multi-start heuristics may run (beyond one greedy warm start).
    pub fn heuristics_allowed(self) -> bool {
        self != EngineChoice::Milp
    }

    /// Whether the exact MILP may run.
    pub fn milp_allowed(self) -> bool {
        self != EngineChoice::Heuristic
    }
}

/// What to do with an account whose `owner_id` is not an active rep on the roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UnknownOwner {
    /// Refuse the row (rejects.csv, or exit 1 when strict).
    #[default]
    Reject,
    /// Keep the row, treat the owner as departed: the account gets a new owner and counts as moved.
    Reassign,
}

/// The whole plan file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Plan {
    /// Header preset of a CRM export (`"salesforce"`), applied before `[columns]`.
    pub crm: Option<String>,
    /// What to optimise.
    pub objective: Objective,
    /// true: any refused row fails the run (exit 1) instead of going to rejects.csv.
    pub strict: bool,
    /// Header names of the input files (our name = header in the file).
    pub columns: Columns,
    /// Ordered segment rules; the first rule that matches an account wins.
    pub segments: Vec<SegmentRule>,
    /// Supporting roles (CSM, SE, …) for the capacity plan.
    pub roles: Vec<RoleSpec>,
    /// Balance metrics, weights and tolerance band.
    pub balance: Balance,
    /// Weight and budget of owner changes.
    pub disruption: Disruption,
    /// Weight of mean distance from rep home to account.
    pub compactness: Compactness,
    /// Weight of the pair costs of pairs.csv.
    pub pairs: Pairs,
    /// Headcount rounding policy for the capacity plan.
    pub capacity: Capacity,
    /// Input checks that can be relaxed.
    pub validation: Validation,
    /// Time limit, seed, threads, engine.
    pub solver: Solver,
    /// Roster changes: how a ramping rep counts.
    pub roster: Roster,
    /// Tier triggers and their hysteresis.
    pub tiers: crate::tiers::Tiers,
    /// Thresholds of the red flags (see [`crate::flags`]).
    pub red_flags: crate::flags::Thresholds,
    /// Productivity and cost assumptions for the plan's economics (`allot plan`, `compare`).
    #[serde(skip_serializing_if = "crate::economics::Economics::is_empty")]
    pub economics: crate::economics::Economics,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            crm: None,
            objective: Objective::Redesign,
            strict: false,
            columns: Columns::default(),
            segments: SegmentRule::seed_model(),
            roles: Vec::new(),
            balance: Balance::default(),
            disruption: Disruption::default(),
            compactness: Compactness::default(),
            pairs: Pairs::default(),
            capacity: Capacity::default(),
            validation: Validation::default(),
            solver: Solver::default(),
            roster: Roster::default(),
            tiers: crate::tiers::Tiers::default(),
            red_flags: crate::flags::Thresholds::default(),
            economics: crate::economics::Economics::default(),
        }
    }
}

/// Roster settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Roster {
    /// Share of their fte a rep with status `ramping` holds (0.5 = half of their book).
    pub ramp_fte: f64,
}

impl Default for Roster {
    fn default() -> Self {
        Roster { ramp_fte: 0.5 }
    }
}

/// Column mapping for each input file: our field name → header in the file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Columns {
    /// Mapping for accounts.csv.
    pub accounts: BTreeMap<String, String>,
    /// Mapping for reps.csv.
    pub reps: BTreeMap<String, String>,
    /// Mapping for pairs.csv.
    pub pairs: BTreeMap<String, String>,
}

/// One ordered segment rule. Conditions are alternatives (any one matches); no condition matches all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRule {
    /// Segment name, as reps.csv names it.
    pub name: String,
    /// Matches accounts with at least this many employees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees_at_least: Option<f64>,
    /// Matches accounts with at least this potential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub potential_at_least: Option<f64>,
    /// Accounts per rep, for the capacity plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    /// Compactness weight for this segment's owner role (overrides `[compactness] weight`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compactness: Option<f64>,
}

impl SegmentRule {
    /// The seed coverage model: enterprise / mid-market / growth / digital-led.
    pub fn seed_model() -> Vec<SegmentRule> {
        let rule = |name: &str, emp: Option<f64>, pot: Option<f64>, ratio: f64| SegmentRule {
            name: name.to_string(),
            employees_at_least: emp,
            potential_at_least: pot,
            ratio: Some(ratio),
            compactness: None,
        };
        vec![
            rule("enterprise", Some(1000.0), Some(100_000.0), 22.0),
            rule("mid-market", Some(250.0), Some(30_000.0), 75.0),
            rule("growth", Some(50.0), Some(10_000.0), 225.0),
            rule("digital-led", None, None, 800.0),
        ]
    }

    /// Whether the rule matches an account with these figures (missing figures never match).
    pub fn matches(&self, employees: Option<f64>, potential: Option<f64>) -> bool {
        self.matches_scaled(employees, potential, 1.0)
    }

    /// As [`SegmentRule::matches`] with every threshold multiplied by `scale`.
    pub fn matches_scaled(
        &self,
        employees: Option<f64>,
        potential: Option<f64>,
        scale: f64,
    ) -> bool {
        if self.employees_at_least.is_none() && self.potential_at_least.is_none() {
            return true;
        }
        let emp =
            matches!((self.employees_at_least, employees), (Some(t), Some(e)) if e >= t * scale);
        let pot =
            matches!((self.potential_at_least, potential), (Some(t), Some(p)) if p >= t * scale);
        emp || pot
    }
}

/// A supporting role covering one or more segments beside the owner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSpec {
    /// Role name, as the `role` column of reps.csv names it.
    pub name: String,
    /// Segments the role covers.
    pub covers: Vec<String>,
    /// Accounts per rep of this role.
    pub ratio: f64,
}

/// Balance goals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Balance {
    /// Tolerance band: every rep within ±band_pct % of target on each balanced metric.
    pub band_pct: f64,
    /// true: the band is a hard constraint in every objective; false: a reported target only.
    pub hard: bool,
    /// Metrics to balance.
    pub metrics: Vec<Metric>,
    /// Weight of each metric's max deviation in the objective (default 1).
    pub weights: BTreeMap<Metric, f64>,
}

impl Default for Balance {
    fn default() -> Self {
        Balance {
            band_pct: 2.0,
            hard: true,
            metrics: vec![Metric::Potential, Metric::Workload],
            weights: BTreeMap::new(),
        }
    }
}

impl Balance {
    /// The weight of a metric (1 unless set).
    pub fn weight(&self, m: Metric) -> f64 {
        self.weights.get(&m).copied().unwrap_or(1.0)
    }

    /// The band as a fraction (2.0 % → 0.02).
    pub fn band(&self) -> f64 {
        self.band_pct / 100.0
    }
}

/// Disruption: owner changes among accounts that had an owner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Disruption {
    /// Objective weight of the moved share (1.0 = moving every account costs as much as 100 % deviation).
    pub weight: f64,
    /// Count moved potential instead of moved accounts (the same as `measure = "potential"`).
    pub by_potential: bool,
    /// What disruption counts, in the objective and on the x axis of `allot frontier`:
    /// accounts, potential or workload (unset: `by_potential` decides).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<crate::constraint::Measure>,
    /// Disruption budget: at most this many accounts may change owner (none when absent).
    /// The search stays within it; when no assignment can, the run ends with exit 2.
    pub max_moves: Option<u64>,
    /// Disruption budget as a share of the accounts that have an owner, percent.
    pub max_moved_pct: Option<f64>,
    /// Disruption budget as a share of the owned accounts' potential, percent.
    pub max_moved_potential_pct: Option<f64>,
    /// Disruption budget as a share of the owned accounts' workload, percent.
    pub max_moved_workload_pct: Option<f64>,
    /// How a budget is shared between segments (solved apart): per segment name, the
    /// disruption it would make given the choice (`allot frontier` writes what the
    /// unconstrained solve moved). Each segment gets what it must move plus the rest of the
    /// budget in proportion to how far its share is above that; empty: in proportion to the
    /// owned measure.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub segment_shares: std::collections::BTreeMap<String, f64>,
}

impl Default for Disruption {
    fn default() -> Self {
        Disruption {
            weight: 0.01,
            by_potential: false,
            measure: None,
            max_moves: None,
            max_moved_pct: None,
            max_moved_potential_pct: None,
            max_moved_workload_pct: None,
            segment_shares: std::collections::BTreeMap::new(),
        }
    }
}

impl Disruption {
    /// What disruption counts: `measure`, else potential when `by_potential`, else accounts.
    pub fn measure(&self) -> crate::constraint::Measure {
        use crate::constraint::Measure;
        self.measure.unwrap_or(if self.by_potential {
            Measure::Potential
        } else {
            Measure::Accounts
        })
    }
}

/// Compactness: mean great-circle km from rep home to account, and the travel cap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Compactness {
    /// Objective weight per 100 km of mean distance (0 = ignore distance); segments may override.
    pub weight: f64,
    /// Travel cap: no account farther than this many km from its rep's home (where both
    /// have coordinates). None = no cap.
    pub max_km: Option<f64>,
}

/// Pair costs (pairs.csv): the `cost` objective minimises their total; the other objectives
/// add `weight` × the total.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Pairs {
    /// Objective weight of the total pair cost in redesign and rebalance (0 = ignore).
    pub weight: f64,
}

/// Capacity plan settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Capacity {
    /// How fractional FTE becomes headcount.
    pub rounding: Rounding,
}

/// Input checks that can be relaxed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Validation {
    /// What to do with an owner_id that is not an active rep.
    pub unknown_owner: UnknownOwner,
    /// Largest number of rows read from one file (protects the machine from runaway exports).
    pub max_rows: usize,
}

impl Default for Validation {
    fn default() -> Self {
        Validation {
            unknown_owner: UnknownOwner::Reject,
            max_rows: 2_000_000,
        }
    }
}

/// Solver settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Solver {
    /// Wall-clock limit of the search, in seconds (with a work limit, only a safety valve).
    pub time_limit_s: f64,
    /// Work limit of the search in work units (0 = none): the search stops when they are
    /// spent, so that the same input, plan and seed give the same answer on any machine.
    pub work_limit: u64,
    /// Master seed: same input, plan and seed give the same assignment.
    pub seed: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Which engines may run.
    pub engine: EngineChoice,
    /// Independent heuristic starts per segment.
    pub starts: usize,
    /// The exact MILP runs only on segments with at most this many unit×rep pairs
    /// (larger segments get an LP-relaxation bound instead).
    pub milp_max_pairs: usize,
    /// Branch-and-bound node limit of the exact MILP (a deterministic work limit).
    pub milp_node_limit: u64,
    /// Exact re-optimisations of a freed neighbourhood (large-neighbourhood search) per
    /// segment after the heuristic (0 = none).
    pub lns_iterations: usize,
    /// Account families freed per large-neighbourhood step.
    pub lns_free_units: usize,
    /// Segments with at most this many eligible (account family, rep) pairs list them all;
    /// larger ones list candidates per family and price the other eligible reps on demand.
    pub complete_pairs: usize,
    /// Candidates listed per account family beyond its owners when a segment is too large
    /// to list every pair: the nearest reps where distance counts, else a spread of them
    /// (0 = list every pair). Every eligible rep stays reachable either way.
    pub candidates: usize,
    /// true: only reproducible results (an exact solve stopped by the clock contributes its
    /// bound, not its incumbent); false: keep any better incumbent, flagged as not reproducible.
    pub deterministic: bool,
}

impl Default for Solver {
    fn default() -> Self {
        Solver {
            time_limit_s: 30.0,
            work_limit: 0,
            seed: 1,
            threads: 0,
            engine: EngineChoice::Auto,
            starts: 8,
            milp_max_pairs: 1_000,
            milp_node_limit: 500,
            lns_iterations: 400,
            lns_free_units: 120,
            complete_pairs: 200_000,
            candidates: 24,
            deterministic: true,
        }
    }
}

/// Why a plan could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The TOML did not parse or had a wrong key or type.
    #[error("{file}: {message}")]
    Syntax {
        /// The plan file.
        file: String,
        /// The parser's message (names line and column).
        message: String,
    },
    /// The plan parsed but a value is out of range.
    #[error("{file}: {field}: {message}")]
    Invalid {
        /// The plan file.
        file: String,
        /// Dotted key of the bad value.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl Plan {
    /// Parses a plan from TOML text; `file` names it in messages.
    pub fn from_toml(text: &str, file: &str) -> Result<Plan, PlanError> {
        let plan: Plan = toml::from_str(text).map_err(|e| PlanError::Syntax {
            file: file.to_string(),
            message: e.to_string().trim().replace('\n', "\n  "),
        })?;
        plan.validate(file)?;
        Ok(plan)
    }

    /// Checks value ranges that serde cannot express.
    pub fn validate(&self, file: &str) -> Result<(), PlanError> {
        let bad = |field: &str, message: String| {
            Err(PlanError::Invalid {
                file: file.to_string(),
                field: field.to_string(),
                message,
            })
        };
        if let Some(crm) = &self.crm
            && !crm.eq_ignore_ascii_case("salesforce")
        {
            return bad(
                "crm",
                format!("unknown preset {crm:?}; the known preset is \"salesforce\""),
            );
        }
        if self.segments.is_empty() {
            return bad(
                "segments",
                "at least one [[segments]] rule is needed".into(),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in self.segments.iter().enumerate() {
            let key = segment_key(&s.name);
            if key.is_empty() {
                return bad(&format!("segments[{i}].name"), "is empty".into());
            }
            if !seen.insert(key) {
                return bad(
                    &format!("segments[{i}].name"),
                    format!("segment {:?} is listed twice", s.name),
                );
            }
            for (field, v) in [
                ("employees_at_least", s.employees_at_least),
                ("potential_at_least", s.potential_at_least),
                ("compactness", s.compactness),
            ] {
                if let Some(v) = v
                    && !(v.is_finite() && v >= 0.0)
                {
                    return bad(
                        &format!("segments[{i}].{field}"),
                        format!("must be a number ≥ 0, got {v}"),
                    );
                }
            }
            if let Some(r) = s.ratio
                && !(r.is_finite() && r > 0.0)
            {
                return bad(
                    &format!("segments[{i}].ratio"),
                    format!("must be > 0 accounts per rep, got {r}"),
                );
            }
        }
        for (i, r) in self.roles.iter().enumerate() {
            if !(r.ratio.is_finite() && r.ratio > 0.0) {
                return bad(
                    &format!("roles[{i}].ratio"),
                    format!("must be > 0, got {}", r.ratio),
                );
            }
            for c in &r.covers {
                if !self
                    .segments
                    .iter()
                    .any(|s| segment_key(&s.name) == segment_key(c))
                {
                    return bad(
                        &format!("roles[{i}].covers"),
                        format!("{c:?} is not a segment of the plan"),
                    );
                }
            }
        }
        let b = &self.balance;
        if !(b.band_pct.is_finite() && b.band_pct >= 0.0) {
            return bad(
                "balance.band_pct",
                format!("must be ≥ 0, got {}", b.band_pct),
            );
        }
        if b.metrics.is_empty() && !self.objective.is_linear() {
            return bad(
                "balance.metrics",
                "list at least one of \"potential\", \"workload\", \"accounts\" (only the linear objectives rebalance, cost and travel may balance nothing)".into(),
            );
        }
        let d = &self.disruption;
        if d.by_potential
            && d.measure
                .is_some_and(|m| m != crate::constraint::Measure::Potential)
        {
            return bad(
                "disruption.measure",
                format!(
                    "\"{}\" contradicts by_potential = true; keep one of the two (measure = \"potential\" is the same as by_potential = true)",
                    d.measure().noun()
                ),
            );
        }
        for (field, v) in [
            ("disruption.max_moved_pct", d.max_moved_pct),
            (
                "disruption.max_moved_potential_pct",
                d.max_moved_potential_pct,
            ),
            (
                "disruption.max_moved_workload_pct",
                d.max_moved_workload_pct,
            ),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && (0.0..=100.0).contains(&v))
            {
                return bad(
                    field,
                    format!("must be a percentage from 0 to 100, got {v}"),
                );
            }
        }
        for (seg, v) in &d.segment_shares {
            if !(v.is_finite() && *v >= 0.0) {
                return bad(
                    "disruption.segment_shares",
                    format!("{seg:?} = {v}: a share must be a number ≥ 0"),
                );
            }
        }
        if let Some(km) = self.compactness.max_km
            && !(km.is_finite() && km > 0.0)
        {
            return bad(
                "compactness.max_km",
                format!("must be a distance > 0 km, got {km}"),
            );
        }
        for (m, w) in &b.weights {
            if !(w.is_finite() && *w >= 0.0) {
                return bad(
                    &format!("balance.weights.{}", m.name()),
                    format!("must be ≥ 0, got {w}"),
                );
            }
        }
        for (field, v) in [
            ("disruption.weight", self.disruption.weight),
            ("compactness.weight", self.compactness.weight),
            ("pairs.weight", self.pairs.weight),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(field, format!("must be ≥ 0, got {v}"));
            }
        }
        let s = &self.solver;
        if !(s.time_limit_s.is_finite() && s.time_limit_s > 0.0) {
            return bad(
                "solver.time_limit_s",
                format!("must be > 0 seconds, got {}", s.time_limit_s),
            );
        }
        if s.starts == 0 {
            return bad("solver.starts", "must be ≥ 1".into());
        }
        if self.validation.max_rows == 0 {
            return bad("validation.max_rows", "must be ≥ 1".into());
        }
        let r = self.roster.ramp_fte;
        if !(r.is_finite() && r > 0.0 && r <= 1.0) {
            return bad(
                "roster.ramp_fte",
                format!("must be a share of a book above 0 and at most 1, got {r}"),
            );
        }
        self.tiers
            .validate(self)
            .map_err(|(field, message)| PlanError::Invalid {
                file: file.to_string(),
                field,
                message,
            })?;
        if let Err((field, message)) = self.red_flags.validate() {
            return bad(&format!("red_flags.{field}"), message);
        }
        self.economics.validate(self, file)
    }

    /// The segment of an account on its own (its `segment` cell, else its previous tier and
    /// the plan's rules and triggers, see [`crate::tiers`]); `None` when no rule matches.
    /// Families and locks may still change it.
    pub fn segment_for(&self, a: &crate::rows::Account) -> Option<String> {
        crate::tiers::resolve(self, a).segment
    }

    /// The plan's name of a segment named in the data (matched like [`segment_key`]), else
    /// the name as written, trimmed.
    pub fn segment_name(&self, name: &str) -> String {
        self.segments
            .iter()
            .find(|r| segment_key(&r.name) == segment_key(name))
            .map_or_else(|| name.trim().to_string(), |r| r.name.clone())
    }

    /// Whether the plan has a segment of this name (matched like [`segment_key`]).
    pub fn has_segment(&self, name: &str) -> bool {
        let key = segment_key(name);
        !key.is_empty() && self.segments.iter().any(|r| segment_key(&r.name) == key)
    }

    /// The first segment rule matching the account's employees and potential, scaling
    /// every threshold by `scale` (1.0 = as written).
    pub fn rule_for(&self, a: &crate::rows::Account, scale: f64) -> Option<&SegmentRule> {
        let potential = a.potential_given.then_some(a.potential);
        self.segments
            .iter()
            .find(|r| r.matches_scaled(a.employees, potential, scale))
    }

    /// The compactness weight of a segment (its override, else the plan's).
    pub fn compactness_weight(&self, segment: &str) -> f64 {
        self.segments
            .iter()
            .find(|s| segment_key(&s.name) == segment_key(segment))
            .and_then(|s| s.compactness)
            .unwrap_or(self.compactness.weight)
    }
}

/// Normalised segment name for matching: lower case, spaces, `_` and `-` alike, trimmed.
pub fn segment_key(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            ' ' | '_' | '-' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The commented plan that `allot init` writes; it parses to [`Plan::default`].
pub const COMMENTED_PLAN: &str = include_str!("plan_template.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_plan_is_default() {
        let p = Plan::from_toml("", "plan.toml").expect("empty plan parses");
        assert_eq!(p, Plan::default());
    }

    #[test]
    fn template_parses_to_default() {
        let p = Plan::from_toml(COMMENTED_PLAN, "plan.toml").expect("template parses");
        assert_eq!(p, Plan::default());
    }

    #[test]
    fn unknown_key_is_refused() {
        let e = Plan::from_toml("[balance]\nband = 3\n", "plan.toml").unwrap_err();
        assert!(e.to_string().contains("band"), "{e}");
    }

    #[test]
    fn rules_are_alternatives() {
        let r = &SegmentRule::seed_model()[0];
        assert!(r.matches(Some(1000.0), None));
        assert!(r.matches(Some(10.0), Some(100_000.0)));
        assert!(!r.matches(Some(999.0), Some(99_999.0)));
        assert!(SegmentRule::seed_model()[3].matches(None, None));
    }

    #[test]
    fn rounding_ignores_float_noise() {
        assert_eq!(Rounding::Ceil.apply(3.000000000001), 3.0);
        assert_eq!(Rounding::Ceil.apply(3.41), 4.0);
    }
}
