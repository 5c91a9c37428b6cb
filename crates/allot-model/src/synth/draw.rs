//! Random draws of the generator: weighted picks, normals, truncated lognormals.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::tables::Tier;

/// Cumulative weights for weighted picks.
pub(super) fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
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
pub(super) fn pick(cum: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let x = rng.random::<f64>() * total;
    cum.partition_point(|&c| c <= x)
        .min(cum.len().saturating_sub(1))
}

/// A standard normal draw (Box–Muller).
pub(super) fn normal(rng: &mut ChaCha8Rng) -> f64 {
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
pub(super) fn figures(tier: &Tier, rng: &mut ChaCha8Rng) -> (f64, f64) {
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
