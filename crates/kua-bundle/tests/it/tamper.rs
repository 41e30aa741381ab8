//! Every kind of damage to a bundle, each refused with its specific error.

use crate::*;
use std::io::Write;

pub fn decrypt(bundle: &[u8], id: &age::x25519::Identity) -> Vec<u8> {
    let d = age::Decryptor::new(bundle).unwrap();
    let mut r = d
        .decrypt(std::iter::once(id as &dyn age::Identity))
        .unwrap();
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    out
}

pub fn encrypt(tar: &[u8], to: &age::x25519::Identity) -> Vec<u8> {
    let recipient = to.to_public();
    let e = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
        .unwrap();
    let mut out = Vec::new();
    let mut w = e.wrap_output(&mut out).unwrap();
    w.write_all(tar).unwrap();
    w.finish().unwrap();
    out
}

pub fn untar(tar: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut a = tar::Archive::new(tar);
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let path = String::from_utf8(e.path_bytes().into_owned()).unwrap();
            let mut v = Vec::new();
            e.read_to_end(&mut v).unwrap();
            (path, v)
        })
        .collect()
}

pub fn retar(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (p, v) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(v.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        b.append_data(&mut h, p, v.as_slice()).unwrap();
    }
    b.into_inner().unwrap()
}

/// Decrypts, lets `edit` change the files, and re-encrypts to the coordinator: what an
/// attacker holding a recipient key (or the plaintext) could produce.
pub fn rewrite(
    bundle: &[u8],
    p: &Parties,
    edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>),
) -> Vec<u8> {
    let mut files = untar(&decrypt(bundle, &p.coordinator));
    edit(&mut files);
    encrypt(&retar(&files), &p.coordinator)
}

pub fn file<'a>(files: &'a mut [(String, Vec<u8>)], path: &str) -> &'a mut Vec<u8> {
    &mut files.iter_mut().find(|(p, _)| p == path).unwrap().1
}

/// Offset of the first payload byte after age's header and 16-byte payload nonce.
fn payload_start(bundle: &[u8]) -> usize {
    let marker = bundle.windows(4).position(|w| w == b"\n---").unwrap() + 1;
    marker + bundle[marker..].iter().position(|b| *b == b'\n').unwrap() + 1 + 16
}

const CHUNK: usize = 64 * 1024 + 16;

pub fn outcome(bundle: &[u8], p: &Parties) -> &'static str {
    match read(bundle, &p.coordinator, &p.signer) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

pub fn resign(
    files: &mut [(String, Vec<u8>)],
    key: &SigningKey,
    change: impl FnOnce(&mut serde_json::Value),
) {
    let mut m: serde_json::Value = serde_json::from_slice(file(files, "manifest.json")).unwrap();
    m["sender"]["public_key"] = kua_bundle::minisign::public_key_line(&key.verifying_key()).into();
    m["sender"]["key_id"] = kua_bundle::minisign::key_id_hex(&key.verifying_key()).into();
    change(&mut m);
    let json = serde_json::to_vec_pretty(&m).unwrap();
    let comment = format!(
        "kua bundle {} created {}",
        m["bundle_id"].as_str().unwrap(),
        m["created"].as_str().unwrap()
    );
    *file(files, "manifest.json.minisig") =
        kua_bundle::minisign::sign(key, &json, &comment).into_bytes();
    *file(files, "manifest.json") = json;
}

