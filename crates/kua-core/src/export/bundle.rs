//! Writing the bundle: what the records become, the log they travel with, and the file.

use super::redact::{redact, redact_markers};
use super::{
    resolve, sent_to_all, withholding, BundledAttachment, BundledRecord, ExportReport,
    ExportRequest, ExportedDetail, LogLine, Selection, Withheld,
};
use crate::attachment::Meta;
use crate::catalog::parse_id;
use crate::chunks::ChunkReader;
use crate::custody::{self, Change, Entry, Event};
use crate::error::{Error, Result};
use crate::model::Status;
use crate::progress::Progress;
use crate::seams::format_time;
use crate::store::Table;
use crate::testimony::decode;
use crate::vault::{Ctx, Vault};
use ed25519_dalek::Signer;
use kua_bundle::{Contents, LogRange, MediaSource};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;
use uuid::Uuid;
use zeroize::Zeroizing;

/// Streams media out of the vault for the bundle writer. Media are named by hash and
/// found by (testimony, attachment id), so nothing here borrows the catalog while the
/// export logs.
struct VaultMedia<'a> {
    ctx: &'a Ctx<'a>,
    by_hash: HashMap<String, (Uuid, Uuid, Meta)>,
    progress: &'a mut dyn Progress,
}

struct Counted<'a, R> {
    inner: R,
    progress: &'a mut dyn Progress,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

impl MediaSource for VaultMedia<'_> {
    fn open(&mut self, sha256: &str) -> std::io::Result<Box<dyn Read + '_>> {
        let missing =
            || std::io::Error::new(std::io::ErrorKind::NotFound, "media not in the vault");
        let (testimony, attachment, meta) = self.by_hash.get(sha256).ok_or_else(missing)?;
        let head = self
            .ctx
            .keys
            .catalog
            .attachments
            .get(testimony)
            .and_then(|hs| hs.iter().find(|h| h.id == *attachment))
            .ok_or_else(missing)?;
        // The vault's own error travels inside the I/O error and comes out as itself
        // (`From<std::io::Error> for Error`): a damaged chunk is an integrity failure.
        let reader = ChunkReader::new(self.ctx, head, meta)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(Box::new(Counted {
            inner: reader,
            progress: &mut *self.progress,
        }))
    }
}

fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    crate::files::write_file(out, write)
}

/// What the selected records become in the bundle.
#[derive(Default)]
struct Selected {
    records: Vec<(String, Zeroizing<Vec<u8>>)>,
    included: Vec<(String, u32)>,
    withheld: Vec<Withheld>,
    templates: BTreeMap<String, u32>,
    by_hash: HashMap<String, (Uuid, Uuid, Meta)>,
    /// (record, version, SHA-256 of its record file) of every redacted record.
    redacted: Vec<(Uuid, u32, String)>,
}

