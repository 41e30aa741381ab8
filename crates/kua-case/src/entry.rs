//! What a lawyer records in a case, as it is stored: each type is the `data` of one
//! case entry, and its `KIND` the entry's kind. Inputs are checked before they are
//! stored (`checks.rs`); stored entries are only ever read back, never rewritten.

use serde::{Deserialize, Serialize};

/// The first entry of a case: whom it is for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Opened {
    /// The client's testimony (own) or received record.
    pub client: String,
    #[serde(default)]
    pub title: Option<String>,
}

/// A step of the course (or beside it), with what the decision said.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Step {
    /// The step's code in the course table.
    pub step: String,
    /// The day the step was taken (the decision's date), YYYY-MM-DD.
    pub date: String,
    /// The issuing body (a police department, a prosecutor's office, a court).
    #[serde(default)]
    pub body: Option<String>,
    /// The ЕРДР (Unified Register of Pre-trial Investigations) number.
    #[serde(default)]
    pub number: Option<String>,
    /// The criminal-code article (146 for torture).
    #[serde(default)]
    pub article: Option<String>,
    /// The decision document: the id of one of this case's documents.
    #[serde(default)]
    pub document: Option<String>,
    /// The next deadline this step sets (an appeal's last day), YYYY-MM-DD.
    #[serde(default)]
    pub deadline: Option<String>,
    /// Why an investigation was terminated (the course's grounds).
    #[serde(default)]
    pub ground: Option<String>,
    /// What a decision, verdict or complaint came to (the course's outcomes).
    #[serde(default)]
    pub outcome: Option<String>,
    /// A short, non-privileged remark (privileged thoughts go in notes).
    #[serde(default)]
    pub note: Option<String>,
    /// The entry id of an earlier step this one corrects: its fields are replaced by
    /// these, the step's code stays, and the course does not move.
    #[serde(default)]
    pub corrects: Option<String>,
    /// With `corrects`: the corrected step was recorded by mistake and is void. Only
    /// the latest step of the main course (or a complaint beside it) can be voided.
    #[serde(default)]
    pub void: bool,
    /// For a decision on a complaint: the complaint's entry id. Given, it must be an
    /// open complaint the step may answer; left out, the one open complaint it may
    /// answer (several open ones must be named).
    #[serde(default)]
    pub answers: Option<String>,
}

/// What a step says beyond the course: who decided, the ERDR number, the decision's
/// document, a remark. Stored as its own entry right after its step (in the same
/// transaction, so it carries the step's number plus one), so that a case's course can
/// travel to a coalition without it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepDetail {
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub document: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl Step {
    /// The step split into its course (what travels to a coalition) and its details.
    pub fn split(self) -> (Step, Option<StepDetail>) {
        let detail = StepDetail {
            body: self.body.clone(),
            number: self.number.clone(),
            document: self.document.clone(),
            note: self.note.clone(),
        };
        let course = Step {
            body: None,
            number: None,
            document: None,
            note: None,
            ..self
        };
        let empty = detail == StepDetail::default();
        (course, (!empty).then_some(detail))
    }

    /// Takes a step's details (or clears them, for a correction without any).
    pub fn set_detail(&mut self, d: StepDetail) {
        self.body = d.body;
        self.number = d.number;
        self.document = d.document;
        self.note = d.note;
    }
}

/// A petition (ходатайство) to the investigator, prosecutor or court.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Petition {
    /// The course's petition kind (`cctv_seizure`, `forensic_medical_exam`, …).
    pub kind: String,
    /// What was asked, in the petition's words.
    pub asked: String,
    /// To whom it was filed.
    #[serde(default)]
    pub to: Option<String>,
    /// YYYY-MM-DD.
    pub filed: String,
    /// The day the decision is due; 3 days after filing when not given (CPC art. 99).
    #[serde(default)]
    pub due: Option<String>,
    /// The entry id of a refused petition this one files again.
    #[serde(default)]
    pub refiles: Option<String>,
    #[serde(default)]
    pub document: Option<String>,
}

/// The decision on a petition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PetitionDecision {
    /// The petition's entry id.
    pub petition: String,
    pub date: String,
    /// `granted`, `partly_granted` or `refused`.
    pub decision: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub document: Option<String>,
}

/// A piece of evidence to preserve: a camera, a register, a record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Evidence {
    /// The course's evidence kind (`cctv`, `custody_register`, …).
    pub kind: String,
    /// What it is: the camera, the register, the document.
    pub what: String,
    #[serde(default)]
    pub place: Option<String>,
    /// The time window it must cover (dates or date-times), when it has one.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// The day it must be requested by (CCTV is overwritten after a time), YYYY-MM-DD.
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// What became of a piece of evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceStatus {
    /// The evidence's entry id.
    pub item: String,
    /// `requested`, `refused`, `obtained` or `lost`.
    pub status: String,
    pub date: String,
    #[serde(default)]
    pub note: Option<String>,
    /// The petition that requested it, when there was one.
    #[serde(default)]
    pub petition: Option<String>,
}

/// A circumstance the client raised that the investigation must examine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Circumstance {
    pub text: String,
}

/// A circumstance found examined (by the investigation's own record).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Examined {
    /// The circumstance's entry id.
    pub item: String,
    pub date: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// A privileged note, or a new text of one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Note {
    pub text: String,
    /// The entry id of the note's first text, when this is a new text of it.
    #[serde(default)]
    pub revises: Option<String>,
    /// A sealed note never changes again.
    #[serde(default)]
    pub seal: bool,
}

/// Another testimony of the client, linked to the case.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Linked {
    pub testimony: String,
}

/// What a document of the case is (its file is an attachment of the case).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Document {
    /// The attachment's id.
    pub attachment: String,
    /// The course's document kind (`decision`, `complaint`, …).
    pub kind: String,
    #[serde(default)]
    pub title: Option<String>,
    /// The document's own date, YYYY-MM-DD.
    #[serde(default)]
    pub date: Option<String>,
}

/// The entry kinds, as stored.
pub mod kind {
    pub const OPENED: &str = "opened";
    pub const STEP: &str = "step";
    pub const STEP_DETAIL: &str = "step_detail";
    pub const PETITION: &str = "petition";
    pub const PETITION_DECISION: &str = "petition_decision";
    pub const EVIDENCE: &str = "evidence";
    pub const EVIDENCE_STATUS: &str = "evidence_status";
    pub const CIRCUMSTANCE: &str = "circumstance";
    pub const EXAMINED: &str = "examined";
    pub const NOTE: &str = "note";
    pub const LINKED: &str = "linked";
    pub const DOCUMENT: &str = "document";
}
