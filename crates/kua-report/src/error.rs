//! Errors of reports and disclosure packages, each with a stable code front ends
//! translate.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Core(#[from] kua_core::Error),
    #[error(transparent)]
    Case(#[from] kua_case::Error),
    #[error("there is no report language {0:?}; choose en, ru or kk")]
    UnknownLanguage(String),
    #[error(
        "version {version} of {id} is a draft; seal it first — a report shows what was sealed"
    )]
    NotSealed { id: String, version: u32 },
    #[error("the person withdrew their consent to the use of testimony {0}; no report or package is made of it")]
    ConsentWithdrawn(String),
    #[error("testimony {0} is anonymous and its consent does not cover lawyers and courts, so a full report cannot be made; make the anonymous report instead")]
    FullNotAllowed(String),
    #[error("record {0} was received redacted: this vault never held the fields that name the person, so a full report cannot be made of it; make the report without them, or ask the sender for one")]
    FullRedacted(String),
    #[error("testimony {0}'s consent does not cover lawyers and courts (scope `legal`), so it cannot be disclosed")]
    NoLegalConsent(String),
    #[error("testimony {0} is anonymous and its sealed record names the person; disclose it only as a full disclosure (its consent covers lawyers and courts)")]
    AnonymousNeedsFull(String),
    #[error("a disclosure package writes the testimonies in plaintext outside the vault; confirm that this is intended")]
    NotConfirmed,
    #[error("{0} already exists and is not empty; choose a new directory for the package")]
    TargetNotEmpty(String),
    #[error("name at least one testimony to disclose")]
    NothingToDisclose,
    #[error("the report could not be laid out ({0}); this is a bug in Kua, please report it")]
    Layout(String),
}

impl Error {
    /// The stable code front ends map to translated text.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Core(e) => e.code(),
            Error::Case(e) => e.code(),
            Error::UnknownLanguage(_) => "report_unknown_language",
            Error::NotSealed { .. } => "report_not_sealed",
            Error::ConsentWithdrawn(_) => "report_consent_withdrawn",
            Error::FullNotAllowed(_) => "report_full_not_allowed",
            Error::FullRedacted(_) => "report_full_redacted",
            Error::NoLegalConsent(_) => "disclosure_no_legal_consent",
            Error::AnonymousNeedsFull(_) => "disclosure_anonymous",
            Error::NotConfirmed => "disclosure_not_confirmed",
            Error::TargetNotEmpty(_) => "disclosure_target_not_empty",
            Error::NothingToDisclose => "disclosure_nothing",
            Error::Layout(_) => "report_layout",
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
