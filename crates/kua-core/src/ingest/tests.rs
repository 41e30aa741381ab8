//! The ingest pipeline's unit tests: its stages driven directly, over an in-memory
//! chunk table.

use super::*;
use crate::chunks::{chunk_buffer, chunk_rowid, open_chunk, Nonces};
use crate::crypto::{Key, TAG_LEN};
use crate::progress::Silent;
use crate::seams::{Seams, SteppingClock};
use rand_core::SeedableRng;
use std::sync::atomic::{AtomicUsize, Ordering};
use uuid::Uuid;

fn seams() -> Seams {
    Seams::new(
        Box::new(SteppingClock::new(1_641_600_000_000, 1_000)),
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(3)),
    )
}

const VAULT: Uuid = Uuid::from_u128(1);
const ID: Uuid = Uuid::from_u128(2);

/// The attachment's key in every test; the chunk-id key too (`chunk_rowid`).
fn key() -> Key {
    Key::from_slice(&[5; 32]).unwrap()
}

/// An in-memory chunk table, with `more` (a trigger) run after it.
fn chunk_table(more: &str) -> rusqlite::Connection {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch("CREATE TABLE chunk (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        .unwrap();
    db.execute_batch(more).unwrap();
    db
}

/// Ingests `source` into `db` under the tests' keys, and commits if it succeeded.
fn ingest_into(
    db: &rusqlite::Connection,
    source: &mut (dyn Read + Send),
) -> Result<(u64, u64, String)> {
    let (key, mut seams) = (key(), seams());
    let sealer = ChunkSealer::new(&mut seams, &key, &VAULT, &key, ID);
    let tx = db.unchecked_transaction().unwrap();
    let got = ingest(source, &sealer, &tx, None, &mut Silent)?;
    tx.commit().unwrap();
    Ok(got)
}

#[test]
fn a_reused_buffer_keeps_nothing_of_the_chunk_it_held() {
    // A stored body, cut back: its nonce's room is left, the rest overwritten.
    let mut buf = chunk_buffer(Some(vec![0xAB; NONCE_LEN + CHUNK + TAG_LEN]));
    assert_eq!(buf.len(), NONCE_LEN + CHUNK);
    let n = read_chunk(&mut &[7u8; 100][..], &mut buf).unwrap();
    assert_eq!(n, 100);
    let content = &buf[NONCE_LEN..];
    assert!(content[..100].iter().all(|&b| b == 7));
    assert!(
        content[100..].iter().all(|&b| b == 0),
        "stale bytes after the content"
    );
    assert_eq!(read_chunk(&mut &[][..], &mut buf).unwrap(), 0);
    assert!(buf[NONCE_LEN..].iter().all(|&b| b == 0));
    // A buffer with no room for a nonce is refused, not read as an empty stream.
    let mut short = vec![0u8; NONCE_LEN - 1];
    assert!(read_chunk(&mut &[7u8; 100][..], &mut short).is_err());
}

/// Whatever the threads' timing (buffers reused or not), every chunk holds its own
/// bytes, padded with zeros, and the hash is that of the whole stream.
#[test]
fn every_chunk_is_stored_sealed_in_order_with_zero_padding() {
    let db = chunk_table("");
    // 20 and a half chunks, each chunk's bytes distinct from the others'.
    let len = 20 * CHUNK + CHUNK / 2;
    let data: Vec<u8> = (0..len).map(|i| (i / CHUNK) as u8 + 1).collect();
    let (size, count, sha) = ingest_into(&db, &mut &data[..]).unwrap();
    let key = key();
    assert_eq!((size, count), (len as u64, 21));
    assert_eq!(sha, hex(&Sha256::digest(&data)));
    for i in 0..count {
        let last = i + 1 == count;
        let content = if last { CHUNK / 2 } else { CHUNK };
        let body: Vec<u8> = db
            .query_row(
                "SELECT body FROM chunk WHERE id = ?1",
                [chunk_rowid(&key, &ID, i)],
                |r| r.get(0),
            )
            .unwrap();
        let plain = open_chunk(
            &key,
            &VAULT,
            Nonces::Random,
            (&ID, &[0; 19]),
            (i, last, content),
            &body,
            "test",
        )
        .unwrap();
        assert_eq!(plain.len(), CHUNK, "chunk {i} is sealed whole");
        assert!(
            plain[..content].iter().all(|&b| b == i as u8 + 1),
            "chunk {i}"
        );
        // Byte for byte what sealing a copy of the chunk gives (the same seeded
        // randomness makes the same nonce seed): the nonce, the binding, the padding.
        let mut padded = data[i as usize * CHUNK..][..content].to_vec();
        padded.resize(CHUNK, 0);
        let copy = ChunkSealer::new(&mut seams(), &key, &VAULT, &key, ID);
        assert_eq!(
            body,
            copy.seal(i, last, content, &padded).unwrap().1,
            "chunk {i}"
        );
        assert!(
            plain[content..].iter().all(|&b| b == 0),
            "padding of chunk {i}"
        );
    }
}

/// The first stage alone, with its only buffers reused bodies full of 0xFF: the short
/// last chunk must come out zero-padded, hashed without its padding, and sealed that way.
#[test]
fn a_short_last_chunk_in_a_reused_buffer_is_zero_padded() {
    let (key, mut seams) = (key(), seams());
    let sealer = ChunkSealer::new(&mut seams, &key, &VAULT, &key, ID);
    let (to_first, first) = sync_channel(8);
    let (to_second, second) = sync_channel(8);
    let (recycle, recycled) = channel();
    // One group and one chunk more: the reader takes a buffer for each chunk and one for
    // the empty read after the last, so all of them are reused bodies.
    let reused = GROUP + 4;
    for _ in 0..reused {
        recycle
            .send(vec![0xFF; NONCE_LEN + CHUNK + TAG_LEN])
            .unwrap();
    }
    let data = vec![7u8; GROUP * CHUNK + 100];
    let hash = read_and_hash(&mut &data[..], &[to_first, to_second], &recycled);
    assert_eq!(hex(&hash.finalize()), hex(&Sha256::digest(&data)));
    // The first group, full, went to the first sealer, the last chunk alone to the
    // second, and nothing else.
    let first: Vec<Vec<Hashed>> = first.into_iter().map(|g| g.unwrap()).collect();
    let mut second: Vec<Vec<Hashed>> = second.into_iter().map(|g| g.unwrap()).collect();
    assert_eq!((first.len(), second.len()), (1, 1));
    let indices = |group: &[Hashed]| group.iter().map(|c| c.index).collect::<Vec<_>>();
    assert_eq!(indices(&first[0]), (0..GROUP as u64).collect::<Vec<_>>());
    assert!(first[0].iter().all(|c| c.len == CHUNK && !c.last));
    assert_eq!(indices(&second[0]), vec![GROUP as u64]);
    // A buffer for each chunk and one for the empty read: no fresh buffer was made.
    assert_eq!(
        recycled.try_iter().count(),
        reused - (GROUP + 2),
        "fresh buffers were made"
    );
    let mut second = second.remove(0);
    let last = second.remove(0);
    assert!(last.last && last.len == 100);
    assert_eq!(
        last.plain.len(),
        NONCE_LEN + CHUNK,
        "a reused body not cut back"
    );
    let content = &last.plain[NONCE_LEN..];
    assert!(content[..100].iter().all(|&b| b == 7));
    assert!(
        content[100..].iter().all(|&b| b == 0),
        "stale 0xFF in the padding"
    );
    let (_, body) = sealer
        .seal_in_place(GROUP as u64, true, 100, last.plain)
        .unwrap();
    let plain = open_chunk(
        &key,
        &VAULT,
        Nonces::Random,
        (&ID, &[0; 19]),
        (GROUP as u64, true, 100),
        &body,
        "test",
    )
    .unwrap();
    assert_eq!(plain.len(), CHUNK);
    assert!(plain[..100].iter().all(|&b| b == 7));
    assert!(
        plain[100..].iter().all(|&b| b == 0),
        "sealed with stale bytes"
    );
}

/// Sealing in place stores the bytes that sealing a copy stores: the same nonce, the
/// same binding, the same row id.
#[test]
fn a_chunk_sealed_in_place_is_the_chunk_sealed_from_a_copy() {
    let (key, mut seams) = (key(), seams());
    let sealer = ChunkSealer::new(&mut seams, &key, &VAULT, &key, ID);
    let plain: Vec<u8> = (0..CHUNK).map(|i| (i % 251) as u8).collect();
    let mut buf = Zeroizing::new(vec![0u8; NONCE_LEN]);
    buf.extend_from_slice(&plain);
    for (index, last, len) in [(0, false, CHUNK), (7, true, CHUNK - 3)] {
        let copy = sealer.seal(index, last, len, &plain).unwrap();
        let in_place = sealer.seal_in_place(index, last, len, buf.clone()).unwrap();
        assert_eq!(in_place, copy, "chunk {index}");
    }
}

/// A file that ends and then has more (still being written) is refused rather than
/// stored with a short chunk in the middle, which would never read back.
#[test]
fn a_file_that_grows_while_read_is_refused() {
    struct Growing(Vec<Vec<u8>>);
    impl Read for Growing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some(next) = self.0.first_mut() else {
                return Ok(0);
            };
            if next.is_empty() {
                // An end, with more after it.
                self.0.remove(0);
                return Ok(0);
            }
            let n = buf.len().min(next.len());
            buf[..n].copy_from_slice(&next[..n]);
            next.drain(..n);
            if next.is_empty() {
                self.0.remove(0);
            }
            Ok(n)
        }
    }
    let db = chunk_table("");
    // Half a chunk, an end, then more.
    let mut source = Growing(vec![vec![1; CHUNK / 2], Vec::new(), vec![2; CHUNK]]);
    let got = ingest_into(&db, &mut source);
    assert!(
        matches!(&got, Err(Error::BadInput(m)) if m.contains("changed")),
        "{got:?}"
    );
}

