//! Group operations against group size, every backend on suites 0xF001 and 0xF002.
//!
//! `cargo bench -p artmls-benches --bench groups` runs n = 16, 128, 1000 and 10^4; set
//! `ARTMLS_BENCH_GROUP_MAX=100000` for the long run with 10^5 (minutes of setup per backend).
//! Groups (criterion groups; ids `<backend>/<suite>` with parameter n):
//! `group_update_commit` (make an update commit), `group_update_process` (check a received
//! update commit and compute its epoch), `group_add_one`, `group_remove_one`,
//! `group_create` (a group of n made in one commit, Welcome included), `group_join` (join a
//! group of n from a Welcome), `group_message_1KiB` (encrypt and decrypt 1 KiB).

use std::hint::black_box;
use std::time::Duration;

use artmls::group::{Group, GroupConfig, Identity, KeyPackageBundle};
use artmls::tree_math::LeafIndex;
use artmls::{CipherSuite, SuiteId, SuiteVisitor};
use artmls_benches::{backend_suites, suite_label};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;

#[cfg(feature = "peers")]
#[path = "peers/mls_rs.rs"]
mod mls_rs_peer;
#[cfg(feature = "peers")]
#[path = "peers/openmls.rs"]
mod openmls_peer;
#[cfg(feature = "peers")]
#[path = "peers/common.rs"]
mod peers_common;

fn sizes() -> Vec<usize> {
    let max = std::env::var("ARTMLS_BENCH_GROUP_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000usize);
    [16, 128, 1000, 10_000, 100_000]
        .into_iter()
        .filter(|n| *n <= max)
        .collect()
}

struct GroupBench<'a> {
    c: &'a mut Criterion,
    backend: &'static str,
    suite: SuiteId,
}

type Newcomer<S> = (Identity<S>, KeyPackageBundle<S>);

fn newcomers<S: CipherSuite>(count: usize, rng: &mut StdRng) -> Vec<Newcomer<S>> {
    (0..count)
        .map(|i| {
            let identity = Identity::<S>::new_with_rng(format!("m{i}"), rng);
            let bundle = identity.key_package_with_rng(rng).expect("key package");
            (identity, bundle)
        })
        .collect()
}

/// A group of n (n >= 3): the creator, and two members (sender and receiver) that joined and
/// updated.
fn group_of<S: CipherSuite>(n: usize, rng: &mut StdRng) -> (Group<S>, Group<S>, Group<S>) {
    let joiners = newcomers::<S>(n - 1, rng);
    let key_packages: Vec<_> = joiners
        .iter()
        .map(|(_, b)| b.key_package().clone())
        .collect();
    let creator = Identity::<S>::new_with_rng("creator", rng);
    let (mut creator, welcome) = Group::initiate_with_rng(
        creator,
        b"bench".to_vec(),
        &key_packages,
        GroupConfig::default(),
        rng,
    )
    .expect("initiate");
    // The sender sits at the right end of the tree and the receiver a quarter in, so the
    // receiver is in the other half, as half of all receivers are: it recomputes the root.
    let mut joiners: Vec<_> = joiners.into_iter().map(Some).collect();
    let mut join = |index: usize| {
        let (identity, bundle) = joiners[index].take().expect("joiner");
        Group::join(&welcome, &bundle, identity, GroupConfig::default()).expect("join")
    };
    let (mut sender, mut receiver) = (join(n - 2), join((n / 4).min(n - 3)));
    for index in 0..2 {
        let pending = if index == 0 { &sender } else { &receiver }
            .commit_update_with_rng(rng)
            .expect("update");
        let (committer, others) = if index == 0 {
            (&mut sender, [&mut creator, &mut receiver])
        } else {
            (&mut receiver, [&mut creator, &mut sender])
        };
        for other in others {
            other.process_message(pending.message()).expect("process");
        }
        committer.merge_pending_commit(pending).expect("merge");
    }
    (creator, sender, receiver)
}

