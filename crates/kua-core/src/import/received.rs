//! Records received in bundles, with their provenance, as front ends list and show them,
//! and as `verify` checks them against the vault's own custody log.
//!
//! A received record is known by (sender, id, version): two senders may use the same
//! record id, and one must never stand in for the other.

use super::senders;
use crate::custody::{Entry, Event};
use crate::error::{Error, Result};
use crate::export::BundledRecord;
use crate::store::Table;
use crate::testimony::decode;
use crate::vault::{Ctx, Vault};
use serde::{Deserialize, Serialize};

/// A received record version with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceivedRecord {
    pub sender_key_id: String,
    /// The minisign public key line the bundle's signature verified with.
    #[serde(default)]
    pub sender_public_key: String,
    pub sender_name: String,
    pub bundle_id: String,
    pub imported_at: String,
    /// SHA-256 of the record file as the bundle carried it (empty for records imported
    /// by earlier builds): for a redacted record, what the sender's `redacted` entry logs.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub sha256: String,
    /// The recipients the bundle was encrypted to (empty for records imported by
    /// earlier builds): a redacted record's pseudonyms and match keys are keyed by them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub recipients: Vec<String>,
    pub record: BundledRecord,
}

/// A line of the list of received records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

impl Ctx<'_> {
    /// Every received record, decoded, with the place of those that do not open.
    fn received_records(&self) -> Vec<std::result::Result<ReceivedRecord, String>> {
        let mut out = Vec::new();
        for heads in self.keys.catalog.received.values() {
            for head in heads {
                let place = format!("received record {} version {}", head.id, head.version);
                out.push(
                    self.read(Table::Received, head)
                        .and_then(|b| decode(&b, || place.clone()))
                        .map_err(|_| place),
                );
            }
        }
        out
    }
}

impl Vault {
    /// Every received record version, with provenance; `pending` marks those from a
    /// bundle that waits for an earlier one.
    pub fn received(&mut self) -> Result<Vec<ReceivedSummary>> {
        let ctx = self.ctx()?;
        let senders = senders::load(&ctx)?;
        let mut out = Vec::new();
        for heads in ctx.keys.catalog.received.values() {
            for head in heads {
                let r: ReceivedRecord = decode(&ctx.read(Table::Received, head)?, || {
                    format!("received record {}", head.id)
                })?;
                let pending = senders
                    .get(&senders::canonical(&r.sender_public_key))
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

    /// One received record version of one sender (named by its key id, as
    /// `ReceivedSummary::sender_key_id` gives it); the latest version when `version` is
    /// None. Without a sender, the id must have come from one sender only: a record of
    /// one sender never stands in for another's with the same id.
    pub fn show_received(
        &mut self,
        id: &str,
        version: Option<u32>,
        sender: Option<&str>,
    ) -> Result<ReceivedRecord> {
        let id = crate::catalog::parse_id(id)?;
        let ctx = self.ctx()?;
        let mut found: Vec<ReceivedRecord> = Vec::new();
        for ((_, rid), heads) in &ctx.keys.catalog.received {
            if *rid != id {
                continue;
            }
            let head = heads
                .iter()
                .filter(|h| version.is_none_or(|v| h.version == v))
                .max_by_key(|h| h.version);
            if let Some(head) = head {
                let r: ReceivedRecord = decode(&ctx.read(Table::Received, head)?, || {
                    format!("received record {id}")
                })?;
                if sender.is_none_or(|s| s.trim().eq_ignore_ascii_case(&r.sender_key_id)) {
                    found.push(r);
                }
            }
        }
        match found.len() {
            0 => Err(Error::TestimonyNotFound(id.to_string())),
            1 => found
                .pop()
                .ok_or_else(|| Error::TestimonyNotFound(id.to_string())),
            _ => Err(Error::ReceivedAmbiguous {
                id: id.to_string(),
                senders: found.into_iter().map(|r| r.sender_key_id).collect(),
            }),
        }
    }
}

/// The sender key id an `imported` entry names: its detail ends with `(<key id>)`.
fn imported_key_id(detail: &str) -> Option<&str> {
    let inner = detail.strip_suffix(')')?;
    let (_, id) = inner.rsplit_once('(')?;
    (id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

/// Checks received records against the vault's own log: every `imported` entry names a
/// record version that must still be here (a deleted one is `record_missing`, and
/// importing its bundle again restores it), every received record must have been logged
/// as imported, with the content hash logged, and every one must open.
pub(crate) fn check_received(
    ctx: &Ctx<'_>,
    entries: &[Entry],
    problem: &mut impl FnMut(&str, String, String),
) {
    let mut held = Vec::new();
    for r in ctx.received_records() {
        match r {
            Ok(r) => held.push(r),
            Err(place) => problem(
                "record_unreadable",
                place,
                "the received record does not decrypt".into(),
            ),
        }
    }
    let matches = |e: &Entry, r: &ReceivedRecord| {
        e.record.as_deref() == Some(r.record.id.as_str())
            && e.version == Some(r.record.version)
            && e.content_hash.as_deref() == Some(r.record.content_hash.as_str())
            && e.detail
                .as_deref()
                .and_then(imported_key_id)
                .is_none_or(|k| k == r.sender_key_id)
    };
    let imported: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.event == Event::Imported && e.record.is_some())
        .collect();
    for e in &imported {
        if !held.iter().any(|r| matches(e, r)) {
            let sender = e.detail.as_deref().and_then(imported_key_id).unwrap_or("?");
            problem(
                "record_missing",
                format!(
                    "received record {} version {} from {sender}",
                    e.record.as_deref().unwrap_or_default(),
                    e.version.unwrap_or_default()
                ),
                "the custody log records this record as imported but the vault no longer holds it; importing its bundle again restores it".into(),
            );
        }
    }
    for r in &held {
        if !imported.iter().any(|e| matches(e, r)) {
            problem(
                "unlogged_record",
                format!(
                    "received record {} version {} from {}",
                    r.record.id, r.record.version, r.sender_key_id
                ),
                "the custody log has no import of this received record: it was added outside Kua"
                    .into(),
            );
        }
    }
}
