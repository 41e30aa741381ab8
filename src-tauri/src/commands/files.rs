//! File dialogs, attachments in and out.

use super::{blocking, on_vault_file};
use crate::chooser::{self, Pick};
use crate::error::IpcError;
use crate::grants::Access;
use crate::progress::{ChannelProgress, ProgressEvent};
use kua_core::model::AttachmentInfo;
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::AppHandle;

/// Opens a dialog and grants what the user chose; an empty list means cancelled.
#[tauri::command]
pub async fn pick(
    app: AppHandle,
    what: Pick,
    suggested: Option<String>,
) -> Result<Vec<PathBuf>, IpcError> {
    let handle = app.clone();
    blocking(app, move |s| {
        // Answered after a lock or unlock, the dialog grants nothing (grants.rs).
        let epoch = s.grant_epoch();
        let paths = chooser::pick(&handle, what, suggested);
        s.grant(epoch, what.access(), paths.iter().cloned());
        Ok(paths)
    })
    .await
}

/// Adds granted files to a testimony, one after the other.
#[tauri::command]
pub async fn attach(
    app: AppHandle,
    id: String,
    paths: Vec<PathBuf>,
    progress: Channel<ProgressEvent>,
) -> Result<Vec<AttachmentInfo>, IpcError> {
    blocking(app, move |s| {
        let paths = paths
            .iter()
            .map(|p| s.readable(p))
            .collect::<Result<Vec<_>, _>>()?;
        let mut progress = ChannelProgress::new(progress);
        s.with_vault(|v| {
            paths
                .iter()
                .map(|p| v.attach_file(&id, p, None, &mut progress))
                .collect()
        })
    })
    .await
}

/// Writes an attachment to a path granted for writing (once); its evidence hash is
/// checked on the way.
#[tauri::command]
pub async fn extract(
    app: AppHandle,
    id: String,
    attachment: String,
    path: PathBuf,
    progress: Channel<ProgressEvent>,
) -> Result<AttachmentInfo, IpcError> {
    on_vault_file(app, (path, Access::Write), progress, move |v, path, p| {
        v.extract_to_file(&id, &attachment, path, p)
    })
    .await
}
