//! Reading the plan and the input files into a validated problem, with hashes for the audit trail.

use std::path::{Path, PathBuf};
use std::time::Instant;

use allot_model::roster::{RosterChanges, compare};
use allot_model::{Built, FileNames, Issue, Plan, Problem, io};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::args::{InputArgs, SolverFlags};
use crate::failure::Failure;

/// One input file as read, for summary.json.
#[derive(Clone, Debug, Serialize)]
pub struct InputFile {
    /// Path as given.
    pub path: String,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// Data rows read (accepted or refused).
    pub rows: usize,
}

/// Everything read and checked before solving.
pub struct Loaded {
    /// The validated problem and what was refused or corrected.
    pub built: Built,
    /// Rows refused while reading (bad values).
    pub refused: Vec<Issue>,
    /// Warnings while reading and checking.
    pub warnings: Vec<Issue>,
    /// Input files for the audit trail.
    pub inputs: Vec<InputFile>,
    /// Seconds spent reading and checking.
    pub read_s: f64,
    /// The accepted rows of the pairs file, when one was given (for the independent check).
    pub pairs: Option<Vec<allot_model::io::PairRow>>,
    /// Roster changes: leavers, joiners, reps on leave or ramping, FTE and segment changes.
    pub roster: RosterChanges,
    /// The planner's decisions and the previous proposal (`--decisions`, `--previous`).
    pub review: crate::decisions::Review,
}

impl Loaded {
    /// Every refused row: bad values while reading, then cross-row problems.
    pub fn all_refused(&self) -> Vec<Issue> {
        let mut all = self.refused.clone();
        all.extend(self.built.refused.iter().cloned());
        all
    }

    /// Input files for the audit trail, with the plan when one was given.
    pub fn inputs_with_plan(&self, plan: Option<&PathBuf>) -> Vec<InputFile> {
        self.inputs
            .iter()
            .cloned()
            .chain(plan_input(plan))
            .collect()
    }
}

