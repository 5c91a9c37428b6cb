//! Property tests: no input bytes, rows or plan text make reading or validation panic, and
//! every account row and every pairs row ends up accepted or refused, exactly once.

use std::collections::HashSet;
use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};

use allot_model::problem::RefusedIds;
use allot_model::{AccountIdx, FileNames, Plan, Problem, RepIdx, Severity, io};
use proptest::prelude::*;
use proptest::test_runner::contextualize_config;

/// Cases per property (`PROPTEST_CASES` overrides it, as proptest does).
const CASES: u32 = 256;

/// The proptest configuration of every property here.
fn config() -> ProptestConfig {
    ProptestConfig::with_cases(CASES)
}

/// Counts the cases a property ran and how many of them got through to the checks after
/// reading and building, so that a property whose inputs the readers all refuse cannot pass
/// unnoticed.
#[derive(Default)]
struct Tally {
    cases: AtomicUsize,
    deep: AtomicUsize,
}

impl Tally {
    /// One case; `deep` when it reached the checks after the build.
    fn case(&self, deep: bool) {
        self.cases.fetch_add(1, Ordering::Relaxed);
        self.deep.fetch_add(usize::from(deep), Ordering::Relaxed);
    }

    /// Exactly the configured number of cases ran, and at least `1 / every` of them (rounded
    /// down) reached the checks after the build.
    fn assert(&self, what: &str, every: usize) {
        let want = contextualize_config(config()).cases as usize;
        let (cases, deep) = (
            self.cases.load(Ordering::Relaxed),
            self.deep.load(Ordering::Relaxed),
        );
        assert_eq!(cases, want, "{what}: cases run");
        assert!(
            deep >= want / every,
            "{what}: only {deep} of {cases} cases got past reading and building (need 1 in {every})"
        );
        eprintln!("{what}: {cases} cases, {deep} past reading and building");
    }
}

/// Reads and builds; true when a problem was built (and its accounts checked).
fn read_all(accounts: Vec<u8>, reps: Vec<u8>, plan: &Plan) -> bool {
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
            return true;
        }
    }
    false
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

/// A cell of accounts.csv column `col` (in the order of the header of
/// `arbitrary_rows_never_panic`): mostly a value of the column's type, with ids that exist or
/// not, and one time in five any [`cell`], so that some rows are whole and accepted and the
/// build (with its row accounting) runs.
fn account_cell(col: usize) -> BoxedStrategy<String> {
    let typed: BoxedStrategy<String> = match col {
        0 => "A[1-9]".boxed(),
        1 | 8 | 9 => "\\PC{0,6}".boxed(),
        2 => prop_oneof![Just("enterprise"), Just("mid-market")]
            .prop_map(str::to_string)
            .boxed(),
        3..=5 => "[0-9]{1,6}(\\.[0-9]{1,2})?".boxed(),
        6 => "-?[1-8]?[0-9]\\.[0-9]{1,4}".boxed(),
        7 => "-?1?[0-7]?[0-9]\\.[0-9]{1,4}".boxed(),
        10 => prop_oneof![Just(""), Just("R1"), Just("R2"), Just("R3")]
            .prop_map(str::to_string)
            .boxed(),
        11 => prop_oneof![3 => Just(String::new()), 1 => "A[1-9]".boxed()].boxed(),
        _ => prop_oneof![Just(""), Just("true"), Just("false")]
            .prop_map(str::to_string)
            .boxed(),
    };
    prop_oneof![4 => typed, 1 => cell()].boxed()
}

/// A row of reps.csv (`rep_id,segment,fte,status`): mostly well-typed, one cell in five any
/// [`cell`].
fn rep_row() -> impl Strategy<Value = Vec<String>> {
    let typed = |s: BoxedStrategy<String>| prop_oneof![4 => s, 1 => cell()];
    let words =
        |w: &'static [&'static str]| proptest::sample::select(w).prop_map(str::to_string).boxed();
    (
        typed("R[1-3]".boxed()),
        typed(words(&["enterprise", "mid-market"])),
        typed(words(&["", "1", "0.5", "50%"])),
        typed(words(&["", "active", "leaving"])),
    )
        .prop_map(|(a, b, c, d)| vec![a, b, c, d])
}

