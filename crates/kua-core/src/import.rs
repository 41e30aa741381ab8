//! Verifying and importing bundles.
//!
//! Import is verify-everything, all-or-nothing and idempotent: the bundle is read in
//! one pass inside one transaction; records and media go into that transaction as
//! they stream past, and it commits only after the signature, every hash, the sender's
//! trust, the carried custody log and its continuity with what this vault already holds
//! from that sender have all been checked. A bundle already imported is a no-op. A bundle
//! whose sender's log shows an earlier bundle to us that never arrived (a gap) is held:
//! imported, but marked pending until the missing bundle comes.

use crate::attachment::{store_sequential, ChunkSealer, Meta};
use crate::custody::{checkpoint_message, Change, Event};
use crate::error::{Error, Result};
use crate::export::{BundledRecord, ExportedDetail, LogLine};
use crate::identity::fingerprint;
use crate::model::Status;
use crate::progress::Progress;
use crate::records::Head;
use crate::seams::format_time;
use crate::store::Table;
use crate::testimony::{decode, encode};
use crate::vault::{Ctx, Vault};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use kua_bundle::{age, minisign, FileEntry, Manifest, Visitor};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use uuid::Uuid;

const SENDERS: &str = "senders";

/// The attachments table keeps received media under this parent.
pub(crate) const MEDIA_PARENT: Uuid = Uuid::max();

/// What this vault knows of one sender.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SenderState {
    name: String,
    vault_id: String,
    /// Entry hashes of the sender's custody log, as far as bundles have shown it.
    log: Vec<String>,
    /// Bundles imported from this sender.
    bundles: Vec<String>,
    /// Bundle → the earlier bundles to us it is waiting for.
    pending: BTreeMap<String, Vec<String>>,
}

/// How a bundle's custody log relates to what this vault has from the same sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct SenderReport {
    pub key_id: String,
    pub fingerprint: String,
    pub vault_id: String,
    /// The name under which this vault trusts the sender, if it does.
    pub trusted_as: Option<String>,
}

/// Everything checked about a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleReport {
    pub bundle_id: String,
    pub created: String,
    pub sender: SenderReport,
    pub records: Vec<(String, u32)>,
    pub redacted: usize,
    pub media: usize,
    pub media_bytes: u64,
    pub log_size: u64,
    /// Log entries carried as hashes only (records withheld or not in this bundle).
    pub log_hashes_only: u64,
    pub continuity: Continuity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    Imported,
    /// Imported, but held as pending until the missing earlier bundles arrive.
    Pending,
    AlreadyImported,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub outcome: ImportOutcome,
    pub report: BundleReport,
    pub new_records: usize,
    pub new_media: usize,
    /// Earlier pending bundles that this one completed.
    pub released: Vec<String>,
}

/// A received record version with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedRecord {
    pub sender_key_id: String,
    pub sender_name: String,
    pub bundle_id: String,
    pub imported_at: String,
    pub record: BundledRecord,
}

/// A line of the list of received records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedSummary {
    pub id: String,
    pub version: u32,
    pub sender: String,
    pub sender_key_id: String,
    pub bundle_id: String,
    pub imported_at: String,
    pub pending: bool,
    pub redacted: bool,
    pub template: String,
    pub language: String,
    pub excerpt: String,
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

/// The checks that need no vault: record files against their log, the log against
/// the manifest's signed checkpoint.
#[derive(Default)]
struct Checks {
    manifest: Option<Manifest>,
    sender: Option<VerifyingKey>,
    records: Vec<(String, u32, String, bool)>,
    media: usize,
    media_bytes: u64,
    log: Vec<LogLine>,
}

impl Checks {
    fn record(&mut self, path: &str, data: &mut dyn Read) -> kua_bundle::Result<BundledRecord> {
        let mut bytes = Vec::new();
        data.take(kua_bundle::MAX_SMALL_FILE)
            .read_to_end(&mut bytes)?;
        let record: BundledRecord = serde_json::from_slice(&bytes)
            .map_err(|e| kua_bundle::Error::Corrupt(format!("{path}: {e}")))?;
        let expected = format!("records/{}/{}.json", record.id, record.version);
        let body = &record.body;
        if path != expected
            || body.id != record.id
            || body.version != record.version
            || body.status != Status::Sealed
        {
            return Err(kua_bundle::Error::Corrupt(format!(
                "{path} does not hold the sealed version its name says"
            )));
        }
        if !record.redacted && body.hash() != record.content_hash {
            return Err(kua_bundle::Error::HashMismatch { path: path.into() });
        }
        self.records.push((
            record.id.clone(),
            record.version,
            record.content_hash.clone(),
            record.redacted,
        ));
        Ok(record)
    }