impl Ctx<'_> {
    /// Reads, filters by consent and selection, and redacts the records to export.
    fn select(
        &self,
        request: &ExportRequest,
        resolved: &super::Resolved,
        recipients: &[String],
        entries: &[Entry],
    ) -> Result<Selected> {
        let sent = self.sent(entries);
        let wanted: Option<BTreeSet<Uuid>> = match &request.selection {
            Selection::Ids(ids) => Some(ids.iter().map(|i| parse_id(i)).collect::<Result<_>>()?),
            _ => None,
        };
        if let Some(ids) = &wanted {
            for id in ids {
                self.keys.catalog.latest(id)?;
            }
        }
        let redact_key = super::redact::redaction_key(recipients)?;
        // The match keys' key for these recipients, when the vault holds the secret.
        let matching = self
            .linkage_secret()?
            .and_then(|s| s.for_recipients(recipients));

        let mut out = Selected::default();
        for (id, versions) in &self.keys.catalog.testimonies {
            if wanted.as_ref().is_some_and(|w| !w.contains(id)) {
                continue;
            }
            let consent = self.read_consent(id)?;
            let reason = withholding(consent.as_ref(), &resolved.needed);
            let mut any_sealed = false;
            for head in versions {
                let mut body = self.read_version(head)?;
                if body.status != Status::Sealed {
                    continue;
                }
                any_sealed = true;
                if reason.is_some() {
                    continue;
                }
                let key = (id.to_string(), body.version);
                if request.selection == Selection::SinceLast && sent_to_all(&sent, recipients, &key)
                {
                    continue;
                }
                let content_hash = body.hash();
                // Anonymity asked for in the consent is honoured whether or not the
                // exporter asked for redaction.
                let redacted = request.redact || consent.as_ref().is_some_and(|c| c.anonymous);
                let mut attachments = Vec::new();
                for (aid, sha) in &body.attachments {
                    let head = self
                        .keys
                        .catalog
                        .attachments
                        .get(id)
                        .into_iter()
                        .flatten()
                        .find(|h| h.id.to_string() == *aid);
                    let Some(head) = head else {
                        return Err(Error::integrity(format!(
                            "attachment {aid} of testimony {id} is sealed but missing"
                        )));
                    };
                    let meta: Meta = decode(&self.read(Table::Attachment, head)?, || {
                        format!("attachment {aid}")
                    })?;
                    attachments.push(BundledAttachment {
                        sha256: sha.clone(),
                        name: if redacted {
                            format!("attachment-{}", &sha[..12])
                        } else {
                            meta.name.clone()
                        },
                        media_type: meta.media_type.clone(),
                        size: meta.size,
                        captured_at: meta.captured_at.clone(),
                        markers: if redacted {
                            redact_markers(&meta.markers)
                        } else {
                            meta.markers.clone()
                        },
                    });
                    out.by_hash.insert(sha.clone(), (*id, head.id, meta));
                }
                // Match keys travel only under the coalition's linkage secret, which the
                // coordinator does not hold (docs/bundle-format.md, "Match keys"), and
                // never for a person who asked to stay anonymous: even keyed, a filter
                // is a trace of the name.
                let match_keys = if redacted {
                    let anonymous = consent.as_ref().is_some_and(|c| c.anonymous);
                    redact(
                        &mut body,
                        &redact_key,
                        matching.as_ref().filter(|_| !anonymous),
                    )?
                } else {
                    None
                };
                out.templates
                    .insert(body.template.clone(), body.template_version);
                let record = BundledRecord {
                    id: id.to_string(),
                    version: body.version,
                    content_hash,
                    redacted,
                    attachments,
                    body,
                    match_keys,
                };
                let bytes = serde_json::to_vec_pretty(&record)
                    .map_err(|e| Error::Storage(e.to_string()))?;
                if redacted {
                    out.redacted
                        .push((*id, key.1, crate::crypto::sha256_hex(&bytes)));
                }
                out.records
                    .push((format!("{id}/{}.json", key.1), Zeroizing::new(bytes)));
                out.included.push(key);
            }
            if let (Some(r), true) = (reason, any_sealed) {
                out.withheld.push(Withheld {
                    id: id.to_string(),
                    reason: r.into(),
                });
            }
        }
        Ok(out)
    }

    /// Logs each redaction not logged before, before the bundle's checkpoint is taken:
    /// the bundle's own log then binds every redacted body it carries, and a body forged
    /// under the sender's key would need a log entry of its own (a fork at the next
    /// genuine bundle). Returns whether anything was logged.
    fn log_redactions(
        &mut self,
        entries: &[Entry],
        redacted: &[(Uuid, u32, String)],
    ) -> Result<bool> {
        let logged: BTreeSet<(String, u32, String)> = entries
            .iter()
            .filter(|e| e.event == Event::Redacted)
            .filter_map(|e| Some((e.record.clone()?, e.version?, e.content_hash.clone()?)))
            .collect();
        let new: Vec<&(Uuid, u32, String)> = redacted
            .iter()
            .filter(|(id, v, sha)| !logged.contains(&(id.to_string(), *v, sha.clone())))
            .collect();
        if new.is_empty() {
            return Ok(false);
        }
        self.transaction(|ctx, tx, tail| {
            for (id, version, sha) in new {
                ctx.log(
                    tx,
                    tail,
                    Event::Redacted,
                    Change {
                        record: Some(*id),
                        version: Some(*version),
                        content_hash: Some(sha.clone()),
                        detail: None,
                    },
                )?;
            }
            Ok(())
        })?;
        Ok(true)
    }
}

/// The log as the bundle carries it: entries about records this bundle carries in full,
/// the rest as hashes.
fn carried_log(
    entries: &[Entry],
    included: &[(String, u32)],
    cases: &BTreeMap<String, Option<BTreeSet<u32>>>,
    recipients: &[String],
) -> Result<Vec<u8>> {
    let carried: BTreeSet<&str> = included.iter().map(|(id, _)| id.as_str()).collect();
    let mut log = Vec::new();
    for e in entries {
        let hash = crate::crypto::hex(&e.hash());
        // In full: entries about records this bundle carries, the vault's creation and
        // repairs, and earlier exports to any of these recipients (which is how the
        // coordinator sees a missing bundle). Everything else, hashes only: other
        // records, other recipients, the address book, imports.
        let full = match e.record.as_deref() {
            Some(r) if cases.contains_key(r) => match &cases[r] {
                None => true,
                Some(numbers) => {
                    e.event == Event::CaseRecorded
                        && e.version.is_some_and(|n| numbers.contains(&n))
                }
            },
            Some(r) => carried.contains(r),
            None => match e.event {
                Event::VaultCreated | Event::LogRepaired => true,
                Event::Exported => e
                    .detail
                    .as_deref()
                    .and_then(|d| serde_json::from_str::<ExportedDetail>(d).ok())
                    .is_some_and(|d| d.recipients.iter().any(|r| recipients.contains(r))),
                _ => false,
            },
        };
        // A report saved or a package disclosed is the sender's business: its entry
        // names where the file went (a path may name the person, the sender or a
        // stick), so it travels as its hash only, whatever the record.
        let full = full && !matches!(e.event, Event::ReportSaved | Event::Disclosed);
        let line = LogLine {
            seq: e.seq,
            hash,
            entry: full.then(|| e.clone()),
        };
        serde_json::to_writer(&mut log, &line).map_err(|e| Error::Storage(e.to_string()))?;
        log.push(b'\n');
    }
    Ok(log)
}

