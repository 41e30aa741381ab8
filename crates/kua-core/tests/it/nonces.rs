//! Attack: two copies of a vault taken a flush apart (or old WAL frames of one crashed
//! vault) hold two sealings of a recording's last chunk. Under one key and one nonce
//! they XOR to the plaintext audio and let chunks be forged. Every sealing of every
//! chunk must use a nonce never used before with that key.

use crate::recording::pattern;
use crate::*;
use kua_core::{NewAttachment, NewRecording, Silent};
use std::collections::BTreeMap;

/// Every chunk row of a snapshot of the vault (its file and WAL copied aside, then read
/// through SQLite): row id → sealed body.
fn chunk_rows(fx: &Fixture, snap: &Path) -> BTreeMap<i64, Vec<u8>> {
    for suffix in ["", "-wal"] {
        let from = format!("{}{suffix}", fx.path.display());
        let to = format!("{}{suffix}", snap.display());
        let _ = std::fs::remove_file(&to);
        if std::path::Path::new(&from).exists() {
            std::fs::copy(&from, &to).unwrap();
        }
    }
    let db = rusqlite::Connection::open(snap).unwrap();
    let mut stmt = db.prepare("SELECT id, body FROM chunk").unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<BTreeMap<i64, Vec<u8>>>>()
        .unwrap();
    rows
}

#[test]
fn a_recordings_tail_resealed_on_every_flush_never_reuses_a_nonce() {
    let fx = Fixture::new();
    let (mut v, _) = fx.create();
    let id = v.add(&complete_input("запись")).unwrap();
    let rec = v
        .begin_recording(
            &id,
            NewRecording {
                name: "interview.ogg".into(),
                media_type: "audio/ogg".into(),
            },
        )
        .unwrap();
    let snap = fx.dir.path().join("snapshot.kua");
    // Every distinct sealing seen in any snapshot, by its nonce.
    let mut sealings: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let mut seen_tail_sealings = 0;
    fn record(sealings: &mut BTreeMap<Vec<u8>, Vec<u8>>, rows: BTreeMap<i64, Vec<u8>>) {
        for body in rows.into_values() {
            let nonce = body[..24].to_vec();
            if let Some(other) = sealings.insert(nonce.clone(), body.clone()) {
                assert_eq!(
                    other, body,
                    "two different sealings share the nonce {nonce:02x?}"
                );
            }
        }
    }
    let mut at = 0u64;
    // 20 flushes of 10 KB: the first chunk is the tail for six flushes, then full.
    for _ in 0..20 {
        let bytes: Vec<u8> = (at..at + 10_000).map(pattern).collect();
        at += 10_000;
        v.append_recording(&rec, &bytes).unwrap();
        v.flush_recording(&rec, &[]).unwrap();
        let before = sealings.len();
        record(&mut sealings, chunk_rows(&fx, &snap));
        seen_tail_sealings += sealings.len() - before;
    }
    v.finish_recording(&rec, &[]).unwrap();
    record(&mut sealings, chunk_rows(&fx, &snap));
    // Also an ordinary attachment of the same bytes: its chunks are new sealings too.
    let data: Vec<u8> = (0..at).map(pattern).collect();
    v.attach(
        &id,
        &mut data.as_slice(),
        NewAttachment {
            name: "copy.ogg".into(),
            ..NewAttachment::default()
        },
        &mut Silent,
    )
    .unwrap();
    record(&mut sealings, chunk_rows(&fx, &snap));
    // The tail was sealed once per flush (20) plus the final sealing; each snapshot
    // showed a new sealing of it, and no two sealings shared a nonce.
    assert!(seen_tail_sealings >= 20, "{seen_tail_sealings}");
    assert!(sealings.len() >= 20 + 1 + 4, "{}", sealings.len());
    assert!(v.verify(&mut Silent).unwrap().ok);
}
