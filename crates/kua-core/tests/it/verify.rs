//! `verify` on a vault that holds every kind of record passes, and counts each one once.

use crate::bundles::{export, setup};
use kua_core::{NewAttachment, Selection, Silent, VerifyReport};
use serde_json::json;

/// (testimonies, versions, attachments, attachment bytes) of a report.
fn counts(report: &VerifyReport) -> (usize, usize, usize, u64) {
    (
        report.testimonies,
        report.versions,
        report.attachments,
        report.attachment_bytes,
    )
}

#[test]
fn a_full_vault_verifies_clean_and_counts_every_record_once() {
    let (mut field, mut coord, _lawyer, [t1, _t2, _t3]) = setup();
    // A lawyer's case about the first testimony, with a document of its own.
    let case = field
        .v
        .open_case("opened", json!({ "client": t1 }))
        .unwrap()
        .case;
    let decision = vec![7u8; 700];
    field
        .v
        .attach_to_case(
            &case,
            &mut decision.as_slice(),
            NewAttachment {
                name: "постановление.pdf".into(),
                ..Default::default()
            },
            &mut Silent,
        )
        .unwrap();
    let report = field.v.verify(&mut Silent).unwrap();
    assert!(report.ok, "{:?}", report.problems);
    // Three testimonies, the third amended once; the photograph and the decision.
    assert_eq!(counts(&report), (3, 4, 2, 150_000 + 700));

    // A coordinator's vault holds the photograph as received media.
    let (b1, _) = export(&mut field, &["coalition"], Selection::All, false, "b1.kua");
    coord.v.import(&b1, false, &mut Silent).unwrap();
    let report = coord.v.verify(&mut Silent).unwrap();
    assert!(report.ok, "{:?}", report.problems);
    assert_eq!(counts(&report), (0, 0, 1, 150_000));
}
