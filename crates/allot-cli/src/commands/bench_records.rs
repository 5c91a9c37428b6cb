//! `allot bench all` and `allot bench readme`: every benchmark figure the README quotes as a
//! record. `benches/figures.toml` lists each figure with its instance (the demo, a generator
//! setting, or files in the repo), its plan file and its command line; `bench all` re-runs
//! them and writes `records.json` and `records.csv` with the machine, the commit, the plan
//! text and the command line of each; `bench readme` prints the README's table from a
//! records file (a test keeps the README equal to it).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::args::BenchArgs;
use crate::failure::Failure;

/// The list of figures (`benches/figures.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The figures, in README order.
    pub figure: Vec<Figure>,
}

/// One figure: an instance, a plan and a command, or a public GAP benchmark set.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// Short stable name.
    pub id: String,
    /// What the README calls it.
    pub title: String,
    /// `balance` or `rebalance` (a run of the product), or `gap` (the GAP benchmark).
    pub command: String,
    /// `demo` (the bundled demo), a folder with accounts.csv and reps.csv (relative to the
    /// repository), or `generate` (made with `generate` below).
    #[serde(default)]
    pub instance: Option<String>,
    /// `allot generate` arguments (without `--out`).
    #[serde(default)]
    pub generate: Vec<String>,
    /// The plan file (relative to the repository).
    #[serde(default)]
    pub plan: Option<String>,
    /// Further arguments of the command (e.g. `--time-limit 1`).
    #[serde(default)]
    pub args: Vec<String>,
    /// Seconds given to the peer (the plain HiGHS MILP of each segment, in the same run).
    #[serde(default)]
    pub peer_seconds: Option<f64>,
    /// gap: the instance files (e.g. gap1 … gap12, gapd) in `../shared/bench/gap`.
    #[serde(default)]
    pub files: Vec<String>,
}

/// The machine a records file was measured on.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Machine {
    /// CPU model (from /proc/cpuinfo where there is one).
    pub cpu: String,
    /// Logical CPUs.
    pub cpus: usize,
    /// Memory in GB.
    pub memory_gb: Option<f64>,
    /// Operating system.
    pub os: String,
}

/// What one figure measured.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Measured {
    /// The product's status (summary.json) or the GAP summary.
    pub status: String,
    /// Objective and proven lower bound.
    pub objective: Option<f64>,
    /// Lower bound.
    pub lower_bound: Option<f64>,
    /// Relative gap.
    pub gap_rel: Option<f64>,
    /// Worst |deviation| from target per balanced metric, percent (name, value).
    pub max_dev_pct: Vec<(String, f64)>,
    /// Accounts moved.
    pub moves: Option<u64>,
    /// Mean km rep home → account.
    pub mean_km: Option<f64>,
    /// Wall seconds of the whole command.
    pub wall_s: f64,
    /// Peak memory, MB.
    pub peak_rss_mb: Option<f64>,
    /// Whether the run repeats (summary.json).
    pub reproducible: Option<bool>,
    /// Work units spent.
    pub work: Option<u64>,
    /// The peer's status, objective, bound, mean km and seconds, when run.
    pub peer: Option<Peer>,
    /// gap: problems, within 0.3 % of the best known, proven optimal, mean and worst gap %,
    /// median seconds.
    pub gap: Option<GapSummary>,
}

/// The peer's result on a figure.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Peer {
    /// optimal, time limit, node limit, infeasible, no solution (…).
    pub status: String,
    /// Objective of its assignment.
    pub objective: Option<f64>,
    /// HiGHS's dual bound (Σ over segments).
    pub bound: Option<f64>,
    /// Mean km of its assignment.
    pub mean_km: Option<f64>,
    /// Seconds.
    pub seconds: f64,
}

/// A GAP benchmark set's summary.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct GapSummary {
    /// Problems solved.
    pub problems: usize,
    /// Within 0.3 % of the best known value.
    pub within: usize,
    /// Proven optimal by allot.
    pub proven: usize,
    /// Problems whose best-known value is a proven optimum.
    pub known_proven: usize,
    /// Mean gap to the best known, percent.
    pub mean_gap_pct: f64,
    /// Worst gap to the best known, percent.
    pub worst_gap_pct: f64,
    /// Median seconds per problem.
    pub median_s: f64,
}

