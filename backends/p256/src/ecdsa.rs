//! ECDSA over P-256 with SHA-256 and DER signatures, from `p256::ecdsa`.

use core::fmt;

use artmls_crypto::validate::ecdsa_der;
use artmls_crypto::{CryptoError, Secret, SignatureScheme};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use rand_core::CryptoRng;
use zeroize::Zeroize;

use crate::ecdh::{P256PublicKey, parse_scalar};
use crate::util::write_hex;

/// ECDSA P-256 with SHA-256 (TLS `ecdsa_secp256r1_sha256`), DER signatures, from `p256::ecdsa`.
///
/// Signing is deterministic (RFC 6979), so it needs no RNG. Verification parses the signature
/// as strict DER with [`artmls_crypto::validate::ecdsa_der::parse_signature`] (no long-form
/// lengths, no redundant zero bytes, nothing trailing, `r` and `s` in `[1, n-1]`) and accepts
/// both low and high `S`, as standard ECDSA does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EcdsaP256Sha256;

/// An ECDSA P-256 signing key. Zeroized on drop (by `p256::ecdsa::SigningKey`); `Debug` prints
/// only the verifying key.
#[derive(Clone)]
pub struct EcdsaP256SigningKey(SigningKey);

impl fmt::Debug for EcdsaP256SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcdsaP256SigningKey")
            .field("scalar", &"[redacted]")
            .field("verifying_key", &verifying_key_of(&self.0))
            .finish()
    }
}

/// A validated ECDSA P-256 verifying key: the parsed key and its 65-byte uncompressed SEC1 form.
#[derive(Clone, PartialEq, Eq)]
pub struct EcdsaP256VerifyingKey {
    key: VerifyingKey,
    encoded: [u8; 65],
}

impl AsRef<[u8]> for EcdsaP256VerifyingKey {
    fn as_ref(&self) -> &[u8] {
        &self.encoded
    }
}

impl fmt::Debug for EcdsaP256VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EcdsaP256VerifyingKey(")?;
        write_hex(f, &self.encoded)?;
        f.write_str(")")
    }
}

fn verifying_key_of(key: &SigningKey) -> EcdsaP256VerifyingKey {
    let public = P256PublicKey::from_point(p256::PublicKey::from(key.verifying_key()));
    let mut encoded = [0u8; 65];
    encoded.copy_from_slice(public.as_ref());
    EcdsaP256VerifyingKey {
        key: *key.verifying_key(),
        encoded,
    }
}

impl SignatureScheme for EcdsaP256Sha256 {
    const NAME: &'static str = "ECDSA-P256-SHA256";
    const SCHEME: u16 = 0x0403;

    type SigningKey = EcdsaP256SigningKey;
    type VerifyingKey = EcdsaP256VerifyingKey;

    fn signing_key_from_bytes(bytes: &[u8]) -> Result<Self::SigningKey, CryptoError> {
        if bytes.len() != 32 {
            return Err(CryptoError::InvalidSigningKey(
                "P-256 signing keys are 32 bytes",
            ));
        }
        let secret = parse_scalar(bytes).ok_or(CryptoError::InvalidSigningKey(
            "P-256 signing key is zero or not below the group order",
        ))?;
        Ok(EcdsaP256SigningKey(SigningKey::from(secret)))
    }

    fn signing_key_to_bytes(key: &Self::SigningKey) -> Secret {
        let mut bytes = key.0.to_bytes();
        let secret = Secret::from_slice(&bytes);
        bytes.as_mut_slice().zeroize();
        secret
    }

    fn generate_signing_key<R: CryptoRng + ?Sized>(rng: &mut R) -> Self::SigningKey {
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        loop {
            rng.fill_bytes(bytes.as_mut());
            if let Some(secret) = parse_scalar(bytes.as_ref()) {
                return EcdsaP256SigningKey(SigningKey::from(secret));
            }
        }
    }

    fn verifying_key(key: &Self::SigningKey) -> Self::VerifyingKey {
        verifying_key_of(&key.0)
    }

    fn verifying_key_from_bytes(bytes: &[u8]) -> Result<Self::VerifyingKey, CryptoError> {
        let public = P256PublicKey::parse(bytes).map_err(CryptoError::InvalidPublicKey)?;
        let mut encoded = [0u8; 65];
        encoded.copy_from_slice(public.as_ref());
        Ok(EcdsaP256VerifyingKey {
            key: VerifyingKey::from(*public.point()),
            encoded,
        })
    }

    fn verifying_key_to_bytes(key: &Self::VerifyingKey) -> Vec<u8> {
        key.encoded.to_vec()
    }

    fn sign(key: &Self::SigningKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let signature: DerSignature = key
            .0
            .try_sign(message)
            .map_err(|_| CryptoError::InvalidSigningKey("ECDSA signing failed"))?;
        Ok(signature.as_bytes().to_vec())
    }

    fn verify(
        key: &Self::VerifyingKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        let (r, s) = ecdsa_der::parse_signature(signature)?;
        let signature = p256::ecdsa::Signature::from_scalars(r, s).map_err(|_| {
            CryptoError::MalformedSignature("ECDSA r or s is zero or not below the group order")
        })?;
        key.key
            .verify(message, &signature)
            .map_err(|_| CryptoError::InvalidSignature)
    }
}
