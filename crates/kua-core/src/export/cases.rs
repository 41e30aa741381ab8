//! Cases in a bundle (issue #13): `cases/<id>.json`, only for the cases the lawyer
//! names. To recipients who are all `legal` (a colleague, co-counsel) a case travels
//! whole: its entries and its documents, and its privileged notes only when asked for.
//! To anyone else (a coalition) only its course travels: the steps, with their dates,
//! decisions and outcomes, so outcomes can be counted; no title, notes, petitions,
//! evidence or documents. The client's consent must cover every recipient's class, as
//! for the client's testimony.

use super::{withholding, BundledAttachment, Resolved, Withheld};
use crate::attachment::Meta;
use crate::case::CaseEntry;
use crate::error::{Error, Result};
use crate::model::{Consent, ConsentScope};
use crate::store::Table;
use crate::testimony::decode;
use crate::vault::Ctx;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;
use zeroize::Zeroizing;

/// A case as a bundle carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BundledCase {
    pub id: String,
    /// The client's record id (own testimony or received record of the sender).
    pub client: String,
    /// True when the whole case travels (to legal recipients); false for the course only.
    pub whole: bool,
    /// True when the privileged notes travel with it.
    pub notes: bool,
    /// The entries carried, in order; each one hashes to its `case_recorded` entry of
    /// the sender's log.
    pub entries: Vec<CaseEntry>,
    /// The case's documents (whole cases only); the files travel as media.
    pub documents: Vec<(String, BundledAttachment)>,
}

/// What the named cases become.
#[derive(Default)]
pub(super) struct SelectedCases {
    pub files: Vec<(String, Zeroizing<Vec<u8>>)>,
    pub included: Vec<String>,
    pub withheld: Vec<Withheld>,
    /// What of each carried case's log entries travels in full: None for a whole case
    /// (every entry about it), else the numbers of the entries carried (their
    /// `case_recorded` lines only; the rest, hashes, so that a coalition learns nothing
    /// of the notes, documents or petitions a case holds).
    pub log_lines: std::collections::BTreeMap<String, Option<std::collections::BTreeSet<u32>>>,
}

impl Ctx<'_> {
    /// The client's consent as this vault knows it: the current one of an own
    /// testimony, else the one a received record was sealed under.
    fn client_consent(&self, client: &str) -> Result<Option<Consent>> {
        let Ok(id) = Uuid::parse_str(client) else {
            return Ok(None);
        };
        if self.keys.catalog.testimonies.contains_key(&id) {
            return self.read_consent(&id);
        }
        for ((_, rid), heads) in &self.keys.catalog.received {
            if *rid != id {
                continue;
            }
            if let Some(head) = heads.last() {
                let r: crate::import::ReceivedRecord =
                    decode(&self.read(Table::Received, head)?, || {
                        "received record".into()
                    })?;
                return Ok(r.record.body.consent);
            }
        }
        Ok(None)
    }

    pub(super) fn select_cases(
        &self,
        names: &[String],
        notes: bool,
        resolved: &Resolved,
        by_hash: &mut HashMap<String, (Uuid, Uuid, Meta)>,
    ) -> Result<SelectedCases> {
        let whole = !resolved.needed.is_empty()
            && resolved.needed.iter().all(|s| *s == ConsentScope::Legal);
        if notes && !whole {
            return Err(Error::BadInput(
                "privileged notes go only to recipients who are all marked legal; leave them out or send to legal recipients only".into(),
            ));
        }
        let mut out = SelectedCases::default();
        for name in names {
            let case = crate::case::parse_case(name)?;
            let rows = self.entries(&case)?;
            if let Some(place) = rows.unreadable.first() {
                return Err(Error::integrity(place.clone()));
            }
            let entries = rows.entries;
            let client = entries
                .iter()
                .find(|e| e.kind == "opened")
                .and_then(|e| e.data.get("client"))
                .and_then(|c| c.as_str())
                .ok_or_else(|| Error::integrity(format!("case {case} (no opening entry)")))?
                .to_string();
            if let Some(reason) =
                withholding(self.client_consent(&client)?.as_ref(), &resolved.needed)
            {
                out.withheld.push(Withheld {
                    id: case.to_string(),
                    reason: reason.into(),
                });
                continue;
            }
            let carried: Vec<CaseEntry> = entries
                .into_iter()
                .filter(|e| match (whole, e.privileged) {
                    (true, true) => notes,
                    (true, false) => true,
                    (false, _) => e.kind == "step",
                })
                .collect();
            // Steps recorded with their details inline (not by this build) cannot be
            // sent as a course: their hash covers the details.
            let detailed = carried.iter().any(|e| {
                !whole
                    && ["body", "number", "document", "note"]
                        .iter()
                        .any(|k| e.data.get(*k).is_some_and(|v| !v.is_null()))
            });
            if detailed {
                out.withheld.push(Withheld {
                    id: case.to_string(),
                    reason: "case_details".into(),
                });
                continue;
            }
            let mut documents = Vec::new();
            if whole {
                for head in self
                    .keys
                    .catalog
                    .attachments
                    .get(&case)
                    .into_iter()
                    .flatten()
                {
                    let meta = self.read_meta(head)?;
                    documents.push((
                        head.id.to_string(),
                        BundledAttachment {
                            sha256: meta.sha256.clone(),
                            name: meta.name.clone(),
                            media_type: meta.media_type.clone(),
                            size: meta.size,
                            captured_at: meta.captured_at.clone(),
                            markers: Vec::new(),
                        },
                    ));
                    by_hash.insert(meta.sha256.clone(), (case, head.id, meta));
                }
            }
            let bundled = BundledCase {
                id: case.to_string(),
                client,
                whole,
                notes: whole && notes,
                entries: carried,
                documents,
            };
            let bytes =
                serde_json::to_vec_pretty(&bundled).map_err(|e| Error::Storage(e.to_string()))?;
            let numbers = (!whole).then(|| bundled.entries.iter().map(|e| e.number).collect());
            out.log_lines.insert(case.to_string(), numbers);
            out.files
                .push((format!("{case}.json"), Zeroizing::new(bytes)));
            out.included.push(case.to_string());
        }
        Ok(out)
    }
}
