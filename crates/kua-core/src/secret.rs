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
use crate::custody::{Entry, Event};
use crate::error::{Error, Result};
use crate::vault::Ctx;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

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

/// The last logged (revision, digest) of every setting, from the custody log.
pub(crate) type LoggedSettings = BTreeMap<String, (u32, String)>;

pub(crate) fn logged_settings(entries: &[Entry]) -> LoggedSettings {
    let mut logged = LoggedSettings::new();
    for e in entries {
        if let (Some(name), Some(rev), Some(digest)) = (logged_name(e), e.version, &e.content_hash)
        {
            logged.insert(name, (rev, digest.clone()));
        }
    }
    logged
}

/// The logged settings as of the log's first `tail.size` entries.
#[derive(Debug)]
pub(crate) struct LoggedCache {
    settings: LoggedSettings,
    tail: crate::custody::Tail,
}

impl Default for LoggedCache {
    fn default() -> Self {
        LoggedCache {
            settings: LoggedSettings::new(),
            tail: crate::custody::Tail::EMPTY,
        }
    }
}

impl LoggedCache {
    /// Folds in `entries`, the ones that follow `tail`.
    fn advance(&mut self, entries: &[Entry]) {
        if let Some(last) = entries.last() {
            self.settings.extend(logged_settings(entries));
            self.tail = crate::custody::Tail {
                size: last.seq + 1,
                head: last.hash(),
            };
        }
    }
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

/// The setting a custody entry records the state of, if any.
pub(crate) fn logged_name(e: &Entry) -> Option<String> {
    match e.event {
        Event::VaultCreated => Some(crate::vault::SIGNING_KEY.into()),
        Event::IdentityChanged => Some(crate::identity::AGE_IDENTITY.into()),
        Event::RecipientsChanged => Some(crate::contacts::RECIPIENTS.into()),
        Event::TrustChanged => Some(crate::contacts::TRUSTED.into()),
        Event::RecordingStarted | Event::RecordingSaved => e
            .detail
            .as_ref()
            .map(|id| crate::recording::secret_name_str(id)),
        Event::SettingChanged | Event::LinkDecided => e.detail.clone(),
        _ => None,
    }
    // Entries written by format 1 carry no revision: they say nothing about rows.
    .filter(|_| e.version.is_some() && e.content_hash.is_some())
}

impl Ctx<'_> {
    pub(crate) fn secret_digest(&self, name: &str, rev: u32, value: &[u8]) -> String {
        digest(&self.keys.sub.secrets, name, rev, value)
    }

    /// A row's value and revision, opened (None when there is no such row). Not checked
    /// against the log: recordings and verification use it.
    pub(crate) fn read_secret_rev(&self, name: &str) -> Result<Option<(Zeroizing<Vec<u8>>, u32)>> {
        let sealed: Option<Vec<u8>> = self
            .db
            .query_row(
                "SELECT body FROM secret WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?;
        sealed
            .map(|sealed| open_row(&self.keys.sub.secrets, &self.vault, name, &sealed))
            .transpose()
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
        let row = self.read_secret_rev(name)?;
        let logged = self.logged_state(name)?;
        let place = || {
            format!("setting {name} (not the state the custody log last recorded: put back from an older copy of the vault, or changed outside Kua)")
        };
        match (&row, &logged) {
            (None, None) => {}
            (Some((value, rev)), Some((want_rev, want)))
                if rev == want_rev && self.secret_digest(name, *rev, value) == *want => {}
            _ => return Err(Error::integrity(place())),
        }
        Ok(row.map(|(v, _)| v))
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
        self.put_secret(tx, name, value, rev)
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
        Ok(SecretState {
            rev,
            digest: self.secret_digest(name, rev, value),
        })
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

/// Checks every setting against its last logged state (see the module documentation),
/// and reports recoveries that found a rolled-back recording and header damage.
pub(crate) fn verify_settings(
    ctx: &Ctx<'_>,
    entries: &[Entry],
    problem: &mut impl FnMut(&str, String, String),
) -> Result<()> {
    let logged = logged_settings(entries);
    let mut ended = std::collections::BTreeSet::new();
    let mut recordings_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in entries {
        match (e.event, &e.record, &e.detail) {
            (Event::RecordingRolledBack, _, Some(id)) => problem(
                "setting_rolled_back",
                format!("recording {id}"),
                "when it was recovered, the recording's record was older than its logged state: it had been put back from an older copy of the vault, and audio saved after that copy was lost".into(),
            ),
            (Event::AttachmentAdded, _, Some(id)) => {
                ended.insert(crate::recording::secret_name_str(id));
            }
            (Event::RecordingStarted, Some(t), Some(id)) => recordings_of
                .entry(t.clone())
                .or_default()
                .push(crate::recording::secret_name_str(id)),
            (Event::Deleted, Some(t), _) => {
                ended.extend(recordings_of.remove(t).unwrap_or_default());
            }
            _ => {}
        }
    }
    let states = ctx.secret_states()?;
    for (name, state) in &states {
        let place = format!("setting {name}");
        let state = match state {
            Ok(s) => s,
            Err(_) => {
                problem(
                    "setting_unreadable",
                    place,
                    "the setting does not decrypt at its revision: altered, damaged, or put back from an older copy".into(),
                );
                continue;
            }
        };
        match logged.get(name) {
            None => problem(
                "unlogged_setting",
                place,
                "the custody log has no entry for this setting: it was added outside Kua".into(),
            ),
            Some((rev, digest)) => {
                if state.rev < *rev || (state.rev == *rev && state.digest != *digest) {
                    problem(
                        "setting_rolled_back",
                        place,
                        format!("the setting is at revision {} but the log records revision {rev}: it was put back from an older copy of the vault", state.rev),
                    );
                } else if state.rev > *rev && !name.starts_with("recording:") {
                    problem(
                        "unlogged_setting",
                        place,
                        format!("the setting is at revision {} but the log records revision {rev}: it was changed outside Kua", state.rev),
                    );
                }
            }
        }
    }
    for name in logged.keys() {
        if !states.contains_key(name) && !ended.contains(name) {
            problem(
                "setting_missing",
                format!("setting {name}"),
                "the custody log records this setting but the vault no longer holds it".into(),
            );
        }
    }
    for part in &ctx.keys.header_damage {
        problem(
            "header_damaged",
            format!("vault header: {part}"),
            if *part == "recovery_slot" {
                "the recovery-key slot is damaged: the recovery key no longer opens the vault; make a new recovery key now, while the passphrase works".into()
            } else {
                "this part of the plaintext header does not match its MAC: it was altered or damaged".into()
            },
        );
    }
    Ok(())
}
