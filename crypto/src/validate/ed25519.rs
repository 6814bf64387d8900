//! Encoding checks for Ed25519 points and scalars that do not need curve arithmetic.
//!
//! They are the policy every artmls Ed25519 backend applies on top of its library, so that all
//! backends accept exactly the same signatures: `S < L`, and no point (`A` or `R`) that is
//! non-canonically encoded or of small order.

use crate::CryptoError;

/// The group order `L = 2^252 + 27742317777372353535851937790883648493`, little-endian.
pub const GROUP_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
];

/// The canonical encodings of the eight points of small order (the 8-torsion subgroup).
///
/// A canonically encoded point is of small order exactly when it is one of these.
pub const SMALL_ORDER_POINTS: [[u8; 32]; 8] = [
    // order 1: (0, 1)
    [
        0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0x00,
    ],
    // order 2: (0, -1)
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // order 4: (+-sqrt(-1), 0)
    [0; 32],
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0x80,
    ],
    // order 8
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0xfa,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x85,
    ],
];

/// Whether the little-endian scalar `s` is below the group order `L` (RFC 8032 §5.1.7).
pub fn scalar_is_canonical(s: &[u8; 32]) -> bool {
    for (byte, order_byte) in s.iter().rev().zip(GROUP_ORDER.iter().rev()) {
        if byte != order_byte {
            return byte < order_byte;
        }
    }
    false
}

/// Whether `point` is a canonical encoding: `y < p`, and no sign bit on a point with `x = 0`
/// (`y = 1` or `y = p - 1`). It says nothing about whether `y` is on the curve.
pub fn point_is_canonical(point: &[u8; 32]) -> bool {
    let sign = point[31] & 0x80 != 0;
    let mut y = *point;
    y[31] &= 0x7f;
    // p = 2^255 - 19: y >= p exactly when y is 0x7fff...ffed or above.
    let y_at_least_p = y[31] == 0x7f && y[1..31].iter().all(|&byte| byte == 0xff) && y[0] >= 0xed;
    if y_at_least_p {
        return false;
    }
    let y_is_one = y[0] == 1 && y[1..].iter().all(|&byte| byte == 0);
    let y_is_minus_one = y[0] == 0xec && y[1..31].iter().all(|&byte| byte == 0xff) && y[31] == 0x7f;
    !(sign && (y_is_one || y_is_minus_one))
}

/// Whether the canonical encoding `point` is a point of small order.
pub fn is_small_order(point: &[u8; 32]) -> bool {
    SMALL_ORDER_POINTS.iter().any(|small| small == point)
}

/// Splits a signature into `R` and `S`, checking its length and `S < L`.
pub fn split_signature(signature: &[u8]) -> Result<([u8; 32], [u8; 32]), CryptoError> {
    let signature: &[u8; 64] = signature
        .try_into()
        .map_err(|_| CryptoError::MalformedSignature("Ed25519 signatures are 64 bytes"))?;
    let mut r = [0u8; 32];
    let mut s = [0u8; 32];
    r.copy_from_slice(&signature[..32]);
    s.copy_from_slice(&signature[32..]);
    if !scalar_is_canonical(&s) {
        return Err(CryptoError::MalformedSignature(
            "Ed25519 S is not below the group order",
        ));
    }
    Ok((r, s))
}
