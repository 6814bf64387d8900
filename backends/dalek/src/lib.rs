//! The `dalek` backend of artmls: pure-Rust primitives from the dalek and RustCrypto crates.
//!
//! | primitive | type | from |
//! |---|---|---|
//! | DH (X25519) | [`X25519`] | `x25519-dalek` (`StaticSecret`: ART keeps node keys, so the static kind) |
//! | signature (Ed25519) | [`Ed25519`] | `ed25519-dalek`, verified with `verify_strict` |
//! | KDF (HKDF-SHA256) | [`HkdfSha256`] | `hkdf` + `sha2` |
//! | hash, MAC | [`Sha256`] | `sha2`, `hmac` |
//! | AEAD | [`Aes128Gcm`], [`ChaCha20Poly1305`] | `aes-gcm`, `chacha20poly1305` |
//! | HPKE | [`RustHpke`] | `hpke` (rust-hpke), checked against [`artmls_crypto::hpke::DhKemHpke`] |
//!
//! Why these: they are the reference pure-Rust implementations, with no C or assembly to build,
//! and rust-hpke is an HPKE written independently of artmls's own, so a suite that uses it
//! cross-checks the generic one. Keys are parsed once and kept parsed (an X25519 private key
//! carries its public key, an Ed25519 key its expanded secret), since DH and DeriveKeyPair are
//! the hot path of the tree. Private and signing keys are zeroized on drop and print no key bytes
//! in `Debug`. Randomness comes only from the RNG the caller passes in.
//!
//! This crate serves suites 0xF001 and 0xF003 as [`PROVIDER`]. Its components are also parts of
//! other providers: `artmls-providers` composes its P-256 provider from the DH and ECDSA of
//! `artmls-p256` with [`HkdfSha256`], [`Sha256`], [`Aes128Gcm`] and [`RustHpke`] from here, and
//! its ring provider takes [`X25519`] from here.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod aead;
mod ed25519;
mod hash;
mod hpke;
mod util;
mod x25519;

use artmls_crypto::{Backend, Composed, SuiteId, SuiteVisitor};

pub use crate::aead::{Aes128Gcm, ChaCha20Poly1305};
pub use crate::ed25519::{Ed25519, Ed25519SigningKey, Ed25519VerifyingKey};
pub use crate::hash::{HkdfSha256, Sha256};
pub use crate::hpke::RustHpke;
pub use crate::x25519::{X25519, X25519PrivateKey, X25519PublicKey};

/// The rust-hpke crate this backend builds [`RustHpke`] on, for naming its KEM and AEAD types
/// (the P-256 provider of `artmls-providers` names `rust_hpke::kem::DhP256HkdfSha256`).
pub use ::hpke as rust_hpke;

/// HPKE with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-128-GCM, from rust-hpke.
pub type HpkeX25519Aes128Gcm = RustHpke<::hpke::kem::X25519HkdfSha256, ::hpke::aead::AesGcm128>;

/// HPKE with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and ChaCha20Poly1305, from rust-hpke.
pub type HpkeX25519ChaCha20Poly1305 =
    RustHpke<::hpke::kem::X25519HkdfSha256, ::hpke::aead::ChaCha20Poly1305>;

/// ART_128_X25519_AES128GCM_SHA256_Ed25519 (0xF001).
pub type X25519Aes128GcmSha256Ed25519 =
    Composed<X25519, HkdfSha256, Sha256, Aes128Gcm, Ed25519, HpkeX25519Aes128Gcm, 0xF001>;

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

/// The dalek provider: suites 0xF001 and 0xF003. Use it as the value [`PROVIDER`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dalek;

/// The dalek provider, as a value: `&artmls_dalek::PROVIDER` is an `&dyn artmls::Provider`.
pub const PROVIDER: Dalek = Dalek;

impl Backend for Dalek {
    const NAME: &'static str = "dalek";
    const DESCRIPTION: &'static str = "x25519-dalek and ed25519-dalek; HKDF, SHA-256, AES-GCM, ChaCha20Poly1305 and HPKE from RustCrypto and rust-hpke";
    const SUITES: &'static [SuiteId] = &[
        SuiteId::X25519_AES128GCM_SHA256_ED25519,
        SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519,
    ];

    fn visit<V: SuiteVisitor>(suite: SuiteId, visitor: V) -> Option<V::Output> {
        match suite {
            SuiteId::X25519_AES128GCM_SHA256_ED25519 => {
                Some(visitor.visit::<X25519Aes128GcmSha256Ed25519>())
            }
            SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519 => {
                Some(visitor.visit::<X25519ChaCha20Poly1305Sha256Ed25519>())
            }
            _ => None,
        }
    }
}
