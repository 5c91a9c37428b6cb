//! Roster changes: who leaves, joins, goes on leave, ramps up or changes FTE or tier, from
//! today's `status` column and, when given, the previous roster (`--previous-reps`).

use serde::Serialize;

use crate::plan::segment_key;
use crate::rows::{Rep, RepStatus};

/// One rep in a roster change list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RosterEntry {
    /// rep_id.
    pub rep_id: String,
    /// Display name.
    pub name: String,
    /// Segment (today's; a leaver's last).
    pub segment: String,
    /// What changed, for a reader ("fte 1 → 0.5", "not on today's roster", …).
    pub detail: String,
}

/// The roster changes of a run, each list in rep_id order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RosterChanges {
    /// Whether a previous roster was compared.
    pub previous_roster: bool,
    /// Reps leaving (status leaving, or on the previous roster and not on today's).
    pub leavers: Vec<RosterEntry>,
    /// Reps joining (status new, or on today's roster and not on the previous one).
    pub joiners: Vec<RosterEntry>,
    /// Reps on leave: they keep their book and take no new account.
    pub on_leave: Vec<RosterEntry>,
    /// Reps ramping up: they hold `[roster] ramp_fte` of their fte.
    pub ramping: Vec<RosterEntry>,
    /// Reps whose fte differs from the previous roster.
    pub fte_changes: Vec<RosterEntry>,
    /// Reps whose segment differs from the previous roster.
    pub segment_changes: Vec<RosterEntry>,
}

impl RosterChanges {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.leavers.is_empty()
            && self.joiners.is_empty()
            && self.on_leave.is_empty()
            && self.ramping.is_empty()
            && self.fte_changes.is_empty()
            && self.segment_changes.is_empty()
    }
}

fn entry(r: &Rep, detail: String) -> RosterEntry {
    RosterEntry {
        rep_id: r.id.clone(),
        name: r.name.clone(),
        segment: r.segment.clone(),
        detail,
    }
}

fn fte(v: f64) -> String {
    format!("{}", (v * 1000.0).round() / 1000.0)
}

/// Compares today's roster with the previous one (when given) and returns the changes and
/// today's roster completed for the run: a rep of the previous roster missing today is
/// added as leaving (so their accounts move with reason `rep_leaving`, not as unknown
/// owners), and a rep new since then gets status `new` (their book is carved near home).
/// Repeated ids count once (the first row), as everywhere else.
pub fn compare(mut today: Vec<Rep>, previous: Option<&[Rep]>) -> (RosterChanges, Vec<Rep>) {
    let mut ch = RosterChanges {
        previous_roster: previous.is_some(),
        ..RosterChanges::default()
    };
    let first = |reps: &[Rep]| {
        let mut m = std::collections::BTreeMap::new();
        for (i, r) in reps.iter().enumerate() {
            m.entry(r.id.clone()).or_insert(i);
        }
        m
    };
    let now = first(&today);
    let before = previous.map(first).unwrap_or_default();
    if let Some(prev) = previous {
        for (id, &i) in &before {
            let p = &prev[i];
            match now.get(id) {
                None => {
                    let mut gone = p.clone();
                    gone.status = RepStatus::Leaving;
                    gone.line = 0;
                    ch.leavers
                        .push(entry(p, "on the previous roster, not on today's".into()));
                    today.push(gone);
                }
                Some(&j) => {
                    let r = &today[j];
                    if (r.fte - p.fte).abs() > 1e-9 && r.status.holds_book() {
                        ch.fte_changes
                            .push(entry(r, format!("fte {} → {}", fte(p.fte), fte(r.fte))));
                    }
                    if segment_key(&r.segment) != segment_key(&p.segment) {
                        ch.segment_changes
                            .push(entry(r, format!("segment {} → {}", p.segment, r.segment)));
                    }
                }
            }
        }
        for (id, &j) in &now {
            if !before.contains_key(id) && today[j].status == RepStatus::Active {
                today[j].status = RepStatus::New;
            }
        }
    }
    for &j in now.values() {
        let r = &today[j];
        match r.status {
            RepStatus::Leaving => ch.leavers.push(entry(r, "status leaving".into())),
            RepStatus::New => {
                let absent = previous.is_some() && !before.contains_key(&r.id);
                let why = if absent {
                    "not on the previous roster"
                } else {
                    "status new"
                };
                ch.joiners.push(entry(r, why.into()))
            }
            RepStatus::OnLeave => ch
                .on_leave
                .push(entry(r, "keeps their book, takes no new account".into())),
            RepStatus::Ramping => ch
                .ramping
                .push(entry(r, format!("holds {} of a full book", fte(r.fte)))),
            RepStatus::Active => {}
        }
    }
    ch.leavers.sort_by(|a, b| a.rep_id.cmp(&b.rep_id));
    (ch, today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(id: &str, segment: &str, fte: f64, status: RepStatus) -> Rep {
        Rep {
            id: id.into(),
            name: format!("Rep {id}"),
            segment: segment.into(),
            role: String::new(),
            lat: None,
            lon: None,
            fte,
            max_accounts: None,
            max_workload: None,
            max_potential: None,
            regions: Vec::new(),
            industries: Vec::new(),
            status,
            manager_id: String::new(),
            district: String::new(),
            sales_region: String::new(),
            frozen: false,
            attainment: None,
            line: 2,
        }
    }

    #[test]
    fn previous_roster_gives_leavers_joiners_and_changes() {
        use RepStatus::*;
        let prev = vec![
            rep("R1", "growth", 1.0, Active),
            rep("R2", "growth", 1.0, Active),
            rep("R3", "growth", 1.0, Active),
            rep("R4", "growth", 1.0, Active),
        ];
        let today = vec![
            rep("R1", "growth", 0.5, Active),
            rep("R3", "mid-market", 1.0, Active),
            rep("R4", "growth", 1.0, OnLeave),
            rep("R5", "growth", 1.0, Active),
        ];
        let (ch, reps) = compare(today, Some(&prev));
        let ids = |v: &[RosterEntry]| v.iter().map(|e| e.rep_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&ch.leavers), ["R2"]);
        assert_eq!(ids(&ch.joiners), ["R5"]);
        assert_eq!(ids(&ch.on_leave), ["R4"]);
        assert_eq!(ids(&ch.fte_changes), ["R1"]);
        assert_eq!(ch.fte_changes[0].detail, "fte 1 → 0.5");
        assert_eq!(ids(&ch.segment_changes), ["R3"]);
        assert_eq!(reps.len(), 5, "the leaver is added to today's roster");
        let r2 = reps.iter().find(|r| r.id == "R2").unwrap();
        assert_eq!(r2.status, Leaving);
        let r5 = reps.iter().find(|r| r.id == "R5").unwrap();
        assert_eq!(r5.status, New);
    }

    #[test]
    fn without_a_previous_roster_the_status_column_speaks() {
        use RepStatus::*;
        let today = vec![
            rep("R1", "growth", 1.0, Leaving),
            rep("R2", "growth", 1.0, New),
            rep("R3", "growth", 0.5, Ramping),
            rep("R4", "growth", 1.0, Active),
        ];
        let (ch, reps) = compare(today, None);
        assert_eq!(reps.len(), 4);
        assert_eq!(ch.leavers.len(), 1);
        assert_eq!(ch.joiners.len(), 1);
        assert_eq!(ch.ramping.len(), 1);
        assert!(ch.fte_changes.is_empty() && !ch.previous_roster);
    }
}
