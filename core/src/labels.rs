//! The labelled functions of RFC 9420 §5, written once for every suite.
//!
//! Every label gets the prefix `"MLS 1.0 "` before use, as RFC 9420 specifies; the ART
//! profile's own labels (`"ART node"`, `"ART commit"`) go through the same functions, so they
//! are domain-separated from every RFC 9420 label.

use rand_core::CryptoRng;

use crate::codec::write_opaque;
use crate::error::CryptoError;
use crate::secret::Secret;
use crate::suite::CipherSuite;
use artmls_crypto::{HashFunction, Hpke, HpkeCiphertext, Kdf, SignatureScheme};

/// The prefix of every label.
pub const LABEL_PREFIX: &[u8] = b"MLS 1.0 ";

fn prefixed(label: &str) -> Vec<u8> {
    let mut full = Vec::with_capacity(LABEL_PREFIX.len() + label.len());
    full.extend_from_slice(LABEL_PREFIX);
    full.extend_from_slice(label.as_bytes());
    full
}

/// `ExpandWithLabel(secret, label, context, length)`:
/// `KDF.Expand(secret, KDFLabel { uint16 length; opaque label<V>; opaque context<V> }, length)`.
pub fn expand_with_label<S: CipherSuite>(
    secret: &[u8],
    label: &str,
    context: &[u8],
    length: usize,
) -> Result<Secret, CryptoError> {
    let length16 = u16::try_from(length).map_err(|_| CryptoError::KdfOutputTooLong(length))?;
    let mut info = Vec::with_capacity(2 + 2 + LABEL_PREFIX.len() + label.len() + 4 + context.len());
    info.extend_from_slice(&length16.to_be_bytes());
    write_opaque(&mut info, &prefixed(label))?;
    write_opaque(&mut info, context)?;
    S::Kdf::expand(secret, &info, length)
}

/// `DeriveSecret(secret, label) = ExpandWithLabel(secret, label, "", Nh)`.
pub fn derive_secret<S: CipherSuite>(secret: &[u8], label: &str) -> Result<Secret, CryptoError> {
    expand_with_label::<S>(secret, label, &[], S::Kdf::HASH_LEN)
}

/// `DeriveTreeSecret(secret, label, generation, length)`: `ExpandWithLabel` with the
/// generation as a big-endian `uint32` context.
pub fn derive_tree_secret<S: CipherSuite>(
    secret: &[u8],
    label: &str,
    generation: u32,
    length: usize,
) -> Result<Secret, CryptoError> {
    expand_with_label::<S>(secret, label, &generation.to_be_bytes(), length)
}

/// `RefHash(label, value) = Hash(RefHashInput { opaque label<V>; opaque value<V> })`.
///
/// The label is used as given (RFC 9420 callers pass the whole string, e.g.
/// `"MLS 1.0 KeyPackage Reference"`).
pub fn ref_hash<S: CipherSuite>(label: &str, value: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut input = Vec::with_capacity(label.len() + value.len() + 8);
    write_opaque(&mut input, label.as_bytes())?;
    write_opaque(&mut input, value)?;
    Ok(S::Hash::hash(&input))
}

fn sign_content(label: &str, content: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut input = Vec::with_capacity(LABEL_PREFIX.len() + label.len() + content.len() + 8);
    write_opaque(&mut input, &prefixed(label))?;
    write_opaque(&mut input, content)?;
    Ok(input)
}

/// `SignWithLabel(key, label, content)`: a signature over
/// `SignContent { opaque label<V>; opaque content<V> }`.
pub fn sign_with_label<S: CipherSuite>(
    key: &<S::Signature as SignatureScheme>::SigningKey,
    label: &str,
    content: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    S::Signature::sign(key, &sign_content(label, content)?)
}

/// `VerifyWithLabel(key, label, content, signature)`.
pub fn verify_with_label<S: CipherSuite>(
    key: &<S::Signature as SignatureScheme>::VerifyingKey,
    label: &str,
    content: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    S::Signature::verify(key, &sign_content(label, content)?, signature)
}

fn encrypt_context(label: &str, context: &[u8]) -> Result<Vec<u8>, CryptoError> {
    sign_content(label, context)
}

/// `EncryptWithLabel(public_key, label, context, plaintext)`: HPKE base mode with
/// `info = EncryptContext { opaque label<V>; opaque context<V> }` and empty `aad`.
pub fn encrypt_with_label<S: CipherSuite, R: CryptoRng + ?Sized>(
    public_key: &[u8],
    label: &str,
    context: &[u8],
    plaintext: &[u8],
    rng: &mut R,
) -> Result<HpkeCiphertext, CryptoError> {
    let info = encrypt_context(label, context)?;
    S::Hpke::seal_base(public_key, &info, &[], plaintext, rng)
}

/// `EncryptWithLabel` of one label and context to many public keys (a Welcome's newcomers):
/// the result equals calling [`encrypt_with_label`] in order, with the context encoded and
/// hashed once.
pub fn encrypt_with_label_many<S: CipherSuite, R: CryptoRng + ?Sized>(
    public_keys: &[&[u8]],
    label: &str,
    context: &[u8],
    plaintexts: &[&[u8]],
    rng: &mut R,
) -> Result<Vec<HpkeCiphertext>, CryptoError> {
    let info = encrypt_context(label, context)?;
    S::Hpke::seal_base_many(public_keys, &info, &[], plaintexts, rng)
}

/// `DecryptWithLabel(private_key, label, context, kem_output, ciphertext)`.
pub fn decrypt_with_label<S: CipherSuite>(
    private_key: &[u8],
    label: &str,
    context: &[u8],
    kem_output: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let info = encrypt_context(label, context)?;
    S::Hpke::open_base(private_key, kem_output, &info, &[], ciphertext)
}
