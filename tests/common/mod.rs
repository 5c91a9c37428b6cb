//! Shared helpers of the end-to-end tests: running the `allot` binary, and an independent
//! checker of its outputs.
//!
//! The checker shares no code with the crates on purpose: it reads the raw input rows
//! (accounts.csv, reps.csv) and the output files (assignments.csv, territories.csv,
//! summary.json, rejects.csv) with the `csv` and `serde_json` crates and recomputes every
//! rule and figure of DESIGN.md from scratch: each accepted account exactly once, rep
//! exists / active / owner role / same segment, eligibility, locks, families on one rep,
//! hard caps (max_accounts, max_workload, max_potential), loads, targets, deviations,
//! per-segment balance and moves; and, when the spec states them, the travel cap
//! (`[compactness] max_km`), the disruption budgets (`max_moves`, `max_moved_pct`) and the
//! objective value of `objective = "travel"` (total great-circle km) and `"cost"` (total
//! pair cost), with the reported lower bound never above the objective.

#![allow(dead_code)]

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
    /// true = active, false = leaving.
    pub active: bool,
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
            let active = match status.as_str() {
                "" | "active" => true,
                "leaving" => false,
                other => {
                    bad.push(format!("status={other:?}"));
                    false
                }
            };
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
            id: unescaped(r.get("id")),
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
    /// The plan's objective. `"travel"`: summary.json `objective` must be the total
    /// great-circle km from rep home to account (and `mean_km` its mean); `"cost"`: the
    /// total pairs.csv cost (0 without a pairs file). Whenever it is given, summary.json
    /// `lower_bound` must not exceed `objective`.
    pub objective: Option<String>,
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
        }
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

    /// Sets the objective whose value the checker recomputes ("travel", "cost"; any other
    /// name only checks that the lower bound does not exceed the objective).
    pub fn objective(mut self, name: &str) -> Spec {
        self.objective = Some(name.to_string());
        self
    }

    /// Sets the pairs file of the run.
    pub fn pairs(mut self, path: &Path) -> Spec {
        self.pairs = Some(path.to_path_buf());
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
    /// reason.
    pub reason: String,
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

/// Checks a successful balance/rebalance/demo run; panics listing every violation.
pub fn check(spec: &Spec) -> Checked {
    let mut v: Vec<String> = Vec::new();
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
    // cost (None when the cell is not a plain number).
    let pair_costs: Option<BTreeMap<(String, String), Option<f64>>> =
        spec.pairs.as_ref().map(|p| {
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
                        cell_f64(r.get("cost")),
                    )
                })
                .collect()
        });
    let allowed_pairs: Option<BTreeSet<(String, String)>> =
        pair_costs.as_ref().map(|m| m.keys().cloned().collect());
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
    let mut acc: Vec<&InAccount> = accounts
        .iter()
        .filter(|a| !rejected_account_lines.contains(&a.line))
        .collect();
    acc.sort_by(|a, b| a.id.cmp(&b.id));
    let rep_rows: Vec<&InRep> = reps
        .iter()
        .filter(|r| !rejected_rep_lines.contains(&r.line))
        .collect();
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
    let mut rep_by_id: HashMap<&str, &InRep> = HashMap::new();
    for r in &rep_rows {
        if rep_by_id.insert(r.id.as_str(), r).is_some() {
            v.push(format!("rep_id {} accepted twice", r.id));
        }
    }

    // --- assignments.csv: one row per accepted account, by account_id, ids escaped.
    let at = read_csv(&spec.out.join("assignments.csv"));
    let expected_headers = [
        "account_id",
        "rep_id",
        "previous_rep_id",
        "segment",
        "moved",
        "reason",
    ];
    assert_eq!(at.headers, expected_headers, "assignments.csv header");
    let mut rows: Vec<Assigned> = Vec::new();
    for r in &at.records {
        for h in expected_headers {
            if is_formula_like(r.get(h)) {
                v.push(format!(
                    "assignments.csv line {}: cell {h} = {:?} would run as a formula",
                    r.line,
                    r.get(h)
                ));
            }
        }
        rows.push(Assigned {
            account: unescaped(r.get("account_id")),
            rep: unescaped(r.get("rep_id")),
            previous: unescaped(r.get("previous_rep_id")),
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
    for at_row in &at.records {
        let id = unescaped(at_row.get("account_id"));
        if escaped(&id) != at_row.get("account_id") {
            v.push(format!(
                "account_id cell {:?} is not escaped as expected",
                at_row.get("account_id")
            ));
        }
    }

    let n = acc.len().min(rows.len());
    let acc = &acc[..n];
    let rows_used = &rows[..n];

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
        .map(|a| match &a.segment {
            Some(s) => seg_key(s),
            None => spec
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
    let rank = |s: &str| order.iter().position(|o| o == s).unwrap_or(usize::MAX);
    let lock_of = |a: &InAccount| -> Option<&InRep> {
        if !a.locked || a.owner.is_empty() {
            return None;
        }
        rep_by_id
            .get(a.owner.as_str())
            .copied()
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
        if let Some(r) = lock_of(acc[i]) {
            fam_lock.insert(fam[i], r.id.clone());
            fam_seg.insert(fam[i], seg_key(&r.segment));
        }
    }
    let seg_of: Vec<String> = (0..n).map(|i| fam_seg[&fam[i]].clone()).collect();

    // --- per-account rules.
    let mut fam_rep: HashMap<usize, &str> = HashMap::new();
    let mut segment_counts: BTreeMap<String, usize> = BTreeMap::new();
    let (mut owned, mut moved) = (0usize, 0usize);
    for (i, (row, a)) in rows_used.iter().zip(acc).enumerate() {
        *segment_counts.entry(row.segment.clone()).or_default() += 1;
        if seg_key(&row.segment) != seg_of[i] {
            v.push(format!(
                "{}: segment {:?} in assignments.csv, expected {:?}",
                a.id, row.segment, seg_of[i]
            ));
        }
        match rep_by_id.get(row.rep.as_str()) {
            None => v.push(format!(
                "{}: rep {:?} is not an accepted rep",
                a.id, row.rep
            )),
            Some(r) => {
                if !r.active {
                    v.push(format!("{}: rep {} is not active", a.id, r.id));
                }
                if !r.owner_role() {
                    v.push(format!(
                        "{}: rep {} has role {:?}, which owns no accounts",
                        a.id, r.id, r.role
                    ));
                }
                if seg_key(&r.segment) != seg_of[i] {
                    v.push(format!(
                        "{}: rep {} covers {:?}, the account is {:?}",
                        a.id, r.id, r.segment, seg_of[i]
                    ));
                }
                if !r.eligible(&a.region, &a.industry) {
                    v.push(format!(
                        "{}: rep {} may not cover region {:?} / industry {:?}",
                        a.id, r.id, a.region, a.industry
                    ));
                }
            }
        }
        if let Some(allowed) = &allowed_pairs
            && !fam_lock.contains_key(&fam[i])
            && !allowed.contains(&(a.id.clone(), row.rep.clone()))
        {
            v.push(format!(
                "{}: assigned to {}, a pair pairs.csv does not allow",
                a.id, row.rep
            ));
        }
        if let Some(owner) = fam_lock.get(&fam[i])
            && row.rep != *owner
        {
            v.push(format!(
                "{}: its family is locked to {owner}, assigned to {}",
                a.id, row.rep
            ));
        }
        match fam_rep.get(&fam[i]) {
            Some(r) if *r != row.rep => v.push(format!(
                "{}: family split between {} and {}",
                a.id, r, row.rep
            )),
            Some(_) => {}
            None => {
                fam_rep.insert(fam[i], row.rep.as_str());
            }
        }
        if row.previous != a.owner {
            v.push(format!(
                "{}: previous_rep_id {:?}, input owner_id {:?}",
                a.id, row.previous, a.owner
            ));
        }
        let m = !a.owner.is_empty() && row.rep != a.owner;
        if !a.owner.is_empty() {
            owned += 1;
        }
        if m {
            moved += 1;
        }
        if row.moved != m {
            v.push(format!("{}: moved = {}, expected {m}", a.id, row.moved));
        }
    }

    // --- per-rep loads, caps, targets, deviations.
    #[derive(Default, Clone)]
    struct Load {
        count: f64,
        potential: f64,
        workload: f64,
        km: f64,
        km_n: usize,
    }
    let mut load: HashMap<&str, Load> = HashMap::new();
    for (row, a) in rows_used.iter().zip(acc) {
        let l = load.entry(row.rep.as_str()).or_default();
        l.count += 1.0;
        l.potential += a.potential.unwrap_or(0.0);
        l.workload += a.workload;
        if let (Some(p), Some(r)) = (a.coords, rep_by_id.get(row.rep.as_str()))
            && let Some(h) = r.coords
        {
            l.km += great_circle_km(h, p);
            l.km_n += 1;
        }
    }
    // --- travel: total km, the travel cap.
    let mut total_km = 0.0;
    let mut located = 0usize;
    for (row, a) in rows_used.iter().zip(acc) {
        let Some(p) = a.coords else { continue };
        let Some(h) = rep_by_id.get(row.rep.as_str()).and_then(|r| r.coords) else {
            continue;
        };
        let d = great_circle_km(h, p);
        total_km += d;
        located += 1;
        if let Some(cap) = spec.max_km
            && d > cap + 1e-6
        {
            v.push(format!(
                "{}: {d:.3} km from the home of {}, over the travel cap max_km = {cap}",
                a.id, row.rep
            ));
        }
    }
    // --- disruption budgets.
    if let Some(b) = spec.max_moves
        && moved as u64 > b
    {
        v.push(format!(
            "{moved} accounts moved, over the budget max_moves = {b}"
        ));
    }
    if let Some(pct) = spec.max_moved_pct
        && moved as f64 > pct / 100.0 * owned as f64 + 1e-9
    {
        v.push(format!(
            "{moved} of {owned} owned accounts moved, over the budget max_moved_pct = {pct}"
        ));
    }
    // Segment totals and Σfte of reps taking accounts.
    let mut seg_total: HashMap<&str, [f64; 3]> = HashMap::new();
    for (i, a) in acc.iter().enumerate() {
        let t = seg_total.entry(seg_of[i].as_str()).or_default();
        t[0] += a.potential.unwrap_or(0.0);
        t[1] += a.workload;
        t[2] += 1.0;
    }
    let takes = |r: &InRep| {
        r.active && r.owner_role() && seg_total.contains_key(seg_key(&r.segment).as_str())
    };
    let mut seg_fte: HashMap<String, f64> = HashMap::new();
    for r in rep_rows.iter().filter(|r| takes(r)) {
        *seg_fte.entry(seg_key(&r.segment)).or_default() += r.fte;
    }
    let band = spec.band_pct / 100.0;
    let metric_slot = |m: &str| match m {
        "potential" => 0,
        "workload" => 1,
        "accounts" => 2,
        other => panic!("unknown metric {other}"),
    };
    struct RepFig {
        dev: [f64; 3],
        within: bool,
        edge: bool,
    }
    let mut figs: HashMap<&str, RepFig> = HashMap::new();
    for r in &rep_rows {
        let l = load.get(r.id.as_str()).cloned().unwrap_or_default();
        if let Some(m) = r.max_accounts
            && l.count > m + 1e-9
        {
            v.push(format!(
                "{}: {} accounts over max_accounts {m}",
                r.id, l.count
            ));
        }
        if let Some(m) = r.max_workload
            && l.workload > m + 1e-6
        {
            v.push(format!(
                "{}: workload {} over max_workload {m}",
                r.id, l.workload
            ));
        }
        if let Some(m) = r.max_potential
            && l.potential > m + 1e-6
        {
            v.push(format!(
                "{}: potential {} over max_potential {m}",
                r.id, l.potential
            ));
        }
        let mut target = [0.0; 3];
        let mut dev = [0.0; 3];
        if takes(r) {
            let sk = seg_key(&r.segment);
            let tot = seg_total[sk.as_str()];
            let share = r.fte / seg_fte[&sk];
            let ld = [l.potential, l.workload, l.count];
            for k in 0..3 {
                target[k] = tot[k] * share;
                dev[k] = if target[k] > 0.0 {
                    ld[k] / target[k] - 1.0
                } else {
                    0.0
                };
            }
        } else if l.count > 0.0 {
            v.push(format!("{} takes no accounts but holds {}", r.id, l.count));
        }
        let mut within = true;
        let mut edge = false;
        for m in &spec.metrics {
            let d = dev[metric_slot(m)].abs();
            if d > band + 1e-9 {
                within = false;
            }
            if (d - band).abs() < 1e-6 {
                edge = true;
            }
        }
        if !takes(r) {
            within = true;
        }
        if spec.hard_band && !within {
            v.push(format!(
                "{} is outside the hard ±{}% band: deviations {:?}",
                r.id, spec.band_pct, dev
            ));
        }
        figs.insert(r.id.as_str(), RepFig { dev, within, edge });
        let _ = target;
    }

    // --- territories.csv against our figures.
    let tt = read_csv(&spec.out.join("territories.csv"));
    let tr_ids: Vec<String> = tt
        .records
        .iter()
        .map(|r| unescaped(r.get("rep_id")))
        .collect();
    // By rep_id, whatever the roster order.
    let mut exp_ids: Vec<String> = rep_rows.iter().map(|r| r.id.clone()).collect();
    exp_ids.sort();
    if tr_ids != exp_ids {
        v.push(format!(
            "territories.csv reps {tr_ids:?}, expected the accepted reps {exp_ids:?}"
        ));
    }
    for t in &tt.records {
        for (h, c) in &t.cells {
            if is_formula_like(c) {
                v.push(format!(
                    "territories.csv line {}: {h} = {c:?} would run as a formula",
                    t.line
                ));
            }
        }
        let id = unescaped(t.get("rep_id"));
        let Some(r) = rep_by_id.get(id.as_str()) else {
            continue;
        };
        let l = load.get(id.as_str()).cloned().unwrap_or_default();
        let f = &figs[id.as_str()];
        let num_cell = |h: &str| cell_f64(t.get(h));
        let expect = |v: &mut Vec<String>, h: &str, want: f64, tol: f64| match num_cell(h) {
            Some(got) if close(got, want, tol) => {}
            got => v.push(format!(
                "territories.csv {id}: {h} = {got:?} ({:?}), expected {want}",
                t.get(h)
            )),
        };
        expect(&mut v, "accounts", l.count, 0.0);
        expect(&mut v, "potential", l.potential, 0.01);
        expect(&mut v, "workload", l.workload, 0.01);
        expect(&mut v, "fte", r.fte, 1e-9);
        if takes(r) {
            let sk = seg_key(&r.segment);
            let tot = seg_total[sk.as_str()];
            let share = r.fte / seg_fte[&sk];
            expect(&mut v, "target_potential", tot[0] * share, 0.01);
            expect(&mut v, "target_workload", tot[1] * share, 0.01);
            expect(&mut v, "target_accounts", tot[2] * share, 0.01);
            expect(&mut v, "deviation_potential_pct", f.dev[0] * 100.0, 0.01);
            expect(&mut v, "deviation_workload_pct", f.dev[1] * 100.0, 0.01);
            expect(&mut v, "deviation_accounts_pct", f.dev[2] * 100.0, 0.01);
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
        if l.km_n > 0 {
            expect(
                &mut v,
                "mean_km",
                l.km / l.km_n as f64,
                0.06 + 1e-4 * l.km / l.km_n as f64,
            );
        } else if !t.get("mean_km").trim().is_empty() {
            v.push(format!(
                "territories.csv {id}: mean_km {:?} with no located account",
                t.get("mean_km")
            ));
        }
        let util = [
            r.max_accounts
                .map(|m| if m > 0.0 { l.count / m } else { f64::INFINITY }),
            r.max_workload.map(|m| {
                if m > 0.0 {
                    l.workload / m
                } else {
                    f64::INFINITY
                }
            }),
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
        if !f.edge && wb != f.within.to_string() {
            v.push(format!(
                "territories.csv {id}: within_band {wb:?}, expected {} (deviations {:?})",
                f.within, f.dev
            ));
        }
    }

    // --- summary.json against our figures.
    let s = summary(&spec.out);
    let get_u = |k: &str| s[k].as_u64();
    if get_u("accounts") != Some(n as u64) {
        v.push(format!(
            "summary.json accounts = {}, expected {n}",
            s["accounts"]
        ));
    }
    if get_u("reps") != Some(rep_rows.len() as u64) {
        v.push(format!(
            "summary.json reps = {}, expected {}",
            s["reps"],
            rep_rows.len()
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
    let moved_pot: f64 = rows_used
        .iter()
        .zip(acc)
        .filter(|(r, a)| !a.owner.is_empty() && r.rep != a.owner)
        .map(|(_, a)| a.potential.unwrap_or(0.0))
        .sum();
    match s["moves"]["moved_potential"].as_f64() {
        Some(x) if close(x, moved_pot, 1e-6) => {}
        x => v.push(format!(
            "summary.json moves.moved_potential = {x:?}, expected {moved_pot}"
        )),
    }
    let segs = s["segments"].as_array().cloned().unwrap_or_default();
    let seg_names: BTreeSet<String> = seg_total.keys().map(|k| k.to_string()).collect();
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
        let Some(tot) = seg_total.get(name.as_str()) else {
            continue;
        };
        let seg_reps: Vec<&&InRep> = rep_rows
            .iter()
            .filter(|r| takes(r) && seg_key(&r.segment) == name)
            .collect();
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
        for (key, k) in [("potential", 0), ("workload", 1), ("account_count", 2)] {
            match seg[key]["total"].as_f64() {
                Some(x) if close(x, tot[k], 1e-6) => {}
                x => v.push(format!(
                    "summary.json {name}: {key}.total = {x:?}, expected {}",
                    tot[k]
                )),
            }
            let want = seg_reps
                .iter()
                .map(|r| figs[r.id.as_str()].dev[k].abs())
                .fold(0.0, f64::max)
                * 100.0;
            match seg[key]["max_abs_deviation_pct"].as_f64() {
                Some(x) if (x - want).abs() <= 1e-6 * want.abs().max(1.0) => {}
                x => v.push(format!(
                    "summary.json {name}: {key}.max_abs_deviation_pct = {x:?}, expected {want}"
                )),
            }
        }
        let seg_moved = rows_used
            .iter()
            .zip(acc)
            .enumerate()
            .filter(|(i, (r, a))| seg_of[*i] == name && !a.owner.is_empty() && r.rep != a.owner)
            .count();
        if seg["moved_accounts"].as_u64() != Some(seg_moved as u64) {
            v.push(format!(
                "summary.json {name}: moved_accounts = {}, expected {seg_moved}",
                seg["moved_accounts"]
            ));
        }
        let within = seg_reps.iter().all(|r| figs[r.id.as_str()].within);
        let edge = seg_reps.iter().any(|r| figs[r.id.as_str()].edge);
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
    }

    // --- the objective value and the lower bound.
    if let Some(obj) = &spec.objective {
        let reported = s["objective"].as_f64();
        let same = |x: f64, want: f64| (x - want).abs() <= 1e-9 * want.abs().max(1.0);
        match obj.as_str() {
            "travel" => {
                match reported {
                    Some(x) if same(x, total_km) => {}
                    x => v.push(format!(
                        "summary.json objective = {x:?}, expected the total great-circle km {total_km}"
                    )),
                }
                if located > 0 {
                    let mean = total_km / located as f64;
                    match s["mean_km"].as_f64() {
                        Some(x) if same(x, mean) => {}
                        x => v.push(format!(
                            "summary.json mean_km = {x:?}, expected {mean} ({total_km} km over {located} located accounts)"
                        )),
                    }
                }
            }
            "cost" => {
                let mut cost = 0.0;
                if let Some(pc) = &pair_costs {
                    for (row, a) in rows_used.iter().zip(acc) {
                        match pc.get(&(a.id.clone(), row.rep.clone())) {
                            Some(Some(c)) => cost += c,
                            Some(None) => v.push(format!(
                                "{}: the pair with {} has no numeric cost but was accepted",
                                a.id, row.rep
                            )),
                            // Locked accounts may sit on a pair the file does not list.
                            None => {}
                        }
                    }
                    match s["pair_cost"].as_f64() {
                        Some(x) if same(x, cost) => {}
                        x => v.push(format!(
                            "summary.json pair_cost = {x:?}, expected the total pair cost {cost}"
                        )),
                    }
                }
                match reported {
                    Some(x) if same(x, cost) => {}
                    x => v.push(format!(
                        "summary.json objective = {x:?}, expected the total pair cost {cost}"
                    )),
                }
            }
            _ => {}
        }
        match (s["lower_bound"].as_f64(), reported) {
            (Some(lb), Some(x)) if lb <= x + 1e-6 + 1e-9 * x.abs() => {}
            (lb, x) => v.push(format!(
                "summary.json lower_bound = {lb:?} is missing or above the objective {x:?}"
            )),
        }
    }

    assert!(
        v.is_empty(),
        "checker found {} problem(s) in {}:\n  {}",
        v.len(),
        spec.out.display(),
        v.join("\n  ")
    );
    Checked {
        rows,
        segment_counts,
        owned,
        moved,
        rejects,
        summary: s,
    }
}

/// Every cell of every CSV output in `out` that starts like a formula, as "file: cell".
pub fn formula_cells(out: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    for name in [
        "assignments.csv",
        "territories.csv",
        "rejects.csv",
        "plan.csv",
    ] {
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
            for (h, c) in &r.cells {
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
    for name in [
        "assignments.csv",
        "territories.csv",
        "rejects.csv",
        "plan.csv",
    ] {
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
