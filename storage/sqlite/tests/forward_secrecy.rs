//! Forward secrecy on disk: once an epoch has left a member's window, nothing of its secrets is
//! left in the bytes of the member's database file, its WAL or its journal, and neither is a
//! private key its own update replaced.
//!
//! The store is opened with no encryption (`StorageKey::insecure_plaintext`): sealed, the
//! secrets would never appear in the files, and the check would prove nothing.

use std::collections::HashSet;

use artmls::codec::{Decode, Reader};
use artmls::group::{Group, GroupConfig, Identity, Received};
use artmls::internals::key_schedule::EpochSecrets;
use artmls::messages::GroupContext;
use artmls::secret::Secret;
use artmls::storage::{RecordKey, RecordKind, SharedStorage, Storage, StorageKey};
use artmls::tree_math::LeafIndex;
use artmls_sqlite::SqliteStore;
use rand::SeedableRng;
use rand::rngs::StdRng;

type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;

/// How long a run of bytes must be to count as found.
const WINDOW: usize = 16;

/// Every record body of the group, in the clear (the store has no key).
fn record_bodies(storage: &SharedStorage, group_id: &[u8]) -> Vec<(RecordKey, Vec<u8>)> {
    let storage = storage.lock().expect("storage");
    let mut bodies = Vec::new();
    for kind in [
        RecordKind::GroupState,
        RecordKind::TreeNode,
        RecordKind::PastEpoch,
    ] {
        for (index, record) in storage.store().scan(group_id, kind).expect("scan") {
            bodies.push((RecordKey::new(group_id, kind, index), record.body));
        }
    }
    bodies
}

/// Every `WINDOW`-byte run of the database file, its WAL and its journal.
fn file_windows(files: &[std::path::PathBuf]) -> HashSet<Vec<u8>> {
    let mut windows = HashSet::new();
    for file in files {
        if let Ok(bytes) = std::fs::read(file) {
            windows.extend(bytes.windows(WINDOW).map(<[u8]>::to_vec));
        }
    }
    windows
}

/// The secrets in a state record: the own path secrets and the epoch's key schedule.
fn state_secrets(body: &[u8]) -> Vec<Secret> {
    let mut reader = Reader::with_budget(body, 1 << 24);
    GroupContext::decode(&mut reader).expect("context");
    u32::decode(&mut reader).expect("own leaf");
    let mut secrets: Vec<Secret> = Vec::decode(&mut reader).expect("own path secrets");
    let epoch = EpochSecrets::<Suite>::decode_state(&mut reader).expect("epoch secrets");
    secrets.extend(
        [
            epoch.joiner_secret,
            epoch.welcome_secret,
            epoch.sender_data_secret,
            epoch.exporter_secret,
            epoch.epoch_authenticator,
            epoch.external_secret,
            epoch.confirmation_key,
            epoch.membership_key,
            epoch.resumption_psk,
            epoch.init_secret,
        ]
        .into_iter()
        .filter(|secret| !secret.is_empty()),
    );
    secrets
}

/// The `WINDOW`-byte runs of `old` bodies that no current body holds, and that the files
/// still hold: what should be gone and is not.
fn left_behind(
    old: &[(RecordKey, Vec<u8>)],
    current: &[(RecordKey, Vec<u8>)],
    files: &HashSet<Vec<u8>>,
) -> Vec<(RecordKey, usize)> {
    let still_current: HashSet<&[u8]> = current
        .iter()
        .flat_map(|(_, body)| body.windows(WINDOW))
        .collect();
    let mut found = Vec::new();
    for (key, body) in old {
        for (offset, window) in body.windows(WINDOW).enumerate() {
            if !still_current.contains(window) && files.contains(window) {
                found.push((key.clone(), offset));
            }
        }
    }
    found
}

fn contains_secret(files: &HashSet<Vec<u8>>, secret: &Secret) -> bool {
    secret
        .as_bytes()
        .windows(WINDOW)
        .any(|window| files.contains(window))
}

