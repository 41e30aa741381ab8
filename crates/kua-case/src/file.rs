//! A case as a lawyer reads it: its entries folded, in the order they were recorded,
//! into the course's state, the steps taken, the petitions and their fate, the
//! evidence and its fate, the circumstances not examined, the notes.
//!
//! Invariant: folding never fails on a stored entry. Entries were checked when they
//! were recorded (`record.rs`); one that does not read (written by a newer Kua, or
//! damaged) is listed in `unreadable` and left out, so the rest of the file still shows.

use crate::course::{course, Track};
use crate::entry::{self, kind};
use kua_core::CaseEntry;
use serde::{Deserialize, Serialize};

/// A step as the file shows it: the latest correction's fields, and its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepView {
    pub entry: String,
    pub recorded: String,
    pub track: crate::course::Track,
    /// The state the main course was in before this step, and after it.
    pub before: String,
    pub after: String,
    #[serde(flatten)]
    pub step: entry::Step,
    /// The entries that corrected this step, oldest first.
    pub corrections: Vec<String>,
    /// A correction voided this step (recorded by mistake); it stays in the file.
    pub voided: bool,
    /// A complaint beside the course still waiting for its decision.
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PetitionView {
    pub entry: String,
    pub recorded: String,
    #[serde(flatten)]
    pub petition: entry::Petition,
    /// The decision's due day (the given one, or 3 days after filing).
    pub due_date: String,
    pub decision: Option<DecisionView>,
    /// The petition that filed this one again after it was refused.
    pub refiled_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DecisionView {
    pub entry: String,
    #[serde(flatten)]
    pub decision: entry::PetitionDecision,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceView {
    pub entry: String,
    pub recorded: String,
    #[serde(flatten)]
    pub evidence: entry::Evidence,
    /// The latest status (`to_request` until one is recorded).
    pub status: String,
    pub history: Vec<StatusView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusView {
    pub entry: String,
    #[serde(flatten)]
    pub status: entry::EvidenceStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CircumstanceView {
    pub entry: String,
    pub text: String,
    pub examined: Option<entry::Examined>,
}

/// A privileged note: its latest text and every earlier one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NoteView {
    /// The entry id of its first text, which names the note.
    pub id: String,
    pub created: String,
    pub updated: String,
    pub text: String,
    pub sealed: bool,
    /// Earlier texts, oldest first, with when each was written.
    pub history: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DocumentView {
    pub entry: String,
    #[serde(flatten)]
    pub document: entry::Document,
}

/// Notes as the file carries them: a count unless privileged content was asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum Notes {
    Count(u32),
    Shown(Vec<NoteView>),
}

/// A whole case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseFile {
    pub id: String,
    pub client: String,
    pub title: Option<String>,
    pub opened: String,
    /// The current state's code in the course table.
    pub state: String,
    pub steps: Vec<StepView>,
    pub petitions: Vec<PetitionView>,
    pub evidence: Vec<EvidenceView>,
    pub circumstances: Vec<CircumstanceView>,
    pub notes: Notes,
    pub documents: Vec<DocumentView>,
    /// The client's testimony first, then the others linked to the case.
    pub testimonies: Vec<String>,
    /// Entries that did not read (kind and number), left out of the file.
    pub unreadable: Vec<String>,
}

impl CaseFile {
    pub fn step(&self, entry: &str) -> Option<&StepView> {
        self.steps.iter().find(|s| s.entry == entry)
    }

    /// The complaints beside the course still waiting for a decision.
    pub fn open_complaints(&self) -> impl Iterator<Item = &StepView> {
        self.steps.iter().filter(|s| s.open)
    }

    /// The effective steps of the main course, in order.
    pub fn main_steps(&self) -> impl Iterator<Item = &StepView> {
        self.steps
            .iter()
            .filter(|s| s.track == Track::Main && !s.voided)
    }
}

fn data<T: serde::de::DeserializeOwned>(e: &CaseEntry) -> Option<T> {
    serde_json::from_value(e.data.clone()).ok()
}

/// Folds a case's entries (in recorded order) into its file. `privileged` says whether
/// the notes' text is shown, or only counted.
pub fn fold(id: &str, entries: &[CaseEntry], privileged: bool) -> CaseFile {
    let course = course();
    let mut f = CaseFile {
        id: id.to_string(),
        client: String::new(),
        title: None,
        opened: String::new(),
        state: course.initial.clone(),
        steps: Vec::new(),
        petitions: Vec::new(),
        evidence: Vec::new(),
        circumstances: Vec::new(),
        notes: Notes::Count(0),
        documents: Vec::new(),
        testimonies: Vec::new(),
        unreadable: Vec::new(),
    };
    let mut notes: Vec<NoteView> = Vec::new();
    // The number of the last step entry and the view it changed.
    let mut last_step: Option<(u32, usize)> = None;
    for e in entries {
        let read = match e.kind.as_str() {
            kind::OPENED => data::<entry::Opened>(e).map(|o| {
                f.client = o.client.clone();
                f.title = o.title;
                f.opened = e.time.clone();
                f.testimonies.insert(0, o.client);
            }),
            kind::STEP => data::<entry::Step>(e).and_then(|s| {
                let at = fold_step(&mut f, e, s)?;
                last_step = Some((e.number, at));
                Some(())
            }),
            // Details belong to the step recorded just before them, in one transaction.
            kind::STEP_DETAIL => data::<entry::StepDetail>(e).and_then(|d| {
                let (n, at) = last_step?;
                (n + 1 == e.number).then(|| f.steps[at].step.set_detail(d))
            }),
            kind::PETITION => data::<entry::Petition>(e).map(|p| {
                if let Some(r) = &p.refiles {
                    if let Some(old) = f.petitions.iter_mut().find(|x| &x.entry == r) {
                        old.refiled_by = Some(e.id.clone());
                    }
                }
                f.petitions.push(PetitionView {
                    entry: e.id.clone(),
                    recorded: e.time.clone(),
                    due_date: crate::deadlines::petition_due(&p).unwrap_or_default(),
                    petition: p,
                    decision: None,
                    refiled_by: None,
                })
            }),
            kind::PETITION_DECISION => data::<entry::PetitionDecision>(e).and_then(|d| {
                let p = f.petitions.iter_mut().find(|p| p.entry == d.petition)?;
                p.decision = Some(DecisionView {
                    entry: e.id.clone(),
                    decision: d,
                });
                Some(())
            }),
            kind::EVIDENCE => data::<entry::Evidence>(e).map(|ev| {
                f.evidence.push(EvidenceView {
                    entry: e.id.clone(),
                    recorded: e.time.clone(),
                    evidence: ev,
                    status: "to_request".into(),
                    history: Vec::new(),
                })
            }),
            kind::EVIDENCE_STATUS => data::<entry::EvidenceStatus>(e).and_then(|s| {
                let item = f.evidence.iter_mut().find(|x| x.entry == s.item)?;
                item.status = s.status.clone();
                item.history.push(StatusView {
                    entry: e.id.clone(),
                    status: s,
                });
                Some(())
            }),
            kind::CIRCUMSTANCE => data::<entry::Circumstance>(e).map(|c| {
                f.circumstances.push(CircumstanceView {
                    entry: e.id.clone(),
                    text: c.text,
                    examined: None,
                })
            }),
            kind::EXAMINED => data::<entry::Examined>(e).and_then(|x| {
                let c = f.circumstances.iter_mut().find(|c| c.entry == x.item)?;
                c.examined = Some(x);
                Some(())
            }),
            kind::NOTE => data::<entry::Note>(e).and_then(|n| {
                match &n.revises {
                    None => notes.push(NoteView {
                        id: e.id.clone(),
                        created: e.time.clone(),
                        updated: e.time.clone(),
                        text: n.text,
                        sealed: n.seal,
                        history: Vec::new(),
                    }),
                    Some(first) => {
                        let note = notes.iter_mut().find(|x| &x.id == first)?;
                        let old = std::mem::replace(&mut note.text, n.text);
                        note.history.push((note.updated.clone(), old));
                        note.updated = e.time.clone();
                        note.sealed = n.seal;
                    }
                }
                Some(())
            }),
            kind::LINKED => data::<entry::Linked>(e).map(|l| f.testimonies.push(l.testimony)),
            kind::DOCUMENT => data::<entry::Document>(e).map(|d| {
                f.documents.push(DocumentView {
                    entry: e.id.clone(),
                    document: d,
                })
            }),
            _ => None,
        };
        if read.is_none() {
            f.unreadable
                .push(format!("{} (entry {})", e.kind, e.number));
        }
    }
    f.notes = if privileged {
        Notes::Shown(notes)
    } else {
        Notes::Count(notes.len() as u32)
    };
    f
}

/// One step into the file: a transition, a complaint beside the course, its decision,
/// or a correction of an earlier step. Returns the index of the step view the entry
/// changed, which the step's details (the next entry) go to.
fn fold_step(f: &mut CaseFile, e: &CaseEntry, s: entry::Step) -> Option<usize> {
    let course = course();
    let kind = course.step(&s.step).ok()?;
    if let Some(target) = s.corrects.clone() {
        let last_main = f.main_steps().last().map(|x| x.entry.clone());
        let at = f.steps.iter().position(|x| x.entry == target)?;
        let old = &mut f.steps[at];
        old.corrections.push(e.id.clone());
        if s.void {
            old.voided = true;
            old.open = false;
            if old.track == Track::Main && last_main.as_deref() == Some(target.as_str()) {
                f.state = old.before.clone();
            }
            // A decision voided: the complaint it answered waits for one again.
            if let Some(c) = old.step.answers.clone() {
                if let Some(complaint) = f.steps.iter_mut().find(|x| x.entry == c && !x.voided) {
                    complaint.open = true;
                }
            }
        } else {
            // The correction's course replaces the step's; its details, if it has any,
            // come in the next entry, and none means none.
            old.step = entry::Step {
                corrects: None,
                answers: old.step.answers.clone(),
                ..s
            };
        }
        return Some(at);
    }
    let before = f.state.clone();
    if let Some(to) = &kind.to {
        f.state = to.clone();
    }
    if let Some(c) = &s.answers {
        if let Some(complaint) = f.steps.iter_mut().find(|x| &x.entry == c) {
            complaint.open = false;
        }
    }
    f.steps.push(StepView {
        entry: e.id.clone(),
        recorded: e.time.clone(),
        track: kind.track,
        before,
        after: f.state.clone(),
        open: kind.opens,
        step: s,
        corrections: Vec::new(),
        voided: false,
    });
    Some(f.steps.len() - 1)
}
