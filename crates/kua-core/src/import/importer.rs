//! The import visitor: checks each file as the bundle reader hands it over, and writes
//! records and media into the open transaction.

use super::checks::Seen;
use super::{
    media_id, rejected, sender_uuid, Checks, ReceivedRecord, SenderState, MEDIA_PARENT, SENDERS,
};
use crate::attachment::Meta;
use crate::chunks::{store_sequential, ChunkSealer};
use crate::error::{Error, Result};
use crate::export::BundledRecord;
use crate::identity::fingerprint;
use crate::progress::Progress;
use crate::records::Head;
use crate::seams::format_time;
use crate::store::Table;
use crate::testimony::{decode, encode};
use crate::vault::Ctx;
use ed25519_dalek::VerifyingKey;
use kua_bundle::{minisign, FileEntry, Manifest, Visitor};
use std::collections::BTreeMap;
use std::io::Read;
use uuid::Uuid;

/// The import visitor: checks, and writes into the open transaction.
pub(super) struct Importer<'c, 'v> {
    pub(super) ctx: &'c mut Ctx<'v>,
    pub(super) tx: &'c rusqlite::Connection,
    pub(super) write: bool,
    pub(super) trust_new: bool,
    pub(super) checks: Checks,
    pub(super) trusted_as: Option<String>,
    pub(super) untrusted: Option<String>,
    pub(super) replay: bool,
    pub(super) sender_name: String,
    pub(super) now: i64,
    pub(super) new_records: Vec<(Head, Vec<u8>)>,
    pub(super) new_media: Vec<Head>,
    /// Records this sender sent before with other content; reported after the log's
    /// continuity, since a fork explains them better.
    pub(super) conflicts: Vec<String>,
    pub(super) progress: &'c mut dyn Progress,
}

impl Visitor for Importer<'_, '_> {
    fn pinned(&mut self, key_id: &str) -> Option<VerifyingKey> {
        let trusted = self.ctx.trusted().ok()?;
        let t = trusted.iter().find(|t| t.key_id == key_id)?;
        minisign::parse_public_key(&t.public_key).ok()
    }

    fn manifest(&mut self, m: &Manifest, sender: &VerifyingKey) -> kua_bundle::Result<()> {
        self.checks.manifest(m, sender);
        let line = minisign::public_key_line(sender);
        let trusted = self.ctx.trusted().map_err(|e| rejected(e.to_string()))?;
        self.trusted_as = trusted
            .iter()
            .find(|t| t.public_key == line)
            .map(|t| t.name.clone());
        if self.trusted_as.is_none() && !self.trust_new {
            self.untrusted = Some(fingerprint(sender));
            return Err(rejected("untrusted sender"));
        }
        self.sender_name = self
            .trusted_as
            .clone()
            .unwrap_or_else(|| format!("sender-{}", minisign::key_id_hex(sender)));
        let senders: BTreeMap<String, SenderState> = self
            .ctx
            .read_setting(SENDERS)
            .map_err(|e| rejected(e.to_string()))?;
        if senders
            .get(&m.sender.public_key)
            .is_some_and(|s| s.bundles.contains(&m.bundle_id))
        {
            // Seen before: still check every byte (a damaged copy is not "the same
            // bundle"), but write nothing.
            self.replay = true;
            self.write = false;
        }
        self.progress.begin(Some(
            m.files.values().fold(0u64, |a, f| a.saturating_add(f.size)),
        ));
        Ok(())
    }

    fn file(
        &mut self,
        path: &str,
        entry: &FileEntry,
        data: &mut dyn Read,
    ) -> kua_bundle::Result<()> {
        self.progress.advance(entry.size);
        match self.checks.file(path, entry, data)? {
            Seen::Record(record) if self.write => {
                self.stage_record(*record)
                    .map_err(|e| rejected(e.to_string()))?;
            }
            Seen::Media(sha) if self.write => {
                self.store_media(sha, data).map_err(|e| match e {
                    Error::Io(io) => kua_bundle::Error::Io(io),
                    other => rejected(other.to_string()),
                })?;
            }
            Seen::Record(_) | Seen::Media(_) | Seen::Log => {}
        }
        Ok(())
    }
}

impl Importer<'_, '_> {
    fn stage_record(&mut self, record: BundledRecord) -> Result<()> {
        let Some(m) = &self.checks.manifest else {
            return Err(Error::BadInput("no manifest".into()));
        };
        let sender = sender_uuid(&m.sender.public_key);
        let id: Uuid = record
            .id
            .parse()
            .map_err(|_| Error::BadInput("record id".into()))?;
        if let Some(existing) = self
            .ctx
            .keys
            .catalog
            .received
            .get(&(sender, id))
            .and_then(|v| v.iter().find(|h| h.version == record.version))
        {
            let old: ReceivedRecord = decode(&self.ctx.read(Table::Received, existing)?, || {
                "received record".into()
            })?;
            if old.record.content_hash != record.content_hash
                || old.record.redacted != record.redacted
            {
                self.conflicts
                    .push(format!("record {id} version {}", record.version));
            }
            return Ok(()); // Already here, unchanged: never overwrite.
        }
        let received = ReceivedRecord {
            sender_key_id: m.sender.key_id.clone(),
            sender_public_key: m.sender.public_key.clone(),
            sender_name: self.sender_name.clone(),
            bundle_id: m.bundle_id.clone(),
            imported_at: format_time(self.now),
            record,
        };
        let bytes = encode(&received)?;
        let head = Head::new(self.ctx.seams, id, received.record.version, sender);
        self.ctx.insert(self.tx, Table::Received, &head, &bytes)?;
        self.new_records
            .push((head, received.record.content_hash.into_bytes()));
        Ok(())
    }

    fn store_media(&mut self, sha: &str, data: &mut dyn Read) -> Result<()> {
        let id = media_id(sha);
        let have = self
            .ctx
            .keys
            .catalog
            .attachments
            .get(&MEDIA_PARENT)
            .is_some_and(|hs| hs.iter().any(|h| h.id == id))
            || self.new_media.iter().any(|h| h.id == id);
        if have {
            return Ok(()); // Deduplicated by hash; the reader still checks these bytes.
        }
        let head = Head::new(self.ctx.seams, id, 1, MEDIA_PARENT);
        let sealer = ChunkSealer::new(
            self.ctx.seams,
            &head.key,
            &self.ctx.vault,
            &self.ctx.keys.sub.chunk_ids,
            id,
        );
        let (size, chunks, actual) = store_sequential(self.tx, &sealer, data)?;
        let padding = crate::chunks::store_padding(self.tx, &sealer, chunks)?;
        if actual != sha {
            return Err(Error::EvidenceHashMismatch {
                expected: sha.into(),
                actual,
            });
        }
        let meta = Meta {
            testimony: String::new(),
            name: sha.into(),
            media_type: "application/octet-stream".into(),
            size,
            sha256: actual,
            chunks,
            nonce_prefix: String::new(),
            nonces: crate::chunks::Nonces::Random,
            padding,
            added_at: self.now,
            captured_at: None,
            markers: Vec::new(),
        };
        self.ctx
            .insert(self.tx, Table::Attachment, &head, &encode(&meta)?)?;
        self.new_media.push(head);
        Ok(())
    }
}