/// One figure's record.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Record {
    /// The figure as listed.
    pub figure: Figure,
    /// The command line that ran (paths relative to the records folder).
    pub command_line: String,
    /// The plan's text.
    pub plan_text: Option<String>,
    /// What it measured.
    pub measured: Measured,
}

/// A records file.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Records {
    /// allot version.
    pub version: String,
    /// git commit of the tree (`git rev-parse HEAD`, "+dirty" with local changes).
    pub commit: String,
    /// When (UTC, from `date -u`).
    pub date: String,
    /// The machine.
    pub machine: Machine,
    /// The command that made the file.
    pub command_line: String,
    /// The figures.
    pub records: Vec<Record>,
}

/// Runs `allot bench all` or `allot bench readme`.
pub fn run(args: &BenchArgs) -> Result<ExitCode, Failure> {
    if args.suite == "readme" {
        let path = args
            .records
            .clone()
            .unwrap_or_else(|| PathBuf::from("benches/records.json"));
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::input(format!("{}: cannot read: {e}", path.display())))?;
        let records: Records = serde_json::from_str(&text)
            .map_err(|e| Failure::input(format!("{}: not a records file: {e}", path.display())))?;
        print!("{}", readme_table(&records));
        return Ok(ExitCode::SUCCESS);
    }
    let manifest_path = args
        .figures
        .clone()
        .unwrap_or_else(|| PathBuf::from("benches/figures.toml"));
    let manifest = read_manifest(&manifest_path)?;
    let repo = manifest_path
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let out = args
        .out
        .clone()
        .ok_or_else(|| Failure::input("allot bench all needs --out DIR"))?;
    std::fs::create_dir_all(&out)
        .map_err(|e| Failure::input(format!("{}: cannot create: {e}", out.display())))?;
    let mut records = Vec::new();
    for f in &manifest.figure {
        if !args.only.is_empty() && !args.only.contains(&f.id) {
            continue;
        }
        eprintln!("== {}: {}", f.id, f.title);
        let r = if f.command == "gap" {
            run_gap(f, &repo)?
        } else {
            run_solve(f, &repo, &out)?
        };
        records.push(r);
    }
    let all = Records {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: commit(&repo),
        date: shell(&["date", "-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default(),
        machine: machine(),
        command_line: std::env::args().collect::<Vec<_>>().join(" "),
        records,
    };
    let json = serde_json::to_vec_pretty(&all).map_err(|e| Failure::input(e.to_string()))?;
    crate::report::write_atomic(&out, "records.json", &json)
        .map_err(|e| Failure::input(e.to_string()))?;
    crate::report::write_atomic(&out, "records.csv", records_csv(&all).as_bytes())
        .map_err(|e| Failure::input(e.to_string()))?;
    print!("{}", readme_table(&all));
    eprintln!("records in {}", out.join("records.json").display());
    Ok(ExitCode::SUCCESS)
}

/// Reads and checks `benches/figures.toml`.
pub fn read_manifest(path: &Path) -> Result<Manifest, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::input(format!("{}: cannot read: {e}", path.display())))?;
    let m: Manifest =
        toml::from_str(&text).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    let mut seen = std::collections::BTreeSet::new();
    for f in &m.figure {
        if !seen.insert(f.id.clone()) {
            return Err(Failure::input(format!(
                "{}: figure id {:?} appears twice",
                path.display(),
                f.id
            )));
        }
        match f.command.as_str() {
            "gap" if !f.files.is_empty() => {}
            "balance" | "rebalance" if f.plan.is_some() && f.instance.is_some() => {}
            _ => {
                return Err(Failure::input(format!(
                    "{}: figure {:?}: command must be gap (with files) or balance/rebalance (with instance and plan)",
                    path.display(),
                    f.id
                )));
            }
        }
    }
    Ok(m)
}

