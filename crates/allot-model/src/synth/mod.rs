//! Synthetic territory instances: realistic `accounts.csv` and `reps.csv` text for demos,
//! tests and benchmarks, deterministic for a seed.
//!
//! What the data looks like (default: 5,125 accounts and 19 reps, the bundled demo):
//! - **Tiers.** Accounts are drawn per intended tier in the seed coverage model's mix
//!   (75 enterprise, 350 mid-market, 1,200 growth, 3,500 digital-led, scaled for other
//!   sizes, at least one per tier). Employees and potential are heavy-tailed (lognormal)
//!   around tier means (potential about $150K / $55K / $18K / $6K) and always consistent
//!   with the seed segment rules (enterprise ≥ 1,000 employees or ≥ $100K; mid-market ≥ 250
//!   or ≥ $30K; growth ≥ 50 or ≥ $10K; digital-led below), so the plan's rules derive the
//!   intended tier. The `segment` column is left out on purpose. Workload (hours/yr)
//!   follows tier effort (about 80 / 25 / 8 / 2 h) with noise.
//! - **Geography.** 19 US metros with their state code as `region`; accounts scatter a few
//!   tens of km around the metro centre. See [`Geography`] for where reps live and for the
//!   wider scatter of a real sales org.
//! - **Reps.** Split 4 / 5 / 6 / 4 across the tiers (scaled, at least one per tier; see
//!   [`RepMix`]), all segment owners (empty `role`), a tenth of them half-time, one or two
//!   with a generous `max_accounts`, and (when a tier has two or more enterprise reps) one
//!   enterprise rep restricted to `NY;NJ;MA;PA`, with enough enterprise accounts in those
//!   states for that rep's fair share. All reps are active.
//! - **Current state.** About 8 % white space (empty `owner_id`); the rest is owned by reps
//!   of the account's tier with uneven weights (by default the first rep of a tier holds
//!   about twice the share of the last; see [`GenSpec::owner_skew`]); about 3 % of accounts
//!   are children of an earlier root of the same tier (depth ≤ 2, same owner and metro as
//!   the parent); about 1 % of owned root accounts are locked to their (eligible,
//!   same-tier) owner.
//!
//! The variants ([`Geography::Metro`], [`GenSpec::shared_office`], [`RepMix::Ratio`],
//! [`GenSpec::owner_skew`]) draw their extra random numbers from a second stream of the
//! same seed, so the main stream is untouched: names, figures, tiers and owners of a
//! variant are those of the default spec wherever the variant does not change them.
//!
//! ```
//! use allot_model::synth::{GenSpec, Geography, generate};
//! let spec = GenSpec {
//!     accounts: 1_000,
//!     reps: 12,
//!     geography: Geography::Metro,
//!     ..GenSpec::default()
//! };
//! let g = generate(&spec);
//! assert_eq!(g.accounts_csv.lines().count(), 1 + 1_000);
//! assert_eq!(g.reps_csv.lines().count(), 1 + 12);
//! assert_eq!(g, generate(&spec));
//! ```

mod draw;
mod tables;
mod write;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use draw::normal;
use tables::{ENTERPRISE, KM_PER_DEGREE, METROS, REP_MAX_KM, REP_SCATTER_KM, TIERS};

/// Names of the seed coverage model's tiers, in rule order (the values of the reps'
/// `segment` column and of [`GenSpec::shared_office`]).
pub const TIER_NAMES: [&str; 4] = [TIERS[0].name, TIERS[1].name, TIERS[2].name, TIERS[3].name];

/// Where reps live and how far accounts scatter around their metro.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Geography {
    /// The bundled demo: each tier's reps rotate over the 19 metros (the j-th rep of a tier
    /// lives at metro j mod 19), homes exactly at the metro centre; accounts scatter
    /// normally with the metro's own spread (20–40 km per axis).
    #[default]
    Demo,
    /// A real sales org: the reps (less the shared office's, if any) are apportioned to the
    /// metros by the metros' account weights (largest remainder, every metro staffed once
    /// there are 19 or more reps) and handed out in roster order, interleaved so each
    /// tier's reps spread over the metros roughly in proportion (the first rep, the
    /// restricted enterprise one, in New York). Each home scatters around its metro centre
    /// (normal, 4 km per axis, pulled in to 9.9 km at most). Accounts scatter 1.8 × the
    /// metro's spread per axis (36–72 km), one in ten 3 × wider again (108–216 km per
    /// axis), and a draw landing more than 300 km from the centre is redrawn (then pulled
    /// in, after 8 misses). Current owners are drawn as in the demo (not by place).
    Metro,
}

