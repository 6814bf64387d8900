//! HKDF-SHA256, SHA-256 and HMAC-SHA256 from ring or aws-lc-rs.
//!
//! Shared by the ring and aws-lc backends: aws-lc-rs offers ring's API, so both crates include
//! this file (`#[path]`) and name their library `crate::provider`.

use crate::provider::{digest, hkdf, hmac};
use artmls_crypto::{CryptoError, HashFunction, Kdf, Secret};

const HASH_LEN: usize = 32;
/// The SHA-256 block size: HMAC hashes longer keys first (RFC 2104 §2).
const BLOCK_LEN: usize = 64;

/// The output length of an HKDF-Expand, as the provider's `hkdf::KeyType`.
struct OutputLen(usize);

impl hkdf::KeyType for OutputLen {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-SHA256 from the provider.
///
/// Extract is HMAC-SHA256 through `hmac` (`hkdf::Salt::extract` does not reveal the PRK, and
/// artmls passes PRKs around as bytes); Expand is `hkdf::Prk::new_less_safe` and `fill`.
/// aws-lc-rs's `Prk::new_less_safe` panics on a PRK longer than 64 bytes, so a longer PRK is
/// first hashed, which is the same HMAC key: any PRK length works, as with the other backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HkdfSha256;

impl Kdf for HkdfSha256 {
    const NAME: &'static str = "HKDF-SHA256";
    const KDF_ID: u16 = 0x0001;
    const HASH_LEN: usize = HASH_LEN;

    fn extract(salt: &[u8], ikm: &[u8]) -> Secret {
        // An empty salt is the same HMAC key as Nh zero bytes (keys are zero-padded).
        let key = hmac::Key::new(hmac::HMAC_SHA256, salt);
        Secret::from_slice(hmac::sign(&key, ikm).as_ref())
    }

    fn expand(prk: &[u8], info: &[u8], len: usize) -> Result<Secret, CryptoError> {
        let hashed;
        let prk = if prk.len() > BLOCK_LEN {
            hashed = digest::digest(&digest::SHA256, prk);
            hashed.as_ref()
        } else {
            prk
        };
        let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, prk);
        let info = [info];
        let okm = prk
            .expand(&info, OutputLen(len))
            .map_err(|_| CryptoError::KdfOutputTooLong(len))?;
        let mut out = Secret::zero(len);
        okm.fill(out.as_mut_bytes())
            .map_err(|_| CryptoError::KdfOutputTooLong(len))?;
        Ok(out)
    }
}

/// SHA-256 (the provider's `digest`) and HMAC-SHA256 (its `hmac`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sha256;

impl HashFunction for Sha256 {
    const NAME: &'static str = "SHA-256";
    const OUTPUT_LEN: usize = HASH_LEN;

    fn hash(data: &[u8]) -> Vec<u8> {
        digest::digest(&digest::SHA256, data).as_ref().to_vec()
    }

    fn mac(key: &[u8], data: &[u8]) -> Vec<u8> {
        let key = hmac::Key::new(hmac::HMAC_SHA256, key);
        hmac::sign(&key, data).as_ref().to_vec()
    }
}
