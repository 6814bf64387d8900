//! Every provider keeps its groups in SQLite stores through the erased API, and a store is
//! the suite's, not the provider's: a group written with one provider loads with any other
//! that serves its suite, and a provider that does not serve it says so.

use artmls::group::{GroupConfig, Received};
use artmls::storage::{SharedStorage, Storage, StorageKey};
use artmls::{AnyGroup, AnyGroupError, Provider, SuiteId};
use artmls_crypto::test_suite::rng::seeded;
use artmls_sqlite::SqliteStore;

fn open(dir: &std::path::Path, name: &str) -> SharedStorage {
    let store = SqliteStore::open(dir.join(format!("{name}.sqlite"))).expect("open");
    Storage::new(store, StorageKey::new([name.len() as u8; 32])).into_shared()
}

/// Alice makes a group of three with `provider`; Bob and Carol join from their stores; Bob
/// updates and sends. Returns the stores and the members.
fn stored_group(
    provider: &'static dyn Provider,
    suite: SuiteId,
    dir: &std::path::Path,
) -> (Vec<SharedStorage>, Vec<AnyGroup>) {
    let mut rng = seeded(u64::from(suite.0));
    let config = GroupConfig::default();
    let stores: Vec<SharedStorage> = ["alice", "bob", "carol"]
        .iter()
        .map(|name| open(dir, name))
        .collect();
    let mut alice = provider
        .create(suite, b"alice", b"stored", config, &mut rng)
        .expect("create");
    alice.attach_storage(&stores[0]).expect("attach");
    let mut key_packages = Vec::new();
    for (name, storage) in ["bob", "carol"].iter().zip(&stores[1..]) {
        let identity = provider
            .identity(suite, name.as_bytes(), &mut rng)
            .expect("identity");
        let bundle = identity.key_package_with_rng(&mut rng).expect("kp");
        bundle
            .save_to(&mut storage.lock().expect("storage"), &identity)
            .expect("save the KeyPackage");
        key_packages.push(bundle.key_package().clone());
    }
    let pending = alice
        .commit_add_with_rng(&key_packages, &mut rng)
        .expect("add");
    let welcome = pending.welcome().expect("welcome").to_vec();
    alice.merge_pending_commit_at(0, pending).expect("merge");
    let mut members = vec![alice];
    for storage in &stores[1..] {
        let mut member = provider
            .join_from_storage(storage, &welcome, config)
            .expect("join from storage");
        member.set_log_position(1).expect("position");
        members.push(member);
    }
    let pending = members[1].commit_update_with_rng(&mut rng).expect("update");
    let message = pending.message().to_vec();
    for i in [0, 2] {
        members[i].process_message_at(1, &message).expect("process");
    }
    members[1]
        .merge_pending_commit_at(1, pending)
        .expect("merge");
    let text = members[1]
        .encrypt_application_with_rng(b"stored", &mut rng)
        .expect("encrypt");
    for i in [0, 2] {
        assert!(matches!(
            members[i].process_message_at(2, &text),
            Ok(Received::Application { .. })
        ));
    }
    members[1].set_log_position(3).expect("position");
    (stores, members)
}

#[test]
fn every_provider_keeps_and_loads_its_groups_in_sqlite() {
    let mut checked = 0;
    for provider in artmls_providers::all() {
        for &suite in provider.suites() {
            let dir = tempfile::tempdir().expect("temporary directory");
            let (stores, members) = stored_group(*provider, suite, dir.path());
            let authenticator = members[0].epoch_authenticator().clone();
            drop(members);
            for other in artmls_providers::all() {
                for storage in &stores {
                    let loaded = other.load(storage, b"stored");
                    if other.serves(suite) {
                        let loaded = loaded.unwrap_or_else(|error| {
                            panic!(
                                "{} {suite} loaded by {}: {error}",
                                provider.name(),
                                other.name()
                            )
                        });
                        assert_eq!(loaded.epoch_authenticator(), &authenticator);
                        assert_eq!(loaded.log_position(), 3);
                        assert_eq!(loaded.suite(), suite);
                    } else {
                        assert!(
                            matches!(loaded, Err(AnyGroupError::UnsupportedSuite { .. })),
                            "{} does not serve {suite}",
                            other.name()
                        );
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 9, "every provider and suite: {checked}");
}
