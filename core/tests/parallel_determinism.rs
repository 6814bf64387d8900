//! A seed gives the same bytes whether the `parallel` feature spreads the work over the cores
//! or not: the commits and Welcomes of large adds, a large remove and an update are hashed
//! and compared with the digest the sequential code gives (recorded below), and, with the
//! feature on, with the same run on a one-thread pool.
//!
//! Two suites: the dalek one (HPKE from rust-hpke) and the same primitives with artmls's own
//! HPKE, whose batched sealing of a Welcome runs on all cores.

use artmls::group::{Group, GroupConfig, Identity};
use artmls::hpke::DhKemHpke;
use artmls::tree_math::LeafIndex;
use artmls::{CipherSuite, Composed, HashFunction};
use artmls_dalek::{Aes128Gcm, Ed25519, HkdfSha256, Sha256, X25519};
use rand::SeedableRng;
use rand::rngs::StdRng;

type DalekSuite = artmls_dalek::X25519Aes128GcmSha256Ed25519;
type GenericHpkeSuite = Composed<
    X25519,
    HkdfSha256,
    Sha256,
    Aes128Gcm,
    Ed25519,
    DhKemHpke<X25519, HkdfSha256, Aes128Gcm>,
    0xF001,
>;

/// The digest of `scenario(7)` as the sequential code (`--no-default-features`) computes it
/// (the same for both suites: their HPKEs agree byte for byte). A change of the protocol's
/// bytes changes it (profile revision 2 did: tombstone owners in the tree hash); a change of
/// how the work is spread must not.
const SEQUENTIAL_DIGEST: &str = "4e565b8084aaeabf81ef70a8c7161ee1950b75593e2757aeb34aa832954da64a";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Initiates a group of 41 (40 KeyPackages), lets two newcomers join, updates, adds 20 in one
/// commit, removes 17 in one commit; returns the digest of every message sent, in order.
fn scenario<S: CipherSuite>(seed: u64) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut transcript = Vec::new();
    let mut record = |bytes: &[u8]| {
        transcript.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        transcript.extend_from_slice(bytes);
    };
    let newcomers: Vec<_> = (0..60)
        .map(|i| {
            let identity = Identity::<S>::new_with_rng(format!("m{i}"), &mut rng);
            let bundle = identity
                .key_package_with_rng(&mut rng)
                .expect("key package");
            (identity, bundle)
        })
        .collect();
    let key_packages: Vec<_> = newcomers
        .iter()
        .map(|(_, bundle)| bundle.key_package().clone())
        .collect();
    let creator = Identity::<S>::new_with_rng("creator", &mut rng);
    let (mut creator, welcome) = Group::initiate_with_rng(
        creator,
        b"determinism".to_vec(),
        &key_packages[..40],
        GroupConfig::default(),
        &mut rng,
    )
    .expect("initiate");
    record(&welcome);
    let mut newcomers = newcomers.into_iter();
    let (identity, bundle) = newcomers.next().expect("newcomer");
    let mut first = Group::join(&welcome, &bundle, identity, GroupConfig::default()).expect("join");
    let update = first.commit_update_with_rng(&mut rng).expect("update");
    record(update.message());
    creator.process_message(update.message()).expect("process");
    first.merge_pending_commit(update).expect("merge");

    let add = creator
        .commit_add_with_rng(&key_packages[40..], &mut rng)
        .expect("add");
    record(add.message());
    record(add.welcome().expect("welcome"));
    first.process_message(add.message()).expect("process add");
    let add_welcome = add.welcome().expect("welcome").to_vec();
    creator.merge_pending_commit(add).expect("merge add");
    let (identity, bundle) = newcomers.nth(45).expect("newcomer");
    let late = Group::join(&add_welcome, &bundle, identity, GroupConfig::default())
        .expect("join after the add");
    assert_eq!(late.epoch_authenticator(), creator.epoch_authenticator());

    let victims: Vec<LeafIndex> = (5..22).map(LeafIndex).collect();
    let remove = creator
        .commit_remove_with_rng(&victims, &mut rng)
        .expect("remove");
    record(remove.message());
    first
        .process_message(remove.message())
        .expect("process remove");
    creator.merge_pending_commit(remove).expect("merge remove");
    assert_eq!(first.epoch_authenticator(), creator.epoch_authenticator());
    record(creator.epoch_authenticator().as_bytes());
    hex(&S::Hash::hash(&transcript))
}

#[test]
fn a_seed_gives_the_bytes_of_the_sequential_code() {
    assert_eq!(scenario::<DalekSuite>(7), SEQUENTIAL_DIGEST);
    assert_eq!(scenario::<GenericHpkeSuite>(7), SEQUENTIAL_DIGEST);
}

#[cfg(feature = "parallel")]
#[test]
fn one_thread_and_many_give_the_same_bytes() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let alone = pool.install(|| scenario::<GenericHpkeSuite>(11));
    let spread = scenario::<GenericHpkeSuite>(11);
    assert_eq!(alone, spread);
}
