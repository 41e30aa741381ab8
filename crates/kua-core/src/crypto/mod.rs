//! Cryptographic building blocks, from RustCrypto: XChaCha20-Poly1305 for every
//! ciphertext, Argon2id for the passphrase, HKDF-SHA256 for subkeys, HMAC-SHA256 for
//! unlinkable row ids, SHA-256 for evidence and content hashes. Chunks sealed in place (an
//! attachment's, a received bundle's media) are sealed with the same XChaCha20-Poly1305,
//! built from RustCrypto's HChaCha20 and ring's ChaCha20-Poly1305 for speed (`bulk.rs`:
//! the same bytes, opened by RustCrypto). Nothing here is home-made beyond the framing
//! (padding, AAD layout, nonce layout) documented in docs/vault-format.md.

mod aead;
mod bulk;
mod kdf;
mod keys;

pub use aead::{
    open, open_padded, padme, seal, seal_padded, seal_with_nonce, Aad, NONCE_LEN, TAG_LEN,
};
pub(crate) use aead::{open_raw, seal_in_place};
pub(crate) use bulk::scrub_stack;
pub use kdf::{calibrate, KdfParams, MIN_M_KIB, MIN_P, MIN_T};
pub(crate) use keys::{base32_grouped, base32_typed};
pub use keys::{Key, RecoveryKey, Subkeys};

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

pub fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}
