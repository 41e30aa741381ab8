//! The import's second stage: takes each file as the first stage (reading.rs) hands it
//! over, checked, compares each record with what this vault already holds from the
//! same sender, and writes records and media into the open transaction.

use super::reading::{Event, MediaBytes, Reading};
use super::senders::{self, SenderState};
use super::{media_id, rejected, sender_uuid, ReceivedRecord, MEDIA_PARENT};
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
use crate::writeback;
use ed25519_dalek::VerifyingKey;
use kua_bundle::{minisign, Manifest};
use std::io::Read;
use std::ops::Bound::{Excluded, Unbounded};
use uuid::Uuid;

/// How the arriving bundle relates to the bundles imported before under its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Known {
    /// No bundle with this id was imported from this sender.
    #[default]
    New,
    /// The same signed manifest was imported before (or, for a bundle imported by an
    /// earlier build that kept no manifest hash, the same id).
    Replay,
    /// Another manifest was imported under this id.
    Reused,
}

/// The import's second stage: compares with the vault, and writes into the open
/// transaction.
pub(super) struct Importer<'c, 'v> {
    pub(super) ctx: &'c mut Ctx<'v>,
    pub(super) tx: &'c rusqlite::Connection,
    pub(super) write: bool,
    pub(super) trust_new: bool,
    /// The manifest, once the first stage verified it.
    pub(super) manifest: Option<Box<Manifest>>,
    pub(super) trusted_as: Option<String>,
    pub(super) untrusted: Option<String>,
    pub(super) known: Known,
    /// The sender's key as a canonical minisign public key line: what its state, its
    /// received records and their parent id are keyed by.
    pub(super) sender_key: String,
    pub(super) manifest_sha256: String,
    pub(super) sender_name: String,
    pub(super) now: i64,
    /// Where this import's records, and its cases, are stored (a stretch each).
    pub(super) record_rows: crate::records::RowRegion,
    pub(super) case_rows: crate::records::RowRegion,
    pub(super) new_records: Vec<(Head, Vec<u8>)>,
    pub(super) new_media: Vec<Head>,
    /// Received cases staged, with the SHA-256 of their file.
    pub(super) new_cases: Vec<(Head, String)>,
    /// Records this sender sent before with other content; reported after the log's
    /// continuity, since a fork explains them better.
    pub(super) conflicts: Vec<String>,
    /// Redacted records held before with another redacted body, and the SHA-256 of the
    /// record file held: a conflict unless the carried log shows both are redactions
    /// the sender logged (the same record redacted for another set of recipients).
    pub(super) other_redactions: Vec<(String, u32, String)>,
    /// Record ids this vault already holds from another sender.
    pub(super) shared_ids: Vec<String>,
    /// Every sender's state, as read when the manifest arrived.
    pub(super) senders: Option<senders::Loaded>,
    /// The senders other than this bundle's that records were received from, once
    /// needed.
    pub(super) other_senders: Option<Vec<Uuid>>,
    pub(super) progress: &'c mut dyn Progress,
    /// A failure of this vault's own storage (a full disk, a read-only drive) while
    /// importing: the reader only carries bundle errors, so it is kept here and
    /// reported as itself, not as a fault of the bundle.
    pub(super) failure: Option<Error>,
    /// Early syncs of the vault's filesystem while the bundle is stored, every
    /// `WRITEBACK_EVERY` bytes (`writeback.rs`): the commit then waits for less.
    pub(super) writeback: writeback::Paced,
}

/// Bytes stored between two early syncs while a bundle is imported. A coordinator's
/// bundles are a few MiB each and every one commits on its own, so a pace of the
/// attachment ingest's 16 MiB would never be reached inside one. At 1 MiB the import of
/// the benchmark's 1,000 bundles took 7-22 % less time than without early syncs, in five
/// alternated pairs; 256 KiB, or a sync requested at the end of each bundle's files,
/// did no better (docs/benchmarks.md, "Coordinator scale", ninth session).
pub(super) const WRITEBACK_EVERY: u64 = 1 << 20;

/// A received media file's bytes on their way to storage, counted for the early syncs.
struct Counted<'a> {
    inner: &'a mut dyn Read,
    writeback: &'a mut writeback::Paced,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.writeback.stored(n as u64);
        Ok(n)
    }
}

