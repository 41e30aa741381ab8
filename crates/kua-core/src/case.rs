//! A lawyer's case files (issue #13): how the vault keeps them. What a case's entries
//! mean (the course of a complaint, petitions, evidence, notes) is the `kua-case`
//! crate's work; the core only keeps them, sealed and logged, and never rewrites one.
//!
//! A case is the list of its entries, each a record of its own in the `case_entry`
//! table: the head names the entry and, as its parent, the case (so the disk shows
//! neither which case an entry belongs to nor how many cases there are, only how many
//! entries); the body is the entry as JSON. Entries are append-only: a correction or a
//! note's new text is a new entry, so the file keeps its history. Each entry is logged
//! `case_recorded` in the same transaction (record: the case; version: the entry's
//! number; content hash: the SHA-256 of the entry's JSON), which `verify` checks every
//! row against, and which a recipient of the case checks what it receives against.
//! Every entry carries 16 random bytes of salt: the log travels in bundles (as hashes
//! for cases a bundle does not carry), and without the salt a short privileged note
//! could be confirmed by hashing guesses. Erasing a case deletes its entries and
//! documents and logs a tombstone.

use crate::custody::{Change, Entry, Event};
use crate::error::{Error, Result};
use crate::records::Head;
use crate::seams::format_time;
use crate::store::Table;
use crate::vault::{Ctx, Vault};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;
use zeroize::Zeroizing;

/// An entry is a step, a petition, a note: text a person typed, not a document (those
/// are attachments). A note may be long; a 2 MiB entry is a mistake.
const ENTRY_MAX: usize = 2 << 20;

/// One entry of a case, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseEntry {
    pub id: String,
    pub case: String,
    /// The entry's place in its case, from 1, in the order it was recorded.
    pub number: u32,
    /// When it was recorded (RFC 3339 UTC); the dates it speaks of are in `data`.
    pub time: String,
    /// What the entry is, in `kua-case`'s vocabulary (`opened`, `step`, `note`, …).
    pub kind: String,
    /// Lawyer–client privileged content (notes): it never leaves the vault but for a
    /// `legal` recipient the lawyer gives it to.
    pub privileged: bool,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub data: serde_json::Value,
    /// Random, so that the entry's logged hash confirms no guess at its content.
    pub salt: String,
}

/// A case's entries that read, in order, and the places of those that do not (left
/// out and reported, so that one damaged row never hides a lawyer's deadlines).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseRows {
    pub entries: Vec<CaseEntry>,
    pub unreadable: Vec<String>,
}

/// An entry to record: its kind, whether it is privileged, its data.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCaseEntry {
    pub kind: String,
    pub privileged: bool,
    pub data: serde_json::Value,
}

impl CaseEntry {
    /// The content hash the log records: SHA-256 of the entry's JSON as serde writes it
    /// (struct fields in order, object keys as parsed), so that a recipient who parsed
    /// the entry computes the same hash.
    pub fn hash(&self) -> Result<String> {
        let bytes =
            Zeroizing::new(serde_json::to_vec(self).map_err(|e| Error::Storage(e.to_string()))?);
        Ok(crate::crypto::sha256_hex(&bytes))
    }
}

