//! The bundle format end to end: round trip, stock tools, and a tamper suite in the
//! style of age's testkit: every kind of damage is refused with its own error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_debug_implementations
)]

mod edges;
mod hostile;
mod stock_tools;
mod tamper;

use ed25519_dalek::{SigningKey, VerifyingKey};
use kua_bundle::{age, Contents, FileEntry, LogRange, Manifest, MediaSource, Visitor};
use std::collections::BTreeMap;
use std::io::Read;

pub struct Media(pub BTreeMap<String, Vec<u8>>);

impl MediaSource for Media {
    fn open(&mut self, sha256: &str) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(
            self.0.get(sha256).map(|v| v.as_slice()).unwrap_or_default(),
        ))
    }
}

pub fn sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(bytes))
}

pub struct Parties {
    pub signer: SigningKey,
    pub coordinator: age::x25519::Identity,
    pub lawyer: age::x25519::Identity,
}

pub fn parties() -> Parties {
    Parties {
        signer: SigningKey::from_bytes(&[42u8; 32]),
        coordinator: age::x25519::Identity::generate(),
        lawyer: age::x25519::Identity::generate(),
    }
}

/// A bundle with two records, two media files (one over several age chunks) and a log.
pub fn sample(p: &Parties) -> (Vec<u8>, Manifest) {
    let photo: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let audio = b"OggS fake audio".to_vec();
    let media = Media(
        [(sha(&photo), photo.clone()), (sha(&audio), audio.clone())]
            .into_iter()
            .collect(),
    );
    let contents = Contents {
        bundle_id: "6f9a1c2e-0000-4000-8000-000000000001".into(),
        created: "2022-02-03T12:00:00Z".into(),
        vault_id: "11111111-2222-4333-8444-555555555555".into(),
        recipients: vec![p.coordinator.to_public(), p.lawyer.to_public()],
        templates: [("istanbul-2022".to_string(), 1)].into_iter().collect(),
        records: vec![
            (
                "a/1.json".into(),
                br#"{"narrative":"first"}"#.to_vec().into(),
            ),
            (
                "a/2.json".into(),
                "{\"narrative\":\"Қаңтар\"}".as_bytes().to_vec().into(),
            ),
        ],
        cases: Vec::new(),
        media: vec![
            (sha(&photo), photo.len() as u64),
            (sha(&audio), audio.len() as u64),
        ],
        log: b"{\"seq\":0}\n{\"seq\":1}\n".to_vec(),
        log_range: Some(LogRange {
            from: 0,
            size: 2,
            head: "ab".repeat(32),
            checkpoint_sig: "cd".repeat(64),
        }),
    };
    let mut out = Vec::new();
    let mut media = media;
    let manifest = kua_bundle::write(&mut out, &contents, &p.signer, &mut media).unwrap();
    (out, manifest)
}

/// Collects what a reader hands over, and pins the sender.
#[derive(Default)]
pub struct Collect {
    pub pinned: Option<VerifyingKey>,
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Visitor for Collect {
    fn pinned(&mut self, key_id: &str) -> Option<VerifyingKey> {
        self.pinned
            .filter(|k| kua_bundle::minisign::key_id_hex(k) == key_id)
    }
    fn manifest(&mut self, _m: &Manifest, sender: &VerifyingKey) -> kua_bundle::Result<()> {
        match self.pinned {
            Some(k) if &k != sender => Err(kua_bundle::Error::Rejected("untrusted sender".into())),
            _ => Ok(()),
        }
    }
    fn file(&mut self, path: &str, _e: &FileEntry, data: &mut dyn Read) -> kua_bundle::Result<()> {
        let mut v = Vec::new();
        data.read_to_end(&mut v)?;
        self.files.insert(path.to_string(), v);
        Ok(())
    }
}

pub fn read(
    bundle: &[u8],
    id: &age::x25519::Identity,
    pinned: &SigningKey,
) -> kua_bundle::Result<(Manifest, Collect)> {
    let mut c = Collect {
        pinned: Some(pinned.verifying_key()),
        ..Collect::default()
    };
    let m = kua_bundle::read(bundle, std::slice::from_ref(id), &mut c)?;
    Ok((m, c))
}

#[test]
fn round_trip_to_two_recipients() {
    let p = parties();
    let (bundle, written) = sample(&p);
    for id in [&p.coordinator, &p.lawyer] {
        let (m, c) = read(&bundle, id, &p.signer).unwrap();
        assert_eq!(m, written);
        assert_eq!(
            c.files["records/a/2.json"],
            "{\"narrative\":\"Қаңтар\"}".as_bytes()
        );
        // Every listed file reaches the visitor, except SHA256SUMS, which the reader
        // checks against the signed manifest itself.
        assert_eq!(c.files.len(), m.files.len() - 1);
        assert!(!c.files.contains_key("SHA256SUMS"));
        assert_eq!(m.recipients.len(), 2);
    }
    // Deterministic content: the tar inside is byte-identical across writes.
    let (again, _) = sample(&p);
    assert_ne!(bundle, again, "age uses fresh keys each time");
    assert_eq!(
        tamper::decrypt(&bundle, &p.coordinator),
        tamper::decrypt(&again, &p.coordinator)
    );
}

#[test]
fn a_failing_media_source_fails_the_write_and_leaves_no_readable_bundle() {
    let p = parties();
    let bogus = b"not the media it claims to be".to_vec();
    let contents = Contents {
        bundle_id: "6f9a1c2e-0000-4000-8000-000000000002".into(),
        created: "2022-02-03T12:00:00Z".into(),
        vault_id: "11111111-2222-4333-8444-555555555555".into(),
        recipients: vec![p.coordinator.to_public()],
        cases: Vec::new(),
        media: vec![(sha(b"the real photo"), bogus.len() as u64)],
        log_range: Some(LogRange {
            from: 0,
            size: 0,
            head: String::new(),
            checkpoint_sig: String::new(),
        }),
        ..Contents::default()
    };
    let mut source = Media([(sha(b"the real photo"), bogus)].into_iter().collect());
    let mut out = Vec::new();
    let err = kua_bundle::write(&mut out, &contents, &p.signer, &mut source).unwrap_err();
    assert!(err.to_string().contains("evidence hash"), "{err}");
    assert!(
        read(&out, &p.coordinator, &p.signer).is_err(),
        "a half-written bundle must not read as one"
    );
}
