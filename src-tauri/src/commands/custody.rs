//! The custody log of the vault and of one testimony, and verification.

use super::blocking;
use crate::error::IpcError;
use crate::progress::{ChannelProgress, ProgressEvent};
use kua_core::{LogLine, VerifyReport};
use tauri::ipc::Channel;
use tauri::AppHandle;

#[tauri::command]
pub async fn log(app: AppHandle) -> Result<Vec<LogLine>, IpcError> {
    super::on_vault(app, |v| v.log()).await
}

#[tauri::command]
pub async fn history(app: AppHandle, id: String) -> Result<Vec<LogLine>, IpcError> {
    super::on_vault(app, move |v| v.history(&id)).await
}

/// Checks every record, attachment and log entry.
#[tauri::command]
pub async fn verify(
    app: AppHandle,
    progress: Channel<ProgressEvent>,
) -> Result<VerifyReport, IpcError> {
    blocking(app, move |s| {
        let mut progress = ChannelProgress::new(progress);
        s.with_vault(|v| v.verify(&mut progress))
    })
    .await
}
