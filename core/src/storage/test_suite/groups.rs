//! Checks of the group state kept in a store: what an engine must do for groups to survive a
//! restart, and what the sealing must refuse.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use artmls_crypto::test_suite::rng::seeded;
use rand_core::CryptoRng;

use crate::group::{Group, GroupConfig, GroupError, Identity, Received};
use crate::storage::{
    Operation, Record, RecordKey, RecordKind, SharedStorage, Storage, StorageKey, Store,
    StoreError, StoreInfo, Transaction,
};
use crate::suite::CipherSuite;
use crate::tree_math::LeafIndex;

/// Checks the group state kept in stores that `fresh` makes, new and empty each time, for
/// suite `S`: every state written reads back byte for byte; a commit writes O(log n) records;
/// past epochs decrypt late messages within the window and leave the store beyond it;
/// KeyPackages open one Welcome; a record changed, moved, rolled back, missing or left over is
/// refused; a failed write leaves the store as it was and the group refusing work.
pub fn verify_group_storage<S: CipherSuite>(fresh: &mut dyn FnMut() -> Box<dyn Store>) {
    every_change_reads_back::<S>(fresh);
    a_commit_writes_what_changed::<S>(fresh);
    past_epochs_decrypt_late_messages_within_the_window::<S>(fresh);
    key_packages_open_one_welcome::<S>(fresh);
    tampered_records_are_refused::<S>(fresh);
    a_failed_write_changes_nothing_stored::<S>(fresh);
}

/// What a test sees of a store: every transaction applied, and a switch that makes the next
/// ones fail.
#[derive(Clone, Default)]
struct Probe {
    applied: Arc<Mutex<Vec<Transaction>>>,
    fail: Arc<AtomicBool>,
}

impl Probe {
    fn last(&self) -> Transaction {
        self.applied
            .lock()
            .expect("probe")
            .last()
            .cloned()
            .expect("a transaction was applied")
    }

    fn count(&self) -> usize {
        self.applied.lock().expect("probe").len()
    }
}

struct Probed {
    inner: Box<dyn Store>,
    probe: Probe,
}

impl Store for Probed {
    fn get(&self, key: &RecordKey) -> Result<Option<Record>, StoreError> {
        self.inner.get(key)
    }
    fn scan(&self, scope: &[u8], kind: RecordKind) -> Result<Vec<(u64, Record)>, StoreError> {
        self.inner.scan(scope, kind)
    }
    fn scopes(&self, kind: RecordKind) -> Result<Vec<Vec<u8>>, StoreError> {
        self.inner.scopes(kind)
    }
    fn apply(&mut self, transaction: &Transaction) -> Result<(), StoreError> {
        if self.probe.fail.load(Ordering::SeqCst) {
            return Err(StoreError::Engine("a failure injected by the test".into()));
        }
        self.inner.apply(transaction)?;
        self.probe
            .applied
            .lock()
            .expect("probe")
            .push(transaction.clone());
        Ok(())
    }
    fn info(&self) -> Result<StoreInfo, StoreError> {
        self.inner.info()
    }
}

struct Device<S: CipherSuite> {
    storage: SharedStorage,
    probe: Probe,
    group: Option<Group<S>>,
}

impl<S: CipherSuite> Device<S> {
    fn new(fresh: &mut dyn FnMut() -> Box<dyn Store>, seed: u8) -> Self {
        let probe = Probe::default();
        let store = Probed {
            inner: fresh(),
            probe: probe.clone(),
        };
        Device {
            storage: Storage::new(store, StorageKey::new([seed; 32])).into_shared(),
            probe,
            group: None,
        }
    }

    fn group(&mut self) -> &mut Group<S> {
        self.group.as_mut().expect("a member")
    }

    /// Checks the store holds exactly the group in memory.
    fn check_stored(&self, what: &str) {
        let group = self.group.as_ref().expect("a member");
        let loaded = Group::<S>::load(&self.storage, group.group_id())
            .unwrap_or_else(|error| panic!("{what}: loading failed: {error}"));
        assert_eq!(
            loaded.to_bytes().expect("to_bytes").as_bytes(),
            group.to_bytes().expect("to_bytes").as_bytes(),
            "{what}: the stored state differs from the state in memory"
        );
        assert_eq!(loaded.storage_generation(), group.storage_generation());
    }

