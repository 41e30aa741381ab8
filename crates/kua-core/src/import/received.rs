//! Records received in bundles, with their provenance, as front ends list and show them.

use super::{SenderState, SENDERS};
use crate::error::{Error, Result};
use crate::export::BundledRecord;
use crate::store::Table;
use crate::testimony::decode;
use crate::vault::Vault;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

impl Vault {
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
                    .get(&r.sender_public_key)
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
