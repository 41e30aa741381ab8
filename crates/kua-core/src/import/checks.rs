//! The checks that need no vault, and `check_bundle`, which runs only those.

use super::{rejected, BundleReport, Continuity, SenderReport};
use crate::custody::{checkpoint_message, Event};
use crate::error::{Error, Result};
use crate::export::{BundledRecord, LogLine};
use crate::identity::fingerprint;
use crate::model::Status;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use kua_bundle::{age, FileEntry, Manifest, Visitor};
use std::collections::BTreeSet;
use std::io::Read;
use uuid::Uuid;

/// The checks that need no vault: record files against their log, the log against
/// the manifest's signed checkpoint.
#[derive(Default)]
pub(super) struct Checks {
    pub(super) manifest: Option<Manifest>,
    pub(super) sender: Option<VerifyingKey>,
    /// (id, version, content hash, redacted, SHA-256 of the record file) of each record.
    pub(super) records: Vec<(String, u32, String, bool, String)>,
    pub(super) media: usize,
    pub(super) media_bytes: u64,
    pub(super) log: Vec<LogLine>,
    pub(super) cases: Vec<CarriedCase>,
    /// (case, attachment id, SHA-256) of each case document carried.
    pub(super) case_documents: Vec<(String, String, String)>,
}

/// (case id, (entry number, content hash) of each entry, SHA-256 of the case file).
pub(super) type CarriedCase = (String, Vec<(u32, String)>, String);

/// What a file of a bundle turned out to be, once `Checks::file` has checked it.
pub(super) enum Seen<'p> {
    /// A record, parsed and checked against its name and content hash.
    Record(Box<BundledRecord>),
    /// A media file with this SHA-256; its bytes are still unread in `data`.
    Media(&'p str),
    /// The custody log, read and parsed.
    Log,
    /// A lawyer's case, parsed and checked against its name.
    Case(Box<crate::export::BundledCase>),
}

impl Checks {
    /// Notes the manifest and the key that verified it.
    pub(super) fn manifest(&mut self, manifest: &Manifest, sender: &VerifyingKey) {
        self.manifest = Some(manifest.clone());
        self.sender = Some(*sender);
    }

