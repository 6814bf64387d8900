//! X25519 and P-256 Diffie-Hellman from `aws_lc_rs::agreement`.

use core::fmt;
use std::sync::Arc;

use artmls_crypto::validate::{ecdsa_der, x25519};
use artmls_crypto::{CryptoError, DhGroup, Secret};
use artmls_ring_api::write_hex;
use aws_lc_rs::agreement::{self, ParsedPublicKey, PrivateKey, UnparsedPublicKey};
use zeroize::Zeroizing;

/// A parsed aws-lc private key, its bytes, and its public key (computed once).
///
/// The `PrivateKey` is shared between clones (aws-lc-rs's `PrivateKey` is not `Clone`; AWS-LC
/// frees and clears it when the last clone is dropped), the byte copy is zeroized on drop.
struct Inner<P> {
    key: Arc<PrivateKey>,
    bytes: Zeroizing<[u8; 32]>,
    public: P,
}

impl<P: Clone> Clone for Inner<P> {
    fn clone(&self) -> Self {
        Inner {
            key: Arc::clone(&self.key),
            bytes: self.bytes.clone(),
            public: self.public.clone(),
        }
    }
}

/// A validated public key: aws-lc's parsed key and its wire bytes.
#[derive(Clone)]
struct Public<const N: usize> {
    parsed: ParsedPublicKey,
    bytes: [u8; N],
}

impl<const N: usize> PartialEq for Public<N> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl<const N: usize> Eq for Public<N> {}

fn parse_public<const N: usize>(
    algorithm: &'static agreement::Algorithm,
    bytes: &[u8],
) -> Result<Public<N>, CryptoError> {
    let array: [u8; N] = bytes
        .try_into()
        .map_err(|_| CryptoError::InvalidPublicKey("public key has the wrong length"))?;
    let parsed = ParsedPublicKey::try_from(UnparsedPublicKey::new(algorithm, &array))
        .map_err(|_| CryptoError::InvalidPublicKey("aws-lc rejected the public key"))?;
    Ok(Public {
        parsed,
        bytes: array,
    })
}

fn import<P>(
    algorithm: &'static agreement::Algorithm,
    bytes: &[u8; 32],
    public: impl FnOnce(&[u8]) -> Result<P, CryptoError>,
) -> Result<Inner<P>, CryptoError> {
    let key = PrivateKey::from_private_key(algorithm, bytes)
        .map_err(|_| CryptoError::InvalidPrivateKey("aws-lc rejected the private key"))?;
    let public_bytes = key
        .compute_public_key()
        .map_err(|_| CryptoError::InvalidPrivateKey("aws-lc could not compute the public key"))?;
    let public = public(public_bytes.as_ref())?;
    Ok(Inner {
        key: Arc::new(key),
        bytes: Zeroizing::new(*bytes),
        public,
    })
}

fn agree<const N: usize>(
    private: &PrivateKey,
    public: &Public<N>,
    failure: CryptoError,
) -> Result<Secret, CryptoError> {
    // The clone of a `ParsedPublicKey` shares aws-lc's key (a reference count): no re-parsing.
    agreement::agree(private, public.parsed.clone(), failure, |shared| {
        Ok(Secret::from_slice(shared))
    })
}

// ---------------------------------------------------------------------------------------------

/// X25519 from aws-lc-rs.
///
/// Private keys are any 32 bytes (kept as given; AWS-LC clamps inside the multiplication).
/// Public keys go through the policy of every artmls X25519
/// ([`x25519::check_public_key`]: canonical and not of small order) before aws-lc
/// parses them; a low-order key that got past it would give the all-zero output, which AWS-LC
/// refuses and this crate reports as [`CryptoError::ZeroSharedSecret`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct X25519;

/// An X25519 private key in aws-lc form, with its public key. `Debug` prints only the public key.
#[derive(Clone)]
pub struct X25519PrivateKey(Inner<X25519PublicKey>);

impl fmt::Debug for X25519PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X25519PrivateKey")
            .field("secret", &"[redacted]")
            .field("public", &self.0.public)
            .finish()
    }
}

/// A parsed X25519 public key; `as_ref()` is its 32-byte wire form.
#[derive(Clone, PartialEq, Eq)]
pub struct X25519PublicKey(Public<32>);

impl AsRef<[u8]> for X25519PublicKey {
    fn as_ref(&self) -> &[u8] {
        &self.0.bytes
    }
}

impl fmt::Debug for X25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("X25519PublicKey(")?;
        write_hex(f, &self.0.bytes)?;
        f.write_str(")")
    }
}

impl DhGroup for X25519 {
    const NAME: &'static str = "X25519";
    const KEM_ID: u16 = 0x0020;
    const PRIVATE_KEY_LEN: usize = 32;
    const PUBLIC_KEY_LEN: usize = 32;
    const SHARED_SECRET_LEN: usize = 32;
    const DERIVE_KEY_PAIR_BITMASK: Option<u8> = None;

    type PrivateKey = X25519PrivateKey;
    type PublicKey = X25519PublicKey;

