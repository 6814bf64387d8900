//! Bad inputs give typed errors, never panics.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_crypto::{CryptoError, Kdf};
use artmls_dalek::X25519;
use artmls_p256::P256;
use artmls_ring::{
    RingAes128Gcm, RingChaCha20Poly1305, RingEcdsaP256Sha256, RingEd25519, RingHkdfSha256,
    RingHpkeP256Aes128Gcm, RingHpkeX25519Aes128Gcm, RingHpkeX25519ChaCha20Poly1305,
};

#[test]
fn aead_bad_inputs() {
    testkit::aead_bad_inputs::<RingAes128Gcm>();
    testkit::aead_bad_inputs::<RingChaCha20Poly1305>();
}

#[test]
fn hkdf_output_too_long() {
    assert_eq!(
        RingHkdfSha256::expand(&[0; 32], b"", 8161).unwrap_err(),
        CryptoError::KdfOutputTooLong(8161)
    );
}

#[test]
fn ed25519_bad_signatures_and_keys() {
    testkit::ed25519_bad_inputs::<RingEd25519>();
}

#[test]
fn ecdsa_strict_der_and_bad_keys() {
    testkit::ecdsa_der_strictness::<RingEcdsaP256Sha256>();
    testkit::ecdsa_p256_bad_keys::<RingEcdsaP256Sha256>();
}

#[test]
fn hpke_bad_inputs() {
    testkit::hpke_bad_inputs::<RingHpkeX25519Aes128Gcm, X25519>();
    testkit::hpke_bad_inputs::<RingHpkeX25519ChaCha20Poly1305, X25519>();
    testkit::hpke_bad_inputs::<RingHpkeP256Aes128Gcm, P256>();
    testkit::hpke_x25519_low_order::<RingHpkeX25519Aes128Gcm>();
    testkit::hpke_p256_bad_points::<RingHpkeP256Aes128Gcm>();
}