    /// The one place that decides what a bundle's file is and checks it; both the
    /// vault-less check and the import go through here.
    pub(super) fn file<'p>(
        &mut self,
        path: &'p str,
        entry: &FileEntry,
        data: &mut dyn Read,
    ) -> kua_bundle::Result<Seen<'p>> {
        if path.starts_with("records/") {
            self.record(path, &entry.sha256, data)
                .map(|r| Seen::Record(Box::new(r)))
        } else if path.starts_with("cases/") {
            self.case(path, &entry.sha256, data)
                .map(|c| Seen::Case(Box::new(c)))
        } else if path == kua_bundle::manifest::LOG {
            self.log_file(data).map(|()| Seen::Log)
        } else if let Some(sha) = path.strip_prefix("media/") {
            self.media += 1;
            self.media_bytes = self.media_bytes.saturating_add(entry.size);
            Ok(Seen::Media(sha))
        } else {
            Err(kua_bundle::Error::UnlistedFile(path.into()))
        }
    }

    pub(super) fn record(
        &mut self,
        path: &str,
        sha256: &str,
        data: &mut dyn Read,
    ) -> kua_bundle::Result<BundledRecord> {
        let mut bytes = Vec::new();
        data.take(kua_bundle::MAX_SMALL_FILE)
            .read_to_end(&mut bytes)?;
        // Parse errors name the position only: serde's messages may quote content.
        let record: BundledRecord = serde_json::from_slice(&bytes).map_err(|e| {
            kua_bundle::Error::Corrupt(format!(
                "{path}: not a valid record (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let canonical = Uuid::parse_str(&record.id).map(|u| u.to_string()).ok();
        if canonical.as_deref() != Some(record.id.as_str()) {
            return Err(kua_bundle::Error::Corrupt(format!(
                "{path}: the record id is not a canonical UUID"
            )));
        }
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
        // The attachment list must be the one sealed into the body, and every attachment
        // must travel in this bundle.
        let listed: BTreeSet<&str> = record
            .attachments
            .iter()
            .map(|a| a.sha256.as_str())
            .collect();
        let sealed: BTreeSet<&str> = body
            .attachments
            .iter()
            .map(|(_, sha)| sha.as_str())
            .collect();
        let carried = |sha: &str| {
            self.manifest
                .as_ref()
                .is_some_and(|m| m.files.contains_key(&format!("media/{sha}")))
        };
        if listed != sealed || !listed.iter().all(|sha| carried(sha)) {
            return Err(kua_bundle::Error::Corrupt(format!(
                "{path}: its attachments are not the ones sealed into it, or are missing from the bundle"
            )));
        }
        self.records.push((
            record.id.clone(),
            record.version,
            record.content_hash.clone(),
            record.redacted,
            sha256.to_string(),
        ));
        Ok(record)
    }

    /// A case file: named by its canonical id, every entry of that case, each once and
    /// in order, a course-only case carrying steps alone, and every document carried.
    /// Its entries are checked against the sender's log in `finish`.
    pub(super) fn case(
        &mut self,
        path: &str,
        sha256: &str,
        data: &mut dyn Read,
    ) -> kua_bundle::Result<crate::export::BundledCase> {
        let mut bytes = Vec::new();
        data.take(kua_bundle::MAX_SMALL_FILE)
            .read_to_end(&mut bytes)?;
        let bad = |what: &str| kua_bundle::Error::Corrupt(format!("{path}: {what}"));
        let case: crate::export::BundledCase = serde_json::from_slice(&bytes).map_err(|e| {
            bad(&format!(
                "not a valid case (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let canonical = Uuid::parse_str(&case.id).map(|u| u.to_string()).ok();
        if canonical.as_deref() != Some(case.id.as_str())
            || path != format!("cases/{}.json", case.id)
        {
            return Err(bad("the case id is not the canonical UUID its name says"));
        }
        let mut hashes = Vec::new();
        let mut last = 0;
        for e in &case.entries {
            if e.case != case.id || e.number <= last {
                return Err(bad("its entries are not this case's, in order"));
            }
            if !case.whole && (e.kind != "step" || e.privileged) {
                return Err(bad("a case sent as its course carries steps only"));
            }
            // The course is what a coalition may hold: a step's details (who decided,
            // the ERDR number, a remark, a document) never travel in it.
            let detailed = ["body", "number", "document", "note"]
                .iter()
                .any(|k| e.data.get(*k).is_some_and(|v| !v.is_null()));
            if !case.whole && detailed {
                return Err(bad("a case sent as its course carries a step's details"));
            }
            if e.privileged && !case.notes {
                return Err(bad("it carries privileged entries it does not declare"));
            }
            last = e.number;
            let hash = e.hash().map_err(|_| bad("an entry does not serialise"))?;
            hashes.push((e.number, hash));
        }
        if case.whole {
            let opened = case.entries.iter().find(|e| e.kind == "opened");
            let client = opened
                .and_then(|e| e.data.get("client"))
                .and_then(|c| c.as_str());
            if client != Some(case.client.as_str()) {
                return Err(bad("its client is not the one its opening entry names"));
            }
        } else if !case.documents.is_empty() {
            return Err(bad("a case sent as its course carries no documents"));
        }
        let carried = |sha: &str| {
            self.manifest
                .as_ref()
                .is_some_and(|m| m.files.contains_key(&format!("media/{sha}")))
        };
        if !case.documents.iter().all(|(_, d)| carried(&d.sha256)) {
            return Err(bad("a document it lists is missing from the bundle"));
        }
        for (attachment, d) in &case.documents {
            self.case_documents
                .push((case.id.clone(), attachment.clone(), d.sha256.clone()));
        }
        self.cases
            .push((case.id.clone(), hashes, sha256.to_string()));
        Ok(case)
    }

    pub(super) fn log_file(&mut self, data: &mut dyn Read) -> kua_bundle::Result<()> {
        let mut bytes = Vec::new();
        data.take(kua_bundle::MAX_SMALL_FILE)
            .read_to_end(&mut bytes)?;
        for (i, line) in bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let line: LogLine = serde_json::from_slice(line).map_err(|e| {
                kua_bundle::Error::Corrupt(format!(
                    "custody log line {i}: not valid (column {})",
                    e.column()
                ))
            })?;
            self.log.push(line);
        }
        Ok(())
    }

    /// Called after the whole bundle was read and every file matched its hash.
    pub(super) fn finish(&self) -> kua_bundle::Result<()> {
        let (Some(m), Some(key)) = (&self.manifest, &self.sender) else {
            return Err(rejected("no manifest"));
        };
        if m.log.from != 0 {
            return Err(kua_bundle::Error::Corrupt(
                "custody log: a bundle carries the log from its first entry".into(),
            ));
        }
        // From here on the log starts at entry 0, so its i-th line is entry i and the
        // first one links to the chain's origin, 64 zeros (also the head of an empty log).
        let mut prev = "0".repeat(64);
        for (i, line) in self.log.iter().enumerate() {
            if line.seq != i as u64 {
                return Err(kua_bundle::Error::Corrupt(format!(
                    "custody log: entry {i} is missing or out of order"
                )));
            }
            if let Some(e) = &line.entry {
                if e.seq != line.seq
                    || crate::crypto::hex(&e.hash()) != line.hash
                    || e.prev_hash != prev
                {
                    return Err(kua_bundle::Error::Corrupt(format!(
                        "custody log: entry {} was altered, dropped or reordered",
                        line.seq
                    )));
                }
            }
            prev.clone_from(&line.hash);
        }
        if self.log.len() as u64 != m.log.size || prev != m.log.head {
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
        for (id, version, hash, _, _) in &self.records {
            if !logged.contains(&(id.as_str(), *version, hash.as_str())) {
                return Err(kua_bundle::Error::Corrupt(format!("record {id} version {version} is not sealed with that content in the sender's log")));
            }
        }
        // Every case entry is one the sender logged, with the hash it logged.
        let recorded: BTreeSet<(&str, u32, &str)> = self
            .log
            .iter()
            .filter_map(|l| l.entry.as_ref())
            .filter(|e| e.event == Event::CaseRecorded)
            .filter_map(|e| Some((e.record.as_deref()?, e.version?, e.content_hash.as_deref()?)))
            .collect();
        for (id, entries, _) in &self.cases {
            for (n, hash) in entries {
                if !recorded.contains(&(id.as_str(), *n, hash.as_str())) {
                    return Err(kua_bundle::Error::Corrupt(format!(
                        "case {id} entry {n} is not recorded with that content in the sender's log"
                    )));
                }
            }
        }
        // Every document is one the sender added to that case, with that evidence hash.
        let added: BTreeSet<(&str, &str, &str)> = self
            .log
            .iter()
            .filter_map(|l| l.entry.as_ref())
            .filter(|e| e.event == Event::AttachmentAdded)
            .filter_map(|e| {
                Some((
                    e.record.as_deref()?,
                    e.detail.as_deref()?,
                    e.content_hash.as_deref()?,
                ))
            })
            .collect();
        for (case, attachment, sha) in &self.case_documents {
            if !added.contains(&(case.as_str(), attachment.as_str(), sha.as_str())) {
                return Err(kua_bundle::Error::Corrupt(format!(
                    "a document of case {case} is not one its sender's log records adding"
                )));
            }
        }
        Ok(())
    }

    /// Whether the carried log holds a `redacted` entry for this record version with
    /// this SHA-256 of its record file.
    pub(super) fn is_logged_redaction(&self, id: &str, version: u32, sha256: &str) -> bool {
        self.log
            .iter()
            .filter_map(|l| l.entry.as_ref())
            .filter(|e| e.event == Event::Redacted)
            .any(|e| {
                e.record.as_deref() == Some(id)
                    && e.version == Some(version)
                    && e.content_hash.as_deref() == Some(sha256)
            })
    }

    /// Every redacted record must be a redaction its sender logged: a `redacted` entry
    /// in the carried log with the SHA-256 of exactly this record file. A redacted body
    /// does not hash to the sealed content hash, so without that entry it would be
    /// bound to nothing the sender logged, and a body forged under the sender's key
    /// would import (and the genuine copy then count as nothing new). Bundles of earlier
    /// builds, which did not log redactions, are refused for that reason.
    pub(super) fn redactions_logged(&self) -> Result<()> {
        for (id, version, _, redacted, sha) in &self.records {
            if *redacted && !self.is_logged_redaction(id, *version, sha) {
                return Err(Error::Bundle {
                    code: "bundle_redaction_unlogged",
                    message: format!("the redacted copy of record {id} version {version} is not one its sender logged: its body may have been replaced; ask the sender to export it again with a current Kua; nothing was imported"),
                });
            }
        }
        Ok(())
    }

    /// The records carried, as (id, version).
    pub(super) fn record_keys(&self) -> BTreeSet<(String, u32)> {
        self.records
            .iter()
            .map(|(id, v, _, _, _)| (id.clone(), *v))
            .collect()
    }

    pub(super) fn report(
        &self,
        trusted_as: Option<String>,
        continuity: Continuity,
    ) -> Result<BundleReport> {
        let (Some(m), Some(key)) = (&self.manifest, &self.sender) else {
            return Err(Error::BadInput("no manifest".into()));
        };
        Ok(BundleReport {
            bundle_id: m.bundle_id.clone(),
            created: m.created.clone(),
            sender: SenderReport {
                key_id: m.sender.key_id.clone(),
                fingerprint: fingerprint(key),
                public_key: kua_bundle::minisign::public_key_line(key),
                vault_id: m.sender.vault_id.clone(),
                trusted_as,
            },
            records: self
                .records
                .iter()
                .map(|(id, v, _, _, _)| (id.clone(), *v))
                .collect(),
            cases: self.cases.iter().map(|(id, _, _)| id.clone()).collect(),
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
    input: impl Read + Send,
    identities: &[age::x25519::Identity],
) -> Result<BundleReport> {
    struct Only(Checks);
    impl Visitor for Only {
        fn manifest(&mut self, m: &Manifest, sender: &VerifyingKey) -> kua_bundle::Result<()> {
            self.0.manifest(m, sender);
            Ok(())
        }
        fn file(
            &mut self,
            path: &str,
            entry: &FileEntry,
            data: &mut dyn Read,
        ) -> kua_bundle::Result<()> {
            self.0.file(path, entry, data).map(|_| ())
        }
    }
    let mut v = Only(Checks::default());
    kua_bundle::read(input, identities, &mut v).map_err(bundle_error)?;
    v.0.finish().map_err(bundle_error)?;
    v.0.redactions_logged()?;
    let ours: Vec<String> = identities
        .iter()
        .map(|i| i.to_public().to_string())
        .collect();
    if !v
        .0
        .manifest
        .as_ref()
        .is_some_and(|m| m.recipients.iter().any(|r| ours.contains(r)))
    {
        return Err(Error::Bundle {
            code: "bundle_readdressed",
            message: "this bundle was made for other recipients and re-encrypted to this identity"
                .into(),
        });
    }
    v.0.report(None, Continuity::Unknown)
}

pub(crate) fn bundle_error(e: kua_bundle::Error) -> Error {
    Error::Bundle {
        code: e.code(),
        message: e.to_string(),
    }
}

#[cfg(test)]
#[path = "checks_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "checks_files_tests.rs"]
mod files_tests;
