//! Which pairs a segment lists, and the pricing of the eligible pairs it does not.
//!
//! A segment lists every allowed pair when that is cheap (few reps per unit, or few pairs
//! in all). Otherwise each unit lists *candidates* only: its owners, then — where the
//! objective or the travel cap measures distance — the reps nearest its accounts (an
//! R-tree over the reps' homes; reps sharing a home are one location, and when a location
//! holds more reps than the list has room for, a spread of them chosen by the unit is
//! taken, so co-located reps are treated alike), or else a spread of the unit's eligible
//! reps. Candidates speed the search up but never decide it: [`Open::price`] prices any
//! other eligible pair, the searches move units toward under-target reps outside their
//! lists, and [`Open::off_lb`] bounds from below what any unlisted pair of a unit costs, so
//! that bounds computed from the lists hold for the user's whole problem.

use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;

use allot_model::geo::haversine_km;
use allot_model::{Problem, UnitIdx};

use super::{Build, Pair, SegModel};

/// Pricing of the eligible pairs of a segment beyond its listed candidates.
#[derive(Clone, Debug)]
pub struct Open<'p> {
    p: &'p Problem,
    /// Local eligibility class of each local unit.
    class_of: Vec<u32>,
    /// Eligible local reps of each local class, sorted.
    class_reps: Vec<Vec<u32>>,
    /// Membership of each local class as a bit set over local reps.
    mask: Vec<Vec<u64>>,
    /// Per unit: a lower bound on the cost of every allowed pair the unit does not list.
    pub off_lb: Vec<f64>,
    /// Per local class and metric: the largest target among its reps, and whether one of
    /// them has no target.
    class_target: Vec<[(f64, bool); 3]>,
    /// The travel cap, when the plan states one.
    max_km: Option<f64>,
}

impl Open<'_> {
    /// Unit `u` on local rep `r` when the pair is allowed (eligible, within the travel cap).
    pub fn price(&self, m: &SegModel<'_>, u: usize, r: u32) -> Option<Pair> {
        if !self.eligible(u, r) {
            return None;
        }
        let (pu, pr) = (m.units[u], m.reps[r as usize]);
        if self.max_km.is_some() && !self.p.within_travel_cap(pu, pr) {
            return None;
        }
        let x = self.p.price(pu, pr);
        Some(Pair {
            rep: r,
            cost: x.cost,
            work: x.work,
            moved: x.moved,
        })
    }

    /// Whether local rep `r` is eligible for unit `u` (the travel cap aside).
    #[inline]
    pub fn eligible(&self, u: usize, r: u32) -> bool {
        let c = self.class_of[u] as usize;
        self.mask[c]
            .get(r as usize / 64)
            .is_some_and(|w| w >> (r % 64) & 1 == 1)
    }

    /// The least deviation a load of `load` on metric `k` can have on any eligible rep of
    /// unit `u` (listed or not).
    pub fn least_dev(&self, u: usize, k: usize, load: f64) -> f64 {
        let (max_target, zero) = self.class_target[self.class_of[u] as usize][k];
        let d = if max_target > 0.0 {
            load / max_target - 1.0
        } else {
            0.0
        };
        if zero { d.min(0.0) } else { d }
    }

    /// The eligible local reps of unit `u` (the travel cap aside), sorted.
    pub fn class_reps(&self, u: usize) -> &[u32] {
        &self.class_reps[self.class_of[u] as usize]
    }
}

