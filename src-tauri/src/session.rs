//! The app's one piece of state: the vault (absent, locked or unlocked), the settings,
//! the files the user has granted to the page, and the time of the last input.

use crate::error::IpcError;
use crate::grants::{Access, Grants};
use crate::home::Home;
use crate::media::{Grant, Remux};
use crate::recorder::{Recording, STOP_WAIT};
use crate::settings::Settings;
use kua_analysis::persons::Linkage;
use kua_analysis::AnalysisSet;

mod erase;
mod linkage;
mod media;
use kua_core::Vault;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

#[derive(Debug)]
pub struct Session {
    pub home: Home,
    settings: Mutex<Settings>,
    vault: Mutex<Option<Vault>>,
    /// The open vault's file, kept apart from the vault so that checking a path
    /// against it never waits for an operation holding the vault; with it, where its key
    /// slots are, so that an erase never waits either.
    open_path: Mutex<Option<PathBuf>>,
    erase_layout: Mutex<Option<kua_core::EraseLayout>>,
    /// Paths the user chose in a dialog or dropped on the window, and for what (see
    /// grants.rs). Commands that read or write a file take only these.
    grants: Mutex<Grants>,
    /// Media the page may play, by random token (see media.rs).
    media: Mutex<HashMap<String, Grant>>,
    /// The WebM remuxes of the recordings the page streams now, the latest last: two at
    /// most (see media.rs).
    remux: Mutex<Vec<Remux>>,
    /// Held while a whole remux is made, so that the ranges a page asks for side by side
    /// wait for one remux instead of each making its own.
    remux_build: Mutex<()>,
    /// The recording running now, if any (see recorder.rs).
    recording: Mutex<Option<Recording>>,
    /// When the shell last saw real input (boot-clock milliseconds, see `boot_ms`).
    input_at: AtomicU64,
    /// When a running recording last produced audio (the same clock).
    audio_at: AtomicU64,
    /// Whether the open vault is unlocked, kept beside it so that the idle lock never
    /// waits behind an operation holding the vault.
    unlocked: AtomicBool,
    /// Set from the moment a lock is asked for until the keys are gone: no command may
    /// use the vault in between, and the page is told it is locked.
    locking: AtomicBool,
    /// The coordinator's analysis set (codes of every counted record, in memory only),
    /// with the vault's change mark it was built at and whether it counts drafts. It is
    /// rebuilt when the vault has changed and dropped on lock and when another vault
    /// opens.
    analysis: Mutex<Option<(u64, bool, AnalysisSet)>>,
    /// Linkage of the vault's records into persons (names only as matching keys, in
    /// memory), with the change mark it was built at; a decision moves the mark. Built
    /// on first use, dropped like the analysis set (see session/linkage.rs).
    linkage: Mutex<Option<(u64, Arc<Linkage>)>>,
    /// Held while linkage is built, outside the vault's lock, so that two builds never
    /// run at once and a lock never waits for one.
    building: Mutex<()>,
    /// One more on every lock and every vault opened: a linkage built across a change
    /// of epoch belongs to keys that are gone, and is dropped.
    epoch: AtomicU64,
}

/// Recorded audio keeps the vault unlocked at most this long after the last real input.
pub const UNATTENDED: Duration = Duration::from_secs(4 * 3600);

/// Milliseconds on the boot clock (CLOCK_BOOTTIME), which, unlike `Instant`, counts the
/// time the machine was suspended.
pub fn boot_ms() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
    (t.tv_sec as u64)
        .saturating_mul(1000)
        .saturating_add(t.tv_nsec as u64 / 1_000_000)
}

/// Idle time at `now`, given the last real input and the last recorded audio (all in
/// boot-clock milliseconds); audio counts only up to `UNATTENDED` after the input.
fn idle(now: u64, input: u64, audio: u64) -> Duration {
    let audio = audio.min(input.saturating_add(UNATTENDED.as_millis() as u64));
    Duration::from_millis(now.saturating_sub(input.max(audio)))
}

