//! mls-rs 0.57 with its aws-lc provider (the same aws-lc-rs as our aws-lc backend), cipher
//! suite 1 (MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519), ids `mls-rs/awslc`.
//!
//! Default features (so rayon: mls-rs spreads path encryption, key package checks, Welcome
//! secrets and tree checks over all cores by itself), `DefaultMlsRules` with the ratchet tree
//! in the Welcome spelled out (it is the default), commits as PublicMessages (the default),
//! default validation. What each group measures:
//! - `group_update_commit`: the sender's empty commit (so with a path), encoded for the
//!   wire; the pending commit it leaves is cleared, not applied. mls-rs also builds, signs
//!   and encrypts a GroupInfo holding the whole ratchet tree on every commit, even with
//!   nobody to welcome, and encodes the pending state: O(n) work besides the O(log n) path.
//! - `group_update_process`: the receiver decodes that commit and processes it. mls-rs has no
//!   staging for a member's commit: processing applies it (and keeps the prior epoch, the
//!   default `prior_epoch` feature), so each iteration gets a clone of the receiver, made
//!   (and dropped) outside the timing.
//! - `group_create`: a new group, one commit adding n - 1 members (key packages made
//!   beforehand), applied, and the Welcome encoded. mls-rs by default sends no path in a
//!   commit that only adds.
//! - `group_join`: a newcomer decodes the Welcome (made by the creator for the newcomer alone,
//!   with the ratchet tree) and joins: a group of n + 1, as in ours.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion};
use mls_rs::client_builder::MlsConfig;
use mls_rs::identity::SigningIdentity;
use mls_rs::identity::basic::{BasicCredential, BasicIdentityProvider};
use mls_rs::mls_rules::{CommitOptions, DefaultMlsRules};
use mls_rs::{CipherSuite, CipherSuiteProvider, Client, CryptoProvider, ExtensionList, MlsMessage};
use mls_rs_crypto_awslc::AwsLcCryptoProvider;

use super::peers_common as common;

const LABEL: &str = "mls-rs/awslc";
const SUITE: CipherSuite = CipherSuite::CURVE25519_AES128;

fn client(name: &str) -> Client<impl MlsConfig + use<>> {
    let crypto = AwsLcCryptoProvider::default();
    let (secret, public) = crypto
        .cipher_suite_provider(SUITE)
        .expect("suite")
        .signature_key_generate()
        .expect("signature key");
    let credential = BasicCredential::new(name.as_bytes().to_vec()).into_credential();
    Client::builder()
        .identity_provider(BasicIdentityProvider)
        .crypto_provider(crypto)
        .mls_rules(
            DefaultMlsRules::new()
                .with_commit_options(CommitOptions::new().with_ratchet_tree_extension(true)),
        )
        .signing_identity(SigningIdentity::new(credential, public), secret, SUITE)
        .build()
}

fn key_package<C: MlsConfig>(client: &Client<C>) -> MlsMessage {
    client
        .generate_key_package_message(ExtensionList::new(), ExtensionList::new(), None)
        .expect("key package")
}

fn joiners<C: MlsConfig>(
    prefix: &str,
    count: usize,
    client: fn(&str) -> Client<C>,
) -> Vec<(Client<C>, MlsMessage)> {
    (0..count)
        .map(|i| {
            let client = client(&format!("{prefix}{i}"));
            let key_package = key_package(&client);
            (client, key_package)
        })
        .collect()
}

