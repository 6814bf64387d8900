//! Bad inputs give typed errors, never panics.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_p256::{EcdsaP256Sha256, HpkeP256Aes128Gcm, P256};

#[test]
fn p256_rejects_compressed_off_curve_identity_and_truncated_points() {
    testkit::p256_bad_keys::<P256>();
}

#[test]
fn ecdsa_strict_der() {
    testkit::ecdsa_der_strictness::<EcdsaP256Sha256>();
}

#[test]
fn ecdsa_bad_keys() {
    testkit::ecdsa_p256_bad_keys::<EcdsaP256Sha256>();
}

#[test]
fn hpke_bad_inputs() {
    testkit::hpke_bad_inputs::<HpkeP256Aes128Gcm, P256>();
    testkit::hpke_p256_bad_points::<HpkeP256Aes128Gcm>();
}
