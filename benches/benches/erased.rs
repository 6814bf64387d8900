//! What the type-erased layer costs: `Group<S>` and `AnyGroup` side by side, at n = 1000, on
//! dalek's suite 0xF001.
//!
//! `cargo bench -p artmls-benches --bench erased`. Criterion groups (functions `Group<S>` and
//! `AnyGroup`, parameter n): `erased_update_commit` (make an update commit and merge it),
//! `erased_update_process` (a receiver processes an update commit), `erased_message_1KiB`
//! (encrypt 1 KiB and decrypt it at a receiver). Both kinds of group are built the same way
//! from the same seed, so they hold the same tree; the erased one is the typed one behind
//! `AnyGroup::from`, and every call goes through its trait object with the RNG as
//! `&mut dyn CryptoRng`: exactly what a user of the erased layer pays. Before the criterion
//! groups, a paired run (see [`paired`]) prints the median of each operation both ways and their
//! ratio, measured back to back so that load elsewhere on the machine falls on both alike.

use std::hint::black_box;
use std::time::{Duration, Instant};

use artmls::group::{Group, GroupConfig, Identity};
use artmls::{AnyGroup, CipherSuite};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;

type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;

const N: usize = 1000;

/// A group of n made in one commit, and two members that joined and updated: the sender at
/// the right end of the tree, the receiver a quarter in (in the other half, as half of all
/// receivers are, so it recomputes the root). The creator stays in step with them.
fn group_of<S: CipherSuite>(n: usize, rng: &mut StdRng) -> [Group<S>; 3] {
    let joiners: Vec<_> = (1..n)
        .map(|i| {
            let identity = Identity::<S>::new_with_rng(format!("m{i}"), rng);
            let bundle = identity.key_package_with_rng(rng).expect("key package");
            Some((identity, bundle))
        })
        .collect();
    let key_packages: Vec<_> = joiners
        .iter()
        .flatten()
        .map(|(_, bundle)| bundle.key_package().clone())
        .collect();
    let creator = Identity::<S>::new_with_rng("creator", rng);
    let (creator, welcome) = Group::initiate_with_rng(
        creator,
        b"bench".to_vec(),
        &key_packages,
        GroupConfig::default(),
        rng,
    )
    .expect("initiate");
    let mut joiners = joiners;
    let mut join = |index: usize| {
        let (identity, bundle) = joiners[index].take().expect("joiner");
        Group::join(&welcome, &bundle, identity, GroupConfig::default()).expect("join")
    };
    let mut members = [creator, join(n - 2), join(n / 4)];
    for committer in [1, 2] {
        let pending = members[committer]
            .commit_update_with_rng(rng)
            .expect("update");
        for (index, member) in members.iter_mut().enumerate() {
            if index != committer {
                member.process_message(pending.message()).expect("process");
            }
        }
        members[committer]
            .merge_pending_commit(pending)
            .expect("merge");
    }
    members
}

