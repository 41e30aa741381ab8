//! Export: sealed versions, as a signed, encrypted bundle for one or more recipients.
//!
//! Consent is obeyed: a record whose consent does not cover every recipient's class
//! (`coalition`, or `legal` for a recipient marked legal) is withheld; the bundle's log
//! then carries that record's entries as hashes only, so the coordinator can tell a
//! withheld record from one dropped in transit. The bundle is written to the chosen path
//! and no other (`files::write_file`): an unnamed file linked in once complete where the
//! file system allows, else the path itself, removed on failure.

use crate::attachment::Meta;
use crate::catalog::parse_id;
use crate::chunks::ChunkReader;
use crate::custody::{self, Change, Entry, Event};
use crate::error::{Error, Result};
use crate::model::{Consent, ConsentScope, Status};
use crate::progress::Progress;
use crate::records::Head;
use crate::seams::format_time;
use crate::store::Table;
use crate::template::{self, FieldType};
use crate::testimony::{decode, VersionBody};
use crate::vault::{Ctx, Vault};
use ed25519_dalek::Signer;
use kua_bundle::{age, Contents, LogRange, MediaSource};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use uuid::Uuid;
use zeroize::Zeroizing;

/// Which records to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every sealed version.
    All,
    /// Sealed versions not yet sent to every one of these recipients.
    SinceLast,
    /// Every sealed version of these testimonies.
    Ids(Vec<String>),
}

/// What to export, to whom.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// Recipient names from the address book, or raw `age1…` keys (class coalition).
    pub to: Vec<String>,
    pub selection: Selection,
    /// Replace identifying fields with keyed pseudonyms.
    pub redact: bool,
}

/// A record version as a bundle carries it: `records/<id>/<version>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BundledRecord {
    pub id: String,
    pub version: u32,
    /// The content hash the sender's custody log records for this version.
    pub content_hash: String,
    /// True when identifying fields were pseudonymised (the body then no longer hashes
    /// to `content_hash`).
    pub redacted: bool,
    pub attachments: Vec<BundledAttachment>,
    pub body: VersionBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BundledAttachment {
    pub sha256: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub captured_at: Option<String>,
    /// A recording's markers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<crate::recording::Marker>,
}

/// One line of `log/entries.jsonl`: the entry, or only its hash when it concerns a
/// record this bundle does not carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LogLine {
    pub seq: u64,
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<Entry>,
}

/// What an `exported` custody entry records (its `detail`, as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportedDetail {
    pub bundle: String,
    pub recipients: Vec<String>,
    pub records: Vec<(String, u32)>,
    pub withheld: usize,
}

/// A record left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Withheld {
    pub id: String,
    /// `consent_missing`, `consent_withdrawn` or `consent_scope`.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportReport {
    pub bundle_id: String,
    pub file: PathBuf,
    pub recipients: Vec<String>,
    pub records: Vec<(String, u32)>,
    pub withheld: Vec<Withheld>,
    pub media: usize,
    pub media_bytes: u64,
}

struct Resolved {
    keys: Vec<age::x25519::Recipient>,
    needed: BTreeSet<ConsentScope>,
}

fn resolve(ctx: &Ctx<'_>, to: &[String]) -> Result<Resolved> {
    if to.is_empty() {
        return Err(Error::BadInput("name at least one recipient (--to)".into()));
    }
    let book = ctx.recipients()?;
    let mut keys = Vec::new();
    let mut needed = BTreeSet::new();
    for t in to {
        let (key, legal) = match book.iter().find(|r| &r.name == t) {
            Some(r) => (r.age.clone(), r.legal),
            None if t.starts_with("age1") => (t.clone(), false),
            None => {
                return Err(Error::BadInput(format!(
                    "no recipient named {t}; add it with `kua recipients add`"
                )))
            }
        };
        let parsed = age::x25519::Recipient::from_str(&key)
            .map_err(|_| Error::BadInput(format!("{t} is not a valid age recipient")))?;
        needed.insert(if legal {
            ConsentScope::Legal
        } else {
            ConsentScope::Coalition
        });
        keys.push(parsed);
    }
    Ok(Resolved { keys, needed })
}

/// A keyed pseudonym of an identifying value, stable for one set of recipients: the
/// same name yields the same pseudonym in every bundle to that coordinator.
fn pseudonym(key: &crate::crypto::Key, value: &str) -> String {
    let normal: String = value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    format!(
        "~{}",
        &crate::crypto::hex(&key.mac(normal.as_bytes()))[..16]
    )
}

