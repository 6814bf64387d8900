//! Known answers from public standards: RFC 5869, RFC 4231, RFC 8032, RFC 6979, RFC 9180.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_ring::{
    RingAes128Gcm, RingChaCha20Poly1305, RingEcdsaP256Sha256, RingEd25519, RingHkdfSha256,
    RingHpkeP256Aes128Gcm, RingHpkeX25519Aes128Gcm, RingHpkeX25519ChaCha20Poly1305, RingSha256,
};

#[test]
fn hkdf_sha256_rfc5869() {
    testkit::hkdf_rfc5869::<RingHkdfSha256>();
    testkit::hkdf_any_prk_length::<RingHkdfSha256, RingSha256>();
}

#[test]
fn sha256_and_hmac() {
    testkit::sha256_vectors::<RingSha256>();
}

#[test]
fn aes128gcm_rfc9180_keys() {
    testkit::aes128gcm_vectors::<RingAes128Gcm>();
}

#[test]
fn chacha20poly1305_rfc9180_keys() {
    testkit::chacha20poly1305_vectors::<RingChaCha20Poly1305>();
}

#[test]
fn ed25519_rfc8032() {
    testkit::ed25519_rfc8032::<RingEd25519>();
}

#[test]
fn ecdsa_rfc6979_verifies_and_high_s_accepted() {
    // ring's nonces are random, so only verification is a known answer.
    testkit::ecdsa_p256_rfc6979::<RingEcdsaP256Sha256>(false);
}

#[test]
fn hpke_rfc9180_a1_a2_a3() {
    testkit::hpke_vector::<RingHpkeX25519Aes128Gcm>(&testkit::RFC9180_A1);
    testkit::hpke_vector::<RingHpkeX25519ChaCha20Poly1305>(&testkit::RFC9180_A2);
    testkit::hpke_vector::<RingHpkeP256Aes128Gcm>(&testkit::RFC9180_A3);
}
