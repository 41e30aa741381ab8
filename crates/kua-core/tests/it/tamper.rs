//! Altered, swapped, dropped and rolled-back ciphertexts are all caught and named.

use crate::*;
use kua_core::{Error, NewAttachment, Silent, Vault};

/// A vault with two sealed testimonies, a draft, consents and an attachment.
fn populated(fx: &Fixture) -> (String, String, String) {
    let (mut v, _) = fx.create();
    let a = v.add(&complete_input("первый")).unwrap();
    let b = v.add(&complete_input("второй")).unwrap();
    let data = vec![7u8; 3 * kua_core::CHUNK + 5];
    v.attach(
        &a,
        &mut data.as_slice(),
        NewAttachment {
            name: "a.png".into(),
            ..Default::default()
        },
        &mut Silent,
    )
    .unwrap();
    v.seal(&a).unwrap();
    v.seal(&b).unwrap();
    let c = v.add(&complete_input("черновик")).unwrap();
    (a, b, c)
}

fn blobs(path: &std::path::Path) -> Vec<(String, String, i64)> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    for (table, cols) in [
        ("header", &["pass_slot"][..]),
        ("testimony", &["head", "body"][..]),
        ("attachment", &["head", "body"][..]),
        ("consent", &["head", "body"][..]),
        ("chunk", &["body"][..]),
        ("custody", &["body"][..]),
        ("secret", &["body"][..]),
    ] {
        let mut stmt = db.prepare(&format!("SELECT rowid FROM {table}")).unwrap();
        let rowids: Vec<i64> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        for rowid in rowids {
            for col in cols {
                out.push((table.to_string(), col.to_string(), rowid));
            }
        }
    }
    out
}

#[test]
fn a_flipped_byte_in_any_ciphertext_is_an_integrity_error() {
    let fx = Fixture::new();
    populated(&fx);
    let pristine = std::fs::read(&fx.path).unwrap();
    let targets = blobs(&fx.path);
    assert!(targets.len() > 25, "{}", targets.len());
    for (table, col, rowid) in targets {
        std::fs::write(&fx.path, &pristine).unwrap();
        let db = rusqlite::Connection::open(&fx.path).unwrap();
        let mut blob: Vec<u8> = db
            .query_row(
                &format!("SELECT {col} FROM {table} WHERE rowid = ?1"),
                [rowid],
                |r| r.get(0),
            )
            .unwrap();
        let at = blob.len() / 2;
        blob[at] ^= 0x01;
        db.execute(
            &format!("UPDATE {table} SET {col} = ?1 WHERE rowid = ?2"),
            rusqlite::params![blob, rowid],
        )
        .unwrap();
        drop(db);
        let what = format!("{table}.{col} rowid {rowid}");
        let mut v = Vault::open(&fx.path, seams(9)).unwrap();
        match v.unlock(&pass()) {
            // The passphrase slot and the signing key guard the whole vault.
            Err(Error::WrongPassphrase) => assert_eq!(table, "header", "{what}"),
            Err(Error::Integrity { .. }) => assert_eq!(table, "secret", "{what}"),
            Err(e) => panic!("{what}: unexpected {e}"),
            Ok(()) => {
                let report = v.verify(&mut Silent).unwrap();
                assert!(!report.ok, "{what} went unnoticed");
                assert!(report
                    .problems
                    .iter()
                    .all(|p| !p.code.is_empty() && !p.place.is_empty()));
            }
        }
    }
}

#[test]
fn a_damaged_passphrase_slot_still_opens_with_the_recovery_key() {
    let fx = Fixture::new();
    let (mut v, recovery) = fx.create();
    let id = v.add(&complete_input("важное")).unwrap();
    drop(v);
    sql(&fx.path, "UPDATE header SET pass_slot = zeroblob(72)");
    let mut v = Vault::open(&fx.path, seams(9)).unwrap();
    assert!(matches!(v.unlock(&pass()), Err(Error::WrongPassphrase)));
    v.recover(&recovery, &pass(), None).unwrap();
    assert_eq!(v.show(&id, None).unwrap().narrative, "важное");
}

