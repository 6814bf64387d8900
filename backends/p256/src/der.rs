//! Strict DER of ECDSA P-256 signatures: the shared check of `artmls-crypto`.

pub use artmls_crypto::validate::ecdsa_der::*;
