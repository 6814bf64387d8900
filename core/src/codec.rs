//! The TLS presentation language of RFC 9420 §2.1, with its variable-length vectors.
//!
//! Two layers live here:
//!
//! - [`write_opaque`]: a small helper for the structures that are only ever built to be
//!   hashed, signed or fed to a KDF (KDFLabel, SignContent, ARTNodeContext).
//! - [`Encode`], [`Decode`] and [`Reader`]: the checked codec every wire structure of the
//!   library ([`crate::messages`]) goes through.
//!
//! # Why a checked layer of our own instead of `tls_codec`'s decoders
//!
//! `tls_codec` 0.5 implements the RFC 9000 varint that RFC 9420 uses for `<V>` lengths, but as
//! the workspace configures it (features `derive` and `std`, without `mls`) its decoders:
//!
//! - accept non-minimal length encodings (the minimality check sits behind the `mls` feature),
//!   which RFC 9420 §2.1.2 forbids: every value must have one encoding, or signatures and
//!   transcript hashes over re-encoded structures stop matching;
//! - accept the `0b11` prefix (8-byte, 62-bit lengths), which RFC 9420 reserves and forbids;
//! - in `DeserializeBytes for VLBytes`, on a length prefix longer than the remaining input,
//!   hit a `debug_assert_eq!` before returning the error: a truncated message *panics* in any
//!   build with debug assertions (tests, `opt-level = 1` dev builds);
//! - report every failure as one untyped `tls_codec::Error`.
//!
//! Turning on `mls` would fix the first two for the whole workspace but not the third, and the
//! feature change would silently alter other crates' behaviour. So decoding goes through
//! [`Reader`], a few dozen lines that check every length against the bytes that remain
//! *before* slicing or allocating anything, enforce the minimal encoding and reject `0b11`,
//! and fail with a typed [`CodecError`]. Encoding writes the same format (and is checked
//! against `tls_codec`'s encoder in the tests).
//!
//! # Allocation bound
//!
//! A decoder never allocates from a claimed length: a vector's length is checked against the
//! remaining input first, byte strings are copied from the input (so they are never longer than
//! it), and vectors of structures grow one decoded element at a time. Every element consumes at
//! least one input byte, so memory use is bounded by a small constant times the input length.

use thiserror::Error;

use crate::error::CryptoError;
use crate::secret::Secret;

/// Appends `bytes` as an RFC 9420 `opaque data<V>`: a variable-length-integer length, then the bytes.
pub fn write_opaque(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), CryptoError> {
    write_varint(out, bytes.len())
        .map_err(|_| CryptoError::Encoding("vector longer than 2^30 bytes"))?;
    out.extend_from_slice(bytes);
    Ok(())
}

/// The largest length a `<V>` vector can have: 2^30 - 1 bytes (RFC 9420 §2.1.2).
pub const MAX_VECTOR_LEN: usize = (1 << 30) - 1;

/// Why bytes could not be decoded (or, for [`CodecError::VectorTooLong`], encoded).
///
/// A decoding error means the bytes are not a valid encoding of the structure: the sender is
/// broken or malicious, or the bytes were damaged. There is nothing to retry; drop the input.
/// Decoding never panics and never allocates more than a small multiple of the input length,
/// whatever lengths the input claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CodecError {
    /// The input ended before the structure did.
    #[error("input truncated: {needed} more bytes needed, {remaining} remain")]
    Truncated {
        /// Bytes the decoder needed at that point.
        needed: usize,
        /// Bytes that were left.
        remaining: usize,
    },
    /// A vector length used more bytes than its value needs (RFC 9420 §2.1.2 requires the
    /// minimal encoding).
    #[error("vector length {0} is not minimally encoded")]
    NonMinimalLength(usize),
    /// A vector length starts with the reserved `0b11` prefix.
    #[error("vector length uses the reserved 0b11 prefix")]
    ReservedLengthPrefix,
    /// A vector claims more bytes than remain in the input (checked before anything is
    /// allocated).
    #[error("vector claims {claimed} bytes but only {remaining} remain")]
    LengthExceedsInput {
        /// The claimed length.
        claimed: usize,
        /// Bytes that were left.
        remaining: usize,
    },
    /// Bytes remain after a complete structure that must fill its input.
    #[error("{0} trailing bytes after the structure")]
    TrailingBytes(usize),
    /// An enumerated field holds a value this library does not know (or a reserved one).
    #[error("invalid {what}: {value}")]
    InvalidValue {
        /// The field.
        what: &'static str,
        /// The value found.
        value: u64,
    },
    /// An element of a vector consumed no bytes (it could never end).
    #[error("a vector element consumed no bytes")]
    EmptyElement,
    /// A value to encode is longer than a `<V>` vector can be (2^30 - 1 bytes).
    #[error("vector of {0} bytes is longer than 2^30 - 1")]
    VectorTooLong(usize),
}

