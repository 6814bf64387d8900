//! The dalek provider passes the artmls-crypto test suite: every suite it serves, every
//! component, the known answers of the standards and the refusal of bad input, in one call.

use artmls_crypto::{Backend, SuiteId};
use artmls_dalek::Dalek;

#[test]
fn passes_the_artmls_crypto_test_suite() {
    artmls_crypto::test_suite::verify_provider(&artmls_dalek::PROVIDER);
}

#[test]
fn is_called_dalek_and_serves_the_x25519_suites() {
    assert_eq!(Dalek::NAME, "dalek");
    assert_eq!(
        Dalek::SUITES,
        [
            SuiteId::X25519_AES128GCM_SHA256_ED25519,
            SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519
        ]
    );
}