/// The instance files of a figure: (accounts, reps), generated into `out` when asked.
fn instance(f: &Figure, repo: &Path, out: &Path) -> Result<(PathBuf, PathBuf), Failure> {
    match f.instance.as_deref() {
        Some("demo") => Ok((
            repo.join("data/demo/accounts.csv"),
            repo.join("data/demo/reps.csv"),
        )),
        Some("generate") => {
            // Instances are cached by their generator settings.
            let key: String = f
                .generate
                .iter()
                .map(|a| a.trim_start_matches('-'))
                .collect::<Vec<_>>()
                .join("-")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let dir = out.join("instances").join(key);
            if !dir.join("reps.csv").is_file() {
                let status = Command::new(std::env::current_exe().map_err(io)?)
                    .arg("generate")
                    .args(&f.generate)
                    .arg("--out")
                    .arg(&dir)
                    .stderr(std::process::Stdio::null())
                    .status()
                    .map_err(io)?;
                if !status.success() {
                    return Err(Failure::input(format!(
                        "figure {}: allot generate {} failed",
                        f.id,
                        f.generate.join(" ")
                    )));
                }
            }
            Ok((dir.join("accounts.csv"), dir.join("reps.csv")))
        }
        Some(folder) => Ok((
            repo.join(folder).join("accounts.csv"),
            repo.join(folder).join("reps.csv"),
        )),
        None => Err(Failure::input(format!("figure {}: no instance", f.id))),
    }
}

fn io(e: std::io::Error) -> Failure {
    Failure::input(e.to_string())
}

/// Runs a balance/rebalance figure as its own process and reads its summary.json.
fn run_solve(f: &Figure, repo: &Path, out: &Path) -> Result<Record, Failure> {
    let (accounts, reps) = instance(f, repo, out)?;
    let plan = repo.join(f.plan.as_deref().unwrap_or_default());
    let plan_text = std::fs::read_to_string(&plan)
        .map_err(|e| Failure::input(format!("{}: cannot read: {e}", plan.display())))?;
    let run_out = out.join("runs").join(&f.id);
    let mut cmd = Command::new(std::env::current_exe().map_err(io)?);
    cmd.arg(&f.command)
        .arg("--accounts")
        .arg(&accounts)
        .arg("--reps")
        .arg(&reps)
        .arg("--plan")
        .arg(&plan)
        .arg("--out")
        .arg(&run_out)
        .args(&f.args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let t = Instant::now();
    let status = cmd.status().map_err(io)?;
    let wall_s = t.elapsed().as_secs_f64();
    let summary_path = run_out.join("summary.json");
    let text = std::fs::read_to_string(&summary_path).map_err(|e| {
        Failure::input(format!(
            "figure {}: allot {} exited {:?} without {}: {e}",
            f.id,
            f.command,
            status.code(),
            summary_path.display()
        ))
    })?;
    let s: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Failure::input(e.to_string()))?;
    let mut m = Measured {
        status: s["status"].as_str().unwrap_or("").to_string(),
        objective: s["objective"].as_f64(),
        lower_bound: s["lower_bound"].as_f64(),
        gap_rel: s["gap_rel"].as_f64(),
        moves: s["moves"]["moved_accounts"].as_u64(),
        mean_km: s["mean_km"].as_f64(),
        wall_s,
        peak_rss_mb: s["timings"]["peak_rss_mb"].as_f64(),
        reproducible: s["reproducible"].as_bool(),
        work: s["work"].as_u64(),
        ..Measured::default()
    };
    for (metric, key) in [
        ("potential", "potential"),
        ("workload", "workload"),
        ("accounts", "account_count"),
    ] {
        let worst = s["segments"]
            .as_array()
            .map(|v| v.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|g| g[key]["max_abs_deviation_pct"].as_f64())
            .fold(None, |a: Option<f64>, x| Some(a.map_or(x, |a| a.max(x))));
        if let Some(w) = worst
            && s["plan"]["balance"]["metrics"]
                .as_array()
                .is_some_and(|ms| ms.iter().any(|x| x == metric))
        {
            m.max_dev_pct.push((metric.to_string(), w));
        }
    }
    if let Some(secs) = f.peer_seconds {
        m.peer = super::bench_territory::peer_on_files(&accounts, &reps, &plan, secs)?;
    }
    let rel = |p: &Path| {
        p.strip_prefix(out)
            .or_else(|_| p.strip_prefix(repo))
            .unwrap_or(p)
            .display()
            .to_string()
    };
    let command_line = format!(
        "allot {} --accounts {} --reps {} --plan {} --out {} {}",
        f.command,
        rel(&accounts),
        rel(&reps),
        rel(&plan),
        rel(&run_out),
        f.args.join(" ")
    );
    Ok(Record {
        figure: f.clone(),
        command_line: command_line.trim_end().to_string(),
        plan_text: Some(plan_text),
        measured: m,
    })
}

