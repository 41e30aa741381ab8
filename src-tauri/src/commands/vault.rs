//! Creating, opening, unlocking and locking the vault, and the app's settings.

use super::{blocking, on_vault};
use crate::error::IpcError;
use crate::session::Session;
use crate::settings::Settings;
use kua_core::model::AttachmentInfo;
use kua_core::{CreateOptions, RecoveryKey, Seams, Vault};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

/// What the page needs to choose its first screen.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppState {
    pub settings: Settings,
    #[ts(type = "string")]
    pub vault_path: PathBuf,
    pub vault_exists: bool,
    pub unlocked: bool,
    /// The vault's random id, once it is open.
    pub vault_id: Option<String>,
}

#[tauri::command]
pub async fn app_state(app: AppHandle) -> Result<AppState, IpcError> {
    blocking(app, |s| {
        let path = s.vault_path();
        let exists = path.is_file();
        if exists && s.vault_status().is_none() {
            s.put_vault(Vault::open(&path, Seams::system())?);
        }
        let vault_id = s.with_vault(|v| Ok(v.vault_id().to_string())).ok();
        Ok(AppState {
            settings: s.settings(),
            vault_path: path,
            vault_exists: exists,
            unlocked: s.vault_status() == Some(true),
            vault_id,
        })
    })
    .await
}

/// Creates a vault (at a granted path, or the default place) with a key derivation
/// calibrated to about one second, and returns the recovery key to show once.
#[tauri::command]
pub async fn create_vault(
    app: AppHandle,
    passphrase: SecretString,
    path: Option<PathBuf>,
) -> Result<String, IpcError> {
    blocking(app, move |s| {
        let path = match path {
            Some(p) => s.writable(&p)?,
            None => s.home.default_vault.clone(),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| IpcError::io(dir, e))?;
        }
        let kdf = kua_core::crypto::calibrate(Duration::from_secs(1))?;
        let options = CreateOptions {
            kdf,
            allow_weak_kdf: false,
        };
        let (vault, recovery) = Vault::create(&path, &passphrase, options, Seams::system())?;
        s.put_vault(vault);
        s.set_settings(Settings {
            vault: Some(path),
            ..s.settings()
        })?;
        Ok(recovery.display().expose_secret().to_string())
    })
    .await
}

#[tauri::command]
pub async fn open_vault(app: AppHandle, path: PathBuf) -> Result<(), IpcError> {
    blocking(app, move |s| {
        let path = s.vault_to_open(&path)?;
        s.put_vault(Vault::open(&path, Seams::system())?);
        s.set_settings(Settings {
            vault: Some(path),
            ..s.settings()
        })
    })
    .await
}

/// An unlocked vault, and what became of the recordings a crash had interrupted.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Unlocked {
    /// Recordings finished from what they had flushed.
    pub recovered: Vec<AttachmentInfo>,
    /// Why recovering them failed (a full disk, say): the vault is unlocked all the
    /// same, and the next unlock tries again; nothing was discarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub recovery_error: Option<IpcError>,
    /// Parts of the vault's header found damaged (e.g. `recovery_slot`: the recovery key
    /// no longer works and a new one should be made in Settings).
    pub header_damage: Vec<String>,
}

impl Unlocked {
    /// What the page is told once the vault is unlocked: the header's state, then the
    /// recordings a crash interrupted, finished.
    fn after(v: &mut Vault) -> kua_core::Result<Unlocked> {
        let header_damage = v.header_damage()?;
        Ok(match v.recover_recordings() {
            Ok(recovered) => Unlocked {
                recovered,
                recovery_error: None,
                header_damage,
            },
            Err(e) => Unlocked {
                recovered: Vec::new(),
                recovery_error: Some(e.into()),
                header_damage,
            },
        })
    }
}

/// Unlocks, then finishes any recording a crash interrupted. A failed recovery does
/// not fail the unlock: the keys are in memory by then, and a page left on the unlock
/// screen with an unlocked vault behind it would be worse.
#[tauri::command]
pub async fn unlock(app: AppHandle, passphrase: SecretString) -> Result<Unlocked, IpcError> {
    unlocking(app, move |v| {
        v.unlock(&passphrase)?;
        Unlocked::after(v)
    })
    .await
}

/// Runs an unlock; a new session begins, so nothing granted while the vault was locked
/// (a dialog a page opened on the unlock screen, say) carries into it.
async fn unlocking(
    app: AppHandle,
    f: impl FnOnce(&mut Vault) -> kua_core::Result<Unlocked> + Send + 'static,
) -> Result<Unlocked, IpcError> {
    blocking(app, move |s| {
        let unlocked = s.with_vault(f).inspect_err(|_| {
            // Too many failed attempts may have erased the vault (kua-core guard.rs).
            s.forget_vault_if_gone();
        })?;
        s.end_grants();
        // Someone typed the passphrase or the recovery key: that is input.
        s.touch();
        // What building the catalog freed, between the blocks the catalog keeps, goes
        // back to the system (kua-wipe trim).
        kua_wipe::trim();
        Ok(unlocked)
    })
    .await
}

