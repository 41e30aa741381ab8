//! A lawyer's case entries as the vault keeps them: appended, verified against the log,
//! and what `verify` says when rows are removed or moved behind Kua's back.

use crate::{sql, Fixture};
use kua_core::{NewCaseEntry, Vault};
use serde_json::json;

fn entry(kind: &str, n: u32) -> NewCaseEntry {
    NewCaseEntry {
        kind: kind.into(),
        privileged: kind == "note",
        data: json!({ "n": n }),
    }
}

fn codes(v: &mut Vault) -> Vec<String> {
    let report = v.verify_quietly().unwrap();
    report.problems.iter().map(|p| p.code.clone()).collect()
}

#[test]
fn entries_are_numbered_logged_and_read_back() {
    let f = Fixture::new();
    let (mut v, _) = f.create();
    let opened = v.open_case("opened", json!({ "client": "x" })).unwrap();
    let more = v
        .add_case_entries(
            &opened.case,
            vec![entry("step", 2), entry("step_detail", 3)],
        )
        .unwrap();
    assert_eq!(more.iter().map(|e| e.number).collect::<Vec<_>>(), [2, 3]);
    let rows = v.case_entries(&opened.case).unwrap();
    assert_eq!(rows.entries.len(), 3);
    assert!(rows.unreadable.is_empty());
    // The salt differs per entry: two identical contents hash differently.
    let again = v
        .add_case_entries(&opened.case, vec![entry("step", 2)])
        .unwrap();
    assert_ne!(again[0].hash().unwrap(), more[0].hash().unwrap());
    assert!(codes(&mut v).is_empty());
    let e = v.add_case_entries(
        "8c1f2c52-0000-4000-8000-000000000000",
        vec![entry("step", 1)],
    );
    assert_eq!(e.unwrap_err().code(), "case_not_found");
}

/// A row removed behind Kua's back is found by `verify`, also after the lawyer records
/// another entry (which must not take the removed one's place unnoticed); a damaged row
/// hides only itself.
#[test]
fn a_removed_entry_is_reported_even_after_more_are_recorded() {
    let f = Fixture::new();
    let (mut v, _) = f.create();
    let case = v.open_case("opened", json!({})).unwrap().case;
    for n in 2..=4 {
        v.add_case_entries(&case, vec![entry("note", n)]).unwrap();
    }
    v.lock().unwrap();
    drop(v);
    // The row with the highest rowid: any one of the four.
    sql(
        &f.path,
        "DELETE FROM case_entry WHERE rowid = (SELECT max(rowid) FROM case_entry);",
    );
    let mut v = f.open();
    assert_eq!(v.case_entries(&case).unwrap().entries.len(), 3);
    assert!(codes(&mut v).contains(&"record_missing".to_string()));
    v.add_case_entries(&case, vec![entry("note", 5)]).unwrap();
    let after = codes(&mut v);
    assert!(after.contains(&"record_missing".to_string()), "{after:?}");
    // A damaged row: left out and named, the rest of the case still reads.
    v.lock().unwrap();
    drop(v);
    sql(
        &f.path,
        "UPDATE case_entry SET body = x'00' WHERE rowid = (SELECT min(rowid) FROM case_entry);",
    );
    let mut v = f.open();
    let rows = v.case_entries(&case).unwrap();
    assert_eq!((rows.entries.len(), rows.unreadable.len()), (3, 1));
    assert!(codes(&mut v).contains(&"record_unreadable".to_string()));
}
