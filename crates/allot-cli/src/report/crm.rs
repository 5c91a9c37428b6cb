//! The CRM round trip: owner-update files for Salesforce Data Loader and HubSpot import
//! (crm/salesforce_account_owner.csv, crm/hubspot_companies.csv) and territories.geojson for
//! a map (QGIS, kepler.gl). Ids are written exactly as read, so the CRM matches its records.

use std::path::Path;

use allot_model::figures::Figures;
use allot_model::{Problem, RepIdx, reason_codes};
use serde_json::{Value, json};

use super::{csv_out, remove_stale, write_atomic};

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

/// territories.geojson: a FeatureCollection of the accounts with both coordinates, as
/// [lon, lat] points with account_id, name, rep_id, previous_rep_id, segment, moved and
/// reason_code; the foreign member `allot` counts the accounts left out for lack of them.
pub fn geojson(
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    before: &Figures,
) -> anyhow::Result<Vec<u8>> {
    let codes = reason_codes(p, account_rep, before);
    let mut features = Vec::new();
    let mut without = 0usize;
    for (i, a) in p.accounts.iter().enumerate() {
        let (Some(lat), Some(lon)) = (a.lat, a.lon) else {
            without += 1;
            continue;
        };
        let rep = account_rep[i].map(|r| p.reps[r.index()].id.as_str());
        let moved = p.account_had_owner[i] && account_rep[i] != p.account_owner[i];
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "account_id": a.id,
                "name": a.name,
                "rep_id": rep,
                "previous_rep_id": a.owner_id.as_deref(),
                "segment": p.segments[p.account_segment[i].index()].name,
                "moved": moved,
                "reason_code": codes[i].as_str(),
            },
        }));
    }
    let doc: Value = json!({
        "type": "FeatureCollection",
        "allot": {
            "accounts": p.accounts.len(),
            "located": features.len(),
            "without_coordinates": without,
        },
        "features": features,
    });
    Ok(serde_json::to_vec_pretty(&doc)?)
}

/// Writes the two CRM files under `out/crm/` and `out/territories.geojson`.
pub fn write(
    out: &Path,
    p: &Problem,
    account_rep: &[Option<RepIdx>],
    before: &Figures,
) -> anyhow::Result<()> {
    let dir = out.join(CRM_DIR);
    write_atomic(&dir, SALESFORCE, &salesforce(p, account_rep)?)?;
    write_atomic(&dir, HUBSPOT, &hubspot(p, account_rep)?)?;
    write_atomic(out, GEOJSON, &geojson(p, account_rep, before)?)?;
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
