//! Checks of a storage engine on its own: the semantics of [`MemoryStore`], which every
//! engine must have.
//!
//! [`MemoryStore`]: crate::storage::MemoryStore

use crate::storage::{Record, RecordKey, RecordKind, Store, Transaction};

/// Checks a storage engine: `fresh` makes a new, empty store each time it is called.
///
/// Panics, naming the engine, at the first difference from [`MemoryStore`]'s behaviour.
///
/// [`MemoryStore`]: crate::storage::MemoryStore
pub fn verify_store(fresh: &mut dyn FnMut() -> Box<dyn Store>) {
    let mut store = fresh();
    let engine = store
        .info()
        .map(|info| info.engine)
        .unwrap_or("<info failed>");
    check_info(store.as_ref(), engine);
    check_empty(store.as_mut(), engine);

    check_round_trip(fresh().as_mut(), engine);
    check_overwrite(fresh().as_mut(), engine);
    check_scan(fresh().as_mut(), engine);
    check_scopes(fresh().as_mut(), engine);
    check_delete(fresh().as_mut(), engine);
    check_delete_from(fresh().as_mut(), engine);
    check_order_within_transaction(fresh().as_mut(), engine);
}

/// A record whose fields all differ from those of `record(seed + 1)`.
fn record(seed: u64) -> Record {
    Record {
        suite: 1 + (seed % 7) as u16,
        epoch: 1000 + seed,
        generation: 2000 + seed * 3,
        body: format!("body {seed}").into_bytes(),
    }
}

fn put(store: &mut dyn Store, engine: &str, key: &RecordKey, record: &Record) {
    let mut transaction = Transaction::new();
    transaction.put(key.clone(), record.clone());
    apply(store, engine, &transaction);
}

fn apply(store: &mut dyn Store, engine: &str, transaction: &Transaction) {
    if let Err(error) = store.apply(transaction) {
        panic!("{engine}: apply failed: {error}");
    }
}

fn get(store: &dyn Store, engine: &str, key: &RecordKey) -> Option<Record> {
    match store.get(key) {
        Ok(record) => record,
        Err(error) => panic!("{engine}: get {key:?} failed: {error}"),
    }
}

fn scan(store: &dyn Store, engine: &str, scope: &[u8], kind: RecordKind) -> Vec<(u64, Record)> {
    match store.scan(scope, kind) {
        Ok(records) => records,
        Err(error) => panic!("{engine}: scan {scope:?} {kind:?} failed: {error}"),
    }
}

fn scopes(store: &dyn Store, engine: &str, kind: RecordKind) -> Vec<Vec<u8>> {
    match store.scopes(kind) {
        Ok(scopes) => scopes,
        Err(error) => panic!("{engine}: scopes {kind:?} failed: {error}"),
    }
}

fn indices(records: &[(u64, Record)]) -> Vec<u64> {
    records.iter().map(|(index, _)| *index).collect()
}

fn check_info(store: &dyn Store, engine: &str) {
    let info = match store.info() {
        Ok(info) => info,
        Err(error) => panic!("{engine}: info failed: {error}"),
    };
    assert!(!info.engine.is_empty(), "{engine}: info names no engine");
    assert!(
        info.schema_version >= 1,
        "{engine}: schema version {} is below 1",
        info.schema_version
    );
}

fn check_empty(store: &mut dyn Store, engine: &str) {
    for kind in RecordKind::ALL {
        assert_eq!(
            get(store, engine, &RecordKey::new(b"scope".as_slice(), kind, 0)),
            None,
            "{engine}: a fresh store has a {kind:?} record"
        );
        assert!(
            scan(store, engine, b"scope", kind).is_empty(),
            "{engine}: a fresh store scans {kind:?} records"
        );
        assert!(
            scopes(store, engine, kind).is_empty(),
            "{engine}: a fresh store lists {kind:?} scopes"
        );
    }
    // An empty transaction is applied without error and changes nothing.
    apply(store, engine, &Transaction::new());
    assert!(
        scopes(store, engine, RecordKind::GroupState).is_empty(),
        "{engine}: an empty transaction wrote something"
    );
}

