//! The transition plan (`--effective`, transition.csv) and the roll-up up the sales hierarchy
//! (hierarchy.csv), recomputed from the raw rows of tests/fixtures/transition: open
//! opportunities with ISO, US and European close dates, an amount as `open_opportunity`, a
//! family whose member holds it, white space, and reps with manager, district and region.

mod common;

use std::collections::BTreeMap;

use common::*;

/// (year, month, day) of a close date as the fixture writes it (its own reader, not allot's).
fn date(s: &str) -> Option<(i32, u32, u32)> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let n = |x: &str| x.parse::<i64>().expect("date number");
    let p: Vec<&str> = s.split(['-', '/', '.']).collect();
    assert_eq!(p.len(), 3, "{s}");
    Some(if s.contains('-') {
        (n(p[0]) as i32, n(p[1]) as u32, n(p[2]) as u32)
    } else if s.contains('/') {
        (n(p[2]) as i32, n(p[0]) as u32, n(p[1]) as u32)
    } else {
        (n(p[2]) as i32, n(p[1]) as u32, n(p[0]) as u32)
    })
}

fn open(s: &str) -> bool {
    let s = s.trim().to_ascii_lowercase();
    match s.as_str() {
        "" | "no" | "false" | "0" => false,
        "yes" | "true" | "1" => true,
        other => {
            other
                .trim_start_matches('$')
                .replace(',', "")
                .parse::<f64>()
                .expect("amount")
                > 0.0
        }
    }
}

/// The first day of the month (or quarter) after `d`.
fn next_boundary(d: (i32, u32, u32), quarter: bool) -> (i32, u32, u32) {
    let m = if quarter {
        (d.1 - 1) / 3 * 3 + 4
    } else {
        d.1 + 1
    };
    if m > 12 { (d.0 + 1, 1, 1) } else { (d.0, m, 1) }
}

fn iso(d: (i32, u32, u32)) -> String {
    format!("{:04}-{:02}-{:02}", d.0, d.1, d.2)
}

/// transition.csv as it should be, from accounts.csv and assignments.csv.
fn expected(
    out: &std::path::Path,
    effective: (i32, u32, u32),
    quarter: bool,
) -> BTreeMap<String, (String, String, String)> {
    let raw = read_csv(&fixture("transition/accounts.csv"));
    let rep: BTreeMap<String, String> = read_csv(&out.join("assignments.csv"))
        .records
        .iter()
        .map(|r| (r.get("account_id").to_string(), r.get("rep_id").to_string()))
        .collect();
    let parent: BTreeMap<&str, &str> = raw
        .records
        .iter()
        .map(|r| (r.get("account_id"), r.get("parent_id")))
        .collect();
    let root = |a: &str| -> String {
        let mut cur = a.to_string();
        while let Some(p) = parent.get(cur.as_str()).filter(|p| !p.is_empty()) {
            cur = p.to_string();
        }
        cur
    };
    let mut own: BTreeMap<String, (i32, u32, u32)> = BTreeMap::new();
    for r in &raw.records {
        let id = r.get("account_id");
        if rep[id] == r.get("owner_id") {
            continue;
        }
        // Only an owner (all of the fixture's stay) holds a deal; white space moves on the date.
        let held = open(r.get("open_opportunity")) && !r.get("owner_id").trim().is_empty();
        let d = match (held, date(r.get("close_date"))) {
            (true, Some(c)) if c >= effective => next_boundary(c, quarter),
            (true, None) => next_boundary(effective, quarter),
            _ => effective,
        };
        own.insert(id.to_string(), d);
    }
    let mut family: BTreeMap<String, (i32, u32, u32)> = BTreeMap::new();
    for (id, d) in &own {
        let e = family.entry(root(id)).or_insert(*d);
        *e = (*e).max(*d);
    }
    raw.records
        .iter()
        .filter(|r| own.contains_key(r.get("account_id")))
        .map(|r| {
            let id = r.get("account_id");
            (
                id.to_string(),
                (
                    r.get("owner_id").to_string(),
                    rep[id].clone(),
                    iso(family[&root(id)]),
                ),
            )
        })
        .collect()
}

