//! `allot bench gap`: the engines on the public generalized-assignment instances (OR-Library,
//! Beasley), against their best-known values and against the peer — the plain MILP of the
//! same model through HiGHS (no warm start, no heuristics of ours) given `--peer-factor`
//! times allot's time, measured in the same run. Every solution is re-checked from the raw
//! matrices (each job once, each agent within capacity) and its cost recomputed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use allot_opt::mip::{MipLimits, solve_mip};
use allot_opt::model::SegModel;
use allot_opt::{SearchContext, solve_model};

use crate::args::BenchArgs;
use crate::failure::Failure;

/// One generalized assignment problem: m agents, n jobs.
#[derive(Clone, Debug)]
pub struct Gap {
    /// Costs c[i][j].
    pub cost: Vec<Vec<i64>>,
    /// Resource use a[i][j].
    pub use_: Vec<Vec<i64>>,
    /// Capacities b[i].
    pub cap: Vec<i64>,
}

/// Parses an OR-Library gap file: P, then per problem m n, c (m×n), a (m×n), b (m).
pub fn parse_gap(text: &str) -> Result<Vec<Gap>, String> {
    let mut it = text.split_whitespace().map(|t| {
        t.parse::<i64>()
            .map_err(|_| format!("{t:?} is not an integer"))
    });
    let mut next = || {
        it.next()
            .unwrap_or_else(|| Err("file ends early".to_string()))
    };
    let p = next()?;
    let mut out = Vec::new();
    for _ in 0..p {
        let (m, n) = (next()? as usize, next()? as usize);
        if m == 0 || n == 0 || m > 10_000 || n > 1_000_000 {
            return Err(format!("implausible size {m} × {n}"));
        }
        let mut matrix = || -> Result<Vec<Vec<i64>>, String> {
            (0..m).map(|_| (0..n).map(|_| next()).collect()).collect()
        };
        let cost = matrix()?;
        let use_ = matrix()?;
        let cap = (0..m).map(|_| next()).collect::<Result<_, _>>()?;
        out.push(Gap { cost, use_, cap });
    }
    Ok(out)
}

impl Gap {
    /// The problem as a segment model; `maximise` negates the costs.
    pub fn model(&self, name: &str, maximise: bool) -> SegModel<'static> {
        let (m, n) = (self.cap.len(), self.cost[0].len());
        let mut pairs = Vec::with_capacity(m * n);
        for j in 0..n {
            for i in 0..m {
                let c = self.cost[i][j] as f64;
                pairs.push((j, i, if maximise { -c } else { c }, self.use_[i][j] as f64));
            }
        }
        let caps: Vec<f64> = self.cap.iter().map(|&b| b as f64).collect();
        SegModel::from_pairs(name, n, &caps, &pairs)
    }

    /// Independent check of an agent-per-job solution: Some(total cost) when every job has
    /// one agent and every agent is within capacity.
    pub fn check(&self, agent_of_job: &[usize]) -> Option<i64> {
        let m = self.cap.len();
        let mut used = vec![0i64; m];
        let mut total = 0;
        for (j, &i) in agent_of_job.iter().enumerate() {
            if i >= m {
                return None;
            }
            used[i] += self.use_[i][j];
            total += self.cost[i][j];
        }
        (agent_of_job.len() == self.cost[0].len()
            && used.iter().zip(&self.cap).all(|(u, b)| u <= b))
        .then_some(total)
    }
}

/// A best-known value from KNOWN.tsv.
struct Known {
    name: String,
    value: f64,
    proven: bool,
}

fn read_known(dir: &Path) -> Result<BTreeMap<(String, String), Known>, Failure> {
    let mut out = BTreeMap::new();
    let path = dir.join("KNOWN.tsv");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Failure::input(format!(
            "{}: cannot read the best-known values: {e}",
            path.display()
        ))
    })?;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() >= 7
            && let Ok(v) = f[5].parse::<f64>()
        {
            out.insert(
                (f[0].to_string(), f[4].to_string()),
                Known {
                    name: f[1].to_string(),
                    value: v,
                    proven: f[6].trim() == "yes",
                },
            );
        }
    }
    Ok(out)
}

/// One row of the table.
struct Row {
    instance: String,
    name: String,
    size: String,
    known: Option<f64>,
    /// Whether the best-known value is a proven optimum.
    known_proven: bool,
    ours: Option<i64>,
    ours_bound: f64,
    ours_proven: bool,
    ours_s: f64,
    peer: Option<i64>,
    /// How the peer ended (optimal, timelimit, …).
    peer_status: String,
    /// The peer's dual bound.
    peer_bound: Option<f64>,
    peer_s: f64,
}

fn pct_gap(value: Option<i64>, known: Option<f64>, maximise: bool) -> Option<f64> {
    let (v, k) = (value? as f64, known?);
    let g = if maximise {
        (k - v) / k.abs()
    } else {
        (v - k) / k.abs()
    };
    Some(g * 100.0)
}

fn agents(reps: &[u32]) -> Vec<usize> {
    reps.iter().map(|&r| r as usize).collect()
}