    fn store_with<T>(&self, f: impl FnOnce(&mut dyn Store) -> T) -> T {
        let mut storage = self.storage.lock().expect("storage");
        f(storage.store_mut())
    }
}

fn config(past_epochs: u32) -> GroupConfig {
    GroupConfig {
        past_epochs,
        ..GroupConfig::default()
    }
}

/// A group of `n`, each member on its own device and store: the first makes it with an
/// Initiate, the others join from the KeyPackages their stores keep.
fn group_of<S: CipherSuite>(
    n: usize,
    past_epochs: u32,
    fresh: &mut dyn FnMut() -> Box<dyn Store>,
    rng: &mut dyn CryptoRng,
) -> Vec<Device<S>> {
    let mut devices: Vec<Device<S>> = (0..n).map(|i| Device::new(fresh, i as u8 + 1)).collect();
    let mut key_packages = Vec::new();
    for (i, device) in devices.iter().enumerate().skip(1) {
        let identity = Identity::<S>::new_with_rng(format!("member {i}"), rng);
        let bundle = identity.key_package_with_rng(rng).expect("key package");
        key_packages.push(bundle.key_package().clone());
        device
            .storage
            .lock()
            .expect("storage")
            .save_key_package(&bundle, &identity)
            .expect("save key package");
    }
    let creator = Identity::<S>::new_with_rng("member 0", rng);
    let (mut group, welcome) = Group::initiate_with_rng(
        creator,
        b"stored group".to_vec(),
        &key_packages,
        config(past_epochs),
        rng,
    )
    .expect("initiate");
    group.attach_storage(&devices[0].storage).expect("attach");
    devices[0].group = Some(group);
    for device in devices.iter_mut().skip(1) {
        let group = Group::<S>::join_from_storage(&device.storage, &welcome, config(past_epochs))
            .expect("join from storage");
        device.group = Some(group);
    }
    devices
}

/// Member `committer` makes an update; every other active member processes it at `position`.
fn update<S: CipherSuite>(
    devices: &mut [Device<S>],
    committer: usize,
    position: u64,
    rng: &mut dyn CryptoRng,
) {
    let pending = devices[committer]
        .group()
        .commit_update_with_rng(rng)
        .expect("update");
    let message = pending.message().to_vec();
    for (i, device) in devices.iter_mut().enumerate() {
        if i != committer && device.group.is_some() {
            device
                .group()
                .process_message_at(position, &message)
                .expect("process update");
        }
    }
    devices[committer]
        .group()
        .merge_pending_commit_at(position, pending)
        .expect("merge update");
}

fn agree<S: CipherSuite>(devices: &mut [Device<S>], what: &str) {
    let first = devices
        .iter()
        .find_map(|d| d.group.as_ref())
        .expect("a member")
        .epoch_authenticator()
        .clone();
    for device in devices.iter().filter(|d| d.group.is_some()) {
        assert_eq!(
            device.group.as_ref().expect("member").epoch_authenticator(),
            &first,
            "{what}: members disagree"
        );
        device.check_stored(what);
    }
}

