//! The real group every stateful target works on, and every real message the corpus holds.
//!
//! Built once per process from a fixed seed, so that it is the same in every run: the corpus
//! files written by `make-corpus` are messages for exactly this group, and a crash found by
//! the fuzzer replays against the same state.
//!
//! The scenario (suite 0xF001, dalek backend):
//!
//! 1. alice creates the group with bob, carol and dave in one commit; they join.
//! 2. dave, then bob, commit an update (epoch 2, then 3). `RECEIVER` is bob at epoch 3.
//! 3. At epoch 3, without applying any of them: an update by carol and by alice, an add of
//!    eve (by alice) and of eve and frank (by dave), a remove of carol (by dave), of bob (by
//!    alice) and of carol and dave (by alice), application messages from alice, carol, dave
//!    and bob; plus a stale commit and a stale application message (epoch 2) and a future
//!    application message (epoch 4).
//!
//! Every message bob accepts is recorded: a target may only ever see those accepted.

use std::sync::OnceLock;

use artmls::CipherSuite;
use artmls::SignatureScheme;
use artmls::codec::{Decode, Encode};
use artmls::group::{
    ART_RATCHET_TREE_EXTENSION, ArtCommit, Group, GroupConfig, Identity, KeyPackageBundle,
    PendingCommit,
};
use artmls::messages::{GroupInfo, MlsMessage};
use artmls::secret::Secret;
use artmls::tree_math::LeafIndex;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The suite of the fixture group.
pub type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;

/// The seed of everything random in the fixture.
pub const SEED: u64 = 0x6675_7a7a_2d61_7274;

/// The member whose state the `process_message` targets feed (bob, leaf 1).
pub const RECEIVER: usize = 1;

/// A message for the receiver, as the fixture made it.
#[derive(Debug, Clone)]
pub struct Sample {
    /// A short name, used as the corpus file name.
    pub name: &'static str,
    /// The MLSMessage bytes.
    pub bytes: Vec<u8>,
    /// The member (leaf index) that made it: the key that re-signs it.
    pub sender: usize,
    /// Whether the receiver accepts it (decided when the fixture is built).
    pub accepted: bool,
}

/// The group, its messages and the derived structures.
///
/// No `Debug`: it is made of secrets, and nothing prints it.
#[allow(missing_debug_implementations)]
pub struct Fixture {
    /// The receiver's persisted state at epoch 3.
    pub receiver_state: Secret,
    /// Messages for the receiver at epoch 3, and a few from other epochs.
    pub messages: Vec<Sample>,
    /// Every member's identity at epoch 3, by leaf index (alice, bob, carol, dave).
    pub identities: Vec<Identity<Suite>>,
    /// Every member's persisted state at epoch 3, by leaf index: what the other members
    /// make of a message the receiver accepted.
    pub member_states: Vec<Secret>,
    /// The membership key of epoch 3 (what a member needs to tag a PublicMessage).
    pub membership_key: Secret,
    /// Welcomes (MLSMessages) that add eve: alone, and with frank.
    pub welcomes: Vec<Vec<u8>>,
    /// The epoch authenticator eve's group has after joining from each Welcome, in order.
    pub welcome_authenticators: Vec<Secret>,
    /// eve's KeyPackage and private init key: what the `join` target joins with.
    pub joiner: KeyPackageBundle<Suite>,
    /// eve's signing key (an `Identity` is not `Clone`: `join` takes a fresh one each time).
    pub joiner_signing_key: Secret,
    /// Encoded KeyPackages (bare, not in an MLSMessage).
    pub key_packages: Vec<Vec<u8>>,
    /// Encoded GroupInfos from the Welcomes (bare).
    pub group_infos: Vec<Vec<u8>>,
    /// Encoded ArtRatchetTrees from those GroupInfos.
    pub ratchet_trees: Vec<Vec<u8>>,
    /// Persisted states (`Group::to_bytes`) of several members at several epochs.
    pub states: Vec<Secret>,
}

/// The joiner's name, in its credential.
pub const JOINER_NAME: &str = "eve";

impl Fixture {
    /// The fixture, built on first use.
    pub fn get() -> &'static Fixture {
        static FIXTURE: OnceLock<Fixture> = OnceLock::new();
        FIXTURE.get_or_init(build)
    }

    /// A fresh copy of eve's identity (see [`Fixture::joiner_signing_key`]).
    pub fn joiner_identity(&self) -> Identity<Suite> {
        let key = <Suite as CipherSuite>::Signature::signing_key_from_bytes(
            self.joiner_signing_key.as_bytes(),
        )
        .expect("the fixture's signing key parses");
        Identity::from_signing_key(JOINER_NAME, key)
    }

    /// The receiver's state, restored from [`Fixture::receiver_state`].
    pub fn receiver(&self) -> Group<Suite> {
        Group::from_bytes(self.receiver_state.as_bytes()).expect("the fixture's state restores")
    }
}

