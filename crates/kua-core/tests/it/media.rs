//! Playing media from the vault: byte ranges of an attachment (own or received) come
//! back exactly, from only the chunks that cover them, and damage is caught.

use crate::*;
use kua_core::{Error, MediaRef, NewAttachment, Silent, CHUNK};

fn attached(fx: &Fixture, data: &[u8]) -> (kua_core::Vault, MediaRef) {
    let (mut v, _) = fx.create();
    let t = v.add(&complete_input("запись")).unwrap();
    let info = v
        .attach(
            &t,
            &mut &data[..],
            NewAttachment {
                name: "сұхбат.ogg".into(),
                ..Default::default()
            },
            &mut Silent,
        )
        .unwrap();
    let r = MediaRef::Attachment {
        testimony: t,
        attachment: info.id,
    };
    (v, r)
}

fn sample(len: usize) -> Vec<u8> {
    (0..len as u64)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect()
}

#[test]
fn any_range_of_an_attachment_reads_back_exactly() {
    let fx = Fixture::new();
    let data = sample(3 * CHUNK + 1234);
    let (mut v, r) = attached(&fx, &data);
    let info = v.open_media(&r).unwrap();
    assert_eq!(info.media_type, "audio/ogg");
    assert_eq!(info.size, data.len() as u64);
    let c = CHUNK as u64;
    for (start, max) in [
        (0u64, 10usize),
        (0, data.len() + 100),
        (c - 1, 2),
        (c, CHUNK),
        (c + 17, 2 * CHUNK),
        (3 * c + 1000, 10_000),
        (data.len() as u64 - 1, 1),
    ] {
        let got = v.read_media(&r, start, max).unwrap();
        let s = start as usize;
        let e = (s + max).min(data.len());
        assert_eq!(&got[..], &data[s..e], "range {start}+{max}");
    }
    // At the end: nothing; past it: a clear error.
    assert!(v.read_media(&r, data.len() as u64, 10).unwrap().is_empty());
    assert!(matches!(
        v.read_media(&r, data.len() as u64 + 1, 10),
        Err(Error::BadInput(_))
    ));
    // An unknown attachment is named as such; nothing opens once locked.
    let MediaRef::Attachment { testimony, .. } = &r else {
        unreachable!()
    };
    let missing = MediaRef::Attachment {
        testimony: testimony.clone(),
        attachment: uuid_like(),
    };
    assert!(matches!(
        v.open_media(&missing),
        Err(Error::AttachmentNotFound { .. })
    ));
    v.lock().unwrap();
    assert!(matches!(v.read_media(&r, 0, 10), Err(Error::Locked)));
}

fn uuid_like() -> String {
    "6f1c2b1e-9a4d-4f3e-8c55-2f0a7d9b1e42".into()
}

#[test]
fn a_damaged_chunk_is_refused_and_the_others_still_play() {
    let fx = Fixture::new();
    let data = sample(3 * CHUNK);
    let (v, r) = attached(&fx, &data);
    drop(v);
    // Flip a byte inside every chunk body but the first one's: the chunks are
    // unlinkable on disk, so damage them all and keep the one that opens.
    let db = rusqlite::Connection::open(&fx.path).unwrap();
    let ids: Vec<i64> = db
        .prepare("SELECT id FROM chunk")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids.len(), 3);
    let mut v = fx.open();
    let first = v.read_media(&r, 0, 10).unwrap().to_vec();
    drop(v);
    // Damage each chunk in turn (the rows are unlinkable on disk, so try them all):
    // exactly one breaks the first range and exactly another the last, and while one
    // is damaged the ranges it does not cover still play.
    let (mut broke_head, mut broke_tail) = (Vec::new(), Vec::new());
    for &id in &ids {
        let before: Vec<u8> = db
            .query_row("SELECT body FROM chunk WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .unwrap();
        let mut after = before.clone();
        after[40] ^= 1;
        db.execute(
            "UPDATE chunk SET body = ?1 WHERE id = ?2",
            rusqlite::params![after, id],
        )
        .unwrap();
        let mut v = fx.open();
        let head = v.read_media(&r, 0, 10);
        let tail = v.read_media(&r, 2 * CHUNK as u64, 10);
        drop(v);
        db.execute(
            "UPDATE chunk SET body = ?1 WHERE id = ?2",
            rusqlite::params![before, id],
        )
        .unwrap();
        match head {
            Ok(h) => assert_eq!(&h[..], &first[..]),
            Err(Error::Integrity { .. }) => broke_head.push(id),
            Err(e) => panic!("unexpected {e:?}"),
        }
        match tail {
            Ok(t) => assert_eq!(&t[..], &data[2 * CHUNK..2 * CHUNK + 10]),
            Err(Error::Integrity { .. }) => broke_tail.push(id),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((broke_head.len(), broke_tail.len()), (1, 1));
    assert_ne!(broke_head, broke_tail);
}
