//! Attacks on import found by review, one test each, named after the attack. Most need
//! a sender whose device key is in other hands as well; `forge::Forger` plays both.

use crate::bundles::{export, party, setup};
use crate::forge::{age_identity, put, Forger};
use crate::*;
use kua_core::{
    Continuity, Error, ImportOutcome, Marker, MediaRef, NewRecording, Selection, Silent,
};

const R1: &str = "11111111-1111-4111-8111-111111111111";
const R2: &str = "22222222-2222-4222-8222-222222222222";
const R3: &str = "33333333-3333-4333-8333-333333333333";
const B1: &str = "b1b1b1b1-0000-4000-8000-000000000001";
const B2: &str = "b2b2b2b2-0000-4000-8000-000000000002";
const B9: &str = "b9b9b9b9-0000-4000-8000-000000000009";

/// A coordinator that trusts a forger-held sender key.
fn coordinator(seed: u64, key_seed: u8) -> (crate::bundles::Party, Forger) {
    let mut coord = party(seed);
    let to = coord.v.identity().unwrap().age_recipient;
    let f = Forger::new(key_seed, &to);
    coord.v.trust("field-9", &f.public_key_file()).unwrap();
    (coord, f)
}

fn code<T: std::fmt::Debug>(r: kua_core::Result<T>) -> String {
    match r {
        Ok(v) => format!("ok: {v:?}"),
        Err(e) => e.code().to_string(),
    }
}

#[test]
fn a_forged_bundle_under_an_awaited_bundles_id_neither_releases_the_gap_nor_hides_the_genuine_one()
{
    let (mut coord, mut f) = coordinator(60, 7);
    let dir = coord.fx.dir.path().to_path_buf();
    let r1 = f.seal(R1, 1, "первый");
    let b1 = f.export(B1, std::slice::from_ref(&r1));
    let r2 = f.seal(R2, 1, "второй");
    let b2 = f.export(B2, &[r2]);
    let got = coord
        .v
        .import(&put(&dir, "b2.kua", &b2), false, &mut Silent);
    assert_eq!(got.unwrap().outcome, ImportOutcome::Pending);

    // The thief's bundle: B1's id, an earlier slice of the log, none of B1's records.
    // The old import took it as B1, released B2, and then called B1 "already imported".
    let forged = put(&dir, "forged.kua", &f.bundle(B1, &[], 1));
    assert_eq!(
        code(coord.v.verify_bundle(&forged, &mut Silent)),
        "bundle_not_as_logged"
    );
    assert_eq!(
        code(coord.v.import(&forged, false, &mut Silent)),
        "bundle_not_as_logged"
    );
    assert!(coord.v.received().unwrap().iter().all(|r| r.pending));

    let got = coord
        .v
        .import(&put(&dir, "b1.kua", &b1), false, &mut Silent)
        .unwrap();
    assert_eq!(
        (got.outcome, got.new_records, got.released),
        (ImportOutcome::Imported, 1, vec![B2.to_string()])
    );
    let received = coord.v.received().unwrap();
    assert!(received.iter().any(|r| r.id == R1) && received.iter().all(|r| !r.pending));
    assert!(coord.v.verify(&mut Silent).unwrap().ok);
}

