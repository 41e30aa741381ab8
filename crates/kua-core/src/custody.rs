//! The custody log: an append-only hash chain of every change, each link signed.
//!
//! Entry hash = SHA-256 of the entry's canonical JSON (fields in declaration order, no
//! spaces). Every entry carries `prev_hash`, the hash of the entry before it (64 zeros
//! for the first). After each append, the device key signs the checkpoint
//! `"kua custody checkpoint v1\n" || vault id || size (u64 BE) || head hash`, where size
//! is the number of entries so far. Each row is sealed under the custody subkey with
//! AAD (vault, "custody", seq), so a row moved to another position does not open.

use crate::crypto::{hex, open_padded, seal_padded, Aad, Key};
use crate::error::{Error, Result};
use crate::seams::Seams;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Event {
    VaultCreated,
    Created,
    Edited,
    Sealed,
    Amended,
    AttachmentAdded,
    ConsentChanged,
    Deleted,
    PassphraseChanged,
    Recovered,
    Exported,
    Imported,
    /// The entry before this one could not be read; the chain continues from the last
    /// readable entry, and `verify` keeps reporting the damage.
    LogRepaired,
    /// The vault's age identity was created or replaced by an imported one.
    IdentityChanged,
    /// The list of bundle recipients changed (content hash: the new list).
    RecipientsChanged,
    /// The list of trusted senders changed (content hash: the new list).
    TrustChanged,
    /// A recording started (detail: the attachment it will become). Its end is the
    /// `attachment_added` entry with the final SHA-256.
    RecordingStarted,
    /// A recording cut short (crash, power loss, kill) was recovered at the next unlock
    /// (content hash: SHA-256 of what was saved; detail: the attachment).
    RecordingRecovered,
    /// A recording's saved state, logged every 30 s or so while it runs (version: its
    /// record's revision; content hash: the record's digest; detail: the attachment).
    RecordingSaved,
    /// Recovery found a recording's record older than its last logged state: it was
    /// rolled back from an older copy of the vault, and less audio than was saved is
    /// recovered (version: the revision found; detail: the attachment).
    RecordingRolledBack,
    /// A vault setting changed (detail: its name; version: its revision; content hash:
    /// its digest). Settings with an event of their own (recipients, trust, identity)
    /// log that instead.
    SettingChanged,
    /// The vault was upgraded to a newer format at unlock (detail: from and to).
    FormatUpgraded,
    /// A new recovery key replaced the old one, which no longer opens the vault.
    RecoveryKeyChanged,
    /// The vault key was replaced (with the passphrase and the recovery key): every
    /// record head, log entry and setting is sealed under the new key.
    KeyRotated,
    /// A sealed version was redacted for export (content hash: SHA-256 of the record
    /// file the bundle carries). Logged before the bundle's checkpoint, so the redacted
    /// body is bound to the sender's log like the sealed one is.
    Redacted,
    /// A reviewer decided whether two records are one person, or took a decision back
    /// (detail: the decision's setting name; version and content hash: its revision and
    /// keyed digest, like `setting_changed`).
    LinkDecided,
    /// An entry was added to a lawyer's case (record: the case; version: the entry's
    /// number; content hash: SHA-256 of its salted JSON). Erasing a case logs `deleted`.
    CaseRecorded,
    /// A case (or more of one) was received in a bundle (record: the case; version:
    /// the highest entry number carried; content hash: SHA-256 of the case file).
    CaseImported,
    /// A court report of a testimony or a case was saved outside the vault (record: the
    /// testimony or case; version: the version reported; content hash: SHA-256 of the
    /// PDF; detail: where it was written).
    ReportSaved,
    /// A testimony left the vault in plaintext in a disclosure package for a court
    /// (version: the sealed version; content hash: SHA-256 of the package's
    /// `SHA256SUMS`; detail: the package's directory).
    Disclosed,
}

/// One link of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Entry {
    pub seq: u64,
    pub prev_hash: String,
    /// Milliseconds since the Unix epoch.
    pub time: i64,
    pub event: Event,
    /// The testimony the event concerns, if any.
    pub record: Option<String>,
    pub version: Option<u32>,
    /// SHA-256 of the content the event produced (a version, a consent, an attachment).
    pub content_hash: Option<String>,
    /// A further id: the attachment of `attachment_added`.
    pub detail: Option<String>,
}

