//! The providers this crate composes pass the test suite every provider runs. The dalek and
//! aws-lc providers run it in their own crates.

#[test]
fn the_p256_provider_passes_the_test_suite() {
    artmls_crypto::test_suite::verify_provider(&artmls_providers::P256);
}

#[test]
fn the_ring_provider_passes_the_test_suite() {
    artmls_crypto::test_suite::verify_provider(&artmls_providers::RING);
}
