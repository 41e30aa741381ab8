//! Export: sealed versions, as a signed, encrypted bundle for one or more recipients.
//!
//! Consent is obeyed: a record whose consent does not cover every recipient's class
//! (`coalition`, or `legal` for a recipient marked legal) is withheld; the bundle's log
//! then carries that record's entries as hashes only, so the coordinator can tell a
//! withheld record from one dropped in transit. The bundle is written to the chosen path
//! and no other (`files::write_file`): an unnamed file linked in once complete where the
//! file system allows, else the path itself, removed on failure; a stick pulled
//! mid-export leaves at most a truncated age file, which never passes for a bundle.

use crate::catalog::parse_id;
use crate::custody::{self, Entry, Event};
use crate::error::{Error, Result};
use crate::model::{Consent, ConsentScope, Status};
use crate::testimony::VersionBody;
use crate::vault::{Ctx, Vault};
use kua_bundle::age;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::str::FromStr;
use uuid::Uuid;

mod bundle;
mod cases;
mod redact;
pub use cases::BundledCase;
pub(crate) use redact::{pseudonym, redaction_key};

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
    /// Cases to send (by id): whole to legal recipients, their course to others.
    pub cases: Vec<String>,
    /// Send the cases' privileged notes too (legal recipients only).
    pub case_notes: bool,
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
    /// A redacted record's match keys (`matchkeys`): its name encoded for linkage. Absent
    /// from unredacted records and from bundles of earlier versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub match_keys: Option<crate::matchkeys::MatchKeys>,
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
    /// The cases carried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<String>,
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
    /// The cases carried (whole or as their course).
    #[serde(default)]
    pub cases: Vec<String>,
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
}