impl Entry {
    pub fn hash(&self) -> [u8; 32] {
        // Serialising a struct of strings and integers cannot fail.
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        Sha256::digest(bytes).into()
    }
}

#[derive(Serialize, Deserialize)]
struct Row {
    entry: Entry,
    /// Ed25519 signature of the checkpoint after this entry, hex.
    sig: String,
}

/// The end of the chain: what the next append links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tail {
    pub size: u64,
    pub head: [u8; 32],
}

impl Tail {
    pub const EMPTY: Tail = Tail {
        size: 0,
        head: [0u8; 32],
    };
}

/// A new event, before the chain gives it a position.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub record: Option<Uuid>,
    pub version: Option<u32>,
    pub content_hash: Option<String>,
    pub detail: Option<String>,
}

pub fn checkpoint_message(vault: &Uuid, size: u64, head: &[u8; 32]) -> Vec<u8> {
    let mut m = b"kua custody checkpoint v1\n".to_vec();
    m.extend_from_slice(vault.as_bytes());
    m.extend_from_slice(&size.to_be_bytes());
    m.extend_from_slice(head);
    m
}

/// Seals every log row again under a new custody key (key rotation). The entries and
/// their signatures are unchanged; a row that does not open is left as it is.
pub(crate) fn reseal_all(
    db: &Connection,
    seams: &mut Seams,
    vault: &Uuid,
    old: &Key,
    new: &Key,
) -> Result<()> {
    let rows: Vec<(i64, Vec<u8>)> = db
        .prepare("SELECT seq, body FROM custody")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (seq, body) in rows {
        let Ok(at) = u64::try_from(seq) else { continue };
        let Ok(plain) = open_padded(old, &body, &aad(vault, at), "custody") else {
            continue;
        };
        let sealed = seal_padded(seams, new, &plain, &aad(vault, at))?;
        db.execute(
            "UPDATE custody SET body = ?1 WHERE seq = ?2",
            params![sealed, seq],
        )?;
    }
    Ok(())
}

fn aad(vault: &Uuid, seq: u64) -> Aad {
    Aad::new(vault, "custody").with_u64(seq)
}

/// The keys and position needed to append.
#[derive(Debug)]
pub struct Appender<'a> {
    pub vault: &'a Uuid,
    pub key: &'a Key,
    pub signing: &'a SigningKey,
}

impl Appender<'_> {
    /// Appends one entry inside the caller's transaction and returns the new tail. The
    /// caller adopts the tail only after its transaction commits.
    pub fn append(
        &self,
        db: &Connection,
        seams: &mut Seams,
        tail: Tail,
        event: Event,
        change: Change,
    ) -> Result<Tail> {
        let (entry, end) = link(seams, tail, event, change);
        let sig = self
            .signing
            .sign(&checkpoint_message(self.vault, end.size, &end.head));
        write_row(db, seams, self.vault, self.key, entry, &sig)?;
        Ok(end)
    }

    /// Appends several entries in order inside the caller's transaction, as `append`
    /// called for each would, and returns the new tail. The entries are chained here,
    /// one after the other; their checkpoints are then signed on two threads, since each
    /// signature depends only on its own position and head (Ed25519 signing is
    /// deterministic, so the rows are those `append` would write). A coordinator's
    /// import logs an entry for every record it receives, and Ed25519 signing was about
    /// 7 % of `perf`'s samples in an import of 1,000 bundles (docs/benchmarks.md,
    /// "Coordinator scale"); the other core is idle once the bundle is read. On an
    /// error nothing is adopted: the caller's transaction rolls back the rows written.
    pub fn append_many(
        &self,
        db: &Connection,
        seams: &mut Seams,
        tail: Tail,
        changes: Vec<(Event, Change)>,
    ) -> Result<Tail> {
        // Below this, a thread costs more than the signatures it would take over.
        const PARALLEL_FROM: usize = 16;
        let mut chained = Vec::with_capacity(changes.len());
        let mut end = tail;
        for (event, change) in changes {
            let (entry, next) = link(seams, end, event, change);
            end = next;
            chained.push((entry, end));
        }
        let sign = |part: &[(Entry, Tail)]| -> Vec<Signature> {
            part.iter()
                .map(|(_, t)| {
                    self.signing
                        .sign(&checkpoint_message(self.vault, t.size, &t.head))
                })
                .collect()
        };
        let (first, second) = chained.split_at(chained.len() / 2);
        let signatures = if chained.len() < PARALLEL_FROM {
            sign(&chained)
        } else {
            std::thread::scope(|scope| {
                // A thread the system will not give is no failure: this one signs all.
                let other = std::thread::Builder::new()
                    .name("kua-custody-sign".into())
                    .spawn_scoped(scope, || sign(second))
                    .ok();
                let mut signatures = sign(first);
                match other.map(|t| t.join()) {
                    Some(Ok(rest)) => signatures.extend(rest),
                    // Signing does not panic; if it did, that is a bug, and nothing has
                    // been written yet.
                    Some(Err(_)) => {
                        return Err(Error::Storage(
                            "signing the custody log's checkpoints stopped unexpectedly; nothing was logged".into(),
                        ))
                    }
                    None => signatures.extend(sign(second)),
                }
                Ok(signatures)
            })?
        };
        // Every entry has its signature, or the log would end with unsigned rows that
        // the tail claims.
        if signatures.len() != chained.len() {
            return Err(Error::Storage(
                "the custody log's checkpoints were not all signed; nothing was logged".into(),
            ));
        }
        for ((entry, _), sig) in chained.into_iter().zip(signatures) {
            write_row(db, seams, self.vault, self.key, entry, &sig)?;
        }
        Ok(end)
    }
}

