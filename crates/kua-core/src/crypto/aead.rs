//! Sealing and opening of every ciphertext in the vault.
//!
//! Layout of a sealed value: `nonce (24) || XChaCha20-Poly1305(key, plaintext, aad)`.
//! Padded values first frame the plaintext as `len (u64 LE) || plaintext || zeros` up to
//! the Padmé length, so a ciphertext leaks at most O(log log n) bits of its size.

use super::keys::Key;
use crate::error::{Error, Result};
use crate::seams::Seams;
use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::{Zeroize, Zeroizing};

pub const NONCE_LEN: usize = 24;
pub const TAG_LEN: usize = 16;

/// Associated data that binds a ciphertext to its place: the vault, the table, the record
/// and the version. Moving a ciphertext anywhere else makes it fail to open.
#[derive(Debug, Clone)]
pub struct Aad(Vec<u8>);

impl Aad {
    /// `kua/v1 | vault id | purpose | parts…`, each part length-prefixed so that no two
    /// different bindings can produce the same bytes.
    pub fn new(vault_id: &uuid::Uuid, purpose: &str) -> Self {
        let mut aad = Aad(Vec::with_capacity(64));
        aad.push(b"kua/v1");
        aad.push(vault_id.as_bytes());
        aad.push(purpose.as_bytes());
        aad
    }

    pub fn with(mut self, part: &[u8]) -> Self {
        self.push(part);
        self
    }

    pub fn with_u64(self, n: u64) -> Self {
        self.with(&n.to_be_bytes())
    }