/// How the roster is split across the tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RepMix {
    /// The bundled demo: reps split 4 / 5 / 6 / 4 over enterprise, mid-market, growth and
    /// digital-led (largest remainder, at least one per tier).
    #[default]
    Demo,
    /// In proportion to each tier's accounts divided by its seed ratio (22 / 75 / 225 / 800
    /// accounts per rep), largest remainder, at least one per tier: the roster the seed
    /// coverage model would hire, scaled to [`GenSpec::reps`] (see [`reps_at_seed_ratios`]
    /// for the unscaled size).
    Ratio,
}

/// Shape of a synthetic instance.
#[derive(Debug, Clone, PartialEq)]
pub struct GenSpec {
    /// Number of accounts (values below 4 are raised to 4: one per tier).
    pub accounts: usize,
    /// Number of reps (values below 4 are raised to 4: one per tier).
    pub reps: usize,
    /// Seed of the random generator: the same spec gives byte-identical output.
    pub seed: u64,
    /// Where reps live and how far accounts scatter.
    pub geography: Geography,
    /// A tier (one of [`TIER_NAMES`]) whose reps all share one office: every rep of that
    /// tier lives exactly at the first metro's centre (New York), like an inside-sales
    /// team. Its accounts stay spread over all metros. `None`: no shared office.
    pub shared_office: Option<String>,
    /// How the roster is split across the tiers.
    pub rep_mix: RepMix,
    /// Concentration of the current books: the j-th of a tier's k reps weighs
    /// `1 + owner_skew × (1 − j/(k−1))` when owners are drawn, so the first rep's share is
    /// `1 + owner_skew` times the last's (1.0, the default: twice; 8.0: nine times).
    /// Must be finite and ≥ 0.
    pub owner_skew: f64,
}

impl Default for GenSpec {
    /// The demo shape: 5,125 accounts, 19 reps, seed 1, demo geography and rep mix, no
    /// shared office, owner skew 1.
    fn default() -> Self {
        GenSpec {
            accounts: 5_125,
            reps: 19,
            seed: 1,
            geography: Geography::Demo,
            shared_office: None,
            rep_mix: RepMix::Demo,
            owner_skew: 1.0,
        }
    }
}

/// Why a [`GenSpec`] cannot be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpecError {
    /// `shared_office` names no tier.
    #[error(
        "shared office: unknown tier {0:?} (expected one of {names})",
        names = TIER_NAMES.join(", ")
    )]
    UnknownTier(String),
    /// `owner_skew` is negative or not finite.
    #[error("owner skew must be a finite number ≥ 0, got {0}")]
    BadSkew(f64),
}

impl GenSpec {
    /// Checks the fields [`generate`] would reject.
    pub fn validate(&self) -> Result<(), SpecError> {
        if let Some(name) = &self.shared_office {
            if !TIER_NAMES.contains(&name.as_str()) {
                return Err(SpecError::UnknownTier(name.clone()));
            }
        }
        if !(self.owner_skew.is_finite() && self.owner_skew >= 0.0) {
            return Err(SpecError::BadSkew(self.owner_skew));
        }
        Ok(())
    }

    /// Index of the shared-office tier, if any.
    fn shared_tier(&self) -> Option<usize> {
        let name = self.shared_office.as_deref()?;
        TIER_NAMES.iter().position(|&t| t == name)
    }
}

impl fmt::Display for Geography {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Geography::Demo => "demo",
            Geography::Metro => "metro",
        })
    }
}

impl FromStr for Geography {
    type Err = String;
    /// Parses `demo` or `metro` (any case).
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "demo" => Ok(Geography::Demo),
            "metro" => Ok(Geography::Metro),
            _ => Err(format!("unknown geography {s:?} (expected demo or metro)")),
        }
    }
}

impl fmt::Display for RepMix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RepMix::Demo => "demo",
            RepMix::Ratio => "ratio",
        })
    }
}

