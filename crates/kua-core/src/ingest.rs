//! The attachment ingest pipeline: a stream read, hashed, sealed chunk by chunk and
//! stored inside the caller's transaction, in constant memory.
//!
//! Three stages, each on its own thread, so that the work spreads over both cores
//! whatever their share of it is on a given machine: a helper reads and seals, a second
//! helper hashes the plaintext (the evidence hash), and the calling thread, which owns
//! the transaction, stores. Every channel is bounded, so at most a few chunks are in
//! flight. A fourth thread syncs the filesystem every 16 MiB, so that the disk writes
//! while the others work (`EarlySync`). On the project's machine the early syncs are
//! what made ingest faster; the three stages and the reuse of buffers below save CPU
//! time that did not show in the wall-clock time there (docs/benchmarks.md, "Attachment
//! ingest").
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
use rusqlite::{params, Transaction};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::Arc;
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

/// Syncs of the vault's filesystem while an attachment streams in, so that the disk
/// writes the pages SQLite has written while the pipeline goes on, instead of all of
/// them at the commit's fsync.
///
/// This changes nothing of the transaction's atomicity: SQLite writes a page into the
/// file only after the journal that can undo it is on disk, and the commit still syncs.
/// The sync goes through the vault's folder (syncfs), not a descriptor of the vault
/// file: closing any descriptor of a file drops every POSIX lock the process holds on
/// it, SQLite's included, even those of another connection of this process. syncfs also
/// writes other programs' dirty pages on that filesystem; the thread is detached, so the
/// end of an attachment never waits for a sync, and once the attachment ends it starts
/// none.
struct EarlySync {
    kick: Option<SyncSender<()>>,
    done: Arc<AtomicBool>,
}

impl EarlySync {
    fn start(folder: Option<File>) -> EarlySync {
        let done = Arc::new(AtomicBool::new(false));
        let kick = folder.and_then(|folder| {
            // At most one request waits: a sync still running covers the pages of the
            // next. If no thread can be made, nothing is synced early.
            let (kick, kicked) = sync_channel::<()>(1);
            let ended = Arc::clone(&done);
            std::thread::Builder::new()
                .name("kua-early-sync".into())
                .spawn(move || {
                    for () in kicked {
                        if ended.load(Ordering::Acquire) {
                            break;
                        }
                        sync_filesystem(&folder);
                    }
                })
                .ok()
                .map(|_| kick)
        });
        EarlySync { kick, done }
    }

    fn request(&self) {
        if let Some(kick) = &self.kick {
            let _ = kick.try_send(());
        }
    }
}

impl Drop for EarlySync {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Release);
    }
}

/// The folder whose filesystem is synced early while an attachment streams in: the real
/// folder of the vault, symbolic links resolved. None where syncfs does not exist.
#[cfg(target_os = "linux")]
pub(crate) fn sync_folder(vault: &std::path::Path) -> Option<File> {
    let real = std::fs::canonicalize(vault).ok()?;
    File::open(real.parent()?).ok()
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn sync_folder(_: &std::path::Path) -> Option<File> {
    None
}

/// Asks the kernel to write the dirty pages of the filesystem that holds `folder`.
/// Its errors are not the attachment's: syncfs reports a failed write of any file on the
/// filesystem, and one of the vault's own reaches the commit's fsync through SQLite's
/// descriptor (Linux reports a failed write-back to every descriptor open when it
/// failed), which fails the commit.
#[cfg(target_os = "linux")]
fn sync_filesystem(folder: &File) {
    let _ = rustix::fs::syncfs(folder);
}

#[cfg(not(target_os = "linux"))]
fn sync_filesystem(_: &File) {}

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

    /// The first stage alone, with its only buffers reused ones full of 0xFF: the short
    /// last chunk must come out zero-padded, sealed that way.
    #[test]
    fn a_short_last_chunk_in_a_reused_buffer_is_zero_padded() {
        let mut seams = seams();
        let (vault, id) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let key = Key::from_slice(&[5; 32]).unwrap();
        let sealer = ChunkSealer::new(&mut seams, &key, &vault, &key, id);
        let (out, sealed) = sync_channel(8);
        let (recycle, recycled) = channel();
        for _ in 0..4 {
            recycle.send(Zeroizing::new(vec![0xFF; CHUNK])).unwrap();
        }
        let data = vec![7u8; CHUNK + 100];
        read_and_seal(&mut &data[..], &sealer, &out, &recycled);
        drop(out);
        let chunks: Vec<Sealed> = sealed.into_iter().map(|c| c.unwrap()).collect();
        assert_eq!(chunks.len(), 2);
        // Three of the four reused buffers were taken: the current, and two read ahead.
        assert_eq!(recycled.try_iter().count(), 1, "fresh buffers were made");
        let last = &chunks[1];
        assert!(last.last && last.len == 100);
        assert!(last.plain[..100].iter().all(|&b| b == 7));
        assert!(
            last.plain[100..].iter().all(|&b| b == 0),
            "stale 0xFF in the padding"
        );
        let plain = open_chunk(
            &key,
            &vault,
            Nonces::Random,
            (&id, &[0; 19]),
            (1, true, 100),
            &last.body,
            "test",
        )
        .unwrap();
        assert!(
            plain[100..].iter().all(|&b| b == 0),
            "sealed with stale bytes"
        );
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
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE chunk (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            .unwrap();
        let mut seams = seams();
        let key = Key::from_slice(&[5; 32]).unwrap();
        let vault = Uuid::from_u128(1);
        let sealer = ChunkSealer::new(&mut seams, &key, &vault, &key, Uuid::from_u128(2));
        let tx = db.unchecked_transaction().unwrap();
        // Half a chunk, an end, then more.
        let mut source = Growing(vec![vec![1; CHUNK / 2], Vec::new(), vec![2; CHUNK]]);
        let got = ingest(&mut source, &sealer, &tx, None, &mut Silent);
        assert!(
            matches!(&got, Err(Error::BadInput(m)) if m.contains("changed")),
            "{got:?}"
        );
    }

    /// The store failing midway (a full disk) ends every stage: an error, not a hang.
    #[test]
    fn a_store_that_fails_midway_stops_every_stage() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE chunk (id INTEGER PRIMARY KEY, body BLOB NOT NULL);
             CREATE TRIGGER full BEFORE INSERT ON chunk
             WHEN (SELECT count(*) FROM chunk) >= 5
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .unwrap();
        let mut seams = seams();
        let key = Key::from_slice(&[5; 32]).unwrap();
        let vault = Uuid::from_u128(1);
        let sealer = ChunkSealer::new(&mut seams, &key, &vault, &key, Uuid::from_u128(2));
        let tx = db.unchecked_transaction().unwrap();
        // Counts what the stages took from the source.
        struct Counted<'a>(&'a [u8], &'a std::sync::atomic::AtomicUsize);
        impl Read for Counted<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.read(buf)?;
                self.1.fetch_add(n, Ordering::Relaxed);
                Ok(n)
            }
        }
        let data = vec![3u8; 100 * CHUNK];
        let taken = std::sync::atomic::AtomicUsize::new(0);
        let got = ingest(&mut Counted(&data, &taken), &sealer, &tx, None, &mut Silent);
        assert!(
            matches!(&got, Err(e) if e.to_string().contains("full")),
            "{got:?}"
        );
        // Five stored, then at most what fits in the two channels, one chunk in each
        // stage's hands and the two the reader holds: the reading stopped.
        let bound = (5 + 2 * DEPTH + 4) * CHUNK;
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
