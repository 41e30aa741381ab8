//! Identity, recipients, trusted senders, export and import of bundles.

use super::{blocking, on_vault, on_vault_file};
use crate::error::IpcError;
use crate::grants::Access;
use crate::progress::ProgressEvent;
use kua_core::{
    BundleReport, ExportPlan, ExportReport, ExportRequest, IdentityInfo, ImportReport,
    ReceivedRecord, ReceivedSummary, Recipient, Selection, TrustedSender,
};
use serde::Deserialize;
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::AppHandle;
use ts_rs::TS;

#[tauri::command]
pub async fn identity(app: AppHandle) -> Result<IdentityInfo, IpcError> {
    on_vault(app, |v| v.identity()).await
}

#[tauri::command]
pub async fn recipients(app: AppHandle) -> Result<Vec<Recipient>, IpcError> {
    on_vault(app, |v| v.recipients()).await
}

#[tauri::command]
pub async fn add_recipient(
    app: AppHandle,
    name: String,
    age: String,
    legal: bool,
) -> Result<Recipient, IpcError> {
    on_vault(app, move |v| v.add_recipient(&name, &age, legal)).await
}

#[tauri::command]
pub async fn remove_recipient(app: AppHandle, name: String) -> Result<(), IpcError> {
    on_vault(app, move |v| v.remove_recipient(&name)).await
}

#[tauri::command]
pub async fn trusted_senders(app: AppHandle) -> Result<Vec<TrustedSender>, IpcError> {
    on_vault(app, |v| v.trusted_senders()).await
}

/// Trusts a sender's key, pasted as text or read from a granted `.pub` file.
#[tauri::command]
pub async fn trust(
    app: AppHandle,
    name: String,
    public_key: Option<String>,
    file: Option<PathBuf>,
) -> Result<TrustedSender, IpcError> {
    blocking(app, move |s| {
        let text = match (public_key, file) {
            (Some(text), _) => text,
            (None, Some(path)) => {
                let path = s.readable(&path)?;
                std::fs::read_to_string(&path).map_err(|e| IpcError::io(&path, e))?
            }
            (None, None) => return Err(IpcError::new("bad_input", "give a public key")),
        };
        s.with_vault(|v| v.trust(&name, &text))
    })
    .await
}

#[tauri::command]
pub async fn distrust(app: AppHandle, name: String) -> Result<(), IpcError> {
    on_vault(app, move |v| v.distrust(&name)).await
}

/// What to export, as the export screen chooses it.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ExportChoice {
    /// Recipient names from the address book.
    pub to: Vec<String>,
    /// These testimonies; absent: every sealed one (or only unsent ones, below).
    pub ids: Option<Vec<String>>,
    pub since_last: bool,
    pub redact: bool,
    /// Cases to send: whole to legal recipients, their course to others.
    #[serde(default)]
    #[ts(optional)]
    pub cases: Option<Vec<String>>,
    /// Send the cases' privileged notes (legal recipients only).
    #[serde(default)]
    #[ts(optional)]
    pub case_notes: Option<bool>,
}

impl From<ExportChoice> for ExportRequest {
    fn from(c: ExportChoice) -> Self {
        let cases = c.cases.unwrap_or_default();
        let selection = match c.ids {
            Some(ids) => Selection::Ids(ids),
            None if c.since_last => Selection::SinceLast,
            None => Selection::All,
        };
        ExportRequest {
            to: c.to,
            selection,
            redact: c.redact,
            cases,
            case_notes: c.case_notes.unwrap_or(false),
        }
    }
}

#[tauri::command]
pub async fn export_plan(app: AppHandle, choice: ExportChoice) -> Result<ExportPlan, IpcError> {
    on_vault(app, move |v| v.export_plan(&choice.into())).await
}

/// Writes the bundle to a path granted for writing (once).
#[tauri::command]
pub async fn export(
    app: AppHandle,
    choice: ExportChoice,
    path: PathBuf,
    progress: Channel<ProgressEvent>,
) -> Result<ExportReport, IpcError> {
    on_vault_file(app, (path, Access::Write), progress, move |v, path, p| {
        v.export(&choice.into(), path, p)
    })
    .await
}

/// Checks a granted bundle against this vault; imports nothing. Unknown senders are
/// reported (with their fingerprint) rather than refused, so the user can compare.
#[tauri::command]
pub async fn verify_bundle(
    app: AppHandle,
    path: PathBuf,
    progress: Channel<ProgressEvent>,
) -> Result<BundleReport, IpcError> {
    on_vault_file(app, (path, Access::Read), progress, |v, path, p| {
        v.verify_bundle(path, p)
    })
    .await
}

#[tauri::command]
pub async fn import(
    app: AppHandle,
    path: PathBuf,
    trust_new: bool,
    progress: Channel<ProgressEvent>,
) -> Result<ImportReport, IpcError> {
    on_vault_file(app, (path, Access::Read), progress, move |v, path, p| {
        v.import(path, trust_new, p)
    })
    .await
}

#[tauri::command]
pub async fn received(app: AppHandle) -> Result<Vec<ReceivedSummary>, IpcError> {
    on_vault(app, |v| v.received()).await
}

#[tauri::command]
pub async fn show_received(
    app: AppHandle,
    id: String,
    version: Option<u32>,
    sender: Option<String>,
) -> Result<ReceivedRecord, IpcError> {
    on_vault(app, move |v| {
        v.show_received(&id, version, sender.as_deref())
    })
    .await
}
