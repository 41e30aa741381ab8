//! Minisign signatures and public keys, written so that the stock `minisign -V` checks
//! them: the prehashed algorithm ("ED": Ed25519 over BLAKE2b-512 of the file), a trusted
//! comment, and the global signature over signature || trusted comment.
//! Format reference: the minisign documentation (jedisct1.github.io/minisign).

use crate::error::{Error, Result};
use blake2::{Blake2b512, Digest};
use data_encoding::BASE64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::Sha256;

/// A key id is 8 bytes; ours is derived from the public key, so it is stable.
pub fn key_id(key: &VerifyingKey) -> [u8; 8] {
    let digest = Sha256::digest([b"kua minisign key id".as_slice(), key.as_bytes()].concat());
    let mut id = [0u8; 8];
    id.copy_from_slice(&digest[..8]);
    id
}

/// The key id as minisign prints it: the 8 bytes read as a little-endian u64, in hex.
pub fn key_id_hex(key: &VerifyingKey) -> String {
    format!("{:016X}", u64::from_le_bytes(key_id(key)))
}

/// The one-line base64 form of a public key (what `minisign -P` takes).
pub fn public_key_line(key: &VerifyingKey) -> String {
    let mut raw = b"Ed".to_vec();
    raw.extend_from_slice(&key_id(key));
    raw.extend_from_slice(key.as_bytes());
    BASE64.encode(&raw)
}

/// A public key file, as `minisign -G` writes it.
pub fn public_key_file(key: &VerifyingKey) -> String {
    format!(
        "untrusted comment: minisign public key {}\n{}\n",
        key_id_hex(key),
        public_key_line(key)
    )
}

/// Parses a public key given as its base64 line or as a whole key file.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .ok_or_else(|| Error::BadManifest("empty minisign public key".into()))?;
    let raw = BASE64
        .decode(line.as_bytes())
        .map_err(|_| Error::BadManifest("a minisign public key is not base64".into()))?;
    if raw.len() != 42 || &raw[..2] != b"Ed" {
        return Err(Error::BadManifest(
            "not a minisign Ed25519 public key".into(),
        ));
    }
    let mut pk = [0u8; 32];
    pk.copy_from_slice(&raw[10..]);
    let key = VerifyingKey::from_bytes(&pk)
        .map_err(|_| Error::BadManifest("invalid Ed25519 public key".into()))?;
    if raw[2..10] != key_id(&key) {
        return Err(Error::BadManifest(
            "minisign key id does not match the key".into(),
        ));
    }
    Ok(key)
}

/// Signs `message` (prehashed) with a trusted comment; returns the `.minisig` text.
pub fn sign(key: &SigningKey, message: &[u8], trusted_comment: &str) -> String {
    let prehash = Blake2b512::digest(message);
    let sig = key.sign(&prehash);
    let mut raw = b"ED".to_vec();
    raw.extend_from_slice(&key_id(&key.verifying_key()));
    raw.extend_from_slice(&sig.to_bytes());
    let mut global_msg = sig.to_bytes().to_vec();
    global_msg.extend_from_slice(trusted_comment.as_bytes());
    let global = key.sign(&global_msg);
    format!(
        "untrusted comment: signature from kua device key {}\n{}\ntrusted comment: {}\n{}\n",
        key_id_hex(&key.verifying_key()),
        BASE64.encode(&raw),
        trusted_comment,
        BASE64.encode(&global.to_bytes())
    )
}

/// The key id a `.minisig` text names, as `key_id_hex` prints it.
pub fn signature_key_id(minisig: &str) -> Option<String> {
    let raw = BASE64
        .decode(minisig.lines().nth(1)?.trim().as_bytes())
        .ok()?;
    let id: [u8; 8] = raw.get(2..10)?.try_into().ok()?;
    Some(format!("{:016X}", u64::from_le_bytes(id)))
}

/// Verifies a `.minisig` text over `message` with `key`; returns the trusted comment.
pub fn verify(key: &VerifyingKey, message: &[u8], minisig: &str) -> Result<String> {
    let mut lines = minisig.lines();
    let _untrusted = lines.next().ok_or(Error::BadSignature)?;
    let raw = lines
        .next()
        .and_then(|l| BASE64.decode(l.trim().as_bytes()).ok())
        .ok_or(Error::BadSignature)?;
    let trusted = lines
        .next()
        .and_then(|l| l.strip_prefix("trusted comment: "))
        .ok_or(Error::BadSignature)?;
    let global = lines
        .next()
        .and_then(|l| BASE64.decode(l.trim().as_bytes()).ok())
        .and_then(|b| Signature::from_slice(&b).ok())
        .ok_or(Error::BadSignature)?;
    if raw.len() != 74 || raw[2..10] != key_id(key) {
        return Err(Error::BadSignature);
    }
    let sig = Signature::from_slice(&raw[10..]).map_err(|_| Error::BadSignature)?;
    let signed_ok = match &raw[..2] {
        b"ED" => key.verify(&Blake2b512::digest(message), &sig).is_ok(),
        b"Ed" => key.verify(message, &sig).is_ok(),
        _ => false,
    };
    let mut global_msg = raw[10..].to_vec();
    global_msg.extend_from_slice(trusted.as_bytes());
    if !signed_ok || key.verify(&global_msg, &global).is_err() {
        return Err(Error::BadSignature);
    }
    Ok(trusted.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let sig = sign(&key, b"manifest", "bundle:1");
        let vk = parse_public_key(&public_key_file(&key.verifying_key())).unwrap();
        assert_eq!(verify(&vk, b"manifest", &sig).unwrap(), "bundle:1");
        assert!(verify(&vk, b"manifesT", &sig).is_err());
        let forged = sig.replace("bundle:1", "bundle:2");
        assert!(verify(&vk, b"manifest", &forged).is_err());
        let other = SigningKey::from_bytes(&[8u8; 32]).verifying_key();
        assert!(verify(&other, b"manifest", &sig).is_err());
        assert_eq!(
            signature_key_id(&sig),
            Some(key_id_hex(&key.verifying_key()))
        );
        assert_eq!(signature_key_id("garbage"), None);
    }
}
