//! Ed25519 and ECDSA P-256 SHA-256 from `aws_lc_rs::signature`.

use core::fmt;

// The encoding checks every artmls backend applies, whatever its library does.
use artmls_crypto::validate::{ecdsa_der, ed25519 as checks};
use artmls_crypto::{CryptoError, DhGroup, Secret, SignatureScheme};
use artmls_ring_api::{check_ed25519_signature, write_hex};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as lc_signature, KeyPair, ParsedPublicKey};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::agreement::{P256, check_uncompressed, p256_scalar_in_range};

// The signature wrappers are not shared with the ring backend (`artmls-ring-api` says why):
// aws-lc-rs parses a verifying key once, into a `ParsedPublicKey` kept with the key, and its
// ECDSA key pair takes no RNG.

/// Ed25519 from aws-lc-rs, with the policy of every artmls Ed25519 backend on top.
///
/// Verification checks the length and `S < L` first (a typed `MalformedSignature`), rejects a
/// small-order `R`, then runs AWS-LC's verification (which recomputes `R` and compares
/// encodings, so a non-canonical `R` fails). Verifying keys are checked when parsed for length,
/// canonical encoding and small order; AWS-LC keeps Ed25519 public keys as bytes, so a string
/// that is not a point at all is only caught when a signature is verified with it (and then
/// fails, as `InvalidSignature`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ed25519;

/// An aws-lc Ed25519 key pair, a zeroized copy of its seed, and its parsed verifying key.
/// `Debug` prints only the public key.
pub struct Ed25519SigningKey {
    pair: lc_signature::Ed25519KeyPair,
    seed: Zeroizing<[u8; 32]>,
    verifying: Ed25519VerifyingKey,
}

impl fmt::Debug for Ed25519SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ed25519SigningKey { seed: \"[redacted]\", public: ")?;
        write_hex(f, self.pair.public_key().as_ref())?;
        f.write_str(" }")
    }
}

/// A checked Ed25519 verifying key, parsed by aws-lc once.
#[derive(Clone)]
pub struct Ed25519VerifyingKey {
    parsed: ParsedPublicKey,
    bytes: [u8; 32],
}

impl AsRef<[u8]> for Ed25519VerifyingKey {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Ed25519VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ed25519VerifyingKey(")?;
        write_hex(f, &self.bytes)?;
        f.write_str(")")
    }
}

fn ed25519_from_seed(seed: &[u8; 32]) -> Result<Ed25519SigningKey, CryptoError> {
    let pair = lc_signature::Ed25519KeyPair::from_seed_unchecked(seed)
        .map_err(|_| CryptoError::InvalidSigningKey("aws-lc rejected the Ed25519 seed"))?;
    // The public key of a seed is [a]B with a clamped, non-zero mod L: canonical and never of
    // small order, so this always succeeds.
    let verifying = ed25519_verifying_key(pair.public_key().as_ref())
        .map_err(|_| CryptoError::InvalidSigningKey("Ed25519 public key rejected"))?;
    Ok(Ed25519SigningKey {
        pair,
        seed: Zeroizing::new(*seed),
        verifying,
    })
}

fn ed25519_verifying_key(bytes: &[u8]) -> Result<Ed25519VerifyingKey, CryptoError> {
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| CryptoError::InvalidPublicKey("Ed25519 verifying keys are 32 bytes"))?;
    if !checks::point_is_canonical(&bytes) {
        return Err(CryptoError::InvalidPublicKey(
            "Ed25519 verifying key is not canonically encoded",
        ));
    }
    if checks::is_small_order(&bytes) {
        return Err(CryptoError::InvalidPublicKey(
            "Ed25519 verifying key has small order",
        ));
    }
    let parsed = ParsedPublicKey::new(&lc_signature::ED25519, bytes)
        .map_err(|_| CryptoError::InvalidPublicKey("aws-lc rejected the Ed25519 key"))?;
    Ok(Ed25519VerifyingKey { parsed, bytes })
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
        ed25519_from_seed(seed)
    }

    fn signing_key_to_bytes(key: &Self::SigningKey) -> Secret {
        Secret::from_slice(key.seed.as_ref())
    }

    fn generate_signing_key<R: CryptoRng + ?Sized>(rng: &mut R) -> Self::SigningKey {
        let mut seed = Zeroizing::new([0u8; 32]);
        loop {
            rng.fill_bytes(seed.as_mut());
            // aws-lc accepts every 32-byte seed; the loop only keeps this free of panics.
            if let Ok(key) = ed25519_from_seed(&seed) {
                return key;
            }
        }
    }

    fn verifying_key(key: &Self::SigningKey) -> Self::VerifyingKey {
        key.verifying.clone()
    }

    fn verifying_key_from_bytes(bytes: &[u8]) -> Result<Self::VerifyingKey, CryptoError> {
        ed25519_verifying_key(bytes)
    }

    fn verifying_key_to_bytes(key: &Self::VerifyingKey) -> Vec<u8> {
        key.bytes.to_vec()
    }

    fn sign(key: &Self::SigningKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let signature = key
            .pair
            .try_sign(message)
            .map_err(|_| CryptoError::InvalidSigningKey("aws-lc Ed25519 signing failed"))?;
        Ok(signature.as_ref().to_vec())
    }

    fn verify(
        key: &Self::VerifyingKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        check_ed25519_signature(signature)?;
        key.parsed
            .verify_sig(message, signature)
            .map_err(|_| CryptoError::InvalidSignature)
    }
}