#[test]
fn ciphertexts_swapped_between_records_or_fields_do_not_open() {
    let fx = Fixture::new();
    let (a, b, _) = populated(&fx);
    let pristine = std::fs::read(&fx.path).unwrap();
    let swaps = [
        // Two testimonies' bodies.
        "UPDATE testimony SET body = (SELECT body FROM testimony t2 WHERE t2.rowid <> testimony.rowid ORDER BY t2.rowid LIMIT 1)",
        // A consent body in place of a testimony body.
        "UPDATE testimony SET body = (SELECT body FROM consent ORDER BY rowid LIMIT 1)",
        // Heads swapped between rows.
        "UPDATE testimony SET head = (SELECT head FROM testimony t2 WHERE t2.rowid <> testimony.rowid ORDER BY t2.rowid LIMIT 1)",
        // Chunks of one attachment reordered.
        "UPDATE chunk SET body = (SELECT body FROM chunk c2 WHERE c2.id <> chunk.id ORDER BY c2.id LIMIT 1)",
    ];
    for swap in swaps {
        std::fs::write(&fx.path, &pristine).unwrap();
        sql(&fx.path, swap);
        let mut v = fx.open();
        let report = v.verify(&mut Silent).unwrap();
        assert!(!report.ok, "{swap}");
        let codes: Vec<&str> = report.problems.iter().map(|p| p.code.as_str()).collect();
        assert!(
            codes.iter().all(|c| [
                "record_unreadable",
                "attachment_unreadable",
                "record_missing",
                "orphan_record"
            ]
            .contains(c)),
            "{swap}: {codes:?}"
        );
        let shows = [v.show(&a, None).map(|_| ()), v.show(&b, None).map(|_| ())];
        let mut data = Vec::new();
        let extract = v
            .show(&a, None)
            .ok()
            .and_then(|t| t.attachments.first().cloned())
            .map(|att| v.extract(&a, &att.id, &mut data, &mut Silent).map(|_| ()));
        let failed = shows
            .iter()
            .chain(extract.iter())
            .filter(|r| matches!(r, Err(Error::Integrity { .. })))
            .count()
            + usize::from(
                v.show(&a, None)
                    .is_err_and(|e| matches!(e, Error::TestimonyNotFound(_))),
            );
        assert!(failed > 0 || codes.contains(&"record_unreadable"), "{swap}");
    }
}

/// A row put in under an id that reads like the catalog's name for a testimony whose
/// records do not fit together is still a row that does not open, not that testimony.
#[test]
fn a_row_id_made_to_read_like_a_testimony_is_named_as_an_unreadable_row() {
    let fx = Fixture::new();
    let (a, _, _) = populated(&fx);
    let forged = format!("testimony {a}: two consent records");
    sql(
        &fx.path,
        &format!("INSERT INTO testimony (id, head, body) SELECT 'x: {forged}', head, body FROM testimony LIMIT 1"),
    );
    let mut v = fx.open();
    let report = v.verify(&mut Silent).unwrap();
    let named: Vec<(&str, &str)> = report
        .problems
        .iter()
        .filter(|p| p.place.contains(&forged))
        .map(|p| (p.code.as_str(), p.place.as_str()))
        .collect();
    assert_eq!(
        named,
        [(
            "record_unreadable",
            format!("testimony row \"x: {forged}\"").as_str()
        )],
        "{report:?}"
    );
    assert!(
        !report
            .problems
            .iter()
            .any(|p| p.code == "records_inconsistent"),
        "{report:?}"
    );
}

#[test]
fn a_rolled_back_draft_and_rows_removed_behind_kuas_back_are_named() {
    let fx = Fixture::new();
    let (a, _, c) = populated(&fx);
    let old: Vec<u8> = rusqlite::Connection::open(&fx.path)
        .unwrap()
        .query_row("SELECT body FROM testimony ORDER BY rowid", [], |r| {
            r.get(0)
        })
        .unwrap();
    let _ = old;
    // Save the draft's current ciphertext, edit it, then put the old ciphertext back:
    // it decrypts (same key, same binding) but no longer matches the custody log.
    let mut v = fx.open();
    let before = snapshot(&fx.path);
    v.edit(&c, &complete_input("черновик, исправленный"))
        .unwrap();
    drop(v);
    let after = snapshot(&fx.path);
    let (row, body) = before
        .iter()
        .find(|(r, b)| after.iter().any(|(r2, b2)| r2 == r && b2 != b))
        .unwrap()
        .clone();
    let db = rusqlite::Connection::open(&fx.path).unwrap();
    db.execute(
        "UPDATE testimony SET body = ?1 WHERE id = ?2",
        rusqlite::params![body, row],
    )
    .unwrap();
    drop(db);
    let mut v = fx.open();
    assert_eq!(
        v.show(&c, None).unwrap().narrative,
        "черновик",
        "the rollback itself decrypts"
    );
    let report = v.verify(&mut Silent).unwrap();
    let codes: Vec<&str> = report.problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["content_hash_mismatch"]);
    assert!(report.problems[0].place.contains(&c));
    drop(v);

    // An attachment's rows deleted outside Kua.
    sql(&fx.path, "DELETE FROM attachment");
    let mut v = fx.open();
    let report = v.verify(&mut Silent).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.code == "record_missing" && p.place.contains(&a)),
        "{report:?}"
    );
}

