//! The CRM round trip: owner-update files for Salesforce Data Loader and HubSpot import
//! (crm/salesforce_account_owner.csv, crm/hubspot_companies.csv) and territories.geojson for
//! a map (QGIS, kepler.gl). Ids are written exactly as read, so the CRM matches its records.

use std::path::Path;

use std::io::Write;

use allot_model::{Problem, ReasonCode, RepIdx};
use serde::Serialize;
use serde_json::json;

use super::{csv_out, remove_stale, write_atomic, write_atomic_with};

/// The folder (under the output folder) that holds the CRM files.
pub const CRM_DIR: &str = "crm";
/// Salesforce Data Loader update file: `Id`, `OwnerId`.
pub const SALESFORCE: &str = "salesforce_account_owner.csv";
/// HubSpot companies import file: `Record ID`, `Company owner`.
pub const HUBSPOT: &str = "hubspot_companies.csv";
/// The accounts as points on a map.
pub const GEOJSON: &str = "territories.geojson";

/// (account id, owner rep id or "") for every accepted account, in assignments.csv order.
fn owners<'a>(p: &'a Problem, account_rep: &[Option<RepIdx>]) -> Vec<(&'a str, &'a str)> {
    p.accounts
        .iter()
        .zip(account_rep)
        .map(|(a, r)| {
            (
                a.id.as_str(),
                r.map(|r| p.reps[r.index()].id.as_str()).unwrap_or(""),
            )
        })
        .collect()
}

/// A two-column owner file with `header`; ids exactly as read (no formula protection: the
/// CRM must match them byte for byte).
fn owner_csv(header: [&str; 2], rows: &[(&str, &str)]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv_out::writer();
    w.write_record(header)?;
    for (account, rep) in rows {
        w.write_record([account, rep])?;
    }
    csv_out::finish(w)
}

/// crm/salesforce_account_owner.csv: `Id` (account_id), `OwnerId` (rep_id as in reps.csv).
pub fn salesforce(p: &Problem, account_rep: &[Option<RepIdx>]) -> anyhow::Result<Vec<u8>> {
    owner_csv(["Id", "OwnerId"], &owners(p, account_rep))
}

/// crm/hubspot_companies.csv: `Record ID` (account_id), `Company owner` (rep_id).
pub fn hubspot(p: &Problem, account_rep: &[Option<RepIdx>]) -> anyhow::Result<Vec<u8>> {
    owner_csv(["Record ID", "Company owner"], &owners(p, account_rep))
}

/// One GeoJSON point feature, serialized as it is written (never a whole document in memory).
#[derive(Serialize)]
struct Feature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    geometry: Point,
    properties: Properties<'a>,
}

#[derive(Serialize)]
struct Point {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

#[derive(Serialize)]
struct Properties<'a> {
    account_id: &'a str,
    name: &'a str,
    rep_id: Option<&'a str>,
    previous_rep_id: Option<&'a str>,
    segment: &'a str,
    moved: bool,
    reason_code: &'static str,
}

/// territories.geojson: a FeatureCollection of the accounts with both coordinates, as
/// [lon, lat] points with account_id, name, rep_id, previous_rep_id, segment, moved and
/// reason_code (`codes`, one per account); the foreign member `allot` counts the accounts
/// left out for lack of them. Streamed feature by feature into `w`.
pub fn geojson(
    w: &mut dyn Write,
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    codes: &[ReasonCode],
) -> anyhow::Result<()> {
    let located = p.accounts.iter().filter(|a| a.coords().is_some()).count();
    write!(
        w,
        "{{\"type\":\"FeatureCollection\",\"allot\":{},",
        json!({
            "accounts": p.accounts.len(),
            "located": located,
            "without_coordinates": p.accounts.len() - located,
        })
    )?;
    w.write_all(b"\"features\":[")?;
    let mut first = true;
    for (i, a) in p.accounts.iter().enumerate() {
        let Some((lat, lon)) = a.coords() else {
            continue;
        };
        if !first {
            w.write_all(b",\n")?;
        }
        first = false;
        let feature = Feature {
            kind: "Feature",
            geometry: Point {
                kind: "Point",
                coordinates: [lon, lat],
            },
            properties: Properties {
                account_id: &a.id,
                name: &a.name,
                rep_id: account_rep[i].map(|r| p.reps[r.index()].id.as_str()),
                previous_rep_id: a.owner_id.as_deref(),
                segment: &p.segments[p.account_segment[i].index()].name,
                moved: p.account_had_owner[i] && account_rep[i] != p.account_owner[i],
                reason_code: codes[i].as_str(),
            },
        };
        serde_json::to_writer(&mut *w, &feature)?;
    }
    w.write_all(b"]}\n")?;
    Ok(())
}

/// Writes the two CRM files under `out/crm/` and `out/territories.geojson`.
pub fn write(
    out: &Path,
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    codes: &[ReasonCode],
) -> anyhow::Result<()> {
    let dir = out.join(CRM_DIR);
    write_atomic(&dir, SALESFORCE, &salesforce(p, account_rep)?)?;
    write_atomic(&dir, HUBSPOT, &hubspot(p, account_rep)?)?;
    write_atomic_with(out, GEOJSON, |w| geojson(w, p, account_rep, codes))?;
    Ok(())
}

/// Removes CRM files and territories.geojson left by an earlier run (and `crm/` if empty).
pub fn remove(out: &Path) {
    let dir = out.join(CRM_DIR);
    remove_stale(&dir, SALESFORCE);
    remove_stale(&dir, HUBSPOT);
    let _ = std::fs::remove_dir(&dir);
    remove_stale(out, GEOJSON);
}