fn every_change_reads_back<S: CipherSuite>(fresh: &mut dyn FnMut() -> Box<dyn Store>) {
    let mut rng = seeded(11);
    let mut devices = group_of::<S>(4, 1, fresh, &mut rng);
    agree(&mut devices, "after the joins");
    let mut position = 0;
    // Newcomers update first.
    for committer in [1, 2, 3, 0] {
        let before = devices[committer]
            .group()
            .storage_generation()
            .expect("stored");
        update(&mut devices, committer, position, &mut rng);
        position += 1;
        assert_eq!(
            devices[committer].group().storage_generation(),
            Some(before + 1),
            "one transaction per merged commit"
        );
        agree(&mut devices, "after an update");
    }
    for device in &mut devices {
        assert_eq!(device.group().log_position(), position, "the read position");
    }

    // An add: the newcomer joins from its own store.
    let mut newcomer = Device::<S>::new(fresh, 9);
    let identity = Identity::<S>::new_with_rng("newcomer", &mut rng);
    let bundle = identity.key_package_with_rng(&mut rng).expect("kp");
    newcomer
        .storage
        .lock()
        .expect("storage")
        .save_key_package(&bundle, &identity)
        .expect("save");
    let pending = devices[2]
        .group()
        .commit_add_with_rng(&[bundle.key_package().clone()], &mut rng)
        .expect("add");
    let welcome = pending.welcome().expect("welcome").to_vec();
    let message = pending.message().to_vec();
    for i in [0, 1, 3] {
        devices[i]
            .group()
            .process_message_at(position, &message)
            .expect("process add");
    }
    devices[2]
        .group()
        .merge_pending_commit_at(position, pending)
        .expect("merge add");
    position += 1;
    newcomer.group =
        Some(Group::<S>::join_from_storage(&newcomer.storage, &welcome, config(1)).expect("join"));
    newcomer
        .group()
        .set_log_position(position)
        .expect("position");
    devices.push(newcomer);
    agree(&mut devices, "after an add");

    // Application messages, each read in its own transaction.
    for sender in 0..devices.len() {
        let data = format!("message from {sender}").into_bytes();
        let message = devices[sender]
            .group()
            .encrypt_application_with_rng(&data, &mut rng)
            .expect("encrypt");
        devices[sender].check_stored("after encrypting");
        for (i, device) in devices.iter_mut().enumerate() {
            if i == sender {
                device
                    .group()
                    .set_log_position(position + 1)
                    .expect("skip own");
                continue;
            }
            match device.group().process_message_at(position, &message) {
                Ok(Received::Application { data: got, .. }) => assert_eq!(got, data),
                other => panic!("an application message: {other:?}"),
            }
            device.check_stored("after decrypting");
            // The same position again is refused: nothing is processed twice.
            assert!(matches!(
                device.group().process_message_at(position, &message),
                Err(GroupError::AlreadyProcessed { .. })
            ));
        }
        position += 1;
    }

    // A removal: the removed member's store says so, then forgets the group.
    let pending = devices[0]
        .group()
        .commit_remove_with_rng(&[LeafIndex(1)], &mut rng)
        .expect("remove");
    let message = pending.message().to_vec();
    for (i, device) in devices.iter_mut().enumerate().skip(1) {
        let received = device
            .group()
            .process_message_at(position, &message)
            .expect("process remove");
        if i == 1 {
            assert!(matches!(received, Received::Removed { .. }));
        }
    }
    devices[0]
        .group()
        .merge_pending_commit_at(position, pending)
        .expect("merge remove");
    devices[1].check_stored("the removed member");
    let removed = devices.remove(1);
    let loaded = Group::<S>::load(&removed.storage, b"stored group").expect("load");
    assert!(matches!(
        loaded.commit_update_with_rng(&mut rng),
        Err(GroupError::NotAMember)
    ));
    removed
        .storage
        .lock()
        .expect("storage")
        .delete_group(b"stored group")
        .expect("delete");
    assert!(matches!(
        Group::<S>::load(&removed.storage, b"stored group"),
        Err(GroupError::Storage(StoreError::NotFound(_)))
    ));
    agree(&mut devices, "after a removal");
}

fn node_puts(transaction: &Transaction) -> usize {
    transaction
        .operations()
        .iter()
        .filter(|op| matches!(op, Operation::Put(key, _) if key.kind == RecordKind::TreeNode))
        .count()
}

fn a_commit_writes_what_changed<S: CipherSuite>(fresh: &mut dyn FnMut() -> Box<dyn Store>) {
    let mut rng = seeded(12);
    let n = 32;
    let mut devices = group_of::<S>(n, 0, fresh, &mut rng);
    let width = 2 * n - 1;
    let attach = devices[0].probe.last();
    assert_eq!(
        node_puts(&attach),
        width,
        "the first write holds every node"
    );
    update(&mut devices, 5, 0, &mut rng);
    // The sender's leaf and its direct path: log2(32) + 1 nodes, for sender and receivers.
    for (i, device) in devices.iter().enumerate() {
        let last = device.probe.last();
        let puts = node_puts(&last);
        assert!(
            (1..=6).contains(&puts),
            "member {i}: an update wrote {puts} tree nodes of {width}"
        );
        assert!(
            last.bytes_written() * 4 < attach.bytes_written(),
            "member {i}: an update wrote {} bytes, the whole state {}",
            last.bytes_written(),
            attach.bytes_written()
        );
    }
    agree(&mut devices, "after the update");
    for (i, device) in devices.iter().enumerate() {
        assert!(
            device.probe.last().scrubs(),
            "member {i}: leaving an epoch scrubs its secrets"
        );
    }
    // A message within the epoch spends a key and moves no epoch: no scrub (until the next
    // epoch change), so a message costs one sync.
    let message = devices[1]
        .group()
        .encrypt_application_with_rng(b"within the epoch", &mut rng)
        .expect("encrypt");
    devices[2]
        .group()
        .process_message_at(1, &message)
        .expect("process");
    assert!(!devices[2].probe.last().scrubs());
    assert_eq!(
        node_puts(&devices[2].probe.last()),
        0,
        "a message writes no tree node"
    );
}