fn snapshot(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut stmt = db.prepare("SELECT id, body FROM testimony").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn custody_log_entries_dropped_or_reordered_in_the_file_are_named() {
    let fx = Fixture::new();
    populated(&fx);
    let pristine = std::fs::read(&fx.path).unwrap();

    sql(&fx.path, "DELETE FROM custody WHERE seq = 3");
    let report = fx.open().verify(&mut Silent).unwrap();
    let named: Vec<(&str, &str)> = report
        .problems
        .iter()
        .map(|p| (p.code.as_str(), p.place.as_str()))
        .collect();
    assert!(
        named.contains(&("custody_gap", "custody log entry 3")),
        "{named:?}"
    );
    assert!(
        named.contains(&("custody_chain_broken", "custody log entry 4")),
        "{named:?}"
    );

    std::fs::write(&fx.path, &pristine).unwrap();
    sql(&fx.path, "UPDATE custody SET seq = 100 WHERE seq = 2; UPDATE custody SET seq = 2 WHERE seq = 3; UPDATE custody SET seq = 3 WHERE seq = 100;");
    let report = fx.open().verify(&mut Silent).unwrap();
    let named: Vec<(&str, &str)> = report
        .problems
        .iter()
        .map(|p| (p.code.as_str(), p.place.as_str()))
        .collect();
    assert!(
        named.contains(&("custody_unreadable", "custody log entry 2")),
        "{named:?}"
    );
    assert!(
        named.contains(&("custody_unreadable", "custody log entry 3")),
        "{named:?}"
    );

    // Cutting the end of the log leaves records the log does not know.
    std::fs::write(&fx.path, &pristine).unwrap();
    sql(
        &fx.path,
        "DELETE FROM custody WHERE seq = (SELECT max(seq) FROM custody)",
    );
    let report = fx.open().verify(&mut Silent).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.code == "unlogged_record" || p.code == "content_hash_mismatch"),
        "{report:?}"
    );
}

#[test]
fn a_damaged_log_end_is_repaired_in_the_open_and_the_vault_stays_usable() {
    let fx = Fixture::new();
    let (a, _, _) = populated(&fx);
    sql(&fx.path, "UPDATE custody SET body = zeroblob(length(body)) WHERE seq = (SELECT max(seq) FROM custody)");
    let mut v = fx.open();
    // Consent withdrawal and erasure must still work.
    let mut withdrawn = consent();
    withdrawn.withdrawn_at = Some("2022-04-01".into());
    v.set_consent(&a, &withdrawn).unwrap();
    let log = v.log().unwrap();
    let repaired = log
        .iter()
        .find(|l| format!("{:?}", l.event) == "LogRepaired")
        .unwrap();
    assert!(repaired.detail.as_deref().unwrap().contains("unreadable"));
    // The damage stays visible for good.
    let report = v.verify(&mut Silent).unwrap();
    let codes: Vec<&str> = report.problems.iter().map(|p| p.code.as_str()).collect();
    assert!(codes.contains(&"custody_unreadable"), "{codes:?}");
}

#[test]
fn a_testimony_restored_after_erasure_is_named() {
    let fx = Fixture::new();
    let (a, _, _) = populated(&fx);
    let before = std::fs::read(&fx.path).unwrap();
    let rows = |p: &std::path::Path| -> Vec<(String, Vec<u8>, Vec<u8>)> {
        let db = rusqlite::Connection::open(p).unwrap();
        let mut stmt = db.prepare("SELECT id, head, body FROM testimony").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let old = rows(&fx.path);
    let mut v = fx.open();
    v.delete(&a).unwrap();
    drop(v);
    let now = rows(&fx.path);
    let db = rusqlite::Connection::open(&fx.path).unwrap();
    for (id, head, body) in old.iter().filter(|r| !now.iter().any(|n| n.0 == r.0)) {
        db.execute(
            "INSERT INTO testimony (id, head, body) VALUES (?1, ?2, ?3)",
            rusqlite::params![id, head, body],
        )
        .unwrap();
    }
    drop(db);
    assert_ne!(before, std::fs::read(&fx.path).unwrap());
    let report = fx.open().verify(&mut Silent).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.code == "record_resurrected" && p.place.contains(&a)),
        "{report:?}"
    );
}

