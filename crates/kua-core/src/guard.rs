//! Erase after too many failed unlocks: off by default, set by someone who has unlocked
//! the vault, for those who fear being made to try passphrases at a checkpoint.
//!
//! The limit and the count of failures since the last unlock live in a plaintext row
//! (`unlock_guard`), since they are needed before any key exists: they say only that the
//! guard is on. Every attempt, by passphrase or recovery key, is counted as a failure
//! durably before the key derivation even starts, so that closing the app, or killing
//! it, between attempts does not reset it, and an attempt that cannot be counted is not
//! made; only an unlock takes the count back, and only an unlocked vault changes the
//! limit. When the
//! count reaches the limit the vault is erased (`erase::erase_vault`) and the attempt
//! answers as any wrong passphrase does: the person watching learns nothing more than
//! that the file is gone, on the next try.
//!
//! Someone who can write the file can reset the row, but could as well copy the file
//! and guess offline: the guard is against attempts made through Kua.

use crate::error::{Error, Result};
use crate::vault::Vault;
use rusqlite::{params, Connection, OptionalExtension};

/// The limit (None: off) and the failures counted since the last unlock.
pub(crate) fn read(db: &Connection) -> Result<(Option<u32>, u32)> {
    let row: Option<(u32, u32)> = db
        .query_row(
            "SELECT erase_after, failures FROM unlock_guard WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.map_or((None, 0), |(limit, failures)| {
        ((limit > 0).then_some(limit), failures)
    }))
}

fn write(db: &Connection, limit: Option<u32>, failures: u32) -> Result<()> {
    db.execute(
        "INSERT INTO unlock_guard (id, erase_after, failures) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET erase_after = excluded.erase_after, failures = excluded.failures",
        params![limit.unwrap_or(0), failures],
    )?;
    Ok(())
}

impl Vault {
    /// The erase-after limit (None: off) and the failed attempts since the last unlock;
    /// readable while locked, so that the unlock screen can warn.
    pub fn erase_after(&self) -> Result<(Option<u32>, u32)> {
        read(self.db())
    }

    /// Sets or clears the limit (at least 3, at most 100, so that a typo or two never
    /// erases a vault), on an unlocked vault only.
    pub fn set_erase_after(&mut self, limit: Option<u32>) -> Result<()> {
        self.ctx()?;
        if let Some(n) = limit {
            if !(3..=100).contains(&n) {
                return Err(Error::BadInput(format!(
                    "erase after {n} failed unlocks: choose between 3 and 100, so that a mistyped passphrase or two never erases the vault"
                )));
            }
        }
        write(self.db(), limit, 0)
    }

    /// Before an unlock attempt: with the guard on, counts it as a failure first,
    /// durably (an atomic increment, so that attempts in parallel processes all count).
    /// An attempt that cannot be counted (a full disk, a read-only mount) is refused:
    /// the guard must not fail open. Returns the limit and the count with this attempt.
    pub(crate) fn arm_attempt(&mut self) -> Result<Option<(u32, u32)>> {
        let (limit, _) = match read(self.db()) {
            Ok(state) => state,
            // No row, or one that does not read: the guard is off.
            Err(_) => return Ok(None),
        };
        let Some(limit) = limit else { return Ok(None) };
        // One statement, so that attempts in two processes never read the same count.
        let failures: u32 = self
            .db()
            .query_row(
                "UPDATE unlock_guard SET failures = failures + 1 WHERE id = 1 RETURNING failures",
                [],
                |r| r.get(0),
            )
            .map_err(|e| {
                Error::Storage(format!(
                    "this attempt could not be counted ({e}), so it was not made: free some space or make the vault writable, then try again"
                ))
            })?;
        Ok(Some((limit, failures)))
    }

    /// After an unlock attempt counted by `arm_attempt`: a success takes the count back
    /// to zero (as far as it can: the keys are in memory by then, and a failed reset
    /// only leaves the count higher); a wrong passphrase or recovery key at the limit
    /// erases the vault. Any other failure stays counted.
    pub(crate) fn settle_attempt(
        &mut self,
        armed: Option<(u32, u32)>,
        outcome: Result<()>,
    ) -> Result<()> {
        let Some((limit, failures)) = armed else {
            return outcome;
        };
        match &outcome {
            Ok(()) => {
                let _ = write(self.db(), Some(limit), 0);
            }
            Err(Error::WrongPassphrase) if failures >= limit => {
                // The slots go while this connection is still open: closing it first
                // would checkpoint and delete the log with the header's images in it.
                crate::erase::destroy_key_slots(self.path())?;
                self.close_for_erase()?;
                crate::erase::erase_vault(self.path())?;
            }
            _ => {}
        }
        outcome
    }
}
