//! Verification of a whole vault, and the custody log as front ends show it.
//!
//! `verify` walks the custody chain (positions, links, signatures), opens every record,
//! recomputes every content hash and every attachment's evidence hash, and checks each
//! against the log: a record the log does not know, a version whose content differs from
//! what was logged, a record the log says exists but that is gone. It reports every
//! problem it finds, each with a stable code and the place it concerns.

use crate::catalog::parse_id;
use crate::crypto::sha256_hex;
use crate::custody::{self, Entry, Event};
use crate::error::Result;
use crate::progress::{Progress, Silent};
use crate::seams::format_time;
use crate::store::Table;
use crate::testimony::decode;
use crate::vault::{Ctx, Vault};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// One problem, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VerifyProblem {
    pub code: String,
    pub place: String,
    pub detail: String,
}

/// The outcome of `verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VerifyReport {
    pub ok: bool,
    pub log_entries: u64,
    pub testimonies: usize,
    pub versions: usize,
    pub attachments: usize,
    pub attachment_bytes: u64,
    /// The signed head of the chain: its size and hash.
    pub head: String,
    pub problems: Vec<VerifyProblem>,
}

/// A custody-log entry as front ends show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LogLine {
    pub seq: u64,
    pub time: String,
    pub event: Event,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// This entry's hash, which the next one links to.
    pub hash: String,
}

impl From<&Entry> for LogLine {
    fn from(e: &Entry) -> Self {
        LogLine {
            seq: e.seq,
            time: format_time(e.time),
            event: e.event,
            record: e.record.clone(),
            version: e.version,
            content_hash: e.content_hash.clone(),
            detail: e.detail.clone(),
            hash: crate::crypto::hex(&e.hash()),
        }
    }
}

/// What the log says the vault should hold.
#[derive(Default)]
struct Expected {
    /// (testimony, version) → last logged content hash.
    versions: BTreeMap<(String, u32), String>,
    /// testimony → last logged consent hash.
    consents: BTreeMap<String, String>,
    /// attachment → (testimony, evidence hash).
    attachments: BTreeMap<String, (String, String)>,
    deleted: BTreeSet<String>,
}

impl Expected {
    fn from_log(entries: &[Entry]) -> Expected {
        let mut x = Expected::default();
        for e in entries {
            let (Some(record), Some(hash)) = (&e.record, &e.content_hash) else {
                if let (Event::Deleted, Some(r)) = (e.event, &e.record) {
                    x.deleted.insert(r.clone());
                }
                continue;
            };
            match e.event {
                Event::Created | Event::Edited | Event::Sealed | Event::Amended => {
                    if let Some(v) = e.version {
                        x.versions.insert((record.clone(), v), hash.clone());
                    }
                }
                Event::ConsentChanged => {
                    x.consents.insert(record.clone(), hash.clone());
                }
                Event::AttachmentAdded => {
                    if let Some(a) = &e.detail {
                        x.attachments
                            .insert(a.clone(), (record.clone(), hash.clone()));
                    }
                }
                _ => {}
            }
        }
        x
    }
}

