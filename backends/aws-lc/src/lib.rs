//! The `aws-lc` backend of artmls: every primitive from `aws-lc-rs` (AWS-LC, a BoringSSL fork
//! with formally verified and FIPS-validated code).
//!
//! | primitive | type | from |
//! |---|---|---|
//! | DH | [`X25519`], [`P256`] | `agreement::PrivateKey::from_private_key`, `agreement::ParsedPublicKey`, `agreement::agree` |
//! | KDF (HKDF-SHA256) | [`HkdfSha256`] | `hmac` (extract), `hkdf::Prk::new_less_safe` (expand); the code of `artmls-ring-api` |
//! | hash, MAC | [`Sha256`] | `digest`, `hmac` |
//! | AEAD | [`Aes128Gcm`], [`ChaCha20Poly1305`] | `aead::LessSafeKey` |
//! | Ed25519 | [`Ed25519`] | `Ed25519KeyPair::from_seed_unchecked`, `signature::ParsedPublicKey` |
//! | ECDSA P-256 SHA-256 | [`EcdsaP256Sha256`] | `EcdsaKeyPair::from_private_key_and_public_key`, `ECDSA_P256_SHA256_ASN1` |
//! | HPKE | `artmls_crypto::hpke::DhKemHpke` over the above | artmls (aws-lc-rs has no HPKE) |
//!
//! Unlike *ring*, aws-lc-rs imports DH private keys (`agreement::PrivateKey::from_private_key`)
//! and reuses them for any number of agreements, which ART's static tree keys need; so this
//! crate serves complete suites on its own, as [`PROVIDER`]. Keys are parsed once and kept parsed: a private key is an
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

mod agreement;
mod signature;

// The AEADs, hash and KDF are written once for ring's API, which aws-lc-rs shares.
mod aead {
    artmls_ring_api::aeads!(aws_lc_rs);
}

mod hash {
    artmls_ring_api::hash_and_kdf!(aws_lc_rs);
}

use artmls_crypto::hpke::DhKemHpke;
use artmls_crypto::{Backend, Composed, SuiteId, SuiteVisitor};

pub use crate::aead::{Aes128Gcm, ChaCha20Poly1305};
pub use crate::agreement::{
    P256, P256PrivateKey, P256PublicKey, X25519, X25519PrivateKey, X25519PublicKey,
};
pub use crate::hash::{HkdfSha256, Sha256};
pub use crate::signature::{
    EcdsaP256Sha256, EcdsaP256SigningKey, EcdsaP256VerifyingKey, Ed25519, Ed25519SigningKey,
    Ed25519VerifyingKey,
};

/// HPKE with DHKEM(X25519, HKDF-SHA256) and AES-128-GCM: artmls's HPKE over aws-lc-rs.
pub type HpkeX25519Aes128Gcm = DhKemHpke<X25519, HkdfSha256, Aes128Gcm>;
/// HPKE with DHKEM(P-256, HKDF-SHA256) and AES-128-GCM: artmls's HPKE over aws-lc-rs.
pub type HpkeP256Aes128Gcm = DhKemHpke<P256, HkdfSha256, Aes128Gcm>;
/// HPKE with DHKEM(X25519, HKDF-SHA256) and ChaCha20Poly1305: artmls's HPKE over aws-lc-rs.
pub type HpkeX25519ChaCha20Poly1305 = DhKemHpke<X25519, HkdfSha256, ChaCha20Poly1305>;

/// ART_128_X25519_AES128GCM_SHA256_Ed25519 (0xF001).
pub type X25519Aes128GcmSha256Ed25519 =
    Composed<X25519, HkdfSha256, Sha256, Aes128Gcm, Ed25519, HpkeX25519Aes128Gcm, 0xF001>;

/// ART_128_P256_AES128GCM_SHA256_P256 (0xF002).
pub type P256Aes128GcmSha256P256 =
    Composed<P256, HkdfSha256, Sha256, Aes128Gcm, EcdsaP256Sha256, HpkeP256Aes128Gcm, 0xF002>;

/// ART_128_X25519_CHACHA20POLY1305_SHA256_Ed25519 (0xF003).
pub type X25519ChaCha20Poly1305Sha256Ed25519 = Composed<
    X25519,
    HkdfSha256,
    Sha256,
    ChaCha20Poly1305,
    Ed25519,
    HpkeX25519ChaCha20Poly1305,
    0xF003,
>;

/// The aws-lc provider: suites 0xF001, 0xF002 and 0xF003. Use it as the value [`PROVIDER`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsLc;

/// The aws-lc provider, as a value: `&artmls_aws_lc::PROVIDER` is an `&dyn artmls::Provider`.
pub const PROVIDER: AwsLc = AwsLc;

impl Backend for AwsLc {
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
