//! The shared engine checks on SQLite (and on the in-memory store, as the reference), and what
//! is SQLite's own: reopening, schema versions, damaged files, the lock between processes.

use std::path::Path;
use std::process::Command;

use artmls::storage::test_suite::verify_store;
use artmls::storage::{
    MemoryStore, Operation, Record, RecordKey, RecordKind, Store, StoreError, StoreInfo,
    Transaction,
};
use artmls_sqlite::{SCHEMA_VERSION, SqliteOptions, SqliteStore, Synchronous};
use tempfile::TempDir;

fn record(body: &[u8]) -> Record {
    Record {
        suite: 1,
        epoch: 3,
        generation: 4,
        body: body.to_vec(),
    }
}

fn put(store: &mut dyn Store, key: &RecordKey, body: &[u8]) {
    let mut transaction = Transaction::new();
    transaction.put(key.clone(), record(body));
    store.apply(&transaction).expect("apply");
}

fn raw_user_version(path: &Path) -> i64 {
    let connection = rusqlite::Connection::open(path).expect("raw open");
    connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("read user_version")
}

#[test]
fn memory_store_passes_the_engine_checks() {
    verify_store(&mut || Box::new(MemoryStore::new()));
}

#[test]
fn sqlite_store_passes_the_engine_checks() {
    let mut dirs = Vec::new();
    verify_store(&mut || {
        let dir = TempDir::new().expect("temp dir");
        let store = SqliteStore::open(dir.path().join("store.db")).expect("open");
        dirs.push(dir);
        Box::new(store)
    });
}

#[test]
fn sqlite_store_passes_the_engine_checks_with_relaxed_sync() {
    let mut dirs = Vec::new();
    verify_store(&mut || {
        let dir = TempDir::new().expect("temp dir");
        let mut options = SqliteOptions::default();
        options.synchronous = Synchronous::Off;
        let store = SqliteStore::open_with(dir.path().join("store.db"), options).expect("open");
        dirs.push(dir);
        Box::new(store)
    });
}

#[test]
fn reopening_keeps_the_records() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("store.db");
    let key = RecordKey::new(b"group".as_slice(), RecordKind::TreeNode, u64::MAX);
    {
        let mut store = SqliteStore::open(&path).expect("open");
        put(&mut store, &key, b"kept");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(store.get(&key).expect("get"), Some(record(b"kept")));
    assert_eq!(
        store.scopes(RecordKind::TreeNode).expect("scopes"),
        vec![b"group".to_vec()]
    );
}

#[test]
fn schema_version_is_stamped() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("store.db");
    let store = SqliteStore::open(&path).expect("open");
    let info = store.info().expect("info");
    assert_eq!(info.engine, "sqlite");
    assert_eq!(info.schema_version, 1);
    assert_eq!(SCHEMA_VERSION, 1);
    assert!(info.size_bytes.is_some_and(|size| size > 0), "{info:?}");
    drop(store);
    assert_eq!(raw_user_version(&path), 1);
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("store.db");
    {
        let connection = rusqlite::Connection::open(&path).expect("raw open");
        connection
            .execute_batch("CREATE TABLE future (x BLOB); PRAGMA user_version = 99;")
            .expect("raw setup");
    }
    let before = std::fs::read(&path).expect("read file");
    match SqliteStore::open(&path) {
        Err(StoreError::NewerSchema { found, supported }) => {
            assert_eq!((found, supported), (99, SCHEMA_VERSION));
        }
        other => panic!("a version 99 database opened as {other:?}"),
    }
    assert_eq!(
        std::fs::read(&path).expect("read file"),
        before,
        "the file was changed"
    );
    assert_eq!(raw_user_version(&path), 99);
}

#[test]
fn a_version_0_file_is_migrated() {
    let dir = TempDir::new().expect("temp dir");
    // An empty file, and an SQLite database with user_version 0 and no tables.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("write");
    let blank = dir.path().join("blank.db");
    {
        let connection = rusqlite::Connection::open(&blank).expect("raw open");
        connection
            .execute_batch(
                "PRAGMA user_version = 0; CREATE TABLE unrelated (x); DROP TABLE unrelated;",
            )
            .expect("raw setup");
    }
    for path in [empty, blank] {
        let mut store = SqliteStore::open(&path).expect("open a version 0 file");
        assert_eq!(store.info().expect("info").schema_version, 1);
        let key = RecordKey::new(b"g".as_slice(), RecordKind::GroupState, 0);
        put(&mut store, &key, b"x");
        assert_eq!(store.get(&key).expect("get"), Some(record(b"x")));
        drop(store);
        assert_eq!(raw_user_version(&path), 1);
    }
}

#[test]
fn random_bytes_are_an_error_not_a_panic() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("noise.db");
    // Bytes from a fixed xorshift sequence: not a database header, whatever the seed.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let noise: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(&path, &noise).expect("write");
    match SqliteStore::open(&path) {
        Err(StoreError::Corrupt(_)) => {}
        Err(other) => panic!("random bytes give {other:?}, expected Corrupt"),
        Ok(_) => panic!("random bytes open as a store"),
    }
    assert_eq!(
        std::fs::read(&path).expect("read"),
        noise,
        "the file was changed"
    );

    // A real database whose pages after the header are overwritten: an error, at open or at
    // the first read, never a panic.
    let damaged = dir.path().join("damaged.db");
    {
        let mut store = SqliteStore::open(&damaged).expect("open");
        for index in 0..200u64 {
            put(
                &mut store,
                &RecordKey::new(b"g".as_slice(), RecordKind::TreeNode, index),
                &[index as u8; 300],
            );
        }
    }
    let mut bytes = std::fs::read(&damaged).expect("read");
    for (i, byte) in bytes.iter_mut().enumerate().skip(100) {
        *byte = noise[i % noise.len()];
    }
    std::fs::write(&damaged, &bytes).expect("write");
    if let Ok(store) = SqliteStore::open(&damaged) {
        assert!(
            store.scan(b"g", RecordKind::TreeNode).is_err(),
            "a database with its pages overwritten scans without error"
        );
    }
}

