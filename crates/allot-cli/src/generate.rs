//! Synthetic territory instances: realistic `accounts.csv` and `reps.csv` text for demos,
//! tests and benchmarks, deterministic for a seed.
//!
//! What the data looks like (default: 5,125 accounts and 19 reps):
//! - **Tiers.** Accounts are drawn per intended tier in the seed coverage model's mix
//!   (75 enterprise, 350 mid-market, 1,200 growth, 3,500 digital-led, scaled for other
//!   sizes, at least one per tier). Employees and potential are heavy-tailed (lognormal)
//!   around tier means (potential about $150K / $55K / $18K / $6K) and always consistent
//!   with the seed segment rules (enterprise ≥ 1,000 employees or ≥ $100K; mid-market ≥ 250
//!   or ≥ $30K; growth ≥ 50 or ≥ $10K; digital-led below), so the plan's rules derive the
//!   intended tier. The `segment` column is left out on purpose. Workload (hours/yr)
//!   follows tier effort (about 80 / 25 / 8 / 2 h) with noise.
//! - **Geography.** 19 US metros with their state code as `region`; accounts scatter a few
//!   tens of km around the metro centre.
//! - **Reps.** Split 4 / 5 / 6 / 4 across the tiers (scaled, at least one per tier), all
//!   segment owners (empty `role`), homes at metro centres, a tenth of them half-time, one
//!   or two with a generous `max_accounts`, and (when a tier has two or more enterprise
//!   reps) one enterprise rep restricted to `NY;NJ;MA;PA`, with enough enterprise accounts
//!   in those states for that rep's fair share. All reps are active.
//! - **Current state.** About 8 % white space (empty `owner_id`); the rest is owned by reps
//!   of the account's tier with uneven weights (the first rep of a tier holds about twice
//!   the share of the last); about 3 % of accounts are children of an earlier root of the
//!   same tier (depth ≤ 2, same owner and metro as the parent); about 1 % of owned root
//!   accounts are locked to their (eligible, same-tier) owner.

use std::fmt::Write as _;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Shape of a synthetic instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenSpec {
    /// Number of accounts (values below 4 are raised to 4: one per tier).
    pub accounts: usize,
    /// Number of reps (values below 4 are raised to 4: one per tier).
    pub reps: usize,
    /// Seed of the random generator: the same spec gives byte-identical output.
    pub seed: u64,
}

impl Default for GenSpec {
    /// The demo shape: 5,125 accounts, 19 reps, seed 1.
    fn default() -> Self {
        GenSpec {
            accounts: 5_125,
            reps: 19,
            seed: 1,
        }
    }
}

/// A generated instance: CSV text of accounts.csv and reps.csv in allot's default columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// `accounts.csv` (header included; no `segment` column, tiers come from the rules).
    pub accounts_csv: String,
    /// `reps.csv` (header included).
    pub reps_csv: String,
}

