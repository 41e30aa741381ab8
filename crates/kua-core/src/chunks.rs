//! Attachment chunks: their nonces, bindings and unlinkable row ids, and reading them
//! back one by one; sealing and storing them is in `sealing.rs`. The layout is in
//! docs/vault-format.md.
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

mod sealing;

pub(crate) use sealing::{
    chunk_buffer, fill, read_chunk, store_padding, store_sequential, ChunkSealer,
};

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
