//! Kua's case files for lawyers (issue #13): per client, the course of the torture
//! complaint with its decisions and deadlines, the petitions and their fate, the
//! evidence to preserve (the CCTV nobody requested), the circumstances not examined,
//! privileged notes and the case's documents.
//!
//! The vault keeps a case as append-only entries (`kua_core::CaseEntry`); this crate
//! says what they mean. The course itself is data: `assets/cases/course.json`, read by
//! `course`. Recording (`record`) checks each entry against the case as it stands;
//! reading (`file`) folds the entries into a case file; `deadlines` says what falls
//! due. Front ends call the functions here with an unlocked `Vault`.

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod checks;
pub mod course;
pub mod deadlines;
pub mod entry;
mod error;
pub mod file;
pub mod outcomes;
pub mod record;

pub use course::{course, Course};
pub use deadlines::{Deadline, DueKind, DueStatus};
pub use error::{Error, Result};
pub use file::{CaseFile, Notes};
pub use outcomes::{outcomes, Outcomes};

use chrono::NaiveDate;
use kua_core::Vault;
use serde::{Deserialize, Serialize};

/// A case in the list: whom it is for, where its course stands, what falls due next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseSummary {
    pub id: String,
    /// The sender a received case came from (its name); None for the vault's own.
    pub from: Option<String>,
    pub client: String,
    pub title: Option<String>,
    pub opened: String,
    pub state: String,
    /// The date of the latest step of the course, if any.
    pub since: Option<String>,
    pub next_deadline: Option<Deadline>,
    pub overdue: u32,
    pub open_petitions: u32,
}

/// Today as the user's calendar has it: the local date, the day deadlines fall due on.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A case's file; `privileged` shows the notes' text (otherwise they are counted).
pub fn show(vault: &mut Vault, id: &str, privileged: bool) -> Result<CaseFile> {
    let rows = match vault.case_entries(id) {
        Ok(rows) => rows,
        Err(kua_core::Error::CaseNotFound(_)) => return show_received(vault, id, privileged),
        Err(e) => return Err(e.into()),
    };
    let case = rows
        .entries
        .first()
        .map(|e| e.case.clone())
        .unwrap_or_else(|| id.trim().to_string());
    let mut f = file::fold(&case, &rows.entries, privileged);
    f.unreadable.extend(rows.unreadable);
    // A document whose describing entry was never written (the process stopped between
    // the file and its entry) is still the case's: listed, as "other".
    for a in vault.case_documents(&case)? {
        if !f.documents.iter().any(|d| d.document.attachment == a.id) {
            f.documents.push(file::DocumentView {
                entry: String::new(),
                document: entry::Document {
                    attachment: a.id,
                    kind: "other".into(),
                    title: Some(a.name),
                    date: None,
                },
            });
        }
    }
    Ok(f)
}

/// The copy of each received case this vault shows and counts: the one with the most
/// entries, a tie going to the smallest sender key id, so that the list, the case
/// screen and the counts all speak of the same copy and name the same sender.
pub(crate) fn received_copies(
    vault: &mut Vault,
) -> Result<std::collections::BTreeMap<String, kua_core::ReceivedCase>> {
    let mut out: std::collections::BTreeMap<String, kua_core::ReceivedCase> = Default::default();
    for r in vault.received_cases()? {
        let better = |old: &kua_core::ReceivedCase| {
            (r.case.entries.len(), std::cmp::Reverse(&r.sender_key_id))
                > (
                    old.case.entries.len(),
                    std::cmp::Reverse(&old.sender_key_id),
                )
        };
        if out.get(&r.case.id).is_none_or(better) {
            out.insert(r.case.id.clone(), r);
        }
    }
    Ok(out)
}

/// A case received in a bundle, as its chosen copy tells it (read-only).
fn show_received(vault: &mut Vault, id: &str, privileged: bool) -> Result<CaseFile> {
    let r = received_copies(vault)?
        .remove(id.trim())
        .ok_or_else(|| kua_core::Error::CaseNotFound(id.to_string()))?;
    let mut f = file::fold(&r.case.id, &r.case.entries, privileged);
    if f.client.is_empty() {
        f.client.clone_from(&r.case.client);
        f.testimonies.insert(0, r.case.client.clone());
    }
    for (attachment, d) in r.case.documents {
        if !f
            .documents
            .iter()
            .any(|x| x.document.attachment == attachment)
        {
            f.documents.push(file::DocumentView {
                entry: String::new(),
                document: entry::Document {
                    attachment,
                    kind: "other".into(),
                    title: Some(d.name),
                    date: None,
                },
            });
        }
    }
    Ok(f)
}

/// Every case, most urgent first (overdue, then the nearest deadline), then by when
/// it was opened.
pub fn list(vault: &mut Vault, today: NaiveDate) -> Result<Vec<CaseSummary>> {
    let mut out = Vec::new();
    for id in vault.case_ids()? {
        let f = show(vault, &id, false)?;
        let due = deadlines::of_case(&f, today);
        out.push(CaseSummary {
            from: None,
            since: f.main_steps().last().map(|s| s.step.date.clone()),
            overdue: due
                .iter()
                .filter(|d| d.status == DueStatus::Overdue)
                .count() as u32,
            open_petitions: f.petitions.iter().filter(|p| p.decision.is_none()).count() as u32,
            next_deadline: due.into_iter().next(),
            id: f.id,
            client: f.client,
            title: f.title,
            opened: f.opened,
            state: f.state,
        });
    }
    // Received cases are read-only: listed with their sender, no deadlines (they are
    // the sender's to keep).
    for r in received_copies(vault)?.into_values() {
        if out.iter().any(|c| c.id == r.case.id) {
            continue;
        }
        let f = file::fold(&r.case.id, &r.case.entries, false);
        out.push(CaseSummary {
            from: Some(r.sender_name.clone()),
            since: f.main_steps().last().map(|s| s.step.date.clone()),
            overdue: 0,
            open_petitions: 0,
            next_deadline: None,
            id: r.case.id.clone(),
            client: r.case.client.clone(),
            title: f.title,
            opened: r.imported_at.clone(),
            state: f.state,
        });
    }
    out.sort_by(|a, b| {
        let key = |s: &CaseSummary| s.next_deadline.as_ref().map_or(i64::MAX, |d| d.days);
        key(a)
            .cmp(&key(b))
            .then(a.opened.cmp(&b.opened))
            .then(a.id.cmp(&b.id))
    });
    Ok(out)
}

/// Every open deadline of every case, the most overdue first.
pub fn deadlines(vault: &mut Vault, today: NaiveDate) -> Result<Vec<Deadline>> {
    let mut out = Vec::new();
    for id in vault.case_ids()? {
        let f = show(vault, &id, false)?;
        out.extend(deadlines::of_case(&f, today));
    }
    deadlines::sort(&mut out);
    Ok(out)
}
