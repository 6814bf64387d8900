//! `Debug` of private and signing keys shows no key bytes.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_crypto::{DhGroup, SignatureScheme};
use artmls_dalek::{Ed25519, X25519};

#[test]
fn x25519_private_key_debug_is_redacted() {
    let bytes = [0xA7u8; 32];
    let key = X25519::private_key_from_bytes(&bytes).unwrap();
    let shown = format!("{key:?}");
    testkit::assert_redacted(&shown, &bytes);
    assert!(shown.contains("redacted"), "{shown}");
    let (random, _) = X25519::generate_key_pair(&mut testkit::seeded(3));
    let shown = format!("{random:?} {random:#?}");
    testkit::assert_redacted(&shown, X25519::private_key_to_bytes(&random).as_bytes());
}

#[test]
fn ed25519_signing_key_debug_is_redacted() {
    let seed = testkit::h("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    let key = Ed25519::signing_key_from_bytes(&seed).unwrap();
    let shown = format!("{key:?} {key:#?}");
    testkit::assert_redacted(&shown, &seed);
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn public_key_debug_shows_hex() {
    let key = X25519::private_key_from_bytes(&[0xA7; 32]).unwrap();
    let public = X25519::public_key(&key);
    assert!(format!("{public:?}").contains(&hex::encode(public.as_ref())));
}