/// Runs a GAP figure in this process.
fn run_gap(f: &Figure, repo: &Path) -> Result<Record, Failure> {
    let dir = repo.join("../shared/bench/gap");
    let time_limit = f
        .args
        .windows(2)
        .find(|w| w[0] == "--time-limit")
        .and_then(|w| w[1].parse().ok())
        .unwrap_or(10.0);
    let t = Instant::now();
    let rows = super::bench::gap_rows(&dir, &f.files, time_limit, 1)?;
    let wall_s = t.elapsed().as_secs_f64();
    let gaps: Vec<f64> = rows.iter().filter_map(|r| r.gap_pct).collect();
    let mut times: Vec<f64> = rows.iter().map(|r| r.seconds).collect();
    times.sort_by(f64::total_cmp);
    let summary = GapSummary {
        problems: rows.len(),
        within: gaps.iter().filter(|g| **g <= 0.3 + 1e-9).count(),
        proven: rows.iter().filter(|r| r.proven).count(),
        known_proven: rows.iter().filter(|r| r.known_proven).count(),
        mean_gap_pct: gaps.iter().sum::<f64>() / gaps.len().max(1) as f64,
        worst_gap_pct: gaps.iter().copied().fold(0.0, f64::max),
        median_s: times.get(times.len() / 2).copied().unwrap_or(0.0),
    };
    Ok(Record {
        figure: f.clone(),
        command_line: format!(
            "allot bench gap --files {} --time-limit {time_limit} --peer-factor 0",
            f.files.join(" ")
        ),
        plan_text: None,
        measured: Measured {
            status: if gaps.len() == rows.len() {
                "done".into()
            } else {
                "some problems without a solution".into()
            },
            wall_s,
            gap: Some(summary),
            ..Measured::default()
        },
    })
}

fn shell(args: &[&str]) -> Option<String> {
    let o = Command::new(args[0]).args(&args[1..]).output().ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

fn commit(repo: &Path) -> String {
    let dir = repo.display().to_string();
    let dir = if dir.is_empty() { ".".into() } else { dir };
    let head = shell(&["git", "-C", &dir, "rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = shell(&[
        "git",
        "-C",
        &dir,
        "status",
        "--porcelain",
        "--untracked-files=no",
    ])
    .is_some_and(|s| !s.is_empty());
    if dirty { format!("{head}+dirty") } else { head }
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let memory_gb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| (kb / 1024.0 / 1024.0 * 10.0).round() / 10.0);
    Machine {
        cpu,
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_gb,
        os: std::env::consts::OS.to_string(),
    }
}

fn opt(x: Option<f64>, digits: usize) -> String {
    x.map(|v| format!("{v:.digits$}"))
        .unwrap_or_else(|| "-".into())
}

