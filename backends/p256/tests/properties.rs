//! Round trips, determinism under the injected RNG, HPKE against artmls's generic HPKE, and
//! the suite's composition.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_crypto::{DhGroup, SuiteId};
use artmls_dalek::{Aes128Gcm, HkdfSha256};
use artmls_p256::{EcdsaP256Sha256, HpkeP256Aes128Gcm, P256, P256Backend};

#[test]
fn p256_properties() {
    testkit::dh_properties::<P256>();
}

#[test]
fn ecdsa_properties() {
    testkit::signature_properties::<EcdsaP256Sha256>();
}

#[test]
fn rust_hpke_equals_generic_hpke() {
    testkit::hpke_matches_generic::<HpkeP256Aes128Gcm, P256, HkdfSha256, Aes128Gcm>();
}

#[test]
fn generate_retries_out_of_range_scalars_from_the_same_rng() {
    // The first 32 bytes are n (out of range), the next 32 a valid scalar: generation must
    // skip the first candidate and use the second.
    let mut bytes = testkit::h("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let valid = testkit::h("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    bytes.extend_from_slice(&valid);
    let (private, _) = P256::generate_key_pair(&mut testkit::ReplayRng::new(&bytes));
    assert_eq!(P256::private_key_to_bytes(&private).as_bytes(), valid);
}

#[test]
fn backend_serves_its_suites_composed_of_their_primitives() {
    testkit::backend_serves::<P256Backend>("p256", &[SuiteId(0xF002)]);
}
