//! Unit tests of the vault-less checks of a carried custody log.

use super::*;
use crate::custody::Entry;
use ed25519_dalek::{Signer, SigningKey};
use kua_bundle::{LogRange, Sender};

const RECORD: &str = "11111111-2222-4333-8444-555555555555";

fn entry(seq: u64, prev: &str, event: Event, record: Option<&str>, hash: Option<&str>) -> Entry {
    Entry {
        seq,
        prev_hash: prev.to_string(),
        time: 1_641_600_000_000 + seq as i64,
        event,
        record: record.map(String::from),
        version: record.map(|_| 1),
        content_hash: hash.map(String::from),
        detail: None,
    }
}

/// A sender's log of four entries: creation, a record created and sealed, and an
/// entry about another record (carried as its hash only), with its signed head.
fn checks() -> Checks {
    let key = SigningKey::from_bytes(&[3u8; 32]);
    let vault = Uuid::from_bytes([9u8; 16]);
    let sealed_hash = "ab".repeat(32);
    let mut lines = Vec::new();
    let mut prev = "0".repeat(64);
    let plan: [(Event, Option<&str>, Option<&str>, bool); 4] = [
        (Event::VaultCreated, None, None, true),
        (Event::Created, Some(RECORD), Some("cd"), true),
        (
            Event::Created,
            Some("99999999-2222-4333-8444-555555555555"),
            Some("ef"),
            false,
        ),
        (Event::Sealed, Some(RECORD), Some(&sealed_hash), true),
    ];
    for (seq, (event, record, hash, full)) in plan.into_iter().enumerate() {
        let e = entry(seq as u64, &prev, event, record, hash);
        let h = crate::crypto::hex(&e.hash());
        prev.clone_from(&h);
        lines.push(LogLine {
            seq: seq as u64,
            hash: h,
            entry: full.then_some(e),
        });
    }
    let head: [u8; 32] = data_encoding::HEXLOWER
        .decode(prev.as_bytes())
        .unwrap()
        .try_into()
        .unwrap();
    let sig = key.sign(&checkpoint_message(&vault, 4, &head));
    let manifest = Manifest {
        format: 1,
        bundle_id: "b".into(),
        created: "2022".into(),
        sender: Sender {
            key_id: kua_bundle::minisign::key_id_hex(&key.verifying_key()),
            public_key: kua_bundle::minisign::public_key_line(&key.verifying_key()),
            vault_id: vault.to_string(),
        },
        recipients: Vec::new(),
        files: Default::default(),
        templates: Default::default(),
        log: LogRange {
            from: 0,
            size: 4,
            head: prev,
            checkpoint_sig: crate::crypto::hex(&sig.to_bytes()),
        },
    };
    Checks {
        manifest: Some(manifest),
        sender: Some(key.verifying_key()),
        records: vec![(RECORD.into(), 1, sealed_hash, false, String::new())],
        media: 0,
        media_bytes: 0,
        log: lines,
        cases: Vec::new(),
        case_documents: Vec::new(),
    }
}

fn code(c: &Checks) -> &'static str {
    match c.finish() {
        Ok(()) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn a_carried_log_verifies_with_hash_only_lines_and_every_change_to_it_is_caught() {
    assert_eq!(
        code(&checks()),
        "ok",
        "a withheld entry (hash only) still links the chain"
    );

    let mut dropped = checks();
    dropped.log.remove(1);
    assert_eq!(code(&dropped), "bundle_corrupt");

    let mut reordered = checks();
    reordered.log.swap(1, 2);
    assert_eq!(code(&reordered), "bundle_corrupt");

    let mut altered = checks();
    if let Some(e) = altered.log[1].entry.as_mut() {
        e.event = Event::Deleted;
    }
    assert_eq!(code(&altered), "bundle_corrupt");

    let mut relinked = checks();
    relinked.log[3].hash = "00".repeat(32);
    assert_eq!(code(&relinked), "bundle_corrupt");

    let mut unsealed = checks();
    unsealed.records[0].2 = "12".repeat(32);
    assert_eq!(
        code(&unsealed),
        "bundle_corrupt",
        "a record whose content the sender never sealed"
    );

    let mut forged = checks();
    if let Some(m) = forged.manifest.as_mut() {
        m.log.checkpoint_sig = "00".repeat(64);
    }
    assert_eq!(code(&forged), "bundle_bad_signature");

    let mut partial = checks();
    if let Some(m) = partial.manifest.as_mut() {
        m.log.from = 1;
    }
    partial.log.remove(0);
    assert_eq!(code(&partial), "bundle_corrupt");
}