/// A damaged chunk of an attachment met while exporting is named an integrity failure
/// (it was an I/O error carrying the message), and no bundle is left behind.
#[test]
fn a_damaged_chunk_met_by_an_export_is_an_integrity_error() {
    let fx = Fixture::new();
    populated(&fx);
    let db = rusqlite::Connection::open(&fx.path).unwrap();
    let (rowid, mut body): (i64, Vec<u8>) = db
        .query_row(
            "SELECT rowid, body FROM chunk ORDER BY rowid LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let at = body.len() / 2;
    body[at] ^= 0x01;
    db.execute(
        "UPDATE chunk SET body = ?1 WHERE rowid = ?2",
        rusqlite::params![body, rowid],
    )
    .unwrap();
    drop(db);
    let mut v = Vault::open(&fx.path, seams(9)).unwrap();
    v.unlock(&pass()).unwrap();
    let me = v.identity().unwrap().age_recipient;
    v.add_recipient("archive", &me, false).unwrap();
    let out = fx.dir.path().join("out.kua");
    let request = kua_core::ExportRequest {
        to: vec!["archive".into()],
        selection: kua_core::Selection::All,
        redact: false,
        cases: Vec::new(),
        case_notes: false,
    };
    match v.export(&request, &out, &mut Silent) {
        Err(e @ Error::Integrity { .. }) => assert_eq!(e.code(), "integrity"),
        Err(e) => panic!("expected an integrity failure, got {} ({e})", e.code()),
        Ok(_) => panic!("a damaged chunk was exported"),
    }
    assert!(!out.exists());
}

/// An old consent record put back beside the current one (a withdrawal "undone" by
/// restoring the record it replaced) is named by `verify`, and the current one stands.
#[test]
fn an_old_consent_record_put_back_is_named_and_does_not_stand() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("согласие дано")).unwrap();
    drop(v);
    let row = |path: &std::path::Path| -> (String, Vec<u8>, Vec<u8>) {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("SELECT id, head, body FROM consent", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap()
    };
    let given = row(&fx.path);
    let mut v = fx.open();
    let mut withdrawn = consent();
    withdrawn.withdrawn_at = Some("2022-03-01".into());
    v.set_consent(&id, &withdrawn).unwrap();
    drop(v);
    // The old record, put back after the current one: read last.
    rusqlite::Connection::open(&fx.path)
        .unwrap()
        .execute(
            "INSERT INTO consent (id, head, body) VALUES (?1, ?2, ?3)",
            rusqlite::params![given.0, given.1, given.2],
        )
        .unwrap();
    let mut v = fx.open();
    let shown = v.show(&id, None).unwrap().consent.unwrap();
    assert_eq!(
        shown.withdrawn_at.as_deref(),
        Some("2022-03-01"),
        "the withdrawal stands"
    );
    let report = v.verify(&mut Silent).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.code == "records_inconsistent"
                && p.place == format!("testimony {id}")
                && p.detail.starts_with("two consent records")),
        "{report:?}"
    );
    // The counts leave it out and name it as such, not as a row that did not open.
    let read = v.analysis_records(true, None).unwrap();
    assert_eq!(read.unreadable, Vec::<String>::new());
    assert_eq!(read.inconsistent.len(), 1, "{:?}", read.inconsistent);
    assert!(read.inconsistent[0].starts_with(&format!("testimony {id}: two consent records")));
    assert!(!read.records.iter().any(|r| r.id == id));
    // A consent change leaves the record put back; erasing the testimony erases both
    // records, and `verify` no longer names the testimony.
    v.set_consent(&id, &consent()).unwrap();
    v.delete(&id).unwrap();
    let report = v.verify(&mut Silent).unwrap();
    assert!(
        !report.problems.iter().any(|p| p.place.contains(&id)),
        "{report:?}"
    );
    assert!(v
        .analysis_records(true, None)
        .unwrap()
        .inconsistent
        .is_empty());
    drop(v);
    let left: i64 = rusqlite::Connection::open(&fx.path)
        .unwrap()
        .query_row("SELECT count(*) FROM consent", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "a consent record outlived the erasure");
}
