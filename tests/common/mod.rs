//! Shared helpers of the end-to-end tests: running the `allot` binary, and an independent
//! checker of its outputs.
//!
//! The checker shares no code with the crates on purpose: it reads the raw input rows
//! (accounts.csv, reps.csv, pairs.csv) and the output files (assignments.csv,
//! territories.csv, summary.json, rejects.csv) with the `csv` and `serde_json` crates and
//! recomputes every rule and figure of the README from scratch:
//! - the rules: each accepted account exactly once, rep exists / active / owner role / same
//!   segment, eligibility, listed pairs, locks, families on one rep, hard caps
//!   (max_accounts, max_workload, max_potential), hard bands, the travel cap and the
//!   disruption budgets — as the spec states them and as the plan as applied (summary.json
//!   `plan`) states them;
//! - the figures: loads (a listed pair's own workload), targets, deviations, per-segment
//!   balance, coefficient of variation and max/min ratio of fte-normalised loads, moves,
//!   moved potential and share, mean great-circle km (overall, per segment, per rep) and
//!   total pair cost, against territories.csv and summary.json;
//! - the objective, every term, per segment (summary.json `segments[].solve.objective`) and
//!   in total (`objective`), for the four objectives of the README: `redesign` = Σ weight ×
//!   max |deviation| + disruption weight × moved share of the segment's owned accounts (of
//!   their potential with `by_potential` or `measure = "potential"`, of their workload with
//!   `measure = "workload"`) + compactness weight (the segment rule's, else
//!   `[compactness] weight`) × the segment's mean km / 100 (only where every rep of the
//!   segment has a home) + pairs weight × pair cost;
//!   `rebalance` = moved accounts (measuring potential or workload, the moved share of the
//!   owned potential or workload × owned accounts) + 0.01 × (the balance and compactness terms) + pairs
//!   weight × pair cost; `travel` = total km + pairs weight × pair cost; `cost` = total pair
//!   cost. Then `gap_abs` = objective − lower_bound and `gap_rel` = gap_abs / |objective|;
//! - the lower bound: not above the objective (reported and recomputed), nor above the
//!   objective of any feasible assignment the checker is shown — the current owners' book
//!   when it keeps every rule (and the run's assignment with the book in each segment where
//!   the book keeps every rule: segments are independent but for the budgets, which a book
//!   cannot break), and every assignment the test passes with [`Spec::also_feasible`].
//!
//! - the review loop ([`Spec::previous_assignment`], [`Spec::decisions`], [`Spec::scope`],
//!   in `review.rs`): pins (decisions, accounts outside the scope) as rules, frozen reps'
//!   targets (their pinned book, like reps on leave), the off-proposal term of the
//!   objective per family, and decisions_applied.csv, changes_vs_previous.csv and
//!   summary.json `decisions` from the raw rows.
//!
//! Figures are compared within [`ABS_TOL`] + [`REL_TOL`] relative (territories.csv within
//! its printed precision); a bound may exceed a value by 1e-6 + 1e-7 relative.
//!
//! `ALLOT_CHECKER_VERBOSE=1` prints one line per check: the objective recomputed, the
//! bound, and the segments where the book was compared.
//!
//! Limitations (each reported in [`Checked::limitations`] or as a problem, never skipped
//! silently): an objective name other than the four above is not recomputed (a limitation);
//! a plan that summary.json does not state is a problem; the checker reads reps.csv with
//! our headers only and pair costs as plain numbers (anything else is a problem); the bound
//! is compared with the book only in segments where the book keeps every rule
//! ([`Checked::book`] says where and why not); the per-segment `solve.bound` is not
//! compared with anything (the README documents only the whole problem's bound).

#![allow(dead_code)]

mod review;

pub use review::ReviewFigs;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

/// Exit code of a Rust panic.
pub const PANIC_EXIT: i32 = 101;

// ---------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------

/// A command for the `allot` binary under test.
pub fn allot() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_allot"));
    cmd.timeout(Duration::from_secs(180));
    cmd
}

/// SplitMix64: a small seeded generator for test cases (no crate, the same sequence on
/// every machine).
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Files of a generated instance: accounts.csv, reps.csv and plan.toml.
pub type Generated = (PathBuf, PathBuf, PathBuf);

/// `allot generate` of `accounts` accounts and `reps` reps (the demo's mix) with `seed`,
/// into `dir/gen`.
pub fn generated(dir: &Path, accounts: usize, reps: usize, seed: u64) -> Generated {
    let g = dir.join("gen");
    let o = run([
        "generate",
        "--n-accounts",
        &accounts.to_string(),
        "--n-reps",
        &reps.to_string(),
        "--seed",
        &seed.to_string(),
        "--out",
        g.to_str().expect("utf-8 path"),
    ]);
    assert_code(&o, 0, "allot generate");
    (
        g.join("accounts.csv"),
        g.join("reps.csv"),
        g.join("plan.toml"),
    )
}

/// The generated instance with its bands as reported targets (`[balance] hard = false`,
/// plan written to `dir/soft.toml`): every assignment is then feasible, so a test of faults
/// or limits sees an answer however loaded the machine is.
pub fn soft(dir: &Path, inst: &Generated) -> Generated {
    let text = read_text(&inst.2);
    assert!(
        text.contains("[balance]\n"),
        "generated plan has a [balance] table"
    );
    let plan = dir.join("soft.toml");
    std::fs::write(
        &plan,
        text.replace("[balance]\n", "[balance]\nhard = false\n"),
    )
    .expect("write soft.toml");
    (inst.0.clone(), inst.1.clone(), plan)
}

/// Runs `allot` with `args` and returns its output, after checking that it did not panic,
/// was not killed and did not print a panic message.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let out = allot()
        .args(&args)
        .output()
        .expect("the allot binary could not be started");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    assert_ne!(
        out.status.code(),
        Some(PANIC_EXIT),
        "allot {} panicked (exit 101):\n{stderr}",
        shown.join(" ")
    );
    assert!(
        out.status.code().is_some(),
        "allot {} was killed (timeout or signal): {:?}\n{stderr}",
        shown.join(" "),
        out.status
    );
    assert!(
        !stderr.contains("panicked at"),
        "allot {} printed a panic:\n{stderr}",
        shown.join(" ")
    );
    out
}

/// Exit code of a finished run.
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts the exit code, showing both streams when it differs.
pub fn assert_code(out: &Output, expected: i32, what: &str) {
    assert_eq!(
        code(out),
        expected,
        "{what}: expected exit {expected}, got {}\n--- stdout\n{}\n--- stderr\n{}",
        code(out),
        stdout(out),
        stderr(out)
    );
}

/// The repository root (where Cargo.toml of the `allot` package is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under tests/fixtures.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests").join("fixtures").join(rel)
}

/// A path under data/demo.
pub fn demo_input(name: &str) -> PathBuf {
    root().join("data").join("demo").join(name)
}

/// A fresh temporary folder (removed when dropped).
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("allot-test-")
        .tempdir()
        .expect("cannot create a temporary folder")
}

/// Runs `allot <command> --accounts A --reps R [--plan P] --out OUT <extra…>`.
pub fn run_solve(
    command: &str,
    accounts: &Path,
    reps: &Path,
    plan: Option<&Path>,
    out: &Path,
    extra: &[&str],
) -> Output {
    let mut args: Vec<std::ffi::OsString> = vec![
        command.into(),
        "--accounts".into(),
        accounts.into(),
        "--reps".into(),
        reps.into(),
        "--out".into(),
        out.into(),
    ];
    if let Some(p) = plan {
        args.push("--plan".into());
        args.push(p.into());
    }
    args.extend(extra.iter().map(|s| std::ffi::OsString::from(*s)));
    run(args)
}

/// Runs `allot <command>` on fixture folder `name` (its accounts.csv, reps.csv and plan.toml).
pub fn run_fixture(command: &str, name: &str, out: &Path, extra: &[&str]) -> Output {
    run_solve(
        command,
        &fixture(&format!("{name}/accounts.csv")),
        &fixture(&format!("{name}/reps.csv")),
        Some(&fixture(&format!("{name}/plan.toml"))),
        out,
        extra,
    )
}

/// Reads a file to text, failing the test with the path on error.
pub fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Reads and parses summary.json of an output folder.
pub fn summary(out: &Path) -> Value {
    let p = out.join("summary.json");
    serde_json::from_str(&read_text(&p))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()))
}

// ---------------------------------------------------------------------------------------
// CSV reading
// ---------------------------------------------------------------------------------------

/// One record of a CSV file: the line it starts on (header = 1) and its cells by header.
#[derive(Clone, Debug)]
pub struct Record {
    /// Line where the record starts, as the `csv` crate counts it (header = 1).
    pub line: u64,
    /// Cells by header name (headers trimmed, BOM removed).
    pub cells: BTreeMap<String, String>,
}

impl Record {
    /// A cell by header, "" when the column is absent.
    pub fn get(&self, header: &str) -> &str {
        self.cells.get(header).map(String::as_str).unwrap_or("")
    }
}

/// A whole CSV file: headers and records. Blank records are skipped.
#[derive(Clone, Debug)]
pub struct Table {
    /// Header cells in file order.
    pub headers: Vec<String>,
    /// Data records.
    pub records: Vec<Record>,
}

/// Reads a comma- or semicolon-delimited UTF-8 CSV file (BOM allowed) with the `csv` crate.
pub fn read_csv(path: &Path) -> Table {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&bytes)
        .to_vec();
    // Excel in many locales writes ';': take whichever of ';' and ',' the first line has more of.
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |d: u8| first.iter().filter(|&&b| b == d).count();
    let delimiter = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes.as_slice());
    let mut headers: Option<Vec<String>> = None;
    let mut records = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap_or_else(|e| panic!("{}: bad CSV: {e}", path.display()));
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        match &headers {
            None => {
                headers = Some(
                    rec.iter()
                        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
                        .collect(),
                )
            }
            Some(h) => {
                let cells = h
                    .iter()
                    .cloned()
                    .zip(
                        rec.iter()
                            .map(str::to_string)
                            .chain(std::iter::repeat(String::new())),
                    )
                    .collect();
                records.push(Record { line, cells });
            }
        }
    }
    Table {
        headers: headers.unwrap_or_default(),
        records,
    }
}

/// What a spreadsheet-safe writer makes of a text cell: a leading `=`, `+`, `-` or `@`
/// (or tab / carriage return) gets a leading apostrophe.
pub fn escaped(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Undoes [`escaped`].
pub fn unescaped(s: &str) -> String {
    let mut it = s.chars();
    if it.next() == Some('\'') && matches!(it.next(), Some('=' | '+' | '-' | '@' | '\t' | '\r')) {
        s[1..].to_string()
    } else {
        s.to_string()
    }
}

/// The id columns of the CSV outputs: written exactly as read (a CRM must match them), never
/// given an apostrophe; every other text column is protected against formulas.
pub const ID_COLUMNS: [&str; 10] = [
    "account_id",
    "rep_id",
    "previous_rep_id",
    "proposed_rep_id",
    "owner_id",
    "id",
    "Id",
    "OwnerId",
    "Record ID",
    "Company owner",
];

/// Whether `header` is an id column (see [`ID_COLUMNS`]).
pub fn is_id_column(header: &str) -> bool {
    ID_COLUMNS.contains(&header)
}

/// Whether a cell would be read as a formula by a spreadsheet (and is not a plain number).
pub fn is_formula_like(cell: &str) -> bool {
    matches!(
        cell.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    ) && cell.trim().parse::<f64>().is_err()
}

// ---------------------------------------------------------------------------------------
// Input model (our own parsing of the raw rows)
// ---------------------------------------------------------------------------------------

/// Where our fields sit in accounts.csv: our name → header in the file.
#[derive(Clone, Debug)]
pub struct Columns {
    map: BTreeMap<&'static str, String>,
}

const ACCOUNT_FIELDS: [&str; 13] = [
    "account_id",
    "name",
    "segment",
    "employees",
    "potential",
    "workload",
    "lat",
    "lon",
    "industry",
    "region",
    "owner_id",
    "parent_id",
    "locked",
];

impl Columns {
    /// Our default headers (the field names themselves).
    pub fn ours() -> Columns {
        Columns {
            map: ACCOUNT_FIELDS.iter().map(|f| (*f, f.to_string())).collect(),
        }
    }

    /// A Salesforce Account export with custom potential and workload fields.
    pub fn salesforce(potential: &str, workload: &str) -> Columns {
        let mut map = BTreeMap::new();
        for (ours, theirs) in [
            ("account_id", "Id"),
            ("name", "Name"),
            ("owner_id", "OwnerId"),
            ("parent_id", "ParentId"),
            ("employees", "NumberOfEmployees"),
            ("industry", "Industry"),
            ("region", "BillingState"),
            ("lat", "BillingLatitude"),
            ("lon", "BillingLongitude"),
        ] {
            map.insert(ours, theirs.to_string());
        }
        map.insert("potential", potential.to_string());
        map.insert("workload", workload.to_string());
        Columns { map }
    }

    fn header(&self, ours: &str) -> Option<&str> {
        self.map.get(ours).map(String::as_str)
    }
}

/// An ordered segment rule (conditions are alternatives; none = matches all).
#[derive(Clone, Debug)]
pub struct Rule {
    /// Segment name.
    pub name: String,
    /// employees ≥ this matches.
    pub employees_at_least: Option<f64>,
    /// potential ≥ this matches.
    pub potential_at_least: Option<f64>,
}

/// The default rules: enterprise, mid-market, growth, digital-led.
pub fn default_rules() -> Vec<Rule> {
    let r = |name: &str, e: Option<f64>, p: Option<f64>| Rule {
        name: name.to_string(),
        employees_at_least: e,
        potential_at_least: p,
    };
    vec![
        r("enterprise", Some(1000.0), Some(100_000.0)),
        r("mid-market", Some(250.0), Some(30_000.0)),
        r("growth", Some(50.0), Some(10_000.0)),
        r("digital-led", None, None),
    ]
}

/// Segment comparison key: trimmed, lower case, spaces and underscores as dashes.
pub fn seg_key(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '_' { '-' } else { c })
        .collect()
}

