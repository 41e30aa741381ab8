//! Sealing and storing an attachment's chunks: the sealer of one session, the buffers
//! chunks are sealed in, and the two ways of storing a stream (the attachment ingest,
//! `crate::ingest`, and `store_sequential` for sources that cannot move to another
//! thread), with the filler chunks that pad an attachment.
//!
//! Invariant: a chunk's plaintext is sealed in place, in a buffer from `chunk_buffer`,
//! which holds room for the nonce, then CHUNK bytes (content, then zeros), and capacity
//! for the tag. While it holds plaintext it is in a wiping wrapper, so that a chunk
//! dropped on any path is wiped; once sealed it holds only ciphertext, and after it was
//! stored it may be filled again without being wiped (wiping is a byte-by-byte volatile
//! loop, 7 % of the storing thread's samples when every chunk was wiped).

use super::{chunk_aad_v2, chunk_rowid};
use crate::attachment::CHUNK;
use crate::crypto::{Key, NONCE_LEN, TAG_LEN};
use crate::error::{Error, Result};
use rusqlite::{params, Connection};
use std::io::Read;
use uuid::Uuid;
use zeroize::Zeroizing;

/// A buffer to read one chunk into and seal it in place: room for the nonce, then CHUNK
/// bytes, with capacity for the tag so that sealing never reallocates. `reuse` is a
/// stored body (ciphertext only) to fill again instead of allocating; it is cut back to
/// that length, and the read that follows overwrites all of it but the nonce's room.
pub(crate) fn chunk_buffer(reuse: Option<Vec<u8>>) -> Zeroizing<Vec<u8>> {
    // A stored body has room for the tag; anything smaller is not one, and cutting it
    // back or growing it could leave bytes behind in an allocation nobody wipes.
    debug_assert!(reuse
        .as_ref()
        .is_none_or(|b| b.len() == NONCE_LEN + CHUNK + TAG_LEN));
    let mut buf = reuse.unwrap_or_else(|| Vec::with_capacity(NONCE_LEN + CHUNK + TAG_LEN));
    buf.resize(NONCE_LEN + CHUNK, 0);
    Zeroizing::new(buf)
}

/// Reads the next chunk into `buf` (from `chunk_buffer`), which may hold an earlier
/// chunk, and zeroes what the stream did not fill: every chunk is sealed whole, the last
/// one zero-padded. Returns the bytes read.
pub(crate) fn read_chunk(source: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let Some(content) = buf.get_mut(NONCE_LEN..) else {
        return Err(std::io::Error::other(
            "a chunk's buffer has no room for its nonce",
        ));
    };
    let n = fill(source, content)?;
    content[n..].fill(0);
    Ok(n)
}

/// Reads exactly one chunk (or what is left). Returns the number of bytes read.
pub(crate) fn fill(source: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match source.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// What sealing the chunks of one attachment needs: its key and place, and a fresh
/// random seed for this sealing session's nonces.
pub(crate) struct ChunkSealer<'a> {
    pub key: &'a crate::crypto::Key,
    pub vault: &'a Uuid,
    pub ids: &'a crate::crypto::Key,
    pub id: Uuid,
    nonce_seed: Key,
}

impl<'a> ChunkSealer<'a> {
    /// A sealer for one session of sealing (an attachment stored, a recording flushed).
    /// The seed is drawn fresh from the vault's RNG every time, so a chunk sealed again
    /// in a later session (a recording's tail) gets a different nonce.
    pub(crate) fn new(
        seams: &mut crate::seams::Seams,
        key: &'a Key,
        vault: &'a Uuid,
        ids: &'a Key,
        id: Uuid,
    ) -> Self {
        ChunkSealer {
            key,
            vault,
            ids,
            id,
            nonce_seed: Key::random(seams),
        }
    }

