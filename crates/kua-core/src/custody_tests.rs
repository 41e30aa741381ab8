//! The custody log's unit tests: a clean chain, edits, gaps and reorderings caught,
//! and entries appended together written as one by one.

use super::*;
use crate::seams::SteppingClock;
use rand_core::SeedableRng;

fn setup() -> (Connection, Seams, Uuid, Key, SigningKey) {
    let db = Connection::open_in_memory().unwrap();
    db.execute_batch("CREATE TABLE custody (seq INTEGER PRIMARY KEY, body BLOB NOT NULL);")
        .unwrap();
    let mut seams = Seams::new(
        Box::new(SteppingClock::new(1_700_000_000_000, 1000)),
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(7)),
    );
    let vault = seams.uuid();
    let key = Key::random(&mut seams);
    let signing = SigningKey::from_bytes(&seams.bytes::<32>());
    (db, seams, vault, key, signing)
}

fn fill(db: &Connection, seams: &mut Seams, app: &Appender<'_>, n: usize) -> Tail {
    let mut tail = Tail::EMPTY;
    for i in 0..n {
        tail = app
            .append(
                db,
                seams,
                tail,
                Event::Edited,
                Change {
                    version: Some(i as u32),
                    ..Change::default()
                },
            )
            .unwrap();
    }
    tail
}

