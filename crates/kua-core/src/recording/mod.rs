//! Recordings: an attachment written while it is being captured, so that a crash, a
//! power cut or a kill loses at most what arrived since the last flush.
//!
//! Layout. A recording uses the attachment chunk layout (64 KiB chunks, keyed row ids)
//! from its first byte. Full chunks are committed as they fill; the partial last chunk
//! (the "tail") is sealed again and replaced on every flush, each time under a fresh
//! random nonce (chunks.rs): two copies of the file taken a flush apart hold two
//! sealings of the tail, and they must never share a nonce. Until
//! the recording ends, an open-recording record (sealed like every vault secret, name
//! `recording:<id>`) holds what recovery needs: the record key, the nonce scheme, number of
//! committed chunks, tail length, markers. Nothing is ever in plaintext on disk.
//!
//! Invariants. Every flush is one transaction (chunks, tail and open record together),
//! so after a crash the stored chunks and the open record agree. The tail is never
//! empty once a byte arrived, so the last chunk can always be re-sealed as the last.
//! On finish (or recovery) the tail is re-sealed with the STREAM "last" flag, the
//! attachment record is written, the open record deleted, and the log gets
//! `attachment_added` with the SHA-256 of the whole stream (after `recording_recovered`
//! when it was recovered). Locking the vault drops a recording in progress as a crash
//! would: what was flushed is recovered at the next unlock.

use crate::attachment::Meta;
use crate::catalog::parse_id;
use crate::chunks::{chunk_rowid, ChunkSealer, Nonces};
use crate::crypto::hex;
use crate::custody::{Change, Event};
use crate::error::{Error, Result};
use crate::model::AttachmentInfo;
use crate::records::Head;
use crate::vault::{Ctx, Vault};
use crate::CHUNK;

mod recover;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::{Zeroize, Zeroizing};

const PREFIX: &str = "recording:";

/// A recording's record is rewritten on every flush without a log entry; every this
/// many revisions (about 30 s of recording at one flush a second) its state is logged
/// as `recording_saved`, so a record rolled back to before that is detected (secret.rs).
const SAVED_EVERY: u32 = 30;

/// A time-stamped marker dropped during a recording: a short note or a template section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Marker {
    /// Milliseconds from the start of the recording.
    pub at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A template section id, e.g. `detention`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// What the caller knows about a recording when it starts.
#[derive(Debug, Clone)]
pub struct NewRecording {
    /// The attachment's name; when empty, `recording-YYYYMMDD-HHMMSS.opus` (UTC) from
    /// the vault's clock, so both front ends name recordings alike.
    pub name: String,
    pub media_type: String,
}

fn default_name(ms: i64) -> String {
    let digits: String = crate::seams::format_time(ms)
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    let (date, time) = digits.split_at(digits.len().min(8));
    format!("recording-{date}-{time}.opus")
}

/// The open-recording record, as stored (sealed) until the recording ends.
#[derive(Serialize, Deserialize)]
struct Open {
    testimony: String,
    name: String,
    media_type: String,
    row: String,
    /// The record key, hex; wiped when this value is dropped.
    key: String,
    prefix: String,
    /// How its chunks are sealed (absent: a recording left open by format 1).
    #[serde(default)]
    nonces: Nonces,
    full_chunks: u64,
    tail_len: usize,
    started_at: i64,
    markers: Vec<Marker>,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

/// A recording being captured by this process.
pub(crate) struct Live {
    open: Open,
    head: Head,
    tail: Zeroizing<Vec<u8>>,
    hasher: Sha256,
    /// Set by recovery when the record was older than its logged state: the revision
    /// found, logged as `recording_rolled_back` with the recovery.
    rolled_back: Option<u32>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("id", &self.head.id)
            .field("full_chunks", &self.open.full_chunks)
            .field("tail", &self.tail.len())
            .finish_non_exhaustive()
    }
}

fn secret_name(id: &Uuid) -> String {
    format!("{PREFIX}{id}")
}

/// The name of a recording's record, from the recording id as the log writes it.
pub(crate) fn secret_name_str(id: &str) -> String {
    format!("{PREFIX}{id}")
}

