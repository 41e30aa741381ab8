//! A batch's next bundle, read on the other core while one commits
//! (`Vault::import_reading_next`, import/reading.rs): what was read ahead is taken by
//! that bundle's import and checked exactly as a fresh read is; a lock, the batch's
//! end, a new age identity or an import of another file drops it.

use crate::bundles::{export, readdressed, setup, two_bundles};
use crate::*;
use kua_core::{Error, ImportOutcome, Selection, Silent};
use secrecy::ExposeSecret;

#[test]
fn the_bundle_read_ahead_is_the_one_imported_next() {
    let (mut field, mut coord, _, [_, _, t3]) = setup();
    let (b1, b2) = two_bundles(&mut field, &t3);
    let next = field.fx.dir.path().join("next.kua");
    std::fs::copy(&b2, &next).unwrap();
    let (first, second) = coord
        .v
        .import_batch(|v| {
            let first = v.import_reading_next(&b1, Some(&next), false, &mut Silent);
            // The reader opened the next file while the first committed: removed now,
            // it is still what the next import takes (Linux keeps an open file's bytes).
            std::fs::remove_file(&next).unwrap();
            let second = v.import_reading_next(&next, None, false, &mut Silent);
            (first, second)
        })
        .unwrap();
    let first = first.unwrap();
    assert_eq!(
        (first.outcome, first.new_records),
        (ImportOutcome::Imported, 3)
    );
    let second = second.unwrap();
    assert_eq!(
        (second.outcome, second.new_records),
        (ImportOutcome::Imported, 1)
    );
    // An import that changes nothing (b1 again) reads ahead too: the drops tested below
    // start from one.
    let (b3, _) = export(&mut field, &["coalition"], Selection::All, false, "b3.kua");
    let replayed = coord
        .v
        .import_batch(|v| {
            let replay = v.import_reading_next(&b1, Some(&b3), false, &mut Silent);
            std::fs::remove_file(&b3).unwrap();
            (replay, v.import_reading_next(&b3, None, false, &mut Silent))
        })
        .unwrap();
    assert_eq!(replayed.0.unwrap().outcome, ImportOutcome::AlreadyImported);
    assert_eq!(replayed.1.unwrap().outcome, ImportOutcome::Imported);
    assert!(coord.v.verify(&mut Silent).unwrap().ok);
}

#[test]
fn an_import_refused_after_the_read_reads_nothing_ahead() {
    let (mut field, mut coord, mut lawyer, [_, _, t3]) = setup();
    let (_, b2) = two_bundles(&mut field, &t3);
    // Signed and whole, so the reader passes it; refused after the read, as made for
    // other recipients.
    let other = readdressed(&mut field, &mut coord, &mut lawyer);
    let next = field.fx.dir.path().join("next.kua");
    std::fs::copy(&b2, &next).unwrap();
    let (refused, then) = coord
        .v
        .import_batch(|v| {
            let refused = v.import_reading_next(&other, Some(&next), false, &mut Silent);
            std::fs::remove_file(&next).unwrap();
            (
                refused,
                v.import_reading_next(&next, None, false, &mut Silent),
            )
        })
        .unwrap();
    let refused = refused.unwrap_err();
    assert_eq!(refused.code(), "bundle_readdressed", "{refused}");
    assert!(
        matches!(&then, Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound),
        "{then:?}"
    );
}

