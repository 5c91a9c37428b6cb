//! `allot frontier`: the best value reachable at each disruption budget, from no moves to
//! unconstrained — one independent solve per budget (in parallel), made monotone, with the
//! dominated points marked and the knee chosen; frontier.csv, frontier.md, frontier.html,
//! and with `--pick K` point K's full output set.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use allot_model::check::check_with_pairs;
use allot_model::constraint::Measure;
use allot_model::geo::haversine_km;
use allot_model::{Metric, Objective, Plan, Problem, RepIdx, figures};
use allot_opt::{SearchContext, Status};

use crate::args::{FrontierArgs, FrontierMetric, InputArgs};
use crate::failure::{EXIT_INFEASIBLE, EXIT_INTERRUPTED, EXIT_TIME_LIMIT, Failure};
use crate::load::{Loaded, load, read_plan};
use crate::report::frontier as out;

/// Objective weight of the moved share while the frontier minimises balance: a tie-break,
/// so that a point moves no account its balance does not need (moving every owned account
/// of a segment costs as much as 0.01 percentage points of deviation).
pub const TIE_BREAK: f64 = 1e-4;

/// Relative tolerance under which two objective values are the same.
const SAME: f64 = 1e-9;

/// How a point's solve ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointStatus {
    /// Proven optimal for its budget (its lower bound equals its objective).
    Optimal,
    /// Feasible, with a lower bound and a gap.
    Feasible,
    /// No assignment keeps the budget with the other rules (proven or none found).
    Infeasible,
    /// The time or work limit came before any feasible assignment.
    TimeLimit,
    /// Interrupted before the point was solved.
    NotRun,
}

impl PointStatus {
    /// Lower-case name, as in frontier.csv.
    pub fn name(self) -> &'static str {
        match self {
            PointStatus::Optimal => "optimal",
            PointStatus::Feasible => "feasible",
            PointStatus::Infeasible => "infeasible",
            PointStatus::TimeLimit => "time_limit",
            PointStatus::NotRun => "not_run",
        }
    }

    /// Whether the point has an assignment that keeps every rule.
    pub fn has_solution(self) -> bool {
        matches!(self, PointStatus::Optimal | PointStatus::Feasible)
    }
}

/// One point of the curve, as frontier.csv writes it.
#[derive(Clone, Debug)]
pub struct Point {
    /// 1-based number, in budget order (`--pick` takes it).
    pub point: usize,
    /// The budget, in the plan's disruption measure (the last point: what the unconstrained
    /// solve moved).
    pub budget: f64,
    /// The plan key that states the budget (`none` on the unconstrained point).
    pub budget_key: String,
    /// Owned accounts whose owner changes.
    pub moves: usize,
    /// Their potential.
    pub moved_potential: f64,
    /// Their workload.
    pub moved_workload: f64,
    /// Per balanced metric: the worst |deviation| over every rep of every segment, percent.
    pub max_dev_pct: Vec<(Metric, f64)>,
    /// The balance objective: Σ over segments and balanced metrics of weight × worst
    /// |deviation|, percent.
    pub balance_pct: f64,
    /// Whether every segment is within the band on every balanced metric.
    pub within_band: bool,
    /// Mean great-circle km from rep home to account (accounts and reps with coordinates).
    pub mean_km: Option<f64>,
    /// Total of those km.
    pub total_km: f64,
    /// What the frontier minimised at this budget (see README).
    pub objective: Option<f64>,
    /// A proven lower bound on that minimum for this budget.
    pub lower_bound: Option<f64>,
    /// How the point ended.
    pub status: PointStatus,
    /// The smaller-budget point whose assignment this one keeps (its own solve was worse).
    pub from_point: Option<usize>,
    /// Whether another point moves no more and reaches at least as good a value (one of
    /// them strictly, or it is an earlier point).
    pub dominated: bool,
    /// The knee of the curve (one point).
    pub knee: bool,
    /// Work units the point's solve used.
    pub work: u64,
    /// Seconds the point's solve took.
    pub seconds: f64,
    /// Whether the solve would repeat exactly (work-limited and not cut by the clock).
    pub reproducible: bool,
}

impl Point {
    /// objective − lower bound (none when either is missing).
    pub fn gap(&self) -> Option<f64> {
        Some((self.objective? - self.lower_bound?).max(0.0))
    }

