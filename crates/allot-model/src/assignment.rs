//! A complete assignment of the problem: the rep of every unit (account family), with its
//! readings as the rep of every account and as a check of every pair.

use crate::ids::{RepIdx, UnitIdx};
use crate::problem::Problem;

/// A complete assignment: the rep of every unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// Rep of each unit, indexed by [`UnitIdx`].
    pub unit_rep: Vec<RepIdx>,
}

impl Assignment {
    /// The rep of every account.
    pub fn account_reps(&self, p: &Problem) -> Vec<Option<RepIdx>> {
        p.account_unit
            .iter()
            .map(|u| Some(self.unit_rep[u.index()]))
            .collect()
    }

    /// Whether every unit sits with a rep it may have (eligible, within the travel cap).
    pub fn is_allowed(&self, p: &Problem) -> bool {
        (0..p.units.len()).all(|u| p.allowed(UnitIdx::from_usize(u), self.unit_rep[u]))
    }
}
