//! Recording in a case: each function checks its input against the case as it stands
//! and the course table, then appends one entry. Nothing is ever rewritten: a
//! correction, a decision, a new text of a note are entries of their own.

use crate::checks::{self, NOTE, SHORT, TEXT};
use crate::course::{course, Track};
use crate::entry::{self, kind};
use crate::error::{Error, Result};
use crate::file::CaseFile;
use kua_core::{Progress, Vault};

fn json<T: serde::Serialize>(data: &T) -> Result<serde_json::Value> {
    serde_json::to_value(data).map_err(|e| kua_core::Error::Storage(e.to_string()).into())
}

fn store<T: serde::Serialize>(
    vault: &mut Vault,
    case: &str,
    kind: &str,
    privileged: bool,
    data: &T,
) -> Result<String> {
    let item = kua_core::NewCaseEntry {
        kind: kind.to_string(),
        privileged,
        data: json(data)?,
    };
    let stored = vault.add_case_entries(case, vec![item])?;
    Ok(stored.first().map(|e| e.id.clone()).unwrap_or_default())
}

fn unknown(kind: &str, id: &str) -> Error {
    Error::UnknownEntry {
        kind: kind.to_string(),
        id: id.to_string(),
    }
}

/// Whether `id` is an own testimony or a received record of this vault; its id as the
/// vault writes it.
pub(crate) fn known_record(vault: &mut Vault, id: &str) -> Result<String> {
    match vault.show(id, None) {
        Ok(t) => return Ok(t.id),
        Err(kua_core::Error::TestimonyNotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    match vault.show_received(id, None, None) {
        Ok(r) => Ok(r.record.id),
        Err(kua_core::Error::ReceivedAmbiguous { id, .. }) => Ok(id),
        Err(kua_core::Error::TestimonyNotFound(_)) => Err(Error::UnknownClient(id.to_string())),
        Err(e) => Err(e.into()),
    }
}

fn check_document(vault: &mut Vault, case: &str, document: Option<&str>) -> Result<()> {
    let Some(d) = document else { return Ok(()) };
    if vault.case_documents(case)?.iter().any(|a| a.id == d.trim()) {
        Ok(())
    } else {
        Err(Error::UnknownDocument(d.to_string()))
    }
}

/// Opens a case for a client (a testimony of this vault, or a received record).
pub fn open(vault: &mut Vault, client: &str, title: Option<String>) -> Result<String> {
    let client = known_record(vault, client)?;
    let title = checks::optional("title", title, SHORT)?;
    let data = serde_json::to_value(entry::Opened { client, title })
        .map_err(|e| kua_core::Error::Storage(e.to_string()))?;
    Ok(vault.open_case(kind::OPENED, data)?.case)
}

/// Records a step of the course, a complaint beside it, its decision, or a correction.
pub fn step(vault: &mut Vault, case: &str, input: entry::Step) -> Result<String> {
    let s = checked_step(vault, case, input)?;
    store_step(vault, case, s)
}

/// Stores a checked step as its course entry and, when it has any, its details right
/// after it, in one transaction.
fn store_step(vault: &mut Vault, case: &str, s: entry::Step) -> Result<String> {
    let (course_part, detail) = s.split();
    let mut items = vec![kua_core::NewCaseEntry {
        kind: kind::STEP.into(),
        privileged: false,
        data: json(&course_part)?,
    }];
    if let Some(d) = detail {
        items.push(kua_core::NewCaseEntry {
            kind: kind::STEP_DETAIL.into(),
            privileged: false,
            data: json(&d)?,
        });
    }
    let stored = vault.add_case_entries(case, items)?;
    Ok(stored.first().map(|e| e.id.clone()).unwrap_or_default())
}

/// Records a step with its decision as a file: the step is checked first, so that a
/// step the course refuses leaves no document behind; then the file goes in as the
/// case's document and the step names it.
pub fn step_with_document(
    vault: &mut Vault,
    case: &str,
    input: entry::Step,
    source: &mut (dyn std::io::Read + Send),
    name: &str,
    progress: &mut dyn Progress,
) -> Result<String> {
    let mut s = checked_step(
        vault,
        case,
        entry::Step {
            document: None,
            ..input
        },
    )?;
    let doc = entry::Document {
        kind: "decision".into(),
        date: Some(s.date.clone()),
        ..entry::Document::default()
    };
    let (_, info) = document(vault, case, source, name, doc, progress)?;
    s.document = Some(info.id);
    store_step(vault, case, s)
}

/// A step as it will be stored, checked against the case and the course.
fn checked_step(vault: &mut Vault, case: &str, input: entry::Step) -> Result<entry::Step> {
    let f = crate::show(vault, case, false)?;
    let c = course();
    let kind = c.step(input.step.trim())?;
    let date = checks::day("date", &input.date)?;
    let mut s = entry::Step {
        step: kind.code.clone(),
        date: date.format("%Y-%m-%d").to_string(),
        body: checks::optional("body", input.body, SHORT)?,
        number: checks::optional("number", input.number, SHORT)?,
        article: checks::optional("article", input.article, SHORT)?,
        document: checks::optional("document", input.document, SHORT)?,
        deadline: checks::canonical_day("deadline", input.deadline)?,
        ground: checks::optional("ground", input.ground, SHORT)?,
        outcome: checks::optional("outcome", input.outcome, SHORT)?,
        note: checks::optional("note", input.note, TEXT)?,
        corrects: checks::optional("corrects", input.corrects, SHORT)?,
        void: input.void,
        answers: checks::optional("answers", input.answers, SHORT)?,
    };
    checks::day_after("deadline", s.deadline.as_deref(), "the step's date", date)?;
    match s.corrects.clone() {
        Some(target) => {
            check_correction(&f, &s, &target)?;
            // A correction changes what was decided, never which complaint it answers.
            s.answers = f.step(&target).and_then(|o| o.step.answers.clone());
        }
        None => {
            check_transition(&f, kind, date)?;
            s.answers = answered(&f, kind, s.answers.take())?;
        }
    }
    for need in &kind.needs {
        let given = match need.as_str() {
            "ground" => s.ground.is_some(),
            _ => s.outcome.is_some(),
        };
        if !given && !s.void {
            return Err(Error::MissingField {
                step: kind.code.clone(),
                field: need.clone(),
            });
        }
    }
    if let Some(g) = &s.ground {
        checks::code(&c.grounds, "ground", g)?;
    }
    if let Some(o) = &s.outcome {
        checks::code(&c.outcomes, "outcome", o)?;
        if !kind.outcomes.is_empty() && !kind.outcomes.contains(o) {
            return Err(Error::UnknownCode {
                field: format!("outcome of {}", kind.code),
                code: o.clone(),
                known: kind.outcomes.clone(),
            });
        }
    }
    check_document(vault, case, s.document.as_deref())?;
    if s.void && s.corrects.is_none() {
        return Err(Error::BadCorrection(
            "only a correction (--corrects ENTRY) can void a step".into(),
        ));
    }
    let detailed =
        s.body.is_some() || s.number.is_some() || s.document.is_some() || s.note.is_some();
    if s.void && detailed {
        return Err(Error::BadCorrection(
            "a void carries no details: it only marks the step as recorded by mistake".into(),
        ));
    }
    Ok(s)
}

fn check_transition(
    f: &CaseFile,
    kind: &crate::course::StepKind,
    date: chrono::NaiveDate,
) -> Result<()> {
    let impossible = || Error::ImpossibleStep {
        step: kind.code.clone(),
        state: f.state.clone(),
        allowed: course().allowed_from(&f.state),
    };
    if !kind.from.is_empty() && !kind.from.contains(&f.state) {
        return Err(impossible());
    }
    // An appeal of a judge's ruling needs the ruling: a complaint to the judge that
    // was decided.
    if !kind.after.is_empty()
        && !f
            .steps
            .iter()
            .any(|s| !s.voided && !s.open && kind.after.contains(&s.step.step))
    {
        return Err(impossible());
    }
    if kind.track == Track::Main {
        if let Some(last) = f.main_steps().last() {
            checks::day_after(
                "date",
                Some(&date.format("%Y-%m-%d").to_string()),
                "the previous step's date",
                checks::day("date", &last.step.date)?,
            )?;
        }
    }
    Ok(())
}

/// The complaint a decision answers: the one named, which must be open and of a kind
/// the step decides, or the only such open one. None for a step that answers nothing.
fn answered(
    f: &CaseFile,
    kind: &crate::course::StepKind,
    named: Option<String>,
) -> Result<Option<String>> {
    if kind.answers.is_empty() {
        return Ok(None);
    }
    let open: Vec<&str> = f
        .open_complaints()
        .filter(|o| kind.answers.contains(&o.step.step))
        .map(|o| o.entry.as_str())
        .collect();
    match (named, open.as_slice()) {
        (Some(n), _) if open.contains(&n.as_str()) => Ok(Some(n)),
        (Some(n), _) => Err(unknown("open complaint", &n)),
        (None, [one]) => Ok(Some(one.to_string())),
        (None, []) => Err(Error::NoOpenComplaint {
            step: kind.code.clone(),
        }),
        (None, many) => Err(Error::AmbiguousComplaint {
            step: kind.code.clone(),
            open: many.iter().map(|s| s.to_string()).collect(),
        }),
    }
}

fn check_correction(f: &CaseFile, s: &entry::Step, target: &str) -> Result<()> {
    let old = f
        .step(target)
        .filter(|o| !o.voided)
        .ok_or_else(|| unknown("step", target))?;
    if old.step.step != s.step {
        return Err(Error::BadCorrection(format!(
            "a correction keeps the step ({}); to record that something else happened, void this step and record the right one",
            old.step.step
        )));
    }
    if s.void {
        let latest_main = f.main_steps().last().map(|m| m.entry.as_str());
        let voidable = match old.track {
            Track::Main => latest_main == Some(target),
            Track::Beside => true,
        };
        if !voidable {
            return Err(Error::BadCorrection(
                "only the latest step of the course can be voided; correct its fields instead"
                    .into(),
            ));
        }
        let decided = f
            .steps
            .iter()
            .any(|x| !x.voided && x.step.answers.as_deref() == Some(target));
        // A ruling that was appealed stays until the appeal is voided (the appeal needs
        // it: CPC art. 107).
        let at = f.steps.iter().position(|x| x.entry == target).unwrap_or(0);
        let complaint = old
            .step
            .answers
            .as_deref()
            .and_then(|c| f.step(c))
            .map(|c| c.step.step.clone());
        let appealed = complaint.is_some_and(|kind| {
            f.steps[at..].iter().any(|x| {
                !x.voided
                    && course()
                        .step(&x.step.step)
                        .is_ok_and(|k| k.after.contains(&kind))
            })
        });
        if appealed {
            return Err(Error::BadCorrection(
                "this ruling was appealed; void the appeal first".into(),
            ));
        }
        if decided {
            return Err(Error::BadCorrection(
                "this complaint has a decision; void the decision first".into(),
            ));
        }
    }
    Ok(())
}

/// Records a petition; its decision is due 3 days after filing unless `due` says.
pub fn petition(vault: &mut Vault, case: &str, input: entry::Petition) -> Result<String> {
    let p = checked_petition(vault, case, input)?;
    store(vault, case, kind::PETITION, false, &p)
}

fn checked_petition(
    vault: &mut Vault,
    case: &str,
    input: entry::Petition,
) -> Result<entry::Petition> {
    let f = crate::show(vault, case, false)?;
    let c = course();
    checks::code(&c.petition_kinds, "kind", input.kind.trim())?;
    let filed = checks::day("filed", &input.filed)?;
    let p = entry::Petition {
        kind: input.kind.trim().to_string(),
        asked: checks::required("asked", &input.asked, TEXT)?,
        to: checks::optional("to", input.to, SHORT)?,
        filed: filed.format("%Y-%m-%d").to_string(),
        due: checks::canonical_day("due", input.due)?,
        refiles: checks::optional("refiles", input.refiles, SHORT)?,
        document: checks::optional("document", input.document, SHORT)?,
    };
    checks::day_after("due", p.due.as_deref(), "the filing date", filed)?;
    if let Some(r) = &p.refiles {
        let old = f
            .petitions
            .iter()
            .find(|x| &x.entry == r)
            .ok_or_else(|| unknown("petition", r))?;
        let refused = old
            .decision
            .as_ref()
            .is_some_and(|d| d.decision.decision == "refused");
        if !refused || old.refiled_by.is_some() {
            return Err(Error::NotRefused(r.clone()));
        }
    }
    check_document(vault, case, p.document.as_deref())?;
    Ok(p)
}

/// Records the decision on a petition.
pub fn decide_petition(
    vault: &mut Vault,
    case: &str,
    input: entry::PetitionDecision,
) -> Result<String> {
    let d = checked_decision(vault, case, input)?;
    store(vault, case, kind::PETITION_DECISION, false, &d)
}

fn checked_decision(
    vault: &mut Vault,
    case: &str,
    input: entry::PetitionDecision,
) -> Result<entry::PetitionDecision> {
    let f = crate::show(vault, case, false)?;
    let p = f
        .petitions
        .iter()
        .find(|x| x.entry == input.petition.trim())
        .ok_or_else(|| unknown("petition", &input.petition))?;
    if p.decision.is_some() {
        return Err(Error::AlreadyDecided(p.entry.clone()));
    }
    checks::code(
        &course().petition_decisions,
        "decision",
        input.decision.trim(),
    )?;
    let filed = checks::day("filed", &p.petition.filed)?;
    checks::day_after("date", Some(&input.date), "the filing date", filed)?;
    let d = entry::PetitionDecision {
        petition: p.entry.clone(),
        date: checks::day("date", &input.date)?
            .format("%Y-%m-%d")
            .to_string(),
        decision: input.decision.trim().to_string(),
        note: checks::optional("note", input.note, TEXT)?,
        document: checks::optional("document", input.document, SHORT)?,
    };
    check_document(vault, case, d.document.as_deref())?;
    Ok(d)
}

/// A file given with a petition or a decision: what the entry is checked as, and the
/// kind the document is stored under.
#[derive(Debug)]
pub enum WithDocument {
    Petition(entry::Petition),
    Decision(entry::PetitionDecision),
}

/// Records a petition or a decision with its paper: checked first, so that one the
/// case refuses leaves no document behind, then the file as the case's document, then
/// the entry naming it.
pub fn with_document(
    vault: &mut Vault,
    case: &str,
    what: WithDocument,
    source: &mut (dyn std::io::Read + Send),
    name: &str,
    progress: &mut dyn Progress,
) -> Result<String> {
    let doc = |kind: &str, date: &str| entry::Document {
        kind: kind.into(),
        date: Some(date.to_string()),
        ..entry::Document::default()
    };
    match what {
        WithDocument::Petition(p) => {
            let mut p = checked_petition(
                vault,
                case,
                entry::Petition {
                    document: None,
                    ..p
                },
            )?;
            let (_, info) = document(
                vault,
                case,
                source,
                name,
                doc("petition", &p.filed),
                progress,
            )?;
            p.document = Some(info.id);
            store(vault, case, kind::PETITION, false, &p)
        }
        WithDocument::Decision(d) => {
            let mut d = checked_decision(
                vault,
                case,
                entry::PetitionDecision {
                    document: None,
                    ..d
                },
            )?;
            let (_, info) = document(
                vault,
                case,
                source,
                name,
                doc("decision", &d.date),
                progress,
            )?;
            d.document = Some(info.id);
            store(vault, case, kind::PETITION_DECISION, false, &d)
        }
    }
}

/// Records a piece of evidence to preserve.
pub fn evidence(vault: &mut Vault, case: &str, input: entry::Evidence) -> Result<String> {
    crate::show(vault, case, false)?;
    checks::code(&course().evidence_kinds, "kind", input.kind.trim())?;
    let e = entry::Evidence {
        kind: input.kind.trim().to_string(),
        what: checks::required("what", &input.what, TEXT)?,
        place: checks::optional("place", input.place, SHORT)?,
        from: checks::moment("from", input.from)?,
        to: checks::moment("to", input.to)?,
        deadline: checks::canonical_day("deadline", input.deadline)?,
        note: checks::optional("note", input.note, TEXT)?,
    };
    if let (Some(a), Some(b)) = (&e.from, &e.to) {
        if b < a {
            return Err(Error::DatesOutOfOrder {
                field: "to".into(),
                value: b.clone(),
                before: "from".into(),
                earlier: a.clone(),
            });
        }
    }
    if let Some(d) = &e.deadline {
        checks::day("deadline", d)?;
    }
    store(vault, case, kind::EVIDENCE, false, &e)
}

/// Records what became of a piece of evidence.
pub fn evidence_status(
    vault: &mut Vault,
    case: &str,
    input: entry::EvidenceStatus,
) -> Result<String> {
    let f = crate::show(vault, case, false)?;
    let item = f
        .evidence
        .iter()
        .find(|x| x.entry == input.item.trim())
        .ok_or_else(|| unknown("evidence item", &input.item))?;
    let status = input.status.trim();
    checks::code(&course().evidence_statuses, "status", status)?;
    if status == "to_request" {
        return Err(Error::BadCorrection(
            "to_request is where evidence starts; record what happened to it".into(),
        ));
    }
    checks::day("date", &input.date)?;
    if let Some(p) = input.petition.as_deref() {
        if !f.petitions.iter().any(|x| x.entry == p.trim()) {
            return Err(unknown("petition", p));
        }
    }
    let s = entry::EvidenceStatus {
        item: item.entry.clone(),
        status: status.to_string(),
        date: checks::day("date", &input.date)?
            .format("%Y-%m-%d")
            .to_string(),
        note: checks::optional("note", input.note, TEXT)?,
        petition: checks::optional("petition", input.petition, SHORT)?,
    };
    store(vault, case, kind::EVIDENCE_STATUS, false, &s)
}

/// Adds a circumstance the investigation must examine.
pub fn circumstance(vault: &mut Vault, case: &str, text: &str) -> Result<String> {
    crate::show(vault, case, false)?;
    let c = entry::Circumstance {
        text: checks::required("text", text, TEXT)?,
    };
    store(vault, case, kind::CIRCUMSTANCE, false, &c)
}

/// Marks a circumstance examined.
pub fn examined(vault: &mut Vault, case: &str, input: entry::Examined) -> Result<String> {
    let f = crate::show(vault, case, false)?;
    let c = f
        .circumstances
        .iter()
        .find(|x| x.entry == input.item.trim())
        .ok_or_else(|| unknown("circumstance", &input.item))?;
    if c.examined.is_some() {
        return Err(Error::BadCorrection(format!(
            "circumstance {} is already marked examined",
            c.entry
        )));
    }
    checks::day("date", &input.date)?;
    let x = entry::Examined {
        item: c.entry.clone(),
        date: checks::day("date", &input.date)?
            .format("%Y-%m-%d")
            .to_string(),
        note: checks::optional("note", input.note, TEXT)?,
    };
    store(vault, case, kind::EXAMINED, false, &x)
}

/// Writes a privileged note, or a new text of a draft note (`revises`: the note's id).
pub fn note(vault: &mut Vault, case: &str, input: entry::Note) -> Result<String> {
    let f = crate::show(vault, case, true)?;
    let text = checks::required("note", &input.text, NOTE)?;
    if let Some(first) = input.revises.as_deref() {
        let crate::file::Notes::Shown(notes) = &f.notes else {
            return Err(unknown("note", first));
        };
        let n = notes
            .iter()
            .find(|n| n.id == first.trim())
            .ok_or_else(|| unknown("note", first))?;
        if n.sealed {
            return Err(Error::NoteSealed(n.id.clone()));
        }
    }
    let n = entry::Note {
        text,
        revises: input.revises.map(|r| r.trim().to_string()),
        seal: input.seal,
    };
    store(vault, case, kind::NOTE, true, &n)
}

/// Seals a draft note as it stands.
pub fn seal_note(vault: &mut Vault, case: &str, note_id: &str) -> Result<String> {
    let f = crate::show(vault, case, true)?;
    let crate::file::Notes::Shown(notes) = &f.notes else {
        return Err(unknown("note", note_id));
    };
    let n = notes
        .iter()
        .find(|n| n.id == note_id.trim())
        .ok_or_else(|| unknown("note", note_id))?;
    let text = n.text.clone();
    note(
        vault,
        case,
        entry::Note {
            text,
            revises: Some(n.id.clone()),
            seal: true,
        },
    )
}

/// Links another testimony (own or received) of the client to the case.
pub fn link(vault: &mut Vault, case: &str, testimony: &str) -> Result<String> {
    let f = crate::show(vault, case, false)?;
    let id = known_record(vault, testimony)?;
    if f.testimonies.contains(&id) {
        return Err(Error::BadCorrection(format!(
            "testimony {id} is already part of this case"
        )));
    }
    store(
        vault,
        case,
        kind::LINKED,
        false,
        &entry::Linked { testimony: id },
    )
}

/// Adds a document: the file goes into the vault as the case's attachment (with its
/// evidence hash), then an entry says what it is.
pub fn document(
    vault: &mut Vault,
    case: &str,
    source: &mut (dyn std::io::Read + Send),
    name: &str,
    doc: entry::Document,
    progress: &mut dyn Progress,
) -> Result<(String, kua_core::model::AttachmentInfo)> {
    crate::show(vault, case, false)?;
    checks::code(&course().document_kinds, "kind", doc.kind.trim())?;
    if let Some(d) = &doc.date {
        checks::day("date", d)?;
    }
    let title = checks::optional("title", doc.title, SHORT)?;
    let info = vault.attach_to_case(
        case,
        source,
        kua_core::NewAttachment {
            name: name.to_string(),
            media_type: None,
            captured_at: None,
        },
        progress,
    )?;
    let d = entry::Document {
        attachment: info.id.clone(),
        kind: doc.kind.trim().to_string(),
        title,
        date: checks::canonical_day("date", doc.date)?,
    };
    let entry = store(vault, case, kind::DOCUMENT, false, &d)?;
    Ok((entry, info))
}
