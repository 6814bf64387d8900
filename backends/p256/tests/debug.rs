//! `Debug` of private and signing keys shows no key bytes.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_crypto::{DhGroup, SignatureScheme};
use artmls_p256::{EcdsaP256Sha256, P256};

#[test]
fn p256_private_key_debug_is_redacted() {
    let bytes = testkit::h("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    let key = P256::private_key_from_bytes(&bytes).unwrap();
    let shown = format!("{key:?} {key:#?}");
    testkit::assert_redacted(&shown, &bytes);
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn ecdsa_signing_key_debug_is_redacted() {
    let bytes = testkit::h("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    let key = EcdsaP256Sha256::signing_key_from_bytes(&bytes).unwrap();
    let shown = format!("{key:?} {key:#?}");
    testkit::assert_redacted(&shown, &bytes);
    assert!(shown.contains("redacted"), "{shown}");
}
