//! Regression tests of the vault attacks found by the adversarial review (issue #10),
//! each named after its attack, and the migration of a format-1 vault.

use crate::*;
use kua_core::{Error, RecoveryKey, Silent};

/// Copies the vault file aside (its WAL folded in first, so the copy is whole).
fn copy_of(fx: &Fixture, v: &mut kua_core::Vault, name: &str) -> std::path::PathBuf {
    v.lock().unwrap();
    let to = fx.dir.path().join(name);
    std::fs::copy(&fx.path, &to).unwrap();
    v.unlock(&pass()).unwrap();
    to
}

/// Puts the `secret` row `name` of `from` into the vault file, as an attacker with an
/// older copy would.
fn restore_secret_row(fx: &Fixture, from: &Path, name: &str) {
    let old = rusqlite::Connection::open(from).unwrap();
    let body: Vec<u8> = old
        .query_row("SELECT body FROM secret WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap();
    let db = rusqlite::Connection::open(&fx.path).unwrap();
    db.execute(
        "UPDATE secret SET body = ?1 WHERE name = ?2",
        rusqlite::params![body, name],
    )
    .unwrap();
}

fn codes(v: &mut kua_core::Vault) -> Vec<(String, String)> {
    v.verify(&mut Silent)
        .unwrap()
        .problems
        .into_iter()
        .map(|p| (p.code, p.place))
        .collect()
}

const AGE_A: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const AGE_B: &str = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg";

#[test]
fn an_old_recipient_list_put_back_from_an_older_copy_is_refused_and_named() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    v.add_recipient("old-coalition", AGE_A, false).unwrap();
    let old = copy_of(&fx, &mut v, "old.kua");
    v.remove_recipient("old-coalition").unwrap();
    v.add_recipient("coalition", AGE_B, false).unwrap();
    assert!(v.verify(&mut Silent).unwrap().ok);
    drop(v);
    restore_secret_row(&fx, &old, "recipients");
    let mut v = fx.open();
    // The old key is not used: the list (which exports read) is refused…
    let e = v.recipients().unwrap_err();
    assert_eq!(e.code(), "integrity");
    // …and verify names it.
    let found = codes(&mut v);
    assert!(
        found.contains(&("setting_rolled_back".into(), "setting recipients".into())),
        "{found:?}"
    );
}

#[test]
fn a_setting_row_removed_or_copied_between_names_is_refused_and_named() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    v.add_recipient("coalition", AGE_A, false).unwrap();
    let pk = v.minisign_public_key_file().unwrap();
    v.trust("field-7", &pk).unwrap();
    drop(v);
    // The trusted-senders body copied under the recipients name does not open there.
    sql(
        &fx.path,
        "UPDATE secret SET body = (SELECT body FROM secret WHERE name = 'trusted-senders') WHERE name = 'recipients'",
    );
    let mut v = fx.open();
    assert!(v.recipients().is_err());
    let found = codes(&mut v);
    assert!(
        found.contains(&("setting_unreadable".into(), "setting recipients".into())),
        "{found:?}"
    );
    drop(v);
    // A removed list does not read as empty: the log recorded one.
    sql(
        &fx.path,
        "DELETE FROM secret WHERE name = 'trusted-senders'",
    );
    let mut v = fx.open();
    assert_eq!(v.trusted_senders().unwrap_err().code(), "integrity");
    let found = codes(&mut v);
    assert!(
        found.contains(&("setting_missing".into(), "setting trusted-senders".into())),
        "{found:?}"
    );
}