#[test]
fn a_clean_chain_verifies_and_an_edited_entry_is_caught_even_when_resealed() {
    let (db, mut seams, vault, key, signing) = setup();
    let app = Appender {
        vault: &vault,
        key: &key,
        signing: &signing,
    };
    let tail = fill(&db, &mut seams, &app, 5);
    assert_eq!(tail.size, 5);
    assert_eq!(load_tail(&db, &vault, &key).unwrap(), tail);
    let (entries, problems) = walk(&db, &vault, &key, Some(&signing.verifying_key())).unwrap();
    assert_eq!(entries.len(), 5);
    assert!(problems.is_empty(), "{problems:?}");

    // Someone holding the vault key rewrites entry 2 and seals it properly: the
    // signature over it and the link from entry 3 both expose the edit.
    let (_, body): (i64, Vec<u8>) = db
        .query_row("SELECT seq, body FROM custody WHERE seq = 2", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let mut row = open_row(&vault, &key, 2, &body).unwrap();
    row.entry.event = Event::Deleted;
    let plain = serde_json::to_vec(&row).unwrap();
    let sealed = seal_padded(&mut seams, &key, &plain, &aad(&vault, 2)).unwrap();
    db.execute(
        "UPDATE custody SET body = ?1 WHERE seq = 2",
        params![sealed],
    )
    .unwrap();
    let (_, problems) = walk(&db, &vault, &key, Some(&signing.verifying_key())).unwrap();
    let codes: Vec<(&str, u64)> = problems.iter().map(|p| (p.code.as_str(), p.seq)).collect();
    assert_eq!(
        codes,
        vec![("custody_bad_signature", 2), ("custody_chain_broken", 3)]
    );
}

#[test]
fn a_dropped_and_a_reordered_entry_are_named() {
    let (db, mut seams, vault, key, signing) = setup();
    let app = Appender {
        vault: &vault,
        key: &key,
        signing: &signing,
    };
    fill(&db, &mut seams, &app, 6);
    db.execute("DELETE FROM custody WHERE seq = 2", []).unwrap();
    db.execute_batch(
        "UPDATE custody SET seq = 100 WHERE seq = 4;
         UPDATE custody SET seq = 4 WHERE seq = 5;
         UPDATE custody SET seq = 5 WHERE seq = 100;",
    )
    .unwrap();
    let (_, problems) = walk(&db, &vault, &key, Some(&signing.verifying_key())).unwrap();
    let codes: Vec<(&str, u64)> = problems.iter().map(|p| (p.code.as_str(), p.seq)).collect();
    assert_eq!(
        codes,
        vec![
            ("custody_gap", 2),
            ("custody_chain_broken", 3),
            ("custody_unreadable", 4),
            ("custody_unreadable", 5)
        ]
    );
}

#[test]
fn entries_appended_together_are_those_appended_one_by_one() {
    // The same changes, one by one in one vault and together in another with the
    // same seams: the chain, every entry and every signature must be the same, on
    // either side of the size from which the signing is shared between threads.
    for n in [0usize, 1, 15, 16, 17, 101] {
        let (one_db, mut one_seams, vault, key, signing) = setup();
        let (many_db, mut many_seams, _, _, _) = setup();
        let app = Appender {
            vault: &vault,
            key: &key,
            signing: &signing,
        };
        let start = fill(&one_db, &mut one_seams, &app, 3);
        assert_eq!(fill(&many_db, &mut many_seams, &app, 3), start);
        let changes: Vec<(Event, Change)> = (0..n)
            .map(|i| {
                (
                    if i % 2 == 0 {
                        Event::Imported
                    } else {
                        Event::CaseImported
                    },
                    Change {
                        record: Some(Uuid::from_u128(i as u128 + 1)),
                        version: Some(i as u32 % 3 + 1),
                        content_hash: Some(format!("{i:064x}")),
                        detail: Some(format!("bundle {i}")),
                    },
                )
            })
            .collect();
        let mut one = start;
        for (event, change) in changes.clone() {
            one = app
                .append(&one_db, &mut one_seams, one, event, change)
                .unwrap();
        }
        let many = app
            .append_many(&many_db, &mut many_seams, start, changes)
            .unwrap();
        assert_eq!(many, one, "{n} entries");
        assert_eq!(many.size, 3 + n as u64);
        let (one_entries, one_problems) =
            walk(&one_db, &vault, &key, Some(&signing.verifying_key())).unwrap();
        assert!(one_problems.is_empty(), "{n} entries: {one_problems:?}");
        let (many_entries, problems) =
            walk(&many_db, &vault, &key, Some(&signing.verifying_key())).unwrap();
        assert!(problems.is_empty(), "{n} entries: {problems:?}");
        let rows = |db: &Connection| -> Vec<Row> {
            db.prepare("SELECT seq, body FROM custody ORDER BY seq")
                .unwrap()
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
                .unwrap()
                .map(|r| {
                    let (seq, body) = r.unwrap();
                    open_row(&vault, &key, seq as u64, &body).unwrap()
                })
                .collect()
        };
        let (one_rows, many_rows) = (rows(&one_db), rows(&many_db));
        assert_eq!(many_rows.len(), 3 + n);
        assert_eq!(many_entries.len(), one_entries.len());
        for (a, b) in one_rows.iter().zip(&many_rows) {
            assert_eq!(
                serde_json::to_string(a).unwrap(),
                serde_json::to_string(b).unwrap(),
                "{n} entries, entry {}",
                a.entry.seq
            );
        }
    }
}

#[test]
fn entries_appended_together_that_fail_half_way_leave_nothing_once_rolled_back() {
    let (db, mut seams, vault, key, signing) = setup();
    let app = Appender {
        vault: &vault,
        key: &key,
        signing: &signing,
    };
    let start = fill(&db, &mut seams, &app, 2);
    // The drive refuses the tenth row of the batch (seq 11).
    db.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON custody WHEN NEW.seq = 11
         BEGIN SELECT RAISE(ABORT, 'disk refused'); END;",
    )
    .unwrap();
    let changes: Vec<(Event, Change)> = (0..40)
        .map(|i| {
            (
                Event::Imported,
                Change {
                    version: Some(i),
                    ..Change::default()
                },
            )
        })
        .collect();
    let tx = db.unchecked_transaction().unwrap();
    assert!(app.append_many(&tx, &mut seams, start, changes).is_err());
    drop(tx);
    assert_eq!(load_tail(&db, &vault, &key).unwrap(), start);
    let (entries, problems) = walk(&db, &vault, &key, Some(&signing.verifying_key())).unwrap();
    assert_eq!(entries.len(), 2);
    assert!(problems.is_empty(), "{problems:?}");
}
