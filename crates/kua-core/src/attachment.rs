//! Attachments: photos, documents, audio, video, streamed into the vault in fixed-size
//! encrypted chunks, in constant memory whatever the size.
//!
//! Chunk `i` of an attachment holds exactly `CHUNK` plaintext bytes (the last one is
//! zero-padded, the true size is in the metadata) sealed with the attachment's own key
//! under a fresh random nonce, with AAD (vault, "chunk2", attachment id, i, last) (see
//! chunks.rs for format 1's STREAM nonces, still read). Its rowid is HMAC(chunk-ids subkey, attachment id || i),
//! so nothing on disk links a chunk to its attachment. The SHA-256 of the original bytes,
//! computed on the way in, is the evidence hash; extraction recomputes it.

use crate::catalog::parse_id;
use crate::chunks::{chunk_rowid, ChunkReader, ChunkSealer};
use crate::crypto::hex;
use crate::custody::{Change, Event, Tail};
use crate::error::{Error, Result};
use crate::model::AttachmentInfo;
use crate::progress::Progress;
use crate::records::Head;
use crate::seams::format_time;
use crate::store::Table;
use crate::testimony::decode;
use crate::vault::{Ctx, Vault};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use uuid::Uuid;

/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;

/// What the caller knows about a new attachment.
#[derive(Debug, Clone, Default)]
pub struct NewAttachment {
    /// The original file name (kept encrypted).
    pub name: String,
    /// MIME type; guessed from the name when absent.
    pub media_type: Option<String>,
    /// When the photo or recording was made, if known (YYYY-MM-DDTHH:MM).
    pub captured_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Meta {
    pub testimony: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
    pub chunks: u64,
    /// The STREAM nonce prefix of a format-1 attachment, hex; empty since format 2.
    #[serde(default)]
    pub nonce_prefix: String,
    /// How the chunk nonces were made (absent: format 1's STREAM nonces).
    #[serde(default)]
    pub nonces: crate::chunks::Nonces,
    /// Filler chunks stored after the last one (chunks.rs `store_padding`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub padding: u64,
    pub added_at: i64,
    pub captured_at: Option<String>,
    /// Markers of a recording (see recording.rs); none for other attachments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<crate::recording::Marker>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn guess_media_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "heic" => "image/heic",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "ogg" | "opus" => "audio/ogg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

impl Ctx<'_> {
    pub(crate) fn read_meta(&self, head: &Head) -> Result<Meta> {
        let bytes = self.read(Table::Attachment, head)?;
        decode(&bytes, || format!("attachment {}", head.id))
    }

    /// Writes an attachment's record and logs `attachment_added` with its evidence hash,
    /// inside the caller's transaction; `before` (a recording's recovery) is logged just
    /// ahead of it. The one place an attachment of a testimony comes into being.
    pub(crate) fn store_attachment(
        &mut self,
        tx: &Connection,
        tail: &mut Tail,
        head: &Head,
        meta: &Meta,
        before: Option<Event>,
    ) -> Result<()> {
        let testimony = parse_id(&meta.testimony)?;
        let bytes = crate::testimony::encode(meta)?;
        self.insert(tx, Table::Attachment, head, &bytes)?;
        let change = Change {
            record: Some(testimony),
            version: None,
            content_hash: Some(meta.sha256.clone()),
            detail: Some(head.id.to_string()),
        };
        if let Some(event) = before {
            self.log(tx, tail, event, change.clone())?;
        }
        self.log(tx, tail, Event::AttachmentAdded, change)
    }

    pub(crate) fn info(meta: &Meta, id: &Uuid) -> AttachmentInfo {
        AttachmentInfo {
            id: id.to_string(),
            name: meta.name.clone(),
            media_type: meta.media_type.clone(),
            size: meta.size,
            sha256: meta.sha256.clone(),
            added_at: format_time(meta.added_at),
            captured_at: meta.captured_at.clone(),
            sealed: false,
            markers: meta.markers.clone(),
        }
    }

    fn attachment_heads(&self, testimony: &Uuid) -> impl Iterator<Item = &Head> {
        self.keys
            .catalog
            .attachments
            .get(testimony)
            .into_iter()
            .flatten()
    }

    fn metas(&self, testimony: &Uuid) -> Result<Vec<(&Head, Meta)>> {
        let mut out = Vec::new();
        for head in self.attachment_heads(testimony) {
            out.push((head, self.read_meta(head)?));
        }
        out.sort_by(|a, b| a.1.added_at.cmp(&b.1.added_at).then(a.0.id.cmp(&b.0.id)));
        Ok(out)
    }

    pub(crate) fn attachment_infos(&self, testimony: &Uuid) -> Result<Vec<AttachmentInfo>> {
        Ok(self
            .metas(testimony)?
            .iter()
            .map(|(h, m)| Self::info(m, &h.id))
            .collect())
    }

    /// (attachment id, evidence hash) of every attachment, for sealing into a version.
    pub(crate) fn attachment_refs(&self, testimony: &Uuid) -> Result<Vec<(String, String)>> {
        Ok(self
            .metas(testimony)?
            .into_iter()
            .map(|(h, m)| (h.id.to_string(), m.sha256))
            .collect())
    }

    /// A file or a recording may be added to a testimony that exists and whose consent
    /// was not withdrawn.
    pub(crate) fn check_can_attach(&self, testimony: &Uuid) -> Result<()> {
        self.keys.catalog.latest(testimony)?;
        if self
            .read_consent(testimony)?
            .is_some_and(|c| c.is_withdrawn())
        {
            return Err(Error::ConsentWithdrawn(testimony.to_string()));
        }
        Ok(())
    }

    /// Deletes every attachment of a testimony. Deleting an attachment's head deletes
    /// its only key, which erases its chunks cryptographically even where a chunk row
    /// cannot be found; the chunk rows are removed too whenever the metadata still opens.
    pub(crate) fn delete_attachments(&self, tx: &Connection, testimony: &Uuid) -> Result<()> {
        for head in self.attachment_heads(testimony) {
            if let Ok(meta) = self.read_meta(head) {
                let mut stmt = tx.prepare_cached("DELETE FROM chunk WHERE id = ?1")?;
                for i in 0..meta.chunks + meta.padding {
                    stmt.execute(params![chunk_rowid(&self.keys.sub.chunk_ids, &head.id, i)])?;
                }
            }
            crate::records::delete(tx, Table::Attachment, &head.row)?;
        }
        Ok(())
    }

    /// Streams an attachment's plaintext to `sink`, checking every chunk and, at the
    /// end, the evidence hash. Returns the computed hash.
    pub(crate) fn stream_out(
        &self,
        head: &Head,
        meta: &Meta,
        sink: &mut dyn Write,
        progress: &mut dyn Progress,
    ) -> Result<String> {
        let mut reader = ChunkReader::new(self, head, meta)?;
        let mut hasher = Sha256::new();
        progress.begin(Some(meta.size));
        while let Some(data) = reader.next_chunk()? {
            hasher.update(data);
            sink.write_all(data)?;
            progress.advance(data.len() as u64);
        }
        progress.end();
        sink.flush()?;
        Ok(hex(&hasher.finalize()))
    }
}

impl Vault {
    /// Streams `source` into the vault as an attachment of `testimony`, in one
    /// transaction: if the process dies midway, nothing of it remains.
    pub fn attach(
        &mut self,
        testimony: &str,
        source: &mut (dyn Read + Send),
        new: NewAttachment,
        progress: &mut dyn Progress,
    ) -> Result<AttachmentInfo> {
        let testimony = parse_id(testimony)?;
        self.ctx()?.check_can_attach(&testimony)?;
        self.attach_under(testimony, source, new, progress)
    }