#[test]
fn an_open_recording_rolled_back_from_an_older_copy_is_named_when_recovered() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("запись")).unwrap();
    let rec = v
        .begin_recording(
            &id,
            kua_core::NewRecording {
                name: "r.ogg".into(),
                media_type: "audio/ogg".into(),
            },
        )
        .unwrap();
    v.append_recording(&rec, &[1u8; 1000]).unwrap();
    v.flush_recording(&rec, &[]).unwrap();
    // An older copy, taken one flush in.
    let db = rusqlite::Connection::open(&fx.path).unwrap();
    let name = format!("recording:{rec}");
    let old_body: Vec<u8> = db
        .query_row("SELECT body FROM secret WHERE name = ?1", [&name], |r| {
            r.get(0)
        })
        .unwrap();
    let old_chunks: Vec<(i64, Vec<u8>)> = db
        .prepare("SELECT id, body FROM chunk")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    // Sixty more flushes: the state is logged at revisions 30 and 60.
    for _ in 0..60 {
        v.append_recording(&rec, &[2u8; 1000]).unwrap();
        v.flush_recording(&rec, &[]).unwrap();
    }
    // A crash; the older record is put back alone: it no longer fits the chunk it
    // describes (the length is bound), so recovery refuses it and verify names it.
    std::mem::forget(v);
    db.execute(
        "UPDATE secret SET body = ?1 WHERE name = ?2",
        rusqlite::params![old_body, name],
    )
    .unwrap();
    let mut v = fx.open();
    assert_eq!(v.recover_recordings().unwrap_err().code(), "integrity");
    let found = codes(&mut v);
    assert!(
        found.contains(&("setting_rolled_back".into(), format!("setting {name}"))),
        "{found:?}"
    );
    drop(v);
    // The record and its chunks put back together, a consistent older state: recovery
    // takes what is there and logs, for good, that it was rolled back.
    db.execute("DELETE FROM chunk", []).unwrap();
    for (id, body) in &old_chunks {
        db.execute(
            "INSERT INTO chunk (id, body) VALUES (?1, ?2)",
            rusqlite::params![id, body],
        )
        .unwrap();
    }
    drop(db);
    let mut v = fx.open();
    let recovered = v.recover_recordings().unwrap();
    assert_eq!(recovered.len(), 1);
    assert_eq!(
        recovered[0].size, 1000,
        "only the rolled-back state is left"
    );
    let found = codes(&mut v);
    assert!(
        found.contains(&("setting_rolled_back".into(), format!("recording {rec}"))),
        "{found:?}"
    );
}

#[test]
fn a_flipped_byte_in_the_recovery_slot_is_named_and_a_new_recovery_key_replaces_it() {
    let fx = Fixture::new();
    let (v, recovery) = fx.create();
    let old_text = recovery.display();
    drop(v);
    let db = rusqlite::Connection::open(&fx.path).unwrap();
    let mut slot: Vec<u8> = db
        .query_row("SELECT recovery_slot FROM header", [], |r| r.get(0))
        .unwrap();
    slot[30] ^= 0x01;
    db.execute("UPDATE header SET recovery_slot = ?1", [slot])
        .unwrap();
    drop(db);
    let mut v = fx.open();
    assert_eq!(
        v.header_damage().unwrap(),
        vec!["recovery_slot".to_string()]
    );
    let found = codes(&mut v);
    assert!(
        found.contains(&(
            "header_damaged".into(),
            "vault header: recovery_slot".into()
        )),
        "{found:?}"
    );
    let fresh = v.new_recovery_key().unwrap();
    assert!(v.header_damage().unwrap().is_empty());
    assert!(v.verify(&mut Silent).unwrap().ok);
    drop(v);
    let mut v = kua_core::Vault::open(&fx.path, seams(3)).unwrap();
    use secrecy::ExposeSecret;
    let old = RecoveryKey::parse(old_text.expose_secret()).unwrap();
    assert!(matches!(
        v.unlock_with_recovery(&old),
        Err(Error::WrongPassphrase)
    ));
    v.unlock_with_recovery(&fresh).unwrap();
}

#[test]
fn kdf_parameters_from_a_damaged_header_are_refused_before_use() {
    for kdf in [
        r#"{"m_kib":4294967295,"t":1,"p":1}"#,
        r#"{"m_kib":64,"t":4294967295,"p":1}"#,
        r#"{"m_kib":64,"t":1,"p":0}"#,
        r#"not json"#,
    ] {
        let fx = Fixture::new();
        let (v, recovery) = fx.create();
        drop(v);
        sql(&fx.path, &format!("UPDATE header SET kdf = '{kdf}'"));
        // The passphrase path refuses at once, naming the part, before any derivation.
        let mut v = kua_core::Vault::open(&fx.path, seams(2)).unwrap();
        let e = v.unlock(&pass()).unwrap_err();
        assert!(
            matches!(e, Error::HeaderDamaged { part: "kdf" }),
            "{kdf}: {e:?}"
        );
        assert_eq!(e.code(), "header_damaged");
        // The recovery key still opens the vault and names the damage.
        v.unlock_with_recovery(&recovery).unwrap();
        assert_eq!(v.header_damage().unwrap(), vec!["kdf".to_string()]);
        if !kdf.starts_with("not") {
            continue;
        }
        // A new passphrase (at the floor: this derivation is slow) repairs it.
        v.change_passphrase(&pass(), Some(kua_core::KdfParams::FLOOR))
            .unwrap();
        assert!(v.header_damage().unwrap().is_empty());
        v.lock().unwrap();
        v.unlock(&pass()).unwrap();
        assert!(v.verify(&mut Silent).unwrap().ok);
    }
}

