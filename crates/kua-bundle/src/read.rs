//! Reading a bundle: decrypt, check the manifest's signature first, then stream every
//! file through its hash. Nothing is trusted before the check that covers it; the
//! visitor sees a file's bytes before its hash is confirmed, so it must treat them as
//! provisional until `read` returns Ok (kua-core imports inside one transaction).

use crate::ahead;
use crate::error::{Error, Result};
use crate::manifest::{self, FileEntry, Manifest};
use crate::minisign;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::Read;

/// The largest manifest, signature, checksum file, record or log accepted, so that a
/// hostile bundle cannot make the reader allocate without bound.
pub const MAX_SMALL_FILE: u64 = 64 * 1024 * 1024;

/// The largest manifest or signature accepted: they are read before anything is trusted.
pub const MAX_MANIFEST: u64 = 16 * 1024 * 1024;

/// Receives what a bundle holds, in order.
pub trait Visitor {
    /// The key pinned for a signer's key id, if the caller has one. With it, the reader
    /// authenticates the manifest before parsing a byte of it.
    fn pinned(&mut self, _key_id: &str) -> Option<VerifyingKey> {
        None
    }
    /// The manifest, after its signature verified with `sender`. Return an error to stop
    /// (an untrusted sender, a bundle already imported).
    fn manifest(&mut self, manifest: &Manifest, sender: &VerifyingKey) -> Result<()>;
    /// The SHA-256 (lowercase hex) of the manifest's exact bytes, given once its
    /// signature verified and just before `manifest`. It names this one signed manifest,
    /// so a caller can tell a bundle seen before from another that reuses its id.
    fn manifest_sha256(&mut self, _sha256: &str) {}
    /// One file. Read as much of `data` as wanted; the rest is read and hashed after.
    fn file(&mut self, path: &str, entry: &FileEntry, data: &mut dyn Read) -> Result<()>;
}

pub(crate) fn io_error(e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => Error::Truncated(e.to_string()),
        _ => Error::Corrupt(e.to_string()),
    }
}

/// Hashes what passes, and remembers a failure of the bundle stream itself, so that an
/// error surfacing through the visitor is reported as damage to the bundle, not as a
/// local I/O problem.
struct Hashing<'a, R> {
    inner: &'a mut R,
    hasher: Sha256,
    failed: Option<std::io::ErrorKind>,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self
            .inner
            .read(buf)
            .inspect_err(|e| self.failed = Some(e.kind()))?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn read_small(entry: &mut impl Read, size: u64, max: u64, what: &str) -> Result<Vec<u8>> {
    if size > max {
        return Err(Error::BadManifest(format!("{what} is too large")));
    }
    // Grow with what actually arrives, not with what a (hostile) header claims.
    let mut out = Vec::with_capacity(size.min(1 << 20) as usize);
    entry.take(size).read_to_end(&mut out).map_err(io_error)?;
    if out.len() as u64 != size {
        return Err(Error::Truncated(what.into()));
    }
    Ok(out)
}

/// Refuses an entry that is not a plain regular file, before a byte of it is read: a
/// link or a directory would make stock `tar -x` write something else than what was
/// checked, and long-name and PAX headers are not part of the format.
fn plain_file<R: Read>(entry: &tar::Entry<'_, R>) -> Result<()> {
    // The name comes from an unauthenticated header: shown escaped, so that it cannot
    // carry terminal control sequences into a front end's output.
    let path = entry.path_bytes();
    let shown = format!(
        "{:?}",
        String::from_utf8_lossy(&path[..path.len().min(256)])
    );
    let h = entry.header();
    if h.entry_type() != tar::EntryType::Regular {
        return Err(Error::NotPlainFile(shown));
    }
    // The fields stock `tar -x` acts on but no signature covers (mode, owner, time, and
    // the ustar prefix that GNU tar joins to the name) must be exactly what every Kua
    // writer sets, so that a bundle re-encrypted by another recipient cannot make a
    // third party's extraction create setuid files or other names than were checked.
    // (An empty owner field, as some tar writers leave it, reads as owner 0.)
    let as_written = h
        .as_ustar()
        .is_some_and(|u| u.prefix.iter().all(|&b| b == 0))
        && h.mode().ok() == Some(0o644)
        && h.uid().map_or(true, |id| id == 0)
        && h.gid().map_or(true, |id| id == 0)
        && h.mtime().ok() == Some(0);
    if !as_written {
        return Err(Error::Corrupt(format!(
            "{shown}: its tar header is not as Kua writes it (ustar, mode 644, owner 0, time 0, no prefix)"
        )));
    }
    Ok(())
}

