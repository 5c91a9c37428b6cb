//! Reading accounts.csv and reps.csv as CRMs and spreadsheets export them.
//!
//! Handles a UTF-8 byte-order mark, UTF-16 (Excel "Unicode text"), Windows-1252 bytes,
//! CRLF line ends, `,` `;` or tab delimiters (sniffed from the header), quoted fields with
//! newlines, header names in any case and spacing, mapped and preset header names,
//! currency symbols and thousands separators in numbers, and rows that are shorter than the
//! header. A row with a bad value is refused with an [`Issue`] naming line and column; a
//! problem with the whole file (missing required column, too many rows) is fatal.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::issue::{Issue, Severity};
use crate::plan::{Plan, segment_key};
use crate::rows::{Account, Rep, RepStatus};

/// Rows read from one file, with the rows it refused and the warnings it raised.
#[derive(Debug, Default)]
pub struct RowsRead<T> {
    /// Accepted rows, in file order.
    pub rows: Vec<T>,
    /// Refused rows (severity [`Severity::Refused`]), one issue per refused row.
    pub refused: Vec<Issue>,
    /// Rows used with a correction, and notes about the file.
    pub warnings: Vec<Issue>,
}

/// One field we read: our name, the headers it is found under, whether it must exist.
struct Field {
    name: &'static str,
    aliases: &'static [&'static str],
    salesforce: &'static [&'static str],
    required: bool,
}

const ACCOUNT_FIELDS: &[Field] = &[
    Field {
        name: "account_id",
        aliases: &["id", "accountid"],
        salesforce: &["Id", "Account ID", "AccountId"],
        required: true,
    },
    Field {
        name: "name",
        aliases: &["account_name"],
        salesforce: &["Name", "Account Name"],
        required: false,
    },
    Field {
        name: "segment",
        aliases: &["tier"],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "employees",
        aliases: &["number_of_employees"],
        salesforce: &["NumberOfEmployees", "Employees"],
        required: false,
    },
    Field {
        name: "potential",
        aliases: &["arr_potential"],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "workload",
        aliases: &["hours"],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "lat",
        aliases: &["latitude"],
        salesforce: &["BillingLatitude", "Billing Latitude"],
        required: false,
    },
    Field {
        name: "lon",
        aliases: &["lng", "long", "longitude"],
        salesforce: &["BillingLongitude", "Billing Longitude"],
        required: false,
    },
    Field {
        name: "industry",
        aliases: &[],
        salesforce: &["Industry"],
        required: false,
    },
    Field {
        name: "region",
        aliases: &["territory"],
        salesforce: &["BillingState", "Billing State/Province"],
        required: false,
    },
    Field {
        name: "owner_id",
        aliases: &["owner", "ownerid"],
        salesforce: &["OwnerId", "Owner ID", "Account Owner ID"],
        required: false,
    },
    Field {
        name: "parent_id",
        aliases: &["parentid", "parent"],
        salesforce: &["ParentId", "Parent Account ID"],
        required: false,
    },
    Field {
        name: "locked",
        aliases: &["lock"],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "previous_segment",
        aliases: &["previous_tier", "last_segment"],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "arr",
        aliases: &["current_arr"],
        salesforce: &["AnnualRevenue__c", "ARR__c"],
        required: false,
    },
    Field {
        name: "engaged_stakeholders",
        aliases: &["stakeholders"],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "months_inactive",
        aliases: &[],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "health_score",
        aliases: &["health"],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "open_opportunity",
        aliases: &[
            "has_open_opportunity",
            "open_opportunities",
            "open_pipeline",
        ],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "close_date",
        aliases: &["expected_close_date", "opportunity_close_date"],
        salesforce: &["CloseDate"],
        required: false,
    },
];

const REP_FIELDS: &[Field] = &[
    Field {
        name: "rep_id",
        aliases: &["id", "user_id", "userid"],
        salesforce: &["Id", "User ID"],
        required: true,
    },
    Field {
        name: "name",
        aliases: &["full_name"],
        salesforce: &["Name", "Full Name"],
        required: false,
    },
    Field {
        name: "segment",
        aliases: &["tier"],
        salesforce: &[],
        required: true,
    },
    Field {
        name: "role",
        aliases: &[],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "lat",
        aliases: &["latitude"],
        salesforce: &["Latitude"],
        required: false,
    },
    Field {
        name: "lon",
        aliases: &["lng", "long", "longitude"],
        salesforce: &["Longitude"],
        required: false,
    },
    Field {
        name: "fte",
        aliases: &[],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "max_accounts",
        aliases: &[],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "max_workload",
        aliases: &[],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "max_potential",
        aliases: &[],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "attainment",
        aliases: &["quota_attainment"],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "regions",
        aliases: &["region"],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "industries",
        aliases: &["industry"],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "status",
        aliases: &[],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "manager_id",
        aliases: &["manager", "managerid"],
        salesforce: &["ManagerId"],
        required: false,
    },
    Field {
        name: "district",
        aliases: &[],
        salesforce: &[],
        required: false,
    },
    Field {
        name: "sales_region",
        aliases: &["rollup_region", "area"],
        salesforce: &[],
        required: false,
    },
];

const PAIR_FIELDS: &[Field] = &[
    Field {
        name: "account_id",
        aliases: &["id", "accountid"],
        salesforce: &["AccountId", "Account ID"],
        required: true,
    },
    Field {
        name: "rep_id",
        aliases: &["user_id", "userid", "owner_id"],
        salesforce: &["UserId", "OwnerId"],
        required: true,
    },
    Field {
        name: "cost",
        aliases: &[],
        salesforce: &[],
        required: true,
    },
    Field {
        name: "workload",
        aliases: &["hours"],
        salesforce: &[],
        required: false,
    },
];

