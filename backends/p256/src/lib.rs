//! The `p256` backend of artmls: P-256 ECDH and ECDSA from the RustCrypto `p256` crate.
//!
//! | primitive | type | from |
//! |---|---|---|
//! | DH (P-256) | [`P256`] | `p256` (`NonZeroScalar`, `PublicKey`, `ecdh::diffie_hellman`) |
//! | signature (ECDSA P-256 SHA-256, DER) | [`EcdsaP256Sha256`] | `p256::ecdsa` (RFC 6979 deterministic nonces) |
//! | KDF, hash, AEAD | `HkdfSha256`, `Sha256`, `Aes128Gcm` | reused from `artmls-dalek` (RustCrypto) |
//! | HPKE | [`HpkeP256Aes128Gcm`] | `artmls_dalek::RustHpke` over rust-hpke's `DhP256HkdfSha256` |
//!
//! Why: `p256` is the pure-Rust P-256, and the symmetric primitives are the same RustCrypto
//! ones the dalek backend uses, so they are composed from there rather than copied. A private
//! key is kept as a parsed `NonZeroScalar` with its public key (computed once); a public key is
//! kept as the parsed point *and* its 65-byte uncompressed SEC1 form, so `as_ref()` costs
//! nothing. Received points must be uncompressed, on the curve and not the identity; ECDSA
//! signatures must be strict DER ([`der`], shared with the ring and aws-lc backends; high `S` is
//! accepted, as standard ECDSA does). Private and
//! signing keys are zeroized on drop and print no key bytes in `Debug`. Randomness comes only
//! from the RNG the caller passes in (signing needs none: its nonces are RFC 6979).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod der;
mod ecdh;
mod ecdsa;
mod util;

use artmls_crypto::{Backend, Composed, SuiteId, SuiteVisitor};
use artmls_dalek::{Aes128Gcm, HkdfSha256, RustHpke, Sha256};

pub use crate::ecdh::{P256, P256PrivateKey, P256PublicKey};
pub use crate::ecdsa::{EcdsaP256Sha256, EcdsaP256SigningKey, EcdsaP256VerifyingKey};

/// HPKE with DHKEM(P-256, HKDF-SHA256), HKDF-SHA256 and AES-128-GCM, from rust-hpke.
pub type HpkeP256Aes128Gcm = RustHpke<::hpke::kem::DhP256HkdfSha256, ::hpke::aead::AesGcm128>;

/// ART_128_P256_AES128GCM_SHA256_P256 (0xF002).
pub type P256Aes128GcmSha256P256 =
    Composed<P256, HkdfSha256, Sha256, Aes128Gcm, EcdsaP256Sha256, HpkeP256Aes128Gcm, 0xF002>;

/// The p256 backend: suite 0xF002.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct P256Backend;

impl Backend for P256Backend {
    const NAME: &'static str = "p256";
    const DESCRIPTION: &'static str = "RustCrypto p256 (ECDH, ECDSA); HKDF, SHA-256, AES-GCM from RustCrypto; HPKE from rust-hpke";
    const SUITES: &'static [SuiteId] = &[SuiteId::P256_AES128GCM_SHA256_P256];

    fn visit<V: SuiteVisitor>(suite: SuiteId, visitor: V) -> Option<V::Output> {
        match suite {
            SuiteId::P256_AES128GCM_SHA256_P256 => Some(visitor.visit::<P256Aes128GcmSha256P256>()),
            _ => None,
        }
    }
}
