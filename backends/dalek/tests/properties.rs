//! Round trips, determinism under the injected RNG, HPKE against artmls's generic HPKE, and
//! the suites' composition.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls::suite::check_composition;
use artmls::{Backend, CipherSuite, SuiteId, SuiteVisitor};
use artmls_dalek::{
    Aes128Gcm, ChaCha20Poly1305, DalekBackend, Ed25519, HkdfSha256, HpkeX25519Aes128Gcm,
    HpkeX25519ChaCha20Poly1305, X25519, X25519Aes128GcmSha256Ed25519,
    X25519ChaCha20Poly1305Sha256Ed25519,
};

#[test]
fn x25519_properties() {
    testkit::dh_properties::<X25519>();
}

#[test]
fn ed25519_properties() {
    testkit::signature_properties::<Ed25519>();
}

#[test]
fn rust_hpke_equals_generic_hpke() {
    testkit::hpke_matches_generic::<HpkeX25519Aes128Gcm, X25519, HkdfSha256, Aes128Gcm>();
    testkit::hpke_matches_generic::<HpkeX25519ChaCha20Poly1305, X25519, HkdfSha256, ChaCha20Poly1305>(
    );
}

#[test]
fn suites_are_composed_of_their_primitives() {
    check_composition::<X25519Aes128GcmSha256Ed25519>().unwrap();
    check_composition::<X25519ChaCha20Poly1305Sha256Ed25519>().unwrap();
}

struct IdOf;

impl SuiteVisitor for IdOf {
    type Output = SuiteId;
    fn visit<S: CipherSuite>(self) -> SuiteId {
        check_composition::<S>().unwrap();
        S::ID
    }
}

#[test]
fn backend_serves_its_suites() {
    assert_eq!(DalekBackend::NAME, "dalek");
    assert_eq!(
        DalekBackend::SUITES,
        &[SuiteId(0xF001), SuiteId(0xF003)][..]
    );
    for &suite in DalekBackend::SUITES {
        assert_eq!(DalekBackend::visit(suite, IdOf), Some(suite));
    }
    assert_eq!(DalekBackend::visit(SuiteId(0xF002), IdOf), None);
    assert_eq!(DalekBackend::visit(SuiteId(0x0001), IdOf), None);
}
