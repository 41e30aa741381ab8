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
    /// Testimony id → consent records found beside the one that stands (damage, or an
    /// old record put back). Kept as they are, as evidence of the damage `verify`
    /// reports, until the testimony is erased, which erases them too; a consent change
    /// leaves them.
    pub stale_consents: BTreeMap<Uuid, Vec<Head>>,
    /// (sender, record id) → versions received from that sender. Built with
    /// `received_ids` at load, and added to after that through `add_received` only,
    /// which keeps `received_ids` with it.
    pub received: BTreeMap<(Uuid, Uuid), Vec<Head>>,
    /// Every record id in `received`, whoever sent it: an import tells at once that a
    /// record id is new to this vault, instead of looking it up under every other
    /// sender (tens of lookups per record at a coordinator's scale).
    pub received_ids: HashSet<Uuid>,
    /// Case id → the heads of its entries (case.rs).
    pub cases: BTreeMap<Uuid, Vec<Head>>,
    /// (sender, case id) → the copies of a case received from that sender.
    pub received_cases: BTreeMap<(Uuid, Uuid), Vec<Head>>,
    /// Rows whose heads did not open, as "{table} row {id}". Unlock still succeeds;
    /// `verify` reports each of them.
    pub damaged: Vec<String>,
    /// Testimonies whose records do not fit together, with what is wrong: versions not
    /// 1..n (which a version row that does not open also leaves), or two consent
    /// records. Unlock still succeeds; `verify` names each testimony, and analysis
    /// leaves it out of the counts.
    pub inconsistent: Vec<(Uuid, String)>,
}

impl Catalog {
    /// Adds a received record's version (after its transaction committed).
    pub fn add_received(&mut self, head: Head) {
        self.received_ids.insert(head.id);
        // Most records have one version: no room for more is reserved (see `grouped`).
        self.received
            .entry((head.parent, head.id))
            .or_insert_with(|| Vec::with_capacity(1))
            .push(head);
    }

