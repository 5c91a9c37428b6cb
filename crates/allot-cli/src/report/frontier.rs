//! The frontier's files: frontier.csv (one row per point, for spreadsheets and scripts),
//! frontier.md (the table for people) and frontier.html (a self-contained page with the
//! curve as an SVG chart, the knee marked). Nothing machine-dependent (seconds, threads) is
//! written to them, so a work-limited curve is byte-identical at any thread count.

use std::fmt::Write as _;
use std::path::Path;

use allot_model::constraint::Measure;

use super::html::esc;
use allot_model::{Problem, RepIdx};

use super::{write_atomic, write_atomic_with};
use crate::args::FrontierMetric;
use crate::commands::frontier::{Frontier, Point};

/// Writes frontier.csv, frontier.md and frontier.html into `dir`.
pub fn write(dir: &Path, f: &Frontier) -> anyhow::Result<()> {
    write_atomic(dir, "frontier.csv", &csv(f)?)?;
    write_atomic(dir, "frontier.md", markdown(f).as_bytes())?;
    write_atomic(dir, "frontier.html", html(f).as_bytes())?;
    Ok(())
}

/// frontier_assignments.csv: per account, its rep at each point (empty where the point has
/// no solution), so that every point can be checked and loaded without re-solving.
pub fn write_assignments(
    dir: &Path,
    p: &Problem,
    f: &Frontier,
    assignments: &[Vec<Option<RepIdx>>],
) -> anyhow::Result<()> {
    write_atomic_with(dir, "frontier_assignments.csv", |out| {
        let mut w = csv::Writer::from_writer(out);
        let mut header = vec!["account_id".to_string(), "previous_rep_id".to_string()];
        header.extend(f.points.iter().map(|pt| format!("point_{}", pt.point)));
        w.write_record(&header)?;
        for (i, a) in p.accounts.iter().enumerate() {
            let mut row = vec![
                a.id.clone(),
                p.account_owner[i].map_or(String::new(), |r| p.reps[r.index()].id.clone()),
            ];
            for x in assignments {
                row.push(
                    x.get(i)
                        .copied()
                        .flatten()
                        .map_or(String::new(), |r| p.reps[r.index()].id.clone()),
                );
            }
            w.write_record(&row)?;
        }
        w.flush()?;
        Ok(())
    })
}

/// The name of the y value of a metric (the frontier.csv column).
fn y_name(metric: FrontierMetric) -> &'static str {
    match metric {
        FrontierMetric::Balance => "balance_pct",
        FrontierMetric::Travel => "total_km",
    }
}

/// The y value of a point.
fn y_of(metric: FrontierMetric, p: &Point) -> f64 {
    match metric {
        FrontierMetric::Balance => p.balance_pct,
        FrontierMetric::Travel => p.total_km,
    }
}

/// The budget in its unit: whole accounts, or potential (workload) with two decimals.
fn budget_text(measure: Measure, b: f64) -> String {
    match measure {
        Measure::Accounts => format!("{b:.0}"),
        Measure::Potential | Measure::Workload => format!("{b:.2}"),
    }
}

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or(String::new(), |v| format!("{v:.decimals$}"))
}

/// frontier.csv: one row per point in budget order.
pub fn csv(f: &Frontier) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "point",
        "budget",
        "budget_key",
        "moves",
        "moved_potential",
        "moved_workload",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for m in &f.metrics {
        header.push(format!("max_dev_{}_pct", m.name()));
    }
    header.extend(
        [
            "balance_pct",
            "within_band",
            "mean_km",
            "total_km",
            "objective",
            "lower_bound",
            "gap",
            "gap_pct",
            "status",
            "from_point",
            "dominated",
            "knee",
            "work",
            "reproducible",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    w.write_record(&header)?;
    for p in &f.points {
        let has = p.status.has_solution();
        let fig = |s: String| if has { s } else { String::new() };
        let mut row = vec![
            p.point.to_string(),
            budget_text(f.measure, p.budget),
            p.budget_key.clone(),
            fig(p.moves.to_string()),
            fig(format!("{:.2}", p.moved_potential)),
            fig(format!("{:.2}", p.moved_workload)),
        ];
        for (_, d) in &p.max_dev_pct {
            row.push(fig(format!("{d:.4}")));
        }
        row.extend([
            fig(format!("{:.4}", p.balance_pct)),
            fig(p.within_band.to_string()),
            fig(opt(p.mean_km, 3)),
            fig(format!("{:.3}", p.total_km)),
            opt(p.objective, 9),
            opt(p.lower_bound, 9),
            opt(p.gap(), 9),
            opt(p.gap_rel().map(|g| g * 100.0), 4),
            p.status.name().to_string(),
            p.from_point.map_or(String::new(), |k| k.to_string()),
            p.dominated.to_string(),
            p.knee.to_string(),
            p.work.to_string(),
            p.reproducible.to_string(),
        ]);
        w.write_record(&row)?;
    }
    Ok(w.into_inner()?)
}

/// What the y axis shows, in words.
fn y_words(metric: FrontierMetric) -> &'static str {
    match metric {
        FrontierMetric::Balance => {
            "best balance: Σ over segments and balanced metrics of weight × worst |deviation|, %"
        }
        FrontierMetric::Travel => "least total km from rep home to account within the bands",
    }
}

