//! How imports and verifies use the vault's journals: an import leaves the WAL for the
//! rollback journal around its transaction (store.rs, `BulkAppend`), which checkpoints
//! the WAL; a verify writes nothing in its transaction and leaves the WAL as it was.

use crate::bundles::{export, setup};
use kua_core::{ImportOutcome, Selection, Silent};

fn wal(v: &kua_core::Vault) -> Option<Vec<u8>> {
    std::fs::read(format!("{}-wal", v.path().display())).ok()
}

#[test]
fn a_verify_leaves_the_wal_as_it_was_and_an_import_checkpoints_it() {
    let (mut field, mut coord, _, _) = setup();
    let (b1, _) = export(&mut field, &["coalition"], Selection::All, false, "b1.kua");
    // Trusting the sender (setup) wrote to the coordinator's WAL.
    let before = wal(&coord.v).expect("the WAL file");
    assert!(!before.is_empty());
    let report = coord.v.verify_bundle(&b1, &mut Silent).unwrap();
    assert!(
        wal(&coord.v) == Some(before),
        "the verify changed or checkpointed the WAL"
    );
    // The import, by contrast, leaves the WAL (checkpointing it into the vault file,
    // which empties it) and comes back to it.
    let imported = coord.v.import(&b1, false, &mut Silent).unwrap();
    assert_eq!(imported.outcome, ImportOutcome::Imported);
    assert_eq!(imported.new_records, report.records.len());
    assert_eq!(wal(&coord.v).unwrap_or_default().len(), 0);
    assert!(coord.v.verify(&mut Silent).unwrap().ok);
}
