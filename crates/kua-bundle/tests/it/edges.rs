//! Each of the reader's checks at its edge: the paths a bundle may hold, the names of its
//! media, minisign keys and signatures (the legacy algorithm, a wrong key id), the
//! checksum file's content, data after the tar, a visitor's own refusal, a visitor that
//! pins no key, and the largest manifest. cargo-mutants found these edges untested
//! (docs/testing.md); each test fails on the mutant it was written against.

use crate::tamper::{decrypt, encrypt, file, outcome, resign, retar, rewrite, untar};
use crate::*;
use data_encoding::BASE64;
use ed25519_dalek::Signer;

#[test]
fn only_short_relative_paths_of_plain_names_and_media_named_by_their_hash_pass() {
    let p = parties();
    let (_, manifest) = sample(&p);
    let hash = "0123456789abcdef".repeat(4);
    let check = |path: &str, sha256: &str| {
        let mut m = manifest.clone();
        m.files.clear();
        m.files.insert(
            path.into(),
            FileEntry {
                sha256: sha256.into(),
                size: 1,
            },
        );
        match m.check_paths() {
            Ok(()) => "ok",
            Err(e) => e.code(),
        }
    };
    let hundred = format!("records/{}", "a".repeat(92));
    assert_eq!(hundred.len(), 100);
    let passes = [
        "records/a/1.json",
        "log/entries.jsonl",
        "a-b_c.d",
        hundred.as_str(),
    ];
    for path in passes {
        assert_eq!(check(path, &hash), "ok", "{path}");
    }
    assert_eq!(check(&format!("media/{hash}"), &hash), "ok");
    let refused = [
        "../x",
        "a/../b",
        "./a",
        "a/.",
        "a//b",
        "/abs",
        "a/",
        "",
        "a b",
        "a\\b",
        "ä",
        "records/a:1",
        &format!("{hundred}x"),
    ];
    for path in refused {
        assert_eq!(check(path, &hash), "bundle_bad_path", "{path:?}");
    }
    // Media: named by the listed hash, and that hash lowercase hex of the right length.
    let upper = hash.to_uppercase();
    let not_hex = "g".repeat(64);
    let short = &hash[..63];
    for sha in [upper.as_str(), not_hex.as_str(), short] {
        assert_eq!(
            check(&format!("media/{sha}"), sha),
            "bundle_bad_path",
            "{sha}"
        );
    }
    assert_eq!(
        check(&format!("media/{hash}"), &"1".repeat(64)),
        "bundle_bad_path"
    );
}

#[test]
fn a_sha256_is_64_lowercase_hex_digits() {
    use kua_bundle::manifest::is_sha256_hex;
    assert!(is_sha256_hex(&"0123456789abcdef".repeat(4)));
    assert!(!is_sha256_hex(&"0123456789ABCDEF".repeat(4)));
    assert!(!is_sha256_hex(&"0123456789abcdef".repeat(4)[1..]));
    assert!(!is_sha256_hex(&format!(
        "{}0",
        "0123456789abcdef".repeat(4)
    )));
    assert!(!is_sha256_hex(&"z".repeat(64)));
    assert!(!is_sha256_hex(""));
}

/// A minisign signature in the legacy (not prehashed) algorithm, "Ed", as older
/// minisign versions write it.
fn legacy_signature(key: &SigningKey, message: &[u8], trusted: &str) -> String {
    let sig = key.sign(message).to_bytes();
    let mut raw = b"Ed".to_vec();
    raw.extend_from_slice(&kua_bundle::minisign::key_id(&key.verifying_key()));
    raw.extend_from_slice(&sig);
    let global = key.sign(&[sig.as_slice(), trusted.as_bytes()].concat());
    format!(
        "untrusted comment: legacy\n{}\ntrusted comment: {trusted}\n{}\n",
        BASE64.encode(&raw),
        BASE64.encode(&global.to_bytes())
    )
}