fn past_epochs_decrypt_late_messages_within_the_window<S: CipherSuite>(
    fresh: &mut dyn FnMut() -> Box<dyn Store>,
) {
    let mut rng = seeded(13);
    let mut devices = group_of::<S>(3, 1, fresh, &mut rng);
    let group_id = devices[0].group().group_id().to_vec();
    update(&mut devices, 1, 0, &mut rng);
    update(&mut devices, 2, 1, &mut rng);
    let epoch = devices[0].group().epoch();
    let late = devices[1]
        .group()
        .encrypt_application_with_rng(b"late", &mut rng)
        .expect("encrypt");
    let later = devices[1]
        .group()
        .encrypt_application_with_rng(b"later", &mut rng)
        .expect("encrypt");
    update(&mut devices, 0, 2, &mut rng);
    let past = |device: &Device<S>| -> Vec<u64> {
        device.store_with(|store| {
            store
                .scan(&group_id, RecordKind::PastEpoch)
                .expect("scan")
                .into_iter()
                .map(|(epoch, _)| epoch)
                .collect()
        })
    };
    assert_eq!(
        past(&devices[2]),
        vec![epoch],
        "one past epoch kept, in its own record"
    );

    // Member 2 restarts, then reads the late message of the epoch before.
    let loaded = Group::<S>::load(&devices[2].storage, &group_id).expect("load");
    devices[2].group = Some(loaded);
    match devices[2].group().process_message_at(3, &late) {
        Ok(Received::Application { data, .. }) => assert_eq!(data, b"late"),
        other => panic!("a late message within the window: {other:?}"),
    }
    // Its key is spent, in the store too.
    let loaded = Group::<S>::load(&devices[2].storage, &group_id).expect("load");
    devices[2].group = Some(loaded);
    assert!(
        devices[2].group().process_message(&late).is_err(),
        "a late message read twice"
    );

    // Beyond the window: refused, and the epoch's record is gone.
    update(&mut devices, 1, 4, &mut rng);
    assert_eq!(past(&devices[2]), vec![epoch + 1]);
    assert!(matches!(
        devices[2].group().process_message(&later),
        Err(GroupError::StaleEpoch { .. })
    ));

    // With no window, no past epoch is kept at all.
    let mut devices = group_of::<S>(2, 0, fresh, &mut rng);
    update(&mut devices, 1, 0, &mut rng);
    update(&mut devices, 0, 1, &mut rng);
    assert!(past(&devices[1]).is_empty());
}

