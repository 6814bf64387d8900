//! HKDF-SHA256, SHA-256 and HMAC-SHA256 from ring.

use artmls::{CryptoError, Hash, Kdf, Secret};
use ring::{digest, hkdf, hmac};

const HASH_LEN: usize = 32;

/// The output length of an HKDF-Expand, as ring's `hkdf::KeyType`.
struct OutputLen(usize);

impl hkdf::KeyType for OutputLen {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-SHA256 from ring.
///
/// Extract is HMAC-SHA256 through `ring::hmac` (ring's `hkdf::Salt::extract` does not reveal the
/// PRK, and artmls passes PRKs around as bytes); Expand is `ring::hkdf::Prk::new_less_safe` and
/// `fill`. A PRK of any length works, as an HMAC key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingHkdfSha256;

impl Kdf for RingHkdfSha256 {
    const NAME: &'static str = "HKDF-SHA256";
    const KDF_ID: u16 = 0x0001;
    const HASH_LEN: usize = HASH_LEN;

    fn extract(salt: &[u8], ikm: &[u8]) -> Secret {
        // An empty salt is the same HMAC key as Nh zero bytes (keys are zero-padded).
        let key = hmac::Key::new(hmac::HMAC_SHA256, salt);
        Secret::from_slice(hmac::sign(&key, ikm).as_ref())
    }

    fn expand(prk: &[u8], info: &[u8], len: usize) -> Result<Secret, CryptoError> {
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

/// SHA-256 (`ring::digest`) and HMAC-SHA256 (`ring::hmac`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingSha256;

impl Hash for RingSha256 {
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
