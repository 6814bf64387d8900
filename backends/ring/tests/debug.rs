//! `Debug` of signing keys shows no key bytes.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_crypto::SignatureScheme;
use artmls_ring::{RingEcdsaP256Sha256, RingEd25519};

#[test]
fn ed25519_signing_key_debug_is_redacted() {
    let seed = testkit::h("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    let key = RingEd25519::signing_key_from_bytes(&seed).unwrap();
    let shown = format!("{key:?} {key:#?}");
    testkit::assert_redacted(&shown, &seed);
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn ecdsa_signing_key_debug_is_redacted() {
    let scalar = testkit::h("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    let key = RingEcdsaP256Sha256::signing_key_from_bytes(&scalar).unwrap();
    let shown = format!("{key:?} {key:#?}");
    testkit::assert_redacted(&shown, &scalar);
    assert!(shown.contains("redacted"), "{shown}");
}