/// The store failing midway (a full disk) ends every stage: an error, not a hang.
#[test]
fn a_store_that_fails_midway_stops_every_stage() {
    let db = chunk_table(
        "CREATE TRIGGER full BEFORE INSERT ON chunk
         WHEN (SELECT count(*) FROM chunk) >= 5
         BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
    );
    // Counts what the stages took from the source.
    struct Counted<'a>(&'a [u8], &'a AtomicUsize);
    impl Read for Counted<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1.fetch_add(n, Ordering::Relaxed);
            Ok(n)
        }
    }
    let data = vec![3u8; 300 * CHUNK];
    let taken = AtomicUsize::new(0);
    let got = ingest_into(&db, &mut Counted(&data, &taken));
    assert!(
        matches!(&got, Err(e) if e.to_string().contains("full")),
        "{got:?}"
    );
    // The store's group (five stored, the sixth refused), then at most what fits in
    // each sealer's two channels and a group in each sealer's hands, and what the reader
    // holds (a group waiting to be handed over and the chunk read after it): the
    // reading stopped.
    let bound = (GROUP * (2 + SEALERS * (2 * DEPTH + 1)) + 1) * CHUNK;
    assert!(
        bound < data.len() / 2,
        "the bound would not show a reader gone on"
    );
    assert!(taken.into_inner() <= bound, "the stages went on reading");
}

