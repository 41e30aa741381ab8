//! The report of a lawyer's case: the course of the complaint, petitions, evidence to
//! preserve and documents, with the case's custody lines. Privileged notes are never
//! read for it: the file is folded without them.

use crate::common::{self, Common};
use crate::labels::{date, time, Labels};
use crate::values::Row;
use crate::{Options, Report};
use kua_case::{course, Course};
use kua_core::Vault;
use serde::Serialize;
use sha2::Digest;

const TEMPLATE: &str = include_str!("../../../assets/reports/case.typ");

#[derive(Serialize)]
struct Data {
    #[serde(flatten)]
    common: Common,
    header: Vec<Row>,
    steps: Vec<StepRow>,
    petitions: Vec<PetitionRow>,
    evidence: Vec<EvidenceRow>,
    documents: Vec<DocumentRow>,
    unreadable: Vec<String>,
}

#[derive(Serialize)]
struct StepRow {
    date: String,
    step: String,
    body: String,
    reference: String,
    outcome: String,
}

#[derive(Serialize)]
struct PetitionRow {
    filed: String,
    kind: String,
    asked: String,
    due: String,
    decision: String,
}

#[derive(Serialize)]
struct EvidenceRow {
    kind: String,
    what: String,
    status: String,
}

#[derive(Serialize)]
struct DocumentRow {
    name: String,
    rows: Vec<Row>,
}

/// Makes the report of case `id` (an own case or a received one) and signs it.
/// `options.version` and `options.full` do not apply to cases.
pub fn case(vault: &mut Vault, id: &str, options: &Options) -> Result<Report, crate::Error> {
    let _evict = crate::Evict;
    let labels = Labels::new(&options.lang)?;
    let lang = labels.lang;
    // Folded without privileged notes: the report never reads them.
    let file = kua_case::show(vault, id, false)?;
    let c = course();
    let label = |list: &[kua_case::course::Coded], code: &str| {
        Course::label(list, code, lang)
            .map(str::to_string)
            .unwrap_or_else(|| code.to_string())
    };
    let step_label = |code: &str| {
        c.step(code)
            .ok()
            .and_then(|s| s.label.get(lang).or_else(|| s.label.get("en")))
            .cloned()
            .unwrap_or_else(|| code.to_string())
    };
    let case_json = common::to_json(&file)?;
    let case_sha = crate::hex(&sha2::Sha256::digest(&case_json));
    let history = common::history(vault, &file.id)?;
    let verification = vault.verify_quietly()?;
    let mut common = Common::new(
        vault,
        labels,
        options,
        labels.get("case_report_title"),
        format!("Kua · {} · {}", file.id, &case_sha[..16]),
        &case_sha,
        &history,
        &verification,
    )?;
    common.checks = common::checks(
        labels,
        &labels.get("case_check_record"),
        "pdfdetach -saveall REPORT.pdf && sha256sum case.json",
    );
    common.embed(
        "case.json",
        "The case file as the report shows it, without privileged notes",
    );
    common.embed("custody.json", "The custody log entries of this case");
    common.embedded_note = labels.get("case_embedded");

    let not_recorded = labels.get("not_recorded");
    let header = vec![
        Row::mono(labels.get("case_id"), file.id.clone()),
        Row::text(
            labels.get("case_title"),
            file.title.clone().unwrap_or_else(|| not_recorded.clone()),
        ),
        Row::mono(labels.get("case_client"), file.client.clone()),
        Row::text(labels.get("case_opened"), date(lang, &file.opened)),
        Row::text(labels.get("case_state"), label(&c.states, &file.state)),
        Row::mono(labels.get("case_testimonies"), file.testimonies.join("\n")),
        Row::mono(labels.get("content_hash"), case_sha.clone()),
        Row::mono(labels.get("key_id"), common.key_id.clone()),
        Row::mono(labels.get("fingerprint"), common.fingerprint.clone()),
    ];
    let steps = file
        .steps
        .iter()
        .map(|s| {
            let mut step = step_label(&s.step.step);
            if s.voided {
                step = format!("{step} ({})", labels.get("case_voided"));
            }
            let mut outcome = Vec::new();
            if let Some(g) = &s.step.ground {
                outcome.push(label(&c.grounds, g));
            }
            if let Some(o) = &s.step.outcome {
                outcome.push(label(&c.outcomes, o));
            }
            if let Some(n) = &s.step.note {
                outcome.push(n.clone());
            }
            StepRow {
                date: date(lang, &s.step.date),
                step,
                body: s.step.body.clone().unwrap_or_default(),
                reference: [s.step.number.as_deref(), s.step.article.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                outcome: outcome.join("; "),
            }
        })
        .collect();
    let petitions = file
        .petitions
        .iter()
        .map(|p| PetitionRow {
            filed: date(lang, &p.petition.filed),
            kind: label(&c.petition_kinds, &p.petition.kind),
            asked: p.petition.asked.clone(),
            due: date(lang, &p.due_date),
            decision: p
                .decision
                .as_ref()
                .map(|d| {
                    format!(
                        "{}, {}",
                        label(&c.petition_decisions, &d.decision.decision),
                        date(lang, &d.decision.date)
                    )
                })
                .unwrap_or_default(),
        })
        .collect();
    let evidence = file
        .evidence
        .iter()
        .map(|e| EvidenceRow {
            kind: label(&c.evidence_kinds, &e.evidence.kind),
            what: e.evidence.what.clone(),
            status: label(&c.evidence_statuses, &e.status),
        })
        .collect();
    // Own cases hold their documents; a received case's documents are listed by what
    // its file says of them.
    let held = match vault.case_documents(&file.id) {
        Ok(held) => held,
        Err(kua_core::Error::CaseNotFound(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let documents = file
        .documents
        .iter()
        .map(|d| {
            let a = held.iter().find(|a| a.id == d.document.attachment);
            let mut rows = vec![Row::text(
                labels.get("att_type"),
                label(&c.document_kinds, &d.document.kind),
            )];
            if let Some(day) = &d.document.date {
                rows.push(Row::text(labels.get("case_date"), date(lang, day)));
            }
            if let Some(a) = a {
                rows.push(Row::text(labels.get("att_name"), a.name.clone()));
                rows.push(Row::text(
                    labels.get("att_size"),
                    format!("{} {}", a.size, labels.get("bytes")),
                ));
                rows.push(Row::mono(labels.get("att_sha256"), a.sha256.clone()));
                rows.push(Row::text(labels.get("att_added"), time(lang, &a.added_at)));
            }
            DocumentRow {
                name: d
                    .document
                    .title
                    .clone()
                    .or_else(|| a.map(|a| a.name.clone()))
                    .unwrap_or_else(|| d.document.attachment.clone()),
                rows,
            }
        })
        .collect();
    let mut job = crate::world::Job::new(TEMPLATE, options.made_at)?;
    job.file("/embed/case.json", case_json)?;
    job.file("/embed/custody.json", common::to_json(&history)?)?;
    let qr = case_sha.clone();
    let data = Data {
        common,
        header,
        steps,
        petitions,
        evidence,
        documents,
        unreadable: file.unreadable.clone(),
    };
    let trusted = format!("kua case report {} case file sha256 {}", file.id, case_sha);
    crate::finish(
        vault,
        job,
        &data,
        &qr,
        &format!("kua-case-report-{}", file.id),
        &trusted,
        file.id.clone(),
        None,
    )
}