    pub fn load(db: &Connection, vault: &Uuid, sub: &Subkeys) -> Result<Catalog> {
        let mut catalog = Catalog::default();
        let (heads, mut damaged) = load_heads(db, vault, sub, Table::Testimony)?;
        catalog.testimonies = grouped(heads, |h| h.id);
        for versions in catalog.testimonies.values() {
            let contiguous = versions
                .iter()
                .enumerate()
                .all(|(i, h)| h.version as usize == i + 1);
            if !contiguous {
                let id = versions.first().map(|h| h.id).unwrap_or_default();
                catalog.inconsistent.push((
                    id,
                    "versions are not 1..n (one was removed or duplicated, or does not open)"
                        .into(),
                ));
            }
        }
        let (heads, more) = load_heads(db, vault, sub, Table::Attachment)?;
        damaged.extend(more);
        catalog.attachments = grouped(heads, |h| h.parent);
        let (heads, more) = load_heads(db, vault, sub, Table::Consent)?;
        damaged.extend(more);
        // A testimony has one consent record: a change writes the next revision and
        // deletes the one before. Of two (damage, or an old record put back), the
        // highest revision stands, so that a withdrawal cannot be undone by restoring
        // the record it replaced; `verify` names the testimony, and the others are
        // kept aside for the testimony's erasure.
        let mut stale = Vec::new();
        catalog.consents = grouped(heads, |h| h.parent)
            .into_iter()
            .filter_map(|(parent, mut heads)| {
                let head = heads.pop()?;
                if !heads.is_empty() {
                    catalog.inconsistent.push((parent, "two consent records; the latest revision stands, and the other may be an older one put back".into()));
                    stale.push((parent, heads));
                }
                Some((parent, head))
            })
            .collect();
        catalog.stale_consents = stale.into_iter().collect();
        let (heads, more) = load_heads(db, vault, sub, Table::Received)?;
        damaged.extend(more);
        catalog.received_ids = heads.iter().map(|h| h.id).collect();
        catalog.received = grouped(heads, |h| (h.parent, h.id));
        let (heads, more) = load_heads(db, vault, sub, Table::CaseEntry)?;
        damaged.extend(more);
        catalog.cases = grouped(heads, |h| h.parent);
        let (heads, more) = load_heads(db, vault, sub, Table::ReceivedCase)?;
        damaged.extend(more);
        catalog.received_cases = grouped(heads, |h| (h.parent, h.id));
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

/// Groups heads under a key, each group in ascending version order.
///
/// At 100,000 testimonies the catalog is most of what an unlocked vault holds in memory,
/// so it is built compactly: each group's vector holds exactly its heads (a vector grown
/// by `push` reserves room for four, where almost every record has one version), and the
/// map is built from sorted input, which fills its nodes instead of leaving them a third
/// empty as random inserts do.
fn grouped<K: Ord + Copy>(
    mut heads: Vec<Head>,
    key: impl Fn(&Head) -> K,
) -> BTreeMap<K, Vec<Head>> {
    heads.sort_by(|a, b| key(a).cmp(&key(b)).then(a.version.cmp(&b.version)));
    let mut runs = Vec::new();
    for head in &heads {
        match runs.last_mut() {
            Some((k, n)) if *k == key(head) => *n += 1,
            _ => runs.push((key(head), 1usize)),
        }
    }
    let mut heads = heads.into_iter();
    // `take` on a vector's iterator has an exact length, so `collect` allocates exactly.
    runs.into_iter()
        .map(|(k, n)| (k, heads.by_ref().take(n).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Key;

    fn head(id: u128, version: u32, parent: u128, mark: u8) -> Head {
        Head {
            row: Uuid::from_u128(u128::from(mark)),
            key: Key::from_slice(&[mark; 32]).unwrap(),
            id: Uuid::from_u128(id),
            version,
            parent: Uuid::from_u128(parent),
        }
    }

    #[test]
    fn heads_are_grouped_by_key_in_version_order_in_exactly_sized_vectors() {
        // Read order as a table scan gives it: ids and versions mixed.
        let heads = vec![
            head(3, 2, 0, 1),
            head(1, 1, 0, 2),
            head(3, 1, 0, 3),
            head(2, 1, 0, 4),
            head(3, 3, 0, 5),
        ];
        let groups = grouped(heads, |h| h.id);
        let shape: Vec<(u128, Vec<u32>)> = groups
            .iter()
            .map(|(k, v)| (k.as_u128(), v.iter().map(|h| h.version).collect()))
            .collect();
        assert_eq!(
            shape,
            [(1, vec![1]), (2, vec![1]), (3, vec![1, 2, 3])],
            "keys ascending, versions ascending within each"
        );
        for versions in groups.values() {
            assert_eq!(versions.capacity(), versions.len(), "no room reserved");
            assert!(versions.iter().all(|h| h.id == versions[0].id));
        }
        // Each head keeps its own key and row.
        let third = &groups[&Uuid::from_u128(3)];
        let marks: Vec<u8> = third.iter().map(|h| h.key.expose()[0]).collect();
        assert_eq!(marks, [3, 1, 5]);
    }

    #[test]
    fn equal_keys_and_versions_keep_their_read_order() {
        // Two parents interleaved, 100 heads each, all of version 1, each marked with
        // its place in the read order (in its row id): within a group the marks must
        // still ascend. Enough heads that an unstable sort would reorder them.
        let heads: Vec<Head> = (0..200u128)
            .map(|i| Head {
                row: Uuid::from_u128(i),
                key: Key::from_slice(&[0; 32]).unwrap(),
                id: Uuid::from_u128(1000 + i),
                version: 1,
                parent: Uuid::from_u128(if i % 2 == 0 { 9 } else { 4 }),
            })
            .collect();
        let groups = grouped(heads, |h| h.parent);
        for (parent, group) in &groups {
            let marks: Vec<u128> = group.iter().map(|h| h.row.as_u128()).collect();
            assert_eq!(marks.len(), 100);
            assert!(marks.windows(2).all(|w| w[0] < w[1]), "{parent}: {marks:?}");
        }
        assert!(grouped(Vec::new(), |h| h.id).is_empty());
    }
}
