//! HKDF-SHA256 (RFC 5869) and SHA-256 / HMAC-SHA256 from RustCrypto (`hkdf`, `hmac`, `sha2`).

use artmls_crypto::{CryptoError, HashFunction, Kdf, Secret};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Digest;
use zeroize::Zeroize;

type HmacSha256 = Hmac<sha2::Sha256>;

const HASH_LEN: usize = 32;

/// HMAC-SHA256 of `data` under `key`, for keys of any length.
///
/// RFC 2104 §2 hashes a key longer than the block and pads a shorter one with zeros; doing that
/// here lets the fixed-size constructor apply, so there is no error path for a key length.
fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut block = hmac::digest::Key::<HmacSha256>::default();
    if key.len() > block.len() {
        let digest = sha2::Sha256::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut mac = <HmacSha256 as KeyInit>::new(&block);
    block.as_mut_slice().zeroize();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// HKDF-SHA256 from the `hkdf` crate.
///
/// `expand` takes a PRK of any length, as HMAC does: a PRK shorter than the hash (which
/// `hkdf::Hkdf::from_prk` refuses) is padded with zeros, which is the same HMAC key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HkdfSha256;

impl Kdf for HkdfSha256 {
    const NAME: &'static str = "HKDF-SHA256";
    const KDF_ID: u16 = 0x0001;
    const HASH_LEN: usize = HASH_LEN;

    fn extract(salt: &[u8], ikm: &[u8]) -> Secret {
        // An empty salt and `None` are the same HMAC key (Nh zero bytes).
        let (mut prk, _) = Hkdf::<sha2::Sha256>::extract(Some(salt), ikm);
        let secret = Secret::from_slice(&prk);
        // The PRK is a secret: the copy on the stack is erased too.
        prk.as_mut_slice().zeroize();
        secret
    }

    fn expand(prk: &[u8], info: &[u8], len: usize) -> Result<Secret, CryptoError> {
        if len > 255 * HASH_LEN {
            return Err(CryptoError::KdfOutputTooLong(len));
        }
        let hkdf = if prk.len() >= HASH_LEN {
            Hkdf::<sha2::Sha256>::from_prk(prk)
        } else {
            let mut padded = [0u8; HASH_LEN];
            padded[..prk.len()].copy_from_slice(prk);
            let hkdf = Hkdf::<sha2::Sha256>::from_prk(&padded);
            padded.zeroize();
            hkdf
        }
        .map_err(|_| CryptoError::InvalidKeyLength {
            expected: HASH_LEN,
            got: prk.len(),
        })?;
        let mut okm = Secret::zero(len);
        hkdf.expand(info, okm.as_mut_bytes())
            .map_err(|_| CryptoError::KdfOutputTooLong(len))?;
        Ok(okm)
    }
}

/// SHA-256 (`sha2`) and HMAC-SHA256 (`hmac`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sha256;

impl HashFunction for Sha256 {
    const NAME: &'static str = "SHA-256";
    const OUTPUT_LEN: usize = HASH_LEN;

    fn hash(data: &[u8]) -> Vec<u8> {
        sha2::Sha256::digest(data).to_vec()
    }

    fn mac(key: &[u8], data: &[u8]) -> Vec<u8> {
        hmac_sha256(key, data)
    }
}
