//! The report of a record version this vault received in a bundle: what it holds of
//! it and from whom, signed by this vault's key as what it received (laid out by
//! `render.rs`). A coordinator hands a prosecutor this when the interviewer cannot.
//!
//! A redacted record never held its identifying fields in this vault: they are
//! withheld (their pseudonyms are not printed either, since they say nothing to a
//! reader), and a full report of it is refused.

use crate::error::{Error, Result};
use crate::labels::{time, Labels};
use crate::render::{render, Subject};
use crate::testimony::{anonymous, identifying};
use crate::values::{Identifying, Row};
use crate::{Options, Report};
use kua_core::custody::Event;
use kua_core::model::{AttachmentInfo, Readiness, Status, Testimony, VersionInfo};
use kua_core::{format_time, LogLine, MediaRef, ReceivedRecord, Vault};

/// Makes the report of received record `id` (the version `options.version`, or the
/// latest received) from the sender with key id `sender` (needed only when several
/// senders sent that id) and signs it with this vault's device key.
pub fn received(
    vault: &mut Vault,
    id: &str,
    sender: Option<&str>,
    options: &Options,
) -> Result<Report> {
    let _evict = crate::Evict;
    let mut labels = Labels::new(&options.lang)?;
    let r = vault.show_received(id, options.version, sender)?;
    let record = &r.record;
    if record.body.status != Status::Sealed {
        return Err(Error::NotSealed {
            id: record.id.clone(),
            version: record.version,
        });
    }
    let t = testimony_of(&r);
    let identifying = if record.redacted {
        if options.full {
            return Err(Error::FullRedacted(record.id.clone()));
        }
        labels = labels.redacted();
        Identifying::Withheld
    } else {
        identifying(&t, options.full)?
    };
    let verification = vault.verify_quietly()?;
    // The record is embedded only as the sender sealed it: unredacted, naming no one
    // the report must not, and hashing to the content hash the sender's log holds
    // (import checks this; a record that did not would not be offered as the sealed one).
    let record_json = (identifying == Identifying::Shown
        && !record.redacted
        && record.body.hash() == record.content_hash)
        .then(|| record.body.canonical());
    let mut notice = labels.get("received_notice");
    let extra = match (record.redacted, identifying, anonymous(&t)) {
        (true, _, _) => "redacted_notice",
        (false, Identifying::Withheld, _) => "anonymous_notice",
        (false, Identifying::Shown, true) => "full_notice",
        (false, Identifying::Shown, false) => "",
    };
    if !extra.is_empty() {
        notice.push(' ');
        notice.push_str(&labels.get(extra));
    }
    let media = t
        .attachments
        .iter()
        .map(|a| MediaRef::Received {
            record: record.id.clone(),
            version: record.version,
            sha256: a.sha256.clone(),
            sender: Some(r.sender_key_id.clone()),
        })
        .collect();
    let subject = Subject {
        labels,
        identifying,
        record_json,
        withheld_check: if record.redacted {
            "check_record_redacted"
        } else {
            "check_record_withheld"
        },
        history: history(vault, &r)?,
        versions: versions(vault, &r)?,
        media,
        provenance: provenance(&r, labels),
        notice,
        title: labels.get("received_report_title"),
        trusted_comment: format!(
            "kua received record report {} version {} from {} content sha256 {}",
            record.id, record.version, r.sender_key_id, record.content_hash
        ),
        t,
    };
    render(vault, subject, options, &verification)
}

/// The received version in the shape of the vault's own testimonies. A received file's
/// addition time is the sender's and does not travel: it stays empty.
fn testimony_of(r: &ReceivedRecord) -> Testimony {
    let b = &r.record.body;
    Testimony {
        id: r.record.id.clone(),
        version: r.record.version,
        versions: r.record.version,
        status: b.status,
        template: b.template.clone(),
        template_version: b.template_version,
        language: b.language.clone(),
        interviewer: b.interviewer.clone(),
        fields: b.fields.clone(),
        narrative: b.narrative.clone(),
        consent: b.consent.clone(),
        sealed_consent: b.consent.clone(),
        attachments: r
            .record
            .attachments
            .iter()
            .map(|a| AttachmentInfo {
                id: a.sha256.clone(),
                name: a.name.clone(),
                media_type: a.media_type.clone(),
                size: a.size,
                sha256: a.sha256.clone(),
                added_at: String::new(),
                captured_at: a.captured_at.clone(),
                sealed: true,
                markers: a.markers.clone(),
            })
            .collect(),
        created_at: format_time(b.created_at),
        updated_at: format_time(b.updated_at),
        sealed_at: b.sealed_at.map(format_time),
        content_hash: r.record.content_hash.clone(),
        amendment_reason: b.amendment_reason.clone(),
        readiness: Readiness::default(),
    }
}

/// This vault's custody lines of the record: its imports from this sender, up to the
/// version reported (so that importing a later version leaves the report the same).
/// The sender's own log was checked on import and stays with the bundle.
fn history(vault: &mut Vault, r: &ReceivedRecord) -> Result<Vec<LogLine>> {
    let suffix = format!("({})", r.sender_key_id);
    Ok(vault
        .history(&r.record.id)?
        .into_iter()
        .filter(|l| {
            l.event == Event::Imported
                && l.version.is_some_and(|v| v <= r.record.version)
                && l.detail.as_deref().is_some_and(|d| d.ends_with(&suffix))
        })
        .collect())
}

/// The versions of the record this vault received from the same sender, up to the
/// one reported, with what each changed from the one before it that is here.
fn versions(vault: &mut Vault, r: &ReceivedRecord) -> Result<Vec<VersionInfo>> {
    let mut out = Vec::new();
    let mut before: Option<kua_core::VersionBody> = None;
    for v in 1..=r.record.version {
        let held = if v == r.record.version {
            r.clone()
        } else {
            match vault.show_received(&r.record.id, Some(v), Some(&r.sender_key_id)) {
                Ok(held) => held,
                // A coordinator may hold only some versions of a record.
                Err(kua_core::Error::TestimonyNotFound(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        };
        let body = held.record.body;
        out.push(VersionInfo {
            version: v,
            status: body.status,
            updated_at: format_time(body.updated_at),
            sealed_at: body.sealed_at.map(format_time),
            content_hash: held.record.content_hash,
            amendment_reason: body.amendment_reason.clone(),
            changed: before
                .as_ref()
                .map(|b| body.changes_since(b))
                .unwrap_or_default(),
        });
        before = Some(body);
    }
    Ok(out)
}

/// Who sent the record, with what key, in which bundle, and when it came.
fn provenance(r: &ReceivedRecord, labels: Labels) -> Vec<Row> {
    let mut rows = vec![
        Row::text(labels.get("received_from"), r.sender_name.clone()),
        Row::mono(labels.get("sender_key_id"), r.sender_key_id.clone()),
    ];
    if !r.sender_public_key.is_empty() {
        rows.push(Row::mono(
            labels.get("sender_public_key"),
            r.sender_public_key.clone(),
        ));
    }
    rows.push(Row::mono(labels.get("bundle_id"), r.bundle_id.clone()));
    rows.push(Row::text(
        labels.get("imported_at"),
        time(labels.lang, &r.imported_at),
    ));
    rows.push(Row::text(
        labels.get("redacted_by_sender"),
        labels.yes_no(r.record.redacted),
    ));
    if r.record.redacted && !r.sha256.is_empty() {
        rows.push(Row::mono(
            labels.get("redacted_record_sha256"),
            r.sha256.clone(),
        ));
    }
    rows
}