/// Appends the RFC 9420 variable-length integer for a vector length (minimal encoding).
pub fn write_varint(out: &mut Vec<u8>, len: usize) -> Result<(), CodecError> {
    if len <= 0x3f {
        out.push(len as u8);
    } else if len <= 0x3fff {
        out.extend_from_slice(&(0x4000 | len as u16).to_be_bytes());
    } else if len <= MAX_VECTOR_LEN {
        out.extend_from_slice(&(0x8000_0000 | len as u32).to_be_bytes());
    } else {
        return Err(CodecError::VectorTooLong(len));
    }
    Ok(())
}

/// A cursor over input bytes. Every read checks the remaining length first.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.bytes
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Reads `n` bytes (fails without consuming anything if fewer remain).
    pub fn read_bytes(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if n > self.bytes.len() {
            return Err(CodecError::Truncated {
                needed: n,
                remaining: self.bytes.len(),
            });
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    /// Reads a fixed-size array.
    pub fn read_array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let mut array = [0u8; N];
        array.copy_from_slice(self.read_bytes(N)?);
        Ok(array)
    }

    /// Reads an RFC 9420 variable-length vector length: minimal encoding required, the
    /// `0b11` prefix rejected.
    pub fn read_varint(&mut self) -> Result<usize, CodecError> {
        let first = *self.bytes.first().ok_or(CodecError::Truncated {
            needed: 1,
            remaining: 0,
        })?;
        let (len_len, min) = match first >> 6 {
            0 => (1, 0),
            1 => (2, 0x40),
            2 => (4, 0x4000),
            _ => return Err(CodecError::ReservedLengthPrefix),
        };
        let header = self.read_bytes(len_len)?;
        let value = header
            .iter()
            .skip(1)
            .fold(usize::from(first & 0x3f), |acc, byte| {
                (acc << 8) | usize::from(*byte)
            });
        if value < min {
            return Err(CodecError::NonMinimalLength(value));
        }
        Ok(value)
    }

    /// Reads a vector length and returns a reader over exactly that many bytes, checking the
    /// length against the remaining input first.
    pub fn read_vector_body(&mut self) -> Result<Reader<'a>, CodecError> {
        let len = self.read_varint()?;
        if len > self.bytes.len() {
            return Err(CodecError::LengthExceedsInput {
                claimed: len,
                remaining: self.bytes.len(),
            });
        }
        Ok(Reader::new(self.read_bytes(len)?))
    }

    /// Reads an `opaque data<V>` and borrows its bytes from the input.
    pub fn read_opaque(&mut self) -> Result<&'a [u8], CodecError> {
        Ok(self.read_vector_body()?.remaining())
    }

    /// Fails with [`CodecError::TrailingBytes`] unless every byte was read.
    pub fn finish(&self) -> Result<(), CodecError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(CodecError::TrailingBytes(self.bytes.len()))
        }
    }
}

/// A structure with an RFC 9420 wire encoding.
pub trait Encode {
    /// Appends the encoding to `out`.
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError>;

    /// The encoding as a new vector.
    fn encode_to_vec(&self) -> Result<Vec<u8>, CodecError> {
        let mut out = Vec::new();
        self.encode(&mut out)?;
        Ok(out)
    }

    /// Appends `items` as the body and length of a `T items<V>` vector. Byte vectors override
    /// this to copy the slice at once.
    #[doc(hidden)]
    fn encode_vector(items: &[Self], out: &mut Vec<u8>) -> Result<(), CodecError>
    where
        Self: Sized,
    {
        let mut body = Vec::new();
        for item in items {
            item.encode(&mut body)?;
        }
        write_varint(out, body.len())?;
        out.extend_from_slice(&body);
        Ok(())
    }
}

/// A structure that decodes from its RFC 9420 wire encoding.
pub trait Decode: Sized {
    /// Decodes one value from the reader, consuming exactly its encoding.
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError>;

    /// Decodes a value that must fill `bytes` exactly (trailing bytes are an error).
    fn decode_exact(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut reader = Reader::new(bytes);
        let value = Self::decode(&mut reader)?;
        reader.finish()?;
        Ok(value)
    }

