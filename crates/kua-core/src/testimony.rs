//! The testimony lifecycle: draft (editable) → sealed (frozen, hashed, logged) →
//! amended (a new sealed version). Nothing sealed is ever overwritten.

use crate::catalog::parse_id;
use crate::crypto::sha256_hex;
use crate::custody::Tail;
use crate::custody::{Change, Event};
use crate::error::{Error, Result};
use crate::model::{Consent, ConsentScope, Status, TestimonyInput};
use crate::records::{self, Head};
use crate::store::Table;
use crate::template::{self, Template};
use crate::vault::{Ctx, Vault};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;
use zeroize::Zeroizing;

/// The stored content of one version. Its canonical JSON (this field order, sorted
/// field map, no spaces) is what the content hash covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VersionBody {
    pub id: String,
    pub version: u32,
    pub status: Status,
    pub template: String,
    pub template_version: u32,
    pub language: String,
    pub interviewer: Option<String>,
    pub fields: BTreeMap<String, Value>,
    pub narrative: String,
    /// The consent in force when sealed; none while a draft.
    pub consent: Option<Consent>,
    /// Attachments sealed into this version: (attachment id, evidence hash).
    pub attachments: Vec<(String, String)>,
    pub created_at: i64,
    pub updated_at: i64,
    pub sealed_at: Option<i64>,
    pub amendment_reason: Option<String>,
}

impl VersionBody {
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
    pub fn hash(&self) -> String {
        sha256_hex(&self.canonical())
    }
}

pub(crate) fn decode<T: for<'de> Deserialize<'de>>(
    bytes: &[u8],
    place: impl FnOnce() -> String,
) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|_| Error::integrity(place()))
}

/// Serialises content for sealing into a buffer that is wiped when dropped.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Zeroizing<Vec<u8>>> {
    serde_json::to_vec(value)
        .map(Zeroizing::new)
        .map_err(|e| Error::Storage(e.to_string()))
}

pub(crate) fn template_for(id: &str) -> Result<&'static Template> {
    template::find(id).ok_or_else(|| Error::TemplateNotFound(id.to_string()))
}

/// Every photograph a body map links must be attached to this testimony.
fn check_photos<'a>(
    template: &Template,
    body: &VersionBody,
    attached: impl Iterator<Item = &'a String>,
) -> Result<()> {
    let attached = attached.cloned().collect();
    let errors = crate::body::check_photos(template, &body.fields, &attached);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(template::ValidationErrors(errors).into())
    }
}

fn check_consent(c: &Consent) -> Result<()> {
    let date_ok = |s: &str| crate::dates::is_date(s) || crate::dates::is_datetime(s);
    if !date_ok(&c.given_at) {
        return Err(Error::BadInput(
            "consent.given_at is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)".into(),
        ));
    }
    if let Some(w) = &c.withdrawn_at {
        if !date_ok(w) {
            return Err(Error::BadInput(
                "consent.withdrawn_at is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)".into(),
            ));
        }
    }
    Ok(())
}

/// Applies an input to a body: present keys replace; inside `fields`, null removes.
fn apply(body: &mut VersionBody, input: &TestimonyInput) {
    if let Some(t) = &input.template {
        body.template.clone_from(t);
    }
    if let Some(l) = &input.language {
        body.language.clone_from(l);
    }
    if let Some(i) = &input.interviewer {
        body.interviewer = Some(i.clone());
    }
    if let Some(n) = &input.narrative {
        body.narrative.clone_from(n);
    }
    if let Some(fields) = &input.fields {
        for (k, v) in fields {
            if v.is_null() {
                body.fields.remove(k);
            } else {
                body.fields.insert(k.clone(), v.clone());
            }
        }
    }
}

