//! What counting needs from the vault: the latest sealed version of every own testimony
//! and of every received record, decrypted in memory and handed over as plain data.
//! The analysis itself (coding, statistics, datasets) lives in the `kua-analysis` crate;
//! nothing here is cached or written anywhere.

use crate::error::{Error, Result};
use crate::model::{Consent, Status};
use crate::records::{open_body, scan_bodies, Head};
use crate::store::Table;
use crate::testimony::decode;
use crate::vault::Vault;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

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
    /// The person's name and birth date as match keys, for linkage with redacted
    /// records (`matchkeys`): a redacted record's own, as it travelled; a plain record's
    /// under the vault's linkage secret, when the vault holds one. Filled only when
    /// `keep` asks for `full_name`.
    pub encodings: Vec<crate::matchkeys::MatchKeys>,
    /// The birth date as redaction pseudonymises it (`matchkeys::birth_pseudonym`): a
    /// redacted record's own; a plain record's under every redaction key a redacted
    /// record in the vault was made with. Filled with `encodings`.
    pub birth_pseudonyms: Vec<String>,
}

/// Every record the analysis counts, and the places of those that could not be read
/// (so that a count can say it is short, instead of silently dropping them).
#[derive(Debug, Clone, Default)]
pub struct AnalysisRecords {
    pub records: Vec<AnalysisRecord>,
    /// Records left out because a row did not decrypt or decode, by place.
    pub unreadable: Vec<String>,
    /// Own testimonies left out because their records do not fit together (versions
    /// not 1..n, two consent records), one each, as "testimony {id}: what is wrong".
    /// Their rows that open are not counted as unreadable; `verify` names them as
    /// `records_inconsistent`. A version row that does not open cannot say whose it
    /// is: it is in `unreadable`, and the testimony it leaves with a gap is here too.
    /// A latest version that does not open leaves no gap: the version before it is
    /// counted, and only `verify` (against the custody log) names the testimony.
    pub inconsistent: Vec<String>,
    /// This vault's signing key id: the name other vaults know its records by.
    pub own_key_id: String,
}

/// What the analysis reads of a version: everything but the narrative and the
/// attachments, which it never needs (skipping them saves their allocation).
/// The fields are kept as raw JSON until the caller's filter has picked the ones it
/// reads: a real testimony's long accounts are then skipped without being copied.
#[derive(Deserialize)]
struct CodedBody<'a> {
    id: String,
    version: u32,
    status: Status,
    template: String,
    template_version: u32,
    language: String,
    #[serde(borrow)]
    fields: BTreeMap<Cow<'a, str>, &'a RawValue>,
    consent: Option<Consent>,
}

#[derive(Deserialize)]
struct CodedReceived<'a> {
    sender_key_id: String,
    sender_name: String,
    #[serde(default)]
    recipients: Vec<String>,
    #[serde(borrow)]
    record: CodedBundled<'a>,
}

#[derive(Deserialize)]
struct CodedBundled<'a> {
    #[serde(borrow)]
    body: CodedBody<'a>,
    #[serde(default)]
    redacted: bool,
    #[serde(default)]
    match_keys: Option<crate::matchkeys::MatchKeys>,
}

/// A version as the analysis receives it, its fields filtered.
struct Coded {
    id: String,
    version: u32,
    status: Status,
    template: String,
    template_version: u32,
    language: String,
    fields: BTreeMap<String, Value>,
    consent: Option<Consent>,
    /// Received: whether redacted, its match keys and the bundle's recipients.
    redacted: bool,
    match_keys: Option<crate::matchkeys::MatchKeys>,
    recipients: Vec<String>,
}

impl Coded {
    fn new(b: CodedBody<'_>, keep: Option<&[&str]>) -> Result<Coded> {
        let mut fields = BTreeMap::new();
        for (k, raw) in b.fields {
            if keep.is_none_or(|keep| keep.contains(&k.as_ref())) {
                let v: Value = serde_json::from_str(raw.get())
                    .map_err(|_| Error::integrity(format!("testimony {}", b.id)))?;
                fields.insert(k.into_owned(), v);
            }
        }
        Ok(Coded {
            id: b.id,
            version: b.version,
            status: b.status,
            template: b.template,
            template_version: b.template_version,
            language: b.language,
            fields,
            consent: b.consent,
            redacted: false,
            match_keys: None,
            recipients: Vec::new(),
        })
    }
}