    fn log_file(&mut self, data: &mut dyn Read) -> kua_bundle::Result<()> {
        let mut bytes = Vec::new();
        data.take(kua_bundle::MAX_SMALL_FILE)
            .read_to_end(&mut bytes)?;
        for (i, line) in bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let line: LogLine = serde_json::from_slice(line)
                .map_err(|e| kua_bundle::Error::Corrupt(format!("custody log line {i}: {e}")))?;
            self.log.push(line);
        }
        Ok(())
    }

    /// Called after the whole bundle was read and every file matched its hash.
    fn finish(&self) -> kua_bundle::Result<()> {
        let (Some(m), Some(key)) = (&self.manifest, &self.sender) else {
            return Err(rejected("no manifest"));
        };
        let mut prev = "0".repeat(64);
        for (i, line) in self.log.iter().enumerate() {
            if line.seq != m.log.from + i as u64 {
                return Err(kua_bundle::Error::Corrupt(format!(
                    "custody log: entry {} is missing or out of order",
                    m.log.from + i as u64
                )));
            }
            if let Some(e) = &line.entry {
                if e.seq != line.seq
                    || crate::crypto::hex(&e.hash()) != line.hash
                    || (i > 0 || m.log.from == 0) && e.prev_hash != prev
                {
                    return Err(kua_bundle::Error::Corrupt(format!(
                        "custody log: entry {} was altered, dropped or reordered",
                        line.seq
                    )));
                }
            }
            prev.clone_from(&line.hash);
        }
        if self.log.len() as u64 + m.log.from != m.log.size
            || (m.log.size > 0 && prev != m.log.head)
        {
            return Err(kua_bundle::Error::Corrupt(
                "custody log: it does not end at the signed head".into(),
            ));
        }
        let head: [u8; 32] = data_encoding::HEXLOWER
            .decode(m.log.head.as_bytes())
            .ok()
            .and_then(|h| h.try_into().ok())
            .ok_or_else(|| kua_bundle::Error::Corrupt("custody log head".into()))?;
        let vault: Uuid = m
            .sender
            .vault_id
            .parse()
            .map_err(|_| kua_bundle::Error::BadManifest("sender vault id".into()))?;
        let sig = data_encoding::HEXLOWER
            .decode(m.log.checkpoint_sig.as_bytes())
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok())
            .ok_or(kua_bundle::Error::BadSignature)?;
        key.verify(&checkpoint_message(&vault, m.log.size, &head), &sig)
            .map_err(|_| kua_bundle::Error::BadSignature)?;
        // Every record is one the sender logged, with the content hash it logged.
        let logged: BTreeSet<(&str, u32, &str)> = self
            .log
            .iter()
            .filter_map(|l| l.entry.as_ref())
            .filter(|e| matches!(e.event, Event::Sealed | Event::Amended))
            .filter_map(|e| Some((e.record.as_deref()?, e.version?, e.content_hash.as_deref()?)))
            .collect();
        for (id, version, hash, _) in &self.records {
            if !logged.contains(&(id.as_str(), *version, hash.as_str())) {
                return Err(kua_bundle::Error::Corrupt(format!("record {id} version {version} is not sealed with that content in the sender's log")));
            }
        }
        Ok(())
    }

    fn report(&self, trusted_as: Option<String>, continuity: Continuity) -> Result<BundleReport> {
        let (Some(m), Some(key)) = (&self.manifest, &self.sender) else {
            return Err(Error::BadInput("no manifest".into()));
        };
        Ok(BundleReport {
            bundle_id: m.bundle_id.clone(),
            created: m.created.clone(),
            sender: SenderReport {
                key_id: m.sender.key_id.clone(),
                fingerprint: fingerprint(key),
                vault_id: m.sender.vault_id.clone(),
                trusted_as,
            },
            records: self
                .records
                .iter()
                .map(|(id, v, _, _)| (id.clone(), *v))
                .collect(),
            redacted: self.records.iter().filter(|r| r.3).count(),
            media: self.media,
            media_bytes: self.media_bytes,
            log_size: m.log.size,
            log_hashes_only: self.log.iter().filter(|l| l.entry.is_none()).count() as u64,
            continuity,
        })
    }
}