fn key_packages_open_one_welcome<S: CipherSuite>(fresh: &mut dyn FnMut() -> Box<dyn Store>) {
    let mut rng = seeded(14);
    let joiner = Device::<S>::new(fresh, 7);
    let identity = Identity::<S>::new_with_rng("joiner", &mut rng);
    let used = identity.key_package_with_rng(&mut rng).expect("kp");
    let spare = identity.key_package_with_rng(&mut rng).expect("kp");
    for bundle in [&used, &spare] {
        joiner
            .storage
            .lock()
            .expect("storage")
            .save_key_package(bundle, &identity)
            .expect("save");
    }
    let key_packages = || joiner.store_with(|s| s.scopes(RecordKind::KeyPackage).expect("scopes"));
    assert_eq!(key_packages().len(), 2);

    let creator = Identity::<S>::new_with_rng("creator", &mut rng);
    let (_, welcome) = Group::initiate_with_rng(
        creator,
        b"single use".to_vec(),
        &[used.key_package().clone()],
        GroupConfig::default(),
        &mut rng,
    )
    .expect("initiate");

    // A damaged Welcome fails, and the KeyPackage stays.
    let mut damaged = welcome.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    assert!(
        Group::<S>::join_from_storage(&joiner.storage, &damaged, GroupConfig::default()).is_err()
    );
    assert_eq!(
        key_packages().len(),
        2,
        "a failed join keeps the KeyPackage"
    );

    let group = Group::<S>::join_from_storage(&joiner.storage, &welcome, GroupConfig::default())
        .expect("join");
    assert_eq!(
        key_packages(),
        vec![spare.key_package().reference::<S>().expect("ref")],
        "the used KeyPackage is gone, the spare stays"
    );
    assert!(group.is_stored());
    // The same Welcome again finds no KeyPackage.
    assert!(matches!(
        Group::<S>::join_from_storage(&joiner.storage, &welcome, GroupConfig::default()),
        Err(GroupError::Storage(StoreError::NotFound(_)))
    ));
}

fn is_refused(result: Result<impl Sized, GroupError>) -> bool {
    matches!(
        result,
        Err(GroupError::Storage(
            StoreError::Tampered { .. } | StoreError::Inconsistent { .. }
        ))
    )
}

fn tampered_records_are_refused<S: CipherSuite>(fresh: &mut dyn FnMut() -> Box<dyn Store>) {
    let mut rng = seeded(15);
    let mut devices = group_of::<S>(4, 1, fresh, &mut rng);
    update(&mut devices, 1, 0, &mut rng);
    let group_id = devices[0].group().group_id().to_vec();
    // A second group on member 0's device, to swap records with.
    let other_identity = Identity::<S>::new_with_rng("alone", &mut rng);
    let mut other =
        Group::<S>::create_with_rng(other_identity, b"other".to_vec(), config(1), &mut rng)
            .expect("create");
    other.attach_storage(&devices[0].storage).expect("attach");

    let device = &devices[0];
    let state_key = RecordKey::new(group_id.as_slice(), RecordKind::GroupState, 0);
    let snapshot: Vec<(RecordKey, Record)> = device.store_with(|store| {
        let mut all = Vec::new();
        for kind in [
            RecordKind::GroupState,
            RecordKind::TreeNode,
            RecordKind::PastEpoch,
        ] {
            for (index, record) in store.scan(&group_id, kind).expect("scan") {
                all.push((RecordKey::new(group_id.as_slice(), kind, index), record));
            }
        }
        all
    });
    assert!(
        snapshot
            .iter()
            .any(|(key, _)| key.kind == RecordKind::PastEpoch),
        "the test needs a past epoch record"
    );
    let put = |key: &RecordKey, record: Record| {
        device.store_with(|store| {
            let mut transaction = Transaction::new();
            transaction.put(key.clone(), record);
            store.apply(&transaction).expect("put")
        })
    };
    let load = || Group::<S>::load(&device.storage, &group_id);
    assert!(load().is_ok());

    // A flipped byte, or other metadata, in every record.
    for (key, record) in &snapshot {
        for position in [0, record.body.len() / 2, record.body.len() - 1] {
            let mut damaged = record.clone();
            damaged.body[position] ^= 0x01;
            put(key, damaged);
            assert!(
                is_refused(load()),
                "a flipped byte in {key:?} at {position}"
            );
        }
        let mut other_epoch = record.clone();
        other_epoch.epoch += 1;
        put(key, other_epoch);
        assert!(
            is_refused(load()),
            "another epoch in the metadata of {key:?}"
        );
        put(key, record.clone());
        assert!(load().is_ok(), "restored {key:?}");
    }

    // Another group's state record under this group's key.
    let other_state = device.store_with(|store| {
        store
            .get(&RecordKey::new(
                b"other".as_slice(),
                RecordKind::GroupState,
                0,
            ))
            .expect("get")
            .expect("the other group")
    });
    put(&state_key, other_state);
    assert!(
        is_refused(load()),
        "a state record swapped in from another group"
    );
    let (_, state) = snapshot
        .iter()
        .find(|(key, _)| *key == state_key)
        .expect("state");
    put(&state_key, state.clone());

    // Older records, put back alone after the group moved on.
    update(&mut devices, 2, 1, &mut rng);
    let device = &devices[0];
    let put = |key: &RecordKey, record: Record| {
        device.store_with(|store| {
            let mut transaction = Transaction::new();
            transaction.put(key.clone(), record);
            store.apply(&transaction).expect("put")
        })
    };
    let load = || Group::<S>::load(&device.storage, &group_id);
    let now = |key: &RecordKey| device.store_with(|store| store.get(key).expect("get"));
    for (key, old) in &snapshot {
        let Some(current) = now(key) else { continue };
        if current == *old {
            continue;
        }
        put(key, old.clone());
        assert!(is_refused(load()), "an older {key:?} put back alone");
        put(key, current);
    }
    assert!(load().is_ok());

    // A node missing, or one left over.
    let nodes =
        device.store_with(|store| store.scan(&group_id, RecordKind::TreeNode).expect("scan"));
    let (last_index, last_record) = nodes.last().cloned().expect("nodes");
    let last_key = RecordKey::new(group_id.as_slice(), RecordKind::TreeNode, last_index);
    device.store_with(|store| {
        let mut transaction = Transaction::new();
        transaction.delete(last_key.clone());
        store.apply(&transaction).expect("delete")
    });
    assert!(is_refused(load()), "a missing tree node");
    put(&last_key, last_record.clone());
    put(
        &RecordKey::new(group_id.as_slice(), RecordKind::TreeNode, last_index + 1),
        last_record,
    );
    assert!(is_refused(load()), "a tree node left over");

    // Another storage key opens nothing.
    let store = device.store_with(|store| {
        let mut copy = crate::storage::MemoryStore::new();
        let mut transaction = Transaction::new();
        for kind in [
            RecordKind::GroupState,
            RecordKind::TreeNode,
            RecordKind::PastEpoch,
        ] {
            for (index, record) in store.scan(&group_id, kind).expect("scan") {
                transaction.put(RecordKey::new(group_id.as_slice(), kind, index), record);
            }
        }
        copy.apply(&transaction).expect("copy");
        copy
    });
    let elsewhere = Storage::new(store, StorageKey::new([0xAA; 32])).into_shared();
    assert!(matches!(
        Group::<S>::load(&elsewhere, &group_id),
        Err(GroupError::Storage(StoreError::Tampered { .. }))
    ));
}