/// One account row as we read it.
#[derive(Clone, Debug)]
pub struct InAccount {
    /// Line in the file.
    pub line: u64,
    /// account_id (trimmed).
    pub id: String,
    /// Segment cell, when the file has the column and the cell is not empty.
    pub segment: Option<String>,
    /// Employees, when given.
    pub employees: Option<f64>,
    /// Potential, when given.
    pub potential: Option<f64>,
    /// Workload (0 when empty).
    pub workload: f64,
    /// Coordinates, when both given.
    pub coords: Option<(f64, f64)>,
    /// Industry (trimmed).
    pub industry: String,
    /// Region (trimmed).
    pub region: String,
    /// owner_id ("" = white space).
    pub owner: String,
    /// parent_id ("" = none).
    pub parent: String,
    /// locked flag.
    pub locked: bool,
    /// Problems our own parsing found in the row's values.
    pub bad_values: Vec<String>,
}

/// One rep row as we read it.
#[derive(Clone, Debug)]
pub struct InRep {
    /// Line in the file.
    pub line: u64,
    /// rep_id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Segment.
    pub segment: String,
    /// Role.
    pub role: String,
    /// Home coordinates.
    pub coords: Option<(f64, f64)>,
    /// FTE share.
    pub fte: f64,
    /// Hard cap on accounts.
    pub max_accounts: Option<f64>,
    /// Hard cap on workload.
    pub max_workload: Option<f64>,
    /// Hard cap on potential.
    pub max_potential: Option<f64>,
    /// Allowed regions (empty = any).
    pub regions: Vec<String>,
    /// Allowed industries (empty = any).
    pub industries: Vec<String>,
    /// Whether the rep holds a book: every status but leaving (README: reps.csv status).
    pub active: bool,
    /// Status on_leave: keeps their book, takes no new account.
    pub on_leave: bool,
    /// Status new (or absent from the previous roster): their book is carved near home.
    pub new: bool,
    /// manager_id ("" when not given): `--scope manager=`.
    pub manager: String,
    /// district ("" when not given): `--scope district=`.
    pub district: String,
    /// sales_region ("" when not given): `--scope sales_region=`.
    pub sales_region: String,
    /// Outside the run's `--scope` (set by the checker): keeps the book it is pinned to,
    /// takes nothing else, its book is its target.
    pub frozen: bool,
    /// Problems our own parsing found in the row's values.
    pub bad_values: Vec<String>,
}

impl InRep {
    /// Whether the role owns accounts (empty, AE or owner).
    pub fn owner_role(&self) -> bool {
        let r = self.role.trim().to_lowercase();
        r.is_empty() || r == "ae" || r == "owner"
    }

    /// Whether the rep may cover an account of this region and industry.
    pub fn eligible(&self, region: &str, industry: &str) -> bool {
        let ok = |list: &[String], v: &str| {
            list.is_empty() || list.iter().any(|x| x.trim().eq_ignore_ascii_case(v.trim()))
        };
        ok(&self.regions, region) && ok(&self.industries, industry)
    }
}

/// A decimal number, with a decimal comma allowed ("40,7").
fn decimal(t: &str) -> Result<f64, std::num::ParseFloatError> {
    t.parse::<f64>().or_else(|e| {
        if t.matches(',').count() == 1 && !t.contains('.') {
            t.replace(',', ".").parse()
        } else {
            Err(e)
        }
    })
}

fn num(cell: &str, col: &str, bad: &mut Vec<String>) -> Option<f64> {
    let t = cell.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
        _ => {
            bad.push(format!("{col}={t:?}"));
            None
        }
    }
}

fn coords(lat: &str, lon: &str, bad: &mut Vec<String>) -> Option<(f64, f64)> {
    let (lat, lon) = (lat.trim(), lon.trim());
    if lat.is_empty() && lon.is_empty() {
        return None;
    }
    match (decimal(lat), decimal(lon)) {
        (Ok(a), Ok(o)) if a.abs() <= 90.0 && o.abs() <= 180.0 => Some((a, o)),
        _ => {
            bad.push(format!("lat/lon={lat:?}/{lon:?}"));
            None
        }
    }
}

fn boolean(cell: &str, bad: &mut Vec<String>) -> bool {
    match cell.trim().to_lowercase().as_str() {
        "" | "false" | "0" | "no" | "n" | "f" => false,
        "true" | "1" | "yes" | "y" | "t" => true,
        other => {
            bad.push(format!("locked={other:?}"));
            false
        }
    }
}

/// Reads accounts.csv with the given column mapping.
pub fn read_accounts(path: &Path, cols: &Columns) -> Vec<InAccount> {
    let t = read_csv(path);
    let has = |ours: &str| {
        cols.header(ours)
            .is_some_and(|h| t.headers.iter().any(|x| x.eq_ignore_ascii_case(h)))
    };
    let cell = |r: &Record, ours: &str| -> String {
        let Some(h) = cols.header(ours) else {
            return String::new();
        };
        r.cells
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(h))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    assert!(
        has("account_id"),
        "{}: no account_id column",
        path.display()
    );
    let seg_col = has("segment");
    t.records
        .iter()
        .map(|r| {
            let mut bad = Vec::new();
            let segment = if seg_col {
                Some(cell(r, "segment")).filter(|s| !s.is_empty())
            } else {
                None
            };
            InAccount {
                line: r.line,
                id: cell(r, "account_id"),
                segment,
                employees: num(&cell(r, "employees"), "employees", &mut bad),
                potential: num(&cell(r, "potential"), "potential", &mut bad),
                workload: num(&cell(r, "workload"), "workload", &mut bad).unwrap_or(0.0),
                coords: coords(&cell(r, "lat"), &cell(r, "lon"), &mut bad),
                industry: cell(r, "industry"),
                region: cell(r, "region"),
                owner: cell(r, "owner_id"),
                parent: cell(r, "parent_id"),
                locked: boolean(&cell(r, "locked"), &mut bad),
                bad_values: bad,
            }
        })
        .collect()
}

/// Reads reps.csv (our headers).
pub fn read_reps(path: &Path) -> Vec<InRep> {
    let t = read_csv(path);
    let list = |s: &str| -> Vec<String> {
        s.split(';')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    t.records
        .iter()
        .map(|r| {
            let g = |h: &str| r.get(h).trim().to_string();
            let mut bad = Vec::new();
            let fte = match g("fte").as_str() {
                "" => 1.0,
                s => match s.parse::<f64>() {
                    Ok(v) if v > 0.0 && v <= 1.0 => v,
                    _ => {
                        bad.push(format!("fte={s:?}"));
                        1.0
                    }
                },
            };
            let status = g("status").to_lowercase();
            let (active, on_leave, new, ramping) = match status.as_str() {
                "" | "active" => (true, false, false, false),
                "leaving" => (false, false, false, false),
                "on_leave" | "on leave" => (true, true, false, false),
                "new" => (true, false, true, false),
                "ramping" => (true, false, false, true),
                other => {
                    bad.push(format!("status={other:?}"));
                    (false, false, false, false)
                }
            };
            // README: a ramping rep holds [roster] ramp_fte (0.5 by default) of their fte.
            let fte = if ramping { fte * 0.5 } else { fte };
            InRep {
                line: r.line,
                id: g("rep_id"),
                name: g("name"),
                segment: g("segment"),
                role: g("role"),
                coords: coords(&g("lat"), &g("lon"), &mut bad),
                fte,
                max_accounts: num(&g("max_accounts"), "max_accounts", &mut bad).map(f64::floor),
                max_workload: num(&g("max_workload"), "max_workload", &mut bad),
                max_potential: num(&g("max_potential"), "max_potential", &mut bad),
                regions: list(&g("regions")),
                industries: list(&g("industries")),
                active,
                on_leave,
                new,
                manager: g("manager_id"),
                district: g("district"),
                sales_region: g("sales_region"),
                frozen: false,
                bad_values: bad,
            }
        })
        .collect()
}

/// One row of rejects.csv.
#[derive(Clone, Debug)]
pub struct Reject {
    /// File as the product names it.
    pub file: String,
    /// Row (line) number.
    pub row: u64,
    /// Key of the row (unescaped).
    pub id: String,
    /// Column(s) named.
    pub column: String,
    /// Why.
    pub reason: String,
    /// How to fix it.
    pub hint: String,
}

/// Reads OUT/rejects.csv (empty when absent).
pub fn read_rejects(out: &Path) -> Vec<Reject> {
    let p = out.join("rejects.csv");
    if !p.exists() {
        return Vec::new();
    }
    let t = read_csv(&p);
    for h in ["file", "row", "id", "column", "reason", "hint"] {
        assert!(
            t.headers.iter().any(|x| x == h),
            "rejects.csv lacks column {h}: {:?}",
            t.headers
        );
    }
    t.records
        .iter()
        .map(|r| Reject {
            file: unescaped(r.get("file")),
            row: r
                .get("row")
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("rejects.csv: row {:?} is not a number", r.get("row"))),
            id: r.get("id").to_string(),
            column: unescaped(r.get("column")),
            reason: unescaped(r.get("reason")),
            hint: unescaped(r.get("hint")),
        })
        .collect()
}

/// Whether the `file` cell of rejects.csv refers to `path`.
pub fn names_file(cell: &str, path: &Path) -> bool {
    let cell_path = Path::new(cell);
    if cell_path == path {
        return true;
    }
    if let (Ok(a), Ok(b)) = (cell_path.canonicalize(), path.canonicalize()) {
        return a == b;
    }
    cell_path.file_name().is_some() && cell_path.file_name() == path.file_name()
}

// ---------------------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------------------

/// What to check a run against.
#[derive(Clone, Debug)]
pub struct Spec {
    /// accounts.csv given to the run.
    pub accounts: PathBuf,
    /// reps.csv given to the run.
    pub reps: PathBuf,
    /// Output folder of the run.
    pub out: PathBuf,
    /// Header mapping of accounts.csv.
    pub columns: Columns,
    /// Segment rules (used when accounts.csv has no segment column).
    pub rules: Vec<Rule>,
    /// Balance band in percent.
    pub band_pct: f64,
    /// Balanced metrics ("potential", "workload", "accounts").
    pub metrics: Vec<String>,
    /// The band is a hard constraint (the default in every objective; `[balance] hard =
    /// false` makes it a reported target).
    pub hard_band: bool,
    /// pairs.csv given to the run: only its accepted (account, rep) pairs may be assigned.
    pub pairs: Option<PathBuf>,
    /// Travel cap (`[compactness] max_km`): every located account within this many
    /// great-circle km of its rep's home, when the rep has one.
    pub max_km: Option<f64>,
    /// Disruption budget (`[disruption] max_moves`): at most this many owned accounts move.
    pub max_moves: Option<u64>,
    /// Disruption budget (`[disruption] max_moved_pct`): at most this percentage of the
    /// owned accounts move.
    pub max_moved_pct: Option<f64>,
    /// The plan's objective as the test states it: summary.json `plan.objective` must be
    /// this name. The checker recomputes the objective of the plan as applied (summary.json
    /// `plan`) whether or not it is given.
    pub objective: Option<String>,
    /// Further assignments the test states are feasible under the run's rules (files with
    /// `account_id` and `rep_id` columns, e.g. another run's assignments.csv): the checker
    /// verifies each with its own rule code and that summary.json `lower_bound` does not
    /// exceed its objective.
    pub also_feasible: Vec<PathBuf>,
    /// The previous roster given with `--previous-reps`: its reps missing from reps.csv
    /// leave, reps of reps.csv missing from it are new.
    pub previous_reps: Option<PathBuf>,
    /// Tiers the test states for these accounts (tier triggers): they replace the rules.
    pub tiers: BTreeMap<String, String>,
    /// The previous proposal given with `--previous` (account_id, rep_id): ties break
    /// toward it, `accept` keeps it, changes_vs_previous.csv lists what differs.
    pub previous: Option<PathBuf>,
    /// decisions.csv given with `--decisions`: every decided account, and its family, ends
    /// where the decision says.
    pub decisions: Option<PathBuf>,
    /// `--scope KEY=VALUE[,VALUE]` as given: accounts outside keep their previous rep, reps
    /// outside take nothing and their book is their target.
    pub scope: Option<String>,
}

impl Spec {
    /// A spec with our default columns, rules, band (2 %) and metrics (potential, workload).
    pub fn new(accounts: &Path, reps: &Path, out: &Path) -> Spec {
        Spec {
            accounts: accounts.to_path_buf(),
            reps: reps.to_path_buf(),
            out: out.to_path_buf(),
            columns: Columns::ours(),
            rules: default_rules(),
            band_pct: 2.0,
            metrics: vec!["potential".into(), "workload".into()],
            hard_band: true,
            pairs: None,
            max_km: None,
            max_moves: None,
            max_moved_pct: None,
            objective: None,
            also_feasible: Vec::new(),
            previous_reps: None,
            tiers: BTreeMap::new(),
            previous: None,
            decisions: None,
            scope: None,
        }
    }

