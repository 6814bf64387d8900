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
//! remaining input first. On top of that, every decode carries an *allocation budget*, and
//! every heap allocation a decoder makes is paid from it before it is made:
//!
//! - a byte string (`opaque data<V>`, a [`Secret`]) pays its length;
//! - a vector of structures pays `size_of::<T>()` times the capacity of each buffer it grows
//!   into (it grows by doubling, so the sum is at most twice its final capacity);
//! - a boxed field pays the size of what it boxes ([`Reader::charge_for`]).
//!
//! The budget of a decode of `n` input bytes is [`allocation_budget`]`(n)` =
//! `ALLOCATION_PER_INPUT_BYTE * n + ALLOCATION_BASE` (16 n + 256 KiB), shared by everything
//! decoded from those bytes. So **the heap bytes a decode of `n` bytes requests, in total
//! (freed buffers included), are at most 16 n + 256 KiB**, whatever the input claims. Without
//! the budget the bound would be the worst ratio of a type's in-memory size to its smallest
//! encoding: 272 for an absent `optional<LeafNode>` (one byte on the wire), 24 for an empty
//! `opaque<V>` inside a vector. Exceeding the budget is [`CodecError::AllocationBudgetExceeded`].
//!
//! A structure decoded later from a byte string inside another (an extension's
//! `extension_data`, a decrypted GroupInfo) is a new decode with the budget of its own length,
//! which is at most the outer input's: a chain of `d` such decodes stays under `d` times the
//! bound. The base covers the fixed-size parts of small inputs (a vector's first buffer holds
//! four elements); it is well below what a message of a few hundred KiB may use anyway.

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

/// How many heap bytes a decode may request per byte of its input (see the module's
/// "Allocation bound"). Every structure of this library decodes well within it: its largest
/// in-memory to wire ratio for genuine data is a few units.
pub const ALLOCATION_PER_INPUT_BYTE: usize = 16;

/// The heap bytes every decode may request whatever its length: room for the first buffers of
/// the vectors of a small input.
pub const ALLOCATION_BASE: usize = 256 * 1024;

/// The allocation budget of a decode of `input_len` bytes:
/// `ALLOCATION_PER_INPUT_BYTE * input_len + ALLOCATION_BASE`.
pub fn allocation_budget(input_len: usize) -> usize {
    input_len
        .saturating_mul(ALLOCATION_PER_INPUT_BYTE)
        .saturating_add(ALLOCATION_BASE)
}

/// Why bytes could not be decoded (or, for [`CodecError::VectorTooLong`], encoded).
///
/// A decoding error means the bytes are not a valid encoding of the structure: the sender is
/// broken or malicious, or the bytes were damaged. There is nothing to retry; drop the input.
/// Decoding never panics and never requests more heap than [`allocation_budget`] of the input
/// length, whatever lengths the input claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
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
    /// Decoding the input would need more memory than its length allows (see
    /// [`allocation_budget`]): it declares far more elements than genuine data of its size
    /// holds, such as a vector of a million absent optionals. Drop the input; nothing of it
    /// was kept.
    #[error(
        "decoding needs {requested} more heap bytes but only {remaining} remain of the \
         allocation budget of this input: drop it"
    )]
    AllocationBudgetExceeded {
        /// The bytes the next allocation needed.
        requested: usize,
        /// What was left of the budget.
        remaining: usize,
    },
    /// An element of a vector consumed no bytes (it could never end).
    #[error("a vector element consumed no bytes")]
    EmptyElement,
    /// A value to encode is longer than a `<V>` vector can be (2^30 - 1 bytes).
    #[error("vector of {0} bytes is longer than 2^30 - 1")]
    VectorTooLong(usize),
}

