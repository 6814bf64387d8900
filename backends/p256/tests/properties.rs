//! Round trips, determinism under the injected RNG, HPKE against artmls's generic HPKE, and
//! the suite's composition.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls::suite::check_composition;
use artmls::{Backend, CipherSuite, DhGroup, SuiteId, SuiteVisitor};
use artmls_dalek::{Aes128Gcm, HkdfSha256};
use artmls_p256::{EcdsaP256Sha256, HpkeP256Aes128Gcm, P256, P256Aes128GcmSha256P256, P256Backend};

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
fn suite_is_composed_of_its_primitives() {
    check_composition::<P256Aes128GcmSha256P256>().unwrap();
}

struct IdOf;

impl SuiteVisitor for IdOf {
    type Output = SuiteId;
    fn visit<S: CipherSuite>(self) -> SuiteId {
        S::ID
    }
}

#[test]
fn backend_serves_its_suite() {
    assert_eq!(P256Backend::NAME, "p256");
    assert_eq!(P256Backend::SUITES, &[SuiteId(0xF002)][..]);
    assert_eq!(
        P256Backend::visit(SuiteId(0xF002), IdOf),
        Some(SuiteId(0xF002))
    );
    assert_eq!(P256Backend::visit(SuiteId(0xF001), IdOf), None);
}