#[test]
fn a_bundle_id_signed_twice_with_other_contents_is_an_alarm_not_a_replay() {
    let (mut coord, mut f) = coordinator(61, 8);
    let dir = coord.fx.dir.path().to_path_buf();
    let r1 = f.seal(R1, 1, "первый");
    let thief = f.clone();
    let b1 = put(&dir, "b1.kua", &f.export(B1, &[r1]));
    // The forgery arrives first, before any bundle's log names B1: nothing can tell yet.
    let forged = put(&dir, "forged.kua", &thief.bundle(B1, &[], 1));
    let got = coord.v.import(&forged, false, &mut Silent).unwrap();
    assert_eq!(got.new_records, 0);
    // The genuine B1 was a silent "already imported" before; now it is an alarm.
    assert_eq!(
        code(coord.v.verify_bundle(&b1, &mut Silent)),
        "bundle_id_reused"
    );
    assert_eq!(
        code(coord.v.import(&b1, false, &mut Silent)),
        "bundle_id_reused"
    );
    // The sender's next bundle shows what B1 really held: the forgery is named.
    let r2 = f.seal(R2, 1, "второй");
    let b2 = put(&dir, "b2.kua", &f.export(B2, &[r2]));
    assert_eq!(
        code(coord.v.import(&b2, false, &mut Silent)),
        "bundle_not_as_logged"
    );
    // The same bundle again is still a plain replay.
    let again = coord.v.import(&forged, false, &mut Silent).unwrap();
    assert_eq!(again.outcome, ImportOutcome::AlreadyImported);
}

#[test]
fn a_stolen_key_written_with_an_extra_space_cannot_start_a_second_history() {
    let (mut coord, mut f) = coordinator(62, 9);
    let dir = coord.fx.dir.path().to_path_buf();
    let identity = age_identity(&mut coord.v);
    let line = kua_core::kua_bundle::minisign::public_key_line(&f.key.verifying_key());
    let r1 = f.seal(R1, 1, "первый");
    let mut thief = f.clone();
    let r2 = f.seal(R2, 1, "второй");
    let b1 = f.export(B1, &[r1, r2]);
    let got = coord
        .v
        .import(&put(&dir, "b1.kua", &b1), false, &mut Silent);
    assert_eq!(got.unwrap().report.continuity, Continuity::First);

    // The thief's history departs at entry 2; its manifest spells the key with a space.
    // The old import kept that spelling's state apart: a "first" bundle, imported.
    let r3 = thief.seal(R3, 1, "чужой");
    let forged = thief.bundle(B9, &[thief.record(&r3)], thief.entries.len());
    let spaced = format!("{line} ");
    let forged = thief.resign(&forged, &identity, |m| {
        m["sender"]["public_key"] = spaced.clone().into()
    });
    let forged = put(&dir, "forged.kua", &forged);
    assert_eq!(
        code(coord.v.import(&forged, false, &mut Silent)),
        "bundle_fork"
    );
    assert!(!coord.v.received().unwrap().iter().any(|r| r.id == R3));

    // Spelled so by the genuine device, it is the same sender with the same history.
    let r4 = f.seal(R3, 1, "свой");
    let b2 = f.export(B2, &[r4]);
    let b2 = f.resign(&b2, &identity, |m| {
        m["sender"]["public_key"] = spaced.into()
    });
    let got = coord
        .v
        .import(&put(&dir, "b2.kua", &b2), false, &mut Silent)
        .unwrap();
    assert_eq!(
        (got.outcome, got.report.continuity),
        (ImportOutcome::Imported, Continuity::Extends)
    );
}

