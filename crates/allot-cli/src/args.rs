//! Command-line arguments (clap derive) and their turning into one validated run setup.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// allot — balanced, compact, low-disruption sales territories.
///
/// Exit codes: 0 done; 1 bad input or configuration (the message names file, row and
/// column); 2 infeasible (the message names the binding constraint); 3 time limit hit
/// before any feasible solution; 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "allot", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Only errors on stderr (the error line of a failed run is still printed; exit codes
    /// are unchanged).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// How stderr is written: auto (a progress display on a terminal, plain lines
    /// otherwise), plain, or json (one JSON object a line, for a planning server).
    #[arg(
        long = "log-format",
        value_name = "FORMAT",
        global = true,
        default_value = "auto"
    )]
    pub log_format: crate::term::LogFormat,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole pipeline on the bundled demo data (plan, balance, reports).
    #[command(after_help = "Examples:
  allot demo --out out/demo
  allot demo --out out/demo-seed-7 --seed 7 --threads 1
  allot demo --out out/demo-json --log-format json")]
    Demo(DemoArgs),
    /// Balance territories: assign every account to a rep (the main job).
    #[command(after_help = "Examples:
  allot balance --accounts data/demo/accounts.csv --reps data/demo/reps.csv --plan data/demo/plan.toml --out out/balance
  allot balance --accounts data/demo/accounts.csv --reps data/demo/reps.csv --plan data/demo/plan.toml --out out/balance-fast --work-limit 20000000 --quiet
  allot balance --accounts data/demo/accounts.csv --reps data/demo/reps.csv --out out/balance-default-plan --time-limit 3")]
    Balance(SolveArgs),
    /// Rebalance after a roster change: stay inside the bands with the fewest moves.
    #[command(after_help = "Examples:
  allot rebalance --accounts data/demo/accounts.csv --reps data/demo/reps.csv --plan data/demo/scenarios/fewest_moves.toml --out out/rebalance --work-limit 20000000
  allot rebalance --accounts data/demo/accounts.csv --reps data/demo/reps.csv --plan data/demo/plan.toml --out out/rebalance-seed-2 --seed 2 --log-format plain
  allot rebalance --accounts data/demo/accounts.csv --reps data/demo/reps.csv --plan data/demo/scenarios/fewest_moves.toml --decisions data/demo/decisions.csv --scope segment=growth --effective 2027-02-01 --out out/reviewed --work-limit 20000000")]
    Rebalance(SolveArgs),
    /// Coverage and capacity plan: FTE and headcount each segment needs vs the roster.
    #[command(after_help = "Examples:
  allot plan --accounts data/demo/accounts.csv --reps data/demo/reps.csv --plan data/demo/plan.toml --out out/plan
  allot plan --accounts data/demo/accounts.csv --reps data/demo/reps.csv --out out/plan-defaults")]
    Plan(InputArgs),
    /// Score the current owners with the same figures, and list red flags.
    #[command(after_help = "Examples:
  allot evaluate --accounts data/demo/accounts.csv --reps data/demo/reps.csv --plan data/demo/plan.toml --out out/today
  allot evaluate --accounts data/demo/accounts.csv --reps data/demo/reps.csv --out out/today-defaults --log-format json")]
    Evaluate(InputArgs),
    /// Scenarios side by side: balance the same data under each plan, compare the results.
    #[command(after_help = "Examples:
  allot compare data/demo/scenarios/baseline.toml data/demo/scenarios/fewest_moves.toml --accounts data/demo/accounts.csv --reps data/demo/reps.csv --out out/compare --work-limit 20000000
  allot compare data/demo/plan.toml data/demo/scenarios/fewest_moves.toml --accounts data/demo/accounts.csv --reps data/demo/reps.csv --out out/compare-3s --time-limit 3")]
    Compare(CompareArgs),
    /// Moves against the best reachable value: one solve per disruption budget, from the
    /// fewest moves possible to unconstrained (frontier.csv, frontier.md, frontier.html).
    #[command(after_help = "Examples:
  allot frontier --accounts data/demo/accounts.csv --reps data/demo/reps.csv --plan data/demo/plan.toml --points 5 --out out/frontier
  allot frontier --accounts data/demo/accounts.csv --reps data/demo/reps.csv --plan data/demo/plan.toml --points 5 --pick 3 --work-limit 10000000 --out out/frontier-pick
  allot frontier --accounts data/demo/accounts.csv --reps data/demo/reps.csv --plan data/demo/plan.toml --metric travel --points 4 --work-limit 10000000 --out out/frontier-travel")]
    Frontier(FrontierArgs),
    /// Write a synthetic instance (accounts.csv, reps.csv, plan.toml).
    #[command(after_help = "Examples:
  allot generate --n-accounts 5000 --out out/book
  allot generate --n-accounts 20000 --rep-mix ratio --geography metro --shared-office digital-led --out out/metro
  allot generate --n-accounts 5000 --skew 8 --leavers 1 --joiners 1 --out out/leave-and-join")]
    Generate(GenerateArgs),
    /// Write a commented plan.toml with every default.
    #[command(after_help = "Examples:
  allot init --out plan.toml
  allot init --out plan.toml --force")]
    Init(InitArgs),
    /// Benchmarks printing a table: `gap` = the public generalized-assignment instances
    /// against best-known values and against plain HiGHS given more time.
    #[command(after_help = "Examples:
  allot bench readme
  allot bench gap --files gap1 --time-limit 1 --peer-factor 0
  allot bench plan --accounts data/demo/accounts.csv --reps data/demo/reps.csv --plan data/demo/plan.toml --time-limit 2 --peer-factor 0")]
    Bench(BenchArgs),
    /// Print a shell completion script to stdout (bash, zsh, fish, powershell, elvish).
    #[command(after_help = "Examples:
  allot completions bash > ~/.local/share/bash-completion/completions/allot
  allot completions zsh > ~/.zfunc/_allot
  allot completions fish > ~/.config/fish/completions/allot.fish")]
    Completions(CompletionsArgs),
}