    /// The gap relative to the objective.
    pub fn gap_rel(&self) -> Option<f64> {
        let o = self.objective?;
        let g = self.gap()?;
        Some(if o.abs() > 1e-12 { g / o.abs() } else { 0.0 })
    }

    /// The disruption on the x axis, in `measure`.
    pub fn x(&self, measure: Measure) -> f64 {
        match measure {
            Measure::Accounts => self.moves as f64,
            Measure::Potential => self.moved_potential,
            Measure::Workload => self.moved_workload,
        }
    }
}

/// The whole frontier, for the reports.
#[derive(Clone, Debug)]
pub struct Frontier {
    /// What is on the y axis.
    pub metric: FrontierMetric,
    /// What the x axis counts.
    pub measure: Measure,
    /// The balanced metrics (columns max_dev_<metric>_pct).
    pub metrics: Vec<Metric>,
    /// The band, percent.
    pub band_pct: f64,
    /// The points, in budget order.
    pub points: Vec<Point>,
    /// Work limit of each point's solve (0 = none).
    pub work_per_point: u64,
    /// Time limit of each point's solve, seconds.
    pub time_per_point: f64,
    /// Points solved at once, and threads each.
    pub jobs: usize,
    /// Threads per solve.
    pub threads_per_job: usize,
    /// Wall time of the whole curve, seconds.
    pub seconds: f64,
}

/// The plan a frontier solve runs: the user's rules and caps, the objective of the metric,
/// no disruption budget (each point sets its own).
pub fn frontier_plan(plan: &Plan, metric: FrontierMetric) -> Plan {
    let mut q = plan.clone();
    match metric {
        FrontierMetric::Balance => {
            q.objective = Objective::Redesign;
            q.balance.hard = false;
            q.disruption.weight = TIE_BREAK;
            q.compactness.weight = 0.0;
            for s in &mut q.segments {
                s.compactness = None;
            }
        }
        FrontierMetric::Travel => {
            q.objective = Objective::Travel;
            q.balance.hard = true;
        }
    }
    q.pairs.weight = 0.0;
    q.disruption.max_moves = None;
    q.disruption.max_moved_pct = None;
    q.disruption.max_moved_potential_pct = None;
    q.disruption.max_moved_workload_pct = None;
    q
}

/// `plan` with the budget `b` in `measure` (none: unconstrained), and the key that states
/// it; `owned` is the owned accounts' total of the measure (what a percentage is of).
pub fn with_budget(plan: &Plan, measure: Measure, b: Option<f64>, owned: f64) -> (Plan, String) {
    let mut q = plan.clone();
    let key = match (b, measure) {
        (None, _) => "none".to_string(),
        (Some(b), Measure::Accounts) => {
            let n = b.round().max(0.0) as u64;
            q.disruption.max_moves = Some(n);
            format!("max_moves = {n}")
        }
        (Some(b), Measure::Potential | Measure::Workload) => {
            let pct = if owned > 0.0 {
                (b / owned * 100.0).clamp(0.0, 100.0)
            } else {
                0.0
            };
            if measure == Measure::Potential {
                q.disruption.max_moved_potential_pct = Some(pct);
                format!("max_moved_potential_pct = {pct}")
            } else {
                q.disruption.max_moved_workload_pct = Some(pct);
                format!("max_moved_workload_pct = {pct}")
            }
        }
    };
    (q, key)
}

/// Budgets from `left` (the least disruption any assignment must make: a leaver's accounts
/// move whatever the budget) to `right` (the unconstrained disruption), `n` evenly spaced,
/// the last `None` (the unconstrained solve itself); whole accounts when counting accounts,
/// no budget twice.
pub fn grid(left: f64, right: f64, n: usize, measure: Measure) -> Vec<Option<f64>> {
    let mut out: Vec<Option<f64>> = Vec::new();
    let left = left.max(0.0);
    if right <= left || n < 2 {
        return vec![None];
    }
    for i in 0..n - 1 {
        let mut b = left + (right - left) * i as f64 / (n - 1) as f64;
        if measure == Measure::Accounts {
            b = b.round().max(left.ceil());
        }
        if b >= right {
            break;
        }
        if out.last().is_some_and(|l| l.is_some_and(|l| l >= b)) {
            continue;
        }
        out.push(Some(b));
    }
    out.push(None);
    out
}

