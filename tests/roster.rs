//! Roster changes end to end: a rep leaving and one joining (from `--previous-reps` and from
//! the status column), a rep on leave, an FTE change and a ramping rep. Every run is checked
//! by the independent checker (which recomputes targets, keeps and moves from the raw rows)
//! and the roster lists in summary.json are compared with what the test changed.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

/// Rewrites a generated reps.csv: `edit` gets each row's cells (by header) and returns
/// false to drop the row; `extra` rows are appended.
fn write_reps(
    src: &Path,
    dst: &Path,
    edit: impl Fn(&mut BTreeMap<String, String>) -> bool,
    extra: &[&str],
) {
    let t = read_csv(src);
    let mut text = t.headers.join(",") + "\n";
    for r in &t.records {
        let mut cells: BTreeMap<String, String> = t
            .headers
            .iter()
            .map(|h| (h.clone(), r.get(h).to_string()))
            .collect();
        if edit(&mut cells) {
            let row: Vec<&str> = t.headers.iter().map(|h| cells[h].as_str()).collect();
            text += &(row.join(",") + "\n");
        }
    }
    for e in extra {
        text += &format!("{e}\n");
    }
    std::fs::write(dst, text).expect("write reps");
}

/// Copies a reps.csv with one rep's status changed.
fn with_status(src: &Path, dst: &Path, rep: &str, status: &str) {
    write_reps(
        src,
        dst,
        |c| {
            if c["rep_id"] == rep {
                c.insert("status".into(), status.into());
            }
            true
        },
        &[],
    );
}

/// A generated book (1,200 accounts, 19 reps) and its plan turned into a rebalance at ±10 %
/// (a tier of 18 enterprise accounts cannot be held to ±2 %).
fn book(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (a, r, p) = generated(dir, 1200, 19, 7);
    let plan = dir.join("rebalance.toml");
    let text = read_text(&p)
        .replace("objective = \"redesign\"", "objective = \"rebalance\"")
        .replace("band_pct = 2.0", "band_pct = 10.0");
    assert!(text.contains("objective = \"rebalance\""), "{text}");
    assert!(text.contains("band_pct = 10.0"), "{text}");
    std::fs::write(&plan, text).expect("write plan");
    (a, r, plan)
}

fn rebalance(a: &Path, r: &Path, plan: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec!["--work-limit", "5000000"];
    args.extend_from_slice(extra);
    let o = run_solve("rebalance", a, r, Some(plan), out, &args);
    assert_code(&o, 0, "allot rebalance");
}

/// Rebalance with `--previous-reps prev`, checked by the independent checker (±10 %).
fn rebalance_from(a: &Path, today: &Path, prev: &Path, plan: &Path, out: &Path) -> Checked {
    rebalance(
        a,
        today,
        plan,
        out,
        &["--previous-reps", prev.to_str().expect("utf-8 path")],
    );
    check(
        &Spec::new(a, today, out)
            .band(10.0)
            .previous_reps(prev)
            .objective("rebalance"),
    )
}

