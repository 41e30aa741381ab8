//! The layout data of a testimony report, whichever vault the record came from: one
//! of this vault's own sealed versions (`testimony.rs`) or a version received in a
//! bundle (`received.rs`). Both gather a [`Subject`]; this file turns it into the data
//! the template prints, and the signed PDF.

use crate::common::{self, Common};
use crate::error::Result;
use crate::labels::{date, time, Labels};
use crate::media::{duration, image_file, ImageFile};
use crate::values::{Identifying, Printer, Row, SectionOut};
use crate::{Options, Report};
use kua_core::model::{Testimony, VersionInfo};
use kua_core::{LogLine, MediaRef, Vault, VerifyReport};
use serde::Serialize;

const TEMPLATE: &str = include_str!("../../../assets/reports/testimony.typ");

/// What a testimony report is made of.
pub(crate) struct Subject {
    /// The version reported, as `Vault::show` gives it; only sealed attachments.
    pub t: Testimony,
    pub labels: Labels,
    pub identifying: Identifying,
    /// The record's JSON exactly as its content hash covers it, when the report may
    /// embed it (it names the person, so not in an anonymous or redacted report).
    pub record_json: Option<Vec<u8>>,
    /// What the second check of the last page says when the record is not embedded.
    pub withheld_check: &'static str,
    /// The custody lines shown and embedded.
    pub history: Vec<LogLine>,
    /// The versions up to the one reported.
    pub versions: Vec<VersionInfo>,
    /// Where the bytes of each of `t.attachments` are read, in the same order.
    pub media: Vec<MediaRef>,
    /// Who sent a received record and how it came: empty for the vault's own.
    pub provenance: Vec<Row>,
    pub notice: String,
    pub title: String,
    pub trusted_comment: String,
}

#[derive(Serialize)]
struct Data {
    #[serde(flatten)]
    common: Common,
    header: Vec<Row>,
    provenance: Vec<Row>,
    notice: String,
    consent: Vec<Row>,
    sealed_consent: Vec<Row>,
    sections: Vec<SectionOut>,
    narrative: String,
    versions: Vec<VersionRow>,
    recordings: Vec<Recording>,
    attachments: Vec<Attachment>,
}

#[derive(Serialize)]
struct VersionRow {
    version: u32,
    when: String,
    changed: String,
    reason: String,
}

#[derive(Serialize)]
struct Recording {
    name: String,
    duration: String,
    sha256: String,
    markers: Vec<MarkerRow>,
}

#[derive(Serialize)]
struct MarkerRow {
    time: String,
    section: String,
    note: String,
}

#[derive(Serialize)]
struct Attachment {
    name: String,
    rows: Vec<Row>,
    image: String,
    image_note: String,
}

