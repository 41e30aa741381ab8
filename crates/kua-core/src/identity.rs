//! The vault's identities: its device signing key, shown as a minisign public key, and
//! an age X25519 identity for receiving bundles. Both live sealed in the vault.

use crate::custody::Event;
use crate::error::{Error, Result};
use crate::vault::{Ctx, Vault};
use ed25519_dalek::VerifyingKey;
use kua_bundle::age;
use kua_bundle::minisign;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::str::FromStr;

pub(crate) const AGE_IDENTITY: &str = "age-identity";

/// What a vault shows of itself, to be compared aloud before anyone trusts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IdentityInfo {
    /// The device signing key as a minisign public key (base64 line).
    pub minisign_public_key: String,
    pub minisign_key_id: String,
    /// Where bundles for this vault are sent: `age1…`.
    pub age_recipient: String,
    /// A short form of the signing key, in four groups, for reading aloud.
    pub fingerprint: String,
}

/// The human-comparable fingerprint of a signing key: 80 bits of SHA-256, base32, in
/// four groups of four.
pub fn fingerprint(key: &VerifyingKey) -> String {
    let digest = Sha256::digest([b"kua fingerprint v1".as_slice(), key.as_bytes()].concat());
    let text = data_encoding::BASE32_NOPAD.encode(&digest[..10]);
    text.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

impl Ctx<'_> {
    pub(crate) fn age_identity(&self) -> Result<Option<age::x25519::Identity>> {
        match self.read_secret(AGE_IDENTITY)? {
            None => Ok(None),
            Some(bytes) => {
                let text =
                    std::str::from_utf8(&bytes).map_err(|_| Error::integrity(AGE_IDENTITY))?;
                age::x25519::Identity::from_str(text.trim())
                    .map(Some)
                    .map_err(|_| Error::integrity(AGE_IDENTITY))
            }
        }
    }

    fn store_age_identity(&mut self, identity: &age::x25519::Identity) -> Result<()> {
        let text = identity.to_string();
        self.transaction(|ctx, tx, tail| {
            let state = ctx.write_secret(tx, AGE_IDENTITY, text.expose_secret().as_bytes())?;
            ctx.log(
                tx,
                tail,
                Event::IdentityChanged,
                state.change(Some(identity.to_public().to_string())),
            )
        })
    }

    /// The age identity, created on first use.
    pub(crate) fn ensure_age_identity(&mut self) -> Result<age::x25519::Identity> {
        if let Some(id) = self.age_identity()? {
            return Ok(id);
        }
        let id = age::x25519::Identity::generate();
        self.store_age_identity(&id)?;
        Ok(id)
    }

    fn identity_info(&self, age: &age::x25519::Identity) -> IdentityInfo {
        let key = self.keys.signing.verifying_key();
        IdentityInfo {
            minisign_public_key: minisign::public_key_line(&key),
            minisign_key_id: minisign::key_id_hex(&key),
            age_recipient: age.to_public().to_string(),
            fingerprint: fingerprint(&key),
        }
    }
}

impl Vault {
    /// This vault's public identities.
    pub fn identity(&mut self) -> Result<IdentityInfo> {
        let mut ctx = self.ctx()?;
        let age = ctx.ensure_age_identity()?;
        Ok(ctx.identity_info(&age))
    }

    /// The device signing key as a minisign public key file (`minisign -V -p FILE`).
    pub fn minisign_public_key_file(&mut self) -> Result<String> {
        let ctx = self.ctx()?;
        Ok(minisign::public_key_file(&ctx.keys.signing.verifying_key()))
    }

    /// Adopts an age identity written by `age-keygen` (comments are ignored). Bundles
    /// sent to the old identity can no longer be read by this vault.
    pub fn import_age_identity(&mut self, text: &str) -> Result<IdentityInfo> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .ok_or_else(|| Error::BadInput("no AGE-SECRET-KEY-1… line in that file".into()))?;
        let identity = age::x25519::Identity::from_str(line)
            .map_err(|_| Error::BadInput("that is not a valid age X25519 identity".into()))?;
        let mut ctx = self.ctx()?;
        ctx.store_age_identity(&identity)?;
        Ok(ctx.identity_info(&identity))
    }

    /// The age identity itself, for escrow. Whoever holds it can read every bundle sent
    /// to this vault; front ends must make the user ask for it explicitly.
    pub fn export_age_identity(&mut self) -> Result<SecretString> {
        let mut ctx = self.ctx()?;
        Ok(ctx.ensure_age_identity()?.to_string())
    }
}