    /// Decodes the elements of a vector whose body is `body` (already bounded by its length).
    /// Byte vectors override this to copy the slice at once.
    #[doc(hidden)]
    fn decode_vector(body: &mut Reader<'_>) -> Result<Vec<Self>, CodecError> {
        let mut items = Vec::new();
        while !body.is_empty() {
            let before = body.remaining().len();
            items.push(Self::decode(body)?);
            if body.remaining().len() == before {
                return Err(CodecError::EmptyElement);
            }
        }
        Ok(items)
    }
}

macro_rules! impl_uint {
    ($($ty:ty),*) => {$(
        impl Encode for $ty {
            fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
                out.extend_from_slice(&self.to_be_bytes());
                Ok(())
            }
        }

        impl Decode for $ty {
            fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
                Ok(<$ty>::from_be_bytes(reader.read_array()?))
            }
        }
    )*};
}

impl_uint!(u16, u32, u64);

impl Encode for u8 {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.push(*self);
        Ok(())
    }

    fn encode_vector(items: &[Self], out: &mut Vec<u8>) -> Result<(), CodecError> {
        write_varint(out, items.len())?;
        out.extend_from_slice(items);
        Ok(())
    }
}

impl Decode for u8 {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let [byte] = reader.read_array()?;
        Ok(byte)
    }

    fn decode_vector(body: &mut Reader<'_>) -> Result<Vec<Self>, CodecError> {
        let bytes = body.remaining().to_vec();
        body.read_bytes(bytes.len())?;
        Ok(bytes)
    }
}

impl<const N: usize> Encode for [u8; N] {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        out.extend_from_slice(self);
        Ok(())
    }
}

impl<const N: usize> Decode for [u8; N] {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        reader.read_array()
    }
}

/// `T items<V>`; `Vec<u8>` is `opaque data<V>`.
impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        T::encode_vector(self, out)
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let mut body = reader.read_vector_body()?;
        T::decode_vector(&mut body)
    }
}

/// `optional<T>`: a presence byte (0 or 1), then the value if present.
impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match self {
            None => out.push(0),
            Some(value) => {
                out.push(1);
                value.encode(out)?;
            }
        }
        Ok(())
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        match u8::decode(reader)? {
            0 => Ok(None),
            1 => Ok(Some(T::decode(reader)?)),
            other => Err(CodecError::InvalidValue {
                what: "optional presence byte",
                value: u64::from(other),
            }),
        }
    }
}

/// A secret travels as `opaque secret<V>`.
impl Encode for Secret {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        write_varint(out, self.len())?;
        out.extend_from_slice(self.as_bytes());
        Ok(())
    }
}

impl Decode for Secret {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Secret::from_slice(reader.read_opaque()?))
    }
}

/// Implements [`Encode`] and [`Decode`] for a struct as the concatenation of its fields, in
/// the order given (the TLS presentation language's `struct`).
macro_rules! impl_codec_struct {
    ($name:ident { $($field:ident),* $(,)? }) => {
        impl $crate::codec::Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) -> Result<(), $crate::codec::CodecError> {
                $( $crate::codec::Encode::encode(&self.$field, out)?; )*
                Ok(())
            }
        }

        impl $crate::codec::Decode for $name {
            fn decode(
                reader: &mut $crate::codec::Reader<'_>,
            ) -> Result<Self, $crate::codec::CodecError> {
                Ok($name {
                    $( $field: $crate::codec::Decode::decode(reader)?, )*
                })
            }
        }
    };
}

pub(crate) use impl_codec_struct;

/// Implements [`Encode`] and [`Decode`] for a fieldless enum with explicit discriminants,
/// carried on the wire as the given unsigned integer type; unknown values are rejected.
macro_rules! impl_codec_enum {
    ($name:ident : $repr:ty, $what:literal { $($variant:ident),* $(,)? }) => {
        impl $crate::codec::Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) -> Result<(), $crate::codec::CodecError> {
                $crate::codec::Encode::encode(&(*self as $repr), out)
            }
        }

        impl $crate::codec::Decode for $name {
            fn decode(
                reader: &mut $crate::codec::Reader<'_>,
            ) -> Result<Self, $crate::codec::CodecError> {
                let value = <$repr as $crate::codec::Decode>::decode(reader)?;
                $( if value == $name::$variant as $repr { return Ok($name::$variant); } )*
                Err($crate::codec::CodecError::InvalidValue { what: $what, value: u64::from(value) })
            }
        }
    };
}

