//! The vault: one SQLite file, locked or unlocked.
//!
//! Key hierarchy: passphrase → Argon2id → KEK → unwraps the random vault key (passphrase
//! slot); recovery key → HKDF → KEK → unwraps the same vault key (recovery slot). The
//! vault key → HKDF → per-purpose subkeys. Changing the passphrase re-wraps the vault key
//! and touches nothing else. Locking drops every key (they zeroize on drop).

use crate::catalog::Catalog;
use crate::crypto::{open, seal, Aad, KdfParams, Key, RecoveryKey, Subkeys};
use crate::custody::{self, Appender, Change, Event, Tail};
use crate::error::{Error, Result};
use crate::seams::Seams;
use crate::search::SearchIndex;
use crate::store::{self, Header, FORMAT};
use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection};
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};
use uuid::Uuid;
use zeroize::Zeroizing;

/// How to create a vault.
#[derive(Debug, Clone, Copy)]
pub struct CreateOptions {
    pub kdf: KdfParams,
    /// Must be true to create a vault with parameters below the RFC 9106 floor. Only
    /// tests and demos do that, and their front ends must warn loudly.
    pub allow_weak_kdf: bool,
}

/// An open vault file. Most operations need it unlocked.
#[derive(Debug)]
pub struct Vault {
    pub(crate) path: PathBuf,
    pub(crate) db: Connection,
    pub(crate) header: Header,
    pub(crate) seams: Seams,
    pub(crate) keys: Option<Unlocked>,
    /// Where the key slots are in the file, read at open, so that an erase can go
    /// ahead without SQLite (erase.rs).
    pub(crate) erase_layout: Option<crate::erase::EraseLayout>,
}

/// Everything that exists only while the vault is unlocked.
#[derive(Debug)]
pub(crate) struct Unlocked {
    pub vault_key: Key,
    pub sub: Subkeys,
    pub signing: SigningKey,
    pub catalog: Catalog,
    pub tail: Tail,
    pub search: Option<SearchIndex>,
    /// What the testimony list filters and sorts by (listing.rs).
    pub listing: crate::listing::Listing,
    /// Recordings being captured now (see recording.rs); their buffers hold at most a
    /// few seconds of encoded audio.
    pub recordings: std::collections::BTreeMap<Uuid, crate::recording::Live>,
    /// The header parts whose MAC did not match at unlock (header.rs).
    pub header_damage: Vec<&'static str>,
    /// The last logged state of every setting, read from the whole log on first need
    /// and then from the entries appended since (secret.rs).
    pub logged_settings: std::cell::RefCell<Option<crate::secret::LoggedCache>>,
    /// Every sender's state as the last import committed it (or a verify, or an import
    /// that changed nothing, read it), beside the row it was stored as and that row's
    /// state (import/senders.rs).
    pub senders: Option<crate::import::KeptSenders>,
    /// The next bundle of a batch of imports, being read ahead (import/reading.rs).
    pub ahead: Option<crate::import::Ahead>,
}

pub(crate) const SIGNING_KEY: &str = "device-signing-key";
const SLOT_LAYOUT: u64 = 1;

/// The binding of a key slot. The passphrase slot also binds the KDF parameters and
/// salt, so a header edited to weaken them no longer opens. The recovery slot binds only
/// the vault, so a passphrase change (new salt) leaves it valid.
///
/// The slots bind the slot layout's version (1), not the header's format: the slots of
/// a format-1 vault stay valid when it is migrated (the format is covered by the header
/// MAC since format 2).
pub(crate) fn slot_aad(h: &Header, slot: &str) -> Aad {
    let aad = Aad::new(&h.vault_id, "slot")
        .with_u64(SLOT_LAYOUT)
        .with(slot.as_bytes());
    if slot == "passphrase" {
        let kdf = serde_json::to_vec(&h.kdf).unwrap_or_default();
        aad.with(&kdf).with(&h.salt)
    } else {
        aad
    }
}