#[test]
fn minisign_keys_and_signatures_are_checked_field_by_field() {
    use kua_bundle::minisign::{key_id, parse_public_key, public_key_line, sign, verify};
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let vk = key.verifying_key();

    // The legacy algorithm verifies too, and only over the message it signed.
    let legacy = legacy_signature(&key, b"manifest", "bundle:1");
    assert_eq!(verify(&vk, b"manifest", &legacy).unwrap(), "bundle:1");
    assert!(verify(&vk, b"manifesT", &legacy).is_err());

    // A signature whose key id names another key is refused, though the key verifies it.
    let sig = sign(&key, b"manifest", "bundle:1");
    let mut lines: Vec<String> = sig.lines().map(str::to_owned).collect();
    let mut raw = BASE64.decode(lines[1].as_bytes()).unwrap();
    raw[2] ^= 1;
    lines[1] = BASE64.encode(&raw);
    let other_id = lines.join("\n") + "\n";
    assert_eq!(
        verify(&vk, b"manifest", &other_id).unwrap_err().code(),
        "bundle_bad_signature"
    );
    // An algorithm that is neither.
    let mut raw = BASE64
        .decode(sig.lines().nth(1).unwrap().as_bytes())
        .unwrap();
    raw[..2].copy_from_slice(b"XX");
    let mut lines: Vec<String> = sig.lines().map(str::to_owned).collect();
    lines[1] = BASE64.encode(&raw);
    assert!(verify(&vk, b"manifest", &(lines.join("\n") + "\n")).is_err());

    // Public keys: the right length and algorithm, and the key id of that key.
    assert_eq!(parse_public_key(&public_key_line(&vk)).unwrap(), vk);
    let mut raw = BASE64.decode(public_key_line(&vk).as_bytes()).unwrap();
    let refused = |raw: &[u8]| parse_public_key(&BASE64.encode(raw)).unwrap_err().code();
    let mut wrong_algorithm = raw.clone();
    wrong_algorithm[..2].copy_from_slice(b"XY");
    assert_eq!(refused(&wrong_algorithm), "bundle_bad_manifest");
    assert_eq!(refused(&raw[..41]), "bundle_bad_manifest");
    assert_eq!(
        refused(&[raw.as_slice(), &[0]].concat()),
        "bundle_bad_manifest"
    );
    raw[2..10].copy_from_slice(&key_id(&SigningKey::from_bytes(&[8u8; 32]).verifying_key()));
    assert_eq!(refused(&raw), "bundle_bad_manifest");
}

#[test]
fn a_checksum_file_must_say_exactly_what_the_signed_manifest_lists() {
    let p = parties();
    let (bundle, _) = sample(&p);
    // The sender signs a manifest whose SHA256SUMS entry is the hash of a checksum file
    // that lists one file fewer: its hash is right, its content is not.
    let short_sums = rewrite(&bundle, &p, |f| {
        let sums = String::from_utf8(file(f, "SHA256SUMS").clone()).unwrap();
        let fewer: String = sums.lines().skip(1).map(|l| format!("{l}\n")).collect();
        let (hash, size) = (sha(fewer.as_bytes()), fewer.len());
        *file(f, "SHA256SUMS") = fewer.into_bytes();
        resign(f, &p.signer, |m| {
            m["files"]["SHA256SUMS"]["sha256"] = hash.into();
            m["files"]["SHA256SUMS"]["size"] = size.into();
        });
    });
    assert_eq!(outcome(&short_sums, &p), "bundle_hash_mismatch");
}

#[test]
fn after_the_tar_only_zeros_may_follow() {
    let p = parties();
    let (bundle, _) = sample(&p);
    let tar = decrypt(&bundle, &p.coordinator);
    let zeros = encrypt(&[tar.as_slice(), &[0u8; 4096]].concat(), &p.coordinator);
    assert_eq!(outcome(&zeros, &p), "ok");
    let data = encrypt(&[tar.as_slice(), b"more"].concat(), &p.coordinator);
    assert_eq!(outcome(&data, &p), "bundle_trailing_data");
    let late = encrypt(
        &[tar.as_slice(), &[0u8; 20_000], b"x"].concat(),
        &p.coordinator,
    );
    assert_eq!(outcome(&late, &p), "bundle_trailing_data");
}

/// Refuses one file, as an importer refuses a record it cannot use.
struct RefuseOne {
    inner: Collect,
    path: &'static str,
}

impl Visitor for RefuseOne {
    fn pinned(&mut self, key_id: &str) -> Option<VerifyingKey> {
        self.inner.pinned(key_id)
    }
    fn manifest(&mut self, m: &Manifest, sender: &VerifyingKey) -> kua_bundle::Result<()> {
        self.inner.manifest(m, sender)
    }
    fn file(&mut self, path: &str, e: &FileEntry, data: &mut dyn Read) -> kua_bundle::Result<()> {
        if path == self.path {
            let mut first = [0u8; 4];
            data.read_exact(&mut first)?;
            return Err(kua_bundle::Error::Rejected("the visitor refused it".into()));
        }
        self.inner.file(path, e, data)
    }
}

