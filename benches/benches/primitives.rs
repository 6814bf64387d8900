//! Every primitive of every backend and suite side by side.
//!
//! `cargo bench -p artmls-benches --bench primitives`; ids are `<primitive>/<backend>/<suite>`.

use std::hint::black_box;
use std::time::Duration;

use artmls::{Aead, CipherSuite, DhGroup, Hpke, Kdf, SignatureScheme, SuiteId, SuiteVisitor};
use artmls_benches::{backend_suites, suite_label};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;

struct Primitives<'a> {
    c: &'a mut Criterion,
    backend: &'static str,
    suite: SuiteId,
}

impl SuiteVisitor for Primitives<'_> {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let label = format!("{}/{}", self.backend, suite_label(self.suite));
        let mut rng = StdRng::seed_from_u64(7);
        let c = self.c;

        let (sk_a, _) = S::Dh::generate_key_pair(&mut rng);
        let (_, pk_b) = S::Dh::generate_key_pair(&mut rng);
        c.benchmark_group("dh").bench_function(&label, |b| {
            b.iter(|| S::Dh::dh(black_box(&sk_a), black_box(&pk_b)))
        });
        let ikm = [7u8; 32];
        c.benchmark_group("derive_key_pair")
            .bench_function(&label, |b| {
                b.iter(|| S::Dh::derive_key_pair::<S::Kdf>(black_box(&ikm)))
            });
        let pk_bytes = pk_b.as_ref().to_vec();
        c.benchmark_group("public_key_decode")
            .bench_function(&label, |b| {
                b.iter(|| S::Dh::public_key_from_bytes(black_box(&pk_bytes)))
            });
        c.benchmark_group("hkdf_extract_expand")
            .bench_function(&label, |b| {
                b.iter(|| {
                    let prk = S::Kdf::extract(&[], black_box(&ikm));
                    S::Kdf::expand(prk.as_bytes(), b"info", S::Kdf::HASH_LEN)
                })
            });
        let key = vec![1u8; S::Aead::KEY_LEN];
        let nonce = vec![2u8; S::Aead::NONCE_LEN];
        let message = vec![3u8; 1024];
        let sealed = S::Aead::seal(&key, &nonce, b"aad", &message).unwrap();
        c.benchmark_group("aead_seal_1KiB")
            .bench_function(&label, |b| {
                b.iter(|| S::Aead::seal(&key, &nonce, b"aad", black_box(&message)))
            });
        c.benchmark_group("aead_open_1KiB")
            .bench_function(&label, |b| {
                b.iter(|| S::Aead::open(&key, &nonce, b"aad", black_box(&sealed)))
            });
        let signing_key = S::Signature::generate_signing_key(&mut rng);
        let verifying_key = S::Signature::verifying_key(&signing_key);
        let signature = S::Signature::sign(&signing_key, &message).unwrap();
        c.benchmark_group("sign").bench_function(&label, |b| {
            b.iter(|| S::Signature::sign(&signing_key, black_box(&message)))
        });
        c.benchmark_group("verify").bench_function(&label, |b| {
            b.iter(|| S::Signature::verify(&verifying_key, black_box(&message), &signature))
        });
        let (hpke_sk, hpke_pk) = S::Dh::generate_key_pair(&mut rng);
        let hpke_sk = S::Dh::private_key_to_bytes(&hpke_sk);
        let hpke_pk = hpke_pk.as_ref().to_vec();
        let ciphertext = S::Hpke::seal_base(&hpke_pk, b"info", b"", &message, &mut rng).unwrap();
        c.benchmark_group("hpke_seal_1KiB")
            .bench_function(&label, |b| {
                b.iter(|| S::Hpke::seal_base(&hpke_pk, b"info", b"", black_box(&message), &mut rng))
            });
        c.benchmark_group("hpke_open_1KiB")
            .bench_function(&label, |b| {
                b.iter(|| {
                    S::Hpke::open_base(
                        hpke_sk.as_bytes(),
                        &ciphertext.kem_output,
                        b"info",
                        b"",
                        &ciphertext.ciphertext,
                    )
                })
            });
    }
}

fn primitives(c: &mut Criterion) {
    for (backend, suite) in backend_suites(&[]) {
        artmls_providers::visit(
            backend,
            suite,
            Primitives {
                c: &mut *c,
                backend,
                suite,
            },
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    targets = primitives
}
criterion_main!(benches);
