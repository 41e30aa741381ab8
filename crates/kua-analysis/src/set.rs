//! The analysis set: every counted record reduced to its codes, in memory only. It is
//! built from [`kua_core::Vault::analysis_records`] and holds no text of a record but
//! its codes and dates; its owner drops it with the vault's keys.

use crate::dates::Span;
use crate::dimension::{codes, events_date, Dimension, DIMENSIONS};
use kua_core::model::{ConsentScope, Status};
use kua_core::{AnalysisRecords, RecordSource};
use std::collections::HashMap;

/// One counted record.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub id: String,
    pub version: u32,
    pub source: RecordSource,
    pub status: Status,
    pub date: Option<Span>,
    /// The person's consent covers sharing with the coalition or anonymised
    /// publication: only such records count in published figures.
    pub publishable: bool,
    /// Per dimension, the interned codes of this record (empty: not recorded).
    pub codes: [Vec<u32>; DIMENSIONS],
    /// The person this record belongs to, once persons are linked.
    pub person: Option<u32>,
}

/// What the set left out, so that every count can say what it does not include.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetNotes {
    /// Records whose person withdrew consent: never counted.
    pub withdrawn: u64,
    /// Records that did not decrypt or decode (`kua verify` names them).
    pub unreadable: u64,
    /// Own testimonies whose records do not fit together (a version missing, two
    /// consent records): readable, but which version or consent stands is in doubt, so
    /// never counted (`kua verify` names them).
    pub inconsistent: u64,
    /// Drafts counted (only when asked for).
    pub drafts: u64,
    /// Counting persons: reviewers' decisions that could not be read and were left out,
    /// so persons may be joined or split otherwise than reviewers decided.
    pub unreadable_decisions: u64,
    /// Counting persons: ids that records from two senders share, kept apart.
    pub ambiguous_records: u64,
}

#[derive(Debug, Clone)]
pub struct AnalysisSet {
    pub(crate) rows: Vec<Row>,
    /// Per dimension, code index → code.
    pub(crate) dict: [Vec<String>; DIMENSIONS],
    /// Source code → sender name as last seen.
    pub(crate) senders: HashMap<String, String>,
    pub notes: SetNotes,
    /// Whether `link_persons` has run: counting persons needs it.
    pub(crate) persons_linked: bool,
    /// Person index → person id, for the persons linkage formed (a draft counted on
    /// request, a person of its own, has none).
    pub(crate) person_ids: Vec<String>,
}

impl AnalysisSet {
    pub fn build(input: AnalysisRecords) -> AnalysisSet {
        let mut set = AnalysisSet {
            rows: Vec::with_capacity(input.records.len()),
            dict: Default::default(),
            senders: HashMap::new(),
            persons_linked: false,
            person_ids: Vec::new(),
            notes: SetNotes {
                unreadable: input.unreadable.len() as u64,
                inconsistent: input.inconsistent.len() as u64,
                ..SetNotes::default()
            },
        };
        let mut index: [HashMap<String, u32>; DIMENSIONS] = Default::default();
        for record in input.records {
            // A withdrawal means the account is no longer used, counts included. A
            // record without any consent record is still counted: it is in the vault
            // (a draft, or received under the sender's responsibility).
            if record.consent.as_ref().is_some_and(|c| c.is_withdrawn()) {
                set.notes.withdrawn += 1;
                continue;
            }
            if record.status == Status::Draft {
                set.notes.drafts += 1;
            }
            if let RecordSource::Received {
                sender_key_id,
                sender_name,
            } = &record.source
            {
                // One name per key, the same whatever the order records come in.
                let name = set
                    .senders
                    .entry(sender_key_id.clone())
                    .or_insert_with(|| sender_name.clone());
                if sender_name < name {
                    name.clone_from(sender_name);
                }
            }
            let date = events_date(&record);
            let mut row_codes: [Vec<u32>; DIMENSIONS] = Default::default();
            for dim in Dimension::ALL {
                let i = dim.index();
                for code in codes(&record, dim, date.as_ref()) {
                    // Looked up by reference first: most codes are already known, and
                    // only a new one is copied.
                    let n = match index[i].get(code.as_ref()) {
                        Some(&n) => n,
                        None => {
                            let n = set.dict[i].len() as u32;
                            index[i].insert(code.to_string(), n);
                            set.dict[i].push(code.into_owned());
                            n
                        }
                    };
                    row_codes[i].push(n);
                }
            }
            let publishable = record.consent.as_ref().is_some_and(|c| {
                c.allows(ConsentScope::Coalition) || c.allows(ConsentScope::PublishAnonymised)
            });
            set.rows.push(Row {
                publishable,
                id: record.id,
                version: record.version,
                source: record.source,
                status: record.status,
                date,
                codes: row_codes,
                person: None,
            });
        }
        set
    }

    /// Gives every record its person, for counting persons. A record linkage did not
    /// see (a draft counted on request) is a person of its own.
    pub fn link_persons(&mut self, linkage: &crate::persons::Linkage) {
        let mut next = linkage.persons.len() as u32;
        for row in &mut self.rows {
            row.person = Some(match linkage.person_index(&row.id, &row.source) {
                Some(p) => p as u32,
                None => {
                    next += 1;
                    next - 1
                }
            });
        }
        self.notes.unreadable_decisions = linkage.unreadable_decisions.len() as u64;
        self.notes.ambiguous_records = linkage.ambiguous_records.len() as u64;
        self.person_ids = linkage.persons.iter().map(|p| p.id.clone()).collect();
        self.persons_linked = true;
    }

    /// Whether `link_persons` has run.
    pub fn persons_linked(&self) -> bool {
        self.persons_linked
    }

    /// The number of records counted.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The interned index of a code, if any record has it.
    pub(crate) fn code_index(&self, dim: Dimension, code: &str) -> Option<u32> {
        self.dict[dim.index()]
            .iter()
            .position(|c| c == code)
            .map(|i| i as u32)
    }

    /// Codes seen in the set for a dimension.
    pub(crate) fn seen(&self, dim: Dimension) -> &[String] {
        &self.dict[dim.index()]
    }
}

/// Whether a record's consent lets it go to the coalition's analysts.
pub(crate) fn shareable(consent: Option<&kua_core::model::Consent>) -> bool {
    consent.is_some_and(|c| c.allows(ConsentScope::Coalition))
}
