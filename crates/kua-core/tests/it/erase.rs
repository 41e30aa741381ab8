//! Quick erase: after the key slots go, nothing opens the vault, with the passphrase
//! or the recovery key, and no copy of a slot is left in the file or its log; the full
//! erase leaves no file behind. Also what an erase refuses.

use crate::{complete_input, pass, seams, Fixture};
use kua_core::Vault;
use secrecy::SecretString;

fn slots(path: &std::path::Path) -> Vec<Vec<u8>> {
    let db =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let (p, r): (Vec<u8>, Vec<u8>) = db
        .query_row("SELECT pass_slot, recovery_slot FROM header", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    vec![p, r]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn unopenable(fx: &Fixture, recovery: &kua_core::RecoveryKey) {
    // Neither way in works; most likely the file is no longer a vault at all.
    match Vault::open(&fx.path, seams(3)) {
        Err(_) => {}
        Ok(mut v) => {
            assert!(v.unlock(&pass()).is_err());
            assert!(v.unlock_with_recovery(recovery).is_err());
        }
    }
}

#[test]
fn once_the_key_slots_go_nothing_opens_the_vault_and_no_slot_copy_is_left() {
    let fx = Fixture::new();
    let (mut v, recovery) = fx.create();
    let id = v
        .add(&complete_input("ERASE-CANARY свидетельство"))
        .unwrap();
    v.seal(&id).unwrap();
    // A passphrase change leaves older images of the header page in the log.
    let old = slots(&fx.path);
    v.change_passphrase(&SecretString::from("another long passphrase"), None)
        .unwrap();
    let new = slots(&fx.path);
    v.change_passphrase(&pass(), None).unwrap();
    let now = slots(&fx.path);
    drop(v);
    let all: Vec<Vec<u8>> = old.into_iter().chain(new).chain(now).collect();
    assert!(fx
        .files()
        .iter()
        .any(|f| all.iter().any(|s| contains(f, s))));

    // As if killed right after this step: the file is still there, the slots are not.
    kua_core::destroy_key_slots(&fx.path).unwrap();
    for file in fx.files() {
        for slot in &all {
            assert!(!contains(&file, slot), "a key slot survived");
        }
    }
    let main = std::fs::read(&fx.path).unwrap();
    assert!(!main.starts_with(b"SQLite format 3"), "the magic is gone");
    assert!(main.len() > 4096, "only the header's pages were touched");
    unopenable(&fx, &recovery);

    // An erase cut short there is finished by running it again.
    kua_core::erase_vault(&fx.path).unwrap();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = format!("{}{suffix}", fx.path.display());
        assert!(!std::path::Path::new(&p).exists(), "{p} is left");
    }

    let fx = Fixture::new();
    let (v, recovery) = fx.create();
    drop(v);
    kua_core::erase_vault(&fx.path).unwrap();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = format!("{}{suffix}", fx.path.display());
        assert!(!std::path::Path::new(&p).exists(), "{p} is left");
    }
    unopenable(&fx, &recovery);
}

#[test]
fn an_erase_refuses_what_is_not_a_vault() {
    let fx = Fixture::new();
    std::fs::write(&fx.path, b"evidence that is not a vault").unwrap();
    assert!(matches!(
        kua_core::erase_vault(&fx.path),
        Err(kua_core::Error::NotAVault(_))
    ));
    assert_eq!(
        std::fs::read(&fx.path).unwrap(),
        b"evidence that is not a vault"
    );
    // Another SQLite database is not a vault either.
    let other = fx.dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    assert!(kua_core::erase_vault(&other).is_err());
    assert_eq!(std::fs::read(&other).unwrap(), before);
    assert!(kua_core::erase_vault(&fx.dir.path().join("missing.kua")).is_err());
}

#[test]
fn too_many_failed_unlocks_erase_the_vault_when_asked_to() {
    let fx = Fixture::new();
    let (mut v, recovery) = fx.create();
    assert_eq!(v.erase_after().unwrap(), (None, 0));
    assert!(
        v.set_erase_after(Some(2)).is_err(),
        "a typo or two never erases"
    );
    assert!(v.set_erase_after(Some(101)).is_err());
    v.set_erase_after(Some(3)).unwrap();
    v.lock().unwrap();
    assert!(
        v.set_erase_after(None).is_err(),
        "only an unlocked vault changes it"
    );
    drop(v);
    let wrong = SecretString::from("not the passphrase");

    // Two failures, across a restart, then the right passphrase: the count starts over.
    for _ in 0..2 {
        let mut v = Vault::open(&fx.path, seams(4)).unwrap();
        assert!(matches!(
            v.unlock(&wrong),
            Err(kua_core::Error::WrongPassphrase)
        ));
    }
    let mut v = Vault::open(&fx.path, seams(4)).unwrap();
    assert_eq!(v.erase_after().unwrap(), (Some(3), 2));
    v.unlock(&pass()).unwrap();
    assert_eq!(v.erase_after().unwrap(), (Some(3), 0));
    drop(v);

    // A wrong recovery key counts too; the third failure in a row erases, and answers
    // as any wrong passphrase does.
    let other = kua_core::RecoveryKey::random(&mut seams(77));
    let mut v = Vault::open(&fx.path, seams(5)).unwrap();
    assert!(v.unlock_with_recovery(&other).is_err());
    assert!(matches!(
        v.unlock(&wrong),
        Err(kua_core::Error::WrongPassphrase)
    ));
    assert!(matches!(
        v.unlock(&wrong),
        Err(kua_core::Error::WrongPassphrase)
    ));
    assert!(!fx.path.exists(), "erased at the limit");
    // The handle still open knows no slot any more, and nothing is on disk to open.
    assert!(v.unlock(&pass()).is_err());
    assert!(v.unlock_with_recovery(&recovery).is_err());
    assert!(Vault::open(&fx.path, seams(6)).is_err());
}

