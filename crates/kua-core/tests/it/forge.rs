//! A sender whose signing key the test holds: it keeps a custody log of its own and
//! writes bundles with it, as a genuine Kua vault would, or as someone holding a stolen
//! device key could. The attack tests use it where a real vault cannot be made to
//! misbehave.

use crate::*;
use ed25519_dalek::{Signer, SigningKey};
use kua_core::custody::{checkpoint_message, Entry, Event};
use kua_core::kua_bundle::{self, age, minisign, Contents, LogRange, MediaSource};
use kua_core::model::Status;
use kua_core::{BundleLogLine, BundledRecord, ExportedDetail, VersionBody};
use secrecy::ExposeSecret;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::str::FromStr;

struct NoMedia;

impl MediaSource for NoMedia {
    fn open(&mut self, _sha256: &str) -> std::io::Result<Box<dyn Read + '_>> {
        Err(std::io::ErrorKind::NotFound.into())
    }
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(bytes))
}

#[derive(Clone)]
pub struct Forger {
    pub key: SigningKey,
    pub vault: uuid::Uuid,
    pub entries: Vec<Entry>,
    pub to: String,
    pub bodies: BTreeMap<(String, u32), VersionBody>,
}

impl Forger {
    /// A sender with the key `[seed; 32]` that sends to the age recipient `to`.
    pub fn new(seed: u8, to: &str) -> Forger {
        let mut f = Forger {
            key: SigningKey::from_bytes(&[seed; 32]),
            vault: uuid::Uuid::from_bytes([seed; 16]),
            entries: Vec::new(),
            to: to.to_string(),
            bodies: BTreeMap::new(),
        };
        f.append(Event::VaultCreated, None, None, None);
        f
    }

    pub fn public_key_file(&self) -> String {
        minisign::public_key_file(&self.key.verifying_key())
    }

    pub fn key_id(&self) -> String {
        minisign::key_id_hex(&self.key.verifying_key())
    }

    pub fn append(
        &mut self,
        event: Event,
        record: Option<(&str, u32)>,
        content_hash: Option<String>,
        detail: Option<String>,
    ) {
        let prev = self
            .entries
            .last()
            .map(|e| hex(&e.hash()))
            .unwrap_or_else(|| "0".repeat(64));
        let seq = self.entries.len() as u64;
        self.entries.push(Entry {
            seq,
            prev_hash: prev,
            time: 1_641_600_000_000 + seq as i64 * 1000,
            event,
            record: record.map(|(id, _)| id.to_string()),
            version: record.map(|(_, v)| v),
            content_hash,
            detail,
        });
    }

    /// Seals a version of record `id` with this narrative and logs it.
    pub fn seal(&mut self, id: &str, version: u32, narrative: &str) -> (String, u32) {
        let body = VersionBody {
            id: id.to_string(),
            version,
            status: Status::Sealed,
            template: "istanbul-2022".into(),
            template_version: 1,
            language: "ru".into(),
            interviewer: Some("Интервьюер 9".into()),
            fields: [("full_name".to_string(), serde_json::json!("Данияр Ахметов"))]
                .into_iter()
                .collect(),
            narrative: narrative.to_string(),
            consent: Some(consent()),
            attachments: Vec::new(),
            created_at: 1_641_600_000_000,
            updated_at: 1_641_600_000_000,
            sealed_at: Some(1_641_600_000_000),
            amendment_reason: None,
        };
        let event = if version == 1 {
            Event::Sealed
        } else {
            Event::Amended
        };
        self.append(event, Some((id, version)), Some(body.hash()), None);
        self.bodies.insert((id.to_string(), version), body);
        (id.to_string(), version)
    }

    /// A sealed version as a bundle carries it, unredacted.
    pub fn record(&self, key: &(String, u32)) -> BundledRecord {
        let body = self.bodies[key].clone();
        BundledRecord {
            id: key.0.clone(),
            version: key.1,
            content_hash: body.hash(),
            redacted: false,
            attachments: Vec::new(),
            body,
            match_keys: None,
        }
    }

    /// A redacted copy whose name field reads `name`; with `log`, the redaction is
    /// logged as a genuine export logs it.
    pub fn redacted(&mut self, key: &(String, u32), name: &str, log: bool) -> BundledRecord {
        let mut r = self.record(key);
        r.redacted = true;
        r.body
            .fields
            .insert("full_name".into(), serde_json::json!(name));
        if log {
            let bytes = serde_json::to_vec_pretty(&r).unwrap();
            self.append(
                Event::Redacted,
                Some((key.0.as_str(), key.1)),
                Some(sha(&bytes)),
                None,
            );
        }
        r
    }

