//! hierarchy.csv: territories rolled up the sales hierarchy (reps.csv `manager_id`,
//! `district`, `sales_region`): each manager's team, district and region with its load
//! against the sum of its reps' targets, today and after.

use std::collections::BTreeMap;
use std::fmt::Write;

use allot_model::{Figures, Problem};

use super::csv_out::{finish, writer};
use super::markdown::cell;
use super::{pct, remove_stale, write_atomic};

/// One group of one level: its reps' loads and targets summed.
#[derive(Clone, Debug, Default)]
pub struct Group {
    /// manager, district or sales_region.
    pub level: &'static str,
    /// The group's name (the manager's id, the district, the region).
    pub name: String,
    /// Reps in the group.
    pub reps: usize,
    /// Accounts held after.
    pub accounts: usize,
    /// Loads after: potential, workload, accounts.
    pub load: [f64; 3],
    /// Loads today (the current owners), when the run proposes a change.
    pub today: Option<[f64; 3]>,
    /// Σ the reps' targets.
    pub target: [f64; 3],
}

impl Group {
    /// load / target − 1 of metric slot `k` (0 when the target is 0).
    pub fn deviation(&self, k: usize, load: [f64; 3]) -> f64 {
        if self.target[k] > 0.0 {
            load[k] / self.target[k] - 1.0
        } else {
            0.0
        }
    }
}

/// Reads one hierarchy field of a rep.
type RepField = fn(&allot_model::Rep) -> &str;

/// The groups of every level some rep fills, level by level, names sorted.
pub fn groups(p: &Problem, f: &Figures, before: Option<&Figures>) -> Vec<Group> {
    let mut out = Vec::new();
    let levels: [(&'static str, RepField); 3] = [
        ("manager", |r| r.manager_id.as_str()),
        ("district", |r| r.district.as_str()),
        ("sales_region", |r| r.sales_region.as_str()),
    ];
    for (level, key) in levels {
        let mut by: BTreeMap<&str, Group> = BTreeMap::new();
        for (i, rep) in p.reps.iter().enumerate() {
            let name = key(rep).trim();
            if name.is_empty() {
                continue;
            }
            let g = by.entry(name).or_insert_with(|| Group {
                level,
                name: name.to_string(),
                today: before.map(|_| [0.0; 3]),
                ..Group::default()
            });
            let fr = &f.reps[i];
            g.reps += 1;
            g.accounts += fr.accounts;
            for k in 0..3 {
                g.load[k] += fr.load[k];
                g.target[k] += fr.target[k];
            }
            if let (Some(t), Some(b)) = (g.today.as_mut(), before) {
                for k in 0..3 {
                    t[k] += b.reps[i].load[k];
                }
            }
        }
        out.extend(by.into_values());
    }
    out
}

/// Writes hierarchy.csv when some rep has a hierarchy field, else removes a stale copy.
pub fn write(out: &std::path::Path, groups: &[Group]) -> anyhow::Result<()> {
    if groups.is_empty() {
        remove_stale(out, "hierarchy.csv");
        return Ok(());
    }
    let mut w = writer();
    w.write_record([
        "level",
        "name",
        "reps",
        "accounts",
        "potential",
        "target_potential",
        "deviation_potential_pct",
        "workload",
        "target_workload",
        "deviation_workload_pct",
        "today_potential",
        "today_deviation_potential_pct",
        "today_workload",
        "today_deviation_workload_pct",
    ])?;
    for g in groups {
        let today = |k: usize| {
            g.today
                .map(|t| (format!("{:.2}", t[k]), pct(g.deviation(k, t))))
                .unwrap_or_default()
        };
        let (tp, tdp) = today(0);
        let (tw, tdw) = today(1);
        w.write_record([
            g.level.to_string(),
            super::safe_cell(&g.name),
            g.reps.to_string(),
            g.accounts.to_string(),
            format!("{:.2}", g.load[0]),
            format!("{:.2}", g.target[0]),
            pct(g.deviation(0, g.load)),
            format!("{:.2}", g.load[1]),
            format!("{:.2}", g.target[1]),
            pct(g.deviation(1, g.load)),
            tp,
            tdp,
            tw,
            tdw,
        ])?;
    }
    write_atomic(out, "hierarchy.csv", &finish(w)?)
}

/// The "Roll-up" section of report.md (empty without hierarchy fields).
pub fn markdown(groups: &[Group]) -> String {
    let mut o = String::new();
    if groups.is_empty() {
        return o;
    }
    let _ = writeln!(
        o,
        "\n## Roll-up by manager, district and region\n\n| level | name | reps | accounts | potential vs target | workload vs target |\n|---|---|---:|---:|---:|---:|"
    );
    for g in groups {
        let was = |k: usize| {
            g.today
                .map(|t| format!(" (today {:+.1}%)", g.deviation(k, t) * 100.0))
                .unwrap_or_default()
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {:+.2}%{} | {:+.2}%{} |",
            g.level,
            cell(&g.name),
            g.reps,
            g.accounts,
            g.deviation(0, g.load) * 100.0,
            was(0),
            g.deviation(1, g.load) * 100.0,
            was(1)
        );
    }
    o
}
