//! The dataset an analyst receives: complete for consenting records, nothing that
//! identifies a person, nothing a spreadsheet would run.

use crate::fixture::{world, CANARY, NARRATIVE};
use kua_analysis::{export_dataset, DatasetFormat};

fn rows(dir: &std::path::Path, name: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    assert!(text.starts_with('\u{feff}'), "{name} has no BOM");
    text.trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

#[test]
fn the_dataset_round_trips_with_consent_and_without_identifying_values() {
    let mut w = world();
    let records = w.coord.v.analysis_records(false, None).unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("ds");
    let report = export_dataset(&records, &dir, DatasetFormat::Csv, "ru").unwrap();
    // o1, o2, a1, a2, a3, b1; o5 is store-only and o4 withdrawn.
    assert_eq!(
        (report.records, report.withheld_consent, report.drafts),
        (6, 2, 0)
    );
    let files: std::collections::BTreeMap<String, u64> = report.files.iter().cloned().collect();
    assert_eq!(files["testimonies.csv"], 6);
    assert_eq!(files["methods.csv"], 10);
    assert_eq!(files["detention_places.csv"], 3);
    assert_eq!(files["perpetrators.csv"], 4);

    let t = rows(&dir, "testimonies.csv");
    let col = |name: &str| {
        t[0].iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let o1 = t.iter().find(|r| r[col("record_id")] == w.own[0]).unwrap();
    assert_eq!(o1[col("events_region")], "KZ-75");
    assert_eq!(o1[col("events_region__ru")], "г. Алматы");
    assert_eq!(o1[col("methods")], "beating|electric_shock");
    assert_eq!(
        (
            o1[col("methods__beating")].as_str(),
            o1[col("methods__burns")].as_str()
        ),
        ("1", "0")
    );
    assert_eq!(
        (
            o1[col("events_date")].as_str(),
            o1[col("events_date_precision")].as_str()
        ),
        ("2022-01-06", "day")
    );
    assert_eq!(o1[col("age_band")], "25-34");
    let o2 = t.iter().find(|r| r[col("record_id")] == w.own[1]).unwrap();
    assert_eq!(
        (
            o2[col("version")].as_str(),
            o2[col("events_region")].as_str()
        ),
        ("2", "KZ-79")
    );
    assert_eq!(o2[col("events_date_precision")], "month");
    // Identifying and free-text fields have no column at all.
    for gone in [
        "full_name",
        "birth_date",
        "interviewers",
        "incident_place",
        "interview_place",
    ] {
        assert!(!t[0].iter().any(|c| c == gone), "{gone} exported");
    }
    // Senders are known by key id only: the name a coordinator gave one (here a
    // would-be formula, "@field-b") is nobody's business in a dataset.
    assert!(!t[0].iter().any(|c| c == "source_name"));
    assert_eq!(report.unreadable, 0);
    let places = rows(&dir, "detention_places.csv");
    assert!(!places[0].iter().any(|c| c == "place_name"));
    assert!(places[0].iter().any(|c| c == "place_region"));

    let codebook = std::fs::read_to_string(dir.join("codebook.csv")).unwrap();
    assert!(codebook.contains("KZ-62"), "every code is in the codebook");
    assert!(
        codebook.contains("030800000000"),
        "HURIDOCS codes are in the codebook"
    );

    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            !text.contains(CANARY) && !text.contains(NARRATIVE),
            "identifying text exported"
        );
        assert!(
            !text.contains("field-b") && !text.contains("field-a"),
            "a sender's name exported"
        );
        for line in text.lines() {
            for cell in line.trim_start_matches('\u{feff}').split(',') {
                let cell = cell.trim_matches('"');
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t']),
                    "live formula: {cell}"
                );
            }
        }
    }

    // Into a folder that is not empty: refused, nothing mixed in.
    let err = export_dataset(&records, &dir, DatasetFormat::Json, "en").unwrap_err();
    assert_eq!(err.code(), "folder_not_empty");
    let json_dir = out.path().join("json");
    export_dataset(&records, &json_dir, DatasetFormat::Json, "kk").unwrap();
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(json_dir.join("testimonies.json")).unwrap()).unwrap();
    assert_eq!(rows.len(), 6);
    assert!(rows
        .iter()
        .any(|r| r["events_region__kk"] == "Алматы қаласы"));
}

/// The committed PostgreSQL schema is the one the dataset's columns give; regenerate
/// it with `KUA_BLESS=1 cargo test -p kua-analysis schema`.
#[test]
fn the_committed_postgresql_schema_matches_the_dataset() {
    let sql = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/sql");
    let schema = kua_analysis::postgres_schema();
    for (name, text) in [
        ("schema.sql", &schema),
        ("load.sql", &kua_analysis::postgres_load()),
    ] {
        if std::env::var_os("KUA_BLESS").is_some() {
            std::fs::write(sql.join(name), text).unwrap();
        }
        let committed = std::fs::read_to_string(sql.join(name)).unwrap_or_default();
        assert!(
            &committed == text,
            "assets/sql/{name} is stale; regenerate it with KUA_BLESS=1"
        );
    }
    for table in kua_analysis::dataset_tables() {
        assert!(schema.contains(&format!("CREATE TABLE IF NOT EXISTS {table} (")));
    }
}