#[test]
fn a_damaged_bundle_read_ahead_is_refused_as_a_fresh_read_refuses_it() {
    let (mut field, mut coord, _, [_, _, t3]) = setup();
    let (b1, b2) = two_bundles(&mut field, &t3);
    let bad = field.fx.dir.path().join("bad.kua");
    let b2_copy = field.fx.dir.path().join("b2-copy.kua");
    std::fs::copy(&b2, &b2_copy).unwrap();
    let mut bytes = std::fs::read(&b2).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x20;
    std::fs::write(&bad, &bytes).unwrap();
    let log_before = coord.v.log().unwrap().len();
    let results = coord
        .v
        .import_batch(|v| {
            let order = [&b1, &bad, &b2_copy, &b2, &b1];
            (0..order.len())
                .map(|i| {
                    let next = order.get(i + 1).map(|p| p.as_path());
                    let r = v.import_reading_next(order[i], next, false, &mut Silent);
                    if i == 0 {
                        // Read ahead while the first committed: removed now, the damaged
                        // copy is still what its import takes (not "file not found").
                        std::fs::remove_file(&bad).unwrap();
                    }
                    if i == 1 {
                        // An import refused by a check reads nothing ahead: the next
                        // one reads its file, and finds it gone.
                        std::fs::remove_file(&b2_copy).unwrap();
                    }
                    (r, v.log().unwrap().len())
                })
                .collect::<Vec<_>>()
        })
        .unwrap();
    let mut results = results.into_iter();
    let (first, logged_first) = results.next().unwrap();
    assert_eq!(first.unwrap().new_records, 3);
    assert!(logged_first > log_before);
    // Read ahead while the first committed, the damaged copy is still refused, and
    // leaves nothing in the vault or its log.
    let (damaged, logged_damaged) = results.next().unwrap();
    let damaged = damaged.unwrap_err();
    assert_eq!(damaged.code(), "bundle_corrupt", "{damaged}");
    assert_eq!(logged_damaged, logged_first);
    let (not_read_ahead, _) = results.next().unwrap();
    assert!(
        matches!(&not_read_ahead, Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound),
        "{not_read_ahead:?}"
    );
    let (good, _) = results.next().unwrap();
    assert_eq!(good.unwrap().new_records, 1);
    let (replay, _) = results.next().unwrap();
    assert_eq!(replay.unwrap().outcome, ImportOutcome::AlreadyImported);
    assert!(coord.v.verify(&mut Silent).unwrap().ok);
}

#[test]
fn a_lock_the_batchs_end_a_new_identity_or_another_file_drops_what_was_read_ahead() {
    let (mut field, mut coord, mut lawyer, [_, _, t3]) = setup();
    let (b1, b2) = two_bundles(&mut field, &t3);
    let dir = field.fx.dir.path().to_path_buf();
    let copy = |name: &str| {
        let p = dir.join(name);
        std::fs::copy(&b2, &p).unwrap();
        p
    };
    let gone = |r: kua_core::Result<kua_core::ImportReport>| matches!(r, Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound);

    // A lock between the two: the next import reads the file again, and it is gone.
    let next = copy("after-lock.kua");
    let after_lock = coord
        .v
        .import_batch(|v| {
            v.import_reading_next(&b1, Some(&next), false, &mut Silent)
                .unwrap();
            std::fs::remove_file(&next).unwrap();
            v.lock().unwrap();
            v.unlock(&pass()).unwrap();
            v.import_reading_next(&next, None, false, &mut Silent)
        })
        .unwrap();
    assert!(gone(after_lock));

    // The batch's end.
    let next = copy("after-batch.kua");
    coord
        .v
        .import_batch(|v| {
            v.import_reading_next(&b1, Some(&next), false, &mut Silent)
                .unwrap()
        })
        .unwrap();
    std::fs::remove_file(&next).unwrap();
    assert!(gone(coord.v.import(&next, false, &mut Silent)));

    // An import of another file in between.
    let next = copy("skipped.kua");
    let skipped = coord
        .v
        .import_batch(|v| {
            v.import_reading_next(&b1, Some(&next), false, &mut Silent)
                .unwrap();
            std::fs::remove_file(&next).unwrap();
            // b2 itself, read from its own file: the bundle read ahead is not it.
            let other = v.import_reading_next(&b2, None, false, &mut Silent);
            (
                other,
                v.import_reading_next(&next, None, false, &mut Silent),
            )
        })
        .unwrap();
    assert_eq!(skipped.0.unwrap().new_records, 1);
    assert!(gone(skipped.1));
    assert!(coord.v.verify(&mut Silent).unwrap().ok);

    // A new age identity of the vault: what was read ahead for the old one is read
    // again.
    let next = copy("after-new-identity.kua");
    // Another vault's identity (deterministic, from its seeded randomness).
    let identity = lawyer.v.export_age_identity().unwrap();
    let after_identity = coord
        .v
        .import_batch(|v| {
            v.import_reading_next(&b1, Some(&next), false, &mut Silent)
                .unwrap();
            std::fs::remove_file(&next).unwrap();
            v.import_age_identity(identity.expose_secret()).unwrap();
            v.import_reading_next(&next, None, false, &mut Silent)
        })
        .unwrap();
    assert!(gone(after_identity));
}
