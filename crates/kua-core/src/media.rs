//! Random access to an attachment's plaintext, for playing audio and video inside the
//! app without writing it anywhere: a player asks for a byte range, the core opens only
//! the chunks that cover it.
//!
//! Every chunk read this way is authenticated in place (its AEAD tag binds it to the
//! attachment, its index and whether it is the last one), so a player never receives a
//! tampered, reordered or truncated byte. The whole-file evidence hash is checked by
//! `extract` and `verify`; a range cannot check it without reading everything.

use crate::attachment::{Meta, CHUNK};
use crate::catalog::parse_id;
use crate::chunks::ChunkReader;
use crate::error::{Error, Result};
use crate::import::{media_id, MEDIA_PARENT};
use crate::records::Head;
use crate::vault::{Ctx, Vault};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

/// Which media to play: an attachment of one of this vault's testimonies, or a file
/// that came with a received record (named by its evidence hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MediaRef {
    Attachment {
        testimony: String,
        attachment: String,
    },
    Received {
        record: String,
        version: u32,
        sha256: String,
        /// The sender's key id (`ReceivedSummary::sender_key_id`): a record is known by
        /// sender, id and version. May be left out only when one sender sent that id.
        #[serde(default)]
        sender: Option<String>,
    },
}

/// What a player needs to know before it asks for bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MediaInfo {
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
}

impl Ctx<'_> {
    fn not_found(r: &MediaRef) -> Error {
        match r {
            MediaRef::Attachment {
                testimony,
                attachment,
            } => Error::AttachmentNotFound {
                testimony: testimony.clone(),
                attachment: attachment.clone(),
            },
            MediaRef::Received { record, sha256, .. } => Error::AttachmentNotFound {
                testimony: record.clone(),
                attachment: sha256.clone(),
            },
        }
    }

    /// The stored head and metadata behind a reference.
    fn media_head(&self, r: &MediaRef) -> Result<(&Head, Meta)> {
        let (parent, id) = match r {
            MediaRef::Attachment {
                testimony,
                attachment,
            } => {
                let parent = parse_id(testimony)?;
                self.keys.catalog.latest(&parent)?;
                let id = Uuid::parse_str(attachment.trim()).map_err(|_| Self::not_found(r))?;
                (parent, id)
            }
            MediaRef::Received { sha256, .. } => (MEDIA_PARENT, media_id(sha256)),
        };
        let head = self
            .keys
            .catalog
            .attachments
            .get(&parent)
            .and_then(|hs| hs.iter().find(|h| h.id == id))
            .ok_or_else(|| Self::not_found(r))?;
        let meta = self.read_meta(head)?;
        Ok((head, meta))
    }
}

impl Vault {
    /// Checks that a reference names media this vault holds and says what it is. For
    /// received media the type comes from the record that carried it (stored media are
    /// shared by hash between records and keep no type of their own).
    pub fn open_media(&mut self, r: &MediaRef) -> Result<MediaInfo> {
        let media_type = match r {
            MediaRef::Received {
                record,
                version,
                sha256,
                sender,
            } => {
                let received = self.show_received(record, Some(*version), sender.as_deref())?;
                received
                    .record
                    .attachments
                    .iter()
                    .find(|a| &a.sha256 == sha256)
                    .map(|a| a.media_type.clone())
                    .ok_or_else(|| Ctx::not_found(r))?
            }
            MediaRef::Attachment { .. } => String::new(),
        };
        let ctx = self.ctx()?;
        let (_, meta) = ctx.media_head(r)?;
        Ok(MediaInfo {
            media_type: if media_type.is_empty() {
                meta.media_type
            } else {
                media_type
            },
            size: meta.size,
            sha256: meta.sha256,
        })
    }

    /// Up to `max` plaintext bytes of the media from byte `start` (fewer at the end).
    /// Only the chunks that cover the range are read and opened.
    pub fn read_media(
        &mut self,
        r: &MediaRef,
        start: u64,
        max: usize,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let ctx = self.ctx()?;
        let (head, meta) = ctx.media_head(r)?;
        if start > meta.size {
            return Err(Error::BadInput(format!(
                "byte {start} is past the end of the media ({} bytes)",
                meta.size
            )));
        }
        let end = meta.size.min(start.saturating_add(max as u64));
        let mut out = Zeroizing::new(Vec::with_capacity((end - start) as usize));
        if start == end {
            return Ok(out);
        }
        let first = start / CHUNK as u64;
        let mut reader = ChunkReader::new(&ctx, head, &meta)?;
        reader.skip_to(first);
        let mut at = first * CHUNK as u64;
        while at < end {
            let Some(chunk) = reader.next_chunk()? else {
                return Err(Error::integrity(format!("attachment {}", head.id)));
            };
            let from = start.saturating_sub(at) as usize;
            let to = ((end - at) as usize).min(chunk.len());
            out.extend_from_slice(&chunk[from..to]);
            at += chunk.len() as u64;
        }
        Ok(out)
    }
}
