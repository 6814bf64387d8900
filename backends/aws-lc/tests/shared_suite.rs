//! The conformance crate's shared suite checks, one test per suite.

use artmls_aws_lc::{
    P256Aes128GcmSha256P256, X25519Aes128GcmSha256Ed25519, X25519ChaCha20Poly1305Sha256Ed25519,
};

#[test]
fn shared_suite_0xf001() {
    artmls_conformance::verify_suite::<X25519Aes128GcmSha256Ed25519>();
}

#[test]
fn shared_suite_0xf002() {
    artmls_conformance::verify_suite::<P256Aes128GcmSha256P256>();
}

#[test]
fn shared_suite_0xf003() {
    artmls_conformance::verify_suite::<X25519ChaCha20Poly1305Sha256Ed25519>();
}
