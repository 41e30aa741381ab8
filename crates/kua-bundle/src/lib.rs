//! Kua bundle format v1 (docs/bundle-format.md): how testimonies travel from a field
//! vault to a coordinator on a USB stick. A bundle is an age file (X25519 recipients)
//! holding a deterministic tar: a manifest, its minisign signature, a SHA256SUMS file,
//! the records, the media and the sender's custody log. A third party can check one with
//! stock `age`, `tar`, `minisign` and `sha256sum`.
//!
//! This crate knows the format only; what goes in and what an import means is kua-core's.

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod ahead;
mod error;
mod header;
pub mod manifest;
pub mod minisign;
mod read;
mod write;

pub use age;
pub use ed25519_dalek::VerifyingKey;
pub use error::{Error, Result};
pub use header::{MAX_AGE_HEADER, MAX_AGE_HEADER_LINES};
pub use manifest::{FileEntry, LogRange, Manifest, Sender, FORMAT};
pub use read::{read, Visitor, MAX_MANIFEST, MAX_SMALL_FILE};
pub use write::{write, Contents, MediaSource};
