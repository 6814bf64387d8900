//! Round trips, determinism under the injected RNG, HPKE against artmls's generic HPKE, and
//! the suites' composition.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_crypto::SuiteId;
use artmls_dalek::{
    Aes128Gcm, ChaCha20Poly1305, DalekBackend, Ed25519, HkdfSha256, HpkeX25519Aes128Gcm,
    HpkeX25519ChaCha20Poly1305, X25519,
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
fn backend_serves_its_suites_composed_of_their_primitives() {
    testkit::backend_serves::<DalekBackend>("dalek", &[SuiteId(0xF001), SuiteId(0xF003)]);
}
