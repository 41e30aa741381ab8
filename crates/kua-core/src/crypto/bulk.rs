//! XChaCha20-Poly1305 sealing for bulk data: the chunks that are sealed in place, which
//! are an attachment's as it is stored and a received bundle's media as they are imported
//! (a recording's chunks, sealed a few at a time, and filler chunks go through `aead.rs`).
//!
//! Every other value is sealed and every value opened by RustCrypto's
//! `XChaCha20Poly1305` (`aead.rs`). Sealing a chunk here gives the very same bytes, about
//! twice as fast on the machine Kua is measured on (docs/benchmarks.md, "Attachment
//! ingest", 2026-12-06 twelfth session), which is what lets a durable attachment keep pace
//! with `age`.
//!
//! XChaCha20-Poly1305 is defined (draft-irtf-cfrg-xchacha-03, §2.3) as the IETF
//! ChaCha20-Poly1305 AEAD of RFC 8439 under the subkey `HChaCha20(key, nonce[..16])`, with
//! the 96-bit nonce `0^32 || nonce[16..24]`. That construction is all this file does:
//! HChaCha20 comes from RustCrypto's `chacha20` (the copy `chacha20poly1305` itself uses)
//! and the AEAD from ring (BoringSSL's assembly). Nothing cryptographic is written here.
//! The tests hold it to the draft's test vector and to RustCrypto's output byte for byte.
//! ring picks its code by the CPU it runs on, and the tests only run the code of the
//! machine they run on, so each process also checks, before ring seals anything, that
//! ring and RustCrypto seal a whole chunk alike (`ring_agrees`); if they ever did not,
//! every chunk is sealed by RustCrypto instead. What ring seals is opened by RustCrypto.
//!
//! Key hygiene, best effort as it was with RustCrypto's backends. The subkey is derived
//! into a wiping buffer. ring copies it into its key type, which it does not wipe and
//! which safe code cannot; that object is overwritten with an all-zero key before the
//! call returns (the store is kept by `black_box`, which is best effort). Copies on the
//! stack, in HChaCha20's state and in ring's assembly (which keeps the key on its stack
//! while it runs), are not wiped by either library: the threads that seal chunks wipe the
//! stack below them once they are done (`scrub_stack`). A subkey opens its one chunk
//! only: it does not give the attachment's key back.

use super::aead::{NONCE_LEN, TAG_LEN};
use chacha20::cipher::consts::U10;
use chacha20::cipher::generic_array::GenericArray;
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ring::aead::{LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use std::sync::OnceLock;
use zeroize::{Zeroize, Zeroizing};

/// Encrypts `buf` in place under `key` and `nonce`, binding `aad`, and returns the tag:
/// exactly what `XChaCha20Poly1305::encrypt_in_place_detached` returns. `None` only past
/// the AEAD's message limit (256 GiB), which a chunk never reaches.
pub(super) fn seal_in_place_detached(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
) -> Option<[u8; TAG_LEN]> {
    if ring_agrees() {
        ring_seal(key, nonce, aad, buf)
    } else {
        rustcrypto_seal(key, nonce, aad, buf)
    }
}

/// Whether ring seals a whole chunk, with an AAD of a chunk's length, to the bytes
/// RustCrypto gives: checked once per process, before ring's first chunk.
fn ring_agrees() -> bool {
    static AGREES: OnceLock<bool> = OnceLock::new();
    *AGREES.get_or_init(|| {
        let key = [0x5Au8; 32];
        let nonce: [u8; NONCE_LEN] = std::array::from_fn(|i| (i * 11 + 3) as u8);
        let aad = [0xA7u8; 96];
        let plain: Vec<u8> = (0..crate::CHUNK).map(|i| (i % 251) as u8).collect();
        let (mut ours, mut theirs) = (plain.clone(), plain);
        let a = ring_seal(&key, &nonce, &aad, &mut ours);
        let b = rustcrypto_seal(&key, &nonce, &aad, &mut theirs);
        a.is_some() && a == b && ours == theirs
    })
}

fn rustcrypto_seal(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
) -> Option<[u8; TAG_LEN]> {
    let tag = XChaCha20Poly1305::new(key.into())
        .encrypt_in_place_detached(XNonce::from_slice(nonce), aad, buf)
        .ok()?;
    Some(tag.into())
}

fn ring_seal(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
) -> Option<[u8; TAG_LEN]> {
    let mut subkey = Zeroizing::new([0u8; 32]);
    {
        let mut derived = chacha20::hchacha::<U10>(
            GenericArray::from_slice(key),
            GenericArray::from_slice(&nonce[..16]),
        );
        subkey.copy_from_slice(&derived);
        derived.as_mut_slice().zeroize();
    }
    let mut ietf_nonce = [0u8; 12];
    ietf_nonce[4..].copy_from_slice(&nonce[16..]);

    let mut slot = ring_key(&subkey);
    let tag = slot.as_ref().and_then(|k| {
        k.seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(ietf_nonce),
            ring::aead::Aad::from(aad),
            buf,
        )
        .ok()
    });
    // Overwrite ring's key object in place; black_box keeps the store from being
    // optimised away as dead (best effort: the language promises nothing here).
    slot = ring_key(&[0u8; 32]);
    std::hint::black_box(&slot);
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(tag?.as_ref());
    Some(out)
}