/// One row of pairs.csv: the cost and workload of one account with one rep.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PairRow {
    /// The account.
    pub account_id: String,
    /// The rep.
    pub rep_id: String,
    /// The pair's cost (any finite number: affinity, travel, …).
    pub cost: f64,
    /// The pair's workload; `None` = the account's own workload.
    pub workload: Option<f64>,
    /// Line of the row in its file.
    pub line: u64,
}

const DECISION_FIELDS: &[Field] = &[
    Field {
        name: "account_id",
        aliases: &["id", "accountid"],
        salesforce: &["Id", "Account ID", "AccountId"],
        required: true,
    },
    Field {
        name: "decision",
        aliases: &["action", "verdict"],
        salesforce: &[],
        required: true,
    },
    Field {
        name: "rep_id",
        aliases: &["owner_id", "user_id", "userid", "pin_rep_id"],
        salesforce: &["OwnerId"],
        required: false,
    },
    Field {
        name: "note",
        aliases: &["notes", "comment", "comments"],
        salesforce: &[],
        required: false,
    },
];

const PREVIOUS_FIELDS: &[Field] = &[
    Field {
        name: "account_id",
        aliases: &["id", "accountid"],
        salesforce: &["Id", "Account ID", "AccountId"],
        required: true,
    },
    Field {
        name: "rep_id",
        aliases: &["owner_id", "user_id", "userid"],
        salesforce: &["OwnerId"],
        required: true,
    },
    Field {
        name: "reason_code",
        aliases: &[],
        salesforce: &[],
        required: false,
    },
];

/// Reads a file of ours that the plan's `[columns]` do not map (decisions, a previous
/// assignment): headers are matched by name and alias only.
fn read_unmapped<T>(
    path: &Path,
    file: &str,
    fields: &[Field],
    parse: impl FnMut(&mut RowCtx<'_>, u64) -> Option<T>,
) -> Result<RowsRead<T>, Vec<Issue>> {
    let source = open_source(path, file).map_err(|e| vec![*e])?;
    parse_table(
        source,
        file,
        &Plan::default(),
        fields,
        &BTreeMap::new(),
        parse,
    )
}

/// One row of decisions.csv: a planner's ruling on one account.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionRow {
    /// The account.
    pub account_id: String,
    /// What was decided.
    pub decision: crate::decisions::Decision,
    /// The rep of a `pin` (empty otherwise).
    pub rep_id: String,
    /// The planner's note, carried to the output.
    pub note: String,
    /// Line of the row in its file.
    pub line: u64,
}

/// Reads decisions.csv (account_id, decision = accept | reject | pin, rep_id for a pin,
/// note). A row that cannot be read is refused with its row and column.
pub fn read_decisions(path: &Path, file: &str) -> Result<RowsRead<DecisionRow>, Vec<Issue>> {
    read_unmapped(path, file, DECISION_FIELDS, |ctx, line| {
        let raw = ctx.text("decision");
        let decision = crate::decisions::Decision::parse(raw);
        if decision.is_none() {
            ctx.fail(
                    "decision",
                    format!("{raw:?} is not a decision"),
                    "write accept (keep the proposed move), reject (keep today's owner) or pin (with rep_id)",
                );
        }
        let rep_id = ctx.text("rep_id").to_string();
        if decision == Some(crate::decisions::Decision::Pin) && rep_id.is_empty() {
            ctx.fail(
                "rep_id",
                "a pin needs the rep_id it pins the account to".into(),
                "give the rep_id, or make the decision accept or reject",
            );
        }
        Some(DecisionRow {
            account_id: ctx.text("account_id").to_string(),
            decision: decision?,
            rep_id,
            note: ctx.text("note").to_string(),
            line,
        })
    })
}

/// One row of a previous run's assignments.csv: the rep it proposed for an account.
#[derive(Clone, Debug, PartialEq)]
pub struct PreviousRow {
    /// The account.
    pub account_id: String,
    /// The rep proposed.
    pub rep_id: String,
    /// Why the proposal put it there (allot's `reason_code`; empty when not given).
    pub reason_code: String,
    /// Line of the row in its file.
    pub line: u64,
}

/// Reads a previous run's assignments.csv (account_id, rep_id; other columns ignored).
pub fn read_previous(path: &Path, file: &str) -> Result<RowsRead<PreviousRow>, Vec<Issue>> {
    read_unmapped(path, file, PREVIOUS_FIELDS, |ctx, line| {
        if ctx.text("rep_id").is_empty() {
            ctx.fail(
                "rep_id",
                "rep_id is empty".into(),
                "give the rep the previous run proposed, or delete the row",
            );
            return None;
        }
        Some(PreviousRow {
            account_id: ctx.text("account_id").to_string(),
            rep_id: ctx.text("rep_id").to_string(),
            reason_code: ctx.text("reason_code").to_string(),
            line,
        })
    })
}

/// Reads pairs.csv.
pub fn read_pairs(path: &Path, file: &str, plan: &Plan) -> Result<RowsRead<PairRow>, Vec<Issue>> {
    let source = open_source(path, file).map_err(|e| vec![*e])?;
    read_pairs_from(source, file, plan)
}

