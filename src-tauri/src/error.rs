//! The error the page receives: a stable code it maps to translated text, the core's
//! message for detail, and the specifics a screen can act on (which fields are invalid,
//! which fingerprint to compare). The page never matches on `message`.

use kua_core::template::ValidationError;
use serde::Serialize;
use std::path::Path;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
pub struct IpcError {
    pub code: String,
    pub message: String,
    /// For `invalid_content`: every problem, by field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<ValidationError>>")]
    pub fields: Vec<ValidationError>,
    /// For `untrusted_sender`: the fingerprint to compare with the sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fingerprint: Option<String>,
}

impl IpcError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        IpcError {
            code: code.into(),
            message: message.into(),
            fields: Vec::new(),
            fingerprint: None,
        }
    }

    pub fn io(path: &Path, e: std::io::Error) -> Self {
        kua_core::Error::io(path, e).into()
    }

    /// The page named a file that no dialog or drop gave it.
    pub fn not_granted() -> Self {
        IpcError::new(
            "not_granted",
            "that file was not chosen in a dialog or dropped on the window",
        )
    }
}

impl From<kua_core::Error> for IpcError {
    fn from(e: kua_core::Error) -> Self {
        let mut out = IpcError::new(e.code(), e.to_string());
        match e {
            kua_core::Error::Invalid(list) => out.fields = list.0,
            kua_core::Error::UntrustedSender { fingerprint } => out.fingerprint = Some(fingerprint),
            _ => {}
        }
        out
    }
}

impl From<kua_analysis::Error> for IpcError {
    fn from(e: kua_analysis::Error) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

impl From<kua_case::Error> for IpcError {
    fn from(e: kua_case::Error) -> Self {
        match e {
            kua_case::Error::Core(core) => core.into(),
            e => IpcError::new(e.code(), e.to_string()),
        }
    }
}
