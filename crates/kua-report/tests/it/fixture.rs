//! A vault with sealed testimonies in Russian and Kazakh, an image and a recording.

use chrono::{DateTime, Utc};
use kua_core::model::{Consent, ConsentMethod, ConsentScope, TestimonyInput};
use kua_core::{CreateOptions, KdfParams, NewAttachment, Seams, Silent, SteppingClock, Vault};
use rand_chacha::rand_core::SeedableRng;
use secrecy::SecretString;
use std::path::Path;
use std::process::Command;

/// A name that an anonymous report must not print.
pub const NAME: &str = "Әлия Нұрланқызы Серікбаева";
/// Kazakh text of the account: every letter Kazakh adds to the Russian alphabet.
pub const KK_ACCOUNT: &str =
    "Мені үш тәулік бойы ұрды. Ғимаратта қараңғы еді; өңірде һәм іргеде күзет тұрды.";
pub const RU_ACCOUNT: &str =
    "Шестого января меня забрали прямо из больничной палаты. В машине били ногами.";

/// A 4×4 red PNG.
pub const PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 4, 0, 0, 0, 4, 8, 2, 0,
    0, 0, 38, 147, 9, 41, 0, 0, 0, 16, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 0, 71, 12, 196,
    113, 0, 174, 147, 15, 241, 208, 95, 35, 158, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

pub struct Desk {
    pub dir: tempfile::TempDir,
    pub v: Vault,
}

pub fn made_at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-03T10:15:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn desk() -> Desk {
    desk_seeded(11)
}

/// A vault of its own randomness: a second party (a coordinator) needs other keys.
pub fn desk_seeded(seed: u64) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let seams = Seams::new(
        Box::new(SteppingClock::new(1_641_600_000_000, 1_000)),
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed)),
    );
    let opts = CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: true,
    };
    let (v, _) = Vault::create(
        &dir.path().join("vault.kua"),
        &SecretString::from("pass phrase"),
        opts,
        seams,
    )
    .unwrap();
    Desk { dir, v }
}

pub fn consent(anonymous: bool, scope: &[ConsentScope]) -> Consent {
    Consent {
        given_at: "2022-02-03T10:45".into(),
        method: ConsentMethod::Oral,
        recorded_by: Some("Интервьюер 3".into()),
        scope: scope.iter().copied().collect(),
        anonymous,
        conditions: None,
        withdrawn_at: None,
    }
}

pub const ALL: &[ConsentScope] = &[
    ConsentScope::Store,
    ConsentScope::Coalition,
    ConsentScope::Legal,
];

impl Desk {
    /// A sealed testimony with the given account and consent, a photograph attached.
    pub fn testimony(&mut self, language: &str, account: &str, consent: Consent) -> String {
        let input = TestimonyInput {
            language: Some(language.into()),
            interviewer: Some("Интервьюер 3".into()),
            narrative: Some(account.into()),
            fields: Some(
                serde_json::from_value(serde_json::json!({
                    "interview_datetime": "2022-02-03T11:00",
                    "interview_place": "Алматы",
                    "interviewers": "Интервьюер 3",
                    "incident_place": "Городская больница, затем ИВС",
                    "detaining_authority": "national_guard",
                    "full_name": NAME,
                    "person_code": "ALA-0042",
                    "events_date": "2022-01-06",
                    "removed_from_hospital": true,
                    "methods": ["beating", "kicking"],
                    "perpetrators": [{"perp_agency": "knb", "perp_appearance": "Гражданская одежда, лицо открыто", "can_recognise": true}],
                    "medical_findings": [{"body_location": "левое предплечье", "finding_description": "Гематома 4×6 см", "consistency": "highly_consistent"}]
                }))
                .unwrap(),
            ),
            consent: Some(consent),
            ..TestimonyInput::default()
        };
        let id = self.v.add(&input).unwrap();
        self.v
            .attach(
                &id,
                &mut std::io::Cursor::new(PNG.to_vec()),
                NewAttachment {
                    name: "фото-предплечье.png".into(),
                    media_type: Some("image/png".into()),
                    captured_at: Some("2022-02-03T12:00".into()),
                },
                &mut Silent,
            )
            .unwrap();
        self.v.seal(&id).unwrap();
        id
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs a stock tool and returns its standard output; fails the test with its error.
pub fn run(program: &str, args: &[&str], dir: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not run ({e}); scripts/setup.sh installs it"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Whether a stock tool exits successfully.
pub fn passes(program: &str, args: &[&str], dir: &Path) -> bool {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}