/// Hex SHA-256 of a file (empty when unreadable; reading reports that).
pub fn sha256_file(path: &Path) -> String {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(path) else {
        return String::new();
    };
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match f.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => h.update(&buf[..n]),
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the plan (default when no path) and applies command-line overrides.
pub fn read_plan(path: Option<&Path>, flags: &SolverFlags) -> Result<Plan, Failure> {
    let mut plan = match path {
        None => Plan::default(),
        Some(p) => {
            let name = p.display().to_string();
            let text = std::fs::read(p)
                .map_err(|e| Failure::input(format!("{name}: cannot read: {e}")))?;
            let text = String::from_utf8(text).map_err(|_| {
                Failure::input(format!("{name}: not UTF-8 text; save the plan as UTF-8"))
            })?;
            let text = text.trim_start_matches('\u{feff}');
            Plan::from_toml(text, &name).map_err(|e| Failure::input(e.to_string()))?
        }
    };
    if let Some(t) = flags.time_limit {
        plan.solver.time_limit_s = t;
    }
    if let Some(w) = flags.work_limit {
        plan.solver.work_limit = w;
    }
    if let Some(s) = flags.seed {
        plan.solver.seed = s;
    }
    if let Some(t) = flags.threads {
        plan.solver.threads = t;
    }
    plan.validate("command line")
        .map_err(|e| Failure::input(e.to_string()))?;
    Ok(plan)
}

/// Reads and validates the accounts and reps under `plan`.
pub fn load(input: &InputArgs, plan: Plan) -> Result<Loaded, Failure> {
    let t = Instant::now();
    let files = FileNames {
        accounts: input.accounts.display().to_string(),
        reps: input.reps.display().to_string(),
    };
    let accounts = match crate::progress::reading(&input.accounts) {
        Some((source, bar)) => {
            let read = io::read_accounts_from(source, &files.accounts, &plan);
            crate::progress::end(Some(bar));
            read
        }
        None => io::read_accounts(&input.accounts, &files.accounts, &plan),
    };
    let reps = io::read_reps(&input.reps, &files.reps, &plan);
    let (accounts, reps) = match (accounts, reps) {
        (Ok(a), Ok(r)) => (a, r),
        (a, r) => {
            let mut all = Vec::new();
            if let Err(e) = a {
                all.extend(e);
            }
            if let Err(e) = r {
                all.extend(e);
            }
            return Err(Failure::issues(&all));
        }
    };
    let mut reps = reps;
    let mut previous_input = None;
    let previous = match &input.previous_reps {
        Some(path) => {
            let name = path.display().to_string();
            let read = io::read_reps(path, &name, &plan).map_err(|e| Failure::issues(&e))?;
            reps.refused.extend(read.refused);
            reps.warnings.extend(read.warnings);
            previous_input = Some(InputFile {
                path: name,
                sha256: sha256_file(path),
                rows: read.rows.len(),
            });
            Some(read.rows)
        }
        None => None,
    };
    let reps_read = reps.rows.len();
    let (roster, today) = compare(std::mem::take(&mut reps.rows), previous.as_deref());
    reps.rows = today;
    let pairs_name = input.pairs.as_ref().map(|p| p.display().to_string());
    let pairs = match (&input.pairs, &pairs_name) {
        (Some(path), Some(name)) => {
            Some(io::read_pairs(path, name, &plan).map_err(|e| Failure::issues(&e))?)
        }
        _ => None,
    };
    let mut refused = accounts.refused;
    refused.extend(reps.refused);
    let mut warnings = accounts.warnings;
    warnings.extend(reps.warnings);
    let pair_rows = pairs.map(|p| {
        refused.extend(p.refused);
        warnings.extend(p.warnings);
        p.rows
    });
    if accounts.rows.is_empty() && refused.iter().all(|i| i.file != files.accounts) {
        return Err(Failure::issues(&[Issue::file(
            &files.accounts,
            "",
            "the file has a header but no data rows",
            "export the accounts again",
        )]));
    }
    if reps.rows.is_empty() && refused.iter().all(|i| i.file != files.reps) {
        return Err(Failure::issues(&[Issue::file(
            &files.reps,
            "",
            "the file has a header but no data rows",
            "add the reps to the roster",
        )]));
    }
    let strict = plan.strict;
    let mut inputs = vec![
        InputFile {
            path: files.accounts.clone(),
            sha256: sha256_file(&input.accounts),
            rows: accounts.rows.len() + refused.iter().filter(|i| i.file == files.accounts).count(),
        },
        InputFile {
            path: files.reps.clone(),
            sha256: sha256_file(&input.reps),
            rows: reps_read + refused.iter().filter(|i| i.file == files.reps).count(),
        },
    ];
    inputs.extend(previous_input);
    if let (Some(path), Some(rows)) = (&input.pairs, &pair_rows) {
        inputs.push(InputFile {
            path: path.display().to_string(),
            sha256: sha256_file(path),
            rows: rows.len()
                + refused
                    .iter()
                    .filter(|i| Some(&i.file) == pairs_name.as_ref())
                    .count(),
        });
    }
    let ids_of = |file: &str| {
        refused
            .iter()
            .filter(|i| i.file == file && !i.id.is_empty())
            .map(|i| i.id.clone())
            .collect()
    };
    let refused_ids = allot_model::problem::RefusedIds {
        accounts: ids_of(&files.accounts),
        reps: ids_of(&files.reps),
    };
    let (review, review_files) =
        crate::decisions::read(input, &accounts.rows, &mut reps.rows, &plan)?;
    inputs.extend(review_files);
    let building = crate::progress::phase("building the problem");
    let built = Problem::build_pinned(
        accounts.rows,
        reps.rows,
        pairs_name.as_deref().zip(pair_rows.clone()),
        plan,
        &files,
        &refused_ids,
        review.pins(),
    )
    .map_err(|mut e| {
        // The input's refused rows, then every problem of the review files in row order.
        let mut review_side = review.refused.clone();
        review_side.append(&mut e);
        review_side.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        let mut all = refused.clone();
        all.append(&mut review_side);
        Failure::issues(&all)
    });
    crate::progress::end(building);
    let mut built = built?;
    if !review.refused.is_empty() {
        return Err(Failure::issues(&review.refused));
    }
    if let Some(prev) = &review.previous {
        built
            .problem
            .set_proposal(&|id: &str| prev.rep_of.get(id).cloned());
    }
    if strict && !refused.is_empty() {
        // Strict: every refused row fails the run; list the cross-row problems too.
        let mut all = refused.clone();
        all.extend(built.refused.iter().cloned());
        return Err(Failure::issues(&all));
    }
    warnings.append(&mut built.warnings);
    Ok(Loaded {
        built,
        refused,
        warnings,
        inputs,
        read_s: t.elapsed().as_secs_f64(),
        pairs: pair_rows,
        roster,
        review,
    })
}

/// The plan file's entry for the audit trail.
pub fn plan_input(path: Option<&PathBuf>) -> Option<InputFile> {
    path.map(|p| InputFile {
        path: p.display().to_string(),
        sha256: sha256_file(p),
        rows: 0,
    })
}