fn written(out: &std::path::Path) -> BTreeMap<String, (String, String, String)> {
    read_csv(&out.join("transition.csv"))
        .records
        .iter()
        .map(|r| {
            (
                r.get("account_id").to_string(),
                (
                    r.get("from").to_string(),
                    r.get("to").to_string(),
                    r.get("effective_date").to_string(),
                ),
            )
        })
        .collect()
}

fn spec(out: &std::path::Path) -> Spec {
    let mut s = Spec::new(
        &fixture("transition/accounts.csv"),
        &fixture("transition/reps.csv"),
        out,
    );
    s.band_pct = 5.0;
    s
}

#[test]
fn transition_dates_follow_open_opportunities_and_families() {
    let mut tried = 0;
    let decisions = fixture("transition/decisions.csv");
    let decisions = decisions.to_str().expect("utf-8 path");
    for (boundary, quarter, pins) in [
        ("month", false, false),
        ("quarter", true, false),
        // Pins move the A01–A03 family (A02 has an open deal) and A10 (its deal closed).
        ("month", false, true),
    ] {
        let dir = tempdir();
        let out = dir.path().join("out");
        let mut args = vec!["--effective", "2027-02-01", "--boundary", boundary];
        if pins {
            args.extend(["--decisions", decisions]);
        }
        let o = run_fixture("rebalance", "transition", &out, &args);
        assert_code(
            &o,
            0,
            &format!("rebalance --effective --boundary {boundary}"),
        );
        let mut sp = spec(&out);
        if pins {
            sp = sp.decisions(&fixture("transition/decisions.csv"));
        }
        let checked = check(&sp);
        assert!(checked.moved > 0, "the fixture moves accounts");
        let want = expected(&out, (2027, 2, 1), quarter);
        assert_eq!(written(&out), want, "transition.csv ({boundary})");
        // The fixture exercises a deferred move and an on-date one.
        assert!(want.values().any(|v| v.2 != "2027-02-01"), "{want:?}");
        assert!(want.values().any(|v| v.2 == "2027-02-01"), "{want:?}");
        if pins {
            // The family moves on its member's date; the closed deal on the effective date.
            assert_eq!(want["A01"].2, "2027-06-01", "{want:?}");
            assert_eq!(want["A03"].2, want["A02"].2);
            assert_eq!(want["A10"].2, "2027-02-01");
        }
        let s = summary(&out);
        assert_eq!(s["transition"]["changes"], want.len());
        assert_eq!(
            s["transition"]["deferred"],
            want.values().filter(|v| v.2 != "2027-02-01").count()
        );
        // report.html says the same in words: the changes, the deferred ones, and with the
        // decisions how many of each kind were honoured (counted from decisions.csv).
        let html = read_text(&out.join("report.html"));
        let deferred = want.values().filter(|v| v.2 != "2027-02-01").count();
        assert!(
            html.contains(&format!(
                "{} change(s) of owner take effect from 2027-02-01; {deferred} held",
                want.len()
            )),
            "report.html has no transition line ({boundary})"
        );
        if pins {
            let rows = read_csv(&fixture("transition/decisions.csv"));
            let kind = |k: &str| {
                rows.records
                    .iter()
                    .filter(|r| r.get("decision").trim().eq_ignore_ascii_case(k))
                    .count()
            };
            let line = format!(
                "Honoured: {} accept, {} reject, {} pin",
                kind("accept"),
                kind("reject"),
                kind("pin")
            );
            assert!(html.contains(&line), "report.html lacks {line:?}");
        } else {
            assert!(
                !html.contains("Honoured:"),
                "no decisions, no decision line"
            );
        }
        tried += 1;
    }
    assert_eq!(tried, 3);
}

