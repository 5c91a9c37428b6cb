//! Unit tests of the generator (moved from the CLI) and of its variants.

use super::tables::METROS;
use super::*;
use crate::geo::haversine_km;
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
    let other = GenSpec {
        seed: 2,
        ..spec.clone()
    };
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
    let mut specs = 0;
    for spec in [
        GenSpec::default(),
        GenSpec {
            accounts: 20_000,
            reps: 50,
            seed: 7,
            ..GenSpec::default()
        },
        all_variants(20_000, 50, 7),
        all_variants(3_000, 9, 8),
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
        let (mut children, mut owned) = (0, 0);
        for (i, r) in accounts.iter().enumerate() {
            assert!(seen.insert(r[0].clone()), "duplicate id {}", r[0]);
            if !r[10].is_empty() {
                children += 1;
                let p = position[r[10].as_str()];
                assert!(p < i, "parent after child");
                assert!(accounts[p][10].is_empty(), "depth > 2");
                assert_eq!(tiers[p], tiers[i], "family across tiers");
                assert_eq!(accounts[p][9], r[9], "family owners differ");
                assert_eq!(r[11], "false", "locked child");
            }
            if !r[9].is_empty() {
                owned += 1;
                assert_eq!(rep_tier[r[9].as_str()], tiers[i], "owner of another tier");
                let regions = rep_regions[r[9].as_str()];
                assert!(regions.is_empty() || regions.split(';').any(|s| s == r[8]));
            } else {
                assert_eq!(r[11], "false", "locked white space");
            }
        }
        // The family and owner checks above ran on a fair share of the accounts (children
        // are about 3 %, owned accounts about 92 %).
        let n = accounts.len();
        assert_eq!(seen.len(), n, "accounts checked");
        assert!(
            children * 100 >= n && owned * 100 >= 80 * n,
            "{n} accounts: only {children} children, {owned} owned"
        );
        specs += 1;
    }
    assert_eq!(specs, 4, "specs checked");
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
        let spec = GenSpec {
            accounts,
            reps,
            seed: 3,
            ..GenSpec::default()
        };
        covers_every_tier(&spec);
        if accounts <= 20_000 {
            covers_every_tier(&all_variants(accounts, reps, 3));
            covers_every_tier(&GenSpec {
                rep_mix: RepMix::Ratio,
                ..spec
            });
        }
    }
}

fn covers_every_tier(spec: &GenSpec) {
    let (accounts, reps) = (spec.accounts, spec.reps);
    {
        let g = generate(spec);
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
    let mut capped = 0;
    for r in reps.iter().filter(|r| !r[7].is_empty()) {
        capped += 1;
        let tier_fte: f64 = reps
            .iter()
            .filter(|x| x[2] == r[2])
            .map(|x| num(&x[6]))
            .sum();
        let n = tiers.iter().filter(|&&t| t == r[2]).count() as f64;
        assert!(num(&r[7]) >= 1.6 * n * num(&r[6]) / tier_fte);
    }
    assert_eq!(capped, 2, "reps with a max_accounts cap");
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

/// Every variant at once: metro geography, digital-led in one office, reps at the seed
/// ratios, books concentrated on the first reps.
fn all_variants(accounts: usize, reps: usize, seed: u64) -> GenSpec {
    GenSpec {
        accounts,
        reps,
        seed,
        geography: Geography::Metro,
        shared_office: Some("digital-led".to_string()),
        rep_mix: RepMix::Ratio,
        owner_skew: 8.0,
    }
}

/// The line-by-line difference of two texts, for readable failures.
fn first_difference(want: &str, got: &str) -> String {
    for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        if w != g {
            return format!("line {}: want {w:?}, got {g:?}", i + 1);
        }
    }
    format!(
        "{} lines wanted, {} got (bytes {} vs {})",
        want.lines().count(),
        got.lines().count(),
        want.len(),
        got.len()
    )
}

#[test]
fn defaults_match_the_bundled_demo() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("bundled demo file");
    let (accounts, reps) = (read("accounts.csv"), read("reps.csv"));
    let g = generate(&GenSpec::default());
    assert!(
        g.reps_csv == reps,
        "reps.csv: {}",
        first_difference(&reps, &g.reps_csv)
    );
    assert!(
        g.accounts_csv == accounts,
        "accounts.csv: {}",
        first_difference(&accounts, &g.accounts_csv)
    );
    assert_eq!(accounts.lines().count(), 1 + 5_125);
    assert_eq!(reps.lines().count(), 1 + 19);
}

