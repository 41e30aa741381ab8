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
    /// Recordings being captured now (see recording.rs); their buffers hold at most a
    /// few seconds of encoded audio.
    pub recordings: std::collections::BTreeMap<Uuid, crate::recording::Live>,
}

const SIGNING_KEY: &str = "device-signing-key";

/// The binding of a key slot. The passphrase slot also binds the KDF parameters and
/// salt, so a header edited to weaken them no longer opens. The recovery slot binds only
/// the vault, so a passphrase change (new salt) leaves it valid.
fn slot_aad(h: &Header, slot: &str) -> Aad {
    let aad = Aad::new(&h.vault_id, "slot")
        .with_u64(u64::from(h.format))
        .with(slot.as_bytes());
    if slot == "passphrase" {
        let kdf = serde_json::to_vec(&h.kdf).unwrap_or_default();
        aad.with(&kdf).with(&h.salt)
    } else {
        aad
    }
}

fn secret_aad(vault: &Uuid, name: &str) -> Aad {
    Aad::new(vault, "secret").with(name.as_bytes())
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
        let mut seed = Zeroizing::new([0u8; 32]);
        seams.fill(seed.as_mut());
        let signing = SigningKey::from_bytes(&seed);
        let sealed = seal(
            &mut seams,
            &sub.secrets,
            signing.as_bytes(),
            &secret_aad(&header.vault_id, SIGNING_KEY),
        )?;
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
            Change::default(),
        )?;
        tx.commit()?;
        let vault = Vault {
            path: path.to_path_buf(),
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
                recordings: Default::default(),
            }),
        };
        Ok((vault, recovery))
    }

    /// Opens an existing vault, locked.
    pub fn open(path: &Path, seams: Seams) -> Result<Vault> {
        if !path.is_file() {
            return Err(Error::NoVault(path.to_path_buf()));
        }
        let db = store::open(path, false).map_err(|e| match e {
            Error::Integrity { .. } | Error::Storage(_) => Error::NotAVault(path.to_path_buf()),
            e => e,
        })?;
        let header = store::read_header(&db, path)?;
        store::upgrade(&db)?;
        Ok(Vault {
            path: path.to_path_buf(),
            db,
            header,
            seams,
            keys: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
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
        let kek = self
            .header
            .kdf
            .derive(passphrase.expose_secret().as_bytes(), &self.header.salt)?;
        let vault_key = self.unwrap_slot(&kek, "passphrase")?;
        self.finish_unlock(vault_key)
    }

    // TEMPORARY (branch shell-fixes): the same method is being added on the kua-core
    // branch; keep that one when merging. The desktop's `change_passphrase` calls it.
    /// Checks `passphrase` against the passphrase slot without unlocking or changing
    /// anything: `WrongPassphrase` when it does not open the vault.
    pub fn check_passphrase(&self, passphrase: &SecretString) -> Result<()> {
        let kek = self
            .header
            .kdf
            .derive(passphrase.expose_secret().as_bytes(), &self.header.salt)?;
        self.unwrap_slot(&kek, "passphrase").map(|_| ())
    }

    /// Unlocks with the recovery key (to set a new passphrase).
    pub fn unlock_with_recovery(&mut self, recovery: &RecoveryKey) -> Result<()> {
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
        let sub = Subkeys::derive(&vault_key);
        let vault_id = self.header.vault_id;
        let sealed: Vec<u8> = self
            .db
            .query_row(
                "SELECT body FROM secret WHERE name = ?1",
                params![SIGNING_KEY],
                |r| r.get(0),
            )
            .map_err(|_| Error::integrity("the device signing key"))?;
        let plain = open(
            &sub.secrets,
            &sealed,
            &secret_aad(&vault_id, SIGNING_KEY),
            "the device signing key",
        )?;
        let seed =
            Key::from_slice(&plain).ok_or_else(|| Error::integrity("the device signing key"))?;
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
            recordings: Default::default(),
        });
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
            if kdf.is_below_floor() {
                return Err(Error::BadInput(format!(
                    "KDF parameters {kdf:?} are below the floor (m=64 MiB, t=3, p=4)"
                )));
            }
            header.kdf = kdf;
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
        self.store_header(header, Event::PassphraseChanged)
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
        self.store_header(header, Event::Recovered)
    }

    fn store_header(&mut self, header: Header, event: Event) -> Result<()> {
        self.ctx()?.transaction(|ctx, tx, tail| {
            store::write_header(tx, &header, false)?;
            ctx.log(tx, tail, event, Change::default())
        })?;
        self.header = header;
        Ok(())
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
mod tests {
    use super::*;
    use crate::model::TestimonyInput;
    use crate::seams::SteppingClock;
    use crate::{NewAttachment, Silent};
    use rand_core::SeedableRng;

    fn seams(seed: u64) -> Seams {
        Seams::new(
            Box::new(SteppingClock::new(1_641_600_000_000, 1_000)),
            Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed)),
        )
    }

    /// A full disk, simulated by capping the file's page count on the vault's own
    /// connection: every write fails with a clear `DiskFull`, and nothing saved before is
    /// lost or damaged.
    #[test]
    fn a_full_disk_is_a_clear_error_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.kua");
        let options = CreateOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
            allow_weak_kdf: true,
        };
        let (mut v, _) = Vault::create(&path, &SecretString::from("p"), options, seams(1)).unwrap();
        let input = |text: &str| TestimonyInput {
            narrative: Some(text.into()),
            ..TestimonyInput::default()
        };
        let kept = v.add(&input("сохранено до заполнения диска")).unwrap();
        let pages: i64 =
            v.db.query_row("PRAGMA page_count", [], |r| r.get(0))
                .unwrap();
        v.db.execute_batch(&format!("PRAGMA max_page_count = {}", pages + 2))
            .unwrap();

        let big = "қ".repeat(200_000);
        assert!(matches!(v.add(&input(&big)), Err(Error::DiskFull)));
        assert!(matches!(v.edit(&kept, &input(&big)), Err(Error::DiskFull)));
        let data = vec![1u8; 1 << 20];
        let attached = v.attach(
            &kept,
            &mut data.as_slice(),
            NewAttachment {
                name: "x.bin".into(),
                ..NewAttachment::default()
            },
            &mut Silent,
        );
        assert!(matches!(attached, Err(Error::DiskFull)), "{attached:?}");
        let mode: String =
            v.db.query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
        assert_eq!(mode, "wal", "the bulk append left rollback-journal mode on");
        assert_eq!(Error::DiskFull.code(), "disk_full");

        // Space comes back: everything from before is intact and the vault works on.
        v.db.execute_batch("PRAGMA max_page_count = 1073741823")
            .unwrap();
        assert_eq!(v.list().unwrap().len(), 1);
        assert_eq!(
            v.show(&kept, None).unwrap().narrative,
            "сохранено до заполнения диска"
        );
        assert!(v.show(&kept, None).unwrap().attachments.is_empty());
        assert!(v.verify(&mut Silent).unwrap().ok);
        v.edit(&kept, &input(&big)).unwrap();
        drop(v);
        let mut v = Vault::open(&path, seams(2)).unwrap();
        v.unlock(&SecretString::from("p")).unwrap();
        assert_eq!(v.show(&kept, None).unwrap().narrative, big);
        assert!(v.verify(&mut Silent).unwrap().ok);
    }
}
