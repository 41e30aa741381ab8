//! Verifying and importing bundles.
//!
//! Import is verify-everything, all-or-nothing and idempotent: the bundle is read in
//! one pass inside one transaction; records and media go into that transaction as
//! they stream past, and it commits only after the signature, every hash, the sender's
//! trust, the carried custody log and its continuity with what this vault already holds
//! from that sender have all been checked. A bundle already imported is a no-op. A bundle
//! whose sender's log shows an earlier bundle to us that never arrived (a gap) is held:
//! imported, but marked pending until the missing bundle comes.

use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::vault::Vault;
use crate::writeback::{sync_folder, EarlySync, Paced};
use sha2::{Digest, Sha256};
use std::path::Path;
use uuid::Uuid;

mod accept;
mod cases;
mod checks;
mod continuity;
mod importer;
mod reading;
mod received;
mod report;
mod senders;

use accept::Accepted;
pub(crate) use cases::check_received_cases;
pub use cases::ReceivedCase;
pub(crate) use checks::bundle_error;
pub use checks::check_bundle;
use continuity::{check_logged, continuity};
use importer::{Importer, Known};
pub(crate) use reading::Ahead;
use reading::Reading;
pub(crate) use received::check_received;
pub use received::{ReceivedRecord, ReceivedSummary};
pub use report::{BundleReport, Continuity, ImportOutcome, ImportReport, SenderReport};
pub(crate) use senders::KeptSenders;
use senders::{logged_exports, LoggedExport, RecordSet};

/// The attachments table keeps received media under this parent.
pub(crate) const MEDIA_PARENT: Uuid = Uuid::max();

fn sender_uuid(public_key_line: &str) -> Uuid {
    let d = Sha256::digest([b"kua sender".as_slice(), public_key_line.as_bytes()].concat());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    Uuid::from_bytes(b)
}

pub(crate) fn media_id(sha256: &str) -> Uuid {
    let d = Sha256::digest([b"kua media".as_slice(), sha256.as_bytes()].concat());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    Uuid::from_bytes(b)
}

fn rejected(msg: impl Into<String>) -> kua_bundle::Error {
    kua_bundle::Error::Rejected(msg.into())
}

impl Vault {
    /// Checks a bundle against this vault (its identity, trusted senders and what it
    /// already holds) without importing anything.
    pub fn verify_bundle(
        &mut self,
        path: &Path,
        progress: &mut dyn Progress,
    ) -> Result<BundleReport> {
        self.run_import(path, None, true, false, progress)
            .map(|r| r.report)
    }

    /// Runs a batch of imports (`import` called for each of several bundles, as a
    /// coordinator imports a folder of them) with the vault in its rollback-journal mode
    /// throughout. A single import switches to it and back to the WAL around its one
    /// transaction, and each switch checkpoints and syncs; in a batch that cost is paid
    /// once. Every import is still its own transaction, all or nothing, and durable
    /// when it returns; a crash in the batch leaves what a crash in one import leaves
    /// (a hot journal, rolled back at the next open, which also returns to the WAL).
    pub fn import_batch<T>(&mut self, imports: impl FnOnce(&mut Vault) -> T) -> Result<T> {
        self.ctx()?;
        let session = crate::store::Session::begin(&self.db);
        let out = imports(self);
        // A bundle read ahead for an import that did not come is dropped (its thread
        // stopped) with the batch.
        if let Some(keys) = self.keys.as_mut() {
            keys.ahead = None;
        }
        session.end(&self.db);
        Ok(out)
    }

    /// Imports a bundle; see the module documentation.
    pub fn import(
        &mut self,
        path: &Path,
        trust_new: bool,
        progress: &mut dyn Progress,
    ) -> Result<ImportReport> {
        self.run_import(path, None, trust_new, true, progress)
    }

    /// Imports a bundle as `import` does, and once it passed every check begins
    /// reading `next`, the batch's next bundle, on the other core while this one's
    /// sender state is written, its custody entries logged and its transaction
    /// committed. Use it inside `import_batch`. The next import of `next` takes what
    /// was read of it (the file as it was when opened here); an import of another
    /// file, any verify, a lock, a key rotation, a change of the vault's age identity
    /// or the batch's end drops it. Nothing of `next` is committed or trusted before
    /// its own import checks it, exactly as `import` would.
    ///
    /// The trusted senders' keys that `next`'s reader authenticates manifests with
    /// before parsing them are those trusted when this import began; a sender trusted
    /// by this import has its next manifest parsed first and then verified, as an
    /// untrusted sender's is. Either way the signature is checked before anything of
    /// the manifest is used.
    pub fn import_reading_next(
        &mut self,
        path: &Path,
        next: Option<&Path>,
        trust_new: bool,
        progress: &mut dyn Progress,
    ) -> Result<ImportReport> {
        self.run_import(path, next, trust_new, true, progress)
    }

