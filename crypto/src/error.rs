//! Errors of the crypto layer.

use thiserror::Error;

/// An error from a cryptographic primitive.
///
/// Every variant means the input was rejected and nothing was computed; none of them is a
/// reason to retry with the same input. Errors that come from bytes received off the wire
/// (`InvalidPublicKey`, `InvalidSignature`, `AeadOpenFailed`, ...) mean the sender is broken or
/// malicious: drop the message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A public key is malformed, not on the curve, the identity, of low order, or in a
    /// form this library does not accept (compressed P-256 points, for instance).
    #[error("invalid public key: {0}")]
    InvalidPublicKey(&'static str),
    /// A private key has the wrong length or is out of range (zero or not below the group order).
    #[error("invalid private key: {0}")]
    InvalidPrivateKey(&'static str),
    /// A Diffie-Hellman computation gave the all-zero output or the identity (a low-order peer key).
    #[error("Diffie-Hellman output is zero: the peer key has low order")]
    ZeroSharedSecret,
    /// A key derivation could not find a valid private key (RFC 9180 DeriveKeyPair gave up).
    #[error("key pair derivation failed")]
    DeriveKeyPairFailed,
    /// A KDF was asked for more output than it can give (HKDF: 255 * Nh bytes).
    #[error("KDF output length {0} is too large")]
    KdfOutputTooLong(usize),
    /// A key of the wrong length was given to an AEAD or MAC.
    #[error("invalid key length: expected {expected} bytes, got {got}")]
    InvalidKeyLength {
        /// The length the algorithm takes.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A nonce of the wrong length was given to an AEAD.
    #[error("invalid nonce length: expected {expected} bytes, got {got}")]
    InvalidNonceLength {
        /// The length the algorithm takes.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A ciphertext is shorter than the authentication tag.
    #[error("ciphertext is shorter than the tag")]
    CiphertextTooShort,
    /// AEAD decryption failed: the ciphertext, tag, associated data or key is wrong.
    #[error("AEAD decryption failed")]
    AeadOpenFailed,
    /// AEAD encryption failed (the plaintext is too long for the algorithm).
    #[error("AEAD encryption failed")]
    AeadSealFailed,
    /// A signature is malformed or non-canonical.
    #[error("malformed signature: {0}")]
    MalformedSignature(&'static str),
    /// A signature does not verify under the given key and message.
    #[error("signature verification failed")]
    InvalidSignature,
    /// A signing key is malformed.
    #[error("invalid signing key: {0}")]
    InvalidSigningKey(&'static str),
    /// HPKE failed (encapsulation, decapsulation or the AEAD).
    #[error("HPKE failed: {0}")]
    Hpke(&'static str),
    /// An HPKE context has used up its sequence numbers.
    #[error("HPKE message limit reached")]
    MessageLimitReached,
    /// Encoding a structure failed.
    #[error("encoding failed: {0}")]
    Encoding(&'static str),
}
