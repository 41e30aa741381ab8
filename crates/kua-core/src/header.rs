//! The plaintext header's integrity: its shape is checked before anything uses it, and
//! since format 2 every part is covered by a MAC under a key derived from the vault key.
//!
//! Why per part. The passphrase slot and the recovery slot are each the only way in on
//! some day. A flipped byte in the recovery slot would otherwise show only on the day
//! the recovery key is needed, as if the key were mistyped. With one tag per part, an
//! unlock by either way in names every damaged part, and the user can make a new
//! recovery key while the passphrase still works.
//!
//! Why bounds before use. The KDF parameters are read before any key exists to check
//! them: a header claiming 4 TiB of memory or a billion passes would abort or hang the
//! unlock. Parameters outside what any Kua writes are a damaged header, not an attempt.

use crate::crypto::{Key, NONCE_LEN, TAG_LEN};
use crate::error::{Error, Result};
use crate::store::Header;

/// The parts of the header, in MAC order.
pub const PARTS: [&str; 6] = [
    "format",
    "vault_id",
    "kdf",
    "salt",
    "pass_slot",
    "recovery_slot",
];
const TAG: usize = 16;

/// Argon2id memory above this (4 GiB) is refused: Kua calibrates to at most 2 GiB.
pub const MAX_M_KIB: u32 = 4 * 1024 * 1024;
/// Passes above this are refused: Kua writes t = 3.
pub const MAX_T: u32 = 64;
/// Lanes above this are refused: Kua writes p = 4.
pub const MAX_P: u32 = 64;

/// Checks what can be checked without a key: sizes and the KDF bounds.
pub fn check_shape(h: &Header) -> Result<()> {
    let k = h.kdf;
    if k.p == 0
        || k.p > MAX_P
        || k.t == 0
        || k.t > MAX_T
        || k.m_kib > MAX_M_KIB
        || u64::from(k.m_kib) < 8 * u64::from(k.p)
    {
        return Err(Error::HeaderDamaged { part: "kdf" });
    }
    let slot = NONCE_LEN + 32 + TAG_LEN;
    if h.salt.len() != 16 {
        return Err(Error::HeaderDamaged { part: "salt" });
    }
    if h.pass_slot.len() != slot {
        return Err(Error::HeaderDamaged { part: "pass_slot" });
    }
    if h.recovery_slot.len() != slot {
        return Err(Error::HeaderDamaged {
            part: "recovery_slot",
        });
    }
    if h.format >= 2 && h.mac.len() != PARTS.len() * TAG {
        return Err(Error::HeaderDamaged { part: "mac" });
    }
    Ok(())
}

fn part_bytes(h: &Header, part: &str) -> Vec<u8> {
    match part {
        "format" => h.format.to_be_bytes().to_vec(),
        "vault_id" => h.vault_id.as_bytes().to_vec(),
        // The JSON as stored is what is authenticated; serialising fixed fields of
        // integers cannot fail.
        "kdf" => serde_json::to_vec(&h.kdf).unwrap_or_default(),
        "salt" => h.salt.clone(),
        "pass_slot" => h.pass_slot.clone(),
        _ => h.recovery_slot.clone(),
    }
}

fn tag(key: &Key, h: &Header, part: &str) -> [u8; TAG] {
    let mut data = b"kua header v2\n".to_vec();
    data.extend_from_slice(part.as_bytes());
    data.push(0);
    data.extend_from_slice(&part_bytes(h, part));
    let mut out = [0u8; TAG];
    out.copy_from_slice(&key.mac(&data)[..TAG]);
    out
}

/// The MAC of every part, to store in `header.mac`.
pub fn mac(key: &Key, h: &Header) -> Vec<u8> {
    PARTS.iter().flat_map(|p| tag(key, h, p)).collect()
}

/// The parts whose tag does not match (all of them when the MAC itself is damaged).
pub fn damaged_parts(key: &Key, h: &Header) -> Vec<&'static str> {
    if h.mac.len() != PARTS.len() * TAG {
        return vec!["mac"];
    }
    PARTS
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            let want = tag(key, h, p);
            // Not secret-dependent timing: the tags are public once stored.
            h.mac[i * TAG..(i + 1) * TAG] != want
        })
        .map(|(_, p)| *p)
        .collect()
}
