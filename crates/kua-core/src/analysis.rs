//! What counting needs from the vault: the latest sealed version of every own testimony
//! and of every received record, decrypted in memory and handed over as plain data.
//! The analysis itself (coding, statistics, datasets) lives in the `kua-analysis` crate;
//! nothing here is cached or written anywhere.

use crate::import::ReceivedRecord;
use crate::model::{Consent, Status};
use crate::store::Table;
use crate::testimony::decode;
use crate::vault::Vault;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Where a record counted by the analysis came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordSource {
    /// A testimony of this vault.
    Own,
    /// A record received in a bundle, from the sender whose key id this is.
    Received {
        sender_key_id: String,
        sender_name: String,
    },
}

/// One record as the analysis sees it: the version counted and its content.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisRecord {
    pub id: String,
    pub version: u32,
    pub source: RecordSource,
    pub status: Status,
    pub template: String,
    pub template_version: u32,
    pub language: String,
    /// Own testimonies: the consent in force now. Received records: the consent the
    /// sender sealed the version under.
    pub consent: Option<Consent>,
    pub fields: BTreeMap<String, Value>,
}

/// Every record the analysis counts, and the places of those that could not be read
/// (so that a count can say it is short, instead of silently dropping them).
#[derive(Debug, Clone, Default)]
pub struct AnalysisRecords {
    pub records: Vec<AnalysisRecord>,
    pub unreadable: Vec<String>,
    /// This vault's signing key id: the name other vaults know its records by.
    pub own_key_id: String,
}

impl Vault {
    /// The latest sealed version of every own testimony and the latest version of every
    /// record received from each sender. With `include_drafts`, an own testimony's
    /// latest version counts even when it is a draft, and a never-sealed testimony
    /// counts; without it, drafts are left out.
    pub fn analysis_records(&mut self, include_drafts: bool) -> crate::Result<AnalysisRecords> {
        let own_key_id = self.identity()?.minisign_key_id;
        let ctx = self.ctx()?;
        let mut out = AnalysisRecords {
            own_key_id,
            ..AnalysisRecords::default()
        };
        for (id, versions) in &ctx.keys.catalog.testimonies {
            let head = if include_drafts {
                versions.last()
            } else {
                // Heads do not say whether a version is sealed; only the versions from
                // the last one down to the first sealed one are read.
                None
            };
            let body = match head {
                Some(head) => match ctx.read_version(head) {
                    Ok(b) => Some(b),
                    Err(_) => {
                        out.unreadable.push(format!("testimony {id}"));
                        continue;
                    }
                },
                None => {
                    let mut found = None;
                    let mut failed = false;
                    for head in versions.iter().rev() {
                        match ctx.read_version(head) {
                            Ok(b) if b.status == Status::Sealed => {
                                found = Some(b);
                                break;
                            }
                            Ok(_) => {}
                            Err(_) => {
                                failed = true;
                                break;
                            }
                        }
                    }
                    if failed {
                        out.unreadable.push(format!("testimony {id}"));
                        continue;
                    }
                    found
                }
            };
            let Some(body) = body else { continue };
            let consent = match ctx.read_consent(id) {
                Ok(c) => c,
                Err(_) => {
                    out.unreadable.push(format!("consent of testimony {id}"));
                    continue;
                }
            };
            out.records.push(AnalysisRecord {
                id: body.id,
                version: body.version,
                source: RecordSource::Own,
                status: body.status,
                template: body.template,
                template_version: body.template_version,
                language: body.language,
                consent,
                fields: body.fields,
            });
        }
        for ((_, rid), heads) in &ctx.keys.catalog.received {
            let Some(head) = heads.iter().max_by_key(|h| h.version) else {
                continue;
            };
            let place = format!("received record {rid} version {}", head.version);
            let r: ReceivedRecord = match ctx
                .read(Table::Received, head)
                .and_then(|b| decode(&b, || place.clone()))
            {
                Ok(r) => r,
                Err(_) => {
                    out.unreadable.push(place);
                    continue;
                }
            };
            let body = r.record.body;
            out.records.push(AnalysisRecord {
                id: body.id,
                version: body.version,
                source: RecordSource::Received {
                    sender_key_id: r.sender_key_id,
                    sender_name: r.sender_name,
                },
                status: body.status,
                template: body.template,
                template_version: body.template_version,
                language: body.language,
                consent: body.consent,
                fields: body.fields,
            });
        }
        Ok(out)
    }

    /// A number that changes whenever the vault's content does (every change is logged,
    /// and this is the log's length). Front ends that keep an analysis built from
    /// [`Vault::analysis_records`] rebuild it when this has moved.
    pub fn change_mark(&mut self) -> crate::Result<u64> {
        Ok(self.ctx()?.keys.tail.size)
    }
}