/// Opens the vault with the recovery key and sets a new passphrase.
#[tauri::command]
pub async fn recover(
    app: AppHandle,
    recovery_key: SecretString,
    passphrase: SecretString,
) -> Result<Unlocked, IpcError> {
    unlocking(app, move |v| {
        let key = RecoveryKey::parse(recovery_key.expose_secret())?;
        v.recover(&key, &passphrase, None)?;
        Unlocked::after(v)
    })
    .await
}

/// Sets a new passphrase once the current one is given: an unlocked window left alone
/// must not let anyone take the vault over by choosing a passphrase of their own. With
/// `rotate_key` the vault key and the recovery key are replaced too (for a passphrase
/// that may have leaked with a copy of the vault); the new recovery key is returned, to
/// be shown once.
#[tauri::command]
pub async fn change_passphrase(
    app: AppHandle,
    current: SecretString,
    passphrase: SecretString,
    rotate_key: bool,
) -> Result<Option<String>, IpcError> {
    on_vault(app, move |v| {
        v.check_passphrase(&current)?;
        if rotate_key {
            let recovery = v.rotate_vault_key(&passphrase, None)?;
            return Ok(Some(recovery.display().expose_secret().to_string()));
        }
        v.change_passphrase(&passphrase, None).map(|()| None)
    })
    .await
}

/// Replaces the recovery key once the current passphrase is given; the new one is
/// returned, to be shown once, and the old one no longer opens this file.
#[tauri::command]
pub async fn new_recovery_key(app: AppHandle, current: SecretString) -> Result<String, IpcError> {
    on_vault(app, move |v| {
        v.check_passphrase(&current)?;
        let recovery = v.new_recovery_key()?;
        Ok(recovery.display().expose_secret().to_string())
    })
    .await
}

/// Locks at once: the page is cleared first (its web process ended and a new one
/// started, so nothing of a testimony stays on screen, in the page's state or in the
/// memory of a process of the app; `window::clear`), then the keys are dropped as soon
/// as any running operation ends.
#[tauri::command]
pub fn lock(app: AppHandle) {
    lock_and_clear(&app);
}

pub fn lock_and_clear(app: &AppHandle) {
    app.state::<Session>().begin_lock();
    for window in app.webview_windows().values() {
        crate::window::clear(window);
    }
    let app = app.clone();
    std::thread::spawn(move || {
        if let Err(e) = app.state::<Session>().lock() {
            // Nothing of the vault's content is in this message (see kua_core::Error).
            eprintln!("kua-desktop: lock: {}", e.code);
        }
    });
}

/// Destroys the vault for good, locked or not, without the passphrase: for a laptop
/// about to be taken. The page must send `confirm` = "ERASE", which it does only after
/// the user typed the confirmation word shown in their language; the window is then
/// reloaded onto the start screen.
#[tauri::command]
pub async fn erase_vault(app: AppHandle, confirm: String) -> Result<(), IpcError> {
    if confirm != "ERASE" {
        return Err(IpcError::new(
            "erase_not_confirmed",
            "the erase was not confirmed; nothing was destroyed",
        ));
    }
    // Nothing of the vault stays on screen while the file is overwritten; once it is
    // gone, the page loads again onto the start screen. The vault counts as locked
    // before the page is cleared, so the new page cannot read it in between.
    app.state::<Session>().begin_lock();
    let reload = |app: &AppHandle| {
        for window in app.webview_windows().values() {
            crate::window::clear(window);
        }
    };
    reload(&app);
    let result = blocking(app.clone(), |s| s.erase().map(drop)).await;
    reload(&app);
    result
}

/// Erase after too many failed unlocks: the limit (None: off) and the failures since the
/// last unlock.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct EraseAfter {
    pub limit: Option<u32>,
    pub failures: u32,
}

#[tauri::command]
pub async fn erase_after(app: AppHandle) -> Result<EraseAfter, IpcError> {
    on_vault(app, |v| {
        let (limit, failures) = v.erase_after()?;
        Ok(EraseAfter { limit, failures })
    })
    .await
}

/// Sets the limit (3 to 100) or switches it off; the vault must be unlocked.
#[tauri::command]
pub async fn set_erase_after(app: AppHandle, limit: Option<u32>) -> Result<(), IpcError> {
    on_vault(app, move |v| v.set_erase_after(limit)).await
}

#[tauri::command]
pub async fn set_settings(app: AppHandle, settings: Settings) -> Result<(), IpcError> {
    let window = app.get_webview_window("main");
    let zoom = blocking(app, move |s| {
        s.set_settings(Settings {
            vault: s.settings().vault,
            ..settings
        })?;
        Ok(s.settings().zoom())
    })
    .await?;
    if let Some(window) = window {
        window
            .set_zoom(zoom)
            .map_err(|e| IpcError::new("internal", e.to_string()))?;
    }
    Ok(())
}
