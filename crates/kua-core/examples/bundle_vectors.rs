//! Writes the bundle test vectors in tests/vectors/bundles/: a valid bundle, a later
//! one from the same sender, and named damaged ones with their expected outcome in
//! expected.json. Run once and commit the output:
//!
//!     cargo run -p kua-core --example bundle_vectors
//!
//! The keys in the folder are test keys and protect nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kua_core::kua_bundle::{age, minisign};
use kua_core::model::{Consent, ConsentMethod, ConsentScope, TestimonyInput};
use kua_core::{
    CreateOptions, ExportRequest, KdfParams, NewAttachment, Seams, Selection, Silent, Vault,
};
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

fn decrypt(b: &[u8], id: &age::x25519::Identity) -> Vec<u8> {
    let d = age::Decryptor::new(b).unwrap();
    let mut r = d
        .decrypt(std::iter::once(id as &dyn age::Identity))
        .unwrap();
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    out
}

fn encrypt(tar: &[u8], to: &age::x25519::Recipient) -> Vec<u8> {
    let e = age::Encryptor::with_recipients(std::iter::once(to as &dyn age::Recipient)).unwrap();
    let mut out = Vec::new();
    let mut w = e.wrap_output(&mut out).unwrap();
    w.write_all(tar).unwrap();
    w.finish().unwrap();
    out
}

fn untar(tar: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut a = tar::Archive::new(tar);
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let p = String::from_utf8(e.path_bytes().into_owned()).unwrap();
            let mut v = Vec::new();
            e.read_to_end(&mut v).unwrap();
            (p, v)
        })
        .collect()
}

fn retar(files: &[(String, Vec<u8>)]) -> Vec<u8> {
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

/// The files of a bundle's archive, in order.
type Files = Vec<(String, Vec<u8>)>;

fn sha(b: &[u8]) -> String {
    use sha2::Digest;
    data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(b))
}

/// A raw tar header: `kind` and a declared `size` that the data need not match.
fn raw_header(path: &str, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_path(path).unwrap();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_cksum();
    h
}

/// Files that attack the reader itself rather than pass for a bundle.
fn hostile(
    put: &mut dyn FnMut(&str, Vec<u8>, &str),
    valid: &[u8],
    files: &Files,
    to: &age::x25519::Recipient,
) {
    // An age header of about 100 KB in tiny stanzas: age 0.12 re-parses its header
    // after every read, so its cost grows with the square of its size.
    let mut header = b"age-encryption.org/v1\n".to_vec();
    while header.len() < 100_000 {
        header.extend_from_slice(b"-> a\n\n");
    }
    let mac = valid.windows(4).position(|w| w == b"\n---").unwrap() + 1;
    header.extend_from_slice(&valid[mac..]);
    put("huge-age-header", header, "bundle_header_too_large");

    // A GNU long-name header claiming 256 MiB (64 KiB of it present).
    let mut tar = raw_header("././@LongLink", tar::EntryType::GNULongName, 256 << 20)
        .as_bytes()
        .to_vec();
    tar.extend(std::iter::repeat_n(b'a', 64 * 1024));
    put("gnu-long-name", encrypt(&tar, to), "bundle_not_plain_file");

    // A PAX header that would rename the entry after it to manifest.json.
    let mut b = tar::Builder::new(Vec::new());
    let record = b"22 path=manifest.json\n";
    let pax = raw_header("PaxHeader/x", tar::EntryType::XHeader, record.len() as u64);
    b.append(&pax, &record[..]).unwrap();
    for (i, (path, bytes)) in files.iter().enumerate() {
        let name = if i == 0 { "x" } else { path.as_str() };
        let h = raw_header(name, tar::EntryType::Regular, bytes.len() as u64);
        b.append(&h, bytes.as_slice()).unwrap();
    }
    put(
        "pax-header",
        encrypt(&b.into_inner().unwrap(), to),
        "bundle_not_plain_file",
    );

    // manifest.json as a symbolic link (with the manifest as its data).
    let mut b = tar::Builder::new(Vec::new());
    for (i, (path, bytes)) in files.iter().enumerate() {
        let kind = if i == 0 {
            tar::EntryType::Symlink
        } else {
            tar::EntryType::Regular
        };
        let mut h = raw_header(path, kind, bytes.len() as u64);
        if i == 0 {
            h.set_link_name("/etc/passwd").unwrap();
            h.set_cksum();
        }
        b.append(&h, bytes.as_slice()).unwrap();
    }
    put(
        "symlink-manifest",
        encrypt(&b.into_inner().unwrap(), to),
        "bundle_not_plain_file",
    );
}

