//! The `aws-lc` backend of artmls: every primitive from `aws-lc-rs` (AWS-LC, a BoringSSL fork
//! with formally verified and FIPS-validated code).
//!
//! | primitive | type | from |
//! |---|---|---|
//! | DH | [`AwsLcX25519`], [`AwsLcP256`] | `agreement::PrivateKey::from_private_key`, `agreement::ParsedPublicKey`, `agreement::agree` |
//! | KDF (HKDF-SHA256) | [`AwsLcHkdfSha256`] | `hmac` (extract), `hkdf::Prk::new_less_safe` (expand) |
//! | hash, MAC | [`AwsLcSha256`] | `digest`, `hmac` |
//! | AEAD | [`AwsLcAes128Gcm`], [`AwsLcChaCha20Poly1305`] | `aead::LessSafeKey` |
//! | Ed25519 | [`AwsLcEd25519`] | `Ed25519KeyPair::from_seed_unchecked`, `signature::ParsedPublicKey` |
//! | ECDSA P-256 SHA-256 | [`AwsLcEcdsaP256Sha256`] | `EcdsaKeyPair::from_private_key_and_public_key`, `ECDSA_P256_SHA256_ASN1` |
//! | HPKE | `artmls_crypto::hpke::DhKemHpke` over the above | artmls (aws-lc-rs has no HPKE) |
//!
//! Unlike *ring*, aws-lc-rs imports DH private keys (`agreement::PrivateKey::from_private_key`)
//! and reuses them for any number of agreements, which ART's static tree keys need; so this
//! backend needs no other crate. Keys are parsed once and kept parsed: a private key is an
//! `agreement::PrivateKey` (aws-lc computes its public key once, at import) and a public key an
//! `agreement::ParsedPublicKey` with its wire bytes. On top of aws-lc's own validation, this
//! crate rejects compressed and hybrid P-256 points (only 65-byte uncompressed points are keys),
//! the all-zero X25519 output, and applies the signature policy every artmls backend shares:
//! Ed25519 `S < L` and no small-order or non-canonical `R` or `A` (the policy of
//! `ed25519-dalek`'s `verify_strict`), ECDSA strict DER with `r, s` in `[1, n-1]`.
//!
//! **Randomness.** Keys are made only from the RNG the caller passes in. aws-lc's ECDSA signing
//! draws its nonces from AWS-LC's own RNG (aws-lc-rs ignores the RNG argument of `sign`), since
//! the `Signature` trait's `sign` takes no RNG.
//!
//! **Zeroization.** AWS-LC clears key memory when it frees it (`OPENSSL_free` cleanses), and the
//! copies of key bytes this crate keeps are `Zeroizing`. `Debug` of private keys prints no key
//! bytes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[path = "../../ring_api/aead.rs"]
mod aead;
mod agreement;
#[path = "../../ring_api/hash.rs"]
mod hash;
mod signature;

use artmls_crypto::hpke::DhKemHpke;
use artmls_crypto::{Backend, Composed, SuiteId, SuiteVisitor};

// The AEADs, hash and KDF are written once for ring's API, which aws-lc-rs shares.
use aws_lc_rs as provider;

pub use crate::aead::{Aes128Gcm as AwsLcAes128Gcm, ChaCha20Poly1305 as AwsLcChaCha20Poly1305};
pub use crate::agreement::{
    AwsLcP256, AwsLcP256PrivateKey, AwsLcP256PublicKey, AwsLcX25519, AwsLcX25519PrivateKey,
    AwsLcX25519PublicKey,
};
pub use crate::hash::{HkdfSha256 as AwsLcHkdfSha256, Sha256 as AwsLcSha256};
pub use crate::signature::{
    AwsLcEcdsaP256Sha256, AwsLcEcdsaP256SigningKey, AwsLcEcdsaP256VerifyingKey, AwsLcEd25519,
    AwsLcEd25519SigningKey, AwsLcEd25519VerifyingKey,
};

/// HPKE with DHKEM(X25519, HKDF-SHA256) and AES-128-GCM: artmls's HPKE over aws-lc-rs.
pub type AwsLcHpkeX25519Aes128Gcm = DhKemHpke<AwsLcX25519, AwsLcHkdfSha256, AwsLcAes128Gcm>;
/// HPKE with DHKEM(P-256, HKDF-SHA256) and AES-128-GCM: artmls's HPKE over aws-lc-rs.
pub type AwsLcHpkeP256Aes128Gcm = DhKemHpke<AwsLcP256, AwsLcHkdfSha256, AwsLcAes128Gcm>;
/// HPKE with DHKEM(X25519, HKDF-SHA256) and ChaCha20Poly1305: artmls's HPKE over aws-lc-rs.
pub type AwsLcHpkeX25519ChaCha20Poly1305 =
    DhKemHpke<AwsLcX25519, AwsLcHkdfSha256, AwsLcChaCha20Poly1305>;

/// ART_128_X25519_AES128GCM_SHA256_Ed25519 (0xF001).
pub type X25519Aes128GcmSha256Ed25519 = Composed<
    AwsLcX25519,
    AwsLcHkdfSha256,
    AwsLcSha256,
    AwsLcAes128Gcm,
    AwsLcEd25519,
    AwsLcHpkeX25519Aes128Gcm,
    0xF001,
>;

/// ART_128_P256_AES128GCM_SHA256_P256 (0xF002).
pub type P256Aes128GcmSha256P256 = Composed<
    AwsLcP256,
    AwsLcHkdfSha256,
    AwsLcSha256,
    AwsLcAes128Gcm,
    AwsLcEcdsaP256Sha256,
    AwsLcHpkeP256Aes128Gcm,
    0xF002,
>;

/// ART_128_X25519_CHACHA20POLY1305_SHA256_Ed25519 (0xF003).
pub type X25519ChaCha20Poly1305Sha256Ed25519 = Composed<
    AwsLcX25519,
    AwsLcHkdfSha256,
    AwsLcSha256,
    AwsLcChaCha20Poly1305,
    AwsLcEd25519,
    AwsLcHpkeX25519ChaCha20Poly1305,
    0xF003,
>;

/// The aws-lc backend: suites 0xF001, 0xF002 and 0xF003.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsLcBackend;

impl Backend for AwsLcBackend {
    const NAME: &'static str = "aws-lc";
    const DESCRIPTION: &'static str = "aws-lc-rs for every primitive (X25519, P-256, HKDF, SHA-256, AEADs, Ed25519, ECDSA); artmls HPKE";
    const SUITES: &'static [SuiteId] = &[
        SuiteId::X25519_AES128GCM_SHA256_ED25519,
        SuiteId::P256_AES128GCM_SHA256_P256,
        SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519,
    ];

    fn visit<V: SuiteVisitor>(suite: SuiteId, visitor: V) -> Option<V::Output> {
        match suite {
            SuiteId::X25519_AES128GCM_SHA256_ED25519 => {
                Some(visitor.visit::<X25519Aes128GcmSha256Ed25519>())
            }
            SuiteId::P256_AES128GCM_SHA256_P256 => Some(visitor.visit::<P256Aes128GcmSha256P256>()),
            SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519 => {
                Some(visitor.visit::<X25519ChaCha20Poly1305Sha256Ed25519>())
            }
            _ => None,
        }
    }
}
