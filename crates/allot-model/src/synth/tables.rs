//! The constant tables of the generator: CSV headers, tiers, metros, names and shares.

/// Header of the generated `accounts.csv`.
pub(super) const ACCOUNT_HEADER: [&str; 12] = [
    "account_id",
    "name",
    "employees",
    "potential",
    "workload",
    "lat",
    "lon",
    "industry",
    "region",
    "owner_id",
    "parent_id",
    "locked",
];

/// Header of the generated `reps.csv`.
pub(super) const REP_HEADER: [&str; 12] = [
    "rep_id",
    "name",
    "segment",
    "role",
    "lat",
    "lon",
    "fte",
    "max_accounts",
    "max_workload",
    "regions",
    "industries",
    "status",
];

/// How one intended tier's accounts are drawn.
pub(super) struct Tier {
    /// Segment name, as in the seed coverage model.
    pub(super) name: &'static str,
    /// Weight in the account mix (75 / 350 / 1,200 / 3,500).
    pub(super) account_weight: f64,
    /// Weight in the rep mix of [`RepMix::Demo`](super::RepMix::Demo) (4 / 5 / 6 / 4).
    pub(super) rep_weight: f64,
    /// The seed coverage model's accounts per rep (22 / 75 / 225 / 800).
    pub(super) ratio: f64,
    /// Intended mean potential (the draw is tuned so the truncated mean lands near it).
    pub(super) mean_potential: f64,
    /// Log-space mean of the potential draw.
    pub(super) pot_mu: f64,
    /// Log-space standard deviation of the potential draw.
    pub(super) pot_sigma: f64,
    /// Potential range, whole dollars, inclusive.
    pub(super) pot_range: (f64, f64),
    /// Log-space mean of the employee draw.
    pub(super) emp_mu: f64,
    /// Log-space standard deviation of the employee draw.
    pub(super) emp_sigma: f64,
    /// Employee range, inclusive.
    pub(super) emp_range: (f64, f64),
    /// The tier's rule: employees at least / potential at least (`None` for the catch-all).
    pub(super) qualifies: Option<(f64, f64)>,
    /// Typical yearly hours per account.
    pub(super) workload_base: f64,
}

/// Index of the enterprise tier in [`TIERS`].
pub(super) const ENTERPRISE: usize = 0;
/// The seed coverage model's tiers, in rule order.
pub(super) const TIERS: [Tier; 4] = [
    Tier {
        name: "enterprise",
        account_weight: 75.0,
        rep_weight: 4.0,
        ratio: 22.0,
        mean_potential: 150_000.0,
        pot_mu: 11.62,
        pot_sigma: 0.75,
        pot_range: (20_000.0, 3_000_000.0),
        emp_mu: 7.5,
        emp_sigma: 1.0,
        emp_range: (60.0, 250_000.0),
        qualifies: Some((1_000.0, 100_000.0)),
        workload_base: 80.0,
    },
    Tier {
        name: "mid-market",
        account_weight: 350.0,
        rep_weight: 5.0,
        ratio: 75.0,
        mean_potential: 55_000.0,
        pot_mu: 10.92,
        pot_sigma: 0.45,
        pot_range: (6_000.0, 99_999.0),
        emp_mu: 5.7,
        emp_sigma: 0.7,
        emp_range: (10.0, 999.0),
        qualifies: Some((250.0, 30_000.0)),
        workload_base: 25.0,
    },
    Tier {
        name: "growth",
        account_weight: 1_200.0,
        rep_weight: 6.0,
        ratio: 225.0,
        mean_potential: 18_000.0,
        pot_mu: 9.845,
        pot_sigma: 0.42,
        pot_range: (2_000.0, 29_999.0),
        emp_mu: 4.4,
        emp_sigma: 0.7,
        emp_range: (3.0, 249.0),
        qualifies: Some((50.0, 10_000.0)),
        workload_base: 8.0,
    },
    Tier {
        name: "digital-led",
        account_weight: 3_500.0,
        rep_weight: 4.0,
        ratio: 800.0,
        mean_potential: 6_000.0,
        pot_mu: 8.775,
        pot_sigma: 0.45,
        pot_range: (300.0, 9_999.0),
        emp_mu: 2.5,
        emp_sigma: 0.8,
        emp_range: (1.0, 49.0),
        qualifies: None,
        workload_base: 2.0,
    },
];