/// Reads pairs from any byte source.
pub fn read_pairs_from(
    source: Box<dyn Read>,
    file: &str,
    plan: &Plan,
) -> Result<RowsRead<PairRow>, Vec<Issue>> {
    parse_table(
        source,
        file,
        plan,
        PAIR_FIELDS,
        &plan.columns.pairs,
        |ctx, line| {
            let raw = ctx.text("cost");
            let cost = match parse_number(raw) {
                Some(v) if v.is_finite() => Some(v),
                _ => {
                    ctx.fail(
                        "cost",
                        format!("{raw:?} is not a finite number"),
                        "write the pair's cost as a number (e.g. 12.5 or -3), or remove the pair",
                    );
                    None
                }
            };
            if ctx.text("rep_id").is_empty() {
                ctx.fail(
                    "rep_id",
                    "rep_id is empty".into(),
                    "give the rep_id of the pair, or delete the row",
                );
            }
            let workload = ctx.number("workload");
            Some(PairRow {
                account_id: ctx.text("account_id").to_string(),
                rep_id: ctx.text("rep_id").to_string(),
                cost: cost?,
                workload,
                line,
            })
        },
    )
}

/// Reads a date as CRMs and spreadsheets write it: ISO `YYYY-MM-DD` (with an optional time
/// after `T` or a space), US `M/D/YYYY` (`D/M/YYYY` when the first number is above 12) or
/// European `D.M.YYYY`.
pub fn parse_date(raw: &str) -> Option<chrono::NaiveDate> {
    use chrono::NaiveDate;
    let s = raw.trim();
    let day = s.split(['T', ' ']).next().unwrap_or(s);
    let nums = |sep: char| -> Option<(u32, u32, i32)> {
        let mut it = day.split(sep);
        let a = it.next()?.trim().parse().ok()?;
        let b = it.next()?.trim().parse().ok()?;
        let c = it.next()?.trim().parse().ok()?;
        it.next().is_none().then_some((a, b, c))
    };
    if day.len() >= 8 && day.as_bytes().get(4) == Some(&b'-') {
        let mut it = day.split('-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let d = it.next()?.parse().ok()?;
        return if it.next().is_none() {
            NaiveDate::from_ymd_opt(y, m, d)
        } else {
            None
        };
    }
    if let Some((a, b, y)) = nums('/') {
        let (m, d) = if a > 12 { (b, a) } else { (a, b) };
        return (y >= 1000)
            .then(|| NaiveDate::from_ymd_opt(y, m, d))
            .flatten();
    }
    if let Some((d, m, y)) = nums('.') {
        return (y >= 1000)
            .then(|| NaiveDate::from_ymd_opt(y, m, d))
            .flatten();
    }
    None
}

/// Header comparison key: lower case, letters and digits only ("Account ID" = "account_id").
fn header_key(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// Where each of our fields sits in the file, and its header there.
struct Layout {
    index: BTreeMap<&'static str, (usize, String)>,
    width: usize,
}

impl Layout {
    fn resolve(
        file: &str,
        headers: &[String],
        fields: &[Field],
        mapping: &BTreeMap<String, String>,
        salesforce: bool,
    ) -> Result<Layout, Vec<Issue>> {
        let mut problems = Vec::new();
        for ours in mapping.keys() {
            if !fields.iter().any(|f| f.name == ours) {
                let known: Vec<_> = fields.iter().map(|f| f.name).collect();
                problems.push(Issue::file(
                    file,
                    ours,
                    format!("[columns] maps {ours:?}, which is not a field of this file"),
                    format!("known fields: {}", known.join(", ")),
                ));
            }
        }
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let find = |name: &str| {
            keys.iter()
                .position(|k| *k == header_key(name) && !k.is_empty())
        };
        let mut index = BTreeMap::new();
        for f in fields {
            let found = if let Some(h) = mapping.get(f.name) {
                let pos = find(h);
                if pos.is_none() {
                    problems.push(Issue::file(
                        file,
                        f.name,
                        format!(
                            "[columns] maps {} to header {h:?}, which the file does not have",
                            f.name
                        ),
                        format!("headers in the file: {}", headers.join(", ")),
                    ));
                }
                pos
            } else {
                let presets: &[&str] = if salesforce { f.salesforce } else { &[] };
                presets
                    .iter()
                    .copied()
                    .chain(std::iter::once(f.name))
                    .chain(f.aliases.iter().copied())
                    .find_map(find)
            };
            match found {
                Some(i) => {
                    index.insert(f.name, (i, headers[i].clone()));
                }
                None if f.required && !mapping.contains_key(f.name) => problems.push(Issue::file(
                    file,
                    f.name,
                    format!("required column {} is missing", f.name),
                    format!(
                        "add the column, or map it in plan.toml: [columns.{}] {} = \"<your header>\"; headers in the file: {}",
                        if fields.as_ptr() == ACCOUNT_FIELDS.as_ptr() { "accounts" } else { "reps" },
                        f.name,
                        headers.join(", ")
                    ),
                )),
                None => {}
            }
        }
        if problems.is_empty() {
            Ok(Layout {
                index,
                width: headers.len(),
            })
        } else {
            Err(problems)
        }
    }

    fn has(&self, field: &str) -> bool {
        self.index.contains_key(field)
    }
}

/// One record being parsed: its cells and the problems found so far.
struct RowCtx<'a> {
    layout: &'a Layout,
    cells: &'a [String],
    /// (column label, what is wrong, how to fix it).
    errors: Vec<(String, String, &'static str)>,
}

impl<'a> RowCtx<'a> {
    fn col_label(&self, field: &str) -> String {
        match self.layout.index.get(field) {
            Some((_, h)) if header_key(h) != header_key(field) => format!("{field} [{h}]"),
            _ => field.to_string(),
        }
    }

    fn text(&self, field: &str) -> &'a str {
        match self.layout.index.get(field) {
            Some((i, _)) => self.cells.get(*i).map(|s| s.trim()).unwrap_or(""),
            None => "",
        }
    }

    fn opt_text(&self, field: &str) -> Option<String> {
        let t = self.text(field);
        (!t.is_empty()).then(|| t.to_string())
    }

    fn fail(&mut self, field: &str, message: String, hint: &'static str) {
        let label = self.col_label(field);
        self.errors.push((label, message, hint));
    }

    /// A number ≥ 0; empty → `None`.
    fn number(&mut self, field: &str) -> Option<f64> {
        let raw = self.text(field);
        if raw.is_empty() {
            return None;
        }
        match parse_number(raw) {
            Some(v) if v.is_finite() && v >= 0.0 => Some(v),
            Some(v) if v.is_finite() => {
                self.fail(
                    field,
                    format!("{raw:?} is negative; it must be ≥ 0"),
                    HINT_NUMBER,
                );
                None
            }
            Some(_) => {
                self.fail(
                    field,
                    format!("{raw:?} is not a finite number"),
                    HINT_NUMBER,
                );
                None
            }
            None => {
                self.fail(field, format!("{raw:?} is not a number"), HINT_NUMBER);
                None
            }
        }
    }

    /// Any finite number, negative too (a health score); empty → `None`.
    fn signed_number(&mut self, field: &str) -> Option<f64> {
        let raw = self.text(field);
        if raw.is_empty() {
            return None;
        }
        match parse_number(raw) {
            Some(v) if v.is_finite() => Some(v),
            _ => {
                self.fail(field, format!("{raw:?} is not a number"), HINT_NUMBER);
                None
            }
        }
    }

    /// Quota attainment: `105%` (a percent, read as 1.05) or a plain number ≥ 0, with
    /// whether it was plain (the caller decides the column's unit); empty → `None`.
    fn attainment(&mut self) -> Option<(f64, bool)> {
        let raw = self.text("attainment");
        let (digits, plain) = match raw.strip_suffix('%') {
            Some(d) => (d.trim(), false),
            None => (raw, true),
        };
        if raw.is_empty() {
            return None;
        }
        match parse_number(digits) {
            Some(v) if v.is_finite() && v >= 0.0 => {
                Some((if plain { v } else { v / 100.0 }, plain))
            }
            _ => {
                self.fail(
                    "attainment",
                    format!("{raw:?} is not a quota attainment (a number ≥ 0)"),
                    "write the share of quota reached, e.g. 105% or 1.05, or leave the cell empty",
                );
                None
            }
        }
    }

    /// A coordinate within ±limit degrees.
    fn coord(&mut self, field: &str, limit: f64) -> Option<f64> {
        let raw = self.text(field);
        if raw.is_empty() {
            return None;
        }
        match raw.replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() && v.abs() <= limit => Some(v),
            Ok(v) if v.is_finite() => {
                self.fail(
                    field,
                    format!("{raw} is outside ±{limit} degrees"),
                    "latitude lies within ±90 and longitude within ±180; check lat and lon are not swapped or scaled",
                );
                None
            }
            _ => {
                self.fail(
                    field,
                    format!("{raw:?} is not a coordinate in degrees"),
                    "write decimal degrees, e.g. 40.7128, or leave the cell empty",
                );
                None
            }
        }
    }

    fn boolean(&mut self, field: &str) -> bool {
        let raw = self.text(field);
        match parse_bool(raw) {
            Some(b) => b,
            None => {
                self.fail(
                    field,
                    format!("{raw:?} is not a boolean (true/false, 1/0, yes/no)"),
                    "write true or false (1/0, yes/no), or leave the cell empty",
                );
                false
            }
        }
    }

    /// A yes/no cell that may also hold an amount (an open pipeline value: > 0 is yes);
    /// `None` when empty.
    fn flag_or_amount(&mut self, field: &str) -> Option<bool> {
        let raw = self.text(field);
        if raw.is_empty() {
            return None;
        }
        if let Some(b) = parse_bool(raw) {
            return Some(b);
        }
        match parse_number(raw) {
            Some(v) if v.is_finite() && v >= 0.0 => Some(v > 0.0),
            _ => {
                self.fail(
                    field,
                    format!("{raw:?} is neither yes/no nor an amount"),
                    "write true or false (1/0, yes/no), the open amount, or leave the cell empty",
                );
                None
            }
        }
    }

    /// A date cell: ISO `2027-03-14` (a time after it is ignored, as CRMs export), US
    /// `3/14/2027` or European `14.03.2027`; `None` when empty.
    fn date(&mut self, field: &str) -> Option<chrono::NaiveDate> {
        let raw = self.text(field);
        if raw.is_empty() {
            return None;
        }
        let d = parse_date(raw);
        if d.is_none() {
            self.fail(
                field,
                format!("{raw:?} is not a date"),
                "write the date as 2027-03-14 (or 3/14/2027, 14.03.2027), or leave the cell empty",
            );
        }
        d
    }

    fn list(&self, field: &str) -> Vec<String> {
        self.text(field)
            .split([';', '|'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn coords(&mut self) -> (Option<f64>, Option<f64>) {
        let lat = self.coord("lat", 90.0);
        let lon = self.coord("lon", 180.0);
        match (lat, lon) {
            (Some(_), None) if self.text("lon").is_empty() => {
                self.fail(
                    "lon",
                    "lat is given but lon is empty".into(),
                    HINT_BOTH_COORDS,
                );
                (None, None)
            }
            (None, Some(_)) if self.text("lat").is_empty() => {
                self.fail(
                    "lat",
                    "lon is given but lat is empty".into(),
                    HINT_BOTH_COORDS,
                );
                (None, None)
            }
            pair => pair,
        }
    }
}

/// Parses a number as spreadsheets write it: `1234.5`, `1,234.50`, `$1,234`, `1 234`, `1e3`,
/// `1234,5` (decimal comma). Returns `None` for anything else.
pub fn parse_number(raw: &str) -> Option<f64> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '$' | '€' | '£' | '¥' | ' ' | '\u{a0}' | '\u{202f}' | '\''
            )
        })
        .collect();
    if s.is_empty() {
        return None;
    }
    if let Ok(v) = s.parse::<f64>() {
        // Rust accepts "inf" and "NaN"; the caller refuses non-finite values.
        return Some(v);
    }
    let (digits, frac) = match (s.rfind('.'), s.rfind(',')) {
        // 1,234.56 or 1,234
        (Some(d), Some(c)) if c < d => (s[..d].replace(',', ""), Some(&s[d + 1..])),
        // 1.234,56 (European)
        (Some(d), Some(c)) if d < c => (s[..c].replace('.', ""), Some(&s[c + 1..])),
        (None, Some(c)) => {
            let groups: Vec<&str> = s.split(',').collect();
            let thousands = groups.len() > 1
                && groups[0].len() <= 3
                && !groups[0].is_empty()
                && groups[1..].iter().all(|g| g.len() == 3);
            if thousands {
                (s.replace(',', ""), None)
            } else if groups.len() == 2 {
                (s[..c].to_string(), Some(&s[c + 1..]))
            } else {
                return None;
            }
        }
        _ => return None,
    };
    let digits_ok = !digits.is_empty()
        && digits
            .trim_start_matches(['-', '+'])
            .chars()
            .all(|c| c.is_ascii_digit());
    let frac_ok = frac.is_none_or(|f| f.chars().all(|c| c.is_ascii_digit()));
    if !digits_ok || !frac_ok {
        return None;
    }
    let text = match frac {
        Some(f) if !f.is_empty() => format!("{digits}.{f}"),
        _ => digits,
    };
    text.parse().ok()
}