    /// Seals chunk `index` (a full CHUNK of plaintext, of which `len` bytes are content)
    /// and returns its row id and body.
    /// The nonce is HMAC(seed, index || last) truncated to 24 bytes: distinct for every
    /// chunk of the session, and unpredictable and unrepeated across sessions, since
    /// each session's seed is a fresh 256-bit random key.
    pub(crate) fn seal(
        &self,
        index: u64,
        last: bool,
        len: usize,
        plain: &[u8],
    ) -> Result<(i64, Vec<u8>)> {
        let nonce = self.nonce(index, last);
        let aad = chunk_aad_v2(self.vault, &self.id, index, last, len);
        let sealed = crate::crypto::seal_with_nonce(self.key, &nonce, plain, aad.bytes())?;
        Ok((chunk_rowid(self.ids, &self.id, index), sealed))
    }

    /// Seals chunk `index` in place, as [`Self::seal`] seals a copy: `buf` holds room for
    /// the nonce, then the chunk's plaintext (a full CHUNK, of which `len` bytes are
    /// content). Returns the row id and the body, which is `buf` sealed.
    pub(crate) fn seal_in_place(
        &self,
        index: u64,
        last: bool,
        len: usize,
        buf: Zeroizing<Vec<u8>>,
    ) -> Result<(i64, Vec<u8>)> {
        let nonce = self.nonce(index, last);
        let aad = chunk_aad_v2(self.vault, &self.id, index, last, len);
        let sealed = crate::crypto::seal_in_place(self.key, &nonce, buf, aad.bytes())?;
        Ok((chunk_rowid(self.ids, &self.id, index), sealed))
    }

    /// The nonce of chunk `index`: HMAC(seed, index || last) truncated to 24 bytes.
    fn nonce(&self, index: u64, last: bool) -> [u8; NONCE_LEN] {
        let mut data = [0u8; 9];
        data[..8].copy_from_slice(&index.to_be_bytes());
        data[8] = u8::from(last);
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&self.nonce_seed.mac(&data)[..NONCE_LEN]);
        nonce
    }
}

/// Stores a stream as chunks inside the caller's transaction, for sources that cannot
/// move to another thread (a file inside a bundle being read): this thread reads each
/// chunk and stores it, a second one seals the chunks in between, in place, so that on
/// two cores the sealing overlaps the reading and the page writes. Each body stored is
/// filled again with a later chunk. Returns (size, chunk count).
/// It does not hash: its one caller's source is the bundle reader, which hashes every
/// byte it hands over and fails the import (rolling this transaction back) when they
/// differ from the signed manifest.
pub(crate) fn store_sequential(
    tx: &Connection,
    sealer: &ChunkSealer<'_>,
    source: &mut dyn Read,
) -> Result<(u64, u64)> {
    // How many chunks may be between reading and storing. Each channel holds at most
    // this many, and this thread never has more in flight, so neither side can wait on
    // the other forever.
    const IN_FLIGHT: usize = 2;
    // OR REPLACE: chunks left behind by a received file whose record was removed (and
    // that a later bundle brings again) are replaced, not a reason to refuse the bundle.
    let mut stmt = tx.prepare_cached("INSERT OR REPLACE INTO chunk (id, body) VALUES (?1, ?2)")?;
    let stopped = || Error::Storage("the chunk sealing stopped unexpectedly".into());
    std::thread::scope(|scope| -> Result<(u64, u64)> {
        let (to_seal, plain) =
            std::sync::mpsc::sync_channel::<(u64, bool, usize, Zeroizing<Vec<u8>>)>(IN_FLIGHT);
        let (to_store, sealed) = std::sync::mpsc::sync_channel::<Result<(i64, Vec<u8>)>>(IN_FLIGHT);
        let sealing = std::thread::Builder::new()
            .name("kua-seal".into())
            .spawn_scoped(scope, move || {
                for (index, last, len, chunk) in plain {
                    if to_store
                        .send(sealer.seal_in_place(index, last, len, chunk))
                        .is_err()
                    {
                        break;
                    }
                }
                crate::crypto::scrub_stack();
            })?;
        let stored = (|| -> Result<(u64, u64)> {
            // Bodies stored, to be filled again: at most the chunks in flight and one.
            let mut spare: Vec<Vec<u8>> = Vec::with_capacity(IN_FLIGHT + 1);
            let mut store_one = |spare: &mut Vec<Vec<u8>>| -> Result<()> {
                let (rowid, body) = sealed.recv().map_err(|_| stopped())??;
                stmt.execute(params![rowid, body])?;
                spare.push(body);
                Ok(())
            };
            let mut current = chunk_buffer(None);
            let mut len = read_chunk(source, &mut current)?;
            let (mut size, mut index, mut in_flight) = (0u64, 0u64, 0usize);
            loop {
                let mut next = chunk_buffer(spare.pop());
                let next_len = read_chunk(source, &mut next)?;
                let last = next_len == 0;
                if len < CHUNK && !last {
                    // The source ended and then had more: a short chunk that is not the
                    // last would never read back (as in `crate::ingest`).
                    return Err(Error::BadInput(
                        "a file ended and then went on while it was being stored: it was not stored"
                            .into(),
                    ));
                }
                if in_flight == IN_FLIGHT {
                    store_one(&mut spare)?;
                    in_flight -= 1;
                }
                size += len as u64;
                to_seal
                    .send((index, last, len, current))
                    .map_err(|_| stopped())?;
                in_flight += 1;
                index += 1;
                if last {
                    break;
                }
                current = next;
                len = next_len;
            }
            drop(to_seal);
            for _ in 0..in_flight {
                store_one(&mut spare)?;
            }
            Ok((size, index))
        })();
        // On an early error the channels are gone by now, so the sealing thread ends.
        drop(sealed);
        match sealing.join() {
            Ok(()) => stored,
            Err(_) => Err(stopped()),
        }
    })
}