impl Ctx<'_> {
    pub(crate) fn read_version(&self, head: &Head) -> Result<VersionBody> {
        let bytes = self.read(Table::Testimony, head)?;
        decode(&bytes, || {
            format!("testimony {} version {}", head.id, head.version)
        })
    }

    pub(crate) fn read_consent(&self, testimony: &Uuid) -> Result<Option<Consent>> {
        match self.keys.catalog.consents.get(testimony) {
            None => Ok(None),
            Some(head) => {
                let bytes = self.read(Table::Consent, head)?;
                decode(&bytes, || format!("consent of testimony {testimony}")).map(Some)
            }
        }
    }

    /// Replaces the consent record of a testimony inside `tx` and logs the change.
    /// Returns the new head; the caller puts it in the catalog after commit.
    fn write_consent(
        &mut self,
        tx: &Connection,
        tail: &mut Tail,
        testimony: Uuid,
        consent: &Consent,
    ) -> Result<Head> {
        check_consent(consent)?;
        let bytes = encode(consent)?;
        let previous = self.keys.catalog.consents.get(&testimony);
        let revision = previous.map_or(1, |h| h.version + 1);
        if let Some(prev) = previous {
            records::delete(tx, Table::Consent, &prev.row)?;
        }
        let head = Head::new(self.seams, testimony, revision, testimony);
        self.insert(tx, Table::Consent, &head, &bytes)?;
        self.log(
            tx,
            tail,
            Event::ConsentChanged,
            Change {
                record: Some(testimony),
                version: Some(revision),
                content_hash: Some(sha256_hex(&bytes)),
                detail: None,
            },
        )?;
        Ok(head)
    }

    /// Readies a version for sealing: consent present and in force, content complete.
    fn seal_body(&mut self, id: &Uuid, body: &mut VersionBody) -> Result<()> {
        let consent = self
            .read_consent(id)?
            .ok_or_else(|| Error::ConsentMissing(id.to_string()))?;
        if consent.is_withdrawn() {
            return Err(Error::ConsentWithdrawn(id.to_string()));
        }
        if !consent.scope.contains(&ConsentScope::Store) {
            return Err(Error::ConsentMissing(id.to_string()));
        }
        let template = template_for(&body.template)?;
        template.validate(&body.fields, true)?;
        body.attachments = self.attachment_refs(id)?;
        check_photos(template, body, body.attachments.iter().map(|(id, _)| id))?;
        body.consent = Some(consent);
        body.status = Status::Sealed;
        body.sealed_at = Some(body.updated_at);
        Ok(())
    }
}

impl Vault {
    /// Creates a draft testimony and returns its id.
    pub fn add(&mut self, input: &TestimonyInput) -> Result<String> {
        let mut ids = self.add_many(std::slice::from_ref(input))?;
        ids.pop()
            .ok_or_else(|| Error::Storage("no id was returned".into()))
    }

    /// Creates many draft testimonies in one transaction: all are stored, or none.
    /// Returns their ids in input order.
    pub fn add_many(&mut self, inputs: &[TestimonyInput]) -> Result<Vec<String>> {
        let mut ctx = self.ctx()?;
        let mut staged = Vec::with_capacity(inputs.len());
        for input in inputs {
            if input.reason.is_some() {
                return Err(Error::BadInput(
                    "\"reason\" belongs to amendments only".into(),
                ));
            }
            let template = template_for(
                input
                    .template
                    .as_deref()
                    .unwrap_or(template::DEFAULT_TEMPLATE),
            )?;
            let now = ctx.seams.clock.now_ms();
            let id = ctx.seams.uuid();
            let mut body = VersionBody {
                id: id.to_string(),
                version: 1,
                status: Status::Draft,
                template: template.id.clone(),
                template_version: template.version,
                language: "und".into(),
                interviewer: None,
                fields: BTreeMap::new(),
                narrative: String::new(),
                consent: None,
                attachments: Vec::new(),
                created_at: now,
                updated_at: now,
                sealed_at: None,
                amendment_reason: None,
            };
            apply(&mut body, input);
            template.validate(&body.fields, false)?;
            check_photos(template, &body, std::iter::empty())?;
            if let Some(c) = &input.consent {
                check_consent(c)?;
            }
            staged.push((id, body, input.consent.as_ref()));
        }
        let db = ctx.db;
        let tx = db.unchecked_transaction()?;
        let mut tail = ctx.keys.tail;
        let mut created = Vec::with_capacity(staged.len());
        for (id, body, consent) in staged {
            let head = Head::new(ctx.seams, id, 1, Uuid::nil());
            ctx.insert(&tx, Table::Testimony, &head, &encode(&body)?)?;
            ctx.log(
                &tx,
                &mut tail,
                Event::Created,
                Change {
                    record: Some(id),
                    version: Some(1),
                    content_hash: Some(body.hash()),
                    detail: None,
                },
            )?;
            let consent = match consent {
                Some(c) => Some(ctx.write_consent(&tx, &mut tail, id, c)?),
                None => None,
            };
            created.push((id, head, consent));
        }
        tx.commit()?;
        ctx.keys.tail = tail;
        let mut ids = Vec::with_capacity(created.len());
        for (id, head, consent) in created {
            ctx.keys.catalog.testimonies.insert(id, vec![head]);
            if let Some(h) = consent {
                ctx.keys.catalog.consents.insert(id, h);
            }
            ids.push(id);
        }
        for id in &ids {
            self.reindex(id);
        }
        Ok(ids.iter().map(Uuid::to_string).collect())
    }

