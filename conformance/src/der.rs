//! The little DER the Wycheproof files need, written strictly.
//!
//! - [`p256_point_from_spki`]: a P-256 public key in X.509 `SubjectPublicKeyInfo` form. DER is
//!   canonical, so the one valid DER encoding of "id-ecPublicKey, named curve prime256v1,
//!   uncompressed point" is a fixed 26-byte header followed by the 65-byte point. Comparing
//!   bytes therefore *is* a strict parser for that structure, and it rejects everything else
//!   (compressed points, explicit curve parameters, other curves, BER length forms, trailing
//!   or missing bytes).
//! - [`p1363_to_der`]: an IEEE P1363 `r || s` ECDSA signature as the strict DER
//!   `ECDSA-Sig-Value` that the library's `Signature::verify` takes.
//! - [`parse_der_signature`]: the reverse, strict, used to check the encoder.
//! - [`fixed_width_scalar`]: a big-endian integer (possibly with ASN.1 leading zeros) as a
//!   fixed-width scalar.

use thiserror::Error;

/// Why a DER helper rejected its input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DerError {
    /// The input has the wrong length for the only form accepted.
    #[error("wrong length: {got} bytes, expected {expected}")]
    WrongLength {
        /// The length accepted.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// The `SubjectPublicKeyInfo` is not the named-curve P-256 form with an uncompressed point.
    #[error("not the DER SubjectPublicKeyInfo of an uncompressed named-curve P-256 key")]
    NotNamedP256Spki,
    /// The DER signature is not a strictly encoded `SEQUENCE { INTEGER r, INTEGER s }`.
    #[error("not a strict DER ECDSA signature: {0}")]
    BadSignature(&'static str),
    /// An integer does not fit the width asked for.
    #[error("integer of {got} significant bytes does not fit in {width}")]
    IntegerTooLarge {
        /// The width asked for.
        width: usize,
        /// The number of significant bytes.
        got: usize,
    },
}

/// The DER header of a named-curve P-256 `SubjectPublicKeyInfo` with a 65-byte point:
/// `SEQUENCE(89) { SEQUENCE(19) { OID id-ecPublicKey, OID prime256v1 }, BIT STRING(66, 0 unused) }`.
pub const P256_SPKI_HEADER: [u8; 26] = [
    0x30, 0x59, // SEQUENCE, 89 bytes
    0x30, 0x13, // SEQUENCE, 19 bytes (AlgorithmIdentifier)
    0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, // OID 1.2.840.10045.2.1
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, // OID 1.2.840.10045.3.1.7
    0x03, 0x42, 0x00, // BIT STRING, 66 bytes, no unused bits
];

/// Length of an uncompressed SEC1 P-256 point.
pub const P256_POINT_LEN: usize = 65;

/// The uncompressed SEC1 point inside a strictly encoded named-curve P-256
/// `SubjectPublicKeyInfo`, or an error for any other input. The point itself is not validated
/// here (the DH group's `public_key_from_bytes` does that).
pub fn p256_point_from_spki(der: &[u8]) -> Result<&[u8], DerError> {
    let expected = P256_SPKI_HEADER.len() + P256_POINT_LEN;
    if der.len() != expected {
        return Err(DerError::WrongLength {
            expected,
            got: der.len(),
        });
    }
    let (header, point) = der.split_at(P256_SPKI_HEADER.len());
    if header != P256_SPKI_HEADER || point.first() != Some(&0x04) {
        return Err(DerError::NotNamedP256Spki);
    }
    Ok(point)
}

/// The strict DER `SubjectPublicKeyInfo` of an uncompressed P-256 point (the inverse of
/// [`p256_point_from_spki`]).
pub fn p256_spki_from_point(point: &[u8]) -> Result<Vec<u8>, DerError> {
    if point.len() != P256_POINT_LEN {
        return Err(DerError::WrongLength {
            expected: P256_POINT_LEN,
            got: point.len(),
        });
    }
    let mut der = Vec::with_capacity(P256_SPKI_HEADER.len() + P256_POINT_LEN);
    der.extend_from_slice(&P256_SPKI_HEADER);
    der.extend_from_slice(point);
    Ok(der)
}

/// The DER `INTEGER` of the unsigned big-endian `magnitude`: minimal length, with a leading
/// zero byte when the top bit is set so that the value stays positive.
pub fn der_unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let significant = match magnitude.iter().position(|&byte| byte != 0) {
        Some(first) => &magnitude[first..],
        None => &[0u8][..],
    };
    let pad = significant.first().is_some_and(|&byte| byte & 0x80 != 0);
    let len = significant.len() + usize::from(pad);
    let mut out = Vec::with_capacity(len + 4);
    out.push(0x02);
    push_der_length(&mut out, len);
    if pad {
        out.push(0x00);
    }
    out.extend_from_slice(significant);
    out
}

fn push_der_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        // Short form; `len` fits in seven bits.
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let first = bytes
            .iter()
            .position(|&byte| byte != 0)
            .unwrap_or(bytes.len() - 1);
        let long = &bytes[first..];
        out.push(0x80 | long.len() as u8);
        out.extend_from_slice(long);
    }
}

