//! Unit tests of the red-flag rules: each rule fires on a book made for it, with the figure
//! worked out by hand from the rows, and stays quiet on a clean book.

use super::*;
use crate::check::check;
use crate::io::{read_accounts_from, read_reps_from};
use crate::{FileNames, Plan, figures};

fn problem(accounts: &str, reps: &str, plan: &str) -> Problem {
    let plan = Plan::from_toml(plan, "plan.toml").expect("plan parses");
    let a = read_accounts_from(
        Box::new(std::io::Cursor::new(accounts.as_bytes().to_vec())),
        "accounts.csv",
        &plan,
    )
    .expect("accounts read");
    let r = read_reps_from(
        Box::new(std::io::Cursor::new(reps.as_bytes().to_vec())),
        "reps.csv",
        &plan,
    )
    .expect("reps read");
    assert!(a.refused.is_empty(), "{:?}", a.refused);
    assert!(r.refused.is_empty(), "{:?}", r.refused);
    let files = FileNames {
        accounts: "accounts.csv".into(),
        reps: "reps.csv".into(),
    };
    Problem::build(a.rows, r.rows, plan, &files)
        .expect("problem builds")
        .problem
}

/// The flags of today's book (as `allot evaluate` judges it, without the capacity plan).
fn today(p: &Problem) -> Vec<RedFlag> {
    let f = figures(p, &p.current_owners());
    red_flags(
        p,
        &Judged {
            book: Book::Today,
            figures: &f,
            violations: &[],
        },
        &[],
        &[],
        &[],
    )
}

fn of(flags: &[RedFlag], code: Code) -> Vec<&RedFlag> {
    flags.iter().filter(|f| f.code == code).collect()
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a bounded figure");
    assert!((a - b).abs() < 1e-9, "figure {a}, expected {b}");
}

const REPS2: &str = "rep_id,segment\nR1,s\nR2,s\n";

#[test]
fn defaults_and_ranges() {
    let t = Thresholds::default();
    assert_eq!(
        (
            t.max_unowned_pct,
            t.max_potential_spread_pct,
            t.max_attainment_ratio,
            t.headcount_tolerance_reps,
            t.max_churn_pct
        ),
        (20.0, 40.0, 2.0, 1.0, 25.0)
    );
    for (text, key) in [
        ("max_unowned_pct = 120", "red_flags.max_unowned_pct"),
        (
            "max_attainment_ratio = 0.5",
            "red_flags.max_attainment_ratio",
        ),
        (
            "headcount_tolerance_reps = 0",
            "red_flags.headcount_tolerance_reps",
        ),
        (
            "max_potential_spread_pct = -1",
            "red_flags.max_potential_spread_pct",
        ),
        ("max_churn_pct = nan", "red_flags.max_churn_pct"),
    ] {
        let e = Plan::from_toml(&format!("[red_flags]\n{text}\n"), "plan.toml").unwrap_err();
        assert!(e.to_string().contains(key), "{text}: {e}");
    }
    let e = Plan::from_toml("[red_flags]\nmax_unowned = 3\n", "plan.toml").unwrap_err();
    assert!(e.to_string().contains("max_unowned"), "{e}");
    let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
    for (c, n) in Code::ALL.iter().zip(&names) {
        assert_eq!(
            serde_json::to_value(c).expect("serialises"),
            serde_json::Value::String(n.to_string())
        );
    }
}

#[test]
fn unowned_share_of_todays_book() {
    // 3 of 10 without an owner on the roster: 30 % > 20 %.
    let mut a = String::from("account_id,segment,potential,owner_id\n");
    for i in 0..10 {
        let owner = if i < 3 { "" } else { "R1" };
        a.push_str(&format!("A{i},s,10,{owner}\n"));
    }
    let p = problem(&a, REPS2, "");
    let flags = today(&p);
    let u = of(&flags, Code::UnownedAccounts);
    assert_eq!(u.len(), 1, "{flags:?}");
    close(u[0].figure, 30.0);
    assert_eq!(u[0].book, Book::Today);
    assert!(u[0].message.contains("3 of 10"), "{}", u[0].message);
    // Raise the limit to 30 %: exactly 30 % does not fire.
    let p = problem(&a, REPS2, "[red_flags]\nmax_unowned_pct = 30\n");
    assert!(of(&today(&p), Code::UnownedAccounts).is_empty());
}

