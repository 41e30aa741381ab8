//! Vault secrets and settings: small named values sealed under the secrets subkey: the
//! device signing key, the age identity, the address book, what is known of each
//! sender, the records of recordings in progress.
//!
//! Rollback. A row put back from an older copy of the vault (an old recipient key, a
//! shorter open recording) must not pass for the current one. So since format 2 every
//! row carries a revision, one more on every write, sealed with its value (`rev (u32)
//! || value`, AAD (vault, "secret2", name)), so that the disk shows no count of changes;
//! and every write is logged in the custody log, in the same transaction, with the
//! revision (`version`) and a keyed digest of the row (`content_hash`). Reading a
//! setting checks it against its last logged state (the log is walked once per unlock,
//! then only the entries appended since are read), so a rolled-back recipient list is refused before an
//! export can use it; `verify` checks every row. The one exception is a recording's
//! record, rewritten on every flush (once a second): it is logged when it starts and
//! then every 30 revisions, and recovery checks it against the log.

use crate::crypto::{hex, open_padded, seal_padded, Aad};
use crate::custody::Entry;
use crate::error::{Error, Result};
use crate::vault::Ctx;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

mod logged;
mod verify;
pub(crate) use logged::{logged_settings, LoggedCache};
pub(crate) use verify::verify_settings;

/// The binding of a format-1 row (no revision); read only to migrate it.
pub(crate) fn aad_v1(vault: &uuid::Uuid, name: &str) -> Aad {
    Aad::new(vault, "secret").with(name.as_bytes())
}

pub(crate) fn aad(vault: &uuid::Uuid, name: &str) -> Aad {
    Aad::new(vault, "secret2").with(name.as_bytes())
}

/// Seals a row's revision and value (format 2).
pub(crate) fn seal_row(
    seams: &mut crate::seams::Seams,
    secrets: &crate::crypto::Key,
    vault: &uuid::Uuid,
    name: &str,
    rev: u32,
    value: &[u8],
) -> Result<Vec<u8>> {
    let mut plain = Zeroizing::new(Vec::with_capacity(4 + value.len()));
    plain.extend_from_slice(&rev.to_be_bytes());
    plain.extend_from_slice(value);
    seal_padded(seams, secrets, &plain, &aad(vault, name))
}

/// Opens a format-2 row: its revision and value.
pub(crate) fn open_row(
    secrets: &crate::crypto::Key,
    vault: &uuid::Uuid,
    name: &str,
    sealed: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, u32)> {
    let plain = open_padded(secrets, sealed, &aad(vault, name), name)?;
    let rev: [u8; 4] = plain
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::integrity(name.to_string()))?;
    Ok((Zeroizing::new(plain[4..].to_vec()), u32::from_be_bytes(rev)))
}

fn is_recording(name: &str) -> bool {
    name.starts_with("recording:")
}

/// The keyed digest of a row's state: HMAC under the secrets subkey, so the log (which
/// bundles carry) reveals nothing of the value.
pub(crate) fn digest(secrets: &crate::crypto::Key, name: &str, rev: u32, value: &[u8]) -> String {
    let mut data = Zeroizing::new(Vec::with_capacity(name.len() + value.len() + 32));
    data.extend_from_slice(b"kua secret state v2\n");
    data.extend_from_slice(&(name.len() as u32).to_be_bytes());
    data.extend_from_slice(name.as_bytes());
    data.extend_from_slice(&rev.to_be_bytes());
    data.extend_from_slice(value);
    hex(&secrets.mac(&data))
}

/// A setting read and checked against the log: the row as stored, its value, and its
/// state (revision and digest), which is the log's last for it.
pub(crate) struct StoredSecret {
    pub sealed: Vec<u8>,
    pub value: Zeroizing<Vec<u8>>,
    pub state: SecretState,
}

/// What a write left: the row's new revision and its digest, for the log entry that
/// must accompany the write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecretState {
    pub rev: u32,
    pub digest: String,
}

impl SecretState {
    /// The log entry fields of this state: `version` is the revision, `content_hash` the
    /// digest.
    pub(crate) fn change(&self, detail: Option<String>) -> crate::custody::Change {
        crate::custody::Change {
            record: None,
            version: Some(self.rev),
            content_hash: Some(self.digest.clone()),
            detail,
        }
    }
}