/// Pseudonymises everything that names or locates a person: fields the template marks
/// identifying (and such sub-fields of lists, at any depth), the interviewer, and who
/// recorded the consent and its conditions. Fails closed: a record whose template is
/// unknown is not exported rather than exported unredacted.
fn redact(body: &mut VersionBody, key: &crate::crypto::Key) -> Result<()> {
    let tpl = template::find(&body.template)
        .ok_or_else(|| Error::TemplateNotFound(body.template.clone()))?;
    for (id, value) in body.fields.iter_mut() {
        let Some(field) = tpl.field(id) else {
            // Unknown fields cannot be judged; treat them as identifying.
            redact_value(value, key);
            continue;
        };
        if field.identifying {
            redact_value(value, key);
        } else if field.kind == FieldType::List {
            for item in value.as_array_mut().into_iter().flatten() {
                for (sub_id, sub) in item.as_object_mut().into_iter().flatten() {
                    let known = field.fields.iter().find(|f| &f.id == sub_id);
                    if known.is_none_or(|f| f.identifying) {
                        redact_value(sub, key);
                    }
                }
            }
        }
    }
    if let Some(i) = body.interviewer.as_mut() {
        *i = pseudonym(key, i);
    }
    if let Some(c) = body.consent.as_mut() {
        if let Some(r) = c.recorded_by.as_mut() {
            *r = pseudonym(key, r);
        }
        if c.conditions.is_some() {
            c.conditions = Some("(redacted)".into());
        }
    }
    Ok(())
}

fn redact_value(value: &mut Value, key: &crate::crypto::Key) {
    match value {
        Value::String(s) => *s = pseudonym(key, s),
        Value::Number(n) => *value = Value::String(pseudonym(key, &n.to_string())),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, key)),
        Value::Object(map) => map.values_mut().for_each(|v| redact_value(v, key)),
        Value::Bool(_) | Value::Null => {}
    }
}

/// Streams media out of the vault for the bundle writer.
struct VaultMedia<'a> {
    ctx: &'a Ctx<'a>,
    by_hash: HashMap<String, (&'a Head, Meta)>,
    progress: &'a mut dyn Progress,
}

struct Counted<'a, R> {
    inner: R,
    progress: &'a mut dyn Progress,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

impl MediaSource for VaultMedia<'_> {
    fn open(&mut self, sha256: &str) -> std::io::Result<Box<dyn Read + '_>> {
        let (head, meta) = self.by_hash.get(sha256).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "media not in the vault")
        })?;
        let reader = ChunkReader::new(self.ctx, head, meta)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        Ok(Box::new(Counted {
            inner: reader,
            progress: &mut *self.progress,
        }))
    }
}

impl Ctx<'_> {
    /// (record, version) pairs already sent to each recipient, from the log.
    fn sent(&self, entries: &[Entry]) -> BTreeMap<String, BTreeSet<(String, u32)>> {
        let mut sent: BTreeMap<String, BTreeSet<(String, u32)>> = BTreeMap::new();
        for e in entries.iter().filter(|e| e.event == Event::Exported) {
            let Some(detail) = e
                .detail
                .as_deref()
                .and_then(|d| serde_json::from_str::<ExportedDetail>(d).ok())
            else {
                continue;
            };
            for r in &detail.recipients {
                sent.entry(r.clone())
                    .or_default()
                    .extend(detail.records.iter().cloned());
            }
        }
        sent
    }
}

fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    crate::files::write_file(out, write)
}

/// Why consent keeps a testimony out of a bundle for recipients that need `needed`, if
/// it does: `consent_missing`, `consent_withdrawn` or `consent_scope`.
fn withholding(consent: Option<&Consent>, needed: &BTreeSet<ConsentScope>) -> Option<&'static str> {
    match consent {
        None => Some("consent_missing"),
        Some(c) if c.is_withdrawn() => Some("consent_withdrawn"),
        Some(c) if !needed.iter().all(|s| c.scope.contains(s)) => Some("consent_scope"),
        Some(_) => None,
    }
}

fn sent_to_all(
    sent: &BTreeMap<String, BTreeSet<(String, u32)>>,
    recipients: &[String],
    key: &(String, u32),
) -> bool {
    recipients
        .iter()
        .all(|r| sent.get(r).is_some_and(|s| s.contains(key)))
}

/// What an export would carry and what consent would withhold, computed before any file
/// is written, so that a front end can show it and ask for confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportPlan {
    pub recipients: Vec<String>,
    pub records: Vec<(String, u32)>,
    pub withheld: Vec<Withheld>,
}

