//! compare.csv, compare.md and the printed table of `allot compare`: one scenario per plan,
//! side by side (headcount, potential per rep, balance, moves, distance, economics).

use std::fmt::Write as _;

use allot_model::Metric;
use allot_model::economics::EconomicsReport;
use allot_model::plan::segment_key;

use super::csv_out::PlanRow;
use super::economics::money;
use super::safe_cell;
use super::summary::Summary;

/// One scenario of `allot compare`: the plan that ran and what came of it.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The plan file as given.
    pub plan: String,
    /// Its folder under the output folder.
    pub folder: String,
    /// The plan as applied, flags included (None when it could not be read).
    pub applied: Option<allot_model::Plan>,
    /// optimal | feasible | infeasible | time_limit | interrupted | bad_input | error | not_run.
    pub status: String,
    /// The exit code `allot balance` would give for this plan (None: not run).
    pub exit_code: Option<u8>,
    /// The failure message, when it failed.
    pub message: String,
    /// The capacity plan (empty when the rows could not be read).
    pub capacity: Vec<PlanRow>,
    /// The economics (None when the rows could not be read: then nothing was written).
    pub economics: Option<EconomicsReport>,
    /// The balance run's summary (None when it stopped before solving).
    pub summary: Option<Summary>,
}

impl Scenario {
    /// A scenario that ends before anything is computed.
    pub fn failed(plan: String, folder: String, status: &str, code: Option<u8>, msg: &str) -> Self {
        Scenario {
            plan,
            folder,
            applied: None,
            status: status.to_string(),
            exit_code: code,
            message: msg.to_string(),
            capacity: Vec::new(),
            economics: None,
            summary: None,
        }
    }

    /// The summary of a run that produced an assignment (optimal or feasible).
    fn solved(&self) -> Option<&Summary> {
        self.summary
            .as_ref()
            .filter(|_| self.status == "optimal" || self.status == "feasible")
    }

    /// Total potential ÷ reps taking accounts (headcount), over every segment.
    pub fn potential_per_rep(&self) -> Option<f64> {
        let s = self.solved()?;
        let reps: usize = s.segments.iter().map(|g| g.reps).sum();
        let pot = s.segments.iter().fold(0.0, |a, g| a + g.potential.total);
        (reps > 0).then(|| pot / reps as f64)
    }

    /// Largest |deviation| in percent of a metric over every rep of every segment.
    pub fn max_dev_pct(&self, m: Metric) -> Option<f64> {
        let s = self.solved()?;
        s.segments
            .iter()
            .map(|g| match m {
                Metric::Potential => g.potential.max_abs_deviation_pct,
                Metric::Workload => g.workload.max_abs_deviation_pct,
                Metric::Accounts => g.account_count.max_abs_deviation_pct,
            })
            .reduce(f64::max)
    }

    fn balanced_metrics(&self) -> Vec<Metric> {
        self.applied
            .as_ref()
            .map(|p| p.balance.metrics.clone())
            .unwrap_or_default()
    }

    fn objective(&self) -> Option<&'static str> {
        self.applied.as_ref().map(|p| p.objective.name())
    }
}

/// A headcount line: the owner reps of a segment, or a supporting role.
#[derive(Clone, Debug, PartialEq)]
struct RoleKey {
    owner: bool,
    key: String,
    label: String,
}

fn role_key(r: &PlanRow) -> (bool, String) {
    if r.role == "owner" {
        (true, segment_key(&r.segment))
    } else {
        (false, r.role.trim().to_ascii_lowercase())
    }
}

/// Every headcount line of any scenario, in order of first appearance, with unique labels.
fn role_keys(scenarios: &[Scenario]) -> Vec<RoleKey> {
    let mut out: Vec<RoleKey> = Vec::new();
    for s in scenarios {
        for r in &s.capacity {
            let (owner, key) = role_key(r);
            if out.iter().any(|k| k.owner == owner && k.key == key) {
                continue;
            }
            let mut label = if owner {
                r.segment.trim().to_string()
            } else {
                r.role.trim().to_string()
            };
            if out.iter().any(|k| k.label.eq_ignore_ascii_case(&label)) {
                label.push_str(if owner { "_owner" } else { "_role" });
            }
            out.push(RoleKey { owner, key, label });
        }
    }
    out
}

fn row_of<'a>(s: &'a Scenario, k: &RoleKey) -> Option<&'a PlanRow> {
    s.capacity
        .iter()
        .find(|r| role_key(r) == (k.owner, k.key.clone()))
}

/// Metrics balanced by any scenario, in the usual order.
fn metrics(scenarios: &[Scenario]) -> Vec<Metric> {
    Metric::ALL
        .into_iter()
        .filter(|m| scenarios.iter().any(|s| s.balanced_metrics().contains(m)))
        .collect()
}

fn opt(x: Option<f64>, d: usize) -> String {
    x.map(|v| format!("{v:.d$}")).unwrap_or_default()
}

fn total_fte_needed(s: &Scenario) -> Option<f64> {
    if s.capacity.is_empty() {
        return None;
    }
    s.capacity.iter().map(|r| r.fte_needed).sum()
}

