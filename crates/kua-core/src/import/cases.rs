//! Cases received in bundles: a colleague's whole case, or a case's course sent to a
//! coalition to count outcomes. Each is kept as it arrived, by sender, in its own row
//! (`received_case`), logged `case_imported`; a later bundle carrying more of the case
//! adds a row, and the fullest one is the case as this vault knows it.

use super::importer::Importer;
use super::sender_uuid;
use crate::custody::{Entry, Event};
use crate::error::{Error, Result};
use crate::export::BundledCase;
use crate::records::Head;
use crate::seams::format_time;
use crate::store::Table;
use crate::testimony::{decode, encode};
use crate::vault::{Ctx, Vault};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A case as received, with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceivedCase {
    pub sender_key_id: String,
    pub sender_name: String,
    pub bundle_id: String,
    pub imported_at: String,
    /// SHA-256 of the case file in the bundle.
    pub sha256: String,
    pub case: BundledCase,
}

impl ReceivedCase {
    /// The version a row is logged under: the highest entry number it carries.
    fn version(case: &BundledCase) -> u32 {
        case.entries.iter().map(|e| e.number).max().unwrap_or(0)
    }
}

impl Importer<'_, '_> {
    /// Stages a case unless this very file from this sender is already here.
    pub(super) fn stage_case(&mut self, case: BundledCase, sha256: &str) -> Result<()> {
        let sender = sender_uuid(&self.sender_key);
        let id: Uuid = case
            .id
            .parse()
            .map_err(|_| Error::BadInput("case id".into()))?;
        // A received case's id is the sender's; it must not be one this vault uses for
        // anything of its own (its erase would then reach that).
        let catalog = &self.ctx.keys.catalog;
        if id.is_nil()
            || id == super::MEDIA_PARENT
            || catalog.testimonies.contains_key(&id)
            || catalog.cases.contains_key(&id)
            || catalog.attachments.contains_key(&id)
        {
            return Err(Error::Bundle {
                code: "bundle_case_id_taken",
                message: format!("the bundle's case {id} has the id of a record of this vault; nothing was imported"),
            });
        }
        for head in self
            .ctx
            .keys
            .catalog
            .received_cases
            .get(&(sender, id))
            .into_iter()
            .flatten()
        {
            // A damaged copy is not this file: the file is stored again beside it.
            let held = self
                .ctx
                .read(Table::ReceivedCase, head)
                .and_then(|b| decode::<ReceivedCase>(&b, || "received case".into()));
            if held.is_ok_and(|h| h.sha256 == sha256) {
                return Ok(());
            }
        }
        if !self.write {
            return Ok(());
        }
        let Some(m) = &self.manifest else {
            return Err(Error::BadInput("no manifest".into()));
        };
        let received = ReceivedCase {
            sender_key_id: m.sender.key_id.clone(),
            sender_name: self.sender_name.clone(),
            bundle_id: m.bundle_id.clone(),
            imported_at: format_time(self.now),
            sha256: sha256.to_string(),
            case,
        };
        let head = Head::new(
            self.ctx.seams,
            id,
            ReceivedCase::version(&received.case),
            sender,
        );
        let bytes = encode(&received)?;
        self.ctx.insert_in(
            self.tx,
            Table::ReceivedCase,
            &head,
            &bytes,
            &mut self.case_rows,
        )?;
        self.writeback.stored(bytes.len() as u64);
        self.new_cases.push((head, sha256.to_string()));
        Ok(())
    }
}

impl Ctx<'_> {
    fn received_case_rows(&self) -> Vec<std::result::Result<ReceivedCase, String>> {
        let mut out = Vec::new();
        for ((_, id), heads) in &self.keys.catalog.received_cases {
            for head in heads {
                out.push(
                    self.read(Table::ReceivedCase, head)
                        .and_then(|b| decode(&b, || format!("received case {id}")))
                        .map_err(|_| format!("received case {id} (row {})", head.row)),
                );
            }
        }
        out
    }
}

impl Vault {
    /// Every case received, the fullest copy of each (sender, case). A row that does
    /// not read is left out here (`verify` names it), so that it hides no other case.
    pub fn received_cases(&mut self) -> Result<Vec<ReceivedCase>> {
        let ctx = self.ctx()?;
        let mut best: std::collections::BTreeMap<(String, String), ReceivedCase> =
            Default::default();
        for row in ctx.received_case_rows() {
            let Ok(r) = row else { continue };
            let key = (r.sender_key_id.clone(), r.case.id.clone());
            let fuller = |old: &ReceivedCase| {
                (ReceivedCase::version(&r.case), r.case.entries.len())
                    > (ReceivedCase::version(&old.case), old.case.entries.len())
            };
            if best.get(&key).is_none_or(fuller) {
                best.insert(key, r);
            }
        }
        Ok(best.into_values().collect())
    }
}

/// Every received case row against the log's `case_imported` entries, both ways.
pub(crate) fn check_received_cases(
    ctx: &Ctx<'_>,
    entries: &[Entry],
    problem: &mut dyn FnMut(&str, String, String),
) {
    let imported: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.event == Event::CaseImported)
        .collect();
    // A received case erased (`erase_case`) is no longer held, as its tombstone says.
    let erased_after = |e: &Entry| {
        entries
            .iter()
            .any(|d| d.event == Event::Deleted && d.seq > e.seq && d.record == e.record)
    };
    let mut held = Vec::new();
    for row in ctx.received_case_rows() {
        match row {
            Ok(r) => held.push(r),
            Err(place) => problem(
                "record_unreadable",
                place,
                "the received case does not decrypt".into(),
            ),
        }
    }
    let matches = |e: &Entry, r: &ReceivedCase| {
        e.record.as_deref() == Some(r.case.id.as_str())
            && e.version == Some(ReceivedCase::version(&r.case))
            && e.content_hash.as_deref() == Some(r.sha256.as_str())
    };
    for e in &imported {
        if !held.iter().any(|r| matches(e, r)) && !erased_after(e) {
            problem(
                "record_missing",
                format!("received case {}", e.record.as_deref().unwrap_or_default()),
                "the custody log records this case as imported but the vault no longer holds it; importing its bundle again restores it".into(),
            );
        }
    }
    for r in &held {
        if !imported.iter().any(|e| matches(e, r)) {
            problem(
                "unlogged_record",
                format!("received case {} from {}", r.case.id, r.sender_key_id),
                "the custody log has no import of this received case: it was added outside Kua"
                    .into(),
            );
        }
    }
}
