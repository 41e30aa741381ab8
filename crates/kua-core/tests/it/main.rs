//! Integration tests of the vault through its public API. Time and randomness are
//! injected (a stepping clock, a seeded ChaCha RNG), so every run is the same.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ahead;
mod attacks;
mod body;
mod bundles;
mod cases;
mod crash;
mod disk;
mod erase;
mod forge;
mod journal;
mod keys;
mod lifecycle;
mod listing;
mod media;
mod memory;
mod nonces;
mod recording;
mod review;
mod rowids;
mod tamper;
mod vectors;
mod verify;

/// Freed memory is wiped, as in the `kua` command and the desktop shell: plaintext
/// dropped on lock must not stay behind in the heap (tests/it/memory.rs reads it).
#[global_allocator]
static ALLOC: kua_wipe::Allocator = kua_wipe::ALLOCATOR;

use kua_core::model::{Consent, ConsentMethod, ConsentScope, TestimonyInput};
use kua_core::{CreateOptions, KdfParams, Seams, SteppingClock, Vault};
use rand_core::SeedableRng;
use secrecy::SecretString;
use serde_json::json;
use std::path::{Path, PathBuf};

pub const PASS: &str = "correct horse battery staple";

pub fn seams(seed: u64) -> Seams {
    Seams::new(
        Box::new(SteppingClock::new(1_641_600_000_000, 1_000)),
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed)),
    )
}

pub fn pass() -> SecretString {
    SecretString::from(PASS)
}

#[derive(Debug)]
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Default for Fixture {
    fn default() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.kua");
        Fixture { dir, path }
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::default()
    }

    /// Creates the vault with a fast KDF (tests only) and returns it unlocked with its
    /// recovery key.
    pub fn create(&self) -> (Vault, kua_core::RecoveryKey) {
        Vault::create(&self.path, &pass(), weak(), seams(1)).unwrap()
    }

    pub fn open(&self) -> Vault {
        let mut v = Vault::open(&self.path, seams(2)).unwrap();
        v.unlock(&pass()).unwrap();
        v
    }

    /// Every file SQLite may have written: the vault, its WAL and its shared memory.
    pub fn files(&self) -> Vec<Vec<u8>> {
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| std::fs::read(format!("{}{suffix}", self.path.display())).ok())
            .collect()
    }
}

pub fn weak() -> CreateOptions {
    CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: true,
    }
}

pub fn consent() -> Consent {
    Consent {
        given_at: "2022-01-20".into(),
        method: ConsentMethod::Oral,
        recorded_by: Some("interviewer 7".into()),
        scope: [ConsentScope::Store, ConsentScope::Coalition]
            .into_iter()
            .collect(),
        anonymous: true,
        conditions: None,
        withdrawn_at: None,
    }
}

/// Everything the template requires before sealing.
pub fn complete_input(narrative: &str) -> TestimonyInput {
    let fields = json!({
        "interview_datetime": "2022-01-20T14:30",
        "interview_place": "Алматы, офис коалиции",
        "interviewers": "Интервьюер 7",
        "events_date": "2022-01-06",
        "incident_place": "Городская больница №7, затем СИЗО",
        "methods": ["beating", "electric_shock"],
        "detaining_authority": "knb"
    });
    TestimonyInput {
        language: Some("ru".into()),
        narrative: Some(narrative.into()),
        fields: Some(serde_json::from_value(fields).unwrap()),
        consent: Some(consent()),
        ..TestimonyInput::default()
    }
}

/// Runs a SQL statement on the vault file behind the vault's back.
pub fn sql(path: &Path, statement: &str) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(statement).unwrap();
}
