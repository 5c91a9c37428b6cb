//! report.html: one self-contained page for the person who presents a run to a sales leader.
//! Headline figures, red flags, a map of the territories with a before/after toggle, each
//! segment's balance as charts against target and band, the moves table and the plan, with
//! no network access (the script and styles are inlined; the data rides along as JSON).
//!
//! Every text that comes from the input is escaped: the static parts through [`esc`], the
//! data through [`json_for_script`] (which makes `</script>` impossible inside the JSON) and,
//! in the page, only ever through `textContent`, never `innerHTML`.

use std::fmt::Write;

use allot_model::figures::{Figures, money};
use allot_model::{Metric, Problem, ReasonCode, RepIdx};
use serde::Serialize;

use super::summary::Summary;

/// Most account points drawn on the map; above it a deterministic uniform sample is drawn
/// and the page says how many of how many.
pub const MAX_MAP_POINTS: usize = 30_000;
/// Most rows in the moves table (the moves with the most potential); assignments.csv has all.
pub const MAX_MOVE_ROWS: usize = 5_000;

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// What a run hands to the page besides its figures.
pub struct Run<'a> {
    /// The assignment shown as "after" (the current owners for `evaluate`).
    pub account_rep: &'a [Option<RepIdx>],
    /// Reason code per account (`None`: no reason column, as in `evaluate`).
    pub codes: Option<&'a [ReasonCode]>,
    /// Figures of today's owners, when the run proposes a change.
    pub before: Option<&'a Figures>,
    /// The frontier chart with this run's point ringed, when the run is a picked frontier
    /// point (`allot frontier --pick K`): SVG built from numbers, its text escaped there.
    pub frontier_svg: Option<&'a str>,
}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// JSON that can sit inside `<script type="application/json">`: `<`, `>` and `&` only ever
/// occur inside JSON strings, where their `\u` escapes mean the same characters.
pub fn json_for_script<T: Serialize>(v: &T) -> anyhow::Result<String> {
    let s = serde_json::to_string(v)?;
    Ok(s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026"))
}

/// Reps as columns (one array per field keeps a 1,000-rep page small).
#[derive(Serialize)]
struct Reps {
    id: Vec<String>,
    name: Vec<String>,
    /// Segment index, -1 when the rep takes no accounts in any segment.
    seg: Vec<i64>,
    lat: Vec<Option<f64>>,
    lon: Vec<Option<f64>>,
    /// Loads after, per metric slot.
    after: Vec<[f64; 3]>,
    /// Loads before (today's owners), when the run proposes a change.
    before: Option<Vec<[f64; 3]>>,
    target: Vec<[f64; 3]>,
}

/// Map points as columns; rep indices, -1 for none.
#[derive(Serialize)]
struct Points {
    /// Accounts in the run.
    accounts: usize,
    /// Of those, with coordinates.
    located: usize,
    /// Of those, drawn.
    shown: usize,
    lat: Vec<f64>,
    lon: Vec<f64>,
    /// Segment index of each point.
    seg: Vec<usize>,
    before: Vec<i64>,
    after: Vec<i64>,
}

/// One row of the moves table: account id, name, segment, from rep index, to rep index
/// (-1 none), potential, workload, reason code (serialised as a JSON array).
type MoveRow = (String, String, String, i64, i64, f64, f64, String);

/// The moves table, largest potential first.
#[derive(Serialize)]
struct MovesTable {
    total: usize,
    rows: Vec<MoveRow>,
}

#[derive(Serialize)]
struct Data {
    segments: Vec<String>,
    /// Metric names shown as charts, with whether each is balanced.
    metrics: Vec<(String, bool)>,
    band: f64,
    reps: Reps,
    points: Points,
    moves: MovesTable,
}

/// A count with thousands separators (1,000,000).
fn int(n: usize) -> String {
    let d = n.to_string();
    let mut o = String::with_capacity(d.len() + d.len() / 3);
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i) % 3 == 0 {
            o.push(',');
        }
        o.push(c);
    }
    o
}