fn decode_open(bytes: &[u8], id: &Uuid) -> Result<Open> {
    serde_json::from_slice(bytes).map_err(|_| Error::integrity(format!("open recording {id}")))
}

impl Ctx<'_> {
    /// Every open-recording record in the vault (left by a recording in progress or cut
    /// short), by recording id.
    fn open_recordings(&self) -> Result<Vec<(Uuid, Open)>> {
        Ok(self
            .open_recordings_rev()?
            .into_iter()
            .map(|(id, open, _)| (id, open))
            .collect())
    }

    /// Every open-recording record with its revision.
    fn open_recordings_rev(&self) -> Result<Vec<(Uuid, Open, u32)>> {
        let names: Vec<String> = self
            .db
            .prepare("SELECT name FROM secret WHERE name LIKE 'recording:%'")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        // A record that does not open or parse is left out: verify names it
        // (`setting_unreadable`), and it must not stop the others from being recovered.
        let mut out = Vec::new();
        for name in names {
            let Ok(id) = Uuid::parse_str(&name[PREFIX.len()..]) else {
                continue;
            };
            if let Ok(Some((bytes, rev))) = self.read_secret_rev(&name) {
                if let Ok(open) = decode_open(&bytes, &id) {
                    out.push((id, open, rev));
                }
            }
        }
        Ok(out)
    }

    /// Chunks held by open recordings (committed full chunks and each one's tail).
    pub(crate) fn open_recording_chunks(&self) -> Result<u64> {
        let mut chunks = 0;
        for (id, open) in self.open_recordings()? {
            chunks += open.full_chunks + u64::from(!self.never_flushed(&id, &open)?);
        }
        Ok(chunks)
    }

    /// Whether a recording was cut short before its first flush: its open record says
    /// nothing was captured and no chunk was stored. Once a flush ran there is always a
    /// tail chunk (empty or not), so a missing chunk anywhere else is damage.
    fn never_flushed(&self, id: &Uuid, open: &Open) -> Result<bool> {
        if open.full_chunks != 0 || open.tail_len != 0 {
            return Ok(false);
        }
        let rowid = chunk_rowid(&self.keys.sub.chunk_ids, id, 0);
        let stored: i64 = self.db.query_row(
            "SELECT count(*) FROM chunk WHERE id = ?1",
            params![rowid],
            |r| r.get(0),
        )?;
        Ok(stored == 0)
    }

    /// Erases the open recordings of a testimony being deleted (their chunks and open
    /// records, inside the caller's transaction); returns their ids.
    pub(crate) fn delete_open_recordings(
        &self,
        tx: &rusqlite::Connection,
        testimony: &Uuid,
    ) -> Result<Vec<Uuid>> {
        let mut erased = Vec::new();
        for (id, open) in self.open_recordings()? {
            if open.testimony != testimony.to_string() {
                continue;
            }
            for index in 0..=open.full_chunks {
                tx.execute(
                    "DELETE FROM chunk WHERE id = ?1",
                    params![chunk_rowid(&self.keys.sub.chunk_ids, &id, index)],
                )?;
            }
            tx.execute(
                "DELETE FROM secret WHERE name = ?1",
                params![secret_name(&id)],
            )?;
            erased.push(id);
        }
        Ok(erased)
    }

    /// Seals `plain` (at most one chunk) as chunk `index`, padded to a full chunk.
    fn seal_chunk(
        sealer: &ChunkSealer<'_>,
        index: u64,
        last: bool,
        plain: &[u8],
    ) -> Result<(i64, Vec<u8>)> {
        let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
        buf[..plain.len()].copy_from_slice(plain);
        sealer.seal(index, last, plain.len(), &buf)
    }

    /// Commits the full chunks in the buffer and the tail, and the open record, in one
    /// transaction. With `last`, the tail is sealed as the final chunk.
    fn flush_live(&mut self, id: &Uuid, markers: Option<&[Marker]>, last: bool) -> Result<()> {
        let mut live = self
            .keys
            .recordings
            .remove(id)
            .ok_or_else(|| Error::BadInput(format!("no recording {id} in progress")))?;
        if let Some(m) = markers {
            live.open.markers = m.to_vec();
        }
        let result = (|| {
            // A new sealer, with a fresh nonce seed, for every flush.
            let sealer = ChunkSealer::new(
                self.seams,
                &live.head.key,
                &self.vault,
                &self.keys.sub.chunk_ids,
                live.head.id,
            );
            let tx = self.db.unchecked_transaction()?;
            let mut full = live.open.full_chunks;
            let mut start = 0;
            // Keep at least one byte in the tail: the last chunk is always the tail.
            while live.tail.len() - start > CHUNK {
                let (rowid, sealed) =
                    Self::seal_chunk(&sealer, full, false, &live.tail[start..start + CHUNK])?;
                tx.execute(
                    "INSERT OR REPLACE INTO chunk (id, body) VALUES (?1, ?2)",
                    params![rowid, sealed],
                )?;
                full += 1;
                start += CHUNK;
            }
            let rest = &live.tail[start..];
            let (rowid, sealed) = Self::seal_chunk(&sealer, full, last, rest)?;
            tx.execute(
                "INSERT OR REPLACE INTO chunk (id, body) VALUES (?1, ?2)",
                params![rowid, sealed],
            )?;
            let mut open = clone_open(&live.open);
            open.full_chunks = full;
            open.tail_len = rest.len();
            let mut tail = self.keys.tail;
            if !last {
                let bytes = Zeroizing::new(
                    serde_json::to_vec(&open).map_err(|e| Error::Storage(e.to_string()))?,
                );
                let state = self.write_secret(&tx, &secret_name(id), &bytes)?;
                if state.rev % SAVED_EVERY == 0 {
                    let mut change = state.change(Some(id.to_string()));
                    change.record = parse_id(&open.testimony).ok();
                    self.log(&tx, &mut tail, Event::RecordingSaved, change)?;
                }
            }
            tx.commit()?;
            self.keys.tail = tail;
            std::mem::swap(&mut live.open, &mut open);
            let rest = rest.to_vec();
            live.tail = Zeroizing::new(rest);
            Ok(())
        })();
        self.keys.recordings.insert(*id, live);
        result
    }

    /// Writes the attachment record of a finished (or recovered) recording, deletes its
    /// open record and logs the end, in one transaction.
    fn close(
        &mut self,
        id: &Uuid,
        sha256: String,
        size: u64,
        recovered: bool,
    ) -> Result<AttachmentInfo> {
        let live = self
            .keys
            .recordings
            .remove(id)
            .ok_or_else(|| Error::BadInput(format!("no recording {id} in progress")))?;
        let testimony = parse_id(&live.open.testimony)?;
        let tx = self.db.unchecked_transaction()?;
        let chunks = live.open.full_chunks + 1;
        let filler = ChunkSealer::new(
            self.seams,
            &live.head.key,
            &self.vault,
            &self.keys.sub.chunk_ids,
            live.head.id,
        );
        let padding = crate::chunks::store_padding(&tx, &filler, chunks)?;
        let meta = Meta {
            testimony: live.open.testimony.clone(),
            name: live.open.name.clone(),
            media_type: live.open.media_type.clone(),
            size,
            sha256,
            chunks,
            nonce_prefix: String::new(),
            nonces: Nonces::Random,
            padding,
            added_at: self.seams.clock.now_ms(),
            captured_at: Some(crate::seams::format_time(live.open.started_at)),
            markers: live.open.markers.clone(),
        };
        tx.execute(
            "DELETE FROM secret WHERE name = ?1",
            params![secret_name(id)],
        )?;
        let mut tail = self.keys.tail;
        if let Some(rev) = live.rolled_back {
            let change = Change {
                record: Some(testimony),
                version: Some(rev),
                content_hash: None,
                detail: Some(id.to_string()),
            };
            self.log(&tx, &mut tail, Event::RecordingRolledBack, change)?;
        }
        let before = recovered.then_some(Event::RecordingRecovered);
        self.store_attachment(&tx, &mut tail, &live.head, &meta, before)?;
        tx.commit()?;
        self.keys.tail = tail;
        let info = Ctx::info(&meta, id);
        self.keys
            .catalog
            .attachments
            .entry(testimony)
            .or_default()
            .push(live.head);
        Ok(info)
    }
}