    fn private_key_from_bytes(bytes: &[u8]) -> Result<Self::PrivateKey, CryptoError> {
        let bytes: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidPrivateKey("X25519 private keys are 32 bytes"))?;
        let inner = import(&agreement::X25519, bytes, Self::public_key_from_bytes)?;
        Ok(X25519PrivateKey(inner))
    }

    fn private_key_to_bytes(key: &Self::PrivateKey) -> Secret {
        Secret::from_slice(key.0.bytes.as_ref())
    }

    fn public_key(key: &Self::PrivateKey) -> Self::PublicKey {
        key.0.public.clone()
    }

    fn public_key_from_bytes(bytes: &[u8]) -> Result<Self::PublicKey, CryptoError> {
        let array: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidPublicKey("X25519 public keys are 32 bytes"))?;
        // The same policy as every artmls X25519 (profile revision 2 §2): no non-canonical key
        // and no key of small order enters a tree, whichever backend a member runs.
        x25519::check_public_key(array)?;
        Ok(X25519PublicKey(parse_public(&agreement::X25519, bytes)?))
    }

    fn dh(private: &Self::PrivateKey, public: &Self::PublicKey) -> Result<Secret, CryptoError> {
        // aws-lc takes every 32-byte string as an X25519 public key, so the one way its X25519
        // fails on a parsed key is the all-zero output (a low-order peer key).
        let shared = agree(&private.0.key, &public.0, CryptoError::ZeroSharedSecret)?;
        if shared.as_bytes().iter().all(|&byte| byte == 0) {
            return Err(CryptoError::ZeroSharedSecret);
        }
        Ok(shared)
    }
}

// ---------------------------------------------------------------------------------------------

/// P-256 from aws-lc-rs.
///
/// Private keys are 32-byte big-endian scalars in `[1, n-1]`. Public keys must be 65-byte
/// uncompressed SEC1 points: this crate rejects other lengths and tags (aws-lc itself would also
/// take compressed and hybrid points), and aws-lc checks the coordinates are below p and the
/// point is on the curve. The DH output is the 32-byte x-coordinate.
///
/// Importing a private key with `agreement::PrivateKey::from_private_key` costs one scalar
/// multiplication (aws-lc computes the public key then); the key is kept, so each DH afterwards
/// costs one multiplication, the same as with a key aws-lc generated itself (this crate's tests
/// check both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct P256;

/// A P-256 private key in aws-lc form, with its public key. `Debug` prints only the public key.
#[derive(Clone)]
pub struct P256PrivateKey(Inner<P256PublicKey>);

impl P256PrivateKey {
    /// aws-lc's parsed private key, for use with `aws_lc_rs::agreement::agree` directly.
    pub fn aws_lc_key(&self) -> &PrivateKey {
        &self.0.key
    }
}

impl X25519PrivateKey {
    /// aws-lc's parsed private key, for use with `aws_lc_rs::agreement::agree` directly.
    pub fn aws_lc_key(&self) -> &PrivateKey {
        &self.0.key
    }
}

impl fmt::Debug for P256PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("P256PrivateKey")
            .field("scalar", &"[redacted]")
            .field("public", &self.0.public)
            .finish()
    }
}

/// A parsed P-256 public key; `as_ref()` is its 65-byte uncompressed SEC1 form.
#[derive(Clone, PartialEq, Eq)]
pub struct P256PublicKey(Public<65>);

impl AsRef<[u8]> for P256PublicKey {
    fn as_ref(&self) -> &[u8] {
        &self.0.bytes
    }
}

impl fmt::Debug for P256PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("P256PublicKey(")?;
        write_hex(f, &self.0.bytes)?;
        f.write_str(")")
    }
}

/// Whether the big-endian `scalar` is in `[1, n-1]`.
pub(crate) fn p256_scalar_in_range(scalar: &[u8; 32]) -> bool {
    scalar.iter().any(|&byte| byte != 0) && scalar < &ecdsa_der::GROUP_ORDER
}

/// Checks the form of a P-256 public key before aws-lc parses it.
pub(crate) fn check_uncompressed(bytes: &[u8]) -> Result<(), CryptoError> {
    if bytes.len() != 65 {
        return Err(CryptoError::InvalidPublicKey(
            "P-256 public keys are 65-byte uncompressed points",
        ));
    }
    if bytes[0] != 0x04 {
        return Err(CryptoError::InvalidPublicKey(
            "P-256 public keys must be uncompressed (tag 0x04)",
        ));
    }
    Ok(())
}

impl DhGroup for P256 {
    const NAME: &'static str = "P-256";
    const KEM_ID: u16 = 0x0010;
    const PRIVATE_KEY_LEN: usize = 32;
    const PUBLIC_KEY_LEN: usize = 65;
    const SHARED_SECRET_LEN: usize = 32;
    const DERIVE_KEY_PAIR_BITMASK: Option<u8> = Some(0xFF);

    type PrivateKey = P256PrivateKey;
    type PublicKey = P256PublicKey;

    fn private_key_from_bytes(bytes: &[u8]) -> Result<Self::PrivateKey, CryptoError> {
        let bytes: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidPrivateKey("P-256 private keys are 32 bytes"))?;
        if !p256_scalar_in_range(bytes) {
            return Err(CryptoError::InvalidPrivateKey(
                "P-256 private key is zero or not below the group order",
            ));
        }
        let inner = import(&agreement::ECDH_P256, bytes, Self::public_key_from_bytes)?;
        Ok(P256PrivateKey(inner))
    }

    fn private_key_to_bytes(key: &Self::PrivateKey) -> Secret {
        Secret::from_slice(key.0.bytes.as_ref())
    }

    fn public_key(key: &Self::PrivateKey) -> Self::PublicKey {
        key.0.public.clone()
    }

    fn public_key_from_bytes(bytes: &[u8]) -> Result<Self::PublicKey, CryptoError> {
        check_uncompressed(bytes)?;
        Ok(P256PublicKey(parse_public(&agreement::ECDH_P256, bytes)?))
    }

    fn dh(private: &Self::PrivateKey, public: &Self::PublicKey) -> Result<Secret, CryptoError> {
        // A validated point times a scalar in [1, n-1] is never the identity (prime order), so a
        // failure here is aws-lc refusing the peer key.
        agree(
            &private.0.key,
            &public.0,
            CryptoError::InvalidPublicKey("aws-lc rejected the peer key in ECDH"),
        )
    }
}