/// Decodes a received record's version, its fields filtered, with its sender.
fn coded_received(
    bytes: &[u8],
    keep: Option<&[&str]>,
    place: &str,
) -> Result<(Coded, String, String)> {
    let r: CodedReceived<'_> =
        serde_json::from_slice(bytes).map_err(|_| Error::integrity(place.to_string()))?;
    let mut coded = Coded::new(r.record.body, keep)?;
    coded.redacted = r.record.redacted;
    coded.match_keys = r.record.match_keys;
    coded.recipients = r.recipients;
    Ok((coded, r.sender_key_id, r.sender_name))
}

fn coded_body(bytes: &[u8], keep: Option<&[&str]>, place: &str) -> Result<Coded> {
    let b: CodedBody<'_> =
        serde_json::from_slice(bytes).map_err(|_| Error::integrity(place.to_string()))?;
    Coded::new(b, keep)
}

/// Opens and decodes rows on every core: each is independent, and at 10 000 records
/// this is most of the cost. The order of `rows` is kept.
fn open_all<T: Send>(
    vault: &Uuid,
    table: Table,
    rows: &[(&Head, Vec<u8>)],
    decode_one: &(dyn Fn(&[u8], &str) -> Result<T> + Sync),
) -> Vec<Result<T>> {
    let one = |(head, sealed): &(&Head, Vec<u8>)| -> Result<T> {
        let bytes = open_body(vault, table, head, sealed)?;
        decode_one(&bytes, &format!("{} {}", table.name(), head.id))
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if workers < 2 || rows.len() < 256 {
        return rows.iter().map(one).collect();
    }
    let per = rows.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let parts: Vec<_> = rows
            .chunks(per)
            .map(|chunk| {
                let worker = scope.spawn(move || chunk.iter().map(one).collect::<Vec<_>>());
                (chunk.len(), worker)
            })
            .collect();
        // A worker that panicked (a bug) yields an error for each of its rows, so
        // that every row still has its result and none is silently dropped.
        parts
            .into_iter()
            .flat_map(|(n, worker)| {
                worker.join().unwrap_or_else(|_| {
                    (0..n)
                        .map(|_| Err(Error::integrity("a record could not be decoded")))
                        .collect()
                })
            })
            .collect()
    })
}

