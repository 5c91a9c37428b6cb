//! `allot compare`: scenarios side by side — each plan balanced on the same accounts and reps
//! as `allot balance` would, into its own folder, then compare.csv and compare.md.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::args::{CompareArgs, InputArgs};
use crate::failure::{EXIT_INPUT, EXIT_INTERRUPTED, Failure};
use crate::report::compare::Scenario;
use crate::report::write_atomic;

/// Names the output folder keeps for itself (a scenario folder may not take them).
const RESERVED: [&str; 2] = ["compare.csv", "compare.md"];

/// Folder names for the plans: each file name without `.toml`; a name already taken (in
/// any case, or reserved) gets `-2`, `-3`, … so that no scenario overwrites another.
pub fn folder_names(plans: &[impl AsRef<Path>]) -> Vec<String> {
    let mut taken: Vec<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    for p in plans {
        let p = p.as_ref();
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().trim().to_string())
            .filter(|s| !s.is_empty() && s != "." && s != "..")
            .unwrap_or_else(|| "plan".to_string());
        let mut name = stem.clone();
        let mut k = 2;
        while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
            name = format!("{stem}-{k}");
            k += 1;
        }
        taken.push(name.clone());
        out.push(name);
    }
    out
}

/// How bad an exit code is, for the exit code of the whole comparison: interrupted, then an
/// internal failure, bad input, infeasible, time limit, done.
fn severity(code: u8) -> u8 {
    match code {
        0 => 0,
        3 => 1,
        2 => 2,
        1 => 3,
        EXIT_INTERRUPTED => 5,
        _ => 4,
    }
}

/// Runs one scenario into `out`: the capacity plan and economics, then the balance run.
fn run_one(args: &CompareArgs, plan_path: &Path, folder: &str) -> Scenario {
    let shown = plan_path.display().to_string();
    let out = args.out.join(folder);
    let plan = match crate::load::read_plan(Some(plan_path), &args.solver) {
        Ok(p) => p,
        Err(f) => {
            return Scenario::failed(shown, folder.into(), "bad_input", Some(f.code), &f.message);
        }
    };
    let input = InputArgs {
        accounts: args.accounts.clone(),
        reps: args.reps.clone(),
        plan: Some(plan_path.to_path_buf()),
        pairs: args.pairs.clone(),
        previous_reps: args.previous_reps.clone(),
        decisions: None,
        previous: None,
        scope: None,
        effective: None,
        boundary: crate::args::Boundary::Month,
        out,
    };
    let applied = Some(plan.clone());
    let (capacity, econ) = match super::capacity::write_plan_outputs(&input, &plan) {
        Ok(x) => x,
        Err(f) => {
            let mut s =
                Scenario::failed(shown, folder.into(), "bad_input", Some(f.code), &f.message);
            s.applied = applied;
            return s;
        }
    };
    for n in &econ.notes {
        tracing::info!("note: {folder}: {n}");
    }
    let mut extras = super::balance::Extras::default();
    let result = super::balance::solve_and_write_with(&input, plan, "compare", &mut extras);
    let kept = extras.kept;
    let mut s = Scenario {
        plan: shown,
        folder: folder.to_string(),
        applied,
        status: String::new(),
        exit_code: None,
        message: String::new(),
        capacity,
        economics: Some(econ),
        summary: None,
    };
    match result {
        Ok(_) => {
            let status = kept
                .as_ref()
                .map_or_else(|| "feasible".to_string(), |k| k.status.clone());
            if status == "interrupted" {
                s.exit_code = Some(EXIT_INTERRUPTED);
                s.message = "interrupted: the best assignment found so far was written".into();
            } else {
                s.exit_code = Some(0);
            }
            s.status = status;
        }
        Err(f) => {
            s.status = match &kept {
                Some(k) => k.status.clone(),
                None if f.code == EXIT_INPUT => "bad_input".into(),
                None => "error".into(),
            };
            s.exit_code = Some(f.code);
            s.message = f.message;
        }
    }
    s.summary = kept;
    s
}

/// Runs `allot compare`.
pub fn run(args: &CompareArgs) -> Result<ExitCode, Failure> {
    let folders = folder_names(&args.plans);
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut interrupted = false;
    // A signal outside a search (while reading, between scenarios) stops the comparison
    // after the running scenario; inside a search the search's own handler takes it.
    let stop = Arc::new(AtomicBool::new(false));
    for (path, folder) in args.plans.iter().zip(&folders) {
        let flag = stop.clone();
        crate::signals::on_interrupt(move || flag.store(true, Ordering::SeqCst));
        if interrupted || stop.load(Ordering::SeqCst) {
            interrupted = true;
            scenarios.push(Scenario::failed(
                path.display().to_string(),
                folder.clone(),
                "not_run",
                None,
                "not run: the comparison was interrupted",
            ));
            continue;
        }
        tracing::info!(
            "== scenario {folder} ({}) → {} ==",
            path.display(),
            args.out.join(folder).display()
        );
        let s = run_one(args, path, folder);
        if s.exit_code != Some(0) {
            tracing::warn!(
                "scenario {folder}: {}{}\n  {}",
                s.status,
                s.exit_code
                    .map(|c| format!(" (exit {c})"))
                    .unwrap_or_default(),
                s.message.trim().replace('\n', "\n  ")
            );
        }
        interrupted = s.exit_code == Some(EXIT_INTERRUPTED);
        scenarios.push(s);
    }
    write_atomic(
        &args.out,
        "compare.csv",
        &crate::report::compare::csv(&scenarios)?,
    )?;
    write_atomic(
        &args.out,
        "compare.md",
        crate::report::compare::markdown(
            &scenarios,
            &args.accounts.display().to_string(),
            &args.reps.display().to_string(),
        )
        .as_bytes(),
    )?;
    print!("{}", crate::report::compare::table(&scenarios));
    tracing::info!(
        "wrote {} and {}",
        args.out.join("compare.csv").display(),
        args.out.join("compare.md").display()
    );
    let worst = scenarios
        .iter()
        .filter_map(|s| s.exit_code)
        .chain(stop.load(Ordering::SeqCst).then_some(EXIT_INTERRUPTED))
        .max_by_key(|c| severity(*c))
        .unwrap_or(0);
    Ok(ExitCode::from(worst))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_stems_get_their_own_folders() {
        let got = folder_names(&[
            "a/plan.toml",
            "b/plan.toml",
            "b/Plan.toml",
            "plan-2.toml",
            "compare.md.toml",
            "x/.toml",
        ]);
        assert_eq!(
            got,
            [
                "plan",
                "plan-2",
                "Plan-3",
                "plan-2-2",
                "compare.md-2",
                ".toml"
            ]
        );
    }

    #[test]
    fn worst_exit_code_wins() {
        let worst = |codes: &[u8]| codes.iter().copied().max_by_key(|c| severity(*c));
        assert_eq!(worst(&[0, 3, 2]), Some(2));
        assert_eq!(worst(&[0, 2, 1, 3]), Some(1));
        assert_eq!(worst(&[1, 130]), Some(130));
    }
}