#[test]
fn variants_are_deterministic_and_keep_the_main_stream() {
    let spec = all_variants(5_000, 40, 11);
    assert_eq!(generate(&spec), generate(&spec));
    // The geography only moves accounts: every other column is the demo geography's.
    let base = GenSpec {
        geography: Geography::Demo,
        ..spec.clone()
    };
    let (_, a) = rows(&generate(&spec).accounts_csv);
    let (_, b) = rows(&generate(&base).accounts_csv);
    assert_eq!(a.len(), 5_000);
    assert_eq!(a.len(), b.len());
    let mut moved = 0;
    for (x, y) in a.iter().zip(&b) {
        for c in [0, 1, 2, 3, 4, 7, 8, 9, 10, 11] {
            assert_eq!(x[c], y[c], "column {c} of {}", x[0]);
        }
        moved += usize::from(x[5] != y[5] || x[6] != y[6]);
    }
    assert!(moved > 4_900, "{moved}");
}

#[test]
fn validate_rejects_bad_specs() {
    assert_eq!(GenSpec::default().validate(), Ok(()));
    let bad = GenSpec {
        shared_office: Some("inside-sales".into()),
        ..GenSpec::default()
    };
    assert_eq!(
        bad.validate(),
        Err(SpecError::UnknownTier("inside-sales".into()))
    );
    for skew in [-0.5, f64::NAN, f64::INFINITY] {
        let bad = GenSpec {
            owner_skew: skew,
            ..GenSpec::default()
        };
        assert!(
            matches!(bad.validate(), Err(SpecError::BadSkew(_))),
            "{skew}"
        );
    }
    for name in TIER_NAMES {
        let ok = GenSpec {
            shared_office: Some(name.into()),
            ..GenSpec::default()
        };
        assert_eq!(ok.validate(), Ok(()));
    }
    assert_eq!("Metro".parse(), Ok(Geography::Metro));
    assert_eq!("ratio".parse(), Ok(RepMix::Ratio));
    assert!("west".parse::<Geography>().is_err());
    assert_eq!(Geography::Metro.to_string(), "metro");
    assert_eq!(RepMix::Demo.to_string(), "demo");
}

/// (lat, lon) of a reps.csv row.
fn home(r: &[String]) -> (f64, f64) {
    (num(&r[4]), num(&r[5]))
}

#[test]
fn metro_geography_puts_reps_near_their_metro() {
    let spec = GenSpec {
        accounts: 20_000,
        reps: 2_000,
        geography: Geography::Metro,
        ..GenSpec::default()
    };
    let g = generate(&spec);
    let (_, reps) = rows(&g.reps_csv);
    assert_eq!(reps.len(), 2_000);
    // Each rep's intended metro, in roster order (no shared office: every rep is a field rep).
    let slots = metro_slots(reps.len());
    assert_eq!(slots.len(), reps.len());
    let mut per_metro = [0usize; METROS.len()];
    let mut at_centre = 0;
    for (r, &m) in reps.iter().zip(&slots) {
        let d = haversine_km(home(r), (METROS[m].lat, METROS[m].lon));
        assert!(d <= 10.0, "{} is {d:.2} km from metro {m}", r[0]);
        at_centre += usize::from(d < 0.05);
        per_metro[m] += 1;
    }
    assert!(at_centre < 20, "{at_centre} homes exactly at a centre");
    // Every metro staffed; staff in proportion to the metros' account weights.
    let total_weight: f64 = METROS.iter().map(|m| m.weight).sum();
    for (m, &n) in per_metro.iter().enumerate() {
        let ideal = 2_000.0 * METROS[m].weight / total_weight;
        assert!(
            (n as f64 - ideal).abs() <= 1.0,
            "metro {m}: {n} vs {ideal:.1}"
        );
    }
    // Independently of the slots: count homes within 10 km of New York and of Pittsburgh.
    let near = |m: usize| {
        reps.iter()
            .filter(|r| haversine_km(home(r), (METROS[m].lat, METROS[m].lon)) <= 10.0)
            .count()
    };
    let (new_york, pittsburgh) = (near(0), near(17));
    assert!(pittsburgh >= 1, "{pittsburgh}");
    assert!(new_york > 3 * pittsburgh, "{new_york} vs {pittsburgh}");
    // The restricted enterprise rep still lives in New York.
    assert_eq!(reps[0][9], "NY;NJ;MA;PA");
    assert_eq!(slots[0], 0);
    // With a roster of 19 every metro gets exactly one rep.
    let mut small = metro_slots(19);
    small.sort_unstable();
    assert_eq!(small, (0..19).collect::<Vec<_>>());
}

