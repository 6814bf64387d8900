//! Cross-backend determinism and interoperability: for each suite, every backend that serves it
//! gives byte-identical DeriveKeyPair, DH, HKDF, hash, AEAD, HPKE (and Ed25519) outputs for the
//! same inputs and random bytes, and opens and verifies what the others produce.
//!
//! Also runs [`verify_suite`] on every (backend, suite) pair from `artmls_providers::all()`.

use artmls::hpke::DhKemHpke;
use artmls::{
    Aead, CipherSuite, DhGroup, HashFunction, Hpke, Kdf, SignatureScheme, SuiteId, SuiteVisitor,
    labels,
};
use artmls_conformance::rng::{FixedRng, seeded};
use artmls_conformance::verify_suite;
use artmls_providers::{all as providers, serving, visit};
use rand::Rng;

/// Labelled outputs of one backend for one suite.
type Transcript = Vec<(String, Vec<u8>)>;

fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = seeded(seed);
    let mut out = vec![0u8; len];
    rng.fill_bytes(&mut out);
    out
}

struct Deterministic;

impl SuiteVisitor for Deterministic {
    type Output = Transcript;

    fn visit<S: CipherSuite>(self) -> Transcript {
        let mut out: Transcript = Vec::new();
        let mut record = |label: &str, value: &[u8]| out.push((label.to_owned(), value.to_vec()));

        // DeriveKeyPair and DH.
        let mut pairs = Vec::new();
        for seed in 1..=3u64 {
            let (sk, pk) = S::Dh::derive_key_pair::<S::Kdf>(&bytes(seed, 32)).expect("derive");
            record(
                &format!("DeriveKeyPair {seed} sk"),
                S::Dh::private_key_to_bytes(&sk).as_bytes(),
            );
            record(&format!("DeriveKeyPair {seed} pk"), pk.as_ref());
            pairs.push((sk, pk));
        }
        let dh = S::Dh::dh(&pairs[0].0, &pairs[1].1).expect("dh");
        record("DH(1, 2)", dh.as_bytes());
        let sk_bytes = bytes(4, S::Dh::PRIVATE_KEY_LEN);
        let sk = S::Dh::private_key_from_bytes(&sk_bytes).expect("private key");
        record("public_key(fixed bytes)", S::Dh::public_key(&sk).as_ref());
        let (generated, _) = S::Dh::generate_key_pair(&mut seeded(5));
        record(
            "generate_key_pair(seeded)",
            S::Dh::private_key_to_bytes(&generated).as_bytes(),
        );

        // KDF and hash.
        let prk = S::Kdf::extract(&bytes(6, 13), &bytes(7, 40));
        record("extract", prk.as_bytes());
        let okm = S::Kdf::expand(prk.as_bytes(), &bytes(8, 10), 200).expect("expand");
        record("expand", okm.as_bytes());
        record("hash", &S::Hash::hash(&bytes(9, 100)));
        record("mac", &S::Hash::mac(&bytes(10, 32), &bytes(11, 100)));
        let secret = labels::expand_with_label::<S>(prk.as_bytes(), "test", b"ctx", 33)
            .expect("expand_with_label");
        record("expand_with_label", secret.as_bytes());

        // AEAD.
        let key = bytes(12, S::Aead::KEY_LEN);
        let nonce = bytes(13, S::Aead::NONCE_LEN);
        let sealed = S::Aead::seal(&key, &nonce, b"aad", &bytes(14, 70)).expect("seal");
        record("AEAD seal", &sealed);

        // HPKE: the backend's own and the generic one, from the same random bytes.
        let (_, pk_r) = &pairs[2];
        let own = S::Hpke::seal_base(
            pk_r.as_ref(),
            b"info",
            b"aad",
            b"plaintext",
            &mut seeded(15),
        )
        .expect("seal_base");
        record("HPKE enc", &own.kem_output);
        record("HPKE ct", &own.ciphertext);
        let generic = DhKemHpke::<S::Dh, S::Kdf, S::Aead>::seal_base(
            pk_r.as_ref(),
            b"info",
            b"aad",
            b"plaintext",
            &mut FixedRng::new(&bytes(16, S::Dh::PRIVATE_KEY_LEN)),
        )
        .expect("generic seal_base");
        record("generic HPKE enc", &generic.kem_output);
        record("generic HPKE ct", &generic.ciphertext);

        // Signatures: the verifying key of fixed signing-key bytes; Ed25519 signatures are
        // deterministic too (ECDSA ones need not be).
        let signing_key =
            S::Signature::signing_key_from_bytes(&bytes(17, 32)).expect("signing key");
        record(
            "verifying key",
            &S::Signature::verifying_key_to_bytes(&S::Signature::verifying_key(&signing_key)),
        );
        if S::Signature::SCHEME == 0x0807 {
            let signature = S::Signature::sign(&signing_key, b"message").expect("sign");
            record("Ed25519 signature", &signature);
        }
        out
    }
}

