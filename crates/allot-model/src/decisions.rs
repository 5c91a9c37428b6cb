//! Planner decisions on a proposed assignment (accept, reject, pin) and the pins they
//! become: an account fixed to one rep, its family with it, everything else re-optimised.

use serde::Serialize;

/// What a planner decided about one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Keep the move the previous proposal made (the account goes to its proposed rep).
    Accept,
    /// Refuse the move: the account keeps today's owner.
    Reject,
    /// Put the account with the rep the row names.
    Pin,
}

impl Decision {
    /// Reads a decision cell: accept / reject / pin and the words planners use for them
    /// (approve, approved, yes; decline, keep, no; assign, move), any case.
    pub fn parse(s: &str) -> Option<Decision> {
        match s.trim().to_ascii_lowercase().as_str() {
            "accept" | "accepted" | "approve" | "approved" | "yes" | "y" => Some(Decision::Accept),
            "reject" | "rejected" | "decline" | "declined" | "keep" | "no" | "n" => {
                Some(Decision::Reject)
            }
            "pin" | "pinned" | "assign" | "move" => Some(Decision::Pin),
            _ => None,
        }
    }

    /// Lower-case name, as in decisions.csv.
    pub fn name(self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::Reject => "reject",
            Decision::Pin => "pin",
        }
    }
}

/// Why an account is pinned to a rep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PinWhy {
    /// A planner's decision.
    Decision(Decision),
    /// Outside the `--scope`: it keeps its previous assignment.
    OutOfScope,
}

/// An account fixed to one rep before the search (its family goes with it).
#[derive(Clone, Debug, PartialEq)]
pub struct Pin {
    /// The account.
    pub account_id: String,
    /// The rep it must end with.
    pub rep_id: String,
    /// Why.
    pub why: PinWhy,
    /// File and line the pin comes from (decisions.csv row, or the previous assignment's).
    pub file: String,
    /// Line in `file` (0 when not from a row).
    pub line: u64,
    /// The column a refusal should name.
    pub column: &'static str,
}

impl Pin {
    /// "decisions.csv row 4 (reject A12 → R3)", for messages.
    pub fn describe(&self) -> String {
        let what = match self.why {
            PinWhy::Decision(d) => d.name(),
            PinWhy::OutOfScope => "out of scope",
        };
        format!(
            "{} row {} ({what} {} → {})",
            self.file, self.line, self.account_id, self.rep_id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_read_as_planners_write_them() {
        for (s, d) in [
            ("accept", Decision::Accept),
            (" Approved ", Decision::Accept),
            ("REJECT", Decision::Reject),
            ("keep", Decision::Reject),
            ("pin", Decision::Pin),
            ("Assign", Decision::Pin),
        ] {
            assert_eq!(Decision::parse(s), Some(d), "{s}");
        }
        assert_eq!(Decision::parse("maybe"), None);
        assert_eq!(Decision::parse(""), None);
    }
}
