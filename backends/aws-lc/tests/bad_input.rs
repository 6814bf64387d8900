//! Bad inputs give typed errors, never panics.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_aws_lc::{
    AwsLcAes128Gcm, AwsLcChaCha20Poly1305, AwsLcEcdsaP256Sha256, AwsLcEd25519, AwsLcHkdfSha256,
    AwsLcHpkeP256Aes128Gcm, AwsLcHpkeX25519Aes128Gcm, AwsLcHpkeX25519ChaCha20Poly1305, AwsLcP256,
    AwsLcX25519,
};
use artmls_crypto::{CryptoError, Kdf, SignatureScheme};

/// Profile revision 2 §2: u = p, p + 1, ..., and top-bit-set encodings are refused at parse.
#[test]
fn x25519_non_canonical_keys_are_refused_when_parsed() {
    testkit::x25519_non_canonical_keys::<AwsLcX25519>();
}

#[test]
fn x25519_low_order_points_give_zero_shared_secret() {
    testkit::x25519_low_order_points::<AwsLcX25519>();
}

#[test]
fn p256_rejects_compressed_off_curve_identity_and_truncated_points() {
    testkit::p256_bad_keys::<AwsLcP256>();
}

#[test]
fn aead_bad_inputs() {
    testkit::aead_bad_inputs::<AwsLcAes128Gcm>();
    testkit::aead_bad_inputs::<AwsLcChaCha20Poly1305>();
}

#[test]
fn hkdf_output_too_long() {
    assert_eq!(
        AwsLcHkdfSha256::expand(&[0; 32], b"", 8161).unwrap_err(),
        CryptoError::KdfOutputTooLong(8161)
    );
}

#[test]
fn ed25519_bad_signatures_and_keys() {
    testkit::ed25519_bad_inputs::<AwsLcEd25519>();
}

#[test]
fn ed25519_key_that_is_not_a_point_verifies_nothing() {
    // y = 2 is no point's y-coordinate. AWS-LC keeps Ed25519 keys as bytes, so parsing accepts
    // it; every verification with it fails.
    let mut bytes = [0u8; 32];
    bytes[0] = 2;
    let key = AwsLcEd25519::verifying_key_from_bytes(&bytes).unwrap();
    let mut signature = [0x11u8; 64];
    signature[63] = 0; // S < L
    assert_eq!(
        AwsLcEd25519::verify(&key, b"m", &signature[..]).unwrap_err(),
        CryptoError::InvalidSignature
    );
}

#[test]
fn ecdsa_strict_der_and_bad_keys() {
    testkit::ecdsa_der_strictness::<AwsLcEcdsaP256Sha256>();
    testkit::ecdsa_p256_bad_keys::<AwsLcEcdsaP256Sha256>();
}

#[test]
fn hpke_bad_inputs() {
    testkit::hpke_bad_inputs::<AwsLcHpkeX25519Aes128Gcm, AwsLcX25519>();
    testkit::hpke_bad_inputs::<AwsLcHpkeX25519ChaCha20Poly1305, AwsLcX25519>();
    testkit::hpke_bad_inputs::<AwsLcHpkeP256Aes128Gcm, AwsLcP256>();
    testkit::hpke_x25519_low_order::<AwsLcHpkeX25519Aes128Gcm>();
    testkit::hpke_p256_bad_points::<AwsLcHpkeP256Aes128Gcm>();
}