#[test]
fn a_visitors_refusal_stands_unless_the_file_itself_was_altered() {
    let p = parties();
    let (bundle, _) = sample(&p);
    let code = |b: &[u8]| {
        let mut v = RefuseOne {
            inner: Collect {
                pinned: Some(p.signer.verifying_key()),
                ..Collect::default()
            },
            path: "records/a/1.json",
        };
        match kua_bundle::read(b, std::slice::from_ref(&p.coordinator), &mut v) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    };
    assert_eq!(code(&bundle), "bundle_rejected");
    let altered = rewrite(&bundle, &p, |f| {
        let last = file(f, "records/a/1.json").len() - 2;
        file(f, "records/a/1.json")[last] ^= 1;
    });
    assert_eq!(code(&altered), "bundle_hash_mismatch");
}

/// A visitor that pins no key: the reader's default.
#[derive(Default)]
struct Unpinned(Vec<String>);

impl Visitor for Unpinned {
    fn manifest(&mut self, _m: &Manifest, _sender: &VerifyingKey) -> kua_bundle::Result<()> {
        Ok(())
    }
    fn file(&mut self, path: &str, _e: &FileEntry, data: &mut dyn Read) -> kua_bundle::Result<()> {
        std::io::copy(data, &mut std::io::sink())?;
        self.0.push(path.to_owned());
        Ok(())
    }
}

#[test]
fn a_visitor_that_pins_no_key_reads_a_genuine_bundle() {
    let p = parties();
    let (bundle, manifest) = sample(&p);
    let mut v = Unpinned::default();
    let read = kua_bundle::read(
        bundle.as_slice(),
        std::slice::from_ref(&p.coordinator),
        &mut v,
    )
    .unwrap();
    assert_eq!(read, manifest);
    assert_eq!(
        v.0.len(),
        manifest.files.len() - 1,
        "every file but SHA256SUMS"
    );
}

#[test]
fn a_manifest_may_be_as_large_as_the_limit_and_no_larger() {
    let p = parties();
    let (bundle, _) = sample(&p);
    let padded = |size: u64| {
        let mut files = untar(&decrypt(&bundle, &p.coordinator));
        resign(&mut files, &p.signer, |_| {});
        // JSON allows trailing whitespace: the same manifest, padded, and signed again.
        let json = file(&mut files, "manifest.json");
        json.resize(size as usize, b' ');
        let m: serde_json::Value = serde_json::from_slice(json).unwrap();
        let comment = format!(
            "kua bundle {} created {}",
            m["bundle_id"].as_str().unwrap(),
            m["created"].as_str().unwrap()
        );
        let sig = kua_bundle::minisign::sign(&p.signer, json, &comment);
        *file(&mut files, "manifest.json.minisig") = sig.into_bytes();
        encrypt(&retar(&files), &p.coordinator)
    };
    // The format's limit is 16 MiB (docs/bundle-format.md), not whatever the constant says.
    assert_eq!(outcome(&padded(16 << 20), &p), "ok");
    assert_eq!(outcome(&padded((16 << 20) + 1), &p), "bundle_bad_manifest");
}

#[test]
fn a_bundle_of_thirteen_thousand_records_reads_whole() {
    // Its SHA256SUMS passes 1 MiB: a coordinator's large export must not meet a limit
    // below the format's 64 MiB for a small file.
    let p = parties();
    let records: Vec<(String, zeroize::Zeroizing<Vec<u8>>)> = (0..13_000)
        .map(|i| {
            (
                format!("r{i:05}/1.json"),
                br#"{"narrative":"-"}"#.to_vec().into(),
            )
        })
        .collect();
    let contents = Contents {
        bundle_id: "6f9a1c2e-0000-4000-8000-000000000002".into(),
        created: "2022-02-03T12:00:00Z".into(),
        vault_id: "11111111-2222-4333-8444-555555555555".into(),
        recipients: vec![p.coordinator.to_public()],
        templates: [("istanbul-2022".to_string(), 1)].into_iter().collect(),
        records,
        cases: Vec::new(),
        media: Vec::new(),
        log: b"{\"seq\":0}\n".to_vec(),
        log_range: Some(LogRange {
            from: 0,
            size: 1,
            head: "ab".repeat(32),
            checkpoint_sig: "cd".repeat(64),
        }),
    };
    let mut bundle = Vec::new();
    let written = kua_bundle::write(
        &mut bundle,
        &contents,
        &p.signer,
        &mut Media(BTreeMap::new()),
    )
    .unwrap();
    let (read, collected) = read(&bundle, &p.coordinator, &p.signer).unwrap();
    assert_eq!(read, written);
    assert_eq!(collected.files.len(), 13_001, "every record and the log");
    let sums = untar(&decrypt(&bundle, &p.coordinator))
        .into_iter()
        .find(|(path, _)| path == "SHA256SUMS")
        .unwrap()
        .1;
    assert!(sums.len() > 1 << 20, "SHA256SUMS is {} bytes", sums.len());
}