/// Runs `allot bench gap`.
pub fn run(args: &BenchArgs) -> Result<ExitCode, Failure> {
    match args.suite.as_str() {
        "gap" => {}
        "demo" | "scale" | "plan" => return super::bench_territory::run(args),
        "all" | "readme" => return super::bench_records::run(args),
        other => {
            return Err(Failure::input(format!(
                "unknown suite {other:?}; suites: gap, demo, scale, plan, all, readme"
            )));
        }
    }
    let rows = rows(args)?;
    let maximise = args.sense == "max";
    print!("{}", table(&rows, maximise, args));
    Ok(ExitCode::SUCCESS)
}

/// One GAP problem's result, for the benchmark records.
#[derive(Clone, Debug)]
pub struct GapResult {
    /// Gap to the best known value, percent (None without a solution or a known value).
    pub gap_pct: Option<f64>,
    /// Whether allot proved its solution optimal.
    pub proven: bool,
    /// Whether the best-known value is a proven optimum.
    pub known_proven: bool,
    /// allot's seconds.
    pub seconds: f64,
}

/// allot (no peer) on the GAP files `files` in `dir`, `time_limit` seconds each.
pub fn gap_rows(
    dir: &Path,
    files: &[String],
    time_limit: f64,
    seed: u64,
) -> Result<Vec<GapResult>, Failure> {
    use clap::Parser;
    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        args: BenchArgs,
    }
    let mut argv: Vec<String> = ["bench", "gap", "--peer-factor", "0", "--time-limit"]
        .map(String::from)
        .to_vec();
    argv.push(time_limit.to_string());
    argv.extend(["--seed".to_string(), seed.to_string(), "--dir".to_string()]);
    argv.push(dir.display().to_string());
    argv.push("--files".into());
    argv.extend(files.iter().cloned());
    let w = Wrap::try_parse_from(argv).map_err(|e| Failure::input(e.to_string()))?;
    let rows = rows(&w.args)?;
    Ok(rows
        .iter()
        .map(|r| GapResult {
            gap_pct: pct_gap(r.ours, r.known, false),
            proven: r.ours_proven,
            known_proven: r.known_proven,
            seconds: r.ours_s,
        })
        .collect())
}

/// Solves every problem of the suite's files (and the peer when asked).
fn rows(args: &BenchArgs) -> Result<Vec<Row>, Failure> {
    let dir: PathBuf = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("../shared/bench/gap"));
    let known = read_known(&dir)?;
    let files: Vec<String> = if args.files.is_empty() {
        (1..=12)
            .map(|i| format!("gap{i}.txt"))
            .chain(["gapa", "gapb", "gapc", "gapd"].map(|f| format!("{f}.txt")))
            .collect()
    } else {
        args.files
            .iter()
            .map(|f| {
                if f.ends_with(".txt") {
                    f.clone()
                } else {
                    format!("{f}.txt")
                }
            })
            .collect()
    };
    let maximise = args.sense == "max";
    let sense = if maximise { "max" } else { "min" };
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        args.threads
    };
    let mut rows = Vec::new();
    for file in &files {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        let problems =
            parse_gap(&text).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        for (k, g) in problems.iter().enumerate() {
            let instance = format!("{file}:{}", k + 1);
            let kn = known.get(&(instance.clone(), sense.to_string()));
            let m = g.model(&instance, maximise);
            let mut plan = allot_model::Plan::default();
            plan.solver.seed = args.seed;
            plan.solver.time_limit_s = args.time_limit;
            plan.solver.threads = threads;
            plan.solver.deterministic = !args.nondeterministic;
            let ctx = SearchContext::from_plan(&plan);
            let t = Instant::now();
            let ours = solve_model(&m, &ctx, args.starts, !args.no_milp).map_err(|e| Failure {
                code: 4,
                message: e.to_string(),
            })?;
            let ours_s = t.elapsed().as_secs_f64();
            let ours_value = g.check(&agents(&ours.rep_of));
            let t = Instant::now();
            let peer_run = solve_mip(
                &m,
                None,
                MipLimits::timed(args.time_limit * args.peer_factor, i32::MAX, false),
            )
            .ok();
            let peer_s = t.elapsed().as_secs_f64();
            let sign = if maximise { -1.0 } else { 1.0 };
            // The peer's own word on its answer: status and dual bound.
            let peer_status = peer_run.as_ref().map_or_else(
                || "failed".to_string(),
                |r| format!("{:?}", r.status).to_lowercase(),
            );
            let peer_bound = peer_run
                .as_ref()
                .map(|r| sign * r.bound)
                .filter(|b| b.is_finite());
            let peer = peer_run
                .and_then(|r| r.rep_of)
                .and_then(|reps| g.check(&agents(&reps)));
            let row = Row {
                instance,
                name: kn.map(|k| k.name.clone()).unwrap_or_default(),
                size: format!("{}×{}", g.cap.len(), g.cost[0].len()),
                known: kn.map(|k| k.value),
                known_proven: kn.is_some_and(|k| k.proven),
                ours: ours_value,
                ours_bound: sign * ours.outcome.bound,
                ours_proven: ours.outcome.status == allot_opt::Status::Optimal,
                ours_s,
                peer,
                peer_s,
                peer_status,
                peer_bound,
            };
            eprintln!(
                "{:<12} {:<8} ours {:>8} ({:>6.3}%, {:>5.2}s{})  peer {:>8} ({:>6.3}%, {:>6.2}s)",
                row.instance,
                row.size,
                row.ours
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "-".into()),
                pct_gap(row.ours, row.known, maximise).unwrap_or(f64::NAN),
                row.ours_s,
                if row.ours_proven { ", proven" } else { "" },
                row.peer
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "-".into()),
                pct_gap(row.peer, row.known, maximise).unwrap_or(f64::NAN),
                row.peer_s,
            );
            rows.push(row);
        }
    }
    Ok(rows)
}