/// Lays out and signs the report of `s`.
pub(crate) fn render(
    vault: &mut Vault,
    s: Subject,
    options: &Options,
    verification: &VerifyReport,
) -> Result<Report> {
    let Subject {
        t,
        labels,
        identifying,
        record_json,
        withheld_check,
        history,
        versions,
        media,
        provenance,
        notice,
        title,
        trusted_comment,
    } = s;
    let template = kua_core::template::find_version(&t.template, t.template_version)
        .or_else(|| kua_core::template::find(&t.template))
        .ok_or_else(|| kua_core::Error::TemplateNotFound(t.template.clone()))?;
    let printer = Printer {
        labels,
        identifying,
        template,
        latest: kua_core::template::find(&t.template),
        annex: t
            .attachments
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i + 1))
            .collect(),
    };
    let mut common = Common::new(
        vault,
        labels,
        options,
        title,
        format!(
            "Kua · {} · v{} · {}",
            t.id,
            t.version,
            t.content_hash.get(..16).unwrap_or_default()
        ),
        &t.content_hash,
        &history,
        verification,
    )?;
    if record_json.is_some() {
        common.checks = common::checks(
            labels,
            &labels.get("check_record"),
            "pdfdetach -saveall REPORT.pdf && sha256sum record.json",
        );
        common.embed(
            "record.json",
            "The sealed version as hashed (canonical JSON)",
        );
        common.embedded_note = labels.get("embedded");
    } else {
        common.checks = common::checks(labels, &labels.get(withheld_check), "");
        common.embedded_note = labels.get("embedded_anonymous");
    }
    common.embed("custody.json", "The custody log entries of this testimony");

    let version_rows = versions
        .iter()
        .map(|v| VersionRow {
            version: v.version,
            when: match &v.sealed_at {
                Some(s) => time(labels.lang, s),
                None => format!(
                    "{} ({})",
                    time(labels.lang, &v.updated_at),
                    labels.get("draft")
                ),
            },
            changed: v
                .changed
                .iter()
                .map(|c| change_label(&printer, labels, c))
                .chain(
                    v.marks
                        .iter()
                        .map(|m| crate::bodymap::change_text(m, labels)),
                )
                .collect::<Vec<_>>()
                .join(", "),
            // A reason may say what was corrected ("the surname is Ivanova").
            reason: match (&v.amendment_reason, identifying) {
                (None, _) => String::new(),
                (Some(_), Identifying::Withheld) => labels.withheld(),
                (Some(r), Identifying::Shown) => r.clone(),
            },
        })
        .collect();

    let mut job = crate::world::Job::new(TEMPLATE, options.made_at)?;
    crate::bodymap::add_drawings(&mut job)?;
    let mut recordings = Vec::new();
    let mut attachments = Vec::new();
    for (i, (a, media)) in t.attachments.iter().zip(&media).enumerate() {
        if a.media_type.starts_with("audio/") {
            recordings.push(Recording {
                name: shown_name(a, identifying),
                duration: duration(vault, media, a)?,
                sha256: a.sha256.clone(),
                markers: a
                    .markers
                    .iter()
                    .map(|m| MarkerRow {
                        time: clock(m.at_ms),
                        section: m
                            .section
                            .as_ref()
                            .map(|s| {
                                template
                                    .sections
                                    .iter()
                                    .find(|x| &x.id == s)
                                    .map(|x| x.title.get(labels.lang).to_string())
                                    .unwrap_or_else(|| s.clone())
                            })
                            .unwrap_or_default(),
                        // A note typed while a witness speaks may hold a name.
                        note: match (&m.note, identifying) {
                            (Some(_), Identifying::Withheld) => labels.withheld(),
                            (Some(n), Identifying::Shown) => n.clone(),
                            (None, _) => String::new(),
                        },
                    })
                    .collect(),
            });
        }
        let mut rows = vec![
            Row::text(labels.get("att_type"), a.media_type.clone()),
            Row::text(
                labels.get("att_size"),
                format!("{} {}", a.size, labels.get("bytes")),
            ),
            Row::mono(labels.get("att_sha256"), a.sha256.clone()),
        ];
        // A received file's addition time is the sender's and does not travel.
        if !a.added_at.is_empty() {
            rows.push(Row::text(
                labels.get("att_added"),
                time(labels.lang, &a.added_at),
            ));
        }
        if let Some(c) = &a.captured_at {
            rows.push(Row::text(labels.get("att_captured"), date(labels.lang, c)));
        }
        let (image, image_note) = match image_file(vault, media, a, identifying)? {
            ImageFile::Shown(bytes) => {
                let path = format!("/img/{i}.jpg");
                job.file(&path, bytes)?;
                (path, String::new())
            }
            ImageFile::Withheld => (String::new(), labels.image_withheld()),
            ImageFile::TooLarge => (String::new(), labels.get("image_too_large")),
            ImageFile::NotAnImage => (String::new(), String::new()),
        };
        attachments.push(Attachment {
            name: shown_name(a, identifying),
            rows,
            image,
            image_note,
        });
    }

    let data = Data {
        header: header(&t, labels, &common, identifying),
        provenance,
        notice,
        consent: consent_rows(t.consent.as_ref(), labels, identifying),
        sealed_consent: if t.sealed_consent != t.consent {
            consent_rows(t.sealed_consent.as_ref(), labels, identifying)
        } else {
            Vec::new()
        },
        sections: printer.sections(&t.fields),
        narrative: t.narrative.clone(),
        versions: version_rows,
        recordings,
        attachments,
        common,
    };
    if let Some(json) = record_json {
        job.file("/embed/record.json", json)?;
    }
    job.file("/embed/custody.json", common::to_json(&history)?)?;
    let qr = data.common.qr_text.clone();
    crate::finish(
        vault,
        job,
        &data,
        &qr,
        &format!("kua-report-{}-v{}", t.id, t.version),
        &trusted_comment,
        t.id.clone(),
        Some(t.version),
    )
}

