//! Tier triggers with hysteresis end to end (tests/fixtures/tiers): each of the framework's
//! five triggers fires, accounts near a threshold keep their tier, `allot plan` and
//! `rebalance` list who changes tier and why, moves forced by a tier change say
//! `tier_change`, and a second quarter with the figures drifting 5 % flips nobody back.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// The tier each fixture account must end in after quarter 1, and whether tier_changes.csv
/// lists it as changed (Some(true)), held by the hysteresis (Some(false)) or not at all.
const QUARTER_1: [(&str, &str, Option<bool>); 17] = [
    ("E1", "mid-market", Some(true)), // enterprise → mid-market: arr 60K below 75K
    ("E2", "enterprise", None),       // arr 90K
    ("E3", "enterprise", None),
    ("G1", "mid-market", Some(true)), // growth → mid-market: arr 36K ≥ 35K
    ("G2", "growth", None),           // arr 34K
    ("G3", "growth", None),
    ("D1", "growth", Some(true)), // digital-led → growth: 3 engaged stakeholders
    ("D2", "digital-led", None),
    ("D3", "digital-led", None),
    ("M1", "digital-led", Some(true)), // mid-market → digital-led: 7 months inactive
    ("M2", "mid-market", None),
    ("M3", "mid-market", None),
    ("H1", "retention", Some(true)),   // any → retention: health −2
    ("F1", "mid-market", Some(false)), // rules say growth, arr 34K within 10 % of 35K
    ("F2", "growth", Some(true)),      // arr 30K: clear of the margin, back to growth
    ("N1", "mid-market", Some(true)),  // no previous tier: growth by rules, then arr 40K
    ("R1A", "growth", Some(false)),    // 260 employees: within 10 % of the 250 rule
];

/// The rep of each tier in the fixture.
fn rep_of(tier: &str) -> &'static str {
    match tier {
        "enterprise" => "R1",
        "mid-market" => "R2",
        "growth" => "R3",
        "digital-led" => "R4",
        "retention" => "R5",
        other => panic!("no rep for {other}"),
    }
}

fn tier_rows(out: &Path) -> BTreeMap<String, (String, String, bool, String)> {
    let t = read_csv(&out.join("tier_changes.csv"));
    assert_eq!(
        t.headers,
        ["account_id", "name", "from", "to", "changed", "cause"],
        "tier_changes.csv header"
    );
    t.records
        .iter()
        .map(|r| {
            (
                r.get("account_id").to_string(),
                (
                    r.get("from").to_string(),
                    r.get("to").to_string(),
                    r.get("changed") == "true",
                    r.get("cause").to_string(),
                ),
            )
        })
        .collect()
}

fn rebalance(accounts: &Path, out: &Path) -> Checked {
    let o = run_solve(
        "rebalance",
        accounts,
        &fixture("tiers/reps.csv"),
        Some(&fixture("tiers/plan.toml")),
        out,
        &[],
    );
    assert_code(&o, 0, "allot rebalance on tests/fixtures/tiers");
    let rows = read_csv(&out.join("assignments.csv"));
    let tiers: BTreeMap<String, String> = rows
        .records
        .iter()
        .map(|r| {
            (
                r.get("account_id").to_string(),
                r.get("segment").to_string(),
            )
        })
        .collect();
    check(
        &Spec::new(accounts, &fixture("tiers/reps.csv"), out)
            .soft()
            .objective("rebalance")
            .tiers(tiers),
    )
}

#[test]
fn every_trigger_fires_and_the_hysteresis_holds_near_a_threshold() {
    let dir = tempdir();
    let out = dir.path().join("q1");
    let accounts = fixture("tiers/accounts.csv");
    let c = rebalance(&accounts, &out);
    let listed = tier_rows(&out);
    let by_id: BTreeMap<&str, &Assigned> = c.rows.iter().map(|r| (r.account.as_str(), r)).collect();
    let mut tried = 0;
    for (id, tier, change) in QUARTER_1 {
        let row = by_id[id];
        assert_eq!(row.segment, tier, "{id}: segment");
        assert_eq!(row.rep, rep_of(tier), "{id}: its tier's rep");
        match change {
            None => assert!(
                !listed.contains_key(id),
                "{id} is listed: {:?}",
                listed.get(id)
            ),
            Some(changed) => {
                let (_, to, ch, cause) = &listed[id];
                assert_eq!(*ch, changed, "{id}: changed ({cause})");
                assert_eq!(to, tier, "{id}: to");
                assert!(!cause.is_empty());
            }
        }
        // A tier change that moves the account from its owner is coded tier_change.
        if change == Some(true) && !row.previous.is_empty() {
            assert_eq!(row.reason_code, "tier_change", "{id}");
        }
        tried += 1;
    }
    assert_eq!(tried, 17);
    assert_eq!(listed.len(), 9, "{listed:?}");
    // Each trigger names its figure.
    assert!(
        listed["E1"].3.contains("arr 60000 < 75000"),
        "{}",
        listed["E1"].3
    );
    assert!(listed["D1"].3.contains("engaged_stakeholders 3 ≥ 3"));
    assert!(listed["M1"].3.contains("months_inactive 7 ≥ 6"));
    assert!(listed["H1"].3.contains("health_score -2 < 0"));
    let s = &c.summary;
    assert_eq!(s["tier_changes"]["changed"], 7);
    assert_eq!(s["tier_changes"]["held"], 2);
    let report = read_text(&out.join("report.md"));
    assert!(report.contains("## Tier changes"), "{report}");
}

