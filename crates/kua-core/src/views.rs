//! Reading testimonies: one version with its consent, attachments and readiness; the
//! list; the versions with what changed between them.

use crate::catalog::parse_id;
use crate::error::Result;
use crate::model::{ConsentScope, Readiness, Testimony, TestimonySummary, VersionInfo};
use crate::seams::format_time;
use crate::testimony::{template_for, VersionBody};
use crate::vault::Vault;

impl Vault {
    /// One version (the latest when `version` is None) with current consent and
    /// attachments.
    pub fn show(&mut self, id: &str, version: Option<u32>) -> Result<Testimony> {
        let id = parse_id(id)?;
        let ctx = self.ctx()?;
        let versions = ctx.keys.catalog.versions(&id)?.len() as u32;
        let head = match version {
            Some(v) => ctx.keys.catalog.version(&id, v)?,
            None => ctx.keys.catalog.latest(&id)?,
        };
        let body = ctx.read_version(head)?;
        let consent = ctx.read_consent(&id)?;
        // A sealed version covers the attachments it was sealed with; the latest version
        // also lists those added since, marked unsealed until the next amendment.
        let mut attachments = ctx.attachment_infos(&id)?;
        for a in &mut attachments {
            a.sealed = body.attachments.iter().any(|(aid, _)| aid == &a.id);
        }
        if body.version < versions {
            attachments.retain(|a| a.sealed);
        }
        let template = template_for(&body.template)?;
        let (missing_required, missing_recommended) = template.missing(&body.fields);
        Ok(Testimony {
            id: body.id.clone(),
            version: body.version,
            versions,
            status: body.status,
            content_hash: body.hash(),
            template: body.template,
            template_version: body.template_version,
            language: body.language,
            interviewer: body.interviewer,
            fields: body.fields,
            narrative: body.narrative,
            readiness: Readiness {
                missing_required,
                missing_recommended,
                consent_recorded: consent
                    .as_ref()
                    .is_some_and(|c| c.allows(ConsentScope::Store)),
            },
            consent,
            sealed_consent: body.consent,
            attachments,
            created_at: format_time(body.created_at),
            updated_at: format_time(body.updated_at),
            sealed_at: body.sealed_at.map(format_time),
            amendment_reason: body.amendment_reason,
        })
    }

    /// Every testimony's latest version, most recently changed first.
    pub fn list(&mut self) -> Result<Vec<TestimonySummary>> {
        let ctx = self.ctx()?;
        let mut out = Vec::with_capacity(ctx.keys.catalog.testimonies.len());
        for (id, versions) in &ctx.keys.catalog.testimonies {
            let Some(head) = versions.last() else {
                continue;
            };
            let body = ctx.read_version(head)?;
            let excerpt: String = body.narrative.chars().take(120).collect();
            out.push((
                body.updated_at,
                TestimonySummary {
                    id: id.to_string(),
                    status: body.status,
                    version: body.version,
                    template: body.template,
                    language: body.language,
                    created_at: format_time(body.created_at),
                    updated_at: format_time(body.updated_at),
                    excerpt,
                    consent: ctx.read_consent(id)?,
                    attachments: ctx.attachment_infos(id)?,
                },
            ));
        }
        out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        Ok(out.into_iter().map(|(_, s)| s).collect())
    }

    /// Every version with what changed from the one before.
    pub fn versions(&mut self, id: &str) -> Result<Vec<VersionInfo>> {
        let id = parse_id(id)?;
        let ctx = self.ctx()?;
        let mut out = Vec::new();
        let mut prev: Option<VersionBody> = None;
        for head in ctx.keys.catalog.versions(&id)? {
            let body = ctx.read_version(head)?;
            let (changed, marks) = match &prev {
                None => (Vec::new(), Vec::new()),
                Some(p) => (diff(p, &body), map_changes(p, &body)),
            };
            out.push(VersionInfo {
                version: body.version,
                status: body.status,
                updated_at: format_time(body.updated_at),
                sealed_at: body.sealed_at.map(format_time),
                content_hash: body.hash(),
                amendment_reason: body.amendment_reason.clone(),
                changed,
                marks,
            });
            prev = Some(body);
        }
        Ok(out)
    }
}

impl VersionBody {
    /// What differs from `before`, by name: field ids, `narrative`, `language`,
    /// `consent`, `attachments` (as `Vault::versions` reports it).
    pub fn changes_since(&self, before: &VersionBody) -> Vec<String> {
        diff(before, self)
    }

    /// What changed on the body maps since `before`, mark by mark.
    pub fn mark_changes_since(&self, before: &VersionBody) -> Vec<crate::body::MarkChange> {
        map_changes(before, self)
    }
}

/// What changed on the body maps of the template between two versions.
fn map_changes(a: &VersionBody, b: &VersionBody) -> Vec<crate::body::MarkChange> {
    let Some(tpl) = crate::template::find(&b.template) else {
        return Vec::new();
    };
    tpl.fields()
        .filter(|f| f.kind == crate::template::FieldType::BodyMap)
        .flat_map(|f| crate::body::changes(a.fields.get(&f.id), b.fields.get(&f.id)))
        .collect()
}

/// What differs between two versions, by name.
fn diff(a: &VersionBody, b: &VersionBody) -> Vec<String> {
    let mut changed: Vec<String> = Vec::new();
    let keys: std::collections::BTreeSet<&String> =
        a.fields.keys().chain(b.fields.keys()).collect();
    for k in keys {
        if a.fields.get(k) != b.fields.get(k) {
            changed.push(k.clone());
        }
    }
    if a.narrative != b.narrative {
        changed.push("narrative".into());
    }
    if a.language != b.language {
        changed.push("language".into());
    }
    if a.consent != b.consent {
        changed.push("consent".into());
    }
    if a.attachments != b.attachments {
        changed.push("attachments".into());
    }
    changed
}