#[test]
fn a_bad_close_date_is_refused_by_row_and_column() {
    let dir = tempdir();
    let acc = dir.path().join("accounts.csv");
    let text = read_text(&fixture("transition/accounts.csv")).replace("2027-03-14", "2027-13-14");
    std::fs::write(&acc, text).expect("write");
    let out = dir.path().join("out");
    let o = run_solve(
        "rebalance",
        &acc,
        &fixture("transition/reps.csv"),
        Some(&fixture("transition/plan.toml")),
        &out,
        &["--effective", "2027-02-01"],
    );
    // The row is refused (rejects.csv), naming the column; the run goes on without it.
    assert_code(&o, 0, "rebalance with a bad close date");
    let rejects = read_rejects(&out);
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert!(
        format!("{:?}", rejects[0]).contains("close_date")
            && format!("{:?}", rejects[0]).contains("A05"),
        "{rejects:?}"
    );
    let bad = run_solve(
        "rebalance",
        &fixture("transition/accounts.csv"),
        &fixture("transition/reps.csv"),
        Some(&fixture("transition/plan.toml")),
        &dir.path().join("out2"),
        &["--effective", "next week"],
    );
    assert_code(&bad, 1, "--effective next week");
    assert!(stderr(&bad).contains("effective"), "{}", stderr(&bad));
}

#[test]
fn hierarchy_rolls_up_managers_districts_and_regions() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let o = run_fixture("rebalance", "transition", &out, &[]);
    assert_code(&o, 0, "rebalance transition fixture");
    check(&spec(&out));
    let raw = read_csv(&fixture("transition/accounts.csv"));
    let reps = read_csv(&fixture("transition/reps.csv"));
    let rep_of: BTreeMap<String, String> = read_csv(&out.join("assignments.csv"))
        .records
        .iter()
        .map(|r| (r.get("account_id").to_string(), r.get("rep_id").to_string()))
        .collect();
    let pot = |r: &Record| -> f64 { r.get("potential").trim().parse().expect("potential") };
    let total: f64 = raw.records.iter().map(pot).sum();
    let target = total / reps.records.len() as f64; // one segment, fte 1 each
    let mut after: BTreeMap<(String, String), (usize, f64)> = BTreeMap::new();
    let mut today: BTreeMap<(String, String), f64> = BTreeMap::new();
    for level in ["manager_id", "district", "sales_region"] {
        for rep in &reps.records {
            let key = (level.to_string(), rep.get(level).to_string());
            let e = after.entry(key.clone()).or_default();
            e.0 += 1;
            for a in &raw.records {
                if rep_of[a.get("account_id")] == rep.get("rep_id") {
                    e.1 += pot(a);
                }
                if a.get("owner_id") == rep.get("rep_id") {
                    *today.entry(key.clone()).or_default() += pot(a);
                }
            }
        }
    }
    let rows = read_csv(&out.join("hierarchy.csv"));
    assert_eq!(
        rows.records.len(),
        after.len(),
        "2 managers + 3 districts + 1 region"
    );
    for r in &rows.records {
        let level = match r.get("level") {
            "manager" => "manager_id",
            l => l,
        };
        let key = (level.to_string(), r.get("name").to_string());
        let (n, load) = after[&key];
        assert_eq!(r.get("reps"), n.to_string(), "{key:?}");
        let num = |c: &str| -> f64 { r.get(c).parse().expect(c) };
        assert!((num("potential") - load).abs() < 0.01, "{key:?}");
        let dev = (load / (target * n as f64) - 1.0) * 100.0;
        assert!(
            (num("deviation_potential_pct") - dev).abs() < 0.006,
            "{key:?}: {dev}"
        );
        let t = today.get(&key).copied().unwrap_or(0.0);
        assert!((num("today_potential") - t).abs() < 0.01, "{key:?}");
    }
    assert!(read_text(&out.join("report.md")).contains("## Roll-up"));
}
