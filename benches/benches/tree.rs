//! The ART tree against group size, for every backend on suites 0xF001 and 0xF002.
//!
//! `cargo bench -p artmls-benches --bench tree` runs n = 2^4 ... 2^16; set
//! `ARTMLS_BENCH_MAX_LOG=20` for the long run up to 2^20 (minutes per backend), or a smaller
//! value for a quick look; `ARTMLS_BENCH_MIN_LOG` starts above 2^4. Groups:
//! `tree_update_sender`, `tree_update_receiver` (averaged over 16 random receivers),
//! `tree_add_one`, `tree_remove_one`, `tree_build` (one commit that adds n-1 members), and the
//! baselines `tree_dh` and `tree_derive_key_pair` measured in the same
//! run. `cargo run -p artmls-benches --bin report` prints the table and ratios.

use std::hint::black_box;
use std::time::Duration;

use artmls::internals::art_tree::ArtMember;
use artmls::tree_math::LeafIndex;
use artmls::{CipherSuite, DhGroup, SuiteId, SuiteVisitor};
use artmls_benches::{backend_suites, suite_label};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const RECEIVERS: usize = 16;

fn max_log() -> u32 {
    std::env::var("ARTMLS_BENCH_MAX_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16)
        .clamp(4, 24)
}

/// The smallest size (log2) to run, so a run can extend an earlier one (default 4).
fn min_log() -> u32 {
    std::env::var("ARTMLS_BENCH_MIN_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
        .clamp(4, 24)
}

struct TreeBench<'a> {
    c: &'a mut Criterion,
    backend: &'static str,
    suite: SuiteId,
}

/// A group of `n` members: the creator's state, a sender, and receivers at random leaves.
fn group_of<S: CipherSuite>(n: u32, rng: &mut StdRng) -> (ArtMember<S>, Vec<ArtMember<S>>) {
    let mut creator = ArtMember::<S>::create(rng).expect("create");
    let pending = creator.prepare_add(n as usize - 1, rng).expect("add");
    let secrets = pending.newcomers().to_vec();
    creator.merge(pending).expect("merge");
    let mut others = Vec::new();
    for _ in 0..=RECEIVERS.min(n as usize - 1) {
        let (leaf, secret) = &secrets[rng.random_range(0..secrets.len())];
        others.push(ArtMember::join(creator.tree().clone(), *leaf, secret).expect("join"));
    }
    (creator, others)
}

impl SuiteVisitor for TreeBench<'_> {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let label = format!("{}/{}", self.backend, suite_label(self.suite));
        let c = self.c;
        let mut rng = StdRng::seed_from_u64(11);

        let (sk, _) = S::Dh::generate_key_pair(&mut rng);
        let (_, pk) = S::Dh::generate_key_pair(&mut rng);
        c.benchmark_group("tree_dh")
            .bench_function(&label, |b| b.iter(|| S::Dh::dh(black_box(&sk), &pk)));
        c.benchmark_group("tree_derive_key_pair")
            .bench_function(&label, |b| {
                b.iter(|| S::Dh::derive_key_pair::<S::Kdf>(black_box(&[5u8; 32])))
            });

        for log in min_log()..=max_log() {
            let n = 1u32 << log;
            let (creator, mut members) = group_of::<S>(n, &mut rng);
            let sender = members.remove(0);
            let receivers = members;

            let mut group = c.benchmark_group("tree_update_sender");
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, _| {
                b.iter(|| sender.prepare_update(&mut rng).expect("update"))
            });
            group.finish();

            let change = sender
                .prepare_update(&mut rng)
                .expect("update")
                .change()
                .clone();
            let receivers: Vec<_> = receivers
                .into_iter()
                .filter(|r| r.own_leaf() != sender.own_leaf())
                .collect();
            let mut next = 0usize;
            let mut group = c.benchmark_group("tree_update_receiver");
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, _| {
                b.iter(|| {
                    next = (next + 1) % receivers.len();
                    receivers[next]
                        .stage(black_box(&change), sender.own_leaf())
                        .expect("stage")
                })
            });
            group.finish();

            let mut group = c.benchmark_group("tree_add_one");
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, _| {
                b.iter(|| creator.prepare_add(1, &mut rng).expect("add"))
            });
            group.finish();

            let victim = LeafIndex(n / 2 + 1);
            let mut group = c.benchmark_group("tree_remove_one");
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, _| {
                b.iter(|| creator.prepare_remove(&[victim], &mut rng).expect("remove"))
            });
            group.finish();

            let mut group = c.benchmark_group("tree_build");
            group.sample_size(10);
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, &n| {
                let creator = ArtMember::<S>::create(&mut rng).expect("create");
                b.iter(|| {
                    creator
                        .prepare_add(n as usize - 1, &mut rng)
                        .expect("build")
                })
            });
            group.finish();
        }
    }
}

fn tree(c: &mut Criterion) {
    let suites = [
        SuiteId::X25519_AES128GCM_SHA256_ED25519,
        SuiteId::P256_AES128GCM_SHA256_P256,
    ];
    for (backend, suite) in backend_suites(&suites) {
        artmls_providers::visit(
            backend,
            suite,
            TreeBench {
                c: &mut *c,
                backend,
                suite,
            },
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = tree
}
criterion_main!(benches);
