//! Input problems, each naming file, row and column, with a hint on how to fix it.

use std::fmt;

use serde::Serialize;

/// How serious an input problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row is refused (rejects.csv), or the run fails when the plan is strict.
    Refused,
    /// The row is used, with the stated correction.
    Warning,
    /// The whole run cannot go on (exit 1).
    Fatal,
}

/// One problem found in the input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Issue {
    /// Refused, warning or fatal.
    pub severity: Severity,
    /// File name as given on the command line.
    pub file: String,
    /// Line in the file (header = 1); 0 when the problem is about the whole file.
    pub line: u64,
    /// Column (our field name, with the file's header in brackets when they differ).
    pub column: String,
    /// Key of the row (account_id or rep_id), when known.
    pub id: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Issue {
    /// A problem with one row.
    pub fn row(
        severity: Severity,
        file: &str,
        line: u64,
        column: &str,
        id: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Issue {
        Issue {
            severity,
            file: file.to_string(),
            line,
            column: column.to_string(),
            id: id.to_string(),
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A problem with a whole file (missing column, unreadable, too large).
    pub fn file(
        file: &str,
        column: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Issue {
        Issue::row(Severity::Fatal, file, 0, column, "", message, hint)
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ": row {}", self.line)?;
        }
        if !self.column.is_empty() {
            write!(f, ", column {}", self.column)?;
        }
        if !self.id.is_empty() {
            write!(f, " (id {:?})", self.id)?;
        }
        write!(f, ": {}", self.message)?;
        if !self.hint.is_empty() {
            write!(f, " — {}", self.hint)?;
        }
        Ok(())
    }
}

/// Every problem that stops a run, reported at once.
#[derive(Debug, thiserror::Error)]
#[error("{} problem(s) in the input; the first: {}", .0.len(), .0.first().map(|i| i.to_string()).unwrap_or_default())]
pub struct InputErrors(pub Vec<Issue>);
