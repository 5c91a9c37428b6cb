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
use crate::report::summary::{Summary, red_flags, segments};
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

/// Loads, solves, checks and writes; shared by `balance`, `rebalance` and `demo`.
pub fn solve_and_write(input: &InputArgs, plan: Plan, command: &str) -> Result<ExitCode, Failure> {
    let loaded = load(input, plan)?;
    let p = &loaded.built.problem;
    let refused = loaded.all_refused();
    let warnings = &loaded.warnings;
    for w in warnings.iter().take(20) {
        eprintln!("warning: {w}");
    }
    if warnings.len() > 20 {
        eprintln!(
            "warning: … and {} more (see report.md)",
            warnings.len() - 20
        );
    }
    if !refused.is_empty() {
        eprintln!(
            "{} row(s) refused; see {}",
            refused.len(),
            input.out.join("rejects.csv").display()
        );
    }
    let ctx = SearchContext::from_plan(&p.plan);
    let stop = ctx.stop.clone();
    crate::signals::on_interrupt(move || stop.store(true, Ordering::SeqCst));
    eprintln!(
        "solving {} accounts ({} units) × {} reps in {} segments, time limit {} s, seed {}, {} threads",
        p.accounts.len(),
        p.units.len(),
        p.reps.len(),
        p.segments.len(),
        p.plan.solver.time_limit_s,
        ctx.seed,
        ctx.threads
    );
    let t = Instant::now();
    let outcome = allot_opt::solve(p, &ctx).map_err(|e| Failure {
        code: 4,
        message: format!("internal solver failure: {e}"),
    })?;
    let solve_s = t.elapsed().as_secs_f64();
    let interrupted = ctx.stop.load(Ordering::SeqCst);

    let account_rep = outcome.assignment.account_reps(p);
    let f = figures(p, &account_rep);
    // Independent check of the result before anything is written.
    let map = p
        .accounts
        .iter()
        .zip(&account_rep)
        .filter_map(|(a, r)| r.map(|r| (a.id.clone(), p.reps[r.index()].id.clone())))
        .collect();
    let violations = check_with_pairs(
        &p.accounts,
        &p.reps,
        &p.plan,
        &map,
        p.band_is_hard,
        loaded.pairs.as_deref(),
    );
    let over_budget = disruption_excess(p, &f, &outcome);
    let feasible = violations.is_empty()
        && over_budget.is_none()
        && outcome.status != Status::Infeasible
        && outcome.status != Status::TimeLimit;

    let t = Instant::now();
    let mut flags = red_flags(p, &f, warnings, &refused);
    flags.extend(crate::report::summary::violation_flags(&violations));
    let status = if interrupted {
        "interrupted"
    } else if over_budget.is_some() {
        "infeasible"
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
    summary.segments = segments(&f, Some(&outcome));
    summary.timings.solve_s = solve_s;
    let before = figures(p, &p.current_owners());
    let out = &input.out;
    if feasible {
        write_atomic(
            out,
            "assignments.csv",
            &csv_out::assignments(p, &account_rep)?,
        )?;
    } else {
        remove_stale(out, "assignments.csv");
    }
    summary.timings.write_s = t.elapsed().as_secs_f64();
    write_reports(out, p, &f, &summary, warnings, &refused, Some(&before))?;

    for s in &summary.segments {
        eprintln!(
            "  {:<14} {:>3} reps {:>7} accounts  max dev potential {:>6.2}%  workload {:>6.2}%  moved {:>6}",
            s.name,
            s.reps,
            s.accounts,
            s.potential.max_abs_deviation_pct,
            s.workload.max_abs_deviation_pct,
            s.moved_accounts
        );
    }
    eprintln!(
        "{status}: objective {:.6}, lower bound {:.6}, gap {:.6} ({}), {:.2} s; outputs in {}",
        outcome.objective,
        outcome.bound,
        outcome.gap_abs,
        outcome.engine,
        solve_s,
        out.display()
    );
    if interrupted {
        if feasible {
            eprintln!(
                "interrupted: the best assignment found so far is in {} (summary.json says status \"interrupted\")",
                out.join("assignments.csv").display()
            );
        } else {
            eprintln!(
                "interrupted before any assignment met the caps and bands: no assignments.csv was written (the reports in {} show the best attempt)",
                out.display()
            );
        }
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    if let Some(why) = over_budget
        && !matches!(outcome.status, Status::Infeasible | Status::TimeLimit)
    {
        return Err(Failure {
            code: EXIT_INFEASIBLE,
            message: format!(
                "infeasible:\n  {why}\n  the reports of the best assignment found are in {} (no assignments.csv is written)",
                out.display()
            ),
        });
    }
    match outcome.status {
        Status::Optimal | Status::Feasible if violations.is_empty() => Ok(ExitCode::SUCCESS),
        Status::TimeLimit => Err(Failure {
            code: EXIT_TIME_LIMIT,
            message: format!(
                "no feasible assignment found within the time limit of {} s (caps or hard bands still broken, not proven infeasible); raise --time-limit or widen [balance] band_pct (report in {})",
                p.plan.solver.time_limit_s,
                out.display()
            ),
        }),
        _ => Err(Failure {
            code: EXIT_INFEASIBLE,
            message: infeasibility_message(p, &outcome, &violations),
        }),
    }
}

/// The disruption budget's diagnosis when the assignment moves more accounts than
/// `[disruption] max_moves` allows.
fn disruption_excess(
    p: &allot_model::Problem,
    f: &allot_model::Figures,
    outcome: &allot_opt::SolveOutcome,
) -> Option<String> {
    let budget = p.plan.disruption.max_moves?;
    let moved = f.moved_accounts as u64;
    if moved <= budget {
        return None;
    }
    let per_segment: Vec<String> = f
        .segments
        .iter()
        .zip(&p.segments)
        .map(|(s, seg)| format!("{} {}", seg.name, s.moved_accounts))
        .collect();
    // In rebalance mode the objective counts moved accounts, so its bound bounds the moves.
    let counts_moves = p.plan.objective == Objective::Rebalance && !p.plan.disruption.by_potential;
    let proof = if counts_moves {
        let least = (outcome.bound - 1e-6).ceil().max(0.0) as u64;
        if least > budget {
            format!(
                "; no assignment within the bands needs fewer than {least} moves, so the budget cannot be met: raise max_moves to at least {least} or widen [balance] band_pct"
            )
        } else {
            format!(
                "; the proven least is {least} moves, so a longer run may fit: raise --time-limit, or raise max_moves"
            )
        }
    } else {
        "; this objective does not minimise moves: use objective = \"rebalance\" to move as few accounts as the bands allow".to_string()
    };
    Some(format!(
        "disruption budget: the best assignment moves {moved} accounts ({}), [disruption] max_moves is {budget}: {} over{proof}",
        per_segment.join(", "),
        moved - budget
    ))
}

/// Locks that break a rep's cap or (in rebalance) the band on their own, with the rep's id.
fn lock_diagnosis(p: &allot_model::Problem, seg: usize) -> Option<String> {
    let s = &p.segments[seg];
    for &r in &s.reps {
        let (mut n, mut load) = (0u64, [0.0f64; 3]);
        for &u in &s.units {
            if p.units.locked_to[u.index()] == Some(r) {
                n += p.units.members(u).len() as u64;
                for k in 0..3 {
                    load[k] += p.units.load[u.index()][k];
                }
            }
        }
        if n == 0 {
            continue;
        }
        let rep = &p.reps[r.index()];
        if let Some(m) = rep.max_accounts
            && n > m
        {
            return Some(format!(
                "locks: {n} accounts are locked to {}, whose max_accounts is {m} ({} over); unlock some or raise the cap",
                rep.id,
                n - m
            ));
        }
        if let Some(m) = rep.max_workload
            && load[1] > m * (1.0 + 1e-9)
        {
            return Some(format!(
                "locks: accounts locked to {} need {:.1} h, its max_workload is {m:.1} h ({:.1} h over); unlock some or raise the cap",
                rep.id,
                load[1],
                load[1] - m
            ));
        }
        if p.band_is_hard {
            let band = p.plan.balance.band();
            for m in p.balanced_metrics() {
                let t = p.rep_target[r.index()][m.slot()];
                let dev = if t > 0.0 {
                    load[m.slot()] / t - 1.0
                } else {
                    0.0
                };
                if dev > band + 1e-12 {
                    return Some(format!(
                        "locks: accounts locked to {} already put it {:+.2}% from target on {}, beyond the ±{:.2}% band ({:.2} points over); unlock some or widen [balance] band_pct",
                        rep.id,
                        dev * 100.0,
                        m.name(),
                        band * 100.0,
                        (dev - band) * 100.0
                    ));
                }
            }
        }
    }
    None
}

/// Names the binding constraints and by how much they are missed.
fn infeasibility_message(
    p: &allot_model::Problem,
    outcome: &allot_opt::SolveOutcome,
    violations: &[allot_model::check::Violation],
) -> String {
    let mut msg = String::from("infeasible:");
    for (i, s) in outcome.segments.iter().enumerate() {
        if s.status != Status::Infeasible {
            continue;
        }
        if let Some(d) = lock_diagnosis(p, i) {
            msg.push_str(&format!("\n  segment {}: {d}", s.name));
            continue;
        }
        if let Some(d) = &s.diagnosis {
            msg.push_str(&format!("\n  segment {}: {d}", s.name));
            continue;
        }
        let seg = &p.segments[i];
        let cap: Option<f64> = seg
            .reps
            .iter()
            .map(|r| p.reps[r.index()].max_accounts.map(|m| m as f64))
            .sum::<Option<f64>>();
        if let Some(c) = cap
            && c < seg.total[2]
        {
            msg.push_str(&format!(
                "\n  segment {}: capacity: its reps' max_accounts add up to {c}, but it has {} accounts ({} short)",
                s.name, seg.total[2], seg.total[2] - c
            ));
            continue;
        }
        let wcap: Option<f64> = seg
            .reps
            .iter()
            .map(|r| p.reps[r.index()].max_workload)
            .sum::<Option<f64>>();
        if let Some(c) = wcap
            && c < seg.total[1]
        {
            msg.push_str(&format!(
                "\n  segment {}: capacity: its reps' max_workload adds up to {c:.1} h, but its accounts need {:.1} h ({:.1} h short)",
                s.name, seg.total[1], seg.total[1] - c
            ));
            continue;
        }
        let what = if p.band_is_hard {
            "balance band / capacity / locks"
        } else {
            "capacity / locks"
        };
        msg.push_str(&format!(
            "\n  segment {}: no assignment meets the {what}{} (best found breaks them by a relative excess of {:.4})",
            s.name,
            if s.proven_infeasible { " (proven by the exact MILP)" } else { "" },
            s.violation
        ));
    }
    for v in violations.iter().take(20) {
        msg.push_str(&format!("\n  {:?}: {}", v.rule, v.message));
    }
    msg.push_str("\n  the reports of the best assignment found are in the output folder (no assignments.csv is written)");
    msg
}
