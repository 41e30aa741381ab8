//! What a vault knows of each sender. Every sender's state is keyed by the signing key
//! that verified its bundles, in the one canonical form `minisign::public_key_line`
//! writes, never by the text a manifest carries: the same key written with an extra
//! space or as a whole key file is the same sender, with one history.

use crate::error::Result;
use crate::export::{ExportedDetail, LogLine};
use crate::secret::SecretState;
use crate::vault::Ctx;
use kua_bundle::minisign;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::btree_map::Entry as Slot;
use std::collections::{BTreeMap, BTreeSet};

const SENDERS: &str = "senders";

mod changing;
pub(super) use changing::{Changing, Serialised};

/// A record version as a set member: (record id, version).
pub(super) type RecordKey = (String, u32);

/// What this vault knows of one sender.
///
/// It stays small, whatever the sender has sent: every import reads and rewrites the
/// one sealed setting that holds all senders (one setting, so that the disk does not
/// show how many senders a coordinator has). Builds before 2026-12 kept every hash of
/// the sender's log and every record key of every bundle, which made a coordinator's
/// thousandth import read and write 20 MB.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct SenderState {
    pub(super) name: String,
    pub(super) vault_id: String,
    /// Every entry hash of the sender's log as far as earlier builds kept it; never
    /// extended now, and still checked position by position.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) log: Vec<String>,
    /// Known heads of the sender's log: a log size → the SHA-256 of the log's line
    /// hashes up to that size (continuity.rs). The largest is how far bundles have
    /// shown the log; the others are where bundles to this vault end (those imported,
    /// and those the sender's log says it exported to us), which is where a bundle
    /// arriving late ends.
    #[serde(default)]
    pub(super) heads: BTreeMap<u64, String>,
    /// Bundles imported from this sender.
    pub(super) bundles: Vec<String>,
    /// Bundle → the earlier bundles to us it is waiting for.
    pub(super) pending: BTreeMap<String, Vec<String>>,
    /// Bundle → what was imported under that id. Bundles imported by earlier builds are
    /// only in `bundles`.
    #[serde(default)]
    pub(super) seen: BTreeMap<String, SeenBundle>,
    /// Bundle → what the sender's log says it exported to this vault under that id.
    #[serde(default)]
    pub(super) logged: BTreeMap<String, LoggedExport>,
}

/// The record versions a bundle carries, as the SHA-256 of their sorted list: bundles
/// are only ever compared for the same set, and 64 characters stand for hundreds of
/// record keys. Earlier builds stored the list itself; it is read either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredRecords", into = "String")]
pub(super) struct RecordSet(pub(super) String);

#[derive(Deserialize)]
#[serde(untagged)]
enum StoredRecords {
    Digest(String),
    Keys(BTreeSet<RecordKey>),
}

impl From<StoredRecords> for RecordSet {
    fn from(stored: StoredRecords) -> Self {
        match stored {
            StoredRecords::Digest(d) => RecordSet(d),
            StoredRecords::Keys(keys) => RecordSet::of(&keys),
        }
    }
}

impl From<RecordSet> for String {
    fn from(set: RecordSet) -> String {
        set.0
    }
}

impl RecordSet {
    pub(super) fn of(keys: &BTreeSet<RecordKey>) -> RecordSet {
        let mut hasher = Sha256::new();
        hasher.update(b"kua bundle records v1\n");
        for (id, version) in keys {
            // Each id preceded by its length: one key cannot run into the next.
            hasher.update((id.len() as u64).to_be_bytes());
            hasher.update(id.as_bytes());
            hasher.update(version.to_be_bytes());
        }
        RecordSet(crate::crypto::hex(&hasher.finalize()))
    }
}

/// A bundle as it was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct SeenBundle {
    /// SHA-256 of its signed manifest: the same id with another manifest is not a replay.
    pub(super) manifest: String,
    pub(super) log_size: u64,
    pub(super) records: RecordSet,
}

/// A bundle as the sender's `exported` entry describes it: the sender logs an export
/// right after writing the bundle, so the entry's position is the bundle's log size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct LoggedExport {
    pub(super) log_size: u64,
    pub(super) records: RecordSet,
}

/// Every sender's state, by canonical public key line.
pub(super) type Senders = BTreeMap<String, SenderState>;

impl SenderState {
    /// Folds in the state kept under another spelling of the same key (written by an
    /// earlier build, which keyed states by the manifest's text). Where the two logs
    /// disagree, this state's log is kept: the next bundle then shows a fork against it.
    fn merge(&mut self, other: SenderState) {
        let agree = self.log.iter().zip(&other.log).all(|(a, b)| a == b);
        if agree && other.log.len() > self.log.len() {
            self.log = other.log;
        }
        for (size, hash) in other.heads {
            self.heads.entry(size).or_insert(hash);
        }
        for b in other.bundles {
            if !self.bundles.contains(&b) {
                self.bundles.push(b);
            }
        }
        self.pending.extend(other.pending);
        self.seen.extend(other.seen);
        self.logged.extend(other.logged);
    }
}