/// Arguments of `completions`.
#[derive(Debug, Args, Clone)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    pub shell: clap_complete::Shell,
}

/// Input files and output folder shared by the commands that read data.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Accounts CSV (a CRM export; map headers in plan.toml).
    #[arg(long, value_name = "FILE")]
    pub accounts: PathBuf,
    /// Reps CSV (the roster).
    #[arg(long, value_name = "FILE")]
    pub reps: PathBuf,
    /// Plan (TOML); every field has a default.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Pair costs (account_id, rep_id, cost, workload): only listed pairs are allowed.
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// The previous roster (same columns as --reps): reps missing today leave, reps new
    /// today join, FTE and segment changes are listed in the report.
    #[arg(long = "previous-reps", value_name = "FILE")]
    pub previous_reps: Option<PathBuf>,
    /// Planner decisions (account_id, decision = accept | reject | pin, rep_id for a pin,
    /// note): rejected moves keep today's owner, accepted ones keep the proposed rep, pins
    /// go where they say; everything else is re-optimised.
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
    /// A previous run's assignments.csv (the proposal the decisions are about): `accept`
    /// keeps its rep, and the run lists what else changed against it.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// Re-plan only part of the organisation: `region=West`, `segment=growth`, `rep=R1,R2`,
    /// `manager=M7`, `district=…` or `sales_region=…` (several values comma-separated).
    /// Everything outside keeps its previous rep (`--previous`, else owner_id).
    #[arg(long, value_name = "KEY=VALUE")]
    pub scope: Option<String>,
    /// The date the new territories take effect (2027-02-01): writes transition.csv, where
    /// an account with an open opportunity (columns open_opportunity, close_date) moves at
    /// the first boundary after its deal closes, the rest on this date.
    #[arg(long, value_name = "DATE", value_parser = parse_effective)]
    pub effective: Option<chrono::NaiveDate>,
    /// The boundaries deferred moves wait for: the first day of a month or of a quarter.
    #[arg(long, value_enum, default_value = "month")]
    pub boundary: Boundary,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
}

/// Boundaries of the transition plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Boundary {
    /// The first day of a month.
    #[default]
    Month,
    /// The first day of a quarter (January, April, July, October).
    Quarter,
}

/// Reads `--effective` as the accounts file's dates are read.
fn parse_effective(s: &str) -> Result<chrono::NaiveDate, String> {
    allot_model::io::parse_date(s)
        .ok_or_else(|| format!("{s:?} is not a date: write it as 2027-02-01"))
}