fn rep_i(r: Option<RepIdx>) -> i64 {
    r.map_or(-1, |r| r.index() as i64)
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// A deterministic stand-in for a random draw: splitmix64 of the account index.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Map points: every located account, or a uniform sample of [`MAX_MAP_POINTS`] of them
/// (the same accounts on every run of the same input).
fn points(p: &Problem, account_rep: &[Option<RepIdx>], cap: usize) -> Points {
    let located: Vec<usize> = (0..p.accounts.len())
        .filter(|&i| p.accounts[i].lat.is_some() && p.accounts[i].lon.is_some())
        .collect();
    let mut keep = located.clone();
    if keep.len() > cap {
        keep.sort_by_key(|&i| (mix(i as u64), i));
        keep.truncate(cap);
        keep.sort_unstable();
    }
    let mut pts = Points {
        accounts: p.accounts.len(),
        located: located.len(),
        shown: keep.len(),
        lat: Vec::with_capacity(keep.len()),
        lon: Vec::with_capacity(keep.len()),
        seg: Vec::with_capacity(keep.len()),
        before: Vec::with_capacity(keep.len()),
        after: Vec::with_capacity(keep.len()),
    };
    for i in keep {
        let a = &p.accounts[i];
        pts.lat.push(round4(a.lat.unwrap_or_default()));
        pts.lon.push(round4(a.lon.unwrap_or_default()));
        pts.seg.push(p.account_segment[i].index());
        pts.before.push(rep_i(p.account_owner[i]));
        pts.after.push(rep_i(account_rep[i]));
    }
    pts
}

/// The moved accounts (owned today, owner changes), most potential first, at most `cap`.
fn moves(p: &Problem, run: &Run, cap: usize) -> MovesTable {
    let mut moved: Vec<usize> = (0..p.accounts.len())
        .filter(|&i| p.account_had_owner[i] && run.account_rep[i] != p.account_owner[i])
        .collect();
    let total = moved.len();
    moved.sort_by(|&a, &b| {
        p.accounts[b]
            .potential
            .total_cmp(&p.accounts[a].potential)
            .then(a.cmp(&b))
    });
    moved.truncate(cap);
    let rows = moved
        .into_iter()
        .map(|i| {
            let a = &p.accounts[i];
            (
                a.id.clone(),
                a.name.clone(),
                p.segments[p.account_segment[i].index()].name.clone(),
                rep_i(p.account_owner[i]),
                rep_i(run.account_rep[i]),
                a.potential,
                a.workload,
                run.codes
                    .map(|c| c[i].as_str().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    MovesTable { total, rows }
}

fn data(p: &Problem, f: &Figures, run: &Run, caps: (usize, usize)) -> Data {
    let mut metrics = vec![
        (
            Metric::Potential,
            p.plan.balance.metrics.contains(&Metric::Potential),
        ),
        (
            Metric::Workload,
            p.plan.balance.metrics.contains(&Metric::Workload),
        ),
    ];
    if p.plan.balance.metrics.contains(&Metric::Accounts) {
        metrics.push((Metric::Accounts, true));
    }
    let reps = Reps {
        id: p.reps.iter().map(|r| r.id.clone()).collect(),
        name: p.reps.iter().map(|r| r.name.clone()).collect(),
        seg: p
            .rep_segment
            .iter()
            .map(|s| s.map_or(-1, |s| s.index() as i64))
            .collect(),
        lat: p.reps.iter().map(|r| r.coords().map(|c| c.0)).collect(),
        lon: p.reps.iter().map(|r| r.coords().map(|c| c.1)).collect(),
        after: f.reps.iter().map(|r| r.load).collect(),
        before: run.before.map(|b| b.reps.iter().map(|r| r.load).collect()),
        target: f.reps.iter().map(|r| r.target).collect(),
    };
    Data {
        segments: p.segments.iter().map(|s| s.name.clone()).collect(),
        metrics: metrics
            .into_iter()
            .map(|(m, b)| (m.name().to_string(), b))
            .collect(),
        band: p.plan.balance.band(),
        reps,
        points: points(p, run.account_rep, caps.0),
        moves: moves(p, run, caps.1),
    }
}

/// Renders report.html; `rollup` is the hierarchy roll-up (empty without hierarchy fields).
pub fn render(
    p: &Problem,
    f: &Figures,
    s: &Summary,
    run: &Run,
    rollup: &[super::hierarchy::Group],
) -> anyhow::Result<String> {
    let d = data(p, f, run, (MAX_MAP_POINTS, MAX_MOVE_ROWS));
    let mut o = String::with_capacity(1 << 16);
    let title = format!("allot — territory report ({})", s.command);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body data-status=\"loading\">\n",
        esc(&title)
    );
    let _ = writeln!(o, "<header><h1>{}</h1>", esc(&title));
    let _ = writeln!(
        o,
        "<p class=\"sub\">allot {} · status <b class=\"status-{}\">{}</b> · seed {} · {}</p></header>",
        esc(&s.version),
        esc(&s.status),
        esc(&s.status),
        s.seed,
        if s.reproducible {
            "reproducible"
        } else {
            "not guaranteed to repeat (clock-limited)"
        }
    );
    let _ = writeln!(
        o,
        "<noscript><p class=\"warn\">The map, the charts and the moves table need JavaScript; \
         the figures below and report.md have the rest.</p></noscript>"
    );
    let _ = writeln!(
        o,
        "<p id=\"render-error\" class=\"warn\" hidden></p>\n<main>"
    );
    headline(&mut o, p, f, s, run.before);
    flags(&mut o, s);
    if let Some(svg) = run.frontier_svg {
        let _ = writeln!(
            o,
            "<section id=\"frontier\"><h2>Frontier</h2>\n<p class=\"note\">This plan is one \
             point of <code>allot frontier</code>'s curve (ringed in green): the best value \
             reachable at each level of disruption, the knee ringed in red. frontier.html beside \
             this folder has the table.</p>\n<div class=\"frontier\">{svg}</div></section>"
        );
    }
    review_section(&mut o, s);
    map_section(&mut o, &d.points);
    let _ = writeln!(
        o,
        "<section id=\"balance\"><h2>Balance by rep</h2>\n<p class=\"note\">Each bar is one \
         rep's load as a share of their target (100 % = on target), reps sorted by it; the \
         shaded strip is the band ±{:.2} % on balanced metrics. {}Hover a bar for the rep.</p>\n\
         <div id=\"charts\"></div></section>",
        p.plan.balance.band_pct,
        if run.before.is_some() {
            "Dots mark the same rep's load today. "
        } else {
            ""
        }
    );
    segments_table(&mut o, p, s, run.before);
    rollup_section(&mut o, rollup);
    moves_section(&mut o, &d.moves);
    plan_section(&mut o, s)?;
    let _ = writeln!(
        o,
        "</main>\n<script id=\"allot-data\" type=\"application/json\">{}</script>\n<script>\n{SCRIPT}</script>\n</body>\n</html>",
        json_for_script(&d)?
    );
    Ok(o)
}

fn headline(o: &mut String, p: &Problem, f: &Figures, s: &Summary, before: Option<&Figures>) {
    let _ = writeln!(
        o,
        "<section id=\"headline\"><h2>Headline</h2><div class=\"cards\">"
    );
    let card = |o: &mut String, label: &str, value: String, sub: String| {
        let _ = writeln!(
            o,
            "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"subv\">{}</div></div>",
            esc(label),
            esc(&value),
            esc(&sub)
        );
    };
    card(
        o,
        "Accounts",
        int(s.accounts),
        format!(
            "{} reps · {} segments · {} rows refused",
            int(s.reps),
            s.segments.len(),
            int(s.refused_rows)
        ),
    );
    for m in &p.plan.balance.metrics {
        let k = m.slot();
        let worst = |f: &Figures| {
            f.segments
                .iter()
                .map(|g| g.max_abs_deviation[k])
                .fold(0.0f64, f64::max)
        };
        card(
            o,
            &format!("Worst {} deviation", m.name()),
            format!("{:.2} %", worst(f) * 100.0),
            match before {
                Some(b) => format!(
                    "today {:.2} % · band ±{} %",
                    worst(b) * 100.0,
                    p.plan.balance.band_pct
                ),
                None => format!("band ±{} %", p.plan.balance.band_pct),
            },
        );
    }
    card(
        o,
        "Moves",
        int(s.moves.moved_accounts),
        format!(
            "{:.1} % of {} owned accounts · {} potential",
            s.moves.moved_pct,
            int(s.moves.owned_accounts),
            money(s.moves.moved_potential)
        ),
    );
    if let Some(km) = s.mean_km {
        card(
            o,
            "Mean distance",
            format!("{km:.0} km"),
            "rep home → account".to_string(),
        );
    }
    if let (Some(obj), Some(lb)) = (s.objective, s.lower_bound) {
        card(
            o,
            "Objective",
            format!("{obj:.6}"),
            format!(
                "lower bound {lb:.6} · gap {:.4} %{}",
                s.gap_rel.unwrap_or(0.0) * 100.0,
                s.engine
                    .as_deref()
                    .map(|e| format!(" · {e}"))
                    .unwrap_or_default()
            ),
        );
    }
    let _ = writeln!(o, "</div></section>");
}

/// The review loop (decisions, scope, transition) in words, when the run had any.
fn review_section(o: &mut String, s: &Summary) {
    let r = super::markdown::review_lines(s);
    if r.transition.is_none() && r.decisions.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<section id=\"review\"><h2>Decisions and roll-out</h2><ul>"
    );
    for l in r.decisions.iter().chain(r.transition.iter()) {
        let _ = writeln!(o, "<li>{}</li>", esc(l));
    }
    let _ = writeln!(o, "</ul></section>");
}

fn flags(o: &mut String, s: &Summary) {
    let _ = writeln!(o, "<section id=\"flags\"><h2>Red flags</h2>");
    if s.red_flags.is_empty() {
        let _ = writeln!(o, "<p>None.</p></section>");
        return;
    }
    let _ = writeln!(
        o,
        "<table class=\"data\"><thead><tr><th>about</th><th>code</th><th>what it means</th></tr></thead><tbody>"
    );
    for fl in &s.red_flags {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            esc(fl.scope()),
            esc(fl.code.name()),
            esc(&fl.message)
        );
    }
    let _ = writeln!(o, "</tbody></table></section>");
}

fn map_section(o: &mut String, pts: &Points) {
    let _ = writeln!(o, "<section id=\"map-section\"><h2>Territories</h2>");
    if pts.located == 0 {
        let _ = writeln!(
            o,
            "<p class=\"note\">No account has coordinates (lat, lon): no map.</p></section>"
        );
        return;
    }
    let sampled = if pts.shown < pts.located {
        format!(
            "Showing a uniform sample of {} of the {} accounts with coordinates (the same \
             accounts on every run; assignments.csv and territories.geojson have all).",
            int(pts.shown),
            int(pts.located)
        )
    } else {
        format!(
            "Showing all {} accounts with coordinates.",
            int(pts.located)
        )
    };
    let missing = pts.accounts - pts.located;
    let _ = writeln!(
        o,
        "<div class=\"controls\"><span class=\"toggle\"><button type=\"button\" id=\"show-after\" class=\"on\">After</button>\
         <button type=\"button\" id=\"show-before\">Before</button></span>\
         <label>Segment <select id=\"map-seg\"><option value=\"-1\">all segments</option></select></label>\
         <label>Highlight rep <select id=\"map-rep\"><option value=\"-1\">all reps</option></select></label></div>\n\
         <canvas id=\"map\" width=\"1200\" height=\"480\"></canvas>\n\
         <p class=\"note\">Points are accounts coloured by territory; squares are rep homes. {}{}</p></section>",
        esc(&sampled),
        if missing > 0 {
            match missing {
                1 => " 1 account has no coordinates and is not drawn.".to_string(),
                n => format!(" {n} accounts have no coordinates and are not drawn."),
            }
        } else {
            String::new()
        }
    );
}

fn segments_table(o: &mut String, p: &Problem, s: &Summary, before: Option<&Figures>) {
    let _ = writeln!(
        o,
        "<section id=\"segments\"><h2>Segments</h2><table class=\"data\"><thead><tr>\
         <th>segment</th><th>reps</th><th>accounts</th><th>max dev potential</th>\
         <th>max dev workload</th><th>max dev accounts</th><th>within band</th><th>moved</th><th>mean km</th>\
         </tr></thead><tbody>"
    );
    for (i, g) in s.segments.iter().enumerate() {
        let was = |k: usize| {
            before
                .and_then(|b| b.segments.get(i))
                .map(|b| {
                    format!(
                        " <span class=\"was\">(today {:.1} %)</span>",
                        b.max_abs_deviation[k] * 100.0
                    )
                })
                .unwrap_or_default()
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.2} %{}</td><td>{:.2} %{}</td><td>{:.2} %{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&g.name),
            g.reps,
            g.accounts,
            g.potential.max_abs_deviation_pct,
            was(0),
            g.workload.max_abs_deviation_pct,
            was(1),
            g.account_count.max_abs_deviation_pct,
            was(2),
            if g.within_band { "yes" } else { "<b>no</b>" },
            g.moved_accounts,
            g.mean_km
                .map(|k| format!("{k:.0}"))
                .unwrap_or_else(|| "—".into())
        );
    }
    let _ = writeln!(
        o,
        "</tbody></table><p class=\"note\">Band ±{} % on {}.</p></section>",
        p.plan.balance.band_pct,
        esc(&p
            .plan
            .balance
            .metrics
            .iter()
            .map(|m| m.name())
            .collect::<Vec<_>>()
            .join(", "))
    );
}

fn rollup_section(o: &mut String, groups: &[super::hierarchy::Group]) {
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<section id=\"rollup\"><h2>Roll-up by manager, district and region</h2><table class=\"data\"><thead><tr>\
         <th>level</th><th>name</th><th class=\"num\">reps</th><th class=\"num\">accounts</th>\
         <th class=\"num\">potential vs target</th><th class=\"num\">workload vs target</th></tr></thead><tbody>"
    );
    for g in groups {
        let dev = |k: usize| {
            let was = g
                .today
                .map(|t| {
                    format!(
                        " <span class=\"was\">(today {:+.1} %)</span>",
                        g.deviation(k, t) * 100.0
                    )
                })
                .unwrap_or_default();
            format!("{:+.2} %{was}", g.deviation(k, g.load) * 100.0)
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            g.level,
            esc(&g.name),
            g.reps,
            g.accounts,
            dev(0),
            dev(1)
        );
    }
    let _ = writeln!(
        o,
        "</tbody></table><p class=\"note\">Each team's load against the sum of its reps' targets; the band holds per rep.</p></section>"
    );
}