fn a_failed_write_changes_nothing_stored<S: CipherSuite>(
    fresh: &mut dyn FnMut() -> Box<dyn Store>,
) {
    let mut rng = seeded(16);
    let mut devices = group_of::<S>(3, 1, fresh, &mut rng);
    update(&mut devices, 1, 0, &mut rng);
    let group_id = devices[0].group().group_id().to_vec();
    let stored_before = devices[2].group().to_bytes().expect("bytes");
    let pending = devices[0]
        .group()
        .commit_update_with_rng(&mut rng)
        .expect("update");
    let message = pending.message().to_vec();

    let count = devices[2].probe.count();
    devices[2].probe.fail.store(true, Ordering::SeqCst);
    let failed = devices[2].group().process_message_at(1, &message);
    assert!(matches!(
        failed,
        Err(GroupError::Storage(StoreError::Engine(_)))
    ));
    // Memory is ahead of the store now: the group refuses work until loaded again.
    assert!(matches!(
        devices[2]
            .group()
            .encrypt_application_with_rng(b"x", &mut rng),
        Err(GroupError::Storage(StoreError::Unsynced))
    ));
    devices[2].probe.fail.store(false, Ordering::SeqCst);
    assert_eq!(devices[2].probe.count(), count, "nothing was applied");
    let mut reloaded = Group::<S>::load(&devices[2].storage, &group_id).expect("load");
    assert_eq!(
        reloaded.to_bytes().expect("bytes").as_bytes(),
        stored_before.as_bytes(),
        "the store holds the state before the failed write"
    );
    reloaded
        .process_message_at(1, &message)
        .expect("processed again");
    devices[2].group = Some(reloaded);
    devices[1]
        .group()
        .process_message_at(1, &message)
        .expect("process");
    devices[0]
        .group()
        .merge_pending_commit_at(1, pending)
        .expect("merge");
    agree(&mut devices, "after a failed write and a reload");
}