#[test]
fn a_format_2_header_rewritten_to_claim_format_1_is_named_not_skipped() {
    let fx = Fixture::new();
    drop(fx.create());
    sql(&fx.path, "UPDATE header SET format = 1, mac = NULL");
    let mut v = fx.open();
    assert_eq!(
        v.header_damage().unwrap(),
        vec!["format".to_string(), "mac".to_string()]
    );
    let found = codes(&mut v);
    assert!(
        found.contains(&("header_damaged".into(), "vault header: format".into())),
        "{found:?}"
    );
    assert!(!v
        .log()
        .unwrap()
        .iter()
        .any(|l| l.event == kua_core::custody::Event::FormatUpgraded));
}

#[test]
fn opening_a_sqlite_file_that_is_not_a_vault_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.db");
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch("CREATE TABLE photos (name TEXT); INSERT INTO photos VALUES ('a');")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let e = kua_core::Vault::open(&path, seams(2)).unwrap_err();
    assert!(matches!(e, Error::NotAVault(_)), "{e:?}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file was modified"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn an_old_copy_and_the_old_passphrase_do_not_open_a_vault_after_key_rotation() {
    let fx = Fixture::new();
    let (mut v, old_recovery) = fx.create();
    let kept = v.add(&complete_input("до ротации")).unwrap();
    v.seal(&kept).unwrap();
    let draft = v.add(&complete_input("черновик")).unwrap();
    v.attach(
        &kept,
        &mut b"photo".as_slice(),
        kua_core::NewAttachment {
            name: "p.jpg".into(),
            ..Default::default()
        },
        &mut Silent,
    )
    .ok();
    v.add_recipient("coalition", AGE_A, false).unwrap();
    let old_copy = copy_of(&fx, &mut v, "leaked.kua");
    let new_pass = secrecy::SecretString::from("a new and longer passphrase");
    let new_recovery = v.rotate_vault_key(&new_pass, None).unwrap();
    v.edit(&draft, &complete_input("после ротации")).unwrap();
    assert!(v.verify(&mut Silent).unwrap().ok, "{:?}", codes(&mut v));
    drop(v);
    // The old passphrase and the old recovery key open the old copy only.
    let mut old = kua_core::Vault::open(&old_copy, seams(4)).unwrap();
    old.unlock(&pass()).unwrap();
    let mut v = kua_core::Vault::open(&fx.path, seams(5)).unwrap();
    assert!(matches!(v.unlock(&pass()), Err(Error::WrongPassphrase)));
    assert!(matches!(
        v.unlock_with_recovery(&old_recovery),
        Err(Error::WrongPassphrase)
    ));
    // The old vault key does not open the new file's heads, log or settings: a file
    // with the old header put back refuses to unlock.
    let old_header = rusqlite::Connection::open(&old_copy)
        .unwrap()
        .query_row("SELECT pass_slot, salt, kdf FROM header", [], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap();
    let spliced = fx.dir.path().join("spliced.kua");
    std::fs::copy(&fx.path, &spliced).unwrap();
    rusqlite::Connection::open(&spliced)
        .unwrap()
        .execute(
            "UPDATE header SET pass_slot = ?1, salt = ?2, kdf = ?3",
            rusqlite::params![old_header.0, old_header.1, old_header.2],
        )
        .unwrap();
    let mut s = kua_core::Vault::open(&spliced, seams(6)).unwrap();
    assert!(s.unlock(&pass()).is_err());
    // The new ways in work, and everything is there.
    v.unlock(&new_pass).unwrap();
    assert_eq!(v.show(&draft, None).unwrap().narrative, "после ротации");
    assert_eq!(v.show(&kept, None).unwrap().narrative, "до ротации");
    assert_eq!(v.recipients().unwrap().len(), 1);
    assert!(v.verify(&mut Silent).unwrap().ok);
    v.lock().unwrap();
    v.unlock_with_recovery(&new_recovery).unwrap();
}

#[test]
fn a_format_1_vault_migrates_at_unlock_and_loses_nothing() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/vault-v1");
    let fx = Fixture::new();
    std::fs::copy(src.join("vault-v1.kua"), &fx.path).unwrap();
    let ids = std::fs::read_to_string(src.join("vault-v1.ids")).unwrap();
    let ids: Vec<&str> = ids.lines().collect();
    let recovery = std::fs::read_to_string(src.join("vault-v1.recovery")).unwrap();
    let mut v = fx.open();
    let recovered = v.recover_recordings().unwrap();
    assert_eq!(recovered.len(), 1);
    assert_eq!(recovered[0].size, 150_000);
    let sealed = v.show(ids[0], None).unwrap();
    assert_eq!(sealed.narrative, "Показания до миграции: Қарағанды");
    let mut photo = Vec::new();
    let att = &sealed.attachments[0].id;
    v.extract(ids[0], att, &mut photo, &mut Silent).unwrap();
    let expected: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(photo, expected);
    let mut audio = Vec::new();
    v.extract(ids[1], ids[2], &mut audio, &mut Silent).unwrap();
    let expected: Vec<u8> = (0..150_000u32).map(|i| (i % 241) as u8).collect();
    assert_eq!(audio, expected);
    assert_eq!(v.recipients().unwrap().len(), 1);
    assert_eq!(v.trusted_senders().unwrap().len(), 1);
    let report = v.verify(&mut Silent).unwrap();
    assert!(report.ok, "{:?}", report.problems);
    assert!(v
        .log()
        .unwrap()
        .iter()
        .any(|l| l.event == kua_core::custody::Event::FormatUpgraded));
    drop(v);
    // Still fine on the next unlock, and the recovery key still works.
    let mut v = kua_core::Vault::open(&fx.path, seams(3)).unwrap();
    v.unlock_with_recovery(&RecoveryKey::parse(recovery.trim()).unwrap())
        .unwrap();
    assert!(v.verify(&mut Silent).unwrap().ok);
}

fn chunk_rows(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT count(*) FROM chunk", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn chunk_rows_added_by_an_attachment_do_not_tell_its_size_to_64_kib() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("фото")).unwrap();
    let chunk = 64 * 1024;
    let mut added = Vec::new();
    // 17 and 18 chunks (and 61 to 64) add the same number of rows: Padmé of the count.
    for n in [17usize, 18, 61, 62, 63, 64] {
        let before = chunk_rows(&fx.path);
        let data = vec![7u8; n * chunk - 100];
        v.attach(
            &id,
            &mut data.as_slice(),
            kua_core::NewAttachment {
                name: format!("{n}.bin"),
                ..Default::default()
            },
            &mut Silent,
        )
        .unwrap();
        added.push(chunk_rows(&fx.path) - before);
    }
    assert_eq!(added, vec![18, 18, 64, 64, 64, 64]);
    assert!(v.verify(&mut Silent).unwrap().ok);
    // A recording is padded when it ends; deletion erases the fillers too.
    let rec = v
        .begin_recording(
            &id,
            kua_core::NewRecording {
                name: "r.ogg".into(),
                media_type: "audio/ogg".into(),
            },
        )
        .unwrap();
    v.append_recording(&rec, &vec![1u8; 17 * chunk - 5])
        .unwrap();
    let before = chunk_rows(&fx.path);
    v.finish_recording(&rec, &[]).unwrap();
    assert_eq!(chunk_rows(&fx.path) - before, 18);
    assert!(v.verify(&mut Silent).unwrap().ok);
    v.delete(&id).unwrap();
    assert_eq!(chunk_rows(&fx.path), 0);
    assert!(v.verify(&mut Silent).unwrap().ok);
}

#[test]
fn a_migrated_vault_with_its_header_and_settings_put_back_to_format_1_is_not_migrated_again() {
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/vault-v1/vault-v1.kua");
    let fx = Fixture::new();
    std::fs::copy(&src, &fx.path).unwrap();
    let mut v = fx.open();
    v.recover_recordings().unwrap();
    v.add_recipient("new-coalition", AGE_B, false).unwrap();
    drop(v);
    // The attacker rewrites the header as format 1 (dropping the MAC column) and puts
    // back every setting of the format-1 copy, the old recipient list among them.
    let old = rusqlite::Connection::open(&src).unwrap();
    let rows: Vec<(String, Vec<u8>)> = old
        .prepare("SELECT name, body FROM secret")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let db = rusqlite::Connection::open(&fx.path).unwrap();
    db.execute_batch(
        "UPDATE header SET format = 1; ALTER TABLE header DROP COLUMN mac; DELETE FROM secret;",
    )
    .unwrap();
    for (name, body) in rows {
        db.execute(
            "INSERT INTO secret (name, body) VALUES (?1, ?2)",
            rusqlite::params![name, body],
        )
        .unwrap();
    }
    drop(db);
    let mut v = kua_core::Vault::open(&fx.path, seams(2)).unwrap();
    let e = v.unlock(&pass()).unwrap_err();
    assert!(
        matches!(e, Error::HeaderDamaged { part: "format" }),
        "{e:?}"
    );
    assert!(!v.is_unlocked());
}

/// Three bundles from one sender to the coordinator, each after the third testimony
/// was amended again: everything, then what changed since the last. The sender is
/// returned too, since its folder holds the bundles.
fn three_bundles() -> (
    crate::bundles::Party,
    crate::bundles::Party,
    [std::path::PathBuf; 3],
) {
    use kua_core::Selection;
    let (mut field, coord, _, [_, _, t3]) = crate::bundles::setup();
    let bundles = ["", "третий, ещё раз", "третий, в третий раз"].map(|text| {
        let selection = if text.is_empty() {
            Selection::All
        } else {
            field
                .v
                .amend(
                    &t3,
                    &TestimonyInput {
                        narrative: Some(text.into()),
                        ..Default::default()
                    },
                )
                .unwrap();
            Selection::SinceLast
        };
        let name = format!("b{}.kua", text.len());
        crate::bundles::export(&mut field, &["coalition"], selection, false, &name).0
    });
    (field, coord, bundles)
}

/// The sealed row that holds every sender's state, as the file holds it.
fn senders_row(db: &rusqlite::Connection) -> Vec<u8> {
    db.query_row("SELECT body FROM secret WHERE name = 'senders'", [], |r| {
        r.get(0)
    })
    .unwrap()
}

/// Puts `row` back in place of the senders' row, as an older copy of the file would.
fn put_senders_row(db: &rusqlite::Connection, row: &[u8]) {
    let changed = db
        .execute("UPDATE secret SET body = ?1 WHERE name = 'senders'", [row])
        .unwrap();
    assert_eq!(changed, 1);
}

/// A coordinator keeps the senders' states it committed while the vault is unlocked
/// (`KeptSenders`); an older state put back into the file in between is still refused
/// at the next import, before the kept copy could stand in for it.
#[test]
fn an_older_senders_state_put_back_between_two_imports_is_refused() {
    let (_field, mut coord, [b1, b2, b3]) = three_bundles();
    coord.v.import(&b1, false, &mut Silent).unwrap();
    let file = rusqlite::Connection::open(&coord.fx.path).unwrap();
    let after_first = senders_row(&file);
    coord.v.import(&b2, false, &mut Silent).unwrap();
    assert_ne!(senders_row(&file), after_first);
    // A verify, as the desktop runs before each import, keeps what it read too.
    coord.v.verify_bundle(&b3, &mut Silent).unwrap();
    // Still unlocked: the state after the first bundle put back in place of the second's.
    put_senders_row(&file, &after_first);
    let e = coord.v.import(&b3, false, &mut Silent).unwrap_err();
    assert_eq!(e.code(), "integrity", "{e}");
}

/// The kept copy stands only for the very row it was kept for: a senders' state removed
/// from the file between two imports is refused at the next one, as an older one put
/// back is, and the file is left as it was.
#[test]
fn a_senders_state_removed_between_two_imports_is_refused() {
    let (_field, mut coord, [b1, b2, _]) = three_bundles();
    coord.v.import(&b1, false, &mut Silent).unwrap();
    let file = rusqlite::Connection::open(&coord.fx.path).unwrap();
    let removed = file
        .execute("DELETE FROM secret WHERE name = 'senders'", [])
        .unwrap();
    assert_eq!(removed, 1);
    let e = coord.v.import(&b2, false, &mut Silent).unwrap_err();
    assert_eq!(e.code(), "integrity", "{e}");
    let rows: i64 = file
        .query_row(
            "SELECT count(*) FROM secret WHERE name = 'senders'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 0, "the refused import wrote no state");
}

/// The kept copy stands for its row only while the custody log still ends at that row's
/// state. Here a second process of the same user imports into the same file while the
/// coordinator's app holds its vault unlocked, and then the row the app kept is put back
/// over the one the second process wrote: byte for byte the kept row, but the log has
/// recorded a later one. The app's verify of the next bundle must refuse it as put back
/// (taken as the kept copy, it would judge the bundle against states that lack the
/// second process's import), and so must its import.
#[test]
fn the_kept_senders_row_put_back_after_another_process_wrote_is_refused() {
    let (_field, mut coord, [b1, b2, b3]) = three_bundles();
    coord.v.import(&b1, false, &mut Silent).unwrap();
    let file = rusqlite::Connection::open(&coord.fx.path).unwrap();
    let kept_row = senders_row(&file);
    let mut other = Vault::open(&coord.fx.path, seams(31)).unwrap();
    other.unlock(&pass()).unwrap();
    other.import(&b2, false, &mut Silent).unwrap();
    other.lock().unwrap();
    drop(other);
    assert_ne!(senders_row(&file), kept_row);
    put_senders_row(&file, &kept_row);
    let e = coord.v.verify_bundle(&b3, &mut Silent).unwrap_err();
    assert_eq!(e.code(), "integrity", "{e}");
    let e = coord.v.import(&b3, false, &mut Silent).unwrap_err();
    assert_eq!(e.code(), "integrity", "{e}");
    assert_eq!(senders_row(&file), kept_row, "nothing written over it");
}

/// A key rotation rewrites every setting under the new keys and logs each: the senders'
/// row kept from before it, put back, is refused at the next import. (Two things refuse
/// it: the rotation drops the kept copy, and the log no longer ends at its state; this
/// test fails only without both.)
#[test]
fn the_senders_row_from_before_a_key_rotation_put_back_is_refused() {
    let (_field, mut coord, [b1, b2, _]) = three_bundles();
    coord.v.import(&b1, false, &mut Silent).unwrap();
    let file = rusqlite::Connection::open(&coord.fx.path).unwrap();
    let before = senders_row(&file);
    coord.v.rotate_vault_key(&pass(), None).unwrap();
    put_senders_row(&file, &before);
    let e = coord.v.import(&b2, false, &mut Silent).unwrap_err();
    assert_eq!(e.code(), "integrity", "{e}");
}

/// Verifying each bundle just before importing it, as the desktop does, keeps the
/// senders' states the verify read for the import. What it keeps must be what the file
/// holds: each bundle still imports as new and continues the sender's history, a
/// bundle verified again after its import is a replay, and so is an import of the
/// last bundle after a lock and unlock (its states decoded from the file).
#[test]
fn a_verify_before_each_import_keeps_the_senders_states_the_file_holds() {
    use kua_core::{Continuity, ImportOutcome};
    let (_field, mut coord, bundles) = three_bundles();
    for (i, b) in bundles.iter().enumerate() {
        let before = coord.v.verify_bundle(b, &mut Silent).unwrap();
        let expected = if i == 0 {
            Continuity::First
        } else {
            Continuity::Extends
        };
        assert_eq!(before.continuity, expected, "bundle {i}");
        let got = coord.v.import(b, false, &mut Silent).unwrap();
        assert_eq!(got.outcome, ImportOutcome::Imported, "bundle {i}");
        assert!(got.new_records > 0, "bundle {i}");
        let after = coord.v.verify_bundle(b, &mut Silent).unwrap();
        assert_eq!(after.continuity, Continuity::Replay, "bundle {i}");
    }
    coord.v.lock().unwrap();
    coord.v.unlock(&pass()).unwrap();
    for (i, b) in bundles.iter().enumerate() {
        let seen = coord.v.verify_bundle(b, &mut Silent).unwrap();
        assert_eq!(seen.continuity, Continuity::Replay, "bundle {i}");
    }
    let again = coord.v.import(&bundles[2], false, &mut Silent).unwrap();
    assert_eq!(again.outcome, ImportOutcome::AlreadyImported);
    let report = coord.v.verify(&mut Silent).unwrap();
    assert!(report.problems.is_empty(), "{report:?}");
}