fn check_round_trip(store: &mut dyn Store, engine: &str) {
    let long_scope: Vec<u8> = (0..=255u8).cycle().take(300).collect();
    let big_body: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 31 + 7) as u8).collect();
    let cases = [
        (
            RecordKey::new(b"group".as_slice(), RecordKind::GroupState, 0),
            Record {
                suite: 1,
                epoch: 0,
                generation: 0,
                body: Vec::new(),
            },
        ),
        (
            RecordKey::new(b"group".as_slice(), RecordKind::TreeNode, u64::MAX),
            Record {
                suite: u16::MAX,
                epoch: u64::MAX,
                generation: u64::MAX,
                body: vec![0xff; 33],
            },
        ),
        (
            RecordKey::new(b"group".as_slice(), RecordKind::PastEpoch, 1 << 63),
            Record {
                suite: 0,
                epoch: 1 << 63,
                generation: (1 << 63) - 1,
                body: big_body,
            },
        ),
        (
            RecordKey::new(vec![0u8, 0, 1, 0], RecordKind::KeyPackage, 0),
            Record {
                suite: 3,
                epoch: 7,
                generation: 8,
                body: vec![0; 16],
            },
        ),
        (
            RecordKey::new(vec![0u8], RecordKind::KeyPackage, 0),
            record(1),
        ),
        (
            RecordKey::new(Vec::new(), RecordKind::KeyPackage, 0),
            record(2),
        ),
        (
            RecordKey::new(long_scope, RecordKind::TreeNode, (1 << 63) - 1),
            record(3),
        ),
    ];
    // Written in one transaction, read back one by one, then again after more writes to check
    // that none of them overwrote another.
    let mut transaction = Transaction::new();
    for (key, record) in &cases {
        transaction.put(key.clone(), record.clone());
    }
    apply(store, engine, &transaction);
    for (key, record) in &cases {
        let found = get(store, engine, key);
        assert!(found.is_some(), "{engine}: {key:?} is missing after a put");
        assert!(
            found.as_ref() == Some(record),
            "{engine}: {key:?} reads back as {found:?}, not {record:?} (or its body differs)"
        );
    }
    // The same index and scope under another kind, and the same kind under another index,
    // are other keys.
    assert_eq!(
        get(
            store,
            engine,
            &RecordKey::new(b"group".as_slice(), RecordKind::TreeNode, 0)
        ),
        None,
        "{engine}: TreeNode 0 exists although only index u64::MAX was written"
    );
    assert_eq!(
        get(
            store,
            engine,
            &RecordKey::new(b"group".as_slice(), RecordKind::PastEpoch, 0)
        ),
        None,
        "{engine}: PastEpoch 0 exists although only index 2^63 was written"
    );
    assert_eq!(
        get(
            store,
            engine,
            &RecordKey::new(b"grou".as_slice(), RecordKind::GroupState, 0)
        ),
        None,
        "{engine}: a prefix of a scope finds the scope's record"
    );
    assert_eq!(
        get(
            store,
            engine,
            &RecordKey::new(vec![0u8, 0], RecordKind::KeyPackage, 0)
        ),
        None,
        "{engine}: scope [0, 0] finds a record though only [0], [] and [0, 0, 1, 0] were written"
    );
}

fn check_overwrite(store: &mut dyn Store, engine: &str) {
    let key = RecordKey::new(b"group".as_slice(), RecordKind::GroupState, 0);
    let neighbour = RecordKey::new(b"group".as_slice(), RecordKind::GroupState, 1);
    put(store, engine, &key, &record(10));
    put(store, engine, &neighbour, &record(20));
    put(store, engine, &key, &record(11));
    assert_eq!(
        get(store, engine, &key),
        Some(record(11)),
        "{engine}: a put does not replace the record at its key"
    );
    assert_eq!(
        get(store, engine, &neighbour),
        Some(record(20)),
        "{engine}: a put changed the record at another key"
    );
    assert_eq!(
        indices(&scan(store, engine, b"group", RecordKind::GroupState)),
        vec![0, 1],
        "{engine}: an overwritten record is listed twice or lost"
    );
    // A shorter body replaces a longer one whole.
    let short = Record {
        body: b"x".to_vec(),
        ..record(12)
    };
    put(store, engine, &key, &short);
    assert_eq!(
        get(store, engine, &key),
        Some(short),
        "{engine}: a shorter body does not replace a longer one"
    );
}