/// Set in the child process that `a_second_process_gets_locked` starts: the database it opens.
const CHILD_PATH: &str = "ARTMLS_SQLITE_TEST_CHILD_PATH";

/// The child's side of `a_second_process_gets_locked`; does nothing when run on its own.
#[test]
fn second_process_child() {
    let Some(path) = std::env::var_os(CHILD_PATH) else {
        return;
    };
    let outcome = match SqliteStore::open(&path) {
        Ok(store) => match store.scan(b"g", RecordKind::GroupState) {
            Ok(records) => format!("opened with {} records", records.len()),
            Err(error) => format!("opened, scan failed: {error:?}"),
        },
        Err(StoreError::Locked) => "locked".to_string(),
        Err(other) => format!("error {other:?}"),
    };
    println!("CHILD OUTCOME: {outcome}");
}

fn open_from_child(path: &Path) -> String {
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "second_process_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_PATH, path)
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child failed: {stdout}");
    stdout
        .lines()
        // libtest prints the test's name on the same line as what the test prints.
        .find_map(|line| {
            line.split_once("CHILD OUTCOME: ")
                .map(|(_, outcome)| outcome)
        })
        .unwrap_or_else(|| panic!("the child said nothing: {stdout}"))
        .to_string()
}

#[test]
fn a_second_process_gets_locked() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("store.db");
    let mut store = SqliteStore::open(&path).expect("open");
    put(
        &mut store,
        &RecordKey::new(b"g".as_slice(), RecordKind::GroupState, 0),
        b"x",
    );

    assert_eq!(open_from_child(&path), "locked");
    // The same process, on another connection: locked too.
    assert!(matches!(SqliteStore::open(&path), Err(StoreError::Locked)));
    // The holder is unharmed.
    assert_eq!(
        store
            .scan(b"g", RecordKind::GroupState)
            .expect("scan")
            .len(),
        1
    );
    put(
        &mut store,
        &RecordKey::new(b"g".as_slice(), RecordKind::GroupState, 1),
        b"y",
    );

    drop(store);
    assert_eq!(open_from_child(&path), "opened with 2 records");
}

/// A store with one defect, to show that `verify_store` notices it.
#[derive(Clone, Copy)]
enum Defect {
    /// `scan` orders indices as signed integers.
    SignedOrder,
    /// `scopes` lists a scope once per record.
    DuplicateScopes,
    /// `DeleteFrom` deletes the whole scope and kind, ignoring `from`.
    DeleteFromIgnoresIndex,
    /// Bodies lose their last byte.
    TruncatedBody,
}

struct Defective(MemoryStore, Defect);

impl Store for Defective {
    fn get(&self, key: &RecordKey) -> Result<Option<Record>, StoreError> {
        let mut record = self.0.get(key)?;
        if let (Some(record), Defect::TruncatedBody) = (record.as_mut(), self.1) {
            record.body.pop();
        }
        Ok(record)
    }

    fn scan(&self, scope: &[u8], kind: RecordKind) -> Result<Vec<(u64, Record)>, StoreError> {
        let mut records = self.0.scan(scope, kind)?;
        if let Defect::SignedOrder = self.1 {
            records.sort_by_key(|(index, _)| *index as i64);
        }
        Ok(records)
    }

    fn scopes(&self, kind: RecordKind) -> Result<Vec<Vec<u8>>, StoreError> {
        let scopes = self.0.scopes(kind)?;
        if let Defect::DuplicateScopes = self.1 {
            let mut all = Vec::new();
            for scope in scopes {
                for _ in self.0.scan(&scope, kind)? {
                    all.push(scope.clone());
                }
            }
            return Ok(all);
        }
        Ok(scopes)
    }

    fn apply(&mut self, transaction: &Transaction) -> Result<(), StoreError> {
        if let Defect::DeleteFromIgnoresIndex = self.1 {
            let mut changed = Transaction::new();
            for operation in transaction.operations() {
                match operation {
                    Operation::DeleteFrom { scope, kind, .. } => {
                        changed.delete_from(scope, *kind, 0)
                    }
                    Operation::Put(key, record) => changed.put(key.clone(), record.clone()),
                    Operation::Delete(key) => changed.delete(key.clone()),
                }
            }
            return self.0.apply(&changed);
        }
        self.0.apply(transaction)
    }

    fn info(&self) -> Result<StoreInfo, StoreError> {
        Ok(StoreInfo::new("defective", 1, None))
    }
}

fn verify_defective(defect: Defect) {
    verify_store(&mut || Box::new(Defective(MemoryStore::new(), defect)));
}

#[test]
#[should_panic(expected = "defective: scan")]
fn the_checks_catch_signed_index_order() {
    verify_defective(Defect::SignedOrder);
}

#[test]
#[should_panic(expected = "defective: scopes")]
fn the_checks_catch_duplicate_scopes() {
    verify_defective(Defect::DuplicateScopes);
}

#[test]
#[should_panic(expected = "defective: delete_from")]
fn the_checks_catch_delete_from_ignoring_its_index() {
    verify_defective(Defect::DeleteFromIgnoresIndex);
}

#[test]
#[should_panic(expected = "defective:")]
fn the_checks_catch_a_truncated_body() {
    verify_defective(Defect::TruncatedBody);
}
