//! The primitives this crate exports pass the component checks of the artmls-crypto test
//! suite. The ring provider, which composes them with DH groups from other crates, runs the
//! whole suite in `artmls-providers`.

use artmls_crypto::test_suite::{verify_aead, verify_hash, verify_kdf, verify_signature};
use artmls_ring::{Aes128Gcm, ChaCha20Poly1305, EcdsaP256Sha256, Ed25519, HkdfSha256, Sha256};

#[test]
fn hkdf_sha256_passes_the_kdf_checks() {
    verify_kdf::<HkdfSha256>();
}

#[test]
fn sha256_passes_the_hash_checks() {
    verify_hash::<Sha256>();
}

#[test]
fn aes128gcm_and_chacha20poly1305_pass_the_aead_checks() {
    verify_aead::<Aes128Gcm>();
    verify_aead::<ChaCha20Poly1305>();
}

#[test]
fn ed25519_passes_the_signature_checks() {
    verify_signature::<Ed25519>();
}

#[test]
fn ecdsa_p256_sha256_passes_the_signature_checks() {
    // ring's ECDSA nonces are random: the suite sees two signatures differ and checks RFC 6979's
    // signature by verification only.
    verify_signature::<EcdsaP256Sha256>();
}
