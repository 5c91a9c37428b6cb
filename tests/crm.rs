//! The CRM round trip: crm/salesforce_account_owner.csv, crm/hubspot_companies.csv and
//! territories.geojson are loaded back (csv crate, serde_json) and matched row by row against
//! assignments.csv and the raw input rows: ids byte for byte (as every cell, surrounding
//! spaces trimmed), owners, coordinates, properties.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;

/// A CSV file read with the csv crate as is: headers and rows of cells, nothing trimmed.
struct Raw {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Raw {
    /// Reads `path`; cells as in the file (the caller trims where the loader trims).
    fn read(path: &Path) -> Raw {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let headers = r
            .headers()
            .unwrap_or_else(|e| panic!("{}: bad header: {e}", path.display()))
            .iter()
            .map(str::to_string)
            .collect();
        let rows = r
            .records()
            .map(|rec| {
                rec.unwrap_or_else(|e| panic!("{}: bad CSV: {e}", path.display()))
                    .iter()
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        Raw { headers, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.headers))
    }

    /// The cells of column `name`, or None when the file has no such column.
    fn column(&self, name: &str) -> Option<Vec<&str>> {
        let i = self.headers.iter().position(|h| h == name)?;
        Some(self.rows.iter().map(|r| r[i].as_str()).collect())
    }
}

/// Asserts `path` is UTF-8 without a BOM and every line ends with CRLF.
fn assert_crlf_utf8(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        !bytes.starts_with(b"\xEF\xBB\xBF"),
        "{}: BOM",
        path.display()
    );
    let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{}: not UTF-8", path.display()));
    let lf = text.matches('\n').count();
    assert!(
        lf > 0 && lf == text.matches("\r\n").count() && text.ends_with("\r\n"),
        "{}: not CRLF throughout",
        path.display()
    );
}

/// What a round trip checked: accounts in assignments.csv and features in the GeoJSON.
struct Counted {
    assigned: usize,
    located: usize,
}

/// Loads each CRM file of `out` back and matches it against assignments.csv and the raw
/// input `accounts` / `reps`: same accounts in the same order, same owners, ids byte-identical
/// to the input; the GeoJSON has one [lon, lat] feature per located account.
fn round_trip(out: &Path, accounts: &Path, reps: &Path) -> Counted {
    let input = Raw::read(accounts);
    let roster = Raw::read(reps);
    let rep_ids: BTreeSet<&str> = roster
        .column("rep_id")
        .expect("reps.csv rep_id")
        .into_iter()
        .map(str::trim)
        .collect();
    let (ia, iname) = (input.col("account_id"), input.col("name"));
    let by_id: BTreeMap<&str, &Vec<String>> =
        input.rows.iter().map(|r| (r[ia].trim(), r)).collect();

    let asg = Raw::read(&out.join("assignments.csv"));
    let (aa, ar, ap, asg_seg, am, ac) = (
        asg.col("account_id"),
        asg.col("rep_id"),
        asg.col("previous_rep_id"),
        asg.col("segment"),
        asg.col("moved"),
        asg.col("reason_code"),
    );
    assert!(!asg.rows.is_empty(), "assignments.csv has no rows");
    // Ids exactly as read: every account and rep id is a byte copy of an input cell, and
    // every input account is assigned or rejected (by its raw id).
    let rejected: Vec<String> = if out.join("rejects.csv").exists() {
        let rj = Raw::read(&out.join("rejects.csv"));
        let (f, i) = (rj.col("file"), rj.col("id"));
        rj.rows
            .iter()
            .filter(|r| r[f].contains("accounts"))
            .map(|r| r[i].clone())
            .collect()
    } else {
        Vec::new()
    };
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for r in &asg.rows {
        let id = r[aa].as_str();
        let row = by_id
            .get(id)
            .unwrap_or_else(|| panic!("assignments.csv account_id {id:?} is not an input id"));
        assert!(seen.insert(id), "account {id:?} assigned twice");
        assert!(
            r[ar].is_empty() || rep_ids.contains(r[ar].as_str()),
            "assignments.csv rep_id {:?} is not a reps.csv rep_id as read",
            r[ar]
        );
        if let Some(o) = input.headers.iter().position(|h| h == "owner_id") {
            assert_eq!(
                r[ap],
                row[o].trim(),
                "previous_rep_id of {id:?} differs from owner_id"
            );
        }
    }
    for r in &input.rows {
        let id = r[ia].trim();
        assert!(
            seen.contains(id) || rejected.iter().any(|x| x == id),
            "input account {id:?} is neither in assignments.csv nor in rejects.csv as read"
        );
    }

    // The two CRM files: same rows, same order, same owner.
    let mut files = 0;
    for (name, header) in [
        ("salesforce_account_owner.csv", ["Id", "OwnerId"]),
        ("hubspot_companies.csv", ["Record ID", "Company owner"]),
    ] {
        let path = out.join("crm").join(name);
        assert_crlf_utf8(&path);
        let crm = Raw::read(&path);
        assert_eq!(crm.headers, header, "{name} header");
        assert_eq!(
            crm.rows.len(),
            asg.rows.len(),
            "{name}: one row per account of assignments.csv"
        );
        let mut ids = BTreeSet::new();
        for (c, a) in crm.rows.iter().zip(&asg.rows) {
            assert_eq!(c.len(), 2, "{name}: row {c:?}");
            assert_eq!(c[0], a[aa], "{name}: account id not as in assignments.csv");
            assert_eq!(c[1], a[ar], "{name}: owner of {:?}", a[aa]);
            assert!(by_id.contains_key(c[0].as_str()), "{name}: id {:?}", c[0]);
            assert!(ids.insert(c[0].clone()), "{name}: {:?} twice", c[0]);
        }
        files += 1;
    }
    assert_eq!(files, 2);

    // territories.geojson: one Point per account with both coordinates.
    let geo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("territories.geojson")).expect("geojson"))
            .expect("territories.geojson is JSON");
    assert_eq!(geo["type"], "FeatureCollection");
    let features = geo["features"].as_array().expect("features");
    let coord = |row: &Vec<String>, h: &str| -> Option<f64> {
        let i = input.headers.iter().position(|x| x == h)?;
        let c = row[i].trim();
        c.parse().ok()
    };
    let mut located = 0usize;
    let mut by_feature: BTreeMap<String, &serde_json::Value> = BTreeMap::new();
    for f in features {
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["geometry"]["type"], "Point");
        let id = f["properties"]["account_id"]
            .as_str()
            .expect("account_id")
            .to_string();
        assert!(by_feature.insert(id.clone(), f).is_none(), "{id:?} twice");
    }
    for a in &asg.rows {
        let id = a[aa].as_str();
        let row = by_id[id];
        let (Some(lat), Some(lon)) = (coord(row, "lat"), coord(row, "lon")) else {
            assert!(!by_feature.contains_key(id), "{id:?} has no coordinates");
            continue;
        };
        located += 1;
        let f = by_feature
            .get(id)
            .unwrap_or_else(|| panic!("located account {id:?} is not in the GeoJSON"));
        let xy = f["geometry"]["coordinates"]
            .as_array()
            .expect("coordinates");
        assert_eq!(xy.len(), 2);
        let (x, y) = (xy[0].as_f64().expect("lon"), xy[1].as_f64().expect("lat"));
        assert!(
            (x - lon).abs() < 1e-9 && (y - lat).abs() < 1e-9,
            "{id:?}: coordinates {xy:?}, expected [lon, lat] = [{lon}, {lat}]"
        );
        let p = &f["properties"];
        let opt = |s: &str| {
            if s.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::Value::from(s)
            }
        };
        assert_eq!(
            p["name"],
            row[iname].trim(),
            "{id:?} name (raw, no apostrophe)"
        );
        assert_eq!(p["rep_id"], opt(&a[ar]), "{id:?} rep_id");
        assert_eq!(p["previous_rep_id"], opt(&a[ap]), "{id:?} previous_rep_id");
        assert_eq!(
            p["segment"],
            unescaped(&a[asg_seg]).as_str(),
            "{id:?} segment"
        );
        assert_eq!(p["moved"], a[am] == "true", "{id:?} moved");
        assert_eq!(p["reason_code"], a[ac].as_str(), "{id:?} reason_code");
    }
    assert_eq!(features.len(), located, "one feature per located account");
    assert_eq!(geo["allot"]["accounts"], asg.rows.len());
    assert_eq!(geo["allot"]["located"], located);
    assert_eq!(
        geo["allot"]["without_coordinates"],
        asg.rows.len() - located
    );
    Counted {
        assigned: asg.rows.len(),
        located,
    }
}