/// The group of n of `common`: (creator, sender, receiver), all in the same epoch.
fn group_of(n: usize) -> [mls_rs::Group<impl MlsConfig>; 3] {
    let creator = client("creator");
    let mut group = creator
        .create_group(ExtensionList::new(), ExtensionList::new(), None)
        .expect("create");
    let joiners = joiners("m", n - 1, client);
    let mut commit = group.commit_builder();
    for (_, key_package) in &joiners {
        commit = commit.add_member(key_package.clone()).expect("add");
    }
    let welcome = commit.build().expect("commit").welcome_messages.remove(0);
    group.apply_pending_commit().expect("apply");

    let (sender, receiver) = (common::sender_leaf(n), common::receiver_leaf(n));
    let mut committers = common::copath_committers(n);
    committers.extend([sender, receiver]);
    let mut members = vec![(0, group)];
    for leaf in &committers {
        if members.iter().any(|(l, _)| l == leaf) {
            continue;
        }
        let (group, _) = joiners[leaf - 1]
            .0
            .join_group(None, &welcome, None)
            .expect("join");
        assert_eq!(group.current_member_index() as usize, *leaf);
        members.push((*leaf, group));
    }
    for committer in committers {
        let at = members.iter().position(|(l, _)| *l == committer).unwrap();
        let message = members[at].1.commit(Vec::new()).expect("update");
        assert!(message.contains_update_path);
        for (i, (_, member)) in members.iter_mut().enumerate() {
            if i == at {
                member.apply_pending_commit().expect("apply");
            } else {
                member
                    .process_incoming_message(message.commit_message.clone())
                    .expect("process");
            }
        }
    }
    let mut take = |leaf: usize| {
        let at = members.iter().position(|(l, _)| *l == leaf).unwrap();
        members.swap_remove(at).1
    };
    [take(0), take(sender), take(receiver)]
}

pub fn register(c: &mut Criterion) {
    for n in common::sizes() {
        let [mut creator, mut sender, receiver] = group_of(n);

        let mut group = c.benchmark_group("group_update_commit");
        group.bench_with_input(BenchmarkId::new(LABEL, n), &n, |b, _| {
            b.iter(|| {
                let output = sender.commit(Vec::new()).expect("update");
                sender.clear_pending_commit();
                output.commit_message.to_bytes().expect("encode")
            })
        });
        group.finish();

        let commit = sender.commit(Vec::new()).expect("update");
        sender.clear_pending_commit();
        let commit = commit.commit_message.to_bytes().expect("encode");
        let mut group = c.benchmark_group("group_update_process");
        group.bench_with_input(BenchmarkId::new(LABEL, n), &n, |b, _| {
            b.iter_batched(
                || receiver.clone(),
                |mut receiver| {
                    let message = MlsMessage::from_bytes(black_box(&commit)).expect("decode");
                    let received = receiver.process_incoming_message(message).expect("process");
                    (receiver, received)
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();

        let (newcomer, key_package) = joiners("extra", 1, client).remove(0);
        let welcome = creator
            .commit_builder()
            .add_member(key_package)
            .expect("add")
            .build()
            .expect("commit")
            .welcome_messages
            .remove(0);
        creator.clear_pending_commit();
        let welcome = welcome.to_bytes().expect("encode");
        let mut group = c.benchmark_group("group_join");
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::new(LABEL, n), &n, |b, _| {
            b.iter(|| {
                let welcome = MlsMessage::from_bytes(black_box(&welcome)).expect("decode");
                newcomer.join_group(None, &welcome, None).expect("join")
            })
        });
        group.finish();
        drop((creator, sender, receiver));

        let creator = client("creator");
        let key_packages: Vec<MlsMessage> = joiners("m", n - 1, client)
            .into_iter()
            .map(|(_, key_package)| key_package)
            .collect();
        let mut group = c.benchmark_group("group_create");
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::new(LABEL, n), &n, |b, _| {
            b.iter_batched(
                || key_packages.clone(),
                |key_packages| {
                    let mut group = creator
                        .create_group(ExtensionList::new(), ExtensionList::new(), None)
                        .expect("create");
                    let mut commit = group.commit_builder();
                    for key_package in key_packages {
                        commit = commit.add_member(key_package).expect("add");
                    }
                    let welcome = commit.build().expect("commit").welcome_messages.remove(0);
                    group.apply_pending_commit().expect("apply");
                    (group, welcome.to_bytes().expect("encode"))
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}
