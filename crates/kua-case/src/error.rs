//! Errors of case files, each with a stable code front ends translate.

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Core(#[from] kua_core::Error),
    #[error("there is no step {0:?}; `kua case steps` lists the course's steps")]
    UnknownStep(String),
    #[error("a case in state {state:?} cannot take the step {step:?}; from {state:?} the course allows: {}", allowed.join(", "))]
    ImpossibleStep {
        step: String,
        state: String,
        allowed: Vec<String>,
    },
    #[error(
        "{step:?} answers a complaint, and no complaint of this case is waiting for a decision"
    )]
    NoOpenComplaint { step: String },
    #[error("{step:?} answers one complaint, and several are open ({}); name the one it decides", open.join(", "))]
    AmbiguousComplaint { step: String, open: Vec<String> },
    #[error("{step:?} needs {field}")]
    MissingField { step: String, field: String },
    #[error("{field} has no code {code:?}; the codes are: {}", known.join(", "))]
    UnknownCode {
        field: String,
        code: String,
        known: Vec<String>,
    },
    #[error("{field} {value:?} is not a date; write it as YYYY-MM-DD")]
    BadDate { field: String, value: String },
    #[error("{field} ({value}) comes before {before} ({earlier}); check the dates")]
    DatesOutOfOrder {
        field: String,
        value: String,
        before: String,
        earlier: String,
    },
    #[error("this case has no {kind} {id}; `kua case show` lists its entries")]
    UnknownEntry { kind: String, id: String },
    #[error("note {0} is sealed; a sealed note never changes — write a new note instead")]
    NoteSealed(String),
    #[error(
        "petition {0} already has a decision; if it was refused, file it again with --refiles"
    )]
    AlreadyDecided(String),
    #[error("petition {0} was not refused, so it cannot be filed again")]
    NotRefused(String),
    #[error("no testimony or received record {0}; `kua list` and `kua received list` show them")]
    UnknownClient(String),
    #[error(
        "this case has no document {0}; attach it with --document FILE or `kua case document`"
    )]
    UnknownDocument(String),
    #[error("{0}")]
    BadCorrection(String),
    #[error("{0} is empty")]
    Empty(String),
    #[error("{field} is longer than {max} characters")]
    TooLong { field: String, max: usize },
}

impl Error {
    /// The stable code front ends map to translated text.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Core(e) => e.code(),
            Error::UnknownStep(_) => "unknown_step",
            Error::ImpossibleStep { .. } => "impossible_step",
            Error::NoOpenComplaint { .. } => "no_open_complaint",
            Error::AmbiguousComplaint { .. } => "ambiguous_complaint",
            Error::MissingField { .. } => "missing_field",
            Error::UnknownCode { .. } => "unknown_code",
            Error::BadDate { .. } => "bad_date",
            Error::DatesOutOfOrder { .. } => "dates_out_of_order",
            Error::UnknownEntry { .. } => "unknown_entry",
            Error::NoteSealed(_) => "note_sealed",
            Error::AlreadyDecided(_) => "already_decided",
            Error::NotRefused(_) => "not_refused",
            Error::UnknownClient(_) => "unknown_client",
            Error::UnknownDocument(_) => "unknown_document",
            Error::BadCorrection(_) => "bad_correction",
            Error::Empty(_) => "empty_field",
            Error::TooLong { .. } => "too_long",
        }
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Error", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}

pub type Result<T> = std::result::Result<T, Error>;