fn moves_section(o: &mut String, m: &MovesTable) {
    let _ = writeln!(o, "<section id=\"moves\"><h2>Moves</h2>");
    if m.total == 0 {
        let _ = writeln!(o, "<p>No account changes owner.</p></section>");
        return;
    }
    let shown = if m.rows.len() < m.total {
        format!(
            "The {} moves with the most potential, of {} (assignments.csv lists every one).",
            int(m.rows.len()),
            int(m.total)
        )
    } else {
        format!("All {} moves.", int(m.total))
    };
    let _ = writeln!(
        o,
        "<p class=\"note\">{} Click a column to sort; filter by rep (from or to), reason or text.</p>\n\
         <div class=\"controls\"><label>Rep <select id=\"moves-rep\"><option value=\"-1\">any</option></select></label>\
         <label>Reason <select id=\"moves-reason\"><option value=\"\">any</option></select></label>\
         <label>Search <input id=\"moves-text\" type=\"search\" placeholder=\"account id or name\"></label>\
         <span id=\"moves-count\"></span></div>\n\
         <table class=\"data\" id=\"moves-table\"><thead><tr><th data-col=\"0\">account</th><th data-col=\"1\">name</th>\
         <th data-col=\"2\">segment</th><th data-col=\"3\">from</th><th data-col=\"4\">to</th>\
         <th data-col=\"5\" class=\"num\">potential</th><th data-col=\"6\" class=\"num\">workload</th>\
         <th data-col=\"7\">reason</th></tr></thead><tbody></tbody></table></section>",
        esc(&shown)
    );
}