fn clone_open(o: &Open) -> Open {
    Open {
        testimony: o.testimony.clone(),
        name: o.name.clone(),
        media_type: o.media_type.clone(),
        row: o.row.clone(),
        key: o.key.clone(),
        prefix: o.prefix.clone(),
        nonces: o.nonces,
        full_chunks: o.full_chunks,
        tail_len: o.tail_len,
        started_at: o.started_at,
        markers: o.markers.clone(),
    }
}

impl Vault {
    /// Starts a recording that will become an attachment of `testimony`; returns its id.
    pub fn begin_recording(&mut self, testimony: &str, new: NewRecording) -> Result<String> {
        let testimony = parse_id(testimony)?;
        let mut ctx = self.ctx()?;
        ctx.check_can_attach(&testimony)?;
        let id = ctx.seams.uuid();
        let head = Head::new(ctx.seams, id, 1, testimony);
        let started_at = ctx.seams.clock.now_ms();
        let open = Open {
            testimony: testimony.to_string(),
            name: if new.name.trim().is_empty() {
                default_name(started_at)
            } else {
                new.name
            },
            media_type: new.media_type,
            row: head.row.to_string(),
            key: hex(head.key.expose()),
            prefix: String::new(),
            nonces: Nonces::Random,
            full_chunks: 0,
            tail_len: 0,
            started_at,
            markers: Vec::new(),
        };
        let bytes =
            Zeroizing::new(serde_json::to_vec(&open).map_err(|e| Error::Storage(e.to_string()))?);
        let tx = ctx.db.unchecked_transaction()?;
        let state = ctx.write_secret(&tx, &secret_name(&id), &bytes)?;
        let mut tail = ctx.keys.tail;
        let mut change = state.change(Some(id.to_string()));
        change.record = Some(testimony);
        ctx.log(&tx, &mut tail, Event::RecordingStarted, change)?;
        tx.commit()?;
        ctx.keys.tail = tail;
        ctx.keys.recordings.insert(
            id,
            Live {
                open,
                head,
                tail: Zeroizing::new(Vec::new()),
                hasher: Sha256::new(),
                rolled_back: None,
            },
        );
        Ok(id.to_string())
    }