/// Parses a boolean: true/false, 1/0, yes/no, y/n, t/f (any case); empty is false.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "0" | "no" | "n" | "f" => Some(false),
        "true" | "1" | "yes" | "y" | "t" => Some(true),
        _ => None,
    }
}

/// Decodes one cell: UTF-8 when valid, else Windows-1252 (what Excel writes on Windows).
fn decode_cell(bytes: &[u8], lossy: &mut bool) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            *lossy = true;
            bytes.iter().map(|&b| cp1252(b)).collect()
        }
    }
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// Picks the delimiter that splits the header line into the most fields (`,` `;` tab).
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let line = &head[..line_end];
    let count = |d: u8| {
        let mut in_quotes = false;
        let mut n = 0;
        for &b in line {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if b == d && !in_quotes {
                n += 1;
            }
        }
        n
    };
    let mut best = (b',', count(b','));
    for d in [b';', b'\t', b'|'] {
        let c = count(d);
        if c > best.1 {
            best = (d, c);
        }
    }
    best.0
}

/// A source of CSV bytes, decoded to UTF-8 where it was UTF-16.
fn open_source(path: &Path, file: &str) -> Result<Box<dyn Read>, Box<Issue>> {
    let f = std::fs::File::open(path).map_err(|e| {
        Issue::file(
            file,
            "",
            format!("cannot open: {e}"),
            "check the path given on the command line",
        )
    })?;
    if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(Issue::file(
            file,
            "",
            "is a directory, not a CSV file",
            "pass the path of the CSV file",
        )
        .into());
    }
    Ok(Box::new(f))
}

