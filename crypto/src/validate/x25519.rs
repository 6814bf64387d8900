//! Checks on X25519 public keys that every backend applies the same way (ART-MLS profile
//! revision 2 §2). They need no curve arithmetic.

use crate::CryptoError;

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