/// An accounts.csv row of 13 cells, see [`account_cell`].
fn account_row() -> impl Strategy<Value = Vec<String>> {
    (0..13).map(account_cell).collect::<Vec<_>>()
}

// Each property runs through `proptest!` in closure form, so that the test can count the
// cases it ran and how many got past reading and building (see `Tally`).

#[test]
fn arbitrary_bytes_never_panic() {
    let tally = Tally::default();
    proptest!(config(), |(bytes in proptest::collection::vec(any::<u8>(), 0..2000))| {
        tally.case(read_all(bytes.clone(), bytes, &Plan::default()));
    });
    // The same random bytes as accounts and reps hardly ever build: no minimum.
    tally.assert("arbitrary bytes", usize::MAX);
}

#[test]
fn arbitrary_rows_never_panic() {
    let tally = Tally::default();
    proptest!(config(), |(rows in proptest::collection::vec(account_row(), 0..30),
                          reps in proptest::collection::vec(rep_row(), 0..6))| {
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
        let built = read_all(a.clone().into_bytes(), r.clone().into_bytes(), &Plan::default());
        let strict = Plan { strict: true, ..Plan::default() };
        tally.case(read_all(a.into_bytes(), r.into_bytes(), &strict) || built);
    });
    // About a fifth of the cases build; at least one in sixteen must.
    tally.assert("arbitrary rows", 16);
}

const PAIRS: &str = "pairs.csv";
const PLAN: &str = "plan.toml";

/// A small valid instance: every account and rep is accepted on its own.
const ACCOUNTS: &str = "account_id,segment,employees,potential,workload,owner_id\n\
A1,enterprise,5000,200000,100,R1\n\
A2,enterprise,4000,150000,90,\n\
A3,enterprise,3000,120000,80,R2\n";
const REPS: &str = "rep_id,segment\nR1,enterprise\nR2,enterprise\n";

fn files() -> FileNames {
    FileNames {
        accounts: "accounts.csv".into(),
        reps: "reps.csv".into(),
    }
}