/// Converts a 64-byte IEEE P1363 P-256 signature `r || s` (32 bytes each, big-endian) to the
/// strict DER `SEQUENCE { INTEGER r, INTEGER s }`. Any other length is an error: such a
/// signature is invalid.
pub fn p1363_to_der(signature: &[u8]) -> Result<Vec<u8>, DerError> {
    if signature.len() != 64 {
        return Err(DerError::WrongLength {
            expected: 64,
            got: signature.len(),
        });
    }
    let (r, s) = signature.split_at(32);
    let r = der_unsigned_integer(r);
    let s = der_unsigned_integer(s);
    let mut out = Vec::with_capacity(2 + r.len() + s.len() + 2);
    out.push(0x30);
    push_der_length(&mut out, r.len() + s.len());
    out.extend_from_slice(&r);
    out.extend_from_slice(&s);
    Ok(out)
}

/// Parses a strict DER ECDSA P-256 signature into `(r, s)`, 32 bytes each. Rejects long-form
/// lengths where the short form fits, non-minimal or negative integers, integers wider than 32
/// bytes, other tags and trailing bytes. Does not check the range `[1, n-1]`.
pub fn parse_der_signature(der: &[u8]) -> Result<([u8; 32], [u8; 32]), DerError> {
    let (tag, body, rest) = read_tlv(der)?;
    if tag != 0x30 {
        return Err(DerError::BadSignature("not a SEQUENCE"));
    }
    if !rest.is_empty() {
        return Err(DerError::BadSignature("trailing bytes after the SEQUENCE"));
    }
    let (r, body) = read_unsigned_integer(body)?;
    let (s, body) = read_unsigned_integer(body)?;
    if !body.is_empty() {
        return Err(DerError::BadSignature("trailing bytes inside the SEQUENCE"));
    }
    Ok((r, s))
}

fn read_tlv(input: &[u8]) -> Result<(u8, &[u8], &[u8]), DerError> {
    let (&tag, rest) = input
        .split_first()
        .ok_or(DerError::BadSignature("truncated"))?;
    let (&first, rest) = rest
        .split_first()
        .ok_or(DerError::BadSignature("truncated"))?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else if first == 0x81 {
        // Signatures are short; only the single-byte long form could ever be needed, and then
        // only for lengths of 128 or more.
        let (&len, rest) = rest
            .split_first()
            .ok_or(DerError::BadSignature("truncated"))?;
        if len < 0x80 {
            return Err(DerError::BadSignature("long-form length where short fits"));
        }
        (usize::from(len), rest)
    } else {
        return Err(DerError::BadSignature("unsupported length form"));
    };
    if rest.len() < len {
        return Err(DerError::BadSignature("truncated"));
    }
    let (body, rest) = rest.split_at(len);
    Ok((tag, body, rest))
}

fn read_unsigned_integer(input: &[u8]) -> Result<([u8; 32], &[u8]), DerError> {
    let (tag, body, rest) = read_tlv(input)?;
    if tag != 0x02 {
        return Err(DerError::BadSignature("not an INTEGER"));
    }
    let (&first, tail) = body
        .split_first()
        .ok_or(DerError::BadSignature("empty INTEGER"))?;
    if first & 0x80 != 0 {
        return Err(DerError::BadSignature("negative INTEGER"));
    }
    let magnitude = if first == 0 {
        match tail.first() {
            None => body,
            Some(&next) if next & 0x80 != 0 => tail,
            Some(_) => return Err(DerError::BadSignature("non-minimal INTEGER")),
        }
    } else {
        body
    };
    if magnitude.len() > 32 {
        return Err(DerError::BadSignature("INTEGER wider than 32 bytes"));
    }
    let mut out = [0u8; 32];
    out[32 - magnitude.len()..].copy_from_slice(magnitude);
    Ok((out, rest))
}