#[test]
fn a_forged_redacted_body_is_refused_and_the_genuine_redacted_copy_imports() {
    let (mut coord, mut f) = coordinator(63, 10);
    let dir = coord.fx.dir.path().to_path_buf();
    let r1 = f.seal(R1, 1, "первый");
    let mut thief = f.clone();
    // A redacted copy with another body and the sealed content hash: the old import
    // checked it against nothing, and the genuine copy then counted as nothing new.
    let fake = thief.redacted(&r1, "~0000000000000000", false);
    let forged = put(
        &dir,
        "forged.kua",
        &thief.bundle(B9, &[fake], thief.entries.len()),
    );
    assert_eq!(
        code(coord.v.verify_bundle(&forged, &mut Silent)),
        "bundle_redaction_unlogged"
    );
    assert_eq!(
        code(coord.v.import(&forged, false, &mut Silent)),
        "bundle_redaction_unlogged"
    );

    let real = f.redacted(&r1, "~1a2b3c4d5e6f7a8b", true);
    let b1 = f.bundle(B1, &[real], f.entries.len());
    f.logged_export(B1, std::slice::from_ref(&r1));
    let got = coord
        .v
        .import(&put(&dir, "b1.kua", &b1), false, &mut Silent)
        .unwrap();
    assert_eq!((got.outcome, got.new_records), (ImportOutcome::Imported, 1));

    // A thief who logs the forged redaction too extends the sender's log: the copy held
    // is never overwritten, and the genuine device's next bundle shows the fork.
    let mut thief = f.clone();
    let fake = thief.redacted(&r1, "~0000000000000000", true);
    let forged = put(
        &dir,
        "forged-2.kua",
        &thief.bundle(B9, &[fake], thief.entries.len()),
    );
    assert_eq!(
        coord
            .v
            .import(&forged, false, &mut Silent)
            .unwrap()
            .new_records,
        0
    );
    let held = coord.v.show_received(R1, None, None).unwrap();
    assert_eq!(held.record.body.fields["full_name"], "~1a2b3c4d5e6f7a8b");
    let r2 = f.seal(R2, 1, "второй");
    let b2 = put(&dir, "b2.kua", &f.export(B2, &[r2]));
    assert_eq!(code(coord.v.import(&b2, false, &mut Silent)), "bundle_fork");
}

#[test]
fn bundle_verify_reports_a_changed_record_as_import_does() {
    // Same id and version, other content: import said `bundle_conflict`, `bundle verify`
    // said OK, because it never compared records with those held.
    let (mut coord, mut f) = coordinator(64, 11);
    let dir = coord.fx.dir.path().to_path_buf();
    let r1 = f.seal(R1, 1, "первый");
    let b1 = f.export(B1, std::slice::from_ref(&r1));
    coord
        .v
        .import(&put(&dir, "b1.kua", &b1), false, &mut Silent)
        .unwrap();
    f.seal(R1, 1, "переписано");
    let b2 = put(&dir, "b2.kua", &f.export(B2, &[r1]));
    assert_eq!(
        code(coord.v.verify_bundle(&b2, &mut Silent)),
        "bundle_conflict"
    );
    assert_eq!(
        code(coord.v.import(&b2, false, &mut Silent)),
        "bundle_conflict"
    );
}

#[test]
fn the_same_record_redacted_for_two_sets_of_recipients_is_not_a_conflict() {
    // Pseudonyms are keyed by the set of recipients, so one record redacted for two sets
    // has two bodies; the sender logged both, so neither is a forgery.
    let (mut field, mut coord, _, [t1, _, _]) = setup();
    let (a, _) = export(&mut field, &["coalition"], Selection::All, true, "a.kua");
    let (b, _) = export(
        &mut field,
        &["coalition", "lawyer"],
        Selection::Ids(vec![t1.clone()]),
        true,
        "b.kua",
    );
    coord.v.import(&a, false, &mut Silent).unwrap();
    let got = coord.v.import(&b, false, &mut Silent).unwrap();
    assert_eq!((got.outcome, got.new_records), (ImportOutcome::Imported, 0));
    assert!(coord.v.verify(&mut Silent).unwrap().ok);
}

#[test]
fn deleting_a_received_record_fails_verify_and_reimporting_restores_it() {
    let (mut field, mut coord, _, _) = setup();
    let (b, _) = export(&mut field, &["coalition"], Selection::All, false, "b.kua");
    assert_eq!(
        coord.v.import(&b, false, &mut Silent).unwrap().new_records,
        3
    );
    coord.v.lock().unwrap();
    sql(
        &coord.fx.path,
        "DELETE FROM received WHERE rowid = (SELECT min(rowid) FROM received)",
    );
    coord.v.unlock(&pass()).unwrap();
    let report = coord.v.verify(&mut Silent).unwrap();
    assert!(!report.ok);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.code == "record_missing" && p.place.starts_with("received record")),
        "{:?}",
        report.problems
    );
    // The old import decided "already imported" from the bundle id alone.
    let again = coord.v.import(&b, false, &mut Silent).unwrap();
    assert_eq!(
        (again.outcome, again.new_records),
        (ImportOutcome::Imported, 1)
    );
    assert_eq!(coord.v.received().unwrap().len(), 3);
    assert!(coord.v.verify(&mut Silent).unwrap().ok);
    let once_more = coord.v.import(&b, false, &mut Silent).unwrap();
    assert_eq!(once_more.outcome, ImportOutcome::AlreadyImported);
}

