//! The SQLite file: schema, pragmas and the plaintext header.
//!
//! Invariant: apart from the header (format, vault id, KDF parameters, salt, wrapped vault
//! key slots), every byte written to a table is ciphertext. Ids are random UUIDv4s or
//! keyed hashes; rowids are random (one import's received records, and its received
//! cases, each within one random stretch, `records::RowRegion`, which groups them by
//! import). Nothing in plaintext links a version, an attachment, a chunk or a consent
//! record to its testimony, but for that grouping (versions of one testimony received
//! in one bundle share its stretch).

use crate::crypto::KdfParams;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::Path;

/// The on-disk format this build writes. Format 1 vaults are read and migrated to it at
/// unlock (migrate.rs).
pub const FORMAT: u32 = 2;

const SCHEMA: &str = "
CREATE TABLE header (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    format INTEGER NOT NULL,
    vault_id TEXT NOT NULL,
    kdf TEXT NOT NULL,
    salt BLOB NOT NULL,
    pass_slot BLOB NOT NULL,
    recovery_slot BLOB NOT NULL,
    mac BLOB
);
-- One row per testimony version; head = wrapped record key and identity, body = content.
CREATE TABLE testimony (id TEXT NOT NULL UNIQUE, head BLOB NOT NULL, body BLOB NOT NULL);
-- One row per attachment: its metadata. Its content lives in `chunk`.
CREATE TABLE attachment (id TEXT NOT NULL UNIQUE, head BLOB NOT NULL, body BLOB NOT NULL);
-- One row per testimony: the current consent record.
CREATE TABLE consent (id TEXT NOT NULL UNIQUE, head BLOB NOT NULL, body BLOB NOT NULL);
-- Attachment chunks; the rowid is a keyed hash of (attachment, index).
CREATE TABLE chunk (id INTEGER PRIMARY KEY, body BLOB NOT NULL);
-- The custody log; seq is the position in the hash chain.
CREATE TABLE custody (seq INTEGER PRIMARY KEY, body BLOB NOT NULL);
-- Vault secrets and settings, each sealed under the secrets subkey with its revision.
CREATE TABLE secret (name TEXT PRIMARY KEY, body BLOB NOT NULL);
";

/// Tables added after format 1 was first written; created on open when missing.
const ADDED: &str = "
-- Record versions imported from bundles, one row per (sender, record, version).
CREATE TABLE IF NOT EXISTS received (id TEXT NOT NULL UNIQUE, head BLOB NOT NULL, body BLOB NOT NULL);
-- Erase after too many failed unlocks (guard.rs): the limit (0: off) and the count.
-- A lawyer's case files (case.rs): one row per entry; the head names the case.
CREATE TABLE IF NOT EXISTS case_entry (id TEXT NOT NULL UNIQUE, head BLOB NOT NULL, body BLOB NOT NULL);
-- Cases received in bundles (import/cases.rs): the head names the sender.
CREATE TABLE IF NOT EXISTS received_case (id TEXT NOT NULL UNIQUE, head BLOB NOT NULL, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS unlock_guard (id INTEGER PRIMARY KEY CHECK (id = 1), erase_after INTEGER NOT NULL, failures INTEGER NOT NULL);
";

/// The tables that hold encrypted records with a head and a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Testimony,
    Attachment,
    Consent,
    Received,
    CaseEntry,
    ReceivedCase,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Testimony => "testimony",
            Table::Attachment => "attachment",
            Table::Consent => "consent",
            Table::Received => "received",
            Table::CaseEntry => "case_entry",
            Table::ReceivedCase => "received_case",
        }
    }
}

/// The plaintext header.
#[derive(Debug, Clone)]
pub struct Header {
    pub format: u32,
    pub vault_id: uuid::Uuid,
    pub kdf: KdfParams,
    pub salt: Vec<u8>,
    pub pass_slot: Vec<u8>,
    pub recovery_slot: Vec<u8>,
    /// Since format 2: a MAC of every other part (header.rs); empty in format 1.
    pub mac: Vec<u8>,
    /// The stored format said 1 but the header has a MAC: a format-2 header rewritten to
    /// claim format 1 (which would skip the MAC check). Read as format 2 and reported.
    pub downgraded: bool,
}

/// Opens the file read-only and reads its header, changing nothing: a file that is not
/// a vault (a SQLite database of evidence dropped by mistake) is left exactly as it was.
///
/// One exception: SQLite refuses to read a database with a hot rollback journal
/// (`SQLITE_READONLY_ROLLBACK`: a bulk append cut short by a crash) without rolling the
/// journal back, which needs write access. Then the read-write open below rolls it back
/// (as any SQLite reader would: that restores the last committed state, it changes no
/// committed data) and checks the header before setting any pragma.
pub fn probe(path: &Path) -> Result<()> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let not_vault = || Error::NotAVault(path.to_path_buf());
    let db = Connection::open_with_flags(path, flags).map_err(|_| not_vault())?;
    let hot_journal = db
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .err()
        .is_some_and(|e| {
            e.sqlite_error()
                .is_some_and(|f| f.extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK)
        });
    if hot_journal {
        return Ok(());
    }
    read_header(&db, path).map(drop)
}