#[test]
fn metro_geography_spreads_accounts_wider_with_a_tail() {
    let spec = GenSpec {
        accounts: 20_000,
        geography: Geography::Metro,
        ..GenSpec::default()
    };
    let demo = GenSpec {
        geography: Geography::Demo,
        ..spec.clone()
    };
    let points = |s: &GenSpec| -> Vec<(f64, f64)> {
        let (_, a) = rows(&generate(s).accounts_csv);
        a.iter().map(|r| (num(&r[5]), num(&r[6]))).collect()
    };
    let (metro, demo) = (points(&spec), points(&demo));
    assert_eq!(metro.len(), 20_000);
    assert_eq!(demo.len(), 20_000);
    // Both draws share their metro and their first normals: the metro geography's offset
    // from the centre is the demo's times 1.8 (body) or 5.4 (tail), unless the tail draw
    // was redrawn for landing past 300 km. The centre: the one nearest the demo point (not
    // always the account's own metro, e.g. New York and Newark, so the shares below are a
    // little under 90 % and 10 %).
    let (mut body, mut tail, mut compared) = (0usize, 0usize, 0usize);
    let (mut sum_metro, mut sum_demo, mut far_metro, mut far_demo) = (0.0, 0.0, 0usize, 0usize);
    let mut max = 0.0f64;
    for (m, d) in metro.iter().zip(&demo) {
        let centre = METROS
            .iter()
            .map(|c| (c.lat, c.lon))
            .min_by(|a, b| haversine_km(*d, *a).total_cmp(&haversine_km(*d, *b)))
            .expect("metros");
        let (dm, dd) = (haversine_km(*m, centre), haversine_km(*d, centre));
        sum_metro += dm;
        sum_demo += dd;
        far_metro += usize::from(dm >= 100.0);
        far_demo += usize::from(dd >= 100.0);
        let nearest = METROS
            .iter()
            .map(|c| haversine_km(*m, (c.lat, c.lon)))
            .fold(f64::INFINITY, f64::min);
        max = max.max(nearest);
        if dd >= 2.0 {
            compared += 1;
            let ratio = dm / dd;
            body += usize::from((1.75..1.85).contains(&ratio));
            tail += usize::from((5.2..5.6).contains(&ratio));
        }
    }
    assert!(compared > 19_000, "{compared}");
    let share = |n: usize| n as f64 / compared as f64;
    assert!(
        (0.8..0.92).contains(&share(body)),
        "body {body} tail {tail} of {compared}"
    );
    assert!((0.05..0.11).contains(&share(tail)), "tail {tail}");
    assert!(sum_metro > 1.8 * sum_demo, "{sum_metro} vs {sum_demo}");
    // Hundreds of accounts 100+ km out (far more than in the demo), none past about 300 km
    // from the nearest centre (300 km in the local projection; the great circle differs
    // by well under 1 %).
    assert!(
        far_metro > 3 * far_demo.max(100),
        "{far_metro} vs {far_demo}"
    );
    assert!((250.0..303.0).contains(&max), "{max}");
}