/// Wipes the 16 KiB of stack below the caller: what the calls it made there left, among
/// them HChaCha20's state and ring's (the keys of the chunks it sealed). Called by each
/// thread that seals chunks, once it has sealed its last; 16 KiB is several times the
/// depth of a chunk's sealing.
#[inline(never)]
pub(crate) fn scrub_stack() {
    let mut below = [0u8; 16 * 1024];
    below.zeroize();
    std::hint::black_box(&below);
}

/// ring's ChaCha20-Poly1305 key from 32 bytes. ring refuses only a key of another length,
/// which the type rules out; `None` is kept rather than a panic all the same.
fn ring_key(bytes: &[u8; 32]) -> Option<LessSafeKey> {
    UnboundKey::new(&CHACHA20_POLY1305, bytes)
        .ok()
        .map(LessSafeKey::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        data_encoding::HEXLOWER
            .decode(s.replace([' ', '\n'], "").as_bytes())
            .unwrap()
    }

    /// draft-irtf-cfrg-xchacha-03, appendix A.3.1.
    #[test]
    fn the_drafts_test_vector_seals_to_its_ciphertext_and_tag() {
        let key: [u8; 32] = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
            .try_into()
            .unwrap();
        let nonce: [u8; 24] = hex("404142434445464748494a4b4c4d4e4f5051525354555657")
            .try_into()
            .unwrap();
        let aad = hex("50515253c0c1c2c3c4c5c6c7");
        let mut text = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".to_vec();
        let tag = ring_seal(&key, &nonce, &aad, &mut text).unwrap();
        assert_eq!(
            text,
            hex(
                "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
                 731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
                 2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
                 21f9664c97637da9768812f615c68b13b52e"
            )
        );
        assert_eq!(tag.to_vec(), hex("c0875924c1c7987947deafd8780acf49"));
    }

    #[test]
    fn every_length_around_the_block_and_chunk_sizes_seals_as_rustcrypto_seals() {
        let key = [0x42u8; 32];
        let aad = b"kua/v1 chunk binding";
        let chunk = crate::CHUNK;
        let lengths = [0, 1, 15, 16, 17, 63, 64, 65, 255, 256, 257, 1_000, 4_096];
        for (i, len) in lengths.into_iter().chain([chunk - 1, chunk]).enumerate() {
            let mut nonce = [0u8; NONCE_LEN];
            nonce
                .iter_mut()
                .enumerate()
                .for_each(|(j, b)| *b = (i * 31 + j) as u8);
            let plain: Vec<u8> = (0..len).map(|j| (j * 7 + i) as u8).collect();
            let mut ours = plain.clone();
            let tag = ring_seal(&key, &nonce, aad, &mut ours).unwrap();
            let mut theirs = plain.clone();
            let their_tag = XChaCha20Poly1305::new((&key).into())
                .encrypt_in_place_detached(XNonce::from_slice(&nonce), aad, &mut theirs)
                .unwrap();
            assert_eq!(ours, theirs, "{len} bytes");
            assert_eq!(&tag[..], their_tag.as_slice(), "{len} bytes");
        }
    }

    /// On the machine the tests run on, ring is what seals chunks (were it not, the
    /// speed measured would be RustCrypto's).
    #[test]
    fn ring_agrees_with_rustcrypto_here_so_it_seals_the_chunks() {
        assert!(ring_agrees());
    }
}
