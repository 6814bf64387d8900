//! `Debug` of private and signing keys shows no key bytes.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_aws_lc::{AwsLcEcdsaP256Sha256, AwsLcEd25519, AwsLcP256, AwsLcX25519};
use artmls_crypto::{DhGroup, SignatureScheme};

const P256_SCALAR: &str = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";

#[test]
fn dh_private_key_debug_is_redacted() {
    let bytes = [0xA7u8; 32];
    let key = AwsLcX25519::private_key_from_bytes(&bytes).unwrap();
    let shown = format!("{key:?} {key:#?}");
    testkit::assert_redacted(&shown, &bytes);
    assert!(shown.contains("redacted"), "{shown}");

    let bytes = testkit::h(P256_SCALAR);
    let key = AwsLcP256::private_key_from_bytes(&bytes).unwrap();
    let shown = format!("{key:?} {key:#?}");
    testkit::assert_redacted(&shown, &bytes);
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn signing_key_debug_is_redacted() {
    let seed = testkit::h("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    let key = AwsLcEd25519::signing_key_from_bytes(&seed).unwrap();
    let shown = format!("{key:?} {key:#?}");
    testkit::assert_redacted(&shown, &seed);
    assert!(shown.contains("redacted"), "{shown}");

    let scalar = testkit::h(P256_SCALAR);
    let key = AwsLcEcdsaP256Sha256::signing_key_from_bytes(&scalar).unwrap();
    let shown = format!("{key:?} {key:#?}");
    testkit::assert_redacted(&shown, &scalar);
    assert!(shown.contains("redacted"), "{shown}");
}
