//! Bundles crafted to exhaust or mislead the reader rather than to pass as genuine: an
//! age header that would take age minutes to parse, tar headers that the tar crate would
//! read into memory before the manifest's limits apply, entries that are not plain
//! files, and media files not named by their hash. Each is refused with its own code.

use crate::tamper::{encrypt, file, outcome, resign, rewrite, untar};
use crate::*;

/// An age file whose header is about 1 MB of stanzas (`shape` builds one stanza).
fn huge_age_header(shape: &dyn Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut bytes = b"age-encryption.org/v1\n".to_vec();
    while bytes.len() < 1_000_000 {
        shape(&mut bytes);
    }
    bytes.extend_from_slice(b"--- ");
    bytes.extend_from_slice(&[b'A'; 43]);
    bytes.extend_from_slice(b"\n");
    bytes.extend_from_slice(&[0u8; 1024]);
    bytes
}

#[test]
fn a_crafted_megabyte_age_header_is_refused_before_age_parses_it() {
    // age 0.12 re-parses its header after every read: on the old reader this took about
    // 20 minutes. Refused at the cap, it costs reading 64 KiB.
    let p = parties();
    let many_stanzas = huge_age_header(&|b| b.extend_from_slice(b"-> a\n\n"));
    assert_eq!(outcome(&many_stanzas, &p), "bundle_header_too_large");
    let one_long_stanza = huge_age_header(&|b| b.extend_from_slice(&[b'a'; 4096]));
    assert_eq!(outcome(&one_long_stanza, &p), "bundle_header_too_large");
    // A genuine header of many recipients is far below the cap.
    let (bundle, _) = sample(&p);
    assert_eq!(outcome(&bundle, &p), "ok");
}

/// A tar header for `path` with the given type and declared size, and its checksum.
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

#[test]
fn a_huge_gnu_long_name_header_is_refused_unread() {
    // The first entry claims a 256 MiB long name; the old reader read it into memory (it
    // took 277 MB) before looking at the manifest. Only 1 MiB follows here: a reader that
    // read the name would fail on the early end instead, with another error.
    let p = parties();
    let mut tar = raw_header("././@LongLink", tar::EntryType::GNULongName, 256 << 20)
        .as_bytes()
        .to_vec();
    tar.extend(std::iter::repeat_n(b'a', 1 << 20));
    let bundle = encrypt(&tar, &p.coordinator);
    assert_eq!(outcome(&bundle, &p), "bundle_not_plain_file");
}

#[test]
fn a_pax_header_renaming_a_file_is_refused() {
    // A PAX header that would make the entry after it read as `manifest.json`.
    let p = parties();
    let (bundle, _) = sample(&p);
    let files = untar(&tamper::decrypt(&bundle, &p.coordinator));
    let record = b"22 path=manifest.json\n";
    let mut b = tar::Builder::new(Vec::new());
    let mut pax = raw_header("PaxHeader/x", tar::EntryType::XHeader, record.len() as u64);
    b.append(&pax, &record[..]).unwrap();
    let (_, manifest) = &files[0];
    pax = raw_header("x", tar::EntryType::Regular, manifest.len() as u64);
    b.append(&pax, manifest.as_slice()).unwrap();
    for (path, bytes) in &files[1..] {
        let h = raw_header(path, tar::EntryType::Regular, bytes.len() as u64);
        b.append(&h, bytes.as_slice()).unwrap();
    }
    let forged = encrypt(&b.into_inner().unwrap(), &p.coordinator);
    assert_eq!(outcome(&forged, &p), "bundle_not_plain_file");
}

#[test]
fn a_symlink_named_manifest_json_is_refused() {
    // Stock `tar -x` would create a link where the reader checked a file; the old reader
    // read the entry's data as the manifest and passed it.
    let p = parties();
    let (bundle, _) = sample(&p);
    let files = untar(&tamper::decrypt(&bundle, &p.coordinator));
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
    let forged = encrypt(&b.into_inner().unwrap(), &p.coordinator);
    assert_eq!(outcome(&forged, &p), "bundle_not_plain_file");
}

/// Renames the listed media file `from` to `to` in the manifest (re-signed by the
/// sender's own key) and in the archive (where the tar crate lets us write that name).
fn rename_media(bundle: &[u8], p: &Parties, from: &str, to: &str) -> Vec<u8> {
    rewrite(bundle, p, |f| {
        resign(f, &p.signer, |m| {
            let files = m["files"].as_object_mut().unwrap();
            let entry = files.remove(from).unwrap();
            files.insert(to.to_string(), entry);
        });
        if !to.contains("..") {
            file(f, from);
            f.iter_mut().find(|(path, _)| path == from).unwrap().0 = to.to_string();
        }
    })
}

#[test]
fn a_media_file_not_named_by_its_hash_is_refused() {
    // Signed by the sender itself: `media/<hash>` holding other bytes, or a name that
    // leaves the folder, passed the old reader (the hash listed was checked, the name
    // never was).
    let p = parties();
    let (bundle, manifest) = sample(&p);
    let audio = manifest
        .files
        .iter()
        .find(|(k, e)| k.starts_with("media/") && e.size < 100)
        .map(|(k, _)| k.clone())
        .unwrap();
    let other = format!("media/{}", sha(b"some other evidence"));
    let upper = audio.to_uppercase().replace("MEDIA/", "media/");
    for (to, what) in [
        (other.as_str(), "another file's hash"),
        ("media/../../x", "a path out of the folder"),
        (upper.as_str(), "upper-case hex"),
    ] {
        let forged = rename_media(&bundle, &p, &audio, to);
        assert_eq!(outcome(&forged, &p), "bundle_bad_path", "{what}");
    }
    // The rename itself is otherwise sound: renamed back, it is the genuine bundle.
    let same = rename_media(&bundle, &p, &audio, &audio);
    assert_eq!(outcome(&same, &p), "ok");
}

#[test]
fn tar_header_fields_no_signature_covers_must_be_as_kua_writes_them() {
    // A co-recipient decrypts a genuine bundle, marks a file setuid (or gives it an
    // owner, a time, a ustar prefix that GNU tar joins to the name) and re-encrypts it
    // to us: the signed manifest still matches every byte, so only the header differs.
    let p = parties();
    let (bundle, _) = sample(&p);
    let files = untar(&tamper::decrypt(&bundle, &p.coordinator));
    let cases: [&dyn Fn(&mut tar::Header); 4] = [
        &|h| h.set_mode(0o4755),
        &|h| h.set_uid(1000),
        &|h| h.set_mtime(1_641_600_000),
        &|h| {
            if let Some(u) = h.as_ustar_mut() {
                u.prefix[..2].copy_from_slice(b"p/");
            }
        },
    ];
    for change in cases {
        let mut b = tar::Builder::new(Vec::new());
        for (i, (path, bytes)) in files.iter().enumerate() {
            let mut h = tar::Header::new_ustar();
            h.set_path(path).unwrap();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            h.set_mtime(0);
            h.set_uid(0);
            h.set_gid(0);
            h.set_entry_type(tar::EntryType::Regular);
            if i == files.len() - 1 {
                change(&mut h);
            }
            h.set_cksum();
            b.append(&h, bytes.as_slice()).unwrap();
        }
        let forged = encrypt(&b.into_inner().unwrap(), &p.coordinator);
        assert_eq!(outcome(&forged, &p), "bundle_corrupt");
    }
    // The same, unchanged, passes: the check is on the fields alone.
    assert_eq!(outcome(&bundle, &p), "ok");
}