/// Every sender's state as an import committed it, or as a verify or an import that
/// changed nothing read it, kept while the vault is unlocked beside the row it was
/// stored as (sealed) and that row's state (revision and digest). The next import takes
/// this copy only when the row is still byte for byte that one and the custody log's
/// last state for the setting is still that state (`Ctx::secret_unchanged`): then
/// opening, checking and decoding the row would give exactly this copy (a committed
/// copy's keys are canonical, so decoding merges nothing, and every field reads back as
/// written, `a_stored_state_decodes_to_itself`; a copy read is decoding's own output
/// for that row). Any other row (an older one put back, a removed one, one written
/// since by another process or a key rotation, or the kept row put back after such a
/// write) is read as always: opened, checked against the log, decoded. Opening the
/// setting (467 KB of JSON after 1,000 bundles from 50 senders) to compare it, and
/// opening it again to write the next revision, were about 7 % of the samples late in
/// a coordinator's import of 1,000 bundles: reading it fell from 4.1 % to 0.2 % and
/// writing it back from 10.4 % to 7.2 % (docs/benchmarks.md, "Coordinator scale",
/// seventh session).
pub(crate) struct KeptSenders {
    sealed: Vec<u8>,
    state: SecretState,
    senders: Senders,
    /// Each state as the row holds it, where known (`Changing::store` made them).
    serialised: Serialised,
}

impl KeptSenders {
    /// The states an import stores (`Changing::store`: the row, its state and the
    /// pieces it was made of), to keep once its transaction has committed; or the
    /// states a checked row decoded to, with no pieces. Private, so that no other code
    /// can pair states with pieces made of others.
    fn new(
        sealed: Vec<u8>,
        state: SecretState,
        senders: Senders,
        serialised: Serialised,
    ) -> KeptSenders {
        debug_assert!(senders.keys().all(|k| canonical(k) == *k));
        KeptSenders {
            sealed,
            state,
            senders,
            serialised,
        }
    }
}

/// Sender names and bundle ids stay out of debug output.
impl std::fmt::Debug for KeptSenders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptSenders")
            .field("senders", &self.senders.len())
            .finish_non_exhaustive()
    }
}

/// Every sender's state, as stored.
pub(super) fn load(ctx: &Ctx<'_>) -> Result<Senders> {
    match ctx.read_secret(SENDERS)? {
        None => Ok(Senders::new()),
        Some(bytes) => decode(&bytes),
    }
}

/// Every sender's state as an import read it, with the row it stands for and that
/// row's state (none while no sender is known). The states can be read here but not
/// changed: an import that changes them takes them out (`into_changing`), so that what
/// `keep_unchanged` keeps is always what the row holds.
pub(super) struct Loaded {
    senders: Senders,
    row: Option<(Vec<u8>, SecretState)>,
    serialised: Serialised,
}

impl Loaded {
    pub(super) fn get(&self, sender: &str) -> Option<&SenderState> {
        self.senders.get(sender)
    }

    /// The states, to change one sender's (`Changing::state`) and store them all
    /// over the row they were read from.
    pub(super) fn into_changing(self) -> Changing {
        Changing::new(
            self.senders,
            self.row.map(|(_, state)| state.rev),
            self.serialised,
        )
    }

    /// Keeps the states for the next import when this one changed none of them (a
    /// verify, or a bundle already imported): they are still what the row holds.
    pub(super) fn keep_unchanged(self) -> Option<KeptSenders> {
        self.row
            .map(|(sealed, state)| KeptSenders::new(sealed, state, self.senders, self.serialised))
    }
}

/// Every sender's state, as stored, for an import: the copy kept when the setting is
/// still the one it was kept for (`KeptSenders`), read, checked and decoded otherwise.
pub(super) fn load_for_import(ctx: &mut Ctx<'_>) -> Result<Loaded> {
    // Taken whatever follows: an import that fails after this point leaves nothing
    // kept, and the next one reads the setting.
    if let Some(kept) = ctx.keys.senders.take() {
        if ctx.secret_unchanged(SENDERS, &kept.sealed, &kept.state)? {
            return Ok(Loaded {
                senders: kept.senders,
                row: Some((kept.sealed, kept.state)),
                serialised: kept.serialised,
            });
        }
    }
    match ctx.read_secret_sealed(SENDERS)? {
        Some(row) => Ok(Loaded {
            senders: decode(&row.value)?,
            row: Some((row.sealed, row.state)),
            serialised: Serialised::new(),
        }),
        None => Ok(Loaded {
            senders: Senders::new(),
            row: None,
            serialised: Serialised::new(),
        }),
    }
}

/// Decodes the stored setting, keying every state by its canonical sender key (re-keyed
/// where an earlier build stored it under a manifest's own spelling of the key).
fn decode(bytes: &[u8]) -> Result<Senders> {
    let stored: Senders =
        serde_json::from_slice(bytes).map_err(|_| crate::Error::integrity(SENDERS.to_string()))?;
    let mut out = Senders::new();
    for (text, state) in stored {
        let key = canonical(&text);
        match out.entry(key) {
            Slot::Vacant(slot) => {
                slot.insert(state);
            }
            Slot::Occupied(mut slot) => slot.get_mut().merge(state),
        }
    }
    Ok(out)
}

/// A sender key as states are keyed: canonical, whatever spelling an earlier build
/// stored (a key that does not parse is kept as it is).
pub(super) fn canonical(public_key: &str) -> String {
    minisign::parse_public_key(public_key)
        .map(|k| minisign::public_key_line(&k))
        .unwrap_or_else(|_| public_key.to_string())
}

/// The exports to `recipient` that a carried log records, by bundle.
pub(super) fn logged_exports(lines: &[LogLine], recipient: &str) -> BTreeMap<String, LoggedExport> {
    lines
        .iter()
        .filter_map(|l| l.entry.as_ref())
        .filter(|e| e.event == crate::custody::Event::Exported)
        .filter_map(|e| {
            let d: ExportedDetail = serde_json::from_str(e.detail.as_deref()?).ok()?;
            d.recipients.iter().any(|r| r == recipient).then(|| {
                (
                    d.bundle,
                    LoggedExport {
                        log_size: e.seq,
                        records: RecordSet::of(&d.records.into_iter().collect()),
                    },
                )
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "senders_tests.rs"]
mod tests;