fn check_scan(store: &mut dyn Store, engine: &str) {
    let written = [
        u64::MAX,
        0,
        1 << 63,
        5,
        (1 << 63) - 1,
        u64::MAX - 1,
        1,
        (1 << 63) + 1,
        1 << 32,
    ];
    let mut transaction = Transaction::new();
    for (seed, index) in written.iter().enumerate() {
        transaction.put(
            RecordKey::new(b"ab".as_slice(), RecordKind::TreeNode, *index),
            record(seed as u64),
        );
    }
    // Neighbours that scan must leave out: another kind, a scope that is a prefix, one that
    // extends it, one that differs in its last byte, and one with a 0x00 after it.
    for (scope, kind) in [
        (b"ab".to_vec(), RecordKind::PastEpoch),
        (b"ab".to_vec(), RecordKind::GroupState),
        (b"a".to_vec(), RecordKind::TreeNode),
        (b"abc".to_vec(), RecordKind::TreeNode),
        (b"ac".to_vec(), RecordKind::TreeNode),
        (b"ab\0".to_vec(), RecordKind::TreeNode),
    ] {
        transaction.put(RecordKey::new(scope.clone(), kind, 3), record(99));
        transaction.put(RecordKey::new(scope, kind, u64::MAX), record(98));
    }
    apply(store, engine, &transaction);

    let mut expected: Vec<u64> = written.to_vec();
    expected.sort_unstable();
    let found = scan(store, engine, b"ab", RecordKind::TreeNode);
    assert_eq!(
        indices(&found),
        expected,
        "{engine}: scan does not list exactly the scope's tree nodes by increasing u64 index"
    );
    for (index, found_record) in &found {
        let seed = written
            .iter()
            .position(|w| w == index)
            .unwrap_or(usize::MAX);
        assert_eq!(
            *found_record,
            record(seed as u64),
            "{engine}: scan gives index {index} another record's fields"
        );
    }
    assert_eq!(
        indices(&scan(store, engine, b"a", RecordKind::TreeNode)),
        vec![3, u64::MAX],
        "{engine}: scan of a prefix scope lists the longer scope's records"
    );
    assert_eq!(
        indices(&scan(store, engine, b"ab", RecordKind::PastEpoch)),
        vec![3, u64::MAX],
        "{engine}: scan of one kind lists another kind's records"
    );
    assert!(
        scan(store, engine, b"ab", RecordKind::KeyPackage).is_empty(),
        "{engine}: scan of a kind with no records lists some"
    );
    assert!(
        scan(store, engine, b"b", RecordKind::TreeNode).is_empty(),
        "{engine}: scan of a scope with no records lists some"
    );
}

fn check_scopes(store: &mut dyn Store, engine: &str) {
    let written: [&[u8]; 8] = [b"b", b"a", b"ab", b"a\0", b"", b"\0", b"\xff", b"\0\0"];
    let mut transaction = Transaction::new();
    for (seed, scope) in written.iter().enumerate() {
        // Several records per scope, so a scope listed once per record is caught.
        for index in [0, 7, u64::MAX] {
            transaction.put(
                RecordKey::new(scope.to_vec(), RecordKind::TreeNode, index),
                record(seed as u64),
            );
        }
    }
    transaction.put(
        RecordKey::new(b"other kind".as_slice(), RecordKind::PastEpoch, 0),
        record(50),
    );
    apply(store, engine, &transaction);

    let mut expected: Vec<Vec<u8>> = written.iter().map(|scope| scope.to_vec()).collect();
    expected.sort();
    assert_eq!(
        scopes(store, engine, RecordKind::TreeNode),
        expected,
        "{engine}: scopes are not listed once each in increasing byte order"
    );
    assert_eq!(
        scopes(store, engine, RecordKind::PastEpoch),
        vec![b"other kind".to_vec()],
        "{engine}: scopes of one kind lists scopes of another"
    );
    assert!(
        scopes(store, engine, RecordKind::GroupState).is_empty(),
        "{engine}: scopes of a kind with no records lists some"
    );
}

fn check_delete(store: &mut dyn Store, engine: &str) {
    let key = RecordKey::new(b"group".as_slice(), RecordKind::TreeNode, u64::MAX);
    let kept = [
        RecordKey::new(b"group".as_slice(), RecordKind::TreeNode, u64::MAX - 1),
        RecordKey::new(b"group".as_slice(), RecordKind::PastEpoch, u64::MAX),
        RecordKey::new(b"grou".as_slice(), RecordKind::TreeNode, u64::MAX),
    ];
    put(store, engine, &key, &record(1));
    for (seed, other) in kept.iter().enumerate() {
        put(store, engine, other, &record(seed as u64 + 10));
    }
    let mut transaction = Transaction::new();
    transaction.delete(key.clone());
    apply(store, engine, &transaction);
    assert_eq!(
        get(store, engine, &key),
        None,
        "{engine}: a deleted record is still there"
    );
    assert_eq!(
        indices(&scan(store, engine, b"group", RecordKind::TreeNode)),
        vec![u64::MAX - 1],
        "{engine}: scan lists a deleted record, or delete removed another"
    );
    for (seed, other) in kept.iter().enumerate() {
        assert_eq!(
            get(store, engine, other),
            Some(record(seed as u64 + 10)),
            "{engine}: deleting {key:?} changed {other:?}"
        );
    }
    // Deleting what is not there is not an error.
    apply(store, engine, &transaction);
    // A scope whose last record of a kind is deleted is no longer listed for that kind.
    let mut transaction = Transaction::new();
    transaction.delete(kept[0].clone());
    apply(store, engine, &transaction);
    assert_eq!(
        scopes(store, engine, RecordKind::TreeNode),
        vec![b"grou".to_vec()],
        "{engine}: scopes lists a scope whose records of the kind are all deleted"
    );
}