/// What one backend produces for the others to consume.
struct Produced {
    backend: &'static str,
    hpke_private: Vec<u8>,
    hpke: artmls::HpkeCiphertext,
    verifying_key: Vec<u8>,
    signature: Vec<u8>,
    labelled_signature: Vec<u8>,
}

struct Produce(&'static str);

impl SuiteVisitor for Produce {
    type Output = Produced;

    fn visit<S: CipherSuite>(self) -> Produced {
        let (sk, pk) = S::Dh::derive_key_pair::<S::Kdf>(&bytes(20, 32)).expect("derive");
        let hpke = S::Hpke::seal_base(pk.as_ref(), b"info", b"aad", b"interop", &mut seeded(21))
            .expect("seal_base");
        let signing_key = S::Signature::generate_signing_key(&mut seeded(22));
        let signature = S::Signature::sign(&signing_key, b"interop").expect("sign");
        let labelled_signature =
            labels::sign_with_label::<S>(&signing_key, "Interop", b"content").expect("sign");
        Produced {
            backend: self.0,
            hpke_private: S::Dh::private_key_to_bytes(&sk).as_bytes().to_vec(),
            hpke,
            verifying_key: S::Signature::verifying_key_to_bytes(&S::Signature::verifying_key(
                &signing_key,
            )),
            signature,
            labelled_signature,
        }
    }
}

struct Consume<'a>(&'a Produced);

impl SuiteVisitor for Consume<'_> {
    type Output = Result<(), String>;

    fn visit<S: CipherSuite>(self) -> Result<(), String> {
        let produced = self.0;
        let opened = S::Hpke::open_base(
            &produced.hpke_private,
            &produced.hpke.kem_output,
            b"info",
            b"aad",
            &produced.hpke.ciphertext,
        )
        .map_err(|error| format!("open_base: {error}"))?;
        if opened != b"interop" {
            return Err("open_base gave another plaintext".into());
        }
        let key = S::Signature::verifying_key_from_bytes(&produced.verifying_key)
            .map_err(|error| format!("verifying key: {error}"))?;
        S::Signature::verify(&key, b"interop", &produced.signature)
            .map_err(|error| format!("verify: {error}"))?;
        labels::verify_with_label::<S>(&key, "Interop", b"content", &produced.labelled_signature)
            .map_err(|error| format!("verify_with_label: {error}"))
    }
}

#[test]
fn every_suite_has_a_backend() {
    for suite in SuiteId::ALL {
        assert!(
            !serving(suite)
                .iter()
                .map(|p| p.name())
                .collect::<Vec<_>>()
                .is_empty(),
            "no backend serves {suite}"
        );
    }
}

#[test]
fn backends_agree_byte_for_byte() {
    for suite in SuiteId::ALL {
        let names = serving(suite).iter().map(|p| p.name()).collect::<Vec<_>>();
        let transcripts: Vec<(&str, Transcript)> = names
            .iter()
            .map(|name| {
                let transcript = visit(name, suite, Deterministic)
                    .unwrap_or_else(|| panic!("{name} lists {suite} but does not visit it"));
                (*name, transcript)
            })
            .collect();
        let (first_name, first) = &transcripts[0];
        for (name, transcript) in &transcripts[1..] {
            assert_eq!(first.len(), transcript.len());
            for ((label, expected), (_, got)) in first.iter().zip(transcript) {
                assert_eq!(
                    hex::encode(got),
                    hex::encode(expected),
                    "{suite}: {label} differs between {first_name} and {name}"
                );
            }
        }
        println!("{suite}: {} agree", names.join(", "));
    }
}

#[test]
fn backends_interoperate() {
    for suite in SuiteId::ALL {
        let names = serving(suite).iter().map(|p| p.name()).collect::<Vec<_>>();
        let produced: Vec<Produced> = names
            .iter()
            .map(|name| visit(name, suite, Produce(name)).expect("visit"))
            .collect();
        for consumer in &names {
            for item in &produced {
                let result = visit(consumer, suite, Consume(item)).expect("visit");
                assert!(
                    result.is_ok(),
                    "{suite}: {consumer} cannot consume {}'s output: {result:?}",
                    item.backend
                );
            }
        }
    }
}

struct VerifySuite;

impl SuiteVisitor for VerifySuite {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        verify_suite::<S>();
    }
}

#[test]
fn verify_suite_passes_on_every_backend() {
    for entry in providers() {
        for suite in entry.suites() {
            visit(entry.name(), *suite, VerifySuite)
                .unwrap_or_else(|| panic!("{} lists {suite} but does not visit it", entry.name()));
        }
    }
}
