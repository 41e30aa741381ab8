//! File choices. The shell opens the dialogs (the page has no dialog permission) and
//! grants what the user picked to the session, so later commands may read or write
//! those paths and no others.
//!
//! For end-to-end tests, which cannot operate a native dialog, `KUA_SCRIPTED_PICKS`
//! names a file whose lines answer the dialogs in turn (paths separated by tabs; an
//! empty line is a cancelled dialog). Only test builds (feature `e2e`) have this seam:
//! in a packaged app an environment variable must not be able to answer every dialog.

use crate::grants::Access;
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
    /// Where to save a chart (SVG or PNG).
    SaveChart,
    /// Where to create the folder of a dataset for analysts.
    SaveDataset,
    /// Where to save a court report (PDF; its signature goes beside it).
    SaveReport,
    /// Where to create the folder of a disclosure package.
    SaveDisclosure,
}

impl Pick {
    /// What the answer may be used for: read, written once, or opened as a vault.
    pub fn access(self) -> Access {
        match self {
            Pick::OpenVault => Access::OpenVault,
            Pick::NewVault
            | Pick::SaveAttachment
            | Pick::SaveBundle
            | Pick::SaveChart
            | Pick::SaveDataset
            | Pick::SaveReport
            | Pick::SaveDisclosure => Access::Write,
            Pick::Attachments | Pick::OpenBundles | Pick::PublicKey => Access::Read,
        }
    }
}

pub fn pick(app: &AppHandle, what: Pick, suggested: Option<String>) -> Vec<PathBuf> {
    if let Some(answer) = scripted_answer(std::env::var_os("KUA_SCRIPTED_PICKS")) {
        return answer;
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
        Pick::SaveChart => one(dialog
            .add_filter("SVG", &["svg"])
            .add_filter("PNG", &["png"])
            .blocking_save_file()),
        Pick::SaveDataset | Pick::SaveDisclosure => one(dialog.blocking_save_file()),
        Pick::SaveReport => one(dialog.add_filter("PDF", &["pdf"]).blocking_save_file()),
    }
}

/// The scripted answer to a dialog, in test builds when `KUA_SCRIPTED_PICKS` (`var`)
/// is set; None otherwise, and always None in a packaged app.
fn scripted_answer(var: Option<std::ffi::OsString>) -> Option<Vec<PathBuf>> {
    #[cfg(feature = "e2e")]
    {
        var.map(|script| scripted(&PathBuf::from(script)))
    }
    #[cfg(not(feature = "e2e"))]
    {
        drop(var);
        None
    }
}

/// Takes the first line of the script file as this dialog's answer.
#[cfg(feature = "e2e")]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The attack: in a packaged app, `KUA_SCRIPTED_PICKS` in the environment answered
    /// every dialog from a file, so whoever set it chose which files the app read and
    /// overwrote. Only test builds (feature `e2e`) may read it.
    #[test]
    fn scripted_picks_answer_dialogs_only_in_test_builds() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("picks.txt");
        std::fs::write(&script, "/home/user/.ssh/id_ed25519\n").unwrap();
        let answer = scripted_answer(Some(script.clone().into_os_string()));
        if cfg!(feature = "e2e") {
            assert_eq!(
                answer,
                Some(vec![PathBuf::from("/home/user/.ssh/id_ed25519")])
            );
        } else {
            assert_eq!(answer, None);
            assert_eq!(
                std::fs::read_to_string(&script).unwrap(),
                "/home/user/.ssh/id_ed25519\n"
            );
        }
        assert_eq!(scripted_answer(None), None);
    }

    #[test]
    fn dialogs_grant_what_they_were_opened_for() {
        assert_eq!(Pick::OpenVault.access(), Access::OpenVault);
        for p in [Pick::NewVault, Pick::SaveAttachment, Pick::SaveBundle] {
            assert_eq!(p.access(), Access::Write);
        }
        for p in [Pick::Attachments, Pick::OpenBundles, Pick::PublicKey] {
            assert_eq!(p.access(), Access::Read);
        }
    }
}