impl Vault {
    /// The records `request` would carry and those consent withholds, with reasons.
    pub fn export_plan(&mut self, request: &ExportRequest) -> Result<ExportPlan> {
        let ctx = self.ctx()?;
        let resolved = resolve(&ctx, &request.to)?;
        let recipients: Vec<String> = resolved.keys.iter().map(ToString::to_string).collect();
        let (entries, _) = custody::walk(ctx.db, &ctx.vault, &ctx.keys.sub.custody, None)?;
        let sent = ctx.sent(&entries);
        let wanted: Option<BTreeSet<Uuid>> = match &request.selection {
            Selection::Ids(ids) => Some(ids.iter().map(|i| parse_id(i)).collect::<Result<_>>()?),
            _ => None,
        };
        let mut plan = ExportPlan {
            recipients: recipients.clone(),
            records: Vec::new(),
            withheld: Vec::new(),
        };
        for (id, versions) in &ctx.keys.catalog.testimonies {
            if wanted.as_ref().is_some_and(|w| !w.contains(id)) {
                continue;
            }
            let reason = withholding(ctx.read_consent(id)?.as_ref(), &resolved.needed);
            let mut any_sealed = false;
            for head in versions {
                let body = ctx.read_version(head)?;
                if body.status != Status::Sealed {
                    continue;
                }
                any_sealed = true;
                let key = (id.to_string(), body.version);
                if reason.is_none()
                    && !(request.selection == Selection::SinceLast
                        && sent_to_all(&sent, &recipients, &key))
                {
                    plan.records.push(key);
                }
            }
            if let (Some(r), true) = (reason, any_sealed) {
                plan.withheld.push(Withheld {
                    id: id.to_string(),
                    reason: r.into(),
                });
            }
        }
        Ok(plan)
    }

