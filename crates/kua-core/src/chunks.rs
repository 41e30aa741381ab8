//! Attachment chunks: their nonces, bindings and unlinkable row ids; reading them back
//! one by one; sealing and storing them. The layout is in docs/vault-format.md.
//!
//! Invariant: no two sealings under one record key ever share a nonce. Chunks written
//! since format 2 carry a fresh random nonce each time they are sealed (a recording's
//! last chunk is sealed again on every flush), and their index and "last" flag are bound
//! in the AAD instead of the nonce. Attachments written by format 1 keep their STREAM
//! nonces (`prefix || index || last`), which were used once each for everything but a
//! recording's tail; they stay readable, and nothing new is written that way.

use crate::attachment::{Meta, CHUNK};
use crate::crypto::{Aad, Key, NONCE_LEN};
use crate::error::{Error, Result};
use crate::records::Head;
use crate::vault::Ctx;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use std::io::Read;
use uuid::Uuid;
use zeroize::Zeroizing;

/// How an attachment's chunk nonces are made: recorded in its (sealed) metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Nonces {
    /// Format 1: `prefix || index (u32) || last`, AAD (vault, "chunk", attachment, index).
    #[default]
    Stream,
    /// Format 2: a fresh random nonce per sealing, AAD (vault, "chunk2", attachment,
    /// index, last, length).
    Random,
}

pub(crate) fn chunk_aad(vault: &Uuid, attachment: &Uuid, index: u64) -> Aad {
    Aad::new(vault, "chunk")
        .with(attachment.as_bytes())
        .with_u64(index)
}

/// The binding of a format-2 chunk: its attachment, its place, whether it ends the
/// stream, and how many of its bytes are content, so that moving, reordering or
/// truncating chunks makes them fail to open, and so that an earlier sealing of a
/// recording's tail (fewer bytes, from an old copy or old WAL frames) cannot stand in
/// for the chunk it grew into.
pub(crate) fn chunk_aad_v2(
    vault: &Uuid,
    attachment: &Uuid,
    index: u64,
    last: bool,
    len: usize,
) -> Aad {
    Aad::new(vault, "chunk2")
        .with(attachment.as_bytes())
        .with_u64(index)
        .with(&[u8::from(last)])
        .with_u64(len as u64)
}

/// Opens one stored chunk, as its attachment's nonce scheme says; `len` is how many of
/// its bytes are content.
pub(crate) fn open_chunk(
    key: &Key,
    vault: &Uuid,
    nonces: Nonces,
    (attachment, prefix): (&Uuid, &[u8; 19]),
    (index, last, len): (u64, bool, usize),
    sealed: &[u8],
    place: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    match nonces {
        Nonces::Stream => {
            let nonce = chunk_nonce(prefix, index, last)?;
            if sealed.get(..NONCE_LEN) != Some(&nonce[..]) {
                return Err(Error::integrity(place));
            }
            crate::crypto::open(key, sealed, &chunk_aad(vault, attachment, index), place)
        }
        Nonces::Random => crate::crypto::open(
            key,
            sealed,
            &chunk_aad_v2(vault, attachment, index, last, len),
            place,
        ),
    }
}

pub(crate) fn chunk_nonce(prefix: &[u8; 19], index: u64, last: bool) -> Result<[u8; NONCE_LEN]> {
    let index = u32::try_from(index)
        .map_err(|_| Error::BadInput("attachment too large (over 256 TiB)".into()))?;
    let mut nonce = [0u8; NONCE_LEN];
    nonce[..19].copy_from_slice(prefix);
    nonce[19..23].copy_from_slice(&index.to_be_bytes());
    nonce[23] = u8::from(last);
    Ok(nonce)
}

pub(crate) fn chunk_rowid(ids: &Key, attachment: &Uuid, index: u64) -> i64 {
    let mut data = attachment.as_bytes().to_vec();
    data.extend_from_slice(&index.to_be_bytes());
    let mac = ids.mac(&data);
    let mut b = [0u8; 8];
    b.copy_from_slice(&mac[..8]);
    (u64::from_be_bytes(b) >> 1) as i64
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

/// Reads an attachment's plaintext chunk by chunk, checking each chunk's place, nonce
/// and tag. (The evidence hash is the caller's to check.)
pub(crate) struct ChunkReader<'a> {
    db: &'a Connection,
    vault: Uuid,
    ids: &'a crate::crypto::Key,
    head: &'a Head,
    prefix: [u8; 19],
    nonces: Nonces,
    chunks: u64,
    left: u64,
    index: u64,
    buf: Zeroizing<Vec<u8>>,
    pos: usize,
}

impl std::fmt::Debug for ChunkReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ChunkReader({}, chunk {}/{})",
            self.head.id, self.index, self.chunks
        )
    }
}