impl Vault {
    /// Writes a bundle to `out`; see the module documentation.
    pub fn export(
        &mut self,
        request: &ExportRequest,
        out: &Path,
        progress: &mut dyn Progress,
    ) -> Result<ExportReport> {
        let mut ctx = self.ctx()?;
        let resolved = resolve(&ctx, &request.to)?;
        let recipient_names: Vec<String> = resolved.keys.iter().map(ToString::to_string).collect();
        let walk = |ctx: &Ctx<'_>| -> Result<Vec<Entry>> {
            let (entries, problems) =
                custody::walk(ctx.db, &ctx.vault, &ctx.keys.sub.custody, None)?;
            if !problems.is_empty() {
                return Err(Error::integrity(
                    "the custody log (run `kua verify`); a bundle must carry an intact log",
                ));
            }
            Ok(entries)
        };
        let mut entries = walk(&ctx)?;
        let selected = ctx.select(request, &resolved, &recipient_names, &entries)?;
        let Selected {
            records,
            included,
            mut withheld,
            templates,
            mut by_hash,
            redacted,
        } = selected;
        let cases =
            ctx.select_cases(&request.cases, request.case_notes, &resolved, &mut by_hash)?;
        withheld.extend(cases.withheld);
        if included.is_empty() && cases.included.is_empty() {
            return Err(Error::BadInput(if withheld.is_empty() {
                "nothing to export: no sealed version matches".into()
            } else {
                format!(
                    "nothing to export: consent withholds all {} matching testimonies",
                    withheld.len()
                )
            }));
        }
        if ctx.log_redactions(&entries, &redacted)? {
            entries = walk(&ctx)?;
        }

        let log = carried_log(&entries, &included, &cases.log_lines, &recipient_names)?;
        let tail = ctx.keys.tail;
        let checkpoint = ctx.keys.signing.sign(&custody::checkpoint_message(
            &ctx.vault, tail.size, &tail.head,
        ));
        let media: Vec<(String, u64)> = by_hash
            .iter()
            .map(|(sha, (_, _, m))| (sha.clone(), m.size))
            .collect();
        let media_bytes = media.iter().map(|(_, s)| s).sum();
        let bundle_id = ctx.seams.uuid().to_string();
        let contents = Contents {
            bundle_id: bundle_id.clone(),
            created: format_time(ctx.seams.clock.now_ms()),
            vault_id: ctx.vault.to_string(),
            recipients: resolved.keys,
            templates,
            records,
            cases: cases.files,
            media: media.clone(),
            log,
            log_range: Some(LogRange {
                from: 0,
                size: tail.size,
                head: crate::crypto::hex(&tail.head),
                checkpoint_sig: crate::crypto::hex(&checkpoint.to_bytes()),
            }),
        };
        progress.begin(Some(media_bytes));
        let signer = ctx.keys.signing.clone();
        let written = write_atomically(out, |w| {
            let mut source = VaultMedia {
                ctx: &ctx,
                by_hash,
                progress: &mut *progress,
            };
            kua_bundle::write(w, &contents, &signer, &mut source)
                .map(|_| ())
                .map_err(|e| match e {
                    kua_bundle::Error::Io(io) => Error::from(io),
                    other => Error::Storage(other.to_string()),
                })
        });
        progress.end();
        written?;

        let detail = ExportedDetail {
            bundle: bundle_id.clone(),
            recipients: recipient_names.clone(),
            records: included.clone(),
            withheld: withheld.len(),
            cases: cases.included.clone(),
        };
        let detail = serde_json::to_string(&detail).map_err(|e| Error::Storage(e.to_string()))?;
        // The export is logged right after the bundle's checkpoint: its position is the
        // bundle's log size, which a coordinator checks the bundle against.
        ctx.log_now(
            Event::Exported,
            Change {
                detail: Some(detail),
                ..Change::default()
            },
        )?;
        Ok(ExportReport {
            bundle_id,
            file: out.to_path_buf(),
            recipients: recipient_names,
            records: included,
            cases: cases.included,
            withheld,
            media: media.len(),
            media_bytes,
        })
    }
}