/// An attachment's name as the report prints it: an anonymous report names a file by
/// its hash, as a redacted bundle does (a file name such as "Ivanova-back.jpg" names
/// the person).
pub(crate) fn shown_name(a: &kua_core::model::AttachmentInfo, identifying: Identifying) -> String {
    match identifying {
        Identifying::Shown => a.name.clone(),
        Identifying::Withheld => format!("attachment-{}", a.sha256.get(..12).unwrap_or("")),
    }
}

fn header(t: &Testimony, labels: Labels, common: &Common, identifying: Identifying) -> Vec<Row> {
    let template = kua_core::template::find(&t.template)
        .map(|x| format!("{} (v{})", x.title.get(labels.lang), t.template_version))
        .unwrap_or_else(|| format!("{} (v{})", t.template, t.template_version));
    vec![
        Row::mono(labels.get("testimony_id"), t.id.clone()),
        Row::text(labels.get("version"), t.version.to_string()),
        Row::text(labels.get("created_at"), time(labels.lang, &t.created_at)),
        Row::text(
            labels.get("sealed_at"),
            t.sealed_at
                .as_deref()
                .map(|s| time(labels.lang, s))
                .unwrap_or_default(),
        ),
        Row::mono(labels.get("content_hash"), t.content_hash.clone()),
        Row::text(labels.get("template"), template),
        Row::text(labels.get("record_language"), t.language.clone()),
        Row::text(
            labels.get("interviewer"),
            // Redaction pseudonymises the interviewer too: a name can point to a
            // region, an organisation and from there to the person.
            match (&t.interviewer, identifying) {
                (None, _) => labels.get("not_recorded"),
                (Some(_), Identifying::Withheld) => labels.withheld(),
                (Some(i), Identifying::Shown) => i.clone(),
            },
        ),
        Row::mono(labels.get("key_id"), common.key_id.clone()),
        Row::mono(labels.get("fingerprint"), common.fingerprint.clone()),
    ]
}

fn consent_rows(
    consent: Option<&kua_core::model::Consent>,
    labels: Labels,
    identifying: Identifying,
) -> Vec<Row> {
    let Some(c) = consent else {
        return vec![Row::text(labels.get("consent"), labels.get("consent_none"))];
    };
    let enum_code = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let method = enum_code(serde_json::to_value(c.method).unwrap_or_default());
    let scope = c
        .scope
        .iter()
        .map(|s| {
            labels.get(&format!(
                "scope_{}",
                enum_code(serde_json::to_value(s).unwrap_or_default())
            ))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut rows = vec![
        Row::text(
            labels.get("consent_given_at"),
            date(labels.lang, &c.given_at),
        ),
        Row::text(
            labels.get("consent_method"),
            labels.get(&format!("method_{method}")),
        ),
        Row::text(
            labels.get("consent_recorded_by"),
            match (&c.recorded_by, identifying) {
                (None, _) => labels.get("not_recorded"),
                (Some(_), Identifying::Withheld) => labels.withheld(),
                (Some(r), Identifying::Shown) => r.clone(),
            },
        ),
        Row::text(labels.get("consent_scope"), scope),
        Row::text(labels.get("consent_anonymous"), labels.yes_no(c.anonymous)),
    ];
    if let Some(cond) = &c.conditions {
        // Conditions may name who must not learn of the account.
        let value = match identifying {
            Identifying::Withheld => labels.withheld(),
            Identifying::Shown => cond.clone(),
        };
        rows.push(Row::text(labels.get("consent_conditions"), value));
    }
    if let Some(w) = &c.withdrawn_at {
        rows.push(Row::text(
            labels.get("consent_withdrawn"),
            date(labels.lang, w),
        ));
    }
    rows
}

/// What `VersionInfo::changed` holds when two versions cannot be compared (a received
/// version whose predecessor is not here, or was redacted for other recipients).
pub(crate) const NOT_COMPARABLE: &str = "not_comparable";

/// What an amendment changed, in the report's words: a field's label, or the account,
/// the attachments, the consent.
fn change_label(printer: &Printer, labels: Labels, change: &str) -> String {
    match change {
        "narrative" => labels.get("narrative"),
        "attachments" => labels.get("attachments_changed"),
        "consent" => labels.get("consent"),
        "language" => labels.get("record_language"),
        NOT_COMPARABLE => labels.get("changes_not_comparable"),
        id => printer
            .template
            .field(id)
            .map(|f| f.label.get(labels.lang).to_string())
            .unwrap_or_else(|| id.to_string()),
    }
}

/// Milliseconds as h:mm:ss.
pub(crate) fn clock(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}
