//! AES-128-GCM (`aes-gcm`) and ChaCha20Poly1305 (`chacha20poly1305`) from RustCrypto.

use aes_gcm::aead::{Aead as _, AeadCore, KeyInit, Nonce, Payload};
use artmls_crypto::{Aead, CryptoError};

const TAG_LEN: usize = 16;
const NONCE_LEN: usize = 12;

fn check_lengths(key: &[u8], nonce: &[u8], key_len: usize) -> Result<(), CryptoError> {
    if key.len() != key_len {
        return Err(CryptoError::InvalidKeyLength {
            expected: key_len,
            got: key.len(),
        });
    }
    if nonce.len() != NONCE_LEN {
        return Err(CryptoError::InvalidNonceLength {
            expected: NONCE_LEN,
            got: nonce.len(),
        });
    }
    Ok(())
}

fn seal_with<C: KeyInit + aes_gcm::aead::AeadInOut>(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    key_len: usize,
) -> Result<Vec<u8>, CryptoError> {
    check_lengths(key, nonce, key_len)?;
    let cipher = C::new_from_slice(key).map_err(|_| CryptoError::InvalidKeyLength {
        expected: key_len,
        got: key.len(),
    })?;
    let nonce = Nonce::<C>::try_from(nonce).map_err(|_| CryptoError::InvalidNonceLength {
        expected: NONCE_LEN,
        got: nonce.len(),
    })?;
    cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| CryptoError::AeadSealFailed)
}

fn open_with<C: KeyInit + aes_gcm::aead::AeadInOut>(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    key_len: usize,
) -> Result<Vec<u8>, CryptoError> {
    check_lengths(key, nonce, key_len)?;
    if ciphertext.len() < TAG_LEN {
        return Err(CryptoError::CiphertextTooShort);
    }
    let cipher = C::new_from_slice(key).map_err(|_| CryptoError::InvalidKeyLength {
        expected: key_len,
        got: key.len(),
    })?;
    let nonce = Nonce::<C>::try_from(nonce).map_err(|_| CryptoError::InvalidNonceLength {
        expected: NONCE_LEN,
        got: nonce.len(),
    })?;
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map_err(|_| CryptoError::AeadOpenFailed)
}

// Both ciphers use 96-bit nonces and 128-bit tags, as the constants above assume.
const _: () = {
    use aes_gcm::aead::array::typenum::Unsigned;
    assert!(<aes_gcm::Aes128Gcm as AeadCore>::NonceSize::USIZE == NONCE_LEN);
    assert!(<aes_gcm::Aes128Gcm as AeadCore>::TagSize::USIZE == TAG_LEN);
    assert!(<chacha20poly1305::ChaCha20Poly1305 as AeadCore>::NonceSize::USIZE == NONCE_LEN);
    assert!(<chacha20poly1305::ChaCha20Poly1305 as AeadCore>::TagSize::USIZE == TAG_LEN);
};

/// AES-128-GCM from the `aes-gcm` crate (the key schedule is zeroized on drop).
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
        seal_with::<aes_gcm::Aes128Gcm>(key, nonce, aad, plaintext, Self::KEY_LEN)
    }

    fn open(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        open_with::<aes_gcm::Aes128Gcm>(key, nonce, aad, ciphertext, Self::KEY_LEN)
    }
}

/// ChaCha20Poly1305 (RFC 8439) from the `chacha20poly1305` crate.
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
        seal_with::<chacha20poly1305::ChaCha20Poly1305>(key, nonce, aad, plaintext, Self::KEY_LEN)
    }

    fn open(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        open_with::<chacha20poly1305::ChaCha20Poly1305>(key, nonce, aad, ciphertext, Self::KEY_LEN)
    }
}