fn plan_section(o: &mut String, s: &Summary) -> anyhow::Result<()> {
    // TOML as a plan file is written; JSON if some value has no TOML spelling.
    let plan =
        toml::to_string_pretty(&s.plan).or_else(|_| serde_json::to_string_pretty(&s.plan))?;
    let _ = writeln!(
        o,
        "<section id=\"plan\"><h2>The plan</h2><details><summary>The plan as applied (defaults filled in)</summary><pre>{}</pre></details>",
        esc(&plan)
    );
    if !s.inputs.is_empty() {
        let _ = writeln!(
            o,
            "<table class=\"data\"><thead><tr><th>input</th><th>rows</th><th>sha256</th></tr></thead><tbody>"
        );
        for i in &s.inputs {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(&i.path),
                i.rows,
                esc(&i.sha256)
            );
        }
        let _ = writeln!(o, "</tbody></table>");
    }
    let _ = writeln!(o, "</section>");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script() {
        let s = json_for_script(&vec!["</script><img src=x onerror=alert(1)>&"]).unwrap();
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(
            back,
            vec!["</script><img src=x onerror=alert(1)>&".to_string()]
        );
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1,000");
        assert_eq!(int(1_000_000), "1,000,000");
    }

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(
            esc("<b a=\"x\" b='y'>&</b>"),
            "&lt;b a=&quot;x&quot; b=&#39;y&#39;&gt;&amp;&lt;/b&gt;"
        );
    }

    #[test]
    fn the_sample_is_uniform_and_fixed() {
        let mut picks: Vec<u64> = (0..10_000u64).map(mix).collect();
        picks.sort_unstable();
        picks.dedup();
        assert_eq!(picks.len(), 10_000, "splitmix64 is a bijection");
        // The 1,000 smallest of 10,000 draws fall evenly across the index range.
        let mut idx: Vec<u64> = (0..10_000u64).collect();
        idx.sort_by_key(|&i| mix(i));
        let halves = idx[..1000].iter().filter(|&&i| i < 5000).count();
        assert!((400..=600).contains(&halves), "{halves}");
    }
}
