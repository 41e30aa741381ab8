//! A new recovery key, and rotation of the vault key.
//!
//! Rotation is for a passphrase that may have leaked together with a copy of the vault:
//! the holder of that copy and that passphrase has the old vault key. After rotation
//! every record head, log entry and setting is sealed under a new vault key, the draft
//! testimonies get new record keys, and both ways in change (a new passphrase and a new
//! recovery key), so later copies of the file do not open with the old passphrase or
//! the old recovery key.
//!
//! What it does not do (docs/vault-format.md says the same): records that existed at
//! the rotation keep their record keys, so the holder of an old copy can still read, in
//! later copies, the sealed versions, consents, received records and attachments that
//! the old copy already held (they could read them in the old copy anyway); the chunk
//! row-id key is kept (rewriting every chunk row of a large vault would take as long as
//! copying it), so they can tell which chunk rows belong to the attachments they
//! already knew; and the device signing key and age identity stay, because
//! coordinators have pinned them: with them the holder can sign as this device and
//! read bundles sent to it. Replacing those is a new identity, announced to every
//! contact.

use crate::crypto::{seal, KdfParams, Key, RecoveryKey, Subkeys};
use crate::custody::{Change, Event};
use crate::error::{Error, Result};
use crate::records::Head;
use crate::store::{Header, Table};
use crate::vault::{slot_aad, Vault};
use rusqlite::{params, Connection, OptionalExtension};
use secrecy::{ExposeSecret, SecretString};

/// The chunk row-id key, stored once the vault key has been rotated (before that it is
/// derived from the vault key).
pub(crate) const CHUNK_IDS: &str = "chunk-ids-key";

/// The stored chunk row-id key, if the vault key was ever rotated.
pub(crate) fn stored_chunk_ids(db: &Connection, h: &Header, sub: &Subkeys) -> Result<Option<Key>> {
    if h.format < 2 {
        return Ok(None);
    }
    let row: Option<Vec<u8>> = db
        .query_row(
            "SELECT body FROM secret WHERE name = ?1",
            params![CHUNK_IDS],
            |r| r.get(0),
        )
        .optional()?;
    row.map(|sealed| {
        let (plain, _) = crate::secret::open_row(&sub.secrets, &h.vault_id, CHUNK_IDS, &sealed)?;
        Key::from_slice(&plain).ok_or_else(|| Error::integrity(CHUNK_IDS))
    })
    .transpose()
}

