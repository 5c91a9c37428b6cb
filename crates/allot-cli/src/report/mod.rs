//! Output files: CSV for CRMs and spreadsheets, JSON for machines, Markdown for people.
//! Every file is written to a temporary name in the output folder and renamed into place,
//! so a killed run leaves either the old file or the new one, never half of one.

pub mod changes;
pub mod compare;
pub mod crm;
pub mod csv_out;
pub mod economics;
pub mod flags;
pub mod frontier;
pub mod hierarchy;
pub mod html;
pub mod markdown;
pub mod summary;
pub mod transition;

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Writes `bytes` to `dir/name` atomically (temporary file in the same folder, fsync, rename).
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(dir, name, |w| Ok(w.write_all(bytes)?))
}

/// As [`write_atomic`], with the content streamed by `fill` (for files too large to build
/// in memory first, such as territories.geojson at 1,000,000 accounts).
pub fn write_atomic_with(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output folder {}", dir.display()))?;
    remove_leftovers(dir, name);
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let target = dir.join(name);
    let result = (|| -> anyhow::Result<()> {
        let f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        let mut buf = std::io::BufWriter::with_capacity(1 << 16, f);
        fill(&mut buf).with_context(|| format!("cannot write {}", tmp.display()))?;
        let f = buf
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write {}: {}", tmp.display(), e.error()))?;
        f.sync_all()
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &target)
            .with_context(|| format!("cannot replace {}", target.display()))?;
        // Make the rename itself durable (a no-op where folders cannot be synced).
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Removes the temporary copies of `name` that a killed run left in `dir`.
fn remove_leftovers(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    let mine = format!(".{name}.{}.tmp", std::process::id());
    for e in entries.flatten() {
        let f = e.file_name();
        let f = f.to_string_lossy();
        let pid = f.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".tmp"));
        if f != mine && pid.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Writes territories.csv, rejects.csv (or removes a stale one), report.md, report.html
/// and summary.json.
pub fn write_reports(
    out: &Path,
    p: &allot_model::Problem,
    f: &allot_model::Figures,
    summary: &summary::Summary,
    warnings: &[allot_model::Issue],
    refused: &[allot_model::Issue],
    run: &html::Run,
) -> anyhow::Result<()> {
    let before = run.before;
    write_atomic(out, "territories.csv", &csv_out::territories(p, f)?)?;
    if refused.is_empty() {
        remove_stale(out, "rejects.csv");
    } else {
        write_atomic(out, "rejects.csv", &csv_out::rejects(refused)?)?;
    }
    let groups = hierarchy::groups(p, f, before);
    hierarchy::write(out, &groups)?;
    let mut md = markdown::render(p, f, summary, warnings, before);
    md.push_str(&hierarchy::markdown(&groups));
    write_atomic(out, "report.md", md.as_bytes())?;
    write_atomic(
        out,
        "report.html",
        html::render(p, f, summary, run, &groups)?.as_bytes(),
    )?;
    if p.tier_changes.is_empty() {
        remove_stale(out, "tier_changes.csv");
    } else {
        write_atomic(out, "tier_changes.csv", &changes::tier_changes_csv(p)?)?;
    }
    write_atomic(out, "summary.json", &serde_json::to_vec_pretty(summary)?)?;
    Ok(())
}

/// Removes `dir/name` if present (a stale rejects.csv from an earlier run).
pub fn remove_stale(dir: &Path, name: &str) {
    let _ = std::fs::remove_file(dir.join(name));
}

/// Makes a text cell safe to open in a spreadsheet: a leading `=`, `+`, `-`, `@`, tab or
/// carriage return would start a formula, so such cells get a leading apostrophe. Used for
/// name-like text only: id columns are written exactly as read, so a CRM can match them.
pub fn safe_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Formats a fraction as a percentage with two decimals (0.0123 → "1.23").
pub fn pct(x: f64) -> String {
    format!("{:.2}", x * 100.0)
}
