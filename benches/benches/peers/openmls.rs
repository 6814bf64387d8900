//! OpenMLS 0.9 with its RustCrypto provider (`OpenMlsRustCrypto`: RustCrypto primitives and
//! the in-memory storage it ships), suite MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, ids
//! `openmls/rustcrypto`.
//!
//! Default validation; the ratchet tree goes in the Welcome; handshake messages are
//! PublicMessages (`PURE_PLAINTEXT_WIRE_FORMAT_POLICY`, as our commits and mls-rs's default;
//! OpenMLS's default would encrypt them). OpenMLS uses rayon by itself (path encryption and
//! some tree work spread over all cores). OpenMLS writes its state to the provider's storage
//! as it goes (the shipped in-memory storage, JSON-encoded); that is inside the timings.
//! What each group measures:
//! - `group_update_commit`: the sender's `self_update` (a commit with a path), encoded for
//!   the wire; the pending commit is cleared, not merged.
//! - `group_update_process`: the receiver decodes that commit and `process_message` stages it
//!   (checked and the next epoch computed, not merged), as our `stage_commit` does.
//! - `group_create`: a new group, `add_members` with n - 1 key packages (made beforehand; a
//!   commit with a path, which OpenMLS always sends), merged, the Welcome encoded. Each
//!   iteration uses a fresh provider (storage), made outside the timing.
//! - `group_join`: a newcomer decodes the Welcome (made by the creator for the newcomer alone,
//!   with the ratchet tree) and joins (`StagedWelcome`, then `into_group`): a group of n + 1,
//!   as in ours. OpenMLS deletes the key package when it joins, so each iteration uses a
//!   fresh provider holding only the newcomer's key package, made outside the timing.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion};
use openmls::prelude::tls_codec::{Deserialize as _, Serialize as _};
use openmls::prelude::*;
use openmls_basic_credential::SignatureKeyPair;
use openmls_rust_crypto::OpenMlsRustCrypto;

use super::peers_common as common;

const LABEL: &str = "openmls/rustcrypto";
const SUITE: Ciphersuite = Ciphersuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;

struct Member {
    provider: OpenMlsRustCrypto,
    signer: SignatureKeyPair,
    credential: CredentialWithKey,
}

impl Member {
    fn new(name: &str) -> Self {
        let signer = SignatureKeyPair::new(SUITE.signature_algorithm()).expect("signature key");
        let credential = CredentialWithKey {
            credential: BasicCredential::new(name.as_bytes().to_vec()).into(),
            signature_key: signer.public().into(),
        };
        Self {
            provider: OpenMlsRustCrypto::default(),
            signer,
            credential,
        }
    }

    fn key_package(&self) -> KeyPackageBundle {
        KeyPackage::builder()
            .build(SUITE, &self.provider, &self.signer, self.credential.clone())
            .expect("key package")
    }

    fn create_group(&self, provider: &OpenMlsRustCrypto) -> MlsGroup {
        let config = MlsGroupCreateConfig::builder()
            .ciphersuite(SUITE)
            .use_ratchet_tree_extension(true)
            .wire_format_policy(PURE_PLAINTEXT_WIRE_FORMAT_POLICY)
            .build();
        MlsGroup::new(provider, &self.signer, &config, self.credential.clone()).expect("create")
    }
}

fn join_config() -> MlsGroupJoinConfig {
    MlsGroupJoinConfig::builder()
        .use_ratchet_tree_extension(true)
        .wire_format_policy(PURE_PLAINTEXT_WIRE_FORMAT_POLICY)
        .build()
}

fn join(provider: &OpenMlsRustCrypto, welcome: &[u8]) -> MlsGroup {
    let MlsMessageBodyIn::Welcome(welcome) = MlsMessageIn::tls_deserialize_exact(welcome)
        .expect("decode")
        .extract()
    else {
        panic!("not a Welcome");
    };
    StagedWelcome::new_from_welcome(provider, &join_config(), welcome, None)
        .expect("welcome")
        .into_group(provider)
        .expect("join")
}

fn stage(group: &mut MlsGroup, provider: &OpenMlsRustCrypto, commit: &[u8]) -> StagedCommit {
    let message = MlsMessageIn::tls_deserialize_exact(commit)
        .expect("decode")
        .try_into_protocol_message()
        .expect("protocol message");
    match group
        .process_message(provider, message)
        .expect("process")
        .into_content()
    {
        ProcessedMessageContent::StagedCommitMessage(staged) => *staged,
        _ => panic!("not a commit"),
    }
}

/// Puts `bundle` (made with another provider) in `provider`'s storage, where a join looks.
fn store_key_package<S: openmls::storage::StorageProvider>(
    storage: &S,
    reference: &KeyPackageRef,
    bundle: &KeyPackageBundle,
) {
    storage
        .write_key_package(reference, bundle)
        .expect("store key package");
}