impl Importer<'_, '_> {
    /// Turns an error of this vault into the reader's error, keeping a storage failure
    /// to report as it is. Kept are the drive's own faults and a failed integrity check
    /// of what this vault already holds (a setting put back from an older copy, a
    /// stored record that does not open): neither is the bundle's doing, and the
    /// integrity error tells the user to run `kua verify`. Any other error of the vault
    /// met while storing the bundle's content (a constraint SQLite refused, say) may
    /// come from what the bundle carries, so it rejects the bundle.
    fn own(&mut self, e: Error) -> kua_bundle::Error {
        let message = e.to_string();
        if matches!(
            e,
            Error::DiskFull
                | Error::ReadOnly
                | Error::FileTooLarge
                | Error::Io(_)
                | Error::Integrity { .. }
        ) {
            self.failure.get_or_insert(e);
        }
        rejected(message)
    }
}

impl Importer<'_, '_> {
    /// Takes the first stage's events until the bundle is read or this stage stops.
    /// If it stops: at which file (counted from 1; 0 for the manifest) and why
    /// (`Outcome::checked` weighs that against the reader's own outcome).
    pub(super) fn drive(&mut self, reading: &mut Reading) -> Option<(usize, kua_bundle::Error)> {
        let mut files = 0;
        while let Some(event) = reading.next() {
            if !matches!(event, Event::Manifest { .. }) {
                files += 1;
            }
            if let Err(e) = self.receive(event, reading) {
                return Some((files, e));
            }
        }
        None
    }

    /// Receives one event of the first stage (reading.rs): compares and stores what it
    /// holds. An error stops the import; the reader's own outcome decides whether the
    /// bundle's damage is the cause to report (mod.rs).
    fn receive(&mut self, event: Event, reading: &mut Reading) -> kua_bundle::Result<()> {
        match event {
            Event::Manifest {
                manifest,
                sender,
                sha256,
            } => {
                self.manifest_sha256 = sha256;
                self.manifest(*manifest, &sender)
            }
            Event::Record { record, entry } => {
                self.progress.advance(entry.size);
                self.record(*record, &entry.sha256).map_err(|e| self.own(e))
            }
            Event::Case { case, entry } => {
                self.progress.advance(entry.size);
                self.stage_case(*case, &entry.sha256)
                    .map_err(|e| self.own(e))
            }
            Event::Media { sha256, entry } => {
                self.progress.advance(entry.size);
                let mut bytes = MediaBytes::new(reading);
                if self.write {
                    match self.store_media(&sha256, &mut bytes) {
                        Ok(()) => {}
                        // Reading the bundle failed: the bundle's error.
                        Err(Error::Io(io)) => return Err(kua_bundle::Error::Io(io)),
                        Err(e) => return Err(self.own(e)),
                    }
                }
                // A file already held (deduplicated by hash) is still read through:
                // the first stage checks its hash.
                bytes.skip().map_err(kua_bundle::Error::Io)
            }
            Event::Log { entry } => {
                self.progress.advance(entry.size);
                Ok(())
            }
            Event::Bytes(_) | Event::MediaEnd => Err(kua_bundle::Error::Corrupt(
                "a media file's bytes arrived outside it".into(),
            )),
        }
    }

    fn manifest(&mut self, m: Manifest, sender: &VerifyingKey) -> kua_bundle::Result<()> {
        let line = minisign::public_key_line(sender);
        let trusted = self.ctx.trusted().map_err(|e| self.own(e))?;
        self.trusted_as = trusted
            .iter()
            .find(|t| t.public_key == line)
            .map(|t| t.name.clone());
        let files = m.files.values().fold(0u64, |a, f| a.saturating_add(f.size));
        self.manifest = Some(Box::new(m));
        if self.trusted_as.is_none() && !self.trust_new {
            self.untrusted = Some(fingerprint(sender));
            return Err(rejected("untrusted sender"));
        }
        self.sender_name = self
            .trusted_as
            .clone()
            .unwrap_or_else(|| format!("sender-{}", minisign::key_id_hex(sender)));
        let senders = senders::load_for_import(self.ctx).map_err(|e| self.own(e))?;
        let bundle_id = self
            .manifest
            .as_ref()
            .map(|m| m.bundle_id.as_str())
            .unwrap_or_default();
        self.known = known(senders.get(&line), bundle_id, &self.manifest_sha256);
        // Kept for the import's end, in the same transaction: the state of every
        // sender is one sealed setting, which grows with what was imported.
        self.senders = Some(senders);
        self.sender_key = line;
        if self.known == Known::Reused {
            return Err(rejected(
                "another manifest was imported under this bundle id",
            ));
        }
        // A bundle seen before is still checked byte by byte (a damaged copy is not "the
        // same bundle"), and records of it that are no longer here are stored again.
        self.progress.begin(Some(files));
        Ok(())
    }
}

