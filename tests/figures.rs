//! The README's benchmark figures are records: every figure `benches/figures.toml` lists has
//! a record in `benches/records.json` made from the plan and command it lists now, and the
//! README's table between its markers is exactly what `allot bench readme` prints from the
//! records (`bash benches/refresh.sh` re-makes both).

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The README's text between `<!-- figures:begin -->` and `<!-- figures:end -->`.
fn readme_table(readme: &str) -> Option<&str> {
    let begin = "<!-- figures:begin -->\n";
    let a = readme.find(begin)? + begin.len();
    let b = a + readme[a..].find("<!-- figures:end -->")?;
    Some(&readme[a..b])
}

/// What differs between the README's table and the one printed from the records.
fn disagreements(readme: &str, printed: &str) -> Vec<String> {
    let Some(table) = readme_table(readme) else {
        return vec![
            "README.md has no <!-- figures:begin --> … <!-- figures:end --> section".into(),
        ];
    };
    let (a, b): (Vec<&str>, Vec<&str>) = (table.lines().collect(), printed.lines().collect());
    let mut out: Vec<String> = a
        .iter()
        .zip(&b)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| format!("line {}: README {x:?}\n  records {y:?}", i + 1))
        .collect();
    if a.len() != b.len() {
        out.push(format!(
            "README table has {} lines, the records print {}",
            a.len(),
            b.len()
        ));
    }
    out
}

fn printed_table() -> String {
    let o = run([
        "bench".as_ref(),
        "readme".as_ref(),
        "--records".as_ref(),
        repo("benches/records.json").as_os_str(),
    ]);
    assert_code(&o, 0, "allot bench readme");
    String::from_utf8(o.stdout).expect("UTF-8 table")
}

#[test]
fn the_readme_table_is_what_the_records_print() {
    let readme = read_text(&repo("README.md"));
    let printed = printed_table();
    let diff = disagreements(&readme, &printed);
    assert!(
        diff.is_empty(),
        "README.md's benchmark table differs from `allot bench readme --records benches/records.json` \
         (re-make both with `bash benches/refresh.sh`):\n{}",
        diff.join("\n")
    );
    // The comparison can fail: a changed figure is caught.
    let tampered = readme.replacen("proven optimal", "proven optimal!", 1);
    assert_ne!(tampered, readme, "the table quotes a proof");
    assert!(
        !disagreements(&tampered, &printed).is_empty(),
        "a changed figure went unnoticed"
    );
}

#[test]
fn every_listed_figure_has_a_record_made_from_its_current_plan_and_command() {
    let manifest: toml::Value =
        toml::from_str(&read_text(&repo("benches/figures.toml"))).expect("figures.toml");
    let figures = manifest["figure"].as_array().expect("[[figure]] list");
    let records: serde_json::Value =
        serde_json::from_str(&read_text(&repo("benches/records.json"))).expect("records.json");
    let recs = records["records"].as_array().expect("records list");
    assert_eq!(
        recs.len(),
        figures.len(),
        "benches/records.json has {} records for {} figures in benches/figures.toml",
        recs.len(),
        figures.len()
    );
    for key in ["commit", "date", "version", "command_line"] {
        assert!(
            records[key].as_str().is_some_and(|s| !s.is_empty()),
            "records.json: {key}"
        );
    }
    assert!(records["machine"]["cpus"].as_u64().is_some_and(|n| n > 0));
    let mut checked = 0;
    for (f, r) in figures.iter().zip(recs) {
        let id = f["id"].as_str().expect("id");
        let rf = &r["figure"];
        assert_eq!(rf["id"], id, "records are in the order of figures.toml");
        for key in [
            "title", "command", "instance", "plan", "generate", "args", "files",
        ] {
            let want = f
                .get(key)
                .map(|v| serde_json::to_value(v).expect("toml value as JSON"));
            let got = rf
                .get(key)
                .filter(|v| !v.is_null() && !(v.as_array().is_some_and(|a| a.is_empty())));
            assert_eq!(
                got.cloned(),
                want,
                "figure {id}: {key} in records.json differs from figures.toml (re-run benches/refresh.sh)"
            );
        }
        if let Some(plan) = f.get("plan").and_then(|p| p.as_str()) {
            assert_eq!(
                r["plan_text"].as_str(),
                Some(read_text(&repo(plan)).as_str()),
                "figure {id}: {plan} changed since its record was made (re-run benches/refresh.sh)"
            );
        }
        assert!(
            r["command_line"]
                .as_str()
                .is_some_and(|c| c.starts_with("allot ")),
            "figure {id}: command line"
        );
        checked += 1;
    }
    assert_eq!(checked, figures.len());
    assert!(checked >= 10, "only {checked} figures listed");
}