impl<'a> ChunkReader<'a> {
    pub(crate) fn new(ctx: &'a Ctx<'_>, head: &'a Head, meta: &Meta) -> Result<Self> {
        let prefix: [u8; 19] = match meta.nonces {
            Nonces::Random => [0u8; 19],
            Nonces::Stream => data_encoding::HEXLOWER
                .decode(meta.nonce_prefix.as_bytes())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| Error::integrity(format!("attachment {}", head.id)))?,
        };
        Ok(ChunkReader {
            db: ctx.db,
            vault: ctx.vault,
            ids: &ctx.keys.sub.chunk_ids,
            head,
            prefix,
            nonces: meta.nonces,
            chunks: meta.chunks,
            left: meta.size,
            index: 0,
            buf: Zeroizing::new(Vec::new()),
            pos: 0,
        })
    }

    /// Moves to chunk `index` (for reading a range); the next `next_chunk` opens it.
    pub(crate) fn skip_to(&mut self, index: u64) {
        let index = index.min(self.chunks);
        let total = self.left + self.index * CHUNK as u64;
        self.left = total.saturating_sub(index * CHUNK as u64);
        self.index = index;
        self.buf = Zeroizing::new(Vec::new());
        self.pos = 0;
    }

    /// The next chunk's plaintext (without padding), or None after the last.
    pub(crate) fn next_chunk(&mut self) -> Result<Option<&[u8]>> {
        if self.index == self.chunks {
            return Ok(None);
        }
        let i = self.index;
        let place = || format!("attachment {} chunk {i}", self.head.id);
        let sealed: Vec<u8> = self
            .db
            .prepare_cached("SELECT body FROM chunk WHERE id = ?1")?
            .query_row(params![chunk_rowid(self.ids, &self.head.id, i)], |r| {
                r.get(0)
            })
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Error::integrity(place()),
                e => e.into(),
            })?;
        let take = self.left.min(CHUNK as u64) as usize;
        self.buf = open_chunk(
            &self.head.key,
            &self.vault,
            self.nonces,
            (&self.head.id, &self.prefix),
            (i, i + 1 == self.chunks, take),
            &sealed,
            &place(),
        )?;
        if self.buf.len() < take {
            return Err(Error::integrity(place()));
        }
        self.buf.truncate(take);
        self.left -= take as u64;
        self.index += 1;
        self.pos = 0;
        Ok(Some(&self.buf))
    }
}

impl Read for ChunkReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.buf.len() {
            let more = self
                .next_chunk()
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            if more.is_none() {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
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
/// chunk and stores it, a second one seals the chunks in between, so that on two cores
/// the sealing overlaps the reading and the page writes. Returns (size, chunk count).
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
    std::thread::scope(|scope| -> Result<(u64, u64)> {
        let (to_seal, plain) =
            std::sync::mpsc::sync_channel::<(u64, bool, usize, Zeroizing<Vec<u8>>)>(IN_FLIGHT);
        let (to_store, sealed) = std::sync::mpsc::sync_channel::<Result<(i64, Vec<u8>)>>(IN_FLIGHT);
        let sealing = scope.spawn(move || {
            // Every chunk is sealed whole (CHUNK bytes, the last one zero-filled past
            // its length), as `attach` seals them.
            for (index, last, len, chunk) in plain {
                if to_store
                    .send(sealer.seal(index, last, len, &chunk))
                    .is_err()
                {
                    return;
                }
            }
        });
        let stored = (|| -> Result<(u64, u64)> {
            let mut store_one = || -> Result<()> {
                let (rowid, body) = sealed.recv().map_err(|_| {
                    Error::Storage("the chunk sealing stopped unexpectedly".into())
                })??;
                stmt.execute(params![rowid, body])?;
                Ok(())
            };
            let mut current = Zeroizing::new(vec![0u8; CHUNK]);
            let mut len = fill(source, &mut current)?;
            let (mut size, mut index, mut in_flight) = (0u64, 0u64, 0usize);
            loop {
                let mut next = Zeroizing::new(vec![0u8; CHUNK]);
                let next_len = fill(source, &mut next)?;
                let last = next_len == 0;
                if in_flight == IN_FLIGHT {
                    store_one()?;
                    in_flight -= 1;
                }
                size += len as u64;
                to_seal
                    .send((index, last, len, current))
                    .map_err(|_| Error::Storage("the chunk sealing stopped unexpectedly".into()))?;
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
                store_one()?;
            }
            Ok((size, index))
        })();
        // On an early error the channels are gone by now, so the sealing thread ends.
        drop(sealed);
        match sealing.join() {
            Ok(()) => stored,
            Err(_) => Err(Error::Storage(
                "the chunk sealing stopped unexpectedly".into(),
            )),
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