/// Reads pairs bytes, then builds the small instance with them. `given` is the number of
/// non-blank data rows when the caller knows it. Checks that every row the reader saw is
/// accepted or refused once, and that every accepted row is a pair of the problem, refused by
/// the build, or dropped with its (refused) account or rep. True when the per-row checks ran
/// (the file was read, the problem built and the rows have distinct lines).
fn check_pairs(bytes: Vec<u8>, plan: &Plan, given: Option<usize>) -> bool {
    let read = match io::read_pairs_from(Box::new(Cursor::new(bytes)), PAIRS, plan) {
        Ok(read) => read,
        Err(issues) => {
            assert!(!issues.is_empty(), "an Err must say why");
            assert!(
                given.is_none(),
                "well-formed CSV refused as a whole: {issues:?}"
            );
            return false;
        }
    };
    if let Some(n) = given {
        assert_eq!(
            read.rows.len() + read.refused.len(),
            n,
            "rows lost or doubled"
        );
    }
    for i in &read.refused {
        assert_eq!(i.severity, Severity::Refused);
        assert_eq!(i.file, PAIRS);
    }
    for row in &read.rows {
        assert!(row.cost.is_finite(), "{row:?}");
        assert!(
            row.workload.is_none_or(|w| w.is_finite() && w >= 0.0),
            "{row:?}"
        );
        assert!(
            !row.account_id.is_empty() && !row.rep_id.is_empty(),
            "{row:?}"
        );
    }
    // Rows are told apart by line. Bare CR line ends (old Mac exports) put several records on
    // one `\n`-counted line, so the per-row checks below run only when lines are unique; the
    // well-formed `\n`-separated files of the row test must always have unique lines.
    let mut lines = HashSet::new();
    let unique = read
        .refused
        .iter()
        .map(|i| i.line)
        .chain(read.rows.iter().map(|r| r.line))
        .all(|l| lines.insert(l));
    assert!(unique || given.is_none(), "two rows share a line number");
    let a = io::read_accounts_from(Box::new(Cursor::new(ACCOUNTS)), "accounts.csv", plan)
        .expect("fixed accounts read");
    let r =
        io::read_reps_from(Box::new(Cursor::new(REPS)), "reps.csv", plan).expect("fixed reps read");
    assert!(a.refused.is_empty() && r.refused.is_empty());
    let built = Problem::build_after_reading(
        a.rows,
        r.rows,
        Some((PAIRS, read.rows.clone())),
        plan.clone(),
        &files(),
        &RefusedIds::default(),
    );
    let built = match built {
        Ok(b) => b,
        Err(issues) => {
            assert!(!issues.is_empty(), "an Err must say why");
            return false;
        }
    };
    let p = &built.problem;
    let pairs = p.pairs.as_ref().expect("a pairs file gives a pairs map");
    let n_build_refused = built.refused.iter().filter(|i| i.file == PAIRS).count();
    assert!(pairs.len() + n_build_refused <= read.rows.len());
    for (c, w) in pairs.values() {
        assert!(c.is_finite() && w.is_finite());
    }
    if !unique {
        return false;
    }
    let mut build_refused = HashSet::new();
    for i in built.refused.iter().filter(|i| i.file == PAIRS) {
        assert!(
            read.rows.iter().any(|r| r.line == i.line),
            "build refused line {} that the reader did not accept",
            i.line
        );
        assert!(
            build_refused.insert(i.line),
            "line {} refused twice",
            i.line
        );
    }
    let dropped = |file: &str, id: &str| built.refused.iter().any(|i| i.file == file && i.id == id);
    for row in read
        .rows
        .iter()
        .filter(|r| !build_refused.contains(&r.line))
    {
        let acc = p.accounts.iter().position(|a| a.id == row.account_id);
        let rep = p.reps.iter().position(|r| r.id == row.rep_id);
        match (acc, rep) {
            (Some(a), Some(r)) => {
                let (cost, work) = pairs
                    .get(&(AccountIdx::from_usize(a), RepIdx::from_usize(r)))
                    .unwrap_or_else(|| panic!("accepted pair row lost: {row:?}"));
                assert!(cost.is_finite() && work.is_finite(), "{row:?}");
            }
            _ => assert!(
                dropped("accounts.csv", &row.account_id) || dropped("reps.csv", &row.rep_id),
                "pair row neither accepted nor refused: {row:?}"
            ),
        }
    }
    true
}

/// Cells of pairs.csv: ids that exist or not, numbers good and bad, text.
fn pair_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop_oneof![
            Just("A1"), Just("A2"), Just("A3"), Just(" A1 "), Just("a1"), Just("A9"),
            Just("R1"), Just("R2"), Just("R9"), Just("r1"),
        ]
        .prop_map(str::to_string),
        3 => prop_oneof![
            Just(""), Just(" "), Just("0"), Just("1.5"), Just("-3"), Just("-0"), Just("NaN"),
            Just("nan"), Just("inf"), Just("-inf"), Just("Infinity"), Just("1e308"),
            Just("1e309"), Just("-1e309"), Just("1,000"), Just("1.234,5"), Just("$12"),
            Just("12%"), Just("99999999999999999999999999999"), Just("0x10"), Just("1e-400"),
            Just("abc"), Just("\u{feff}A1"), Just("\""), Just(","), Just("\n"), Just("\r\n"),
            Just(";"), Just("\t"),
        ]
        .prop_map(str::to_string),
        1 => "-?[0-9]{1,6}(\\.[0-9]{1,3})?",
        1 => "\\PC{0,8}",
    ]
}

/// A pairs row as (account_id, rep_id, cost, workload): mostly well-typed values, ids that
/// exist or not, and sometimes any cell at all.
fn pair_row() -> impl Strategy<Value = [String; 4]> {
    let id = || {
        prop_oneof![
            4 => prop_oneof![
                Just("A1"), Just("A2"), Just("A3"), Just("R1"), Just("R2"),
            ]
            .prop_map(str::to_string),
            1 => pair_cell(),
        ]
    };
    let number = || {
        prop_oneof![
            3 => "-?[0-9]{1,6}(\\.[0-9]{1,3})?",
            1 => pair_cell(),
        ]
    };
    (
        id(),
        id(),
        number(),
        prop_oneof![1 => Just(String::new()), 2 => number()],
    )
        .prop_map(|(a, r, c, w)| [a, r, c, w])
}

