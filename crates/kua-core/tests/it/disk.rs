//! What reaches the disk: never a plaintext, and nothing of an erased record.

use crate::*;
use kua_core::model::TestimonyInput;
use kua_core::{Error, NewAttachment, Silent};
use serde_json::json;

const CANARY: &str = "КАНАРЕЙКА-ҚҰСЫ-7f3a9c";

fn encodings(s: &str) -> Vec<(&'static str, Vec<u8>)> {
    let le: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let be: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    let lower = s.to_lowercase().into_bytes();
    vec![
        ("utf-8", s.as_bytes().to_vec()),
        ("utf-16le", le),
        ("utf-16be", be),
        ("lower-case", lower),
    ]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn assert_absent(fx: &Fixture, needles: &[(&'static str, Vec<u8>)], when: &str) {
    let files = fx.files();
    assert!(!files.is_empty());
    for file in &files {
        for (enc, needle) in needles {
            assert!(
                !contains(file, needle),
                "{when}: the canary ({enc}) is on disk"
            );
        }
    }
    // No other file appeared beside the vault (no temp files, no journals of plaintext).
    let names: Vec<String> = std::fs::read_dir(fx.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for n in &names {
        assert!(
            ["vault.kua", "vault.kua-wal", "vault.kua-shm"].contains(&n.as_str()),
            "{when}: stray file {n}"
        );
    }
}

#[test]
fn a_canary_in_narrative_fields_consent_and_attachment_never_reaches_the_disk() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let mut input = complete_input(&format!("Рассказ: {CANARY} конец"));
    input.fields = Some(
        serde_json::from_value(json!({
            "interview_place": CANARY,
            "perpetrators": [{"perp_name": CANARY, "perp_agency": "knb"}]
        }))
        .unwrap(),
    );
    input.interviewer = Some(CANARY.into());
    let mut consent = consent();
    consent.conditions = Some(CANARY.into());
    input.consent = Some(consent);
    let id = v.add(&input).unwrap();
    let content = format!("{CANARY}\n").repeat(20_000).into_bytes();
    v.attach(
        &id,
        &mut content.as_slice(),
        NewAttachment {
            name: format!("{CANARY}.txt"),
            media_type: None,
            captured_at: Some("2022-01-07T10:00".into()),
        },
        &mut Silent,
    )
    .unwrap();
    v.search(CANARY, 5).unwrap();
    v.edit(
        &id,
        &TestimonyInput {
            narrative: Some(format!("{CANARY} снова")),
            ..Default::default()
        },
    )
    .unwrap();
    // While the vault is open and unlocked, WAL and shared memory included.
    assert_absent(&fx, &encodings(CANARY), "while unlocked");
    v.lock().unwrap();
    assert_absent(&fx, &encodings(CANARY), "after lock");
    drop(v);
    assert_absent(&fx, &encodings(CANARY), "after close");
    // And the WAL was truncated on lock/close.
    let wal = std::fs::metadata(format!("{}-wal", fx.path.display()))
        .map(|m| m.len())
        .unwrap_or(0);
    assert_eq!(wal, 0);
}

#[test]
fn delete_erases_every_ciphertext_and_key_of_the_record() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let keep = v.add(&complete_input("остаётся")).unwrap();
    let gone = v.add(&complete_input("удаляется")).unwrap();
    let data = vec![42u8; 2 * kua_core::CHUNK];
    let att = v
        .attach(
            &gone,
            &mut data.as_slice(),
            NewAttachment {
                name: "x.jpg".into(),
                ..Default::default()
            },
            &mut Silent,
        )
        .unwrap();
    v.seal(&gone).unwrap();
    v.amend(&gone, &TestimonyInput::default()).unwrap();
    drop(v);

    // Every blob on disk now; afterwards, none of those of the erased record may remain.
    let db = rusqlite::Connection::open(&fx.path).unwrap();
    let mut all: Vec<Vec<u8>> = Vec::new();
    for q in [
        "SELECT head FROM testimony",
        "SELECT body FROM testimony",
        "SELECT head FROM attachment",
        "SELECT body FROM attachment",
        "SELECT head FROM consent",
        "SELECT body FROM consent",
        "SELECT body FROM chunk",
    ] {
        let mut stmt = db.prepare(q).unwrap();
        all.extend(
            stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))
                .unwrap()
                .map(|r| r.unwrap()),
        );
    }
    drop(db);

    let mut v = fx.open();
    v.delete(&gone).unwrap();
    assert!(matches!(
        v.show(&gone, None),
        Err(Error::TestimonyNotFound(_))
    ));
    let mut sink = Vec::new();
    assert!(v.extract(&gone, &att.id, &mut sink, &mut Silent).is_err());
    assert_eq!(v.show(&keep, None).unwrap().narrative, "остаётся");
    let tomb = v.history(&gone).unwrap();
    assert_eq!(format!("{:?}", tomb.last().unwrap().event), "Deleted");
    assert!(v.verify(&mut Silent).unwrap().ok);

    let files = fx.files();
    let db = rusqlite::Connection::open(&fx.path).unwrap();
    let remaining: i64 = db.query_row("SELECT (SELECT count(*) FROM testimony) + (SELECT count(*) FROM chunk) + (SELECT count(*) FROM attachment) + (SELECT count(*) FROM consent)", [], |r| r.get(0)).unwrap();
    assert_eq!(
        remaining, 2,
        "only the kept testimony and its consent remain"
    );
    drop(db);
    let survivors: Vec<&Vec<u8>> = all
        .iter()
        .filter(|blob| {
            files
                .iter()
                .any(|f| contains(f, &blob[blob.len() / 2..blob.len() / 2 + 32]))
        })
        .collect();
    assert_eq!(
        survivors.len(),
        4,
        "only the kept testimony's head and body and its consent's head and body remain on disk"
    );
}

/// Storage faults are said as such, whichever I/O path meets them: a full disk or a full
/// quota, a file too large for a FAT32 stick, a read-only drive; a named output keeps
/// its path when it is read-only (a write-protected stick is not the vault's drive).
#[test]
fn storage_faults_have_their_own_codes() {
    use std::io::Error as Os;
    for (errno, code) in [
        (28, "disk_full"),
        (122, "disk_full"),
        (27, "file_too_large"),
        (30, "read_only"),
        (5, "io"),
    ] {
        assert_eq!(
            Error::from(Os::from_raw_os_error(errno)).code(),
            code,
            "errno {errno}"
        );
    }
    let out = std::path::Path::new("/media/stick/kua.bundle");
    assert_eq!(
        Error::io(out, Os::from_raw_os_error(27)).code(),
        "file_too_large"
    );
    assert_eq!(
        Error::io(out, Os::from_raw_os_error(122)).code(),
        "disk_full"
    );
    let read_only = Error::io(out, Os::from_raw_os_error(30));
    assert_eq!(read_only.code(), "file");
    assert!(read_only.to_string().contains("/media/stick/kua.bundle"));
}