fn ids(s: &serde_json::Value, list: &str) -> Vec<String> {
    s["roster"][list]
        .as_array()
        .unwrap_or_else(|| panic!("summary.json roster.{list} is not a list: {s}"))
        .iter()
        .map(|e| e["rep_id"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Accounts of `rep` in assignments.csv.
fn book_of(out: &Path, rep: &str) -> Vec<Assigned> {
    check_rows(out)
        .into_iter()
        .filter(|r| r.rep == rep)
        .collect()
}

fn check_rows(out: &Path) -> Vec<Assigned> {
    let t = read_csv(&out.join("assignments.csv"));
    t.records
        .iter()
        .map(|r| Assigned {
            account: unescaped(r.get("account_id")),
            rep: unescaped(r.get("rep_id")),
            previous: unescaped(r.get("previous_rep_id")),
            segment: unescaped(r.get("segment")),
            moved: r.get("moved") == "true",
            reason_code: r.get("reason_code").to_string(),
            reason: r.get("reason").to_string(),
        })
        .collect()
}

#[test]
fn a_rep_leaves_and_a_new_rep_joins_by_the_previous_roster() {
    let dir = tempdir();
    let (a, prev, plan) = book(dir.path());
    let today = dir.path().join("today.csv");
    // R06 (mid-market) leaves; R20 joins mid-market with a home in Chicago.
    write_reps(
        &prev,
        &today,
        |c| c["rep_id"] != "R06",
        &["R20,Nova Joiner,mid-market,,41.8781,-87.6298,1,,,,,active"],
    );
    let out = dir.path().join("out");
    let c = rebalance_from(&a, &today, &prev, &plan, &out);
    let s = &c.summary;
    assert_eq!(ids(s, "leavers"), ["R06"]);
    assert_eq!(ids(s, "joiners"), ["R20"]);
    assert!(s["roster"]["previous_roster"].as_bool() == Some(true));
    // Every account R06 owned moved, with reason rep_leaving; none is refused.
    let accounts = read_accounts(&a, &Columns::ours());
    let r06: Vec<&str> = accounts
        .iter()
        .filter(|x| x.owner == "R06")
        .map(|x| x.id.as_str())
        .collect();
    assert!(r06.len() > 10, "R06 owned {} accounts", r06.len());
    let rows = check_rows(&out);
    let by_id: BTreeMap<&str, &Assigned> = rows.iter().map(|r| (r.account.as_str(), r)).collect();
    for id in &r06 {
        let r = by_id
            .get(id)
            .unwrap_or_else(|| panic!("{id} (owned by R06) is not in assignments.csv"));
        assert_ne!(r.rep, "R06");
        assert_eq!(r.reason_code, "rep_leaving", "{id}");
    }
    // The new rep gets a book inside the band (the checker verified the band) carved near
    // home: closer to it than the segment's accounts are on average.
    let reps = read_reps(&today);
    let home = reps
        .iter()
        .find(|r| r.id == "R20")
        .and_then(|r| r.coords)
        .expect("R20 has a home");
    let mean = |ids: &mut dyn Iterator<Item = &str>| {
        let (mut s, mut n) = (0.0, 0usize);
        for id in ids {
            if let Some(p) = accounts.iter().find(|x| x.id == id).and_then(|x| x.coords) {
                s += great_circle_km(home, p);
                n += 1;
            }
        }
        s / n.max(1) as f64
    };
    let new_book = book_of(&out, "R20");
    assert!(new_book.len() > 10, "R20 got {} accounts", new_book.len());
    let segment: Vec<&str> = rows
        .iter()
        .filter(|r| r.segment == "mid-market")
        .map(|r| r.account.as_str())
        .collect();
    let (near, all) = (
        mean(&mut new_book.iter().map(|r| r.account.as_str())),
        mean(&mut segment.into_iter()),
    );
    assert!(
        near < 0.8 * all,
        "R20's book is {near:.0} km from home on average, the segment {all:.0} km"
    );
    let report = read_text(&out.join("report.md"));
    assert!(report.contains("## Roster changes"), "{report}");
    assert!(report.contains("R06") && report.contains("R20"), "{report}");
}

#[test]
fn without_the_previous_roster_an_unknown_owner_is_still_refused() {
    let dir = tempdir();
    let (a, prev, plan) = book(dir.path());
    let today = dir.path().join("today.csv");
    write_reps(&prev, &today, |c| c["rep_id"] != "R06", &[]);
    let out = dir.path().join("out");
    rebalance(&a, &today, &plan, &out, &[]);
    let rejects = read_rejects(&out);
    assert!(
        rejects.iter().any(|r| r.column == "owner_id"),
        "accounts of a rep missing from the roster go to rejects.csv without --previous-reps"
    );
    check(
        &Spec::new(&a, &today, &out)
            .band(10.0)
            .objective("rebalance"),
    );
}

#[test]
fn a_rep_on_leave_keeps_the_book_and_takes_nothing_new() {
    let dir = tempdir();
    let (a, r, plan) = book(dir.path());
    let today = dir.path().join("today.csv");
    with_status(&r, &today, "R11", "on_leave");
    let out = dir.path().join("out");
    rebalance(&a, &today, &plan, &out, &[]);
    // The checker recomputes the on-leave target (their book) and the others' (the rest by
    // fte), and that R11 keeps every family it owns alone and takes nothing else.
    let c = check(
        &Spec::new(&a, &today, &out)
            .band(10.0)
            .objective("rebalance"),
    );
    assert_eq!(ids(&c.summary, "on_leave"), ["R11"]);
    let accounts = read_accounts(&a, &Columns::ours());
    let owned = accounts.iter().filter(|x| x.owner == "R11").count();
    let kept = book_of(&out, "R11");
    assert!(owned > 10, "R11 owned {owned}");
    assert!(kept.len() <= owned);
    assert!(kept.iter().all(|x| x.previous == "R11" && !x.moved));
    // Kept (or locked, where the file locks them): never moved for balance.
    assert!(
        kept.iter()
            .all(|x| x.reason_code == "kept" || x.reason_code == "locked"),
        "{:?}",
        kept.iter().map(|x| &x.reason_code).collect::<Vec<_>>()
    );
    assert!(kept.iter().filter(|x| x.reason_code == "kept").count() > 10);
}

#[test]
fn an_fte_change_and_a_ramping_rep_set_their_targets() {
    let dir = tempdir();
    let (a, prev, plan) = book(dir.path());
    let today = dir.path().join("today.csv");
    write_reps(
        &prev,
        &today,
        |c| {
            match c["rep_id"].as_str() {
                "R03" => {
                    c.insert("fte".into(), "0.5".into());
                }
                "R16" => {
                    c.insert("status".into(), "ramping".into());
                }
                _ => {}
            }
            true
        },
        &[],
    );
    let out = dir.path().join("out");
    let c = rebalance_from(&a, &today, &prev, &plan, &out);
    let s = &c.summary;
    assert_eq!(ids(s, "fte_changes"), ["R03", "R16"]);
    assert_eq!(ids(s, "ramping"), ["R16"]);
    // territories.csv shows the fte the targets use (ramping: half of 1).
    let t = read_csv(&out.join("territories.csv"));
    let fte = |id: &str| -> f64 {
        t.records
            .iter()
            .find(|r| r.get("rep_id") == id)
            .map(|r| r.get("fte").parse().expect("fte"))
            .expect("rep row")
    };
    assert_eq!(fte("R03"), 0.5);
    assert_eq!(fte("R16"), 0.5);
}

#[test]
fn status_new_marks_a_joiner_without_a_previous_roster() {
    let dir = tempdir();
    let (a, r, plan) = book(dir.path());
    let today = dir.path().join("today.csv");
    write_reps(
        &r,
        &today,
        |_| true,
        &["R20,Nova Joiner,growth,,29.7604,-95.3698,1,,,,,new"],
    );
    let out = dir.path().join("out");
    rebalance(&a, &today, &plan, &out, &[]);
    let c = check(
        &Spec::new(&a, &today, &out)
            .band(10.0)
            .objective("rebalance"),
    );
    assert_eq!(ids(&c.summary, "joiners"), ["R20"]);
    let got = book_of(&out, "R20");
    assert!(!got.is_empty());
    assert!(
        got.iter()
            .all(|x| x.reason_code == "new_rep" || x.reason_code == "white_space"),
        "{:?}",
        got.iter().map(|x| &x.reason_code).collect::<Vec<_>>()
    );
}

#[test]
fn a_bad_status_names_file_row_and_column() {
    let dir = tempdir();
    let (a, r, plan) = book(dir.path());
    let today = dir.path().join("today.csv");
    with_status(&r, &today, "R02", "sabbatical");
    let out = dir.path().join("out");
    let o = run_solve(
        "rebalance",
        &a,
        &today,
        Some(&plan),
        &out,
        &["--work-limit", "3000000"],
    );
    // The row is refused (rejects.csv names the column); its accounts then have an unknown owner.
    let rejects = read_rejects(&out);
    let bad = rejects
        .iter()
        .find(|x| x.id == "R02")
        .unwrap_or_else(|| panic!("R02 not in rejects.csv; exit {}\n{}", code(&o), stderr(&o)));
    assert_eq!(bad.column, "status");
    assert_eq!(bad.row, 3);
}

#[test]
fn a_budget_that_cannot_hold_names_the_band_it_costs_and_that_band_holds() {
    let dir = tempdir();
    let (a, r, plan) = book(dir.path());
    let tight = dir.path().join("tight.toml");
    let text = read_text(&plan).replace("[disruption]\n", "[disruption]\nmax_moves = 10\n");
    assert!(text.contains("max_moves = 10"), "{text}");
    std::fs::write(&tight, &text).expect("write");
    let out = dir.path().join("out");
    let o = run_solve(
        "rebalance",
        &a,
        &r,
        Some(&tight),
        &out,
        &["--work-limit", "5000000"],
    );
    assert_code(&o, 2, "a budget of 10 moves with a ±10 % band");
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.contains("the band the budget costs"))
        .unwrap_or_else(|| panic!("no band named:\n{err}"));
    let band: f64 = line
        .split("band_pct = ")
        .nth(1)
        .and_then(|x| x.split_whitespace().next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no band_pct in {line:?}"));
    assert!(band > 10.0, "{line}");
    // The named band with the same budget: feasible, and the checker agrees.
    let widened = dir.path().join("widened.toml");
    std::fs::write(
        &widened,
        text.replace("band_pct = 10.0", &format!("band_pct = {band}")),
    )
    .expect("write");
    let out2 = dir.path().join("out2");
    let o = run_solve(
        "rebalance",
        &a,
        &r,
        Some(&widened),
        &out2,
        &["--work-limit", "5000000"],
    );
    assert_code(
        &o,
        0,
        &format!("the band the message named (±{band} %) with the budget"),
    );
    let mut spec = Spec::new(&a, &r, &out2).band(band).objective("rebalance");
    spec.max_moves = Some(10);
    let c = check(&spec);
    assert!(c.moved <= 10, "{} moved", c.moved);
}

#[test]
fn generate_writes_a_leave_and_join_roster_with_the_roster_before() {
    let dir = tempdir();
    let g = dir.path().join("lj");
    let plain = dir.path().join("plain");
    for (out, extra) in [
        (&g, vec!["--leavers", "1", "--joiners", "2"]),
        (&plain, vec![]),
    ] {
        let mut args = vec![
            "generate",
            "--n-accounts",
            "1200",
            "--skew",
            "8",
            "--seed",
            "3",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        assert_code(&run(args), 0, "allot generate");
    }
    // The roster before is the plain generator's roster, byte for byte.
    assert_eq!(
        read_text(&g.join("reps_previous.csv")),
        read_text(&plain.join("reps.csv"))
    );
    assert!(!plain.join("reps_previous.csv").exists());
    let today = read_reps(&g.join("reps.csv"));
    let before = read_reps(&g.join("reps_previous.csv"));
    assert_eq!(today.len(), before.len() + 2);
    let leaving: Vec<&str> = today
        .iter()
        .filter(|r| !r.active)
        .map(|r| r.id.as_str())
        .collect();
    let new: Vec<&str> = today
        .iter()
        .filter(|r| r.new)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(leaving.len(), 1);
    assert_eq!(new, ["N01", "N02"]);
    // Rebalance from the roster before: the leaver leaves, the joiners join.
    let plan = dir.path().join("rebalance.toml");
    std::fs::write(
        &plan,
        read_text(&g.join("plan.toml"))
            .replace("objective = \"redesign\"", "objective = \"rebalance\"")
            .replace("band_pct = 2.0", "band_pct = 10.0"),
    )
    .expect("write");
    let out = dir.path().join("out");
    let a = g.join("accounts.csv");
    let r = g.join("reps.csv");
    let prev = g.join("reps_previous.csv");
    let c = rebalance_from(&a, &r, &prev, &plan, &out);
    assert_eq!(ids(&c.summary, "leavers"), leaving);
    assert_eq!(ids(&c.summary, "joiners"), ["N01", "N02"]);
}