/// Solver settings that override the plan.
#[derive(Debug, Args, Clone, Default)]
pub struct SolverFlags {
    /// Time limit of the search in seconds (overrides [solver] time_limit_s); with a work
    /// limit only a safety valve.
    #[arg(long, value_name = "SECONDS")]
    pub time_limit: Option<f64>,
    /// Work limit in work units, 0 = none (overrides [solver] work_limit): the search stops
    /// when they are spent, so the same job gives the same territories on any machine, at
    /// any load and thread count.
    #[arg(long, value_name = "UNITS")]
    pub work_limit: Option<u64>,
    /// Seed (overrides [solver] seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads, 0 = all cores (overrides [solver] threads).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Arguments of `balance` and `rebalance`.
#[derive(Debug, Args, Clone)]
pub struct SolveArgs {
    /// Input files and output folder.
    #[command(flatten)]
    pub input: InputArgs,
    /// Solver overrides.
    #[command(flatten)]
    pub solver: SolverFlags,
    /// Disruption budget: at most this many owned accounts change owner (overrides
    /// [disruption] max_moves); reproduces a point of `allot frontier`.
    #[arg(long = "max-moves", value_name = "N")]
    pub max_moves: Option<u64>,
}

/// Arguments of `demo`.
#[derive(Debug, Args, Clone)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out/demo")]
    pub out: PathBuf,
    /// Solver overrides.
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// Arguments of `generate`.
#[derive(Debug, Args, Clone)]
pub struct GenerateArgs {
    /// Number of accounts.
    #[arg(long = "n-accounts", default_value_t = 5125)]
    pub n_accounts: usize,
    /// Number of reps (default: 19, or with --rep-mix ratio what the seed ratios imply).
    #[arg(long = "n-reps")]
    pub n_reps: Option<usize>,
    /// Where reps live: demo (homes at 19 metro centres, reps rotate over them) or metro
    /// (reps in proportion to each metro's accounts, homes within 10 km of its centre,
    /// accounts spread wider with a tail).
    #[arg(long, default_value = "demo")]
    pub geography: allot_model::synth::Geography,
    /// One tier whose reps all share one office (an inside-sales team), e.g. digital-led.
    #[arg(long = "shared-office", value_name = "TIER")]
    pub shared_office: Option<String>,
    /// Reps per tier: demo (4/5/6/4 of --n-reps) or ratio (accounts / seed ratio 22, 75, 225, 800).
    #[arg(long = "rep-mix", default_value = "demo")]
    pub rep_mix: allot_model::synth::RepMix,
    /// How much of today's books the first reps of each tier hold: 1 = the first rep
    /// twice the last; 8 = nine times.
    #[arg(long = "owner-skew", visible_alias = "skew", default_value_t = 1.0)]
    pub owner_skew: f64,
    /// Reps who leave (status leaving), drawn by the seed from tiers that keep another rep;
    /// the roster before the change is written as reps_previous.csv.
    #[arg(long, default_value_t = 0)]
    pub leavers: usize,
    /// New reps (status new, rep_id N01…) for the tiers with the most accounts per rep,
    /// each at the home of a rep of that tier; the roster before is reps_previous.csv.
    #[arg(long, default_value_t = 0)]
    pub joiners: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out/generated")]
    pub out: PathBuf,
}

/// Arguments of `init`.
#[derive(Debug, Args, Clone)]
pub struct InitArgs {
    /// Where to write the plan.
    #[arg(long, value_name = "FILE", default_value = "plan.toml")]
    pub out: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `bench`.
#[derive(Debug, Args, Clone)]
pub struct BenchArgs {
    /// Which suite: gap (OR-Library instances), demo (the bundled demo), scale (a generated
    /// instance), plan (--accounts, --reps and --plan as given), all (every README figure
    /// in benches/figures.toml, as records), readme (the README's table from records).
    pub suite: String,
    /// plan: the accounts file.
    #[arg(long, value_name = "FILE")]
    pub accounts: Option<PathBuf>,
    /// plan: the reps file.
    #[arg(long, value_name = "FILE")]
    pub reps: Option<PathBuf>,
    /// plan: the plan file (its objective, bands and rules; the time limit comes from --time-limit).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// scale: accounts of the generated instance.
    #[arg(long = "n-accounts", default_value_t = 100_000)]
    pub n_accounts: usize,
    /// scale: reps of the generated instance.
    #[arg(long = "n-reps", default_value_t = 350)]
    pub n_reps: usize,
    /// demo/scale: band of the rebalance scenario, percent.
    #[arg(long, default_value_t = 2.0)]
    pub band_pct: f64,
    /// Folder of the instances (default ../shared/bench/gap).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Only these files (e.g. gap1 gapa).
    #[arg(long, num_args = 1..)]
    pub files: Vec<String>,
    /// min or max.
    #[arg(long, default_value = "min")]
    pub sense: String,
    /// allot's time limit per problem, seconds.
    #[arg(long, default_value_t = 10.0)]
    pub time_limit: f64,
    /// The peer (plain HiGHS MILP) gets this many times allot's time limit.
    #[arg(long, default_value_t = 20.0)]
    pub peer_factor: f64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// allot without its exact engine (heuristics only).
    #[arg(long)]
    pub no_milp: bool,
    /// Heuristic starts per problem.
    #[arg(long, default_value_t = 8)]
    pub starts: usize,
    /// Keep a better incumbent of an exact solve stopped by the clock (plan: deterministic = false).
    #[arg(long)]
    pub nondeterministic: bool,
    /// all: where the records (records.json, records.csv), instances and runs go.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// all: the list of figures (default benches/figures.toml).
    #[arg(long, value_name = "FILE")]
    pub figures: Option<PathBuf>,
    /// all: only these figure ids.
    #[arg(long, num_args = 1..)]
    pub only: Vec<String>,
    /// readme: the records file (default benches/records.json).
    #[arg(long, value_name = "FILE")]
    pub records: Option<PathBuf>,
}

/// Arguments of `compare`.
#[derive(Debug, Args, Clone)]
pub struct CompareArgs {
    /// Plans to compare (TOML), at least two; each is run as `allot balance` would run it,
    /// into DIR/<plan file name without .toml>/.
    #[arg(value_name = "PLAN", required = true, num_args = 2..)]
    pub plans: Vec<PathBuf>,
    /// Accounts CSV (the same for every scenario).
    #[arg(long, value_name = "FILE")]
    pub accounts: PathBuf,
    /// Reps CSV (the same for every scenario).
    #[arg(long, value_name = "FILE")]
    pub reps: PathBuf,
    /// Pair costs, as for `balance` (the same for every scenario).
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// The previous roster, as for `balance` (the same for every scenario).
    #[arg(long = "previous-reps", value_name = "FILE")]
    pub previous_reps: Option<PathBuf>,
    /// Output folder: compare.csv, compare.md and one folder per scenario.
    #[arg(long, value_name = "DIR", default_value = "out/compare")]
    pub out: PathBuf,
    /// Solver overrides, applied to every scenario.
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// What `allot frontier` puts on the y axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FrontierMetric {
    /// The best balance (weighted max deviation; the band a reported target).
    Balance,
    /// The least total travel (km) within the bands (hard).
    Travel,
}

/// Arguments of `frontier`.
#[derive(Debug, Args, Clone)]
#[command(after_help = "Examples:
  allot frontier --accounts accounts.csv --reps reps.csv --plan plan.toml --out out/frontier --work-limit 20000000
  allot frontier --accounts accounts.csv --reps reps.csv --metric travel --points 5 --pick 3 --out out/frontier")]
pub struct FrontierArgs {
    /// Input files and output folder.
    #[command(flatten)]
    pub input: InputArgs,
    /// What to optimise at each budget: balance or travel.
    #[arg(long, value_enum, default_value = "balance")]
    pub metric: FrontierMetric,
    /// Points on the curve (budgets from the fewest moves possible — 0 unless leavers or
    /// hard bands force some — to unconstrained), at least 2.
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u64).range(2..=101))]
    pub points: u64,
    /// Also write point K's full output set (as `allot balance` writes it) into DIR/point-K/.
    #[arg(long, value_name = "K")]
    pub pick: Option<usize>,
    /// Points solved at once (default: half the threads, at least 1); the threads are split
    /// between them. The curve does not depend on it under a work limit.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Solver overrides; the time limit covers the whole curve (split per round of points),
    /// the work limit is each point's.
    #[command(flatten)]
    pub solver: SolverFlags,
}
