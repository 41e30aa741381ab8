//! Kua's core: the encrypted testimony vault.
//!
//! Front ends (the `kua` CLI, the desktop shell) call [`Vault`] and exchange the plain
//! data types of [`model`]. The core never prints, never touches the network, and never
//! writes plaintext of a testimony anywhere but into the vault's ciphertext.

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod analysis;
mod attachment;
pub mod body;
mod case;
mod catalog;
mod chunks;
mod contacts;
pub mod crypto;
pub mod custody;
mod dates;
mod decisions;
mod disclosure;
mod erase;
mod error;
mod export;
mod files;
mod guard;
mod header;
mod hygiene;
mod identity;
mod import;
mod ingest;
mod linkage;
mod listing;
pub mod matchkeys;
mod media;
mod migrate;
pub mod model;
pub mod names;
mod progress;
mod recording;
mod records;
mod rotate;
mod seams;
mod search;
mod secret;
mod store;
pub mod template;
mod testimony;
mod vault;
mod verify;
mod views;
mod writeback;

pub use analysis::{AnalysisRecord, AnalysisRecords, RecordSource};
pub use attachment::{NewAttachment, CHUNK};
pub use case::{CaseEntry, CaseRows, NewCaseEntry};
pub use contacts::{Recipient, TrustedSender};
pub use crypto::{KdfParams, RecoveryKey};
pub use decisions::{Decision, LinkDecisions, Verdict};
pub use erase::{destroy_key_slots, destroy_key_slots_at, erase_vault, EraseLayout};
pub use error::{Error, ErrorClass, Result};
pub use export::{
    BundledAttachment, BundledCase, BundledRecord, ExportPlan, ExportReport, ExportRequest,
    ExportedDetail, LogLine as BundleLogLine, Selection, Withheld,
};
pub use files::save_file;
pub use hygiene::{harden_process, lock_memory, may_lock_all_memory, owner_only_dir};
pub use identity::{fingerprint, IdentityInfo};
pub use import::{
    check_bundle, BundleReport, Continuity, ImportOutcome, ImportReport, ReceivedCase,
    ReceivedRecord, ReceivedSummary, SenderReport,
};
pub use kua_bundle;
pub use linkage::LinkageSecret;
pub use matchkeys::{dice, MatchKeys};
pub use media::{MediaInfo, MediaRef};
pub use progress::{Progress, Silent};
pub use recording::{Marker, NewRecording};
pub use seams::{format_time, Clock, Seams, SecureRng, SteppingClock, SystemClock};
pub use store::FORMAT;
pub use testimony::VersionBody;
pub use vault::{CreateOptions, Vault};
pub use verify::{LogLine, VerifyProblem, VerifyReport};
