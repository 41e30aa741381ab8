//! The attachment ingest pipeline: a stream read, hashed, sealed chunk by chunk and
//! stored inside the caller's transaction, in constant memory.
//!
//! Three stages, each on its own thread, so that the work spreads over both cores
//! whatever their share of it is on a given machine (measured in docs/benchmarks.md,
//! "Attachment ingest"): a helper reads and seals, a second helper hashes the plaintext
//! (the evidence hash), and the calling thread, which owns the transaction, stores.
//! Every channel is bounded, so at most a few chunks are in flight. A fourth thread
//! syncs the file every 16 MiB, so that the disk writes while the others work (`store`).
//!
//! Plaintext buffers go back from the hashing stage to the reading one and are reused:
//! a buffer is wiped once, when the pipeline ends, instead of after every chunk
//! (wiping is a byte-by-byte volatile loop that cost the storing stage 7 % of its time).
//! Invariant: a chunk's buffer holds exactly its content followed by zeros, because the
//! last chunk is sealed zero-padded and a reused buffer still holds an earlier chunk.

use crate::attachment::CHUNK;
use crate::chunks::{fill, ChunkSealer};
use crate::crypto::hex;
use crate::error::{Error, Result};
use crate::progress::Progress;
use rusqlite::{params, Transaction};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender};
use zeroize::Zeroizing;

/// Chunks waiting between two stages.
const DEPTH: usize = 8;

/// Chunks stored between two early syncs of the vault file (16 MiB).
const FLUSH_EVERY: u64 = 256;

type Plain = Zeroizing<Vec<u8>>;

/// A chunk read and sealed, on its way to the hash.
struct Sealed {
    rowid: i64,
    plain: Plain,
    len: usize,
    body: Vec<u8>,
    last: bool,
}

/// A chunk hashed, on its way to the store.
struct Hashed {
    rowid: i64,
    len: usize,
    body: Vec<u8>,
    last: bool,
}

/// Stores `source` as chunks sealed by `sealer` inside `tx`. Returns the plaintext size,
/// the number of chunks and the SHA-256 of the plaintext (hex).
pub(crate) fn ingest(
    source: &mut (dyn Read + Send),
    sealer: &ChunkSealer<'_>,
    tx: &Transaction<'_>,
    flush: Option<&File>,
    progress: &mut dyn Progress,
) -> Result<(u64, u64, String)> {
    std::thread::scope(|scope| {
        let (to_hash, hash_in) = sync_channel::<Result<Sealed>>(DEPTH);
        let (to_store, store_in) = sync_channel::<Result<Hashed>>(DEPTH);
        let (recycle, recycled) = channel::<Plain>();
        scope.spawn(move || read_and_seal(source, sealer, &to_hash, &recycled));
        let hasher = scope.spawn(move || hash(hash_in, &to_store, &recycle));
        let stored = store(store_in, tx, flush, progress);
        // The hashing stage ends once this one stopped reading (its sends fail), so the
        // join does not wait on a stalled stage.
        let digest = hasher
            .join()
            .map_err(|_| Error::Storage("the hashing stage stopped unexpectedly".into()))?;
        let (size, count) = stored?;
        Ok((size, count, hex(&digest.finalize())))
    })
}

/// The first stage: reads one chunk ahead (the last chunk is the one with nothing after
/// it) and seals each. Stops at the end, at the first error (which it passes on) or
/// when the next stage stopped.
fn read_and_seal(
    source: &mut (dyn Read + Send),
    sealer: &ChunkSealer<'_>,
    out: &std::sync::mpsc::SyncSender<Result<Sealed>>,
    recycled: &Receiver<Plain>,
) {
    let buffer = || {
        recycled
            .try_recv()
            .unwrap_or_else(|_| Zeroizing::new(vec![0u8; CHUNK]))
    };
    let mut read = |buf: &mut Plain| read_chunk(source, buf);
    let mut current = buffer();
    let mut len = match read(&mut current) {
        Ok(n) => n,
        Err(e) => {
            let _ = out.send(Err(e));
            return;
        }
    };
    for index in 0u64.. {
        let mut next = buffer();
        let next_len = match read(&mut next) {
            Ok(n) => n,
            Err(e) => {
                let _ = out.send(Err(e));
                return;
            }
        };
        let last = next_len == 0;
        let item = sealer
            .seal(index, last, len, &current)
            .map(|(rowid, body)| Sealed {
                rowid,
                plain: std::mem::replace(&mut current, next),
                len,
                body,
                last,
            });
        let failed = item.is_err();
        if out.send(item).is_err() || failed || last {
            return;
        }
        len = next_len;
    }
}

/// Reads the next chunk into `buf`, which may hold an earlier chunk, and zeroes what the
/// stream did not fill: the last chunk is sealed zero-padded. Returns the bytes read.
fn read_chunk(source: &mut dyn Read, buf: &mut [u8]) -> Result<usize> {
    let n = fill(source, buf)?;
    buf[n..].fill(0);
    Ok(n)
}

/// The second stage: the evidence hash, in chunk order. Returns each buffer to the first
/// stage once hashed.
fn hash(
    input: Receiver<Result<Sealed>>,
    out: &std::sync::mpsc::SyncSender<Result<Hashed>>,
    recycle: &Sender<Plain>,
) -> Sha256 {
    let mut hasher = Sha256::new();
    for item in input {
        let next = item.map(|c| {
            hasher.update(&c.plain[..c.len]);
            // The first stage may have ended: then the buffer is dropped (and wiped) here.
            let _ = recycle.send(c.plain);
            Hashed {
                rowid: c.rowid,
                len: c.len,
                body: c.body,
                last: c.last,
            }
        });
        let failed = next.is_err();
        if out.send(next).is_err() || failed {
            break;
        }
    }
    hasher
}

