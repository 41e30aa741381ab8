//! Recording in a case: each function checks its input against the case as it stands
//! and the course table, then appends one entry. Nothing is ever rewritten: a
//! correction, a decision, a new text of a note are entries of their own.

mod petition;
mod step;

pub use petition::{decide_petition, petition, with_document, WithDocument};
pub use step::{step, step_with_document};

use crate::checks::{self, NOTE, SHORT, TEXT};
use crate::course::course;
use crate::entry::{self, kind};
use crate::error::{Error, Result};
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