impl FromStr for RepMix {
    type Err = String;
    /// Parses `demo` or `ratio` (any case).
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "demo" => Ok(RepMix::Demo),
            "ratio" => Ok(RepMix::Ratio),
            _ => Err(format!("unknown rep mix {s:?} (expected demo or ratio)")),
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

/// One generated rep, as far as account generation needs it.
struct Rep {
    tier: usize,
    /// Home (lat, lon), degrees.
    home: (f64, f64),
    fte: f64,
    max_accounts: Option<usize>,
    restricted: bool,
}

/// Generates one instance; the same `spec` always gives byte-identical output.
///
/// # Panics
/// When [`GenSpec::validate`] fails (check it first on user input).
#[must_use]
pub fn generate(spec: &GenSpec) -> Generated {
    if let Err(e) = spec.validate() {
        panic!("invalid GenSpec: {e}");
    }
    let n_accounts = spec.accounts.max(TIERS.len());
    let n_reps = spec.reps.max(TIERS.len());
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    // The variants' own draws: a second stream of the same seed, so the main stream (and
    // with it the default output) is the same whatever the variant.
    let mut geo_rng = ChaCha8Rng::seed_from_u64(spec.seed);
    geo_rng.set_stream(1);

    let tier_accounts = apportion(n_accounts, &TIERS.map(|t| t.account_weight));
    let tier_reps = match spec.rep_mix {
        RepMix::Demo => apportion(n_reps, &TIERS.map(|t| t.rep_weight)),
        RepMix::Ratio => apportion(n_reps, &ratio_weights(&tier_accounts)),
    };
    let reps = build_reps(&tier_reps, &tier_accounts, spec, &mut geo_rng);
    let reps_csv = write::reps(&reps, &mut rng);
    let accounts_csv = write::accounts(
        n_accounts,
        &tier_accounts,
        &reps,
        spec,
        &mut rng,
        &mut geo_rng,
    );
    Generated {
        accounts_csv,
        reps_csv,
    }
}

/// The roster size the seed ratios imply for `accounts` accounts: Σ over tiers of
/// round(tier accounts / ratio), at least one per tier (3,471 for 1,000,000 accounts; 17
/// for the demo's 5,125).
#[must_use]
pub fn reps_at_seed_ratios(accounts: usize) -> usize {
    let tier_accounts = apportion(accounts.max(TIERS.len()), &TIERS.map(|t| t.account_weight));
    ratio_weights(&tier_accounts)
        .iter()
        .map(|&x| (x.round() as usize).max(1))
        .sum()
}

/// Reps each tier needs at its seed ratio (fractional).
fn ratio_weights(tier_accounts: &[usize]) -> Vec<f64> {
    tier_accounts
        .iter()
        .zip(&TIERS)
        .map(|(&n, t)| n as f64 / t.ratio)
        .collect()
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

/// The metros of `n` reps under [`Geography::Metro`]: [`apportion`] by metro weight, then
/// interleaved (the k-th rep of metro m sits at about position (k + ½)/count(m) of the
/// sequence, ties to the earlier metro), so consecutive reps, and thus each tier, spread
/// over the metros in proportion. The first slot is the biggest metro (New York).
fn metro_slots(n: usize) -> Vec<usize> {
    let counts = apportion(n, &METROS.map(|m| m.weight));
    let mut slots: Vec<(f64, usize)> = counts
        .iter()
        .enumerate()
        .flat_map(|(m, &c)| (0..c).map(move |k| ((k as f64 + 0.5) / c as f64, m)))
        .collect();
    slots.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    slots.into_iter().map(|(_, m)| m).collect()
}

/// A home scattered around `(lat, lon)`: normal, [`REP_SCATTER_KM`] per axis, at most
/// [`REP_MAX_KM`] away.
fn scattered_home(lat: f64, lon: f64, geo_rng: &mut ChaCha8Rng) -> (f64, f64) {
    let mut dy = normal(geo_rng) * REP_SCATTER_KM;
    let mut dx = normal(geo_rng) * REP_SCATTER_KM;
    let r = dy.hypot(dx);
    if r > REP_MAX_KM {
        dy *= REP_MAX_KM / r;
        dx *= REP_MAX_KM / r;
    }
    (
        lat + dy / KM_PER_DEGREE,
        lon + dx / (KM_PER_DEGREE * lat.to_radians().cos()),
    )
}

/// The roster: reps grouped by tier, homes per the geography (the shared-office tier at
/// the first metro), a tenth half-time, one or two capped generously, one enterprise rep
/// restricted by region.
fn build_reps(
    tier_reps: &[usize],
    tier_accounts: &[usize],
    spec: &GenSpec,
    geo_rng: &mut ChaCha8Rng,
) -> Vec<Rep> {
    let shared = spec.shared_tier();
    let field_reps: usize = (0..tier_reps.len())
        .filter(|&t| Some(t) != shared)
        .map(|t| tier_reps[t])
        .sum();
    let mut slots = match spec.geography {
        Geography::Demo => Vec::new(),
        Geography::Metro => metro_slots(field_reps),
    }
    .into_iter();
    let mut reps = Vec::with_capacity(tier_reps.iter().sum());
    for (tier, &count) in tier_reps.iter().enumerate() {
        for j in 0..count {
            let home = if Some(tier) == shared {
                (METROS[0].lat, METROS[0].lon)
            } else {
                match spec.geography {
                    Geography::Demo => {
                        let m = &METROS[j % METROS.len()];
                        (m.lat, m.lon)
                    }
                    Geography::Metro => {
                        let m = &METROS[slots.next().unwrap_or(0)];
                        scattered_home(m.lat, m.lon, geo_rng)
                    }
                }
            };
            reps.push(Rep {
                tier,
                home,
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
