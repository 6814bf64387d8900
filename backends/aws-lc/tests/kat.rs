//! Known answers from public standards: RFC 7748, RFC 5869, RFC 4231, RFC 8032, RFC 6979,
//! RFC 9180, Wycheproof ECDH.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_aws_lc::{
    AwsLcAes128Gcm, AwsLcChaCha20Poly1305, AwsLcEcdsaP256Sha256, AwsLcEd25519, AwsLcHkdfSha256,
    AwsLcHpkeP256Aes128Gcm, AwsLcHpkeX25519Aes128Gcm, AwsLcHpkeX25519ChaCha20Poly1305, AwsLcP256,
    AwsLcSha256, AwsLcX25519,
};

#[test]
fn x25519_rfc7748() {
    testkit::x25519_rfc7748::<AwsLcX25519>();
}

#[test]
fn derive_key_pair_rfc9180() {
    testkit::derive_key_pair_vectors::<AwsLcX25519, AwsLcHkdfSha256>(
        &testkit::X25519_DERIVE_KEY_PAIR,
    );
    testkit::derive_key_pair_vectors::<AwsLcP256, AwsLcHkdfSha256>(&testkit::P256_DERIVE_KEY_PAIR);
}

#[test]
fn p256_ecdh_wycheproof() {
    testkit::p256_ecdh_vectors::<AwsLcP256>();
}

#[test]
fn hkdf_sha256_rfc5869() {
    testkit::hkdf_rfc5869::<AwsLcHkdfSha256>();
    testkit::hkdf_any_prk_length::<AwsLcHkdfSha256, AwsLcSha256>();
}

#[test]
fn sha256_and_hmac() {
    testkit::sha256_vectors::<AwsLcSha256>();
}

#[test]
fn aes128gcm_rfc9180_keys() {
    testkit::aes128gcm_vectors::<AwsLcAes128Gcm>();
}

#[test]
fn chacha20poly1305_rfc9180_keys() {
    testkit::chacha20poly1305_vectors::<AwsLcChaCha20Poly1305>();
}

#[test]
fn ed25519_rfc8032() {
    testkit::ed25519_rfc8032::<AwsLcEd25519>();
}

#[test]
fn ecdsa_rfc6979_verifies_and_high_s_accepted() {
    // AWS-LC's nonces are random, so only verification is a known answer.
    testkit::ecdsa_p256_rfc6979::<AwsLcEcdsaP256Sha256>(false);
}

#[test]
fn hpke_rfc9180_a1_a2_a3() {
    testkit::hpke_vector::<AwsLcHpkeX25519Aes128Gcm>(&testkit::RFC9180_A1);
    testkit::hpke_vector::<AwsLcHpkeX25519ChaCha20Poly1305>(&testkit::RFC9180_A2);
    testkit::hpke_vector::<AwsLcHpkeP256Aes128Gcm>(&testkit::RFC9180_A3);
}
