//! The red flags of a run: the rules of [`allot_model::flags`] applied to the book the
//! command judges, with the capacity plan of the accepted rows.

use allot_model::Figures;
use allot_model::check::Violation;
use allot_model::flags::{Book, Judged, RedFlag, red_flags};

use crate::commands::capacity::{capacity_rows, headcount_lines};
use crate::load::Loaded;

/// Red flags of `book` (today's owners for `allot evaluate`, the new assignment for a
/// solve) with its figures and the rules it breaks.
pub fn of_run(
    loaded: &Loaded,
    book: Book,
    figures: &Figures,
    violations: &[Violation],
) -> Vec<RedFlag> {
    let p = &loaded.built.problem;
    let headcount = headcount_lines(&capacity_rows(&p.plan, &p.accounts, &p.reps));
    red_flags(
        p,
        &Judged {
            book,
            figures,
            violations,
        },
        &headcount,
        &loaded.warnings,
        &loaded.all_refused(),
    )
}

/// One line per flag for the terminal: `red flag <code> (<scope>): <message>`.
pub fn lines(flags: &[RedFlag]) -> Vec<String> {
    flags
        .iter()
        .map(|f| format!("red flag {} ({}): {}", f.code.name(), f.scope(), f.message))
        .collect()
}
