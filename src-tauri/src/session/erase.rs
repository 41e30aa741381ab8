//! Quick erase from the app (kua-core erase.rs): the open vault, or the one the app
//! would open, destroyed for good, locked or not, without the passphrase; and a vault
//! the unlock guard erased forgotten.

use super::{guard, Session};
use crate::error::IpcError;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

impl Session {
    /// Forgets the open vault when its file is gone (erased after too many failed
    /// unlocks): the page then shows the start screen, not an unlock that cannot work.
    pub fn forget_vault_if_gone(&self) {
        let mut slot = guard(&self.vault);
        if slot.as_ref().is_some_and(|v| !v.path().exists()) {
            *slot = None;
            self.epoch.fetch_add(1, Ordering::SeqCst);
            *guard(&self.analysis) = None;
            *guard(&self.linkage) = None;
            *guard(&self.open_path) = None;
            *guard(&self.erase_layout) = None;
            self.unlocked.store(false, Ordering::SeqCst);
            self.end_grants();
            self.clear_media();
        }
    }

    /// Destroys the open vault, or the one the app would open, for good (kua-core's
    /// erase): its key slots go at once, then, once no operation holds the vault, the
    /// slots again (in case that operation wrote a page back), the connection is closed
    /// without a checkpoint and the file goes. Works while locked and needs no
    /// passphrase.
    pub fn erase(&self) -> Result<PathBuf, IpcError> {
        self.begin_lock();
        // The key slots go at once, without waiting for an operation that holds the
        // vault (an hour-long import) or for a recording to stop: the layout read at
        // open lets the erase write the file directly, whatever lock SQLite holds.
        let early = guard(&self.open_path).clone();
        let layout = *guard(&self.erase_layout);
        if let (Some(path), Some(layout)) = (&early, layout) {
            let _ = kua_core::destroy_key_slots_at(path, &layout);
        }
        self.stop_recording("erase");
        let mut slot = guard(&self.vault);
        let path = slot
            .as_ref()
            .map(|v| v.path().to_path_buf())
            .unwrap_or_else(|| self.vault_path());
        // The key slots go while the vault's connection is still open and idle (this
        // holds its lock): closing it first would checkpoint and delete the log with
        // the header's images in it. Then closing drops the keys and the connection.
        let slots = kua_core::destroy_key_slots(&path);
        if let Some(v) = slot.as_mut() {
            // No checkpoint on close: it would write the log's frames back over the
            // erased pages and delete the log unerased.
            let _ = v.close_for_erase();
        }
        *slot = None;
        self.epoch.fetch_add(1, Ordering::SeqCst);
        *guard(&self.analysis) = None;
        *guard(&self.linkage) = None;
        *guard(&self.open_path) = None;
        *guard(&self.erase_layout) = None;
        self.unlocked.store(false, Ordering::SeqCst);
        self.end_grants();
        self.clear_media();
        let result = slots.and_then(|()| kua_core::erase_vault(&path));
        drop(slot);
        self.locking.store(false, Ordering::SeqCst);
        result?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use crate::session::tests::with_vault;
    use std::time::Duration;

    #[test]
    fn erase_destroys_the_open_vault_and_forgets_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = with_vault(dir.path());
        let path = dir.path().join("vault.kua");
        assert_eq!(s.vault_status(), Some(true));
        assert_eq!(s.erase().unwrap(), path);
        assert!(!path.exists());
        assert_eq!(s.vault_status(), None);
        assert!(s.with_vault(|v| v.change_mark()).is_err());
        // Nothing left to erase: a clear error, not a panic.
        assert!(s.erase().is_err());
    }

    /// The key slots go while an operation still holds the vault (an hour-long import
    /// must not hold off an erase); the file goes once the operation ends.
    #[test]
    fn erase_destroys_the_slots_without_waiting_for_an_operation() {
        let dir = tempfile::tempdir().unwrap();
        let s = std::sync::Arc::new(with_vault(dir.path()));
        let path = dir.path().join("vault.kua");
        let held = std::sync::Arc::clone(&s);
        let (holding, is_holding) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        // An attachment whose content stops arriving after 4 MiB: by then SQLite has
        // spilled its cache and holds the file's exclusive lock (a bulk append), which
        // no reader gets past, as during an hour-long import.
        struct Stalled {
            sent: usize,
            holding: Option<std::sync::mpsc::Sender<()>>,
            released: std::sync::mpsc::Receiver<()>,
        }
        impl std::io::Read for Stalled {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.sent >= 4 << 20 {
                    if let Some(h) = self.holding.take() {
                        h.send(()).unwrap();
                        let _ = self.released.recv();
                    }
                    return Ok(0);
                }
                let n = buf.len().min(64 << 10);
                for (i, b) in buf[..n].iter_mut().enumerate() {
                    *b = (self.sent + i) as u8 ^ 0x5a;
                }
                self.sent += n;
                Ok(n)
            }
        }
        let worker = std::thread::spawn(move || {
            held.with_vault(|v| {
                let input: kua_core::model::TestimonyInput =
                    serde_json::from_value(serde_json::json!({
                        "template": "istanbul-2022", "language": "ru", "narrative": "…"
                    }))
                    .unwrap();
                let id = v.add(&input)?;
                let mut content = Stalled {
                    sent: 0,
                    holding: Some(holding),
                    released,
                };
                // Whether it commits once the erase has begun does not matter here.
                let _ = v.attach(
                    &id,
                    &mut content,
                    kua_core::NewAttachment::default(),
                    &mut kua_core::Silent,
                );
                Ok(())
            })
        });
        is_holding.recv().unwrap();
        let erasing = std::sync::Arc::clone(&s);
        let eraser = std::thread::spawn(move || erasing.erase());
        // While the operation holds the vault, the file stops being a vault.
        let mut gone = false;
        for _ in 0..300 {
            let magic = std::fs::read(&path)
                .map(|b| b.starts_with(b"SQLite format 3"))
                .unwrap_or(false);
            if !magic {
                gone = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        release.send(()).unwrap();
        assert!(gone, "the slots waited for the operation");
        // The operation's answer is withheld: the erase began while it ran.
        assert_eq!(worker.join().unwrap().unwrap_err().code, "locked");
        assert_eq!(eraser.join().unwrap().unwrap(), path);
        assert!(!path.exists());
    }
}