/// Checks a bundle without a vault: decryption with `identities`, signature, every hash,
/// the carried custody log. Trust and continuity need a vault.
pub fn check_bundle(
    input: impl Read,
    identities: &[age::x25519::Identity],
) -> Result<BundleReport> {
    struct Only(Checks);
    impl Visitor for Only {
        fn manifest(&mut self, m: &Manifest, sender: &VerifyingKey) -> kua_bundle::Result<()> {
            self.0.manifest = Some(m.clone());
            self.0.sender = Some(*sender);
            Ok(())
        }
        fn file(
            &mut self,
            path: &str,
            entry: &FileEntry,
            data: &mut dyn Read,
        ) -> kua_bundle::Result<()> {
            if path.starts_with("records/") {
                self.0.record(path, data)?;
            } else if path == kua_bundle::manifest::LOG {
                self.0.log_file(data)?;
            } else if path.starts_with("media/") {
                self.0.media += 1;
                self.0.media_bytes += entry.size;
            }
            Ok(())
        }
    }
    let mut v = Only(Checks::default());
    kua_bundle::read(input, identities, &mut v).map_err(bundle_error)?;
    v.0.finish().map_err(bundle_error)?;
    v.0.report(None, Continuity::Unknown)
}

pub(crate) fn bundle_error(e: kua_bundle::Error) -> Error {
    Error::Bundle {
        code: e.code(),
        message: e.to_string(),
    }
}

/// The import visitor: checks, and writes into the open transaction.
struct Importer<'c, 'v> {
    ctx: &'c mut Ctx<'v>,
    tx: &'c rusqlite::Connection,
    write: bool,
    trust_new: bool,
    checks: Checks,
    trusted_as: Option<String>,
    untrusted: Option<String>,
    replay: bool,
    sender_name: String,
    now: i64,
    new_records: Vec<(Head, Vec<u8>)>,
    new_media: Vec<Head>,
    /// Records this sender sent before with other content; reported after the log's
    /// continuity, since a fork explains them better.
    conflicts: Vec<String>,
    progress: &'c mut dyn Progress,
}

impl Visitor for Importer<'_, '_> {
    fn manifest(&mut self, m: &Manifest, sender: &VerifyingKey) -> kua_bundle::Result<()> {
        self.checks.manifest = Some(m.clone());
        self.checks.sender = Some(*sender);
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
            .get(&m.sender.key_id)
            .is_some_and(|s| s.bundles.contains(&m.bundle_id))
        {
            // Seen before: still check every byte (a damaged copy is not "the same
            // bundle"), but write nothing.
            self.replay = true;
            self.write = false;
        }
        self.progress
            .begin(Some(m.files.values().map(|f| f.size).sum()));
        Ok(())
    }

    fn file(
        &mut self,
        path: &str,
        entry: &FileEntry,
        data: &mut dyn Read,
    ) -> kua_bundle::Result<()> {
        self.progress.advance(entry.size);
        if path.starts_with("records/") {
            let record = self.checks.record(path, data)?;
            if self.write {
                self.stage_record(record)
                    .map_err(|e| rejected(e.to_string()))?;
            }
        } else if path == kua_bundle::manifest::LOG {
            self.checks.log_file(data)?;
        } else if let Some(sha) = path.strip_prefix("media/") {
            self.checks.media += 1;
            self.checks.media_bytes += entry.size;
            if self.write {
                self.store_media(sha, data).map_err(|e| match e {
                    Error::Io(io) => kua_bundle::Error::Io(io),
                    other => rejected(other.to_string()),
                })?;
            }
        } else if path != kua_bundle::manifest::SUMS {
            return Err(kua_bundle::Error::UnlistedFile(path.into()));
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
        let prefix = self.ctx.seams.bytes::<19>();
        let sealer = ChunkSealer {
            key: &head.key,
            vault: &self.ctx.vault,
            ids: &self.ctx.keys.sub.chunk_ids,
            id,
            prefix,
        };
        let (size, chunks, actual) = store_sequential(self.tx, &sealer, data)?;
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
            nonce_prefix: crate::crypto::hex(&prefix),
            added_at: self.now,
            captured_at: None,
        };
        self.ctx
            .insert(self.tx, Table::Attachment, &head, &encode(&meta)?)?;
        self.new_media.push(head);
        Ok(())
    }
}

