//! Components of different backends that implement the same primitive agree on random inputs
//! of many lengths: equal digests, MACs, keys, shared secrets and ciphertexts; equal Ed25519
//! signatures (deterministic); ECDSA signatures each backend accepts from the other. The
//! known answers of the test suite fix each backend to the standards at a few points; these
//! rounds compare them everywhere else.

use artmls_crypto::test_suite::rng::seeded;
use artmls_crypto::{Aead, DhGroup, HashFunction, Kdf, SignatureScheme};
use rand::RngExt;
use rand::rngs::StdRng;

fn random_vec(rng: &mut StdRng, len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rng.fill(&mut bytes[..]);
    bytes
}

/// Hash, MAC, HKDF and AEAD of `A`-side and `B`-side components agree.
fn symmetric_agree<HA, HB, KA, KB, AA, AB>(seed: u64)
where
    HA: HashFunction,
    HB: HashFunction,
    KA: Kdf,
    KB: Kdf,
    AA: Aead,
    AB: Aead,
{
    let mut rng = seeded(seed);
    for round in 0..50usize {
        let a = random_vec(&mut rng, round * 3);
        let b = random_vec(&mut rng, (round * 7) % 90);
        assert_eq!(HA::hash(&a), HB::hash(&a), "hash, round {round}");
        assert_eq!(HA::mac(&a, &b), HB::mac(&a, &b), "MAC, round {round}");
        let prk = KA::extract(&a, &b);
        assert_eq!(prk, KB::extract(&a, &b), "extract, round {round}");
        assert_eq!(
            KA::expand(prk.as_bytes(), &a, round * 5).unwrap(),
            KB::expand(prk.as_bytes(), &a, round * 5).unwrap(),
            "expand, round {round}"
        );
        let key = random_vec(&mut rng, AA::KEY_LEN);
        let nonce = random_vec(&mut rng, AA::NONCE_LEN);
        let sealed = AA::seal(&key, &nonce, &b, &a).unwrap();
        assert_eq!(
            sealed,
            AB::seal(&key, &nonce, &b, &a).unwrap(),
            "AEAD, round {round}"
        );
        assert_eq!(AB::open(&key, &nonce, &b, &sealed).unwrap(), a);
    }
}

/// DeriveKeyPair (with `K` as the KEM's KDF) and DH of `A` and `B` agree, on keys each parses
/// from the other's bytes.
fn dh_agree<A: DhGroup, B: DhGroup, K: Kdf>(seed: u64) {
    let mut rng = seeded(seed);
    for round in 0..20 {
        let ikm: [u8; 32] = rng.random();
        let (a, a_pub) = A::derive_key_pair::<K>(&ikm).unwrap();
        let (b, b_pub) = B::derive_key_pair::<K>(&ikm).unwrap();
        assert_eq!(a_pub.as_ref(), b_pub.as_ref(), "round {round}");
        let (_, peer) = B::generate_key_pair(&mut rng);
        let peer_as_a = A::public_key_from_bytes(peer.as_ref()).unwrap();
        assert_eq!(
            A::dh(&a, &peer_as_a).unwrap(),
            B::dh(&b, &peer).unwrap(),
            "round {round}"
        );
    }
}

/// Ed25519 of `A` and `B`: the same seed gives the same key and the same signatures.
fn ed25519_agree<A: SignatureScheme, B: SignatureScheme>(seed: u64) {
    let mut rng = seeded(seed);
    for round in 0..10u8 {
        let message = vec![round; usize::from(round) * 13];
        let key: [u8; 32] = rng.random();
        let a = A::signing_key_from_bytes(&key).unwrap();
        let b = B::signing_key_from_bytes(&key).unwrap();
        assert_eq!(
            A::verifying_key_to_bytes(&A::verifying_key(&a)),
            B::verifying_key_to_bytes(&B::verifying_key(&b))
        );
        assert_eq!(
            A::sign(&a, &message).unwrap(),
            B::sign(&b, &message).unwrap(),
            "round {round}"
        );
    }
}

/// ECDSA P-256 of `A` and `B`: the same scalar gives the same verifying key, and each verifies
/// the other's signatures (which may be randomised).
fn ecdsa_interoperate<A: SignatureScheme, B: SignatureScheme>(seed: u64) {
    let mut rng = seeded(seed);
    for round in 0..10u8 {
        let message = vec![round; usize::from(round) * 11];
        let b_key = B::generate_signing_key(&mut rng);
        let scalar = B::signing_key_to_bytes(&b_key);
        let a_key = A::signing_key_from_bytes(scalar.as_bytes()).unwrap();
        let wire = A::verifying_key_to_bytes(&A::verifying_key(&a_key));
        assert_eq!(wire, B::verifying_key_to_bytes(&B::verifying_key(&b_key)));
        let a_signature = A::sign(&a_key, &message).unwrap();
        let b_signature = B::sign(&b_key, &message).unwrap();
        let b_verifying = B::verifying_key_from_bytes(&wire).unwrap();
        let a_verifying = A::verifying_key_from_bytes(&wire).unwrap();
        B::verify(&b_verifying, &message, &a_signature).unwrap();
        A::verify(&a_verifying, &message, &b_signature).unwrap();
    }
}

#[test]
fn ring_agrees_with_rustcrypto() {
    use artmls_dalek as rc;
    use artmls_ring as ring;
    symmetric_agree::<
        ring::Sha256,
        rc::Sha256,
        ring::HkdfSha256,
        rc::HkdfSha256,
        ring::Aes128Gcm,
        rc::Aes128Gcm,
    >(21);
    symmetric_agree::<
        ring::Sha256,
        rc::Sha256,
        ring::HkdfSha256,
        rc::HkdfSha256,
        ring::ChaCha20Poly1305,
        rc::ChaCha20Poly1305,
    >(23);
    ed25519_agree::<ring::Ed25519, rc::Ed25519>(22);
    ecdsa_interoperate::<ring::EcdsaP256Sha256, artmls_p256::EcdsaP256Sha256>(24);
}

#[test]
fn aws_lc_agrees_with_rustcrypto() {
    use artmls_aws_lc as lc;
    use artmls_dalek as rc;
    symmetric_agree::<
        lc::Sha256,
        rc::Sha256,
        lc::HkdfSha256,
        rc::HkdfSha256,
        lc::Aes128Gcm,
        rc::Aes128Gcm,
    >(33);
    symmetric_agree::<
        lc::Sha256,
        rc::Sha256,
        lc::HkdfSha256,
        rc::HkdfSha256,
        lc::ChaCha20Poly1305,
        rc::ChaCha20Poly1305,
    >(34);
    dh_agree::<lc::X25519, rc::X25519, rc::HkdfSha256>(31);
    dh_agree::<lc::P256, artmls_p256::P256, rc::HkdfSha256>(35);
    ed25519_agree::<lc::Ed25519, rc::Ed25519>(32);
    ecdsa_interoperate::<lc::EcdsaP256Sha256, artmls_p256::EcdsaP256Sha256>(36);
}
