//! Passphrase, recovery key, KDF parameters.

use crate::*;
use kua_core::{Error, KdfParams, RecoveryKey, Vault};
use secrecy::{ExposeSecret, SecretString};

#[test]
fn wrong_passphrase_is_refused_with_its_own_error() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    v.add(&complete_input("x")).unwrap();
    drop(v);
    let mut v = Vault::open(&fx.path, seams(3)).unwrap();
    assert!(matches!(
        v.unlock(&SecretString::from("wrong")),
        Err(Error::WrongPassphrase)
    ));
    assert!(!v.is_unlocked());
    v.unlock(&pass()).unwrap();
}

#[test]
fn passphrase_change_rewraps_only_and_recovery_sets_a_new_one() {
    let fx = Fixture::new();
    let (mut v, recovery) = fx.create();
    let id = v.add(&complete_input("сохранено")).unwrap();
    let shown = recovery.display();
    drop(v);

    let before: i64 = rusqlite::Connection::open(&fx.path)
        .unwrap()
        .query_row("SELECT count(*) FROM testimony", [], |r| r.get(0))
        .unwrap();
    let mut v = fx.open();
    v.change_passphrase(&SecretString::from("новая фраза-пароль"), None)
        .unwrap();
    drop(v);
    let mut v = Vault::open(&fx.path, seams(4)).unwrap();
    assert!(matches!(v.unlock(&pass()), Err(Error::WrongPassphrase)));
    v.unlock(&SecretString::from("новая фраза-пароль")).unwrap();
    assert_eq!(v.show(&id, None).unwrap().narrative, "сохранено");
    drop(v);
    let after: i64 = rusqlite::Connection::open(&fx.path)
        .unwrap()
        .query_row("SELECT count(*) FROM testimony", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, after);

    // The passphrase is forgotten: the recovery key, typed sloppily, sets a new one.
    let typed = shown.expose_secret().to_lowercase().replace('-', " ");
    let key = RecoveryKey::parse(&typed).unwrap();
    let mut v = Vault::open(&fx.path, seams(5)).unwrap();
    v.recover(&key, &SecretString::from("третья фраза"), None)
        .unwrap();
    drop(v);
    let mut v = Vault::open(&fx.path, seams(6)).unwrap();
    v.unlock(&SecretString::from("третья фраза")).unwrap();
    assert_eq!(v.show(&id, None).unwrap().narrative, "сохранено");
    let events: Vec<String> = v
        .log()
        .unwrap()
        .iter()
        .map(|l| format!("{:?}", l.event))
        .collect();
    assert!(events.ends_with(&[
        "PassphraseChanged".into(),
        "PassphraseChanged".into(),
        "Recovered".into()
    ]));
    assert!(v.verify_quietly().unwrap().ok);

    // A wrong recovery key is a wrong passphrase; a malformed one is bad input.
    let mut v = Vault::open(&fx.path, seams(7)).unwrap();
    let other = RecoveryKey::parse("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA").unwrap();
    assert!(matches!(
        v.unlock_with_recovery(&other),
        Err(Error::WrongPassphrase)
    ));
    assert!(matches!(
        RecoveryKey::parse("not a key"),
        Err(Error::BadInput(_))
    ));
}

#[test]
fn weak_kdf_parameters_need_an_explicit_opt_in_and_the_floor_holds() {
    let fx = Fixture::new();
    let silent_weak = kua_core::CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: false,
    };
    assert!(matches!(
        Vault::create(&fx.path, &pass(), silent_weak, seams(1)),
        Err(Error::BadInput(_))
    ));
    assert!(!fx.path.exists());
    assert!(!KdfParams::FLOOR.is_below_floor());
    let p = kua_core::crypto::calibrate(std::time::Duration::from_millis(1)).unwrap();
    assert!(p.m_kib >= 64 * 1024 && p.t >= 3 && p.p >= 4, "{p:?}");
}

#[test]
fn opening_something_that_is_not_a_vault_says_so() {
    let fx = Fixture::new();
    assert!(matches!(
        Vault::open(&fx.path, seams(1)),
        Err(Error::NoVault(_))
    ));
    std::fs::write(&fx.path, "just some text, not a database").unwrap();
    assert!(matches!(
        Vault::open(&fx.path, seams(1)),
        Err(Error::NotAVault(_))
    ));
    let (_, _) = (Fixture::new(), ());
    let fx2 = Fixture::new();
    drop(fx2.create());
    assert!(matches!(
        Vault::create(&fx2.path, &pass(), weak(), seams(1)),
        Err(Error::VaultExists(_))
    ));
}