/// The entry that follows `tail`, timed by the injected clock, and the tail after it.
fn link(seams: &mut Seams, tail: Tail, event: Event, change: Change) -> (Entry, Tail) {
    let entry = Entry {
        seq: tail.size,
        prev_hash: hex(&tail.head),
        time: seams.clock.now_ms(),
        event,
        record: change.record.map(|r| r.to_string()),
        version: change.version,
        content_hash: change.content_hash,
        detail: change.detail,
    };
    let end = Tail {
        size: tail.size + 1,
        head: entry.hash(),
    };
    (entry, end)
}

fn write_row(
    db: &Connection,
    seams: &mut Seams,
    vault: &Uuid,
    key: &Key,
    entry: Entry,
    sig: &Signature,
) -> Result<()> {
    let seq = entry.seq;
    let row = Row {
        entry,
        sig: hex(&sig.to_bytes()),
    };
    let plain = serde_json::to_vec(&row).map_err(|e| Error::Storage(e.to_string()))?;
    // Padded like every other record: an entry's length must not tell its event.
    let sealed = seal_padded(seams, key, &plain, &aad(vault, seq))?;
    db.prepare_cached("INSERT INTO custody (seq, body) VALUES (?1, ?2)")?
        .execute(params![seq as i64, sealed])?;
    Ok(())
}

/// Reads the last entry to learn where the chain ends.
pub fn load_tail(db: &Connection, vault: &Uuid, key: &Key) -> Result<Tail> {
    let last: Option<(i64, Vec<u8>)> = db
        .query_row(
            "SELECT seq, body FROM custody ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    match last {
        None => Ok(Tail::EMPTY),
        Some((seq, body)) => {
            let seq = position(seq)?;
            let row = open_row(vault, key, seq, &body)?;
            Ok(Tail {
                size: seq + 1,
                head: row.entry.hash(),
            })
        }
    }
}

fn open_row(vault: &Uuid, key: &Key, seq: u64, body: &[u8]) -> Result<Row> {
    let place = format!("custody log entry {seq}");
    let plain = open_padded(key, body, &aad(vault, seq), &place)?;
    serde_json::from_slice(&plain).map_err(|_| Error::integrity(place))
}