    fn run_import(
        &mut self,
        path: &Path,
        next: Option<&Path>,
        trust_new: bool,
        write: bool,
        progress: &mut dyn Progress,
    ) -> Result<ImportReport> {
        // The bundle read ahead by the batch's previous import, if this is it; else the
        // file, opened first (a missing file is reported as such even when locked).
        let ahead = self
            .keys
            .as_mut()
            .and_then(|k| k.ahead.take())
            .filter(|a| write && a.path == path);
        let file = match ahead {
            Some(_) => None,
            None => Some(std::fs::File::open(path)?),
        };
        let folder = write.then(|| sync_folder(&self.path)).flatten();
        let mut ctx = self.ctx()?;
        let identity = ctx.ensure_age_identity()?;
        let our_recipient = identity.to_public().to_string();
        // Read ahead for another identity (the vault's was replaced since): read again.
        let source = match (ahead.filter(|a| a.recipient == our_recipient), file) {
            (Some(ahead), _) => Ok(ahead.reading),
            (None, Some(file)) => Err(file),
            (None, None) => Err(std::fs::File::open(path)?),
        };
        // The trusted senders' keys, for the reader to authenticate their manifests
        // before parsing them. If the list cannot be read, nothing is pinned: every
        // manifest is still verified, after parsing, and the importer then meets the
        // same error when it reads the list itself.
        let pinned = ctx
            .trusted()
            .unwrap_or_default()
            .iter()
            .filter_map(|t| {
                let key = kua_bundle::minisign::parse_public_key(&t.public_key).ok()?;
                Some((t.key_id.clone(), key))
            })
            .collect::<Vec<_>>();
        let start = |file: std::fs::File, write: bool| {
            Reading::start(
                std::io::BufReader::with_capacity(1 << 20, file),
                identity.clone(),
                pinned.clone(),
                write,
            )
        };
        let mut reading = match source {
            Ok(reading) => reading,
            Err(file) => start(file, write)?,
        };
        let now = ctx.seams.clock.now_ms();
        let db = ctx.db;
        // Only an import writes: a verify leaves the WAL alone (leaving it checkpoints
        // the WAL and syncs, and the desktop verifies each bundle before importing it).
        let bulk = write.then(|| crate::store::BulkAppend::begin(db));
        let tx = db.unchecked_transaction()?;
        let mut importer = Importer {
            ctx: &mut ctx,
            tx: &tx,
            write,
            trust_new: trust_new || !write,
            manifest: None,
            trusted_as: None,
            untrusted: None,
            known: Known::New,
            sender_key: String::new(),
            manifest_sha256: String::new(),
            sender_name: String::new(),
            now,
            record_rows: crate::records::RowRegion::new(),
            case_rows: crate::records::RowRegion::new(),
            new_records: Vec::new(),
            new_media: Vec::new(),
            new_cases: Vec::new(),
            conflicts: Vec::new(),
            other_redactions: Vec::new(),
            shared_ids: Vec::new(),
            other_senders: None,
            senders: None,
            progress,
            failure: None,
            writeback: Paced::new(EarlySync::start(folder), importer::WRITEBACK_EVERY),
        };
        let stopped = importer.drive(&mut reading);
        importer.progress.end();
        // What the reader may still find matters only when nothing the importer met is
        // reported first (a failure of this vault's storage is). With `Some(0)` the
        // reader's outcome may be an error of its own cut input that looks like the
        // bundle's: it is never read, because the storage failure is returned just
        // below, before the outcome; keep that order.
        let needed = match (&importer.failure, &stopped) {
            (Some(_), _) => Some(0),
            (None, stopped) => stopped.as_ref().map(|(at, _)| *at),
        };
        let outcome = reading.finish(needed);
        if let Some(e) = importer.failure.take() {
            return Err(e);
        }
        if let Some(fp) = importer.untrusted.take() {
            return Err(Error::UntrustedSender { fingerprint: fp });
        }
        if importer.known == Known::Reused {
            let id = importer
                .manifest
                .as_ref()
                .map(|m| m.bundle_id.clone())
                .unwrap_or_default();
            return Err(Error::Bundle {
                code: "bundle_id_reused",
                message: format!("a bundle with the same id ({id}) but other contents was imported from this sender before: two bundles were signed under one id, so the sender's key may be in other hands; nothing was imported"),
            });
        }
        let checks = outcome?.checked(stopped).map_err(bundle_error)?;
        checks.redactions_logged()?;
        let Importer {
            trusted_as,
            known,
            sender_key,
            manifest_sha256,
            sender_name,
            new_records,
            new_media,
            new_cases,
            mut conflicts,
            other_redactions,
            shared_ids,
            senders: read_senders,
            ..
        } = importer;
        let Some(manifest) = checks.manifest.clone() else {
            return Err(Error::BadInput("no manifest".into()));
        };
        // A recipient could decrypt a bundle meant for others and re-encrypt it to us;
        // the signed recipient list says whom the sender meant.
        if !manifest.recipients.contains(&our_recipient) {
            return Err(Error::Bundle {
                code: "bundle_readdressed",
                message: "this bundle was made for other recipients and re-encrypted to this vault; it was not imported".into(),
            });
        }
        let loaded = match read_senders {
            Some(read) => read,
            None => senders::load_for_import(&mut ctx)?,
        };
        let state = loaded.get(&sender_key);
        let replay = known == Known::Replay;
        // A replay's log is checked against what the sender showed before too: a
        // bundle id imported by an earlier build (no manifest hash kept) must not carry
        // a made-up history in under the name of a replay.
        let (cont, missing) =
            match continuity(state, &checks.log, &our_recipient, &manifest.bundle_id) {
                fork @ (Continuity::Fork { .. }, _) => fork,
                _ if replay => (Continuity::Replay, Vec::new()),
                other => other,
            };
        let report = checks.report(
            trusted_as
                .clone()
                .or_else(|| write.then(|| sender_name.clone())),
            cont.clone(),
        )?;
        let carried = logged_exports(&checks.log, &our_recipient);
        let arriving = LoggedExport {
            log_size: manifest.log.size,
            records: RecordSet::of(&checks.record_keys()),
        };
        // Before the fork: a bundle under the id of one the sender logged, holding
        // other records or ending elsewhere, is named as that forgery; its log, ending
        // where no bundle to us ended, would otherwise read as a second history.
        check_logged(state, &carried, &manifest.bundle_id, &arriving)?;
        if let Continuity::Fork { at } = cont {
            let theirs: Vec<&str> = checks.log.iter().map(|l| l.hash.as_str()).collect();
            let unlogged_end = state
                .and_then(|s| continuity::fork(s, &theirs))
                .is_some_and(|f| f.unlogged_end);
            let message = if unlogged_end {
                format!("this bundle's custody log ends at entry {}, where the sender's later bundles record no export to this vault: a second history of the device, or an export the sender's app stopped before logging (then ask the sender to export again); nothing was imported", theirs.len())
            } else {
                format!("the sender's custody log differs from what earlier bundles showed, at entry {at} or after it: two histories of one device; nothing was imported")
            };
            return Err(Error::Bundle {
                code: "bundle_fork",
                message,
            });
        }
        for (id, version, held) in &other_redactions {
            // The same record redacted for another set of recipients is not a conflict
            // when the sender logged both redactions.
            if !checks.is_logged_redaction(id, *version, held) {
                conflicts.push(format!("record {id} version {version}"));
            }
        }
        if let Some(first) = conflicts.first() {
            return Err(Error::Bundle {
                code: "bundle_conflict",
                message: format!("{first} differs from the one this sender sent before (and {} more); nothing was imported", conflicts.len() - 1),
            });
        }
        // This bundle passed every check: the next one of a batch is read on the other
        // core while this one's sender state is written, its custody entries logged and
        // the transaction committed. Were it not found or not readable, its own import
        // reports that.
        let ahead = match next {
            Some(next) if write => std::fs::File::open(next)
                .ok()
                .and_then(|file| start(file, true).ok())
                .map(|reading| Ahead {
                    path: next.to_path_buf(),
                    recipient: our_recipient.clone(),
                    reading,
                }),
            _ => None,
        };
        let mut outcome = if replay {
            ImportOutcome::AlreadyImported
        } else if missing.is_empty() {
            ImportOutcome::Imported
        } else {
            ImportOutcome::Pending
        };
        let kept = state.is_some_and(|s| s.seen.contains_key(&manifest.bundle_id));
        // "Already imported" is decided by what is stored: a bundle seen before whose
        // records are all here changes nothing; one whose records were removed since
        // stores them again.
        if !write
            || (replay
                && new_records.is_empty()
                && new_media.is_empty()
                && new_cases.is_empty()
                && kept)
        {
            // Nothing was written: what was read stays valid for the next import (the
            // desktop verifies each bundle just before importing it).
            ctx.keys.senders = loaded.keep_unchanged();
            ctx.keys.ahead = ahead;
            return Ok(ImportReport {
                outcome,
                report,
                new_records: 0,
                new_media: 0,
                new_cases: 0,
                released: Vec::new(),
                shared_ids,
            });
        }
        if replay && !(new_records.is_empty() && new_cases.is_empty()) {
            outcome = ImportOutcome::Imported;
        }

        // Update what we know of the sender, release pending bundles this one
        // completes, and log what was received; then commit.
        let written = Accepted {
            checks: &checks,
            manifest: &manifest,
            manifest_sha256,
            sender_key,
            sender_name,
            trusted_as,
            replay,
            missing,
            carried,
            arriving,
            new_records: &new_records,
            new_cases: &new_cases,
        }
        .write(&mut ctx, &tx, loaded)?;
        tx.commit()?;
        drop(bulk);
        ctx.keys.tail = written.tail;
        ctx.keys.senders = Some(written.senders);
        ctx.keys.ahead = ahead;
        let released = written.released;
        let (n_records, n_media, n_cases) = (new_records.len(), new_media.len(), new_cases.len());
        accept::catalog_received(&mut ctx, new_records, new_media, new_cases);
        Ok(ImportReport {
            outcome,
            report,
            new_records: n_records,
            new_media: n_media,
            new_cases: n_cases,
            released,
            shared_ids,
        })
    }
}