fn table(rows: &[Row], maximise: bool, args: &BenchArgs) -> String {
    let mut s = format!(
        "\n| instance | name | m×n | best known | allot | gap % | proven | bound | s | HiGHS ×{} | gap % | status | bound | s |\n|---|---|---|---:|---:|---:|:---:|---:|---:|---:|---:|---|---:|---:|\n",
        args.peer_factor
    );
    let f = |x: Option<f64>| x.map(|v| format!("{v:.3}")).unwrap_or_else(|| "-".into());
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.1} | {:.2} | {} | {} | {} | {} | {:.2} |\n",
            r.instance,
            r.name,
            r.size,
            r.known
                .map(|k| format!("{k}"))
                .unwrap_or_else(|| "-".into()),
            r.ours
                .map(|v| v.to_string())
                .unwrap_or_else(|| "infeasible".into()),
            f(pct_gap(r.ours, r.known, maximise)),
            if r.ours_proven { "yes" } else { "" },
            r.ours_bound,
            r.ours_s,
            r.peer
                .map(|v| v.to_string())
                .unwrap_or_else(|| "none".into()),
            f(pct_gap(r.peer, r.known, maximise)),
            r.peer_status,
            r.peer_bound
                .map_or_else(|| "-".into(), |b| format!("{b:.1}")),
            r.peer_s,
        ));
    }
    let gaps: Vec<f64> = rows
        .iter()
        .filter_map(|r| pct_gap(r.ours, r.known, maximise))
        .collect();
    let peer_gaps: Vec<f64> = rows
        .iter()
        .filter_map(|r| pct_gap(r.peer, r.known, maximise))
        .collect();
    let within = gaps.iter().filter(|g| **g <= 0.3 + 1e-9).count();
    let proven = rows.iter().filter(|r| r.ours_proven).count();
    let not_worse = rows
        .iter()
        .filter(|r| match (r.ours, r.peer) {
            (Some(o), Some(p)) => {
                if maximise {
                    o >= p
                } else {
                    o <= p
                }
            }
            (Some(_), None) => true,
            _ => false,
        })
        .count();
    let mut times: Vec<f64> = rows.iter().map(|r| r.ours_s).collect();
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
    s.push_str(&format!(
        "\n{} problems, time limit {} s, seed {}: within 0.3% of best known {within}/{}; proven optimal {proven}; \
         not worse than HiGHS×{} {not_worse}/{}; mean gap allot {:.3}% vs HiGHS {:.3}%; median time {median:.2} s\n",
        rows.len(),
        args.time_limit,
        args.seed,
        gaps.len(),
        args.peer_factor,
        rows.len(),
        gaps.iter().sum::<f64>() / gaps.len().max(1) as f64,
        peer_gaps.iter().sum::<f64>() / peer_gaps.len().max(1) as f64,
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// gap1 problem 1 (c515-1, 5 agents × 15 jobs): the engines prove the published optimum
    /// 261, and the independent check of the raw matrices agrees with the claimed cost.
    #[test]
    fn proves_the_published_optimum_of_gap1_1() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/gap/gap1.txt");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "test data {} is missing or unreadable ({e}); it ships in ../shared/bench/gap",
                path.display()
            )
        });
        let g = &parse_gap(&text).unwrap()[0];
        let m = g.model("gap1:1", false);
        let mut plan = allot_model::Plan::default();
        plan.solver.time_limit_s = 60.0;
        plan.solver.threads = 2;
        let ctx = SearchContext::from_plan(&plan);
        let r = solve_model(&m, &ctx, 4, true).unwrap();
        assert_eq!(g.check(&agents(&r.rep_of)), Some(261));
        assert!(
            (r.outcome.objective - 261.0).abs() < 1e-6,
            "claimed {}",
            r.outcome.objective
        );
        assert_eq!(r.outcome.status, allot_opt::Status::Optimal);
        assert!(r.outcome.bound <= 261.0 + 1e-6);
    }

    #[test]
    fn parses_and_checks_a_tiny_problem() {
        let g = &parse_gap("1\n2 3\n1 2 3\n3 2 1\n1 1 1\n1 1 1\n2 2\n").unwrap()[0];
        assert_eq!(g.check(&[0, 0, 1]), Some(1 + 2 + 1));
        assert_eq!(g.check(&[0, 0, 0]), None, "agent 0 over capacity");
        assert!(parse_gap("1\n2 3\n1 2").is_err());
    }
}
