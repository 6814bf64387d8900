//! The `ring` backend of artmls: the symmetric primitives and the signatures from *ring*, the
//! DH groups from the RustCrypto backends.
//!
//! | primitive | type | from |
//! |---|---|---|
//! | KDF (HKDF-SHA256) | [`RingHkdfSha256`] | `ring::hmac` (extract), `ring::hkdf::Prk::new_less_safe` (expand) |
//! | hash, MAC | [`RingSha256`] | `ring::digest`, `ring::hmac` |
//! | AEAD | [`RingAes128Gcm`], [`RingChaCha20Poly1305`] | `ring::aead::LessSafeKey` |
//! | Ed25519 | [`RingEd25519`] | `Ed25519KeyPair::from_seed_unchecked`, `UnparsedPublicKey` |
//! | ECDSA P-256 SHA-256 | [`RingEcdsaP256Sha256`] | `EcdsaKeyPair::from_private_key_and_public_key`, `ECDSA_P256_SHA256_ASN1` |
//! | DH | `artmls_dalek::X25519`, `artmls_p256::P256` | x25519-dalek, p256 |
//! | HPKE | `artmls_crypto::hpke::DhKemHpke` over the DH above and ring's KDF and AEAD | artmls |
//!
//! **Why DH is not ring's.** ART keeps long-lived ("static") DH key pairs in the tree and derives
//! them with HPKE's DeriveKeyPair, so it must import a private key from bytes and use it for many
//! agreements. *ring* only offers `agreement::EphemeralPrivateKey`, generated inside ring and
//! consumed by a single agreement; it has no supported API to import a private key for
//! agreement (the only route is the deprecated, doc-hidden `ring::test::rand::FixedSliceRandom`
//! trick, which this crate does not use). So ring's suites take DH from `artmls_dalek::X25519`
//! and `artmls_p256::P256`, and HPKE is artmls's generic [`artmls_crypto::hpke::DhKemHpke`] over that
//! DH, [`RingHkdfSha256`] and ring's AEAD. *ring* has no HPKE either.
//!
//! **Randomness.** Keys are made only from the RNG the caller passes in. *ring*'s ECDSA signing
//! is not deterministic and takes its own RNG: [`RingEcdsaP256Sha256`] gives it
//! `ring::rand::SystemRandom`, both when a key pair is built (ring draws a nonce-hedging key) and
//! for each signature (ring hedges the nonce with the message digest).
//!
//! **Checks on top of ring.** Every artmls backend accepts the same signatures: Ed25519 `S < L`,
//! no small-order or non-canonical `R` or `A` (the policy of `ed25519-dalek`'s
//! `verify_strict`, via [`artmls_dalek::ed25519_checks`]), ECDSA strict DER and `r, s` in
//! `[1, n-1]` (via [`artmls_p256::der`]). Public keys are validated when parsed (by
//! `ed25519-dalek` and `p256`, since ring has no parse-only API); ring re-reads them from bytes on
//! each verification, as its `UnparsedPublicKey` requires.
//!
//! **Zeroization.** *ring* does not zeroize its key types on drop. The copies of key bytes this
//! crate keeps (the Ed25519 seed, the ECDSA scalar) are zeroized; the expanded keys inside
//! `Ed25519KeyPair` and `EcdsaKeyPair` are not, and cannot be without ring's help.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[path = "../../ring_api/aead.rs"]
mod aead;
#[path = "../../ring_api/hash.rs"]
mod hash;
mod signature;

use artmls_crypto::hpke::DhKemHpke;
use artmls_crypto::{Backend, Composed, SuiteId, SuiteVisitor};
use artmls_dalek::X25519;
use artmls_p256::P256;

// The AEADs, hash and KDF are written once for ring's API, which aws-lc-rs shares.
use ring as provider;

pub use crate::aead::{Aes128Gcm as RingAes128Gcm, ChaCha20Poly1305 as RingChaCha20Poly1305};
pub use crate::hash::{HkdfSha256 as RingHkdfSha256, Sha256 as RingSha256};
pub use crate::signature::{
    RingEcdsaP256Sha256, RingEcdsaP256SigningKey, RingEcdsaP256VerifyingKey, RingEd25519,
    RingEd25519SigningKey, RingEd25519VerifyingKey,
};

/// HPKE with DHKEM(X25519, HKDF-SHA256) and AES-128-GCM: artmls's HPKE over x25519-dalek and
/// ring.
pub type RingHpkeX25519Aes128Gcm = DhKemHpke<X25519, RingHkdfSha256, RingAes128Gcm>;
/// HPKE with DHKEM(P-256, HKDF-SHA256) and AES-128-GCM: artmls's HPKE over p256 and ring.
pub type RingHpkeP256Aes128Gcm = DhKemHpke<P256, RingHkdfSha256, RingAes128Gcm>;
/// HPKE with DHKEM(X25519, HKDF-SHA256) and ChaCha20Poly1305: artmls's HPKE over x25519-dalek
/// and ring.
pub type RingHpkeX25519ChaCha20Poly1305 = DhKemHpke<X25519, RingHkdfSha256, RingChaCha20Poly1305>;

/// ART_128_X25519_AES128GCM_SHA256_Ed25519 (0xF001).
pub type X25519Aes128GcmSha256Ed25519 = Composed<
    X25519,
    RingHkdfSha256,
    RingSha256,
    RingAes128Gcm,
    RingEd25519,
    RingHpkeX25519Aes128Gcm,
    0xF001,
>;

/// ART_128_P256_AES128GCM_SHA256_P256 (0xF002).
pub type P256Aes128GcmSha256P256 = Composed<
    P256,
    RingHkdfSha256,
    RingSha256,
    RingAes128Gcm,
    RingEcdsaP256Sha256,
    RingHpkeP256Aes128Gcm,
    0xF002,
>;

/// ART_128_X25519_CHACHA20POLY1305_SHA256_Ed25519 (0xF003).
pub type X25519ChaCha20Poly1305Sha256Ed25519 = Composed<
    X25519,
    RingHkdfSha256,
    RingSha256,
    RingChaCha20Poly1305,
    RingEd25519,
    RingHpkeX25519ChaCha20Poly1305,
    0xF003,
>;

/// The ring backend: suites 0xF001, 0xF002 and 0xF003.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingBackend;

impl Backend for RingBackend {
    const NAME: &'static str = "ring";
    const DESCRIPTION: &'static str = "ring (HKDF, SHA-256, AES-GCM, ChaCha20Poly1305, Ed25519, ECDSA); DH from x25519-dalek and p256 (ring cannot import DH keys); artmls HPKE";
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