impl Vault {
    /// The latest sealed version of every own testimony and the latest version of every
    /// record received from each sender. With `include_drafts`, an own testimony's
    /// latest version counts even when it is a draft, and a never-sealed testimony
    /// counts; without it, drafts are left out. `keep` names the fields wanted (None:
    /// all of them); the others are skipped while decoding.
    pub fn analysis_records(
        &mut self,
        include_drafts: bool,
        keep: Option<&[&str]>,
    ) -> Result<AnalysisRecords> {
        let own_key_id =
            kua_bundle::minisign::key_id_hex(&self.ctx()?.keys.signing.verifying_key());
        let ctx = self.ctx()?;
        let vault = ctx.vault;
        let catalog = &ctx.keys.catalog;
        let mut out = AnalysisRecords {
            own_key_id,
            ..AnalysisRecords::default()
        };

        // A row whose head does not open belongs to no record the catalog knows: it
        // may be a testimony, its latest version or its consent (a withdrawal). Each
        // is reported, so that no count passes for complete while one is missing.
        // Attachments are not counted, so their damaged rows are left to `verify`.
        out.unreadable.extend(
            catalog
                .damaged
                .iter()
                .filter(|d| !d.starts_with("attachment "))
                .cloned(),
        );
        // One line per testimony, whatever number of things are wrong with it: the
        // counts say how many testimonies were left out.
        let mut wrong: BTreeMap<Uuid, Vec<&str>> = BTreeMap::new();
        for (id, what) in &catalog.inconsistent {
            wrong.entry(*id).or_default().push(what);
        }
        out.inconsistent.extend(
            wrong
                .iter()
                .map(|(id, what)| format!("testimony {id}: {}", what.join(" | "))),
        );
        // A damaged consent row cannot say whose it was; the sealed testimonies found
        // without consent below are the same records, and are not reported twice.
        let mut lost_consents = catalog
            .damaged
            .iter()
            .filter(|d| d.starts_with("consent row"))
            .count();
        // A testimony whose records do not fit together (versions not 1..n, two
        // consent records, which could put an old consent beside a withdrawal) is left
        // out of the counts altogether; it is reported above, apart from the unreadable.
        let damaged: std::collections::HashSet<Uuid> = wrong.keys().copied().collect();

        // Own testimonies: the latest versions in one pass, and their consent.
        let latest: HashMap<Uuid, &Head> = catalog
            .testimonies
            .values()
            .filter_map(|v| v.last())
            .map(|h| (h.row, h))
            .collect();
        let rows = scan_bodies(ctx.db, Table::Testimony, &latest)?;
        let consents: HashMap<Uuid, &Head> =
            catalog.consents.values().map(|h| (h.row, h)).collect();
        let consent_rows = scan_bodies(ctx.db, Table::Consent, &consents)?;
        let mut consent_of: HashMap<Uuid, Result<Consent>> = HashMap::new();
        for ((head, _), c) in consent_rows.iter().zip(open_all(
            &vault,
            Table::Consent,
            &consent_rows,
            &|b, place| decode::<Consent>(b, || place.to_string()),
        )) {
            consent_of.insert(head.parent, c);
        }
        let mut read: HashMap<Uuid, Result<Coded>> = HashMap::new();
        let decode_body = |b: &[u8], place: &str| coded_body(b, keep, place);
        for ((head, _), body) in
            rows.iter()
                .zip(open_all(&vault, Table::Testimony, &rows, &decode_body))
        {
            read.insert(head.id, body);
        }
        for (id, versions) in &catalog.testimonies {
            if damaged.contains(id) {
                continue;
            }
            let mut body = match read.remove(id) {
                Some(Ok(b)) => Some(b),
                _ => {
                    out.unreadable.push(format!("testimony {id}"));
                    continue;
                }
            };
            // A draft on top of sealed versions (rare): the versions below are read
            // one at a time down to the latest sealed one.
            if !include_drafts && body.as_ref().is_some_and(|b| b.status == Status::Draft) {
                body = None;
                for head in versions.iter().rev().skip(1) {
                    match ctx
                        .read(Table::Testimony, head)
                        .and_then(|b| coded_body(&b, keep, &format!("testimony {id}")))
                    {
                        Ok(b) if b.status == Status::Sealed => {
                            body = Some(b);
                            break;
                        }
                        Ok(_) => {}
                        Err(_) => {
                            out.unreadable.push(format!("testimony {id}"));
                            break;
                        }
                    }
                }
            }
            let Some(body) = body else { continue };
            let consent = match consent_of.remove(id) {
                // Sealing needs consent, so a sealed testimony without a consent record
                // has lost it (a damaged or removed row, possibly a withdrawal): it is
                // not counted as if nobody had ever said anything.
                None if body.status == Status::Sealed => {
                    if lost_consents > 0 {
                        lost_consents -= 1;
                    } else {
                        out.unreadable.push(format!("consent of testimony {id}"));
                    }
                    continue;
                }
                None => None,
                Some(Ok(c)) => Some(c),
                Some(Err(_)) => {
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
                encodings: Vec::new(),
                birth_pseudonyms: Vec::new(),
            });
        }
        // Received records: the latest version from each sender.
        let latest: HashMap<Uuid, &Head> = catalog
            .received
            .values()
            .filter_map(|heads| heads.iter().max_by_key(|h| h.version))
            .map(|h| (h.row, h))
            .collect();
        let rows = scan_bodies(ctx.db, Table::Received, &latest)?;
        let found = rows.len();
        let mut carriers = Vec::new();
        for ((head, _), r) in
            rows.iter()
                .zip(open_all(&vault, Table::Received, &rows, &|b, place| {
                    coded_received(b, keep, place)
                }))
        {
            let Ok((body, sender_key_id, sender_name)) = r else {
                out.unreadable.push(format!(
                    "received record {} version {}",
                    head.id, head.version
                ));
                continue;
            };
            let carried = crate::matchkeys::Carried {
                redacted: body.redacted,
                keys: body.match_keys,
                recipients: body.recipients,
            };
            out.records.push(AnalysisRecord {
                id: body.id,
                version: body.version,
                source: RecordSource::Received {
                    sender_key_id,
                    sender_name,
                },
                status: body.status,
                template: body.template,
                template_version: body.template_version,
                language: body.language,
                consent: body.consent,
                fields: body.fields,
                encodings: Vec::new(),
                birth_pseudonyms: Vec::new(),
            });
            carriers.push((out.records.len() - 1, carried));
        }
        for _ in found..latest.len() {
            out.unreadable
                .push("a received record's row is missing".into());
        }
        if keep.is_some_and(|k| k.contains(&"full_name")) {
            let secret = ctx.linkage_secret()?;
            crate::matchkeys::encode_records(&mut out.records, carriers, secret.as_ref())?;
        }
        Ok(out)
    }

    /// A number that changes whenever the vault's content does (every change is logged,
    /// and this is the log's length). Front ends that keep an analysis built from
    /// [`Vault::analysis_records`] rebuild it when this has moved.
    pub fn change_mark(&mut self) -> Result<u64> {
        Ok(self.ctx()?.keys.tail.size)
    }
}