#[test]
fn a_read_error_is_passed_on_and_nothing_is_complete() {
    struct Failing(usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("the stick was pulled"));
            }
            let n = buf.len().min(self.0);
            buf[..n].fill(1);
            self.0 -= n;
            Ok(n)
        }
    }
    // Inside the first group, and right after the first group was handed over: the
    // error then goes to the second sealer, before any chunk joined its group.
    for readable in [5 * CHUNK, (GROUP + 1) * CHUNK] {
        let db = chunk_table("");
        let got = ingest_into(&db, &mut Failing(readable));
        assert!(
            matches!(&got, Err(Error::Io(e)) if e.to_string().contains("pulled")),
            "{readable}: {got:?}"
        );
    }
}

/// A stream of whole groups ends with a full group, the last chunk at its end; an empty
/// stream is one empty chunk. Both are stored complete.
#[test]
fn whole_groups_and_an_empty_stream_are_stored_complete() {
    for len in [2 * GROUP * CHUNK, 0] {
        let db = chunk_table("");
        let data = vec![9u8; len];
        let (size, count, sha) = ingest_into(&db, &mut &data[..]).unwrap();
        let chunks = (len / CHUNK).max(1) as u64;
        assert_eq!((size, count), (len as u64, chunks), "{len}");
        assert_eq!(sha, hex(&Sha256::digest(&data)));
        let rows: i64 = db
            .query_row("SELECT count(*) FROM chunk", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, chunks as i64);
        // The last chunk is stored under its own row id, sealed as the last.
        let key = key();
        let body: Vec<u8> = db
            .query_row(
                "SELECT body FROM chunk WHERE id = ?1",
                [chunk_rowid(&key, &ID, chunks - 1)],
                |r| r.get(0),
            )
            .unwrap();
        let content = len.min(CHUNK);
        open_chunk(
            &key,
            &VAULT,
            Nonces::Random,
            (&ID, &[0; 19]),
            (chunks - 1, true, content),
            &body,
            "test",
        )
        .unwrap();
    }
}

