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
    /// The account's tier last period (`previous_segment`): where tier triggers start.
    pub previous_segment: Option<String>,
    /// The optional fields tier triggers read.
    pub signals: Signals,
    /// Line of the row in its file (the header is line 1).
    pub line: u64,
}

/// Optional account fields that tier triggers and the transition plan read (`None` = empty
/// cell or no column).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Signals {
    /// Annual recurring revenue today.
    pub arr: Option<f64>,
    /// Engaged stakeholders (contacts active in the last period).
    pub engaged_stakeholders: Option<f64>,
    /// Months since the last activity.
    pub months_inactive: Option<f64>,
    /// Customer health score (negative = at risk).
    pub health_score: Option<f64>,
    /// Whether an opportunity is open (`open_opportunity`: true/false, or an amount > 0);
    /// the transition plan holds such an account until the deal closes.
    pub open_opportunity: Option<bool>,
    /// The open opportunity's expected close date (`close_date`).
    pub close_date: Option<chrono::NaiveDate>,
}

impl Account {
    /// Both coordinates, when the account has them.
    pub fn coords(&self) -> Option<(f64, f64)> {
        Some((self.lat?, self.lon?))
    }
}

/// Where a rep stands on the roster: whether they keep a book and take new accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RepStatus {
    /// Keeps a book and takes accounts.
    #[default]
    Active,
    /// Gives up their accounts; gets none.
    Leaving,
    /// Keeps their book as it is, takes no new accounts; counted in the capacity plan.
    OnLeave,
    /// Joined since the last plan: takes accounts, carved near their home.
    New,
    /// Ramping up: holds `[roster] ramp_fte` × fte of a book.
    Ramping,
}

impl RepStatus {
    /// The word in reps.csv and the reports.
    pub fn name(self) -> &'static str {
        match self {
            RepStatus::Active => "active",
            RepStatus::Leaving => "leaving",
            RepStatus::OnLeave => "on_leave",
            RepStatus::New => "new",
            RepStatus::Ramping => "ramping",
        }
    }

    /// Reads a status cell (any case; common CRM spellings); `None` when it is not one.
    pub fn parse(cell: &str) -> Option<RepStatus> {
        let key: String = cell
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .collect();
        Some(match key.as_str() {
            "" | "active" => RepStatus::Active,
            "leaving" | "left" | "inactive" | "departing" | "terminated" => RepStatus::Leaving,
            "on_leave" | "leave" | "loa" | "leave_of_absence" => RepStatus::OnLeave,
            "new" | "joining" | "joiner" | "new_hire" | "hired" => RepStatus::New,
            "ramping" | "ramp" | "ramp_up" | "ramping_up" => RepStatus::Ramping,
            _ => return None,
        })
    }

    /// Whether the rep keeps a book (every status but leaving).
    pub fn holds_book(self) -> bool {
        self != RepStatus::Leaving
    }

    /// Whether the rep may take accounts they do not hold today (not leaving, not on leave).
    pub fn takes_new(self) -> bool {
        matches!(
            self,
            RepStatus::Active | RepStatus::New | RepStatus::Ramping
        )
    }
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
    /// Active, leaving, on leave, new or ramping.
    pub status: RepStatus,
    /// The rep's manager (reps.csv `manager_id`; empty when not given): reports roll up by it.
    pub manager_id: String,
    /// The rep's district (`district`; empty when not given).
    pub district: String,
    /// The rep's sales region for roll-ups (`sales_region`; `region` restricts eligibility).
    pub sales_region: String,
    /// Outside the run's `--scope`: keeps its book exactly, takes no account, and its book
    /// is its target (not held to the band). Set by the command line, never read from a file.
    pub frozen: bool,
    /// Line of the row in its file (the header is line 1).
    pub line: u64,
}

impl Rep {
    /// Whether the rep may take accounts it does not hold: its status allows (not on
    /// leave, not leaving) and it is inside the run's scope.
    pub fn takes_new(&self) -> bool {
        self.status.takes_new() && !self.frozen
    }

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