/// Stores filler chunks after an attachment's last real chunk, up to the Padmé length
/// of its chunk count, so that the number of rows an attachment adds tells its size
/// only roughly (docs/vault-format.md). Fillers are sealed zeros at the indices after
/// the last chunk, under the attachment's key and a fresh nonce; nothing reads them,
/// and their AAD (index past the end, not last) lets none stand in for a real chunk.
/// Returns how many were stored.
pub(crate) fn store_padding(tx: &Connection, sealer: &ChunkSealer<'_>, chunks: u64) -> Result<u64> {
    let padded = crate::crypto::padme(chunks);
    let zeros = vec![0u8; CHUNK];
    let mut stmt = tx.prepare_cached("INSERT OR REPLACE INTO chunk (id, body) VALUES (?1, ?2)")?;
    for index in chunks..padded {
        let (rowid, sealed) = sealer.seal(index, false, 0, &zeros)?;
        stmt.execute(params![rowid, sealed])?;
    }
    Ok(padded - chunks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunks::{open_chunk, Nonces};
    use crate::seams::Seams;

    fn seams() -> Seams {
        Seams::seeded(9)
    }

    fn chunk_table() -> Connection {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE chunk (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            .unwrap();
        db
    }

    /// Five and a half chunks, each chunk's bytes distinct: the fifth and the sixth (the
    /// half one) are read into bodies already stored, so each chunk must hold only its
    /// own bytes, then zeros, and be what sealing a copy of it gives.
    #[test]
    fn a_stream_stored_in_reused_bodies_reads_back_chunk_by_chunk() {
        let key = Key::from_slice(&[6; 32]).unwrap();
        let (vault, id) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let sealer = ChunkSealer::new(&mut seams(), &key, &vault, &key, id);
        let db = chunk_table();
        let len = 5 * CHUNK + CHUNK / 2;
        let data: Vec<u8> = (0..len).map(|i| 0xF0 - (i / CHUNK) as u8).collect();
        let (size, count) = store_sequential(&db, &sealer, &mut &data[..]).unwrap();
        assert_eq!((size, count), (len as u64, 6));
        for index in 0..count {
            let last = index + 1 == count;
            let content = if last { CHUNK / 2 } else { CHUNK };
            let body: Vec<u8> = db
                .query_row(
                    "SELECT body FROM chunk WHERE id = ?1",
                    [chunk_rowid(&key, &id, index)],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(body.len(), NONCE_LEN + CHUNK + TAG_LEN);
            let plain = open_chunk(
                &key,
                &vault,
                Nonces::Random,
                (&id, &[0; 19]),
                (index, last, content),
                &body,
                "test",
            )
            .unwrap();
            let start = index as usize * CHUNK;
            assert_eq!(
                &plain[..content],
                &data[start..start + content],
                "chunk {index}"
            );
            assert!(
                plain[content..].iter().all(|&b| b == 0),
                "chunk {index} padded with stale bytes"
            );
            // Byte for byte what sealing a copy gives: the nonce, the binding, the
            // padding (the same seeded randomness makes the same nonce seed).
            let mut padded = data[start..start + content].to_vec();
            padded.resize(CHUNK, 0);
            let copy = ChunkSealer::new(&mut seams(), &key, &vault, &key, id);
            assert_eq!(body, copy.seal(index, last, content, &padded).unwrap().1);
        }
    }

    /// A source that fails midway, or a store that does, ends the storing with that
    /// error: no hang, nothing reported stored.
    #[test]
    fn a_failing_read_or_store_ends_with_its_error() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("the bundle was cut short"));
                }
                let n = buf.len().min(self.0);
                buf[..n].fill(1);
                self.0 -= n;
                Ok(n)
            }
        }
        let key = Key::from_slice(&[6; 32]).unwrap();
        let (vault, id) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let sealer = ChunkSealer::new(&mut seams(), &key, &vault, &key, id);
        let db = chunk_table();
        let got = store_sequential(&db, &sealer, &mut Failing(5 * CHUNK + 7));
        assert!(
            matches!(&got, Err(Error::Io(e)) if e.to_string().contains("cut short")),
            "{got:?}"
        );
        db.execute_batch(
            "CREATE TRIGGER full BEFORE INSERT ON chunk
             WHEN (SELECT count(*) FROM chunk) >= 8
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .unwrap();
        let data = vec![2u8; 40 * CHUNK];
        let got = store_sequential(&db, &sealer, &mut &data[..]);
        // A full disk simulated by a trigger: SQLite reports it as a constraint, not as
        // SQLITE_FULL, so this is the store's error path, not the disk-full mapping.
        assert!(
            matches!(&got, Err(e) if e.to_string().contains("full")),
            "{got:?}"
        );
    }

    /// A source that ends and then goes on is refused rather than stored with a short
    /// chunk in the middle, which would never read back.
    #[test]
    fn a_source_that_ends_and_goes_on_is_refused() {
        struct Resumed(Vec<Vec<u8>>);
        impl Read for Resumed {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() {
                    return Ok(0);
                }
                let mut next = self.0.remove(0);
                let n = buf.len().min(next.len());
                buf[..n].copy_from_slice(&next[..n]);
                if n < next.len() {
                    self.0.insert(0, next.split_off(n));
                }
                Ok(n)
            }
        }
        let key = Key::from_slice(&[6; 32]).unwrap();
        let (vault, id) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let sealer = ChunkSealer::new(&mut seams(), &key, &vault, &key, id);
        // Half a chunk, an end (an empty read), then a whole chunk more.
        let mut source = Resumed(vec![vec![1; CHUNK / 2], Vec::new(), vec![2; CHUNK]]);
        let got = store_sequential(&chunk_table(), &sealer, &mut source);
        assert!(
            matches!(&got, Err(Error::BadInput(m)) if m.contains("went on")),
            "{got:?}"
        );
    }
}