    /// Streams `source` into the vault as a document of a case (a decision, a reply, a
    /// medical report), exactly like a testimony's attachment: chunked, sealed, with its
    /// evidence hash, logged `attachment_added` under the case's id.
    pub fn attach_to_case(
        &mut self,
        case: &str,
        source: &mut (dyn Read + Send),
        new: NewAttachment,
        progress: &mut dyn Progress,
    ) -> Result<AttachmentInfo> {
        let case = crate::case::parse_case(case)?;
        if !self.is_case(&case)? {
            return Err(Error::CaseNotFound(case.to_string()));
        }
        self.attach_under(case, source, new, progress)
    }

    /// A case's documents, oldest first.
    pub fn case_documents(&mut self, case: &str) -> Result<Vec<AttachmentInfo>> {
        let case = crate::case::parse_case(case)?;
        if !self.is_case(&case)? {
            return Err(Error::CaseNotFound(case.to_string()));
        }
        self.ctx()?.attachment_infos(&case)
    }

    /// The attachment itself, under a parent (testimony or case) the caller checked.
    fn attach_under(
        &mut self,
        testimony: Uuid,
        source: &mut (dyn Read + Send),
        new: NewAttachment,
        progress: &mut dyn Progress,
    ) -> Result<AttachmentInfo> {
        if let Some(c) = &new.captured_at {
            if !(crate::dates::is_datetime(c) || crate::dates::is_date(c)) {
                return Err(Error::BadInput(
                    "captured_at is not a date or date-time (YYYY-MM-DDTHH:MM)".into(),
                ));
            }
        }
        let folder = crate::writeback::sync_folder(&self.path);
        let mut ctx = self.ctx()?;
        let id = ctx.seams.uuid();
        let head = Head::new(ctx.seams, id, 1, testimony);
        let sealer = ChunkSealer::new(
            ctx.seams,
            &head.key,
            &ctx.vault,
            &ctx.keys.sub.chunk_ids,
            id,
        );
        let db = ctx.db;
        let bulk = crate::store::BulkAppend::begin(db);
        let tx = db.unchecked_transaction()?;

        let (size, chunks, sha256) = crate::ingest::ingest(source, &sealer, &tx, folder, progress)?;
        let filler = ChunkSealer::new(
            ctx.seams,
            &head.key,
            &ctx.vault,
            &ctx.keys.sub.chunk_ids,
            id,
        );
        let padding = crate::chunks::store_padding(&tx, &filler, chunks)?;

        let meta = Meta {
            testimony: testimony.to_string(),
            media_type: new
                .media_type
                .unwrap_or_else(|| guess_media_type(&new.name).to_string()),
            name: new.name,
            size,
            sha256,
            chunks,
            nonce_prefix: String::new(),
            nonces: crate::chunks::Nonces::Random,
            padding,
            added_at: ctx.seams.clock.now_ms(),
            captured_at: new.captured_at,
            markers: Vec::new(),
        };
        let mut tail = ctx.keys.tail;
        ctx.store_attachment(&tx, &mut tail, &head, &meta, None)?;
        tx.commit()?;
        drop(bulk);
        ctx.keys.tail = tail;
        let info = Ctx::info(&meta, &id);
        ctx.keys
            .catalog
            .attachments
            .entry(testimony)
            .or_default()
            .push(head);
        Ok(info)
    }

