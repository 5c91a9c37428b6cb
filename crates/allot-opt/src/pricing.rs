//! Column generation over the eligible pairs a segment does not list.
//!
//! A segment that lists candidates solves its LP relaxation over the listed pairs, prices
//! every other eligible pair with the LP's row duals (reduced cost = cost − the unit's
//! coverage dual − Σ loads × the rep's row duals − moves × the budget duals), lists the
//! pairs with a negative reduced cost and solves again, until none is left: the LP over
//! the lists is then the LP over every allowed pair, so its bound holds for the whole
//! segment. Listing every unlisted pair whose reduced cost is at most a gap U − z as well
//! makes reduced-cost fixing exact for incumbents up to U ([`widen`]).

use crate::SearchContext;
use crate::fixing::Relaxation;
use crate::mip::{Duals, MipStatus, solve_soft_lp};
use crate::model::{Pair, SegModel};

/// A segment's lists grown until its LP relaxation prices out.
#[derive(Clone, Debug)]
pub struct Priced<'p> {
    /// The segment with the pairs pricing listed.
    pub model: SegModel<'p>,
    /// The LP optimum over every allowed pair (values and reduced costs of the listed ones).
    pub lp: Relaxation,
    /// The LP's values per listed edge.
    pub values: Vec<f64>,
    /// The duals that priced the rest.
    pub duals: Duals,
    /// Every unlisted pair has a reduced cost above this.
    pub listed_to: f64,
}

/// Most pricing rounds.
const MAX_ROUNDS: usize = 30;

/// Most pairs a unit gains per round (its most negative).
const PER_UNIT: usize = 3;

/// Total row violation of the soft LP below which the rows hold.
const SLACK_TOLERANCE: f64 = 1e-6;

/// Largest LP solved per round, seconds.
const ROUND_MAX_S: f64 = 5.0;

/// The unlisted allowed pairs of `m` whose reduced cost under `duals` is at most `below`,
/// each with it, per unit at most `per_unit` of them (the lowest), unit by unit.
fn unlisted(
    m: &SegModel<'_>,
    duals: &Duals,
    below: f64,
    per_unit: usize,
) -> Vec<(usize, Pair, f64)> {
    let Some(o) = m.open.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut found: Vec<(usize, Pair, f64)> = Vec::new();
    for u in (0..m.n_units()).filter(|&u| !m.locked[u]) {
        found.clear();
        for &r in o.class_reps(u) {
            if m.edge_to(u, r).is_some() {
                continue;
            }
            let Some(p) = o.price(m, u, r) else { continue };
            let d = duals.reduced_cost(u, &p, &m.load_on(u, &p));
            if d <= below {
                found.push((u, p, d));
            }
        }
        found.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.1.rep.cmp(&b.1.rep)));
        found.truncate(per_unit);
        out.extend_from_slice(&found);
    }
    out
}

/// Grows the lists of `m` (a segment that lists candidates) until its LP relaxation has no
/// pair left with a negative reduced cost. `None` when an LP fails or does not converge in
/// time.
pub fn price_out<'p>(m: &SegModel<'p>, ctx: &SearchContext) -> Option<Priced<'p>> {
    let mut g = m.clone();
    for _ in 0..MAX_ROUNDS {
        if ctx.should_stop() {
            return None;
        }
        // Soft rows: the listed pairs alone may not keep them, and the duals must still
        // say which unlisted pairs would help.
        let (r, slack) = solve_soft_lp(&g, ctx.mip_limits(1.0, ROUND_MAX_S, 0, true)).ok()?;
        if r.status != MipStatus::Optimal {
            return None;
        }
        let (values, reduced, duals) = (r.lp_values?, r.lp_reduced?, r.lp_duals?);
        let new = unlisted(&g, &duals, -1e-9 * (1.0 + r.bound.abs()), PER_UNIT);
        if new.is_empty() {
            if slack > SLACK_TOLERANCE {
                // Not even the LP over every pair keeps the rows (for this penalty).
                return None;
            }
            return Some(Priced {
                model: g,
                lp: Relaxation {
                    values: values.clone(),
                    reduced,
                    bound: r.bound,
                    exact_to: 0.0,
                },
                values,
                duals,
                listed_to: 0.0,
            });
        }
        g = g.with_pairs(new.iter().map(|&(u, p, _)| (u, p)));
    }
    None
}

/// Lists every unlisted pair whose reduced cost is at most `gap` (up to `max_new` of
/// them), so that reduced-cost fixing against an incumbent within `gap` of the LP bound
/// sees every pair it may keep. Says whether it did (false: too many, nothing changed).
pub fn widen(p: &mut Priced<'_>, gap: f64, max_new: usize) -> bool {
    if gap <= p.listed_to {
        return true;
    }
    let new = unlisted(&p.model, &p.duals, gap, usize::MAX);
    if new.len() > max_new {
        return false;
    }
    // New pairs sit at 0 in the LP with a non-negative reduced cost: the LP stays optimal.
    let mut values = Vec::with_capacity(p.values.len() + new.len());
    let mut reduced = Vec::with_capacity(values.capacity());
    let mut next = 0;
    for u in 0..p.model.n_units() {
        for e in p.model.edges(u) {
            values.push(p.values[e]);
            reduced.push(p.lp.reduced[e]);
        }
        while next < new.len() && new[next].0 == u {
            values.push(0.0);
            reduced.push(new[next].2);
            next += 1;
        }
    }
    p.model = p.model.with_pairs(new.iter().map(|&(u, q, _)| (u, q)));
    p.values.clone_from(&values);
    p.lp.values = values;
    p.lp.reduced = reduced;
    p.listed_to = gap;
    p.lp.exact_to = gap;
    if gap == f64::INFINITY {
        // Every allowed pair is listed now.
        p.model.complete = true;
    }
    true
}
