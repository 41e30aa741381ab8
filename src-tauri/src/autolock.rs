//! Locks the vault after the configured minutes without input. The watch runs in the
//! shell, not the page, so a hung or reloaded page cannot keep a vault open; input is
//! what the shell itself observes (input.rs) and recorded audio, never a command the
//! page calls, and the minutes are always within `settings::AUTO_LOCK_MINUTES`.

use crate::commands::vault::lock_and_clear;
use crate::session::Session;
use std::time::Duration;
use tauri::{AppHandle, Manager};

pub fn watch(app: AppHandle) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(5));
        let session = app.state::<Session>();
        let minutes = session.settings().auto_lock_minutes;
        if session.vault_status() != Some(true) {
            continue;
        }
        if session.idle_for() >= Duration::from_secs(u64::from(minutes) * 60) {
            lock_and_clear(&app);
        }
    });
}