/// Applies a commit: every other active member processes it, its sender merges it.
fn apply(members: &mut [Group<Suite>], sender: usize, pending: PendingCommit<Suite>) {
    for (index, member) in members.iter_mut().enumerate() {
        if index != sender {
            member
                .process_message(pending.message())
                .expect("members accept the fixture's commits");
        }
    }
    members[sender]
        .merge_pending_commit(pending)
        .expect("the sender merges its commit");
}

fn copy(group: &Group<Suite>) -> Group<Suite> {
    let bytes = group.to_bytes().expect("the fixture's state persists");
    Group::from_bytes(bytes.as_bytes()).expect("the fixture's state restores")
}

fn build() -> Fixture {
    let mut rng = StdRng::seed_from_u64(SEED);
    let config = GroupConfig::default();

    // 1. alice creates the group with bob, carol and dave.
    let names = ["alice", "bob", "carol", "dave"];
    let identities: Vec<Identity<Suite>> = names
        .iter()
        .map(|name| Identity::new_with_rng(*name, &mut rng))
        .collect();
    let bundles: Vec<KeyPackageBundle<Suite>> = identities[1..]
        .iter()
        .map(|identity| {
            identity
                .key_package_with_rng(&mut rng)
                .expect("key package")
        })
        .collect();
    let key_packages: Vec<_> = bundles.iter().map(|b| b.key_package().clone()).collect();
    let mut identities = identities.into_iter();
    let alice = identities.next().expect("alice");
    let (alice_group, welcome) = Group::initiate_with_rng(
        alice,
        b"fuzz-group".to_vec(),
        &key_packages,
        config,
        &mut rng,
    )
    .expect("initiate");
    let mut members = vec![alice_group];
    for (identity, bundle) in identities.zip(&bundles) {
        members.push(Group::join(&welcome, bundle, identity, config).expect("join"));
    }
    let mut states = vec![members[RECEIVER].to_bytes().expect("state")];

    // 2. dave and bob update (epochs 2 and 3); keep messages that will be stale at epoch 3.
    let dave_update = members[3].commit_update_with_rng(&mut rng).expect("update");
    let stale_commit = dave_update.message().to_vec();
    apply(&mut members, 3, dave_update);
    let stale_application = members[2]
        .encrypt_application_with_rng(b"from epoch 2", &mut rng)
        .expect("encrypt");
    let bob_update = members[1].commit_update_with_rng(&mut rng).expect("update");
    apply(&mut members, 1, bob_update);
    let member_states: Vec<Secret> = members
        .iter()
        .map(|m| m.to_bytes().expect("state"))
        .collect();
    states.extend(member_states.iter().cloned());

    // 3. Messages at epoch 3, none applied.
    let identity_keys: Vec<Identity<Suite>> = members
        .iter()
        .map(|member| {
            let key = <Suite as CipherSuite>::Signature::signing_key_from_bytes(
                member.identity().signing_key_bytes().as_bytes(),
            )
            .expect("signing key");
            Identity::from_signing_key(member.identity().name().to_vec(), key)
        })
        .collect();
    let eve = Identity::<Suite>::new_with_rng(JOINER_NAME, &mut rng);
    let frank = Identity::<Suite>::new_with_rng("frank", &mut rng);
    let eve_bundle = eve.key_package_with_rng(&mut rng).expect("key package");
    let frank_bundle = frank.key_package_with_rng(&mut rng).expect("key package");
    let eve_kp = eve_bundle.key_package().clone();
    let frank_kp = frank_bundle.key_package().clone();

    let commits: Vec<(&'static str, usize, PendingCommit<Suite>)> = vec![
        (
            "commit-update-carol",
            2,
            members[2].commit_update_with_rng(&mut rng).expect("update"),
        ),
        (
            "commit-update-alice",
            0,
            members[0].commit_update_with_rng(&mut rng).expect("update"),
        ),
        (
            "commit-add-eve",
            0,
            members[0]
                .commit_add_with_rng(std::slice::from_ref(&eve_kp), &mut rng)
                .expect("add"),
        ),
        (
            "commit-add-eve-frank",
            3,
            members[3]
                .commit_add_with_rng(&[eve_kp.clone(), frank_kp.clone()], &mut rng)
                .expect("add"),
        ),
        (
            "commit-remove-carol",
            3,
            members[3]
                .commit_remove_with_rng(&[LeafIndex(2)], &mut rng)
                .expect("remove"),
        ),
        (
            "commit-remove-bob",
            0,
            members[0]
                .commit_remove_with_rng(&[LeafIndex(1)], &mut rng)
                .expect("remove"),
        ),
        (
            "commit-remove-carol-dave",
            0,
            members[0]
                .commit_remove_with_rng(&[LeafIndex(2), LeafIndex(3)], &mut rng)
                .expect("remove"),
        ),
    ];

    let welcomes: Vec<Vec<u8>> = commits
        .iter()
        .filter_map(|(_, _, pending)| pending.welcome().map(<[u8]>::to_vec))
        .collect();

    // A future message: alice at epoch 4 (after carol's update) says something.
    let future_application = {
        let mut alice_next = copy(&members[0]);
        alice_next
            .process_message(commits[0].2.message())
            .expect("alice takes carol's update");
        alice_next
            .encrypt_application_with_rng(b"from epoch 4", &mut rng)
            .expect("encrypt")
    };

    let mut messages: Vec<Sample> = commits
        .iter()
        .map(|(name, sender, pending)| Sample {
            name,
            bytes: pending.message().to_vec(),
            sender: *sender,
            accepted: false,
        })
        .collect();
    let long_text = vec![b'x'; 1000];
    for (name, sender, text) in [
        ("application-alice", 0, &b"hello"[..]),
        ("application-carol-empty", 2, &b""[..]),
        ("application-dave-long", 3, &long_text[..]),
        ("application-bob-own", 1, &b"my own message"[..]),
    ] {
        let bytes = members[sender]
            .encrypt_application_with_rng(text, &mut rng)
            .expect("encrypt");
        messages.push(Sample {
            name,
            bytes,
            sender,
            accepted: false,
        });
    }
    // The application messages above advanced their senders' secret trees; the receiver's
    // state is taken after bob's own message so that its own sending generation is included.
    let receiver_state = members[RECEIVER].to_bytes().expect("state");
    messages.push(Sample {
        name: "stale-commit-dave",
        bytes: stale_commit,
        sender: 3,
        accepted: false,
    });
    messages.push(Sample {
        name: "stale-application-carol",
        bytes: stale_application,
        sender: 2,
        accepted: false,
    });
    messages.push(Sample {
        name: "future-application-alice",
        bytes: future_application,
        sender: 0,
        accepted: false,
    });

    // Which of them the receiver accepts, each from the same state.
    for sample in &mut messages {
        let mut receiver =
            Group::<Suite>::from_bytes(receiver_state.as_bytes()).expect("state restores");
        sample.accepted = receiver.process_message(&sample.bytes).is_ok();
        if sample.accepted {
            states.push(receiver.to_bytes().expect("state"));
        }
    }

    // eve joins from each Welcome; keep the GroupInfos and trees they carry.
    let mut welcome_authenticators = Vec::new();
    let mut group_infos = Vec::new();
    let mut ratchet_trees = Vec::new();
    for welcome in &welcomes {
        let identity = Identity::<Suite>::from_signing_key(
            JOINER_NAME,
            <Suite as CipherSuite>::Signature::signing_key_from_bytes(
                eve.signing_key_bytes().as_bytes(),
            )
            .expect("signing key"),
        );
        let group = Group::join(welcome, &eve_bundle, identity, config).expect("eve joins");
        welcome_authenticators.push(group.epoch_authenticator().clone());
        states.push(group.to_bytes().expect("state"));
        let group_info = group_info_of(welcome, &eve_bundle);
        if let Some(extension) = group_info
            .extensions
            .iter()
            .find(|e| e.extension_type == ART_RATCHET_TREE_EXTENSION)
        {
            ratchet_trees.push(extension.extension_data.clone());
        }
        group_infos.push(group_info.encode_to_vec().expect("encode"));
    }

    let key_packages = [bundles[0].key_package(), &eve_kp, &frank_kp]
        .iter()
        .map(|kp| kp.encode_to_vec().expect("encode"))
        .collect();

    Fixture {
        receiver_state,
        messages,
        identities: identity_keys,
        member_states,
        membership_key: members[RECEIVER].membership_key().clone(),
        welcomes,
        welcome_authenticators,
        joiner: eve_bundle,
        joiner_signing_key: eve.signing_key_bytes(),
        key_packages,
        group_infos,
        ratchet_trees,
        states,
    }
}

/// The GroupInfo inside a Welcome, decrypted with the joiner's init key.
fn group_info_of(welcome: &[u8], bundle: &KeyPackageBundle<Suite>) -> GroupInfo {
    let Ok(MlsMessage::<ArtCommit>::Welcome(welcome)) =
        MlsMessage::<ArtCommit>::decode_exact(welcome)
    else {
        panic!("the fixture's Welcome decodes");
    };
    artmls::internals::welcome::open_welcome::<Suite>(
        &welcome,
        bundle.key_package(),
        bundle.init_private_key(),
        |_| None,
    )
    .expect("the fixture's Welcome opens")
    .group_info
}
