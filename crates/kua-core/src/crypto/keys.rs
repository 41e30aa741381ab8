//! Key types. Every key lives in a zeroizing buffer and is wiped when dropped, which is
//! how locking the vault forgets it.

use crate::error::{Error, Result};
use crate::seams::Seams;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use secrecy::SecretString;
use sha2::Sha256;
use zeroize::Zeroizing;

/// A 256-bit symmetric key, wiped on drop.
pub struct Key(Zeroizing<[u8; 32]>);

impl Key {
    pub fn from_zeroizing(bytes: Zeroizing<[u8; 32]>) -> Self {
        Key(bytes)
    }

    /// Copies a 32-byte key out of a (zeroizing) buffer; None if the length is wrong.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let mut key = Zeroizing::new([0u8; 32]);
        if bytes.len() != 32 {
            return None;
        }
        key.copy_from_slice(bytes);
        Some(Key(key))
    }

    /// A fresh random key, generated in place in its zeroizing buffer.
    pub fn random(seams: &mut Seams) -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        seams.fill(key.as_mut());
        Key(key)
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// HKDF-SHA256 subkey for one purpose.
    pub fn derive(&self, info: &str) -> Key {
        let hk = Hkdf::<Sha256>::new(Some(b"kua/v1/subkey"), self.expose());
        let mut out = Zeroizing::new([0u8; 32]);
        // 32 bytes is always a valid HKDF-SHA256 output length.
        let _ = hk.expand(info.as_bytes(), out.as_mut());
        Key(out)
    }

    /// HMAC-SHA256 of `data` under this key.
    pub fn mac(&self, data: &[u8]) -> [u8; 32] {
        #[allow(clippy::expect_used)]
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.expose())
            .expect("HMAC accepts keys of any length");
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

/// The per-purpose keys derived from the vault key after unlock.
#[derive(Debug)]
pub struct Subkeys {
    /// Wraps the per-record keys (record heads).
    pub wrap: Key,
    /// Keys the HMAC that turns (attachment, chunk index) into an unlinkable row id.
    pub chunk_ids: Key,
    /// Encrypts custody-log entries.
    pub custody: Key,
    /// Encrypts vault secrets such as the device signing key.
    pub secrets: Key,
    /// Keys the MAC of the plaintext header (format 2).
    pub header: Key,
}

impl Subkeys {
    pub fn derive(vault_key: &Key) -> Self {
        Subkeys {
            wrap: vault_key.derive("record-wrap"),
            chunk_ids: vault_key.derive("chunk-ids"),
            custody: vault_key.derive("custody"),
            secrets: vault_key.derive("secrets"),
            header: vault_key.derive("header-mac"),
        }
    }
}

/// The recovery key: 160 random bits, shown once at init as eight groups of four
/// base32 letters (`ABCD-EFGH-…`), typable and readable aloud.
pub struct RecoveryKey(Zeroizing<[u8; 20]>);

/// Secret bytes as people copy them: base32 in groups of four joined by dashes. Built in
/// place in a buffer sized once: no intermediate string of key material is left behind.
pub(crate) fn base32_grouped(bytes: &[u8]) -> SecretString {
    let encoded = Zeroizing::new(data_encoding::BASE32_NOPAD.encode(bytes));
    let mut grouped = String::with_capacity(encoded.len() + encoded.len() / 4);
    for (i, c) in encoded.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            grouped.push('-');
        }
        grouped.push(c);
    }
    SecretString::from(grouped)
}

/// What someone typed of a `base32_grouped` text, ready to decode: case, spaces and
/// dashes do not matter, and the digits 0, 1 and 8, which the base32 alphabet does not
/// use, are read as the letters O, I and B they are easily mistaken for.
pub(crate) fn base32_typed(typed: &str) -> Zeroizing<String> {
    let mut cleaned = Zeroizing::new(String::with_capacity(typed.len()));
    for c in typed.chars().filter(|c| !c.is_whitespace() && *c != '-') {
        cleaned.push(match c.to_ascii_uppercase() {
            '0' => 'O',
            '1' => 'I',
            '8' => 'B',
            c => c,
        });
    }
    cleaned
}

impl RecoveryKey {
    pub fn random(seams: &mut Seams) -> Self {
        let mut key = Zeroizing::new([0u8; 20]);
        seams.fill(key.as_mut());
        RecoveryKey(key)
    }

    /// Parses the typed form. Case, spaces and dashes do not matter, and the digits 0, 1
    /// and 8, which the base32 alphabet does not use, are read as the letters O, I and B
    /// they are easily mistaken for.
    pub fn parse(typed: &str) -> Result<Self> {
        let cleaned = base32_typed(typed);
        let bytes = Zeroizing::new(
            data_encoding::BASE32_NOPAD
                .decode(cleaned.as_bytes())
                .map_err(|_| bad_recovery())?,
        );
        let mut key = Zeroizing::new([0u8; 20]);
        if bytes.len() != key.len() {
            return Err(bad_recovery());
        }
        key.copy_from_slice(&bytes);
        Ok(RecoveryKey(key))
    }

    pub fn display(&self) -> SecretString {
        base32_grouped(self.0.as_ref())
    }

    /// The key-encryption key of the recovery slot. The recovery key has 160 bits of
    /// entropy, so HKDF suffices; no password hashing is needed.
    pub fn kek(&self, salt: &[u8]) -> Key {
        let hk = Hkdf::<Sha256>::new(Some(salt), self.0.as_ref());
        let mut out = Zeroizing::new([0u8; 32]);
        let _ = hk.expand(b"kua/v1/recovery-kek", out.as_mut());
        Key(out)
    }
}

fn bad_recovery() -> Error {
    Error::BadInput(
        "that is not a recovery key: it has 32 letters and digits in 8 groups of 4 (ABCD-EFGH-…)"
            .into(),
    )
}

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key printed for debugging (in a log line, a panic message, an error's chain)
    /// shows that it is a key and nothing of its bytes.
    #[test]
    fn keys_print_without_their_bytes() {
        let key = Key::from_zeroizing(Zeroizing::new([0xAB; 32]));
        assert_eq!(format!("{key:?}"), "Key(..)");
        let recovery = RecoveryKey::parse("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567")
            .expect("a well-formed recovery key");
        assert_eq!(format!("{recovery:?}"), "RecoveryKey(..)");
        let subkeys = Subkeys::derive(&key);
        let printed = format!("{subkeys:?}");
        assert!(printed.contains("Key(..)"), "{printed}");
        assert!(!printed.contains("171"), "{printed}");
    }
}
