//! P-256 primitives for artmls from the RustCrypto `p256` crate: ECDH and ECDSA.
//!
//! | primitive | type | from |
//! |---|---|---|
//! | DH (P-256) | [`P256`] | `p256` (`NonZeroScalar`, `PublicKey`, `ecdh::diffie_hellman`) |
//! | signature (ECDSA P-256 SHA-256, DER) | [`EcdsaP256Sha256`] | `p256::ecdsa` (RFC 6979 deterministic nonces) |
//!
//! This crate exports components, not a provider: suite 0xF002 also needs a KDF, a hash, an
//! AEAD and an HPKE, which are the RustCrypto ones of `artmls-dalek`. `artmls-providers`
//! composes them into the `p256` provider (`artmls_providers::P256`), so no backend crate
//! depends on another.
//!
//! Why `p256`: it is the pure-Rust P-256. A private key is kept as a parsed `NonZeroScalar` with
//! its public key (computed once); a public key is kept as the parsed point *and* its 65-byte
//! uncompressed SEC1 form, so `as_ref()` costs nothing. Received points must be uncompressed, on
//! the curve and not the identity; ECDSA signatures must be strict DER
//! (`artmls_crypto::validate::ecdsa_der`, shared with the ring and aws-lc backends; high `S` is
//! accepted, as standard ECDSA does). Private and signing keys are zeroized on drop and print no
//! key bytes in `Debug`. Randomness comes only from the RNG the caller passes in (signing needs
//! none: its nonces are RFC 6979).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod ecdh;
mod ecdsa;
mod util;

pub use crate::ecdh::{P256, P256PrivateKey, P256PublicKey};
pub use crate::ecdsa::{EcdsaP256Sha256, EcdsaP256SigningKey, EcdsaP256VerifyingKey};