    /// Streams an attachment out, verifying it against its evidence hash. On a mismatch
    /// the bytes already written must be discarded by the caller.
    pub fn extract(
        &mut self,
        testimony: &str,
        attachment: &str,
        sink: &mut dyn Write,
        progress: &mut dyn Progress,
    ) -> Result<AttachmentInfo> {
        let testimony_id = parse_id(testimony)?;
        let ctx = self.ctx()?;
        // A case's documents are extracted like a testimony's attachments.
        if !ctx.keys.catalog.cases.contains_key(&testimony_id) {
            ctx.keys.catalog.latest(&testimony_id)?;
        }
        let not_found = || Error::AttachmentNotFound {
            testimony: testimony.to_string(),
            attachment: attachment.to_string(),
        };
        let attachment_id = Uuid::parse_str(attachment.trim()).map_err(|_| not_found())?;
        let head = ctx
            .keys
            .catalog
            .attachments
            .get(&testimony_id)
            .and_then(|hs| hs.iter().find(|h| h.id == attachment_id))
            .ok_or_else(not_found)?;
        let meta = ctx.read_meta(head)?;
        let actual = ctx.stream_out(head, &meta, sink, progress)?;
        if actual != meta.sha256 {
            return Err(Error::EvidenceHashMismatch {
                expected: meta.sha256,
                actual,
            });
        }
        Ok(Ctx::info(&meta, &head.id))
    }
}