impl Ctx<'_> {
    fn case_heads(&self, case: &Uuid) -> Result<&Vec<Head>> {
        self.keys
            .catalog
            .cases
            .get(case)
            .ok_or_else(|| Error::CaseNotFound(case.to_string()))
    }

    fn read_entry(&self, head: &Head) -> Result<CaseEntry> {
        let bytes = self.read(Table::CaseEntry, head)?;
        let place = || Error::integrity(format!("case {} entry {}", head.parent, head.id));
        let entry: CaseEntry = serde_json::from_slice(&bytes).map_err(|_| place())?;
        if entry.id != head.id.to_string() || entry.case != head.parent.to_string() {
            return Err(place());
        }
        Ok(entry)
    }

    /// Every entry that reads, in order; the others named in `unreadable`. An integrity
    /// error is a damaged row; any other error (a locked or failing disk) is returned.
    pub(crate) fn entries(&self, case: &Uuid) -> Result<CaseRows> {
        let mut out = CaseRows::default();
        for head in self.case_heads(case)? {
            match self.read_entry(head) {
                Ok(e) => out.entries.push(e),
                Err(e) if e.class() == crate::ErrorClass::Integrity => out
                    .unreadable
                    .push(format!("case {case} entry {}", head.id)),
                Err(e) => return Err(e),
            }
        }
        out.entries.sort_by_key(|e| e.number);
        Ok(out)
    }

    /// Appends `items` to a case in one transaction, numbered one after the other: an
    /// entry and the ones that belong to it (a step and its details) are recorded
    /// together or not at all. The first number follows the highest number the case's
    /// rows carry (not their count, so that a row removed behind Kua's back does not
    /// make a number be given twice; a last row removed is caught by `verify`, which
    /// reports a number the log records twice).
    fn append(&mut self, case: Uuid, items: Vec<NewCaseEntry>) -> Result<Vec<CaseEntry>> {
        let first = match self.keys.catalog.cases.get(&case) {
            None => 1,
            Some(heads) => {
                let count = heads.len() as u32;
                let rows = self.entries(&case)?;
                let highest = rows.entries.iter().map(|e| e.number).max().unwrap_or(0);
                highest.max(count) + 1
            }
        };
        let mut staged = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let id = self.seams.uuid();
            let entry = CaseEntry {
                id: id.to_string(),
                case: case.to_string(),
                number: first + i as u32,
                time: format_time(self.seams.clock.now_ms()),
                kind: item.kind,
                privileged: item.privileged,
                data: item.data,
                salt: crate::crypto::hex(&self.seams.bytes::<16>()),
            };
            let bytes = Zeroizing::new(
                serde_json::to_vec(&entry).map_err(|e| Error::Storage(e.to_string()))?,
            );
            if bytes.len() > ENTRY_MAX {
                return Err(Error::BadInput(format!(
                    "this case entry is {} KiB, more than {} KiB; attach long texts as documents",
                    bytes.len() >> 10,
                    ENTRY_MAX >> 10
                )));
            }
            let head = Head::new(self.seams, id, 1, case);
            let digest = entry.hash()?;
            staged.push((entry, head, bytes, digest));
        }
        self.transaction(|ctx, tx, tail| {
            for (entry, head, bytes, digest) in &staged {
                ctx.insert(tx, Table::CaseEntry, head, bytes)?;
                ctx.log(
                    tx,
                    tail,
                    Event::CaseRecorded,
                    Change {
                        record: Some(case),
                        version: Some(entry.number),
                        content_hash: Some(digest.clone()),
                        detail: None,
                    },
                )?;
            }
            Ok(())
        })?;
        let mut out = Vec::new();
        for (entry, head, _, _) in staged {
            self.keys.catalog.cases.entry(case).or_default().push(head);
            out.push(entry);
        }
        Ok(out)
    }
}

impl Vault {
    /// Every case's id.
    pub fn case_ids(&mut self) -> Result<Vec<String>> {
        let ctx = self.ctx()?;
        Ok(ctx.keys.catalog.cases.keys().map(Uuid::to_string).collect())
    }

    /// A case's entries in the order they were recorded, and the rows that do not read.
    pub fn case_entries(&mut self, case: &str) -> Result<CaseRows> {
        let case = parse_case(case)?;
        self.ctx()?.entries(&case)
    }

    /// Opens a new case with its first entry.
    pub fn open_case(&mut self, kind: &str, data: serde_json::Value) -> Result<CaseEntry> {
        let mut ctx = self.ctx()?;
        let case = ctx.seams.uuid();
        let item = NewCaseEntry {
            kind: kind.to_string(),
            privileged: false,
            data,
        };
        let mut out = ctx.append(case, vec![item])?;
        out.pop()
            .ok_or_else(|| Error::Storage("no entry recorded".into()))
    }

    /// Records entries of an existing case, together, numbered in the order given.
    pub fn add_case_entries(
        &mut self,
        case: &str,
        items: Vec<NewCaseEntry>,
    ) -> Result<Vec<CaseEntry>> {
        let case = parse_case(case)?;
        let mut ctx = self.ctx()?;
        ctx.case_heads(&case)?;
        ctx.append(case, items)
    }

