//! `allot balance` and `allot rebalance`: solve, check, write every output.

use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Instant;

use allot_model::check::check_with_pairs;
use allot_model::{Objective, Plan, figures};
use allot_opt::{SearchContext, Status};

use crate::args::{InputArgs, SolverFlags};
use crate::failure::{EXIT_INFEASIBLE, EXIT_INTERRUPTED, EXIT_TIME_LIMIT, Failure};
use crate::load::{load, read_plan};
use crate::report::summary::{Summary, segments};
use crate::report::{csv_out, remove_stale, write_atomic, write_reports};

/// Runs a solve with the plan from `input` (objective forced when `objective` is given).
pub fn run(
    input: &InputArgs,
    flags: &SolverFlags,
    objective: Option<Objective>,
    command: &str,
) -> Result<ExitCode, Failure> {
    let mut plan = read_plan(input.plan.as_deref(), flags)?;
    if let Some(o) = objective {
        plan.objective = o;
    }
    solve_and_write(input, plan, command)
}

/// `balance` / `rebalance` with their arguments: [`run`], with `--max-moves` applied.
pub fn run_solve(
    a: &crate::args::SolveArgs,
    objective: Option<Objective>,
    command: &str,
) -> Result<ExitCode, Failure> {
    let mut plan = read_plan(a.input.plan.as_deref(), &a.solver)?;
    if let Some(o) = objective {
        plan.objective = o;
    }
    if a.max_moves.is_some() {
        plan.disruption.max_moves = a.max_moves;
    }
    solve_and_write(&a.input, plan, command)
}

/// Loads, solves, checks and writes; shared by `balance`, `rebalance` and `demo`.
pub fn solve_and_write(input: &InputArgs, plan: Plan, command: &str) -> Result<ExitCode, Failure> {
    solve_and_write_with(input, plan, command, &mut Extras::default())
}

/// What a caller adds to, or takes back from, one [`solve_and_write_with`] run.
#[derive(Default)]
pub struct Extras {
    /// The run's summary (as written to summary.json) once the reports are written,
    /// whatever the outcome; `compare` reads its figures.
    pub kept: Option<Summary>,
    /// The frontier chart (an SVG from `report::frontier::chart_svg`) for report.html, when
    /// the run is a picked frontier point.
    pub frontier_svg: Option<String>,
}