    /// Changes a draft. Saving unchanged content is a no-op (nothing is logged), so a
    /// front end may autosave as often as it likes.
    pub fn edit(&mut self, id: &str, input: &TestimonyInput) -> Result<()> {
        if input.reason.is_some() {
            return Err(Error::BadInput(
                "\"reason\" belongs to amendments only".into(),
            ));
        }
        let id = parse_id(id)?;
        let mut ctx = self.ctx()?;
        let head = ctx.keys.catalog.latest(&id)?;
        let old = ctx.read_version(head)?;
        if old.status == Status::Sealed {
            return Err(Error::Sealed(id.to_string()));
        }
        let mut body = old.clone();
        apply(&mut body, input);
        let template = template_for(&body.template)?;
        body.template_version = template.version;
        template.validate(&body.fields, false)?;
        let attached = ctx.attachment_refs(&id)?;
        check_photos(template, &body, attached.iter().map(|(id, _)| id))?;
        let consent_changed = match &input.consent {
            Some(c) => ctx.read_consent(&id)?.as_ref() != Some(c),
            None => false,
        };
        if body == old && !consent_changed {
            return Ok(());
        }
        let db = ctx.db;
        let tx = db.unchecked_transaction()?;
        let mut tail = ctx.keys.tail;
        if body != old {
            body.updated_at = ctx.seams.clock.now_ms();
            let head = ctx.keys.catalog.latest(&id)?;
            let (version, bytes) = (head.version, encode(&body)?);
            crate::records::update_body(
                &tx,
                ctx.seams,
                &ctx.vault,
                Table::Testimony,
                head,
                &bytes,
            )?;
            ctx.log(
                &tx,
                &mut tail,
                Event::Edited,
                Change {
                    record: Some(id),
                    version: Some(version),
                    content_hash: Some(body.hash()),
                    detail: None,
                },
            )?;
        }
        let consent = match (&input.consent, consent_changed) {
            (Some(c), true) => Some(ctx.write_consent(&tx, &mut tail, id, c)?),
            _ => None,
        };
        tx.commit()?;
        ctx.keys.tail = tail;
        if let Some(h) = consent {
            ctx.keys.catalog.consents.insert(id, h);
        }
        self.reindex(&id);
        Ok(())
    }

    /// Records or changes the consent of any testimony, sealed or not: withdrawal must
    /// always be possible. Sealed versions keep the consent they were sealed under.
    pub fn set_consent(&mut self, id: &str, consent: &Consent) -> Result<()> {
        let id = parse_id(id)?;
        let mut ctx = self.ctx()?;
        ctx.keys.catalog.latest(&id)?;
        if ctx.read_consent(&id)?.as_ref() == Some(consent) {
            return Ok(());
        }
        let head = ctx.transaction(|ctx, tx, tail| ctx.write_consent(tx, tail, id, consent))?;
        ctx.keys.catalog.consents.insert(id, head);
        Ok(())
    }

    /// Freezes the draft: requires consent (with scope `store`, not withdrawn) and every
    /// required field; records the content hash in the custody log.
    pub fn seal(&mut self, id: &str) -> Result<String> {
        let id = parse_id(id)?;
        let mut ctx = self.ctx()?;
        let head = ctx.keys.catalog.latest(&id)?;
        let mut body = ctx.read_version(head)?;
        if body.status == Status::Sealed {
            return Err(Error::Sealed(id.to_string()));
        }
        body.updated_at = ctx.seams.clock.now_ms();
        ctx.seal_body(&id, &mut body)?;
        let hash = body.hash();
        let bytes = encode(&body)?;
        ctx.transaction(|ctx, tx, tail| {
            let head = ctx.keys.catalog.latest(&id)?;
            let version = head.version;
            crate::records::update_body(tx, ctx.seams, &ctx.vault, Table::Testimony, head, &bytes)?;
            ctx.log(
                tx,
                tail,
                Event::Sealed,
                Change {
                    record: Some(id),
                    version: Some(version),
                    content_hash: Some(hash.clone()),
                    detail: None,
                },
            )
        })?;
        self.reindex(&id);
        Ok(hash)
    }

