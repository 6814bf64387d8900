//! The primitives this crate exports pass the component checks of the artmls-crypto test
//! suite. The p256 provider, which composes them with a KDF, hash, AEAD and HPKE from another
//! crate, runs the whole suite in `artmls-providers`.

use artmls_p256::{EcdsaP256Sha256, P256};

#[test]
fn p256_passes_the_dh_checks() {
    artmls_crypto::test_suite::verify_dh::<P256>();
}

#[test]
fn ecdsa_p256_sha256_passes_the_signature_checks() {
    // RustCrypto's ECDSA is deterministic: the suite then requires RFC 6979's exact signature.
    artmls_crypto::test_suite::verify_signature::<EcdsaP256Sha256>();
}