impl Vault {
    /// Checks the whole vault; see the module documentation.
    pub fn verify(&mut self, progress: &mut dyn Progress) -> Result<VerifyReport> {
        let ctx = self.ctx()?;
        let verifying = ctx.keys.signing.verifying_key();
        let (entries, chain) =
            custody::walk(ctx.db, &ctx.vault, &ctx.keys.sub.custody, Some(&verifying))?;
        let mut problems: Vec<VerifyProblem> = chain
            .into_iter()
            .map(|p| VerifyProblem {
                code: p.code,
                place: format!("custody log entry {}", p.seq),
                detail: p.detail,
            })
            .collect();
        let mut problem = |code: &str, place: String, detail: String| {
            problems.push(VerifyProblem {
                code: code.into(),
                place,
                detail,
            })
        };
        for place in &ctx.keys.catalog.damaged {
            problem(
                "record_unreadable",
                place.clone(),
                "the row does not decrypt: altered, damaged, or moved from elsewhere".into(),
            );
        }
        for (id, what) in &ctx.keys.catalog.inconsistent {
            problem(
                "records_inconsistent",
                format!("testimony {id}"),
                what.clone(),
            );
        }
        let expected = Expected::from_log(&entries);
        let mut seen_versions = BTreeSet::new();
        let mut versions = 0;
        for (id, heads) in &ctx.keys.catalog.testimonies {
            for head in heads {
                versions += 1;
                let place = format!("testimony {id} version {}", head.version);
                let key = (id.to_string(), head.version);
                seen_versions.insert(key.clone());
                match ctx.read_version(head) {
                    Err(_) => problem("record_unreadable", place, "the content does not decrypt: altered or damaged".into()),
                    Ok(body) => match expected.versions.get(&key) {
                        None => problem("unlogged_record", place, "the custody log has no entry for this version: it was added outside Kua".into()),
                        Some(h) if *h != body.hash() => problem("content_hash_mismatch", place, format!("content hash {} differs from the logged {h}", body.hash())),
                        Some(_) => {}
                    },
                }
            }
            verify_consent(&ctx, id, &expected, &mut problem);
        }
        for id in ctx.keys.catalog.testimonies.keys() {
            if expected.deleted.contains(&id.to_string()) {
                problem("record_resurrected", format!("testimony {id}"), "the custody log records this testimony as erased, yet it is in the vault again (restored from an old copy?)".into());
            }
        }
        for id in ctx.keys.catalog.consents.keys() {
            if !ctx.keys.catalog.testimonies.contains_key(id) {
                problem(
                    "orphan_record",
                    format!("consent of testimony {id}"),
                    "a consent record whose testimony is not in the vault".into(),
                );
            }
        }
        for id in ctx.keys.catalog.attachments.keys() {
            // A case's documents are attachments of the case.
            if *id != crate::import::MEDIA_PARENT
                && !ctx.keys.catalog.testimonies.contains_key(id)
                && !ctx.keys.catalog.cases.contains_key(id)
            {
                problem(
                    "orphan_record",
                    format!("attachments of testimony {id}"),
                    "attachments whose testimony is not in the vault".into(),
                );
            }
        }
        for (id, v) in expected.versions.keys() {
            if !expected.deleted.contains(id) && !seen_versions.contains(&(id.clone(), *v)) {
                problem(
                    "record_missing",
                    format!("testimony {id} version {v}"),
                    "the custody log records this version but the vault no longer holds it".into(),
                );
            }
        }
        crate::import::check_received(&ctx, &entries, &mut problem);
        crate::case::verify_cases(&ctx, &entries, &mut problem);
        crate::import::check_received_cases(&ctx, &entries, &mut problem);
        crate::secret::verify_settings(&ctx, &entries, &mut problem)?;
        let (attachments, bytes) = verify_attachments(&ctx, &expected, progress, &mut problem)?;
        let head = entries
            .last()
            .map(|e| format!("{}:{}", entries.len(), crate::crypto::hex(&e.hash())))
            .unwrap_or_default();
        Ok(VerifyReport {
            ok: problems.is_empty(),
            log_entries: entries.len() as u64,
            testimonies: ctx.keys.catalog.testimonies.len(),
            versions,
            attachments,
            attachment_bytes: bytes,
            head,
            problems,
        })
    }

    /// The whole custody log. Entries that do not decrypt are left out; `verify`
    /// names them.
    pub fn log(&mut self) -> Result<Vec<LogLine>> {
        let ctx = self.ctx()?;
        let (entries, _) = custody::walk(ctx.db, &ctx.vault, &ctx.keys.sub.custody, None)?;
        Ok(entries.iter().map(LogLine::from).collect())
    }

    /// The custody log entries of one testimony (also after it was deleted).
    pub fn history(&mut self, id: &str) -> Result<Vec<LogLine>> {
        let id = parse_id(id)?.to_string();
        let lines: Vec<LogLine> = self
            .log()?
            .into_iter()
            .filter(|l| l.record.as_deref() == Some(id.as_str()))
            .collect();
        if lines.is_empty() {
            return Err(crate::Error::TestimonyNotFound(id));
        }
        Ok(lines)
    }

    /// Verifies without reporting progress.
    pub fn verify_quietly(&mut self) -> Result<VerifyReport> {
        self.verify(&mut Silent)
    }
}

