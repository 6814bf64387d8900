//! Known answers from public standards: RFC 9180 (A.3, A.4), RFC 6979 (A.2.5), Wycheproof ECDH.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_crypto::hpke::DhKemHpke;
use artmls_dalek::{Aes128Gcm, HkdfSha256};
use artmls_p256::{EcdsaP256Sha256, HpkeP256Aes128Gcm, P256};

#[test]
fn p256_derive_key_pair_rfc9180() {
    testkit::derive_key_pair_vectors::<P256, HkdfSha256>(&testkit::P256_DERIVE_KEY_PAIR);
}

#[test]
fn p256_ecdh_wycheproof() {
    testkit::p256_ecdh_vectors::<P256>();
}

#[test]
fn ecdsa_rfc6979_deterministic_and_high_s_accepted() {
    testkit::ecdsa_p256_rfc6979::<EcdsaP256Sha256>(true);
}

#[test]
fn rust_hpke_rfc9180_a3() {
    testkit::hpke_vector::<HpkeP256Aes128Gcm>(&testkit::RFC9180_A3);
}

#[test]
fn generic_hpke_over_p256_rfc9180_a3() {
    testkit::hpke_vector::<DhKemHpke<P256, HkdfSha256, Aes128Gcm>>(&testkit::RFC9180_A3);
}