    /// Writes a bundle to `out`; see the module documentation.
    pub fn export(
        &mut self,
        request: &ExportRequest,
        out: &Path,
        progress: &mut dyn Progress,
    ) -> Result<ExportReport> {
        let ctx = self.ctx()?;
        let resolved = resolve(&ctx, &request.to)?;
        let recipient_names: Vec<String> = resolved.keys.iter().map(ToString::to_string).collect();
        let (entries, problems) = custody::walk(ctx.db, &ctx.vault, &ctx.keys.sub.custody, None)?;
        if !problems.is_empty() {
            return Err(Error::integrity(
                "the custody log (run `kua verify`); a bundle must carry an intact log",
            ));
        }
        let sent = ctx.sent(&entries);
        let wanted: Option<BTreeSet<Uuid>> = match &request.selection {
            Selection::Ids(ids) => Some(ids.iter().map(|i| parse_id(i)).collect::<Result<_>>()?),
            _ => None,
        };
        if let Some(ids) = &wanted {
            for id in ids {
                ctx.keys.catalog.latest(id)?;
            }
        }
        let mut sorted_keys = recipient_names.clone();
        sorted_keys.sort();
        let redact_key = crate::crypto::Key::from_slice(&sha2::Sha256::digest(
            format!("kua redact v1\n{}", sorted_keys.join("\n")).as_bytes(),
        ))
        .ok_or_else(|| Error::Storage("redaction key".into()))?;

        let mut records = Vec::new();
        let mut included: Vec<(String, u32)> = Vec::new();
        let mut withheld = Vec::new();
        let mut templates = BTreeMap::new();
        let mut by_hash: HashMap<String, (&Head, Meta)> = HashMap::new();
        for (id, versions) in &ctx.keys.catalog.testimonies {
            if wanted.as_ref().is_some_and(|w| !w.contains(id)) {
                continue;
            }
            let consent = ctx.read_consent(id)?;
            let reason = withholding(consent.as_ref(), &resolved.needed);
            let mut any_sealed = false;
            for head in versions {
                let mut body = ctx.read_version(head)?;
                if body.status != Status::Sealed {
                    continue;
                }
                any_sealed = true;
                if reason.is_some() {
                    continue;
                }
                let key = (id.to_string(), body.version);
                if request.selection == Selection::SinceLast
                    && sent_to_all(&sent, &recipient_names, &key)
                {
                    continue;
                }
                let content_hash = body.hash();
                // Anonymity asked for in the consent is honoured whether or not the
                // exporter asked for redaction.
                let redacted = request.redact || consent.as_ref().is_some_and(|c| c.anonymous);
                let mut attachments = Vec::new();
                for (aid, sha) in &body.attachments {
                    let head = ctx
                        .keys
                        .catalog
                        .attachments
                        .get(id)
                        .into_iter()
                        .flatten()
                        .find(|h| h.id.to_string() == *aid);
                    let Some(head) = head else {
                        return Err(Error::integrity(format!(
                            "attachment {aid} of testimony {id} is sealed but missing"
                        )));
                    };
                    let meta: Meta = decode(&ctx.read(Table::Attachment, head)?, || {
                        format!("attachment {aid}")
                    })?;
                    attachments.push(BundledAttachment {
                        sha256: sha.clone(),
                        name: if redacted {
                            format!("attachment-{}", &sha[..12])
                        } else {
                            meta.name.clone()
                        },
                        media_type: meta.media_type.clone(),
                        size: meta.size,
                        captured_at: meta.captured_at.clone(),
                        markers: meta.markers.clone(),
                    });
                    by_hash.insert(sha.clone(), (head, meta));
                }
                if redacted {
                    redact(&mut body, &redact_key)?;
                }
                templates.insert(body.template.clone(), body.template_version);
                let record = BundledRecord {
                    id: id.to_string(),
                    version: body.version,
                    content_hash,
                    redacted,
                    attachments,
                    body,
                };
                let bytes = serde_json::to_vec_pretty(&record)
                    .map_err(|e| Error::Storage(e.to_string()))?;
                records.push((format!("{id}/{}.json", key.1), Zeroizing::new(bytes)));
                included.push(key);
            }
            if let (Some(r), true) = (reason, any_sealed) {
                withheld.push(Withheld {
                    id: id.to_string(),
                    reason: r.into(),
                });
            }
        }
        if included.is_empty() {
            return Err(Error::BadInput(if withheld.is_empty() {
                "nothing to export: no sealed version matches".into()
            } else {
                format!(
                    "nothing to export: consent withholds all {} matching testimonies",
                    withheld.len()
                )
            }));
        }

        // The log: entries about records this bundle carries in full, the rest as hashes.
        let carried: BTreeSet<&str> = included.iter().map(|(id, _)| id.as_str()).collect();
        let mut log = Vec::new();
        for e in &entries {
            let hash = crate::crypto::hex(&e.hash());
            // In full: entries about records this bundle carries, the vault's creation
            // and repairs, and earlier exports to any of these recipients (which is how
            // the coordinator sees a missing bundle). Everything else, hashes only: other
            // records, other recipients, the address book, imports.
            let full = match e.record.as_deref() {
                Some(r) => carried.contains(r),
                None => match e.event {
                    Event::VaultCreated | Event::LogRepaired => true,
                    Event::Exported => e
                        .detail
                        .as_deref()
                        .and_then(|d| serde_json::from_str::<ExportedDetail>(d).ok())
                        .is_some_and(|d| d.recipients.iter().any(|r| recipient_names.contains(r))),
                    _ => false,
                },
            };
            let line = LogLine {
                seq: e.seq,
                hash,
                entry: full.then(|| e.clone()),
            };
            serde_json::to_writer(&mut log, &line).map_err(|e| Error::Storage(e.to_string()))?;
            log.push(b'\n');
        }
        let tail = ctx.keys.tail;
        let checkpoint = ctx.keys.signing.sign(&custody::checkpoint_message(
            &ctx.vault, tail.size, &tail.head,
        ));
        let media: Vec<(String, u64)> = by_hash
            .iter()
            .map(|(sha, (_, m))| (sha.clone(), m.size))
            .collect();
        let media_bytes = media.iter().map(|(_, s)| s).sum();
        let bundle_id = ctx.seams.uuid().to_string();
        let contents = Contents {
            bundle_id: bundle_id.clone(),
            created: format_time(ctx.seams.clock.now_ms()),
            vault_id: ctx.vault.to_string(),
            recipients: resolved.keys,
            templates,
            records,
            media: media.clone(),
            log,
            log_range: Some(LogRange {
                from: 0,
                size: tail.size,
                head: crate::crypto::hex(&tail.head),
                checkpoint_sig: crate::crypto::hex(&checkpoint.to_bytes()),
            }),
        };
        progress.begin(Some(media_bytes));
        let signer = ctx.keys.signing.clone();
        let written = write_atomically(out, |w| {
            let mut source = VaultMedia {
                ctx: &ctx,
                by_hash,
                progress: &mut *progress,
            };
            kua_bundle::write(w, &contents, &signer, &mut source)
                .map(|_| ())
                .map_err(|e| match e {
                    kua_bundle::Error::Io(io) => Error::Io(io),
                    other => Error::Storage(other.to_string()),
                })
        });
        progress.end();
        written?;

        let detail = ExportedDetail {
            bundle: bundle_id.clone(),
            recipients: recipient_names.clone(),
            records: included.clone(),
            withheld: withheld.len(),
        };
        let detail = serde_json::to_string(&detail).map_err(|e| Error::Storage(e.to_string()))?;
        self.ctx()?.log_now(
            Event::Exported,
            Change {
                detail: Some(detail),
                ..Change::default()
            },
        )?;
        Ok(ExportReport {
            bundle_id,
            file: out.to_path_buf(),
            recipients: recipient_names,
            records: included,
            withheld,
            media: media.len(),
            media_bytes,
        })
    }
}

use sha2::Digest;