    /// Adds encoded bytes to a recording, in memory until the next flush.
    pub fn append_recording(&mut self, recording: &str, bytes: &[u8]) -> Result<()> {
        let id = parse_id(recording)?;
        let ctx = self.ctx()?;
        let live = ctx
            .keys
            .recordings
            .get_mut(&id)
            .ok_or_else(|| Error::BadInput(format!("no recording {id} in progress")))?;
        live.hasher.update(bytes);
        live.tail.extend_from_slice(bytes);
        Ok(())
    }

    /// Makes everything appended so far durable (callers flush at least every 2 s),
    /// with the markers dropped so far.
    pub fn flush_recording(&mut self, recording: &str, markers: &[Marker]) -> Result<()> {
        let id = parse_id(recording)?;
        self.ctx()?.flush_live(&id, Some(markers), false)
    }

    /// Ends a recording: it becomes an attachment with its evidence hash.
    pub fn finish_recording(
        &mut self,
        recording: &str,
        markers: &[Marker],
    ) -> Result<AttachmentInfo> {
        let id = parse_id(recording)?;
        let mut ctx = self.ctx()?;
        ctx.flush_live(&id, Some(markers), true)?;
        let live = ctx
            .keys
            .recordings
            .get(&id)
            .ok_or_else(|| Error::BadInput(format!("no recording {id} in progress")))?;
        let sha = hex(&live.hasher.clone().finalize());
        let size = live.open.full_chunks * CHUNK as u64 + live.open.tail_len as u64;
        ctx.close(&id, sha, size, false)
    }
}