fn erased(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(5);
    let [_, mut sender, mut receiver] = group_of::<Suite>(N, &mut rng);
    let mut rng_erased = StdRng::seed_from_u64(5);
    let [_, sender_erased, receiver_erased] = group_of::<Suite>(N, &mut rng_erased);
    let (mut sender_erased, mut receiver_erased) = (
        AnyGroup::from(sender_erased),
        AnyGroup::from(receiver_erased),
    );
    assert_eq!(
        sender.epoch_authenticator(),
        sender_erased.epoch_authenticator(),
        "both groups are the same group"
    );
    let typed = BenchmarkId::new("Group<S>", N);
    let any = BenchmarkId::new("AnyGroup", N);

    // The sender commits and merges in the setup (not measured); the receiver processes.
    let mut group = c.benchmark_group("erased_update_process");
    group.bench_function(typed.clone(), |b| {
        b.iter_batched(
            || {
                let pending = sender.commit_update_with_rng(&mut rng).expect("update");
                let message = pending.message().to_vec();
                sender.merge_pending_commit(pending).expect("merge");
                message
            },
            |message| {
                receiver
                    .process_message(black_box(&message))
                    .expect("process")
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function(any.clone(), |b| {
        b.iter_batched(
            || {
                let pending = sender_erased
                    .commit_update_with_rng(&mut rng_erased)
                    .expect("update");
                let message = pending.message().to_vec();
                sender_erased.merge_pending_commit(pending).expect("merge");
                message
            },
            |message| {
                receiver_erased
                    .process_message(black_box(&message))
                    .expect("process")
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    let data = vec![0x5au8; 1024];
    let mut group = c.benchmark_group("erased_message_1KiB");
    group.bench_function(typed.clone(), |b| {
        b.iter(|| {
            let message = sender
                .encrypt_application_with_rng(&data, &mut rng)
                .expect("encrypt");
            receiver.process_message(&message).expect("decrypt")
        })
    });
    group.bench_function(any.clone(), |b| {
        b.iter(|| {
            let message = sender_erased
                .encrypt_application_with_rng(&data, &mut rng_erased)
                .expect("encrypt");
            receiver_erased.process_message(&message).expect("decrypt")
        })
    });
    group.finish();

    // Last, as it moves the sender on alone.
    let mut group = c.benchmark_group("erased_update_commit");
    group.bench_function(typed, |b| {
        b.iter(|| {
            let pending = sender.commit_update_with_rng(&mut rng).expect("update");
            sender.merge_pending_commit(pending).expect("merge")
        })
    });
    group.bench_function(any, |b| {
        b.iter(|| {
            let pending = sender_erased
                .commit_update_with_rng(&mut rng_erased)
                .expect("update");
            sender_erased.merge_pending_commit(pending).expect("merge")
        })
    });
    group.finish();
}

/// The same three operations measured in pairs: each round times the typed operation and the
/// erased one back to back (alternating which goes first), so that load from elsewhere on the
/// machine, which drifts over seconds, falls on both alike. Prints the median of each and their
/// ratio; criterion's groups above give the full statistics.
fn paired(_: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(6);
    let [_, mut sender, mut receiver] = group_of::<Suite>(N, &mut rng);
    let mut rng_erased = StdRng::seed_from_u64(6);
    let [_, sender_erased, receiver_erased] = group_of::<Suite>(N, &mut rng_erased);
    let (mut sender_erased, mut receiver_erased) = (
        AnyGroup::from(sender_erased),
        AnyGroup::from(receiver_erased),
    );

    let process = pair_up(1000, |erased| {
        let message = if erased {
            let pending = sender_erased
                .commit_update_with_rng(&mut rng_erased)
                .expect("update");
            let message = pending.message().to_vec();
            sender_erased.merge_pending_commit(pending).expect("merge");
            message
        } else {
            let pending = sender.commit_update_with_rng(&mut rng).expect("update");
            let message = pending.message().to_vec();
            sender.merge_pending_commit(pending).expect("merge");
            message
        };
        let started = Instant::now();
        if erased {
            black_box(receiver_erased.process_message(&message).expect("process"));
        } else {
            black_box(receiver.process_message(&message).expect("process"));
        }
        started.elapsed()
    });
    report("update process", process);

    let data = vec![0x5au8; 1024];
    let message = pair_up(5000, |erased| {
        let started = Instant::now();
        if erased {
            let message = sender_erased
                .encrypt_application_with_rng(&data, &mut rng_erased)
                .expect("encrypt");
            black_box(receiver_erased.process_message(&message).expect("decrypt"));
        } else {
            let message = sender
                .encrypt_application_with_rng(&data, &mut rng)
                .expect("encrypt");
            black_box(receiver.process_message(&message).expect("decrypt"));
        }
        started.elapsed()
    });
    report("message 1 KiB", message);

    let commit = pair_up(2000, |erased| {
        let started = Instant::now();
        if erased {
            let pending = sender_erased
                .commit_update_with_rng(&mut rng_erased)
                .expect("update");
            black_box(sender_erased.merge_pending_commit(pending).expect("merge"));
        } else {
            let pending = sender.commit_update_with_rng(&mut rng).expect("update");
            black_box(sender.merge_pending_commit(pending).expect("merge"));
        }
        started.elapsed()
    });
    report("update commit", commit);
}

/// Runs `measure(false)` (typed) and `measure(true)` (erased) `rounds` times each, back to back,
/// alternating which goes first; returns the typed and erased times.
fn pair_up(
    rounds: usize,
    mut measure: impl FnMut(bool) -> Duration,
) -> (Vec<Duration>, Vec<Duration>) {
    let (mut typed, mut erased) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let erased_first = round % 2 == 1;
        let first = measure(erased_first);
        let second = measure(!erased_first);
        let (t, e) = if erased_first {
            (second, first)
        } else {
            (first, second)
        };
        typed.push(t);
        erased.push(e);
    }
    (typed, erased)
}

/// Prints the medians of a paired measurement and the erased/typed ratio.
fn report(what: &str, (mut typed, mut erased): (Vec<Duration>, Vec<Duration>)) {
    let median = |times: &mut Vec<Duration>| {
        times.sort_unstable();
        times[times.len() / 2].as_secs_f64() * 1e6
    };
    let (typed, erased) = (median(&mut typed), median(&mut erased));
    println!(
        "paired {what} at n = {N}: Group<S> {typed:.1} µs, AnyGroup {erased:.1} µs, ratio {:.4}",
        erased / typed
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5));
    targets = paired, erased
}
criterion_main!(benches);