#[test]
fn a_second_quarter_drifting_five_percent_flips_nobody_back() {
    let dir = tempdir();
    let q1 = dir.path().join("q1");
    rebalance(&fixture("tiers/accounts.csv"), &q1);
    // Quarter 2: last quarter's tier becomes previous_segment, the signals drift 5 % back
    // towards their thresholds, and owners are last quarter's reps.
    let a1 = read_csv(&fixture("tiers/accounts.csv"));
    let asg = read_csv(&q1.join("assignments.csv"));
    let after: BTreeMap<&str, (&str, &str)> = asg
        .records
        .iter()
        .map(|r| (r.get("account_id"), (r.get("segment"), r.get("rep_id"))))
        .collect();
    let mut text = a1.headers.join(",") + "\n";
    for r in &a1.records {
        let id = r.get("account_id");
        let (seg, rep) = after[id];
        let drift = |h: &str, f: f64| match r.get(h) {
            "" => String::new(),
            v => format!("{}", v.parse::<f64>().expect("number") * f),
        };
        let cells: Vec<String> = a1
            .headers
            .iter()
            .map(|h| match h.as_str() {
                "owner_id" => rep.to_string(),
                "previous_segment" => seg.to_string(),
                "arr" => drift(h, 0.95),
                "engaged_stakeholders" => drift(h, 0.95),
                "months_inactive" => drift(h, 0.95),
                "health_score" => drift(h, 0.95),
                _ => r.get(h).to_string(),
            })
            .collect();
        text += &(cells.join(",") + "\n");
    }
    let q2_accounts = dir.path().join("q2_accounts.csv");
    std::fs::write(&q2_accounts, text).expect("write");
    let q2 = dir.path().join("q2");
    let c = rebalance(&q2_accounts, &q2);
    let mut tried = 0;
    for r in &c.rows {
        assert_eq!(
            r.segment,
            after[r.account.as_str()].0,
            "{} changed tier",
            r.account
        );
        assert!(!r.moved, "{} moved in quarter 2", r.account);
        tried += 1;
    }
    assert_eq!(tried, 17);
    let listed = tier_rows(&q2);
    assert!(
        listed.values().all(|x| !x.2),
        "quarter 2 changes nobody: {listed:?}"
    );
    assert_eq!(c.summary["tier_changes"]["changed"], 0);
}

#[test]
fn allot_plan_counts_accounts_in_their_new_tiers() {
    let dir = tempdir();
    let out = dir.path().join("plan");
    let o = run_fixture("plan", "tiers", &out, &[]);
    assert_code(&o, 0, "allot plan on tests/fixtures/tiers");
    let t = read_csv(&out.join("plan.csv"));
    let mut expected: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, tier, _) in QUARTER_1 {
        *expected.entry(tier).or_default() += 1;
    }
    let mut tried = 0;
    for (tier, n) in &expected {
        let row = t
            .records
            .iter()
            .find(|r| r.get("segment") == *tier && r.get("role") == "owner")
            .unwrap_or_else(|| panic!("plan.csv has no row for {tier}"));
        assert_eq!(row.get("accounts"), n.to_string(), "{tier}");
        tried += 1;
    }
    assert_eq!(tried, 5);
    assert!(
        stderr(&o).contains("tier"),
        "allot plan says who changes tier:\n{}",
        stderr(&o)
    );
}

#[test]
fn a_trigger_to_an_unknown_tier_is_refused_with_its_key() {
    let dir = tempdir();
    let plan = dir.path().join("plan.toml");
    let text =
        read_text(&fixture("tiers/plan.toml")).replace("to = \"retention\"", "to = \"rescue\"");
    std::fs::write(&plan, text).expect("write");
    let o = run_solve(
        "rebalance",
        &fixture("tiers/accounts.csv"),
        &fixture("tiers/reps.csv"),
        Some(&plan),
        &dir.path().join("out"),
        &[],
    );
    assert_code(&o, 1, "a trigger to a tier the plan does not name");
    assert!(
        stderr(&o).contains("tiers.triggers[0].to"),
        "{}",
        stderr(&o)
    );
}
