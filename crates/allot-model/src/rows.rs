//! The rows of the input files as read: accounts and reps, with the external string keys.

use serde::Serialize;

/// One account row of accounts.csv, after column mapping and value parsing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Account {
    /// Unique key.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Tier from the file; `None` → derived by the plan's rules.
    pub segment: Option<String>,
    /// Employee count, when given.
    pub employees: Option<f64>,
    /// ARR potential (0 when absent).
    pub potential: f64,
    /// Whether the potential cell had a value (segment rules only use given values).
    pub potential_given: bool,
    /// Workload in hours per year (0 when absent).
    pub workload: f64,
    /// Latitude, WGS84 degrees.
    pub lat: Option<f64>,
    /// Longitude, WGS84 degrees.
    pub lon: Option<f64>,
    /// Industry (free text; eligibility rules).
    pub industry: String,
    /// Region (free text; eligibility rules).
    pub region: String,
    /// Current owner's rep_id (`None` = white space).
    pub owner_id: Option<String>,
    /// Parent account in the hierarchy.
    pub parent_id: Option<String>,
    /// true → stays with owner_id.
    pub locked: bool,
    /// Line of the row in its file (the header is line 1).
    pub line: u64,
}

impl Account {
    /// Both coordinates, when the account has them.
    pub fn coords(&self) -> Option<(f64, f64)> {
        Some((self.lat?, self.lon?))
    }
}

/// Whether a rep takes accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RepStatus {
    /// Takes accounts.
    #[default]
    Active,
    /// Gives up their accounts; gets none.
    Leaving,
}

/// One rep row of reps.csv.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rep {
    /// Unique key (what accounts.csv's owner_id refers to).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Segment the rep covers.
    pub segment: String,
    /// Role; empty = the segment's owner (AE).
    pub role: String,
    /// Home latitude.
    pub lat: Option<f64>,
    /// Home longitude.
    pub lon: Option<f64>,
    /// Share of a full book (0.5 = half).
    pub fte: f64,
    /// Hard cap on accounts.
    pub max_accounts: Option<u64>,
    /// Hard cap on workload hours.
    pub max_workload: Option<f64>,
    /// Hard cap on potential.
    pub max_potential: Option<f64>,
    /// Quota attainment as a fraction of quota (1.05 = 105 %), when given (red flags only).
    pub attainment: Option<f64>,
    /// Regions the rep may cover (empty = any).
    pub regions: Vec<String>,
    /// Industries the rep may cover (empty = any).
    pub industries: Vec<String>,
    /// Active or leaving.
    pub status: RepStatus,
    /// Line of the row in its file (the header is line 1).
    pub line: u64,
}

impl Rep {
    /// Both home coordinates, when the rep has them.
    pub fn coords(&self) -> Option<(f64, f64)> {
        Some((self.lat?, self.lon?))
    }

    /// Whether the rep owns accounts of its segment (empty role, or AE / owner).
    pub fn is_owner_role(&self) -> bool {
        let r = self.role.trim();
        r.is_empty() || r.eq_ignore_ascii_case("ae") || r.eq_ignore_ascii_case("owner")
    }

    /// The rep's cap on a metric (max_potential, max_workload, max_accounts), when set.
    pub fn cap(&self, m: crate::plan::Metric) -> Option<f64> {
        match m {
            crate::plan::Metric::Potential => self.max_potential,
            crate::plan::Metric::Workload => self.max_workload,
            crate::plan::Metric::Accounts => self.max_accounts.map(|c| c as f64),
        }
    }

    /// Whether the rep may cover an account in this region and industry.
    ///
    /// An empty list allows everything; a restricted rep never covers an account whose
    /// field is empty. Matching ignores case and surrounding spaces.
    pub fn is_eligible(&self, region: &str, industry: &str) -> bool {
        let ok = |list: &[String], v: &str| {
            list.is_empty() || list.iter().any(|x| x.trim().eq_ignore_ascii_case(v.trim()))
        };
        ok(&self.regions, region) && ok(&self.industries, industry)
    }
}
