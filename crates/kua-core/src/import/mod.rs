//! Verifying and importing bundles.
//!
//! Import is verify-everything, all-or-nothing and idempotent: the bundle is read in
//! one pass inside one transaction; records and media go into that transaction as
//! they stream past, and it commits only after the signature, every hash, the sender's
//! trust, the carried custody log and its continuity with what this vault already holds
//! from that sender have all been checked. A bundle already imported is a no-op. A bundle
//! whose sender's log shows an earlier bundle to us that never arrived (a gap) is held:
//! imported, but marked pending until the missing bundle comes.

use crate::custody::{Change, Event};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::vault::Vault;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::Path;
use uuid::Uuid;

mod cases;
mod checks;
mod continuity;
mod importer;
mod received;
mod senders;

pub(crate) use cases::check_received_cases;
pub use cases::ReceivedCase;
pub(crate) use checks::bundle_error;
pub use checks::check_bundle;
use checks::Checks;
use continuity::{check_logged, continuity, learn};
use importer::{Importer, Known};
pub(crate) use received::check_received;
pub use received::{ReceivedRecord, ReceivedSummary};
pub(crate) use senders::KeptSenders;
use senders::{logged_exports, LoggedExport, RecordSet, SeenBundle};

/// The attachments table keeps received media under this parent.
pub(crate) const MEDIA_PARENT: Uuid = Uuid::max();

/// How a bundle's custody log relates to what this vault has from the same sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Continuity {
    /// The first bundle from this sender.
    First,
    /// It continues the sender's log where the last bundle left off (or later).
    Extends,
    /// An earlier bundle arriving after a later one (delivered out of order).
    Late,
    /// The sender's log records earlier bundles to us that never arrived.
    Gap { missing: Vec<String> },
    /// The same positions of the sender's log hold different entries: two histories.
    Fork { at: u64 },
    /// This bundle was imported before.
    Replay,
    /// Checked without a vault: nothing to compare with.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SenderReport {
    pub key_id: String,
    pub fingerprint: String,
    /// The signing key as a minisign public key line, for trusting it under a name.
    #[serde(default)]
    pub public_key: String,
    pub vault_id: String,
    /// The name under which this vault trusts the sender, if it does.
    pub trusted_as: Option<String>,
}

