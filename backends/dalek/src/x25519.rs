//! X25519 (RFC 7748) from `x25519-dalek`.

use core::fmt;

use artmls::{CryptoError, DhGroup, Secret};
use x25519_dalek::{PublicKey, StaticSecret};

use crate::util::write_hex;

/// X25519 as the DH group of DHKEM(X25519, HKDF-SHA256), from `x25519-dalek`.
///
/// Private keys are any 32 bytes (clamping happens inside the scalar multiplication, so
/// [`DhGroup::private_key_to_bytes`] gives back exactly the bytes that went in, as the RFC 9180
/// vectors expect). A received public key is parsed with [`check_public_key`] (ART-MLS profile
/// revision 2 §2): it must be canonical (u below p = 2^255 - 19, top bit clear) and not of small
/// order. RFC 7748 itself would take any 32 bytes (masking the top bit, reducing mod p), but a
/// receiver never does DH with the keys below its common ancestor with the sender, so a key
/// that only some implementations would refuse must be refused by all of them when it is
/// parsed, or the members' trees diverge. [`DhGroup::dh`] rejects the all-zero output too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct X25519;

/// An X25519 private key with its public key, computed once when the key is parsed.
///
/// The secret scalar is zeroized on drop (by `x25519_dalek::StaticSecret`), and `Debug` prints
/// only the public key.
#[derive(Clone)]
pub struct X25519PrivateKey {
    secret: StaticSecret,
    public: X25519PublicKey,
}

impl X25519PrivateKey {
    /// The public key of this private key.
    pub fn public_key(&self) -> &X25519PublicKey {
        &self.public
    }
}

impl fmt::Debug for X25519PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X25519PrivateKey")
            .field("secret", &"[redacted]")
            .field("public", &self.public)
            .finish()
    }
}

/// An X25519 public key: its 32-byte wire form is the key (`as_ref()`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct X25519PublicKey(PublicKey);

impl X25519PublicKey {
    /// The 32-byte wire form.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }
}

impl AsRef<[u8]> for X25519PublicKey {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for X25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("X25519PublicKey(")?;
        write_hex(f, self.0.as_bytes())?;
        f.write_str(")")
    }
}

fn to_array(bytes: &[u8]) -> Option<[u8; 32]> {
    <[u8; 32]>::try_from(bytes).ok()
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
        let mut array = to_array(bytes).ok_or(CryptoError::InvalidPrivateKey(
            "X25519 private keys are 32 bytes",
        ))?;
        let secret = StaticSecret::from(array);
        zeroize::Zeroize::zeroize(&mut array);
        let public = X25519PublicKey(PublicKey::from(&secret));
        Ok(X25519PrivateKey { secret, public })
    }

    fn private_key_to_bytes(key: &Self::PrivateKey) -> Secret {
        Secret::from_slice(key.secret.as_bytes())
    }

    fn public_key(key: &Self::PrivateKey) -> Self::PublicKey {
        key.public
    }

    fn public_key_from_bytes(bytes: &[u8]) -> Result<Self::PublicKey, CryptoError> {
        let array = to_array(bytes).ok_or(CryptoError::InvalidPublicKey(
            "X25519 public keys are 32 bytes",
        ))?;
        check_public_key(&array)?;
        Ok(X25519PublicKey(PublicKey::from(array)))
    }

    fn dh(private: &Self::PrivateKey, public: &Self::PublicKey) -> Result<Secret, CryptoError> {
        let shared = private.secret.diffie_hellman(&public.0);
        // `was_contributory` is false exactly when the output is all zero (a low-order peer
        // key), and it is computed in constant time.
        if !shared.was_contributory() {
            return Err(CryptoError::ZeroSharedSecret);
        }
        Ok(Secret::from_slice(shared.as_bytes()))
    }
}

/// Checks a received X25519 public key as every artmls X25519 does when parsing one (ART-MLS
/// profile revision 2 §2): canonical ([`is_canonical`]) and not of small order
/// ([`is_small_order`]). Both failures are [`CryptoError::InvalidPublicKey`]: the sender is
/// broken or malicious; drop what carried the key.
pub fn check_public_key(public: &[u8; 32]) -> Result<(), CryptoError> {
    if !is_canonical(public) {
        return Err(CryptoError::InvalidPublicKey(
            "X25519 public key not canonical (u must be below 2^255 - 19, top bit clear)",
        ));
    }
    if is_small_order(public) {
        return Err(CryptoError::InvalidPublicKey(
            "X25519 public key of small order",
        ));
    }
    Ok(())
}

/// Whether a little-endian u-coordinate is in canonical form: the top bit (bit 255) clear and
/// u below p = 2^255 - 19. Every u has exactly one such encoding.
pub fn is_canonical(public: &[u8; 32]) -> bool {
    if public[31] & 0x80 != 0 {
        return false;
    }
    // With the top bit clear, u >= p exactly when u = p + k for k < 19: the bytes
    // ed..ff ff .. ff 7f, little-endian.
    let at_least_p =
        public[31] == 0x7f && public[1..31].iter().all(|&byte| byte == 0xff) && public[0] >= 0xed;
    !at_least_p
}

/// The u-coordinates of the points of small order on Curve25519 and its twist, reduced mod p:
/// 0, 1, p - 1, and the two points of order 8.
const SMALL_ORDER_U: [[u8; 32]; 5] = [
    [0; 32],
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
        0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
        0xb8, 0x00,
    ],
    [
        0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
        0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
        0x11, 0x57,
    ],
];

/// Whether an X25519 public key is a point of small order, in any encoding: the top bit is
/// ignored (RFC 7748 §5) and values from p up are reduced mod p. DH with such a key gives the
/// all-zero output whatever the private key.
pub fn is_small_order(public: &[u8; 32]) -> bool {
    let mut u = *public;
    u[31] &= 0x7f;
    // p = 2^255 - 19; a masked value is at least p exactly when it is p + k for k < 19.
    let at_least_p = u[31] == 0x7f && u[1..31].iter().all(|&byte| byte == 0xff) && u[0] >= 0xed;
    if at_least_p {
        let k = u[0] - 0xed;
        u = [0; 32];
        u[0] = k;
    }
    SMALL_ORDER_U.contains(&u)
}
