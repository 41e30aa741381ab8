//! `kua stats` and `kua dataset export` over own and received records of a known
//! composition: the counts scripts read (`--json`, `--csv`) are exact.

use crate::{testimony, Env};
use serde_json::{json, Value};

/// `code → count` of the rows of `stats --json` by one dimension, zeros left out.
fn rows(v: &Value, dim: &str) -> Vec<(Value, Value)> {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["count"] != 0)
        .map(|r| (r[dim].clone(), r["count"].clone()))
        .collect()
}

#[test]
fn stats_count_records_of_own_and_received_testimonies() {
    let coord = Env::new();
    let field = Env::new();
    coord.init();
    field.init();
    let age = coord.json(&["identity"])["age_recipient"]
        .as_str()
        .unwrap()
        .to_string();
    field.ok(&["recipients", "add", "coalition", &age]);
    let pubfile = field.dir.path().join("field.pub");
    field.ok(&[
        "identity",
        "--minisign-pub",
        "-o",
        pubfile.to_str().unwrap(),
    ]);
    coord.ok(&["trust", "add", "field-7", pubfile.to_str().unwrap()]);

    // Own: two in Almaty (one of them amended from Shymkent), one without a region.
    testimony(
        &coord,
        json!({"events_region": "KZ-75", "methods": ["beating", "electric_shock"], "gender": "male"}),
    );
    let rows_before = version_rows(&coord);
    let moved = testimony(
        &coord,
        json!({"events_region": "KZ-79", "gender": "female"}),
    );
    let moved_first: Vec<String> = version_rows(&coord)
        .into_iter()
        .filter(|r| !rows_before.contains(r))
        .collect();
    assert_eq!(moved_first.len(), 1);
    let amend = coord.file(
        "amend.json",
        br#"{"fields": {"events_region": "KZ-75"}, "reason": "region corrected"}"#,
    );
    coord.ok(&["amend", &moved, amend.to_str().unwrap()]);
    testimony(&coord, json!({"methods": ["burns"]}));
    // Received: two from field-7.
    testimony(
        &field,
        json!({"events_region": "KZ-75", "methods": ["beating", "burns", "electric_shock"]}),
    );
    testimony(&field, json!({"events_region": "KZ-10", "gender": "male"}));
    let b = field.dir.path().join("b.kua");
    field.ok(&[
        "export",
        "--to",
        "coalition",
        "--all",
        "-o",
        b.to_str().unwrap(),
    ]);
    coord.ok(&["import", b.to_str().unwrap()]);

    let region = coord.json(&["stats", "--by", "region"]);
    assert_eq!(region["total"], 5);
    assert_eq!(
        rows(&region, "region"),
        [
            (json!("KZ-10"), json!(1)),
            (json!("KZ-75"), json!(3)),
            (Value::Null, json!(1))
        ]
    );
    // COMPLETE chooses beating and sleep_deprivation; the overrides replace them.
    let method = coord.json(&["stats", "--by", "method"]);
    assert_eq!(method["total"], 5);
    assert_eq!(
        rows(&method, "method"),
        [
            (json!("beating"), json!(4)),
            (json!("electric_shock"), json!(2)),
            (json!("sleep_deprivation"), json!(2)),
            (json!("burns"), json!(2)),
        ]
    );
    let cross = coord.json(&["stats", "--by", "source,sex", "--where", "region=KZ-75"]);
    assert_eq!(cross["total"], 3);
    let cell = |src: &str, sex: Value| {
        cross["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["source"] == src && r["sex"] == sex)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(cell("own", json!("male")), 1);
    assert_eq!(cell("own", json!("female")), 1);
    let sender = coord.json(&["received"])[0]["sender_key_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(cell(&sender, Value::Null), 1);

    let csv = coord.ok(&["stats", "--by", "region", "--csv", "--lang", "ru"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "region,region__ru,count,percent_of_records");
    assert!(lines.contains(&"KZ-75,г. Алматы,3,60.0"), "{csv}");
    assert!(lines.contains(&",Нет сведений,1,20.0"), "{csv}");

    // Published: every non-zero region count is under five, so each is withheld; the
    // total of five stays.
    let public = coord.json(&["stats", "--by", "region", "--public"]);
    assert_eq!(public["total"], 5);
    assert!(public["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["count"] == 0 || r["count"] == "<5"));

    let err = crate::fails(&coord.run(&["stats", "--by", "colour"]), 6);
    assert!(err.contains("no dimension"), "{err}");
    crate::fails(&coord.run(&["stats", "--where", "region=KZ-99"]), 6);

    let dir = coord.dir.path().join("dataset");
    let report = coord.json(&[
        "dataset",
        "export",
        "-o",
        dir.to_str().unwrap(),
        "--lang",
        "kk",
    ]);
    assert_eq!(report["records"], 5);
    let testimonies = std::fs::read_to_string(dir.join("testimonies.csv")).unwrap();
    assert_eq!(testimonies.lines().count(), 6);
    assert!(
        !testimonies.contains("Сұхбат алушы"),
        "an interviewer's name was exported"
    );
    crate::fails(
        &coord.run(&["dataset", "export", "-o", dir.to_str().unwrap()]),
        6,
    );

    // The amended testimony's first version removed behind Kua's back: its records no
    // longer fit together. It leaves every count, and is named as such, not as a
    // record that could not be read.
    let removed = rusqlite::Connection::open(&coord.vault)
        .unwrap()
        .execute("DELETE FROM testimony WHERE id = ?1", [&moved_first[0]])
        .unwrap();
    assert_eq!(removed, 1);
    let region = coord.json(&["stats", "--by", "region"]);
    assert_eq!(region["total"], 4);
    assert_eq!(region["excluded"]["inconsistent"], 1, "{region}");
    assert_eq!(region["excluded"]["unreadable"], 0, "{region}");
    let public = coord.json(&["stats", "--by", "region", "--public"]);
    assert_eq!(public["excluded"]["inconsistent"], "<5", "{public}");
    let text = coord.ok(&["stats", "--by", "region"]);
    assert!(
        text.contains("not counted: 1 testimony whose records do not fit together"),
        "{text}"
    );
    assert!(!text.contains("could not be read"), "{text}");
    let dir = coord.dir.path().join("dataset-2");
    let report = coord.json(&["dataset", "export", "-o", dir.to_str().unwrap()]);
    assert_eq!(
        (
            &report["records"],
            &report["unreadable"],
            &report["inconsistent"]
        ),
        (&json!(4), &json!(0), &json!(1)),
        "{report}"
    );
}

/// The ids of the vault's testimony version rows, as stored.
fn version_rows(env: &Env) -> Vec<String> {
    let db = rusqlite::Connection::open(&env.vault).unwrap();
    let mut stmt = db.prepare("SELECT id FROM testimony").unwrap();
    let ids = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<Vec<String>, _>>()
        .unwrap();
    ids
}