fn check_delete_from(store: &mut dyn Store, engine: &str) {
    let indices_written = [0, 1, 4, 5, 6, 1 << 40, 1 << 63, u64::MAX];
    let mut transaction = Transaction::new();
    for index in indices_written {
        for (scope, kind) in [
            (b"g".as_slice(), RecordKind::PastEpoch),
            (b"g".as_slice(), RecordKind::TreeNode),
            (b"g2".as_slice(), RecordKind::PastEpoch),
            (b"".as_slice(), RecordKind::PastEpoch),
        ] {
            transaction.put(RecordKey::new(scope, kind, index), record(index % 97));
        }
    }
    apply(store, engine, &transaction);

    let mut transaction = Transaction::new();
    transaction.delete_from(b"g", RecordKind::PastEpoch, 5);
    apply(store, engine, &transaction);
    assert_eq!(
        indices(&scan(store, engine, b"g", RecordKind::PastEpoch)),
        vec![0, 1, 4],
        "{engine}: delete_from does not delete exactly the indices from 5 on"
    );
    for (scope, kind) in [
        (b"g".as_slice(), RecordKind::TreeNode),
        (b"g2".as_slice(), RecordKind::PastEpoch),
        (b"".as_slice(), RecordKind::PastEpoch),
    ] {
        assert_eq!(
            indices(&scan(store, engine, scope, kind)),
            indices_written.to_vec(),
            "{engine}: delete_from on scope \"g\" past epochs deleted {scope:?} {kind:?} records"
        );
    }

    // From the top index on: only that record; from 0: all of the scope and kind.
    let mut transaction = Transaction::new();
    transaction.delete_from(b"g2", RecordKind::PastEpoch, u64::MAX);
    apply(store, engine, &transaction);
    assert_eq!(
        indices(&scan(store, engine, b"g2", RecordKind::PastEpoch)),
        indices_written[..indices_written.len() - 1].to_vec(),
        "{engine}: delete_from u64::MAX does not delete exactly the last record"
    );
    let mut transaction = Transaction::new();
    transaction.delete_from(b"g", RecordKind::TreeNode, 0);
    apply(store, engine, &transaction);
    assert!(
        scan(store, engine, b"g", RecordKind::TreeNode).is_empty(),
        "{engine}: delete_from 0 leaves records"
    );
    assert_eq!(
        indices(&scan(store, engine, b"g", RecordKind::PastEpoch)),
        vec![0, 1, 4],
        "{engine}: delete_from of tree nodes deleted past epochs"
    );
    // A range with nothing in it is not an error.
    let mut transaction = Transaction::new();
    transaction.delete_from(b"none", RecordKind::TreeNode, 0);
    apply(store, engine, &transaction);
}

fn check_order_within_transaction(store: &mut dyn Store, engine: &str) {
    let key = RecordKey::new(b"group".as_slice(), RecordKind::GroupState, 0);

    // Put then delete: nothing.
    let mut transaction = Transaction::new();
    transaction.put(key.clone(), record(1));
    transaction.delete(key.clone());
    apply(store, engine, &transaction);
    assert_eq!(
        get(store, engine, &key),
        None,
        "{engine}: a put followed by a delete in one transaction leaves the record"
    );

    // Delete then put: the record.
    let mut transaction = Transaction::new();
    transaction.delete(key.clone());
    transaction.put(key.clone(), record(2));
    apply(store, engine, &transaction);
    assert_eq!(
        get(store, engine, &key),
        Some(record(2)),
        "{engine}: a delete followed by a put in one transaction does not leave the record"
    );

    // Two puts: the second wins.
    let mut transaction = Transaction::new();
    transaction.put(key.clone(), record(3));
    transaction.put(key.clone(), record(4));
    apply(store, engine, &transaction);
    assert_eq!(
        get(store, engine, &key),
        Some(record(4)),
        "{engine}: the first of two puts in one transaction wins"
    );

    // Puts then delete_from over them, then a put in the deleted range: only the last put.
    let mut transaction = Transaction::new();
    for index in [1, 2, 3] {
        transaction.put(
            RecordKey::new(b"group".as_slice(), RecordKind::PastEpoch, index),
            record(index),
        );
    }
    transaction.delete_from(b"group", RecordKind::PastEpoch, 2);
    transaction.put(
        RecordKey::new(b"group".as_slice(), RecordKind::PastEpoch, 3),
        record(30),
    );
    apply(store, engine, &transaction);
    let found = scan(store, engine, b"group", RecordKind::PastEpoch);
    assert_eq!(
        found,
        vec![(1, record(1)), (3, record(30))],
        "{engine}: put, delete_from and put in one transaction are not applied in order"
    );
}
