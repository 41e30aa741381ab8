//! The attachment ingest pipeline: a stream read, hashed, sealed chunk by chunk and
//! stored inside the caller's transaction, in constant memory.
//!
//! Three stages, each on its own thread, so that the work spreads over both cores
//! whatever their share of it is on a given machine: a helper reads and seals, a second
//! helper hashes the plaintext (the evidence hash), and the calling thread, which owns
//! the transaction, stores. Every channel is bounded, so at most a few chunks are in
//! flight. On Linux the filesystem is also synced every 16 MiB, so that the disk writes
//! while the stages work (`writeback::EarlySync`). On the project's machine the early
//! syncs are what made ingest faster; the three stages, which spread the work, and the
//! reuse of buffers below were no faster there on their own (docs/benchmarks.md,
//! "Attachment ingest").
//!
//! Plaintext buffers go back from the hashing stage to the reading one and are reused:
//! a buffer is wiped once, when the pipeline ends, instead of after every chunk
//! (wiping is a byte-by-byte volatile loop: 7 % of the storing stage's samples).
//! Invariant: a chunk's buffer holds exactly its content followed by zeros, because the
//! last chunk is sealed zero-padded and a reused buffer still holds an earlier chunk.

use crate::attachment::CHUNK;
use crate::chunks::{fill, ChunkSealer};
use crate::crypto::hex;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::writeback::EarlySync;
use rusqlite::{params, Transaction};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender};
use zeroize::Zeroizing;

/// Chunks waiting between two stages.
const DEPTH: usize = 8;

/// Chunks stored between two early syncs (16 MiB).
const SYNC_EVERY: u64 = 256;

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
    folder: Option<File>,
    progress: &mut dyn Progress,
) -> Result<(u64, u64, String)> {
    std::thread::scope(|scope| {
        let (to_hash, hash_in) = sync_channel::<Result<Sealed>>(DEPTH);
        let (to_store, store_in) = sync_channel::<Result<Hashed>>(DEPTH);
        let (recycle, recycled) = channel::<Plain>();
        let reader = scope.spawn(move || read_and_seal(source, sealer, &to_hash, &recycled));
        let hasher = scope.spawn(move || hash(hash_in, &to_store, &recycle));
        let stored = store(store_in, tx, folder, progress);
        // Once this stage stopped reading, the others stop at their next send, so the
        // joins do not wait on a stalled stage. A stage that panicked (a bug) fails the
        // attachment, and the caller's transaction rolls back.
        let stopped =
            |_| Error::Storage("a stage of the attachment's storing stopped unexpectedly".into());
        let digest = hasher.join().map_err(stopped)?;
        reader.join().map_err(stopped)?;
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
        if len < CHUNK && !last {
            // The source ended and then had more (a file still being written): a short
            // chunk that is not the last would never read back. This protects the
            // layout of the chunks, not the completeness of a file still being written
            // (one that stops growing on a chunk's boundary is stored as it was).
            let _ = out.send(Err(Error::BadInput(
                "the file changed while it was being read: attach it again once it is complete"
                    .into(),
            )));
            return;
        }
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
fn store(
    input: Receiver<Result<Hashed>>,
    tx: &Transaction<'_>,
    folder: Option<File>,
    progress: &mut dyn Progress,
) -> Result<(u64, u64)> {
    let mut stmt = tx.prepare_cached("INSERT INTO chunk (id, body) VALUES (?1, ?2)")?;
    let (mut size, mut count) = (0u64, 0u64);
    let mut complete = false;
    let early = EarlySync::start(folder);
    progress.begin(None);
    for item in input {
        let chunk = item?;
        stmt.execute(params![chunk.rowid, chunk.body])?;
        size += chunk.len as u64;
        count += 1;
        progress.advance(chunk.len as u64);
        complete = chunk.last;
        // Not after the last chunk: the commit's own fsync follows at once.
        if count % SYNC_EVERY == 0 && !chunk.last {
            early.request();
        }
    }
    progress.end();
    if !complete {
        return Err(Error::Storage(
            "the attachment stream ended before its last chunk".into(),
        ));
    }
    Ok((size, count))
}

#[cfg(test)]
mod tests;
