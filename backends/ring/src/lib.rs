//! Primitives for artmls from *ring*: HKDF-SHA256, SHA-256, the AEADs, Ed25519 and ECDSA P-256.
//!
//! | primitive | type | from |
//! |---|---|---|
//! | KDF (HKDF-SHA256) | [`HkdfSha256`] | `ring::hmac` (extract), `ring::hkdf::Prk::new_less_safe` (expand) |
//! | hash, MAC | [`Sha256`] | `ring::digest`, `ring::hmac` |
//! | AEAD | [`Aes128Gcm`], [`ChaCha20Poly1305`] | `ring::aead::LessSafeKey` |
//! | Ed25519 | [`Ed25519`] | `Ed25519KeyPair::from_seed_unchecked`, `UnparsedPublicKey` |
//! | ECDSA P-256 SHA-256 | [`EcdsaP256Sha256`] | `EcdsaKeyPair::from_private_key_and_public_key`, `ECDSA_P256_SHA256_ASN1` |
//!
//! The AEADs, hash and KDF are the code of `artmls-ring-api`, expanded over ring (aws-lc-rs
//! shares ring's API, and the aws-lc backend expands the same code over it).
//!
//! **No DH here, so no provider.** ART keeps long-lived ("static") DH key pairs in the tree and
//! derives them with HPKE's DeriveKeyPair, so it must import a private key from bytes and use it
//! for many agreements. *ring* only offers `agreement::EphemeralPrivateKey`, generated inside
//! ring and consumed by a single agreement; it has no supported API to import a private key for
//! agreement (the only route is the deprecated, doc-hidden `ring::test::rand::FixedSliceRandom`
//! trick, which this crate does not use). *ring* has no HPKE either. So this crate exports
//! components, and `artmls-providers` composes the `ring` provider (`artmls_providers::RING`)
//! from them, the X25519 of `artmls-dalek`, the P-256 of `artmls-p256`, and artmls's generic
//! [`artmls_crypto::hpke::DhKemHpke`] over that DH, [`HkdfSha256`] and ring's AEAD.
//!
//! **Randomness.** Keys are made only from the RNG the caller passes in. *ring*'s ECDSA signing
//! is not deterministic and takes its own RNG: [`EcdsaP256Sha256`] gives it
//! `ring::rand::SystemRandom`, both when a key pair is built (ring draws a nonce-hedging key) and
//! for each signature (ring hedges the nonce with the message digest).
//!
//! **Checks on top of ring.** Every artmls backend accepts the same signatures: Ed25519 `S < L`,
//! no small-order or non-canonical `R` or `A` (the policy of `ed25519-dalek`'s `verify_strict`,
//! via `artmls_crypto::validate::ed25519`), ECDSA strict DER and `r, s` in `[1, n-1]` (via
//! `artmls_crypto::validate::ecdsa_der`). Public keys are validated when parsed (with
//! `ed25519-dalek` and `p256`, since ring has no parse-only API); ring re-reads them from bytes
//! on each verification, as its `UnparsedPublicKey` requires.
//!
//! **Zeroization.** *ring* does not zeroize its key types on drop. The copies of key bytes this
//! crate keeps (the Ed25519 seed, the ECDSA scalar) are zeroized; the expanded keys inside
//! `Ed25519KeyPair` and `EcdsaKeyPair` are not, and cannot be without ring's help.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod signature;

mod aead {
    artmls_ring_api::aeads!(ring);
}

mod hash {
    artmls_ring_api::hash_and_kdf!(ring);
}

pub use crate::aead::{Aes128Gcm, ChaCha20Poly1305};
pub use crate::hash::{HkdfSha256, Sha256};
pub use crate::signature::{
    EcdsaP256Sha256, EcdsaP256SigningKey, EcdsaP256VerifyingKey, Ed25519, Ed25519SigningKey,
    Ed25519VerifyingKey,
};