/// The group of n of `common`: (creator, sender, receiver), all in the same epoch.
fn group_of(n: usize) -> [(Member, MlsGroup); 3] {
    let creator = Member::new("creator");
    let mut group = creator.create_group(&creator.provider);
    let joiners: Vec<Member> = (0..n - 1).map(|i| Member::new(&format!("m{i}"))).collect();
    let key_packages: Vec<KeyPackage> = joiners
        .iter()
        .map(|m| m.key_package().key_package().clone())
        .collect();
    let (_, welcome, _) = group
        .add_members(&creator.provider, &creator.signer, &key_packages)
        .expect("add");
    group
        .merge_pending_commit(&creator.provider)
        .expect("merge");
    let welcome = welcome.tls_serialize_detached().expect("encode");

    let (sender, receiver) = (common::sender_leaf(n), common::receiver_leaf(n));
    let mut committers = common::copath_committers(n);
    committers.extend([sender, receiver]);
    let mut joiners: Vec<Option<Member>> = joiners.into_iter().map(Some).collect();
    let mut members = vec![(0, creator, group)];
    for &leaf in &committers {
        if members.iter().any(|(l, ..)| *l == leaf) {
            continue;
        }
        let member = joiners[leaf - 1].take().expect("joiner");
        let group = join(&member.provider, &welcome);
        assert_eq!(group.own_leaf_index().u32() as usize, leaf);
        members.push((leaf, member, group));
    }
    for committer in committers {
        let at = members.iter().position(|(l, ..)| *l == committer).unwrap();
        let (_, member, group) = &mut members[at];
        let commit = group
            .self_update(
                &member.provider,
                &member.signer,
                LeafNodeParameters::default(),
            )
            .expect("update")
            .commit()
            .tls_serialize_detached()
            .expect("encode");
        for (i, (_, member, group)) in members.iter_mut().enumerate() {
            if i == at {
                group.merge_pending_commit(&member.provider).expect("merge");
            } else {
                let staged = stage(group, &member.provider, &commit);
                group
                    .merge_staged_commit(&member.provider, staged)
                    .expect("merge");
            }
        }
    }
    let mut take = |leaf: usize| {
        let at = members.iter().position(|(l, ..)| *l == leaf).unwrap();
        let (_, member, group) = members.swap_remove(at);
        (member, group)
    };
    [take(0), take(sender), take(receiver)]
}

pub fn register(c: &mut Criterion) {
    for n in common::sizes() {
        let [
            (creator, mut creator_group),
            (sender, mut sender_group),
            (receiver, mut receiver_group),
        ] = group_of(n);

        let mut group = c.benchmark_group("group_update_commit");
        group.bench_with_input(BenchmarkId::new(LABEL, n), &n, |b, _| {
            b.iter(|| {
                let bundle = sender_group
                    .self_update(
                        &sender.provider,
                        &sender.signer,
                        LeafNodeParameters::default(),
                    )
                    .expect("update");
                sender_group
                    .clear_pending_commit(sender.provider.storage())
                    .expect("clear");
                bundle.commit().tls_serialize_detached().expect("encode")
            })
        });
        group.finish();

        let commit = sender_group
            .self_update(
                &sender.provider,
                &sender.signer,
                LeafNodeParameters::default(),
            )
            .expect("update")
            .commit()
            .tls_serialize_detached()
            .expect("encode");
        sender_group
            .clear_pending_commit(sender.provider.storage())
            .expect("clear");
        let mut group = c.benchmark_group("group_update_process");
        group.bench_with_input(BenchmarkId::new(LABEL, n), &n, |b, _| {
            b.iter(|| stage(&mut receiver_group, &receiver.provider, black_box(&commit)))
        });
        group.finish();

        let newcomer = Member::new("extra");
        let bundle = newcomer.key_package();
        let reference = bundle
            .key_package()
            .hash_ref(newcomer.provider.crypto())
            .expect("hash ref");
        let (_, welcome, _) = creator_group
            .add_members(
                &creator.provider,
                &creator.signer,
                &[bundle.key_package().clone()],
            )
            .expect("add");
        creator_group
            .clear_pending_commit(creator.provider.storage())
            .expect("clear");
        let welcome = welcome.tls_serialize_detached().expect("encode");
        let mut group = c.benchmark_group("group_join");
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::new(LABEL, n), &n, |b, _| {
            b.iter_batched(
                || {
                    let provider = OpenMlsRustCrypto::default();
                    store_key_package(provider.storage(), &reference, &bundle);
                    provider
                },
                |provider| {
                    let group = join(&provider, black_box(&welcome));
                    (provider, group)
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
        drop((sender_group, receiver_group, creator_group));

        let key_packages: Vec<KeyPackage> = (0..n - 1)
            .map(|i| {
                Member::new(&format!("m{i}"))
                    .key_package()
                    .key_package()
                    .clone()
            })
            .collect();
        let mut group = c.benchmark_group("group_create");
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::new(LABEL, n), &n, |b, _| {
            b.iter_batched(
                OpenMlsRustCrypto::default,
                |provider| {
                    let mut group = creator.create_group(&provider);
                    let (_, welcome, _) = group
                        .add_members(&provider, &creator.signer, &key_packages)
                        .expect("add");
                    group.merge_pending_commit(&provider).expect("merge");
                    let welcome = welcome.tls_serialize_detached().expect("encode");
                    (provider, group, welcome)
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}