/// Whether a bundle id was imported from this sender before, and with which manifest.
fn known(state: Option<&SenderState>, bundle: &str, manifest_sha256: &str) -> Known {
    let Some(state) = state else {
        return Known::New;
    };
    match state.seen.get(bundle) {
        Some(seen) if seen.manifest == manifest_sha256 => Known::Replay,
        Some(_) => Known::Reused,
        None if state.bundles.iter().any(|b| b == bundle) => Known::Replay,
        None => Known::New,
    }
}

impl Importer<'_, '_> {
    /// Compares a record with the same version held from this sender, in a check as in
    /// an import, and stages it when it is new and this is an import.
    fn record(&mut self, record: BundledRecord, sha256: &str) -> Result<()> {
        let sender = sender_uuid(&self.sender_key);
        let id: Uuid = record
            .id
            .parse()
            .map_err(|_| Error::BadInput("record id".into()))?;
        // The other senders, found once per bundle by jumping from one sender's keys
        // to the next (a coordinator has tens of senders and a hundred thousand
        // records; collecting every record id for each bundle cost more than the
        // bundle's own records).
        let received = &self.ctx.keys.catalog.received;
        let held = self.ctx.keys.catalog.received_ids.contains(&id);
        let others = self.other_senders.get_or_insert_with(|| {
            let mut found = Vec::new();
            let mut next = received.keys().next();
            while let Some(&(s, _)) = next {
                if s != sender {
                    found.push(s);
                }
                next = received
                    .range((Excluded((s, Uuid::max())), Unbounded))
                    .next()
                    .map(|(k, _)| k);
            }
            found
        });
        if held
            && others.iter().any(|s| received.contains_key(&(*s, id)))
            && !self.shared_ids.contains(&record.id)
        {
            self.shared_ids.push(record.id.clone());
        }
        let catalog = &self.ctx.keys.catalog;
        let existing = catalog
            .received
            .get(&(sender, id))
            .and_then(|v| v.iter().find(|h| h.version == record.version));
        if let Some(existing) = existing {
            let old: ReceivedRecord = decode(&self.ctx.read(Table::Received, existing)?, || {
                "received record".into()
            })?;
            let place = format!("record {id} version {}", record.version);
            // An unredacted version is the same everywhere the sender sends it: its body
            // is sealed and its attachments' details are fixed, so any difference (a
            // renamed attachment, other marker notes) means two sources.
            if old.record.content_hash != record.content_hash
                || old.record.redacted != record.redacted
                || (!record.redacted && old.record != record)
            {
                self.conflicts.push(place);
            } else if record.redacted && old.record != record {
                self.other_redactions
                    .push((record.id.clone(), record.version, old.sha256));
            }
            return Ok(()); // Already here: never overwrite.
        }
        if self.write {
            self.stage_record(record, sender, id, sha256)?;
        }
        Ok(())
    }

    fn stage_record(
        &mut self,
        record: BundledRecord,
        sender: Uuid,
        id: Uuid,
        sha256: &str,
    ) -> Result<()> {
        let Some(m) = &self.manifest else {
            return Err(Error::BadInput("no manifest".into()));
        };
        let received = ReceivedRecord {
            sender_key_id: m.sender.key_id.clone(),
            sender_public_key: self.sender_key.clone(),
            sender_name: self.sender_name.clone(),
            bundle_id: m.bundle_id.clone(),
            imported_at: format_time(self.now),
            sha256: sha256.to_string(),
            recipients: m.recipients.clone(),
            record,
        };
        let bytes = encode(&received)?;
        let head = Head::new(self.ctx.seams, id, received.record.version, sender);
        self.ctx.insert_in(
            self.tx,
            Table::Received,
            &head,
            &bytes,
            &mut self.record_rows,
        )?;
        self.writeback.stored(bytes.len() as u64);
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
        // The reader hashes these bytes as they pass and refuses the bundle, and so
        // this transaction, unless they are the manifest's `sha`: the evidence hash
        // stored is that one, checked once.
        let mut data = Counted {
            inner: data,
            writeback: &mut self.writeback,
        };
        let (size, chunks) = store_sequential(self.tx, &sealer, &mut data)?;
        let padding = crate::chunks::store_padding(self.tx, &sealer, chunks)?;
        let meta = Meta {
            testimony: String::new(),
            name: sha.into(),
            media_type: "application/octet-stream".into(),
            size,
            sha256: sha.to_string(),
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