/// What one solve gave.
struct Solved {
    status: PointStatus,
    account_rep: Vec<Option<RepIdx>>,
    objective: Option<f64>,
    bound: Option<f64>,
    work: u64,
    seconds: f64,
    reproducible: bool,
}

/// Solves `q` (the point's problem) under `ctx` and checks the result independently.
fn solve_point(q: &Problem, ctx: &SearchContext, loaded: &Loaded) -> Result<Solved, Failure> {
    let t = Instant::now();
    let o = allot_opt::solve(q, ctx).map_err(|e| Failure {
        code: 4,
        message: format!("internal solver failure: {e}"),
    })?;
    let account_rep = o.assignment.account_reps(q);
    let map = q
        .accounts
        .iter()
        .zip(&account_rep)
        .filter_map(|(a, r)| r.map(|r| (a.id.clone(), q.reps[r.index()].id.clone())))
        .collect();
    let violations = check_with_pairs(&q.accounts, &q.reps, &q.plan, &map, loaded.pairs.as_deref());
    let stopped = ctx.stop.load(Ordering::SeqCst);
    let status = match o.status {
        Status::Optimal | Status::Feasible if violations.is_empty() => {
            if o.status == Status::Optimal {
                PointStatus::Optimal
            } else {
                PointStatus::Feasible
            }
        }
        _ if stopped => PointStatus::NotRun,
        Status::TimeLimit => PointStatus::TimeLimit,
        _ => PointStatus::Infeasible,
    };
    let objective = if status.has_solution() {
        allot_model::objective(q, &o.assignment)
    } else {
        None
    };
    Ok(Solved {
        status,
        account_rep,
        objective,
        bound: (o.bound.is_finite() && status.has_solution()).then_some(o.bound),
        work: o.work,
        seconds: t.elapsed().as_secs_f64(),
        reproducible: o.reproducible && !stopped,
    })
}

/// What `account_rep` moves in each segment (by name), in `measure`.
fn segment_moved(
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    measure: Measure,
) -> std::collections::BTreeMap<String, f64> {
    let mut out: std::collections::BTreeMap<String, f64> =
        p.segments.iter().map(|s| (s.name.clone(), 0.0)).collect();
    for (i, a) in p.accounts.iter().enumerate() {
        if p.account_had_owner[i] && account_rep[i] != p.account_owner[i] {
            let name = &p.segments[p.account_segment[i].index()].name;
            if let Some(x) = out.get_mut(name) {
                *x += measure.of(a);
            }
        }
    }
    out
}

/// The figures of a point's assignment.
fn describe(p: &Problem, account_rep: &[Option<RepIdx>], metrics: &[Metric]) -> Point {
    let f = figures(p, account_rep);
    let mut total_km = 0.0;
    for (i, a) in p.accounts.iter().enumerate() {
        if let Some(r) = account_rep[i]
            && let (Some(home), Some(at)) = (p.reps[r.index()].coords(), a.coords())
        {
            total_km += haversine_km(home, at);
        }
    }
    let max_dev_pct = metrics
        .iter()
        .map(|m| {
            let worst = f
                .segments
                .iter()
                .map(|s| s.max_abs_deviation[m.slot()])
                .fold(0.0, f64::max);
            (*m, worst * 100.0)
        })
        .collect();
    let balance: f64 = f
        .segments
        .iter()
        .map(|s| {
            metrics
                .iter()
                .map(|m| p.plan.balance.weight(*m) * s.max_abs_deviation[m.slot()])
                .sum::<f64>()
        })
        .sum();
    Point {
        point: 0,
        budget: 0.0,
        budget_key: String::new(),
        moves: f.moved_accounts,
        moved_potential: f.moved_potential,
        moved_workload: f.moved_workload,
        max_dev_pct,
        balance_pct: balance * 100.0,
        within_band: f.segments.iter().all(|s| s.within_band),
        mean_km: f.mean_km,
        total_km,
        objective: None,
        lower_bound: None,
        status: PointStatus::NotRun,
        from_point: None,
        dominated: false,
        knee: false,
        work: 0,
        seconds: 0.0,
        reproducible: true,
    }
}