#[test]
fn family_split_and_owner_of_another_segment() {
    let a = "account_id,segment,potential,owner_id,parent_id\n\
             P1,s,10,R1,\nC1,s,10,R2,P1\nC2,s,10,,P1\n\
             P2,s,10,R1,\nC3,s,10,R1,P2\n\
             X1,t,10,R1,\nX2,t,10,R3,\n";
    let reps = "rep_id,segment\nR1,s\nR2,s\nR3,t\n";
    let p = problem(a, reps, "");
    let flags = today(&p);
    let fam = of(&flags, Code::FamilySplit);
    assert_eq!(fam.len(), 1, "{flags:?}");
    close(fam[0].figure, 1.0);
    assert!(fam[0].message.contains("P1 (R1, R2)"), "{}", fam[0].message);
    let other = of(&flags, Code::OwnerOtherSegment);
    assert_eq!(other.len(), 1, "{flags:?}");
    close(other[0].figure, 1.0);
    assert!(
        other[0].message.contains("R1 (s) holds 1 t account"),
        "{}",
        other[0].message
    );
}

#[test]
fn attainment_percent_fraction_and_column_rule() {
    let a = "account_id,segment,potential,owner_id\nA1,s,10,R1\nA2,s,10,R2\n";
    // Percent signs and fractions mix; the ratio is 1.2 / 0.5 = 2.4.
    let p = problem(a, "rep_id,segment,attainment\nR1,s,120%\nR2,s,0.5\n", "");
    assert_eq!(p.reps[0].attainment, Some(1.2));
    let flags = today(&p);
    let at = of(&flags, Code::AttainmentVariance);
    assert_eq!(at.len(), 1, "{flags:?}");
    close(at[0].figure, 2.4);
    // A plain number above 10 makes the column percents: 120 and 50 → 2.4 again.
    let p = problem(a, "rep_id,segment,attainment\nR1,s,120\nR2,s,50\n", "");
    assert_eq!(
        (p.reps[0].attainment, p.reps[1].attainment),
        (Some(1.2), Some(0.5))
    );
    close(of(&today(&p), Code::AttainmentVariance)[0].figure, 2.4);
    // A mapped header; 100 % and 60 % are 1.67× apart: quiet.
    let p = problem(
        a,
        "rep_id,segment,Quota_Attainment__c\nR1,s,100%\nR2,s,60%\n",
        "[columns.reps]\nattainment = \"Quota_Attainment__c\"\n",
    );
    assert_eq!(p.reps[1].attainment, Some(0.6));
    assert!(of(&today(&p), Code::AttainmentVariance).is_empty());
    // A rep at 0 %: unbounded, fires with no figure.
    let p = problem(a, "rep_id,segment,attainment\nR1,s,0\nR2,s,0.9\n", "");
    let flags = today(&p);
    let at = of(&flags, Code::AttainmentVariance);
    assert_eq!(at.len(), 1, "{flags:?}");
    assert_eq!(at[0].figure, None);
}

#[test]
fn bad_attainment_refuses_the_row_naming_the_column() {
    let r = read_reps_from(
        Box::new(std::io::Cursor::new(
            b"rep_id,segment,attainment\nR1,s,lots\nR2,s,-5%\nR3,s,\n".to_vec(),
        )),
        "reps.csv",
        &Plan::default(),
    )
    .expect("reads");
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].attainment, None);
    assert_eq!(r.refused.len(), 2);
    for (i, line) in r.refused.iter().zip([2, 3]) {
        assert_eq!((i.line, i.column.as_str()), (line, "attainment"), "{i:?}");
    }
}