/// Turns UTF-16 input into UTF-8 and strips a UTF-8 byte-order mark.
fn normalise_encoding(
    mut reader: BufReader<Box<dyn Read>>,
    file: &str,
    warnings: &mut Vec<Issue>,
) -> Result<Box<dyn BufRead>, Box<Issue>> {
    let head = reader
        .fill_buf()
        .map_err(|e| Issue::file(file, "", format!("cannot read: {e}"), ""))?
        .to_vec();
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        reader.consume(3);
        return Ok(Box::new(reader));
    }
    let le = head.starts_with(&[0xFF, 0xFE]);
    let be = head.starts_with(&[0xFE, 0xFF]);
    if !(le || be) {
        return Ok(Box::new(reader));
    }
    let mut bytes = Vec::new();
    reader
        .take(2 * 1024 * 1024 * 1024)
        .read_to_end(&mut bytes)
        .map_err(|e| Issue::file(file, "", format!("cannot read: {e}"), ""))?;
    let units: Vec<u16> = bytes[2..]
        .chunks_exact(2)
        .map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        })
        .collect();
    let text = String::from_utf16_lossy(&units);
    warnings.push(Issue::row(
        Severity::Warning,
        file,
        0,
        "",
        "",
        "file is UTF-16 (Excel \"Unicode text\"); read it as such",
        "",
    ));
    Ok(Box::new(std::io::Cursor::new(text.into_bytes())))
}

