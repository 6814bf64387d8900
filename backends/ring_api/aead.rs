//! AES-128-GCM and ChaCha20Poly1305 from `ring::aead` or `aws_lc_rs::aead`.
//!
//! Shared by the ring and aws-lc backends: aws-lc-rs offers ring's API, so both crates include
//! this file (`#[path]`) and name their library `crate::provider`.

use crate::provider::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use artmls_crypto::{Aead, CryptoError};

const NONCE_LEN: usize = aead::NONCE_LEN;
const TAG_LEN: usize = 16;

fn key(
    algorithm: &'static aead::Algorithm,
    key: &[u8],
    nonce: &[u8],
) -> Result<(LessSafeKey, Nonce), CryptoError> {
    let expected = algorithm.key_len();
    if key.len() != expected {
        return Err(CryptoError::InvalidKeyLength {
            expected,
            got: key.len(),
        });
    }
    let nonce =
        Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::InvalidNonceLength {
            expected: NONCE_LEN,
            got: nonce.len(),
        })?;
    let key = UnboundKey::new(algorithm, key).map_err(|_| CryptoError::InvalidKeyLength {
        expected,
        got: key.len(),
    })?;
    Ok((LessSafeKey::new(key), nonce))
}

fn seal(
    algorithm: &'static aead::Algorithm,
    key_bytes: &[u8],
    nonce: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let (key, nonce) = key(algorithm, key_bytes, nonce)?;
    let mut in_out = Vec::with_capacity(plaintext.len() + algorithm.tag_len());
    in_out.extend_from_slice(plaintext);
    key.seal_in_place_append_tag(nonce, Aad::from(aad), &mut in_out)
        .map_err(|_| CryptoError::AeadSealFailed)?;
    Ok(in_out)
}

fn open(
    algorithm: &'static aead::Algorithm,
    key_bytes: &[u8],
    nonce: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let (key, nonce) = key(algorithm, key_bytes, nonce)?;
    if ciphertext.len() < algorithm.tag_len() {
        return Err(CryptoError::CiphertextTooShort);
    }
    // On failure the provider leaves `in_out` "overwritten in an unspecified way", which may
    // be (part of) the plaintext of a forged message: the buffer is erased when dropped.
    let mut in_out = zeroize::Zeroizing::new(ciphertext.to_vec());
    let plaintext_len = key
        .open_in_place(nonce, Aad::from(aad), &mut in_out)
        .map_err(|_| CryptoError::AeadOpenFailed)?
        .len();
    in_out.truncate(plaintext_len);
    // Moved out, not copied: the caller owns the one copy of the plaintext.
    Ok(core::mem::take(&mut *in_out))
}

/// AES-128-GCM from the provider's `aead` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aes128Gcm;

impl Aead for Aes128Gcm {
    const NAME: &'static str = "AES-128-GCM";
    const AEAD_ID: u16 = 0x0001;
    const KEY_LEN: usize = 16;
    const NONCE_LEN: usize = NONCE_LEN;
    const TAG_LEN: usize = TAG_LEN;

    fn seal(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        seal(&aead::AES_128_GCM, key, nonce, aad, plaintext)
    }

    fn open(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        open(&aead::AES_128_GCM, key, nonce, aad, ciphertext)
    }
}

/// ChaCha20Poly1305 (RFC 8439) from the provider's `aead` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChaCha20Poly1305;

impl Aead for ChaCha20Poly1305 {
    const NAME: &'static str = "ChaCha20Poly1305";
    const AEAD_ID: u16 = 0x0003;
    const KEY_LEN: usize = 32;
    const NONCE_LEN: usize = NONCE_LEN;
    const TAG_LEN: usize = TAG_LEN;

    fn seal(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        seal(&aead::CHACHA20_POLY1305, key, nonce, aad, plaintext)
    }

    fn open(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        open(&aead::CHACHA20_POLY1305, key, nonce, aad, ciphertext)
    }
}