/// The pairs that let every account of the small instance be assigned.
fn cover_rows() -> Vec<[String; 4]> {
    [("A1", "R1"), ("A2", "R1"), ("A2", "R2"), ("A3", "R2")]
        .iter()
        .map(|(a, r)| [a.to_string(), r.to_string(), "1".into(), String::new()])
        .collect()
}

/// A CSV field quoted so that the reader sees exactly `c`.
fn quoted(c: &str) -> String {
    format!("\"{}\"", c.replace('"', "\"\""))
}

/// Plan values, of the right type or not, in range or not.
fn plan_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop_oneof![
            Just("\"rebalance\""), Just("\"redesign\""), Just("\"cost\""), Just("\"salesforce\""),
            Just("\"enterprise\""), Just("\"growth\""), Just("\"\""), Just("\" \""), Just("\"x\""),
            Just("-1"), Just("0"), Just("1"), Just("3"), Just("2.5"), Just("-0.0"), Just("1e-320"),
            Just("nan"), Just("+inf"), Just("-inf"), Just("1e308"), Just("1.7976931348623157e308"),
            Just("9223372036854775807"), Just("-9223372036854775808"),
            Just("18446744073709551615"), Just("99999999999999999999"), Just("true"),
            Just("false"), Just("[]"), Just("[\"potential\", \"workload\"]"),
            Just("[\"accounts\", \"accounts\"]"), Just("[\"enterprise\"]"), Just("[\"nope\"]"),
            Just("[[1]]"), Just("{}"), Just("{ a = 1 }"), Just("\"ceil\""), Just("\"floor\""),
            Just("\"heuristic\""), Just("\"milp\""), Just("\"reassign\""), Just("1979-05-27"),
            Just("\"\\u0000\""), Just("'''\nx\n'''"),
        ]
        .prop_map(str::to_string),
        2 => "-?[1-9][0-9]{0,3}(\\.[0-9]{1,2})?",
        1 => "\"\\PC{0,6}\"",
    ]
}

/// Values of one kind ('f' float, 'u' count, 'b' bool, 's' enum word, 'l' list), mostly
/// well-typed and often out of range, sometimes of any type.
fn typed_value(kind: char) -> BoxedStrategy<String> {
    let typed: BoxedStrategy<String> = match kind {
        'f' => prop_oneof![
            Just("-1.0"),
            Just("0.0"),
            Just("-0.0"),
            Just("2.5"),
            Just("nan"),
            Just("-nan"),
            Just("inf"),
            Just("-inf"),
            Just("1e308"),
            Just("5e-324"),
            Just("100"),
        ]
        .prop_map(str::to_string)
        .boxed(),
        'u' => prop_oneof![
            Just("0"),
            Just("1"),
            Just("-1"),
            Just("7"),
            Just("9223372036854775807"),
            Just("18446744073709551615"),
            Just("4294967296"),
        ]
        .prop_map(str::to_string)
        .boxed(),
        'b' => prop_oneof![Just("true"), Just("false")]
            .prop_map(str::to_string)
            .boxed(),
        's' => prop_oneof![
            Just("\"rebalance\""),
            Just("\"redesign\""),
            Just("\"cost\""),
            Just("\"salesforce\""),
            Just("\"enterprise\""),
            Just("\"Enterprise \""),
            Just("\"mid_market\""),
            Just("\"\""),
            Just("\" - \""),
            Just("\"ceil\""),
            Just("\"floor\""),
            Just("\"round\""),
            Just("\"heuristic\""),
            Just("\"milp\""),
            Just("\"auto\""),
            Just("\"reassign\""),
            Just("\"reject\""),
            Just("\"Account ID\""),
        ]
        .prop_map(str::to_string)
        .boxed(),
        _ => prop_oneof![
            Just("[]"),
            Just("[\"potential\"]"),
            Just("[\"potential\", \"workload\"]"),
            Just("[\"accounts\", \"accounts\"]"),
            Just("[\"enterprise\"]"),
            Just("[\"digital-led\", \"growth\"]"),
            Just("[\"nope\"]"),
        ]
        .prop_map(str::to_string)
        .boxed(),
    };
    prop_oneof![4 => typed, 1 => plan_value()].boxed()
}