/// Streams the records of a delimited file: `on_header` sees the header once, then
/// `on_row` sees each non-blank row with its line number. Rows are never all held as text.
fn read_records(
    source: Box<dyn Read>,
    file: &str,
    max_rows: usize,
    warnings: &mut Vec<Issue>,
    mut on_header: impl FnMut(&[String]) -> Result<(), Vec<Issue>>,
    mut on_row: impl FnMut(u64, &[String]),
) -> Result<(), Vec<Issue>> {
    let reader = normalise_encoding(BufReader::with_capacity(1 << 16, source), file, warnings)
        .map_err(|e| vec![*e])?;
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let head = reader
        .fill_buf()
        .map_err(|e| vec![Issue::file(file, "", format!("cannot read: {e}"), "")])?;
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(vec![Issue::file(
            file,
            "",
            "file is empty",
            "export the file again with a header row",
        )]);
    }
    let delimiter = sniff_delimiter(head);
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut lossy = false;
    let mut record = csv::ByteRecord::new();
    let mut seen_header = false;
    let mut rows = 0usize;
    let mut cells: Vec<String> = Vec::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(vec![Issue::row(
                    Severity::Fatal,
                    file,
                    line,
                    "",
                    "",
                    format!("not a readable CSV file: {e}"),
                    "save it again as CSV (comma-, semicolon- or tab-separated)",
                )]);
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        cells.clear();
        cells.extend(record.iter().map(|c| decode_cell(c, &mut lossy)));
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if !seen_header {
            seen_header = true;
            let headers: Vec<String> = cells
                .iter()
                .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
                .collect();
            on_header(&headers)?;
            continue;
        }
        rows += 1;
        if rows > max_rows {
            return Err(vec![Issue::file(
                file,
                "",
                format!("more than {max_rows} rows"),
                "split the file, or raise [validation] max_rows in plan.toml if the machine has the memory",
            )]);
        }
        on_row(line, &cells);
    }
    if lossy {
        warnings.push(Issue::row(
            Severity::Warning,
            file,
            0,
            "",
            "",
            "file is not UTF-8; text was read as Windows-1252",
            "export as \"CSV UTF-8\" to be sure names come through unchanged",
        ));
    }
    if !seen_header {
        return Err(vec![Issue::file(
            file,
            "",
            "file is empty",
            "export the file again with a header row",
        )]);
    }
    Ok(())
}

/// Refuses a row whose extra cells (beyond the header) are not empty.
fn width_error(layout: &Layout, cells: &[String]) -> Option<String> {
    let extra = cells
        .iter()
        .skip(layout.width)
        .filter(|c| !c.trim().is_empty())
        .count();
    (extra > 0).then(|| {
        format!(
            "row has {} cells but the header has {}; a value probably contains an unquoted delimiter",
            cells.len(),
            layout.width
        )
    })
}