/// A figure's result in words, as the README shows it.
pub fn result_text(m: &Measured) -> String {
    if let Some(g) = &m.gap {
        return format!(
            "{} problems ({} best-known values proven optimal): {} within 0.3 % of the best known, {} proven optimal by allot; mean gap {:.3} %, worst {:.3} %; median {:.2} s a problem",
            g.problems,
            g.known_proven,
            g.within,
            g.proven,
            g.mean_gap_pct,
            g.worst_gap_pct,
            g.median_s
        );
    }
    let mut parts = vec![m.status.clone()];
    parts.push(format!(
        "objective {}, lower bound {}",
        opt(m.objective, 4),
        opt(m.lower_bound, 4)
    ));
    if !m.max_dev_pct.is_empty() {
        let d: Vec<String> = m
            .max_dev_pct
            .iter()
            .map(|(k, v)| format!("{k} {v:.3} %"))
            .collect();
        parts.push(format!("max deviation {}", d.join(", ")));
    }
    if let Some(mv) = m.moves {
        parts.push(format!("{mv} moves"));
    }
    if let Some(km) = m.mean_km {
        parts.push(format!("mean {km:.2} km"));
    }
    let mut t = format!("{:.1} s", m.wall_s);
    if let Some(mb) = m.peak_rss_mb {
        t.push_str(&format!(", {mb:.0} MB"));
    }
    parts.push(t);
    if let Some(r) = m.reproducible {
        parts.push(
            if r {
                "reproducible"
            } else {
                "not reproducible (clock)"
            }
            .into(),
        );
    }
    if let Some(p) = &m.peer {
        parts.push(format!(
            "plain HiGHS per segment, {:.1} s: {}, objective {}, bound {}, mean {} km",
            p.seconds,
            p.status,
            opt(p.objective, 4),
            opt(p.bound, 4),
            opt(p.mean_km, 2)
        ));
    }
    parts.join("; ")
}

/// A commit as the README shows it: 12 hex digits, and "+dirty" when the tree had changes.
fn short_commit(c: &str) -> String {
    let (hash, rest) = c.split_at(c.len().min(12));
    let dirty = if rest.ends_with("+dirty") {
        "+dirty"
    } else {
        ""
    };
    format!("{hash}{dirty}")
}

/// The README's benchmark table, made from `records`.
pub fn readme_table(records: &Records) -> String {
    let mut s = format!(
        "Measured {} on {} ({} logical CPUs, {} GB), allot {} at commit {}; made by `allot bench all`, printed by `allot bench readme`.\n\n| figure | command | result |\n|---|---|---|\n",
        records.date,
        records.machine.cpu,
        records.machine.cpus,
        records
            .machine
            .memory_gb
            .map_or("?".to_string(), |g| format!("{g}")),
        records.version,
        short_commit(&records.commit),
    );
    for r in &records.records {
        let mut cmd = r.command_line.clone();
        if !r.figure.generate.is_empty() {
            cmd = format!("`allot generate {}`; `{cmd}`", r.figure.generate.join(" "));
        } else {
            cmd = format!("`{cmd}`");
        }
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            r.figure.title.replace('|', "\\|"),
            cmd.replace('|', "\\|"),
            result_text(&r.measured).replace('|', "\\|")
        ));
    }
    s
}

/// One line per figure, for a spreadsheet.
fn records_csv(records: &Records) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "id",
        "title",
        "command_line",
        "status",
        "objective",
        "lower_bound",
        "gap_rel",
        "moves",
        "mean_km",
        "wall_s",
        "peak_rss_mb",
        "reproducible",
        "work",
        "result",
        "commit",
        "machine",
    ]);
    let f = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for r in &records.records {
        let m = &r.measured;
        let _ = w.write_record([
            r.figure.id.clone(),
            r.figure.title.clone(),
            r.command_line.clone(),
            m.status.clone(),
            f(m.objective),
            f(m.lower_bound),
            f(m.gap_rel),
            m.moves.map(|v| v.to_string()).unwrap_or_default(),
            f(m.mean_km),
            m.wall_s.to_string(),
            f(m.peak_rss_mb),
            m.reproducible.map(|v| v.to_string()).unwrap_or_default(),
            m.work.map(|v| v.to_string()).unwrap_or_default(),
            result_text(m),
            records.commit.clone(),
            format!("{} ×{}", records.machine.cpu, records.machine.cpus),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