/// The size of the minimal RFC 9420 variable-length integer for `len` (1, 2 or 4 bytes; a
/// length beyond [`MAX_VECTOR_LEN`] does not encode, see [`write_varint`]).
pub fn varint_len(len: usize) -> usize {
    if len <= 0x3f {
        1
    } else if len <= 0x3fff {
        2
    } else {
        4
    }
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

/// A cursor over input bytes. Every read checks the remaining length first, and every heap
/// allocation a decoder makes is paid first from the reader's allocation budget (see the
/// module's "Allocation bound").
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    /// Heap bytes the decode may still request. A vector's body is read by a reader that
    /// takes over this budget and hands back what is left ([`Reader::read_vector`]), so
    /// everything decoded from one input shares one budget.
    budget: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`, with the budget [`allocation_budget`] of their length.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self::with_budget(bytes, allocation_budget(bytes.len()))
    }

    /// A reader over `bytes` that may request at most `budget` heap bytes in total (for a
    /// caller that knows a tighter or a looser bound than [`allocation_budget`]).
    pub fn with_budget(bytes: &'a [u8], budget: usize) -> Self {
        Reader { bytes, budget }
    }

    /// The heap bytes decoders may still request from this reader.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Pays `bytes` from the allocation budget, before allocating them. Fails with
    /// [`CodecError::AllocationBudgetExceeded`] (leaving the budget as it was) if too little
    /// is left.
    pub fn charge(&mut self, bytes: usize) -> Result<(), CodecError> {
        self.budget =
            self.budget
                .checked_sub(bytes)
                .ok_or(CodecError::AllocationBudgetExceeded {
                    requested: bytes,
                    remaining: self.budget,
                })?;
        Ok(())
    }

    /// Pays for `count` values of type `T` (a buffer of `count` elements, or one boxed value).
    pub fn charge_for<T>(&mut self, count: usize) -> Result<(), CodecError> {
        self.charge(count.saturating_mul(size_of::<T>()))
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

    /// Reads a vector length and the bytes it covers (checked against the remaining input
    /// first), and decodes them with `decode_body`, given a reader over exactly those bytes.
    /// That reader spends this reader's allocation budget: what it uses is gone from this
    /// one, whether `decode_body` succeeds or fails.
    pub fn read_vector<T>(
        &mut self,
        decode_body: impl FnOnce(&mut Reader<'a>) -> Result<T, CodecError>,
    ) -> Result<T, CodecError> {
        let bytes = self.read_opaque()?;
        let mut body = Reader::with_budget(bytes, self.budget);
        let result = decode_body(&mut body);
        self.budget = body.budget;
        result
    }

    /// Reads an `opaque data<V>` and borrows its bytes from the input (nothing is allocated).
    pub fn read_opaque(&mut self) -> Result<&'a [u8], CodecError> {
        let len = self.read_varint()?;
        if len > self.bytes.len() {
            return Err(CodecError::LengthExceedsInput {
                claimed: len,
                remaining: self.bytes.len(),
            });
        }
        self.read_bytes(len)
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

    /// Decodes a value that must fill `bytes` exactly (trailing bytes are an error), with the
    /// allocation budget of their length ([`allocation_budget`]).
    fn decode_exact(bytes: &[u8]) -> Result<Self, CodecError> {
        Self::decode_exact_with_budget(bytes, allocation_budget(bytes.len()))
    }

    /// [`Decode::decode_exact`] with an allocation budget chosen by the caller: for bytes it
    /// trusts more than the network's (its own stored state, a structure whose signature it
    /// has checked), whose genuine in-memory form may exceed the default.
    fn decode_exact_with_budget(bytes: &[u8], budget: usize) -> Result<Self, CodecError> {
        let mut reader = Reader::with_budget(bytes, budget);
        let value = Self::decode(&mut reader)?;
        reader.finish()?;
        Ok(value)
    }

    /// Decodes the elements of a vector whose body is `body` (already bounded by its length).
    /// Byte vectors override this to copy the slice at once.
    ///
    /// The vector grows by doubling, as `Vec` itself would, but each new buffer is paid from
    /// the budget before it is allocated: many elements that are small on the wire and large
    /// in memory (absent optionals, empty vectors) stop at the budget instead of at the
    /// memory's end.
    #[doc(hidden)]
    fn decode_vector(body: &mut Reader<'_>) -> Result<Vec<Self>, CodecError> {
        let mut items = Vec::new();
        while !body.is_empty() {
            if items.len() == items.capacity() {
                let capacity = items.capacity().saturating_mul(2).max(4);
                body.charge_for::<Self>(capacity)?;
                items.reserve_exact(capacity - items.len());
            }
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

// A cipher suite on the wire is its 16-bit id (RFC 9420 `CipherSuite`); any value decodes, and
// the layer that reads it decides whether it names a suite it serves.
impl Encode for artmls_crypto::SuiteId {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        self.0.encode(out)
    }
}

impl Decode for artmls_crypto::SuiteId {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        u16::decode(reader).map(artmls_crypto::SuiteId)
    }
}

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
        let bytes = body.remaining();
        body.charge(bytes.len())?;
        body.read_bytes(bytes.len())?;
        Ok(bytes.to_vec())
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
        reader.read_vector(T::decode_vector)
    }
}

/// A boxed field is encoded as the value itself.
impl<T: Encode> Encode for Box<T> {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), CodecError> {
        T::encode(self, out)
    }
}

/// A boxed field pays for its box from the allocation budget before decoding the value.
impl<T: Decode> Decode for Box<T> {
    fn decode(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        reader.charge_for::<T>(1)?;
        Ok(Box::new(T::decode(reader)?))
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
        let bytes = reader.read_opaque()?;
        reader.charge(bytes.len())?;
        Ok(Secret::from_slice(bytes))
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

    /// Many elements that are one byte on the wire and 24 in memory (empty byte strings):
    /// refused at the budget, with the typed error, instead of allocated.
    #[test]
    fn the_budget_stops_amplifying_inputs() {
        let count = 1 << 16;
        let mut input = Vec::new();
        write_varint(&mut input, count).unwrap();
        input.resize(input.len() + count, 0);
        let result = Vec::<Vec<u8>>::decode_exact(&input);
        assert!(
            matches!(result, Err(CodecError::AllocationBudgetExceeded { .. })),
            "{result:?}"
        );
        // The same elements within the budget decode.
        let mut small = Vec::new();
        write_varint(&mut small, 1000).unwrap();
        small.resize(small.len() + 1000, 0);
        assert_eq!(Vec::<Vec<u8>>::decode_exact(&small).unwrap().len(), 1000);
    }

    /// A vector's body spends its parent's budget: the accounting is exact, nested or not.
    #[test]
    fn nested_vectors_share_one_budget() {
        // Two inner vectors of two u16 each: the outer buffer holds 4 `Vec<u16>` (4 * 24 bytes)
        // and each inner one 4 `u16` (8 bytes): 112 bytes in all.
        let value = vec![vec![1u16, 2], vec![3, 4]];
        let bytes = value.encode_to_vec().unwrap();
        let needed = 4 * size_of::<Vec<u16>>() + 2 * 4 * 2;
        let decode = |budget| {
            let mut reader = Reader::with_budget(&bytes, budget);
            let decoded = Vec::<Vec<u16>>::decode(&mut reader);
            (decoded, reader.budget())
        };
        assert_eq!(decode(needed), (Ok(value.clone()), 0));
        assert_eq!(decode(needed + 5), (Ok(value), 5));
        assert!(matches!(
            decode(needed - 1).0,
            Err(CodecError::AllocationBudgetExceeded { .. })
        ));
        assert_eq!(
            Vec::<Vec<u16>>::decode_exact_with_budget(&bytes, needed - 1).err(),
            Some(CodecError::AllocationBudgetExceeded {
                requested: 8,
                remaining: 7
            })
        );
        // Byte strings and secrets pay their length.
        let opaque = vec![7u8; 10].encode_to_vec().unwrap();
        assert!(
            Reader::with_budget(&opaque, 9)
                .read_vector(u8::decode_vector)
                .is_err()
        );
        assert!(Secret::decode(&mut Reader::with_budget(&opaque, 9)).is_err());
        assert!(Secret::decode(&mut Reader::with_budget(&opaque, 10)).is_ok());
        assert_eq!(
            allocation_budget(1000),
            16 * 1000 + ALLOCATION_BASE,
            "the documented bound"
        );
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
