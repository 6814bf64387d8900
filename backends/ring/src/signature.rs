//! Ed25519 and ECDSA P-256 SHA-256 from `ring::signature`.

use core::fmt;

use artmls_crypto::validate::{ecdsa_der, ed25519 as ed25519_checks};
use artmls_crypto::{CryptoError, Secret, SignatureScheme};
use artmls_ring_api::{check_ed25519_signature, write_hex};
use p256::elliptic_curve::sec1::ToSec1Point;
use rand_core::CryptoRng;
use ring::rand::SystemRandom;
use ring::signature::{self as ring_signature, KeyPair, UnparsedPublicKey};
use zeroize::Zeroizing;

// ring has no API that parses a public key without verifying a signature with it, so keys are
// validated when they arrive with the RustCrypto crates (`ed25519-dalek`, `p256`), which check
// exactly what the other backends check. The same holds for computing the public key of an
// ECDSA scalar, which ring's `EcdsaKeyPair` needs but cannot compute.

/// Ed25519 from ring, with the policy of every artmls Ed25519 backend on top.
///
/// Signing is `Ed25519KeyPair::from_seed_unchecked` (the key pair is computed from the seed
/// once) and `sign`. Verification checks the length and `S < L` first (a typed
/// `MalformedSignature`), rejects a small-order `R`, then runs ring's verification, which
/// recomputes `R` and compares its canonical encoding, so a non-canonical `R` fails. Verifying
/// keys are validated when parsed with `ed25519-dalek` (ring has no parse-only API): they must
/// be canonical points not of small order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ed25519;

/// A ring Ed25519 key pair and its seed. The seed copy is zeroized on drop; ring's expanded key
/// is not (ring does not zeroize). `Debug` prints only the public key.
pub struct Ed25519SigningKey {
    pair: ring_signature::Ed25519KeyPair,
    seed: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for Ed25519SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ed25519SigningKey { seed: \"[redacted]\", public: ")?;
        write_hex(f, self.pair.public_key().as_ref())?;
        f.write_str(" }")
    }
}

/// A validated Ed25519 verifying key (32 bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ed25519VerifyingKey([u8; 32]);

impl AsRef<[u8]> for Ed25519VerifyingKey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Ed25519VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ed25519VerifyingKey(")?;
        write_hex(f, &self.0)?;
        f.write_str(")")
    }
}

fn ed25519_from_seed(seed: &[u8; 32]) -> Result<Ed25519SigningKey, CryptoError> {
    let pair = ring_signature::Ed25519KeyPair::from_seed_unchecked(seed)
        .map_err(|_| CryptoError::InvalidSigningKey("ring rejected the Ed25519 seed"))?;
    Ok(Ed25519SigningKey {
        pair,
        seed: Zeroizing::new(*seed),
    })
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
            // ring accepts every 32-byte seed; the loop only keeps this free of panics.
            if let Ok(key) = ed25519_from_seed(&seed) {
                return key;
            }
        }
    }

    fn verifying_key(key: &Self::SigningKey) -> Self::VerifyingKey {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(key.pair.public_key().as_ref());
        Ed25519VerifyingKey(bytes)
    }

    fn verifying_key_from_bytes(bytes: &[u8]) -> Result<Self::VerifyingKey, CryptoError> {
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidPublicKey("Ed25519 verifying keys are 32 bytes"))?;
        if !ed25519_checks::point_is_canonical(&bytes) {
            return Err(CryptoError::InvalidPublicKey(
                "Ed25519 verifying key is not canonically encoded",
            ));
        }
        // Decompression is the one check that needs curve arithmetic.
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map_err(|_| CryptoError::InvalidPublicKey("Ed25519 verifying key is not a point"))?;
        if ed25519_checks::is_small_order(&bytes) {
            return Err(CryptoError::InvalidPublicKey(
                "Ed25519 verifying key has small order",
            ));
        }
        Ok(Ed25519VerifyingKey(bytes))
    }

    fn verifying_key_to_bytes(key: &Self::VerifyingKey) -> Vec<u8> {
        key.0.to_vec()
    }

    fn sign(key: &Self::SigningKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        Ok(key.pair.sign(message).as_ref().to_vec())
    }

    fn verify(
        key: &Self::VerifyingKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        check_ed25519_signature(signature)?;
        UnparsedPublicKey::new(&ring_signature::ED25519, &key.0)
            .verify(message, signature)
            .map_err(|_| CryptoError::InvalidSignature)
    }
}