/// Header of the generated `accounts.csv`.
const ACCOUNT_HEADER: [&str; 12] = [
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
const REP_HEADER: [&str; 12] = [
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
struct Tier {
    /// Segment name, as in the seed coverage model.
    name: &'static str,
    /// Weight in the account mix (75 / 350 / 1,200 / 3,500).
    account_weight: f64,
    /// Weight in the rep mix (4 / 5 / 6 / 4).
    rep_weight: f64,
    /// Intended mean potential (the draw is tuned so the truncated mean lands near it).
    mean_potential: f64,
    /// Log-space mean of the potential draw.
    pot_mu: f64,
    /// Log-space standard deviation of the potential draw.
    pot_sigma: f64,
    /// Potential range, whole dollars, inclusive.
    pot_range: (f64, f64),
    /// Log-space mean of the employee draw.
    emp_mu: f64,
    /// Log-space standard deviation of the employee draw.
    emp_sigma: f64,
    /// Employee range, inclusive.
    emp_range: (f64, f64),
    /// The tier's rule: employees at least / potential at least (`None` for the catch-all).
    qualifies: Option<(f64, f64)>,
    /// Typical yearly hours per account.
    workload_base: f64,
}

const ENTERPRISE: usize = 0;
const TIERS: [Tier; 4] = [
    Tier {
        name: "enterprise",
        account_weight: 75.0,
        rep_weight: 4.0,
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

/// A metro centre (the city is only named in the table): state code, lat, lon, weight in the account mix, scatter (km).
struct Metro {
    state: &'static str,
    lat: f64,
    lon: f64,
    weight: f64,
    spread_km: f64,
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

const METROS: [Metro; 19] = [
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
const RESTRICTED_REGIONS: &str = "NY;NJ;MA;PA";

const INDUSTRIES: [&str; 8] = [
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
const INDUSTRY_WORDS: [[&str; 4]; 8] = [
    ["Software", "Systems", "Cloud", "Data"],
    ["Manufacturing", "Industries", "Fabrication", "Components"],
    ["Health", "Medical", "Clinics", "Biotech"],
    ["Capital", "Financial", "Bancorp", "Insurance"],
    ["Retail", "Stores", "Brands", "Outfitters"],
    ["Learning", "Academy", "Education", "University"],
    ["Energy", "Power", "Utilities", "Renewables"],
    ["Media", "Studios", "Broadcasting", "Publishing"],
];

const NAME_PREFIXES: [&str; 40] = [
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

const DIVISIONS: [&str; 8] = [
    "East",
    "West",
    "North",
    "South",
    "Labs",
    "Services",
    "Holdings",
    "International",
];

const FIRST_NAMES: [&str; 24] = [
    "Alex", "Maria", "James", "Priya", "Daniel", "Sofia", "Michael", "Aisha", "David", "Elena",
    "Chris", "Grace", "Kevin", "Hannah", "Luis", "Olivia", "Ryan", "Mei", "Jordan", "Fatima",
    "Tom", "Nina", "Samuel", "Chloe",
];

const LAST_NAMES: [&str; 24] = [
    "Smith", "Garcia", "Johnson", "Patel", "Brown", "Nguyen", "Miller", "Khan", "Davis", "Rossi",
    "Wilson", "Kim", "Moore", "Lopez", "Taylor", "Chen", "Anderson", "Silva", "Thomas", "Cohen",
    "Martin", "Okafor", "Lee", "Walker",
];

/// Share of accounts that are children of an earlier root.
const CHILD_SHARE: f64 = 0.03;
/// Share of root accounts left without an owner (children follow their parent).
const WHITE_SPACE_SHARE: f64 = 0.08;
/// Share of owned root accounts that are locked (≈ 1 % of all owned accounts).
const LOCK_SHARE: f64 = 0.0103;

/// One generated rep, as far as account generation needs it.
struct Rep {
    tier: usize,
    metro: usize,
    fte: f64,
    max_accounts: Option<usize>,
    restricted: bool,
}

/// What a child needs from its root.
#[derive(Clone, Copy)]
struct Root {
    index: u32,
    metro: u8,
    industry: u8,
    prefix: u8,
    word: u8,
    number: u16,
    owner: Option<u32>,
}

/// Generates one instance; the same `spec` always gives byte-identical output.
#[must_use]
pub fn generate(spec: &GenSpec) -> Generated {
    let n_accounts = spec.accounts.max(TIERS.len());
    let n_reps = spec.reps.max(TIERS.len());
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);

    let tier_accounts = apportion(n_accounts, &TIERS.map(|t| t.account_weight));
    let tier_reps = apportion(n_reps, &TIERS.map(|t| t.rep_weight));
    let reps = build_reps(&tier_reps, &tier_accounts);
    let reps_csv = write_reps(&reps, &mut rng);
    let accounts_csv = write_accounts(n_accounts, &tier_accounts, &reps, &mut rng);
    Generated {
        accounts_csv,
        reps_csv,
    }
}

/// Splits `total` by `weights` (largest remainder), giving every part at least one when
/// `total` allows. Deterministic: ties go to the earlier part.
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let ideal: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut parts: Vec<usize> = ideal.iter().map(|x| x.floor() as usize).collect();
    let mut assigned: usize = parts.iter().sum();
    while assigned < total {
        let mut best = 0;
        let mut best_rem = f64::NEG_INFINITY;
        for (i, (&x, &p)) in ideal.iter().zip(&parts).enumerate() {
            let rem = x - p as f64;
            if rem > best_rem {
                best = i;
                best_rem = rem;
            }
        }
        parts[best] += 1;
        assigned += 1;
    }
    if total >= parts.len() {
        for i in 0..parts.len() {
            if parts[i] == 0 {
                let donor = (0..parts.len())
                    .max_by_key(|&j| (parts[j], std::cmp::Reverse(j)))
                    .unwrap_or(0);
                parts[donor] -= 1;
                parts[i] = 1;
            }
        }
    }
    parts
}

/// The roster: reps grouped by tier, homes rotating through the metros, a tenth
/// half-time, one or two capped generously, one enterprise rep restricted by region.
fn build_reps(tier_reps: &[usize], tier_accounts: &[usize]) -> Vec<Rep> {
    let mut reps = Vec::with_capacity(tier_reps.iter().sum());
    for (tier, &count) in tier_reps.iter().enumerate() {
        for j in 0..count {
            reps.push(Rep {
                tier,
                metro: j % METROS.len(),
                fte: 1.0,
                max_accounts: None,
                restricted: false,
            });
        }
    }
    // Half-time reps: a tenth of the roster (at least one), spread over the non-enterprise
    // reps so enterprise coverage stays full-time.
    let others: Vec<usize> = (0..reps.len())
        .filter(|&r| reps[r].tier != ENTERPRISE)
        .collect();
    let half = ((reps.len() + 5) / 10).clamp(1, others.len());
    let step = others.len() / half;
    for k in 0..half {
        reps[others[k * step + step / 2]].fte = 0.5;
    }
    // One enterprise rep (the first, home New York) restricted to a few north-east states,
    // only when another enterprise rep can take the rest.
    if tier_reps[ENTERPRISE] >= 2 {
        reps[0].restricted = true;
    }
    // Generous caps for the last mid-market rep and (with 8+ reps) the last growth rep.
    let mut capped = vec![1];
    if reps.len() >= 8 {
        capped.push(2);
    }
    for tier in capped {
        let members: Vec<usize> = (0..reps.len()).filter(|&r| reps[r].tier == tier).collect();
        let Some(&last) = members.last() else {
            continue;
        };
        let total_fte: f64 = members.iter().map(|&r| reps[r].fte).sum();
        let fair = tier_accounts[tier] as f64 * reps[last].fte / total_fte;
        reps[last].max_accounts = Some((2.0 * fair).ceil() as usize + 2);
    }
    reps
}

/// Width of zero-padded ids for `count` items, at least `min`.
fn id_width(count: usize, min: usize) -> usize {
    count.to_string().len().max(min)
}

fn write_reps(reps: &[Rep], rng: &mut ChaCha8Rng) -> String {
    let width = id_width(reps.len(), 2);
    let mut out = csv::Writer::from_writer(Vec::with_capacity(reps.len() * 80 + 128));
    let mut buf = String::new();
    write_reps_into(&mut out, reps, width, &mut buf, rng).expect("writing CSV to memory");
    into_string(out)
}

fn write_reps_into(
    out: &mut csv::Writer<Vec<u8>>,
    reps: &[Rep],
    width: usize,
    buf: &mut String,
    rng: &mut ChaCha8Rng,
) -> csv::Result<()> {
    out.write_record(REP_HEADER)?;
    for (r, rep) in reps.iter().enumerate() {
        let m = &METROS[rep.metro];
        field(out, buf, format_args!("R{:0width$}", r + 1))?;
        let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
        field(out, buf, format_args!("{first} {last}"))?;
        out.write_field(TIERS[rep.tier].name)?;
        out.write_field("")?;
        field(out, buf, format_args!("{:.4}", m.lat))?;
        field(out, buf, format_args!("{:.4}", m.lon))?;
        field(out, buf, format_args!("{}", rep.fte))?;
        match rep.max_accounts {
            Some(cap) => field(out, buf, format_args!("{cap}"))?,
            None => out.write_field("")?,
        }
        out.write_field("")?;
        out.write_field(if rep.restricted {
            RESTRICTED_REGIONS
        } else {
            ""
        })?;
        out.write_field("")?;
        out.write_field("active")?;
        out.write_record(None::<&[u8]>)?;
    }
    out.flush()?;
    Ok(())
}

/// Writes one formatted field through a reused buffer.
fn field(
    out: &mut csv::Writer<Vec<u8>>,
    buf: &mut String,
    args: std::fmt::Arguments<'_>,
) -> csv::Result<()> {
    buf.clear();
    buf.write_fmt(args).expect("formatting into a String");
    out.write_field(buf.as_bytes())
}

fn into_string(out: csv::Writer<Vec<u8>>) -> String {
    let bytes = out.into_inner().expect("flushing CSV to memory");
    String::from_utf8(bytes).expect("generated CSV is UTF-8")
}

/// Cumulative weights for weighted picks.
fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .into_iter()
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

/// Index drawn with probability proportional to its weight (zero weights never drawn).
fn pick(cum: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let x = rng.random::<f64>() * total;
    cum.partition_point(|&c| c <= x)
        .min(cum.len().saturating_sub(1))
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // (0, 1]
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A lognormal draw truncated to `[lo, hi]` and rounded to whole units (rejection, then
/// clamping after a few misses).
fn lognormal_in(rng: &mut ChaCha8Rng, mu: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    let mut x = 0.0;
    for _ in 0..12 {
        x = (mu + sigma * normal(rng)).exp().round();
        if (lo..=hi).contains(&x) {
            return x;
        }
    }
    x.clamp(lo, hi)
}

/// Employees and potential of an account of `tier`, consistent with the tier's rules.
fn figures(tier: &Tier, rng: &mut ChaCha8Rng) -> (f64, f64) {
    let (plo, phi) = tier.pot_range;
    let (elo, ehi) = tier.emp_range;
    let potential = lognormal_in(rng, tier.pot_mu, tier.pot_sigma, plo, phi);
    let mut employees = lognormal_in(rng, tier.emp_mu, tier.emp_sigma, elo, ehi);
    if let Some((emp_min, pot_min)) = tier.qualifies {
        if employees < emp_min && potential < pot_min {
            // Below both thresholds: it qualifies on headcount instead.
            employees = lognormal_in(rng, tier.emp_mu, tier.emp_sigma, emp_min, ehi);
        }
    }
    (employees, potential)
}

fn write_accounts(
    n_accounts: usize,
    tier_accounts: &[usize],
    reps: &[Rep],
    rng: &mut ChaCha8Rng,
) -> String {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(n_accounts * 112 + 256));
    write_accounts_into(&mut out, n_accounts, tier_accounts, reps, rng)
        .expect("writing CSV to memory");
    into_string(out)
}

fn write_accounts_into(
    out: &mut csv::Writer<Vec<u8>>,
    n_accounts: usize,
    tier_accounts: &[usize],
    reps: &[Rep],
    rng: &mut ChaCha8Rng,
) -> csv::Result<()> {
    let width = id_width(n_accounts, 6);
    let rep_width = id_width(reps.len(), 2);

    // Tier of each row: exact counts, shuffled (Fisher–Yates).
    let mut order: Vec<u8> = Vec::with_capacity(n_accounts);
    for (t, &c) in tier_accounts.iter().enumerate() {
        order.extend(std::iter::repeat_n(t as u8, c));
    }
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }

    // Skewed current ownership: the first rep of a tier weighs 2, the last 1.
    let mut owner_cum: Vec<(Vec<u32>, Vec<f64>, Vec<f64>)> = Vec::with_capacity(TIERS.len());
    for tier in 0..TIERS.len() {
        let members: Vec<u32> = (0..reps.len() as u32)
            .filter(|&r| reps[r as usize].tier == tier)
            .collect();
        let k = members.len();
        let weight = |j: usize| {
            if k > 1 {
                2.0 - j as f64 / (k - 1) as f64
            } else {
                1.0
            }
        };
        let all = cumulative((0..k).map(weight));
        // Outside the restricted states only unrestricted reps may own the account.
        let open = cumulative((0..k).map(|j| {
            if reps[members[j] as usize].restricted {
                0.0
            } else {
                weight(j)
            }
        }));
        owner_cum.push((members, all, open));
    }

    let in_restricted = |m: usize| RESTRICTED_REGIONS.split(';').any(|s| s == METROS[m].state);
    let metro_all = cumulative(METROS.iter().map(|m| m.weight));
    let metro_restricted = cumulative((0..METROS.len()).map(|m| {
        if in_restricted(m) {
            METROS[m].weight
        } else {
            0.0
        }
    }));
    let metro_other = cumulative((0..METROS.len()).map(|m| {
        if in_restricted(m) {
            0.0
        } else {
            METROS[m].weight
        }
    }));
    let restricted_exists = reps.iter().any(|r| r.restricted);
    // Share of enterprise roots placed in the restricted states: comfortably above the
    // restricted rep's fair share, never all of them.
    let enterprise_reps = owner_cum[ENTERPRISE].0.len().max(1);
    let restricted_share = (1.6 / enterprise_reps as f64).clamp(0.35, 0.8);
    let mut enterprise_roots = 0usize;

    let mut roots: Vec<Vec<Root>> = vec![Vec::new(); TIERS.len()];
    let mut buf = String::with_capacity(64);
    out.write_record(ACCOUNT_HEADER)?;

    for (i, &t) in order.iter().enumerate() {
        let tier_idx = t as usize;
        let tier = &TIERS[tier_idx];
        let is_child = !roots[tier_idx].is_empty() && rng.random::<f64>() < CHILD_SHARE;
        let (employees, potential) = figures(tier, rng);
        let effort = (potential / tier.mean_potential).powf(0.35) * (0.3 * normal(rng)).exp();
        let workload = ((tier.workload_base * effort * 10.0).round() / 10.0).max(0.1);

        let (metro, industry, owner, parent, locked, name_suffix, root) = if is_child {
            let k = rng.random_range(0..roots[tier_idx].len());
            let p = roots[tier_idx][k];
            let division = DIVISIONS[rng.random_range(0..DIVISIONS.len())];
            (
                p.metro as usize,
                p.industry,
                p.owner,
                Some(p.index),
                false,
                Some(division),
                p,
            )
        } else {
            let metro = if tier_idx == ENTERPRISE && restricted_exists {
                let before = (enterprise_roots as f64 * restricted_share).floor();
                let after = ((enterprise_roots + 1) as f64 * restricted_share).floor();
                enterprise_roots += 1;
                if after > before {
                    pick(&metro_restricted, rng)
                } else {
                    pick(&metro_other, rng)
                }
            } else {
                pick(&metro_all, rng)
            };
            let industry = rng.random_range(0..INDUSTRIES.len()) as u8;
            let owned = rng.random::<f64>() >= WHITE_SPACE_SHARE;
            let (members, all, open) = &owner_cum[tier_idx];
            let owner = if owned && !members.is_empty() {
                let cum = if in_restricted(metro) { all } else { open };
                Some(members[pick(cum, rng)])
            } else {
                None
            };
            let locked = owner.is_some() && rng.random::<f64>() < LOCK_SHARE;
            let root = Root {
                index: i as u32,
                metro: metro as u8,
                industry,
                prefix: rng.random_range(0..NAME_PREFIXES.len()) as u8,
                word: rng.random_range(0..4) as u8,
                number: rng.random_range(1..1000),
                owner,
            };
            roots[tier_idx].push(root);
            (metro, industry, owner, None, locked, None, root)
        };

        // Location: a normal scatter around the metro centre.
        let m = &METROS[metro];
        let dy = normal(rng) * m.spread_km;
        let dx = normal(rng) * m.spread_km;
        let lat = m.lat + dy / 111.32;
        let lon = m.lon + dx / (111.32 * m.lat.to_radians().cos());

        field(out, &mut buf, format_args!("A{:0width$}", i + 1))?;
        buf.clear();
        let prefix = NAME_PREFIXES[root.prefix as usize];
        let word = INDUSTRY_WORDS[root.industry as usize][root.word as usize];
        write!(buf, "{prefix} {word} {}", root.number).expect("formatting into a String");
        if let Some(div) = name_suffix {
            write!(buf, " {div}").expect("formatting into a String");
        }
        out.write_field(buf.as_bytes())?;
        field(out, &mut buf, format_args!("{employees}"))?;
        field(out, &mut buf, format_args!("{potential}"))?;
        field(out, &mut buf, format_args!("{workload:.1}"))?;
        field(out, &mut buf, format_args!("{lat:.5}"))?;
        field(out, &mut buf, format_args!("{lon:.5}"))?;
        out.write_field(INDUSTRIES[industry as usize])?;
        out.write_field(m.state)?;
        match owner {
            Some(r) => field(out, &mut buf, format_args!("R{:0rep_width$}", r + 1))?,
            None => out.write_field("")?,
        }
        match parent {
            Some(p) => field(out, &mut buf, format_args!("A{:0width$}", p + 1))?,
            None => out.write_field("")?,
        }
        out.write_field(if locked { "true" } else { "false" })?;
        out.write_record(None::<&[u8]>)?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let header = rdr
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        let body = rdr
            .records()
            .map(|r| r.expect("row").iter().map(str::to_string).collect())
            .collect();
        (header, body)
    }

    /// The seed segment rules, re-implemented: first match wins, conditions are alternatives.
    fn tier_of(employees: f64, potential: f64) -> &'static str {
        if employees >= 1000.0 || potential >= 100_000.0 {
            "enterprise"
        } else if employees >= 250.0 || potential >= 30_000.0 {
            "mid-market"
        } else if employees >= 50.0 || potential >= 10_000.0 {
            "growth"
        } else {
            "digital-led"
        }
    }

    fn num(s: &str) -> f64 {
        s.parse().expect("number")
    }

    fn tiers(accounts: &[Vec<String>]) -> Vec<&'static str> {
        accounts
            .iter()
            .map(|r| tier_of(num(&r[2]), num(&r[3])))
            .collect()
    }

    #[test]
    fn deterministic_for_a_seed() {
        let spec = GenSpec::default();
        assert_eq!(generate(&spec), generate(&spec));
        let other = GenSpec { seed: 2, ..spec };
        assert_ne!(generate(&spec).accounts_csv, generate(&other).accounts_csv);
    }

    #[test]
    fn headers_exact() {
        let g = generate(&GenSpec::default());
        let first = |s: &str| s.lines().next().unwrap_or("").to_string();
        assert_eq!(
            first(&g.accounts_csv),
            "account_id,name,employees,potential,workload,lat,lon,industry,region,owner_id,parent_id,locked"
        );
        assert_eq!(
            first(&g.reps_csv),
            "rep_id,name,segment,role,lat,lon,fte,max_accounts,max_workload,regions,industries,status"
        );
    }

    #[test]
    fn default_tier_mix() {
        let g = generate(&GenSpec::default());
        let (_, accounts) = rows(&g.accounts_csv);
        assert_eq!(accounts.len(), 5_125);
        let mut count: HashMap<&str, usize> = HashMap::new();
        let mut potential: HashMap<&str, f64> = HashMap::new();
        for (r, t) in accounts.iter().zip(tiers(&accounts)) {
            *count.entry(t).or_default() += 1;
            *potential.entry(t).or_default() += num(&r[3]);
        }
        for (t, want, mean) in [
            ("enterprise", 75.0, 150_000.0),
            ("mid-market", 350.0, 55_000.0),
            ("growth", 1_200.0, 18_000.0),
            ("digital-led", 3_500.0, 6_000.0),
        ] {
            let got = count[t] as f64;
            assert!((got - want).abs() <= 0.1 * want, "{t}: {got} vs {want}");
            let avg = potential[t] / got;
            assert!(
                (avg - mean).abs() <= 0.25 * mean,
                "{t}: mean {avg} vs {mean}"
            );
        }
        // White space, children and locks near their shares.
        let white = accounts.iter().filter(|r| r[9].is_empty()).count() as f64;
        let children = accounts.iter().filter(|r| !r[10].is_empty()).count() as f64;
        let locked = accounts.iter().filter(|r| r[11] == "true").count() as f64;
        let n = accounts.len() as f64;
        assert!((0.06..0.10).contains(&(white / n)), "white space {white}");
        assert!(
            (0.02..0.04).contains(&(children / n)),
            "children {children}"
        );
        assert!(
            (0.004..0.02).contains(&(locked / (n - white))),
            "locked {locked}"
        );
    }

    #[test]
    fn families_and_locks_are_consistent() {
        for spec in [
            GenSpec::default(),
            GenSpec {
                accounts: 20_000,
                reps: 50,
                seed: 7,
            },
        ] {
            let g = generate(&spec);
            let (_, accounts) = rows(&g.accounts_csv);
            let (_, reps) = rows(&g.reps_csv);
            let rep_tier: HashMap<&str, &str> = reps
                .iter()
                .map(|r| (r[0].as_str(), r[2].as_str()))
                .collect();
            let rep_regions: HashMap<&str, &str> = reps
                .iter()
                .map(|r| (r[0].as_str(), r[9].as_str()))
                .collect();
            let tiers = tiers(&accounts);
            let position: HashMap<&str, usize> = accounts
                .iter()
                .enumerate()
                .map(|(i, r)| (r[0].as_str(), i))
                .collect();
            let mut seen = HashSet::new();
            for (i, r) in accounts.iter().enumerate() {
                assert!(seen.insert(r[0].clone()), "duplicate id {}", r[0]);
                if !r[10].is_empty() {
                    let p = position[r[10].as_str()];
                    assert!(p < i, "parent after child");
                    assert!(accounts[p][10].is_empty(), "depth > 2");
                    assert_eq!(tiers[p], tiers[i], "family across tiers");
                    assert_eq!(accounts[p][9], r[9], "family owners differ");
                    assert_eq!(r[11], "false", "locked child");
                }
                if !r[9].is_empty() {
                    assert_eq!(rep_tier[r[9].as_str()], tiers[i], "owner of another tier");
                    let regions = rep_regions[r[9].as_str()];
                    assert!(regions.is_empty() || regions.split(';').any(|s| s == r[8]));
                } else {
                    assert_eq!(r[11], "false", "locked white space");
                }
            }
        }
    }

    #[test]
    fn every_tier_covered_at_all_sizes() {
        for (accounts, reps) in [
            (10, 4),
            (10, 2_000),
            (37, 5),
            (500, 19),
            (5_125, 19),
            (100_000, 2_000),
        ] {
            let g = generate(&GenSpec {
                accounts,
                reps,
                seed: 3,
            });
            let (_, rows_a) = rows(&g.accounts_csv);
            let (_, rows_r) = rows(&g.reps_csv);
            assert_eq!(rows_a.len(), accounts);
            assert_eq!(rows_r.len(), reps);
            let account_tiers: HashSet<&str> = tiers(&rows_a).into_iter().collect();
            let rep_tiers: HashSet<&str> = rows_r.iter().map(|r| r[2].as_str()).collect();
            assert_eq!(account_tiers, rep_tiers, "{accounts}/{reps}");
            assert_eq!(rep_tiers.len(), 4);
            assert!(rows_r.iter().all(|r| r[11] == "active" && r[3].is_empty()));
        }
    }

    #[test]
    fn default_roster_shape() {
        let g = generate(&GenSpec::default());
        let (_, reps) = rows(&g.reps_csv);
        let (_, accounts) = rows(&g.accounts_csv);
        let count = |t: &str| reps.iter().filter(|r| r[2] == t).count();
        assert_eq!(
            [
                count("enterprise"),
                count("mid-market"),
                count("growth"),
                count("digital-led")
            ],
            [4, 5, 6, 4]
        );
        assert_eq!(reps[0][0], "R01");
        assert_eq!(accounts[0][0], "A000001");
        let restricted: Vec<_> = reps.iter().filter(|r| !r[9].is_empty()).collect();
        assert_eq!(restricted.len(), 1);
        assert_eq!(restricted[0][2], "enterprise");
        let half = reps.iter().filter(|r| r[6] == "0.5").count();
        assert!((1..=2).contains(&half));
        // Caps are generous: at least 1.6 × the rep's fair share of its tier.
        let tiers = tiers(&accounts);
        for r in reps.iter().filter(|r| !r[7].is_empty()) {
            let tier_fte: f64 = reps
                .iter()
                .filter(|x| x[2] == r[2])
                .map(|x| num(&x[6]))
                .sum();
            let n = tiers.iter().filter(|&&t| t == r[2]).count() as f64;
            assert!(num(&r[7]) >= 1.6 * n * num(&r[6]) / tier_fte);
        }
        // Enough enterprise potential in the restricted states for the restricted rep.
        let states: Vec<&str> = restricted[0][9].split(';').collect();
        let (mut inside, mut all) = (0.0, 0.0);
        for (r, t) in accounts.iter().zip(&tiers) {
            if *t == "enterprise" {
                all += num(&r[3]);
                if states.contains(&r[8].as_str()) {
                    inside += num(&r[3]);
                }
            }
        }
        assert!(
            inside > 0.3 * all && inside < 0.7 * all,
            "{inside} of {all}"
        );
    }
}