/// Whether the file system holding `path` is mounted read-only.
pub fn on_read_only_drive(path: &Path) -> bool {
    rustix::fs::statvfs(path)
        .is_ok_and(|s| s.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY))
}

/// Opens the file with the pragmas every connection needs.
pub fn open(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let db = Connection::open_with_flags(path, flags)?;
    if !create {
        // Nothing is set (WAL mode rewrites the file header) before the file is known
        // to be a vault.
        read_header(&db, path)?;
    }
    // Durable: a save that returned is on disk. EXTRA is FULL plus a sync of the folder
    // after a rollback journal is deleted, which is how a transaction commits outside
    // the WAL (`BulkAppend`, `Session`, and this switch to the WAL itself): with FULL a
    // power cut just after such a commit could bring the journal back and roll the
    // committed transaction back (an import reported done, then gone). In the WAL the
    // two are the same. It is set first, so that the switch below commits with it.
    // secure_delete zeroes freed pages, so deleted ciphertexts and wrapped keys do not
    // linger in free space. temp_store keeps sorter and temporary tables in memory.
    db.execute_batch(
        "PRAGMA synchronous = EXTRA;
         PRAGMA journal_mode = WAL;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA foreign_keys = OFF;",
    )?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    // The journals exist now (WAL mode made them): none may be readable by others.
    crate::hygiene::owner_only(path);
    Ok(db)
}

/// Creates the tables and the header inside the caller's transaction, so that a new
/// vault appears whole (header, signing key, first log entry) or not at all.
pub fn create_schema(tx: &Connection, header: &Header) -> Result<()> {
    tx.execute_batch(SCHEMA)?;
    tx.execute_batch(ADDED)?;
    write_header(tx, header, true)
}

/// Brings a vault written by an earlier build up to the current set of tables.
pub fn upgrade(db: &Connection) -> Result<()> {
    db.execute_batch(ADDED)?;
    Ok(())
}

pub fn write_header(db: &Connection, h: &Header, insert: bool) -> Result<()> {
    let kdf = serde_json::to_string(&h.kdf).map_err(|e| Error::Storage(e.to_string()))?;
    let sql = if insert {
        "INSERT INTO header (id, format, vault_id, kdf, salt, pass_slot, recovery_slot, mac)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    } else {
        "UPDATE header SET format = ?1, vault_id = ?2, kdf = ?3, salt = ?4,
         pass_slot = ?5, recovery_slot = ?6, mac = ?7 WHERE id = 1"
    };
    db.execute(
        sql,
        params![
            h.format,
            h.vault_id.to_string(),
            kdf,
            h.salt,
            h.pass_slot,
            h.recovery_slot,
            h.mac
        ],
    )?;
    Ok(())
}

/// Whether `table` has a column named `column` (format 1 lacks `header.mac`).
pub fn has_column(db: &Connection, table: &str, column: &str) -> Result<bool> {
    let n: i64 = db.query_row(
        "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
        params![table, column],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

pub fn read_header(db: &Connection, path: &Path) -> Result<Header> {
    let not_vault = || Error::NotAVault(path.to_path_buf());
    let has_mac = has_column(db, "header", "mac").map_err(|_| not_vault())?;
    let sql = if has_mac {
        "SELECT format, vault_id, kdf, salt, pass_slot, recovery_slot, mac FROM header WHERE id = 1"
    } else {
        "SELECT format, vault_id, kdf, salt, pass_slot, recovery_slot, NULL FROM header WHERE id = 1"
    };
    let row = db
        .query_row(sql, [], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, Vec<u8>>(4)?,
                r.get::<_, Vec<u8>>(5)?,
                r.get::<_, Option<Vec<u8>>>(6)?,
            ))
        })
        .optional()
        .map_err(|e| match Error::from(e) {
            Error::Storage(_) => not_vault(),
            other => other,
        })?
        .ok_or_else(not_vault)?;
    let (format, vault_id, kdf, salt, pass_slot, recovery_slot, mac) = row;
    if format > FORMAT {
        return Err(Error::UnsupportedFormat {
            found: format,
            supported: FORMAT,
        });
    }
    let mac = mac.unwrap_or_default();
    // A format-1 vault never has the `mac` column: migration adds it in the transaction
    // that sets format 2. A header that says 1 beside that column was rewritten.
    let downgraded = format < 2 && has_mac;
    Ok(Header {
        format: if downgraded { 2 } else { format },
        vault_id: uuid::Uuid::parse_str(&vault_id).map_err(|_| not_vault())?,
        // Unreadable parameters fail the passphrase path only (header.rs).
        kdf: serde_json::from_str(&kdf).unwrap_or(KdfParams {
            m_kib: 0,
            t: 0,
            p: 0,
        }),
        salt,
        pass_slot,
        recovery_slot,
        mac,
        downgraded,
    })
}