/// Reads and checks a whole bundle; see the module documentation.
///
/// The age decryption runs on a second thread, a few pieces ahead of the checks and the
/// visitor on this one, so that on two cores a coordinator's import decrypts while it
/// stores. The plaintext passes between them in memory only, in zeroised buffers.
pub fn read(
    input: impl Read + Send,
    identities: &[age::x25519::Identity],
    visitor: &mut dyn Visitor,
) -> Result<Manifest> {
    // The header is read and bounded first: age's own header parser takes time that
    // grows with the square of the header's size.
    let input = crate::header::bounded(input)?;
    let decryptor = age::Decryptor::new_buffered(input).map_err(|e| match e {
        age::DecryptError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::Truncated("the age header is incomplete".into())
        }
        other => Error::Corrupt(format!(
            "not an age file, or its header is damaged ({other})"
        )),
    })?;
    let ids = identities.iter().map(|i| i as &dyn age::Identity);
    let plain = decryptor.decrypt(ids).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => Error::NotForYou,
        age::DecryptError::Io(io) => io_error(io),
        other => Error::Corrupt(other.to_string()),
    })?;
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel(ahead::AHEAD);
        let decrypting = scope.spawn(move || ahead::decrypt(plain, &send));
        let read = read_plain(ahead::Ahead::new(receive), visitor);
        // The reader (and with it the receiving end) is gone by now, so a thread still
        // sending stops at its next piece.
        match decrypting.join() {
            Ok(()) => read,
            _ => Err(Error::Corrupt(
                "the bundle's decryption stopped unexpectedly".into(),
            )),
        }
    })
}