    /// The run was given `--previous path` (a proposal: account_id, rep_id).
    pub fn previous_assignment(mut self, path: &Path) -> Spec {
        self.previous = Some(path.to_path_buf());
        self
    }

    /// The run was given `--decisions path`.
    pub fn decisions(mut self, path: &Path) -> Spec {
        self.decisions = Some(path.to_path_buf());
        self
    }

    /// The run was given `--scope text` (`region=West`, `rep=R1,R2`, …).
    pub fn scope(mut self, text: &str) -> Spec {
        self.scope = Some(text.to_string());
        self
    }

    /// The run was given `--previous-reps path`.
    pub fn previous_reps(mut self, path: &Path) -> Spec {
        self.previous_reps = Some(path.to_path_buf());
        self
    }

    /// The test states the tier of these accounts (account_id → segment).
    pub fn tiers(mut self, tiers: BTreeMap<String, String>) -> Spec {
        self.tiers = tiers;
        self
    }

    /// Sets the balanced metrics.
    pub fn metrics(mut self, metrics: &[&str]) -> Spec {
        self.metrics = metrics.iter().map(|m| m.to_string()).collect();
        self
    }

    /// Sets the travel cap in km.
    pub fn max_km(mut self, km: f64) -> Spec {
        self.max_km = Some(km);
        self
    }

    /// Sets the disruption budget in accounts.
    pub fn max_moves(mut self, moves: u64) -> Spec {
        self.max_moves = Some(moves);
        self
    }

    /// Sets the disruption budget as a percentage of the owned accounts.
    pub fn max_moved_pct(mut self, pct: f64) -> Spec {
        self.max_moved_pct = Some(pct);
        self
    }

    /// States the plan's objective ("redesign", "rebalance", "travel", "cost"): summary.json
    /// `plan.objective` must be this name.
    pub fn objective(mut self, name: &str) -> Spec {
        self.objective = Some(name.to_string());
        self
    }

    /// Sets the pairs file of the run.
    pub fn pairs(mut self, path: &Path) -> Spec {
        self.pairs = Some(path.to_path_buf());
        self
    }

    /// Adds an assignment (account_id, rep_id columns) that is feasible under the run's
    /// rules: the checker verifies it is, and that the run's lower bound is not above its
    /// objective.
    pub fn also_feasible(mut self, assignments: &Path) -> Spec {
        self.also_feasible.push(assignments.to_path_buf());
        self
    }

    /// [`Spec::new`] for the accounts and reps of fixture folder `name`.
    pub fn of_fixture(name: &str, out: &Path) -> Spec {
        Spec::new(
            &fixture(&format!("{name}/accounts.csv")),
            &fixture(&format!("{name}/reps.csv")),
            out,
        )
    }

    /// Sets the band.
    pub fn band(mut self, pct: f64) -> Spec {
        self.band_pct = pct;
        self
    }

    /// Sets the column mapping.
    pub fn columns(mut self, c: Columns) -> Spec {
        self.columns = c;
        self
    }

    /// Makes the band hard (the default).
    pub fn hard(mut self) -> Spec {
        self.hard_band = true;
        self
    }

    /// Makes the band a reported target only (`[balance] hard = false`).
    pub fn soft(mut self) -> Spec {
        self.hard_band = false;
        self
    }
}

/// One row of assignments.csv, unescaped.
#[derive(Clone, Debug)]
pub struct Assigned {
    /// account_id.
    pub account: String,
    /// rep_id.
    pub rep: String,
    /// previous_rep_id.
    pub previous: String,
    /// segment.
    pub segment: String,
    /// moved.
    pub moved: bool,
    /// reason_code.
    pub reason_code: String,
    /// reason.
    pub reason: String,
}

/// What the checker made of the current owners' book (every account on its `owner_id`).
#[derive(Clone, Debug, Default)]
pub struct Book {
    /// Segments where the book keeps every rule, with its objective there.
    pub feasible: BTreeMap<String, f64>,
    /// Segments where it does not, with the rules it breaks (the first few).
    pub infeasible: BTreeMap<String, Vec<String>>,
    /// The whole book's objective, when it keeps every rule in every segment.
    pub objective: Option<f64>,
}

/// What the checker recomputed, for further assertions by the tests.
#[derive(Clone, Debug)]
pub struct Checked {
    /// assignments.csv rows.
    pub rows: Vec<Assigned>,
    /// Accounts per segment (segment name as assignments.csv spells it).
    pub segment_counts: BTreeMap<String, usize>,
    /// Accounts that had an owner.
    pub owned: usize,
    /// Accounts whose owner changes.
    pub moved: usize,
    /// Rows of rejects.csv.
    pub rejects: Vec<Reject>,
    /// summary.json.
    pub summary: Value,
    /// The objective the checker recomputed for the run's assignment (None when it could
    /// not: see `limitations`).
    pub objective: Option<f64>,
    /// The current owners' book: where it is feasible and what it would score.
    pub book: Book,
    /// What the checker could not recompute for this run, each with the reason (empty
    /// when it recomputed every figure). [`check`] prints them.
    pub limitations: Vec<String>,
    /// The review loop's figures (`--previous`, `--decisions`, `--scope`).
    pub review: ReviewFigs,
}

impl Checked {
    /// The rep of an account.
    pub fn rep_of(&self, account: &str) -> &str {
        self.rows
            .iter()
            .find(|r| r.account == account)
            .map(|r| r.rep.as_str())
            .unwrap_or_else(|| panic!("{account} is not in assignments.csv"))
    }
}