impl Vault {
    /// Replaces the recovery key (the old one stops working); the new one is returned
    /// to be shown once. Needs the vault unlocked.
    pub fn new_recovery_key(&mut self) -> Result<RecoveryKey> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let recovery = RecoveryKey::random(&mut self.seams);
        let mut header = self.header.clone();
        header.recovery_slot = seal(
            &mut self.seams,
            &recovery.kek(header.vault_id.as_bytes()),
            keys.vault_key.expose(),
            &slot_aad(&header, "recovery"),
        )?;
        self.store_header(header, Event::RecoveryKeyChanged, &["recovery_slot"])?;
        Ok(recovery)
    }

    /// Rotates the vault key and sets a new passphrase and a new recovery key (returned,
    /// to be shown once); see the module documentation for what this protects. One
    /// transaction: if it fails, nothing changed and the vault is locked.
    pub fn rotate_vault_key(
        &mut self,
        new_passphrase: &SecretString,
        kdf: Option<KdfParams>,
    ) -> Result<RecoveryKey> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        if !keys.recordings.is_empty() {
            return Err(Error::BadInput(
                "a recording is running; stop it before changing the vault key".into(),
            ));
        }
        let mut header = self.header.clone();
        if let Some(kdf) = kdf {
            crate::vault::check_new_kdf(&kdf)?;
            header.kdf = kdf;
        }
        let new_key = Key::random(&mut self.seams);
        let mut new_sub = Subkeys::derive(&new_key);
        new_sub.chunk_ids = Key::from_slice(keys.sub.chunk_ids.expose())
            .ok_or_else(|| Error::Storage("chunk-ids key".into()))?;
        let recovery = RecoveryKey::random(&mut self.seams);
        header.salt = self.seams.bytes::<16>().to_vec();
        let kek = header
            .kdf
            .derive(new_passphrase.expose_secret().as_bytes(), &header.salt)?;
        header.pass_slot = seal(
            &mut self.seams,
            &kek,
            new_key.expose(),
            &slot_aad(&header, "passphrase"),
        )?;
        header.recovery_slot = seal(
            &mut self.seams,
            &recovery.kek(header.vault_id.as_bytes()),
            new_key.expose(),
            &slot_aad(&header, "recovery"),
        )?;
        let result = self.rotate_in_place(new_key, new_sub, header);
        if result.is_err() {
            // The transaction rolled back; the keys in memory may be half-swapped.
            self.keys = None;
        }
        result.map(|()| recovery)
    }

    fn rotate_in_place(
        &mut self,
        new_key: Key,
        new_sub: Subkeys,
        mut header: Header,
    ) -> Result<()> {
        let vault = self.header.vault_id;
        let db = &self.db;
        let seams = &mut self.seams;
        let keys = self.keys.as_mut().ok_or(Error::Locked)?;
        let tx = db.unchecked_transaction()?;
        // Settings: read (and checked against the log) under the old keys first, then
        // (keys swapped) written at their next revision under the new ones and logged.
        let names: Vec<String> = tx
            .prepare("SELECT name FROM secret ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut values = Vec::new();
        {
            let ctx = crate::vault::Ctx {
                db,
                seams,
                vault,
                keys,
            };
            for name in names {
                // A recording's record is logged only now and then (secret.rs).
                let value = if name.starts_with("recording:") {
                    ctx.read_secret_rev(&name)?.map(|(v, _)| v)
                } else {
                    ctx.read_secret(&name)?
                };
                if let Some(v) = value {
                    values.push((name, v));
                }
            }
        }
        // Drafts get new record keys: their later edits are sealed under keys that no
        // old copy holds. Sealed versions are frozen and keep theirs.
        let drafts: Vec<(uuid::Uuid, u32)> = keys
            .catalog
            .testimonies
            .values()
            .filter_map(|versions| versions.last())
            .filter(|h| {
                crate::records::read_body(&tx, &vault, Table::Testimony, h)
                    .ok()
                    .and_then(|b| {
                        crate::testimony::decode::<crate::testimony::VersionBody>(&b, String::new)
                            .ok()
                    })
                    .is_some_and(|b| b.status == crate::model::Status::Draft)
            })
            .map(|h| (h.id, h.version))
            .collect();
        let is_draft = |h: &Head| drafts.contains(&(h.id, h.version));
        for table in [
            Table::Testimony,
            Table::Attachment,
            Table::Consent,
            Table::Received,
            Table::CaseEntry,
            Table::ReceivedCase,
        ] {
            let rekey: &dyn Fn(&Head) -> bool = if table == Table::Testimony {
                &is_draft
            } else {
                &|_| false
            };
            crate::records::rewrap_table(&tx, seams, &vault, (&keys.sub, &new_sub), table, rekey)?;
        }
        crate::custody::reseal_all(&tx, seams, &vault, &keys.sub.custody, &new_sub.custody)?;
        keys.sub = new_sub;
        keys.vault_key = new_key;
        let chunk_ids = zeroize::Zeroizing::new(keys.sub.chunk_ids.expose().to_vec());
        values.push((CHUNK_IDS.to_string(), chunk_ids));
        header.format = crate::store::FORMAT;
        header.downgraded = false;
        header.mac = crate::header::mac(&keys.sub.header, &header);
        let mut ctx = crate::vault::Ctx {
            db,
            seams,
            vault,
            keys,
        };
        let mut tail = ctx.keys.tail;
        for (name, value) in values {
            let state = ctx.write_secret(&tx, &name, &value)?;
            ctx.log(
                &tx,
                &mut tail,
                Event::SettingChanged,
                state.change(Some(name)),
            )?;
        }
        crate::store::write_header(&tx, &header, false)?;
        ctx.log(&tx, &mut tail, Event::KeyRotated, Change::default())?;
        tx.commit()?;
        // Committed: the file now opens only with the new keys, so the header in memory
        // follows at once, whatever happens next.
        ctx.keys.tail = tail;
        ctx.keys.header_damage = Vec::new();
        ctx.keys.search = None;
        // Every setting was rewritten under the new keys: a kept copy of the senders'
        // states stands for a row that is gone.
        ctx.keys.senders = None;
        // A bundle read ahead for the next import of a batch was read before the
        // rotation: its import reads it again.
        ctx.keys.ahead = None;
        let catalog = crate::catalog::Catalog::load(db, &vault, &ctx.keys.sub);
        self.header = header;
        let keys = self.keys.as_mut().ok_or(Error::Locked)?;
        keys.catalog = catalog?;
        Ok(())
    }
}