/// [`solve_and_write`] with [`Extras`].
pub fn solve_and_write_with(
    input: &InputArgs,
    plan: Plan,
    command: &str,
    extras: &mut Extras,
) -> Result<ExitCode, Failure> {
    // The time limit covers the whole run: reading, the search, checking and writing.
    let begun = Instant::now();
    let loaded = load(input, plan)?;
    let p = &loaded.built.problem;
    let refused = loaded.all_refused();
    let warnings = &loaded.warnings;
    for w in warnings.iter().take(20) {
        tracing::warn!("{w}");
    }
    if warnings.len() > 20 {
        tracing::warn!("… and {} more (see report.md)", warnings.len() - 20);
    }
    if !refused.is_empty() {
        tracing::info!(
            "{} row(s) refused; see {}",
            refused.len(),
            input.out.join("rejects.csv").display()
        );
    }
    let mut ctx = SearchContext::from_plan_within(&p.plan, begun, finishing_s(p.accounts.len()));
    let display = crate::progress::Solving::new();
    ctx.progress = Some(allot_opt::Progress::new(display.observer()));
    let stop = ctx.stop.clone();
    crate::signals::on_interrupt(move || stop.store(true, Ordering::SeqCst));
    let limit = match p.plan.solver.work_limit {
        0 => format!("time limit {} s", p.plan.solver.time_limit_s),
        w => format!(
            "work limit {w} units (time limit {} s as a safety valve)",
            p.plan.solver.time_limit_s
        ),
    };
    tracing::info!(
        accounts = p.accounts.len(),
        units = p.units.len(),
        reps = p.reps.len(),
        segments = p.segments.len(),
        work_limit = p.plan.solver.work_limit,
        time_limit_s = p.plan.solver.time_limit_s,
        seed = ctx.seed,
        threads = ctx.threads,
        "solving {} accounts ({} units) × {} reps in {} segments, {limit}, seed {}, {} threads",
        p.accounts.len(),
        p.units.len(),
        p.reps.len(),
        p.segments.len(),
        ctx.seed,
        ctx.threads
    );
    let t = Instant::now();
    let outcome = allot_opt::solve(p, &ctx);
    display.done();
    let outcome = outcome.map_err(|e| Failure {
        code: 4,
        message: format!("internal solver failure: {e}"),
    })?;
    let solve_s = t.elapsed().as_secs_f64();
    let interrupted = ctx.stop.load(Ordering::SeqCst);
    if outcome.work_limit.is_some() && !outcome.reproducible && !interrupted {
        tracing::warn!(
            "the time limit ({} s, the safety valve) cut the work-limited search: this run may not repeat; raise --time-limit or lower --work-limit",
            p.plan.solver.time_limit_s
        );
    }

    let account_rep = outcome.assignment.account_reps(p);
    let f = figures(p, &account_rep);
    // Independent check of the result before anything is written.
    let map = p
        .accounts
        .iter()
        .zip(&account_rep)
        .filter_map(|(a, r)| r.map(|r| (a.id.clone(), p.reps[r.index()].id.clone())))
        .collect();
    let violations = check_with_pairs(&p.accounts, &p.reps, &p.plan, &map, loaded.pairs.as_deref());
    let broken = crate::decisions::broken(p, &account_rep, &loaded.review);
    let feasible = violations.is_empty()
        && broken.is_empty()
        && outcome.status != Status::Infeasible
        && outcome.status != Status::TimeLimit;

    let t = Instant::now();
    let flags =
        crate::report::flags::of_run(&loaded, allot_model::flags::Book::New, &f, &violations);
    let status = if interrupted {
        "interrupted"
    } else {
        match outcome.status {
            Status::Optimal => "optimal",
            Status::Feasible => "feasible",
            Status::Infeasible => "infeasible",
            Status::TimeLimit => "time_limit",
        }
    };
    let mut summary = Summary::of_figures(command, status, &loaded, &f, flags, input.plan.as_ref());
    summary.objective = Some(outcome.objective);
    summary.lower_bound = Some(outcome.bound);
    summary.gap_abs = Some(outcome.gap_abs);
    summary.gap_rel = Some(outcome.gap_rel);
    summary.engine = Some(outcome.engine.clone());
    summary.threads = ctx.threads;
    summary.reproducible = outcome.reproducible && !interrupted;
    summary.work = Some(outcome.work);
    summary.work_limit = outcome.work_limit;
    summary.segments = segments(&f, Some(&outcome));
    summary.decisions = crate::decisions::counts(p, &account_rep, &loaded.review);
    summary.timings.solve_s = solve_s;
    let before = figures(p, &p.current_owners());
    let out = &input.out;
    // The reason codes once, for assignments.csv, territories.geojson and report.html.
    let mut codes = allot_model::reason_codes(p, &account_rep, &before);
    crate::decisions::mark_codes(p, &account_rep, &loaded.review, &mut codes);
    if feasible {
        write_atomic(
            out,
            "assignments.csv",
            &csv_out::assignments(p, &account_rep, &codes)?,
        )?;
        crate::report::crm::write(out, p, &account_rep, &codes)?;
        crate::decisions::write(out, p, &account_rep, &codes, &loaded.review)?;
        summary.transition = crate::report::transition::write(
            out,
            p,
            &account_rep,
            input.effective,
            input.boundary,
        )?;
    } else {
        remove_stale(out, "assignments.csv");
        crate::report::crm::remove(out);
        crate::decisions::remove(out);
        remove_stale(out, "transition.csv");
    }
    summary.timings.write_s = t.elapsed().as_secs_f64();
    summary.timings.peak_rss_mb = crate::report::summary::peak_rss_mb();
    let run = crate::report::html::Run {
        account_rep: &account_rep,
        codes: Some(&codes),
        before: Some(&before),
        frontier_svg: extras.frontier_svg.as_deref(),
    };
    write_reports(out, p, &f, &summary, warnings, &refused, &run)?;
    extras.kept = Some(summary.clone());

    for s in &summary.segments {
        tracing::info!(
            "  {:<14} {:>3} reps {:>7} accounts  max dev potential {:>6.2}%  workload {:>6.2}%  moved {:>6}",
            s.name,
            s.reps,
            s.accounts,
            s.potential.max_abs_deviation_pct,
            s.workload.max_abs_deviation_pct,
            s.moved_accounts
        );
    }
    tracing::info!(
        status,
        objective = outcome.objective,
        bound = outcome.bound,
        gap = outcome.gap_abs,
        gap_rel = outcome.gap_rel,
        engine = outcome.engine.as_str(),
        work = outcome.work,
        reproducible = summary.reproducible,
        solve_s,
        out = %out.display(),
        "{status}: objective {:.6}, lower bound {:.6}, gap {:.6} ({}), {:.2} s; outputs in {}",
        outcome.objective,
        outcome.bound,
        outcome.gap_abs,
        outcome.engine,
        solve_s,
        out.display()
    );
    if let Some(t) = &summary.transition {
        tracing::info!(
            changes = t.changes,
            deferred = t.deferred,
            effective_date = t.effective_date.as_str(),
            last_date = t.last_date.as_str(),
            "transition: {} change(s) from {}, {} held by open opportunities (last on {}); see transition.csv",
            t.changes,
            t.effective_date,
            t.deferred,
            t.last_date
        );
    }
    if let Some(c) = summary.decisions.as_ref().filter(|_| feasible) {
        tracing::info!(
            accept = c.accept,
            reject = c.reject,
            pin = c.pin,
            changed_vs_previous = c.changed_vs_previous,
            "{}",
            crate::decisions::line(c)
        );
    }
    if !broken.is_empty() && !interrupted {
        return Err(Failure {
            code: 4,
            message: format!(
                "internal error: the search did not keep {} decision(s): {}",
                broken.len(),
                broken.join("; ")
            ),
        });
    }
    if interrupted {
        if feasible {
            tracing::info!(
                "interrupted: the best assignment found so far is in {} (summary.json says status \"interrupted\")",
                out.join("assignments.csv").display()
            );
        } else {
            tracing::info!(
                "interrupted before any assignment met the caps and bands: no assignments.csv was written (the reports in {} show the best attempt)",
                out.display()
            );
        }
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    match outcome.status {
        Status::Optimal | Status::Feasible if violations.is_empty() => Ok(ExitCode::SUCCESS),
        Status::TimeLimit => Err(Failure {
            code: EXIT_TIME_LIMIT,
            message: format!(
                "no feasible assignment found within {} (caps, hard bands or the disruption budget still broken, not proven infeasible); {} or widen [balance] band_pct (report in {})",
                match (outcome.work_limit, outcome.reproducible) {
                    (Some(w), true) => format!("the work limit of {w} units"),
                    _ => format!("the time limit of {} s", p.plan.solver.time_limit_s),
                },
                match (outcome.work_limit, outcome.reproducible) {
                    (Some(_), true) => "raise --work-limit",
                    _ => "raise --time-limit",
                },
                out.display()
            ),
        }),
        _ => {
            let mut message = infeasibility_message(p, &outcome, &violations);
            if let Some(why) = crate::decisions::suspects(p, &f, &loaded.review) {
                message.push('\n');
                message.push_str(&why);
            }
            if budget_binds(p, &outcome, &violations)
                && let Some(line) = band_cost(p)
            {
                message.push_str(&line);
            }
            Err(Failure {
                code: EXIT_INFEASIBLE,
                message,
            })
        }
    }
}

/// Whether a disruption budget is among the rules the run could not keep with the hard band.
fn budget_binds(
    p: &allot_model::Problem,
    outcome: &allot_opt::SolveOutcome,
    violations: &[allot_model::check::Violation],
) -> bool {
    let is_budget = |b: &allot_opt::Binding| matches!(b, allot_opt::Binding::Budget { .. });
    p.plan.balance.hard
        && p.constraints
            .iter()
            .any(|c| matches!(c, allot_model::Constraint::Budget(_)))
        && (outcome.binding.as_ref().is_some_and(is_budget)
            || outcome
                .segments
                .iter()
                .any(|s| s.diagnosis.as_ref().is_some_and(is_budget))
            || violations
                .iter()
                .any(|v| v.rule == allot_model::check::Rule::Budget))
}

/// When a budget and the band cannot both hold: the narrowest band the budget allows. A
/// second search keeps the budget (and every other rule) with the band as a target only,
/// minimising the largest deviation, on a quarter of the plan's time and work limits.
fn band_cost(p: &allot_model::Problem) -> Option<String> {
    let mut q = p.clone();
    q.plan.balance.hard = false;
    q.plan.objective = Objective::Redesign;
    q.plan.solver.time_limit_s = (p.plan.solver.time_limit_s / 4.0).max(0.5);
    q.plan.solver.work_limit = p.plan.solver.work_limit / 4;
    q.set_objective_terms();
    let ctx = SearchContext::from_plan(&q.plan);
    let out = allot_opt::solve(&q, &ctx).ok()?;
    if matches!(out.status, Status::Infeasible | Status::TimeLimit) {
        return None;
    }
    let f = figures(&q, &out.assignment.account_reps(&q));
    let mut worst: Option<(f64, &str, &str)> = None;
    for s in &f.segments {
        for m in &p.plan.balance.metrics {
            let d = s.max_abs_deviation[m.slot()];
            if worst.is_none_or(|w| d > w.0) {
                worst = Some((d, m.name(), s.name.as_str()));
            }
        }
    }
    let (d, metric, segment) = worst?;
    let budget: Vec<String> = p
        .constraints
        .iter()
        .filter(|c| matches!(c, allot_model::Constraint::Budget(_)))
        .map(|c| c.describe())
        .collect();
    let pct = d * 100.0;
    Some(format!(
        "\n  the band the budget costs: keeping {} the narrowest band found is ±{pct:.2}% ({metric}, segment {segment}); set [balance] band_pct = {} to keep the budget, or raise the budget to keep ±{}%",
        budget.join(" and "),
        (pct * 100.0).ceil() / 100.0,
        p.plan.balance.band_pct
    ))
}

/// Seconds the run needs after the search for `accounts` accounts: the work a search always
/// finishes after its deadline, the independent check, the figures, writing every output
/// and letting go of the data (measured: about 9.5 s for 1,000,000 accounts on a 2-core
/// machine, kept with a margin).
fn finishing_s(accounts: usize) -> f64 {
    0.05 + 12e-6 * accounts as f64
}

/// Names the binding constraints and by how much they are missed.
fn infeasibility_message(
    p: &allot_model::Problem,
    outcome: &allot_opt::SolveOutcome,
    violations: &[allot_model::check::Violation],
) -> String {
    let mut msg = String::from("infeasible:");
    if let Some(b) = &outcome.binding {
        msg.push_str(&format!("\n  {}", crate::diagnosis::words(p, b)));
    }
    for s in &outcome.segments {
        if s.status != Status::Infeasible {
            continue;
        }
        match &s.diagnosis {
            // The shared budget already says why.
            None if outcome.binding.is_some() => {}
            Some(d) => msg.push_str(&format!(
                "\n  segment {}: {}",
                s.name,
                crate::diagnosis::words(p, d)
            )),
            None => {
                let rules: Vec<String> = p
                    .constraints
                    .iter()
                    .filter(|c| {
                        matches!(
                            c,
                            allot_model::Constraint::Cap(_)
                                | allot_model::Constraint::Band { .. }
                                | allot_model::Constraint::Budget(_)
                        )
                    })
                    .map(|c| c.describe())
                    .collect();
                msg.push_str(&format!(
                    "\n  segment {}: no assignment keeps all of: {}{} (the best found breaks them by a relative excess of {:.4})",
                    s.name,
                    rules.join("; "),
                    if s.proven_infeasible {
                        " (proven by the exact MILP)"
                    } else {
                        ""
                    },
                    s.violation
                ));
            }
        }
    }
    for v in violations.iter().take(20) {
        msg.push_str(&format!("\n  {:?}: {}", v.rule, v.message));
    }
    msg.push_str("\n  the reports of the best assignment found are in the output folder (no assignments.csv is written)");
    msg
}
