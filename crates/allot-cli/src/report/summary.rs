//! summary.json: the figures of a run for machines, and the red flags a leader should see.

use allot_model::Metric;
use allot_model::figures::Figures;
use allot_model::flags::RedFlag;
use serde::Serialize;

use crate::load::InputFile;

/// Balance of one metric in one segment.
#[derive(Clone, Debug, Serialize)]
pub struct MetricBalance {
    /// Segment total.
    pub total: f64,
    /// max |deviation| in percent.
    pub max_abs_deviation_pct: f64,
    /// Coefficient of variation of fte-normalised loads.
    pub cv: f64,
    /// Max / min of fte-normalised loads.
    pub max_min_ratio: Option<f64>,
}

/// One segment's figures and how its solve went.
#[derive(Clone, Debug, Serialize)]
pub struct SegmentSummary {
    /// Name.
    pub name: String,
    /// Reps taking accounts.
    pub reps: usize,
    /// Accounts.
    pub accounts: usize,
    /// Balance per metric.
    pub potential: MetricBalance,
    /// Balance of workload.
    pub workload: MetricBalance,
    /// Balance of account count.
    pub account_count: MetricBalance,
    /// All balanced metrics within the band.
    pub within_band: bool,
    /// Owner changes.
    pub moved_accounts: usize,
    /// Mean km rep home to account.
    pub mean_km: Option<f64>,
    /// Solve details, when a solve ran.
    pub solve: Option<allot_opt::SegmentOutcome>,
}

/// Owner changes.
#[derive(Clone, Debug, Serialize)]
pub struct Moves {
    /// Accounts that had an owner.
    pub owned_accounts: usize,
    /// Of those, accounts whose owner changes.
    pub moved_accounts: usize,
    /// Moved share in percent.
    pub moved_pct: f64,
    /// Potential of the moved accounts.
    pub moved_potential: f64,
    /// Workload of the moved accounts (their own accounts.csv workload).
    pub moved_workload: f64,
}

/// Timings in seconds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Timings {
    /// Reading and checking the input.
    pub read_s: f64,
    /// Searching.
    pub solve_s: f64,
    /// Writing the outputs.
    pub write_s: f64,
    /// Peak resident memory of the process so far, MB (Linux; None elsewhere).
    pub peak_rss_mb: Option<f64>,
}

/// Peak resident memory of this process so far in MB (VmHWM), where the system says.
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The whole of summary.json.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// allot version.
    pub version: String,
    /// Command that ran.
    pub command: String,
    /// done | infeasible | time_limit | interrupted | evaluated | …
    pub status: String,
    /// Objective of the assignment (see README: Figures).
    pub objective: Option<f64>,
    /// Proven lower bound on the objective.
    pub lower_bound: Option<f64>,
    /// objective − lower_bound.
    pub gap_abs: Option<f64>,
    /// gap_abs / objective.
    pub gap_rel: Option<f64>,
    /// Engines whose solutions were kept.
    pub engine: Option<String>,
    /// Seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Whether the same input, plan and seed are guaranteed to reproduce the assignment.
    pub reproducible: bool,
    /// Work units the search spent: with the same input, plan, seed and this as
    /// `--work-limit`, any machine repeats a reproducible run.
    pub work: Option<u64>,
    /// The work limit the search ran under (None: the clock limited it).
    pub work_limit: Option<u64>,
    /// Accounts accepted.
    pub accounts: usize,
    /// Reps accepted.
    pub reps: usize,
    /// Rows refused (see rejects.csv).
    pub refused_rows: usize,
    /// Rows used with a correction.
    pub warnings: usize,
    /// Owner changes.
    pub moves: Moves,
    /// Mean km rep home to account, all segments.
    pub mean_km: Option<f64>,
    /// Total pairs.csv cost of the assignment (when a pairs file was given).
    pub pair_cost: Option<f64>,
    /// Per segment.
    pub segments: Vec<SegmentSummary>,
    /// What a leader should look at: code, book, figure, threshold, message (README: Red flags).
    pub red_flags: Vec<RedFlag>,
    /// Roster changes: leavers, joiners, reps on leave or ramping, FTE and segment changes.
    pub roster: allot_model::roster::RosterChanges,
    /// Accounts whose tier changes (tier_changes.csv lists each).
    pub tier_changes: super::changes::TierCounts,
    /// Planner decisions honoured and changes against the proposal (`--decisions`,
    /// `--previous`; null without them).
    pub decisions: Option<crate::decisions::DecisionCounts>,
    /// When the changes take effect (`--effective`; transition.csv lists each).
    pub transition: Option<super::transition::TransitionCounts>,
    /// Input files with hashes.
    pub inputs: Vec<InputFile>,
    /// The plan as applied (defaults and overrides filled in).
    pub plan: allot_model::Plan,
    /// Seconds.
    pub timings: Timings,
}

