//! The plain data types the core exchanges with its front ends. Serialisation happens at
//! the boundary; these types carry no behaviour beyond small helpers.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Where a testimony version stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Editable; autosaved.
    Draft,
    /// Frozen; its content hash is recorded in the custody log.
    Sealed,
}

/// How consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    Oral,
    Written,
    Recorded,
}

/// What the person agreed their account may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConsentScope {
    /// Keep the account in this vault.
    Store,
    /// Share with the coalition's coordinators.
    Coalition,
    /// Share with lawyers and courts.
    Legal,
    /// Publish in anonymised form.
    PublishAnonymised,
}

/// Informed consent as a record (Istanbul Protocol §208): when, how, by whom, to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// When consent was given: a date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM).
    pub given_at: String,
    pub method: ConsentMethod,
    /// Who recorded the consent; defaults to the interviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<String>,
    pub scope: BTreeSet<ConsentScope>,
    #[serde(default)]
    pub anonymous: bool,
    /// Parts the person asked to keep confidential, or other conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<String>,
}

impl Consent {
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn_at.is_some()
    }
    pub fn allows(&self, scope: ConsentScope) -> bool {
        !self.is_withdrawn() && self.scope.contains(&scope)
    }
}

/// What `add`, `edit` and `amend` take. Every key is optional: a draft may be empty.
/// In `edit` and `amend`, keys that are present replace the stored ones; inside
/// `fields`, each field present replaces the stored field and `null` removes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct TestimonyInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interviewer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Why an amendment was made (amend only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An attachment as front ends see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttachmentInfo {
    pub id: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// SHA-256 of the original bytes: the evidence hash.
    pub sha256: String,
    pub added_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<String>,
    /// Whether the version shown seals this attachment in (its evidence hash is part of
    /// the version's content hash). An attachment added after sealing stays unsealed
    /// until the next amendment.
    #[serde(default)]
    pub sealed: bool,
    /// Markers dropped during a recording, in time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<crate::recording::Marker>,
}

/// Fields the template calls required (for sealing) or recommended (for evidence) that
/// are still empty: the readiness check a prosecutor's eye would make.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Readiness {
    pub missing_required: Vec<String>,
    pub missing_recommended: Vec<String>,
    pub consent_recorded: bool,
}

/// One version of a testimony, with the testimony's current consent and attachments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Testimony {
    pub id: String,
    pub version: u32,
    /// How many versions exist.
    pub versions: u32,
    pub status: Status,
    pub template: String,
    pub template_version: u32,
    pub language: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interviewer: Option<String>,
    pub fields: BTreeMap<String, Value>,
    pub narrative: String,
    /// The current consent record (it can change after sealing, e.g. be withdrawn).
    pub consent: Option<Consent>,
    /// The consent in force when this version was sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_consent: Option<Consent>,
    pub attachments: Vec<AttachmentInfo>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_at: Option<String>,
    /// SHA-256 of the canonical content of this version.
    pub content_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amendment_reason: Option<String>,
    pub readiness: Readiness,
}

/// A line of the testimony list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TestimonySummary {
    pub id: String,
    pub status: Status,
    pub version: u32,
    pub template: String,
    pub language: String,
    pub created_at: String,
    pub updated_at: String,
    /// The first words of the narrative, for recognising the record in a list.
    pub excerpt: String,
    pub consent: Option<Consent>,
    pub attachments: Vec<AttachmentInfo>,
}

/// The order of the testimony list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ListSort {
    /// Most recently changed first.
    #[default]
    Updated,
    /// Most recently created first.
    Created,
    /// Oldest first.
    CreatedAsc,
}

/// Which part of the testimony list a front end wants: the filters, the order and a
/// window of rows. A front end asks for the rows it shows, not for the whole list, so
/// that 100,000 testimonies cost it no more than the rows on screen.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub template: Option<String>,
    /// Created on or after this day (YYYY-MM-DD, UTC, as `created_at` shows it).
    #[serde(default)]
    pub from: Option<String>,
    /// Created on or before this day.
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub sort: ListSort,
    /// Only these testimonies (a search's hits); all when absent.
    #[serde(default)]
    pub ids: Option<Vec<String>>,
    #[serde(default)]
    pub offset: u32,
    /// At most this many rows (capped at `LIST_WINDOW_MAX`).
    pub limit: u32,
}

/// The most rows one window holds.
pub const LIST_WINDOW_MAX: u32 = 5_000;

/// A line of the testimony list: only what the list shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ListRow {
    pub id: String,
    pub status: Status,
    pub version: u32,
    pub template: String,
    pub language: String,
    pub created_at: String,
    pub updated_at: String,
    /// The first words of the narrative.
    pub excerpt: String,
    /// How many files are attached.
    pub attachments: u32,
}

impl From<TestimonySummary> for ListRow {
    fn from(s: TestimonySummary) -> Self {
        ListRow {
            attachments: s.attachments.len() as u32,
            id: s.id,
            status: s.status,
            version: s.version,
            template: s.template,
            language: s.language,
            created_at: s.created_at,
            updated_at: s.updated_at,
            excerpt: s.excerpt,
        }
    }
}

/// A window of the testimony list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ListPage {
    pub rows: Vec<ListRow>,
    /// How many testimonies match the query (the window is part of them).
    pub matching: u32,
    /// How many testimonies the vault holds.
    pub total: u32,
    /// The languages of all testimonies, for the language filter.
    pub languages: Vec<String>,
    /// How many testimonies this answer read anew (all of them for the first window
    /// after unlock, then only those written since): a front end may release memory
    /// after a large read.
    pub read: u32,
}

/// One version in a testimony's history, and what changed from the version before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VersionInfo {
    pub version: u32,
    pub status: Status,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_at: Option<String>,
    pub content_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amendment_reason: Option<String>,
    /// Names of what differs from the previous version: field ids, `narrative`,
    /// `language`, `consent`, `attachments`.
    pub changed: Vec<String>,
    /// What changed on the body maps, mark by mark.
    #[serde(default)]
    pub marks: Vec<crate::body::MarkChange>,
}

/// A search hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    pub id: String,
    pub version: u32,
    pub status: Status,
    /// A fragment of the matching text with the match marked by [ and ].
    pub snippet: String,
}