/// What the x axis counts, in words.
fn x_words(measure: Measure) -> &'static str {
    match measure {
        Measure::Accounts => "owned accounts moved",
        Measure::Potential => "potential of the owned accounts moved",
        Measure::Workload => "workload of the owned accounts moved",
    }
}

/// frontier.md: the table for people.
pub fn markdown(f: &Frontier) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Frontier: disruption against {}\n", y_name(f.metric));
    let _ = writeln!(
        s,
        "x: {} · y: {} · band ±{}% · {} point(s), each its own solve ({}).\n",
        x_words(f.measure),
        y_words(f.metric),
        f.band_pct,
        f.points.len(),
        if f.work_per_point > 0 {
            format!(
                "{} work units each: the curve repeats exactly",
                f.work_per_point
            )
        } else {
            format!("{:.2} s each", f.time_per_point)
        }
    );
    let mut head = String::from("| point | budget | moves | moved potential |");
    let mut rule = String::from("|---:|---:|---:|---:|");
    for m in &f.metrics {
        let _ = write!(head, " max dev {} % |", m.name());
        rule.push_str("---:|");
    }
    head.push_str(" within band | mean km | objective | lower bound | gap % | status | |");
    rule.push_str(":---:|---:|---:|---:|---:|---|---|");
    let _ = writeln!(s, "{head}\n{rule}");
    for p in &f.points {
        if !p.status.has_solution() {
            let _ = writeln!(
                s,
                "| {} | {} | – | – |{} – | – | – | – | – | {} | |",
                p.point,
                budget_text(f.measure, p.budget),
                " – |".repeat(f.metrics.len()),
                p.status.name()
            );
            continue;
        }
        let mut row = format!(
            "| {} | {} | {} | {:.0} |",
            p.point,
            budget_text(f.measure, p.budget),
            p.moves,
            p.moved_potential
        );
        for (_, d) in &p.max_dev_pct {
            let _ = write!(row, " {d:.2} |");
        }
        let mut notes: Vec<String> = Vec::new();
        if p.knee {
            notes.push("**knee**".into());
        }
        if let Some(k) = p.from_point {
            notes.push(format!("keeps point {k}"));
        }
        if p.dominated {
            notes.push("dominated".into());
        }
        let _ = writeln!(
            row,
            " {} | {} | {} | {} | {} | {} | {} |",
            if p.within_band { "yes" } else { "no" },
            opt(p.mean_km, 1),
            opt(p.objective, 6),
            opt(p.lower_bound, 6),
            opt(p.gap_rel().map(|g| g * 100.0), 3),
            p.status.name(),
            notes.join(", ")
        );
        s.push_str(&row);
    }
    let _ = writeln!(
        s,
        "\nThe knee is the point farthest from the straight line between the curve's two ends \
         (both axes scaled to 0–1), among the points not dominated. A dominated point moves at \
         least as much as another for no better value; \"keeps point k\" means its own solve \
         came back worse than a smaller budget's assignment, which its budget allows too.\n\
         `allot frontier … --pick K` writes point K's full output set into point-K/."
    );
    s
}