#[test]
fn shared_office_gives_one_tier_one_home() {
    for geography in [Geography::Demo, Geography::Metro] {
        let spec = GenSpec {
            accounts: 20_000,
            reps: 60,
            geography,
            shared_office: Some("digital-led".into()),
            ..GenSpec::default()
        };
        let g = generate(&spec);
        let (_, reps) = rows(&g.reps_csv);
        let (_, accounts) = rows(&g.accounts_csv);
        let homes = |inside: bool| -> (usize, HashSet<(String, String)>) {
            let of_tier: Vec<_> = reps
                .iter()
                .filter(|r| (r[2] == "digital-led") == inside)
                .collect();
            let set = of_tier
                .iter()
                .map(|r| (r[4].clone(), r[5].clone()))
                .collect();
            (of_tier.len(), set)
        };
        let (n_shared, shared) = homes(true);
        assert!(n_shared >= 10, "{n_shared}");
        assert_eq!(
            shared.into_iter().collect::<Vec<_>>(),
            [("40.7128".to_string(), "-74.0060".to_string())],
            "{geography}"
        );
        let (n_others, others) = homes(false);
        assert_eq!(n_shared + n_others, 60);
        assert!(others.len() >= 19, "{geography}: {} homes", others.len());
        // The tier's accounts still spread over all metros' states.
        let states: HashSet<&str> = accounts
            .iter()
            .zip(tiers(&accounts))
            .filter(|(_, t)| *t == "digital-led")
            .map(|(r, _)| r[8].as_str())
            .collect();
        assert_eq!(states.len(), 16, "{geography}: {states:?}");
    }
}

#[test]
fn ratio_mix_follows_the_seed_ratios() {
    let ratios = [
        ("enterprise", 22.0),
        ("mid-market", 75.0),
        ("growth", 225.0),
        ("digital-led", 800.0),
    ];
    let mut checked = 0;
    for (accounts, reps) in [(5_125, 19), (20_000, 120), (50_000, 2_000), (8_000, 9)] {
        let g = generate(&GenSpec {
            accounts,
            reps,
            rep_mix: RepMix::Ratio,
            ..GenSpec::default()
        });
        let (_, a) = rows(&g.accounts_csv);
        let (_, r) = rows(&g.reps_csv);
        let account_tiers = tiers(&a);
        let need: Vec<f64> = ratios
            .iter()
            .map(|&(t, ratio)| account_tiers.iter().filter(|&&x| x == t).count() as f64 / ratio)
            .collect();
        let total: f64 = need.iter().sum();
        for (&(t, _), n) in ratios.iter().zip(&need) {
            let want = n / total * reps as f64;
            let got = r.iter().filter(|x| x[2] == t).count() as f64;
            assert!(
                (got - want).abs() <= 1.0,
                "{accounts}/{reps} {t}: {got} vs {want:.2}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}

#[test]
fn reps_at_seed_ratios_sizes_the_roster() {
    assert_eq!(reps_at_seed_ratios(1_000_000), 3_471);
    assert_eq!(reps_at_seed_ratios(5_125), 17);
    assert_eq!(reps_at_seed_ratios(0), 4);
    assert_eq!(reps_at_seed_ratios(100), 4);
    let n = reps_at_seed_ratios(200_000);
    assert!((690..=700).contains(&n), "{n}");
}

#[test]
fn owner_skew_concentrates_books_on_the_first_reps() {
    // Book sizes of the first and last rep of each non-enterprise tier (the first
    // enterprise rep is region-restricted).
    let books = |skew: f64| -> Vec<(usize, usize)> {
        let g = generate(&GenSpec {
            accounts: 20_000,
            owner_skew: skew,
            ..GenSpec::default()
        });
        let (_, reps) = rows(&g.reps_csv);
        let (_, accounts) = rows(&g.accounts_csv);
        let mut book: HashMap<&str, usize> = HashMap::new();
        for a in &accounts {
            *book.entry(a[9].as_str()).or_default() += 1;
        }
        ["mid-market", "growth", "digital-led"]
            .iter()
            .map(|t| {
                let members: Vec<&str> = reps
                    .iter()
                    .filter(|r| r[2] == *t)
                    .map(|r| r[0].as_str())
                    .collect();
                assert!(members.len() >= 4, "{t}");
                let size = |id: &str| book.get(id).copied().unwrap_or(0);
                (size(members[0]), size(members[members.len() - 1]))
            })
            .collect()
    };
    let skewed = books(8.0);
    assert_eq!(skewed.len(), 3);
    for &(first, last) in &skewed {
        assert!(last > 0 && first >= 4 * last, "{first} vs {last}");
    }
    for (first, last) in books(1.0) {
        let ratio = first as f64 / last as f64;
        assert!((1.5..2.6).contains(&ratio), "{first} vs {last}");
    }
}
