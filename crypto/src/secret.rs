//! Secret byte strings: zeroized on drop, redacted in `Debug`, compared in constant time.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Secret bytes (a private key, a PRK, a node secret, a message key).
///
/// The bytes are overwritten with zeros when the value is dropped, `Debug` prints only the
/// length, and equality is decided in constant time. Reading the bytes needs an explicit
/// [`Secret::as_bytes`], so secrets do not end up in logs by accident.
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Takes ownership of `bytes`.
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(bytes)
    }

    /// Copies `bytes` into a new secret.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Secret(bytes.to_vec())
    }

    /// A secret written by `write` into a buffer of `capacity` bytes allocated first.
    ///
    /// The buffer is erased when the secret is dropped, and also when `write` fails. `write`
    /// must not grow the buffer beyond `capacity` unless it reserves the whole length before
    /// writing anything secret: a reallocation frees the old buffer without erasing it.
    pub fn write_exact<E>(
        capacity: usize,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<Self, E> {
        let mut secret = Secret(Vec::with_capacity(capacity));
        write(&mut secret.0)?;
        Ok(secret)
    }

    /// A secret of `len` zero bytes (the RFC 9420 "zero" value of a key schedule input).
    pub fn zero(len: usize) -> Self {
        Secret(vec![0; len])
    }

    /// The secret bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret bytes, for filling in place (from an RNG, say).
    pub fn as_mut_bytes(&mut self) -> &mut [u8] {
        &mut self.0
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret has no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret([redacted; {} bytes])", self.0.len())
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.0.ct_eq(&other.0))
    }
}

impl Eq for Secret {}

impl From<Vec<u8>> for Secret {
    fn from(bytes: Vec<u8>) -> Self {
        Secret(bytes)
    }
}

/// Compares two byte strings (tags, confirmation values) in constant time.
///
/// Strings of different lengths compare unequal; the length itself is not secret.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::from_slice(&[0xAB; 4]);
        let shown = format!("{s:?}");
        assert!(!shown.to_lowercase().contains("ab"), "{shown}");
        assert!(shown.contains("4 bytes"));
    }

    #[test]
    fn equality_is_by_content() {
        assert_eq!(Secret::from_slice(b"abc"), Secret::from_slice(b"abc"));
        assert_ne!(Secret::from_slice(b"abc"), Secret::from_slice(b"abd"));
        assert_ne!(Secret::from_slice(b"abc"), Secret::from_slice(b"ab"));
        assert!(constant_time_eq(b"xy", b"xy"));
        assert!(!constant_time_eq(b"xy", b"xz"));
    }
}
