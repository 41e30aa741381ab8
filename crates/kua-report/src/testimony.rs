//! The report of one of this vault's own sealed testimony versions: what the vault
//! holds of it, gathered through kua-core's API (laid out by `render.rs`).

use crate::error::{Error, Result};
use crate::labels::Labels;
use crate::render::{render, Subject};
use crate::values::Identifying;
use crate::{common, Options, Report};
use kua_core::model::{ConsentScope, Status, Testimony};
use kua_core::{MediaRef, Vault};

/// Makes the report of testimony `id` (its latest sealed version unless
/// `options.version` names one) and signs it with the vault's device key.
pub fn testimony(vault: &mut Vault, id: &str, options: &Options) -> Result<Report> {
    let verification = vault.verify_quietly()?;
    testimony_verified(vault, id, options, &verification)
}

/// `testimony` with the vault's verification already made (a package of several
/// testimonies verifies once).
pub(crate) fn testimony_verified(
    vault: &mut Vault,
    id: &str,
    options: &Options,
    verification: &kua_core::VerifyReport,
) -> Result<Report> {
    let _evict = crate::Evict;
    let labels = Labels::new(&options.lang)?;
    let version = match options.version {
        Some(v) => v,
        None => latest_sealed(vault, id)?,
    };
    let mut t = vault.show(id, Some(version))?;
    if t.status != Status::Sealed {
        return Err(Error::NotSealed {
            id: t.id,
            version: t.version,
        });
    }
    let identifying = identifying(&t, options.full)?;
    // The sealed record names the person: an anonymous report does not embed it, and
    // says where its hash can be checked instead.
    let record_json = match identifying {
        Identifying::Shown => Some(vault.version_body(&t.id, Some(t.version))?.canonical()),
        Identifying::Withheld => None,
    };
    let history = common::history_until(vault, &t.id, t.version)?;
    let versions = vault
        .versions(&t.id)?
        .into_iter()
        .filter(|v| v.version <= t.version)
        .collect();
    // An attachment added after the seal is not part of this version.
    t.attachments.retain(|a| a.sealed);
    let media = t
        .attachments
        .iter()
        .map(|a| MediaRef::Attachment {
            testimony: t.id.clone(),
            attachment: a.id.clone(),
        })
        .collect();
    let notice = match (identifying, anonymous(&t)) {
        (Identifying::Withheld, _) => labels.get("anonymous_notice"),
        (Identifying::Shown, true) => labels.get("full_notice"),
        (Identifying::Shown, false) => String::new(),
    };
    let trusted_comment = format!(
        "kua testimony report {} version {} content sha256 {}",
        t.id, t.version, t.content_hash
    );
    let subject = Subject {
        labels,
        identifying,
        record_json,
        withheld_check: "check_record_withheld",
        history,
        versions,
        media,
        provenance: Vec::new(),
        notice,
        title: labels.get("report_title"),
        trusted_comment,
        t,
    };
    render(vault, subject, options, verification)
}

pub(crate) fn latest_sealed(vault: &mut Vault, id: &str) -> Result<u32> {
    let versions = vault.versions(id)?;
    versions
        .iter()
        .rev()
        .find(|v| v.status == Status::Sealed)
        .map(|v| v.version)
        .ok_or_else(|| Error::NotSealed {
            id: id.to_string(),
            version: versions.last().map(|v| v.version).unwrap_or(1),
        })
}

pub(crate) fn anonymous(t: &Testimony) -> bool {
    // The stricter of the consent now and the consent the version was sealed with.
    t.consent.as_ref().is_some_and(|c| c.anonymous)
        || t.sealed_consent.as_ref().is_some_and(|c| c.anonymous)
}

/// Whether identifying fields may be printed: always for a person who did not ask for
/// anonymity; for one who did, only in a full report their consent to legal use allows.
pub(crate) fn identifying(t: &Testimony, full: bool) -> Result<Identifying> {
    let consent = t.consent.as_ref();
    if consent.is_some_and(|c| c.is_withdrawn()) {
        return Err(Error::ConsentWithdrawn(t.id.clone()));
    }
    if !anonymous(t) {
        return Ok(Identifying::Shown);
    }
    if !full {
        return Ok(Identifying::Withheld);
    }
    if consent.is_some_and(|c| c.allows(ConsentScope::Legal)) {
        Ok(Identifying::Shown)
    } else {
        Err(Error::FullNotAllowed(t.id.clone()))
    }
}
