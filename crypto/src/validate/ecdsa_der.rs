//! Strict DER parsing of ECDSA P-256 signatures (`ECDSA-Sig-Value`, RFC 3279 §2.2.3).
//!
//! Every artmls ECDSA backend parses signatures with this first, so that they all reject the
//! same encodings with the same error ([`CryptoError::MalformedSignature`]) before their library
//! sees the signature. DER leaves one encoding per value: definite short-form lengths (a P-256
//! signature is at most 72 bytes, so the long form is never minimal), minimal positive
//! `INTEGER`s, nothing after the `SEQUENCE`.

use crate::CryptoError;

/// The P-256 group order n, big-endian.
pub const GROUP_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;

/// Reads one tag-length-value with a short-form length; returns the value and the rest.
fn read_tlv(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), CryptoError> {
    let [found, len, rest @ ..] = input else {
        return Err(CryptoError::MalformedSignature(
            "ECDSA signature DER is truncated",
        ));
    };
    if *found != tag {
        return Err(CryptoError::MalformedSignature(
            "ECDSA signature DER has a wrong tag",
        ));
    }
    if *len >= 0x80 {
        return Err(CryptoError::MalformedSignature(
            "ECDSA signature DER length is not in short form",
        ));
    }
    let len = usize::from(*len);
    if rest.len() < len {
        return Err(CryptoError::MalformedSignature(
            "ECDSA signature DER is truncated",
        ));
    }
    Ok(rest.split_at(len))
}

/// Reads a minimally encoded positive `INTEGER` of at most 32 bytes (after its sign byte) as a
/// 32-byte big-endian number.
fn read_integer(input: &[u8]) -> Result<([u8; 32], &[u8]), CryptoError> {
    let (value, rest) = read_tlv(input, INTEGER)?;
    let digits = match value {
        [] => return Err(CryptoError::MalformedSignature("ECDSA integer is empty")),
        [first, ..] if first & 0x80 != 0 => {
            return Err(CryptoError::MalformedSignature("ECDSA integer is negative"));
        }
        [0, second, ..] if second & 0x80 == 0 => {
            return Err(CryptoError::MalformedSignature(
                "ECDSA integer has a redundant leading zero",
            ));
        }
        [0, digits @ ..] if !digits.is_empty() => digits,
        digits => digits,
    };
    if digits.len() > 32 {
        return Err(CryptoError::MalformedSignature(
            "ECDSA integer is too large",
        ));
    }
    let mut out = [0u8; 32];
    out[32 - digits.len()..].copy_from_slice(digits);
    Ok((out, rest))
}

/// Whether the big-endian `value` is in `[1, n-1]`.
fn in_scalar_range(value: &[u8; 32]) -> bool {
    value.iter().any(|&byte| byte != 0) && value < &GROUP_ORDER
}

/// Parses a DER `ECDSA-Sig-Value` strictly and checks `r` and `s` are in `[1, n-1]`.
/// Returns `(r, s)` as 32-byte big-endian numbers.
pub fn parse_signature(signature: &[u8]) -> Result<([u8; 32], [u8; 32]), CryptoError> {
    let (body, trailing) = read_tlv(signature, SEQUENCE)?;
    if !trailing.is_empty() {
        return Err(CryptoError::MalformedSignature(
            "ECDSA signature DER has trailing bytes",
        ));
    }
    let (r, rest) = read_integer(body)?;
    let (s, rest) = read_integer(rest)?;
    if !rest.is_empty() {
        return Err(CryptoError::MalformedSignature(
            "ECDSA signature DER has extra fields",
        ));
    }
    if !in_scalar_range(&r) || !in_scalar_range(&s) {
        return Err(CryptoError::MalformedSignature(
            "ECDSA r or s is zero or not below the group order",
        ));
    }
    Ok((r, s))
}
