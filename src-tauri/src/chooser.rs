//! File choices. The shell opens the dialogs (the page has no dialog permission) and
//! grants what the user picked to the session, so later commands may read or write
//! those paths and no others.
//!
//! For end-to-end tests, which cannot operate a native dialog, `KUA_SCRIPTED_PICKS`
//! names a file whose lines answer the dialogs in turn (paths separated by tabs; an
//! empty line is a cancelled dialog). The app says so on its standard error when it
//! is in that mode.

use serde::Deserialize;
use std::path::PathBuf;
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Pick {
    /// An existing vault file.
    OpenVault,
    /// Where to create a vault.
    NewVault,
    /// Files to attach.
    Attachments,
    /// Where to write an extracted attachment.
    SaveAttachment,
    /// Where to write a bundle.
    SaveBundle,
    /// Bundles to verify or import.
    OpenBundles,
    /// A sender's minisign public key file.
    PublicKey,
}

pub fn pick(app: &AppHandle, what: Pick, suggested: Option<String>) -> Vec<PathBuf> {
    if let Some(script) = std::env::var_os("KUA_SCRIPTED_PICKS") {
        return scripted(&PathBuf::from(script));
    }
    let dialog = app.dialog().file();
    let dialog = match &suggested {
        Some(name) => dialog.set_file_name(name),
        None => dialog,
    };
    let many = |v: Option<Vec<tauri_plugin_dialog::FilePath>>| -> Vec<PathBuf> {
        v.unwrap_or_default()
            .into_iter()
            .filter_map(|p| p.into_path().ok())
            .collect()
    };
    let one = |v: Option<tauri_plugin_dialog::FilePath>| -> Vec<PathBuf> {
        v.and_then(|p| p.into_path().ok()).into_iter().collect()
    };
    match what {
        Pick::OpenVault => one(dialog
            .add_filter("Kua vault", &["kua"])
            .blocking_pick_file()),
        Pick::NewVault | Pick::SaveAttachment => one(dialog.blocking_save_file()),
        Pick::SaveBundle => one(dialog
            .add_filter("Kua bundle", &["kua"])
            .blocking_save_file()),
        Pick::Attachments => many(dialog.blocking_pick_files()),
        Pick::OpenBundles => many(
            dialog
                .add_filter("Kua bundle", &["kua"])
                .blocking_pick_files(),
        ),
        Pick::PublicKey => one(dialog.blocking_pick_file()),
    }
}

/// Takes the first line of the script file as this dialog's answer.
fn scripted(script: &std::path::Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(script).unwrap_or_default();
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default().to_string();
    let rest: Vec<&str> = lines.collect();
    let _ = std::fs::write(script, rest.join("\n"));
    first
        .split('\t')
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect()
}
