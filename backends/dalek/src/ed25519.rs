//! Ed25519 (RFC 8032) from `ed25519-dalek`, verified with `verify_strict`.

use core::fmt;

// The encoding checks every artmls Ed25519 applies, whatever its library does.
use artmls_crypto::validate::ed25519 as checks;
use artmls_crypto::{CryptoError, Secret, SignatureScheme};
use ed25519_dalek::Signer;
use rand_core::CryptoRng;

use crate::util::write_hex;

/// Ed25519 from `ed25519-dalek`.
///
/// Verification is `verify_strict`: it rejects `S >= L` (checked here first, so the error says
/// so), any `R` that does not re-encode to the signature's bytes, and small-order `R` and `A`.
/// Verifying keys are validated when parsed: they must decompress, be canonically encoded and
/// not be of small order (`artmls_crypto::validate::ed25519`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ed25519;

/// An Ed25519 signing key (the 32-byte seed, expanded once). Zeroized on drop by
/// `ed25519-dalek`; `Debug` prints only the verifying key.
#[derive(Clone)]
pub struct Ed25519SigningKey(ed25519_dalek::SigningKey);

impl fmt::Debug for Ed25519SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ed25519SigningKey")
            .field("seed", &"[redacted]")
            .field(
                "verifying_key",
                &Ed25519VerifyingKey(self.0.verifying_key()),
            )
            .finish()
    }
}

/// A validated Ed25519 verifying key (decompressed once).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ed25519VerifyingKey(ed25519_dalek::VerifyingKey);

impl Ed25519VerifyingKey {
    /// The 32-byte wire form.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }
}

impl AsRef<[u8]> for Ed25519VerifyingKey {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Ed25519VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ed25519VerifyingKey(")?;
        write_hex(f, self.0.as_bytes())?;
        f.write_str(")")
    }
}

impl SignatureScheme for Ed25519 {
    const NAME: &'static str = "Ed25519";
    const SCHEME: u16 = 0x0807;

    type SigningKey = Ed25519SigningKey;
    type VerifyingKey = Ed25519VerifyingKey;

    fn signing_key_from_bytes(bytes: &[u8]) -> Result<Self::SigningKey, CryptoError> {
        let seed: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidSigningKey("Ed25519 seeds are 32 bytes"))?;
        Ok(Ed25519SigningKey(ed25519_dalek::SigningKey::from_bytes(
            seed,
        )))
    }

    fn signing_key_to_bytes(key: &Self::SigningKey) -> Secret {
        Secret::from_slice(key.0.as_bytes())
    }

    fn generate_signing_key<R: CryptoRng + ?Sized>(rng: &mut R) -> Self::SigningKey {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        rng.fill_bytes(seed.as_mut());
        Ed25519SigningKey(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    fn verifying_key(key: &Self::SigningKey) -> Self::VerifyingKey {
        Ed25519VerifyingKey(key.0.verifying_key())
    }

    fn verifying_key_from_bytes(bytes: &[u8]) -> Result<Self::VerifyingKey, CryptoError> {
        let bytes: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidPublicKey("Ed25519 verifying keys are 32 bytes"))?;
        if !checks::point_is_canonical(bytes) {
            return Err(CryptoError::InvalidPublicKey(
                "Ed25519 verifying key is not canonically encoded",
            ));
        }
        let key = ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map_err(|_| CryptoError::InvalidPublicKey("Ed25519 verifying key is not a point"))?;
        if key.is_weak() {
            return Err(CryptoError::InvalidPublicKey(
                "Ed25519 verifying key has small order",
            ));
        }
        Ok(Ed25519VerifyingKey(key))
    }

    fn verifying_key_to_bytes(key: &Self::VerifyingKey) -> Vec<u8> {
        key.0.as_bytes().to_vec()
    }

    fn sign(key: &Self::SigningKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let signature = key
            .0
            .try_sign(message)
            .map_err(|_| CryptoError::InvalidSigningKey("Ed25519 signing failed"))?;
        Ok(signature.to_bytes().to_vec())
    }

    fn verify(
        key: &Self::VerifyingKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        let (r, s) = checks::split_signature(signature)?;
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(&r);
        bytes[32..].copy_from_slice(&s);
        let signature = ed25519_dalek::Signature::from_bytes(&bytes);
        key.0
            .verify_strict(message, &signature)
            .map_err(|_| CryptoError::InvalidSignature)
    }
}
