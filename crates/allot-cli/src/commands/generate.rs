//! `allot generate`: writes a synthetic instance of the seed's mix.

use std::process::ExitCode;

use crate::args::GenerateArgs;
use crate::failure::Failure;
use crate::report::write_atomic;
use allot_model::synth::{GenSpec, generate, reps_at_seed_ratios};

/// The plan written beside generated data (and bundled with the demo).
pub const DEMO_PLAN: &str = include_str!("../../../../data/demo/plan.toml");

/// Runs `allot generate`.
pub fn run(args: &GenerateArgs) -> Result<ExitCode, Failure> {
    if args.n_accounts == 0 || args.n_reps == Some(0) {
        return Err(Failure::input(
            "--n-accounts and --n-reps must be at least 1",
        ));
    }
    let spec = spec_of(args);
    spec.validate()
        .map_err(|e| Failure::input(format!("allot generate: {e}")))?;
    let g = generate(&spec);
    write_atomic(&args.out, "accounts.csv", g.accounts_csv.as_bytes())?;
    if args.leavers + args.joiners > 0 {
        let (today, said) = roster_change(&g.reps_csv, &g.accounts_csv, args)
            .map_err(|e| Failure::input(format!("allot generate: {e}")))?;
        write_atomic(&args.out, "reps_previous.csv", g.reps_csv.as_bytes())?;
        write_atomic(&args.out, "reps.csv", today.as_bytes())?;
        tracing::info!("{said}");
    } else {
        crate::report::remove_stale(&args.out, "reps_previous.csv");
        write_atomic(&args.out, "reps.csv", g.reps_csv.as_bytes())?;
    }
    write_atomic(&args.out, "plan.toml", DEMO_PLAN.as_bytes())?;
    tracing::info!(
        "wrote {} accounts and {} reps to {}",
        spec.accounts,
        spec.reps,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Today's roster after `--leavers` and `--joiners` (reps.csv text) and a line saying who.
///
/// Leavers are drawn by the seed among reps whose tier keeps another active rep; each joiner
/// goes to the tier with the most accounts per active rep at that point and lives at the
/// home of one of its reps (drawn by the seed).
fn roster_change(
    reps_csv: &str,
    accounts_csv: &str,
    args: &GenerateArgs,
) -> anyhow::Result<(String, String)> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(args.seed ^ 0x5EED_1EAF_u64);
    let mut r = csv::Reader::from_reader(reps_csv.as_bytes());
    let headers = r.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| anyhow::anyhow!("generated reps.csv has no {name} column"))
    };
    let (c_id, c_name, c_seg, c_status) = (
        col("rep_id")?,
        col("name")?,
        col("segment")?,
        col("status")?,
    );
    let mut rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.map(|x| x.iter().map(str::to_string).collect()))
        .collect::<Result<_, _>>()?;
    // Accounts per tier: the owner's tier of each owned account is enough here.
    let mut a = csv::Reader::from_reader(accounts_csv.as_bytes());
    let owner_col = a
        .headers()?
        .iter()
        .position(|h| h == "owner_id")
        .ok_or_else(|| anyhow::anyhow!("generated accounts.csv has no owner_id column"))?;
    let tier_of: std::collections::BTreeMap<String, String> = rows
        .iter()
        .map(|x| (x[c_id].clone(), x[c_seg].clone()))
        .collect();
    let mut accounts: std::collections::BTreeMap<String, f64> = Default::default();
    for rec in a.records() {
        let rec = rec?;
        if let Some(t) = tier_of.get(&rec[owner_col]) {
            *accounts.entry(t.clone()).or_default() += 1.0;
        }
    }
    let active_in = |rows: &[Vec<String>], t: &str| {
        rows.iter()
            .filter(|x| x[c_seg] == t && x[c_status] != "leaving")
            .count()
    };
    let mut left = Vec::new();
    for _ in 0..args.leavers {
        let candidates: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i][c_status] != "leaving" && active_in(&rows, &rows[i][c_seg]) > 1)
            .collect();
        if candidates.is_empty() {
            anyhow::bail!(
                "--leavers {}: no tier keeps another rep after {} leave",
                args.leavers,
                left.len()
            );
        }
        let i = candidates[rng.random_range(0..candidates.len())];
        rows[i][c_status] = "leaving".into();
        left.push(rows[i][c_id].clone());
    }
    let mut joined = Vec::new();
    for j in 0..args.joiners {
        let tier = accounts
            .iter()
            .map(|(t, n)| (t.clone(), n / (active_in(&rows, t) as f64).max(1.0)))
            .fold(None::<(String, f64)>, |best, (t, load)| match best {
                Some((_, l)) if l >= load => best,
                _ => Some((t, load)),
            })
            .map(|(t, _)| t)
            .ok_or_else(|| anyhow::anyhow!("no tier holds accounts"))?;
        let same: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i][c_seg] == tier)
            .collect();
        let mut row = rows[same[rng.random_range(0..same.len())]].clone();
        row[c_id] = format!("N{:02}", j + 1);
        row[c_name] = format!("New Joiner {}", j + 1);
        row[c_status] = "new".into();
        for h in ["max_accounts", "max_workload", "regions", "industries"] {
            if let Ok(c) = col(h) {
                row[c] = String::new();
            }
        }
        if let Ok(c) = col("fte") {
            row[c] = "1".into();
        }
        joined.push(format!("{} ({tier})", row[c_id]));
        rows.push(row);
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&headers)?;
    for x in &rows {
        w.write_record(x)?;
    }
    let text = String::from_utf8(w.into_inner()?)?;
    let said = format!(
        "roster change: leaving {}; joining {} (the roster before: reps_previous.csv)",
        if left.is_empty() {
            "none".into()
        } else {
            left.join(", ")
        },
        if joined.is_empty() {
            "none".into()
        } else {
            joined.join(", ")
        }
    );
    Ok((text, said))
}

/// The generator's spec from the flags: without --n-reps, the demo's 19 reps, or with
/// `--rep-mix ratio` the roster the seed ratios imply.
pub fn spec_of(args: &GenerateArgs) -> GenSpec {
    let reps = args.n_reps.unwrap_or(match args.rep_mix {
        allot_model::synth::RepMix::Ratio => reps_at_seed_ratios(args.n_accounts),
        allot_model::synth::RepMix::Demo => 19,
    });
    GenSpec {
        accounts: args.n_accounts,
        reps,
        seed: args.seed,
        geography: args.geography,
        shared_office: args.shared_office.clone(),
        rep_mix: args.rep_mix,
        owner_skew: args.owner_skew,
    }
}