/// The last stage, on the caller's thread: writes each sealed chunk. Returns the size
/// and the chunk count; an error if the stream ended before its last chunk.
///
/// Every `FLUSH_EVERY` chunks it asks a helper to sync the vault file (`flush`, a
/// second handle of it), so that the disk writes the pages SQLite has written while the
/// pipeline goes on, instead of all of them at the commit's fsync. This changes nothing
/// of the transaction's atomicity: SQLite writes a page into the file only after the
/// rollback journal that can undo it is on disk, and the commit still syncs.
fn store(
    input: Receiver<Result<Hashed>>,
    tx: &Transaction<'_>,
    flush: Option<&File>,
    progress: &mut dyn Progress,
) -> Result<(u64, u64)> {
    let mut stmt = tx.prepare_cached("INSERT INTO chunk (id, body) VALUES (?1, ?2)")?;
    let (mut size, mut count) = (0u64, 0u64);
    let mut complete = false;
    std::thread::scope(|scope| {
        // At most one request waits: a sync still running covers the pages of the next.
        let (kick, kicked) = sync_channel::<()>(1);
        if let Some(file) = flush {
            scope.spawn(move || {
                for () in kicked {
                    // A failed early sync is not an error: the commit's fsync reports
                    // whatever the disk refuses.
                    let _ = file.sync_data();
                }
            });
        }
        progress.begin(None);
        for item in input {
            let chunk = item?;
            stmt.execute(params![chunk.rowid, chunk.body])?;
            size += chunk.len as u64;
            count += 1;
            progress.advance(chunk.len as u64);
            complete = chunk.last;
            if count % FLUSH_EVERY == 0 {
                let _ = kick.try_send(());
            }
        }
        progress.end();
        Ok::<(), Error>(())
    })?;
    if !complete {
        return Err(Error::Storage(
            "the attachment stream ended before its last chunk".into(),
        ));
    }
    Ok((size, count))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunks::{chunk_rowid, open_chunk, Nonces};
    use crate::crypto::Key;
    use crate::progress::Silent;
    use crate::seams::{Seams, SteppingClock};
    use rand_core::SeedableRng;
    use uuid::Uuid;

    fn seams() -> Seams {
        Seams::new(
            Box::new(SteppingClock::new(1_641_600_000_000, 1_000)),
            Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(3)),
        )
    }

    #[test]
    fn a_reused_buffer_keeps_nothing_of_the_chunk_it_held() {
        let mut buf = vec![0xAB; CHUNK];
        let n = read_chunk(&mut &[7u8; 100][..], &mut buf).unwrap();
        assert_eq!(n, 100);
        assert!(buf[..100].iter().all(|&b| b == 7));
        assert!(
            buf[100..].iter().all(|&b| b == 0),
            "stale bytes after the content"
        );
        assert_eq!(read_chunk(&mut &[][..], &mut buf).unwrap(), 0);
        assert!(buf.iter().all(|&b| b == 0));
    }

    /// Whatever the threads' timing (buffers reused or not), every chunk holds its own
    /// bytes, padded with zeros, and the hash is that of the whole stream.
    #[test]
    fn every_chunk_is_stored_sealed_in_order_with_zero_padding() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE chunk (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            .unwrap();
        let mut seams = seams();
        let (vault, id) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let key = Key::from_slice(&[5; 32]).unwrap();
        let ids = Key::from_slice(&[6; 32]).unwrap();
        let sealer = ChunkSealer::new(&mut seams, &key, &vault, &ids, id);
        // 20 and a half chunks, each chunk's bytes distinct from the others'.
        let len = 20 * CHUNK + CHUNK / 2;
        let data: Vec<u8> = (0..len).map(|i| (i / CHUNK) as u8 + 1).collect();
        let tx = db.unchecked_transaction().unwrap();
        let (size, count, sha) = ingest(&mut &data[..], &sealer, &tx, None, &mut Silent).unwrap();
        tx.commit().unwrap();
        assert_eq!((size, count), (len as u64, 21));
        assert_eq!(sha, hex(&Sha256::digest(&data)));
        for i in 0..count {
            let last = i + 1 == count;
            let content = if last { CHUNK / 2 } else { CHUNK };
            let body: Vec<u8> = db
                .query_row(
                    "SELECT body FROM chunk WHERE id = ?1",
                    [chunk_rowid(&ids, &id, i)],
                    |r| r.get(0),
                )
                .unwrap();
            let plain = open_chunk(
                &key,
                &vault,
                Nonces::Random,
                (&id, &[0; 19]),
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
            assert!(
                plain[content..].iter().all(|&b| b == 0),
                "padding of chunk {i}"
            );
        }
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
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE chunk (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            .unwrap();
        let mut seams = seams();
        let key = Key::from_slice(&[5; 32]).unwrap();
        let vault = Uuid::from_u128(1);
        let sealer = ChunkSealer::new(&mut seams, &key, &vault, &key, Uuid::from_u128(2));
        let tx = db.unchecked_transaction().unwrap();
        let got = ingest(&mut Failing(5 * CHUNK), &sealer, &tx, None, &mut Silent);
        assert!(
            matches!(&got, Err(Error::Io(e)) if e.to_string().contains("pulled")),
            "{got:?}"
        );
    }
}