/// Everything checked about a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BundleReport {
    pub bundle_id: String,
    pub created: String,
    pub sender: SenderReport,
    pub records: Vec<(String, u32)>,
    /// The lawyers' cases it carries.
    #[serde(default)]
    pub cases: Vec<String>,
    pub redacted: usize,
    pub media: usize,
    pub media_bytes: u64,
    pub log_size: u64,
    /// Log entries carried as hashes only (records withheld or not in this bundle).
    pub log_hashes_only: u64,
    pub continuity: Continuity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    Imported,
    /// Imported, but held as pending until the missing earlier bundles arrive.
    Pending,
    AlreadyImported,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub outcome: ImportOutcome,
    pub report: BundleReport,
    pub new_records: usize,
    pub new_media: usize,
    /// Cases (or more of a case) this vault did not hold.
    #[serde(default)]
    pub new_cases: usize,
    /// Earlier pending bundles that this one completed.
    pub released: Vec<String>,
    /// Ids of records in this bundle that this vault also holds from another sender.
    /// Each sender's record stays apart (received records are kept and shown by sender,
    /// id and version), but the same id from two devices deserves a look.
    #[serde(default)]
    pub shared_ids: Vec<String>,
}

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
        self.run_import(path, true, false, progress)
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
        self.run_import(path, trust_new, true, progress)
    }

    fn run_import(
        &mut self,
        path: &Path,
        trust_new: bool,
        write: bool,
        progress: &mut dyn Progress,
    ) -> Result<ImportReport> {
        let file = std::fs::File::open(path)?;
        let mut ctx = self.ctx()?;
        let identity = ctx.ensure_age_identity()?;
        let our_recipient = identity.to_public().to_string();
        let now = ctx.seams.clock.now_ms();
        let db = ctx.db;
        let bulk = crate::store::BulkAppend::begin(db);
        let tx = db.unchecked_transaction()?;
        let mut importer = Importer {
            ctx: &mut ctx,
            tx: &tx,
            write,
            trust_new: trust_new || !write,
            checks: Checks::default(),
            trusted_as: None,
            untrusted: None,
            known: Known::New,
            sender_key: String::new(),
            manifest_sha256: String::new(),
            sender_name: String::new(),
            now,
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
        };
        let read = kua_bundle::read(
            std::io::BufReader::with_capacity(1 << 20, file),
            std::slice::from_ref(&identity),
            &mut importer,
        );
        importer.progress.end();
        if let Some(e) = importer.failure.take() {
            return Err(e);
        }
        if let Some(fp) = importer.untrusted.take() {
            return Err(Error::UntrustedSender { fingerprint: fp });
        }
        if importer.known == Known::Reused {
            let id = importer
                .checks
                .manifest
                .as_ref()
                .map(|m| m.bundle_id.clone())
                .unwrap_or_default();
            return Err(Error::Bundle {
                code: "bundle_id_reused",
                message: format!("a bundle with the same id ({id}) but other contents was imported from this sender before: two bundles were signed under one id, so the sender's key may be in other hands; nothing was imported"),
            });
        }
        read.map_err(bundle_error)?;
        importer.checks.finish().map_err(bundle_error)?;
        importer.checks.redactions_logged()?;
        let Importer {
            checks,
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

        // Update what we know of the sender, release pending bundles this one completes.
        let (mut senders, stored_rev) = loaded.into_senders();
        let state = senders.entry(sender_key.clone()).or_default();
        state.name = sender_name.clone();
        state.vault_id = manifest.sender.vault_id.clone();
        if !replay {
            let theirs: Vec<&str> = checks.log.iter().map(|l| l.hash.as_str()).collect();
            learn(state, &theirs, &carried);
            state.bundles.push(manifest.bundle_id.clone());
            if !missing.is_empty() {
                state
                    .pending
                    .insert(manifest.bundle_id.clone(), missing.clone());
            }
        }
        state.seen.insert(
            manifest.bundle_id.clone(),
            SeenBundle {
                manifest: manifest_sha256,
                log_size: arriving.log_size,
                records: arriving.records,
            },
        );
        state.logged.extend(carried);
        let done: BTreeSet<String> = state.bundles.iter().cloned().collect();
        let mut released = Vec::new();
        state.pending.retain(|bundle, waiting| {
            waiting.retain(|w| !done.contains(w));
            if waiting.is_empty() {
                released.push(bundle.clone());
            }
            !waiting.is_empty()
        });
        let mut tail = ctx.keys.tail;
        let mut sender_name = sender_name;
        if trusted_as.is_none() {
            if let Some(key) = checks.sender {
                sender_name = ctx.trust_within(&tx, &mut tail, &key)?;
            }
        }
        if let Some(state) = senders.get_mut(&sender_key) {
            state.name.clone_from(&sender_name);
        }
        let (row, row_state) = senders::store(&mut ctx, &tx, &mut tail, &senders, stored_rev)?;
        // One entry per record and case received, signed together (`log_many`).
        let received = format!(
            "bundle {} from {} ({})",
            manifest.bundle_id, sender_name, manifest.sender.key_id
        );
        let records = new_records.iter().map(|(head, hash)| {
            (
                Event::Imported,
                Change {
                    record: Some(head.id),
                    version: Some(head.version),
                    content_hash: Some(String::from_utf8_lossy(hash).into_owned()),
                    detail: Some(received.clone()),
                },
            )
        });
        let cases = new_cases.iter().map(|(head, sha)| {
            (
                Event::CaseImported,
                Change {
                    record: Some(head.id),
                    version: Some(head.version),
                    content_hash: Some(sha.clone()),
                    detail: Some(received.clone()),
                },
            )
        });
        ctx.log_many(&tx, &mut tail, records.chain(cases).collect())?;
        if new_records.is_empty() && new_cases.is_empty() && !replay {
            ctx.log(
                &tx,
                &mut tail,
                Event::Imported,
                Change {
                    detail: Some(format!(
                        "bundle {} from {} ({}): nothing new",
                        manifest.bundle_id, sender_name, manifest.sender.key_id
                    )),
                    ..Change::default()
                },
            )?;
        }
        tx.commit()?;
        drop(bulk);
        ctx.keys.tail = tail;
        ctx.keys.senders = Some(KeptSenders::new(row, row_state, senders));
        let (n_records, n_media, n_cases) = (new_records.len(), new_media.len(), new_cases.len());
        for (head, _) in new_cases {
            ctx.keys
                .catalog
                .received_cases
                .entry((head.parent, head.id))
                .or_default()
                .push(head);
        }
        for (head, _) in new_records {
            ctx.keys.catalog.add_received(head);
        }
        ctx.keys
            .catalog
            .attachments
            .entry(MEDIA_PARENT)
            .or_default()
            .extend(new_media);
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