/// A big-endian unsigned integer as exactly `width` bytes: leading zero bytes are dropped (an
/// ASN.1 integer may carry one) and the value is left-padded. Fails if it does not fit.
pub fn fixed_width_scalar(bytes: &[u8], width: usize) -> Result<Vec<u8>, DerError> {
    let first = bytes
        .iter()
        .position(|&byte| byte != 0)
        .unwrap_or(bytes.len());
    let significant = &bytes[first..];
    if significant.len() > width {
        return Err(DerError::IntegerTooLarge {
            width,
            got: significant.len(),
        });
    }
    let mut out = vec![0u8; width];
    out[width - significant.len()..].copy_from_slice(significant);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point() -> Vec<u8> {
        let mut point = vec![0x04];
        point.extend((1..=64).map(|i| i as u8));
        point
    }

    #[test]
    fn spki_round_trip_and_strictness() {
        let point = point();
        let der = p256_spki_from_point(&point).unwrap();
        assert_eq!(der.len(), 91);
        assert_eq!(p256_point_from_spki(&der).unwrap(), point.as_slice());

        // Trailing byte, missing byte.
        let mut longer = der.clone();
        longer.push(0);
        assert!(p256_point_from_spki(&longer).is_err());
        assert!(p256_point_from_spki(&der[..90]).is_err());
        // Compressed point inside an otherwise fine header (length differs anyway).
        let mut compressed = P256_SPKI_HEADER.to_vec();
        compressed[1] = 0x39;
        compressed[24] = 0x22;
        compressed.push(0x02);
        compressed.extend_from_slice(&point[1..33]);
        assert!(p256_point_from_spki(&compressed).is_err());
        // Hybrid/odd point tag in the right-size container.
        let mut hybrid = der.clone();
        hybrid[26] = 0x06;
        assert_eq!(
            p256_point_from_spki(&hybrid),
            Err(DerError::NotNamedP256Spki)
        );
        // Another curve OID (secp256k1 would be shorter; modify the last OID byte instead).
        let mut other_curve = der.clone();
        other_curve[22] = 0x08;
        assert_eq!(
            p256_point_from_spki(&other_curve),
            Err(DerError::NotNamedP256Spki)
        );
        // Long-form length of the outer sequence: one byte longer, so rejected.
        let mut long_form = vec![0x30, 0x81, 0x59];
        long_form.extend_from_slice(&der[2..]);
        assert!(p256_point_from_spki(&long_form).is_err());
        assert!(p256_spki_from_point(&point[..64]).is_err());
    }

    #[test]
    fn spki_matches_a_wycheproof_key() {
        // publicKeyDer of a Wycheproof ECDSA group: header || 04 || x || y.
        let der = hex::decode(
            "3059301306072a8648ce3d020106082a8648ce3d030107034200042927b10512bae3eddcfe\
             467828128bad2903269919f7086069c8c4df6c732838c7787964eaac00e5921fb1498a60f4\
             606766b3d9685001558d1a974e7341513e",
        )
        .unwrap();
        let point = p256_point_from_spki(&der).unwrap();
        assert_eq!(point[0], 0x04);
        assert_eq!(point.len(), 65);
    }

    #[test]
    fn der_integers_are_minimal_and_positive() {
        assert_eq!(der_unsigned_integer(&[0, 0, 0]), vec![0x02, 0x01, 0x00]);
        assert_eq!(der_unsigned_integer(&[0, 0x7f]), vec![0x02, 0x01, 0x7f]);
        assert_eq!(der_unsigned_integer(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(
            der_unsigned_integer(&[0, 0, 0x01, 0x02]),
            vec![0x02, 0x02, 0x01, 0x02]
        );
        let big = der_unsigned_integer(&[0xff; 200]);
        assert_eq!(&big[..4], &[0x02, 0x81, 201, 0x00]);
    }

    #[test]
    fn p1363_conversion_round_trips() {
        let mut sig = [0u8; 64];
        sig[0] = 0x80; // r with the top bit set: needs a pad byte
        sig[31] = 1;
        sig[63] = 5; // s = 5: one byte
        let der = p1363_to_der(&sig).unwrap();
        assert_eq!(der[0], 0x30);
        assert_eq!(usize::from(der[1]), der.len() - 2);
        assert_eq!(&der[2..5], &[0x02, 33, 0x00]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x05]);
        let (r, s) = parse_der_signature(&der).unwrap();
        assert_eq!(&r[..], &sig[..32]);
        assert_eq!(&s[..], &sig[32..]);

        // Zero r and s are encoded (as INTEGER 0); rejecting them is the verifier's job.
        let zero = p1363_to_der(&[0u8; 64]).unwrap();
        assert_eq!(zero, vec![0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]);

        for len in [0usize, 32, 63, 65, 66] {
            assert_eq!(
                p1363_to_der(&vec![1u8; len]),
                Err(DerError::WrongLength {
                    expected: 64,
                    got: len
                })
            );
        }
    }

    #[test]
    fn strict_der_signature_parser_rejects_ber() {
        let good = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02];
        assert!(parse_der_signature(&good).is_ok());
        // Non-minimal integer.
        let padded = [0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x02];
        assert!(parse_der_signature(&padded).is_err());
        // Negative integer.
        let negative = [0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x02];
        assert!(parse_der_signature(&negative).is_err());
        // Long-form length where the short form fits.
        let long = [0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02];
        assert!(parse_der_signature(&long).is_err());
        // Trailing garbage, missing element, wrong tag.
        let mut trailing = good.to_vec();
        trailing.push(0);
        assert!(parse_der_signature(&trailing).is_err());
        assert!(parse_der_signature(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_err());
        assert!(parse_der_signature(&[0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]).is_err());
        assert!(parse_der_signature(&[]).is_err());
    }

    #[test]
    fn scalars_are_normalised_to_width() {
        assert_eq!(fixed_width_scalar(&[0, 1, 2], 4).unwrap(), vec![0, 0, 1, 2]);
        assert_eq!(
            fixed_width_scalar(&[0, 0xff, 0xff], 2).unwrap(),
            vec![0xff, 0xff]
        );
        assert_eq!(fixed_width_scalar(&[], 2).unwrap(), vec![0, 0]);
        assert_eq!(
            fixed_width_scalar(&[1, 0, 0], 2),
            Err(DerError::IntegerTooLarge { width: 2, got: 3 })
        );
    }
}
