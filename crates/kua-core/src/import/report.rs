//! What verifying or importing a bundle reports.

use serde::{Deserialize, Serialize};

/// How a bundle's custody log relates to what this vault has from the same sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Continuity {
    /// The first bundle from this sender.
    First,
    /// It continues the sender's log where the last bundle left off (or later).
    Extends,
    /// An earlier bundle arriving after a later one (delivered out of order).
    Late,
    /// The sender's log records earlier bundles to us that never arrived.
    Gap { missing: Vec<String> },
    /// The same positions of the sender's log hold different entries: two histories.
    Fork { at: u64 },
    /// This bundle was imported before.
    Replay,
    /// Checked without a vault: nothing to compare with.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SenderReport {
    pub key_id: String,
    pub fingerprint: String,
    /// The signing key as a minisign public key line, for trusting it under a name.
    #[serde(default)]
    pub public_key: String,
    pub vault_id: String,
    /// The name under which this vault trusts the sender, if it does.
    pub trusted_as: Option<String>,
}

/// Everything checked about a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BundleReport {
    pub bundle_id: String,
    pub created: String,
    pub sender: SenderReport,
    pub records: Vec<(String, u32)>,
    /// The lawyers' cases it carries.
    #[serde(default)]
    pub cases: Vec<String>,
    pub redacted: usize,
    pub media: usize,
    pub media_bytes: u64,
    pub log_size: u64,
    /// Log entries carried as hashes only (records withheld or not in this bundle).
    pub log_hashes_only: u64,
    pub continuity: Continuity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    Imported,
    /// Imported, but held as pending until the missing earlier bundles arrive.
    Pending,
    AlreadyImported,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub outcome: ImportOutcome,
    pub report: BundleReport,
    pub new_records: usize,
    pub new_media: usize,
    /// Cases (or more of a case) this vault did not hold.
    #[serde(default)]
    pub new_cases: usize,
    /// Earlier pending bundles that this one completed.
    pub released: Vec<String>,
    /// Ids of records in this bundle that this vault also holds from another sender.
    /// Each sender's record stays apart (received records are kept and shown by sender,
    /// id and version), but the same id from two devices deserves a look.
    #[serde(default)]
    pub shared_ids: Vec<String>,
}