    fn push(&mut self, part: &[u8]) {
        self.0.extend_from_slice(&(part.len() as u32).to_be_bytes());
        self.0.extend_from_slice(part);
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Encrypts `plaintext` under `key` with a fresh random nonce.
pub fn seal(seams: &mut Seams, key: &Key, plaintext: &[u8], aad: &Aad) -> Result<Vec<u8>> {
    let nonce = seams.bytes::<NONCE_LEN>();
    seal_with_nonce(key, &nonce, plaintext, aad.bytes())
}

pub fn seal_with_nonce(
    key: &Key,
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>> {
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    // One buffer, encrypted in place behind its nonce: the plaintext is copied once, into
    // what becomes the ciphertext (an attachment's gigabyte is otherwise copied twice).
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(nonce);
    out.extend_from_slice(plaintext);
    match cipher.encrypt_in_place_detached(XNonce::from_slice(nonce), aad, &mut out[NONCE_LEN..]) {
        Ok(tag) => out.extend_from_slice(&tag),
        Err(_) => {
            // Only a message past the cipher's limit (256 GiB) fails; the plaintext
            // copied in is wiped all the same.
            out.zeroize();
            return Err(Error::Storage("encryption failed".into()));
        }
    }
    Ok(out)
}

/// Seals in place the plaintext that `buf` holds behind room for the nonce
/// (`buf[NONCE_LEN..]`): writes the nonce in front, encrypts the rest and appends the
/// tag. Returns exactly what [`seal_with_nonce`] returns for that plaintext, without
/// copying it, through `bulk.rs` (ring under RustCrypto's HChaCha20: the chunks an
/// attachment and a bundle import store). The plaintext stays in its wiping wrapper
/// until it has been encrypted, so that on any failure it is wiped with the buffer; what
/// is returned holds only the sealed value, which needs no wiping.
pub(crate) fn seal_in_place(
    key: &Key,
    nonce: &[u8; NONCE_LEN],
    mut buf: Zeroizing<Vec<u8>>,
    aad: &[u8],
) -> Result<Vec<u8>> {
    if buf.len() < NONCE_LEN {
        return Err(Error::Storage(
            "a buffer to seal in place has no room for its nonce".into(),
        ));
    }
    buf[..NONCE_LEN].copy_from_slice(nonce);
    // The same bytes as RustCrypto's, twice as fast (bulk.rs).
    let tag = super::bulk::seal_in_place_detached(key.expose(), nonce, aad, &mut buf[NONCE_LEN..])
        .ok_or_else(|| Error::Storage("encryption failed".into()))?;
    // Encrypted already: should the tag not fit the capacity, the reallocation copies
    // only ciphertext.
    buf.extend_from_slice(&tag);
    Ok(std::mem::take(&mut *buf))
}

/// Decrypts a value written by [`seal`]. Any change to the bytes, the key or the binding
/// is an integrity error naming `place`.
pub fn open(key: &Key, sealed: &[u8], aad: &Aad, place: &str) -> Result<Zeroizing<Vec<u8>>> {
    open_raw(key, sealed, aad.bytes()).ok_or_else(|| Error::integrity(place))
}

pub(crate) fn open_raw(key: &Key, sealed: &[u8], aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .ok()
        .map(Zeroizing::new)
}

/// Padmé (Nikitin et al., PETS 2019): the padded length of an `len`-byte value. The
/// overhead is at most about 12 %, and the length leaks only its rough magnitude.
pub fn padme(len: u64) -> u64 {
    if len < 2 {
        return len;
    }
    let e = 63 - u64::from(len.leading_zeros()); // floor(log2(len))
    let s = 64 - u64::from(e.leading_zeros()); // floor(log2(e)) + 1
    let last_bits = e - s;
    let mask = (1u64 << last_bits) - 1;
    (len + mask) & !mask
}

/// Frames and pads `plaintext`, then seals it.
pub fn seal_padded(seams: &mut Seams, key: &Key, plaintext: &[u8], aad: &Aad) -> Result<Vec<u8>> {
    let framed_len = 8 + plaintext.len() as u64;
    let padded_len = padme(framed_len.max(256)) as usize;
    let mut framed = Zeroizing::new(Vec::with_capacity(padded_len));
    framed.extend_from_slice(&(plaintext.len() as u64).to_le_bytes());
    framed.extend_from_slice(plaintext);
    framed.resize(padded_len, 0);
    seal(seams, key, &framed, aad)
}

/// Opens a value written by [`seal_padded`] and strips its framing.
pub fn open_padded(key: &Key, sealed: &[u8], aad: &Aad, place: &str) -> Result<Zeroizing<Vec<u8>>> {
    let framed = open(key, sealed, aad, place)?;
    let len_bytes: [u8; 8] = framed
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::integrity(place))?;
    let len = u64::from_le_bytes(len_bytes) as usize;
    let body = framed
        .get(8..8usize.saturating_add(len))
        .ok_or_else(|| Error::integrity(place))?;
    Ok(Zeroizing::new(body.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_shorter_than_a_nonce_and_tag_is_refused_and_an_empty_one_opens() {
        let key = Key::from_zeroizing(Zeroizing::new([3u8; 32]));
        let empty = seal_with_nonce(&key, &[1u8; NONCE_LEN], b"", b"aad").unwrap();
        assert_eq!(empty.len(), NONCE_LEN + TAG_LEN);
        assert_eq!(open_raw(&key, &empty, b"aad").unwrap().as_slice(), b"");
        for len in [0, 1, 8, 10, NONCE_LEN, NONCE_LEN + TAG_LEN - 1] {
            assert!(
                open_raw(&key, &empty[..len], b"aad").is_none(),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn sealing_in_place_gives_the_bytes_of_sealing_a_copy() {
        let key = Key::from_zeroizing(Zeroizing::new([4u8; 32]));
        let nonce = [9u8; NONCE_LEN];
        let plain: Vec<u8> = (0..1_000u32).map(|i| i as u8).collect();
        let mut buf = Zeroizing::new(vec![0xEE; NONCE_LEN]);
        buf.extend_from_slice(&plain);
        let sealed = seal_in_place(&key, &nonce, buf, b"aad").unwrap();
        assert_eq!(
            sealed,
            seal_with_nonce(&key, &nonce, &plain, b"aad").unwrap()
        );
        assert_eq!(open_raw(&key, &sealed, b"aad").unwrap().as_slice(), plain);
        let short = Zeroizing::new(vec![0u8; NONCE_LEN - 1]);
        assert!(matches!(
            seal_in_place(&key, &nonce, short, b"aad"),
            Err(Error::Storage(_))
        ));
    }

    #[test]
    fn a_padded_value_is_sealed_at_the_padme_length_of_its_framing() {
        use crate::seams::{Seams, SteppingClock};
        use rand_chacha::rand_core::SeedableRng;
        let mut seams = Seams::new(
            Box::new(SteppingClock::new(0, 1)),
            Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(1)),
        );
        let key = Key::from_zeroizing(Zeroizing::new([5u8; 32]));
        let aad = Aad::new(&uuid::Uuid::nil(), "test");
        // 1,000 bytes framed are 1,008, padded to 1,024; short values to 256.
        for (len, padded) in [(1_000usize, 1_024usize), (0, 256), (300, 320)] {
            let plain = vec![7u8; len];
            let sealed = seal_padded(&mut seams, &key, &plain, &aad).unwrap();
            assert_eq!(sealed.len(), NONCE_LEN + padded + TAG_LEN, "{len} bytes");
            assert_eq!(
                open_padded(&key, &sealed, &aad, "t").unwrap().as_slice(),
                plain
            );
        }
    }

    #[test]
    fn padme_keeps_the_smallest_lengths() {
        assert_eq!(padme(0), 0);
        assert_eq!(padme(1), 1);
        assert_eq!(padme(2), 2);
    }

    #[test]
    fn padme_never_shrinks_and_bounds_overhead() {
        for len in [
            2u64,
            3,
            9,
            100,
            255,
            256,
            5_000,
            65_536,
            1 << 20,
            10_000_123,
        ] {
            let p = padme(len);
            assert!(p >= len, "padme({len}) = {p}");
            assert!(p as f64 <= len as f64 * 1.12 + 1.0, "padme({len}) = {p}");
        }
        // Values of nearby sizes collapse to one padded size.
        assert_eq!(padme(5_000), padme(5_010));
    }
}