/// The store takes groups of chunks from the sealers in turn and refuses a chunk out of
/// its place; a sealer gone before the last chunk leaves the attachment incomplete, not
/// stored.
#[test]
fn the_store_takes_chunks_in_turn_and_refuses_a_gap() {
    let sealed = |index: u64, last: bool| Sealed {
        index,
        rowid: index as i64 + 1,
        len: 3,
        body: vec![index as u8; 3],
        last,
    };
    let group = |indices: std::ops::Range<u64>, last: bool| -> Vec<Sealed> {
        let end = indices.end;
        indices.map(|i| sealed(i, last && i + 1 == end)).collect()
    };
    let run = |groups: Vec<(usize, Vec<Sealed>)>| {
        let db = chunk_table("");
        let (to, from): (Vec<_>, Vec<_>) = (0..SEALERS).map(|_| sync_channel(8)).unzip();
        for (sealer, group) in groups {
            to[sealer].send(Ok(group)).unwrap();
        }
        drop(to);
        let tx = db.unchecked_transaction().unwrap();
        let (recycle, _recycled) = channel();
        let got = store(from, &tx, None, &recycle, &mut Silent);
        let rows: i64 = tx
            .query_row("SELECT count(*) FROM chunk", [], |r| r.get(0))
            .unwrap();
        (got, rows)
    };
    let g = GROUP as u64;
    // Two full groups and a last one of two chunks, from the sealers in turn.
    let (got, rows) = run(vec![
        (0, group(0..g, false)),
        (1, group(g..2 * g, false)),
        (0, group(2 * g..2 * g + 2, true)),
    ]);
    let count = 2 * g + 2;
    assert_eq!((got.unwrap(), rows), ((3 * count, count), count as i64));
    // Chunk 1 skipped: chunk 2 stands in its place.
    let mut gap = group(0..g, false);
    gap.remove(1);
    let (got, _) = run(vec![(0, gap)]);
    assert!(
        matches!(&got, Err(Error::Storage(m)) if m.contains("in the place of chunk 1")),
        "{got:?}"
    );
    // The second sealer ended (a panic) before handing over its group: the last group,
    // handed to the first sealer out of turn, is never taken.
    let (got, _) = run(vec![(0, group(0..g, false)), (0, group(g..g + 1, true))]);
    assert!(
        matches!(&got, Err(Error::Storage(m)) if m.contains("before its last chunk")),
        "{got:?}"
    );
}