/// Parameters a user may choose for a new passphrase: not below the floor, and not
/// beyond what a header may claim (header.rs).
pub(crate) fn check_new_kdf(kdf: &KdfParams) -> Result<()> {
    if kdf.is_below_floor() {
        return Err(Error::BadInput(format!(
            "KDF parameters {kdf:?} are below the floor (m=64 MiB, t=3, p=4)"
        )));
    }
    if kdf.m_kib > crate::header::MAX_M_KIB
        || kdf.t > crate::header::MAX_T
        || kdf.p > crate::header::MAX_P
    {
        return Err(Error::BadInput(format!(
            "KDF parameters {kdf:?} are above the ceiling (m=2 GiB, t=8, p=16)"
        )));
    }
    Ok(())
}

impl Vault {
    /// Creates a new vault at `path` and returns it unlocked, with the recovery key that
    /// the caller must show once.
    pub fn create(
        path: &Path,
        passphrase: &SecretString,
        options: CreateOptions,
        mut seams: Seams,
    ) -> Result<(Vault, RecoveryKey)> {
        if options.kdf.is_below_floor() && !options.allow_weak_kdf {
            return Err(Error::BadInput(format!(
                "KDF parameters {:?} are below the floor (m=64 MiB, t=3, p=4)",
                options.kdf
            )));
        }
        if path.exists() {
            return Err(Error::VaultExists(path.to_path_buf()));
        }
        let vault_key = Key::random(&mut seams);
        let recovery = RecoveryKey::random(&mut seams);
        let mut header = Header {
            format: FORMAT,
            vault_id: seams.uuid(),
            kdf: options.kdf,
            salt: seams.bytes::<16>().to_vec(),
            pass_slot: Vec::new(),
            recovery_slot: Vec::new(),
            mac: Vec::new(),
            downgraded: false,
        };
        let kek = header
            .kdf
            .derive(passphrase.expose_secret().as_bytes(), &header.salt)?;
        header.pass_slot = seal(
            &mut seams,
            &kek,
            vault_key.expose(),
            &slot_aad(&header, "passphrase"),
        )?;
        let rkek = recovery.kek(header.vault_id.as_bytes());
        header.recovery_slot = seal(
            &mut seams,
            &rkek,
            vault_key.expose(),
            &slot_aad(&header, "recovery"),
        )?;

        let db = store::open(path, true)?;
        let sub = Subkeys::derive(&vault_key);
        header.mac = crate::header::mac(&sub.header, &header);
        let mut seed = Zeroizing::new([0u8; 32]);
        seams.fill(seed.as_mut());
        let signing = SigningKey::from_bytes(&seed);
        let sealed = crate::secret::seal_row(
            &mut seams,
            &sub.secrets,
            &header.vault_id,
            SIGNING_KEY,
            1,
            signing.as_bytes(),
        )?;
        let digest = crate::secret::digest(&sub.secrets, SIGNING_KEY, 1, signing.as_bytes());
        let tx = db.unchecked_transaction()?;
        store::create_schema(&tx, &header)?;
        tx.execute(
            "INSERT INTO secret (name, body) VALUES (?1, ?2)",
            params![SIGNING_KEY, sealed],
        )?;
        let tail = Appender {
            vault: &header.vault_id,
            key: &sub.custody,
            signing: &signing,
        }
        .append(
            &tx,
            &mut seams,
            Tail::EMPTY,
            Event::VaultCreated,
            Change {
                version: Some(1),
                content_hash: Some(digest),
                ..Change::default()
            },
        )?;
        tx.commit()?;
        let erase_layout = crate::erase::EraseLayout::of(&db).ok();
        let vault = Vault {
            path: path.to_path_buf(),
            erase_layout,
            db,
            header,
            seams,
            keys: Some(Unlocked {
                vault_key,
                sub,
                signing,
                catalog: Catalog::default(),
                tail,
                search: None,
                listing: Default::default(),
                recordings: Default::default(),
                header_damage: Vec::new(),
                logged_settings: Default::default(),
                senders: None,
                ahead: None,
            }),
        };
        Ok((vault, recovery))
    }

