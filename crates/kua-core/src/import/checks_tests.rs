//! Unit tests of the vault-less checks of a carried custody log.

use super::*;
use crate::custody::Entry;
use ed25519_dalek::{Signer, SigningKey};
use kua_bundle::{LogRange, Sender};

const RECORD: &str = "11111111-2222-4333-8444-555555555555";

pub(super) fn entry(
    seq: u64,
    prev: &str,
    event: Event,
    record: Option<&str>,
    hash: Option<&str>,
) -> Entry {
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
    let sealed_hash = "ab".repeat(32);
    let mut c = signed(vec![
        (entry(0, "", Event::VaultCreated, None, None), true),
        (entry(0, "", Event::Created, Some(RECORD), Some("cd")), true),
        (
            entry(
                0,
                "",
                Event::Created,
                Some("99999999-2222-4333-8444-555555555555"),
                Some("ef"),
            ),
            false,
        ),
        (
            entry(0, "", Event::Sealed, Some(RECORD), Some(&sealed_hash)),
            true,
        ),
    ]);
    c.records = vec![(RECORD.into(), 1, sealed_hash, false, String::new())];
    c
}

/// A sender's log of these entries (their places and links filled in; the flag says
/// whether a line carries its entry or its hash only), with its head signed.
pub(super) fn signed(plan: Vec<(Entry, bool)>) -> Checks {
    let key = SigningKey::from_bytes(&[3u8; 32]);
    let vault = Uuid::from_bytes([9u8; 16]);
    let mut lines = Vec::new();
    let mut prev = "0".repeat(64);
    for (seq, (mut e, full)) in plan.into_iter().enumerate() {
        e.seq = seq as u64;
        e.prev_hash.clone_from(&prev);
        let h = crate::crypto::hex(&e.hash());
        prev.clone_from(&h);
        lines.push(LogLine {
            seq: seq as u64,
            hash: h,
            entry: full.then_some(e),
        });
    }
    let size = lines.len() as u64;
    let head: [u8; 32] = data_encoding::HEXLOWER
        .decode(prev.as_bytes())
        .unwrap()
        .try_into()
        .unwrap();
    let sig = key.sign(&checkpoint_message(&vault, size, &head));
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
            size,
            head: prev,
            checkpoint_sig: crate::crypto::hex(&sig.to_bytes()),
        },
    };
    Checks {
        manifest: Some(manifest),
        sender: Some(key.verifying_key()),
        log: lines,
        ..Checks::default()
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

#[test]
fn a_rewritten_link_an_unsigned_end_or_a_cut_tail_is_caught() {
    // Entry 1 rewritten to link elsewhere and rehashed; the next line carries its hash
    // only and entry 3 links to that, so only entry 1's own link can betray it.
    let mut relinked = checks();
    if let Some(e) = relinked.log[1].entry.as_mut() {
        e.prev_hash = "11".repeat(32);
        relinked.log[1].hash = crate::crypto::hex(&e.hash());
    }
    assert_eq!(code(&relinked), "bundle_corrupt");

    let mut cut = checks();
    cut.log.pop();
    assert_eq!(code(&cut), "bundle_corrupt", "the last entry dropped");

    // The log whole, but the manifest names another head: refused as a log that does
    // not end at its head, before the signature is looked at.
    let mut other_head = checks();
    if let Some(m) = other_head.manifest.as_mut() {
        m.log.head = "22".repeat(32);
    }
    assert_eq!(code(&other_head), "bundle_corrupt");
}

const CASE: &str = "33333333-2222-4333-8444-555555555555";

/// A lawyer's log: a case with two recorded entries and a document added to it.
fn with_case() -> Checks {
    let h1 = "c1".repeat(32);
    let h2 = "c2".repeat(32);
    let doc = "d0".repeat(32);
    let recorded = |n: u32, h: &str| {
        let mut e = entry(0, "", Event::CaseRecorded, Some(CASE), Some(h));
        e.version = Some(n);
        (e, true)
    };
    let mut added = entry(0, "", Event::AttachmentAdded, Some(CASE), Some(&doc));
    added.version = None;
    added.detail = Some("attachment-1".into());
    let mut c = signed(vec![
        (entry(0, "", Event::VaultCreated, None, None), true),
        recorded(1, &h1),
        recorded(2, &h2),
        (added, true),
    ]);
    c.cases = vec![(CASE.into(), vec![(1, h1), (2, h2)], String::new())];
    c.case_documents = vec![(CASE.into(), "attachment-1".into(), doc)];
    c
}

#[test]
fn case_entries_and_documents_are_the_ones_the_sender_logged() {
    assert_eq!(code(&with_case()), "ok");

    let mut altered = with_case();
    altered.cases[0].1[1].1 = "ff".repeat(32);
    assert_eq!(code(&altered), "bundle_corrupt", "an entry not as logged");

    let mut renumbered = with_case();
    renumbered.cases[0].1[1].0 = 3;
    assert_eq!(code(&renumbered), "bundle_corrupt", "an entry never logged");

    let mut swapped = with_case();
    swapped.case_documents[0].2 = "ee".repeat(32);
    assert_eq!(code(&swapped), "bundle_corrupt", "another document's bytes");

    let mut foreign = with_case();
    foreign.case_documents[0].0 = RECORD.into();
    assert_eq!(
        code(&foreign),
        "bundle_corrupt",
        "a document of another case"
    );
}

#[test]
fn a_redaction_counts_only_for_the_version_and_file_it_logs() {
    let sha = "5a".repeat(32);
    let mut redacted = entry(0, "", Event::Redacted, Some(RECORD), Some(&sha));
    redacted.version = Some(2);
    let c = signed(vec![
        (entry(0, "", Event::VaultCreated, None, None), true),
        (redacted, true),
    ]);
    assert!(c.is_logged_redaction(RECORD, 2, &sha));
    assert!(!c.is_logged_redaction(RECORD, 1, &sha), "another version");
    assert!(!c.is_logged_redaction(CASE, 2, &sha), "another record");
    assert!(
        !c.is_logged_redaction(RECORD, 2, &"5b".repeat(32)),
        "another file"
    );
}