/// The open vault, or the error that says none is.
fn present(slot: &mut Option<Vault>) -> Result<&mut Vault, IpcError> {
    slot.as_mut()
        .ok_or_else(|| IpcError::new("no_vault_open", "no vault is open; create or open one"))
}

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
            open_path: Mutex::new(None),
            erase_layout: Mutex::new(None),
            grants: Mutex::new(Grants::default()),
            media: Mutex::new(HashMap::new()),
            remux: Mutex::new(Vec::new()),
            remux_build: Mutex::new(()),
            recording: Mutex::new(None),
            analysis: Mutex::new(None),
            linkage: Mutex::new(None),
            building: Mutex::new(()),
            epoch: AtomicU64::new(0),
            input_at: AtomicU64::new(boot_ms()),
            audio_at: AtomicU64::new(0),
            unlocked: AtomicBool::new(false),
            locking: AtomicBool::new(false),
        }
    }

    pub fn settings(&self) -> Settings {
        guard(&self.settings).clone()
    }

    /// Saves and applies the settings, the idle lock brought within its bounds.
    pub fn set_settings(&self, new: Settings) -> Result<(), IpcError> {
        let new = new.clamped();
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
        let mut slot = guard(&self.vault);
        if self.locking.load(Ordering::SeqCst) {
            return Err(kua_core::Error::Locked.into());
        }
        let vault = present(&mut slot)?;
        let result = f(vault);
        self.unlocked.store(vault.is_unlocked(), Ordering::SeqCst);
        if result.is_err() && !vault.path().exists() {
            // Erased by too many wrong passphrases (kua-core guard.rs): forget it.
            drop(slot);
            self.forget_vault_if_gone();
        }
        // A lock that began while `f` ran has cleared the page: what `f` read must not
        // be answered into the page that replaced it.
        if self.locking.load(Ordering::SeqCst) {
            return Err(kua_core::Error::Locked.into());
        }
        Ok(result?)
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
        let vault = present(&mut slot)?;
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
        let vault = present(&mut slot)?;
        Ok(Some(f(vault)?))
    }

    /// The running recording, if any; one that ended on its own is cleared here.
    pub fn recording<T>(&self, f: impl FnOnce(&mut Option<Recording>) -> T) -> T {
        let mut slot = guard(&self.recording);
        f(&mut slot)
    }

    /// Replaces the open vault (closing the previous one, which locks it). Grants of
    /// the session before do not carry over to another vault.
    pub fn put_vault(&self, vault: Vault) {
        *guard(&self.open_path) = Some(vault.path().to_path_buf());
        *guard(&self.erase_layout) = vault.erase_layout();
        self.unlocked.store(vault.is_unlocked(), Ordering::SeqCst);
        // What was built of the previous vault goes before the new one is in place, under
        // the vault's lock, so no command can pair one vault's persons with another's.
        let mut slot = guard(&self.vault);
        self.epoch.fetch_add(1, Ordering::SeqCst);
        *guard(&self.analysis) = None;
        *guard(&self.linkage) = None;
        // Grants of the previous vault, media and their remuxes included, end before the
        // new vault is in place: no token of one vault is ever looked up in another.
        self.end_grants();
        self.clear_media();
        *slot = Some(vault);
    }

    /// None: no vault open; Some(unlocked). Never waits for an operation holding the
    /// vault (an hour-long attachment must not hold off the idle lock).
    pub fn vault_status(&self) -> Option<bool> {
        if self.locking.load(Ordering::SeqCst) {
            return Some(false);
        }
        guard(&self.open_path)
            .as_ref()
            .map(|_| self.unlocked.load(Ordering::SeqCst))
    }

    /// Whether a lock was asked for and has not finished yet.
    pub fn is_locking(&self) -> bool {
        self.locking.load(Ordering::SeqCst)
    }

    /// From now on the vault counts as locked; `lock` finishes the job.
    pub fn begin_lock(&self) {
        self.locking.store(true, Ordering::SeqCst);
        self.end_grants();
        // The decrypted remuxes go now, not when the vault's lock is free: an operation
        // holding the vault (an hour-long import) must not keep them in memory.
        self.clear_media();
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
        self.epoch.fetch_add(1, Ordering::SeqCst);
        *guard(&self.analysis) = None;
        *guard(&self.linkage) = None;
        self.unlocked.store(false, Ordering::SeqCst);
        // Again, for a dialog answered while the lock waited.
        self.end_grants();
        self.clear_media();
        // What the vault held, wiped as it was freed, leaves the process's memory.
        kua_wipe::trim();
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
            // Its end, with the markers' notes, goes to no page: a lock or an erase has
            // cleared the page (a channel's message is evaluated in whatever page is
            // current), and a closed window has none.
            recording.unwatch();
            if let Err(e) = recording.stop(STOP_WAIT) {
                eprintln!("kua-desktop: recording stopped by {why}: {}", e.code);
            }
        }
    }

    /// The session a dialog opens in; its answer is granted for that session only.
    pub fn grant_epoch(&self) -> u64 {
        guard(&self.grants).epoch()
    }

    pub fn grant(&self, epoch: u64, access: Access, paths: impl IntoIterator<Item = PathBuf>) {
        guard(&self.grants).grant(epoch, access, paths);
    }

    /// Ends the grants of this session: called on lock, unlock and when another vault
    /// is opened, so nothing chosen before carries into the next session.
    pub fn end_grants(&self) {
        guard(&self.grants).end_session();
    }

    /// The path, if the user granted it for reading.
    pub fn readable(&self, path: &Path) -> Result<PathBuf, IpcError> {
        guard(&self.grants).read(path)
    }

    /// The path, if the user granted it for writing; the grant is used up. The vault's
    /// own files (the open one, and the one the settings name if it exists) are refused
    /// whatever was granted.
    pub fn writable(&self, path: &Path) -> Result<PathBuf, IpcError> {
        let mut protected: Vec<PathBuf> = guard(&self.open_path).iter().cloned().collect();
        protected.extend(Some(self.vault_path()).filter(|p| p.exists()));
        guard(&self.grants).write(path, &protected)
    }

    /// `writable`, for a file written with its signature beside it (`FILE.minisig`, as
    /// minisign names it): the grant for the file covers its signature, which must not
    /// be a vault file either.
    pub fn writable_signed(&self, path: &Path) -> Result<PathBuf, IpcError> {
        let path = self.writable(path)?;
        let sig = kua_report::signature_path(&path);
        let mut protected: Vec<PathBuf> = guard(&self.open_path).iter().cloned().collect();
        protected.push(self.vault_path());
        if protected
            .iter()
            .any(|p| crate::grants::is_vault_file(&sig, p))
        {
            return Err(IpcError::new(
                "vault_not_writable",
                "the vault itself cannot be written over; choose another file",
            ));
        }
        Ok(path)
    }

    /// The path, if the user picked it as a vault to open; the grant is used up.
    pub fn vault_to_open(&self, path: &Path) -> Result<PathBuf, IpcError> {
        guard(&self.grants).open_vault(path)
    }

    /// The path, if the user granted it for `access` (see the three above).
    pub fn granted(&self, path: &Path, access: Access) -> Result<PathBuf, IpcError> {
        match access {
            Access::Read => self.readable(path),
            Access::Write => self.writable(path),
            Access::OpenVault => self.vault_to_open(path),
        }
    }

    /// Real input the shell observed (input.rs), or an unlock (someone typed the
    /// passphrase): activity for the idle lock. No command the page calls counts, so a
    /// page cannot keep the vault open by calling commands.
    pub fn touch(&self) {
        self.input_at.store(boot_ms(), Ordering::SeqCst);
    }

    /// Recorded audio: activity too, so the idle lock does not cut an interview short,
    /// but only for `UNATTENDED` after the last real input, so a page that starts a
    /// recording cannot keep a laptop left alone unlocked for good.
    pub fn heard(&self) {
        self.audio_at.store(boot_ms(), Ordering::SeqCst);
    }

    /// How long since the last activity. Measured on the boot clock, which runs on while
    /// the laptop is suspended: a lid closed with the vault unlocked counts as idle.
    pub fn idle_for(&self) -> Duration {
        idle(
            boot_ms(),
            self.input_at.load(Ordering::SeqCst),
            self.audio_at.load(Ordering::SeqCst),
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::grants::Access;
    use std::time::Duration;

    fn session(dir: &Path) -> Session {
        Session::new(Home {
            settings: dir.join("settings.json"),
            default_vault: dir.join("vault.kua"),
            webview: None,
        })
    }

    /// A session with a new, unlocked vault in `dir`.
    pub(crate) fn with_vault(dir: &Path) -> Session {
        let s = session(dir);
        let options = kua_core::CreateOptions {
            kdf: kua_core::crypto::KdfParams::INSECURE_FOR_TESTS,
            allow_weak_kdf: true,
        };
        let pass = SecretString::from("a passphrase for tests");
        let (vault, _) = Vault::create(
            &dir.join("vault.kua"),
            &pass,
            options,
            kua_core::Seams::system(),
        )
        .unwrap();
        s.put_vault(vault);
        s
    }

    use secrecy::SecretString;

    /// A command that read the vault while a lock began does not answer with what it
    /// read: the page that asked is gone, and the answer would land in the new one.
    #[test]
    fn what_a_command_read_while_a_lock_began_is_not_answered() {
        let dir = tempfile::tempdir().unwrap();
        let s = with_vault(dir.path());
        assert!(s.with_vault(|v| Ok(v.is_unlocked())).unwrap());
        let answer = s.with_vault(|v| {
            s.begin_lock();
            Ok(v.is_unlocked())
        });
        assert_eq!(answer.unwrap_err().code, "locked");
    }

    /// The attack: a page calls commands on a timer, and the vault never locks while
    /// the laptop is left alone.
    #[test]
    fn commands_the_page_calls_are_not_activity() {
        let dir = tempfile::tempdir().unwrap();
        let s = with_vault(dir.path());
        s.input_at.store(0, Ordering::SeqCst);
        let before = s.idle_for();
        for _ in 0..3 {
            s.with_vault(|v| Ok(v.vault_id())).unwrap();
            let _ = s.vault_status();
        }
        assert!(s.idle_for() >= before);
        s.touch();
        assert!(s.idle_for() < Duration::from_secs(5));
    }

    /// The attacks: a lid closed with the vault unlocked (the monotonic clock stops
    /// while suspended), and a page that starts a recording so that the vault never
    /// locks. Idleness is on the boot clock, and audio counts for `UNATTENDED` at most.
    #[test]
    fn suspended_time_counts_and_a_recording_keeps_the_vault_open_only_so_long() {
        let min = 60_000;
        // Ten minutes suspended after the last input: ten minutes idle.
        assert_eq!(idle(10 * min, 0, 0), Duration::from_secs(600));
        // An interview being recorded is not idle…
        assert_eq!(idle(60 * min, 0, 60 * min), Duration::ZERO);
        // …but a recording left running with nobody at the laptop is, after the cap.
        let cap = UNATTENDED.as_millis() as u64;
        assert_eq!(
            idle(cap + 30 * min, 0, cap + 30 * min),
            Duration::from_secs(1800)
        );
        // Real input restarts the allowance.
        assert_eq!(idle(cap + 30 * min, cap, cap + 30 * min), Duration::ZERO);
        // The boot clock itself runs.
        let a = boot_ms();
        std::thread::sleep(Duration::from_millis(20));
        assert!(boot_ms() >= a + 15);
    }

    /// The attack: an operation that holds the vault for hours (the page asks to attach
    /// a granted file a million times) kept the idle lock from even seeing the vault.
    #[test]
    fn the_idle_lock_sees_the_vault_while_an_operation_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = std::sync::Arc::new(with_vault(dir.path()));
        assert_eq!(s.vault_status(), Some(true));
        let held = std::sync::Arc::clone(&s);
        let (holding, is_holding) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        // The operation holds the vault until the status was read: if reading it waited
        // for the vault, the two would wait for each other.
        let worker = std::thread::spawn(move || {
            held.with_vault(|_| {
                holding.send(()).unwrap();
                released.recv().unwrap();
                Ok(())
            })
        });
        is_holding.recv().unwrap();
        let asking = std::sync::Arc::clone(&s);
        let (answer, answered) = std::sync::mpsc::channel();
        std::thread::spawn(move || answer.send(asking.vault_status()).unwrap());
        let status = answered.recv_timeout(Duration::from_secs(30));
        release.send(()).unwrap();
        assert_eq!(
            status,
            Ok(Some(true)),
            "the status waited for the operation"
        );
        worker.join().unwrap().unwrap();
    }

    #[test]
    fn the_page_cannot_switch_the_idle_lock_off() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(dir.path());
        for asked in [0, 1000] {
            s.set_settings(Settings {
                auto_lock_minutes: asked,
                ..Settings::default()
            })
            .unwrap();
            let kept = s.settings().auto_lock_minutes;
            assert!(
                crate::settings::AUTO_LOCK_MINUTES.contains(&kept),
                "{asked} kept as {kept}"
            );
            assert_eq!(Settings::load(&s.home.settings).auto_lock_minutes, kept);
        }
    }

    /// The attack: a file granted before a lock (or picked on the unlock screen) is
    /// still usable by the page in the next session.
    #[test]
    fn grants_do_not_survive_a_lock() {
        let dir = tempfile::tempdir().unwrap();
        let s = with_vault(dir.path());
        let read = dir.path().join("evidence.jpg");
        let write = dir.path().join("out.kua");
        let epoch = s.grant_epoch();
        s.grant(epoch, Access::Read, [read.clone()]);
        s.grant(epoch, Access::Write, [write.clone()]);
        s.lock().unwrap();
        assert_eq!(s.readable(&read).unwrap_err().code, "not_granted");
        assert_eq!(s.writable(&write).unwrap_err().code, "not_granted");
        // A dialog opened before the lock and answered after it grants nothing.
        s.grant(epoch, Access::Read, [read.clone()]);
        assert_eq!(s.readable(&read).unwrap_err().code, "not_granted");
        // Granted while locked, gone once a session begins.
        s.grant(s.grant_epoch(), Access::Read, [read.clone()]);
        assert!(s.readable(&read).is_ok());
        s.end_grants();
        assert_eq!(s.readable(&read).unwrap_err().code, "not_granted");
    }

    #[test]
    fn the_open_vault_is_refused_for_writing() {
        let dir = tempfile::tempdir().unwrap();
        let s = with_vault(dir.path());
        let vault = dir.path().join("vault.kua");
        s.grant(s.grant_epoch(), Access::Write, [vault.clone()]);
        assert_eq!(s.writable(&vault).unwrap_err().code, "vault_not_writable");
    }
}
