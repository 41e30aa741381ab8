//! Writing a bundle: manifest and signature first, then every file, in a deterministic
//! tar (sorted paths, mtime 0, uid/gid 0, mode 0644), encrypted with age to every
//! recipient. Streaming: memory does not grow with the size of the media.

use crate::error::{Error, Result};
use crate::manifest::{self, FileEntry, LogRange, Manifest, Sender, FORMAT};
use crate::minisign;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// Streams the bytes of a media file, known by its SHA-256, to the writer.
pub trait MediaSource {
    fn open(&mut self, sha256: &str) -> std::io::Result<Box<dyn Read + '_>>;
}

/// Everything a bundle will hold.
#[derive(Debug, Default)]
pub struct Contents {
    pub bundle_id: String,
    pub created: String,
    pub vault_id: String,
    pub recipients: Vec<age::x25519::Recipient>,
    pub templates: BTreeMap<String, u32>,
    /// (path under `records/`, e.g. `ID/2.json`, JSON bytes). Testimony plaintext:
    /// wiped when the contents are dropped.
    pub records: Vec<(String, zeroize::Zeroizing<Vec<u8>>)>,
    /// (path under `cases/`, e.g. `ID.json`, JSON bytes): a lawyer's case files.
    pub cases: Vec<(String, zeroize::Zeroizing<Vec<u8>>)>,
    /// (sha256, size) of every media file, read through a `MediaSource`.
    pub media: Vec<(String, u64)>,
    /// `log/entries.jsonl`.
    pub log: Vec<u8>,
    pub log_range: Option<LogRange>,
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

fn header(size: u64) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(tar::EntryType::Regular);
    h
}

/// Checks length and hash of a media stream as it passes.
struct Checked<'a> {
    inner: Box<dyn Read + 'a>,
    hasher: Sha256,
    left: u64,
    expected: String,
    checked: bool,
}

impl Read for Checked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.checked {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "media longer than recorded",
            ));
        }
        self.left -= n as u64;
        self.hasher.update(&buf[..n]);
        if n == 0 || self.left == 0 {
            self.checked = true;
            let done = std::mem::take(&mut self.hasher);
            if self.left != 0 || hex(&done.finalize()) != self.expected {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "media does not match its evidence hash",
                ));
            }
        }
        Ok(n)
    }
}

/// Hands the archive to the encrypting thread in blocks; the channel is bounded, so at
/// most a few MiB are in flight.
/// `None` marks the archive's successful end; a channel that closes without it means
/// the archive failed, and the encrypting thread must not finish the age file.
struct Blocks {
    send: std::sync::mpsc::SyncSender<Option<Vec<u8>>>,
    buf: Vec<u8>,
}

impl Blocks {
    fn done(mut self) -> std::io::Result<()> {
        self.flush()?;
        self.send.send(None).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the encrypting thread stopped",
            )
        })
    }
}

const BLOCK: usize = 1 << 20;

impl Write for Blocks {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= BLOCK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let block = std::mem::replace(&mut self.buf, Vec::with_capacity(BLOCK));
            self.send.send(Some(block)).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::BrokenPipe,
                    "the encrypting thread stopped",
                )
            })?;
        }
        Ok(())
    }
}

