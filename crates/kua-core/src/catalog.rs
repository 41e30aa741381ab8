//! The in-memory map of what the vault holds, built at unlock from the record heads
//! alone (no body is decrypted). It exists only while the vault is unlocked.

use crate::crypto::Subkeys;
use crate::error::{Error, Result};
use crate::records::{load_heads, Head};
use crate::store::Table;
use rusqlite::Connection;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

#[derive(Debug, Default)]
pub struct Catalog {
    /// Testimony id → its versions, ascending.
    pub testimonies: BTreeMap<Uuid, Vec<Head>>,
    /// Testimony id → its attachments.
    pub attachments: BTreeMap<Uuid, Vec<Head>>,
    /// Testimony id → its consent record.
    pub consents: BTreeMap<Uuid, Head>,
    /// (sender, record id) → versions received from that sender. Added to through
    /// `add_received` only, which keeps `received_ids` with it.
    pub received: BTreeMap<(Uuid, Uuid), Vec<Head>>,
    /// Every record id in `received`, whoever sent it: an import tells at once that a
    /// record id is new to this vault, instead of looking it up under every other
    /// sender (tens of lookups per record at a coordinator's scale).
    pub received_ids: HashSet<Uuid>,
    /// Case id → the heads of its entries (case.rs).
    pub cases: BTreeMap<Uuid, Vec<Head>>,
    /// (sender, case id) → the copies of a case received from that sender.
    pub received_cases: BTreeMap<(Uuid, Uuid), Vec<Head>>,
    /// Rows whose heads did not open, and testimonies whose versions are not 1..n.
    /// Unlock still succeeds; `verify` reports each of them.
    pub damaged: Vec<String>,
}

impl Catalog {
    /// Adds a received record's version (after its transaction committed).
    pub fn add_received(&mut self, head: Head) {
        self.received_ids.insert(head.id);
        self.received
            .entry((head.parent, head.id))
            .or_default()
            .push(head);
    }

    pub fn load(db: &Connection, vault: &Uuid, sub: &Subkeys) -> Result<Catalog> {
        let mut catalog = Catalog::default();
        let (heads, mut damaged) = load_heads(db, vault, sub, Table::Testimony)?;
        for head in heads {
            catalog.testimonies.entry(head.id).or_default().push(head);
        }
        for versions in catalog.testimonies.values_mut() {
            versions.sort_by_key(|h| h.version);
            let contiguous = versions
                .iter()
                .enumerate()
                .all(|(i, h)| h.version as usize == i + 1);
            if !contiguous {
                let id = versions.first().map(|h| h.id).unwrap_or_default();
                damaged.push(format!(
                    "testimony {id}: versions are not 1..n (one was removed or duplicated)"
                ));
            }
        }
        let (heads, more) = load_heads(db, vault, sub, Table::Attachment)?;
        damaged.extend(more);
        for head in heads {
            catalog
                .attachments
                .entry(head.parent)
                .or_default()
                .push(head);
        }
        let (heads, more) = load_heads(db, vault, sub, Table::Consent)?;
        damaged.extend(more);
        for head in heads {
            let parent = head.parent;
            if catalog.consents.insert(parent, head).is_some() {
                damaged.push(format!("testimony {parent}: two consent records"));
            }
        }
        let (heads, more) = load_heads(db, vault, sub, Table::Received)?;
        damaged.extend(more);
        for head in heads {
            catalog.add_received(head);
        }
        for versions in catalog.received.values_mut() {
            versions.sort_by_key(|h| h.version);
        }
        let (heads, more) = load_heads(db, vault, sub, Table::CaseEntry)?;
        damaged.extend(more);
        for head in heads {
            catalog.cases.entry(head.parent).or_default().push(head);
        }
        let (heads, more) = load_heads(db, vault, sub, Table::ReceivedCase)?;
        damaged.extend(more);
        for head in heads {
            catalog
                .received_cases
                .entry((head.parent, head.id))
                .or_default()
                .push(head);
        }
        catalog.damaged = damaged;
        Ok(catalog)
    }

    pub fn versions(&self, id: &Uuid) -> Result<&Vec<Head>> {
        self.testimonies
            .get(id)
            .ok_or_else(|| Error::TestimonyNotFound(id.to_string()))
    }

    pub fn latest(&self, id: &Uuid) -> Result<&Head> {
        self.versions(id)?
            .last()
            .ok_or_else(|| Error::TestimonyNotFound(id.to_string()))
    }

    pub fn version(&self, id: &Uuid, version: u32) -> Result<&Head> {
        self.versions(id)?
            .iter()
            .find(|h| h.version == version)
            .ok_or_else(|| Error::VersionNotFound {
                id: id.to_string(),
                version,
            })
    }
}

/// Parses a testimony id as typed by a user or a script.
pub fn parse_id(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| Error::TestimonyNotFound(id.to_string()))
}