/// Everything after the decryption: the tar, the manifest and its signature, every
/// file through its hash, the padding after the tar.
fn read_plain(plain: impl Read, visitor: &mut dyn Visitor) -> Result<Manifest> {
    let mut archive = tar::Archive::new(plain);
    // Raw entries: the tar crate would otherwise read GNU long-name and PAX headers into
    // memory, whatever size they claim, before we see the entry they describe. Kua writes
    // plain ustar entries only, so each of those is refused unread, by its type.
    let mut entries = archive.entries().map_err(io_error)?.raw(true);
    let mut next = |what: &str| -> Result<tar::Entry<'_, _>> {
        let entry = entries
            .next()
            .ok_or_else(|| Error::MissingFile(what.into()))?
            .map_err(io_error)?;
        plain_file(&entry)?;
        Ok(entry)
    };

    let mut first = next(manifest::MANIFEST)?;
    if first.path_bytes().as_ref() != manifest::MANIFEST.as_bytes() {
        return Err(Error::BadManifest(
            "the bundle does not start with its manifest".into(),
        ));
    }
    let size = first.size();
    let manifest_bytes = read_small(&mut first, size, MAX_MANIFEST, manifest::MANIFEST)?;
    drop(first);
    let mut second = next(manifest::SIGNATURE)?;
    if second.path_bytes().as_ref() != manifest::SIGNATURE.as_bytes() {
        return Err(Error::MissingFile(manifest::SIGNATURE.into()));
    }
    let size = second.size();
    let sig = read_small(&mut second, size, MAX_MANIFEST, manifest::SIGNATURE)?;
    drop(second);
    let sig = String::from_utf8(sig).map_err(|_| Error::BadSignature)?;
    // A sender the caller pinned is checked before the manifest is parsed at all.
    if let Some(key) = minisign::signature_key_id(&sig).and_then(|id| visitor.pinned(&id)) {
        minisign::verify(&key, &manifest_bytes, &sig)?;
    }
    let manifest = Manifest::parse(&manifest_bytes)?;
    let sender = minisign::parse_public_key(&manifest.sender.public_key)?;
    // The key id is a claim like any other: it must name the key that signs.
    if manifest.sender.key_id != minisign::key_id_hex(&sender) {
        return Err(Error::BadManifest(
            "the sender key id does not match the sender key".into(),
        ));
    }
    let trusted = minisign::verify(&sender, &manifest_bytes, &sig)?;
    if trusted != manifest::trusted_comment(&manifest) {
        return Err(Error::BadSignature);
    }
    manifest.check_paths()?;
    visitor.manifest_sha256(&data_encoding::HEXLOWER.encode(&Sha256::digest(&manifest_bytes)));
    visitor.manifest(&manifest, &sender)?;

    let mut seen = BTreeSet::new();
    for entry in entries {
        let mut entry = entry.map_err(io_error)?;
        plain_file(&entry)?;
        let path = String::from_utf8(entry.path_bytes().into_owned())
            .map_err(|_| Error::Corrupt("a file name is not UTF-8".into()))?;
        let listed = manifest
            .files
            .get(&path)
            .ok_or_else(|| Error::UnlistedFile(path.clone()))?;
        if !seen.insert(path.clone()) {
            return Err(Error::Corrupt(format!("{path} appears twice")));
        }
        if entry.size() != listed.size {
            return Err(Error::HashMismatch { path });
        }
        if path == manifest::SUMS {
            // A third party runs `sha256sum -c` on this file: it must cover exactly what
            // the signed manifest lists.
            let size = entry.size();
            let sums = read_small(&mut entry, size, MAX_SMALL_FILE, manifest::SUMS)?;
            let actual = data_encoding::HEXLOWER.encode(&Sha256::digest(&sums));
            if actual != listed.sha256 || sums != manifest.sums().as_bytes() {
                return Err(Error::HashMismatch { path });
            }
            continue;
        }
        let mut hashing = Hashing {
            inner: &mut entry,
            hasher: Sha256::new(),
            failed: None,
        };
        let visited = visitor.file(&path, listed, &mut hashing);
        if let Some(kind) = hashing.failed {
            return Err(io_error(std::io::Error::new(
                kind,
                format!("while reading {path}"),
            )));
        }
        let drained = std::io::copy(&mut hashing, &mut std::io::sink()).map_err(io_error);
        if let Err(e) = visited {
            // If the file itself was altered, that is the cause to report, not whatever
            // the visitor made of the altered bytes.
            let altered = drained.is_ok()
                && data_encoding::HEXLOWER.encode(&hashing.hasher.clone().finalize())
                    != listed.sha256;
            return Err(if altered {
                Error::HashMismatch { path }
            } else {
                e
            });
        }
        drained?;
        let actual = data_encoding::HEXLOWER.encode(&hashing.hasher.finalize());
        if actual != listed.sha256 {
            return Err(Error::HashMismatch { path });
        }
    }
    if let Some(missing) = manifest.files.keys().find(|p| !seen.contains(*p)) {
        return Err(Error::MissingFile(missing.clone()));
    }
    // After the tar's end there may only be zero padding, up to the end of the age
    // stream (which age itself authenticates, including its end).
    let mut rest = archive.into_inner();
    let mut buf = [0u8; 8192];
    loop {
        let n = rest.read(&mut buf).map_err(io_error)?;
        if n == 0 {
            break;
        }
        if buf[..n].iter().any(|b| *b != 0) {
            return Err(Error::TrailingData);
        }
    }
    Ok(manifest)
}