    /// A bundle carrying `records` and the first `log_len` entries of the log.
    pub fn bundle(&self, id: &str, records: &[BundledRecord], log_len: usize) -> Vec<u8> {
        let carried: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
        let mut log = Vec::new();
        for e in &self.entries[..log_len] {
            let full = match e.record.as_deref() {
                Some(r) => carried.contains(&r),
                None => matches!(e.event, Event::VaultCreated | Event::Exported),
            };
            let line = BundleLogLine {
                seq: e.seq,
                hash: hex(&e.hash()),
                entry: full.then(|| e.clone()),
            };
            serde_json::to_writer(&mut log, &line).unwrap();
            log.push(b'\n');
        }
        let head = self.entries[log_len - 1].hash();
        let checkpoint = self
            .key
            .sign(&checkpoint_message(&self.vault, log_len as u64, &head));
        let contents = Contents {
            bundle_id: id.to_string(),
            created: "2022-02-01T00:00:00Z".into(),
            vault_id: self.vault.to_string(),
            recipients: vec![age::x25519::Recipient::from_str(&self.to).unwrap()],
            templates: [("istanbul-2022".to_string(), 1)].into_iter().collect(),
            records: records
                .iter()
                .map(|r| {
                    (
                        format!("{}/{}.json", r.id, r.version),
                        serde_json::to_vec_pretty(r).unwrap().into(),
                    )
                })
                .collect(),
            cases: Vec::new(),
            media: Vec::new(),
            log,
            log_range: Some(LogRange {
                from: 0,
                size: log_len as u64,
                head: hex(&head),
                checkpoint_sig: hex(&checkpoint.to_bytes()),
            }),
        };
        let mut out = Vec::new();
        kua_bundle::write(&mut out, &contents, &self.key, &mut NoMedia).unwrap();
        out
    }

    /// Exports as a genuine vault does: the bundle with the whole log, then the
    /// `exported` entry that names it.
    pub fn export(&mut self, id: &str, keys: &[(String, u32)]) -> Vec<u8> {
        let records: Vec<BundledRecord> = keys.iter().map(|k| self.record(k)).collect();
        let bundle = self.bundle(id, &records, self.entries.len());
        self.logged_export(id, keys);
        bundle
    }

    /// The `exported` entry of bundle `id` carrying `keys`.
    pub fn logged_export(&mut self, id: &str, keys: &[(String, u32)]) {
        let detail = ExportedDetail {
            bundle: id.to_string(),
            recipients: vec![self.to.clone()],
            records: keys.to_vec(),
            withheld: 0,
            cases: Vec::new(),
        };
        self.append(
            Event::Exported,
            None,
            None,
            Some(serde_json::to_string(&detail).unwrap()),
        );
    }

    /// Rewrites the manifest of `bundle` (decrypted with the recipient's `identity`) and
    /// signs it again with this sender's key.
    pub fn resign(
        &self,
        bundle: &[u8],
        identity: &age::x25519::Identity,
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> Vec<u8> {
        let d = age::Decryptor::new(bundle).unwrap();
        let mut r = d
            .decrypt(std::iter::once(identity as &dyn age::Identity))
            .unwrap();
        let mut tar_bytes = Vec::new();
        r.read_to_end(&mut tar_bytes).unwrap();
        let mut files: Vec<(String, Vec<u8>)> = tar::Archive::new(tar_bytes.as_slice())
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let p = String::from_utf8(e.path_bytes().into_owned()).unwrap();
                let mut v = Vec::new();
                e.read_to_end(&mut v).unwrap();
                (p, v)
            })
            .collect();
        let mut m: serde_json::Value = serde_json::from_slice(&files[0].1).unwrap();
        edit(&mut m);
        let json = serde_json::to_vec_pretty(&m).unwrap();
        let comment = format!(
            "kua bundle {} created {}",
            m["bundle_id"].as_str().unwrap(),
            m["created"].as_str().unwrap()
        );
        files[1].1 = minisign::sign(&self.key, &json, &comment).into_bytes();
        files[0].1 = json;
        let mut b = tar::Builder::new(Vec::new());
        for (p, v) in &files {
            let mut h = tar::Header::new_ustar();
            h.set_size(v.len() as u64);
            h.set_mode(0o644);
            h.set_mtime(0);
            b.append_data(&mut h, p, v.as_slice()).unwrap();
        }
        let tar_bytes = b.into_inner().unwrap();
        let to = age::x25519::Recipient::from_str(&self.to).unwrap();
        let e =
            age::Encryptor::with_recipients(std::iter::once(&to as &dyn age::Recipient)).unwrap();
        let mut out = Vec::new();
        let mut w = e.wrap_output(&mut out).unwrap();
        w.write_all(&tar_bytes).unwrap();
        w.finish().unwrap();
        out
    }
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

/// The vault's age identity, for tests that must open a bundle addressed to it.
pub fn age_identity(v: &mut Vault) -> age::x25519::Identity {
    let secret = v.export_age_identity().unwrap();
    age::x25519::Identity::from_str(secret.expose_secret()).unwrap()
}

/// Writes a bundle to a file in `dir`.
pub fn put(dir: &std::path::Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}