/// The entries after `tail`, in order, when they continue it: consecutive positions
/// from `tail.size` on, each opening and linking to the one before, the first to
/// `tail.head`. `None` when they do not (an entry altered, missing or moved): the caller
/// then walks the whole log, which reports where.
pub(crate) fn entries_after(
    db: &Connection,
    vault: &Uuid,
    key: &Key,
    tail: Tail,
) -> Result<Option<Vec<Entry>>> {
    let Ok(from) = i64::try_from(tail.size) else {
        return Ok(None);
    };
    let mut stmt =
        db.prepare_cached("SELECT seq, body FROM custody WHERE seq >= ?1 ORDER BY seq")?;
    let rows = stmt.query_map([from], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut entries = Vec::new();
    let mut prev = tail.head;
    let mut expected = tail.size;
    for row in rows {
        let (seq, body) = row?;
        let seq = position(seq)?;
        let Ok(row) = open_row(vault, key, seq, &body) else {
            return Ok(None);
        };
        if seq != expected || row.entry.seq != seq || row.entry.prev_hash != hex(&prev) {
            return Ok(None);
        }
        prev = row.entry.hash();
        expected = seq + 1;
        entries.push(row.entry);
    }
    Ok(Some(entries))
}

fn position(seq: i64) -> Result<u64> {
    u64::try_from(seq).map_err(|_| Error::integrity(format!("custody log entry at position {seq}")))
}

/// Where to continue a chain whose last entry does not open: after the last position,
/// linked to the newest entry that does open. Returns that tail and the unreadable
/// position, which the caller records in a `LogRepaired` entry.
pub fn salvage_tail(db: &Connection, vault: &Uuid, key: &Key) -> Result<(Tail, u64)> {
    let mut stmt = db.prepare("SELECT seq, body FROM custody ORDER BY seq DESC")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
    let mut last: Option<u64> = None;
    for row in rows {
        let (seq, body) = row?;
        let seq = position(seq)?;
        let end = *last.get_or_insert(seq);
        if let Ok(row) = open_row(vault, key, seq, &body) {
            return Ok((
                Tail {
                    size: end + 1,
                    head: row.entry.hash(),
                },
                end,
            ));
        }
    }
    let end = last.unwrap_or(0);
    Ok((
        Tail {
            size: end + 1,
            head: [0u8; 32],
        },
        end,
    ))
}

/// A problem found while walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChainProblem {
    pub code: String,
    pub seq: u64,
    pub detail: String,
}

/// Reads every entry in order and checks positions and links, and with `verifying`
/// every checkpoint signature too (about 50 µs each: `verify` wants them, listing the
/// log or exporting it does not). Returns the entries that could be read and every
/// problem found; it never stops at the first.
pub fn walk(
    db: &Connection,
    vault: &Uuid,
    key: &Key,
    verifying: Option<&VerifyingKey>,
) -> Result<(Vec<Entry>, Vec<ChainProblem>)> {
    let mut stmt = db.prepare("SELECT seq, body FROM custody ORDER BY seq")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut expected_seq = 0u64;
    let mut prev = [0u8; 32];
    let mut problem = |code: &str, seq: u64, detail: String| {
        problems.push(ChainProblem {
            code: code.into(),
            seq,
            detail,
        })
    };
    for row in rows {
        let (seq, body) = row?;
        let seq = position(seq)?;
        if seq != expected_seq {
            problem(
                "custody_gap",
                expected_seq,
                format!("entries {expected_seq}..{seq} are missing: the log was cut"),
            );
        }
        expected_seq = seq + 1;
        let row = match open_row(vault, key, seq, &body) {
            Ok(row) => row,
            Err(_) => {
                problem(
                    "custody_unreadable",
                    seq,
                    format!(
                        "entry {seq} does not decrypt: altered, or moved from another position"
                    ),
                );
                // The next entry cannot link to what we could not read.
                prev = [0u8; 32];
                continue;
            }
        };
        let entry = row.entry;
        if entry.seq != seq {
            problem(
                "custody_misplaced",
                seq,
                format!("entry stored at {seq} says it is entry {}", entry.seq),
            );
        }
        if entry.prev_hash != hex(&prev) {
            problem(
                "custody_chain_broken",
                seq,
                format!("entry {seq} does not link to the entry before it: an entry was altered, removed or reordered"),
            );
        }
        let head = entry.hash();
        let sig_ok = verifying.is_none_or(|verifying| {
            data_encoding::HEXLOWER
                .decode(row.sig.as_bytes())
                .ok()
                .and_then(|b| Signature::from_slice(&b).ok())
                .is_some_and(|sig| {
                    verifying
                        .verify(&checkpoint_message(vault, seq + 1, &head), &sig)
                        .is_ok()
                })
        });
        if !sig_ok {
            problem(
                "custody_bad_signature",
                seq,
                format!("the signed checkpoint after entry {seq} does not verify with this vault's device key"),
            );
        }
        prev = head;
        entries.push(entry);
    }
    Ok((entries, problems))
}

#[cfg(test)]
#[path = "custody_tests.rs"]
mod tests;