/// ECDSA P-256 with SHA-256 and DER signatures, from ring.
///
/// Signing is `EcdsaKeyPair::from_private_key_and_public_key` with
/// `ECDSA_P256_SHA256_ASN1_SIGNING` (built once per key; the public key is computed with the
/// `p256` crate, as ring cannot derive it from a bare scalar) and `sign`. ring's ECDSA nonces are
/// random, not RFC 6979: ring takes them from `ring::rand::SystemRandom`, which this type
/// supplies both when it builds a key pair (ring draws a nonce-hedging key) and when it signs.
/// Verification parses the signature with [`ecdsa_der::parse_signature`] (strict DER, `r` and
/// `s` in `[1, n-1]`, typed errors) and then runs ring's `ECDSA_P256_SHA256_ASN1`; high `S` is
/// accepted. Verifying keys are validated when parsed with the `p256` crate: 65-byte
/// uncompressed points on the curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EcdsaP256Sha256;

/// A ring ECDSA P-256 key pair and its scalar. The scalar copy is zeroized on drop; ring's own
/// copy is not (ring does not zeroize). `Debug` prints only the public key.
pub struct EcdsaP256SigningKey {
    pair: ring_signature::EcdsaKeyPair,
    scalar: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for EcdsaP256SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EcdsaP256SigningKey { scalar: \"[redacted]\", public: ")?;
        write_hex(f, self.pair.public_key().as_ref())?;
        f.write_str(" }")
    }
}

/// A validated ECDSA P-256 verifying key (65-byte uncompressed SEC1).
#[derive(Clone, PartialEq, Eq)]
pub struct EcdsaP256VerifyingKey([u8; 65]);

impl AsRef<[u8]> for EcdsaP256VerifyingKey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for EcdsaP256VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EcdsaP256VerifyingKey(")?;
        write_hex(f, &self.0)?;
        f.write_str(")")
    }
}

fn ecdsa_from_scalar(scalar: &[u8]) -> Result<EcdsaP256SigningKey, CryptoError> {
    let scalar: &[u8; 32] = scalar
        .try_into()
        .map_err(|_| CryptoError::InvalidSigningKey("P-256 signing keys are 32 bytes"))?;
    // `SecretKey` takes exactly the scalars in [1, n-1] and is zeroized on drop.
    let secret = p256::SecretKey::from_bytes(&p256::FieldBytes::from(*scalar)).map_err(|_| {
        CryptoError::InvalidSigningKey("P-256 signing key is zero or not below the group order")
    })?;
    let public = secret.public_key().to_sec1_point(false);
    let pair = ring_signature::EcdsaKeyPair::from_private_key_and_public_key(
        &ring_signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        scalar,
        public.as_bytes(),
        &SystemRandom::new(),
    )
    .map_err(|_| CryptoError::InvalidSigningKey("ring rejected the ECDSA key pair"))?;
    Ok(EcdsaP256SigningKey {
        pair,
        scalar: Zeroizing::new(*scalar),
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
            // Retries scalars outside [1, n-1] (and, in theory, a failure of ring's RNG).
            if let Ok(key) = ecdsa_from_scalar(scalar.as_ref()) {
                return key;
            }
        }
    }

    fn verifying_key(key: &Self::SigningKey) -> Self::VerifyingKey {
        let mut bytes = [0u8; 65];
        bytes.copy_from_slice(key.pair.public_key().as_ref());
        EcdsaP256VerifyingKey(bytes)
    }

    fn verifying_key_from_bytes(bytes: &[u8]) -> Result<Self::VerifyingKey, CryptoError> {
        let key: [u8; 65] = bytes.try_into().map_err(|_| {
            CryptoError::InvalidPublicKey("P-256 public keys are 65-byte uncompressed points")
        })?;
        if key[0] != 0x04 {
            return Err(CryptoError::InvalidPublicKey(
                "P-256 public keys must be uncompressed (tag 0x04)",
            ));
        }
        // Checks that both coordinates are below p and that the point is on the curve.
        p256::PublicKey::from_sec1_bytes(&key)
            .map_err(|_| CryptoError::InvalidPublicKey("P-256 point is not on the curve"))?;
        Ok(EcdsaP256VerifyingKey(key))
    }

    fn verifying_key_to_bytes(key: &Self::VerifyingKey) -> Vec<u8> {
        key.0.to_vec()
    }

    fn sign(key: &Self::SigningKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let signature = key
            .pair
            .sign(&SystemRandom::new(), message)
            .map_err(|_| CryptoError::InvalidSigningKey("ring ECDSA signing failed"))?;
        Ok(signature.as_ref().to_vec())
    }

    fn verify(
        key: &Self::VerifyingKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        ecdsa_der::parse_signature(signature)?;
        UnparsedPublicKey::new(&ring_signature::ECDSA_P256_SHA256_ASN1, &key.0)
            .verify(message, signature)
            .map_err(|_| CryptoError::InvalidSignature)
    }
}