    /// Crypto-erase of a case: its entries and its documents (with their keys), a
    /// tombstone in the log, and the journal cleared like after a testimony's erase. A
    /// case received in bundles is erased the same way: every copy from every sender
    /// (its documents stay among the received media, which are kept by hash and may be
    /// another record's too).
    pub fn erase_case(&mut self, case: &str) -> Result<()> {
        let case = parse_case(case)?;
        let mut ctx = self.ctx()?;
        let own: Vec<Uuid> = match ctx.keys.catalog.cases.get(&case) {
            Some(heads) => heads.iter().map(|h| h.row).collect(),
            None => Vec::new(),
        };
        let received: Vec<(Uuid, Uuid)> = ctx
            .keys
            .catalog
            .received_cases
            .iter()
            .filter(|((_, id), _)| *id == case)
            .flat_map(|((sender, _), heads)| heads.iter().map(|h| (*sender, h.row)))
            .collect();
        if own.is_empty() && received.is_empty() {
            return Err(Error::CaseNotFound(case.to_string()));
        }
        let db = ctx.db;
        ctx.transaction(|ctx, tx, tail| {
            for row in &own {
                crate::records::delete(tx, Table::CaseEntry, row)?;
            }
            for (_, row) in &received {
                crate::records::delete(tx, Table::ReceivedCase, row)?;
            }
            // Documents are attached under the case's id only for the vault's own
            // cases; a received case's id must never reach another parent's files.
            if !own.is_empty() {
                ctx.delete_attachments(tx, &case)?;
            }
            ctx.log(
                tx,
                tail,
                Event::Deleted,
                Change {
                    record: Some(case),
                    ..Change::default()
                },
            )
        })?;
        if !own.is_empty() {
            ctx.keys.catalog.cases.remove(&case);
            ctx.keys.catalog.attachments.remove(&case);
        }
        ctx.keys
            .catalog
            .received_cases
            .retain(|(_, id), _| *id != case);
        crate::store::checkpoint(db)
    }

    /// Whether `id` names a case of this vault (documents are attached to cases).
    pub(crate) fn is_case(&mut self, id: &Uuid) -> Result<bool> {
        Ok(self.ctx()?.keys.catalog.cases.contains_key(id))
    }
}

pub(crate) fn parse_case(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| Error::CaseNotFound(id.to_string()))
}

/// Checks every case entry against the log: each row logged with the digest it has,
/// each logged entry still there unless its case was erased, no erased case back.
pub(crate) fn verify_cases(
    ctx: &Ctx<'_>,
    entries: &[Entry],
    problem: &mut dyn FnMut(&str, String, String),
) {
    let mut logged: BTreeMap<(String, u32), String> = BTreeMap::new();
    let mut erased = BTreeSet::new();
    for e in entries {
        match (e.event, &e.record) {
            (Event::CaseRecorded, Some(case)) => {
                if let (Some(n), Some(h)) = (e.version, &e.content_hash) {
                    // A number is given once: logged twice, the entry first recorded
                    // under it was removed and another took its place.
                    if logged.insert((case.clone(), n), h.clone()).is_some() {
                        problem(
                            "record_missing",
                            format!("case {case} entry {n}"),
                            "the custody log records two entries under this number: the first was removed from the vault".into(),
                        );
                    }
                }
            }
            (Event::Deleted, Some(r)) => {
                erased.insert(r.clone());
            }
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    for (case, heads) in &ctx.keys.catalog.cases {
        let case = case.to_string();
        if erased.contains(&case) {
            problem(
                "record_resurrected",
                format!("case {case}"),
                "the custody log records this case as erased, yet it is in the vault again (restored from an old copy?)".into(),
            );
        }
        for head in heads {
            let place = format!("case {case} entry {}", head.id);
            let read = ctx.read(Table::CaseEntry, head).ok().and_then(|bytes| {
                let entry: CaseEntry = serde_json::from_slice(&bytes).ok()?;
                (entry.id == head.id.to_string() && entry.case == case)
                    .then(|| Some((entry.number, entry.hash().ok()?)))
                    .flatten()
            });
            let Some((number, digest)) = read else {
                problem(
                    "record_unreadable",
                    place,
                    "the entry does not decrypt or does not belong to this case".into(),
                );
                continue;
            };
            if !seen.insert((case.clone(), number)) {
                problem(
                    "record_duplicated",
                    place.clone(),
                    "two entries of this case carry the same number".into(),
                );
            }
            match logged.get(&(case.clone(), number)) {
                None => problem(
                    "unlogged_record",
                    place,
                    "the custody log has no entry for this case entry: it was added outside Kua"
                        .into(),
                ),
                Some(h) if *h != digest => problem(
                    "content_hash_mismatch",
                    place,
                    "the entry differs from what the custody log recorded".into(),
                ),
                Some(_) => {}
            }
        }
    }
    for (case, number) in logged.keys() {
        if !erased.contains(case) && !seen.contains(&(case.clone(), *number)) {
            problem(
                "record_missing",
                format!("case {case} entry {number}"),
                "the custody log records this case entry but the vault no longer holds it".into(),
            );
        }
    }
}