#[test]
fn injection_ids_come_back_byte_identical_in_the_crm_files() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let o = run_fixture("balance", "injection", &out, &[]);
    assert_code(&o, 0, "balance injection");
    let c = round_trip(
        &out,
        &fixture("injection/accounts.csv"),
        &fixture("injection/reps.csv"),
    );
    assert_eq!(c.assigned, 5, "five good rows of six");
    assert_eq!(c.located, 0, "the injection fixture has no coordinates");
    // The hostile ids as typed, not an apostrophe among them.
    let sf = Raw::read(&out.join("crm/salesforce_account_owner.csv"));
    assert_eq!(
        sf.column("Id").expect("Id"),
        ["+A2", "-A3", "=A1", "@A4", "A5"]
    );
    assert!(
        sf.column("OwnerId")
            .expect("OwnerId")
            .iter()
            .all(|o| ["=R1", "R2"].contains(o))
    );
    let hs = Raw::read(&out.join("crm/hubspot_companies.csv"));
    assert_eq!(hs.rows, sf.rows);
    check(&Spec::of_fixture("injection", &out));
}

/// The injection fixture with coordinates on every account but `A5`, in `dir`.
fn injection_located(dir: &Path) -> PathBuf {
    let text = read_text(&fixture("injection/accounts.csv"));
    let mut lines = text.lines();
    let mut out = format!("{},lat,lon\n", lines.next().expect("header"));
    let mut n = 0;
    for (i, l) in lines.enumerate() {
        if l.starts_with("A5,") {
            out.push_str(&format!("{l},,\n"));
        } else {
            out.push_str(&format!(
                "{l},{},{}\n",
                40.5 + i as f64 / 8.0,
                -74.25 - i as f64
            ));
        }
        n += 1;
    }
    assert_eq!(n, 6, "six account rows in the injection fixture");
    let p = dir.join("accounts.csv");
    std::fs::write(&p, out).expect("write accounts");
    p
}

