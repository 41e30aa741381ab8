//! Erase after too many failed unlocks: off by default, set by someone who has unlocked
//! the vault, for those who fear being made to try passphrases at a checkpoint.
//!
//! The limit and the count of failures since the last unlock live in a plaintext row
//! (`unlock_guard`), since they are needed before any key exists: they say only that the
//! guard is on. Every failed attempt, by passphrase or recovery key, is counted durably
//! before the answer is given, so that closing the app between attempts does not reset
//! it; only an unlock resets it, and only an unlocked vault changes the limit. When the
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

    /// Counts an unlock attempt's outcome: a success resets the count, a wrong
    /// passphrase or recovery key adds one and erases the vault at the limit.
    pub(crate) fn count_attempt(&mut self, outcome: Result<()>) -> Result<()> {
        let (limit, failures) = match read(self.db()) {
            Ok(state) => state,
            // An unreadable row must not stop an unlock; it guards nothing then.
            Err(_) => return outcome,
        };
        match &outcome {
            Ok(()) if failures > 0 => write(self.db(), limit, 0)?,
            Err(Error::WrongPassphrase) if limit.is_some() => {
                let failures = failures.saturating_add(1);
                write(self.db(), limit, failures)?;
                if limit.is_some_and(|l| failures >= l) {
                    self.forget_header_slots();
                    self.close_file()?;
                    crate::erase::erase_vault(self.path())?;
                }
            }
            _ => {}
        }
        outcome
    }
}
