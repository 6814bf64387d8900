//! Round trips, agreement with the RustCrypto backends, the suites' composition, and the cost
//! of DH with an imported P-256 key.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_aws_lc::{AwsLcBackend, AwsLcEcdsaP256Sha256, AwsLcEd25519, AwsLcP256, AwsLcX25519};
use artmls_crypto::{DhGroup, SignatureScheme, SuiteId};
use artmls_dalek::{Ed25519, HkdfSha256, X25519};
use artmls_p256::{EcdsaP256Sha256, P256};
use rand::RngExt;

#[test]
fn dh_properties() {
    testkit::dh_properties::<AwsLcX25519>();
    testkit::dh_properties::<AwsLcP256>();
}

#[test]
fn signature_properties() {
    testkit::signature_properties::<AwsLcEd25519>();
    testkit::signature_properties::<AwsLcEcdsaP256Sha256>();
}

#[test]
fn dh_agrees_with_rustcrypto() {
    let mut rng = testkit::seeded(31);
    for _ in 0..20 {
        let ikm: [u8; 32] = rng.random();
        let (a, a_pub) = AwsLcX25519::derive_key_pair::<HkdfSha256>(&ikm).unwrap();
        let (b, b_pub) = X25519::derive_key_pair::<HkdfSha256>(&ikm).unwrap();
        assert_eq!(a_pub.as_ref(), b_pub.as_ref());
        let (_, peer) = X25519::generate_key_pair(&mut rng);
        let peer_lc = AwsLcX25519::public_key_from_bytes(peer.as_ref()).unwrap();
        assert_eq!(
            AwsLcX25519::dh(&a, &peer_lc).unwrap(),
            X25519::dh(&b, &peer).unwrap()
        );

        let (a, a_pub) = AwsLcP256::derive_key_pair::<HkdfSha256>(&ikm).unwrap();
        let (b, b_pub) = P256::derive_key_pair::<HkdfSha256>(&ikm).unwrap();
        assert_eq!(a_pub.as_ref(), b_pub.as_ref());
        let (_, peer) = P256::generate_key_pair(&mut rng);
        let peer_lc = AwsLcP256::public_key_from_bytes(peer.as_ref()).unwrap();
        assert_eq!(
            AwsLcP256::dh(&a, &peer_lc).unwrap(),
            P256::dh(&b, &peer).unwrap()
        );
    }
}

#[test]
fn signatures_interoperate_with_rustcrypto() {
    let mut rng = testkit::seeded(32);
    for round in 0..10u8 {
        let message = vec![round; round as usize * 13];
        let seed: [u8; 32] = rng.random();
        let lc_key = AwsLcEd25519::signing_key_from_bytes(&seed).unwrap();
        let dalek_key = Ed25519::signing_key_from_bytes(&seed).unwrap();
        assert_eq!(
            AwsLcEd25519::sign(&lc_key, &message).unwrap(),
            Ed25519::sign(&dalek_key, &message).unwrap()
        );

        let p256_key = EcdsaP256Sha256::generate_signing_key(&mut rng);
        let scalar = EcdsaP256Sha256::signing_key_to_bytes(&p256_key);
        let lc_key = AwsLcEcdsaP256Sha256::signing_key_from_bytes(scalar.as_bytes()).unwrap();
        let wire = AwsLcEcdsaP256Sha256::verifying_key_to_bytes(
            &AwsLcEcdsaP256Sha256::verifying_key(&lc_key),
        );
        assert_eq!(
            wire,
            EcdsaP256Sha256::verifying_key_to_bytes(&EcdsaP256Sha256::verifying_key(&p256_key))
        );
        let lc_signature = AwsLcEcdsaP256Sha256::sign(&lc_key, &message).unwrap();
        let p256_signature = EcdsaP256Sha256::sign(&p256_key, &message).unwrap();
        EcdsaP256Sha256::verify(
            &EcdsaP256Sha256::verifying_key_from_bytes(&wire).unwrap(),
            &message,
            &lc_signature,
        )
        .unwrap();
        AwsLcEcdsaP256Sha256::verify(
            &AwsLcEcdsaP256Sha256::verifying_key_from_bytes(&wire).unwrap(),
            &message,
            &p256_signature,
        )
        .unwrap();
    }
}

#[test]
fn backend_serves_its_suites_composed_of_their_primitives() {
    testkit::backend_serves::<AwsLcBackend>(
        "aws-lc",
        &[SuiteId(0xF001), SuiteId(0xF002), SuiteId(0xF003)],
    );
}
