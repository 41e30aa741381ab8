//! The committed bundle vectors (tests/vectors/bundles/, written by the bundle_vectors
//! example): each damaged bundle is refused with its expected error, and the
//! coordinator's vault is unchanged by every refusal.

use crate::*;
use kua_core::{ImportOutcome, Silent, Vault};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/bundles")
}

#[test]
fn every_vector_has_its_expected_outcome_and_refusals_change_nothing() {
    let expected: BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(dir().join("expected.json")).unwrap()).unwrap();
    // Every kind of damage the bundle issue names has its vector.
    for kind in [
        "flip-age-header",
        "flip-payload-chunk-0",
        "flip-payload-chunk-1",
        "truncated-at-chunk-1",
        "trailing-garbage",
        "wrong-recipient",
        "flip-manifest",
        "flip-signature",
        "flip-record",
        "flip-media",
        "flip-log",
        "record-altered-manifest-fixed",
        "signed-by-untrusted-key",
        "dropped-log-entry",
        "huge-age-header",
        "gnu-long-name",
        "pax-header",
        "symlink-manifest",
        "media-not-named-by-its-hash",
        "media-path-traversal",
    ] {
        assert!(
            expected.contains_key(&format!("{kind}.kua")),
            "no vector for {kind}"
        );
    }
    let fx = Fixture::new();
    let (mut v, _) = Vault::create(&fx.path, &pass(), weak(), seams(50)).unwrap();
    v.import_age_identity(&std::fs::read_to_string(dir().join("coordinator-key.txt")).unwrap())
        .unwrap();
    v.trust(
        "vector-sender",
        &std::fs::read_to_string(dir().join("sender.pub")).unwrap(),
    )
    .unwrap();
    // A key that signs the vectors whose manifests are authentic but name what a bundle
    // may not hold.
    v.trust(
        "vector-forger",
        &std::fs::read_to_string(dir().join("forger.pub")).unwrap(),
    )
    .unwrap();

    let first = v
        .import(&dir().join("valid.kua"), false, &mut Silent)
        .unwrap();
    assert_eq!(first.outcome, ImportOutcome::Imported);
    let received = v.received().unwrap();
    let log = v.log().unwrap().len();

    let mut failures = Vec::new();
    for (name, want) in &expected {
        if !name.ends_with(".kua") || name.starts_with("valid") {
            continue;
        }
        let got = match v.import(&dir().join(name), false, &mut Silent) {
            Ok(r) => format!("{:?}", r.outcome),
            Err(e) => e.code().to_string(),
        };
        if &got != want {
            failures.push(format!("{name}: expected {want}, got {got}"));
        }
        if v.received().unwrap() != received || v.log().unwrap().len() != log {
            failures.push(format!("{name}: the vault changed"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(v.verify(&mut Silent).unwrap().ok);

    // The later bundle imports; then the old one, replayed, is recognised.
    let second = v
        .import(&dir().join("valid-2.kua"), false, &mut Silent)
        .unwrap();
    assert_eq!(
        (second.outcome, second.new_records),
        (ImportOutcome::Imported, 1)
    );
    let replay = v
        .import(&dir().join("valid.kua"), false, &mut Silent)
        .unwrap();
    assert_eq!(replay.outcome, ImportOutcome::AlreadyImported);
    assert_eq!(
        expected["valid.kua (again, after valid-2.kua)"],
        "already_imported"
    );
}