fn main() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/bundles");
    std::fs::create_dir_all(&out).unwrap();
    let work = tempfile::tempdir().unwrap();
    let coordinator = age::x25519::Identity::generate();
    let to = coordinator.to_public();

    let pass = SecretString::from("vector sender");
    let opts = CreateOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        allow_weak_kdf: true,
    };
    let (mut v, _) =
        Vault::create(&work.path().join("s.kua"), &pass, opts, Seams::system()).unwrap();
    v.add_recipient("coordinator", &to.to_string(), false)
        .unwrap();
    let consent = Consent {
        given_at: "2022-01-20".into(),
        method: ConsentMethod::Oral,
        recorded_by: None,
        scope: [ConsentScope::Store, ConsentScope::Coalition]
            .into_iter()
            .collect(),
        anonymous: true,
        conditions: None,
        withdrawn_at: None,
    };
    let fields = serde_json::json!({
        "interview_datetime": "2022-01-20T14:30", "interview_place": "Алматы", "interviewers": "И. 3",
        "events_date": "2022-01", "incident_place": "СИЗО", "methods": ["beating"], "detaining_authority": "police"
    });
    let input = |n: &str| TestimonyInput {
        narrative: Some(n.into()),
        fields: Some(serde_json::from_value(fields.clone()).unwrap()),
        consent: Some(consent.clone()),
        ..Default::default()
    };
    let a = v.add(&input("Первая запись для векторов.")).unwrap();
    let b = v.add(&input("Екінші жазба.")).unwrap();
    let photo: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
    v.attach(
        &a,
        &mut photo.as_slice(),
        NewAttachment {
            name: "photo.jpg".into(),
            ..Default::default()
        },
        &mut Silent,
    )
    .unwrap();
    v.seal(&a).unwrap();
    v.seal(&b).unwrap();
    let req = |sel| ExportRequest {
        to: vec!["coordinator".into()],
        selection: sel,
        redact: false,
        cases: Vec::new(),
        case_notes: false,
    };
    v.export(&req(Selection::All), &out.join("valid.kua"), &mut Silent)
        .unwrap();
    v.amend(
        &b,
        &TestimonyInput {
            narrative: Some("Екінші жазба, толықтырылды.".into()),
            ..Default::default()
        },
    )
    .unwrap();
    v.export(
        &req(Selection::SinceLast),
        &out.join("valid-2.kua"),
        &mut Silent,
    )
    .unwrap();
    std::fs::write(
        out.join("sender.pub"),
        v.minisign_public_key_file().unwrap(),
    )
    .unwrap();
    std::fs::write(
        out.join("coordinator-key.txt"),
        format!(
            "# test key, protects nothing\n{}\n",
            coordinator.to_string().expose_secret()
        ),
    )
    .unwrap();

    let valid = std::fs::read(out.join("valid.kua")).unwrap();
    let marker = valid.windows(4).position(|w| w == b"\n---").unwrap() + 1;
    let start = marker + valid[marker..].iter().position(|b| *b == b'\n').unwrap() + 1 + 16;
    let chunk = 64 * 1024 + 16;
    let chunks = (valid.len() - start).div_ceil(chunk);
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    let mut put = |name: &str, bytes: Vec<u8>, outcome: &str| {
        std::fs::write(out.join(format!("{name}.kua")), bytes).unwrap();
        expected.insert(format!("{name}.kua"), outcome.into());
    };
    let flip = |at: usize| {
        let mut b = valid.clone();
        b[at] ^= 1;
        b
    };
    put("flip-age-header", flip(5), "bundle_corrupt");
    put("flip-age-header-mac", flip(start - 20), "bundle_corrupt");
    for c in 0..chunks {
        put(
            &format!("flip-payload-chunk-{c}"),
            flip((start + c * chunk + 50).min(valid.len() - 1)),
            "bundle_corrupt",
        );
        if c > 0 {
            put(
                &format!("truncated-at-chunk-{c}"),
                valid[..start + c * chunk].to_vec(),
                "bundle_truncated",
            );
        }
    }
    put(
        "truncated-header",
        valid[..start - 30].to_vec(),
        "bundle_truncated",
    );
    put(
        "trailing-garbage",
        [valid.as_slice(), b"\0garbage"].concat(),
        "bundle_corrupt",
    );
    let stranger = age::x25519::Identity::generate();
    put(
        "wrong-recipient",
        encrypt(&decrypt(&valid, &coordinator), &stranger.to_public()),
        "bundle_not_for_you",
    );

    let files = untar(&decrypt(&valid, &coordinator));
    let rewrite = |edit: &dyn Fn(&mut Files)| {
        let mut f = files.clone();
        edit(&mut f);
        encrypt(&retar(&f), &to)
    };
    let find = |f: &mut Vec<(String, Vec<u8>)>, prefix: &str| {
        f.iter().position(|(p, _)| p.starts_with(prefix)).unwrap()
    };
    put(
        "flip-manifest",
        rewrite(&|f| {
            let i = find(f, "manifest.json");
            let m = String::from_utf8(f[i].1.clone()).unwrap();
            f[i].1 = m.replacen("\"size\": ", "\"size\": 1", 1).into_bytes();
        }),
        "bundle_bad_signature",
    );
    put(
        "flip-signature",
        rewrite(&|f| {
            let i = find(f, "manifest.json.minisig");
            f[i].1[90] ^= 1;
        }),
        "bundle_bad_signature",
    );
    put(
        "flip-record",
        rewrite(&|f| {
            let i = find(f, "records/");
            f[i].1[20] ^= 1;
        }),
        "bundle_hash_mismatch",
    );
    put(
        "flip-media",
        rewrite(&|f| {
            let i = find(f, "media/");
            f[i].1[1000] ^= 1;
        }),
        "bundle_hash_mismatch",
    );
    put(
        "flip-log",
        rewrite(&|f| {
            let i = find(f, "log/");
            f[i].1[10] ^= 1;
        }),
        "bundle_hash_mismatch",
    );
    put(
        "dropped-log-entry",
        rewrite(&|f| {
            let i = find(f, "log/");
            let text = String::from_utf8(f[i].1.clone()).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            f[i].1 = [&lines[..2], &lines[3..]].concat().join("\n").into_bytes();
        }),
        "bundle_hash_mismatch",
    );
    put(
        "record-altered-manifest-fixed",
        rewrite(&|f| {
            // The record that holds the word replaced (record ids, and so their order
            // in the archive, are random).
            let r = f
                .iter()
                .position(|(p, v)| {
                    p.starts_with("records/") && String::from_utf8_lossy(v).contains("Первая")
                })
                .unwrap();
            let old = sha(&f[r].1);
            let text = String::from_utf8(f[r].1.clone()).unwrap();
            f[r].1 = text.replacen("Первая", "Вторая", 1).into_bytes();
            let new = sha(&f[r].1);
            for (path, bytes) in f.iter_mut() {
                if path == "manifest.json" || path == "SHA256SUMS" {
                    *bytes = String::from_utf8(bytes.clone())
                        .unwrap()
                        .replace(&old, &new)
                        .into_bytes();
                }
            }
        }),
        "bundle_bad_signature",
    );
    let intruder = ed25519_dalek::SigningKey::from_bytes(&[0x5a; 32]);
    put(
        "signed-by-untrusted-key",
        rewrite(&|f| {
            let i = find(f, "manifest.json");
            let mut m: serde_json::Value = serde_json::from_slice(&f[i].1).unwrap();
            m["sender"]["public_key"] = minisign::public_key_line(&intruder.verifying_key()).into();
            m["sender"]["key_id"] = minisign::key_id_hex(&intruder.verifying_key()).into();
            let mut json = serde_json::to_vec_pretty(&m).unwrap();
            json.push(b'\n');
            let comment = format!(
                "kua bundle {} created {}",
                m["bundle_id"].as_str().unwrap(),
                m["created"].as_str().unwrap()
            );
            let sig = minisign::sign(&intruder, &json, &comment);
            f[i].1 = json;
            let s = find(f, "manifest.json.minisig");
            f[s].1 = sig.into_bytes();
        }),
        "untrusted_sender",
    );
    put(
        "missing-media",
        rewrite(&|f| {
            let i = find(f, "media/");
            f.remove(i);
        }),
        "bundle_missing_file",
    );
    put(
        "unlisted-file",
        rewrite(&|f| f.push(("records/extra/1.json".into(), b"{}".to_vec()))),
        "bundle_unlisted_file",
    );
    hostile(&mut put, &valid, &files, &to);
    let forger = ed25519_dalek::SigningKey::from_bytes(&[0x6b; 32]);
    std::fs::write(
        out.join("forger.pub"),
        minisign::public_key_file(&forger.verifying_key()),
    )
    .unwrap();
    // Signed by a key the coordinator trusts (forger.pub): the manifest is authentic,
    // and what it names is refused.
    let media_name = |to: &'static str| {
        let forger = forger.clone();
        move |f: &mut Files| {
            let i = find(f, "manifest.json");
            let mut m: serde_json::Value = serde_json::from_slice(&f[i].1).unwrap();
            m["sender"]["public_key"] = minisign::public_key_line(&forger.verifying_key()).into();
            m["sender"]["key_id"] = minisign::key_id_hex(&forger.verifying_key()).into();
            let files = m["files"].as_object_mut().unwrap();
            let from = files
                .keys()
                .find(|k| k.starts_with("media/"))
                .unwrap()
                .clone();
            let entry = files.remove(&from).unwrap();
            let to = if to.is_empty() {
                format!("media/{}", sha(b"other evidence"))
            } else {
                to.to_string()
            };
            files.insert(to, entry);
            let mut json = serde_json::to_vec_pretty(&m).unwrap();
            json.push(b'\n');
            let comment = format!(
                "kua bundle {} created {}",
                m["bundle_id"].as_str().unwrap(),
                m["created"].as_str().unwrap()
            );
            let s = find(f, "manifest.json.minisig");
            f[s].1 = minisign::sign(&forger, &json, &comment).into_bytes();
            f[i].1 = json;
        }
    };
    put(
        "media-not-named-by-its-hash",
        rewrite(&media_name("")),
        "bundle_bad_path",
    );
    put(
        "media-path-traversal",
        rewrite(&media_name("media/../../x")),
        "bundle_bad_path",
    );
    expected.insert(
        "valid.kua (again, after valid-2.kua)".into(),
        "already_imported".into(),
    );
    let mut json = serde_json::to_vec_pretty(&expected).unwrap();
    json.push(b'\n');
    std::fs::write(out.join("expected.json"), json).unwrap();
    println!("wrote {} vectors to {}", expected.len(), out.display());
}