/// Runs `allot frontier`.
pub fn run(args: &FrontierArgs) -> Result<ExitCode, Failure> {
    let begun = Instant::now();
    if args.pick == Some(0) {
        return Err(Failure::input(
            "--pick K: points are numbered from 1 (see the point column of frontier.csv)",
        ));
    }
    let user = read_plan(args.input.plan.as_deref(), &args.solver)?;
    let n_points = args.points as usize;
    let measure = user.disruption.measure();
    let mut base_plan = frontier_plan(&user, args.metric);
    let loaded = load(&args.input, base_plan.clone())?;
    let refused = loaded.all_refused();
    if !refused.is_empty() {
        eprintln!(
            "{} row(s) refused; see {}",
            refused.len(),
            args.input.out.join("rejects.csv").display()
        );
        crate::report::write_atomic(
            &args.input.out,
            "rejects.csv",
            &crate::report::csv_out::rejects(&refused)?,
        )?;
    } else {
        crate::report::remove_stale(&args.input.out, "rejects.csv");
    }
    let p = &loaded.built.problem;
    let metrics: Vec<Metric> = p.plan.balance.metrics.clone();
    let owned: f64 = p
        .accounts
        .iter()
        .filter(|a| a.owner_id.is_some())
        .map(|a| measure.of(a))
        .sum();

    // Threads, jobs, and the limits of each solve: the time limit covers the curve, the
    // work limit is each point's.
    let threads = match user.solver.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    // Default: half as many points at once as threads, each solve with the rest (on 2
    // cores one point at a time with both threads was as fast or faster, in less memory:
    // a solve already runs its segments and starts in parallel).
    let jobs = args.jobs.unwrap_or(threads / 2).clamp(1, threads.max(1));
    let threads_per_job = (threads / jobs).max(1);
    let waves = 1 + (n_points - 1).div_ceil(jobs);
    let time_per_point = user.solver.time_limit_s / waves as f64;
    // A work limit states the effort of one solve (the plan's is tuned for one): every
    // point gets all of it, so each point is searched as hard as `allot balance` would
    // (an equal share of it per point gave visibly worse curves on the demo).
    let work_per_point = user.solver.work_limit;
    let point_plan = |plan: &Plan, threads: usize| {
        let mut q = plan.clone();
        // Under a work limit the clock is only a safety valve: each point keeps all of it,
        // so that a loaded machine does not cut (and change) the curve.
        q.solver.time_limit_s = if work_per_point > 0 {
            user.solver.time_limit_s
        } else {
            time_per_point.max(0.05)
        };
        q.solver.work_limit = work_per_point;
        q.solver.threads = threads;
        q
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        crate::signals::on_interrupt(move || stop.store(true, Ordering::SeqCst));
    }
    let context = |plan: &Plan| {
        let mut ctx = SearchContext::from_plan(plan);
        ctx.stop = stop.clone();
        ctx
    };
    let problem_for = |base: &Plan, b: Option<f64>, threads: usize| {
        let (plan, _) = with_budget(base, measure, b, owned);
        let mut q = p.clone();
        q.plan = point_plan(&plan, threads);
        q.set_objective_terms();
        q
    };

    eprintln!(
        "frontier of {} accounts × {} reps: {} on the y axis, disruption in {}, up to {n_points} points, {jobs} at a time × {threads_per_job} thread(s), each {}",
        p.accounts.len(),
        p.reps.len(),
        match args.metric {
            FrontierMetric::Balance => "best balance",
            FrontierMetric::Travel => "least total km within the bands",
        },
        measure.noun(),
        if work_per_point > 0 {
            format!("{work_per_point} work units")
        } else {
            format!("{time_per_point:.2} s")
        }
    );

    // The unconstrained solve, with every thread: the right end of the curve.
    let q = problem_for(&base_plan, None, threads);
    let right_solved = solve_point(&q, &context(&q.plan), &loaded)?;
    let right = if right_solved.status.has_solution() {
        describe(p, &right_solved.account_rep, &metrics).x(measure)
    } else {
        0.0
    };
    // The left end: what every assignment must move (a proven least; exact on small
    // segments), so that a roster with leavers does not start at an impossible 0.
    let left = if right_solved.status.has_solution() && right > 0.0 {
        allot_opt::least_disruption(&problem_for(&base_plan, Some(right), threads), measure)
    } else {
        0.0
    };
    let budgets = if right_solved.status.has_solution() {
        grid(left, right, n_points, measure)
    } else {
        vec![None]
    };
    // Segments are solved apart: each point's budget is shared out in proportion to what
    // each segment moved unconstrained (above what it must move), so that a segment that
    // needs many moves gets them; the points' plans state it (`--pick` reproduces them).
    if right_solved.status.has_solution() {
        base_plan.disruption.segment_shares = segment_moved(p, &right_solved.account_rep, measure);
    }

    // The other points, independent solves, `jobs` at a time.
    let inner: Vec<f64> = budgets.iter().flatten().copied().collect();
    let slots: Vec<Mutex<Option<Result<Solved, Failure>>>> =
        inner.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..jobs.min(inner.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= inner.len() {
                        break;
                    }
                    let r = if stop.load(Ordering::SeqCst) {
                        Ok(Solved {
                            status: PointStatus::NotRun,
                            account_rep: Vec::new(),
                            objective: None,
                            bound: None,
                            work: 0,
                            seconds: 0.0,
                            reproducible: false,
                        })
                    } else {
                        let q = problem_for(&base_plan, Some(inner[i]), threads_per_job);
                        solve_point(&q, &context(&q.plan), &loaded)
                    };
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    let mut solved: Vec<Solved> = Vec::new();
    for slot in slots {
        let r = slot.into_inner().ok().flatten().unwrap_or_else(|| {
            Err(Failure {
                code: 4,
                message: "internal failure: a frontier point was not solved".into(),
            })
        })?;
        solved.push(r);
    }
    solved.push(right_solved);

    // Points in budget order, with their figures.
    let mut points: Vec<Point> = Vec::new();
    let mut assignments: Vec<Vec<Option<RepIdx>>> = Vec::new();
    for (k, (b, s)) in budgets.iter().zip(solved).enumerate() {
        // A point without a solution has no figures (its row leaves them empty).
        let mut pt = if s.status.has_solution() {
            describe(p, &s.account_rep, &metrics)
        } else {
            describe(p, &p.current_owners(), &metrics)
        };
        pt.point = k + 1;
        pt.budget = b.unwrap_or(right);
        pt.budget_key = with_budget(&base_plan, measure, *b, owned).1;
        pt.status = s.status;
        pt.objective = s.objective;
        pt.lower_bound = s.bound;
        pt.work = s.work;
        pt.seconds = s.seconds;
        pt.reproducible = s.reproducible;
        points.push(pt);
        assignments.push(if s.status.has_solution() {
            s.account_rep
        } else {
            Vec::new()
        });
    }
    make_monotone(&mut points, &mut assignments);
    mark_dominated(&mut points, measure);
    mark_knee(&mut points, measure);

    let frontier = Frontier {
        metric: args.metric,
        measure,
        metrics,
        band_pct: p.plan.balance.band_pct,
        points,
        work_per_point,
        time_per_point,
        jobs,
        threads_per_job,
        seconds: begun.elapsed().as_secs_f64(),
    };
    out::write(&args.input.out, &frontier)?;
    out::write_assignments(&args.input.out, p, &frontier, &assignments)?;
    print_table(&frontier);
    eprintln!(
        "{} points in {:.2} s; frontier.csv, frontier.md and frontier.html in {}",
        frontier.points.len(),
        frontier.seconds,
        args.input.out.display()
    );

    let interrupted = stop.load(Ordering::SeqCst);
    if let Some(k) = args.pick
        && !interrupted
    {
        let n = frontier.points.len();
        let Some(pt) = frontier.points.get(k - 1) else {
            return Err(Failure::input(format!(
                "--pick {k}: the frontier has {n} point(s), numbered 1 to {n} (see frontier.csv)"
            )));
        };
        let source = pt.from_point.unwrap_or(pt.point);
        let b = budgets[source - 1];
        let (plan, key) = with_budget(&base_plan, measure, b, owned);
        let plan = point_plan(&plan, threads);
        let dir = args.input.out.join(format!("point-{k}"));
        eprintln!(
            "== point {k} ({key}{}) → {} ==",
            if source != k {
                format!(", the assignment of point {source}")
            } else {
                String::new()
            },
            dir.display()
        );
        let text = toml::to_string(&plan)
            .map_err(|e| Failure::input(format!("cannot write the point's plan: {e}")))?;
        crate::report::write_atomic(
            &dir,
            "plan.toml",
            format!(
                "# The plan of frontier point {k} ({key}): `allot balance --plan` with it reproduces the point.\n{text}"
            )
            .as_bytes(),
        )?;
        let input = InputArgs {
            out: dir,
            ..args.input.clone()
        };
        let mut extras = super::balance::Extras {
            frontier_svg: Some(crate::report::frontier::chart_svg(&frontier, Some(k))),
            ..Default::default()
        };
        return super::balance::solve_and_write_with(&input, plan, "frontier", &mut extras);
    }
    if interrupted {
        eprintln!(
            "interrupted: the points solved so far are in frontier.csv (the rest say not_run)"
        );
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    let last = frontier.points.last().map(|p| p.status);
    match last {
        Some(s) if s.has_solution() => Ok(ExitCode::SUCCESS),
        Some(PointStatus::TimeLimit) => Err(Failure {
            code: EXIT_TIME_LIMIT,
            message: "no feasible assignment found even without a disruption budget within the limits; raise --time-limit or --work-limit (frontier.csv written)".into(),
        }),
        _ => Err(Failure {
            code: EXIT_INFEASIBLE,
            message: "infeasible: even without a disruption budget no assignment keeps the caps and hard bands; `allot balance` with the same plan names the binding rule (frontier.csv written)".into(),
        }),
    }
}

/// A larger budget is never worse: a point whose solve came back worse than (or without)
/// a smaller budget's solution keeps that solution, which its budget allows too
/// (`from_point`). Lower bounds tighten the same way: a larger budget's bound holds for
/// every smaller budget.
pub fn make_monotone(points: &mut [Point], assignments: &mut [Vec<Option<RepIdx>>]) {
    let mut best: Option<usize> = None;
    for i in 0..points.len() {
        if points[i].status == PointStatus::NotRun {
            continue;
        }
        if let Some(b) = best {
            let vb = points[b].objective.unwrap_or(f64::INFINITY);
            let worse = match points[i].objective {
                Some(v) => v > vb + SAME * vb.abs().max(1.0),
                None => true,
            };
            if worse {
                let keep = (
                    points[i].point,
                    points[i].budget,
                    points[i].budget_key.clone(),
                    points[i].lower_bound,
                    points[i].work,
                    points[i].seconds,
                    points[i].reproducible,
                );
                let own_status = points[i].status;
                points[i] = points[b].clone();
                (
                    points[i].point,
                    points[i].budget,
                    points[i].budget_key,
                    points[i].lower_bound,
                    points[i].work,
                    points[i].seconds,
                    points[i].reproducible,
                ) = keep;
                if !own_status.has_solution() {
                    // The solve found nothing: no bound of its own either.
                    points[i].lower_bound = None;
                }
                points[i].status = PointStatus::Feasible;
                points[i].from_point = Some(points[b].from_point.unwrap_or(points[b].point));
                assignments[i] = assignments[b].clone();
                continue;
            }
        }
        if points[i].status.has_solution() {
            best = Some(i);
        }
    }
    // Bounds: the best bound of this budget or any larger one.
    let mut bound: Option<f64> = None;
    for pt in points.iter_mut().rev() {
        if let Some(b) = pt.lower_bound {
            bound = Some(bound.map_or(b, |x: f64| x.max(b)));
        }
        if pt.status.has_solution() {
            pt.lower_bound = bound.map(|b| match pt.objective {
                // Float noise only: a bound never exceeds an attained value.
                Some(o) if b > o => o,
                _ => b,
            });
            if let Some(o) = pt.objective
                && let Some(b) = pt.lower_bound
                && o - b <= 1e-9 * o.abs().max(1e-9)
            {
                pt.status = PointStatus::Optimal;
            } else if pt.status == PointStatus::Optimal {
                pt.status = PointStatus::Feasible;
            }
        }
    }
}

/// Marks points another point dominates: it moves no more (in `measure`) and reaches at
/// least as good an objective, one of the two strictly, or it is the same and earlier.
pub fn mark_dominated(points: &mut [Point], measure: Measure) {
    let xy: Vec<Option<(f64, f64)>> = points
        .iter()
        .map(|p| {
            (p.status.has_solution())
                .then(|| p.objective.map(|o| (p.x(measure), o)))
                .flatten()
        })
        .collect();
    let le = |a: f64, b: f64| a <= b + SAME * b.abs().max(1.0);
    let lt = |a: f64, b: f64| a < b - SAME * b.abs().max(1.0);
    for j in 0..points.len() {
        let Some((xj, yj)) = xy[j] else {
            points[j].dominated = false;
            continue;
        };
        points[j].dominated = xy.iter().enumerate().any(|(i, o)| {
            let Some((xi, yi)) = *o else { return false };
            i != j && le(xi, xj) && le(yi, yj) && (lt(xi, xj) || lt(yi, yj) || i < j)
        });
    }
}

/// Marks the knee: among the feasible points not dominated, the one farthest from the
/// straight line between the two ends after scaling both axes to 0–1 (ties: fewer moves);
/// with fewer than three such points, the one with the best value.
pub fn mark_knee(points: &mut [Point], measure: Measure) {
    for p in points.iter_mut() {
        p.knee = false;
    }
    let mut on: Vec<(usize, f64, f64)> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.status.has_solution() && !p.dominated)
        .filter_map(|(i, p)| p.objective.map(|o| (i, p.x(measure), o)))
        .collect();
    on.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let Some(&first) = on.first() else { return };
    let Some(&last) = on.last() else { return };
    if on.len() < 3 {
        let best = on
            .iter()
            .min_by(|a, b| a.2.total_cmp(&b.2).then(a.1.total_cmp(&b.1)))
            .map_or(first.0, |b| b.0);
        points[best].knee = true;
        return;
    }
    let (x0, x1) = (first.1, last.1);
    let (ylo, yhi) = on
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.2), hi.max(p.2))
        });
    let sx = |x: f64| if x1 > x0 { (x - x0) / (x1 - x0) } else { 0.0 };
    let sy = |y: f64| {
        if yhi > ylo {
            (y - ylo) / (yhi - ylo)
        } else {
            0.0
        }
    };
    let (ax, ay) = (sx(first.1), sy(first.2));
    let (bx, by) = (sx(last.1), sy(last.2));
    let len = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
    let mut knee = first.0;
    let mut far = -1.0;
    for &(i, x, y) in &on {
        let (px, py) = (sx(x), sy(y));
        let d = if len > 0.0 {
            ((bx - ax) * (ay - py) - (ax - px) * (by - ay)).abs() / len
        } else {
            0.0
        };
        if d > far + 1e-12 {
            far = d;
            knee = i;
        }
    }
    points[knee].knee = true;
}

