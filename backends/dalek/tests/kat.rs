//! Known answers from public standards: RFC 7748, RFC 8032, RFC 5869, RFC 4231, RFC 9180.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_crypto::hpke::DhKemHpke;
use artmls_dalek::{
    Aes128Gcm, ChaCha20Poly1305, Ed25519, HkdfSha256, HpkeX25519Aes128Gcm,
    HpkeX25519ChaCha20Poly1305, Sha256, X25519,
};

#[test]
fn x25519_rfc7748() {
    testkit::x25519_rfc7748::<X25519>();
}

#[test]
fn x25519_derive_key_pair_rfc9180() {
    testkit::derive_key_pair_vectors::<X25519, HkdfSha256>(&testkit::X25519_DERIVE_KEY_PAIR);
}

#[test]
fn ed25519_rfc8032() {
    testkit::ed25519_rfc8032::<Ed25519>();
}

#[test]
fn hkdf_sha256_rfc5869() {
    testkit::hkdf_rfc5869::<HkdfSha256>();
    testkit::hkdf_any_prk_length::<HkdfSha256, Sha256>();
}

#[test]
fn sha256_and_hmac() {
    testkit::sha256_vectors::<Sha256>();
}

#[test]
fn aes128gcm_rfc9180_keys() {
    testkit::aes128gcm_vectors::<Aes128Gcm>();
}

#[test]
fn chacha20poly1305_rfc9180_keys() {
    testkit::chacha20poly1305_vectors::<ChaCha20Poly1305>();
}

#[test]
fn rust_hpke_rfc9180_a1_and_a2() {
    testkit::hpke_vector::<HpkeX25519Aes128Gcm>(&testkit::RFC9180_A1);
    testkit::hpke_vector::<HpkeX25519ChaCha20Poly1305>(&testkit::RFC9180_A2);
}

#[test]
fn generic_hpke_over_dalek_rfc9180_a1_and_a2() {
    testkit::hpke_vector::<DhKemHpke<X25519, HkdfSha256, Aes128Gcm>>(&testkit::RFC9180_A1);
    testkit::hpke_vector::<DhKemHpke<X25519, HkdfSha256, ChaCha20Poly1305>>(&testkit::RFC9180_A2);
}