pub(crate) use impl_codec_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_use_the_mls_varint() {
        for (len, header) in [
            (0usize, vec![0x00]),
            (63, vec![0x3f]),
            (64, vec![0x40, 0x40]),
            (16383, vec![0x7f, 0xff]),
            (16384, vec![0x80, 0x00, 0x40, 0x00]),
        ] {
            let mut out = Vec::new();
            write_opaque(&mut out, &vec![7u8; len]).unwrap();
            assert_eq!(&out[..header.len()], header.as_slice(), "length {len}");
            assert_eq!(out.len(), header.len() + len);

            let mut ours = Vec::new();
            write_varint(&mut ours, len).unwrap();
            assert_eq!(ours, header, "write_varint {len}");
            let mut reader = Reader::new(&header);
            assert_eq!(reader.read_varint().unwrap(), len);
            assert!(reader.is_empty());

            let bytes = vec![7u8; len];
            assert_eq!(bytes.encode_to_vec().unwrap(), out, "Vec<u8> {len}");
            assert_eq!(Vec::<u8>::decode_exact(&out).unwrap(), bytes);
        }
        assert_eq!(
            write_varint(&mut Vec::new(), MAX_VECTOR_LEN + 1),
            Err(CodecError::VectorTooLong(MAX_VECTOR_LEN + 1))
        );
    }

    #[test]
    fn non_minimal_and_reserved_lengths_are_rejected() {
        let cases: [(&[u8], CodecError); 5] = [
            (&[0x40, 0x3f], CodecError::NonMinimalLength(0x3f)),
            (&[0x80, 0x00, 0x00, 0x01], CodecError::NonMinimalLength(1)),
            (
                &[0x80, 0x00, 0x3f, 0xff],
                CodecError::NonMinimalLength(0x3fff),
            ),
            (
                &[0xc0, 0, 0, 0, 0, 0, 0, 1],
                CodecError::ReservedLengthPrefix,
            ),
            (
                &[0x40],
                CodecError::Truncated {
                    needed: 2,
                    remaining: 1,
                },
            ),
        ];
        for (header, error) in cases {
            assert_eq!(
                Reader::new(header).read_varint(),
                Err(error),
                "{header:02x?}"
            );
        }
        assert_eq!(
            Reader::new(&[]).read_varint(),
            Err(CodecError::Truncated {
                needed: 1,
                remaining: 0
            })
        );
    }

    #[test]
    fn lengths_are_checked_against_the_input() {
        // 2^30 - 1 claimed, 6 bytes present.
        let input = [0xbf, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6];
        assert_eq!(
            Vec::<u8>::decode_exact(&input),
            Err(CodecError::LengthExceedsInput {
                claimed: MAX_VECTOR_LEN,
                remaining: 6
            })
        );
        assert_eq!(
            Vec::<u16>::decode_exact(&input),
            Err(CodecError::LengthExceedsInput {
                claimed: MAX_VECTOR_LEN,
                remaining: 6
            })
        );
        assert_eq!(
            Vec::<u8>::decode_exact(&[0x01, 0xaa, 0xbb]),
            Err(CodecError::TrailingBytes(1))
        );
        // A vector of u16 whose body is an odd number of bytes.
        assert!(matches!(
            Vec::<u16>::decode_exact(&[0x03, 0, 1, 2]),
            Err(CodecError::Truncated { .. })
        ));
    }

    #[test]
    fn optionals_and_integers() {
        let value: Option<u32> = Some(0x01020304);
        let bytes = value.encode_to_vec().unwrap();
        assert_eq!(bytes, [1, 1, 2, 3, 4]);
        assert_eq!(Option::<u32>::decode_exact(&bytes).unwrap(), value);
        assert_eq!(Option::<u32>::decode_exact(&[0]).unwrap(), None);
        assert_eq!(
            Option::<u32>::decode_exact(&[2]),
            Err(CodecError::InvalidValue {
                what: "optional presence byte",
                value: 2
            })
        );
        let list = vec![1u16, 2, 0xffff];
        let bytes = list.encode_to_vec().unwrap();
        assert_eq!(bytes, [6, 0, 1, 0, 2, 0xff, 0xff]);
        assert_eq!(Vec::<u16>::decode_exact(&bytes).unwrap(), list);
    }

    #[test]
    fn agrees_with_tls_codec_on_encoding() {
        for len in [0usize, 1, 63, 64, 300, 16383, 16384, 70000] {
            let bytes = vec![0x5a; len];
            let mut theirs = Vec::new();
            tls_codec::Serialize::tls_serialize(&tls_codec::VLByteSlice(&bytes), &mut theirs)
                .unwrap();
            assert_eq!(bytes.encode_to_vec().unwrap(), theirs, "{len}");
            let mut ours = Vec::new();
            write_opaque(&mut ours, &bytes).unwrap();
            assert_eq!(ours, theirs, "{len}");
        }
    }
}
