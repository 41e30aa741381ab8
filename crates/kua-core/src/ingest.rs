//! The attachment ingest pipeline: a stream read, hashed, sealed chunk by chunk and
//! stored inside the caller's transaction, in constant memory.
//!
//! The work runs on several threads so that it spreads over both cores whatever each
//! part's share is on a given machine: a helper reads each chunk and hashes it (the
//! evidence hash, which needs the chunks in order), `SEALERS` helpers seal the chunks in
//! groups of `GROUP`, the groups in turn (group `g` by sealer `g % SEALERS`: a chunk's
//! nonce and row id depend only on its index, so which thread seals it changes nothing
//! stored), and the calling thread, which owns the transaction, stores them, taking the
//! groups from the sealers in the same turn, so in order. Every group but the last is
//! full; a group never spans a multiple of `GROUP`, and the reader and the store both
//! find a chunk's sealer from its index (`sealer_of`), so the store always waits on the
//! sealer of the next chunk it needs. The channels between stages are bounded (`DEPTH`).
//! On Linux the filesystem is also synced every 16 MiB, so that the disk writes while
//! the stages work (`writeback::EarlySync`). The figures behind this layout are in
//! docs/benchmarks.md, "Attachment ingest".
//!
//! A chunk is read into a buffer behind room for its nonce and sealed there in place
//! (`chunks::chunk_buffer`, `ChunkSealer::seal_in_place`): the buffer becomes the
//! chunk's stored body, with no copy of the plaintext made, and after the store wrote
//! it, it goes back to the reader to be filled again. The invariants of those buffers
//! (plaintext only in a wiping wrapper, ciphertext reused unwiped) are in
//! `chunks/sealing.rs`.

use crate::attachment::CHUNK;
use crate::chunks::{chunk_buffer, read_chunk, ChunkSealer};
use crate::crypto::{hex, NONCE_LEN};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::writeback::EarlySync;
use rusqlite::{params, Transaction};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use zeroize::Zeroizing;

/// Chunks handed from one stage to the next at once. Handing them over one by one woke
/// a waiting thread for every 64 KiB chunk, and on two cores each wake-up preempted the
/// thread that gave it: about 7,000 context switches per thread for 1 GiB, against about
/// 1,300 in groups of eight (docs/benchmarks.md, "Attachment ingest", eleventh session).
const GROUP: usize = 8;

/// Groups waiting between two stages, on each channel. At most 97 chunks (6.1 MiB) are
/// then in flight: the group being stored, in each sealer's two channels and hands five
/// groups, the reader's group waiting to be handed over and the chunk read after it
/// (`a_store_that_fails_midway_stops_every_stage` holds the stages to that bound). As
/// bodies are handed back to be filled again, that many buffers live until the end.
const DEPTH: usize = 2;

/// Threads that seal. Sealing is the largest part of the work on the project's machine
/// (1.1 s of CPU per GiB, against 0.73 s for the hash and 0.95 s for the store), so two
/// of them keep it off the critical path on two cores.
const SEALERS: usize = 2;

/// Chunks stored between two early syncs (16 MiB).
const SYNC_EVERY: u64 = 256;

/// A chunk's plaintext behind room for its nonce, to be sealed in place.
type Plain = Zeroizing<Vec<u8>>;

/// The sealer that seals the group holding chunk `index`: groups go to the sealers in
/// turn, and the store takes them back in the same turn.
fn sealer_of(index: u64) -> usize {
    ((index / GROUP as u64) % SEALERS as u64) as usize
}

/// A chunk read and hashed, on its way to a sealer.
struct Hashed {
    index: u64,
    plain: Plain,
    len: usize,
    last: bool,
}

/// A chunk sealed, on its way to the store.
struct Sealed {
    index: u64,
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
    let stopped =
        || Error::Storage("a stage of the attachment's storing stopped unexpectedly".into());
    std::thread::scope(|scope| {
        // Sealed bodies the store wrote, back to the reader. Not bounded, but never
        // longer than the bodies ever made: the reader's `try_recv` never waits for one,
        // it makes a new buffer only while none has come back.
        let (recycle, recycled) = channel::<Vec<u8>>();
        let (mut to_sealers, mut from_sealers, mut sealing) = (Vec::new(), Vec::new(), Vec::new());
        // A thread that cannot be started fails the attachment; those already started
        // end once the senders and receivers dropped here are gone.
        let start = |name: &str| std::thread::Builder::new().name(name.into());
        for _ in 0..SEALERS {
            let (to, input) = sync_channel::<Result<Vec<Hashed>>>(DEPTH);
            let (out, from) = sync_channel::<Result<Vec<Sealed>>>(DEPTH);
            let handle =
                start("kua-seal").spawn_scoped(scope, move || seal(input, sealer, &out))?;
            sealing.push(handle);
            to_sealers.push(to);
            from_sealers.push(from);
        }
        let reader = start("kua-read")
            .spawn_scoped(scope, move || read_and_hash(source, &to_sealers, &recycled))?;
        // `store` drops the sealers' receivers when it returns: once it stopped
        // reading, the other stages stop at their next send, so the joins do not wait
        // on a stalled stage. A stage that panicked (a bug) fails the attachment, and
        // the caller's transaction rolls back. Every thread is joined before any error
        // is returned: a panicked thread left unjoined would make the scope panic.
        let stored = store(from_sealers, tx, folder, &recycle, progress);
        let mut sealed = true;
        for handle in sealing {
            sealed &= handle.join().is_ok();
        }
        let (true, Ok(digest)) = (sealed, reader.join()) else {
            return Err(stopped());
        };
        let (size, count) = stored?;
        Ok((size, count, hex(&digest.finalize())))
    })
}