impl Summary {
    /// A summary of an assignment's figures, without solve details (those are filled in by
    /// the solving commands).
    pub fn of_figures(
        command: &str,
        status: &str,
        loaded: &crate::load::Loaded,
        f: &Figures,
        red_flags: Vec<RedFlag>,
        plan_path: Option<&std::path::PathBuf>,
    ) -> Summary {
        let p = &loaded.built.problem;
        Summary {
            version: env!("CARGO_PKG_VERSION").to_string(),
            command: command.to_string(),
            status: status.to_string(),
            objective: None,
            lower_bound: None,
            gap_abs: None,
            gap_rel: None,
            engine: None,
            seed: p.plan.solver.seed,
            threads: 0,
            reproducible: true,
            work: None,
            work_limit: None,
            accounts: p.accounts.len(),
            reps: p.reps.len(),
            refused_rows: loaded.refused.len() + loaded.built.refused.len(),
            warnings: loaded.warnings.len(),
            moves: moves(f),
            mean_km: f.mean_km,
            pair_cost: f.pair_cost,
            segments: segments(f, None),
            red_flags,
            roster: loaded.roster.clone(),
            tier_changes: super::changes::tier_counts(p),
            decisions: None,
            transition: None,
            inputs: loaded.inputs_with_plan(plan_path),
            plan: p.plan.clone(),
            timings: Timings {
                read_s: loaded.read_s,
                ..Timings::default()
            },
        }
    }
}

fn balance(s: &allot_model::figures::SegmentFigures, m: Metric) -> MetricBalance {
    let k = m.slot();
    MetricBalance {
        total: s.total[k],
        max_abs_deviation_pct: s.max_abs_deviation[k] * 100.0,
        cv: s.cv[k],
        max_min_ratio: s.max_min_ratio[k],
    }
}

/// Per-segment summaries.
pub fn segments(f: &Figures, solve: Option<&allot_opt::SolveOutcome>) -> Vec<SegmentSummary> {
    f.segments
        .iter()
        .enumerate()
        .map(|(i, s)| SegmentSummary {
            name: s.name.clone(),
            reps: s.reps,
            accounts: s.accounts,
            potential: balance(s, Metric::Potential),
            workload: balance(s, Metric::Workload),
            account_count: balance(s, Metric::Accounts),
            within_band: s.within_band,
            moved_accounts: s.moved_accounts,
            mean_km: s.mean_km,
            solve: solve.and_then(|o| o.segments.get(i).cloned()),
        })
        .collect()
}

/// The moves block.
pub fn moves(f: &Figures) -> Moves {
    Moves {
        owned_accounts: f.owned_accounts,
        moved_accounts: f.moved_accounts,
        moved_pct: if f.owned_accounts > 0 {
            f.moved_accounts as f64 * 100.0 / f.owned_accounts as f64
        } else {
            0.0
        },
        moved_potential: f.moved_potential,
        moved_workload: f.moved_workload,
    }
}