/// The curve as a table on the terminal.
fn print_table(f: &Frontier) {
    eprintln!(
        "  point  {:>14}  {:>7}  {:>14}  {:>12}  {:>12}  {:>9}  status",
        "budget",
        "moves",
        match f.metric {
            FrontierMetric::Balance => "balance %",
            FrontierMetric::Travel => "total km",
        },
        "objective",
        "lower bound",
        "gap %"
    );
    for p in &f.points {
        if !p.status.has_solution() {
            eprintln!(
                "  {:>5}  {:>14.2}  {:>7}  {:>14}  {:>12}  {:>12}  {:>9}  {}",
                p.point,
                p.budget,
                "-",
                "-",
                "-",
                "-",
                "-",
                p.status.name()
            );
            continue;
        }
        let y = match f.metric {
            FrontierMetric::Balance => p.balance_pct,
            FrontierMetric::Travel => p.total_km,
        };
        eprintln!(
            "  {:>5}  {:>14.2}  {:>7}  {:>14.4}  {:>12}  {:>12}  {:>9}  {}{}{}{}",
            p.point,
            p.budget,
            p.moves,
            y,
            p.objective.map_or("-".into(), |o| format!("{o:.6}")),
            p.lower_bound.map_or("-".into(), |o| format!("{o:.6}")),
            p.gap_rel()
                .map_or("-".into(), |g| format!("{:.4}", g * 100.0)),
            p.status.name(),
            p.from_point
                .map_or(String::new(), |s| format!(" (keeps point {s})")),
            if p.dominated { " dominated" } else { "" },
            if p.knee { " ← knee" } else { "" }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(k: usize, moves: usize, objective: Option<f64>, bound: Option<f64>) -> Point {
        Point {
            point: k,
            budget: moves as f64,
            budget_key: format!("max_moves = {moves}"),
            moves,
            moved_potential: 0.0,
            moved_workload: 0.0,
            max_dev_pct: Vec::new(),
            balance_pct: 0.0,
            within_band: false,
            mean_km: None,
            total_km: 0.0,
            objective,
            lower_bound: bound,
            status: if objective.is_some() {
                PointStatus::Feasible
            } else {
                PointStatus::Infeasible
            },
            from_point: None,
            dominated: false,
            knee: false,
            work: 0,
            seconds: 0.0,
            reproducible: true,
        }
    }

    #[test]
    fn grid_spans_the_least_to_unconstrained_without_repeats() {
        let g = grid(0.0, 10.0, 9, Measure::Accounts);
        assert_eq!(g.first(), Some(&Some(0.0)));
        assert_eq!(g.last(), Some(&None));
        let inner: Vec<f64> = g.iter().flatten().copied().collect();
        assert!(inner.windows(2).all(|w| w[0] < w[1]), "{inner:?}");
        assert!(inner.iter().all(|b| b.fract() == 0.0 && *b < 10.0));
        assert_eq!(
            grid(0.0, 3.0, 9, Measure::Accounts).len(),
            4,
            "0, 1, 2 and none"
        );
        assert_eq!(grid(0.0, 0.0, 9, Measure::Accounts), vec![None]);
        assert_eq!(grid(0.0, 1.0, 9, Measure::Potential).len(), 9);
        // Forced moves: the curve starts at them.
        let g = grid(4.0, 12.0, 5, Measure::Accounts);
        assert_eq!(g, vec![Some(4.0), Some(6.0), Some(8.0), Some(10.0), None]);
        assert_eq!(grid(5.0, 5.0, 9, Measure::Accounts), vec![None]);
        let g = grid(2.5, 10.0, 4, Measure::Potential);
        assert_eq!(g, vec![Some(2.5), Some(5.0), Some(7.5), None]);
    }

    #[test]
    fn a_worse_or_failed_larger_budget_keeps_the_smaller_budgets_assignment() {
        let mut points = vec![
            pt(1, 0, Some(0.5), Some(0.5)),
            pt(2, 2, Some(0.3), Some(0.1)),
            // Came back worse than point 2: keeps point 2's assignment.
            pt(3, 4, Some(0.4), Some(0.2)),
            // Found nothing: keeps point 2's too.
            pt(4, 6, None, None),
            pt(5, 8, Some(0.2), Some(0.2)),
        ];
        let mut asg: Vec<Vec<Option<RepIdx>>> =
            (0..5).map(|k| vec![Some(RepIdx::from_usize(k))]).collect();
        make_monotone(&mut points, &mut asg);
        assert_eq!(points[2].from_point, Some(2));
        assert_eq!(points[2].objective, Some(0.3));
        assert_eq!(points[2].moves, 2);
        assert_eq!(points[2].budget, 4.0, "its own budget stays");
        assert_eq!(asg[2], asg[1]);
        assert_eq!(points[3].from_point, Some(2));
        assert_eq!(points[3].status, PointStatus::Feasible);
        // Bounds: a larger budget's bound holds for smaller ones (0.2 from point 5).
        assert_eq!(points[1].lower_bound, Some(0.2));
        assert_eq!(points[2].lower_bound, Some(0.2));
        assert_eq!(points[3].lower_bound, Some(0.2));
        assert_eq!(points[4].status, PointStatus::Optimal, "bound = objective");
        let values: Vec<f64> = points.iter().filter_map(|p| p.objective).collect();
        assert!(values.windows(2).all(|w| w[1] <= w[0]));
        mark_dominated(&mut points, Measure::Accounts);
        // Points 3 and 4 repeat point 2 with more budget: dominated.
        let dominated: Vec<bool> = points.iter().map(|p| p.dominated).collect();
        assert_eq!(dominated, vec![false, false, true, true, false]);
        mark_knee(&mut points, Measure::Accounts);
        // (0, 0.5), (2, 0.3), (8, 0.2) scaled: (0, 1), (0.25, 1/3), (1, 0): point 2 is
        // farthest from the chord.
        let knees: Vec<usize> = points.iter().filter(|p| p.knee).map(|p| p.point).collect();
        assert_eq!(knees, vec![2]);
    }

    #[test]
    fn knee_of_two_points_is_the_better_value() {
        let mut points = vec![pt(1, 0, Some(0.5), None), pt(2, 3, Some(0.1), None)];
        mark_dominated(&mut points, Measure::Accounts);
        mark_knee(&mut points, Measure::Accounts);
        assert!(points[1].knee && !points[0].knee);
    }
}
