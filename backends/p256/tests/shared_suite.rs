//! The conformance crate's shared suite checks.

use artmls_p256::P256Aes128GcmSha256P256;

#[test]
fn shared_suite_0xf002() {
    artmls_conformance::verify_suite::<P256Aes128GcmSha256P256>();
}