    /// Opens an existing vault, locked.
    pub fn open(path: &Path, seams: Seams) -> Result<Vault> {
        if !path.is_file() {
            return Err(Error::NoVault(path.to_path_buf()));
        }
        // A vault is written as soon as it opens (its journal, recovery, the log); on a
        // drive mounted read-only SQLite fails in ways that look like damage.
        if store::on_read_only_drive(path) {
            return Err(Error::ReadOnly);
        }
        // Read-only first: nothing is written to a file until it is known to be a vault.
        store::probe(path)?;
        let db = store::open(path, false).map_err(|e| match e {
            Error::Integrity { .. } | Error::Storage(_) => Error::NotAVault(path.to_path_buf()),
            e => e,
        })?;
        let header = store::read_header(&db, path)?;
        store::upgrade(&db)?;
        Ok(Vault {
            path: path.to_path_buf(),
            erase_layout: crate::erase::EraseLayout::of(&db).ok(),
            db,
            header,
            seams,
            keys: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn db(&self) -> &rusqlite::Connection {
        &self.db
    }

    pub fn vault_id(&self) -> Uuid {
        self.header.vault_id
    }

    pub fn kdf_params(&self) -> KdfParams {
        self.header.kdf
    }

    pub fn is_unlocked(&self) -> bool {
        self.keys.is_some()
    }

    /// Unlocks with the passphrase. Takes about as long as the KDF is set to take.
    pub fn unlock(&mut self, passphrase: &SecretString) -> Result<()> {
        let armed = self.arm_attempt()?;
        let outcome = self.unlock_passphrase(passphrase);
        self.settle_attempt(armed, outcome)
    }

    fn unlock_passphrase(&mut self, passphrase: &SecretString) -> Result<()> {
        crate::header::check_passphrase_parts(&self.header)?;
        let kek = self
            .header
            .kdf
            .derive(passphrase.expose_secret().as_bytes(), &self.header.salt)?;
        let vault_key = self.unwrap_slot(&kek, "passphrase")?;
        self.finish_unlock(vault_key)
    }

    /// Unlocks with the recovery key (to set a new passphrase).
    pub fn unlock_with_recovery(&mut self, recovery: &RecoveryKey) -> Result<()> {
        let armed = self.arm_attempt()?;
        let outcome = self.unlock_recovery(recovery);
        self.settle_attempt(armed, outcome)
    }

    fn unlock_recovery(&mut self, recovery: &RecoveryKey) -> Result<()> {
        crate::header::check_recovery_part(&self.header)?;
        let kek = recovery.kek(self.header.vault_id.as_bytes());
        let vault_key = self.unwrap_slot(&kek, "recovery")?;
        self.finish_unlock(vault_key)
    }

    fn unwrap_slot(&self, kek: &Key, slot: &str) -> Result<Key> {
        let sealed = if slot == "passphrase" {
            &self.header.pass_slot
        } else {
            &self.header.recovery_slot
        };
        let plain = open(kek, sealed, &slot_aad(&self.header, slot), slot)
            .map_err(|_| Error::WrongPassphrase)?;
        Key::from_slice(&plain).ok_or(Error::WrongPassphrase)
    }

    fn finish_unlock(&mut self, vault_key: Key) -> Result<()> {
        let mut sub = Subkeys::derive(&vault_key);
        let vault_id = self.header.vault_id;
        let header_damage = if self.header.format >= 2 {
            crate::header::damaged_parts(&sub.header, &self.header)
        } else {
            Vec::new()
        };
        let seed = crate::migrate::read_signing_key(&self.db, &self.header, &sub)?;
        if let Some(ids) = crate::rotate::stored_chunk_ids(&self.db, &self.header, &sub)? {
            sub.chunk_ids = ids;
        }
        let signing = SigningKey::from_bytes(seed.expose());
        let catalog = Catalog::load(&self.db, &vault_id, &sub)?;
        let (tail, damaged_end) = match custody::load_tail(&self.db, &vault_id, &sub.custody) {
            Ok(tail) => (tail, None),
            Err(Error::Integrity { .. }) => {
                let (tail, end) = custody::salvage_tail(&self.db, &vault_id, &sub.custody)?;
                (tail, Some(end))
            }
            Err(e) => return Err(e),
        };
        self.keys = Some(Unlocked {
            vault_key,
            sub,
            signing,
            catalog,
            tail,
            search: None,
            listing: Default::default(),
            recordings: Default::default(),
            header_damage,
            logged_settings: Default::default(),
            senders: None,
            ahead: None,
        });
        if self.header.format < FORMAT {
            if let Err(e) = crate::migrate::upgrade(self) {
                self.keys = None;
                return Err(e);
            }
        }
        if let Some(end) = damaged_end {
            // The vault must stay usable (consent withdrawal, crypto-erase) even when the
            // end of its log was damaged: continue the chain from the last readable entry
            // and say so, signed. `verify` keeps naming the unreadable entry.
            self.ctx()?.log_now(
                Event::LogRepaired,
                Change {
                    detail: Some(format!("entry {end} unreadable")),
                    ..Change::default()
                },
            )?;
        }
        Ok(())
    }

    /// Forgets every key and the in-memory index, and truncates the WAL.
    pub fn lock(&mut self) -> Result<()> {
        self.keys = None;
        store::checkpoint(&self.db)
    }

    /// Sets a new passphrase (the vault must be unlocked, by passphrase or recovery
    /// key). Only the passphrase slot changes: new salt, new KEK, the same vault key, so
    /// no record is re-encrypted and the recovery key keeps working.
    pub fn change_passphrase(&mut self, new: &SecretString, kdf: Option<KdfParams>) -> Result<()> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        let mut header = self.header.clone();
        if let Some(kdf) = kdf {
            check_new_kdf(&kdf)?;
            header.kdf = kdf;
        } else if crate::header::check_passphrase_parts(&header).is_err() {
            // Unlocked by the recovery key with damaged KDF parameters: start again
            // from the floor rather than keep what no unlock can use.
            header.kdf = KdfParams::FLOOR;
        }
        header.salt = self.seams.bytes::<16>().to_vec();
        let kek = header
            .kdf
            .derive(new.expose_secret().as_bytes(), &header.salt)?;
        header.pass_slot = seal(
            &mut self.seams,
            &kek,
            keys.vault_key.expose(),
            &slot_aad(&header, "passphrase"),
        )?;
        self.store_header(
            header,
            Event::PassphraseChanged,
            &["kdf", "salt", "pass_slot"],
        )
    }

    /// Unlocks with the recovery key and sets a new passphrase, in one step.
    pub fn recover(
        &mut self,
        recovery: &RecoveryKey,
        new: &SecretString,
        kdf: Option<KdfParams>,
    ) -> Result<()> {
        self.unlock_with_recovery(recovery)?;
        self.change_passphrase(new, kdf)?;
        let header = self.header.clone();
        self.store_header(header, Event::Recovered, &[])
    }

    /// Writes a changed header (with its MAC) and logs why, in one transaction.
    ///
    /// Only the parts this change wrote (`rewritten`, and the format) get fresh tags: a
    /// part found damaged and not rewritten keeps its old tag and stays named, so that
    /// changing the passphrase cannot hide a damaged recovery slot.
    pub(crate) fn store_header(
        &mut self,
        mut header: Header,
        event: Event,
        rewritten: &[&str],
    ) -> Result<()> {
        let keys = self.keys.as_mut().ok_or(Error::Locked)?;
        header.format = FORMAT;
        header.downgraded = false;
        let keep = |part: &str| {
            part != "format" && !rewritten.contains(&part) && keys.header_damage.contains(&part)
        };
        header.mac = crate::header::retag(&keys.sub.header, &header, &self.header.mac, keep);
        self.ctx()?.transaction(|ctx, tx, tail| {
            store::write_header(tx, &header, false)?;
            ctx.log(tx, tail, event, Change::default())
        })?;
        let keys = self.keys.as_mut().ok_or(Error::Locked)?;
        keys.header_damage = crate::header::damaged_parts(&keys.sub.header, &header);
        self.header = header;
        Ok(())
    }

    /// Checks a passphrase against the passphrase slot without unlocking (before a
    /// passphrase change). Takes as long as an unlock's key derivation.
    pub fn check_passphrase(&mut self, passphrase: &SecretString) -> Result<()> {
        // Counted like an unlock (guard.rs): an unlocked window left alone must not be
        // an oracle for guessing the passphrase, which also opens older copies.
        let armed = self.arm_attempt()?;
        let outcome = self.passphrase_opens(passphrase);
        self.settle_attempt(armed, outcome)
    }

    fn passphrase_opens(&self, passphrase: &SecretString) -> Result<()> {
        crate::header::check_passphrase_parts(&self.header)?;
        let kek = self
            .header
            .kdf
            .derive(passphrase.expose_secret().as_bytes(), &self.header.salt)?;
        self.unwrap_slot(&kek, "passphrase").map(drop)
    }

    /// The header parts found damaged at unlock: a damaged recovery slot means the
    /// recovery key no longer works, and a new one should be made now.
    pub fn header_damage(&self) -> Result<Vec<String>> {
        let keys = self.keys.as_ref().ok_or(Error::Locked)?;
        Ok(keys.header_damage.iter().map(|p| p.to_string()).collect())
    }

    /// Splits the unlocked vault into disjoint borrows for one operation.
    pub(crate) fn ctx(&mut self) -> Result<Ctx<'_>> {
        let Vault {
            db,
            header,
            seams,
            keys,
            ..
        } = self;
        Ok(Ctx {
            db,
            seams,
            vault: header.vault_id,
            keys: keys.as_mut().ok_or(Error::Locked)?,
        })
    }
}

/// One operation's view of an unlocked vault.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub db: &'a Connection,
    pub seams: &'a mut Seams,
    pub vault: Uuid,
    pub keys: &'a mut Unlocked,
}