/// A point on the unit sphere (3D), so that chord distance orders like great-circle km.
fn unit_vector((lat, lon): (f64, f64)) -> [f64; 3] {
    let (la, lo) = (lat.to_radians(), lon.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

/// The reps of one class grouped by home: an R-tree of the distinct homes.
struct Locations {
    tree: RTree<GeomWithData<[f64; 3], u32>>,
    home: Vec<(f64, f64)>,
    reps: Vec<Vec<u32>>,
    /// Reps without a home (no distance is measured to them: 0 km).
    homeless: Vec<u32>,
}

impl Locations {
    fn new(p: &Problem, m: &SegModel<'_>, reps: &[u32]) -> Locations {
        let mut by_home: std::collections::BTreeMap<(u64, u64), Vec<u32>> = Default::default();
        let mut homeless = Vec::new();
        for &r in reps {
            match p.reps[m.reps[r as usize].index()].coords() {
                Some((lat, lon)) => by_home
                    .entry((lat.to_bits(), lon.to_bits()))
                    .or_default()
                    .push(r),
                None => homeless.push(r),
            }
        }
        let mut home = Vec::new();
        let mut loc_reps = Vec::new();
        let mut points = Vec::new();
        for ((lat, lon), rs) in by_home {
            let h = (f64::from_bits(lat), f64::from_bits(lon));
            points.push(GeomWithData::new(unit_vector(h), home.len() as u32));
            home.push(h);
            loc_reps.push(rs);
        }
        Locations {
            tree: RTree::bulk_load(points),
            home,
            reps: loc_reps,
            homeless,
        }
    }
}

/// Mixes a unit and a salt into a well-spread 64-bit number (splitmix64).
fn spread_hash(u: u64, salt: u64) -> u64 {
    let mut z = u.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `want` of `list`, spread over it from a start and a stride (coprime with its length)
/// that the unit's hash decides: every element is equally likely to be taken.
fn take_spread(list: &[u32], want: usize, h: u64, out: &mut Vec<u32>) {
    let n = list.len();
    if want >= n {
        out.extend_from_slice(list);
        return;
    }
    let start = (h % n as u64) as usize;
    let mut stride = ((h >> 32) % n as u64).max(1) as usize;
    while gcd(stride, n) != 1 {
        stride += 1;
    }
    for i in 0..want {
        out.push(list[(start + i * stride) % n]);
    }
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Fills `m`'s edges: every allowed pair, or candidates with an [`Open`] pricing the rest.
pub(super) fn list_pairs<'p>(
    m: &mut SegModel<'p>,
    p: &'p Problem,
    build: &Build,
    max_km: Option<f64>,
) {
    let mut local = vec![u32::MAX; p.reps.len()];
    for (i, r) in m.reps.iter().enumerate() {
        local[r.index()] = i as u32;
    }
    let eligible_pairs: usize = m.units.iter().map(|&u| p.eligible(u).len()).sum();
    let widest = m
        .units
        .iter()
        .map(|&u| p.eligible(u).len())
        .max()
        .unwrap_or(0);
    let k = build.candidates;
    let complete =
        k == 0 || widest <= k || eligible_pairs <= build.complete_pairs || p.pairs.is_some();
    let with_work = p.pairs.is_some();
    let with_moved = !m.budgets.is_empty();
    let seg = m.seg.index();
    let distance = p.costs.km[seg] != 0.0 || max_km.is_some();

    // Per unit: its listed local reps (sorted) and, on an open segment, the lower bound on
    // what any other allowed pair costs.
    let lists: Vec<(Vec<u32>, f64)> = if complete {
        m.units
            .par_iter()
            .map(|&u| {
                let reps: Vec<u32> = p
                    .eligible(u)
                    .iter()
                    .filter(|r| max_km.is_none() || p.within_travel_cap(u, **r))
                    .map(|r| local[r.index()])
                    .filter(|&r| r != u32::MAX)
                    .collect();
                (reps, f64::INFINITY)
            })
            .collect()
    } else {
        // Local classes and, where distance matters, their reps by home.
        let mut class_ids: Vec<u32> = m.units.iter().map(|&u| p.units.class[u.index()]).collect();
        let mut distinct = class_ids.clone();
        distinct.sort_unstable();
        distinct.dedup();
        for c in class_ids.iter_mut() {
            *c = distinct.binary_search(c).unwrap_or(0) as u32;
        }
        let class_reps: Vec<Vec<u32>> = distinct
            .iter()
            .map(|&c| {
                let mut v: Vec<u32> = p
                    .classes
                    .reps(c)
                    .iter()
                    .map(|r| local[r.index()])
                    .filter(|&r| r != u32::MAX)
                    .collect();
                v.sort_unstable();
                v
            })
            .collect();
        let nr = m.n_reps();
        let mask: Vec<Vec<u64>> = class_reps
            .iter()
            .map(|reps| {
                let mut bits = vec![0u64; nr.div_ceil(64)];
                for &r in reps {
                    bits[r as usize / 64] |= 1 << (r % 64);
                }
                bits
            })
            .collect();
        let locations: Vec<Option<Locations>> = class_reps
            .iter()
            .map(|reps| (distance && reps.len() > k).then(|| Locations::new(p, m, reps)))
            .collect();
        let t = &p.costs;
        let view = &*m;
        let lists = m
            .units
            .par_iter()
            .enumerate()
            .map(|(lu, &u)| {
                let c = class_ids[lu] as usize;
                candidates(
                    p,
                    view,
                    u,
                    &class_reps[c],
                    locations[c].as_ref(),
                    &local,
                    k,
                    max_km,
                    t.km[seg],
                    t.moved[seg],
                    t.measure,
                )
            })
            .collect();
        let class_target = class_reps
            .iter()
            .map(|reps| {
                std::array::from_fn(|k| {
                    let max = reps
                        .iter()
                        .map(|&r| m.target[r as usize][k])
                        .fold(0.0, f64::max);
                    let zero = reps.iter().any(|&r| m.target[r as usize][k] <= 0.0);
                    (max, zero)
                })
            })
            .collect();
        m.open = Some(Open {
            p,
            class_of: class_ids,
            class_reps,
            mask,
            off_lb: Vec::new(),
            class_target,
            max_km,
        });
        lists
    };
    let mut off_lb = Vec::with_capacity(if complete { 0 } else { lists.len() });
    for (lu, (mut reps, lb)) in lists.into_iter().enumerate() {
        let u = m.units[lu];
        if reps.is_empty() {
            // No eligible rep is within the travel cap: the segment is infeasible. The unit
            // keeps its first eligible rep so that the engines still run; the diagnosis
            // names it.
            // The eligible rep whose farthest account of the unit is nearest, and that account.
            let mut nearest = (f64::INFINITY, p.units.members(u)[0]);
            for &r in p.eligible(u) {
                let Some(home) = p.reps[r.index()].coords() else {
                    continue;
                };
                let farthest = p
                    .units
                    .members(u)
                    .iter()
                    .filter_map(|&a| Some((haversine_km(home, p.accounts[a.index()].coords()?), a)))
                    .fold(
                        (0.0, p.units.members(u)[0]),
                        |x, y| if y.0 > x.0 { y } else { x },
                    );
                if farthest.0 < nearest.0 {
                    nearest = farthest;
                }
            }
            m.stranded.push(super::Stranded {
                unit: lu,
                account: nearest.1,
                km: nearest.0,
            });
            reps = p
                .eligible(u)
                .iter()
                .map(|r| local[r.index()])
                .filter(|&r| r != u32::MAX)
                .take(1)
                .collect();
        }
        for r in reps {
            let x = p.price(u, m.reps[r as usize]);
            m.edge_rep.push(r);
            m.edge_cost.push(x.cost);
            if with_work {
                m.edge_work.push(x.work);
            }
            if with_moved {
                m.edge_moved.push(x.moved);
            }
        }
        m.edge_start.push(m.edge_rep.len() as u32);
        if !complete {
            off_lb.push(lb);
        }
    }
    m.complete = complete;
    if let Some(o) = m.open.as_mut() {
        o.off_lb = off_lb;
    }
}

/// The candidates of problem unit `u` (local reps, sorted) and a lower bound on the cost of
/// any other allowed pair: its owners, then the nearest reps (distance-aware segments) or a
/// spread of its class.
#[allow(clippy::too_many_arguments)]
fn candidates(
    p: &Problem,
    m: &SegModel<'_>,
    u: UnitIdx,
    class: &[u32],
    locations: Option<&Locations>,
    local: &[u32],
    k: usize,
    max_km: Option<f64>,
    km_coef: f64,
    moved_coef: f64,
    measure: allot_model::constraint::Measure,
) -> (Vec<u32>, f64) {
    let allowed = |r: u32| max_km.is_none() || p.within_travel_cap(u, m.reps[r as usize]);
    if p.units.locked_to[u.index()].is_some() || class.len() <= k {
        let reps: Vec<u32> = class.iter().copied().filter(|&r| allowed(r)).collect();
        return (reps, f64::INFINITY);
    }
    let members = p.units.members(u);
    let mut out: Vec<u32> = Vec::with_capacity(k + 2);
    // Owners first: keeping a unit is always a candidate.
    let mut owned = 0.0;
    for a in members {
        let i = a.index();
        if p.account_had_owner[i] {
            owned += measure.of(&p.accounts[i]);
        }
        if let Some(o) = p.account_owner[i] {
            let r = local[o.index()];
            if r != u32::MAX && class.binary_search(&r).is_ok() && allowed(r) {
                out.push(r);
            }
        }
    }
    let h = spread_hash(u.0 as u64, 0x5EED);
    let reference = members.iter().find_map(|a| p.accounts[a.index()].coords());
    // The least km any unlisted rep is from the reference point.
    let mut beyond_km = 0.0;
    match (locations, reference) {
        (Some(loc), Some(at)) => {
            let mut chosen = Vec::with_capacity(k);
            take_spread(&loc.homeless, k, h, &mut chosen);
            let q = unit_vector(at);
            for near in loc.tree.nearest_neighbor_iter(&q) {
                if chosen.len() >= k {
                    break;
                }
                let l = near.data as usize;
                let room = k - chosen.len();
                take_spread(&loc.reps[l], room, h, &mut chosen);
                beyond_km = haversine_km(at, loc.home[l]);
            }
            if !loc.homeless.is_empty() {
                beyond_km = 0.0;
            }
            out.extend(chosen.into_iter().filter(|&r| allowed(r)));
        }
        _ => {
            let mut chosen = Vec::with_capacity(k);
            take_spread(class, k, h, &mut chosen);
            out.extend(chosen.into_iter().filter(|&r| allowed(r)));
        }
    }
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        // Nothing near is within the travel cap: look at every eligible rep.
        out = class.iter().copied().filter(|&r| allowed(r)).collect();
        return (out, f64::INFINITY);
    }
    // Any unlisted rep is not an owner (owners are listed), so the whole owned measure
    // moves; and it is at least `beyond_km` from the reference point, so each account is at
    // least that less its own distance to the reference (triangle inequality).
    let mut lb = moved_coef * owned;
    if km_coef != 0.0
        && let Some(at) = reference
    {
        let km: f64 = members
            .iter()
            .filter_map(|a| p.accounts[a.index()].coords())
            .map(|x| (beyond_km - haversine_km(at, x)).max(0.0))
            .sum();
        lb += km_coef * km;
    }
    (out, lb)
}
