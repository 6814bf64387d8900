//! P-256 ECDH from the `p256` crate.

use core::fmt;

use artmls_crypto::{CryptoError, DhGroup, Secret};
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{FieldBytes, NonZeroScalar, PublicKey, SecretKey};
use zeroize::Zeroize;

use crate::util::write_hex;

/// Length of an uncompressed SEC1 point.
pub(crate) const UNCOMPRESSED_LEN: usize = 65;

/// P-256 as the DH group of DHKEM(P-256, HKDF-SHA256), from the `p256` crate.
///
/// Private keys are 32-byte big-endian scalars in `[1, n-1]`. Public keys are 65-byte
/// uncompressed SEC1 points, validated on parsing (uncompressed tag, on the curve, coordinates
/// below p, not the identity). The DH output is the 32-byte x-coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct P256;

/// A P-256 private key: the parsed scalar and its public key (computed once).
///
/// The scalar is zeroized on drop; `Debug` prints only the public key.
#[derive(Clone)]
pub struct P256PrivateKey {
    scalar: NonZeroScalar,
    public: P256PublicKey,
}

impl P256PrivateKey {
    /// The public key of this private key.
    pub fn public_key(&self) -> &P256PublicKey {
        &self.public
    }
}

impl Drop for P256PrivateKey {
    fn drop(&mut self) {
        self.scalar.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for P256PrivateKey {}

impl fmt::Debug for P256PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("P256PrivateKey")
            .field("scalar", &"[redacted]")
            .field("public", &self.public)
            .finish()
    }
}

/// A validated P-256 public key: the parsed point and its 65-byte uncompressed SEC1 encoding,
/// which `as_ref()` returns.
#[derive(Clone, PartialEq, Eq)]
pub struct P256PublicKey {
    point: PublicKey,
    encoded: [u8; UNCOMPRESSED_LEN],
}

impl P256PublicKey {
    pub(crate) fn from_point(point: PublicKey) -> Self {
        let sec1 = point.to_sec1_point(false);
        let mut encoded = [0u8; UNCOMPRESSED_LEN];
        // An uncompressed point of a non-identity key is always 65 bytes.
        encoded.copy_from_slice(sec1.as_bytes());
        P256PublicKey { point, encoded }
    }

    /// Parses a 65-byte uncompressed SEC1 point, rejecting every other form.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, &'static str> {
        if bytes.len() != UNCOMPRESSED_LEN {
            return Err("P-256 public keys are 65-byte uncompressed points");
        }
        if bytes[0] != 0x04 {
            return Err("P-256 public keys must be uncompressed (tag 0x04)");
        }
        // Checks that both coordinates are below p and that the point is on the curve; the
        // identity has no 65-byte encoding.
        let point =
            PublicKey::from_sec1_bytes(bytes).map_err(|_| "P-256 point is not on the curve")?;
        let mut encoded = [0u8; UNCOMPRESSED_LEN];
        encoded.copy_from_slice(bytes);
        Ok(P256PublicKey { point, encoded })
    }

    /// The parsed point.
    pub fn point(&self) -> &PublicKey {
        &self.point
    }
}

impl AsRef<[u8]> for P256PublicKey {
    fn as_ref(&self) -> &[u8] {
        &self.encoded
    }
}

impl fmt::Debug for P256PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("P256PublicKey(")?;
        write_hex(f, &self.encoded)?;
        f.write_str(")")
    }
}

/// Parses a 32-byte big-endian scalar in `[1, n-1]`.
pub(crate) fn parse_scalar(bytes: &[u8]) -> Option<SecretKey> {
    let bytes: &[u8; 32] = bytes.try_into().ok()?;
    SecretKey::from_bytes(&FieldBytes::from(*bytes)).ok()
}

impl DhGroup for P256 {
    const NAME: &'static str = "P-256";
    const KEM_ID: u16 = 0x0010;
    const PRIVATE_KEY_LEN: usize = 32;
    const PUBLIC_KEY_LEN: usize = UNCOMPRESSED_LEN;
    const SHARED_SECRET_LEN: usize = 32;
    const DERIVE_KEY_PAIR_BITMASK: Option<u8> = Some(0xFF);

    type PrivateKey = P256PrivateKey;
    type PublicKey = P256PublicKey;

    fn private_key_from_bytes(bytes: &[u8]) -> Result<Self::PrivateKey, CryptoError> {
        if bytes.len() != 32 {
            return Err(CryptoError::InvalidPrivateKey(
                "P-256 private keys are 32 bytes",
            ));
        }
        let secret = parse_scalar(bytes).ok_or(CryptoError::InvalidPrivateKey(
            "P-256 private key is zero or not below the group order",
        ))?;
        let scalar = secret.to_nonzero_scalar();
        let public = P256PublicKey::from_point(secret.public_key());
        Ok(P256PrivateKey { scalar, public })
    }

    fn private_key_to_bytes(key: &Self::PrivateKey) -> Secret {
        let mut bytes = key.scalar.to_bytes();
        let secret = Secret::from_slice(&bytes);
        bytes.as_mut_slice().zeroize();
        secret
    }

    fn public_key(key: &Self::PrivateKey) -> Self::PublicKey {
        key.public.clone()
    }

    fn public_key_from_bytes(bytes: &[u8]) -> Result<Self::PublicKey, CryptoError> {
        P256PublicKey::parse(bytes).map_err(CryptoError::InvalidPublicKey)
    }

    fn dh(private: &Self::PrivateKey, public: &Self::PublicKey) -> Result<Secret, CryptoError> {
        // The scalar is non-zero and the point is a non-identity point of a prime-order group,
        // so the product is never the identity.
        let shared = p256::ecdh::diffie_hellman(&private.scalar, public.point.as_affine());
        Ok(Secret::from_slice(shared.raw_secret_bytes()))
    }
}