/// One table of plan.toml with a few of its keys (or, rarely, keys of another table).
fn plan_table() -> impl Strategy<Value = String> {
    type Table = (&'static str, &'static [(&'static str, char)]);
    const TABLES: &[Table] = &[
        ("", &[("objective", 's'), ("strict", 'b'), ("crm", 's')]),
        ("[balance]", &[("band_pct", 'f'), ("metrics", 'l')]),
        (
            "[balance.weights]",
            &[("potential", 'f'), ("workload", 'f'), ("accounts", 'f')],
        ),
        (
            "[solver]",
            &[
                ("time_limit_s", 'f'),
                ("seed", 'u'),
                ("threads", 'u'),
                ("engine", 's'),
                ("starts", 'u'),
                ("milp_max_pairs", 'u'),
                ("milp_node_limit", 'u'),
                ("lns_iterations", 'u'),
                ("lns_free_units", 'u'),
                ("candidates", 'u'),
                ("deterministic", 'b'),
            ],
        ),
        (
            "[[segments]]",
            &[
                ("name", 's'),
                ("employees_at_least", 'f'),
                ("potential_at_least", 'f'),
                ("ratio", 'f'),
                ("compactness", 'f'),
            ],
        ),
        (
            "[[roles]]",
            &[("name", 's'), ("covers", 'l'), ("ratio", 'f')],
        ),
        ("[validation]", &[("max_rows", 'u'), ("unknown_owner", 's')]),
        (
            "[disruption]",
            &[
                ("weight", 'f'),
                ("by_potential", 'b'),
                ("measure", 's'),
                ("max_moves", 'u'),
                ("max_moved_pct", 'f'),
                ("max_moved_potential_pct", 'f'),
                ("max_moved_workload_pct", 'f'),
            ],
        ),
        ("[compactness]", &[("weight", 'f')]),
        ("[pairs]", &[("weight", 'f')]),
        ("[capacity]", &[("rounding", 's')]),
        (
            "[columns.accounts]",
            &[
                ("account_id", 's'),
                ("potential", 's'),
                ("owner_id", 's'),
                ("bogus", 's'),
            ],
        ),
        ("[columns.reps]", &[("rep_id", 's'), ("segment", 's')]),
        ("[columns.pairs]", &[("cost", 's'), ("rep_id", 's')]),
        ("[nope]", &[("x", 'u')]),
    ];
    let all_keys: Vec<(&str, char)> = TABLES.iter().flat_map(|t| t.1.iter().copied()).collect();
    let key = move |t: usize| {
        let own = TABLES[t].1;
        prop_oneof![
            8 => (0..own.len()).prop_map(move |i| own[i]),
            1 => (0..all_keys.len()).prop_map({ let all = all_keys.clone(); move |i| all[i] }),
        ]
        .prop_flat_map(|(k, kind)| typed_value(kind).prop_map(move |v| format!("{k} = {v}\n")))
    };
    (0..TABLES.len())
        .prop_flat_map(move |t| (Just(t), proptest::collection::vec(key(t), 0..5)))
        .prop_map(|(t, lines)| {
            let mut text = format!("{}\n", TABLES[t].0);
            // A repeated key is a syntax error the text test already covers.
            let mut used = HashSet::new();
            for l in lines {
                if used.insert(l.split(' ').next().unwrap_or("").to_string()) {
                    text.push_str(&l);
                }
            }
            text
        })
}

/// Parses plan text; when it parses, the plan is valid, survives a TOML round trip and the
/// small instance builds with it (or says why not). True when the text was a plan.
fn check_plan(text: &str) -> bool {
    match Plan::from_toml(text, PLAN) {
        Ok(plan) => {
            plan.validate(PLAN)
                .expect("from_toml returned a plan that does not validate");
            assert!(!plan.segments.is_empty());
            assert!(plan.balance.band_pct.is_finite() && plan.balance.band_pct >= 0.0);
            assert!(plan.solver.time_limit_s.is_finite() && plan.solver.time_limit_s > 0.0);
            if let Ok(again) = toml::to_string(&plan) {
                let back = Plan::from_toml(&again, PLAN)
                    .unwrap_or_else(|e| panic!("written plan does not read back: {e}\n{again}"));
                assert_eq!(back, plan, "{again}");
            }
            read_all(ACCOUNTS.into(), REPS.into(), &plan);
            true
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with(PLAN), "error does not name the file: {msg}");
            false
        }
    }
}

#[test]
fn pairs_arbitrary_bytes_never_panic() {
    let tally = Tally::default();
    proptest!(config(), |(bytes in proptest::collection::vec(any::<u8>(), 0..2000),
                          header in any::<bool>())| {
        let mut input = if header { b"account_id,rep_id,cost,workload\n".to_vec() } else { Vec::new() };
        input.extend(bytes);
        tally.case(check_pairs(input, &Plan::default(), None));
    });
    // Random bytes never list a pair for every account: the build refuses them all, so only
    // the reader's checks run here (the rows test below reaches the build).
    tally.assert("pairs: arbitrary bytes", usize::MAX);
}

#[test]
fn pairs_arbitrary_rows_accepted_or_refused() {
    let tally = Tally::default();
    proptest!(config(), |(
        // Header, then for each column the field it holds (0 account, 1 rep, 2 cost,
        // 3 workload, 4 none).
        header in prop_oneof![
            3 => Just(("account_id,rep_id,cost,workload", &[0usize, 1, 2, 3][..])),
            1 => Just(("id,user_id,cost,hours", &[0, 1, 2, 3][..])),
            1 => Just(("Account ID , Rep ID,COST", &[0, 1, 2, 3][..])),
            1 => Just(("rep_id,account_id,workload,cost,extra", &[1, 0, 3, 2, 4][..])),
        ],
        rows in proptest::collection::vec(
            prop_oneof![
                3 => pair_row().prop_map(|r| r.to_vec()),
                1 => proptest::collection::vec(pair_cell(), 1..6),
            ],
            0..25,
        ),
        cover in 0..3u8,
        strict in any::<bool>(),
    )| {
        let (head, order) = header;
        let mut rows = rows;
        let base: Vec<Vec<String>> = cover_rows().into_iter().map(|r| r.to_vec()).collect();
        match cover {
            0 => rows.splice(0..0, base).for_each(drop),
            1 => rows.extend(base),
            _ => {}
        }
        let mut text = format!("{head}\n");
        for r in &rows {
            // A 4-cell row goes in the header's column order; any other row as it is.
            let cells: Vec<String> = if r.len() == 4 {
                order.iter().map(|&f| quoted(r.get(f).map_or("", String::as_str))).collect()
            } else {
                r.iter().map(|c| quoted(c)).collect()
            };
            text.push_str(&cells.join(","));
            text.push('\n');
        }
        let given = rows.iter().filter(|r| !r.iter().all(|c| c.trim().is_empty())).count();
        let plan = Plan { strict, ..Plan::default() };
        tally.case(check_pairs(text.into_bytes(), &plan, Some(given)));
    });
    // About 45 % of the cases reach the per-row checks; at least one in four must.
    tally.assert("pairs: arbitrary rows", 4);
}

#[test]
fn plan_arbitrary_text_never_panics() {
    let tally = Tally::default();
    proptest!(config(), |(text in "\\PC{0,300}")| {
        tally.case(check_plan(&text));
    });
    // Arbitrary text is hardly ever a plan: no minimum.
    tally.assert("plan: arbitrary text", usize::MAX);
}

#[test]
fn plan_arbitrary_keys_and_values_never_panic() {
    let tally = Tally::default();
    proptest!(config(), |(tables in proptest::collection::vec(plan_table(), 0..6))| {
        // Each table once (except arrays of tables); the top-level keys first.
        let mut seen = HashSet::new();
        let mut tables: Vec<String> = tables
            .into_iter()
            .filter(|t| t.starts_with("[[") || seen.insert(t.lines().next().unwrap_or("").to_string()))
            .collect();
        tables.sort_by_key(|t| !t.starts_with('\n'));
        tally.case(check_plan(&tables.concat()));
    });
    // About 30 % of the cases are plans; at least one in eight must be.
    tally.assert("plan: arbitrary keys and values", 8);
}