/// The curve as an SVG chart (points, the non-dominated line, the knee ringed in red), and
/// `picked` (a point number) ringed in green: frontier.html's chart and, with the picked
/// point, the one in that point's report.html.
pub fn chart_svg(f: &Frontier, picked: Option<usize>) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 400.0, 80.0, 20.0, 20.0, 50.0);
    let feasible: Vec<&Point> = f
        .points
        .iter()
        .filter(|p| p.status.has_solution())
        .collect();
    let xs: Vec<f64> = feasible.iter().map(|p| p.x(f.measure)).collect();
    let ys: Vec<f64> = feasible.iter().map(|p| y_of(f.metric, p)).collect();
    let (x0, x1) = span(&xs);
    let (y0, y1) = span(&ys);
    let px = |x: f64| left + (x - x0) / (x1 - x0) * (w - left - right);
    let py = |y: f64| h - bottom - (y - y0) / (y1 - y0) * (h - top - bottom);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="frontier chart">"##
    );
    let _ = write!(
        svg,
        r##"<line x1="{left}" y1="{b}" x2="{r}" y2="{b}" stroke="#444"/><line x1="{left}" y1="{top}" x2="{left}" y2="{b}" stroke="#444"/>"##,
        b = h - bottom,
        r = w - right
    );
    for k in 0..=4 {
        let xv = x0 + (x1 - x0) * k as f64 / 4.0;
        let yv = y0 + (y1 - y0) * k as f64 / 4.0;
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text>"##,
            px(xv),
            h - bottom + 16.0,
            esc(&short(xv))
        );
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"##,
            left - 6.0,
            py(yv) + 4.0,
            esc(&short(yv))
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>"##,
        (left + w - right) / 2.0,
        h - 8.0,
        esc(x_words(f.measure))
    );
    let _ = write!(
        svg,
        r##"<text x="14" y="{:.1}" font-size="12" text-anchor="middle" transform="rotate(-90 14 {:.1})">{}</text>"##,
        (top + h - bottom) / 2.0,
        (top + h - bottom) / 2.0,
        esc(y_name(f.metric))
    );
    let mut line: Vec<(f64, f64)> = feasible
        .iter()
        .filter(|p| !p.dominated)
        .map(|p| (px(p.x(f.measure)), py(y_of(f.metric, p))))
        .collect();
    line.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pts: Vec<String> = line.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    let _ = write!(
        svg,
        r##"<polyline points="{}" fill="none" stroke="#2563eb" stroke-width="2"/>"##,
        pts.join(" ")
    );
    for p in &feasible {
        let (cx, cy) = (px(p.x(f.measure)), py(y_of(f.metric, p)));
        let fill = if p.dominated { "#fff" } else { "#2563eb" };
        let _ = write!(
            svg,
            r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="4" fill="{fill}" stroke="#2563eb"><title>{}</title></circle>"##,
            esc(&format!(
                "point {}: {} moves, {} = {:.4}{}",
                p.point,
                p.moves,
                y_name(f.metric),
                y_of(f.metric, p),
                if p.dominated { " (dominated)" } else { "" }
            ))
        );
        if p.knee {
            let _ = write!(
                svg,
                r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="9" fill="none" stroke="#dc2626" stroke-width="2" class="knee"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#dc2626">knee (point {})</text>"##,
                cx + 12.0,
                cy - 10.0,
                p.point
            );
        }
        if picked == Some(p.point) {
            let _ = write!(
                svg,
                r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="13" fill="none" stroke="#16a34a" stroke-width="3" class="picked"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#16a34a">this plan (point {})</text>"##,
                cx + 12.0,
                cy + 22.0,
                p.point
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// frontier.html: the curve as an SVG chart and the table, self-contained.
pub fn html(f: &Frontier) -> String {
    let svg = chart_svg(f, None);
    let mut rows = String::new();
    for p in &f.points {
        if !p.status.has_solution() {
            let _ = write!(
                rows,
                "<tr><td>{}</td><td>{}</td><td></td><td></td><td></td><td></td><td></td><td>{}</td><td></td></tr>",
                p.point,
                esc(&budget_text(f.measure, p.budget)),
                esc(p.status.name())
            );
            continue;
        }
        let _ = write!(
            rows,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{:.4}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if p.knee { r#" class="knee""# } else { "" },
            p.point,
            esc(&budget_text(f.measure, p.budget)),
            p.moves,
            y_of(f.metric, p),
            if p.within_band { "yes" } else { "no" },
            esc(&opt(p.objective, 6)),
            esc(&opt(p.lower_bound, 6)),
            esc(p.status.name()),
            esc(&[
                p.knee.then(|| "knee".to_string()),
                p.from_point.map(|k| format!("keeps point {k}")),
                p.dominated.then(|| "dominated".to_string()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "))
        );
    }
    format!(
        r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>allot frontier</title>
<style>
body{{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#111}}
table{{border-collapse:collapse;margin-top:16px}}td,th{{border:1px solid #ddd;padding:4px 8px;text-align:right}}
tr.knee td{{background:#fee2e2}}p.note{{color:#555;max-width:720px}}
</style></head><body>
<h1>Frontier: disruption against {yname}</h1>
<p>x: {xw} · y: {yw} · band ±{band}%</p>
{svg}
<table><thead><tr><th>point</th><th>budget</th><th>moves</th><th>{yname}</th><th>within band</th><th>objective</th><th>lower bound</th><th>status</th><th></th></tr></thead>
<tbody>{rows}</tbody></table>
<p class="note">Filled dots are the curve; hollow dots are dominated (another point moves no more for as good a value). The knee is the point farthest from the straight line between the two ends, both axes scaled to 0–1. <code>allot frontier … --pick K</code> writes point K's full output set.</p>
</body></html>
"##,
        yname = esc(y_name(f.metric)),
        xw = esc(x_words(f.measure)),
        yw = esc(y_words(f.metric)),
        band = esc(&f.band_pct.to_string()),
    )
}

/// The range of `v`, widened when empty or flat so that the chart scales never divide by 0.
fn span(v: &[f64]) -> (f64, f64) {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        return (lo - 1.0, hi + 1.0);
    }
    (lo, hi)
}

/// A tick label: few digits.
fn short(x: f64) -> String {
    if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}
