//! report.md: the essentials for a sales leader, as text.

use std::fmt::Write;

use allot_model::figures::Figures;
use allot_model::{Issue, Problem};

use super::summary::Summary;

use allot_model::figures::money;

/// Escapes a cell of a Markdown table.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The review loop's sentences, plain text (report.md and report.html list them).
pub struct ReviewLines {
    /// When the changes take effect (`--effective`).
    pub transition: Option<String>,
    /// The scope, the decisions honoured and what else changed (`--decisions`, `--scope`,
    /// `--previous`).
    pub decisions: Vec<String>,
}

/// The review loop's sentences of a run.
pub fn review_lines(s: &Summary) -> ReviewLines {
    let transition = s.transition.as_ref().map(|t| {
        format!(
            "{} change(s) of owner take effect from {}; {} held by an open opportunity until a later boundary (the last on {}); transition.csv lists each with its date",
            t.changes, t.effective_date, t.deferred, t.last_date
        )
    });
    let mut decisions = Vec::new();
    if let Some(c) = &s.decisions {
        if let Some(sc) = &c.scope {
            decisions.push(format!(
                "Scope \"{}\": {} accounts and {} reps re-planned; {} accounts and {} reps kept exactly as they were ({} accounts outside had no rep to keep and were placed). The figures cover the whole organisation.",
                sc.scope,
                sc.accounts_in_scope,
                sc.reps_in_scope,
                sc.accounts_kept,
                sc.reps_kept,
                sc.accounts_without_previous_rep
            ));
        }
        decisions.push(format!(
            "Honoured: {} accept, {} reject, {} pin (decisions_applied.csv lists each)",
            c.accept, c.reject, c.pin
        ));
        if let (Some(all), Some(other)) = (c.changed_vs_previous, c.changed_without_decision) {
            decisions.push(format!(
                "Against the proposal (--previous): {all} account(s) now have another rep, {other} of them without a decision of their own — what else changed because of the decisions (changes_vs_previous.csv)"
            ));
        }
    }
    ReviewLines {
        transition,
        decisions,
    }
}

/// Renders report.md.
pub fn render(
    p: &Problem,
    f: &Figures,
    s: &Summary,
    warnings: &[Issue],
    before: Option<&Figures>,
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# allot — territory report ({})\n", s.command);
    let _ = writeln!(o, "- Status: **{}**", s.status);
    let _ = writeln!(
        o,
        "- Accounts: {} assigned to {} reps in {} segments; {} rows refused (rejects.csv)",
        s.accounts,
        s.reps,
        s.segments.len(),
        s.refused_rows
    );
    if let (Some(obj), Some(lb)) = (s.objective, s.lower_bound) {
        let _ = writeln!(
            o,
            "- Objective {obj:.6} (lower bound {lb:.6}, gap {:.6}); engine {}; seed {}",
            s.gap_abs.unwrap_or(0.0),
            s.engine.as_deref().unwrap_or("-"),
            s.seed
        );
    }
    let _ = writeln!(
        o,
        "- Moves: {} of {} owned accounts change owner ({:.1}%), {} of potential",
        s.moves.moved_accounts,
        s.moves.owned_accounts,
        s.moves.moved_pct,
        money(s.moves.moved_potential)
    );
    if let Some(c) = s.pair_cost {
        let _ = writeln!(o, "- Total pair cost (pairs file): {c}");
    }
    if let Some(km) = s.mean_km {
        let _ = writeln!(o, "- Mean distance rep home → account: {km:.0} km");
    }
    let _ = writeln!(
        o,
        "\n## Balance by segment (band ±{}%)\n",
        p.plan.balance.band_pct
    );
    let _ = writeln!(
        o,
        "| segment | reps | accounts | potential | max dev potential | max dev workload | max dev accounts | within band | moved | mean km |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|:---:|---:|---:|");
    for (i, seg) in s.segments.iter().enumerate() {
        let b = before.map(|b| &b.segments[i]);
        let was = |k: usize| {
            b.map(|b| format!(" (was {:.1}%)", b.max_abs_deviation[k] * 100.0))
                .unwrap_or_default()
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {:.2}%{} | {:.2}%{} | {:.2}%{} | {} | {} | {} |",
            cell(&seg.name),
            seg.reps,
            seg.accounts,
            money(seg.potential.total),
            seg.potential.max_abs_deviation_pct,
            was(0),
            seg.workload.max_abs_deviation_pct,
            was(1),
            seg.account_count.max_abs_deviation_pct,
            was(2),
            if seg.within_band { "yes" } else { "**no**" },
            seg.moved_accounts,
            seg.mean_km
                .map(|k| format!("{k:.0}"))
                .unwrap_or_else(|| "-".into())
        );
    }
    let _ = writeln!(o, "\n## Territories\n");
    let _ = writeln!(
        o,
        "| rep | name | segment | fte | accounts | potential | Δ potential | workload h | Δ workload | mean km |"
    );
    let _ = writeln!(o, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (r, rep) in p.reps.iter().enumerate() {
        let fr = &f.reps[r];
        let takes = p.rep_segment[r].is_some();
        let d = |k: usize| {
            if takes {
                format!("{:+.2}%", fr.deviation[k] * 100.0)
            } else {
                "-".into()
            }
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {:.0} | {} | {} |",
            cell(&rep.id),
            cell(&rep.name),
            cell(&rep.segment),
            rep.fte,
            fr.accounts,
            money(fr.load[0]),
            d(0),
            fr.load[1],
            d(1),
            fr.mean_km
                .map(|k| format!("{k:.0}"))
                .unwrap_or_else(|| "-".into())
        );
    }
    o.push_str(&super::changes::markdown(p, &s.roster, f));
    let review = review_lines(s);
    if let Some(t) = &review.transition {
        let _ = writeln!(o, "\n## Transition\n\n- {}", cell(t));
    }
    if !review.decisions.is_empty() {
        let _ = writeln!(o, "\n## Decisions and scope\n");
        for l in &review.decisions {
            let _ = writeln!(o, "- {}", cell(l));
        }
    }
    let _ = writeln!(o, "\n## Red flags\n");
    if s.red_flags.is_empty() {
        let _ = writeln!(o, "None.");
    }
    for r in &s.red_flags {
        let _ = writeln!(
            o,
            "- **{}** ({}): {}",
            r.code.title(),
            r.scope(),
            cell(&r.message)
        );
    }
    if !warnings.is_empty() {
        let _ = writeln!(o, "\n## Input corrections ({})\n", warnings.len());
        for w in warnings.iter().take(100) {
            let _ = writeln!(o, "- {}", cell(&w.to_string()));
        }
        if warnings.len() > 100 {
            let _ = writeln!(
                o,
                "- … and {} more (summary.json counts them all)",
                warnings.len() - 100
            );
        }
    }
    let _ = writeln!(
        o,
        "\n---\nallot {} · seed {} · threads {} · figures as defined in the README",
        s.version, s.seed, s.threads
    );
    o
}
