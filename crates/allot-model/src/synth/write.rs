//! The streaming CSV writers: one reused buffer per field, rows written as they are drawn.

use std::fmt::Write as _;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::draw::{cumulative, figures, normal, pick};
use super::tables::{
    ACCOUNT_HEADER, CHILD_SHARE, DIVISIONS, ENTERPRISE, FIRST_NAMES, INDUSTRIES, INDUSTRY_WORDS,
    KM_PER_DEGREE, LAST_NAMES, LOCK_SHARE, METRO_MAX_ACCOUNT_KM, METRO_SPREAD, METRO_TAIL_FACTOR,
    METRO_TAIL_SHARE, METROS, Metro, NAME_PREFIXES, REP_HEADER, RESTRICTED_REGIONS, TIERS,
    WHITE_SPACE_SHARE,
};
use super::{GenSpec, Geography, Rep};

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

/// Width of zero-padded ids for `count` items, at least `min`.
fn id_width(count: usize, min: usize) -> usize {
    count.to_string().len().max(min)
}

/// `reps.csv` of the roster (names drawn from `rng`).
pub(super) fn reps(reps: &[Rep], rng: &mut ChaCha8Rng) -> String {
    let width = id_width(reps.len(), 2);
    let mut out = csv::Writer::from_writer(Vec::with_capacity(reps.len() * 80 + 128));
    let mut buf = String::new();
    reps_into(&mut out, reps, width, &mut buf, rng).expect("writing CSV to memory");
    into_string(out)
}

fn reps_into(
    out: &mut csv::Writer<Vec<u8>>,
    reps: &[Rep],
    width: usize,
    buf: &mut String,
    rng: &mut ChaCha8Rng,
) -> csv::Result<()> {
    out.write_record(REP_HEADER)?;
    for (r, rep) in reps.iter().enumerate() {
        field(out, buf, format_args!("R{:0width$}", r + 1))?;
        let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
        field(out, buf, format_args!("{first} {last}"))?;
        out.write_field(TIERS[rep.tier].name)?;
        out.write_field("")?;
        field(out, buf, format_args!("{:.4}", rep.home.0))?;
        field(out, buf, format_args!("{:.4}", rep.home.1))?;
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

/// `accounts.csv`: figures, names and owners from `rng`; the geography's extra draws from
/// `geo_rng`.
pub(super) fn accounts(
    n_accounts: usize,
    tier_accounts: &[usize],
    reps: &[Rep],
    spec: &GenSpec,
    rng: &mut ChaCha8Rng,
    geo_rng: &mut ChaCha8Rng,
) -> String {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(n_accounts * 112 + 256));
    accounts_into(
        &mut out,
        n_accounts,
        tier_accounts,
        reps,
        spec,
        rng,
        geo_rng,
    )
    .expect("writing CSV to memory");
    into_string(out)
}

/// Offset (north km, east km) of an account from its metro centre.
fn scatter(
    m: &Metro,
    geography: Geography,
    rng: &mut ChaCha8Rng,
    geo_rng: &mut ChaCha8Rng,
) -> (f64, f64) {
    // Both normals always come from the main stream, as in the demo.
    let (mut ny, mut nx) = (normal(rng), normal(rng));
    match geography {
        Geography::Demo => (ny * m.spread_km, nx * m.spread_km),
        Geography::Metro => {
            let mut scale = m.spread_km * METRO_SPREAD;
            if geo_rng.random::<f64>() < METRO_TAIL_SHARE {
                scale *= METRO_TAIL_FACTOR;
            }
            // Redraw (second stream) what lands too far out, then clamp as a last resort.
            let mut tries = 0;
            while ny.hypot(nx) * scale > METRO_MAX_ACCOUNT_KM && tries < 8 {
                ny = normal(geo_rng);
                nx = normal(geo_rng);
                tries += 1;
            }
            let r = ny.hypot(nx) * scale;
            let shrink = if r > METRO_MAX_ACCOUNT_KM {
                METRO_MAX_ACCOUNT_KM / r
            } else {
                1.0
            };
            (ny * scale * shrink, nx * scale * shrink)
        }
    }
}

fn accounts_into(
    out: &mut csv::Writer<Vec<u8>>,
    n_accounts: usize,
    tier_accounts: &[usize],
    reps: &[Rep],
    spec: &GenSpec,
    rng: &mut ChaCha8Rng,
    geo_rng: &mut ChaCha8Rng,
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

    // Skewed current ownership: the j-th of a tier's k reps weighs 1 + skew·(1 − j/(k−1))
    // (skew 1: the first rep weighs 2, the last 1). Written as (1 + skew) − skew·x so that
    // skew 1 gives exactly the demo's 2 − x.
    let skew = spec.owner_skew;
    let mut owner_cum: Vec<(Vec<u32>, Vec<f64>, Vec<f64>)> = Vec::with_capacity(TIERS.len());
    for tier in 0..TIERS.len() {
        let members: Vec<u32> = (0..reps.len() as u32)
            .filter(|&r| reps[r as usize].tier == tier)
            .collect();
        let k = members.len();
        let weight = |j: usize| {
            if k > 1 {
                (1.0 + skew) - skew * (j as f64 / (k - 1) as f64)
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
        let (dy, dx) = scatter(m, spec.geography, rng, geo_rng);
        let lat = m.lat + dy / KM_PER_DEGREE;
        let lon = m.lon + dx / (KM_PER_DEGREE * m.lat.to_radians().cos());

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