#[test]
fn potential_spread_per_fte() {
    // R1 (fte 0.5) 60 → 120 per FTE; R2 100: (120 − 100) / 100 = 20 %: quiet.
    let a = "account_id,segment,potential,owner_id\nA1,s,60,R1\nA2,s,100,R2\n";
    let reps = "rep_id,segment,fte\nR1,s,0.5\nR2,s,1\n";
    assert!(of(&today(&problem(a, reps, "")), Code::PotentialVariance).is_empty());
    // 75 → 150 per FTE: 50 % > 40 %.
    let a = "account_id,segment,potential,owner_id\nA1,s,75,R1\nA2,s,100,R2\n";
    let flags = today(&problem(a, reps, ""));
    let pv = of(&flags, Code::PotentialVariance);
    assert_eq!(pv.len(), 1, "{flags:?}");
    close(pv[0].figure, 50.0);
    assert_eq!(pv[0].segment.as_deref(), Some("s"));
}

#[test]
fn band_capacity_and_empty_reps() {
    // Targets 100 each; R1 holds 130 (+30 %), R2 70, R3 none; R1 capped at 1 account.
    let a =
        "account_id,segment,potential,owner_id\nA1,s,80,R1\nA2,s,50,R1\nA3,s,70,R2\nA4,s,100,\n";
    let reps = "rep_id,segment,max_accounts,max_potential\nR1,s,1,\nR2,s,,35\nR3,s,,\n";
    let p = problem(a, reps, "[balance]\nmetrics = [\"potential\"]\n");
    let flags = today(&p);
    let band = of(&flags, Code::OutsideBand);
    assert_eq!(band.len(), 1, "{flags:?}");
    // Today: R1 130 / 100 − 1 = +30 %, R2 −30 %, R3 −100 %.
    close(band[0].figure, 100.0);
    assert_eq!(band[0].metric, Some(Metric::Potential));
    let cap = of(&flags, Code::OverCapacity);
    assert_eq!(cap.len(), 2, "{flags:?}");
    close(cap[0].figure, 200.0);
    assert_eq!(cap[0].rep_id.as_deref(), Some("R1"));
    close(cap[1].figure, 200.0);
    assert!(
        cap[1].message.contains("max_potential"),
        "{}",
        cap[1].message
    );
    let empty = of(&flags, Code::EmptyRep);
    assert_eq!(empty.len(), 1, "{flags:?}");
    close(empty[0].figure, 1.0);
    assert!(empty[0].message.ends_with("R3"), "{}", empty[0].message);
}

#[test]
fn churn_and_broken_rules_judge_the_new_book() {
    let a =
        "account_id,segment,potential,owner_id\nA1,s,10,R1\nA2,s,10,R1\nA3,s,10,R1\nA4,s,10,R2\n";
    let reps = "rep_id,segment,regions\nR1,s,\nR2,s,NY\n";
    let p = problem(a, reps, "");
    // New book: A1 and A2 move to R2 (2 of 4 owned = 50 %); R2 may only cover NY.
    let r2 = Some(crate::RepIdx::from_usize(1));
    let new = vec![r2, r2, p.account_owner[2], p.account_owner[3]];
    let f = figures(&p, &new);
    let map = p
        .accounts
        .iter()
        .zip(&new)
        .filter_map(|(a, r)| r.map(|r| (a.id.clone(), p.reps[r.index()].id.clone())))
        .collect();
    let violations = check(&p.accounts, &p.reps, &p.plan, &map);
    assert!(!violations.is_empty());
    let flags = red_flags(
        &p,
        &Judged {
            book: Book::New,
            figures: &f,
            violations: &violations,
        },
        &[],
        &[],
        &[],
    );
    let churn = of(&flags, Code::HeavyChurn);
    assert_eq!(churn.len(), 1, "{flags:?}");
    close(churn[0].figure, 50.0);
    let broken = of(&flags, Code::BrokenRule);
    let elig = broken
        .iter()
        .find(|f| f.rule == Some(Rule::Eligibility))
        .expect("eligibility is broken");
    close(elig.figure, 3.0);
    assert_eq!(elig.book, Book::New);
    // Today's book moves nothing: no churn flag even at a 0 % limit.
    let p0 = problem(a, reps, "[red_flags]\nmax_churn_pct = 0\n");
    assert!(of(&today(&p0), Code::HeavyChurn).is_empty());
}