fn refuse(file: &str, line: u64, id: &str, errors: Vec<(String, String, &'static str)>) -> Issue {
    let column = errors
        .iter()
        .map(|(c, _, _)| c.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let message = errors
        .iter()
        .map(|(_, m, _)| m.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let mut hints: Vec<&str> = Vec::new();
    for (_, _, h) in &errors {
        if !hints.contains(h) {
            hints.push(h);
        }
    }
    Issue::row(
        Severity::Refused,
        file,
        line,
        &column,
        id,
        message,
        hints.join("; "),
    )
}

/// Hint for a bad number.
const HINT_NUMBER: &str =
    "write a plain number ≥ 0 (e.g. 125000 or 1,250.50), or leave the cell empty";
/// Hint for a value that swallowed what follows it.
const HINT_QUOTE: &str = "a quote is probably not closed, so the rows after it were read as part of this value; close the quote (or remove it) and run again";

/// How many lines of a multi-line cell look like rows of a table `width` columns wide (an
/// unclosed quote swallows the rows after it into one value), if any do.
fn swallowed_rows(cell: &str, width: usize) -> Option<usize> {
    if !cell.contains('\n') {
        return None;
    }
    let need = width.saturating_sub(1).max(2);
    let n = cell
        .lines()
        .skip(1)
        .filter(|l| l.matches([',', ';', '\t']).count() >= need)
        .count();
    (n > 0).then_some(n)
}

/// Largest plain attainment read as a fraction of quota: a column with a plain number above
/// it is read as percents (105 = 105 %).
pub const ATTAINMENT_PLAIN_MAX: f64 = 10.0;

/// Hint for a coordinate given alone.
const HINT_BOTH_COORDS: &str = "give both lat and lon, or neither";
/// Longest value read from a mapped column, in bytes. CRM text fields can be long, but the
/// columns allot reads (ids, names, regions, numbers) never are: a longer value is almost
/// always an unclosed quote that swallowed the rows after it.
pub const MAX_CELL_BYTES: usize = 10_000;

fn parse_table<T>(
    source: Box<dyn Read>,
    file: &str,
    plan: &Plan,
    fields: &[Field],
    mapping: &BTreeMap<String, String>,
    mut parse: impl FnMut(&mut RowCtx<'_>, u64) -> Option<T>,
) -> Result<RowsRead<T>, Vec<Issue>> {
    let mut rows = Vec::new();
    let mut refused = Vec::new();
    let mut warnings = Vec::new();
    let salesforce = plan
        .crm
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("salesforce"));
    let id_field = fields[0].name;
    let layout: std::cell::OnceCell<Layout> = std::cell::OnceCell::new();
    read_records(
        source,
        file,
        plan.validation.max_rows,
        &mut warnings,
        |headers| {
            let _ = layout.set(Layout::resolve(file, headers, fields, mapping, salesforce)?);
            Ok(())
        },
        |line, cells| {
            let Some(layout) = layout.get() else { return };
            let mut ctx = RowCtx {
                layout,
                cells,
                errors: Vec::new(),
            };
            if let Some(e) = width_error(layout, cells) {
                ctx.errors.push((
                    String::new(),
                    e,
                    "put quotes around values that contain the delimiter, or export the file again",
                ));
            }
            for (field, (i, _)) in &layout.index {
                let cell = cells.get(*i).map_or("", String::as_str);
                if cell.len() > MAX_CELL_BYTES {
                    ctx.fail(
                        field,
                        format!("value is {} bytes long (at most {MAX_CELL_BYTES})", cell.len()),
                        "no id, name or region is this long: a quote is probably not closed, or [columns] in plan.toml maps a long-text column; fix the file or the mapping",
                    );
                } else if let Some(n) = swallowed_rows(cell, layout.width) {
                    ctx.fail(
                        field,
                        format!("value runs over {n} more line(s) that look like rows"),
                        HINT_QUOTE,
                    );
                }
            }
            if ctx.text(id_field).is_empty() {
                ctx.fail(
                    id_field,
                    format!("{id_field} is empty"),
                    "give every row its id, or delete the row",
                );
            }
            let row = parse(&mut ctx, line);
            let id = ctx.text(id_field).to_string();
            match row {
                Some(row) if ctx.errors.is_empty() => rows.push(row),
                _ => {
                    // The id itself may be the overlong cell: keep what names the row short.
                    let id: String = id.chars().take(100).collect();
                    refused.push(refuse(file, line, &id, ctx.errors));
                }
            }
        },
    )?;
    Ok(RowsRead {
        rows,
        refused,
        warnings,
    })
}

/// Reads accounts.csv (or a CRM export mapped by the plan).
pub fn read_accounts(
    path: &Path,
    file: &str,
    plan: &Plan,
) -> Result<RowsRead<Account>, Vec<Issue>> {
    let source = open_source(path, file).map_err(|e| vec![*e])?;
    read_accounts_from(source, file, plan)
}

/// Reads accounts from any byte source (used by tests and fuzzing).
pub fn read_accounts_from(
    source: Box<dyn Read>,
    file: &str,
    plan: &Plan,
) -> Result<RowsRead<Account>, Vec<Issue>> {
    let mut missing_potential = false;
    let read = parse_table(
        source,
        file,
        plan,
        ACCOUNT_FIELDS,
        &plan.columns.accounts,
        |ctx, line| {
            missing_potential = !ctx.layout.has("potential");
            let (lat, lon) = ctx.coords();
            let potential = ctx.number("potential");
            let employees = ctx.number("employees");
            let workload = ctx.number("workload");
            let locked = ctx.boolean("locked");
            let signals = crate::rows::Signals {
                arr: ctx.number("arr"),
                engaged_stakeholders: ctx.number("engaged_stakeholders"),
                months_inactive: ctx.number("months_inactive"),
                health_score: ctx.signed_number("health_score"),
                open_opportunity: ctx.flag_or_amount("open_opportunity"),
                close_date: ctx.date("close_date"),
            };
            Some(Account {
                id: ctx.text("account_id").to_string(),
                name: ctx.text("name").to_string(),
                segment: ctx.opt_text("segment"),
                employees,
                potential: potential.unwrap_or(0.0),
                potential_given: potential.is_some(),
                workload: workload.unwrap_or(0.0),
                lat,
                lon,
                industry: ctx.text("industry").to_string(),
                region: ctx.text("region").to_string(),
                owner_id: ctx.opt_text("owner_id"),
                parent_id: ctx.opt_text("parent_id"),
                locked,
                previous_segment: ctx.opt_text("previous_segment"),
                signals,
                line,
            })
        },
    );
    let mut read = read?;
    if missing_potential {
        read.warnings.push(Issue::row(
            Severity::Warning,
            file,
            0,
            "potential",
            "",
            "no potential column: every account has potential 0",
            "map your potential field in plan.toml, e.g. [columns.accounts] potential = \"ARR_Potential__c\"",
        ));
    }
    Ok(read)
}

/// Reads reps.csv.
pub fn read_reps(path: &Path, file: &str, plan: &Plan) -> Result<RowsRead<Rep>, Vec<Issue>> {
    let source = open_source(path, file).map_err(|e| vec![*e])?;
    read_reps_from(source, file, plan)
}

/// Reads reps from any byte source (used by tests and fuzzing).
pub fn read_reps_from(
    source: Box<dyn Read>,
    file: &str,
    plan: &Plan,
) -> Result<RowsRead<Rep>, Vec<Issue>> {
    // Lines whose attainment is a plain number (no `%`): fractions of quota, unless one of
    // them is above 10, when the whole column is read as percents.
    let mut plain_attainment: Vec<u64> = Vec::new();
    let mut percent_column = false;
    let mut read = parse_table(
        source,
        file,
        plan,
        REP_FIELDS,
        &plan.columns.reps,
        |ctx, line| {
            let (lat, lon) = ctx.coords();
            let fte = match ctx.text("fte") {
                "" => Some(1.0),
                raw => match parse_number(raw.trim_end_matches('%')) {
                    Some(v) if raw.ends_with('%') && v.is_finite() && v > 0.0 && v <= 100.0 => {
                        Some(v / 100.0)
                    }
                    Some(v) if v.is_finite() && v > 0.0 && v <= 1.0 => Some(v),
                    Some(v) if v.is_finite() && v <= 0.0 => {
                        ctx.fail(
                            "fte",
                            format!("{raw:?}: a rep with no FTE cannot hold accounts"),
                            "set fte above 0, or set status to leaving",
                        );
                        None
                    }
                    _ => {
                        ctx.fail(
                            "fte",
                            format!("{raw:?} is not a share of a full book between 0 and 1"),
                            "write a share such as 1, 0.5 or 50%",
                        );
                        None
                    }
                },
            };
            let max_accounts = ctx.number("max_accounts").map(|v| v.floor() as u64);
            let max_workload = ctx.number("max_workload");
            let max_potential = ctx.number("max_potential");
            let attainment = ctx.attainment();
            if let Some((v, true)) = attainment {
                plain_attainment.push(line);
                percent_column |= v > ATTAINMENT_PLAIN_MAX;
            }
            let status = match RepStatus::parse(ctx.text("status")) {
                Some(s) => s,
                None => {
                    let other = ctx.text("status").to_string();
                    ctx.fail(
                        "status",
                        format!("{other:?} is not a status"),
                        "write active, leaving, on_leave, new or ramping",
                    );
                    RepStatus::Active
                }
            };
            // A ramping rep holds a share of a book: [roster] ramp_fte of their fte.
            let fte = fte.map(|f| {
                if status == RepStatus::Ramping {
                    f * plan.roster.ramp_fte
                } else {
                    f
                }
            });
            let segment = ctx.text("segment").to_string();
            if segment_key(&segment).is_empty() {
                ctx.fail(
                    "segment",
                    "segment is empty".into(),
                    "name the segment this rep covers, as in plan.toml [[segments]]",
                );
            }
            Some(Rep {
                id: ctx.text("rep_id").to_string(),
                name: ctx.text("name").to_string(),
                segment,
                role: ctx.text("role").to_string(),
                lat,
                lon,
                fte: fte?,
                max_accounts,
                max_workload,
                max_potential,
                attainment: attainment.map(|(v, _)| v),
                regions: ctx.list("regions"),
                industries: ctx.list("industries"),
                status,
                manager_id: ctx.text("manager_id").to_string(),
                district: ctx.text("district").to_string(),
                sales_region: ctx.text("sales_region").to_string(),
                frozen: false,
                line,
            })
        },
    )?;
    if percent_column {
        for r in &mut read.rows {
            if let (Some(v), Ok(_)) = (r.attainment, plain_attainment.binary_search(&r.line)) {
                r.attainment = Some(v / 100.0);
            }
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts(text: &str) -> Result<RowsRead<Account>, Vec<Issue>> {
        read_accounts_from(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            "accounts.csv",
            &Plan::default(),
        )
    }

    #[test]
    fn dates_as_crms_and_spreadsheets_write_them() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(parse_date("2027-03-14"), d(2027, 3, 14));
        assert_eq!(parse_date(" 2027-03-14T00:00:00.000Z "), d(2027, 3, 14));
        assert_eq!(parse_date("2027-03-14 17:30"), d(2027, 3, 14));
        assert_eq!(parse_date("3/14/2027"), d(2027, 3, 14));
        assert_eq!(parse_date("14/3/2027"), d(2027, 3, 14));
        assert_eq!(parse_date("14.03.2027"), d(2027, 3, 14));
        for bad in [
            "2027-13-14",
            "2027-02-30",
            "14.03.27",
            "next week",
            "3/14",
            "2027-03-14-1",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_as_spreadsheets_write_them() {
        for (raw, v) in [
            ("1234.5", 1234.5),
            ("1,234.50", 1234.5),
            ("$1,234", 1234.0),
            ("1 234", 1234.0),
            ("1e3", 1000.0),
            ("1234,5", 1234.5),
            ("1.234,5", 1234.5),
            ("1,234,567", 1234567.0),
        ] {
            assert_eq!(parse_number(raw), Some(v), "{raw}");
        }
        for raw in ["abc", "1,2,3", "12-3", ""] {
            assert_eq!(parse_number(raw), None, "{raw}");
        }
    }

    #[test]
    fn bom_crlf_semicolon_and_case() {
        let r = accounts("\u{feff}Account ID;Potential;LAT;lon\r\nA1;1.000,5;40.1;-70\r\n")
            .expect("reads");
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0].id, "A1");
        assert_eq!(r.rows[0].potential, 1000.5);
    }

    #[test]
    fn bad_values_refuse_the_row_naming_the_column() {
        let r = accounts("account_id,potential,lat,lon\nA1,NaN,1,1\nA2,5,200,1\nA3,-1,,\nA4,7,,\n")
            .expect("reads");
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.refused.len(), 3);
        assert_eq!(r.refused[0].line, 2);
        assert_eq!(r.refused[0].column, "potential");
        assert_eq!(r.refused[1].column, "lat");
    }

    #[test]
    fn missing_required_column_is_fatal() {
        let e = accounts("name,potential\nx,1\n").unwrap_err();
        assert_eq!(e[0].column, "account_id");
    }

    #[test]
    fn windows_1252_is_decoded() {
        let mut bytes = b"account_id,name\nA1,Soci".to_vec();
        bytes.push(0xe9);
        bytes.extend_from_slice(b"t\xe9\n");
        let r = read_accounts_from(
            Box::new(std::io::Cursor::new(bytes)),
            "a.csv",
            &Plan::default(),
        )
        .expect("reads");
        assert_eq!(r.rows[0].name, "Société");
        assert!(!r.warnings.is_empty());
    }
}