/// Continuity of a carried log against what the vault has seen from the sender.
fn continuity(
    state: Option<&SenderState>,
    lines: &[LogLine],
    our_recipient: &str,
    bundle: &str,
) -> (Continuity, Vec<String>) {
    let theirs: Vec<&str> = lines.iter().map(|l| l.hash.as_str()).collect();
    let missing: Vec<String> = lines
        .iter()
        .filter_map(|l| l.entry.as_ref())
        .filter(|e| e.event == Event::Exported)
        .filter_map(|e| serde_json::from_str::<ExportedDetail>(e.detail.as_deref()?).ok())
        .filter(|d| d.bundle != bundle && d.recipients.iter().any(|r| r == our_recipient))
        .map(|d| d.bundle)
        .filter(|b| state.is_none_or(|s| !s.bundles.contains(b)))
        .collect();
    let Some(state) = state else {
        return if missing.is_empty() {
            (Continuity::First, missing)
        } else {
            (
                Continuity::Gap {
                    missing: missing.clone(),
                },
                missing,
            )
        };
    };
    if let Some(at) = state.log.iter().zip(&theirs).position(|(a, b)| a != b) {
        return (Continuity::Fork { at: at as u64 }, missing);
    }
    if !missing.is_empty() {
        return (
            Continuity::Gap {
                missing: missing.clone(),
            },
            missing,
        );
    }
    if theirs.len() < state.log.len() {
        (Continuity::Late, missing)
    } else {
        (Continuity::Extends, missing)
    }
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
            replay: false,
            sender_name: String::new(),
            now,
            new_records: Vec::new(),
            new_media: Vec::new(),
            conflicts: Vec::new(),
            progress,
        };
        let read = kua_bundle::read(
            std::io::BufReader::with_capacity(1 << 20, file),
            std::slice::from_ref(&identity),
            &mut importer,
        );
        importer.progress.end();
        if let Some(fp) = importer.untrusted.take() {
            return Err(Error::UntrustedSender { fingerprint: fp });
        }
        read.map_err(bundle_error)?;
        importer.checks.finish().map_err(bundle_error)?;
        if importer.replay {
            let report = importer
                .checks
                .report(importer.trusted_as.clone(), Continuity::Replay)?;
            return Ok(ImportReport {
                outcome: ImportOutcome::AlreadyImported,
                report,
                new_records: 0,
                new_media: 0,
                released: Vec::new(),
            });
        }
        let Importer {
            checks,
            trusted_as,
            sender_name,
            new_records,
            new_media,
            conflicts,
            ..
        } = importer;
        let Some(manifest) = checks.manifest.clone() else {
            return Err(Error::BadInput("no manifest".into()));
        };
        let mut senders: BTreeMap<String, SenderState> = ctx.read_setting(SENDERS)?;
        let state = senders.get(&manifest.sender.key_id);
        let (cont, missing) = continuity(state, &checks.log, &our_recipient, &manifest.bundle_id);
        let report = checks.report(
            trusted_as
                .clone()
                .or_else(|| write.then(|| sender_name.clone())),
            cont.clone(),
        )?;
        if let Continuity::Fork { at } = cont {
            return Err(Error::Bundle {
                code: "bundle_fork",
                message: format!("the sender's custody log differs from what earlier bundles showed, from entry {at} on: two histories of one device; nothing was imported"),
            });
        }
        if let Some(first) = conflicts.first() {
            return Err(Error::Bundle {
                code: "bundle_conflict",
                message: format!("{first} differs from the one this sender sent before (and {} more); nothing was imported", conflicts.len() - 1),
            });
        }
        if !write {
            return Ok(ImportReport {
                outcome: ImportOutcome::Imported,
                report,
                new_records: 0,
                new_media: 0,
                released: Vec::new(),
            });
        }

        // Update what we know of the sender, release pending bundles this one completes.
        let state = senders.entry(manifest.sender.key_id.clone()).or_default();
        state.name = sender_name.clone();
        state.vault_id = manifest.sender.vault_id.clone();
        if checks.log.len() > state.log.len() {
            state.log = checks.log.iter().map(|l| l.hash.clone()).collect();
        }
        state.bundles.push(manifest.bundle_id.clone());
        if !missing.is_empty() {
            state
                .pending
                .insert(manifest.bundle_id.clone(), missing.clone());
        }
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
        if let Some(state) = senders.get_mut(&manifest.sender.key_id) {
            state.name.clone_from(&sender_name);
        }
        let state_bytes =
            serde_json::to_vec(&senders).map_err(|e| Error::Storage(e.to_string()))?;
        ctx.write_secret(&tx, SENDERS, &state_bytes)?;
        for (head, hash) in &new_records {
            ctx.log(
                &tx,
                &mut tail,
                Event::Imported,
                Change {
                    record: Some(head.id),
                    version: Some(head.version),
                    content_hash: Some(String::from_utf8_lossy(hash).into_owned()),
                    detail: Some(format!(
                        "bundle {} from {} ({})",
                        manifest.bundle_id, sender_name, manifest.sender.key_id
                    )),
                },
            )?;
        }
        if new_records.is_empty() {
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
        let (n_records, n_media) = (new_records.len(), new_media.len());
        for (head, _) in new_records {
            ctx.keys
                .catalog
                .received
                .entry((head.parent, head.id))
                .or_default()
                .push(head);
        }
        ctx.keys
            .catalog
            .attachments
            .entry(MEDIA_PARENT)
            .or_default()
            .extend(new_media);
        let outcome = if missing.is_empty() {
            ImportOutcome::Imported
        } else {
            ImportOutcome::Pending
        };
        Ok(ImportReport {
            outcome,
            report,
            new_records: n_records,
            new_media: n_media,
            released,
        })
    }

    /// Every received record version, with provenance; `pending` marks those from a
    /// bundle that waits for an earlier one.
    pub fn received(&mut self) -> Result<Vec<ReceivedSummary>> {
        let ctx = self.ctx()?;
        let senders: BTreeMap<String, SenderState> = ctx.read_setting(SENDERS)?;
        let mut out = Vec::new();
        for heads in ctx.keys.catalog.received.values() {
            for head in heads {
                let r: ReceivedRecord = decode(&ctx.read(Table::Received, head)?, || {
                    format!("received record {}", head.id)
                })?;
                let pending = senders
                    .get(&r.sender_key_id)
                    .is_some_and(|s| s.pending.contains_key(&r.bundle_id));
                out.push(ReceivedSummary {
                    id: r.record.id.clone(),
                    version: r.record.version,
                    sender: r.sender_name.clone(),
                    sender_key_id: r.sender_key_id.clone(),
                    bundle_id: r.bundle_id.clone(),
                    imported_at: r.imported_at.clone(),
                    pending,
                    redacted: r.record.redacted,
                    template: r.record.body.template.clone(),
                    language: r.record.body.language.clone(),
                    excerpt: r.record.body.narrative.chars().take(120).collect(),
                });
            }
        }
        Ok(out)
    }

    /// One received record version (the latest from any sender when `version` is None).
    pub fn show_received(&mut self, id: &str, version: Option<u32>) -> Result<ReceivedRecord> {
        let id = crate::catalog::parse_id(id)?;
        let ctx = self.ctx()?;
        let head = ctx
            .keys
            .catalog
            .received
            .iter()
            .filter(|((_, rid), _)| *rid == id)
            .flat_map(|(_, hs)| hs.iter())
            .filter(|h| version.is_none_or(|v| h.version == v))
            .max_by_key(|h| h.version)
            .ok_or_else(|| Error::TestimonyNotFound(id.to_string()))?;
        decode(&ctx.read(Table::Received, head)?, || {
            format!("received record {id}")
        })
    }
}