fn verify_consent(
    ctx: &Ctx<'_>,
    id: &Uuid,
    expected: &Expected,
    problem: &mut impl FnMut(&str, String, String),
) {
    let place = format!("consent of testimony {id}");
    match (
        ctx.keys.catalog.consents.get(id),
        expected.consents.get(&id.to_string()),
    ) {
        (None, None) => {}
        (None, Some(_)) => problem(
            "record_missing",
            place,
            "the custody log records a consent that the vault no longer holds".into(),
        ),
        (Some(head), logged) => match ctx.read(Table::Consent, head) {
            Err(_) => problem(
                "record_unreadable",
                place,
                "the consent record does not decrypt".into(),
            ),
            Ok(bytes) => {
                let hash = sha256_hex(&bytes);
                if logged != Some(&hash) {
                    problem(
                        "content_hash_mismatch",
                        place,
                        "the consent record differs from the one logged".into(),
                    );
                }
            }
        },
    }
}

/// What is wrong, if anything, with an attachment of `parent` whose content hashed to
/// `hash`: first against the evidence hash its metadata records, then, for the vault's
/// own attachments, against its custody entry (logged under that testimony or case,
/// with that hash). Received media was checked against the sender's signed manifest at
/// import, and is checked here against its metadata only.
fn attachment_problem(
    expected: &Expected,
    parent: &uuid::Uuid,
    id: &str,
    recorded: &str,
    hash: &str,
) -> Option<(&'static str, String)> {
    if hash != recorded {
        return Some((
            "evidence_hash_mismatch",
            format!("content hashes to {hash}, recorded {recorded}"),
        ));
    }
    if *parent == crate::import::MEDIA_PARENT {
        return None;
    }
    match expected.attachments.get(id) {
        None => Some((
            "unlogged_record",
            "the custody log has no entry for this attachment".into(),
        )),
        Some((t, h)) if *h != hash || *t != parent.to_string() => Some((
            "content_hash_mismatch",
            "the attachment differs from the one logged".into(),
        )),
        Some(_) => None,
    }
}

fn verify_attachments(
    ctx: &Ctx<'_>,
    expected: &Expected,
    progress: &mut dyn Progress,
    problem: &mut impl FnMut(&str, String, String),
) -> Result<(usize, u64)> {
    let mut count = 0;
    let mut bytes = 0;
    let mut chunks = 0u64;
    let mut seen = BTreeSet::new();
    for (testimony, heads) in &ctx.keys.catalog.attachments {
        for head in heads {
            count += 1;
            let place = format!("attachment {} of testimony {testimony}", head.id);
            seen.insert(head.id.to_string());
            let meta: crate::attachment::Meta = match ctx
                .read(Table::Attachment, head)
                .and_then(|b| decode(&b, || place.clone()))
            {
                Ok(m) => m,
                Err(_) => {
                    problem(
                        "record_unreadable",
                        place,
                        "the attachment's metadata does not decrypt".into(),
                    );
                    continue;
                }
            };
            chunks += meta.chunks + meta.padding;
            match ctx.stream_out(head, &meta, &mut std::io::sink(), progress) {
                Err(e) => problem("attachment_unreadable", place, e.to_string()),
                Ok(hash) => {
                    if hash == meta.sha256 {
                        bytes += meta.size;
                    }
                    let id = head.id.to_string();
                    if let Some((code, detail)) =
                        attachment_problem(expected, testimony, &id, &meta.sha256, &hash)
                    {
                        problem(code, place, detail);
                    }
                }
            }
        }
    }
    // A recording in progress (or cut short and not yet recovered) holds chunks that no
    // attachment accounts for yet; its open record says how many.
    chunks += ctx.open_recording_chunks()?;
    let stored: i64 = ctx
        .db
        .query_row("SELECT count(*) FROM chunk", [], |r| r.get(0))?;
    if u64::try_from(stored).unwrap_or(u64::MAX) != chunks {
        problem(
            "orphan_chunks",
            "attachment chunks".into(),
            format!("the vault holds {stored} chunks but its attachments account for {chunks}"),
        );
    }
    for (a, (t, _)) in &expected.attachments {
        if !expected.deleted.contains(t) && !seen.contains(a) {
            problem(
                "record_missing",
                format!("attachment {a} of testimony {t}"),
                "the custody log records this attachment but the vault no longer holds it".into(),
            );
        }
    }
    Ok((count, bytes))
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