#[test]
fn with_the_guard_off_failures_are_not_even_counted() {
    let fx = Fixture::new();
    let (v, _) = fx.create();
    drop(v);
    for _ in 0..5 {
        let mut v = Vault::open(&fx.path, seams(4)).unwrap();
        assert!(v.unlock(&SecretString::from("wrong")).is_err());
    }
    let v = Vault::open(&fx.path, seams(4)).unwrap();
    assert_eq!(v.erase_after().unwrap(), (None, 0));
    assert!(fx.path.exists());
}

/// The app and the guard erase a vault they have open: the slots go while its
/// connection is open, and closing it then writes nothing back over the erased pages
/// (no checkpoint of the log's frames on close).
#[test]
fn slots_go_while_the_vault_is_open_and_closing_it_writes_nothing_back() {
    let fx = Fixture::new();
    let (mut v, recovery) = fx.create();
    let id = v.add(&complete_input("ERASE-CANARY 2")).unwrap();
    v.seal(&id).unwrap();
    let old = slots(&fx.path);
    v.change_passphrase(&SecretString::from("another long passphrase"), None)
        .unwrap();
    let all: Vec<Vec<u8>> = old.into_iter().chain(slots(&fx.path)).collect();
    assert!(
        fx.files()
            .iter()
            .any(|f| all.iter().any(|s| contains(f, s))),
        "nothing to find: the test would prove nothing"
    );
    kua_core::destroy_key_slots(&fx.path).unwrap();
    let clean = |fx: &Fixture| {
        for file in fx.files() {
            for slot in &all {
                assert!(!contains(&file, slot), "a key slot survived");
            }
        }
    };
    clean(&fx);
    v.close_for_erase().unwrap();
    clean(&fx);
    assert!(!std::fs::read(&fx.path)
        .unwrap()
        .starts_with(b"SQLite format 3"));
    assert!(v.unlock(&pass()).is_err());
    unopenable(&fx, &recovery);
    kua_core::erase_vault(&fx.path).unwrap();
    assert!(!fx.path.exists());
}

/// A wrong passphrase typed to confirm an action on an unlocked vault counts like a
/// failed unlock: an unlocked window left alone is no oracle for the passphrase.
#[test]
fn wrong_passphrases_on_an_unlocked_vault_count_too() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    v.set_erase_after(Some(3)).unwrap();
    let wrong = SecretString::from("not the passphrase");
    assert!(v.check_passphrase(&wrong).is_err());
    assert!(v.check_passphrase(&wrong).is_err());
    assert_eq!(v.erase_after().unwrap(), (Some(3), 2));
    // The right one takes the count back.
    v.check_passphrase(&pass()).unwrap();
    assert_eq!(v.erase_after().unwrap(), (Some(3), 0));
    for _ in 0..3 {
        assert!(v.check_passphrase(&wrong).is_err());
    }
    assert!(!fx.path.exists());
    assert!(!v.is_unlocked(), "the keys went with the file");
}

/// A vault whose header is damaged, or whose first page another connection wrote back
/// over an erase's marker (leaving the header's page destroyed), is still erased: it is
/// known by its tables.
#[test]
fn a_vault_with_a_damaged_or_destroyed_header_is_still_erased() {
    let fx = Fixture::new();
    let (v, _) = fx.create();
    drop(v);
    crate::sql(
        &fx.path,
        "UPDATE header SET vault_id = 'damaged' WHERE id = 1;",
    );
    assert!(
        Vault::open(&fx.path, seams(3)).is_err(),
        "the header does not read"
    );
    kua_core::erase_vault(&fx.path).unwrap();
    assert!(!fx.path.exists());

    let fx = Fixture::new();
    let (v, recovery) = fx.create();
    drop(v);
    let (page_size, root): (i64, i64) = {
        let db = rusqlite::Connection::open(&fx.path).unwrap();
        (
            db.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap(),
            db.query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'header'",
                [],
                |r| r.get(0),
            )
            .unwrap(),
        )
    };
    {
        use std::os::unix::fs::FileExt;
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&fx.path)
            .unwrap();
        f.write_all_at(
            &vec![0u8; page_size as usize],
            ((root - 1) * page_size) as u64,
        )
        .unwrap();
        f.sync_all().unwrap();
    }
    unopenable(&fx, &recovery);
    kua_core::erase_vault(&fx.path).unwrap();
    assert!(!fx.path.exists());
}

/// A checkpoint after the slots went (the vault closed as usual) can only write the
/// erase's own images back, and an erase cut short while the file is overwritten, or
/// emptied, is finished by running it again.
#[test]
fn an_erase_survives_a_checkpoint_after_it_and_a_cut_during_the_overwrite() {
    let fx = Fixture::new();
    let (mut v, recovery) = fx.create();
    let id = v.add(&complete_input("ERASE-CANARY 3")).unwrap();
    v.seal(&id).unwrap();
    kua_core::destroy_key_slots(&fx.path).unwrap();
    // Closing as usual checkpoints the log's (erased) frames into the file.
    drop(v);
    unopenable(&fx, &recovery);
    let page = std::fs::read(&fx.path).unwrap();
    assert!(
        page.starts_with(b"Kua vault being erased"),
        "the marker survived"
    );
    // Cut short after everything but the first page was overwritten and cut off.
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&fx.path)
        .unwrap();
    f.set_len(4096).unwrap();
    drop(f);
    kua_core::erase_vault(&fx.path).unwrap();
    assert!(!fx.path.exists());
}