fn total_roster(s: &Scenario) -> Option<f64> {
    (!s.capacity.is_empty()).then(|| s.capacity.iter().fold(0.0, |a, r| a + r.fte_on_roster))
}

/// compare.csv: one row per scenario, in the order the plans were given.
pub fn csv(scenarios: &[Scenario]) -> anyhow::Result<Vec<u8>> {
    let keys = role_keys(scenarios);
    let ms = metrics(scenarios);
    let mut header: Vec<String> = ["scenario", "plan", "objective", "status", "exit_code"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for k in &keys {
        header.push(format!("fte_needed_{}", k.label));
        header.push(format!("roster_fte_{}", k.label));
    }
    header.extend(
        ["fte_needed_total", "roster_fte_total", "potential_per_rep"]
            .iter()
            .map(|s| s.to_string()),
    );
    header.push("band_pct".into());
    header.push("balanced_metrics".into());
    for m in &ms {
        header.push(format!("max_dev_{}_pct", m.name()));
    }
    for h in [
        "within_band",
        "moved_accounts",
        "owned_accounts",
        "moved_pct",
        "mean_km",
        "expected_arr",
        "cost_of_sales",
        "revenue_per_gtm_dollar",
        "message",
    ] {
        header.push(h.into());
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(header.iter().map(|h| safe_cell(h)))?;
    for s in scenarios {
        let mut rec = vec![
            safe_cell(&s.folder),
            safe_cell(&s.plan),
            s.objective().unwrap_or_default().to_string(),
            s.status.clone(),
            s.exit_code.map(|c| c.to_string()).unwrap_or_default(),
        ];
        for k in &keys {
            let r = row_of(s, k);
            rec.push(opt(r.and_then(|r| r.fte_needed), 2));
            rec.push(opt(r.map(|r| r.fte_on_roster), 2));
        }
        rec.push(opt(total_fte_needed(s), 2));
        rec.push(opt(total_roster(s), 2));
        rec.push(opt(s.potential_per_rep(), 2));
        rec.push(opt(s.applied.as_ref().map(|p| p.balance.band_pct), 2));
        rec.push(
            s.balanced_metrics()
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(";"),
        );
        for m in &ms {
            rec.push(opt(s.max_dev_pct(*m), 2));
        }
        let solved = s.solved();
        rec.push(
            solved
                .map(|x| x.segments.iter().all(|g| g.within_band).to_string())
                .unwrap_or_default(),
        );
        rec.push(
            solved
                .map(|x| x.moves.moved_accounts.to_string())
                .unwrap_or_default(),
        );
        rec.push(
            solved
                .map(|x| x.moves.owned_accounts.to_string())
                .unwrap_or_default(),
        );
        rec.push(opt(solved.map(|x| x.moves.moved_pct), 2));
        rec.push(opt(solved.and_then(|x| x.mean_km), 1));
        let e = s.economics.as_ref().map(|e| &e.total);
        rec.push(opt(e.and_then(|t| t.expected_arr), 2));
        rec.push(opt(e.and_then(|t| t.cost_of_sales), 2));
        rec.push(opt(e.and_then(|t| t.revenue_per_gtm_dollar), 4));
        rec.push(safe_cell(&one_line(&s.message)));
        w.write_record(&rec)?;
    }
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("writing CSV: {e}"))
}

/// A multi-line message on one line ("; " between lines, a space after a line ending in ':').
fn one_line(m: &str) -> String {
    let mut o = String::new();
    for l in m.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !o.is_empty() {
            o.push_str(if o.ends_with(':') { " " } else { "; " });
        }
        o.push_str(l);
    }
    o
}

