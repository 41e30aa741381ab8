//! The app's one piece of state: the vault (absent, locked or unlocked), the settings,
//! the files the user has granted to the page, and the time of the last input.

use crate::error::IpcError;
use crate::home::Home;
use crate::media::Grant;
use crate::recorder::Recording;
use crate::settings::Settings;
use kua_core::Vault;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

#[derive(Debug)]
pub struct Session {
    pub home: Home,
    settings: Mutex<Settings>,
    vault: Mutex<Option<Vault>>,
    /// Paths the user chose in a dialog or dropped on the window. Commands that read or
    /// write a file take only these, so a compromised page cannot name other files.
    grants: Mutex<HashSet<PathBuf>>,
    /// Media the page may play, by random token (see media.rs).
    media: Mutex<HashMap<String, Grant>>,
    /// The recording running now, if any (see recorder.rs).
    recording: Mutex<Option<Recording>>,
    activity: Mutex<Instant>,
    /// Set from the moment a lock is asked for until the keys are gone: no command may
    /// use the vault in between, and the page is told it is locked.
    locking: AtomicBool,
}

/// How long a lock or a closing window waits for a recording to finish.
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// A poisoned lock means a command panicked (a bug); the state itself is still
/// consistent (the core commits or rolls back), so the app carries on with it.
fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Session {
    pub fn new(home: Home) -> Self {
        let settings = Settings::load(&home.settings);
        Session {
            home,
            settings: Mutex::new(settings),
            vault: Mutex::new(None),
            grants: Mutex::new(HashSet::new()),
            media: Mutex::new(HashMap::new()),
            recording: Mutex::new(None),
            activity: Mutex::new(Instant::now()),
            locking: AtomicBool::new(false),
        }
    }

    pub fn settings(&self) -> Settings {
        guard(&self.settings).clone()
    }

    pub fn set_settings(&self, new: Settings) -> Result<(), IpcError> {
        new.save(&self.home.settings)?;
        *guard(&self.settings) = new;
        Ok(())
    }

    /// The vault file the app works with: the last one opened, or the default place.
    pub fn vault_path(&self) -> PathBuf {
        self.settings()
            .vault
            .unwrap_or_else(|| self.home.default_vault.clone())
    }

    /// Runs `f` on the open vault (locked or not).
    pub fn with_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> kua_core::Result<T>,
    ) -> Result<T, IpcError> {
        self.touch();
        let mut slot = guard(&self.vault);
        if self.locking.load(Ordering::SeqCst) {
            return Err(kua_core::Error::Locked.into());
        }
        let vault = slot.as_mut().ok_or_else(|| {
            IpcError::new("no_vault_open", "no vault is open; create or open one")
        })?;
        Ok(f(vault)?)
    }

    /// Runs `f` on the vault for the recording thread. Unlike `with_vault` it works
    /// while a lock is under way: locking stops the recording first and waits for it to
    /// finish (see `lock`), so the last seconds are saved rather than left to recovery.
    /// It waits for the vault; the capture loop uses `try_with_recording_vault`.
    pub fn with_recording_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> kua_core::Result<T>,
    ) -> Result<T, IpcError> {
        let mut slot = guard(&self.vault);
        let vault = slot.as_mut().ok_or_else(|| {
            IpcError::new("no_vault_open", "no vault is open; create or open one")
        })?;
        Ok(f(vault)?)
    }

    /// As `with_recording_vault`, but never waits: None while another operation (an
    /// attachment, an export) holds the vault. The capture loop must not wait, or the
    /// microphone's queue would overflow and audio would be lost; it keeps the bytes
    /// and writes them at its next turn instead.
    pub fn try_with_recording_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> kua_core::Result<T>,
    ) -> Result<Option<T>, IpcError> {
        let mut slot = match self.vault.try_lock() {
            Ok(slot) => slot,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return Ok(None),
        };
        let vault = slot.as_mut().ok_or_else(|| {
            IpcError::new("no_vault_open", "no vault is open; create or open one")
        })?;
        Ok(Some(f(vault)?))
    }

    /// The running recording, if any; one that ended on its own is cleared here.
    pub fn recording<T>(&self, f: impl FnOnce(&mut Option<Recording>) -> T) -> T {
        let mut slot = guard(&self.recording);
        f(&mut slot)
    }

    /// Grants the page a token to play `grant` through the media protocol.
    pub fn grant_media(&self, grant: Grant) -> String {
        let mut bytes = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        guard(&self.media).insert(token.clone(), grant);
        token
    }

    pub fn media_grant(&self, token: &str) -> Option<Grant> {
        guard(&self.media).get(token).cloned()
    }

    /// Replaces the open vault (closing the previous one, which locks it).
    pub fn put_vault(&self, vault: Vault) {
        *guard(&self.vault) = Some(vault);
    }

    /// None: no vault open; Some(unlocked).
    pub fn vault_status(&self) -> Option<bool> {
        if self.locking.load(Ordering::SeqCst) {
            return Some(false);
        }
        guard(&self.vault).as_ref().map(Vault::is_unlocked)
    }

    /// From now on the vault counts as locked; `lock` finishes the job.
    pub fn begin_lock(&self) {
        self.locking.store(true, Ordering::SeqCst);
    }

    /// Drops the keys. Waits for a running operation (an export, say) to finish first;
    /// the page has already been cleared by then (see `commands::vault::lock`).
    pub fn lock(&self) -> Result<(), IpcError> {
        self.begin_lock();
        // A running recording is finished first (it becomes an attachment); its
        // thread needs the vault, so the vault's lock is taken only after it ends.
        self.stop_recording("lock");
        let mut slot = guard(&self.vault);
        let result = slot.as_mut().map_or(Ok(()), Vault::lock);
        guard(&self.grants).clear();
        guard(&self.media).clear();
        self.locking.store(false, Ordering::SeqCst);
        Ok(result?)
    }

    /// Stops a running recording and waits, a few seconds at most, for it to become an
    /// attachment. The recording's slot stays taken meanwhile, so a stop and a lock
    /// cannot race: the lock waits here rather than dropping the keys under a finish.
    /// A recording that does not end in time (a hung audio driver) is left to the
    /// next unlock's recovery: locking must never wait without limit.
    pub fn stop_recording(&self, why: &str) {
        let mut slot = guard(&self.recording);
        if let Some(recording) = slot.take() {
            match recording.stop_within(STOP_WAIT) {
                Some(Ok(_)) => {}
                Some(Err(e)) => eprintln!("kua-desktop: recording stopped by {why}: {}", e.code),
                None => eprintln!("kua-desktop: recording did not stop in time on {why}"),
            }
        }
    }

    pub fn grant(&self, paths: impl IntoIterator<Item = PathBuf>) {
        guard(&self.grants).extend(paths);
    }

    /// The path, if the user granted it.
    pub fn granted(&self, path: &Path) -> Result<PathBuf, IpcError> {
        if guard(&self.grants).contains(path) {
            Ok(path.to_path_buf())
        } else {
            Err(IpcError::not_granted())
        }
    }

    pub fn touch(&self) {
        *guard(&self.activity) = Instant::now();
    }

    pub fn idle_for(&self) -> std::time::Duration {
        guard(&self.activity).elapsed()
    }
}