impl SuiteVisitor for GroupBench<'_> {
    type Output = ();

    fn visit<S: CipherSuite>(self) {
        let label = format!("{}/{}", self.backend, suite_label(self.suite));
        let c = self.c;
        let mut rng = StdRng::seed_from_u64(5);
        for n in sizes() {
            let (creator, mut sender, mut receiver) = group_of::<S>(n, &mut rng);

            let mut group = c.benchmark_group("group_update_commit");
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, _| {
                b.iter(|| sender.commit_update_with_rng(&mut rng).expect("update"))
            });
            group.finish();

            let pending = sender.commit_update_with_rng(&mut rng).expect("update");
            let mut group = c.benchmark_group("group_update_process");
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, _| {
                b.iter(|| {
                    receiver
                        .stage_commit(black_box(pending.message()))
                        .expect("stage")
                })
            });
            group.finish();

            let extra = newcomers::<S>(1, &mut rng);
            let key_package = [extra[0].1.key_package().clone()];
            let mut group = c.benchmark_group("group_add_one");
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, _| {
                b.iter(|| {
                    creator
                        .commit_add_with_rng(&key_package, &mut rng)
                        .expect("add")
                })
            });
            group.finish();

            let victim = [LeafIndex(n as u32 / 2)];
            let mut group = c.benchmark_group("group_remove_one");
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, _| {
                b.iter(|| {
                    creator
                        .commit_remove_with_rng(&victim, &mut rng)
                        .expect("remove")
                })
            });
            group.finish();

            let welcome = creator
                .commit_add_with_rng(&key_package, &mut rng)
                .expect("add");
            let welcome = welcome.welcome().expect("welcome").to_vec();
            let (identity, bundle) = &extra[0];
            let name = identity.name().to_vec();
            let signing_key = identity.signing_key_bytes();
            let mut group = c.benchmark_group("group_join");
            group.sample_size(10);
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, _| {
                b.iter(|| {
                    let identity = Identity::<S>::from_signing_key(
                        name.clone(),
                        <S::Signature as artmls::SignatureScheme>::signing_key_from_bytes(
                            signing_key.as_bytes(),
                        )
                        .expect("key"),
                    );
                    Group::join(
                        black_box(&welcome),
                        bundle,
                        identity,
                        GroupConfig::default(),
                    )
                    .expect("join")
                })
            });
            group.finish();

            let data = vec![0x5au8; 1024];
            let mut group = c.benchmark_group("group_message_1KiB");
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, _| {
                b.iter(|| {
                    let message = sender
                        .encrypt_application_with_rng(&data, &mut rng)
                        .expect("encrypt");
                    receiver.process_message(&message).expect("decrypt")
                })
            });
            group.finish();

            let joiners = newcomers::<S>(n - 1, &mut rng);
            let key_packages: Vec<_> = joiners
                .iter()
                .map(|(_, b)| b.key_package().clone())
                .collect();
            let mut group = c.benchmark_group("group_create");
            group.sample_size(10);
            group.bench_with_input(BenchmarkId::new(&label, n), &n, |b, _| {
                b.iter(|| {
                    let identity = Identity::<S>::new_with_rng("creator", &mut rng);
                    Group::initiate_with_rng(
                        identity,
                        b"bench".to_vec(),
                        &key_packages,
                        GroupConfig::default(),
                        &mut rng,
                    )
                    .expect("initiate")
                })
            });
            group.finish();
        }
    }
}

fn groups(c: &mut Criterion) {
    let suites = [
        SuiteId::X25519_AES128GCM_SHA256_ED25519,
        SuiteId::P256_AES128GCM_SHA256_P256,
    ];
    for (backend, suite) in backend_suites(&suites) {
        artmls_providers::visit(
            backend,
            suite,
            GroupBench {
                c: &mut *c,
                backend,
                suite,
            },
        );
    }
    #[cfg(feature = "peers")]
    {
        mls_rs_peer::register(c);
        openmls_peer::register(c);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = groups
}
criterion_main!(benches);