/// ECDSA P-256 with SHA-256 and DER signatures, from aws-lc-rs.
///
/// Signing is `EcdsaKeyPair::from_private_key_and_public_key` with
/// `ECDSA_P256_SHA256_ASN1_SIGNING` (built once per key; the public key comes from
/// `agreement::PrivateKey::compute_public_key`) and `sign`. AWS-LC's ECDSA nonces are random and
/// come from AWS-LC's own RNG (aws-lc-rs ignores the RNG argument of `sign`). Verification parses
/// the signature strictly with [`ecdsa_der::parse_signature`] (DER, `r` and `s` in `[1, n-1]`,
/// typed errors), then runs aws-lc's `ECDSA_P256_SHA256_ASN1` on the key parsed once; high `S`
/// is accepted. Verifying keys must be 65-byte uncompressed points on the curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EcdsaP256Sha256;

/// An aws-lc ECDSA P-256 key pair, a zeroized copy of its scalar, and its parsed verifying key.
/// `Debug` prints only the public key.
pub struct EcdsaP256SigningKey {
    pair: lc_signature::EcdsaKeyPair,
    scalar: Zeroizing<[u8; 32]>,
    verifying: EcdsaP256VerifyingKey,
}

impl fmt::Debug for EcdsaP256SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcdsaP256SigningKey")
            .field("scalar", &"[redacted]")
            .field("verifying_key", &self.verifying)
            .finish()
    }
}

/// A validated ECDSA P-256 verifying key, parsed by aws-lc once, with its 65-byte uncompressed
/// SEC1 form.
#[derive(Clone)]
pub struct EcdsaP256VerifyingKey {
    parsed: ParsedPublicKey,
    bytes: [u8; 65],
}

impl AsRef<[u8]> for EcdsaP256VerifyingKey {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for EcdsaP256VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EcdsaP256VerifyingKey(")?;
        write_hex(f, &self.bytes)?;
        f.write_str(")")
    }
}

fn ecdsa_verifying_key(bytes: &[u8]) -> Result<EcdsaP256VerifyingKey, CryptoError> {
    check_uncompressed(bytes)?;
    let mut array = [0u8; 65];
    array.copy_from_slice(bytes);
    let parsed = ParsedPublicKey::new(&lc_signature::ECDSA_P256_SHA256_ASN1, array)
        .map_err(|_| CryptoError::InvalidPublicKey("aws-lc rejected the P-256 point"))?;
    Ok(EcdsaP256VerifyingKey {
        parsed,
        bytes: array,
    })
}

fn ecdsa_from_scalar(bytes: &[u8]) -> Result<EcdsaP256SigningKey, CryptoError> {
    let scalar: &[u8; 32] = bytes
        .try_into()
        .map_err(|_| CryptoError::InvalidSigningKey("P-256 signing keys are 32 bytes"))?;
    if !p256_scalar_in_range(scalar) {
        return Err(CryptoError::InvalidSigningKey(
            "P-256 signing key is zero or not below the group order",
        ));
    }
    let public = P256::private_key_from_bytes(scalar)
        .map_err(|_| CryptoError::InvalidSigningKey("aws-lc rejected the P-256 scalar"))?;
    let public = P256::public_key(&public);
    let pair = lc_signature::EcdsaKeyPair::from_private_key_and_public_key(
        &lc_signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        scalar,
        public.as_ref(),
    )
    .map_err(|_| CryptoError::InvalidSigningKey("aws-lc rejected the ECDSA key pair"))?;
    let verifying = ecdsa_verifying_key(public.as_ref())
        .map_err(|_| CryptoError::InvalidSigningKey("P-256 public key rejected"))?;
    Ok(EcdsaP256SigningKey {
        pair,
        scalar: Zeroizing::new(*scalar),
        verifying,
    })
}

impl SignatureScheme for EcdsaP256Sha256 {
    const NAME: &'static str = "ECDSA-P256-SHA256";
    const SCHEME: u16 = 0x0403;

    type SigningKey = EcdsaP256SigningKey;
    type VerifyingKey = EcdsaP256VerifyingKey;

    fn signing_key_from_bytes(bytes: &[u8]) -> Result<Self::SigningKey, CryptoError> {
        ecdsa_from_scalar(bytes)
    }

    fn signing_key_to_bytes(key: &Self::SigningKey) -> Secret {
        Secret::from_slice(key.scalar.as_ref())
    }

    fn generate_signing_key<R: CryptoRng + ?Sized>(rng: &mut R) -> Self::SigningKey {
        let mut scalar = Zeroizing::new([0u8; 32]);
        loop {
            rng.fill_bytes(scalar.as_mut());
            // Retries scalars outside [1, n-1].
            if let Ok(key) = ecdsa_from_scalar(scalar.as_ref()) {
                return key;
            }
        }
    }

    fn verifying_key(key: &Self::SigningKey) -> Self::VerifyingKey {
        key.verifying.clone()
    }

    fn verifying_key_from_bytes(bytes: &[u8]) -> Result<Self::VerifyingKey, CryptoError> {
        ecdsa_verifying_key(bytes)
    }

    fn verifying_key_to_bytes(key: &Self::VerifyingKey) -> Vec<u8> {
        key.bytes.to_vec()
    }

    fn sign(key: &Self::SigningKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        // aws-lc-rs ignores this RNG and uses AWS-LC's own.
        let signature = key
            .pair
            .sign(&SystemRandom::new(), message)
            .map_err(|_| CryptoError::InvalidSigningKey("aws-lc ECDSA signing failed"))?;
        Ok(signature.as_ref().to_vec())
    }

    fn verify(
        key: &Self::VerifyingKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        ecdsa_der::parse_signature(signature)?;
        key.parsed
            .verify_sig(message, signature)
            .map_err(|_| CryptoError::InvalidSignature)
    }
}