#[test]
fn a_record_id_reused_by_another_sender_does_not_shadow_the_first() {
    let (mut field, mut coord, _, [t1, _, _]) = setup();
    let (b, _) = export(&mut field, &["coalition"], Selection::All, false, "b.kua");
    coord.v.import(&b, false, &mut Silent).unwrap();
    let field_key = field.v.identity().unwrap().minisign_key_id;
    // Another trusted device sends a record under the same id, at a higher version:
    // the old lookup showed it in place of the first sender's.
    let to = coord.v.identity().unwrap().age_recipient;
    let mut other = Forger::new(12, &to);
    coord.v.trust("field-12", &other.public_key_file()).unwrap();
    other.seal(&t1, 1, "подмена");
    let shadow = other.seal(&t1, 2, "подмена, дополнено");
    let bundle = other.export(B9, &[shadow]);
    let dir = coord.fx.dir.path().to_path_buf();
    let got = coord
        .v
        .import(&put(&dir, "other.kua", &bundle), false, &mut Silent)
        .unwrap();
    assert_eq!(got.shared_ids, vec![t1.clone()]);
    assert!(matches!(
        coord.v.show_received(&t1, None, None),
        Err(Error::ReceivedAmbiguous { .. })
    ));
    let mine = coord.v.show_received(&t1, None, Some(&field_key)).unwrap();
    assert_eq!(mine.record.body.narrative, "первый: всё разрешено");
    let theirs = coord
        .v
        .show_received(&t1, None, Some(&other.key_id()))
        .unwrap();
    assert_eq!(theirs.record.version, 2);
    // The first sender's media is found through its own record.
    let sha = mine.record.attachments[0].sha256.clone();
    let media = MediaRef::Received {
        record: t1.clone(),
        version: 1,
        sha256: sha,
        sender: Some(field_key),
    };
    assert_eq!(coord.v.open_media(&media).unwrap().size, 150_000);
}

#[test]
fn a_redacted_export_does_not_carry_names_spoken_in_marker_notes() {
    let (mut field, mut coord, _, _) = setup();
    let t = field.v.add(&complete_input("запись с диктофона")).unwrap();
    let rec = field
        .v
        .begin_recording(
            &t,
            NewRecording {
                name: "интервью.opus".into(),
                media_type: "audio/ogg".into(),
            },
        )
        .unwrap();
    field.v.append_recording(&rec, b"OggS not really").unwrap();
    let markers = [Marker {
        at_ms: 1200,
        note: Some("называет следователя: Серик Жумабаев".into()),
        section: Some("detention".into()),
    }];
    field.v.finish_recording(&rec, &markers).unwrap();
    field.v.seal(&t).unwrap();
    let (b, _) = export(
        &mut field,
        &["coalition"],
        Selection::Ids(vec![t.clone()]),
        true,
        "r.kua",
    );
    coord.v.import(&b, false, &mut Silent).unwrap();
    let got = coord.v.show_received(&t, None, None).unwrap();
    let carried = &got.record.attachments[0].markers;
    assert_eq!(carried.len(), 1);
    assert_eq!(carried[0].note.as_deref(), Some("(redacted)"));
    assert_eq!(
        (carried[0].at_ms, carried[0].section.as_deref()),
        (1200, Some("detention"))
    );
}
