//! Round trips, agreement with the RustCrypto backends, and the suites' composition.

#[path = "../../testkit/mod.rs"]
mod testkit;

use artmls_crypto::{Aead, HashFunction, Kdf, SignatureScheme, SuiteId};
use artmls_dalek::{Aes128Gcm, ChaCha20Poly1305, Ed25519, HkdfSha256, Sha256};
use artmls_p256::EcdsaP256Sha256;
use artmls_ring::{
    RingAes128Gcm, RingBackend, RingChaCha20Poly1305, RingEcdsaP256Sha256, RingEd25519,
    RingHkdfSha256, RingSha256,
};
use rand::RngExt;

#[test]
fn signature_properties() {
    testkit::signature_properties::<RingEd25519>();
    testkit::signature_properties::<RingEcdsaP256Sha256>();
}

#[test]
fn agrees_with_rustcrypto_on_random_inputs() {
    let mut rng = testkit::seeded(21);
    for round in 0..50usize {
        let mut a = vec![0u8; round * 3];
        let mut b = vec![0u8; (round * 7) % 90];
        rng.fill(&mut a[..]);
        rng.fill(&mut b[..]);
        assert_eq!(RingSha256::hash(&a), Sha256::hash(&a));
        assert_eq!(RingSha256::mac(&a, &b), Sha256::mac(&a, &b));
        assert_eq!(RingHkdfSha256::extract(&a, &b), HkdfSha256::extract(&a, &b));
        let prk = HkdfSha256::extract(&a, &b);
        assert_eq!(
            RingHkdfSha256::expand(prk.as_bytes(), &a, round * 5).unwrap(),
            HkdfSha256::expand(prk.as_bytes(), &a, round * 5).unwrap()
        );
        let key16: [u8; 16] = rng.random();
        let key32: [u8; 32] = rng.random();
        let nonce: [u8; 12] = rng.random();
        let sealed = RingAes128Gcm::seal(&key16, &nonce, &b, &a).unwrap();
        assert_eq!(sealed, Aes128Gcm::seal(&key16, &nonce, &b, &a).unwrap());
        let sealed = RingChaCha20Poly1305::seal(&key32, &nonce, &b, &a).unwrap();
        assert_eq!(
            sealed,
            ChaCha20Poly1305::seal(&key32, &nonce, &b, &a).unwrap()
        );
    }
}

#[test]
fn signatures_interoperate_with_rustcrypto() {
    let mut rng = testkit::seeded(22);
    for round in 0..10u8 {
        let message = vec![round; round as usize * 11];
        // Ed25519 is deterministic: ring and ed25519-dalek give the same signature.
        let seed: [u8; 32] = rng.random();
        let ring_key = RingEd25519::signing_key_from_bytes(&seed).unwrap();
        let dalek_key = Ed25519::signing_key_from_bytes(&seed).unwrap();
        let signature = RingEd25519::sign(&ring_key, &message).unwrap();
        assert_eq!(signature, Ed25519::sign(&dalek_key, &message).unwrap());

        // ECDSA: each verifies the other's signatures.
        let scalar =
            EcdsaP256Sha256::signing_key_to_bytes(&EcdsaP256Sha256::generate_signing_key(&mut rng));
        let ring_key = RingEcdsaP256Sha256::signing_key_from_bytes(scalar.as_bytes()).unwrap();
        let p256_key = EcdsaP256Sha256::signing_key_from_bytes(scalar.as_bytes()).unwrap();
        let wire = RingEcdsaP256Sha256::verifying_key_to_bytes(
            &RingEcdsaP256Sha256::verifying_key(&ring_key),
        );
        assert_eq!(
            wire,
            EcdsaP256Sha256::verifying_key_to_bytes(&EcdsaP256Sha256::verifying_key(&p256_key))
        );
        let ring_signature = RingEcdsaP256Sha256::sign(&ring_key, &message).unwrap();
        let p256_signature = EcdsaP256Sha256::sign(&p256_key, &message).unwrap();
        let p256_verifying = EcdsaP256Sha256::verifying_key_from_bytes(&wire).unwrap();
        let ring_verifying = RingEcdsaP256Sha256::verifying_key_from_bytes(&wire).unwrap();
        EcdsaP256Sha256::verify(&p256_verifying, &message, &ring_signature).unwrap();
        RingEcdsaP256Sha256::verify(&ring_verifying, &message, &p256_signature).unwrap();
    }
}

#[test]
fn backend_serves_its_suites_composed_of_their_primitives() {
    testkit::backend_serves::<RingBackend>(
        "ring",
        &[SuiteId(0xF001), SuiteId(0xF002), SuiteId(0xF003)],
    );
}