#[test]
fn todays_broken_rules_with_their_own_flag_are_not_repeated() {
    let a = "account_id,segment,potential,owner_id,parent_id\nP1,s,10,R1,\nC1,s,10,R2,P1\n";
    let p = problem(a, REPS2, "");
    let map = p
        .accounts
        .iter()
        .map(|a| (a.id.clone(), a.owner_id.clone().unwrap_or_default()))
        .collect();
    let violations = check(&p.accounts, &p.reps, &p.plan, &map);
    assert!(violations.iter().any(|v| v.rule == Rule::Family));
    let f = figures(&p, &p.current_owners());
    let flags = red_flags(
        &p,
        &Judged {
            book: Book::Today,
            figures: &f,
            violations: &violations,
        },
        &[],
        &[],
        &[],
    );
    assert_eq!(of(&flags, Code::FamilySplit).len(), 1, "{flags:?}");
    assert!(
        of(&flags, Code::BrokenRule)
            .iter()
            .all(|f| f.rule != Some(Rule::Family)),
        "{flags:?}"
    );
}

#[test]
fn headcount_against_the_ratio() {
    let line = |fte: f64, heads: usize| Headcount {
        segment: "digital-led".into(),
        role: None,
        accounts: 3500,
        ratio: 800.0,
        fte_needed: 4.375,
        headcount_needed: 5.0,
        headcount_on_roster: heads,
        fte_on_roster: fte,
    };
    let t = Thresholds::default();
    let short = headcount_vs_ratio(&[line(4.0, 4)], Rounding::Ceil, &t);
    assert_eq!(short.len(), 1);
    close(short[0].figure, -1.0);
    assert!(
        short[0].message.contains("1 rep short"),
        "{}",
        short[0].message
    );
    assert!(short[0].message.contains("3,500 accounts"));
    assert_eq!(short[0].scope(), "roster");
    // Half a rep short (a part-timer) and exactly staffed: quiet; two over: flagged.
    assert!(headcount_vs_ratio(&[line(4.5, 5), line(5.0, 5)], Rounding::Ceil, &t).is_empty());
    let over = headcount_vs_ratio(&[line(7.0, 7)], Rounding::Ceil, &t);
    close(over[0].figure, 2.0);
    assert!(
        over[0].message.contains("2 reps over"),
        "{}",
        over[0].message
    );
}

#[test]
fn input_rows_refused_and_corrected() {
    let issue = |line| {
        Issue::row(
            crate::Severity::Warning,
            "accounts.csv",
            line,
            "locked",
            "A1",
            "lock released".to_string(),
            "",
        )
    };
    let flags = input_flags(&[issue(2), issue(0)], &[issue(3)]);
    assert_eq!(
        flags.iter().map(|f| (f.code, f.figure)).collect::<Vec<_>>(),
        [
            (Code::RefusedRows, Some(1.0)),
            (Code::InputCorrections, Some(2.0))
        ]
    );
    assert!(
        flags[1]
            .message
            .contains("1 input row was used with a correction and 1 note")
    );
    assert!(input_flags(&[], &[]).is_empty());
}

#[test]
fn a_clean_book_raises_nothing() {
    let a = "account_id,segment,potential,workload,owner_id\nA1,s,100,10,R1\nA2,s,100,10,R2\n";
    let flags = today(&problem(
        a,
        "rep_id,segment,attainment\nR1,s,100%\nR2,s,90%\n",
        "",
    ));
    assert!(flags.is_empty(), "{flags:?}");
}

#[test]
fn counts_read_with_separators() {
    assert_eq!(count(0), "0");
    assert_eq!(count(999), "999");
    assert_eq!(count(1000), "1,000");
    assert_eq!(count(1234567), "1,234,567");
    assert_eq!(num(4.0), "4");
    assert_eq!(num(4.5), "4.5");
    assert_eq!(num(-0.001), "0");
}