/// The side-by-side grid for people: (what, one cell per scenario).
fn grid(scenarios: &[Scenario]) -> Vec<(String, Vec<String>)> {
    let dash = || "–".to_string();
    let mut g: Vec<(String, Vec<String>)> = Vec::new();
    let mut line = |label: String, f: &dyn Fn(&Scenario) -> String| {
        g.push((label, scenarios.iter().map(f).collect()));
    };
    line("plan".into(), &|s| s.plan.clone());
    line("objective".into(), &|s| {
        s.objective().map_or_else(dash, str::to_string)
    });
    line("status".into(), &|s| match s.exit_code {
        Some(0) => s.status.clone(),
        Some(c) => format!("{} (exit {c})", s.status),
        None => s.status.clone(),
    });
    for k in role_keys(scenarios) {
        let what = if k.owner {
            format!("{} reps: needed FTE / roster FTE", k.label)
        } else {
            format!("{}: needed FTE / roster FTE", k.label)
        };
        line(what, &|s| match row_of(s, &k) {
            Some(r) => format!(
                "{} / {:.2}",
                r.fte_needed.map_or("–".into(), |f| format!("{f:.2}")),
                r.fte_on_roster
            ),
            None => dash(),
        });
    }
    line("potential per rep".into(), &|s| {
        s.potential_per_rep().map_or_else(dash, money)
    });
    for m in metrics(scenarios) {
        line(format!("balance: max deviation {}", m.name()), &|s| {
            s.max_dev_pct(m).map_or_else(dash, |v| format!("{v:.2}%"))
        });
    }
    line("within band".into(), &|s| match s.solved() {
        Some(x) => format!(
            "{} (±{}%)",
            if x.segments.iter().all(|g| g.within_band) {
                "yes"
            } else {
                "no"
            },
            x.plan.balance.band_pct
        ),
        None => dash(),
    });
    line("moves from today".into(), &|s| match s.solved() {
        Some(x) => format!(
            "{} of {} ({:.1}%)",
            x.moves.moved_accounts, x.moves.owned_accounts, x.moves.moved_pct
        ),
        None => dash(),
    });
    line("mean km rep → account".into(), &|s| {
        s.solved()
            .and_then(|x| x.mean_km)
            .map_or_else(dash, |v| format!("{v:.1}"))
    });
    let total = |s: &Scenario| s.economics.as_ref().map(|e| e.total.clone());
    line("expected ARR / year".into(), &|s| {
        total(s)
            .and_then(|t| t.expected_arr)
            .map_or_else(dash, money)
    });
    line("cost of sales / year".into(), &|s| {
        total(s)
            .and_then(|t| t.cost_of_sales)
            .map_or_else(dash, money)
    });
    line("revenue per GTM dollar".into(), &|s| {
        total(s)
            .and_then(|t| t.revenue_per_gtm_dollar)
            .map_or_else(dash, |v| format!("{v:.2}"))
    });
    line("outputs".into(), &|s| {
        if s.economics.is_some() {
            format!("{}/", s.folder)
        } else {
            dash()
        }
    });
    g
}

/// The printed table: one column per scenario.
pub fn table(scenarios: &[Scenario]) -> String {
    let g = grid(scenarios);
    let w0 = g.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..scenarios.len())
        .map(|i| {
            g.iter()
                .map(|(_, c)| c[i].chars().count())
                .chain(std::iter::once(scenarios[i].folder.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut o = pad("scenario", w0);
    for (i, s) in scenarios.iter().enumerate() {
        o.push_str("  ");
        o.push_str(&pad(&s.folder, widths[i]));
    }
    o = o.trim_end().to_string();
    o.push('\n');
    for (label, cells) in &g {
        let mut l = pad(label, w0);
        for (i, c) in cells.iter().enumerate() {
            l.push_str("  ");
            l.push_str(&pad(c, widths[i]));
        }
        o.push_str(l.trim_end());
        o.push('\n');
    }
    o
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// compare.md: the "Scenarios" section a sales leader reads, then what failed and why.
pub fn markdown(scenarios: &[Scenario], accounts: &str, reps: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# allot — scenarios\n");
    let _ = writeln!(
        o,
        "The same accounts (`{}`) and reps (`{}`) under {} plans. Each plan ran as `allot balance` runs it (its own objective, bands and rules); its full outputs are in the folder named on the last line.\n",
        md_cell(accounts),
        md_cell(reps),
        scenarios.len()
    );
    let _ = writeln!(o, "## Scenarios\n");
    let mut head = String::from("| |");
    let mut rule = String::from("|---|");
    for s in scenarios {
        let _ = write!(head, " **{}** |", md_cell(&s.folder));
        rule.push_str("---:|");
    }
    let _ = writeln!(o, "{head}\n{rule}");
    for (label, cells) in grid(scenarios) {
        let mut l = format!("| {} |", md_cell(&label));
        for c in cells {
            let _ = write!(l, " {} |", md_cell(&c));
        }
        let _ = writeln!(o, "{l}");
    }
    let _ = writeln!(
        o,
        "\nOutputs = the scenario's folder (– when it stopped before writing any). Needed FTE = accounts ÷ the plan's accounts-per-rep ratio; potential per rep = potential ÷ reps taking accounts; balance = the largest deviation of any rep from its target; moves = accounts whose owner changes among those that had one; expected ARR = min(accounts × win rate × deal size, roster FTE × quota) per tier; cost of sales = roster FTE × loaded cost (supporting roles shared by accounts); revenue per GTM dollar = expected ARR ÷ cost of sales. – = not available (the plan states no such assumption, or the scenario did not produce an assignment)."
    );
    let failed: Vec<&Scenario> = scenarios.iter().filter(|s| !s.message.is_empty()).collect();
    if !failed.is_empty() {
        let _ = writeln!(o, "\n## Scenarios without an assignment\n");
        for s in failed {
            let _ = writeln!(
                o,
                "- **{}** (`{}`): {}{}",
                md_cell(&s.folder),
                md_cell(&s.plan),
                s.status,
                s.exit_code
                    .map(|c| format!(", exit {c}"))
                    .unwrap_or_default()
            );
            for l in s.message.lines().filter(|l| !l.trim().is_empty()).take(12) {
                let _ = writeln!(o, "  - {}", md_cell(l.trim()));
            }
        }
    }
    o
}