/// Checkpoints the WAL into the main file and truncates it to zero bytes, so the `-wal`
/// file holds no page images (not even of ciphertext) after lock or close. SQLite reports
/// (rather than fails) a checkpoint that another connection blocked; that is an error
/// here, because the WAL then still holds old pages, such as those of an erased record.
pub fn checkpoint(db: &Connection) -> Result<()> {
    let busy: i64 = db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    if busy != 0 {
        return Err(Error::VaultBusy);
    }
    Ok(())
}

/// While it lives, the connection uses a rollback journal instead of the WAL. A bulk
/// append (a large attachment) then writes each page once, straight into the file: pages
/// past the old end of the file need no journal, and the WAL would otherwise hold every
/// page and copy it again at checkpoint. Crash safety is the same: a hot journal is rolled
/// back on the next open. If another connection has the vault open, the switch is refused
/// and the append simply goes through the WAL.
#[derive(Debug)]
pub struct BulkAppend<'a> {
    db: &'a Connection,
    switched: bool,
}

impl<'a> BulkAppend<'a> {
    /// Switches to the rollback journal, unless the connection is already out of WAL
    /// mode (inside a batch of imports, `Session`): then the one who switched switches
    /// back. (A connection out of WAL mode for another reason, a switch back that
    /// failed, stays so until the vault is next opened.)
    pub fn begin(db: &'a Connection) -> BulkAppend<'a> {
        BulkAppend {
            db,
            switched: leave_wal(db),
        }
    }
}

impl Drop for BulkAppend<'_> {
    fn drop(&mut self) {
        if self.switched {
            return_to_wal(self.db);
        }
    }
}

/// The rollback-journal mode of a batch of bulk appends (`Vault::import_batch`), begun
/// before the first and ended after the last. It holds no borrow of the connection, so
/// that the vault can be used in between; each `BulkAppend` inside it finds the mode
/// already switched and leaves it be. It has no `Drop`: only a panic (a bug) skips
/// `end`, and a vault left in rollback-journal mode is as safe and returns to the WAL
/// when it is next opened.
#[derive(Debug)]
#[must_use]
pub struct Session {
    switched: bool,
}

impl Session {
    pub fn begin(db: &Connection) -> Session {
        Session {
            switched: leave_wal(db),
        }
    }

    pub fn end(self, db: &Connection) {
        if self.switched {
            return_to_wal(db);
        }
    }
}

/// Switches a connection in WAL mode to the rollback journal; whether it did. Commits
/// there delete the journal, and `open`'s `synchronous = EXTRA` syncs the folder after.
fn leave_wal(db: &Connection) -> bool {
    let current: Option<String> = db.query_row("PRAGMA journal_mode", [], |r| r.get(0)).ok();
    if current.as_deref() != Some("wal") {
        return false;
    }
    let mode: Option<String> = db
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .ok();
    mode.as_deref() == Some("delete")
}

/// Back to the WAL. If this fails the vault stays usable in rollback-journal mode, and
/// the next open switches it back to WAL.
fn return_to_wal(db: &Connection) {
    let _ = db.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modes(db: &Connection) -> (String, i64) {
        let journal = db
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync = db
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        (journal, sync)
    }

    /// Out of the WAL a commit deletes its journal, and only `EXTRA` (3) syncs the
    /// folder after that: the vault runs with it in the WAL, in a batch of imports, in a
    /// bulk append inside the batch, and in one alone.
    #[test]
    fn the_vault_syncs_a_deleted_journals_folder_in_every_journal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir.path().join("v.kua"), true).unwrap();
        db.execute_batch("CREATE TABLE t (x)").unwrap();
        assert_eq!(modes(&db), ("wal".into(), 3));
        let session = Session::begin(&db);
        assert_eq!(modes(&db), ("delete".into(), 3));
        {
            // Inside a session a bulk append finds the mode switched and keeps it.
            let bulk = BulkAppend::begin(&db);
            db.execute_batch("INSERT INTO t VALUES (1)").unwrap();
            drop(bulk);
            assert_eq!(modes(&db), ("delete".into(), 3));
        }
        session.end(&db);
        assert_eq!(modes(&db), ("wal".into(), 3));
        let bulk = BulkAppend::begin(&db);
        assert_eq!(modes(&db), ("delete".into(), 3));
        drop(bulk);
        assert_eq!(modes(&db), ("wal".into(), 3));
    }
}
