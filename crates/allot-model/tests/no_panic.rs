//! Property tests: no input bytes or rows make reading or validation panic, and every
//! account row ends up accepted or refused, exactly once.

use std::io::Cursor;

use allot_model::{FileNames, Plan, Problem, io};
use proptest::prelude::*;

fn read_all(accounts: Vec<u8>, reps: Vec<u8>, plan: &Plan) {
    let a = io::read_accounts_from(Box::new(Cursor::new(accounts)), "accounts.csv", plan);
    let r = io::read_reps_from(Box::new(Cursor::new(reps)), "reps.csv", plan);
    if let (Ok(a), Ok(r)) = (a, r) {
        let files = FileNames {
            accounts: "accounts.csv".into(),
            reps: "reps.csv".into(),
        };
        let n_rows = a.rows.len() + a.refused.len();
        let read_refused = a.refused.len();
        if let Ok(built) = Problem::build(a.rows, r.rows, plan.clone(), &files) {
            let refused_accounts = built
                .refused
                .iter()
                .filter(|i| i.file == "accounts.csv")
                .count();
            assert_eq!(
                built.problem.accounts.len() + refused_accounts + read_refused,
                n_rows
            );
        }
    }
}

/// Cells drawn from values that exercise the parsers and the cross-row checks.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("A1".to_string()),
        Just("A2".to_string()),
        Just("R1".to_string()),
        Just("R2".to_string()),
        Just("true".to_string()),
        Just("NaN".to_string()),
        Just("-1".to_string()),
        Just("1,000".to_string()),
        Just("200".to_string()),
        Just("enterprise".to_string()),
        Just("\"q,\"\"x\"\"\"".to_string()),
        "[0-9]{1,6}",
        "\\PC{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        read_all(bytes.clone(), bytes, &Plan::default());
    }

    #[test]
    fn arbitrary_rows_never_panic(rows in proptest::collection::vec(proptest::collection::vec(cell(), 13), 0..30),
                                  reps in proptest::collection::vec(proptest::collection::vec(cell(), 4), 0..6)) {
        let mut a = String::from("account_id,name,segment,employees,potential,workload,lat,lon,industry,region,owner_id,parent_id,locked\n");
        for r in &rows {
            a.push_str(&r.join(","));
            a.push('\n');
        }
        let mut r = String::from("rep_id,segment,fte,status\n");
        for x in &reps {
            r.push_str(&x.join(","));
            r.push('\n');
        }
        read_all(a.clone().into_bytes(), r.clone().into_bytes(), &Plan::default());
        let strict = Plan { strict: true, ..Plan::default() };
        read_all(a.into_bytes(), r.into_bytes(), &strict);
    }
}
