//! How imports and verifies use the vault's journals: an import leaves the WAL for the
//! rollback journal around its transaction (store.rs, `BulkAppend`), which checkpoints
//! the WAL; a verify writes nothing and leaves the WAL as it was.

use crate::bundles::{export, setup};
use kua_core::{ImportOutcome, Selection, Silent};

fn wal_size(v: &kua_core::Vault) -> Option<u64> {
    let wal = format!("{}-wal", v.path().display());
    std::fs::metadata(wal).ok().map(|m| m.len())
}

#[test]
fn a_verify_leaves_the_wal_as_it_was_and_an_import_checkpoints_it() {
    let (mut field, mut coord, _, _) = setup();
    let (b1, _) = export(&mut field, &["coalition"], Selection::All, false, "b1.kua");
    // Trusting the sender (setup) wrote to the coordinator's WAL.
    let before = wal_size(&coord.v).expect("the WAL file");
    assert!(before > 0);
    let report = coord.v.verify_bundle(&b1, &mut Silent).unwrap();
    assert_eq!(
        wal_size(&coord.v),
        Some(before),
        "the verify checkpointed the WAL"
    );
    // The import, by contrast, leaves the WAL (checkpointing it, which empties it) and
    // comes back to it.
    let imported = coord.v.import(&b1, false, &mut Silent).unwrap();
    assert_eq!(imported.outcome, ImportOutcome::Imported);
    assert_eq!(imported.new_records, report.records.len());
    assert_ne!(wal_size(&coord.v), Some(before));
    assert!(coord.v.verify(&mut Silent).unwrap().ok);
}