    /// Records a change to a sealed testimony as a new sealed version. Returns the new
    /// version number.
    pub fn amend(&mut self, id: &str, input: &TestimonyInput) -> Result<u32> {
        let id = parse_id(id)?;
        let mut ctx = self.ctx()?;
        let latest = ctx.keys.catalog.latest(&id)?;
        let old = ctx.read_version(latest)?;
        if old.status == Status::Draft {
            return Err(Error::NotSealed(id.to_string()));
        }
        if let Some(c) = &input.consent {
            if ctx.read_consent(&id)?.as_ref() != Some(c) {
                return Err(Error::BadInput(
                    "change consent with `kua consent`, not in an amendment".into(),
                ));
            }
        }
        let mut body = old.clone();
        apply(&mut body, input);
        let mut earlier = Vec::new();
        for head in ctx.keys.catalog.versions(&id)? {
            earlier.push(ctx.read_version(head)?.fields);
        }
        let earlier: Vec<&BTreeMap<String, Value>> = earlier.iter().collect();
        let numbers =
            crate::body::check_numbers(template_for(&body.template)?, &earlier, &body.fields);
        if !numbers.is_empty() {
            return Err(template::ValidationErrors(numbers).into());
        }
        body.version += 1;
        body.updated_at = ctx.seams.clock.now_ms();
        body.amendment_reason.clone_from(&input.reason);
        body.template_version = template_for(&body.template)?.version;
        ctx.seal_body(&id, &mut body)?;
        let hash = body.hash();
        let head = Head::new(ctx.seams, id, body.version, Uuid::nil());
        let db = ctx.db;
        let tx = db.unchecked_transaction()?;
        let mut tail = ctx.keys.tail;
        ctx.insert(&tx, Table::Testimony, &head, &encode(&body)?)?;
        ctx.log(
            &tx,
            &mut tail,
            Event::Amended,
            Change {
                record: Some(id),
                version: Some(body.version),
                content_hash: Some(hash),
                detail: None,
            },
        )?;
        tx.commit()?;
        ctx.keys.tail = tail;
        let version = body.version;
        ctx.keys
            .catalog
            .testimonies
            .entry(id)
            .or_default()
            .push(head);
        self.reindex(&id);
        Ok(version)
    }

    /// Crypto-erase: deletes every version, the consent, the attachments and their
    /// chunks (with their keys), logs a tombstone, and truncates the WAL so no page image
    /// of the erased rows survives.
    pub fn delete(&mut self, id: &str) -> Result<()> {
        let id = parse_id(id)?;
        let mut ctx = self.ctx()?;
        ctx.keys.catalog.latest(&id)?;
        let db = ctx.db;
        let tx = db.unchecked_transaction()?;
        let mut tail = ctx.keys.tail;
        for head in ctx.keys.catalog.versions(&id)? {
            records::delete(&tx, Table::Testimony, &head.row)?;
        }
        let stale = ctx
            .keys
            .catalog
            .stale_consents
            .get(&id)
            .into_iter()
            .flatten();
        for head in ctx.keys.catalog.consents.get(&id).into_iter().chain(stale) {
            records::delete(&tx, Table::Consent, &head.row)?;
        }
        ctx.delete_attachments(&tx, &id)?;
        let erased_recordings = ctx.delete_open_recordings(&tx, &id)?;
        ctx.erase_decision_notes(&tx, &mut tail, &id)?;
        ctx.log(
            &tx,
            &mut tail,
            Event::Deleted,
            Change {
                record: Some(id),
                ..Change::default()
            },
        )?;
        tx.commit()?;
        ctx.keys.tail = tail;
        ctx.keys.catalog.testimonies.remove(&id);
        ctx.keys.catalog.consents.remove(&id);
        ctx.keys.catalog.stale_consents.remove(&id);
        // What unlock found wrong in this testimony's records is gone with them.
        ctx.keys.catalog.inconsistent.retain(|(t, _)| *t != id);
        ctx.keys.catalog.attachments.remove(&id);
        ctx.keys.listing.forget(&id);
        for r in erased_recordings {
            ctx.keys.recordings.remove(&r);
        }
        // The erase has committed, so a failure here must not report it as failed. An
        // index that cannot drop the entry is dropped whole, with the erased text in
        // it, and rebuilt from the vault on the next search.
        if let Some(Err(_)) = ctx.keys.search.as_mut().map(|index| index.remove(&id)) {
            ctx.keys.search = None;
        }
        crate::store::checkpoint(db)
    }
}
