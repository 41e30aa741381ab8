//! The manifest: what a bundle holds, who made it, and the hash of every file in it.
//! Unknown fields are ignored (later minor versions may add some); an unknown major
//! `format` is refused.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The major format version this crate writes and reads.
pub const FORMAT: u32 = 1;

pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.json.minisig";
pub const SUMS: &str = "SHA256SUMS";
pub const LOG: &str = "log/entries.jsonl";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub bundle_id: String,
    /// RFC 3339, UTC.
    pub created: String,
    pub sender: Sender,
    /// The age recipients (`age1…`) the bundle is encrypted to.
    pub recipients: Vec<String>,
    /// Every file after the manifest and its signature, by path.
    pub files: BTreeMap<String, FileEntry>,
    /// Template id → version, for every template a record uses.
    #[serde(default)]
    pub templates: BTreeMap<String, u32>,
    /// The sender's custody log carried in `log/entries.jsonl`.
    pub log: LogRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// The minisign key id, as minisign prints it.
    pub key_id: String,
    /// The minisign public key line (base64).
    pub public_key: String,
    /// The sending vault's id (it is part of what custody checkpoints sign).
    pub vault_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRange {
    /// Position of the first entry carried.
    pub from: u64,
    /// Number of entries in the sender's log when the bundle was made.
    pub size: u64,
    /// Hash of the last entry, hex.
    pub head: String,
    /// Ed25519 signature (hex) of the custody checkpoint (size, head) by the sender.
    pub checkpoint_sig: String,
}

impl Manifest {
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Parses a manifest: first only its format (skipping everything else without
    /// storing it), then, for a known format, straight into the typed manifest.
    pub fn parse(bytes: &[u8]) -> Result<Manifest> {
        #[derive(Deserialize)]
        struct Format {
            format: Option<u64>,
        }
        let position = |e: serde_json::Error| {
            Error::BadManifest(format!(
                "not valid JSON of a manifest (line {}, column {})",
                e.line(),
                e.column()
            ))
        };
        let found = serde_json::from_slice::<Format>(bytes)
            .map_err(position)?
            .format
            .ok_or_else(|| Error::BadManifest("no format version".into()))?;
        let found = u32::try_from(found).unwrap_or(u32::MAX);
        if found != FORMAT {
            return Err(Error::UnsupportedVersion {
                found,
                supported: FORMAT,
            });
        }
        serde_json::from_slice(bytes).map_err(position)
    }

    /// Checks that every listed path is one a bundle may hold: relative, at most 100
    /// bytes (a ustar name field), made of plain names (ASCII letters, digits, `.`, `_`,
    /// `-`, never `.` or `..`), so that stock `tar -x` writes nothing outside its folder;
    /// and that `media/<name>` is named by the lowercase hex SHA-256 listed for it, so a
    /// media file is what its name says.
    pub fn check_paths(&self) -> Result<()> {
        for (path, entry) in &self.files {
            let plain = path.len() <= 100
                && path.split('/').all(|c| {
                    !c.is_empty()
                        && c != "."
                        && c != ".."
                        && c.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
                });
            if !plain {
                return Err(Error::BadPath(
                    path.clone(),
                    "only short relative paths of plain names are allowed",
                ));
            }
            if let Some(name) = path.strip_prefix("media/") {
                if !is_sha256_hex(&entry.sha256) || name != entry.sha256 {
                    return Err(Error::BadPath(
                        path.clone(),
                        "a media file must be named by the lowercase hex SHA-256 of its bytes",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The `SHA256SUMS` text this manifest implies: every listed file but itself.
    pub fn sums(&self) -> String {
        self.files
            .iter()
            .filter(|(p, _)| p.as_str() != SUMS)
            .map(|(p, e)| format!("{}  {p}\n", e.sha256))
            .collect()
    }
}

/// The trusted comment of the manifest's signature: it names the bundle, so a signature
/// cannot be moved to another bundle's manifest unnoticed.
pub fn trusted_comment(manifest: &Manifest) -> String {
    format!(
        "kua bundle {} created {}",
        manifest.bundle_id, manifest.created
    )
}

/// A SHA-256 as the format writes it: 64 lowercase hex digits.
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