/// The first stage: reads one chunk ahead (the last chunk is the one with nothing after
/// it), hashes each in order and hands them in groups to their sealer. Stops at the end,
/// at the first error (which it passes on in the place of the group it interrupts, in
/// the groups' turn; the chunks of that group read so far are wiped) or when a sealer
/// stopped. Returns the hash of what it read.
fn read_and_hash(
    source: &mut (dyn Read + Send),
    to_sealers: &[SyncSender<Result<Vec<Hashed>>>],
    recycled: &Receiver<Vec<u8>>,
) -> Sha256 {
    let mut hasher = Sha256::new();
    let buffer = || chunk_buffer(recycled.try_recv().ok());
    let mut read = |buf: &mut Plain| read_chunk(source, buf).map_err(Error::from);
    let turn = |index: u64| &to_sealers[sealer_of(index)];
    let mut group = Vec::with_capacity(GROUP);
    let mut current = buffer();
    let mut len = match read(&mut current) {
        Ok(n) => n,
        Err(e) => {
            let _ = turn(0).send(Err(e));
            return hasher;
        }
    };
    for index in 0u64.. {
        let mut next = buffer();
        let next_len = match read(&mut next) {
            Ok(n) => n,
            Err(e) => {
                let _ = turn(index).send(Err(e));
                return hasher;
            }
        };
        let last = next_len == 0;
        if len < CHUNK && !last {
            // The source ended and then had more (a file still being written): a short
            // chunk that is not the last would never read back. This protects the
            // layout of the chunks, not the completeness of a file still being written
            // (one that stops growing on a chunk's boundary is stored as it was).
            let _ = turn(index).send(Err(Error::BadInput(
                "the file changed while it was being read: attach it again once it is complete"
                    .into(),
            )));
            return hasher;
        }
        hasher.update(&current[NONCE_LEN..NONCE_LEN + len]);
        group.push(Hashed {
            index,
            plain: std::mem::replace(&mut current, next),
            len,
            last,
        });
        // A group ends on a multiple of `GROUP` (or at the last chunk), so that it is
        // all one sealer's, the sealer the store asks for its first chunk.
        if group.len() == GROUP || last {
            let full = std::mem::replace(&mut group, Vec::with_capacity(GROUP));
            if turn(index).send(Ok(full)).is_err() || last {
                return hasher;
            }
        }
        len = next_len;
    }
    hasher
}

/// A sealer: seals in place the groups of chunks handed to it, in the order it got
/// them. Passes an error on and stops (the chunks of the group not sealed yet are wiped
/// as they are dropped).
fn seal(
    input: Receiver<Result<Vec<Hashed>>>,
    sealer: &ChunkSealer<'_>,
    out: &SyncSender<Result<Vec<Sealed>>>,
) {
    for item in input {
        let next = item.and_then(|group| {
            group
                .into_iter()
                .map(|c| {
                    sealer
                        .seal_in_place(c.index, c.last, c.len, c.plain)
                        .map(|(rowid, body)| Sealed {
                            index: c.index,
                            rowid,
                            len: c.len,
                            body,
                            last: c.last,
                        })
                })
                .collect::<Result<Vec<Sealed>>>()
        });
        let failed = next.is_err();
        if out.send(next).is_err() || failed {
            break;
        }
    }
    crate::crypto::scrub_stack();
}

/// The last stage, on the caller's thread: writes each sealed chunk, taking the groups
/// from the sealers in turn, and hands each body back to the reader. Returns the size
/// and the chunk count; an error if the stream ended before its last chunk.
fn store(
    from_sealers: Vec<Receiver<Result<Vec<Sealed>>>>,
    tx: &Transaction<'_>,
    folder: Option<File>,
    recycle: &Sender<Vec<u8>>,
    progress: &mut dyn Progress,
) -> Result<(u64, u64)> {
    let mut stmt = tx.prepare_cached("INSERT INTO chunk (id, body) VALUES (?1, ?2)")?;
    let (mut size, mut count) = (0u64, 0u64);
    let mut complete = false;
    let early = EarlySync::start(folder);
    progress.begin(None);
    // A sealer that stopped without passing an error on (it panicked) ends the loop
    // before the last chunk: the attachment is then incomplete.
    'groups: while let Ok(item) = from_sealers[sealer_of(count)].recv() {
        for chunk in item? {
            if chunk.index != count {
                return Err(Error::Storage(format!(
                    "chunk {} of the attachment came in the place of chunk {count}",
                    chunk.index
                )));
            }
            stmt.execute(params![chunk.rowid, chunk.body])?;
            // The reader may have ended: then the body is dropped here.
            let _ = recycle.send(chunk.body);
            size += chunk.len as u64;
            count += 1;
            progress.advance(chunk.len as u64);
            if chunk.last {
                // No early sync after the last chunk: the commit's own fsync follows at
                // once.
                complete = true;
                break 'groups;
            }
            if count % SYNC_EVERY == 0 {
                early.request();
            }
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