impl Ctx<'_> {
    /// Runs `f` in one transaction. `f` logs through the tail it is given; the vault
    /// adopts the advanced tail only once the transaction has committed.
    pub fn transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Self, &Connection, &mut Tail) -> Result<T>,
    ) -> Result<T> {
        let db = self.db;
        let tx = db.unchecked_transaction()?;
        let mut tail = self.keys.tail;
        let out = f(self, &tx, &mut tail)?;
        tx.commit()?;
        self.keys.tail = tail;
        Ok(out)
    }

    /// Logs one event in a transaction of its own.
    pub fn log_now(&mut self, event: Event, change: Change) -> Result<()> {
        self.transaction(|ctx, tx, tail| ctx.log(tx, tail, event, change))
    }

    /// Appends a custody entry inside the caller's transaction, advancing `tail`. The
    /// caller stores `tail` in `keys.tail` only after the transaction commits.
    pub fn log(
        &mut self,
        tx: &Connection,
        tail: &mut Tail,
        event: Event,
        change: Change,
    ) -> Result<()> {
        *tail = Appender {
            vault: &self.vault,
            key: &self.keys.sub.custody,
            signing: &self.keys.signing,
        }
        .append(tx, self.seams, *tail, event, change)?;
        Ok(())
    }

    /// Logs several changes in order, as `log` called for each would
    /// (`Appender::append_many`).
    pub fn log_many(
        &mut self,
        tx: &Connection,
        tail: &mut Tail,
        changes: Vec<(Event, Change)>,
    ) -> Result<()> {
        *tail = Appender {
            vault: &self.vault,
            key: &self.keys.sub.custody,
            signing: &self.keys.signing,
        }
        .append_many(tx, self.seams, *tail, changes)?;
        Ok(())
    }

    pub fn insert(
        &mut self,
        tx: &Connection,
        table: store::Table,
        head: &crate::records::Head,
        content: &[u8],
    ) -> Result<()> {
        crate::records::insert(
            tx,
            self.seams,
            &self.vault,
            &self.keys.sub,
            table,
            head,
            content,
        )
    }

    pub fn read(
        &self,
        table: store::Table,
        head: &crate::records::Head,
    ) -> Result<Zeroizing<Vec<u8>>> {
        crate::records::read_body(self.db, &self.vault, table, head)
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        self.keys = None;
        // Best effort: leave no page images in the WAL. Failure here cannot be reported.
        let _ = store::checkpoint(&self.db);
    }
}

#[cfg(test)]
mod tests;
