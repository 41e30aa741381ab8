//! The plaintext header's integrity: its shape is checked before anything uses it, and
//! since format 2 every part is covered by a MAC under a key derived from the vault key.
//!
//! Why per part. The passphrase slot and the recovery slot are each the only way in on
//! some day. A flipped byte in the recovery slot would otherwise show only on the day
//! the recovery key is needed, as if the key were mistyped. With one tag per part, an
//! unlock by either way in names every damaged part, and the user can make a new
//! recovery key while the passphrase still works.
//!
//! A damaged part blocks only what needs it: a damaged KDF, salt or passphrase slot
//! blocks the passphrase (the recovery key still opens the vault, and setting a new
//! passphrase repairs them); a damaged recovery slot blocks only the recovery key.
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

/// Argon2id memory above this (2 GiB, the most calibration ever chooses) is refused.
pub const MAX_M_KIB: u32 = 2 * 1024 * 1024;
/// Passes above this are refused: Kua writes t = 3.
pub const MAX_T: u32 = 8;
/// Lanes above this are refused: Kua writes p = 4.
pub const MAX_P: u32 = 16;

/// Checks what the passphrase path uses before any key exists: the KDF bounds, the
/// salt and the slot's size. A damaged part blocks this way in only: the recovery key
/// still opens the vault, and a new passphrase then repairs these parts.
pub fn check_passphrase_parts(h: &Header) -> Result<()> {
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
    if h.salt.len() != 16 {
        return Err(Error::HeaderDamaged { part: "salt" });
    }
    if h.pass_slot.len() != SLOT {
        return Err(Error::HeaderDamaged { part: "pass_slot" });
    }
    Ok(())
}

/// Checks the recovery slot's size before the recovery key is tried.
pub fn check_recovery_part(h: &Header) -> Result<()> {
    if h.recovery_slot.len() != SLOT {
        return Err(Error::HeaderDamaged {
            part: "recovery_slot",
        });
    }
    Ok(())
}

const SLOT: usize = NONCE_LEN + 32 + TAG_LEN;

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

/// The MAC of a changed header: fresh tags, except for the parts `keep` selects, which
/// keep their tag from `old` (when it is whole), so that they stay named as damaged.
pub fn retag(key: &Key, h: &Header, old: &[u8], keep: impl Fn(&str) -> bool) -> Vec<u8> {
    let whole = old.len() == PARTS.len() * TAG;
    PARTS
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            if whole && keep(p) {
                old[i * TAG..(i + 1) * TAG].to_vec()
            } else {
                tag(key, h, p).to_vec()
            }
        })
        .collect()
}

/// The parts whose tag does not match ("mac" when the MAC itself is not whole; "format"
/// also when a format-2 header was rewritten to claim format 1).
pub fn damaged_parts(key: &Key, h: &Header) -> Vec<&'static str> {
    let mut out = Vec::new();
    if h.downgraded {
        out.push("format");
    }
    if h.mac.len() != PARTS.len() * TAG {
        out.push("mac");
        return out;
    }
    for (i, part) in PARTS.iter().enumerate() {
        // Not secret-dependent timing: the tags are public once stored.
        if h.mac[i * TAG..(i + 1) * TAG] != tag(key, h, part) && !out.contains(part) {
            out.push(part);
        }
    }
    out
}