#[test]
fn hostile_names_and_coordinates_come_back_in_the_geojson() {
    let dir = tempdir();
    let accounts = injection_located(dir.path());
    let reps = fixture("injection/reps.csv");
    let out = dir.path().join("out");
    let o = run_solve(
        "balance",
        &accounts,
        &reps,
        Some(&fixture("injection/plan.toml")),
        &out,
        &[],
    );
    assert_code(&o, 0, "balance injection with coordinates");
    let c = round_trip(&out, &accounts, &reps);
    assert_eq!((c.assigned, c.located), (5, 4), "A5 has no coordinates");
    let geo: serde_json::Value =
        serde_json::from_str(&read_text(&out.join("territories.geojson"))).expect("json");
    let names: BTreeSet<&str> = geo["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["=HYPERLINK(\"x\")", "+Plain", "@SUM(1)", "-Minus"])
    );
}

#[test]
fn demo_crm_files_and_geojson_match_assignments() {
    let dir = tempdir();
    let out = dir.path().join("demo");
    let o = run([
        "demo".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--time-limit".as_ref(),
        "5".as_ref(),
    ]);
    assert_code(&o, 0, "allot demo --time-limit 5");
    let c = round_trip(
        &out,
        &out.join("input/accounts.csv"),
        &out.join("input/reps.csv"),
    );
    assert!(c.assigned > 5000, "demo assigned {}", c.assigned);
    assert!(c.located > 5000, "demo located {}", c.located);
}

#[test]
fn rebalance_writes_the_crm_files_and_an_infeasible_run_removes_them() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let o = run_fixture("rebalance", "tiny", &out, &[]);
    assert_code(&o, 0, "rebalance tiny");
    let c = round_trip(
        &out,
        &fixture("tiny/accounts.csv"),
        &fixture("tiny/reps.csv"),
    );
    assert_eq!((c.assigned, c.located), (12, 12));
    let stale = [
        "assignments.csv",
        "crm/salesforce_account_owner.csv",
        "crm/hubspot_companies.csv",
        "territories.geojson",
    ];
    for f in stale {
        assert!(out.join(f).is_file(), "{f} written");
    }
    // Into the same folder: an infeasible plan leaves no owner file a CRM could load.
    let o = run_fixture("balance", "infeasible", &out, &[]);
    assert_code(&o, 2, "balance infeasible");
    for f in stale {
        assert!(
            !out.join(f).exists(),
            "stale {f} left after an infeasible run"
        );
    }
    assert!(!out.join("crm").exists(), "empty crm/ folder left");
    assert!(
        out.join("summary.json").is_file(),
        "the reports are still written"
    );
}