impl Ctx<'_> {
    pub(crate) fn secret_digest(&self, name: &str, rev: u32, value: &[u8]) -> String {
        digest(&self.keys.sub.secrets, name, rev, value)
    }

    /// A row's value and revision, opened (None when there is no such row). Not checked
    /// against the log: recordings and verification use it.
    pub(crate) fn read_secret_rev(&self, name: &str) -> Result<Option<(Zeroizing<Vec<u8>>, u32)>> {
        self.sealed_secret(name)?
            .map(|sealed| open_row(&self.keys.sub.secrets, &self.vault, name, &sealed))
            .transpose()
    }

    /// A row as stored, still sealed (None when there is no such row). Nothing is
    /// checked: a caller that compares it with a row it wrote itself learns whether the
    /// row is still that one, without opening it.
    pub(crate) fn sealed_secret(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .db
            .query_row(
                "SELECT body FROM secret WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// A setting's last logged (revision, digest). The whole log is walked on first use
    /// after unlock; after that only the entries appended since are read, so a read
    /// after a write costs the entries of that write, not the whole log (which, in a
    /// coordinator's vault, holds an entry for every record ever imported). What is
    /// kept reflects committed entries only (those before `keys.tail`, which advances
    /// when a transaction commits): the entries of an open transaction are folded in
    /// but not kept, since a rollback may remove them.
    fn logged_state(&self, name: &str) -> Result<Option<(u32, String)>> {
        let custody_key = &self.keys.sub.custody;
        let mut cache = self.keys.logged_settings.borrow_mut();
        let newer = match cache.as_ref() {
            Some(c) => crate::custody::entries_after(self.db, &self.vault, custody_key, c.tail)?,
            None => None,
        };
        let (mut kept, newer) = match (cache.take(), newer) {
            (Some(c), Some(newer)) => (c, newer),
            _ => (LoggedCache::default(), self.whole_log()?),
        };
        let committed = newer.partition_point(|e| e.seq < self.keys.tail.size);
        kept.advance(&newer[..committed]);
        let state = logged_settings(&newer[committed..])
            .remove(name)
            .or_else(|| kept.settings.get(name).cloned());
        *cache = Some(kept);
        Ok(state)
    }

    fn whole_log(&self) -> Result<Vec<Entry>> {
        let (entries, _) =
            crate::custody::walk(self.db, &self.vault, &self.keys.sub.custody, None)?;
        Ok(entries)
    }

    /// A setting's value, refused unless it is the state the log last recorded: a row put
    /// back from an older copy (or removed, or changed outside Kua) is an integrity error,
    /// before anything (an export to an old recipient) can use it.
    pub(crate) fn read_secret(&self, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
        Ok(self.read_secret_sealed(name)?.map(|row| row.value))
    }

    /// `read_secret`, with the row as stored and its state: what a caller that keeps the
    /// decoded value needs in order to tell, later, that the setting is still the same
    /// (`secret_unchanged`), and to write the next revision (`write_secret_after`).
    pub(crate) fn read_secret_sealed(&self, name: &str) -> Result<Option<StoredSecret>> {
        let sealed = self.sealed_secret(name)?;
        let row = match sealed {
            Some(sealed) => {
                let (value, rev) = open_row(&self.keys.sub.secrets, &self.vault, name, &sealed)?;
                let state = SecretState {
                    rev,
                    digest: self.secret_digest(name, rev, &value),
                };
                Some(StoredSecret {
                    sealed,
                    value,
                    state,
                })
            }
            None => None,
        };
        let logged = self.logged_state(name)?;
        let place = || {
            format!("setting {name} (not the state the custody log last recorded: put back from an older copy of the vault, or changed outside Kua)")
        };
        match (&row, &logged) {
            (None, None) => {}
            (Some(row), Some((want_rev, want)))
                if row.state.rev == *want_rev && row.state.digest == *want => {}
            _ => return Err(Error::integrity(place())),
        }
        Ok(row)
    }

    /// Whether a setting is still what the caller read or wrote earlier while unlocked:
    /// the row is byte for byte `sealed`, and the custody log's last state for it is
    /// still `state`, the row's own. `read_secret` would accept such a row and return
    /// the value the caller already has, so the caller may use that value without
    /// opening the row again. Both halves matter. A row put back from an older copy
    /// differs from `sealed` (every write seals under a fresh nonce). And a row that is
    /// `sealed` again after a later write (by another process of this user working on
    /// the same file, or by a key rotation) is put back, and the log, which recorded
    /// that write, no longer ends at `state`. (This process's own next write after
    /// another process's would fail anyway, on the log position it holds; a read, such
    /// as a verify of a bundle, would not.)
    pub(crate) fn secret_unchanged(
        &self,
        name: &str,
        sealed: &[u8],
        state: &SecretState,
    ) -> Result<bool> {
        if self.sealed_secret(name)?.as_deref() != Some(sealed) {
            return Ok(false);
        }
        Ok(self.logged_state(name)?.as_ref() == Some(&(state.rev, state.digest.clone())))
    }

    /// Writes a row at its next revision and returns the state the caller must log in
    /// the same transaction (see the module documentation). The next revision is past
    /// both the stored and the logged one, so a damaged row can still be replaced.
    pub(crate) fn write_secret(
        &mut self,
        tx: &Connection,
        name: &str,
        value: &[u8],
    ) -> Result<SecretState> {
        let stored = self.read_secret_rev(name).ok().flatten().map(|(_, r)| r);
        self.write_secret_after(tx, name, value, stored)
            .map(|(state, _)| state)
    }

    /// `write_secret` over a row whose revision the caller learnt in this transaction
    /// (read with `read_secret_sealed`, or confirmed with `secret_unchanged`), or None
    /// for no row; returns the row as stored too. The caller's revision saves opening
    /// the row a second time in one transaction: for every sender's state, in a
    /// coordinator's vault, that is decrypting hundreds of kilobytes at each import.
    pub(crate) fn write_secret_after(
        &mut self,
        tx: &Connection,
        name: &str,
        value: &[u8],
        stored: Option<u32>,
    ) -> Result<(SecretState, Vec<u8>)> {
        // A recording's record is written once a second and logged only now and then:
        // its next revision comes from the row alone, without walking the log.
        let logged = if is_recording(name) {
            None
        } else {
            self.logged_state(name)?.map(|(r, _)| r)
        };
        let rev = stored
            .max(logged)
            .unwrap_or(0)
            .checked_add(1)
            .ok_or_else(|| {
                Error::integrity(format!("setting {name} (revision counter exhausted)"))
            })?;
        self.put_sealed(tx, name, value, rev)
    }

    /// Writes a row at the given revision (migration and key rotation use it). The
    /// caller logs the new state; the next read finds that entry after the cached tail.
    pub(crate) fn put_secret(
        &mut self,
        tx: &Connection,
        name: &str,
        value: &[u8],
        rev: u32,
    ) -> Result<SecretState> {
        self.put_sealed(tx, name, value, rev)
            .map(|(state, _)| state)
    }

    /// `put_secret`, returning the row as stored too.
    fn put_sealed(
        &mut self,
        tx: &Connection,
        name: &str,
        value: &[u8],
        rev: u32,
    ) -> Result<(SecretState, Vec<u8>)> {
        let sealed = seal_row(
            self.seams,
            &self.keys.sub.secrets,
            &self.vault,
            name,
            rev,
            value,
        )?;
        tx.execute(
            "INSERT INTO secret (name, body) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET body = excluded.body",
            params![name, sealed],
        )?;
        let state = SecretState {
            rev,
            digest: self.secret_digest(name, rev, value),
        };
        Ok((state, sealed))
    }

    /// A JSON setting, or its default when not set yet.
    pub(crate) fn read_setting<T: serde::de::DeserializeOwned + Default>(
        &self,
        name: &str,
    ) -> Result<T> {
        match self.read_secret(name)? {
            None => Ok(T::default()),
            Some(bytes) => {
                serde_json::from_slice(&bytes).map_err(|_| Error::integrity(name.to_string()))
            }
        }
    }

    /// Every row's name and current state (value opened and digested); a row that does
    /// not open is reported as `Err(place)`.
    pub(crate) fn secret_states(&self) -> Result<BTreeMap<String, Result<SecretState, String>>> {
        let names: Vec<String> = self
            .db
            .prepare("SELECT name FROM secret")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = BTreeMap::new();
        for name in names {
            let state = match self.read_secret_rev(&name) {
                Ok(Some((value, rev))) => Ok(SecretState {
                    rev,
                    digest: self.secret_digest(&name, rev, &value),
                }),
                Ok(None) => continue,
                Err(_) => Err(format!("setting {name}")),
            };
            out.insert(name, state);
        }
        Ok(out)
    }
}