/// A metro centre (the city is only named in the table).
pub(super) struct Metro {
    /// State code, written as the account's `region`.
    pub(super) state: &'static str,
    /// Latitude of the centre, degrees.
    pub(super) lat: f64,
    /// Longitude of the centre, degrees.
    pub(super) lon: f64,
    /// Weight in the account mix.
    pub(super) weight: f64,
    /// Scatter of accounts around the centre (standard deviation per axis, km).
    pub(super) spread_km: f64,
}

const fn metro(
    _city: &'static str,
    state: &'static str,
    lat: f64,
    lon: f64,
    weight: f64,
    spread_km: f64,
) -> Metro {
    Metro {
        state,
        lat,
        lon,
        weight,
        spread_km,
    }
}

/// The 19 US metros; the first (New York) is also the shared office.
pub(super) const METROS: [Metro; 19] = [
    metro("New York", "NY", 40.7128, -74.0060, 14.0, 35.0),
    metro("Los Angeles", "CA", 34.0522, -118.2437, 10.0, 40.0),
    metro("Chicago", "IL", 41.8781, -87.6298, 8.0, 35.0),
    metro("Dallas", "TX", 32.7767, -96.7970, 6.0, 35.0),
    metro("Houston", "TX", 29.7604, -95.3698, 6.0, 35.0),
    metro("San Francisco", "CA", 37.7749, -122.4194, 6.0, 30.0),
    metro("Boston", "MA", 42.3601, -71.0589, 5.0, 28.0),
    metro("Philadelphia", "PA", 39.9526, -75.1652, 5.0, 28.0),
    metro("Atlanta", "GA", 33.7490, -84.3880, 5.0, 32.0),
    metro("Washington", "DC", 38.9072, -77.0369, 5.0, 30.0),
    metro("Seattle", "WA", 47.6062, -122.3321, 4.0, 28.0),
    metro("Miami", "FL", 25.7617, -80.1918, 4.0, 25.0),
    metro("Denver", "CO", 39.7392, -104.9903, 3.0, 28.0),
    metro("Phoenix", "AZ", 33.4484, -112.0740, 3.0, 32.0),
    metro("Minneapolis", "MN", 44.9778, -93.2650, 3.0, 25.0),
    metro("Detroit", "MI", 42.3314, -83.0458, 3.0, 28.0),
    metro("Newark", "NJ", 40.7357, -74.1724, 3.0, 20.0),
    metro("Pittsburgh", "PA", 40.4406, -79.9959, 2.0, 22.0),
    metro("Charlotte", "NC", 35.2271, -80.8431, 3.0, 25.0),
];

/// The `regions` of the one restricted enterprise rep.
pub(super) const RESTRICTED_REGIONS: &str = "NY;NJ;MA;PA";

/// Industries, drawn uniformly.
pub(super) const INDUSTRIES: [&str; 8] = [
    "Software",
    "Manufacturing",
    "Healthcare",
    "Financial Services",
    "Retail",
    "Education",
    "Energy",
    "Media",
];

/// Industry words for account names, one list per entry of [`INDUSTRIES`].
pub(super) const INDUSTRY_WORDS: [[&str; 4]; 8] = [
    ["Software", "Systems", "Cloud", "Data"],
    ["Manufacturing", "Industries", "Fabrication", "Components"],
    ["Health", "Medical", "Clinics", "Biotech"],
    ["Capital", "Financial", "Bancorp", "Insurance"],
    ["Retail", "Stores", "Brands", "Outfitters"],
    ["Learning", "Academy", "Education", "University"],
    ["Energy", "Power", "Utilities", "Renewables"],
    ["Media", "Studios", "Broadcasting", "Publishing"],
];

