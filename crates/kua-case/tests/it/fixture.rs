//! A lawyer's vault with one client's sealed testimony.

use chrono::NaiveDate;
use kua_case::entry::Step;
use kua_core::model::{Consent, ConsentMethod, ConsentScope, TestimonyInput};
use kua_core::{CreateOptions, KdfParams, Seams, SteppingClock, Vault};
use rand_chacha::rand_core::SeedableRng;
use secrecy::SecretString;

/// Words that must never be readable on the disk.
pub const CANARY: &str = "Канарейка-Құпия";

pub struct Lawyer {
    pub dir: tempfile::TempDir,
    pub v: Vault,
    pub client: String,
}

impl Lawyer {
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("vault.kua")
    }
}

pub fn lawyer() -> Lawyer {
    party(7)
}

/// A vault with one sealed testimony, its randomness seeded with `seed`.
pub fn party(seed: u64) -> Lawyer {
    let dir = tempfile::tempdir().unwrap();
    let seams = Seams::new(
        Box::new(SteppingClock::new(1_641_600_000_000, 1_000)),
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed)),
    );
    let opts = CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: true,
    };
    let (mut v, _) = Vault::create(
        &dir.path().join("vault.kua"),
        &SecretString::from("pass phrase"),
        opts,
        seams,
    )
    .unwrap();
    let input = TestimonyInput {
        language: Some("ru".into()),
        narrative: Some("меня держали в подвале трое суток".into()),
        fields: Some(
            serde_json::from_value(serde_json::json!({
                "interview_datetime": "2022-01-20T14:30",
                "interview_place": "Алматы",
                "interviewers": "Адвокат",
                "events_date": "2022-01-06",
                "incident_place": "СИЗО",
                "methods": ["beating"],
                "detaining_authority": "police"
            }))
            .unwrap(),
        ),
        consent: Some(Consent {
            given_at: "2022-01-20".into(),
            method: ConsentMethod::Oral,
            recorded_by: None,
            scope: [
                ConsentScope::Store,
                ConsentScope::Legal,
                ConsentScope::Coalition,
            ]
            .into_iter()
            .collect(),
            anonymous: false,
            conditions: None,
            withdrawn_at: None,
        }),
        ..TestimonyInput::default()
    };
    let client = v.add(&input).unwrap();
    v.seal(&client).unwrap();
    Lawyer { dir, v, client }
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A step on a day, with nothing else.
pub fn step(code: &str, date: &str) -> Step {
    Step {
        step: code.into(),
        date: date.into(),
        ..Step::default()
    }
}
