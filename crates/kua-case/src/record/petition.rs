//! Petitions and their decisions, alone or with their paper.

use super::{check_document, document, store, unknown};
use crate::checks::{self, SHORT, TEXT};
use crate::course::course;
use crate::entry::{self, kind};
use crate::error::{Error, Result};
use kua_core::{Progress, Vault};
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