/// First words of account names.
pub(super) const NAME_PREFIXES: [&str; 40] = [
    "Acme",
    "Apex",
    "Atlas",
    "Beacon",
    "Blue Ridge",
    "Brightline",
    "Cascade",
    "Cedar",
    "Summit",
    "Crescent",
    "Delta",
    "Evergreen",
    "Falcon",
    "Frontier",
    "Granite",
    "Harbor",
    "Horizon",
    "Ironwood",
    "Keystone",
    "Lakeside",
    "Liberty",
    "Maple",
    "Meridian",
    "Northstar",
    "Oakmont",
    "Pioneer",
    "Pinnacle",
    "Prairie",
    "Quantum",
    "Redwood",
    "Riverbend",
    "Sierra",
    "Silverline",
    "Sterling",
    "Sunrise",
    "Titan",
    "Trident",
    "Vanguard",
    "Willow",
    "Zenith",
];

/// Last words of child account names.
pub(super) const DIVISIONS: [&str; 8] = [
    "East",
    "West",
    "North",
    "South",
    "Labs",
    "Services",
    "Holdings",
    "International",
];

/// Rep first names.
pub(super) const FIRST_NAMES: [&str; 24] = [
    "Alex", "Maria", "James", "Priya", "Daniel", "Sofia", "Michael", "Aisha", "David", "Elena",
    "Chris", "Grace", "Kevin", "Hannah", "Luis", "Olivia", "Ryan", "Mei", "Jordan", "Fatima",
    "Tom", "Nina", "Samuel", "Chloe",
];

/// Rep last names.
pub(super) const LAST_NAMES: [&str; 24] = [
    "Smith", "Garcia", "Johnson", "Patel", "Brown", "Nguyen", "Miller", "Khan", "Davis", "Rossi",
    "Wilson", "Kim", "Moore", "Lopez", "Taylor", "Chen", "Anderson", "Silva", "Thomas", "Cohen",
    "Martin", "Okafor", "Lee", "Walker",
];

/// Share of accounts that are children of an earlier root.
pub(super) const CHILD_SHARE: f64 = 0.03;
/// Share of root accounts left without an owner (children follow their parent).
pub(super) const WHITE_SPACE_SHARE: f64 = 0.08;
/// Share of owned root accounts that are locked (≈ 1 % of all owned accounts).
pub(super) const LOCK_SHARE: f64 = 0.0103;

/// [`Geography::Metro`](super::Geography::Metro): accounts scatter this many times the
/// metro's `spread_km` (per axis).
pub(super) const METRO_SPREAD: f64 = 1.8;
/// [`Geography::Metro`](super::Geography::Metro): share of accounts in the far tail.
pub(super) const METRO_TAIL_SHARE: f64 = 0.10;
/// [`Geography::Metro`](super::Geography::Metro): the tail scatters this many times wider
/// than the body.
pub(super) const METRO_TAIL_FACTOR: f64 = 3.0;
/// [`Geography::Metro`](super::Geography::Metro): no account farther than this from its
/// metro centre (tail draws beyond it are redrawn).
pub(super) const METRO_MAX_ACCOUNT_KM: f64 = 300.0;
/// [`Geography::Metro`](super::Geography::Metro): rep homes scatter this much (per axis,
/// km) around the metro centre ...
pub(super) const REP_SCATTER_KM: f64 = 4.0;
/// ... and never farther than this (a little under 10 km, so rounding the written
/// coordinates keeps every home within 10 km great-circle).
pub(super) const REP_MAX_KM: f64 = 9.9;
/// Km per degree of latitude (and of longitude at the equator) in the local projection.
pub(super) const KM_PER_DEGREE: f64 = 111.32;