#[test]
fn every_kind_of_damage_is_refused_with_its_own_error() {
    let p = parties();
    let (bundle, manifest) = sample(&p);
    let start = payload_start(&bundle);
    let chunks = (bundle.len() - start).div_ceil(CHUNK);
    assert!(chunks >= 3, "the sample spans several age chunks");
    let flip = |at: usize| {
        let mut b = bundle.clone();
        b[at] ^= 0x01;
        b
    };
    let mut cases: Vec<(String, Vec<u8>, &str)> = vec![
        ("valid".into(), bundle.clone(), "ok"),
        ("age header: version line".into(), flip(5), "bundle_corrupt"),
        ("age header: MAC".into(), flip(start - 20), "bundle_corrupt"),
        (
            "age payload nonce".into(),
            flip(start - 3),
            "bundle_corrupt",
        ),
        (
            "trailing garbage".into(),
            [bundle.as_slice(), b"garbage"].concat(),
            "bundle_corrupt",
        ),
        ("empty file".into(), Vec::new(), "bundle_truncated"),
    ];
    for c in 0..chunks {
        let at = (start + c * CHUNK + 100).min(bundle.len() - 1);
        cases.push((format!("payload chunk {c}"), flip(at), "bundle_corrupt"));
        if c > 0 {
            cases.push((
                format!("truncated at chunk boundary {c}"),
                bundle[..start + c * CHUNK].to_vec(),
                "bundle_truncated",
            ));
        }
    }
    // Cut inside a chunk, the chunk fails its authentication tag: age cannot tell that
    // from alteration, and neither can we.
    cases.push((
        "truncated inside the last chunk".into(),
        bundle[..bundle.len() - 7].to_vec(),
        "bundle_corrupt",
    ));
    cases.push((
        "manifest byte (still valid JSON)".into(),
        rewrite(&bundle, &p, |f| {
            let m = String::from_utf8(file(f, "manifest.json").clone()).unwrap();
            *file(f, "manifest.json") = m.replace("2022-02-03", "2022-02-04").into_bytes();
        }),
        "bundle_bad_signature",
    ));
    cases.push((
        "manifest byte (breaks the JSON; the pinned key refuses it before parsing)".into(),
        rewrite(&bundle, &p, |f| file(f, "manifest.json")[0] ^= 1),
        "bundle_bad_signature",
    ));
    cases.push((
        "signature byte".into(),
        rewrite(&bundle, &p, |f| file(f, "manifest.json.minisig")[80] ^= 1),
        "bundle_bad_signature",
    ));
    cases.push((
        "record byte".into(),
        rewrite(&bundle, &p, |f| file(f, "records/a/1.json")[3] ^= 1),
        "bundle_hash_mismatch",
    ));
    let photo = manifest
        .files
        .keys()
        .find(|k| k.starts_with("media/") && manifest.files[*k].size > 1000)
        .unwrap()
        .clone();
    cases.push((
        "media byte".into(),
        rewrite(&bundle, &p, |f| file(f, &photo)[500] ^= 1),
        "bundle_hash_mismatch",
    ));
    cases.push((
        "log byte".into(),
        rewrite(&bundle, &p, |f| file(f, "log/entries.jsonl")[2] ^= 1),
        "bundle_hash_mismatch",
    ));
    cases.push((
        "checksum file byte".into(),
        rewrite(&bundle, &p, |f| file(f, "SHA256SUMS")[0] ^= 1),
        "bundle_hash_mismatch",
    ));
    cases.push((
        "record altered, manifest hash fixed".into(),
        rewrite(&bundle, &p, |f| {
            file(f, "records/a/1.json")[3] ^= 1;
            let new = sha(file(f, "records/a/1.json"));
            let m = String::from_utf8(file(f, "manifest.json").clone()).unwrap();
            let old = manifest.files["records/a/1.json"].sha256.clone();
            *file(f, "manifest.json") = m.replace(&old, &new).into_bytes();
        }),
        "bundle_bad_signature",
    ));
    let stranger = SigningKey::from_bytes(&[9u8; 32]);
    cases.push((
        "valid signature by an untrusted key".into(),
        rewrite(&bundle, &p, |f| resign(f, &stranger, |_| {})),
        "bundle_rejected",
    ));
    // Signed by a stranger whose manifest claims the trusted sender's key id.
    cases.push((
        "key id of another sender".into(),
        rewrite(&bundle, &p, |f| {
            let id = manifest.sender.key_id.clone();
            resign(f, &stranger, |m| m["sender"]["key_id"] = id.clone().into());
        }),
        "bundle_bad_manifest",
    ));
    cases.push((
        "unknown major version".into(),
        rewrite(&bundle, &p, |f| {
            resign(f, &p.signer, |m| m["format"] = 2.into())
        }),
        "bundle_unsupported_version",
    ));
    cases.push((
        "dropped log".into(),
        rewrite(&bundle, &p, |f| f.retain(|(p, _)| p != "log/entries.jsonl")),
        "bundle_missing_file",
    ));
    cases.push((
        "extra file".into(),
        rewrite(&bundle, &p, |f| {
            f.push(("records/x/1.json".into(), b"{}".to_vec()))
        }),
        "bundle_unlisted_file",
    ));
    cases.push((
        "manifest not first".into(),
        rewrite(&bundle, &p, |f| f.swap(0, 2)),
        "bundle_bad_manifest",
    ));
    let other = age::x25519::Identity::generate();
    let not_for_us = match kua_bundle::read(
        bundle.as_slice(),
        std::slice::from_ref(&other),
        &mut Collect::default(),
    ) {
        Err(e) => e.code(),
        Ok(_) => "ok",
    };
    let mut failures = Vec::new();
    for (name, b, expected) in &cases {
        let got = outcome(b, &p);
        if got != *expected {
            failures.push(format!("{name}: expected {expected}, got {got}"));
        }
    }
    if not_for_us != "bundle_not_for_you" {
        failures.push(format!("wrong recipient: got {not_for_us}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn without_a_pinned_key_a_broken_manifest_is_reported_by_the_parser() {
    let p = parties();
    let (bundle, _) = sample(&p);
    let broken = rewrite(&bundle, &p, |f| file(f, "manifest.json")[0] ^= 1);
    let mut unpinned = Collect::default();
    let err = kua_bundle::read(
        broken.as_slice(),
        std::slice::from_ref(&p.coordinator),
        &mut unpinned,
    )
    .unwrap_err();
    assert_eq!(err.code(), "bundle_bad_manifest");
}