/// Writes the bundle to `out` and returns its manifest. Two stages on two cores: this
/// thread builds the archive (reading and checking media), a helper thread encrypts it
/// with age and writes it out.
pub fn write(
    out: impl Write + Send,
    contents: &Contents,
    signer: &SigningKey,
    media: &mut dyn MediaSource,
) -> Result<Manifest> {
    if contents.recipients.is_empty() {
        return Err(Error::Rejected(
            "a bundle needs at least one recipient".into(),
        ));
    }
    let entry = |bytes: &[u8]| FileEntry {
        sha256: hex(&Sha256::digest(bytes)),
        size: bytes.len() as u64,
    };
    let mut files: BTreeMap<String, FileEntry> = BTreeMap::new();
    let mut small: BTreeMap<String, &[u8]> = BTreeMap::new();
    for (path, bytes) in &contents.records {
        small.insert(format!("records/{path}"), bytes.as_slice());
    }
    for (path, bytes) in &contents.cases {
        small.insert(format!("cases/{path}"), bytes.as_slice());
    }
    small.insert(manifest::LOG.to_string(), &contents.log);
    for (path, bytes) in &small {
        files.insert(path.clone(), entry(bytes));
    }
    for (sha, size) in &contents.media {
        files.insert(
            format!("media/{sha}"),
            FileEntry {
                sha256: sha.clone(),
                size: *size,
            },
        );
    }
    // A checksum file so that `sha256sum -c SHA256SUMS` checks everything; it is itself
    // listed (and so signed) in the manifest.
    let sums: String = files
        .iter()
        .map(|(p, e)| format!("{}  {p}\n", e.sha256))
        .collect();
    files.insert(manifest::SUMS.to_string(), entry(sums.as_bytes()));

    let verifying = signer.verifying_key();
    let manifest = Manifest {
        format: FORMAT,
        bundle_id: contents.bundle_id.clone(),
        created: contents.created.clone(),
        sender: Sender {
            key_id: minisign::key_id_hex(&verifying),
            public_key: minisign::public_key_line(&verifying),
            vault_id: contents.vault_id.clone(),
        },
        recipients: contents
            .recipients
            .iter()
            .map(ToString::to_string)
            .collect(),
        files,
        templates: contents.templates.clone(),
        log: contents
            .log_range
            .clone()
            .ok_or_else(|| Error::Rejected("a bundle carries its sender's custody log".into()))?,
    };
    // The writer holds itself to what readers accept.
    manifest.check_paths()?;
    let manifest_json = manifest.to_json();
    let signature = minisign::sign(
        signer,
        &manifest_json,
        &manifest::trusted_comment(&manifest),
    );

    let recipients: Vec<&dyn age::Recipient> = contents
        .recipients
        .iter()
        .map(|r| r as &dyn age::Recipient)
        .collect();
    let encryptor = age::Encryptor::with_recipients(recipients.into_iter())
        .map_err(|e| Error::Rejected(e.to_string()))?;
    let mut age_out = encryptor.wrap_output(out)?;
    std::thread::scope(|scope| -> Result<()> {
        let (send, recv) = std::sync::mpsc::sync_channel::<Option<Vec<u8>>>(4);
        let encrypting = scope.spawn(move || -> std::io::Result<()> {
            for block in recv {
                match block {
                    Some(block) => age_out.write_all(&block)?,
                    None => {
                        age_out.finish()?;
                        return Ok(());
                    }
                }
            }
            Err(std::io::Error::other("the archive was not completed"))
        });
        let archived = archive(
            Blocks {
                send,
                buf: Vec::with_capacity(BLOCK),
            },
            contents,
            &manifest_json,
            &signature,
            &sums,
            &small,
            media,
        );
        let encrypted = encrypting
            .join()
            .map_err(|_| Error::Rejected("the encrypting thread failed".into()))?;
        match (archived, encrypted) {
            (Ok(()), Ok(())) => Ok(()),
            // The output failed (a full disk, a pulled stick): the archive then only saw
            // the channel close, and the output's error is the one to report.
            (Err(Error::Io(a)), Err(e)) if a.kind() == std::io::ErrorKind::BrokenPipe => {
                Err(e.into())
            }
            // Otherwise an archive error is the cause; the encrypting thread then only
            // saw the archive end without its last block.
            (Err(a), _) => Err(a),
            (Ok(()), Err(e)) => Err(e.into()),
        }
    })?;
    Ok(manifest)
}

/// Writes the deterministic archive into `sink`.
fn archive(
    sink: Blocks,
    contents: &Contents,
    manifest_json: &[u8],
    signature: &str,
    sums: &str,
    small: &BTreeMap<String, &[u8]>,
    media: &mut dyn MediaSource,
) -> Result<()> {
    let mut tar = tar::Builder::new(sink);
    let put = |tar: &mut tar::Builder<_>, path: &str, bytes: &[u8]| -> Result<()> {
        tar.append_data(&mut header(bytes.len() as u64), path, bytes)?;
        Ok(())
    };
    put(&mut tar, manifest::MANIFEST, manifest_json)?;
    put(&mut tar, manifest::SIGNATURE, signature.as_bytes())?;
    put(&mut tar, manifest::SUMS, sums.as_bytes())?;
    // Records, then cases: the small files an importer checks before the media.
    for prefix in ["records/", "cases/"] {
        for (path, bytes) in small.iter().filter(|(p, _)| p.starts_with(prefix)) {
            put(&mut tar, path, bytes)?;
        }
    }
    let mut media_sorted = contents.media.clone();
    media_sorted.sort();
    media_sorted.dedup();
    for (sha, size) in &media_sorted {
        let reader = Checked {
            inner: media.open(sha)?,
            hasher: Sha256::new(),
            left: *size,
            expected: sha.clone(),
            checked: false,
        };
        tar.append_data(&mut header(*size), format!("media/{sha}"), reader)?;
    }
    put(&mut tar, manifest::LOG, &contents.log)?;
    tar.into_inner()?.done()?;
    Ok(())
}
