//! Where an import puts its rows: each import's received records in one stretch of row
//! ids, its received cases in another, the rows describing received media anywhere
//! (`records::RowRegion`, docs/vault-format.md).

use crate::bundles::{setup, two_bundles, Party};
use kua_core::model::TestimonyInput;
use kua_core::{ExportRequest, NewCaseEntry, Selection, Silent};
use serde_json::json;

/// Every row id of `table` in the party's vault, read without its keys.
fn rowids(party: &Party, table: &str) -> Vec<i64> {
    let db = rusqlite::Connection::open_with_flags(
        &party.fx.path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = db.prepare(&format!("SELECT rowid FROM {table}")).unwrap();
    let ids = stmt.query_map([], |r| r.get(0)).unwrap();
    ids.map(Result::unwrap).collect()
}

/// The stretch a row id is in.
fn stretch(rowid: i64) -> i64 {
    rowid >> 32
}

fn amend(party: &mut Party, testimony: &str, narrative: &str) {
    party
        .v
        .amend(
            testimony,
            &TestimonyInput {
                narrative: Some(narrative.into()),
                ..Default::default()
            },
        )
        .unwrap();
}

/// The records of one import are stored in one stretch of row ids, each import in a
/// stretch of its own: SQLite then splits pages that import made, not pages all over
/// the table. The ids within a stretch are random, not counted up, and the received
/// media's row is outside the stretch.
#[test]
fn the_records_of_one_bundle_are_stored_in_one_stretch_of_row_ids() {
    let (mut field, mut coord, _, [_, _, t3]) = setup();
    let (b1, b2) = two_bundles(&mut field, &t3);
    let report = coord.v.import(&b1, false, &mut Silent).unwrap();
    assert_eq!((report.new_records, report.new_media), (3, 1));
    let first = rowids(&coord, "received");
    let report = coord.v.import(&b2, false, &mut Silent).unwrap();
    assert_eq!(report.new_records, 1);
    let second: Vec<i64> = rowids(&coord, "received")
        .into_iter()
        .filter(|r| !first.contains(r))
        .collect();
    assert_eq!((first.len(), second.len()), (3, 1));
    assert!(first.iter().all(|&r| stretch(r) == stretch(first[0])));
    assert_ne!(stretch(second[0]), stretch(first[0]));
    // The ids are drawn anywhere in the stretch, not counted up from its start.
    assert!(first.iter().all(|&r| r & 0xFFFF_FFFF > 3));
    // The row describing the received photo is not in the records' stretch: nothing in
    // the row ids links it to the records it came with.
    let media = rowids(&coord, "attachment");
    assert_eq!(media.len(), 1);
    assert_ne!(stretch(media[0]), stretch(first[0]));
}

/// A bundle to a lawyer with records and two cases: the cases' rows share a stretch of
/// their own, apart from the records'. Fails if the cases take the records' stretch or
/// go back to fully random ids.
#[test]
fn the_cases_of_one_bundle_are_stored_in_a_stretch_apart_from_its_records() {
    let (mut field, _, mut lawyer, [t1, _, t3]) = setup();
    let mut cases = Vec::new();
    // Two cases of the first testimony, whose consent lets it reach the lawyer.
    for _ in 0..2 {
        let case = field
            .v
            .open_case("opened", json!({ "client": t1 }))
            .unwrap();
        let step = NewCaseEntry {
            kind: "step".into(),
            privileged: false,
            data: json!({ "n": 2 }),
        };
        field.v.add_case_entries(&case.case, vec![step]).unwrap();
        cases.push(case.case);
    }
    amend(&mut field, &t3, "третий, в третий раз");
    let bundle = field.fx.dir.path().join("cases.kua");
    let request = ExportRequest {
        to: vec!["lawyer".into()],
        selection: Selection::All,
        redact: false,
        cases,
        case_notes: false,
    };
    field.v.export(&request, &bundle, &mut Silent).unwrap();
    let report = lawyer.v.import(&bundle, false, &mut Silent).unwrap();
    assert_eq!(report.new_cases, 2);
    assert!(report.new_records > 0);
    let records = rowids(&lawyer, "received");
    let case_rows = rowids(&lawyer, "received_case");
    assert_eq!((records.len(), case_rows.len()), (report.new_records, 2));
    assert!(records.iter().all(|&r| stretch(r) == stretch(records[0])));
    assert_eq!(stretch(case_rows[0]), stretch(case_rows[1]));
    assert_ne!(stretch(case_rows[0]), stretch(records[0]));
}
