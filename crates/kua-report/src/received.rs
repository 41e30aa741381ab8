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
use kua_core::{format_time, LogLine, MediaRef, ReceivedRecord, ReceivedSummary, Vault};

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
    let held = held_versions(vault, &r)?;
    // The consent now is the one of the latest version this sender sent: a person who
    // later asked for anonymity, or withdrew, is not named in a report of an earlier
    // version either.
    let latest = match held.last() {
        Some(h) if h.version > record.version => {
            vault.show_received(&record.id, Some(h.version), Some(&r.sender_key_id))?
        }
        _ => r.clone(),
    };
    let t = testimony_of(&r, &latest, vault)?;
    if t.consent.as_ref().is_some_and(|c| c.is_withdrawn()) {
        return Err(Error::ConsentWithdrawn(t.id.clone()));
    }
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
    let pending = held
        .iter()
        .any(|h| h.version == record.version && h.bundle_id == r.bundle_id && h.pending);
    if pending {
        notice.push(' ');
        notice.push_str(&labels.get("pending_notice"));
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
            "check_record_withheld_received"
        },
        history: history(vault, &r, identifying)?,
        versions: versions(vault, &r, &held)?,
        media,
        provenance: provenance(&r, labels, identifying, pending),
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

/// The versions of the record this vault holds from the same sender, in order.
fn held_versions(vault: &mut Vault, r: &ReceivedRecord) -> Result<Vec<ReceivedSummary>> {
    let mut held: Vec<ReceivedSummary> = vault
        .received()?
        .into_iter()
        .filter(|s| s.id == r.record.id && s.sender_key_id == r.sender_key_id)
        .collect();
    held.sort_by_key(|s| s.version);
    Ok(held)
}

/// The received version in the shape of the vault's own testimonies: its consent as
/// sealed, and as the latest version held (`latest`) now has it. A received file's
/// addition time is the sender's and does not travel: it stays empty; its size is the
/// stored file's, not the one the sender listed.
fn testimony_of(
    r: &ReceivedRecord,
    latest: &ReceivedRecord,
    vault: &mut Vault,
) -> Result<Testimony> {
    let b = &r.record.body;
    let mut attachments = Vec::with_capacity(r.record.attachments.len());
    for a in &r.record.attachments {
        let stored = vault.open_media(&MediaRef::Received {
            record: r.record.id.clone(),
            version: r.record.version,
            sha256: a.sha256.clone(),
            sender: Some(r.sender_key_id.clone()),
        })?;
        // The sender's attachment id, as the record's body maps link photographs by it;
        // a file the sealed version does not list is known by its hash.
        let id = b
            .attachments
            .iter()
            .find(|(_, sha)| sha == &a.sha256)
            .map_or_else(|| a.sha256.clone(), |(id, _)| id.clone());
        attachments.push(AttachmentInfo {
            id,
            name: a.name.clone(),
            media_type: a.media_type.clone(),
            size: stored.size,
            sha256: a.sha256.clone(),
            added_at: String::new(),
            captured_at: a.captured_at.clone(),
            sealed: true,
            markers: a.markers.clone(),
        });
    }
    Ok(Testimony {
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
        consent: latest.record.body.consent.clone(),
        sealed_consent: b.consent.clone(),
        attachments,
        created_at: format_time(b.created_at),
        updated_at: format_time(b.updated_at),
        sealed_at: b.sealed_at.map(format_time),
        content_hash: r.record.content_hash.clone(),
        amendment_reason: b.amendment_reason.clone(),
        readiness: Readiness::default(),
    })
}

/// This vault's custody lines of the record: its imports from this sender, up to the
/// version reported (so that importing a later version leaves the report the same).
/// The sender's own log was checked on import and stays with the bundle. A report that
/// withholds what names people withholds the name the sender is trusted under too
/// (it may name the interviewer): the line's hash then covers a detail not shown.
fn history(
    vault: &mut Vault,
    r: &ReceivedRecord,
    identifying: Identifying,
) -> Result<Vec<LogLine>> {
    let suffix = format!("({})", r.sender_key_id);
    let from = format!(" from {} {suffix}", r.sender_name);
    Ok(vault
        .history(&r.record.id)?
        .into_iter()
        .filter(|l| {
            l.event == Event::Imported
                && l.version.is_some_and(|v| v <= r.record.version)
                && l.detail.as_deref().is_some_and(|d| d.ends_with(&suffix))
        })
        .map(|mut l| {
            if identifying == Identifying::Withheld {
                l.detail = l
                    .detail
                    .map(|d| d.replace(&from, &format!(" from [withheld] {suffix}")));
            }
            l
        })
        .collect())
}

/// The versions of the record this vault received from the same sender, up to the
/// one reported, with what each changed from the version before it. Where that
/// version is not here, or the two were not redacted alike (pseudonyms depend on the
/// bundle's recipients), the change is not comparable and is printed so.
fn versions(
    vault: &mut Vault,
    r: &ReceivedRecord,
    held: &[ReceivedSummary],
) -> Result<Vec<VersionInfo>> {
    let mut out = Vec::new();
    let mut before: Option<ReceivedRecord> = None;
    for h in held.iter().filter(|h| h.version <= r.record.version) {
        let this = if h.version == r.record.version {
            r.clone()
        } else {
            vault.show_received(&r.record.id, Some(h.version), Some(&r.sender_key_id))?
        };
        let body = &this.record.body;
        let (changed, marks) = match &before {
            None if h.version == 1 => (Vec::new(), Vec::new()),
            Some(b)
                if b.record.version + 1 == h.version
                    && b.record.redacted == this.record.redacted
                    && (!this.record.redacted || b.recipients == this.recipients) =>
            {
                (
                    body.changes_since(&b.record.body),
                    body.mark_changes_since(&b.record.body),
                )
            }
            _ => (vec![crate::render::NOT_COMPARABLE.to_string()], Vec::new()),
        };
        out.push(VersionInfo {
            version: h.version,
            status: body.status,
            updated_at: format_time(body.updated_at),
            sealed_at: body.sealed_at.map(format_time),
            content_hash: this.record.content_hash.clone(),
            amendment_reason: body.amendment_reason.clone(),
            changed,
            marks,
        });
        before = Some(this);
    }
    Ok(out)
}

/// Who sent the record, with what key, in which bundle, and when it came. The name the
/// sender is trusted under is withheld with what names people.
fn provenance(
    r: &ReceivedRecord,
    labels: Labels,
    identifying: Identifying,
    pending: bool,
) -> Vec<Row> {
    let mut rows = vec![
        Row::text(
            labels.get("received_from"),
            match identifying {
                Identifying::Shown => r.sender_name.clone(),
                Identifying::Withheld => labels.withheld(),
            },
        ),
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
        labels.get("received_pending"),
        labels.yes_no(pending),
    ));
    rows.push(Row::text(
        labels.get("redacted_by_sender"),
        labels.yes_no(r.record.redacted),
    ));
    if r.record.redacted {
        rows.push(Row::mono(
            labels.get("redacted_record_sha256"),
            if r.sha256.is_empty() {
                labels.get("not_recorded")
            } else {
                r.sha256.clone()
            },
        ));
    }
    rows
}
