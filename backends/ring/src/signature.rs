//! Ed25519 and ECDSA P-256 SHA-256 from `ring::signature`.

use core::fmt;

use artmls_crypto::{CryptoError, DhGroup, Secret, SignatureScheme};
use artmls_dalek::ed25519_checks;
use artmls_p256::P256;
use rand_core::CryptoRng;
use ring::rand::SystemRandom;
use ring::signature::{self as ring_signature, KeyPair, UnparsedPublicKey};
use zeroize::Zeroizing;

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for byte in bytes {
        write!(f, "{byte:02x}")?;
    }
    Ok(())
}

/// Ed25519 from ring, with the policy of every artmls Ed25519 backend on top.
///
/// Signing is `Ed25519KeyPair::from_seed_unchecked` (the key pair is computed from the seed
/// once) and `sign`. Verification checks the length and `S < L` first (a typed
/// `MalformedSignature`), rejects a small-order `R`, then runs ring's verification, which
/// recomputes `R` and compares its canonical encoding, so a non-canonical `R` fails. Verifying
/// keys are validated when parsed with `artmls_dalek::Ed25519` (ring has no parse-only API):
/// they must be canonical points not of small order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingEd25519;

/// A ring Ed25519 key pair and its seed. The seed copy is zeroized on drop; ring's expanded key
/// is not (ring does not zeroize). `Debug` prints only the public key.
pub struct RingEd25519SigningKey {
    pair: ring_signature::Ed25519KeyPair,
    seed: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for RingEd25519SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RingEd25519SigningKey { seed: \"[redacted]\", public: ")?;
        write_hex(f, self.pair.public_key().as_ref())?;
        f.write_str(" }")
    }
}

/// A validated Ed25519 verifying key (32 bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RingEd25519VerifyingKey([u8; 32]);

impl AsRef<[u8]> for RingEd25519VerifyingKey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for RingEd25519VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RingEd25519VerifyingKey(")?;
        write_hex(f, &self.0)?;
        f.write_str(")")
    }
}

fn ed25519_from_seed(seed: &[u8; 32]) -> Result<RingEd25519SigningKey, CryptoError> {
    let pair = ring_signature::Ed25519KeyPair::from_seed_unchecked(seed)
        .map_err(|_| CryptoError::InvalidSigningKey("ring rejected the Ed25519 seed"))?;
    Ok(RingEd25519SigningKey {
        pair,
        seed: Zeroizing::new(*seed),
    })
}

impl SignatureScheme for RingEd25519 {
    const NAME: &'static str = "Ed25519";
    const SCHEME: u16 = 0x0807;

    type SigningKey = RingEd25519SigningKey;
    type VerifyingKey = RingEd25519VerifyingKey;

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
        RingEd25519VerifyingKey(bytes)
    }

    fn verifying_key_from_bytes(bytes: &[u8]) -> Result<Self::VerifyingKey, CryptoError> {
        // Validation (length, canonical, decompresses, not small order) by ed25519-dalek.
        let validated = artmls_dalek::Ed25519::verifying_key_from_bytes(bytes)?;
        Ok(RingEd25519VerifyingKey(*validated.as_bytes()))
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
        let (r, _) = ed25519_checks::split_signature(signature)?;
        if ed25519_checks::is_small_order(&r) {
            return Err(CryptoError::InvalidSignature);
        }
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
/// Verification parses the signature with [`artmls_p256::der::parse_signature`] (strict DER,
/// `r` and `s` in `[1, n-1]`, typed errors) and then runs ring's `ECDSA_P256_SHA256_ASN1`;
/// high `S` is accepted. Verifying keys are validated when parsed with `artmls_p256::P256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingEcdsaP256Sha256;

/// A ring ECDSA P-256 key pair and its scalar. The scalar copy is zeroized on drop; ring's own
/// copy is not (ring does not zeroize). `Debug` prints only the public key.
pub struct RingEcdsaP256SigningKey {
    pair: ring_signature::EcdsaKeyPair,
    scalar: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for RingEcdsaP256SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RingEcdsaP256SigningKey { scalar: \"[redacted]\", public: ")?;
        write_hex(f, self.pair.public_key().as_ref())?;
        f.write_str(" }")
    }
}

/// A validated ECDSA P-256 verifying key (65-byte uncompressed SEC1).
#[derive(Clone, PartialEq, Eq)]
pub struct RingEcdsaP256VerifyingKey([u8; 65]);

impl AsRef<[u8]> for RingEcdsaP256VerifyingKey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for RingEcdsaP256VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RingEcdsaP256VerifyingKey(")?;
        write_hex(f, &self.0)?;
        f.write_str(")")
    }
}

fn ecdsa_from_scalar(scalar: &[u8]) -> Result<RingEcdsaP256SigningKey, CryptoError> {
    let scalar: &[u8; 32] = scalar
        .try_into()
        .map_err(|_| CryptoError::InvalidSigningKey("P-256 signing keys are 32 bytes"))?;
    let public = P256::private_key_from_bytes(scalar)
        .map_err(|_| {
            CryptoError::InvalidSigningKey("P-256 signing key is zero or not below the group order")
        })?
        .public_key()
        .clone();
    let pair = ring_signature::EcdsaKeyPair::from_private_key_and_public_key(
        &ring_signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        scalar,
        public.as_ref(),
        &SystemRandom::new(),
    )
    .map_err(|_| CryptoError::InvalidSigningKey("ring rejected the ECDSA key pair"))?;
    Ok(RingEcdsaP256SigningKey {
        pair,
        scalar: Zeroizing::new(*scalar),
    })
}

impl SignatureScheme for RingEcdsaP256Sha256 {
    const NAME: &'static str = "ECDSA-P256-SHA256";
    const SCHEME: u16 = 0x0403;

    type SigningKey = RingEcdsaP256SigningKey;
    type VerifyingKey = RingEcdsaP256VerifyingKey;

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
        RingEcdsaP256VerifyingKey(bytes)
    }

    fn verifying_key_from_bytes(bytes: &[u8]) -> Result<Self::VerifyingKey, CryptoError> {
        // Validation (uncompressed, on the curve) by the p256 crate.
        let validated = P256::public_key_from_bytes(bytes)?;
        let mut key = [0u8; 65];
        key.copy_from_slice(validated.as_ref());
        Ok(RingEcdsaP256VerifyingKey(key))
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
        artmls_p256::der::parse_signature(signature)?;
        UnparsedPublicKey::new(&ring_signature::ECDSA_P256_SHA256_ASN1, &key.0)
            .verify(message, signature)
            .map_err(|_| CryptoError::InvalidSignature)
    }
}