const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle (haversine) distance in km between two (lat, lon) points in degrees.
pub fn great_circle_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let dp = p2 - p1;
    let dl = (b.1 - a.1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

fn find_root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn close(a: f64, b: f64, abs: f64) -> bool {
    (a - b).abs() <= abs + 1e-9 * a.abs().max(b.abs())
}

fn cell_f64(cell: &str) -> Option<f64> {
    cell.trim().parse().ok()
}

/// Relative tolerance of a recomputed figure against the reported one (of the larger of
/// the two, or of the sum of the absolute terms for the objective).
pub const REL_TOL: f64 = 1e-7;

/// Absolute tolerance of a recomputed figure (below any meaningful difference).
pub const ABS_TOL: f64 = 1e-9;

/// Whether a reported figure agrees with the recomputed one: within [`ABS_TOL`] +
/// [`REL_TOL`] × `scale`.
fn agrees(got: f64, want: f64, scale: f64) -> bool {
    (got - want).abs() <= ABS_TOL + REL_TOL * scale.abs().max(got.abs()).max(want.abs())
}

/// Whether a lower bound holds against an objective value: at most 1e-6 + 1e-7 relative
/// above it (the tolerance of an LP-derived bound).
fn bound_holds(lb: f64, objective: f64) -> bool {
    lb <= objective + 1e-6 + 1e-7 * objective.abs()
}

/// Metric names in slot order, as the plan names them.
const METRICS: [&str; 3] = ["potential", "workload", "accounts"];

/// Metric keys of a segment in summary.json, in slot order.
const SUMMARY_METRICS: [&str; 3] = ["potential", "workload", "account_count"];

fn metric_slot(m: &str) -> Option<usize> {
    METRICS.iter().position(|x| *x == m)
}

/// The objectives whose value the checker recomputes.
pub const KNOWN_OBJECTIVES: [&str; 4] = ["redesign", "rebalance", "travel", "cost"];

/// The plan as applied, as summary.json `plan` states it: what the rules and the
/// objective read (README: Rules and objectives, Figures).
#[derive(Clone, Debug)]
pub struct PlanTerms {
    /// `objective`.
    pub objective: String,
    /// `[balance] metrics` as slots (potential 0, workload 1, accounts 2).
    pub metrics: Vec<usize>,
    /// Objective weight of each slot's max |deviation| (`[balance] weights`, 1 by default;
    /// 0 where the metric is not balanced).
    pub weights: [f64; 3],
    /// `[balance] band_pct`.
    pub band_pct: f64,
    /// `[balance] hard`.
    pub hard: bool,
    /// `[disruption] weight`.
    pub disruption_weight: f64,
    /// What disruption counts: `[disruption] measure` ("accounts", "potential",
    /// "workload"), else "potential" with `by_potential = true`, else "accounts".
    pub measure: String,
    /// `[disruption] max_moves`.
    pub max_moves: Option<u64>,
    /// `[disruption] max_moved_pct`.
    pub max_moved_pct: Option<f64>,
    /// `[disruption] max_moved_potential_pct`.
    pub max_moved_potential_pct: Option<f64>,
    /// `[disruption] max_moved_workload_pct`.
    pub max_moved_workload_pct: Option<f64>,
    /// `[compactness] weight`.
    pub compactness_weight: f64,
    /// `[[segments]] compactness` of the first rule of each name (by segment key).
    pub segment_compactness: BTreeMap<String, Option<f64>>,
    /// `[compactness] max_km`.
    pub max_km: Option<f64>,
    /// `[pairs] weight`.
    pub pairs_weight: f64,
}

impl PlanTerms {
    /// Reads summary.json `plan`; the error names the first key missing or mistyped.
    pub fn of_summary(s: &Value) -> Result<PlanTerms, String> {
        let p = &s["plan"];
        if !p.is_object() {
            return Err("summary.json has no `plan` object (the plan as applied)".into());
        }
        let num = |v: &Value, key: &str| {
            v.as_f64()
                .ok_or_else(|| format!("summary.json plan.{key} = {v} is not a number"))
        };
        let opt_num = |v: &Value, key: &str| {
            if v.is_null() {
                Ok(None)
            } else {
                num(v, key).map(Some)
            }
        };
        let flag = |v: &Value, key: &str| {
            v.as_bool()
                .ok_or_else(|| format!("summary.json plan.{key} = {v} is not a boolean"))
        };
        let objective = p["objective"]
            .as_str()
            .ok_or_else(|| format!("summary.json plan.objective = {}", p["objective"]))?
            .to_string();
        let bal = &p["balance"];
        let mut metrics = Vec::new();
        for m in bal["metrics"]
            .as_array()
            .ok_or_else(|| format!("summary.json plan.balance.metrics = {}", bal["metrics"]))?
        {
            let name = m.as_str().unwrap_or_default();
            let k = metric_slot(name)
                .ok_or_else(|| format!("summary.json plan.balance.metrics has {m}"))?;
            if !metrics.contains(&k) {
                metrics.push(k);
            }
        }
        let mut weights = [0.0; 3];
        for &k in &metrics {
            weights[k] = match &bal["weights"][METRICS[k]] {
                Value::Null => 1.0,
                v => num(v, &format!("balance.weights.{}", METRICS[k]))?,
            };
        }
        let dis = &p["disruption"];
        let comp = &p["compactness"];
        let mut segment_compactness = BTreeMap::new();
        for seg in p["segments"].as_array().into_iter().flatten() {
            let name = seg_key(seg["name"].as_str().unwrap_or_default());
            let w = opt_num(&seg["compactness"], "segments.compactness")?;
            segment_compactness.entry(name).or_insert(w);
        }
        Ok(PlanTerms {
            objective,
            metrics,
            weights,
            band_pct: num(&bal["band_pct"], "balance.band_pct")?,
            hard: flag(&bal["hard"], "balance.hard")?,
            disruption_weight: num(&dis["weight"], "disruption.weight")?,
            measure: match &dis["measure"] {
                Value::Null => {
                    if flag(&dis["by_potential"], "disruption.by_potential")? {
                        "potential".into()
                    } else {
                        "accounts".into()
                    }
                }
                Value::String(m) if ["accounts", "potential", "workload"].contains(&m.as_str()) => {
                    m.clone()
                }
                v => return Err(format!("summary.json plan.disruption.measure = {v}")),
            },
            max_moves: opt_num(&dis["max_moves"], "disruption.max_moves")?.map(|x| x as u64),
            max_moved_pct: opt_num(&dis["max_moved_pct"], "disruption.max_moved_pct")?,
            max_moved_potential_pct: opt_num(
                &dis["max_moved_potential_pct"],
                "disruption.max_moved_potential_pct",
            )?,
            max_moved_workload_pct: opt_num(
                &dis["max_moved_workload_pct"],
                "disruption.max_moved_workload_pct",
            )?,
            compactness_weight: num(&comp["weight"], "compactness.weight")?,
            segment_compactness,
            max_km: opt_num(&comp["max_km"], "compactness.max_km")?,
            pairs_weight: num(&p["pairs"]["weight"], "pairs.weight")?,
        })
    }

    /// The compactness weight of a segment (its rule's override, else the plan's).
    pub fn compactness(&self, segment: &str) -> f64 {
        self.segment_compactness
            .get(segment)
            .copied()
            .flatten()
            .unwrap_or(self.compactness_weight)
    }
}

/// The rules an assignment must keep, as the checker reads them from the spec and from the
/// plan as applied (each rule stated by either holds).
#[derive(Clone, Debug, Default)]
struct Rules {
    /// Hard bands: (metric slot, band in percent); the tightest per metric.
    bands: Vec<(usize, f64)>,
    /// Travel cap in km.
    max_km: Option<f64>,
    /// Budget in moved accounts.
    max_moves: Option<u64>,
    /// Budget in percent of the owned accounts.
    max_moved_pct: Option<f64>,
    /// Budget in percent of the owned accounts' potential.
    max_moved_potential_pct: Option<f64>,
    /// Budget in percent of the owned accounts' workload.
    max_moved_workload_pct: Option<f64>,
}

impl Rules {
    fn band(&mut self, slot: usize, pct: f64) {
        match self.bands.iter_mut().find(|b| b.0 == slot) {
            Some(b) => b.1 = b.1.min(pct),
            None => self.bands.push((slot, pct)),
        }
    }

    fn of(spec: &Spec, plan: Option<&PlanTerms>) -> Rules {
        let min_f = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        let mut r = Rules {
            max_km: spec.max_km,
            max_moves: spec.max_moves,
            max_moved_pct: spec.max_moved_pct,
            ..Rules::default()
        };
        if spec.hard_band {
            for m in &spec.metrics {
                let k = metric_slot(m).unwrap_or_else(|| panic!("unknown metric {m}"));
                r.band(k, spec.band_pct);
            }
        }
        if let Some(p) = plan {
            if p.hard {
                for &k in &p.metrics {
                    r.band(k, p.band_pct);
                }
            }
            r.max_km = min_f(r.max_km, p.max_km);
            r.max_moves = match (r.max_moves, p.max_moves) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            r.max_moved_pct = min_f(r.max_moved_pct, p.max_moved_pct);
            r.max_moved_potential_pct = p.max_moved_potential_pct;
            r.max_moved_workload_pct = p.max_moved_workload_pct;
        }
        r
    }
}

/// Accepted pairs.csv rows: (account_id, rep_id) → (cost, workload), None where the cell
/// is not a plain number (an empty workload is the account's own).
type PairTable = BTreeMap<(String, String), (Option<f64>, Option<f64>)>;

/// The accepted input, as the checker reads it from the raw rows and rejects.csv.
struct Input {
    /// Accepted accounts, by account_id.
    acc: Vec<InAccount>,
    /// Accepted reps, in file order.
    reps: Vec<InRep>,
    /// Rep index by rep_id.
    rep_idx: HashMap<String, usize>,
    /// Family (root index) of each account.
    fam: Vec<usize>,
    /// Segment key of each account (its family's; a lock's rep's).
    seg_of: Vec<String>,
    /// Rep a family is locked to.
    fam_lock: HashMap<usize, String>,
    /// Accepted pairs with their cost and workload (None: not a plain number / empty).
    pairs: Option<PairTable>,
    /// Per segment: totals (potential, workload, accounts).
    seg_total: BTreeMap<String, [f64; 3]>,
    /// Per segment: Σ fte of the reps taking accounts.
    seg_fte: BTreeMap<String, f64>,
    /// Per segment: the reps taking accounts (active, owner role), in file order.
    seg_reps: BTreeMap<String, Vec<usize>>,
    /// Per rep on leave: the book they keep (families all theirs, or locked to them).
    leave_book: BTreeMap<usize, [f64; 3]>,
    /// Per segment: Σ of the books kept by reps on leave.
    seg_leave: BTreeMap<String, [f64; 3]>,
    /// Rep a family is pinned to by a decision or by `--scope` (family root → rep_id).
    fam_pin: HashMap<usize, String>,
    /// Per family (root): the rep the previous proposal gave all its accounts, when the
    /// family may still go there (`--previous`).
    proposal: HashMap<usize, usize>,
    /// Per segment: its families (units).
    seg_units: BTreeMap<String, usize>,
    /// Account indices a decision names (reason code `decision`).
    decided: BTreeSet<usize>,
    /// Whether the run was given `--previous`.
    with_previous: bool,
}

impl Input {
    /// Whether rep `r` takes accounts: active, an owner role, of a segment with accounts.
    fn takes(&self, r: usize) -> bool {
        let rep = &self.reps[r];
        rep.active && rep.owner_role() && self.seg_total.contains_key(&seg_key(&rep.segment))
    }

    /// Target of rep `r` on each metric (0 when it takes no accounts). README: a rep on
    /// leave keeps their book as their target; the others share the rest by fte.
    fn target(&self, r: usize) -> [f64; 3] {
        if !self.takes(r) {
            return [0.0; 3];
        }
        if self.reps[r].on_leave || self.reps[r].frozen {
            return self.leave_book.get(&r).copied().unwrap_or_default();
        }
        let sk = seg_key(&self.reps[r].segment);
        let tot = self.seg_total[&sk];
        let kept = self.seg_leave.get(&sk).copied().unwrap_or_default();
        let share = self.reps[r].fte / self.seg_fte[&sk];
        std::array::from_fn(|k| (tot[k] - kept[k]).max(0.0) * share)
    }

    /// The rep on leave (or outside the scope) who keeps account `i`: its family is locked
    /// or pinned to them, or (on leave) they own every account of it.
    fn kept_by(&self, i: usize) -> Option<usize> {
        let f = self.fam[i];
        if let Some(id) = self.fam_pin.get(&f).or_else(|| self.fam_lock.get(&f)) {
            let r = self.rep_idx[id];
            return (self.reps[r].on_leave || self.reps[r].frozen).then_some(r);
        }
        let owner = self.rep_idx.get(&self.acc[i].owner).copied()?;
        if !self.reps[owner].on_leave {
            return None;
        }
        let all = (0..self.acc.len())
            .filter(|&j| self.fam[j] == f)
            .all(|j| self.acc[j].owner == self.acc[i].owner);
        all.then_some(owner)
    }

    /// The pair (cost, workload) of account `i` on rep id `rep`, when pairs.csv lists it.
    fn pair(&self, i: usize, rep: &str) -> Option<(Option<f64>, Option<f64>)> {
        self.pairs
            .as_ref()?
            .get(&(self.acc[i].id.clone(), rep.to_string()))
            .copied()
    }
}

/// Figures of one segment of an assignment.
#[derive(Clone, Debug, Default)]
struct SegFigs {
    /// max |deviation| per slot.
    max_dev: [f64; 3],
    /// Coefficient of variation of fte-normalised loads per slot.
    cv: [f64; 3],
    /// Max / min of fte-normalised loads per slot (None when the least is 0).
    ratio: [Option<f64>; 3],
    /// Accounts with an owner.
    owned: usize,
    /// Their potential.
    owned_pot: f64,
    /// Their own workload (accounts.csv).
    owned_work: f64,
    /// Owned accounts whose rep is not their owner.
    moved: usize,
    /// Their potential.
    moved_pot: f64,
    /// Their own workload (accounts.csv).
    moved_work: f64,
    /// Σ km over the located accounts (coordinates, and a rep with a home).
    km: f64,
    /// Located accounts.
    located: usize,
    /// Σ pairs.csv cost.
    pair_cost: f64,
    /// Whether every rep of the segment has a home (the compactness term counts only then).
    all_homes: bool,
    /// Accounts of the segment with coordinates.
    with_coords: usize,
    /// Σ km over the located accounts assigned to new reps.
    new_km: f64,
    /// Whether the run had a previous proposal (`--previous`): the off-proposal term counts.
    proposal: bool,
    /// Units (families) of the segment.
    units: usize,
    /// Families the proposal gave one rep they may still go to, ending elsewhere.
    off_units: usize,
}

impl SegFigs {
    fn mean_km(&self) -> Option<f64> {
        (self.located > 0).then(|| self.km / self.located as f64)
    }

    /// The owned and the moved total of a disruption measure ("accounts", "potential",
    /// "workload").
    fn owned_moved(&self, measure: &str) -> (f64, f64) {
        match measure {
            "potential" => (self.owned_pot, self.moved_pot),
            "workload" => (self.owned_work, self.moved_work),
            _ => (self.owned as f64, self.moved as f64),
        }
    }
}

/// Figures of one assignment: loads, deviations, distances, moves, per segment.
struct Figs {
    /// Per accepted rep: potential, workload (pair workloads where pairs.csv gives them),
    /// accounts.
    load: Vec<[f64; 3]>,
    /// Per rep: Σ km and located accounts.
    km: Vec<(f64, usize)>,
    /// Per rep: load / target − 1 (0 where the target is 0).
    dev: Vec<[f64; 3]>,
    /// Per segment key.
    segs: BTreeMap<String, SegFigs>,
    /// Accounts on a pair whose cost is not a number.
    bad_costs: Vec<String>,
}

impl Figs {
    fn total<T: std::iter::Sum<T>>(&self, f: impl Fn(&SegFigs) -> T) -> T {
        self.segs.values().map(f).sum()
    }
}

/// The figures of `rep_of` (account index → rep index; None = no accepted rep).
fn figures(inp: &Input, rep_of: &[Option<usize>]) -> Figs {
    let nr = inp.reps.len();
    let mut load = vec![[0.0f64; 3]; nr];
    let mut km = vec![(0.0f64, 0usize); nr];
    let mut segs: BTreeMap<String, SegFigs> = inp
        .seg_total
        .keys()
        .map(|k| (k.clone(), SegFigs::default()))
        .collect();
    let mut bad_costs = Vec::new();
    for (i, a) in inp.acc.iter().enumerate() {
        let sf = segs.entry(inp.seg_of[i].clone()).or_default();
        let rep = rep_of[i];
        if !a.owner.is_empty() {
            sf.owned += 1;
            sf.owned_pot += a.potential.unwrap_or(0.0);
            sf.owned_work += a.workload;
            if rep.is_none_or(|r| inp.reps[r].id != a.owner) {
                sf.moved += 1;
                sf.moved_pot += a.potential.unwrap_or(0.0);
                sf.moved_work += a.workload;
            }
        }
        if a.coords.is_some() {
            sf.with_coords += 1;
        }
        let Some(r) = rep else { continue };
        let pair = inp.pair(i, &inp.reps[r].id);
        let work = match pair {
            Some((cost, w)) => {
                match cost {
                    Some(c) => sf.pair_cost += c,
                    None => bad_costs.push(a.id.clone()),
                }
                w.unwrap_or(a.workload)
            }
            None => a.workload,
        };
        load[r][0] += a.potential.unwrap_or(0.0);
        load[r][1] += work;
        load[r][2] += 1.0;
        if let (Some(p), Some(h)) = (a.coords, inp.reps[r].coords) {
            let d = great_circle_km(h, p);
            km[r].0 += d;
            km[r].1 += 1;
            sf.km += d;
            sf.located += 1;
            if inp.reps[r].new {
                sf.new_km += d;
            }
        }
    }
    // README: with --previous, a family the proposal gave one rep it may still go to counts
    // when any of its accounts ends elsewhere.
    if inp.with_previous {
        let off: BTreeSet<usize> = (0..inp.acc.len())
            .filter(|&i| {
                inp.proposal
                    .get(&inp.fam[i])
                    .is_some_and(|&p| rep_of[i] != Some(p))
            })
            .map(|i| inp.fam[i])
            .collect();
        for f in off {
            if let Some(sf) = segs.get_mut(&inp.seg_of[f]) {
                sf.off_units += 1;
            }
        }
    }
    for (sk, sf) in segs.iter_mut() {
        sf.units = inp.seg_units.get(sk).copied().unwrap_or(0);
        sf.proposal = inp.with_previous;
    }
    let dev: Vec<[f64; 3]> = (0..nr)
        .map(|r| {
            let t = inp.target(r);
            std::array::from_fn(|k| {
                if t[k] > 0.0 {
                    load[r][k] / t[k] - 1.0
                } else {
                    0.0
                }
            })
        })
        .collect();
    for (sk, reps) in &inp.seg_reps {
        let Some(sf) = segs.get_mut(sk) else { continue };
        sf.all_homes = reps.iter().all(|&r| inp.reps[r].coords.is_some());
        for k in 0..3 {
            sf.max_dev[k] = reps.iter().map(|&r| dev[r][k].abs()).fold(0.0, f64::max);
            let norm: Vec<f64> = reps.iter().map(|&r| load[r][k] / inp.reps[r].fte).collect();
            if norm.is_empty() {
                continue;
            }
            let n = norm.len() as f64;
            let mean = norm.iter().sum::<f64>() / n;
            let var = norm.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
            sf.cv[k] = if mean > 0.0 { var.sqrt() / mean } else { 0.0 };
            let lo = norm.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = norm.iter().copied().fold(0.0, f64::max);
            sf.ratio[k] = (lo > 0.0).then(|| hi / lo);
        }
    }
    Figs {
        load,
        km,
        dev,
        segs,
        bad_costs,
    }
}

/// One segment's objective under the plan (README: Figures): the value, the sum of the
/// absolute terms (the scale of its tolerance) and the terms in words. None when the
/// objective is not one the checker knows.
fn seg_objective(plan: &PlanTerms, sk: &str, sf: &SegFigs) -> Option<(f64, f64, String)> {
    let balance: f64 = plan
        .metrics
        .iter()
        .map(|&k| plan.weights[k] * sf.max_dev[k])
        .sum();
    let (owned_m, moved_m) = sf.owned_moved(&plan.measure);
    let share = if owned_m > 0.0 {
        moved_m / owned_m
    } else {
        0.0
    };
    // README: compactness counts only in a segment where every rep has a home.
    let compact = if sf.all_homes {
        plan.compactness(sk) * sf.mean_km().unwrap_or(0.0) / 100.0
    } else {
        0.0
    };
    // README: rebalance counts moved accounts, or measuring potential (workload) the moved
    // share of the owned potential (workload) in account units (× owned accounts).
    let moved = if plan.measure == "accounts" {
        sf.moved as f64
    } else {
        share * sf.owned as f64
    };
    let pairs = plan.pairs_weight * sf.pair_cost;
    let mut terms: Vec<(&str, f64)> = match plan.objective.as_str() {
        "redesign" => vec![
            ("Σ weight × max |deviation|", balance),
            (
                "disruption weight × moved share",
                plan.disruption_weight * share,
            ),
            ("compactness weight × mean km / 100", compact),
            ("pairs weight × pair cost", pairs),
        ],
        "rebalance" => vec![
            ("moved accounts (potential, workload: share × owned)", moved),
            ("0.01 × Σ weight × max |deviation|", 0.01 * balance),
            ("0.01 × compactness weight × mean km / 100", 0.01 * compact),
            ("pairs weight × pair cost", pairs),
            // README: in a field segment, a new rep's km at 0.5 / 20,038 per located account.
            (
                "new reps' km × 0.5 / 20,038 / located accounts",
                if compact > 0.0 || (sf.all_homes && plan.compactness(sk) > 0.0) {
                    sf.new_km * 0.5 / 20_038.0 / (sf.with_coords.max(1) as f64)
                } else {
                    0.0
                },
            ),
        ],
        "travel" => vec![("total km", sf.km), ("pairs weight × pair cost", pairs)],
        "cost" => vec![("total pair cost", sf.pair_cost)],
        _ => return None,
    };
    if sf.proposal {
        terms.push((
            "families off the proposal × 0.5 × one move / families",
            off_proposal_cost(plan, sf),
        ));
    }
    let value = terms.iter().map(|t| t.1).sum();
    let scale = terms.iter().map(|t| t.1.abs()).sum();
    let words = terms
        .iter()
        .map(|(n, x)| format!("{n} = {x}"))
        .collect::<Vec<_>>()
        .join(" + ");
    Some((value, scale, format!("{sk}: {words}")))
}

/// README (`--previous`): each family the proposal gave one rep it may still go to costs,
/// when it ends elsewhere, 0.5 × the segment's cost of one moved account (1 under
/// `rebalance`, disruption weight / owned accounts under `redesign`; 1e-6 when that is 0 or
/// the objective has no disruption term) / the segment's families.
pub fn off_proposal_per_family(
    plan: &PlanTerms,
    owned: usize,
    owned_measure: f64,
    units: usize,
) -> f64 {
    let no_potential = plan.measure != "accounts" && owned_measure <= 0.0;
    let one_move = match plan.objective.as_str() {
        "redesign" if !no_potential => plan.disruption_weight / owned.max(1) as f64,
        "rebalance" if !no_potential => 1.0,
        _ => 0.0,
    };
    let one_move = if one_move > 0.0 { one_move } else { 1e-6 };
    0.5 * one_move / units.max(1) as f64
}

/// The off-proposal term of one segment (0 without `--previous`).
fn off_proposal_cost(plan: &PlanTerms, sf: &SegFigs) -> f64 {
    if !sf.proposal {
        return 0.0;
    }
    sf.off_units as f64
        * off_proposal_per_family(plan, sf.owned, sf.owned_moved(&plan.measure).0, sf.units)
}

/// Per-segment objectives of an assignment (None for every segment when the objective is
/// unknown or the plan unreadable).
fn objectives(plan: Option<&PlanTerms>, f: &Figs) -> Option<BTreeMap<String, (f64, f64, String)>> {
    let plan = plan?;
    f.segs
        .iter()
        .map(|(sk, sf)| seg_objective(plan, sk, sf).map(|o| (sk.clone(), o)))
        .collect()
}

/// A problem with the segment it concerns (None: the whole assignment).
type Problem = (Option<String>, String);

/// Every rule `rep_of` breaks, each with its segment: coverage, rep accepted / active /
/// owner role / of the account's segment, eligibility, pairs, locks, families, caps, hard
/// bands, the travel cap and the disruption budgets. `ids` are the reps as the assignment
/// names them (for messages about unknown reps).
fn rule_problems(
    inp: &Input,
    rules: &Rules,
    ids: &[String],
    rep_of: &[Option<usize>],
    f: &Figs,
) -> Vec<Problem> {
    let mut v: Vec<Problem> = Vec::new();
    let mut fam_rep: HashMap<usize, &str> = HashMap::new();
    for (i, a) in inp.acc.iter().enumerate() {
        let seg = Some(inp.seg_of[i].clone());
        let id = ids[i].as_str();
        let mut say = |m: String| v.push((seg.clone(), m));
        if id.is_empty() {
            say(format!("{}: no rep", a.id));
            continue;
        }
        if let Some(k) = inp.kept_by(i)
            && rep_of[i] != Some(k)
        {
            say(format!(
                "{}: {} keeps it (on leave, or outside --scope), but it moved",
                a.id, inp.reps[k].id
            ));
        }
        match rep_of[i] {
            None => say(format!("{}: rep {id:?} is not an accepted rep", a.id)),
            Some(r) => {
                let r = &inp.reps[r];
                if !r.active {
                    say(format!("{}: rep {} is not active", a.id, r.id));
                }
                if r.on_leave && inp.kept_by(i) != rep_of[i] {
                    say(format!(
                        "{}: rep {} is on leave and takes no account outside the book they keep",
                        a.id, r.id
                    ));
                }
                if r.frozen && inp.kept_by(i) != rep_of[i] {
                    say(format!(
                        "{}: rep {} is outside --scope and takes no account it was not pinned",
                        a.id, r.id
                    ));
                }
                if !r.owner_role() {
                    say(format!(
                        "{}: rep {} has role {:?}, which owns no accounts",
                        a.id, r.id, r.role
                    ));
                }
                if seg_key(&r.segment) != inp.seg_of[i] {
                    say(format!(
                        "{}: rep {} covers {:?}, the account is {:?}",
                        a.id, r.id, r.segment, inp.seg_of[i]
                    ));
                }
                if !r.eligible(&a.region, &a.industry) {
                    say(format!(
                        "{}: rep {} may not cover region {:?} / industry {:?}",
                        a.id, r.id, a.region, a.industry
                    ));
                }
                if let (Some(cap), Some(p), Some(h)) = (rules.max_km, a.coords, r.coords) {
                    let d = great_circle_km(h, p);
                    if d > cap + 1e-6 {
                        say(format!(
                            "{}: {d:.3} km from the home of {}, over the travel cap max_km = {cap}",
                            a.id, r.id
                        ));
                    }
                }
            }
        }
        if inp.pairs.is_some()
            && !inp.fam_lock.contains_key(&inp.fam[i])
            && inp.pair(i, id).is_none()
        {
            say(format!(
                "{}: assigned to {id}, a pair pairs.csv does not allow",
                a.id
            ));
        }
        if let Some(pin) = inp.fam_pin.get(&inp.fam[i])
            && id != pin
        {
            say(format!(
                "{}: its family is pinned to {pin} (a decision, or outside --scope), assigned to {id}",
                a.id
            ));
        }
        if let Some(owner) = inp.fam_lock.get(&inp.fam[i])
            && id != owner
        {
            say(format!(
                "{}: its family is locked to {owner}, assigned to {id}",
                a.id
            ));
        }
        match fam_rep.get(&inp.fam[i]) {
            Some(r) if *r != id => say(format!("{}: family split between {r} and {id}", a.id)),
            Some(_) => {}
            None => {
                fam_rep.insert(inp.fam[i], id);
            }
        }
    }
    for (r, rep) in inp.reps.iter().enumerate() {
        let seg = Some(seg_key(&rep.segment));
        let l = f.load[r];
        let mut say = |m: String| v.push((seg.clone(), m));
        if let Some(m) = rep.max_accounts
            && l[2] > m + 1e-9
        {
            say(format!(
                "{}: {} accounts over max_accounts {m}",
                rep.id, l[2]
            ));
        }
        if let Some(m) = rep.max_workload
            && l[1] > m + 1e-6
        {
            say(format!(
                "{}: workload {} over max_workload {m}",
                rep.id, l[1]
            ));
        }
        if let Some(m) = rep.max_potential
            && l[0] > m + 1e-6
        {
            say(format!(
                "{}: potential {} over max_potential {m}",
                rep.id, l[0]
            ));
        }
        if !inp.takes(r) {
            if l[2] > 0.0 {
                say(format!("{} takes no accounts but holds {}", rep.id, l[2]));
            }
            continue;
        }
        for &(k, pct) in &rules.bands {
            let d = f.dev[r][k];
            if d.abs() > pct / 100.0 + 1e-9 {
                say(format!(
                    "{} is outside the hard ±{pct}% band on {}: deviation {:.6}% (deviations {:?})",
                    rep.id,
                    METRICS[k],
                    d * 100.0,
                    f.dev[r]
                ));
            }
        }
    }
    let owned = f.total(|s| s.owned);
    let moved = f.total(|s| s.moved);
    if let Some(b) = rules.max_moves
        && moved as u64 > b
    {
        v.push((
            None,
            format!("{moved} accounts moved, over the budget max_moves = {b}"),
        ));
    }
    if let Some(pct) = rules.max_moved_pct
        && moved as f64 > pct / 100.0 * owned as f64 + 1e-9
    {
        v.push((
            None,
            format!(
                "{moved} of {owned} owned accounts moved, over the budget max_moved_pct = {pct}"
            ),
        ));
    }
    let (owned_work, moved_work) = (f.total(|s| s.owned_work), f.total(|s| s.moved_work));
    if let Some(pct) = rules.max_moved_workload_pct
        && moved_work > pct / 100.0 * owned_work * (1.0 + 1e-12) + 1e-9
    {
        v.push((
            None,
            format!(
                "workload {moved_work} of the owned {owned_work} moved, over the budget max_moved_workload_pct = {pct}"
            ),
        ));
    }
    let (owned_pot, moved_pot) = (f.total(|s| s.owned_pot), f.total(|s| s.moved_pot));
    if let Some(pct) = rules.max_moved_potential_pct
        && moved_pot > pct / 100.0 * owned_pot * (1.0 + 1e-12) + 1e-9
    {
        v.push((
            None,
            format!(
                "potential {moved_pot} of the owned {owned_pot} moved, over the budget max_moved_potential_pct = {pct}"
            ),
        ));
    }
    v
}

/// Reads an assignment file (account_id, rep_id) into rep ids per accepted account ("" where
/// it has none); the problems name rows of unknown or repeated accounts.
fn read_assignment(inp: &Input, path: &Path) -> (Vec<String>, Vec<String>) {
    let t = read_csv(path);
    let idx: HashMap<&str, usize> = inp
        .acc
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut ids = vec![String::new(); inp.acc.len()];
    let mut v = Vec::new();
    for r in &t.records {
        let account = r.get("account_id").to_string();
        match idx.get(account.as_str()) {
            None => v.push(format!(
                "{} line {}: account {account:?} is not an accepted account",
                path.display(),
                r.line
            )),
            Some(&i) if !ids[i].is_empty() => v.push(format!(
                "{} line {}: account {account:?} assigned twice",
                path.display(),
                r.line
            )),
            Some(&i) => ids[i] = r.get("rep_id").to_string(),
        }
    }
    (ids, v)
}

/// Rep indices of rep ids (None for "" and unknown ids).
/// The reason codes of assignments.csv (README: Outputs).
pub const REASON_CODES: [&str; 12] = [
    "kept",
    "locked",
    "white_space",
    "rep_leaving",
    "new_rep",
    "balance",
    "capacity",
    "eligibility",
    "tier_change",
    "compactness",
    "family",
    "decision",
];

/// What is wrong with account `i`'s reason code, from the raw rows: the code must be one of
/// [`REASON_CODES`]; an account without an owner is `white_space`, a locked one (or one of
/// a locked family) that stays `locked`, a kept one `kept`; a moved one whose owner is not an active rep is `rep_leaving`; and each
/// code that names a cause must have it: `tier_change` an owner of another segment,
/// `capacity` an owner whose current book breaks a cap, `new_rep` a new rep with no book,
/// `family` a family member owned by the new rep.
fn reason_code_problem(
    inp: &Input,
    i: usize,
    row: &Assigned,
    rep_of: &[Option<usize>],
) -> Option<String> {
    let a = &inp.acc[i];
    let code = row.reason_code.as_str();
    if !REASON_CODES.contains(&code) {
        return Some(format!("not one of {REASON_CODES:?}"));
    }
    // README: `decision` exactly for the accounts decisions.csv names, and the accounts of
    // their family that moved with them.
    let moved_now = !a.owner.is_empty() && row.rep != a.owner;
    if inp.decided.contains(&i)
        || (moved_now && inp.decided.iter().any(|&d| inp.fam[d] == inp.fam[i]))
    {
        return (code != "decision").then(|| {
            "expected decision (decisions.csv names it or a moved member of its family)".into()
        });
    }
    if code == "decision" {
        return Some("but no decision names the account".into());
    }
    let owner = inp.rep_idx.get(&a.owner).copied();
    let moved = !a.owner.is_empty() && row.rep != a.owner;
    let expected = if a.owner.is_empty() {
        Some("white_space")
    } else if (a.locked || inp.fam_lock.contains_key(&inp.fam[i])) && !moved {
        // Locked itself, or in a family locked to a rep.
        Some("locked")
    } else if !moved {
        Some("kept")
    } else if owner.is_none_or(|o| !inp.reps[o].active) {
        Some("rep_leaving")
    } else {
        None
    };
    if let Some(e) = expected {
        return (code != e).then(|| format!("expected {e}"));
    }
    if ["kept", "locked", "white_space", "rep_leaving"].contains(&code) {
        return Some("the account moved from an active owner".into());
    }
    let o = owner?;
    // The owners' current books.
    let book = |r: usize| {
        let mut l = [0.0f64; 3];
        for b in inp.acc.iter().filter(|b| b.owner == inp.reps[r].id) {
            l[0] += b.potential.unwrap_or(0.0);
            l[1] += b.workload;
            l[2] += 1.0;
        }
        l
    };
    match code {
        "tier_change" if seg_key(&inp.reps[o].segment) == inp.seg_of[i] => {
            Some("but its owner covers its segment".into())
        }
        "capacity" => {
            let (rep, l) = (&inp.reps[o], book(o));
            let over = |cap: Option<f64>, x: f64| cap.is_some_and(|c| x > c + 1e-9);
            (!(over(rep.max_potential, l[0])
                || over(rep.max_workload, l[1])
                || over(rep.max_accounts, l[2])))
            .then(|| "but its owner's current book keeps every cap".into())
        }
        "new_rep" => rep_of[i]
            .filter(|&n| inp.reps[n].new || book(n)[2] == 0.0)
            .is_none()
            .then(|| "but its new rep already had a book".into()),
        "family" => {
            let fam = inp.fam[i];
            let shared = (0..inp.acc.len())
                .any(|j| inp.fam[j] == fam && j != i && inp.acc[j].owner == row.rep);
            (!shared).then(|| "but no member of its family was owned by its new rep".into())
        }
        _ => None,
    }
}

fn rep_indices(inp: &Input, ids: &[String]) -> Vec<Option<usize>> {
    ids.iter().map(|id| inp.rep_idx.get(id).copied()).collect()
}

/// Checks a successful balance/rebalance/demo run; panics listing every problem. Prints
/// what it could not recompute ([`Checked::limitations`]).
pub fn check(spec: &Spec) -> Checked {
    let (checked, v) = check_all(spec);
    for l in &checked.limitations {
        eprintln!("checker limitation ({}): {l}", spec.out.display());
    }
    assert!(
        v.is_empty(),
        "checker found {} problem(s) in {}:\n  {}",
        v.len(),
        spec.out.display(),
        v.join("\n  ")
    );
    checked
}

/// Every problem the checker finds in a run (empty when it passes); [`check`] without the
/// panic. It panics only on files it cannot read.
pub fn check_problems(spec: &Spec) -> Vec<String> {
    check_all(spec).1
}

/// What the checker recomputed and every problem it found.
pub fn check_all(spec: &Spec) -> (Checked, Vec<String>) {
    let mut v: Vec<String> = Vec::new();
    let mut limitations: Vec<String> = Vec::new();
    let accounts = read_accounts(&spec.accounts, &spec.columns);
    let reps = read_reps(&spec.reps);
    let rejects = read_rejects(&spec.out);

    // --- accepted rows: input rows minus the rows rejects.csv lists for that file.
    let rejected_account_lines: BTreeSet<u64> = rejects
        .iter()
        .filter(|r| names_file(&r.file, &spec.accounts))
        .map(|r| r.row)
        .collect();
    // Accepted pairs: the rows of pairs.csv that rejects.csv does not refuse, with their
    // cost and workload (None when the cell is not a plain number: a cost must be one, an
    // empty workload is the account's).
    let pairs: Option<PairTable> = spec.pairs.as_ref().map(|p| {
        let refused: BTreeSet<u64> = rejects
            .iter()
            .filter(|r| names_file(&r.file, p))
            .map(|r| r.row)
            .collect();
        read_csv(p)
            .records
            .iter()
            .filter(|r| !refused.contains(&r.line))
            .map(|r| {
                (
                    (
                        r.get("account_id").trim().to_string(),
                        r.get("rep_id").trim().to_string(),
                    ),
                    (cell_f64(r.get("cost")), cell_f64(r.get("workload"))),
                )
            })
            .collect()
    });
    let rejected_rep_lines: BTreeSet<u64> = rejects
        .iter()
        .filter(|r| names_file(&r.file, &spec.reps))
        .map(|r| r.row)
        .collect();
    for r in &rejects {
        let acc = names_file(&r.file, &spec.accounts);
        let rep = names_file(&r.file, &spec.reps);
        if !acc && !rep {
            let pair_file = spec.pairs.as_ref().is_some_and(|p| names_file(&r.file, p));
            if !pair_file {
                v.push(format!("rejects.csv names an unknown file {:?}", r.file));
            }
            continue;
        }
        let id = if acc {
            accounts
                .iter()
                .find(|a| a.line == r.row)
                .map(|a| a.id.clone())
        } else {
            reps.iter().find(|x| x.line == r.row).map(|x| x.id.clone())
        };
        match id {
            None => v.push(format!(
                "rejects.csv: {} row {} is not a data row of that file",
                r.file, r.row
            )),
            Some(id) if id != r.id => v.push(format!(
                "rejects.csv: {} row {} has id {:?} but the file has {:?} there",
                r.file, r.row, r.id, id
            )),
            _ => {}
        }
        if r.column.trim().is_empty() && !r.reason.contains("cells") {
            v.push(format!(
                "rejects.csv: {} row {} names no column",
                r.file, r.row
            ));
        }
    }
    // assignments.csv lists the accepted accounts by account_id, whatever the input order.
    let mut acc: Vec<InAccount> = accounts
        .iter()
        .filter(|a| !rejected_account_lines.contains(&a.line))
        .cloned()
        .collect();
    acc.sort_by(|a, b| a.id.cmp(&b.id));
    let mut rep_rows: Vec<InRep> = reps
        .iter()
        .filter(|r| !rejected_rep_lines.contains(&r.line))
        .cloned()
        .collect();
    // README: with --previous-reps, a rep missing today is leaving and a rep missing then is new.
    if let Some(prev) = &spec.previous_reps {
        let before = read_reps(prev);
        let today: BTreeSet<String> = reps.iter().map(|r| r.id.clone()).collect();
        let then: BTreeSet<String> = before.iter().map(|r| r.id.clone()).collect();
        for r in rep_rows.iter_mut() {
            if !then.contains(&r.id) && r.active && !r.on_leave {
                r.new = true;
            }
        }
        let mut gone = BTreeSet::new();
        for r in before {
            if !today.contains(&r.id) && gone.insert(r.id.clone()) {
                rep_rows.push(InRep {
                    active: false,
                    on_leave: false,
                    new: false,
                    bad_values: Vec::new(),
                    ..r
                });
            }
        }
    }
    for a in &acc {
        if !a.bad_values.is_empty() {
            v.push(format!(
                "account {} (row {}) has bad values {:?} but is not in rejects.csv",
                a.id, a.line, a.bad_values
            ));
        }
        if a.id.is_empty() {
            v.push(format!(
                "account at row {} has no id but was accepted",
                a.line
            ));
        }
    }
    for r in &rep_rows {
        if !r.bad_values.is_empty() {
            v.push(format!(
                "rep {} (row {}) has bad values {:?} but is not in rejects.csv",
                r.id, r.line, r.bad_values
            ));
        }
    }
    let mut seen = BTreeSet::new();
    for a in &acc {
        if !seen.insert(a.id.as_str()) {
            v.push(format!("account_id {} accepted twice", a.id));
        }
    }
    let mut rep_idx: HashMap<String, usize> = HashMap::new();
    for (i, r) in rep_rows.iter().enumerate() {
        if rep_idx.insert(r.id.clone(), i).is_some() {
            v.push(format!("rep_id {} accepted twice", r.id));
        }
    }

    // --- assignments.csv: one row per accepted account, by account_id, ids exactly as read,
    // segment and reason protected against formulas.
    let at = read_csv(&spec.out.join("assignments.csv"));
    let expected_headers = [
        "account_id",
        "rep_id",
        "previous_rep_id",
        "segment",
        "moved",
        "reason_code",
        "reason",
    ];
    if at.headers != expected_headers {
        v.push(format!(
            "assignments.csv header {:?}, expected {expected_headers:?}",
            at.headers
        ));
    }
    let mut rows: Vec<Assigned> = Vec::new();
    for r in &at.records {
        for h in expected_headers.into_iter().filter(|h| !is_id_column(h)) {
            if is_formula_like(r.get(h)) {
                v.push(format!(
                    "assignments.csv line {}: cell {h} = {:?} would run as a formula",
                    r.line,
                    r.get(h)
                ));
            }
        }
        rows.push(Assigned {
            account: r.get("account_id").to_string(),
            rep: r.get("rep_id").to_string(),
            previous: r.get("previous_rep_id").to_string(),
            segment: unescaped(r.get("segment")),
            moved: match r.get("moved") {
                "true" => true,
                "false" => false,
                other => {
                    v.push(format!(
                        "assignments.csv line {}: moved = {other:?}",
                        r.line
                    ));
                    false
                }
            },
            reason_code: r.get("reason_code").to_string(),
            reason: r.get("reason").to_string(),
        });
    }
    if rows.len() != acc.len() {
        v.push(format!(
            "assignments.csv has {} rows, expected {} (input rows {} minus {} rejected)",
            rows.len(),
            acc.len(),
            accounts.len(),
            rejected_account_lines.len()
        ));
    }
    for (i, (row, a)) in rows.iter().zip(&acc).enumerate() {
        if row.account != a.id {
            v.push(format!(
                "assignments.csv row {} is {:?}, expected {:?} (ordered by account_id)",
                i + 2,
                row.account,
                a.id
            ));
            break;
        }
    }
    // Multiset: assigned ids + rejected ids = input ids.
    {
        let mut count: BTreeMap<&str, i64> = BTreeMap::new();
        for a in &accounts {
            *count.entry(a.id.as_str()).or_default() += 1;
        }
        for r in &rows {
            *count.entry(r.account.as_str()).or_default() -= 1;
        }
        for r in rejects
            .iter()
            .filter(|r| names_file(&r.file, &spec.accounts))
        {
            *count.entry(r.id.as_str()).or_default() -= 1;
        }
        for (id, c) in count {
            if c != 0 {
                v.push(format!(
                    "account {id:?}: input count minus (assigned + rejected) = {c}, expected 0"
                ));
            }
        }
    }
    // Name-like cells carry exactly the protection of the writer (an apostrophe only before a
    // formula start); id cells are checked against the raw input above (account_id by order and
    // multiset, previous_rep_id against the owner) and rep_id against the roster below.
    for at_row in &at.records {
        let seg = at_row.get("segment");
        if escaped(&unescaped(seg)) != seg {
            v.push(format!(
                "assignments.csv line {}: segment cell {seg:?} is not escaped as expected",
                at_row.line
            ));
        }
        let rep = at_row.get("rep_id");
        if !rep.is_empty() && !rep_idx.contains_key(rep) {
            v.push(format!(
                "assignments.csv line {}: rep_id {rep:?} is not a rep_id of reps.csv as read",
                at_row.line
            ));
        }
    }
    let n = acc.len();

    // --- families among accepted accounts (links to accepted parents only).
    let idx_of: HashMap<&str, usize> = acc
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut uf: Vec<usize> = (0..n).collect();
    for (i, a) in acc.iter().enumerate() {
        if a.parent.is_empty() || a.parent == a.id {
            continue;
        }
        if let Some(&p) = idx_of.get(a.parent.as_str()) {
            let (x, y) = (find_root(&mut uf, i), find_root(&mut uf, p));
            uf[x] = y;
        }
    }
    let fam: Vec<usize> = (0..n).map(|i| find_root(&mut uf, i)).collect();

    // --- segments: own segment by column or rules; family = first in order; lock = owner's.
    let mut order: Vec<String> = spec.rules.iter().map(|r| seg_key(&r.name)).collect();
    let own: Vec<String> = acc
        .iter()
        .map(|a| match (&a.segment, spec.tiers.get(&a.id)) {
            (_, Some(t)) => seg_key(t),
            (Some(s), None) => seg_key(s),
            (None, None) => spec
                .rules
                .iter()
                .find(|r| {
                    (r.employees_at_least.is_none() && r.potential_at_least.is_none())
                        || matches!((r.employees_at_least, a.employees), (Some(t), Some(e)) if e >= t)
                        || matches!((r.potential_at_least, a.potential), (Some(t), Some(p)) if p >= t)
                })
                .map(|r| seg_key(&r.name))
                .unwrap_or_else(|| "<no rule>".to_string()),
        })
        .collect();
    for s in &own {
        if !order.contains(s) {
            order.push(s.clone());
        }
    }
    // --- the review loop: the proposal, the decisions and the scope (reps outside frozen).
    let rv = review::read(spec, &acc, &rep_rows, &rep_idx, &own);
    v.extend(rv.problems.iter().cloned());
    if let Some(sc) = &rv.scope {
        for (r, rep) in rep_rows.iter_mut().enumerate() {
            rep.frozen = !sc.rep_in[r];
        }
    }
    let mut fam_pin: HashMap<usize, String> = HashMap::new();
    for (i, rep) in &rv.pins {
        match fam_pin.get(&fam[*i]) {
            Some(other) if other != rep => v.push(format!(
                "{}: its family is pinned to both {other} and {rep}, but the run went on",
                acc[*i].id
            )),
            _ => {
                fam_pin.insert(fam[*i], rep.clone());
            }
        }
    }
    let rank = |s: &str| order.iter().position(|o| o == s).unwrap_or(usize::MAX);
    let lock_of = |a: &InAccount| -> Option<&InRep> {
        if !a.locked || a.owner.is_empty() {
            return None;
        }
        rep_idx
            .get(a.owner.as_str())
            .map(|&r| &rep_rows[r])
            .filter(|r| r.active)
    };
    let mut fam_seg: HashMap<usize, String> = HashMap::new();
    let mut fam_lock: HashMap<usize, String> = HashMap::new();
    for i in 0..n {
        let e = fam_seg.entry(fam[i]).or_insert_with(|| own[i].clone());
        if rank(&own[i]) < rank(e) {
            *e = own[i].clone();
        }
    }
    for i in 0..n {
        if let Some(r) = lock_of(&acc[i]) {
            fam_lock.insert(fam[i], r.id.clone());
            fam_seg.insert(fam[i], seg_key(&r.segment));
        }
    }
    let seg_of: Vec<String> = (0..n).map(|i| fam_seg[&fam[i]].clone()).collect();

    // Segment totals and Σfte of reps taking accounts.
    let mut seg_total: BTreeMap<String, [f64; 3]> = BTreeMap::new();
    for (i, a) in acc.iter().enumerate() {
        let t = seg_total.entry(seg_of[i].clone()).or_default();
        t[0] += a.potential.unwrap_or(0.0);
        t[1] += a.workload;
        t[2] += 1.0;
    }
    let mut inp = Input {
        acc,
        reps: rep_rows,
        rep_idx,
        fam,
        seg_of,
        fam_lock,
        pairs,
        seg_total,
        seg_fte: BTreeMap::new(),
        seg_reps: BTreeMap::new(),
        leave_book: BTreeMap::new(),
        seg_leave: BTreeMap::new(),
        fam_pin,
        proposal: HashMap::new(),
        seg_units: BTreeMap::new(),
        decided: BTreeSet::new(),
        with_previous: rv.prev.is_some(),
    };
    let roots: BTreeSet<usize> = inp.fam.iter().copied().collect();
    for f in roots {
        *inp.seg_units.entry(inp.seg_of[f].clone()).or_default() += 1;
    }
    inp.decided = rv
        .decisions
        .iter()
        .filter_map(|d| inp.acc.iter().position(|a| a.id == d.account))
        .collect();
    for r in 0..inp.reps.len() {
        if inp.takes(r) {
            let sk = seg_key(&inp.reps[r].segment);
            if !inp.reps[r].on_leave && !inp.reps[r].frozen {
                *inp.seg_fte.entry(sk.clone()).or_default() += inp.reps[r].fte;
            }
            inp.seg_reps.entry(sk).or_default().push(r);
        }
    }
    if inp.reps.iter().any(|r| r.on_leave || r.frozen) {
        for i in 0..inp.acc.len() {
            if let Some(r) = inp.kept_by(i) {
                let a = &inp.acc[i];
                let l = [a.potential.unwrap_or(0.0), a.workload, 1.0];
                let sk = seg_key(&inp.reps[r].segment);
                for k in 0..3 {
                    inp.leave_book.entry(r).or_default()[k] += l[k];
                    inp.seg_leave.entry(sk.clone()).or_default()[k] += l[k];
                }
            }
        }
    }
    if let Some(prev) = &rv.prev {
        let plan = PlanTerms::of_summary(&summary(&spec.out)).ok();
        let max_km = Rules::of(spec, plan.as_ref()).max_km;
        inp.proposal = review::proposal(&inp, prev, max_km);
    }
    let inp = inp;
    let acc = &inp.acc;

    // --- the run's assignment, by account.
    let row_of: HashMap<&str, &Assigned> = rows.iter().map(|r| (r.account.as_str(), r)).collect();
    let ids: Vec<String> = acc
        .iter()
        .map(|a| {
            row_of
                .get(a.id.as_str())
                .map_or(String::new(), |r| r.rep.clone())
        })
        .collect();
    let rep_of = rep_indices(&inp, &ids);
    let f = figures(&inp, &rep_of);

    // --- per-account columns of assignments.csv.
    let mut segment_counts: BTreeMap<String, usize> = BTreeMap::new();
    for row in &rows {
        *segment_counts.entry(row.segment.clone()).or_default() += 1;
    }
    for (i, a) in acc.iter().enumerate() {
        let Some(row) = row_of.get(a.id.as_str()) else {
            continue;
        };
        if seg_key(&row.segment) != inp.seg_of[i] {
            v.push(format!(
                "{}: segment {:?} in assignments.csv, expected {:?}",
                a.id, row.segment, inp.seg_of[i]
            ));
        }
        if row.previous != a.owner {
            v.push(format!(
                "{}: previous_rep_id {:?}, input owner_id {:?}",
                a.id, row.previous, a.owner
            ));
        }
        let m = !a.owner.is_empty() && row.rep != a.owner;
        if row.moved != m {
            v.push(format!("{}: moved = {}, expected {m}", a.id, row.moved));
        }
        if let Some(why) = reason_code_problem(&inp, i, row, &rep_of) {
            v.push(format!(
                "{}: reason_code {:?} ({}), {why}",
                a.id, row.reason_code, row.reason
            ));
        }
    }

    // --- the plan as applied, and every rule under the spec and the plan.
    let s = summary(&spec.out);
    let plan = match PlanTerms::of_summary(&s) {
        Ok(p) => Some(p),
        Err(e) => {
            v.push(format!(
                "{e}: the rules and the objective cannot be read from the plan as applied"
            ));
            None
        }
    };
    if let (Some(want), Some(p)) = (&spec.objective, &plan)
        && *want != p.objective
    {
        v.push(format!(
            "summary.json plan.objective = {:?}, the test ran {want:?}",
            p.objective
        ));
    }
    let rules = Rules::of(spec, plan.as_ref());
    for (_, m) in rule_problems(&inp, &rules, &ids, &rep_of, &f) {
        v.push(m);
    }
    for a in &f.bad_costs {
        v.push(format!(
            "{a}: the pair with its rep has no numeric cost but was accepted"
        ));
    }
    let owned = f.total(|s| s.owned);
    let moved = f.total(|s| s.moved);

    // --- per-rep figures against the spec's band (territories.csv and summary.json say
    // whether each rep is within it).
    struct RepFig {
        dev: [f64; 3],
        within: bool,
        edge: bool,
    }
    let band = spec.band_pct / 100.0;
    let mut figs: HashMap<&str, RepFig> = HashMap::new();
    for (r, rep) in inp.reps.iter().enumerate() {
        let dev = f.dev[r];
        let mut within = true;
        let mut edge = false;
        for m in &spec.metrics {
            let k = metric_slot(m).unwrap_or_else(|| panic!("unknown metric {m}"));
            let d = dev[k].abs();
            if d > band + 1e-9 {
                within = false;
            }
            if (d - band).abs() < 1e-6 {
                edge = true;
            }
        }
        if !inp.takes(r) {
            within = true;
        }
        figs.insert(rep.id.as_str(), RepFig { dev, within, edge });
    }

    // --- territories.csv against our figures.
    let tt = read_csv(&spec.out.join("territories.csv"));
    let tr_ids: Vec<String> = tt
        .records
        .iter()
        .map(|r| r.get("rep_id").to_string())
        .collect();
    // By rep_id, whatever the roster order.
    let mut exp_ids: Vec<String> = inp.reps.iter().map(|r| r.id.clone()).collect();
    exp_ids.sort();
    if tr_ids != exp_ids {
        v.push(format!(
            "territories.csv reps {tr_ids:?}, expected the accepted reps {exp_ids:?}"
        ));
    }
    for t in &tt.records {
        for (h, c) in t.cells.iter().filter(|(h, _)| !is_id_column(h)) {
            if is_formula_like(c) {
                v.push(format!(
                    "territories.csv line {}: {h} = {c:?} would run as a formula",
                    t.line
                ));
            }
        }
        let id = t.get("rep_id").to_string();
        let Some(&r) = inp.rep_idx.get(id.as_str()) else {
            continue;
        };
        let rep = &inp.reps[r];
        let l = f.load[r];
        let fig = &figs[id.as_str()];
        let num_cell = |h: &str| cell_f64(t.get(h));
        let expect = |v: &mut Vec<String>, h: &str, want: f64, tol: f64| match num_cell(h) {
            Some(got) if close(got, want, tol) => {}
            got => v.push(format!(
                "territories.csv {id}: {h} = {got:?} ({:?}), expected {want}",
                t.get(h)
            )),
        };
        expect(&mut v, "accounts", l[2], 0.0);
        expect(&mut v, "potential", l[0], 0.01);
        expect(&mut v, "workload", l[1], 0.01);
        expect(&mut v, "fte", rep.fte, 1e-9);
        if inp.takes(r) {
            let target = inp.target(r);
            expect(&mut v, "target_potential", target[0], 0.01);
            expect(&mut v, "target_workload", target[1], 0.01);
            expect(&mut v, "target_accounts", target[2], 0.01);
            expect(&mut v, "deviation_potential_pct", fig.dev[0] * 100.0, 0.01);
            expect(&mut v, "deviation_workload_pct", fig.dev[1] * 100.0, 0.01);
            expect(&mut v, "deviation_accounts_pct", fig.dev[2] * 100.0, 0.01);
        } else {
            for h in [
                "deviation_potential_pct",
                "deviation_workload_pct",
                "deviation_accounts_pct",
            ] {
                if !t.get(h).trim().is_empty() {
                    v.push(format!(
                        "territories.csv {id}: takes no accounts but {h} = {:?}",
                        t.get(h)
                    ));
                }
            }
        }
        let (km, km_n) = f.km[r];
        if km_n > 0 {
            // Written with one decimal: within half a unit of the last digit.
            let mean = km / km_n as f64;
            expect(&mut v, "mean_km", mean, 0.05 + 1e-9 * mean);
        } else if !t.get("mean_km").trim().is_empty() {
            v.push(format!(
                "territories.csv {id}: mean_km {:?} with no located account",
                t.get("mean_km")
            ));
        }
        let util = [
            rep.max_accounts
                .map(|m| if m > 0.0 { l[2] / m } else { f64::INFINITY }),
            rep.max_workload
                .map(|m| if m > 0.0 { l[1] / m } else { f64::INFINITY }),
        ]
        .into_iter()
        .flatten()
        .fold(None, |acc: Option<f64>, x| {
            Some(acc.map_or(x, |a| a.max(x)))
        });
        if let Some(u) = util
            && u.is_finite()
        {
            expect(&mut v, "utilisation_pct", u * 100.0, 0.06);
        }
        let wb = t.get("within_band");
        if !fig.edge && wb != fig.within.to_string() {
            v.push(format!(
                "territories.csv {id}: within_band {wb:?}, expected {} (deviations {:?})",
                fig.within, fig.dev
            ));
        }
    }

    // --- summary.json against our figures.
    let get_u = |k: &str| s[k].as_u64();
    let expect_f = |v: &mut Vec<String>, what: &str, got: &Value, want: f64| match got.as_f64() {
        Some(x) if agrees(x, want, want) => {}
        _ => v.push(format!(
            "summary.json {what} = {got}, the checker recomputes {want}"
        )),
    };
    let expect_opt = |v: &mut Vec<String>, what: &str, got: &Value, want: Option<f64>| match want {
        Some(w) => expect_f(v, what, got, w),
        None if got.is_null() => {}
        None => v.push(format!(
            "summary.json {what} = {got}, expected null (nothing to measure)"
        )),
    };
    if get_u("accounts") != Some(n as u64) {
        v.push(format!(
            "summary.json accounts = {}, expected {n}",
            s["accounts"]
        ));
    }
    if get_u("reps") != Some(inp.reps.len() as u64) {
        v.push(format!(
            "summary.json reps = {}, expected {}",
            s["reps"],
            inp.reps.len()
        ));
    }
    if get_u("refused_rows") != Some(rejects.len() as u64) {
        v.push(format!(
            "summary.json refused_rows = {}, rejects.csv has {}",
            s["refused_rows"],
            rejects.len()
        ));
    }
    if s["moves"]["owned_accounts"].as_u64() != Some(owned as u64) {
        v.push(format!(
            "summary.json moves.owned_accounts = {}, expected {owned}",
            s["moves"]["owned_accounts"]
        ));
    }
    if s["moves"]["moved_accounts"].as_u64() != Some(moved as u64) {
        v.push(format!(
            "summary.json moves.moved_accounts = {}, expected {moved}",
            s["moves"]["moved_accounts"]
        ));
    }
    let moved_pot = f.total(|s| s.moved_pot);
    match s["moves"]["moved_potential"].as_f64() {
        Some(x) if close(x, moved_pot, 1e-6) => {}
        x => v.push(format!(
            "summary.json moves.moved_potential = {x:?}, expected {moved_pot}"
        )),
    }
    let moved_work = f.total(|s| s.moved_work);
    match s["moves"]["moved_workload"].as_f64() {
        Some(x) if close(x, moved_work, 1e-6) => {}
        x => v.push(format!(
            "summary.json moves.moved_workload = {x:?}, expected {moved_work}"
        )),
    }
    let moved_pct = if owned > 0 {
        100.0 * moved as f64 / owned as f64
    } else {
        0.0
    };
    expect_f(
        &mut v,
        "moves.moved_pct",
        &s["moves"]["moved_pct"],
        moved_pct,
    );
    let (total_km, located) = (f.total(|s| s.km), f.total(|s| s.located));
    let mean_km = (located > 0).then(|| total_km / located as f64);
    expect_opt(&mut v, "mean_km", &s["mean_km"], mean_km);
    let pair_cost = f.total(|s| s.pair_cost);
    if spec.pairs.is_some() {
        expect_f(&mut v, "pair_cost", &s["pair_cost"], pair_cost);
    } else if !s["pair_cost"].is_null() {
        v.push(format!(
            "summary.json pair_cost = {}, expected null without a pairs file",
            s["pair_cost"]
        ));
    }
    let seg_objs = objectives(plan.as_ref(), &f);
    let segs = s["segments"].as_array().cloned().unwrap_or_default();
    let seg_names: BTreeSet<String> = inp.seg_total.keys().cloned().collect();
    let summary_names: BTreeSet<String> = segs
        .iter()
        .map(|x| seg_key(x["name"].as_str().unwrap_or("")))
        .collect();
    if seg_names != summary_names {
        v.push(format!(
            "summary.json segments {summary_names:?}, expected {seg_names:?}"
        ));
    }
    for seg in &segs {
        let name = seg_key(seg["name"].as_str().unwrap_or(""));
        let (Some(tot), Some(sf)) = (inp.seg_total.get(&name), f.segs.get(&name)) else {
            continue;
        };
        let seg_reps: &[usize] = inp.seg_reps.get(&name).map_or(&[], Vec::as_slice);
        if seg["reps"].as_u64() != Some(seg_reps.len() as u64) {
            v.push(format!(
                "summary.json {name}: reps = {}, expected {}",
                seg["reps"],
                seg_reps.len()
            ));
        }
        if seg["accounts"].as_u64() != Some(tot[2] as u64) {
            v.push(format!(
                "summary.json {name}: accounts = {}, expected {}",
                seg["accounts"], tot[2]
            ));
        }
        for (k, key) in SUMMARY_METRICS.iter().enumerate() {
            match seg[key]["total"].as_f64() {
                Some(x) if close(x, tot[k], 1e-6) => {}
                x => v.push(format!(
                    "summary.json {name}: {key}.total = {x:?}, expected {}",
                    tot[k]
                )),
            }
            let want = sf.max_dev[k] * 100.0;
            match seg[key]["max_abs_deviation_pct"].as_f64() {
                Some(x) if (x - want).abs() <= 1e-6 * want.abs().max(1.0) => {}
                x => v.push(format!(
                    "summary.json {name}: {key}.max_abs_deviation_pct = {x:?}, expected {want}"
                )),
            }
            expect_f(
                &mut v,
                &format!("{name}: {key}.cv"),
                &seg[key]["cv"],
                sf.cv[k],
            );
            expect_opt(
                &mut v,
                &format!("{name}: {key}.max_min_ratio"),
                &seg[key]["max_min_ratio"],
                sf.ratio[k],
            );
        }
        if seg["moved_accounts"].as_u64() != Some(sf.moved as u64) {
            v.push(format!(
                "summary.json {name}: moved_accounts = {}, expected {}",
                seg["moved_accounts"], sf.moved
            ));
        }
        expect_opt(
            &mut v,
            &format!("{name}: mean_km"),
            &seg["mean_km"],
            sf.mean_km(),
        );
        let within = seg_reps
            .iter()
            .all(|&r| figs[inp.reps[r].id.as_str()].within);
        let edge = seg_reps.iter().any(|&r| figs[inp.reps[r].id.as_str()].edge);
        if !edge && seg["within_band"].as_bool() != Some(within) {
            v.push(format!(
                "summary.json {name}: within_band = {}, expected {within}",
                seg["within_band"]
            ));
        }
        if spec.hard_band && seg["within_band"].as_bool() != Some(true) {
            v.push(format!(
                "summary.json {name}: within_band false under a hard band"
            ));
        }
        // The segment's own objective, where summary.json reports its solve.
        if let (Some(objs), Some(reported)) = (&seg_objs, seg["solve"]["objective"].as_f64())
            && let Some((want, scale, words)) = objs.get(&name)
            && !agrees(reported, *want, *scale)
        {
            v.push(format!(
                "summary.json {name}: solve.objective = {reported}, the checker recomputes {want} ({words})"
            ));
        }
    }

    // --- the objective, the lower bound and the gap.
    let objective = seg_objs
        .as_ref()
        .map(|o| o.values().map(|x| x.0).sum::<f64>());
    match (&plan, &seg_objs) {
        (Some(p), None) => limitations.push(format!(
            "objective {:?} is not one the checker knows ({KNOWN_OBJECTIVES:?}): its value is not recomputed, and no assignment's objective is compared with the lower bound",
            p.objective
        )),
        (None, _) => limitations.push(
            "summary.json states no readable plan: the objective is not recomputed".to_string(),
        ),
        _ => {}
    }
    let reported = s["objective"].as_f64();
    if let (Some(want), Some(objs)) = (objective, &seg_objs) {
        let scale: f64 = objs.values().map(|x| x.1).sum();
        match reported {
            Some(x) if agrees(x, want, scale) => {}
            x => {
                let words: Vec<&str> = objs.values().map(|o| o.2.as_str()).collect();
                v.push(format!(
                    "summary.json objective = {x:?}, the checker recomputes {want} ({})",
                    words.join("; ")
                ));
            }
        }
    }
    let lb = s["lower_bound"].as_f64();
    match (lb, reported) {
        (Some(lb), Some(x)) if bound_holds(lb, x) => {}
        (lb, x) => v.push(format!(
            "summary.json lower_bound = {lb:?} is missing or above the objective {x:?}"
        )),
    }
    if let (Some(lb), Some(x)) = (lb, objective)
        && !bound_holds(lb, x)
    {
        v.push(format!(
            "summary.json lower_bound = {lb} is above the objective the checker recomputes for the run's assignment, {x}"
        ));
    }
    if let (Some(lb), Some(x)) = (lb, reported) {
        let gap = x - lb;
        let scale = x.abs().max(lb.abs());
        match s["gap_abs"].as_f64() {
            Some(g) if agrees(g, gap.max(0.0), scale) => {}
            g => v.push(format!(
                "summary.json gap_abs = {g:?}, expected objective − lower_bound = {x} − {lb} = {gap}"
            )),
        }
        let rel = if x.abs() > 1e-12 {
            gap.max(0.0) / x.abs()
        } else {
            0.0
        };
        match s["gap_rel"].as_f64() {
            Some(g) if agrees(g, rel, rel) => {}
            g => v.push(format!(
                "summary.json gap_rel = {g:?}, expected gap_abs / |objective| = {rel}"
            )),
        }
    }

    // --- the lower bound against every feasible assignment the checker is shown.
    let mut book = Book::default();
    if let (Some(objs), Some(lb)) = (&seg_objs, lb) {
        // The current owners' book: every account on its owner_id.
        let book_ids: Vec<String> = acc.iter().map(|a| a.owner.clone()).collect();
        let book_of = rep_indices(&inp, &book_ids);
        let bf = figures(&inp, &book_of);
        let mut broken: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut global: Vec<String> = Vec::new();
        for (seg, m) in rule_problems(&inp, &rules, &book_ids, &book_of, &bf) {
            match seg {
                Some(sk) => broken.entry(sk).or_default().push(m),
                None => global.push(m),
            }
        }
        if !bf.bad_costs.is_empty() {
            global.push(format!(
                "accounts on pairs without a numeric cost: {:?}",
                bf.bad_costs
            ));
        }
        // A problem of a segment without accounts (a rep holding accounts it may not)
        // concerns the whole book.
        for (sk, why) in std::mem::take(&mut broken) {
            if inp.seg_total.contains_key(&sk) {
                broken.insert(sk, why);
            } else {
                global.extend(why);
            }
        }
        let book_objs = objectives(plan.as_ref(), &bf).unwrap_or_default();
        for sk in inp.seg_total.keys() {
            let mut why = broken.remove(sk).unwrap_or_default();
            why.extend(global.iter().cloned());
            if why.is_empty() {
                book.feasible.insert(sk.clone(), book_objs[sk].0);
            } else {
                why.truncate(5);
                book.infeasible.insert(sk.clone(), why);
            }
        }
        if book.infeasible.is_empty() {
            book.objective = Some(book.feasible.values().sum());
        }
        if let Some(x) = book.objective
            && !bound_holds(lb, x)
        {
            v.push(format!(
                "summary.json lower_bound = {lb} is above {x}, the objective of the current owners' book, which keeps every rule"
            ));
        }
        // Segments are independent but for the budgets, which the book (no move) cannot
        // break: the run's assignment with the book in any segment where the book keeps
        // every rule is feasible too, and the bound holds for it.
        if !book.feasible.is_empty() && book.objective.is_none() {
            let mixed: f64 = objs
                .iter()
                .map(|(sk, o)| book.feasible.get(sk).map_or(o.0, |b| b.min(o.0)))
                .sum();
            if !bound_holds(lb, mixed) {
                v.push(format!(
                    "summary.json lower_bound = {lb} is above {mixed}, the objective of the run's assignment with the current owners' book in segments {:?} (feasible)",
                    book.feasible.keys().collect::<Vec<_>>()
                ));
            }
        }
        // Assignments the test states are feasible.
        for path in &spec.also_feasible {
            let (xids, mut why) = read_assignment(&inp, path);
            let xof = rep_indices(&inp, &xids);
            let xf = figures(&inp, &xof);
            why.extend(
                rule_problems(&inp, &rules, &xids, &xof, &xf)
                    .into_iter()
                    .map(|p| p.1),
            );
            if !why.is_empty() {
                why.truncate(10);
                v.push(format!(
                    "{} was given as a feasible assignment but breaks: {}",
                    path.display(),
                    why.join("; ")
                ));
                continue;
            }
            let x: f64 = objectives(plan.as_ref(), &xf)
                .unwrap_or_default()
                .values()
                .map(|o| o.0)
                .sum();
            if !bound_holds(lb, x) {
                v.push(format!(
                    "summary.json lower_bound = {lb} is above {x}, the objective of the feasible assignment {}",
                    path.display()
                ));
            }
        }
    } else if !spec.also_feasible.is_empty() {
        limitations.push(format!(
            "the objective is not recomputed: the assignments {:?} are not compared with the lower bound",
            spec.also_feasible
        ));
    }

    if std::env::var_os("ALLOT_CHECKER_VERBOSE").is_some() {
        eprintln!(
            "checker: {}: objective {:?} recomputed {objective:?}, lower bound {lb:?}; book feasible in {:?} (whole {:?}), not in {:?}; {} problem(s), limitations {limitations:?}",
            spec.out.display(),
            plan.as_ref().map(|p| p.objective.as_str()),
            book.feasible,
            book.objective,
            book.infeasible.keys().collect::<Vec<_>>(),
            v.len()
        );
    }
    // --- the review loop's outputs (decisions_applied.csv, changes_vs_previous.csv,
    // summary.json decisions), and the off-proposal term of the objective.
    let mut review_figs = ReviewFigs::default();
    v.extend(review::outputs(
        spec,
        &inp,
        &rv,
        &rows,
        &s,
        &mut review_figs,
    ));
    review_figs.off_units = f.total(|x| x.off_units);
    if let Some(p) = &plan {
        review_figs.off_cost = f.segs.values().map(|x| off_proposal_cost(p, x)).sum();
    }
    let checked = Checked {
        review: review_figs,
        rows,
        segment_counts,
        owned,
        moved,
        rejects,
        summary: s,
        objective,
        book,
        limitations,
    };
    (checked, v)
}

/// The CSV outputs a run may write, relative to the output folder.
pub const CSV_OUTPUTS: [&str; 12] = [
    "assignments.csv",
    "territories.csv",
    "rejects.csv",
    "plan.csv",
    "crm/salesforce_account_owner.csv",
    "crm/hubspot_companies.csv",
    "decisions_applied.csv",
    "changes_vs_previous.csv",
    "transition.csv",
    "hierarchy.csv",
    "tier_changes.csv",
    "economics.csv",
];

/// Whether column `header` of output `file` holds ids (written as read): the
/// [`ID_COLUMNS`], and transition.csv's `from` and `to` (rep ids).
fn is_id_cell(file: &str, header: &str) -> bool {
    is_id_column(header) || (file == "transition.csv" && matches!(header, "from" | "to"))
}

/// Every non-id cell of every CSV output in `out` that starts like a formula, as "file: cell"
/// (id columns, [`ID_COLUMNS`], are written as read and checked against the input instead).
pub fn formula_cells(out: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    for name in CSV_OUTPUTS {
        let p = out.join(name);
        if !p.exists() {
            continue;
        }
        let t = read_csv(&p);
        for h in &t.headers {
            if is_formula_like(h) {
                bad.push(format!("{name}: header {h:?}"));
            }
        }
        for r in &t.records {
            for (h, c) in r.cells.iter().filter(|(h, _)| !is_id_cell(name, h)) {
                if is_formula_like(c) {
                    bad.push(format!("{name} line {} column {h}: {c:?}", r.line));
                }
            }
        }
    }
    bad
}

/// Asserts every CSV output in `out` ends its lines with CRLF.
pub fn assert_crlf(out: &Path) {
    for name in CSV_OUTPUTS {
        let p = out.join(name);
        if !p.exists() {
            continue;
        }
        let text = read_text(&p);
        let lf = text.matches('\n').count();
        let crlf = text.matches("\r\n").count();
        assert!(
            lf > 0 && lf == crlf,
            "{name}: {crlf} CRLF of {lf} line ends"
        );
    }
}
