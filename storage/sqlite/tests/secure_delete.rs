//! What a transaction replaced or deleted is gone from every file of the store: not in free
//! space of the database (secure_delete) and not in old frames of the WAL (the checkpoint
//! after each transaction).

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use artmls::storage::{Record, RecordKey, RecordKind, Store, Transaction};
use artmls_sqlite::SqliteStore;
use tempfile::TempDir;

/// 64 bytes no file holds by chance: drawn from the standard library's random hash keys.
fn secret() -> Vec<u8> {
    let state = RandomState::new();
    (0u64..8)
        .flat_map(|i| state.hash_one(i).to_le_bytes())
        .collect()
}

fn record(body: &[u8]) -> Record {
    Record {
        suite: 1,
        epoch: 1,
        generation: 1,
        body: body.to_vec(),
    }
}

/// Every file of the store, as bytes, with its name.
fn files(store: &SqliteStore) -> Vec<(String, Vec<u8>)> {
    store
        .files()
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).ok()?;
            Some((path.display().to_string(), bytes))
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Asserts no 16-byte window of `old` is in any file, and `new` (if any) is in one.
fn assert_gone(store: &SqliteStore, old: &[u8], new: Option<&[u8]>, what: &str) {
    let files = files(store);
    for (name, bytes) in &files {
        for window in old.windows(16) {
            assert!(
                !contains(bytes, window),
                "{what}: {name} still holds 16 bytes of the old body"
            );
        }
    }
    if let Some(new) = new {
        assert!(
            files.iter().any(|(_, bytes)| contains(bytes, new)),
            "{what}: no file holds the new body"
        );
    }
}

/// A store with the secret at a key, between neighbours so its page stays in use.
fn store_with_secret(dir: &TempDir, key: &RecordKey, old: &[u8]) -> SqliteStore {
    let mut store = SqliteStore::open(dir.path().join("store.db")).expect("open");
    let mut transaction = Transaction::new();
    transaction.scrub_replaced();
    for index in 0..4u64 {
        transaction.put(
            RecordKey::new(b"group".as_slice(), RecordKind::TreeNode, index),
            record(&[0x5a; 64]),
        );
    }
    transaction.put(key.clone(), record(old));
    store.apply(&transaction).expect("apply");
    // The secret is there to begin with, or the checks below prove nothing.
    assert!(
        files(&store).iter().any(|(_, bytes)| contains(bytes, old)),
        "the secret was never written to a file"
    );
    store
}

#[test]
fn an_overwritten_body_is_gone() {
    let dir = TempDir::new().expect("temp dir");
    let key = RecordKey::new(b"group".as_slice(), RecordKind::TreeNode, 2);
    let old = secret();
    let mut store = store_with_secret(&dir, &key, &old);
    // A longer body, so SQLite writes it to a new cell and frees the old one rather than
    // overwriting it in place (which would hide a missing secure_delete).
    let mut new = secret();
    new.extend_from_slice(&secret()[..40]);
    let mut transaction = Transaction::new();
    transaction.scrub_replaced();
    transaction.put(key.clone(), record(&new));
    store.apply(&transaction).expect("apply");
    assert_gone(&store, &old, Some(&new), "overwrite");
    // And after closing, when SQLite checkpoints and removes the WAL on its own.
    drop(store);
    let store = SqliteStore::open(dir.path().join("store.db")).expect("reopen");
    assert_eq!(store.get(&key).expect("get"), Some(record(&new)));
    assert_gone(&store, &old, Some(&new), "overwrite, reopened");
}

#[test]
fn a_deleted_body_is_gone() {
    let dir = TempDir::new().expect("temp dir");
    let key = RecordKey::new(b"group".as_slice(), RecordKind::TreeNode, 2);
    let old = secret();
    let mut store = store_with_secret(&dir, &key, &old);
    let mut transaction = Transaction::new();
    transaction.scrub_replaced();
    transaction.delete(key.clone());
    store.apply(&transaction).expect("apply");
    assert_eq!(store.get(&key).expect("get"), None);
    assert_gone(&store, &old, None, "delete");
}

#[test]
fn a_body_deleted_by_range_is_gone() {
    let dir = TempDir::new().expect("temp dir");
    let key = RecordKey::new(b"group".as_slice(), RecordKind::PastEpoch, 7);
    let old = secret();
    let mut store = store_with_secret(&dir, &key, &old);
    let mut transaction = Transaction::new();
    transaction.scrub_replaced();
    transaction.delete_from(b"group", RecordKind::PastEpoch, 5);
    store.apply(&transaction).expect("apply");
    assert_eq!(store.get(&key).expect("get"), None);
    assert_gone(&store, &old, None, "delete_from");
}