#[test]
fn an_epoch_that_left_the_window_leaves_nothing_in_the_files() {
    let mut rng = StdRng::seed_from_u64(7);
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = GroupConfig::default();
    config.past_epochs = 1;
    let store = SqliteStore::open(dir.path().join("carol.sqlite")).expect("open");
    let files = store.files();
    let storage = Storage::new(store, StorageKey::insecure_plaintext()).into_shared();

    // Alice makes the group with Bob and Carol; Carol is kept in SQLite.
    let bob = Identity::<Suite>::new_with_rng("bob", &mut rng);
    let carol = Identity::<Suite>::new_with_rng("carol", &mut rng);
    let bob_kp = bob.key_package_with_rng(&mut rng).expect("kp");
    let carol_kp = carol.key_package_with_rng(&mut rng).expect("kp");
    storage
        .lock()
        .expect("storage")
        .save_key_package(&carol_kp, &carol)
        .expect("save");
    let (mut alice, welcome) = Group::<Suite>::initiate_with_rng(
        Identity::new_with_rng("alice", &mut rng),
        b"fs on disk".to_vec(),
        &[bob_kp.key_package().clone(), carol_kp.key_package().clone()],
        config,
        &mut rng,
    )
    .expect("initiate");
    let mut bob = Group::join(&welcome, &bob_kp, bob, config).expect("bob joins");
    let mut carol = Group::<Suite>::join_from_storage(&storage, &welcome, config).expect("join");
    let group_id = carol.group_id().to_vec();
    let mut position = 0;

    // Carol updates (her first path secrets replace the ones Alice chose), then reads a message
    // in the epoch that will leave: her secret tree moves.
    let pending = carol.commit_update_with_rng(&mut rng).expect("update");
    let message = pending.message().to_vec();
    alice.process_message(&message).expect("alice");
    bob.process_message(&message).expect("bob");
    carol.merge_pending_commit(pending).expect("merge");
    let hello = bob
        .encrypt_application_with_rng(b"hello", &mut rng)
        .expect("encrypt");
    for group in [&mut alice, &mut carol] {
        group.process_message_at(position, &hello).expect("process");
    }
    bob.set_log_position(position + 1).expect("position");
    position += 1;

    // Epoch E as stored, with its secrets.
    let epoch_e = carol.epoch();
    let old = record_bodies(&storage, &group_id);
    let (_, old_state) = old
        .iter()
        .find(|(key, _)| key.kind == RecordKind::GroupState)
        .expect("state");
    let old_secrets = state_secrets(old_state);
    assert!(
        old_secrets.len() >= 12,
        "own path secrets and epoch secrets"
    );

    // Carol updates again: her path secrets are replaced; E is kept as a past epoch.
    let pending = carol.commit_update_with_rng(&mut rng).expect("update");
    let message = pending.message().to_vec();
    alice.process_message_at(position, &message).expect("alice");
    bob.process_message_at(position, &message).expect("bob");
    carol
        .merge_pending_commit_at(position, pending)
        .expect("merge");
    position += 1;
    assert_eq!(carol.epoch(), epoch_e + 1);

    // While E is in the window its sender-data secret is in the store, and the check finds it:
    // the check can fail.
    // The key schedule's ten secrets come last, sender_data_secret third among them.
    let sender_data = &old_secrets[old_secrets.len() - 8];
    let windows = file_windows(&files);
    assert!(
        contains_secret(&windows, sender_data),
        "the past epoch's record should hold its sender-data secret"
    );

    // Alice removes Bob: E leaves Carol's window.
    let pending = alice
        .commit_remove_with_rng(&[LeafIndex(1)], &mut rng)
        .expect("remove");
    let message = pending.message().to_vec();
    assert!(matches!(
        bob.process_message_at(position, &message),
        Ok(Received::Removed { .. })
    ));
    carol.process_message_at(position, &message).expect("carol");
    alice
        .merge_pending_commit_at(position, pending)
        .expect("merge");
    assert_eq!(carol.epoch(), epoch_e + 2);
    assert_eq!(carol.epoch_authenticator(), alice.epoch_authenticator());

    let current = record_bodies(&storage, &group_id);
    assert!(
        current
            .iter()
            .all(|(key, _)| key.kind != RecordKind::PastEpoch || key.index == epoch_e + 1),
        "only epoch E + 1 is kept"
    );
    let windows = file_windows(&files);
    for (i, secret) in old_secrets.iter().enumerate() {
        assert!(
            !contains_secret(&windows, secret),
            "secret {i} of epoch {epoch_e} (own path secrets first, then the key schedule) is still in the files"
        );
    }
    let behind = left_behind(&old, &current, &windows);
    assert!(
        behind.is_empty(),
        "bytes of epoch {epoch_e}'s records that no current record holds are still in the files: {:?}",
        &behind[..behind.len().min(5)]
    );
}
